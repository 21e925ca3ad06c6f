"""Tests of cxlib.servqual: hand-worked gaps, weights, tests, psych-compatible alpha, bad input, charts."""

import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from cxlib import servqual as sq
from cxlib.errors import CXDataError, ScoreError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- instrument
def test_standard_instrument_maps_22_items_to_five_dimensions():
    inst = sq.SERVQUAL_22
    assert list(inst) == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    assert inst["tangibles"] == (1, 2, 3, 4)
    assert inst["reliability"] == (5, 6, 7, 8, 9)
    assert inst["responsiveness"] == (10, 11, 12, 13)
    assert inst["assurance"] == (14, 15, 16, 17)
    assert inst["empathy"] == (18, 19, 20, 21, 22)
    with pytest.raises(TypeError):
        inst["tangibles"] = (1,)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_instrument_table_has_wording_for_every_item(lang):
    t = sq.instrument_table(lang=lang)
    assert t["item"].tolist() == list(range(1, 23))
    assert (t["wording"].str.len() > 0).all()
    assert t.loc[t["item"] == 14, "perception"].item() == "p14"


def test_adapted_instrument_is_checked():
    with pytest.raises(ValueError, match="item 2 is in both"):
        sq.gaps(pd.DataFrame({"e01": [1]}), instrument={"a": [1, 2], "b": [2]})
    with pytest.raises(ValueError, match="no items"):
        sq.gaps(pd.DataFrame({"e01": [1]}), instrument={"a": []})


# --------------------------------------------------------------------------- hand-worked gaps
# Three respondents, a shortened instrument: "tangibles" = items 1, 2; "empathy" = item 3.
#   r0: e = 7, 6, 7   p = 5, 6, 4   gaps −2, 0, −3   tangibles −1.0   empathy −3
#   r1: e = 6, 6, 5   p = 6, 4, 6   gaps  0, −2, 1   tangibles −1.0   empathy  1
#   r2: e = 7, —, 6   p = 4, 5, 6   gaps −3, (missing E), 0  tangibles −3.0 (item 1 only)   empathy 0
# tangibles: mean (−1 − 1 − 3)/3 = −5/3; sd = √(((2/3)² + (2/3)² + (4/3)²)/2) = √(4/3)
#            95% CI: −5/3 ± t(0.975, 2)·sd/√3 = −5/3 ± 4.302653·0.666667
# expectation over complete pairs: r0 (7+6)/2 = 6.5, r1 6, r2 7 → 6.5;
# perception: r0 5.5, r1 5, r2 4 → 14.5/3
SHORT = {"tangibles": [1, 2], "empathy": [3]}
HAND = pd.DataFrame(
    {
        "e01": [7, 6, 7], "e02": [6, 6, np.nan], "e03": [7, 5, 6],
        "p01": [5, 6, 4], "p02": [6, 4, 5], "p03": [4, 6, 6],
        "property_id": ["city", "city", "airport"],
        "w_tangibles": [60, 20, np.nan], "w_empathy": [40, 80, np.nan],
    },
    index=["r0", "r1", "r2"],
)


def test_item_gaps_tidy_table():
    g = sq.gaps(HAND, SHORT)
    assert g.attrs["n_missing"] == 1  # r2 item 2 has no E
    assert len(g) == 8
    row = g[(g["respondent"] == "r0") & (g["item"] == 3)].iloc[0]
    assert (row["dimension"], row["expectation"], row["perception"], row["gap"]) == ("empathy", 7, 4, -3)


def test_respondent_gaps_by_hand():
    r = sq.respondent_gaps(HAND, SHORT)
    assert r["tangibles"].tolist() == [-1.0, -1.0, -3.0]
    assert r["empathy"].tolist() == [-3.0, 1.0, 0.0]
    # unweighted score = mean of the dimension scores (ZPB 1990)
    assert r["overall"].tolist() == [-2.0, 0.0, -1.5]


def test_gap_by_dimension_by_hand():
    t = sq.gap_by_dimension(HAND, instrument=SHORT).set_index("dimension")
    tang = t.loc["tangibles"]
    assert tang["n"] == 3
    assert tang["gap"] == pytest.approx(-5 / 3)
    assert tang["sd"] == pytest.approx(math.sqrt(4 / 3))
    assert tang["se"] == pytest.approx(math.sqrt(4 / 3) / math.sqrt(3))
    half = 4.302653 * math.sqrt(4 / 3) / math.sqrt(3)
    assert tang["ci_low"] == pytest.approx(-5 / 3 - half, abs=1e-5)
    assert tang["ci_high"] == pytest.approx(-5 / 3 + half, abs=1e-5)
    assert tang["expectation"] == pytest.approx(6.5)
    assert tang["perception"] == pytest.approx(14.5 / 3)
    assert t.loc["empathy", "gap"] == pytest.approx(-2 / 3)


