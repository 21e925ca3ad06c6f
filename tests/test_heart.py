"""Tests of cxlib.heart on a tiny hand-made event log, a planted release effect and the sample data."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxlib import heart, plots
from cxlib.errors import CXDataError


@pytest.fixture(autouse=True)
def _restore_rc():
    """Plot tests switch the theme (CJK font for zh); restore matplotlib's settings after each."""
    with plt.rc_context():
        yield
    plt.close("all")

RELEASE = "2026-04-01"

# Six sessions of three users; the release of one-click pay is on Wed 2026-04-01.
#   s1 u1 app Mon 03-02: home, cart, checkout, payment (error)   — no order
#   s2 u1 app Wed 03-04: home, checkout 12:05, payment, order 12:08 — 3 min checkout→order
#   s3 u2 web Tue 03-03: home, checkout, payment                  — no order
#   s4 u2 web Thu 04-02: home, checkout 20:01, payment*, order* 20:03 (one-click) — 2 min
#   s5 u3 web Fri 04-03: home only
#   s6 u1 app Mon 04-06: checkout 11:00, payment*, order* 11:02 (one-click) — 2 min
_EV = [
    ("s1", "u1", "app", "home", "2026-03-02 10:00", False, False),
    ("s1", "u1", "app", "cart", "2026-03-02 10:01", False, False),
    ("s1", "u1", "app", "checkout", "2026-03-02 10:02", False, False),
    ("s1", "u1", "app", "payment", "2026-03-02 10:03", False, True),
    ("s2", "u1", "app", "home", "2026-03-04 12:00", False, False),
    ("s2", "u1", "app", "checkout", "2026-03-04 12:05", False, False),
    ("s2", "u1", "app", "payment", "2026-03-04 12:06", False, False),
    ("s2", "u1", "app", "order", "2026-03-04 12:08", False, False),
    ("s3", "u2", "web", "home", "2026-03-03 09:00", False, False),
    ("s3", "u2", "web", "checkout", "2026-03-03 09:10", False, False),
    ("s3", "u2", "web", "payment", "2026-03-03 09:11", False, False),
    ("s4", "u2", "web", "home", "2026-04-02 20:00", False, False),
    ("s4", "u2", "web", "checkout", "2026-04-02 20:01", False, False),
    ("s4", "u2", "web", "payment", "2026-04-02 20:02", True, False),
    ("s4", "u2", "web", "order", "2026-04-02 20:03", True, False),
    ("s5", "u3", "web", "home", "2026-04-03 08:00", False, False),
    ("s6", "u1", "app", "checkout", "2026-04-06 11:00", False, False),
    ("s6", "u1", "app", "payment", "2026-04-06 11:01", True, False),
    ("s6", "u1", "app", "order", "2026-04-06 11:02", True, False),
]
COLS = ["session_id", "customer_id", "platform", "step", "timestamp", "one_click", "error"]


@pytest.fixture
def events():
    ev = pd.DataFrame(_EV, columns=COLS)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    return ev.sample(frac=1, random_state=3)  # row order must not matter


def test_sessions_table(events):
    s = heart.sessions(events)
    assert s.index.tolist() == ["s1", "s3", "s2", "s4", "s5", "s6"]  # sorted by start
    assert s.loc["s1", "reached_payment"] and not s.loc["s1", "reached_order"]
    assert s.loc["s1", "error"] and s.loc["s1", "error_payment"] and not s.loc["s2", "error"]
    assert s["feature"].tolist() == [False, False, False, True, False, True]
    assert s.loc["s6", "start"] == pd.Timestamp("2026-04-06 11:00")
    assert pd.isna(s.loc["s6", "t_home"])


def test_engagement_by_hand(events):
    got = heart.engagement(events)
    # week of Mar 2: s1, s2 (u1), s3 (u2); week of Mar 30: s4 (u2), s5 (u3); week of Apr 6: s6 (u1)
    assert [str(p.start_time.date()) for p in got["period"]] == ["2026-03-02", "2026-03-30", "2026-04-06"]
    assert got[["users", "sessions", "sessions_per_user"]].to_numpy().tolist() == [
        [2, 3, 1.5], [2, 2, 1.0], [1, 1, 1.0]]
    by = heart.engagement(events, by="platform")
    assert by[by.platform == "app"]["sessions"].tolist() == [2, 1]


