"""Lesson 08 (voice of the customer): the library pieces it reads its data and its sentences from.

The reviews frame joins each review to its survey answer through the roles (checked against a join
written out by hand); topics beyond the dictionary switch scope when the dictionary leaves too few
reviews; the summaries behind the sentences are checked on hand-made tables; and the lesson's two
reports (hotel, shop) share no interpretation sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlib import datasets, lessons, narrate, voc
from cxlib.errors import CXDataError

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- the reviews frame
@pytest.mark.parametrize(("world", "key"), [("hotel", "stay_id"), ("ecommerce", "order_id")])
def test_review_frame_joins_the_survey_answer_of_the_same_stay_or_order(world, key):
    frame = lessons.review_frame(world)
    reviews, survey = datasets.load(world, "reviews"), datasets.load(world, "survey")
    answer = dict(zip(survey[key], survey["nps"], strict=True))  # one answer per stay / order
    by_hand = reviews[key].map(answer).astype(float)
    assert frame.joined_on == (key, key)
    assert len(frame.reviews) == len(reviews) and frame.nps.index.equals(reviews.index)
    np.testing.assert_array_equal(frame.nps.to_numpy(), by_hand.to_numpy())
    assert frame.n_joined == int(by_hand.notna().sum()) > 0
    assert frame.langs.equals(reviews["lang"]) and set(frame.themes) == set(voc.load_themes(world))


# --------------------------------------------------------------------------- topics beyond the dictionary
_NEW = ["dogs welcome everywhere", "dogs got treats", "dogs welcome", "karaoke night fun", "karaoke songs old",
        "karaoke night", "dogs and treats", "karaoke fun"]
_KNOWN = ["dirty room", "dirty sheets and dirty floor", "the room was dirty", "dirty bathroom"]


def test_topics_come_from_the_untagged_reviews_when_there_are_enough():
    texts = pd.Series(_NEW + _KNOWN)
    tagged = voc.tag_themes(texts, "en", world="hotel")
    out = voc.topics_beyond_dictionary(tagged, texts, "en", n_topics=2, n_words=1, min_untagged=8)
    assert out.attrs["scope"] == "untagged" and out.attrs["n_untagged"] == 8 and out.attrs["n_reviews"] == 8
    assert out.attrs["coverage"] == pytest.approx(4 / 12)
    assert sorted(w for ws in out["words"] for w in ws) == ["dogs", "karaoke"]
    assert out["theme"].isna().all() and out.attrs["n_new"] == 2  # untagged reviews match no theme


def test_topics_come_from_all_reviews_and_match_themes_when_the_dictionary_tags_nearly_all():
    texts = pd.Series(_NEW[:3] + _KNOWN * 2)
    tagged = voc.tag_themes(texts, "en", world="hotel")
    out = voc.topics_beyond_dictionary(tagged, texts, "en", n_topics=2, n_words=1, min_untagged=8)
    assert out.attrs["scope"] == "all" and out.attrs["n_reviews"] == len(texts)
    matched = out.set_index("theme", drop=False)["theme_share"].dropna()
    assert "room_cleanliness" in matched.index and matched["room_cleanliness"] == 1.0
    assert out.attrs["n_new"] == 1 and out.attrs["n_matched"] == 1  # the dogs are new


def test_topics_need_a_tag_themes_table():
    with pytest.raises(CXDataError, match="tag_themes"):
        voc.topics_beyond_dictionary(pd.DataFrame({"review": [0]}), ["x"], "en")


# --------------------------------------------------------------------------- summaries behind the sentences
def _lift(diffs, lows):
    n = len(diffs)
    out = pd.DataFrame({"theme": [f"t{i}" for i in range(n)], "n_detractor": 50, "rate_detractor": [0.3] * n,
                        "n_promoter": 80, "rate_promoter": [0.1] * n, "diff": diffs, "ci_low": lows,
                        "ci_high": [d + 0.1 for d in diffs]})
    out.attrs.update(a="detractor", b="promoter")
    return out


def test_lift_summary_compares_two_groupings():
    stars, nps = _lift([0.2, 0.1], [0.05, -0.01]), _lift([0.15, 0.12], [0.02, 0.01])
    nps["theme"] = ["t1", "t0"]
    s = lessons.lift_summary(stars, {"t0": "Zero", "t1": "One"}, second=nps)
    assert (s["top"], s["next"], s["third"], s["top2"], s["same"]) == ("Zero", "One", "–", "One", False)
    assert (s["diff"], s["k"], s["n_a"], s["n_b"]) == (pytest.approx(20.0), 1, 50, 80)
    assert s["diff2"] == pytest.approx(15.0) and s["low2"] == pytest.approx(2.0)


def test_reasons_sentence_follows_conf():
    frame = lessons.review_frame("hotel")
    tagged = voc.tag_themes(frame.reviews[frame.role.text], frame.langs, frame.themes)
    groups = voc.star_groups(frame.reviews[frame.role.rating])
    said = {}
    for conf in (0.9, 0.99):
        lift = voc.theme_lift(tagged, groups, polarity="negative", conf=conf)
        said[conf] = narrate.text("lesson08.say.reasons", "en", lessons.lift_summary(lift, {}), conf=conf)
        low, high = (narrate.fmt_number(100 * lift[c].iloc[0], ".1f") for c in ("ci_low", "ci_high"))
        assert f"{conf:.0%} CI {low} to {high}".replace("%", " %") in said[conf]
    assert said[0.9] != said[0.99]


@given(st.lists(st.integers(0, 20), min_size=3, max_size=3), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_top_pair_is_the_largest_pair_and_a_share_of_the_rarer_theme(diag, xy, xz, yz):
    d = [max(v, xy, xz, yz) for v in diag]  # a theme is mentioned at least as often as any pair it is in
    co = pd.DataFrame([[d[0], xy, xz], [xy, d[1], yz], [xz, yz, d[2]]], index=list("xyz"), columns=list("xyz"))
    s = lessons.top_pair(co, {})
    assert s["n"] == max(xy, xz, yz)
    if s["n"]:
        assert 0 < s["share"] <= 1
        assert s["share"] == pytest.approx(s["n"] / co.loc[s["a"], s["a"]])
        assert co.loc[s["a"], s["a"]] <= co.loc[s["b"], s["b"]]
    else:
        assert s["a"] == "–" and np.isnan(s["share"])


def test_sentiment_accuracy_counts_right_labels_by_hand():
    texts = pd.Series(["房间很脏，太差了", "Lovely stay, spotless room", "It was okay.", "Terrible service"])
    scores = voc.score_sentiment(texts)
    ratings = pd.Series([1, 5, 3, 4])
    table, s = lessons.sentiment_accuracy(scores, ratings, "zh")
    truth = np.array(["negative", "positive", "neutral", "positive"])
    assert s["sample_acc"] == pytest.approx(float((scores["sentiment"].to_numpy() == truth).mean()))
    assert s["n"] == 4 and s["weakest"] in {"负面", "中性", "正面"}
    assert "宏平均" in table.columns and table.index.names == ["点评集", "语言"]


def test_token_examples_take_the_longest_review_of_each_language():
    out = voc.token_examples(pd.Series(["短评", "Nice.", "房间很干净，早餐也很好", "The room was not clean at all"]))
    assert out.index.tolist() == ["zh", "en"] and out["review"].tolist() == [2, 3]
    assert out.loc["en", "tokens"] == " | ".join(voc.tokenize("The room was not clean at all"))


# --------------------------------------------------------------------------- the lesson, end to end
def _run_lesson(params: dict, monkeypatch) -> list[str]:
    """Run the lesson's code cells in this process (as papermill would, in order) and return the Markdown it shows.

    Displayed objects and each cell's last expression are collected; charts draw on the Agg backend.
    tests/test_notebooks.py runs the same notebook under papermill in both worlds and languages.
    """
    import ast

    import IPython.display
    import matplotlib
    import matplotlib.pyplot as plt
    import nbformat

    matplotlib.use("Agg")
    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    nb = nbformat.read(str(ROOT / "notebooks" / "08_voice_of_customer.ipynb"), as_version=4)
    namespace: dict = {"__name__": "__main__"}
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        source = cell.source
        if "parameters" in cell.metadata.get("tags", []):
            source += "".join(f"\n{k} = {v!r}" for k, v in params.items())
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<lesson 08>", "exec"), namespace)  # noqa: S102 - the project's own notebook
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<lesson 08>", "eval"), namespace)  # noqa: S307
            if not source.rstrip().endswith(";"):
                shown.append(value)
        plt.close("all")
    return [o.data for o in shown if type(o).__name__ == "Markdown"]


def _sentences(markdown: list[str]) -> set[str]:
    return {s.strip() for t in markdown for s in re.split(r"(?<=\.)\s+|。", t) if len(s.strip()) > 30}


def test_hotel_and_shop_reports_share_no_interpretation_sentence(monkeypatch):
    said = {}
    for world in ("hotel", "ecommerce"):
        said[world] = _sentences(_run_lesson({"dataset": world, "lang": "en"}, monkeypatch))
        assert len(said[world]) >= 12, "the lesson renders its findings from results"
    assert said["hotel"].isdisjoint(said["ecommerce"]), said["hotel"] & said["ecommerce"]
