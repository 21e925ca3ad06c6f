"""``cxwb``: the workbook's command line (what ``make run`` calls).

Examples
--------
cxwb run                               # every lesson with its own defaults
cxwb run --only 02 --lang zh           # one lesson, in Chinese, live in class
cxwb run --dataset ecommerce --data-dir my_exports/
cxwb data regenerate                   # rewrite datasets/ from the seeded generator
cxwb map init my_exports/ --dataset hotel   # a first mapping.yml for your own files
cxwb check my_exports/ --dataset hotel      # validate every table, list every problem
cxwb exercises build                   # student versions of the exercises in dist/student/
cxwb exercises grade submissions/      # run and grade submissions/<student>/<NN_topic>.ipynb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxwb.runner import NOTEBOOKS

__all__ = ["main", "build_parser"]


def _cmd_run(args) -> int:
    from cxwb.runner import run_notebooks

    runs = run_notebooks(
        dataset=args.dataset,
        lang=args.lang,
        only=args.only,
        data_dir=_data_dir(args.data_dir),  # notebooks run in notebooks/
        out_dir=Path(args.out),
        timeout=args.timeout,
        hide_code=args.hide_code,
        folder=Path(args.notebooks),
    )
    return 0 if runs and all(r.ok for r in runs) else 1


def _data_dir(value: str | None) -> str | None:
    """``--data-dir`` as an absolute folder (notebooks run in notebooks/, so a relative path would miss)."""
    if not value:
        return None
    folder = Path(value).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"--data-dir {value}: {folder} is not a folder")
    return str(folder)


def _cmd_report(args) -> int:
    from cxwb.runner import build_report

    run = build_report(args.dataset, args.lang, Path(args.out), data_dir=_data_dir(args.data_dir),
                       timeout=args.timeout)
    print(run.describe())
    if run.ok and run.report:
        print(f"report written to {run.report}")
    else:
        print(f"no report written: the report notebook failed ({Path(args.out)} is unchanged)", file=sys.stderr)
    return 0 if run.ok else 1


def _cmd_data_regenerate(args) -> int:
    from cxlib import synth

    from .apps import is_installed

    worlds = synth.WORLDS if args.dataset is None else (args.dataset,)
    base = args.out
    if base is None and is_installed():  # never rewrite the copy inside the installed package
        base = "datasets"
        print("installed workbook: writing to ./datasets/<world>/ (pass --out to choose another folder)")
    for world in worlds:
        out = None if base is None else Path(base) / world
        paths = synth.regenerate(world, out, size=args.size, seed=args.seed)
        print(f"{world}: wrote {len(paths)} files to {paths[0].parent}")
    return 0


def _cmd_check(args) -> int:
    from cxlib import datasets
    from cxlib.mapping import MappingError, find_mapping, load_mapping

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"cxwb check: {folder} is not a folder", file=sys.stderr)
        return 2
    dataset = args.dataset
    if dataset is None:
        path = Path(args.map) if args.map else find_mapping(folder)
        try:
            dataset = load_mapping(path).dataset if path else None
        except (MappingError, OSError) as err:
            print(f"cxwb check: {err}", file=sys.stderr)
            return 1
        if dataset is None:
            print("cxwb check: which dataset? pass --dataset hotel or --dataset ecommerce "
                  "(or write 'dataset: hotel' in mapping.yml)", file=sys.stderr)
            return 2
    report = datasets.check(dataset, folder, mapping=args.map, lessons=NOTEBOOKS)  # the installed lessons too
    print(report.text())
    return 0 if report.ok else 1


def _cmd_map_init(args) -> int:
    from cxlib.mapping import write_mapping

    try:
        path, summary = write_mapping(args.folder, dataset=args.dataset, out=args.out, force=args.force)
    except (FileExistsError, FileNotFoundError) as err:
        print(f"cxwb map init: {err}", file=sys.stderr)
        return 1
    print(f"wrote {path} for the {summary['dataset']} dataset")
    for table, info in summary["tables"].items():
        sheet = f", sheet {info['sheet']}" if info["sheet"] else ""
        print(f"  {table} ← {info['file']}{sheet}: {info['recognised']} columns recognised, {info['todo']} TODO")
    for where in summary["unassigned"]:
        print(f"  not used: {where}")
    if not summary["tables"]:
        print("  no file matched a table: map them by hand (see docs/OWN_DATA.md)")
    print(f"Next: edit the TODO lines, then run  cxwb check {args.folder} --dataset {summary['dataset']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxwb", description="CX Workbook: run lessons, manage sample data, check your own data.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute lesson notebooks and write HTML reports")
    run.add_argument("--dataset", choices=["hotel", "ecommerce"], help="sample world (default: each notebook's own)")
    run.add_argument("--lang", choices=["en", "zh"], help="language of narrative, labels and reports")
    run.add_argument("--only", action="append", metavar="NN", help="lesson number(s) or name prefix, e.g. 02 or 02,03")
    run.add_argument("--data-dir", help="folder with your own tables instead of the sample data")
    run.add_argument("--out", default="reports", help="output folder (default: reports)")
    run.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    run.add_argument("--hide-code", action="store_true", help="hide code cells in the reports")
    run.add_argument("--notebooks", default=str(NOTEBOOKS), help="folder of notebooks (default: the lessons)")
    run.set_defaults(func=_cmd_run)

    report = sub.add_parser("report", help="write the BEST CX report (lesson 10) as one HTML file")
    report.add_argument("--dataset", choices=["hotel", "ecommerce"], default="hotel")
    report.add_argument("--lang", choices=["en", "zh"], default="en")
    report.add_argument("--data-dir", help="folder with your own tables instead of the sample data")
    report.add_argument("--out", default="report.html", help="output file (default: report.html)")
    report.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    report.set_defaults(func=_cmd_report)

    data = sub.add_parser("data", help="sample data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    regen = data_sub.add_parser("regenerate", help="rewrite the sample CSVs and their docs from the seeded generator")
    regen.add_argument("--dataset", choices=["hotel", "ecommerce"], help="only this world")
    regen.add_argument("--size", type=float, default=1.0, help="scale factor (benchmarks use 100+)")
    regen.add_argument("--seed", type=int, default=None, help="generator seed (default: the workbook's)")
    regen.add_argument("--out", help="write to OUT/<world>/ (default: the checkout's datasets/; ./datasets/ when installed)")
    regen.set_defaults(func=_cmd_data_regenerate)

    check = sub.add_parser("check", help="validate your own data folder against the data dictionary")
    check.add_argument("folder", help="folder with your files (and its mapping.yml)")
    check.add_argument("--dataset", choices=["hotel", "ecommerce"], help="which data dictionary (default: the mapping's)")
    check.add_argument("--map", metavar="MAPPING", help="mapping file (default: FOLDER/mapping.yml if present)")
    check.set_defaults(func=_cmd_check)

    mapping = sub.add_parser("map", help="column mappings for your own data")
    map_sub = mapping.add_subparsers(dest="map_command", required=True)
    init = map_sub.add_parser("init", help="write a first mapping.yml by recognising your columns")
    init.add_argument("folder", help="folder with your files")
    init.add_argument("--dataset", choices=["hotel", "ecommerce"], help="which data dictionary (default: the best match)")
    init.add_argument("--out", help="write here instead of FOLDER/mapping.yml")
    init.add_argument("--force", action="store_true", help="overwrite an existing mapping file")
    init.set_defaults(func=_cmd_map_init)

    from cxwb.grading import add_exercises_parser  # cxwb exercises build | grade

    add_exercises_parser(sub)
    from cxwb.apps import add_app_parsers  # cxwb app | export | init

    add_app_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every error ends in a message naming what went wrong and a non-zero exit, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "seed", "unset") is None:
        from cxlib.synth import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    name = " ".join(str(a) for a in (args.command, getattr(args, "map_command", None),
                                     getattr(args, "data_command", None)) if a)
    try:
        return args.func(args)
    except KeyboardInterrupt as err:
        print(f"cxwb {name}: interrupted{f' ({err})' if str(err) else ''}; finished outputs are kept, "
              "the index marks the unfinished run", file=sys.stderr)
        return 130
    # bad data, mapping, files, full disk, an extra not installed: the message says which (and what to install)
    except (ValueError, OSError, LookupError, ImportError) as err:
        print(f"cxwb {name}: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - anything else is a bug, but still no traceback for the analyst
        print(f"cxwb {name}: unexpected error {type(err).__name__}: {err} (please report it with the command "
              "you ran)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
