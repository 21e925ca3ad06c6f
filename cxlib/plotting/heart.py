"""Charts of the HEART lesson: engagement trend, adoption curve, before/after bars and the dashboard.

Seaborn-style axes-level functions (``ax=None`` → ``plt.gca()``, ``**kwargs`` to the main artist,
the Axes returned) drawing the tables of :mod:`cxlib.heart`. :func:`plot_before_after` draws the
journey chart (:func:`cxlib.plotting.journey.plot_before_after`: there is one before/after
table) with its legend moved off the bars. :func:`plot_heart_dashboard` is figure-level: it calls
the HEART functions for each panel and draws their tables.

Every legend here sits in the band between the plotting area and the title
(:func:`legend_outside`), never on the data: bars reaching the top of an axis stay visible.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from .. import plots
from .._validate import require_columns
from ..heart import adoption, before_after, engagement, happiness, retention, sessions, task_success
from ..i18n import check_lang, t
from .journey import plot_before_after as _journey_before_after
from .value import plot_retention_curves

__all__ = ["plot_engagement", "plot_before_after", "plot_adoption_curve", "plot_heart_dashboard", "legend_outside"]


def _ax(ax):
    return ax if ax is not None else plt.gca()


def legend_outside(ax, fontsize: float = 8, **kwargs):
    """The axes' legend in one row above the plotting area, below the title (never over the data).

    The title is lifted to make room. ``**kwargs`` go to ``Axes.legend``. Returns the legend (None
    when nothing is labelled).
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    legend = ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles),
                       fontsize=fontsize, frameon=False, borderaxespad=0.2, **kwargs)
    ax.set_title(ax.get_title(), pad=6 + 2.2 * fontsize)
    return legend


def _label_group(value, lang):
    try:
        return t(f"platform.{value}", lang)
    except KeyError:
        return str(value)


def plot_engagement(table: pd.DataFrame, ax=None, lang: str = "en", by: str | None = "platform", *,
                    release=None, **kwargs):
    """Line chart of sessions per user per period from :func:`cxlib.heart.engagement`.

    ``by`` names the group column to draw one line per value (it must be in the table);
    ``release`` (a date) draws a dashed line there; the y axis starts at 1, the least an active
    user can have. ``**kwargs`` go to ``Axes.plot``. Returns the Axes.
    """
    check_lang(lang)
    require_columns(table, ["period", "sessions_per_user", *([by] if by else [])], "engagement table")
    ax = _ax(ax)
    x = table["period"].map(lambda p: p.start_time)
    if by:
        for key, g in table.assign(_x=x).groupby(by, sort=True):
            ax.plot(g["_x"], g["sessions_per_user"], **{"marker": ".", "label": _label_group(key, lang), **kwargs})
    else:
        ax.plot(x, table["sessions_per_user"], **{"marker": ".", **kwargs})
    if release is not None:
        ax.axvline(pd.Timestamp(release), color="black", lw=0.8, ls="--")
    top = float(np.nanmax(table["sessions_per_user"])) if len(table) else 1.0
    ax.set_ylim(1, max(top, 1.0) + 0.05 * max(top - 1, 0.2))
    ax.set_ylabel(t("heart.plot.sessions_per_user", lang))
    ax.set_title(t("heart.dim.engagement", lang))
    if by:
        legend_outside(ax)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return ax


def plot_before_after(table: pd.DataFrame, ax=None, lang: str = "en"):
    """Before/after bars of :func:`cxlib.heart.before_after` (the journey chart), legend above the bars.

    Returns the Axes.
    """
    ax = _journey_before_after(table, ax=ax, lang=lang)
    legend_outside(ax, fontsize=9)
    return ax


