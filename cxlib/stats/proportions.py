"""Proportions from counts: Wilson interval, Newcombe difference interval, pooled z test, Cohen's h.

Every function takes counts (successes ``x`` out of trials ``n``), is vectorised over groups and
returns NaN, not an error, where a group is empty (``n = 0``), so a table of many groups never
fails because one of them has no data.

Why own code beside statsmodels: ``statsmodels.stats.proportion.proportion_confint`` and
``confint_proportions_2indep`` validate and loop per call and raise or warn on empty groups;
the formulas here are three lines each, broadcast over whole tables, and are tested against
statsmodels to 1e-12 (``tests/test_stats_proportions.py``). Cohen's h is statsmodels'
``proportion_effectsize`` itself.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209–212.
Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval estimation
of binomial proportions. *The American Statistician* 52, 119–126.
Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion: comparison of
seven methods. *Statistics in Medicine* 17, 857–872.
Newcombe, R. G. (1998b). Interval estimation for the difference between independent proportions:
comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.), ch. 6.
"""

from __future__ import annotations

import numpy as np

from ._dist import norm_ppf, norm_sf

__all__ = [
    "critical_z",
    "proportion_se",
    "wilson_interval",
    "newcombe_interval",
    "two_proportion_ztest",
    "cohens_h",
    "weighted_share",
]


def critical_z(conf: float) -> float:
    """Two-sided standard-normal quantile z₍₁₋α/₂₎ for confidence level ``conf``.

    Parameters
    ----------
    conf : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    float
        ``Φ⁻¹(0.5 + conf/2)``.

    Raises
    ------
    ValueError
        If ``conf`` is not a number strictly between 0 and 1.

    Examples
    --------
    >>> round(critical_z(0.95), 4)
    1.96
    """
    if isinstance(conf, bool) or not isinstance(conf, int | float | np.floating) or not 0 < conf < 1:
        raise ValueError(f"conf must be a number strictly between 0 and 1, got {conf!r}")
    return float(norm_ppf(0.5 + conf / 2))


def _scalar_or_array(*arrays):
    if all(np.ndim(a) == 0 for a in arrays):
        return tuple(float(a) for a in arrays)
    return arrays


def proportion_se(x, n):
    """Standard error √(p̂(1 − p̂)/n) of a proportion p̂ = x/n (NaN where n = 0).

    Parameters
    ----------
    x, n : float or array-like
        Successes and trials (weighted: weighted successes and Kish's effective n times p̂).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(proportion_se(25, 100), 6)
    0.043301
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        se = np.sqrt(p * (1 - p) / n)
    return float(se) if se.ndim == 0 else se


def wilson_interval(x, n, conf: float = 0.95):
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    x, n : float or array-like
        Successes and trials (vectorised; ``n == 0`` gives NaN). Non-integer values are
        allowed for weighted data: pass the weighted share times Kish's effective n
        (see :func:`cxlib.stats.moments.kish_n`) as ``x`` and the effective n as ``n``.
    conf : float
        Confidence level.

    Returns
    -------
    (low, high) : tuple of float or of numpy.ndarray
        Bounds as proportions (0–1).

    Raises
    ------
    ValueError
        If some ``x`` lies outside ``[0, n]``.

    Notes
    -----
    With p̂ = x/n and z = z₍₁₋α/₂₎::

        centre = (p̂ + z²/(2n)) / (1 + z²/n)
        half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²))

    Unlike the Wald interval it stays inside [0, 1] and keeps close to nominal coverage for
    small n and extreme p (Agresti & Coull 1998; Newcombe 1998a, method 3). Equals
    ``statsmodels.stats.proportion.proportion_confint(x, n, method="wilson")``.

    References
    ----------
    Wilson (1927), JASA 22, 209–212. Agresti & Coull (1998), The American Statistician 52,
    119–126. Newcombe (1998a), Statistics in Medicine 17, 857–872.

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    """
    z = critical_z(conf)
    xx = np.asarray(x, dtype=float)
    nn = np.asarray(n, dtype=float)
    if np.any(xx < 0) or np.any(xx > nn):
        raise ValueError(f"successes must lie between 0 and n, got successes={x!r}, n={n!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = xx / nn
        z2n = z * z / nn
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / nn + z2n / (4 * nn))
    # exact ends: the bound is 0 (1) when no (every) trial succeeded, not a rounding residue
    low = np.where(xx == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(xx == nn, 1.0, np.clip(centre + half, 0.0, 1.0))
    low = np.where(np.isnan(centre), np.nan, low)
    high = np.where(np.isnan(centre), np.nan, high)
    return _scalar_or_array(low, high)


def newcombe_interval(x1, n1, x2, n2, conf: float = 0.95):
    r"""Newcombe's hybrid score interval for the difference of two independent proportions p₁ − p₂.

    Parameters
    ----------
    x1, n1, x2, n2 : float or array-like
        Successes and trials of the two samples (vectorised; an empty sample gives NaN).
    conf : float
        Confidence level.

    Returns
    -------
    (low, high) : tuple of float or of numpy.ndarray
        Bounds of p₁ − p₂ (proportions, −1…1).

    Notes
    -----
    With Wilson limits (l₁, u₁) for p₁ and (l₂, u₂) for p₂ (:func:`wilson_interval`) and
    d = p₁ − p₂ (Newcombe 1998b, method 10)::

        L = d − √((p₁ − l₁)² + (u₂ − p₂)²)
        U = d + √((u₁ − p₁)² + (p₂ − l₂)²)

    Equals ``statsmodels.stats.proportion.confint_proportions_2indep(x1, n1, x2, n2,
    method="newcomb")``.

    References
    ----------
    Newcombe (1998b), Statistics in Medicine 17, 873–890.

    Examples
    --------
    Newcombe's (1998b) example (56/70 vs 48/80), published interval 0.0524 to 0.3339:

    >>> low, high = newcombe_interval(56, 70, 48, 80)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    l1, u1 = (np.asarray(v) for v in wilson_interval(x1, np.where(n1 > 0, n1, np.nan), conf))
    l2, u2 = (np.asarray(v) for v in wilson_interval(x2, np.where(n2 > 0, n2, np.nan), conf))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return _scalar_or_array(low, high)


def two_proportion_ztest(x1, n1, x2, n2):
    """Pooled two-proportion z test of p₁ = p₂ (two-sided; the score test, = Pearson's χ² on the 2×2 table).

    Parameters
    ----------
    x1, n1, x2, n2 : float or array-like
        Successes and trials of the two samples (vectorised).

    Returns
    -------
    (z, p_value) : tuple of float or of numpy.ndarray
        ``z`` for p₁ − p₂. Where the pooled proportion is 0 or 1 (every answer the same in
        both samples) or a sample is empty the test is undefined and both are NaN; callers that
        want "no difference" there must say so themselves.

    Notes
    -----
    With p̄ = (x₁ + x₂)/(n₁ + n₂)::

        z = (p₁ − p₂) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)),   p = 2·(1 − Φ(|z|))

    Equals ``statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])`` and
    ``scipy.stats.chi2_contingency(..., correction=False)`` (z² = χ²).

    References
    ----------
    Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.), §3.1.

    Examples
    --------
    p̄ = 104/150, se₀ = √(p̄(1 − p̄)(1/70 + 1/80)) = 0.075467, z = 0.2/se₀:

    >>> z, p = two_proportion_ztest(56, 70, 48, 80)
    >>> round(z, 4), round(p, 4)
    (2.6502, 0.008)
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se0 > 0, (p1 - p2) / se0, np.nan)
    p = 2 * norm_sf(np.abs(z))
    return _scalar_or_array(z, p)


