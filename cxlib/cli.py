"""``cxwb``: the workbook's command line (what ``make run`` calls).

Examples
--------
cxwb run                               # every lesson with its own defaults
cxwb run --only 02 --lang zh           # one lesson, in Chinese, live in class
cxwb run --dataset ecommerce --data-dir my_exports/
cxwb data regenerate                   # rewrite datasets/ from the seeded generator
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .runner import NOTEBOOKS

__all__ = ["main", "build_parser"]


def _cmd_run(args) -> int:
    from .runner import run_notebooks

    runs = run_notebooks(
        dataset=args.dataset,
        lang=args.lang,
        only=args.only,
        data_dir=args.data_dir,
        out_dir=Path(args.out),
        timeout=args.timeout,
        hide_code=args.hide_code,
        folder=Path(args.notebooks),
    )
    return 0 if runs and all(r.ok for r in runs) else 1


def _cmd_data_regenerate(args) -> int:
    from . import synth

    worlds = synth.WORLDS if args.dataset is None else (args.dataset,)
    for world in worlds:
        out = None if args.out is None else Path(args.out) / world
        paths = synth.regenerate(world, out, size=args.size, seed=args.seed)
        print(f"{world}: wrote {len(paths)} files to {paths[0].parent}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxwb", description="CX Workbook: run lessons, manage sample data.")
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

    data = sub.add_parser("data", help="sample data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    regen = data_sub.add_parser("regenerate", help="rewrite the sample CSVs and their docs from the seeded generator")
    regen.add_argument("--dataset", choices=["hotel", "ecommerce"], help="only this world")
    regen.add_argument("--size", type=float, default=1.0, help="scale factor (benchmarks use 100+)")
    regen.add_argument("--seed", type=int, default=None, help="generator seed (default: the workbook's)")
    regen.add_argument("--out", help="write to OUT/<world>/ instead of datasets/")
    regen.set_defaults(func=_cmd_data_regenerate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "seed", "unset") is None:
        from .synth import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