def test_gap_by_dimension_by_group():
    t = sq.gap_by_dimension(HAND, by="property_id", instrument=SHORT)
    city = t[(t["property_id"] == "city") & (t["dimension"] == "tangibles")].iloc[0]
    assert (city["n"], city["gap"]) == (2, -1.0)
    airport = t[(t["property_id"] == "airport") & (t["dimension"] == "tangibles")].iloc[0]
    assert airport["n"] == 1 and np.isnan(airport["ci_low"])
    assert t.attrs["by"] == ["property_id"]


def test_weighted_score_by_hand():
    # r0: −1·0.60 + (−3)·0.40 = −1.8 ; r1: −1·0.20 + 1·0.80 = 0.6 ; r2 gave no weights (left out)
    t = sq.weighted_score(HAND, instrument=SHORT)
    assert t.loc[0, "n"] == 2 and t.attrs["n_missing"] == 1
    assert t.loc[0, "weighted"] == pytest.approx((-1.8 + 0.6) / 2)
    assert t.loc[0, "unweighted"] == pytest.approx((-2.0 + 0.0) / 2)
    assert t.loc[0, "w_tangibles"] == pytest.approx(40)
    # mean weights (40, 60): r0 −1·0.4 − 3·0.6 = −2.2 ; r1 −1·0.4 + 1·0.6 = 0.2
    m = sq.weighted_score(HAND, method="mean", instrument=SHORT)
    assert m.loc[0, "weighted"] == pytest.approx((-2.2 + 0.2) / 2)
    # with mean weights the score equals Σ w̄_d·ḡap_d/100 over the same respondents
    assert m.loc[0, "weighted"] == pytest.approx(0.4 * -1.0 + 0.6 * -1.0)


def test_servperf_by_hand():
    t = sq.servperf(HAND, instrument=SHORT).set_index("dimension")
    # tangibles P: r0 (5+6)/2 = 5.5, r1 5, r2 (4+5)/2 = 4.5 → 5.0 (P alone: r2 item 2 counts)
    assert t.loc["tangibles", "perception"] == pytest.approx(5.0)
    # overall = mean of all P items: r0 5, r1 16/3, r2 5 → (15 + 16/3)/3
    assert t.loc["overall", "perception"] == pytest.approx((10 + 16 / 3) / 3)
    assert t.loc["overall", "n"] == 3


def test_paired_tests_by_hand():
    df = pd.DataFrame({"e01": [7, 6, 7, 6, 5], "p01": [5, 6, 4, 4, 5],
                       "e02": [5, 5, 6, 4, 6], "p02": [6, 4, 6, 5, 6]})
    t = sq.paired_tests(df, instrument={"a": [1], "b": [2]}).set_index("dimension")
    d = np.array([-2, 0, -3, -2, 0.0])
    tt = d.mean() / (d.std(ddof=1) / math.sqrt(5))
    p = 2 * stats.t.sf(abs(tt), 4)
    assert t.loc["a", "t"] == pytest.approx(tt)
    assert t.loc["a", "dof"] == 4
    assert t.loc["a", "p_value"] == pytest.approx(p)
    assert t.loc["a", "cohen_dz"] == pytest.approx(d.mean() / d.std(ddof=1))
    sd_av = math.sqrt((np.var([5, 6, 4, 4, 5], ddof=1) + np.var([7, 6, 7, 6, 5], ddof=1)) / 2)
    assert t.loc["a", "cohen_d"] == pytest.approx(d.mean() / sd_av)
    # Holm over the two dimensions: smaller p × 2, larger p × 1 (but never below the first)
    p_a, p_b = t.loc["a", "p_value"], t.loc["b", "p_value"]
    lo, hi = sorted([p_a, p_b])
    adj = {lo: min(1, 2 * lo), hi: max(min(1, 2 * lo), hi)}
    assert t.loc["a", "p_adjusted"] == pytest.approx(adj[p_a])
    assert t.loc["b", "p_adjusted"] == pytest.approx(adj[p_b])
    none = sq.paired_tests(df, correction=None, instrument={"a": [1], "b": [2]})
    assert (none["p_adjusted"] == none["p_value"]).all()


def test_paired_tests_adjust_within_each_group():
    rng = np.random.default_rng(3)
    df = _survey(rng, 60)
    t = sq.paired_tests(df, by="property_id")
    for _, sub in t.groupby("property_id"):
        _, expect = pg.multicomp(sub["p_value"].to_numpy(), method="holm")
        np.testing.assert_allclose(sub["p_adjusted"], expect)


