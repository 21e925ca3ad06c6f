"""SERVQUAL: expectation–perception gaps on the five RATER dimensions, and scale reliability.

The 22-item instrument of Parasuraman, Zeithaml & Berry (1988) asks each item
twice on a 1–7 scale: what customers *expect* of an excellent firm (E) and what
they *perceive* of this one (P). The gap P − E is negative when the service
falls short. Items group into five dimensions (:data:`SERVQUAL_22`):

=================  ========  ================================================
dimension          items     about
=================  ========  ================================================
Tangibles          1–4       facilities, equipment, staff appearance, materials
Reliability        5–9       doing what was promised, dependably and accurately
Responsiveness     10–13     willingness to help and prompt service
Assurance          14–17     knowledge and courtesy that inspire trust
Empathy            18–22     caring, individual attention
=================  ========  ================================================

Sample data use the columns ``e01``…``e22``, ``p01``…``p22`` (1–7, missing
allowed) and the 100-point allocation ``w_tangibles`` … ``w_empathy``. An
adapted or shortened instrument is a mapping ``{dimension: item numbers}``
passed as ``instrument=``; item *i* is read from ``e{i:02d}`` and ``p{i:02d}``
and the weights from ``w_<dimension>``.

Respondent scores follow Zeithaml, Parasuraman & Berry (1990): a dimension
score is the mean of the respondent's item gaps in that dimension (items where
both E and P were answered); the unweighted SERVQUAL score is the mean of the
five dimension scores; the weighted score multiplies each dimension score by the
respondent's own points/100 and sums.

References
----------
Parasuraman, A., Zeithaml, V. A. & Berry, L. L. (1988). SERVQUAL: a multiple-item
scale for measuring consumer perceptions of service quality. *Journal of
Retailing* 64(1), 12–40.

Parasuraman, A., Berry, L. L. & Zeithaml, V. A. (1991). Refinement and
reassessment of the SERVQUAL scale. *Journal of Retailing* 67(4), 420–450.

Zeithaml, V. A., Parasuraman, A. & Berry, L. L. (1990). *Delivering Quality
Service: Balancing Customer Perceptions and Expectations*. New York: Free Press.

Cronin, J. J. & Taylor, S. A. (1992). Measuring service quality: a reexamination
and extension. *Journal of Marketing* 56(3), 55–68.

Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16, 297–334.

Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
reliability coefficient twenty. *Psychometrika* 30, 357–370.

Revelle, W. (2025). *psych: Procedures for Psychological, Psychometric, and
Personality Research*, R package 2.5.3, function ``alpha``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import i18n
from ._validate import clean_scores, require_columns
from .aggregate.survey import cross_moments_array, moments
from .errors import CXDataError, format_examples, optional_import
from .stats.moments import covariance_from_sums, t_interval, weighted_mean_sd
from .stats.multiple import adjust_pvalues
from .stats.reliability import alpha_from_cov, feldt_interval

__all__ = [
    "DIMENSIONS",
    "SERVQUAL_22",
    "ReliabilityResult",
    "instrument_table",
    "gaps",
    "gap_by_dimension",
    "respondent_gaps",
    "weighted_score",
    "servperf",
    "paired_tests",
    "reliability",
    "reliability_from_cov",
    "dimension_reliability",
    "plot_gaps",  # noqa: F822  (lazy, see __getattr__)
    "plot_profile",  # noqa: F822  (lazy, see __getattr__)
    "plot_radar",  # noqa: F822  (lazy, see __getattr__)
]

#: The five RATER dimensions in the order of the instrument.
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")

#: The 22-item instrument (Parasuraman, Zeithaml & Berry 1988): dimension → item numbers.
#: Short item wording (en/zh, hotel-adapted, positively worded as in the 1991
#: refinement) lives in ``labels_servqual.yml`` under ``servqual.item.<n>``;
#: see :func:`instrument_table`.
SERVQUAL_22: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "tangibles": (1, 2, 3, 4),
        "reliability": (5, 6, 7, 8, 9),
        "responsiveness": (10, 11, 12, 13),
        "assurance": (14, 15, 16, 17),
        "empathy": (18, 19, 20, 21, 22),
    }
)

E_COLUMN = "e{:02d}"
P_COLUMN = "p{:02d}"
W_COLUMN = "w_{}"


# --------------------------------------------------------------------------- instrument
def _instrument(instrument: Mapping[str, Sequence[int]] | None) -> dict[str, tuple[int, ...]]:
    if instrument is None:
        return dict(SERVQUAL_22)
    if not isinstance(instrument, Mapping) or not instrument:
        raise ValueError("instrument must be a non-empty mapping {dimension: item numbers}")
    out: dict[str, tuple[int, ...]] = {}
    seen: dict[int, str] = {}
    for dim, items in instrument.items():
        if isinstance(items, int | np.integer):
            items = (items,)
        items = tuple(items)
        if not items:
            raise ValueError(f"instrument: dimension {dim!r} has no items")
        for i in items:
            if isinstance(i, bool) or not isinstance(i, int | np.integer) or i < 1:
                raise ValueError(f"instrument: dimension {dim!r} has item {i!r}; expected item numbers 1, 2, …")
            if int(i) in seen:
                raise ValueError(f"instrument: item {int(i)} is in both {seen[int(i)]!r} and {dim!r}")
            seen[int(i)] = dim
        out[str(dim)] = tuple(int(i) for i in items)
    return out


def _dim_label(dim: str, lang: str) -> str:
    return i18n.labels("servqual.dimension", lang).get(dim, dim)


def instrument_table(instrument: Mapping[str, Sequence[int]] | None = None, lang: str = "en") -> pd.DataFrame:
    """The instrument as a table: item, dimension, its label, the E/P columns and the wording.

    Parameters
    ----------
    instrument : mapping, optional
        ``{dimension: item numbers}``; default :data:`SERVQUAL_22`.
    lang : {"en", "zh"}

    Returns
    -------
    DataFrame
        ``item``, ``dimension``, ``dimension_label``, ``expectation`` and
        ``perception`` (column names), ``wording`` (empty for items the
        standard instrument does not have).

    Examples
    --------
    >>> instrument_table().loc[0, ["dimension", "expectation", "perception"]].tolist()
    ['tangibles', 'e01', 'p01']
    """
    inst = _instrument(instrument)
    words = i18n.labels("servqual.item", lang)
    rows = [
        {
            "item": i,
            "dimension": dim,
            "dimension_label": _dim_label(dim, lang),
            "expectation": E_COLUMN.format(i),
            "perception": P_COLUMN.format(i),
            "wording": words.get(str(i), "") if instrument is None or dim in SERVQUAL_22 else "",
        }
        for dim, items in inst.items()
        for i in items
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- reading data
def _by_list(df: pd.DataFrame, by) -> list:
    if by is None:
        return []
    by = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
    missing = [b for b in by if b not in df.columns]
    if missing:
        raise CXDataError(f"by: columns {missing} not found; columns are {list(map(str, df.columns))[:12]}")
    return by


def _read_items(df: pd.DataFrame, inst: dict[str, tuple[int, ...]], which: str = "ep"):
    """Validated E and P matrices (float, NaN = missing), shape (n, k), in instrument order."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of SERVQUAL answers, got {type(df).__name__}")
    items = [i for its in inst.values() for i in its]
    cols = {"e": [E_COLUMN.format(i) for i in items], "p": [P_COLUMN.format(i) for i in items]}
    need = [c for w in which for c in cols[w]]
    absent = [c for c in need if c not in df.columns]
    if absent:
        raise CXDataError(
            f"SERVQUAL columns not found: {absent[:10]}{' …' if len(absent) > 10 else ''}; "
            "expected e01…e22 and p01…p22 (or pass instrument= for an adapted instrument)"
        )
    out = {}
    for w in which:
        for c in cols[w]:
            clean_scores(df[c], low=1, high=7, name=c)  # raises naming the column, values and rows
        out[w] = df[cols[w]].apply(pd.to_numeric).to_numpy(dtype="float64", na_value=np.nan)
    return out.get("e"), out.get("p"), items


