"""Means, standard deviations, t intervals and Welch tests from moments ``(n, Σx, Σx²)``.

The aggregation layer (:mod:`cxlib.aggregate.survey`) reduces rows to per-group moments; the
functions here turn them into statistics. All are vectorised over groups and return NaN (never a
zero-width interval) where a group has fewer than two answers.

**Weights.** A weighted group is summarised by ``Σw``, ``Σw·x``, ``Σw·x²`` and ``Σw²``. Following
Kish (1965), every variance uses the effective sample size n_eff = (Σw)²/Σw² (:func:`kish_n`):
the weighted SD is the weighted second central moment rescaled by n_eff/(n_eff − 1), the SE is
SD/√n_eff and t intervals use n_eff − 1 degrees of freedom. With all weights equal to 1 this is
exactly the unweighted statistic. The design-based (Taylor linearisation) SE of R ``survey``'s
``svymean`` for a one-stage, with-replacement design without strata is also available
(:func:`weighted_mean_se_linearized`): it needs ``Σw²x`` and ``Σw²x²`` too and differs from
the Kish SE whenever the weights are correlated with the answers.

References
----------
Kish, L. (1965). *Survey Sampling*. Wiley, §11.7 (effective sample size).
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, §2.2–2.3.
Welch, B. L. (1947). The generalization of "Student's" problem when several different
population variances are involved. *Biometrika* 34, 28–35.
"""

from __future__ import annotations

import numpy as np

from ._dist import t_ppf, t_sf

__all__ = [
    "kish_n",
    "mean_sd_from_moments",
    "mean_sd_from_counts",
    "weighted_mean_sd",
    "weighted_mean_se_linearized",
    "t_interval",
    "welch_test",
]


def _out(*arrays):
    if all(np.ndim(a) == 0 for a in arrays):
        return tuple(float(a) for a in arrays)
    return arrays


def kish_n(sum_w, sum_w2):
    """Kish's effective sample size n_eff = (Σw)²/Σw².

    Parameters
    ----------
    sum_w, sum_w2 : float or array-like
        Sum of the weights and sum of the squared weights of a group.

    Returns
    -------
    float or numpy.ndarray
        n_eff; equals n when every weight is the same; NaN for an empty group.

    References
    ----------
    Kish (1965), Survey Sampling, §11.7.

    Examples
    --------
    >>> kish_n(4.0, 4.0), kish_n(1 + 1 + 2, 1 + 1 + 4)
    (4.0, 2.6666666666666665)
    """
    sw = np.asarray(sum_w, dtype=float)
    sw2 = np.asarray(sum_w2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(sw2 > 0, sw * sw / sw2, np.nan)
    return float(out) if out.ndim == 0 else out


def mean_sd_from_moments(n, sum_x, sum_x2):
    """Mean and sample SD (ddof = 1) from ``(n, Σx, Σx²)``.

    Parameters
    ----------
    n, sum_x, sum_x2 : float or array-like
        Count, sum and sum of squares per group.

    Returns
    -------
    (mean, sd) : floats or numpy.ndarrays
        ``mean`` NaN for n = 0, ``sd`` NaN for n < 2.

    Notes
    -----
    ``mean = Σx/n``, ``sd² = (Σx² − (Σx)²/n)/(n − 1)``, floored at 0 against rounding. For
    whole-number answers (rating scales) the aggregation layer's integer sums are exact, so the
    only rounding is in the final division; for real-valued data with a large mean relative to
    its spread, aggregate a shifted variable (x − c) and add c back to the mean.

    Examples
    --------
    >>> mean_sd_from_moments(4, 10, 30)   # answers 1, 2, 3, 4
    (2.5, 1.2909944487358056)
    """
    n = np.asarray(n, dtype=float)
    sx = np.asarray(sum_x, dtype=float)
    sxx = np.asarray(sum_x2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, sx / n, np.nan)
        ss = np.maximum(sxx - sx * sx / n, 0.0)
        sd = np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)
    return _out(mean, sd)


