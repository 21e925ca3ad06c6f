"""JupyterLab shows the lessons' Chinese narrative on machines without a CJK font.

The workbook installs a small JupyterLab extension, ``cxwb-fonts``, into the
environment (``share/jupyter/labextensions/cxwb-fonts``: pip installs it with the
package; ``make env`` runs ``python -m cxwb.labfont install`` for the editable
install). It holds a stylesheet with an ``@font-face`` limited to CJK code points and
the font it names, the workbook's subset of Noto Sans CJK SC (SIL OFL 1.1). JupyterLab
loads it like any prebuilt extension; the browser fetches the font from the local
server, and only when Chinese text is on screen. Nothing is written outside the
environment and no user setting changes.

Why hand-written: a JupyterLab extension is normally built with node and webpack;
one ``@font-face`` needs only the extension's loading contract (a ``remoteEntry``
script registering a ``./style`` module), written out in
``cxwb/resources/labextension/static/remoteEntry.cxwb.js``.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

__all__ = ["NAME", "SOURCE", "font_file", "target_dir", "install"]

NAME = "cxwb-fonts"
SOURCE = Path(__file__).resolve().parent / "resources" / "labextension"


def font_file() -> Path:
    """The bundled CJK font file."""
    from cxlib.plots import CJK_FONT_FILE

    return Path(str(resources.files("cxlib") / "resources" / "fonts" / CJK_FONT_FILE))


def target_dir(prefix: str | Path = sys.prefix) -> Path:
    """Where JupyterLab finds the extension in the environment at ``prefix``."""
    return Path(prefix) / "share" / "jupyter" / "labextensions" / NAME


def install(prefix: str | Path = sys.prefix) -> Path:
    """Copy the extension and the font into the environment at ``prefix`` (idempotent)."""
    target = target_dir(prefix)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SOURCE, target)
    shutil.copy2(font_file(), target / "static" / font_file().name)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m cxwb.labfont install", file=sys.stderr)
        return 2
    print(f"== JupyterLab Chinese font: {install()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
