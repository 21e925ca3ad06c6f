"""Charts of :mod:`cxlib.servqual`: seaborn-style axes-level functions that draw results, never compute them.

Each ``plot_…(table, ax=None, lang="en", **kwargs)`` takes the table a :mod:`cxlib.servqual` function
returned, draws on ``ax`` (default ``plt.gca()``) and returns it. A table that lacks a column or
setting a chart needs is an error naming what is missing, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import i18n
from .._validate import require_columns
from ..servqual import _dim_label, gap_by_dimension


# --------------------------------------------------------------------------- charts
def _need(table: pd.DataFrame, cols: Sequence[str], fn: str, source: str):
    require_columns(table, cols, fn, hint=f"pass the result of {source}")


_KNOWN = {"dimension", "n", "expectation", "perception", "gap", "sd", "se", "ci_low", "ci_high", "t", "dof",
          "p_value", "p_adjusted", "cohen_d", "hedges_g", "cohen_dz"}


def _by_of(table: pd.DataFrame) -> list:
    by = table.attrs.get("by")
    if by is None:
        by = [c for c in table.columns if c not in _KNOWN]
    return list(by)


def _group_label(key, lang: str) -> str:
    key = key if isinstance(key, tuple) else (key,)
    names = i18n.labels("property", lang)  # property ids (city, resort, airport) have labels
    return " · ".join(names.get(str(v), str(v)) for v in key)


def _dims_in(table: pd.DataFrame) -> list:
    d = table["dimension"]
    if isinstance(d.dtype, pd.CategoricalDtype):
        return [c for c in d.cat.categories if c in set(d)]
    return list(pd.unique(d))


_GAP_NEG, _GAP_POS = "#e76f51", "#2a9d8f"


def plot_gaps(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Diverging horizontal bars of the mean gap P − E per dimension, with CI whiskers.

    Parameters
    ----------
    table : DataFrame
        Result of :func:`gap_by_dimension` (grouped bars when it was computed
        ``by=`` a column).
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib Axes
    """
    i18n.check_lang(lang)
    _need(table, ["dimension", "gap", "ci_low", "ci_high"], "plot_gaps", "gap_by_dimension()")
    ax = plt.gca() if ax is None else ax
    dims = _dims_in(table)
    by = _by_of(table)
    ypos = np.arange(len(dims))[::-1].astype(float)
    pos = dict(zip(dims, ypos, strict=True))
    if by:
        groups = list(table.groupby(by, sort=False, dropna=False))
        h = 0.8 / len(groups)
        colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        for gi, (key, sub) in enumerate(groups):
            y = np.array([pos[d] for d in sub["dimension"]]) + 0.4 - h * (gi + 0.5)
            g = sub["gap"].to_numpy(dtype=float)
            err = np.vstack([g - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - g])
            ax.barh(y, g, height=h * 0.9, color=colors[gi % len(colors)], label=_group_label(key, lang))
            ax.errorbar(g, y, xerr=err, fmt="none", ecolor="0.25", elinewidth=1, capsize=2)
        ax.legend(fontsize="small")
    else:
        sub = table.set_index("dimension").loc[dims]
        g = sub["gap"].to_numpy(dtype=float)
        err = np.vstack([g - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - g])
        ax.barh(ypos, g, height=0.6, color=np.where(g < 0, _GAP_NEG, _GAP_POS))
        ax.errorbar(g, ypos, xerr=err, fmt="none", ecolor="0.25", elinewidth=1, capsize=3)
    ax.axvline(0, color="0.3", lw=1)
    ax.set_yticks(ypos, [_dim_label(d, lang) for d in dims])
    conf = table.attrs.get("conf", 0.95)
    ax.set_xlabel(i18n.t("servqual.chart.gap_axis", lang, conf=f"{100 * conf:g}"))
    ax.set_title(i18n.t("servqual.chart.gaps_title", lang))
    return ax


