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

Every statistic is computed in two layers (see ``DESIGN.md``): rows are aggregated to
counts, sums or a sessions × steps matrix, and the math runs on those aggregates
(``_funnel_from_counts``, ``_before_after_from_counts``, ``_nps_from_counts``,
``_wilson_interval``, ``_newcombe_interval``).

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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import transforms
from scipy import stats

from ._validate import clean_scores, require_columns
from .errors import CXDataError, format_examples
from .i18n import check_lang, t

__all__ = [
    "STAGES",
    "CHANNELS",
    "touchpoint_inventory",
    "plot_inventory",
    "touchpoint_ratings",
    "plot_rating_heatmap",
    "emotion_curve",
    "plot_emotion_curve",
    "funnel",
    "plot_funnel",
    "step_times",
    "moments_of_truth",
    "plot_moments_of_truth",
    "before_after",
    "plot_before_after",
]

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


def _label(key: str, lang: str, default: str) -> str:
    """``t(key, lang)`` if the label exists, else ``default`` (for data values without a label)."""
    try:
        return t(key, lang)
    except KeyError:
        return default


def _value_label(column: str, value, lang: str) -> str:
    """Shared labels first (``platform.web``, ``property.city`` from labels_core), then journey's."""
    base = column[: -len("_id")] if column.endswith("_id") else column
    for key in (f"{column}.{value}", f"{base}.{value}", f"journey.value.{column}.{value}"):
        text = _label(key, lang, "")
        if text:
            return text
    return str(value)


def _step_label(step, lang: str) -> str:
    return _label(f"journey.step.{step}", lang, str(step))


def _group_columns(table: pd.DataFrame, first_column: str) -> list[str]:
    """The grouping columns of a result table: those before ``first_column``."""
    return [str(c) for c in table.columns[: table.columns.get_loc(first_column)]]


def _group_labels(table: pd.DataFrame, by: list[str], lang: str) -> pd.Series:
    if not by:
        return pd.Series(t("journey.all", lang), index=table.index)
    parts = [table[c].map(lambda v, c=c: _value_label(c, v, lang)).astype(str) for c in by]
    out = parts[0]
    for p in parts[1:]:
        out = out + " · " + p
    return out


def _touchpoint_labels(table: pd.DataFrame, lang: str) -> pd.Series:
    name = f"name_{lang}"
    if name in table.columns:
        return table[name].where(table[name].notna(), table["touchpoint"]).astype(str)
    return table["touchpoint"].astype(str)


# --------------------------------------------------------------------------------------
# Math on aggregates
# --------------------------------------------------------------------------------------


