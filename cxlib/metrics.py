"""Measuring experience: NPS, CSAT, CES, CSI and a CX index, with honest statistics.

Every statistic is computed in two layers (DESIGN.md, "Statistics from sufficient
statistics"):

1. an aggregation of the rows to counts per answer (per group, per period), one
   ``GROUP BY`` in the data's own engine (:func:`cxlib.aggregate.survey.answer_counts`),
   optionally with survey weights, and
2. the math on those counts (:mod:`cxlib.stats.netscore`, :mod:`cxlib.stats.proportions`,
   :mod:`cxlib.stats.moments`, :mod:`cxlib.stats.multiple`, :mod:`cxlib.stats.control`).

The ``*_by`` functions accept pandas, Polars, PyArrow, DuckDB, Dask and PySpark tables.
With ``weights=`` (a column of survey weights) shares and means are weighted and every
variance uses Kish's effective sample size n_eff = (Σw)²/Σw² (Kish 1965); without weights
the results are those of the unweighted formulas.

Scores are validated with :func:`cxlib._validate.clean_scores`: missing answers are
excluded and counted as ``n_missing``; anything else that is not a whole number on the
scale raises :class:`cxlib.errors.ScoreError` naming the values and their positions.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
81(12), 46–54.
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
Statistician*, 70(4), 365–372.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *JASA*, 22(158), 209–212.
Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
estimation of binomial proportions. *The American Statistician*, 52(2), 119–126.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
comparison of seven methods. *Statistics in Medicine*, 17(8), 857–872.
Montgomery, D. C. (2019). *Introduction to Statistical Quality Control* (8th ed.),
ch. 7 (control charts for attributes). Wiley.
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
*Scandinavian Journal of Statistics*, 6(2), 65–70.
Dixon, M., Freeman, K., & Toman, N. (2010). Stop trying to delight your customers.
*Harvard Business Review*, 88(7/8), 116–122 (customer effort score).
Kish, L. (1965). *Survey Sampling*. Wiley (effective sample size).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from math import isfinite, sqrt

import numpy as np
import pandas as pd

from ._validate import clean_scores, require_columns
from .aggregate.survey import (
    answer_counts,
    as_list,
    check_weight_array,
    cross_moments_array,
    moments,
)
from .errors import CXDataError, DegenerateSampleWarning, format_examples
from .stats.control import control_limits
from .stats.moments import (
    covariance_from_sums,
    kish_n,
    mean_sd_from_counts,
    t_interval,
    weighted_mean_sd,
    welch_test,
)
from .stats.multiple import adjust_vs_rest
from .stats.netscore import (
    net_score,
    net_score_adjusted_wald,
    net_score_bootstrap,
    net_score_degenerate,
    net_score_sample_size,
    net_score_test,
)
from .stats.proportions import critical_z as _z
from .stats.proportions import two_proportion_ztest, weighted_share
from .stats.proportions import wilson_interval as wilson_ci
from .stats.reliability import cov_to_corr

__all__ = [
    "NPSResult",
    "NPSTestResult",
    "CSATResult",
    "CESResult",
    "CSIResult",
    "CXIndexResult",
    "nps_category",
    "nps_from_counts",
    "nps",
    "nps_test",
    "nps_test_from_counts",
    "nps_test_by",
    "nps_sample_size",
    "wilson_ci",
    "csat",
    "ces",
    "csi",
    "nps_by",
    "csat_by",
    "ces_by",
    "nps_trend",
    "cx_index",
    "plot_nps_distribution",  # noqa: F822  (lazy, see __getattr__)
    "plot_nps_by",  # noqa: F822  (lazy, see __getattr__)
    "plot_nps_trend",  # noqa: F822  (lazy, see __getattr__)
]

NPS_LOW, NPS_HIGH = 0, 10
#: Below this many answers (effective answers when weighted) a result is flagged
#: ``small_sample``: the Wald interval's coverage falls short of nominal (Rocks 2016).
SMALL_SAMPLE = 30
#: Interval methods of the net scores.
NPS_METHODS = ("wald", "adjusted_wald", "bootstrap")


# --------------------------------------------------------------------------- helpers


def _name_of(values, default: str) -> str:
    name = getattr(values, "name", None)
    return str(name) if isinstance(values, pd.Series) and name is not None else default


def _clean(values, low: int, high: int, default_name: str):
    name = _name_of(values, default_name)
    cleaned = clean_scores(values, low=low, high=high, name=name)
    if cleaned.values.size == 0:
        raise ValueError(
            f"{name}: no valid answers — {len(cleaned.values) + cleaned.n_missing} values given, "
            f"{cleaned.n_missing} missing; expected at least one whole number from {low} to {high}"
        )
    return cleaned


def _answer_counts(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """Counts per answer ``low..high`` of already validated scores."""
    return np.bincount((values - low).astype(np.intp), minlength=high - low + 1)


def _weighted_counts(scores, weights, low: int, high: int, default_name: str):
    """(weighted counts per answer, Σw², respondents, n_missing) of one weighted sample."""
    name = _name_of(scores, default_name)
    s = scores if isinstance(scores, pd.Series) else pd.Series(np.asarray(scores, dtype=object)
                                                                if not np.ndim(scores) == 0 else [scores])
    w = np.asarray(weights, dtype=float) if not isinstance(weights, pd.Series) else weights.to_numpy(dtype=float)
    if w.shape != (len(s),):
        raise ValueError(f"weights: expected one weight per answer ({len(s)}), got shape {w.shape}")
    frame = pd.DataFrame({name: s.to_numpy(), "_w": w}, index=s.index)
    if isinstance(scores, pd.Series):
        frame[name] = scores
    c = answer_counts(frame, name, low=low, high=high, weights="_w", what=name)
    if c.counts.sum() == 0:
        raise ValueError(
            f"{name}: no valid answers — {len(s)} values given, {int(c.missing.sum())} missing; "
            f"expected at least one whole number from {low} to {high}"
        )
    return c.weighted[0], float(c.sum_w2[0]), int(c.counts.sum()), int(c.missing.sum())


def _check_scale(scale, name: str = "scale", minimum: int = 2) -> int:
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {scale!r}")
    return int(scale)


def _check_method(method: str) -> str:
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, NPS_METHODS))}, got {method!r}")
    return method


def _warn_degenerate(what: str, n) -> None:
    warnings.warn(
        f"{what}: every one of the {n} answers falls in one category, so the Wald standard error "
        "is 0 and its interval has no width; this is not certainty. Use method='adjusted_wald' "
        "(Rocks 2016) for an interval that does not collapse.",
        DegenerateSampleWarning, stacklevel=3,
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NPSResult:
    """Net Promoter Score with its sampling error.

    Attributes
    ----------
    nps : float
        ``100·(p₊ − p₋)`` in points, −100…100.
    n : int
        Valid answers.
    promoters, passives, detractors : float
        Shares (0–1) of answers 9–10, 7–8 and 0–6.
    se : float
        Standard error in points.
    ci_low, ci_high : float
        Confidence interval in points (``method``).
    n_missing : int
        Missing answers that were excluded.
    n_eff : float
        Sample size behind the SE: ``n`` unweighted, Kish's (Σw)²/Σw² weighted.
    degenerate : bool
        Fewer than two answers, or all in one category: the Wald SE is 0 by construction.
    small_sample : bool
        ``n_eff`` below :data:`SMALL_SAMPLE` (30).
    method : str
        The interval's method: ``"wald"``, ``"adjusted_wald"`` or ``"bootstrap"``.
    """

    nps: float
    n: int
    promoters: float
    passives: float
    detractors: float
    se: float
    ci_low: float
    ci_high: float
    n_missing: int = 0
    n_eff: float = float("nan")
    degenerate: bool = False
    small_sample: bool = False
    method: str = "wald"


@dataclass(frozen=True)
class NPSTestResult:
    """Two-sample z test of NPS(x) − NPS(y); all values in points except ``z``/``p_value``."""

    nps_x: float
    nps_y: float
    difference: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    degenerate: bool = False
    method: str = "wald"


@dataclass(frozen=True)
class CSATResult:
    """CSAT: share of top-box answers in percent, with a Wilson interval.

    Attributes: ``csat`` (0–100), ``n``, ``satisfied`` (count of top-box answers),
    ``se`` (Wald SE in points, for reference), ``ci_low``/``ci_high`` (Wilson, points),
    ``n_missing``.
    """

    csat: float
    n: int
    satisfied: int | float
    se: float
    ci_low: float
    ci_high: float
    n_missing: int = 0
    n_eff: float = float("nan")


@dataclass(frozen=True)
class CESResult:
    """Customer effort: mean score with a t interval, and easy% − difficult%.

    Attributes
    ----------
    mean, sd, se, ci_low, ci_high : float
        Mean answer on the scale, its sample SD (ddof = 1), SE and t interval
        (NaN when n = 1).
    net, net_se, net_ci_low, net_ci_high : float
        ``100·(easy − difficult)`` in points with the multinomial SE and Wald interval.
    easy, neutral, difficult : float
        Shares (0–1) above, at and below the scale's midpoint.
    n, n_missing : int
    """

    mean: float
    sd: float
    se: float
    ci_low: float
    ci_high: float
    net: float
    net_se: float
    net_ci_low: float
    net_ci_high: float
    easy: float
    neutral: float
    difficult: float
    n: int
    n_missing: int = 0
    n_eff: float = float("nan")


@dataclass(frozen=True)
class CSIResult:
    """CSI: satisfied% − dissatisfied% in points, with SE and Wald interval."""

    csi: float
    n: int
    satisfied: float
    neutral: float
    dissatisfied: float
    se: float
    ci_low: float
    ci_high: float
    n_missing: int = 0
    n_eff: float = float("nan")


@dataclass(frozen=True, eq=False)
class CXIndexResult:
    """CX index (0–100) over touchpoint ratings.

    Attributes
    ----------
    index, sd, se, ci_low, ci_high : float
        Mean of the per-respondent indices, their SD, SE and t interval.
    n : int
        Respondents with at least one rating.
    n_missing : int
        Respondents with no rating at all (excluded).
    n_partial : int
        Respondents with some ratings missing (index from the available ones).
    weights : pandas.Series
        Normalised weights (sum 1), indexed by rating column.
    method : str
        ``"equal"``, ``"stated"`` or ``"derived"``.
    note : str
        How the weights and missing ratings were handled, in words.
    scores : pandas.Series
        Per-respondent index (NaN where every rating is missing), aligned to the input.
    n_eff : float
        Kish's effective number of respondents (``n`` without survey weights).
    """

    index: float
    sd: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_missing: int
    n_partial: int
    weights: pd.Series
    method: str
    note: str
    scores: pd.Series
    n_eff: float = float("nan")


# --------------------------------------------------------------------------- NPS


def _check_count(value, name: str) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a count (a whole number ≥ 0), got {value!r}")
    if not isfinite(value) or value < 0 or value != int(value):
        raise ValueError(f"{name} must be a count (a whole number ≥ 0), got {value!r}")
    return int(value)


def nps_category(scores, *, name: str = "nps") -> pd.Series:
    """The NPS group of each answer: 0–6 ``"detractor"``, 7–8 ``"passive"``, 9–10 ``"promoter"``.

    Reichheld (2003). Missing answers stay missing (None); anything that is not a
    whole number from 0 to 10 raises :class:`~cxlib.errors.ScoreError` naming it.
    The index of a Series is kept, so the groups line up with the rows they came from.

    Parameters
    ----------
    scores : array-like or pandas.Series
        Answers to the recommend question.
    name : str
        How error messages refer to the input.

    Returns
    -------
    pandas.Series
        object dtype, values ``"promoter"``, ``"passive"``, ``"detractor"`` or None.

    Examples
    --------
    >>> nps_category([10, 8, 6, None]).tolist()
    ['promoter', 'passive', 'detractor', None]
    """
    clean_scores(scores, low=0, high=10, name=name)  # raises on anything but 0–10 or missing
    s = scores if isinstance(scores, pd.Series) else pd.Series(list(scores), dtype=object)
    r = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    groups = np.select([r >= 9, r >= 7, r >= 0], ["promoter", "passive", "detractor"], default="")
    return pd.Series(np.where(np.isnan(r), None, groups), index=s.index, dtype=object, name="group")


def nps_from_counts(
    promoters,
    passives,
    detractors,
    conf: float = 0.95,
    *,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = 0,
    n_missing: int = 0,
    n_eff: float | None = None,
    n: int | None = None,
) -> NPSResult:
    """Net Promoter Score and its confidence interval from the three counts.

    This is the math layer under :func:`nps`, :func:`nps_by` and :func:`nps_trend`; an
    engine that aggregates elsewhere (SQL, DuckDB, Spark) can call it on its counts.

    Parameters
    ----------
    promoters, passives, detractors : int or float
        Numbers of answers 9–10, 7–8 and 0–6 (whole numbers ≥ 0, not all zero), or, with
        ``n_eff``, the sums of the survey weights in each category.
    conf : float
        Confidence level of the interval, 0 < conf < 1.
    method : {"wald", "adjusted_wald", "bootstrap"}
        ``"wald"`` (default, as R ``NPS``): NPS ± z·SE, truncated to [−100, 100].
        ``"adjusted_wald"``: Rocks' (2016) adjusted Wald interval (3 pseudo-answers), which
        never collapses to a point (:func:`cxlib.stats.netscore.net_score_adjusted_wald`).
        ``"bootstrap"``: percentile interval of ``n_boot`` multinomial resamples (unweighted only).
    n_boot : int
        Bootstrap resamples (``method="bootstrap"`` only).
    seed : int or None
        Seed of the bootstrap's random generator; the same seed gives the same interval.
    n_missing : int
        Missing answers to report alongside (not used in the math).
    n_eff : float, optional
        Weighted counts only: Kish's effective sample size (Σw)²/Σw², used in the variance.
    n : int, optional
        Weighted counts only: the number of respondents behind them (reported as ``n``).

    Returns
    -------
    NPSResult
        ``nps``, ``n``, shares ``promoters``/``passives``/``detractors``, ``se``,
        ``ci_low``, ``ci_high`` (points), ``n_missing``, ``n_eff``, ``degenerate``,
        ``small_sample``, ``method``. ``se`` is the analytic multinomial SE for every method.

    Notes
    -----
    With shares p₊ (promoters) and p₋ (detractors) of n answers::

        NPS  = 100·(p₊ − p₋)
        Var  = (p₊ + p₋ − (p₊ − p₋)²) / n          (on the −1…1 scale; n_eff when weighted)
        SE   = 100·√Var                             (points)
        CI   = NPS ± z₍₁₋α/₂₎·SE                    (Wald)

    Var is the variance of the mean of a score that is +1 for promoters, 0 for passives
    and −1 for detractors, with the divisor n (as R's ``NPS::npvar`` divided by n; note
    that ``npvar`` takes its counts in the order detractors, passives, promoters). With one
    answer, or when every answer falls in one category, SE is 0 and the Wald interval collapses
    to the point: the result is flagged ``degenerate`` (and a
    :class:`~cxlib.errors.DegenerateSampleWarning` is issued by :func:`nps`); Rocks (2016)
    shows that Wald under-covers for small n and extreme shares, and ``method="adjusted_wald"``
    gives his adjusted Wald interval instead.

    Weighted counts: shares are weighted shares, and the variance divides by Kish's n_eff — a
    model-based approximation that ignores any correlation between weights and answers (see
    :mod:`cxlib.stats.moments` for the design-based alternative).

    References
    ----------
    Reichheld (2003), HBR 81(12). Rocks (2016), The American Statistician 70(4), 365–372.
    Kish (1965), Survey Sampling.

    Examples
    --------
    >>> r = nps_from_counts(promoters=2, passives=2, detractors=2)
    >>> r.nps, round(r.se, 2)
    (0.0, 33.33)
    >>> r = nps_from_counts(1, 0, 0, method="adjusted_wald")
    >>> r.nps, r.degenerate, round(r.ci_low, 1), round(r.ci_high, 1)
    (100.0, True, -48.5, 98.5)
    """
    _z(conf)
    method = _check_method(method)
    if n_eff is None:
        pro = _check_count(promoters, "promoters")
        pas = _check_count(passives, "passives")
        det = _check_count(detractors, "detractors")
        total = pro + pas + det
        n_resp = total
    else:
        pro, pas, det = (_check_weight_sum(v, name) for v, name in
                         ((promoters, "promoters"), (passives, "passives"), (detractors, "detractors")))
        total = pro + pas + det
        n_resp = int(n) if n is not None else int(round(n_eff))
        if method == "bootstrap":
            raise ValueError("method='bootstrap' resamples respondents and needs unweighted counts; "
                             "use 'wald' or 'adjusted_wald' with weights")
    if total == 0:
        raise ValueError("no responses: promoters + passives + detractors is 0")
    value, se, low, high = net_score(pro, det, total, conf, n_eff=n_eff)
    if method == "bootstrap":
        low, high = net_score_bootstrap(pro, pas, det, conf, n_boot=n_boot, seed=seed)
    elif method == "adjusted_wald":
        _, _, low, high = net_score_adjusted_wald(pro, det, total, conf, n_eff=n_eff)
    m = float(total) if n_eff is None else float(n_eff)
    degenerate = net_score_degenerate(pro, det, total) or (n_eff is not None and n_eff < 2)
    return NPSResult(
        nps=value,
        n=n_resp,
        promoters=pro / total,
        passives=pas / total,
        detractors=det / total,
        se=se,
        ci_low=low,
        ci_high=high,
        n_missing=int(n_missing),
        n_eff=m,
        degenerate=bool(degenerate),
        small_sample=bool(m < SMALL_SAMPLE),
        method=method,
    )


def _check_weight_sum(value, name: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a sum of weights (a finite number ≥ 0), got {value!r}")
    return float(value)


def _nps_counts(values: np.ndarray) -> tuple[int, int, int]:
    c = _answer_counts(values, NPS_LOW, NPS_HIGH)
    return int(c[9:].sum()), int(c[7:9].sum()), int(c[:7].sum())


def nps(
    scores,
    conf: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = 0,
    *,
    weights=None,
) -> NPSResult:
    """Net Promoter Score of 0–10 likelihood-to-recommend answers, with a CI.

    Parameters
    ----------
    scores : array-like or pandas.Series
        Answers 0–10. Missing answers (NaN/None/NA) are excluded and counted; anything
        else off the scale raises :class:`~cxlib.errors.ScoreError`.
    conf : float
        Confidence level.
    method : {"wald", "adjusted_wald", "bootstrap"}
        Interval method, see :func:`nps_from_counts`.
    n_boot, seed : int
        Bootstrap resamples and seed.
    weights : array-like, optional
        Survey weights, one per answer (finite, ≥ 0): weighted shares, Kish n_eff in the SE.

    Returns
    -------
    NPSResult
        Fields ``nps``, ``n``, ``promoters``, ``passives``, ``detractors`` (shares),
        ``se``, ``ci_low``, ``ci_high`` (points), ``n_missing``, ``n_eff``, ``degenerate``,
        ``small_sample``, ``method``. A degenerate Wald result (one answer, or all answers in
        one category) also issues a :class:`~cxlib.errors.DegenerateSampleWarning`.

    Raises
    ------
    ScoreError
        Out-of-scale, non-numeric, non-integer or true/false answers (message names
        the values and positions).
    ValueError
        No valid answer left after removing missing ones.

    Notes
    -----
    Promoters answer 9–10, passives 7–8, detractors 0–6 (Reichheld 2003);
    ``NPS = 100·(p₊ − p₋)``, ``SE = 100·√((p₊ + p₋ − (p₊ − p₋)²)/n)``, Wald interval
    ``NPS ± z·SE`` truncated to [−100, 100]. Matches R's ``NPS::nps`` ×100 and
    ``NPS::nps.se`` ×100; unlike R, off-scale and non-numeric answers raise instead of
    being dropped with a warning.

    References
    ----------
    Reichheld (2003), HBR 81(12). Rocks (2016), The American Statistician 70(4), 365–372.

    Examples
    --------
    >>> r = nps([10, 9, 8, 7, 6, 0])
    >>> r.nps, r.n, round(r.se, 2), round(r.ci_low, 1), round(r.ci_high, 1)
    (0.0, 6, 33.33, -65.3, 65.3)
    """
    if weights is None:
        cleaned = _clean(scores, NPS_LOW, NPS_HIGH, "scores")
        pro, pas, det = _nps_counts(cleaned.values)
        res = nps_from_counts(pro, pas, det, conf, method=method, n_boot=n_boot, seed=seed,
                              n_missing=cleaned.n_missing)
    else:
        wc, sw2, n, n_missing = _weighted_counts(scores, weights, NPS_LOW, NPS_HIGH, "scores")
        res = nps_from_counts(float(wc[9:].sum()), float(wc[7:9].sum()), float(wc[:7].sum()), conf,
                              method=method, n_missing=n_missing, n_eff=kish_n(wc.sum(), sw2), n=n)
    if res.degenerate and method == "wald":
        _warn_degenerate("nps", res.n)
    return res


def nps_test_from_counts(x: Sequence[int], y: Sequence[int], conf: float = 0.95,
                         method: str = "wald") -> NPSTestResult:
    """Two-sample z test of NPS from counts ``(promoters, passives, detractors)``.

    The math layer of :func:`nps_test`; see there for formula, ``method`` and references.

    Examples
    --------
    >>> r = nps_test_from_counts((2, 1, 1), (1, 1, 2))
    >>> r.difference, round(r.z, 3)
    (50.0, 0.853)
    """
    _z(conf)
    method = _check_method(method)
    if method == "bootstrap":
        raise ValueError("nps_test: method must be 'wald' or 'adjusted_wald'")
    rx = nps_from_counts(*_three(x, "x"), conf)
    ry = nps_from_counts(*_three(y, "y"), conf)
    if method == "wald":
        diff, se, zval, p, low, high = net_score_test(rx.nps, rx.se, ry.nps, ry.se, conf)
    else:
        cx, sx, _, _ = net_score_adjusted_wald(rx.promoters * rx.n, rx.detractors * rx.n, rx.n, conf)
        cy, sy, _, _ = net_score_adjusted_wald(ry.promoters * ry.n, ry.detractors * ry.n, ry.n, conf)
        _, se, zval, p, low, high = net_score_test(cx, sx, cy, sy, conf)
        diff = rx.nps - ry.nps
    return NPSTestResult(
        nps_x=rx.nps,
        nps_y=ry.nps,
        difference=diff,
        se=se,
        z=zval,
        p_value=p,
        ci_low=low,
        ci_high=high,
        degenerate=bool(rx.degenerate and ry.degenerate),
        method=method,
    )


def _three(counts, name):
    try:
        values = list(counts)
    except TypeError:
        values = []
    if len(values) != 3:
        raise ValueError(f"{name} must be three counts (promoters, passives, detractors), got {counts!r}")
    return values


def nps_test(x, y, conf: float = 0.95, method: str = "wald") -> NPSTestResult:
    """Test whether two independent samples differ in NPS (two-sided Wald z test).

    Parameters
    ----------
    x, y : array-like
        0–10 answers of two independent groups (missing answers excluded).
    conf : float
        Confidence level of the interval for the difference.
    method : {"wald", "adjusted_wald"}
        ``"wald"`` (as R): each NPS's own multinomial SE. ``"adjusted_wald"``: SEs, z, p and
        the interval from Rocks' adjusted Wald estimates (3 pseudo-answers per sample), which
        stay informative when a sample has every answer in one category; ``difference`` stays
        the observed one.

    Returns
    -------
    NPSTestResult
        ``nps_x``, ``nps_y``, ``difference`` = NPS(x) − NPS(y) (signed, points), ``se``
        of the difference (points), ``z``, two-sided ``p_value``, ``ci_low``,
        ``ci_high`` of the difference (points), ``degenerate`` (both SEs 0), ``method``.

    Notes
    -----
    ::

        d  = NPS_x − NPS_y
        SE = √(SE_x² + SE_y²),   SE_g = 100·√((p₊ + p₋ − (p₊ − p₋)²)/n_g)
        z  = d / SE,   p = 2·(1 − Φ(|z|)),   CI = d ± z₍₁₋α/₂₎·SE

    Same variance (divisor n), SE and p-value as R's ``NPS::nps.test(x, y)`` (Rocks
    2016). Deliberate differences from R: (1) we report points (R: −1…1);
    (2) ``difference`` is signed x − y and the interval is around the signed
    difference (R's ``delta`` is ``abs(nps.x − nps.y)`` and its interval is centred on
    the absolute value, so it never contains negative values); (3) off-scale answers
    raise instead of being dropped with a warning. The p-value is two-sided in both.
    R's one-sample mode (``y = NULL``, a test against NPS = 0) is not offered here:
    :func:`nps` gives that interval (R returns it with its bounds in reversed order).
    When both samples have SE 0 (e.g. ``nps_test([10], [0])``), the Wald test has no
    estimate of the sampling error: ``z``/``p_value`` are NaN, ``degenerate`` is True and a
    :class:`~cxlib.errors.DegenerateSampleWarning` is issued (R reports z = ∞, p = 0, a
    confident answer from two respondents); ``method="adjusted_wald"`` gives a usable test.

    References
    ----------
    Reichheld (2003). Rocks (2016), The American Statistician 70(4), 365–372.

    Examples
    --------
    >>> r = nps_test([10, 10, 9, 5], [10, 8, 3, 2])
    >>> r.difference, round(r.se, 2), round(r.p_value, 4)
    (75.0, 59.95, 0.2109)
    """
    cx = _clean(x, NPS_LOW, NPS_HIGH, "x")
    cy = _clean(y, NPS_LOW, NPS_HIGH, "y")
    res = nps_test_from_counts(_nps_counts(cx.values), _nps_counts(cy.values), conf, method)
    if res.degenerate and method == "wald":
        warnings.warn(
            "nps_test: both samples have every answer in one category, so the Wald standard error "
            "is 0 and no p-value can be given; use method='adjusted_wald' (Rocks 2016).",
            DegenerateSampleWarning, stacklevel=2,
        )
    return res


def nps_test_by(df: pd.DataFrame, score: str, split: str, by, conf: float = 0.95) -> pd.DataFrame:
    """Per group, test the NPS of the rows where ``split`` is True against the rows where it is False.

    E.g. each hotel's answers inside a window of dates against its other answers. Counts per
    group, side and answer come from one aggregation (:func:`cxlib.aggregate.survey.answer_counts`);
    the test is :func:`nps_test`'s Wald z test (:func:`cxlib.stats.netscore.net_score_test`),
    vectorised over the groups.

    A group with no answer on one side cannot be tested: it is **kept** with ``n_x`` or ``n_y``
    = 0, NaN estimates and ``tested`` False (a small export can have a month or a window with no
    answers for one group; that is a finding to report, not an error). ``small_sample`` flags a
    side with fewer than :data:`SMALL_SAMPLE` answers.

    Parameters
    ----------
    df : DataFrame
        One row per answer.
    score : str
        The 0–10 answer (missing answers are excluded).
    split : str
        A True/False column: True = sample x (e.g. inside the window), False = sample y.
    by : str or list of str
        The group column(s).
    conf : float
        Confidence level of the interval of the difference.

    Returns
    -------
    DataFrame
        One row per group (the ``by`` columns): ``n_x``, ``n_y``, ``nps_x``, ``nps_y``,
        ``difference`` (NPS x − NPS y, points), ``se``, ``z``, ``p_value``, ``ci_low``,
        ``ci_high``, ``tested``, ``small_sample``, ``degenerate`` (both SEs 0: no p-value).

    Notes
    -----
    d = NPS_x − NPS_y, SE = √(SE_x² + SE_y²), SE_g = 100·√((p₊ + p₋ − (p₊ − p₋)²)/n_g),
    z = d/SE, p = 2·(1 − Φ(|z|)), as :func:`nps_test`.

    References
    ----------
    Rocks (2016), The American Statistician 70(4), 365–372.

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["a"] * 8 + ["b"] * 3, "nps": [10, 10, 9, 5, 10, 8, 3, 2, 9, 9, 0],
    ...                   "inside": [True] * 4 + [False] * 4 + [False] * 3})
    >>> r = nps_test_by(d, "nps", "inside", "g")
    >>> r[["g", "n_x", "n_y", "difference", "tested"]].values.tolist()
    [['a', 4, 4, 75.0, True], ['b', 0, 3, nan, False]]
    >>> round(float(r["p_value"].iloc[0]), 4)
    0.2109
    """
    _z(conf)
    by = as_list(by)
    _check_columns(df, [score, split, *by], "nps_test_by")
    side = df[split]
    bad = ~side.isin([True, False]).to_numpy()
    if bad.any():
        raise CXDataError(f"nps_test_by: column '{split}': expected True/False in every row — "
                          f"{format_examples(list(df.index[bad]), list(side[bad]))}")
    c = _grouped_counts(df.assign(_side=side.astype(bool)), score, [*by, "_side"], NPS_LOW, NPS_HIGH, "nps_test_by")
    counts = pd.DataFrame(c.counts, index=pd.MultiIndex.from_frame(c.keys))
    pro, pas, det = counts.iloc[:, 9:].sum(axis=1), counts.iloc[:, 7:9].sum(axis=1), counts.iloc[:, :7].sum(axis=1)
    three = pd.DataFrame({"pro": pro, "det": det, "n": pro + pas + det}).unstack("_side", fill_value=0)
    three = three.reindex(columns=pd.MultiIndex.from_product([["pro", "det", "n"], [True, False]]), fill_value=0)
    n_x, n_y = three["n"][True].to_numpy(), three["n"][False].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        vx, sx, _, _ = net_score(three["pro"][True].to_numpy(), three["det"][True].to_numpy(), n_x, conf)
        vy, sy, _, _ = net_score(three["pro"][False].to_numpy(), three["det"][False].to_numpy(), n_y, conf)
        diff, se, zval, p, low, high = net_score_test(vx, sx, vy, sy, conf)
    tested = (n_x > 0) & (n_y > 0)
    out = three.index.to_frame(index=False)
    for name, values in (("nps_x", vx), ("nps_y", vy), ("difference", diff), ("se", se), ("z", zval),
                         ("p_value", p), ("ci_low", low), ("ci_high", high)):
        out[name] = np.where(tested | name.startswith("nps_"), np.asarray(values, dtype=float), np.nan)
    out.insert(len(by), "n_x", n_x)
    out.insert(len(by) + 1, "n_y", n_y)
    out["tested"] = tested
    out["small_sample"] = np.minimum(n_x, n_y) < SMALL_SAMPLE
    out["degenerate"] = tested & (np.asarray(sx) == 0) & (np.asarray(sy) == 0)
    return out


def nps_sample_size(margin: float, promoters: float, detractors: float, conf: float = 0.95) -> int:
    """Respondents needed to estimate NPS within ± ``margin`` points.

    Parameters
    ----------
    margin : float
        Desired half-width of the Wald interval, in NPS points (e.g. 5 for ±5).
    promoters, detractors : float
        Expected shares (0–1) of promoters and detractors, e.g. from last wave.
        ``promoters = detractors = 0.5`` is the worst case (Var = 1).
    conf : float
        Confidence level.

    Returns
    -------
    int
        ``n = ⌈z²·(p₊ + p₋ − (p₊ − p₋)²) / E²⌉`` with ``E = margin/100``.

    References
    ----------
    Rocks (2016), The American Statistician 70(4), 365–372 (variance of the NPS).

    Examples
    --------
    >>> nps_sample_size(5, promoters=0.5, detractors=0.3)
    1168
    """
    return net_score_sample_size(margin, promoters, detractors, conf)


# --------------------------------------------------------------------------- CSAT / CES / CSI


def _check_top(top: int, scale: int) -> int:
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or not 1 <= top < scale:
        raise ValueError(f"top must be a whole number from 1 to {scale - 1} on a 1–{scale} scale, got {top!r}")
    return int(top)


def csat(scores, top: int = 2, scale: int = 5, conf: float = 0.95, *, weights=None) -> CSATResult:
    """Customer satisfaction (CSAT): percent of answers in the top ``top`` boxes.

    Parameters
    ----------
    scores : array-like
        Answers on 1…``scale`` (missing excluded and counted).
    top : int
        Number of top boxes counted as satisfied (2 → 4–5 on a 1–5 scale).
    scale : int
        Highest answer; the scale runs 1…``scale``.
    conf : float
        Confidence level of the Wilson interval.
    weights : array-like, optional
        Survey weights, one per answer: p̂ = Σw_satisfied/Σw, and n in the SE and the Wilson
        interval is Kish's n_eff = (Σw)²/Σw² (``satisfied`` is then the weighted count).

    Returns
    -------
    CSATResult
        ``csat`` = 100·x/n (percent), ``n``, ``satisfied`` = x, ``se`` =
        100·√(p̂(1 − p̂)/n), Wilson ``ci_low``/``ci_high`` in percent, ``n_missing``, ``n_eff``.

    References
    ----------
    Wilson (1927). Agresti & Coull (1998). Newcombe (1998).

    Examples
    --------
    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.csat, r.satisfied, r.n
    (60.0, 3, 5)
    """
    scale = _check_scale(scale)
    top = _check_top(top, scale)
    if weights is not None:
        wc, sw2, n, n_missing = _weighted_counts(scores, weights, 1, scale, "scores")
        r = weighted_share(float(wc[scale - top:].sum()), float(wc.sum()), sw2, conf)
        return CSATResult(
            csat=100 * r["share"], n=n, satisfied=float(wc[scale - top:].sum()), se=100 * r["se"],
            ci_low=100 * r["ci_low"], ci_high=100 * r["ci_high"], n_missing=n_missing, n_eff=r["n_eff"],
        )
    cleaned = _clean(scores, 1, scale, "scores")
    n = cleaned.values.size
    x = int((cleaned.values > scale - top).sum())
    low, high = wilson_ci(x, n, conf)
    p = x / n
    return CSATResult(
        csat=100 * p, n=n, satisfied=x, se=100 * sqrt(p * (1 - p) / n),
        ci_low=100 * low, ci_high=100 * high, n_missing=cleaned.n_missing, n_eff=float(n),
    )


def _mid_split(counts: np.ndarray, scale: int):
    """Counts above / at / below the midpoint (scale + 1)/2 of a 1…scale scale.

    ``counts`` has the answers 1…scale in its last axis.
    """
    answers = np.arange(1, scale + 1)
    mid = (scale + 1) / 2
    above = counts[..., answers > mid].sum(-1)
    below = counts[..., answers < mid].sum(-1)
    at = counts[..., answers == mid].sum(-1)
    return above, at, below


def _ces_stats(counts, scale: int, conf: float, weighted=None, sum_w2=None):
    """Mean/SD/t interval and net score of CES answers from (weighted) counts per answer, per row."""
    answers = np.arange(1, scale + 1, dtype=float)
    if weighted is None:
        n, mean, sd = mean_sd_from_counts(counts, answers)
        ne = n
        easy, neutral, difficult = _mid_split(counts, scale)
        total = n
    else:
        sw = weighted.sum(-1)
        mean, sd, ne = weighted_mean_sd(sw, weighted @ answers, weighted @ (answers * answers), sum_w2)
        mean, sd, ne = (np.asarray(v) for v in (mean, sd, ne))
        n = np.asarray(counts).sum(-1)
        easy, neutral, difficult = _mid_split(weighted, scale)
        total = sw
    se, lo, hi = (np.asarray(v) for v in t_interval(mean, sd, ne, conf))
    net, net_se, net_lo, net_hi = (np.asarray(v) for v in
                                   net_score(easy, difficult, total, conf, n_eff=None if weighted is None else ne))
    return dict(n=n, n_eff=ne, total=total, mean=mean, sd=sd, se=se, ci_low=lo, ci_high=hi, net=net,
                net_se=net_se, net_ci_low=net_lo, net_ci_high=net_hi, easy=easy, neutral=neutral,
                difficult=difficult)


def ces(scores, scale: int = 7, conf: float = 0.95, *, weights=None) -> CESResult:
    """Customer effort score: mean answer (t interval) and easy% − difficult%.

    Parameters
    ----------
    scores : array-like
        Answers on 1…``scale`` where **higher means easier** (CES 2.0 wording, "The
        company made it easy for me to handle my issue", 7 = strongly agree). Reverse
        a "how much effort" scale (``scale + 1 − x``) before calling.
    scale : int
        Highest answer (7 by default).
    conf : float
        Confidence level.
    weights : array-like, optional
        Survey weights, one per answer: weighted mean and shares; the SD is the weighted SD
        with Kish's correction and the SE, t interval (n_eff − 1 df) and net-score variance use
        n_eff = (Σw)²/Σw² (:func:`cxlib.stats.moments.weighted_mean_sd`).

    Returns
    -------
    CESResult
        ``mean``, ``sd``, ``se``, t-interval ``ci_low``/``ci_high`` (NaN for n = 1);
        ``net`` = 100·(easy − difficult) in points with multinomial ``net_se`` and Wald
        ``net_ci_low``/``net_ci_high``; shares ``easy``, ``neutral``, ``difficult``;
        ``n``, ``n_missing``.

    Notes
    -----
    Easy = answers above the midpoint (scale + 1)/2, difficult = below it: on 1–7,
    easy = 5–7 (top 3) and difficult = 1–3 (bottom 3), 4 is neutral. Mean interval:
    x̄ ± t₍₁₋α/₂, n−1₎·s/√n. The net score is a net share like NPS, so it uses the
    same multinomial variance (p₊ + p₋ − (p₊ − p₋)²)/n.

    References
    ----------
    Dixon, Freeman & Toman (2010), HBR 88(7/8). Rocks (2016) for the net-score variance.

    Examples
    --------
    >>> r = ces([7, 6, 5, 4, 3, 1])
    >>> round(r.mean, 3), round(r.net, 1)
    (4.333, 16.7)
    """
    scale = _check_scale(scale)
    _z(conf)
    if weights is None:
        cleaned = _clean(scores, 1, scale, "scores")
        counts = _answer_counts(cleaned.values, 1, scale)
        r = _ces_stats(counts, scale, conf)
        n_missing = cleaned.n_missing
    else:
        wc, sw2, n_resp, n_missing = _weighted_counts(scores, weights, 1, scale, "scores")
        r = _ces_stats(np.array([n_resp]), scale, conf, weighted=wc, sum_w2=sw2)
    total = float(r["total"])
    return CESResult(
        mean=float(r["mean"]), sd=float(r["sd"]), se=float(r["se"]), ci_low=float(r["ci_low"]),
        ci_high=float(r["ci_high"]), net=float(r["net"]), net_se=float(r["net_se"]),
        net_ci_low=float(r["net_ci_low"]), net_ci_high=float(r["net_ci_high"]),
        easy=float(r["easy"]) / total, neutral=float(r["neutral"]) / total,
        difficult=float(r["difficult"]) / total,
        n=int(r["n"]), n_missing=n_missing, n_eff=float(r["n_eff"]),
    )


def csi(scores, scale: int = 5, conf: float = 0.95, *, weights=None) -> CSIResult:
    """Customer satisfaction index: satisfied% − dissatisfied%, in points.

    Parameters
    ----------
    scores : array-like
        Answers on 1…``scale`` (missing excluded and counted).
    scale : int
        Highest answer (5 by default).
    conf : float
        Confidence level.
    weights : array-like, optional
        Survey weights, one per answer: weighted shares, Kish n_eff in the variance.

    Returns
    -------
    CSIResult
        ``csi`` (−100…100), shares ``satisfied``/``neutral``/``dissatisfied``, ``se``,
        Wald ``ci_low``/``ci_high`` (points, truncated to ±100), ``n``, ``n_missing``.

    Notes
    -----
    Satisfied = above the midpoint (scale + 1)/2, dissatisfied = below it: on 1–5,
    top-2 (4–5) minus bottom-2 (1–2). CSI = 100·(p₊ − p₋) with the same multinomial
    variance as NPS, Var = (p₊ + p₋ − (p₊ − p₋)²)/n, and Wald CI CSI ± z·SE.

    References
    ----------
    Seed document 004 (CSI = satisfied% − dissatisfied%). Rocks (2016) for the variance.

    Examples
    --------
    >>> r = csi([5, 4, 3, 2, 1, 5])
    >>> round(r.csi, 1), r.n
    (16.7, 6)
    """
    scale = _check_scale(scale)
    _z(conf)
    if weights is not None:
        wc, sw2, n, n_missing = _weighted_counts(scores, weights, 1, scale, "scores")
        sat, neu, dis = (float(v) for v in _mid_split(wc, scale))
        total = sat + neu + dis
        ne = kish_n(total, sw2)
        value, se, lo, hi = net_score(sat, dis, total, conf, n_eff=ne)
        return CSIResult(csi=value, n=n, satisfied=sat / total, neutral=neu / total,
                         dissatisfied=dis / total, se=se, ci_low=lo, ci_high=hi, n_missing=n_missing,
                         n_eff=ne)
    cleaned = _clean(scores, 1, scale, "scores")
    counts = _answer_counts(cleaned.values, 1, scale)
    sat, neu, dis = (int(v) for v in _mid_split(counts, scale))
    n = sat + neu + dis
    value, se, lo, hi = net_score(sat, dis, n, conf)
    return CSIResult(csi=value, n=n, satisfied=sat / n, neutral=neu / n, dissatisfied=dis / n,
                     se=se, ci_low=lo, ci_high=hi, n_missing=cleaned.n_missing, n_eff=float(n))


# --------------------------------------------------------------------------- counting


def _check_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    require_columns(df, columns, what)


def _grouped_counts(df, score, by, low, high, what, weights=None):
    """Counts per group and answer from the aggregation layer; error when nothing is valid."""
    by = as_list(by)
    if not by:
        raise ValueError(f"{what}: give at least one column in `by`")
    c = answer_counts(df, score, by, low=low, high=high, weights=weights, what=what)
    if c.counts.sum() == 0:
        raise ValueError(
            f"{what}: column {score!r} has no valid answers ({int(c.missing.sum())} rows, all missing); "
            f"expected whole numbers from {low} to {high}"
        )
    return c


def _n_eff(c) -> np.ndarray:
    """Effective n per group: the count unweighted, Kish's (Σw)²/Σw² weighted."""
    if c.weighted is None:
        return c.n.astype(float)
    return np.asarray(kish_n(c.weighted.sum(1), c.sum_w2), dtype=float)


def _check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 0:
        raise ValueError(f"min_n must be a whole number ≥ 0, got {min_n!r}")
    return int(min_n)


def nps_by(
    df,
    score: str,
    by,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str | None = "holm",
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """NPS per segment, each tested against the rest of the sample.

    Parameters
    ----------
    df : table
        One row per response: pandas, Polars, PyArrow, DuckDB, Dask or PySpark (counted in its
        own engine; only the counts leave it).
    score : str
        Column of 0–10 answers (missing excluded and counted per group).
    by : str or list of str
        Grouping column(s). Missing group values form their own group.
    conf : float
        Confidence level of the per-group intervals.
    min_n : int
        Groups with fewer valid answers are flagged ``small_n`` — never dropped.
    correction : str or None
        Multiple-comparison adjustment of the group-vs-rest p-values with
        :func:`cxlib.stats.multiple.adjust_pvalues`: ``"holm"`` (default), ``"bonf"`` (or
        ``"bonferroni"``), ``"sidak"``, ``"fdr_bh"``, ``"fdr_by"``, or None / ``"none"``.
    weights : str, optional
        Column of survey weights: weighted shares; SEs, tests and ``small_n`` use each group's
        Kish n_eff (column ``n_eff``).

    Returns
    -------
    pandas.DataFrame
        One row per observed group, in group order, with the ``by`` columns and
        ``n``, ``n_missing``, ``promoters``, ``passives``, ``detractors`` (shares),
        ``nps``, ``se``, ``ci_low``, ``ci_high`` (points), ``nps_rest`` (NPS of all other
        groups), ``diff_vs_rest`` (= nps − nps_rest, signed), ``z``, ``p_value``,
        ``p_adjusted``, ``small_n``, ``n_eff``, ``degenerate``. ``.attrs`` holds ``conf``,
        ``correction``, ``min_n``, ``by``, ``score``, ``weights`` and the pooled ``overall``
        :class:`NPSResult`.

    Notes
    -----
    One ``GROUP BY by…, score`` query counts answers per group
    (:func:`cxlib.aggregate.survey.answer_counts`). Then, per group g with counts
    and the rest r = total − g::

        NPS_g, SE_g  as in nps_from_counts (multinomial variance, divisor n)
        z = (NPS_g − NPS_r) / √(SE_g² + SE_r²),   p = 2·(1 − Φ(|z|))

    The rest is an independent sample of other respondents, so the two-sample test of
    :func:`nps_test` applies. p-values are adjusted with Holm (1979) by default. A group
    whose answers are all missing keeps its row with NaN statistics.

    References
    ----------
    Reichheld (2003). Rocks (2016). Holm (1979).

    Examples
    --------
    >>> df = pd.DataFrame({"seg": list("aaabbb"), "ltr": [10, 9, 3, 8, 2, 1]})
    >>> nps_by(df, "ltr", "seg", min_n=2)[["seg", "n", "nps"]].round(1)
      seg  n   nps
    0   a  3  33.3
    1   b  3 -66.7
    """
    _z(conf)
    min_n = _check_min_n(min_n)
    adjust_vs_rest([], correction)  # validates the name before any work
    c = _grouped_counts(df, score, by, NPS_LOW, NPS_HIGH, "nps_by", weights)
    t3 = c.totals()
    pro, pas, det = t3[:, 9:].sum(1), t3[:, 7:9].sum(1), t3[:, :7].sum(1)
    if c.weighted is None:
        pro, pas, det = (v.astype(np.int64) for v in (pro, pas, det))
    ne = _n_eff(c)
    out = _nps_table(c.keys, pro, pas, det, c.missing, conf, c.n, None if c.weighted is None else ne)
    tp, ta, td = pro.sum(), pas.sum(), det.sum()
    total = pro + pas + det
    rp, rd, rn = tp - pro, td - det, (tp + ta + td) - total
    rest_ne = None
    if c.weighted is not None:
        w2 = c.sum_w2
        rest_ne = np.asarray(kish_n(rn, w2.sum() - w2), dtype=float)
    rest, rest_se, _, _ = net_score(rp, rd, rn, conf, n_eff=rest_ne)
    diff, _, zval, p, _, _ = net_score_test(out["nps"].to_numpy(), out["se"].to_numpy(), rest, rest_se, conf)
    out["nps_rest"] = rest
    out["diff_vs_rest"] = diff
    out["z"] = zval
    out["p_value"] = p
    out["p_adjusted"] = adjust_vs_rest(p, correction)
    out["small_n"] = ne < min_n
    _flag_columns(out, pro, pas, det, c.n, None if c.weighted is None else ne)
    if c.weighted is None:
        overall = nps_from_counts(int(tp), int(ta), int(td), conf, n_missing=int(c.missing.sum()))
    else:
        overall = nps_from_counts(float(tp), float(ta), float(td), conf, n_missing=int(c.missing.sum()),
                                  n_eff=kish_n(tp + ta + td, c.sum_w2.sum()), n=int(c.n.sum()))
    out.attrs.update(
        conf=conf, correction=correction, min_n=min_n, by=as_list(by), score=score, weights=weights,
        overall=overall,
    )
    return out


def _nps_table(keys, pro, pas, det, miss, conf, n_resp, n_eff=None) -> pd.DataFrame:
    """Per-row NPS table from (weighted) category counts; ``n`` is always the respondents."""
    total = pro + pas + det
    value, se, lo, hi = net_score(pro, det, total, conf, n_eff=n_eff)
    out = keys.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["n"] = n_resp
        out["n_missing"] = miss
        out["promoters"] = pro / total
        out["passives"] = pas / total
        out["detractors"] = det / total
    out["nps"] = value
    out["se"] = se
    out["ci_low"] = lo
    out["ci_high"] = hi
    return out


def _flag_columns(out: pd.DataFrame, pro, pas, det, n_resp, n_eff) -> None:
    """Append ``n_eff`` and ``degenerate`` (Wald SE 0 by construction) to an NPS table."""
    ne = np.asarray(n_resp, dtype=float) if n_eff is None else np.asarray(n_eff, dtype=float)
    total = pro + pas + det
    out["n_eff"] = ne
    with np.errstate(invalid="ignore"):
        out["degenerate"] = (np.asarray(net_score_degenerate(pro, det, np.asarray(total))) | (ne < 2)) \
            & (np.asarray(n_resp) > 0)


def csat_by(
    df,
    score: str,
    by,
    top: int = 2,
    scale: int = 5,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str | None = "holm",
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """CSAT per segment (Wilson CI), each tested against the rest of the sample.

    Parameters
    ----------
    df, score, by, conf, min_n, correction, weights
        As in :func:`nps_by`; ``score`` holds answers on 1…``scale``.
    top, scale : int
        As in :func:`csat`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` columns, ``n``, ``n_missing``, ``satisfied`` (count),
        ``csat`` (percent), ``se``, Wilson ``ci_low``/``ci_high`` (percent),
        ``csat_rest``, ``diff_vs_rest`` (points, signed), ``z``, ``p_value``,
        ``p_adjusted``, ``small_n``, ``n_eff``. Weighted: ``satisfied`` is the weighted
        count, shares are weighted and every n in the formulas below is Kish's n_eff.

    Notes
    -----
    Two-proportion z test with pooled SE (the score test; equals the χ² test on the
    2×2 table without continuity correction, as ``statsmodels.stats.proportion.
    proportions_ztest``)::

        p̄ = (x_g + x_r)/(n_g + n_r),  z = (p̂_g − p̂_r)/√(p̄(1 − p̄)(1/n_g + 1/n_r))

    References
    ----------
    Wilson (1927). Agresti & Coull (1998). Holm (1979).

    Examples
    --------
    >>> df = pd.DataFrame({"seg": list("aabb"), "sat": [5, 4, 2, 4]})
    >>> csat_by(df, "sat", "seg", min_n=2)["csat"].tolist()
    [100.0, 50.0]
    """
    scale = _check_scale(scale)
    top = _check_top(top, scale)
    _z(conf)
    min_n = _check_min_n(min_n)
    adjust_vs_rest([], correction)
    c = _grouped_counts(df, score, by, 1, scale, "csat_by", weights)
    out = c.keys.copy()
    out["n"] = c.n
    out["n_missing"] = c.missing
    if c.weighted is None:
        n = c.n
        x = c.counts[:, scale - top:].sum(1)
        nr, xr = n.sum() - n, x.sum() - x
        out["satisfied"] = x
    else:  # shares from weighted sums, every n an effective n
        sw = c.weighted.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = c.weighted[:, scale - top:].sum(1) / sw
            share_r = (c.weighted[:, scale - top:].sum() - c.weighted[:, scale - top:].sum(1)) / (sw.sum() - sw)
        n = _n_eff(c)
        nr = np.asarray(kish_n(sw.sum() - sw, c.sum_w2.sum() - c.sum_w2), dtype=float)
        x, xr = share * n, share_r * nr
        out["satisfied"] = c.weighted[:, scale - top:].sum(1)
    lo, hi = wilson_ci(x, n, conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        pr = xr / nr
        out["csat"] = 100 * p
        out["se"] = 100 * np.sqrt(p * (1 - p) / n)
    out["ci_low"] = 100 * lo
    out["ci_high"] = 100 * hi
    out["csat_rest"] = 100 * pr
    out["diff_vs_rest"] = 100 * (p - pr)
    zval, pval = two_proportion_ztest(x, n, xr, nr)
    out["z"] = zval
    out["p_value"] = pval
    out["p_adjusted"] = adjust_vs_rest(pval, correction)
    out["small_n"] = np.asarray(n) < min_n
    out["n_eff"] = np.asarray(n, dtype=float)
    out.attrs.update(conf=conf, correction=correction, min_n=min_n, by=as_list(by), score=score,
                     top=top, scale=scale, weights=weights)
    return out


def ces_by(
    df,
    score: str,
    by,
    scale: int = 7,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str | None = "holm",
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """CES per segment (mean with t CI, easy% − difficult%), tested against the rest.

    Parameters
    ----------
    df, score, by, conf, min_n, correction, weights
        As in :func:`nps_by`; ``score`` holds answers on 1…``scale``, higher = easier.
    scale : int
        As in :func:`ces`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` columns, ``n``, ``n_missing``, ``mean``, ``sd``,
        ``se``, ``ci_low``/``ci_high`` (t interval of the mean), ``easy``,
        ``difficult`` (shares), ``net`` (points), ``mean_rest``, ``diff_vs_rest``
        (mean difference, signed), ``t``, ``df`` (Welch), ``p_value``, ``p_adjusted``,
        ``small_n``, ``n_eff`` (weighted: Kish SDs and n_eff in the SEs and the Welch test).

    Notes
    -----
    Means and SDs come from the counts per answer. Welch's t test of the group against
    the rest from those summaries (``scipy.stats.ttest_ind_from_stats`` with
    ``equal_var=False``)::

        t = (x̄_g − x̄_r)/√(s_g²/n_g + s_r²/n_r),  Welch–Satterthwaite df

    References
    ----------
    Dixon, Freeman & Toman (2010). Welch, B. L. (1947), Biometrika 34, 28–35.
    Holm (1979).

    Examples
    --------
    >>> df = pd.DataFrame({"seg": list("aaabbb"), "ces": [7, 6, 5, 3, 2, 4]})
    >>> ces_by(df, "ces", "seg", min_n=2)["mean"].tolist()
    [6.0, 3.0]
    """
    scale = _check_scale(scale)
    _z(conf)
    min_n = _check_min_n(min_n)
    adjust_vs_rest([], correction)
    c = _grouped_counts(df, score, by, 1, scale, "ces_by", weights)
    if c.weighted is None:
        g = _ces_stats(c.counts, scale, conf)
        r = _ces_stats(c.counts.sum(0)[None, :] - c.counts, scale, conf)
    else:
        g = _ces_stats(c.counts, scale, conf, weighted=c.weighted, sum_w2=c.sum_w2)
        r = _ces_stats(c.counts.sum(0)[None, :] - c.counts, scale, conf,
                       weighted=c.weighted.sum(0)[None, :] - c.weighted, sum_w2=c.sum_w2.sum() - c.sum_w2)
    out = c.keys.copy()
    out["n"] = c.n.astype(np.int64)
    out["n_missing"] = c.missing
    for col in ("mean", "sd", "se", "ci_low", "ci_high"):
        out[col] = g[col]
    test = welch_test(g["mean"], g["sd"], g["n_eff"], r["mean"], r["sd"], r["n_eff"], conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["easy"] = g["easy"] / g["total"]
        out["difficult"] = g["difficult"] / g["total"]
        out["net"] = g["net"]
        out["mean_rest"] = r["mean"]
        out["diff_vs_rest"] = g["mean"] - r["mean"]
    out["t"] = test["t"]
    out["df"] = test["dof"]
    out["p_value"] = test["p_value"]
    out["p_adjusted"] = adjust_vs_rest(test["p_value"], correction)
    out["small_n"] = np.asarray(g["n_eff"]) < min_n
    out["n_eff"] = np.asarray(g["n_eff"], dtype=float)
    out.attrs.update(conf=conf, correction=correction, min_n=min_n, by=as_list(by), score=score,
                     scale=scale, weights=weights)
    return out


# --------------------------------------------------------------------------- trend

_PERIOD_ALIASES = {"ME": "M", "QE": "Q", "YE": "Y", "MS": "M", "QS": "Q", "YS": "Y"}


def _dates(df: pd.DataFrame, date: str) -> pd.Series:
    col = df[date]
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        parsed = col
    else:
        parsed = pd.to_datetime(col, errors="coerce")
        bad = parsed.isna().to_numpy() & col.notna().to_numpy()
        if bad.any():
            idx = np.flatnonzero(bad)
            raise CXDataError(
                f"column {date!r}: values that are not dates — "
                f"{format_examples(list(col.index[idx[:5]]) + [None] * max(0, len(idx) - 5), list(col.iloc[idx[:5]]) + [None] * max(0, len(idx) - 5), label='index')}; "
                "expected dates such as 2024-03-31"
            )
    missing = parsed.isna().to_numpy()
    if missing.any():
        idx = np.flatnonzero(missing)
        raise CXDataError(
            f"column {date!r}: missing dates — "
            f"{format_examples(list(col.index[idx[:5]]) + [None] * max(0, len(idx) - 5), label='index')}; "
            "every response needs a date to be placed in a period (drop those rows first)"
        )
    return parsed


def nps_trend(
    df: pd.DataFrame,
    score: str,
    date: str,
    freq: str = "M",
    by=None,
    conf: float = 0.95,
    baseline=None,
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """NPS per period (and group) with CI bands and a control-chart signal.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response.
    score : str
        Column of 0–10 answers.
    date : str
        Column of response dates (datetime or parseable strings; missing dates raise).
    freq : str
        Period length, a pandas period alias: ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``.
    by : str or list of str, optional
        Grouping column(s): one trend (and one baseline) per group.
    conf : float
        Confidence level of the CI bands and of the control limits. ``conf=0.9973``
        gives Shewhart's 3-sigma limits.
    baseline : None, (start, end) or float
        Centre line: None = pooled NPS over all periods (per group); a ``(start, end)``
        pair of dates = pooled NPS of the responses in that range (inclusive, per group);
        a number = a fixed target in points (the spread then comes from all periods'
        pooled shares).
    weights : str, optional
        Column of survey weights: weighted shares; SEs and control limits use each period's
        Kish n_eff (column ``n_eff``).

    Returns
    -------
    pandas.DataFrame
        One row per period (per group), with every period between the first and last
        present (``n = 0`` rows have NaN statistics): ``by`` columns, ``period``,
        ``period_start``, ``n``, ``n_missing``, shares, ``nps``, ``se``, ``ci_low``,
        ``ci_high``, ``baseline``, ``lcl``, ``ucl``, ``flagged`` (bool) and ``signal``
        (``"low"``, ``"high"`` or None).

    Notes
    -----
    Control rule, as a p-chart with variable sample size (Montgomery, *Introduction to
    Statistical Quality Control*, ch. 7): with baseline shares p̄₊, p̄₋ and centre line
    B = 100·(p̄₊ − p̄₋), period t with n_t answers gets limits::

        SE_t = 100·√((p̄₊ + p̄₋ − (p̄₊ − p̄₋)²)/n_t)
        LCL_t, UCL_t = B ∓ z₍₁₋α/₂₎·SE_t

    and is flagged when its NPS lies outside them (``signal`` "low" below, "high"
    above). As in a p-chart, the spread comes from the baseline, not from the period's
    own shares, so a small period whose answers all fall in one category still gets
    sensible limits. The ``se``/``ci_*`` columns are the period's own Wald interval.

    References
    ----------
    Montgomery (2019), Introduction to Statistical Quality Control, 8th ed., ch. 7.
    Reichheld (2003). Rocks (2016).

    Examples
    --------
    >>> df = pd.DataFrame({"d": ["2024-01-05", "2024-01-20", "2024-03-02"],
    ...                    "ltr": [10, 6, 9]})
    >>> nps_trend(df, "ltr", "d")[["period", "n", "nps"]]
        period  n    nps
    0  2024-01  2    0.0
    1  2024-02  0    NaN
    2  2024-03  1  100.0
    """
    _z(conf)
    by_cols = as_list(by)
    _check_columns(df, [score, date, *by_cols] + ([weights] if weights is not None else []), "nps_trend")
    freq = _PERIOD_ALIASES.get(freq, freq)
    dates = _dates(df, date)
    if len(df) == 0:
        raise ValueError(f"nps_trend: column {score!r} has no valid answers (0 rows)")
    try:
        periods = dates.dt.tz_localize(None).dt.to_period(freq) if dates.dt.tz is not None else dates.dt.to_period(freq)
    except ValueError as err:
        raise ValueError(f"freq must be a pandas period alias such as 'D', 'W', 'M', 'Q', 'Y': {err}") from None
    ordinals = periods.array.asi8
    first = int(ordinals.min())
    full = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    T = len(full)
    frame = df[[score, *by_cols] + ([weights] if weights is not None else [])].copy(deep=False)
    frame["_period"] = ordinals - first
    c = answer_counts(frame, score, [*by_cols, "_period"], low=NPS_LOW, high=NPS_HIGH, weights=weights,
                      what="nps_trend")
    if c.counts.sum() == 0:
        raise ValueError(f"nps_trend: column {score!r} has no valid answers ({len(df)} rows, all missing)")
    if by_cols:
        gid = c.keys.groupby(by_cols, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    else:
        gid = np.zeros(len(c.keys), dtype=np.intp)
    G = int(gid.max()) + 1
    tid = c.keys["_period"].to_numpy(dtype=np.intp)
    k = NPS_HIGH - NPS_LOW + 1
    cube = np.zeros((G, T, k), dtype=np.int64)
    cube[gid, tid] = c.counts
    miss = np.zeros((G, T), dtype=np.int64)
    miss[gid, tid] = c.missing
    first_row = pd.Series(np.arange(len(gid))).groupby(gid).first().to_numpy()
    keys = c.keys[by_cols].iloc[np.repeat(first_row, T)].reset_index(drop=True)
    keys["period"] = full[np.tile(np.arange(T), G)]
    n_resp = cube.sum(-1)
    if weights is None:
        tot = cube
        n_eff = None
    else:
        tot = np.zeros((G, T, k))
        tot[gid, tid] = c.weighted
        w2 = np.zeros((G, T))
        w2[gid, tid] = c.sum_w2
        n_eff = np.asarray(kish_n(tot.sum(-1), w2), dtype=float)
        n_eff = np.where(n_resp > 0, n_eff, 0.0)
    pro, pas, det = tot[..., 9:].sum(-1), tot[..., 7:9].sum(-1), tot[..., :7].sum(-1)
    out = _nps_table(keys, pro.ravel(), pas.ravel(), det.ravel(), miss.ravel(), conf, n_resp.ravel(),
                     None if n_eff is None else n_eff.ravel())
    out["period_start"] = out["period"].dt.start_time
    lead = [*by_cols, "period", "period_start"]
    out = out[lead + [col for col in out.columns if col not in lead]]

    # baseline shares per group (they set the spread of the limits in every case)
    numeric = isinstance(baseline, int | float | np.integer | np.floating) and not isinstance(baseline, bool)
    if numeric and not -100 <= float(baseline) <= 100:
        raise ValueError(f"a numeric baseline is an NPS in points, −100…100; got {baseline!r}")
    if baseline is None or numeric:
        sel = np.ones(T, bool)
    else:
        try:
            start, end = baseline
            start_p = pd.Period(pd.Timestamp(start), freq=full.freq)
            end_p = pd.Period(pd.Timestamp(end), freq=full.freq)
        except (TypeError, ValueError):
            raise ValueError(
                f"baseline must be None, a number (NPS points) or a (start, end) pair of dates, got {baseline!r}"
            ) from None
        sel = np.asarray((full >= start_p) & (full <= end_p))
        if not sel.any():
            raise ValueError(f"baseline {baseline!r} covers none of the periods {full[0]}…{full[-1]}")
    bp, bpas, bd = pro[:, sel].sum(1), pas[:, sel].sum(1), det[:, sel].sum(1)
    bn = bp + bpas + bd
    centre, _, _, _ = net_score(bp, bd, bn, conf)
    centre = np.atleast_1d(centre)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppl, pmi = bp / bn, bd / bn
        unit_var = np.maximum(ppl + pmi - (ppl - pmi) ** 2, 0.0)
    if numeric:
        centre = np.full_like(centre, float(baseline))
    n_t = n_resp if n_eff is None else n_eff
    lcl, ucl = control_limits(centre[:, None], unit_var[:, None], n_t, conf, scale=100)
    val = out["nps"].to_numpy().reshape(lcl.shape)
    low_sig = (n_t > 0) & (val < lcl)
    high_sig = (n_t > 0) & (val > ucl)
    out["baseline"] = np.repeat(centre, T)
    out["lcl"] = lcl.ravel()
    out["ucl"] = ucl.ravel()
    out["flagged"] = (low_sig | high_sig).ravel()
    signal = np.full(lcl.shape, None, dtype=object)
    signal[low_sig] = "low"
    signal[high_sig] = "high"
    out["signal"] = pd.Series(signal.ravel(), index=out.index, dtype=object)
    _flag_columns(out, pro.ravel(), pas.ravel(), det.ravel(), n_resp.ravel(),
                  None if n_eff is None else n_eff.ravel())
    out.attrs.update(conf=conf, freq=freq, by=by_cols, score=score, date=date, baseline=baseline,
                     weights=weights)
    return out


# --------------------------------------------------------------------------- CX index


def cx_index(
    df: pd.DataFrame,
    ratings: Sequence[str],
    weights=None,
    outcome: str | None = None,
    scale: tuple[int, int] = (1, 5),
    conf: float = 0.95,
    *,
    survey_weights: str | None = None,
) -> CXIndexResult:
    """Combine touchpoint ratings into one 0–100 CX index.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    ratings : list of str
        Rating columns, all on the same ``scale``.
    weights : None, dict or "derived"
        None: equal weights. dict ``{column: weight}``: stated weights (≥ 0, one for
        every rating, normalised to sum 1). ``"derived"``: Pearson correlation of each
        rating with ``outcome`` (pairwise complete rows), normalised to sum 1; raises if
        any correlation is negative or undefined, naming the ratings.
    outcome : str, optional
        Outcome column (e.g. overall satisfaction or likelihood to recommend), needed for
        ``weights="derived"``.
    scale : (low, high)
        The ratings' scale.
    conf : float
        Confidence level of the t interval of the mean index.
    survey_weights : str, optional
        Column of survey weights, one per respondent (finite, ≥ 0 on every row); the
        survey-weight argument that the other statistics call ``weights=``, named apart here
        because ``weights`` already holds the ratings' importance. The index becomes the
        weighted mean of the respondents' indices; ``sd`` is the Kish-corrected weighted SD
        and the SE and t interval use Kish's n_eff; derived importance weights become
        weighted correlations.

    Returns
    -------
    CXIndexResult
        ``index`` (mean of per-respondent indices), ``sd``, ``se``, ``ci_low``,
        ``ci_high``, ``n``, ``n_missing``, ``n_partial``, ``weights``, ``method``,
        ``note``, the per-respondent ``scores`` and ``n_eff``.

    Notes
    -----
    Each rating is rescaled to 0–100, ``r* = 100·(r − low)/(high − low)``. The index of
    respondent i is the weighted mean of the ratings they gave::

        CXI_i = Σ_j∈A_i w_j·r*_ij / Σ_j∈A_i w_j,   A_i = ratings answered by i

    so a skipped touchpoint (say breakfast not taken) neither counts as 0 nor drops the
    respondent; such respondents are counted in ``n_partial``. Respondents with no
    rating (or only zero-weight ones) get NaN and are counted in ``n_missing``. The
    reported index is the mean over respondents with a t interval.

    With survey weights sᵢ, over the n respondents with an index (the moments Σs, Σs·CXI,
    Σs·CXI², Σs² come from :func:`cxlib.aggregate.survey.moments`, the rest from
    :func:`cxlib.stats.moments.weighted_mean_sd` and ``t_interval``)::

        CXI   = Σ sᵢ·CXIᵢ / Σ sᵢ
        m₂    = Σ sᵢ·CXIᵢ² / Σ sᵢ − CXI²
        n_eff = (Σ sᵢ)² / Σ sᵢ²                       (Kish 1965)
        sd    = √(m₂ · n_eff/(n_eff − 1)),  SE = sd/√n_eff
        CI    = CXI ± t₍₁₊conf₎/₂, n_eff−1 · SE

    All weights 1 give the unweighted numbers. Derived importance is then each rating's
    weighted Pearson correlation with the outcome over the rows where both are present.

    Derived weights use r(rating, outcome) as importance (as in driver analysis,
    see :mod:`cxlib.drivers` for relative weights); a negative correlation means the
    rating does not drive the outcome in the expected direction, so rather than clip it
    to zero silently we raise and name it — pass stated weights instead.

    References
    ----------
    Martilla & James (1977) for derived importance; Johnson (2000) for better
    importance measures. Kish, L. (1965), *Survey Sampling*, §11.7 (effective n);
    Lumley, T. (2010), *Complex Surveys*, §2.2 (weighted means).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [5, 1], "b": [5, None]})
    >>> r = cx_index(df, ["a", "b"])
    >>> r.scores.tolist(), r.index, r.n_partial
    ([100.0, 0.0], 50.0, 1)
    >>> cx_index(df.assign(s=[3.0, 1.0]), ["a", "b"], survey_weights="s").index   # (3·100 + 0)/4
    75.0
    """
    ratings = list(ratings)
    if not ratings:
        raise ValueError("cx_index: give at least one rating column")
    if len(set(ratings)) != len(ratings):
        raise ValueError(f"cx_index: rating columns repeat: {ratings}")
    _check_columns(df, ratings + ([outcome] if outcome is not None else [])
                   + ([survey_weights] if survey_weights is not None else []), "cx_index")
    try:
        low, high = (int(v) for v in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a (low, high) pair of whole numbers, got {scale!r}") from None
    if high <= low:
        raise ValueError(f"scale must have low < high, got {scale!r}")
    _z(conf)
    sw = None
    if survey_weights is not None:  # checked once here, so that derived weights see valid weights
        sw = df[survey_weights].to_numpy(dtype="float64", na_value=np.nan) \
            if pd.api.types.is_numeric_dtype(df[survey_weights].dtype) else None
        if sw is None:
            raise CXDataError(f"cx_index: weights column {survey_weights!r} is not numeric; "
                              "expected a finite weight ≥ 0 on every row")
        sw = check_weight_array(sw, survey_weights, "cx_index")

    mat = np.empty((len(df), len(ratings)), dtype=float)
    for j, col in enumerate(ratings):
        clean_scores(df[col], low=low, high=high, name=str(col))  # raises on bad values
        mat[:, j] = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    mat = 100 * (mat - low) / (high - low)

    if weights is None:
        w = np.ones(len(ratings))
        method, note = "equal", "equal weights"
    elif isinstance(weights, str) and weights == "derived":
        if outcome is None:
            raise ValueError("cx_index: weights='derived' needs an outcome column")
        y = df[outcome]
        if not pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype):
            y = pd.to_numeric(y, errors="raise")
        yv = y.to_numpy(dtype="float64", na_value=np.nan)
        if survey_weights is None:
            r = np.array([pd.Series(mat[:, j]).corr(pd.Series(yv)) for j in range(len(ratings))])
        else:
            r = np.array([_weighted_pair_corr(mat[:, j], yv, sw) for j in range(len(ratings))])
        bad = [f"{ratings[j]} (r = {r[j]:.3f})" for j in range(len(r)) if not r[j] > 0]
        if bad:
            raise ValueError(
                f"cx_index: derived weights need a positive correlation with {outcome!r}; "
                f"not so for {', '.join(bad)}. Drop those ratings or pass stated weights."
            )
        w = r
        method = "derived"
        note = f"weights = Pearson r of each rating with {outcome!r} (pairwise complete rows), normalised to sum 1"
    elif isinstance(weights, dict):
        missing = [c for c in ratings if c not in weights]
        extra = [c for c in weights if c not in ratings]
        if missing or extra:
            raise ValueError(
                f"cx_index: weights must name every rating exactly; missing {missing}, unknown {extra}"
            )
        w = np.array([weights[c] for c in ratings], dtype=float)
        if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"cx_index: weights must be ≥ 0 and not all 0, got {weights!r}")
        method, note = "stated", "stated weights, normalised to sum 1"
    else:
        raise ValueError(f"weights must be None, a dict or 'derived', got {weights!r}")
    w = w / w.sum()

    answered = ~np.isnan(mat)
    wsum = (answered * w).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(answered, mat, 0.0) @ w / wsum
    per = np.where(wsum > 0, per, np.nan)
    ok = ~np.isnan(per)
    n = int(ok.sum())
    if n == 0:
        raise ValueError(f"cx_index: no respondent answered any of {ratings}")
    n_partial = int((ok & ~answered.all(1)).sum())
    if survey_weights is None:
        vals = per[ok]
        mean = float(vals.mean())
        sd = float(vals.std(ddof=1)) if n > 1 else float("nan")
        n_eff = float(n)
    else:
        name = "cx_index" if survey_weights != "cx_index" else "_cx_index"
        m = moments(pd.DataFrame({name: per[ok], survey_weights: sw[ok]}), name, weights=survey_weights,
                    what="cx_index").iloc[0]
        if not m["sum_w"] > 0:
            raise ValueError(f"cx_index: every respondent with a rating has survey weight 0 in {survey_weights!r}")
        mean, sd, n_eff = (float(v) for v in weighted_mean_sd(m["sum_w"], m["sum_wx"], m["sum_wx2"], m["sum_w2"]))
        note += f"; survey weights {survey_weights!r} (Kish n_eff in the SE)"
    se, lo, hi = t_interval(mean, sd, n_eff, conf)
    note += "; each respondent's index is the weighted mean of the ratings they gave"
    return CXIndexResult(
        index=mean, sd=sd, se=se, ci_low=lo, ci_high=hi, n=n, n_missing=len(df) - n,
        n_partial=n_partial, weights=pd.Series(w, index=ratings, name="weight"),
        method=method, note=note, scores=pd.Series(per, index=df.index, name="cx_index"), n_eff=n_eff,
    )


def _weighted_pair_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted Pearson r of x and y over the rows where both are present (aggregation layer's
    cross moments, then covariance → correlation)."""
    both = ~np.isnan(x) & ~np.isnan(y)
    cm = cross_moments_array(np.column_stack([x[both], y[both]]), w[both], what="cx_index")
    return float(cov_to_corr(covariance_from_sums(cm.n, cm.sum_x, cm.sum_xy, cm.sum_w2))[0, 1])


# --------------------------------------------------------------------------- plots (lazy)
#: Charts live in :mod:`cxlib.plotting.metrics` (matplotlib is imported only when one is drawn);
#: the names stay reachable here because lessons call ``metrics.plot_…``.
_PLOTS = ('plot_nps_distribution', 'plot_nps_by', 'plot_nps_trend')


def __getattr__(name: str):
    if name in _PLOTS:
        from .plotting import metrics as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
