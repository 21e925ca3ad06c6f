"""Experiments: did the fix work? A/B tests and holdouts for CX changes.

Design (how many, how long) lives in :mod:`cxlib.stats.power`; this module analyses a run
experiment from its rows: one row per randomised unit (guest, session, customer) with the arm it
was assigned to, the outcome and optionally a pre-period covariate. Each analysis aggregates the
rows to per-arm sufficient statistics inside the engine (:func:`arm_moments`) and hands them to
the math layer: proportions to :mod:`cxlib.stats.proportions`, means to
:mod:`cxlib.stats.moments`, NPS to :func:`cxlib.metrics.nps_test_from_counts`.

Why a randomised experiment beats the before/after comparison of lesson 01: with random
assignment the arms differ only by chance and by the change, so the difference estimates the
change's effect; before/after also absorbs every seasonal, marketing and mix shift between the
two periods.

References
----------
Kohavi, R., Tang, D., & Xu, Y. (2020). *Trustworthy Online Controlled Experiments*. Cambridge UP.
Deng, A., Xu, Y., Kohavi, R., & Walker, T. (2013). Improving the sensitivity of online controlled
experiments by utilizing pre-experiment data. *WSDM '13*, 123–132.
Johari, R., Koomen, P., Pekelis, L., & Walsh, D. (2017). Peeking at A/B tests. *KDD '17*.
"""

from __future__ import annotations

from dataclasses import dataclass

import narwhals as nw
import numpy as np
import pandas as pd

from . import engine
from .errors import CXDataError
from .stats import moments, proportions
from .stats import power as power_mod

__all__ = ["ABResult", "CUPEDResult", "Plan", "arm_moments", "metric_kind", "continuous_outcome", "plan",
           "ab_test", "cuped", "peeking_simulation"]

SMALL_ARM = 30


@dataclass(frozen=True)
class ABResult:
    """Difference between a treatment arm and the control arm.

    ``difference`` is treatment − control on the metric's scale (rate points × 100 for
    proportions, NPS points for NPS, the metric's unit for means); ``small_sample`` is True when
    an arm has fewer than 30 units, where the normal approximations behind the interval are weak.
    """

    kind: str
    control: str
    treatment: str
    n_control: int
    n_treatment: int
    control_value: float
    treatment_value: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    conf: float
    small_sample: bool


@dataclass(frozen=True)
class CUPEDResult:
    """CUPED-adjusted difference of means with the unadjusted one beside it."""

    control: str
    treatment: str
    n_control: int
    n_treatment: int
    theta: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    raw_difference: float
    raw_ci_low: float
    raw_ci_high: float
    raw_p_value: float
    variance_reduction: float
    conf: float


@dataclass(frozen=True)
class Plan:
    """How many units and days an experiment on ``metric`` needs to detect ``change``.

    ``baseline`` is the control arm's rate (proportion) or mean; ``target`` the value after the
    relative ``change``; ``sd`` the control arm's SD (means only); ``n_per_arm`` from
    :mod:`cxlib.stats.power`; ``units_per_day`` the experiment's own enrolment rate and ``days`` the
    run length at that rate (rounded up to whole weeks, so every weekday counts equally).
    """

    kind: str
    baseline: float
    target: float
    change: float
    sd: float
    alpha: float
    power: float
    n_per_arm: int
    units_per_day: float
    days: int


def metric_kind(values) -> str:
    """``"proportion"`` for a true/false or 0/1 outcome, else ``"mean"``.

    Examples
    --------
    >>> metric_kind(pd.Series([True, False])), metric_kind(pd.Series([0, 1, 1])), metric_kind(pd.Series([3.5, 7.0]))
    ('proportion', 'proportion', 'mean')
    """
    values = pd.Series(values).dropna()
    if values.dtype == bool or values.isin([0, 1]).all():
        return "proportion"
    return "mean"


def continuous_outcome(data: pd.DataFrame, outcomes) -> str | None:
    """The first outcome that is not a 0/1 conversion: the one a pre-period covariate can adjust (CUPED)."""
    return next((o for o in outcomes if metric_kind(data[o]) == "mean"), None)


