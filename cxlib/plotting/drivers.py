"""Charts of :mod:`cxlib.drivers`: seaborn-style axes-level functions that draw results, never compute them.

Each ``plot_…(table, ax=None, lang="en", **kwargs)`` takes the table a :mod:`cxlib.drivers` function
returned, draws on ``ax`` (default ``plt.gca()``) and returns it. A table that lacks a column or
setting a chart needs is an error naming what is missing, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..i18n import check_lang, t

# Okabe & Ito's colour-blind-safe set (vermillion, bluish green, blue) and dark grey: "concentrate
# here" and "keep up" stay apart for readers with red–green colour blindness (not red vs green).
_QUADRANT_COLORS = {
    "concentrate_here": "#D55E00",
    "keep_up": "#009E73",
    "low_priority": "#555555",
    "possible_overkill": "#0072B2",
}


def _padded_limits(values: np.ndarray, cut: float) -> tuple[float, float]:
    lo, hi = min(values.min(), cut), max(values.max(), cut)
    span = (hi - lo) or max(abs(cut), 1.0)
    return lo - 0.15 * span, hi + 0.15 * span


def plot_ipa(table: pd.DataFrame, ax=None, lang: str = "en", *, annotate: bool = True, names: Mapping | None = None,
             performance_cut: float | None = None, importance_cut: float | None = None, **kwargs):
    """Importance–performance grid: performance (x) against importance (y), quadrant lines and labels.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`cxlib.drivers.ipa` (uses ``performance``, ``importance``,
        ``quadrant`` and the cut points ``.attrs["performance_cut"]`` and
        ``.attrs["importance_cut"]``). pandas drops ``.attrs`` in ``merge`` and ``concat``:
        then pass the cut points explicitly, or the chart raises rather than guess them.
    ax : matplotlib Axes, optional
        Where to draw; ``plt.gca()`` when None.
    lang : "en" or "zh"
        Language of axis titles and quadrant labels.
    annotate : bool
        Write each attribute's name next to its point.
    names : mapping, optional
        Display names for the attributes (e.g. touchpoint names in ``lang``).
    performance_cut, importance_cut : float, optional
        Cut points of the quadrants; default those :func:`cxlib.drivers.ipa` stored in ``.attrs``.
    **kwargs
        Passed to ``Axes.scatter`` (e.g. ``s=``, ``alpha=``).

    Returns
    -------
    matplotlib.axes.Axes
    """

    check_lang(lang)
    for c in ("performance", "importance", "quadrant"):
        if c not in table.columns:
            raise KeyError(f"plot_ipa: table has no '{c}' column; expected the output of cxlib.drivers.ipa")
    cuts = {"performance_cut": performance_cut, "importance_cut": importance_cut}
    for key, value in cuts.items():
        if value is None:
            if key not in table.attrs:
                raise KeyError(
                    f"plot_ipa: the table carries no {key!r} in .attrs (pandas drops .attrs in merge and "
                    f"concat); pass {key}= (the cut point ipa used) or plot the table ipa returned"
                )
            cuts[key] = table.attrs[key]
    if ax is None:
        ax = plt.gca()
    x = table["performance"].to_numpy(float)
    y = table["importance"].to_numpy(float)
    x_cut, y_cut = float(cuts["performance_cut"]), float(cuts["importance_cut"])
    quad = table["quadrant"]
    style = {"s": 60, "zorder": 3, **kwargs}
    ax.scatter(x, y, c=[_QUADRANT_COLORS.get(q, "#333333") for q in quad], **style)
    if annotate:
        for name, xi, yi in zip(table.index, x, y, strict=True):
            label = names.get(name, name) if names else name
            ax.annotate(str(label), (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=9)
    # Axes corners always lie in their quadrant once both cut lines are inside the limits.
    ax.set_xlim(*_padded_limits(x, x_cut))
    ax.set_ylim(*_padded_limits(y, y_cut))
    ax.axvline(x_cut, color="0.4", lw=1, ls="--", zorder=1)
    ax.axhline(y_cut, color="0.4", lw=1, ls="--", zorder=1)
    corners = {
        "concentrate_here": (0.02, 0.98, "left", "top"),
        "keep_up": (0.98, 0.98, "right", "top"),
        "low_priority": (0.02, 0.02, "left", "bottom"),
        "possible_overkill": (0.98, 0.02, "right", "bottom"),
    }
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, t(f"drivers.quadrant.{q}", lang), transform=ax.transAxes, ha=ha, va=va,
                color=_QUADRANT_COLORS[q], fontsize=10)
    ax.set_xlabel(t("drivers.axis.performance", lang))
    ax.set_ylabel(t("drivers.axis.importance", lang))
    ax.set_title(t("drivers.title.ipa", lang))
    return ax


def plot_drivers(table: pd.DataFrame, ax=None, lang: str = "en", *, column: str | None = None,
                 names: Mapping | None = None, title: str | None = None):
    """Horizontal bar chart of driver shares (%) with bootstrap intervals when present.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`key_drivers` (plots ``lmg_pct`` and ``lmg_pct_ci_*``),
        :func:`shapley_r2`, :func:`relative_weights` or :func:`bootstrap_shares`
        (``pct`` and ``pct_ci_*``).
    column : str, optional
        Which column to plot (default ``lmg_pct`` if present, else ``pct``).
    names : mapping, optional
        Display names for the drivers.
    title : str, optional
        Chart title (default: "Key drivers of <outcome>" in ``lang``).

    Returns
    -------
    matplotlib.axes.Axes
    """

    check_lang(lang)
    if column is None:
        column = "lmg_pct" if "lmg_pct" in table.columns else "pct"
    if column not in table.columns:
        raise KeyError(f"table has no '{column}' column; expected a cxlib.drivers share table")
    if ax is None:
        ax = plt.gca()
    data = table.sort_values(column, ascending=True, kind="stable")
    vals = data[column].to_numpy(float)
    labels = [str(names.get(i, i)) if names else str(i) for i in data.index]
    lo_col, hi_col = f"{column}_ci_low", f"{column}_ci_high"
    xerr = None
    if lo_col in data.columns and hi_col in data.columns:
        xerr = np.vstack([vals - data[lo_col].to_numpy(float), data[hi_col].to_numpy(float) - vals])
        xerr = np.clip(xerr, 0, None)
    ypos = np.arange(len(vals))
    ax.barh(ypos, vals, xerr=xerr, color="#4c72b0", ecolor="0.2", capsize=3)
    ax.set_yticks(ypos, labels)
    ax.set_xlabel(t("drivers.axis.share_pct", lang))
    if title is None:
        outcome = table.attrs.get("outcome")
        title = t("drivers.title.drivers", lang, outcome=outcome) if outcome else t("drivers.title.drivers_plain", lang)
    ax.set_title(title)
    r2, n = table.attrs.get("r2"), table.attrs.get("n_used")
    if r2 is not None and n is not None:
        ax.text(0.98, 0.02, t("drivers.note.r2", lang, r2=r2, n=n), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=9, color="0.3")
    return ax


# ------------------------------------------------------------ experience pays


