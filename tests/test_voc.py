"""Tests of cxlib.voc: cleaning, tokens, themes, sentiment (hand-worked and measured), reasons, charts."""

import doctest
import math
import subprocess
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import datasets, plots, voc
from cxlib.errors import CXDataError, ScoreError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def labelled():
    return voc.load_labelled()


@pytest.fixture(scope="module")
def sample():
    return {w: datasets.load(w, "reviews") for w in datasets.WORLDS}


def score_of(text):
    return float(voc.score_sentiment([text])["score"].iloc[0])


# --------------------------------------------------------------------------- cleaning
def test_html_is_stripped_and_script_content_never_returned():
    out = voc.clean_text([
        "<p>Great stay!</p><script>alert('x')</script><br>Thanks",
        "&lt;script&gt;alert(1)&lt;/script&gt;房间很干净",
        "<SCRIPT type='text/javascript'>document.cookie</SCRIPT >ok",
        "<style>p{color:red}</style><b>bold</b> &amp; plain",
        "<script>never closed",
        "I <3 this hotel, price < 100",
        "quality < expected and price > 200",
    ])
    assert out.tolist() == ["Great stay!\nThanks", "房间很干净", "ok", "bold & plain", "never closed",
                            "I <3 this hotel, price < 100", "quality < expected and price > 200"]
    assert not any("<script" in t.lower() or "alert" in t for t in out)


def test_missing_blank_and_odd_values_become_empty_and_are_counted():
    raw = pd.Series([None, np.nan, "", "   \n\t ", "<br><p></p>", pd.NA, 5, b"\xe5\xa5\xbd", "ok\x00\u200b"],
                    index=list("abcdefghi"))
    out = voc.clean_text(raw)
    assert out.tolist() == ["", "", "", "", "", "", "5", "好", "ok"]
    assert out.attrs["n_empty"] == 6
    assert out.attrs["empty"] == list("abcdef")
    assert list(out.index) == list("abcdefghi")  # nothing dropped


def test_clean_text_accepts_one_string_and_rejects_a_frame():
    assert voc.clean_text("  <i>hi</i> ").tolist() == ["hi"]
    with pytest.raises(TypeError, match="DataFrame"):
        voc.clean_text(pd.DataFrame({"text": ["a"]}))


def test_duplicate_index_is_an_error_naming_the_labels():
    with pytest.raises(CXDataError, match=r"duplicated labels.*'r1'"):
        voc.score_sentiment(pd.Series(["good", "bad"], index=["r1", "r1"]))


def test_very_long_review_is_processed_whole():
    long_zh = "房间真的不干净而且前台办理入住也太慢了吧" * 5000  # 10⁵ characters, no sentence break
    long_en = "The room was not clean and we waited forever. " * 2200
    assert len(long_zh) == 100_000
    assert len(voc.clean_text([long_zh]).iloc[0]) == 100_000
    scored = voc.score_sentiment([long_zh, long_en])
    assert scored["sentiment"].tolist() == ["negative", "negative"]
    tagged = voc.tag_themes([long_zh, long_en], world="hotel")
    assert {"room_cleanliness", "checkin_wait"} <= set(tagged["theme"])
    assert tagged["sentence"].str.len().max() <= voc.MAX_SENTENCE_CHARS + 1  # shown text is capped, with "…"


# --------------------------------------------------------------------------- tokens
def test_chinese_tokens_use_the_domain_dictionary():
    assert voc.tokenize("前台办理入住等了40分钟才拿到房卡") == ["前台", "办理入住", "等", "40", "分钟", "才", "拿到", "房卡"]
    assert "一键支付" in voc.tokenize("一键支付很方便")
    assert "无线网络" in voc.tokenize("无线网络太慢")


def test_english_tokens_are_lower_case_and_keep_contractions_and_emoji():
    assert voc.tokenize("The Room WASN'T clean 😡, check-in took 40 min!") == [
        "room", "wasn't", "clean", "😡", "check-in", "took", "40", "min"]
    assert voc.tokenize("Didn’t like it", stopwords=False) == ["didn't", "like", "it"]