# --------------------------------------------------------------------------- bad input
def test_expectation_outside_1_to_7_names_column_and_row():
    bad = HAND.copy()
    bad.loc["r1", "e03"] = 8
    with pytest.raises(ScoreError) as err:
        sq.gap_by_dimension(bad, instrument=SHORT)
    assert "e03" in str(err.value) and "r1" in str(err.value) and "8" in str(err.value)


def test_perception_below_1_is_an_error():
    bad = HAND.copy()
    bad.loc["r0", "p01"] = 0
    with pytest.raises(ScoreError, match="p01"):
        sq.gaps(bad, SHORT)


def test_weights_not_summing_to_100_name_the_row():
    bad = HAND.copy()
    bad.loc["r1", "w_empathy"] = 70  # 20 + 70 = 90
    with pytest.raises(CXDataError) as err:
        sq.weighted_score(bad, instrument=SHORT)
    assert "row r1" in str(err.value) and "sum 90" in str(err.value) and "100" in str(err.value)


def test_incomplete_weights_are_an_error():
    bad = HAND.copy()
    bad.loc["r1", "w_empathy"] = np.nan
    with pytest.raises(CXDataError, match="row r1 \\(incomplete\\)"):
        sq.weighted_score(bad, instrument=SHORT)


def test_missing_servqual_columns_are_named():
    with pytest.raises(CXDataError, match="p02"):
        sq.gaps(HAND.drop(columns="p02"), SHORT)


def test_reliability_needs_two_items():
    with pytest.raises(CXDataError, match="at least 2 items"):
        sq.reliability(pd.DataFrame({"a": [1, 2, 3]}))


def test_reliability_rejects_zero_variance_items_by_name():
    with pytest.raises(CXDataError, match="zero variance.*'b'"):
        sq.reliability(pd.DataFrame({"a": [1, 2, 3], "b": [4, 4, 4], "c": [1, 3, 2]}))


def test_reliability_rejects_text():
    with pytest.raises(CXDataError, match="'b'.*non-numeric"):
        sq.reliability(pd.DataFrame({"a": [1, 2, 3], "b": [1, "x", 2]}, dtype=object))


def test_unknown_group_column_is_named():
    with pytest.raises(CXDataError, match="hotel"):
        sq.gap_by_dimension(HAND, by="hotel", instrument=SHORT)


# --------------------------------------------------------------------------- reliability
# 4 respondents × 3 items, by hand:
#   a = 1 2 3 4 (mean 2.5), b = 2 2 4 4 (mean 3), c = 1 3 3 5 (mean 3)
#   var a = 5/3, var b = 4/3, var c = 8/3; cov ab = 4/3, cov ac = 2, cov bc = 4/3
#   tr C = 17/3, ΣC = 17/3 + 2(4/3 + 2 + 4/3) = 15
#   alpha = (3/2)(1 − (17/3)/15) = (3/2)(28/45) = 14/15
#   r_ab = (4/3)/√(5/3·4/3) = 2/√5, r_ac = 2/√(5/3·8/3) = 3/√10, r_bc = (4/3)/√(4/3·8/3) = 1/√2
#   alpha_std = (3/2)(1 − 3/(3 + 2(2/√5 + 3/√10 + 1/√2)))
#   b + c = 3 5 7 9 = 2a + 1 → r_drop(a) = 1; alpha if a dropped = 2(1 − 4/(4 + 8/3)) = 0.8
SMALL = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 5]})


def test_alpha_by_hand():
    r = sq.reliability(SMALL)
    assert r.alpha == pytest.approx(14 / 15)
    sum_r = 3 + 2 * (2 / math.sqrt(5) + 3 / math.sqrt(10) + 1 / math.sqrt(2))
    assert r.alpha_std == pytest.approx(1.5 * (1 - 3 / sum_r))
    assert (r.n, r.k) == (4, 3)
    assert r.items.loc["a", "r_drop"] == pytest.approx(1.0)
    assert r.items.loc["a", "alpha_if_dropped"] == pytest.approx(0.8)
    assert r.items.loc["b", "mean"] == 3 and r.items.loc["c", "sd"] == pytest.approx(math.sqrt(8 / 3))
    assert r.items["n"].tolist() == [4, 4, 4]
    # Feldt: 1 − (1 − α)·F(0.975; 3, 6) and 1 − (1 − α)·F(0.025; 3, 6)
    assert r.ci_low == pytest.approx(1 - (1 / 15) * stats.f.ppf(0.975, 3, 6))
    assert r.ci_high == pytest.approx(1 - (1 / 15) * stats.f.ppf(0.025, 3, 6))


