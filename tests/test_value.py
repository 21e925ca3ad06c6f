"""Tests of cxlib.value: RFM summary (lifetimes semantics), RFM scores, CLV, rates, cohorts, ABC."""

from __future__ import annotations

import math
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlib import plots, value
from cxlib.errors import CXDataError
from cxlib.value import (
    abc_scores,
    assign_stage,
    churn_rate,
    clv,
    cohort_retention,
    repeat_rate,
    rfm_aggregates,
    rfm_from_aggregates,
    rfm_scores,
    rfm_summary,
)


@pytest.fixture(autouse=True)
def _restore_rc():
    """Plot tests switch the theme (CJK font for zh); restore matplotlib's settings after each."""
    with plt.rc_context():
        yield
    plt.close("all")

COLS = ["frequency", "recency", "T", "monetary_value"]

# --------------------------------------------------------------------------------------
# a five-customer ledger checked on paper; observation end 2025-01-31 (a Friday)
# --------------------------------------------------------------------------------------
#   A: Jan 1 10 + Jan 1 5 (same day → one period worth 15), Jan 11 20, Jan 21 40
#   B: Jan 5 100 (one purchase)
#   C: Jan 10 30 + Jan 10 18:00 10 (→ 40), Jan 30 50
#   D: Jan 31 23:00 25 (on the end day: kept)
#   E: Jan 20 8, Feb 3 12 (after the end: dropped)
LEDGER = pd.DataFrame(
    {
        "cust": ["C", "A", "E", "B", "A", "D", "A", "C", "E", "A", "C"],
        "when": ["2025-01-30", "2025-01-11", "2025-02-03", "2025-01-05", "2025-01-01",
                 "2025-01-31 23:00", "2025-01-21", "2025-01-10 18:00", "2025-01-20",
                 "2025-01-01", "2025-01-10"],
        "amount": [50.0, 20.0, 12.0, 100.0, 10.0, 25.0, 40.0, 10.0, 8.0, 5.0, 30.0],
    }
)
END = "2025-01-31"

# freq="D":        frequency recency  T   monetary (mean of repeat days' sums)
#   A  days 0, 10, 20 (from Jan 1); end = day 30
#                  2         20      30  (20 + 40)/2 = 30
#   B  day 4;      0          0      26   0
#   C  days 9, 29  1         20      21   50
#   D  day 30      0          0       0   0
#   E  day 19      0          0      11   0
DAILY = pd.DataFrame(
    [[2, 20, 30, 30], [0, 0, 26, 0], [1, 20, 21, 50], [0, 0, 0, 0], [0, 0, 11, 0]],
    index=pd.Index(list("ABCDE"), name="cust"), columns=COLS, dtype=float,
)
# include_first_transaction: every period counts; monetary = mean of all period sums
#   A 3 periods (15 + 20 + 40)/3 = 25; B 1 → 100; C 2 → (40 + 50)/2 = 45; D 1 → 25; E 1 → 8
DAILY_ALL = DAILY.assign(frequency=[3.0, 1, 2, 1, 1], monetary_value=[25.0, 100, 45, 25, 8])
# freq="W" (weeks Monday–Sunday): W0 = Dec 30–Jan 5, W1 = Jan 6–12, W2 = Jan 13–19,
# W3 = Jan 20–26, W4 = Jan 27–Feb 2 (holds the end); Feb 3 is W5 > W4: dropped
#   A  W0 (15), W1 (20), W3 (40)  → frequency 2, recency 3, T 4, monetary (20 + 40)/2 = 30
#   B  W0                         → 0, 0, 4, 0
#   C  W1 (40), W4 (50)           → 1, 3, 3, 50
#   D  W4                         → 0, 0, 0, 0
#   E  W3                         → 0, 0, 1, 0
WEEKLY = pd.DataFrame(
    [[2, 3, 4, 30], [0, 0, 4, 0], [1, 3, 3, 50], [0, 0, 0, 0], [0, 0, 1, 0]],
    index=pd.Index(list("ABCDE"), name="cust"), columns=COLS, dtype=float,
)


def test_daily_ledger_by_hand():
    got = rfm_summary(LEDGER, "cust", "when", "amount", observation_period_end=END)
    pd.testing.assert_frame_equal(got, DAILY)
    assert got.attrs["n_after_end"] == 1 and got.attrs["n_transactions"] == 10
    assert got.attrs["observation_period_end"] == pd.Timestamp(END)


def test_include_first_transaction_by_hand():
    got = rfm_summary(LEDGER, "cust", "when", "amount", END, include_first_transaction=True)
    pd.testing.assert_frame_equal(got, DAILY_ALL)


