"""Load the sample worlds or your own files, validated against the data dictionary.

The data dictionary of each world (``cxlib/dictionaries/<world>.yml``) names
every table, its columns, their types, units, allowed values and meaning in
English and Chinese. :func:`load` reads a table and checks it against the
dictionary. A wrong type, an out-of-range score, a value outside the allowed
list, a missing column or a duplicate key raises
:class:`cxlib.errors.DataValidationError`, whose message names the table, the
column, up to five offending rows (numbered as in a spreadsheet: the header
is row 1) with their values, and what was expected. Nothing is coerced,
clipped or dropped: missing answers are allowed only where the dictionary
says ``nullable``, and they stay in the table as missing (NaN) for the
analysis to count.

Column types after loading
--------------------------
``int``: int64, or float64 when the column allows missing answers (NaN marks
them); ``float``: float64; ``bool``: bool; ``date``/``datetime``:
datetime64; ``str``/``category``: str. Extra columns that the dictionary
does not know are kept and listed in ``frame.attrs["extra_columns"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import DataValidationError

__all__ = [
    "WORLDS",
    "ColumnSpec",
    "TableSpec",
    "dictionary",
    "table_spec",
    "dictionary_frame",
    "touchpoints",
    "sample_dir",
    "load",
    "load_all",
    "validate",
    "overview",
]

WORLDS = ("hotel", "ecommerce")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
MAX_SHOWN = 5


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the data dictionary."""

    name: str
    type: str
    en: str
    zh: str
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    allowed: tuple | None = None
    nullable: bool = False
    references: str | None = None

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
            return "a date written YYYY-MM-DD"
        if self.type == "datetime":
            return "a date and time written YYYY-MM-DD HH:MM:SS"
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


@cache
def dictionary(world: str) -> dict:
    """The raw data dictionary of ``world`` (parsed YAML)."""
    if world not in WORLDS:
        raise ValueError(f"dataset must be one of {WORLDS}, got {world!r}")
    text = (resources.files("cxlib") / "dictionaries" / f"{world}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


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


def dictionary_frame(world: str, table: str | None = None, lang: str = "en") -> pd.DataFrame:
    """The data dictionary as a tidy table: one row per column of each table.

    Columns: ``table``, ``column``, ``type``, ``unit``, ``allowed`` (values or
    range), ``missing_allowed``, ``meaning`` (in ``lang``).
    """
    names = [table] if table else list(dictionary(world)["tables"])
    rows = []
    for name in names:
        spec = table_spec(world, name)
        for col in spec.columns.values():
            if col.allowed:
                allowed = ", ".join(map(str, col.allowed))
            elif col.min is not None or col.max is not None:
                lo = "" if col.min is None else f"{col.min:g}"
                hi = "" if col.max is None else f"{col.max:g}"
                allowed = f"{lo}–{hi}"
            else:
                allowed = ""
            rows.append(
                {
                    "table": name,
                    "column": col.name,
                    "type": col.type,
                    "unit": col.unit or "",
                    "allowed": allowed,
                    "missing_allowed": col.nullable,
                    "meaning": col.zh if lang == "zh" else col.en,
                }
            )
    return pd.DataFrame(rows)


def touchpoints(world: str, lang: str = "en") -> pd.DataFrame:
    """The world's touchpoints: ``id``, ``stage``, ``channel``, ``column`` (survey rating), ``step`` (funnel), ``name``."""
    rows = []
    for tp in dictionary(world)["touchpoints"]:
        rows.append(
            {
                "id": tp["id"],
                "stage": tp["stage"],
                "channel": tp["channel"],
                "column": tp.get("column"),
                "step": tp.get("step"),
                "name": tp["zh"] if lang == "zh" else tp["en"],
            }
        )
    return pd.DataFrame(rows)


def sample_dir(world: str) -> Path:
    """Folder of the committed sample data of ``world``."""
    if world not in WORLDS:
        raise ValueError(f"dataset must be one of {WORLDS}, got {world!r}")
    return Path(__file__).resolve().parent.parent / "datasets" / world


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a file as text columns so that validation sees exactly what the file holds."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype(object).where(frame.notna(), None).map(lambda v: v if v is None else str(v))
    raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv or .parquet")


def _find_file(folder: Path, table: str) -> Path:
    for suffix in (".csv", ".parquet"):
        path = folder / f"{table}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(
        f"no file for table {table!r} in {folder} (looked for {table}.csv and {table}.parquet)"
    )


