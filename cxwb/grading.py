"""Student versions of the exercises, and a gradebook from a folder of submissions.

``cxwb exercises build`` writes the student versions: the solutions between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` are replaced by a stub and every
output is cleared, with nbgrader's ``ClearSolutions`` and ``ClearOutput``
preprocessors (used as a library: no nbgrader course or database is needed).

``cxwb exercises grade SUBMISSIONS`` runs every submitted notebook in its own
bubblewrap sandbox (:mod:`cxwb.sandbox`: only the environment, the data and its own
work folder visible; no network; limits on time, memory, processes and files), with
the trainer's variant injected into its ``parameters`` cell (papermill's
``parameterize_notebook``). The notebook's last cell, added here, only exports the task
variables as plain data (:mod:`cxwb.answers`); the grader reads that file strictly and
judges the answers **in its own process** with :func:`cxwb.exercises.grade_namespace`,
on the same variant, with the points of the task registry. Nothing else the
submission writes is trusted. A cell that raises or loops only costs the tasks whose
answers it should have made; a notebook that kills its kernel, runs past the wall
clock or breaks a limit gets zero for every task, with the reason; the others still
run. Every student gets a row per task and a page; the gradebook and the pages are written at the end,
each atomically; SIGTERM/Ctrl-C stop the run cleanly (sandboxes killed, temporary
folders removed, the gradebook still written).

Submission layout::

    SUBMISSIONS/
        <student>/                 one folder per student (the folder name is the student)
            01_touchpoints_journey.ipynb
            02_measuring_experience.ipynb   (a file is matched by its number: "02_*.ipynb")
            ...

Output (``--out``, default ``grades/``): ``gradebook.csv`` (student, exercise, task,
passed, points, max_points, reason; UTF-8 with a BOM so that Excel shows Chinese),
``index.html`` (points per student and exercise), ``feedback/<student>-<hash>.html`` (one
page per student folder, every task with its hint) and
``executed/<student>-<hash>/<exercise>.ipynb``. Spreadsheet cells that would start a
formula are neutralised (:func:`csv_safe`).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import html
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cxwb.apps import workbook_path

__all__ = [
    "EXERCISES_DIR",
    "STUDENT_DIR",
    "STUDENT_JUPYTER_CONFIG",
    "TaskResult",
    "GradeReport",
    "student_version",
    "build_student",
    "find_submissions",
    "grade",
    "add_exercises_parser",
]

ROOT = Path(__file__).resolve().parent.parent
#: The exercises: the installed package's copy, or ``exercises/`` of a source checkout.
EXERCISES_DIR = workbook_path("exercises")
#: Where ``cxwb exercises build`` writes by default, relative to the working folder.
STUDENT_DIR = Path("dist") / "student"
#: Jupyter configuration for students: nbgrader's extensions off (use as ``JUPYTER_CONFIG_PATH``).
STUDENT_JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter_student"

#: What replaces a solution in the student version (code cells / markdown cells).
CODE_STUB = "# ✍️ your code here · 在此写代码"
TEXT_STUB = "✍️ *Your answer here · 在此作答*"
#: Seconds allowed to the answers cell added at the end of each notebook.
FINAL_SECONDS = 30
#: Seconds on top of the time limit for starting the kernel and writing the notebook, before the sandbox is killed.
START_SECONDS = 60
#: Largest submitted notebook read (bytes); outputs kept per executed notebook (bytes).
MAX_NOTEBOOK_BYTES = 20 * 1024**2
OUTPUT_BYTES = 2 * 1024**2
_ANSWERS_TAG = "cxwb-answers"


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
    """Write the student version of every exercise (or of ``only``) to ``out_dir``.

    With the notebooks goes ``jupyter_config/`` (:data:`STUDENT_JUPYTER_CONFIG`): a Jupyter
    configuration without nbgrader's server and lab extensions (its "Validate" button would
    report success on blank tasks, and its trainer menus do not belong to students). Start
    JupyterLab with ``JUPYTER_CONFIG_PATH=<that folder>`` (``make lab`` does).
    """
    import nbformat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in exercise_files(folder, only).values():
        nb = nbformat.read(str(path), as_version=4)
        target = out / path.name
        nbformat.write(student_version(nb), str(target))
        written.append(target)
    shutil.copytree(STUDENT_JUPYTER_CONFIG, out / "jupyter_config", dirs_exist_ok=True)
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
_ANSWERS_CELL = '''# cxwb: answers cell, added by `cxwb exercises grade` (not part of the exercise)
def _cxwb_answers():
    from cxwb.answers import export
    export(globals(), {names!r}, {path!r})
_cxwb_answers()
'''


def _task_of(cell) -> str | None:
    info = cell.get("metadata", {}).get("cxwb", {})
    return info.get("task") if isinstance(info, dict) and info.get("role") == "answer" else None


def _cell_errors(nb) -> dict[str, dict]:
    """Per task: the error its answer cell raised (``timeout`` for an interrupted cell)."""
    errors: dict[str, dict] = {}
    for cell in nb.cells:
        task = _task_of(cell)
        if not isinstance(task, str) or cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "KeyboardInterrupt":
                    errors[task[:10]] = {"kind": "timeout"}
                else:
                    text = f"{output.get('ename')}: {output.get('evalue', '')}".strip()
                    errors[task[:10]] = {"kind": "error", "error": text[:300]}
    return errors


def _answers_cell_error(nb) -> str | None:
    for cell in nb.cells:
        if _ANSWERS_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    return f"{output.get('ename')}: {output.get('evalue', '')}"[:300]
            return None
    return None


def _prepare(notebook: Path, names: list[str], params: dict, answers_path: str) -> str:
    """The submitted notebook, made ready to grade: outputs cleared, parameters injected, the answers cell added.

    Raises ``ValueError``/``OSError`` for a file that is not a readable notebook.
    """
    import nbformat
    from nbformat.v4 import new_code_cell
    from papermill.parameterize import parameterize_notebook

    from cxwb.answers import read_bounded

    if Path(notebook).is_symlink():
        raise ValueError("the file is a link")
    raw = read_bounded(Path(notebook), MAX_NOTEBOOK_BYTES)
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    nb.cells = [c for c in nb.cells if not ({_ANSWERS_TAG, "injected-parameters"}
                                            & set(c.get("metadata", {}).get("tags", [])))]
    nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {}, "environment_variables": {}}
    for cell in nb.cells:  # what papermill's loader adds, and its parameterize expects
        if not isinstance(cell.metadata.get("tags"), list):
            cell.metadata["tags"] = []
        cell.metadata["papermill"] = {}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    if params:
        nb = parameterize_notebook(nb, params)
    nb.cells.append(new_code_cell(_ANSWERS_CELL.format(names=names, path=answers_path),
                                  metadata={"tags": [_ANSWERS_TAG]}))
    return nbformat.writes(nb)


def _remove(folder: Path) -> None:
    """Remove a work folder whatever a submission did to its permissions."""
    def retry(func, path, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            func(path)

    shutil.rmtree(folder, onerror=retry)


@dataclass
class Job:
    """One notebook to grade."""

    student: str
    number: str
    path: Path
    names: list[str]
    params: dict
    keep: Path | None = None


def run_submission(job: Job, sandbox, limits, timeout: int, temp_root: Path, slot: int = 0,
                   stop: threading.Event | None = None, nproc: int = 0) -> dict:
    """Execute one submitted notebook in a sandbox and read back its answers (no exception escapes).

    Returns ``{"status", "error", "answers", "cell_errors", "seconds", "limit"}`` where
    ``status`` is ``"ok"`` (answers read), ``"unreadable"``, ``"bad_answers"`` (the
    answers file is malformed), ``"killed"`` (past the wall clock), ``"limit"``
    (memory, processes or disk; ``limit`` says which), ``"crashed"``, ``"no_results"``
    or ``"stopped"`` (the grading run was stopped). Nothing the notebook wrote is
    trusted but ``answers.json``, read strictly, and the error names of its cells.
    """
    from cxwb.answers import AnswersError, read_answers, read_bounded
    from cxwb.sandbox import INSIDE_WORK, spec_json

    start = time.monotonic()
    out: dict = {"status": "ok", "error": None, "answers": None, "cell_errors": {}, "seconds": 0.0, "limit": None}
    if stop is not None and stop.is_set():
        out["status"] = "stopped"
        return out
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=temp_root))
    try:
        work = tmp / "work"
        work.mkdir()
        inside = INSIDE_WORK if sandbox.isolated else str(work)
        try:
            text = _prepare(job.path, job.names, job.params, f"{inside}/answers.json")
        except Exception as err:  # noqa: BLE001 - any unreadable file is reported, not raised
            out.update(status="unreadable", error=f"{type(err).__name__}: {err}"[:300])
            return out
        (work / "submission.ipynb").write_text(text, encoding="utf-8")
        _seed_matplotlib_cache(work / ".matplotlib")
        uid = sandbox.uid_for(slot)
        if uid is not None:
            for path in [work, *work.rglob("*")]:
                os.chown(path, uid, uid)
        spec = spec_json("submission.ipynb", timeout, FINAL_SECONDS, OUTPUT_BYTES, limits, uid,
                         limits.processes if uid is not None else nproc, _ANSWERS_TAG)
        outcome = sandbox.run([sys.executable, "-m", "cxwb.sandbox", "--drive", spec], work, tmp / "log.txt",
                              limits, stop=stop)
        executed = None
        with contextlib.suppress(Exception):
            import nbformat

            raw = read_bounded(work / "executed.ipynb", 4 * OUTPUT_BYTES + MAX_NOTEBOOK_BYTES)
            executed = nbformat.reads(raw.decode("utf-8"), as_version=4)
            out["cell_errors"] = _cell_errors(executed)
            if job.keep is not None:
                _write_atomic(job.keep, raw)
        report = {}
        with contextlib.suppress(Exception):
            report = json.loads(read_bounded(work / "run.json", 4096))
            report = report if isinstance(report, dict) else {}
        if outcome.stopped == "signal":
            out["status"] = "stopped"
        elif outcome.stopped == "time":
            out["status"] = "killed"
        elif outcome.stopped is not None:
            out.update(status="limit", limit=outcome.stopped)
        else:
            try:
                out["answers"] = read_answers(work / "answers.json", job.names)
            except AnswersError as err:
                out.update(status="bad_answers", error=str(err)[:300])
            except OSError:
                error = report.get("error") if report.get("status") == "crashed" else None
                if error or outcome.returncode != 0:
                    tail = (outcome.log.strip().splitlines() or ["no report"])[-1]
                    out.update(status="crashed", error=str(error or tail)[:300])
                else:
                    cell = _answers_cell_error(executed) if executed is not None else None
                    out.update(status="no_results", error=cell or "the notebook stopped before its answers were read")
    finally:
        _remove(tmp)
        out["seconds"] = time.monotonic() - start
    return out


def _seed_matplotlib_cache(folder: Path) -> None:
    """Copy matplotlib's font list into a sandbox so that its kernel does not rebuild it (seconds each)."""
    try:
        import matplotlib

        found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # noqa: BLE001 - an empty cache only costs time
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in found[-1:]:
        with contextlib.suppress(OSError):
            shutil.copyfile(path, folder / path.name)


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
    stopped: bool = False
    sandboxed: bool = True
    params: dict = field(default_factory=dict)

    def frame(self, lang: str = "en"):
        """The gradebook as a DataFrame (the columns of ``gradebook.csv``)."""
        import pandas as pd

        return pd.DataFrame(
            [{"student": r.student, "exercise": r.exercise, "task": r.task, "passed": r.passed,
              "points": r.points, "max_points": r.max_points, "reason": r.reason(lang)} for r in self.results],
            columns=["student", "exercise", "task", "passed", "points", "max_points", "reason"],
        )


