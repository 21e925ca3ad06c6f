"""The workbook in a real browser: Debian's Chromium driven by Selenium (chromium-driver).

- HTML reports (every page of one ``cxwb run`` and the ``cxwb report`` page) open with zero
  requests that are not ``file:`` or ``data:`` (Chrome's performance log records every
  request the page makes), no console error, the lesson's title in the report's language,
  and Chinese text set in the embedded CJK font;
- JupyterLab: a lesson runs (Run All) with zero error outputs, a "try it" slider redraws
  its chart, and the Chinese narrative is set in the workbook's web font;
- Voilà (``cxwb app --lang zh``): the lesson as an app, in Chinese only, code hidden,
  widgets live.

Skipped, with the reason, where Chromium, chromium-driver, selenium, JupyterLab or Voilà
is missing (``.ci/run`` installs the system packages). Servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
LESSON = "04_servqual"  # a short lesson with a "try it" slider
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one browser, one set of servers


def _missing() -> str | None:
    if not CHROMIUM or not DRIVER:
        return "Chromium or chromium-driver is not installed (Debian: apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install 'cx-workbook[dev]')"
    return None


def _need(module: str, name: str) -> None:
    """Skip (with the reason) without the browser or without ``module``."""
    if _missing():
        pytest.skip(_missing())
    pytest.importorskip(module, reason=f"{name} is not installed (pip install 'cx-workbook[lab]')")


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=en-US", "--no-first-run",
                "--disable-background-networking", "--disable-component-update"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    # Voilà runs the whole lesson before it answers the first request: on two busy cores that has
    # taken over 60 s, so the page-load limit matches the 240 s the app test waits for its widgets
    driver.set_page_load_timeout(240)
    # and the HTTP client that sends each command to chromedriver gives up after its own 120 s
    # (selenium's default), which would cut the page load short: wait longer than the page may take
    driver.command_executor.client_config.timeout = 300
    yield driver
    driver.quit()


def _requests(driver) -> list[str]:
    """URLs the page requested since the last call (from Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:  # the server answers: it is up
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s")


def _start(cmd: list[str], url: str, log: Path, env: dict) -> subprocess.Popen:
    handle = log.open("w")
    proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=str(log.parent))
    try:
        _wait_http(url, proc)
    except Exception:
        proc.terminate()
        raise RuntimeError(f"{cmd[2]} did not start: {log.read_text()[-3000:]}") from None
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _env(tmp: Path) -> dict:
    """The test's own Jupyter data path (with the workbook's lab font extension), the worktree first."""
    from cxwb import labfont

    labfont.install(tmp / "prefix")
    env = dict(os.environ)
    env["JUPYTER_PATH"] = str(tmp / "prefix" / "share" / "jupyter")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.pop("MPLBACKEND", None)  # conftest sets Agg for the tests; kernels must draw inline
    return env


def _wait(driver, script: str, timeout: float, what: str, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


_CHART = "document.querySelector('.widget-output img, .jupyter-widget-output img, .widget-interact img')"


def _nudge_first_slider(driver) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    handle = driver.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle, .jupyter-widget-slider .noUi-handle")
    assert handle, "no slider on the page"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle[0])
    handle[0].click()
    for _ in range(3):
        handle[0].send_keys(Keys.ARROW_RIGHT)


def _assert_chart_changes(driver, timeout: float = 90) -> float:
    """Move the first slider; the chart its widget draws must change. Returns the seconds it took."""
    before = _wait(driver, f"const img = {_CHART}; return img ? img.src : null;", timeout, "the widget's chart")
    start = time.monotonic()
    _nudge_first_slider(driver)
    _wait(driver, f"const img = {_CHART}; return !!img && img.src !== {json.dumps(before)};", timeout,
          "the chart to redraw after the slider moved", poll=0.1)
    return time.monotonic() - start


