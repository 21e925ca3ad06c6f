"""The BEST report's closing step: one ranked action list from three kinds of evidence.

The BEST model (seed 002) reads the customer journey four ways: **B**ehavior
(what customers do along the journey), **E**xperience (NPS and satisfaction at
each touchpoint), **S**ound (what they say, and why) and **T**arget (outcomes
and the key drivers behind them). Lessons 01, 02, 05 and 08 compute each view;
:func:`action_list` puts three of them side by side per touchpoint so that a
manager sees which fix the evidence agrees on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import require_columns
from .errors import CXDataError
from .i18n import check_lang, t

__all__ = ["action_list"]


def _need(frame: pd.DataFrame, columns, what: str) -> None:
    require_columns(frame, columns, what)


def action_list(
    moments: pd.DataFrame,
    drivers: pd.DataFrame | None = None,
    lift: pd.DataFrame | None = None,
    themes: dict | None = None,
    *,
    top: int = 3,
    lang: str = "en",
    before: pd.DataFrame | None = None,
    change: str | None = None,
    targets=None,
) -> pd.DataFrame:
    """Rank touchpoints by the NPS points their low ratings cost, with supporting evidence.

    Parameters
    ----------
    moments : DataFrame
        :func:`cxlib.journey.moments_of_truth` (columns ``touchpoint``, ``rating``,
        ``name_en``, ``name_zh``, ``share_low``, ``difference``, ``ci_low``,
        ``ci_high``, ``cost``).
    drivers : DataFrame, optional
        :func:`cxlib.drivers.key_drivers`, indexed by rating column, with ``lmg_pct``.
    lift : DataFrame, optional
        :func:`cxlib.voc.theme_lift` (``theme``, ``diff``) comparing detractors with promoters.
    themes : dict, optional
        The theme dictionary (:func:`cxlib.voc.load_themes`): each theme's
        ``touchpoint`` links review themes to touchpoints. Required with ``lift``.
    top : int
        A view "agrees" when the touchpoint is among its ``top`` touchpoints.
    lang : {"en", "zh"}
    before : DataFrame, optional
        The moments table of the period before a change (e.g. the last release); then
        ``moments`` must be the period after it, so that "what to fix now" reads the
        current state, and a touchpoint whose NPS at stake fell below its earlier
        value by more than the current interval is reported as improved.
    change : str, optional
        The change's name for the sentences (e.g. the release's name).
    targets : iterable of str, optional
        The touchpoints the change addressed (a release's ``touchpoint``); only these can be
        reported as improved *by* the change. Default: none, so that a touchpoint
        improving on its own is never credited to an unrelated release.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most costly first: ``rank``, ``touchpoint``, ``name``,
        ``nps_at_stake`` (E: points of NPS lost to low ratings = share_low × NPS gap),
        ``at_stake_low``/``at_stake_high`` (the gap's CI scaled by the share rating low),
        ``driver_share`` (T: % of explained variance in the outcome, LMG), ``voice_lift``
        (S: percentage points more detractor than promoter reviews mention it; the
        largest of its themes), ``evidence`` (how many of the available views rank it in
        their top ``top``), ``strength`` (``"fix"``: at least two views agree and the
        interval of the NPS at stake excludes zero; ``"improved"``: with ``before``, the
        earlier NPS at stake lies above the current interval; else ``"investigate"``) and
        ``action`` (a sentence in ``lang`` whose wording follows ``strength``). With
        ``before`` also ``before_at_stake``.

    Notes
    -----
    The NPS at stake is what the whole sample's NPS would gain if the customers who
    rated the touchpoint low had answered like the other raters: (n_low / N) ×
    (NPS_rest − NPS_low), N = all respondents (``cost`` of the moments table). It assumes the gap is caused by the touchpoint, which a
    survey cannot prove; the other two views are there to see whether independent
    evidence (driver analysis on ratings, customers' own words) points the same way.
    The CI treats ``share_low`` as fixed.

    Examples
    --------
    >>> m = pd.DataFrame({"touchpoint": ["room", "wifi"], "rating": ["tp_room", "tp_wifi"],
    ...     "name_en": ["Room", "Wi-Fi"], "name_zh": ["客房", "无线网络"], "share_low": [0.1, 0.05],
    ...     "difference": [90.0, 80.0], "ci_low": [84.0, 72.0], "ci_high": [96.0, 88.0], "cost": [9.0, 4.0]})
    >>> action_list(m)[["rank", "touchpoint", "nps_at_stake", "evidence"]].to_dict("records")[0]
    {'rank': 1, 'touchpoint': 'room', 'nps_at_stake': 9.0, 'evidence': 1}
    """
    check_lang(lang)
    _need(moments, ["touchpoint", "rating", "name_en", "name_zh", "share_low", "ci_low", "ci_high", "cost"], "moments")
    # the share on the same base as "cost" (all respondents) when the table has it
    share = moments["share_low_all"] if "share_low_all" in moments.columns else moments["share_low"]
    out = pd.DataFrame(
        {
            "touchpoint": moments["touchpoint"].to_numpy(),
            "rating": moments["rating"].to_numpy(),
            "name": moments["name_zh" if lang == "zh" else "name_en"].to_numpy(),
            "nps_at_stake": moments["cost"].to_numpy(dtype=float),
            "at_stake_low": (share * moments["ci_low"]).to_numpy(dtype=float),
            "at_stake_high": (share * moments["ci_high"]).to_numpy(dtype=float),
        }
    )
    views = ["nps_at_stake"]
    if drivers is not None:
        _need(drivers, ["lmg_pct"], "drivers")
        out["driver_share"] = out["rating"].map(drivers["lmg_pct"]).astype(float)
        views.append("driver_share")
    if lift is not None:
        if themes is None:
            raise CXDataError("lift needs the theme dictionary (themes=) to link review themes to touchpoints")
        _need(lift, ["theme", "diff"], "lift")
        touch = {name: spec.get("touchpoint") for name, spec in themes.items()}
        per_touchpoint = (
            lift.assign(touchpoint=lift["theme"].map(touch)).dropna(subset=["touchpoint"])
            .groupby("touchpoint")["diff"].max() * 100
        )
        out["voice_lift"] = out["touchpoint"].map(per_touchpoint).astype(float)
        views.append("voice_lift")
    in_top = np.zeros(len(out), dtype=int)
    for view in views:
        ranks = out[view].rank(ascending=False, method="min")
        in_top += (ranks <= top).fillna(False).to_numpy(dtype=int)
    out["evidence"] = in_top
    out = out.sort_values(["nps_at_stake", "evidence"], ascending=[False, False], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    strength = np.where((out["evidence"] >= 2) & (out["at_stake_low"] > 0), "fix", "investigate")
    earlier = np.full(len(out), np.nan)
    if before is not None:
        _need(before, ["touchpoint", "cost"], "before")
        earlier = out["touchpoint"].map(before.set_index("touchpoint")["cost"]).to_numpy(dtype=float)
        out["before_at_stake"] = earlier
        addressed = out["touchpoint"].isin([] if targets is None else list(targets)).to_numpy()
        strength = np.where(addressed & (earlier > out["at_stake_high"].to_numpy()), "improved", strength)
    out["strength"] = strength
    out["action"] = [
        t(f"best.action_{s}", lang, name=n, points=f"{p:.1f}", before=f"{b:.1f}", change=change or "")
        for n, p, s, b in zip(out["name"], out["nps_at_stake"], out["strength"], earlier, strict=True)
    ]
    return out.drop(columns="rating")
