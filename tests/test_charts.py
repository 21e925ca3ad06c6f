"""Charts and tables as readers see them: share axes end at 100 %, labels stay inside the axes,
colours survive red–green colour blindness, KANO and IPA words explain themselves, p-values are
never "0.0". Each chart is drawn with the Agg backend and its artists are checked (limits, texts,
colours), not its pixels.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from cxlib import drivers, journey, kano, narrate, plots  # noqa: E402
from cxlib.errors import ScoreError  # noqa: E402
from cxlib.i18n import labels, t  # noqa: E402

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB: what readers with
# deuteranopia and protanopia (red–green colour blindness) see.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])


def _as_seen(color, matrix):
    c = np.asarray(to_rgb(color))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    seen = np.clip(matrix @ linear, 0, 1)
    return np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)


def _luminance(rgb) -> float:
    return float(np.dot(rgb[:3], [0.2126, 0.7152, 0.0722]))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _inside(ax, artists) -> list[str]:
    """Texts of ``artists`` whose drawn box leaves the axes (1 px tolerance)."""
    ax.figure.canvas.draw()
    frame = ax.get_window_extent()
    out = []
    for a in artists:
        box = a.get_window_extent()
        if a.get_text() and (box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1
                             or box.y1 > frame.y1 + 1):
            out.append(a.get_text())
    return out


# --------------------------------------------------------------------------- funnel
@pytest.fixture(scope="module")
def steep_funnel():
    """Two channels; 97 % of web sessions reach the second step, so its label cannot go right of the bar."""
    depth = {"web": [1] * 2 + [2] * 8 + [3] * 60 + [4] * 30, "app": [1] * 40 + [2] * 30 + [3] * 20 + [4] * 10}
    steps = ["home", "search", "cart", "order"]
    rows = [(f"{ch}{i}", ch, steps[k], pd.Timestamp("2026-01-05") + pd.Timedelta(minutes=k))
            for ch, depths in depth.items() for i, d in enumerate(depths) for k in range(d)]
    log = pd.DataFrame(rows, columns=["session_id", "platform", "step", "timestamp"])
    return journey.funnel(log, steps=steps, by="platform")


@pytest.mark.parametrize("figsize", [(9, 5.5), (5, 3.5)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_funnel_axis_ends_at_100_and_labels_stay_inside(steep_funnel, figsize, lang):
    plots.use_theme(lang)  # the lessons' theme and CJK font, so that the labels are measured as drawn
    _, ax = plt.subplots(figsize=figsize)
    journey.plot_funnel(steep_funnel, ax=ax, lang=lang)
    assert ax.get_xlim() == (0.0, 100.0)
    assert max(x for x in ax.get_xticks() if 0 <= x <= ax.get_xlim()[1]) == 100
    assert len(ax.texts) == 6  # one label per step after the first, per channel
    assert _inside(ax, ax.texts) == []


def test_funnel_names_steps_from_the_roles_in_the_chosen_language():
    from cxlib import roles

    ev = roles.of("hotel").events
    log = pd.DataFrame({"session_id": ["s1"] * 3, "platform": ["app"] * 3, "step": ["room", "details", "confirmation"],
                        "timestamp": pd.date_range("2026-01-05", periods=3, freq="min")})
    flow = journey.funnel(log, steps=["room", "details", "confirmation"], by="platform")
    _, ax = plt.subplots()
    journey.plot_funnel(flow, ax=ax, lang="zh", step_labels=ev.step_labels("zh"))
    assert [x.get_text() for x in ax.get_yticklabels()] == ["选择房型", "填写入住人", "预订成功"]


# --------------------------------------------------------------------------- before / after
def test_before_after_axis_ends_at_100_with_p_values_in_apa_style():
    table = pd.DataFrame({"platform": ["web", "app"], "n_before": [500, 400], "rate_before": [0.90, 0.40],
                          "ci_low_before": [0.87, 0.35], "ci_high_before": [0.92, 0.45], "rate_after": [0.97, 0.42],
                          "ci_low_after": [0.95, 0.37], "ci_high_after": [0.98, 0.47],
                          "difference": [0.07, 0.02], "p_value": [0.0, 0.5]})
    _, ax = plt.subplots(figsize=(7, 4.8))
    journey.plot_before_after(table, ax=ax, lang="en")
    assert ax.get_ylim() == (0.0, 100.0)
    ticks = [x.get_text() for x in ax.get_xticklabels()]
    assert ticks[0].endswith("p < 0.001") and ticks[1].endswith("p = 0.500")  # p = 0 is not "0.0"
    assert _inside(ax, ax.texts) == []
    # the legend sits above the axes: it covers no bar, even one that reaches 98 %
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1 - 1


# --------------------------------------------------------------------------- rating heatmap
def test_rating_heatmap_colours_run_dark_to_light_over_the_whole_scale():
    survey = pd.DataFrame({"property_id": ["city", "city", "resort", "resort"],
                           "tp_booking": [5, 4, 4, 5], "tp_checkin": [2, 1, 3, 2], "tp_room": [4, 4, 5, 3]})
    ratings = journey.touchpoint_ratings(survey, by="property_id", world="hotel")
    _, ax = plt.subplots()
    journey.plot_rating_heatmap(ratings, ax=ax)
    mesh = ax.collections[0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (1, 5)  # colours mean the same in every chart
    ramp = mesh.cmap(np.linspace(0, 1, 11))
    # dark is low, light is high, for every reader: lightness rises steadily as seen with full
    # colour vision and with red–green colour blindness (a red–yellow–green map peaks in the middle)
    for seen in (ramp[:, :3], *([_as_seen(c, m) for c in ramp[:, :3]] for m in (DEUTERANOPIA, PROTANOPIA))):
        lum = [_luminance(np.asarray(c)) for c in seen]
        assert all(b > a for a, b in itertools.pairwise(lum)), lum
    with pytest.raises(ValueError, match="outside the scale 1–5"):
        journey.plot_rating_heatmap(ratings.assign(mean=ratings["mean"] + 3), ax=ax)


# --------------------------------------------------------------------------- IPA
@pytest.fixture(scope="module")
def ipa_table():
    d = pd.DataFrame({"a": [5, 4, 5, 4], "b": [2, 3, 2, 1], "c": [4, 5, 4, 5], "d": [1, 2, 2, 1]})
    return drivers.ipa(d, list(d), importance={"a": 45, "b": 30, "c": 15, "d": 10})


def test_ipa_quadrant_colours_stay_apart_for_red_green_colour_blind_readers(ipa_table):
    assert set(ipa_table["quadrant"]) == {"keep_up", "concentrate_here", "possible_overkill", "low_priority"}
    _, ax = plt.subplots()
    drivers.plot_ipa(ipa_table, ax=ax)
    colours = [tuple(c[:3]) for c in ax.collections[0].get_facecolors()]
    assert len(set(colours)) == 4
    for m in (DEUTERANOPIA, PROTANOPIA):
        closest = min(np.linalg.norm(_as_seen(a, m) - _as_seen(b, m)) for a, b in itertools.combinations(colours, 2))
        assert closest > 0.3  # red (#d62728) against green (#2ca02c) is 0.12 as deuteranopes see it


def test_ipa_gap_is_named_in_standard_deviations_in_both_languages():
    assert "SD" in t("drivers.col.gap", "en") and "标准差" in t("drivers.col.gap", "zh")
    assert "standard" in drivers.ipa.__doc__ and "100 / k" in drivers.ipa.__doc__


def test_ipa_importance_cut_is_a_choice_per_axis(ipa_table):
    d = pd.DataFrame({"a": [5, 4, 5, 4], "b": [2, 3, 2, 1], "c": [4, 5, 4, 5], "d": [1, 2, 2, 1]})
    imp = {"a": 45, "b": 30, "c": 15, "d": 10}
    assert ipa_table.attrs["importance_cut"] == 25.0  # the mean of shares that sum to 100: 100 / k
    mixed = drivers.ipa(d, list(d), importance=imp, split=("mean", "median"))
    # performance means 4.5, 2, 4.5, 1.5 (mean 3.125); importance median (15 + 30) / 2
    assert (mixed.attrs["performance_cut"], mixed.attrs["importance_cut"]) == (3.125, 22.5)
    mixed = drivers.ipa(d, list(d), importance=imp, split=("median", 30))
    assert (mixed.attrs["performance_cut"], mixed.attrs["importance_cut"]) == (3.25, 30.0)
    assert mixed.loc["c", "quadrant"] == "possible_overkill" and mixed.loc["b", "quadrant"] == "concentrate_here"
    for bad in ("avg", ("mean",), ("mean", "max"), (np.nan, 20)):
        with pytest.raises(ValueError, match="split"):
            drivers.ipa(d, list(d), importance=imp, split=bad)


# --------------------------------------------------------------------------- KANO
def test_kano_sd_bars_stay_inside_the_axes_and_the_legend_covers_no_quadrant_name():
    table = pd.DataFrame({"feature": ["wifi", "robot"], "functional_mean": [3.6, -1.2], "functional_sd": [1.1, 1.4],
                          "dysfunctional_mean": [3.7, -1.5], "dysfunctional_sd": [0.9, 0.8], "importance_mean": [7.0, 4.0]})
    _, ax = plt.subplots(figsize=(7.5, 6.5))
    kano.plot_continuous(table, ax=ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= -1.5 - 0.8 and x1 >= 3.7 + 0.9 and y0 <= -1.2 - 1.4 and y1 >= 3.6 + 1.1
    assert x0 <= -2 and x1 >= 4 and y0 <= -2 and y1 >= 4  # the scores' whole range stays in view
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert not [x.get_text() for x in ax.texts if x.get_window_extent().overlaps(legend)]
    assert legend.x0 >= ax.get_window_extent().x1  # beside the axes: it covers no point, bar or name


def test_kano_answer_names_differ_from_category_names():
    categories = {lang: {v.casefold() for v in labels("kano.category", lang).values()} for lang in ("en", "zh")}
    assert not {a.casefold() for a in kano.ANSWERS} & categories["en"]
    for lang in ("en", "zh"):
        answers = kano.evaluation_table(lang).index
        assert not {a.casefold() for a in answers} & categories[lang]
        assert list(answers) == list(kano.evaluation_table(lang).columns)
    assert list(kano.evaluation_table("en").index) == ["Like", "Expect", "Neutral", "Live with", "Dislike"]
    with pytest.raises(ScoreError) as err:
        kano.classify([7], [1])
    assert "must-be" not in str(err.value)  # the error lists the answers by their own names


def test_kano_category_sentence_names_the_reverse_features():
    for lang in ("en", "zh"):
        out = narrate.text("lesson03.say.categories", lang, M="Wi-Fi", O="–", A="–", I="–", R="Robot delivery", mixed="–")
        assert "Robot delivery" in out and t("kano.category.R", lang) in out


# --------------------------------------------------------------------------- p-values
def test_p_values_of_every_missing_kind_show_as_a_dash():
    frame = pd.DataFrame({"p_value": pd.Series([0.0, None, 0.2], dtype="Float64"),
                          "p_adjusted": pd.Series([np.nan, 1e-9, 1.0], dtype="float32")})
    shown = narrate.table(frame)
    assert shown.iloc[:, 0].tolist() == ["< 0.001", "–", "0.20"]
    assert shown.iloc[:, 1].tolist() == ["–", "< 0.001", "1.00"]


def test_table_keeps_the_index_when_columns_are_chosen():
    frame = pd.DataFrame({"importance": [31.9, 20.6], "p_value": [0.0, 0.04]},
                         index=pd.Index(["Room cleanliness", "Check-in"], name="driver"))
    shown = narrate.table(frame, "en", ["p_value"], index=True, headers="drivers.col")
    assert len(shown.columns) == 2 and shown.columns[0] == "Driver"
    assert shown.iloc[:, 0].tolist() == ["Room cleanliness", "Check-in"]
    assert shown.iloc[:, 1].tolist() == ["< 0.001", "0.040"]


def test_nps_colours_stay_apart_for_red_green_colour_blind_readers():
    colours = [plots.NPS_COLORS[k] for k in ("detractor", "passive", "promoter")]
    for m in (DEUTERANOPIA, PROTANOPIA):
        closest = min(np.linalg.norm(_as_seen(a, m) - _as_seen(b, m)) for a, b in itertools.combinations(colours, 2))
        assert closest > 0.3
