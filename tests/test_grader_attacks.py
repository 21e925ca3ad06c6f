"""The grader against an adversarial class: every attack on the grader is played and must be contained.

One grading run (module-scoped) over exercise 02 with one student per attack, in the
bubblewrap sandbox; the tests read its gradebook, pages and executed notebooks. Each
attack prints a marker when it has run, so a test cannot pass because the attack did
not happen. Network use is to 127.0.0.1 only (a listener of this test process).
Tests that need bubblewrap skip, with the reason, where it is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from cxwb import answers, exercises, grading, sandbox

FILES = grading.exercise_files()
NAME = FILES["02"].name
TIMEOUT = 45  # seconds per notebook (the snoop walks the whole visible file tree)
LIMITS = sandbox.Limits(wall=TIMEOUT + 35, cpu=TIMEOUT + 35)
SECRET = "cxwb-test-secret-" + hashlib.sha256(os.urandom(8)).hexdigest()[:12]
FORMULA = '=HYPERLINK("example.invalid")'
RIGHT_021 = ('answers = survey["nps"].dropna()\n'
             'nps_points = 100 * ((answers >= 9).sum() - (answers <= 6).sum()) / len(answers)')


def _bwrap_problem() -> str | None:
    try:
        sandbox.Sandbox()
    except sandbox.SandboxUnavailable as err:
        return str(err)
    return None


PROBLEM = _bwrap_problem()
needs_bwrap = pytest.mark.skipif(PROBLEM is not None, reason=f"needs a working bubblewrap: {PROBLEM}")


def _blank():
    return grading.student_version(nbformat.read(str(FILES["02"]), as_version=4))


def _answer(nb, task_id: str, code: str) -> None:
    cells = [c for c in nb.cells if c.metadata.get("cxwb", {}) == {"task": task_id, "role": "answer"}]
    cells[0].source = code


def _attacks(subs: Path, out: Path, port: int) -> dict:
    """{student: notebook} — one attack per student, plus the honest cases."""
    nbs = {"ann": nbformat.read(str(FILES["02"]), as_version=4)}  # the solutions: full marks
    nbs[FORMULA] = _blank()  # blank, with a formula for a name
    nbs["li_lei"] = _blank()
    nbs["li lei"] = _blank()
    _answer(nbs["li lei"], "02.1", RIGHT_021)

    crasher = nbs["crasher"] = _blank()
    _answer(crasher, "02.1", RIGHT_021)
    _answer(crasher, "02.2", "import os\nos._exit(1)")

    stuck = nbs["stuck"] = _blank()  # an endless loop that ignores the interrupt: only the wall clock stops it
    _answer(stuck, "02.1", RIGHT_021)
    _answer(stuck, "02.2", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                           "print('STUCK-STARTED')\nwhile True:\n    pass")

    patcher = nbs["patcher"] = _blank()  # self-awarded marks by patching the live modules
    _answer(patcher, "02.1", RIGHT_021)
    _answer(patcher, "02.2", """import dataclasses
import cxwb.exercises as ex
ex.grade_namespace = lambda exercise, namespace, params=None: [
    {"task": t.id, "passed": True, "points": 1000, "max_points": 1, "key": "ex.msg.right", "fmt": {}, "see": None}
    for t in ex.tasks_of(exercise)]
ex.evaluate = lambda *a, **k: ex.Verdict("02.2", True, "ex.msg.right")
for key, task in list(ex.TASKS.items()):
    ex.TASKS[key] = dataclasses.replace(task, points=1000)
print("PATCHED")""")

    forger = nbs["forger"] = _blank()  # an answers file with verdicts and points in it
    _answer(forger, "02.2", """import json
import cxwb.answers as an
def export(namespace, names, path):
    with open(path, "w") as handle:
        json.dump({"format": an.FORMAT, "answers": {}, "passed": True, "points": 1000}, handle)
an.export = export
print("FORGED")""")

    lots = nbs["lots"] = _blank()  # points='lots' inside one answer; another answer is right
    _answer(lots, "02.2", """r = metrics.nps(survey["nps"])
nps_margin = (r.ci_high - r.ci_low) / 2
import json
import cxwb.answers as an
def export(namespace, names, path):
    data = {name: an.encode(namespace[name]) if name in namespace else {"kind": "undefined"} for name in names}
    data["nps_points"] = {"kind": "number", "value": 1, "points": "lots"}
    with open(path, "w") as handle:
        json.dump({"format": an.FORMAT, "answers": data}, handle)
