"""The BEST action list ranks by NPS at stake and counts agreeing evidence correctly."""

import pandas as pd
import pytest

from cxlib import best
from cxlib.errors import CXDataError


@pytest.fixture
def moments():
    return pd.DataFrame(
        {
            "touchpoint": ["wifi", "room", "staff"],
            "rating": ["tp_wifi", "tp_room", "tp_staff"],
            "name_en": ["Wi-Fi", "Room", "Staff"],
            "name_zh": ["无线网络", "客房", "员工"],
            "share_low": [0.05, 0.10, 0.02],
            "difference": [80.0, 90.0, 50.0],
            "ci_low": [70.0, 80.0, 40.0],
            "ci_high": [90.0, 100.0, 60.0],
            "cost": [4.0, 9.0, 1.0],
        }
    )


def test_ranked_by_nps_at_stake_with_scaled_ci(moments):
    out = best.action_list(moments, top=1)
    assert list(out["touchpoint"]) == ["room", "wifi", "staff"]
    assert list(out["rank"]) == [1, 2, 3]
    room = out.iloc[0]
    assert room["at_stake_low"] == pytest.approx(0.10 * 80) and room["at_stake_high"] == pytest.approx(0.10 * 100)
    assert list(out["evidence"]) == [1, 0, 0]  # only one view, top 1


def test_evidence_counts_views_that_agree(moments):
    drivers = pd.DataFrame({"lmg_pct": [20.0, 50.0, 30.0]}, index=["tp_wifi", "tp_room", "tp_staff"])
    lift = pd.DataFrame({"theme": ["dirty", "comfort", "service", "noise"], "diff": [0.25, 0.05, 0.10, 0.40]})
    themes = {"dirty": {"touchpoint": "room"}, "comfort": {"touchpoint": "room"},
              "service": {"touchpoint": "staff"}, "noise": {"touchpoint": None}}
    out = best.action_list(moments, drivers, lift, themes, top=1, lang="zh").set_index("touchpoint")
    # room: top NPS at stake, top driver share, largest voice lift (25 pp, the max of its themes) → 3 views
    assert out.loc["room", "evidence"] == 3
    assert out.loc["room", "voice_lift"] == pytest.approx(25.0)
    assert out.loc["staff", "voice_lift"] == pytest.approx(10.0)
    assert pd.isna(out.loc["wifi", "voice_lift"])
    assert out.loc["wifi", "evidence"] == 0
    assert out.loc["room", "action"].startswith("改进客房")
    assert out.loc["staff", "action"].startswith("调查员工")


def test_bad_input_names_the_problem(moments):
    with pytest.raises(CXDataError, match="moments: missing column"):
        best.action_list(moments.drop(columns="cost"))
    with pytest.raises(CXDataError, match="needs the theme dictionary"):
        best.action_list(moments, lift=pd.DataFrame({"theme": [], "diff": []}))
    with pytest.raises(ValueError, match="lang must be one of"):
        best.action_list(moments, lang="fr")
