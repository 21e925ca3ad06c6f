"""Behaviour data to sufficient statistics: event logs and transaction logs, inside any engine.

Every function takes a table of any supported engine (:func:`cxlib.engine.lazy`), builds one
narwhals query of ``with_columns``, ``filter``, ``group_by`` with elementary aggregations
(``len``, ``sum``, ``min``, ``max``) and a ``min().over()`` window, and collects only the aggregate as a pandas
DataFrame for the math layer (:mod:`cxlib.stats.funnel`, :mod:`cxlib.stats.value`). Nothing is
computed per row in Python, so the same code runs on pandas, Polars, PyArrow, DuckDB (also over a
folder of Parquet files, :func:`cxlib.engine.scan_parquet`), Dask and PySpark.

What leaves the engine:

* funnels — sessions per group and *set of steps seen* (at most 2ᴷ rows per group for K steps),
  from which "closed" and "open" funnels and the sessions with an event at each step follow;
* step times — sessions per group, pair of steps and duration (integer microseconds), the exact
  distribution from which medians, quartiles and means follow;
* RFM — one row per customer: first and last period, distinct periods, the first period's sum
  and the later periods' sum;
* cohorts — customers per (first period, offset);
* before/after — sessions and converted sessions per group and side of a date;
* HEART — sessions and users per period and group, adopters per group.

Checks that need the rows (missing keys, unknown step names, a session on two platforms) are
counted in the same pass; only when a count is not zero does a second, filtered query fetch up
to five examples for the error message.

Periods are integer ordinals computed from the calendar fields every engine has (year, month,
day of the year, hour, …): days as 365 per whole year since 1970 plus the Gregorian leap days
and the day of the year, so consecutive periods differ by one on every engine and equal the
pandas ``Period`` ordinal differences.

References
----------
Dershowitz, N., & Reingold, E. M. (2018). *Calendrical Calculations* (4th ed.), ch. 2
(Gregorian calendar: fixed day numbers from year and day of year). Cambridge University Press.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import datetime
from functools import reduce

import narwhals as nw
import numpy as np
import pandas as pd

from ..engine import aggregation_frame, lazy
from ..engine import collect as _engine_collect
from ..errors import CXDataError, format_examples

__all__ = [
    "PERIOD_FREQS",
    "with_period",
    "with_epoch_us",
    "step_set_counts",
    "step_duration_counts",
    "session_frame",
    "customer_aggregates",
    "cohort_counts",
    "before_after_counts",
    "session_before_after_counts",
    "engagement_counts",
    "adoption_counts",
    "period_numbers",
    "checked_sessions",
]

#: Period frequencies the aggregation layer can number inside any engine (pandas aliases).
PERIOD_FREQS = ("D", "W-SUN", "M", "Q-DEC", "Y-DEC", "h", "min", "s")


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


def collect(frame) -> pd.DataFrame:
    """:func:`cxlib.engine.collect` with text columns in pandas' default string dtype, whatever
    the engine returned (Dask and Arrow-backed engines give ``string[pyarrow]`` with ``pd.NA``)."""
    out = _engine_collect(frame)
    for c in out.columns:
        if isinstance(out[c].dtype, pd.StringDtype) and out[c].dtype != pd.StringDtype(na_value=np.nan):
            out[c] = out[c].astype(pd.StringDtype(na_value=np.nan))
    return out


def _source(data) -> tuple[nw.LazyFrame, nw.LazyFrame]:
    """The lazy frame to aggregate (:func:`cxlib.engine.aggregation_frame`: DuckDB for a large
    pandas table), and the one to take error examples from (pandas itself, so error messages name
    the index labels)."""
    return aggregation_frame(data), lazy(data)


def _names(lf: nw.LazyFrame) -> list[str]:
    return list(lf.collect_schema().names())


def _require(lf: nw.LazyFrame, columns: Sequence[str], table: str) -> None:
    have = _names(lf)
    missing = [c for c in columns if c not in have]
    if missing:
        raise CXDataError(
            f"table '{table}': missing column(s) {missing}; the table has {have[:15]}"
            + (" …" if len(have) > 15 else "")
        )


def _any(exprs: list[nw.Expr]) -> nw.Expr:
    return reduce(operator.or_, exprs)


def _count(expr: nw.Expr, name: str) -> nw.Expr:
    """Rows where a boolean expression holds, as an integer column to be summed."""
    return expr.cast(nw.Int64).alias(name)


def _examples(lf: nw.LazyFrame, condition: nw.Expr, column: str) -> str:
    """Up to five offending rows for an error message: index labels and values for pandas input,
    the values otherwise (a lazy engine has no row labels)."""
    native = lf.to_native()
    if isinstance(native, pd.DataFrame):
        mask = collect(lf.select(condition.alias("_m")))["_m"].fillna(False).to_numpy(dtype=bool)
        return format_examples(list(native.index[mask]), native[column].to_numpy(dtype=object)[mask].tolist(),
                               label="index")
    rows = collect(lf.filter(condition).select(column).head(5))[column].tolist()
    return "e.g. " + ", ".join(repr(v) for v in rows)


def _check_missing(lf: nw.LazyFrame, counts: pd.Series, columns: Sequence[str], table: str) -> None:
    for c in columns:
        n = int(counts.get(f"_null_{c}", 0))
        if n:
            raise CXDataError(
                f"table '{table}', column '{c}': missing values — "
                f"{_examples(lf, nw.col(c).is_null(), c)}; expected a value in every row "
                "(fill them, e.g. with 'unknown', or filter those rows out first)"
            )


def _check_temporal(lf: nw.LazyFrame, column: str, table: str) -> None:
    dtype = lf.collect_schema()[column]
    if not (dtype == nw.Datetime or dtype == nw.Date):
        raise CXDataError(
            f"table '{table}', column '{column}': expected date-times (a datetime or date column), "
            f"got {dtype}; parse the column first (e.g. pandas.to_datetime, or CAST(... AS "
            "TIMESTAMP) in SQL)"
        )


# --------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------


def _floordiv(numerator: nw.Expr, divisor: int) -> nw.Expr:
    """⌊numerator / divisor⌋ as Int64, for whole numbers of magnitude below 2⁴⁰.

    narwhals spells ``//`` on SQL engines as a CASE expression (sign, remainder and type
    checks) that made the period number cost ten times the rest of a DuckDB scan; the
    floored float quotient is the same number: a whole numerator far below 2⁵³ divided by a
    small divisor is either exact or at least 1/divisor away from the next whole number,
    far more than the quotient's rounding error.
    """
    return (numerator / divisor).floor().cast(nw.Int64)


def with_period(lf: nw.LazyFrame, col: str, freq: str, name: str) -> nw.LazyFrame:
    """``lf`` with an Int64 column ``name``: the period number of ``freq`` of the datetime ``col``.

    Consecutive periods differ by one. Days come from the calendar fields year and day of the
    year (every engine has year, day of year, hour, … but not the same epoch functions): the
    days of the whole years since 1970, their leap days and the day of the year, in one
    expression so that query plans stay small.

    Parameters
    ----------
    lf : narwhals.LazyFrame
    col : str
        A datetime (or date) column; a time zone is ignored (wall-clock periods, as pandas'
        ``Period``).
    freq : str
        A canonical pandas period alias from :data:`PERIOD_FREQS`: days, weeks Monday–Sunday,
        months, quarters, years, hours, minutes, seconds.
    name : str
        Name of the new column.

    Returns
    -------
    narwhals.LazyFrame
        Ordinals equal to pandas ``Period.ordinal`` for ``D``, ``M``, ``h``, ``min``, ``s``,
        ``(days + 3) // 7`` for weeks, ``months // 3`` for quarters, ``year − 1970`` for years
        (differences equal ``Period`` differences in every case).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.engine import lazy, collect
    >>> df = pd.DataFrame({"t": pd.to_datetime(["1970-01-02", "2024-03-01"])})
    >>> collect(with_period(lazy(df), "t", "D", "d"))["d"].tolist()
    [1, 19783]
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq {freq!r}: periods inside an engine are one of {list(PERIOD_FREQS)}")
    t = nw.col(col).dt
    fields = {"_py": t.year()}
    if freq in ("M", "Q-DEC"):
        fields["_pm"] = t.month()
    if freq in ("D", "W-SUN", "h", "min", "s"):
        fields["_pdoy"] = t.ordinal_day()
    if freq in ("h", "min", "s"):
        fields.update(_ph=t.hour(), _pmi=t.minute(), _ps=t.second())
    lf = lf.with_columns(**{k: v.cast(nw.Int64) for k, v in fields.items()})
    temp = list(fields)
    y = nw.col("_py")
    if freq in ("M", "Q-DEC"):
        months = (y - 1970) * 12 + nw.col("_pm") - 1
        expr = months if freq == "M" else _floordiv(months, 3)
    elif freq == "Y-DEC":
        expr = y - 1970
    else:
        # days since 1970-01-01: whole years at 365 days, the leap days L(Y − 1) − L(1969) with
        # L(n) = ⌊n/4⌋ − ⌊n/100⌋ + ⌊n/400⌋ (proleptic Gregorian; L(1969) = 477), and the day of
        # the year; one expression over two columns, so that SQL engines, which inline each
        # step, evaluate the calendar fields only a few times per row
        days = ((y - 1970) * 365 + _floordiv(y - 1, 4) - _floordiv(y - 1, 100) + _floordiv(y - 1, 400) - 477
                + nw.col("_pdoy") - 1)
        if freq == "D":
            expr = days
        elif freq == "W-SUN":
            expr = _floordiv(days + 3, 7)
        else:
            hours = days * 24 + nw.col("_ph")
            minutes = hours * 60 + nw.col("_pmi")
            expr = {"h": hours, "min": minutes, "s": minutes * 60 + nw.col("_ps")}[freq]
    return lf.with_columns(expr.alias(name)).drop(*temp)


