"""Normal and Student t distribution functions, imported on first use.

``scipy.stats`` costs about a second to import; these four functions are the only part of it the
math layer needs, and they are exactly what ``scipy.stats.norm`` and ``scipy.stats.t`` compute
(``norm.ppf = special.ndtri``, ``norm.sf(x) = special.ndtr(−x)``, ``t.ppf = special.stdtrit``,
``t.sf(x) = special.stdtr(df, −x)``), so importing a statistics module stays cheap.
"""

from __future__ import annotations

import numpy as np


def norm_ppf(q):
    """Standard-normal quantile Φ⁻¹(q)."""
    from scipy.special import ndtri

    return ndtri(q)


def norm_sf(x):
    """Standard-normal upper tail 1 − Φ(x)."""
    from scipy.special import ndtr

    return ndtr(-np.asarray(x, dtype=float))


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
