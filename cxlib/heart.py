"""HEART: Happiness, Engagement, Adoption, Retention and Task success of a product.

Google's HEART framework (Rodden, Hutchinson & Fu 2010) picks, per dimension, a
*goal* (what the product should achieve for its users), the *signals* in the logs or
surveys that show progress toward it, and the *metrics* computed from them
(:func:`heart_table`). This module computes the metrics on the e-commerce sample's
tables — the event log (sessions moving home → search → product → cart → checkout →
payment → order on app and web), the post-purchase survey and the feature releases —
and compares a funnel metric before and after a release (:func:`before_after`).

Every event-log function reduces the log, inside the log's own engine (pandas, Polars,
PyArrow, DuckDB, Dask or PySpark), to one row per session — reached steps, first time at
each step, errors, feature use: the sufficient statistics of all HEART metrics except
Happiness — and then to counts per group (:mod:`cxlib.aggregate.behaviour`); only the counts
leave the engine, and the math runs on them (:mod:`cxlib.stats`). :func:`sessions` returns
that one-row-per-session table for reading; the other functions also accept it. The charts
are in :mod:`cxlib.plotting.heart`.

Column names default to the sample data's; pass ``columns={"user": "uid", ...}`` to use
other names (keys: ``session``, ``user``, ``platform``, ``step``, ``time``, ``feature``,
``error``).

References
----------
Rodden, K., Hutchinson, H., & Fu, X. (2010). Measuring the user experience on a large
scale: User-centered metrics for web applications. *Proceedings of CHI 2010*, 2395–2398.

Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.),
ch. 6 (effect size h for proportions).

Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine*, 17, 873–890.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from functools import reduce

import numpy as np
import pandas as pd

from . import metrics
from .errors import CXDataError
from .i18n import check_lang, t
from .value import (
    _canonical_freq,
    _fail,
    _need_columns,
    _parse_datetimes,
    _period_start,
    cohort_retention,
)

__all__ = [
    "DIMENSIONS",
    "STEPS",
    "FUNNEL_METRICS",
    "heart_table",
    "sessions",
    "happiness",
    "engagement",
    "adoption",
    "retention",
    "task_success",
    "before_after",
    "EFFECT_SIZES",
    "effect_size_label",
    "adoption_denominators",
    "adoption_curve",
    "complete_periods",
    "engagement_change",
    "retention_summary",
    "happiness_wide",
    "release_contrast",
]

DIMENSIONS = ("happiness", "engagement", "adoption", "retention", "task_success")
STEPS = ("home", "search", "product", "cart", "checkout", "payment", "order")
DEFAULT_COLUMNS = {
    "session": "session_id",
    "user": "customer_id",
    "platform": "platform",
    "step": "step",
    "time": "timestamp",
    "feature": "one_click",
    "error": "error",
}
# metric name -> (step that starts the task, step that completes it)
FUNNEL_METRICS = {
    "checkout_completion": ("checkout", "order"),
    "payment_completion": ("payment", "order"),
    "cart_completion": ("cart", "order"),
    "conversion": ("home", "order"),
}

# (dimension, metric function) rows of the goals–signals–metrics table
_TABLE_ROWS = [
    ("happiness", "happiness"),
    ("engagement", "engagement"),
    ("adoption", "adoption"),
    ("retention", "retention"),
    ("task_success", "task_success"),
    ("task_success", "before_after"),
]


_PLOTS = ("plot_engagement", "plot_before_after", "plot_adoption_curve", "plot_heart_dashboard")


def __getattr__(name: str):
    """``heart.plot_*`` are the charts of :mod:`cxlib.plotting.heart`, imported on first use."""
    if name in _PLOTS:
        from .plotting import heart as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def heart_table(
    lang: str = "en",
    *,
    feature: str | None = None,
    task: tuple[str, str] | None = None,
    release_task: tuple[str, str] | None = None,
    days: int = 30,
) -> pd.DataFrame:
    """Goals → signals → metrics for each HEART dimension of a digital product, in ``lang``.

    Parameters
    ----------
    lang : {"en", "zh"}
    feature : str, optional
        The released feature's name in ``lang`` (the adoption and release rows name it);
        default a generic "the new feature".
    task : (str, str), optional
        Names (in ``lang``) of the steps that start and complete the core task, e.g.
        ``("Checkout", "Order")``; default generic words.
    release_task : (str, str), optional
        Names of the steps whose completion the release should change (default ``task``).
    days : int
        The adoption window named in the adoption metric.

    Returns
    -------
    DataFrame
        Columns ``dimension``, ``goal``, ``signal``, ``metric`` (texts in ``lang``, whole
        sentences: show them with :func:`cxlib.narrate.table`, which never cuts them) and
        ``function`` (the :mod:`cxlib.heart` function computing the metric); one row per
        metric, in HEART order.

    References
    ----------
    Rodden, Hutchinson & Fu (2010), CHI 2010, 2395–2398.

    Examples
    --------
    >>> heart_table("en")["dimension"].tolist()[:2]
    ['Happiness', 'Engagement']
    >>> heart_table("en", feature="Express pay", days=14)["metric"][2]
    'Share of active users who used Express pay within 14 days of its release'
    """
    check_lang(lang)
    feature = feature if feature is not None else t("heart.table.generic.feature", lang)
    start, end = task if task is not None else (t("heart.table.generic.start", lang), t("heart.table.generic.end", lang))
    r_start, r_end = release_task if release_task is not None else (start, end)
    words = {"feature": feature, "start": start, "end": end, "r_start": r_start, "r_end": r_end, "days": int(days)}
    rows = []
    for i, (dim, fn) in enumerate(_TABLE_ROWS):
        key = f"heart.table.{dim}" if i < 5 else "heart.table.task_success_release"
        rows.append({
            "dimension": t(f"heart.dim.{dim}", lang),
            "goal": t(f"{key}.goal", lang, **words),
            "signal": t(f"{key}.signal", lang, **words),
            "metric": t(f"{key}.metric", lang, **words),
            "function": f"cxlib.heart.{fn}",
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# session-level sufficient statistics
# --------------------------------------------------------------------------------------


def _columns(columns: Mapping | None) -> dict[str, str]:
    cols = dict(DEFAULT_COLUMNS)
    if columns:
        unknown = set(columns) - set(cols)
        if unknown:
            raise ValueError(f"columns: unknown key(s) {sorted(unknown)}; use {sorted(cols)}")
        cols.update(columns)
    return cols


def _flag(events: pd.DataFrame, col: str) -> np.ndarray:
    raw = events[col]
    if pd.api.types.is_bool_dtype(raw.dtype):
        vals = raw.to_numpy(dtype=object) if raw.hasnans else raw.to_numpy()
        if raw.hasnans:
            _fail(col, "missing true/false values", events.index, raw.isna().to_numpy(), expected="True or False")
        return vals.astype(bool)
    as_num = pd.to_numeric(raw, errors="coerce")
    bad = ~as_num.isin([0, 1]).to_numpy()
    if bad.any():
        _fail(col, "values that are not true/false", events.index, bad, raw.to_numpy(dtype=object), "True/False (or 1/0)")
    return as_num.to_numpy(dtype="float64") == 1


def _is_sessions_table(data) -> bool:
    """True for the output of :func:`sessions` (one row per session) rather than an event log."""
    from .engine import column_names

    cols = set(column_names(data))
    return {"start", "user"} <= cols and any(c.startswith("reached_") for c in cols)


def _pandas_events(events: pd.DataFrame, c: dict, steps) -> pd.DataFrame:
    """Row checks of a pandas event log whose errors name the index labels; times parsed."""
    if len(events) == 0:
        raise CXDataError("events: the table has no rows")
    for k in ("session", "user", "platform"):
        miss = events[c[k]].isna().to_numpy()
        if miss.any():
            _fail(c[k], f"missing {k} values", events.index, miss, expected=f"a {k} on every row")
    step = events[c["step"]]
    bad = ~step.isin(list(steps)).to_numpy()
    if bad.any():
        _fail(c["step"], "unknown funnel steps", events.index, bad, step.to_numpy(dtype=object), f"one of {list(steps)}")
    out = events
    times = events[c["time"]]
    if not pd.api.types.is_datetime64_any_dtype(times.dtype) or times.hasnans:
        out = out.assign(**{c["time"]: _parse_datetimes(times, c["time"], None)})
    for k in ("feature", "error"):
        if c[k] in events.columns:
            out = out.assign(**{c[k]: _flag(events, c[k])})
    return out


def _arrow_strings(column: pd.Series) -> pd.Series:
    """Text ids as pyarrow strings, the same values: pandas takes a session's min/max of these in
    compiled code, while it loops in Python over the groups of object or ``str`` columns (10× slower on
    the shop's 100,000 events). Other dtypes, and every column where pyarrow is not installed (the
    library-only install: slower, the same sessions), are returned as they are."""
    if pd.api.types.is_object_dtype(column.dtype) or isinstance(column.dtype, pd.StringDtype):
        try:
            import pyarrow as pa
        except ImportError:
            return column
        if pd.api.types.infer_dtype(column, skipna=True) == "string":
            return column.astype(pd.ArrowDtype(pa.string()))
    return column


def _split_sessions_message(events: pd.DataFrame, c: dict) -> None:
    """The error naming the rows of sessions logged with two users or platforms (error path only)."""
    codes = pd.factorize(events[c["session"]])[0]
    frame = pd.DataFrame({"s": codes, "u": events[c["user"]].to_numpy(), "p": events[c["platform"]].to_numpy()})
    for key, label in (("u", "user"), ("p", "platform")):
        nun = frame.groupby("s", sort=False)[key].nunique()
        split = set(nun.index[nun.to_numpy() > 1].tolist())
        if split:
            rows = frame["s"].isin(split).to_numpy()
            _fail(c[label], f"sessions logged with more than one {label}", events.index, rows,
                  events[c["session"]].to_numpy(dtype=object), f"one {label} per session")


def _session_level(data, columns: Mapping | None, steps: Sequence[str] = STEPS, *, micros: bool = False,
                   arrow_ids: bool = False):
    """A lazy one-row-per-session frame with the standard names, and its steps.

    Columns: the session id, ``user``, ``platform``, ``start``, ``reached_<s>`` (0/1),
    ``t_<s>``, with ``micros`` ``u_<s>`` (``t_<s>`` in microseconds since 1970) and, when the log
    has them, ``feature`` (0/1) and ``error_<s>``/``error`` (0/1).
    An event log of any engine is reduced inside its engine
    (:func:`cxlib.aggregate.behaviour.session_frame`); a :func:`sessions` table is used as is.
    """
    import narwhals as nw

    from .aggregate.behaviour import checked_sessions
    from .engine import column_names, lazy

    if _is_sessions_table(data):
        names = column_names(data)
        # the table's own steps: those it was built with, else its reached_<step> columns in order
        steps = tuple(getattr(data, "attrs", {}).get("steps", ())) or tuple(
            n.removeprefix("reached_") for n in names if n.startswith("reached_"))
        if micros and isinstance(data, pd.DataFrame):  # times in µs since 1970 (NaN: step not reached)
            epoch = {}
            for s in steps:
                if f"t_{s}" in names:
                    t_s = data[f"t_{s}"]
                    t_s = t_s.dt.tz_localize(None) if getattr(t_s.dt, "tz", None) is not None else t_s
                    epoch[f"u_{s}"] = (t_s - pd.Timestamp(0)).dt.total_seconds().round(6) * 1e6
            data = data.assign(**epoch)
            micros = False
        lf = lazy(data)
        casts = [nw.col(n).cast(nw.Int64) for n in names
                 if n.startswith(("reached_", "error")) or n == "feature"]
        lf = lf.with_columns(*casts)
        if micros:
            from .aggregate.behaviour import with_epoch_us

            for s in steps:
                if f"t_{s}" in names:
                    lf = with_epoch_us(lf, f"t_{s}", f"u_{s}")
        return lf, steps
    c = _columns(columns)
    need = [c[k] for k in ("session", "user", "platform", "step", "time")]
    have = column_names(data)
    missing = [n for n in need if n not in have]
    if missing:
        _need_columns(pd.DataFrame(columns=have), need, "events")
    events = _pandas_events(data, c, steps) if isinstance(data, pd.DataFrame) else data
    if arrow_ids and isinstance(events, pd.DataFrame):  # sessions() casts them back after collecting
        events = events.assign(**{c[k]: _arrow_strings(events[c[k]]) for k in ("user", "platform")})
    flags = [c["feature"]] if c["feature"] in have else []
    step_flags = [c["error"]] if c["error"] in have else []
    try:
        per = checked_sessions(events, list(steps), session=c["session"], step=c["step"], time=c["time"],
                               keep=[c["user"], c["platform"]], flags=flags, step_flags=step_flags,
                               allowed=list(steps), micros=micros)
    except CXDataError as exc:
        if isinstance(data, pd.DataFrame) and "within the session" in str(exc):
            _split_sessions_message(data, c)
        raise
    cols = [nw.col(c["session"]), nw.col(c["user"]).alias("user"), nw.col(c["platform"]).alias("platform"),
            nw.col("_start").alias("start")]
    for j, s in enumerate(steps):
        cols += [nw.col(f"_h{j}").alias(f"reached_{s}"), nw.col(f"_t{j}").alias(f"t_{s}")]
        if micros:
            cols.append(nw.col(f"_u{j}").alias(f"u_{s}"))
    if step_flags:
        errs = [nw.col(f"_f_{c['error']}_{j}") for j in range(len(steps))]
        cols += [e.alias(f"error_{s}") for e, s in zip(errs, steps, strict=True)]
        cols.append((reduce(operator.add, errs) > 0).cast(nw.Int64).alias("error"))
    if flags:
        cols.append(nw.col(f"_f_{c['feature']}").alias("feature"))
    return per.select(*cols), tuple(steps)


def sessions(
    events,
    steps: Sequence[str] = STEPS,
    *,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """One row per session: who, where, when, which steps it reached, errors and feature use.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        The event log (one row per step event).
    steps : sequence of str
        The funnel steps, in order; any other step value raises.
    columns : mapping, optional
        Other column names, see the module docstring.

    Returns
    -------
    DataFrame
        Index: session id. Columns ``user``, ``platform``, ``start`` (first event's time),
        for every step ``s``: ``reached_<s>`` (bool), ``t_<s>`` (first time at the step,
        NaT if not reached), ``error_<s>`` (an error at that step); ``error`` (any error),
        ``feature`` (the feature flag on any event). Sessions are sorted by start.

    Notes
    -----
    The other HEART functions do not need this table: they reduce the event log to the
    same one-row-per-session frame lazily, inside the log's engine, and only their counts
    leave it. Call this function to look at sessions.

    Raises
    ------
    CXDataError
        Missing columns, missing ids, unparseable times, unknown steps, non-boolean flags,
        or a session logged on two platforms — the message names the rows.
    """
    c = _columns(columns)
    from .aggregate.behaviour import collect

    if isinstance(events, pd.DataFrame) and _is_sessions_table(events):  # already one row per session
        return events.copy()
    lf, steps = _session_level(events, columns, steps, arrow_ids=True)
    out = collect(lf).set_index(c["session"])
    if isinstance(events, pd.DataFrame):  # the ids keep the log's own dtype (see _arrow_strings)
        out = out.astype({std: events[c[std]].dtype for std in ("user", "platform")})
    for col in out.columns:
        if col.startswith(("reached_", "error")) or col == "feature":
            out[col] = out[col].astype(bool)
    out = out.sort_values("start", kind="stable")
    out.attrs["steps"] = tuple(steps)
    return out


def _group_keys(columns, by) -> list:
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    missing = [b for b in keys if b not in columns]
    if missing:
        raise CXDataError(f"by: no column(s) {missing}; session columns are {list(columns)[:12]} …")
    return keys


def _grouped(frame: pd.DataFrame, keys: list):
    if keys:
        return frame.groupby(keys, sort=True, observed=True)
    return [((), frame)]


def _as_key_dict(keys: list, key) -> dict:
    if not keys:
        return {}
    key = key if isinstance(key, tuple) else (key,)
    return dict(zip(keys, key, strict=True))


def _when(ts: pd.Timestamp, start_dtype):
    """A Timestamp as the literal to compare with the session starts (time zone matched)."""
    tz = getattr(start_dtype, "time_zone", None)
    if tz is not None and ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    elif tz is None and ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.to_pydatetime()


# --------------------------------------------------------------------------------------
# Happiness
# --------------------------------------------------------------------------------------


def happiness(
    survey: pd.DataFrame,
    platform: str | None = "app",
    by: str | Sequence[str] | None = None,
    *,
    csat_col: str = "csat",
    nps_col: str = "nps",
    platform_col: str = "platform",
    conf: float = 0.95,
) -> pd.DataFrame:
    """Happiness: CSAT (top-2 share, Wilson CI) and NPS (points, Wald CI) of the product's users.

    Parameters
    ----------
    survey : DataFrame
        Post-purchase survey with ``csat`` (1–5) and ``nps`` (0–10, may be missing).
    platform : str or None
        Keep answers about this platform only (``"app"`` by default: HEART measures one
        product); None keeps all.
    by : str or list, optional
        Group columns (e.g. ``"platform"`` with ``platform=None``).

    Returns
    -------
    DataFrame
        One row per group and metric: group columns, ``metric`` (``csat`` or ``nps``),
        ``value`` (CSAT in percent, NPS in points), ``n``, ``ci_low``, ``ci_high``,
        ``n_missing``.

    Notes
    -----
    Computed with :func:`cxlib.metrics.csat` (share of 4–5 answers) and
    :func:`cxlib.metrics.nps` (100·(p₉₋₁₀ − p₀₋₆)); missing answers are excluded and counted.
    """
    _need_columns(survey, [csat_col, nps_col] + ([platform_col] if platform else []), "survey")
    data = survey
    if platform is not None:
        data = survey[survey[platform_col] == platform]
        if len(data) == 0:
            raise CXDataError(
                f"survey: no answers with {platform_col} == {platform!r}; values are "
                f"{sorted(survey[platform_col].dropna().unique().tolist())}"
            )
    keys = _group_keys(data, by)
    rows = []
    for key, g in _grouped(data, keys):
        base = _as_key_dict(keys, key)
        cs = metrics.csat(g[csat_col], conf=conf)
        rows.append({**base, "metric": "csat", "value": cs.csat, "n": cs.n, "ci_low": cs.ci_low,
                     "ci_high": cs.ci_high, "n_missing": cs.n_missing})
        npr = metrics.nps(g[nps_col], conf=conf)
        rows.append({**base, "metric": "nps", "value": npr.nps, "n": npr.n, "ci_low": npr.ci_low,
                     "ci_high": npr.ci_high, "n_missing": npr.n_missing})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Engagement, adoption, retention
# --------------------------------------------------------------------------------------


def engagement(
    events,
    freq: str = "W",
    by: str | Sequence[str] | None = None,
    *,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """Engagement: sessions per active user per period (week by default).

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log (or the output of :func:`sessions`).
    freq : str
        Period: ``"W"`` (Monday–Sunday weeks, default), ``"D"``, ``"M"``.
    by : str or list, optional
        Session columns to split by, e.g. ``"platform"``.

    Returns
    -------
    DataFrame
        One row per period (and group): ``period`` (pandas Period), group columns,
        ``users`` (active users: at least one session that period), ``sessions``,
        ``sessions_per_user`` = sessions / users.

    Notes
    -----
    A session belongs to the period of its first event. The first and last periods of a
    log may be partial; drop them before reading a trend. Users and sessions are counted
    inside the engine (:func:`cxlib.aggregate.behaviour.engagement_counts`).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["s1", "s2", "s3"], "customer_id": ["a", "a", "b"],
    ...     "platform": "app", "step": "home",
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"])})
    >>> engagement(ev)[["users", "sessions", "sessions_per_user"]].to_numpy().tolist()
    [[2.0, 3.0, 1.5]]
    """
    from .aggregate.behaviour import PERIOD_FREQS, engagement_counts

    freq = _canonical_freq(freq)
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r}: engagement periods are one of {list(PERIOD_FREQS)}")
    lf, _ = _session_level(events, columns)
    keys = _group_keys(lf.collect_schema().names(), by)
    out = engagement_counts(lf, user="user", start="start", freq=freq, by=keys)
    out["users"] = out["users"].astype("float64")
    out["sessions"] = out["sessions"].astype("float64")
    out["sessions_per_user"] = out["sessions"] / out["users"]
    out["period"] = [pd.Period(_period_start(p, freq), freq=freq) for p in out["period"]]
    return out


def _adoption_window(events, release_date, within_days: int, among_step: str | None, columns: Mapping | None):
    """The sessions starting in [release, release + ``within_days`` days) (that reached ``among_step``), lazily.

    Returns the filtered frame, its column names, the window's start and stop. Raises when the log
    has no feature flag or ``among_step`` is not one of its steps.
    """
    import narwhals as nw

    if not isinstance(within_days, int | np.integer) or isinstance(within_days, bool) or within_days < 1:
        raise ValueError(f"within_days must be a whole number ≥ 1, got {within_days!r}")
    lf, steps = _session_level(events, columns)
    schema = lf.collect_schema()
    if "feature" not in schema.names():
        raise CXDataError(f"events: no feature column {_columns(columns)['feature']!r}")
    start = pd.Timestamp(release_date)
    stop = start + pd.Timedelta(days=int(within_days))
    w = lf.filter((nw.col("start") >= _when(start, schema["start"])) & (nw.col("start") < _when(stop, schema["start"])))
    if among_step is not None:
        if f"reached_{among_step}" not in schema.names():
            raise ValueError(f"among_step must be one of the steps {list(steps)}")
        w = w.filter(nw.col(f"reached_{among_step}") == 1)
    return w, schema.names(), start, stop


def adoption(
    events,
    release_date,
    within_days: int = 30,
    by: str | Sequence[str] | None = None,
    *,
    among_step: str | None = None,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Adoption: share of active users who used the feature within ``within_days`` of release.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log with the feature flag (``one_click`` in the sample), or :func:`sessions`.
    release_date : date-like
        The feature's release date (``releases.release_date``).
    within_days : int
        Window length: sessions starting in [release, release + within_days days).
    by : str or list, optional
        Session columns to split by, e.g. ``"platform"`` (a user active on both platforms
        counts in both groups).
    among_step : str, optional
        Count only users who reached this step in the window (e.g. ``"payment"``: adoption
        among paying users); default all active users.

    Returns
    -------
    DataFrame
        One row per group: ``active_users``, ``adopters``, ``adoption`` (share 0–1),
        ``ci_low``, ``ci_high`` (Wilson).

    Notes
    -----
    adoption = |users with ≥ 1 session using the feature in the window| / |users with ≥ 1
    session (reaching ``among_step``) in the window|; users are counted inside the engine
    (:func:`cxlib.aggregate.behaviour.adoption_counts`), the interval is
    :func:`cxlib.stats.proportions.wilson_interval`.
    """

    from .aggregate.behaviour import adoption_counts
    from .stats.proportions import wilson_interval

    w, names, start, stop = _adoption_window(events, release_date, within_days, among_step, columns)
    keys = _group_keys(names, by)
    out = adoption_counts(w, user="user", feature="feature", by=keys)
    if len(out) == 0 or int(out["active_users"].sum()) == 0:
        raise CXDataError(f"events: no sessions between {start.date()} and {stop.date()} (exclusive)")
    lo, hi = wilson_interval(out["adopters"].to_numpy(), out["active_users"].to_numpy(), conf)
    out["adoption"] = out["adopters"] / out["active_users"]
    out["ci_low"] = lo
    out["ci_high"] = hi
    out.attrs.update(release_date=start, within_days=int(within_days))
    return out


def retention(
    events,
    weeks: int | Sequence[int] | None = None,
    *,
    observation_period_end=None,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """Retention: week-N retention of weekly cohorts of users (by first session).

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log (or :func:`sessions`).
    weeks : int or list of int, optional
        Keep only these week offsets (e.g. ``[1, 4]``); default all.

    Returns
    -------
    DataFrame
        :func:`cxlib.value.cohort_retention` with ``freq="W"`` on session starts: index
        cohort week, columns week offsets 0, 1, …, cells the share of the cohort with a
        session in that week (NaN where not observed yet).
    """
    from .stats.value import retention_average

    lf, _ = _session_level(events, columns)
    mat = cohort_retention(lf, "user", "start", freq="W", observation_period_end=observation_period_end)
    if weeks is not None:
        cols = [weeks] if isinstance(weeks, int | np.integer) else list(weeks)
        bad = [w for w in cols if w not in mat.columns]
        if bad:
            raise ValueError(f"weeks {bad} are beyond the data (offsets 0–{mat.columns.max()})")
        attrs = dict(mat.attrs)
        mat = mat[cols]
        mat.attrs.update(attrs)
        sizes = attrs["cohort_size"].to_numpy()
        mat.attrs["average"] = pd.Series(retention_average(mat.to_numpy(), sizes), index=mat.columns, name="average")
    return mat


# --------------------------------------------------------------------------------------
# Task success
# --------------------------------------------------------------------------------------


def _funnel_pair(metric) -> tuple[str, str]:
    if isinstance(metric, str):
        if metric not in FUNNEL_METRICS:
            raise ValueError(f"metric must be one of {list(FUNNEL_METRICS)} or a (start, end) step pair, got {metric!r}")
        return FUNNEL_METRICS[metric]
    start, end = metric
    return start, end


def _check_steps(names, steps, *wanted):
    for st in wanted:
        if f"reached_{st}" not in names:
            raise ValueError(f"unknown step {st!r}; steps are {list(steps)}")


def task_success(
    events,
    by: str | Sequence[str] | None = "platform",
    *,
    start_step: str | None = None,
    end_step: str | None = None,
    error_steps: Sequence[str] | None = None,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Task success of checking out: completion rate, time to complete and error rate.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log (or :func:`sessions`).
    by : str or list or None
        Split by these session columns (default ``"platform"``).
    start_step, end_step : str, optional
        The task starts when a session reaches ``start_step`` and succeeds when it reaches
        ``end_step``. Defaults: the third-last and the last of the log's steps (the shop's
        checkout → order, the hotel's guest details → confirmation).
    error_steps : sequence of str, optional
        Steps whose error flag counts for the error rate (default: the last three steps).

    Returns
    -------
    DataFrame
        One row per group: ``started`` (sessions reaching ``start_step``), ``completed``
        (of those, reaching ``end_step``), ``completion_rate`` with Wilson ``ci_low`` /
        ``ci_high``; ``median_minutes`` and ``p90_minutes`` from the first ``start_step``
        event to the first ``end_step`` event of completed sessions; ``error_sessions``,
        ``error_rate`` (share of started sessions with an error at an ``error_steps`` step)
        with Wilson ``error_ci_low`` / ``error_ci_high``.

    Notes
    -----
    Counts and the exact distribution of the completion times (sessions per duration in
    microseconds) come from the engine; quantiles are
    :func:`cxlib.stats.funnel.quantiles_from_counts` (linear interpolation, as numpy).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["s1", "s1", "s2"], "customer_id": ["a", "a", "b"],
    ...     "platform": "web", "step": ["checkout", "order", "checkout"],
    ...     "timestamp": pd.to_datetime(["2026-01-05 10:00", "2026-01-05 10:04", "2026-01-06 09:00"]),
    ...     "error": [False, False, True]})
    >>> r = task_success(ev)
    >>> r[["started", "completed", "completion_rate", "median_minutes", "error_rate"]].iloc[0].tolist()
    [2.0, 1.0, 0.5, 4.0, 0.5]
    """
    import narwhals as nw

    from .aggregate.behaviour import collect
    from .stats.funnel import quantiles_from_counts
    from .stats.proportions import wilson_interval

    lf, steps = _session_level(events, columns, micros=True)
    names = lf.collect_schema().names()
    start_step = steps[-3] if start_step is None else start_step
    end_step = steps[-1] if end_step is None else end_step
    error_steps = tuple(steps[-3:]) if error_steps is None else error_steps
    _check_steps(names, steps, start_step, end_step, *error_steps)
    keys = _group_keys(names, by)
    has_err = all(f"error_{e}" in names for e in error_steps)
    st = lf.filter(nw.col(f"reached_{start_step}") == 1).with_columns(
        nw.col(f"reached_{end_step}").alias("_done"),
        *([(reduce(operator.add, [nw.col(f"error_{e}") for e in error_steps]) > 0).cast(nw.Int64).alias("_err")]
          if has_err else []),
        (nw.col(f"u_{end_step}") - nw.col(f"u_{start_step}")).alias("_us"),
    )
    aggs = [nw.len().alias("started"), nw.col("_done").sum().alias("completed")]
    if has_err:
        aggs.append(nw.col("_err").sum().alias("error_sessions"))
    counts = collect(st.group_by(*keys).agg(*aggs) if keys else st.select(*aggs))
    if len(counts) == 0 or int(counts["started"].sum()) == 0:
        raise CXDataError(f"events: no session reached the step {start_step!r}")
    durations = collect(st.filter(nw.col("_done") == 1).group_by(*keys, "_us").agg(nw.len().alias("_n")))
    counts = counts.sort_values(keys, kind="stable").reset_index(drop=True) if keys else counts
    rows = []
    for _, row in counts.iterrows():  # one iteration per group
        sel = np.ones(len(durations), dtype=bool)
        for k in keys:
            sel &= (durations[k] == row[k]).to_numpy()
        d = durations.loc[sel]
        x, n = int(row["completed"]), int(row["started"])
        lo, hi = wilson_interval(x, n, conf)
        med, p90 = quantiles_from_counts(d["_us"].to_numpy(dtype="float64") / 6e7, d["_n"].to_numpy(), [0.5, 0.9])
        out = {**{k: row[k] for k in keys}, "started": n, "completed": x, "completion_rate": x / n,
               "ci_low": float(lo), "ci_high": float(hi),
               "median_minutes": float(med) if x else np.nan, "p90_minutes": float(p90) if x else np.nan}
        if has_err:
            e = int(row["error_sessions"])
            elo, ehi = wilson_interval(e, n, conf)
            out.update(error_sessions=e, error_rate=e / n, error_ci_low=float(elo), error_ci_high=float(ehi))
        rows.append(out)
    return pd.DataFrame(rows)


def before_after(
    events,
    release_date,
    metric="checkout_completion",
    by: str | Sequence[str] | None = "platform",
    *,
    window_days: int | None = None,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """HEART's name for :func:`cxlib.journey.before_after` with a task metric instead of two steps.

    ``metric`` is ``"checkout_completion"`` (checkout → order, default),
    ``"payment_completion"`` (payment → order), ``"cart_completion"``, ``"conversion"``
    (home → order) or any (start step, end step) pair; the rest — the rule for *before*
    (the session's first ``start`` step event is earlier than the release), the columns and
    the statistics — is :func:`cxlib.journey.before_after`. ``events`` may also be a
    :func:`sessions` table; ``columns`` renames an event log's columns as elsewhere here.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b", "c", "c", "d", "d"],
    ...     "customer_id": ["u1", "u1", "u2", "u3", "u3", "u4", "u4"], "platform": "web",
    ...     "step": ["checkout", "order", "checkout", "checkout", "order", "checkout", "order"],
    ...     "timestamp": pd.to_datetime(["2026-03-01"] * 3 + ["2026-04-02"] * 4)})
    >>> r = before_after(ev, "2026-04-01")
    >>> r[["n_before", "converted_before", "n_after", "converted_after", "difference"]].iloc[0].tolist()
    [2.0, 1.0, 2.0, 2.0, 0.5]
    """
    from . import journey

    start_step, end_step = _funnel_pair(metric)
    c = _columns(columns)
    data = events
    if not _is_sessions_table(events):
        renames = {c[k]: std for k, std in (("session", "session_id"), ("step", "step"), ("time", "timestamp"))
                   if c[k] != std}
        if renames:
            from .engine import lazy

            data = lazy(events).rename(renames)
    out = journey.before_after(data, release_date, step=start_step, next_step=end_step, by=by, conf=conf,
                               window_days=window_days)
    out.attrs["metric"] = (start_step, end_step)
    return out


# --------------------------------------------------------------------------------------
# Reading the metrics: denominators, windows, changes around a release
# --------------------------------------------------------------------------------------

#: Cohen's (1988) conventional thresholds of |h|: below 0.2 negligible, then small, medium, large.
EFFECT_SIZES = ((0.2, "negligible"), (0.5, "small"), (0.8, "medium"), (math.inf, "large"))


def effect_size_label(h: float) -> str:
    """Cohen's words for an effect size h of two proportions: negligible, small, medium or large.

    Parameters
    ----------
    h : float
        Cohen's h (:func:`cxlib.stats.proportions.cohens_h`); the sign is ignored.

    Returns
    -------
    str
        ``"negligible"`` for |h| < 0.2, ``"small"`` for < 0.5, ``"medium"`` for < 0.8, else
        ``"large"`` (Cohen 1988, ch. 6); ``"unknown"`` for NaN.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 6.

    Examples
    --------
    >>> [effect_size_label(h) for h in (0.1, -0.3, 0.5, 0.71, 0.8)]
    ['negligible', 'small', 'medium', 'medium', 'large']
    """
    if h is None or np.isnan(h):
        return "unknown"
    return next(word for limit, word in EFFECT_SIZES if abs(float(h)) < limit)


def adoption_denominators(
    events,
    release_date,
    within_days: int = 30,
    among_step: str = "payment",
    *,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Adoption of a feature with four denominators: users or sessions, all or those reaching a step.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log with the feature flag, or :func:`sessions`.
    release_date : date-like
    within_days : int
        The window: sessions starting in [release, release + ``within_days`` days).
    among_step : str
        The step at which the feature can be used (e.g. ``"payment"``).

    Returns
    -------
    DataFrame
        Index ``denominator``: ``"all"`` (everyone active in the window) and ``"step"``
        (only those reaching ``among_step``). Columns ``users_n`` (users in the denominator),
        ``adopters``, ``users`` (their share, 0–1) with Wilson ``ci_low``/``ci_high``;
        ``sessions_n`` (sessions in the denominator), ``feature_sessions`` and ``sessions``
        (the share of those sessions that used the feature).

    Notes
    -----
    users = :func:`adoption` (``among_step=None`` and ``among_step``); sessions = Σ feature /
    number of sessions in the window (reaching the step), counted inside the engine.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b", "c", "c"], "customer_id": ["u1", "u1", "u2", "u3", "u3"],
    ...     "platform": "web", "step": ["home", "payment", "home", "home", "payment"],
    ...     "timestamp": pd.to_datetime(["2026-04-02"] * 5), "one_click": [False, True, False, False, False]})
    >>> adoption_denominators(ev, "2026-04-01")[["users_n", "adopters", "users", "sessions"]].round(3).to_numpy().tolist()
    [[3.0, 1.0, 0.333, 0.333], [2.0, 1.0, 0.5, 0.5]]
    """
    import narwhals as nw

    from .aggregate.behaviour import collect

    rows = {}
    for name, step in (("all", None), ("step", among_step)):
        users = adoption(events, release_date, within_days, among_step=step, columns=columns, conf=conf).iloc[0]
        w = _adoption_window(events, release_date, within_days, step, columns)[0]
        counts = collect(w.select(nw.len().alias("n"), nw.col("feature").sum().alias("used"))).iloc[0]
        rows[name] = {"users_n": float(users["active_users"]), "adopters": float(users["adopters"]),
                      "users": float(users["adoption"]), "ci_low": float(users["ci_low"]),
                      "ci_high": float(users["ci_high"]), "sessions_n": float(counts["n"]),
                      "feature_sessions": float(counts["used"]), "sessions": float(counts["used"]) / float(counts["n"])}
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("denominator")
    out.attrs.update(among_step=among_step, within_days=int(within_days))
    return out


