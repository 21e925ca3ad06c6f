"""Planning an experiment: sample size, power, detectable effect, sequential boundaries.

Every function here is math on design inputs (rates, shares, SDs), not on rows. Proportions and
means use statsmodels' power classes (``NormalIndPower`` with Cohen's h, ``TTestIndPower``), so
the numbers are statsmodels' own; the NPS formula (a difference of two multinomial net scores)
and the group-sequential boundaries have no statsmodels counterpart and are written here.

References
----------
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.), ch. 2 and 6.
Chow, S.-C., Shao, J., & Wang, H. (2008). *Sample Size Calculations in Clinical Research*
(2nd ed.), §4.2 (two-sample proportions).
Pocock, S. J. (1977). Group sequential methods in the design and analysis of clinical trials.
*Biometrika* 64, 191–199.
O'Brien, P. C., & Fleming, T. R. (1979). A multiple testing procedure for clinical trials.
*Biometrics* 35, 549–556.
Jennison, C., & Turnbull, B. W. (2000). *Group Sequential Methods with Applications to Clinical
Trials*, tables 2.1 and 2.3.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "sample_size_proportions",
    "power_proportions",
    "mde_proportions",
    "sample_size_means",
    "sample_size_nps",
    "mde_nps",
    "nps_sample_size_curve",
    "run_length",
    "sequential_bounds",
]


def _check_prob(value, name: str, *, open_low: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    value = float(value)
    if not (0 < value < 1 if open_low else 0 <= value < 1):
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return value


def _check_design(alpha, power, ratio) -> tuple[float, float, float]:
    alpha = _check_prob(alpha, "alpha")
    power = _check_prob(power, "power")
    if power <= alpha:
        raise ValueError(f"power ({power}) must exceed alpha ({alpha})")
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not ratio > 0:
        raise ValueError(f"ratio (group B size / group A size) must be a positive number, got {ratio!r}")
    return alpha, power, float(ratio)


def sample_size_proportions(p1, p2, alpha=0.05, power=0.8, ratio=1.0, method="arcsine") -> int:
    """Respondents (or sessions) needed in group A to detect a change from rate ``p1`` to ``p2``.

    Parameters
    ----------
    p1, p2 : float
        Baseline and target rates (0–1), e.g. conversion before and after a change.
    alpha : float
        Two-sided significance level.
    power : float
        Probability of detecting the change when it is real.
    ratio : float
        Size of group B relative to group A (1 = equal groups).
    method : {"arcsine", "wald"}
        ``"arcsine"``: Cohen's h with the normal approximation, exactly statsmodels'
        ``NormalIndPower().solve_power(proportion_effectsize(p2, p1), ...)``.
        ``"wald"``: the unpooled normal formula of Chow et al. (2008, §4.2).

    Returns
    -------
    int
        n for group A, rounded up; group B needs ``ceil(ratio·n)``.

    Notes
    -----
    ::

        arcsine: h = 2·asin√p₂ − 2·asin√p₁,  n = (z₁₋α/₂ + z₁₋β)² · (1 + 1/ratio) / h²
        wald:    n = (z₁₋α/₂ + z₁₋β)² · (p₁(1 − p₁) + p₂(1 − p₂)/ratio) / (p₁ − p₂)²

    References
    ----------
    Cohen (1988), table 6.4.1: h = 0.2, α = 0.05 two-sided, power 0.80 → n = 392 per group
    (Cohen rounds to the nearest; this function rounds 392.44 up to 393).
    Chow, Shao & Wang (2008), example 4.2: p₁ = 0.65, p₂ = 0.85 → n = 70 per group.

    Examples
    --------
    >>> sample_size_proportions(0.65, 0.85, method="wald")
    70
    """
    p1, p2 = _check_prob(p1, "p1"), _check_prob(p2, "p2")
    alpha, power, ratio = _check_design(alpha, power, ratio)
    if p1 == p2:
        raise ValueError("p1 and p2 are equal: no sample size detects a change of zero")
    if method == "arcsine":
        from statsmodels.stats.power import NormalIndPower
        from statsmodels.stats.proportion import proportion_effectsize

        h = proportion_effectsize(p2, p1)
        n = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=ratio)
    elif method == "wald":
        z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
        n = z * z * (p1 * (1 - p1) + p2 * (1 - p2) / ratio) / (p1 - p2) ** 2
    else:
        raise ValueError(f"method must be 'arcsine' or 'wald', got {method!r}")
    return math.ceil(float(n) - 1e-9)


def power_proportions(p1, p2, n, alpha=0.05, ratio=1.0) -> float:
    """Power of a two-sided two-proportion test with ``n`` in group A (Cohen's h, statsmodels).

    Parameters
    ----------
    p1, p2 : float
        Baseline and target rates.
    n : int
        Group A size; group B is ``ratio·n``.
    alpha, ratio : float
        As in :func:`sample_size_proportions`.

    Returns
    -------
    float
        ``NormalIndPower().power(h, n, alpha, ratio)``.

    References
    ----------
    Cohen (1988), ch. 6.

    Examples
    --------
    >>> round(power_proportions(0.5, 0.6, 392), 3)   # h = 0.2014
    0.805
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p1, p2 = _check_prob(p1, "p1"), _check_prob(p2, "p2")
    alpha, _, ratio = _check_design(alpha, 0.99, ratio)
    if not n > 1:
        raise ValueError(f"n must be more than 1, got {n!r}")
    h = abs(proportion_effectsize(p2, p1))
    return float(NormalIndPower().power(effect_size=h, nobs1=n, alpha=alpha, ratio=ratio))


def mde_proportions(p1, n, alpha=0.05, power=0.8, ratio=1.0) -> float:
    """Smallest rate ``p2 > p1`` that ``n`` per group A detects with the given power.

    Parameters
    ----------
    p1 : float
        Baseline rate.
    n : int
        Group A size.
    alpha, power, ratio : float
        As in :func:`sample_size_proportions`.

    Returns
    -------
    float
        The target rate p₂ (not the difference): solves Cohen's h for the detectable effect
        ``h* = NormalIndPower().solve_power(nobs1=n, ...)`` and inverts
        ``p₂ = sin²(asin√p₁ + h*/2)``; NaN when even p₂ = 1 is not detectable.

    References
    ----------
    Cohen (1988), ch. 6.

    Examples
    --------
    >>> round(mde_proportions(0.5, 392), 3)
    0.599
    """
    from statsmodels.stats.power import NormalIndPower

    p1 = _check_prob(p1, "p1")
    alpha, power, ratio = _check_design(alpha, power, ratio)
    if not n > 1:
        raise ValueError(f"n must be more than 1, got {n!r}")
    h = NormalIndPower().solve_power(nobs1=n, alpha=alpha, power=power, ratio=ratio)
    angle = math.asin(math.sqrt(p1)) + float(h) / 2
    return math.sin(angle) ** 2 if angle <= math.pi / 2 else float("nan")


def sample_size_means(difference, sd, alpha=0.05, power=0.8, ratio=1.0) -> int:
    """Group A size to detect a difference of means (CSAT or CES mean, spend) with a t test.

    Parameters
    ----------
    difference : float
        The difference worth detecting, on the metric's own scale.
    sd : float
        The metric's standard deviation (from a pre-period or a pilot).
    alpha, power, ratio : float
        As in :func:`sample_size_proportions`.

    Returns
    -------
    int
        ``TTestIndPower().solve_power(difference/sd, ...)`` rounded up.

    References
    ----------
    Cohen (1988), table 2.4.1: d = 0.5, α = 0.05 two-sided, power 0.80 → n = 64 per group.

    Examples
    --------
    >>> sample_size_means(0.5, 1.0)
    64
    """
    from statsmodels.stats.power import TTestIndPower

    alpha, power, ratio = _check_design(alpha, power, ratio)
    if not (isinstance(sd, int | float) and sd > 0):
        raise ValueError(f"sd must be a positive number, got {sd!r}")
    if not (isinstance(difference, int | float) and difference != 0):
        raise ValueError(f"difference must be a non-zero number, got {difference!r}")
    n = TTestIndPower().solve_power(effect_size=abs(difference) / sd, alpha=alpha, power=power,
                                    ratio=ratio)
    return math.ceil(float(n) - 1e-9)


def _nps_var(promoters: float, detractors: float) -> float:
    return promoters + detractors - (promoters - detractors) ** 2


def sample_size_nps(difference, promoters, detractors, alpha=0.05, power=0.8, ratio=1.0,
                    promoters_b=None, detractors_b=None) -> int:
    """Respondents per group A to detect an NPS change of ``difference`` points.

    Parameters
    ----------
    difference : float
        NPS change worth detecting, in points (e.g. 5).
    promoters, detractors : float
        Expected shares (0–1) in group A (e.g. from last quarter's survey).
    alpha, power, ratio : float
        As in :func:`sample_size_proportions`.
    promoters_b, detractors_b : float, optional
        Expected shares in group B; default: group A's (a conservative planning choice when
        the change is small).

    Returns
    -------
    int
        n for group A, rounded up.

    Notes
    -----
    An NPS answer is +1 (promoter), 0 (passive) or −1 (detractor), so NPS/100 is a mean with
    variance V = p₊ + p₋ − (p₊ − p₋)² (the multinomial variance used by :mod:`cxlib.metrics`).
    For a two-sided z test of the difference of two independent NPS::

        n = (z₁₋α/₂ + z₁₋β)² · (V_A + V_B/ratio) / (Δ/100)²

    References
    ----------
    Reichheld (2003); the variance as in R ``NPS::nps_var``. The power formula is the standard
    two-sample z test for means (Chow, Shao & Wang 2008, §3.2.1).

    Examples
    --------
    p₊ = 0.4, p₋ = 0.2: V = 0.6 − 0.04 = 0.56; Δ = 10 points: n = 7.849·1.12/0.01 = 879.1 → 880.

    >>> sample_size_nps(10, 0.4, 0.2)
    880
    """
    alpha, power, ratio = _check_design(alpha, power, ratio)
    pa, da = _check_prob(promoters, "promoters", open_low=False), _check_prob(
        detractors, "detractors", open_low=False)
    pb = pa if promoters_b is None else _check_prob(promoters_b, "promoters_b", open_low=False)
    db = da if detractors_b is None else _check_prob(detractors_b, "detractors_b", open_low=False)
    if pa + da > 1 or pb + db > 1:
        raise ValueError("promoter and detractor shares add up to more than 1")
    if not (isinstance(difference, int | float) and 0 < abs(difference) <= 200):
        raise ValueError(f"difference must be a non-zero number of NPS points (≤ 200), got {difference!r}")
    var = _nps_var(pa, da) + _nps_var(pb, db) / ratio
    if var <= 0:
        raise ValueError("with these shares every answer is the same: the NPS has no variance to plan for")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return math.ceil(z * z * var / (difference / 100) ** 2 - 1e-9)


def nps_sample_size_curve(effects, promoters, detractors, alpha=0.05, power=0.8, ratio=1.0) -> pd.DataFrame:
    """:func:`sample_size_nps` for a range of effects, for a planning chart.

    Parameters
    ----------
    effects : array-like
        NPS changes in points.
    promoters, detractors, alpha, power, ratio
        As in :func:`sample_size_nps`.

    Returns
    -------
    pandas.DataFrame
        ``effect`` and ``n`` (group A size), one row per effect.

    Examples
    --------
    >>> nps_sample_size_curve([10, 5], 0.4, 0.2)["n"].tolist()
    [880, 3517]
    """
    effects = [float(e) for e in effects]
    sizes = [sample_size_nps(e, promoters, detractors, alpha, power, ratio) for e in effects]
    return pd.DataFrame({"effect": effects, "n": sizes})


def mde_nps(n, promoters, detractors, alpha=0.05, power=0.8, ratio=1.0) -> float:
    """Smallest NPS change (points) that ``n`` respondents in group A detect (equal shares assumed).

    Parameters
    ----------
    n : int
        Group A size.
    promoters, detractors, alpha, power, ratio
        As in :func:`sample_size_nps`.

    Returns
    -------
    float
        ``100·(z₁₋α/₂ + z₁₋β)·√(V·(1 + 1/ratio)/n)``.

    References
    ----------
    As :func:`sample_size_nps`, solved for Δ.

    Examples
    --------
    >>> round(mde_nps(880, 0.4, 0.2), 2)
    9.99
    """
    alpha, power, ratio = _check_design(alpha, power, ratio)
    if not n > 1:
        raise ValueError(f"n must be more than 1, got {n!r}")
    var = _nps_var(_check_prob(promoters, "promoters", open_low=False),
                   _check_prob(detractors, "detractors", open_low=False))
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(100 * z * math.sqrt(var * (1 + 1 / ratio) / n))


def run_length(n_a, traffic_per_day, share_in_test=1.0, ratio=1.0) -> int:
    """Whole days needed to collect ``n_a`` in group A (and ``ratio·n_a`` in B).

    Parameters
    ----------
    n_a : int
        Required size of group A.
    traffic_per_day : float
        Eligible visitors (or respondents) per day.
    share_in_test : float
        Share of the traffic that enters the experiment (0–1].
    ratio : float
        Group B size relative to group A.

    Returns
    -------
    int
        ``ceil(n_a·(1 + ratio) / (traffic_per_day·share_in_test))``. Round up to whole weeks in
        practice, so every weekday is represented equally.

    Examples
    --------
    >>> run_length(880, 150)
    12
    """
    if not traffic_per_day > 0:
        raise ValueError(f"traffic_per_day must be positive, got {traffic_per_day!r}")
    if not 0 < share_in_test <= 1:
        raise ValueError(f"share_in_test must be in (0, 1], got {share_in_test!r}")
    return math.ceil(n_a * (1 + ratio) / (traffic_per_day * share_in_test) - 1e-9)


def _crossing_prob(bounds: np.ndarray, grid: int = 301) -> float:
    """P(|Z_k| ≥ b_k for some k) at K equally spaced looks, by recursive numerical integration.

    The partial sums S_k = Z_k·√k have independent N(0, 1) increments; the density of S_k on the
    continuation region |S_k| < b_k·√k is carried from look to look by convolution with the
    normal density (Armitage, McPherson & Rowe 1969), evaluated with Simpson's rule on a grid.
    """
    k = len(bounds)
    limits = bounds * np.sqrt(np.arange(1, k + 1))
    simpson = np.ones(grid)
    simpson[1:-1:2], simpson[2:-1:2] = 4, 2
    unit = np.linspace(-1.0, 1.0, grid)
    s = limits[0] * unit
    density = np.exp(-0.5 * s * s) / np.sqrt(2 * np.pi)
    for look in range(1, k):
        nxt = limits[look] * unit
        step = simpson * density * (s[1] - s[0]) / 3
        gap = nxt[:, None] - s[None, :]
        density = np.exp(-0.5 * gap * gap) @ step / np.sqrt(2 * np.pi)
        s = nxt
    return 1.0 - float((simpson * density).sum() * (s[1] - s[0]) / 3)


def sequential_bounds(looks, alpha=0.05, kind="obrien-fleming") -> np.ndarray:
    """Two-sided critical |z| values for ``looks`` equally spaced interim analyses.

    Parameters
    ----------
    looks : int
        Number of analyses K (2–10), the last one at the planned sample size.
    alpha : float
        Overall two-sided type I error.
    kind : {"obrien-fleming", "pocock"}
        ``"pocock"``: the same bound c at every look; ``"obrien-fleming"``: c·√(K/k), strict
        early, close to the fixed-sample bound at the end.

    Returns
    -------
    numpy.ndarray
        K bounds; stop at look k when |z_k| ≥ bound_k.

    Notes
    -----
    The constant c solves P(∃k: |Z_k| ≥ b_k(c)) = α, where Z_k are the cumulative z statistics,
    jointly normal with corr(Z_i, Z_j) = √(i/j) for i ≤ j. The probability is computed by the
    recursive numerical integration of Armitage, McPherson & Rowe (1969) (Simpson's rule, error
    below 1e-6 for K ≤ 10) and c found with Brent's method. Hand-written because neither
    statsmodels nor scipy provides group-sequential boundaries.

    References
    ----------
    Armitage, P., McPherson, C. K., & Rowe, B. C. (1969). Repeated significance tests on
    accumulating data. *JRSS A* 132, 235–244. Pocock (1977); O'Brien & Fleming (1979); Jennison & Turnbull (2000), tables 2.1 and 2.3:
    K = 5, α = 0.05: Pocock c = 2.413, O'Brien–Fleming c = 2.040.

    Examples
    --------
    >>> [round(float(b), 2) for b in sequential_bounds(5, kind="pocock")]
    [2.41, 2.41, 2.41, 2.41, 2.41]
    """
    if isinstance(looks, bool) or not isinstance(looks, int) or not 2 <= looks <= 10:
        raise ValueError(f"looks must be a whole number from 2 to 10, got {looks!r}")
    alpha = _check_prob(alpha, "alpha")
    k = np.arange(1, looks + 1)
    if kind == "pocock":
        shape = np.ones(looks)
    elif kind == "obrien-fleming":
        shape = np.sqrt(looks / k)
    else:
        raise ValueError(f"kind must be 'obrien-fleming' or 'pocock', got {kind!r}")
    c = optimize.brentq(lambda c: _crossing_prob(c * shape) - alpha, 1.0, 6.0, xtol=1e-6)
    return c * shape
