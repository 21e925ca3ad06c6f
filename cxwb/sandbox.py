"""One sandbox per graded notebook: bubblewrap, resource limits, and a wall clock that kills it all.

:class:`Sandbox` runs a command (the notebook driver, :func:`drive`) inside
`bubblewrap <https://github.com/containers/bubblewrap>`_ with:

* **only what it needs visible**, read-only: ``/usr`` (and the ``/lib``, ``/bin``
  links), a few files of ``/etc``, the Python installation and the environment,
  the ``cxlib``/``cxwb`` packages and the sample data; the submission's own work
  folder is the one writable place (plus a small ``/tmp``). The exercises folder
  with the trainer's solutions, the submissions folder and the grader's output
  folder are covered by empty tmpfs mounts if they lie under anything mounted;
* ``--unshare-all`` (no network but a private loopback, new PID, IPC, UTS, cgroup
  namespaces), ``--new-session``, ``--die-with-parent``, ``--clearenv`` with a
  minimal environment, the arguments passed through a pipe (``--args``) so no
  path appears on the sandbox's command line;
* **limits** set by the driver before any submitted code runs: address space,
  CPU seconds, processes (``RLIMIT_NPROC``; when the grader runs as root each
  sandbox runs under its own unprivileged uid so the limit is exact), file size,
  open files, no core dumps; and watched from outside every quarter second:
  wall-clock time, the memory (RSS) and number of all processes of the sandbox's
  PID namespace, and the size of its work folder. Past any of them the bubblewrap
  process group is killed with SIGKILL; with ``--die-with-parent`` the namespace's
  init dies with it, and with it every process of the namespace, daemons included.
* **no pipe to hold**: the sandbox's stdout and stderr go to a file outside it,
  bounded by the file-size limit, so a process that keeps them open cannot stall
  the grader.

Where bubblewrap is missing (macOS, Windows, a Linux without it) :class:`Sandbox`
refuses unless ``unsafe=True``; then the command runs as a plain child process with
the wall clock and the watch (no isolation), and :data:`UNPROTECTED` says what is
not protected.

Why hand-written: bubblewrap does the isolation; what is ours is the choice of
mounts, the limits, and the watch of a whole PID namespace, which no library in the
environment offers (``subprocess`` waits for one process, ``resource`` sets limits
for one).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Limits", "Outcome", "Sandbox", "SandboxUnavailable", "UNPROTECTED", "INSIDE_WORK", "drive"]

#: The submission's work folder as seen inside the sandbox.
INSIDE_WORK = "/submission"
#: What is not protected when grading with ``--unsafe-no-sandbox``.
UNPROTECTED = (
    "submitted code can read every file this user can read, including the trainer's solution notebooks "
    "and the other submissions",
    "submitted code can write anywhere this user can write, including other submissions and the gradebook "
    "folder while the grader runs",
    "submitted code can use the network and read the grader's environment variables",
    "a process that detaches from its notebook (a daemon) can outlive the grader",
    "memory, processes and file sizes are limited only where the operating system supports rlimits "
    "(not on Windows)",
)
_ETC = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/alternatives", "/etc/mime.types",
        "/etc/ssl/certs")
_POLL = 0.25  # seconds between two looks at a running sandbox
_UID_BASE = 1_900_000_000  # unprivileged uids for sandboxes when the grader runs as root (no passwd entries)


class SandboxUnavailable(RuntimeError):
    """Bubblewrap is missing or does not work here, and unsafe grading was not asked for."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (sizes in bytes, times in seconds)."""

    wall: float = 300.0
    cpu: int = 300
    memory: int = 3 * 1024**3  # address space per process (RLIMIT_AS); imports alone take ~2 GB of it
    rss: int = 3 * 1024**3  # resident memory of all the sandbox's processes together
    processes: int = 96  # tasks (processes and threads) of the sandbox (RLIMIT_NPROC)
    file_size: int = 64 * 1024**2  # largest file a process may write (RLIMIT_FSIZE)
    work_size: int = 256 * 1024**2  # the work folder (watched)
    tmp_size: int = 128 * 1024**2  # /tmp and /dev/shm (tmpfs size)
    open_files: int = 1024


