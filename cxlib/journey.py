"""Touchpoints and the customer journey: inventory, ratings, emotion curve, funnel, moments of truth.

A *touchpoint* is any place where a customer meets the brand. The data dictionaries
(``cxlib/dictionaries/<world>.yml``) list them with a journey **stage** (awareness →
purchase → use → feedback) and a **channel** (online, offline, product), the survey
column that rates them (``tp_*``) and, for the e-commerce world, the step of the event
log that tracks them. This module turns that map and the data into the lesson
"01 touchpoints & journey":

* :func:`touchpoint_inventory` / :func:`plot_inventory` — the journey map (stage × channel);
* :func:`touchpoint_ratings` / :func:`plot_rating_heatmap` — mean rating per touchpoint
  and segment with a t interval;
* :func:`emotion_curve` / :func:`plot_emotion_curve` — mean rating along the journey,
  with the lowest point (the "moment of pain");
* :func:`funnel` / :func:`plot_funnel` and :func:`step_times` — where sessions leak
  and how long each step takes (the cart abandonment at payment);
* :func:`moments_of_truth` / :func:`plot_moments_of_truth` — how much NPS a
  touchpoint's low ratings (or a flag such as "waited > 15 min at check-in") cost;
* :func:`before_after` / :func:`plot_before_after` — did a release (one-click pay)
  lift the conversion of a step.

Every statistic is computed in two layers (``docs/ARCHITECTURE.md``): rows are aggregated
to sufficient statistics inside the data's own engine (:mod:`cxlib.aggregate.behaviour`:
sessions per set of steps, per duration, per side of a release date), and the math runs on
those aggregates (:mod:`cxlib.stats.funnel`, :mod:`cxlib.stats.proportions`). The event-log
functions (:func:`funnel`, :func:`step_times`, :func:`before_after`) accept pandas, Polars,
PyArrow, DuckDB, Dask and PySpark tables. The charts live in :mod:`cxlib.plotting.journey`
(``journey.plot_*`` still finds them, importing matplotlib only then).

References
----------
Carlzon, J. (1987). *Moments of Truth*. Ballinger.
Rawson, A., Duncan, E. & Jones, C. (2013). The truth about customer experience.
*Harvard Business Review*, 91(9), 90–98.
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*, 81(12).
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *JASA*, 22(158), 209–212.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine*, 17(8), 873–890.
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import clean_scores, require_columns
from .errors import CXDataError, format_examples
from .i18n import check_lang

__all__ = [
    "peak_end",
    "STAGES",
    "CHANNELS",
    "touchpoint_inventory",
    "touchpoint_ratings",
    "emotion_curve",
    "funnel",
    "step_times",
    "moments_of_truth",
    "before_after",
]

_PLOTS = (
    "plot_inventory",
    "plot_rating_heatmap",
    "plot_emotion_curve",
    "plot_funnel",
    "plot_moments_of_truth",
    "plot_before_after",
)


def __getattr__(name: str):
    """``journey.plot_*`` are the charts of :mod:`cxlib.plotting.journey`, imported on first use
    (so importing this statistics module never imports matplotlib)."""
    if name in _PLOTS:
        from .plotting import journey as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Journey stages in journey order (seed 003: 认知, 购买, 使用, 反馈).
STAGES = ("awareness", "purchase", "use", "feedback")
#: Touchpoint channels (seed 003: 线上, 线下, 产品).
CHANNELS = ("online", "offline", "product")

#: The world whose ``funnel_steps`` are the default funnel of :func:`funnel`.
_EVENTS_WORLD = "ecommerce"
_TIME_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0}


# --------------------------------------------------------------------------------------
# Data dictionary (the ONE place journey reads it)
# --------------------------------------------------------------------------------------


def _dictionary(world) -> Mapping:
    """The data dictionary of ``world`` ("hotel", "ecommerce") or ``world`` itself if a mapping.

    The only function in the module that reads a dictionary: it delegates to
    :func:`cxlib.datasets.dictionary` (cached; do not mutate the result). A mapping is
    passed through, so that your own data can bring its own ``touchpoints:`` list.
    """
    if isinstance(world, Mapping):
        return world
    if not isinstance(world, str):
        raise TypeError(
            f"world must be a world name such as 'hotel' or a dictionary mapping, got {type(world).__name__}"
        )
    from .datasets import dictionary

    return dictionary(world)


def _touchpoints(world) -> pd.DataFrame:
    """The dictionary's touchpoints, validated, in journey order (stage, then listed order)."""
    entries = _dictionary(world).get("touchpoints")
    if not entries:
        raise CXDataError(
            f"the data dictionary of {_world_name(world)!r} has no `touchpoints:` list"
        )
    problems = []
    for i, tp in enumerate(entries):
        missing = [k for k in ("id", "stage", "channel", "en", "zh") if k not in tp]
        if missing:
            problems.append(f"touchpoint #{i + 1} ({tp.get('id', '?')!r}) lacks {missing}")
            continue
        if tp["stage"] not in STAGES:
            problems.append(
                f"touchpoint {tp['id']!r} has stage {tp['stage']!r}; expected one of {list(STAGES)}"
            )
        if tp["channel"] not in CHANNELS:
            problems.append(
                f"touchpoint {tp['id']!r} has channel {tp['channel']!r}; expected one of {list(CHANNELS)}"
            )
    ids = [tp.get("id") for tp in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if dupes:
        problems.append(f"touchpoint ids {dupes} are listed more than once")
    if problems:
        raise CXDataError(f"data dictionary of {_world_name(world)!r}: " + "; ".join(problems))
    frame = pd.DataFrame(
        {
            "touchpoint": [tp["id"] for tp in entries],
            "stage": pd.Categorical(
                [tp["stage"] for tp in entries], categories=STAGES, ordered=True
            ),
            "channel": pd.Categorical(
                [tp["channel"] for tp in entries], categories=CHANNELS, ordered=True
            ),
            "column": pd.Series([tp.get("column") for tp in entries], dtype=object),
            "step": pd.Series([tp.get("step") for tp in entries], dtype=object),
            "name_en": [tp["en"] for tp in entries],
            "name_zh": [tp["zh"] for tp in entries],
        }
    )
    order = np.argsort(frame["stage"].cat.codes.to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _world_name(world) -> str:
    return world if isinstance(world, str) else str(world.get("world", "<mapping>"))


def _default_funnel_steps() -> list[str]:
    return list(_dictionary(_EVENTS_WORLD)["funnel_steps"])


# --------------------------------------------------------------------------------------
# Small helpers: validation and labels
# --------------------------------------------------------------------------------------


def _require(frame, columns: Sequence[str], table: str) -> None:
    require_columns(frame, columns, f"table '{table}'")


def _by_list(by) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if len(set(out)) != len(out):
        raise ValueError(f"by lists a column twice: {out}")
    return out


def _check_no_missing(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    for col in columns:
        miss = frame[col].isna().to_numpy()
        if miss.any():
            rows = list(frame.index[miss])
            raise CXDataError(
                f"table '{table}', column '{col}': missing values — "
                f"{format_examples(rows, label='index')}; expected a value in every row "
                f"(fill them, e.g. with 'unknown', or filter those rows out first)"
            )


def _check_conf(conf: float) -> float:
    if not (isinstance(conf, int | float) and 0 < conf < 1):
        raise ValueError(f"conf must be a number between 0 and 1 (e.g. 0.95), got {conf!r}")
    return float(conf)


def _z(conf: float) -> float:
    return float(stats.norm.ppf(0.5 + conf / 2))


# --------------------------------------------------------------------------------------
# Math on aggregates
# --------------------------------------------------------------------------------------


def _nps_from_counts(n, promoters, detractors) -> tuple[np.ndarray, np.ndarray]:
    """NPS in points and its variance in points² (Reichheld 2003; multinomial variance).

    NPS = 100·(p₊ − p₋); Var = 100²·(p₊ + p₋ − (p₊ − p₋)²)/n. NaN where n = 0.
    Same as ``cxlib.metrics.nps`` and R's ``NPS::nps_var``; kept here so that journey
    does not depend on the metrics module.
    """
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = np.asarray(promoters, dtype="float64") / n
        pm = np.asarray(detractors, dtype="float64") / n
        nps = 100 * (pp - pm)
        var = 100**2 * (pp + pm - (pp - pm) ** 2) / n
    return nps, var


def _mean_interval(n, mean, sd, conf: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard error and t interval mean ± t₍₁₋α/₂, n−1₎·sd/√n (NaN when n < 2)."""
    n = np.asarray(n, dtype="float64")
    mean = np.asarray(mean, dtype="float64")
    sd = np.asarray(sd, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n >= 2, sd / np.sqrt(n), np.nan)
        tcrit = stats.t.ppf(0.5 + conf / 2, np.where(n >= 2, n - 1, np.nan))
    return se, mean - tcrit * se, mean + tcrit * se


# --------------------------------------------------------------------------------------
# Inventory (the journey map)
# --------------------------------------------------------------------------------------


def touchpoint_inventory(world, lang: str = "en") -> pd.DataFrame:
    """The touchpoints of a world as a tidy table: the skeleton of a customer journey map.

    Touchpoints are classified twice (seed 003): by **channel** — online (website, app,
    social media), offline (front desk, delivery, service centre) and product (the
    product or room itself) — and by journey **stage** — awareness, purchase, use and
    feedback.

    Parameters
    ----------
    world : str or mapping
        ``"hotel"`` or ``"ecommerce"`` (reads ``cxlib/dictionaries/<world>.yml``), or an
        already loaded data dictionary with a ``touchpoints:`` list.
    lang : {"en", "zh"}
        Language of the ``name`` column.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint in journey order: ``touchpoint`` (id), ``name``,
        ``stage`` and ``channel`` (ordered categoricals), ``column`` (the survey rating
        column, missing if the touchpoint is not rated), ``step`` (the event-log funnel
        step, missing if not tracked), ``rated`` and ``in_funnel`` (bool).

    Raises
    ------
    CXDataError
        If a touchpoint lacks a field, has an unknown stage or channel, or an id repeats.

    Examples
    --------
    >>> inv = touchpoint_inventory("hotel")
    >>> inv.loc[inv.touchpoint == "checkin", ["stage", "channel", "column"]].values.tolist()
    [['use', 'offline', 'tp_checkin']]
    """
    check_lang(lang)
    tps = _touchpoints(world)
    out = pd.DataFrame(
        {
            "touchpoint": tps["touchpoint"],
            "name": tps[f"name_{lang}"],
            "stage": tps["stage"],
            "channel": tps["channel"],
            "column": tps["column"],
            "step": tps["step"],
            "rated": tps["column"].notna(),
            "in_funnel": tps["step"].notna(),
        }
    )
    return out


# --------------------------------------------------------------------------------------
# Touchpoint ratings and the emotion curve
# --------------------------------------------------------------------------------------


def _rating_spec(survey: pd.DataFrame, ratings, world) -> pd.DataFrame:
    """Which survey columns to use, in order, with their touchpoint ids (and names if world)."""
    if isinstance(ratings, str):
        ratings = [ratings]
    if world is not None:
        tps = _touchpoints(world)
        rated = tps[tps["column"].notna()].reset_index(drop=True)
        if ratings is None:
            spec = rated[rated["column"].isin(survey.columns)]
            if spec.empty:
                raise CXDataError(
                    f"table 'survey' has none of the rating columns of world {_world_name(world)!r}: "
                    f"expected some of {list(rated['column'])}; it has {[str(c) for c in survey.columns]}"
                )
        else:
            by_col = {c: i for i, c in enumerate(rated["column"])}
            by_id = {c: i for i, c in enumerate(rated["touchpoint"])}
            records = rated.to_dict("records")
            rows, unknown = [], []
            for r in ratings:
                if r in by_col:
                    rows.append(records[by_col[r]])
                elif r in by_id:
                    rows.append(records[by_id[r]])
                elif r in survey.columns:  # a column the dictionary does not know, e.g. a flag
                    rows.append({"touchpoint": str(r), "column": r})
                else:
                    unknown.append(r)
            if unknown:
                raise CXDataError(
                    f"unknown rating column(s) or touchpoint(s) {unknown}: neither in the data "
                    f"dictionary of {_world_name(world)!r} (columns {list(rated['column'])}, "
                    f"touchpoint ids {list(rated['touchpoint'])}) nor columns of the survey"
                )
            spec = pd.DataFrame(rows, columns=rated.columns)
            spec["stage"] = pd.Categorical(spec["stage"], categories=STAGES, ordered=True)
            spec["channel"] = pd.Categorical(spec["channel"], categories=CHANNELS, ordered=True)
        spec = spec.rename(columns={"column": "rating"}).drop(columns=["step"])
    else:
        if ratings is None:
            cols = [c for c in survey.columns if str(c).startswith("tp_")]
            if not cols:
                raise CXDataError(
                    "table 'survey' has no touchpoint rating columns (names starting with 'tp_'); "
                    f"pass ratings=[...] explicitly; it has {[str(c) for c in survey.columns]}"
                )
        else:
            cols = list(ratings)
        spec = pd.DataFrame(
            {
                "touchpoint": [str(c)[3:] if str(c).startswith("tp_") else str(c) for c in cols],
                "rating": cols,
            }
        )
    cols = list(spec["rating"])
    if not cols:
        raise ValueError("ratings is empty; name at least one rating column")
    dupes = sorted({c for c in cols if cols.count(c) > 1}, key=str)
    if dupes:
        raise ValueError(f"ratings lists {dupes} more than once")
    _require(survey, cols, "survey")
    return spec


def _numeric_ratings(survey: pd.DataFrame, cols: Sequence[str], scale) -> np.ndarray:
    """Validated ratings as a float matrix (rows × columns), NaN where missing."""
    low, high = _check_scale(scale)
    out = np.empty((len(survey), len(cols)), dtype="float64")
    for j, c in enumerate(cols):
        clean_scores(survey[c], low=low, high=high, name=str(c))  # raises ScoreError naming values
        out[:, j] = pd.to_numeric(survey[c].astype(object), errors="raise").to_numpy(
            dtype="float64", na_value=np.nan
        )
    return out


def _check_scale(scale) -> tuple[float, float]:
    try:
        low, high = scale
    except (TypeError, ValueError):
        raise ValueError(
            f"scale must be a (low, high) pair such as (1, 5), got {scale!r}"
        ) from None
    if not low < high:
        raise ValueError(f"scale must be (low, high) with low < high, got {scale!r}")
    return low, high


def _group_codes(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number per row (sorted groups) and the group keys as a DataFrame."""
    if not by:
        return np.zeros(len(frame), dtype=np.intp), pd.DataFrame(index=range(1))
    gb = frame.groupby(by, observed=True, sort=True)
    codes = gb.ngroup().to_numpy()
    keys = gb.size().index.to_frame(index=False)
    return codes, keys


def _rating_stats(survey, ratings, by, conf, world, scale) -> tuple[pd.DataFrame, list[str], int]:
    by = _by_list(by)
    conf = _check_conf(conf)
    _require(survey, by, "survey")
    spec = _rating_spec(survey, ratings, world)
    _check_no_missing(survey, by, "survey")
    values = _numeric_ratings(survey, list(spec["rating"]), scale)
    codes, keys = _group_codes(survey, by)
    g, k = len(keys), len(spec)
    # layer 1: sufficient statistics per group × touchpoint (count, sum, sum of squares)
    present = ~np.isnan(values)
    v0 = np.where(present, values, 0.0)
    size = np.bincount(codes, minlength=g).astype("float64")
    n = np.zeros((g, k))
    s1 = np.zeros((g, k))
    s2 = np.zeros((g, k))
    for j in range(k):  # one vectorised pass per rating column
        n[:, j] = np.bincount(codes, weights=present[:, j], minlength=g)
        s1[:, j] = np.bincount(codes, weights=v0[:, j], minlength=g)
        s2[:, j] = np.bincount(codes, weights=v0[:, j] ** 2, minlength=g)
    # layer 2: mean, sd and t interval
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, s1 / n, np.nan)
        var = np.where(n > 1, (s2 - n * mean**2) / (n - 1), np.nan)
    sd = np.sqrt(np.clip(var, 0, None))
    se, lo, hi = _mean_interval(n, mean, sd, conf)
    out = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    tiled = spec.loc[np.tile(np.arange(k), g)].reset_index(drop=True)
    out = pd.concat([out, tiled], axis=1)
    out["n"] = n.ravel().astype("int64")
    out["n_missing"] = (size[:, None] - n).ravel().astype("int64")
    out["mean"] = mean.ravel()
    out["sd"] = sd.ravel()
    out["se"] = se.ravel()
    out["ci_low"] = lo.ravel()
    out["ci_high"] = hi.ravel()
    return out, by, k


def touchpoint_ratings(
    survey: pd.DataFrame,
    ratings=None,
    by=None,
    conf: float = 0.95,
    *,
    world=None,
    scale=(1, 5),
) -> pd.DataFrame:
    r"""Mean rating of each touchpoint, with a t confidence interval, optionally per segment.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent with touchpoint rating columns (``tp_*``).
    ratings : list of str, optional
        Rating columns (or, with ``world``, touchpoint ids). Default: with ``world`` the
        dictionary's rated touchpoints that the survey has, in journey order; otherwise
        every ``tp_*`` column in the survey's order.
    by : str or list of str, optional
        Segment column(s) such as ``"property_id"`` or ``"platform"``; these must have
        no missing values.
    conf : float
        Confidence level of the interval.
    world : str or mapping, optional
        A world (``"hotel"``, ``"ecommerce"``) to add ``stage``, ``channel``,
        ``name_en`` and ``name_zh`` from its data dictionary.
    scale : (low, high)
        The rating scale; values outside it raise :class:`~cxlib.errors.ScoreError`.

    Returns
    -------
    pandas.DataFrame
        One row per segment × touchpoint: the ``by`` columns, ``touchpoint``, ``rating``
        (the column), [``stage``, ``channel``, ``name_en``, ``name_zh``], ``n`` (valid
        answers), ``n_missing`` (missing answers, excluded), ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high``.

    Notes
    -----
    .. math:: \bar x \pm t_{1-\alpha/2,\,n-1}\,\frac{s}{\sqrt n}

    computed from the sufficient statistics n, Σx and Σx² per group; the interval is
    missing when n < 2. Missing ratings (e.g. breakfast not taken) are excluded and
    counted in ``n_missing``; any other invalid value raises.

    Examples
    --------
    >>> survey = pd.DataFrame({"tp_checkin": [2, 4, None], "tp_room": [5, 4, 3]})
    >>> touchpoint_ratings(survey)[["touchpoint", "n", "n_missing", "mean"]].values.tolist()
    [['checkin', 2, 1, 3.0], ['room', 3, 0, 4.0]]
    """
    out, _, _ = _rating_stats(survey, ratings, by, conf, world, scale)
    return out


def emotion_curve(
    survey: pd.DataFrame,
    steps=None,
    by=None,
    conf: float = 0.95,
    *,
    world=None,
    scale=(1, 5),
) -> pd.DataFrame:
    """Mean rating at each journey step, in journey order: the emotion curve of a journey map.

    The curve strings the touchpoint ratings along the journey (booking → check-in →
    room → … → check-out) so that the peaks and the lowest point — the *moment of pain*
    that a journey-mapping workshop starts from — stand out. Per Rawson, Duncan & Jones
    (2013), judge the journey as a whole rather than each touchpoint alone.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    steps : list of str, optional
        Rating columns (or, with ``world``, touchpoint ids) **in journey order**.
        Default: with ``world`` the dictionary's rated touchpoints that the survey has,
        in journey order; otherwise every ``tp_*`` column in the survey's column order.
    by, conf, world, scale
        As in :func:`touchpoint_ratings`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`touchpoint_ratings` plus ``position`` (1, 2, … along
        the journey) and ``lowest`` (True at each segment's lowest mean; the first one
        on ties).

    References
    ----------
    Rawson, A., Duncan, E. & Jones, C. (2013). The truth about customer experience. HBR.

    Examples
    --------
    >>> survey = pd.DataFrame({"tp_booking": [5, 4], "tp_checkin": [2, 3], "tp_room": [4, 4]})
    >>> c = emotion_curve(survey)
    >>> c.loc[c.lowest, "touchpoint"].tolist()
    ['checkin']
    """
    out, by_cols, k = _rating_stats(survey, steps, by, conf, world, scale)
    pos = out.columns.get_loc("touchpoint")
    out.insert(pos, "position", np.tile(np.arange(1, k + 1), len(out) // k if k else 0))
    mean = out["mean"].to_numpy().reshape(-1, k)
    lowest = np.zeros_like(mean, dtype=bool)
    has = ~np.isnan(mean).all(axis=1)
    if has.any():
        idx = np.nanargmin(np.where(np.isnan(mean), np.inf, mean)[has], axis=1)
        lowest[np.flatnonzero(has), idx] = True
    out["lowest"] = lowest.ravel()
    return out


# --------------------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------------------


def _check_steps_arg(steps) -> list:
    """Validate the ``steps`` argument itself (not the data); default: the dictionary's funnel."""
    if steps is None:
        return _default_funnel_steps()
    if isinstance(steps, str):
        raise TypeError(f"steps must be a list of step names in funnel order, got the string {steps!r}")
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError(f"a funnel needs at least two steps, got {steps}")
    dupes = sorted({s for s in steps if steps.count(s) > 1}, key=str)
    if dupes:
        raise ValueError(f"steps lists {dupes} more than once")
    return steps


def _observed_steps(events) -> list:
    """Distinct step values of the events (one small query; only called to explain an error)."""
    from .engine import collect, lazy

    return sorted(map(str, collect(lazy(events).select("step").unique())["step"].dropna().tolist()))


def _resolve_steps(events, steps) -> tuple[list, list]:
    """The funnel steps in order and the step values allowed in the events.

    Step names outside the dictionary's funnel must occur in the events (one query, only
    when there are such names).
    """
    known = _default_funnel_steps()
    steps = _check_steps_arg(steps)
    foreign = [s for s in steps if s not in known]
    if foreign:
        observed = _observed_steps(events)
        unknown = [s for s in foreign if s not in observed]
        if unknown:
            raise CXDataError(
                f"unknown step name(s) {unknown} in steps; the events have steps {observed} and the "
                f"dictionary's funnel is {known}"
            )
    return steps, list(dict.fromkeys([*steps, *known]))


def _event_table(events, columns: Sequence[str], *, time: bool = False):
    """The event log for the aggregation layer: column check, and ISO text times parsed (pandas)."""
    from .engine import column_names

    have = column_names(events)
    missing = [c for c in columns if c not in have]
    if missing:
        raise CXDataError(
            f"table 'events' is missing column(s) {missing}; it has {have[:15]}" + (" …" if len(have) > 15 else "")
        )
    if time and isinstance(events, pd.DataFrame):
        ts = events["timestamp"]
        if not pd.api.types.is_datetime64_any_dtype(ts.dtype) or ts.hasnans:
            events = events.assign(timestamp=_timestamps(events))
    return events


def funnel(
    events,
    steps=None,
    by="platform",
    conf: float = 0.95,
    *,
    mode: str = "closed",
    leak: str = "rate",
) -> pd.DataFrame:
    r"""Conversion funnel from an event log: sessions per step, conversion, drop-off, biggest leak.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log with ``session_id``, ``step`` and the ``by`` columns (one row per event);
        a DuckDB relation over Parquet files (:func:`cxlib.engine.scan_parquet`) is
        aggregated inside DuckDB.
    steps : list of str, optional
        Funnel steps in order. Default: the e-commerce dictionary's ``funnel_steps``
        (home → search → product → cart → checkout → payment → order). With explicit
        steps, events of other dictionary steps are ignored (a sub-funnel such as
        ``["cart", "checkout", "payment", "order"]``); any other step value raises.
    by : str, list of str or None
        Session-level group column(s), ``"platform"`` by default. A session must keep
        one value; ``None`` for a single funnel.
    conf : float
        Confidence level of the Wilson intervals.
    mode : {"closed", "open"}
        How a session *reaches* step k. ``"closed"`` (default, as Mixpanel/Amplitude
        funnels): it has an event of step k **and** of every earlier step.
        ``"open"``: it has an event of step k or of any later step (a session that
        entered mid-funnel is taken to have passed the earlier steps). Either way a
        session counts once per step however many events it has there, and counts
        never increase along the funnel.
    leak : {"rate", "sessions"}
        What "largest loss" means for ``biggest_leak``: the highest drop-off rate
        (default) or the most sessions lost.

    Returns
    -------
    pandas.DataFrame
        One row per group × step: the ``by`` columns, ``step``, ``position`` (1…K),
        ``sessions`` (reaching the step, see ``mode``), ``sessions_with_event`` (with
        any event of the step, whatever came before), ``conversion_prev`` with
        ``prev_ci_low``/``prev_ci_high``, ``conversion_first`` with ``first_ci_low``/
        ``first_ci_high``, ``drop_off`` (sessions lost since the previous step),
        ``drop_off_rate`` and ``biggest_leak`` (True on the step whose transition from
        the previous step loses most, one per group; none if nothing is lost).

    Notes
    -----
    Two layers: :func:`cxlib.aggregate.behaviour.step_set_counts` counts sessions per group
    and *set of steps seen* inside the engine (one group-by per session, one per set), and
    :func:`cxlib.stats.funnel.reach_from_step_sets` and
    :func:`cxlib.stats.funnel.funnel_from_counts` turn those counts into the funnel. With
    n_k sessions reaching step k, conversion from the previous step is n_k / n_{k−1} and
    from the first step n_k / n_1, each with the Wilson (1927) score interval

    .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}{1 + z^2/n}.

    **Time order is not checked**: a session whose timestamps run against the funnel
    order (e.g. a payment logged before the cart) still reaches the steps it has
    events for; :func:`step_times` reports such sessions as ``n_out_of_order``.

    Raises
    ------
    CXDataError
        Missing columns, missing step values or session ids, step values outside the
        funnel, unknown names in ``steps``, or a session whose ``by`` value changes.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22, 209–212.

    Examples
    --------
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "step": ["cart", "payment", "order", "cart", "payment", "cart"]})
    >>> f = funnel(ev, steps=["cart", "payment", "order"], by=None)
    >>> f[["step", "sessions", "conversion_prev", "biggest_leak"]].values.tolist()
    [['cart', 3, nan, False], ['payment', 2, 0.6666666666666666, False], ['order', 1, 0.5, True]]
    """
    from .aggregate.behaviour import step_set_counts
    from .stats.funnel import funnel_from_counts, reach_from_step_sets

    by_cols = _by_list(by)
    conf = _check_conf(conf)
    if mode not in ("closed", "open"):
        raise ValueError(f"mode must be 'closed' or 'open', got {mode!r}")
    if leak not in ("rate", "sessions"):
        raise ValueError(f"leak must be 'rate' or 'sessions', got {leak!r}")
    events = _event_table(events, ["session_id", "step", *by_cols])
    steps, allowed = _resolve_steps(events, steps)
    sets = step_set_counts(events, steps, by=by_cols, allowed=allowed)
    sets = sets[sets["mask"] > 0]
    k = len(steps)
    if by_cols:
        groups = sets[by_cols].drop_duplicates().reset_index(drop=True)
        codes = groups.reset_index().merge(sets, on=by_cols, how="right")["index"].to_numpy()
    else:
        groups = pd.DataFrame(index=range(1))
        codes = np.zeros(len(sets), dtype=np.intp)
    reached = np.zeros((len(groups), k), dtype=np.int64)
    with_event = np.zeros((len(groups), k), dtype=np.int64)
    for g in range(len(groups)):  # one iteration per group (a handful), not per row
        sel = codes == g
        reached[g], with_event[g] = reach_from_step_sets(
            sets["mask"].to_numpy()[sel], sets["sessions"].to_numpy()[sel], k, mode
        )
    counts = groups.loc[groups.index.repeat(k)].reset_index(drop=True)
    counts["step"] = np.tile(np.asarray(steps, dtype=object), len(groups))
    counts["position"] = np.tile(np.arange(1, k + 1), len(groups))
    counts["sessions"] = reached.ravel()
    counts["sessions_with_event"] = with_event.ravel()
    return funnel_from_counts(counts, by_cols, conf, leak)


# --------------------------------------------------------------------------------------
# Step times
# --------------------------------------------------------------------------------------


def _timestamps(events: pd.DataFrame) -> pd.Series:
    ts = events["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(ts.dtype):
        try:
            ts = pd.to_datetime(ts, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise CXDataError(
                f"table 'events', column 'timestamp': values that are not date-times ({exc}); "
                "expected datetime64 values or ISO 8601 strings such as '2026-03-01 10:15:00'"
            ) from None
    _check_no_missing(pd.DataFrame({"timestamp": ts}, index=events.index), ["timestamp"], "events")
    return ts


def step_times(
    events,
    steps=None,
    by="platform",
    *,
    unit: str = "s",
) -> pd.DataFrame:
    """Time from each funnel step to the next: median, quartiles and IQR per group.

    For every session that has both steps k−1 and k, the duration is the time from
    its **first** event of step k−1 to its **first** event of step k.

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log with ``session_id``, ``step``, ``timestamp`` (date-times; ISO 8601
        strings are parsed for a pandas table; no missing values) and the ``by`` columns.
    steps : list of str, optional
        Funnel steps in order (default and validation as in :func:`funnel`).
    by : str, list of str or None
        Session-level group column(s).
    unit : {"s", "min", "h"}
        Unit of the returned durations.

    Returns
    -------
    pandas.DataFrame
        One row per group × consecutive pair of steps: the ``by`` columns,
        ``from_step``, ``to_step``, ``n`` (sessions with both steps in time order),
        ``n_out_of_order``, ``median``, ``q1``, ``q3``, ``iqr`` (= q3 − q1), ``mean``
        in ``unit`` (``.attrs["unit"]``). Quartiles use linear interpolation
        (pandas/numpy default).

    Notes
    -----
    A session whose step k happens **before** step k−1 (a negative duration, e.g. a
    reloaded page or clock skew) is not a duration: it is counted in
    ``n_out_of_order`` and left out of ``n``, the median and the quartiles. Sessions
    that skip step k−1 or k give no duration for that pair.

    The engine returns sessions per group, pair and duration in whole microseconds
    (:func:`cxlib.aggregate.behaviour.step_duration_counts`), the exact distribution, so
    the quantiles (:func:`cxlib.stats.funnel.quantiles_from_counts`) equal those of the
    raw durations on every engine.

    Examples
    --------
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b", "b"], "step": ["cart", "payment"] * 2,
    ...     "timestamp": pd.to_datetime(["2026-01-01 10:00:00", "2026-01-01 10:00:30",
    ...                                  "2026-01-01 11:00:00", "2026-01-01 11:01:30"])})
    >>> step_times(ev, steps=["cart", "payment"], by=None)[["n", "median"]].values.tolist()
    [[2.0, 60.0]]
    """
    from .aggregate.behaviour import step_duration_counts
    from .stats.funnel import durations_from_counts

    by_cols = _by_list(by)
    if unit not in _TIME_UNITS:
        raise ValueError(f"unit must be one of {list(_TIME_UNITS)}, got {unit!r}")
    events = _event_table(events, ["session_id", "step", "timestamp", *by_cols], time=True)
    steps, allowed = _resolve_steps(events, steps)
    counts = step_duration_counts(events, steps, by=by_cols, allowed=allowed).rename(columns={"microseconds": "duration"})
    m = len(steps) - 1
    groups = counts[by_cols].drop_duplicates().sort_values(by_cols) if by_cols else pd.DataFrame(index=range(1))
    full = groups.loc[groups.index.repeat(m)].reset_index(drop=True)
    full["pair"] = np.tile(np.arange(m), len(groups))
    stats_ = durations_from_counts(counts, [*by_cols, "pair"], scale=1e6 * _TIME_UNITS[unit])
    out = full.merge(stats_, on=[*by_cols, "pair"], how="left")
    out.insert(len(by_cols), "from_step", np.asarray(steps[:-1], dtype=object)[out["pair"].to_numpy()])
    out.insert(len(by_cols) + 1, "to_step", np.asarray(steps[1:], dtype=object)[out["pair"].to_numpy()])
    out = out.drop(columns="pair")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["n_out_of_order"] = out["n_out_of_order"].fillna(0).astype("int64")
    out.attrs["unit"] = unit
    return out


# --------------------------------------------------------------------------------------
# Moments of truth
# --------------------------------------------------------------------------------------


def moments_of_truth(
    survey: pd.DataFrame,
    ratings=None,
    outcome: str = "nps",
    low=(1, 2),
    conf: float = 0.95,
    *,
    world=None,
    scale=(1, 5),
    kind: str = "auto",
) -> pd.DataFrame:
    r"""Which touchpoints are moments of truth: what their low ratings cost the outcome.

    Carlzon (1987) called the brief encounters that decide what a customer thinks of a
    company *moments of truth*. Here a touchpoint is a moment of truth when the
    respondents who rated it low are much less loyal than the rest **and** many
    respondents rate it low. For each touchpoint the respondents (with both the rating
    and the outcome) split into *low* (rating in ``low``, or True for a bool flag column) and
    *rest*, and

    * ``difference`` = outcome(rest) − outcome(low) (positive: low raters are less loyal);
    * ``share_low`` = s = n_low / n (among the respondents who rated the touchpoint);
    * ``cost_raters`` = s × difference. Because outcome(all) = s·outcome(low) +
      (1 − s)·outcome(rest), this is exactly outcome(rest) − outcome(all) among the raters;
    * ``cost`` = (n_low / N) × difference, N = every respondent with an outcome answer:
      the points the **whole sample's** outcome would gain if the low raters answered like
      the other raters. Touchpoints that only some customers use (breakfast, returns,
      support) are rated by few, so only this version is comparable across touchpoints;
      the ranking uses it (``share_low_all`` = n_low / N). When every respondent rates every
      touchpoint, cost = cost_raters.

    It is an association, not a causal effect (confounding, and a halo between the
    rating and the outcome, inflate it).

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    ratings : list of str, optional
        Rating columns (or touchpoint ids with ``world``); default as in
        :func:`touchpoint_ratings`. A column of **bool** dtype is a flag of a bad
        experience instead of a rating (True = "low"; missing allowed with pandas'
        ``boolean`` dtype), e.g. ``stays.checkin_wait_min > 15`` joined to the survey
        for the check-in wait case.
    outcome : str
        The outcome column: ``"nps"`` (0–10 likelihood to recommend) or another
        numeric column such as ``"overall_sat"`` or ``"csat"``.
    low : sequence of int
        Ratings that count as low (default 1 and 2 on a 1–5 scale).
    conf : float
        Confidence level.
    world : str or mapping, optional
        Adds ``stage``, ``channel``, ``name_en``, ``name_zh``.
    scale : (low, high)
        Scale of the rating columns.
    kind : {"auto", "nps", "mean"}
        ``"nps"`` compares NPS (points), ``"mean"`` compares means; ``"auto"`` uses NPS
        when the outcome column is called ``nps``.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, ranked by ``cost`` (largest first): ``touchpoint``,
        ``rating``, [``stage``, ``channel``, ``name_en``, ``name_zh``], ``n`` (respondents
        with both answers), ``n_missing`` (rating or outcome missing; excluded),
        ``n_low``, ``share_low``, ``outcome_low``, ``outcome_rest``, ``outcome_all``,
        ``difference``, ``se``, ``ci_low``, ``ci_high``, ``z``, ``p_value``, ``cost``
        and ``rank``. ``.attrs`` holds ``outcome`` and ``kind``. A touchpoint whose cost
        cannot be computed — no respondent with both answers (n = 0), or no low or no other
        rating — is listed last with ``rank`` missing (<NA>), never ranked; their number and
        ids are in ``.attrs["n_unranked"]`` and ``.attrs["unranked"]``.

    Notes
    -----
    NPS of each group (Reichheld 2003): NPS = 100·(p₊ − p₋), with the multinomial
    variance Var = 100²·(p₊ + p₋ − (p₊ − p₋)²)/n. The two groups are independent, so

    .. math:: z = \frac{NPS_{rest} - NPS_{low}}{\sqrt{Var_{rest} + Var_{low}}},
              \quad CI = d \pm z_{1-\alpha/2}\sqrt{Var_{rest} + Var_{low}}

    (the same test as ``cxlib.metrics.nps_test`` and R's ``NPS::nps_test``). For a
    mean outcome the same Wald form uses Var = s²/n per group (Welch's standard error
    with a normal reference, fine for survey-sized groups). p-values are two-sided.

    References
    ----------
    Carlzon, J. (1987). *Moments of Truth*. Ballinger.
    Rawson, A., Duncan, E. & Jones, C. (2013). The truth about customer experience. HBR.
    Reichheld, F. F. (2003). The one number you need to grow. HBR.

    Examples
    --------
    >>> survey = pd.DataFrame({"tp_checkin": [1, 2, 4, 5], "nps": [3, 6, 10, 9]})
    >>> m = moments_of_truth(survey, ["tp_checkin"])
    >>> m[["outcome_low", "outcome_rest", "difference", "share_low", "cost"]].values.tolist()
    [[-100.0, 100.0, 200.0, 0.5, 100.0]]
    """
    conf = _check_conf(conf)
    if kind not in ("auto", "nps", "mean"):
        raise ValueError(f"kind must be 'auto', 'nps' or 'mean', got {kind!r}")
    spec = _rating_spec(survey, ratings, world)
    _require(survey, [outcome], "survey")
    if kind == "auto":
        kind = "nps" if str(outcome).lower() == "nps" else "mean"
    lo, hi = _check_scale(scale)
    low = [low] if isinstance(low, int | float) else list(low)
    bad_low = [v for v in low if not (lo <= v <= hi)]
    if not low or bad_low:
        raise ValueError(f"low must list rating values on the {lo:g}–{hi:g} scale, got {low!r}")
    present, lowered = _low_matrix(survey, list(spec["rating"]), low, scale)
    if kind == "nps":
        clean_scores(survey[outcome], low=0, high=10, name=str(outcome))
    else:
        clean_scores(survey[outcome], low=-np.inf, high=np.inf, name=str(outcome), integer=False)
    y = pd.to_numeric(survey[outcome].astype(object), errors="raise").to_numpy(
        dtype="float64", na_value=np.nan
    )
    # layer 1: per touchpoint × {low, rest}: counts (NPS) or n, Σy, Σy² (mean)
    valid = present & ~np.isnan(y)[:, None]
    is_low = valid & lowered
    is_rest = valid & ~is_low
    n_low, n_rest = is_low.sum(0).astype("float64"), is_rest.sum(0).astype("float64")
    n = n_low + n_rest
    y0 = np.nan_to_num(y)[:, None]
    if kind == "nps":
        prom, det = (y0 >= 9), (y0 <= 6)
        est_low, var_low = _nps_from_counts(n_low, (is_low & prom).sum(0), (is_low & det).sum(0))
        est_rest, var_rest = _nps_from_counts(
            n_rest, (is_rest & prom).sum(0), (is_rest & det).sum(0)
        )
        est_all, _ = _nps_from_counts(n, (valid & prom).sum(0), (valid & det).sum(0))
    else:

        def _mean_var(mask):
            cnt = mask.sum(0).astype("float64")
            s1, s2 = (mask * y0).sum(0), (mask * y0**2).sum(0)
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(cnt > 0, s1 / cnt, np.nan)
                var = np.where(cnt > 1, (s2 - cnt * mean**2) / (cnt - 1), np.nan)
                return mean, np.clip(var, 0, None) / cnt

        est_low, var_low = _mean_var(is_low)
        est_rest, var_rest = _mean_var(is_rest)
        est_all, _ = _mean_var(valid)
    # layer 2: difference of independent groups
    diff = est_rest - est_low
    se = np.sqrt(var_low + var_rest)
    zc = _z(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.nan)
        share = np.where(n > 0, n_low / n, np.nan)
    out = spec.copy()
    out["n"] = n.astype("int64")
    out["n_missing"] = (len(survey) - n).astype("int64")
    out["n_low"] = n_low.astype("int64")
    out["share_low"] = share
    out["outcome_low"] = est_low
    out["outcome_rest"] = est_rest
    out["outcome_all"] = est_all
    out["difference"] = diff
    out["se"] = se
    out["ci_low"] = diff - zc * se
    out["ci_high"] = diff + zc * se
    out["z"] = z
    out["p_value"] = 2 * stats.norm.sf(np.abs(z))
    n_outcome = float((~np.isnan(y)).sum())
    out["cost_raters"] = share * diff
    out["share_low_all"] = n_low / n_outcome if n_outcome > 0 else np.nan
    out["cost"] = out["share_low_all"] * diff
    out = out.sort_values("cost", ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )
    # a touchpoint without a cost (nobody rated it with an outcome, or nobody / everybody rated
    # it low) is not a moment of truth of any size: it is listed last, unranked, and counted
    ranked = np.isfinite(out["cost"].to_numpy(dtype="float64"))
    rank = np.full(len(out), np.nan)
    rank[ranked] = np.arange(1, int(ranked.sum()) + 1)
    out["rank"] = pd.array(rank, dtype="Int64")
    out.attrs.update(outcome=str(outcome), kind=kind, n_unranked=int((~ranked).sum()),
                     unranked=out.loc[~ranked, "touchpoint"].tolist())
    return out


def _low_matrix(
    survey: pd.DataFrame, cols: list, low: list, scale
) -> tuple[np.ndarray, np.ndarray]:
    """Answered (rows × columns) and low-experience masks; bool columns are flags (True = low)."""
    flag = np.array([pd.api.types.is_bool_dtype(survey[c].dtype) for c in cols], dtype=bool)
    present = np.zeros((len(survey), len(cols)), dtype=bool)
    lowered = np.zeros_like(present)
    rated = [c for c, f in zip(cols, flag, strict=True) if not f]
    if rated:
        r = _numeric_ratings(survey, rated, scale)
        present[:, ~flag] = ~np.isnan(r)
        lowered[:, ~flag] = np.isin(r, low)
    for j in np.flatnonzero(flag):
        v = survey[cols[j]]
        present[:, j] = v.notna().to_numpy()
        lowered[:, j] = v.fillna(False).to_numpy(dtype=bool)
    return present, lowered


# --------------------------------------------------------------------------------------
# Before / after a release
# --------------------------------------------------------------------------------------


def _release_timestamp(release_date, tz) -> pd.Timestamp:
    try:
        release = pd.Timestamp(release_date)
    except (ValueError, TypeError):
        raise ValueError(f"release_date must be a date such as '2026-03-01', got {release_date!r}") from None
    if pd.isna(release):
        raise ValueError(f"release_date is missing: {release_date!r}")
    if tz is not None and release.tzinfo is None:
        release = release.tz_localize(tz)
    elif tz is None and release.tzinfo is not None:
        raise ValueError("release_date has a time zone but the event timestamps do not; drop one of them")
    return release


def before_after(
    events,
    release_date,
    step: str = "payment",
    next_step: str = "order",
    by="platform",
    conf: float = 0.95,
    *,
    window_days: int | None = None,
) -> pd.DataFrame:
    r"""Did a release lift the conversion from ``step`` to ``next_step``? Before vs after, per group.

    The one before/after rule of the workbook (also behind :func:`cxlib.heart.before_after`):
    every session with an event of ``step`` is *before* if its **first** ``step`` event is
    earlier than ``release_date`` and *after* otherwise (a release on a date counts from
    00:00 of that day). It *converts* if it also has an event of ``next_step``
    (anywhere in the session: time order is not checked, as in :func:`funnel`).

    Parameters
    ----------
    events : pandas, Polars, PyArrow, DuckDB, Dask or PySpark table
        Event log with ``session_id``, ``step``, ``timestamp`` and the ``by`` columns.
    release_date : str, date or Timestamp
        When the feature went live, e.g. the ``release_date`` of ``one_click_pay`` in
        the ``releases`` table. With tz-aware timestamps a naive date is taken in their
        time zone.
    step, next_step : str
        The transition to compare (default payment → order, where one-click pay acts).
    by : str, list of str or None
        Session-level group column(s), ``"platform"`` by default.
    conf : float
        Confidence level.
    window_days : int, optional
        Only sessions whose first ``step`` event lies within this many days either side of
        the release (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_before``, ``converted_before``,
        ``rate_before``, ``ci_low_before``, ``ci_high_before`` (Wilson), the same
        ``_after``, ``difference`` (after − before) with Newcombe's ``ci_low``/``ci_high``,
        ``z``, ``p_value``, ``cohens_h`` and ``relative_lift`` (rate_after / rate_before − 1).
        A group with no session on one side has NaN rates and tests for that side.

    Notes
    -----
    Counts come from :func:`cxlib.aggregate.behaviour.before_after_counts` (inside the
    engine) and the statistics from :func:`cxlib.stats.funnel.before_after_from_counts`:

    * Difference CI: Newcombe's (1998, method 10) hybrid score interval from the
      Wilson intervals (l₁, u₁), (l₂, u₂) of the two rates, d = p₂ − p₁:
      L = d − √((p₂ − l₂)² + (u₁ − p₁)²), U = d + √((u₂ − p₂)² + (p₁ − l₁)²).
    * Test: pooled two-proportion z-test, z = (p₂ − p₁)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)),
      two-sided p (same as ``statsmodels.stats.proportion.proportions_ztest``).
    * Effect size: Cohen's (1988) h = 2·arcsin√p₂ − 2·arcsin√p₁ (0.2 small, 0.5
      medium, 0.8 large).

    A before/after comparison is not an experiment: seasonality or other changes at
    the same time can masquerade as the release's effect; compare with a group that
    did not get the feature (e.g. the other platform) when you can.

    References
    ----------
    Newcombe, R. G. (1998). *Statistics in Medicine*, 17, 873–890.
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*.
    Wilson, E. B. (1927). *JASA*, 22, 209–212.

    Examples
    --------
    >>> ev = pd.DataFrame({
    ...     "session_id": ["a", "a", "b", "c", "c", "d", "d"],
    ...     "step": ["payment", "order", "payment", "payment", "order", "payment", "order"],
    ...     "timestamp": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-02", "2026-02-01",
    ...                                  "2026-02-01", "2026-02-02", "2026-02-02"])})
    >>> ba = before_after(ev, "2026-01-15", by=None)
    >>> ba[["rate_before", "rate_after", "difference"]].values.tolist()
    [[0.5, 1.0, 0.5]]
    """
    from .aggregate.behaviour import before_after_counts
    from .engine import lazy

    by_cols = _by_list(by)
    conf = _check_conf(conf)
    if step == next_step:
        raise ValueError(f"step and next_step must differ, got {step!r} twice")
    if window_days is not None and (not isinstance(window_days, int | np.integer) or window_days < 1):
        raise ValueError(f"window_days must be a whole number of days ≥ 1, got {window_days!r}")
    if _is_session_table(events, step, next_step):
        return _before_after_of_sessions(events, release_date, step, next_step, by_cols, conf, window_days)
    events = _event_table(events, ["session_id", "step", "timestamp", *by_cols], time=True)
    known = _default_funnel_steps()
    if step not in known or next_step not in known:
        observed = _observed_steps(events)
        unknown = [s for s in (step, next_step) if s not in observed and s not in known]
        if unknown:
            raise CXDataError(f"unknown step name(s) {unknown}; the events have steps {observed}")
    dtype = lazy(events).collect_schema()["timestamp"]
    release = _release_timestamp(release_date, getattr(dtype, "time_zone", None))
    counts = before_after_counts(events, release, step, next_step, by=by_cols, window_days=window_days)
    return _before_after_result(counts, release, step, next_step, conf, window_days)


def _is_session_table(data, step: str, next_step: str) -> bool:
    """A one-row-per-session table (:func:`cxlib.heart.sessions`) with the two steps' columns."""
    from .engine import column_names

    cols = set(column_names(data))
    return "session_id" not in cols and {f"t_{step}", f"reached_{next_step}", "start"} <= cols


def _before_after_of_sessions(sessions, release_date, step, next_step, by_cols, conf, window_days):
    """:func:`before_after` on a sessions table: the same rule on its ``t_<step>`` column."""
    from .aggregate.behaviour import session_before_after_counts
    from .engine import lazy

    lf = lazy(sessions)
    schema = lf.collect_schema()
    missing = [c for c in by_cols if c not in schema.names()]
    if missing:
        raise CXDataError(f"table 'sessions' is missing column(s) {missing}")
    release = _release_timestamp(release_date, getattr(schema[f"t_{step}"], "time_zone", None))
    counts = session_before_after_counts(lf, release, time=f"t_{step}", converted=f"reached_{next_step}",
                                         by=by_cols, window_days=window_days)
    return _before_after_result(counts, release, step, next_step, conf, window_days)


def _before_after_result(counts, release, step, next_step, conf, window_days) -> pd.DataFrame:
    from .stats.funnel import before_after_from_counts

    n_before, n_after = int(counts["n_before"].sum()), int(counts["n_after"].sum())
    if n_before == 0 or n_after == 0:
        side = "after" if n_after == 0 else "before"
        first, last = counts.attrs.get("first"), counts.attrs.get("last")
        raise CXDataError(
            f"no session reached step {step!r} {side} the release date {release}; the "
            f"{step!r} events run from {first} to {last}"
            if n_before + n_after
            else f"no session has an event of step {step!r}"
        )
    out = before_after_from_counts(counts, conf)
    out.attrs.update(step=step, next_step=next_step, release_date=str(release), window_days=window_days)
    return out


def peak_end(survey: pd.DataFrame, touchpoints, outcome: str, *, min_rated: int = 2,
             conf: float = 0.95) -> pd.DataFrame:
    """Peak–end rule: does the worst or the last touchpoint predict the outcome better than the mean?

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent.
    touchpoints : list of str
        Touchpoint rating columns in journey order (the last one rated is the "end").
    outcome : str
        The outcome to predict (e.g. the 0–10 recommend answer).
    min_rated : int
        Respondents who rated fewer touchpoints are excluded (and counted in ``excluded``).
    conf : float
        Confidence level of the correlations' Fisher intervals.

    Returns
    -------
    pandas.DataFrame
        One row per summary of the journey: ``mean`` (of the touchpoints rated), ``worst`` (the
        lowest rating: the "peak" of pain), ``last`` (the last touchpoint rated) and ``peak_end``
        ((worst + last)/2, Kahneman's rule); columns ``n``, ``r``, ``r2``, ``ci_low``, ``ci_high``
        (Fisher z interval of r), ``vs_mean`` (r − r_mean), ``t`` and ``p_value`` (Williams' test
        of r = r_mean on the same respondents), ``beats_mean`` (r > r_mean with p < 1 − conf),
        ``excluded``.

    Notes
    -----
    Per respondent, over the touchpoints they rated: mean, minimum and last rating. Each summary is
    correlated with the outcome; the Fisher interval is tanh(atanh r ± z/√(n − 3)). Two summaries
    are compared with Williams' t for dependent correlations (:mod:`cxlib.stats.correlation`),
    because both are computed from the same answers.

    References
    ----------
    Kahneman, D., Fredrickson, B. L., Schreiber, C. A., & Redelmeier, D. A. (1993). When more pain
    is preferred to less: adding a better end. *Psychological Science* 4, 401–405.
    Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix. *Psychological
    Bulletin* 87, 245–251.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [5, 4, 2, 5, 3], "b": [5, 2, 4, 4, 1], "nps": [10, 5, 6, 9, 2]})
    >>> peak_end(s, ["a", "b"], "nps").loc[["mean", "worst"], "n"].tolist()
    [5, 5]
    """
    from .stats.correlation import dependent_correlations_test
    from .stats.proportions import critical_z

    z = critical_z(conf)
    touchpoints = list(touchpoints)
    require_columns(survey, [*touchpoints, outcome], "survey")
    if isinstance(min_rated, bool) or not isinstance(min_rated, int) or min_rated < 1:
        raise ValueError(f"min_rated must be a positive whole number, got {min_rated!r}")
    ratings = survey[touchpoints].apply(pd.to_numeric, errors="coerce")
    y = pd.to_numeric(survey[outcome], errors="coerce")
    keep = (ratings.notna().sum(axis=1) >= min_rated) & y.notna()
    ratings, y = ratings[keep], y[keep].to_numpy(dtype=float)
    n = len(y)
    if n < 4:
        raise CXDataError(f"peak-end needs at least 4 respondents with {min_rated}+ ratings and an "
                          f"{outcome!r} answer; found {n}")
    last = ratings.ffill(axis=1).iloc[:, -1]
    worst = ratings.min(axis=1)
    summaries = pd.DataFrame({"mean": ratings.mean(axis=1), "worst": worst, "last": last,
                              "peak_end": (worst + last) / 2})
    corr = np.corrcoef(np.column_stack([y, summaries.to_numpy(dtype=float)]), rowvar=False)
    r = corr[0, 1:]
    half = z / np.sqrt(n - 3)
    rows = []
    for i, name in enumerate(summaries.columns):
        test = dependent_correlations_test(float(r[i]), float(r[0]), float(corr[1 + i, 1]), n) if i else None
        rows.append({"summary": name, "n": n, "r": r[i], "r2": r[i] ** 2,
                     "ci_low": np.tanh(np.arctanh(r[i]) - half), "ci_high": np.tanh(np.arctanh(r[i]) + half),
                     "vs_mean": r[i] - r[0], "t": test["t"] if test else np.nan,
                     "p_value": test["p_value"] if test else np.nan, "excluded": int((~keep).sum())})
    out = pd.DataFrame(rows).set_index("summary")
    out["beats_mean"] = (out["vs_mean"] > 0) & (out["p_value"] < 1 - conf)
    return out