def test_adoption_by_hand(events):
    # active Apr 1–30: u2 (s4), u3 (s5), u1 (s6); one-click used by u2 and u1
    got = heart.adoption(events, RELEASE, within_days=30)
    assert got[["active_users", "adopters"]].iloc[0].tolist() == [3, 2]
    assert got["adoption"].iloc[0] == pytest.approx(2 / 3)
    assert got["ci_low"].iloc[0] < 2 / 3 < got["ci_high"].iloc[0]
    by = heart.adoption(events, RELEASE, within_days=30, by="platform").set_index("platform")
    assert by.loc["app", "adoption"] == 1.0 and by.loc["web", "adoption"] == 0.5
    assert heart.adoption(events, RELEASE, among_step="payment")["adoption"].iloc[0] == 1.0
    # a 3-day window (Apr 1–3) holds only s4 and s5
    assert heart.adoption(events, RELEASE, within_days=3)["adoption"].iloc[0] == 0.5


def test_retention_by_hand(events):
    got = heart.retention(events)
    # cohort week Mar 2 = {u1, u2}: u2 back in week 4 (Apr 2), u1 in week 5 (Apr 6)
    # cohort week Mar 30 = {u3}: week 1 observed (0), later weeks not yet (NaN)
    np.testing.assert_array_equal(got.to_numpy(), [
        [1, 0, 0, 0, 0.5, 0.5],
        [1, 0, np.nan, np.nan, np.nan, np.nan],
    ])
    assert got.attrs["cohort_size"].tolist() == [2, 1]
    assert heart.retention(events, weeks=[4]).iloc[0, 0] == 0.5


def test_task_success_by_hand(events):
    got = heart.task_success(events).set_index("platform")
    # app: checkout sessions s1, s2, s6; s2 and s6 ordered in 3 and 2 minutes; s1 had an error
    assert got.loc["app", ["started", "completed", "error_sessions"]].tolist() == [3, 2, 1]
    assert got.loc["app", "completion_rate"] == pytest.approx(2 / 3)
    assert got.loc["app", "median_minutes"] == 2.5
    assert got.loc["app", "error_rate"] == pytest.approx(1 / 3)
    # web: s3 (no order), s4 (2 minutes)
    assert got.loc["web", ["started", "completed", "median_minutes", "error_rate"]].tolist() == [2, 1, 2.0, 0.0]


def test_before_after_by_hand(events):
    got = heart.before_after(events, RELEASE).set_index("platform")
    # app: before s1, s2 → 1/2, after s6 → 1/1; pooled 2/3,
    #      z = 0.5 / √(2/3 · 1/3 · (1/2 + 1)) = 0.5/√(1/3) = 0.8660; h = 2·asin(1) − 2·asin(√.5) = π/2
    app = got.loc["app"]
    assert app[["n_before", "converted_before", "n_after", "converted_after"]].tolist() == [2, 1, 1, 1]
    assert app["z"] == pytest.approx(0.5 / math.sqrt(1 / 3))
    assert app["cohens_h"] == pytest.approx(math.pi / 2)
    assert app["p_value"] == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(0.8660254 / math.sqrt(2)))), abs=1e-6)
    # web: before s3 0/1, after s4 1/1; pooled .5, z = 1/√(.25 · 2) = √2; h = π
    assert got.loc["web", "z"] == pytest.approx(math.sqrt(2))
    assert got.loc["web", "cohens_h"] == pytest.approx(math.pi)
    # all together: 1/3 before, 2/2 after; pooled .6, z = (2/3)/√(.24 · 5/6) = (2/3)/√.2
    all_ = heart.before_after(events, RELEASE, by=None).iloc[0]
    assert all_["z"] == pytest.approx((2 / 3) / math.sqrt(0.2))
    assert all_["cohens_h"] == pytest.approx(math.pi - 2 * math.asin(math.sqrt(1 / 3)))
    assert all_["ci_low"] < all_["difference"] < all_["ci_high"]