def plot_profile(df: pd.DataFrame, ax=None, lang: str = "en", instrument=None):
    """Expectation and perception profiles: mean E and mean P per dimension.

    Parameters
    ----------
    df : DataFrame
        Raw answers (E and P columns) or a :func:`gap_by_dimension` table.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    instrument : mapping, optional
        For raw answers of an adapted instrument.

    Returns
    -------
    matplotlib Axes
    """
    i18n.check_lang(lang)
    table = df if {"dimension", "expectation", "perception"} <= set(df.columns) else gap_by_dimension(
        df, instrument=instrument)
    ax = plt.gca() if ax is None else ax
    dims = _dims_in(table)
    x = np.arange(len(dims))
    by = _by_of(table)
    groups = list(table.groupby(by, sort=False, dropna=False)) if by else [(None, table)]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1"])
    for gi, (key, sub) in enumerate(groups):
        sub = sub.set_index("dimension").reindex(dims)
        suffix = "" if key is None else f" ({_group_label(key, lang)})"
        ce = colors[(2 * gi) % len(colors)] if key is None else colors[gi % len(colors)]
        cp = colors[(2 * gi + 1) % len(colors)] if key is None else colors[gi % len(colors)]
        ax.plot(x, sub["expectation"].to_numpy(dtype=float), marker="o", ls="--", color=ce,
                label=i18n.t("servqual.measure.expectation", lang) + suffix)
        ax.plot(x, sub["perception"].to_numpy(dtype=float), marker="s", ls="-", color=cp,
                label=i18n.t("servqual.measure.perception", lang) + suffix)
    ax.set_xticks(x, [_dim_label(d, lang) for d in dims])
    ax.set_ylim(1, 7)
    ax.set_ylabel(i18n.t("servqual.chart.score_axis", lang))
    ax.set_title(i18n.t("servqual.chart.profile_title", lang))
    ax.legend(fontsize="small")
    return ax


def plot_radar(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Radar (polar) chart of mean expectation and perception per dimension.

    Parameters
    ----------
    table : DataFrame
        Result of :func:`gap_by_dimension` (one E and one P polygon; with
        groups, one pair per group).
    ax : matplotlib polar Axes, optional
        Must be polar (``plt.subplot(projection="polar")``); default: the
        current axes if polar, else a new polar axes (on a new figure if the
        current one already has axes).
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib PolarAxes
    """
    i18n.check_lang(lang)
    _need(table, ["dimension", "expectation", "perception"], "plot_radar", "gap_by_dimension()")
    if ax is None:
        fig = plt.gcf()
        if fig.axes and fig.gca().name == "polar":
            ax = fig.gca()
        elif not fig.axes:
            ax = fig.add_subplot(projection="polar")
        else:
            ax = plt.figure().add_subplot(projection="polar")
    elif getattr(ax, "name", "") != "polar":
        raise ValueError("plot_radar needs polar axes: create them with plt.subplot(projection='polar')")
    dims = _dims_in(table)
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    closed = np.append(angles, angles[0])
    by = _by_of(table)
    groups = list(table.groupby(by, sort=False, dropna=False)) if by else [(None, table)]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1"])
    for gi, (key, sub) in enumerate(groups):
        sub = sub.set_index("dimension").reindex(dims)
        suffix = "" if key is None else f" ({_group_label(key, lang)})"
        for mi, (measure, ls) in enumerate((("expectation", "--"), ("perception", "-"))):
            v = sub[measure].to_numpy(dtype=float)
            color = colors[(gi * 2 + mi) % len(colors)] if key is None else colors[gi % len(colors)]
            ax.plot(closed, np.append(v, v[0]), ls=ls, marker="o", color=color,
                    label=i18n.t(f"servqual.measure.{measure}", lang) + suffix)
            if measure == "perception":
                ax.fill(closed, np.append(v, v[0]), color=color, alpha=0.1)
    ax.set_xticks(angles, [_dim_label(d, lang) for d in dims])
    ax.set_ylim(0, 7)
    ax.set_title(i18n.t("servqual.chart.radar_title", lang))
    ax.legend(loc="upper right", bbox_to_anchor=(1.3, 1.1), fontsize="small")
    return ax
