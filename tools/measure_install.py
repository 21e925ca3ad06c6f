"""Measure what ``pip install cx-workbook`` costs: the download and the installed virtual environment.

    python tools/measure_install.py [--python /usr/bin/python3] [--extras lab,teach]

Builds the workbook's wheel, lets pip download it with every dependency into a
temporary folder (the files a fresh machine fetches, the wheel itself included),
installs them from that folder into a fresh venv of ``--python`` (no index: what
was measured is what is installed) and prints the download per file, the total,
and the venv's size as pip leaves it and without its bytecode caches. A
maintenance tool for the README's install sizes: it needs the network (pip's
index) and a minute or two; nothing of the workbook runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tree_bytes(folder: Path) -> tuple[int, int]:
    """Bytes of the regular files under ``folder``, and of those inside ``__pycache__`` folders."""
    total = cached = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            path = Path(parent) / name
            if path.is_symlink():
                continue
            size = path.stat().st_size
            total += size
            cached += size if "__pycache__" in path.parts else 0
    return total, cached


def run(*command: str) -> None:
    """Run a pip or venv step quietly; on failure show what it said and stop."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default="/usr/bin/python3", help="the interpreter of the fresh venv")
    ap.add_argument("--extras", default="", help="comma-separated extras, e.g. lab,teach (default: the library alone)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxwb-install-") as tmp:
        tmp = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "wheel"), str(ROOT))
        wheel = next((tmp / "wheel").glob("*.whl"))
        target = f"{wheel}[{args.extras}]" if args.extras else str(wheel)
        run(args.python, "-m", "venv", str(tmp / "venv"))
        pip = str(tmp / "venv" / "bin" / "pip")
        run(pip, "download", "-q", "-d", str(tmp / "files"), target)
        files = sorted((tmp / "files").iterdir(), key=lambda p: -p.stat().st_size)
        run(pip, "install", "-q", "--no-index", "--find-links", str(tmp / "files"), target)
        for path in files:
            print(f"{path.stat().st_size / 1e6:8.1f} MB  {path.name}")
        download = sum(p.stat().st_size for p in files)
        total, cached = tree_bytes(tmp / "venv")
        what = f"cx-workbook[{args.extras}]" if args.extras else "cx-workbook (the library alone)"
        print(f"{what}: {len(files)} files, {download / 1e6:.1f} MB downloaded; venv {total / 1e6:.0f} MB "
              f"as pip leaves it, {(total - cached) / 1e6:.0f} MB without bytecode ({args.python})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