def with_epoch_us(lf: nw.LazyFrame, col: str, name: str) -> nw.LazyFrame:
    """``lf`` with ``name`` = microseconds since 1970-01-01 of the datetime ``col`` (wall clock).

    Built from :func:`with_period` in seconds plus the microsecond field, because not every
    engine can subtract two timestamps into a duration (Spark through narwhals cannot).
    """
    lf = with_period(lf, col, "s", "_eps")
    return lf.with_columns(
        (nw.col("_eps") * 1_000_000 + nw.col(col).dt.microsecond().cast(nw.Int64)).alias(name)
    ).drop("_eps")


def period_numbers(values, freq: str) -> np.ndarray:
    """Period numbers of :func:`with_period` for in-memory date-times (e.g. an observation end).

    Time zones are dropped (wall-clock time), as pandas ``Period`` does.

    Examples
    --------
    >>> period_numbers(["2024-03-01", "2024-03-04"], "W-SUN").tolist()
    [2826, 2827]
    """
    ts = pd.Series(pd.to_datetime(values))
    if ts.dt.tz is not None:
        ts = ts.dt.tz_localize(None)
    return datetime64_period_numbers(ts.to_numpy(), freq)


_NUMPY_UNITS = {"D": "D", "h": "h", "min": "m", "s": "s", "M": "M", "Y-DEC": "Y"}