def test_weekly_by_hand():
    got = rfm_summary(LEDGER, "cust", "when", "amount", END, freq="W")
    pd.testing.assert_frame_equal(got, WEEKLY)


def test_freq_multiplier_divides_recency_and_t():
    got = rfm_summary(LEDGER, "cust", "when", "amount", END, freq="D", freq_multiplier=7)
    pd.testing.assert_frame_equal(got, DAILY.assign(recency=DAILY.recency / 7, T=DAILY["T"] / 7))


def test_hourly_with_multiplier_24():
    # hours from Jan 1 06:00: 0 (06:00 and 06:45 share the hour), 36 (Jan 2 18:00); end 48
    tx = pd.DataFrame({"c": [1, 1, 1], "t": pd.to_datetime(
        ["2025-01-01 06:00", "2025-01-01 06:45", "2025-01-02 18:00"])})
    got = rfm_summary(tx, "c", "t", observation_period_end="2025-01-03 06:30", freq="h", freq_multiplier=24)
    assert got.loc[1].tolist() == [1.0, 1.5, 2.0]


def test_monthly_counts_calendar_months():
    # Jan 31 and Feb 1 are consecutive months; end in April → T = 3 months
    tx = pd.DataFrame({"c": ["x", "x"], "t": ["2025-01-31", "2025-02-01"]})
    got = rfm_summary(tx, "c", "t", observation_period_end="2025-04-15", freq="M")
    assert got.loc["x"].tolist() == [1.0, 1.0, 3.0]


def test_no_monetary_column_gives_three_columns_and_default_end():
    got = rfm_summary(LEDGER, "cust", "when")
    assert list(got.columns) == ["frequency", "recency", "T"]
    # default end = latest transaction (Feb 3), so E keeps both purchases: days 19 and 33
    assert got.loc["E"].tolist() == [1.0, 14.0, 14.0]


def test_integer_ids_keep_their_dtype():
    tx = pd.DataFrame({"id": [3, 1, 1], "d": ["2025-01-02", "2025-01-01", "2025-01-03"]})
    got = rfm_summary(tx, "id", "d")
    assert got.index.dtype == "int64" and got.index.tolist() == [1, 3]


# Published expectations of lifetimes' own test-suite (tests/test_utils.py, lifetimes 0.11.3)
LT_SMALL = pd.DataFrame([[1, "2015-02-01"], [1, "2015-02-06"], [2, "2015-01-01"], [3, "2015-01-01"],
                         [3, "2015-01-02"], [3, "2015-01-05"]], columns=["id", "date"])
LT_LARGE = pd.DataFrame(
    [[1, "2015-01-01", 1], [1, "2015-02-06", 2], [2, "2015-01-01", 2], [3, "2015-01-01", 3],
     [3, "2015-01-02", 1], [3, "2015-01-05", 5], [4, "2015-01-16", 6], [4, "2015-02-02", 3],
     [4, "2015-02-05", 3], [5, "2015-01-16", 3], [5, "2015-01-17", 1], [5, "2015-01-18", 8],
     [6, "2015-02-02", 5]], columns=["id", "date", "monetary_value"])


def test_lifetimes_published_examples():
    got = rfm_summary(LT_SMALL, "id", "date", observation_period_end="2015-02-07")
    exp = pd.DataFrame([[1, 1.0, 5.0, 6.0], [2, 0.0, 0.0, 37.0], [3, 2.0, 4.0, 37.0]],
                       columns=["id", "frequency", "recency", "T"]).set_index("id")
    pd.testing.assert_frame_equal(got, exp)
    got = rfm_summary(LT_LARGE, "id", "date", observation_period_end="20150207", freq="W")
    exp = pd.DataFrame([[1, 1.0, 5.0, 5.0], [2, 0.0, 0.0, 5.0], [3, 1.0, 1.0, 5.0], [4, 1.0, 3.0, 3.0],
                        [5, 0.0, 0.0, 3.0], [6, 0.0, 0.0, 0.0]],
                       columns=["id", "frequency", "recency", "T"]).set_index("id")
    pd.testing.assert_frame_equal(got, exp)
    got = rfm_summary(LT_LARGE, "id", "date", "monetary_value", observation_period_end="20150207")
    exp = pd.DataFrame([[1, 1.0, 36.0, 37.0, 2], [2, 0.0, 0.0, 37.0, 0], [3, 2.0, 4.0, 37.0, 3],
                        [4, 2.0, 20.0, 22.0, 3], [5, 2.0, 2.0, 22.0, 4.5], [6, 0.0, 0.0, 5.0, 0]],
                       columns=["id", "frequency", "recency", "T", "monetary_value"]).set_index("id")
    pd.testing.assert_frame_equal(got, exp.astype(float))


