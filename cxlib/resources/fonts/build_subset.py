"""Rebuild ``NotoSansSC-CXWB-Subset.otf`` from Debian's ``fonts-noto-cjk`` package.

The workbook ships a subset of Noto Sans CJK SC Regular (SIL Open Font License 1.1,
see ``OFL.txt``): printable ASCII and Latin-1, general and CJK punctuation, full-width
forms, the 7,445 characters of GB 2312 and every other character that the workbook's
own text uses (label catalogues, data dictionaries, lessons, exercises, sample data).
The subset keeps matplotlib and HTML reports independent of system fonts at a fraction
of the full font's size. It is renamed ("CXWB Noto Sans SC"), as the licence asks of a
modified version, so it never shadows a full Noto font installed on the machine.

Run from the repository root, after ``apt-get install fonts-noto-cjk``::

    python cxlib/resources/fonts/build_subset.py

fontTools does the subsetting (a matplotlib dependency). Re-run it when the workbook's
text gains characters outside GB 2312; ``tests/test_packaging.py`` checks coverage.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Sans CJK SC"
OUT = HERE / "NotoSansSC-CXWB-Subset.otf"
FAMILY = "CXWB Noto Sans SC"
# the workbook's own text: every character in these files is kept
TEXT_GLOBS = ["cxlib/**/*.yml", "notebooks/*.ipynb", "exercises/*.ipynb", "datasets/**/*.csv",
              "datasets/**/*.md", "examples/**/*.csv", "examples/**/*.yml", "cxlib/resources/voc/*"]


def gb2312() -> str:
    """Every character of the GB 2312 character set (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def workbook_text(root: Path = ROOT) -> str:
    """Distinct characters of the workbook's own text files (see ``TEXT_GLOBS``)."""
    seen: set[str] = set()
    for pattern in TEXT_GLOBS:
        for path in root.glob(pattern):
            if path.is_file():
                seen.update(path.read_bytes().decode("utf-8", errors="ignore"))
    return "".join(sorted(seen))


def base_ranges() -> str:
    """ASCII, Latin-1, general punctuation, CJK symbols and punctuation, full-width forms."""
    spans = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    return "".join(chr(c) for lo, hi in spans for c in range(lo, hi + 1))


def build(source: Path = SOURCE, out: Path = OUT) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    if not source.exists():
        sys.exit(f"{source} is missing: run  apt-get install fonts-noto-cjk")
    fonts = [f for f in TTCollection(str(source)).fonts if f["name"].getDebugName(1) == SOURCE_FAMILY]
    if not fonts:
        sys.exit(f"{source} holds no font named {SOURCE_FAMILY!r}")
    font = fonts[0]
    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=base_ranges() + gb2312() + workbook_text())
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{FAMILY}; subset of {SOURCE_FAMILY} from Debian fonts-noto-cjk"
        elif record.nameID in (4,):
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
    names.removeNames(nameID=16)
    names.removeNames(nameID=17)
    if "CFF " in font:  # the CFF table carries its own copy of the names
        cff = font["CFF "].cff
        cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = f"{FAMILY} Regular"
    font.save(str(out))
    return out


if __name__ == "__main__":
    path = build()
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