def _planted(seed=7, n=500):
    """Payment sessions: web completes 55 % before the release and 82 % after; app 80 % both."""
    rng = np.random.default_rng(seed)
    rows = []
    k = 0
    for platform, (p_before, p_after) in {"web": (0.55, 0.82), "app": (0.80, 0.80)}.items():
        for after, p in ((False, p_before), (True, p_after)):
            base = pd.Timestamp("2026-04-01") + pd.Timedelta(days=1 if after else -40)
            for _ in range(n):
                k += 1
                t = base + pd.Timedelta(minutes=int(rng.integers(0, 30 * 24 * 60)))
                sid, uid = f"s{k}", f"u{rng.integers(0, 300)}"
                rows.append((sid, uid, platform, "payment", t, False, False))
                if rng.random() < p:
                    rows.append((sid, uid, platform, "order", t + pd.Timedelta(minutes=1), after, False))
    return pd.DataFrame(rows, columns=COLS)


def test_before_after_finds_a_planted_release_effect():
    got = heart.before_after(_planted(), RELEASE, metric="payment_completion").set_index("platform")
    web, app = got.loc["web"], got.loc["app"]
    assert web["p_value"] < 1e-10 and web["cohens_h"] > 0.45 and web["ci_low"] > 0.15
    assert abs(app["cohens_h"]) < 0.15 and app["ci_low"] < 0 < app["ci_high"]


def test_sample_data_has_the_web_payment_leak():
    from cxlib import datasets

    ev = datasets.load("ecommerce", "events")
    rel = datasets.load("ecommerce", "releases")
    got = heart.before_after(ev, rel["release_date"].iloc[0], metric="payment_completion").set_index("platform")
    assert got.loc["web", "rate_before"] < 0.62 and got.loc["web", "rate_after"] > 0.75
    assert got.loc["web", "p_value"] < 1e-10 and got.loc["web", "cohens_h"] > got.loc["app", "cohens_h"]


def test_happiness_by_hand():
    survey = pd.DataFrame({
        "platform": ["app"] * 5 + ["web"] * 2,
        "csat": [5, 4, 3, 2, 5, 1, 1],
        "nps": [10, 9, 0, None, 7, 0, 0],
    })
    got = heart.happiness(survey).set_index("metric")
    assert got.loc["csat", ["value", "n"]].tolist() == [60.0, 5]           # 3 of 5 answer 4–5
    assert got.loc["nps", ["value", "n", "n_missing"]].tolist() == [25.0, 4, 1]  # (2 − 1)/4
    both = heart.happiness(survey, platform=None, by="platform")
    assert both[(both.platform == "web") & (both.metric == "nps")]["value"].item() == -100.0
    with pytest.raises(CXDataError, match="no answers with platform == 'ios'"):
        heart.happiness(survey, platform="ios")


def test_heart_table_names_the_feature_steps_and_window():
    got = heart.heart_table("en", feature="Express pay", task=("Guest details", "Confirmation"),
                            release_task=("Payment", "Confirmation"), days=14).set_index("function")
    assert got.loc["cxlib.heart.adoption", "metric"] == "Share of active users who used Express pay within 14 days of its release"
    assert got.loc["cxlib.heart.task_success", "goal"] == "Getting from Guest details to Confirmation is quick and free of errors"
    assert "Sessions reaching Payment" in got.loc["cxlib.heart.before_after", "signal"]
    zh = heart.heart_table("zh", feature="快捷支付", days=14).set_index("function")
    assert zh.loc["cxlib.heart.adoption", "metric"] == "上线 14 天内使用过快捷支付的活跃用户占比"
    generic = " ".join(heart.heart_table("en").drop(columns="dimension").to_numpy().ravel())
    assert "one-click" not in generic.lower() and "shop" not in generic.lower()  # no world's words by default


def test_heart_table_both_languages():
    en, zh = heart.heart_table("en"), heart.heart_table("zh")
    assert list(en.columns) == ["dimension", "goal", "signal", "metric", "function"]
    assert en["dimension"].unique().tolist() == ["Happiness", "Engagement", "Adoption", "Retention", "Task success"]
    assert (en["goal"] != zh["goal"]).all() and en["function"].equals(zh["function"])
    for fn in en["function"]:
        assert callable(getattr(heart, fn.rsplit(".", 1)[1]))


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------

