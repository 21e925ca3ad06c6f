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

The first that decodes the whole file wins. A file that neither decodes is an
error naming the file, the byte offset where each decoding failed and the
encodings tried. A file that is partly UTF-8 and partly GBK (two exports pasted
together) is an error too, naming the byte offset where the UTF-8 part ends,
rather than being read as GBK with garbled Chinese. Pass ``encoding=`` (or
``encoding:`` in ``mapping.yml``) to name another encoding, e.g. ``big5``.

Excel
-----
``.xlsx`` workbooks are read with openpyxl: the first sheet, or the one named.
Cells keep what Excel shows: whole numbers without ``.0``, dates as
``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when they carry a time), booleans as
``true``/``false``. Merged cells in the header row (or below it) are an error
naming the cells: a merged header hides column names, and a merged data cell
leaves every row but the first empty.

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
from pathlib import Path

import pandas as pd

from .errors import CXDataError

__all__ = ["ENCODINGS", "SUFFIXES", "ReadError", "decode", "read_table", "read_csv", "read_excel",
           "read_parquet", "column_letter", "guess_header_row"]

ENCODINGS = ("utf-8-sig", "gb18030")
SUFFIXES = (".csv", ".xlsx", ".parquet")
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
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        raise ReadError(
            f"{source}: cannot decode the file as text: not UTF-8 (byte offset {bad_utf8}, line "
            f"{_line_of(data, bad_utf8)}, byte 0x{data[bad_utf8]:02X}) and not GB18030/GBK (byte "
            f"offset {err.start}, line {_line_of(data, err.start)}, byte 0x{data[err.start]:02X}); "
            f"encodings tried: {', '.join(ENCODINGS)}. Save it as 'CSV UTF-8', or name its "
            "encoding (encoding: in mapping.yml)"
        ) from None


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


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays in a cell are values
        return False


def _finish(frame: pd.DataFrame, path: Path, fmt: str, first_row: int, **info) -> pd.DataFrame:
    frame.attrs.update({"source": str(path), "format": fmt, "first_row": first_row, **info})
    return frame


def read_csv(path: str | Path, sep: str = ",", header_row: int = 1, encoding: str | None = None) -> pd.DataFrame:
    """A CSV file as text columns; the encoding is detected strictly (see the module docstring)."""
    path = Path(path)
    text, used = decode(path.read_bytes(), str(path), encoding)
    if not text.strip():
        raise ReadError(f"{path}: the file is empty; expected a header row with the column names, then one row per record")
    try:
        grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""],
                           skip_blank_lines=False, sep=sep, skiprows=header_row - 1)
    except pd.errors.EmptyDataError:
        raise ReadError(f"{path}: nothing below line {header_row - 1}; expected the header on line {header_row}") from None
    except pd.errors.ParserError as err:
        raise ReadError(f"{path}: not a well-formed CSV table ({err}); check for a stray separator or quote, "
                        "or a title line above the header (header_row: in mapping.yml)") from None
    frame = _frame_from_grid(grid, str(path), header_row)
    return _finish(frame, path, "csv", header_row + 1, encoding=used)


def _cell_text(value) -> str | None:
    """What Excel shows in a cell, as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def read_excel(path: str | Path, sheet: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """One sheet of an ``.xlsx`` workbook (the first, or ``sheet`` by name) as text columns."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as err:
        raise ReadError(f"{path}: not a readable .xlsx workbook ({err}); save it from Excel or WPS as .xlsx") from None
    if sheet is None:
        ws = book.worksheets[0]
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
            f"{where}: merged cells in the data: {', '.join(below[:5])}"
            + (f", … and {len(below) - 5} more" if len(below) > 5 else "")
            + "; only the first row of a merged block holds the value: unmerge them and fill every row"
        )
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=header_row, values_only=True)]
    frame = _frame_from_grid(pd.DataFrame(rows, dtype=object), where, header_row)
    return _finish(frame, path, "xlsx", header_row + 1, sheet=ws.title)


def read_parquet(path: str | Path) -> pd.DataFrame:
    """A Parquet file as text columns (numbers and dates written as pandas prints them)."""
    path = Path(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises several types for a broken file
        raise ReadError(f"{path}: not a readable Parquet file ({err})") from None
    text = pd.DataFrame({str(c): pd.Series([None if _missing(v) else str(v) for v in frame[c]], dtype=object)
                         for c in frame.columns})
    return _finish(text, path, "parquet", 2)


def guess_header_row(path: str | Path, sheet: str | None = None, encoding: str | None = None,
                     sep: str | None = None) -> int:
    """The first of the top ten rows with two or more filled cells (a title row above the header has one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = list(ws.iter_rows(min_row=1, max_row=10, values_only=True))
        book.close()
    elif suffix in (".csv", ".txt", ".tsv"):
        import csv

        text, _ = decode(path.read_bytes(), str(path), encoding)
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
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, sep=sep or ("\t" if suffix == ".tsv" else ","), header_row=header_row, encoding=encoding)
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path, sheet=sheet, header_row=header_row)
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix == ".xls":
        raise ReadError(f"{path}: the old Excel format .xls is not supported; open it in Excel or WPS and save it as .xlsx")
    raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv, .xlsx or .parquet")
