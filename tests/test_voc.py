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
    return float(voc.score_sentiment([text])["lexicon_score"].iloc[0])


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


@pytest.mark.parametrize("chunk", [1 << 19, 40])
def test_segmentation_is_exactly_jiebas(monkeypatch, chunk):
    """voc's own loop over jieba's dictionary, one run (_cut) or many at once (_cut_many, in one batch or
    in many), gives jieba's words (``lcut(HMM=False)``) on every Chinese run."""
    monkeypatch.setattr(voc, "_CHUNK_CHARS", chunk)
    tk = voc._zh_tokenizer()
    texts = [t for world in datasets.WORLDS for t in datasets.load(world, "reviews")["text"].dropna().astype(str)]
    runs = {r for t in texts for r in voc._RUNS.findall(voc._normalise(t)) if voc._is_cjk(r)}
    runs |= {"等了4天才到", "天才", "不太好吃了", "鿕鿖好鿿", "㐀㐁很好", "\uf900\uf901房间", "好" * 40, "好",
             "一分钱一分货", "这家店物美价廉一分钱一分货", "中华人民共和国成立了"}  # words of more than four characters
    many = voc._cut_many(runs)
    for run in sorted(runs):
        assert voc._cut.__wrapped__(run) == many[run] == tuple(tk.lcut(run, HMM=False)), run


def test_jieba_prefix_dictionary_holds_every_prefix_of_its_words():
    """What _cut_many relies on: the windows that are words are exactly the candidates of jieba's prefix scan."""
    freq = voc._zh_tokenizer().FREQ
    assert all(w[:k] in freq for w in freq for k in range(1, len(w)))


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
# The lexicon part of the score (``lexicon_score``; ``model=False`` labels it alone). Valences from the
# lexicon files: 干净/clean 1.8, bad −2.0, 不错 1.5, helpful 1.8, good 1.5, 好 1.5, small −0.5, 棒 2.0,
# 恶劣 −2.5; intensifiers very 1.4, 太 1.5; negated positive ×(−0.9), negated negative ×(−0.5); expected
# thing negated −1.5; before a contrast 0.75; an "average" verdict adds nothing and damps nothing.
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
        ("The room was small but clean", 0.75 * -0.5 + 1.8, "positive"),
        ("Neither good nor bad", -0.9 * 1.5 + 0.5 * 2.0, "neutral"),  # each negator scopes one word
        ("not that I thought it was clean", 1.8, "positive"),  # negator more than 3 tokens before
        ("It was okay. Very clean room.", 1.4 * 1.8, "positive"),  # "okay" no longer quarters the score
        ("房间很干净👍", 1.3 * 1.8 + 1.5, "positive"),
        ("Room. Room.", 0.0, "neutral"),
        ("很好，就是有点贵。", 1.3 * 1.5 + 0.5 * 0.7 * -1.0, "positive"),  # caveat 就是: the gripe weighs half
        ("Don't waste your money.", -3.0, "negative"),  # a warning phrase, not a negated "waste"
        ("I wanted to love this hotel.", -0.5 * 2.5, "negative"),  # praise after a wish is a let-down
        ("我们选好了日期。", 0.0, "neutral"),  # 选好 is one word: no false 好
        ("送的好慢", 1.3 * -1.2, "negative"),  # 好 before 慢 (−1.2) is "so" (×1.3), not praise (+1.5)
        ("好难吃", 1.3 * -2.0, "negative"),  # 难吃 −2.0
        ("好的", 1.5, "positive"),  # 好 alone is still praise
        ("一个小时才送到", -1.5 - 1.5, "negative"),  # 一个小时 −1.5 (a wait), 才送到 −1.5: a late delivery
        ("大冷天的，送餐员辛苦了", 1.5, "positive"),  # 辛苦了 +1.5: thanks to the courier, not a hardship
        ("非常正宗的湖南菜", 1.5 * 1.5, "positive"),  # 非常 ×1.5, 正宗 (authentic) +1.5
        ("下次不会再点了", -2.0, "negative"),  # 不会再点 −2.0: will not order again
        ("送了一个多小时", -1.5, "negative"),  # a wait of one to three hours −1.5
        ("等了俩小时", -0.8 - 1.5, "negative"),  # 等了 −0.8, 俩小时 −1.5
        ("24小时热水", 0.0, "neutral"),  # round-the-clock hot water is no wait (热水 is an expected thing)
        ("以后再也不会订了", -2.5, "negative"),  # 再也不会订 −2.5: a customer lost (订 alone has no valence)
        ("再也不会定这家了", -2.5, "negative"),  # 定 for 订, as reviews often write it
        ("所以不敢再买了", -2.0, "negative"),  # 不敢再买 −2.0: afraid to buy again
        ("We will be coming back.", 1.5, "positive"),  # coming back +1.5
        ("We won't be coming back.", -0.9 * 1.5, "negative"),  # negated: the flipped valence weighs 0.9
    ],
)
def test_hand_worked_lexicon_scores(text, score, label):
    got = voc.score_sentiment([text], model=False)
    assert got["lexicon_score"].iloc[0] == pytest.approx(score, abs=1e-3)
    assert got["score"].iloc[0] == pytest.approx(score, abs=1e-3)
    assert got["sentiment"].iloc[0] == label


