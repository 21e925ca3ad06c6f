"""Proportions math layer: published values, statsmodels agreement, properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlib.stats.proportions import (
    cohens_h,
    critical_z,
    newcombe_interval,
    proportion_se,
    two_proportion_ztest,
    wilson_interval,
)


def test_wilson_published_newcombe_1998a():
    # Newcombe (1998a) Table II: 81/263 -> 0.2553 to 0.3662; 0/10 -> 0 to 0.2775
    assert np.round(wilson_interval(81, 263), 4).tolist() == [0.2553, 0.3662]
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775


def test_newcombe_published_1998b():
    # Newcombe (1998b) Table II, method 10: example (a) 56/70 − 48/80 → 0.0524, 0.3339;
    # example (b) 9/10 − 3/10 → 0.1705, 0.8090
    assert np.round(newcombe_interval(56, 70, 48, 80), 4).tolist() == [0.0524, 0.3339]
    assert np.round(newcombe_interval(9, 10, 3, 10), 4).tolist() == [0.1705, 0.8090]


def test_newcombe_matches_statsmodels_vectorised():
    from statsmodels.stats.proportion import confint_proportions_2indep

    x1, n1 = np.array([3, 40, 0, 17]), np.array([10, 90, 12, 17])
    x2, n2 = np.array([5, 20, 4, 2]), np.array([8, 100, 30, 9])
    low, high = newcombe_interval(x1, n1, x2, n2)
    for i in range(4):
        lo, hi = confint_proportions_2indep(x1[i], n1[i], x2[i], n2[i], method="newcomb")
        assert low[i] == pytest.approx(lo, rel=1e-12, abs=1e-14)
        assert high[i] == pytest.approx(hi, rel=1e-12, abs=1e-14)


def test_newcombe_empty_group_is_nan():
    low, high = newcombe_interval(np.array([1, 2]), np.array([0, 5]), np.array([1, 1]), np.array([4, 4]))
    assert np.isnan(low[0]) and np.isnan(high[0]) and np.isfinite(low[1])


def test_ztest_matches_statsmodels_and_chi2():
    from scipy.stats import chi2_contingency
    from statsmodels.stats.proportion import proportions_ztest

    z, p = two_proportion_ztest(56, 70, 48, 80)
    zs, ps = proportions_ztest([56, 48], [70, 80])
    assert z == pytest.approx(zs, rel=1e-12) and p == pytest.approx(ps, rel=1e-12)
    chi2 = chi2_contingency([[56, 14], [48, 32]], correction=False)[0]
    assert z * z == pytest.approx(chi2, rel=1e-12)


def test_ztest_undefined_when_all_answers_equal():
    z, p = two_proportion_ztest(np.array([0, 10]), np.array([10, 10]), np.array([0, 10]), np.array([5, 10]))
    assert np.isnan(z).all() and np.isnan(p).all()


def test_cohens_h_hand_worked():
    # 2·asin(√0.5) − 2·asin(√0.25) = π/2 − π/3 = π/6
    assert cohens_h(0.5, 0.25) == pytest.approx(np.pi / 6, rel=1e-14)


def test_proportion_se_and_z():
    assert proportion_se(25, 100) == pytest.approx(np.sqrt(0.25 * 0.75 / 100), rel=1e-15)
    assert critical_z(0.95) == pytest.approx(1.959963984540054, rel=1e-15)
    with pytest.raises(ValueError, match="conf"):
        critical_z(95)


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(11, 10)


@given(st.integers(0, 500), st.integers(1, 500), st.floats(0.5, 0.999))
def test_wilson_contains_estimate_and_stays_in_unit_interval(x, n, conf):
    x = min(x, n)
    low, high = wilson_interval(x, n, conf)
    assert 0.0 <= low <= x / n + 1e-12 and x / n - 1e-12 <= high <= 1.0


@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60))
def test_newcombe_contains_difference(x1, n1, x2, n2):
    x1, x2 = min(x1, n1), min(x2, n2)
    low, high = newcombe_interval(x1, n1, x2, n2)
    d = x1 / n1 - x2 / n2
    assert -1 - 1e-12 <= low <= d + 1e-12 and d - 1e-12 <= high <= 1 + 1e-12