def test_unknown_step_names_rows(events):
    ev = events.sort_index().copy()
    ev.loc[3, "step"] = "basket"
    with pytest.raises(CXDataError, match=r"column 'step': unknown funnel steps — 1 index: index 3 \('basket'\)"):
        heart.sessions(ev)


def test_session_on_two_platforms(events):
    ev = events.sort_index().copy()
    ev.loc[1, "platform"] = "web"
    with pytest.raises(CXDataError, match="sessions logged with more than one platform — 4 indexes: index 0 \\('s1'\\)"):
        heart.sessions(ev)


def test_bad_flags_missing_columns_and_times(events):
    ev = events.sort_index().copy()
    ev["one_click"] = ev["one_click"].astype(object)
    ev.loc[2, "one_click"] = "maybe"
    with pytest.raises(CXDataError, match=r"column 'one_click': values that are not true/false — 1 index: index 2 \('maybe'\)"):
        heart.sessions(ev)
    with pytest.raises(CXDataError, match=r"missing column\(s\) 'step'"):
        heart.sessions(events.drop(columns="step"))
    ev = events.sort_index().copy()
    ev["timestamp"] = ev["timestamp"].astype(str)
    ev.loc[5, "timestamp"] = "yesterday"
    with pytest.raises(CXDataError, match=r"column 'timestamp': values that are not dates — 1 index: index 5 \('yesterday'\)"):
        heart.sessions(ev)


def test_before_after_needs_both_sides(events):
    with pytest.raises(CXDataError, match="no session reached step .checkout. after the release date 2027-01-01"):
        heart.before_after(events, "2027-01-01")
    with pytest.raises(ValueError, match="metric must be one of"):
        heart.before_after(events, RELEASE, metric="happiness")
    with pytest.raises(CXDataError, match="no sessions between 2027-01-01"):
        heart.adoption(events, "2027-01-01")


def test_other_column_names(events):
    ev = events.rename(columns={"customer_id": "uid", "one_click": "fast_pay"})
    got = heart.adoption(ev, RELEASE, columns={"user": "uid", "feature": "fast_pay"})
    assert got["adoption"].iloc[0] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="unknown key"):
        heart.sessions(ev, columns={"customer": "uid"})


# --------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plots(events, lang):
    plots.use_theme(lang)
    fig, (a1, a2) = plt.subplots(1, 2)
    assert heart.plot_engagement(heart.engagement(events, by="platform"), ax=a1, lang=lang) is a1
    assert heart.plot_before_after(heart.before_after(events, RELEASE), ax=a2, lang=lang) is a2
    plt.close(fig)
    survey = pd.DataFrame({"platform": ["app", "web"], "csat": [5, 3], "nps": [9, 6]})
    dash = heart.plot_heart_dashboard(events, survey, RELEASE, lang=lang)
    assert len(dash.axes) == 6 and dash.axes[0].get_title() == heart.heart_table(lang)["dimension"][0]
    plt.close(dash)
    dash = heart.plot_heart_dashboard(events, lang=lang)  # no survey, no release: panels say so
    plt.close(dash)


# --------------------------------------------------------------------------------------
# reading the metrics: denominators, windows, changes (hand-worked on the six sessions)
# --------------------------------------------------------------------------------------

def test_adoption_denominators_by_hand(events):
    # Apr 1–30: s4 (u2, payment, one-click), s5 (u3, home only), s6 (u1, payment, one-click)
    got = heart.adoption_denominators(events, RELEASE, 30, "payment")
    assert got.loc["all", ["users_n", "adopters", "sessions_n", "feature_sessions"]].tolist() == [3, 2, 3, 2]
    assert got.loc["all", "users"] == pytest.approx(2 / 3) and got.loc["all", "sessions"] == pytest.approx(2 / 3)
    assert got.loc["step", ["users_n", "adopters", "users", "sessions_n", "sessions"]].tolist() == [2, 2, 1.0, 2, 1.0]
    # Apr 1–3: s4 and s5 only
    short = heart.adoption_denominators(events, RELEASE, 3, "payment")
    assert short.loc["all", ["users", "sessions"]].tolist() == [0.5, 0.5]
    assert short.loc["step", ["users_n", "users"]].tolist() == [1, 1.0]