def test_combined_rule_adds_model_and_lexicon():
    got = voc.score_sentiment(["Dirty room, rude staff.", "干净，安静，服务热情。"])
    expected = got["model_logit"] + voc.LEXICON_WEIGHT * got["lexicon_score"]
    assert np.allclose(got["score"], expected, atol=1e-3)
    assert got["sentiment"].tolist() == ["negative", "positive"]
    assert ((got["p_positive"] > 0) & (got["p_positive"] < 1)).all()
    assert got.attrs["rule"].startswith("score = model_logit +")


def test_explain_sentiment_adds_up():
    table = voc.explain_sentiment("虽然价格有点贵，但是服务真的很好。")
    assert table["contribution"].sum() == pytest.approx(table.attrs["lexicon_score"], abs=1e-3)
    gui = table.set_index("token")
    assert gui.loc["贵", "weight"] == pytest.approx(0.5 * 0.75)  # after 虽然 and before 但是
    assert gui.loc["好", "weight"] == pytest.approx(1.0)
    assert table.attrs["sentiment"] == "positive"
    assert table.attrs["score"] == pytest.approx(table.attrs["model_logit"] + voc.LEXICON_WEIGHT
                                                 * table.attrs["lexicon_score"], abs=1e-3)
    assert table.attrs["model_terms"]  # the n-grams that moved the model most
    assert voc.explain_sentiment("").empty


# --------------------------------------------------------------------------- the lexicon faults of real reviews
# Each of these was wrong before the trained model and the rule changes (checked against that code).
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("房间一般，服务很差，卫生也不行。", "negative"),  # 一般 quartered the score → neutral
        ("It was okay. Very clean room.", "positive"),  # okay quartered the score → neutral
        ("很好，就是有点贵。", "positive"),  # 就是 weighed the gripe 1.5× → neutral
        ("非常好，会回购，只是包装有点破。", "positive"),  # 只是 likewise
        ("Don't waste your money.", "negative"),  # negated "waste" became praise
        ("Do not buy this phone.", "negative"),  # no word matched → neutral
        ("I wanted to love this hotel.", "negative"),  # the wish counted as love → positive
    ],
)
def test_lexicon_faults_fixed(text, label):
    assert voc.score_sentiment([text])["sentiment"].iloc[0] == label


def test_jieba_keeps_words_that_hide_a_false_sentiment():
    assert "选好" in voc.tokenize("我们选好了日期")
    assert "好" not in voc.explain_sentiment("我们选好了日期。")["token"].tolist()
    toks = voc.tokenize("房间和卫生间都很大，送餐很快，味道不错")
    assert {"房间", "卫生间", "送餐", "味道"} <= set(toks)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The staff were friendly and the room was spotless.", "positive"),
        ("Terrible service, the food arrived cold and soggy.", "negative"),
        ("Battery died after two days, total junk.", "negative"),
        ("Works great, exactly as described, fast shipping.", "positive"),
        ("服务热情，房间干净，下次还会入住。", "positive"),
        ("送餐太慢了，等了一个半小时，饭都凉了。", "negative"),
        ("质量很差，用了两天就坏了。", "negative"),
        ("味道很好，分量足，送餐也快。", "positive"),
    ],
)
def test_known_polar_sentences(text, label):
    assert voc.score_sentiment([text])["sentiment"].iloc[0] == label