def mean_sd_from_counts(counts, values):
    """Number, mean and sample SD (ddof = 1) from counts per answer value (rows = groups).

    Parameters
    ----------
    counts : array-like, shape (..., k)
        Counts (or weighted counts) of each answer value; the last axis runs over ``values``.
    values : array-like, shape (k,)
        The answer values.

    Returns
    -------
    (n, mean, sd) : numpy.ndarrays (0-d for one group)
        ``sd`` is NaN for n ≤ 1.

    Notes
    -----
    Two-pass on the counts: mean = Σcᵥ·v/n, sd² = Σcᵥ(v − mean)²/(n − 1); exact for
    whole-number counts, with no cancellation.

    Examples
    --------
    >>> n, m, s = mean_sd_from_counts([1, 1, 1, 1], [1, 2, 3, 4])
    >>> float(n), float(m), round(float(s), 6)
    (4.0, 2.5, 1.290994)
    """
    counts = np.asarray(counts, dtype=float)
    values = np.asarray(values, dtype=float)
    n = counts.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts * values).sum(-1) / n
        ss = (counts * (values - mean[..., None]) ** 2).sum(-1)
        sd = np.sqrt(ss / (n - 1))
    sd = np.where(n > 1, sd, np.nan)
    return n, mean, sd


def weighted_mean_sd(sum_w, sum_wx, sum_wx2, sum_w2):
    """Weighted mean, Kish-corrected weighted SD and effective n from weighted moments.

    Parameters
    ----------
    sum_w, sum_wx, sum_wx2, sum_w2 : float or array-like
        Σw, Σw·x, Σw·x², Σw² per group.

    Returns
    -------
    (mean, sd, n_eff) : floats or numpy.ndarrays
        ``sd`` NaN when n_eff ≤ 1.

    Notes
    -----
    ::

        mean  = Σwx / Σw
        m₂    = Σwx²/Σw − mean²                  (weighted second central moment)
        n_eff = (Σw)² / Σw²                      (Kish 1965)
        sd    = √(m₂ · n_eff/(n_eff − 1))

    so that ``sd/√n_eff`` is the Kish SE of the mean, and all weights 1 give the ordinary
    mean and sample SD. The point estimate equals R ``survey::svymean``; its SE is the model-
    based Kish SE, not svymean's design-based one (see :func:`weighted_mean_se_linearized`).

    References
    ----------
    Kish (1965), Survey Sampling, §11.7. Lumley (2010), Complex Surveys, §2.2.

    Examples
    --------
    Answers 1, 2, 3 with weights 1, 1, 2: mean 9/4, m₂ = 23/4 − (9/4)² = 0.6875, n_eff 16/6,
    sd = √(0.6875·(16/6)/(10/6)) = √1.1.

    >>> m, s, ne = weighted_mean_sd(4, 9, 23, 6)
    >>> m, round(s, 6), round(ne, 6)
    (2.25, 1.048809, 2.666667)
    """
    sw = np.asarray(sum_w, dtype=float)
    swx = np.asarray(sum_wx, dtype=float)
    swxx = np.asarray(sum_wx2, dtype=float)
    sw2 = np.asarray(sum_w2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sw > 0, swx / sw, np.nan)
        m2 = np.maximum(swxx / sw - mean * mean, 0.0)
        n_eff = np.where(sw2 > 0, sw * sw / sw2, np.nan)
        sd = np.where(n_eff > 1, np.sqrt(m2 * n_eff / (n_eff - 1)), np.nan)
    return _out(mean, sd, n_eff)