def test_adoption_curve_is_adoption_per_window(events):
    got = heart.adoption_curve(events, RELEASE, [3, 30], among_step=None)
    assert got.index.tolist() == [3, 30]
    assert got["active_users"].tolist() == [2, 3] and got["adoption"].tolist() == pytest.approx([0.5, 2 / 3])
    assert (got["ci_low"] <= got["adoption"]).all() and (got["adoption"] <= got["ci_high"]).all()
    windows = [1, 2, 3, 5, 6, 30]  # Apr 1 (no session), Apr 2 (s4), Apr 3 (s5), Apr 6 (s6)
    with pytest.raises(CXDataError, match="no sessions in the first 1 day"):
        heart.adoption_curve(events, RELEASE, windows, among_step="payment")
    paying = heart.adoption_curve(events, RELEASE, windows[1:], among_step="payment")
    for d in windows[1:]:
        one = heart.adoption(events, RELEASE, within_days=d, among_step="payment").iloc[0]
        assert paying.loc[d, ["active_users", "adopters", "adoption", "ci_low", "ci_high"]].tolist() == pytest.approx(
            one[["active_users", "adopters", "adoption", "ci_low", "ci_high"]].astype(float).tolist())
    with pytest.raises(ValueError, match="whole numbers ≥ 1"):
        heart.adoption_curve(events, RELEASE, [0, 7])


def test_engagement_change_leaves_out_the_week_of_the_release():
    table = pd.DataFrame({"period": list(pd.period_range("2026-03-16", periods=4, freq="W")) * 2,
                          "platform": ["app"] * 4 + ["web"] * 4,
                          "users": [10.0, 10, 10, 20, 5, 5, 5, 5], "sessions": [10.0, 12, 99, 30, 5, 5, 99, 6]})
    got = heart.engagement_change(table, "2026-04-01")  # the week of Mar 30 – Apr 5 straddles the release
    assert got.loc["app", ["before", "after", "periods_before", "periods_after"]].tolist() == [1.1, 1.5, 2, 1]
    assert got.loc["web", "change"] == pytest.approx(0.2) and got.loc["web", "relative"] == pytest.approx(0.2)
    assert len(heart.complete_periods(table)) == 4  # the first and last weeks go, for both platforms


def test_retention_summary_by_hand(events):
    got = heart.retention_summary(heart.retention(events))
    # average curve [1, 0, 0, 0, .5, .5]; weeks 2–5 are observed by one of the two cohorts (≥ half)
    assert got["week1"] == 0 and got["not_back"] == 1
    assert got["later"] == pytest.approx(0.25) and got["last_week"] == 5 and got["cohorts"] == 2
    assert np.isnan(heart.retention_summary(heart.retention(events), min_share=1.0)["later"])


def test_happiness_wide_reads_overlap():
    long = pd.DataFrame({"platform": ["app", "app", "web", "web"], "metric": ["csat", "nps"] * 2,
                         "value": [80.0, 30.0, 60.0, 10.0], "n": [100, 100, 50, 50],
                         "ci_low": [72.0, 15.0, 46.0, -8.0], "ci_high": [86.0, 45.0, 73.0, 28.0]})
    got = heart.happiness_wide(long, "platform")
    assert got.loc["web", ["csat", "csat_low", "nps_high", "n"]].tolist() == [60.0, 46.0, 28.0, 50]
    assert got["reading"].unique().tolist() == ["overlap"]  # 72–86 meets 46–73; 15–45 meets −8–28
    apart = long.assign(ci_high=[86.0, 45.0, 70.0, 28.0])  # CSAT 72–86 against 46–70
    assert heart.happiness_wide(apart, "platform")["reading"].unique().tolist() == ["apart"]


def test_release_contrast_is_a_difference_in_differences():
    test = pd.DataFrame({"platform": ["app", "web"], "rate_before": [0.56, 0.81], "rate_after": [0.87, 0.79],
                         "difference": [0.31, -0.02], "ci_low": [0.25, -0.07], "ci_high": [0.35, 0.04],
                         "p_value": [1e-20, 0.6], "cohens_h": [0.70, -0.03]})
    got = heart.release_contrast(test, released=["app"])
    assert (got["group"], got["other"]) == ("app", "web")
    assert got["extra"] == pytest.approx(0.33) and got["size"] == "medium"
    assert bool(got["group_released"]) and not bool(got["other_released"]) and np.isnan(got["ratio"])
    with pytest.raises(CXDataError, match="needs two platform groups, got 1"):
        heart.release_contrast(test.iloc[:1])


