"""Survey rows → sufficient statistics, on any dataframe engine, optionally weighted.

Three aggregations serve every survey statistic of the workbook:

* :func:`answer_counts` — counts of each answer on a ``low…high`` scale per group (NPS, CSAT,
  CES, CSI, KANO shares): one ``GROUP BY by…, score`` query; the answers' validity is checked on
  the aggregate, so bad values are found without a second pass over the rows.
* :func:`moments` — ``(n, Σx, Σx²)`` per group and column (ratings, gaps, means), and with
  weights ``Σw, Σwx, Σwx², Σw², Σw²x, Σw²x²``.
* :func:`cross_moments` — pairwise-complete ``n``, ``Σxᵢ``, ``Σxᵢxⱼ`` (and weighted versions) for
  covariance and correlation matrices (Cronbach's α, key drivers).

Each accepts pandas, Polars, PyArrow, DuckDB, Dask or PySpark tables (:func:`cxlib.engine.lazy`)
and returns only the aggregate. With ``weights=`` the weighted sums are computed in the same
query, and Σw² is kept for Kish's effective sample size (see :mod:`cxlib.stats.moments`).

Weights must be finite and ≥ 0 on every row; a missing or negative weight is an error naming the
count, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import narwhals as nw
import numpy as np
import pandas as pd

from .. import engine
from .._validate import clean_scores
from ..errors import CXDataError, ScoreError, format_examples, plain_value

# narwhals is imported with the module (about 0.02 s after pandas): importing it inside each query
# function instead moved that cost into the first call, which then took 1.8× a first pandas groupby
# (benchmarks/bench_metrics.py), while the import of cxlib.metrics stays far under its 0.5 s target.

__all__ = ["AnswerCounts", "CrossMoments", "answer_counts", "moments", "cross_moments", "cross_moments_array",
           "as_list", "check_weight_array"]


def as_list(by) -> list:
    """``None`` → ``[]``, one name → ``[name]``, a sequence → a list."""
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]
    return list(by)


def _require(data, columns: Sequence, what: str) -> list[str]:
    names = engine.column_names(data)
    missing = [c for c in columns if c not in names]
    if missing:
        shown = ", ".join(map(repr, names[:20])) + (" …" if len(names) > 20 else "")
        raise CXDataError(f"{what}: missing column(s) {', '.join(map(repr, missing))}; the table has {shown}")
    return names


def _float(col: str) -> nw.Expr:
    """A column as Float64 with NaN turned into null, so every engine skips it the same way."""
    return nw.col(col).cast(nw.Float64).fill_nan(None)


def _check_weights(n_rows, n_weighted, w_min, sums, weights: str, what: str) -> None:
    n_bad = int(np.sum(np.asarray(n_rows) - np.asarray(n_weighted)))
    if n_bad:
        raise CXDataError(f"{what}: weights column {weights!r} has {n_bad} missing values; "
                          "expected a finite weight ≥ 0 on every row (drop or impute those rows first)")
    w_min = np.asarray(w_min, dtype=float)
    if w_min.size and np.nanmin(w_min) < 0:
        raise CXDataError(f"{what}: weights column {weights!r} has negative values (smallest "
                          f"{plain_value(np.nanmin(w_min))}); expected weights ≥ 0")
    if not np.all(np.isfinite(np.asarray(sums, dtype=float))):
        raise CXDataError(f"{what}: weights column {weights!r} has NaN or infinite values; "
                          "expected finite weights ≥ 0")


def check_weight_array(w: np.ndarray, weights_name: str = "weights", what: str = "weights") -> np.ndarray:
    """In-memory survey weights as float64, checked as every aggregation checks them.

    Raises
    ------
    CXDataError
        Missing, negative or non-finite weights, naming the column and how many.

    Examples
    --------
    >>> check_weight_array(np.array([1, 2.5])).tolist()
    [1.0, 2.5]
    """
    w = np.asarray(w, dtype="float64")
    _check_weights([w.size], [int(np.count_nonzero(~np.isnan(w)))], [np.nanmin(w) if w.size else 0.0],
                   [np.nansum(w)], weights_name, what)
    return w


# --------------------------------------------------------------------------- answer counts


@dataclass(frozen=True, eq=False)
class AnswerCounts:
    """Answer counts per group on a ``low…high`` scale.

    Attributes
    ----------
    keys : pandas.DataFrame
        One row per observed group (the ``by`` columns; one empty row without ``by``), sorted by
        the group values (categories in category order, missing group values last).
    values : numpy.ndarray
        The answers ``low…high``.
    counts : numpy.ndarray of int64, shape (groups, answers)
        Respondents per group and answer.
    missing : numpy.ndarray of int64
        Missing answers per group (excluded from ``counts``).
    weighted : numpy.ndarray or None
        Σw per group and answer (``weights=`` only).
    sum_w2 : numpy.ndarray or None
        Σw² over each group's valid answers (``weights=`` only), for Kish's n_eff.
    """

    keys: pd.DataFrame
    values: np.ndarray
    counts: np.ndarray
    missing: np.ndarray
    weighted: np.ndarray | None = None
    sum_w2: np.ndarray | None = None

    @property
    def n(self) -> np.ndarray:
        """Valid answers per group."""
        return self.counts.sum(1)

    def totals(self) -> np.ndarray:
        """Counts (or weighted counts when weighted) per group and answer, as float."""
        return (self.weighted if self.weighted is not None else self.counts).astype(float)


def _score_dtype_check(data, score: str, low, high) -> None:
    """Reject booleans; let pandas object columns fail with :func:`clean_scores`' message."""
    dtype = engine.lazy(data).collect_schema()[score]
    if dtype == nw.Boolean:
        raise ScoreError(f"{score}: true/false values; expected whole numbers from {low} to {high}")
    if isinstance(data, pd.DataFrame) and not pd.api.types.is_numeric_dtype(data[score].dtype):
        clean_scores(data[score], low=low, high=high, name=str(score))


