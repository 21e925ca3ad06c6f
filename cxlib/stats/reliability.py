"""Cronbach's α and item statistics from a covariance matrix.

The aggregation layer reduces the item answers to a covariance matrix (pairwise-complete when
answers are missing, optionally weighted; :func:`cxlib.aggregate.survey.cross_moments` and
:func:`cxlib.stats.moments.covariance_from_sums`); everything here is k × k algebra.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika* 16,
297–334.
Feldt, L. S. (1965). The approximate sampling distribution of Kuder–Richardson reliability
coefficient twenty. *Psychometrika* 30, 357–370.
Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research, R package
2.2.9, function ``alpha``.
"""

from __future__ import annotations

import numpy as np

from ._dist import f_ppf

__all__ = ["cov_to_corr", "alpha_from_cov", "feldt_interval"]


def cov_to_corr(cov):
    """The correlation matrix implied by a covariance matrix (R's ``cov2cor``): Cᵢⱼ/√(CᵢᵢCⱼⱼ).

    Parameters
    ----------
    cov : (k, k) array-like

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> cov_to_corr([[4.0, 2.0], [2.0, 9.0]]).round(4).tolist()
    [[1.0, 0.3333], [0.3333, 1.0]]
    """
    c = np.asarray(cov, dtype=float)
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def feldt_interval(alpha, n, k, conf: float = 0.95):
    """Feldt's (1965) F-based confidence interval of Cronbach's α.

    Parameters
    ----------
    alpha : float
        Raw α.
    n, k : int
        Respondents and items.
    conf : float
        Confidence level.

    Returns
    -------
    (low, high) : floats
        ``1 − (1 − α)·F₁₋ₚ/₂(n − 1, (n − 1)(k − 1))`` and ``1 − (1 − α)·Fₚ/₂(…)``, p = 1 − conf;
        NaN for n < 2. ``pingouin.cronbach_alpha``'s interval (which rounds it to 3 decimals).

    Examples
    --------
    1 − 0.2·F(0.975; 99, 396) and 1 − 0.2·F(0.025; 99, 396):

    >>> low, high = feldt_interval(0.8, 100, 5)
    >>> round(low, 4), round(high, 4)
    (0.7306, 0.8559)
    """
    if n < 2:
        return float("nan"), float("nan")
    p = 1 - conf
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (float(1 - (1 - alpha) * f_ppf(1 - p / 2, df1, df2)),
            float(1 - (1 - alpha) * f_ppf(p / 2, df1, df2)))


def alpha_from_cov(cov):
    """Raw and standardised Cronbach's α, α-if-dropped and corrected item–total r from a covariance matrix.

    Parameters
    ----------
    cov : (k, k) array-like
        Item covariance matrix C (pairwise-complete for missing data), k ≥ 2, positive variances.

    Returns
    -------
    dict
        ``alpha``, ``alpha_std`` (floats; NaN when the items cancel out), ``alpha_if_dropped``,
        ``r_drop`` (arrays of length k; ``alpha_if_dropped`` NaN when k = 2).

    Notes
    -----
    With S = ΣC, t = tr(C), cᵢ = Σⱼ Cᵢⱼ and R = cov2cor(C)::

        α        = k/(k − 1) · (1 − t/S)
        α_std    = k/(k − 1) · (1 − k/ΣR)
        α₋ᵢ      = (k − 1)/(k − 2) · (1 − (t − Cᵢᵢ)/(S − 2cᵢ + Cᵢᵢ))
        r_drop,ᵢ = (cᵢ − Cᵢᵢ)/√(Cᵢᵢ·(S − 2cᵢ + Cᵢᵢ))     (item vs the sum of the others)

    psych 2.2.9's ``alpha`` computes R as ``cov2cor(C)`` of the (pairwise) covariance matrix, not
    as the pairwise correlation matrix; with missing answers the two differ, and α_std here is
    psych's.

    References
    ----------
    Cronbach (1951). Revelle, psych 2.2.9 ``alpha``.

    Examples
    --------
    Items a = 1, 2, 3, 4; b = 2, 2, 4, 4; c = 1, 3, 3, 5: C = [[5/3, 4/3, 2], [4/3, 4/3, 4/3],
    [2, 4/3, 8/3]], S = 16.67, t = 5.67, α = 1.5·(1 − 5.67/16.67) = 0.9333 (= 14/15).

    >>> c = [[5 / 3, 4 / 3, 2], [4 / 3, 4 / 3, 4 / 3], [2, 4 / 3, 8 / 3]]
    >>> round(alpha_from_cov(c)["alpha"], 4)
    0.9333
    """
    c = np.asarray(cov, dtype=float)
    k = c.shape[0]
    var = np.diag(c)
    r = cov_to_corr(c)
    total = c.sum()
    tr = var.sum()
    colsum = c.sum(axis=0)
    eps = 1e-9 * tr  # a sum variance this small is zero up to rounding
    with np.errstate(invalid="ignore", divide="ignore"):
        # NaN rather than ±inf (or a rounding-noise 1e15) when the items cancel out (ΣC = 0)
        alpha = (k / (k - 1)) * (1 - tr / total) if abs(total) > eps else np.nan
        alpha_std = (k / (k - 1)) * (1 - k / r.sum()) if abs(r.sum()) > 1e-9 * k else np.nan
        rest = total - 2 * colsum + var  # variance of the sum of the other items
        rest = np.where(np.abs(rest) > eps, rest, np.nan)
        r_drop = (colsum - var) / np.sqrt(var * rest)
        a_drop = ((k - 1) / (k - 2)) * (1 - (tr - var) / rest) if k > 2 else np.full(k, np.nan)
    return {"alpha": float(alpha), "alpha_std": float(alpha_std), "alpha_if_dropped": a_drop, "r_drop": r_drop}
