"""Key drivers, importance–performance analysis (IPA) and "experience pays" (X × O).

Which touchpoints move overall satisfaction (or NPS, or intent to return)? This
module answers with the standard key-driver toolkit of CX research:

* :func:`correlations` and :func:`betas` — bivariate r and standardised OLS betas;
* :func:`relative_weights` — Johnson's (2000) relative weights, as in the R package
  ``rwa`` (Tonidandel & LeBreton);
* :func:`shapley_r2` — the LMG / Shapley decomposition of R² (Lindeman, Merenda &
  Gold 1980), as ``relaimpo::calc.relimp(type = "lmg")`` (Grömping 2006);
* :func:`bootstrap_shares` and :func:`key_drivers` — percentile bootstrap intervals
  and one combined table;
* :func:`ipa` / :func:`plot_ipa` — Martilla & James' (1977) importance–performance
  grid, and :func:`plot_drivers`;
* :func:`outcomes_by_nps_group`, :func:`repurchase_model`, :func:`revenue_at_risk` —
  does experience pay: what promoters, passives and detractors do afterwards.

Two layers (see DESIGN.md, "Statistics from sufficient statistics"): :func:`_prepare`
validates the rows and aggregates them to ``n``, means and the correlation matrix in
one vectorised pass; the math (``*_from_corr``) runs on that correlation matrix only,
so it can be reused on a matrix aggregated elsewhere (DuckDB, Spark, a published
table).

References
----------
Grömping, U. (2006). Relative importance for linear regression in R: the package
relaimpo. *Journal of Statistical Software*, 17(1), 1–27.
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
predictor variables in multiple regression. *Multivariate Behavioral Research*,
35(1), 1–19.
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate
and Multivariate Analysis*. Glenview, IL: Scott, Foresman (p. 119 ff.).
Martilla, J. A., & James, J. C. (1977). Importance–performance analysis. *Journal
of Marketing*, 41(1), 77–79.
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
81(12), 46–54.
Tonidandel, S., & LeBreton, J. M. (2011). Relative importance analysis: a useful
supplement to regression analysis. *Journal of Business and Psychology*, 26(1), 1–9.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import clean_scores, require_columns
from .aggregate.survey import cross_moments_array
from .errors import CXDataError, format_examples, optional_import
from .errors import plain_value as _plain
from .i18n import check_lang, t
from .stats.moments import covariance_from_sums, kish_n, t_interval, welch_test
from .stats.proportions import wilson_interval as wilson_ci

__all__ = [
    "DriverDataError",
    "MissingOutcomeError",
    "ConstantColumnError",
    "CollinearDriversError",
    "TooFewRowsError",
    "DriverStats",
    "MAX_EXACT_DRIVERS",
    "r2_from_corr",
    "betas_from_corr",
    "all_subsets_r2_from_corr",
    "relative_weights_from_corr",
    "shapley_r2_from_corr",
    "correlations",
    "betas",
    "relative_weights",
    "shapley_r2",
    "bootstrap_shares",
    "key_drivers",
    "QUADRANTS",
    "ipa",
    "plot_ipa",  # noqa: F822  (lazy, see __getattr__)
    "plot_drivers",  # noqa: F822  (lazy, see __getattr__)
    "NPS_GROUPS",
    "OutcomesByGroupResult",
    "outcomes_by_nps_group",
    "repurchase_model",
    "odds_ratios",
    "RevenueAtRiskResult",
    "revenue_at_risk",
]

#: Largest number of drivers for which ``method="auto"`` computes LMG exactly (2^15 subsets).
MAX_EXACT_DRIVERS = 15
#: Hard limit for ``method="exact"`` (2^20 ≈ 10^6 subset regressions).
_MAX_EXACT_FORCED = 20
_COLLINEAR_TOL = 1e-10
#: IPA quadrant keys (labels under "drivers.quadrant.<key>" in cxlib.i18n).
QUADRANTS = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")
#: NPS groups in report order (Reichheld 2003): promoters 9–10, passives 7–8, detractors 0–6.
NPS_GROUPS = ("promoters", "passives", "detractors")


# --------------------------------------------------------------------------- errors


class DriverDataError(CXDataError):
    """Input that a key-driver or experience-pays analysis cannot use as given."""


class MissingOutcomeError(DriverDataError):
    """The outcome has missing values (they are never dropped silently)."""


class ConstantColumnError(DriverDataError):
    """A driver (or the outcome) takes a single value in the rows used."""


class CollinearDriversError(DriverDataError):
    """Drivers are perfectly collinear: one is an exact linear combination of others."""


class TooFewRowsError(DriverDataError):
    """Too few complete rows for the number of drivers.

    ``n_used`` (complete rows found) and ``n_needed`` (rows the model needs) are set when known.
    """

    def __init__(self, message: str, *, n_used: int | None = None, n_needed: int | None = None):
        super().__init__(message)
        self.n_used, self.n_needed = n_used, n_needed


# ------------------------------------------------------------------ layer 1: rows


@dataclass(frozen=True, eq=False)
class DriverStats:
    """Sufficient statistics of a key-driver analysis (the output of :func:`_prepare`).

    ``means``, ``sds`` and ``corr`` are labelled with the outcome first, then the
    drivers in the order given. ``n`` is the number of complete rows used and
    ``n_excluded`` the number of rows left out because a driver was missing.
    """

    outcome: str
    drivers: tuple[str, ...]
    n: int
    n_excluded: int
    means: pd.Series
    sds: pd.Series
    corr: pd.DataFrame
    n_eff: float | None = None


def _as_driver_list(drivers, what: str = "drivers") -> list[str]:
    if isinstance(drivers, str):
        drivers = [drivers]
    try:
        out = list(drivers)
    except TypeError:
        raise TypeError(f"{what} must be a list of column names, got {drivers!r}") from None
    if not out:
        raise ValueError(f"{what}: give at least one column name")
    dup = sorted({d for d in out if out.count(d) > 1}, key=str)
    if dup:
        raise ValueError(f"{what}: columns listed more than once: {dup}")
    return out


def _check_columns(df, cols: Sequence[str]) -> None:
    require_columns(df, cols, "data")


def _where(index: pd.Index, mask: np.ndarray, values=None) -> str:
    """Up to five offending rows of a frame (index labels, plain values) plus the total count."""
    rows = np.flatnonzero(mask)
    more = [None] * max(0, len(rows) - 5)
    shown = None if values is None else [_plain(values[i]) for i in rows[:5]] + more
    return format_examples(list(index[rows[:5]]) + more, shown, label="index")


def _numeric_matrix(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """``df[cols]`` as float64 (NaN = missing). Booleans count as 0/1; text raises."""
    bad = []
    for c in cols:
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            bad.append(c)
    if bad:
        parts = []
        for c in bad:
            s = df[c]
            given = s.notna().to_numpy()
            parts.append(
                f"column '{c}' has dtype {s.dtype} — {_where(df.index, given, s.to_numpy())}"
                if given.any()
                else f"column '{c}' has dtype {s.dtype}"
            )
        raise DriverDataError("; ".join(parts) + "; expected numbers (or true/false)")
    X = df.loc[:, list(cols)].to_numpy(dtype="float64", na_value=np.nan)
    inf = np.isinf(X)
    if inf.any():
        j = int(np.flatnonzero(inf.any(axis=0))[0])
        raise DriverDataError(
            f"column '{cols[j]}': infinite values — {_where(df.index, inf[:, j], X[:, j])}; expected finite numbers"
        )
    return X


def _complete_rows(df: pd.DataFrame, outcome: str, drivers: Sequence[str]):
    """Validate and return ``(X, keep)``: X has the outcome in column 0."""
    cols = [outcome, *drivers]
    X = _numeric_matrix(df, cols)
    miss_y = np.isnan(X[:, 0])
    if miss_y.any():
        raise MissingOutcomeError(
            f"outcome '{outcome}': missing values — {_where(df.index, miss_y)}; "
            f"expected a value in every row (drop those rows first, e.g. "
            f"df.dropna(subset=['{outcome}']), if they should not count)"
        )
    keep = ~np.isnan(X[:, 1:]).any(axis=1)
    return X, keep


def _prepare(df: pd.DataFrame, outcome: str, drivers, weights: str | None = None) -> DriverStats:
    """Validate the rows and aggregate them to n, means, SDs and the correlation matrix.

    Rows with a missing driver are excluded (listwise) and counted; a missing
    outcome, a non-numeric or infinite value, a constant column, perfectly
    collinear drivers or fewer than ``len(drivers) + 2`` complete rows raise a
    :class:`DriverDataError` subclass naming the culprit.
    """
    return _aggregate(df, outcome, drivers, weights)[0]


def _aggregate(df: pd.DataFrame, outcome: str, drivers, weights: str | None = None) -> tuple[DriverStats, np.ndarray]:
    """:func:`_prepare`, also returning the complete rows (outcome first) for resampling.

    With ``weights`` (a column of survey weights, finite and ≥ 0) the means and the covariance
    matrix are weighted (:func:`cxlib.aggregate.survey.cross_moments_array`,
    :func:`cxlib.stats.moments.covariance_from_sums`), and ``n_eff`` is Kish's effective n of
    the rows used, for every standard error.
    """
    drivers = _as_driver_list(drivers)
    if outcome in drivers:
        raise ValueError(f"'{outcome}' is the outcome and cannot also be a driver")
    if weights is not None and weights in (outcome, *drivers):
        raise ValueError(f"weights column '{weights}' cannot also be the outcome or a driver")
    _check_columns(df, [outcome, *drivers] + ([weights] if weights is not None else []))
    X, keep = _complete_rows(df, outcome, drivers)
    w = None
    if weights is not None:
        w = _numeric_matrix(df, [weights])[:, 0]
        bad = np.isnan(w) | (w < 0)
        if bad.any():
            raise DriverDataError(f"weights column '{weights}': missing or negative weights — "
                                  f"{_where(df.index, bad, w)}; expected a finite weight ≥ 0 on every row")
    n_all = X.shape[0]
    n = int(keep.sum())
    n_excluded = n_all - n
    p = len(drivers)
    if n < p + 2:
        per_driver = np.isnan(X[:, 1:]).sum(axis=0)
        worst = sorted(zip(drivers, per_driver, strict=True), key=lambda x: -x[1])
        detail = ", ".join(f"'{d}' missing in {m}" for d, m in worst if m)
        raise TooFewRowsError(
            f"{n} complete row{'s' if n != 1 else ''} for {p} driver{'s' if p != 1 else ''} "
            f"({n_excluded} of {n_all} rows excluded for missing driver values"
            f"{': ' + detail if detail else ''}); expected at least {p + 2} "
            f"(number of drivers + 2) complete rows"
        )
    Xk = X[keep] if n_excluded else X
    lo, hi = Xk.min(axis=0), Xk.max(axis=0)
    const = np.flatnonzero(lo == hi)
    if const.size:
        names = [outcome, *drivers]
        what = ", ".join(f"'{names[j]}' (always {lo[j]:g})" for j in const)
        raise ConstantColumnError(
            f"constant in the {n} rows used: {what}; a column with one value carries "
            "no information about the outcome — remove it from the analysis"
        )
    n_eff = None
    if w is None:
        means = Xk.mean(axis=0)
        Xc = Xk - means
        cov = (Xc.T @ Xc) / (n - 1)
    else:
        cm = cross_moments_array(Xk, w[keep] if n_excluded else w)
        cov = covariance_from_sums(cm.n, cm.sum_x, cm.sum_xy, cm.sum_w2)
        means = np.diag(cm.sum_x) / np.diag(cm.n)
        n_eff = float(kish_n(cm.n[0, 0], cm.sum_w2[0, 0]))
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    corr = np.clip(corr, -1.0, 1.0)
    _check_collinear(corr[1:, 1:], drivers, n)
    names = [outcome, *drivers]
    stats_ = DriverStats(
        outcome=outcome,
        drivers=tuple(drivers),
        n=n,
        n_excluded=n_excluded,
        means=pd.Series(means, index=names, name="mean"),
        sds=pd.Series(sd, index=names, name="sd"),
        corr=pd.DataFrame(corr, index=names, columns=names),
        n_eff=n_eff,
    )
    return stats_, Xk


def _check_collinear(rxx: np.ndarray, names: Sequence[str], n: int | None = None) -> None:
    """Raise :class:`CollinearDriversError` naming the drivers of an exact dependency."""
    w, V = np.linalg.eigh(rxx)
    null = w < _COLLINEAR_TOL * max(1.0, float(w.max()))
    if not null.any():
        return
    load = np.sqrt((V[:, null] ** 2).sum(axis=1))
    involved = [names[j] for j in np.flatnonzero(load > 1e-6)]
    pairs = [
        f"'{names[i]}' and '{names[j]}' (r = {rxx[i, j]:+.3f})"
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if abs(rxx[i, j]) > 1 - 1e-9
    ]
    where = f" in the {n} rows used" if n is not None else ""
    raise CollinearDriversError(
        f"perfectly collinear drivers{where}: {', '.join(map(repr, involved))} — one is an "
        f"exact linear combination of the others"
        f"{' (' + '; '.join(pairs) + ')' if pairs else ''}; "
        "expected drivers that each carry some unique information: drop or combine one of them"
    )


# --------------------------------------------------------- layer 2: the math on R


def _split_corr(corr, outcome=None):
    """Return ``(R, outcome_name, driver_names)`` with R a float correlation matrix, outcome first.

    Accepts a correlation or covariance matrix (DataFrame, labelled; or ndarray with
    the outcome in the first row/column, like relaimpo). A covariance matrix is
    rescaled to correlations (R² and all shares are scale-free).
    """
    if isinstance(corr, DriverStats):
        corr = corr.corr
    if isinstance(corr, pd.DataFrame):
        if list(corr.index) != list(corr.columns):
            raise ValueError("correlation matrix: row and column labels must be the same, in the same order")
        names = list(corr.columns)
        M = corr.to_numpy(dtype="float64")
    else:
        M = np.asarray(corr, dtype="float64")
        names = None
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 2:
        raise ValueError(f"expected a square matrix with the outcome and at least one driver, got shape {M.shape}")
    if names is None:
        if outcome is not None:
            raise ValueError("with an unlabelled matrix the outcome is the first row/column; leave outcome=None")
        names = ["y"] + [f"x{i}" for i in range(1, M.shape[0])]
    k = 0
    if outcome is not None:
        if outcome not in names:
            raise KeyError(f"outcome {outcome!r} is not a row/column of the matrix: {names}")
        k = names.index(outcome)
    if not np.isfinite(M).all():
        raise DriverDataError("correlation matrix: contains missing or infinite entries; expected finite numbers")
    if not np.allclose(M, M.T, rtol=0, atol=1e-8 * max(1.0, np.abs(M).max())):
        raise DriverDataError("correlation matrix: not symmetric; expected a correlation or covariance matrix")
    d = np.diag(M)
    if (d <= 0).any():
        bad = [names[i] for i in np.flatnonzero(d <= 0)]
        raise ConstantColumnError(f"correlation matrix: zero or negative variance for {bad}; expected positive variances")
    s = np.sqrt(d)
    R = M / np.outer(s, s)
    off = np.abs(R - np.eye(len(R)))
    if (off > 1 + 1e-10).any():
        raise DriverDataError("correlation matrix: entries outside [-1, 1]; expected a correlation or covariance matrix")
    order = [k] + [i for i in range(len(names)) if i != k]
    R = R[np.ix_(order, order)]
    np.fill_diagonal(R, 1.0)
    names = [names[i] for i in order]
    if np.linalg.eigvalsh(R).min() < -1e-8:
        raise DriverDataError(
            "correlation matrix: not positive semi-definite (this happens with pairwise-deleted "
            "correlations); expected a matrix computed from one set of complete rows"
        )
    _check_collinear(R[1:, 1:], names[1:])
    return R, names[0], names[1:]


def _ols_r2(rxx: np.ndarray, rxy: np.ndarray) -> tuple[float, np.ndarray]:
    beta = np.linalg.solve(rxx, rxy)
    return float(rxy @ beta), beta


def r2_from_corr(corr, outcome=None) -> float:
    """R² of the regression of the outcome on all drivers: R² = r_xy' R_xx⁻¹ r_xy.

    Parameters
    ----------
    corr : DataFrame, DriverStats or ndarray
        Correlation (or covariance) matrix of outcome and drivers; an unlabelled
        array has the outcome in the first row/column.
    outcome : str, optional
        Label of the outcome in a labelled matrix (default: first row/column).

    Examples
    --------
    >>> r2_from_corr([[1, .5], [.5, 1]])
    0.25
    """
    R, _, _ = _split_corr(corr, outcome)
    return _ols_r2(R[1:, 1:], R[1:, 0])[0]


def betas_from_corr(corr, outcome=None, n: int | None = None) -> pd.DataFrame:
    """Standardised OLS betas β = R_xx⁻¹ r_xy, with standard errors when ``n`` is known.

    SE(β_j) = √((1 − R²)/(n − p − 1) · [R_xx⁻¹]_jj), t = β_j/SE on n − p − 1 degrees
    of freedom — the same t and p as for the raw OLS coefficient.

    Returns
    -------
    DataFrame
        One row per driver: ``beta`` and, with ``n``, ``se``, ``t``, ``p_value``;
        ``.attrs["r2"]``.
    """
    R, _, drivers = _split_corr(corr, outcome)
    if n is None and isinstance(corr, DriverStats):
        n = corr.n
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2, beta = _ols_r2(rxx, rxy)
    out = pd.DataFrame({"beta": beta}, index=pd.Index(drivers, name="driver"))
    if n is not None:
        p = len(drivers)
        dof = n - p - 1
        if dof < 1:
            raise TooFewRowsError(f"n = {n} rows for {p} drivers; expected at least {p + 2}")
        se = np.sqrt(max(1.0 - r2, 0.0) / dof * np.diag(np.linalg.inv(rxx)))
        with np.errstate(divide="ignore", invalid="ignore"):
            tval = beta / se
        out["se"] = se
        out["t"] = tval
        out["p_value"] = 2 * stats.t.sf(np.abs(tval), dof)
    out.attrs["r2"] = r2
    return out


@lru_cache(maxsize=32)
def _subset_plan(p: int):
    """Bitmask bookkeeping for all 2^p subsets (cached per p).

    Subset ``m`` (an integer) holds driver j iff bit j of m is set. Returns the
    masks, their sizes and the Shapley weight by subset size.
    """
    masks = np.arange(1 << p, dtype=np.int64)
    sizes = np.bitwise_count(masks).astype(np.int64)
    # Shapley weight of a subset S not containing j: |S|!(p−|S|−1)!/p! = 1/(p·C(p−1,|S|))
    weight = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)])
    return masks, sizes, weight


def _all_subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R²(S) = r_Sy' R_SS⁻¹ r_Sy for every subset S, indexed by bitmask (R²(∅) = 0).

    One sweep (Schur complement) per driver, vectorised over subsets. Before step j
    the array holds, for each subset T of drivers 0..j−1 (in bitmask order), the
    correlation matrix of drivers j..p−1 and y *conditional on T*. Step j keeps T as
    it is (dropping driver j) and appends T ∪ {j} (sweeping on driver j), so the
    bitmask order is preserved. After p steps each subset holds a 1 × 1 matrix, the
    residual variance 1 − R²(S). The work is Σ_j 2^(j+1)·(p − j)² ≈ 12·2^p
    multiply–adds — no per-subset solve and no pass over the raw rows.
    """
    p = len(rxy)
    q = p + 1
    M = np.empty((q, q))
    M[:p, :p] = rxx
    M[:p, p] = M[p, :p] = rxy
    M[p, p] = 1.0
    C = M[None]
    for _ in range(p):
        col = C[:, 1:, 0]
        rest = C[:, 1:, 1:]
        swept = rest - col[:, :, None] * (col / C[:, 0, 0, None])[:, None, :]
        C = np.concatenate([rest, swept], axis=0)
    return 1.0 - C[:, 0, 0]


