"""Text from results: templates, number formats, Chinese typography, lesson budgets.

The narrative functions are tested on results directly (fast); notebooks are
read, not executed, except where a test says so.
"""

import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cxlib import i18n, narrate

ROOT = Path(__file__).resolve().parents[1]
CJK = narrate._CJK
TEMPLATES = [k for k in i18n.keys() if ".say." in k or k.startswith("narrate.")]


def test_there_are_sentence_templates():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("key", TEMPLATES)
def test_template_has_the_same_placeholders_in_both_languages(key):
    assert narrate.template_fields(key, "en") == narrate.template_fields(key, "zh")


@pytest.mark.parametrize("key", TEMPLATES)
def test_chinese_template_uses_chinese_punctuation(key):
    zh = i18n.t(key, "zh")
    outside = re.sub(r"\{[^}]*\}", "0", zh)  # format specs may hold ASCII marks
    assert not re.search(f"[{CJK}][,;:?!(]|[,;:?!)][{CJK}]", outside), zh
    assert not re.search(f"[{CJK}] +[{CJK}]", outside), zh


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.0, "< 0.001"), (1e-12, "< 0.001"), (0.00099, "< 0.001"), (0.001, "0.0010"), (0.0312, "0.031"),
     (0.049, "0.049"), (0.15, "0.15"), (0.5, "0.50"), (1.0, "1.00"), (np.nan, "–")],
)
def test_p_values_are_never_zero(p, shown):
    assert narrate.fmt_p(p) == shown


def test_p_value_out_of_range_is_an_error():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        narrate.fmt_p(1.5)


def test_number_specs():
    f = narrate.fmt_number
    assert f(0.413, "pct", "en") == "41 %"
    assert f(0.413, "pct", "zh") == "41%"
    assert f(0.0451, "pct1", "en") == "4.5 %"
    assert f(10.46, "pts") == "+10"
    assert f(-16.2, "pts") == "−16"
    assert f(-0.2, "pts") == "0"  # no "−0" nor "+0"
    assert f(2.54, "pts1") == "+2.5"
    assert f(-28.4, "abs") == "28"
    assert f(3634, "n") == "3,634"
    assert f(True, "?rose|fell") == "rose"
    assert f(False, "?rose|fell") == "fell"
    assert f(-0.123, ".2f") == "−0.12"
    assert f(0.00001, "p") == "p < 0.001"
    assert f(0.2, "p") == "p = 0.20"


def test_text_fills_from_a_dataclass_and_a_row():
    from cxlib import metrics

    result = metrics.nps(pd.Series([10] * 5 + [8] * 3 + [0] * 2))
    assert narrate.text("narrate.example", "en", result, p_value=0.2) == "NPS +30 (p = 0.20)."
    row = pd.DataFrame({"nps": [-5.0], "p_value": [0.0]})
    assert narrate.text("narrate.example", "zh", row) == "NPS 为 −5（p < 0.001）。"


def test_text_names_a_missing_placeholder():
    with pytest.raises(KeyError, match="p_value"):
        narrate.text("narrate.example", "en", nps=3.0)


def test_tidy_zh_removes_spaces_between_chinese_and_uses_wide_punctuation():
    out = narrate.tidy_zh("城市店 的 NPS 为 +7, 度假店 为 +14: 差距 (7 分) 不显著")
    assert out == "城市店的 NPS 为 +7，度假店为 +14：差距（7 分）不显著"


def test_join_zh_lines_keeps_blocks():
    md = "第一段第一行\n第二行。\n\n## 标题\n正文\n* 列表\n| 表 |\n提示 `code`\n下一行"
    out = narrate.join_zh_lines(md)
    assert out == "第一段第一行第二行。\n\n## 标题\n正文\n* 列表\n| 表 |\n提示 `code`\n下一行"


