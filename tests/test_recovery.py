"""Closing the loop: complaint rates, resolution times with censoring, recovery outcomes, call-back list."""

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cxlib import recovery
from cxlib.errors import CXDataError


def test_complaint_rates_garwood_interval():
    c = pd.DataFrame({"tp": ["room"] * 4 + ["wifi"]})
    out = recovery.complaint_rates(c, "tp", pd.Series({"room": 200, "wifi": 50}))
    assert out.loc["room", "rate"] == 2.0 and out.loc["wifi", "rate"] == 2.0
    # Garwood (1936) for k = 4: [chi2(.025, 8)/2, chi2(.975, 10)/2] = [1.0899, 10.2416]
    assert out.loc["room", "ci_low"] == pytest.approx(100 * 1.08987 / 200, rel=1e-4)
    assert out.loc["room", "ci_high"] == pytest.approx(100 * 10.24159 / 200, rel=1e-4)
    assert out["share"].sum() == pytest.approx(1.0)


def test_complaint_rates_need_an_exposure_for_every_group():
    c = pd.DataFrame({"tp": ["room", "spa"]})
    with pytest.raises(CXDataError, match="spa"):
        recovery.complaint_rates(c, "tp", pd.Series({"room": 10}))


def test_response_times_hand_worked():
    c = pd.DataFrame({"h": [0.2, 0.5, 1.0, 3.0, 0.1, 9.0], "ch": list("aaaabb")})
    out = recovery.response_times(c, "h", target=1.0, by="ch")
    assert out.loc["a", "median"] == 0.75 and out.loc["a", "within_target"] == 0.75
    assert out.loc["b", "p90"] == pytest.approx(0.1 + 0.9 * 8.9)


def test_kaplan_meier_by_hand_and_naive_median_is_biased():
    # 6 cases: closed at 1, 2, 3, 8 h; two open for 4 h and 10 h so far.
    c = pd.DataFrame({"h": [1, 2, 3, None, 8, None], "done": [True, True, True, False, True, False],
                      "at": pd.to_datetime(["2025-01-01 06:00", "2025-01-01 00:00", "2025-01-01 00:00",
                                            "2025-01-01 06:00", "2025-01-01 00:00", "2025-01-01 00:00"])})
    as_of = "2025-01-01 10:00"
    curve = recovery.resolution_curve(c, "h", "done", opened="at", as_of=as_of)
    # S(1) = 5/6, S(2) = 4/6, S(3) = 3/6; censored at 4; S(8) = 3/6 * 1/2; censored at 10.
    expected = {1: 5 / 6, 2: 4 / 6, 3: 3 / 6, 8: 3 / 6 * 1 / 2}
    got = dict(zip(curve["hours"], curve["still_open"], strict=True))
    for t, s in expected.items():
        assert got[t] == pytest.approx(s)
    r = recovery.time_to_resolution(c, "h", "done", target=2.5, opened="at", as_of=as_of)
    assert r.loc["all", "median"] == 3.0
    assert r.loc["all", "open"] == 2
    assert r.loc["all", "resolved_within_target"] == pytest.approx(2 / 6)
    assert np.isnan(r.loc["all", "p90"])  # the curve never falls to 0.1
    naive = c.loc[c.done, "h"].median()
    assert naive < r.loc["all", "median"]


def test_open_cases_are_not_dropped_silently():
    c = pd.DataFrame({"h": [1.0, None], "done": [True, False]})
    with pytest.raises(CXDataError, match="still open"):
        recovery.time_to_resolution(c, "h", "done", target=2)
    c = pd.DataFrame({"h": [1.0, None], "done": [True, True]})
    with pytest.raises(CXDataError, match="closed cases need a resolution time"):
        recovery.time_to_resolution(c, "h", "done", target=2)


def test_recovery_class():
    c = pd.DataFrame({"h": [0.5, 1.0, 1.5, 0.2, 0.3], "o": ["resolved", "resolved", "resolved",
                                                           "partly_resolved", "open"]})
    got = list(recovery.recovery_class(c, "h", "o", fast_hours=1.0))
    assert got == ["fast_resolved", "fast_resolved", "slow_resolved", "not_resolved", "open"]
    with pytest.raises(CXDataError, match="finite numbers"):
        recovery.recovery_class(c.assign(h=["x", 1, 1, 1, 1]), "h", "o", fast_hours=1)


def _outcome_data():
    groups = pd.Series(["fast_resolved"] * 4 + ["not_resolved"] * 3)
    nps = pd.Series([10, 9, 8, None, 2, 5, 9], dtype="Float64")
    base = pd.Series([10, 7, 3, 9])
    return groups, nps, base


def test_recovery_outcomes_hand_worked():
    groups, nps, base = _outcome_data()
    t = recovery.recovery_outcomes(groups, nps, base,
                                   returned=pd.Series([1, 1, 0, 0, 0, 0, 1], dtype=bool),
                                   baseline_returned=pd.Series([True, False, False, False]))
    # baseline: 2 promoters, 1 passive, 1 detractor -> 25; fast: 2P 1Pa 0D of 3 answers -> 66.7
    assert t.loc["no_complaint", "nps"] == 25.0
    assert t.loc["fast_resolved", "nps"] == pytest.approx(200 / 3)
    assert t.loc["fast_resolved", ["complaints", "no_answer", "n"]].tolist() == [4, 1, 3]
    assert t.loc["not_resolved", "nps"] == pytest.approx(100 * (1 - 2) / 3)
    assert t.loc["fast_resolved", "vs_baseline"] == pytest.approx(200 / 3 - 25)
    var = (2 / 3 - (2 / 3) ** 2) / 3 + (0.75 - 0.25**2) / 4
    z = (200 / 3 - 25) / (100 * np.sqrt(var))
    assert t.loc["fast_resolved", "p_value"] == pytest.approx(2 * sps.norm.sf(z), rel=1e-9)
    assert t["p_holm"].dropna().ge(t["p_value"].dropna()).all()
    assert t["small_sample"].all()
    assert t.loc["fast_resolved", "return_rate"] == 0.5
    assert t.loc["fast_resolved", "return_vs_baseline"] == pytest.approx(25.0)


def test_recovery_paradox_verdicts_follow_the_interval():
    groups, nps, base = _outcome_data()
    t = recovery.recovery_outcomes(groups, nps, base)
    r = recovery.recovery_paradox(t)
    assert r.verdict == "not_shown" and "small_sample" in r.caveats
    many = pd.Series(["fast_resolved"] * 400)
    strong = recovery.recovery_outcomes(many, pd.Series([10] * 300 + [8] * 100), pd.Series([10, 5] * 200))
    assert recovery.recovery_paradox(strong).verdict == "supported"
    weak = recovery.recovery_outcomes(many, pd.Series([3] * 300 + [8] * 100), pd.Series([10, 5] * 200))
    assert recovery.recovery_paradox(weak).verdict == "contradicted"
    assert recovery.recovery_paradox(weak).caveats == ("selection", "survivorship")


def test_follow_up_list_one_call_per_customer_and_capacity():
    d = pd.DataFrame({"id": ["a", "a", "b", "c"], "spend": [100, 100, 900, 500], "days": [1, 0, 30, 2],
                      "why": ["wait", "safety", "wait", "wait"]})
    out = recovery.follow_up_list(d, customer="id", value="spend", days_since="days", reason="why",
                                  reason_weights={"safety": 3.0}, capacity=2)
    assert list(out["id"]) == ["a", "c"]
    assert out.loc[0, "why"] == "safety" and out.loc[0, "reason_weight"] == 3.0
    with pytest.raises(ValueError):
        recovery.follow_up_list(d, customer="id", value="spend", days_since="days", capacity=0)


def test_docstring_examples():
    result = doctest.testmod(recovery, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_recovery_charts_draw_results_and_name_what_is_missing():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxlib.plotting import recovery as charts

    c = pd.DataFrame({"tp": ["room"] * 4 + ["wifi"], "h": [1, 2, 3, 4, 5.0], "done": [True] * 5})
    _, ax = plt.subplots()
    assert charts.plot_complaint_rates(recovery.complaint_rates(c, "tp", 100), unit="stays", ax=ax) is ax
    assert ax.get_xlabel() == "Complaints per 100 stays"
    curve = recovery.resolution_curve(c, "h", "done")
    assert charts.plot_resolution_curve(curve, target=2, ax=ax, lang="zh") is ax
    groups, nps, base = _outcome_data()
    assert charts.plot_recovery_nps(recovery.recovery_outcomes(groups, nps, base), ax=ax) is ax
    with pytest.raises(CXDataError, match="rate"):
        charts.plot_complaint_rates(pd.DataFrame({"complaints": [1]}), unit="stays", ax=ax)
    with pytest.raises(CXDataError, match="still_open"):
        charts.plot_resolution_curve(curve.drop(columns="still_open"), ax=ax)
    plt.close("all")
