"""HEART: Happiness, Engagement, Adoption, Retention and Task success of a product.

Google's HEART framework (Rodden, Hutchinson & Fu 2010) picks, per dimension, a
*goal* (what the product should achieve for its users), the *signals* in the logs or
surveys that show progress toward it, and the *metrics* computed from them
(:func:`heart_table`). This module computes the metrics on the e-commerce sample's
tables — the event log (sessions moving home → search → product → cart → checkout →
payment → order on app and web), the post-purchase survey and the feature releases —
and compares a funnel metric before and after a release (:func:`before_after`).

Every event-log function first reduces the log to one row per session
(:func:`sessions`: reached steps, first time at each step, errors, feature use) — the
sufficient statistics of all HEART metrics except Happiness — and then does the math on
those rows.

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

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from . import metrics
from .errors import CXDataError
from .i18n import check_lang, t
from .value import (
    _canonical_freq,
    _fail,
    _need_columns,
    _parse_datetimes,
    _period_ordinals,
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
    "plot_engagement",
    "plot_before_after",
    "plot_heart_dashboard",
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


def heart_table(lang: str = "en") -> pd.DataFrame:
    """Goals → signals → metrics for each HEART dimension of the shop's app, in ``lang``.

    Returns
    -------
    DataFrame
        Columns ``dimension``, ``goal``, ``signal``, ``metric`` (texts in ``lang``) and
        ``function`` (the :mod:`cxlib.heart` function computing the metric); one row per
        metric, in HEART order.

    References
    ----------
    Rodden, Hutchinson & Fu (2010), CHI 2010, 2395–2398.

    Examples
    --------
    >>> heart_table("en")["dimension"].tolist()[:2]
    ['Happiness', 'Engagement']
    """
    check_lang(lang)
    rows = []
    for i, (dim, fn) in enumerate(_TABLE_ROWS):
        key = f"heart.table.{dim}" if i < 5 else "heart.table.task_success_release"
        rows.append({
            "dimension": t(f"heart.dim.{dim}", lang),
            "goal": t(f"{key}.goal", lang),
            "signal": t(f"{key}.signal", lang),
            "metric": t(f"{key}.metric", lang),
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


def sessions(
    events: pd.DataFrame,
    steps: Sequence[str] = STEPS,
    *,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """One row per session: who, where, when, which steps it reached, errors and feature use.

    Parameters
    ----------
    events : DataFrame
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

    Raises
    ------
    CXDataError
        Missing columns, missing ids, unparseable times, unknown steps, non-boolean flags,
        or a session logged on two platforms — the message names the rows.
    """
    c = _columns(columns)
    need = [c[k] for k in ("session", "user", "platform", "step", "time")]
    _need_columns(events, need, "events")
    if len(events) == 0:
        raise CXDataError("events: the table has no rows")
    for k in ("session", "user", "platform"):
        miss = events[c[k]].isna().to_numpy()
        if miss.any():
            _fail(c[k], f"missing {k} values", events.index, miss, expected=f"a {k} on every row")
    step = events[c["step"]]
    step_code = pd.Index(list(steps)).get_indexer(step.to_numpy(dtype=object)).astype(np.int64)
    bad = step_code < 0
    if bad.any():
        _fail(c["step"], "unknown funnel steps", events.index, bad, step.to_numpy(dtype=object), f"one of {list(steps)}")
    times = _parse_datetimes(events[c["time"]], c["time"], None)
    ts = times.dt.tz_localize(None) if isinstance(times.dtype, pd.DatetimeTZDtype) else times
    tsv = ts.to_numpy().astype("datetime64[ns]").view("i8")

    codes, sess_ids = pd.factorize(events[c["session"]])
    n = len(sess_ids)
    k = len(steps)
    # user and platform must be constant within a session
    frame = pd.DataFrame({"s": codes, "u": events[c["user"]].to_numpy(), "p": events[c["platform"]].to_numpy()})
    for key, label in (("u", "user"), ("p", "platform")):
        nun = frame.groupby("s", sort=False)[key].nunique().reindex(range(n)).to_numpy()
        if (nun > 1).any():
            bad_sess = set(np.flatnonzero(nun > 1).tolist())
            rows = frame["s"].isin(bad_sess).to_numpy()
            _fail(c[label], f"sessions logged with more than one {label}", events.index, rows,
                  events[c["session"]].to_numpy(dtype=object), f"one {label} per session")
    first_row = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first_row, codes, np.arange(len(codes)))
    big = np.iinfo(np.int64).max
    tstep = np.full((n, k), big, dtype=np.int64)
    np.minimum.at(tstep, (codes, step_code), tsv)
    start = tstep.min(axis=1)
    out = pd.DataFrame(
        {
            "user": frame["u"].to_numpy()[first_row],
            "platform": frame["p"].to_numpy()[first_row],
            "start": pd.to_datetime(start, unit="ns"),
        },
        index=pd.Index(sess_ids, name=c["session"]),
    )
    reached = tstep < big
    err = None
    if c["error"] in events.columns:
        e = _flag(events, c["error"])
        err = np.zeros((n, k), dtype=bool)
        np.logical_or.at(err, (codes, step_code), e)
    for j, s in enumerate(steps):
        out[f"reached_{s}"] = reached[:, j]
        col = np.where(reached[:, j], tstep[:, j], np.iinfo(np.int64).min)
        out[f"t_{s}"] = pd.to_datetime(col, unit="ns")  # int64 min is NaT
        if err is not None:
            out[f"error_{s}"] = err[:, j]
    if err is not None:
        out["error"] = err.any(axis=1)
    if c["feature"] in events.columns:
        f = _flag(events, c["feature"])
        out["feature"] = np.bincount(codes, weights=f, minlength=n) > 0
    out = out.sort_values("start", kind="stable")
    out.attrs["steps"] = tuple(steps)
    return out


def _sessions_of(data: pd.DataFrame, columns) -> pd.DataFrame:
    """Accept either an event log or the output of :func:`sessions`."""
    if "start" in data.columns and "reached_order" in data.columns and "user" in data.columns:
        return data
    return sessions(data, columns=columns)


def _group_keys(frame: pd.DataFrame, by) -> list:
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    missing = [b for b in keys if b not in frame.columns]
    if missing:
        raise CXDataError(f"by: no column(s) {missing}; session columns are {list(frame.columns)[:12]} …")
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
# Engagement
# --------------------------------------------------------------------------------------


def engagement(
    events: pd.DataFrame,
    freq: str = "W",
    by: str | Sequence[str] | None = None,
    *,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """Engagement: sessions per active user per period (week by default).

    Parameters
    ----------
    events : DataFrame
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
    log may be partial; drop them before reading a trend.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["s1", "s2", "s3"], "customer_id": ["a", "a", "b"],
    ...     "platform": "app", "step": "home",
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"])})
    >>> engagement(ev)[["users", "sessions", "sessions_per_user"]].to_numpy().tolist()
    [[2.0, 3.0, 1.5]]
    """
    s = _sessions_of(events, columns)
    freq = _canonical_freq(freq)
    keys = _group_keys(s, by)
    per = _period_ordinals(s["start"].to_numpy(), freq)
    frame = s[keys + ["user"]].copy()
    frame["_p"] = per
    g = frame.groupby(["_p"] + keys, sort=True, observed=True)["user"]
    out = pd.DataFrame({"users": g.nunique(), "sessions": g.size()}).reset_index()
    out["sessions_per_user"] = out["sessions"] / out["users"]
    out.insert(0, "period", [pd.Period(_period_start(p, freq), freq=freq) for p in out.pop("_p")])
    return out


# --------------------------------------------------------------------------------------
# Adoption
# --------------------------------------------------------------------------------------


def adoption(
    events: pd.DataFrame,
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
    events : DataFrame
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
    session (reaching ``among_step``) in the window|.
    """
    if not isinstance(within_days, int | np.integer) or isinstance(within_days, bool) or within_days < 1:
        raise ValueError(f"within_days must be a whole number ≥ 1, got {within_days!r}")
    s = _sessions_of(events, columns)
    if "feature" not in s.columns:
        raise CXDataError(f"events: no feature column {_columns(columns)['feature']!r}")
    start = pd.Timestamp(release_date)
    stop = start + pd.Timedelta(days=int(within_days))
    w = s[(s["start"] >= start) & (s["start"] < stop)]
    if among_step is not None:
        if f"reached_{among_step}" not in w.columns:
            raise ValueError(f"among_step must be one of the steps {list(s.attrs.get('steps', STEPS))}")
        w = w[w[f"reached_{among_step}"]]
    if len(w) == 0:
        raise CXDataError(f"events: no sessions between {start.date()} and {stop.date()} (exclusive)")
    keys = _group_keys(w, by)
    users = w.groupby(keys + ["user"], sort=True, observed=True)["feature"].any().reset_index()
    if keys:
        g = users.groupby(keys, sort=True, observed=True)["feature"]
        out = pd.DataFrame({"active_users": g.size(), "adopters": g.sum()}).reset_index()
    else:
        out = pd.DataFrame({"active_users": [len(users)], "adopters": [int(users["feature"].sum())]})
    lo, hi = metrics.wilson_ci(out["adopters"].to_numpy(), out["active_users"].to_numpy(), conf)
    out["adoption"] = out["adopters"] / out["active_users"]
    out["ci_low"] = lo
    out["ci_high"] = hi
    out.attrs.update(release_date=start, within_days=int(within_days))
    return out


