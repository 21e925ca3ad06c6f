"""Tests of cxlib.journey: hand-counted event logs and surveys, published intervals, properties."""

from __future__ import annotations

import doctest
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import stats  # noqa: E402

from cxlib import journey  # noqa: E402
from cxlib.errors import CXDataError, ScoreError  # noqa: E402
from cxlib.i18n import t  # noqa: E402
from cxlib.stats.funnel import funnel_from_counts  # noqa: E402
from cxlib.stats.proportions import newcombe_interval, wilson_interval  # noqa: E402

STEPS = ["home", "search", "product", "cart", "checkout", "payment", "order"]
T0 = pd.Timestamp("2026-01-05 10:00:00")


def make_events(
    depths: dict[str, int], platform: dict[str, str] | None = None, start=T0
) -> pd.DataFrame:
    """Each session goes through the first `depth` steps, one minute apart."""
    rows = []
    for sid, depth in depths.items():
        for k in range(depth):
            rows.append(
                {
                    "session_id": sid,
                    "platform": (platform or {}).get(sid, "web"),
                    "step": STEPS[k],
                    "timestamp": start + pd.Timedelta(minutes=k),
                }
            )
    return pd.DataFrame(rows, columns=["session_id", "platform", "step", "timestamp"])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------
# inventory
# --------------------------------------------------------------------------------------


def test_inventory_hotel_classifies_touchpoints_by_stage_and_channel():
    inv = journey.touchpoint_inventory("hotel")
    assert len(inv) == 13
    row = inv.set_index("touchpoint").loc["checkin"]
    assert (row["stage"], row["channel"], row["column"], row["name"]) == (
        "use",
        "offline",
        "tp_checkin",
        "Check-in",
    )
    assert inv.set_index("touchpoint").loc["room", "channel"] == "product"
    assert not inv.set_index("touchpoint").loc["ads", "rated"]
    assert list(inv["stage"].cat.categories) == list(journey.STAGES)
    assert inv["stage"].cat.codes.is_monotonic_increasing  # journey order
    assert set(inv["channel"]) == set(journey.CHANNELS)
    assert not inv["in_funnel"].any()  # hotel has no event log


def test_inventory_ecommerce_links_funnel_steps_and_chinese_names():
    inv = journey.touchpoint_inventory("ecommerce", lang="zh")
    tracked = inv[inv["in_funnel"]]
    assert tracked["step"].tolist() == ["home", "search", "product", "cart", "checkout", "payment"]
    assert inv.set_index("touchpoint").loc["payment", "name"] == "支付"
    assert inv.set_index("touchpoint").loc["payment", "column"] == "tp_payment"


@pytest.mark.parametrize("world", ["hotel", "ecommerce"])
def test_dictionary_touchpoints_point_at_real_columns_and_steps(world):
    d = journey._dictionary(world)
    inv = journey.touchpoint_inventory(world)
    survey_cols = set(d["tables"]["survey"]["columns"])
    assert set(inv["column"].dropna()) <= survey_cols
    assert {c for c in survey_cols if c.startswith("tp_")} == set(inv["column"].dropna())
    assert set(inv["step"].dropna()) <= set(d.get("funnel_steps", []))


def test_inventory_accepts_a_dictionary_mapping():
    world = {
        "world": "mine",
        "touchpoints": [
            {"id": "web", "stage": "awareness", "channel": "online", "en": "Web", "zh": "网站"},
            {
                "id": "shop",
                "stage": "purchase",
                "channel": "offline",
                "column": "tp_shop",
                "en": "Shop",
                "zh": "门店",
            },
        ],
    }
    inv = journey.touchpoint_inventory(world)
    assert inv["touchpoint"].tolist() == ["web", "shop"]
    assert inv["rated"].tolist() == [False, True]


def test_inventory_bad_stage_and_duplicate_ids_are_named():
    world = {
        "world": "bad",
        "touchpoints": [
            {"id": "a", "stage": "buy", "channel": "online", "en": "A", "zh": "A"},
            {"id": "b", "stage": "use", "channel": "shop", "en": "B", "zh": "B"},
            {"id": "b", "stage": "use", "channel": "online", "en": "B", "zh": "B"},
        ],
    }
    with pytest.raises(CXDataError) as err:
        journey.touchpoint_inventory(world)
    msg = str(err.value)
    assert "'buy'" in msg and "'shop'" in msg and "['b']" in msg


def test_inventory_unknown_world_lists_the_choices():
    with pytest.raises(ValueError, match="airline") as err:
        journey.touchpoint_inventory("airline")
    assert "hotel" in str(err.value) and "ecommerce" in str(err.value)


# --------------------------------------------------------------------------------------
# ratings and emotion curve
# --------------------------------------------------------------------------------------


@pytest.fixture
def small_survey():
    return pd.DataFrame(
        {
            "property_id": ["a", "a", "b", "b"],
            "tp_checkin": [2, 4, None, 3],
            "tp_room": [5, 4, 3, 4],
        }
    )


