"""cxlib.drivers: key drivers (correlations, betas, relative weights, LMG), IPA, experience pays.

Reference values come from published output of the R packages the module mirrors
(rwa's README, relaimpo's output as printed in domir's README) on R's ``mtcars``
data; the LMG decomposition is also checked against an independent brute-force
route that refits OLS on the raw rows for every subset and averages over orderings.
"""

from __future__ import annotations

import io
import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlib import drivers
from cxlib.drivers import (
    CollinearDriversError,
    ConstantColumnError,
    DriverDataError,
    MissingOutcomeError,
    TooFewRowsError,
)
from cxlib.errors import CXDataError, ScoreError

# R's datasets::mtcars (Henderson & Velleman 1981), the columns used below.
MTCARS_CSV = """model,mpg,cyl,disp,hp,vs,am,gear
Mazda RX4,21.0,6,160.0,110,0,1,4
Mazda RX4 Wag,21.0,6,160.0,110,0,1,4
Datsun 710,22.8,4,108.0,93,1,1,4
Hornet 4 Drive,21.4,6,258.0,110,1,0,3
Hornet Sportabout,18.7,8,360.0,175,0,0,3
Valiant,18.1,6,225.0,105,1,0,3
Duster 360,14.3,8,360.0,245,0,0,3
Merc 240D,24.4,4,146.7,62,1,0,4
Merc 230,22.8,4,140.8,95,1,0,4
Merc 280,19.2,6,167.6,123,1,0,4
Merc 280C,17.8,6,167.6,123,1,0,4
Merc 450SE,16.4,8,275.8,180,0,0,3
Merc 450SL,17.3,8,275.8,180,0,0,3
Merc 450SLC,15.2,8,275.8,180,0,0,3
Cadillac Fleetwood,10.4,8,472.0,205,0,0,3
Lincoln Continental,10.4,8,460.0,215,0,0,3
Chrysler Imperial,14.7,8,440.0,230,0,0,3
Fiat 128,32.4,4,78.7,66,1,1,4
Honda Civic,30.4,4,75.7,52,1,1,4
Toyota Corolla,33.9,4,71.1,65,1,1,4
Toyota Corona,21.5,4,120.1,97,1,0,3
Dodge Challenger,15.5,8,318.0,150,0,0,3
AMC Javelin,15.2,8,304.0,150,0,0,3
Camaro Z28,13.3,8,350.0,245,0,0,3
Pontiac Firebird,19.2,8,400.0,175,0,0,3
Fiat X1-9,27.3,4,79.0,66,1,1,4
Porsche 914-2,26.0,4,120.3,91,0,1,5
Lotus Europa,30.4,4,95.1,113,1,1,5
Ford Pantera L,15.8,8,351.0,264,0,1,5
Ferrari Dino,19.7,6,145.0,175,0,1,5
Maserati Bora,15.0,8,301.0,335,0,1,5
Volvo 142E,21.4,4,121.0,109,1,1,4
"""


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(MTCARS_CSV), index_col="model")