an.export = export""")

    reporter = nbs["reporter"] = _blank()  # writes a report with full marks, then kills its parent
    _answer(reporter, "02.2", """import json, os, signal, time
rows = [{"task": f"02.{i}", "passed": True, "points": 1000} for i in range(1, 7)]
for name in ("answers.json", "run.json", "_cxwb_results.json", "_cxwb_run.json"):
    with open(name, "w") as handle:
        json.dump(rows if name != "run.json" else {"status": "ok", "results": rows}, handle)
print("REPORT-WRITTEN", flush=True)
os.kill(os.getppid(), signal.SIGKILL)
time.sleep(30)""")

    snoop = nbs["snoop"] = _blank()  # the key, other submissions, the grader's environment, the network
    _answer(snoop, "02.1", RIGHT_021)
    _answer(snoop, "02.2", f"""import os, pathlib, socket
import cxlib, cxwb
marker = "BEGIN " + "SOLUTION"
found, scanned = [], 0
for base in {{pathlib.Path(cxlib.__file__).resolve().parents[1], pathlib.Path(cxwb.__file__).resolve().parents[1]}}:
    for folder in (base / "exercises", base / "notebooks"):
        if folder.exists() and any(folder.iterdir()):
            found.append(str(folder))
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
    for name in files:
        if name.endswith(".ipynb") and not root.startswith("/submission"):
            scanned += 1
            try:
                text = open(os.path.join(root, name), encoding="utf-8", errors="replace").read()
                if marker in text and "nps_points" in text:
                    found.append(os.path.join(root, name))
            except OSError:
                pass
for path in ({str(subs)!r}, {str(out)!r}, {str(subs / "ann")!r}):
    try:
        found += ["LISTED " + n for n in os.listdir(path)]
    except OSError as err:
        print("NOLIST", type(err).__name__)
try:
    with open({str(subs / "ann" / NAME)!r}, "w") as handle:
        handle.write("{{}}")
    found.append("REWROTE")
except OSError as err:
    print("NOWRITE", type(err).__name__)
for pid in filter(str.isdigit, os.listdir("/proc")):
    for kind in ("cmdline", "environ"):
        try:
            text = open(f"/proc/{{pid}}/{{kind}}", "rb").read().decode("utf-8", "replace")
        except OSError:
            continue
        if {str(subs)!r} in text or {SECRET!r} in text:
            found.append("PROC-LEAK " + kind)
print(dict(os.environ))
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3)
    print("NET-CONNECTED")
except OSError as err:
    print("NO-NET", type(err).__name__)
print("FOUND", found)
print("SNOOP-DONE", scanned)""")

    daemon = nbs["daemon"] = _blank()  # a double-forked daemon and a grandchild holding stdout/stderr
    _answer(daemon, "02.1", RIGHT_021)
    _answer(daemon, "02.2", f"""import os, subprocess, time
subprocess.Popen(["sleep", "600"], start_new_session=True)  # inherits and holds stdout and stderr
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(4)
        try:
            with open({str(out / "gradebook.csv")!r}, "w") as handle:
                handle.write("hacked")
        except OSError:
            pass
        os.execv("/bin/sleep", ["sleep", "1234.5"])
    os._exit(0)
print("DAEMON-STARTED")""")

    hog = nbs["hog"] = _blank()  # 3 GB of memory, 100 MB of output
    _answer(hog, "02.1", RIGHT_021)
    _answer(hog, "02.2", "big = bytearray(3 * 1024**3)\nnps_margin = 1.0")
    _answer(hog, "02.3", 'chunk = "x" * (1024 * 1024)\nfor _ in range(100):\n    print(chunk)\nprint("PRINTED")')

    procs = nbs["procs"] = _blank()  # hundreds of processes
    _answer(procs, "02.1", RIGHT_021)
    _answer(procs, "02.2", """import subprocess
children = []
try:
    for _ in range(400):
        children.append(subprocess.Popen(["sleep", "60"]))
    print("SPAWNED", len(children))
