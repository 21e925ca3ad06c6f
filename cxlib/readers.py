"""Read the files analysts have: CSV (UTF-8 or GBK), Excel and Parquet, every cell as text.

:func:`read_table` returns a DataFrame whose cells are strings exactly as the
file holds them (or missing), so that validation (:func:`cxlib.datasets.validate`)
sees what is really there: no number parsing, no date guessing, no encoding
guessing.

Encodings of CSV files
----------------------
A CSV file is decoded *strictly* (no replacement characters), trying in order:

1. ``utf-8-sig`` — UTF-8, with or without the byte-order mark that Excel's
   "CSV UTF-8" adds;
2. ``gb18030`` — the Chinese national standard, a superset of GBK and GB2312,
   which is what Excel and WPS on a Chinese Windows write as "CSV".

The first that decodes the whole file wins, and a GB18030 decode must also look
like Chinese text: bytes of another East-Asian encoding (Big5, Shift-JIS, EUC-KR)
often decode as GB18030 too, into rare characters, box-drawing signs and kana
(mojibake). When the decoded text is implausible (more than a few such signs, or
under half of its Chinese characters among the 3,755 common ones of GB2312
level 1) the file is refused, naming the encoding it most likely has (as
charset-normalizer judges it among Big5, Shift-JIS, EUC-KR and GB18030), rather
than read as garbage. A file that neither decodes is an
error naming the file, the byte offset where each decoding failed and the
encodings tried. A file that is partly UTF-8 and partly GBK (two exports pasted
together) is an error too, naming the byte offset where the UTF-8 part ends,
rather than being read as GBK with garbled Chinese. Pass ``encoding=`` (or
``encoding:`` in ``mapping.yml``) to name another encoding, e.g. ``big5``.

CSV records
-----------
Every record must have as many fields as the header. A record with fewer (a line
break inside a field that is not quoted splits one record into two short ones) is
an error naming the line. A quoted field that spans lines is kept (a remark with a
line break), unless a line inside it looks like a whole record (as many separators
as the header), or every line it spans would be a whole record by itself: that is an
unbalanced quote swallowing the records after it, an
error naming the line where the quote opens and where it closes. A quote that never
closes is an error naming the line where it opens.

Excel
-----
``.xlsx`` workbooks are read with openpyxl: the first *visible* sheet (hidden and
very hidden sheets are never read unless named), or the one named. Only the used
range is read (cells holding a value), so a formatted empty cell far below the data
costs nothing. Cells keep what Excel shows: whole numbers without ``.0``, numbers
formatted with leading zeros (number format ``000``) with their zeros, dates as
``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when they carry a time), booleans as
``true``/``false``. It is an error, naming the cells:

* merged cells in the header row (or below it): a merged header hides column names,
  and a merged data cell leaves every row but the first empty;
* a formula without a cached value (the workbook was written by a program that
  does not calculate, and never opened in Excel): its value is unknown;
* a whole number of 16 or more digits stored as a number: Excel keeps 15 significant
  digits, so an 18-digit id has already lost its last digits in the file.

Parquet
-------
Read with pyarrow (the ``io`` extra: ``pip install 'cx-workbook[io]'``). Columns are converted
to text with Arrow compute (vectorised). List, struct, map and
binary columns are an error naming them; the Arrow type of every column is kept in
``frame.attrs["types"]`` so that validation can refuse floating-point ids (``7.0``).
Whole floats are written without ``.0``; NaN is a missing value.

Files
-----
Only regular files are read: a folder, a FIFO or a device (``/dev/zero``) is refused
before anything is read.

Rows
----
The header is the first row (``header_row=`` to start lower, e.g. under a
title row). Row numbers in messages count like a spreadsheet: the header is
row ``header_row`` and ``frame.attrs["first_row"]`` is the number of the first
data row. Empty rows in the middle of a file are kept (they show up as missing
values); empty rows at the very end, and empty columns without a header, carry
nothing and are left out.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import stat
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CXDataError, optional_import

__all__ = ["ENCODINGS", "SUFFIXES", "ReadError", "decode", "read_table", "read_csv", "read_excel",
           "read_parquet", "column_letter", "guess_header_row", "regular_file", "read_bytes", "first_visible_sheet"]

ENCODINGS = ("utf-8-sig", "gb18030")
SUFFIXES = (".csv", ".xlsx", ".parquet")
_TEXT = np.dtypes.StringDType()  # variable-width text for numpy.strings' compiled loops
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class ReadError(CXDataError):
    """A file cannot be read as a table: encoding, layout (merged cells, header) or format."""


def column_letter(i: int) -> str:
    """Spreadsheet letter of the 0-based column ``i`` (0 → A, 26 → AA)."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def regular_file(path: str | Path, what: str = "a table") -> Path:
    """``path`` when it is a regular file; else :class:`ReadError` (a FIFO would block, /dev/zero never ends)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist") from None
    except OSError as err:
        raise ReadError(f"{path}: cannot be read ({err.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "not a regular file")
        raise ReadError(f"{path} is {kind}; expected {what} saved as a regular file")
    return path


def read_bytes(path: str | Path, what: str = "a table") -> bytes:
    """The bytes of a regular file (see :func:`regular_file`), with read errors as :class:`ReadError`."""
    path = regular_file(path, what)
    try:
        return path.read_bytes()
    except OSError as err:
        raise ReadError(f"{path}: cannot be read ({err.strerror})") from None


_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Signs that GB18030 mojibake of Big5 / Shift-JIS / EUC-KR bytes is full of, and Chinese text is not:
# Greek, Cyrillic, box drawing, kana, half-width kana, the private-use area, rare CJK extension A.
_MOJIBAKE = re.compile(r"[\u0370-\u052f\u2500-\u257f\u3040-\u30ff\uff61-\uff9f\ue000-\uf8ff\u3400-\u4dbf]")


@lru_cache(maxsize=32768)
def _common_hanzi(char: str) -> bool:
    """One of the 3,755 common characters (GB2312 level 1, lead bytes 0xB0-0xD7)."""
    try:
        return 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def _implausible_chinese(text: str) -> str | None:
    """Why ``text`` (a GB18030 decode) does not look like Chinese, or None when it does.

    Hand-written because no library answers this narrower question (is this GB18030
    decode real Chinese?); charset-normalizer then names the likely encoding.
    """
    hanzi = Counter(_HANZI.findall(text))
    n_hanzi = sum(hanzi.values())
    odd = len(_MOJIBAKE.findall(text))
    if odd >= 3 and odd > 0.02 * max(n_hanzi, 1):
        return f"{odd} characters such as kana, box-drawing signs or rare ideographs that Chinese text does not hold"
    if n_hanzi >= 8:
        common = sum(n for ch, n in hanzi.items() if _common_hanzi(ch))
        if common < 0.5 * n_hanzi:
            return (f"only {common} of its {n_hanzi} Chinese characters are common ones "
                    "(real Chinese text has most of them among the 3,755 of GB2312 level 1)")
    return None


def _likely_encoding(data: bytes) -> str | None:
    """The East-Asian encoding charset-normalizer finds most plausible for ``data``, if any."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency; without it the message names no encoding
        return None
    best = from_bytes(data[:200_000], cp_isolation=["big5", "shift_jis", "euc_kr", "gb18030"]).best()
    return None if best is None else best.encoding


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf8_chinese_line(data: bytes) -> tuple[int, int] | None:
    """First line (number, byte offset) that is valid UTF-8 holding Chinese text, if any.

    Two or more CJK characters in one line decoding as UTF-8 is evidence of UTF-8: GBK
    bytes almost never form such a line by chance.
    """
    offset = 0
    for number, line in enumerate(data.split(b"\n"), 1):
        if any(b >= 0x80 for b in line):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            if len(_CJK.findall(text)) >= 2:
                return number, offset
        offset += len(line) + 1
    return None