# --------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------


def retention(
    events: pd.DataFrame,
    weeks: int | Sequence[int] | None = None,
    *,
    observation_period_end=None,
    columns: Mapping | None = None,
) -> pd.DataFrame:
    """Retention: week-N retention of weekly cohorts of users (by first session).

    Parameters
    ----------
    events : DataFrame
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
    s = _sessions_of(events, columns)
    mat = cohort_retention(s, "user", "start", freq="W", observation_period_end=observation_period_end)
    if weeks is not None:
        cols = [weeks] if isinstance(weeks, int | np.integer) else list(weeks)
        bad = [w for w in cols if w not in mat.columns]
        if bad:
            raise ValueError(f"weeks {bad} are beyond the data (offsets 0–{mat.columns.max()})")
        sizes = mat.attrs.get("cohort_size")
        mat = mat[cols]
        mat.attrs["cohort_size"] = sizes
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


def _check_steps(s: pd.DataFrame, *steps):
    for st in steps:
        if f"reached_{st}" not in s.columns:
            raise ValueError(f"unknown step {st!r}; steps are {list(s.attrs.get('steps', STEPS))}")


def task_success(
    events: pd.DataFrame,
    by: str | Sequence[str] | None = "platform",
    *,
    start_step: str = "checkout",
    end_step: str = "order",
    error_steps: Sequence[str] = ("checkout", "payment", "order"),
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Task success of checking out: completion rate, time to complete and error rate.

    Parameters
    ----------
    events : DataFrame
        Event log (or :func:`sessions`).
    by : str or list or None
        Split by these session columns (default ``"platform"``).
    start_step, end_step : str
        The task starts when a session reaches ``start_step`` and succeeds when it reaches
        ``end_step``.
    error_steps : sequence of str
        Steps whose error flag counts for the error rate.

    Returns
    -------
    DataFrame
        One row per group: ``started`` (sessions reaching ``start_step``), ``completed``
        (of those, reaching ``end_step``), ``completion_rate`` with Wilson ``ci_low`` /
        ``ci_high``; ``median_minutes`` and ``p90_minutes`` from the first ``start_step``
        event to the first ``end_step`` event of completed sessions; ``error_sessions``,
        ``error_rate`` (share of started sessions with an error at an ``error_steps`` step)
        with Wilson ``error_ci_low`` / ``error_ci_high``.

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
    s = _sessions_of(events, columns)
    _check_steps(s, start_step, end_step, *error_steps)
    st = s[s[f"reached_{start_step}"]]
    if len(st) == 0:
        raise CXDataError(f"events: no session reached the step {start_step!r}")
    keys = _group_keys(st, by)
    has_err = all(f"error_{e}" in st.columns for e in error_steps)
    rows = []
    for key, g in _grouped(st, keys):
        done = g[f"reached_{end_step}"].to_numpy()
        minutes = ((g[f"t_{end_step}"] - g[f"t_{start_step}"]).dt.total_seconds() / 60)[done]
        x, n = int(done.sum()), len(g)
        lo, hi = metrics.wilson_ci(x, n, conf)
        row = {**_as_key_dict(keys, key), "started": n, "completed": x, "completion_rate": x / n,
               "ci_low": lo, "ci_high": hi,
               "median_minutes": float(minutes.median()) if x else np.nan,
               "p90_minutes": float(minutes.quantile(0.9)) if x else np.nan}
        if has_err:
            e = g[[f"error_{s_}" for s_ in error_steps]].any(axis=1).to_numpy()
            k = int(e.sum())
            elo, ehi = metrics.wilson_ci(k, n, conf)
            row.update(error_sessions=k, error_rate=k / n, error_ci_low=elo, error_ci_high=ehi)
        rows.append(row)
    return pd.DataFrame(rows)


def before_after(
    events: pd.DataFrame,
    release_date,
    metric="checkout_completion",
    by: str | Sequence[str] | None = "platform",
    *,
    window_days: int | None = None,
    columns: Mapping | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Compare a funnel completion rate before and after a release: CIs, z test, Cohen's h.

    Parameters
    ----------
    events : DataFrame
        Event log (or :func:`sessions`).
    release_date : date-like
        Sessions starting before it are "before", the others "after".
    metric : str or (str, str)
        ``"checkout_completion"`` (checkout → order, default), ``"payment_completion"``
        (payment → order), ``"cart_completion"``, ``"conversion"`` (home → order), or any
        (start step, end step) pair.
    by : str or list or None
        Split by these session columns (default ``"platform"``).
    window_days : int, optional
        Use only sessions within this many days either side of the release (default all).

    Returns
    -------
    DataFrame
        One row per group: ``n_before``, ``x_before``, ``p_before``, ``ci_low_before``,
        ``ci_high_before`` and the same ``_after`` (Wilson intervals); ``difference`` =
        p_after − p_before with Newcombe's ``diff_ci_low`` / ``diff_ci_high``; ``z``,
        ``p_value`` (pooled two-proportion z test, two-sided) and ``cohens_h``.

    Notes
    -----
    Pooled z test: p̄ = (x₁ + x₂)/(n₁ + n₂), z = (p₂ − p₁)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)).
    Cohen's h = 2·asin√p₂ − 2·asin√p₁ (0.2 small, 0.5 medium, 0.8 large; Cohen 1988).
    The difference's interval is Newcombe's (1998) method 10, built from the two Wilson
    intervals: [d − √((p₂ − l₂)² + (u₁ − p₁)²), d + √((u₂ − p₂)² + (p₁ − l₁)²)].
    A before/after comparison is not an experiment: anything else that changed at the
    release date (season, a campaign) is confounded with it; compare with a platform that
    did not get the feature where there is one.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b", "c", "c", "d", "d"],
    ...     "customer_id": ["u1", "u1", "u2", "u3", "u3", "u4", "u4"], "platform": "web",
    ...     "step": ["checkout", "order", "checkout", "checkout", "order", "checkout", "order"],
    ...     "timestamp": pd.to_datetime(["2026-03-01"] * 3 + ["2026-04-02"] * 4)})
    >>> r = before_after(ev, "2026-04-01")
    >>> r[["n_before", "x_before", "n_after", "x_after", "difference"]].iloc[0].tolist()
    [2.0, 1.0, 2.0, 2.0, 0.5]
    """
    start_step, end_step = _funnel_pair(metric)
    s = _sessions_of(events, columns)
    _check_steps(s, start_step, end_step)
    release = pd.Timestamp(release_date)
    st = s[s[f"reached_{start_step}"]]
    if window_days is not None:
        span = pd.Timedelta(days=int(window_days))
        st = st[(st["start"] >= release - span) & (st["start"] < release + span)]
    after = (st["start"] >= release).to_numpy()
    if not after.any() or after.all():
        raise CXDataError(
            f"events: sessions reaching {start_step!r} are all {'after' if after.all() else 'before'} "
            f"the release date {release.date()}; need sessions on both sides"
        )
    keys = _group_keys(st, by)
    frame = pd.DataFrame({"after": after, "done": st[f"reached_{end_step}"].to_numpy()}, index=st.index)
    gkeys = keys or ["_all"]
    for k in keys:
        frame[k] = st[k].to_numpy()
    if not keys:
        frame["_all"] = 0
    g = frame.groupby(gkeys + ["after"], sort=True, observed=True)["done"]
    counts = pd.DataFrame({"n": g.size(), "x": g.sum()}).unstack("after", fill_value=0)
    n = counts["n"].reindex(columns=[False, True], fill_value=0).to_numpy(dtype="float64")
    x = counts["x"].reindex(columns=[False, True], fill_value=0).to_numpy(dtype="float64")
    res = _two_proportions(x[:, 0], n[:, 0], x[:, 1], n[:, 1], conf)
    out = counts.index.to_frame(index=False) if keys else pd.DataFrame(index=[0])
    for col, vals in res.items():
        out[col] = vals
    out.attrs.update(metric=(start_step, end_step), release_date=release, window_days=window_days)
    return out