def _lmg_exact(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    p = len(rxy)
    masks, sizes, weight = _subset_plan(p)
    r2 = _all_subset_r2(rxx, rxy)
    shares = np.empty(p)
    for j in range(p):
        w = masks[(masks & (1 << j)) == 0]
        shares[j] = weight[sizes[w]] @ (r2[w | (1 << j)] - r2[w])
    return shares


def _lmg_permutation(rxx: np.ndarray, rxy: np.ndarray, n_perm: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo LMG: average sequential R² increments over random orderings.

    For an ordering π, the increments are the squares of z = L⁻¹ r_πy where L is
    the Cholesky factor of R_ππ (R² of the first k drivers = z_1² + … + z_k²), so
    every sampled ordering telescopes exactly to the full R².
    """
    p = len(rxy)
    total = np.zeros(p)
    total_sq = np.zeros(p)
    chunk = max(1, min(n_perm, 2_000_000 // (p * p)))
    done = 0
    while done < n_perm:
        m = min(chunk, n_perm - done)
        perms = rng.permuted(np.tile(np.arange(p), (m, 1)), axis=1)
        L = np.linalg.cholesky(rxx[perms[:, :, None], perms[:, None, :]])
        z = np.linalg.solve(L, rxy[perms][..., None])[..., 0]
        contrib = np.empty_like(z)
        np.put_along_axis(contrib, perms, z**2, axis=1)
        total += contrib.sum(axis=0)
        total_sq += (contrib**2).sum(axis=0)
        done += m
    mean = total / n_perm
    var = np.maximum(total_sq / n_perm - mean**2, 0.0) * n_perm / max(n_perm - 1, 1)
    return mean, np.sqrt(var / n_perm)


def _lmg(rxx, rxy, method: str, n_perm: int, rng):
    p = len(rxy)
    if method not in ("auto", "exact", "permutation"):
        raise ValueError(f"method must be 'auto', 'exact' or 'permutation', got {method!r}")
    if method == "exact" and p > _MAX_EXACT_FORCED:
        raise ValueError(
            f"exact LMG needs 2^{p} subset regressions; at most {_MAX_EXACT_FORCED} drivers "
            "are allowed with method='exact' — use method='permutation'"
        )
    if method == "exact" or (method == "auto" and p <= MAX_EXACT_DRIVERS):
        return _lmg_exact(rxx, rxy), None
    if n_perm < 2:
        raise ValueError(f"n_perm must be at least 2, got {n_perm}")
    return _lmg_permutation(rxx, rxy, n_perm, rng)


def _relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, float]:
    w, V = np.linalg.eigh(rxx)
    lam = (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T
    beta = np.linalg.solve(lam, rxy)
    raw = (lam**2) @ (beta**2)
    return raw, float(beta @ beta)


def _share_table(values: np.ndarray, r2: float, drivers, col: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {col: values, "pct": 100.0 * values / r2 if r2 > 0 else np.full(len(values), np.nan)},
        index=pd.Index(list(drivers), name="driver"),
    )
    out.attrs["r2"] = float(r2)
    return out


def all_subsets_r2_from_corr(corr, outcome=None) -> pd.DataFrame:
    """R² of the regression on every subset of the drivers (all 2^p − 1 non-empty ones).

    The building block of LMG and dominance analysis: R²(S) = r_Sy' R_SS⁻¹ r_Sy.

    Returns
    -------
    DataFrame
        One row per subset, in bitmask order: ``size``, ``drivers`` (tuple of
        names), ``r2``.
    """
    R, _, drivers = _split_corr(corr, outcome)
    p = len(drivers)
    if p > _MAX_EXACT_FORCED:
        raise ValueError(f"{p} drivers give 2^{p} subsets; at most {_MAX_EXACT_FORCED} drivers")
    masks, sizes, _ = _subset_plan(p)
    r2 = _all_subset_r2(R[1:, 1:], R[1:, 0])
    names = np.array(drivers, dtype=object)
    members = [tuple(names[[j for j in range(p) if m >> j & 1]]) for m in masks[1:]]
    return pd.DataFrame({"size": sizes[1:], "drivers": members, "r2": r2[1:]})


def relative_weights_from_corr(corr, outcome=None) -> pd.DataFrame:
    """Johnson's (2000) relative weights from a correlation matrix.

    Formula
    -------
    R_xx = V diag(λ) V'; Λ = V diag(√λ) V' (the symmetric square root, the loadings
    of the drivers on their closest orthogonal counterparts Z); β* = Λ⁻¹ r_xy (the
    regression of y on Z); raw weight ε_j = Σ_k Λ_jk² β*_k²; Σ_j ε_j = Σ_k β*_k² = R².
    ``pct`` = 100 ε_j / R². This is ``rwa::rwa_multiregress`` (``Raw.RelWeight``,
    ``Rescaled.RelWeight``) line by line.

    Returns
    -------
    DataFrame
        One row per driver: ``raw_weight`` (sums to R²), ``pct`` (sums to 100);
        ``.attrs["r2"]``.

    References
    ----------
    Johnson (2000); Tonidandel & LeBreton (2011, 2015, RWA Web).
    """
    R, _, drivers = _split_corr(corr, outcome)
    raw, r2 = _relative_weights(R[1:, 1:], R[1:, 0])
    return _share_table(raw, r2, drivers, "raw_weight")


def shapley_r2_from_corr(
    corr, outcome=None, *, method: str = "auto", n_perm: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """LMG / Shapley decomposition of R² from a correlation matrix.

    Formula
    -------
    share_j = Σ_{S ⊆ D∖{j}} |S|!(p − |S| − 1)!/p! · [R²(S ∪ {j}) − R²(S)], with
    R²(S) = r_Sy' R_SS⁻¹ r_Sy — the average, over all p! orderings of the drivers, of
    the R² that driver j adds when it enters (Lindeman, Merenda & Gold 1980; equal to
    the Shapley value of the R² game and to Budescu's general dominance). Shares are
    non-negative and sum to the full-model R².

    ``method="auto"`` is exact for up to :data:`MAX_EXACT_DRIVERS` (15) drivers: all
    2^p subset R² values are computed from the correlation matrix (one vectorised
    sweep per driver, see ``_all_subset_r2``), then weighted by bitmask. With more drivers it switches to a stated
    approximation: ``n_perm`` random orderings (seeded by ``seed``), each decomposed
    exactly by a Cholesky factorisation; the table then has a ``mc_se`` column, the
    Monte-Carlo standard error of each share (SD over orderings / √n_perm), and
    ``.attrs["method"] == "permutation"``. The sampled shares still sum to R² exactly.
    ``method="exact"`` forces enumeration (up to 20 drivers); ``"permutation"`` forces
    sampling.

    Returns
    -------
    DataFrame
        One row per driver: ``r2_share`` (sums to R²), ``pct`` (sums to 100)
        [, ``mc_se``]; ``.attrs["r2"]``, ``.attrs["method"]``.

    References
    ----------
    Lindeman, Merenda & Gold (1980); Grömping (2006), relaimpo ``type = "lmg"``;
    Castro, Gómez & Tejada (2009), *Computers & Operations Research* 36(5),
    1726–1730, for Shapley values by sampling orderings.

    Examples
    --------
    Two uncorrelated drivers: each share is its squared correlation.

    >>> shapley_r2_from_corr([[1, .6, .3], [.6, 1, 0], [.3, 0, 1]])["r2_share"].round(2).tolist()
    [0.36, 0.09]
    """
    R, _, drivers = _split_corr(corr, outcome)
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2 = _ols_r2(rxx, rxy)[0]
    shares, se = _lmg(rxx, rxy, method, n_perm, np.random.default_rng(seed))
    out = _share_table(shares, r2, drivers, "r2_share")
    if se is not None:
        out["mc_se"] = se
        out.attrs.update(method="permutation", n_perm=int(n_perm), seed=seed)
    else:
        out.attrs["method"] = "exact"
    return out


# ------------------------------------------------------------ public row-level API


def _with_meta(table: pd.DataFrame, st: DriverStats) -> pd.DataFrame:
    table.attrs.update(outcome=st.outcome, n_used=st.n, n_excluded=st.n_excluded)
    return table


def correlations(df: pd.DataFrame, outcome: str, drivers, conf: float = 0.95, *,
                 weights: str | None = None) -> pd.DataFrame:
    """Pearson correlation of each driver with the outcome, with a Fisher-z CI and p-value.

    Computed on the same complete rows as the other driver statistics (listwise).
    CI: tanh(atanh r ± z_{1−α/2}/√(n − 3)); p-value from t = r√((n − 2)/(1 − r²)).
    With ``weights`` (survey weights column) r is the weighted correlation and n is Kish's
    effective n (``.attrs["n_eff"]``).

    Returns
    -------
    DataFrame
        One row per driver: ``r``, ``ci_low``, ``ci_high``, ``p_value``;
        ``.attrs["n_used"]``, ``.attrs["n_excluded"]``.
    """
    _check_conf(conf)
    st = _prepare(df, outcome, drivers, weights)
    r = st.corr.to_numpy()[1:, 0]
    n = st.n if st.n_eff is None else st.n_eff
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        half = stats.norm.ppf(0.5 + conf / 2) / np.sqrt(n - 3) if n > 3 else np.nan
        tval = r * np.sqrt((n - 2) / np.maximum(1 - r**2, 1e-300))
    out = pd.DataFrame(
        {
            "r": r,
            "ci_low": np.tanh(z - half),
            "ci_high": np.tanh(z + half),
            "p_value": 2 * stats.t.sf(np.abs(tval), n - 2),
        },
        index=pd.Index(list(st.drivers), name="driver"),
    )
    return _with_meta(out, st)


def betas(df: pd.DataFrame, outcome: str, drivers, *, weights: str | None = None) -> pd.DataFrame:
    """Standardised OLS coefficients of the outcome on all drivers (see :func:`betas_from_corr`).

    Returns
    -------
    DataFrame
        One row per driver: ``beta``, ``se``, ``t``, ``p_value``; ``.attrs["r2"]``,
        ``.attrs["n_used"]``, ``.attrs["n_excluded"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [-4, 2, -2, 4], "a": [-3, -1, 1, 3], "b": [1, -1, -1, 1]})
    >>> round(float(betas(d, "y", ["a", "b"]).loc["a", "beta"]), 4)  # a ⟂ b: beta = r = 1/√2
    0.7071
    """
    st = _prepare(df, outcome, drivers, weights)
    n = st.n if st.n_eff is None else max(int(np.floor(st.n_eff)), len(st.drivers) + 2)
    return _with_meta(betas_from_corr(st.corr, st.outcome, n=n), st)


def relative_weights(df: pd.DataFrame, outcome: str, drivers, *, weights: str | None = None) -> pd.DataFrame:
    """Johnson's (2000) relative weights of the drivers of ``outcome``.

    Same definition and numbers as the R package ``rwa`` (``rwa(df, outcome,
    predictors)``: ``Raw.RelWeight`` = ``raw_weight``, ``Rescaled.RelWeight`` =
    ``pct``) on complete data. Differences on purpose: rows with a missing driver are
    excluded listwise and counted (rwa uses pairwise correlations), a missing outcome
    raises, and rows keep the order of ``drivers`` (rwa sorts by weight by default).
    Formula: see :func:`relative_weights_from_corr`.

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    outcome : str
        Overall measure (satisfaction, NPS score, intent to return).
    drivers : list of str
        Touchpoint or attribute ratings. Booleans count as 0/1.
    weights : str, optional
        Survey weights column: the weights come from the weighted correlation matrix
        (Kish-corrected weighted covariance, :func:`cxlib.stats.moments.covariance_from_sums`).

    Returns
    -------
    DataFrame
        One row per driver: ``raw_weight`` (sums to R²), ``pct`` (sums to 100);
        ``.attrs["r2"]``, ``.attrs["n_used"]``, ``.attrs["n_excluded"]``.

    Raises
    ------
    MissingOutcomeError, ConstantColumnError, CollinearDriversError, TooFewRowsError
        Naming the rows or columns at fault.

    References
    ----------
    Johnson, J. W. (2000), Multivariate Behavioral Research 35(1), 1–19; Tonidandel &
    LeBreton (2011).

    Examples
    --------
    >>> from cxlib import datasets  # doctest: +SKIP
    >>> survey = datasets.load("hotel", "survey")  # doctest: +SKIP
    >>> relative_weights(survey, "overall_sat", ["tp_checkin", "tp_room", "tp_staff"])  # doctest: +SKIP
    """
    st = _prepare(df, outcome, drivers, weights)
    return _with_meta(relative_weights_from_corr(st.corr, st.outcome), st)


def shapley_r2(
    df: pd.DataFrame, outcome: str, drivers, *, method: str = "auto", n_perm: int = 2000, seed: int = 0,
    weights: str | None = None,
) -> pd.DataFrame:
    """LMG / Shapley R² decomposition: how much of R² each driver explains.

    Agrees with ``relaimpo::calc.relimp(y ~ ., data, type = "lmg")`` (``rela = FALSE``
    gives ``r2_share``, ``rela = TRUE`` gives ``pct``/100) on complete data; rows with
    a missing driver are excluded listwise and counted, as relaimpo's
    ``na.action = na.omit`` does, but a missing outcome raises here. Exact for up to
    15 drivers; beyond that a seeded permutation-sampling approximation with a
    reported Monte-Carlo SE (see :func:`shapley_r2_from_corr` for the formula and
    the ``method``/``n_perm``/``seed`` knobs). ``weights`` (a survey weights column) decomposes
    the R² of the weighted correlation matrix.

    Returns
    -------
    DataFrame
        One row per driver: ``r2_share`` (LMG, sums to R²), ``pct`` (sums to 100)
        [, ``mc_se``]; ``.attrs["r2"]``, ``.attrs["method"]``, ``.attrs["n_used"]``,
        ``.attrs["n_excluded"]``.

    References
    ----------
    Lindeman, Merenda & Gold (1980); Grömping, U. (2006), Journal of Statistical
    Software 17(1).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 3, 2, 4, 5, 4], "a": [1, 2, 2, 3, 4, 4], "b": [1, 1, 2, 2, 3, 1]})
    >>> res = shapley_r2(d, "y", ["a", "b"])
    >>> bool(abs(res["r2_share"].sum() - res.attrs["r2"]) < 1e-12)
    True
    """
    st = _prepare(df, outcome, drivers, weights)
    return _with_meta(shapley_r2_from_corr(st.corr, st.outcome, method=method, n_perm=n_perm, seed=seed), st)


# ------------------------------------------------------------------- bootstrap


def _check_conf(conf: float) -> None:
    if not (isinstance(conf, int | float) and 0 < conf < 1):
        raise ValueError(f"conf must be between 0 and 1 (exclusive), got {conf!r}")


def _bootstrap(X: np.ndarray, methods: Sequence[str], n_boot: int, seed: int, lmg_method: str, n_perm: int):
    """Resample the complete rows ``X`` (outcome first) ``n_boot`` times.

    Returns per-method (n_boot, p) arrays of shares, the resampled R² and the number
    of failed resamples. A resample in which a driver is constant or drivers are
    collinear is left as NaN and counted; more than half failing raises. The
    correlation matrix of each resample comes from bootstrap counts w:
    cov = (X0' diag(w) X0 − n m m')/(n − 1), with X0 centred once.
    """
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2, got {n_boot}")
    n, q = X.shape
    p = q - 1
    X0 = X - X.mean(axis=0)
    var_full = X0.var(axis=0, ddof=1)
    rng = np.random.default_rng(seed)
    perm_rng = np.random.default_rng([seed, 1])
    out = {m: np.full((n_boot, p), np.nan) for m in methods}
    r2s = np.full(n_boot, np.nan)
    for b in range(n_boot):
        w = np.bincount(rng.integers(0, n, size=n), minlength=n).astype("float64")
        mean = (w @ X0) / n
        cov = ((X0.T * w) @ X0 - n * np.outer(mean, mean)) / (n - 1)
        d = np.diag(cov)
        if (d <= 1e-12 * var_full).any():
            continue
        s = np.sqrt(d)
        R = cov / np.outer(s, s)
        rxx, rxy = R[1:, 1:], R[1:, 0]
        if np.linalg.eigvalsh(rxx).min() < _COLLINEAR_TOL:
            continue
        r2s[b] = _ols_r2(rxx, rxy)[0]
        for m in methods:
            if m == "lmg":
                out[m][b] = _lmg(rxx, rxy, lmg_method, n_perm, perm_rng)[0]
            else:
                out[m][b] = _relative_weights(rxx, rxy)[0]
    n_failed = int(np.isnan(r2s).sum())
    if n_failed > n_boot / 2:
        raise DriverDataError(
            f"{n_failed} of {n_boot} bootstrap resamples had a constant or collinear driver; "
            "expected more rows or more varied drivers for bootstrap intervals"
        )
    return out, r2s, n_failed


def _percentile(a: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - conf
    lo, hi = np.nanquantile(a, [alpha / 2, 1 - alpha / 2], axis=0)
    return lo, hi


def bootstrap_shares(
    df: pd.DataFrame,
    outcome: str,
    drivers,
    method: str = "lmg",
    n_boot: int = 1000,
    seed: int = 0,
    conf: float = 0.95,
    *,
    lmg_method: str = "auto",
    n_perm: int = 500,
) -> pd.DataFrame:
    """Seeded percentile-bootstrap confidence intervals for LMG or relative-weight shares.

    Complete rows are resampled with replacement ``n_boot`` times; the shares are
    recomputed on each resample's correlation matrix; the interval is the
    (α/2, 1 − α/2) quantile of the resampled values — relaimpo's ``booteval.relimp``
    default ``bty = "perc"`` (rwa prefers BCa; percentile is its fallback). The same
    ``seed`` gives the same intervals. Resamples with a constant or collinear driver
    are skipped and counted in ``.attrs["n_failed"]``.

    Parameters
    ----------
    method : {"lmg", "rw"}
        Shapley/LMG shares (:func:`shapley_r2`) or Johnson's relative weights
        (:func:`relative_weights`).
    n_boot : int
        Number of resamples (1000 is a sensible default for 95 % intervals).
    seed : int
        Seed of the resampling.
    conf : float
        Confidence level.
    lmg_method, n_perm
        Passed to the LMG computation (relevant above 15 drivers only).

    Returns
    -------
    DataFrame
        One row per driver: ``share`` (``r2_share`` or ``raw_weight`` on the full
        sample), ``se`` (bootstrap SD), ``share_ci_low``, ``share_ci_high``, ``pct``,
        ``pct_ci_low``, ``pct_ci_high``; ``.attrs``: ``r2``, ``r2_ci_low``,
        ``r2_ci_high``, ``n_boot``, ``n_failed``, ``seed``, ``conf``, ``method``,
        ``n_used``, ``n_excluded``.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall. Grömping (2006), section 5; Tonidandel, LeBreton & Johnson (2009),
    *Psychological Methods* 14(4), 387–399.
    """
    if method not in ("lmg", "rw"):
        raise ValueError(f"method must be 'lmg' or 'rw', got {method!r}")
    _check_conf(conf)
    st, X = _aggregate(df, outcome, drivers)
    boots, r2s, n_failed = _bootstrap(X, [method], n_boot, seed, lmg_method, n_perm)
    R = st.corr.to_numpy()
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2 = _ols_r2(rxx, rxy)[0]
    if method == "lmg":
        share = _lmg(rxx, rxy, lmg_method, n_perm, np.random.default_rng(seed))[0]
    else:
        share = _relative_weights(rxx, rxy)[0]
    bs = boots[method]
    pct_b = 100 * bs / r2s[:, None]
    lo, hi = _percentile(bs, conf)
    plo, phi = _percentile(pct_b, conf)
    r2lo, r2hi = _percentile(r2s, conf)
    out = pd.DataFrame(
        {
            "share": share,
            "se": np.nanstd(bs, axis=0, ddof=1),
            "share_ci_low": lo,
            "share_ci_high": hi,
            "pct": 100 * share / r2,
            "pct_ci_low": plo,
            "pct_ci_high": phi,
        },
        index=pd.Index(list(st.drivers), name="driver"),
    )
    out.attrs.update(
        r2=r2, r2_ci_low=float(r2lo), r2_ci_high=float(r2hi), n_boot=int(n_boot),
        n_failed=n_failed, seed=seed, conf=conf, method=method,
    )
    return _with_meta(out, st)


def key_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers,
    *,
    ci: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    conf: float = 0.95,
    sort: bool = True,
) -> pd.DataFrame:
    """One key-driver table: r, standardised beta, relative weight %, LMG %, ranks, mean.

    All statistics come from one aggregation of the complete rows (listwise deletion,
    counted in ``.attrs``). ``mean`` is the driver's mean rating in those rows (its
    performance, the x-axis of :func:`ipa`). With ``ci=True`` one set of seeded
    bootstrap resamples gives percentile intervals for both shares
    (see :func:`bootstrap_shares`).

    Returns
    -------
    DataFrame
        One row per driver, sorted by LMG % (largest first) unless ``sort=False``:
        ``r``, ``beta``, ``rw_pct``, ``lmg_pct``, ``rw_rank``, ``lmg_rank`` (1 = most
        important), ``mean`` [, ``rw_pct_ci_low``, ``rw_pct_ci_high``,
        ``lmg_pct_ci_low``, ``lmg_pct_ci_high``]; ``.attrs``: ``r2``, ``n_used``,
        ``n_excluded``, ``outcome`` (and ``n_boot``, ``n_failed``, ``conf`` with CIs).

    References
    ----------
    Johnson (2000); Lindeman, Merenda & Gold (1980); Grömping (2006).
    """
    _check_conf(conf)
    st, X = _aggregate(df, outcome, drivers)
    R = st.corr.to_numpy()
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2, beta = _ols_r2(rxx, rxy)
    rw = _relative_weights(rxx, rxy)[0]
    lmg, lmg_se = _lmg(rxx, rxy, "auto", 2000, np.random.default_rng(seed))
    out = pd.DataFrame(
        {
            "r": rxy,
            "beta": beta,
            "rw_pct": 100 * rw / r2,
            "lmg_pct": 100 * lmg / r2,
        },
        index=pd.Index(list(st.drivers), name="driver"),
    )
    out["rw_rank"] = out["rw_pct"].rank(ascending=False, method="min").astype(int)
    out["lmg_rank"] = out["lmg_pct"].rank(ascending=False, method="min").astype(int)
    out["mean"] = st.means.to_numpy()[1:]
    out.attrs.update(r2=r2, lmg_method="exact" if lmg_se is None else "permutation")
    if ci:
        boots, r2s, n_failed = _bootstrap(X, ["rw", "lmg"], n_boot, seed, "auto", 500)
        for m in ("rw", "lmg"):
            lo, hi = _percentile(100 * boots[m] / r2s[:, None], conf)
            out[f"{m}_pct_ci_low"] = lo
            out[f"{m}_pct_ci_high"] = hi
        out.attrs.update(n_boot=int(n_boot), n_failed=n_failed, conf=conf, seed=seed)
    if sort:
        out = out.sort_values("lmg_pct", ascending=False, kind="stable")
    return _with_meta(out, st)


# ------------------------------------------------------------------------- IPA


def _ipa_cuts(split, perf: np.ndarray, imp: np.ndarray) -> tuple[float, float]:
    """(performance cut, importance cut) from ``split``: a rule for both axes or a pair of rules/numbers."""
    expected = "'mean', 'median' or a (performance cut, importance cut) pair of 'mean', 'median' or numbers"
    rules = {"mean": np.mean, "median": np.median}
    parts = (split, split) if isinstance(split, str) else split
    try:
        x_rule, y_rule = parts
    except (TypeError, ValueError):
        raise ValueError(f"split must be {expected}, got {split!r}") from None
    cuts = []
    for rule, values in ((x_rule, perf), (y_rule, imp)):
        if isinstance(rule, str):
            if rule not in rules:
                raise ValueError(f"split must be {expected}, got {split!r}")
            cuts.append(float(rules[rule](values)))
        else:
            try:
                cuts.append(float(rule))
            except (TypeError, ValueError):
                raise ValueError(f"split must be {expected}, got {split!r}") from None
            if not np.isfinite(cuts[-1]):
                raise ValueError(f"split: a cut point must be a finite number, got {split!r}")
    return cuts[0], cuts[1]


def ipa(
    df: pd.DataFrame,
    ratings,
    importance="derived",
    outcome: str | None = None,
    split="mean",
    *,
    derived: str = "lmg",
    scale: tuple[float, float] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Importance–performance analysis (Martilla & James 1977): where to act first.

    Each attribute gets a **performance** (its mean rating, over the respondents who
    rated it) and an **importance**, and falls in one of four quadrants split at
    cut points on both axes:

    ============================  ==================  ==================
    quadrant                      importance          performance
    ============================  ==================  ==================
    ``concentrate_here``          high (≥ cut)        low (< cut)
    ``keep_up``                   high                high (≥ cut)
    ``low_priority``              low                 low
    ``possible_overkill``         low                 high
    ============================  ==================  ==================

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    ratings : list of str
        Attribute rating columns (e.g. the ``tp_*`` touchpoint ratings).
    importance : "derived", dict or Series
        ``"derived"``: statistical importance against ``outcome`` (``derived="lmg"``:
        LMG % of R², the default; ``"rw"``: relative weight %; ``"r"``: correlation).
        A dict/Series maps every rating column to a stated importance (e.g. a mean
        self-rated importance); none may be missing and no others given.
    outcome : str, optional
        Required for derived importance (overall satisfaction, say).
    split : "mean", "median" or (x, y)
        Cut points: the mean (Martilla & James) or median of the attributes'
        performance and importance, or a pair ``(performance cut, importance cut)``
        whose parts are each ``"mean"``, ``"median"`` or a number — x is the
        horizontal (performance) axis, y the vertical (importance) one. Note that
        derived importance as shares (``"lmg"``, ``"rw"``) always sums to 100, so
        its mean is ``100 / k`` for k attributes whatever the data: the *mean*
        importance cut asks "more than an equal share?", a fixed benchmark. The
        *median* importance cut follows the data instead (half the attributes lie
        above it); ``("mean", "median")`` keeps the mean performance cut with it,
        and a number sets a target.
    scale : (low, high), optional
        When given, the ratings are checked to be whole numbers on that scale
        (:func:`cxlib._validate.clean_scores`).
    lang : "en" or "zh"
        Language of ``quadrant_label``.

    Returns
    -------
    DataFrame
        One row per attribute, sorted by ``priority``: ``importance``,
        ``performance``, ``n`` (answers), ``gap``, ``quadrant`` (key),
        ``quadrant_label``, ``priority`` (1 = act first). ``gap`` is in standard
        deviations: (importance − importance cut)/SD(importance) − (performance −
        performance cut)/SD(performance), the SDs taken across the attributes, so
        that a share in % and a mean rating can be subtracted; positive means the
        attribute matters more than it performs, relative to the cut lines (table
        header "Gap in SDs (importance − performance)").
        Priority puts every ``concentrate_here`` attribute first (largest gap first),
        then the others by gap. ``.attrs``: ``performance_cut``, ``importance_cut``,
        ``split`` (as given), ``importance_source`` and, when derived, ``r2``,
        ``n_used``, ``n_excluded``.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance–performance analysis.
    *Journal of Marketing*, 41(1), 77–79.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"wifi": [2, 3, 2], "room": [5, 4, 5]})
    >>> ipa(d, ["wifi", "room"], importance={"wifi": 0.8, "room": 0.2})["quadrant"].to_dict()
    {'wifi': 'concentrate_here', 'room': 'possible_overkill'}
    >>> ipa(d, ["wifi", "room"], importance={"wifi": 0.8, "room": 0.2}, split=("mean", 0.9)).attrs["importance_cut"]
    0.9
    """
    check_lang(lang)
    ratings = _as_driver_list(ratings, "ratings")
    _check_columns(df, ratings)
    X = _numeric_matrix(df, ratings)
    if scale is not None:
        low, high = scale
        for c in ratings:
            clean_scores(df[c], low=low, high=high, name=c)
    n_ans = (~np.isnan(X)).sum(axis=0)
    if (n_ans == 0).any():
        empty = [c for c, k in zip(ratings, n_ans, strict=True) if k == 0]
        raise DriverDataError(f"no answers at all in {empty}; expected at least one rating per attribute")
    perf = np.nanmean(X, axis=0)
    attrs: dict = {}
    if isinstance(importance, str):
        if importance != "derived":
            raise ValueError(f"importance must be 'derived', a dict or a Series, got {importance!r}")
        if outcome is None:
            raise ValueError("derived importance needs an outcome column, e.g. outcome='overall_sat'")
        if derived == "lmg":
            tab = shapley_r2(df, outcome, ratings)
            imp = tab["pct"].to_numpy()
        elif derived == "rw":
            tab = relative_weights(df, outcome, ratings)
            imp = tab["pct"].to_numpy()
        elif derived == "r":
            tab = correlations(df, outcome, ratings)
            imp = tab["r"].to_numpy()
            tab.attrs["r2"] = float("nan")
        else:
            raise ValueError(f"derived must be 'lmg', 'rw' or 'r', got {derived!r}")
        attrs.update(
            importance_source=f"derived:{derived}", outcome=outcome, r2=tab.attrs.get("r2"),
            n_used=tab.attrs["n_used"], n_excluded=tab.attrs["n_excluded"],
        )
    elif isinstance(importance, Mapping | pd.Series):
        given = pd.Series(importance, dtype="object") if isinstance(importance, Mapping) else importance
        missing = [c for c in ratings if c not in given.index]
        extra = [k for k in given.index if k not in ratings]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"no value for {missing}")
            if extra:
                problems.append(f"values for columns that are not ratings: {extra}")
            raise DriverDataError(
                f"importance: {'; '.join(problems)}; expected exactly one value per rating column {ratings}"
            )
        vals = pd.to_numeric(given.reindex(ratings), errors="coerce").to_numpy(dtype="float64")
        bad = [c for c, v in zip(ratings, vals, strict=True) if not np.isfinite(v)]
        if bad:
            raise DriverDataError(
                f"importance: not a finite number for {bad} ({[given[c] for c in bad]}); expected numbers"
            )
        imp = vals
        attrs["importance_source"] = "stated"
    else:
        raise TypeError(f"importance must be 'derived', a dict or a Series, got {type(importance).__name__}")

    x_cut, y_cut = _ipa_cuts(split, perf, imp)
    hi_imp = imp >= y_cut
    hi_perf = perf >= x_cut
    quadrant = np.where(
        hi_imp,
        np.where(hi_perf, "keep_up", "concentrate_here"),
        np.where(hi_perf, "possible_overkill", "low_priority"),
    )
    s_imp = float(np.std(imp)) or 1.0
    s_perf = float(np.std(perf)) or 1.0
    gap = (imp - y_cut) / s_imp - (perf - x_cut) / s_perf
    out = pd.DataFrame(
        {
            "importance": imp,
            "performance": perf,
            "n": n_ans.astype(int),
            "gap": gap,
            "quadrant": quadrant,
            "quadrant_label": [t(f"drivers.quadrant.{q}", lang) for q in quadrant],
        },
        index=pd.Index(ratings, name="attribute"),
    )
    order = np.lexsort((-gap, quadrant != "concentrate_here"))
    out = out.iloc[order]
    out["priority"] = np.arange(1, len(out) + 1)
    out.attrs.update(attrs, performance_cut=x_cut, importance_cut=y_cut, split=split)
    return out


