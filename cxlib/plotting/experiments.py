"""Charts of the experiments lesson: sample size against effect, peeking, raw vs CUPED intervals.

Seaborn-style axes-level functions that draw results of :mod:`cxlib.experiments` and
:mod:`cxlib.stats.power`; they compute nothing and name the columns a table lacks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._validate import require_columns
from ..i18n import check_lang, t
from ..plots import PALETTE

__all__ = ["plot_sample_size", "plot_peeking", "plot_intervals"]


def plot_sample_size(curve: pd.DataFrame, *, marker: float | None = None, ax=None, lang: str = "en", **kwargs):
    """Units needed per arm against the effect worth detecting (log scale).

    Parameters
    ----------
    curve : DataFrame
        Columns ``effect`` and ``n`` (e.g. a table of :func:`cxlib.stats.power.sample_size_nps`).
    marker : float, optional
        The chosen effect, highlighted.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to ``Axes.plot``.
    """
    check_lang(lang)
    require_columns(curve, ["effect", "n"], "sample-size curve")
    ax = ax if ax is not None else plt.gca()
    ax.plot(curve["effect"], curve["n"], color=kwargs.pop("color", PALETTE[0]), **kwargs)
    if marker is not None:
        n = np.interp(marker, curve["effect"], curve["n"])
        ax.plot([marker], [n], "o", color=PALETTE[1])
    ax.set_yscale("log")
    ax.set_xlabel(t("experiments.axis.effect", lang))
    ax.set_ylabel(t("experiments.axis.n", lang))
    return ax


def plot_peeking(sim: pd.DataFrame, *, alpha: float = 0.05, ax=None, lang: str = "en", **kwargs):
    """False-positive rate of each stopping rule in simulated A/A tests, with Wilson intervals.

    Parameters
    ----------
    sim : DataFrame
        :func:`cxlib.experiments.peeking_simulation` output.
    alpha : float
        The promised rate, drawn as a dashed line.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to ``Axes.bar``.
    """
    check_lang(lang)
    require_columns(sim, ["rule", "false_positive_rate", "ci_low", "ci_high"], "peeking simulation",
                    "pass the result of experiments.peeking_simulation()")
    ax = ax if ax is not None else plt.gca()
    x = np.arange(len(sim))
    rate = 100 * sim["false_positive_rate"]
    # red where even the interval's lower end exceeds the promised rate: the rule does not hold alpha
    colors = np.where(sim["ci_low"] > alpha, PALETTE[3], PALETTE[2])
    ax.bar(x, rate, color=colors, **kwargs)
    ax.errorbar(x, rate, yerr=[rate - 100 * sim["ci_low"], 100 * sim["ci_high"] - rate], fmt="none",
                ecolor="#333333", capsize=3)
    ax.axhline(100 * alpha, color="#333333", linestyle="--", linewidth=1)
    ax.set_xticks(x, [t(f"experiments.rule.{r}", lang) for r in sim["rule"]])
    ax.set_ylabel(t("experiments.axis.false_positive", lang))
    return ax


def plot_intervals(rows: pd.DataFrame, *, ax=None, lang: str = "en", **kwargs):
    """Point estimates with intervals, one row each (e.g. raw vs CUPED), and the zero line.

    Parameters
    ----------
    rows : DataFrame
        Index = what is estimated (a label key under ``experiments.estimate``); columns
        ``difference``, ``ci_low``, ``ci_high``.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to ``Axes.errorbar``.
    """
    check_lang(lang)
    require_columns(rows, ["difference", "ci_low", "ci_high"], "estimates")
    ax = ax if ax is not None else plt.gca()
    y = np.arange(len(rows))[::-1]
    ax.errorbar(rows["difference"], y, xerr=[rows["difference"] - rows["ci_low"], rows["ci_high"] - rows["difference"]],
                fmt="o", color=kwargs.pop("color", PALETTE[0]), capsize=4, **kwargs)
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(y, [t(f"experiments.estimate.{k}", lang) for k in rows.index])
    ax.set_xlabel(t("experiments.axis.difference", lang))
    return ax
