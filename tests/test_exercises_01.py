"""Exercise 01 (touchpoints and the journey): one notebook for both worlds.

The trainer's solution passes on the hotel, on the shop and on another seed; the blank fails on the shop too;
a value typed from the sample data fails on another world or seed; every recognised mistake gets its own hint
on both worlds; the notebook reads its tables and columns from the roles and never branches on the world.

Everything is judged in one pass over the variants (:func:`judged`): inside one ``exercises.variant`` block the
expected values are computed once per variant and every verdict on that variant reuses them, as the grader
judges a class on one variant.
"""

from __future__ import annotations

import nbformat
import pytest
from test_exercises import _run_in_process as _run

from cxwb import exercises, grading

NOTEBOOK = grading.exercise_files()["01"]
VARIANTS = {  # the notebook's parameters (as the grader injects them), in the order they are judged
    "hotel": {"dataset": "hotel", "seed": None},
    "shop": {"dataset": "ecommerce", "seed": None},
    "hotel-seed2": {"dataset": "hotel", "seed": 2},
    "shop-seed2": {"dataset": "ecommerce", "seed": 2},
}
SOLVED = ("hotel", "shop", "shop-seed2")  # the variants the solution notebook is run on
#: For each task, the variant a value is read from and a later one on which the typed value must fail.
TYPED = {
    "01.1": [("hotel", "shop")],
    "01.2": [("hotel", "shop")],
    "01.3": [("hotel", "shop")],
    "01.4": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "01.5": [("hotel", "shop")],
    "01.6": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
}
#: Mistakes whose wrong value is the right answer on a world's sample data (no hint can be given there).
COINCIDE = {("01.3", "difference", "shop")}
TASKS = exercises.tasks_of("01")


def _notebook(params: dict, student: bool = False):
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    if student:
        nb = grading.student_version(nb)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "".join(f"\n{k} = {v!r}" for k, v in params.items())
    return nb


@pytest.fixture(scope="module")
def judged():
    """Per variant: expected values, typed values' verdicts, each mistake's verdict and the notebook runs' grades."""
    out: dict = {}
    for name, params in VARIANTS.items():
        with exercises.variant(params):
            got = out[name] = {"expected": {task.id: task.expected() for task in TASKS}, "typed": {}, "mistakes": {}}
            for task_id, pairs in TYPED.items():
                task = exercises.TASKS[task_id]
                for source, target in pairs:
                    if target == name:
                        value = out[source]["expected"][task_id]
                        typed = round(float(value), 1) if task.kind == "number" else value
                        got["typed"][(task_id, source)] = exercises.evaluate(task_id, typed, params)
            for task in TASKS:
                for mistake in task.mistakes:
                    if mistake.alt is not None:
                        got["mistakes"][(task.id, mistake.key)] = exercises.evaluate(task.id, mistake.alt(), params)
            if name in ("hotel", "shop"):  # answers of the wrong form: order, length, stages
                right = got["expected"]
                use, leak = set(right["01.1"]), right["01.5"]
                got["form"] = {
                    "reversed": exercises.evaluate("01.5", tuple(reversed(leak)), params).key,
                    "length": exercises.evaluate("01.5", leak[:1], params).key,
                    **{stage: exercises.evaluate("01.1", use | {min(exercises._stage_touchpoints(stage))}, params).key
                       for stage in ("purchase", "feedback")},
                    "hint": exercises.evaluate("01.1", use - {min(use)}, params).key,
                }
            if name in SOLVED:
                got["solution"] = exercises.grade_namespace("01", _run(_notebook(params)), params)
            if name == "shop":
                got["blank"] = exercises.grade_namespace("01", _run(_notebook(params, student=True)), params)
    return out


