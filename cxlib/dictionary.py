"""The data dictionaries: each world's tables, columns, types, ranges and meanings.

One small module that both :mod:`cxlib.datasets` (loading, validation) and
:mod:`cxlib.mapping` (your column names → the dictionary's) read, so neither
imports the other for it. The dictionaries live in ``cxlib/dictionaries/<world>.yml``.

Date columns may state a plausible range (``min``/``max``, written ``"YYYY-MM-DD"``)
and a cross-column rule ``not_after: <column>`` (a booking is made on or before the
check-in day); :func:`cxlib.datasets.validate` checks both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from . import strict_yaml

__all__ = ["WORLDS", "check_world", "ColumnSpec", "TableSpec", "dictionary", "table_spec"]

WORLDS = ("hotel", "ecommerce")

@dataclass(frozen=True)
class ColumnSpec:
    """One column of the data dictionary."""

    name: str
    type: str
    en: str
    zh: str
    unit: str | None = None
    min: float | str | None = None  # a number; for date columns a date "YYYY-MM-DD"
    max: float | str | None = None
    allowed: tuple | None = None
    nullable: bool = False
    references: str | None = None
    not_after: str | None = None  # date columns: on or before this column's date in the same row
    identifier: bool = False  # a key, a reference or an ``*_id`` column: codes compared as trimmed text

    def _date_range(self) -> str:
        if self.min is not None and self.max is not None:
            return f" from {self.min} to {self.max}"
        if self.min is not None:
            return f" from {self.min} on"
        if self.max is not None:
            return f" up to {self.max}"
        return ""

    def expected(self) -> str:
        """What a valid value looks like, in words (used in error messages)."""
        if self.type == "category":
            return "one of " + ", ".join(map(str, self.allowed))
        if self.type in ("int", "float"):
            kind = "a whole number" if self.type == "int" else "a number"
            if self.min is not None and self.max is not None:
                return f"{kind} from {self.min:g} to {self.max:g}"
            if self.min is not None:
                return f"{kind} ≥ {self.min:g}"
            return kind
        if self.type == "bool":
            return "true or false"
        if self.type == "date":
            return "a date written YYYY-MM-DD" + self._date_range()
        if self.type == "datetime":
            return "a date and time written YYYY-MM-DD HH:MM:SS" + self._date_range()
        if self.identifier:
            return "an id (text that is not only spaces)"
        return "text"


@dataclass(frozen=True)
class TableSpec:
    """One table of the data dictionary."""

    world: str
    name: str
    title_en: str
    title_zh: str
    kind: str
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    sum_to_100: tuple[str, ...] = ()
    kano_features: tuple[str, ...] = ()


def check_world(world: str) -> str:
    """Return ``world`` if it is one of the sample worlds, else raise a ValueError that lists them."""
    if world not in WORLDS:
        raise ValueError(f"dataset must be one of {WORLDS}, got {world!r}")
    return world


@cache
def dictionary(world: str) -> dict:
    """The raw data dictionary of ``world`` (parsed YAML)."""
    check_world(world)
    text = (resources.files("cxlib") / "dictionaries" / f"{world}.yml").read_text(encoding="utf-8")
    return strict_yaml.load(text, f"dictionaries/{world}.yml")


def _expand_groups(raw: dict) -> dict[str, dict]:
    cols = dict(raw.get("columns", {}))
    features = raw.get("kano_features", [])
    for group in raw.get("column_groups", []):
        spec = {k: v for k, v in group.items() if k not in ("pattern", "range", "features")}
        if group.get("features"):
            names = [(f, {"feature": f}) for f in features]
        else:
            lo, hi = group["range"]
            names = [(i, {"i": i}) for i in range(lo, hi + 1)]
        for _, fmt in names:
            name = group["pattern"].format(**fmt)
            cols[name] = {**spec, "en": spec["en"].format(**fmt), "zh": spec["zh"].format(**fmt)}
    return cols


@cache
def table_spec(world: str, table: str) -> TableSpec:
    """The specification of one table, with column groups (e01…e22, ``<feature>_func``) expanded."""
    tables = dictionary(world)["tables"]
    if table not in tables:
        raise ValueError(f"the {world} dataset has no table {table!r}; tables: {', '.join(tables)}")
    raw = tables[table]
    columns = {}
    for name, c in _expand_groups(raw).items():
        columns[name] = ColumnSpec(
            name=name,
            type=c["type"],
            en=c["en"],
            zh=c["zh"],
            unit=c.get("unit"),
            min=c.get("min"),
            max=c.get("max"),
            allowed=tuple(c["allowed"]) if "allowed" in c else None,
            nullable=bool(c.get("nullable", False)),
            references=c.get("references"),
            not_after=c.get("not_after"),
            identifier=c["type"] == "str" and (name in raw.get("key", ()) or bool(c.get("references"))
                                               or name.endswith("_id")),
        )
    return TableSpec(
        world=world,
        name=table,
        title_en=raw["title"]["en"],
        title_zh=raw["title"]["zh"],
        kind=raw.get("kind", ""),
        key=tuple(raw.get("key", ())),
        columns=columns,
        sum_to_100=tuple(raw.get("sum_to_100", ())),
        kano_features=tuple(raw.get("kano_features", ())),
    )