def _two_proportions(x1, n1, x2, n2, conf):
    x1, n1, x2, n2 = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = metrics.wilson_ci(x1, n1, conf)
        l2, u2 = metrics.wilson_ci(x2, n2, conf)
        l1, u1, l2, u2 = (np.atleast_1d(v) for v in (l1, u1, l2, u2))
        d = p2 - p1
        pooled = (x1 + x2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se0 > 0, d / se0, np.where(d == 0, 0.0, np.nan))
        pval = 2 * norm.sf(np.abs(z))
        h = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1))
    return {
        "n_before": n1.astype(np.int64), "x_before": x1.astype(np.int64), "p_before": p1,
        "ci_low_before": l1, "ci_high_before": u1,
        "n_after": n2.astype(np.int64), "x_after": x2.astype(np.int64), "p_after": p2,
        "ci_low_after": l2, "ci_high_after": u2,
        "difference": d,
        "diff_ci_low": d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
        "diff_ci_high": d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
        "z": z, "p_value": pval, "cohens_h": h,
    }


# --------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------


def _ax(ax):
    import matplotlib.pyplot as plt

    return ax if ax is not None else plt.gca()


def _label_group(value, lang):
    try:
        return t(f"platform.{value}", lang)
    except KeyError:
        return str(value)


def plot_engagement(table: pd.DataFrame, ax=None, lang: str = "en", by: str | None = "platform"):
    """Line chart of sessions per user per period from :func:`engagement`. Returns the Axes."""
    check_lang(lang)
    ax = _ax(ax)
    x = table["period"].map(lambda p: p.start_time)
    if by and by in table.columns:
        for key, g in table.assign(_x=x).groupby(by, sort=True):
            ax.plot(g["_x"], g["sessions_per_user"], marker=".", label=_label_group(key, lang))
        ax.legend(fontsize=8)
    else:
        ax.plot(x, table["sessions_per_user"], marker=".")
    ax.set_ylabel(t("heart.plot.sessions_per_user", lang))
    ax.set_title(t("heart.dim.engagement", lang))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return ax