def test_stop_words_keep_negators_and_sentiment_ignores_stop_words():
    assert voc.tokenize("房间不是很干净") == ["房间", "不是", "干净"]
    assert voc.tokenize("it was not very clean") == ["not", "clean"]
    assert voc.tokenize("it was not very clean", stopwords=False) == ["it", "was", "not", "very", "clean"]
    assert score_of("it was not very clean") == pytest.approx(-0.9 * 1.4 * 1.8)  # "very" still counts


def test_mixed_language_review():
    text = "房间很干净，早餐也不错 but the wifi wasn't working"
    assert voc.detect_lang(text) == "zh"  # 10 Chinese characters outweigh 22 letters
    assert voc.detect_lang("We loved the 小笼包 at breakfast") == "en"
    assert voc.detect_lang("👍👍") is None
    tagged = voc.tag_themes([text], world="hotel")
    got = dict(zip(tagged["theme"], tagged["sentiment"], strict=True))
    assert got == {"room_cleanliness": "positive", "breakfast": "positive", "wifi": "negative"}


def test_jieba_is_initialised_quietly():
    code = "from cxlib import voc; print(voc.tokenize('房间很干净'))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0
    assert run.stdout.strip() == "['房间', '干净']"
    assert run.stderr == ""


def test_token_counts(sample):
    counts = voc.token_counts(["房间很干净", "房间不干净", None, "Clean room, clean sheets"], top=None)
    zh = counts[counts["lang"] == "zh"].set_index("token")
    assert zh.loc["房间", "n"] == 2 and zh.loc["干净", "n_reviews"] == 2
    en = counts[counts["lang"] == "en"].set_index("token")
    assert en.loc["clean", "n"] == 2 and en.loc["clean", "n_reviews"] == 1
    assert counts.attrs["n_empty"] == 1


# --------------------------------------------------------------------------- sentiment rules (hand-worked)
# Valences from the lexicon files: 干净/clean 1.8, bad −2.0, 不错 1.5, helpful 1.8, good 1.5, 好 1.5,
# small −0.5, 棒 2.0, 恶劣 −2.5; intensifiers very 1.4, 太 1.5; negated positive ×(−0.9), negated
# negative ×(−0.5); expected thing negated −1.5; contrast 0.5 / 1.5; "average" verdict ×0.25.
@pytest.mark.parametrize(
    ("text", "score", "label"),
    [
        ("房间不干净", -0.9 * 1.8, "negative"),
        ("not clean", -0.9 * 1.8, "negative"),
        ("wasn't helpful", -0.9 * 1.8, "negative"),
        ("not bad", 0.5 * 2.0, "positive"),
        ("不错", 1.5, "positive"),
        ("没有热水", -1.5, "negative"),
        ("No hot water for two days.", -1.5, "negative"),
        ("very good", 1.4 * 1.5, "positive"),
        ("不太好", -0.9 * 1.5 * 1.5, "negative"),  # 不 + 太 + 好: split from one jieba token
        ("太棒了", 1.5 * 2.0, "positive"),  # the particle 了 is dropped
        ("服务员态度恶劣", -2.5, "negative"),  # 恶劣 found at the end of the token 态度恶劣
        ("The room was small but clean", 0.5 * -0.5 + 1.5 * 1.8, "positive"),
        ("Neither good nor bad", -0.9 * 1.5 + 0.5 * 2.0, "neutral"),  # each negator scopes one word
        ("not that I thought it was clean", 1.8, "positive"),  # negator more than 3 tokens before
        ("It was okay. Very clean room.", 0.25 * 1.4 * 1.8, "neutral"),
        ("房间很干净👍", 1.3 * 1.8 + 1.5, "positive"),
        ("Room. Room.", 0.0, "neutral"),
    ],
)
def test_hand_worked_scores(text, score, label):
    got = voc.score_sentiment([text])
    assert got["score"].iloc[0] == pytest.approx(score, abs=1e-3)
    assert got["sentiment"].iloc[0] == label