def _wilson_interval(x, n, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson (1927) score interval for ``x`` successes out of ``n``; NaN where ``n`` = 0.

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Delegates to :func:`cxlib.metrics.wilson_ci` (one implementation in the library).
    """
    from .metrics import wilson_ci

    x = np.asarray(x, dtype="float64")
    n = np.asarray(n, dtype="float64")
    shape = np.broadcast_shapes(x.shape, n.shape)
    n_ok = np.where(n > 0, n, np.nan)  # n = 0 (or missing) gives a missing interval
    low, high = wilson_ci(np.atleast_1d(x), np.atleast_1d(n_ok), conf)
    return np.asarray(low, dtype="float64").reshape(shape), np.asarray(
        high, dtype="float64"
    ).reshape(shape)


def _newcombe_interval(x1, n1, x2, n2, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    r"""Newcombe (1998, method 10) hybrid score interval for p₂ − p₁.

    With Wilson limits (l₁, u₁) for p₁ and (l₂, u₂) for p₂ and d = p₂ − p₁:

    .. math:: L = d - \sqrt{(p_2 - l_2)^2 + (u_1 - p_1)^2}, \quad
              U = d + \sqrt{(u_2 - p_2)^2 + (p_1 - l_1)^2}
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype="float64") for a in (x1, n1, x2, n2))
    l1, u1 = _wilson_interval(x1, n1, conf)
    l2, u2 = _wilson_interval(x2, n2, conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt(
        (u2 - p2) ** 2 + (p1 - l1) ** 2
    )


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


def plot_inventory(inventory, ax=None, lang: str = "en"):
    """Draw the journey map: a stage × channel grid listing the touchpoints in each cell.

    Parameters
    ----------
    inventory : DataFrame, str or mapping
        A table from :func:`touchpoint_inventory`, or a world (then built in ``lang``).
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
        Cells are shaded by the number of touchpoints; names in black are rated in the
        survey (grey: not rated), boxed names are steps of the event-log funnel. (Colour
        and boxes rather than bold/italic, which the CJK font does not have.)
    """
    check_lang(lang)
    if not isinstance(inventory, pd.DataFrame):
        inventory = touchpoint_inventory(inventory, lang)
    _require(inventory, ["touchpoint", "stage", "channel"], "inventory")
    ax = ax if ax is not None else plt.gca()
    names = inventory["name"] if "name" in inventory.columns else inventory["touchpoint"]
    stage = pd.Categorical(inventory["stage"], categories=STAGES)
    channel = pd.Categorical(inventory["channel"], categories=CHANNELS)
    counts = pd.crosstab(channel, stage, dropna=False).reindex(
        index=list(CHANNELS), columns=list(STAGES), fill_value=0
    )
    sns.heatmap(
        counts,
        ax=ax,
        cmap="Blues",
        cbar=False,
        vmin=0,
        vmax=max(1, counts.to_numpy().max()) * 2.5,
        linewidths=2,
        linecolor="white",
        annot=False,
    )
    rated = (
        inventory["rated"].to_numpy()
        if "rated" in inventory.columns
        else np.zeros(len(inventory), bool)
    )
    tracked = (
        inventory["in_funnel"].to_numpy()
        if "in_funnel" in inventory.columns
        else np.zeros(len(inventory), bool)
    )
    codes_s, codes_c = stage.codes, channel.codes
    for i in range(len(CHANNELS)):
        for j in range(len(STAGES)):
            members = np.flatnonzero((codes_c == i) & (codes_s == j))
            m = len(members)
            for k, row in enumerate(members):
                ax.text(
                    j + 0.5,
                    i + 0.5 + (k - (m - 1) / 2) * min(0.19, 0.9 / m),
                    str(names.iloc[row]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if rated[row] else "0.45",
                    bbox=(
                        {
                            "boxstyle": "round,pad=0.15",
                            "facecolor": "none",
                            "edgecolor": "0.35",
                            "linewidth": 0.6,
                        }
                        if tracked[row]
                        else None
                    ),
                )
    ax.set_xticklabels([t(f"stage.{s}", lang) for s in STAGES], rotation=0)
    ax.set_yticklabels([t(f"channel.{c}", lang) for c in CHANNELS], rotation=0)
    ax.set_xlabel(t("journey.axis.stage", lang))
    ax.set_ylabel(t("journey.axis.channel", lang))
    ax.set_title(t("journey.title.inventory", lang), pad=18)
    ax.text(
        0.5,
        1.01,
        t("journey.note.rated", lang),
        transform=ax.transAxes,
        fontsize=8,
        ha="center",
        va="bottom",
        color="0.3",
    )
    return ax


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


def plot_rating_heatmap(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Heatmap of mean ratings: touchpoints (rows) × segments (columns), annotated.

    Parameters
    ----------
    table : DataFrame
        From :func:`touchpoint_ratings` (or :func:`emotion_curve`).
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    _require(table, ["touchpoint", "mean"], "ratings table")
    ax = ax if ax is not None else plt.gca()
    by = [c for c in _group_columns(table, "touchpoint") if c != "position"]
    frame = pd.DataFrame(
        {
            "row": _touchpoint_labels(table, lang).to_numpy(),
            "col": _group_labels(table, by, lang).to_numpy(),
            "mean": table["mean"].to_numpy(),
        }
    )
    grid = frame.pivot(index="row", columns="col", values="mean")
    grid = grid.reindex(index=pd.unique(frame["row"]), columns=pd.unique(frame["col"]))
    sns.heatmap(
        grid,
        ax=ax,
        annot=True,
        fmt=".2f",
        cmap="RdYlGn",
        linewidths=0.5,
        cbar_kws={"label": t("journey.axis.mean_rating", lang)},
    )
    ax.tick_params(axis="y", labelrotation=0)
    ax.set_ylabel(t("journey.axis.touchpoint", lang))
    ax.set_xlabel(" · ".join(_label(f"journey.axis.{c}", lang, c) for c in by) if by else "")
    ax.set_title(t("journey.title.ratings", lang))
    return ax


def plot_emotion_curve(curve: pd.DataFrame, ax=None, lang: str = "en"):
    """Line of mean rating along the journey with a CI band; the lowest point is annotated.

    Parameters
    ----------
    curve : DataFrame
        From :func:`emotion_curve`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
        One line per segment; each segment's lowest point is ringed and the lowest of
        all is labelled "moment of pain". With ``stage`` in the table, dotted lines
        separate the journey stages.
    """
    check_lang(lang)
    _require(curve, ["position", "touchpoint", "mean", "ci_low", "ci_high"], "emotion curve")
    ax = ax if ax is not None else plt.gca()
    by = _group_columns(curve, "position")
    groups = _group_labels(curve, by, lang)
    names = _touchpoint_labels(curve, lang)
    palette = sns.color_palette(n_colors=max(1, groups.nunique()))
    for color, g in zip(palette, pd.unique(groups), strict=False):
        sel = (groups == g).to_numpy()
        x = curve["position"].to_numpy()[sel]
        ax.plot(x, curve["mean"].to_numpy()[sel], marker="o", color=color, label=g)
        ax.fill_between(
            x,
            curve["ci_low"].to_numpy()[sel],
            curve["ci_high"].to_numpy()[sel],
            color=color,
            alpha=0.2,
        )
    if "lowest" in curve.columns and curve["lowest"].any():
        low = curve[curve["lowest"].to_numpy()]
        ax.scatter(
            low["position"],
            low["mean"],
            s=160,
            facecolors="none",
            edgecolors="crimson",
            linewidths=2,
            zorder=3,
        )
        worst = curve.loc[curve["mean"].idxmin()]
        lows = curve["ci_low"].to_numpy(dtype="float64")
        floor = np.nanmin(np.where(np.isnan(lows), curve["mean"].to_numpy(dtype="float64"), lows))
        top = np.nanmax(curve[["mean", "ci_high"]].to_numpy(dtype="float64"))
        span = max(top - floor, 1e-9)
        ax.set_ylim(floor - 0.25 * span, top + 0.05 * span)
        ax.annotate(
            t("journey.note.moment_of_pain", lang, name=names.loc[worst.name]),
            xy=(worst["position"], worst["mean"]),
            xytext=(worst["position"], floor - 0.17 * span),
            ha="center",
            va="center",
            color="crimson",
            fontsize=9,
            arrowprops={"arrowstyle": "->", "color": "crimson"},
        )
    first = curve.drop_duplicates("position").sort_values("position")
    ax.set_xticks(first["position"])
    ax.set_xticklabels(names.loc[first.index], rotation=30, ha="right")
    if "stage" in curve.columns:
        stage = first["stage"].astype(str).to_numpy()
        pos = first["position"].to_numpy()
        trans = transforms.blended_transform_factory(ax.transData, ax.transAxes)
        starts = [0] + [i for i in range(1, len(stage)) if stage[i] != stage[i - 1]]
        for a, b in zip(starts, starts[1:] + [len(stage)], strict=False):
            if a > 0:
                ax.axvline(pos[a] - 0.5, color="grey", linestyle=":", linewidth=1)
            ax.text(
                (pos[a] + pos[b - 1]) / 2,
                1.01,
                _label(f"stage.{stage[a]}", lang, stage[a]),
                transform=trans,
                ha="center",
                va="bottom",
                fontsize=9,
                color="grey",
            )
    ax.set_xlabel(t("journey.axis.journey_step", lang))
    ax.set_ylabel(t("journey.axis.mean_rating", lang))
    ax.set_title(t("journey.title.emotion_curve", lang), pad=18)
    if by:
        ax.legend(title=" · ".join(_label(f"journey.axis.{c}", lang, c) for c in by))
    return ax


# --------------------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------------------


def _resolve_steps(events: pd.DataFrame, steps) -> list:
    """Validate the funnel steps and the events' step values; return the steps in order."""
    _check_no_missing(events, ["step"], "events")
    known = _default_funnel_steps()
    if steps is None:
        steps = known
    else:
        if isinstance(steps, str):
            raise TypeError(
                f"steps must be a list of step names in funnel order, got the string {steps!r}"
            )
        steps = list(steps)
    if len(steps) < 2:
        raise ValueError(f"a funnel needs at least two steps, got {steps}")
    dupes = sorted({s for s in steps if steps.count(s) > 1}, key=str)
    if dupes:
        raise ValueError(f"steps lists {dupes} more than once")
    observed = set(pd.unique(events["step"]).tolist())
    unknown = [s for s in steps if s not in observed and s not in known]
    if unknown:
        raise CXDataError(
            f"unknown step name(s) {unknown} in steps; the events have steps "
            f"{sorted(map(str, observed))} and the dictionary's funnel is {known}"
        )
    allowed = set(steps) | set(known)
    bad = ~events["step"].isin(list(allowed)).to_numpy()
    if bad.any():
        rows = list(events.index[bad])
        raise CXDataError(
            f"table 'events', column 'step': unknown step values — "
            f"{format_examples(rows, events['step'].to_numpy()[bad].tolist(), label='index')}; "
            f"expected one of {steps} (add them to steps or filter those events out)"
        )
    return steps


def _session_groups(ev: pd.DataFrame, by: list[str], sessions) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code per session (aligned with ``sessions``) and the group keys.

    A session belongs to one group: a session whose ``by`` values change raises.
    """
    if not by:
        return np.zeros(len(sessions), dtype=np.intp), pd.DataFrame(index=range(1))
    per = ev[["session_id", *by]].drop_duplicates()
    split = per["session_id"].duplicated(keep=False).to_numpy()
    if split.any():
        sess = pd.unique(per["session_id"][split])
        raise CXDataError(
            f"table 'events': {len(sess)} session(s) change {by} within the session, e.g. "
            f"{[str(s) for s in sess[:5]]}; expected one value per session"
        )
    per = per.set_index("session_id").reindex(sessions).reset_index(drop=True)
    return _group_codes(per, by)


def _reach_counts(events: pd.DataFrame, steps: list, by: list[str], mode: str) -> pd.DataFrame:
    """Layer 1 of :func:`funnel`: sessions reaching each step per group (sessions × steps matrix)."""
    ev = events[events["step"].isin(steps).to_numpy()]
    sess_codes, sessions = pd.factorize(ev["session_id"], sort=False)
    step_codes = pd.Categorical(ev["step"], categories=steps).codes
    has = np.zeros((len(sessions), len(steps)), dtype=bool)
    has[sess_codes, step_codes] = True  # a session counts once per step, however many events
    if mode == "closed":
        reached = np.logical_and.accumulate(has, axis=1)
    else:  # "open": reaching a later step implies having passed the earlier ones
        reached = np.logical_or.accumulate(has[:, ::-1], axis=1)[:, ::-1]
    codes, keys = _session_groups(ev, by, sessions)
    g, k = len(keys), len(steps)
    counts = np.zeros((g, k), dtype="int64")
    with_event = np.zeros((g, k), dtype="int64")
    for j in range(k):
        counts[:, j] = np.bincount(codes, weights=reached[:, j], minlength=g)
        with_event[:, j] = np.bincount(codes, weights=has[:, j], minlength=g)
    out = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    out["step"] = np.tile(np.asarray(steps, dtype=object), g)
    out["position"] = np.tile(np.arange(1, k + 1), g)
    out["sessions"] = counts.ravel()
    out["sessions_with_event"] = with_event.ravel()
    return out


def _funnel_from_counts(
    counts: pd.DataFrame, by: list[str], conf: float, leak: str
) -> pd.DataFrame:
    """Layer 2 of :func:`funnel`: conversions, Wilson intervals, drop-off and the biggest leak.

    ``counts`` has the ``by`` columns, ``step`` and ``sessions`` with each group's rows
    consecutive and in funnel order (as returned by ``_reach_counts`` or by a database).
    """
    out = counts.copy()
    n = out["sessions"].to_numpy(dtype="float64")
    if by:
        gb = out.groupby(by, sort=False, observed=True)["sessions"]
        prev = gb.shift(1).to_numpy(dtype="float64")
        first = gb.transform("first").to_numpy(dtype="float64")
        keys = [out[c] for c in by]
    else:
        prev = out["sessions"].shift(1).to_numpy(dtype="float64")
        first = np.full(len(out), n[0] if len(n) else np.nan)
        keys = np.zeros(len(out), dtype=np.intp)
    grow = np.flatnonzero(n > np.nan_to_num(prev, nan=np.inf))
    if len(grow):
        raise CXDataError(
            "funnel counts increase from one step to the next at "
            f"{format_examples(list(out.index[grow]), out['step'].to_numpy()[grow].tolist())}; "
            "expected non-increasing counts"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        conv_prev = np.where(prev > 0, n / prev, np.nan)
        conv_first = np.where(first > 0, n / first, np.nan)
    out["conversion_prev"] = conv_prev
    out["prev_ci_low"], out["prev_ci_high"] = _wilson_interval(n, np.nan_to_num(prev), conf)
    out["conversion_first"] = conv_first
    out["first_ci_low"], out["first_ci_high"] = _wilson_interval(n, first, conf)
    out["drop_off"] = pd.array(np.where(np.isnan(prev), np.nan, prev - n), dtype="Int64")
    out["drop_off_rate"] = 1 - conv_prev
    crit = out["drop_off_rate"] if leak == "rate" else out["drop_off"].astype("float64")
    crit = crit.where(crit > 0, -1.0)  # no loss (or no previous step) can never be the leak
    best = crit.groupby(keys, sort=False).idxmax()
    flag = np.zeros(len(out), dtype=bool)
    chosen = best.to_numpy()
    flag[out.index.get_indexer(chosen[crit.loc[chosen].to_numpy() > 0])] = True
    out["biggest_leak"] = flag
    return out


def funnel(
    events: pd.DataFrame,
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
    events : DataFrame
        Event log with ``session_id``, ``step`` and the ``by`` columns (one row per event).
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
    With n_k sessions reaching step k, conversion from the previous step is
    n_k / n_{k−1} and from the first step n_k / n_1, each with the Wilson (1927) score
    interval

    .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}{1 + z^2/n}.

    Counts come from a sessions × steps boolean matrix (no row-wise ``apply``).
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
    by_cols = _by_list(by)
    conf = _check_conf(conf)
    if mode not in ("closed", "open"):
        raise ValueError(f"mode must be 'closed' or 'open', got {mode!r}")
    if leak not in ("rate", "sessions"):
        raise ValueError(f"leak must be 'rate' or 'sessions', got {leak!r}")
    _require(events, ["session_id", "step", *by_cols], "events")
    _check_no_missing(events, ["session_id", *by_cols], "events")
    steps = _resolve_steps(events, steps)
    counts = _reach_counts(events, steps, by_cols, mode)
    return _funnel_from_counts(counts, by_cols, conf, leak)


def plot_funnel(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Horizontal funnel bars (% of the first step) per group, the biggest leak highlighted.

    Parameters
    ----------
    table : DataFrame
        From :func:`funnel`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
        Bars show ``conversion_first`` with its Wilson interval; each bar is labelled
        with the conversion from the previous step; the biggest-leak bar of each group
        has a red edge and label.
    """
    check_lang(lang)
    _require(
        table,
        ["step", "position", "conversion_first", "conversion_prev", "biggest_leak"],
        "funnel table",
    )
    ax = ax if ax is not None else plt.gca()
    by = _group_columns(table, "step")
    groups = _group_labels(table, by, lang)
    names = list(pd.unique(groups))
    steps = table.drop_duplicates("position").sort_values("position")["step"].tolist()
    height = 0.8 / max(1, len(names))
    palette = sns.color_palette(n_colors=max(1, len(names)))
    for gi, (g, color) in enumerate(zip(names, palette, strict=False)):
        sub = table[(groups == g).to_numpy()]
        y = sub["position"].to_numpy() - 1 + (gi - (len(names) - 1) / 2) * height
        val = 100 * sub["conversion_first"].to_numpy(dtype="float64")
        err = np.vstack(
            [
                val - 100 * sub["first_ci_low"].to_numpy(dtype="float64"),
                100 * sub["first_ci_high"].to_numpy(dtype="float64") - val,
            ]
        )
        leak = sub["biggest_leak"].to_numpy(dtype=bool)
        ax.barh(
            y,
            np.nan_to_num(val),
            height=height * 0.95,
            color=color,
            label=g,
            edgecolor=np.where(leak, "crimson", "none").tolist(),
            linewidth=np.where(leak, 2.5, 0).tolist(),
            xerr=np.clip(np.nan_to_num(err), 0, None),
            error_kw={"elinewidth": 0.8, "ecolor": "0.3"},
        )
        for yy, v, c, lk in zip(
            y, val, sub["conversion_prev"].to_numpy(dtype="float64"), leak, strict=False
        ):
            if np.isnan(c):
                continue
            text = t("journey.note.step_conversion", lang, rate=c)
            if lk:
                text += " — " + t("journey.note.biggest_leak", lang)
            ax.text(
                np.nan_to_num(v) + 1.5,
                yy,
                text,
                va="center",
                fontsize=8,
                color="crimson" if lk else "0.25",
                # emphasis by colour only: the CJK font has no bold face
            )
    ax.set_yticks(np.arange(len(steps)))
    ax.set_yticklabels([_step_label(s, lang) for s in steps])
    ax.invert_yaxis()
    ax.set_xlim(0, 135)
    ax.set_xlabel(t("journey.axis.share_of_first", lang))
    ax.set_ylabel(t("journey.axis.funnel_step", lang))
    ax.set_title(t("journey.title.funnel", lang))
    if by:
        ax.legend(
            title=" · ".join(_label(f"journey.axis.{c}", lang, c) for c in by), loc="lower right"
        )
    return ax


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
    events: pd.DataFrame,
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
    events : DataFrame
        Event log with ``session_id``, ``step``, ``timestamp`` (datetime64 or ISO 8601
        strings, no missing values) and the ``by`` columns.
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

    Examples
    --------
    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b", "b"], "step": ["cart", "payment"] * 2,
    ...     "timestamp": pd.to_datetime(["2026-01-01 10:00:00", "2026-01-01 10:00:30",
    ...                                  "2026-01-01 11:00:00", "2026-01-01 11:01:30"])})
    >>> step_times(ev, steps=["cart", "payment"], by=None)[["n", "median"]].values.tolist()
    [[2.0, 60.0]]
    """
    by_cols = _by_list(by)
    if unit not in _TIME_UNITS:
        raise ValueError(f"unit must be one of {list(_TIME_UNITS)}, got {unit!r}")
    _require(events, ["session_id", "step", "timestamp", *by_cols], "events")
    _check_no_missing(events, ["session_id", *by_cols], "events")
    steps = _resolve_steps(events, steps)
    ts = _timestamps(events)
    keep = events["step"].isin(steps).to_numpy()
    ev = events[keep]
    seconds = (ts[keep] - ts.min()).dt.total_seconds().to_numpy()
    sess_codes, sessions = pd.factorize(ev["session_id"], sort=False)
    step_codes = pd.Categorical(ev["step"], categories=steps).codes
    # first time of each step per session: sessions × steps matrix (NaN = step not reached)
    first = pd.DataFrame({"s": sess_codes, "k": step_codes, "t": seconds}).sort_values(
        "t", kind="stable"
    )
    first = first.drop_duplicates(["s", "k"])
    times = np.full((len(sessions), len(steps)), np.nan)
    times[first["s"].to_numpy(), first["k"].to_numpy()] = first["t"].to_numpy()
    dur = np.diff(times, axis=1) / _TIME_UNITS[unit]  # sessions × (K − 1)
    codes, keys = _session_groups(ev, by_cols, sessions)
    g, m = len(keys), len(steps) - 1
    long = pd.DataFrame(
        {
            "g": np.repeat(codes, m),
            "pair": np.tile(np.arange(m), len(sessions)),
            "d": dur.ravel(),
        }
    )
    long = long[~np.isnan(long["d"].to_numpy())]
    neg = long["d"].to_numpy() < 0
    full = pd.MultiIndex.from_product([range(g), range(m)], names=["g", "pair"])
    n_out = long[neg].groupby(["g", "pair"]).size().reindex(full, fill_value=0)
    ok = long[~neg].groupby(["g", "pair"])["d"]
    q = (
        ok.quantile([0.25, 0.5, 0.75]).unstack().reindex(full)
        if (~neg).any()
        else pd.DataFrame(np.nan, index=full, columns=[0.25, 0.5, 0.75])
    )
    out = keys.loc[keys.index.repeat(m)].reset_index(drop=True)
    out["from_step"] = np.tile(np.asarray(steps[:-1], dtype=object), g)
    out["to_step"] = np.tile(np.asarray(steps[1:], dtype=object), g)
    out["n"] = ok.size().reindex(full, fill_value=0).to_numpy().astype("int64")
    out["n_out_of_order"] = n_out.to_numpy().astype("int64")
    out["median"] = q[0.5].to_numpy()
    out["q1"] = q[0.25].to_numpy()
    out["q3"] = q[0.75].to_numpy()
    out["iqr"] = out["q3"] - out["q1"]
    out["mean"] = ok.mean().reindex(full).to_numpy()
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
        and ``rank``. ``.attrs`` holds ``outcome`` and ``kind``.

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
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs.update(outcome=str(outcome), kind=kind)
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


def plot_moments_of_truth(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Bars of what each touchpoint's low ratings cost (largest on top), with the CI.

    Parameters
    ----------
    table : DataFrame
        From :func:`moments_of_truth`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
        Error bars are ``share_low`` × the CI of the difference (the share taken as
        known); each bar is labelled with the share of low ratings.
    """
    check_lang(lang)
    _require(
        table, ["touchpoint", "cost", "share_low", "ci_low", "ci_high"], "moments-of-truth table"
    )
    ax = ax if ax is not None else plt.gca()
    tab = table.sort_values("cost", ascending=False, na_position="last", kind="stable")
    names = _touchpoint_labels(tab, lang)
    cost = tab["cost"].to_numpy(dtype="float64")
    share_col = "share_low_all" if "share_low_all" in tab.columns else "share_low"  # the base of "cost"
    share = tab[share_col].to_numpy(dtype="float64")
    lo, hi = (
        share * tab["ci_low"].to_numpy(dtype="float64"),
        share * tab["ci_high"].to_numpy(dtype="float64"),
    )
    y = np.arange(len(tab))
    colors = np.where(cost > 0, "crimson", "grey").tolist()
    ax.barh(
        y,
        np.nan_to_num(cost),
        color=colors,
        alpha=0.8,
        xerr=np.clip(np.nan_to_num(np.vstack([cost - lo, hi - cost])), 0, None),
        error_kw={"elinewidth": 0.8, "ecolor": "0.3"},
    )
    for yy, c, h, s in zip(y, cost, hi, share, strict=False):
        if not np.isnan(s):
            ax.annotate(
                t("journey.note.share_low", lang, share=f"{s:.0%}" if s >= 0.01 else f"{s:.1%}"),
                xy=(max(np.nan_to_num(c), np.nan_to_num(h)), yy),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color="0.25",
            )
    ax.margins(x=0.2)
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(names.tolist())
    ax.invert_yaxis()
    kind = table.attrs.get("kind", "nps")
    if kind == "nps":
        ax.set_xlabel(t("journey.axis.nps_cost", lang))
    else:
        ax.set_xlabel(t("journey.axis.mean_cost", lang, outcome=table.attrs.get("outcome", "")))
    ax.set_ylabel(t("journey.axis.touchpoint", lang))
    ax.set_title(t("journey.title.mot", lang))
    return ax


# --------------------------------------------------------------------------------------
# Before / after a release
# --------------------------------------------------------------------------------------


def _before_after_from_counts(counts: pd.DataFrame, conf: float) -> pd.DataFrame:
    """Layer 2 of :func:`before_after`, on ``n_before``, ``converted_before``, ``n_after``, ``converted_after``."""
    out = counts.copy()
    n1, x1 = out["n_before"].to_numpy("float64"), out["converted_before"].to_numpy("float64")
    n2, x2 = out["n_after"].to_numpy("float64"), out["converted_after"].to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(n1 > 0, x1 / n1, np.nan)
        p2 = np.where(n2 > 0, x2 / n2, np.nan)
        pooled = (x1 + x2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se0 > 0, (p2 - p1) / se0, np.nan)
        lift = np.where(p1 > 0, p2 / p1 - 1, np.nan)
    lo, hi = _newcombe_interval(x1, n1, x2, n2, conf)
    out["rate_before"] = p1
    out["rate_after"] = p2
    out["difference"] = p2 - p1
    out["ci_low"] = lo
    out["ci_high"] = hi
    out["z"] = z
    out["p_value"] = 2 * stats.norm.sf(np.abs(z))
    out["cohens_h"] = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1))
    out["relative_lift"] = lift
    counted = [
        "n_before",
        "converted_before",
        "rate_before",
        "n_after",
        "converted_after",
        "rate_after",
    ]
    stats_cols = ["difference", "ci_low", "ci_high", "z", "p_value", "cohens_h", "relative_lift"]
    by = [c for c in counts.columns if c not in counted]
    return out[[*by, *counted, *stats_cols]]


