"""Behaviour statistics on every engine, and the math layer under them on hand-worked counts.

Every public behaviour statistic (journey funnel, step times and before/after; value RFM, cohorts,
repeat and churn rates; HEART sessions, engagement, adoption, retention, task success and
before/after) must give the pandas result on Polars, PyArrow, DuckDB and Dask tables to 1e-12
relative, and on PySpark (local mode, one session; skipped without Java). The math layer
(:mod:`cxlib.stats.funnel`, :mod:`cxlib.stats.value`) is checked on counts worked by hand and
with property tests.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from engines_behaviour import ENGINES, spark, to_engine  # noqa: F401 (spark: the session fixture)
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import heart, journey, value
from cxlib.aggregate.behaviour import period_numbers, step_set_counts
from cxlib.errors import CXDataError
from cxlib.stats.funnel import (
    before_after_from_counts,
    durations_from_counts,
    quantiles_from_counts,
    reach_from_step_sets,
)
from cxlib.stats.value import clv, cohort_matrix_from_counts, retention_average

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

STEPS = ["home", "search", "product", "cart", "checkout", "payment", "order"]
RELEASE = "2026-02-15"


def random_events(n_sessions: int = 120, seed: int = 7) -> pd.DataFrame:
    """Sessions that go some way down the funnel, with repeated and out-of-order events."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2026-01-05 08:00:00")
    for i in range(n_sessions):
        depth = int(rng.integers(1, 8))
        user = f"u{int(rng.integers(0, 40)):02d}"
        platform = "web" if rng.random() < 0.6 else "app"
        start = t0 + pd.Timedelta(seconds=int(rng.integers(0, 80 * 86400)))
        steps = STEPS[:depth]
        if depth > 2 and rng.random() < 0.2:
            steps = steps[:1] + steps[2:]  # skips a step
        for j, s in enumerate(steps):
            offset = j * int(rng.integers(5, 400))
            if rng.random() < 0.05:
                offset = -offset  # clock skew: out of order
            rows.append((f"s{i:04d}", user, platform, s, start + pd.Timedelta(seconds=offset),
                         bool(rng.random() < 0.3), bool(rng.random() < 0.1)))
            if rng.random() < 0.15:  # a repeated event of the same step later on
                rows.append((f"s{i:04d}", user, platform, s, start + pd.Timedelta(seconds=offset + 30),
                             False, False))
    ev = pd.DataFrame(rows, columns=["session_id", "customer_id", "platform", "step", "timestamp",
                                     "one_click", "error"])
    ev["timestamp"] = ev["timestamp"].astype("datetime64[us]")
    return ev.sample(frac=1, random_state=seed).reset_index(drop=True)


def random_transactions(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400 * 86400, n), unit="s")
    return pd.DataFrame({
        "customer_id": [f"c{k:03d}" for k in rng.integers(0, 90, n)],
        "order_time": t.astype("datetime64[us]"),
        "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
    })


EVENTS = random_events()
ORDERS = random_transactions()