@dataclass
class Outcome:
    """How a sandboxed command ended: exit code, or which limit stopped it."""

    returncode: int | None
    stopped: str | None  # None | "time" | "memory" | "processes" | "disk" | "signal"
    seconds: float
    log: str  # the last lines of its stdout/stderr

    @property
    def ok(self) -> bool:
        return self.stopped is None and self.returncode == 0


def _which_bwrap() -> str | None:
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def _under(path: Path, parents) -> bool:
    return any(path == p or p in path.parents for p in parents)


def _ns_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _namespace_usage(ns: str) -> tuple[int, int]:
    """(resident bytes, tasks) of every process in PID namespace ``ns`` (Linux ``/proc``)."""
    page = os.sysconf("SC_PAGE_SIZE")
    rss = tasks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry.name}/ns/pid") != ns:
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as handle:
                rss += int(handle.read().split()[1]) * page
            tasks += len(os.listdir(f"/proc/{entry.name}/task"))
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return rss, tasks


def _folder_size(folder: Path, limit: int) -> int:
    total = 0
    stack = [folder]
    while stack and total <= limit:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


def _tail(path: Path, size: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - size))
            return handle.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


class Sandbox:
    """Runs commands in bubblewrap sandboxes (see the module docstring).

    Parameters
    ----------
    unsafe : bool
        Run without isolation where bubblewrap is missing (the trainer's explicit choice).
    hide : paths
        Folders that must never be visible inside (solutions, submissions, outputs).
    """

    def __init__(self, unsafe: bool = False, hide=()):
        self.bwrap = _which_bwrap()
        self.hide = [Path(p).resolve() for p in hide]
        self._live: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self.features = ""
        if self.bwrap:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self.features = subprocess.run([self.bwrap, "--help"], capture_output=True, timeout=30,
                                               text=True).stdout
        problem = self._probe() if self.bwrap else "bubblewrap (bwrap) is not installed"
        if problem and not unsafe:
            raise SandboxUnavailable(
                f"{problem}; grading runs each submission in a bubblewrap sandbox "
                "(Debian/Ubuntu: apt-get install bubblewrap). To grade without it, knowing that the "
                "submissions are then not isolated, pass --unsafe-no-sandbox.")
        self.isolated = problem is None
        self.problem = problem

    # ------------------------------------------------------------------ the bubblewrap command
    def _mounts(self) -> list[str]:
        import cxlib
        import cxwb

        args: list[str] = []
        for top in ("/usr",):
            args += ["--ro-bind", top, top]
        for link in ("/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32"):
            if os.path.islink(link):
                args += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                args += ["--ro-bind", link, link]
        for item in _ETC:
            args += ["--ro-bind-try", item, item]
        roots: list[Path] = [Path("/usr")]
        packages = [Path(cxlib.__file__).resolve().parent, Path(cxwb.__file__).resolve().parent]
        data = packages[0].parent / "datasets"
        prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            with contextlib.suppress(KeyError):
                prefixes.add(Path(sysconfig.get_paths()[key]).resolve())
        for path in sorted(prefixes, key=lambda p: len(p.parts)):
            if not _under(path, roots) and path.exists():
                args += ["--ro-bind", str(path), str(path)]
                roots.append(path)
        for path in [*packages, data]:
            if not _under(path, roots) and path.exists():
                args += ["--ro-bind", str(path), str(path)]
                roots.append(path)
        for secret in self.hide:
            if _under(secret, roots) and secret.exists():
                args += ["--tmpfs", str(secret)]
        parents = sorted({str(p) for root in roots[1:] for p in root.parents if str(p) != "/"},
                         key=lambda p: p.count("/"))
        perms = ["--perms", "0755"] if "--perms" in self.features else []
        made = [a for parent in parents for a in (*perms, "--dir", parent)]  # readable by the sandbox's uid
        return made + args

    def python_path(self) -> str:
        import cxlib
        import cxwb

        tops = {str(Path(m.__file__).resolve().parent.parent) for m in (cxlib, cxwb)}
        return os.pathsep.join(sorted(tops))

    def _argv(self, work: Path, command: list[str], limits: Limits, env: dict[str, str]) -> list[str]:
        root = os.geteuid() == 0
        # as root, no user namespace: the driver switches to its own unprivileged uid (RLIMIT_NPROC is then exact)
        unshare = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                    "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if root else ["--unshare-all"])
        # /tmp first: a checkout or environment that lives under /tmp (a CI clone) is then bound on
        # top of the empty tmpfs instead of being hidden by it
        args = [*unshare, "--die-with-parent", "--new-session", "--hostname", "sandbox",
                *self._tmpfs("/tmp", limits), *self._mounts(),
                "--proc", "/proc", "--dev", "/dev", *self._tmpfs("/dev/shm", limits),
                "--bind", str(work), INSIDE_WORK, "--chdir", INSIDE_WORK, "--clearenv"]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args

    def _tmpfs(self, where: str, limits: Limits) -> list[str]:
        size = ["--size", str(limits.tmp_size)] if "--size" in self.features else []
        perms = ["--perms", "1777"] if "--perms" in self.features else []
        return [*perms, *size, "--tmpfs", where]

    def _probe(self) -> str | None:
        """None when a trivial sandbox runs; otherwise why not."""
        try:
            done = subprocess.run([self.bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                                   *(["--symlink", "usr/bin", "/bin"] if os.path.islink("/bin") else
                                     ["--ro-bind", "/bin", "/bin"]),
                                   *(["--symlink", "usr/lib", "/lib"] if os.path.islink("/lib") else
                                     ["--ro-bind", "/lib", "/lib"]),
                                   *(["--symlink", "usr/lib64", "/lib64"] if os.path.islink("/lib64") else
                                     ["--ro-bind-try", "/lib64", "/lib64"]),
                                   "--proc", "/proc", "--dev", "/dev", "true"],
                                  capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap does not start ({err})"
        if done.returncode != 0:
            return f"bubblewrap does not work here: {done.stderr.decode('utf-8', 'replace').strip()[:200]}"
        return None

    # ------------------------------------------------------------------ running
    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The whole environment of a sandboxed command (nothing inherited from the grader)."""
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": INSIDE_WORK if self.isolated else "",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": self.python_path(),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "TMPDIR": "/tmp" if self.isolated else "",
            "MPLBACKEND": "agg",
            "MPLCONFIGDIR": f"{INSIDE_WORK}/.matplotlib" if self.isolated else "",
            "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime" if self.isolated else "",
            "JUPYTER_PLATFORM_DIRS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "NUMEXPR_MAX_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        if os.name == "nt":  # Python does not start on Windows without these
            env.update({k: os.environ.get(k, "") for k in ("SYSTEMROOT", "WINDIR")})
        env.update(extra or {})
        return {k: v for k, v in env.items() if v}

    def uid_for(self, slot: int) -> int | None:
        """The uid a sandbox in ``slot`` runs as when the grader is root (None otherwise)."""
        if not self.isolated or os.geteuid() != 0:
            return None
        return _UID_BASE + (os.getpid() % 100_000) * 100 + slot % 100

    def run(self, command: list[str], work: Path, log: Path, limits: Limits, env: dict[str, str] | None = None,
            stop: threading.Event | None = None) -> Outcome:
        """Run ``command`` in a sandbox over ``work`` until it ends or a limit stops it; never raises for it."""
        env = self.env(env)
        start = time.monotonic()
        with open(log, "wb") as out:
            if self.isolated:
                argv_fd_r, argv_fd_w = os.pipe()
                info_r, info_w = os.pipe()
                payload = b"\0".join(a.encode() for a in self._argv(work, command, limits, env)) + b"\0"
                with os.fdopen(argv_fd_w, "wb") as handle:  # a few kB: fits in the pipe before bwrap reads it
                    handle.write(payload)
                try:
                    proc = subprocess.Popen([self.bwrap, "--info-fd", str(info_w), "--args", str(argv_fd_r), "--",
                                             *command],
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                            pass_fds=(argv_fd_r, info_w), start_new_session=True,
                                            env={"PATH": "/usr/bin:/bin"})  # /proc/1/environ inside: nothing
                finally:
                    os.close(argv_fd_r)
                    os.close(info_w)
            else:
                info_r = None
                kwargs = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
                          else {"start_new_session": True})
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, cwd=str(work),
                                        env={**env, "HOME": str(work), "MPLCONFIGDIR": str(work / ".matplotlib")},
                                        **kwargs)
        with self._lock:
            self._live[proc.pid] = proc
        try:
            stopped = self._watch(proc, info_r, work, limits, start, stop)
        finally:
            with self._lock:
                self._live.pop(proc.pid, None)
            if info_r is not None:
                os.close(info_r)
        return Outcome(proc.returncode if stopped is None else None, stopped, time.monotonic() - start, _tail(log))

    def _watch(self, proc, info_r, work: Path, limits: Limits, start: float, stop) -> str | None:
        ns = None
        info = b""
        if info_r is not None:
            os.set_blocking(info_r, False)
        while True:
            try:
                proc.wait(timeout=_POLL)
                return "signal" if stop is not None and stop.is_set() else None
            except subprocess.TimeoutExpired:
                pass
            reason = None
            if stop is not None and stop.is_set():
                reason = "signal"
            elif time.monotonic() - start > limits.wall:
                reason = "time"
            elif _folder_size(work, limits.work_size) > limits.work_size:
                reason = "disk"
            else:
                if ns is None and info_r is not None:
                    with contextlib.suppress(BlockingIOError, OSError):
                        info += os.read(info_r, 4096)
                    with contextlib.suppress(ValueError):
                        ns = _ns_of(int(json.loads(info.decode())["child-pid"]))
                if ns is not None:
                    rss, tasks = _namespace_usage(ns)
                    if rss > limits.rss:
                        reason = "memory"
                    elif tasks > limits.processes + 8:
                        reason = "processes"
            if reason is not None:
                self._kill(proc)
                return reason

    def _kill(self, proc: subprocess.Popen) -> None:
        if hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)

    def kill_all(self) -> None:
        """Kill every sandbox still running (from a signal handler: no lock taken)."""
        while True:
            try:
                live = list(self._live.values())
                break
            except RuntimeError:  # a worker thread changed the table while we copied it
                continue
        for proc in live:
            self._kill(proc)


# --------------------------------------------------------------------------- inside the sandbox
def _drop_privileges(uid: int | None) -> None:
    if uid is None or os.geteuid() != 0:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)  # from root to another uid: every capability is dropped
    if os.getuid() == 0 or os.geteuid() == 0:
        raise RuntimeError("could not leave uid 0")


def _set_limits(limits: Limits, nproc: int) -> None:
    import resource

    def cap(kind, value):
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_AS, limits.memory)
    cap(resource.RLIMIT_CPU, limits.cpu)
    cap(resource.RLIMIT_FSIZE, limits.file_size)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NPROC, nproc)


def user_tasks() -> int:
    """Tasks (processes and threads) the current uid has now: what ``RLIMIT_NPROC`` counts (0 without ``/proc``)."""
    if not hasattr(os, "getuid"):
        return 0
    uid = os.getuid()
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


def drive(spec: dict) -> int:
    """Inside the sandbox: leave root, set the limits, run the notebook, write ``executed.ipynb`` and ``run.json``.

    ``spec``: ``notebook`` (file name in the work folder), ``timeout`` (seconds for the
    notebook's cells together), ``final_seconds`` (for the cells after the limit),
    ``output_bytes`` (outputs kept), ``limits`` (:class:`Limits` fields), ``uid`` (to switch to
    when started as root), ``nproc`` (the ``RLIMIT_NPROC`` to set), ``final_tag`` (the tag of the last cell).
    """
    _drop_privileges(spec.get("uid"))
    if os.name == "posix":
        _set_limits(Limits(**spec["limits"]), int(spec["nproc"]))
    work = Path.cwd()
    report: dict = {"status": "ok", "error": None}
    try:
        _execute(work / spec["notebook"], work / "executed.ipynb", int(spec["timeout"]), int(spec["final_seconds"]),
                 int(spec["output_bytes"]), spec.get("final_tag", ""))
    except Exception as err:  # noqa: BLE001 - whatever stops the run is reported, the grader decides
        report = {"status": "crashed", "error": f"{type(err).__name__}: {err}"[:300]}
    (work / "run.json").write_text(json.dumps(report), encoding="utf-8")
    return 0


def _cap_outputs(nb, budget: int) -> None:
    """Keep the notebook's outputs up to ``budget`` bytes; the rest is replaced by a note."""
    from nbformat.v4 import new_output

    used = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            size = len(json.dumps(output))
            if used + size > budget:
                if output.get("output_type") == "error":  # keep the error name: it explains a task
                    output = {**output, "traceback": [], "evalue": str(output.get("evalue", ""))[:300]}
                    kept.append(output)
                    continue
                kept.append(new_output("stream", name="stderr", text=f"[output cut: over {budget} bytes]\n"))
                break
            used += size
            kept.append(output)
        cell.outputs = kept


def _execute(source: Path, target: Path, timeout: int, final_seconds: int, output_bytes: int, final_tag: str) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_output

    nb = nbformat.read(str(source), as_version=4)
    deadline: list[float] = []
    budget = {"used": 0, "cut": False}

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            if budget["used"] + size > output_bytes and msg.get("msg_type") != "error":
                if not budget["cut"]:
                    outs.append(new_output("stream", name="stderr", text=f"[output cut: over {output_bytes} bytes]\n"))
                budget["cut"] = True
                return None
            budget["used"] += size
            return super().output(outs, msg, display_id, cell_index)

    def cell_timeout(cell) -> int:
        if final_tag and final_tag in cell.get("metadata", {}).get("tags", []):
            return final_seconds
        now = time.monotonic()
        if not deadline:
            deadline.append(now + timeout)
        return max(1, int(deadline[0] - now))

    client = Client(nb, timeout=timeout, timeout_func=cell_timeout, interrupt_on_timeout=True, allow_errors=True,
                    kernel_name="python3", startup_timeout=60, record_timing=False, shutdown_kernel="immediate",
                    resources={"metadata": {"path": str(source.parent)}})
    from cxwb.runner import _poll_in_slices

    try:
        with _poll_in_slices():
            client.execute()
    finally:
        _cap_outputs(nb, output_bytes)
        nbformat.write(nb, str(target))


def spec_json(notebook: str, timeout: int, final_seconds: int, output_bytes: int, limits: Limits,
              uid: int | None, nproc: int, final_tag: str) -> str:
    """The argument of ``python -m cxwb.sandbox --drive`` (see :func:`drive`)."""
    return json.dumps({"notebook": notebook, "timeout": timeout, "final_seconds": final_seconds,
                       "output_bytes": output_bytes, "limits": asdict(limits), "uid": uid, "nproc": nproc,
                       "final_tag": final_tag})


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--drive":
    sys.exit(drive(json.loads(sys.argv[2])))
