"""Charts of the customer-value lesson: RFM grid, churn curve, CLV curve, cohorts, ABC tiers and stages.

Seaborn-style axes-level functions: each draws a result of :mod:`cxlib.value` on ``ax`` (default
``plt.gca()``), passes ``**kwargs`` to the main artist and returns the Axes. Nothing is computed
here: the average retention curve and the tier means come with the tables
(:func:`cxlib.value.cohort_retention`, :func:`cxlib.value.abc_tier_summary`); a table without
them is an error naming what to pass.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import PercentFormatter

from .._validate import require_columns
from ..errors import CXDataError
from ..i18n import check_lang, t

__all__ = ["plot_cohort_heatmap", "plot_retention_curves", "plot_abc_tiers", "plot_rfm_grid", "plot_churn_curve",
           "plot_clv_curve", "plot_stage_tiers"]

_DIMENSIONS = ("attitude", "behavior", "consumption")


def _cohort_kind(matrix: pd.DataFrame) -> str:
    kind = matrix.attrs.get("kind")
    if kind not in ("share", "count"):
        raise CXDataError(
            "the cohort matrix has no .attrs['kind'] ('share' or 'count'); pass the table returned by "
            "cxlib.value.cohort_retention or cxlib.heart.retention (selecting columns with .loc keeps it)"
        )
    return kind


def plot_cohort_heatmap(matrix: pd.DataFrame, ax=None, lang: str = "en", annot: bool = True,
                        max_periods: int | None = None, **kwargs):
    """Heatmap of a :func:`cxlib.value.cohort_retention` matrix (shares shown as percentages).

    ``max_periods`` keeps offsets 0 … max_periods; ``**kwargs`` go to ``seaborn.heatmap``.
    Returns the matplotlib Axes.
    """
    check_lang(lang)
    share = _cohort_kind(matrix) == "share"
    ax = ax if ax is not None else plt.gca()
    data = matrix if max_periods is None else matrix.iloc[:, : max_periods + 1]
    labels = [str(p) for p in data.index]
    arr = data.to_numpy(dtype="float64")
    # colour scale from the later periods (period 0 is always 100 % and would wash them out)
    later = arr[:, 1:] if arr.shape[1] > 1 else arr
    vmax = float(np.nanmax(later, initial=0)) or None if share else None
    options = {"cmap": "Blues", "vmin": 0, "vmax": vmax, "annot": annot, "fmt": ".0%" if share else ".0f",
               "cbar": False, "annot_kws": {"fontsize": 8}}
    sns.heatmap(data.set_axis(labels, axis=0), ax=ax, **{**options, **kwargs})
    ax.set_xlabel(t("value.cohort.period", lang))
    ax.set_ylabel(t("value.cohort.cohort", lang))
    ax.set_title(t("value.cohort.title", lang))
    return ax


def plot_retention_curves(
    matrix: pd.DataFrame,
    ax=None,
    lang: str = "en",
    cohorts=None,
    average: bool = True,
    show_cohorts: bool = True,
    **kwargs,
):
    """Retention curve per cohort (thin lines) and the size-weighted average (thick line).

    ``matrix`` is a :func:`cxlib.value.cohort_retention` result (shares); its
    ``.attrs["average"]`` is the average curve. ``cohorts`` picks cohorts by index label;
    ``show_cohorts=False`` draws the average only; ``**kwargs`` go to the cohort lines.
    Returns the matplotlib Axes.
    """
    check_lang(lang)
    if _cohort_kind(matrix) != "share":
        raise CXDataError("retention curves need shares: use cohort_retention(..., kind='share')")
    if average and "average" not in matrix.attrs:
        raise CXDataError("the cohort matrix has no .attrs['average']; pass the table of cohort_retention")
    ax = ax if ax is not None else plt.gca()
    data = matrix if cohorts is None else matrix.loc[list(cohorts)]
    x = np.asarray(data.columns, dtype=float)
    for label, row in data.iterrows() if show_cohorts else ():
        ax.plot(x, row.to_numpy(dtype=float), **{"lw": 1, "alpha": 0.5, "label": str(label), **kwargs})
    if average and len(data):
        avg = matrix.attrs["average"].reindex(data.columns)
        ax.plot(x, avg.to_numpy(dtype=float), lw=3, color="black", label=t("value.cohort.average", lang))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(t("value.cohort.period", lang))
    ax.set_ylabel(t("value.cohort.retained", lang))
    ax.set_title(t("value.cohort.curves_title", lang))
    if (show_cohorts and len(data) <= 12) or (average and not show_cohorts):
        ax.legend(fontsize=8, ncol=2)
    return ax


def plot_abc_tiers(summary: pd.DataFrame, ax=None, lang: str = "en", **kwargs):
    """Mean Attitude, Behavior and Consumption score per value tier (grouped bars).

    ``summary`` is :func:`cxlib.value.abc_tier_summary` (one row per tier A, B, C with the
    three means and ``n``); ``**kwargs`` go to ``Axes.bar``. Returns the matplotlib Axes.
    """
    check_lang(lang)
    require_columns(summary, [*_DIMENSIONS, "n"], "ABC tier summary (cxlib.value.abc_tier_summary(scores))")
    if list(summary.index) != ["A", "B", "C"]:
        raise CXDataError(f"the ABC tier summary must be indexed by the tiers A, B, C, got {list(summary.index)}")
    ax = ax if ax is not None else plt.gca()
    x = np.arange(3)
    width = 0.26
    for i, d in enumerate(_DIMENSIONS):
        ax.bar(x + (i - 1) * width, summary[d].to_numpy(), width, label=t(f"value.dim.{d}", lang), **kwargs)
    ax.set_xticks(x, [f"{t(f'value.tier.{k}', lang)}\n(n={int(summary.loc[k, 'n'])})" for k in ("A", "B", "C")])
    ax.set_ylim(0, 100)
    ax.set_ylabel(t("value.abc.mean_score", lang))
    ax.set_title(t("value.abc.title", lang))
    ax.legend(fontsize=8)
    return ax


def plot_rfm_grid(rfm: pd.DataFrame, ax=None, lang: str = "en", **kwargs):
    """The 5 × 5 grid of R (rows, 5 on top) and F scores: customers per cell and the cell's segment.

    ``rfm`` is :func:`cxlib.value.rfm_scores` (``R``, ``F``); ``**kwargs`` go to ``seaborn.heatmap``.
    Empty cells stay blank. Returns the matplotlib Axes.
    """
    from ..value import RFM_SEGMENTS

    check_lang(lang)
    require_columns(rfm, ["R", "F"], "RFM scores (cxlib.value.rfm_scores(summary))")
    ax = ax if ax is not None else plt.gca()
    grid = pd.crosstab(rfm["R"], rfm["F"]).reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0)
    segment = {(r, f): t(f"value.segment.{name}", lang) for name, (rs, fs) in RFM_SEGMENTS.items() for r in rs for f in fs}
    text = np.array([[f"{segment[r, f]}\n{grid.loc[r, f]:,}" if grid.loc[r, f] else "" for f in grid.columns]
                     for r in grid.index])
    options = {"annot": text, "fmt": "", "cmap": "Blues", "cbar": False, "linewidths": 0.5, "annot_kws": {"fontsize": 9}}
    sns.heatmap(grid, ax=ax, **{**options, **kwargs})
    ax.set(title=t("lesson06.heatmap.title", lang), xlabel=t("lesson06.heatmap.x", lang), ylabel=t("lesson06.heatmap.y", lang))
    return ax


def plot_churn_curve(curve: pd.DataFrame, chosen: int | None = None, ax=None, lang: str = "en", **kwargs):
    """Churn rate against the window (line and interval band), the ``chosen`` window marked.

    ``curve`` is :func:`cxlib.value.churn_curve`; the chosen window must be one of its rows.
    ``**kwargs`` go to the line. Returns the matplotlib Axes.
    """
    from .. import plots

    check_lang(lang)
    require_columns(curve, ["rate", "ci_low", "ci_high"], "churn curve (cxlib.value.churn_curve(...))")
    if chosen is not None and chosen not in curve.index:
        raise CXDataError(f"the chosen window {chosen} is not a row of the churn curve; pass it in windows=")
    ax = ax if ax is not None else plt.gca()
    x = curve.index.to_numpy()
    ax.plot(x, curve["rate"], **{"marker": ".", "color": plots.PALETTE[3], **kwargs})
    ax.fill_between(x, curve["ci_low"], curve["ci_high"], alpha=0.2, color=plots.PALETTE[3], label=t("lesson06.churn.band", lang))
    if chosen is not None:
        rate = float(curve.loc[chosen, "rate"])
        ax.plot([chosen], [rate], "o", ms=10, color="black", label=t("lesson06.churn.chosen", lang, days=chosen, rate=rate))
    ax.set(ylim=(0, 1), title=t("lesson06.churn.title", lang), xlabel=t("lesson06.churn.x", lang), ylabel=t("lesson06.churn.y", lang))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(fontsize=8)
    return ax


def plot_clv_curve(estimate, ax=None, lang: str = "en", retention=None, **kwargs):
    """CLV against retention per period at today's margin and discount, today and today + lift marked.

    ``estimate`` is :func:`cxlib.value.simple_clv`'s result; ``retention`` the grid drawn
    (default 0.2 … 0.9 and today's r). ``**kwargs`` go to the line. Returns the matplotlib Axes.
    """
    from .. import plots
    from ..stats.value import clv

    check_lang(lang)
    ax = ax if ax is not None else plt.gca()
    grid = np.sort(np.unique(np.r_[np.linspace(0.2, 0.9, 71), estimate.retention_plus])) if retention is None else np.asarray(retention)
    ax.plot(grid, clv(estimate.margin, grid, estimate.discount), **{"color": plots.PALETTE[0], **kwargs})
    ax.plot([estimate.retention], [estimate.clv], "o", ms=9, color="black",
            label=t("lesson06.clv.today", lang, r=estimate.retention, clv=estimate.clv))
    ax.plot([estimate.retention_plus], [estimate.clv_plus], "o", ms=9, color=plots.PALETTE[2],
            label=t("lesson06.clv.plus", lang, r=estimate.retention_plus, clv=estimate.clv_plus, gain=estimate.gain))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(title=t("lesson06.clv.title", lang), xlabel=t("lesson06.clv.x", lang), ylabel=t("lesson06.clv.y", lang))
    ax.legend()
    return ax


def plot_stage_tiers(counts: pd.DataFrame, ax=None, lang: str = "en", **kwargs):
    """Customers per life-cycle stage, stacked by value tier (A, B, C).

    ``counts`` is :func:`cxlib.value.stage_tiers`; ``**kwargs`` go to ``DataFrame.plot.barh``.
    Returns the matplotlib Axes.
    """
    from .. import plots

    check_lang(lang)
    if list(counts.columns) != ["A", "B", "C"]:
        raise CXDataError(f"the stage × tier table must have the columns A, B, C (cxlib.value.stage_tiers), got {list(counts.columns)}")
    ax = ax if ax is not None else plt.gca()
    shown = counts.set_axis([t(f"value.stage.{s}", lang) for s in counts.index], axis=0)
    shown = shown.set_axis([t(f"value.tier.{k}", lang) for k in counts.columns], axis=1)
    shown.plot.barh(stacked=True, ax=ax, **{"color": [plots.PALETTE[2], plots.PALETTE[0], plots.PALETTE[5]], **kwargs})
    ax.invert_yaxis()
    ax.set(title=t("lesson06.stage_tiers.title", lang), xlabel=t("lesson06.stage_tiers.x", lang), ylabel="")
    ax.legend(fontsize=8, loc="lower right")
    return ax