CALLS = {
    "funnel": (EVENTS, lambda d: journey.funnel(d)),
    "funnel_open_by_none": (EVENTS, lambda d: journey.funnel(d, by=None, mode="open", leak="sessions")),
    "step_times": (EVENTS, lambda d: journey.step_times(d, unit="min")),
    "before_after": (EVENTS, lambda d: journey.before_after(d, RELEASE, window_days=30)),
    "rfm_summary": (ORDERS, lambda d: value.rfm_summary(d, "customer_id", "order_time", "amount", freq="W")),
    "rfm_first": (ORDERS, lambda d: value.rfm_summary(d, "customer_id", "order_time", "amount",
                                                      observation_period_end="2025-12-31",
                                                      include_first_transaction=True)),
    "cohort_retention": (ORDERS, lambda d: value.cohort_retention(d, "customer_id", "order_time")),
    "repeat_rate": (ORDERS, lambda d: pd.DataFrame([vars(value.repeat_rate(d, "customer_id", "order_time"))])),
    "churn_rate": (ORDERS, lambda d: pd.DataFrame([vars(value.churn_rate(d, "customer_id", "order_time"))])),
    "sessions": (EVENTS, lambda d: heart.sessions(d).sort_index()),
    "engagement": (EVENTS, lambda d: heart.engagement(d, by="platform")),
    "adoption": (EVENTS, lambda d: heart.adoption(d, RELEASE, by="platform", among_step="payment")),
    "retention": (EVENTS, lambda d: heart.retention(d)),
    "task_success": (EVENTS, lambda d: heart.task_success(d)),
    "heart_before_after": (EVENTS, lambda d: heart.before_after(d, RELEASE, metric="payment_completion")),
}


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12, atol=0, check_index_type=False)
    for key in ("cohort_size", "average"):
        if key in expected.attrs:
            pd.testing.assert_series_equal(got.attrs[key], expected.attrs[key], rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("kind", [k for k in ENGINES if k != "pandas"])
def test_every_engine_gives_the_pandas_result(name, kind):
    data, call = CALLS[name]
    assert_same(call(to_engine(data, kind)), call(data))


def test_pyspark_gives_the_pandas_result(spark):  # noqa: F811 (the imported fixture)
    """One Spark pass over four statistics on a small log (local mode spends seconds planning each
    query, so the Spark part stays under a minute): a funnel, durations (task success), RFM and
    cohorts. The other statistics use the same aggregation functions."""
    small = EVENTS[EVENTS["session_id"] < "s0030"]
    for call in (lambda d: journey.funnel(d), lambda d: heart.task_success(d)):
        assert_same(call(to_engine(small, "pyspark", spark)), call(small))
    orders = ORDERS.iloc[:80]
    for name in ("rfm_summary", "cohort_retention"):
        call = CALLS[name][1]
        assert_same(call(to_engine(orders, "pyspark", spark)), call(orders))


def test_duckdb_over_parquet_files(tmp_path):
    from cxlib.engine import scan_parquet

    for i, part in enumerate(np.array_split(np.arange(len(ORDERS)), 3)):
        ORDERS.iloc[part].to_parquet(tmp_path / f"part{i}.parquet")
    rel = scan_parquet(tmp_path)
    call = CALLS["rfm_summary"][1]
    assert_same(call(rel), call(ORDERS))


# --------------------------------------------------------------------------------------
# bad input on a lazy engine: counted, named by value
# --------------------------------------------------------------------------------------


def test_lazy_engines_name_bad_values():
    bad = EVENTS.copy()
    bad.loc[3, "step"] = "paymnet"
    with pytest.raises(CXDataError, match=r"unknown step values — e.g. 'paymnet'"):
        journey.funnel(to_engine(bad, "duckdb"))
    two = EVENTS.copy()
    first = two["session_id"] == two["session_id"].iloc[0]
    two.loc[first, "platform"] = np.resize(["app", "web"], first.sum())
    with pytest.raises(CXDataError, match=r"1 session\(s\) change \['platform'\]"):
        journey.funnel(to_engine(two, "polars"))
    gap = EVENTS.copy()
    gap.loc[5, "session_id"] = None
    with pytest.raises(CXDataError, match="column 'session_id': missing values"):
        journey.funnel(to_engine(gap, "duckdb"))
    neg = ORDERS.copy()
    neg.loc[2, "amount"] = -5.0
    with pytest.raises(CXDataError, match=r"negative amounts .* e.g. -5.0"):
        value.rfm_summary(to_engine(neg, "duckdb"), "customer_id", "order_time", "amount")
    text = ORDERS.assign(order_time=ORDERS["order_time"].astype(str))
    with pytest.raises(CXDataError, match="expected date-times"):
        value.rfm_summary(to_engine(text, "duckdb"), "customer_id", "order_time")


# --------------------------------------------------------------------------------------
# the aggregation layer on a hand-made log
# --------------------------------------------------------------------------------------


def test_step_set_counts_by_hand():
    ev = pd.DataFrame({"session_id": ["a", "a", "a", "b", "b", "c", "d"],
                       "step": ["cart", "order", "cart", "cart", "payment", "payment", "home"]})
    got = step_set_counts(ev, ["cart", "payment", "order"], allowed=["home", "cart", "payment", "order"])
    # a: cart+order = 0b101; b: cart+payment = 0b011; c: payment = 0b010; d: only home = 0
    assert got.values.tolist() == [[0, 1], [2, 1], [3, 1], [5, 1]]


def test_period_numbers_match_pandas_periods():
    t = pd.to_datetime(["1969-12-28 23:59:59", "1970-01-01 00:00:00", "2000-02-29 12:30:15", "2024-12-31 23:00:00"])
    for freq, alias in (("D", "D"), ("W-SUN", "W"), ("M", "M"), ("Q-DEC", "Q"), ("Y-DEC", "Y"),
                        ("h", "h"), ("min", "min"), ("s", "s")):
        ours = period_numbers(t, freq)
        ref = t.to_period(alias).asi8
        assert np.array_equal(ours - ours[0], ref - ref[0]), freq


# --------------------------------------------------------------------------------------
# math layer on hand-worked counts
# --------------------------------------------------------------------------------------


def test_reach_from_step_sets_by_hand():
    # 2 sessions {0,1}, 1 session {0,2}, 4 sessions {0}; 3 steps
    closed, seen = reach_from_step_sets([0b011, 0b101, 0b001], [2, 1, 4], 3)
    assert closed.tolist() == [7, 2, 0] and seen.tolist() == [7, 2, 1]
    opened, _ = reach_from_step_sets([0b011, 0b101, 0b001], [2, 1, 4], 3, mode="open")
    assert opened.tolist() == [7, 3, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 2**5 - 1), st.integers(0, 50)), min_size=1, max_size=12),
       st.sampled_from(["closed", "open"]))