def test_result_is_frozen():
    r = sq.reliability(SMALL)
    with pytest.raises(AttributeError):
        r.alpha = 0.5
    assert [f for f in r.__dataclass_fields__] == ["alpha", "alpha_std", "ci_low", "ci_high", "n", "k", "items"]
    assert list(r.items.columns) == ["alpha_if_dropped", "r_drop", "mean", "sd", "n"]


def test_alpha_equals_pingouin_on_complete_data():
    rng = np.random.default_rng(7)
    latent = rng.normal(size=(150, 1))
    x = pd.DataFrame(np.round(4 + latent + rng.normal(scale=0.8, size=(150, 5))), columns=list("vwxyz"))
    r = sq.reliability(x)
    alpha, ci = pg.cronbach_alpha(x)
    assert r.alpha == pytest.approx(alpha, rel=1e-12)
    assert [r.ci_low, r.ci_high] == pytest.approx(list(ci), abs=5e-4)  # pingouin rounds to 3 decimals


def test_psych_example_with_missing_values():
    # pingouin's documented psych::alpha(data, use = "pairwise") example: 0.732660835214447, CI [0.435, 0.909]
    data = pg.read_dataset("cronbach_wide_missing")
    r = sq.reliability(data)
    assert r.alpha == pytest.approx(0.732660835214447, rel=1e-12)
    assert [r.ci_low, r.ci_high] == pytest.approx([0.435, 0.909], abs=5e-4)


def _psych_by_loops(x: np.ndarray):
    """psych::alpha(use = "pairwise") re-done the long way: pair by pair, as in R's cov."""
    k = x.shape[1]
    c = np.empty((k, k))
    for i, j in itertools.product(range(k), range(k)):
        both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
        xi, xj = x[both, i], x[both, j]
        c[i, j] = ((xi - xi.mean()) * (xj - xj.mean())).sum() / (both.sum() - 1)
    r = c / np.sqrt(np.outer(np.diag(c), np.diag(c)))  # psych 2.2.9: R <- cov2cor(C)
    alpha_raw = (1 - np.trace(c) / c.sum()) * (k / (k - 1))
    alpha_std = (1 - k / r.sum()) * (k / (k - 1))
    r_drop, a_drop = [], []
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        sub = c[np.ix_(keep, keep)]
        v_drop = sub.sum()
        c_drop = c[:, i].sum() - c[i, i]
        r_drop.append(c_drop / math.sqrt(c[i, i] * v_drop))
        a_drop.append((1 - np.trace(sub) / sub.sum()) * ((k - 1) / (k - 2)))
    means = [np.nanmean(x[:, i]) for i in range(k)]
    sds = [np.nanstd(x[:, i], ddof=1) for i in range(k)]
    return alpha_raw, alpha_std, r_drop, a_drop, means, sds


def test_pairwise_alpha_matches_psych_recomputed_pair_by_pair():
    rng = np.random.default_rng(11)
    latent = rng.normal(size=(40, 1))
    x = np.round(4 + latent + rng.normal(scale=0.9, size=(40, 4)))
    holes = rng.random(x.shape) < 0.15
    x[holes] = np.nan
    alpha_raw, alpha_std, r_drop, a_drop, means, sds = _psych_by_loops(x)
    r = sq.reliability(pd.DataFrame(x, columns=list("abcd")))
    assert r.alpha == pytest.approx(alpha_raw, rel=1e-12)
    assert r.alpha_std == pytest.approx(alpha_std, rel=1e-12)
    np.testing.assert_allclose(r.items["r_drop"], r_drop, rtol=1e-12)
    np.testing.assert_allclose(r.items["alpha_if_dropped"], a_drop, rtol=1e-12)
    np.testing.assert_allclose(r.items["mean"], means, rtol=1e-12)
    np.testing.assert_allclose(r.items["sd"], sds, rtol=1e-12)
    np.testing.assert_array_equal(r.items["n"], (~np.isnan(x)).sum(axis=0))
    # with holes the pairwise correlation matrix is not cov2cor(C); psych 2.2.9 takes alpha_std from
    # cov2cor(C) (the fix of issue 13: the pairwise correlations gave a different, wrong value)
    pairwise_r = pd.DataFrame(x).corr().to_numpy()
    from_pairwise_r = (1 - 4 / pairwise_r.sum()) * (4 / 3)
    assert r.alpha_std != pytest.approx(from_pairwise_r, rel=1e-9)
    implied = sq.reliability_from_cov(pd.DataFrame(x).cov(), n=40)
    assert implied.alpha_std == pytest.approx(alpha_std, rel=1e-12)


