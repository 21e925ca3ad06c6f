"""Comparing correlations: which of two predictors tracks an outcome more closely?

Two correlations that share a variable and come from the same respondents (NPS with the worst
touchpoint rating, NPS with the mean rating) are dependent, so comparing them with two independent
Fisher intervals is wrong. Williams' t (as recommended by Steiger 1980, and as R ``psych::r.test``
computes it) accounts for the correlation between the two predictors. Neither scipy nor
statsmodels provides it, hence this module.

References
----------
Williams, E. J. (1959). The comparison of regression variables. *JRSS B* 21, 396–399.
Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix. *Psychological
Bulletin* 87, 245–251, eq. (10).
Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality Research
(R package 2.2.9), ``r.test``.
"""

from __future__ import annotations

import math

from scipy import stats

__all__ = ["dependent_correlations_test"]


def dependent_correlations_test(r12: float, r13: float, r23: float, n: int) -> dict:
    """Williams' t test of r₁₂ = r₁₃ when both share variable 1 and come from one sample.

    Parameters
    ----------
    r12, r13 : float
        Correlations of the outcome (1) with predictors 2 and 3.
    r23 : float
        Correlation between the two predictors.
    n : int
        Number of respondents (complete on all three variables).

    Returns
    -------
    dict
        ``difference`` (r₁₂ − r₁₃), ``t``, ``dof`` (n − 3) and two-sided ``p_value``.

    Notes
    -----
    With |R| = 1 − r₁₂² − r₁₃² − r₂₃² + 2·r₁₂·r₁₃·r₂₃ and r̄ = (r₁₂ + r₁₃)/2::

        t = (r₁₂ − r₁₃) · √((n − 1)(1 + r₂₃)) / √(2·|R|·(n − 1)/(n − 3) + r̄²·(1 − r₂₃)³)

    on n − 3 degrees of freedom (Steiger 1980, eq. 10).

    References
    ----------
    Williams (1959); Steiger (1980). Published check: ``psych::r.test(103, .4, .5, .1)`` prints
    t = −0.89, p = 0.37.

    Examples
    --------
    |R| = 1 − .16 − .25 − .01 + .04 = .62, r̄ = .45:
    t = −0.1·√(102·1.1) / √(2·.62·102/100 + .2025·.729) = −0.891

    >>> r = dependent_correlations_test(0.4, 0.5, 0.1, 103)
    >>> round(r["t"], 3), round(r["p_value"], 2)
    (-0.891, 0.37)
    """
    for name, value in (("r12", r12), ("r13", r13), ("r23", r23)):
        if not (isinstance(value, int | float) and -1 <= value <= 1) or math.isnan(value):
            raise ValueError(f"{name} must be a correlation between -1 and 1, got {value!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 4:
        raise ValueError(f"n must be a whole number of at least 4, got {n!r}")
    det = 1 - r12**2 - r13**2 - r23**2 + 2 * r12 * r13 * r23
    if det <= 0:
        # With every |r| < 1 the 2 × 2 minors are positive, so the matrix is positive definite
        # exactly when its determinant is; at 0 or below no three variables can have these correlations.
        raise ValueError(
            "the three correlations are not consistent: their correlation matrix has determinant "
            f"{det:.3g}, and it must be positive"
        )
    mean = (r12 + r13) / 2
    denom = 2 * det * (n - 1) / (n - 3) + mean**2 * (1 - r23) ** 3
    t = (r12 - r13) * math.sqrt((n - 1) * (1 + r23)) / math.sqrt(denom)
    return {"difference": r12 - r13, "t": t, "dof": n - 3, "p_value": float(2 * stats.t.sf(abs(t), n - 3))}