def datetime64_period_numbers(dt64: np.ndarray, freq: str) -> np.ndarray:
    """The numbers of :func:`with_period` for a numpy ``datetime64`` array (wall clock), in numpy.

    Days, hours, minutes, seconds, months and years are numpy's own units since 1970 (pandas
    ``Period`` ordinals); weeks Monday–Sunday are ``(days + 3) // 7`` (1969-12-29, day −3, was a
    Monday); quarters ``months // 3``.

    Examples
    --------
    >>> datetime64_period_numbers(np.array(["2024-03-01", "2024-03-04"], dtype="datetime64[s]"), "W-SUN").tolist()
    [2826, 2827]
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq {freq!r}: periods are one of {list(PERIOD_FREQS)}")
    if freq in _NUMPY_UNITS:
        return dt64.astype(f"datetime64[{_NUMPY_UNITS[freq]}]").view("i8")
    if freq == "W-SUN":
        return (dt64.astype("datetime64[D]").view("i8") + 3) // 7
    return dt64.astype("datetime64[M]").view("i8") // 3  # Q-DEC


# --------------------------------------------------------------------------------------
# sessions: one row per session, lazily
# --------------------------------------------------------------------------------------


def session_frame(
    data,
    steps: Sequence[str],
    *,
    session: str = "session_id",
    step: str = "step",
    time: str | None = None,
    keep: Sequence[str] = (),
    flags: Sequence[str] = (),
    step_flags: Sequence[str] = (),
    allowed: Sequence[str] | None = None,
    table: str = "events",
    micros: bool = False,
) -> tuple[nw.LazyFrame, dict]:
    """A lazy one-row-per-session frame of an event log, and the counted problems.

    Columns: ``session``; for every step j ``_h{j}`` (1 if the session has an event of
    ``steps[j]``, else 0) and, with ``time``, ``_t{j}`` (time of its first such event) and
    ``_start`` (first event of any step); for every ``keep`` column its value (the minimum;
    ``_split`` counts sessions whose value changes); for every flag column ``f`` the maximum
    (``_f_{f}``) and for every step flag ``f`` and step j ``_f_{f}_{j}``; ``_nrows`` (events).

    The problems dict holds the counts of rows with missing ``session``/``step``/``time``/
    ``keep`` values and of step values outside ``allowed`` (default ``steps``; ``False``: any
    value). With ``micros`` the frame also has ``_u{j}``: the first time at step j in
    microseconds since 1970 (:func:`with_epoch_us`), for durations on any engine. Nothing is
    computed until the frame is collected.
    """
    lf, examples = _source(data)
    keep = list(keep)
    need = [session, step, *keep, *flags, *step_flags] + ([time] if time else [])
    _require(lf, list(dict.fromkeys(need)), table)
    if time:
        _check_temporal(lf, time, table)
    check_steps = allowed is not False
    allowed = list(steps if allowed is None or allowed is False else allowed)
    k = len(steps)
    if k > 62:
        raise ValueError(f"at most 62 steps, got {k}")
    if micros:
        lf = with_epoch_us(lf, time, "_us")
    st = nw.col(step)
    checked = list(dict.fromkeys([session, step, *keep] + ([time] if time else [])))
    info = {"source": examples, "session": session, "step": step, "keep": keep, "checked": checked,
            "allowed": allowed, "table": table}
    # missing values and unknown steps: one pass of counts over the rows (no hash table), so the
    # per-session state below stays as small as the analysis needs
    precheck = [c for c in checked if c != session]  # a missing session id is a group of its own, counted below
    totals = [nw.len().alias("_rows"), *[nw.col(c).count().alias(f"_count_{c}") for c in precheck]]
    if check_steps:
        totals.append(st.is_in(allowed).cast(nw.Int64).sum().alias("_known"))
    got = collect(lf.select(*totals)).iloc[0]
    rows = int(got["_rows"])
    counted = pd.Series({f"_null_{c}": rows - int(got[f"_count_{c}"]) for c in precheck})
    counted["_unknown"] = int(got[f"_count_{step}"]) - int(got["_known"]) if check_steps and rows else 0
    counted["_split"] = 0
    _raise_problems(counted, info, None)
    only_steps = not check_steps or set(allowed) == set(steps)
    cols = [(st == s).cast(nw.Int8).alias(f"_h{j}") for j, s in enumerate(steps)]
    if micros:
        cols += [nw.when(st == s).then(nw.col("_us")).alias(f"_u{j}") for j, s in enumerate(steps)]
    if time:
        cols += [nw.when(st == s).then(nw.col(time)).alias(f"_t{j}") for j, s in enumerate(steps)]
        if not only_steps:
            cols.append(nw.when(st.is_in(list(steps))).then(nw.col(time)).alias("_ts"))
    cols += [nw.col(f).cast(nw.Int64).alias(f"_f_{f}") for f in flags]
    for f in step_flags:
        cols += [(nw.col(f).cast(nw.Int64) * (st == s).cast(nw.Int64)).alias(f"_f_{f}_{j}")
                 for j, s in enumerate(steps)]
    aggs = [nw.col(f"_h{j}").max() for j in range(k)]
    if micros:
        aggs += [nw.col(f"_u{j}").min() for j in range(k)]
    if time:
        aggs += [nw.col(f"_t{j}").min() for j in range(k)]
        aggs.append((nw.col(time) if only_steps else nw.col("_ts")).min().alias("_start"))
    for c in keep:
        aggs += [nw.col(c).min().alias(c), nw.col(c).max().alias(f"_max_{c}")]
    aggs += [nw.col(f"_f_{f}").max() for f in flags]
    aggs += [nw.col(f"_f_{f}_{j}").max() for f in step_flags for j in range(k)]
    per = lf.with_columns(*cols).group_by(session).agg(*aggs)
    split = (_count(_any([nw.col(c) != nw.col(f"_max_{c}") for c in keep]), "_split") if keep
             else nw.lit(0).cast(nw.Int64).alias("_split"))
    per = per.with_columns(split, _count(nw.col(session).is_null(), "_nullkey"),
                           *[nw.col(f"_h{j}").cast(nw.Int64).alias(f"_h{j}") for j in range(k)])
    return per, info


def _problems(per: nw.LazyFrame, info: dict) -> pd.Series:
    """Sessions whose group values change (one query over the sessions); other problems were
    counted when the frame was built."""
    out = collect(per.select(nw.col("_split").sum(), nw.col("_nullkey").sum())).iloc[0]
    out["_unknown"] = 0
    out[f"_null_{info['session']}"] = out.pop("_nullkey")
    return out


def _raise_problems(totals: pd.Series, info: dict, per: nw.LazyFrame) -> None:
    table, lf = info["table"], info["source"]
    _check_missing(lf, totals, info["checked"], table)
    if int(totals["_unknown"]):
        step = info["step"]
        ex = _examples(lf, ~nw.col(step).is_in(info["allowed"]), step)
        raise CXDataError(
            f"table '{table}', column '{step}': unknown step values — {ex}; expected one of "
            f"{info['allowed']} (add them to steps or filter those events out)"
        )
    if int(totals["_split"]):
        keep, session = info["keep"], info["session"]
        split = per.filter(nw.col("_split") > 0).select(session).head(5)
        raise CXDataError(
            f"table '{table}': {int(totals['_split'])} session(s) change {keep} within the session, "
            f"e.g. {collect(split)[session].astype(str).tolist()}; expected one value per session"
        )


def checked_sessions(data, steps, **kwargs) -> nw.LazyFrame:
    """:func:`session_frame` after its counted problems were checked (raising on any)."""
    per, info = session_frame(data, steps, **kwargs)
    _raise_problems(_problems(per, info), info, per)
    return per


# --------------------------------------------------------------------------------------
# funnels
# --------------------------------------------------------------------------------------


def step_set_counts(
    data,
    steps: Sequence[str],
    *,
    by: Sequence[str] = (),
    session: str = "session_id",
    step: str = "step",
    allowed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sessions per group and set of funnel steps seen: the sufficient statistic of a funnel.

    Parameters
    ----------
    data : any supported table
        Event log, one row per event.
    steps : sequence of str
        Funnel steps in order (K ≤ 62).
    by : sequence of str
        Session-level group columns; a session whose value changes raises.
    session, step : str
        Column names.
    allowed : sequence of str, optional
        Step values that may occur (events of steps outside ``steps`` are ignored); any other
        value raises. Default: ``steps``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``mask`` (bit j set when the session has an event of ``steps[j]``;
        0 = only events of other allowed steps) and ``sessions``, sorted by group then mask.

    Raises
    ------
    CXDataError
        Missing columns or values, unknown step values, or sessions that change group.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b"], "step": ["cart", "order", "cart"]})
    >>> step_set_counts(ev, ["cart", "order"]).values.tolist()
    [[1, 1], [3, 1]]
    """
    by = list(by)
    per, info = session_frame(data, steps, session=session, step=step, keep=by, allowed=allowed)
    k = len(steps)
    mask = reduce(operator.add, [nw.col(f"_h{j}") * (1 << j) for j in range(k)])
    counted = (
        per.with_columns(mask.alias("mask"))
        .group_by(*by, "mask")
        .agg(nw.len().alias("sessions"), nw.col("_split").sum(), nw.col("_nullkey").sum())
    )
    out = collect(counted)
    _raise_problems(pd.Series({"_split": out["_split"].sum(), "_unknown": 0,
                               f"_null_{session}": out["_nullkey"].sum()}), info, per)
    out = out[[*by, "mask", "sessions"]].astype({"mask": "int64", "sessions": "int64"})
    return out.sort_values([*by, "mask"], kind="stable").reset_index(drop=True)