# --------------------------------------------------------------------------- structure
def test_notebook_reads_roles_and_never_branches_on_the_world():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    code = "\n".join(c.source for c in nb.cells
                     if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    assert "dataset ==" not in code and "if dataset" not in code
    assert '"hotel"' not in code and '"ecommerce"' not in code
    for name in ("survey", "stays", "orders", "events", "booking_events", "releases", "checkin_wait_min",
                 "delivery_days", "platform", "payment", "web", "app"):
        assert f'"{name}"' not in code, f"the notebook types the table or column name {name!r}"
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert {"dataset", "seed", "lang"} <= {line.split("=")[0].strip() for line in params.splitlines()}
    assert 'start("01", lang, dataset=dataset, seed=seed)' in code
    assert len(TASKS) == 6


def test_each_world_teaches_its_planted_effects(judged):
    """Hotel: the check-in wait and the app's payment leak until express pay; shop: delivery and the web's payment leak."""
    hotel, shop = judged["hotel"]["expected"], judged["shop"]["expected"]
    assert hotel["01.5"] == ("payment", "confirmation") and shop["01.5"] == ("payment", "order")
    assert hotel["01.4"] == pytest.approx(45, abs=1)  # EFFECTS.md: 45% detractors when the wait is over 15 min
    assert hotel["01.6"] == pytest.approx(100 * (0.87 - 0.56), abs=1)  # EFFECTS.md: app 56% → 87%
    assert shop["01.6"] == pytest.approx(100 * (0.82 - 0.49), abs=1)  # EFFECTS.md: web 49% → 82%
    assert shop["01.1"] == frozenset({"delivery", "product", "returns"})
    assert hotel["01.1"] >= {"checkin", "room", "breakfast"} and not hotel["01.1"] & shop["01.1"] - {"checkout"}


# --------------------------------------------------------------------------- solutions and blanks
@pytest.mark.parametrize("variant", SOLVED)
def test_solution_passes(variant, judged):
    rows = judged[variant]["solution"]
    assert [r["task"] for r in rows] == [task.id for task in TASKS]
    assert all(r["passed"] for r in rows), [(r["task"], r["key"]) for r in rows if not r["passed"]]


def test_blank_fails_on_the_shop_too(judged):
    rows = judged["shop"]["blank"]
    assert len(rows) == 6 and not any(r["passed"] for r in rows)
    assert {r["key"] for r in rows} == {"ex.msg.unanswered"}


# --------------------------------------------------------------------------- typed answers
@pytest.mark.parametrize("task_id", sorted(TYPED))
def test_a_value_typed_from_one_variant_fails_on_another(task_id, judged):
    for source, target in TYPED[task_id]:
        verdict = judged[target]["typed"][(task_id, source)]
        assert not verdict.passed, (task_id, source, target)
    # the same typed value passes where it was read (so the failure is the variant's doing)
    task = exercises.TASKS[task_id]
    value = judged["hotel"]["expected"][task_id]
    typed = round(float(value), 1) if task.kind == "number" else value
    assert exercises._same(task, exercises._normalise(task, typed), value)


# --------------------------------------------------------------------------- mistakes
@pytest.mark.parametrize("variant", ["hotel", "shop"])
@pytest.mark.parametrize(("task_id", "key"), [(t.id, m.key) for t in TASKS for m in t.mistakes if m.alt is not None])
def test_each_mistake_gets_its_hint_in_both_worlds(task_id, key, variant, judged):
    verdict = judged[variant]["mistakes"][(task_id, key)]
    if (task_id, key, variant) in COINCIDE:  # listed: the "mistake" is the right answer on this data
        assert verdict.passed
        return
    assert not verdict.passed and verdict.key == f"ex.01.{task_id[3:]}.{key}"
    right = judged[variant]["expected"][task_id]
    for lang in ("en", "zh"):
        text = exercises.message(verdict, lang)
        assert text.startswith("❌") and ("lesson 01," if lang == "en" else "第 01 课") in text
        if isinstance(right, float):
            for digits in (1, 2, 3):
                assert f"{right:.{digits}f}" not in text


def test_the_mistakes_of_form_in_both_worlds(judged):
    for variant in ("hotel", "shop"):
        world = VARIANTS[variant]["dataset"]  # the purchase stage's touchpoints differ: its hint names the world's
        assert judged[variant]["form"] == {"reversed": "ex.01.5.reversed", "length": "ex.01.5.length",
                                           "purchase": f"ex.01.1.purchase.{world}", "feedback": "ex.01.1.feedback",
                                           "hint": "ex.01.1.hint"}, variant
