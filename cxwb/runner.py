"""Execute the lesson notebooks with papermill and write HTML reports.

``cxwb run`` (and ``make run``) call :func:`run_notebooks`. Each notebook runs
in its own kernel with the parameters given (dataset, language, data folder);
a failure is reported with the notebook, the cell and the error, and the
other notebooks still run. Reports keep only the narrative cells of the
chosen language (cells tagged ``lang-en`` / ``lang-zh``) and of the world the notebook ran
on (cells tagged ``world-hotel`` / ``world-ecommerce``; untagged cells are shared), as
:func:`cxwb.apps.dropped_tags` says.

Outputs are written whole or not at all (:mod:`cxlib.atomic`): an executed notebook
is written beside its final name and renamed when the run ends, each HTML report
and ``index.html`` likewise. Each run leaves a small record,
``_runs/<notebook>.<dataset>.<lang>.json`` (status ``running`` when it starts, then
``ok``, ``failed`` or ``interrupted``), and ``index.html`` is rebuilt from every record
in the folder: two runs into one folder keep each other's entries, a run stopped by
SIGTERM or Ctrl-C says "interrupted", and one killed outright still shows "running
(not finished)". A full disk leaves the previous reports as they were and ends with
an error naming the file that could not be written.
"""

from __future__ import annotations

import html
import json
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cxlib import atomic
from cxwb.apps import dropped_tags, notebook_dataset, workbook_path

__all__ = [
    "NotebookRun", "discover", "resolve_parameters", "execute", "to_html", "report_title", "drop_widget_state", "add_toc",
    "embed_cjk_font", "build_report", "run_notebooks", "write_index", "Interrupted",
]

#: The lessons: the installed package's copy, or ``notebooks/`` of a source checkout (:func:`cxwb.apps.workbook_path`).
NOTEBOOKS = workbook_path("notebooks")


@dataclass
class NotebookRun:
    """What happened to one notebook: status, seconds, the report and, on failure, where and why."""

    notebook: Path
    dataset: str
    lang: str
    ok: bool
    seconds: float
    report: Path | None = None
    executed: Path | None = None
    cell: int | None = None
    error: str | None = None
    status: str = ""  # ok, failed, interrupted (set when the run ends)

    def describe(self) -> str:
        """One line for the terminal."""
        tag = f"{self.notebook.stem} [{self.dataset}/{self.lang}]"
        if self.ok:
            return f"ok      {tag} ({self.seconds:.1f} s)"
        where = (
            f"cell {self.cell + 1} of {self.executed}" if self.cell is not None else "no cell ran"
        )
        return f"FAILED  {tag} ({self.seconds:.1f} s): {where}: {self.error}"


def discover(folder: Path = NOTEBOOKS, only: Iterable[str] | None = None) -> list[Path]:
    """Lesson notebooks (``NN_*.ipynb``) in teaching order, optionally only those whose number or name starts with one of ``only``."""
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = [w.strip() for item in only for w in str(item).split(",") if w.strip()]
        found = [p for p in found if any(p.stem.startswith(w) or p.stem == w for w in wanted)]
        if not found:
            raise ValueError(f"no notebook in {folder} matches {', '.join(wanted)}")
    return found


def resolve_parameters(notebook: Path, overrides: dict) -> dict:
    """The values the notebook will run with: its ``parameters`` cell defaults, then ``overrides``."""
    import ast

    import papermill

    defaults = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:
            defaults[name] = ast.literal_eval(info["default"])  # literals only: nothing is executed
        except (ValueError, SyntaxError):  # a non-literal default is left to the notebook
            defaults[name] = None
    return {**defaults, **{k: v for k, v in overrides.items() if v is not None}}


_POLL_SLICE = 0.5  # seconds