def test_first_purchase_is_the_earliest_whatever_the_row_order():
    # lifetimes issue #85: the first purchase dropped from monetary must be the earliest
    tx = pd.DataFrame({"date": ["2014-04-09", "2014-03-14", "2014-05-21"], "id": [2, 2, 2], "s": [20, 10, 25]})
    assert rfm_summary(tx, "id", "date", "s").loc[2, "monetary_value"] == 22.5


def test_aggregates_layer_and_math_layer():
    agg = rfm_aggregates(LEDGER, "cust", "when", "amount", END)
    assert agg.loc["A"].tolist() == [agg.loc["A", "first_period"], agg.loc["A", "first_period"] + 20, 3, 15.0, 60.0]
    # hand aggregates: first period 0, last 6, 4 periods, first value 10, repeat value 90; end 10
    hand = pd.DataFrame({"first_period": [0], "last_period": [6], "n_periods": [4],
                         "first_value": [10.0], "repeat_value": [90.0]})
    got = rfm_from_aggregates(hand, end_period=10, freq_multiplier=2)
    assert got.iloc[0].tolist() == [3.0, 3.0, 5.0, 30.0]
    got = rfm_from_aggregates(hand, end_period=10, include_first_transaction=True)
    assert got.iloc[0].tolist() == [4.0, 6.0, 10.0, 25.0]


# --------------------------------------------------------------------------------------
# returns and bad input
# --------------------------------------------------------------------------------------

RETURNS = pd.DataFrame({"c": ["a", "a", "a", "b"],
                        "d": ["2025-01-01", "2025-01-05", "2025-01-05", "2025-01-07"],
                        "v": [50.0, 30.0, -10.0, -5.0]}, index=[10, 11, 12, 13])


def test_negative_amounts_raise_by_default_naming_rows():
    with pytest.raises(CXDataError, match=r"column 'v': negative amounts.*index 12 \(-10.0\), index 13 \(-5.0\)"):
        rfm_summary(RETURNS, "c", "d", "v")


