"""Exercises: the blank student versions fail every check, the solutions pass every check, plausible
wrong answers get their own hint, and grading a folder of fake submissions gives the right gradebook.

Notebooks run in-process (``exec`` of their code cells) where that proves the point; papermill runs
once per exercise (the solutions, through the grader) plus three edge-case submissions, all in one
module-scoped grading run.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re

import nbformat
import pandas as pd
import pytest

from cxlib.i18n import has_label, t
from cxwb import exercises, grading
from cxwb.cli import build_parser

# one grading run (the `graded` fixture) serves the grading tests: with `pytest -n 2 --dist loadgroup`
# the module runs on one worker instead of grading twice
pytestmark = pytest.mark.xdist_group("exercises-grading")
FILES = grading.exercise_files()


def _sandbox_works() -> bool:
    from cxwb.sandbox import Sandbox, SandboxUnavailable

    try:
        Sandbox()
    except SandboxUnavailable:
        return False
    return True


SANDBOX = _sandbox_works()  # the attack tests need it; these tests run either way
NUMBERS = sorted(FILES)
TIMEOUT = 30  # seconds per notebook in the grading run (the endless loop costs this much)


def _read(number: str):
    return nbformat.read(str(FILES[number]), as_version=4)


def _run_in_process(nb) -> dict:
    """Execute a notebook's code cells in one namespace, printing into a buffer; return the namespace."""
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"<cell {cell.get('id')}>", "exec"), namespace)  # noqa: S102
    return namespace


def _answer_cell(nb, task_id: str):
    cells = [c for c in nb.cells if c.metadata.get("cxwb", {}) == {"task": task_id, "role": "answer"}]
    assert len(cells) == 1, f"{task_id}: expected one answer cell, found {len(cells)}"
    return cells[0]


def _mistakes():
    for task in exercises.TASKS.values():
        for i, mistake in enumerate(task.mistakes):
            if mistake.alt is not None:
                yield pytest.param(task.id, i, id=f"{task.id}-{mistake.key}")


# --------------------------------------------------------------------------- structure
def _wordings(key: str) -> list[str]:
    """``key``, or its two wordings where the catalogue words the message once per world."""
    return [key] if has_label(key) else [f"{key}.{world}" for world in ("hotel", "ecommerce")]


def test_every_exercise_has_3_to_6_tasks_with_words_in_both_languages():
    assert NUMBERS, "no exercise notebooks found"
    for number in NUMBERS:
        tasks = exercises.tasks_of(number)
        assert 3 <= len(tasks) <= 6, f"exercise {number} has {len(tasks)} tasks"
        assert FILES[number].stem == exercises.EXERCISES[number]
        for task in tasks:
            n, sub = task.id.split(".")
            for lang in ("en", "zh"):
                assert t(f"ex.{n}.{sub}.title", lang)
                for name in ("hint", *(mistake.key for mistake in task.mistakes)):
                    for key in _wordings(f"ex.{n}.{sub}.{name}"):
                        assert t(key, lang)
                for see in {task.see, *(m.see for m in task.mistakes if m.see)}:
                    lesson, section = see.split(".", 1)
                    assert t(f"ex.section.{lesson}.{section}", lang)


@pytest.mark.parametrize("number", NUMBERS)
def test_notebook_structure(number):
    nb = _read(number)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["parameters"] in tags, "a parameters cell (lang) is needed for papermill"
    en = sum("lang-en" in tg for tg in tags)
    zh = sum("lang-zh" in tg for tg in tags)
    assert en == zh > 0, "narrative cells come in en/zh pairs"
    for task in exercises.tasks_of(number):
        cell = _answer_cell(nb, task.id)
        assert cell.metadata["nbgrader"]["solution"] is True
        assert cell.source.startswith(f"{task.var} = ...")
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        checks = [c for c in nb.cells if c.metadata.get("cxwb", {}).get("role") == "check"
                  and c.metadata["cxwb"]["task"] == task.id]
        assert len(checks) == 1 and f'check("{task.id}", {task.var})' in checks[0].source
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit no outputs"


# --------------------------------------------------------------------------- student versions
@pytest.mark.parametrize("number", NUMBERS)
def test_blank_student_version_fails_every_check(number):
    student = grading.student_version(_read(number))
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    for task in exercises.tasks_of(number):  # the solution code is gone
        solution = _answer_cell(_read(number), task.id).source.split("### BEGIN SOLUTION")[1]
        last = solution.split("### END SOLUTION")[0].strip().splitlines()[-1]
        assert last not in text
    assert not any(c.get("outputs") for c in student.cells if c.cell_type == "code")
    namespace = _run_in_process(student)
    rows = exercises.grade_namespace(number, namespace)
    assert [r["task"] for r in rows] == [task.id for task in exercises.tasks_of(number)]
    assert not any(r["passed"] for r in rows)
    assert {r["key"] for r in rows} == {"ex.msg.unanswered"}