def test_reached_counts_never_increase_and_stay_within_events(sets, mode):
    masks, counts = zip(*sets, strict=True)
    reached, seen = reach_from_step_sets(masks, counts, 5, mode)
    assert (np.diff(reached) <= 0).all()
    if mode == "closed":
        assert (reached <= seen).all()
    else:
        assert (reached >= seen).all()
    assert reached[0] <= sum(counts)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(0, 6)), min_size=1, max_size=15),
       st.lists(st.floats(0, 1), min_size=1, max_size=4))
def test_quantiles_from_counts_equal_numpy_on_the_repeated_values(pairs, q):
    values, counts = zip(*pairs, strict=True)
    repeated = np.repeat(np.asarray(values, dtype=float), counts)
    got = quantiles_from_counts(values, counts, q)
    if len(repeated) == 0:
        assert np.isnan(got).all()
    else:
        np.testing.assert_allclose(got, np.quantile(repeated, q), rtol=1e-12, atol=1e-12)


def test_durations_by_hand():
    c = pd.DataFrame({"g": ["a"] * 4 + ["b"], "duration": [-10, 30, 60, 120, 5], "sessions": [2, 1, 2, 1, 1]})
    got = durations_from_counts(c, ["g"]).set_index("g")
    # a: 30, 60, 60, 120 (two out of order left out) → median 60, q1 52.5, q3 75, mean 67.5
    assert got.loc["a", ["n", "n_out_of_order", "median", "q1", "q3", "mean"]].tolist() == [4, 2, 60, 52.5, 75, 67.5]
    assert got.loc["b", "iqr"] == 0


def test_before_after_from_counts_by_hand():
    c = pd.DataFrame({"g": ["x", "y"], "n_before": [2, 0], "converted_before": [1, 0],
                      "n_after": [2, 3], "converted_after": [2, 1]})
    got = before_after_from_counts(c).set_index("g")
    x = got.loc["x"]
    # pooled 3/4: z = 0.5/√(3/16 · (1/2 + 1/2)) = 0.5/√(3/16) = 1.1547; h = π − π/2
    assert x["z"] == pytest.approx(0.5 / math.sqrt(3 / 16), rel=1e-12)
    assert x["cohens_h"] == pytest.approx(math.pi / 2, rel=1e-12)
    assert x["relative_lift"] == pytest.approx(1.0)
    # y has nobody before: no rate, no test, no interval — never a confident number
    assert got.loc["y", ["rate_before", "difference", "z", "p_value", "ci_low"]].isna().all()
    assert got.loc["y", "rate_after"] == pytest.approx(1 / 3)