# --------------------------------------------------------------------------- reports
@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Every page of one ``make run``-like run and of ``cxwb report``, with the title each must carry.

    ``cxwb run --lang zh`` (the runner once over every lesson, as ``make run`` calls it, writing
    the lesson reports and ``index.html``) and ``cxwb report --lang en`` (lesson 10: code hidden,
    a table of contents, Chinese reviews quoted in an English page). The run costs about 100 s of
    its worker's time on two cores, opening the pages about 3 s; every report is opened, because
    any lesson's saved widget state or chart could be the one that fetches something. Chinese, so
    every lesson page must render the embedded CJK font; the English report checks the other
    language's title and ``<html lang>``.
    """
    import nbformat

    from cxwb import runner
    from cxwb.cli import main

    out = tmp_path_factory.mktemp("reports")
    assert main(["run", "--lang", "zh", "--out", str(out / "run")]) == 0
    assert main(["report", "--lang", "en", "--out", str(out / "report.html")]) == 0

    def title(stem: str, lang: str) -> str:  # the first line of the lesson's first narrative cell in `lang`
        nb = nbformat.read(str(runner.NOTEBOOKS / f"{stem}.ipynb"), as_version=4)
        return next(c.source.splitlines()[0] for c in nb.cells if f"lang-{lang}" in c.metadata.get("tags", []))[2:]

    pages = {out / "run" / "index.html": ("CX Workbook reports", "en")}
    for lesson in runner.discover(runner.NOTEBOOKS):
        world = runner.resolve_parameters(lesson, {}).get("dataset", "hotel")  # the lesson's own default
        pages[out / "run" / f"{lesson.stem}.{world}.zh.html"] = (title(lesson.stem, "zh"), "zh")
    pages[out / "report.html"] = (title("10_cx_report", "en"), "en")
    assert sorted(out.rglob("*.html")) == sorted(pages)  # every page the run and the report wrote
    return pages


_PAGE_STATE = """const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const cjk = /[\u4e00-\u9fff]/;
  const leaf = [...document.querySelectorAll('h1, h2, h3, p, li, td, th')]
    .find(e => e.children.length === 0 && cjk.test(e.textContent));
  done({title: document.title, lang: document.documentElement.lang, chinese: cjk.test(document.body.innerText),
        family: leaf ? getComputedStyle(leaf).fontFamily : '',
        loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, ''))});
});"""


def test_every_report_opens_offline_without_errors_in_its_language(browser, reports):
    from cxwb import runner

    assert len(reports) == len(runner.discover(runner.NOTEBOOKS)) + 2
    for page, (title, lang) in reports.items():
        _requests(browser)  # drop what earlier pages left in the logs
        browser.get_log("browser")
        browser.get(page.as_uri())
        state = browser.execute_async_script(_PAGE_STATE)
        time.sleep(0.3)  # let the page's own scripts run (a widget loader would fire on DOMContentLoaded)
        external = [u for u in _requests(browser) if not u.startswith(("file:", "data:", "about:", "blob:"))]
        assert external == [], f"{page.name} requested {external}"
        errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], f"{page.name}: console errors {errors}"
        assert (state["title"], state["lang"]) == (title, lang), page.name
        if lang == "zh" or state["chinese"]:  # Chinese text is set in the embedded font, which loaded
            assert state["chinese"], f"{page.name} shows no Chinese"
            assert "CXWB CJK" in state["loaded"], f"{page.name}: the embedded CJK font did not load"
            assert state["family"].startswith('"CXWB CJK"'), f"{page.name}: Chinese text in {state['family']}"


def test_report_title_is_the_first_heading_in_the_language_without_markdown_marks():
    """The title rule the pages above follow, on the cases the lessons do not have (no browser needed)."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    from cxwb.runner import report_title

    nb = new_notebook(cells=[new_markdown_cell("Intro without a heading"),
                             new_markdown_cell("# 02 · **NPS** and `ces` [guide](https://x) #", metadata={"tags": ["lang-en"]}),
                             new_markdown_cell("# 02 · 衡量**体验**", metadata={"tags": ["lang-zh"]}),
                             new_markdown_cell("# Later heading", metadata={"tags": ["lang-en"]})],
                      metadata={"title": "metadata title"})
    assert report_title(nb, "en") == "02 · NPS and ces guide"
    assert report_title(nb, "zh") == "02 · 衡量体验"
    nb.cells = nb.cells[:1]
    assert report_title(nb, "zh") == "metadata title"
    nb.metadata.pop("title")
    assert report_title(nb, "zh", default="02_measuring_experience") == "02_measuring_experience"


# --------------------------------------------------------------------------- JupyterLab
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _need("jupyterlab", "JupyterLab")
    tmp = tmp_path_factory.mktemp("lab")
    work = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), "cxwb-test"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.expose_app_in_browser=True"]
    base = f"http://127.0.0.1:{port}"
    proc = _start(cmd, f"{base}/api/status?token={token}", tmp / "lab.log", _env(tmp))
    yield base, token
    _stop(proc)


