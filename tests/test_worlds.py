"""A report for one world speaks of that world only.

Narrative cells that name one world's things are tagged ``world-hotel`` or ``world-ecommerce``
(besides ``lang-en`` / ``lang-zh``); the cells a report keeps (:func:`cxwb.apps.dropped_tags`, as
the runner and the apps apply it) must not name the other world's things. The one exception is
lesson 00's title cell, which introduces the workbook's two worlds and how to switch between them.
The exercises follow the same rule, checked as ``cxwb export --dataset`` writes them for a class: the
student version (:func:`cxwb.grading.student_version`) in one language and one world.

The vocabularies hold the words only one world uses (``datasets/<world>/DICTIONARY.md`` and the
label catalogues): both worlds have an app and a website, sessions, a payment step, customers,
complaints or support contacts and reviews, so those words are in neither list. A few words also
have a general sense that is not the world's thing ("in this order", "the estimate stays
unbiased", the hotel's KANO feature "robot delivery"); those phrases are masked before matching.
"""

import re

import nbformat
import pytest

from cxlib import voc
from cxwb import apps, grading, runner

LESSONS = runner.discover()
EXERCISES = list(grading.exercise_files().values())
WORLDS = ("hotel", "ecommerce")
LANGS = ("en", "zh")

VOCABULARY = {
    "hotel": [
        r"\bhotels?\b", r"\bguests?\b", r"\bstay(s|ed)?\b", r"\brooms?\b", r"\bcheck-?ins?\b", r"\bcheck-outs?\b",
        r"\bfront desk", r"\bhousekeeping", r"\bbreakfast", r"\bpropert(y|ies)\b", r"\bnights?\b", r"\bresort",
        r"\bairport", r"\bbookings?\b", r"\btrips?\b", r"\btravel", r"\bwi-?fi\b", r"\bOTA\b", r"\bpillow",
        r"\bkey card", r"\bexpress pay",
        "酒店", "入住", "客房", "房间", "前台", "住客", "客人", "退房", "早餐", "门店", "间夜", "房型", "预订",
        "度假", "出行", "枕头", "客控", "送物", "无线网络", "房卡", "快捷支付", "住店", "每晚",
    ],
    "ecommerce": [
        r"\border(s|ed)?\b", r"\bshop", r"\bbaskets?\b", r"\bcarts?\b", r"\bcheckouts?\b", r"\bdeliver(y|ies)\b",
        r"\bcouriers?\b", r"\bparcels?\b", r"\be-?commerce\b", r"\bproduct pages?\b", r"\bcoupons?\b", r"\bgoods\b",
        r"\bcity tiers?\b", r"\bone-click\b", r"\breorder",
        "订单", "网店", "电商", "购物", "配送", "快递", "下单", "结算", "物流", "退货", "退换", "商品", "包裹",
        "买家", "城市等级", "优惠券", "收货", "一键支付",
    ],
}

# phrases where a listed word has its general sense, not the world's thing
GENERAL_SENSE = [
    r"\bin\s+(this\s+|that\s+|the\s+same\s+|teaching\s+|every\s+possible\s+|any\s+|respondent\s+)?order\b",
    r"\bthe\s+order\s+(in\s+which|customers|they)\b",
    r"\bstays?\s+(inside|empty|flat|sensible|unbiased|open|whole|praise|for\s+another|the\s+same|the\s+leaders?|below|above"
    r"|as\s+in|from\s+one\s+period|between)\b",
    r"\brobot delivery\b", r"\bdelivery gap\b", r"\baudits? of delivery\b",  # the hotel's KANO feature; SERVQUAL's gap
    "线上下单、线下支付",  # the source text's general definition of purchase touchpoints (lesson 01, quoted exactly)
    # the public review corpora the sentiment models were measured on (lesson 08): a fact about the models
    r"\(hotel, shop and delivery in Chinese; hotel, shop and restaurant in English\)", "（中文：酒店、网购、外卖；英文：酒店、网购、餐厅）",
]


def _other_world_words(text: str, world: str) -> list[str]:
    for phrase in GENERAL_SENSE:
        text = re.sub(phrase, " ", text, flags=re.I)
    (other,) = (w for w in WORLDS if w != world)
    return sorted({m.group(0) for pattern in VOCABULARY[other] for m in re.finditer(pattern, text, flags=re.I)})


def _is_orientation(lesson, cell) -> bool:
    """Lesson 00's title cell: it introduces both worlds and how to switch."""
    return lesson.stem.startswith("00_") and cell.source.lstrip().startswith("# 00 ·")


