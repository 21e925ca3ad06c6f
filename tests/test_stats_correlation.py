"""Williams' test of two dependent correlations against psych::r.test and a simulation."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cxlib.stats.correlation import dependent_correlations_test


def test_psych_r_test_example():
    # psych::r.test(n = 103, r12 = .4, r13 = .5, r23 = .1): t = -0.89, p = 0.37
    r = dependent_correlations_test(0.4, 0.5, 0.1, 103)
    assert r["t"] == pytest.approx(-0.8913, abs=5e-4)
    assert r["p_value"] == pytest.approx(0.375, abs=0.005)
    assert r["dof"] == 100


@given(r12=st.floats(-0.6, 0.6), r13=st.floats(-0.6, 0.6), r23=st.floats(-0.3, 0.6), n=st.integers(10, 5000))
def test_swapping_the_predictors_flips_the_sign(r12, r13, r23, n):
    # Only correlations three variables can have: a positive-definite matrix.
    assume(1 - r12**2 - r13**2 - r23**2 + 2 * r12 * r13 * r23 > 1e-9)
    a = dependent_correlations_test(r12, r13, r23, n)
    b = dependent_correlations_test(r13, r12, r23, n)
    assert a["t"] == pytest.approx(-b["t"], abs=1e-12)
    assert a["p_value"] == pytest.approx(b["p_value"], abs=1e-12)


def test_holds_its_level_under_the_null():
    rng = np.random.default_rng(5)
    n, hits = 60, 0
    cov = np.array([[1, 0.3, 0.3], [0.3, 1, 0.5], [0.3, 0.5, 1]])
    for _ in range(1000):
        x = rng.multivariate_normal(np.zeros(3), cov, size=n)
        c = np.corrcoef(x, rowvar=False)
        hits += dependent_correlations_test(c[0, 1], c[0, 2], c[1, 2], n)["p_value"] < 0.05
    assert 0.03 < hits / 1000 < 0.07


@pytest.mark.parametrize(
    "args", [(1.5, 0.1, 0.1, 50), (0.1, 0.1, 0.1, 3), (0.99, -0.99, 0.99, 50), (0.5, -0.5, 0.5, 10), (0.35, 0.25, -0.99, 1000)]
)
def test_rejects_impossible_input(args):
    with pytest.raises(ValueError):
        dependent_correlations_test(*args)