def test_touchpoint_ratings_hand_computed(small_survey):
    r = journey.touchpoint_ratings(small_survey).set_index("touchpoint")
    # check-in: 2, 4, 3 → mean 3, sd 1, se 1/√3, t(0.975, 2) = 4.303 (t table)
    assert r.loc["checkin", "n"] == 3 and r.loc["checkin", "n_missing"] == 1
    assert r.loc["checkin", "mean"] == pytest.approx(3.0)
    assert r.loc["checkin", "sd"] == pytest.approx(1.0)
    assert r.loc["checkin", "se"] == pytest.approx(1 / math.sqrt(3))
    assert r.loc["checkin", "ci_low"] == pytest.approx(3 - 4.303 / math.sqrt(3), abs=1e-3)
    assert r.loc["checkin", "ci_high"] == pytest.approx(3 + 4.303 / math.sqrt(3), abs=1e-3)
    # room: 5, 4, 3, 4 → mean 4, sd √(2/3)
    assert r.loc["room", "mean"] == pytest.approx(4.0)
    assert r.loc["room", "sd"] == pytest.approx(math.sqrt(2 / 3))
    assert r.loc["room", "rating"] == "tp_room"


def test_touchpoint_ratings_by_segment(small_survey):
    r = journey.touchpoint_ratings(small_survey, by="property_id")
    assert list(r.columns[:3]) == ["property_id", "touchpoint", "rating"]
    b = r[(r.property_id == "b") & (r.touchpoint == "checkin")].iloc[0]
    assert (b["n"], b["n_missing"], b["mean"]) == (1, 1, 3.0)
    assert np.isnan(b["ci_low"])  # one answer: no interval
    a = r[(r.property_id == "a") & (r.touchpoint == "room")].iloc[0]
    assert a["mean"] == pytest.approx(4.5)
    assert (
        r.groupby("property_id")["n"].sum() + r.groupby("property_id")["n_missing"].sum()
    ).tolist() == [4, 4]


def test_touchpoint_ratings_with_world_uses_journey_order_and_names():
    survey = pd.DataFrame(
        {
            c: [3, 4]
            for c in [
                "tp_checkout",
                "tp_wifi",
                "tp_booking",
                "tp_room",
                "tp_checkin",
                "tp_staff",
                "tp_breakfast",
            ]
        }
    )
    r = journey.touchpoint_ratings(survey, world="hotel")
    assert r["touchpoint"].tolist() == [
        "booking",
        "checkin",
        "room",
        "breakfast",
        "staff",
        "wifi",
        "checkout",
    ]
    assert r.set_index("touchpoint").loc["wifi", "name_zh"] == "无线网络"
    assert r.set_index("touchpoint").loc["checkin", "stage"] == "use"
    # ids and columns are both accepted, in the order given
    r2 = journey.touchpoint_ratings(survey, ratings=["wifi", "tp_checkin"], world="hotel")
    assert r2["rating"].tolist() == ["tp_wifi", "tp_checkin"]


def test_rating_interval_agrees_with_scipy():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 40).astype(float)
    r = journey.touchpoint_ratings(pd.DataFrame({"tp_x": x}), conf=0.9).iloc[0]
    lo, hi = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["x", "y"]), st.one_of(st.none(), st.integers(1, 5))),
        min_size=0,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_touchpoint_ratings_properties(rows, rnd):
    survey = pd.DataFrame(rows, columns=["seg", "tp_a"])
    r = journey.touchpoint_ratings(survey, by="seg")
    assert (r["n"] + r["n_missing"]).sum() == len(survey)
    ok = r["ci_low"].notna()
    assert (r.loc[ok, "ci_low"] <= r.loc[ok, "mean"] + 1e-12).all()
    assert (r.loc[ok, "mean"] <= r.loc[ok, "ci_high"] + 1e-12).all()
    assert ((r["mean"].dropna() >= 1) & (r["mean"].dropna() <= 5)).all()
    order = list(range(len(survey)))
    rnd.shuffle(order)
    shuffled = journey.touchpoint_ratings(survey.iloc[order], by="seg")
    pd.testing.assert_frame_equal(shuffled, r, check_exact=False, rtol=1e-9)


def test_emotion_curve_order_and_moment_of_pain():
    survey = pd.DataFrame(
        {
            "seg": ["x", "x", "y", "y"],
            "tp_booking": [5, 5, 4, 4],
            "tp_checkin": [2, 2, 4, 4],
            "tp_room": [4, 4, 3, 3],
            "tp_checkout": [4, 4, 3, 3],  # ties with room in segment y: the first one wins
        }
    )
    c = journey.emotion_curve(survey, by="seg")
    assert c["position"].tolist() == [1, 2, 3, 4] * 2
    assert c.loc[c.lowest, ["seg", "touchpoint"]].values.tolist() == [
        ["x", "checkin"],
        ["y", "room"],
    ]
    c2 = journey.emotion_curve(survey, steps=["tp_room", "tp_booking"])
    assert c2["touchpoint"].tolist() == ["room", "booking"]


def test_emotion_curve_hotel_world_order():
    cols = [
        "tp_booking",
        "tp_checkin",
        "tp_room",
        "tp_breakfast",
        "tp_staff",
        "tp_checkout",
        "tp_wifi",
    ]
    survey = pd.DataFrame({c: [4, 5] for c in cols})
    c = journey.emotion_curve(survey, world="hotel")
    assert c["touchpoint"].tolist() == [
        "booking",
        "checkin",
        "room",
        "breakfast",
        "staff",
        "wifi",
        "checkout",
    ]
    assert c["stage"].astype(str).tolist()[:2] == ["purchase", "use"]


