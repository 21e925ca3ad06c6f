"""Multiple-comparison adjustment of p-values, and the group-versus-rest convention.

Why own code: the five adjustments are a sort and a cumulative max/min each; ``pingouin`` and
``statsmodels`` compute the same numbers (tested against ``statsmodels.stats.multitest.
multipletests`` in ``tests/test_stats_multiple.py``) but cost about a second to import, which a
table of group NPS should not pay.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal of
Statistics* 6, 65–70.
Šidák, Z. (1967). Rectangular confidence regions for the means of multivariate normal
distributions. *JASA* 62, 626–633.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57, 289–300.
Benjamini, Y., & Yekutieli, D. (2001). The control of the false discovery rate in multiple
testing under dependency. *Annals of Statistics* 29, 1165–1188.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CORRECTIONS", "adjust_pvalues", "adjust_vs_rest"]

#: Accepted names → canonical method.
CORRECTIONS = {"holm": "holm", "bonf": "bonf", "bonferroni": "bonf", "sidak": "sidak",
               "fdr_bh": "fdr_bh", "fdr_by": "fdr_by", "none": "none"}


def _canonical(method) -> str:
    if method is None:
        return "none"
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be None or one of {sorted(CORRECTIONS)}, got {method!r}")
    return CORRECTIONS[method]


def adjust_pvalues(p, method: str | None = "holm"):
    """Adjust p-values for multiple comparisons; NaN p-values stay NaN and do not count as tests.

    Parameters
    ----------
    p : array-like
        Raw p-values.
    method : {"holm", "bonf" ("bonferroni"), "sidak", "fdr_bh", "fdr_by", "none"} or None
        Adjustment.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, capped at 1, in the input order.

    Notes
    -----
    With m finite p-values sorted p₍₁₎ ≤ … ≤ p₍ₘ₎::

        bonf    min(1, m·p)
        sidak   1 − (1 − p)^m
        holm    max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎)              (step-down)
        fdr_bh  min_{j ≥ i} min(1, m/j · p₍ⱼ₎)                    (step-up)
        fdr_by  as fdr_bh with m·(Σ_{k=1}^{m} 1/k) in place of m

    References
    ----------
    Holm (1979). Šidák (1967). Benjamini & Hochberg (1995). Benjamini & Yekutieli (2001).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    method = _canonical(method)
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    x = p[ok]
    m = x.size
    if m == 0:
        return out
    if method == "none":
        adj = x.copy()
    elif method == "bonf":
        adj = np.minimum(1.0, m * x)
    elif method == "sidak":
        adj = -np.expm1(m * np.log1p(-x))
    else:
        order = np.argsort(x, kind="stable")
        s = x[order]
        i = np.arange(1, m + 1)
        if method == "holm":
            step = np.maximum.accumulate(np.minimum(1.0, (m - i + 1) * s))
        else:
            c = 1.0 if method == "fdr_bh" else np.sum(1.0 / i)
            step = np.minimum.accumulate((np.minimum(1.0, c * m / i * s))[::-1])[::-1]
        adj = np.empty(m)
        adj[order] = step
    out[ok] = adj
    return out


def adjust_vs_rest(p, method: str | None = "holm"):
    """Adjust the p-values of "each group against the rest of the sample".

    Parameters
    ----------
    p : array-like
        One raw p-value per group.
    method : str or None
        As in :func:`adjust_pvalues`.

    Returns
    -------
    numpy.ndarray
        With exactly two groups, group 1 vs rest and group 2 vs rest are the same comparison
        seen from both sides: one test, so the p-values are returned unadjusted. Otherwise
        :func:`adjust_pvalues`.

    Examples
    --------
    >>> adjust_vs_rest([0.02, 0.02]).tolist()
    [0.02, 0.02]
    """
    _canonical(method)
    p = np.asarray(p, dtype=float)
    if len(p) == 2:
        return p.copy()
    return adjust_pvalues(p, method)
