"""Packaging: the extras, the lock, environment.yml, the bundled font, the wheel, make's Python check,
and the single-language copies (``cxwb export``) and the trainer's copy (``cxwb init``)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# pyarrow and DuckDB are extras (io, scale): the library alone checks CSV records with numpy and
# aggregates with pandas (test_the_readers_bad_input_catalogue_passes_without_pyarrow_and_duckdb)
LIBRARY = {"pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pyyaml", "jieba",
           "narwhals", "charset-normalizer"}
# conda-forge names that differ from the PyPI names (environment.yml uses them)
CONDA_NAMES = {"matplotlib": "matplotlib-base", "duckdb": "python-duckdb", "dask": "dask-core"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def req_name(requirement: str) -> str:
    return norm(re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0])


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lock_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[norm(name)] = version.strip()
    return pins


def environment() -> tuple[dict[str, str], dict[str, str]]:
    """(conda pins, pip pins) of environment.yml, by normalised name."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                name, version = pip_dep.split("==")
                pip[norm(name)] = version
        else:
            name, _, version = dep.partition("=")
            conda[norm(name)] = version
    conda.pop("python"), conda.pop("pip")
    return conda, pip


# --------------------------------------------------------------------------- extras and lock
def test_the_default_install_is_the_library_alone():
    meta = project()
    assert {req_name(d) for d in meta["dependencies"]} == LIBRARY
    extras = meta["optional-dependencies"]
    assert {"io", "scale", "stats", "lab", "teach", "all", "dev"} <= set(extras)
    assert {req_name(d) for d in extras["stats"]} == {"pingouin"}
    assert {req_name(d) for d in extras["lab"]} >= {"jupyterlab", "ipykernel", "ipywidgets", "voila"}
    assert {req_name(d) for d in extras["teach"]} >= {"papermill", "nbconvert", "nbformat", "nbgrader"}
    # the lessons call pingouin (04, 09): the classroom and the runner bring it
    assert "cx-workbook[stats]" in extras["lab"] and "cx-workbook[stats]" in extras["teach"]
    assert "cx-workbook[all]" in extras["dev"] and "cx-workbook[io,scale,stats,lab,teach]" in extras["all"]


def test_every_dependency_of_every_extra_is_pinned_in_the_lock():
    meta, lock = project(), lock_versions()
    names = {req_name(d) for group in [meta["dependencies"], *meta["optional-dependencies"].values()] for d in group}
    names.discard("cx-workbook")
    assert sorted(n for n in names if n not in lock) == []


def test_the_lock_drops_mplfonts_and_keeps_soupsieve_for_debian_python():
    lock = lock_versions()
    assert "mplfonts" not in lock and "fontmeta" not in lock
    # soupsieve >= 3.0.2 declares Requires-Python >= 3.11.5; Debian 12's python3 is 3.11.2
    assert tuple(int(p) for p in lock["soupsieve"].split(".")[:3]) < (3, 0, 2)


def test_environment_yml_matches_the_lock_package_by_package():
    lock = lock_versions()
    conda, pip = environment()
    conda_as_pypi = {next((k for k, v in CONDA_NAMES.items() if v == name), name): v for name, v in conda.items()}
    assert set(conda_as_pypi) & set(pip) == set()
    merged = {**conda_as_pypi, **pip}
    assert sorted(set(lock) - set(merged)) == [], "in the lock, not in environment.yml"
    assert sorted(set(merged) - set(lock)) == [], "in environment.yml, not in the lock"
    assert {n: v for n, v in merged.items() if lock[n] != v} == {}
    assert "matplotlib" not in conda and "matplotlib-base" in conda  # plain matplotlib pulls Qt