def test_ratings_bad_inputs_name_the_culprit(small_survey):
    bad = small_survey.assign(tp_room=[5, 6, 3, 4])
    with pytest.raises(ScoreError, match=r"tp_room.*6"):
        journey.touchpoint_ratings(bad)
    with pytest.raises(CXDataError, match="tp_wifi"):
        journey.touchpoint_ratings(small_survey, ratings=["tp_wifi"])
    with pytest.raises(CXDataError, match="segment"):
        journey.touchpoint_ratings(small_survey, by="segment")
    with pytest.raises(CXDataError, match=r"property_id.*index 1"):
        journey.touchpoint_ratings(
            small_survey.assign(property_id=["a", None, "b", "b"]), by="property_id"
        )
    with pytest.raises(CXDataError, match="lobby"):
        journey.touchpoint_ratings(small_survey, ratings=["lobby"], world="hotel")
    with pytest.raises(CXDataError, match="tp_"):
        journey.touchpoint_ratings(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="conf"):
        journey.touchpoint_ratings(small_survey, conf=95)


# --------------------------------------------------------------------------------------
# funnel
# --------------------------------------------------------------------------------------


@pytest.fixture
def ten_sessions():
    """10 web sessions and 4 app sessions, counted on paper below."""
    web = dict(zip([f"w{i}" for i in range(1, 11)], [7, 6, 6, 6, 5, 4, 3, 3, 2, 1], strict=True))
    app = {"a1": 7, "a2": 7, "a3": 2, "a4": 2}
    ev = make_events({**web, **app}, platform={k: "app" for k in app})
    # repeated events of a step count once; shuffled rows change nothing
    extra = ev[ev.session_id.isin(["w1", "w2"]) & (ev.step == "product")]
    ev = pd.concat([ev, extra, extra], ignore_index=True)
    return ev.sample(frac=1, random_state=1).reset_index(drop=True)


def test_funnel_counts_conversions_and_biggest_leak(ten_sessions):
    f = journey.funnel(ten_sessions)
    web = f[f.platform == "web"].set_index("step")
    app = f[f.platform == "app"].set_index("step")
    # web depths 7,6,6,6,5,4,3,3,2,1 → sessions reaching each step
    assert web["sessions"].tolist() == [10, 9, 8, 6, 5, 4, 1]
    assert web["drop_off"].tolist()[1:] == [1, 1, 2, 1, 1, 3]
    assert web.loc["search", "conversion_prev"] == pytest.approx(9 / 10)
    assert web.loc["cart", "conversion_prev"] == pytest.approx(6 / 8)
    assert web.loc["order", "conversion_prev"] == pytest.approx(1 / 4)
    assert web.loc["order", "conversion_first"] == pytest.approx(1 / 10)
    assert web.loc["order", "drop_off_rate"] == pytest.approx(3 / 4)
    assert np.isnan(web.loc["home", "conversion_prev"])
    assert web.index[web["biggest_leak"]].tolist() == ["order"]
    # app depths 7,7,2,2 → 4,4,2,2,2,2,2; the leak is search → product
    assert app["sessions"].tolist() == [4, 4, 2, 2, 2, 2, 2]
    assert app.index[app["biggest_leak"]].tolist() == ["product"]
    assert f["platform"].tolist() == ["app"] * 7 + ["web"] * 7
    assert f["position"].tolist() == list(range(1, 8)) * 2


def test_funnel_wilson_interval_matches_published_values():
    # Newcombe (1998a), Table I: 81/263 → Wilson 0.2553 to 0.3662; 0/10 → 0 to 0.2775
    lo, hi = wilson_interval(np.array([81, 0]), np.array([263, 10]))
    assert lo == pytest.approx([0.2553, 0.0], abs=5e-5)
    assert hi == pytest.approx([0.3662, 0.2775], abs=5e-5)


def test_funnel_interval_is_wilson_on_previous_step(ten_sessions):
    from statsmodels.stats.proportion import proportion_confint

    f = journey.funnel(ten_sessions, conf=0.9)
    row = f[(f.platform == "web") & (f.step == "cart")].iloc[0]
    assert (row["prev_ci_low"], row["prev_ci_high"]) == pytest.approx(
        proportion_confint(6, 8, alpha=0.1, method="wilson")
    )
    assert (row["first_ci_low"], row["first_ci_high"]) == pytest.approx(
        proportion_confint(6, 10, alpha=0.1, method="wilson")
    )


def test_funnel_leak_by_sessions_lost_differs_from_rate():
    # 100 → 50 → 10: most sessions lost at b (50), highest drop-off rate at c (80 %)
    depths = {f"s{i}": 1 + (i < 50) + (i < 10) for i in range(100)}
    ev = make_events(depths)
    by_rate = journey.funnel(ev, steps=STEPS[:3], by=None)
    by_sessions = journey.funnel(ev, steps=STEPS[:3], by=None, leak="sessions")
    assert by_rate["sessions"].tolist() == [100, 50, 10]
    assert by_rate.loc[by_rate.biggest_leak, "step"].tolist() == ["product"]
    assert by_sessions.loc[by_sessions.biggest_leak, "step"].tolist() == ["search"]


def test_funnel_closed_and_open_modes_for_a_skipped_step():
    ev = pd.DataFrame(
        {
            "session_id": ["a", "a", "a", "b", "b"],
            "step": ["home", "search", "product", "home", "product"],  # b skips search
        }
    )
    closed = journey.funnel(ev, steps=["home", "search", "product"], by=None)
    assert closed["sessions"].tolist() == [2, 1, 1]
    assert closed["sessions_with_event"].tolist() == [2, 1, 2]
    opened = journey.funnel(ev, steps=["home", "search", "product"], by=None, mode="open")
    assert opened["sessions"].tolist() == [2, 2, 2]