def weighted_mean_se_linearized(n, sum_w, sum_wx, sum_w2, sum_w2x, sum_w2x2):
    """Design-based SE of a weighted mean (Taylor linearisation, one stage, with replacement, no strata).

    Parameters
    ----------
    n : int or array-like
        Number of respondents (rows) per group.
    sum_w, sum_wx, sum_w2, sum_w2x, sum_w2x2 : float or array-like
        Σw, Σw·x, Σw², Σw²·x, Σw²·x² per group.

    Returns
    -------
    float or numpy.ndarray
        The SE R ``survey::svymean`` reports for ``svydesign(ids = ~1, weights = ~w)``.

    Notes
    -----
    With mean m = Σwx/Σw the linearised residuals are zᵢ = wᵢ(xᵢ − m)/Σw and::

        Var = n/(n − 1) · Σ wᵢ²(xᵢ − m)² / (Σw)²
            = n/(n − 1) · (Σw²x² − 2m·Σw²x + m²·Σw²) / (Σw)²

    (Lumley 2010, §2.3). This SE accounts for the weights' correlation with the answers; the
    Kish SE of :func:`weighted_mean_sd` does not, so the two differ on real surveys. Strata and
    finite-population corrections are not modelled: for a stratified design the SE differs from
    ``svymean``'s (the point estimate does not).

    References
    ----------
    Lumley (2010), Complex Surveys, §2.3. Binder, D. A. (1983). On the variances of asymptotically
    normal estimators from complex surveys. *International Statistical Review* 51, 279–292.

    Examples
    --------
    Answers 1, 2, 3 with weights 1, 1, 2 (m = 2.25; Σw²(x − m)² = 1.5625 + 0.0625 + 4·0.5625 = 3.875,
    Var = 3/2 · 3.875/16):

    >>> round(weighted_mean_se_linearized(3, 4, 9, 6, 15, 41), 6)
    0.602728
    """
    n = np.asarray(n, dtype=float)
    sw = np.asarray(sum_w, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.asarray(sum_wx, dtype=float) / sw
        ss = (np.asarray(sum_w2x2, dtype=float) - 2 * m * np.asarray(sum_w2x, dtype=float)
              + m * m * np.asarray(sum_w2, dtype=float))
        var = np.where(n > 1, n / (n - 1) * np.maximum(ss, 0.0) / (sw * sw), np.nan)
    se = np.sqrt(var)
    return float(se) if se.ndim == 0 else se


def t_interval(mean, sd, n, conf: float = 0.95):
    """Standard error and t interval of a mean: mean ± t₍₁₋α/₂, n−1₎·sd/√n.

    Parameters
    ----------
    mean, sd, n : float or array-like
        Mean, sample SD and number of answers per group (for weighted data pass the Kish SD
        and n_eff from :func:`weighted_mean_sd`; the degrees of freedom are then n_eff − 1).
    conf : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    (se, low, high) : floats or numpy.ndarrays
        NaN where n < 2 (one answer says nothing about spread; the interval is not shown
        as a point).

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6, 1–25.

    Examples
    --------
    >>> se, low, high = t_interval(2.5, 1.2909944487358056, 4)
    >>> round(se, 4), round(low, 4), round(high, 4)
    (0.6455, 0.4457, 4.5543)
    """
    if isinstance(conf, bool) or not isinstance(conf, int | float | np.floating) or not 0 < conf < 1:
        raise ValueError(f"conf must be a number strictly between 0 and 1, got {conf!r}")
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.where(n >= 2, sd / np.sqrt(n), np.nan)
        tq = t_ppf(0.5 + conf / 2, np.where(n >= 2, n - 1, np.nan))
    return _out(se, mean - tq * se, mean + tq * se)


def welch_test(mean1, sd1, n1, mean2, sd2, n2, conf: float = 0.95):
    """Welch's two-sample t test and interval for mean₁ − mean₂ from summaries.

    Parameters
    ----------
    mean1, sd1, n1, mean2, sd2, n2 : float or array-like
        Means, sample SDs and sizes of two independent samples (vectorised).
    conf : float
        Confidence level of the difference's interval.

    Returns
    -------
    dict of numpy.ndarray
        ``difference``, ``se``, ``dof`` (Welch–Satterthwaite), ``t``, ``p_value`` (two-sided),
        ``ci_low``, ``ci_high``. NaN where a sample has fewer than two answers; where both
        variances are 0 the test is undefined (NaN), not infinitely significant.

    Notes
    -----
    ::

        se  = √(s₁²/n₁ + s₂²/n₂)
        dof = se⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1))
        t   = (m₁ − m₂)/se

    Same numbers as ``scipy.stats.ttest_ind_from_stats(..., equal_var=False)``.

    References
    ----------
    Welch (1947), Biometrika 34, 28–35.

    Examples
    --------
    se = √(1/10 + 4/12) = 0.65828, t = 1/se, dof = 0.18778/(0.01/9 + 0.11111/11):

    >>> r = welch_test(5.0, 1.0, 10, 4.0, 2.0, 12)
    >>> round(float(r["t"]), 4), round(float(r["dof"]), 2)
    (1.5191, 16.75)
    """
    if isinstance(conf, bool) or not isinstance(conf, int | float | np.floating) or not 0 < conf < 1:
        raise ValueError(f"conf must be a number strictly between 0 and 1, got {conf!r}")
    m1, s1, k1, m2, s2, k2 = (np.asarray(a, dtype=float) for a in (mean1, sd1, n1, mean2, sd2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v1 = np.where(k1 > 1, s1 * s1 / k1, np.nan)
        v2 = np.where(k2 > 1, s2 * s2 / k2, np.nan)
        var = v1 + v2
        se = np.sqrt(var)
        dof = var * var / (v1 * v1 / (k1 - 1) + v2 * v2 / (k2 - 1))
        diff = m1 - m2
        tval = np.where(se > 0, diff / se, np.nan)
        p = 2 * t_sf(np.abs(tval), dof)
        half = t_ppf(0.5 + conf / 2, dof) * se
    return {"difference": diff, "se": se, "dof": dof, "t": tval, "p_value": p,
            "ci_low": diff - half, "ci_high": diff + half}


def covariance_from_sums(n, sum_x, sum_xy, sum_w2=None):
    """Covariance matrix from pairwise-complete sums (unweighted, or weighted with Kish's correction).

    Parameters
    ----------
    n : (k, k) array-like
        Rows (or Σw) where both columns i and j are present.
    sum_x : (k, k) array-like
        ``sum_x[i, j]`` = Σ xᵢ (or Σ w·xᵢ) over the rows where i and j are present.
    sum_xy : (k, k) array-like
        Σ xᵢxⱼ (or Σ w·xᵢxⱼ) over those rows.
    sum_w2 : (k, k) array-like, optional
        Σw² over those rows (weighted only).

    Returns
    -------
    numpy.ndarray
        Unweighted: ``(Σxᵢxⱼ − ΣxᵢΣxⱼ/n)/(n − 1)``, R's ``cov(x, use = "pairwise")``.
        Weighted: ``(Σwxᵢxⱼ − ΣwxᵢΣwxⱼ/Σw)/Σw · n_eff/(n_eff − 1)`` with n_eff = (Σw)²/Σw², so
        that unit weights give the unweighted matrix. NaN where a pair has fewer than two rows.

    Examples
    --------
    >>> covariance_from_sums([[3, 3], [3, 3]], [[6, 6], [9, 9]], [[14, 20], [20, 29]]).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    n = np.asarray(n, dtype=float)
    sx = np.asarray(sum_x, dtype=float)
    sxy = np.asarray(sum_xy, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = sxy - sx * sx.T / n
        if sum_w2 is None:
            return np.where(n > 1, centred / (n - 1), np.nan)
        ne = n * n / np.asarray(sum_w2, dtype=float)
        return np.where(ne > 1, centred / n * ne / (ne - 1), np.nan)
