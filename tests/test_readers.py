"""The readers see exactly what a file holds: strict encodings, Excel as Excel shows it, text cells."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from cxlib import readers
from cxlib.readers import ReadError, read_table

HEADER = "答卷编号,门店,推荐意愿\n"
ROWS = "R1,城市店,10\nR2,机场店,007\n"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                    ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_csv_encodings_are_detected_and_cells_stay_text(tmp_path, encoding, expected):
    frame = read_table(write(tmp_path, "s.csv", (HEADER + ROWS).encode(encoding)))
    assert frame.attrs["encoding"] == expected
    assert list(frame.columns) == ["答卷编号", "门店", "推荐意愿"]  # no BOM left on the first name
    assert frame["推荐意愿"].tolist() == ["10", "007"]  # text as written: no number parsing
    assert frame["门店"].tolist() == ["城市店", "机场店"]
    assert frame.attrs["first_row"] == 2


def test_undecodable_file_names_file_offset_and_encodings_tried(tmp_path):
    data = b"id,name\n1,\xe9\xa1\n2,\x80\xff\n"  # a GBK pair (not UTF-8), then a byte GB18030 lacks
    with pytest.raises(ReadError) as err:
        read_table(write(tmp_path, "bad.csv", data))
    msg = str(err.value)
    assert "bad.csv" in msg and "utf-8-sig, gb18030" in msg
    utf8_fails, gb_fails = data.index(b"\xe9"), data.index(b"\x80")
    assert f"byte offset {utf8_fails}" in msg and f"byte offset {gb_fails}" in msg


def test_mixed_utf8_and_gbk_is_an_error_with_the_byte_offset(tmp_path):
    head = (HEADER + "R1,城市店,10\n").encode("utf-8")
    data = head + "R2,机场店,9\n".encode("gbk")
    with pytest.raises(ReadError, match="mixed encodings") as err:
        read_table(write(tmp_path, "mixed.csv", data))
    assert f"from offset {len(head) + 3}" in str(err.value)  # the first GBK byte, after "R2,"
    assert "line 3" in str(err.value) and "utf-8-sig, gb18030" in str(err.value)


def test_gbk_file_with_a_short_label_that_happens_to_be_valid_utf8_is_still_gbk(tmp_path):
    data = "编号,性别\n1,女\n2,男\n".encode("gbk")  # 女 in GBK (C5 AE) is also a valid UTF-8 sequence
    frame = read_table(write(tmp_path, "g.csv", data))
    assert frame.attrs["encoding"] == "gb18030" and frame["性别"].tolist() == ["女", "男"]


def test_utf16_gets_a_hint_and_explicit_encoding_is_used_alone(tmp_path):
    with pytest.raises(ReadError, match="UTF-16"):
        read_table(write(tmp_path, "u16.csv", (HEADER + ROWS).encode("utf-16")))
    big5 = write(tmp_path, "tw.csv", "編號,門店\n1,城市店\n".encode("big5"))
    assert read_table(big5, encoding="big5")["門店"].tolist() == ["城市店"]
    with pytest.raises(ReadError, match="cannot decode the file as utf-8: byte offset 0"):
        read_table(write(tmp_path, "g.csv", "门店\n".encode("gbk")), encoding="utf-8")


def test_empty_file_header_only_and_one_row(tmp_path):
    with pytest.raises(ReadError, match="empty.csv: the file is empty"):
        read_table(write(tmp_path, "empty.csv", b""))
    with pytest.raises(ReadError, match="the file is empty"):
        read_table(write(tmp_path, "bom.csv", b"\xef\xbb\xbf\r\n"))
    header_only = read_table(write(tmp_path, "h.csv", HEADER.encode()))
    assert len(header_only) == 0 and list(header_only.columns) == ["答卷编号", "门店", "推荐意愿"]
    assert len(read_table(write(tmp_path, "one.csv", (HEADER + "R1,城市店,10").encode()))) == 1


def test_empty_rows_inside_are_kept_and_at_the_end_dropped(tmp_path):
    frame = read_table(write(tmp_path, "e.csv", (HEADER + "R1,城市店,10\n\n,,\nR2,机场店,9\n\n,,\n").encode()))
    assert frame["答卷编号"].tolist() == ["R1", None, None, "R2"]  # row numbers keep matching the file


def test_header_problems_are_named(tmp_path):
    with pytest.raises(ReadError, match=r"'推荐意愿' twice \(columns B and C\)"):
        read_table(write(tmp_path, "d.csv", "编号,推荐意愿,推荐意愿\n1,9,9\n".encode()))
    with pytest.raises(ReadError, match=r"column C has values \(first in row 3\) but no name"):
        read_table(write(tmp_path, "n.csv", "编号,推荐意愿,\n1,9,\n2,8,x\n".encode()))
    trailing = read_table(write(tmp_path, "t.csv", "编号,推荐意愿,,\n1,9,,\n".encode()))
    assert list(trailing.columns) == ["编号", "推荐意愿"]  # empty unnamed columns carry nothing
    with pytest.raises(ReadError, match="not a well-formed CSV"):
        read_table(write(tmp_path, "r.csv", b"a,b\n1,2\n3,4,5\n"))


def test_title_line_above_the_header(tmp_path):
    path = write(tmp_path, "t.csv", ("2025 年问卷导出\n" + HEADER + ROWS).encode("gbk"))
    assert readers.guess_header_row(path) == 2
    frame = read_table(path, header_row=2)
    assert frame.attrs["first_row"] == 3 and frame["答卷编号"].tolist() == ["R1", "R2"]


def make_book(tmp_path, merge=None, title=False):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["导出说明"])
    ws = book.create_sheet("入住明细")
    if title:
        ws.append(["2025 年入住明细"])
        ws.merge_cells("A1:F1")
    ws.append(["入住单号", "间夜数", "消费", "入住日期", "离店时间", "会员"])
    ws.append(["S1", 2, 1288.5, dt.datetime(2025, 10, 1), dt.datetime(2025, 10, 3, 11, 30), True])
    ws.append(["S2", 3.0, 980, dt.date(2025, 10, 2), "待定", None])
    if merge:
        ws.merge_cells(merge)
    path = tmp_path / "stays.xlsx"
    book.save(path)
    return path


def test_excel_cells_read_as_excel_shows_them(tmp_path):
    frame = read_table(make_book(tmp_path), sheet="入住明细")
    assert frame.attrs["sheet"] == "入住明细" and frame.attrs["format"] == "xlsx"
    assert frame.iloc[0].tolist() == ["S1", "2", "1288.5", "2025-10-01", "2025-10-03 11:30:00", "true"]
    assert frame.iloc[1].tolist() == ["S2", "3", "980", "2025-10-02", "待定", None]
    assert list(read_table(make_book(tmp_path)).columns) == ["导出说明"]  # the first sheet by default


def test_excel_missing_sheet_lists_the_sheets(tmp_path):
    with pytest.raises(ReadError, match="no sheet named 'stays'; the sheets are '说明', '入住明细'"):
        read_table(make_book(tmp_path), sheet="stays")


def test_excel_merged_header_cells_are_named(tmp_path):
    with pytest.raises(ReadError, match=r"sheet '入住明细': merged cells in the header row 1: A1:B1"):
        read_table(make_book(tmp_path, merge="A1:B1"), sheet="入住明细")
    with pytest.raises(ReadError, match=r"merged cells in the data: A2:A3"):
        read_table(make_book(tmp_path, merge="A2:A3"), sheet="入住明细")


def test_excel_merged_title_above_the_header_is_fine(tmp_path):
    path = make_book(tmp_path, title=True)
    assert readers.guess_header_row(path, "入住明细") == 2
    frame = read_table(path, sheet="入住明细", header_row=2)
    assert frame.attrs["first_row"] == 3 and frame["入住单号"].tolist() == ["S1", "S2"]
    with pytest.raises(ReadError, match="merged cells in the header row 1: A1:F1"):
        read_table(path, sheet="入住明细")


def test_parquet_cells_become_text(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet files need the io extra (pyarrow)")
    pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "x": [1.5, None]}).to_parquet(tmp_path / "p.parquet")
    frame = read_table(tmp_path / "p.parquet")
    assert frame["n"].tolist() == ["1", "2"] and frame["x"].tolist() == ["1.5", None]


def test_unsupported_files(tmp_path):
    with pytest.raises(ReadError, match="old Excel format .xls"):
        read_table(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0"))
    with pytest.raises(ValueError, match="unsupported file type '.json'"):
        read_table(write(tmp_path, "x.json", b"{}"))
    with pytest.raises(ReadError, match="not a readable .xlsx"):
        read_table(write(tmp_path, "broken.xlsx", b"not a zip"))


def test_column_letters():
    assert [readers.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