def survey(n: int = 300, p: int = 4, seed: int = 0) -> pd.DataFrame:
    """Correlated 1–5 ratings and an overall score driven by them."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + 0.8 * common + rng.normal(size=(n, p))), 1, 5)
    y = x @ np.linspace(1.0, 0.2, p) + rng.normal(scale=1.5, size=n)
    df = pd.DataFrame(x, columns=[f"tp_{i}" for i in range(p)])
    df["overall"] = y
    return df


# ----------------------------------------------------------------- published values


def test_relative_weights_match_rwa_readme_on_mtcars(mtcars):
    # rwa README (github.com/martinctc/rwa, "Basic example"):
    # rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp", "gear"))
    # rsquare 0.7791896; Raw.RelWeight 0.2284797 0.2221469 0.2321744 0.0963886;
    # Rescaled.RelWeight 29.32274 28.50999 29.79691 12.37037
    res = drivers.relative_weights(mtcars, "mpg", ["cyl", "disp", "hp", "gear"])
    assert res.attrs["r2"] == pytest.approx(0.7791896, abs=5e-8)
    assert res["raw_weight"].tolist() == pytest.approx([0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8)
    assert res["pct"].tolist() == pytest.approx([29.32274, 28.50999, 29.79691, 12.37037], abs=5e-6)
    assert res.attrs["n_used"] == 32 and res.attrs["n_excluded"] == 0


def test_shapley_matches_relaimpo_lmg_on_mtcars(mtcars):
    # relaimpo::calc.relimp(mpg ~ am + vs + cyl, data = mtcars, type = "lmg") as printed in
    # domir's README (github.com/jluchman/domir): R² 76.2 % (domir: 0.7619773);
    # lmg am 0.1774892, vs 0.2027032, cyl 0.3817849; standardized 0.2329324 0.2660226 0.5010450.
    res = drivers.shapley_r2(mtcars, "mpg", ["am", "vs", "cyl"])
    assert res.attrs["r2"] == pytest.approx(0.7619773, abs=5e-8)
    assert res["r2_share"].tolist() == pytest.approx([0.1774892, 0.2027032, 0.3817849], abs=5e-8)
    assert (res["pct"] / 100).tolist() == pytest.approx([0.2329324, 0.2660226, 0.5010450], abs=5e-8)
    assert res.attrs["method"] == "exact"


def test_subset_r2_match_domir_conditional_dominance_on_mtcars(mtcars):
    # domir README, "Conditional Dominance Values", subset size 1 = R² of each driver alone.
    st_ = drivers._prepare(mtcars, "mpg", ["am", "vs", "cyl"])
    subsets = drivers.all_subsets_r2_from_corr(st_.corr, "mpg").set_index("drivers")["r2"]
    assert subsets[("am",)] == pytest.approx(0.3597989, abs=5e-8)
    assert subsets[("vs",)] == pytest.approx(0.4409477, abs=5e-8)
    assert subsets[("cyl",)] == pytest.approx(0.7261800, abs=5e-8)
    assert subsets[("am", "vs", "cyl")] == pytest.approx(0.7619773, abs=5e-8)


# ------------------------------------------------- independent brute-force routes


def _lstsq_r2(y: np.ndarray, X: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


@pytest.mark.parametrize("p", [3, 4])
def test_lmg_equals_refitting_every_subset_and_averaging_over_orderings(p):
    df = survey(n=120, p=p, seed=p)
    names = [f"tp_{i}" for i in range(p)]
    y = df["overall"].to_numpy()
    X = df[names].to_numpy()
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for subset in itertools.combinations(range(p), k):
            r2[subset] = _lstsq_r2(y, X[:, subset])
    shares = np.zeros(p)
    orderings = list(itertools.permutations(range(p)))
    for order in orderings:
        for pos, j in enumerate(order):
            before = tuple(sorted(order[:pos]))
            shares[j] += r2[tuple(sorted(order[: pos + 1]))] - r2[before]
    shares /= len(orderings)
    res = drivers.shapley_r2(df, "overall", names)
    assert res["r2_share"].to_numpy() == pytest.approx(shares, abs=1e-12)
    assert res.attrs["r2"] == pytest.approx(r2[tuple(range(p))], abs=1e-12)
    table = drivers.all_subsets_r2_from_corr(drivers._prepare(df, "overall", names).corr, "overall")
    for members, value in zip(table["drivers"], table["r2"], strict=True):
        assert value == pytest.approx(r2[tuple(names.index(m) for m in members)], abs=1e-12)


def test_betas_and_correlations_match_independent_fits():
    import statsmodels.api as sm

    df = survey(n=150, p=3, seed=7)
    names = ["tp_0", "tp_1", "tp_2"]
    z = (df - df.mean()) / df.std()
    coef, *_ = np.linalg.lstsq(z[names].to_numpy(), z["overall"].to_numpy(), rcond=None)
    fit = sm.OLS(df["overall"], sm.add_constant(df[names])).fit()
    b = drivers.betas(df, "overall", names)
    assert b["beta"].to_numpy() == pytest.approx(coef, abs=1e-12)
    assert b["t"].to_numpy() == pytest.approx(fit.tvalues[names].to_numpy(), rel=1e-9)
    assert b["p_value"].to_numpy() == pytest.approx(fit.pvalues[names].to_numpy(), rel=1e-6)
    assert b.attrs["r2"] == pytest.approx(fit.rsquared, abs=1e-12)
    c = drivers.correlations(df, "overall", names)
    for name in names:
        ref = stats.pearsonr(df[name], df["overall"])
        ci = ref.confidence_interval(0.95)
        assert c.loc[name, "r"] == pytest.approx(ref.statistic, abs=1e-12)
        assert c.loc[name, "p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
        assert (c.loc[name, "ci_low"], c.loc[name, "ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)


# --------------------------------------------------------------- hand-worked cases


def test_two_orthogonal_drivers_share_their_squared_correlations():
    # a and b are exactly orthogonal (and centred), so R² = r_a² + r_b² and both methods
    # give each driver its own squared correlation.
    a = np.array([1, -1, 1, -1, 1, -1, 1, -1], float)
    b = np.array([1, 1, -1, -1, 1, 1, -1, -1], float)
    y = np.array([3, 1, 2, 0, 4, 1, 1, 0], float)
    df = pd.DataFrame({"y": y, "a": a, "b": b})
    r_a, r_b = np.corrcoef(y, a)[0, 1], np.corrcoef(y, b)[0, 1]
    for res, col in (
        (drivers.shapley_r2(df, "y", ["a", "b"]), "r2_share"),
        (drivers.relative_weights(df, "y", ["a", "b"]), "raw_weight"),
    ):
        assert res[col].tolist() == pytest.approx([r_a**2, r_b**2], abs=1e-12)
        assert res.attrs["r2"] == pytest.approx(r_a**2 + r_b**2, abs=1e-12)
    # and straight from a correlation matrix: r = .6 and .3, uncorrelated drivers
    corr = [[1, 0.6, 0.3], [0.6, 1, 0], [0.3, 0, 1]]
    assert drivers.shapley_r2_from_corr(corr)["r2_share"].tolist() == pytest.approx([0.36, 0.09])
    assert drivers.relative_weights_from_corr(corr)["raw_weight"].tolist() == pytest.approx([0.36, 0.09])


def test_one_driver_gets_all_of_r2():
    df = pd.DataFrame({"y": [1, 2, 2, 4, 5, 7], "x": [1, 1, 2, 3, 3, 5]})
    r = np.corrcoef(df["y"], df["x"])[0, 1]
    lmg = drivers.shapley_r2(df, "y", ["x"])
    rw = drivers.relative_weights(df, "y", ["x"])
    assert lmg["r2_share"].iloc[0] == pytest.approx(r**2) == pytest.approx(lmg.attrs["r2"])
    assert rw["raw_weight"].iloc[0] == pytest.approx(r**2)
    assert lmg["pct"].iloc[0] == pytest.approx(100.0) and rw["pct"].iloc[0] == pytest.approx(100.0)


def test_two_correlated_drivers_by_hand():
    # r1 = .5, r2 = .4, r12 = .3: R² = (r1² + r2² − 2 r1 r2 r12)/(1 − r12²) = .29/.91.
    # LMG_1 = [r1² + (R² − r2²)]/2 (average over the two orders).
    # Johnson: Λ = √R_xx = [[c, s], [s, c]] with c, s = (√1.3 ± √.7)/2; β* = Λ⁻¹ r;
    # ε_1 = c² β*_1² + s² β*_2².
    corr = [[1, 0.5, 0.4], [0.5, 1, 0.3], [0.4, 0.3, 1]]
    r2 = 0.29 / 0.91
    lmg = drivers.shapley_r2_from_corr(corr)
    assert lmg.attrs["r2"] == pytest.approx(r2, abs=1e-14)
    assert lmg["r2_share"].tolist() == pytest.approx([(0.25 + r2 - 0.16) / 2, (0.16 + r2 - 0.25) / 2], abs=1e-14)
    c, s = (math.sqrt(1.3) + math.sqrt(0.7)) / 2, (math.sqrt(1.3) - math.sqrt(0.7)) / 2
    det = c * c - s * s
    b1, b2 = (c * 0.5 - s * 0.4) / det, (c * 0.4 - s * 0.5) / det
    rw = drivers.relative_weights_from_corr(corr)
    assert rw["raw_weight"].tolist() == pytest.approx([c * c * b1 * b1 + s * s * b2 * b2, s * s * b1 * b1 + c * c * b2 * b2], abs=1e-14)
    assert rw.attrs["r2"] == pytest.approx(r2, abs=1e-14)


def test_covariance_matrix_and_labelled_outcome_give_the_same_shares(mtcars):
    cols = ["hp", "mpg", "am", "cyl"]  # outcome not first: found by label
    cov = mtcars[cols].cov()
    by_cov = drivers.shapley_r2_from_corr(cov, "mpg")
    by_rows = drivers.shapley_r2(mtcars, "mpg", ["hp", "am", "cyl"])
    assert list(by_cov.index) == ["hp", "am", "cyl"]
    assert by_cov["r2_share"].to_numpy() == pytest.approx(by_rows["r2_share"].to_numpy(), abs=1e-12)


# ---------------------------------------------------------------- approximation


def test_more_than_15_drivers_use_seeded_permutation_sampling_with_mc_se():
    df = survey(n=400, p=17, seed=3)
    names = [f"tp_{i}" for i in range(17)]
    approx = drivers.shapley_r2(df, "overall", names, n_perm=3000, seed=11)
    exact = drivers.shapley_r2(df, "overall", names, method="exact")
    assert approx.attrs["method"] == "permutation" and exact.attrs["method"] == "exact"
    assert approx.attrs["n_perm"] == 3000 and "mc_se" in approx.columns
    assert approx["r2_share"].sum() == pytest.approx(approx.attrs["r2"], abs=1e-12)
    dev = np.abs(approx["r2_share"] - exact["r2_share"]) / approx["mc_se"]
    assert dev.max() < 5
    again = drivers.shapley_r2(df, "overall", names, n_perm=3000, seed=11)
    pd.testing.assert_frame_equal(approx, again)


def test_exact_method_has_a_stated_limit():
    corr = np.eye(22)
    corr[0, 1:] = corr[1:, 0] = 0.1
    with pytest.raises(ValueError, match="at most 20 drivers"):
        drivers.shapley_r2_from_corr(corr, method="exact")


# ------------------------------------------------------------- property tests


@st.composite
def rating_data(draw):
    p = draw(st.integers(1, 5))
    n = draw(st.integers(p + 8, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, p)).astype(float)
    y = x @ rng.normal(size=p) + rng.normal(size=n)
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(p)])
    df["y"] = y
    return df, [f"d{i}" for i in range(p)]


def _shares_or_skip(df, names):
    try:
        return drivers.shapley_r2(df, "y", names), drivers.relative_weights(df, "y", names)
    except CXDataError:
        return None  # a random draw with a constant or collinear column


@settings(max_examples=60, deadline=None)
@given(rating_data())
def test_shares_sum_to_r2_and_are_non_negative(data):
    df, names = data
    out = _shares_or_skip(df, names)
    if out is None:
        return
    lmg, rw = out
    assert lmg["r2_share"].sum() == pytest.approx(lmg.attrs["r2"], abs=1e-10)
    assert rw["raw_weight"].sum() == pytest.approx(rw.attrs["r2"], abs=1e-10)
    assert lmg.attrs["r2"] == pytest.approx(rw.attrs["r2"], abs=1e-10)
    assert lmg["pct"].sum() == pytest.approx(100) and rw["pct"].sum() == pytest.approx(100)
    assert (lmg["r2_share"] >= -1e-12).all() and (rw["raw_weight"] >= -1e-12).all()
    assert 0 <= lmg.attrs["r2"] <= 1 + 1e-12


@settings(max_examples=40, deadline=None)
@given(rating_data(), st.randoms(use_true_random=False))
def test_permuting_drivers_permutes_shares_and_row_order_does_not_matter(data, rnd):
    df, names = data
    out = _shares_or_skip(df, names)
    if out is None:
        return
    lmg, rw = out
    shuffled = names[:]
    rnd.shuffle(shuffled)
    rows = list(df.index)
    rnd.shuffle(rows)
    lmg2 = drivers.shapley_r2(df.loc[rows], "y", shuffled)
    rw2 = drivers.relative_weights(df.loc[rows], "y", shuffled)
    assert list(lmg2.index) == shuffled
    assert lmg2["r2_share"].to_numpy() == pytest.approx(lmg.loc[shuffled, "r2_share"].to_numpy(), abs=1e-10)
    assert rw2["raw_weight"].to_numpy() == pytest.approx(rw.loc[shuffled, "raw_weight"].to_numpy(), abs=1e-10)


# ------------------------------------------------------------------ bad input


def test_constant_driver_is_named():
    df = survey(n=30, p=2)
    df["flat"] = 3.0
    with pytest.raises(ConstantColumnError, match=r"'flat' \(always 3\)"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1", "flat"])


def test_constant_outcome_is_named():
    df = survey(n=30, p=2)
    df["overall"] = 5
    with pytest.raises(ConstantColumnError, match="'overall'"):
        drivers.relative_weights(df, "overall", ["tp_0", "tp_1"])


def test_perfectly_collinear_drivers_are_named():
    df = survey(n=50, p=3)
    df["sum01"] = df["tp_0"] + df["tp_1"]
    with pytest.raises(CollinearDriversError) as err:
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1", "tp_2", "sum01"])
    msg = str(err.value)
    assert "'tp_0'" in msg and "'tp_1'" in msg and "'sum01'" in msg and "'tp_2'" not in msg


def test_rescaled_copy_of_a_driver_is_named_with_its_pair():
    df = survey(n=50, p=2)
    df["tp_0_x10"] = 10 * df["tp_0"]
    with pytest.raises(CollinearDriversError, match=r"'tp_0' and 'tp_0_x10' \(r = \+1.000\)"):
        drivers.relative_weights(df, "overall", ["tp_0", "tp_1", "tp_0_x10"])


def test_too_few_rows_for_the_number_of_drivers():
    df = survey(n=4, p=3)
    with pytest.raises(TooFewRowsError, match="4 complete rows for 3 drivers.*at least 5"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1", "tp_2"])
    with pytest.raises(TooFewRowsError, match="0 complete rows"):
        drivers.shapley_r2(df.iloc[:0], "overall", ["tp_0"])
    with pytest.raises(TooFewRowsError, match="1 complete row for 1 driver"):
        drivers.relative_weights(df.iloc[:1], "overall", ["tp_0"])


def test_too_few_rows_after_excluding_missing_drivers_says_why():
    df = survey(n=6, p=2)
    df.loc[[0, 1, 2], "tp_1"] = np.nan
    with pytest.raises(TooFewRowsError, match="3 of 6 rows excluded.*'tp_1' missing in 3"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1"])


def test_missing_outcome_raises_naming_rows():
    df = survey(n=20, p=2)
    df.index = [f"r{i}" for i in range(20)]
    df.loc[["r3", "r7"], "overall"] = np.nan
    with pytest.raises(MissingOutcomeError, match=r"outcome 'overall'.*index r3.*index r7"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1"])


def test_rows_with_missing_drivers_are_excluded_and_counted():
    df = survey(n=80, p=3, seed=5)
    df.loc[[1, 5, 9], "tp_2"] = np.nan
    df.loc[[5, 11], "tp_0"] = np.nan
    names = ["tp_0", "tp_1", "tp_2"]
    for fn in (drivers.shapley_r2, drivers.relative_weights, drivers.betas, drivers.correlations):
        res = fn(df, "overall", names)
        assert res.attrs["n_used"] == 76 and res.attrs["n_excluded"] == 4
        ref = fn(df.dropna(), "overall", names)
        pd.testing.assert_frame_equal(res, ref)


def test_non_numeric_and_infinite_values_are_named():
    df = survey(n=20, p=2)
    df["channel"] = ["app", "web"] * 10
    with pytest.raises(DriverDataError, match=r"column 'channel' has dtype .*'app'"):
        drivers.shapley_r2(df, "overall", ["tp_0", "channel"])
    df.loc[4, "tp_1"] = np.inf
    with pytest.raises(DriverDataError, match=r"column 'tp_1': infinite values — 1 index: index 4"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_1"])


def test_column_mistakes():
    df = survey(n=20, p=2)
    with pytest.raises(CXDataError, match="tp_9"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_9"])
    with pytest.raises(ValueError, match="cannot also be a driver"):
        drivers.shapley_r2(df, "overall", ["tp_0", "overall"])
    with pytest.raises(ValueError, match="more than once"):
        drivers.shapley_r2(df, "overall", ["tp_0", "tp_0"])


def test_matrix_that_is_not_a_correlation_matrix():
    not_psd = [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]
    with pytest.raises(DriverDataError, match="not positive semi-definite"):
        drivers.shapley_r2_from_corr(not_psd)
    with pytest.raises(DriverDataError, match="not symmetric"):
        drivers.relative_weights_from_corr([[1, 0.2], [0.3, 1]])


# ------------------------------------------------------ bootstrap and key drivers


def test_bootstrap_shares_are_seeded_and_bracket_the_estimate():
    df = survey(n=250, p=3, seed=1)
    names = ["tp_0", "tp_1", "tp_2"]
    for method, point in (("lmg", drivers.shapley_r2(df, "overall", names)["r2_share"]),
                          ("rw", drivers.relative_weights(df, "overall", names)["raw_weight"])):
        a = drivers.bootstrap_shares(df, "overall", names, method=method, n_boot=200, seed=4)
        b = drivers.bootstrap_shares(df, "overall", names, method=method, n_boot=200, seed=4)
        c = drivers.bootstrap_shares(df, "overall", names, method=method, n_boot=200, seed=5)
        pd.testing.assert_frame_equal(a, b)
        assert not np.allclose(a["share_ci_low"], c["share_ci_low"])
        assert a["share"].to_numpy() == pytest.approx(point.to_numpy(), abs=1e-12)
        assert (a["share_ci_low"] <= a["share"]).all() and (a["share"] <= a["share_ci_high"]).all()
        assert (a["pct_ci_low"] <= a["pct"]).all() and (a["pct"] <= a["pct_ci_high"]).all()
        assert a.attrs["n_boot"] == 200 and a.attrs["n_failed"] == 0 and a.attrs["method"] == method
    with pytest.raises(ValueError, match="'lmg' or 'rw'"):
        drivers.bootstrap_shares(df, "overall", names, method="pmvd")


def test_key_drivers_combines_the_measures():
    df = survey(n=200, p=3, seed=2)
    df.loc[[3, 4], "tp_1"] = np.nan
    names = ["tp_0", "tp_1", "tp_2"]
    kd = drivers.key_drivers(df, "overall", names, ci=True, n_boot=100, seed=1)
    used = df.dropna()
    assert list(kd.columns[:7]) == ["r", "beta", "rw_pct", "lmg_pct", "rw_rank", "lmg_rank", "mean"]
    assert list(kd["lmg_pct"]) == sorted(kd["lmg_pct"], reverse=True)
    assert kd["lmg_rank"].tolist() == [1, 2, 3]
    lmg = drivers.shapley_r2(df, "overall", names)
    assert kd.loc[names, "lmg_pct"].to_numpy() == pytest.approx(lmg["pct"].to_numpy())
    assert kd.loc[names, "mean"].to_numpy() == pytest.approx(used[names].mean().to_numpy())
    assert kd.loc["tp_0", "r"] == pytest.approx(np.corrcoef(used["tp_0"], used["overall"])[0, 1])
    assert {"lmg_pct_ci_low", "lmg_pct_ci_high", "rw_pct_ci_low", "rw_pct_ci_high"} <= set(kd.columns)
    assert (kd["lmg_pct_ci_low"] <= kd["lmg_pct_ci_high"]).all()
    assert kd.attrs["n_excluded"] == 2 and kd.attrs["r2"] == pytest.approx(lmg.attrs["r2"])


# ------------------------------------------------------------------------- IPA


@pytest.fixture
def ipa_data():
    return pd.DataFrame(
        {
            "checkin": [1, 3, 2, 2, 2],
            "room": [5, 4, 5, 4, np.nan],
            "breakfast": [2, 3, 2, 3, np.nan],
            "wifi": [4, 4, 4, 4, 4],
        }
    )


STATED = {"checkin": 0.9, "room": 0.8, "breakfast": 0.2, "wifi": 0.1}


def test_ipa_quadrants_and_priority_on_a_hand_made_table(ipa_data):
    # performance: checkin 2, room 4.5, breakfast 2.5, wifi 4 → cut 3.25; importance cut 0.5.
    # gap = (imp − .5)/SD_imp − (perf − 3.25)/SD_perf, SD_imp = √.125, SD_perf = √1.0625:
    # room −0.364, breakfast −0.121, wifi −1.859 → after checkin: breakfast, room, wifi.
    res = drivers.ipa(ipa_data, list(STATED), importance=STATED)
    assert res["quadrant"].to_dict() == {
        "checkin": "concentrate_here", "breakfast": "low_priority", "room": "keep_up", "wifi": "possible_overkill",
    }
    assert list(res.index) == ["checkin", "breakfast", "room", "wifi"]
    assert res["priority"].tolist() == [1, 2, 3, 4]
    assert res.loc["room", "performance"] == 4.5 and res.loc["room", "n"] == 4
    assert res.attrs["performance_cut"] == pytest.approx(3.25) and res.attrs["importance_cut"] == pytest.approx(0.5)
    assert res.loc["room", "gap"] == pytest.approx(0.3 / math.sqrt(0.125) - 1.25 / math.sqrt(1.0625))
    assert res.loc["checkin", "quadrant_label"] == "Concentrate here"
    zh = drivers.ipa(ipa_data, list(STATED), importance=pd.Series(STATED), lang="zh")
    assert zh["quadrant_label"].to_dict() == {
        "checkin": "重点改进", "breakfast": "低优先级", "room": "继续保持", "wifi": "可能过度投入",
    }


def test_ipa_explicit_and_median_cut_points(ipa_data):
    res = drivers.ipa(ipa_data, list(STATED), importance=STATED, split=(3.0, 0.85))
    assert res["quadrant"].to_dict() == {
        "checkin": "concentrate_here", "room": "possible_overkill", "breakfast": "low_priority",
        "wifi": "possible_overkill",
    }
    med = drivers.ipa(ipa_data, list(STATED), importance=STATED, split="median")
    assert med.attrs["performance_cut"] == pytest.approx(3.25) and med.attrs["importance_cut"] == pytest.approx(0.5)


def test_ipa_derived_importance_is_the_lmg_share():
    df = survey(n=200, p=3, seed=9)
    names = ["tp_0", "tp_1", "tp_2"]
    res = drivers.ipa(df, names, outcome="overall")
    lmg = drivers.shapley_r2(df, "overall", names)
    assert res.loc[names, "importance"].to_numpy() == pytest.approx(lmg["pct"].to_numpy())
    assert res.loc[names, "performance"].to_numpy() == pytest.approx(df[names].mean().to_numpy())
    assert res.attrs["importance_source"] == "derived:lmg"


def test_ipa_bad_importance_is_named(ipa_data):
    with pytest.raises(DriverDataError, match=r"no value for \['wifi'\].*not ratings: \['spa'\]"):
        drivers.ipa(ipa_data, list(STATED), importance={**{k: v for k, v in STATED.items() if k != "wifi"}, "spa": 1})
    with pytest.raises(ValueError, match="needs an outcome"):
        drivers.ipa(ipa_data, list(STATED))
    with pytest.raises(ScoreError, match="room"):
        drivers.ipa(ipa_data.assign(room=[5, 4, 5, 6, 1]), list(STATED), importance=STATED, scale=(1, 5))


def test_plots_return_axes_with_labels(ipa_data):
    res = drivers.ipa(ipa_data, list(STATED), importance=STATED)
    fig, ax = plt.subplots()
    out = drivers.plot_ipa(res, ax=ax, lang="zh")
    texts = [t.get_text() for t in ax.texts]
    assert out is ax and {"重点改进", "继续保持", "低优先级", "可能过度投入"} <= set(texts)
    assert ax.get_xlabel() == "表现（平均评分）" and len(ax.lines) == 2
    assert ax.get_xlim()[0] < 3.25 < ax.get_xlim()[1]
    plt.close(fig)
    kd = drivers.key_drivers(survey(n=120, p=3), "overall", ["tp_0", "tp_1", "tp_2"], ci=True, n_boot=50)
    fig, ax = plt.subplots()
    assert drivers.plot_drivers(kd, ax=ax) is ax
    assert len(ax.patches) == 3 and ax.get_xlabel() == "Share of explained variance (%)"
    assert ax.get_title() == "Key drivers of overall"
    plt.close(fig)
    boot = drivers.bootstrap_shares(survey(n=120, p=2), "overall", ["tp_0", "tp_1"], method="rw", n_boot=50)
    fig, ax = plt.subplots()
    drivers.plot_drivers(boot, ax=ax, lang="zh", names={"tp_0": "预订", "tp_1": "办理入住"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["办理入住", "预订"]  # largest share on top
    assert ax.get_xlabel() == "解释方差占比（%）"
    plt.close(fig)


def test_boolean_drivers_count_as_zero_one():
    df = survey(n=60, p=2, seed=4)
    df["contacted"] = df["tp_0"] >= 3
    res = drivers.shapley_r2(df, "overall", ["tp_1", "contacted"])
    ref = drivers.shapley_r2(df.assign(contacted=df["contacted"].astype(float)), "overall", ["tp_1", "contacted"])
    pd.testing.assert_frame_equal(res, ref)


# ------------------------------------------------------------- experience pays


@pytest.fixture
def xo():
    return pd.DataFrame(
        {
            "nps": [9, 10, 9, 10, 7, 8, 7, 0, 6, 5, 3, np.nan],
            "returned": [True, True, True, False, True, False, False, False, False, True, False, True],
            "spend": [100, 120, 110, 130, 90, 80, 100, 50, 70, 60, 40, 999],
        }
    )


def test_outcomes_by_nps_group_by_hand(xo):
    from statsmodels.stats.proportion import proportion_confint

    res = drivers.outcomes_by_nps_group(xo, "nps", ["returned", "spend"])
    assert res.n_excluded == 1
    s = res.summary.set_index(["outcome", "group"])
    assert s.loc[("returned", "promoters"), "estimate"] == pytest.approx(3 / 4)
    assert s.loc[("returned", "passives"), "estimate"] == pytest.approx(1 / 3)
    assert s.loc[("returned", "detractors"), "estimate"] == pytest.approx(1 / 4)
    lo, hi = proportion_confint(3, 4, method="wilson")
    assert (s.loc[("returned", "promoters"), "ci_low"], s.loc[("returned", "promoters"), "ci_high"]) == pytest.approx((lo, hi))
    assert s.loc[("spend", "promoters"), "estimate"] == pytest.approx(115)
    assert s.loc[("spend", "detractors"), "estimate"] == pytest.approx(55)
    ci = stats.t.interval(0.95, 2, loc=90, scale=np.std([90, 80, 100], ddof=1) / math.sqrt(3))
    assert (s.loc[("spend", "passives"), "ci_low"], s.loc[("spend", "passives"), "ci_high"]) == pytest.approx(ci)
    assert s.loc[("spend", "promoters"), "group_label"] == "Promoters"
    tests = res.tests.set_index("outcome")
    chi2 = stats.chi2_contingency([[3, 1], [1, 2], [1, 3]], correction=False)
    assert tests.loc["returned", "statistic"] == pytest.approx(chi2.statistic)
    assert tests.loc["returned", "p_value"] == pytest.approx(chi2.pvalue)
    welch = stats.f_oneway([100, 120, 110, 130], [90, 80, 100], [50, 70, 60, 40], equal_var=False)
    assert tests.loc["spend", "statistic"] == pytest.approx(welch.statistic)
    assert tests.loc["spend", "p_value"] == pytest.approx(welch.pvalue)
    pw = res.pairwise.set_index(["outcome", "a", "b"])
    tt = stats.ttest_ind([100, 120, 110, 130], [50, 70, 60, 40], equal_var=False)
    row = pw.loc[("spend", "promoters", "detractors")]
    assert row["statistic"] == pytest.approx(tt.statistic) and row["p_value"] == pytest.approx(tt.pvalue)
    assert row["difference"] == pytest.approx(60)
    assert (pw["p_holm"] >= pw["p_value"] - 1e-15).all()


def test_missing_outcome_values_are_excluded_per_outcome_and_counted(xo):
    xo = xo.astype({"returned": "boolean"})
    xo.loc[0, "returned"] = pd.NA
    xo.loc[[5, 6], "spend"] = np.nan
    s = drivers.outcomes_by_nps_group(xo, "nps", ["returned", "spend"]).summary.set_index(["outcome", "group"])
    assert s.loc[("returned", "promoters"), ["n", "n_missing"]].tolist() == [3, 1]
    assert s.loc[("returned", "promoters"), "estimate"] == pytest.approx(2 / 3)
    assert s.loc[("spend", "passives"), ["n", "n_missing"]].tolist() == [1, 2]
    assert s.loc[("spend", "promoters"), ["n", "n_missing"]].tolist() == [4, 0]


def test_nps_group_boundaries_and_bad_scores():
    df = pd.DataFrame({"nps": [6, 7, 8, 9], "spend": [1.0, 2.0, 3.0, 4.0]})
    res = drivers.outcomes_by_nps_group(df, "nps", "spend")
    assert res.summary.set_index("group")["n"].to_dict() == {"promoters": 1, "passives": 2, "detractors": 1}
    with pytest.raises(ScoreError, match="nps"):
        drivers.outcomes_by_nps_group(df.assign(nps=[6, 7, 11, 9]), "nps", "spend")
    with pytest.raises(DriverDataError, match="outcome 'label'"):
        drivers.outcomes_by_nps_group(df.assign(label=list("abcd")), "nps", "label")


def test_repurchase_model_odds_ratio_equals_the_2x2_cross_product():
    # promoter & returned 30, promoter & not 10, other & returned 20, other & not 40:
    # OR = (30·40)/(10·20) = 6, SE(log OR) = √(1/30 + 1/10 + 1/20 + 1/40); intercept odds 20/40.
    promoter = [True] * 40 + [False] * 60
    returned = [True] * 30 + [False] * 10 + [True] * 20 + [False] * 40
    df = pd.DataFrame({"promoter": promoter, "returned": returned})
    res = drivers.repurchase_model(df, "returned", ["promoter"])
    se = math.sqrt(1 / 30 + 1 / 10 + 1 / 20 + 1 / 40)
    z = stats.norm.ppf(0.975)
    assert res.loc["promoter", "odds_ratio"] == pytest.approx(6, rel=1e-6)
    assert res.loc["promoter", "se"] == pytest.approx(se, rel=1e-6)
    assert (res.loc["promoter", "or_ci_low"], res.loc["promoter", "or_ci_high"]) == pytest.approx(
        (6 * math.exp(-z * se), 6 * math.exp(z * se)), rel=1e-6
    )
    assert res.loc["Intercept", "odds_ratio"] == pytest.approx(0.5, rel=1e-6)
    assert res.attrs["n_used"] == 100 and res.attrs["converged"]


def test_repurchase_model_dummy_codes_text_predictors_against_the_first_level():
    # returned share: app 1/4 (odds 1/3), phone 3/4 (odds 3), web 2/4 (odds 1) → OR phone = 9, web = 3
    df = pd.DataFrame(
        {
            "channel": ["app"] * 4 + ["phone"] * 4 + ["web"] * 4,
            "returned": [1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0],
        }
    )
    res = drivers.repurchase_model(df, "returned", ["channel"])
    assert list(res.index) == ["Intercept", "channel[T.phone]", "channel[T.web]"]
    assert res["odds_ratio"].tolist() == pytest.approx([1 / 3, 9, 3], rel=1e-6)


def test_repurchase_model_bad_input():
    df = pd.DataFrame({"nps": [1, 5, 9, 10, 3, 8], "returned": [0, 0, 1, 1, 0, 2]})
    with pytest.raises(DriverDataError, match=r"not a yes/no value — 1 index: index 5 \(2\)"):
        drivers.repurchase_model(df, "returned", ["nps"])
    with pytest.raises(MissingOutcomeError, match="index 1"):
        drivers.repurchase_model(df.assign(returned=[0, None, 1, 1, 0, 1]), "returned", ["nps"])
    separated = pd.DataFrame({"nps": [1, 2, 3, 8, 9, 10], "returned": [0, 0, 0, 1, 1, 1]})
    with pytest.raises(DriverDataError, match="perfectly separated"):
        drivers.repurchase_model(separated, "returned", ["nps"])


def test_revenue_at_risk_by_hand():
    df = pd.DataFrame(
        {"nps": [9, 10, 8, 2, 5, 6, 9], "revenue": [100.0, 200.0, 100.0, 50.0, 30.0, 10.0, np.nan]}
    )
    res = drivers.revenue_at_risk(df, "nps", "revenue")
    assert res.total_revenue == 490 and res.revenue_at_risk == 90
    assert res.share_at_risk == pytest.approx(90 / 490)
    assert res.gap_per_detractor == pytest.approx(150 - 30) and res.revenue_gap == pytest.approx(3 * 120)
    ci = stats.ttest_ind([100, 200], [50, 30, 10], equal_var=False).confidence_interval(0.95)
    assert (res.gap_ci_low, res.gap_ci_high) == pytest.approx((ci.low, ci.high))
    assert res.n == 6 and res.n_excluded == 1
    assert res.by_group.loc["passives", "revenue_gap"] == pytest.approx(50)
    with pytest.raises(DriverDataError, match=r"negative revenue — 1 index: index 2 \(-5.0\)"):
        drivers.revenue_at_risk(df.assign(revenue=[1, 2, -5, 1, 1, 1, 1.0]), "nps", "revenue")



def test_revenue_at_risk_with_no_usable_row_reports_n_0_instead_of_stopping():
    """A small export can leave no customer with a whole window (lesson 09 on examples/own_data)."""
    df = pd.DataFrame({"nps": [None, 9.0, None], "revenue": [10.0, None, None]})
    res = drivers.revenue_at_risk(df, "nps", "revenue")
    assert (res.n, res.n_excluded) == (0, 3)
    assert res.by_group["n"].tolist() == [0, 0, 0]
    assert math.isnan(res.share_at_risk) and math.isnan(res.gap_per_detractor) and math.isnan(res.gap_ci_low)
    assert res.by_group["customer_share"].isna().all() and res.by_group["mean_revenue"].isna().all()



def test_outcomes_by_group_with_a_constant_group_leaves_the_undefined_tests_empty():
    """A small export where every detractor and promoter spent nothing afterwards: Welch's ANOVA is
    undefined (it used to raise pingouin's ValueError); the tests that are defined still run."""
    df = pd.DataFrame({"nps": [10, 9, 9, 3, 2, 1, 7, 8], "spend": [0.0] * 6 + [1.0, 2.0]})
    res = drivers.outcomes_by_nps_group(df, "nps", ["spend"])
    assert res.summary.set_index("group")["estimate"].to_dict() == {"promoters": 0.0, "passives": 1.5, "detractors": 0.0}
    assert np.isnan(res.tests["p_value"].iloc[0]) and np.isnan(res.tests["statistic"].iloc[0])
    pairs = res.pairwise.set_index(["a", "b"])
    assert np.isnan(pairs.loc[("promoters", "detractors"), "p_value"])  # both constant: no standard error
    # passives (1, 2) against a constant group: Welch's t = 1.5 / (s/√2), s = √0.5, df = 1 → p = 0.2048
    expected_p = 2 * stats.t.sf(1.5 / (math.sqrt(0.5) / math.sqrt(2)), 1)
    assert pairs.loc[("promoters", "passives"), "p_value"] == pytest.approx(expected_p)
    assert pairs.loc[("promoters", "passives"), "difference"] == -1.5


def test_odds_ratios_side_by_side_and_a_model_the_rows_cannot_support():
    # the 2 × 2 table of the test above: OR = (30·40)/(10·20) = 6
    promoter = [True] * 40 + [False] * 60
    returned = [True] * 30 + [False] * 10 + [True] * 20 + [False] * 40
    df = pd.DataFrame({"promoter": promoter, "returned": returned, "extra": [np.nan] * 99 + [1.0]})
    out = drivers.odds_ratios(df, "returned", {"alone": ["promoter"], "with extra": ["promoter", "extra"]})
    alone = out.loc["alone"]
    assert alone["odds_ratio"] == pytest.approx(6, rel=1e-6) and alone["fitted"]
    assert (alone["n_used"], alone["n_needed"], alone["n_events"]) == (100, 3, 50)
    assert alone["p_value"] == pytest.approx(drivers.repurchase_model(df, "returned", ["promoter"]).loc["promoter", "p_value"])
    # one complete row for 2 terms + intercept: repurchase_model raises, the table says why
    with pytest.raises(TooFewRowsError, match="1 complete rows .* at least 4") as err:
        drivers.repurchase_model(df, "returned", ["promoter", "extra"])
    assert (err.value.n_used, err.value.n_needed) == (1, 4)
    extra = out.loc["with extra"]
    assert not extra["fitted"] and (extra["n_used"], extra["n_needed"], extra["n_events"]) == (1, 4, 0)
    assert np.isnan(extra[["odds_ratio", "or_ci_low", "or_ci_high", "p_value", "pseudo_r2"]].astype(float)).all()
    # one outcome only among the rows: not fitted either; bad input still raises
    never = drivers.odds_ratios(df.assign(returned=False), "returned", {"m": ["promoter"]}).loc["m"]
    assert not never["fitted"] and (never["n_used"], never["n_events"]) == (100, 0)
    with pytest.raises(MissingOutcomeError):
        drivers.odds_ratios(df.assign(returned=[None] + returned[1:]), "returned", {"m": ["promoter"]})


def test_quasi_separation_is_a_clear_error_not_an_odds_ratio_of_1e10():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, 200).astype(float)
    y = np.where(x > 3, 1, np.where(x == 3, rng.integers(0, 2, 200), 0))  # x ≥ 4 always repurchase
    df = pd.DataFrame({"x": x, "z": rng.normal(size=200), "y": y})
    with pytest.raises(drivers.DriverDataError, match=r"\(quasi-\)separated.*'x'"):
        drivers.repurchase_model(df, "y", ["x", "z"])


