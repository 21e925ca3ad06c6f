"""Lessons as click-through apps, single-language classroom copies, a trainer's own workbook.

``cxwb app``    serves the lessons with Voilà in one language and one world: code hidden, widgets live.
``cxwb export`` writes single-language copies of the lessons and the student exercises
                (``--dataset`` also makes them one-world copies).
``cxwb init``   copies the workbook (lessons, exercises, sample data) to a folder you own.

Narrative cells come in pairs tagged ``lang-en`` / ``lang-zh``; a single-language copy
drops the other language's cells (nbconvert's ``TagRemovePreprocessor``, as the reports
do) and sets ``lang`` in the ``parameters`` cell, so tables and chart labels follow.
A narrative cell that speaks of one sample world only (its examples, its source case) is
also tagged ``world-hotel`` or ``world-ecommerce``; untagged cells are shared. A copy for
one world drops the other world's cells the same way (:func:`dropped_tags`) and sets
``dataset`` in the ``parameters`` cell. Reports and apps always run on one world, so they
always drop the other's cells; an export without ``--dataset`` keeps both, for JupyterLab,
where the trainer switches ``dataset`` live.
An installed (non-editable) workbook carries its lessons, exercises and sample data as
package data (see ``setup.py``); :func:`workbook_path` finds them in either place.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cxlib.dictionary import WORLDS, check_world
from cxlib.i18n import LANGS, check_lang

__all__ = ["PARTS", "workbook_path", "dropped_tags", "notebook_dataset", "single_language", "export", "init", "app_copies", "serve",
           "add_app_parsers"]

PARTS = ("notebooks", "exercises", "datasets")
_LANG_LINE = re.compile(r"""^(lang\s*=\s*)(["'])(?:en|zh)\2""", flags=re.M)
_DATASET_LINE = re.compile(rf"""^(dataset\s*=\s*)(["'])({'|'.join(WORLDS)})\2""", flags=re.M)


def workbook_path(part: str) -> Path:
    """Folder of the workbook's ``notebooks``, ``exercises`` or ``datasets``.

    The installed package's copy (``cxwb/_workbook/…``; the sample data via
    :func:`cxlib.datasets.sample_dir`) when there is one, else the source tree's.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    if part == "datasets":
        from cxlib.datasets import sample_dir

        return sample_dir("hotel").parent
    packaged = Path(__file__).resolve().parent / "_workbook" / part
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / part


def is_installed() -> bool:
    """Whether the workbook runs from an installed package (its lessons and data inside the package)."""
    return (Path(__file__).resolve().parent / "_workbook").is_dir()


def dropped_tags(lang: str, dataset: str | None = None) -> set[str]:
    """Tags of the cells that a copy or report in ``lang`` (and for the world ``dataset``) leaves out.

    The other language's cells (``lang-…``) always; the other world's (``world-…``) when
    ``dataset`` is given, else both worlds' cells stay. Reports, apps and exports all
    remove cells by these tags, so each audience sees one language and one world.
    """
    check_lang(lang)
    tags = {f"lang-{code}" for code in LANGS if code != lang}
    if dataset is not None:
        check_world(dataset)
        tags |= {f"world-{world}" for world in WORLDS if world != dataset}
    return tags


def notebook_dataset(nb) -> str | None:
    """The world notebook ``nb`` runs on: the ``dataset = "…"`` that papermill injected, else the
    ``parameters`` cell's; None when neither cell sets one of the sample worlds (a notebook
    of your own may name another), and then both worlds' cells stay."""
    for tag in ("injected-parameters", "parameters"):
        for cell in reversed(nb.cells):
            if cell.cell_type == "code" and tag in cell.metadata.get("tags", []):
                found = _DATASET_LINE.findall(cell.source)
                if found:
                    return found[-1][2]
    return None


def single_language(nb, lang: str, dataset: str | None = None):
    """A copy of notebook ``nb`` in one language (and, given ``dataset``, for one world).

    Cells tagged with the other language (and the other world) are removed
    (:func:`dropped_tags`), and the ``lang = "…"`` (and ``dataset = "…"``) line of the
    ``parameters`` cell is set. A notebook whose parameters cell has no such line keeps
    its code as it is.
    """
    import copy

    from nbconvert.preprocessors import TagRemovePreprocessor

    drop = dropped_tags(lang, dataset)
    nb, _ = TagRemovePreprocessor(remove_cell_tags=drop, enabled=True).preprocess(copy.deepcopy(nb), {})
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = _LANG_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}{lang}{m.group(2)}", cell.source)
            if dataset is not None:
                cell.source = _DATASET_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}{dataset}{m.group(2)}",
                                                cell.source)
    return nb