def test_build_writes_student_versions_through_the_cli(tmp_path):
    args = build_parser().parse_args(["exercises", "build", "--out", str(tmp_path), "--only", "02"])
    assert args.func(args) == 0
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == [FILES["02"].name, "jupyter_config"]
    nb = nbformat.read(str(tmp_path / built[0]), as_version=4)
    assert grading.CODE_STUB in _answer_cell(nb, "02.1").source


# --------------------------------------------------------------------------- checks
@pytest.mark.parametrize(("task_id", "index"), list(_mistakes()))
def test_plausible_wrong_answer_gets_its_hint(task_id, index):
    task = exercises.TASKS[task_id]
    mistake = task.mistakes[index]
    wrong = mistake.alt()
    verdict = exercises.evaluate(task_id, set(wrong) if isinstance(wrong, frozenset) else wrong)
    assert not verdict.passed
    # on some data two mistakes give the same value: the first one in the task's list names the hint
    first = next(m for m in task.mistakes[: index + 1]
                 if m.alt is None and m.when(exercises._normalise(task, wrong))
                 or m.alt is not None and exercises._same(task, exercises._normalise(task, wrong), m.alt()))
    assert verdict.key == exercises.message_key(task_id, first.key)
    assert verdict.key in _wordings(f"ex.{task.exercise}.{task_id.split('.')[1]}.{first.key}")
    expected = exercises.TASKS[task_id].expected()
    for lang in ("en", "zh"):
        text = exercises.message(verdict, lang)
        assert text.startswith("❌")
        lesson = verdict.see.split(".")[0]
        assert (f"lesson {lesson}," if lang == "en" else f"第 {lesson} 课") in text
        if isinstance(expected, float) and abs(expected) >= 0.01:
            for digits in (1, 2, 3):
                shown = f"{expected:.{digits}f}"
                assert shown not in text, f"the hint of {task_id} shows the answer {shown}"


def test_the_classic_nps_mistakes():
    exercises.start("02", "en")
    right = exercises.TASKS["02.1"].expected()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert exercises.check("02.1", round(right, 1)) is True
        assert exercises.check("02.1", right / 100) is False  # a share, not points
        assert exercises.check("02.1", (right + 100) / 2) is False  # rescaled to 0–100
        eight = exercises.TASKS["02.1"].mistakes[2].alt()  # 8 counted as a promoter
        assert exercises.check("02.1", eight) is False
    lines = out.getvalue().splitlines()
    assert lines[0] == "✅ right"
    assert "points from −100 to 100" in lines[1]
    assert "not rescaled" in lines[2]
    assert "an 8 is a passive" in lines[3]
    assert all(f"{right:.1f}" not in line for line in lines)


def test_check_speaks_the_notebook_language():
    exercises.start("03", "zh")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert exercises.check("03.3", 0.5) is False
        assert exercises.check("03.2", "必备型") is True  # a category named in Chinese
    exercises.start("03", "en")
    first, second = out.getvalue().splitlines()
    assert first.startswith("❌ 还不对 — ") and "第 03 课" in first
    assert second == "✅ 正确"


def test_answers_of_the_wrong_kind_are_explained():
    nps = exercises.TASKS["02.1"]
    from cxlib import datasets, metrics

    result = metrics.nps(datasets.load("hotel", "survey")["nps"])
    assert exercises.evaluate("02.1", result).key == "ex.msg.want_field"
    assert exercises.evaluate("02.1", float("nan")).key == "ex.msg.nan"
    assert exercises.evaluate("02.1", ...).key == "ex.msg.unanswered"
    assert exercises.evaluate("02.1", pd.Series([1.0, 2.0])).key == "ex.msg.want_number"
    assert exercises.evaluate("01.5", "payment").key == "ex.msg.want_list"
    assert exercises.evaluate("05.4", "the lobby").key == "ex.msg.unknown_choice"
    assert exercises.evaluate("05.4", "tp_" + exercises.TASKS["05.4"].expected()).passed  # column names work
    rows = exercises.grade_namespace("02", {"nps_points": nps.expected()})
    assert rows[0]["passed"] and rows[0]["points"] == 1
    assert rows[1]["key"] == "ex.msg.undefined" and rows[1]["fmt"] == {"var": "nps_margin"}
    with pytest.raises(KeyError, match="no task"):
        exercises.evaluate("99.9", 1)
    assert not math.isnan(nps.expected())


