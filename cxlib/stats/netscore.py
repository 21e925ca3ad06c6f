"""Net scores from counts: NPS, CSI and CES-net (share above − share below), their variance and tests.

A net score is the mean of a three-valued answer (+1 promoter/satisfied/easy, 0 neutral, −1
detractor/dissatisfied/difficult), reported in points: ``100·(p₊ − p₋)``. Everything here takes
the counts (or weighted counts with Kish's effective n) of the two outer categories and the
total, is vectorised over groups, and is what :mod:`cxlib.metrics` reports.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12), 46–54.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*
70(4), 365–372.
Kish, L. (1965). *Survey Sampling*. Wiley (effective sample size for weighted shares).
"""

from __future__ import annotations

from math import ceil, isfinite

import numpy as np

from ._dist import norm_sf
from .proportions import critical_z

__all__ = [
    "net_score",
    "net_score_adjusted_wald",
    "net_score_bootstrap",
    "net_score_degenerate",
    "net_score_test",
    "net_score_sample_size",
    "ADJUSTED_WALD_PSEUDO",
]

#: Pseudo-observations of Rocks' (2016) adjusted Wald interval: 3 added to n, ¾ of them to the
#: promoters, ¾ to the detractors (1½ to the passives).
ADJUSTED_WALD_PSEUDO = 3.0


