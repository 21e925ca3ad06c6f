"""Charts of :mod:`cxlib.metrics`: seaborn-style axes-level functions that draw results, never compute them.

Each ``plot_…(table, ax=None, lang="en", **kwargs)`` takes the table a :mod:`cxlib.metrics` function
returned, draws on ``ax`` (default ``plt.gca()``) and returns it. A table that lacks a column or
setting a chart needs is an error naming what is missing, never a silent fallback.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..i18n import check_lang, t
from ..metrics import NPS_HIGH, NPS_LOW, _answer_counts, _clean, nps

# --------------------------------------------------------------------------- plots


def _axes(ax):

    return plt.gca() if ax is None else ax


def plot_nps_distribution(scores, ax=None, lang: str = "en"):
    """Bar chart of 0–10 answers coloured detractor / passive / promoter.

    Parameters
    ----------
    scores : array-like
        0–10 answers (validated as in :func:`nps`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: the current axes).
    lang : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_nps_distribution([10, 9, 8, 7, 6, 0])
    """
    check_lang(lang)
    cleaned = _clean(scores, NPS_LOW, NPS_HIGH, "scores")
    counts = _answer_counts(cleaned.values, NPS_LOW, NPS_HIGH)
    res = nps(cleaned.values)
    from ..plots import NPS_COLORS

    ax = _axes(ax)
    kinds = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    x = np.arange(NPS_LOW, NPS_HIGH + 1)
    for kind, key in (("detractor", "nps.detractors"), ("passive", "nps.passives"),
                      ("promoter", "nps.promoters")):
        sel = np.array([k == kind for k in kinds])
        ax.bar(x[sel], counts[sel], color=NPS_COLORS[kind], label=t(key, lang), edgecolor="white")
    ax.set_xticks(x)
    ax.set_xlabel(t("metrics.ltr_score", lang))
    ax.set_ylabel(t("metrics.respondents", lang))
    ax.set_title(t("metrics.nps_distribution_title", lang, nps=res.nps, n=res.n))
    ax.legend(frameon=False)
    return ax


def _group_labels(table: pd.DataFrame, by: list) -> list[str]:
    parts = [table[c].astype(object).where(table[c].notna(), "—").astype(str) for c in by]
    return [" / ".join(vals) for vals in zip(*parts, strict=True)]


def plot_nps_by(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Point-and-interval chart of an :func:`nps_by` table; small groups drawn hollow.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nps_by`.
    ax : matplotlib.axes.Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> df = pd.DataFrame({"seg": list("aaabbb"), "ltr": [10, 9, 3, 8, 2, 1]})
    >>> ax = plot_nps_by(nps_by(df, "ltr", "seg"))
    """
    check_lang(lang)
    needed = {"nps", "ci_low", "ci_high", "small_n"}
    if not needed <= set(table.columns):
        raise ValueError(f"plot_nps_by expects an nps_by() table with columns {sorted(needed)}")
    ax = _axes(ax)
    by = table.attrs.get("by") or [table.columns[0]]
    labels = _group_labels(table, by)
    y = np.arange(len(table))[::-1]
    small = table["small_n"].to_numpy(dtype=bool)
    val = table["nps"].to_numpy(dtype=float)
    err = np.vstack([val - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - val])
    ax.errorbar(val, y, xerr=err, fmt="none", ecolor="#636363", capsize=3)
    ax.scatter(val[~small], y[~small], color="#2c7fb8", zorder=3)
    min_n = table.attrs.get("min_n", 30)
    if small.any():
        ax.scatter(val[small], y[small], facecolors="white", edgecolors="#2c7fb8", zorder=3,
                   label=t("metrics.small_n", lang, min_n=min_n))
        labels = [f"{lab} *" if s else lab for lab, s in zip(labels, small, strict=True)]
        ax.legend(frameon=False, loc="best")
    overall = table.attrs.get("overall")
    if overall is not None:
        ax.axvline(overall.nps, color="#969696", linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    conf = table.attrs.get("conf", 0.95)
    ax.set_xlabel(t("metrics.nps_points", lang))
    ax.set_title(t("metrics.nps_by_title", lang, conf=conf))
    return ax


def plot_nps_trend(trend: pd.DataFrame, ax=None, lang: str = "en"):
    """Line chart of an :func:`nps_trend` table: NPS, CI band, control limits, signals.

    Parameters
    ----------
    trend : pandas.DataFrame
        Output of :func:`nps_trend` (one line per group when it has ``by`` columns).
    ax : matplotlib.axes.Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> df = pd.DataFrame({"d": ["2024-01-05", "2024-02-20", "2024-03-02"],
    ...                    "ltr": [10, 6, 9]})
    >>> ax = plot_nps_trend(nps_trend(df, "ltr", "d"))
    """
    check_lang(lang)
    needed = {"period_start", "nps", "ci_low", "ci_high", "lcl", "ucl", "flagged"}
    if not needed <= set(trend.columns):
        raise ValueError(f"plot_nps_trend expects an nps_trend() table with columns {sorted(needed)}")
    ax = _axes(ax)
    by = trend.attrs.get("by") or []
    groups = [((), trend)] if not by else list(trend.groupby(by, sort=False, observed=True, dropna=False))
    conf = trend.attrs.get("conf", 0.95)
    for i, (key, part) in enumerate(groups):
        color = f"C{i}"
        x = part["period_start"]
        name = " / ".join(map(str, key if isinstance(key, tuple) else (key,))) if by else "NPS"
        ax.plot(x, part["nps"], marker="o", color=color, label=name)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=color, alpha=0.15,
                        label=t("metrics.ci_band", lang, conf=conf) if i == 0 else None)
        ax.step(x, part["lcl"], where="mid", color=color, linestyle=":", linewidth=1,
                label=t("metrics.control_limits", lang) if i == 0 else None)
        ax.step(x, part["ucl"], where="mid", color=color, linestyle=":", linewidth=1)
        ax.plot(x, part["baseline"], color=color, linestyle="--", linewidth=1,
                label=t("metrics.baseline", lang) if i == 0 else None)
        flag = part["flagged"].to_numpy(dtype=bool)
        if flag.any():
            ax.scatter(x[flag], part["nps"][flag], s=120, facecolors="none", edgecolors="#d7301f",
                       linewidths=2, zorder=4, label=t("metrics.flagged", lang) if i == 0 else None)
    ax.set_xlabel(t("metrics.period", lang))
    ax.set_ylabel(t("metrics.nps_points", lang))
    ax.set_title(t("metrics.nps_trend_title", lang))
    ax.legend(frameon=False, fontsize="small")
    return ax
