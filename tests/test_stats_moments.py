"""Moments math layer: hand-worked values, scipy agreement, weights, properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxlib.stats.moments import (
    kish_n,
    mean_sd_from_counts,
    mean_sd_from_moments,
    t_interval,
    weighted_mean_sd,
    weighted_mean_se_linearized,
    welch_test,
)


def test_mean_sd_hand_worked():
    # 1, 2, 3, 4: mean 2.5, ss = 5, sd = √(5/3)
    assert mean_sd_from_moments(4, 10, 30) == (2.5, pytest.approx(np.sqrt(5 / 3), rel=1e-15))
    n, m, s = mean_sd_from_counts([1, 1, 1, 1], [1, 2, 3, 4])
    assert (float(n), float(m)) == (4.0, 2.5) and float(s) == pytest.approx(np.sqrt(5 / 3), rel=1e-15)


def test_one_answer_has_no_spread_and_no_interval():
    m, s = mean_sd_from_moments(1, 5, 25)
    assert m == 5.0 and np.isnan(s)
    se, lo, hi = t_interval(m, s, 1)
    assert np.isnan(se) and np.isnan(lo) and np.isnan(hi)


def test_t_interval_matches_scipy():
    x = np.array([3.0, 5, 4, 6, 7, 2, 5])
    se, lo, hi = t_interval(x.mean(), x.std(ddof=1), x.size, 0.9)
    ref = stats.t.interval(0.9, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert (lo, hi) == pytest.approx(ref, rel=1e-14)


def test_welch_matches_scipy():
    r = welch_test(5.0, 1.0, 10, 4.0, 2.0, 12)
    ref = stats.ttest_ind_from_stats(5.0, 1.0, 10, 4.0, 2.0, 12, equal_var=False)
    assert float(r["t"]) == pytest.approx(ref.statistic, rel=1e-13)
    assert float(r["p_value"]) == pytest.approx(ref.pvalue, rel=1e-12)


def test_welch_zero_variance_is_undefined_not_certain():
    r = welch_test(5.0, 0.0, 10, 4.0, 0.0, 12)
    assert np.isnan(r["t"]) and np.isnan(r["p_value"])


def test_weighted_hand_worked():
    # x = 1, 2, 3; w = 1, 1, 2
    m, s, ne = weighted_mean_sd(4, 9, 23, 6)
    assert m == 2.25 and ne == pytest.approx(8 / 3, rel=1e-15)
    assert s == pytest.approx(np.sqrt(1.1), rel=1e-14)
    assert kish_n(4, 6) == pytest.approx(8 / 3, rel=1e-15)
    se = weighted_mean_se_linearized(3, 4, 9, 6, 15, 41)
    assert se == pytest.approx(np.sqrt(1.5 * 3.875 / 16), rel=1e-14)


@given(st.lists(st.integers(1, 7), min_size=2, max_size=60))
def test_unit_weights_equal_unweighted(xs):
    x = np.array(xs, dtype=float)
    m0, s0 = mean_sd_from_moments(x.size, x.sum(), (x * x).sum())
    m1, s1, ne = weighted_mean_sd(x.size, x.sum(), (x * x).sum(), x.size)
    assert ne == x.size and m1 == pytest.approx(m0, rel=1e-14)
    assert s1 == pytest.approx(s0, rel=1e-9, abs=1e-12)
    assert s0 == pytest.approx(x.std(ddof=1), rel=1e-9, abs=1e-12)


@given(st.lists(st.floats(-100, 100), min_size=2, max_size=40), st.floats(0.5, 0.99))
def test_t_interval_contains_mean(xs, conf):
    x = np.array(xs)
    m, s = mean_sd_from_moments(x.size, x.sum(), (x * x).sum())
    se, lo, hi = t_interval(m, s, x.size, conf)
    assert lo <= m <= hi
