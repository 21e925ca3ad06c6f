"""Answers as plain data: what a graded notebook passes out of its sandbox, and how the grader reads it.

A graded notebook's last cell (added by :mod:`cxwb.grading`) calls :func:`export`,
which writes the values of the task variables to ``answers.json`` as plain JSON:
numbers, names, short lists, and for anything else only its type name. Nothing
else leaves the student's kernel: no verdict, no points, no flag. The grader reads
the file with :func:`read_answers` — size-bounded, no symlink followed, every key and
type checked — and rebuilds values that :func:`cxwb.exercises.evaluate` judges exactly
as it would judge the live objects (a one-element Series is still a Series, a result
dataclass is still "a whole result object", a DataFrame is still a DataFrame).

Why hand-written: the format is tiny (six kinds of value), it must be parsed
strictly (unknown keys and wrong types are errors, not defaults), and no schema
library in the environment reads JSON with a size bound and without following
symlinks; the codec is ~150 lines.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "MAX_BYTES", "AnswersError", "encode", "decode", "export", "read_answers", "read_bounded"]

#: The ``format`` field of an answers file.
FORMAT = "cxwb-answers/1"
#: Largest answers file the grader reads (bytes).
MAX_BYTES = 256 * 1024
#: Longest name (characters) and longest list (items) an answer may hold.
MAX_TEXT = 500
MAX_ITEMS = 200
_KINDS = ("none", "ellipsis", "undefined", "bool", "number", "text", "items", "object")
_SEQUENCES = ("list", "tuple", "set", "frozenset", "Series", "ndarray", "Index", "DataFrame")
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class AnswersError(ValueError):
    """The answers file (or one answer in it) is not in the expected form."""


# --------------------------------------------------------------------------- in the student's kernel
def _type_name(value) -> str:
    name = type(value).__name__
    return name if name.isidentifier() and len(name) <= 60 else "object"


def _scalar(value) -> dict:
    import numpy as np

    if value is None:
        return {"kind": "none"}
    if value is Ellipsis:
        return {"kind": "ellipsis"}
    if isinstance(value, bool | np.bool_):
        return {"kind": "bool", "value": bool(value)}
    if isinstance(value, int | np.integer):
        number = int(value)
        return {"kind": "number", "value": number if abs(number) < 2**53 else float(number)}
    if isinstance(value, float | np.floating):
        number = float(value)
        return {"kind": "number", "value": number if math.isfinite(number) else str(number)}
    if isinstance(value, str | np.str_):
        text = str(value)
        if len(text) > MAX_TEXT:
            return {"kind": "object", "type": "str", "note": f"{len(text)} characters"}
        return {"kind": "text", "value": text}
    return {"kind": "object", "type": _type_name(value), "dataclass": dataclasses.is_dataclass(value)}


def encode(value) -> dict:
    """The plain-data form of one answer (the inverse of :func:`decode`)."""
    import numpy as np
    import pandas as pd

    kind = _type_name(value)
    if isinstance(value, pd.DataFrame):
        if value.size == 1:
            return {"kind": "items", "type": "DataFrame", "items": [_scalar(value.iloc[0, 0])]}
        return {"kind": "object", "type": "DataFrame", "dataclass": False}
    if isinstance(value, list | tuple | set | frozenset | pd.Series | pd.Index | np.ndarray) and kind in _SEQUENCES:
        if isinstance(value, np.ndarray) and value.ndim != 1:
            return {"kind": "object", "type": "ndarray", "dataclass": False}
        items = list(value)
        if len(items) > MAX_ITEMS:
            return {"kind": "object", "type": kind, "note": f"{len(items)} items"}
        if isinstance(value, set | frozenset):
            items = sorted(items, key=repr)
        return {"kind": "items", "type": kind, "items": [_scalar(item) for item in items]}
    return _scalar(value)


def export(namespace: dict, names, path: str | os.PathLike) -> None:
    """Write the answers held by ``names`` in ``namespace`` to ``path`` (run in the graded kernel)."""
    answers = {}
    for name in names:
        if name not in namespace:
            answers[name] = {"kind": "undefined"}
            continue
        try:
            answers[name] = encode(namespace[name])
        except Exception as err:  # noqa: BLE001 - an odd object is reported by type, never raised
            answers[name] = {"kind": "object", "type": _type_name(namespace[name]), "note": type(err).__name__}
    Path(path).write_text(json.dumps({"format": FORMAT, "answers": answers}), encoding="utf-8")


# --------------------------------------------------------------------------- in the grader
def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes (no symlink followed).

    Raises :class:`AnswersError` (too large, not a regular file) or ``OSError`` (missing).
    The file is opened without following a symlink and without blocking (a FIFO
    planted by a submission cannot stall the grader), then checked with ``fstat``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if os.path.islink(path):
            raise AnswersError(f"{Path(path).name} is a link, not a file") from err
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise AnswersError(f"{Path(path).name} is not a regular file")
        if info.st_size > limit:
            raise AnswersError(f"{Path(path).name} holds {info.st_size} bytes, more than the {limit} allowed")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise AnswersError(f"{Path(path).name} is larger than the {limit} bytes allowed")
    return data


def _strict_object(data, keys: set[str], required: set[str], where: str) -> dict:
    if not isinstance(data, dict):
        raise AnswersError(f"{where} should be an object, not {type(data).__name__}")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise AnswersError(f"{where} has an unknown key {unknown[0]!r}")
    missing = sorted(required - set(data))
    if missing:
        raise AnswersError(f"{where} lacks the key {missing[0]!r}")
    return data


def _decode_scalar(data, where: str):
    data = _strict_object(data, {"kind", "value", "type", "dataclass", "note"}, {"kind"}, where)
    kind = data["kind"]
    if kind not in _KINDS or kind == "items":
        raise AnswersError(f"{where}: unknown kind {kind!r}" if kind != "items" else f"{where}: a list inside a list")
    if kind in ("none", "undefined"):
        return None
    if kind == "ellipsis":
        return Ellipsis
    if kind == "bool":
        if not isinstance(data.get("value"), bool):
            raise AnswersError(f"{where}: a bool answer needs true or false")
        return data["value"]
    if kind == "number":
        value = data.get("value")
        if isinstance(value, str) and value in _SPECIAL:
            return _SPECIAL[value]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AnswersError(f"{where}: a number answer needs a number, not {type(value).__name__}")
        return value
    if kind == "text":
        value = data.get("value")
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise AnswersError(f"{where}: a text answer needs a string of at most {MAX_TEXT} characters")
        return value
    name = data.get("type", "object")
    if not (isinstance(name, str) and name.isidentifier() and len(name) <= 60):
        raise AnswersError(f"{where}: the type of an object answer should be a short name")
    if name == "dict":
        return {}
    if name == "DataFrame":
        import pandas as pd

        return pd.DataFrame({"a": [0, 0], "b": [0, 0]})
    if data.get("dataclass") is True:
        return dataclasses.make_dataclass(name, [])()
    return type(name, (), {})()


def decode(data, where: str = "answer") -> Any:
    """Rebuild an answer from its plain-data form; :class:`AnswersError` names what is wrong."""
    if isinstance(data, dict) and data.get("kind") == "items":
        data = _strict_object(data, {"kind", "type", "items"}, {"kind", "type", "items"}, where)
        kind, items = data["type"], data["items"]
        if kind not in _SEQUENCES:
            raise AnswersError(f"{where}: unknown sequence type {kind!r}")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise AnswersError(f"{where}: the items should be a list of at most {MAX_ITEMS}")
        values = [_decode_scalar(item, f"{where}[{i}]") for i, item in enumerate(items)]
        import numpy as np
        import pandas as pd

        if kind == "DataFrame":
            if len(values) != 1:
                raise AnswersError(f"{where}: only a one-cell table is passed on")
            return pd.DataFrame([values])
        makers = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "Series": pd.Series,
                  "Index": pd.Index, "ndarray": np.asarray}
        try:
            return makers[kind](values)
        except TypeError as err:  # an unhashable item in a set cannot come from a real set
            raise AnswersError(f"{where}: {err}") from None
    return _decode_scalar(data, where)


def read_answers(path: Path, names) -> dict[str, Any]:
    """The answers in the file at ``path``, one per name in ``names``, checked strictly.

    Returns ``{name: value or AnswersError}``: a malformed answer is an error for its own
    task only. Raises :class:`AnswersError` when the file as a whole is malformed
    (not JSON, unknown or missing keys, an answer for a variable the exercise does not
    have, too large) and ``OSError`` when it is missing.
    """
    raw = read_bounded(Path(path), MAX_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise AnswersError(f"answers.json is not JSON ({type(err).__name__})") from None
    data = _strict_object(data, {"format", "answers"}, {"format", "answers"}, "answers.json")
    if data["format"] != FORMAT:
        raise AnswersError(f"answers.json has the format {str(data['format'])[:40]!r}, not {FORMAT!r}")
    answers = data["answers"]
    names = list(names)
    answers = _strict_object(answers, set(names), set(), "the answers")
    out: dict[str, Any] = {}
    for name in names:
        if name not in answers:
            out[name] = AnswersError(f"no answer for {name}")
            continue
        entry = answers[name]
        if isinstance(entry, dict) and entry.get("kind") == "undefined":
            out[name] = KeyError(name)
            continue
        try:
            out[name] = decode(entry, name)
        except AnswersError as err:
            out[name] = err
    return out
