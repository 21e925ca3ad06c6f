"""Control-chart limits for a statistic measured in periods of varying size.

References
----------
Montgomery, D. C. (2019). *Introduction to Statistical Quality Control* (8th ed.), ch. 7
(p-chart with variable sample size).
"""

from __future__ import annotations

import numpy as np

from .proportions import critical_z

__all__ = ["control_limits"]


def control_limits(centre, unit_var, n, conf: float = 0.9973, *, scale: float = 1.0):
    """Lower and upper control limits ``centre ∓ z·scale·√(unit_var/n)`` (vectorised).

    Parameters
    ----------
    centre : float or array-like
        Centre line (the baseline value of the statistic).
    unit_var : float or array-like
        Variance of one answer under the baseline (for a net score on the −1…1 scale:
        p̄₊ + p̄₋ − (p̄₊ − p̄₋)²; pass ``scale=100`` for points), so the spread comes from the baseline, not from the
        period's own answers: a small period whose answers all fall in one category still gets
        sensible limits.
    n : float or array-like
        Answers in each period (NaN limits where n = 0).
    conf : float
        Coverage of the limits; 0.9973 gives Shewhart's 3-sigma limits.
    scale : float
        Multiplier from the variance's unit to the reported one (100 for points).

    Returns
    -------
    (lcl, ucl) : numpy.ndarrays

    Examples
    --------
    Baseline NPS 20 with p̄₊ = 0.5, p̄₋ = 0.3 (unit variance 0.76), a period of 76 answers,
    2-sigma limits: 20 ∓ 2·100·√(0.76/76) = 20 ∓ 20.

    >>> lcl, ucl = control_limits(20.0, 0.76, 76, conf=0.954499736103642, scale=100)
    >>> abs(round(float(lcl), 6)), round(float(ucl), 6)
    (0.0, 40.0)
    """
    z = critical_z(conf)
    centre = np.asarray(centre, dtype=float)
    unit_var = np.asarray(unit_var, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = z * scale * np.sqrt(unit_var / n)
    return centre - half, centre + half