def test_funnel_ignores_time_order_and_other_dictionary_steps():
    ev = make_events({"a": 7, "b": 5})
    ev.loc[(ev.session_id == "a") & (ev.step == "order"), "timestamp"] = T0 - pd.Timedelta(hours=1)
    sub = journey.funnel(ev, steps=["cart", "checkout", "payment", "order"], by=None)
    assert sub["sessions"].tolist() == [2, 2, 1, 1]


def test_funnel_no_leak_flag_when_nobody_drops():
    f = journey.funnel(make_events({"a": 7, "b": 7}), by="platform")
    assert not f["biggest_leak"].any()
    assert (f["conversion_first"] == 1).all()


def test_funnel_one_row_and_empty_input():
    one = journey.funnel(make_events({"a": 1}))
    assert one["sessions"].tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert one.loc[one.biggest_leak, "step"].tolist() == ["search"]
    empty = make_events({})
    assert journey.funnel(empty).empty
    alone = journey.funnel(empty, by=None)
    assert alone["sessions"].tolist() == [0] * 7 and alone["conversion_prev"].isna().all()


def test_funnel_bad_inputs_name_the_culprit(ten_sessions):
    with pytest.raises(CXDataError, match="session_id"):
        journey.funnel(ten_sessions.drop(columns="session_id"))
    with pytest.raises(CXDataError, match="platform"):
        journey.funnel(ten_sessions.drop(columns="platform"))
    bad = ten_sessions.copy()
    bad.loc[3, "step"] = "paymnet"
    with pytest.raises(CXDataError, match=r"index 3 \('paymnet'\)"):
        journey.funnel(bad)
    with pytest.raises(CXDataError, match="'chekout'"):
        journey.funnel(ten_sessions, steps=["cart", "chekout"])
    two_platforms = ten_sessions.copy()
    w1 = two_platforms.session_id == "w1"
    two_platforms.loc[w1, "platform"] = np.resize(["app", "web"], w1.sum())
    with pytest.raises(CXDataError, match="w1"):
        journey.funnel(two_platforms)
    missing = ten_sessions.copy()
    missing.loc[5, "step"] = None
    with pytest.raises(CXDataError, match=r"'step'.*index 5"):
        journey.funnel(missing)
    with pytest.raises(TypeError, match="list"):
        journey.funnel(ten_sessions, steps="home")
    with pytest.raises(ValueError, match="more than once"):
        journey.funnel(ten_sessions, steps=["home", "cart", "home"])
    with pytest.raises(ValueError, match="mode"):
        journey.funnel(ten_sessions, mode="strict")


def test_funnel_from_counts_rejects_growing_counts():
    counts = pd.DataFrame({"step": ["a", "b"], "sessions": [3, 5]})
    with pytest.raises(ValueError, match="increase"):
        funnel_from_counts(counts, [], 0.95, "rate")


event_logs = st.lists(
    st.tuples(
        st.sampled_from(["app", "web"]),
        st.lists(st.integers(0, len(STEPS) - 1), min_size=1, max_size=10),
    ),
    min_size=1,
    max_size=25,
)


def _log(sessions) -> pd.DataFrame:
    rows = [
        {
            "session_id": f"s{i}",
            "platform": plat,
            "step": STEPS[k],
            "timestamp": T0 + pd.Timedelta(seconds=j),
        }
        for i, (plat, ks) in enumerate(sessions)
        for j, k in enumerate(ks)
    ]
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_logs, st.sampled_from(["closed", "open"]), st.randoms(use_true_random=False))
def test_funnel_properties(sessions, mode, rnd):
    ev = _log(sessions)
    f = journey.funnel(ev, mode=mode)
    for _, g in f.groupby("platform"):
        n = g["sessions"].to_numpy()
        assert (np.diff(n) <= 0).all()  # counts never increase along the funnel
        assert g["biggest_leak"].sum() <= 1
    for col in [
        "conversion_prev",
        "conversion_first",
        "prev_ci_low",
        "prev_ci_high",
        "first_ci_low",
        "first_ci_high",
    ]:
        v = f[col].dropna()
        assert ((v >= 0) & (v <= 1)).all()
    ok = f["conversion_prev"].notna()
    assert (f.loc[ok, "prev_ci_low"] <= f.loc[ok, "conversion_prev"] + 1e-12).all()
    assert (f.loc[ok, "conversion_prev"] <= f.loc[ok, "prev_ci_high"] + 1e-12).all()
    if mode == "closed":
        assert (f["sessions"] <= f["sessions_with_event"]).all()
    else:
        assert (f["sessions"] >= f["sessions_with_event"]).all()
    # row order does not matter
    order = list(range(len(ev)))
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(journey.funnel(ev.iloc[order], mode=mode), f)


# --------------------------------------------------------------------------------------
# step times
# --------------------------------------------------------------------------------------


