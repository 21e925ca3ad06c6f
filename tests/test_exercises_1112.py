"""Exercises 11 (closing the loop) and 12 (experiments): one notebook for both worlds.

For every task: the trainer's solution passes on the hotel and on the shop and on another seed of each;
the blank fails; a number typed from the default run fails on another variant; every recognised mistake
gets its own hint on both worlds. The expected values are those of cxlib on the variant (checked here
against a calculation by hand where the task is a simple formula). One grading run checks that the
grader injects ``dataset`` into the notebook and judges on the same world.
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from test_exercises import SANDBOX
from test_exercises import _run_in_process as _run

from cxwb import exercises, grading

FILES = grading.exercise_files()
NEW = ("11", "12")
VARIANTS = {  # the notebook's parameters (as the grader injects them) → the variant the grader judges on
    "hotel": {"dataset": "hotel", "seed": None},
    "shop": {"dataset": "ecommerce", "seed": None},
    "hotel-seed2": {"dataset": "hotel", "seed": 2},
    "shop-seed2": {"dataset": "ecommerce", "seed": 2},
}


def _notebook(number: str, params: dict | None = None, student: bool = False):
    nb = nbformat.read(str(FILES[number]), as_version=4)
    if student:
        nb = grading.student_version(nb)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []) and params:
            cell.source += "".join(f"\n{k} = {v!r}" for k, v in params.items())
    return nb


@pytest.fixture(scope="module")
def expected():
    """Expected value of every new task on every variant (computed once)."""
    out = {}
    for name, params in VARIANTS.items():
        with exercises.variant(params):
            out[name] = {tid: exercises.TASKS[tid].expected() for tid in exercises.TASKS if tid[:2] in NEW}
    return out


# --------------------------------------------------------------------------- structure
def test_registered_after_the_others_with_4_to_5_tasks():
    assert list(exercises.EXERCISES)[-2:] == list(NEW)
    for number in NEW:
        tasks = exercises.tasks_of(number)
        assert 4 <= len(tasks) <= 5
        assert FILES[number].stem == exercises.EXERCISES[number]


@pytest.mark.parametrize("number", NEW)
def test_notebook_reads_roles_and_never_branches_on_the_world(number):
    nb = _notebook(number)
    code = "\n".join(c.source for c in nb.cells
                     if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    assert "dataset ==" not in code and "if dataset" not in code
    assert '"hotel"' not in code and '"ecommerce"' not in code
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert {"dataset", "seed", "lang"} <= {line.split("=")[0].strip() for line in params.splitlines()}
    assert f'start("{number}", lang, dataset=dataset, seed=seed)' in code


# --------------------------------------------------------------------------- solutions and blanks
@pytest.mark.parametrize("number", NEW)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_solution_passes_on_every_variant(number, variant):
    params = VARIANTS[variant]
    namespace = _run(_notebook(number, params))
    rows = exercises.grade_namespace(number, namespace, params)
    assert all(r["passed"] for r in rows), [(r["task"], r["key"]) for r in rows if not r["passed"]]


@pytest.mark.parametrize("number", NEW)
def test_blank_fails_on_the_shop_too(number):
    params = VARIANTS["shop"]
    namespace = _run(_notebook(number, params, student=True))
    rows = exercises.grade_namespace(number, namespace, params)
    assert {r["key"] for r in rows} == {"ex.msg.unanswered"} and not any(r["passed"] for r in rows)


# --------------------------------------------------------------------------- typed answers
#: For each task, a default variant and another one on which the typed value must fail.
TYPED = {
    "11.1": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "11.2": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "11.3": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "11.4": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "hotel")],  # the shop's share is planted: ≈ equal across seeds
    "12.1": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "12.2": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
    "12.3": [("shop", "shop-seed2")],
    "12.4": [("hotel", "shop"), ("hotel", "hotel-seed2"), ("shop", "shop-seed2")],
}


@pytest.mark.parametrize("task_id", sorted(TYPED))
def test_a_value_typed_from_one_variant_fails_on_another(task_id, expected):
    task = exercises.TASKS[task_id]
    digits = {0.0: 0, 0.0051: 2, 0.005: 2, 0.051: 1}[task.tol]
    for source, target in TYPED[task_id]:
        value = expected[source][task_id]
        typed = value if isinstance(value, str) else round(float(value), digits)
        assert exercises.evaluate(task_id, typed, VARIANTS[source]).passed, (task_id, source)
        assert not exercises.evaluate(task_id, typed, VARIANTS[target]).passed, (task_id, source, target)


def test_the_honest_rules_are_the_same_on_every_variant(expected):
    """12.5 is a concept question: the simulation sized like each experiment says the same (and the lesson does)."""
    for name in VARIANTS:
        assert expected[name]["12.5"] == frozenset({"fixed_horizon", "obrien_fleming", "pocock"}), name


# --------------------------------------------------------------------------- mistakes
def _mistakes():
    for tid, task in exercises.TASKS.items():
        if tid[:2] in NEW:
            for i, mistake in enumerate(task.mistakes):
                if mistake.alt is not None:
                    for variant in ("hotel", "shop"):
                        yield pytest.param(tid, i, variant, id=f"{tid}-{mistake.key}-{variant}")


@pytest.mark.parametrize(("task_id", "index", "variant"), list(_mistakes()))
def test_each_mistake_gets_its_hint_in_both_worlds(task_id, index, variant, expected):
    task = exercises.TASKS[task_id]
    params = VARIANTS[variant]
    with exercises.variant(params):
        wrong = task.mistakes[index].alt()
    verdict = exercises.evaluate(task_id, wrong, params)
    assert not verdict.passed
    key = f"ex.{task_id[:2]}.{task_id[3:]}.{task.mistakes[index].key}"
    assert verdict.key in (key, f"{key}.{params['dataset']}")  # some hints are worded per world (stays, orders)
    right = expected[variant][task_id]
    for lang in ("en", "zh"):
        text = exercises.message(verdict, lang)
        assert text.startswith("❌") and (f"lesson {task_id[:2]}," if lang == "en" else f"第 {task_id[:2]} 课") in text
        for digits in (1, 2, 3):
            assert f"{float(right):.{digits}f}" not in text


def test_the_stopping_rule_mistakes():
    assert exercises.evaluate("12.5", {"fixed_horizon", "obrien_fleming", "pocock"}).passed
    assert exercises.evaluate("12.5", ["O'Brien-Fleming", "Pocock", "fixed horizon"]).passed  # names as written
    peek = exercises.evaluate("12.5", {"peek_every_look", "fixed_horizon", "obrien_fleming", "pocock"})
    assert peek.key == "ex.12.5.peek"
    assert exercises.evaluate("12.5", {"fixed_horizon"}).key == "ex.12.5.fixed_only"
    assert exercises.evaluate("12.5", {"pocock"}).key == "ex.12.5.hint"


def test_yes_or_no_in_either_language():
    for params in (VARIANTS["shop"], VARIANTS["shop-seed2"]):
        with exercises.variant(params):
            right = exercises.TASKS["12.3"].expected()
        words = {"yes": ("Yes", "是"), "no": ("no", "否")}[right]
        assert all(exercises.evaluate("12.3", w, params).passed for w in words)
    assert exercises.evaluate("12.3", True).key == "ex.msg.want_text"  # the task asks for "yes"/"no"


# --------------------------------------------------------------------------- expected values by hand
def test_expected_values_follow_the_definitions_by_hand():
    """Recompute three expected values without the library functions the tasks are built on."""
    from cxlib import lessons

    for params in (VARIANTS["hotel"], VARIANTS["shop"]):
        frame = lessons.complaint_frame(params["dataset"])
        cases, role = frame.complaints, frame.role
        with exercises.variant(params):
            rate, within, gap = (exercises.TASKS[t].expected() for t in ("11.1", "11.4", "11.3"))
        top = cases[role.touchpoint].value_counts()
        assert rate == pytest.approx(100 * top.iloc[0] / frame.exposures)
        assert within == pytest.approx(100 * float((cases[role.first_response] <= 2).mean()))

        def nps(answers):
            answers = answers.dropna()
            return 100 * ((answers >= 9).sum() - (answers <= 6).sum()) / len(answers)

        fast = (cases[role.outcome] == "resolved") & (cases[role.first_response] <= 1)
        assert gap == pytest.approx(nps(cases.loc[fast, role.nps_after]) - nps(frame.baseline_nps))


def test_open_cases_make_the_naive_median_too_short():
    """The censored median is never below the closed-only one (here: strictly above, in both worlds)."""
    for params in (VARIANTS["hotel"], VARIANTS["shop"]):
        with exercises.variant(params):
            km = exercises.TASKS["11.2"].expected()
            naive = exercises.TASKS["11.2"].mistakes[0].alt()
        assert km > naive


def test_sample_size_mistakes_are_one_apart_or_double():
    with exercises.variant(VARIANTS["hotel"]):
        task = exercises.TASKS["12.1"]
        n = task.expected()
        total, one_sided, floor = (m.alt() for m in task.mistakes)
    assert total == 2 * n and floor == n - 1 and one_sided < n
    assert np.isclose(n, round(n))


# --------------------------------------------------------------------------- the grader injects the world
def test_grading_on_the_shop_injects_the_world(tmp_path, expected):
    trainer = tmp_path / "trainer"
    trainer.mkdir()
    for number in NEW:
        nbformat.write(_notebook(number), str(trainer / FILES[number].name))
    subs = tmp_path / "subs"
    typist = grading.student_version(_notebook("11"))
    cell = next(c for c in typist.cells if c.metadata.get("cxwb") == {"task": "11.1", "role": "answer"})
    cell.source = f"top_rate = {expected['hotel']['11.1']:.2f}"  # copied from the hotel's report
    for student, notebooks in (("solver", [_notebook(n) for n in NEW]), ("typist", [typist])):
        (subs / student).mkdir(parents=True)
        for nb, number in zip(notebooks, NEW, strict=False):
            nbformat.write(nb, str(subs / student / FILES[number].name))
    frame = grading.grade(subs, tmp_path / "grades", timeout=120, jobs=2, folder=trainer,
                          params={"dataset": "ecommerce"}, echo=lambda s: None,
                          unsafe_no_sandbox=not SANDBOX).frame()
    solver = frame[frame["student"] == "solver"]
    assert len(solver) == 9 and solver["passed"].all(), solver[~solver["passed"]][["task", "reason"]].values.tolist()
    typed = frame[(frame["student"] == "typist") & (frame["task"] == "11.1")]
    assert not typed["passed"].item()