def net_score(pos, neg, total, conf: float = 0.95, *, n_eff=None):
    """Net score in points with its multinomial SE and Wald interval (vectorised).

    Parameters
    ----------
    pos, neg : float or array-like
        Counts (or weighted counts) of the upper (promoters, satisfied, easy) and lower
        (detractors, dissatisfied, difficult) categories.
    total : float or array-like
        All answers (or the sum of the weights).
    conf : float
        Confidence level of the Wald interval.
    n_eff : float or array-like, optional
        Sample size in the variance; default ``total``. For weighted counts pass Kish's
        effective n (Σw)²/Σw² (:func:`cxlib.stats.moments.kish_n`).

    Returns
    -------
    (value, se, ci_low, ci_high) : floats or numpy.ndarrays
        In points; the interval is truncated to [−100, 100]. NaN where ``total`` = 0.

    Notes
    -----
    With p₊ = pos/total and p₋ = neg/total::

        net = 100·(p₊ − p₋)
        Var = (p₊ + p₋ − (p₊ − p₋)²) / n          (n = total, or n_eff when weighted)
        SE  = 100·√Var,  CI = net ± z₍₁₋α/₂₎·SE

    Var is the variance of the mean of the ±1/0 score with divisor n, as R's ``NPS::nps_var``
    divided by n. When every answer is in one category Var = 0 and the Wald interval collapses
    to a point: :func:`net_score_degenerate` flags that, and :func:`net_score_adjusted_wald`
    gives an interval that does not collapse.

    References
    ----------
    Reichheld (2003). Rocks (2016), §2.

    Examples
    --------
    Two promoters, two passives, two detractors: net 0, Var = (2/3 − 0)/6 = 1/9.

    >>> v, se, lo, hi = net_score(2, 2, 6)
    >>> v, round(se, 2), round(lo, 1), round(hi, 1)
    (0.0, 33.33, -65.3, 65.3)
    """
    z = critical_z(conf)
    pos = np.asarray(pos, dtype=float)
    neg = np.asarray(neg, dtype=float)
    n = np.asarray(total, dtype=float)
    m = n if n_eff is None else np.asarray(n_eff, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pp, pm = pos / n, neg / n
        d = pp - pm
        var = np.maximum(pp + pm - d * d, 0.0) / m
        value = 100 * d
        se = 100 * np.sqrt(var)
    low = np.clip(value - z * se, -100, 100)
    high = np.clip(value + z * se, -100, 100)
    if value.ndim == 0:
        return float(value), float(se), float(low), float(high)
    return value, se, low, high


def net_score_degenerate(pos, neg, total):
    """True where the Wald SE is 0 by construction: fewer than two answers or all in one category.

    Parameters
    ----------
    pos, neg, total : float or array-like
        Counts (or weighted counts) of the upper and lower categories and all answers.

    Returns
    -------
    bool or numpy.ndarray of bool

    Examples
    --------
    >>> net_score_degenerate(1, 0, 1), net_score_degenerate(0, 0, 50), net_score_degenerate(1, 1, 2)
    (True, True, False)
    """
    pos, neg, n = (np.asarray(a, dtype=float) for a in (pos, neg, total))
    out = (n < 2) | (pos == n) | (neg == n) | ((pos == 0) & (neg == 0))
    return bool(out) if out.ndim == 0 else out


def net_score_adjusted_wald(pos, neg, total, conf: float = 0.95, *, n_eff=None,
                            pseudo: float = ADJUSTED_WALD_PSEUDO):
    """Rocks' (2016) adjusted Wald interval for a net score: add pseudo-answers, then Wald.

    Parameters
    ----------
    pos, neg, total : float or array-like
        Counts (or weighted counts) of the upper and lower categories and all answers.
    conf : float
        Confidence level.
    n_eff : float or array-like, optional
        Effective sample size for weighted counts (default ``total``).
    pseudo : float
        Pseudo-answers T added to n; T/4 go to each outer category, T/2 to the middle one.

    Returns
    -------
    (centre, se, ci_low, ci_high) : floats or numpy.ndarrays
        In points. ``centre`` is the adjusted estimate around which the interval is built; report
        the observed net score as the estimate. The interval never has width 0 and lies in
        [−100, 100].

    Notes
    -----
    With n' = n + T, p̃₊ = (n·p₊ + T/4)/n', p̃₋ = (n·p₋ + T/4)/n'::

        centre = 100·(p̃₊ − p̃₋),   SE = 100·√((p̃₊ + p̃₋ − (p̃₊ − p̃₋)²)/n'),   centre ± z·SE

    Rocks (2016) compares Wald, adjusted Wald, bootstrap and score intervals for the NPS; the
    adjusted Wald family has near-nominal coverage down to small n where Wald under-covers and
    collapses at the bounds. T = 3 is the variant Lewis & Sauro (2021) summarise ("add 3 to n, ¾
    to promoters and ¾ to detractors"). With very few answers the interval is pulled towards 0
    and may exclude an extreme observed score (one answer of 10 gives NPS 100 but an interval
    of about −48 to 98): that is the honest reading of one answer.

    References
    ----------
    Rocks (2016), The American Statistician 70(4), 365–372, §3. Agresti, A., & Coull, B. A.
    (1998), The American Statistician 52, 119–126 (the adjusted Wald idea). Lewis, J. R., &
    Sauro, J. (2021). Confidence intervals for net promoter scores. MeasuringU.

    Examples
    --------
    One promoter: n' = 4, p̃₊ = 1.75/4, p̃₋ = 0.75/4, centre 25, SE = 100·√(0.5625/4) = 37.5.

    >>> c, se, lo, hi = net_score_adjusted_wald(1, 0, 1)
    >>> c, se, round(lo, 1), round(hi, 1)
    (25.0, 37.5, -48.5, 98.5)
    """
    z = critical_z(conf)
    pos, neg, n = (np.asarray(a, dtype=float) for a in (pos, neg, total))
    m = n if n_eff is None else np.asarray(n_eff, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m2 = m + pseudo
        pp = (m * (pos / n) + pseudo / 4) / m2
        pm = (m * (neg / n) + pseudo / 4) / m2
        d = pp - pm
        se = 100 * np.sqrt(np.maximum(pp + pm - d * d, 0.0) / m2)
        centre = 100 * d
    low = np.clip(centre - z * se, -100, 100)
    high = np.clip(centre + z * se, -100, 100)
    if centre.ndim == 0:
        return float(centre), float(se), float(low), float(high)
    return centre, se, low, high


def net_score_bootstrap(pos, middle, neg, conf: float = 0.95, *, n_boot: int = 2000, seed: int | None = 0):
    """Percentile bootstrap interval of a net score from its three counts (multinomial resampling).

    Parameters
    ----------
    pos, middle, neg : int
        Counts of the three categories.
    conf : float
        Confidence level.
    n_boot : int
        Resamples (≥ 100).
    seed : int or None
        Seed of the random generator; the same seed gives the same interval.

    Returns
    -------
    (ci_low, ci_high) : floats
        In points. Degenerate samples give a zero-width interval (resampling cannot invent
        answers); see :func:`net_score_adjusted_wald`.

    References
    ----------
    Efron, B., & Tibshirani, R. (1993). *An Introduction to the Bootstrap*, ch. 13. Rocks (2016).

    Examples
    --------
    >>> net_score_bootstrap(5, 0, 0)
    (100.0, 100.0)
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 100:
        raise ValueError(f"n_boot must be a whole number ≥ 100, got {n_boot!r}")
    n = int(pos + middle + neg)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, [pos / n, middle / n, neg / n], size=int(n_boot))
    boot = 100.0 * (draws[:, 0] - draws[:, 2]) / n
    low, high = np.quantile(boot, [(1 - conf) / 2, (1 + conf) / 2])
    return float(low), float(high)


def net_score_test(value1, se1, value2, se2, conf: float = 0.95):
    """Two-sided z test of the difference of two independent net scores (vectorised).

    Parameters
    ----------
    value1, se1, value2, se2 : float or array-like
        Net scores and their SEs, in points.
    conf : float
        Confidence level of the difference's interval.

    Returns
    -------
    (difference, se, z, p_value, ci_low, ci_high) : floats or numpy.ndarrays
        ``difference`` = value1 − value2 (signed, points). Where both SEs are 0 (every answer of
        both samples in one category, e.g. one 10 against one 0) the test has no information on
        the sampling error: ``z`` and ``p_value`` are NaN and the interval is the point, rather
        than R ``NPS::nps.test``'s z = ∞, p = 0.

    Notes
    -----
    ::

        d = v₁ − v₂,   SE = √(SE₁² + SE₂²),   z = d/SE,   p = 2·(1 − Φ(|z|)),   CI = d ± z₍₁₋α/₂₎·SE

    References
    ----------
    Rocks (2016), §4 (the test R's ``NPS::nps.test`` implements).

    Examples
    --------
    >>> d, se, z, p, lo, hi = net_score_test(50.0, 30.0, 10.0, 40.0)
    >>> d, se, z, round(p, 4)
    (40.0, 50.0, 0.8, 0.4237)
    """
    zq = critical_z(conf)
    v1, s1, v2, s2 = (np.asarray(a, dtype=float) for a in (value1, se1, value2, se2))
    diff = v1 - v2
    se = np.sqrt(s1 * s1 + s2 * s2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, diff / se, np.nan)
    p = 2 * norm_sf(np.abs(z))
    low, high = diff - zq * se, diff + zq * se
    if diff.ndim == 0:
        return float(diff), float(se), float(z), float(p), float(low), float(high)
    return diff, se, z, p, low, high


def net_score_sample_size(margin: float, pos: float, neg: float, conf: float = 0.95) -> int:
    """Respondents needed for a Wald interval of ± ``margin`` points around a net score.

    Parameters
    ----------
    margin : float
        Desired half-width, in points (5 for ±5).
    pos, neg : float
        Expected shares (0–1) of the upper and lower categories; 0.5 and 0.5 is the worst case.
    conf : float
        Confidence level.

    Returns
    -------
    int
        ``n = ⌈z²·(p₊ + p₋ − (p₊ − p₋)²)/E²⌉`` with E = margin/100. Divide by the design effect
        n_eff/n of a weighted survey to plan a weighted sample.

    References
    ----------
    Rocks (2016) (variance of the NPS).

    Examples
    --------
    Var = 0.8 − 0.04 = 0.76, n = 1.96²·0.76/0.05² = 1167.8 → 1168.

    >>> net_score_sample_size(5, 0.5, 0.3)
    1168
    """
    z = critical_z(conf)
    for name, value in (("margin", margin), ("promoters", pos), ("detractors", neg)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) or not isfinite(value):
            raise ValueError(f"{name} must be a number, got {value!r}")
    if margin <= 0:
        raise ValueError(f"margin must be > 0 points, got {margin!r}")
    for name, value in (("promoters", pos), ("detractors", neg)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be a share between 0 and 1 (not a percent), got {value!r}")
    if pos + neg > 1:
        raise ValueError(f"promoters + detractors must be ≤ 1, got {pos!r} + {neg!r}")
    var = pos + neg - (pos - neg) ** 2
    n = z * z * var / (margin / 100) ** 2
    # guard against 384.00000000001 rounding up because of floating point
    return max(1, ceil(n - 1e-9))