def plot_before_after(table: pd.DataFrame, ax=None, lang: str = "en", by: str | None = "platform"):
    """Before/after bars with Wilson intervals from :func:`before_after`. Returns the Axes."""
    check_lang(lang)
    ax = _ax(ax)
    groups = table[by].tolist() if by and by in table.columns else [""]
    x = np.arange(len(groups))
    width = 0.38
    for j, (side, color) in enumerate((("before", "#8c8c8c"), ("after", "#1f5f8b"))):
        p = table[f"p_{side}"].to_numpy()
        err = np.vstack([p - table[f"ci_low_{side}"].to_numpy(), table[f"ci_high_{side}"].to_numpy() - p])
        ax.bar(x + (j - 0.5) * width, p, width, yerr=err, capsize=3, color=color,
               label=t(f"heart.plot.{side}", lang))
    for i, row in enumerate(table.itertuples()):
        ax.text(i, min(1.02, max(row.ci_high_before, row.ci_high_after) + 0.02),
                f"h = {row.cohens_h:.2f}", ha="center", fontsize=8)
    ax.set_xticks(x, [_label_group(g, lang) for g in groups])
    ax.set_ylim(0, 1.1)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    start, end = table.attrs.get("metric", ("checkout", "order"))
    ax.set_ylabel(t("heart.plot.completion", lang, start=_step(start, lang), end=_step(end, lang)))
    ax.set_title(t("heart.plot.before_after", lang))
    ax.legend(fontsize=8, loc="lower right")
    return ax