def test_lab_runs_a_lesson_and_its_slider_redraws(browser, lab):
    base, token = lab
    browser.get(f"{base}/lab/tree/{LESSON}.ipynb?token={token}")
    _wait(browser, "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
          "return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
          " && w.sessionContext.isReady);", 90, "the notebook and its kernel")
    browser.set_script_timeout(240)
    started = time.monotonic()
    ran = browser.execute_async_script(  # the command's promise settles when every cell has run
        "const done = arguments[arguments.length - 1];"
        "window.jupyterapp.commands.execute('notebook:run-all-cells').then(() => done('ok'), e => done(String(e)));")
    assert ran == "ok", ran
    result = browser.execute_script(
        "const cells = window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code');"
        "return cells.map(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')"
        "  .map(o => o.ename + ': ' + o.evalue)).flat().concat([cells.filter(c => c.model.executionCount === null).length]);")
    print(f"lab: Run All of {LESSON} took {time.monotonic() - started:.1f} s")
    assert result[-1] == 0, f"{result[-1]} code cells did not run"
    assert result[:-1] == [], f"error outputs: {result[:-1]}"

    seconds = _assert_chart_changes(browser)
    print(f"lab: the slider's chart redrew in {seconds:.2f} s")

    # the Chinese narrative (shown in the lab beside the English) is set in the workbook's font
    loaded = _wait(browser, "const f = [...document.fonts].filter(f => f.family.includes('CXWB Noto Sans SC'));"
                   "f.forEach(x => x.load()); return f.some(x => x.status === 'loaded');", 30,
                   "the CJK web font to load")
    assert loaded
    family = browser.execute_script(
        "const md = [...document.querySelectorAll('.jp-RenderedMarkdown')].find(e => /[\\u4e00-\\u9fff]/.test(e.innerText));"
        "return md ? getComputedStyle(md).fontFamily : '';")
    assert "CXWB Noto Sans SC" in family


# --------------------------------------------------------------------------- Voilà
@pytest.fixture(scope="module")
def app_zh(tmp_path_factory):
    _need("voila", "Voilà")
    from cxwb import apps

    tmp = tmp_path_factory.mktemp("app")
    copies = apps.app_copies(tmp / "zh", "zh", only=[LESSON[:2]])
    port = _free_port()
    cmd = apps.voila_command(tmp / "zh", port, open_browser=False, single=copies[0])
    base = f"http://127.0.0.1:{port}"
    proc = _start(cmd, base + "/voila/static/", tmp / "voila.log", _env(tmp))
    yield base
    _stop(proc)


def test_app_in_chinese_with_code_hidden_and_live_widgets(browser, app_zh):
    browser.get(app_zh + "/")
    _wait(browser, "return document.querySelector('.widget-slider .noUi-handle, .jupyter-widget-slider .noUi-handle')"
          " && document.querySelector('.widget-output img, .jupyter-widget-output img, .widget-interact img')"
          " ? true : false;", 240, "the app's widgets and chart")
    text = browser.execute_script("return document.body.innerText")
    assert "Traceback" not in text and "Error" not in text.split("\n")[0]
    assert CJK.search(text), "no Chinese text on the zh app"
    labels = browser.execute_script(
        "return [...document.querySelectorAll('.widget-label, .widget-inline-hbox label')].map(e => e.innerText)")
    assert any(CJK.search(label) for label in labels), f"widget labels are not Chinese: {labels}"
    # one language: no English narrative cell, and no code
    import nbformat

    source = nbformat.read(str(ROOT / "notebooks" / f"{LESSON}.ipynb"), as_version=4)
    en_heading = next(c.source.splitlines()[0] for c in source.cells if "lang-en" in c.metadata.get("tags", []))
    assert en_heading.lstrip("# ").strip() not in text
    assert browser.execute_script("return document.querySelectorAll('.jp-InputArea .cm-editor, .jp-InputArea-editor').length") == 0
    # the Chinese glyphs travel with the app page (no CJK font needed on the student's machine)
    assert browser.execute_script("return [...document.fonts].some(f => f.family.includes('CXWB CJK'))")
    seconds = _assert_chart_changes(browser)
    print(f"voila: the slider's chart redrew in {seconds:.2f} s")