# --------------------------------------------------------------------------- the shipped model
def test_model_files_load_without_pickle_and_match_the_manifest():
    import hashlib
    import json
    from importlib import resources

    base = resources.files("cxlib") / "resources" / "voc"
    manifest = json.loads((base / "model_manifest.json").read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        raw = (base / f"model_{lang}.npz").read_bytes()
        assert hashlib.sha256(raw).hexdigest() == manifest["models"][lang]["file_sha256"]
        with resources.as_file(base / f"model_{lang}.npz") as path, np.load(path, allow_pickle=False) as z:
            assert set(z.files) == {"terms", "idf", "coef", "intercept"}
            assert all(z[k].dtype != object for k in z.files)
            assert len(z["terms"]) == len(z["coef"]) == len(z["idf"]) == manifest["models"][lang]["features"]
    for f in manifest["files"]:
        assert len(f["sha256"]) == 64 and f["rows"] > 0
    for pkg in manifest["source_packages"].values():
        assert pkg["licence"] in ("MIT", "Apache-2.0") and len(pkg["sha256"]) == 64


def test_model_probability_and_top_terms():
    from cxlib.voc import model

    m = model.load_model("en")
    logit = m.logit([model.model_text("I love this phone, great sound.", "en")])
    assert logit[0] > 0
    terms = dict(m.contributions(model.model_text("I love this phone, great sound.", "en"), top=3))
    assert "love" in terms or "great" in terms
    assert voc.score_sentiment(["I love this phone"])["p_positive"].iloc[0] > 0.5


def test_analyse_reviews_equals_the_two_calls():
    texts = pd.Series(["Dirty room. Great breakfast!", "很好吃，送餐很快", None, "快递慢，包装破损"], index=[5, 6, 7, 8])
    scores, tagged = voc.analyse_reviews(texts)
    pd.testing.assert_frame_equal(scores, voc.score_sentiment(texts))
    pd.testing.assert_frame_equal(tagged, voc.tag_themes(texts))


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
        for kind in ("words", "negators", "intensifiers", "expected", "neutral", "contrast", "concession", "caveat",
                     "wishes"):
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
    """The lexicon alone (``model=False``): macro-F1 ≥ 0.80 and every class F1 ≥ 0.70, per language.

    The combined rule: on the positive and negative reviews, macro-F1 ≥ 0.90 and fewer than 10 % called
    neutral, per language.

    Why these floors: the reviews were written by hand (varied phrasing, negation, mixed feelings,
    emoji, typos, HTML); half of them ("test") were not looked at while the rules and lexicon were
    tuned. The lexicon was written for such text, so it keeps three-class floors (measured 0.95 en,
    0.96 zh after the fixes for real reviews). The combined rule is built for real reviews, where a
    clearly polar review must not be called neutral: its neutral band is narrow, so on this set, a
    third of which is neutral, its three-class score is low (0.59 en, 0.68 zh; docs/VOC_EVALUATION.md)
    and only its polar part is held to a floor (measured 0.95 en, 0.99 zh, none neutral).
    """
    scored = voc.score_sentiment(labelled["text"], labelled["lang"], model=False)
    table = voc.evaluate_sentiment(labelled["label"], scored["sentiment"], by=labelled["lang"])
    assert table.attrs["n_unscored"] == 0
    for lang in ("en", "zh"):
        part = table[table["group"] == lang].set_index("class")
        assert part.loc["macro avg", "f1"] >= 0.80, part
        assert part.loc[list(voc.SENTIMENTS), "f1"].min() >= 0.70, part
    combined = voc.score_sentiment(labelled["text"], labelled["lang"])
    for lang in ("en", "zh"):
        m = ((labelled["lang"] == lang) & (labelled["label"] != "neutral")).to_numpy()
        r = voc.bootstrap_macro_f1(labelled["label"][m], combined["sentiment"][m], n_boot=200)
        assert r["macro_f1"] >= 0.90, (lang, r)
        assert r["neutral_rate_on_polar"] < 0.10, (lang, r)


@pytest.mark.parametrize(("world", "floor"), [("hotel", 0.90), ("ecommerce", 0.85)])
def test_accuracy_on_generated_reviews(sample, world, floor):
    """Generated reviews labelled by their stars (4–5 positive, 1–2 negative; 3 left out).

    Floors on the polar reviews: hotel macro-F1 ≥ 0.90 (measured 0.98), e-commerce ≥ 0.85 (measured
    0.93). The star label is noisy by construction: the generator draws the stars from the experience
    and then writes phrases for *each* touchpoint that went well or badly, so a 4-star review can read
    "very happy! delivery was slow". Three-star reviews are left out: the generator writes them as
    "average. poor quality, broke after two days.", which a person (and the combined rule) calls negative.
    """
    r = sample[world]
    scored = voc.score_sentiment(r["text"], r["lang"])
    label = voc.label_from_rating(r["rating"])
    polar = (label != "neutral").to_numpy()
    result = voc.bootstrap_macro_f1(label[polar], scored["sentiment"][polar], n_boot=200)
    assert result["macro_f1"] >= floor, result


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
    # every theme searched is reported, except the outcome theme, which is named in attrs
    assert set(neg["theme"]) == set(voc.load_themes("hotel")) - {"loyalty"}
    assert neg.attrs["outcomes_left_out"] == ["loyalty"]
    assert math.isnan(neg.set_index("theme").loc["location", "ratio"])


def test_theme_lift_leaves_the_outcome_theme_out_of_the_reasons_unless_asked():
    # "won't come back" is what a detractor says because they are one: it is the result, not a reason
    texts = pd.Series(["Dirty room, never coming back.", "Dirty sheets. Will not come back.", "Clean room, will be back."])
    groups = pd.Series(["detractor", "detractor", "promoter"])
    tagged = voc.tag_themes(texts, world="hotel")
    assert tagged.attrs["outcomes"] == ["loyalty"] and "loyalty" in set(tagged["theme"])
    lift = voc.theme_lift(tagged, groups, polarity="negative")
    assert lift["theme"].iloc[0] == "room_cleanliness" and "loyalty" not in set(lift["theme"])
    asked = voc.theme_lift(tagged, groups, polarity="negative", themes=["loyalty", "room_cleanliness"])
    assert asked.set_index("theme").loc["loyalty", "rate_detractor"] == 1.0 and asked.attrs["outcomes_left_out"] == []
    mine = {"noise": {"en": "Noise", "zh": "噪音", "terms": {"en": ["loud"]}, "outcome": "yes"}}
    with pytest.raises(CXDataError, match=r"themes\['noise'\]\['outcome'\]: expected true or false"):
        voc.tag_themes(["loud"], themes=mine)


def test_world_terms_of_a_shared_theme_join_only_their_world():
    hotel, shop, both = (voc.load_themes(w)["loyalty"]["terms"]["en"] for w in ("hotel", "ecommerce", None))
    assert "stay again" in hotel and "order again" not in hotel
    assert "order again" in shop and "stay again" not in shop
    assert {"stay again", "order again", "recommend"} <= set(both)
    assert "world_terms" not in voc.load_themes("hotel")["loyalty"]
    mine = {"back": {"en": "Back", "zh": "回头", "terms": {"en": ["come back"]},
                     "world_terms": {"hotel": {"en": ["stay again"]}}}}
    assert voc.tag_themes(["We will stay again"], themes=mine)["theme"].tolist() == ["back"]  # every world's words
    bad = {"back": {**mine["back"], "world_terms": {"spa": {"en": ["x"]}}}}
    with pytest.raises(CXDataError, match=r"themes\['back'\]\['world_terms'\]: expected .* got 'spa'"):
        voc.tag_themes(["x"], themes=bad)
    bad = {"back": {**mine["back"], "world_terms": {"hotel": {"en": "stay again"}}}}
    with pytest.raises(CXDataError, match=r"\['world_terms'\]\['hotel'\]\['en'\]: expected a list of words"):
        voc.tag_themes(["x"], themes=bad)


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


def test_resource_files_are_valid_yaml_without_a_key_twice():
    # PyYAML keeps the last of two equal keys without a word; the lexicon once held 不会再来 twice
    from importlib import resources

    from cxlib import strict_yaml

    for name in ("themes.yml", "lexicon_en.yml", "lexicon_zh.yml"):
        text = (resources.files("cxlib") / "resources" / "voc" / name).read_text(encoding="utf-8")
        assert strict_yaml.load(text, name) == yaml.safe_load(text)


def test_users_theme_file_with_a_theme_twice_is_an_error_naming_both_lines(tmp_path):
    path = tmp_path / "themes.yml"
    path.write_text("noise:\n  en: Noise\n  zh: 噪音\n  terms: {en: [loud]}\n"
                    "noise:\n  en: Noise\n  zh: 噪音\n  terms: {en: [noisy]}\n", encoding="utf-8")
    with pytest.raises(CXDataError, match=r"themes.yml: the key 'noise' appears twice \(lines 1 and 5\); each theme"):
        voc.load_themes(path=path)
    path.write_text("noise:\n  en: Noise\n  zh: 噪音\n  terms: {en: [loud]}\n  terms: {zh: [吵]}\n", encoding="utf-8")
    with pytest.raises(CXDataError, match=r"the key 'terms' appears twice \(lines 4 and 5\)"):
        voc.load_themes(path=path)
    path.write_text("noise: [unclosed\n", encoding="utf-8")
    with pytest.raises(CXDataError, match="themes.yml: not valid YAML"):
        voc.load_themes(path=path)


# --------------------------------------------------------------------------- real reviews: themes, quotes, topics
def test_plural_folding_for_every_length():
    tagged = voc.tag_themes(["The beds were hard.", "Two pillows.", "Batteries died fast."])
    got = tagged.groupby("review")["theme"].apply(set).to_dict()
    assert "room_comfort" in got[0] and "room_comfort" in got[1]  # bed, pillow (4 and 7 letters + s)
    assert "product_quality" in got[2]  # batteries → battery


def test_delivery_and_food_themes_in_both_languages():
    tagged = voc.tag_themes(["送餐很慢，饭菜都凉了，味道一般", "The driver was late and the pizza was soggy"],
                            world="ecommerce")
    got = tagged.groupby("review")["theme"].apply(set).to_dict()
    assert {"delivery", "food_taste"} <= got[0]
    assert {"delivery", "food_taste"} <= got[1]


@pytest.mark.parametrize("world", ["hotel", "ecommerce"])
def test_return_and_recommend_intent_is_a_theme_in_both_languages_and_worlds(world):
    # reviews that name no touchpoint but say whether the customer comes back: the theme closest to NPS
    texts = ["We will definitely be back!", "I probably won't be coming back here.", "Highly recommend it.",
             "强烈推荐！", "以后再也不会订了", "下次还来。", "The room was clean."]
    scores, tagged = voc.analyse_reviews(texts, world=world)
    loyal = tagged[tagged["theme"] == "loyalty"].set_index("review")
    assert sorted(loyal.index) == [0, 1, 2, 3, 4, 5]
    assert loyal.loc[[0, 2, 3, 5], "sentiment"].eq("positive").all()
    assert loyal.loc[[1, 4], "sentiment"].eq("negative").all()
    assert voc.load_themes(world)["loyalty"]["touchpoint"] is None


def test_quotes_agree_with_label_and_rating():
    texts = pd.Series(["非常好，会回购。质量很差，用了两天就坏了。", "质量很差，用了两天就坏了，不会再买。",
                       "Terrible quality, broke in a day."], index=["a", "b", "c"])
    scores, tagged = voc.analyse_reviews(texts, world="ecommerce")
    q = voc.quotes(tagged, scores, pd.Series([4, 1, 3], index=texts.index), theme="product_quality")
    assert q["review"].tolist() == ["b"]  # a: 4 stars (the old lesson quoted it); c: 3 stars
    assert q.attrs["n_rating_disagrees"] == 1 + (scores.loc["a", "sentiment"] == "negative")
    assert (q["sentiment"] == "negative").all() and (q["rating"] <= 2).all()
    with pytest.raises(ValueError, match="polarity"):
        voc.quotes(tagged, scores, polarity="angry")


def test_discover_topics_finds_what_the_dictionary_misses():
    reviews = ["dogs welcome everywhere", "dogs got treats", "dogs welcome", "treats for dogs",
               "karaoke night fun", "karaoke songs old", "karaoke night", "karaoke songs",
               "Dirty room."]
    topics = voc.discover_topics(reviews, "en", n_topics=2, n_words=1, world="hotel")
    assert topics.attrs["n_left_out"] == 1  # "Dirty room." has a theme
    assert sorted(w for ws in topics["words"] for w in ws) == ["dogs", "karaoke"]
    assert topics["n_reviews"].sum() == 8
    assert all(len(e) == 3 for e in topics["examples"])
    with pytest.raises(CXDataError, match="at least"):
        voc.discover_topics(["Dirty room."], "en", world="hotel")


# --------------------------------------------------------------------------- bootstrap macro-F1
def test_bootstrap_macro_f1_hand_worked():
    # negative: TP 1, FP 0, FN 1 → F1 2/3; positive: TP 1, FP 1, FN 1 → 1/2; macro 7/12
    r = voc.bootstrap_macro_f1(["positive", "negative", "positive", "negative"],
                               ["positive", "negative", "neutral", "positive"], n_boot=100)
    assert r["macro_f1"] == pytest.approx(7 / 12)
    assert r["neutral_rate_on_polar"] == 0.25
    assert math.isnan(r["ci_low"])  # fewer than 20 reviews: no interval
    y = ["positive"] * 30 + ["negative"] * 30
    p = ["positive"] * 27 + ["neutral"] * 3 + ["negative"] * 28 + ["positive"] * 2
    r = voc.bootstrap_macro_f1(y, p, n_boot=500, seed=1)
    # negative: TP 28, FP 0, FN 2 → 56/58; positive: TP 27, FP 2, FN 3 → 54/59
    assert r["macro_f1"] == pytest.approx((56 / 58 + 54 / 59) / 2)
    assert r["ci_low"] <= r["macro_f1"] <= r["ci_high"]
    assert r["neutral_rate_on_polar"] == pytest.approx(3 / 60)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["negative", "positive"]),
                          st.sampled_from(list(voc.SENTIMENTS))), min_size=20, max_size=80))
