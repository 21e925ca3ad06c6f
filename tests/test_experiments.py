"""Experiments: power and sample size against published tables, A/B and CUPED against hand-worked values."""

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from cxlib import experiments
from cxlib.errors import CXDataError
from cxlib.stats import power


# --- planning ---------------------------------------------------------------------------------
def test_two_proportions_chow_example():
    # Chow, Shao & Wang (2008), example 4.2: p1 = 0.65, p2 = 0.85, alpha 0.05, power 0.8 -> 70.
    assert power.sample_size_proportions(0.65, 0.85, method="wald") == 70


def test_two_proportions_cohen_table():
    # Cohen (1988) table 6.4.1: h = 0.20 -> 392 per group (to the nearest); we round up.
    p1 = 0.5
    p2 = np.sin(np.arcsin(np.sqrt(p1)) + 0.1) ** 2  # h = 0.2 exactly
    assert power.sample_size_proportions(p1, p2) == 393
    assert power.power_proportions(p1, p2, 392.443) == pytest.approx(0.8, abs=1e-4)


def test_means_cohen_table():
    # Cohen (1988) table 2.4.1: d = 0.5 -> 64 per group; d = 0.2 -> 393.
    assert power.sample_size_means(0.5, 1.0) == 64
    assert power.sample_size_means(2.0, 10.0) == 394  # 393.4 rounded up


def test_nps_sample_size_hand_worked():
    # V = 0.4 + 0.2 - 0.2^2 = 0.56 per group; (1.959964 + 0.841621)^2 * 1.12 / 0.1^2 = 879.13
    assert power.sample_size_nps(10, 0.4, 0.2) == 880
    # unequal groups: ratio 2 -> V_A + V_B/2 = 0.84 -> 659.3
    assert power.sample_size_nps(10, 0.4, 0.2, ratio=2) == 660


@settings(max_examples=40, deadline=None)
@given(n=st.integers(50, 20000), pro=st.floats(0.05, 0.6), det=st.floats(0.05, 0.35))
def test_nps_mde_inverts_sample_size(n, pro, det):
    delta = power.mde_nps(n, pro, det)
    if delta <= 200:
        assert power.sample_size_nps(delta, pro, det) in (n, n + 1)


def test_mde_proportions_inverts_power():
    p2 = power.mde_proportions(0.1, 2000)
    assert power.power_proportions(0.1, p2, 2000) == pytest.approx(0.8, abs=1e-6)


def test_run_length():
    assert power.run_length(880, 150) == 12  # 1760 / 150 = 11.7
    assert power.run_length(880, 150, share_in_test=0.5) == 24


@pytest.mark.parametrize(
    ("looks", "pocock", "obf"),
    # Jennison & Turnbull (2000), tables 2.1 and 2.3, alpha = 0.05 two-sided.
    [(2, 2.178, 1.977), (5, 2.413, 2.040), (10, 2.555, 2.087)],
)
def test_sequential_bounds_published(looks, pocock, obf):
    assert power.sequential_bounds(looks, kind="pocock")[0] == pytest.approx(pocock, abs=6e-4)
    b = power.sequential_bounds(looks, kind="obrien-fleming")
    assert b[-1] == pytest.approx(obf, abs=6e-4)
    assert b[0] == pytest.approx(obf * np.sqrt(looks), abs=2e-3)


@pytest.mark.parametrize(
    "call",
    [
        lambda: power.sample_size_proportions(0.3, 0.3),
        lambda: power.sample_size_proportions(0.3, 1.2),
        lambda: power.sample_size_proportions(0.3, 0.4, alpha=0.9, power=0.8),
        lambda: power.sample_size_nps(0, 0.4, 0.2),
        lambda: power.sample_size_nps(5, 0.7, 0.5),
        lambda: power.sample_size_nps(5, 1.0, 0.0),
        lambda: power.sequential_bounds(1),
        lambda: power.run_length(100, 0),
    ],
)
def test_planning_rejects_impossible_designs(call):
    with pytest.raises(ValueError):
        call()