def _lessons(folder: Path, only: Iterable[str] | None) -> list[Path]:
    from cxwb.runner import discover

    return discover(folder, only)


def export(out_dir: Path | str, lang: str, only: Iterable[str] | None = None,
           notebooks: Path | None = None, exercises: Path | None = None,
           dataset: str | None = None) -> list[Path]:
    """Write single-language classroom copies: ``OUT/notebooks/`` (lessons) and ``OUT/exercises/``.

    The exercises are the student versions (solutions stripped, outputs cleared, as
    ``cxwb exercises build`` writes them). With ``dataset`` the copies are for that world
    only (the other world's cells dropped, ``dataset`` set); without it both worlds' cells
    stay. Returns the files written.
    """
    import nbformat

    from cxwb.grading import exercise_files, student_version

    dropped_tags(lang, dataset)  # an unknown language or world fails before anything is written
    out = Path(out_dir)
    notebooks = notebooks or workbook_path("notebooks")
    exercises = exercises or workbook_path("exercises")
    jobs = [(path, out / "notebooks" / path.name, False) for path in _lessons(notebooks, only)]
    try:
        jobs += [(path, out / "exercises" / path.name, True) for path in exercise_files(exercises, only).values()]
    except ValueError:  # --only names a lesson without an exercise (00, say)
        pass
    written = []
    for source, target, student in jobs:
        nb = nbformat.read(str(source), as_version=4)
        nb = single_language(student_version(nb) if student else nb, lang, dataset)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
        written.append(target)
    return written


def init(target: Path | str, force: bool = False) -> list[Path]:
    """Copy the workbook's lessons, exercises and sample data into ``target`` (a folder you own).

    Refuses to overwrite an existing ``notebooks``/``exercises``/``datasets`` folder in
    ``target`` unless ``force``. Returns the folders written.
    """
    target = Path(target)
    clashes = [target / part for part in PARTS if (target / part).exists()]
    if clashes and not force:
        raise FileExistsError(
            f"{', '.join(str(c) for c in clashes)} already exist(s); choose another folder or pass --force"
        )
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_executed")
    written = []
    for part in PARTS:
        dest = target / part
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(workbook_path(part), dest, ignore=skip)
        written.append(dest)
    return written


def _font_cell(text: str):
    """A markdown cell (raw HTML: a ``<style>``) embedding the CJK glyphs of ``text`` and of every label.

    Voilà renders the page in the student's browser, which may have no Chinese font;
    the glyphs travel with the page as in the HTML reports (:func:`cxwb.runner.embed_cjk_font`).
    """
    import nbformat

    import cxlib
    from cxwb.runner import embed_cjk_font

    labels = Path(cxlib.__file__).resolve().parent  # the package's label catalogues, installed or not
    text += "".join(p.read_text(encoding="utf-8") for folder in ("resources", "dictionaries")
                    for p in sorted((labels / folder).glob("*.yml")))
    style = embed_cjk_font("</head>" + text).split("</head>", 1)[0]
    return nbformat.v4.new_markdown_cell(style, metadata={"tags": ["cxwb-font"]})


def app_copies(out_dir: Path | str, lang: str, only: Iterable[str] | None = None,
               notebooks: Path | None = None, dataset: str | None = None) -> list[Path]:
    """The lessons as Voilà serves them: one language and one world, with the CJK font embedded
    for ``zh`` (one subset for all the lessons served, made once).

    The world is ``dataset``, else each lesson's own default: Voilà runs the parameters cell
    as it is, so the app always shows one world and drops the other world's cells.
    """
    import nbformat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copies = {}
    for path in _lessons(notebooks or workbook_path("notebooks"), only):
        nb = nbformat.read(str(path), as_version=4)
        copies[path.name] = single_language(nb, lang, dataset or notebook_dataset(nb))
    if lang == "zh":
        font = _font_cell("".join(cell.source for nb in copies.values() for cell in nb.cells))
        for nb in copies.values():
            nb.cells.insert(0, font)
    written = []
    for name, nb in copies.items():
        nbformat.write(nb, str(out / name))
        written.append(out / name)
    return written


