"""Tests of cxlib.kano: evaluation table, hand-counted tables, bad input, invariants, charts."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import kano
from cxlib.errors import CXDataError, ScoreError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- evaluation table
# Berger et al. (1993), rows functional, columns dysfunctional, both in the order
# like, must-be, neutral, live with, dislike — typed in from the paper's table.
BERGER = {
    (1, 1): "Q", (1, 2): "A", (1, 3): "A", (1, 4): "A", (1, 5): "O",
    (2, 1): "R", (2, 2): "I", (2, 3): "I", (2, 4): "I", (2, 5): "M",
    (3, 1): "R", (3, 2): "I", (3, 3): "I", (3, 4): "I", (3, 5): "M",
    (4, 1): "R", (4, 2): "I", (4, 3): "I", (4, 4): "I", (4, 5): "M",
    (5, 1): "R", (5, 2): "R", (5, 3): "R", (5, 4): "R", (5, 5): "Q",
}


def test_every_cell_of_the_evaluation_table():
    f, d = zip(*BERGER, strict=True)
    assert kano.classify(list(f), list(d)).tolist() == list(BERGER.values())


@pytest.mark.parametrize(
    ("pair", "expected"),
    [((1, 1), "Q"), ((5, 5), "Q"), ((1, 5), "O"), ((2, 5), "M"), ((1, 4), "A"), ((3, 3), "I"), ((5, 1), "R")],
)
def test_named_cells(pair, expected):
    assert kano.EVALUATION_TABLE[pair[0] - 1, pair[1] - 1] == expected


def test_evaluation_table_constant_is_read_only():
    with pytest.raises(ValueError):
        kano.EVALUATION_TABLE[0, 0] = "A"


def test_labels_in_english_and_chinese_match_codes():
    en_f = ["like", "Must-be", "expect", "neutral", "live with", "live-with", "tolerate", "dislike", "I like it"]
    en_d = ["dislike", "dislike", "dislike", "dislike", "dislike", "dislike", "dislike", "like", "neutral"]
    codes_f = [1, 2, 2, 3, 4, 4, 4, 5, 1]
    codes_d = [5, 5, 5, 5, 5, 5, 5, 1, 3]
    assert kano.classify(en_f, en_d).tolist() == kano.classify(codes_f, codes_d).tolist()
    zh_f = ["喜欢", "理所当然", "应该的", "无所谓", "能忍受", "可以忍受", "不喜欢", " 喜欢 "]
    zh_d = ["不喜欢", "不喜欢", "不喜欢", "不喜欢", "不喜欢", "不喜欢", "喜欢", "能忍受"]
    assert kano.classify(zh_f, zh_d).tolist() == ["O", "M", "M", "M", "M", "M", "R", "A"]
    # digits as text and floats are codes too
    assert kano.classify(["1", 2.0], ["5", 5.0]).tolist() == ["O", "M"]


def test_classify_keeps_the_series_index_and_skipped_pairs():
    f = pd.Series([1, np.nan, 2], index=["r1", "r2", "r3"])
    d = pd.Series([5, np.nan, 5], index=["r1", "r2", "r3"])
    out = kano.classify(f, d)
    assert list(out.index) == ["r1", "r2", "r3"]
    assert out["r1"] == "O" and out["r3"] == "M" and pd.isna(out["r2"])


# --------------------------------------------------------------------------- hand-counted table
# Ten respondents on one feature, counted by hand:
#   r1–r3 (like, dislike) O; r4 (like, neutral) A; r5 (like, live with) A;
#   r6 (must-be, dislike) M; r7 (neutral, dislike) M; r8 (neutral, neutral) I;
#   r9 (dislike, like) R; r10 (like, like) Q
#   → A 2, O 3, M 2, I 1, R 1, Q 1, n 10
#   Better = (A + O)/(A + O + M + I) = 5/8 = 0.625; Worse = −(O + M)/8 = −0.625
#   Top two: O = 3, then A = M = 2 tie → M by the M > O > A > I rule.
#   Fong: |3 − 2| = 1 < 1.65·√((3 + 2)(20 − 5)/20) = 1.65·√3.75 = 3.195 → not
#   significant → "O/M".
#   Functional scores: six like (4), one must-be (2), two neutral (0), one dislike
#   (−2): mean 24/10 = 2.4; Σ(x − 2.4)² = 6·1.6² + 0.4² + 2·2.4² + 4.4² = 46.4,
#   SD = √(46.4/9) = 2.27058.
#   Dysfunctional answers 5,5,5,3,4,5,5,3,1,1 → 4,4,4,0,2,4,4,0,−2,−2: mean 1.8;
#   Σ(x − 1.8)² = 5·2.2² + 2·1.8² + 0.2² + 2·3.8² = 59.6, SD = √(59.6/9) = 2.57337.
#
# A second feature "wifi": eight (must-be, dislike) M and two (neutral, neutral) I:
#   Fong |8 − 2| = 6 ≥ 1.65·√(10·10/20) = 3.689 → significant, category "M";
#   Better 0/10 = 0, Worse −8/10 = −0.8.
# A third feature "tie": five (like, neutral) A and five (like, dislike) O:
#   a tie → ordered O before A → "O/A", not significant (0 < 1.65·√(10·10/20)).
HAND = pd.DataFrame(
    {
        "welcome_func": [1, 1, 1, 1, 1, 2, 3, 3, 5, 1],
        "welcome_dys": [5, 5, 5, 3, 4, 5, 5, 3, 1, 1],
        "wifi_func": [2] * 8 + [3, 3],
        "wifi_dys": [5] * 8 + [3, 3],
        "tie_func": [1] * 10,
        "tie_dys": [3] * 5 + [5] * 5,
        "welcome_imp": [9, 8, 7, 9, np.nan, 5, 6, 7, 8, 9],
    }
)


def test_hand_counted_table():
    t = kano.kano_table(HAND, ["welcome", "wifi", "tie"]).set_index("feature")
    w = t.loc["welcome"]
    assert [w[c] for c in "AOMIRQ"] == [2, 3, 2, 1, 1, 1]
    assert w["n"] == 10 and w["n_missing"] == 0
    assert w["better"] == pytest.approx(0.625)
    assert w["worse"] == pytest.approx(-0.625)
    assert w["category"] == "O/M"
    assert not w["fong_significant"]
    assert w["functional_mean"] == pytest.approx(2.4)
    assert w["functional_sd"] == pytest.approx(math.sqrt(46.4 / 9))
    assert w["dysfunctional_mean"] == pytest.approx(1.8)
    assert w["dysfunctional_sd"] == pytest.approx(math.sqrt(59.6 / 9))
    # importance: mean of the nine answers given (one missing)
    assert w["importance_mean"] == pytest.approx((9 + 8 + 7 + 9 + 5 + 6 + 7 + 8 + 9) / 9)

    f = t.loc["wifi"]
    assert (f["M"], f["I"], f["category"], bool(f["fong_significant"])) == (8, 2, "M", True)
    assert (f["better"], f["worse"]) == (pytest.approx(0.0), pytest.approx(-0.8))

    tie = t.loc["tie"]
    assert (tie["A"], tie["O"], tie["category"], bool(tie["fong_significant"])) == (5, 5, "O/A", False)
    assert "importance_mean" in t.columns and np.isnan(t.loc["wifi", "importance_mean"])


def test_importance_can_be_left_out():
    t = kano.kano_table(HAND, ["welcome"], importance=None)
    assert "importance_mean" not in t.columns


def test_long_input_gives_the_same_table_as_wide():
    feats = ["welcome", "wifi", "tie"]
    rows = []
    for r in HAND.index:
        for f in feats:
            rows.append({"respondent": r, "feature": f, "functional": HAND.at[r, f"{f}_func"],
                         "dysfunctional": HAND.at[r, f"{f}_dys"]})
    long = pd.DataFrame(rows)
    wide_t = kano.kano_table(HAND, feats, importance=None)
    long_t = kano.kano_table(long, feats)
    pd.testing.assert_frame_equal(wide_t, long_t)


def test_features_are_found_automatically_and_skipped_pairs_counted():
    df = HAND[["wifi_func", "wifi_dys"]].astype(float).copy()
    df.loc[0, ["wifi_func", "wifi_dys"]] = np.nan  # skipped the feature: both halves missing
    t = kano.kano_table(df)
    assert t["feature"].tolist() == ["wifi"]
    assert (t.loc[0, "n"], t.loc[0, "n_missing"], t.loc[0, "M"]) == (9, 1, 7)


def test_fong_alpha_sets_the_critical_value():
    t = kano.kano_table(HAND, ["wifi"], fong_alpha=0.10)
    assert t.attrs["fong_z"] == pytest.approx(1.6449, abs=1e-4)
    assert kano.kano_table(HAND, ["wifi"]).attrs["fong_z"] == 1.65
    with pytest.raises(ValueError, match="fong_alpha"):
        kano.kano_table(HAND, ["wifi"], fong_alpha=1.5)


def test_kano_from_counts_on_a_hand_made_pair_table():
    counts = np.zeros((5, 5), int)
    counts[0, 4] = 6  # O
    counts[1, 4] = 4  # M
    t = kano.kano_from_counts({"x": counts})
    # Fong: |6 − 4| = 2 < 1.65·√(10·10/20) = 3.69 → "O/M"
    assert t.loc[0, "category"] == "O/M"
    assert t.loc[0, "better"] == pytest.approx(0.6) and t.loc[0, "worse"] == pytest.approx(-1.0)


def test_only_questionable_answers_give_nan_coefficients():
    t = kano.kano_table(pd.DataFrame({"x_func": [1, 5], "x_dys": [1, 5]}))
    assert t.loc[0, "Q"] == 2 and t.loc[0, "category"] == "Q"
    assert np.isnan(t.loc[0, "better"]) and np.isnan(t.loc[0, "worse"])


# --------------------------------------------------------------------------- bad input
def test_answer_outside_the_five_names_feature_value_and_row():
    df = pd.DataFrame({"wifi_func": [1, 6, 2], "wifi_dys": [5, 5, 5]}, index=[10, 11, 12])
    with pytest.raises(ScoreError) as err:
        kano.kano_table(df)
    msg = str(err.value)
    assert "'wifi'" in msg and "functional" in msg and "row 11 (6)" in msg


def test_missing_half_of_a_pair_names_feature_and_row():
    df = pd.DataFrame({"wifi_func": [1, np.nan, 2], "wifi_dys": [5, 3, 5]})
    with pytest.raises(CXDataError) as err:
        kano.kano_table(df)
    msg = str(err.value)
    assert "'wifi'" in msg and "row 1" in msg and "functional=missing" in msg and "dysfunctional=3" in msg


def test_unknown_label_is_named():
    with pytest.raises(ScoreError, match="'maybe'"):
        kano.classify(["like", "maybe"], ["dislike", "dislike"], feature="pillow_menu")
    with pytest.raises(ScoreError, match="pillow_menu"):
        kano.classify(["like", "maybe"], ["dislike", "dislike"], feature="pillow_menu")


def test_true_false_are_not_answers():
    with pytest.raises(ScoreError, match="dysfunctional"):
        kano.classify([1, 2], [True, False])


def test_long_input_error_names_the_feature():
    long = pd.DataFrame({"feature": ["a", "b"], "functional": [1, 9], "dysfunctional": [5, 5]})
    with pytest.raises(ScoreError, match="feature 'b'.*row 1 \\(9\\)"):
        kano.kano_table(long)


def test_duplicate_respondent_feature_rows_are_rejected():
    long = pd.DataFrame({"respondent": [1, 1], "feature": ["a", "a"], "functional": [1, 1],
                         "dysfunctional": [5, 5]})
    with pytest.raises(CXDataError, match="twice"):
        kano.kano_table(long)


def test_missing_columns_are_named():
    with pytest.raises(CXDataError, match="wifi_dys"):
        kano.kano_table(pd.DataFrame({"wifi_func": [1]}), ["wifi"])


def test_importance_outside_its_scale_is_an_error():
    df = pd.DataFrame({"x_func": [1, 2], "x_dys": [5, 5], "x_imp": [5, 10]})
    with pytest.raises(ScoreError, match="x_imp"):
        kano.kano_table(df)


# --------------------------------------------------------------------------- properties
pairs = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_better_worse_bounds_and_counts(answers):
    f, d = zip(*answers, strict=True)
    t = kano.kano_table(pd.DataFrame({"x_func": f, "x_dys": d}))
    row = t.iloc[0]
    assert sum(row[c] for c in "AOMIRQ") == row["n"] == len(answers)
    if row["A"] + row["O"] + row["M"] + row["I"] > 0:
        assert 0 <= row["better"] <= 1
        assert -1 <= row["worse"] <= 0
    else:
        assert np.isnan(row["better"]) and np.isnan(row["worse"])
    assert -2 <= row["functional_mean"] <= 4 and -2 <= row["dysfunctional_mean"] <= 4
    assert row["category"].split("/")[0] in kano.CATEGORIES


@settings(max_examples=40, deadline=None)
@given(pairs, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(answers, rnd):
    f, d = zip(*answers, strict=True)
    df = pd.DataFrame({"x_func": f, "x_dys": d})
    order = list(range(len(df)))
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(kano.kano_table(df), kano.kano_table(df.iloc[order]))


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_words_and_codes_classify_alike(answers):
    words = ["like", "must-be", "neutral", "live with", "dislike"]
    zh = ["喜欢", "理所当然", "无所谓", "能忍受", "不喜欢"]
    f, d = zip(*answers, strict=True)
    codes = kano.classify(list(f), list(d)).tolist()
    assert kano.classify([words[i - 1] for i in f], [words[i - 1] for i in d]).tolist() == codes
    assert kano.classify([zh[i - 1] for i in f], [zh[i - 1] for i in d]).tolist() == codes


def test_one_row_input():
    t = kano.kano_table(pd.DataFrame({"x_func": [1], "x_dys": [5]}))
    assert t.loc[0, "category"] == "O" and t.loc[0, "n"] == 1 and np.isnan(t.loc[0, "functional_sd"])


def test_empty_input_gives_no_category():
    t = kano.kano_table(pd.DataFrame({"x_func": pd.Series([], dtype=float), "x_dys": pd.Series([], dtype=float)}))
    assert t.loc[0, "n"] == 0 and t.loc[0, "category"] is None and not t.loc[0, "fong_significant"]


# --------------------------------------------------------------------------- charts
@pytest.mark.filterwarnings("ignore:Glyph")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_draw_on_the_given_axes(lang):
    t = kano.kano_table(HAND, ["welcome", "wifi", "tie"])
    for fn in (kano.plot_better_worse, kano.plot_categories, kano.plot_continuous):
        fig, ax = plt.subplots()
        assert fn(t, ax=ax, lang=lang) is ax
        assert ax.get_title()
    plt.figure()
    ax = kano.plot_better_worse(t, lang=lang)
    assert ax is plt.gca()
    xs = ax.collections[0].get_offsets()[:, 0]
    np.testing.assert_allclose(np.sort(xs), np.sort(np.abs(t["worse"])))  # |Worse| on the x-axis
    texts = {x.get_text() for x in ax.texts}
    assert {"welcome", "wifi", "tie"} <= texts


def test_chart_needs_a_kano_table():
    with pytest.raises(CXDataError, match="better"):
        kano.plot_better_worse(pd.DataFrame({"feature": ["x"]}))


def test_categories_chart_stacks_to_one():
    t = kano.kano_table(HAND, ["welcome"])
    ax = kano.plot_categories(t)
    widths = sum(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(1.0)


def test_continuous_plot_legend_names_importance_values():
    import matplotlib.pyplot as plt

    table = pd.DataFrame({
        "feature": ["a", "b", "c"], "functional_mean": [3.0, 1.0, 0.5], "dysfunctional_mean": [3.0, 0.5, 1.0],
        "functional_sd": [1.0, 1.0, 1.0], "dysfunctional_sd": [1.0, 1.0, 1.0], "importance_mean": [8.0, 5.0, 3.0],
    })
    fig, ax = plt.subplots()
    kano.plot_continuous(table, ax=ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    assert labels and all(label.strip() for label in labels)


def test_weighted_kano_table_hand_worked_and_unit_weights():
    # respondents: (2, 5) → M with weight 3; (1, 5) → O with weight 1; Better = 1/4, Worse = −(1 + 3)/4
    df = pd.DataFrame({"wifi_func": [2, 1], "wifi_dys": [5, 5], "w": [3.0, 1.0]})
    t = kano.kano_table(df, weights="w")
    assert (t.loc[0, "M"], t.loc[0, "O"], t.loc[0, "n"]) == (3.0, 1.0, 2)
    assert t.loc[0, "better"] == 0.25 and t.loc[0, "worse"] == -1.0
    assert t.loc[0, "n_eff"] == pytest.approx(16 / 10)
    # functional scores 2 (must-be) and 4 (like): weighted mean (3·2 + 4)/4 = 2.5
    assert t.loc[0, "functional_mean"] == 2.5
    rng = np.random.default_rng(4)
    wide = pd.DataFrame({"x_func": rng.integers(1, 6, 80), "x_dys": rng.integers(1, 6, 80), "w": 1.0})
    a, b = kano.kano_table(wide), kano.kano_table(wide, weights="w")
    for col in ("A", "O", "M", "I", "R", "Q", "better", "worse", "functional_mean", "functional_sd",
                "dysfunctional_mean", "dysfunctional_sd"):
        assert float(b.loc[0, col]) == pytest.approx(float(a.loc[0, col]), rel=1e-12), col
    assert b.loc[0, "category"] == a.loc[0, "category"]
    with pytest.raises(CXDataError, match="weights column 'w'"):
        kano.kano_table(wide.assign(w=-1.0), weights="w")
