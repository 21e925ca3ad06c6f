"""House theme for every chart, with a CJK font so that Chinese labels render.

The Chinese font is a subset of Noto Sans CJK SC (SIL Open Font License,
``cxlib/resources/fonts/OFL.txt``) shipped inside the package: Latin, the
GB 2312 set and every character of the workbook's own text, about 3 MB
(``cxlib/resources/fonts/build_subset.py`` rebuilds it from Debian's
``fonts-noto-cjk``). Installing the workbook installs the font, with no system
package, no root and no download at run time. :func:`use_theme` registers it
with matplotlib and puts it first in the sans-serif list (it also covers Latin
letters, so English and Chinese charts look alike).

Concept charts live beside their concept (``cxlib.metrics.plot_nps_trend``,
``cxlib.kano.plot_better_worse`` …); they are axes-level like seaborn's:
they take ``ax=`` and return it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager

from .i18n import check_lang

__all__ = ["CJK_FONT_FILE", "cjk_font_path", "register_cjk_font", "use_theme", "get_ax", "NPS_COLORS", "PALETTE"]

CJK_FONT_FILE = "NotoSansSC-CXWB-Subset.otf"
PALETTE = ["#1f5f8b", "#e07a2f", "#3a9a5b", "#c0392b", "#7d5ba6", "#8c8c8c", "#d4a017", "#2bb3c0"]
# Okabe & Ito (2008): vermillion and blue stay apart for red–green colour-blind readers, where the
# usual red and green do not; passives grey.
NPS_COLORS = {"detractor": "#D55E00", "passive": "#b0b0b0", "promoter": "#0072B2"}


def cjk_font_path() -> Path:
    """Path of the bundled CJK font file (the workbook's subset of Noto Sans CJK SC)."""
    path = Path(str(resources.files("cxlib") / "resources" / "fonts" / CJK_FONT_FILE))
    if not path.exists():
        raise FileNotFoundError(
            f"the CJK font {path} is missing from the installed cxlib package; "
            "reinstall the workbook (`make env` or `pip install cx-workbook`)"
        )
    return path


@cache
def register_cjk_font() -> str:
    """Register the CJK font with matplotlib (once) and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_theme(lang: str = "en", context: str = "notebook") -> None:
    """Apply the house theme: seaborn whitegrid, the house palette and the CJK font.

    Parameters
    ----------
    lang : {"en", "zh"}
        The lesson's language; both use the same font so charts look alike.
    context : str
        seaborn context ("paper", "notebook", "talk" for projecting in class).
    """
    check_lang(lang)
    family = register_cjk_font()
    sns.set_theme(
        context=context,
        style="whitegrid",
        palette=PALETTE,
        rc={
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,  # the CJK font has no U+2212 minus; use the hyphen
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titlesize": "large",
            "axes.spines.top": False,
            "axes.spines.right": False,
        },
    )
    mpl.rcParams["svg.fonttype"] = "none"


def get_ax(ax=None, figsize=None):
    """The axes to draw on: ``ax`` itself, or a new figure's axes when ``ax`` is None."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax
