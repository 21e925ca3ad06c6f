"""Each planted effect of EFFECTS.md, computed from the sample data with the library (used by test_effects.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlib import datasets, drivers, heart, kano, metrics, roles, servqual, synth, value


def _nps(scores) -> float:
    return metrics.nps(pd.Series(scores).dropna()).nps


def _lmg(df: pd.DataFrame, outcome: str, cols) -> pd.Series:
    return drivers.shapley_r2(df.dropna(subset=[*cols, outcome]), outcome, list(cols))["pct"]


MIXED_KANO = {"hotel": "smart_room_controls", "ecommerce": "personalised_recommendations"}


def _kano(world: str, t) -> dict:
    r = roles.of(world).kano
    table = kano.kano_table(t["kano"], list(r.feature_ids)).set_index("feature")
    counts = table[list("AOMIRQ")]
    shares = counts.div(counts.sum(axis=1), axis=0)
    modal = shares.max(axis=1)
    clear = modal.drop(MIXED_KANO[world])
    top2 = np.sort(shares.loc[MIXED_KANO[world]].to_numpy())[-2:]
    return {"min_share": float(clear.min()), "max_share": float(clear.max()), "mixed_gap": float(top2[1] - top2[0])}


def _sessions(events, r) -> pd.DataFrame:
    cols = {"session": r.session, "user": r.customer, "platform": r.channel, "step": r.step, "time": r.time,
            "error": r.error, "feature": r.feature}
    return heart.sessions(events, r.step_ids, columns=cols)


def _completion(sess, release, start: str, end: str) -> dict:
    s = sess[sess[f"reached_{start}"]]
    after = s["start"] >= release
    rate = s.groupby([s["platform"], after])[f"reached_{end}"].mean()
    return {f"{p}_{'after' if a else 'before'}": float(v) for (p, a), v in rate.items()}


# ----------------------------------------------------------------------------- hotel
def hotel_checkin_wait(t):
    s = t["survey"].merge(t["stays"][["stay_id", "checkin_wait_min"]], on="stay_id")
    long = s["checkin_wait_min"] > 15
    return {"long": metrics.nps(s.loc[long, "nps"].dropna()).detractors,
            "short": metrics.nps(s.loc[~long, "nps"].dropna()).detractors,
            "share_long": float((t["stays"]["checkin_wait_min"] > 15).mean())}


def hotel_room_cleanliness(t):
    cols = list(roles.of("hotel").survey.touchpoint_columns)
    pct = _lmg(t["survey"], "overall_sat", cols)
    pct.index = cols
    return {"room_pct": float(pct["tp_room"]), "room_is_first": float(pct.idxmax() == "tp_room")}


def hotel_city_nps_dip(t):
    s = t["survey"].merge(t["stays"][["stay_id", "checkin_date"]], on="stay_id")
    city = s[s["property_id"] == "city"]
    dip = city["checkin_date"].between(synth.STAFFING_CHANGE, synth.STAFFING_RECOVERY - pd.Timedelta(days=1))
    return {"dip": _nps(city.loc[dip, "nps"]) - _nps(city.loc[~dip, "nps"])}


def hotel_airport_responsiveness(t):
    g = servqual.gap_by_dimension(t["servqual"], by="property_id").set_index(["property_id", "dimension"])["gap"]
    others = g.drop("airport", level=0)
    return {"airport_resp": float(g[("airport", "responsiveness")]),
            "other_largest": float(others.min()),
            "airport_resp_is_largest": float(g["airport"].idxmin() == "responsiveness")}


def hotel_promoters_return(t):
    last = t["survey"].sort_values("survey_date").groupby("guest_id")["nps"].last().dropna()
    o = t["outcomes"].set_index("guest_id").loc[last.index]
    p, d = last >= 9, last <= 6
    return {"return_p": float(o.loc[p, "returned_12m"].mean()), "return_d": float(o.loc[d, "returned_12m"].mean()),
            "revenue_ratio": float(o.loc[p, "revenue_12m"].mean() / o.loc[d, "revenue_12m"].mean())}


def hotel_kano_categories(t):
    return _kano("hotel", t)


def hotel_booking_leak(t):
    r = roles.of("hotel").events
    sess = _sessions(t["booking_events"], r)
    return _completion(sess, synth.EXPRESS_PAY_RELEASE, "payment", "confirmation")


def _recovery(c: pd.DataFrame, slow_h: float) -> dict:
    """NPS after fast, fully resolved cases vs the others, and after slow first responses vs the rest."""
    fast_full = (c["first_response_h"] <= synth.RECOVERY_FAST_H) & (c["outcome"] == "resolved")
    slow = c["first_response_h"] > slow_h
    return {"fast_full": _nps(c.loc[fast_full, "nps_after"]), "others": _nps(c.loc[~fast_full, "nps_after"]),
            "slow": _nps(c.loc[slow, "nps_after"]), "not_slow": _nps(c.loc[~slow, "nps_after"])}


def hotel_service_recovery(t):
    c = t["complaints"]
    out = _recovery(c, synth.HOTEL_SLOW_H)
    none = t["survey"][~t["survey"]["stay_id"].isin(c["stay_id"])]
    return {**out, "other_complaints": out.pop("others"), "no_complaint": _nps(none["nps"]),
            "complaint_rate": len(c) / len(t["stays"])}


def hotel_checkin_experiment(t):
    e = t["experiment"]
    m = e.groupby("arm")["checkin_min"].mean()
    r = np.corrcoef(e["pre_checkin_min"], e["checkin_min"])[0, 1]
    return {"control": float(m["control"]), "treatment": float(m["new_flow"]),
            "ratio": float(m["new_flow"] / m["control"]), "variance_cut": float(r**2)}


# ----------------------------------------------------------------------------- shop
def ecommerce_web_payment_leak(t):
    r = roles.of("ecommerce").events
    sess = _sessions(t["events"], r)
    return _completion(sess, synth.ONE_CLICK_RELEASE, "payment", "order")


def ecommerce_delivery_quality_drivers(t):
    s = t["survey"]
    cols = [c for c in ("tp_search", "tp_product_page", "tp_checkout", "tp_payment", "tp_delivery", "tp_product")]
    pct = _lmg(s, "csat", cols)
    pct.index = cols
    top = set(pct.sort_values().index[-2:])
    return {"top_two": float(top == {"tp_delivery", "tp_product"}),
            "delivery_pct": float(pct["tp_delivery"]), "product_pct": float(pct["tp_product"])}


def ecommerce_happy_customers_buy_more(t):
    later = value.outcomes_after_survey(t["survey"], t["orders"], "customer_id", "order_time", "margin")
    p, d = later["nps"] >= 9, later["nps"] <= 6
    return {"order_ratio": float(later.loc[p, "n_after"].mean() / later.loc[d, "n_after"].mean())}


def ecommerce_one_click_adoption(t):
    ev = t["events"]
    pay = ev[(ev["step"] == "payment") & (ev["timestamp"] >= synth.ONE_CLICK_RELEASE)]
    return {"payment_share": float(pay["one_click"].mean())}


def ecommerce_kano_categories(t):
    return _kano("ecommerce", t)


def ecommerce_esqual_fulfilment(t):
    r = roles.of("ecommerce").servqual
    g = servqual.gap_by_dimension(t["esqual"], instrument=r.instrument).set_index("dimension")["gap"]
    by = servqual.gap_by_dimension(t["esqual"], by="platform", instrument=r.instrument)
    sa = by[by["dimension"] == "system_availability"].set_index("platform")["gap"]
    return {"fulfilment": float(g["fulfilment"]), "fulfilment_is_largest": float(g.idxmin() == "fulfilment"),
            "next_largest": float(g.drop("fulfilment").min()),
            "sa_web": float(sa["web"]), "sa_app": float(sa["app"])}


def ecommerce_peak_end(t):
    from cxlib import journey

    r = roles.of("ecommerce").survey
    out = journey.peak_end(t[r.table], list(r.touchpoint_columns), r.nps)  # as lesson 01 computes it
    return {"r2_worst": float(out.loc["worst", "r2"]), "r2_mean": float(out.loc["mean", "r2"])}


def ecommerce_support_recovery(t):
    return _recovery(t["support"], synth.SHOP_SLOW_H)


def ecommerce_checkout_experiment(t):
    e = t["experiment"]
    conv = e.groupby("arm")["converted"].mean()
    r = np.corrcoef(e["pre_revenue_90d"], e["revenue_14d"])[0, 1]
    return {"control": float(conv["control"]), "treatment": float(conv["new_checkout"]),
            "lift_pp": float(100 * (conv["new_checkout"] - conv["control"])), "variance_cut": float(r**2)}


def measure(world: str, effect_id: str, tables=None) -> dict[str, float]:
    """The values of one planted effect, computed from the (sample) tables."""
    tables = tables if tables is not None else datasets.load_all(world)
    return globals()[f"{world}_{effect_id}"](tables)