def test_bootstrap_macro_f1_properties(pairs):
    y, p = zip(*pairs, strict=True)
    r = voc.bootstrap_macro_f1(list(y), list(p), n_boot=100)
    assert 0 <= r["ci_low"] <= r["ci_high"] <= 1
    assert 0 <= r["macro_f1"] <= 1
    same = voc.bootstrap_macro_f1(list(y), list(y), n_boot=50)
    assert same["macro_f1"] == 1.0 and same["ci_low"] == 1.0


# --------------------------------------------------------------------------- real, unseen reviews
def _evaluation():
    import json
    from importlib import resources

    return json.loads((resources.files("cxlib") / "resources" / "voc" / "evaluation.json").read_text(encoding="utf-8"))


def test_shipped_evaluation_meets_the_floors():
    """The evaluation written by tools/eval_voc.py on real reviews the models never saw.

    Floors: macro-F1 ≥ 0.83 per set (the goal is 0.85; the Chinese delivery set measured just under
    it, docs/VOC_EVALUATION.md), neutral on polar reviews < 10 %, theme coverage ≥ 0.90 on hotel
    sets and ≥ 0.80 on Chinese shop and delivery sets. English shop and restaurant coverage is reported,
    not floored (measured below 0.80: short one-line reviews such as "Great product!" name no theme).
    """
    ev = _evaluation()
    assert {(r["lang"], r["domain"]) for r in ev["sets"]} >= {("zh", "hotel"), ("zh", "shop"), ("zh", "delivery"),
                                                              ("en", "shop"), ("en", "hotel")}
    assert str(voc.REVIEW_BAND) in ev["rule"] and str(voc.LEXICON_WEIGHT) in ev["rule"]
    from cxlib.voc.model import manifest

    assert ev["model_sha256"] == {la: m["file_sha256"] for la, m in manifest()["models"].items()}
    for r in ev["sets"]:
        assert r["macro_f1"] >= 0.83, r
        assert r["ci_low"] <= r["macro_f1"] <= r["ci_high"], r
        assert r["neutral_rate_on_polar"] < 0.10, r
        if r["domain"] == "hotel":
            assert r["theme_coverage"] >= 0.90, r
        elif r["lang"] == "zh":
            assert r["theme_coverage"] >= 0.80, r