def plot_adoption_curve(curves: Mapping[str, pd.DataFrame], days: int | None = None, ax=None, lang: str = "en", *,
                        title: str | None = None, **kwargs):
    """Adoption against the window length, one line (with its Wilson band) per denominator.

    Parameters
    ----------
    curves : mapping
        ``{"all": table, "step": table}`` of :func:`cxlib.heart.adoption_curve` tables (index
        ``days``; ``adoption``, ``ci_low``, ``ci_high``); the keys name the lines
        (``heart.plot.adoption_all`` / ``heart.plot.adoption_step``).
    days : int, optional
        A window to mark on each line, with its value.
    title : str, optional
    **kwargs
        To ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = _ax(ax)
    for (name, curve), color in zip(curves.items(), (plots.PALETTE[2], plots.PALETTE[0], plots.PALETTE[1]), strict=False):
        require_columns(curve, ["adoption", "ci_low", "ci_high"], "adoption curve")
        ax.plot(curve.index, curve["adoption"], **{"color": color, "label": t(f"heart.plot.adoption_{name}", lang), **kwargs})
        ax.fill_between(curve.index, curve["ci_low"], curve["ci_high"], color=color, alpha=0.2)
        if days is not None and days in curve.index:
            now = float(curve.loc[days, "adoption"])
            ax.plot([days], [now], "o", ms=8, color=color)
            ax.annotate(f"{now:.0%}", (days, now), textcoords="offset points", xytext=(6, 6), fontsize=9)
    if days is not None:
        ax.axvline(days, color="black", lw=0.8, ls="--")
    ax.set(ylim=(0, 1), xlabel=t("heart.plot.window_days", lang), ylabel=t("heart.plot.adopted", lang))
    ax.set_title(title if title is not None else t("heart.dim.adoption", lang))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    legend_outside(ax)
    return ax


def _step(step, lang):
    try:
        return t(f"heart.step.{step}", lang)
    except KeyError:
        return str(step)


def plot_heart_dashboard(
    events: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    release_date=None,
    *,
    lang: str = "en",
    within_days: int = 30,
    metric="payment_completion",
    among_step: str = "payment",
    columns: Mapping | None = None,
    figsize=(15, 8.5),
):
    """A one-page HEART dashboard (figure-level): one panel per dimension plus the release test.

    Panels: Happiness (CSAT and NPS with CIs, by ``platform`` when the survey has that column,
    else of all answers; needs ``survey`` with ``csat`` and ``nps``), Engagement (sessions per
    user per week), Adoption (feature use within ``within_days`` of the release among all active
    users and among those who reached ``among_step``, by platform), Retention (weekly cohort
    curves), Task success (completion, time and errors by platform, :func:`cxlib.heart.task_success`
    defaults) and the before/after comparison of ``metric`` around ``release_date``. Panels
    without their input say so. Legends sit above each panel, off the bars.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    s = sessions(events, columns=columns)
    fig, axes = plt.subplots(2, 3, figsize=figsize)
    a_h, a_e, a_a, a_r, a_t, a_b = axes.ravel()

    # Happiness
    if survey is not None:
        split = "platform" if "platform" in survey.columns else None
        hap = happiness(survey, platform=None, by=split)
        groups = hap["platform"] if split else pd.Series("all", index=hap.index)
        for j, m in enumerate(("csat", "nps")):
            sub = hap[hap["metric"] == m]
            x = np.arange(len(sub)) + (j - 0.5) * 0.38
            v = sub["value"].to_numpy()
            a_h.bar(x, v, 0.38, yerr=np.vstack([v - sub["ci_low"], sub["ci_high"] - v]), capsize=3,
                    label=t(f"heart.plot.{m}", lang))
        a_h.set_xticks(np.arange(len(sub)), [_label_group(p, lang) for p in groups[sub.index]])
        a_h.axhline(0, color="black", lw=0.8)
    else:
        _empty(a_h, lang)
    a_h.set_title(t("heart.dim.happiness", lang))
    legend_outside(a_h)

    # Engagement
    plot_engagement(engagement(s, by="platform"), ax=a_e, lang=lang)

    # Adoption
    if release_date is not None and "feature" in s.columns:
        for j, step in enumerate((None, among_step)):
            ad = adoption(s, release_date, within_days=within_days, by="platform", among_step=step)
            v = ad["adoption"].to_numpy()
            a_a.bar(np.arange(len(ad)) + (j - 0.5) * 0.38, v, 0.38, capsize=3,
                    yerr=np.vstack([v - ad["ci_low"], ad["ci_high"] - v]),
                    color=("#3a9a5b", "#1f5f8b")[j],
                    label=t("heart.plot.adoption_all" if step is None else "heart.plot.adoption_step", lang))
        a_a.set_xticks(np.arange(len(ad)), [_label_group(p, lang) for p in ad["platform"]])
        a_a.set_ylim(0, 1)
        a_a.yaxis.set_major_formatter(PercentFormatter(1.0))
        a_a.set_ylabel(t("heart.plot.adoption", lang, days=within_days))
    else:
        _empty(a_a, lang)
    a_a.set_title(t("heart.dim.adoption", lang))
    legend_outside(a_a)

    # Retention
    plot_retention_curves(retention(s), ax=a_r, lang=lang, show_cohorts=False)
    a_r.set_title(t("heart.dim.retention", lang))
    a_r.set_xlabel(t("heart.plot.weeks", lang))
    legend_outside(a_r)

    # Task success
    ts = task_success(s, by="platform")
    labels = [_label_group(p, lang) for p in ts["platform"]]
    v = ts["completion_rate"].to_numpy()
    a_t.bar(np.arange(len(ts)) - 0.19, v, 0.38, yerr=np.vstack([v - ts["ci_low"], ts["ci_high"] - v]),
            capsize=3, label=t("heart.plot.completion_short", lang))
    if "error_rate" in ts:
        e = ts["error_rate"].to_numpy()
        a_t.bar(np.arange(len(ts)) + 0.19, e, 0.38, color="#c0392b",
                yerr=np.vstack([e - ts["error_ci_low"], ts["error_ci_high"] - e]), capsize=3,
                label=t("heart.plot.error_rate", lang))
    for i, m in enumerate(ts["median_minutes"]):
        a_t.text(i - 0.19, 0.03, t("heart.plot.median_minutes", lang, m=m), ha="center", fontsize=8,
                 color="white", rotation=90, va="bottom")
    a_t.set_xticks(np.arange(len(ts)), labels)
    a_t.set_ylim(0, 1.05)
    a_t.yaxis.set_major_formatter(PercentFormatter(1.0))
    a_t.set_title(t("heart.dim.task_success", lang))
    legend_outside(a_t)

    # Before / after
    if release_date is not None:
        plot_before_after(before_after(s, release_date, metric=metric, by="platform"), ax=a_b, lang=lang)
    else:
        _empty(a_b, lang)
        a_b.set_title(t("heart.plot.before_after", lang))

    fig.suptitle(t("heart.plot.dashboard", lang))
    fig.tight_layout()
    return fig


def _empty(ax, lang):
    ax.text(0.5, 0.5, t("heart.plot.no_data", lang), ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