def before_after(
    events: pd.DataFrame,
    release_date,
    step: str = "payment",
    next_step: str = "order",
    by="platform",
    conf: float = 0.95,
) -> pd.DataFrame:
    r"""Did a release lift the conversion from ``step`` to ``next_step``? Before vs after, per group.

    Every session with an event of ``step`` is *before* if its first ``step`` event is
    earlier than ``release_date`` and *after* otherwise (a release on a date counts from
    00:00 of that day). It *converts* if it also has an event of ``next_step``
    (anywhere in the session: time order is not checked, as in :func:`funnel`).

    Parameters
    ----------
    events : DataFrame
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

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_before``, ``converted_before``,
        ``rate_before``, ``n_after``, ``converted_after``, ``rate_after``,
        ``difference`` (after − before), ``ci_low``, ``ci_high``, ``z``, ``p_value``,
        ``cohens_h`` and ``relative_lift`` (rate_after / rate_before − 1).

    Notes
    -----
    * Difference CI: Newcombe's (1998, method 10) hybrid score interval from the
      Wilson intervals (l₁, u₁), (l₂, u₂) of the two rates, d = p₂ − p₁:
      L = d − √((p₂ − l₂)² + (u₁ − p₁)²), U = d + √((u₂ − p₂)² + (p₁ − l₁)²).
      Unlike the Wald interval it stays inside [−1, 1] and behaves for rates near 0 or 1.
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
    by_cols = _by_list(by)
    conf = _check_conf(conf)
    _require(events, ["session_id", "step", "timestamp", *by_cols], "events")
    _check_no_missing(events, ["session_id", "step", *by_cols], "events")
    if step == next_step:
        raise ValueError(f"step and next_step must differ, got {step!r} twice")
    observed = set(pd.unique(events["step"]).tolist())
    known = set(_default_funnel_steps())
    unknown = [s for s in (step, next_step) if s not in observed and s not in known]
    if unknown:
        raise CXDataError(
            f"unknown step name(s) {unknown}; the events have steps {sorted(map(str, observed))}"
        )
    ts = _timestamps(events)
    try:
        release = pd.Timestamp(release_date)
    except (ValueError, TypeError):
        raise ValueError(
            f"release_date must be a date such as '2026-03-01', got {release_date!r}"
        ) from None
    if pd.isna(release):
        raise ValueError(f"release_date is missing: {release_date!r}")
    tz = getattr(ts.dt, "tz", None)
    if tz is not None and release.tzinfo is None:
        release = release.tz_localize(tz)
    elif tz is None and release.tzinfo is not None:
        raise ValueError(
            "release_date has a time zone but the event timestamps do not; drop one of them"
        )
    at_step = (events["step"] == step).to_numpy()
    ev = events[at_step]
    sess_codes, sessions = pd.factorize(ev["session_id"], sort=False)
    # a session's period is set by its FIRST event of `step` (layer 1: one min per session)
    t_rel = (ts[at_step] - release).dt.total_seconds().to_numpy()
    first_rel = pd.Series(t_rel).groupby(sess_codes).min().to_numpy()
    is_after = first_rel >= 0
    converted = pd.Index(sessions).isin(
        events.loc[(events["step"] == next_step).to_numpy(), "session_id"]
    )
    if not is_after.any() or is_after.all():
        side = "after" if not is_after.any() else "before"
        raise CXDataError(
            f"no session reached step {step!r} {side} the release date {release}; the "
            f"{step!r} events run from {ts[at_step].min()} to {ts[at_step].max()}"
            if len(sessions)
            else f"no session has an event of step {step!r}"
        )
    codes, keys = _session_groups(ev, by_cols, sessions)
    g = len(keys)
    counts = keys.copy()
    counts["n_before"] = np.bincount(codes, weights=~is_after, minlength=g).astype("int64")
    counts["converted_before"] = np.bincount(
        codes, weights=~is_after & converted, minlength=g
    ).astype("int64")
    counts["n_after"] = np.bincount(codes, weights=is_after, minlength=g).astype("int64")
    counts["converted_after"] = np.bincount(
        codes, weights=is_after & converted, minlength=g
    ).astype("int64")
    out = _before_after_from_counts(counts, conf)
    out.attrs.update(step=step, next_step=next_step, release_date=str(release))
    return out


def plot_before_after(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Bars of the conversion before and after the release per group, with Wilson intervals.

    Parameters
    ----------
    table : DataFrame
        From :func:`before_after`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
        Each group shows two bars (before, after) labelled with the difference in
        percentage points and its p-value.
    """
    check_lang(lang)
    need = ["n_before", "converted_before", "n_after", "converted_after", "difference", "p_value"]
    _require(table, need, "before/after table")
    ax = ax if ax is not None else plt.gca()
    by = _group_columns(table, "n_before")
    groups = _group_labels(table, by, lang).tolist()
    x = np.arange(len(table))
    width = 0.38
    colors = {"before": "0.65", "after": sns.color_palette()[0]}
    tops = np.zeros(len(table))
    for off, period in ((-width / 2, "before"), (width / 2, "after")):
        xs = table[f"converted_{period}"].to_numpy("float64")
        ns = table[f"n_{period}"].to_numpy("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = 100 * xs / ns
        lo, hi = _wilson_interval(xs, ns)
        err = np.clip(np.nan_to_num(np.vstack([rate - 100 * lo, 100 * hi - rate])), 0, None)
        ax.bar(
            x + off,
            np.nan_to_num(rate),
            width,
            yerr=err,
            color=colors[period],
            label=t(f"journey.period.{period}", lang),
            error_kw={"elinewidth": 0.8},
        )
        tops = np.fmax(tops, np.nan_to_num(100 * hi))
    for xi, top, d, p in zip(x, tops, table["difference"], table["p_value"], strict=False):
        if np.isnan(d):
            continue
        ptxt = "< 0.001" if p < 0.001 else f"= {p:.3f}"
        ax.text(
            xi,
            top + 2,
            t("journey.note.difference", lang, diff=100 * d, p=ptxt),
            ha="center",
            fontsize=9,
        )
    ax.set_xticks(x)
    ax.set_xticklabels(groups)
    ax.set_ylim(0, 115)
    ax.set_ylabel(t("journey.axis.conversion", lang))
    step, next_step = table.attrs.get("step", "payment"), table.attrs.get("next_step", "order")
    ax.set_title(
        t(
            "journey.title.before_after",
            lang,
            step=_step_label(step, lang),
            next_step=_step_label(next_step, lang),
        )
    )
    ax.legend(loc="upper left")
    return ax