def _nps_groups(df: pd.DataFrame, score: str) -> tuple[pd.Series, int]:
    """NPS group per row (promoters 9–10, passives 7–8, detractors 0–6); NaN = no answer."""
    from .metrics import nps_category

    _check_columns(df, [score])
    single = nps_category(df[score], name=score)  # raises on anything but 0–10 / missing
    grp = single.map({"promoter": "promoters", "passive": "passives", "detractor": "detractors"})
    return pd.Series(pd.Categorical(grp, categories=NPS_GROUPS), index=df.index), int(single.isna().sum())


@dataclass(frozen=True, eq=False)
class OutcomesByGroupResult:
    """What promoters, passives and detractors did afterwards (:func:`outcomes_by_nps_group`).

    Attributes
    ----------
    summary : DataFrame
        One row per outcome × group: ``outcome``, ``group``, ``group_label``,
        ``kind`` ("proportion" or "mean"), ``n``, ``n_missing``, ``estimate``,
        ``ci_low``, ``ci_high``.
    tests : DataFrame
        One row per outcome: ``test`` ("chi2" or "welch_anova"), ``statistic``,
        ``dof1``, ``dof2``, ``p_value``, ``effect`` ("cramers_v" or "np2"),
        ``effect_size``.
    pairwise : DataFrame
        One row per outcome × pair of groups: ``a``, ``b``, ``difference`` (a − b),
        ``test`` ("chi2" or "welch_t"), ``statistic``, ``dof``, ``p_value``,
        ``p_holm`` (Holm-adjusted within the outcome).
    n_excluded : int
        Rows without an NPS answer.
    """

    summary: pd.DataFrame
    tests: pd.DataFrame
    pairwise: pd.DataFrame
    n_excluded: int