@pytest.fixture
def timed_events():
    rows = [
        ("a", "web", "home", "10:00:00"),
        ("a", "web", "search", "10:00:30"),
        ("a", "web", "product", "10:01:30"),
        ("b", "web", "home", "10:00:00"),
        ("b", "web", "search", "10:01:00"),
        ("c", "web", "home", "10:00:00"),
        ("c", "web", "search", "10:01:30"),
        ("c", "web", "search", "10:05:00"),
        ("d", "web", "home", "10:05:00"),
        ("d", "web", "search", "10:04:00"),  # out of order
        ("e", "app", "home", "09:00:00"),
        ("e", "app", "search", "09:02:00"),
    ]
    ev = pd.DataFrame(rows, columns=["session_id", "platform", "step", "timestamp"])
    ev["timestamp"] = pd.to_datetime("2026-01-05 " + ev["timestamp"])
    return ev


def test_step_times_hand_computed(timed_events):
    st_ = journey.step_times(timed_events, steps=["home", "search", "product", "cart"])
    web = st_[st_.platform == "web"].set_index("to_step")
    # web home → search: 30 s, 60 s, 90 s (first search of c); d runs backwards
    hs = web.loc["search"]
    assert (hs["n"], hs["n_out_of_order"]) == (3, 1)
    assert (hs["median"], hs["q1"], hs["q3"], hs["iqr"], hs["mean"]) == pytest.approx(
        (60, 45, 75, 30, 60)
    )
    assert (web.loc["product", "n"], web.loc["product", "median"]) == (1, 60)
    assert web.loc["cart", "n"] == 0 and np.isnan(web.loc["cart", "median"])
    app = st_[st_.platform == "app"].set_index("to_step")
    assert app.loc["search", "median"] == 120
    assert st_[["from_step", "to_step"]].drop_duplicates().values.tolist() == [
        ["home", "search"],
        ["search", "product"],
        ["product", "cart"],
    ]


def test_step_times_units_strings_and_bad_timestamps(timed_events):
    minutes = journey.step_times(timed_events, steps=["home", "search"], by=None, unit="min")
    assert minutes["median"].iloc[0] == pytest.approx(1.25)  # 30, 60, 90, 120 s → median 75 s
    as_text = timed_events.assign(timestamp=timed_events["timestamp"].astype(str))
    pd.testing.assert_frame_equal(
        journey.step_times(as_text, steps=["home", "search"], by=None, unit="min"), minutes
    )
    with pytest.raises(CXDataError, match="timestamp"):
        journey.step_times(timed_events.assign(timestamp="yesterday"), steps=["home", "search"])
    gap = timed_events.copy()
    gap.loc[4, "timestamp"] = pd.NaT
    with pytest.raises(CXDataError, match=r"'timestamp'.*index 4"):
        journey.step_times(gap, steps=["home", "search"])
    with pytest.raises(CXDataError, match="timestamp"):
        journey.step_times(timed_events.drop(columns="timestamp"))
    with pytest.raises(ValueError, match="unit"):
        journey.step_times(timed_events, unit="days")


# --------------------------------------------------------------------------------------
# moments of truth
# --------------------------------------------------------------------------------------


@pytest.fixture
def mot_survey():
    #            low raters (1–2)        the rest (3–5)              missing rating / missing nps
    checkin = [1, 2, 1, 2, 3, 4, 5, 5, 4, 3, None, 1]
    nps = [3, 5, 9, 7, 10, 9, 9, 8, 6, 10, 10, None]
    room = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]
    return pd.DataFrame(
        {
            "tp_checkin": checkin,
            "tp_room": room,
            "nps": nps,
            "overall_sat": [1, 2, 3, 4, 5, 4, 5, 4, 4, 4, 5, 3],
        }
    )


def test_moments_of_truth_nps_hand_computed(mot_survey):
    m = journey.moments_of_truth(mot_survey, ["tp_checkin", "tp_room"])
    row = m.set_index("touchpoint").loc["checkin"]
    # low: 3, 5, 9, 7 → 1 promoter, 2 detractors of 4 → NPS −25
    # rest: 10, 9, 9, 8, 6, 10 → 4 promoters, 1 detractor of 6 → NPS 50
    assert (row["n"], row["n_missing"], row["n_low"]) == (10, 2, 4)
    assert row["outcome_low"] == pytest.approx(-25)
    assert row["outcome_rest"] == pytest.approx(50)
    assert row["outcome_all"] == pytest.approx(20)  # 5 promoters, 3 detractors of 10
    assert row["difference"] == pytest.approx(75)
    assert row["share_low"] == pytest.approx(0.4)
    assert row["cost_raters"] == pytest.approx(30)  # = 50 − 20: what the low ratings cost the raters
    # the whole sample: 11 respondents answered NPS, 4 of them rated check-in low
    assert mot_survey["nps"].notna().sum() == 11
    assert row["cost"] == pytest.approx(4 / 11 * 75)
    var_low = 100**2 * (1 / 4 + 2 / 4 - (1 / 4 - 2 / 4) ** 2) / 4
    var_rest = 100**2 * (4 / 6 + 1 / 6 - (4 / 6 - 1 / 6) ** 2) / 6
    se = math.sqrt(var_low + var_rest)
    assert row["se"] == pytest.approx(se)
    assert row["z"] == pytest.approx(75 / se)
    assert row["ci_low"] == pytest.approx(75 - 1.959964 * se)
    assert row["p_value"] == pytest.approx(2 * (1 - stats.norm.cdf(75 / se)))
    # nobody rates the room low: no difference, no cost — listed after check-in, not ranked
    assert m["touchpoint"].tolist() == ["checkin", "room"]
    assert m["rank"].iloc[0] == 1 and pd.isna(m["rank"].iloc[1])
    assert m.attrs["n_unranked"] == 1 and m.attrs["unranked"] == ["room"]
    assert m.set_index("touchpoint").loc["room", "n_low"] == 0
    assert m.attrs["kind"] == "nps"


