"""Customer value from per-customer and per-cohort aggregates: RFM summary, cohort retention, CLV.

The math layer of :mod:`cxlib.value`: every function takes aggregates (one row per customer from
:func:`cxlib.aggregate.behaviour.customer_aggregates`, customers per cohort and offset from
:func:`cxlib.aggregate.behaviour.cohort_counts`) or plain numbers, never a transaction.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: Using iso-value curves for
customer base analysis. *Journal of Marketing Research*, 42(4), 415–430.
Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive Marketing*,
17(1), 9–24.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; it has {list(frame.columns)[:15]}")

__all__ = ["rfm_from_aggregates", "cohort_matrix_from_counts", "retention_average", "clv"]


def rfm_from_aggregates(
    aggregates: pd.DataFrame,
    end_period: int | None = None,
    freq_multiplier: float = 1,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """Frequency, recency, T and monetary value from per-customer aggregates (layer 2).

    Parameters
    ----------
    aggregates : DataFrame
        Columns ``first_period``, ``last_period``, ``n_periods`` and optionally
        ``first_value``, ``repeat_value`` — the output of :func:`rfm_aggregates` or the same
        numbers from a database.
    end_period : int, optional
        Period number of the observation end; default ``aggregates.attrs["end_period"]``.
    freq_multiplier, include_first_transaction
        As in :func:`rfm_summary`.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T`` (and ``monetary_value``), float64.

    Notes
    -----
    With periods numbered so that consecutive periods differ by one::

        frequency      = n_periods − 1            (n_periods if include_first_transaction)
        recency        = (last_period − first_period) / freq_multiplier
        T              = (end_period − first_period) / freq_multiplier
        monetary_value = repeat_value / (n_periods − 1), 0 when n_periods = 1
                         ((first_value + repeat_value) / n_periods if include_first_transaction)
    """
    need = ["first_period", "last_period", "n_periods"]
    _require(aggregates, need, "aggregates")
    if end_period is None:
        if "end_period" not in aggregates.attrs:
            raise ValueError("end_period is required when aggregates.attrs has no 'end_period'")
        end_period = aggregates.attrs["end_period"]
    if not np.isfinite(freq_multiplier) or freq_multiplier <= 0:
        raise ValueError(f"freq_multiplier must be a positive number, got {freq_multiplier!r}")
    first = aggregates["first_period"].to_numpy(dtype="float64")
    last = aggregates["last_period"].to_numpy(dtype="float64")
    n = aggregates["n_periods"].to_numpy(dtype="float64")
    if (first > end_period).any():
        bad = list(aggregates.index[first > end_period])
        raise ValueError(
            f"column 'first_period': {len(bad)} customer(s) whose first period lies after end_period, "
            f"e.g. index {bad[:5]}; expected first_period ≤ {end_period}"
        )
    out = pd.DataFrame(index=aggregates.index)
    out["frequency"] = n if include_first_transaction else n - 1
    out["recency"] = (last - first) / freq_multiplier
    out["T"] = (end_period - first) / freq_multiplier
    if "repeat_value" in aggregates.columns:
        rep = aggregates["repeat_value"].to_numpy(dtype="float64")
        if include_first_transaction:
            tot = rep + aggregates["first_value"].to_numpy(dtype="float64")
            out["monetary_value"] = tot / n
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out["monetary_value"] = np.where(n > 1, rep / (n - 1), 0.0)
    out = out.astype("float64")
    out.attrs.update({k: v for k, v in aggregates.attrs.items()})
    out.attrs["freq_multiplier"] = freq_multiplier
    out.attrs["include_first_transaction"] = include_first_transaction
    return out


def clv(margin, retention, discount):
    """Simple customer lifetime value: CLV = m · r / (1 + d − r).

    Parameters
    ----------
    margin : float or array-like
        Margin per customer per period (money); may be negative.
    retention : float or array-like
        Retention rate per period, 0 ≤ r ≤ 1.
    discount : float or array-like
        Discount rate per period as a fraction, 0 ≤ d ≤ 1 (0.1 for 10 %; r = 1 needs d > 0).
        A value above 1 is refused: it is almost always a percentage passed as a rate
        (``discount=10`` would mean 1000 % per period).

    Returns
    -------
    float, numpy array or Series (same shape as the broadcast inputs)

    Notes
    -----
    The infinite-horizon value of a customer who yields margin ``m`` at the end of each
    period and stays with constant probability ``r``, discounted at ``d``:
    Σₜ m·rᵗ/(1+d)ᵗ = m·r/(1 + d − r) (Gupta & Lehmann 2003). The margin multiple
    r/(1 + d − r) is 2.67 for r = 0.8, d = 0.1.

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive
    Marketing*, 17(1), 9–24.

    Examples
    --------
    >>> round(clv(100, 0.8, 0.1), 2)
    266.67
    """
    index = next((x.index for x in (margin, retention, discount) if isinstance(x, pd.Series)), None)
    scalar = all(np.ndim(x) == 0 for x in (margin, retention, discount))
    try:
        m, r, d = np.broadcast_arrays(*(np.asarray(x, dtype="float64") for x in (margin, retention, discount)))
    except ValueError as exc:
        raise ValueError(f"margin, retention and discount must have matching shapes: {exc}") from None
    except TypeError as exc:
        raise TypeError(f"margin, retention and discount must be numbers: {exc}") from None
    for name, arr in (("margin", m), ("retention", r), ("discount", d)):
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(f"{name}: missing or infinite values at positions {np.flatnonzero(bad)[:5].tolist()}")
    bad = (r < 0) | (r > 1)
    if bad.any():
        raise ValueError(f"retention must be between 0 and 1, got {r[bad][:5].tolist()}")
    bad = d < 0
    if bad.any():
        raise ValueError(f"discount must be ≥ 0, got {d[bad][:5].tolist()}")
    bad = d > 1
    if bad.any():
        raise ValueError(
            f"discount must be a rate per period between 0 and 1 (0.1 for 10 %), got "
            f"{d[bad][:5].tolist()}; did you pass a percentage? Use discount={d[bad][0] / 100:g}"
        )
    bad = (1 + d - r) <= 0
    if bad.any():
        raise ValueError("retention = 1 with discount = 0 gives an infinite CLV; use a discount > 0")
    value = m * r / (1 + d - r)
    if scalar:
        return float(value)
    if index is not None and value.ndim == 1 and len(index) == len(value):
        return pd.Series(value, index=index, name="clv")
    return value


def cohort_matrix_from_counts(counts: pd.DataFrame, end_period: int, *, kind: str = "share"):
    """Cohort × offset matrix from customers per (cohort, offset).

    Parameters
    ----------
    counts : DataFrame
        ``cohort`` (period number of the first activity), ``offset`` (periods since it) and
        ``customers`` (active customers of the cohort in period cohort + offset); offset 0
        holds the cohort sizes.
    end_period : int
        Last observed period: cells of periods after it are NaN (not observed yet, unlike 0 =
        nobody came back).
    kind : {"share", "count"}
        Shares of the cohort size or counts.

    Returns
    -------
    cohorts : ndarray of int
        Cohort period numbers, ascending.
    matrix : ndarray of float, shape (cohorts, end − first cohort + 1)
        retention(c, k) = customers of cohort c active in period c + k / size of c.
    sizes : ndarray of int
        Cohort sizes.

    Examples
    --------
    >>> c = pd.DataFrame({"cohort": [0, 0, 1], "offset": [0, 1, 0], "customers": [2, 1, 1]})
    >>> _, m, sizes = cohort_matrix_from_counts(c, 1)
    >>> m.tolist(), sizes.tolist()
    ([[1.0, 0.5], [1.0, nan]], [2, 1])
    """
    if kind not in ("share", "count"):
        raise ValueError(f"kind must be 'share' or 'count', got {kind!r}")
    _require(counts, ["cohort", "offset", "customers"], "cohort counts")
    coh = counts["cohort"].to_numpy(dtype=np.int64)
    off = counts["offset"].to_numpy(dtype=np.int64)
    n = counts["customers"].to_numpy(dtype=np.int64)
    cohorts, row = np.unique(coh, return_inverse=True)  # a few dozen cohorts, not rows
    pmin = int(cohorts.min())
    n_off = int(end_period) - pmin + 1
    mat = np.zeros((len(cohorts), n_off))
    mat[row, off] = n
    sizes = mat[:, 0].astype(np.int64)
    if (sizes == 0).any() or (mat > mat[:, :1]).any():
        raise ValueError("cohort counts: every cohort needs its size at offset 0, and no later count may exceed it")
    if kind == "share":
        mat = mat / sizes[:, None]
    observable = (cohorts[:, None] + np.arange(n_off)[None, :]) <= int(end_period)
    mat[~observable] = np.nan
    return cohorts, mat, sizes


def retention_average(shares, sizes) -> np.ndarray:
    """Cohort-size-weighted average retention per offset, over the cohorts observed there.

    Parameters
    ----------
    shares : array, shape (cohorts, offsets)
        Retention shares (NaN where not observed yet).
    sizes : array, shape (cohorts,)
        Cohort sizes.

    Returns
    -------
    ndarray, shape (offsets,)
        Σ_c n_c·r(c, k) / Σ_c n_c over the cohorts with r(c, k) observed: the share of all
        customers observed k periods after their start who were active then.

    Examples
    --------
    >>> retention_average(np.array([[1.0, 0.5], [1.0, np.nan]]), [2, 1]).tolist()
    [1.0, 0.5]
    """
    r = np.asarray(shares, dtype="float64")
    w = np.asarray(sizes, dtype="float64")[:, None]
    ok = ~np.isnan(r)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, r * w, 0).sum(axis=0) / np.where(ok, w, 0).sum(axis=0)