def test_explain_sentiment_adds_up():
    table = voc.explain_sentiment("虽然价格有点贵，但是服务真的很好。")
    assert table["contribution"].sum() == pytest.approx(table.attrs["score"], abs=1e-3)
    gui = table.set_index("token")
    assert gui.loc["贵", "weight"] == pytest.approx(0.25)  # after 虽然 and before 但是
    assert gui.loc["好", "weight"] == pytest.approx(1.5)
    assert table.attrs["sentiment"] == "positive"
    assert voc.explain_sentiment("").empty


def test_empty_reviews_are_counted_not_dropped():
    out = voc.score_sentiment(pd.Series(["good", None, "  ", "<p></p>"], index=[10, 11, 12, 13]))
    assert list(out.index) == [10, 11, 12, 13]
    assert out["empty"].tolist() == [False, True, True, True]
    assert out["sentiment"].iloc[1:].isna().all() and out["score"].iloc[1:].isna().all()
    assert out.attrs["n_empty"] == 3


def test_langs_are_validated():
    with pytest.raises(CXDataError, match=r"unknown languages.*'fr'"):
        voc.score_sentiment(["a", "b"], ["en", "fr"])
    with pytest.raises(CXDataError, match="3 values for 2 reviews"):
        voc.score_sentiment(["a", "b"], ["en", "en", "zh"])
    with pytest.raises(ValueError, match="lang must be one of"):
        voc.score_sentiment(["a"], "de")
    out = voc.score_sentiment(["很好", "good", None], [None, np.nan, "zh"])
    assert out["lang"].iloc[:2].tolist() == ["zh", "en"] and pd.isna(out["lang"].iloc[2])


def test_lexicon_files_hold_only_text_keys():
    """YAML 1.1 reads a bare ``no`` as false: every lexicon entry must stay a string."""
    for lang in ("en", "zh"):
        raw = voc.load_lexicon(lang)
        for kind in ("words", "negators", "intensifiers", "expected", "neutral", "contrast", "concession"):
            items = raw[kind]
            assert all(isinstance(w, str) for w in items), (lang, kind)
        assert all(-3 <= v <= 3 for v in raw["words"].values())
    assert "no" in voc.load_lexicon("en")["negators"]


# --------------------------------------------------------------------------- measured accuracy
def test_labelled_set_is_big_varied_and_valid(labelled):
    counts = labelled.groupby(["lang", "label"]).size()
    for lang in ("en", "zh"):
        assert counts[lang].sum() >= 100
        assert set(counts[lang].index) == set(voc.SENTIMENTS)
        assert counts[lang].min() >= 25
    assert not labelled["text"].duplicated().any()
    texts = labelled["text"]
    assert texts.str.contains("<").any()  # HTML
    assert texts.str.contains("[\U0001F300-\U0001FAFF]").any()  # emoji
    assert texts.str.contains(r"\bnot\b|n't|不|没").sum() >= 40  # negations


def test_accuracy_on_hand_labelled_reviews(labelled):
    """Macro-F1 ≥ 0.80 and every class F1 ≥ 0.70, per language.

    Why these floors: the reviews were written by hand (varied phrasing, negation, mixed feelings,
    emoji, typos, HTML), half of them ("test") were not looked at while the rules and lexicon were
    tuned; on that half the first measurement gave macro-F1 0.89 (en) and 0.91 (zh). Peer tools on
    the same set score well below the floor (VADER, English: macro-F1 0.73; SnowNLP, Chinese: ≤ 0.63),
    so a change that makes ours no better than a generic tool fails here, while a few edits to the
    lexicon that move one or two reviews do not. The neutral class is the hardest (mixed reviews),
    hence the lower per-class floor.
    """
    scored = voc.score_sentiment(labelled["text"], labelled["lang"])
    table = voc.evaluate_sentiment(labelled["label"], scored["sentiment"], by=labelled["lang"])
    assert table.attrs["n_unscored"] == 0
    for lang in ("en", "zh"):
        part = table[table["group"] == lang].set_index("class")
        assert part.loc["macro avg", "f1"] >= 0.80, part
        assert part.loc[list(voc.SENTIMENTS), "f1"].min() >= 0.70, part