@contextmanager
def _poll_in_slices():
    """Make the kernel client poll its sockets in short slices while a notebook runs.

    Why: a cell that creates widgets (``ipywidgets.interact``) sometimes leaves
    nbclient waiting on one long ``socket.poll`` that misses the already-arrived
    execute reply, so the cell "hangs" until the cell timeout and the run takes
    minutes instead of seconds (jupyter/nbclient#312; the fix in #311 is not
    released). Polling in 0.5 s slices re-checks the socket, so a missed wake-up
    costs half a second. Only the client side changes; messages are the same.
    """
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            step = _POLL_SLICE if left is None else min(_POLL_SLICE, left)
            try:
                return await original(self, timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    AsyncZMQSocketChannel.get_msg = get_msg
    try:
        yield
    finally:
        AsyncZMQSocketChannel.get_msg = original


def _quiet_kernel_manager(log: Path) -> type:
    """A kernel manager whose kernel writes its own stdout and stderr to ``log``, not to the terminal.

    Why: the kernel inherits the terminal of ``cxwb run``; when the run is stopped
    (SIGTERM, Ctrl-C) the kernel can log a traceback of the message it was
    handling ("Exception in message handler") straight to that terminal, and the
    CLI must never show a raw traceback. Cell output still travels by the kernel's
    messages into the notebook; only the kernel process's own streams go to
    ``log`` (kept beside the executed notebook for whoever debugs a kernel crash).
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with open(log, "ab") as stream:  # the child keeps its own copy of the descriptor
                kw.setdefault("stdout", stream)
                kw.setdefault("stderr", stream)
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def execute(notebook: Path, out_dir: Path, parameters: dict, timeout: int = 600) -> NotebookRun:
    """Run one notebook with papermill; never raises for a failing cell, reports it instead."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    params = resolve_parameters(notebook, parameters)
    dataset, lang = str(params.get("dataset")), str(params.get("lang"))
    executed = out_dir / "_executed" / f"{notebook.stem}.{dataset}.{lang}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    partial = executed.with_name(f".{executed.stem}.part.ipynb")  # papermill saves after every cell: not the final name
    kernel_log = executed.with_name(f"{executed.stem}.kernel.log").absolute()  # papermill runs in the notebook's folder
    kernel_log.unlink(missing_ok=True)
    injected = {k: v for k, v in parameters.items() if v is not None}
    start = time.perf_counter()
    run = NotebookRun(notebook=notebook, dataset=dataset, lang=lang, ok=True, seconds=0.0, executed=executed)
    try:
        with _poll_in_slices():
            papermill.execute_notebook(
                str(notebook),
                str(partial),
                parameters=injected,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(notebook.parent),
                execution_timeout=timeout,
                # the kernel's start-up notice about unencrypted local TCP is noise in class
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                kernel_manager_class=_quiet_kernel_manager(kernel_log),
            )
    except PapermillExecutionError as err:
        run.ok = False
        run.cell = err.cell_index
        run.error = f"{err.ename}: {err.evalue}".strip()
    except Exception as err:  # noqa: BLE001 - kernel died, timeout, bad notebook: report and go on
        run.ok = False
        run.error = f"{type(err).__name__}: {err}".strip()
    except BaseException:  # interrupted: the previous executed notebook stays, the partial one goes
        partial.unlink(missing_ok=True)
        raise
    run.seconds = time.perf_counter() - start
    if partial.exists():
        with atomic.replacing(executed) as tmp:
            partial.replace(tmp)
    else:
        run.executed = None
    run.status = "ok" if run.ok else "failed"
    return run


def to_html(executed: Path, out: Path, lang: str, hide_code: bool = False, embed_font: bool = True,
            toc: bool = False) -> Path:
    """Export an executed notebook to one self-contained HTML file (images embedded).

    Narrative cells of the other language, and of the world the notebook did not run on
    (the ``dataset`` papermill injected, else the parameters cell's), are removed; ``hide_code`` also hides
    code cells' input (for reports meant for managers). No script or style is
    fetched from the network when the page opens: MathJax and require.js are
    not linked. With ``embed_font`` the Chinese characters of the page are
    embedded as a subset of the workbook's CJK font, so the page renders on a
    machine without Chinese fonts too. ``toc`` adds a table of contents of the
    page's second-level headings at the top. The page's ``<title>`` is the lesson's
    title in ``lang`` (:func:`report_title`) and ``<html lang>`` names that language.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = drop_widget_state(static_widgets(nbformat.read(str(executed), as_version=4)))
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = dropped_tags(lang, notebook_dataset(nb)) | {"remove-cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"parameters", "injected-parameters", "remove-input"}
    config.HTMLExporter.preprocessors = ["nbconvert.preprocessors.TagRemovePreprocessor"]
    config.HTMLExporter.exclude_input = hide_code
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.HTMLExporter.mathjax_url = ""
    config.HTMLExporter.require_js_url = ""
    config.HTMLExporter.widget_renderer_url = ""
    config.HTMLExporter.language_code = lang  # <html lang>: nbconvert takes ISO 639-1 codes ("zh")
    exporter = HTMLExporter(config=config, template_name="lab")
    nb.metadata["title"] = report_title(nb, lang, default=Path(executed).stem.split(".")[0])
    body, _ = exporter.from_notebook_node(nb)
    body = _strip_external(body)
    if toc:
        body = add_toc(body, lang)
    if embed_font:
        body = embed_cjk_font(body)
    atomic.write_text(out, body)
    return out


_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", flags=re.M)


def report_title(nb, lang: str, default: str = "") -> str:
    """The lesson's title in ``lang``: the first level-1 heading of its narrative in that language.

    Narrative cells tagged ``lang-<lang>`` (or carrying no language tag) are searched in
    order; the heading's Markdown emphasis, code marks and link targets are dropped
    (``# 02 · **NPS** [guide](x)`` → ``02 · NPS guide``). A notebook without such a heading
    keeps its metadata ``title``, else ``default``.
    """
    from cxlib.i18n import LANGS

    other = {f"lang-{code}" for code in LANGS if code != lang}
    for cell in nb.cells:
        if cell.cell_type != "markdown" or other & set(cell.metadata.get("tags", [])):
            continue
        match = _HEADING.search(cell.source)
        if match:
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # [text](url) → text
            return re.sub(r"\*\*|__|[*`]", "", text).strip()
    return str(nb.metadata.get("title") or default)


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_widgets(nb):
    """Replace each widget in the outputs by what its Output widgets hold.

    ``ipywidgets.interact`` draws into an Output widget; executed without a
    browser, that drawing lives only in the notebook's widget state. Copying it
    into the cell's outputs puts the "try it" chart, drawn with the default
    values, into the static report (the sliders themselves need JupyterLab).
    """
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    if not state:
        return nb

    def collect(model_id: str, seen: set) -> list:
        if model_id in seen or model_id not in state:
            return []
        seen.add(model_id)
        model = state[model_id]
        found = list(model.get("state", {}).get("outputs", [])) if model.get("model_name") == "OutputModel" else []
        for child in model.get("state", {}).get("children", []):
            if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                found += collect(child[len("IPY_MODEL_"):], seen)
        return found

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(_WIDGET_VIEW) if out.get("output_type") in ("display_data", "execute_result") else None
            if view is None:
                outputs.append(out)
                continue
            outputs += [nbformat.from_dict(o) for o in collect(view["model_id"], set())]
        cell["outputs"] = outputs
    return nb


def drop_widget_state(nb):
    """Remove the widget state from the notebook's metadata (after :func:`static_widgets` used it).

    nbconvert adds a loader for ``@jupyter-widgets/html-manager`` from unpkg.com to any page
    whose notebook carries widget state; without the state the report requests nothing.
    """
    nb.metadata.pop("widgets", None)
    return nb


def add_toc(page: str, lang: str = "en") -> str:
    """Insert a linked table of contents of the page's ``<h2>`` headings after ``<main>`` (or ``<body>``)."""
    import re

    from cxlib.i18n import t

    items = []
    for anchor, inner in re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', page, flags=re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        items.append(f'<li><a href="#{anchor}">{text}</a></li>')  # text is already HTML-escaped
    if not items:
        return page
    nav = (
        f'<nav class="cxwb-toc" style="margin:1rem 2rem;padding:.5rem 1rem;border-left:4px solid #1f5f8b;">'
        f"<strong>{html.escape(t('report.contents', lang))}</strong><ol>{''.join(items)}</ol></nav>"
    )
    for tag in (r"<main[^>]*>", r"<body[^>]*>"):
        match = re.search(tag, page)
        if match:
            return page[: match.end()] + nav + page[match.end():]
    return nav + page


def _strip_external(page: str) -> str:
    """Drop the few tags of nbconvert's template that would fetch from the network."""
    import re

    page = re.sub(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', "", page)
    page = re.sub(r'<link[^>]*href="https?://[^"]*"[^>]*>', "", page)
    return page


_CJK_FAMILY = "CXWB CJK"


def _cjk_chars(page: str) -> str:
    """Characters of the page that need a CJK font (CJK ideographs, kana, full-width forms, CJK punctuation)."""
    return "".join(sorted({c for c in page if ord(c) >= 0x2E80}))


def embed_cjk_font(page: str) -> str:
    """Embed the subset of Noto Sans CJK SC that ``page`` uses (about 100 kB) as a web font.

    The subset is made with fontTools (a matplotlib dependency) and added as a
    ``data:`` URL, so the report stays one self-contained file that fetches
    nothing. Pages with no CJK character are returned unchanged.
    """
    import base64
    import io

    from fontTools import subset

    from cxlib.plots import cjk_font_path

    chars = _cjk_chars(page)
    if not chars or "</head>" not in page:
        return page
    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False
    options.flavor = "woff"
    font = subset.load_font(str(cjk_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    # unicode-range limits the embedded font to CJK code points, so it can stand first in
    # every font list: Latin text keeps the reader's own fonts, Chinese always has glyphs.
    family = f'"{_CJK_FAMILY}"'
    style = (
        f'<style>@font-face{{font-family:{family};src:url(data:font/woff;base64,{data}) format("woff");'
        "unicode-range:U+2E80-FFFF;}"
        f":root{{--jp-content-font-family:{family},system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
        f"--jp-ui-font-family:{family},system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
        f"--jp-code-font-family:{family},Menlo,Consolas,'DejaVu Sans Mono',monospace;}}"
        f"body,h1,h2,h3,h4,h5,h6,p,li,td,th,div{{font-family:var(--jp-content-font-family);}}"
        f"pre,code{{font-family:var(--jp-code-font-family);}}</style>"
    )
    return page.replace("</head>", style + "</head>", 1)


class Interrupted(KeyboardInterrupt):
    """The run was stopped (SIGTERM or Ctrl-C); the index says so."""


@contextmanager
def _sigterm_interrupts():
    """SIGTERM raises :class:`Interrupted` (like Ctrl-C) so that records and the index are finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


RECORDS = "_runs"


def _record_path(out_dir: Path, notebook: Path, dataset: str, lang: str) -> Path:
    return out_dir / RECORDS / f"{notebook.stem}.{dataset}.{lang}.json"


def _record(out_dir: Path, run: NotebookRun, status: str, started: float) -> Path:
    """Write the run's record (atomically): what the index shows for it."""
    data = {
        "notebook": run.notebook.stem, "dataset": run.dataset, "lang": run.lang, "status": status,
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "seconds": round(run.seconds, 1), "report": run.report.name if run.report else None,
        "cell": run.cell, "error": run.error,
    }
    path = _record_path(out_dir, run.notebook, run.dataset, run.lang)
    atomic.write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
    return path


def _records(out_dir: Path) -> list[dict]:
    found = []
    for path in sorted((out_dir / RECORDS).glob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            found.append({"notebook": path.stem, "dataset": "", "lang": "", "status": "unreadable record"})
    return found


def write_index(runs: list[NotebookRun], out_dir: Path, seconds: float) -> Path:
    """``index.html`` listing every report in ``out_dir`` with its status, rebuilt from the run records.

    ``runs`` (this invocation's runs) have already written their records; the page also
    keeps the entries of earlier runs into the same folder. Written atomically.
    """
    records = _records(out_dir)
    rows = []
    labels = {"ok": "ok", "failed": "failed", "interrupted": "interrupted (the run was stopped)",
              "running": "running (not finished: the run was killed or is still going)"}
    for r in records:
        name = html.escape(str(r.get("notebook")))
        link = f'<a href="{html.escape(r["report"])}">{name}</a>' if r.get("report") else name
        status = r.get("status", "")
        text = labels.get(status, status)
        if status == "failed":
            where = f"cell {r['cell'] + 1}" if r.get("cell") is not None else "no cell ran"
            text = f"failed at {where}: {r.get('error') or ''}"
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape(str(r.get('dataset')))}</td><td>{html.escape(str(r.get('lang')))}</td>"
            f"<td>{html.escape(str(r.get('started', '')))}</td><td>{r.get('seconds', 0) or 0:.1f} s</td>"
            f"<td class=\"{'ok' if status == 'ok' else 'bad'}\">{html.escape(text)}</td></tr>"
        )
    counts = {k: sum(r.get("status") == k for r in records) for k in ("failed", "interrupted", "running")}
    summary = (f"{len(records)} notebooks, {counts['failed']} failed, {counts['interrupted']} interrupted, "
               f"{counts['running']} not finished; last run {seconds:.1f} s.")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CX Workbook reports</title>
<style>body{{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:2rem;}}
table{{border-collapse:collapse}}td,th{{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}}
.ok{{color:#3a9a5b}}.bad{{color:#c0392b}}</style></head><body>
<h1>CX Workbook — reports / 报告</h1>
<p>{summary}</p>
<table><tr><th>notebook</th><th>dataset</th><th>lang</th><th>started</th><th>time</th><th>status</th></tr>
{''.join(rows)}
</table></body></html>
"""
    return atomic.write_text(out_dir / "index.html", embed_cjk_font(page))


REPORT_NOTEBOOK = NOTEBOOKS / "10_cx_report.ipynb"


def build_report(dataset: str, lang: str, out: Path | str, data_dir: str | None = None,
                 notebook: Path = REPORT_NOTEBOOK, timeout: int = 600) -> NotebookRun:
    """Execute the BEST CX report notebook and write it as one self-contained HTML file.

    Code is hidden, charts are embedded, a table of contents leads the page, and
    nothing is fetched from the network when it opens. Text from the data (reviews)
    is shown through pandas/IPython displays, which escape HTML, so a review holding
    ``<script>`` shows as text.
    """
    import tempfile

    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp, _sigterm_interrupts():
        run = execute(notebook, Path(tmp), {"dataset": dataset, "lang": lang, "data_dir": data_dir}, timeout=timeout)
        if run.ok and run.executed and run.executed.exists():  # a failed run never replaces a good report
            run.report = to_html(run.executed, out, lang, hide_code=True, toc=True)
        run.executed = None
    return run


def run_notebooks(
    dataset: str | None = None,
    lang: str | None = None,
    only: Iterable[str] | None = None,
    data_dir: str | None = None,
    out_dir: Path | str = "reports",
    timeout: int = 600,
    hide_code: bool = False,
    echo: Callable[[str], None] = print,
    folder: Path = NOTEBOOKS,
) -> list[NotebookRun]:
    """Execute lesson notebooks, write one HTML report each and ``index.html``.

    Parameters left as None keep each notebook's own default; ``out_dir`` is relative to the
    working folder (never inside the installed package). Returns the runs;
    the caller decides the exit code (non-zero when any failed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    notebooks = discover(folder, only)
    params = {"dataset": dataset, "lang": lang, "data_dir": str(data_dir) if data_dir else None}
    runs = []
    start = time.perf_counter()
    try:
        with _sigterm_interrupts():
            for i, nb in enumerate(notebooks, 1):
                echo(f"[{i}/{len(notebooks)}] {nb.stem} …")
                params_nb = resolve_parameters(nb, params)
                current = NotebookRun(notebook=nb, dataset=str(params_nb.get("dataset")),
                                      lang=str(params_nb.get("lang")), ok=False, seconds=0.0)
                began = time.time()
                _record(out, current, "running", began)
                try:
                    run = execute(nb, out, params, timeout=timeout)
                    if run.executed and run.executed.exists():
                        try:
                            run.report = to_html(run.executed, out / f"{nb.stem}.{run.dataset}.{run.lang}.html",
                                                 run.lang, hide_code)
                        except Exception as err:  # noqa: BLE001 - export failure is reported like a cell failure
                            run.ok = False
                            run.status = "failed"
                            run.error = (run.error + "; " if run.error else "") + f"HTML export failed: {err}"
                except KeyboardInterrupt:
                    current.seconds = time.time() - began
                    current.error = "interrupted"
                    current.status = "interrupted"
                    _record(out, current, "interrupted", began)
                    runs.append(current)
                    raise
                _record(out, run, run.status, began)
                runs.append(run)
                echo("    " + run.describe())
    finally:
        total = time.perf_counter() - start
        index = write_index(runs, out, total)
    failed = sum(not r.ok for r in runs)
    echo(f"{len(runs)} notebooks run, {failed} failed, {total:.1f} s; reports in {index}")
    return runs
