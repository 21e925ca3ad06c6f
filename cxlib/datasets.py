"""Load the sample worlds or your own files, validated against the data dictionary.

The data dictionary of each world (``cxlib/dictionaries/<world>.yml``) names
every table, its columns, their types, units, allowed values and meaning in
English and Chinese. :func:`load` reads a table and checks it against the
dictionary. A wrong type, an out-of-range score, a value outside the allowed
list, a date that does not parse or lies in the future, a missing column or a
duplicate key raises :class:`cxlib.errors.DataValidationError`, whose message
names the table, the column, up to five offending rows (numbered as in a
spreadsheet: the header is row 1) with their values, and what was expected.
Nothing is coerced, clipped or dropped silently: missing answers are allowed
only where the dictionary says ``nullable``, and they stay in the table as
missing (NaN) for the analysis to count; invalid rows are left out only when
you ask for it (``errors="exclude"``), and then every one is reported in
``frame.attrs["excluded"]``.

Your own files
--------------
``load(dataset, table, data_dir)`` reads the table from your folder: the file
that ``data_dir/mapping.yml`` names for it (CSV in UTF-8 or GBK, Excel, Parquet;
see :mod:`cxlib.readers`), with your column names and answer labels translated
to the dictionary's (see :mod:`cxlib.mapping`), or else ``<table>.csv``,
``<table>.xlsx`` or ``<table>.parquet`` named and shaped like the sample.
:func:`check` validates a whole folder and lists every problem (``cxwb check``).

Parsing rules
-------------
Every cell arrives as text (:mod:`cxlib.readers`) and is checked, never guessed:

* **Spaces** at both ends of ids (keys, references, ``*_id`` columns) and codes
  (``category`` columns) are trimmed *before* they are checked, and what was checked is
  what is returned, so ``'city '`` and ``' city'`` are one store and ``'Q0004 '``
  duplicates ``'Q0004'``; the trimmed cells are counted in ``attrs["n_trimmed"]``. An id
  of spaces only is an error. Free text is returned as the file holds it.
* **Numbers** must be written as numbers (``12``, ``-3.5``, ``1e3``) and be finite:
  ``inf``, ``NaN`` and ``1e400`` are errors. A whole-number column takes whole numbers
  written exactly (``9``, ``9.0``); ``8.9999999999999999`` is not 9. Whole numbers are read
  from their digits, not through a float.
* **Dates** must be written in full as the dictionary declares them: ``YYYY-MM-DD`` for
  a date (``2025-10`` or ``2025`` is not a date), ``YYYY-MM-DD HH:MM[:SS]`` for a date
  and time, or another layout named in the mapping's ``formats:``. They must lie in the
  dictionary's plausible range (``min``/``max``) and not after today. Timestamps carry a
  time zone (``+08:00``, ``Z``) on every row or on none; all zoned are read as UTC.
* **Cross-column rules** of the dictionary (``not_after: checkin_date``: a booking is
  made on or before check-in) are checked row by row.
* **Parquet** floating-point columns are refused where the dictionary expects ids, codes
  or true/false (``7.0`` is not the id ``'7'``); in a whole-number column they are
  accepted when exact.

Column types after loading
--------------------------
``int``: int64, or float64 when the column allows missing answers (NaN marks
them); ``float``: float64; ``bool``: bool; ``date``/``datetime``:
datetime64; ``str``/``category``: str. Extra columns that the dictionary
does not know are kept and listed in ``frame.attrs["extra_columns"]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import readers
from .dictionary import WORLDS, ColumnSpec, TableSpec, check_world, dictionary, table_spec
from .errors import DataValidationError, describe_problem
from .errors import plain_value as _plain
from .mapping import (
    ERROR_POLICIES,
    MAPPING_FILE,
    Mapping,
    MappingError,
    TableMapping,
    apply_mapping,
    find_mapping,
    load_mapping,
)

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
    "provided_tables",
    "ExcludedRows",
    "check",
    "CheckReport",
    "TableCheck",
    "needed_tables",
    "lessons_by_table",
]

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
MAX_SHOWN = 5


def _bound_text(bound) -> str:
    return f"{bound:g}" if isinstance(bound, int | float) else str(bound)


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
                lo = "" if col.min is None else _bound_text(col.min)
                hi = "" if col.max is None else _bound_text(col.max)
                allowed = f"{lo}–{hi}"
            else:
                allowed = ""
            if col.not_after:
                allowed += f"; on or before {col.not_after}"
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
    """Folder of the sample data of ``world``.

    An installed package carries its copy in ``cxlib/_workbook/datasets`` (see
    ``setup.py``); a source checkout or editable install reads ``datasets/`` at the
    top of the tree.
    """
    check_world(world)
    packaged = Path(__file__).resolve().parent / "_workbook" / "datasets" / world
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "datasets" / world


def _read_raw(path: Path, entry: TableMapping | None = None) -> pd.DataFrame:
    """Read a file as text columns so that validation sees exactly what the file holds (see :mod:`cxlib.readers`)."""
    if entry is None:
        return readers.read_table(path)
    return readers.read_table(path, sheet=entry.sheet, sep=entry.sep, header_row=entry.header_row,
                              encoding=entry.encoding)


def _find_file(folder: Path, table: str, mapping_path: Path | None = None) -> Path:
    for suffix in readers.SUFFIXES:
        path = folder / f"{table}{suffix}"
        if path.exists():
            return path
    if not folder.is_dir():
        raise FileNotFoundError(f"no file for table {table!r}: the folder {folder} does not exist"
                                + (f" (relative to {Path.cwd()})" if not folder.is_absolute() else ""))
    looked = [f"{table}{s}" for s in readers.SUFFIXES]
    where = f"; {mapping_path} has no entry for it" if mapping_path else f", and there is no {MAPPING_FILE}"
    raise FileNotFoundError(
        f"no file for table {table!r} in {folder} (looked for {', '.join(looked[:-1])} and {looked[-1]}{where})"
    )


def _today() -> pd.Timestamp:
    """Today's date (midnight); dates after it are "in the future"."""
    return pd.Timestamp.today().normalize()


