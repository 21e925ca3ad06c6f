"""Charts of closing the loop: complaint rates, time to resolution, NPS after a complaint.

Seaborn-style axes-level functions: each draws a result table of :mod:`cxlib.recovery` on ``ax``
(default ``plt.gca()``), returns the Axes and computes nothing; a table without the columns a chart
needs is an error naming them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._validate import require_columns
from ..i18n import check_lang, has_label, t
from ..plots import NPS_COLORS, PALETTE

__all__ = ["plot_complaint_rates", "plot_resolution_curve", "plot_recovery_nps"]


def _name(prefix: str, value, lang: str) -> str:
    key = f"{prefix}.{value}"
    return t(key, lang) if has_label(key) else str(value)


def plot_complaint_rates(table: pd.DataFrame, *, unit: str, ax=None, lang: str = "en", label_prefix: str = "touchpoint",
                         **kwargs):
    """Horizontal bars: complaints per 100 stays or orders, with their Garwood intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`cxlib.recovery.complaint_rates` output (index = group; ``rate``, ``ci_low``, ``ci_high``).
    unit : str
        What one exposure is called in ``lang`` ("stays", "orders"), for the axis label.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    label_prefix : str
        Label group that names the index values (e.g. ``touchpoint``).
    **kwargs
        Passed to ``Axes.barh``.
    """
    check_lang(lang)
    require_columns(table, ["rate", "ci_low", "ci_high"], "complaint rates",
                    "pass the result of recovery.complaint_rates()")
    ax = ax if ax is not None else plt.gca()
    data = table.sort_values("rate")
    y = np.arange(len(data))
    ax.barh(y, data["rate"], color=kwargs.pop("color", PALETTE[0]), **kwargs)
    ax.errorbar(data["rate"], y, xerr=[data["rate"] - data["ci_low"], data["ci_high"] - data["rate"]],
                fmt="none", ecolor="#333333", capsize=3)
    ax.set_yticks(y, [_name(label_prefix, v, lang) for v in data.index])
    ax.set_xlabel(t("recovery.axis.rate", lang, unit=unit))
    return ax


def plot_resolution_curve(curve: pd.DataFrame, *, target: float | None = None, ax=None, lang: str = "en",
                          **kwargs):
    """Kaplan–Meier step curves: share of complaints still open after t hours.

    Parameters
    ----------
    curve : DataFrame
        :func:`cxlib.recovery.resolution_curve` output (``group``, ``hours``, ``still_open``).
    target : float, optional
        The resolution target, drawn as a dashed vertical line.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to ``Axes.step``.
    """
    check_lang(lang)
    require_columns(curve, ["group", "hours", "still_open"], "resolution curve",
                    "pass the result of recovery.resolution_curve()")
    ax = ax if ax is not None else plt.gca()
    for i, (group, part) in enumerate(curve.groupby("group", sort=True)):
        label = _name("recovery.group", group, lang) if group == "all" else _name("channel", group, lang)
        ax.step(part["hours"], 100 * part["still_open"], where="post", color=PALETTE[i % len(PALETTE)],
                label=label, **kwargs)
    if target is not None:
        ax.axvline(target, color="#333333", linestyle="--", linewidth=1,
                   label=t("recovery.axis.target", lang, hours=f"{target:g}"))
    ax.set_xscale("symlog", linthresh=1)  # the first hour in detail, the long tail compressed
    ax.set_xlim(0, curve["hours"].max() * 1.1)
    ax.set_ylim(0, 100)
    ax.set_xlabel(t("recovery.axis.hours", lang))
    ax.set_ylabel(t("recovery.axis.still_open", lang))
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_recovery_nps(table: pd.DataFrame, *, ax=None, lang: str = "en", **kwargs):
    """NPS after a complaint by how it was handled, with intervals, beside the no-complaint baseline.

    Parameters
    ----------
    table : DataFrame
        :func:`cxlib.recovery.recovery_outcomes` output (index = class; ``nps``, ``ci_low``,
        ``ci_high``, ``small_sample``).
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to ``Axes.errorbar``.

    Groups with few answers are drawn hollow: their interval is unreliable.
    """
    check_lang(lang)
    require_columns(table, ["nps", "ci_low", "ci_high", "small_sample"], "recovery outcomes",
                    "pass the result of recovery.recovery_outcomes()")
    ax = ax if ax is not None else plt.gca()
    data = table[table["nps"].notna()]
    y = np.arange(len(data))[::-1]
    colors = [NPS_COLORS["promoter"] if v > data.loc["no_complaint", "nps"] else NPS_COLORS["detractor"]
              for v in data["nps"]]
    colors[list(data.index).index("no_complaint")] = PALETTE[5]
    for yi, (_, row), color in zip(y, data.iterrows(), colors, strict=True):
        ax.errorbar(row["nps"], yi, xerr=[[row["nps"] - row["ci_low"]], [row["ci_high"] - row["nps"]]],
                    fmt="o", color=color, mfc="white" if row["small_sample"] else color, capsize=3, **kwargs)
    ax.axvline(data.loc["no_complaint", "nps"], color=PALETTE[5], linestyle="--", linewidth=1)
    ax.set_yticks(y, [_name("recovery.group", g, lang) + (" *" if s else "")
                      for g, s in zip(data.index, data["small_sample"], strict=True)])
    ax.set_xlim(-105, 105)
    ax.set_xlabel(t("recovery.axis.nps", lang))
    return ax
