"""Net scores from counts: hand-worked values, Rocks' adjusted Wald, tests, weights, properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import metrics
from cxlib.errors import DegenerateSampleWarning
from cxlib.stats.netscore import (
    net_score,
    net_score_adjusted_wald,
    net_score_bootstrap,
    net_score_degenerate,
    net_score_sample_size,
    net_score_test,
)

Z95 = 1.959963984540054


def test_net_score_hand_worked():
    # 3 promoters, 1 passive, 2 detractors: p+ = .5, p- = 1/3, Var = (5/6 − 1/36)/6
    v, se, lo, hi = net_score(3, 2, 6)
    assert v == pytest.approx(100 / 6, rel=1e-14)
    assert se == pytest.approx(100 * math.sqrt((5 / 6 - 1 / 36) / 6), rel=1e-14)
    assert (lo, hi) == pytest.approx((v - Z95 * se, v + Z95 * se), rel=1e-14)


def test_weighted_net_score_uses_kish_n_hand_worked():
    # scores 10, 9, 5, 7 with weights 2, 1, 1, 0.5: Σw = 4.5, promoters 3, detractors 1,
    # n_eff = 4.5²/(4 + 1 + 1 + 0.25) = 3.24
    r = metrics.nps([10, 9, 5, 7], weights=[2, 1, 1, 0.5])
    pp, pm = 3 / 4.5, 1 / 4.5
    assert r.nps == pytest.approx(100 * (pp - pm), rel=1e-14)
    assert r.n == 4 and r.n_eff == pytest.approx(3.24, rel=1e-14)
    assert r.se == pytest.approx(100 * math.sqrt((pp + pm - (pp - pm) ** 2) / 3.24), rel=1e-14)


def test_adjusted_wald_hand_worked_and_never_a_point():
    # nps([10]): n' = 4, p̃+ = 1.75/4, p̃- = 0.75/4: centre 25, SE = 100·√((0.625 − 0.0625)/4) = 37.5
    c, se, lo, hi = net_score_adjusted_wald(1, 0, 1)
    assert (c, se) == (25.0, 37.5)
    assert (lo, hi) == pytest.approx((25 - Z95 * 37.5, 25 + Z95 * 37.5), rel=1e-14)
    # fifty answers of 9: Wald collapses at 100, the adjusted interval does not
    assert net_score(50, 0, 50)[2:] == (100.0, 100.0)
    lo, hi = net_score_adjusted_wald(50, 0, 50)[2:]
    assert lo < 100 and hi <= 100 and hi - lo > 5


def test_degenerate_inputs_are_flagged_with_a_warning():
    for scores in ([10], [9] * 50, [2, 3]):
        with pytest.warns(DegenerateSampleWarning, match="adjusted_wald"):
            r = metrics.nps(scores)
        assert r.degenerate
        a = metrics.nps(scores, method="adjusted_wald")
        assert a.ci_high > a.ci_low and a.nps == r.nps
    assert not metrics.nps([10, 0]).degenerate
    assert net_score_degenerate(0, 0, 50) and not net_score_degenerate(1, 1, 3)


def test_two_answers_of_opposite_sign_is_not_p_zero():
    r = metrics.nps_test([10], [0], method="adjusted_wald")
    assert 0.05 < r.p_value < 1  # two respondents prove nothing


def test_net_score_test_hand_worked():
    d, se, z, p, lo, hi = net_score_test(50.0, 30.0, 10.0, 40.0)
    assert (d, se, z) == (40.0, 50.0, 0.8)
    assert p == pytest.approx(2 * (1 - 0.7881446014166034), rel=1e-12)


def test_sample_size_hand_worked():
    # Var = 0.8 − 0.04 = 0.76; n = 1.96²·0.76/0.05² = 1167.8 → 1168
    assert net_score_sample_size(5, 0.5, 0.3) == 1168
    assert net_score_sample_size(5, 0.5, 0.3) == metrics.nps_sample_size(5, 0.5, 0.3)


def test_bootstrap_is_seeded():
    assert net_score_bootstrap(30, 10, 20, seed=1) == net_score_bootstrap(30, 10, 20, seed=1)


counts = st.tuples(st.integers(0, 80), st.integers(0, 80), st.integers(0, 80)).filter(lambda c: sum(c) > 0)


@settings(max_examples=60, deadline=None)
@given(counts, st.floats(0.5, 0.99))
def test_prop_bounds_and_intervals(c, conf):
    pro, pas, det = c
    v, se, lo, hi = net_score(pro, det, sum(c), conf)
    assert -100 <= v <= 100 and -100 <= lo <= v <= hi <= 100
    centre, _, alo, ahi = net_score_adjusted_wald(pro, det, sum(c), conf)
    assert -100 <= alo < centre < ahi <= 100


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=2, max_size=40))
@pytest.mark.filterwarnings("ignore::cxlib.errors.DegenerateSampleWarning")
def test_prop_unit_weights_equal_unweighted(scores):
    a = metrics.nps(scores, method="adjusted_wald")
    b = metrics.nps(scores, method="adjusted_wald", weights=np.ones(len(scores)))
    for f in ("nps", "se", "ci_low", "ci_high", "promoters", "detractors", "n_eff"):
        assert getattr(b, f) == pytest.approx(getattr(a, f), rel=1e-12, abs=1e-12), f
    assert b.n == a.n
    c1, c2 = metrics.ces([min(max(s, 1), 7) for s in scores]), metrics.ces(
        [min(max(s, 1), 7) for s in scores], weights=np.ones(len(scores)))
    for f in ("mean", "sd", "se", "ci_low", "ci_high", "net", "net_se"):
        assert getattr(c2, f) == pytest.approx(getattr(c1, f), rel=1e-9, abs=1e-12, nan_ok=True), f
