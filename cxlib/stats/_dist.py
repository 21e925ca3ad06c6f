"""Normal and Student t distribution functions for the math layer, cheap to import.

The normal quantile and tail come from the standard library (``statistics.NormalDist.inv_cdf``,
Wichura's AS241 algorithm, and ``math.erfc``): importing ``scipy.special`` costs more than a whole
NPS table, and a table of segments needs only a handful of normal quantiles and tail areas
(one per group). They agree with ``scipy.stats.norm.ppf`` / ``.sf`` to within 1e-15 and 3e-14
relative. The t and F functions, needed for means and α, are ``scipy.special``'s (imported on
first use): ``t.ppf = special.stdtrit``, ``t.sf(x) = special.stdtr(df, −x)``,
``f.ppf = special.fdtri``, exactly what ``scipy.stats`` computes.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_STD_NORMAL = NormalDist()
_SQRT2 = math.sqrt(2.0)


def _inv_cdf(q: float) -> float:
    if not 0.0 < q < 1.0:
        return math.nan if not (q == 0.0 or q == 1.0) else (-math.inf if q == 0.0 else math.inf)
    return _STD_NORMAL.inv_cdf(q)


def _upper_tail(x: float) -> float:
    return 0.5 * math.erfc(x / _SQRT2)


_inv_cdf_v = np.vectorize(_inv_cdf, otypes=[float])
_upper_tail_v = np.vectorize(_upper_tail, otypes=[float])


def norm_ppf(q):
    """Standard-normal quantile Φ⁻¹(q) (NaN outside [0, 1])."""
    q = np.asarray(q, dtype=float)
    return np.float64(_inv_cdf(float(q))) if q.ndim == 0 else _inv_cdf_v(q)


def norm_sf(x):
    """Standard-normal upper tail 1 − Φ(x) = erfc(x/√2)/2 (one Python call per value: per group, not per row)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return x.copy()
    return np.float64(_upper_tail(float(x))) if x.ndim == 0 else _upper_tail_v(x)


def t_ppf(q, df):
    """Student t quantile with ``df`` degrees of freedom (NaN where df ≤ 0 or missing)."""
    from scipy.special import stdtrit

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = df > 0
        return np.where(ok, stdtrit(np.where(ok, df, 1.0), q), np.nan)


def t_sf(x, df):
    """Student t upper tail with ``df`` degrees of freedom (NaN where df ≤ 0 or missing)."""
    from scipy.special import stdtr

    df = np.asarray(df, dtype=float)
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = df > 0
        return np.where(ok, stdtr(np.where(ok, df, 1.0), -x), np.nan)


def f_ppf(q, dfn, dfd):
    """F-distribution quantile (``scipy.stats.f.ppf`` = ``special.fdtri``)."""
    from scipy.special import fdtri

    return fdtri(dfn, dfd, q)
