"""Lesson 06's building blocks in cxlib.value, cxlib.lessons and cxlib.plotting.value, on hand-worked values.

The purchase cycle (the churn window read from the data), the churn curve, the simple CLV from a
transaction log, the segment and cohort summaries, stage weights, the stage × tier table, the charts,
and the lesson's frame built from the roles of both worlds and of a user's own folder.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlib import datasets, lessons, plots, roles, value
from cxlib.errors import CXDataError

# a: purchase days 0, 10 (twice that day) and 60; b: days 0 and 30; c: day 0 only → gaps 10, 50 and 30 days
TX = pd.DataFrame({
    "c": ["a", "a", "a", "a", "b", "b", "c"],
    "d": pd.to_datetime(["2025-01-01 00:00", "2025-01-11 09:00", "2025-01-11 18:00", "2025-03-02 00:00", "2025-01-01 00:00",
                         "2025-01-31 00:00", "2025-01-01 00:00"]),
    "m": [10.0, 5.0, 5.0, 30.0, 8.0, 12.0, 20.0],
})


@pytest.fixture(autouse=True)
def _restore_rc():
    with plt.rc_context():
        yield
    plt.close("all")


# --------------------------------------------------------------------------- the purchase cycle
def test_purchase_cycle_by_hand():
    cycle = value.purchase_cycle(TX, "c", "d")
    # gaps sorted 10, 30, 50: the 0.9 quantile (linear) is 30 + 0.8 · 20 = 46 → window 60; median 30
    assert (cycle.quantile_days, cycle.median_days, cycle.window_days, cycle.n_gaps) == (46.0, 30.0, 60, 3)
    assert value.purchase_cycle(TX, "c", "d", share=0.5).window_days == 30
    assert value.purchase_cycle(TX, "c", "d", step=7).window_days == 49  # 7 · ⌈46 / 7⌉


def test_purchase_cycle_without_a_repeat_purchase_says_so():
    once = TX[TX["c"] == "c"]
    with pytest.raises(CXDataError, match="0 of the 1 customers in column 'c' bought on two different days of column 'd'"):
        value.purchase_cycle(once, "c", "d")
    with pytest.raises(ValueError, match="share"):
        value.purchase_cycle(TX, "c", "d", share=1.0)
    with pytest.raises(ValueError, match="errors"):
        value.purchase_cycle(TX, "c", "d", errors="ignore")


def test_too_few_repeat_customers_give_the_counts_instead_of_a_cycle():
    # a and b bought on two different days, c once; the data run from 1 January to 2 March: 60 days
    short = value.purchase_cycle(TX, "c", "d", min_repeaters=3, errors="return")
    assert short == value.TooFewRepeats(customers=3, repeaters=2, needed=3, longest_days=60, window_days=90,
                                        customer_col="c", time_col="d")
    with pytest.raises(value.TooFewRepeatsError, match="2 of the 3 customers .* expected at least 3") as err:
        value.purchase_cycle(TX, "c", "d", min_repeaters=3)
    assert err.value.shortfall == short and isinstance(err.value, CXDataError)
    assert isinstance(value.purchase_cycle(TX, "c", "d", min_repeaters=2, errors="return"), value.PurchaseCycle)
    # one purchase each: nobody has waited a day yet, so the stages' window is one step
    once = value.purchase_cycle(TX.drop_duplicates("c"), "c", "d", errors="return")
    assert (once.customers, once.repeaters, once.needed, once.longest_days, once.window_days) == (3, 0, 1, 0, 30)


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 200)), min_size=1, max_size=12), st.integers(1, 4))
def test_the_cycle_or_its_shortfall_follows_the_repeat_customers(rows, needed):
    tx = pd.DataFrame({"c": [c for c, _ in rows], "d": pd.Timestamp("2025-01-01") + pd.to_timedelta([d for _, d in rows], unit="D")})
    repeaters = int((tx.groupby("c")["d"].nunique() > 1).sum())
    got = value.purchase_cycle(tx, "c", "d", min_repeaters=needed, errors="return")
    if repeaters >= needed:
        assert isinstance(got, value.PurchaseCycle) and got.n_gaps >= repeaters
    else:
        span = (tx["d"].max() - tx["d"].min()).days
        assert (got.customers, got.repeaters, got.needed, got.longest_days) == (tx["c"].nunique(), repeaters, needed, span)
        assert span < got.window_days <= span + 30 and got.window_days % 30 == 0


def test_lesson06_skips_the_repeat_sections_of_the_example_with_the_counts():
    for lang, said in (("en", "**Customer lifetime value: skipped.** The stays hold 59 customers (“Guest ID”) and 0 of them bought "
                               "again on a later day (“Check-in date”)"),
                       ("zh", "**客户终身价值：已跳过**。入住记录中共有 59 位客户（“客人编号”），其中 0 位在之后的另一天再次购买（“入住日期”）")):
        own = lessons.value_frame("hotel", "examples/own_data", lang)
        short = value.purchase_cycle(own.transactions, own.role.customer, own.role.time, errors="return")
        assert (short.customers, short.repeaters, short.longest_days, short.window_days) == (59, 0, 76, 90)
        assert own.skipped(short, "clv", lang).data.startswith(said)
        churn = own.skipped(short, "churn", lang, window=short.window_days).data
        assert ("90 days without a purchase, longer than the 76 days" if lang == "en" else "连续 90 天没有购买") in churn
        assert ("set in the parameters" if lang == "en" else "参数中设定") in own.skipped(short, "churn", lang, window=60).data
        assert own.runs(short, "cohorts", lang) is False
    hotel = lessons.value_frame("hotel")
    cycle = value.purchase_cycle(hotel.transactions, hotel.role.customer, hotel.role.time, errors="return")
    assert hotel.skipped(cycle, "churn") is None and hotel.runs(cycle, "churn") is True


def test_cohort_period_is_about_a_quarter_of_the_window():
    assert [value.cohort_period(w) for w in (90, 180, 239, 250, 365, 720)] == ["M", "M", "M", "Q", "Q", "Q"]
    with pytest.raises(ValueError):
        value.cohort_period(0)


# --------------------------------------------------------------------------- churn curve and CLV
def test_churn_curve_by_hand_and_as_churn_rate():
    end = "2025-06-30"
    curve = value.churn_curve(TX, "c", "d", [30, 150, 200], observation_period_end=end)
    # ages at the end 180 (a, b, c); days since the last purchase 120 (a), 150 (b), 180 (c)
    assert curve[["count", "n"]].values.tolist() == [[3, 3], [2, 3], [0, 0]]
    assert np.isnan(curve.loc[200, "rate"])  # nobody can be judged: no rate, not 0
    for w in (30, 150):
        r = value.churn_rate(TX, "c", "d", window_days=w, observation_period_end=end)
        assert curve.loc[w, ["rate", "ci_low", "ci_high"]].tolist() == pytest.approx([r.rate, r.ci_low, r.ci_high])


def test_churn_curve_default_windows_and_bad_windows():
    curve = value.churn_curve(TX, "c", "d", observation_period_end="2025-06-30")
    assert list(curve.index) == [30, 60, 90, 120, 150]  # up to the oldest age (180) minus 30
    with pytest.raises(ValueError, match="windows"):
        value.churn_curve(TX, "c", "d", [0, 30])


def test_simple_clv_by_hand():
    # end 2025-03-02; window 60 days: transactions after 2025-01-01 → a (5 + 5 + 30) and b (12): m = 52 / 2
    e = value.simple_clv(TX, "c", "d", "m", window_days=60, annual_discount=0.10)
    assert (e.margin, e.active) == (26.0, 2)
    # churn over 60 days: ages 60 (a, b, c), idle 0 (a), 30 (b), 60 (c) → 1 of 3 churned, r = 2/3
    d = 1.1 ** (60 / 365) - 1
    r = 2 / 3
    assert e.retention == pytest.approx(r) and e.discount == pytest.approx(d)
    assert e.clv == pytest.approx(26 * r / (1 + d - r)) and e.multiple == pytest.approx(r / (1 + d - r))
    r5 = r + 0.05
    assert e.clv_plus == pytest.approx(26 * r5 / (1 + d - r5))
    assert e.gain == pytest.approx(e.clv_plus / e.clv - 1) and e.total_gain == pytest.approx(2 * (e.clv_plus - e.clv))
    with pytest.raises(ValueError, match="0.10 for 10"):
        value.simple_clv(TX, "c", "d", "m", window_days=60, annual_discount=10)


# --------------------------------------------------------------------------- summaries
def test_segment_summary_by_hand():
    rfm = pd.DataFrame({"frequency": [1.0, 3, 1, 2], "recency": [0.0, 20, 0, 10], "T": [50.0, 30, 10, 40],
                        "monetary_value": [10.0, 30, 10, 5], "segment": ["lost", "loyal", "lost", "new"],
                        "segment_name": ["Lost", "Loyal", "Lost", "New"]})
    out = value.segment_summary(rfm)
    # revenue: lost 10 + 10, loyal 90, new 10 → 120
    assert list(out.index) == ["loyal", "lost", "new"]
    assert out["revenue_share"].tolist() == pytest.approx([90 / 120, 20 / 120, 10 / 120])
    assert out.loc["lost", ["customers", "share", "days_since_last"]].tolist() == [2, 0.5, 30.0]
    assert out["share"].sum() == pytest.approx(1.0)


def test_cohort_summary_drops_the_last_observed_cell():
    m = pd.DataFrame([[1.0, 0.2, 0.1, 0.1], [1.0, 0.3, 0.2, np.nan], [1.0, 0.1, np.nan, np.nan]],
                     index=pd.period_range("2025-01", periods=3, freq="M"))
    m.attrs.update(kind="share", freq="M", cohort_size=pd.Series([10, 10, 20], index=m.index))
    s = value.cohort_summary(m)
    # kept: row 1 → 0.2, 0.1; row 2 → 0.3; row 3 → nothing after period 0
    assert s["first"] == pytest.approx(0.25) and s["low"] == pytest.approx(0.1) and s["high"] == pytest.approx(0.25)
    assert (s["k"], s["weakest"], s["weakest_value"], s["median_first"], s["cohorts"]) == (2, "2025-01", 0.2, 0.25, 2)
    with pytest.raises(CXDataError, match="shares"):
        value.cohort_summary(m.copy().pipe(lambda x: x.attrs.update(kind="count") or x))


@given(st.floats(0.0, 1.0), st.sampled_from(value.STAGES), st.sampled_from(value.DIMENSIONS))
def test_reweight_sums_to_one_and_keeps_the_others_in_proportion(w, stage, dim):
    out = value.reweight(value.DEFAULT_STAGE_WEIGHTS, stage, dim, w)
    assert sum(out[stage].values()) == pytest.approx(1.0) and out[stage][dim] == w
    rest = [k for k in value.DIMENSIONS if k != dim]
    old = value.DEFAULT_STAGE_WEIGHTS[stage]
    if w < 1:
        assert out[stage][rest[0]] / out[stage][rest[1]] == pytest.approx(old[rest[0]] / old[rest[1]])
    assert all(out[s] == value.DEFAULT_STAGE_WEIGHTS[s] for s in value.STAGES if s != stage)
    value.abc_scores(pd.DataFrame({"a": [1, 2], "b": [1, 3], "c": [2, 1], "stage": [stage, stage]}), ["a"], ["b"], ["c"], weights=out)


def test_stage_tiers_by_hand():
    s = pd.DataFrame({"stage": ["new", "loyal", "loyal", "at_risk"], "tier": ["A", "A", "C", "B"]})
    out = value.stage_tiers(s)
    assert list(out.index) == list(value.STAGES) and list(out.columns) == ["A", "B", "C"]
    assert out.loc["loyal"].tolist() == [1, 0, 1] and out.loc["growing"].tolist() == [0, 0, 0]


# --------------------------------------------------------------------------- charts
def test_lesson_charts_return_their_axes_in_both_languages():
    rfm = value.rfm_scores(value.rfm_summary(TX, "c", "d", "m", include_first_transaction=True))
    curve = value.churn_curve(TX, "c", "d", [30, 60, 90], observation_period_end="2025-06-30")
    est = value.simple_clv(TX, "c", "d", "m", window_days=60)
    counts = value.stage_tiers(pd.DataFrame({"stage": ["new", "loyal"], "tier": ["A", "C"]}))
    for lang in ("en", "zh"):
        plots.use_theme(lang)
        _, axes = plt.subplots(1, 4)
        assert value.plot_rfm_grid(rfm, ax=axes[0], lang=lang) is axes[0]
        assert value.plot_churn_curve(curve, chosen=60, ax=axes[1], lang=lang) is axes[1]
        assert value.plot_clv_curve(est, ax=axes[2], lang=lang) is axes[2]
        assert value.plot_stage_tiers(counts, ax=axes[3], lang=lang) is axes[3]
        assert all(a.get_title() for a in axes)
        plt.close("all")
    with pytest.raises(CXDataError, match="not a row"):
        value.plot_churn_curve(curve, chosen=45)


# --------------------------------------------------------------------------- the lesson's frame from the roles
def test_value_frame_of_both_worlds_reads_the_roles():
    hotel, shop = lessons.value_frame("hotel"), lessons.value_frame("ecommerce", lang="zh")
    stays = datasets.load("hotel", "stays")
    assert hotel.margin_share == 0.30 and hotel.transactions[hotel.margin].tolist() == pytest.approx((0.3 * stays["spend"]).tolist())
    assert shop.margin_share is None and shop.margin == "margin" and shop.unit == "订单" and shop.currency == "元"
    summary = value.rfm_summary(hotel.transactions, "guest_id", "checkin_date", include_first_transaction=True)
    summary["days_since_last"] = summary["T"] - summary["recency"]
    abc = hotel.abc_inputs(summary)
    assert abc.attitude == ["nps", "overall_sat", "intent_return"]
    assert abc.behavior == ["frequency", "days_since_last", "loyalty_member"]
    assert abc.consumption == ["total_spend", "spend_per_unit"]
    guest = abc.data.index[0]
    mine = stays[stays["guest_id"] == guest]
    assert abc.data.loc[guest, "spend_per_unit"] == pytest.approx(mine["spend"].sum() / mine["nights"].sum())
    assert abc.data.loc[guest, "total_spend"] == pytest.approx(mine["spend"].sum())
    assert abc.n_total == 4000 and len(abc.data) < 4000 and not abc.data[abc.attitude].isna().any().any()
    sv = datasets.load("hotel", "survey")
    means = sv.groupby("guest_id")[["nps", "overall_sat", "intent_return"]].mean().dropna()
    assert set(abc.data.index) == set(means.index) & set(summary.index)


def test_value_frame_on_your_own_folder_without_customers():
    own = lessons.value_frame("hotel", "examples/own_data")
    assert own.people is None and own.margin_share == 0.30
    summary = value.rfm_summary(own.transactions, "guest_id", "checkin_date", include_first_transaction=True)
    summary["days_since_last"] = summary["T"] - summary["recency"]
    abc = own.abc_inputs(summary)
    assert abc.behavior == ["frequency", "days_since_last"]  # no customers table: no activity columns
    with pytest.raises(CXDataError, match="two different days"):  # the 59 example stays have no repeat
        value.purchase_cycle(own.transactions, "guest_id", "checkin_date")


def test_new_role_fields_parse_and_a_mapping_can_drop_them():
    hotel = roles.of("hotel")
    assert (hotel.survey.intent, hotel.transactions.units, hotel.customers.activity) == ("intent_return", "nights", ("loyalty_member",))
    assert roles.of("ecommerce").customers.activity == ("referrals",) and roles.of("ecommerce").transactions.units is None
    meta = datasets.dictionary("hotel")
    parsed, _ = roles.parse_roles({"customers": {"table": "guests", "id": "guest_id", "activity": "loyalty_member"}}, meta, "test")
    assert parsed["customers"].activity == ("loyalty_member",)


def test_lesson06_needs_the_transactions_and_the_survey():
    nb = "notebooks/06_customer_value.ipynb"
    assert datasets.needed_tables(nb, "hotel") == {"stays", "survey"}
    assert datasets.needed_tables(nb, "ecommerce", optional=True) == {"orders", "survey", "customers"}


def test_the_churn_sentence_follows_the_window_and_the_data():
    from cxlib import narrate

    frame = lessons.value_frame("hotel")
    tx, role = frame.transactions, frame.role
    cycle = value.purchase_cycle(tx, role.customer, role.time)

    def sentence(data, window, chosen):
        repeat, churn = value.repeat_rate(data, role.customer, role.time), value.churn_rate(data, role.customer, role.time, window_days=window)
        half = value.churn_rate(data, role.customer, role.time, window_days=window // 2)
        return narrate.text("lesson06.say.churn", "en", repeat, conf=0.95, median=cycle.median_days, share=cycle.share, q=cycle.quantile_days,
                            suggested=cycle.window_days, window=window, set=chosen, churn=churn.rate, eligible=churn.n, churn_low=churn.ci_low,
                            churn_high=churn.ci_high, half=window // 2, half_rate=half.rate), churn

    default, churn = sentence(tx, cycle.window_days, False)
    assert f"this run uses {cycle.window_days} days." in default and f"{100 * churn.rate:.0f} % of the {churn.n:,}" in default
    moved, churn90 = sentence(tx, 90, True)
    assert "this run uses 90 days (set in the parameters)" in moved and f"{100 * churn90.rate:.0f} % of the {churn90.n:,}" in moved
    # half the repeat customers' later purchases gone: the repeat rate in the sentence falls with the data
    firsts = tx.sort_values(role.time).drop_duplicates(role.customer)
    repeaters = tx.loc[~tx.index.isin(firsts.index), role.customer].unique()[::2]
    fewer = tx[tx.index.isin(firsts.index) | ~tx[role.customer].isin(repeaters)]
    thinner, _ = sentence(fewer, cycle.window_days, False)
    rate = fewer.assign(d=fewer[role.time].dt.normalize()).groupby(role.customer)["d"].nunique().gt(1).mean()
    assert thinner.startswith(f"{100 * rate:.0f} % of the customers bought again") and thinner != default