def test_weighted_drivers_equal_replicated_rows_and_unit_weights():
    rng = np.random.default_rng(9)
    n = 120
    d = pd.DataFrame({"a": rng.integers(1, 6, n), "b": rng.integers(1, 6, n), "c": rng.integers(1, 6, n)}).astype(float)
    d["y"] = d["a"] + 0.5 * d["b"] + rng.normal(size=n)
    d["w"] = rng.integers(1, 4, n).astype(float)
    replicated = d.loc[d.index.repeat(d["w"].astype(int))].reset_index(drop=True)
    for fn, col in ((drivers.relative_weights, "raw_weight"), (drivers.shapley_r2, "r2_share")):
        weighted = fn(d, "y", ["a", "b", "c"], weights="w")
        # integer weights = each row counted w times: the correlation matrix is the same
        np.testing.assert_allclose(weighted[col], fn(replicated, "y", ["a", "b", "c"])[col], rtol=1e-10)
        np.testing.assert_allclose(fn(d.assign(w=1.0), "y", ["a", "b", "c"], weights="w")[col],
                                   fn(d, "y", ["a", "b", "c"])[col], rtol=1e-10)
    r = drivers.correlations(d, "y", ["a", "b"], weights="w")
    assert r["r"].tolist() == pytest.approx(drivers.correlations(replicated, "y", ["a", "b"])["r"].tolist(), rel=1e-10)
    with pytest.raises(drivers.DriverDataError, match="weights column 'w'"):
        drivers.betas(d.assign(w=-1.0), "y", ["a", "b"], weights="w")


def test_plot_ipa_refuses_to_guess_cut_points_after_a_merge():
    d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 4], "b": [2, 2, 3, 5, 4, 5], "y": [1, 2, 3, 5, 5, 4]}).astype(float)
    res = drivers.ipa(d, ["a", "b"], outcome="y", split="median")
    merged = res.merge(pd.DataFrame({"x": [1, 2]}, index=res.index), left_index=True, right_index=True)
    assert "performance_cut" not in merged.attrs  # what pandas does
    fig, ax = plt.subplots()
    with pytest.raises(KeyError, match="performance_cut"):
        drivers.plot_ipa(merged, ax=ax)
    ax = drivers.plot_ipa(merged, ax=ax, performance_cut=res.attrs["performance_cut"],
                          importance_cut=res.attrs["importance_cut"])
    assert ax.lines[0].get_xdata()[0] == res.attrs["performance_cut"]
    plt.close(fig)
