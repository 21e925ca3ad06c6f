"""Tests for cxlib.metrics: hand-worked values, R NPS formulas, published Wilson intervals,
property tests, bad input, segment tables, trends, the CX index and the plots.

Numbers marked "by hand" are worked out in the comments; "R" values come from the formulas
of the R package NPS 1.1 (Rocks), transcribed below in ``r_nps_*`` — never from our output.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import cxlib.metrics as m
from cxlib.errors import CXDataError, DegenerateSampleWarning, ScoreError
from cxlib.i18n import t
from cxlib.metrics import (
    ces,
    ces_by,
    csat,
    csat_by,
    csi,
    cx_index,
    nps,
    nps_by,
    nps_from_counts,
    nps_sample_size,
    nps_test,
    nps_test_from_counts,
    nps_trend,
    plot_nps_by,
    plot_nps_distribution,
    plot_nps_trend,
    wilson_ci,
)

Z95 = 1.959963984540054  # qnorm(0.975)


# ----------------------------------------------------------------- R package NPS, transcribed
# npc(): cut(x, c(-1, 6, 8, 10)) -> Detractor, Passive, Promoter
# npvar(x): props <- prop.table(x); (props[3] + props[1]) - (props[3] - props[1])^2
# nps.se(x): sqrt(nps.var(x) / n)
# nps.test(x, y): delta <- abs(nps.x - nps.y); se.hat <- sqrt(var.x/n.x + var.y/n.y)
#                 int <- c(delta - z*se.hat, delta + z*se.hat)
#                 p.value <- 1 - (pnorm(delta/se.hat)*2 - 1)


def r_npvar(det, pas, pro):
    total = det + pas + pro
    d, p = det / total, pro / total
    return (p + d) - (p - d) ** 2


def r_counts(x):
    x = np.asarray(x)
    return (x <= 6).sum(), ((x >= 7) & (x <= 8)).sum(), (x >= 9).sum()


def r_nps(x):
    det, _, pro = r_counts(x)
    return (pro - det) / len(x)


def r_nps_se(x):
    return math.sqrt(r_npvar(*r_counts(x)) / len(x))


def r_nps_test(x, y, conf=0.95):
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    delta = abs(r_nps(x) - r_nps(y))
    se_hat = math.sqrt(r_npvar(*r_counts(x)) / len(x) + r_npvar(*r_counts(y)) / len(y))
    p_value = 1 - (stats.norm.cdf(delta / se_hat) * 2 - 1)
    return {"delta": delta, "se.hat": se_hat, "int": (delta - z * se_hat, delta + z * se_hat),
            "p.value": p_value}


# ----------------------------------------------------------------- NPS, hand-worked


def test_nps_hand_worked_six_answers():
    # [10, 9, 8, 7, 6, 0]: 2 promoters, 2 passives, 2 detractors of n = 6
    # NPS = 100·(2/6 − 2/6) = 0
    # Var = (1/3 + 1/3 − 0²)/6 = 1/9  ->  SE = 100·√(1/9) = 33.333…
    # CI  = 0 ± 1.959964·33.333 = ±65.3321
    r = nps([10, 9, 8, 7, 6, 0])
    assert r.nps == 0
    assert r.n == 6 and r.n_missing == 0
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert r.se == pytest.approx(100 / 3)
    assert r.ci_low == pytest.approx(-65.3321, abs=1e-4)
    assert r.ci_high == pytest.approx(65.3321, abs=1e-4)


def test_nps_result_fields_are_the_public_ones():
    assert [f for f in m.NPSResult.__dataclass_fields__] == [
        "nps", "n", "promoters", "passives", "detractors", "se", "ci_low", "ci_high", "n_missing",
        "n_eff", "degenerate", "small_sample", "method"]
    assert [f for f in m.NPSTestResult.__dataclass_fields__] == [
        "nps_x", "nps_y", "difference", "se", "z", "p_value", "ci_low", "ci_high", "degenerate", "method"]


def test_nps_hand_worked_skewed_with_missing():
    # 6 promoters, 1 passive, 3 detractors (+2 missing): NPS = 100·(0.6 − 0.3) = 30
    # Var = (0.6 + 0.3 − 0.3²)/10 = 0.081  ->  SE = 100·√0.081 = 28.4605
    scores = [10, 10, 9, 9, 9, 10, 7, 0, 5, 6, None, np.nan]
    r = nps(scores, conf=0.90)
    assert r.nps == pytest.approx(30)
    assert r.n == 10 and r.n_missing == 2
    assert r.se == pytest.approx(100 * math.sqrt(0.081))
    # 90 %: z = 1.644854; 30 ± 1.644854·28.4605 = [−16.814, 76.814]
    assert r.ci_low == pytest.approx(-16.814, abs=1e-3)
    assert r.ci_high == pytest.approx(76.814, abs=1e-3)


def test_nps_matches_r_nps_and_se():
    x = [10, 9, 9, 8, 7, 7, 6, 5, 3, 10, 10, 2, 9]
    r = nps(x)
    assert r.nps == pytest.approx(100 * r_nps(x))
    assert r.se == pytest.approx(100 * r_nps_se(x))


def test_nps_from_counts_hand_worked():
    # 2/2/2 -> NPS 0, SE 33.33 (as above); counts in our order: promoters, passives, detractors
    r = nps_from_counts(2, 2, 2)
    assert (r.nps, r.n) == (0.0, 6)
    assert r.se == pytest.approx(100 / 3)
    # R's npvar takes (detractors, passives, promoters): npvar(c(5, 3, 12)) with n = 20
    r2 = nps_from_counts(12, 3, 5)
    assert r2.nps == pytest.approx(35.0)
    assert r2.se == pytest.approx(100 * math.sqrt(r_npvar(5, 3, 12) / 20))


def test_nps_wald_interval_truncated_to_range():
    # 2 promoters, 0 passives, 1 detractor: NPS 33.3, Var = (1 − 1/9)/3 = 0.2963, SE = 54.43
    # 33.3 + 1.96·54.43 = 140 -> truncated to 100; lower 33.3 − 106.7 = −73.3
    r = nps([10, 10, 0])
    assert r.ci_high == 100
    assert r.ci_low == pytest.approx(100 / 3 - Z95 * 100 * math.sqrt((1 - 1 / 9) / 3))


def test_nps_bootstrap_is_seeded_and_close_to_wald_for_large_n():
    counts = (450, 300, 250)
    a = nps_from_counts(*counts, method="bootstrap", seed=1)
    b = nps_from_counts(*counts, method="bootstrap", seed=1)
    w = nps_from_counts(*counts)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.se == w.se
    assert a.ci_low == pytest.approx(w.ci_low, abs=1.0)
    assert a.ci_high == pytest.approx(w.ci_high, abs=1.0)
    s = nps([10] * 45 + [8] * 30 + [0] * 25, method="bootstrap", n_boot=500, seed=3)
    assert s.ci_low < s.nps < s.ci_high


def test_nps_bad_parameters():
    with pytest.raises(ValueError, match="method"):
        nps([10], method="exact")
    with pytest.raises(ValueError, match="conf"):
        nps([10], conf=95)
    with pytest.raises(ValueError, match="no responses"):
        nps_from_counts(0, 0, 0)
    with pytest.raises(ValueError, match="passives"):
        nps_from_counts(1, -1, 0)
    with pytest.raises(ValueError, match="promoters"):
        nps_from_counts(1.5, 0, 0)


# ----------------------------------------------------------------- nps_test vs R


X = [10, 10, 9, 5]  # NPS 0.5; npvar = 0.75 - 0.25 = 0.75
Y = [10, 8, 3, 2]  # NPS -0.25; npvar = 0.75 - 0.0625 = 0.6875


def test_nps_test_hand_worked_and_r():
    # se.hat = √(0.75/4 + 0.6875/4) = √0.359375 = 0.599479  (R, −1…1 scale)
    # z = 0.75/0.599479 = 1.251086, p = 2·(1 − Φ(1.251086)) = 0.210903
    r = nps_test(X, Y)
    ref = r_nps_test(X, Y)
    assert (r.nps_x, r.nps_y) == (50.0, -25.0)
    assert r.difference == 75.0
    assert r.se == pytest.approx(59.9479, abs=1e-4)
    assert r.se == pytest.approx(100 * ref["se.hat"])
    assert r.z == pytest.approx(1.251087, abs=1e-6)
    assert r.p_value == pytest.approx(0.210903, abs=1e-6)
    assert r.p_value == pytest.approx(ref["p.value"])
    # R's interval is around |delta|: 0.75 ± 1.959964·0.599479 = [−0.42496, 1.92496]
    assert (r.ci_low, r.ci_high) == pytest.approx((100 * ref["int"][0], 100 * ref["int"][1]))
    assert r.ci_low == pytest.approx(-42.496, abs=1e-3)


def test_nps_test_difference_is_signed_unlike_r():
    r = nps_test(Y, X)
    ref = r_nps_test(Y, X)
    assert r.difference == -75.0  # R: delta = +0.75 (absolute)
    assert ref["delta"] == 0.75
    assert r.p_value == pytest.approx(ref["p.value"])  # same two-sided p
    assert (r.ci_low, r.ci_high) == pytest.approx((-192.496, 42.496), abs=1e-3)


def test_nps_test_from_counts_and_degenerate_se():
    # all promoters vs all detractors: SE 0 on both sides. R says z = inf, p = 0 from four
    # answers; we flag it, warn, and give no p-value (the fix of issue 13)
    with pytest.warns(DegenerateSampleWarning, match="adjusted_wald"):
        r = nps_test([10, 10], [0, 0])
    assert r.difference == 200 and r.se == 0 and r.degenerate
    assert math.isnan(r.z) and math.isnan(r.p_value)
    # the adjusted Wald test (Rocks 2016): n' = 5, p̃₊ = 2.75/5, p̃₋ = 0.75/5 → ±40 points,
    # SE² = 100²·(0.7 − 0.16)/5 per sample
    a = nps_test([10, 10], [0, 0], method="adjusted_wald")
    assert a.difference == 200 and not math.isnan(a.p_value)
    assert a.se == pytest.approx(math.sqrt(2 * 1e4 * 0.54 / 5), rel=1e-12)
    assert a.z == pytest.approx(80 / a.se, rel=1e-12)
    same = nps_test([10], [9])
    assert math.isnan(same.z) and math.isnan(same.p_value)
    c = nps_test_from_counts((3, 0, 1), (1, 1, 2))
    assert c == nps_test(X, Y)
    with pytest.raises(ValueError, match="three counts"):
        nps_test_from_counts((1, 2), (1, 1, 1))


def test_nps_test_by_per_group_keeps_a_group_with_no_answers_on_one_side():
    """Lesson 02's window test on a small export: a group with every answer inside the window is
    reported with n = 0 on the other side and not tested (it used to stop the lesson with
    'nps: no valid answers')."""
    rows = pd.DataFrame({
        "hotel": ["a"] * 8 + ["b"] * 3 + ["c"] * 2,
        "nps": X + Y + [9, 9, 0] + [10, None],
        "inside": [True] * 4 + [False] * 4 + [True] * 3 + [False, True],
    })
    out = m.nps_test_by(rows, "nps", "inside", "hotel").set_index("hotel")
    a = out.loc["a"]
    # same numbers as the two-sample test (hand-worked above: 75 points, SE 59.9479, p 0.210903)
    assert (a["n_x"], a["n_y"], a["nps_x"], a["nps_y"], a["difference"]) == (4, 4, 50.0, -25.0, 75.0)
    assert a["se"] == pytest.approx(59.9479, abs=1e-4) and a["p_value"] == pytest.approx(0.210903, abs=1e-6)
    assert a["tested"] and a["small_sample"] and not a["degenerate"]
    b = out.loc["b"]  # no answer outside the window
    assert (b["n_x"], b["n_y"], b["tested"]) == (3, 0, False)
    assert b["nps_x"] == pytest.approx(100 / 3) and math.isnan(b["nps_y"])
    assert all(math.isnan(b[c]) for c in ("difference", "se", "z", "p_value", "ci_low", "ci_high"))
    c = out.loc["c"]  # one answer each side, the inside one missing: n counts valid answers only
    assert (c["n_x"], c["n_y"], c["tested"]) == (0, 1, False)
    with pytest.raises(CXDataError, match=r"column 'inside': expected True/False in every row — 1 row: row 2 \('x'\)"):
        m.nps_test_by(rows.assign(inside=rows["inside"].astype(object).where(rows.index != 2, "x")), "nps", "inside", "hotel")


def test_nps_sample_size_hand_worked():
    # V = 0.5 + 0.3 − 0.2² = 0.76; n = 1.959964²·0.76/0.05² = 1167.8 -> 1168
    assert nps_sample_size(5, promoters=0.5, detractors=0.3) == 1168
    # worst case V = 1: 1.959964²/0.1² = 384.15 -> 385
    assert nps_sample_size(10, 0.5, 0.5) == 385
    # V = 0.4 + 0.2 − 0.04 = 0.56; 3.841459·0.56/0.0009 = 2390.24 -> 2391
    assert nps_sample_size(3, 0.4, 0.2) == 2391
    # 90 %: 1.644854²·0.76/0.0025 = 822.5 -> 823
    assert nps_sample_size(5, 0.5, 0.3, conf=0.90) == 823


@pytest.mark.parametrize(
    ("args", "match"),
    [((0, 0.5, 0.3), "margin"), ((5, 50, 30), "share"), ((5, 0.7, 0.5), "≤ 1"), ((5, None, 0.1), "number")],
)
def test_nps_sample_size_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        nps_sample_size(*args)


# ----------------------------------------------------------------- Wilson, CSAT, CES, CSI


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score)
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_ci_newcombe_table_1(x, n, low, high):
    lo, hi = wilson_ci(x, n)
    assert round(lo, 4) == low and round(hi, 4) == high


def test_wilson_ci_vectorised_and_checked():
    lo, hi = wilson_ci(np.array([81, 15]), np.array([263, 148]))
    assert np.round(lo, 4).tolist() == [0.2553, 0.0624]
    assert np.round(hi, 4).tolist() == [0.3662, 0.1605]
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_ci(5, 3)


def test_csat_hand_worked():
    # top-2 of 5: 5, 4, 4 satisfied of 5 -> 60 %. Wilson for 3/5 by hand:
    # z²/n = 0.768292; centre = (0.6 + 0.384146)/1.768292 = 0.556552
    # half = 1.959964/1.768292·√(0.24/5 + 3.841459/100) = 0.325827 -> [23.0725, 88.2379] %
    r = csat([5, 4, 4, 3, 1, None])
    assert (r.csat, r.n, r.satisfied, r.n_missing) == (60.0, 5, 3, 1)
    assert r.ci_low == pytest.approx(23.0725, abs=1e-3)
    assert r.ci_high == pytest.approx(88.2379, abs=1e-3)
    assert r.se == pytest.approx(100 * math.sqrt(0.24 / 5))
    assert csat([7, 6, 5, 1], top=3, scale=7).csat == 75.0
    with pytest.raises(ValueError, match="top"):
        csat([5], top=5)


def test_ces_hand_worked():
    # [7, 6, 5, 4, 3, 1]: mean 26/6 = 4.3333; squared deviations sum 23.3333 -> s² = 4.6667,
    # s = 2.16025, SE = 0.881917; t(0.975, 5) = 2.570582 -> 4.3333 ± 2.26704
    # easy (5–7) 3/6, neutral (4) 1/6, difficult (1–3) 2/6 -> net 16.667;
    # Var = (3/6 + 2/6 − (1/6)²)/6 = 0.134259 -> net SE 36.6414
    r = ces([7, 6, 5, 4, 3, 1])
    assert r.mean == pytest.approx(26 / 6)
    assert r.sd == pytest.approx(2.16025, abs=1e-5)
    assert r.ci_low == pytest.approx(26 / 6 - 2.26704, abs=1e-4)
    assert r.ci_high == pytest.approx(26 / 6 + 2.26704, abs=1e-4)
    assert (r.easy, r.neutral, r.difficult) == pytest.approx((0.5, 1 / 6, 1 / 3))
    assert r.net == pytest.approx(100 / 6)
    assert r.net_se == pytest.approx(36.6414, abs=1e-4)
    one = ces([6])
    assert one.mean == 6 and math.isnan(one.se) and one.net_se == 0


def test_csi_hand_worked():
    # [5, 4, 3, 2, 1, 5]: satisfied (4–5) 3/6, dissatisfied (1–2) 2/6 -> CSI 16.667
    # Var = (5/6 − (1/6)²)/6 = 0.134259 -> SE 36.6414
    r = csi([5, 4, 3, 2, 1, 5])
    assert r.csi == pytest.approx(100 / 6)
    assert (r.satisfied, r.neutral, r.dissatisfied) == pytest.approx((0.5, 1 / 6, 1 / 3))
    assert r.se == pytest.approx(36.6414, abs=1e-4)
    assert r.ci_low == pytest.approx(100 / 6 - Z95 * 36.6414, abs=1e-3)


# ----------------------------------------------------------------- bad input (one per kind)


def test_bad_input_out_of_scale():
    with pytest.raises(ScoreError, match=r"outside the 0–10 scale.*position 2 \(11\)"):
        nps([10, 9, 11, 3])


def test_bad_input_non_numeric():
    with pytest.raises(ScoreError, match=r"non-numeric.*position 1 \('ten'\)"):
        nps([10, "ten", 3])


def test_bad_input_non_integer():
    with pytest.raises(ScoreError, match=r"not whole numbers.*position 0 \(7.5\)"):
        nps([7.5, 9])


def test_bad_input_bool():
    with pytest.raises(ScoreError, match=r"true/false.*position 1 \(True\)"):
        nps([10, True, 3])


def test_bad_input_all_missing():
    with pytest.raises(ValueError, match=r"no valid answers.*2 missing"):
        nps([None, np.nan])
    with pytest.raises(ValueError, match="no valid answers"):
        csat([])


def test_bad_input_in_a_table_names_column_and_index():
    df = pd.DataFrame({"seg": list("abc"), "ltr": [10.0, np.nan, 12.0]}, index=[5, 6, 7])
    with pytest.raises(ScoreError, match=r"ltr: values outside.*index 7 \(12.0\)"):
        nps_by(df, "ltr", "seg")
    df["ltr"] = [10, 9.5, np.nan]
    with pytest.raises(ScoreError, match=r"ltr: values that are not whole.*index 6 \(9.5\)"):
        nps_by(df, "ltr", "seg")
    # a real 11 must not hide in the bin kept for missing answers
    df["ltr"] = [11.0, np.nan, 3.0]
    with pytest.raises(ScoreError, match=r"index 5 \(11.0\)"):
        nps_by(df, "ltr", "seg")
    df["ltr"] = ["10", "x", "3"]
    with pytest.raises(ScoreError, match=r"non-numeric.*index 6 \('x'\)"):
        nps_by(df, "ltr", "seg")
    with pytest.raises(CXDataError, match="missing column\\(s\\) 'region'"):
        nps_by(df, "ltr", "region")
    df["ltr"] = [np.nan] * 3
    with pytest.raises(ValueError, match="no valid answers"):
        nps_by(df, "ltr", "seg")


# ----------------------------------------------------------------- properties

scores_st = st.lists(st.integers(0, 10), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(scores_st)
def test_prop_bounds_and_ci_contains_estimate(scores):
    r = nps(scores)
    assert -100 <= r.ci_low <= r.nps <= r.ci_high <= 100
    assert r.se >= 0
    assert r.promoters + r.passives + r.detractors == pytest.approx(1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=40).flatmap(
    lambda xs: st.tuples(st.just(xs), st.permutations(xs))))
def test_prop_row_order_independent(pair):
    a, b = pair
    assert nps(a) == nps(b)
    assert csat([1 + x % 5 for x in a]) == csat([1 + x % 5 for x in b])


@settings(max_examples=60, deadline=None)
@given(scores_st, st.sampled_from([9, 10]))
def test_prop_adding_a_promoter_never_lowers_nps(scores, promoter):
    assert nps([*scores, promoter]).nps >= nps(scores).nps


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10))
def test_prop_single_row(score):
    with pytest.warns(DegenerateSampleWarning):
        r = nps([score])
    assert r.n == 1 and r.se == 0 and r.ci_low == r.nps == r.ci_high  # Wald, as R
    assert r.degenerate and r.small_sample
    a = nps([score], method="adjusted_wald")  # Rocks (2016): never a point
    assert a.ci_high - a.ci_low > 100 and -100 <= a.ci_low < a.ci_high <= 100
    assert r.nps in (-100, 0, 100)


def test_empty_input_raises():
    with pytest.raises(ValueError, match="no valid answers"):
        nps([])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 10)), min_size=2, max_size=50),
       st.randoms(use_true_random=False))
def test_prop_nps_by_matches_nps_and_ignores_order(rows, rnd):
    table = nps_by(pd.DataFrame(rows, columns=["seg", "ltr"]), "ltr", "seg")
    for seg, row in zip(table["seg"], table.itertuples(), strict=True):
        ref = nps([score for g, score in rows if g == seg])
        assert (row.n, row.nps, row.se) == pytest.approx((ref.n, ref.nps, ref.se))
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    again = nps_by(pd.DataFrame(shuffled, columns=["seg", "ltr"]), "ltr", "seg")
    assert np.allclose(again[["n", "nps", "se", "p_value"]], table[["n", "nps", "se", "p_value"]],
                       equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_prop_from_counts_equals_rows(scores):
    s = np.array(scores)
    pro, pas, det = (s >= 9).sum(), ((s >= 7) & (s <= 8)).sum(), (s <= 6).sum()
    assert nps_from_counts(int(pro), int(pas), int(det)) == nps(scores)


# ----------------------------------------------------------------- segment tables


def test_nps_by_hand_worked_with_holm():
    # a: [10, 9, 3] -> p₊ 2/3, p₋ 1/3, NPS 33.33, Var = (1 − 1/9)/3 = 0.296296
    # b: [8, 2, 1]  -> p₊ 0, p₋ 2/3, NPS −66.67, Var = (2/3 − 4/9)/3 = 0.074074
    # a vs rest (= b): diff 100, SE = 100·√0.370370 = 60.8581, z = 1.643168, p = 0.100348
    # two groups: "a vs rest" and "b vs rest" are one comparison, so no adjustment
    df = pd.DataFrame({"seg": list("aaabbb"), "ltr": [10, 9, 3, 8, 2, 1]})
    tab = nps_by(df, "ltr", "seg")
    assert tab["seg"].tolist() == ["a", "b"]
    assert tab["nps"].tolist() == pytest.approx([100 / 3, -200 / 3])
    assert tab["diff_vs_rest"].tolist() == pytest.approx([100, -100])
    assert tab["z"].tolist() == pytest.approx([1.643168, -1.643168], abs=1e-6)
    assert tab["p_value"].tolist() == pytest.approx([0.100348] * 2, abs=1e-6)
    assert tab["p_adjusted"].tolist() == pytest.approx([0.100348] * 2, abs=1e-6)
    assert tab["small_n"].all()  # n = 3 < 30: flagged, kept
    assert tab.attrs["overall"].nps == pytest.approx(-100 / 6)
    expected_cols = ["seg", "n", "n_missing", "promoters", "passives", "detractors", "nps", "se",
                     "ci_low", "ci_high", "nps_rest", "diff_vs_rest", "z", "p_value", "p_adjusted",
                     "small_n", "n_eff", "degenerate"]
    assert tab.columns.tolist() == expected_cols
    # the same test as nps_test on the two groups
    r = nps_test([10, 9, 3], [8, 2, 1])
    assert tab.loc[0, "p_value"] == pytest.approx(r.p_value)
    assert nps_by(df, "ltr", "seg", correction=None)["p_adjusted"].tolist() == tab["p_value"].tolist()
    assert nps_by(df, "ltr", "seg", correction="bonf")["p_adjusted"].tolist() == pytest.approx([0.100348] * 2, abs=1e-6)
    # three groups are three comparisons: Holm multiplies the smallest p by 3
    df3 = pd.concat([df, pd.DataFrame({"seg": list("ccc"), "ltr": [10, 10, 10]})])
    tab3 = nps_by(df3, "ltr", "seg")
    assert tab3["p_adjusted"].min() == pytest.approx(min(3 * tab3["p_value"].min(), 1.0))
    with pytest.raises(ValueError, match="correction"):
        nps_by(df, "ltr", "seg", correction="tukey")


def test_nps_by_flags_small_groups_and_keeps_them():
    df = pd.DataFrame({
        "seg": ["big"] * 40 + ["tiny"] * 3 + ["empty"] * 2,
        "ltr": [10, 7, 3, 9] * 10 + [10, 10, 0] + [np.nan, np.nan],
    })
    tab = nps_by(df, "ltr", "seg", min_n=30).set_index("seg")
    assert set(tab.index) == {"big", "empty", "tiny"}
    assert tab["small_n"].to_dict() == {"big": False, "empty": True, "tiny": True}
    assert tab.loc["empty", "n"] == 0 and tab.loc["empty", "n_missing"] == 2
    assert np.isnan(tab.loc["empty", "nps"]) and np.isnan(tab.loc["empty", "p_adjusted"])
    assert tab.loc["tiny", "n"] == 3


def test_nps_by_several_columns_categorical_and_missing_keys():
    df = pd.DataFrame({
        "prop": pd.Categorical(["city", "city", "resort", None, "city"],
                               categories=["city", "resort", "airport"]),
        "chan": ["app", "web", "app", "app", "app"],
        "ltr": [10, 3, 9, 8, 6],
    })
    tab = nps_by(df, "ltr", ["prop", "chan"])
    assert tab[["prop", "chan"]].astype(object).where(tab[["prop", "chan"]].notna(), None).values.tolist() == [
        ["city", "app"], ["city", "web"], ["resort", "app"], [None, "app"]]  # no unused 'airport'
    assert isinstance(tab["prop"].dtype, pd.CategoricalDtype)
    assert tab["n"].tolist() == [2, 1, 1, 1]
    assert tab["nps"].tolist() == pytest.approx([0, -100, 100, 0])


def test_counting_pass_agrees_with_pandas_groupby():
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({"a": rng.integers(0, 7, n), "b": rng.choice(list("xyz"), n),
                       "ltr": rng.integers(0, 11, n).astype(float)})
    df.loc[rng.random(n) < 0.1, "ltr"] = np.nan
    ref = nps_by(df, "ltr", ["a", "b"])
    grouped = df.groupby(["a", "b"])["ltr"]
    assert ref["n"].tolist() == grouped.count().tolist()
    assert ref["n_missing"].tolist() == grouped.apply(lambda s: s.isna().sum()).tolist()
    promoters = grouped.apply(lambda s: (s >= 9).sum() / s.count())
    assert ref["promoters"].tolist() == pytest.approx(promoters.tolist(), rel=1e-15)


def test_nps_by_accepts_integer_and_string_scores():
    df = pd.DataFrame({"seg": list("aabb"), "ltr": [10, 0, 9, 9]})
    a = nps_by(df, "ltr", "seg")
    b = nps_by(df.assign(ltr=df["ltr"].astype("Int64")), "ltr", "seg")
    c = nps_by(df.assign(ltr=df["ltr"].astype(str)), "ltr", "seg")
    for other in (b, c):
        assert other["nps"].tolist() == a["nps"].tolist() == [0, 100]


def test_csat_by_matches_two_proportion_z_test():
    from statsmodels.stats.proportion import proportions_ztest

    df = pd.DataFrame({"seg": ["a"] * 20 + ["b"] * 30 + ["c"] * 10,
                       "sat": [5, 4, 3, 2] * 5 + [5, 5, 4, 1, 2, 3] * 5 + [1, 2, 3, 4, 5] * 2})
    tab = csat_by(df, "sat", "seg", min_n=15)
    sat = df["sat"] >= 4
    for i, g in enumerate(["a", "b", "c"]):
        inside = df["seg"] == g
        x1, n1, x2, n2 = sat[inside].sum(), inside.sum(), sat[~inside].sum(), (~inside).sum()
        zs, ps = proportions_ztest([x1, x2], [n1, n2])
        assert tab.loc[i, "z"] == pytest.approx(zs)
        assert tab.loc[i, "p_value"] == pytest.approx(ps)
        assert tab.loc[i, "csat"] == pytest.approx(100 * x1 / n1)
        lo, hi = wilson_ci(x1, n1)
        assert (tab.loc[i, "ci_low"], tab.loc[i, "ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    assert tab["small_n"].tolist() == [False, False, True]


def test_ces_by_matches_welch_on_rows():
    df = pd.DataFrame({"seg": ["a"] * 6 + ["b"] * 5 + ["c"] * 4,
                       "ces": [7, 6, 5, 7, 6, 6, 3, 2, 4, 1, 3, 5, 4, 4, 6]})
    tab = ces_by(df, "ces", "seg", min_n=5)
    for i, g in enumerate(["a", "b", "c"]):
        inside, rest = df.loc[df["seg"] == g, "ces"], df.loc[df["seg"] != g, "ces"]
        ref = stats.ttest_ind(inside, rest, equal_var=False)
        assert tab.loc[i, "t"] == pytest.approx(ref.statistic)
        assert tab.loc[i, "p_value"] == pytest.approx(ref.pvalue)
        assert tab.loc[i, "mean"] == pytest.approx(inside.mean())
        assert tab.loc[i, "sd"] == pytest.approx(inside.std())
    assert tab["small_n"].tolist() == [False, False, True]
    # easy (5–7) minus difficult (1–3) for group a: 6/6 − 0 = 100
    assert tab.loc[0, "net"] == 100


# ----------------------------------------------------------------- trends


def _trend_frame():
    """Six months × 100 answers; April is planted low, June has no answers.

    Normal month: 50 × 10, 30 × 8, 20 × 3 -> NPS 30. April: 20 × 10, 30 × 8, 50 × 3 -> NPS −30.
    """
    rows = []
    for month in (1, 2, 3, 4, 5, 7):
        pro, pas, det = (20, 30, 50) if month == 4 else (50, 30, 20)
        scores = [10] * pro + [8] * pas + [3] * det
        rows += [(f"2024-{month:02d}-{1 + i % 28:02d}", s) for i, s in enumerate(scores)]
    return pd.DataFrame(rows, columns=["date", "ltr"])


def test_trend_flags_a_planted_dip():
    # pooled over 600 answers: p₊ = 270/600 = 0.45, p₋ = 150/600 = 0.25 -> baseline 20
    # unit variance 0.45 + 0.25 − 0.2² = 0.66; per month n = 100: SE = 100·√0.0066 = 8.1240
    # limits 20 ± 1.959964·8.1240 = 20 ± 15.9228 = [4.0772, 35.9228]: 30 inside, −30 below
    tr = nps_trend(_trend_frame(), "ltr", "date")
    assert tr["period"].astype(str).tolist() == [f"2024-{mo:02d}" for mo in range(1, 8)]
    assert tr["n"].tolist() == [100, 100, 100, 100, 100, 0, 100]
    assert tr["baseline"].iloc[0] == pytest.approx(20)
    assert tr["lcl"].iloc[0] == pytest.approx(4.0772, abs=1e-4)
    assert tr["ucl"].iloc[0] == pytest.approx(35.9228, abs=1e-4)
    assert tr["flagged"].tolist() == [False, False, False, True, False, False, False]
    assert tr["signal"].tolist() == [None, None, None, "low", None, None, None]
    assert np.isnan(tr.loc[5, "nps"])  # June: no answers, kept as a gap


def test_trend_baseline_range_and_by_groups():
    # baseline Jan–Mar: p₊ 0.5, p₋ 0.2 -> 30; unit var 0.7 − 0.09 = 0.61, SE 7.8102,
    # limits 30 ± 15.3078 -> April (−30) low, the others (30) on the centre line
    df = _trend_frame()
    tr = nps_trend(df, "ltr", "date", baseline=("2024-01-01", "2024-03-31"))
    assert tr["baseline"].iloc[0] == pytest.approx(30)
    assert tr["lcl"].iloc[0] == pytest.approx(30 - 15.3078, abs=1e-4)
    assert tr["signal"].tolist() == [None, None, None, "low", None, None, None]
    # a second hotel without the dip gets its own baseline and no signal
    other = df.copy()
    other["ltr"] = np.tile([10] * 50 + [8] * 30 + [3] * 20, 6)
    both = pd.concat([df.assign(hotel="city"), other.assign(hotel="resort")], ignore_index=True)
    tb = nps_trend(both, "ltr", "date", by="hotel")
    assert tb.groupby("hotel")["flagged"].sum().to_dict() == {"city": 1, "resort": 0}
    assert tb.loc[tb["hotel"] == "resort", "baseline"].iloc[0] == pytest.approx(30)
    fixed = nps_trend(df, "ltr", "date", baseline=30)
    assert fixed["signal"].tolist() == [None, None, None, "low", None, None, None]


def test_trend_quarters_and_bad_dates():
    df = _trend_frame()
    q = nps_trend(df, "ltr", "date", freq="Q")
    assert q["n"].tolist() == [300, 200, 100]
    bad = df.copy()
    bad.loc[3, "date"] = "not a date"
    with pytest.raises(CXDataError, match=r"'date': values that are not dates.*index 3 \('not a date'\)"):
        nps_trend(bad, "ltr", "date")
    bad.loc[3, "date"] = None
    with pytest.raises(CXDataError, match=r"missing dates.*index 3"):
        nps_trend(bad, "ltr", "date")
    with pytest.raises(ValueError, match="baseline"):
        nps_trend(df, "ltr", "date", baseline=("2030-01-01", "2030-02-01"))


# ----------------------------------------------------------------- CX index


def test_cx_index_equal_and_stated_weights_with_missing():
    # scale 1–5 -> 0–100: 5 -> 100, 3 -> 50, 1 -> 0
    df = pd.DataFrame({"a": [5, 3, None, None], "b": [3, 1, 5, None]})
    r = cx_index(df, ["a", "b"])
    # row 0: (100 + 50)/2 = 75; row 1: (50 + 0)/2 = 25; row 2: only b -> 100; row 3: nothing
    assert r.scores.tolist()[:3] == [75, 25, 100] and np.isnan(r.scores.iloc[3])
    assert (r.n, r.n_missing, r.n_partial) == (3, 1, 1)
    assert r.index == pytest.approx(200 / 3)
    s = cx_index(df, ["a", "b"], weights={"a": 3, "b": 1})
    # row 0: 0.75·100 + 0.25·50 = 87.5; row 2 uses b alone: 100
    assert s.weights.tolist() == [0.75, 0.25]
    assert s.scores.tolist()[:3] == [87.5, 37.5, 100]
    assert s.method == "stated"
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        cx_index(df, ["a", "b"], weights={"a": 1})


def test_cx_index_derived_weights_and_negative_correlation():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 4, 3, 2, 1],
                       "y": [1, 2, 3, 4, 5]})
    r = cx_index(df, ["a", "b"], weights="derived", outcome="y")
    ra, rb = np.corrcoef(df["a"], df["y"])[0, 1], np.corrcoef(df["b"], df["y"])[0, 1]
    assert r.weights.tolist() == pytest.approx([ra / (ra + rb), rb / (ra + rb)])
    assert r.method == "derived" and "Pearson" in r.note
    with pytest.raises(ValueError, match=r"not so for c \(r = -1.000\)"):
        cx_index(df, ["a", "c"], weights="derived", outcome="y")
    with pytest.raises(ValueError, match="needs an outcome"):
        cx_index(df, ["a"], weights="derived")


def test_cx_index_bad_rating_names_value():
    df = pd.DataFrame({"a": [5, 6], "b": [1, 2]})
    with pytest.raises(ScoreError, match=r"a: values outside the 1–5 scale.*index 1 \(6"):
        cx_index(df, ["a", "b"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.integers(1, 5)), min_size=1, max_size=30))
def test_prop_cx_index_in_range(rows):
    df = pd.DataFrame(rows, columns=["a", "b"], dtype=float)
    r = cx_index(df, ["a", "b"])
    assert 0 <= r.index <= 100
    assert r.scores.between(0, 100).all()


def test_cx_index_survey_weights_hand_worked():
    # scores 100, 0, 25 (row 2: a = 3 -> 50, b = 1 -> 0) with survey weights 1, 1, 2:
    # mean = (100 + 0 + 2·25)/4 = 37.5; m2 = (10000 + 0 + 2·625)/4 − 37.5² = 1406.25;
    # n_eff = 4²/6 = 8/3; sd = √(1406.25·(8/3)/(5/3)) = √2250; se = sd/√n_eff = √843.75
    df = pd.DataFrame({"a": [5, 1, 3], "b": [5, None, 1], "s": [1.0, 1.0, 2.0]})
    r = cx_index(df, ["a", "b"], survey_weights="s")
    assert r.scores.tolist() == [100, 0, 25]
    assert r.index == pytest.approx(37.5, rel=1e-12)
    assert r.n_eff == pytest.approx(8 / 3, rel=1e-12)
    assert r.sd == pytest.approx(np.sqrt(2250), rel=1e-12)
    assert r.se == pytest.approx(np.sqrt(843.75), rel=1e-12)
    half = stats.t.ppf(0.975, 8 / 3 - 1) * np.sqrt(843.75)
    assert (r.ci_low, r.ci_high) == pytest.approx((37.5 - half, 37.5 + half), rel=1e-9)
    assert r.n == 3 and "survey weights 's'" in r.note
    # weight 2 on a respondent = that respondent twice, for the point estimate
    twice = cx_index(pd.concat([df, df.iloc[[2]]]), ["a", "b"])
    assert r.index == pytest.approx(twice.index, rel=1e-12)


def test_cx_index_weighted_derived_importance_is_the_weighted_correlation():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.integers(1, 6, 60), "b": rng.integers(1, 6, 60)}).astype(float)
    df["y"] = df["a"] + df["b"] + rng.integers(0, 3, 60)
    df.loc[[4, 9], "a"] = np.nan
    df["s"] = rng.uniform(0.5, 3.0, 60)
    r = cx_index(df, ["a", "b"], weights="derived", outcome="y", survey_weights="s")
    expect = []
    for c in ("a", "b"):  # numpy's weighted covariance on the rows where both are present
        m = df[c].notna()
        cov = np.cov(df.loc[m, c], df.loc[m, "y"], aweights=df.loc[m, "s"])
        expect.append(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
    assert r.weights.tolist() == pytest.approx(list(np.array(expect) / sum(expect)), rel=1e-12)
    unweighted = cx_index(df, ["a", "b"], weights="derived", outcome="y")
    ones = cx_index(df.assign(s=1.0), ["a", "b"], weights="derived", outcome="y", survey_weights="s")
    assert ones.weights.tolist() == pytest.approx(unweighted.weights.tolist(), rel=1e-12)


def test_cx_index_bad_survey_weights_are_named():
    df = pd.DataFrame({"a": [5, 1, 3], "b": [5, None, 1], "s": [1.0, None, 2.0]})
    with pytest.raises(CXDataError, match="weights column 's' has 1 missing values"):
        cx_index(df, ["a", "b"], survey_weights="s")
    with pytest.raises(CXDataError, match="negative"):
        cx_index(df.assign(s=[1.0, -1.0, 2.0]), ["a", "b"], survey_weights="s")
    with pytest.raises(CXDataError, match="missing column"):
        cx_index(df, ["a", "b"], survey_weights="nope")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.integers(1, 5)), min_size=1, max_size=30),
       st.sampled_from([None, {"a": 2.0, "b": 1.0}]))
def test_prop_cx_index_unit_survey_weights_equal_unweighted(rows, stated):
    df = pd.DataFrame(rows, columns=["a", "b"], dtype=float).assign(s=1.0)
    u = cx_index(df, ["a", "b"], weights=stated)
    w = cx_index(df, ["a", "b"], weights=stated, survey_weights="s")
    assert (w.n, w.n_missing, w.n_partial, w.n_eff) == (u.n, u.n_missing, u.n_partial, u.n_eff)
    for name in ("index", "sd", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(getattr(w, name), getattr(u, name), rtol=1e-9, atol=1e-9, err_msg=name)


# ----------------------------------------------------------------- plots


def test_plot_nps_distribution_bilingual():
    fig, ax = plt.subplots()
    out = plot_nps_distribution([10, 9, 8, 7, 6, 0, np.nan], ax=ax, lang="zh")
    assert out is ax
    assert len(ax.patches) == 11
    assert ax.get_xlabel() == t("metrics.ltr_score", "zh")
    assert {text.get_text() for text in ax.get_legend().get_texts()} == {"贬损者", "被动者", "推荐者"}
    plt.close(fig)


def test_plot_nps_by_marks_small_groups():
    df = pd.DataFrame({"seg": ["big"] * 40 + ["tiny"] * 3, "ltr": [10, 7, 3, 9] * 10 + [10, 10, 0]})
    fig, ax = plt.subplots()
    plot_nps_by(nps_by(df, "ltr", "seg"), ax=ax, lang="en")
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["big", "tiny *"]  # first row on top; small groups starred
    assert ax.get_title() == t("metrics.nps_by_title", "en", conf=0.95)
    plt.close(fig)


def test_plot_nps_trend_marks_flagged():
    fig, ax = plt.subplots()
    plot_nps_trend(nps_trend(_trend_frame(), "ltr", "date"), ax=ax, lang="zh")
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert t("metrics.flagged", "zh") in legend
    assert ax.get_title() == t("metrics.nps_trend_title", "zh")
    plt.close(fig)
    with pytest.raises(ValueError, match="nps_trend"):
        plot_nps_trend(pd.DataFrame({"x": [1]}))


def test_nps_category_labels_each_answer_and_keeps_the_index():
    from cxlib.metrics import nps_category

    s = pd.Series([0, 6, 7, 8, 9, 10, np.nan], index=list("abcdefg"))
    out = nps_category(s)
    assert out.tolist() == ["detractor", "detractor", "passive", "passive", "promoter", "promoter", None]
    assert list(out.index) == list("abcdefg")
    with pytest.raises(ScoreError, match="index b"):
        nps_category(pd.Series([5, 11], index=["a", "b"]))


def test_weighted_nps_by_hand_worked():
    # a: 10 (w 3), 3 (w 1) → NPS 50, n_eff 16/10; b: 9, 9 (w 1 each), 0 (w 2) → NPS 0, n_eff 16/6
    df = pd.DataFrame({"seg": list("aabbb"), "ltr": [10, 3, 9, 9, 0], "w": [3.0, 1, 1, 1, 2]})
    tab = nps_by(df, "ltr", "seg", min_n=2, weights="w").set_index("seg")
    assert tab.loc["a", "nps"] == 50.0 and tab.loc["b", "nps"] == 0.0
    assert tab.loc["a", "n"] == 2 and tab.loc["a", "n_eff"] == pytest.approx(1.6)
    var_a, var_b = (1 - 0.25) / 1.6, 1 / (16 / 6)
    assert tab.loc["a", "se"] == pytest.approx(100 * math.sqrt(var_a), rel=1e-12)
    assert tab.loc["a", "z"] == pytest.approx(50 / (100 * math.sqrt(var_a + var_b)), rel=1e-12)
    assert tab.loc["a", "small_n"]  # n_eff 1.6 < 2
    assert tab.attrs["overall"].nps == pytest.approx(100 * (5 - 3) / 8)


def test_weighted_nps_trend_with_unit_weights_is_the_unweighted_trend():
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"d": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, 300), "D"),
                       "ltr": rng.integers(0, 11, 300), "g": rng.choice(["x", "y"], 300), "w": 1.0})
    a = nps_trend(df, "ltr", "d", by="g")
    b = nps_trend(df, "ltr", "d", by="g", weights="w")
    for col in ("n", "nps", "se", "ci_low", "ci_high", "lcl", "ucl", "n_eff"):
        np.testing.assert_allclose(b[col].to_numpy(float), a[col].to_numpy(float), rtol=1e-12, equal_nan=True)
    assert b["signal"].tolist() == a["signal"].tolist()