@pytest.mark.parametrize(("h", "word"), [(0.0, "negligible"), (0.19, "negligible"), (0.2, "small"), (-0.49, "small"),
                                         (0.5, "medium"), (0.79, "medium"), (0.8, "large"), (np.nan, "unknown")])
def test_effect_size_words_follow_cohen(h, word):
    assert heart.effect_size_label(h) == word


def test_before_after_wide():
    from cxlib import lessons

    tasks = pd.DataFrame({"platform": ["app", "app", "web", "web"], "phase": ["after", "before", "after", "before"],
                          "completion_rate": [0.74, 0.47, 0.64, 0.68]})
    got = lessons.before_after_wide(tasks, "platform", values=("completion_rate",))
    assert got.loc["app"].tolist() == [0.47, 0.74] and got.loc["web"].tolist() == [0.68, 0.64]
    assert lessons.before_after_wide(tasks[tasks.platform == "app"], None, values=("completion_rate",)).index.tolist() == ["all"]


@pytest.mark.parametrize(("world", "platforms", "rating", "split"),
                         [("hotel", ("app",), None, None), ("ecommerce", ("app", "web"), "tp_payment", "platform")])
def test_heart_frame_reads_each_worlds_roles(world, platforms, rating, split):
    from cxlib import lessons

    hf = lessons.heart_frame(world, lang="zh")
    assert hf.platforms == platforms and hf.rating == rating and hf.split == split
    assert set(hf.sessions["phase"]) == {"before", "after"}
    assert ((hf.sessions["start"] >= hf.release) == (hf.sessions["phase"] == "after")).all()
    assert hf.touchpoint_name == "支付" and hf.step_names[hf.steps[-1]] in ("预订成功", "下单")
    assert {"csat", "nps"} <= set(hf.survey.columns)
    assert hf.rating_change().empty == (rating is None)
    with pytest.raises(KeyError, match="is not in the 'releases' table"):
        lessons.heart_frame(world, feature="teleport")


# --------------------------------------------------------------------------------------
# legends never cover a bar
# --------------------------------------------------------------------------------------

def _overlaps(ax) -> list:
    ax.figure.canvas.draw()
    legend = ax.get_legend()
    if legend is None:
        return []
    box = legend.get_window_extent()
    bars = [p for p in ax.patches if p.get_height() != 0]
    return [p.get_height() for p in bars if box.overlaps(p.get_window_extent())]


def test_legends_cover_no_bar(events, lang="zh"):  # the wider labels of the two languages
    plots.use_theme(lang)
    full = pd.DataFrame({"platform": ["app", "web"], "n_before": [50, 50], "rate_before": [1.0, 0.98],
                         "ci_low_before": [0.93, 0.9], "ci_high_before": [1.0, 1.0], "rate_after": [0.99, 1.0],
                         "ci_low_after": [0.9, 0.93], "ci_high_after": [1.0, 1.0], "difference": [-0.01, 0.02],
                         "p_value": [0.3, 0.2]})  # bars up to the top, where a legend inside the axes would sit
    _, ax = plt.subplots(figsize=(7, 4.5))
    heart.plot_before_after(full, ax=ax, lang=lang)
    assert ax.get_legend() is not None and _overlaps(ax) == []
    survey = pd.DataFrame({"platform": ["app", "web"] * 5, "csat": [5, 5, 5, 4, 5, 5, 4, 5, 5, 5], "nps": [10, 9, 3, 6, 8, 10, 2, 9, 10, 7]})
    dash = heart.plot_heart_dashboard(events, survey, RELEASE, lang=lang)
    with_legend = [a for a in dash.axes if a.get_legend() is not None]
    assert len(with_legend) >= 4
    assert all(_overlaps(a) == [] for a in with_legend), [(a.get_title(), _overlaps(a)) for a in with_legend]
