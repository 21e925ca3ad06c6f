"""Exercise 07 (HEART): one notebook for both worlds, as exercises 11 and 12.

The trainer's solution passes on the hotel, on the shop and on another seed of the shop; the blank fails;
a number typed from the sample data fails on the seed variant (and on the other world); every recognised
mistake gets its own hint, which never shows the answer. The expected values are those of cxlib on the
variant, checked here against counts by hand. Each variant's event log is turned into sessions twice (by
the notebook and by the checks), so everything that needs a variant is computed in one module fixture.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_exercises import _run_in_process as _run
from test_exercises_1112 import _notebook as _notebook_of

from cxwb import exercises

VARIANTS = {  # the notebook's parameters (as the grader injects them)
    "hotel": {"dataset": "hotel", "seed": None},
    "shop": {"dataset": "ecommerce", "seed": None},
    "shop-seed2": {"dataset": "ecommerce", "seed": 2},
}
NUMBER_TASKS = ("07.1", "07.2", "07.3")
TYPED = [("shop", "shop-seed2"), ("hotel", "shop")]  # (the sample data a value is typed from, the variant it must fail on)


def _notebook(params: dict | None = None, student: bool = False):
    return _notebook_of("07", params, student)


@pytest.fixture(scope="module")
def runs():
    """Per variant: the expected values, the grade of the solution run, the verdicts on typed values and mistakes.

    Variants run in the order of ``VARIANTS``, so that every value typed from a variant is known before the
    variant it must fail on is judged; each variant's checks reuse one set of sessions.
    """
    out, typed = {}, {}
    for name, params in VARIANTS.items():
        with exercises.variant(params):
            expected = {tid: exercises.TASKS[tid].expected() for tid in NUMBER_TASKS}
            typed[name] = {tid: round(float(v), 1) for tid, v in expected.items()}  # as read in a report
            rows = exercises.grade_namespace("07", _run(_notebook(params)), params)
            on_typed = {(source, tid): exercises.evaluate(tid, value, params).passed
                        for source, values in typed.items() for tid, value in values.items()}
            mistakes = {}
            for tid in NUMBER_TASKS:
                for mistake in exercises.TASKS[tid].mistakes:
                    verdict = exercises.evaluate(tid, mistake.alt(), params)
                    mistakes[(tid, mistake.key)] = (verdict, [exercises.message(verdict, lang) for lang in ("en", "zh")])
            frame = exercises._heart()
        out[name] = {"expected": expected, "rows": rows, "typed": on_typed, "mistakes": mistakes, "frame": frame}
    return out


def test_registered_with_four_tasks_and_a_world_free_notebook():
    assert [t.id for t in exercises.tasks_of("07")] == ["07.1", "07.2", "07.3", "07.4"]
    nb = _notebook()
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    assert "dataset ==" not in code and '"hotel"' not in code and '"ecommerce"' not in code
    assert 'start("07", lang, dataset=dataset, seed=seed)' in code and "data_folder(dataset, seed)" in code
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert {"dataset", "seed", "lang"} <= {line.split("=")[0].strip() for line in params.splitlines()}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_solution_passes_on_every_variant(runs, variant):
    rows = runs[variant]["rows"]
    assert [r["task"] for r in rows] == ["07.1", "07.2", "07.3", "07.4"]
    assert all(r["passed"] for r in rows), [(r["task"], r["key"]) for r in rows if not r["passed"]]


def test_blank_fails():
    params = VARIANTS["hotel"]
    with exercises.variant(params):
        rows = exercises.grade_namespace("07", _run(_notebook(params, student=True)), params)
    assert {r["key"] for r in rows} == {"ex.msg.unanswered"} and not any(r["passed"] for r in rows)


@pytest.mark.parametrize(("source", "target"), TYPED)
def test_a_value_typed_from_the_sample_fails_on_another_variant(runs, source, target):
    for tid in NUMBER_TASKS:
        assert runs[source]["typed"][(source, tid)], (tid, "a value typed to one decimal passes where it was read")
        assert not runs[target]["typed"][(source, tid)], (tid, source, target)


@pytest.mark.parametrize("variant", ["hotel", "shop"])
def test_each_mistake_gets_its_hint_without_the_answer(runs, variant):
    for (tid, key), (verdict, texts) in runs[variant]["mistakes"].items():
        assert not verdict.passed and verdict.key == f"ex.07.{tid[3:]}.{key}", (tid, key, verdict.key)
        right = float(runs[variant]["expected"][tid])
        for text in texts:
            assert text.startswith("❌") and ("lesson 07," in text or "第 07 课" in text)
            assert all(f"{right:.{d}f}" not in text for d in (1, 2, 3))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_expected_values_follow_the_definitions_by_hand(runs, variant):
    """Recount adoption, CSAT and completion from the sessions and the survey, without heart's functions."""
    frame, expected = runs[variant]["frame"], runs[variant]["expected"]
    sess = frame.sessions
    window = sess[(sess["start"] >= frame.release) & (sess["start"] < frame.release + pd.Timedelta(days=30))]
    reached = window[window[f"reached_{frame.touchpoint}"]]
    assert expected["07.1"] == pytest.approx(100 * reached.groupby("user")["feature"].any().mean())
    csat = frame.survey["csat"].dropna()
    assert expected["07.2"] == pytest.approx(100 * (csat >= 4).mean())
    start = sess[sess[f"reached_{frame.steps[-3]}"] & (sess["platform"] == "app") & (sess["phase"] == "after")]
    assert expected["07.3"] == pytest.approx(100 * start[f"reached_{frame.steps[-1]}"].mean())