def cohens_h(p1, p2):
    """Cohen's h effect size of two proportions: 2·arcsin√p₁ − 2·arcsin√p₂.

    Parameters
    ----------
    p1, p2 : float or array-like
        Proportions (0–1).

    Returns
    -------
    float or numpy.ndarray
        0.2 small, 0.5 medium, 0.8 large (Cohen 1988).

    Notes
    -----
    ``statsmodels.stats.proportion.proportion_effectsize`` (imported on first call).

    References
    ----------
    Cohen (1988), Statistical Power Analysis, ch. 6.

    Examples
    --------
    >>> round(cohens_h(0.5, 0.25), 4)
    0.5236
    """
    from statsmodels.stats.proportion import proportion_effectsize

    h = np.asarray(proportion_effectsize(np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)))
    return float(h) if h.ndim == 0 else h


def weighted_share(sum_w_success, sum_w, sum_w2, conf: float = 0.95):
    """A weighted share with its Kish SE and Wilson interval (vectorised over groups).

    Parameters
    ----------
    sum_w_success : float or array-like
        Σw over the respondents with the attribute (e.g. a top-2-box answer).
    sum_w : float or array-like
        Σw over all respondents with an answer.
    sum_w2 : float or array-like
        Σw² over the same respondents.
    conf : float
        Confidence level.

    Returns
    -------
    dict of floats or numpy.ndarrays
        ``share`` = Σw_success/Σw, ``n_eff`` = (Σw)²/Σw² (Kish), ``se`` = √(share(1 − share)/n_eff),
        ``ci_low``, ``ci_high`` — the Wilson interval (:func:`wilson_interval`) at n = n_eff.
        With unit weights these are the unweighted share, SE and Wilson interval.

    Notes
    -----
    The point estimate is the design-consistent weighted share (R ``survey::svymean`` of the
    indicator); the SE is Kish's model-based approximation, which ignores any correlation between
    weights and answers (see :mod:`cxlib.stats.moments`).

    References
    ----------
    Kish (1965), Survey Sampling, §11.7. Wilson (1927).

    Examples
    --------
    Three of four respondents satisfied, weights 1, 1, 2 (satisfied) and 4 (not): share 4/8,
    n_eff = 64/22.

    >>> r = weighted_share(4.0, 8.0, 22.0)
    >>> r["share"], round(r["n_eff"], 4), round(r["se"], 4)
    (0.5, 2.9091, 0.2932)
    """
    from .moments import kish_n

    sw_x = np.asarray(sum_w_success, dtype=float)
    sw = np.asarray(sum_w, dtype=float)
    n_eff = np.asarray(kish_n(sw, sum_w2), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = sw_x / sw
        se = np.sqrt(share * (1 - share) / n_eff)
    low, high = wilson_interval(share * n_eff, n_eff, conf)
    out = {"share": share, "n_eff": n_eff, "se": se, "ci_low": low, "ci_high": high}
    if share.ndim == 0:
        return {k: float(v) for k, v in out.items()}
    return {k: np.asarray(v) for k, v in out.items()}