def outcomes_by_nps_group(
    df: pd.DataFrame, score: str, outcome_cols, conf: float = 0.95, *, lang: str = "en"
) -> OutcomesByGroupResult:
    """Experience pays: compare promoters, passives and detractors on later outcomes.

    Each row is a customer with an NPS answer (``score``, 0–10) and O-data outcomes,
    e.g. ``returned_12m`` (bool) and ``revenue_12m`` (number) from the hotel
    ``outcomes`` table joined to the survey.

    * **Boolean outcome** → proportion per group with a Wilson score interval
      (:func:`cxlib.metrics.wilson_ci`);
      test of independence across the three groups: Pearson χ² on the 3 × 2 table
      (``pingouin.chi2_independence``, Cramér's V); pairwise 2 × 2 χ² (no continuity
      correction, i.e. the two-proportion z-test) with Holm adjustment.
    * **Numeric outcome** → mean per group with a t interval (mean ± t_{n−1}·s/√n);
      Welch's ANOVA across groups (``pingouin.welch_anova``, partial η²) and pairwise
      Welch t-tests (``pingouin.pairwise_tests``, Holm-adjusted).

    Rows without an NPS answer are excluded and counted (``n_excluded``); a missing
    outcome value is excluded for that outcome only and counted in ``n_missing``.
    Groups: promoters 9–10, passives 7–8, detractors 0–6 (Reichheld 2003). A test the
    groups cannot support is reported as NaN, not run: fewer than two customers in a
    group, Welch's ANOVA when a group's values are all equal (its weight n/s² is
    undefined), a pairwise Welch t when both groups' values are constant.

    Returns
    -------
    OutcomesByGroupResult

    References
    ----------
    Reichheld (2003); Wilson, E. B. (1927), *JASA* 22, 209–212; Welch, B. L. (1951),
    *Biometrika* 38, 330–336; Holm, S. (1979), *Scand. J. Statist.* 6, 65–70.
    """
    pg = optional_import("pingouin", "stats", "drivers.outcomes_by_nps_group")

    check_lang(lang)
    _check_conf(conf)
    outcome_cols = _as_driver_list(outcome_cols, "outcome_cols")
    _check_columns(df, [score, *outcome_cols])
    groups, n_excluded = _nps_groups(df, score)
    answered = groups.notna().to_numpy()
    summary_rows, test_rows, pair_rows = [], [], []
    pairs = [("promoters", "passives"), ("promoters", "detractors"), ("passives", "detractors")]
    for col in outcome_cols:
        s = df[col]
        is_bool = pd.api.types.is_bool_dtype(s.dtype)
        if not is_bool and not pd.api.types.is_numeric_dtype(s.dtype):
            raise DriverDataError(
                f"outcome '{col}' has dtype {s.dtype}; expected true/false (a proportion) or numbers (a mean)"
            )
        vals = s.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(vals).any():
            raise DriverDataError(f"outcome '{col}': infinite values; expected finite numbers")
        ok = answered & ~np.isnan(vals)
        data = pd.DataFrame({"group": groups[ok].astype(str).to_numpy(), "y": vals[ok]})
        kind = "proportion" if is_bool else "mean"
        for g in NPS_GROUPS:
            yg = data.loc[data["group"] == g, "y"].to_numpy()
            n_g = len(yg)
            n_missing = int((answered & np.isnan(vals) & (groups == g).to_numpy()).sum())
            if is_bool:
                k = int(yg.sum())
                est = k / n_g if n_g else float("nan")
                lo, hi = wilson_ci(k, n_g, conf)
            else:
                est = float(yg.mean()) if n_g else float("nan")
                # t interval (NaN for fewer than two answers)
                _, lo, hi = t_interval(est, yg.std(ddof=1) if n_g > 1 else np.nan, n_g, conf)
            summary_rows.append(
                {"outcome": col, "group": g, "group_label": t(f"nps.{g}", lang), "kind": kind,
                 "n": n_g, "n_missing": n_missing, "estimate": est, "ci_low": lo, "ci_high": hi}
            )
        present = [g for g in NPS_GROUPS if (data["group"] == g).sum() >= 2]
        sub = data[data["group"].isin(present)]
        # Welch's ANOVA weights each group by n/s²: a group whose values are all equal (s = 0; e.g. every
        # customer of a small export spent nothing afterwards) leaves it undefined, so it is not run (NaN)
        varies = bool((sub.groupby("group")["y"].var() > 0).all())
        test = {"outcome": col, "test": "chi2" if is_bool else "welch_anova", "statistic": np.nan,
                "dof1": np.nan, "dof2": np.nan, "p_value": np.nan,
                "effect": "cramers_v" if is_bool else "np2", "effect_size": np.nan}
        if len(present) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if is_bool:
                    if sub["y"].nunique() > 1:
                        _, _, st_ = pg.chi2_independence(sub.assign(y=sub["y"].astype(bool)), x="group", y="y",
                                                         correction=False)
                        row = st_.loc[st_["test"] == "pearson"].iloc[0]
                        test.update(statistic=row["chi2"], dof1=row["dof"], p_value=row["pval"],
                                    effect_size=row["cramer"])
                elif varies:
                    aov = pg.welch_anova(sub, dv="y", between="group")
                    test.update(statistic=aov["F"].iloc[0], dof1=aov["ddof1"].iloc[0],
                                dof2=aov["ddof2"].iloc[0], p_value=aov["p_unc"].iloc[0],
                                effect_size=aov["np2"].iloc[0])
        test_rows.append(test)
        pair_out = []
        for a, b in pairs:
            ya = data.loc[data["group"] == a, "y"].to_numpy()
            yb = data.loc[data["group"] == b, "y"].to_numpy()
            row = {"outcome": col, "a": a, "b": b,
                   "difference": (ya.mean() - yb.mean()) if len(ya) and len(yb) else np.nan,
                   "test": "chi2" if is_bool else "welch_t", "statistic": np.nan, "dof": np.nan,
                   "p_value": np.nan}
            if len(ya) >= 2 and len(yb) >= 2:
                pair = data[data["group"].isin([a, b])]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if is_bool:
                        if pair["y"].nunique() > 1:
                            _, _, st_ = pg.chi2_independence(pair.assign(y=pair["y"].astype(bool)), x="group",
                                                             y="y", correction=False)
                            r = st_.loc[st_["test"] == "pearson"].iloc[0]
                            row.update(statistic=r["chi2"], dof=r["dof"], p_value=r["pval"])
                    elif ya.std() > 0 or yb.std() > 0:  # both constant: Welch's t has no standard error (NaN)
                        pt = pg.pairwise_tests(pair, dv="y", between="group", parametric=True, correction=True)
                        r = pt.iloc[0]
                        sign = 1.0 if r["A"] == a else -1.0
                        row.update(statistic=sign * r["T"], dof=r["dof"], p_value=r["p_unc"])
            pair_out.append(row)
        pv = np.array([r["p_value"] for r in pair_out], dtype=float)
        adj = np.full_like(pv, np.nan)
        finite = np.isfinite(pv)
        if finite.any():
            adj[finite] = pg.multicomp(pv[finite], method="holm")[1]
        for r, padj in zip(pair_out, adj, strict=True):
            r["p_holm"] = padj
        pair_rows.extend(pair_out)
    return OutcomesByGroupResult(
        summary=pd.DataFrame(summary_rows),
        tests=pd.DataFrame(test_rows),
        pairwise=pd.DataFrame(pair_rows),
        n_excluded=n_excluded,
    )


