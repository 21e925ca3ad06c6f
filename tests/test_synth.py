"""The generator is deterministic, matches its dictionary, and plants the documented effects."""

import filecmp
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import datasets, synth

TOL = 0.08  # absolute tolerance on shares (a few standard errors at the default size)


@pytest.fixture(scope="module")
def hotel():
    return datasets.load_all("hotel")


@pytest.fixture(scope="module")
def shop():
    return datasets.load_all("ecommerce")


def nps(scores: pd.Series) -> float:
    s = scores.dropna()
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


@pytest.mark.parametrize("world", synth.WORLDS)
def test_regeneration_is_byte_identical_to_committed_sample(world, tmp_path):
    synth.regenerate(world, tmp_path)
    committed = datasets.sample_dir(world)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in committed.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path, committed, names, shallow=False)
    assert mismatch == [] and errors == []


@pytest.mark.parametrize("world", synth.WORLDS)
def test_two_runs_give_identical_tables_and_seed_changes_them(world):
    a = synth.generate(world, size=0.2, seed=7)
    b = synth.generate(world, size=0.2, seed=7)
    c = synth.generate(world, size=0.2, seed=8)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["survey"].equals(c["survey"])


@pytest.mark.parametrize("world", synth.WORLDS)
def test_size_scales_tables_and_output_validates(world, tmp_path):
    small = synth.generate(world, size=0.25)
    big = synth.generate(world, size=1.0)
    assert 3.0 < len(big["survey"]) / len(small["survey"]) < 5.0
    synth.write(world, tmp_path, size=0.25)
    for name in small:
        loaded = datasets.load(world, name, data_dir=tmp_path)
        assert len(loaded) == len(small[name])


def test_generate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="world must be one of"):
        synth.generate("bank")
    with pytest.raises(ValueError, match="size must be a positive number"):
        synth.generate("hotel", size=0)


def test_kano_pairs_classify_back_to_their_category():
    rng = np.random.default_rng(0)
    cats = np.array(list("AOMIRQ") * 50)
    func, dys = synth.kano_pairs(rng, cats)
    assert (synth._KANO_TABLE[func - 1, dys - 1] == cats).all()


# ----------------------------------------------------------------- planted effects (EFFECTS.md)
def test_hotel_long_checkin_waits_make_detractors(hotel):
    s = hotel["survey"].merge(hotel["stays"][["stay_id", "checkin_wait_min"]], on="stay_id")
    long = s["checkin_wait_min"] > 15
    det_long = (s.loc[long, "nps"].dropna() <= 6).mean()
    det_short = (s.loc[~long, "nps"].dropna() <= 6).mean()
    assert det_long == pytest.approx(0.45, abs=TOL)
    assert det_short == pytest.approx(0.25, abs=TOL)
    assert (s["checkin_wait_min"] > 15).mean() == pytest.approx(0.15, abs=0.05)


def test_hotel_room_cleanliness_is_the_strongest_driver(hotel):
    s = hotel["survey"]
    ratings = [c for c in s.columns if c.startswith("tp_")]
    r = s[ratings + ["overall_sat"]].corr()["overall_sat"].drop("overall_sat")
    assert r.idxmax() == "tp_room"
    assert r.sort_values().index[-2] == "tp_checkin"


def test_hotel_city_nps_dips_after_staffing_change(hotel):
    s = hotel["survey"].merge(hotel["stays"][["stay_id", "checkin_date"]], on="stay_id")
    city = s[s["property_id"] == "city"]
    dip = city["checkin_date"].between(synth.STAFFING_CHANGE, synth.STAFFING_RECOVERY - pd.Timedelta(days=1))
    assert nps(city.loc[dip, "nps"]) - nps(city.loc[~dip, "nps"]) == pytest.approx(-25, abs=10)
    others = s[s["property_id"] != "city"]
    dip_o = others["checkin_date"].between(synth.STAFFING_CHANGE, synth.STAFFING_RECOVERY - pd.Timedelta(days=1))
    assert abs(nps(others.loc[dip_o, "nps"]) - nps(others.loc[~dip_o, "nps"])) < 10


def test_hotel_airport_responsiveness_gap_is_largest(hotel):
    sq = hotel["servqual"]
    gaps = {}
    for prop, g in sq.groupby("property_id"):
        gaps[prop] = {
            dim: np.nanmean(np.column_stack([g[f"p{i:02d}"] - g[f"e{i:02d}"] for i in items]))
            for dim, items in synth.SERVQUAL_DIMENSIONS.items()
        }
    assert min(gaps["airport"], key=gaps["airport"].get) == "responsiveness"
    assert gaps["airport"]["responsiveness"] == pytest.approx(-1.8, abs=0.25)
    for prop in ("city", "resort"):
        assert min(gaps[prop], key=gaps[prop].get) == "reliability"


def test_hotel_promoters_return_and_spend_more(hotel):
    last = hotel["survey"].groupby("guest_id")["nps"].last().dropna()
    o = hotel["outcomes"].set_index("guest_id").loc[last.index]
    promoter, detractor = last >= 9, last <= 6
    assert o.loc[promoter, "returned_12m"].mean() == pytest.approx(0.55, abs=TOL)
    assert o.loc[detractor, "returned_12m"].mean() == pytest.approx(0.20, abs=TOL)
    ratio = o.loc[promoter, "revenue_12m"].mean() / o.loc[detractor, "revenue_12m"].mean()
    assert 3.0 < ratio < 7.0