def test_rows_without_any_answer_are_not_respondents():
    x = pd.concat([SMALL, pd.DataFrame({"a": [np.nan], "b": [np.nan], "c": [np.nan]})], ignore_index=True)
    assert sq.reliability(x).n == 4 and sq.reliability(x).alpha == pytest.approx(14 / 15)


def test_two_items_have_no_alpha_if_dropped():
    r = sq.reliability(SMALL[["a", "b"]])
    assert r.items["alpha_if_dropped"].isna().all()
    assert r.items.loc["a", "r_drop"] == pytest.approx(2 / math.sqrt(5))


def test_dimension_reliability_covers_every_dimension_and_measure():
    df = _survey(np.random.default_rng(5), 80)
    t = sq.dimension_reliability(df)
    assert len(t) == 15 and set(t["measure"]) == {"expectation", "perception", "gap"}
    tang_p = t[(t["dimension"] == "tangibles") & (t["measure"] == "perception")].iloc[0]
    assert tang_p["alpha"] == pytest.approx(sq.reliability(df[["p01", "p02", "p03", "p04"]]).alpha)


item_tables = arrays(
    np.float64,
    st.tuples(st.integers(3, 25), st.integers(2, 6)),
    elements=st.integers(1, 7).map(float),
)


@settings(max_examples=50, deadline=None)
@given(item_tables, st.randoms(use_true_random=False))
def test_alpha_does_not_depend_on_item_order(x, rnd):
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(x.shape[1])])
    if (df.var() == 0).any():
        with pytest.raises(CXDataError, match="zero variance"):
            sq.reliability(df)
        return
    cols = list(df.columns)
    rnd.shuffle(cols)
    a, b = sq.reliability(df), sq.reliability(df[cols])
    # items that cancel out exactly (total variance 0) give NaN in any order
    assert b.alpha == pytest.approx(a.alpha, rel=1e-9, abs=1e-12, nan_ok=True)
    assert b.alpha_std == pytest.approx(a.alpha_std, rel=1e-9, abs=1e-12, nan_ok=True)
    pd.testing.assert_frame_equal(b.items.loc[a.items.index], a.items, rtol=1e-9)
    assert np.isnan(a.alpha) or (a.alpha <= 1 and a.ci_low <= a.alpha <= a.ci_high)


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**32 - 1))
def test_gap_table_row_order_independent(n, seed):
    df = _survey(np.random.default_rng(seed), n)
    shuffled = df.sample(frac=1, random_state=seed % 1000)
    a = sq.gap_by_dimension(df, by="property_id")
    b = sq.gap_by_dimension(shuffled, by="property_id")
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
    g = sq.respondent_gaps(df)
    assert ((g.drop(columns="overall") >= -6) & (g.drop(columns="overall") <= 6)).all().all()


# --------------------------------------------------------------------------- charts
def _survey(rng, n):
    df = pd.DataFrame({f"e{i:02d}": rng.integers(4, 8, n) for i in range(1, 23)})
    for i in range(1, 23):
        df[f"p{i:02d}"] = np.clip(df[f"e{i:02d}"] - rng.integers(0, 3, n), 1, 7)
    df["property_id"] = rng.choice(["city", "resort", "airport"], n)
    w = np.full((n, 5), 20)
    for j, d in enumerate(sq.DIMENSIONS):
        df[f"w_{d}"] = w[:, j]
    return df


@pytest.mark.filterwarnings("ignore:Glyph")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts(lang):
    df = _survey(np.random.default_rng(1), 60)
    table = sq.gap_by_dimension(df)
    grouped = sq.gap_by_dimension(df, by="property_id")
    for data in (table, grouped):
        fig, ax = plt.subplots()
        assert sq.plot_gaps(data, ax=ax, lang=lang) is ax
        assert len(ax.get_yticklabels()) == 5
        fig, ax = plt.subplots()
        assert sq.plot_profile(data, ax=ax, lang=lang) is ax
        fig, ax = plt.subplots(subplot_kw={"projection": "polar"})
        assert sq.plot_radar(data, ax=ax, lang=lang) is ax
    plt.figure()
    assert sq.plot_profile(df, lang=lang) is plt.gca()  # raw answers work too
    plt.figure()
    assert sq.plot_radar(table, lang=lang).name == "polar"


def test_radar_needs_polar_axes():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="polar"):
        sq.plot_radar(sq.gap_by_dimension(_survey(np.random.default_rng(2), 10)), ax=ax)