def _step(step, lang):
    try:
        return t(f"heart.step.{step}", lang)
    except KeyError:
        return str(step)


def plot_heart_dashboard(
    events: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    release_date=None,
    *,
    lang: str = "en",
    within_days: int = 30,
    metric="payment_completion",
    columns: Mapping | None = None,
    figsize=(15, 8.5),
):
    """A one-page HEART dashboard (figure-level): one panel per dimension plus the release test.

    Panels: Happiness (CSAT and NPS by platform, with CIs; needs ``survey``), Engagement
    (sessions per user per week), Adoption (feature use within ``within_days`` of the
    release among all active users and among those who reached payment, by platform), Retention (weekly cohort curves), Task success (checkout
    completion, time and errors by platform) and the before/after comparison of ``metric``
    around ``release_date``. Panels without their input say so.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    from .value import plot_retention_curves

    check_lang(lang)
    s = _sessions_of(events, columns)
    fig, axes = plt.subplots(2, 3, figsize=figsize)
    a_h, a_e, a_a, a_r, a_t, a_b = axes.ravel()

    # Happiness
    if survey is not None:
        hap = happiness(survey, platform=None, by="platform")
        for j, m in enumerate(("csat", "nps")):
            sub = hap[hap["metric"] == m]
            x = np.arange(len(sub)) + (j - 0.5) * 0.38
            v = sub["value"].to_numpy()
            a_h.bar(x, v, 0.38, yerr=np.vstack([v - sub["ci_low"], sub["ci_high"] - v]), capsize=3,
                    label=t(f"heart.plot.{m}", lang))
        a_h.set_xticks(np.arange(len(sub)), [_label_group(p, lang) for p in sub["platform"]])
        a_h.axhline(0, color="black", lw=0.8)
        a_h.legend(fontsize=8)
    else:
        _empty(a_h, lang)
    a_h.set_title(t("heart.dim.happiness", lang))

    # Engagement
    plot_engagement(engagement(s, by="platform"), ax=a_e, lang=lang)

    # Adoption
    if release_date is not None and "feature" in s.columns:
        for j, step in enumerate((None, "payment")):
            ad = adoption(s, release_date, within_days=within_days, by="platform", among_step=step)
            v = ad["adoption"].to_numpy()
            a_a.bar(np.arange(len(ad)) + (j - 0.5) * 0.38, v, 0.38, capsize=3,
                    yerr=np.vstack([v - ad["ci_low"], ad["ci_high"] - v]),
                    color=("#3a9a5b", "#1f5f8b")[j],
                    label=t("heart.plot.adoption_all" if step is None else "heart.plot.adoption_payment", lang))
        a_a.set_xticks(np.arange(len(ad)), [_label_group(p, lang) for p in ad["platform"]])
        a_a.set_ylim(0, 1)
        a_a.yaxis.set_major_formatter(PercentFormatter(1.0))
        a_a.set_ylabel(t("heart.plot.adoption", lang, days=within_days))
        a_a.legend(fontsize=8)
    else:
        _empty(a_a, lang)
    a_a.set_title(t("heart.dim.adoption", lang))

    # Retention
    plot_retention_curves(retention(s), ax=a_r, lang=lang, show_cohorts=False)
    a_r.set_title(t("heart.dim.retention", lang))
    a_r.set_xlabel(t("heart.plot.weeks", lang))

    # Task success
    ts = task_success(s, by="platform")
    labels = [_label_group(p, lang) for p in ts["platform"]]
    v = ts["completion_rate"].to_numpy()
    a_t.bar(np.arange(len(ts)) - 0.19, v, 0.38, yerr=np.vstack([v - ts["ci_low"], ts["ci_high"] - v]),
            capsize=3, label=t("heart.plot.completion_short", lang))
    if "error_rate" in ts:
        e = ts["error_rate"].to_numpy()
        a_t.bar(np.arange(len(ts)) + 0.19, e, 0.38, color="#c0392b",
                yerr=np.vstack([e - ts["error_ci_low"], ts["error_ci_high"] - e]), capsize=3,
                label=t("heart.plot.error_rate", lang))
    for i, m in enumerate(ts["median_minutes"]):
        a_t.text(i - 0.19, 0.03, t("heart.plot.median_minutes", lang, m=m), ha="center", fontsize=8,
                 color="white", rotation=90, va="bottom")
    a_t.set_xticks(np.arange(len(ts)), labels)
    a_t.set_ylim(0, 1.05)
    a_t.yaxis.set_major_formatter(PercentFormatter(1.0))
    a_t.legend(fontsize=8)
    a_t.set_title(t("heart.dim.task_success", lang))

    # Before / after
    if release_date is not None:
        plot_before_after(before_after(s, release_date, metric=metric, by="platform"), ax=a_b, lang=lang)
    else:
        _empty(a_b, lang)
        a_b.set_title(t("heart.plot.before_after", lang))

    fig.suptitle(t("heart.plot.dashboard", lang))
    fig.tight_layout()
    return fig


def _empty(ax, lang):
    ax.text(0.5, 0.5, t("heart.plot.no_data", lang), ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