def _indicator(inst: dict[str, tuple[int, ...]]) -> np.ndarray:
    """(k items × D dimensions) 0/1 matrix in instrument order."""
    k = sum(len(v) for v in inst.values())
    ind = np.zeros((k, len(inst)))
    j = 0
    for d, items in enumerate(inst.values()):
        ind[j: j + len(items), d] = 1
        j += len(items)
    return ind


def _row_means(m: np.ndarray, ind: np.ndarray) -> np.ndarray:
    """Per-row mean of the available values of each column group (NaN if none)."""
    ok = ~np.isnan(m)
    sums = np.where(ok, m, 0.0) @ ind
    cnt = ok.astype(float) @ ind
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, sums / cnt, np.nan)


def _dimension_scores(df: pd.DataFrame, inst):
    """Respondent × dimension means of E, P and P − E over items with both answers."""
    e, p, _ = _read_items(df, inst)
    both = ~np.isnan(e) & ~np.isnan(p)
    e = np.where(both, e, np.nan)
    p = np.where(both, p, np.nan)
    ind = _indicator(inst)
    return _row_means(e, ind), _row_means(p, ind), _row_means(p - e, ind), int((~both).sum())


def _summarise(long: pd.DataFrame, keys: list, value: str, conf: float, extra: Sequence[str] = ()) -> pd.DataFrame:
    """n, means of value and extra columns, sd, se and a t CI of value per group."""
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf!r}")
    g = long.groupby(keys, sort=True, observed=True, dropna=False)
    out = g[value].agg(n="count", mean="mean", sd="std")
    for c in extra:
        out[c] = g[c].mean()
    out = out.reset_index()
    se, low, high = t_interval(out["mean"].to_numpy(dtype=float), out["sd"].to_numpy(dtype=float),
                               out["n"].to_numpy(dtype=float), conf)
    out["se"] = se
    out["ci_low"] = low
    out["ci_high"] = high
    out["n"] = out["n"].astype("int64")
    return out.rename(columns={"mean": value})


