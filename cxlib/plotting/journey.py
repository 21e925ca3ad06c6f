"""Charts of the journey lesson: journey map, rating heatmap, emotion curve, funnel, moments of truth, before/after.

Seaborn-style axes-level functions: each takes a result table of :mod:`cxlib.journey`, draws it on
``ax`` (default ``plt.gca()``) and returns the Axes. They never compute a statistic: intervals and
tests come from the table, and a table without the columns a chart needs is an error naming them.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import transforms

from .._validate import require_columns
from ..i18n import check_lang, t
from ..journey import CHANNELS, STAGES, _check_scale, touchpoint_inventory

__all__ = [
    "plot_inventory",
    "plot_rating_heatmap",
    "plot_emotion_curve",
    "plot_funnel",
    "plot_moments_of_truth",
    "plot_before_after",
]


def _require(frame, columns, table: str) -> None:
    require_columns(frame, columns, f"table '{table}'")


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


def _bar_label(ax, text: str, y: float, start: float, end: float, **style):
    """Label a horizontal bar so that the text stays inside the axes.

    The label goes right of ``end`` (the bar's interval) when it fits, else inside the
    bar, right-aligned left of ``start``, on a white ground; a bar too short for either
    gets its label at the right edge of the axes. Measured with the figure's renderer,
    so it holds for the figure's size when the chart is drawn.
    """
    ann = ax.annotate(text, xy=(end, y), xytext=(3, 0), textcoords="offset points", ha="left",
                      va="center", annotation_clip=False, **style)
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    if ann.get_window_extent(renderer).x1 <= frame.x1:
        return ann
    ann.xy, ann.xyann = (start, y), (-3, 0)
    ann.set_horizontalalignment("right")
    ann.set_bbox({"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    if ann.get_window_extent(renderer).x0 < frame.x0:
        ann.xy = (ax.get_xlim()[1], y)
    return ann


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


def plot_rating_heatmap(table: pd.DataFrame, ax=None, lang: str = "en", *, scale=(1, 5)):
    """Heatmap of mean ratings: touchpoints (rows) × segments (columns), annotated.

    Parameters
    ----------
    table : DataFrame
        From :func:`touchpoint_ratings` (or :func:`emotion_curve`).
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    scale : (low, high)
        The rating scale the means lie on (the ``scale`` given to
        :func:`touchpoint_ratings`); a mean outside it is an error.

    Returns
    -------
    matplotlib.axes.Axes
        Colours come from viridis, a perceptually uniform map that readers with
        red–green colour blindness see as well (dark is low, light is high), spanning
        the whole scale, so the scale's midpoint has the map's middle colour in every
        chart and two charts can be compared.
    """
    check_lang(lang)
    _require(table, ["touchpoint", "mean"], "ratings table")
    low, high = _check_scale(scale)  # the scale check of touchpoint_ratings
    means = table["mean"].to_numpy(dtype="float64")
    outside = np.flatnonzero((means < low) | (means > high))
    if outside.size:
        raise ValueError(
            f"ratings table: mean ratings {means[outside[:5]].tolist()} (rows {outside[:5].tolist()}) lie "
            f"outside the scale {low}–{high}; pass scale= as given to touchpoint_ratings"
        )
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
        cmap="viridis",
        vmin=low,
        vmax=high,
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


def plot_funnel(table: pd.DataFrame, ax=None, lang: str = "en", step_labels: Mapping[str, str] | None = None):
    """Horizontal funnel bars (% of the first step) per group, the biggest leak highlighted.

    Parameters
    ----------
    table : DataFrame
        From :func:`funnel`.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    step_labels : mapping, optional
        Step → its name in ``lang``, e.g. ``roles.of(world).events.step_labels(lang)``; steps
        it does not name take the label catalogue's ``journey.step.*``, else the step's id.

    Returns
    -------
    matplotlib.axes.Axes
        Bars show ``conversion_first`` with its Wilson interval on an axis from 0 to
        100 %; each bar is labelled with the conversion from the previous step, right
        of its interval where the label fits inside the axes, else inside the bar (on a
        white ground); the biggest-leak bar of each group has a red edge and label.
        Labels are placed for the figure's size when the chart is drawn.
    """
    check_lang(lang)
    _require(
        table,
        ["step", "position", "conversion_first", "conversion_prev", "biggest_leak"],
        "funnel table",
    )
    ax = ax if ax is not None else plt.gca()
    ax.set_xlim(0, 100)  # a share of the first step: the axis ends at 100 %, labels stay inside
    by = _group_columns(table, "step")
    groups = _group_labels(table, by, lang)
    names = list(pd.unique(groups))
    steps = table.drop_duplicates("position").sort_values("position")["step"].tolist()
    height = 0.8 / max(1, len(names))
    palette = sns.color_palette(n_colors=max(1, len(names)))
    notes = []
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
        ends = np.nan_to_num(val + err[1])
        starts = np.nan_to_num(val - err[0])
        for yy, start, end, c, lk in zip(
            y, starts, ends, sub["conversion_prev"].to_numpy(dtype="float64"), leak, strict=False
        ):
            if np.isnan(c):
                continue
            text = t("journey.note.step_conversion", lang, rate=c)
            if lk:
                text += " — " + t("journey.note.biggest_leak", lang)
            # emphasis by colour only: the CJK font has no bold face
            notes.append((text, yy, start, end, "crimson" if lk else "0.25"))
    ax.set_yticks(np.arange(len(steps)))
    named = dict(step_labels or {})
    ax.set_yticklabels([named.get(s) or _step_label(s, lang) for s in steps])
    ax.invert_yaxis()
    ax.autoscale_view()
    for text, yy, start, end, color in notes:  # once the limits are final, so that each is measured in place
        _bar_label(ax, text, yy, start, end, fontsize=8, color=color)
    ax.set_xlabel(t("journey.axis.share_of_first", lang))
    ax.set_ylabel(t("journey.axis.funnel_step", lang))
    ax.set_title(t("journey.title.funnel", lang))
    if by:
        ax.legend(
            title=" · ".join(_label(f"journey.axis.{c}", lang, c) for c in by), loc="lower right"
        )
    return ax


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
        Each group shows two bars (before, after) on an axis from 0 to 100 %; the
        group's label under the bars gives the difference in percentage points and its
        p-value ("< 0.001" below 0.001); the legend sits above the axes.
    """
    check_lang(lang)
    need = ["n_before", "rate_before", "ci_low_before", "ci_high_before", "rate_after", "ci_low_after",
            "ci_high_after", "difference", "p_value"]
    _require(table, need, "before/after table")
    ax = ax if ax is not None else plt.gca()
    by = _group_columns(table, "n_before")
    groups = _group_labels(table, by, lang).tolist()
    x = np.arange(len(table))
    width = 0.38
    colors = {"before": "0.65", "after": sns.color_palette()[0]}
    for off, period in ((-width / 2, "before"), (width / 2, "after")):
        rate = 100 * table[f"rate_{period}"].to_numpy("float64")
        lo = table[f"ci_low_{period}"].to_numpy("float64")
        hi = table[f"ci_high_{period}"].to_numpy("float64")
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
    notes = [
        "" if np.isnan(d) else "\n" + t("journey.note.difference", lang, diff=100 * d, p=_p_text(p))
        for d, p in zip(table["difference"].to_numpy("float64"), table["p_value"].to_numpy("float64"), strict=True)
    ]
    ax.set_xticks(x)
    ax.set_xticklabels([g + n for g, n in zip(groups, notes, strict=True)])
    ax.set_ylim(0, 100)  # a conversion share: the axis ends at 100 %
    ax.set_ylabel(t("journey.axis.conversion", lang))
    step, next_step = table.attrs.get("step", "payment"), table.attrs.get("next_step", "order")
    ax.set_title(
        t(
            "journey.title.before_after",
            lang,
            step=_step_label(step, lang),
            next_step=_step_label(next_step, lang),
        ),
        pad=22,  # room for the legend between the axes and the title
    )
    # above the axes, so that it never covers a bar that reaches the top
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize="small")
    return ax


def _p_text(p: float) -> str:
    """``"< 0.001"`` or ``"= 0.012"`` (APA style, never "0.0"); "= –" when missing."""
    if np.isnan(p):
        return "= –"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"
