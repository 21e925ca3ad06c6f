"""Input checks shared by every statistic: one place that decides what a valid score is.

Missing answers (NaN/None/pd.NA) are excluded and *counted*; anything else that
is not a number on the scale raises :class:`cxlib.errors.ScoreError` naming up to
five offending values with their positions. Nothing is coerced or clipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ScoreError, format_examples
from .errors import plain_value as _plain

__all__ = ["CleanScores", "clean_scores"]


@dataclass(frozen=True)
class CleanScores:
    """Valid scores as float64 plus how many missing answers were excluded."""

    values: np.ndarray
    n_missing: int


def _positions(values, mask: np.ndarray) -> list:
    idx = np.flatnonzero(mask)
    if isinstance(values, pd.Series):
        return list(values.index[idx[:5]]) + [None] * max(0, len(idx) - 5)
    return list(idx[:5]) + [None] * max(0, len(idx) - 5)


def _raise(name: str, what: str, values, mask: np.ndarray, raw: np.ndarray, expected: str):
    idx = np.flatnonzero(mask)
    label = "index" if isinstance(values, pd.Series) else "position"
    pos = _positions(values, mask)
    shown_vals = [_plain(raw[i]) for i in idx[:5]] + [None] * max(0, len(idx) - 5)
    raise ScoreError(
        f"{name}: {what} — {format_examples(pos, shown_vals, label=label)}; expected {expected}"
    )


def clean_scores(
    values,
    *,
    low: float,
    high: float,
    name: str = "scores",
    integer: bool = True,
) -> CleanScores:
    """Validate answers on a ``low``–``high`` scale and drop (and count) missing ones.

    Parameters
    ----------
    values : array-like or pandas.Series
        Answers. Numeric dtype, or object/string dtype holding numbers.
    low, high : float
        The scale's end points, inclusive.
    name : str
        How the error message refers to the input (a column name, say).
    integer : bool
        Whether answers must be whole numbers (true for every rating scale here).

    Returns
    -------
    CleanScores
        ``values`` (float64, missing removed, original order kept) and ``n_missing``.

    Raises
    ------
    ScoreError
        On non-numeric values, booleans, non-integers (when ``integer``) or values
        outside ``[low, high]``; the message names the values and their positions.
    """
    expected = f"{'whole numbers' if integer else 'numbers'} from {low:g} to {high:g} (or missing)"
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name}: expected one column of scores, got a DataFrame")
    series_like = values if isinstance(values, pd.Series) else None
    if series_like is not None and pd.api.types.is_bool_dtype(series_like.dtype):
        raw = series_like.to_numpy()
        _raise(name, "true/false values are not scores", values, np.ones(len(raw), bool), raw, expected)
    if series_like is not None and pd.api.types.is_numeric_dtype(series_like.dtype):
        arr = series_like.to_numpy(dtype="float64", na_value=np.nan)
        raw = arr
    else:
        raw = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if raw.ndim != 1:
            raw = raw.reshape(-1)
        if raw.dtype.kind in "fiu":
            arr = raw.astype("float64", copy=False)
        else:
            if raw.dtype.kind == "b":
                _raise(name, "true/false values are not scores", values, np.ones(len(raw), bool), raw, expected)
            obj = np.asarray(raw, dtype=object)
            is_bool = np.fromiter((isinstance(v, bool | np.bool_) for v in obj), bool, len(obj))
            if is_bool.any():
                _raise(name, "true/false values are not scores", values, is_bool, obj, expected)
            missing_in = pd.isna(obj)
            num = pd.to_numeric(pd.Series(obj, dtype=object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = np.isnan(num) & ~missing_in
            if bad.any():
                _raise(name, "non-numeric values", values, bad, obj, expected)
            arr = num
            raw = obj
    missing = np.isnan(arr)
    n_missing = int(missing.sum())
    finite = ~missing
    inf = np.isinf(arr)
    out = finite & ((arr < low) | (arr > high) | inf)
    if out.any():
        _raise(name, f"values outside the {low:g}–{high:g} scale", values, out, raw, expected)
    if integer:
        frac = finite & (arr != np.floor(arr))
        if frac.any():
            _raise(name, "values that are not whole numbers", values, frac, raw, expected)
    kept = arr[finite] if n_missing else arr
    return CleanScores(values=kept, n_missing=n_missing)


def require_columns(frame, columns, what: str, hint: str | None = None) -> None:
    """Raise unless ``frame`` is a DataFrame holding every column in ``columns``.

    The one check behind every function that takes a table: the message names the
    input (``what``), the missing columns and the columns the table does have, plus an
    optional ``hint`` (e.g. "pass the result of kano_table()").
    """
    from .errors import CXDataError

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        has = ", ".join(map(str, list(frame.columns)[:20])) + (" …" if frame.shape[1] > 20 else "")
        raise CXDataError(
            f"{what}: missing column(s) {', '.join(map(repr, missing))}; the table has {has}"
            + (f"; {hint}" if hint else "")
        )