def answer_counts(data, score: str, by=None, *, low: int, high: int, weights: str | None = None,
                  what: str = "answer_counts") -> AnswerCounts:
    """Count each answer ``low…high`` of ``score`` per group, in the data's own engine.

    Parameters
    ----------
    data : table
        Any engine supported by :func:`cxlib.engine.lazy`; one row per respondent.
    score : str
        Column of whole-number answers on ``low…high`` (missing answers are counted apart).
    by : str or list of str, optional
        Grouping columns; missing group values form their own group.
    low, high : int
        The scale's end points.
    weights : str, optional
        Column of survey weights (finite, ≥ 0 on every row).
    what : str
        Name used in error messages.

    Returns
    -------
    AnswerCounts

    Raises
    ------
    CXDataError
        Missing columns; missing, negative or non-finite weights.
    ScoreError
        Answers that are not whole numbers on the scale (for pandas input the message names the
        rows; for other engines the offending values and how often they occur).

    Notes
    -----
    One query: ``SELECT by…, score, COUNT(*), SUM(w), SUM(w²), COUNT(w), MIN(w) GROUP BY by…,
    score``. Its result has at most (groups × answers) rows, so checking and pivoting it costs
    nothing next to the scan. A large pandas table is counted by DuckDB in place
    (:func:`cxlib.engine.aggregation_frame`: no per-row key arrays, every core), once loading
    DuckDB has paid for itself (:data:`cxlib.engine.DUCKDB_LOAD_ROWS`); the counts are the same.

    Examples
    --------
    >>> df = pd.DataFrame({"seg": ["a", "a", "b"], "ltr": [10, 3, None]})
    >>> c = answer_counts(df, "ltr", "seg", low=0, high=10)
    >>> c.keys["seg"].tolist(), c.counts[:, [3, 10]].tolist(), c.missing.tolist()
    (['a', 'b'], [[1, 1], [0, 0]], [0, 1])
    """
    by = as_list(by)
    _require(data, [*by, score] + ([weights] if weights is not None else []), what)
    _score_dtype_check(data, score, low, high)
    lf = engine.aggregation_frame(data, [*by, score] + ([weights] if weights is not None else []),
                                  load_after=engine.DUCKDB_LOAD_ROWS)
    exprs = [nw.len().alias("_n")]
    if weights is not None:
        lf = lf.with_columns(_float(weights).alias("_w")).with_columns((nw.col("_w") * nw.col("_w")).alias("_w2"))
        exprs += [nw.col("_w").sum().alias("_sw"), nw.col("_w2").sum().alias("_sw2"),
                  nw.col("_w").count().alias("_wc"), nw.col("_w").min().alias("_wmin")]
    agg = engine.collect(lf.group_by([*by, score]).agg(*exprs), like=data)
    if weights is not None:
        _check_weights(agg["_n"], agg["_wc"], agg["_wmin"], agg["_sw"].fillna(0), weights, what)

    raw = agg[score]
    missing_key = raw.isna().to_numpy()
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(num) & (num == np.round(num)) & (num >= low) & (num <= high)
    bad = ~missing_key & ~ok
    if bad.any():
        if isinstance(data, pd.DataFrame):
            clean_scores(data[score], low=low, high=high, name=str(score))  # names the rows
        values = [plain_value(v) for v in raw[bad]]
        times = agg["_n"][bad].astype(int).tolist()
        raise ScoreError(
            f"{score}: {sum(times)} answers are not whole numbers from {low} to {high} — "
            f"{format_examples(values, times, label='value')} (value (rows))"
        )

    if by:
        gid = agg.groupby(by, sort=True, dropna=False, observed=True).ngroup().to_numpy()
        n_groups = int(gid.max()) + 1 if gid.size else 0
        first = pd.Series(np.arange(len(agg))).groupby(gid).first().to_numpy()
        keys = agg[by].iloc[first].reset_index(drop=True)
    else:
        gid = np.zeros(len(agg), dtype=np.intp)
        n_groups = 1
        keys = pd.DataFrame(index=pd.RangeIndex(1))
    k = high - low + 1
    answer = np.where(ok, num - low, 0).astype(np.intp)
    counts = np.zeros((n_groups, k), dtype=np.int64)
    n_rows = agg["_n"].to_numpy(dtype=np.int64)
    np.add.at(counts, (gid[ok], answer[ok]), n_rows[ok])
    missing = np.bincount(gid[missing_key], weights=n_rows[missing_key], minlength=n_groups).astype(np.int64)
    weighted = sum_w2 = None
    if weights is not None:
        weighted = np.zeros((n_groups, k), dtype=float)
        np.add.at(weighted, (gid[ok], answer[ok]), agg["_sw"].to_numpy(dtype=float)[ok])
        sum_w2 = np.bincount(gid[ok], weights=agg["_sw2"].to_numpy(dtype=float)[ok], minlength=n_groups)
    return AnswerCounts(keys=keys, values=np.arange(low, high + 1), counts=counts, missing=missing,
                        weighted=weighted, sum_w2=sum_w2)


