"""Charts of :mod:`cxlib.kano`: seaborn-style axes-level functions that draw results, never compute them.

Each ``plot_…(table, ax=None, lang="en", **kwargs)`` takes the table a :mod:`cxlib.kano` function
returned, draws on ``ax`` (default ``plt.gca()``) and returns it. A table that lacks a column or
setting a chart needs is an error naming what is missing, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from .. import i18n
from .._validate import require_columns
from ..kano import CATEGORIES

# --------------------------------------------------------------------------- charts
_CAT_COLORS = {
    "A": "#2a9d8f", "O": "#457b9d", "M": "#e76f51", "I": "#adb5bd", "R": "#8d5a97", "Q": "#e9c46a",
}


def _need(table: pd.DataFrame, cols: Sequence[str], fn: str):
    require_columns(table, cols, fn, hint="pass the result of kano_table()")


def _limits_with(low: np.ndarray, high: np.ndarray, lo: float = -2.0, hi: float = 4.0) -> tuple[float, float]:
    """Axis limits that hold the score range ``lo…hi`` and every finite ``low…high`` bar, with a 5 % margin."""
    a = min(lo, np.nanmin(low, initial=lo))
    b = max(hi, np.nanmax(high, initial=hi))
    pad = 0.05 * (b - a)
    return a - pad, b + pad


def _feature_names(table: pd.DataFrame, labels: Mapping[str, str] | None) -> list[str]:
    labels = labels or {}
    return [str(labels.get(f, f)) for f in table["feature"]]


def plot_better_worse(
    table: pd.DataFrame,
    ax=None,
    lang: str = "en",
    *,
    labels: Mapping[str, str] | None = None,
):
    """Better–Worse diagram: |Worse| on the x-axis, Better on the y-axis, quadrants at 0.5.

    Parameters
    ----------
    table : DataFrame
        Result of :func:`kano_table` (``feature``, ``better``, ``worse``).
    ax : matplotlib Axes, optional
        Where to draw; default ``plt.gca()``.
    lang : {"en", "zh"}
        Language of titles and quadrant names.
    labels : mapping, optional
        Display names for features (``{feature: name}``).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Plotting |Worse| (0…1) rather than Worse (−1…0) on the x-axis is the usual
    convention of satisfaction-coefficient diagrams (Berger et al. 1993, after
    Timko): moving right means more dissatisfaction when the feature is absent.
    Quadrants split at 0.5: top-left A (attractive), top-right O
    (one-dimensional), bottom-right M (must-be), bottom-left I (indifferent).
    """
    i18n.check_lang(lang)
    _need(table, ["feature", "better", "worse"], "plot_better_worse")
    ax = plt.gca() if ax is None else ax
    x = np.abs(table["worse"].to_numpy(dtype=float))
    y = table["better"].to_numpy(dtype=float)
    ax.axvline(0.5, color="0.6", lw=1, ls="--", zorder=1)
    ax.axhline(0.5, color="0.6", lw=1, ls="--", zorder=1)
    for cat, (qx, qy, ha, va) in {
        "A": (0.02, 0.98, "left", "top"),
        "O": (0.98, 0.98, "right", "top"),
        "M": (0.98, 0.02, "right", "bottom"),
        "I": (0.02, 0.02, "left", "bottom"),
    }.items():
        ax.text(qx, qy, i18n.t(f"kano.category.{cat}", lang), transform=ax.transAxes, ha=ha, va=va,
                color=_CAT_COLORS[cat], fontsize="small", alpha=0.9)
    ax.scatter(x, y, s=40, color="#264653", zorder=3)
    for xi, yi, name in zip(x, y, _feature_names(table, labels), strict=True):
        if np.isfinite(xi) and np.isfinite(yi):
            ax.annotate(name, (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize="small")
    ax.set_xlim(-0.03, 1.03)  # a little room so points on 0 or 1 are not cut
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(i18n.t("kano.chart.worse_abs", lang))
    ax.set_ylabel(i18n.t("kano.chart.better", lang))
    ax.set_title(i18n.t("kano.chart.better_worse_title", lang))
    return ax


def plot_categories(
    table: pd.DataFrame,
    ax=None,
    lang: str = "en",
    *,
    labels: Mapping[str, str] | None = None,
):
    """Stacked horizontal bars: the share of each KANO category per feature.

    Parameters
    ----------
    table : DataFrame
        Result of :func:`kano_table` (counts ``A O M I R Q`` and ``n``).
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    labels : mapping, optional
        Display names for features.

    Returns
    -------
    matplotlib Axes
    """
    i18n.check_lang(lang)
    _need(table, ["feature", *CATEGORIES, "n"], "plot_categories")
    ax = plt.gca() if ax is None else ax
    n = table["n"].to_numpy(dtype=float)
    names = _feature_names(table, labels)
    ypos = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    order = ("M", "O", "A", "I", "R", "Q")
    for cat in order:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, table[cat].to_numpy(dtype=float) / n, 0.0)
        ax.barh(ypos, share, left=left, color=_CAT_COLORS[cat], label=i18n.t(f"kano.category.{cat}", lang),
                edgecolor="white", linewidth=0.5)
        left += share
    ax.set_yticks(ypos, names)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(i18n.t("kano.chart.share", lang))
    ax.set_title(i18n.t("kano.chart.categories_title", lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=6, fontsize="small", frameon=False)
    return ax


def plot_continuous(
    table: pd.DataFrame,
    ax=None,
    lang: str = "en",
    *,
    labels: Mapping[str, str] | None = None,
):
    """Continuous KANO diagram: mean dysfunctional (x) × mean functional (y) score with SD bars.

    Marker area grows with ``importance_mean`` when the table has it.

    Parameters
    ----------
    table : DataFrame
        Result of :func:`kano_table`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    labels : mapping, optional
        Display names for features.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Scores are DuMouchel's (functional 4, 2, 0, −1, −2; dysfunctional −2, −1, 0,
    2, 4). Each axis shows at least the scores' range −2…4 and widens, with a
    margin, to take in every mean ± SD bar, which can pass the ends of that range
    when the answers are skewed. The dashed lines at 2 split the positive square 0–4 into the
    quadrants commonly labelled A (top-left), O (top-right), M (bottom-right)
    and I (bottom-left); they are a reading aid, not a test.
    """
    i18n.check_lang(lang)
    cols = ["feature", "functional_mean", "dysfunctional_mean", "functional_sd", "dysfunctional_sd"]
    _need(table, cols, "plot_continuous")
    ax = plt.gca() if ax is None else ax
    x = table["dysfunctional_mean"].to_numpy(dtype=float)
    y = table["functional_mean"].to_numpy(dtype=float)
    ax.errorbar(x, y, xerr=table["dysfunctional_sd"].to_numpy(dtype=float),
                yerr=table["functional_sd"].to_numpy(dtype=float), fmt="none", ecolor="0.6",
                elinewidth=1, capsize=2, zorder=2)
    if "importance_mean" in table.columns and table["importance_mean"].notna().any():
        imp = table["importance_mean"].to_numpy(dtype=float)
        size = np.where(np.isfinite(imp), 20 + 180 * (imp - 1) / 8, 20)
        sc = ax.scatter(x, y, s=size, color="#264653", alpha=0.8, zorder=3)
        # fixed reference sizes on the 1–9 importance scale, so charts can be compared
        handles = [ax.scatter([], [], s=20 + 180 * (v - 1) / 8, color=sc.get_facecolor()[0]) for v in (3, 5, 7, 9)]
        # outside the axes, right: inside it would cover a quadrant's name or a feature
        ax.legend(handles, ["3", "5", "7", "9"], title=i18n.t("kano.chart.importance", lang),
                  loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", title_fontsize="small")
    else:
        ax.scatter(x, y, s=40, color="#264653", zorder=3)
    for xi, yi, name in zip(x, y, _feature_names(table, labels), strict=True):
        if np.isfinite(xi) and np.isfinite(yi):
            ax.annotate(name, (xi, yi), xytext=(5, 5), textcoords="offset points", fontsize="small")
    ax.axvline(2, color="0.6", lw=1, ls="--", zorder=1)
    ax.axhline(2, color="0.6", lw=1, ls="--", zorder=1)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    for cat, (qx, qy, ha, va) in {
        "A": (0.02, 0.98, "left", "top"),
        "O": (0.98, 0.98, "right", "top"),
        "M": (0.98, 0.02, "right", "bottom"),
        "I": (0.02, 0.02, "left", "bottom"),
    }.items():
        ax.text(qx, qy, i18n.t(f"kano.category.{cat}", lang), transform=ax.transAxes, ha=ha, va=va,
                color=_CAT_COLORS[cat], fontsize="small", alpha=0.8)
    # The scores lie in −2…4, but mean ± SD can pass the ends: the limits take in every bar.
    sx = table["dysfunctional_sd"].to_numpy(dtype=float)
    sy = table["functional_sd"].to_numpy(dtype=float)
    ax.set_xlim(*_limits_with(x - sx, x + sx))
    ax.set_ylim(*_limits_with(y - sy, y + sy))
    ax.set_xlabel(i18n.t("kano.chart.dysfunctional_mean", lang))
    ax.set_ylabel(i18n.t("kano.chart.functional_mean", lang))
    ax.set_title(i18n.t("kano.chart.continuous_title", lang))
    return ax