def repurchase_model(df: pd.DataFrame, outcome: str, predictors, conf: float = 0.95) -> pd.DataFrame:
    """Logistic regression of a yes/no outcome (returned, repurchased) on experience measures.

    logit P(outcome) = b₀ + Σ b_j x_j, fitted by maximum likelihood
    (``statsmodels`` Logit); odds ratio OR_j = exp(b_j) with the Wald interval
    exp(b_j ± z·SE_j). Numeric and boolean predictors enter as they are; text or
    categorical predictors are dummy-coded against their first level (terms named
    ``col[T.level]``, as in R/patsy). Rows with a missing predictor are excluded and
    counted; a missing outcome raises.

    Parameters
    ----------
    outcome : str
        True/false (or 0/1) column.
    predictors : list of str
        E.g. ``["nps", "ces"]`` or touchpoint ratings.

    Returns
    -------
    DataFrame
        One row per term (``Intercept`` first): ``coef``, ``se``, ``z``, ``p_value``,
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high``; ``.attrs``: ``n_used``,
        ``n_excluded``, ``pseudo_r2`` (McFadden), ``llr_p_value``, ``converged``.

    References
    ----------
    Hosmer, D. W., Lemeshow, S., & Sturdivant, R. X. (2013). *Applied Logistic
    Regression* (3rd ed.). Wiley.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    _check_conf(conf)
    predictors = _as_driver_list(predictors, "predictors")
    if outcome in predictors:
        raise ValueError(f"'{outcome}' is the outcome and cannot also be a predictor")
    _check_columns(df, [outcome, *predictors])
    y_raw = df[outcome]
    missing = y_raw.isna().to_numpy()
    if missing.any():
        raise MissingOutcomeError(
            f"outcome '{outcome}': missing values — {_where(df.index, missing)}; expected true/false in every row"
        )
    bad = ~y_raw.isin([0, 1]).to_numpy()  # True/False compare equal to 1/0
    if bad.any():
        raise DriverDataError(
            f"outcome '{outcome}': not a yes/no value — {_where(df.index, bad, y_raw.to_numpy())}; "
            "expected true/false or 0/1"
        )
    y = y_raw.to_numpy(dtype="float64")
    parts, cat_cols = [], []
    for c in predictors:
        s = df[c]
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            parts.append(pd.DataFrame({c: s.to_numpy(dtype="float64", na_value=np.nan)}, index=df.index))
        else:
            cat = s.astype("category")
            dummies = pd.get_dummies(cat, prefix=c, prefix_sep="[T.", drop_first=True, dtype="float64")
            dummies.columns = [f"{col}]" for col in dummies.columns]
            dummies[s.isna().to_numpy()] = np.nan
            parts.append(dummies)
            cat_cols.append(c)
    Xdf = pd.concat(parts, axis=1)
    if np.isinf(Xdf.to_numpy()).any():
        raise DriverDataError(f"predictors {predictors}: infinite values; expected finite numbers")
    keep = ~Xdf.isna().any(axis=1).to_numpy()
    n_used = int(keep.sum())
    n_excluded = len(df) - n_used
    k = Xdf.shape[1]
    if n_used < k + 2:
        raise TooFewRowsError(
            f"{n_used} complete rows ({n_excluded} excluded for missing predictors) for {k} terms; "
            f"expected at least {k + 2}", n_used=n_used, n_needed=k + 2
        )
    Xk = Xdf[keep]
    const = [c for c in Xk.columns if Xk[c].nunique() <= 1]
    if const:
        raise ConstantColumnError(f"constant in the {n_used} rows used: {const}; remove them from the model")
    yk = y[keep]
    if np.unique(yk).size < 2:
        raise ConstantColumnError(
            f"outcome '{outcome}' is always {bool(yk[0])} in the {n_used} rows used; expected both outcomes"
        )
    Xs = Xk.to_numpy()
    Xstd = (Xs - Xs.mean(0)) / Xs.std(0)
    _check_collinear(np.corrcoef(Xstd, rowvar=False).reshape(k, k), list(Xk.columns), n_used)
    design = sm.add_constant(Xk, has_constant="add").rename(columns={"const": "Intercept"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # checked below, with a clear message
        try:
            fit = sm.Logit(yk, design).fit(disp=0, maxiter=200)
        except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise DriverDataError(
                f"logistic regression of '{outcome}' on {predictors}: the outcome is perfectly "
                f"separated by the predictors ({exc}); odds ratios are infinite — expected overlap"
            ) from None
    # quasi-complete separation: statsmodels stops without an error, at odds ratios of 1e10 and
    # more; recognise it by fitted probabilities of exactly 0 or 1 (to 1e-8) or no convergence
    fitted = np.asarray(fit.predict(design), dtype=float)
    stuck = np.minimum(fitted, 1 - fitted) < 1e-8
    converged = bool(fit.mle_retvals.get("converged", True))
    if stuck.any() or not converged:
        std_coef = np.abs(np.asarray(fit.params)[1:]) * Xs.std(0)
        worst = list(Xk.columns)[int(np.nanargmax(std_coef))] if std_coef.size else predictors[0]
        raise DriverDataError(
            f"logistic regression of '{outcome}' on {predictors}: the outcome is (quasi-)separated — "
            f"{int(stuck.sum())} of {n_used} rows are predicted as certain (probability 0 or 1), "
            f"mostly through '{worst}'{'' if converged else ', and the fit did not converge'}; "
            "the odds ratios would be unbounded. Expected both outcomes at every level of the "
            f"predictors: merge sparse levels of '{worst}' or drop it"
        )
    alpha = 1 - conf
    ci = fit.conf_int(alpha=alpha)
    out = pd.DataFrame(
        {
            "coef": fit.params,
            "se": fit.bse,
            "z": fit.tvalues,
            "p_value": fit.pvalues,
            "odds_ratio": np.exp(fit.params),
            "or_ci_low": np.exp(ci.iloc[:, 0]),
            "or_ci_high": np.exp(ci.iloc[:, 1]),
        }
    )
    out.index.name = "term"
    out.attrs.update(
        outcome=outcome, n_used=n_used, n_excluded=n_excluded, pseudo_r2=float(fit.prsquared),
        llr_p_value=float(fit.llr_pvalue), converged=bool(fit.mle_retvals.get("converged", True)),
        conf=conf,
    )
    return out


def odds_ratios(df: pd.DataFrame, outcome: str, models, conf: float = 0.95) -> pd.DataFrame:
    """Several :func:`repurchase_model` fits side by side: the odds ratio of each model's first predictor.

    A model that the rows cannot support — fewer complete rows than its terms + 2
    (:class:`TooFewRowsError`), or one outcome only or a constant predictor among them
    (:class:`ConstantColumnError`) — is **kept** with NaN estimates, ``fitted`` False and the
    counts that say why (``n_used``, ``n_needed``, ``n_events``), so that a lesson on a small
    export reports the model it could not fit instead of stopping. Any other problem of the
    input (a missing outcome, separation, collinear predictors) raises as in
    :func:`repurchase_model`.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    outcome : str
        True/false column.
    models : mapping of str to list of str
        Model label → predictors; the first predictor's odds ratio is reported.
    conf : float
        Confidence level of the odds ratios' Wald intervals.

    Returns
    -------
    DataFrame
        Indexed by model label: ``odds_ratio``, ``or_ci_low``, ``or_ci_high``, ``p_value`` (of the
        first predictor), ``n_used`` (complete rows), ``pseudo_r2`` (McFadden), ``n_needed``
        (the fewest complete rows the model needs), ``n_events`` (complete rows with the outcome
        true), ``fitted``.

    References
    ----------
    Hosmer, D. W., Lemeshow, S., & Sturdivant, R. X. (2013). *Applied Logistic Regression* (3rd ed.).

    Examples
    --------
    >>> d = pd.DataFrame({"nps": [9, 3, 8, 10, 2, 7, 6, 9], "back": [1, 0, 1, 1, 0, 0, 1, 0]})
    >>> out = odds_ratios(d, "back", {"all eight": ["nps"]})
    >>> out[["n_used", "n_needed", "n_events"]].values.tolist(), bool(out["fitted"].iloc[0])
    ([[8, 3, 4]], True)
    >>> two = odds_ratios(d.head(2), "back", {"two rows": ["nps"]})
    >>> two[["n_used", "n_needed", "n_events"]].values.tolist(), bool(two["fitted"].iloc[0])
    ([[2, 3, 1]], False)
    """
    rows = {}
    for label, predictors in dict(models).items():
        predictors = _as_driver_list(predictors, "predictors")
        _check_columns(df, [outcome, *predictors])
        complete = df[predictors].notna().all(axis=1).to_numpy()
        try:
            fit = repurchase_model(df, outcome, predictors, conf=conf)
        except (TooFewRowsError, ConstantColumnError) as err:
            used = int(complete.sum())
            needed = err.n_needed if isinstance(err, TooFewRowsError) and err.n_needed is not None else len(predictors) + 2
            rows[label] = {"odds_ratio": np.nan, "or_ci_low": np.nan, "or_ci_high": np.nan, "p_value": np.nan,
                           "n_used": used, "pseudo_r2": np.nan, "n_needed": needed,
                           "n_events": int(df.loc[complete, outcome].astype(bool).sum()), "fitted": False}
            continue
        first = fit.loc[predictors[0]] if predictors[0] in fit.index else fit.iloc[1]
        rows[label] = {**first[["odds_ratio", "or_ci_low", "or_ci_high", "p_value"]].astype(float).to_dict(),
                       "n_used": int(fit.attrs["n_used"]), "pseudo_r2": float(fit.attrs["pseudo_r2"]),
                       "n_needed": int(len(fit) + 1),
                       "n_events": int(df.loc[complete, outcome].astype(bool).sum()), "fitted": True}
    out = pd.DataFrame.from_dict(rows, orient="index")
    return out.astype({"n_used": "int64", "n_needed": "int64", "n_events": "int64", "fitted": bool})


@dataclass(frozen=True, eq=False)
class RevenueAtRiskResult:
    """Revenue held by detractors and the gap to promoters (:func:`revenue_at_risk`).

    Attributes
    ----------
    revenue_at_risk : float
        Revenue from detractors, R₋ = Σ revenue over detractors.
    share_at_risk : float
        R₋ / total revenue (0–1).
    revenue_gap : float
        n₋ · (m₊ − m₋): extra revenue if detractors spent like promoters on average
        (negative if detractors spend more).
    gap_per_detractor : float
        m₊ − m₋, with a Welch interval ``gap_ci_low``, ``gap_ci_high``.
    total_revenue : float
    n : int
        Customers with an NPS answer and a revenue value.
    n_excluded : int
        Rows without an NPS answer or without revenue.
    by_group : DataFrame
        One row per group: ``n``, ``customer_share``, ``revenue``, ``revenue_share``,
        ``mean_revenue``, ``gap_per_customer`` (m₊ − m_g), ``revenue_gap`` (n_g·(m₊ − m_g)),
        ``group_label``.
    """

    revenue_at_risk: float
    share_at_risk: float
    revenue_gap: float
    gap_per_detractor: float
    gap_ci_low: float
    gap_ci_high: float
    total_revenue: float
    n: int
    n_excluded: int
    by_group: pd.DataFrame


def revenue_at_risk(
    df: pd.DataFrame, score: str, revenue: str, *, conf: float = 0.95, lang: str = "en"
) -> RevenueAtRiskResult:
    """Revenue at risk from detractors, and the revenue gap to promoters.

    Definitions (one row per customer; m_g = mean revenue of group g, n_g its size):

    * **revenue at risk** = R₋ = total revenue of detractors (NPS 0–6) — the revenue
      tied to customers who are least likely to return and most likely to speak
      against the brand; ``share_at_risk`` = R₋ / R (R = revenue of all customers).
    * **revenue gap vs promoters** = n₋ · (m₊ − m₋) — what detractors would add if
      they spent like promoters on average. ``gap_per_detractor`` = m₊ − m₋ with a
      Welch t interval. Both are descriptive (observational) — a gap is not a causal
      effect of turning detractors into promoters.

    Rows without an NPS answer or without a revenue value are excluded and counted;
    negative revenue raises (net of refunds it is no longer a share). When no row is left
    (e.g. a small export in which no customer has a whole follow-up window yet) the result
    says so: ``n`` = 0, every group's ``n`` 0 and the shares, means and gaps NaN — a finding
    to report, not an error.

    Returns
    -------
    RevenueAtRiskResult

    References
    ----------
    Reichheld (2003) for the groups; Welch (1951) for the interval.
    """
    check_lang(lang)
    _check_conf(conf)
    _check_columns(df, [score, revenue])
    groups, _ = _nps_groups(df, score)
    rev = _numeric_matrix(df, [revenue])[:, 0]
    neg = rev < 0
    if neg.any():
        raise DriverDataError(
            f"column '{revenue}': negative revenue — {_where(df.index, neg, rev)}; expected amounts ≥ 0"
        )
    ok = groups.notna().to_numpy() & ~np.isnan(rev)
    n = int(ok.sum())
    g = groups[ok].astype(str).to_numpy()
    r = rev[ok]
    total = float(r.sum())
    rows = []
    m_prom = float(r[g == "promoters"].mean()) if (g == "promoters").any() else float("nan")
    for name in NPS_GROUPS:
        rg = r[g == name]
        m = float(rg.mean()) if rg.size else float("nan")
        rows.append({
            "group": name,
            "group_label": t(f"nps.{name}", lang),
            "n": int(rg.size),
            "customer_share": rg.size / n if n else float("nan"),
            "revenue": float(rg.sum()),
            "revenue_share": float(rg.sum()) / total if total > 0 else float("nan"),
            "mean_revenue": m,
            "gap_per_customer": m_prom - m,
            "revenue_gap": rg.size * (m_prom - m) if rg.size else 0.0,
        })
    by_group = pd.DataFrame(rows).set_index("group")
    rp, rd = r[g == "promoters"], r[g == "detractors"]
    gap = m_prom - (float(rd.mean()) if rd.size else float("nan"))
    lo = hi = float("nan")
    if rp.size > 1 and rd.size > 1:
        welch = welch_test(m_prom, rp.std(ddof=1), rp.size, float(rd.mean()), rd.std(ddof=1), rd.size, conf)
        if welch["se"] > 0:
            lo, hi = float(welch["ci_low"]), float(welch["ci_high"])
        else:
            lo = hi = gap
    det = by_group.loc["detractors"]
    return RevenueAtRiskResult(
        revenue_at_risk=float(det["revenue"]),
        share_at_risk=float(det["revenue_share"]),
        revenue_gap=float(det["revenue_gap"]),
        gap_per_detractor=gap,
        gap_ci_low=lo,
        gap_ci_high=hi,
        total_revenue=total,
        n=n,
        n_excluded=len(df) - n,
        by_group=by_group,
    )


# --------------------------------------------------------------------------- plots (lazy)
#: Charts live in :mod:`cxlib.plotting.drivers` (matplotlib is imported only when one is drawn);
#: the names stay reachable here because lessons call ``drivers.plot_…``.
_PLOTS = ('plot_ipa', 'plot_drivers')


def __getattr__(name: str):
    if name in _PLOTS:
        from .plotting import drivers as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