def voila_command(folder: Path, port: int, open_browser: bool, single: Path | None = None) -> list[str]:
    """The Voilà command line: code hidden, local only, the lessons' own kernel."""
    return [
        sys.executable, "-m", "voila", str(single or folder),
        f"--port={port}", "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.strip_sources=True",
        f"--Voila.root_dir={folder}",
        *([] if open_browser else ["--no-browser"]),
    ]


def serve(lang: str = "en", only: Iterable[str] | None = None, port: int = 8866,
          open_browser: bool = True, notebooks: Path | None = None, dataset: str | None = None) -> int:
    """Serve the lessons as apps with Voilà until interrupted (Ctrl-C); returns Voilà's exit code."""
    import importlib.util

    if importlib.util.find_spec("voila") is None:
        print("cxwb app: Voilà is not installed; run  pip install 'cx-workbook[lab]'  (or make env)",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix=f"cxwb-app-{lang}-") as tmp:
        print(f"preparing the lessons in {lang} …", flush=True)
        copies = app_copies(tmp, lang, only, notebooks, dataset)
        single = copies[0] if len(copies) == 1 else None
        print(f"serving {len(copies)} lesson(s) in {lang} at http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        proc = subprocess.Popen(voila_command(Path(tmp), port, open_browser, single))
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait(timeout=10)
            return 0


# --------------------------------------------------------------------------- command line
def _cmd_app(args) -> int:
    try:
        return serve(args.lang, args.only, args.port, not args.no_browser,
                     Path(args.notebooks) if args.notebooks else None, args.dataset)
    except ValueError as err:
        print(f"cxwb app: {err}", file=sys.stderr)
        return 2


def _cmd_export(args) -> int:
    try:
        written = export(args.out, args.lang, args.only, dataset=args.dataset)
    except (ValueError, FileNotFoundError) as err:
        print(f"cxwb export: {err}", file=sys.stderr)
        return 2
    world = f" for the {args.dataset} world" if args.dataset else ""
    print(f"wrote {len(written)} notebooks in {args.lang}{world} to {Path(args.out)}")
    return 0


def _cmd_init(args) -> int:
    try:
        written = init(args.folder, force=args.force)
    except (FileExistsError, OSError) as err:
        print(f"cxwb init: {err}", file=sys.stderr)
        return 1
    print(f"copied the workbook to {Path(args.folder)}: " + ", ".join(p.name for p in written))
    print(f"Next: cd {args.folder} && jupyter lab notebooks/   (or cxwb run --notebooks {Path(args.folder) / 'notebooks'})")
    return 0


def add_app_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``cxwb app``, ``cxwb export`` and ``cxwb init``."""
    app = sub.add_parser("app", help="serve the lessons as apps with Voilà (one language, one world, code hidden)")
    app.add_argument("--lang", choices=LANGS, default="en", help="language of the apps (default en)")
    app.add_argument("--dataset", choices=WORLDS, help="sample world of the apps (default: each lesson's own)")
    app.add_argument("--only", action="append", metavar="NN", help="lesson number(s), e.g. 02 or 02,03")
    app.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")
    app.add_argument("--notebooks", help="folder of lessons (default: the workbook's)")
    app.set_defaults(func=_cmd_app)

    exp = sub.add_parser("export", help="write single-language copies of the lessons and student exercises")
    exp.add_argument("out", metavar="DIR", help="output folder (gets notebooks/ and exercises/)")
    exp.add_argument("--lang", choices=LANGS, required=True, help="the one language to keep")
    exp.add_argument("--only", action="append", metavar="NN", help="lesson number(s), e.g. 02 or 02,03")
    exp.add_argument("--dataset", choices=WORLDS,
                     help="keep only this world's narrative and set it in the lessons (default: both worlds)")
    exp.set_defaults(func=_cmd_export)

    ini = sub.add_parser("init", help="copy the lessons, exercises and sample data to a folder you own")
    ini.add_argument("folder", metavar="DIR")
    ini.add_argument("--force", action="store_true", help="replace notebooks/, exercises/, datasets/ in DIR")
    ini.set_defaults(func=_cmd_init)
