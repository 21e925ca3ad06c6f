"""Funnels, step times and before/after comparisons from counts.

Every function takes the aggregates of :mod:`cxlib.aggregate.behaviour` (sessions per set of
steps seen, sessions per duration, sessions per side of a date) and returns numbers; none sees
an event. Proportion intervals and tests are those of :mod:`cxlib.stats.proportions`.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209–212.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.), ch. 6.
Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50, 361–365 (definition 7, numpy's and pandas' default).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .proportions import cohens_h, newcombe_interval, two_proportion_ztest, wilson_interval

__all__ = [
    "reach_from_step_sets",
    "funnel_from_counts",
    "quantiles_from_counts",
    "durations_from_counts",
    "before_after_from_counts",
]


def reach_from_step_sets(masks, sessions, n_steps: int, mode: str = "closed") -> tuple[np.ndarray, np.ndarray]:
    """Sessions reaching each step, and sessions with an event at each step, from step-set counts.

    Parameters
    ----------
    masks : array of int
        Sets of steps seen, as bit masks (bit j = step j).
    sessions : array of int
        Sessions with each set.
    n_steps : int
        K, the number of funnel steps.
    mode : {"closed", "open"}
        ``"closed"``: a session reaches step k when it has events of steps 0…k (all bits up
        to k set). ``"open"``: when it has an event of step k or any later step.

    Returns
    -------
    reached, with_event : ndarray of int64, shape (K,)

    Examples
    --------
    >>> reach_from_step_sets([0b011, 0b101, 0b001], [2, 1, 4], 3)
    (array([7, 2, 0]), array([7, 2, 1]))
    >>> reach_from_step_sets([0b011, 0b101, 0b001], [2, 1, 4], 3, mode="open")[0]
    array([7, 3, 1])
    """
    if mode not in ("closed", "open"):
        raise ValueError(f"mode must be 'closed' or 'open', got {mode!r}")
    m = np.asarray(masks, dtype=np.int64)
    c = np.asarray(sessions, dtype=np.int64)
    bits = ((m[:, None] >> np.arange(n_steps)[None, :]) & 1).astype(bool)  # sets × steps
    if mode == "closed":
        reached = np.logical_and.accumulate(bits, axis=1)
    else:
        reached = np.logical_or.accumulate(bits[:, ::-1], axis=1)[:, ::-1]
    return c @ reached.astype(np.int64), c @ bits.astype(np.int64)


def funnel_from_counts(counts: pd.DataFrame, by: list[str], conf: float = 0.95, leak: str = "rate") -> pd.DataFrame:
    r"""Conversions with Wilson intervals, drop-off and the biggest leak, from sessions per step.

    Parameters
    ----------
    counts : DataFrame
        The ``by`` columns, ``step`` and ``sessions`` (non-increasing along the funnel), each
        group's rows consecutive and in funnel order.
    by : list of str
        Group columns.
    conf : float
        Confidence level of the Wilson intervals.
    leak : {"rate", "sessions"}
        The biggest leak is the step with the highest drop-off rate or the most sessions lost.

    Returns
    -------
    DataFrame
        ``counts`` plus ``conversion_prev`` = n_k/n_{k−1}, ``prev_ci_low``/``prev_ci_high``,
        ``conversion_first`` = n_k/n_1, ``first_ci_low``/``first_ci_high``, ``drop_off`` =
        n_{k−1} − n_k, ``drop_off_rate`` and ``biggest_leak``.

    Notes
    -----
    Wilson (1927) score interval of a conversion p̂ = x/n:

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Examples
    --------
    >>> c = pd.DataFrame({"step": ["cart", "pay", "order"], "sessions": [10, 5, 4]})
    >>> funnel_from_counts(c, [])[["conversion_prev", "biggest_leak"]].values.tolist()
    [[nan, False], [0.5, True], [0.8, False]]
    """
    out = counts.copy()
    n = out["sessions"].to_numpy(dtype="float64")
    if by:
        gb = out.groupby(by, sort=False, observed=True)["sessions"]
        prev = gb.shift(1).to_numpy(dtype="float64")
        first = gb.transform("first").to_numpy(dtype="float64")
        keys = [out[c] for c in by]
    else:
        prev = out["sessions"].shift(1).to_numpy(dtype="float64")
        first = np.full(len(out), n[0] if len(n) else np.nan)
        keys = np.zeros(len(out), dtype=np.intp)
    grow = np.flatnonzero(n > np.nan_to_num(prev, nan=np.inf))
    if len(grow):
        where = ", ".join(f"row {i} ({s!r})" for i, s in zip(out.index[grow][:5], out["step"].to_numpy()[grow][:5],
                                                             strict=True))
        raise ValueError(f"funnel counts increase from one step to the next at {where}; expected non-increasing counts")
    prev_n = np.where(prev > 0, prev, np.nan)
    first_n = np.where(first > 0, first, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        conv_prev = n / prev_n
        conv_first = n / first_n
    out["conversion_prev"] = conv_prev
    out["prev_ci_low"], out["prev_ci_high"] = (np.asarray(a, dtype="float64") for a in wilson_interval(n, prev_n, conf))
    out["conversion_first"] = conv_first
    out["first_ci_low"], out["first_ci_high"] = (np.asarray(a, dtype="float64") for a in wilson_interval(n, first_n, conf))
    out["drop_off"] = pd.array(np.where(np.isnan(prev), np.nan, prev - n), dtype="Int64")
    out["drop_off_rate"] = 1 - conv_prev
    crit = out["drop_off_rate"] if leak == "rate" else out["drop_off"].astype("float64")
    crit = crit.where(crit > 0, -1.0)  # no loss (or no previous step) can never be the leak
    best = crit.groupby(keys, sort=False).idxmax()
    flag = np.zeros(len(out), dtype=bool)
    chosen = best.to_numpy()
    flag[out.index.get_indexer(chosen[crit.loc[chosen].to_numpy() > 0])] = True
    out["biggest_leak"] = flag
    return out


def quantiles_from_counts(values, counts, q) -> np.ndarray:
    """Sample quantiles (linear interpolation, Hyndman & Fan type 7) from a value–count table.

    Equal to ``numpy.quantile`` of the values repeated ``counts`` times, without expanding
    them: the order statistics at positions ⌊h⌋ and ⌈h⌉, h = (N − 1)·q, are found by a
    search in the cumulative counts.

    Parameters
    ----------
    values : array
        Distinct values (any order).
    counts : array of int
        How often each occurs (≥ 0).
    q : float or array of float
        Probabilities in [0, 1].

    Returns
    -------
    ndarray
        One quantile per ``q``; NaN when the counts sum to 0.

    Examples
    --------
    >>> quantiles_from_counts([30, 60, 90], [1, 2, 1], [0.25, 0.5, 0.75])
    array([52.5, 60. , 67.5])
    """
    v = np.asarray(values, dtype="float64")
    c = np.asarray(counts, dtype=np.int64)
    q = np.atleast_1d(np.asarray(q, dtype="float64"))
    order = np.argsort(v, kind="stable")
    v, c = v[order], c[order]
    total = int(c.sum())
    if total == 0:
        return np.full(len(q), np.nan)
    cum = np.cumsum(c)  # cum[i] − 1 = position of the last copy of v[i]
    h = (total - 1) * q
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    v_lo = v[np.searchsorted(cum, lo, side="right")]
    v_hi = v[np.searchsorted(cum, hi, side="right")]
    return v_lo + (h - lo) * (v_hi - v_lo)


def durations_from_counts(counts: pd.DataFrame, keys: list[str], *, scale: float = 1.0) -> pd.DataFrame:
    """Median, quartiles, IQR and mean of durations per group from a duration–count table.

    Parameters
    ----------
    counts : DataFrame
        ``keys`` columns, ``duration`` and ``sessions``. Negative durations (step k before
        step k−1) are counted in ``n_out_of_order`` and left out of every statistic.
    keys : list of str
        Group columns (e.g. the ``by`` columns and the pair of steps).
    scale : float
        Each duration is divided by it (unit conversion).

    Returns
    -------
    DataFrame
        One row per group: ``keys``, ``n``, ``n_out_of_order``, ``median``, ``q1``, ``q3``,
        ``iqr``, ``mean``.

    Examples
    --------
    >>> c = pd.DataFrame({"g": [0, 0, 0], "duration": [-5, 30, 90], "sessions": [1, 1, 1]})
    >>> durations_from_counts(c, ["g"])[["n", "n_out_of_order", "median", "mean"]].values.tolist()
    [[2.0, 1.0, 60.0, 60.0]]
    """
    rows = []
    grouped = counts.groupby(keys, sort=True, observed=True) if keys else [((), counts)]
    for key, g in grouped:
        d = g["duration"].to_numpy(dtype="float64") / scale
        c = g["sessions"].to_numpy(dtype=np.int64)
        ok = d >= 0
        n = int(c[ok].sum())
        q1, med, q3 = quantiles_from_counts(d[ok], c[ok], [0.25, 0.5, 0.75])
        mean = float((d[ok] * c[ok]).sum() / n) if n else np.nan
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, n, int(c[~ok].sum()), med, q1, q3, q3 - q1, mean))
    return pd.DataFrame(rows, columns=[*keys, "n", "n_out_of_order", "median", "q1", "q3", "iqr", "mean"])


def before_after_from_counts(counts: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    r"""Rates before and after, their difference with Newcombe's interval, z test and Cohen's h.

    Parameters
    ----------
    counts : DataFrame
        Group columns, ``n_before``, ``converted_before``, ``n_after``, ``converted_after``.
    conf : float
        Confidence level.

    Returns
    -------
    DataFrame
        Group columns, then ``n_before``, ``converted_before``, ``rate_before``,
        ``ci_low_before``, ``ci_high_before`` and the same ``_after`` (Wilson intervals);
        ``difference`` = rate_after − rate_before with Newcombe's ``ci_low``/``ci_high``;
        ``z``, ``p_value`` (pooled two-proportion z test, two-sided), ``cohens_h`` and
        ``relative_lift`` = rate_after/rate_before − 1. A side with no session gives NaN
        rates and tests (never a confident number).

    Notes
    -----
    Pooled z: p̄ = (x₁ + x₂)/(n₁ + n₂), z = (p₂ − p₁)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)).
    Newcombe (1998) method 10 from the Wilson limits (l, u):
    [d − √((p₂ − l₂)² + (u₁ − p₁)²), d + √((u₂ − p₂)² + (p₁ − l₁)²)].
    Cohen's h = 2·asin√p₂ − 2·asin√p₁ (0.2 small, 0.5 medium, 0.8 large).

    Examples
    --------
    >>> c = pd.DataFrame({"n_before": [2], "converted_before": [1], "n_after": [2], "converted_after": [2]})
    >>> before_after_from_counts(c)[["rate_before", "rate_after", "difference"]].values.tolist()
    [[0.5, 1.0, 0.5]]
    """
    counted = ["n_before", "converted_before", "n_after", "converted_after"]
    by = [c for c in counts.columns if c not in counted]
    n1, x1 = (counts[c].to_numpy("float64") for c in ("n_before", "converted_before"))
    n2, x2 = (counts[c].to_numpy("float64") for c in ("n_after", "converted_after"))
    n1v, n2v = np.where(n1 > 0, n1, np.nan), np.where(n2 > 0, n2, np.nan)
    p1, p2 = x1 / n1v, x2 / n2v
    l1, u1 = (np.asarray(a, dtype="float64").reshape(-1) for a in wilson_interval(x1, n1v, conf))
    l2, u2 = (np.asarray(a, dtype="float64").reshape(-1) for a in wilson_interval(x2, n2v, conf))
    lo, hi = (np.asarray(a, dtype="float64").reshape(-1) for a in newcombe_interval(x2, n2v, x1, n1v, conf))
    z, p = (np.asarray(a, dtype="float64").reshape(-1) for a in two_proportion_ztest(x2, n2v, x1, n1v))
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(p1 > 0, p2 / p1 - 1, np.nan)
    out = counts[by].copy()
    out["n_before"] = counts["n_before"].astype("int64")
    out["converted_before"] = counts["converted_before"].astype("int64")
    out["rate_before"], out["ci_low_before"], out["ci_high_before"] = p1, l1, u1
    out["n_after"] = counts["n_after"].astype("int64")
    out["converted_after"] = counts["converted_after"].astype("int64")
    out["rate_after"], out["ci_low_after"], out["ci_high_after"] = p2, l2, u2
    out["difference"] = p2 - p1
    out["ci_low"], out["ci_high"] = lo, hi
    out["z"], out["p_value"] = z, p
    out["cohens_h"] = np.asarray(cohens_h(p2, p1), dtype="float64").reshape(-1)
    out["relative_lift"] = lift
    return out