@pytest.mark.parametrize(("world", "floor"), [("hotel", 0.85), ("ecommerce", 0.75)])
def test_accuracy_on_generated_reviews(sample, world, floor):
    """Generated reviews labelled by their stars (4–5 positive, 3 neutral, 1–2 negative).

    Floors: hotel macro-F1 ≥ 0.85 (measured 0.92), e-commerce ≥ 0.75 (measured 0.85). The star label
    is noisy by construction: the generator draws the stars from the experience and then writes
    phrases for *each* touchpoint that went well or badly, so a 3-star review often reads "average.
    poor quality, broke after two days." (a person would call it negative) and a 4-star one "very
    happy! delivery was slow". E-commerce has more such reviews (stars centred on 4, complaints
    written from the order's real delivery and quality), hence its lower floor. The floors leave room
    for the sample data being regenerated (other lessons tune the generator) but catch a broken
    rule: dropping negation or the "average" verdict takes both worlds below them.
    """
    r = sample[world]
    scored = voc.score_sentiment(r["text"], r["lang"])
    table = voc.evaluate_sentiment(voc.label_from_rating(r["rating"]), scored["sentiment"])
    assert table.attrs["macro_f1"] >= floor, table


# --------------------------------------------------------------------------- evaluation arithmetic
def test_evaluate_sentiment_hand_worked():
    y = ["positive", "positive", "negative", "neutral", "neutral", "negative"]
    p = ["positive", "negative", "negative", "neutral", "positive", "negative"]
    # confusion (rows true neg/neu/pos): neg [2,0,0], neu [0,1,1], pos [1,0,1]
    cm = voc.confusion_table(y, p)
    assert cm.to_numpy().tolist() == [[2, 0, 0], [0, 1, 1], [1, 0, 1]]
    t = voc.evaluate_sentiment(y, p).set_index("class")
    assert t.loc["negative", ["precision", "recall"]].tolist() == pytest.approx([2 / 3, 1.0])
    assert t.loc["neutral", ["precision", "recall"]].tolist() == pytest.approx([1.0, 0.5])
    assert t.loc["positive", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert t.loc["negative", "f1"] == pytest.approx(0.8)
    assert t.loc["accuracy", "f1"] == pytest.approx(4 / 6)
    assert t.loc["macro avg", "f1"] == pytest.approx((0.8 + 2 / 3 + 0.5) / 3)
    assert t.loc["negative", "support"] == 2


def test_evaluate_sentiment_matches_scikit_learn(labelled):
    metrics = pytest.importorskip("sklearn.metrics")
    scored = voc.score_sentiment(labelled["text"], labelled["lang"])
    ours = voc.evaluate_sentiment(labelled["label"], scored["sentiment"]).set_index("class")
    p, r, f, s = metrics.precision_recall_fscore_support(labelled["label"], scored["sentiment"],
                                                         labels=list(voc.SENTIMENTS), zero_division=0)
    assert ours.loc[list(voc.SENTIMENTS), "precision"].to_numpy() == pytest.approx(p)
    assert ours.loc[list(voc.SENTIMENTS), "recall"].to_numpy() == pytest.approx(r)
    assert ours.loc[list(voc.SENTIMENTS), "f1"].to_numpy() == pytest.approx(f)
    assert ours.attrs["accuracy"] == pytest.approx(metrics.accuracy_score(labelled["label"], scored["sentiment"]))


def test_class_never_predicted_has_zero_precision():
    t = voc.evaluate_sentiment(["neutral", "positive"], ["positive", "positive"]).set_index("class")
    assert t.loc["neutral", ["precision", "recall", "f1"]].tolist() == [0.0, 0.0, 0.0]
    assert t.loc["negative", "support"] == 0


def test_unscored_predictions_are_counted_and_bad_labels_named():
    t = voc.evaluate_sentiment(["positive", "negative"], ["positive", None])
    assert t.attrs["n_unscored"] == 1 and t.attrs["n"] == 1
    with pytest.raises(CXDataError, match=r"not sentiment labels.*'good'"):
        voc.evaluate_sentiment(["good"], ["positive"])
    with pytest.raises(CXDataError, match="predicted"):
        voc.evaluate_sentiment(["positive"], ["pos"])
    with pytest.raises(CXDataError, match="differ in length"):
        voc.evaluate_sentiment(["positive"], ["positive", "negative"])


def test_labels_and_groups_from_ratings():
    assert voc.label_from_rating([1, 2, 3, 4, 5, None]).tolist() == [
        "negative", "negative", "neutral", "positive", "positive", None]
    assert voc.star_groups([1, 2, 3, 4, 5]).tolist() == ["detractor", "detractor", "passive", "passive", "promoter"]
    assert voc.nps_groups([0, 6, 7, 8, 9, 10, np.nan]).tolist() == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter", None]
    with pytest.raises(ScoreError, match="6"):
        voc.star_groups([1, 6])
    with pytest.raises(ScoreError, match="'x'"):
        voc.label_from_rating(["x"])


# --------------------------------------------------------------------------- themes
def test_load_themes_and_world_filter():
    hotel = voc.load_themes("hotel")
    shop = voc.load_themes("ecommerce")
    assert {"checkin_wait", "room_cleanliness", "staff", "breakfast", "wifi", "location", "price"} <= set(hotel)
    assert {"delivery", "product_quality", "payment", "customer_service", "returns", "packaging", "price"} <= set(shop)
    assert "delivery" not in hotel and "wifi" not in shop
    touch = {w: set(datasets.touchpoints(w)["id"]) for w in datasets.WORLDS}
    for world, themes in (("hotel", hotel), ("ecommerce", shop)):
        for spec in themes.values():
            assert spec["touchpoint"] is None or spec["touchpoint"] in touch[world]
            assert spec["en"] and spec["zh"] and spec["terms"]["en"] and spec["terms"]["zh"]
    hotel["wifi"]["terms"]["zh"].append("changed")
    assert "changed" not in voc.load_themes("hotel")["wifi"]["terms"]["zh"]  # a fresh copy each time


def test_each_review_gets_its_themes():
    texts = pd.Series(["We waited 40 minutes to check in. The room was not clean!",
                       "房间很干净，早餐不错。", "", "No theme words here."], index=["a", "b", "c", "d"])
    t = voc.tag_themes(texts, world="hotel")
    got = t.groupby("review")["theme"].apply(list).to_dict()
    assert got == {"a": ["checkin_wait", "room_cleanliness"], "b": ["room_cleanliness", "breakfast"]}
    assert t.set_index(["review", "theme"]).loc[("a", "room_cleanliness"), "sentence"] == "The room was not clean!"
    assert t["sentiment"].tolist() == ["negative", "negative", "positive", "positive"]
    assert t.attrs["n_empty"] == 1 and t.attrs["empty"] == ["c"] and t.attrs["n_no_theme"] == 1
    assert t.attrs["n_reviews"] == 4


def test_english_plurals_and_longest_phrase():
    t = voc.tag_themes(["Long queues.", "Customer service replied fast."], world="ecommerce")
    assert t["theme"].tolist() == ["customer_service"]
    assert t["term"].tolist() == ["customer service"]
    t = voc.tag_themes(["Long queues."], world="hotel")
    assert t["term"].tolist() == ["queue"]


def test_users_own_theme_dictionary_moves_the_counts():
    texts = ["网卡得不行", "网卡太慢了", "房间很干净"]
    base = voc.tag_themes(texts, world="hotel")
    assert (base["theme"] == "wifi").sum() == 0
    mine = voc.add_term(voc.load_themes("hotel"), "wifi", "网卡")
    assert "网卡" in mine["wifi"]["terms"]["zh"]
    after = voc.tag_themes(texts, themes=mine)
    assert (after["theme"] == "wifi").sum() == 2
    custom = {"noise": {"en": "Noise", "zh": "噪音", "terms": {"en": ["noisy", "loud"], "zh": ["吵"]}}}
    t = voc.tag_themes(["Too loud at night", "很吵"], themes=custom)
    assert t["theme"].tolist() == ["noise", "noise"]
    assert voc.add_term(custom, "noise", "traffic")["noise"]["terms"]["en"][-1] == "traffic"


@pytest.mark.parametrize(
    ("themes", "message"),
    [
        ({}, "non-empty dict"),
        ({"x": "not a dict"}, r"themes\['x'\]: expected a dict"),
        ({"x": {"en": "X", "terms": {"en": ["a"]}}}, r"themes\['x'\]: the zh name is missing"),
        ({"x": {"en": "X", "zh": "X", "terms": {}}}, r"themes\['x'\]: no terms"),
        ({"x": {"en": "X", "zh": "X", "terms": {"en": "word"}}}, r"\['en'\]: expected a list"),
        ({"x": {"en": "X", "zh": "X", "terms": {"en": ["ok", ""]}}}, r"empty or non-text terms"),
        ({"x": {"en": "X", "zh": "X", "terms": {"en": ["a"], "fr": ["mot"]}}}, r"unknown language 'fr'"),
    ],
)
def test_bad_theme_dictionary_names_the_theme(themes, message):
    with pytest.raises(CXDataError, match=message):
        voc.tag_themes(["text"], themes=themes)


def test_add_term_errors():
    themes = voc.load_themes("hotel")
    with pytest.raises(CXDataError, match="no theme 'spa'"):
        voc.add_term(themes, "spa", "sauna")
    with pytest.raises(CXDataError, match="non-empty"):
        voc.add_term(themes, "wifi", "  ")


def test_themes_frame_and_labels():
    frame = voc.themes_frame(voc.load_themes("hotel"), "zh")
    row = frame.set_index("theme").loc["checkin_wait"]
    assert row["name"] == "入住办理与等待" and "办理入住" in row["terms"] and row["touchpoint"] == "checkin"
    assert voc.theme_labels(lang="en")["room_cleanliness"] == "Room cleanliness"


# --------------------------------------------------------------------------- reasons
def test_newcombe_interval_matches_the_published_example():
    """Newcombe (1998), Table II, example (a): 56/70 vs 48/80 → difference 0.2000, CI 0.0524 to 0.3339."""
    reviews = pd.Series(["detractor"] * 70 + ["promoter"] * 80)
    mention = list(range(56)) + list(range(70, 70 + 48))
    tagged = pd.DataFrame({"review": mention, "theme": "x", "sentiment": "negative"})
    lift = voc.theme_lift(tagged, reviews)
    row = lift.iloc[0]
    assert (row["k_detractor"], row["n_detractor"], row["k_promoter"], row["n_promoter"]) == (56, 70, 48, 80)
    assert row["diff"] == pytest.approx(0.2)
    assert row["ci_low"] == pytest.approx(0.0524, abs=5e-5)
    assert row["ci_high"] == pytest.approx(0.3339, abs=5e-5)
    assert row["ratio"] == pytest.approx(0.8 / 0.6)


def test_theme_lift_hand_worked_and_polarity():
    texts = pd.Series(["Dirty room.", "Dirty sheets, slow check-in.", "Clean room.", "Spotless and clean!",
                       "", "Fast check-in."], index=list("abcdef"))
    groups = pd.Series(["detractor", "detractor", "promoter", "promoter", "detractor", "passive"], index=list("abcdef"))
    tagged = voc.tag_themes(texts, world="hotel")
    any_ = voc.theme_lift(tagged, groups).set_index("theme")
    assert any_.loc["room_cleanliness", ["k_detractor", "n_detractor", "k_promoter", "n_promoter"]].tolist() == [2, 2, 2, 2]
    assert any_.loc["room_cleanliness", "diff"] == 0  # both groups talk about it …
    neg = voc.theme_lift(tagged, groups, polarity="negative")
    assert neg.iloc[0]["theme"] == "room_cleanliness"  # … but only detractors complain
    assert neg.iloc[0]["rate_detractor"] == 1.0 and neg.iloc[0]["rate_promoter"] == 0.0
    assert math.isinf(neg.iloc[0]["ratio"])
    assert neg.attrs["n_empty_left_out"] == 1  # review "e" is empty: not in the denominator
    assert set(neg["theme"]) == set(voc.load_themes("hotel"))  # every theme searched is reported
    assert math.isnan(neg.set_index("theme").loc["location", "ratio"])


def test_theme_lift_errors():
    tagged = voc.tag_themes(["Dirty room.", "Clean room."], world="hotel")
    with pytest.raises(CXDataError, match="no group for reviews"):
        voc.theme_lift(tagged, pd.Series(["detractor"], index=[0]))
    with pytest.raises(CXDataError, match="no \\(non-empty\\) reviews in group 'promoter'"):
        voc.theme_lift(tagged, pd.Series(["detractor", "passive"]))
    with pytest.raises(ValueError, match="polarity"):
        voc.theme_lift(tagged, pd.Series(["detractor", "promoter"]), polarity="angry")
    with pytest.raises(CXDataError, match="missing column"):
        voc.theme_lift(tagged.drop(columns="sentiment"), pd.Series(["detractor", "promoter"]))


def _hotel_lift(sample, groups_from):
    r = sample["hotel"]
    tagged = voc.tag_themes(r["text"], r["lang"], world="hotel")
    if groups_from == "stars":
        groups = voc.star_groups(r["rating"])
    else:
        survey = datasets.load("hotel", "survey")
        joined = r[["stay_id"]].merge(survey[["stay_id", "nps"]], on="stay_id", how="left", validate="one_to_one")
        groups = voc.nps_groups(joined["nps"].set_axis(r.index))
    return voc.theme_lift(tagged, groups, polarity="negative")


@pytest.mark.parametrize("groups_from", ["stars", "nps"])
def test_planted_hotel_reasons_are_recovered_from_text(sample, groups_from):
    """The two planted hotel reasons, room cleanliness then check-in wait, top the detractors' complaints.

    Both differences must be clearly above zero (CI lower bound > 0).
    """
    lift = _hotel_lift(sample, groups_from)
    assert list(lift["theme"].head(2)) == ["room_cleanliness", "checkin_wait"]
    top2 = lift.head(2).set_index("theme")
    assert (top2["ci_low"] > 0).all()


def test_planted_ecommerce_reasons_are_recovered_from_text(sample):
    r = sample["ecommerce"]
    tagged = voc.tag_themes(r["text"], r["lang"], world="ecommerce")
    lift = voc.theme_lift(tagged, voc.star_groups(r["rating"]), polarity="negative")
    assert set(lift.head(2)["theme"]) == {"product_quality", "delivery"}


def test_keyword_in_context():
    texts = pd.Series(["We waited 40 minutes. Then WAITED again.", None, "<b>无需等待</b>，很快"], index=["x", "y", "z"])
    kwic = voc.keyword_in_context(texts, "waited", width=5)
    assert kwic.values.tolist() == [["x", "We ", "waited", " 40 m"], ["x", "Then ", "WAITED", " agai"]]
    zh = voc.keyword_in_context(texts, "等待", width=2)
    assert zh.values.tolist() == [["z", "无需", "等待", "，很"]]
    assert voc.keyword_in_context(texts, "waited", max_rows=1).attrs["n_matches"] == 2
    with pytest.raises(CXDataError, match="non-empty"):
        voc.keyword_in_context(texts, "")


def test_theme_cooccurrence_hand_worked():
    tagged = pd.DataFrame({"review": [0, 0, 1, 1, 2, 2],
                           "theme": ["a", "b", "a", "b", "a", "a"],
                           "sentiment": ["negative"] * 6})
    co = voc.theme_cooccurrence(tagged)
    assert co.loc[["a", "b"], ["a", "b"]].to_numpy().tolist() == [[3, 2], [2, 2]]
    jac = voc.theme_cooccurrence(tagged, normalize="jaccard")
    assert jac.loc["a", "b"] == pytest.approx(2 / 3) and jac.loc["a", "a"] == 1
    with pytest.raises(ValueError, match="normalize"):
        voc.theme_cooccurrence(tagged, normalize="cosine")


# --------------------------------------------------------------------------- properties
_TEXT = st.text(alphabet=st.sampled_from(list("房间不很干净等了没有热水。，abc not bad Good! <>/&;😡👍\n ")), max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.none()), min_size=0, max_size=8))
def test_any_text_scores_without_error_and_order_does_not_matter(texts):
    out = voc.score_sentiment(pd.Series(texts, dtype=object))
    assert len(out) == len(texts)
    assert out.attrs["n_empty"] == int(out["empty"].sum())
    assert set(out["sentiment"].dropna()) <= set(voc.SENTIMENTS)
    rev = voc.score_sentiment(pd.Series(texts[::-1], dtype=object))
    assert out["score"].fillna(99).tolist() == rev["score"].fillna(99).tolist()[::-1]


