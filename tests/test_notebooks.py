"""Every lesson notebook executes under papermill for both worlds and both languages.

New notebooks in notebooks/ are picked up automatically.
"""

import itertools
import re

import nbformat
import pytest
from test_worlds import THEME_GENERAL_SENSE, _other_world_words

from cxwb import runner

NOTEBOOKS = runner.discover()
CASES = list(itertools.product(NOTEBOOKS, ("hotel", "ecommerce"), ("en", "zh")))


@pytest.mark.notebook
@pytest.mark.parametrize(("notebook", "dataset", "lang"), CASES, ids=[f"{n.stem}-{d}-{la}" for n, d, la in CASES])
def test_notebook_executes(notebook, dataset, lang, tmp_path):
    run = runner.execute(notebook, tmp_path, {"dataset": dataset, "lang": lang}, timeout=300)
    assert run.ok, run.describe()
    executed = nbformat.read(str(run.executed), as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    # what the code shows speaks of the report's world only (the narrative is checked in test_worlds)
    shown = {i: _shown_text(c) for i, c in enumerate(executed.cells) if _is_shown_result(c)}
    leaks = {i: words for i, text in shown.items() for words in [_other_world_words(_masked(text, dataset), dataset)] if words}
    assert leaks == {}, f"outputs of a {dataset} report that name the other world's things (cell: words): {leaks}"
    if lang == "zh":
        html = runner.to_html(run.executed, tmp_path / "report.html", lang)
        text = html.read_text(encoding="utf-8")
        assert 'src="http' not in text, "the report would fetch a script or image from the network"
        assert 'rel="stylesheet" href="http' not in text
        # markdown emphasis that CommonMark cannot close next to full-width punctuation shows as "**"
        prose = re.sub(r"<(script|style|pre)[^>]*>.*?</\1>", "", text, flags=re.S)
        prose = re.sub(r"<[^>]+>", "", prose)
        stray = [prose[max(0, m.start() - 20): m.start() + 20] for m in re.finditer(r"\*\*", prose)]
        assert stray == [], f"unrendered bold markers in the Chinese narrative: {stray}"


def _is_shown_result(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    # the parameters name the default world; lesson 08's table of the public review sets the sentiment
    # models were measured on names their domains (hotel, shop, delivery): a fact about the models
    return (cell.cell_type == "code" and "parameters" not in tags and "injected-parameters" not in tags
            and "voc.load_evaluation()" not in cell.source)


def _shown_text(cell) -> str:
    parts = [o.get("text", "") for o in cell.get("outputs", [])]
    parts += [o.get("data", {}).get(kind, "") for o in cell.get("outputs", []) for kind in ("text/plain", "text/markdown")]
    return " ".join(p if isinstance(p, str) else "".join(p) for p in parts)


def _masked(text: str, dataset: str) -> str:
    # the theme dictionary's general-sense words, and the hotel's own touchpoint id "checkout" (its check-out)
    for phrase in THEME_GENERAL_SENSE + ([r"\bcheckout\b"] if dataset == "hotel" else []):
        text = re.sub(phrase, " ", text, flags=re.I)
    return text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_structure(notebook):
    nb = nbformat.read(str(notebook), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    for name in ("dataset", "data_dir", "lang"):
        assert f"{name} =" in params[0].source
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    tags = [("lang-en" in c.metadata.get("tags", []), "lang-zh" in c.metadata.get("tags", [])) for c in md]
    assert all(en != zh for en, zh in tags), "every markdown cell is tagged lang-en or lang-zh"
    assert sum(en for en, _ in tags) == sum(zh for _, zh in tags), "narrative in both languages"
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.get("outputs"), "notebooks are committed without outputs"