def _real_review_sets():
    """(folder, tools/eval_voc.py) when the real evaluation sets are on this machine (CXWB_VOC_EVAL_DIR),
    else the test skips."""
    import os
    from pathlib import Path

    data = os.environ.get("CXWB_VOC_EVAL_DIR")
    if not data or not Path(data).is_dir():
        pytest.skip("no real evaluation reviews here (set CXWB_VOC_EVAL_DIR; see tools/eval_voc.py)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import eval_voc

    return Path(data), eval_voc


def test_segmentation_is_jiebas_on_every_chinese_run_of_the_real_reviews():
    data, eval_voc = _real_review_sets()
    texts = [t for fname, _ in eval_voc.SETS.values() if (data / fname).exists()
             for t in eval_voc.read_set(data / fname)["text"]]
    runs = {r for t in texts for r in voc._RUNS.findall(voc._normalise(t)) if voc._is_cjk(r)}
    many, tk = voc._cut_many(runs), voc._zh_tokenizer()
    differ = [r for r in runs if many[r] != tuple(tk.lcut(r, HMM=False))]
    assert runs and differ == [], differ[:5]


def test_real_reviews_when_available():
    """Re-measure on the real sets when they are on this machine (CXWB_VOC_EVAL_DIR); skip otherwise.

    A fixed sample of at most 1500 reviews per set keeps this quick; floors as above, less 0.03 for the
    smaller sample.
    """
    data, eval_voc = _real_review_sets()
    measured = 0
    for (lang, _domain), (fname, world) in eval_voc.SETS.items():
        path = data / fname
        if not path.exists():
            continue
        frame = eval_voc.read_set(path)
        frame = frame.sample(min(1500, len(frame)), random_state=0)
        scores, tagged = voc.analyse_reviews(frame["text"], lang, world=world)
        r = voc.bootstrap_macro_f1(frame["label"], scores["sentiment"], n_boot=100)
        assert r["macro_f1"] >= 0.80, (fname, r)
        assert r["neutral_rate_on_polar"] < 0.10, (fname, r)
        measured += 1
    assert measured, f"none of the evaluation files is in {data}"


def test_vectorised_ngram_counts_equal_scikit_learn():
    from cxlib.voc import model

    texts = ["房间很干净，服务热情！", "", "😀 great stay, wasn't clean", "not bad at all", "a", "混合 mixed 文本 text",
             "送餐太慢了" * 20, "don't waste your money!!"]
    for lang in ("zh", "en"):
        m = model.load_model(lang)
        x = [model.model_text(t, lang) for t in texts]
        ours = m.index.counts(x)
        ref = m.vectorizer().transform(x)
        assert ours.shape == ref.shape
        assert abs(ours - ref).sum() == 0, lang
        assert ref.sum() > 0
        from sklearn.feature_extraction.text import TfidfTransformer

        tf = TfidfTransformer(sublinear_tf=True)
        tf.idf_ = m.idf
        assert np.allclose(m._rows(x).toarray(), tf.transform(ref).toarray(), atol=1e-9), lang


def test_lift_chart_names_the_chosen_confidence_level(sample):
    r = sample["hotel"].head(400)
    tagged = voc.tag_themes(r["text"], r["lang"], world="hotel")
    lift = voc.theme_lift(tagged, voc.star_groups(r["rating"]), polarity="negative", conf=0.9)
    fig, ax = plt.subplots()
    voc.plot_theme_lift(lift, lang="en", ax=ax)
    assert "90% CI" in ax.get_xlabel() and "95" not in ax.get_xlabel()
    plt.close(fig)


def test_the_lexicon_pass_restores_the_garbage_collector_as_it_was(monkeypatch):
    import gc

    assert gc.isenabled()
    voc.analyse_reviews(["房间很干净", "Dirty room."])
    assert gc.isenabled()  # paused for the pass only
    gc.disable()
    try:
        voc.analyse_reviews(["送餐很快"])
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()

    def fails(*args, **kwargs):
        raise RuntimeError("a failure inside the pass")

    monkeypatch.setattr(voc, "_analyse", fails)
    with pytest.raises(RuntimeError, match="inside the pass"):
        voc.analyse_reviews(["服务很好"])
    assert gc.isenabled()  # restored on the way out of a failure too