class ExcludedRows(pd.DataFrame):
    """The rows left out under ``errors="exclude"``: ``row``, ``column``, ``value``, ``reason``.

    One line per problem found (a row with two bad values has two lines); ``row``
    is numbered as in a spreadsheet. A plain DataFrame except that ``==`` between
    two reports answers True/False (so that pandas can compare ``attrs`` when it
    merges or concatenates the loaded tables).
    """

    @property
    def _constructor(self):
        return ExcludedRows

    def __eq__(self, other):
        return self is other or (isinstance(other, pd.DataFrame) and pd.DataFrame.equals(self, other))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None


def _no_exclusions() -> ExcludedRows:
    return ExcludedRows({"row": pd.Series(dtype="int64"), "column": pd.Series(dtype=object),
                         "value": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


class _Problems:
    """Problems found in one table, each with the mask of its rows (None: the whole table)."""

    def __init__(self, spec: TableSpec, first_row: int = 2, expected: dict[str, str] | None = None):
        self.spec = spec
        self.first_row = first_row
        self.expected = expected or {}  # column → what is expected, when the mapping changes it
        self.items: list[tuple[dict, np.ndarray | None, pd.Series | None, object]] = []
        self.trimmed: dict[str, int] = {}  # column → cells whose surrounding spaces were trimmed

    def add(self, column: str | None, message: str, mask: np.ndarray | None = None,
            values: pd.Series | None = None, expected: str | None = None, reasons=None) -> None:
        rows, shown, count = None, None, None
        if mask is not None:
            idx = np.flatnonzero(mask)
            count = len(idx)
            rows = [int(i) + self.first_row for i in idx[:MAX_SHOWN]]  # spreadsheet numbering
            if values is not None:
                shown = [_plain(values.iloc[i]) for i in idx[:MAX_SHOWN]]
        if column in self.expected and message == "values that are not valid dates":
            expected = self.expected[column]
        problem = {"table": self.spec.name, "column": column, "message": message, "rows": rows,
                   "values": shown, "count": count, "expected": expected}
        self.items.append((problem, mask, values, reasons))

    def extend(self, problems: list[dict]) -> None:
        self.items.extend((p, None, None, None) for p in problems)

    @property
    def problems(self) -> list[dict]:
        return [p for p, *_ in self.items]

    def table_level(self) -> bool:
        return any(mask is None for _, mask, _, _ in self.items)

    def bad_rows(self, n: int) -> np.ndarray:
        bad = np.zeros(n, bool)
        for _, mask, _, _ in self.items:
            bad |= mask
        return bad

    def report(self) -> ExcludedRows:
        parts = []
        for problem, mask, values, reasons in self.items:
            idx = np.flatnonzero(mask)
            if reasons is None:
                reason = problem["message"] + (f"; expected {problem['expected']}" if problem["expected"] else "")
                why = [reason] * len(idx)
            else:
                why = [reasons[i] for i in idx]
            parts.append(pd.DataFrame({
                "row": idx.astype("int64") + self.first_row,
                "column": problem["column"],
                "value": [None if values is None else _plain(values.iloc[i]) for i in idx],
                "reason": why,
            }))
        if not parts:
            return _no_exclusions()
        out = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
        return ExcludedRows(out)


_INT_TEXT = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DATETIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?")
_FLOAT_TYPES = ("double", "float", "halffloat")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f" + "\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")  # RE2 and re


def _convert(col: ColumnSpec, raw: pd.Series, show: pd.Series, problems: _Problems,
             source_type: str | None = None) -> pd.Series:
    """Typed column from its text; adds a problem for every kind of bad value (``show``: the file's values).

    Text is trimmed (spaces at both ends) *before* it is validated, and what was validated
    is what is returned: ``' city'`` and ``'city '`` are both ``'city'``, ``'Q0004 '`` is
    ``'Q0004'``. Free text (``str`` columns that are not ids) is returned as the file holds it.
    """
    missing = raw.isna().to_numpy()
    if len(raw) and missing.all() and not col.nullable:
        problems.add(col.name, f"the column is empty (all {len(raw)} rows are missing) where an answer is required",
                     None, None, col.expected())
    elif missing.any() and not col.nullable:
        problems.add(col.name, "missing values where an answer is required", missing, None, col.expected())
    present = ~missing
    if (source_type or "").startswith(_FLOAT_TYPES) and col.type not in ("int", "float"):
        problems.add(col.name, f"floating-point numbers (stored as {source_type}) in a column of "
                     f"{'ids' if col.identifier else col.type}", present, show,
                     col.expected() + ", stored as text (an id 7 stored as 7.0 is not the id '7')")
        return raw.rename(col.name)
    if col.type == "str" and not col.identifier:
        return raw.rename(col.name)  # free text: kept as the file holds it
    values = raw.to_numpy(dtype=object, na_value=None) if raw.dtype != object else raw.to_numpy()
    # "string": Arrow-backed (vectorised) where pyarrow is installed, the same values and NA rules without it
    text = pd.Series(pd.array(values, dtype="string"), index=raw.index).str.strip()
    if col.type in ("int", "float"):
        num = pd.to_numeric(text.where(text.str.fullmatch(_NUMBER_TEXT.pattern), None), errors="coerce") \
            .to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isnan(num) & present
        if bad.any():
            problems.add(col.name, "values that are not numbers", bad, show, col.expected())
        infinite = np.isinf(num)
        if infinite.any():
            problems.add(col.name, "numbers too large to be real (not finite)", infinite, show, col.expected())
        ok = ~np.isnan(num) & ~infinite
        if col.type == "int":
            exact = text.str.fullmatch(_INT_TEXT.pattern).fillna(False).to_numpy(dtype=bool)
            frac = ok & ~exact
            if frac.any():
                problems.add(col.name, "values that are not whole numbers", frac, show, col.expected())
            ok &= exact
        low = ok & (num < col.min) if col.min is not None else np.zeros(len(num), bool)
        high = ok & (num > col.max) if col.max is not None else np.zeros(len(num), bool)
        if col.type == "int":
            high |= ok & (np.abs(num) >= 2.0**63)
        if (low | high).any():
            problems.add(col.name, "values out of range", low | high, show, col.expected())
        if col.type == "int":  # whole numbers read from their digits, not through a float
            digits = text.str.replace(r"\.0*$", "", regex=True).where(ok & ~(low | high), "0")
            exact_int = pd.to_numeric(digits.astype(object), errors="coerce").to_numpy()
            if not (~ok & present).any() and not missing.any() and exact_int.dtype.kind == "i":
                return pd.Series(exact_int.astype("int64"), index=raw.index, name=col.name)
            return pd.Series(np.where(ok, exact_int.astype("float64"), np.nan), index=raw.index, name=col.name)
        return pd.Series(np.where(ok, num, np.nan), index=raw.index, name=col.name)
    if col.type == "bool":
        lower = text.str.lower()
        is_true = lower.isin(_TRUE).fillna(False).to_numpy(dtype=bool)
        is_false = lower.isin(_FALSE).fillna(False).to_numpy(dtype=bool)
        bad = ~(is_true | is_false) & present
        if bad.any():
            problems.add(col.name, "values that are not true/false", bad, show, col.expected())
        if missing.any():
            return pd.Series(np.where(missing, None, is_true), index=raw.index, name=col.name, dtype=object)
        return pd.Series(is_true, index=raw.index, name=col.name)
    if col.type in ("date", "datetime"):
        return _convert_dates(col, text, present, show, problems)
    trimmed = present & (text != raw.astype(object).where(present, None)).fillna(False).to_numpy(dtype=bool)
    if col.type == "category":
        allowed = {str(a) for a in col.allowed}
        bad = ~text.isin(allowed).fillna(False).to_numpy(dtype=bool) & present
        if bad.any():
            problems.add(col.name, "values outside the allowed list", bad, show, col.expected())
    else:  # an id
        blank = present & (text == "").fillna(False).to_numpy(dtype=bool)
        if blank.any():
            problems.add(col.name, "ids that are only spaces", blank, show, col.expected())
    # 'Q0004' + a zero-width space looks like 'Q0004' but is not
    hidden = present & text.str.contains(_INVISIBLE.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    if hidden.any():
        problems.add(col.name, "values holding invisible characters (control or zero-width)", hidden,
                     text.astype(object), col.expected() + ", without invisible characters")
    if trimmed.any():
        problems.trimmed[col.name] = int(trimmed.sum())
    return pd.Series(text.astype(object).where(present, None).to_numpy(), index=raw.index, name=col.name, dtype=object)


def _convert_dates(col: ColumnSpec, text: pd.Series, present: np.ndarray, show: pd.Series,
                   problems: _Problems) -> pd.Series:
    """Dates written in full as the dictionary declares them, inside its plausible range (vectorised)."""
    pattern = _DATE_TEXT if col.type == "date" else _DATETIME_TEXT
    form = text.str.fullmatch(pattern.pattern).fillna(False).to_numpy(dtype=bool)
    zone = np.zeros(len(text), bool)
    few = np.zeros(len(text), bool)
    if col.type == "datetime":
        zone = form & text.str.contains(r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$", regex=True).fillna(False).to_numpy(dtype=bool)
        if zone.any() and not zone[form].all():
            few = zone if zone.sum() <= (form & ~zone).sum() else form & ~zone
            problems.add(col.name, "timestamps with a time zone mixed with timestamps without one", few, show,
                         "every timestamp with a time zone (e.g. +08:00), or none")
            form &= ~few
    candidates = text.where(form, None).astype(object)
    parsed = pd.to_datetime(candidates, format="ISO8601", errors="coerce", utc=bool(zone.any()))
    bad = parsed.isna().to_numpy() & present & ~few
    if bad.any():
        problems.add(col.name, "values that are not valid dates", bad, show, col.expected())
    ok = parsed.notna().to_numpy()
    outside = np.zeros(len(text), bool)
    for bound, beyond in ((col.min, lambda p, b: p < b), (col.max, lambda p, b: p > b)):
        if bound is not None:
            limit = pd.Timestamp(str(bound))
            if parsed.dt.tz is not None:
                limit = limit.tz_localize(parsed.dt.tz)
            outside |= ok & beyond(parsed, limit).to_numpy()
    if outside.any():
        problems.add(col.name, "dates outside the plausible range", outside, show, col.expected())
    today = _today()
    if parsed.dt.tz is not None:
        today = today.tz_localize(parsed.dt.tz)
    limit = today if col.type == "date" else today + pd.Timedelta(days=1)
    future = ((parsed > limit) if col.type == "date" else (parsed >= limit)).to_numpy() & ok & ~outside
    if future.any():
        problems.add(col.name, "dates in the future", future, show,
                     f"a date no later than today ({today:%Y-%m-%d})")
    return parsed.rename(col.name)


def validate(frame: pd.DataFrame, dataset: str, table: str, errors: str = "raise") -> pd.DataFrame:
    """Check a table of text columns against the dictionary and return it typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read from a file, every cell a string or missing.
    dataset, table : str
        Which dictionary entry to check against.
    errors : {"raise", "exclude"}, default "raise"
        ``"raise"``: any problem raises. ``"exclude"``: rows with a bad value are left out
        and reported (see :func:`load`); problems of the whole table (a missing column, an
        empty required column, no rows) still raise.

    Returns
    -------
    pandas.DataFrame
        The same rows in the same order (minus excluded ones) with typed columns; unknown
        extra columns are kept as text and listed in ``attrs["extra_columns"]``; missing
        answers per nullable column in ``attrs["n_missing"]``; ``attrs["n_excluded"]``
        counts left-out rows and, under ``errors="exclude"``, ``attrs["excluded"]`` lists them;
        ``attrs["n_trimmed"]`` counts the ids and codes whose surrounding spaces were trimmed
        (see "Parsing rules" in the module docstring).

    Raises
    ------
    DataValidationError
        With every problem found (not only the first), each naming table, column,
        rows and what was expected.
    """
    return _validate(frame, dataset, table, errors=errors)


def _validate(frame: pd.DataFrame, dataset: str, table: str, errors: str = "raise",
              shown: pd.DataFrame | None = None, first_row: int | None = None,
              pre: list[dict] | tuple = (), expected: dict[str, str] | None = None) -> pd.DataFrame:
    if errors not in ERROR_POLICIES:
        raise ValueError(f"errors must be one of {ERROR_POLICIES}, got {errors!r}")
    spec = table_spec(dataset, table)
    shown = frame if shown is None else shown
    first_row = int(frame.attrs.get("first_row", 2)) if first_row is None else first_row
    found = _Problems(spec, first_row, expected)
    found.extend(list(pre))
    if len(frame) == 0:
        found.add(None, "the table has no rows", expected="at least one data row")
    absent = [c for c in spec.columns if c not in frame.columns]
    if absent:
        found.add(", ".join(absent), "missing required column(s)", expected="columns " + ", ".join(spec.columns))
    out = {}
    types = frame.attrs.get("types") or {}
    for name, col in spec.columns.items():
        if name in frame.columns:
            out[name] = _convert(col, frame[name], shown[name], found, types.get(name))
    for name, col in spec.columns.items():  # cross-column rules: a booking is made on or before check-in
        if col.not_after and name in out and col.not_after in out:
            later = (out[name] > out[col.not_after]).fillna(False).to_numpy(dtype=bool)
            if later.any():
                pair = shown[name].astype(str) + " > " + shown[col.not_after].astype(str)
                found.add(name, f"dates after {col.not_after} in the same row", later, pair,
                          f"{name} on or before {col.not_after}")
    key = [k for k in spec.key if k in frame.columns]
    has_key = bool(key) and len(key) == len(spec.key) and len(frame) > 0
    if has_key and errors == "raise":
        key_text = _key_text(out, key)
        dup = key_text.duplicated(keep=False).to_numpy()
        if dup.any():
            found.add(", ".join(key), "duplicate keys", dup, key_text, "each key once (compared after trimming spaces)")
    if spec.sum_to_100 and all(c in out for c in spec.sum_to_100):
        total = sum(out[c].astype("float64") for c in spec.sum_to_100)
        bad = (total.notna() & (total != 100)).to_numpy()
        if bad.any():
            found.add(" + ".join(spec.sum_to_100), "point allocations that do not add up to 100",
                      bad, total, "the five dimension weights to sum to 100")
    if errors == "raise" or found.table_level():
        if found.items:
            raise DataValidationError(found.problems)
        return _finish(frame, spec, out, None, found.trimmed)

    keep = ~found.bad_rows(len(frame))
    if has_key:  # duplicates among the valid rows: the first is kept, the others excluded
        kept = np.flatnonzero(keep)
        key_text = _key_text(out, key)
        keys = key_text.iloc[kept]
        repeated = keys.duplicated(keep="first").to_numpy()
        if repeated.any():
            first_of = pd.Series(kept, index=keys.to_numpy()).groupby(level=0).transform("first").to_numpy()
            dup = np.zeros(len(frame), bool)
            dup[kept[repeated]] = True
            reasons = {int(i): f"duplicate key: row {int(f) + first_row} has the same key and is kept"
                       for i, f in zip(kept[repeated], first_of[repeated], strict=True)}
            found.add(", ".join(key), "duplicate keys", dup, key_text, "each key once", reasons=reasons)
            keep &= ~dup
    if not found.items:
        return _finish(frame, spec, out, _no_exclusions(), found.trimmed)
    if not keep.any():
        found.add(None, "every row has a problem: nothing is left after excluding them",
                  expected="at least one valid row")
        raise DataValidationError(found.problems)
    rows = np.flatnonzero(keep)
    typed = _validate(frame.iloc[rows].reset_index(drop=True), dataset, table, errors="raise")
    typed.attrs["excluded"] = found.report()
    typed.attrs["n_excluded"] = int(len(frame) - len(rows))
    return typed


def _key_text(columns: dict, key: list[str]) -> pd.Series:
    """The key of each row (trimmed, as validated) as one text ("a|b" for a two-column key)."""
    text = columns[key[0]].astype(str)
    for k in key[1:]:
        text = text + "|" + columns[k].astype(str)
    return text


def _finish(frame: pd.DataFrame, spec: TableSpec, out: dict, excluded: ExcludedRows | None,
            trimmed: dict[str, int] | None = None) -> pd.DataFrame:
    extra = [c for c in frame.columns if c not in spec.columns]
    typed = pd.DataFrame(out, index=frame.index)
    for c in extra:
        typed[c] = frame[c]
    typed.attrs["dataset"] = spec.world
    typed.attrs["table"] = spec.name
    typed.attrs["extra_columns"] = extra
    typed.attrs["n_missing"] = {c: int(n) for c, n in typed[list(out)].isna().sum().items()
                                if n and spec.columns[c].nullable}
    if excluded is not None:  # only under errors="exclude": a DataFrame in attrs stops to_parquet
        typed.attrs["excluded"] = excluded
    typed.attrs["n_excluded"] = 0
    typed.attrs["n_trimmed"] = dict(trimmed or {})  # ids and codes whose surrounding spaces were trimmed
    return typed


# --------------------------------------------------------------------------- your own folder

def _resolve(dataset: str, data_dir, mapping) -> tuple[Path, Mapping | None]:
    """The data folder and the mapping that applies to it (explicit, or ``mapping.yml`` in the folder)."""
    if isinstance(mapping, Mapping):
        folder = Path(data_dir) if data_dir is not None else (mapping.path.parent if mapping.path else Path.cwd())
        if mapping.dataset is not None and mapping.dataset != dataset:
            raise MappingError(f"{mapping.path or 'the mapping'} is written for the {mapping.dataset} dataset, "
                               f"but it is used with {dataset}")
        return folder, mapping
    if mapping is not None:
        folder = Path(data_dir) if data_dir is not None else Path(mapping).parent
        return folder, load_mapping(mapping, dataset)
    if data_dir is None:
        return sample_dir(dataset), None
    folder = Path(data_dir)
    found = find_mapping(folder)
    return folder, (load_mapping(found, dataset) if found else None)


def _locate(folder: Path, table: str, entry: TableMapping | None, mapping: Mapping | None) -> Path:
    if entry is not None and entry.file:
        path = folder / entry.file
        if not path.exists():
            raise FileNotFoundError(f"no file for table {table!r}: {mapping.path or 'the mapping'} names "
                                    f"{entry.file!r}, but {path} does not exist")
        return path
    return _find_file(folder, table, mapping.path if mapping else None)


def _read_mapped(dataset: str, table: str, folder: Path, mapping: Mapping | None):
    """(mapped text, the file's values, table-level mapping problems, table mapping, path)."""
    spec = table_spec(dataset, table)
    entry = mapping.tables.get(table) if mapping else None
    path = _locate(folder, table, entry, mapping)
    raw = _read_raw(path, entry)
    mapped, shown, pre = apply_mapping(raw, entry, spec)
    return mapped, shown, pre, entry, path


def _expected(entry: TableMapping | None) -> dict[str, str]:
    """Expected-value wording for columns whose dates the mapping reads with a format."""
    if entry is None:
        return {}
    return {col: f"a date written {fmt} (formats: in the mapping) or YYYY-MM-DD"
            for col, fmt in entry.formats.items()}


def provided_tables(dataset: str, data_dir: str | Path | None = None, mapping=None) -> list[str]:
    """Tables of ``dataset`` that have a file in the folder (by the mapping, or named ``<table>.csv|.xlsx|.parquet``)."""
    folder, found = _resolve(dataset, data_dir, mapping)
    out = []
    for name in dictionary(dataset)["tables"]:
        entry = found.tables.get(name) if found else None
        if entry is not None and entry.file:
            out.append(name)
        elif any((folder / f"{name}{s}").exists() for s in readers.SUFFIXES):
            out.append(name)
    return out


def load(dataset: str, table: str, data_dir: str | Path | None = None, *, errors: str | None = None,
         mapping: str | Path | Mapping | None = None) -> pd.DataFrame:
    """Load one table of a world, validated against its data dictionary.

    Parameters
    ----------
    dataset : {"hotel", "ecommerce"}
        Which world (and so which data dictionary).
    table : str
        Table name, e.g. ``"survey"``; see :func:`dictionary_frame`.
    data_dir : str or Path, optional
        Folder with your own files; ``None`` reads the committed sample data. The table
        is the file named in the folder's ``mapping.yml`` (see :mod:`cxlib.mapping`), else
        ``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet``.
    errors : {"raise", "exclude"}, optional
        What to do with invalid rows. ``"raise"`` (the default when neither this nor the
        mapping says otherwise): any problem raises :class:`DataValidationError`.
        ``"exclude"``: rows with a bad value, and every repeat of a key after its first
        valid row, are removed *and reported*: ``attrs["excluded"]`` lists row number
        (as in a spreadsheet), column, value and reason; ``attrs["n_excluded"]`` counts
        the rows removed (0 under ``"raise"``, where ``attrs`` has no ``excluded``: a
        DataFrame in ``attrs`` stops ``to_parquet``; drop it first with
        ``frame.attrs.pop("excluded")``). Problems of the whole table (missing column, empty required
        column, no rows, no valid row) still raise. Overrides the mapping's ``errors:``.
    mapping : str, Path or Mapping, optional
        A mapping file to use instead of ``data_dir/mapping.yml``.

    Returns
    -------
    pandas.DataFrame
        Typed columns (see the module docstring); ``attrs``: ``source`` (the file read),
        ``extra_columns``, ``n_missing`` (missing answers per nullable column),
        ``excluded`` and ``n_excluded``.

    Raises
    ------
    FileNotFoundError
        When the folder has no file for the table.
    cxlib.readers.ReadError
        When the file cannot be read (encoding, merged header cells, empty file).
    cxlib.mapping.MappingError
        When the mapping file is wrong (unknown column, a column mapped twice, …).
    DataValidationError
        When the file does not match the dictionary (see :func:`validate`).

    Examples
    --------
    >>> survey = load("hotel", "survey")
    >>> int(survey["nps"].between(0, 10).sum()) > 0
    True
    """
    table_spec(dataset, table)  # unknown dataset or table: say so before looking for files
    if errors is not None and errors not in ERROR_POLICIES:
        raise ValueError(f"errors must be one of {ERROR_POLICIES}, got {errors!r}")
    folder, found = _resolve(dataset, data_dir, mapping)
    mapped, shown, pre, entry, path = _read_mapped(dataset, table, folder, found)
    policy = errors or (entry.errors if entry else None) or "raise"
    try:
        typed = _validate(mapped, dataset, table, errors=policy, shown=shown, pre=pre, expected=_expected(entry))
    except DataValidationError as err:  # the message names the file too
        raise DataValidationError(err.problems, source=str(path)) from None
    typed.attrs["source"] = str(path)
    if found is not None and found.path is not None:
        typed.attrs["mapping"] = str(found.path)
    return typed


def load_all(dataset: str, data_dir: str | Path | None = None, *, errors: str | None = None,
             mapping: str | Path | Mapping | None = None, skip_missing: bool = False) -> dict[str, pd.DataFrame]:
    """Every table of a world, as :func:`load` gives them (``skip_missing``: only the tables provided)."""
    names = provided_tables(dataset, data_dir, mapping) if skip_missing else dictionary(dataset)["tables"]
    return {name: load(dataset, name, data_dir, errors=errors, mapping=mapping) for name in names}


def overview(dataset: str, data_dir: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """One row per table: title, X-data or O-data, rows and columns (for the welcome lesson).

    With your own ``data_dir``, tables you have not provided show missing rows and
    columns and are listed in ``attrs["not_provided"]``.
    """
    frames = load_all(dataset, data_dir, skip_missing=data_dir is not None)
    rows = []
    for name in dictionary(dataset)["tables"]:
        spec = table_spec(dataset, name)
        frame = frames.get(name)
        rows.append(
            {
                "table": name,
                "title": spec.title_zh if lang == "zh" else spec.title_en,
                "kind": spec.kind,
                "rows": len(frame) if frame is not None else pd.NA,
                "columns": frame.shape[1] if frame is not None else pd.NA,
            }
        )
    out = pd.DataFrame(rows)
    missing = [name for name in dictionary(dataset)["tables"] if name not in frames]
    if missing:
        out[["rows", "columns"]] = out[["rows", "columns"]].astype("Int64")
    out.attrs["not_provided"] = missing
    return out


# --------------------------------------------------------------------------- cxwb check

_LOAD_CALL = re.compile(r"""\bload\(\s*\w+\s*,\s*["'](\w+)["']|\btable\s*=\s*["'](\w+)["']""")
_REQUIRE_CALL = re.compile(r"""\brequire\(([^)]*)\)""")
_AVAILABLE_CALL = re.compile(r"""\b(?:available|missing)\(\s*["'](\w+)["']""")
# The lesson frames of cxlib.lessons that read whole roles: the roles each needs, and those it reads when
# the data have them.
_FRAME_ROLES = {
    "review_frame": (("reviews",), ("survey",)),                          # lesson 08
    "value_frame": (("transactions", "survey"), ("customers",)),          # lesson 06
    "heart_frame": (("events", "releases", "survey"), ()),                # lesson 07
    "complaint_frame": (("complaints", "survey", "transactions"), ()),    # lesson 11
    "outcome_frame": (("survey",), ("outcomes", "transactions")),         # lesson 09: outcomes, else transactions
}
_ROLES_NAME = re.compile(r"""\b(\w+)\s*=\s*roles\.of\(""")
_QUOTED = re.compile(r"""["'](\w+)["']""")


def needed_tables(notebook: str | Path, dataset: str, optional: bool = False) -> set[str]:
    """Tables of ``dataset`` that a notebook reads, found in its code.

    Required tables come from ``datasets.load(dataset, "survey", …)`` literals,
    ``roles.of(…).require("kano")`` (the role's table, unless the code first asks
    ``available("kano")``) and ``lessons.survey_frame(…)`` (the survey role's
    table) and the other lesson frames (``value_frame``, ``heart_frame``, ``review_frame``,
    ``complaint_frame``: the tables of the roles each reads, ``_FRAME_ROLES``).
    With ``optional=True`` the tables a lesson uses only when present are
    added: those ``survey_frame`` joins segments from (the transactions and
    customers tables the survey links to), the outcomes and transactions tables
    ``lessons.outcome_frame(…)`` joins, and roles read as ``have.events`` or
    guarded by ``have.available("events")``.
    """
    from . import roles as roles_mod

    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c.get("cell_type") == "code")
    tables = set(dictionary(dataset)["tables"])
    if re.search(r"\bload_all\(", code):
        return tables
    have = roles_mod.of(dataset)

    def table_of(name: str) -> str | None:
        role = getattr(have, name, None) if name in roles_mod.ROLE_NAMES else None
        return role.table if role is not None else None

    guarded = set(_AVAILABLE_CALL.findall(code))
    asked = {n for args in _REQUIRE_CALL.findall(code) for n in _QUOTED.findall(args)}
    required = {a or b for a, b in _LOAD_CALL.findall(code)} | {table_of(n) for n in asked - guarded}
    used = guarded | (asked & guarded)
    for name in set(_ROLES_NAME.findall(code)) | {"roles.of"}:
        used |= set(re.findall(rf"\b{re.escape(name)}(?:\([^)]*\))?\.(\w+)\b", code))
    if re.search(r"\bsurvey_frame\(", code) and have.survey is not None:
        required.add(have.survey.table)
        owners = {r.table for r in (have.transactions, have.customers) if r is not None}
        used |= {r for r in ("transactions", "customers") if table_of(r) in
                 {k.to_table for k in have.links if k.from_table == have.survey.table} & owners}
    for frame, (needs, when_there) in _FRAME_ROLES.items():
        if re.search(rf"\b{frame}\(", code):
            required |= {table_of(n) for n in needs}
            used |= set(when_there)
    if optional:
        required |= {table_of(n) for n in used}
    return required & tables


def lessons_by_table(dataset: str, folder: str | Path | None = None) -> dict[str, list[str]]:
    """Table → the lesson notebooks (stems) that read it (required or, when present, optional)."""
    folder = Path(folder) if folder else Path(__file__).resolve().parent.parent / "notebooks"
    out: dict[str, list[str]] = {name: [] for name in dictionary(dataset)["tables"]}
    for nb in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []:
        for table in needed_tables(nb, dataset, optional=True):
            out[table].append(nb.stem)
    return out


@dataclass
class TableCheck:
    """What ``cxwb check`` found for one table."""

    table: str
    title: str
    provided: bool
    needed_by: list[str] = field(default_factory=list)
    source: str | None = None
    detail: str = ""
    rows: int | None = None
    problems: list[dict] = field(default_factory=list)
    n_missing: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    policy: str = "raise"
    n_excluded: int | None = None
    n_trimmed: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CheckReport:
    """Every table of a folder checked against the dictionary; :meth:`text` is what ``cxwb check`` prints."""

    dataset: str
    folder: Path
    mapping: Path | None
    tables: list[TableCheck] = field(default_factory=list)
    mapping_error: str | None = None
    unused_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.mapping_error is None and all(t.ok for t in self.tables)

    def text(self) -> str:
        """The readable report."""
        head = f"Checking {self.folder} against the {self.dataset} data dictionary"
        head += f" (mapping: {self.mapping})" if self.mapping else " (no mapping.yml: file and column names as in the dictionary)"
        lines = [head, ""]
        if self.mapping_error:
            lines += ["The mapping file is wrong:", "  " + self.mapping_error, "", "Result: fix the mapping first."]
            return "\n".join(lines)
        provided = [t for t in self.tables if t.provided]
        for t in provided:
            lines.append(f"{t.table} · {t.title}")
            size = f", {t.rows} data rows" if t.rows is not None else ""
            lines.append(f"  file: {t.source}{t.detail}{size}")
            if t.ok:
                lines.append("  ok")
            else:
                lines.append(f"  {len(t.problems)} problem{'s' if len(t.problems) != 1 else ''}:")
                lines += ["  - " + describe_problem(p) for p in t.problems]
                if t.policy == "exclude" and t.n_excluded is not None:
                    lines.append(f"  errors: exclude is set: loading leaves out {t.n_excluded} row"
                                 f"{'s' if t.n_excluded != 1 else ''} and lists {'them' if t.n_excluded != 1 else 'it'}"
                                 " in frame.attrs['excluded']")
            if t.n_missing:
                lines.append("  missing answers (allowed here, counted by the analyses): "
                             + ", ".join(f"{c} {n}" for c, n in t.n_missing.items()))
            if t.extra_columns:
                lines.append("  extra columns (kept, not in the dictionary): " + ", ".join(t.extra_columns))
            if t.n_trimmed:
                lines.append("  ids and codes with spaces at the ends (trimmed, then checked): "
                             + ", ".join(f"{c} {n}" for c, n in t.n_trimmed.items()))
            lines.append("")
        absent = [t for t in self.tables if not t.provided]
        if absent:
            lines.append("Not provided:")
            for t in absent:
                need = ("needed by " + ", ".join(t.needed_by)) if t.needed_by else "no lesson loads it yet"
                lines.append(f"  {t.table} · {t.title}: {need}")
            lines.append("")
        if self.unused_files:
            lines.append("Files not used for any table: " + ", ".join(self.unused_files))
            lines.append("")
        bad = [t.table for t in provided if not t.ok]
        excluding = [t for t in provided if not t.ok and t.policy == "exclude" and t.n_excluded is not None]
        if not provided:
            lines.append("Result: no table found: name files like <table>.csv, or map them in mapping.yml (cxwb map init).")
        elif bad and len(excluding) == len(bad):
            n = sum(t.n_excluded for t in excluding)
            lines.append(f"Result: problems in {len(bad)} of {len(provided)} table(s) ({', '.join(bad)}). The mapping "
                         f"excludes the {n} invalid row{'s' if n != 1 else ''} (errors: exclude): the lessons run on "
                         "the other rows and report the ones left out. Fix them at the source if you can.")
        elif bad:
            lines.append(f"Result: problems in {len(bad)} of {len(provided)} table(s) ({', '.join(bad)}). Fix the rows "
                         "named above, or set 'errors: exclude' for the table in mapping.yml to leave them out "
                         "(they are then listed when loading).")
        else:
            lines.append(f"Result: all {len(provided)} table(s) provided match the dictionary.")
        return "\n".join(lines)


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "gb18030": "GBK/GB18030"}


def _table_problem(table: str, message: str) -> dict:
    return {"table": table, "column": None, "message": message, "rows": None, "values": None, "count": None,
            "expected": None}


def check(dataset: str, data_dir: str | Path, mapping: str | Path | None = None, lang: str = "en",
          lessons: str | Path | None = None) -> CheckReport:
    """Validate every table present in a folder and collect what is wrong, without raising.

    Every problem of every table is listed (as :func:`load` with ``errors="raise"``
    would raise them); tables without a file are listed as not provided, with the
    lessons that need them (the lesson notebooks in ``lessons``; by default the source
    tree's ``notebooks/``, see :func:`lessons_by_table`). ``report.ok`` is False when
    anything is wrong.
    """
    dictionary(dataset)  # an unknown dataset is an error before anything is read
    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    report = CheckReport(dataset=dataset, folder=folder, mapping=None)
    try:
        folder, found = _resolve(dataset, folder, mapping)
    except MappingError as err:
        report.mapping = Path(mapping) if mapping else find_mapping(folder)
        report.mapping_error = str(err)
        return report
    report.mapping = found.path if found else None
    needs = lessons_by_table(dataset, lessons)
    provided = provided_tables(dataset, folder, found)
    used: set[str] = set()
    for name in dictionary(dataset)["tables"]:
        spec = table_spec(dataset, name)
        tc = TableCheck(table=name, title=f"{spec.title_en} / {spec.title_zh}", provided=name in provided,
                        needed_by=needs.get(name, []))
        report.tables.append(tc)
        if not tc.provided:
            continue
        entry = found.tables.get(name) if found else None
        tc.policy = (entry.errors if entry else None) or "raise"
        try:
            tc.source = _locate(folder, name, entry, found).name
            mapped, shown, pre, entry, path = _read_mapped(dataset, name, folder, found)
        except (OSError, readers.ReadError, MappingError, ValueError) as err:
            tc.source = tc.source or (entry.file if entry and entry.file else name)
            tc.problems = [_table_problem(name, str(err))]
            continue
        used.add(path.name)
        tc.source = path.name
        if mapped.attrs.get("sheet"):
            tc.detail += f", sheet {mapped.attrs['sheet']!r}"
        if mapped.attrs.get("encoding"):
            tc.detail += ", " + _ENCODING_NAMES.get(mapped.attrs["encoding"], mapped.attrs["encoding"])
        tc.rows = len(mapped)
        tc.extra_columns = [c for c in mapped.columns if c not in spec.columns]
        tc.n_missing = {c: int(mapped[c].isna().sum()) for c, col in spec.columns.items()
                        if col.nullable and c in mapped.columns and mapped[c].isna().any()}
        try:
            tc.n_trimmed = _validate(mapped, dataset, name, errors="raise", shown=shown, pre=pre,
                                     expected=_expected(entry)).attrs["n_trimmed"]
        except DataValidationError as err:
            tc.problems = err.problems
            if tc.policy == "exclude":
                try:
                    tc.n_excluded = _validate(mapped, dataset, name, errors="exclude", shown=shown, pre=pre,
                                              expected=_expected(entry)).attrs["n_excluded"]
                except DataValidationError:
                    tc.n_excluded = None
    suffixes = (*readers.SUFFIXES, ".tsv", ".xlsm", ".xls")
    report.unused_files = sorted(p.name for p in folder.iterdir()
                                 if p.is_file() and p.suffix.lower() in suffixes and p.name not in used)
    return report