def decode(data: bytes, source: str = "the file", encoding: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file strictly; returns ``(text, encoding used)``.

    Tries ``encoding`` alone when given, else :data:`ENCODINGS` in order. Raises
    :class:`ReadError` naming ``source``, the byte offset and the encodings tried.
    """
    if encoding is not None and not isinstance(encoding, str):
        raise ReadError(f"{source}: the encoding must be a name such as 'gbk' or 'big5', got {encoding!r}")
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as err:
            raise ReadError(
                f"{source}: cannot decode the file as {encoding}: byte offset {err.start} "
                f"(line {_line_of(data, err.start)}, byte 0x{data[err.start]:02X}) is not valid {encoding}"
            ) from None
        except LookupError:
            raise ReadError(f"{source}: unknown encoding {encoding!r}") from None
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as err:
        bad_utf8 = err.start
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ReadError(
            f"{source}: the file is UTF-16 (Excel's 'Unicode text'); encodings tried: "
            f"{', '.join(ENCODINGS)}. Save it as 'CSV UTF-8' instead"
        )
    utf8_line = _utf8_chinese_line(data)
    if utf8_line is not None:
        number, offset = utf8_line
        raise ReadError(
            f"{source}: mixed encodings: line {number} (byte offset {offset}) is UTF-8 Chinese text, "
            f"but the bytes from offset {bad_utf8} (line {_line_of(data, bad_utf8)}, byte "
            f"0x{data[bad_utf8]:02X}) are not UTF-8 (probably GBK); encodings tried: "
            f"{', '.join(ENCODINGS)}. Save the whole file again in one encoding (CSV UTF-8)"
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise ReadError(
            f"{source}: cannot decode the file as text: not UTF-8 (byte offset {bad_utf8}, line "
            f"{_line_of(data, bad_utf8)}, byte 0x{data[bad_utf8]:02X}) and not GB18030/GBK (byte "
            f"offset {err.start}, line {_line_of(data, err.start)}, byte 0x{data[err.start]:02X}); "
            f"encodings tried: {', '.join(ENCODINGS)}. Save it as 'CSV UTF-8', or name its "
            "encoding (encoding: in mapping.yml)"
        ) from None
    why = _implausible_chinese(text)
    if why is not None:
        likely = _likely_encoding(data)
        name = {"big5": "Big5 (traditional Chinese)", "shift_jis": "Shift-JIS (Japanese)",
                "euc_kr": "EUC-KR (Korean)"}.get(likely or "", likely)
        hint = (f"it is most likely {name}: name it (encoding: {likely} in mapping.yml)"
                if likely and likely != "gb18030" else "name its encoding (encoding: in mapping.yml)")
        raise ReadError(
            f"{source}: the file is not UTF-8, and read as GB18030/GBK it is garbled: {why}; "
            f"{hint}, or save it as 'CSV UTF-8'"
        )
    return text, "gb18030"


def _frame_from_grid(grid: pd.DataFrame, source: str, header_row: int) -> pd.DataFrame:
    """Header + data rows (a grid of str/None, header first) → text DataFrame, checking the header."""
    grid = grid.astype(object).where(grid.notna(), None)
    filled = grid.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise ReadError(f"{source}: the file is empty; expected a header row with the column names, then one row per record")
    grid = grid.iloc[: int(filled.nonzero()[0][-1]) + 1]  # empty rows at the end carry nothing
    header, body = grid.iloc[0].tolist(), grid.iloc[1:]
    has_data = body.notna().any(axis=0).to_numpy()
    names = [None if h is None or not str(h).strip() else str(h).strip() for h in header]
    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name is None:
            if has_data[i]:
                first = int(body.iloc[:, i].notna().to_numpy().nonzero()[0][0])
                raise ReadError(
                    f"{source}: column {column_letter(i)} has values (first in row {header_row + 1 + first}) "
                    f"but no name in the header row {header_row}; give it a name"
                )
            continue  # an empty column without a name carries nothing
        if name in seen:
            raise ReadError(
                f"{source}: the header names column {name!r} twice (columns "
                f"{column_letter(seen[name])} and {column_letter(i)}); each column needs its own name"
            )
        seen[name] = i
        keep.append(i)
    frame = body.iloc[:, keep].copy()
    frame.columns = [names[i] for i in keep]
    return frame.reset_index(drop=True)


def _finish(frame: pd.DataFrame, path: Path, fmt: str, first_row: int, **info) -> pd.DataFrame:
    frame.attrs.update({"source": str(path), "format": fmt, "first_row": first_row, **info})
    return frame


def _unclosed_quote_line(text: str, sep: str) -> int | None:
    """Line where a quote opens that never closes (error path only: the csv module, row by row)."""
    import csv

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    last = 0
    try:
        for _ in reader:
            last = reader.line_num
    except csv.Error:
        return last + 1
    return None


def _check_records(grid: pd.DataFrame, text: str, sep: str, header_row: int, source: str) -> None:
    """Every record has the header's fields; no quoted field swallows whole records (see the module docstring).

    Vectorised with NumPy's string functions (``numpy.strings``, compiled loops over a
    ``StringDType`` array) over lines and cells; only cells holding a line break (rare, and only
    possible inside quotes) are looked at one by one.
    """
    width = grid.shape[1]
    if width < 2 or grid.empty:
        return
    lines = np.array(text.split("\n"), dtype=_TEXT)
    seps = np.strings.count(lines, sep)
    per_record = np.zeros(len(grid), dtype=np.int64)
    breaks = np.zeros(grid.shape, dtype=np.int64)
    if '"' in text:  # a field can hold a line break only inside quotes
        for j, c in enumerate(grid.columns):
            cells = np.array(grid[c].fillna("").to_numpy(dtype=object), dtype=_TEXT)
            breaks[:, j] = np.strings.count(cells, "\n")
        per_record = breaks.sum(axis=1)
    start = header_row + np.arange(len(grid)) + np.concatenate([[0], np.cumsum(per_record)[:-1]])  # physical lines
    for i, j in zip(*np.nonzero(breaks), strict=True):
        parts = str(grid.iat[i, j]).split("\n")
        swallowed = [int(start[i]) + k for k, part in enumerate(parts[1:], 1) if part.count(sep) >= width - 1]
        own = seps[int(start[i]) - 1: int(start[i]) + int(per_record[i])]
        if not swallowed and (own >= width - 1).all():
            swallowed = list(range(int(start[i]) + 1, int(start[i]) + len(own)))  # every line a whole record by itself
        if swallowed:
            end = int(start[i]) + len(parts) - 1
            shown = ", ".join(map(str, swallowed[:5])) + (f", … ({len(swallowed)} lines)" if len(swallowed) > 5 else "")
            raise ReadError(
                f"{source}: unbalanced quote: a quoted field in column {column_letter(j)} opens on line {int(start[i])} "
                f"and closes only on line {end}, swallowing lines that look like whole records "
                f"(line{'s' if len(swallowed) > 1 else ''} {shown}); "
                f"those records would vanish. Remove the stray quote (\") or close it on line {int(start[i])}"
            )
    idx = start[per_record == 0] - 1
    idx = idx[idx < len(lines)]
    quoted = np.strings.find(lines, '"') >= 0
    blank = np.strings.strip(lines) == ""
    fields = seps[idx] + 1
    short = ~quoted[idx] & ~blank[idx] & (fields < width)
    if short.any():
        bad = idx[short] + 1
        counts = fields[short]
        shown = ", ".join(f"line {n} ({c} fields)" for n, c in zip(bad[:5], counts[:5], strict=True))
        more = f", … and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ReadError(
            f"{source}: {len(bad)} record{'s' if len(bad) != 1 else ''} with fewer fields than the header's {width}: "
            f"{shown}{more}; a line break inside a field that is not quoted splits a record in two. "
            "Quote that field, or remove the line break"
        )


def read_csv(path: str | Path, sep: str = ",", header_row: int = 1, encoding: str | None = None) -> pd.DataFrame:
    """A CSV file as text columns; the encoding is detected strictly (see the module docstring)."""
    path = Path(path)
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
        raise ReadError(f"{path}: the separator must be one character such as ',' or ';' (or a tab), got {sep!r}")
    text, used = decode(read_bytes(path), str(path), encoding)
    if not text.strip():
        raise ReadError(f"{path}: the file is empty; expected a header row with the column names, then one row per record")
    n_lines = text.count("\n") + (not text.endswith("\n"))
    if header_row > n_lines:
        raise ReadError(f"{path}: the header is expected on line {header_row}, but the file has {n_lines} line"
                        f"{'s' if n_lines != 1 else ''}; check header_row in mapping.yml")
    try:
        grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""],
                           skip_blank_lines=False, sep=sep, skiprows=header_row - 1, engine="c")
    except pd.errors.EmptyDataError:
        raise ReadError(f"{path}: nothing below line {header_row - 1}; expected the header on line {header_row}") from None
    except pd.errors.ParserError as err:
        opened = _unclosed_quote_line(text, sep)
        if opened is not None:
            raise ReadError(f"{path}: a quote (\") opens on line {opened} and never closes, so every record after "
                            "it would be read into one field; remove the stray quote or close it") from None
        raise ReadError(f"{path}: not a well-formed CSV table ({err}); check for a stray separator or quote, "
                        "or a title line above the header (header_row: in mapping.yml)") from None
    _check_records(grid, text, sep, header_row, str(path))
    frame = _frame_from_grid(grid, str(path), header_row)
    return _finish(frame, path, "csv", header_row + 1, encoding=used)


_ZERO_PAD = re.compile(r"^0+$")
_PRECISE_DIGITS = 1e15  # Excel keeps 15 significant digits: a whole number from here on may have lost some


def _cell_text(value, number_format: str = "General") -> str | None:
    """What Excel shows in a cell, as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if _ZERO_PAD.match(number_format or "") and value >= 0:
            return str(value).zfill(len(number_format))
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _PRECISE_DIGITS:
            return _cell_text(int(value), number_format)
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def _cells_named(coords: list[str]) -> str:
    return ", ".join(coords[:5]) + (f", … and {len(coords) - 5} more" if len(coords) > 5 else "")