def test_cohort_matrix_and_average_by_hand():
    c = pd.DataFrame({"cohort": [10, 10, 10, 11, 11], "offset": [0, 1, 2, 0, 1], "customers": [4, 2, 1, 2, 2]})
    cohorts, m, sizes = cohort_matrix_from_counts(c, 12)
    assert cohorts.tolist() == [10, 11] and sizes.tolist() == [4, 2]
    np.testing.assert_array_equal(m, [[1, 0.5, 0.25], [1, 1, np.nan]])
    # offset 1: (4·0.5 + 2·1)/6 = 2/3; offset 2: only cohort 10 observed
    assert retention_average(m, sizes).tolist() == pytest.approx([1, 2 / 3, 0.25])


def test_clv_refuses_a_percentage_as_discount():
    assert clv(100, 0.8, 0.1) == pytest.approx(800 / 3)
    with pytest.raises(ValueError, match="did you pass a percentage.*discount=0.1"):
        value.clv(100, 0.8, 10)


# --------------------------------------------------------------------------------------
# correctness fixes
# --------------------------------------------------------------------------------------


def test_moments_of_truth_does_not_rank_an_unrated_touchpoint():
    survey = pd.DataFrame({"tp_checkin": [1, 2, 4, 5, 5], "tp_spa": [np.nan] * 5, "nps": [3, 6, 10, 9, 9]})
    got = journey.moments_of_truth(survey, ["tp_checkin", "tp_spa"])
    spa = got.set_index("rating").loc["tp_spa"]
    assert spa["n"] == 0 and pd.isna(spa["rank"])
    assert got["rank"].iloc[0] == 1 and got["rating"].iloc[0] == "tp_checkin"
    assert got.attrs["n_unranked"] == 1


def test_outcomes_after_survey_counts_surveys_after_the_last_transaction():
    survey = pd.DataFrame({"c": ["a", "b"], "survey_date": pd.to_datetime(["2026-01-01", "2026-03-01"]),
                           "nps": [9, 3]})
    tx = pd.DataFrame({"c": ["a", "b"], "t": pd.to_datetime(["2026-01-05", "2026-02-01"]), "amount": [5.0, 2.0]})
    out = value.outcomes_after_survey(survey, tx, "c", "t", "amount")
    # b answered after the last transaction (2026-02-01): nothing could be seen, so b is
    # not a customer who "did not repeat" but a counted exclusion
    assert out["c"].tolist() == ["a"] and out.attrs["n_after_end"] == 1


def test_one_before_after_schema_and_rule():
    ev = pd.DataFrame({
        "session_id": ["a", "a", "b", "b"], "customer_id": ["u", "u", "v", "v"], "platform": "web",
        # session a starts before the release but reaches checkout after it: it counts "after"
        "step": ["home", "checkout", "checkout", "order"],
        "timestamp": pd.to_datetime(["2026-03-31 23:50", "2026-04-01 00:10", "2026-03-30 10:00", "2026-03-30 10:05"]),
    })
    j = journey.before_after(ev, "2026-04-01", step="checkout", next_step="order")
    h = heart.before_after(ev, "2026-04-01")
    pd.testing.assert_frame_equal(j.drop(columns=[]), h)
    assert j[["n_before", "converted_before", "n_after", "converted_after"]].iloc[0].tolist() == [1, 1, 1, 0]
    s = heart.before_after(heart.sessions(ev), "2026-04-01")
    pd.testing.assert_frame_equal(s, h)


def test_statistics_modules_do_not_import_pyplot():
    import subprocess
    import sys

    code = ("import sys, cxlib.journey, cxlib.value, cxlib.heart, cxlib.aggregate.behaviour, "
            "cxlib.stats.funnel, cxlib.stats.value; print('matplotlib' in sys.modules)")
    with warnings.catch_warnings():
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