def test_table_formats_translates_and_never_warns():
    frame = pd.DataFrame(
        {"property_id": ["city", "resort"], "nps": [7.04, np.nan], "p_adjusted": [0.0, 0.151],
         "promoters": [0.412, 0.5], "small_n": [True, False], "n": [1200, 30]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = narrate.table(frame, "zh", headers="metrics.col", values={"property_id": "property"},
                            percent=["promoters"], digits={"promoters": 0})
    assert list(out.columns) == ["property_id", "NPS", "校正后 p 值", "推荐者", "样本量小", "样本量"]
    assert out.iloc[:, 0].tolist() == ["城市店", "度假店"]
    assert out.iloc[:, 1].tolist() == ["7.0", "–"]
    assert out.iloc[:, 2].tolist() == ["< 0.001", "0.15"]
    assert out.iloc[:, 3].tolist() == ["41%", "50%"]
    assert out.iloc[:, 4].tolist() == ["✓", ""]
    assert out.iloc[:, 5].tolist() == ["1,200", "30"]


# --- the notebooks' Chinese prose --------------------------------------------------------------

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_chinese_paragraphs_have_no_line_break_between_chinese_characters(path):
    nb = nbformat.read(str(path), as_version=4)
    zh = [c.source for c in nb.cells if c.cell_type == "markdown" and "lang-zh" in c.metadata.get("tags", [])]
    stray = [s for s in zh if narrate.join_zh_lines(s) != s]
    assert stray == [], f"line breaks that render as a space in Chinese: {[s[:60] for s in stray]}"


# --- the narrative follows the data and the parameters ----------------------------------------

def _headline(scores, conf, lang="en"):
    from cxlib import metrics

    overall = metrics.nps(scores, conf=conf)
    return narrate.text("lesson02.say.headline", lang, overall, conf=conf, warn=10 * overall.detractors / overall.promoters)


def _by_hand(scores, z):
    """NPS and its Wald CI from the counts, written out (Reichheld; Rocks 2016), as signed whole points."""
    s = scores.dropna()
    p, d = (s >= 9).mean(), (s <= 6).mean()
    nps, se = 100 * (p - d), 100 * ((p + d - (p - d) ** 2) / len(s)) ** 0.5
    return [narrate.fmt_number(v, "pts") for v in (nps, nps - z * se, nps + z * se)], len(s)


def test_headline_numbers_follow_the_data_and_conf():
    from cxlib import datasets

    scores = datasets.load("hotel", "survey")["nps"]
    fewer_scores = scores.drop(scores[scores >= 9].index[::2])  # half the promoters gone
    for data, conf, z in ((scores, 0.95, 1.959964), (scores, 0.99, 2.575829), (fewer_scores, 0.95, 1.959964)):
        (nps, low, high), n = _by_hand(data, z)
        said = _headline(data, conf)
        assert f"**{nps}**" in said and f"{conf:.0%} CI {low} to {high}".replace("%", " %") in said and f"n = {n:,}" in said
    assert _headline(scores, 0.95) != _headline(fewer_scores, 0.95)


def test_segment_sentence_follows_the_correction():
    from cxlib import datasets, lessons, metrics

    survey = datasets.load("hotel", "survey")
    said = {}
    for correction in ("holm", None):
        tab = metrics.nps_by(survey, "nps", "property_id", correction=correction)
        summary = lessons.by_summary(tab, "property_id")
        said[correction] = narrate.text("lesson02.say.segment", "en", summary, what="Property")
        k = int((tab["p_adjusted"] < 0.05).sum())
        assert f"after the correction: {k} of 3" in said[correction]
        assert ("nothing survives" in said[correction]) == (k == 0)
    assert said["holm"] != said[None]  # on the sample data Holm removes the raw findings


def test_two_worlds_share_no_interpretation_sentence():
    from cxlib import lessons, metrics

    said = {}
    for world in ("hotel", "ecommerce"):
        survey = lessons.survey_frame(world)
        tab = metrics.nps_by(survey.data, "nps", survey.segments[0])
        said[world] = {narrate.text("lesson02.say.segment", "en", lessons.by_summary(tab, survey.segments[0]),
                                    what=survey.names[survey.segments[0]]),
                       _headline(survey.data["nps"], 0.95)}
    assert said["hotel"].isdisjoint(said["ecommerce"])


# --- thin lessons ------------------------------------------------------------------------------

CONVERTED = ["00_welcome", "01_touchpoints_journey", "02_measuring_experience", "03_kano", "04_servqual", "05_drivers_priorities", "06_customer_value", "07_heart", "08_voice_of_customer", "09_experience_pays", "10_cx_report",
             "11_closing_the_loop", "12_experiments", "appendix_at_scale"]  # lessons rendered from results; the others are listed in the report


def _code_lines(nb) -> tuple[int, int]:
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    lines = sum(1 for s in code for line in s.splitlines() if line.strip() and not line.strip().startswith("#"))
    defs = sum(len(re.findall(r"^\s*def ", s, re.M)) for s in code)
    return lines, defs


@pytest.mark.parametrize("stem", CONVERTED)
def test_converted_lesson_is_thin_and_world_free(stem):
    nb = nbformat.read(str(ROOT / "notebooks" / f"{stem}.ipynb"), as_version=4)
    lines, defs = _code_lines(nb)
    assert lines <= 80, f"{lines} code lines"
    assert defs <= 1, "only a widget callback"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "dataset ==" not in code
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"\*(Hotel|Shop):\*|\*(酒店|电商)：\*", prose), "prose written for both worlds"


# --- BEST: wording follows the evidence, a release is taken into account ------------------------

def _moments(costs, low):
    n = len(costs)
    return pd.DataFrame({"touchpoint": [f"t{i}" for i in range(n)], "rating": [f"r{i}" for i in range(n)],
                         "name_en": [f"T{i}" for i in range(n)], "name_zh": [f"触点{i}" for i in range(n)],
                         "share_low": [0.1] * n, "share_low_all": [0.1] * n, "difference": [c * 10 for c in costs],
                         "ci_low": [c * 10 - low for c in costs], "ci_high": [c * 10 + 5 for c in costs], "cost": costs})


def test_best_words_follow_evidence_and_release():
    from cxlib import best

    now = _moments([3.0, 2.0, 0.3], low=25)  # t0's interval excludes zero, t2's does not
    drivers = pd.DataFrame({"lmg_pct": [40.0, 30.0, 1.0]}, index=["r0", "r1", "r2"])
    before = now.assign(cost=[3.0, 2.0, 4.0])  # t2 cost 4 points before the release
    out = best.action_list(now, drivers, top=2, before=before, change="one-click pay", targets=["t2"]).set_index("touchpoint")
    assert out.loc["t0", "strength"] == "fix" and out.loc["t0", "action"].startswith("Fix T0")
    assert out.loc["t2", "strength"] == "improved" and "improved after one-click pay" in out.loc["t2", "action"]
    unrelated = best.action_list(now, drivers, top=2, before=before, change="one-click pay", targets=["t0"])
    assert "improved" not in set(unrelated["strength"])  # t2 improved, but not by this change
    weak = best.action_list(_moments([3.0, 2.0], low=40), top=1).set_index("touchpoint")
    assert (weak["strength"] == "investigate").all()  # intervals reach below zero: investigate, not fix


def test_table_shows_long_text_whole():
    wording = "It makes accurate promises about delivery of products, and keeps them every time."
    html = narrate.table(pd.DataFrame({"wording": [wording]}))._repr_html_()
    assert wording in html  # pandas alone cuts at 50 characters


# --- end to end: one report per world, no shared interpretation ---------------------------------

def _rendered_sentences(executed) -> set[str]:
    nb = nbformat.read(str(executed), as_version=4)
    text = [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/markdown" in o.get("data", {})]
    return {s.strip() for t in text for s in re.split(r"(?<=\.)\s+|。", t) if len(s.strip()) > 30}


@pytest.mark.notebook
def test_best_reports_of_two_worlds_share_no_interpretation(tmp_path):
    from cxwb import runner

    said = {}
    for world in ("hotel", "ecommerce"):
        run = runner.execute(ROOT / "notebooks" / "10_cx_report.ipynb", tmp_path / world, {"dataset": world, "lang": "en"}, timeout=600)
        assert run.ok, run.describe()
        said[world] = _rendered_sentences(run.executed)
        assert len(said[world]) > 8, "the report renders its findings from results"
    assert said["hotel"].isdisjoint(said["ecommerce"]), said["hotel"] & said["ecommerce"]


@pytest.mark.notebook
def test_heart_lessons_of_two_worlds_share_no_interpretation_and_follow_the_window(tmp_path):
    from cxwb import runner

    said = {}
    for world, days in (("hotel", 14), ("ecommerce", 30)):
        run = runner.execute(ROOT / "notebooks" / "07_heart.ipynb", tmp_path / world,
                             {"dataset": world, "lang": "en", "adoption_days": days}, timeout=600)
        assert run.ok, run.describe()
        said[world] = _rendered_sentences(run.executed)
        assert len(said[world]) > 10, "the lesson renders its findings from results"
        assert any(f"In the first {days} days after the release" in s for s in said[world])
    assert said["hotel"].isdisjoint(said["ecommerce"]), said["hotel"] & said["ecommerce"]
    assert any("Express pay" in s for s in said["hotel"]) and not any("One-click" in s for s in said["hotel"])


@pytest.mark.parametrize("key", TEMPLATES)
def test_chinese_bold_closes_before_full_width_punctuation(key):
    # CommonMark cannot close "**" between full-width punctuation and a Chinese character ("。**全"):
    # the bold would show as asterisks; "**。" renders, with no space needed
    zh = re.sub(r"\{[^{}]*\?", "{", i18n.t(key, "zh"))  # choice specs: check each branch's text alike
    closing = [m.start() for m in re.finditer(r"\*\*", zh)][1::2]
    assert all(zh[i - 1] not in "。：；！？，" for i in closing), zh