# --- analysing -------------------------------------------------------------------------------
def _conversions():
    return pd.DataFrame({"arm": ["A"] * 80 + ["B"] * 70,
                         "converted": [1] * 48 + [0] * 32 + [1] * 56 + [0] * 14})


def test_ab_proportion_hand_worked():
    r = experiments.ab_test(_conversions(), "arm", "converted")
    assert (r.control, r.treatment, r.n_control, r.n_treatment) == ("A", "B", 80, 70)
    assert r.difference == pytest.approx(20.0)
    pooled = 104 / 150
    z = 0.2 / np.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))  # 2.6502
    assert r.p_value == pytest.approx(2 * sps.norm.sf(z), rel=1e-12)
    assert r.ci_low < 20 < r.ci_high and not r.small_sample


def test_ab_mean_equals_welch():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"arm": ["c"] * 60 + ["t"] * 45,
                       "csat": np.r_[rng.normal(4, 1, 60), rng.normal(4.4, 1.3, 45)]})
    r = experiments.ab_test(df, "arm", "csat", kind="mean")
    ref = sps.ttest_ind(df.csat[df.arm == "t"], df.csat[df.arm == "c"], equal_var=False)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert r.difference == pytest.approx(df.csat[df.arm == "t"].mean() - df.csat[df.arm == "c"].mean())


def test_ab_nps_hand_worked():
    # control: 2 promoters, 1 passive, 1 detractor (NPS 25); treatment 3, 1, 0 (NPS 75).
    df = pd.DataFrame({"arm": ["c"] * 4 + ["t"] * 4, "nps": [10, 9, 7, 3, 9, 10, 9, 8]})
    r = experiments.ab_test(df, "arm", "nps", kind="nps")
    assert (r.control_value, r.treatment_value, r.difference) == (25.0, 75.0, 50.0)
    var_c = (0.5 + 0.25 - 0.25**2) / 4
    var_t = (0.75 + 0.0 - 0.75**2) / 4
    assert r.ci_high - r.difference == pytest.approx(1.959964 * 100 * np.sqrt(var_c + var_t), rel=1e-6)
    assert r.small_sample


def test_cuped_hand_worked():
    df = pd.DataFrame({"arm": list("AAAABBBB"), "y": [3, 5, 4, 6, 6, 8, 6, 8],
                       "x": [2, 4, 3, 5, 3, 5, 3, 5]})
    r = experiments.cuped(df, "arm", "y", "x")
    assert r.theta == pytest.approx(11.5 / 9.5)
    assert r.difference == pytest.approx(2.5 - 0.5 * 11.5 / 9.5)
    assert r.raw_difference == 2.5
    # adjusted outcome per unit, then Welch by hand
    adj = df.y - r.theta * (df.x - df.x.mean())
    ref = sps.ttest_ind(adj[df.arm == "B"], adj[df.arm == "A"], equal_var=False)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    resid = df.y - r.theta * df.x
    assert r.variance_reduction == pytest.approx(1 - resid.var() / df.y.var())


def test_cuped_shrinks_interval_with_a_correlated_covariate():
    rng = np.random.default_rng(7)
    n = 4000
    pre = rng.normal(100, 20, n)
    arm = rng.integers(0, 2, n)
    post = 0.8 * pre + 2.0 * arm + rng.normal(0, 8, n)
    df = pd.DataFrame({"arm": np.where(arm == 1, "new", "old"), "spend": post, "pre": pre})
    r = experiments.cuped(df, "arm", "spend", "pre", control="old")
    assert r.variance_reduction == pytest.approx(np.corrcoef(pre, post)[0, 1] ** 2, abs=0.02)
    assert (r.ci_high - r.ci_low) < 0.6 * (r.raw_ci_high - r.raw_ci_low)
    assert r.ci_low < 2.0 < r.ci_high


@pytest.mark.parametrize("to_engine", [pl.from_pandas, duckdb.from_df], ids=["polars", "duckdb"])
def test_engines_agree_with_pandas(to_engine):
    df = _conversions().assign(pre=np.arange(150) % 7)
    a = experiments.ab_test(df, "arm", "converted")
    b = experiments.ab_test(to_engine(df), "arm", "converted")
    assert a == b
    c = experiments.cuped(df, "arm", "converted", "pre")
    d = experiments.cuped(to_engine(df), "arm", "converted", "pre")
    assert c.difference == pytest.approx(d.difference, rel=1e-12)