# --------------------------------------------------------------------------- moments


MOMENT_COLUMNS = ("n", "sum_x", "sum_x2")
WEIGHTED_MOMENT_COLUMNS = ("sum_w", "sum_wx", "sum_wx2", "sum_w2", "sum_w2x", "sum_w2x2")


def moments(data, columns, by=None, *, weights: str | None = None, what: str = "moments") -> pd.DataFrame:
    """Moments ``(n, Σx, Σx²)`` of numeric columns per group, optionally weighted.

    Parameters
    ----------
    data : table
        Any engine supported by :func:`cxlib.engine.lazy`.
    columns : str or list of str
        Numeric columns; missing values (null or NaN) are skipped per column.
    by : str or list of str, optional
        Grouping columns (missing values form their own group).
    weights : str, optional
        Survey weights column (finite, ≥ 0 on every row).
    what : str
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per (group, column), groups sorted: the ``by`` columns, ``column``, ``n``,
        ``sum_x``, ``sum_x2``; with weights also ``sum_w``, ``sum_wx``, ``sum_wx2``, ``sum_w2``,
        ``sum_w2x``, ``sum_w2x2`` (each over the rows where that column is present).

    Notes
    -----
    One ``GROUP BY`` query over derived columns x², w·x, w·x², w², w²x, w²x² (computed with
    ``with_columns`` first: narwhals aggregates plain columns only). Pass the result to
    :func:`cxlib.stats.moments.mean_sd_from_moments` or ``weighted_mean_sd``.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [1.0, 3.0, 2.0]})
    >>> moments(df, "x", "g")[["g", "n", "sum_x", "sum_x2"]].values.tolist()
    [['a', 2, 4.0, 10.0], ['b', 1, 2.0, 4.0]]
    """
    by = as_list(by)
    columns = as_list(columns)
    _require(data, [*by, *columns] + ([weights] if weights is not None else []), what)
    lf = engine.lazy(data)
    derived, aggs = [], []
    w = nw.col("_w")
    if weights is not None:
        lf = lf.with_columns(_float(weights).alias("_w"))
        aggs += [nw.len().alias("_rows"), nw.col("_w").count().alias("_wc"), nw.col("_w").min().alias("_wmin"),
                 nw.col("_w").sum().alias("_wsum")]
    for i, c in enumerate(columns):
        x = nw.col(f"_x{i}")
        derived.append(_float(c).alias(f"_x{i}"))
        parts = {"n": None, "sum_x": x, "sum_x2": x * x}
        if weights is not None:
            present = nw.when(~x.is_null()).then(w)
            parts.update(sum_w=present, sum_wx=w * x, sum_wx2=w * x * x, sum_w2=present * w,
                         sum_w2x=w * w * x, sum_w2x2=w * w * x * x)
        lf = lf.with_columns(*derived[-1:])
        lf = lf.with_columns(*(e.alias(f"_{name}{i}") for name, e in parts.items() if e is not None))
        aggs.append(nw.col(f"_x{i}").count().alias(f"_n{i}"))
        aggs += [nw.col(f"_{name}{i}").sum().alias(f"_{name}{i}") for name, e in parts.items() if e is not None]
    query = lf.group_by(by).agg(*aggs) if by else lf.select(*aggs)
    agg = engine.collect(query)
    if weights is not None:
        _check_weights(agg["_rows"], agg["_wc"], agg["_wmin"], agg["_wsum"].fillna(0), weights, what)
    if by:
        agg = agg.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
    names = list(MOMENT_COLUMNS) + (list(WEIGHTED_MOMENT_COLUMNS) if weights is not None else [])
    pieces = []
    for i, c in enumerate(columns):
        part = agg[by].copy() if by else pd.DataFrame(index=agg.index)
        part["column"] = c
        for name in names:
            v = agg[f"_{name}{i}"]
            part[name] = v.astype("int64") if name == "n" else v.astype("float64").fillna(0.0)
        pieces.append(part)
    out = pd.concat(pieces, ignore_index=True)
    if by:  # group-major order: all columns of the first group, then the next
        order = np.argsort(np.tile(np.arange(len(agg)), len(columns)), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- cross moments


@dataclass(frozen=True, eq=False)
class CrossMoments:
    """Pairwise-complete sums for a covariance matrix of p columns.

    For each pair (i, j) over the rows where both columns are present (``w = 1`` unweighted):
    ``n[i, j]`` = Σw (unweighted: the number of rows), ``sum_x[i, j]`` = Σw·xᵢ,
    ``sum_xy[i, j]`` = Σw·xᵢ·xⱼ and, weighted only, ``sum_w2[i, j]`` = Σw². ``complete`` is True
    when no column has a missing value (every ``n[i, j]`` equal).
    """

    columns: list
    n: np.ndarray
    sum_x: np.ndarray
    sum_xy: np.ndarray
    sum_w2: np.ndarray | None
    complete: bool
    n_rows: int


def _eager_matrix(data, columns, weights):
    """Numeric matrix (and weights) of an in-memory table; None for lazy engines."""
    cols = list(columns) + ([weights] if weights is not None else [])
    try:
        if isinstance(data, pd.DataFrame):
            mat = data[cols].to_numpy(dtype="float64", na_value=np.nan)
        elif engine.is_lazy(data):
            return None
        else:
            frame = nw.from_native(data, eager_only=True) if not isinstance(data, nw.DataFrame) else data
            mat = frame.select(*cols).to_numpy().astype("float64", copy=False)
    except (TypeError, ValueError) as exc:
        raise CXDataError(f"columns {cols}: expected numeric columns ({exc})") from None
    if weights is not None:
        return mat[:, :-1], mat[:, -1]
    return mat, None


def cross_moments(data, columns, *, weights: str | None = None, what: str = "cross_moments") -> CrossMoments:
    """Pairwise-complete sufficient statistics of a covariance matrix, optionally weighted.

    Parameters
    ----------
    data : table
        Any engine supported by :func:`cxlib.engine.lazy`.
    columns : list of str
        Numeric columns (missing values allowed; each pair uses the rows where both are present).
    weights : str, optional
        Survey weights column (finite, ≥ 0 on every row).
    what : str
        Name used in error messages.

    Returns
    -------
    CrossMoments
        Pass ``n``, ``sum_x``, ``sum_xy`` (and ``sum_w2``) to
        :func:`cxlib.stats.moments.covariance_from_sums`.

    Notes
    -----
    In-memory tables (pandas, Polars, PyArrow) are reduced with matrix products on the values —
    with M the presence mask and X the values with missing set to 0, ``n = MᵀWM``,
    ``sum_x = XᵀWM``, ``sum_xy = XᵀWX`` (W = diag(w)) — which BLAS does at memory speed. Lazy
    engines (DuckDB, Dask, Spark, Polars lazy) get one aggregate query with the same sums per
    pair, computed where the data live.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, None, 5.0]})
    >>> cm = cross_moments(df, ["a", "b"])
    >>> cm.n.tolist(), cm.sum_x.tolist()
    ([[3.0, 2.0], [2.0, 2.0]], [[6.0, 4.0], [7.0, 7.0]])
    """
    columns = as_list(columns)
    _require(data, columns + ([weights] if weights is not None else []), what)
    eager = _eager_matrix(data, columns, weights)
    if eager is not None:
        return cross_moments_array(eager[0], eager[1], columns=columns, weights_name=weights, what=what)
    return _cross_moments_lazy(data, columns, weights, what)


def cross_moments_array(x: np.ndarray, w: np.ndarray | None = None, *, columns=None, weights_name="weights",
                        what: str = "cross_moments") -> CrossMoments:
    """:func:`cross_moments` of an in-memory float matrix (NaN = missing), by matrix products.

    Parameters
    ----------
    x : numpy.ndarray, shape (rows, p)
    w : numpy.ndarray, shape (rows,), optional
        Survey weights.
    columns : list, optional
        Column names (default ``0…p−1``).

    Returns
    -------
    CrossMoments

    Examples
    --------
    >>> cross_moments_array(np.array([[1.0, 2.0], [3.0, np.nan]])).n.tolist()
    [[2.0, 1.0], [1.0, 1.0]]
    """
    x = np.asarray(x, dtype="float64")
    p = x.shape[1]
    columns = list(columns) if columns is not None else list(range(p))
    n_rows = x.shape[0]
    nan = np.isnan(x)
    complete = not nan.any()
    if w is not None:
        w = check_weight_array(w, weights_name, what)
    if complete and w is None:
        s = x.sum(0)
        n = np.full((p, p), float(n_rows))
        return CrossMoments(columns, n, np.tile(s[:, None], (1, p)), x.T @ x, None, True, n_rows)
    if complete:  # weighted, no missing value: every pair has the same rows
        sw, sx = float(w.sum()), x.T @ w
        return CrossMoments(columns, np.full((p, p), sw), np.tile(sx[:, None], (1, p)), x.T @ (x * w[:, None]),
                            np.full((p, p), float(w @ w)), True, n_rows)
    m = (~nan).astype("float64")
    x0 = np.where(nan, 0.0, x)
    if w is None:
        return CrossMoments(columns, m.T @ m, x0.T @ m, x0.T @ x0, None, complete, n_rows)
    wm = m * w[:, None]
    return CrossMoments(columns, m.T @ wm, x0.T @ wm, x0.T @ (x0 * w[:, None]),
                        m.T @ (m * (w * w)[:, None]), complete, n_rows)


def _cross_moments_lazy(data, columns, weights, what) -> CrossMoments:
    """The same sums as one aggregate query, for engines that compute where the data live."""
    p = len(columns)
    lf = engine.lazy(data).with_columns(*(_float(c).alias(f"_x{i}") for i, c in enumerate(columns)))
    aggs = [nw.len().alias("_rows"), *(nw.col(f"_x{i}").count().alias(f"_c{i}") for i in range(p))]
    if weights is not None:
        lf = lf.with_columns(_float(weights).alias("_w"))
        aggs += [nw.col("_w").count().alias("_wc"), nw.col("_w").min().alias("_wmin"),
                 nw.col("_w").sum().alias("_wsum")]
    w = nw.col("_w") if weights is not None else None
    derived = []
    for i in range(p):
        xi = nw.col(f"_x{i}")
        for j in range(i, p):
            xj = nw.col(f"_x{j}")
            both = ~xi.is_null() & ~xj.is_null()
            unit = nw.when(both).then(w if w is not None else nw.lit(1.0))
            scale = w if w is not None else 1.0
            derived += [unit.alias(f"_n{i}_{j}"), (nw.when(both).then(xi) * scale).alias(f"_s{i}_{j}"),
                        (xi * xj * scale).alias(f"_p{i}_{j}")]
            if j != i:
                derived.append((nw.when(both).then(xj) * scale).alias(f"_s{j}_{i}"))
            if w is not None:
                derived.append(nw.when(both).then(w * w).alias(f"_q{i}_{j}"))
    lf = lf.with_columns(*derived)
    sums = [f"_n{i}_{j}" for i in range(p) for j in range(i, p)]
    sums += [f"_s{i}_{j}" for i in range(p) for j in range(p)]
    sums += [f"_p{i}_{j}" for i in range(p) for j in range(i, p)]
    if w is not None:
        sums += [f"_q{i}_{j}" for i in range(p) for j in range(i, p)]
    agg = engine.collect(lf.select(*aggs, *(nw.col(s).sum() for s in sums))).iloc[0]
    if weights is not None:
        _check_weights([agg["_rows"]], [agg["_wc"]], [agg["_wmin"]], [agg["_wsum"]], weights, what)

    def sym(prefix):
        out = np.zeros((p, p))
        for i in range(p):
            for j in range(i, p):
                v = agg[f"{prefix}{i}_{j}"]
                out[i, j] = out[j, i] = 0.0 if pd.isna(v) else float(v)
        return out

    n = sym("_n")
    sx = np.array([[0.0 if pd.isna(agg[f"_s{i}_{j}"]) else float(agg[f"_s{i}_{j}"]) for j in range(p)]
                   for i in range(p)])
    n_rows = int(agg["_rows"])
    complete = all(int(agg[f"_c{i}"]) == n_rows for i in range(p))
    return CrossMoments(columns, n, sx, sym("_p"), sym("_q") if w is not None else None, complete, n_rows)
