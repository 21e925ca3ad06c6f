"""Student versions of the exercises, and a gradebook from a folder of submissions.

``cxwb exercises build`` writes the student versions: the solutions between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` are replaced by a stub and every
output is cleared, with nbgrader's ``ClearSolutions`` and ``ClearOutput``
preprocessors (used as a library: no nbgrader course or database is needed).

``cxwb exercises grade SUBMISSIONS`` runs every submitted notebook with papermill,
each in its own temporary folder and its own process, with a time limit per
notebook, then judges every task with :func:`cxwb.exercises.grade_namespace` in
the same kernel (a cell added at the end), so a task counts whether or not its
check cell was run. A cell that raises or loops only costs the tasks whose
answers it should have made; a notebook that kills its kernel or runs past the
limit gets zero for every task, with the reason; the others still run.

Submission layout::

    SUBMISSIONS/
        <student>/                 one folder per student (the folder name is the student)
            01_touchpoints_journey.ipynb
            02_measuring_experience.ipynb   (a file is matched by its number: "02_*.ipynb")
            ...

Output (``--out``, default ``grades/``): ``gradebook.csv`` (student, exercise, task,
passed, points, max_points, reason; UTF-8 with a BOM so that Excel shows Chinese),
``index.html`` (points per student and exercise), ``feedback/<student>.html`` (one page
per student, every task with its hint) and ``executed/<student>/<exercise>.ipynb``.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "EXERCISES_DIR",
    "STUDENT_DIR",
    "TaskResult",
    "GradeReport",
    "student_version",
    "build_student",
    "find_submissions",
    "grade",
    "add_exercises_parser",
]

ROOT = Path(__file__).resolve().parent.parent
EXERCISES_DIR = ROOT / "exercises"
STUDENT_DIR = ROOT / "dist" / "student"

#: What replaces a solution in the student version (code cells / markdown cells).
CODE_STUB = "# ✍️ your code here · 在此写代码"
TEXT_STUB = "✍️ *Your answer here · 在此作答*"
#: Seconds allowed to the grading cell added at the end of each notebook.
GRADE_SECONDS = 90
#: Extra seconds on top of the time limit before a notebook's process is killed.
GRACE_SECONDS = 90
_GRADE_TAG = "cxwb-grade"
_RESULTS = "_cxwb_results.json"


# --------------------------------------------------------------------------- build
def student_version(nb):
    """A copy of an exercise notebook with the solutions replaced by stubs and no outputs."""
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    nb = copy.deepcopy(nb)
    clear = ClearSolutions(code_stub={"python": CODE_STUB}, text_stub=TEXT_STUB)
    nb, _ = clear.preprocess(nb, {})
    nb, _ = ClearOutput().preprocess(nb, {})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        if "BEGIN SOLUTION" in cell.source or "END SOLUTION" in cell.source:
            raise ValueError(f"a solution marker is left in cell {cell.get('id')}: mark that cell as a solution cell")
    return nb


def exercise_files(folder: Path | str = EXERCISES_DIR, only: Iterable[str] | None = None) -> dict[str, Path]:
    """The exercise notebooks of ``folder`` by number (``{"02": …/02_measuring_experience.ipynb}``)."""
    from cxwb.exercises import exercise_of

    found = {}
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        number = exercise_of(path.name)
        if number:
            found[number] = path
    if only:
        wanted = {w.strip()[:2] for item in only for w in str(item).split(",") if w.strip()}
        found = {k: v for k, v in found.items() if k in wanted}
        if not found:
            raise ValueError(f"no exercise in {folder} matches {', '.join(sorted(wanted))}")
    return found


def build_student(out_dir: Path | str = STUDENT_DIR, only: Iterable[str] | None = None,
                  folder: Path | str = EXERCISES_DIR) -> list[Path]:
    """Write the student version of every exercise (or of ``only``) to ``out_dir``."""
    import nbformat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in exercise_files(folder, only).values():
        nb = nbformat.read(str(path), as_version=4)
        target = out / path.name
        nbformat.write(student_version(nb), str(target))
        written.append(target)
    return written


# --------------------------------------------------------------------------- submissions
def find_submissions(folder: Path | str, exercises: dict[str, Path]) -> dict[str, dict[str, Path | None]]:
    """``{student: {exercise number: notebook or None}}`` from ``folder/<student>/NN_*.ipynb``.

    A notebook is matched by its two-digit number, so ``02_measuring_experience.ipynb``
    and ``02_measuring_experience-Copy1.ipynb`` both count for exercise 02 (the exact
    name wins; otherwise the most recently modified file). Folders whose name starts
    with ``.`` or ``_`` are skipped.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder of student folders")
    out: dict[str, dict[str, Path | None]] = {}
    for student in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        files = [p for p in student.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
        mine: dict[str, Path | None] = {}
        for number, source in exercises.items():
            candidates = [p for p in files if p.name[:2] == number]
            exact = [p for p in candidates if p.name == source.name]
            pick = exact or sorted(candidates, key=lambda p: p.stat().st_mtime, reverse=True)
            mine[number] = pick[0] if pick else None
        out[student.name] = mine
    return out


# --------------------------------------------------------------------------- running one notebook
_GRADE_CELL = '''# cxwb: grading cell, added by `cxwb exercises grade` (not part of the exercise)
def _cxwb_grade():
    import json
    from cxwb.exercises import grade_namespace
    rows = grade_namespace({exercise!r}, globals())
    with open({path!r}, "w", encoding="utf-8") as handle:
        json.dump(rows, handle)
_cxwb_grade()
'''


def _task_of(cell) -> str | None:
    info = cell.get("metadata", {}).get("cxwb", {})
    return info.get("task") if info.get("role") == "answer" else None


def _cell_errors(nb) -> dict[str, dict]:
    """Per task: the error its answer cell raised (``timeout`` for an interrupted cell)."""
    errors: dict[str, dict] = {}
    for cell in nb.cells:
        task = _task_of(cell)
        if not task or cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "KeyboardInterrupt":
                    errors[task] = {"kind": "timeout"}
                else:
                    text = f"{output.get('ename')}: {output.get('evalue', '')}".strip()
                    errors[task] = {"kind": "error", "error": text[:300]}
    return errors


def _grade_cell_error(nb) -> str | None:
    for cell in nb.cells:
        if _GRADE_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    return f"{output.get('ename')}: {output.get('evalue', '')}"[:300]
            return None
    return None


def run_one(notebook: Path | str, exercise: str, timeout: int, workdir: Path | str) -> dict:
    """Execute one submitted notebook in ``workdir`` and judge its tasks (no exception escapes).

    Returns ``{"status", "error", "results", "cell_errors", "seconds"}``; ``status`` is
    ``"ok"`` (the grading cell ran), ``"unreadable"``, ``"crashed"`` (the kernel died or
    the run failed) or ``"no_results"`` (the grading cell could not finish).
    """
    import nbformat
    from nbformat.v4 import new_code_cell

    start = time.perf_counter()
    work = Path(workdir)
    results_path = work / _RESULTS
    out: dict = {"status": "ok", "error": None, "results": None, "cell_errors": {}, "seconds": 0.0}
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is reported, not raised
        out.update(status="unreadable", error=f"{type(err).__name__}: {err}"[:300])
        return out
    nb.cells = [c for c in nb.cells if _GRADE_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.cells.append(new_code_cell(_GRADE_CELL.format(exercise=exercise, path=str(results_path)),
                                  metadata={"tags": [_GRADE_TAG]}))
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    source = work / "submission.ipynb"
    executed = work / "executed.ipynb"
    nbformat.write(nb, str(source))
    deadline: list[float] = []

    def cell_timeout(cell) -> int:
        if _GRADE_TAG in cell.get("metadata", {}).get("tags", []):
            return GRADE_SECONDS
        now = time.monotonic()
        if not deadline:
            deadline.append(now + timeout)
        return max(1, int(deadline[0] - now))

    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(source), str(executed), kernel_name="python3", cwd=str(work), progress_bar=False,
            log_output=False, execution_timeout=timeout, start_timeout=60, allow_errors=True,
            interrupt_on_timeout=True, timeout_func=cell_timeout,
        )
    except PapermillExecutionError:
        pass  # cells that raised: expected with students' work, judged per task below
    except Exception as err:  # noqa: BLE001 - dead kernel, bad notebook: report and go on
        out.update(status="crashed", error=f"{type(err).__name__}: {err}"[:300])
    if executed.exists():
        try:
            done = nbformat.read(str(executed), as_version=4)
            out["cell_errors"] = _cell_errors(done)
            grade_error = _grade_cell_error(done)
        except Exception:  # noqa: BLE001 - a half-written notebook gives no per-cell detail
            grade_error = None
    else:
        grade_error = None
    if results_path.exists():
        try:
            out["results"] = json.loads(results_path.read_text(encoding="utf-8"))
            out["status"] = "ok"
        except ValueError:
            out["results"] = None
    if out["results"] is None and out["status"] == "ok":
        out.update(status="no_results", error=grade_error or "the notebook stopped before the grading cell")
    out["seconds"] = time.perf_counter() - start
    return out


def _run_in_process(notebook: Path, exercise: str, timeout: int, keep: Path | None) -> dict:
    """Run :func:`run_one` in a child process with a hard time limit (an endless C loop cannot stop it)."""
    work = Path(tempfile.mkdtemp(prefix="cxwb-grade-"))
    report = work / "_cxwb_run.json"
    args = json.dumps({"notebook": str(Path(notebook).resolve()), "exercise": exercise, "timeout": timeout,
                       "workdir": str(work), "report": str(report)})
    limit = timeout + GRADE_SECONDS + GRACE_SECONDS
    start = time.perf_counter()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cxwb.grading", "--run-one", args], cwd=str(work),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=limit)
            if report.exists():
                result = json.loads(report.read_text(encoding="utf-8"))
            else:
                tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no report"]
                result = {"status": "crashed", "error": tail[0][:300], "results": None, "cell_errors": {}}
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                proc.kill()
            proc.communicate()
            result = {"status": "killed", "error": None, "results": None, "cell_errors": {}}
        if keep is not None and (work / "executed.ipynb").exists():
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "executed.ipynb", keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["seconds"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- grading
@dataclass
class TaskResult:
    """One row of the gradebook."""

    student: str
    exercise: str
    task: str
    passed: bool
    points: int
    max_points: int
    reason_key: str | None = None
    reason_fmt: dict = field(default_factory=dict)
    see: str | None = None
    missing: bool = False

    def reason(self, lang: str = "en") -> str:
        """Why the task did not pass, in ``lang`` ("" when it passed)."""
        from cxlib.i18n import t
        from cxwb.exercises import Verdict, hint_text

        if self.passed or not self.reason_key:
            return ""
        if self.reason_key.startswith("ex.grade."):
            return t(self.reason_key, lang, **self.reason_fmt)
        return hint_text(Verdict(self.task, False, self.reason_key, self.reason_fmt, self.see), lang)


@dataclass
class GradeReport:
    """What ``grade`` found and wrote."""

    results: list[TaskResult]
    runs: dict[tuple[str, str], dict]
    gradebook: Path
    feedback: dict[str, Path]
    index: Path
    seconds: float

    def frame(self, lang: str = "en"):
        """The gradebook as a DataFrame (the columns of ``gradebook.csv``)."""
        import pandas as pd

        return pd.DataFrame(
            [{"student": r.student, "exercise": r.exercise, "task": r.task, "passed": r.passed,
              "points": r.points, "max_points": r.max_points, "reason": r.reason(lang)} for r in self.results],
            columns=["student", "exercise", "task", "passed", "points", "max_points", "reason"],
        )


def _results_for(student: str, exercise: str, name: str, run: dict | None, timeout: int) -> list[TaskResult]:
    from cxwb.exercises import tasks_of

    tasks = tasks_of(exercise)
    rows = []
    if run is None:
        return [TaskResult(student, name, task.id, False, 0, task.points, "ex.grade.missing_file", {"name": name},
                           missing=True) for task in tasks]
    status = run.get("status")
    judged = {r["task"]: r for r in (run.get("results") or [])}
    cell_errors = run.get("cell_errors") or {}
    for task in tasks:
        got = judged.get(task.id)
        if got is not None and got.get("passed"):
            rows.append(TaskResult(student, name, task.id, True, int(got["points"]), task.points))
            continue
        if task.id in cell_errors:
            err = cell_errors[task.id]
            key, fmt = (("ex.grade.cell_timeout", {"seconds": timeout}) if err["kind"] == "timeout"
                        else ("ex.grade.cell_error", {"error": err.get("error", "")}))
        elif got is not None:
            key, fmt = got.get("key"), got.get("fmt") or {}
        elif status == "unreadable":
            key, fmt = "ex.grade.unreadable", {"error": run.get("error") or ""}
        elif status == "killed":
            key, fmt = "ex.grade.killed", {"seconds": timeout}
        elif status == "crashed":
            key, fmt = "ex.grade.crashed", {"error": run.get("error") or ""}
        else:
            key, fmt = "ex.grade.not_run", {"error": run.get("error") or ""}
        see = got.get("see") if got is not None else None
        rows.append(TaskResult(student, name, task.id, False, 0, task.points, key, fmt, see))
    return rows


def _notebook_lang(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"lang\s*=\s*\\?[\"'](en|zh)\\?[\"']", text)
    return match.group(1) if match else None


def grade(
    submissions: Path | str,
    out_dir: Path | str = "grades",
    timeout: int = 120,
    jobs: int | None = None,
    lang: str | None = None,
    only: Iterable[str] | None = None,
    folder: Path | str = EXERCISES_DIR,
    echo: Callable[[str], None] = print,
) -> GradeReport:
    """Execute and grade every submission; write the gradebook and the feedback pages.

    Parameters
    ----------
    submissions : folder
        ``<student>/<NN_topic>.ipynb`` (see the module docstring).
    out_dir : folder
        Where ``gradebook.csv``, ``index.html``, ``feedback/`` and ``executed/`` go.
    timeout : int
        Seconds allowed per notebook (its cells together; a cell still running at
        the limit is interrupted, and the notebook's process is killed a little later).
    jobs : int, optional
        Notebooks run at the same time (default: up to 4, one per CPU core).
    lang : {"en", "zh"}, optional
        Language of the reasons and pages (default: each student's notebooks' ``lang``).
    only : list of str, optional
        Exercise numbers to grade (default: every exercise in ``folder``).
    """
    from cxlib.i18n import check_lang

    if lang is not None:
        check_lang(lang)
    start = time.perf_counter()
    exercises = exercise_files(folder, only)
    found = find_submissions(submissions, exercises)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    todo = [(student, number, path) for student, files in found.items() for number, path in files.items()
            if path is not None]
    echo(f"grading {len(todo)} notebooks of {len(found)} students ({jobs} at a time, {timeout} s each) …")

    def work(item):
        student, number, path = item
        keep = out / "executed" / student / exercises[number].name
        return item, _run_in_process(path, number, timeout, keep)

    runs: dict[tuple[str, str], dict] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for (student, number, _), run in pool.map(work, todo):
            runs[(student, number)] = run
            echo(f"    {student} / {exercises[number].stem}: {run['status']} ({run.get('seconds', 0):.1f} s)")
    results: list[TaskResult] = []
    langs: dict[str, str] = {}
    for student, files in found.items():
        for number in files:
            results += _results_for(student, number, exercises[number].stem, runs.get((student, number)), timeout)
        langs[student] = lang or next((g for g in map(_notebook_lang, files.values()) if g), "en")
    book = out / "gradebook.csv"
    report = GradeReport(results, runs, book, {}, out / "index.html", 0.0)
    report.frame(lang or "en").to_csv(book, index=False, encoding="utf-8-sig")
    for student in found:
        report.feedback[student] = _write_feedback(out, student, [r for r in results if r.student == student],
                                                   langs[student])
    _write_index(out, found, results, lang or "en")
    report.seconds = time.perf_counter() - start
    passed = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    echo(f"{len(found)} students, {len(todo)} notebooks, {passed} of {total} points, {report.seconds:.1f} s; "
         f"gradebook in {book}")
    return report


# --------------------------------------------------------------------------- pages
_STYLE = """<style>body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2rem;max-width:70rem;color:#222}table{border-collapse:collapse;width:100%}td,th{padding:.35rem .7rem;
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}th{background:#f4f4f4}.ok{color:#2e7d32;white-space:nowrap}
.bad{color:#c62828;white-space:nowrap}.miss{color:#888;white-space:nowrap}h2{margin-top:2rem}.num{text-align:right;white-space:nowrap}</style>"""


def _page(title: str, body: str, lang: str) -> str:
    from cxwb.runner import embed_cjk_font

    page = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>{_STYLE}</head><body>{body}</body></html>\n")
    try:
        return embed_cjk_font(page)
    except Exception:  # noqa: BLE001 - the page still works with the reader's own fonts
        return page


def _safe_name(student: str) -> str:
    return re.sub(r"[^\w\-.]+", "_", student) or "student"


def _write_feedback(out: Path, student: str, rows: list[TaskResult], lang: str) -> Path:
    from cxlib.i18n import t

    points = sum(r.points for r in rows)
    max_points = sum(r.max_points for r in rows)
    parts = [f"<h1>{html.escape(t('ex.grade.title', lang, student=student))}</h1>",
             f"<p><strong>{html.escape(t('ex.grade.summary', lang, points=points, max_points=max_points))}"
             "</strong></p>"]
    by_exercise: dict[str, list[TaskResult]] = {}
    for r in rows:
        by_exercise.setdefault(r.exercise, []).append(r)
    for name, items in by_exercise.items():
        got = sum(r.points for r in items)
        most = sum(r.max_points for r in items)
        parts.append(f"<h2>{html.escape(t('ex.grade.exercise', lang))} {html.escape(name)} — {got}/{most}</h2>")
        parts.append(f"<table><tr><th>{t('ex.grade.task', lang)}</th><th>{t('ex.grade.result', lang)}</th>"
                     f"<th class='num'>{t('ex.grade.points', lang)}</th><th>{t('ex.grade.feedback', lang)}</th></tr>")
        for r in items:
            number, sub = r.task.split(".")
            title = t(f"ex.{number}.{sub}.title", lang)
            if r.passed:
                status, css = t("ex.grade.passed", lang), "ok"
            elif r.missing:
                status, css = t("ex.grade.missing", lang), "miss"
            else:
                status, css = t("ex.grade.failed", lang), "bad"
            parts.append(f"<tr><td>{html.escape(r.task)} · {html.escape(title)}</td><td class='{css}'>{status}</td>"
                         f"<td class='num'>{r.points}/{r.max_points}</td><td>{html.escape(r.reason(lang))}</td></tr>")
        parts.append("</table>")
    path = out / "feedback" / f"{_safe_name(student)}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(t("ex.grade.title", lang, student=student), "\n".join(parts), lang), encoding="utf-8")
    return path


def _write_index(out: Path, found: dict, results: list[TaskResult], lang: str) -> Path:
    from cxlib.i18n import t

    names = sorted({r.exercise for r in results})
    head = "".join(f"<th class='num'>{html.escape(n[:2])}</th>" for n in names)
    rows = []
    for student in found:
        mine = [r for r in results if r.student == student]
        cells = []
        for n in names:
            items = [r for r in mine if r.exercise == n]
            if items and all(r.missing for r in items):
                cells.append(f"<td class='num miss'>{t('ex.grade.missing', lang)}</td>")
            else:
                cells.append(f"<td class='num'>{sum(r.points for r in items)}/{sum(r.max_points for r in items)}</td>")
        link = f"feedback/{_safe_name(student)}.html"
        total = f"{sum(r.points for r in mine)}/{sum(r.max_points for r in mine)}"
        rows.append(f"<tr><td><a href='{html.escape(link)}'>{html.escape(student)}</a></td>{''.join(cells)}"
                    f"<td class='num'><strong>{total}</strong></td></tr>")
    body = (f"<h1>{t('ex.grade.index_title', lang)}</h1><table><tr><th>{t('ex.grade.student', lang)}</th>{head}"
            f"<th class='num'>{t('ex.grade.points', lang)}</th></tr>{''.join(rows)}</table>")
    path = out / "index.html"
    path.write_text(_page(t("ex.grade.index_title", lang), body, lang), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- command line
def _cmd_build(args) -> int:
    try:
        written = build_student(args.out, args.only)
    except ValueError as err:
        print(f"cxwb exercises build: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebooks to {Path(args.out)}")
    return 0


def _cmd_grade(args) -> int:
    try:
        report = grade(args.submissions, out_dir=args.out, timeout=args.timeout, jobs=args.jobs, lang=args.lang,
                       only=args.only)
    except (FileNotFoundError, ValueError) as err:
        print(f"cxwb exercises grade: {err}", file=sys.stderr)
        return 1
    return 0 if report.results else 1


def add_exercises_parser(sub) -> argparse.ArgumentParser:
    """Add ``cxwb exercises build|grade`` to the subcommands of the ``cxwb`` parser."""
    ex = sub.add_parser("exercises", help="student versions of the exercises, and grading")
    ex_sub = ex.add_subparsers(dest="exercises_command", required=True)
    build = ex_sub.add_parser("build", help="write the student versions (solutions removed, outputs cleared)")
    build.add_argument("--out", default=str(STUDENT_DIR), help="output folder (default: dist/student)")
    build.add_argument("--only", action="append", metavar="NN", help="exercise number(s), e.g. 02 or 02,03")
    build.set_defaults(func=_cmd_build)
    gr = ex_sub.add_parser("grade", help="run the submitted notebooks and write gradebook.csv and feedback pages",
                           description="SUBMISSIONS holds one folder per student with the exercise notebooks: "
                                       "SUBMISSIONS/<student>/<NN_topic>.ipynb.")
    gr.add_argument("submissions", help="folder of student folders: SUBMISSIONS/<student>/<NN_topic>.ipynb")
    gr.add_argument("--out", default="grades", help="output folder (default: grades)")
    gr.add_argument("--timeout", type=int, default=120, help="seconds allowed per notebook (default 120)")
    gr.add_argument("--jobs", type=int, default=None, help="notebooks run at the same time (default: up to 4)")
    gr.add_argument("--lang", choices=["en", "zh"], help="language of the feedback (default: the notebooks' own)")
    gr.add_argument("--only", action="append", metavar="NN", help="exercise number(s) to grade")
    gr.set_defaults(func=_cmd_grade)
    return ex


def _child_main(argv: list[str]) -> int:
    """``python -m cxwb.grading --run-one JSON``: the child process of :func:`_run_in_process`."""
    spec = json.loads(argv[1])
    try:
        result = run_one(spec["notebook"], spec["exercise"], int(spec["timeout"]), spec["workdir"])
    except Exception as err:  # noqa: BLE001 - always leave a report for the parent
        result = {"status": "crashed", "error": f"{type(err).__name__}: {err}"[:300], "results": None,
                  "cell_errors": {}}
    Path(spec["report"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--run-one":
    sys.exit(_child_main(sys.argv[1:]))
