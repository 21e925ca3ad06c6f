"""JupyterLab shows the lessons' Chinese narrative on machines without a CJK font.

A Jupyter server extension, enabled by ``etc/jupyter/jupyter_server_config.d/cxwb.json``
in the environment (installed with the package; ``make env`` runs
``python -m cxwb.labfont install`` to be sure). That file also turns on JupyterLab's
custom stylesheet (``LabApp.custom_css``); this extension adds two folders of the
installed workbook to the server's ``/custom/`` path, after the user's own
``~/.jupyter/custom``: the stylesheet ``custom.css`` (an ``@font-face`` limited to CJK
code points) and the font it names, the workbook's subset of Noto Sans CJK SC. The
browser fetches the font from the local server only, and only when Chinese text is
on screen. A user's own ``~/.jupyter/custom/custom.css`` takes precedence (then add the
workbook's rules to it: ``python -m cxwb.labfont css`` prints them).

Why hand-written: JupyterLab offers a custom stylesheet but no setting for a web font,
and a prebuilt lab extension would need a JavaScript build for one ``@font-face``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

__all__ = ["CSS_DIR", "font_dir", "config_path", "install"]

CSS_DIR = Path(__file__).resolve().parent / "resources" / "lab"
CONFIG_NAME = "cxwb.json"
CONFIG = {"ServerApp": {"jpserver_extensions": {"cxwb.labfont": True}}, "LabApp": {"custom_css": True}}


def font_dir() -> Path:
    """Folder of the bundled CJK font (without importing matplotlib)."""
    return Path(str(resources.files("cxlib") / "resources" / "fonts"))


def config_path(prefix: str | Path = sys.prefix) -> Path:
    """Where the server configuration that enables this extension lives in an environment."""
    return Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / CONFIG_NAME


def install(prefix: str | Path = sys.prefix) -> Path:
    """Write the configuration file into the environment at ``prefix`` (idempotent)."""
    path = config_path(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(CONFIG, indent=2) + "\n", encoding="utf-8")
    return path


def _jupyter_server_extension_points():
    return [{"module": "cxwb.labfont"}]


def _load_jupyter_server_extension(serverapp) -> None:
    # the /custom/ handler reads this list on every request, so adding to it here is enough
    paths = serverapp.web_app.settings.setdefault("static_custom_path", [])
    for offset, folder in enumerate((CSS_DIR, font_dir())):
        if str(folder) not in paths:
            paths.insert(min(1 + offset, len(paths)), str(folder))
    serverapp.log.info("CX Workbook: Chinese web font for JupyterLab served from %s", font_dir())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["install"]:
        print(f"== JupyterLab Chinese font: {install()}")
        return 0
    if args == ["css"]:
        print((CSS_DIR / "custom.css").read_text(encoding="utf-8"))
        return 0
    print("usage: python -m cxwb.labfont install | css", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