def step_duration_counts(
    data,
    steps: Sequence[str],
    *,
    by: Sequence[str] = (),
    session: str = "session_id",
    step: str = "step",
    time: str = "timestamp",
    allowed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sessions per group, consecutive pair of steps and duration between their first events.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``pair`` (0 … K−2: from ``steps[pair]`` to ``steps[pair + 1]``),
        ``microseconds`` (integer duration from the session's first event of the earlier step
        to its first event of the later one; negative = out of order) and ``sessions``.
        Sessions without both steps are not in it. The table is the exact distribution of
        the durations, so quantiles and means computed from it equal those of the raw values.
    """
    by = list(by)
    per = checked_sessions(data, steps, session=session, step=step, time=time, keep=by, allowed=allowed,
                           micros=True)
    m = len(steps) - 1
    pairs = [
        per.select(
            *by,
            nw.lit(j).cast(nw.Int64).alias("pair"),
            (nw.col(f"_u{j + 1}") - nw.col(f"_u{j}")).alias("microseconds"),
        )
        for j in range(m)
    ]
    long = nw.concat(pairs, how="vertical") if m > 1 else pairs[0]
    counted = long.filter(~nw.col("microseconds").is_null()).group_by(*by, "pair", "microseconds").agg(
        nw.len().alias("sessions"))
    out = collect(counted)
    out = out[[*by, "pair", "microseconds", "sessions"]].astype(
        {"pair": "int64", "microseconds": "int64", "sessions": "int64"})
    return out.sort_values([*by, "pair", "microseconds"], kind="stable").reset_index(drop=True)


def before_after_counts(
    data,
    release: datetime,
    step: str,
    next_step: str,
    *,
    by: Sequence[str] = (),
    session: str = "session_id",
    step_col: str = "step",
    time: str = "timestamp",
    window_days: int | None = None,
    allowed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sessions at ``step`` before/after a date and how many of them reached ``next_step``.

    The one rule: a session is *before* when its first event of ``step`` is earlier than
    ``release``, *after* otherwise; it *converts* when it has any event of ``next_step``. With
    ``window_days`` only sessions whose first ``step`` event lies in
    [release − window, release + window) count.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n_before``, ``converted_before``, ``n_after``, ``converted_after``
        (int64), one row per group, sorted; ``.attrs["first"]``/``["last"]`` hold the earliest and
        latest first-``step`` times.
    """
    by = list(by)
    per = checked_sessions(data, [step, next_step], session=session, step=step_col, time=time, keep=by,
                           allowed=False if allowed is None else allowed)
    return session_before_after_counts(per, release, time="_t0", converted="_h1", by=by, window_days=window_days)


def session_before_after_counts(
    sessions: nw.LazyFrame,
    release: datetime,
    *,
    time: str,
    converted: str,
    by: Sequence[str] = (),
    window_days: int | None = None,
) -> pd.DataFrame:
    """:func:`before_after_counts` on a one-row-per-session frame.

    ``time`` is the session's first time at the compared step (null: the session never reached
    it) and ``converted`` is 1 when it reached the next step, 0 otherwise.
    """
    by = list(by)
    at = sessions.filter(~nw.col(time).is_null())
    if window_days is not None:
        span = pd.Timedelta(days=int(window_days))
        at = at.filter((nw.col(time) >= (release - span).to_pydatetime()) & (nw.col(time) < (release + span).to_pydatetime()))
    at = at.with_columns(
        _count(nw.col(time) >= release.to_pydatetime(), "_after"),
        nw.col(converted).cast(nw.Int64).alias("_conv"),
    ).with_columns(
        (nw.col("_after") * nw.col("_conv")).alias("_conv_after"),
        ((1 - nw.col("_after")) * nw.col("_conv")).alias("_conv_before"),
    )
    aggs = [
        nw.len().alias("_n"),
        nw.col("_after").sum().alias("n_after"),
        nw.col("_conv_after").sum().alias("converted_after"),
        nw.col("_conv_before").sum().alias("converted_before"),
        nw.col(time).min().alias("_first"),
        nw.col(time).max().alias("_last"),
    ]
    out = collect(at.group_by(*by).agg(*aggs) if by else at.select(*aggs))
    if not by:
        out = out.fillna({"_n": 0, "n_after": 0, "converted_after": 0, "converted_before": 0})
    out["n_before"] = out["_n"] - out["n_after"]
    attrs = {"first": out["_first"].min() if len(out) else pd.NaT, "last": out["_last"].max() if len(out) else pd.NaT}
    cols = ["n_before", "converted_before", "n_after", "converted_after"]
    out = out[[*by, *cols]].astype(dict.fromkeys(cols, "int64"))
    out = out.sort_values(by, kind="stable").reset_index(drop=True) if by else out
    out.attrs.update(attrs)
    return out


# --------------------------------------------------------------------------------------
# transactions: RFM and cohorts
# --------------------------------------------------------------------------------------


def _transaction_checks(lf, customer, time, value, freq, *, exclude_negative, table):
    """One cheap pass — counts, minima, maxima — for missing values, bad amounts and the periods.

    Missing values are ``len − count``; negative or infinite amounts show in the minimum and
    maximum, and are only counted (a second pass) when there are some. Periods grow with time, so
    the first and last periods are those of the first and last time: scalars numbered in Python.
    """
    cols = [customer, time] + ([value] if value else [])
    exprs = [nw.len().alias("_rows"), *[nw.col(c).count().alias(f"_count_{c}") for c in cols]]
    t = nw.col(time)
    exprs += [t.min().alias("_tmin_all"), t.max().alias("_tmax_all")]
    if value:
        exprs += [nw.col(value).min().alias("_vmin"), nw.col(value).max().alias("_vmax")]
    out = collect(lf.select(*exprs)).iloc[0].copy()
    rows = int(out["_rows"])
    for c in cols:
        out[f"_null_{c}"] = rows - int(out[f"_count_{c}"])
    out["_negative"] = out["_inf"] = 0
    out["_tmin"], out["_tmax"] = out["_tmin_all"], out["_tmax_all"]
    if value and rows and int(out[f"_null_{value}"]) < rows:
        vmin, vmax = float(out["_vmin"]), float(out["_vmax"])
        if vmin < 0 or not np.isfinite(vmin) or not np.isfinite(vmax):
            neg = nw.col(value) < 0
            extra = [neg.cast(nw.Int64).sum().alias("_negative"),
                     (~nw.col(value).is_finite() & ~nw.col(value).is_null()).cast(nw.Int64).sum().alias("_inf")]
            if exclude_negative:
                extra += [nw.when(~neg).then(t).min().alias("_tmin"), nw.when(~neg).then(t).max().alias("_tmax")]
            second = collect(lf.select(*extra)).iloc[0]
            for k in second.index:
                out[k] = second[k]
    if rows and not pd.isna(out["_tmin_all"]):
        found = [c for c in ("_tmin", "_tmax", "_tmin_all", "_tmax_all") if not pd.isna(out[c])]
        numbers = period_numbers([out[c] for c in found], freq)
        for c, v in zip(found, numbers, strict=True):
            out["_p" + c[2:]] = int(v)
    return out


def customer_aggregates(
    data,
    customer: str,
    time: str,
    value: str | None = None,
    *,
    freq: str = "D",
    end_period: int | None = None,
    returns: str = "error",
    table: str = "transactions",
) -> pd.DataFrame:
    """Per-customer sufficient statistics of a transaction log (RFM).

    Parameters
    ----------
    data : any supported table
        One row per transaction; ``time`` a datetime (or date) column.
    customer, time, value : str
        Columns; ``value`` (amount) optional.
    freq : str
        Canonical period alias (:data:`PERIOD_FREQS`).
    end_period : int, optional
        Last period to use (rows after it are counted and left out); default the last period.
    returns : {"error", "net", "exclude"}
        Negative amounts raise, are kept, or are left out (also for the default end).

    Returns
    -------
    pandas.DataFrame
        Index: customer ids (sorted); columns ``first_period``, ``last_period``, ``n_periods``
        (int64) and, with ``value``, ``first_value`` (sum in the first period) and
        ``repeat_value`` (sum in the later periods). ``.attrs``:
        ``end_period``, ``n_transactions`` (rows used), ``n_after_end``, ``n_returns``,
        ``first_period_all`` (the first period of any row).
    """
    lf, examples = _source(data)
    _require(lf, [customer, time] + ([value] if value else []), table)
    _check_temporal(lf, time, table)
    exclude = bool(value) and returns == "exclude"
    chk = _transaction_checks(lf, customer, time, value, freq, exclude_negative=exclude, table=table)
    if int(chk["_rows"]) == 0:
        raise CXDataError(f"{table}: the table has no rows")
    _check_missing(examples, chk, [customer, time] + ([value] if value else []), table)
    n_neg = int(chk.get("_negative", 0)) if value else 0
    if value and int(chk["_inf"]):
        ex = _examples(examples, ~nw.col(value).is_finite(), value)
        raise CXDataError(f"column '{value}': infinite amounts — {ex}; expected finite numbers")
    if value and n_neg and returns == "error":
        ex = _examples(examples, nw.col(value) < 0, value)
        raise CXDataError(
            f"column '{value}': negative amounts (returns or refunds) — {ex}; "
            "expected amounts ≥ 0, or returns='net' (keep them, netted within their period) or "
            "returns='exclude' (drop those rows)"
        )
    if exclude and n_neg == int(chk["_rows"]):
        raise CXDataError(f"{table}: every row has a negative '{value}' and returns='exclude'")
    end = int(chk["_pmax"]) if end_period is None else int(end_period)
    if end < int(chk["_pmin_all"]):
        raise CXDataError(
            f"the observation end (period {end}) lies before the first transaction in column "
            f"'{time}' (period {int(chk['_pmin_all'])}); expected an end on or after it"
        )
    if _in_memory_rfm(data, customer, time):
        out = _customer_sums_in_memory(data, customer, time, value, freq, end, exclude)
    else:
        out = _customer_sums_query(lf, customer, time, value, freq, end, exclude, int(chk["_pmax_all"]))
    n_used = int(out.pop("_rows").sum())
    out = out.astype({"first_period": "int64", "last_period": "int64", "n_periods": "int64"})
    if value:
        out = out[["first_period", "last_period", "n_periods", "first_value", "repeat_value"]].astype(
            {"first_value": "float64", "repeat_value": "float64"})
    n_rows = int(chk["_rows"])
    out.attrs.update(end_period=end, n_transactions=n_used,
                     n_after_end=n_rows - n_used - (n_neg if exclude else 0), n_returns=n_neg,
                     first_period_all=int(chk["_pmin_all"]), last_period_all=int(chk["_pmax"]))
    return out


def _in_memory_rfm(data, customer: str, time: str) -> bool:
    """A pandas table with whole-number customer ids and datetime64 times: sorted in numpy."""
    return (isinstance(data, pd.DataFrame) and pd.api.types.is_integer_dtype(data[customer].dtype)
            and not isinstance(data[customer].dtype, pd.api.extensions.ExtensionDtype)
            and pd.api.types.is_datetime64_any_dtype(data[time].dtype))


#: Packed (customer, period) keys up to this size are sorted as one integer.
_PACK_LIMIT = 2**62


def _sorted_codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer codes 0…k−1 in sorted id order, and the sorted ids (as ``factorize(sort=True)``).

    Ids spanning a range not much larger than the row count (the usual dense customer numbers)
    are coded by counting instead of hashing, several times faster.
    """
    lo, hi = int(ids.min()), int(ids.max())
    if hi - lo < 4 * len(ids) + 1024:
        off = ids.astype(np.int64) - lo
        present = np.bincount(off, minlength=hi - lo + 1) > 0
        remap = np.cumsum(present) - 1
        return remap[off], (np.flatnonzero(present) + lo).astype(ids.dtype)
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def _customer_sums_in_memory(frame: pd.DataFrame, customer, time, value, freq, end, exclude) -> pd.DataFrame:
    """The per-customer sums of :func:`_customer_sums_query` for a pandas table, in numpy.

    One sort of an integer key (customer code in the high bits, period in the low bits) finds
    the distinct (customer, period) pairs; ``bincount`` gives the sums. On 10⁷ rows this is
    several times faster than a hash aggregation into ~10⁷ (customer, day) groups followed by
    a window, and keeps a few arrays of the rows' length (the frame was checked already).
    """
    ts = frame[time]
    if isinstance(ts.dtype, pd.DatetimeTZDtype):
        ts = ts.dt.tz_localize(None)
    per = datetime64_period_numbers(ts.to_numpy(), freq)
    ids = frame[customer].to_numpy()
    values = frame[value].to_numpy(dtype="float64") if value else None
    keep = per <= end
    if exclude:
        keep &= values >= 0
    if not keep.all():
        ids, per = ids[keep], per[keep]
        values = values[keep] if values is not None else None
    codes, uniques = _sorted_codes(ids)
    n_cust = len(uniques)
    pmin = int(per.min())
    span = int(per.max()) - pmin + 1
    rel = per - pmin
    del per
    bits = max(1, (span - 1).bit_length())
    if (n_cust << bits) < _PACK_LIMIT:
        # int32 keys when they fit: sorting half the bytes is about twice as fast
        kdt = np.int32 if (n_cust << bits) < 2**31 else np.int64
        key = codes.astype(kdt)
        key <<= bits
        key |= rel.astype(kdt, copy=False)
        key.sort()
        new = np.empty(len(key), dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        pairs = key[new]
        del key, new
        pair_cust = (pairs >> bits).astype(np.int64)
        pair_per = (pairs & ((1 << bits) - 1)).astype(np.int64)
        del pairs
    else:  # periods too fine to pack beside the customer: a two-key sort
        order = np.lexsort((rel, codes))
        c_s, p_s = codes[order], rel[order]
        new = np.empty(len(c_s), dtype=bool)
        new[0] = True
        new[1:] = (c_s[1:] != c_s[:-1]) | (p_s[1:] != p_s[:-1])
        pair_cust, pair_per = c_s[new], p_s[new]
        del order, c_s, p_s, new
    starts = np.flatnonzero(np.r_[True, pair_cust[1:] != pair_cust[:-1]])
    ends = np.r_[starts[1:], len(pair_cust)]
    first = pair_per[starts]
    out = {"first_period": first + pmin, "last_period": pair_per[ends - 1] + pmin,
           "n_periods": (ends - starts).astype(np.int64), "_rows": np.bincount(codes, minlength=n_cust)}
    if values is not None:
        first_vals = np.where(rel == first[codes], values, 0.0)
        out["first_value"] = np.bincount(codes, weights=first_vals, minlength=n_cust)
        out["repeat_value"] = np.bincount(codes, weights=values - first_vals, minlength=n_cust)
    return pd.DataFrame(out, index=pd.Index(uniques, name=customer))


def _customer_sums_query(lf, customer, time, value, freq, end, exclude, last_period) -> pd.DataFrame:
    """Per customer ``first_period``, ``last_period``, ``n_periods``, ``_rows`` and the first /
    later sums, as one query in the data's engine (sorted by customer)."""
    rows = with_period(lf, time, freq, "_p")
    if exclude:
        rows = rows.filter(nw.col(value) >= 0)
    if end < last_period:
        rows = rows.filter(nw.col("_p") <= end)
    cp = rows.group_by(customer, "_p").agg(*([nw.col(value).sum().alias("_v")] if value else []), nw.len().alias("_n"))
    # the customer's first period beside each of its periods: a window, not a self-join, so the
    # rows are scanned once
    marked = cp.with_columns(nw.col("_p").min().over(customer).alias("first_period")).with_columns(
        _count(nw.col("_p") == nw.col("first_period"), "_in_first")
    )
    if value:
        marked = marked.with_columns(
            (nw.col("_v") * nw.col("_in_first")).alias("_vf"),
            (nw.col("_v") * (1 - nw.col("_in_first"))).alias("_vr"),
        )
    cust = marked.group_by(customer).agg(
        nw.col("first_period").min(),
        nw.col("_p").max().alias("last_period"),
        nw.len().alias("n_periods"),
        nw.col("_n").sum().alias("_rows"),
        *([nw.col("_vf").sum().alias("first_value"), nw.col("_vr").sum().alias("repeat_value")] if value else []),
    )
    return collect(cust).set_index(customer).sort_index()


def cohort_counts(
    data,
    customer: str,
    time: str,
    *,
    freq: str = "M",
    end_period: int | None = None,
    table: str = "transactions",
) -> pd.DataFrame:
    """Customers per cohort (first active period) and offset (periods since it) with activity.

    Two queries: first the missing customers and times are counted (any raises, naming rows),
    then one grouping: the distinct customer × period pairs, the customer's first period by a
    window, then (cohort, offset).

    Returns
    -------
    pandas.DataFrame
        ``cohort`` (period number of the first activity), ``offset`` (0, 1, …) and
        ``customers`` (int64), sorted; ``.attrs["end_period"]`` (default the last active period).
    """
    lf, examples = _source(data)
    _require(lf, [customer, time], table)
    _check_temporal(lf, time, table)
    rows = with_period(lf, time, freq, "_p")
    if end_period is not None:
        rows = rows.filter((nw.col("_p") <= int(end_period)) | nw.col("_p").is_null())
    # Missing customers or times first, in a query of their own: two null counts stream through the
    # scan, and the grouping below then carries no bookkeeping per (customer, period) pair.
    nulls = collect(lf.select(*(nw.col(c).is_null().cast(nw.Int64).sum().alias(f"_null_{c}") for c in (customer, time))))
    _check_missing(examples, nulls.iloc[0], [customer, time], table)
    cp = rows.select(customer, "_p").unique(subset=[customer, "_p"])  # the distinct (customer, period) pairs: no count is needed
    counted = (
        cp.with_columns(nw.col("_p").min().over(customer).alias("cohort"))
        .with_columns((nw.col("_p") - nw.col("cohort")).alias("offset"))
        .group_by("cohort", "offset")
        .agg(nw.len().alias("customers"))
    )
    out = collect(counted)
    if len(out) == 0:
        if end_period is not None and int(collect(lf.select(nw.len())).iloc[0, 0]):
            raise CXDataError(f"the observation end (period {end_period}) lies before the first row of column "
                              f"'{time}'")
        raise CXDataError(f"{table}: the table has no rows")
    out = out[["cohort", "offset", "customers"]].astype("int64").sort_values(["cohort", "offset"]).reset_index(drop=True)
    end = int((out["cohort"] + out["offset"]).max()) if end_period is None else int(end_period)
    out.attrs.update(end_period=end)
    return out


# --------------------------------------------------------------------------------------
# HEART: engagement and adoption on a one-row-per-session frame
# --------------------------------------------------------------------------------------


def engagement_counts(sessions: nw.LazyFrame, *, user: str, start: str, freq: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Active users and sessions per period (of the session start) and group.

    ``sessions`` is one row per session (``user``, ``start`` and the ``by`` columns), e.g.
    from :func:`session_frame`. Returns ``period`` (number), the ``by`` columns, ``users``,
    ``sessions`` (int64), sorted.
    """
    by = list(by)
    per_user = (
        with_period(sessions, start, freq, "period")
        .group_by("period", *by, user)
        .agg(nw.len().alias("_s"))
    )
    counted = per_user.group_by("period", *by).agg(nw.len().alias("users"), nw.col("_s").sum().alias("sessions"))
    out = collect(counted)
    out = out.astype({"period": "int64", "users": "int64", "sessions": "int64"})
    return out.sort_values(["period", *by], kind="stable").reset_index(drop=True)


def adoption_counts(sessions: nw.LazyFrame, *, user: str, feature: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Active users and adopters (≥ 1 session with ``feature`` = 1) per group.

    ``sessions`` is one row per session already restricted to the window (and step) of
    interest. Returns the ``by`` columns, ``active_users``, ``adopters`` (int64), sorted.
    """
    by = list(by)
    per_user = sessions.group_by(*by, user).agg(nw.col(feature).max().alias("_a"))
    aggs = [nw.len().alias("active_users"), nw.col("_a").sum().alias("adopters")]
    out = collect(per_user.group_by(*by).agg(*aggs) if by else per_user.select(*aggs))
    out = out.astype({"active_users": "int64", "adopters": "int64"})
    return out.sort_values(by, kind="stable").reset_index(drop=True) if by else out
