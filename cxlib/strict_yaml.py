"""Safe YAML for the files people edit by hand: a key written twice is an error, not a silent overwrite.

PyYAML's ``safe_load`` keeps the *last* value of a key that appears twice, so a
mapping file, a theme dictionary or a sentiment lexicon edited by hand can lose an
entry without a word. :func:`load` refuses that, names both lines, and also bounds
what a small hostile file can do before it is checked: the number of aliases
(a "billion laughs" of nested aliases expands to gigabytes) and the nesting depth
(thousands of brackets overflow the stack). Only ``true`` / ``false`` are booleans
(YAML 1.2), so a Chinese "no" label or a Norwegian country code stays text.

It subclasses PyYAML's ``SafeLoader`` (no Python objects are ever built); what
PyYAML lacks is only the duplicate check and the limits, which is why this
module exists.
"""

from __future__ import annotations

import re

import yaml

from .errors import CXDataError

__all__ = ["load", "MAX_ALIASES", "MAX_DEPTH"]

MAX_ALIASES = 50  # a file reuses a list a few times; an alias bomb uses thousands
MAX_DEPTH = 20  # the files read this way are four or five levels deep


class _Refused(Exception):
    """Raised inside the loader; :func:`load` turns it into the caller's error class."""


class _Duplicate(_Refused):
    """A key written twice; :func:`load` adds what the caller expects instead (``once``)."""


class _Loader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(f"more than {MAX_ALIASES} aliases (*name), at line {mark.line + 1}; "
                               "a hand-written file needs a few at most")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep, at line {mark.line + 1}")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _Duplicate(f"the key {key!r} appears twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})")
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str, where: str, *, error: type[Exception] = CXDataError, once: str = "each key may appear only once"):
    """Parse YAML ``text``; every problem is one ``error`` whose message starts with ``where``.

    Parameters
    ----------
    text : str
        The YAML text.
    where : str
        What the text is, for messages (a path, or "themes").
    error : exception class
        Raised for invalid YAML, a duplicate key, too many aliases or too deep nesting.
    once : str
        What the duplicate-key message says is expected ("each column or label may be
        mapped only once").

    Returns
    -------
    object
        What ``yaml.safe_load`` returns for a valid file without duplicate keys.

    Examples
    --------
    >>> load("a: 1\\nb: no", "example")
    {'a': 1, 'b': 'no'}
    >>> load("a: 1\\na: 2", "example")
    Traceback (most recent call last):
    ...
    cxlib.errors.CXDataError: example: the key 'a' appears twice (lines 1 and 2); each key may appear only once
    """
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Duplicate as err:
        raise error(f"{where}: {err}; {once}") from None
    except _Refused as err:
        raise error(f"{where}: {err}") from None
    except yaml.YAMLError as err:
        raise error(f"{where}: not valid YAML: {err}") from None
    except RecursionError:
        raise error(f"{where}: nested too deeply") from None