def test_returns_net_keeps_them_within_their_period():
    got = rfm_summary(RETURNS, "c", "d", "v", returns="net")
    # a: Jan 5 nets to 30 − 10 = 20; b: its only row is a return (a period of −5)
    assert got.loc["a"].tolist() == [1.0, 4.0, 6.0, 20.0]
    assert got.loc["b"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert got.attrs["n_returns"] == 2 and got.attrs["returns"] == "net"


def test_returns_exclude_drops_and_counts_them():
    got = rfm_summary(RETURNS, "c", "d", "v", returns="exclude")
    # as if the two returns were not there: end = Jan 5
    assert got.index.tolist() == ["a"] and got.loc["a"].tolist() == [1.0, 4.0, 4.0, 30.0]
    assert got.attrs["n_returns"] == 2 and got.attrs["n_transactions"] == 2


def test_bad_returns_mode():
    with pytest.raises(ValueError, match="returns must be one of"):
        rfm_summary(RETURNS, "c", "d", "v", returns="ignore")


def test_missing_customer_id_names_rows():
    tx = pd.DataFrame({"c": ["a", None, "b"], "d": ["2025-01-01"] * 3})
    with pytest.raises(CXDataError, match=r"column 'c': missing customer ids — 1 index: index 1"):
        rfm_summary(tx, "c", "d")


def test_unparseable_dates_name_rows_and_values():
    tx = pd.DataFrame({"c": ["a", "b", "c"], "d": ["2025-01-01", "soon", "2025-02-30"]})
    with pytest.raises(CXDataError, match=r"column 'd': values that are not dates — 2 indexes: index 1 \('soon'\), index 2 \('2025-02-30'\)"):
        rfm_summary(tx, "c", "d")


def test_missing_dates_name_rows():
    tx = pd.DataFrame({"c": ["a", "b"], "d": pd.to_datetime(["2025-01-01", None])})
    with pytest.raises(CXDataError, match=r"column 'd': missing dates — 1 index: index 1"):
        rfm_summary(tx, "c", "d")


def test_numeric_dates_need_a_format():
    tx = pd.DataFrame({"c": ["a", "a"], "d": [19970101, 19970118]})
    with pytest.raises(CXDataError, match="numbers are not dates.*datetime_format='%Y%m%d'"):
        rfm_summary(tx, "c", "d")
    got = rfm_summary(tx, "c", "d", datetime_format="%Y%m%d")
    assert got.loc["a"].tolist() == [1.0, 17.0, 17.0]


def test_mixed_iso_dates_and_datetimes_parse():
    tx = pd.DataFrame({"c": ["a", "a"], "d": ["2025-01-01 10:00", "2025-01-03"]})
    assert rfm_summary(tx, "c", "d").loc["a"].tolist() == [1.0, 2.0, 2.0]


def test_bad_amounts_name_rows():
    tx = pd.DataFrame({"c": ["a", "b", "c"], "d": ["2025-01-01"] * 3, "v": ["5", "five", None]})
    with pytest.raises(CXDataError, match=r"column 'v': non-numeric amounts — 1 index: index 1 \('five'\)"):
        rfm_summary(tx, "c", "d", "v")
    tx["v"] = [5.0, np.nan, 1.0]
    with pytest.raises(CXDataError, match=r"column 'v': missing amounts — 1 index: index 1"):
        rfm_summary(tx, "c", "d", "v")


def test_observation_end_before_the_data():
    with pytest.raises(CXDataError, match="observation_period_end 2024-12-01.*before the first transaction"):
        rfm_summary(LEDGER, "cust", "when", observation_period_end="2024-12-01")


def test_missing_column_and_empty_table():
    with pytest.raises(CXDataError, match=r"missing column\(s\) 'amt'"):
        rfm_summary(LEDGER, "cust", "when", "amt")
    with pytest.raises(CXDataError, match="no rows"):
        rfm_summary(LEDGER.iloc[:0], "cust", "when")


def test_bad_freq_and_multiplier():
    with pytest.raises(ValueError, match="multiples of a period are not supported.*freq_multiplier=2"):
        rfm_summary(LEDGER, "cust", "when", freq="2D")
    with pytest.raises(ValueError, match="not a pandas period frequency"):
        rfm_summary(LEDGER, "cust", "when", freq="fortnight")
    with pytest.raises(ValueError, match="freq_multiplier must be a positive number"):
        rfm_summary(LEDGER, "cust", "when", freq_multiplier=0)


# --------------------------------------------------------------------------------------
# property tests: invariants, row order, a naive reference, pandas periods
# --------------------------------------------------------------------------------------

def _naive(tx: pd.DataFrame, end: pd.Timestamp, freq: str) -> pd.DataFrame:
    """Straight reading of the definition with pandas Periods, one customer at a time."""
    end_p = pd.Period(end, freq=freq)
    rows = {}
    for cust, g in tx.groupby("c"):
        periods = {}
        for when, v in zip(g["t"], g["v"], strict=True):
            p = pd.Period(when, freq=freq)
            if p <= end_p:
                periods[p] = periods.get(p, 0.0) + v
        if not periods:
            continue
        ps = sorted(periods)
        repeat = [periods[p] for p in ps[1:]]
        rows[cust] = [len(ps) - 1, (ps[-1] - ps[0]).n, (end_p - ps[0]).n,
                      float(np.mean(repeat)) if repeat else 0.0]
    return pd.DataFrame.from_dict(rows, orient="index", columns=COLS, dtype=float).rename_axis("c")


ledgers = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 24 * 120), st.floats(0, 500, allow_nan=False)),
    min_size=1, max_size=40,
)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "c": [f"c{c}" for c, _, _ in rows],
        "t": pd.Timestamp("2024-12-25") + pd.to_timedelta([h for _, h, _ in rows], unit="h"),
        "v": [v for _, _, v in rows],
    })


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers, st.sampled_from(["D", "W", "M", "h"]), st.integers(0, 24 * 130), st.randoms(use_true_random=False))
def test_properties_against_naive_reference(rows, freq, end_h, rnd):
    tx = _frame(rows)
    end = pd.Timestamp("2024-12-25") + pd.Timedelta(hours=end_h)
    if pd.Period(end, freq=freq) < pd.Period(tx["t"].min(), freq=freq):
        with pytest.raises(CXDataError):
            rfm_summary(tx, "c", "t", "v", end, freq=freq)
        return
    got = rfm_summary(tx, "c", "t", "v", end, freq=freq)
    pd.testing.assert_frame_equal(got, _naive(tx, end, freq), check_exact=False, rtol=1e-9, atol=1e-9)
    # invariants
    distinct = tx[tx["t"].dt.to_period(freq) <= pd.Period(end, freq=freq)].assign(
        p=lambda d: d["t"].dt.to_period(freq)).groupby("c")["p"].nunique()
    assert (got["frequency"] <= distinct.reindex(got.index) - 1).all()
    assert (got["recency"] <= got["T"]).all() and (got["recency"] >= 0).all()
    assert (got["monetary_value"] >= 0).all()
    # row order does not matter
    order = list(range(len(tx)))
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(rfm_summary(tx.iloc[order], "c", "t", "v", end, freq=freq), got)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=30),
       st.sampled_from(["D", "W", "M", "Q", "Y", "h", "min", "s", "W-WED", "Q-NOV"]))
