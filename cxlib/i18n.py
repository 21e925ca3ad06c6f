"""Labels, category names and table headers in English and Chinese: one place.

Every user-facing string that a chart or table shows comes from here. The
strings themselves live in ``cxlib/resources/labels_*.yml`` (one file per
area, so that each module's words sit together); this module is the only
reader. Keys are dotted, e.g. ``"nps.promoters"``.

Examples
--------
>>> from cxlib.i18n import t
>>> t("nps.promoters", "zh")
'推荐者'
>>> t("nps.promoters", "en")
'Promoters'
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from . import strict_yaml

__all__ = ["LANGS", "t", "labels", "relabel", "check_lang", "has_label", "keys"]

LANGS = ("en", "zh")


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise a ValueError that lists the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


@cache
def _catalog() -> dict[str, dict[str, str]]:
    catalog: dict[str, dict[str, str]] = {}
    folder = resources.files("cxlib") / "resources"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not (entry.name.startswith("labels_") and entry.name.endswith(".yml")):
            continue
        data = strict_yaml.load(entry.read_text(encoding="utf-8"), entry.name, once="each label may appear only once") or {}
        for key, value in _flatten(data).items():
            if key in catalog:
                raise ValueError(f"label {key!r} is defined twice (second time in {entry.name})")
            missing = [lang for lang in LANGS if lang not in value]
            if missing:
                raise ValueError(f"label {key!r} in {entry.name} lacks {missing}")
            catalog[key] = value
    return catalog


def _flatten(data: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    out = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) >= set(LANGS) and all(
            isinstance(value[lang], str) for lang in LANGS
        ):
            out[full] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            raise ValueError(f"label {full!r} must map to en/zh strings")
    return out


def t(key: str, lang: str = "en", **fmt) -> str:
    """The label for ``key`` in ``lang``; ``fmt`` fills ``{placeholders}``.

    Raises KeyError naming the key when it is unknown, so a typo cannot
    silently print the key itself on a chart.
    """
    check_lang(lang)
    try:
        text = _catalog()[key][lang]
    except KeyError:
        raise KeyError(f"no label {key!r}; add it to a cxlib/resources/labels_*.yml file") from None
    return text.format(**fmt) if fmt else text


def has_label(key: str) -> bool:
    """Whether the catalogues define ``key`` (in both languages, which loading guarantees)."""
    return key in _catalog()


def keys(prefix: str = "") -> list[str]:
    """Every label key that starts with ``prefix``, sorted (e.g. all sentence templates ``"lesson02.say"``)."""
    return sorted(k for k in _catalog() if k.startswith(prefix))


def labels(prefix: str, lang: str = "en") -> dict[str, str]:
    """All labels under ``prefix`` as ``{last key part: text}``, e.g. ``labels("property")``."""
    check_lang(lang)
    start = prefix.rstrip(".") + "."
    return {k[len(start):]: v[lang] for k, v in _catalog().items() if k.startswith(start)}


def relabel(frame: pd.DataFrame, lang: str = "en", *, columns: str | list[str] = "col") -> pd.DataFrame:
    """Return a copy of ``frame`` whose column headers are translated.

    Headers are looked up as ``f"{prefix}.{name}"`` for each prefix in ``columns``
    (a string or a list, first match wins); names without a label keep their own
    name (they are usually data values such as feature names).
    """
    check_lang(lang)
    cat = _catalog()
    prefixes = [columns] if isinstance(columns, str) else list(columns)
    mapping = {}
    for c in frame.columns:
        for prefix in prefixes:
            if f"{prefix}.{c}" in cat:
                mapping[c] = cat[f"{prefix}.{c}"][lang]
                break
    return frame.rename(columns=mapping)