def adoption_curve(
    events,
    release_date,
    days: Sequence[int],
    among_step: str | None = None,
    *,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Adoption as the window grows: :func:`adoption` for each window length in ``days``.

    Parameters
    ----------
    events : table
        Event log or :func:`sessions`.
    release_date : date-like
    days : sequence of int
        Window lengths (each ≥ 1).
    among_step : str, optional
        As in :func:`adoption`.

    Returns
    -------
    DataFrame
        Index ``days``; columns ``active_users``, ``adopters``, ``adoption``, ``ci_low``,
        ``ci_high`` (Wilson), one row per window: the numbers :func:`adoption` gives for that
        window.

    Notes
    -----
    One query for all windows: per user, the start of the first session in the longest window
    and of the first session that used the feature (counted inside the engine); a window of d
    days counts the users whose first session (first use) starts before release + d days
    (``numpy.searchsorted`` on the sorted times).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["a", "b", "c"], "customer_id": ["u1", "u2", "u3"], "platform": "app",
    ...     "step": "home", "timestamp": pd.to_datetime(["2026-04-01", "2026-04-02", "2026-04-05"]),
    ...     "one_click": [True, False, True]})
    >>> adoption_curve(ev, "2026-04-01", [1, 2, 7])["adoption"].round(3).tolist()
    [1.0, 0.5, 0.667]
    """
    import narwhals as nw

    from .aggregate.behaviour import collect
    from .stats.proportions import wilson_interval

    days = np.asarray([int(d) for d in days], dtype="int64")
    if len(days) == 0 or (days < 1).any():
        raise ValueError(f"days must be whole numbers ≥ 1, got {days.tolist()}")
    w, _, start, _ = _adoption_window(events, release_date, int(days.max()), among_step, columns)
    # one row per user: the first session in the window and the first one that used the feature
    users = collect(w.with_columns(nw.when(nw.col("feature") == 1).then(nw.col("start")).otherwise(None).alias("_used"))
                    .group_by("user").agg(nw.col("start").min().alias("first"), nw.col("_used").min().alias("adopted")))
    ends = (start + pd.to_timedelta(days, unit="D")).to_numpy()
    first = np.sort(pd.to_datetime(users["first"]).dt.tz_localize(None).to_numpy())
    adopted = pd.to_datetime(users["adopted"]).dt.tz_localize(None).dropna().sort_values().to_numpy()
    active = np.searchsorted(first, ends, side="left").astype("float64")  # users whose first session < end
    adopters = np.searchsorted(adopted, ends, side="left").astype("float64")
    if (active == 0).any():
        raise CXDataError(f"events: no sessions in the first {int(days[active == 0].min())} day(s) after {start.date()}")
    lo, hi = wilson_interval(adopters, active, conf)
    return pd.DataFrame({"active_users": active, "adopters": adopters, "adoption": adopters / active,
                         "ci_low": lo, "ci_high": hi}, index=pd.Index(days, name="days"))


def complete_periods(table: pd.DataFrame) -> pd.DataFrame:
    """An :func:`engagement` table without its first and last period, which the log covers only in part.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": pd.period_range("2026-01-05", periods=4, freq="W"), "sessions_per_user": 1.0})
    >>> len(complete_periods(t))
    2
    """
    _need_columns(table, ["period"], "engagement table")
    first, last = table["period"].min(), table["period"].max()
    return table[~table["period"].isin([first, last])].reset_index(drop=True)


def engagement_change(table: pd.DataFrame, release_date, by: str | None = "platform") -> pd.DataFrame:
    """Sessions per active user per period before and after a release, pooled over the periods.

    Parameters
    ----------
    table : DataFrame
        :func:`engagement` output (usually :func:`complete_periods` of it).
    release_date : date-like
        Periods ending before it are *before*, periods starting on or after it *after*;
        the period that contains it is left out.
    by : str or None
        The group column of ``table``.

    Returns
    -------
    DataFrame
        One row per group (index): ``before`` and ``after`` = Σ sessions / Σ active users over
        the periods of each side (sessions per active user per period), ``change`` = after −
        before, ``relative`` = change / before, ``periods_before``, ``periods_after``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": pd.period_range("2026-03-16", periods=4, freq="W"),
    ...     "users": [10.0, 10, 10, 20], "sessions": [10.0, 12, 11, 30]})
    >>> engagement_change(t, "2026-03-31", by=None)[["before", "after", "periods_before"]].to_numpy().tolist()
    [[1.1, 1.5, 2.0]]
    """
    _need_columns(table, ["period", "users", "sessions", *([by] if by else [])], "engagement table")
    release = pd.Timestamp(release_date)
    starts = table["period"].map(lambda p: p.start_time)
    ends = table["period"].map(lambda p: p.end_time)
    side = np.where(ends < release, "before", np.where(starts >= release, "after", "straddles"))
    data = table.assign(_side=side, _g=table[by] if by else "all")
    sums = data[data["_side"] != "straddles"].groupby(["_g", "_side"])[["sessions", "users"]].sum()
    counts = data[data["_side"] != "straddles"].groupby(["_g", "_side"]).size()
    ratio = (sums["sessions"] / sums["users"]).unstack("_side")
    periods = counts.unstack("_side").fillna(0)
    out = pd.DataFrame({"before": ratio.get("before"), "after": ratio.get("after")})
    out["change"] = out["after"] - out["before"]
    out["relative"] = out["change"] / out["before"]
    out["periods_before"] = periods.get("before", 0).astype(float)
    out["periods_after"] = periods.get("after", 0).astype(float)
    return out.rename_axis(by or "group")


def retention_summary(matrix: pd.DataFrame, min_share: float = 0.5) -> pd.Series:
    """Week-1 retention and the average later week of a :func:`retention` matrix.

    Parameters
    ----------
    matrix : DataFrame
        :func:`retention` output (its ``attrs["average"]``: cohort-size weighted averages).
    min_share : float
        A later week counts when at least this share of the cohorts has been observed for it,
        so the curve's tail, which rests on a few cohorts, does not drive the average.

    Returns
    -------
    Series
        ``week1`` (average share back in week 1), ``not_back`` = 1 − week1, ``later`` (mean of
        the average curve over weeks 2 … ``last_week``), ``last_week``, ``cohorts``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({0: [1.0, 1.0, 1.0], 1: [0.2, 0.1, 0.3], 2: [0.2, 0.1, None], 3: [0.3, None, None]})
    >>> m.attrs["average"] = pd.Series([1.0, 0.2, 0.15, 0.3])
    >>> retention_summary(m)[["week1", "later", "last_week"]].tolist()
    [0.2, 0.15, 2.0]
    """
    avg = pd.Series(matrix.attrs["average"]).to_numpy(dtype="float64")
    observed = matrix.notna().sum().to_numpy()
    cohorts = len(matrix)
    later = [w for w in range(2, len(avg)) if observed[w] >= min_share * cohorts]
    if len(avg) < 2:
        raise CXDataError("retention: the log covers only the cohorts' first week; no week 1 to report")
    return pd.Series({"week1": avg[1], "not_back": 1 - avg[1],
                      "later": float(np.mean(avg[later])) if later else np.nan,
                      "last_week": float(max(later)) if later else np.nan, "cohorts": float(cohorts)})


def happiness_wide(table: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """:func:`happiness` with one row per group: ``csat``, ``csat_low``, ``csat_high``, ``nps``, ``nps_low``, ``nps_high``, ``n``.

    ``overlap`` says whether the groups' CSAT intervals and NPS intervals all overlap (the same
    value on every row; True for a single group); ``reading`` is ``"single"`` (one group),
    ``"overlap"`` or ``"apart"`` (some pair of intervals does not overlap).

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"metric": ["csat", "nps"], "value": [80.0, 20.0], "n": [10, 10],
    ...     "ci_low": [50.0, -10.0], "ci_high": [95.0, 50.0]})
    >>> happiness_wide(h)[["csat", "nps", "overlap", "reading"]].to_numpy().tolist()
    [[80.0, 20.0, True, 'single']]
    """
    _need_columns(table, ["metric", "value", "n", "ci_low", "ci_high", *([by] if by else [])], "happiness table")
    data = table.assign(_g=table[by] if by else "all")
    wide = data.pivot(index="_g", columns="metric", values=["value", "ci_low", "ci_high"])
    out = pd.DataFrame({"csat": wide[("value", "csat")], "csat_low": wide[("ci_low", "csat")],
                        "csat_high": wide[("ci_high", "csat")], "nps": wide[("value", "nps")],
                        "nps_low": wide[("ci_low", "nps")], "nps_high": wide[("ci_high", "nps")],
                        "n": data[data["metric"] == "csat"].set_index("_g")["n"]})
    overlap = all(out[f"{m}_low"].max() <= out[f"{m}_high"].min() for m in ("csat", "nps"))
    reading = "single" if len(out) == 1 else ("overlap" if overlap else "apart")
    return out.assign(overlap=overlap, reading=reading).rename_axis(by or "group")


def release_contrast(test: pd.DataFrame, by: str = "platform", released=None) -> pd.Series:
    """The group a release changed most, against the group it changed least (a difference in differences).

    Parameters
    ----------
    test : DataFrame
        :func:`before_after` output with at least two groups.
    by : str
        Its group column.
    released : collection, optional
        The groups the release reached (e.g. the releases table's platforms).

    Returns
    -------
    Series
        ``group`` (largest difference), its ``rate_before``, ``rate_after``, ``difference``,
        ``ci_low``, ``ci_high`` (shares), ``p_value``, ``cohens_h``, ``size`` (:func:`effect_size_label`);
        ``other`` (smallest difference) with ``other_before``, ``other_after``,
        ``other_difference``; ``extra`` = difference − other_difference (the change beyond what the
        comparison group saw over the same dates); ``group_released``, ``other_released``;
        ``ratio`` = difference / other_difference (NaN when the other did not rise).

    Notes
    -----
    A before/after comparison is not an experiment: the other group stands in for what would
    have happened anyway (season, campaigns), which is only as good as the groups are alike.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"platform": ["app", "web"], "rate_before": [0.8, 0.5], "rate_after": [0.87, 0.82],
    ...     "difference": [0.07, 0.32], "ci_low": [0.05, 0.29], "ci_high": [0.09, 0.35], "p_value": [0.001, 0.0],
    ...     "cohens_h": [0.19, 0.71]})
    >>> r = release_contrast(t, released=["app", "web"])
    >>> r["group"], r["other"], round(float(r["extra"]), 2), r["size"]
    ('web', 'app', 0.25, 'medium')
    """
    _need_columns(test, [by, "rate_before", "rate_after", "difference", "ci_low", "ci_high", "p_value", "cohens_h"],
                  "before/after table")
    if len(test) < 2:
        raise CXDataError(f"before/after table: a contrast needs two {by} groups, got {len(test)}")
    ranked = test.sort_values("difference", ascending=False, kind="stable")
    top, low = ranked.iloc[0], ranked.iloc[-1]
    released = set(test[by]) if released is None else set(released)
    return pd.Series({
        "group": top[by], "rate_before": top["rate_before"], "rate_after": top["rate_after"],
        "difference": top["difference"], "ci_low": top["ci_low"], "ci_high": top["ci_high"],
        "p_value": top["p_value"], "cohens_h": top["cohens_h"], "size": effect_size_label(top["cohens_h"]),
        "other": low[by], "other_before": low["rate_before"], "other_after": low["rate_after"],
        "other_difference": low["difference"], "extra": top["difference"] - low["difference"],
        "group_released": top[by] in released, "other_released": low[by] in released,
        "ratio": top["difference"] / low["difference"] if low["difference"] > 0 else np.nan,
    })