def _results_for(student: str, exercise: str, name: str, run: dict | None, timeout: int,
                 params: dict | None = None, limits=None) -> list[TaskResult]:
    """The gradebook rows of one student's exercise, judged here (in the grader) from the answers read back."""
    from cxwb.answers import AnswersError
    from cxwb.exercises import grade_namespace, tasks_of

    tasks = tasks_of(exercise)
    if run is None:
        return [TaskResult(student, name, task.id, False, 0, task.points, "ex.grade.missing_file", {"name": name},
                           missing=True) for task in tasks]
    status = run.get("status")
    answers = run.get("answers") or {}
    judged: dict[str, dict] = {}
    if status == "ok":
        namespace = {var: value for var, value in answers.items() if not isinstance(value, Exception)}
        judged = {r["task"]: r for r in grade_namespace(exercise, namespace, params)}
    cell_errors = run.get("cell_errors") or {}
    rows = []
    for task in tasks:
        got = judged.get(task.id)
        if got is not None and got.get("passed"):
            rows.append(TaskResult(student, name, task.id, True, task.points, task.points))
            continue
        bad = answers.get(task.var)
        if task.id in cell_errors:
            err = cell_errors[task.id]
            key, fmt = (("ex.grade.cell_timeout", {"seconds": timeout}) if err["kind"] == "timeout"
                        else ("ex.grade.cell_error", {"error": err.get("error", "")}))
        elif isinstance(bad, AnswersError):
            key, fmt = "ex.grade.bad_answer", {"error": str(bad)[:200]}
        elif got is not None:
            key, fmt = got.get("key"), got.get("fmt") or {}
        elif status == "unreadable":
            key, fmt = "ex.grade.unreadable", {"error": run.get("error") or ""}
        elif status == "killed":
            key, fmt = "ex.grade.killed", {"seconds": timeout}
        elif status == "limit":
            key, fmt = f"ex.grade.limit_{run.get('limit')}", _limit_fmt(limits)
        elif status == "bad_answers":
            key, fmt = "ex.grade.bad_answers", {"error": run.get("error") or ""}
        elif status == "stopped":
            key, fmt = "ex.grade.stopped", {}
        elif status == "crashed":
            key, fmt = "ex.grade.crashed", {"error": run.get("error") or ""}
        else:
            key, fmt = "ex.grade.not_run", {"error": run.get("error") or ""}
        see = got.get("see") if got is not None else None
        rows.append(TaskResult(student, name, task.id, False, 0, task.points, key, fmt, see))
    return rows