def _plain(value):
    """Numpy scalars print as plain Python values in messages."""
    return value.item() if isinstance(value, np.generic) else value


def _problem(spec: TableSpec, column: str | None, message: str, mask: np.ndarray | None,
             raw: pd.Series | None, expected: str | None) -> dict:
    rows, values, count = None, None, None
    if mask is not None:
        idx = np.flatnonzero(mask)
        count = len(idx)
        rows = [int(i) + 2 for i in idx[:MAX_SHOWN]]  # spreadsheet numbering: header is row 1
        if raw is not None:
            values = [_plain(raw.iloc[i]) for i in idx[:MAX_SHOWN]]
    return {
        "table": spec.name,
        "column": column,
        "message": message,
        "rows": rows,
        "values": values,
        "count": count,
        "expected": expected,
    }


def _convert(col: ColumnSpec, raw: pd.Series, spec: TableSpec, problems: list) -> pd.Series:
    """Typed column from its text; appends a problem for every kind of bad value."""
    missing = raw.isna().to_numpy()
    if missing.any() and not col.nullable:
        problems.append(_problem(spec, col.name, "missing values where an answer is required",
                                 missing, None, col.expected()))
    text = raw.astype(str).str.strip()
    if col.type in ("int", "float"):
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isnan(num) & ~missing
        if bad.any():
            problems.append(_problem(spec, col.name, "values that are not numbers", bad, raw, col.expected()))
        ok = ~np.isnan(num)
        if col.type == "int":
            frac = ok & (num != np.floor(num))
            if frac.any():
                problems.append(_problem(spec, col.name, "values that are not whole numbers", frac, raw, col.expected()))
        low = ok & (num < col.min) if col.min is not None else np.zeros(len(num), bool)
        high = ok & (num > col.max) if col.max is not None else np.zeros(len(num), bool)
        if (low | high).any():
            problems.append(_problem(spec, col.name, "values out of range", low | high, raw, col.expected()))
        if col.type == "int" and not np.isnan(num).any():
            return pd.Series(num.astype("int64"), index=raw.index, name=col.name)
        return pd.Series(num, index=raw.index, name=col.name)
    if col.type == "bool":
        lower = text.str.lower()
        is_true = lower.isin(_TRUE).to_numpy()
        is_false = lower.isin(_FALSE).to_numpy()
        bad = ~(is_true | is_false) & ~missing
        if bad.any():
            problems.append(_problem(spec, col.name, "values that are not true/false", bad, raw, col.expected()))
        if missing.any():
            return pd.Series(np.where(missing, None, is_true), index=raw.index, name=col.name, dtype=object)
        return pd.Series(is_true, index=raw.index, name=col.name)
    if col.type in ("date", "datetime"):
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & ~missing
        if col.type == "date":  # a date column holds days: a time of day other than 00:00 is an error
            bad |= (parsed.notna() & (parsed != parsed.dt.normalize())).to_numpy()
        if bad.any():
            problems.append(_problem(spec, col.name, "values that are not valid dates", bad, raw, col.expected()))
        return parsed.rename(col.name)
    if col.type == "category":
        allowed = {str(a) for a in col.allowed}
        bad = ~text.isin(allowed).to_numpy() & ~missing
        if bad.any():
            problems.append(_problem(spec, col.name, "values outside the allowed list", bad, raw, col.expected()))
        return raw.rename(col.name)
    return raw.rename(col.name)