# --------------------------------------------------------------------------- grading
def _set_answer(nb, task_id: str, code: str) -> None:
    cell = _answer_cell(nb, task_id)
    cell.source = code


def _with_lang(nb, lang: str) -> None:
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):  # the other parameters (dataset, seed) stay
            cell.source = re.sub(r"^lang = .*$", f'lang = "{lang}"', cell.source, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grading run over fake submissions (papermill: every solution once, and three edge cases)."""
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    name02 = FILES["02"].name
    # dan: an endless loop in the last task; the first task is right (sorted first, so it starts first)
    dan = grading.student_version(_read("02"))
    _set_answer(dan, "02.1", 'nps_points = metrics.nps(survey["nps"]).nps')
    _set_answer(dan, "02.6", "import time\n\np_value = 0\nwhile True:  # endless (sleeping, so that it leaves the CPU to the others)\n    time.sleep(0.5)")
    # ann: the solutions of every exercise
    for number in NUMBERS:
        (subs / "ann").mkdir(exist_ok=True)
        nbformat.write(_read(number), str(subs / "ann" / FILES[number].name))
    # bob (in Chinese): 8 counted as a promoter, one right answer, one cell that raises, the rest blank
    bob = grading.student_version(_read("02"))
    _with_lang(bob, "zh")
    _set_answer(bob, "02.1", 'a = survey["nps"].dropna()\nnps_points = 100 * ((a >= 8).sum() - (a <= 6).sum()) / len(a)')
    _set_answer(bob, "02.2", "r = metrics.nps(survey['nps'])\nnps_margin = (r.ci_high - r.ci_low) / 2")
    _set_answer(bob, "02.3", "n_needed = 1 / 0")
    # cat: kills the kernel in the middle of the notebook
    cat = grading.student_version(_read("02"))
    _set_answer(cat, "02.1", 'nps_points = metrics.nps(survey["nps"]).nps')
    _set_answer(cat, "02.2", "import os\nos._exit(1)")
    for student, nb in (("dan", dan), ("bob", bob), ("cat", cat)):
        (subs / student).mkdir()
        nbformat.write(nb, str(subs / student / name02.replace(".ipynb", "-Copy1.ipynb")))
    # eve handed in nothing; fay handed in a broken file
    (subs / "eve").mkdir()
    (subs / "fay").mkdir()
    (subs / "fay" / name02).write_text("{not json", encoding="utf-8")
    (subs / "_grades").mkdir()  # skipped: starts with "_"
    lines: list[str] = []
    report = grading.grade(subs, out, timeout=TIMEOUT, jobs=2, echo=lines.append, unsafe_no_sandbox=not SANDBOX)
    return report, out, lines


def _rows(report, student, exercise="02"):
    frame = report.frame()
    return frame[(frame["student"] == student) & (frame["exercise"].str[:2] == exercise)].set_index("task")


def test_gradebook_layout(graded):
    report, out, lines = graded
    book = pd.read_csv(out / "gradebook.csv", encoding="utf-8-sig", dtype={"task": str})
    assert list(book.columns) == ["student", "exercise", "task", "passed", "points", "max_points", "reason"]
    per_student = sum(len(exercises.tasks_of(n)) for n in NUMBERS)
    assert sorted(book["student"].unique()) == ["ann", "bob", "cat", "dan", "eve", "fay"]
    assert (book.groupby("student").size() == per_student).all()
    assert (out / "index.html").exists()
    for student in ("ann", "bob", "cat", "dan", "eve", "fay"):
        assert report.feedback[student] == out / "feedback" / f"{grading.page_name(student)}.html"
        assert report.feedback[student].exists()
    assert lines[-1].startswith("6 students, ")


def test_solutions_pass_every_check(graded):
    report, out, _ = graded
    for number in NUMBERS:
        rows = _rows(report, "ann", number)
        assert rows["passed"].all(), rows[~rows["passed"]]["reason"].to_dict()
        assert (rows["points"] == rows["max_points"]).all()
        assert (out / "executed" / grading.page_name("ann") / FILES[number].name).exists()


def test_partly_wrong_submission(graded):
    report, out, _ = graded
    rows = _rows(report, "bob")
    assert rows["passed"].tolist() == [False, True, False, False, False, False]
    assert "an 8 is a passive" in rows.loc["02.1", "reason"]
    assert rows.loc["02.3", "reason"].startswith("the answer cell raised ZeroDivisionError")
    assert "no answer yet" in rows.loc["02.4", "reason"]
    assert rows["points"].sum() == 1
    page = report.feedback["bob"].read_text(encoding="utf-8")
    assert t("ex.02.1.eight", "zh") in page  # bob's notebook is in Chinese, so is his page
    others = _rows(report, "bob", "01")
    assert others["reason"].str.startswith("no notebook 01_touchpoints_journey.ipynb").all()


def test_crashing_notebook_gets_zero_with_the_reason(graded):
    report, _, _ = graded
    rows = _rows(report, "cat")
    assert not rows["passed"].any() and rows["points"].sum() == 0
    assert rows["reason"].str.startswith("the notebook could not be run").all()
    assert report.runs[("cat", "02")]["status"] == "crashed"


def test_endless_loop_costs_only_its_task(graded):
    report, _, _ = graded
    rows = _rows(report, "dan")
    assert rows.loc["02.1", "passed"]
    assert not rows.loc["02.6", "passed"]
    assert re.search(rf"stopped at the time limit \({TIMEOUT} s", rows.loc["02.6", "reason"])


def test_missing_and_unreadable_files_are_reported(graded):
    report, _, _ = graded
    eve = _rows(report, "eve")
    assert not eve["passed"].any() and eve["reason"].str.startswith("no notebook 02_").all()
    fay = _rows(report, "fay")
    assert fay["reason"].str.startswith("the file is not a readable notebook").all()
    assert ("eve", "02") not in report.runs


def test_grade_command_line(tmp_path, capsys):
    args = build_parser().parse_args(["exercises", "grade", str(tmp_path / "nowhere"), "--timeout", "5"])
    assert args.timeout == 5 and args.out == "grades"
    assert args.func(args) == 1
    assert "is not a folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- variants
def _seeded_02(folder):
    """Exercise 02, whose parameters cell has a ``seed`` and whose data follow it."""
    nb = _read("02")
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert re.search(r"^seed = None", params, flags=re.MULTILINE)
    folder.mkdir()
    nbformat.write(nb, str(folder / FILES["02"].name))
    return nb


def test_a_variant_is_injected_and_graded_on_its_own_data(tmp_path):
    trainer = _seeded_02(tmp_path / "trainer")
    subs = tmp_path / "subs"
    typed = exercises.TASKS["02.1"].expected()  # the default data's answer, copied from a report
    with exercises.variant({"seed": 2}):
        assert abs(exercises.TASKS["02.1"].expected() - typed) > 0.1, "seed 2 should move the NPS"
    typist = grading.student_version(trainer)
    _set_answer(typist, "02.1", f"nps_points = {typed:.1f}")
    for student, nb in (("solver", trainer), ("typist", typist)):
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, str(subs / student / FILES["02"].name))
    runs = {}
    for name, params in (("default", {}), ("seed2", {"seed": 2})):
        runs[name] = grading.grade(subs, tmp_path / name, timeout=60, jobs=2, folder=tmp_path / "trainer",
                                   params=params, echo=lambda s: None, unsafe_no_sandbox=not SANDBOX).frame()
    for name, frame in runs.items():
        solver = frame[frame["student"] == "solver"]
        assert solver["passed"].all(), (name, solver["reason"].tolist())
    typist_021 = {name: frame[(frame["student"] == "typist") & (frame["task"] == "02.1")]["passed"].item()
                  for name, frame in runs.items()}
    assert typist_021 == {"default": True, "seed2": False}
    with pytest.raises(ValueError, match="no exercise graded here has a parameter 'property'"):
        grading.grade(subs, tmp_path / "x", folder=tmp_path / "trainer", params={"property": "resort"},
                      echo=lambda s: None, unsafe_no_sandbox=True)


def test_variant_parameters_from_the_command_line():
    assert grading.parse_params(["seed=2", "property=resort", "conf=0.9"]) == {
        "seed": 2, "property": "resort", "conf": 0.9}
    with pytest.raises(ValueError, match="NAME=VALUE"):
        grading.parse_params(["seed"])
    args = build_parser().parse_args(["exercises", "grade", "subs", "--variant", "seed=2", "--param", "x=1"])
    assert args.param == ["seed=2", "x=1"]


def test_students_get_no_nbgrader_extensions(tmp_path):
    """The student configuration turns off every nbgrader extension that the environment enables."""
    import sys
    from pathlib import Path

    config = grading.STUDENT_JUPYTER_CONFIG
    server = json.loads((config / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    page = json.loads((config / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert page == {"@jupyter/nbgrader": True} and set(server.values()) == {False}
    enabled = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json"
    if enabled.exists():  # nbgrader installed: every extension it turns on is turned off for students
        installed = json.loads(enabled.read_text())["ServerApp"]["jpserver_extensions"]
        assert set(installed) <= set(server)
    lab = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"
    if lab.exists():
        assert json.loads((lab / "package.json").read_text())["name"] in page