@settings(max_examples=60, deadline=None)
@given(_TEXT, st.sampled_from(["script", "SCRIPT", "style"]))
def test_cleaned_text_never_holds_tags(text, tag):
    dirty = f"{text}<{tag}>alert('x')</{tag}>&lt;{tag}&gt;boom&lt;/{tag}&gt;{text}"
    clean = voc.clean_text([dirty]).iloc[0]
    assert f"<{tag.lower()}" not in clean.lower()
    assert "alert" not in clean


@settings(max_examples=40, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_tagging_only_reports_known_themes(texts):
    t = voc.tag_themes(texts, world="hotel")
    assert set(t["theme"]) <= set(voc.load_themes("hotel"))
    assert set(t["review"]) <= set(range(len(texts)))
    assert set(t["sentiment"]) <= set(voc.SENTIMENTS)


# --------------------------------------------------------------------------- charts
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_are_axes_level_and_render_chinese(sample, lang):
    plots.use_theme(lang)
    r = sample["hotel"].head(400)
    tagged = voc.tag_themes(r["text"], r["lang"], world="hotel")
    lift = voc.theme_lift(tagged, voc.star_groups(r["rating"]), polarity="negative")
    scored = voc.score_sentiment(r["text"], r["lang"])
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph warns; make it fail
        assert voc.plot_theme_sentiment(tagged, lang=lang, ax=axes[0, 0]) is axes[0, 0]
        assert voc.plot_theme_lift(lift, lang=lang, ax=axes[0, 1]) is axes[0, 1]
        co = voc.theme_cooccurrence(tagged)
        assert voc.plot_cooccurrence(co, lang=lang, ax=axes[1, 0]) is axes[1, 0]
        assert voc.plot_sentiment_by_rating(scored["sentiment"], r["rating"], lang=lang, ax=axes[1, 1]) is axes[1, 1]
        fig.canvas.draw()
    title = axes[0, 1].get_title()
    assert ("贬损者" in title) if lang == "zh" else ("detractors" in title)
    labels = [t.get_text() for t in axes[0, 0].get_yticklabels()]
    assert ("客房清洁" in labels) if lang == "zh" else ("Room cleanliness" in labels)


def test_chart_without_ax_uses_a_new_figure():
    tagged = voc.tag_themes(["Dirty room.", "Great breakfast."], world="hotel")
    ax = voc.plot_theme_sentiment(tagged)
    assert ax.figure is plt.gcf()


def test_doctests():
    result = doctest.testmod(voc, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_resource_files_are_valid_yaml():
    for name in ("themes.yml", "lexicon_en.yml", "lexicon_zh.yml"):
        from importlib import resources

        yaml.safe_load((resources.files("cxlib") / "resources" / "voc" / name).read_text(encoding="utf-8"))