def _limit_fmt(limits) -> dict:
    from cxwb.sandbox import Limits

    limits = limits or Limits()
    return {"memory_mb": limits.rss // 2**20, "processes": limits.processes, "disk_mb": limits.work_size // 2**20}


def _notebook_lang(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        from cxwb.answers import read_bounded

        text = read_bounded(path, MAX_NOTEBOOK_BYTES).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    match = re.search(r"lang\s*=\s*\\?[\"'](en|zh)\\?[\"']", text)
    return match.group(1) if match else None


def parse_params(items: Iterable[str] | None) -> dict:
    """``["seed=2", "property=resort"]`` → ``{"seed": 2, "property": "resort"}`` (values read as Python literals)."""
    import ast

    out: dict = {}
    for item in items or ():
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ValueError(f"a parameter is NAME=VALUE, e.g. seed=2; got {item!r}")
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            value = text.strip()
        if not isinstance(value, str | int | float | bool | type(None)):
            raise ValueError(f"parameter {name}: a number, a name, True/False or None, not {text!r}")
        out[name] = value
    return out


def exercise_params(notebook: Path, overrides: dict) -> tuple[dict, dict]:
    """(parameters injected into the submissions, the variant the grader computes on) for one exercise.

    Only the trainer's ``overrides`` that the exercise's ``parameters`` cell declares are
    injected; the variant is the cell's defaults (read with ``ast.literal_eval``: nothing
    is executed) updated with them, without ``lang``.
    """
    from cxwb.runner import resolve_parameters

    defaults = resolve_parameters(notebook, {})
    injected = {k: v for k, v in overrides.items() if k in defaults}
    params = {k: v for k, v in {**defaults, **injected}.items() if k != "lang"}
    return injected, params


def _write_atomic(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write ``path`` through a temporary file in its folder and ``os.replace``: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode(encoding) if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def csv_safe(value):
    """A spreadsheet cell that cannot start a formula: text beginning with ``= + - @``, tab or CR gets a ``'``.

    This is OWASP's advice against CSV injection (prefix such cells with a single quote);
    numbers and booleans are left alone.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def page_name(student: str) -> str:
    """The file name of a student's page: readable and unique per folder name ("li lei" ≠ "li_lei")."""
    slug = re.sub(r"[^\w\-]+", "_", student, flags=re.UNICODE).strip("_.")[:40] or "student"
    return f"{slug}-{hashlib.sha256(student.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event, sandbox):
    """While grading: SIGTERM (and Ctrl-C) kill the running sandboxes and let the run finish its outputs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        stop.set()
        sandbox.kill_all()

    for name in ("SIGTERM", "SIGINT"):
        if hasattr(signal, name):
            previous[name] = signal.signal(getattr(signal, name), handler)
    try:
        yield
    finally:
        for name, old in previous.items():
            signal.signal(getattr(signal, name), old)


def grade(
    submissions: Path | str,
    out_dir: Path | str = "grades",
    timeout: int = 120,
    jobs: int | None = None,
    lang: str | None = None,
    only: Iterable[str] | None = None,
    folder: Path | str = EXERCISES_DIR,
    echo: Callable[[str], None] = print,
    params: dict | None = None,
    unsafe_no_sandbox: bool = False,
    limits=None,
) -> GradeReport:
    """Execute every submission in its sandbox, judge the answers here, write the gradebook and the pages.

    Parameters
    ----------
    submissions : folder
        ``<student>/<NN_topic>.ipynb`` (see the module docstring).
    out_dir : folder
        Where ``gradebook.csv``, ``index.html``, ``feedback/`` and ``executed/`` go.
    timeout : int
        Seconds allowed per notebook (its cells together; a cell still running at
        the limit is interrupted, and the whole sandbox is killed a little later).
    jobs : int, optional
        Notebooks run at the same time (default: up to 4, one per CPU core).
    lang : {"en", "zh"}, optional
        Language of the reasons and pages (default: each student's notebooks' ``lang``).
    only : list of str, optional
        Exercise numbers to grade (default: every exercise in ``folder``).
    params : dict, optional
        The variant: parameters injected into each exercise that declares them in its
        ``parameters`` cell (e.g. ``{"seed": 2}``); the expected values are computed on it.
    unsafe_no_sandbox : bool
        Grade without bubblewrap where it is missing (nothing is isolated; see
        :data:`cxwb.sandbox.UNPROTECTED`).
    limits : cxwb.sandbox.Limits, optional
        Memory, processes, file sizes (default: :class:`~cxwb.sandbox.Limits` with the wall
        clock set from ``timeout``).

    Raises
    ------
    cxwb.sandbox.SandboxUnavailable
        When bubblewrap is missing and ``unsafe_no_sandbox`` is not set.
    """
    from cxlib.i18n import check_lang
    from cxwb.exercises import tasks_of
    from cxwb.sandbox import UNPROTECTED, Limits, Sandbox, user_tasks

    if lang is not None:
        check_lang(lang)
    start = time.perf_counter()
    exercises = exercise_files(folder, only)
    found = find_submissions(submissions, exercises)
    overrides = dict(params or {})
    variants = {number: exercise_params(path, overrides) for number, path in exercises.items()}
    unused = sorted(set(overrides) - {k for injected, _ in variants.values() for k in injected})
    if unused:
        raise ValueError(f"no exercise graded here has a parameter {unused[0]!r}; their parameters are "
                         + ", ".join(sorted({k for _, p in variants.values() for k in p})))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temp_root = Path(tempfile.mkdtemp(prefix="cxwb-grade-"))  # every submission's work folder goes in here
    try:
        sandbox = Sandbox(unsafe=unsafe_no_sandbox, hide=[Path(folder), EXERCISES_DIR, Path(submissions), out,
                                                          temp_root])
    except BaseException:
        _remove(temp_root)
        raise
    runs: dict[tuple[str, str], dict] = {}
    try:
        if not sandbox.isolated:
            echo("!" * 78)
            echo(f"!! GRADING WITHOUT A SANDBOX ({sandbox.problem}). NOT PROTECTED:")
            for line in UNPROTECTED:
                echo(f"!!   - {line}")
            echo("!" * 78)
        jobs = jobs or max(1, min(4, os.cpu_count() or 1))
        limits = limits or Limits(wall=timeout + FINAL_SECONDS + START_SECONDS, cpu=timeout + FINAL_SECONDS + START_SECONDS)
        todo = []
        for student, files in found.items():
            for number, path in files.items():
                if path is None:
                    continue
                names = [task.var for task in tasks_of(number)]
                keep = out / "executed" / page_name(student) / exercises[number].name
                todo.append(Job(student, number, path, names, variants[number][0], keep))
        for number, (injected, _) in variants.items():
            if overrides and set(overrides) - set(injected):
                echo(f"    note: exercise {number} has no parameter "
                     f"{', '.join(sorted(set(overrides) - set(injected)))}: graded on its own defaults")
        shown = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        echo(f"grading {len(todo)} notebooks of {len(found)} students ({jobs} at a time, {timeout} s each"
             f"{', ' + shown if shown else ''}; {'sandboxed' if sandbox.isolated else 'NOT sandboxed'}) …")
        stop = threading.Event()
        nproc = user_tasks() + jobs * (limits.processes + 16)
        slots = list(range(jobs))
        slot_lock = threading.Lock()

        def work(job: Job):
            with slot_lock:
                slot = slots.pop()
            try:
                return job, run_submission(job, sandbox, limits, timeout, temp_root, slot, stop, nproc)
            finally:
                with slot_lock:
                    slots.append(slot)

        with _stop_on_signals(stop, sandbox), ThreadPoolExecutor(max_workers=jobs) as pool:
            for job, run in pool.map(work, todo):
                runs[(job.student, job.number)] = run
                echo(f"    {job.student} / {exercises[job.number].stem}: {run['status']} ({run['seconds']:.1f} s)")
    finally:
        sandbox.kill_all()
        _remove(temp_root)
    results: list[TaskResult] = []
    langs: dict[str, str] = {}
    for student, files in found.items():
        for number in files:
            results += _results_for(student, number, exercises[number].stem, runs.get((student, number)), timeout,
                                    variants[number][1], limits)
        langs[student] = lang or next((g for g in map(_notebook_lang, files.values()) if g), "en")
    book = out / "gradebook.csv"
    report = GradeReport(results, runs, book, {}, out / "index.html", 0.0, stopped=stop.is_set(),
                         sandboxed=sandbox.isolated, params=overrides)
    frame = report.frame(lang or "en")
    _write_atomic(book, frame.map(csv_safe).to_csv(index=False), encoding="utf-8-sig")
    for student in found:
        report.feedback[student] = _write_feedback(out, student, [r for r in results if r.student == student],
                                                   langs[student])
    _write_index(out, found, results, lang or "en")
    report.seconds = time.perf_counter() - start
    passed = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    echo(f"{len(found)} students, {len(todo)} notebooks, {passed} of {total} points, {report.seconds:.1f} s; "
         f"gradebook in {book}" + (" (STOPPED before the end: ungraded notebooks say so)" if report.stopped else ""))
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
    path = out / "feedback" / f"{page_name(student)}.html"
    _write_atomic(path, _page(t("ex.grade.title", lang, student=student), "\n".join(parts), lang))
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
        link = f"feedback/{page_name(student)}.html"
        total = f"{sum(r.points for r in mine)}/{sum(r.max_points for r in mine)}"
        rows.append(f"<tr><td><a href='{html.escape(link)}'>{html.escape(student)}</a></td>{''.join(cells)}"
                    f"<td class='num'><strong>{total}</strong></td></tr>")
    body = (f"<h1>{t('ex.grade.index_title', lang)}</h1><table><tr><th>{t('ex.grade.student', lang)}</th>{head}"
            f"<th class='num'>{t('ex.grade.points', lang)}</th></tr>{''.join(rows)}</table>")
    path = out / "index.html"
    _write_atomic(path, _page(t("ex.grade.index_title", lang), body, lang))
    return path


# --------------------------------------------------------------------------- command line
def _cmd_build(args) -> int:
    try:
        written = build_student(args.out, args.only)
    except ValueError as err:
        print(f"cxwb exercises build: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebooks to {Path(args.out)}, and jupyter_config/ "
          f"(start JupyterLab with JUPYTER_CONFIG_PATH={Path(args.out) / 'jupyter_config'}: no nbgrader menus)")
    return 0


def _cmd_grade(args) -> int:
    from cxwb.sandbox import SandboxUnavailable

    try:
        report = grade(args.submissions, out_dir=args.out, timeout=args.timeout, jobs=args.jobs, lang=args.lang,
                       only=args.only, params=parse_params(args.param),
                       unsafe_no_sandbox=args.unsafe_no_sandbox)
    except (FileNotFoundError, ValueError, SandboxUnavailable) as err:
        print(f"cxwb exercises grade: {err}", file=sys.stderr)
        return 1
    if report.stopped:
        return 128 + 15
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
    gr.add_argument("--param", "--variant", action="append", metavar="NAME=VALUE", dest="param",
                    help="grade on a variant: set a parameter of the exercises' parameters cell in every submission, "
                         "and compute the expected answers with it (e.g. seed=2); repeatable")
    gr.add_argument("--unsafe-no-sandbox", action="store_true",
                    help="grade without the bubblewrap sandbox where it is missing: submissions can then read "
                         "the solutions and each other, and use the network (see exercises/README.md)")
    gr.set_defaults(func=_cmd_grade)
    return ex