def test_moments_of_truth_mean_outcome_hand_computed():
    survey = pd.DataFrame(
        {"tp_checkin": [1, 2, 2, 4, 5, 4, 5], "overall_sat": [1, 2, 3, 4, 5, 4, 5]}
    )
    row = journey.moments_of_truth(survey, ["tp_checkin"], outcome="overall_sat").iloc[0]
    # low 1, 2, 3 → mean 2, var 1; rest 4, 5, 4, 5 → mean 4.5, var 1/3
    assert (row["outcome_low"], row["outcome_rest"], row["difference"]) == pytest.approx(
        (2, 4.5, 2.5)
    )
    assert row["se"] == pytest.approx(math.sqrt(1 / 3 + (1 / 3) / 4))
    assert row["cost"] == pytest.approx(3 / 7 * 2.5)  # everyone rated check-in: cost = cost_raters
    assert row["outcome_rest"] - row["outcome_all"] == pytest.approx(row["cost"])
    assert row["cost_raters"] == pytest.approx(row["cost"])


def test_moments_of_truth_bool_flag_of_a_bad_experience(mot_survey):
    # the check-in wait case: a flag (waited > 15 min) instead of a rating
    survey = pd.DataFrame(
        {
            "long_wait": pd.array([True, True, False, False, False, pd.NA], dtype="boolean"),
            "tp_checkin": [1, 2, 4, 5, 4, 4],
            "nps": [0, 10, 10, 9, 5, 10],
        }
    )
    m = journey.moments_of_truth(survey, ["long_wait", "tp_checkin"], world="hotel")
    row = m.set_index("touchpoint").loc["long_wait"]
    # waited: 0, 10 → NPS 0; the rest: 10, 9, 5 → NPS 100·(2 − 1)/3
    assert (row["n"], row["n_missing"], row["n_low"]) == (5, 1, 2)
    assert (row["outcome_low"], row["outcome_rest"]) == pytest.approx((0, 100 / 3))
    assert row["cost_raters"] == pytest.approx(2 / 5 * 100 / 3)
    assert row["cost"] == pytest.approx(2 / 6 * 100 / 3)  # 6 NPS answers; one has no flag
    assert pd.isna(row["name_en"])  # not a touchpoint of the dictionary
    assert m.set_index("touchpoint").loc["checkin", "name_en"] == "Check-in"


def test_moments_of_truth_matches_metrics_module_when_present(mot_survey):
    metrics = pytest.importorskip("cxlib.metrics")
    if not hasattr(metrics, "nps"):
        pytest.skip("cxlib.metrics.nps not written yet")
    row = journey.moments_of_truth(mot_survey, ["tp_checkin"]).iloc[0]
    assert metrics.nps([3, 5, 9, 7]).nps == pytest.approx(row["outcome_low"])
    assert metrics.nps([10, 9, 9, 8, 6, 10]).nps == pytest.approx(row["outcome_rest"])
    if hasattr(metrics, "nps_test"):
        res = metrics.nps_test([10, 9, 9, 8, 6, 10], [3, 5, 9, 7])
        assert res.difference == pytest.approx(row["difference"])
        assert res.z == pytest.approx(row["z"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.integers(0, 10)),
        min_size=2,
        max_size=40,
    )
)
def test_moments_of_truth_cost_identity(pairs):
    survey = pd.DataFrame(pairs, columns=["tp_x", "nps"])
    row = journey.moments_of_truth(survey, ["tp_x"]).iloc[0]
    assert row["n"] + row["n_missing"] == len(survey)
    if 0 < row["n_low"] < row["n"]:
        assert row["cost_raters"] == pytest.approx(row["outcome_rest"] - row["outcome_all"], abs=1e-9)
        # the whole-sample cost scales the raters' cost by the share of respondents who rated
        assert row["cost"] == pytest.approx(row["cost_raters"] * row["n"] / len(survey), abs=1e-9)
        assert -200 <= row["difference"] <= 200


def test_moments_of_truth_bad_inputs(mot_survey):
    with pytest.raises(ScoreError, match=r"nps.*11"):
        journey.moments_of_truth(mot_survey.assign(nps=11), ["tp_checkin"])
    with pytest.raises(CXDataError, match="csat"):
        journey.moments_of_truth(mot_survey, ["tp_checkin"], outcome="csat")
    with pytest.raises(ValueError, match="low"):
        journey.moments_of_truth(mot_survey, ["tp_checkin"], low=(0,))
    with pytest.raises(ScoreError, match="tp_checkin"):
        journey.moments_of_truth(mot_survey.assign(tp_checkin="bad"), ["tp_checkin"])


# --------------------------------------------------------------------------------------
# before / after a release
# --------------------------------------------------------------------------------------


def planted_release_log() -> pd.DataFrame:
    """Web payment → order converts 40/100 before and 70/100 after; app 60/80 and 61/80."""
    plan = [
        ("web", "2026-01-10", 100, 40),
        ("web", "2026-03-10", 100, 70),
        ("app", "2026-01-10", 80, 60),
        ("app", "2026-03-10", 80, 61),
    ]
    rows = []
    for plat, day, n, x in plan:
        for i in range(n):
            sid = f"{plat}-{day}-{i}"
            ts = pd.Timestamp(day) + pd.Timedelta(minutes=i)
            for k, step in enumerate(["home", "cart", "payment"] + (["order"] if i < x else [])):
                rows.append((sid, plat, step, ts + pd.Timedelta(seconds=10 * k)))
    # sessions that never reach payment do not enter the comparison
    rows.append(("browse", "web", "home", pd.Timestamp("2026-01-11")))
    return pd.DataFrame(rows, columns=["session_id", "platform", "step", "timestamp"])