def validate(frame: pd.DataFrame, dataset: str, table: str) -> pd.DataFrame:
    """Check a table of text columns against the dictionary and return it typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read from a file, every cell a string or missing.
    dataset, table : str
        Which dictionary entry to check against.

    Returns
    -------
    pandas.DataFrame
        The same rows in the same order with typed columns; unknown extra columns are
        kept as text and listed in ``attrs["extra_columns"]``.

    Raises
    ------
    DataValidationError
        With every problem found (not only the first), each naming table, column,
        rows and what was expected.
    """
    spec = table_spec(dataset, table)
    problems: list[dict] = []
    if len(frame) == 0:
        problems.append(_problem(spec, None, "the table has no rows", None, None, "at least one data row"))
    absent = [c for c in spec.columns if c not in frame.columns]
    if absent:
        problems.append(_problem(spec, ", ".join(absent), "missing required column(s)", None, None,
                                 "columns " + ", ".join(spec.columns)))
    out = {}
    for name, col in spec.columns.items():
        if name in frame.columns:
            out[name] = _convert(col, frame[name], spec, problems)
    key = [k for k in spec.key if k in frame.columns]
    if key and len(key) == len(spec.key) and len(frame):
        dup = frame.duplicated(subset=key, keep=False).to_numpy()
        if dup.any():
            problems.append(_problem(spec, ", ".join(key), "duplicate keys", dup,
                                     frame[key].astype(str).agg("|".join, axis=1), "each key once"))
    if spec.sum_to_100 and all(c in out for c in spec.sum_to_100):
        total = sum(out[c].astype("float64") for c in spec.sum_to_100)
        bad = (total.notna() & (total != 100)).to_numpy()
        if bad.any():
            problems.append(_problem(spec, " + ".join(spec.sum_to_100), "point allocations that do not add up to 100",
                                     bad, total, "the five dimension weights to sum to 100"))
    if problems:
        raise DataValidationError(problems)
    extra = [c for c in frame.columns if c not in spec.columns]
    typed = pd.DataFrame(out, index=frame.index)
    for c in extra:
        typed[c] = frame[c]
    typed.attrs["dataset"] = dataset
    typed.attrs["table"] = table
    typed.attrs["extra_columns"] = extra
    return typed


def load(dataset: str, table: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load one table of a world, validated against its data dictionary.

    Parameters
    ----------
    dataset : {"hotel", "ecommerce"}
        Which world (and so which data dictionary).
    table : str
        Table name, e.g. ``"survey"``; see :func:`dictionary_frame`.
    data_dir : str or Path, optional
        Folder with your own ``<table>.csv`` or ``<table>.parquet``; ``None`` reads
        the committed sample data.

    Returns
    -------
    pandas.DataFrame
        Typed columns (see the module docstring); ``attrs["source"]`` is the file read.

    Raises
    ------
    FileNotFoundError
        When the folder has no file for the table.
    DataValidationError
        When the file does not match the dictionary (see :func:`validate`).

    Examples
    --------
    >>> survey = load("hotel", "survey")
    >>> int(survey["nps"].between(0, 10).sum()) > 0
    True
    """
    table_spec(dataset, table)  # unknown dataset or table: say so before looking for files
    folder = sample_dir(dataset) if data_dir is None else Path(data_dir)
    path = _find_file(folder, table)
    typed = validate(_read_raw(path), dataset, table)
    typed.attrs["source"] = str(path)
    return typed


def load_all(dataset: str, data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table of a world, as :func:`load` gives them."""
    return {name: load(dataset, name, data_dir) for name in dictionary(dataset)["tables"]}


def overview(dataset: str, data_dir: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """One row per table: title, X-data or O-data, rows and columns (for the welcome lesson)."""
    rows = []
    for name, frame in load_all(dataset, data_dir).items():
        spec = table_spec(dataset, name)
        rows.append(
            {
                "table": name,
                "title": spec.title_zh if lang == "zh" else spec.title_en,
                "kind": spec.kind,
                "rows": len(frame),
                "columns": frame.shape[1],
            }
        )
    return pd.DataFrame(rows)
