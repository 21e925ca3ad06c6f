"""Charts of the customer-value lesson: cohort heatmap, retention curves, ABC tiers.

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

__all__ = ["plot_cohort_heatmap", "plot_retention_curves", "plot_abc_tiers"]

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