def _formulas_without_value(path: Path, title: str, header_row: int, used: dict) -> list[str]:
    """Cells of sheet ``title`` holding a formula whose cached value is missing (``used``: coordinate → value)."""
    import zipfile

    import openpyxl

    with zipfile.ZipFile(path) as z:
        if not any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return []  # no formula anywhere: skip the second pass
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        for row in book[title].iter_rows(min_row=header_row):
            for cell in row:
                if getattr(cell, "data_type", None) == "f" and used.get(cell.coordinate) is None:
                    found.append(cell.coordinate)
        return found
    finally:
        book.close()


def first_visible_sheet(book, path) -> str:
    """The title of the first sheet that is not hidden (what Excel shows on opening)."""
    visible = [ws.title for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise ReadError(f"{path}: every sheet is hidden; name the sheet to read (sheet: in mapping.yml)")
    return visible[0]


def read_excel(path: str | Path, sheet: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """One sheet of an ``.xlsx`` workbook (the first visible one, or ``sheet`` by name) as text columns."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = regular_file(path)
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as err:
        raise ReadError(f"{path}: not a readable .xlsx workbook ({err}); save it from Excel or WPS as .xlsx") from None
    except Exception as err:  # noqa: BLE001 - openpyxl fails in many ways on parts it cannot parse
        raise ReadError(f"{path}: openpyxl cannot read this workbook ({type(err).__name__}: {err}); open it in "
                        "Excel or WPS and save it again as .xlsx") from None
    if sheet is None:
        ws = book[first_visible_sheet(book, path)]
    else:
        if str(sheet) not in book.sheetnames:
            raise ReadError(f"{path}: no sheet named {str(sheet)!r}; the sheets are {', '.join(map(repr, book.sheetnames))}")
        ws = book[str(sheet)]
    where = f"{path}, sheet {ws.title!r}"
    merged = [r for r in ws.merged_cells.ranges if r.max_row >= header_row]
    in_header = [r.coord for r in merged if r.min_row <= header_row]
    if in_header:
        raise ReadError(
            f"{where}: merged cells in the header row {header_row}: {', '.join(in_header)}; a merged header "
            "hides column names: unmerge them and give every column its own name"
        )
    below = [r.coord for r in merged]
    if below:
        raise ReadError(
            f"{where}: merged cells in the data: {_cells_named(below)}"
            + "; only the first row of a merged block holds the value: unmerge them and fill every row"
        )
    # the used range: cells that hold a value (a formatted empty cell at row 1,048,576 is not data)
    filled = {(r, c): cell for (r, c), cell in ws._cells.items() if cell.value is not None and r >= header_row}
    n_rows = max((r for r, _ in filled), default=header_row) - header_row + 1
    n_cols = max((c for _, c in filled), default=0)
    grid = np.full((n_rows, n_cols), None, dtype=object)
    lost = []
    for (r, c), cell in filled.items():
        value = cell.value
        if isinstance(value, float) and value.is_integer() and abs(value) >= _PRECISE_DIGITS:
            lost.append((r, c, cell.coordinate, value))
        grid[r - header_row, c - 1] = _cell_text(value, cell.number_format)
    if lost:
        lost.sort()
        raise ReadError(
            f"{where}: whole numbers of 16 or more digits stored as numbers: "
            f"{_cells_named([f'{k} ({int(v)})' for _, _, k, v in lost])}; Excel keeps only 15 digits, so "
            "these (ids?) have lost their last digits in the file. Export the column as text"
        )
    formulas = _formulas_without_value(path, ws.title, header_row,
                                       {cell.coordinate: cell.value for cell in filled.values()})
    if formulas:
        raise ReadError(
            f"{where}: formulas without a calculated value: {_cells_named(formulas)}; the workbook was saved by a "
            "program that does not calculate. Open it in Excel or WPS and save it again (or paste the values)"
        )
    frame = _frame_from_grid(pd.DataFrame(grid, dtype=object), where, header_row)
    return _finish(frame, path, "xlsx", header_row + 1, sheet=ws.title)


_NESTED = ("list", "large_list", "fixed_size_list", "list_view", "large_list_view", "struct", "map",
           "binary", "large_binary", "fixed_size_binary", "binary_view", "dense_union", "sparse_union")


def _arrow_text(column):
    """A pyarrow ChunkedArray as an object array of str/None, vectorised with Arrow compute."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)  # NaN: a missing value
        text = pc.cast(column, pa.string())  # 7.0 → "7", 7.5 → "7.5"
    elif pa.types.is_timestamp(kind):  # casts, not strftime: strftime is slow per value
        whole = pc.equal(pc.subsecond(column), 0)
        seconds = pc.cast(pc.cast(column, pa.timestamp("s", kind.tz), safe=False), pa.string())
        text = pc.if_else(whole, seconds, pc.cast(column, pa.string()))
        if not kind.tz:
            midnight = pc.equal(pc.floor_temporal(column, unit="day"), column)
            text = pc.if_else(midnight, pc.cast(pc.cast(column, pa.date32()), pa.string()), text)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column
    else:
        text = pc.cast(column, pa.string())
    return text.to_numpy(zero_copy_only=False).astype(object)


def read_parquet(path: str | Path) -> pd.DataFrame:
    """A Parquet file as text columns, converted with Arrow compute (see the module docstring)."""
    pq = optional_import("pyarrow.parquet", "io", "reading a Parquet file")
    path = regular_file(path)
    try:
        table = pq.read_table(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises several types for a broken file
        raise ReadError(f"{path}: not a readable Parquet file ({err})") from None
    names = [str(n) for n in table.column_names]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ReadError(f"{path}: the file names column(s) {', '.join(map(repr, twice))} more than once; "
                        "each column needs its own name")
    nested = [f"{name} ({col.type})" for name, col in zip(table.column_names, table.columns, strict=True)
              if str(col.type).split("<")[0].split("[")[0] in _NESTED]
    if nested:
        raise ReadError(f"{path}: column(s) holding lists, records or bytes, not single values: {', '.join(nested)}; "
                        "expected one number, text, date or true/false per cell")
    try:
        text = pd.DataFrame({str(name): _arrow_text(col) for name, col in zip(table.column_names, table.columns, strict=True)})
    except Exception as err:  # noqa: BLE001 - an Arrow type without a text form
        raise ReadError(f"{path}: a column cannot be read as text ({err})") from None
    text = text.astype(object).where(text.notna(), None)
    types = {str(name): str(col.type) for name, col in zip(table.column_names, table.columns, strict=True)}
    return _finish(text, path, "parquet", 2, types=types)


def guess_header_row(path: str | Path, sheet: str | None = None, encoding: str | None = None,
                     sep: str | None = None) -> int:
    """The first of the top ten rows with two or more filled cells (a title row above the header has one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(regular_file(path), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - read_table names the problem; here only the header row is guessed
            return 1
        ws = book[sheet] if sheet is not None else book[first_visible_sheet(book, path)]
        rows = list(ws.iter_rows(min_row=1, max_row=10, values_only=True))
        book.close()
    elif suffix in (".csv", ".txt", ".tsv"):
        import csv

        text, _ = decode(read_bytes(path), str(path), encoding)
        delimiter = sep or ("\t" if suffix == ".tsv" else ",")
        rows = [row for _, row in zip(range(10), csv.reader(io.StringIO(text), delimiter=delimiter), strict=False)]
    else:
        return 1
    for number, row in enumerate(rows, 1):
        if sum(v is not None and str(v).strip() != "" for v in row) >= 2:
            return number
    return 1


def read_table(path: str | Path, *, sheet: str | None = None, sep: str | None = None, header_row: int = 1,
               encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.tsv``, ``.txt``), Excel (``.xlsx``, ``.xlsm``) or Parquet file as text.

    Parameters
    ----------
    path : str or Path
        The file; its type comes from the suffix.
    sheet : str, optional
        Excel only: the sheet's name (default: the first sheet).
    sep : str, optional
        CSV only: the separator (default ``,``; tab for ``.tsv``).
    header_row : int, default 1
        The row holding the column names (1 = the first line); rows above it are ignored.
    encoding : str, optional
        CSV only: decode with this encoding instead of detecting UTF-8 / GB18030.

    Returns
    -------
    pandas.DataFrame
        Every cell a ``str`` or ``None``; ``attrs``: ``source``, ``format``, ``first_row``
        (spreadsheet number of the first data row) and ``encoding`` or ``sheet``.

    Raises
    ------
    ReadError
        For an empty or undecodable file, mixed encodings, merged header cells, a header
        naming a column twice, a missing sheet or an unsupported file type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = path.write_bytes("答卷编号,推荐意愿\\nR1,10\\n".encode("gbk"))
    >>> frame = read_table(path)
    >>> frame.attrs["encoding"], frame.iloc[0].tolist()
    ('gb18030', ['R1', '10'])
    """
    path = Path(path)
    if header_row < 1:
        raise ValueError(f"header_row counts from 1 (the first line), got {header_row}")
    suffix = path.suffix.lower()
    regular_file(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, sep=sep or ("\t" if suffix == ".tsv" else ","), header_row=header_row, encoding=encoding)
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path, sheet=sheet, header_row=header_row)
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix == ".xls":
        raise ReadError(f"{path}: the old Excel format .xls is not supported; open it in Excel or WPS and save it as .xlsx")
    raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv, .xlsx or .parquet")
