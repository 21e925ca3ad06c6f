"""Resolve requirements.lock for every Python version the workbook supports, without installing.

For each version, pip resolves the lock as it would install it there (``--dry-run`` with
``--python-version``, wheels for this platform):

1. every pin must exist for that Python (a release that needs a newer Python fails here,
   e.g. a package requiring ``>=3.11.5`` on Debian 12's 3.11.2);
2. the lock must be closed: resolving it with dependencies must not add any package
   that is not pinned (packages published only as source are checked in step 1 only).

Usage: ``python .ci/check_lock.py [VERSION ...]`` (default: 3.11.2 3.12 3.13). Exit code 1
names every problem. Needs the package index (or a mirror), nothing else; about 10 s a version.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
VERSIONS = ("3.11.2", "3.12", "3.13")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path = LOCK) -> dict[str, str]:
    out = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            out[norm(name)] = version.strip()
    return out


def dry_run(version: str, requirements: list[str], *extra: str) -> tuple[int, str, list[dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        req, report = Path(tmp) / "req.txt", Path(tmp) / "report.json"
        req.write_text("\n".join(requirements) + "\n")
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
               "--disable-pip-version-check", "--python-version", version, "--target", str(Path(tmp) / "t"),
               "--report", str(report), "-r", str(req), *extra]
        done = subprocess.run(cmd, capture_output=True, text=True)
        errors = "; ".join(line.removeprefix("ERROR: ") for line in done.stderr.splitlines()
                           if line.startswith(("ERROR: No matching", "ERROR: Cannot install", "ERROR: ResolutionImpossible")))
        installs = json.loads(report.read_text())["install"] if report.exists() else []
        return done.returncode, errors, installs


def check(version: str, locked: dict[str, str]) -> list[str]:
    wanted = [f"{name}=={v}" for name, v in locked.items()]
    code, errors, installs = dry_run(version, wanted, "--no-deps")
    if code:
        return [f"Python {version}: {errors or 'pip failed'}"]
    source_only = {norm(i["metadata"]["name"]) for i in installs
                   if not i["download_info"]["url"].endswith(".whl")}
    wheels = [w for w in wanted if norm(w.split("==")[0]) not in source_only]
    code, errors, installs = dry_run(version, wheels, "--only-binary=:all:")
    if code:
        return [f"Python {version}: {errors or 'pip failed'}"]
    return [f"Python {version}: {i['metadata']['name']}=={i['metadata']['version']} is needed but not pinned"
            for i in installs if norm(i["metadata"]["name"]) not in locked]


def main(argv: list[str]) -> int:
    locked = pins()
    problems = []
    for version in argv or VERSIONS:
        found = check(version, locked)
        print(f"requirements.lock on Python {version}: " + ("ok" if not found else f"{len(found)} problem(s)"))
        problems += found
    for problem in problems:
        print("  " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