except OSError as err:
    print("SPAWN-STOPPED", len(children), type(err).__name__)""")

    disk = nbs["disk"] = _blank()  # fills the disk through its work folder
    _answer(disk, "02.1", RIGHT_021)
    _answer(disk, "02.2", """import time
block = b"x" * (1024 * 1024)
for i in range(6):
    with open(f"fill{i}.bin", "wb") as handle:
        for _ in range(60):
            handle.write(block)
print("FILLED")
time.sleep(30)""")
    return nbs


class _Listener:
    """A TCP listener on 127.0.0.1 that counts connections (the sandbox must not reach it)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.done.set()
        self.thread.join(timeout=5)
        self.sock.close()


def _processes_with(text: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmd:
            found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    listener = _Listener()
    for student, nb in _attacks(subs, out, listener.port).items():
        (subs / student).mkdir()
        nbformat.write(nb, str(subs / student / NAME))
    ann_before = (subs / "ann" / NAME).read_bytes()
    os.environ["CXWB_TEST_SECRET"] = SECRET
    lines: list[str] = []
    try:
        report = grading.grade(subs, out, timeout=TIMEOUT, jobs=2, only=["02"], echo=lines.append, limits=LIMITS)
    finally:
        os.environ.pop("CXWB_TEST_SECRET", None)
        listener.close()
    book_after_grading = (out / "gradebook.csv").read_bytes()
    time.sleep(6)  # the daemon would strike 4 s after its notebook ended
    return {"report": report, "out": out, "subs": subs, "lines": lines, "listener": listener,
            "ann_before": ann_before, "book": book_after_grading}


def _rows(report, student):
    frame = report.frame()
    return frame[frame["student"] == student].set_index("task")


def _output(out: Path, student: str) -> str:
    path = out / "executed" / grading.page_name(student) / NAME
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(json.dumps(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


# --------------------------------------------------------------------------- honest cases
@needs_bwrap
def test_correct_blank_crashing_and_stuck_notebooks(attacked):
    report = attacked["report"]
    ann = _rows(report, "ann")
    assert ann["passed"].all() and (ann["points"] == ann["max_points"]).all()
    blank = _rows(report, "li_lei")
    assert blank["points"].sum() == 0 and blank["reason"].str.startswith("no answer yet").all()
    crasher = _rows(report, "crasher")
    assert crasher["points"].sum() == 0 and crasher["reason"].str.startswith("the notebook could not be run").all()
    stuck = _rows(report, "stuck")
    assert stuck["points"].sum() == 0
    assert stuck["reason"].str.startswith(f"the notebook ran past the time limit ({TIMEOUT} s)").all()
    assert report.runs[("stuck", "02")]["seconds"] < LIMITS.wall + 10  # the wall clock, not the loop, decided
    assert len(report.frame()) == 15 * len(exercises.tasks_of("02"))  # a row for every task of every student


# --------------------------------------------------------------------------- marks
@needs_bwrap
def test_patching_the_live_modules_awards_nothing(attacked):
    rows = _rows(attacked["report"], "patcher")
    assert rows["points"].tolist() == [1, 0, 0, 0, 0, 0]  # its one right answer, with the registry's point
    assert rows.loc["02.2", "reason"].startswith("no variable `nps_margin`")
    assert "PATCHED" in _output(attacked["out"], "patcher")


@needs_bwrap
def test_a_forged_answers_file_with_verdicts_and_points_is_refused(attacked):
    rows = _rows(attacked["report"], "forger")
    assert rows["points"].sum() == 0
    assert rows["reason"].str.contains("unknown key").all()
    assert attacked["report"].runs[("forger", "02")]["status"] == "bad_answers"


@needs_bwrap
def test_points_lots_costs_only_that_answer(attacked):
    rows = _rows(attacked["report"], "lots")
    assert not rows.loc["02.1", "passed"] and "unknown key 'points'" in rows.loc["02.1", "reason"]
    assert rows.loc["02.2", "passed"] and rows.loc["02.2", "points"] == 1
    assert rows["points"].sum() == 1


@needs_bwrap
def test_writing_the_report_and_killing_the_parent_awards_nothing(attacked):
    rows = _rows(attacked["report"], "reporter")
    assert rows["points"].sum() == 0 and not rows["passed"].any()
    total = attacked["report"].frame()
    assert total["points"].le(total["max_points"]).all()
    assert attacked["lines"][-1].startswith("15 students, 15 notebooks, ")


# --------------------------------------------------------------------------- isolation
@needs_bwrap
def test_no_key_no_other_submission_no_environment_no_network(attacked):
    text = _output(attacked["out"], "snoop")
    assert "SNOOP-DONE" in text
    assert "FOUND []" in text, text[text.find("FOUND"):][:500]
    assert "NOLIST" in text and "NOWRITE" in text
    assert SECRET not in text
    assert "NO-NET" in text and "NET-CONNECTED" not in text
    assert attacked["listener"].connections == 0
    assert (attacked["subs"] / "ann" / NAME).read_bytes() == attacked["ann_before"]
    assert _rows(attacked["report"], "snoop").loc["02.1", "passed"]


@needs_bwrap
def test_a_daemon_dies_with_its_sandbox_and_a_held_pipe_stalls_nothing(attacked):
    assert "DAEMON-STARTED" in _output(attacked["out"], "daemon")
    assert (attacked["out"] / "gradebook.csv").read_bytes() == attacked["book"]
    assert b"hacked" not in attacked["book"]
    assert _processes_with("1234.5") == []
    run = attacked["report"].runs[("daemon", "02")]
    assert run["status"] == "ok" and run["seconds"] < TIMEOUT + 10
    assert _rows(attacked["report"], "daemon").loc["02.1", "passed"]


@needs_bwrap
def test_memory_and_output_are_bounded(attacked):
    rows = _rows(attacked["report"], "hog")
    assert rows.loc["02.1", "passed"]
    assert rows.loc["02.2", "reason"].startswith("the answer cell raised MemoryError")
    executed = attacked["out"] / "executed" / grading.page_name("hog") / NAME
    assert executed.stat().st_size < 4 * grading.OUTPUT_BYTES
    assert "PRINTED" not in _output(attacked["out"], "hog")  # cut after the budget


@needs_bwrap
def test_processes_and_disk_are_bounded(attacked):
    report = attacked["report"]
    if report.runs[("procs", "02")]["status"] != "limit":  # stopped by RLIMIT_NPROC, or else by the watch
        text = _output(attacked["out"], "procs")
        assert "SPAWN-STOPPED" in text and "SPAWNED" not in text, text[-500:]
    assert _processes_with("sleep 60") == []
    disk = _rows(report, "disk")
    assert report.runs[("disk", "02")]["limit"] == "disk"
    assert disk["points"].sum() == 0 and disk["reason"].str.contains("MB of files").all()


# --------------------------------------------------------------------------- outputs
@needs_bwrap
def test_formula_names_are_neutralised_and_pages_are_unique(attacked):
    out = attacked["out"]
    book = (out / "gradebook.csv").read_text(encoding="utf-8-sig")
    lines = [line for line in book.splitlines() if "HYPERLINK" in line]
    assert len(lines) == len(exercises.tasks_of("02"))
    assert all(line.startswith("\"'=HYPERLINK") or line.startswith("'=HYPERLINK") for line in lines)
    assert not any(line.startswith("=") for line in book.splitlines())
    pages = attacked["report"].feedback
    assert pages["li lei"] != pages["li_lei"]
    assert "1 of 7 points" in pages["li lei"].read_text(encoding="utf-8")
    assert "0 of 7 points" in pages["li_lei"].read_text(encoding="utf-8")
    assert len(set(pages.values())) == len(pages) == 15
    assert not list(out.rglob("*.tmp"))


# --------------------------------------------------------------------------- unit checks (no sandbox needed)
def test_csv_cells_are_neutralised_the_owasp_way():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert grading.csv_safe(text) == "'" + text
    assert grading.csv_safe("li lei") == "li lei" and grading.csv_safe(-1) == -1


def test_page_names_are_unique_per_folder_name():
    names = ["li lei", "li_lei", "Li lei", "李雷", "../x", FORMULA]
    pages = [grading.page_name(n) for n in names]
    assert len(set(pages)) == len(names)
    assert all("/" not in p and not p.startswith(".") for p in pages)


def test_answers_round_trip_gives_the_same_verdicts():
    from cxlib import datasets, metrics

    result = metrics.nps(datasets.load("hotel", "survey")["nps"])
    right = exercises.TASKS["02.1"].expected()
    values = {"02.1": [right, str(right), pd.Series([right]), pd.DataFrame({"a": [right]}), result, float("nan"),
                       pd.Series([1.0, 2.0]), True, None, ..., {"x": 1}],
              "01.5": ["payment", ["payment", "order"], ("payment", "order"), [1, 2], [["a"]]],
              "01.1": [{"room", "wifi"}, frozenset({"checkin"})]}
    for task_id, items in values.items():
        for value in items:
            live = exercises.evaluate(task_id, value)
            back = answers.decode(json.loads(json.dumps(answers.encode(value))))
            assert exercises.evaluate(task_id, back) == live, (task_id, value)


def test_the_answers_file_is_read_strictly(tmp_path):
    path = tmp_path / "answers.json"

    def write(data):
        path.write_text(json.dumps(data), encoding="utf-8")

    write({"format": answers.FORMAT, "answers": {"a": {"kind": "number", "value": 2}}})
    assert answers.read_answers(path, ["a", "b"])["a"] == 2
    for bad, why in (({"format": answers.FORMAT, "answers": {}, "points": 1}, "unknown key 'points'"),
                     ({"format": answers.FORMAT, "answers": {"zzz": {"kind": "none"}}}, "unknown key 'zzz'"),
                     ([{"task": "02.1", "passed": True}], "should be an object"),
                     ({"format": "other", "answers": {}}, "format")):
        write(bad)
        with pytest.raises(answers.AnswersError, match=why):
            answers.read_answers(path, ["a"])
    write({"format": answers.FORMAT, "answers": {"a": {"kind": "number", "value": "lots"}}})
    assert isinstance(answers.read_answers(path, ["a"])["a"], answers.AnswersError)
    path.write_bytes(b" " * (answers.MAX_BYTES + 1))
    with pytest.raises(answers.AnswersError, match="more than"):
        answers.read_answers(path, ["a"])
    path.unlink()
    path.symlink_to("/etc/hostname")
    with pytest.raises(answers.AnswersError, match="link"):
        answers.read_answers(path, ["a"])
    path.unlink()
    os.mkfifo(path)  # a FIFO would block a plain open() for ever
    with pytest.raises(answers.AnswersError, match="regular file"):
        answers.read_answers(path, ["a"])


def test_without_bubblewrap_the_grader_refuses_unless_told(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "_which_bwrap", lambda: None)
    (tmp_path / "subs").mkdir()
    with pytest.raises(sandbox.SandboxUnavailable, match="--unsafe-no-sandbox"):
        grading.grade(tmp_path / "subs", tmp_path / "out", only=["02"], echo=lambda s: None)
    lines: list[str] = []
    report = grading.grade(tmp_path / "subs", tmp_path / "out", only=["02"], echo=lines.append,
                           unsafe_no_sandbox=True)
    assert not report.sandboxed
    assert any("NOT PROTECTED" in line for line in lines)
    assert any("solution notebooks" in line for line in lines)
    from cxwb.cli import main

    assert main(["exercises", "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "o2"), "--only", "02"]) == 1
    assert "--unsafe-no-sandbox" in capsys.readouterr().err


# --------------------------------------------------------------------------- SIGTERM
@needs_bwrap
def test_sigterm_stops_cleanly_with_a_gradebook_and_no_orphans(tmp_path):
    subs = tmp_path / "subs"
    for student in ("a1", "a2", "a3"):
        nb = _blank()
        _answer(nb, "02.2", "import subprocess, time\nsubprocess.Popen(['sleep', '4321.5'])\ntime.sleep(600)")
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, str(subs / student / NAME))
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(Path(grading.ROOT))}
    proc = subprocess.Popen([sys.executable, "-m", "cxwb.cli", "exercises", "grade", str(subs), "--out",
                             str(tmp_path / "out"), "--only", "02", "--jobs", "2", "--timeout", "300"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while not _processes_with("4321.5") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_with("4321.5"), "the notebooks did not start"
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 128 + 15, output.decode()
    book = pd.read_csv(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig")
    assert sorted(book["student"].unique()) == ["a1", "a2", "a3"]
    assert book["reason"].str.startswith("not graded: the grading run was stopped").all()
    time.sleep(1)
    assert _processes_with("4321.5") == []
    assert list(temp.iterdir()) == []