def test_before_after_finds_the_planted_web_effect():
    ba = journey.before_after(planted_release_log(), "2026-02-15").set_index("platform")
    web, app = ba.loc["web"], ba.loc["app"]
    assert (web["n_before"], web["converted_before"], web["n_after"], web["converted_after"]) == (
        100,
        40,
        100,
        70,
    )
    assert web["difference"] == pytest.approx(0.30)
    pooled = 110 / 200
    z = 0.30 / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    assert web["z"] == pytest.approx(z)
    assert web["p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert web["p_value"] < 0.001
    assert web["cohens_h"] == pytest.approx(
        2 * math.asin(math.sqrt(0.7)) - 2 * math.asin(math.sqrt(0.4))
    )
    assert web["relative_lift"] == pytest.approx(0.75)
    assert web["ci_low"] > 0
    assert app["difference"] == pytest.approx(1 / 80)
    assert app["p_value"] > 0.5
    assert app["ci_low"] < 0 < app["ci_high"]


def test_before_after_finds_one_click_pay_in_the_sample_data():
    datasets = pytest.importorskip("cxlib.datasets")
    try:
        events = datasets.load("ecommerce", "events")
        releases = datasets.load("ecommerce", "releases")
    except (FileNotFoundError, AttributeError) as exc:  # sample data not generated yet
        pytest.skip(f"no e-commerce sample data: {exc}")
    release = releases.set_index("feature").loc["one_click_pay", "release_date"]
    ba = journey.before_after(events, release).set_index("platform")
    # datasets/ecommerce/EFFECTS.md: web ≈ 55 % → ≈ 82 %, app ≈ 80 % → 86 %
    assert ba.loc["web", "ci_low"] > 0.15
    assert ba.loc["web", "p_value"] < 1e-6
    assert ba.loc["web", "difference"] > ba.loc["app", "difference"]


def test_before_after_agrees_with_statsmodels():
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        proportion_effectsize,
        proportions_ztest,
    )

    ba = (
        journey.before_after(planted_release_log(), "2026-02-15", conf=0.9)
        .set_index("platform")
        .loc["web"]
    )
    lo, hi = confint_proportions_2indep(
        70, 100, 40, 100, method="newcomb", compare="diff", alpha=0.1
    )
    assert (ba["ci_low"], ba["ci_high"]) == pytest.approx((lo, hi))
    z, p = proportions_ztest([70, 40], [100, 100])
    assert (ba["z"], ba["p_value"]) == pytest.approx((z, p))
    assert ba["cohens_h"] == pytest.approx(proportion_effectsize(0.7, 0.4))


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [  # Newcombe (1998b), Table II, method 10: p₁ − p₂ (here: after = 1, before = 2)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_interval_published_examples(x1, n1, x2, n2, low, high):
    lo, hi = newcombe_interval(x1, n1, x2, n2)
    assert (float(lo), float(hi)) == pytest.approx((low, high), abs=5e-5)


def test_before_after_period_is_set_by_first_payment_event():
    ev = pd.DataFrame(
        {
            "session_id": ["a", "a", "a", "b", "b", "c"],
            "platform": "web",
            "step": ["payment", "payment", "order", "payment", "order", "payment"],
            "timestamp": pd.to_datetime(
                [
                    "2026-02-14 23:59",
                    "2026-02-16 09:00",
                    "2026-02-16 09:01",
                    "2026-02-15 00:00",
                    "2026-02-15 00:01",
                    "2026-02-20 12:00",
                ]
            ),
        }
    )
    ba = journey.before_after(ev, "2026-02-15").iloc[0]
    # a: first payment before the release day; b: at 00:00 of the release day counts as after
    assert (ba["n_before"], ba["converted_before"], ba["n_after"], ba["converted_after"]) == (
        1,
        1,
        2,
        1,
    )


def test_before_after_time_zones():
    ev = planted_release_log()
    ev["timestamp"] = ev["timestamp"].dt.tz_localize("Asia/Shanghai")
    ba = journey.before_after(ev, "2026-02-15").set_index("platform")
    assert ba.loc["web", "difference"] == pytest.approx(0.30)
    with pytest.raises(ValueError, match="time zone"):
        journey.before_after(planted_release_log(), pd.Timestamp("2026-02-15", tz="UTC"))


def test_before_after_bad_inputs():
    ev = planted_release_log()
    with pytest.raises(CXDataError, match="after"):
        journey.before_after(ev, "2027-01-01")
    with pytest.raises(CXDataError, match="before"):
        journey.before_after(ev, "2025-01-01")
    with pytest.raises(CXDataError, match="'pay'"):
        journey.before_after(ev, "2026-02-15", step="pay")
    with pytest.raises(CXDataError, match="timestamp"):
        journey.before_after(ev.drop(columns="timestamp"), "2026-02-15")
    with pytest.raises(ValueError, match="release_date"):
        journey.before_after(ev, "someday")


# --------------------------------------------------------------------------------------
# plots, labels, docstring examples
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plots_return_axes_with_translated_titles(lang, ten_sessions, mot_survey):
    with matplotlib.rc_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots = pytest.importorskip("cxlib.plots")
        plots.use_theme(lang)  # the house theme with the CJK font
        _draw_every_plot(lang, ten_sessions, mot_survey)
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert glyphs == []


def _draw_every_plot(lang, ten_sessions, mot_survey):
    survey = pd.DataFrame(
        {
            "property_id": ["city", "city", "resort", "resort"],
            "tp_booking": [5, 4, 4, 5],
            "tp_checkin": [2, 1, 3, 2],
            "tp_room": [4, 4, 5, 3],
        }
    )
    cases = [
        (journey.plot_inventory, "hotel", "journey.title.inventory"),
        (
            journey.plot_rating_heatmap,
            journey.touchpoint_ratings(survey, by="property_id", world="hotel"),
            "journey.title.ratings",
        ),
        (
            journey.plot_emotion_curve,
            journey.emotion_curve(survey, by="property_id", world="hotel"),
            "journey.title.emotion_curve",
        ),
        (journey.plot_funnel, journey.funnel(ten_sessions), "journey.title.funnel"),
        (
            journey.plot_moments_of_truth,
            journey.moments_of_truth(mot_survey, ["tp_checkin", "tp_room"]),
            "journey.title.mot",
        ),
    ]
    for plot, data, key in cases:
        _, ax = plt.subplots()
        out = plot(data, ax=ax, lang=lang)
        assert out is ax
        assert ax.get_title() == t(key, lang)
    plt.figure()
    ax = journey.plot_before_after(
        journey.before_after(planted_release_log(), "2026-02-15"), lang=lang
    )
    assert ax is plt.gca()
    assert t("journey.step.payment", lang) in ax.get_title()
    for num in plt.get_fignums():
        plt.figure(num).canvas.draw()  # render the text, so that a missing glyph would warn


def test_plots_mark_the_leak_and_the_moment_of_pain(ten_sessions):
    ax = journey.plot_funnel(journey.funnel(ten_sessions), ax=plt.subplots()[1])
    assert sum("Biggest leak" in x.get_text() for x in ax.texts) == 2
    survey = pd.DataFrame({"tp_booking": [5, 4], "tp_checkin": [2, 1], "tp_room": [4, 4]})
    ax = journey.plot_emotion_curve(
        journey.emotion_curve(survey, world="hotel"), ax=plt.subplots()[1]
    )
    assert any(x.get_text() == "Moment of pain: Check-in" for x in ax.texts)


def test_every_journey_label_has_both_languages():
    from cxlib.i18n import labels

    en, zh = labels("journey.col", "en"), labels("journey.col", "zh")
    assert en.keys() == zh.keys() and len(en) > 40
    f = journey.funnel(make_events({"a": 3}))
    assert set(f.columns) - {"platform"} <= set(en)


def test_docstring_examples_run():
    result = doctest.testmod(journey, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- peak-end --------------------------------------------------------------------------------
def test_peak_end_hand_worked_and_by_williams():
    from cxlib.stats.correlation import dependent_correlations_test

    s = pd.DataFrame({"a": [5, 4, 2, 5, 3, 1, 4], "b": [5, 2, 4, None, 1, 2, 5], "c": [4, 3, 1, 5, 2, 2, None],
                      "nps": [10, 5, 6, 9, 2, 0, 8]})
    out = journey.peak_end(s, ["a", "b", "c"], "nps")
    ratings = s[["a", "b", "c"]]
    mean, worst = ratings.mean(axis=1), ratings.min(axis=1)
    last = pd.Series([4, 3, 1, 5, 2, 2, 5.0])  # the last touchpoint each customer rated
    for name, summary in {"mean": mean, "worst": worst, "last": last, "peak_end": (worst + last) / 2}.items():
        assert out.loc[name, "r"] == pytest.approx(np.corrcoef(summary, s["nps"])[0, 1], rel=1e-12)
    ref = dependent_correlations_test(out.loc["worst", "r"], out.loc["mean", "r"], np.corrcoef(worst, mean)[0, 1], 7)
    assert out.loc["worst", "p_value"] == pytest.approx(ref["p_value"], rel=1e-12)
    assert (out["n"] == 7).all() and (out["excluded"] == 0).all()


def test_peak_end_excludes_and_counts_thin_answers():
    s = pd.DataFrame({"a": [5, 4, None, 5, 3, 2, 4, 1], "b": [5, None, 4, 4, 1, 2, 5, 3],
                      "nps": [10, 5, 6, None, 2, 3, 9, 1]})
    out = journey.peak_end(s, ["a", "b"], "nps", min_rated=2)
    # rows 1 and 2 rated one touchpoint, row 3 has no recommend answer
    assert (out["n"] == 5).all() and (out["excluded"] == 3).all()
    with pytest.raises(CXDataError, match="at least 4 respondents"):
        journey.peak_end(s.head(4), ["a", "b"], "nps")


@pytest.mark.parametrize(("world", "beats"), [("ecommerce", True), ("hotel", False)])
def test_peak_end_finds_the_planted_effect_only_where_it_was_planted(world, beats):
    from cxlib import datasets, roles

    r = roles.of(world).survey
    out = journey.peak_end(datasets.load(world, r.table), list(r.touchpoint_columns), r.nps)
    assert bool(out.loc["worst", "beats_mean"]) is beats