def _long_scores(df, by, dims, **mats) -> pd.DataFrame:
    """Respondent × dimension long frame with the by-columns and the named score matrices."""
    n = len(df)
    frame = {b: np.repeat(df[b].to_numpy(), len(dims)) for b in by}
    frame["respondent"] = np.repeat(df.index.to_numpy(), len(dims))
    frame["dimension"] = pd.Categorical.from_codes(np.tile(np.arange(len(dims)), n), categories=list(dims),
                                                   ordered=True)
    for name, m in mats.items():
        frame[name] = m.reshape(-1)
    return pd.DataFrame(frame)


# --------------------------------------------------------------------------- gaps
def gaps(df: pd.DataFrame, instrument: Mapping[str, Sequence[int]] | None = None) -> pd.DataFrame:
    """Tidy table of item gaps: one row per respondent × item with both E and P answered.

    Parameters
    ----------
    df : DataFrame
        One row per respondent with E and P columns (``e01``…, ``p01``…) on 1–7.
    instrument : mapping, optional
        ``{dimension: item numbers}``; default :data:`SERVQUAL_22`.

    Returns
    -------
    DataFrame
        ``respondent`` (the index label of ``df``), ``item``, ``dimension``,
        ``expectation``, ``perception``, ``gap`` = P − E. Pairs with E or P
        missing are left out and counted in ``.attrs["n_missing"]``.

    Raises
    ------
    ScoreError
        E or P outside 1–7 or not whole numbers (names the column and rows).

    Examples
    --------
    >>> df = pd.DataFrame({"e01": [7, 6], "p01": [5, 6]})
    >>> gaps(df, instrument={"tangibles": [1]})["gap"].tolist()
    [-2.0, 0.0]
    """
    inst = _instrument(instrument)
    e, p, items = _read_items(df, inst)
    dim_of = [d for d, its in inst.items() for _ in its]
    n, k = e.shape
    out = pd.DataFrame(
        {
            "respondent": np.repeat(df.index.to_numpy(), k),
            "item": np.tile(np.array(items), n),
            "dimension": pd.Categorical.from_codes(np.tile(np.array([list(inst).index(d) for d in dim_of]), n),
                                                   categories=list(inst), ordered=True),
            "expectation": e.reshape(-1),
            "perception": p.reshape(-1),
        }
    )
    out["gap"] = out["perception"] - out["expectation"]
    keep = out["gap"].notna().to_numpy()
    out = out[keep].reset_index(drop=True)
    out.attrs["n_missing"] = int((~keep).sum())
    return out


def respondent_gaps(df: pd.DataFrame, instrument: Mapping[str, Sequence[int]] | None = None) -> pd.DataFrame:
    """Per respondent: the gap score of each dimension and the unweighted SERVQUAL score.

    Parameters
    ----------
    df : DataFrame
        One row per respondent with E and P columns.
    instrument : mapping, optional

    Returns
    -------
    DataFrame
        Same index as ``df``; one column per dimension (mean of the item gaps
        P − E over items with both answers; NaN if none) and ``overall``, the
        unweighted SERVQUAL score = mean of the dimension scores (Zeithaml,
        Parasuraman & Berry 1990), NaN when a dimension is missing. ``overall``
        weighs dimensions equally, so it differs from the mean of all 22 item
        gaps (dimensions have 4 or 5 items).

    Examples
    --------
    >>> df = pd.DataFrame({"e01": [7], "p01": [5], "e02": [6], "p02": [6]})
    >>> respondent_gaps(df, {"a": [1], "b": [2]}).iloc[0].tolist()
    [-2.0, 0.0, -1.0]
    """
    inst = _instrument(instrument)
    _, _, g, _ = _dimension_scores(df, inst)
    out = pd.DataFrame(g, index=df.index, columns=list(inst))
    out["overall"] = g.mean(axis=1)  # NaN propagates when a dimension is missing
    return out