def test_peeking_inflates_false_positives_and_boundaries_do_not():
    t = experiments.peeking_simulation(looks=10, n_per_look=200, rate=0.1, sims=3000, seed=11)
    rate = dict(zip(t.rule, t.false_positive_rate, strict=True))
    # Armitage et al. (1969): about 0.19 for 10 looks at alpha 0.05
    assert 0.14 < rate["peek_every_look"] < 0.24
    for rule in ("fixed_horizon", "obrien_fleming", "pocock"):
        assert rate[rule] < 0.075


def test_peeking_with_a_continuous_metric():
    t = experiments.peeking_simulation(looks=5, n_per_look=50, rate=None, sims=3000, seed=2)
    rate = dict(zip(t.rule, t.false_positive_rate, strict=True))
    # Armitage et al. (1969): about 0.14 for 5 looks at alpha 0.05
    assert 0.10 < rate["peek_every_look"] < 0.18
    assert rate["fixed_horizon"] < 0.07 and rate["pocock"] < 0.07


def test_plan_from_the_control_arm():
    days = pd.date_range("2026-01-01", periods=14).repeat(100)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"arm": np.tile(["c", "t"], 700), "date": days, "minutes": rng.normal(10, 3, 1400),
                       "bought": rng.random(1400) < 0.3})
    p = experiments.plan(df, "arm", "minutes", "c", "date", change=-0.10)
    c = df.loc[df.arm == "c", "minutes"]
    assert p.kind == "mean" and p.baseline == pytest.approx(c.mean())
    assert p.n_per_arm == power.sample_size_means(-0.1 * c.mean(), c.std())
    assert p.units_per_day == 100 and p.days % 7 == 0 and p.days >= 2 * p.n_per_arm / 100
    q = experiments.plan(df, "arm", "bought", "c", "date", change=0.2)
    rate = df.loc[df.arm == "c", "bought"].mean()
    assert q.kind == "proportion" and q.n_per_arm == power.sample_size_proportions(rate, rate * 1.2)
    assert experiments.continuous_outcome(df, ["bought", "minutes"]) == "minutes"


@pytest.mark.parametrize(
    ("df", "kwargs", "message"),
    [
        (pd.DataFrame({"arm": ["a", "b"], "y": [1, None]}), {}, "missing value"),
        (pd.DataFrame({"arm": ["a", "b"], "y": [1, 2]}), {}, "0/1"),
        (pd.DataFrame({"arm": ["a", "b", "c"], "y": [1, 0, 1]}), {}, "name control"),
        (pd.DataFrame({"arm": ["a", "b"], "y": [1, 0]}), {"control": "z"}, "not found"),
        (pd.DataFrame({"group": ["a", "b"], "y": [1, 0]}), {}, "not found"),
    ],
)
def test_bad_experiment_tables(df, kwargs, message):
    with pytest.raises(CXDataError, match=message):
        experiments.ab_test(df, "arm", "y", **kwargs)


@pytest.mark.parametrize("module", [experiments, power], ids=["experiments", "power"])
def test_docstring_examples(module):
    import doctest

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_experiment_charts_draw_results_and_name_what_is_missing():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxlib.errors import CXDataError as DataError
    from cxlib.plotting import experiments as charts

    _, ax = plt.subplots()
    sim = experiments.peeking_simulation(looks=3, sims=200, seed=0)
    assert charts.plot_peeking(sim, ax=ax, lang="zh") is ax
    assert charts.plot_sample_size(power.nps_sample_size_curve([5, 10], 0.4, 0.2), marker=5, ax=ax) is ax
    rows = pd.DataFrame({"difference": [1.0], "ci_low": [0.5], "ci_high": [1.5]}, index=["cuped"])
    assert charts.plot_intervals(rows, ax=ax) is ax
    with pytest.raises(DataError, match="false_positive_rate"):
        charts.plot_peeking(sim.drop(columns="false_positive_rate"), ax=ax)
    plt.close("all")