@pytest.mark.parametrize(
    ("world", "expected"),
    [
        ("hotel", {"wifi": "M", "fast_checkin": "O", "personalised_welcome": "A", "pillow_menu": "I", "robot_delivery": "I"}),
        ("ecommerce", {"order_tracking": "M", "one_click_pay": "O", "ar_try_on": "A", "dark_mode": "I"}),
    ],
)
def test_kano_modal_categories(world, expected):
    kano = datasets.load(world, "kano")
    for feature, category in expected.items():
        cats = synth._KANO_TABLE[kano[f"{feature}_func"] - 1, kano[f"{feature}_dys"] - 1]
        values, counts = np.unique(cats, return_counts=True)
        assert values[counts.argmax()] == category, feature


def test_shop_web_payment_leak_closes_after_one_click_pay(shop):
    ev = shop["events"]
    sessions = ev.groupby("session_id").agg(
        platform=("platform", "first"), start=("timestamp", "min"),
        paid=("step", lambda s: (s == "payment").any()), ordered=("step", lambda s: (s == "order").any()),
    )
    sessions = sessions[sessions["paid"]]
    after = sessions["start"] >= synth.ONE_CLICK_RELEASE
    conv = sessions.groupby([sessions["platform"], after])["ordered"].mean()
    assert conv[("web", False)] == pytest.approx(0.50, abs=TOL)
    assert conv[("web", True)] == pytest.approx(0.82, abs=TOL)
    assert conv[("app", False)] == pytest.approx(0.80, abs=TOL)
    assert conv[("app", True)] == pytest.approx(0.86, abs=TOL)


def test_shop_delivery_and_quality_drive_csat(shop):
    s = shop["survey"]
    r = s[[c for c in s.columns if c.startswith("tp_")] + ["csat"]].corr()["csat"].drop("csat")
    assert set(r.sort_values().index[-2:]) == {"tp_delivery", "tp_product"}


def test_shop_promoters_order_more_after_their_survey(shop):
    s = shop["survey"].dropna(subset=["nps"])
    first = s.sort_values("survey_date").groupby("customer_id").first()
    orders = shop["orders"].merge(first[["survey_date", "nps"]], left_on="customer_id", right_index=True)
    later = orders[orders["order_time"] > orders["survey_date"]].groupby("customer_id").size()
    per = first["nps"].to_frame().join(later.rename("later")).fillna({"later": 0})
    ratio = per.loc[per["nps"] >= 9, "later"].mean() / per.loc[per["nps"] <= 6, "later"].mean()
    assert ratio > 1.2


def test_shop_one_click_adoption_after_release(shop):
    ev = shop["events"]
    pay = ev[(ev["step"] == "payment") & (ev["timestamp"] >= synth.ONE_CLICK_RELEASE)]
    assert pay["one_click"].mean() == pytest.approx(0.55, abs=TOL)
    before = ev[(ev["timestamp"] < synth.ONE_CLICK_RELEASE)]
    assert not before["one_click"].any()


# ----------------------------------------------------------------- composed reviews
@pytest.mark.parametrize("world", synth.WORLDS)
def test_reviews_are_varied_not_templated(world):
    r = datasets.load(world, "reviews")
    assert r["text"].nunique() / len(r) >= 0.90
    for lang, part in r.groupby("lang"):
        assert part["text"].nunique() / len(part) >= 0.85, lang
    lengths = r["text"].str.len()
    assert lengths.quantile(0.9) > 2.5 * lengths.quantile(0.1)  # short and long reviews
    but = r["text"].str.contains(r", but |; however, |, yet |，但是|，不过|，可是|，只是")
    assert (but & (r["rating"] >= 4)).sum() >= 20 and (but & (r["rating"] <= 2)).sum() >= 5  # mixed reviews


def test_review_banks_expand_alternatives_and_intensifiers():
    got = synth._expand("the room was {i}[clean|tidy]", "en")
    assert "the room was very clean" in got and "the room was tidy" in got
    assert len(got) == 2 * len(synth._INTENSIFIERS["en"])
    assert synth._expand("房间{i}干净", "zh")[0] == "房间很干净"


def test_composed_review_joins_a_complaint_before_the_verdict():
    rng = np.random.default_rng(0)
    lang = np.array(["en", "zh"], dtype=object)
    stars = np.array([5, 1])
    mentions = {"dirty": np.array([-1, -1]), "clean": np.array([0, 0]), "location": np.array([1, 1])}
    texts = synth._compose_reviews(rng, synth.HOTEL_BANK, synth.HOTEL_FRAMES, lang, stars, mentions, np.array([0, 0]))
    en, zh = texts
    assert any(w in en.lower() for w in ("dirty", "not clean", "filthy", "hair", "stains", "dust", "housekeeping"))
    assert re.search(r"(, but |; however, |, yet ).*(location|convenient)", en), en  # 5 stars: complaint first
    assert re.search(r"(位置|地铁|地段|周边|景点|会展).*(，但是|，不过|，可是|，只是).*(脏|干净|头发|污渍|霉味|异味|卫生)", zh), zh


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text("abcxyz ", min_size=1, max_size=4), min_size=1, max_size=3, unique=True), max_size=3),
       st.booleans())
def test_expand_gives_every_combination(groups, intensified):
    template = "".join(f"<{k}>[{'|'.join(g)}]" for k, g in enumerate(groups)) + ("{i}x" if intensified else "")
    got = synth._expand(template, "en")
    expected = int(np.prod([len(g) for g in groups])) * (len(synth._INTENSIFIERS["en"]) if intensified else 1)
    assert len(got) == expected
    assert all("[" not in t and "{i}" not in t for t in got)