def plan(data: pd.DataFrame, group: str, metric: str, control, date: str, change: float = 0.10,
         alpha: float = 0.05, power: float = 0.8) -> Plan:
    """Plan the experiment again from its own control arm: units and days to detect ``change``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (the experiment table).
    group, metric : str
        Arm and outcome columns.
    control
        The control arm's label (its rate or mean and SD are the baseline).
    date : str
        Enrolment date column (gives units per day).
    change : float
        Relative change worth detecting, e.g. 0.10 for 10 % (either direction).
    alpha, power : float
        Two-sided significance level and power.

    Returns
    -------
    Plan

    Notes
    -----
    Proportions: :func:`cxlib.stats.power.sample_size_proportions` (Cohen's h, statsmodels);
    means: :func:`cxlib.stats.power.sample_size_means` with the control SD (t test). Days =
    ceil(2n / units per day), rounded up to whole weeks.

    References
    ----------
    Kohavi, Tang & Xu (2020), ch. 15 (sample size, duration, weekly cycles).
    """
    if not (isinstance(change, int | float) and change != 0 and abs(change) < 1):
        raise ValueError(f"change must be a relative change between -1 and 1 (not 0), got {change!r}")
    base = data.loc[data[group] == control, metric].dropna().astype(float)
    if base.empty:
        raise CXDataError(f"no {metric!r} values in the control arm {control!r}")
    kind = metric_kind(data[metric])
    mean, sd = float(base.mean()), float(base.std())
    target = mean * (1 + change)
    if kind == "proportion":
        n = power_mod.sample_size_proportions(mean, target, alpha=alpha, power=power)
    else:
        n = power_mod.sample_size_means(target - mean, sd, alpha=alpha, power=power)
    days_seen = pd.to_datetime(data[date]).dt.normalize()
    per_day = len(data) / ((days_seen.max() - days_seen.min()).days + 1)
    days = 7 * -(-power_mod.run_length(n, per_day) // 7)
    return Plan(kind, mean, target, float(change), sd if kind == "mean" else float("nan"), alpha, power, n,
                per_day, days)


def arm_moments(data, group: str, metric: str, covariate: str | None = None) -> pd.DataFrame:
    """Per-arm sufficient statistics: n, Σy, Σy² (and Σx, Σx², Σxy with a covariate).

    Parameters
    ----------
    data : table
        Any engine :mod:`cxlib.engine` accepts; one row per randomised unit.
    group : str
        The arm column.
    metric : str
        The outcome column (numeric; 0/1 for a conversion).
    covariate : str, optional
        A pre-period measure of the same units (for CUPED).

    Returns
    -------
    pandas.DataFrame
        Indexed by arm (sorted), columns ``n, sum_y, sum_yy`` (+ ``sum_x, sum_xx, sum_xy``).

    Raises
    ------
    CXDataError
        When a column is missing, or the metric or covariate has missing values (rows with a
        missing outcome must be dropped, and counted, by the caller: an experiment's analysis
        must not lose units silently).
    """
    frame = engine.lazy(data)
    cols = [group, metric] + ([covariate] if covariate else [])
    missing = [c for c in cols if c not in frame.collect_schema().names()]
    if missing:
        raise CXDataError(f"experiment table: column(s) {missing} not found; the analysis needs {cols}")
    y, x = nw.col(metric), nw.col(covariate) if covariate else None
    derived = [(y * y).alias("_yy")]
    if covariate:
        derived += [(x * x).alias("_xx"), (x * y).alias("_xy")]
    aggs = [nw.len().alias("rows"), y.count().alias("n"), y.sum().alias("sum_y"),
            nw.col("_yy").sum().alias("sum_yy")]
    if covariate:
        aggs += [x.count().alias("n_x"), x.sum().alias("sum_x"), nw.col("_xx").sum().alias("sum_xx"),
                 nw.col("_xy").sum().alias("sum_xy")]
    out = engine.collect(frame.with_columns(*derived).group_by(group).agg(*aggs))
    out = out.set_index(group).sort_index()
    gaps = out["rows"] - out["n"]
    if covariate:
        gaps = gaps + (out["rows"] - out["n_x"])
    if (gaps > 0).any():
        raise CXDataError(
            f"experiment table: {int(gaps.sum())} missing value(s) in {metric!r}"
            + (f" or {covariate!r}" if covariate else "")
            + "; drop those units explicitly (and report how many) before the analysis"
        )
    return out.drop(columns=["rows"] + (["n_x"] if covariate else [])).astype(float)


def _arms(table: pd.DataFrame, control, treatment) -> tuple[str, str]:
    arms = list(table.index)
    for arm in (control, treatment):
        if arm is not None and arm not in arms:
            raise CXDataError(f"arm {arm!r} not found; the arms are {arms}")
    if control is None:
        if len(arms) != 2:
            raise CXDataError(f"the experiment has arms {arms}; name control= and treatment=")
        control = arms[0]
    if treatment is None:
        others = [a for a in arms if a != control]
        if len(others) != 1:
            raise CXDataError(f"the experiment has arms {arms}; name treatment=")
        treatment = others[0]
    return control, treatment


def ab_test(data, group: str, metric: str, kind: str = "proportion", control=None, treatment=None,
            conf: float = 0.95) -> ABResult:
    """Treatment − control difference with a confidence interval and a two-sided test.

    Parameters
    ----------
    data : table
        One row per randomised unit (any engine).
    group : str
        Arm column.
    metric : str
        Outcome: 0/1 for ``kind="proportion"``, 0–10 answers for ``"nps"``, numbers for ``"mean"``.
    kind : {"proportion", "mean", "nps"}
        What the metric is.
    control, treatment : optional
        Arm labels; inferred when there are exactly two arms (control = the first in sort order).
    conf : float
        Confidence level.

    Returns
    -------
    ABResult

    Notes
    -----
    - proportion: difference of rates (in points, ×100) with Newcombe's hybrid-score interval and
      the pooled two-proportion z test (Newcombe 1998; Agresti 2013, §3.1).
    - mean: Welch's t test and interval from per-arm (n, Σy, Σy²) (Welch 1947).
    - nps: difference of two independent NPS with the multinomial variance (as R ``NPS::nps.test``).

    References
    ----------
    Kohavi, Tang & Xu (2020), ch. 17 (the statistics behind online experiments).

    Examples
    --------
    >>> df = pd.DataFrame({"arm": ["A"] * 80 + ["B"] * 70,
    ...                    "converted": [1] * 48 + [0] * 32 + [1] * 56 + [0] * 14})
    >>> r = ab_test(df, "arm", "converted")
    >>> round(r.difference, 1), round(r.p_value, 4)
    (20.0, 0.008)
    """
    proportions.critical_z(conf)
    if kind == "nps":
        return _ab_nps(data, group, metric, control, treatment, conf)
    table = arm_moments(data, group, metric)
    control, treatment = _arms(table, control, treatment)
    c, t = table.loc[control], table.loc[treatment]
    if kind == "proportion":
        bad = (table["sum_yy"] != table["sum_y"]).any()  # Σy² = Σy only for 0/1 answers
        if bad:
            raise CXDataError(f"{metric!r} must hold 0/1 outcomes for kind='proportion'")
        low, high = proportions.newcombe_interval(t.sum_y, t.n, c.sum_y, c.n, conf)
        _, p = proportions.two_proportion_ztest(t.sum_y, t.n, c.sum_y, c.n)
        cv, tv = c.sum_y / c.n, t.sum_y / t.n
        diff, low, high, scale = tv - cv, low, high, 100.0
    elif kind == "mean":
        cm, cs = moments.mean_sd_from_moments(c.n, c.sum_y, c.sum_yy)
        tm, ts = moments.mean_sd_from_moments(t.n, t.sum_y, t.sum_yy)
        r = moments.welch_test(tm, ts, t.n, cm, cs, c.n, conf)
        cv, tv, diff = cm, tm, float(r["difference"])
        low, high, p, scale = float(r["ci_low"]), float(r["ci_high"]), float(r["p_value"]), 1.0
    else:
        raise ValueError(f"kind must be 'proportion', 'mean' or 'nps', got {kind!r}")
    return ABResult(kind, str(control), str(treatment), int(c.n), int(t.n), float(cv) * scale,
                    float(tv) * scale, float(diff) * scale, float(low) * scale, float(high) * scale,
                    float(p), conf, bool(min(c.n, t.n) < SMALL_ARM))


def _ab_nps(data, group, metric, control, treatment, conf) -> ABResult:
    from .metrics import nps_category, nps_test_from_counts

    frame = engine.lazy(data).select(group, metric)
    rows = engine.collect(frame)
    category = nps_category(rows[metric], name=metric)
    counts = pd.crosstab(rows[group], category).reindex(
        columns=["promoter", "passive", "detractor"], fill_value=0)
    control, treatment = _arms(counts, control, treatment)
    r = nps_test_from_counts(counts.loc[treatment].to_numpy(), counts.loc[control].to_numpy(), conf)
    n_c, n_t = int(counts.loc[control].sum()), int(counts.loc[treatment].sum())
    return ABResult("nps", str(control), str(treatment), n_c, n_t, r.nps_y, r.nps_x, r.difference,
                    r.ci_low, r.ci_high, r.p_value, conf, min(n_c, n_t) < SMALL_ARM)


def cuped(data, group: str, metric: str, covariate: str, control=None, treatment=None,
          conf: float = 0.95) -> CUPEDResult:
    """CUPED: the difference of means after removing what a pre-period covariate predicts.

    Parameters
    ----------
    data : table
        One row per randomised unit with ``metric`` (in the experiment) and ``covariate`` (the
        same unit's value before the experiment; unaffected by the change).
    group, metric, covariate : str
        Column names.
    control, treatment : optional
        Arm labels (inferred for two arms).
    conf : float
        Confidence level.

    Returns
    -------
    CUPEDResult
        ``theta``; adjusted and raw differences with Welch intervals and p-values;
        ``variance_reduction`` = 1 − Var(Y − θX)/Var(Y) pooled over both arms (≈ ρ²).

    Notes
    -----
    With θ = Cov(X, Y)/Var(X) over all units of both arms, each unit's adjusted outcome is
    Yᵢ − θ(Xᵢ − X̄). Its per-arm mean and variance follow from the arm's moments::

        mean_a = Ȳ_a − θ(X̄_a − X̄)
        var_a  = Var_a(Y) − 2θ·Cov_a(X, Y) + θ²·Var_a(X)

    and the arms are compared with Welch's t test. Randomisation makes X̄_a − X̄ ≈ 0, so the
    estimate stays unbiased while the variance shrinks by ≈ ρ(X, Y)².

    References
    ----------
    Deng, Xu, Kohavi & Walker (2013), §3.2, eq. (3)–(5).

    Examples
    --------
    Pooled over both arms Σ(x − x̄)² = 9.5 and Σ(x − x̄)(y − ȳ) = 11.5, so θ = 11.5/9.5; arm B's
    covariate mean is 0.5 above arm A's, so the raw difference 2.5 shrinks by 0.5·θ:

    >>> df = pd.DataFrame({"arm": list("AAAABBBB"), "y": [3, 5, 4, 6, 6, 8, 6, 8],
    ...                    "x": [2, 4, 3, 5, 3, 5, 3, 5]})

    >>> r = cuped(df, "arm", "y", "x")
    >>> round(r.theta, 4), round(r.difference, 4), r.raw_difference
    (1.2105, 1.8947, 2.5)
    """
    proportions.critical_z(conf)
    table = arm_moments(data, group, metric, covariate)
    control, treatment = _arms(table, control, treatment)
    tot = table.loc[[control, treatment]].sum()
    n = tot.n
    sxx = tot.sum_xx - tot.sum_x**2 / n
    sxy = tot.sum_xy - tot.sum_x * tot.sum_y / n
    syy = tot.sum_yy - tot.sum_y**2 / n
    if not sxx > 0:
        raise CXDataError(f"covariate {covariate!r} takes one value only: it cannot adjust anything")
    theta = sxy / sxx
    x_bar = tot.sum_x / n

    def arm(a):
        r = table.loc[a]
        my, sy = moments.mean_sd_from_moments(r.n, r.sum_y, r.sum_yy)
        vx = (r.sum_xx - r.sum_x**2 / r.n) / (r.n - 1)
        cxy = (r.sum_xy - r.sum_x * r.sum_y / r.n) / (r.n - 1)
        adj_mean = my - theta * (r.sum_x / r.n - x_bar)
        adj_sd = np.sqrt(max(sy**2 - 2 * theta * cxy + theta**2 * vx, 0.0))
        return r.n, my, sy, adj_mean, adj_sd

    nc, mc, sc, amc, asc = arm(control)
    nt, mt, st, amt, ast = arm(treatment)
    adj = moments.welch_test(amt, ast, nt, amc, asc, nc, conf)
    raw = moments.welch_test(mt, st, nt, mc, sc, nc, conf)
    reduction = 1 - (syy - 2 * theta * sxy + theta**2 * sxx) / syy if syy > 0 else float("nan")
    return CUPEDResult(str(control), str(treatment), int(nc), int(nt), float(theta),
                       float(adj["difference"]), float(adj["ci_low"]), float(adj["ci_high"]),
                       float(adj["p_value"]), float(raw["difference"]), float(raw["ci_low"]),
                       float(raw["ci_high"]), float(raw["p_value"]), float(reduction), conf)


def peeking_simulation(looks: int = 10, n_per_look: int = 200, rate: float | None = 0.1,
                       alpha: float = 0.05, sims: int = 2000, seed: int = 0) -> pd.DataFrame:
    """How often an A/A test (no real difference) is declared significant under three stopping rules.

    Parameters
    ----------
    looks : int
        Interim analyses (2–10), equally spaced.
    n_per_look : int
        New units per arm between two looks.
    rate : float or None
        The conversion rate, equal in both arms; ``None`` simulates a continuous metric
        (normal outcomes with equal means: the test statistic is then a standardised random walk).
    alpha : float
        Two-sided level of each rule.
    sims : int
        Simulated experiments.
    seed : int
        Random seed (results are reproducible).

    Returns
    -------
    pandas.DataFrame
        One row per rule: ``rule`` (``peek_every_look`` stops at the first |z| ≥ z₁₋α/₂,
        ``fixed_horizon`` tests once at the end, ``obrien_fleming`` and ``pocock`` use
        group-sequential bounds), ``false_positive_rate`` and its Wilson ``ci_low``/``ci_high``.

    Notes
    -----
    All experiments are drawn at once: per-look binomial counts of shape (sims, looks) per arm,
    cumulated, and the pooled two-proportion z computed for every look (vectorised). With 10
    looks the "peek and stop" rule's false-positive rate is about 0.19 at α = 0.05 (Armitage,
    McPherson & Rowe 1969), while the fixed horizon and both boundaries hold α.

    References
    ----------
    Armitage, P., McPherson, C. K., & Rowe, B. C. (1969). Repeated significance tests on
    accumulating data. *JRSS A* 132, 235–244. Johari et al. (2017).

    Examples
    --------
    >>> t = peeking_simulation(looks=5, sims=500, seed=1)
    >>> list(t["rule"])
    ['peek_every_look', 'fixed_horizon', 'obrien_fleming', 'pocock']
    """
    rng = np.random.default_rng(seed)
    if isinstance(sims, bool) or not isinstance(sims, int) or sims < 100:
        raise ValueError(f"sims must be a whole number of at least 100, got {sims!r}")
    if isinstance(n_per_look, bool) or not isinstance(n_per_look, int) or n_per_look < 1:
        raise ValueError(f"n_per_look must be a positive whole number, got {n_per_look!r}")
    of_bounds = power_mod.sequential_bounds(looks, alpha, "obrien-fleming")
    pocock = power_mod.sequential_bounds(looks, alpha, "pocock")
    n = n_per_look * np.arange(1, looks + 1)
    if rate is None:
        # difference of the two arms' sums of N(0, 1) outcomes: variance 2·n_per_look per look
        steps = rng.standard_normal((sims, looks)) * np.sqrt(2.0 * n_per_look)
        z = np.abs(steps.cumsum(axis=1) / np.sqrt(2.0 * n))
    else:
        rate = power_mod._check_prob(rate, "rate")
        xa = rng.binomial(n_per_look, rate, size=(sims, looks)).cumsum(axis=1)
        xb = rng.binomial(n_per_look, rate, size=(sims, looks)).cumsum(axis=1)
        z, _ = proportions.two_proportion_ztest(xa, n, xb, n)
        z = np.abs(np.nan_to_num(z, nan=0.0))
    fixed = proportions.critical_z(1 - alpha)
    hits = {
        "peek_every_look": (z >= fixed).any(axis=1),
        "fixed_horizon": z[:, -1] >= fixed,
        "obrien_fleming": (z >= of_bounds).any(axis=1),
        "pocock": (z >= pocock).any(axis=1),
    }
    counts = np.array([h.sum() for h in hits.values()])
    low, high = proportions.wilson_interval(counts, np.full(len(counts), sims), 0.95)
    return pd.DataFrame({"rule": list(hits), "false_positive_rate": counts / sims,
                         "ci_low": low, "ci_high": high})