def test_conda_route_registers_the_kernel_and_the_lab_font():
    text = (ROOT / "environment.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    for doc in (text, readme):
        assert 'ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CX Workbook)"' in doc
        assert "python -m cxwb.labfont install" in doc


# --------------------------------------------------------------------------- font
def test_bundled_font_is_the_ofl_subset_and_covers_the_workbook_text():
    from fontTools.ttLib import TTFont

    from cxlib import plots

    path = plots.cjk_font_path()
    assert path.parent == ROOT / "cxlib" / "resources" / "fonts" or "site-packages" in str(path)
    assert "SIL OPEN FONT LICENSE Version 1.1" in (path.parent / "OFL.txt").read_text()
    font = TTFont(str(path))
    assert font["name"].getDebugName(1) == plots.register_cjk_font() == "CXWB Noto Sans SC"
    cmap = set(font.getBestCmap())
    text = "".join(p.read_text(encoding="utf-8") for pattern in ("cxlib/resources/*.yml", "cxlib/dictionaries/*.yml",
                                                                 "notebooks/*.ipynb", "exercises/*.ipynb")
                   for p in ROOT.glob(pattern))
    cjk = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")  # ideographs, CJK punctuation, full-width forms
    missing = sorted({c for c in text if cjk.match(c) and ord(c) not in cmap})
    assert missing == [], f"characters without a glyph (rebuild with build_subset.py): {''.join(missing)}"
    gb2312 = [bytes([0xB0 + r, 0xA1 + c]).decode("gb2312") for r in range(0x48) for c in range(0x5E)
              if not (r == 0x27 and c > 0x58)]  # level-1 and level-2 hanzi rows (0xB0-0xF7)
    assert all(ord(ch) in cmap for ch in gb2312)
    assert path.stat().st_size < 4_000_000


def test_nothing_refers_to_mplfonts():
    for name in ("pyproject.toml", "requirements.lock", "environment.yml", "Makefile", "README.md", "cxlib/plots.py"):
        assert "mplfonts" not in (ROOT / name).read_text(), name


def test_lab_extension_files_are_installed_by_the_package():
    from cxwb import labfont

    package = json.loads((labfont.SOURCE / "package.json").read_text())
    assert package["name"] == labfont.NAME
    assert (labfont.SOURCE / package["jupyterlab"]["_build"]["load"]).is_file()
    css = (labfont.SOURCE / "static" / "fonts.css").read_text()
    assert f'url("{labfont.font_file().name}")' in css and "unicode-range" in css
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    shipped = {Path(f).name for files in data_files.values() for f in files}
    assert shipped == {"package.json", "remoteEntry.cxwb.js", "fonts.css", labfont.font_file().name}


def test_labfont_install_writes_the_extension_into_an_environment(tmp_path):
    from cxwb import labfont

    target = labfont.install(tmp_path)
    assert target == tmp_path / "share" / "jupyter" / "labextensions" / "cxwb-fonts"
    assert (target / "static" / labfont.font_file().name).stat().st_size == labfont.font_file().stat().st_size
    assert labfont.install(tmp_path) == target  # idempotent


# --------------------------------------------------------------------------- wheel
@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The workbook's wheel, built once per test run.

    pip builds in the source tree (``build/``), so two builds at once break each other:
    the xdist workers of one run share one build folder and take turns under a file lock,
    and the first one builds (``xdist_group`` does not keep tests together under pytest
    9.2 with pytest-xdist 3.8, pytest-dev/pytest-xdist#1386).
    """
    from importlib.metadata import version

    fcntl = pytest.importorskip("fcntl", reason="the build lock is POSIX's flock")
    if int(version("setuptools").split(".")[0]) < 77:  # built offline with the environment's setuptools
        pytest.skip(f"setuptools {version('setuptools')} < 77 here; make env installs the locked version")
    base = tmp_path_factory.getbasetemp()
    out = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "wheel"  # one per run
    out.mkdir(exist_ok=True)
    with (out / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not list(out.glob("cx_workbook-*.whl")):
            done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                                   "-w", str(out), str(ROOT)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-2000:]
    return zipfile.ZipFile(next(out.glob("cx_workbook-*.whl")))


ONE_WHEEL = pytest.mark.xdist_group("wheel")  # where xdist groups tests, they share the worker's wheel


@ONE_WHEEL
def test_wheel_carries_lessons_exercises_sample_data_font_and_lab_extension(wheel):
    names = set(wheel.namelist())
    for lesson in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert f"cxwb/_workbook/notebooks/{lesson.name}" in names
    for exercise in (ROOT / "exercises").glob("*.ipynb"):
        assert f"cxwb/_workbook/exercises/{exercise.name}" in names
    for csv in (ROOT / "datasets").rglob("*.csv"):
        assert f"cxlib/_workbook/datasets/{csv.relative_to(ROOT / 'datasets').as_posix()}" in names
    assert "cxlib/resources/fonts/NotoSansSC-CXWB-Subset.otf" in names and "cxlib/resources/fonts/OFL.txt" in names
    assert any(n.endswith(".data/data/share/jupyter/labextensions/cxwb-fonts/static/fonts.css") for n in names)
    assert not any("_executed" in n or ".ipynb_checkpoints" in n for n in names)


@ONE_WHEEL
def test_wheel_metadata_makes_jupyter_optional(wheel):
    meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    requires = [line for line in wheel.read(meta).decode().splitlines() if line.startswith("Requires-Dist:")]
    core = {req_name(line.split(":", 1)[1].strip()) for line in requires if "extra ==" not in line}
    assert core == LIBRARY


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (bytecode caches aside) with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel installed with ``--no-deps`` into a fresh venv, as ``pip install`` leaves it.

    The venv borrows this environment's packages (the wheel's dependencies) through a
    ``.pth`` line naming their folders: a plain path, so no editable install of the
    source tree is activated. The kernel is registered as the README says, and
    nbconvert's templates (data files of this environment) are reached through
    ``JUPYTER_PATH`` without its kernels, so lessons run on the venv's own Python.
    """
    import site

    from jupyter_core.paths import jupyter_path

    tmp = tmp_path_factory.mktemp("installed")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}  # no source tree on the path
    env["JUPYTER_PATH"] = str(tmp / "jupyter")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check", "install",
                           "--quiet", "--no-deps", "--ignore-installed", wheel.filename], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    purelib = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                           text=True, env=env).strip())
    (purelib / "_borrowed_packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    templates = next(Path(p) for p in jupyter_path("nbconvert") if (Path(p) / "templates" / "lab").is_dir())
    (tmp / "jupyter").mkdir()
    (tmp / "jupyter" / "nbconvert").symlink_to(templates)
    subprocess.run([str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3", "--display-name",
                    "Python 3 (CX Workbook)"], env=env, check=True, capture_output=True)
    return venv, purelib, env


@ONE_WHEEL
@pytest.mark.skipif(sys.platform == "win32", reason="venv layout and symlinks of a POSIX system")
def test_an_installed_workbook_runs_a_lesson_and_builds_exercises_from_any_folder(installed, tmp_path):
    venv, purelib, env = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import cxlib, cxwb.runner as r, cxwb.grading as g; print(cxlib.__file__); "
                            "print(r.NOTEBOOKS); print(g.EXERCISES_DIR)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr[-2000:]
    library, notebooks, exercises = (Path(line) for line in where.stdout.split())
    for path in (library, notebooks, exercises):
        assert purelib in path.parents, f"{path} is not the installed copy"
    assert (notebooks / "00_welcome.ipynb").is_file() and (exercises / "01_touchpoints_journey.ipynb").is_file()

    work = tmp_path / "class"
    work.mkdir()
    before = _snapshot(venv)
    own = tmp_path / "own"  # an analyst's folder with one table of the hotel world
    own.mkdir()
    shutil.copy(ROOT / "datasets" / "hotel" / "guests.csv", own)
    build = subprocess.Popen([str(venv / "bin" / "cxwb"), "exercises", "build", "--only", "01"], cwd=work, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # beside the run: 2 cores
    check = subprocess.Popen([str(venv / "bin" / "cxwb"), "check", str(own), "--dataset", "hotel"], cwd=work, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = subprocess.run([str(venv / "bin" / "cxwb"), "run", "--only", "00", "--lang", "zh"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=300)
    built, checked = build.communicate(timeout=120)[0], check.communicate(timeout=120)[0]
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert build.returncode == 0, built[-2000:]
    # the missing tables are listed with the installed lessons that read them
    assert re.search(r"servqual · .*: needed by 04_servqual", checked), checked[-2000:]
    # outputs go to the working folder's default outputs only; the installed package is left as installed
    assert sorted(p.name for p in work.iterdir()) == ["dist", "reports"]
    assert (work / "dist" / "student" / "01_touchpoints_journey.ipynb").is_file()
    assert _snapshot(venv) == before
    # the report's title is the lesson's Chinese heading, and the page says it is Chinese
    page = (work / "reports" / "00_welcome.hotel.zh.html").read_text(encoding="utf-8")
    lesson = nbformat.read(str(notebooks / "00_welcome.ipynb"), as_version=4)
    heading = next(c.source.splitlines()[0] for c in lesson.cells if "lang-zh" in c.metadata.get("tags", []))
    assert re.search(r"<title>(.*?)</title>", page).group(1) == heading.lstrip("# ").strip()
    assert '<html lang="zh">' in page


# --------------------------------------------------------------------------- make
def _make(*args, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-n", *args, f"VENV={tmp_path / 'novenv'}"],
                          cwd=ROOT, capture_output=True, text=True)


@pytest.mark.skipif(sys.platform == "win32", reason="make and sh")
def test_make_says_in_one_line_when_python_cannot_make_a_venv(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\ncase "$*" in *ensurepip*) echo "No module named ensurepip" >&2; exit 1;; esac\n'
                    f'exec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    done = _make("run", f"PYTHON={fake}", tmp_path=tmp_path)
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "-m venv is missing: run  sudo apt-get install python3-venv" in lines[0]
    assert "Traceback" not in lines[0]
    missing = _make("test", f"PYTHON={tmp_path / 'nope'}", tmp_path=tmp_path)
    assert missing.returncode != 0 and "is missing: install Python 3.11 or newer" in missing.stderr


def test_make_env_with_a_working_python_plans_the_environment(tmp_path):
    done = _make("env", f"PYTHON={sys.executable}", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "-r requirements.lock" in done.stdout and "cxwb.labfont install" in done.stdout
    assert 'ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CX Workbook)"' in done.stdout


def test_ci_installs_system_packages_only_when_missing_then_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    for package in ("openjdk-17-jre-headless", "chromium", "chromium-driver", "bubblewrap", "r-base-core"):
        assert package in ci
    assert "for pkg in survey psych" in ci and 'need+=("r-cran-$pkg")' in ci  # R's survey and psych packages
    assert ci.count("apt-get update") == 1
    assert "make check-lock" in ci and "make test" in ci
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


# --------------------------------------------------------------------------- export and init
def test_export_writes_one_language_and_sets_the_lang_parameter(tmp_path):
    from cxwb import apps

    written = apps.export(tmp_path, "zh", only=["02"])
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "notebooks/02_measuring_experience.ipynb", "exercises/02_measuring_experience.ipynb"}
    for path in written:
        nb = nbformat.read(str(path), as_version=4)
        tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
        assert "lang-en" not in tags and "lang-zh" in tags
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert re.search(r'^lang = "zh"', params.source, flags=re.M), params.source
    lesson = nbformat.read(str(ROOT / "notebooks" / "02_measuring_experience.ipynb"), as_version=4)
    exported = nbformat.read(str(tmp_path / "notebooks" / "02_measuring_experience.ipynb"), as_version=4)
    assert len(exported.cells) == len(lesson.cells) - sum("lang-en" in c.metadata.get("tags", []) for c in lesson.cells)
    student = nbformat.read(str(tmp_path / "exercises" / "02_measuring_experience.ipynb"), as_version=4)
    assert not any("BEGIN SOLUTION" in c.source for c in student.cells)


def _two_world_lessons(folder):
    """One lesson with a shared cell and one cell per world, in both languages."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.cells = [new_code_cell('dataset = "hotel"  # "hotel" or "ecommerce"\ndata_dir = None\nlang = "en"',
                              metadata={"tags": ["parameters"]})]
    for lang in ("en", "zh"):
        nb.cells += [new_markdown_cell(f"shared {lang}", metadata={"tags": [f"lang-{lang}"]}),
                     new_markdown_cell(f"hotel {lang}", metadata={"tags": [f"lang-{lang}", "world-hotel"]}),
                     new_markdown_cell(f"shop {lang}", metadata={"tags": [f"lang-{lang}", "world-ecommerce"]})]
    folder.mkdir()
    nbformat.write(nb, str(folder / "01_worlds.ipynb"))
    return folder


def _texts(path):
    nb = nbformat.read(str(path), as_version=4)
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return [c.source for c in nb.cells if c.cell_type == "markdown"], params


def test_export_for_one_world_drops_the_other_worlds_cells_and_sets_the_dataset(tmp_path):
    from cxwb import apps
    from cxwb.cli import main

    lessons = _two_world_lessons(tmp_path / "lessons")
    shop = apps.export(tmp_path / "shop", "zh", notebooks=lessons, exercises=tmp_path / "none", dataset="ecommerce")
    texts, params = _texts(shop[0])
    assert texts == ["shared zh", "shop zh"]
    assert params.startswith('dataset = "ecommerce"  # "hotel" or "ecommerce"') and 'lang = "zh"' in params
    both = apps.export(tmp_path / "both", "en", notebooks=lessons, exercises=tmp_path / "none")
    texts, params = _texts(both[0])
    assert texts == ["shared en", "hotel en", "shop en"] and params.startswith('dataset = "hotel"')
    assert main(["export", str(tmp_path / "cli"), "--lang", "en", "--dataset", "ecommerce", "--only", "02"]) == 0
    lesson = nbformat.read(str(tmp_path / "cli" / "notebooks" / "02_measuring_experience.ipynb"), as_version=4)
    assert not any("world-hotel" in c.metadata.get("tags", []) for c in lesson.cells)
    with pytest.raises(ValueError, match="dataset must be one of"):
        apps.export(tmp_path / "bad", "en", notebooks=lessons, dataset="airline")


def test_app_copies_show_one_world_their_own_by_default(tmp_path):
    from cxwb import apps

    lessons = _two_world_lessons(tmp_path / "lessons")
    assert _texts(apps.app_copies(tmp_path / "default", "en", notebooks=lessons)[0])[0] == ["shared en", "hotel en"]
    shop, params = _texts(apps.app_copies(tmp_path / "shop", "zh", notebooks=lessons, dataset="ecommerce")[0])
    assert shop[1:] == ["shared zh", "shop zh"] and 'dataset = "ecommerce"' in params  # [0]: the font cell


def test_export_cli_rejects_an_unknown_lesson_in_one_line(tmp_path, capsys):
    from cxwb.cli import main

    assert main(["export", str(tmp_path), "--lang", "en", "--only", "99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxwb export: no notebook") and "Traceback" not in err


def test_init_copies_the_workbook_and_never_overwrites(tmp_path, capsys):
    from cxwb.cli import main

    assert main(["init", str(tmp_path / "class")]) == 0
    for part in ("notebooks", "exercises", "datasets"):
        source = {p.relative_to(ROOT / part) for p in (ROOT / part).rglob("*") if p.is_file()
                  and ".ipynb_checkpoints" not in p.parts}
        copied = {p.relative_to(tmp_path / "class" / part) for p in (tmp_path / "class" / part).rglob("*") if p.is_file()}
        assert copied == source, part
    assert main(["init", str(tmp_path / "class")]) == 1
    assert "already exist" in capsys.readouterr().err


def test_app_copies_embed_the_cjk_font_for_chinese_only(tmp_path):
    from cxwb import apps

    zh = nbformat.read(str(apps.app_copies(tmp_path / "zh", "zh", only=["04"])[0]), as_version=4)
    en = nbformat.read(str(apps.app_copies(tmp_path / "en", "en", only=["04"])[0]), as_version=4)
    assert zh.cells[0].source.startswith("<style>@font-face") and "cxwb-font" in zh.cells[0].metadata["tags"]
    assert not any("cxwb-font" in c.metadata.get("tags", []) for c in en.cells)
    command = apps.voila_command(tmp_path, 8866, open_browser=False)
    assert "--VoilaConfiguration.strip_sources=True" in command and "--Voila.ip=127.0.0.1" in command


def test_sample_dir_prefers_the_installed_copy(tmp_path, monkeypatch):
    from cxlib import datasets

    assert datasets.sample_dir("hotel") == ROOT / "datasets" / "hotel"  # source tree: no packaged copy
    fake = tmp_path / "cxlib"
    (fake / "_workbook" / "datasets" / "hotel").mkdir(parents=True)
    monkeypatch.setattr(datasets, "__file__", str(fake / "datasets.py"))
    assert datasets.sample_dir("hotel") == fake / "_workbook" / "datasets" / "hotel"


def test_every_library_module_imports_and_the_sample_data_load_without_jupyter_or_the_extras():
    # the extras' packages and the application's are made unimportable, as in `pip install cx-workbook`
    blocked = ["IPython", "ipywidgets", "ipykernel", "jupyter_client", "nbformat", "nbconvert", "papermill",
               "jupyterlab", "nbgrader", "voila", "openpyxl", "polars", "dask", "pyspark", "pingouin", "sklearn",
               "xarray", "cxwb", "pyarrow", "duckdb"]
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "import cxlib\n"
        "names = [m.name for m in pkgutil.iter_modules(cxlib.__path__)]\n"
        "for name in names:\n"
        "    importlib.import_module('cxlib.' + name)\n"
        "from cxlib import datasets\n"
        "assert len(datasets.load('hotel', 'survey')) > 0\n"  # the sample data load with the core alone
        "from cxlib import servqual\n"  # pingouin's two callers name the extra that adds it
        "try:\n"
        "    servqual.paired_tests(datasets.load('hotel', 'survey'))\n"
        "except ImportError as err:\n"
        "    assert str(err) == ('servqual.paired_tests needs pingouin, which the library-only install leaves out: '\n"
        "                        \"pip install 'cx-workbook[stats]'\"), err\n"
        "else:\n"
        "    raise AssertionError('paired_tests ran without pingouin')\n"
        # without DuckDB a large pandas table is aggregated by pandas: the same numbers
        "import numpy as np, pandas as pd\n"
        "from cxlib import engine, heart, metrics, readers\n"
        "big = pd.DataFrame({'nps': np.arange(engine.DUCKDB_MIN_ROWS + 5) % 11,\n"
        "                    'g': np.where(np.arange(engine.DUCKDB_MIN_ROWS + 5) % 3 == 0, 'a', 'b')})\n"
        "by = metrics.nps_by(big, 'nps', 'g').set_index('g')\n"
        "share = big.assign(p=big['nps'] >= 9).groupby('g')['p'].mean()\n"
        "assert np.allclose(by['promoters'], share), by\n"
        "assert len(heart.sessions(datasets.load('ecommerce', 'events'))) > 0\n"
        "for call, extra in ((lambda: readers.read_parquet('x.parquet'), 'io'),\n"
        "                    (lambda: engine.scan_parquet('.'), 'scale')):\n"
        "    try:\n"
        "        call()\n"
        "    except ImportError as err:\n"
        "        assert f\"pip install 'cx-workbook[{extra}]'\" in str(err), err\n"
        "    else:\n"
        "        raise AssertionError('Parquet read without pyarrow or DuckDB')\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) >= 15


def test_the_readers_bad_input_catalogue_passes_without_pyarrow_and_duckdb():
    # the library-only install checks CSV records with numpy, not Arrow: the same errors, the same rows
    env = {**os.environ, "CXWB_TEST_WITHOUT": "pyarrow,duckdb"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "tests/test_readers.py", "tests/test_datapath.py"],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stdout[-3000:]
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped and all("Parquet files need the io extra" in line for line in skipped), skipped
    assert re.search(r"\b([5-9]\d|\d{3,}) passed", done.stdout), done.stdout[-500:]


def test_regenerate_in_an_installed_workbook_writes_under_the_current_folder(tmp_path, monkeypatch, capsys):
    from cxlib import synth
    from cxwb import apps, cli

    written = []
    monkeypatch.setattr(apps, "is_installed", lambda: True)
    monkeypatch.setattr(synth, "regenerate", lambda world, out, **kw: written.append(out) or [Path(out) / "x.csv"])
    monkeypatch.chdir(tmp_path)
    assert cli.main(["data", "regenerate", "--dataset", "hotel"]) == 0
    assert written == [Path("datasets") / "hotel"]  # never None: None means the package's own copy
    assert "./datasets/" in capsys.readouterr().out