def test_period_numbers_match_pandas_periods(minutes, freq):
    dt = (pd.Timestamp("2020-06-15") + pd.to_timedelta(np.array(minutes) * 37, unit="min")).to_numpy()
    ours = value._period_ordinals(dt, value._canonical_freq(freq))
    ref = pd.DatetimeIndex(dt).to_period(freq).asi8
    assert np.array_equal(ours - ours[0], ref - ref[0])
    for o, r in zip(ours, ref, strict=True):
        assert value._period_start(o, value._canonical_freq(freq)) == pd.PeriodIndex.from_ordinals([r], freq=freq)[0].to_timestamp()


@pytest.mark.parametrize("freq, returns, end", [
    ("D", "net", None), ("W", "exclude", None), ("M", "net", "2024-09-30"), ("h", "exclude", "2024-12-31"),
    ("D", "net", "2024-03-01"),
])
def test_whole_number_ids_in_pandas_give_the_engine_query_result(freq, returns, end):
    # pandas tables with integer customer ids are summed in numpy; the same rows on DuckDB run
    # the engine query: both must give the same table
    import duckdb

    rng = np.random.default_rng(11)
    n = 3000
    tx = pd.DataFrame({
        "cust": rng.choice(np.r_[rng.integers(0, 400, 50), 10**9 + rng.integers(0, 3, 5)], n),  # sparse ids too
        "t": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min"),
        "amount": np.round(rng.gamma(2.0, 30.0, n), 2) * np.where(rng.random(n) < 0.05, -1, 1),
    })
    from cxlib.aggregate.behaviour import _in_memory_rfm

    assert _in_memory_rfm(tx, "cust", "t")
    ours = value.rfm_summary(tx, "cust", "t", "amount", freq=freq, returns=returns, observation_period_end=end)
    engine = value.rfm_summary(duckdb.connect().from_df(tx), "cust", "t", "amount", freq=freq, returns=returns,
                               observation_period_end=end)
    pd.testing.assert_frame_equal(ours, engine, check_exact=False, rtol=1e-12)
    for k in ("n_transactions", "n_after_end", "n_returns"):
        assert ours.attrs[k] == engine.attrs[k], k


def test_wide_period_ranges_keep_exact_periods():
    # seconds over 40 years: customer and period no longer pack into 32 bits (int64 keys)
    tx = pd.DataFrame({"c": [5, 1, 5, 1, 5], "v": [1.0, 2, 3, 4, 5],
                       "t": pd.to_datetime(["1990-01-01 00:00:00", "2030-01-01 00:00:00", "2030-01-01 00:00:01",
                                            "1990-06-01 00:00:00", "1990-01-01 00:00:00"])})
    expected = rfm_summary(tx, "c", "t", "v", freq="D")
    wide = rfm_summary(tx, "c", "t", "v", freq="s")
    assert wide.loc[5, "frequency"] == 1 and wide.loc[5, "monetary_value"] == 3.0
    assert wide["recency"].tolist() == [(pd.Timestamp("2030-01-01") - pd.Timestamp("1990-06-01")).total_seconds(),
                                        (pd.Timestamp("2030-01-01 00:00:01") - pd.Timestamp("1990-01-01")).total_seconds()]
    assert expected.loc[5, "recency"] == (pd.Timestamp("2030-01-01") - pd.Timestamp("1990-01-01")).days


# --------------------------------------------------------------------------------------
# comparison with lifetimes itself, when it is installed (not a project dependency)
# --------------------------------------------------------------------------------------

def _cdnow():
    lifetimes = pytest.importorskip("lifetimes")
    path = resources.files(lifetimes) / "datasets" / "CDNOW_sample.txt"
    df = pd.read_csv(str(path), sep=r"\s+", header=None, names=["_id", "id", "date", "cds", "spent"])
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


def test_cdnow_statistics_of_fader_hardie_lee_2005():
    # Fader, Hardie & Lee (2005) and lifetimes' test: CDNOW sample, calibration before 1997-10-01:
    # 946 repeat buyers, average repeat spend: mean 35, sd 30, min 3, median 27, max 300
    df = _cdnow()
    s = rfm_summary(df[df["date"] < "1997-10-01"], "id", "date", "spent")
    d = s.loc[s["frequency"] > 0, "monetary_value"].describe()
    assert [round(d[k]) for k in ["count", "mean", "std", "min", "50%", "max"]] == [946, 35, 30, 3, 27, 300]


@pytest.mark.parametrize("kw", [
    {},
    {"monetary_value_col": "spent"},
    {"monetary_value_col": "spent", "include_first_transaction": True},
    {"freq": "W", "monetary_value_col": "spent", "observation_period_end": "1997-09-30"},
    {"freq": "D", "freq_multiplier": 7, "monetary_value_col": "spent"},
    {"freq": "h", "freq_multiplier": 24, "observation_period_end": "1998-01-15"},
])
def test_identical_to_lifetimes_on_cdnow(kw):
    df = _cdnow()
    from lifetimes.utils import summary_data_from_transaction_data

    ours = rfm_summary(df, "id", "date", **kw)
    theirs = summary_data_from_transaction_data(df, "id", "date", **kw)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(ledgers, st.sampled_from(["D", "W", "h"]), st.booleans())
