"""Closing the loop: complaints, service recovery and who to call back first.

Complaints are where a customer tells the company, unasked, that an experience failed. This
module measures how often that happens (:func:`complaint_rates`), how fast the company answers
and resolves (:func:`response_times`, :func:`time_to_resolution` with open cases as censored
observations), what a complaint does to NPS and return afterwards, by how it was handled
(:func:`recovery_outcomes`), whether the service-recovery paradox holds
(:func:`recovery_paradox`), and turns the result into the loop's output: a ranked call-back
list (:func:`follow_up_list`).

Every function takes column names as arguments (lessons pass them from the world's roles), never
assumes the sample data's names, and returns a tidy table or a frozen dataclass.

References
----------
McCollough, M. A., Berry, L. L., & Yadav, M. S. (2000). An empirical investigation of customer
satisfaction after service failure and recovery. *Journal of Service Research* 3(2), 121–137.
de Matos, C. A., Henrique, J. L., & Rossi, C. A. V. (2007). Service recovery paradox: a
meta-analysis. *Journal of Service Research* 10(1), 60–77.
Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
*JASA* 53, 457–481.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .errors import CXDataError, format_examples
from .stats import proportions

__all__ = [
    "complaint_rates",
    "response_times",
    "time_to_resolution",
    "resolution_curve",
    "recovery_class",
    "recovery_outcomes",
    "RecoveryParadox",
    "recovery_paradox",
    "follow_up_list",
]

#: Fewer later answers than this in a group: its NPS is flagged, not interpreted.
SMALL_GROUP = 30

RECOVERY_CLASSES = ("no_complaint", "fast_resolved", "slow_resolved", "not_resolved", "open")


def _require(df: pd.DataFrame, columns, table: str) -> None:
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise CXDataError(f"{table}: column(s) {missing} not found; available: {list(df.columns)}")


def _numeric(df: pd.DataFrame, column: str, table: str, *, allow_missing: bool = False) -> np.ndarray:
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) & (df[column].notna().to_numpy() | ~allow_missing))
    if bad.size:
        raise CXDataError(f"{table}, column {column!r}: expected finite numbers; "
                          + format_examples(bad, df[column].to_numpy()[bad], label="position"))
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise CXDataError(f"{table}, column {column!r}: durations cannot be negative; "
                          + format_examples(negative, values[negative], label="position"))
    return values


def complaint_rates(complaints: pd.DataFrame, by: str, exposures: pd.Series | int,
                    conf: float = 0.95) -> pd.DataFrame:
    """Complaints per 100 exposures (stays, orders) by touchpoint, reason or any column.

    Parameters
    ----------
    complaints : pandas.DataFrame
        One row per complaint.
    by : str
        Grouping column (e.g. the touchpoint or reason).
    exposures : pandas.Series or int
        Opportunities to complain: one number for all groups (e.g. the number of stays), or a
        Series indexed like the groups (e.g. stays per property).
    conf : float
        Confidence level of the rate.

    Returns
    -------
    pandas.DataFrame
        One row per group, most frequent first: ``complaints``, ``share`` (of all complaints),
        ``rate`` (per 100 exposures), ``ci_low``, ``ci_high``.

    Notes
    -----
    The number of complaints is treated as Poisson with mean λ·exposures (a guest can complain
    more than once), with Garwood's exact interval::

        low  = χ²(α/2; 2k)/2,   high = χ²(1 − α/2; 2k + 2)/2,   rate = 100·k/E

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28, 437–442.

    Examples
    --------
    >>> c = pd.DataFrame({"reason": ["wait"] * 3 + ["wifi"]})
    >>> complaint_rates(c, "reason", 200)[["complaints", "rate"]]
            complaints  rate
    reason
    wait             3   1.5
    wifi             1   0.5
    """
    proportions.critical_z(conf)
    _require(complaints, [by], "complaints")
    counts = complaints[by].value_counts().rename("complaints")
    counts.index.name = by
    if isinstance(exposures, pd.Series):
        missing = counts.index.difference(exposures.index)
        if len(missing):
            raise CXDataError(f"exposures: no count for group(s) {list(missing)} of {by!r}")
        base = exposures.reindex(counts.index).astype(float)
    else:
        base = pd.Series(float(exposures), index=counts.index)
    if not (base > 0).all():
        raise CXDataError("exposures must be positive (the number of stays or orders that could complain)")
    alpha = 1 - conf
    k = counts.to_numpy(dtype=float)
    low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    out = pd.DataFrame({"complaints": counts, "share": counts / counts.sum(),
                        "rate": 100 * k / base, "ci_low": 100 * low / base, "ci_high": 100 * high / base})
    return out


def response_times(complaints: pd.DataFrame, column: str, target: float, by: str | None = None,
                   conf: float = 0.95) -> pd.DataFrame:
    """First-response times: median, 90th percentile and the share answered within ``target``.

    Parameters
    ----------
    complaints : pandas.DataFrame
        One row per complaint; every complaint has a first response time.
    column : str
        First-response time (e.g. hours).
    target : float
        The service-level target on the same scale (e.g. 1 hour).
    by : str, optional
        Grouping column (channel, property).
    conf : float
        Confidence level of the within-target share (Wilson).

    Returns
    -------
    pandas.DataFrame
        ``n``, ``median``, ``p90``, ``within_target`` (share), ``ci_low``, ``ci_high``; one row
        per group, or one row ``all``.

    References
    ----------
    Wilson (1927) for the share's interval; percentiles by linear interpolation (Hyndman & Fan
    1996, type 7, numpy's default).

    Examples
    --------
    >>> c = pd.DataFrame({"h": [0.5, 1.0, 2.0, 8.0]})
    >>> response_times(c, "h", target=1.0)[["n", "median", "within_target"]]
         n  median  within_target
    all  4     1.5            0.5
    """
    _require(complaints, [column, by], "complaints")
    if not (isinstance(target, int | float) and target > 0):
        raise ValueError(f"target must be a positive number, got {target!r}")
    times = _numeric(complaints, column, "complaints")
    keys = complaints[by].to_numpy() if by else np.full(len(times), "all", dtype=object)
    frame = pd.DataFrame({"key": keys, "t": times, "ok": times <= target})
    grouped = frame.groupby("key", sort=True)
    out = pd.DataFrame({
        "n": grouped.size(),
        "median": grouped["t"].median(),
        "p90": grouped["t"].quantile(0.9),
        "within_target": grouped["ok"].mean(),
    })
    low, high = proportions.wilson_interval(grouped["ok"].sum().to_numpy(), out["n"].to_numpy(), conf)
    out["ci_low"], out["ci_high"] = low, high
    out.index.name = by
    return out


def _durations(complaints, resolution, closed, opened, as_of, table="complaints"):
    _require(complaints, [resolution, closed, opened], table)
    done = complaints[closed].astype("boolean")
    if done.isna().any():
        rows = np.flatnonzero(done.isna().to_numpy())
        raise CXDataError(f"{table}, column {closed!r}: expected true/false; " + format_examples(rows, label="position"))
    done = done.to_numpy(dtype=bool)
    hours = pd.to_numeric(complaints[resolution], errors="coerce").to_numpy(dtype=float)
    need = np.flatnonzero(done & ~np.isfinite(hours))
    if need.size:
        raise CXDataError(f"{table}, column {resolution!r}: closed cases need a resolution time; "
                          + format_examples(need, label="position"))
    if (~done).any():
        if opened is None or as_of is None:
            raise CXDataError(f"{table}: {int((~done).sum())} case(s) are still open; pass opened= (the "
                              "complaint time column) and as_of= (the extraction time) so their time "
                              "open so far counts as censored, instead of being dropped")
        elapsed = (pd.Timestamp(as_of) - pd.to_datetime(complaints[opened])).dt.total_seconds() / 3600
        hours = np.where(done, hours, elapsed.to_numpy(dtype=float))
    negative = np.flatnonzero(hours < 0)
    if negative.size:
        raise CXDataError(f"{table}: negative time to resolution (open before the complaint or as_of "
                          "earlier than the complaint); " + format_examples(negative, hours[negative], label="position"))
    return hours, done


def resolution_curve(complaints: pd.DataFrame, resolution: str, closed: str, by: str | None = None,
                     opened: str | None = None, as_of=None) -> pd.DataFrame:
    """Kaplan–Meier curve: share of cases still open after t hours, open cases censored.

    Parameters
    ----------
    complaints : pandas.DataFrame
        One row per complaint.
    resolution : str
        Hours from complaint to closing the case (missing for open cases).
    closed : str
        True/false: the case was closed when the data were extracted.
    by : str, optional
        One curve per group.
    opened, as_of : str and timestamp, optional
        Complaint time column and extraction time, needed when some cases are open: their
        time open so far is a censored observation (dropping them would make resolution look
        faster than it is).

    Returns
    -------
    pandas.DataFrame
        ``group``, ``hours``, ``still_open`` (the survival function), one row per event time,
        starting at (0, 1).

    References
    ----------
    Kaplan & Meier (1958); computed by ``statsmodels.duration.survfunc.SurvfuncRight``.
    """
    hours, done = _durations(complaints, resolution, closed, opened, as_of)
    from statsmodels.duration.survfunc import SurvfuncRight

    keys = complaints[by].to_numpy() if by else np.full(len(hours), "all", dtype=object)
    parts = []
    for key in pd.unique(keys):
        mask = keys == key
        sf = SurvfuncRight(hours[mask], done[mask].astype(int))
        parts.append(pd.DataFrame({"group": key, "hours": np.r_[0.0, sf.surv_times],
                                   "still_open": np.r_[1.0, sf.surv_prob]}))
    return pd.concat(parts, ignore_index=True)


def time_to_resolution(complaints: pd.DataFrame, resolution: str, closed: str, target: float,
                       by: str | None = None, opened: str | None = None, as_of=None) -> pd.DataFrame:
    """Median and 90th-percentile time to resolution, and the share resolved within ``target``.

    Parameters
    ----------
    complaints, resolution, closed, by, opened, as_of
        As in :func:`resolution_curve`.
    target : float
        Resolution target in hours.

    Returns
    -------
    pandas.DataFrame
        ``n``, ``open`` (censored cases), ``median``, ``p90`` (NaN when more than 10% of cases
        would still be open at the last observed time: the curve never reaches it),
        ``resolved_within_target`` = 1 − S(target).

    Notes
    -----
    Percentiles of a censored time come from the Kaplan–Meier curve: the p-th percentile is
    the first time where S(t) ≤ 1 − p. A naive median over closed cases only is biased low.

    References
    ----------
    Kaplan & Meier (1958); Klein & Moeschberger (2003), *Survival Analysis*, §4.5.

    Examples
    --------
    Four cases, one open after 10 h: S drops to 3/4 at 1 h, 2/4 at 2 h, 1/4 at 5 h.

    >>> c = pd.DataFrame({"h": [1, 2, 5, None], "done": [True, True, True, False],
    ...                   "at": pd.to_datetime(["2025-01-01"] * 4)})
    >>> r = time_to_resolution(c, "h", "done", target=3, opened="at", as_of="2025-01-01 10:00")
    >>> r[["n", "open", "median", "resolved_within_target"]]
         n  open  median  resolved_within_target
    all  4     1     2.0                     0.5
    """
    if not (isinstance(target, int | float) and target > 0):
        raise ValueError(f"target must be a positive number of hours, got {target!r}")
    curve = resolution_curve(complaints, resolution, closed, by, opened, as_of)
    hours, done = _durations(complaints, resolution, closed, opened, as_of)
    keys = complaints[by].to_numpy() if by else np.full(len(hours), "all", dtype=object)
    rows = {}
    for key, part in curve.groupby("group", sort=True):
        times, surv = part["hours"].to_numpy(), part["still_open"].to_numpy()

        def quantile(p, times=times, surv=surv):
            hit = np.flatnonzero(surv <= 1 - p + 1e-12)
            return float(times[hit[0]]) if hit.size else float("nan")

        at_target = surv[np.searchsorted(times, target, side="right") - 1]
        mask = keys == key
        rows[key] = {"n": int(mask.sum()), "open": int((~done[mask]).sum()), "median": quantile(0.5),
                     "p90": quantile(0.9), "resolved_within_target": float(1 - at_target)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out


def recovery_class(complaints: pd.DataFrame, first_response: str, outcome: str, fast_hours: float,
                   resolved=("resolved",), open_values=("open",)) -> pd.Series:
    """How each complaint was handled: ``fast_resolved``, ``slow_resolved``, ``not_resolved``, ``open``.

    Parameters
    ----------
    complaints : pandas.DataFrame
        One row per complaint.
    first_response : str
        Hours to the first response.
    outcome : str
        The case's outcome column.
    fast_hours : float
        The response-time target: a response within it counts as fast.
    resolved, open_values : tuple of str
        Outcome values meaning "fully resolved" and "still open"; every other value is
        ``not_resolved`` (partly resolved counts as not resolved: the paradox literature
        requires full recovery).

    Returns
    -------
    pandas.Series
        One label per complaint (categorical, in :data:`RECOVERY_CLASSES` order).

    Examples
    --------
    >>> c = pd.DataFrame({"h": [0.5, 6, 0.5, 2], "out": ["resolved", "resolved", "partly", "open"]})
    >>> list(recovery_class(c, "h", "out", fast_hours=1))
    ['fast_resolved', 'slow_resolved', 'not_resolved', 'open']
    """
    _require(complaints, [first_response, outcome], "complaints")
    if not (isinstance(fast_hours, int | float) and fast_hours > 0):
        raise ValueError(f"fast_hours must be a positive number, got {fast_hours!r}")
    hours = _numeric(complaints, first_response, "complaints")
    out = complaints[outcome].astype(str).to_numpy()
    is_resolved = np.isin(out, list(resolved))
    label = np.select(
        [np.isin(out, list(open_values)), is_resolved & (hours <= fast_hours), is_resolved],
        ["open", "fast_resolved", "slow_resolved"], default="not_resolved")
    return pd.Series(pd.Categorical(label, categories=RECOVERY_CLASSES), index=complaints.index,
                     name="recovery")


def recovery_outcomes(groups: pd.Series, nps: pd.Series, baseline_nps: pd.Series,
                      returned: pd.Series | None = None, baseline_returned: pd.Series | None = None,
                      conf: float = 0.95) -> pd.DataFrame:
    """NPS (and return rate) after a complaint, by how it was handled, against customers with none.

    Parameters
    ----------
    groups : pandas.Series
        Recovery class per complaint (:func:`recovery_class`).
    nps : pandas.Series
        The complainant's later 0–10 answer, aligned with ``groups`` (missing = did not answer;
        such complaints are excluded from the NPS columns and counted in ``no_answer``).
    baseline_nps : pandas.Series
        0–10 answers of customers without a complaint (the comparison group).
    returned, baseline_returned : pandas.Series of bool, optional
        Did the customer come back (complainants / comparison group).
    conf : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per class with at least one complaint plus ``no_complaint``: ``complaints``,
        ``no_answer``, ``n``, ``nps``, ``ci_low``, ``ci_high``, ``vs_baseline`` (points) with its interval
        ``diff_ci_low``/``diff_ci_high``, ``p_value`` and ``p_holm`` (Holm over the classes), ``small_sample`` (fewer than 30 answers:
        the Wald interval is unreliable there), and with return data ``return_rate``,
        ``return_vs_baseline`` (points) with Newcombe's ``return_ci_low``/``return_ci_high``.

    Notes
    -----
    NPS per group and the difference to the baseline use the multinomial variance
    (:func:`cxlib.metrics.nps_test_from_counts`); Holm's step-down adjustment controls the
    family-wise error over the compared classes. This is an observational comparison: guests who
    complain, and those who answer a survey afterwards, are not a random subset (see
    :func:`recovery_paradox`).

    References
    ----------
    Reichheld (2003); Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6, 65–70. Newcombe (1998).
    """
    from statsmodels.stats.multitest import multipletests

    from .metrics import nps_category, nps_from_counts, nps_test_from_counts

    if len(groups) != len(nps):
        raise CXDataError(f"groups ({len(groups)}) and nps ({len(nps)}) must have one value per complaint")
    answered = nps.notna().to_numpy()
    cats = ["promoter", "passive", "detractor"]
    counts = pd.crosstab(np.asarray(groups)[answered],
                         nps_category(nps[answered].astype(int), name=nps.name or "nps")).reindex(columns=cats, fill_value=0)
    base_counts = nps_category(baseline_nps.dropna().astype(int), name="baseline_nps").value_counts().reindex(cats, fill_value=0)
    order = [c for c in RECOVERY_CLASSES if c in set(groups.astype(str))]
    rows = {}
    base = nps_from_counts(*base_counts.to_numpy(), conf)
    rows["no_complaint"] = {"complaints": 0, "no_answer": int(baseline_nps.isna().sum()), "n": base.n,
                            "nps": base.nps, "ci_low": base.ci_low, "ci_high": base.ci_high,
                            "vs_baseline": 0.0, "diff_ci_low": np.nan, "diff_ci_high": np.nan,
                            "p_value": np.nan}
    for cls in order:
        c = counts.loc[cls].to_numpy() if cls in counts.index else np.zeros(3, dtype=int)
        mask = np.asarray(groups.astype(str)) == cls
        row = {"complaints": int(mask.sum()), "no_answer": int((mask & ~answered).sum()), "n": int(c.sum())}
        if c.sum():
            r = nps_from_counts(*c, conf)
            test = nps_test_from_counts(c, base_counts.to_numpy(), conf)
            row |= {"nps": r.nps, "ci_low": r.ci_low, "ci_high": r.ci_high,
                    "vs_baseline": test.difference, "diff_ci_low": test.ci_low,
                    "diff_ci_high": test.ci_high, "p_value": test.p_value}
        else:
            row |= dict.fromkeys(("nps", "ci_low", "ci_high", "vs_baseline", "diff_ci_low",
                                  "diff_ci_high", "p_value"), np.nan)
        rows[cls] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["small_sample"] = out["n"] < SMALL_GROUP
    tested = out["p_value"].notna()
    out["p_holm"] = np.nan
    if tested.any():
        out.loc[tested, "p_holm"] = multipletests(out.loc[tested, "p_value"], method="holm")[1]
    if returned is not None and baseline_returned is not None:
        ret = pd.Series(np.asarray(returned, dtype=bool)).groupby(np.asarray(groups.astype(str))).agg(["sum", "size"])
        b_x, b_n = int(np.sum(baseline_returned)), len(baseline_returned)
        x = ret["sum"].reindex(out.index).fillna(0).to_numpy(dtype=float, copy=True)
        n = ret["size"].reindex(out.index).fillna(0).to_numpy(dtype=float, copy=True)
        x[0], n[0] = b_x, b_n
        low, high = proportions.newcombe_interval(x, n, b_x, b_n, conf)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["return_rate"] = x / n
        out["return_vs_baseline"] = 100 * (out["return_rate"] - b_x / b_n)
        out["return_ci_low"], out["return_ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
        out.loc["no_complaint", ["return_ci_low", "return_ci_high"]] = np.nan
    out.index.name = "recovery"
    return out


@dataclass(frozen=True)
class RecoveryParadox:
    """Is NPS after a fast, fully resolved complaint higher than with no complaint at all?

    ``verdict`` is ``"supported"`` (the interval of the difference lies above 0),
    ``"contradicted"`` (below 0) or ``"not_shown"``; ``caveats`` name what an observational
    comparison cannot rule out.
    """

    n_recovered: int
    n_baseline: int
    nps_recovered: float
    nps_baseline: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    verdict: str
    caveats: tuple[str, ...]


def recovery_paradox(table: pd.DataFrame, recovered: str = "fast_resolved") -> RecoveryParadox:
    """Read the service-recovery paradox off a :func:`recovery_outcomes` table, honestly.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`recovery_outcomes` (needs the ``no_complaint`` row and ``recovered``).
    recovered : str
        The class that received the best recovery.

    Returns
    -------
    RecoveryParadox
        The difference of NPS (recovered − no complaint) with its interval and p-value
        (unadjusted: this is the one pre-specified comparison), a verdict and its caveats:
        ``selection`` (who complains is not random), ``survivorship`` (who answers the later
        survey is not random), ``small_sample`` when the recovered group has fewer than 30
        answers.

    References
    ----------
    de Matos, Henrique & Rossi (2007): the paradox shows for satisfaction but not for
    repurchase intention or word of mouth on average; McCollough, Berry & Yadav (2000).
    """
    for row in (recovered, "no_complaint"):
        if row not in table.index:
            raise CXDataError(f"the recovery table has no {row!r} row (rows: {list(table.index)})")
    r, b = table.loc[recovered], table.loc["no_complaint"]
    if not r["n"]:
        raise CXDataError(f"no {recovered!r} complaint has a later NPS answer: nothing to compare")
    diff, low, high = float(r["vs_baseline"]), float(r["diff_ci_low"]), float(r["diff_ci_high"])
    verdict = "supported" if low > 0 else ("contradicted" if high < 0 else "not_shown")
    caveats = ["selection", "survivorship"] + (["small_sample"] if r["n"] < SMALL_GROUP else [])
    return RecoveryParadox(int(r["n"]), int(b["n"]), float(r["nps"]), float(b["nps"]), diff,
                           float(low), float(high), float(r["p_value"]), verdict, tuple(caveats))


def follow_up_list(cases: pd.DataFrame, *, customer: str, value: str, days_since: str,
                   reason: str | None = None, reason_weights: dict | None = None,
                   capacity: int = 20, half_life_days: float = 14.0) -> pd.DataFrame:
    """Who to call back first: detractors ranked by value × recency × reason.

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per detractor (or unresolved complaint) still to be followed up.
    customer : str
        Customer id column (one call per customer: their highest-priority row is kept).
    value : str
        The customer's value (spend, CLV); ranked to a percentile so units do not matter.
    days_since : str
        Days since the feedback: recent feedback is worth more (the customer still remembers).
    reason, reason_weights : str and dict, optional
        Reason column and a weight per reason (default 1 for every reason), e.g. a safety issue
        weighs 3.
    capacity : int
        How many calls the team can make.
    half_life_days : float
        After this many days a case's urgency halves.

    Returns
    -------
    pandas.DataFrame
        The ``capacity`` highest-priority customers with ``priority`` and its parts
        (``value_pct``, ``recency_weight``, ``reason_weight``), highest first.

    Notes
    -----
    A ranking rule, not a statistic: priority = value percentile × 2^(−days/half-life) ×
    reason weight. It is written out so a team can see and change why a customer is on the list.

    Examples
    --------
    Value percentiles 1/3, 1, 2/3; recency weights 2^(−1/14) = 0.95, 2^(−30/14) = 0.23,
    2^(−2/14) = 0.91; priorities 0.32, 0.23, 0.60: the month-old high spender drops out.

    >>> d = pd.DataFrame({"id": ["a", "b", "c"], "spend": [100, 900, 500], "days": [1, 30, 2]})
    >>> list(follow_up_list(d, customer="id", value="spend", days_since="days", capacity=2)["id"])
    ['c', 'a']
    """
    _require(cases, [customer, value, days_since, reason], "follow-up cases")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise ValueError(f"capacity must be a positive whole number, got {capacity!r}")
    if not half_life_days > 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days!r}")
    days = _numeric(cases, days_since, "follow-up cases")
    money = pd.to_numeric(cases[value], errors="coerce")
    if money.isna().any():
        rows = np.flatnonzero(money.isna().to_numpy())
        raise CXDataError(f"follow-up cases, column {value!r}: expected numbers; " + format_examples(rows, label="position"))
    out = cases.copy()
    out["value_pct"] = money.rank(pct=True).to_numpy()
    out["recency_weight"] = 0.5 ** (days / half_life_days)
    weights = reason_weights or {}
    out["reason_weight"] = (cases[reason].map(weights).astype(float).fillna(1.0).to_numpy()
                            if reason else 1.0)
    out["priority"] = out["value_pct"] * out["recency_weight"] * out["reason_weight"]
    out = out.sort_values("priority", ascending=False, kind="stable")
    out = out.drop_duplicates(customer, keep="first")
    return out.head(capacity).reset_index(drop=True)