def gap_by_dimension(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    conf: float = 0.95,
    instrument: Mapping[str, Sequence[int]] | None = None,
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """Mean gap P − E per dimension (optionally per group) with a t confidence interval.

    Parameters
    ----------
    df : DataFrame
        One row per respondent with E and P columns.
    by : str or list of str, optional
        Group columns, e.g. ``"property_id"``.
    conf : float
        Confidence level of the interval.
    instrument : mapping, optional
    weights : str, optional
        Column of survey weights (one per respondent, finite, ≥ 0): weighted means; ``sd`` is
        the Kish-corrected weighted SD and ``se``/the t interval use Kish's n_eff (column
        ``n_eff``; :func:`cxlib.stats.moments.weighted_mean_sd`).

    Returns
    -------
    DataFrame
        One row per (group, dimension): ``n`` respondents, mean ``expectation``
        and ``perception``, mean ``gap``, its ``sd``, ``se`` and ``ci_low``,
        ``ci_high`` (and ``n_eff`` when weighted). ``.attrs``: ``by``, ``conf``,
        ``n_missing`` (item pairs with E or P missing).

    Notes
    -----
    Dimension score of a respondent = mean of P − E over the dimension's items
    answered on both E and P (PZB 1988; ZPB 1990); the table mean is the mean
    of those scores over respondents, with CI mean ± t(1+conf)/2, n−1 · sd/√n.
    ``expectation`` and ``perception`` are averaged over the same item pairs,
    so ``perception − expectation = gap``.

    Examples
    --------
    >>> df = pd.DataFrame({"e01": [7, 6, 7], "p01": [5, 6, 4]})
    >>> gap_by_dimension(df, instrument={"tangibles": [1]})[["dimension", "n", "gap"]]
       dimension  n       gap
    0  tangibles  3 -1.666667
    """
    inst = _instrument(instrument)
    by = _by_list(df, by)
    e, p, g, n_missing = _dimension_scores(df, inst)
    mats = dict(expectation=e, perception=p, gap=g)
    if weights is not None:
        require_columns(df, [weights], "gap_by_dimension")
        mats["_w"] = np.repeat(df[weights].to_numpy(dtype="float64", na_value=np.nan)[:, None], len(inst), axis=1)
    long = _long_scores(df, by, list(inst), **mats)
    long = long[long["gap"].notna()]
    cols = [*by, "dimension", "n", "expectation", "perception", "gap", "sd", "se", "ci_low", "ci_high"]
    if weights is None:
        out = _summarise(long, [*by, "dimension"], "gap", conf, extra=("expectation", "perception"))[cols]
    else:
        mom = moments(long, ["gap", "expectation", "perception"], [*by, "dimension"], weights="_w",
                      what="gap_by_dimension")
        part = {c: mom[mom["column"] == c].reset_index(drop=True) for c in ("gap", "expectation", "perception")}
        g_ = part["gap"]
        mean, sd, n_eff = weighted_mean_sd(g_["sum_w"], g_["sum_wx"], g_["sum_wx2"], g_["sum_w2"])
        se, low, high = t_interval(mean, sd, n_eff, conf)
        out = g_[[*by, "dimension"]].copy()
        out["n"] = g_["n"].astype("int64")
        for c in ("expectation", "perception"):
            out[c] = part[c]["sum_wx"] / part[c]["sum_w"]
        out["gap"], out["sd"], out["se"], out["ci_low"], out["ci_high"] = mean, sd, se, low, high
        out = out[cols]
        out["n_eff"] = n_eff
    out.attrs.update(by=by, conf=conf, n_missing=n_missing, weights=weights)
    return out


class _Plain(str):
    """A string that shows without quotes inside format_examples."""

    def __repr__(self) -> str:
        return str(self)


def _read_weights(df: pd.DataFrame, inst) -> tuple[np.ndarray, np.ndarray]:
    """Validated weights (n × D, points) and a mask of rows that gave any."""
    cols = [W_COLUMN.format(d) for d in inst]
    absent = [c for c in cols if c not in df.columns]
    if absent:
        raise CXDataError(f"weight columns not found: {absent}; expected one 'w_<dimension>' per dimension")
    for c in cols:
        clean_scores(df[c], low=0, high=100, name=c)
    w = df[cols].apply(pd.to_numeric).to_numpy(dtype="float64", na_value=np.nan)
    none = np.isnan(w).all(axis=1)
    partial = np.isnan(w).any(axis=1) & ~none
    total = np.nansum(w, axis=1)
    bad = partial | (~none & (np.abs(total - 100) > 1e-9))
    if bad.any():
        idx = np.flatnonzero(bad)
        rows = list(df.index[idx[:5]]) + [None] * max(0, len(idx) - 5)
        vals = [_Plain("incomplete" if partial[i] else f"sum {total[i]:g}") for i in idx[:5]]
        raise CXDataError(
            f"columns {cols}: point allocations that do not sum to 100 — "
            f"{format_examples(rows, vals + [None] * max(0, len(idx) - 5), label='row')}; "
            "expected each respondent's weights to sum to 100 (or all to be missing)"
        )
    return w, ~none


def weighted_score(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    method: str = "respondent",
    conf: float = 0.95,
    instrument: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame:
    """Weighted SERVQUAL score from the 100-point allocation over the dimensions.

    Parameters
    ----------
    df : DataFrame
        E and P columns plus the weights ``w_<dimension>`` (whole points 0–100,
        summing to 100 per respondent; all missing = no allocation given).
    by : str or list of str, optional
        Group columns.
    method : {"respondent", "mean"}
        ``"respondent"`` (default, Zeithaml, Parasuraman & Berry 1990): each
        respondent's dimension gaps are weighted by *their own* points/100, then
        averaged. ``"mean"``: every respondent's gaps are weighted by the group's
        mean points/100.
    conf : float
        Confidence level of the t interval of the weighted score.
    instrument : mapping, optional

    Returns
    -------
    DataFrame
        One row per group: ``n`` (respondents with weights and a score on every
        dimension), ``unweighted`` (mean of the respondents' unweighted
        scores), ``weighted`` (mean weighted score) with ``sd``, ``se``,
        ``ci_low``, ``ci_high``, and the mean points ``w_<dimension>``.
        ``.attrs["n_missing"]``: respondents left out (no allocation or a
        dimension without answers).

    Raises
    ------
    CXDataError
        Weights that do not sum to 100 or are incomplete, naming the rows.

    Notes
    -----
    Weighted score of respondent r: Σ_d gap_rd · w_rd / 100. With
    ``method="mean"`` w_rd is replaced by the group mean w̄_d, which equals
    Σ_d w̄_d · ḡap_d / 100 when no data are missing.

    Examples
    --------
    >>> df = pd.DataFrame({"e01": [7], "p01": [5], "e02": [6], "p02": [6],
    ...                    "w_a": [75], "w_b": [25]})
    >>> weighted_score(df, instrument={"a": [1], "b": [2]})[["unweighted", "weighted"]].iloc[0].tolist()
    [-1.0, -1.5]
    """
    if method not in ("respondent", "mean"):
        raise ValueError(f"method must be 'respondent' or 'mean', got {method!r}")
    inst = _instrument(instrument)
    by = _by_list(df, by)
    _, _, g, _ = _dimension_scores(df, inst)
    w, has_w = _read_weights(df, inst)
    valid = has_w & ~np.isnan(g).any(axis=1)
    wcols = [W_COLUMN.format(d) for d in inst]
    frame = pd.DataFrame({b: df[b].to_numpy() for b in by}, index=pd.RangeIndex(len(df)))
    frame[wcols] = np.where(has_w[:, None], w, np.nan)
    frame = frame[valid].reset_index(drop=True)
    gv, wv = g[valid], w[valid]
    if method == "respondent":
        weights = wv
    else:
        weights = frame.groupby(by, dropna=False, observed=True)[wcols].transform("mean").to_numpy() if by else (
            np.broadcast_to(wv.mean(axis=0), wv.shape) if len(wv) else wv
        )
    frame["unweighted"] = gv.mean(axis=1)
    frame["weighted"] = (gv * weights).sum(axis=1) / 100.0
    keys = by if by else ["_all"]
    if not by:
        frame["_all"] = 0
    out = _summarise(frame, keys, "weighted", conf, extra=("unweighted", *wcols))
    if not by:
        out = out.drop(columns="_all")
    out = out[[*by, "n", "unweighted", "weighted", "sd", "se", "ci_low", "ci_high", *wcols]]
    out.attrs.update(by=by, conf=conf, method=method, n_missing=int((~valid).sum()))
    return out


def servperf(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    conf: float = 0.95,
    instrument: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame:
    """SERVPERF (Cronin & Taylor 1992): service quality from the perception items alone.

    Parameters
    ----------
    df : DataFrame
        P columns (``p01``…); E columns are not needed.
    by : str or list of str, optional
    conf : float
    instrument : mapping, optional

    Returns
    -------
    DataFrame
        One row per (group, dimension) plus ``dimension == "overall"``: ``n``,
        mean ``perception``, ``sd``, ``se``, ``ci_low``, ``ci_high``.

    Notes
    -----
    Respondent dimension score = mean of their answered P items of the
    dimension; ``overall`` = mean of all their answered P items (Cronin &
    Taylor's unweighted sum of the 22 perceptions, divided by the number of
    items so it stays on the 1–7 scale).

    Examples
    --------
    >>> df = pd.DataFrame({"p01": [5, 7], "p02": [6, 6]})
    >>> servperf(df, instrument={"a": [1], "b": [2]})["perception"].tolist()
    [6.0, 6.0, 6.0]
    """
    inst = _instrument(instrument)
    by = _by_list(df, by)
    _, p, _ = _read_items(df, inst, which="p")
    ind = _indicator(inst)
    dims = [*inst, "overall"]
    scores = np.column_stack([_row_means(p, ind), _row_means(p, np.ones((p.shape[1], 1)))])
    long = _long_scores(df, by, dims, perception=scores)
    long = long[long["perception"].notna()]
    out = _summarise(long, [*by, "dimension"], "perception", conf)
    out = out[[*by, "dimension", "n", "perception", "sd", "se", "ci_low", "ci_high"]]
    out.attrs.update(by=by, conf=conf)
    return out


def paired_tests(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    correction: str | None = "holm",
    conf: float = 0.95,
    instrument: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame:
    """Paired t-test of P against E per dimension, with effect sizes and adjusted p-values.

    Parameters
    ----------
    df : DataFrame
        E and P columns.
    by : str or list of str, optional
        Group columns; p-values are adjusted within each group (over its
        dimensions).
    correction : str or None
        Any ``method`` of :func:`pingouin.multicomp` (``"holm"`` default,
        ``"bonf"``, ``"fdr_bh"``, …); ``None`` or ``"none"`` for no adjustment.
    conf : float
        Confidence level of the interval of the mean difference.
    instrument : mapping, optional

    Returns
    -------
    DataFrame
        One row per (group, dimension): ``n``, mean ``expectation``,
        ``perception``, ``gap`` (P − E) with ``ci_low``, ``ci_high``; ``t``,
        ``dof``, ``p_value`` (two-sided), ``p_adjusted``; effect sizes
        ``cohen_d`` (pingouin's paired d, the mean difference over the average
        SD √((s²_P + s²_E)/2), Cumming 2012), ``hedges_g`` (its small-sample
        correction) and ``cohen_dz`` (mean difference / SD of differences).

    Notes
    -----
    The paired scores are the respondents' dimension means of E and P over items
    answered on both (so ``gap`` matches :func:`gap_by_dimension`). The test is
    ``pingouin.ttest(P, E, paired=True)``; t > 0 means perception exceeds
    expectation. Groups with fewer than 2 respondents get NaN.

    Examples
    --------
    >>> df = pd.DataFrame({"e01": [7, 6, 7, 6], "p01": [5, 6, 4, 4]})
    >>> paired_tests(df, instrument={"tangibles": [1]})[["gap", "dof"]].iloc[0].tolist()
    [-1.75, 3.0]
    """
    pg = optional_import("pingouin", "stats", "servqual.paired_tests")  # the paired t test and effect sizes

    inst = _instrument(instrument)
    by = _by_list(df, by)
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf!r}")
    e, p, g, _ = _dimension_scores(df, inst)
    long = _long_scores(df, by, list(inst), expectation=e, perception=p, gap=g)
    long = long[long["gap"].notna()]
    rows = []
    for key, sub in long.groupby([*by, "dimension"], sort=True, observed=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        pe, ee = sub["perception"].to_numpy(), sub["expectation"].to_numpy()
        n = len(sub)
        rec = dict(zip([*by, "dimension"], key, strict=True))
        rec.update(n=n, expectation=ee.mean() if n else np.nan, perception=pe.mean() if n else np.nan,
                   gap=(pe - ee).mean() if n else np.nan)
        if n >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = pg.ttest(pe, ee, paired=True, confidence=conf)
                d = pe - ee
                sd = d.std(ddof=1)
                _, low, high = t_interval(rec["gap"], sd, n, conf)
                rec.update(
                    ci_low=low,
                    ci_high=high,
                    t=float(res["T"].iloc[0]),
                    dof=float(res["dof"].iloc[0]),
                    p_value=float(res["p_val"].iloc[0]),
                    cohen_d=float(pg.compute_effsize(pe, ee, paired=True, eftype="cohen")),
                    hedges_g=float(pg.compute_effsize(pe, ee, paired=True, eftype="hedges")),
                    cohen_dz=float(rec["gap"] / sd) if sd > 0 else np.nan,
                )
        rows.append(rec)
    cols = [*by, "dimension", "n", "expectation", "perception", "gap", "ci_low", "ci_high", "t", "dof",
            "p_value", "p_adjusted", "cohen_d", "hedges_g", "cohen_dz"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["dimension"] = pd.Categorical(out["dimension"], categories=list(inst), ordered=True)
    if correction in (None, "none"):
        out["p_adjusted"] = out["p_value"]
    else:
        groups = out.groupby(by, sort=False, dropna=False).indices.values() if by else [np.arange(len(out))]
        adj = np.full(len(out), np.nan)
        for idx in groups:
            idx = np.asarray(idx)
            pv = out["p_value"].to_numpy()[idx]
            ok = ~np.isnan(pv)
            if ok.any():
                padj = adjust_pvalues(pv[ok], correction)
                adj[idx[ok]] = padj
        out["p_adjusted"] = adj
    out["n"] = out["n"].astype("int64")
    out.attrs.update(by=by, conf=conf, correction=correction)
    return out


# --------------------------------------------------------------------------- reliability
@dataclass(frozen=True)
class ReliabilityResult:
    """Cronbach's alpha of a scale, with psych-compatible item statistics.

    Attributes
    ----------
    alpha : float
        Raw alpha, (k/(k − 1))·(1 − tr(C)/ΣC) from the covariance matrix C.
    alpha_std : float
        Standardised alpha, (k/(k − 1))·(1 − k/ΣR) from the correlation matrix R.
    ci_low, ci_high : float
        Feldt (1965) confidence interval of ``alpha``.
    n : int
        Respondents (rows with at least one answer).
    k : int
        Items.
    items : DataFrame
        Indexed by item: ``alpha_if_dropped``, ``r_drop`` (corrected item–total
        correlation), ``mean``, ``sd``, ``n`` (answers to the item).
    """

    alpha: float
    alpha_std: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    items: pd.DataFrame


def reliability_from_cov(
    cov,
    n: int,
    *,
    corr=None,
    means=None,
    counts=None,
    conf: float = 0.95,
) -> ReliabilityResult:
    """Cronbach's alpha from sufficient statistics (the math layer of :func:`reliability`).

    Parameters
    ----------
    cov : DataFrame or (k, k) array
        Item covariance matrix (n − 1 denominator; pairwise for missing data).
    n : int
        Respondents, used by the Feldt interval.
    corr : DataFrame or array, optional
        Item correlation matrix for ``alpha_std``; default ``cov2cor(cov)``, the correlation
        implied by ``cov``, as psych 2.2.9 does.
    means : sequence, optional
        Item means (reported only).
    counts : sequence, optional
        Answers per item; default ``n``.
    conf : float
        Confidence level of the Feldt interval.

    Returns
    -------
    ReliabilityResult

    Notes
    -----
    With S = ΣC, t = tr(C), c_i = Σ_j C_ij and k items:

    * alpha = (k/(k−1))·(1 − t/S); alpha_std = (k/(k−1))·(1 − k/ΣR)
    * alpha_if_dropped_i = ((k−1)/(k−2))·(1 − (t − C_ii)/(S − 2c_i + C_ii))
      (NaN when k = 2: alpha of one item is undefined; psych prints C_12/C_jj)
    * r_drop_i = (c_i − C_ii)/√(C_ii·(S − 2c_i + C_ii)), the correlation of
      item i with the sum of the other items (psych's ``r.drop``)
    * Feldt: F = F(n − 1, (n − 1)(k − 1));
      [1 − (1 − alpha)·F_{1−p/2}, 1 − (1 − alpha)·F_{p/2}], p = 1 − conf.

    The algebra is :func:`cxlib.stats.reliability.alpha_from_cov` and
    :func:`cxlib.stats.reliability.feldt_interval`; this function validates and labels.
    """
    names = list(cov.columns) if isinstance(cov, pd.DataFrame) else None
    c = np.asarray(cov, dtype=float)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"cov must be a square matrix, got shape {c.shape}")
    k = c.shape[0]
    names = names or [f"item{i + 1}" for i in range(k)]
    if k < 2:
        raise CXDataError(f"reliability needs at least 2 items, got {k}: {names}")
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf!r}")
    var = np.diag(c)
    flat = ~(var > 0)
    if flat.any():
        bad = [names[i] for i in np.flatnonzero(flat)]
        raise CXDataError(f"items with zero variance (or fewer than 2 answers): {bad}; "
                          "alpha needs items whose answers vary — drop them")
    if np.isnan(c).any():
        ii, jj = np.nonzero(np.triu(np.isnan(c), 1))
        pairs = [f"{names[a]}–{names[b]}" for a, b in zip(ii[:5], jj[:5], strict=True)]
        raise CXDataError(f"item pairs with fewer than 2 joint answers, so no covariance: {pairs}")
    res = alpha_from_cov(c)
    alpha = res["alpha"]
    if corr is not None:
        r = np.asarray(corr, dtype=float)
        alpha_std = (k / (k - 1)) * (1 - k / r.sum()) if abs(r.sum()) > 1e-9 * k else np.nan
    else:
        alpha_std = res["alpha_std"]
    a_drop, r_drop = res["alpha_if_dropped"], res["r_drop"]
    ci_low, ci_high = feldt_interval(alpha, n, k, conf)
    items = pd.DataFrame(
        {
            "alpha_if_dropped": a_drop,
            "r_drop": r_drop,
            "mean": np.asarray(means, dtype=float) if means is not None else np.full(k, np.nan),
            "sd": np.sqrt(var),
            "n": np.asarray(counts, dtype="int64") if counts is not None else np.full(k, int(n)),
        },
        index=pd.Index(names, name="item"),
    )
    return ReliabilityResult(
        alpha=float(alpha), alpha_std=float(alpha_std), ci_low=float(ci_low), ci_high=float(ci_high),
        n=int(n), k=int(k), items=items,
    )


def reliability(items, conf: float = 0.95) -> ReliabilityResult:
    """Cronbach's alpha of a set of items, as R's ``psych::alpha`` (pairwise missing data).

    Parameters
    ----------
    items : DataFrame or 2-D array
        One column per item, one row per respondent; NaN = missing answer.
        (Reverse-keyed items must be reversed first.)
    conf : float
        Confidence level of the Feldt interval.

    Returns
    -------
    ReliabilityResult
        ``alpha``, ``alpha_std``, ``ci_low``, ``ci_high``, ``n``, ``k``,
        ``items`` (``alpha_if_dropped``, ``r_drop``, ``mean``, ``sd``, ``n``).

    Raises
    ------
    CXDataError
        Fewer than 2 items, non-numeric or infinite values, an item with zero
        variance (named), a pair of items never answered together.

    Notes
    -----
    **Missing data are handled pairwise, exactly as psych::alpha(use =
    "pairwise") does** (psych 2.2.9): the covariance matrix C is R's ``cov(x, use =
    "pairwise")`` — each covariance from the rows answering both items, each
    variance from the rows answering that item — and the correlation matrix behind
    ``alpha_std`` is ``cov2cor(C)``, the one implied by C (not the pairwise
    correlation matrix, whose entries each use their own rows). Item means, SDs and
    ``n`` use every available answer of the item. Raw alpha, r.drop and
    alpha-if-dropped come from C (formulas in :func:`reliability_from_cov`).

    C comes from one aggregation (:func:`cxlib.aggregate.survey.cross_moments`:
    pairwise counts, sums and cross-products, a matrix product on complete data)
    and :func:`cxlib.stats.moments.covariance_from_sums`.
    Rows with no answer at all are dropped and not counted in ``n``. No row is
    imputed and nothing is deleted listwise.

    **Interval**: Feldt (1965) F-based, with n = respondents and k = items, as
    ``pingouin.cronbach_alpha`` (which rounds it to 3 decimals). psych::alpha
    prints three 95% intervals: this Feldt one (``alpha.ci``, with n = all
    rows), the Duhachek & Iacobucci (2004) asymptotic one (alpha ± 1.96·ase) and,
    with ``n.iter > 1``, a bootstrap one; we report Feldt only.

    **Differences from psych**: an item with zero variance raises an error here
    (psych drops it with a warning but keeps counting it in the total score);
    ``alpha_if_dropped`` is NaN for k = 2; keys are never reversed
    automatically. On complete data ``alpha`` equals
    ``pingouin.cronbach_alpha``.

    References
    ----------
    Cronbach (1951); Feldt (1965); Revelle, psych::alpha (R package 2.5.3).

    Examples
    --------
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 5]})
    >>> round(reliability(x).alpha, 4)
    0.9333
    """
    if isinstance(items, pd.DataFrame):
        frame = items.copy(deep=False)  # columns are replaced, never written into
    else:
        arr = np.asarray(items)
        if arr.ndim != 2:
            raise CXDataError(f"items must be a 2-D table (respondents × items), got {arr.ndim} dimension(s)")
        frame = pd.DataFrame(arr, columns=[f"item{i + 1}" for i in range(arr.shape[1])])
    frame.columns = [str(c) for c in frame.columns]
    if frame.shape[1] < 2:
        raise CXDataError(f"reliability needs at least 2 items, got {frame.shape[1]}: {list(frame.columns)}")
    numeric = all(pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d) for d in frame.dtypes)
    if not numeric:  # object columns holding numbers: check and convert one by one
        for col in frame.columns:
            s = frame[col]
            if pd.api.types.is_bool_dtype(s.dtype) or not (
                pd.api.types.is_numeric_dtype(s.dtype) or s.dtype == object
            ):
                raise CXDataError(f"item {col!r}: expected numbers, got dtype {s.dtype}")
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna() & s.notna()
            if bad.any():
                idx = np.flatnonzero(bad.to_numpy())
                raise CXDataError(
                    f"item {col!r}: non-numeric values — "
                    f"{format_examples(list(s.index[idx[:5]]), list(s.iloc[idx[:5]]), label='row')}"
                )
            frame[col] = num.astype(float)
    x = frame.to_numpy(dtype="float64", na_value=np.nan)
    inf = np.isinf(x)
    if inf.any():
        j = int(np.flatnonzero(inf.any(axis=0))[0])
        idx = np.flatnonzero(inf[:, j])
        raise CXDataError(
            f"item {frame.columns[j]!r}: infinite values — {format_examples(list(frame.index[idx[:5]]), label='row')}"
        )
    nan = np.isnan(x)
    if nan.any():
        answered = ~nan.all(axis=1)
        if not answered.all():
            x = x[answered]
    n = x.shape[0]
    if n < 2:
        raise CXDataError(f"reliability needs at least 2 respondents with answers, got {n}")
    cm = cross_moments_array(x, columns=list(frame.columns), what="reliability")
    cov = pd.DataFrame(covariance_from_sums(cm.n, cm.sum_x, cm.sum_xy), index=frame.columns, columns=frame.columns)
    counts = np.diag(cm.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.diag(cm.sum_x) / counts
    return reliability_from_cov(cov, n, means=means, counts=counts.astype("int64"), conf=conf)


def dimension_reliability(
    df: pd.DataFrame,
    instrument: Mapping[str, Sequence[int]] | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha of each dimension, for the E items, the P items and the gaps.

    Returns
    -------
    DataFrame
        One row per dimension × measure (``expectation``, ``perception``,
        ``gap``): ``alpha``, ``alpha_std``, ``ci_low``, ``ci_high``, ``n``,
        ``k``. Dimensions with a single item get NaN. PZB (1988) report alpha of
        the gap scores.
    """
    inst = _instrument(instrument)
    e, p, items = _read_items(df, inst)
    rows = []
    j = 0
    for dim, its in inst.items():
        sl = slice(j, j + len(its))
        j += len(its)
        for measure, m in (("expectation", e), ("perception", p), ("gap", p - e)):
            rec = {"dimension": dim, "measure": measure}
            if len(its) >= 2:
                res = reliability(pd.DataFrame(m[:, sl], columns=[f"{measure[0]}{i:02d}" for i in its]), conf=conf)
                rec.update(alpha=res.alpha, alpha_std=res.alpha_std, ci_low=res.ci_low, ci_high=res.ci_high,
                           n=res.n, k=res.k)
            else:
                rec.update(alpha=np.nan, alpha_std=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, k=len(its))
            rows.append(rec)
    out = pd.DataFrame(rows)
    out["dimension"] = pd.Categorical(out["dimension"], categories=list(inst), ordered=True)
    return out


# --------------------------------------------------------------------------- plots (lazy)
#: Charts live in :mod:`cxlib.plotting.servqual` (matplotlib is imported only when one is drawn);
#: the names stay reachable here because lessons call ``servqual.plot_…``.
_PLOTS = ('plot_gaps', 'plot_profile', 'plot_radar')


def __getattr__(name: str):
    if name in _PLOTS:
        from .plotting import servqual as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