def test_identical_to_lifetimes_on_random_ledgers(rows, freq, first):
    lt = pytest.importorskip("lifetimes.utils")
    tx = _frame(rows)
    ours = rfm_summary(tx, "c", "t", "v", freq=freq, include_first_transaction=first)
    theirs = lt.summary_data_from_transaction_data(tx, "c", "t", "v", freq=freq, include_first_transaction=first)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-9, check_index_type=False)


# --------------------------------------------------------------------------------------
# RFM scores
# --------------------------------------------------------------------------------------

def test_rfm_scores_quintiles_by_hand():
    # ten customers, all values distinct: two per quintile; R on T − recency (small = recent = 5)
    s = pd.DataFrame({"frequency": np.arange(10.0), "recency": np.arange(10.0) * 10,
                      "T": np.full(10, 100.0), "monetary_value": np.arange(10.0)[::-1]})
    got = rfm_scores(s)
    assert got["F"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got["R"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # last bought most recently
    assert got["M"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert got["RFM"].tolist()[0] == "115" and got["segment"].tolist()[-1] == "champions"
    assert got["segment"].tolist()[:2] == ["lost", "lost"]


def test_rfm_scores_ties_share_the_lower_score():
    # six one-time buyers (F = 0) and four repeaters: ties get 1 + ⌊5 · (strictly worse)/n⌋
    s = pd.DataFrame({"frequency": [0, 0, 0, 0, 0, 0, 1, 1, 3, 7.0], "recency": 0.0, "T": 10.0})
    got = rfm_scores(s)
    # F: zeros → nobody worse → 1; ones → 6/10 worse → 1 + 3 = 4; 3 → 8/10 → 5; 7 → 9/10 → 5
    assert got["F"].tolist() == [1] * 6 + [4, 4, 5, 5]
    # R: all tied → 1 for everybody
    assert set(got["R"]) == {1}
    assert "M" not in got and got["RFM"].iloc[0] == "11"


def test_rfm_scores_row_order_and_labels():
    s = pd.DataFrame({"frequency": [3, 0, 2, 2, 5.0], "recency": [40, 0, 30, 5, 50.0], "T": 60.0},
                     index=list("abcde"))
    a = rfm_scores(s)
    b = rfm_scores(s.iloc[[4, 2, 0, 3, 1]])
    pd.testing.assert_frame_equal(a, b.loc[a.index])
    zh = rfm_scores(s, lang="zh")
    assert (zh["segment"] == a["segment"]).all() and (zh["segment_name"] != a["segment_name"]).all()


def test_segment_grid_covers_each_cell_once():
    cells = [(r, f) for rs, fs in value.RFM_SEGMENTS.values() for r in rs for f in fs]
    assert sorted(cells) == [(r, f) for r in range(1, 6) for f in range(1, 6)]


def test_rfm_scores_bad_input():
    with pytest.raises(ValueError, match="bins must be an integer ≥ 2"):
        rfm_scores(DAILY, bins=1)
    bad = DAILY.copy()
    bad.loc["B", "T"] = np.nan
    with pytest.raises(CXDataError, match=r"column 'T': missing or non-numeric values — 1 index: index B"):
        rfm_scores(bad)


# --------------------------------------------------------------------------------------
# CLV, repeat rate, churn rate
# --------------------------------------------------------------------------------------

def test_clv_by_hand():
    assert clv(100, 0.8, 0.1) == pytest.approx(100 * 0.8 / 0.3)   # 266.67
    assert clv(50, 0.0, 0.1) == 0.0
    assert clv(10, 1.0, 0.25) == pytest.approx(40.0)               # 10 · 1/0.25
    got = clv(pd.Series([100.0, 200.0], index=["x", "y"]), 0.5, 0.0)
    assert got.tolist() == [100.0, 200.0] and got.index.tolist() == ["x", "y"]


def test_clv_validation():
    with pytest.raises(ValueError, match="retention must be between 0 and 1"):
        clv(100, 1.2, 0.1)
    with pytest.raises(ValueError, match="discount must be ≥ 0"):
        clv(100, 0.5, -0.1)
    with pytest.raises(ValueError, match="infinite CLV"):
        clv(100, 1.0, 0.0)
    with pytest.raises(ValueError, match="margin: missing or infinite"):
        clv([100, np.nan], 0.5, 0.1)


def test_repeat_and_churn_rates_by_hand():
    r = repeat_rate(LEDGER, "cust", "when", observation_period_end=END)
    assert (r.count, r.n, r.rate) == (2, 5, 0.4)  # A and C bought again
    assert 0 < r.ci_low < 0.4 < r.ci_high < 1
    # window 20 days, end Jan 31: eligible T ≥ 20 → A (30), B (26), C (21);
    # days since last purchase: A 10, B 26, C 1 → only B churned
    c = churn_rate(LEDGER, "cust", "when", window_days=20, observation_period_end=END)
    assert (c.count, c.n) == (1, 3)
    with pytest.raises(ValueError, match="window_days"):
        churn_rate(LEDGER, "cust", "when", window_days=0)


# --------------------------------------------------------------------------------------
# cohorts
# --------------------------------------------------------------------------------------

COHORT_TX = pd.DataFrame({
    "u": ["a", "a", "a", "b", "b", "c", "d", "d"],
    "t": ["2025-01-05", "2025-02-10", "2025-03-01", "2025-01-20", "2025-03-15", "2025-02-02",
          "2025-02-03", "2025-03-30"],
})


def test_cohort_retention_by_hand():
    # January cohort {a, b}: Feb a → 1/2, Mar a, b → 2/2; February cohort {c, d}: Mar d → 1/2
    got = cohort_retention(COHORT_TX, "u", "t")
    assert [str(p) for p in got.index] == ["2025-01", "2025-02"]
    np.testing.assert_array_equal(got.to_numpy(), [[1.0, 0.5, 1.0], [1.0, 0.5, np.nan]])
    assert got.attrs["cohort_size"].tolist() == [2, 2]
    counts = cohort_retention(COHORT_TX, "u", "t", kind="count")
    np.testing.assert_array_equal(counts.to_numpy(), [[2, 1, 2], [2, 1, np.nan]])


def test_cohort_plots_return_axes_in_both_languages():
    mat = cohort_retention(COHORT_TX, "u", "t")
    for lang in ("en", "zh"):
        plots.use_theme(lang)
        fig, (a1, a2) = plt.subplots(1, 2)
        assert value.plot_cohort_heatmap(mat, ax=a1, lang=lang) is a1
        assert value.plot_retention_curves(mat, ax=a2, lang=lang) is a2
        assert a1.get_title() and a2.get_ylabel()
        plt.close(fig)
    assert value.plot_cohort_heatmap(mat, lang="zh").get_title() == "同期群留存"
    plt.close("all")


# --------------------------------------------------------------------------------------
# ABC customer value
# --------------------------------------------------------------------------------------

def test_assign_stage_rule():
    s = pd.DataFrame({"frequency": [0, 1, 6, 6, 0], "recency": [0, 150, 290, 100, 10],
                      "T": [30, 200, 300, 300, 89]})
    # inactive = T − recency: 30, 50, 10, 200, 79
    assert assign_stage(s).tolist() == ["new", "growing", "loyal", "at_risk", "new"]
    assert assign_stage(s, new_max_tenure=20).tolist() == ["growing", "growing", "loyal", "at_risk", "growing"]


ABC = pd.DataFrame({"nps": [10, 6, 8, 9, 3], "orders": [1, 5, 3, 8, 2],
                    "days_since": [5, 40, 10, 1, 200], "spend": [50, 400, 120, 900, 60],
                    "stage": ["new", "loyal", "growing", "loyal", "at_risk"]}, index=list("vwxyz"))


def test_abc_scores_by_hand():
    got = abc_scores(ABC, ["nps"], ["orders"], ["spend"])
    # percentile ranks 100·(rank − 1)/4: nps 100, 25, 50, 75, 0; orders and spend 0, 75, 50, 100, 25
    assert got["attitude"].tolist() == [100, 25, 50, 75, 0]
    # v new .5·100 + .3·0 + .2·0 = 50; w loyal .2·25 + .3·75 + .5·75 = 65; x growing 50;
    # y loyal .2·75 + .3·100 + .5·100 = 95; z at_risk .4·0 + .4·25 + .2·25 = 15
    assert got["value_score"].round(9).tolist() == [50, 65, 50, 95, 15]
    assert got["tier"].tolist() == ["B", "B", "B", "A", "C"]  # v and x tie at 50 → same tier
    assert got["tier_name"].iloc[3] == "Tier A (top value)"


def test_abc_minmax_lower_is_better_and_weights():
    w = {s: {"attitude": 0.0, "behavior": 1.0, "consumption": 0.0} for s in value.STAGES}
    got = abc_scores(ABC, ["nps"], ["days_since"], ["spend"], weights=w, normalize="minmax",
                     lower_is_better=["days_since"], lang="zh")
    # days since: min 1, max 200 → 100 − 100·(x − 1)/199
    exp = 100 - 100 * (ABC["days_since"] - 1) / 199
    np.testing.assert_allclose(got["behavior"], exp)
    np.testing.assert_allclose(got["value_score"], exp)
    assert got["tier_name"].iloc[3].startswith("A 类")


def test_abc_bad_input():
    with pytest.raises(ValueError, match=r"weights\['new'\] must sum to 1, got 0.9"):
        abc_scores(ABC, ["nps"], ["orders"], ["spend"],
                   weights={**value.DEFAULT_STAGE_WEIGHTS, "new": {"attitude": .5, "behavior": .2, "consumption": .2}})
    bad = ABC.assign(stage=["new", "vip", "growing", "loyal", None])
    with pytest.raises(CXDataError, match=r"column 'stage': unknown or missing stages — 2 indexes: index w \('vip'\), index z \(nan\)"):
        abc_scores(bad, ["nps"], ["orders"], ["spend"])
    bad = ABC.assign(nps=[10, None, 8, 9, 3])
    with pytest.raises(CXDataError, match=r"column 'nps': missing, infinite or non-numeric values — 1 index: index w"):
        abc_scores(bad, ["nps"], ["orders"], ["spend"])
    with pytest.raises(ValueError, match="consumption: give at least one metric"):
        abc_scores(ABC, ["nps"], ["orders"], [])


def test_plot_abc_tiers():
    plots.use_theme("zh")
    got = abc_scores(ABC, ["nps"], ["orders"], ["spend"])
    fig, ax = plt.subplots()
    assert value.plot_abc_tiers(value.abc_tier_summary(got), ax=ax, lang="zh") is ax
    assert ax.get_title().startswith("ABC")
    plt.close(fig)


def test_end_to_end_on_sample_orders():
    from cxlib import datasets

    orders = datasets.load("ecommerce", "orders")
    s = rfm_summary(orders, "customer_id", "order_time", "amount", include_first_transaction=True)
    assert len(s) == orders["customer_id"].nunique()
    sc = rfm_scores(s)
    assert set(sc["segment"]) <= set(value.RFM_SEGMENTS)
    stage = assign_stage(rfm_summary(orders, "customer_id", "order_time"))
    assert set(stage.astype(str)) <= set(value.STAGES)
    assert math.isfinite(repeat_rate(orders, "customer_id", "order_time").rate)


def test_outcomes_after_survey_hand_worked_window_and_censoring():
    from cxlib.value import outcomes_after_survey

    survey = pd.DataFrame({
        "cid": ["a", "a", "b", "c", "d"],
        "survey_date": pd.to_datetime(["2026-01-01", "2026-01-20", "2026-01-10", "2026-03-25", "2026-01-02"]),
        "nps": [10, 2, 4, 9, np.nan],
    })
    tx = pd.DataFrame({
        "cid": ["a", "a", "a", "a", "b", "c"],
        "t": pd.to_datetime(["2026-01-01 15:00", "2026-01-02 08:00", "2026-01-31 10:00", "2026-02-15 10:00",
                             "2026-03-31 10:00", "2026-03-30 10:00"]),
        "amount": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
    })
    # a: first answered survey 2026-01-01 (the later one is ignored); day 0 does not count,
    #    days 1 and 30 are inside a 30-day window, day 45 is outside → 2 orders, 6.0
    # b: survey 2026-01-10, its only order on day 80 → outside the window → 0 orders
    # c: surveyed 2026-03-25, the data end 2026-03-31 (6 days later) → no whole window: censored
    # d: no answer → counted as unanswered
    out = outcomes_after_survey(survey, tx, "cid", "t", "amount", window_days=30).set_index("cid")
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "n_after"] == 2 and out.loc["a", "value_after"] == 6.0 and out.loc["a", "repeated"]
    assert out.loc["b", "n_after"] == 0 and not out.loc["b", "repeated"]
    assert out.loc["a", "nps"] == 10
    assert out.attrs["n_censored"] == 1 and out.attrs["n_unanswered"] == 1
    # no window: every later day counts, nobody is censored
    open_ended = outcomes_after_survey(survey, tx, "cid", "t", "amount").set_index("cid")
    assert open_ended.loc["a", "n_after"] == 3 and open_ended.loc["b", "n_after"] == 1
    assert open_ended.loc["c", "n_after"] == 1 and open_ended.attrs["n_censored"] == 0
    with pytest.raises(ValueError, match="window_days"):
        outcomes_after_survey(survey, tx, "cid", "t", "amount", window_days=0)
    with pytest.raises(CXDataError, match="missing column"):
        outcomes_after_survey(survey.drop(columns="nps"), tx, "cid", "t", "amount")