def _cells_naming_the_other_world(nb, world: str, exempt=lambda cell: False) -> dict[str, list[str]]:
    """``{first line of a markdown cell: the other world's words it names}`` for the cells of ``nb``."""
    return {c.source.splitlines()[0][:60]: words for c in nb.cells
            if c.cell_type == "markdown" and not exempt(c)
            for words in [_other_world_words(c.source, world)] if words}


CASES = [(lesson, world, lang) for lesson in LESSONS for world in WORLDS for lang in LANGS]


@pytest.mark.parametrize(("lesson", "world", "lang"), CASES, ids=[f"{n.stem}-{w}-{la}" for n, w, la in CASES])
def test_report_names_nothing_of_the_other_world(lesson, world, lang):
    kept = apps.single_language(nbformat.read(str(lesson), as_version=4), lang, world)
    found = _cells_naming_the_other_world(kept, world, exempt=lambda cell: _is_orientation(lesson, cell))
    assert found == {}, f"cells of a {world} report that name the other world's things: {found}"


EXERCISE_CASES = [(exercise, world, lang) for exercise in EXERCISES for world in WORLDS for lang in LANGS]


@pytest.mark.parametrize(("exercise", "world", "lang"), EXERCISE_CASES,
                         ids=[f"exercise-{n.stem}-{w}-{la}" for n, w, la in EXERCISE_CASES])
def test_exported_exercise_names_nothing_of_the_other_world(exercise, world, lang, tmp_path):
    written = apps.export(tmp_path, lang, only=[exercise.name[:2]], dataset=world)
    (copy,) = (path for path in written if path.parent.name == "exercises")
    found = _cells_naming_the_other_world(nbformat.read(str(copy), as_version=4), world)
    assert found == {}, f"cells of a {world} class's exercise that name the other world's things: {found}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=[n.stem for n in EXERCISES])
def test_student_version_keeps_the_cells_and_their_tags(exercise):
    nb = nbformat.read(str(exercise), as_version=4)
    tags = [(c.cell_type, c.metadata.get("tags", [])) for c in nb.cells]
    assert [(c.cell_type, c.metadata.get("tags", [])) for c in grading.student_version(nb).cells] == tags


# theme words in their general sense: "stay away" (avoid), "shopping" near a hotel (its location),
# breakfast as a meal a restaurant or delivery customer orders (the shop's food theme)
THEME_GENERAL_SENSE = [r"\bstay away\b", r"\bshopping\b", r"\bbreakfast\b"]


@pytest.mark.parametrize(("world", "lang"), [(w, la) for w in WORLDS for la in LANGS])
def test_theme_dictionary_of_a_world_names_nothing_of_the_other(world, lang):
    # lesson 08 shows the world's theme dictionary; a theme both worlds share keeps one world's words
    # ("stay again", "order again") in its world_terms
    table = voc.themes_frame(voc.load_themes(world), lang)
    text = " ".join(table["name"].tolist() + table["terms"].tolist())
    for phrase in THEME_GENERAL_SENSE:
        text = re.sub(phrase, " ", text, flags=re.I)
    assert _other_world_words(text, world) == []


def test_the_vocabularies_find_each_worlds_words():
    assert _other_world_words("Guests wait at check-in; 入住时等待", "ecommerce") == ["Guests", "check-in", "入住"]
    assert _other_world_words("the courier brings the order; 订单配送", "hotel") == ["courier", "order", "订单", "配送"]
    assert _other_world_words("In this order, the estimate stays unbiased; robot delivery", "hotel") == []
    assert _other_world_words("shares stay as in this survey, in respondent order; r stays from one period to the next",
                              "hotel") == []


@pytest.mark.parametrize("notebook", LESSONS + EXERCISES, ids=[f"{n.parent.name}/{n.stem}" for n in LESSONS + EXERCISES])
def test_world_cells_come_in_both_languages(notebook):
    nb = nbformat.read(str(notebook), as_version=4)
    worlds_by_lang = {lang: [] for lang in LANGS}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        cell_worlds = [t for t in tags if t.startswith("world-")]
        cell_langs = [t for t in tags if t.startswith("lang-")]
        assert set(cell_worlds) <= {f"world-{w}" for w in WORLDS}, f"unknown world tag in {tags}"
        if cell_worlds:
            assert len(cell_worlds) == 1 and len(cell_langs) == 1, f"a world cell has one world and one language: {tags}"
        if cell_langs:
            worlds_by_lang[cell_langs[0][len("lang-"):]].append(cell_worlds[0] if cell_worlds else "shared")
    # cell by cell in reading order: every world's English narrative has its Chinese counterpart
    assert worlds_by_lang["en"] == worlds_by_lang["zh"]
