"""The analyst's data path loses nothing, guesses nothing, never crashes and never half-writes.

One section per kind of bad input; each test fails on the loader as it was before these rules.
"""

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook

from cxlib import atomic, datasets, readers
from cxlib.errors import DataValidationError, OutputError
from cxlib.mapping import MappingError, load_mapping, parse_mapping, suggest_mapping
from cxlib.readers import ReadError, read_table
from cxwb import cli, runner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "own_data"


def sample_text(world, table, n=12):
    return pd.read_csv(datasets.sample_dir(world) / f"{table}.csv", dtype=str, keep_default_na=False,
                       na_values=[""], nrows=n)


def problems_of(frame, world, table):
    with pytest.raises(DataValidationError) as err:
        datasets.validate(frame, world, table)
    return err.value.problems


def find(problems, column, message):
    hits = [p for p in problems if p["column"] == column and message in p["message"]]
    assert hits, f"no problem {message!r} for {column!r} in {[(p['column'], p['message']) for p in problems]}"
    return hits[0]


# ------------------------------------------------------------------------------------------- rows vanish

def test_an_unbalanced_quote_that_swallows_records_is_an_error_naming_the_lines(tmp_path):
    text = "id,remark,nps\nR1,ok,9\nR2,\"房间不错,8\nR3,一般,7\nR4,\"很好\",6\nR5,好,10\n"
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=r"unbalanced quote: a quoted field in column B opens on line 3 and "
                                        r"closes only on line 5.*\(line 4\)"):
        read_table(path)


def test_a_quote_swallowing_one_line_boundary_is_caught_too(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('id,remark,nps\nR1,"b,c\nd,e",9\nR3,x,6\n', encoding="utf-8")
    with pytest.raises(ReadError, match="opens on line 2 and closes only on line 3"):
        read_table(path)


def test_a_quote_that_never_closes_names_its_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('id,remark,nps\nR1,ok,9\nR2,"bad,8\nR3,x,7\n', encoding="utf-8")
    with pytest.raises(ReadError, match="opens on line 3 and never closes"):
        read_table(path)


def test_a_record_split_by_an_unquoted_line_break_is_an_error(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,remark,nps\nR1,房间\n很好,9\nR2,ok,8\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"fewer fields than the header's 3: line 2 \(2 fields\), line 3 \(2 fields\)"):
        read_table(path)


def test_a_quoted_remark_with_a_line_break_is_kept_and_rows_keep_their_numbers(tmp_path):
    survey = sample_text("hotel", "survey", 6)
    survey["remark"] = ["ok", "第一行\n第二行", "x", "y", "z", "w"]
    survey.loc[4, "nps"] = "11"
    survey.to_csv(tmp_path / "survey.csv", index=False)
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", tmp_path)
    assert err.value.problems[0]["rows"] == [6]  # spreadsheet row of the record, not the physical line 7


CORRUPTIONS = st.lists(st.tuples(st.sampled_from(['"', ",", " ", "", "dup"]), st.floats(0, 1)), min_size=1, max_size=3)


def corrupt(body: str, corruptions) -> str:
    """Insert a quote, separator or space, delete a character, or duplicate a line, at random places.

    No line break is inserted, so every physical line of the result is meant as one record and a
    record spanning lines can only come from a stray quote: the oracle below counts lines.
    """
    for what, where in corruptions:
        at = int(where * (len(body) - 1))
        if what == "dup":
            start = body.rfind("\n", 0, at) + 1
            end = body.find("\n", at)
            end = len(body) if end < 0 else end + 1
            body = body[:end] + body[start:end] + body[end:]
        elif what == "":
            body = body[:at] + body[at + 1:]
        else:
            body = body[:at] + what + body[at:]
    return body


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CORRUPTIONS)
def test_every_row_is_used_excluded_or_the_load_fails(corruptions):
    """Random corruptions: rows in (lines) = rows used + rows excluded, or a clear error."""
    text = sample_text("hotel", "survey", 10).to_csv(index=False, lineterminator="\n")
    header, body = text.split("\n", 1)
    body = corrupt(body, corruptions)
    lines = body.rstrip("\n").split("\n")
    while lines and not lines[-1].strip(", "):
        lines.pop()  # empty lines at the end carry nothing and are not rows
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "survey.csv").write_text(header + "\n" + body, encoding="utf-8")
        try:
            loaded = datasets.load("hotel", "survey", tmp, errors="exclude")
        except (ReadError, DataValidationError):
            return  # a clear error names what is wrong
        assert len(loaded) + loaded.attrs["n_excluded"] == len(lines)


# ------------------------------------------------------------------------------------------- whitespace

def test_codes_and_ids_are_trimmed_before_validation_and_returned_trimmed():
    survey = sample_text("hotel", "survey")
    survey.loc[0, "property_id"] = "city "
    survey.loc[1, "property_id"] = " city"
    survey.loc[2, "stay_id"] = " " + survey.loc[2, "stay_id"] + " "
    typed = datasets.validate(survey, "hotel", "survey")
    assert set(typed["property_id"]) <= {"city", "resort", "airport"}
    assert typed.loc[2, "stay_id"] == survey.loc[2, "stay_id"].strip()
    assert typed.attrs["n_trimmed"] == {"property_id": 2, "stay_id": 1}  # trimmed, and said so


def test_ids_equal_after_trimming_are_duplicates_and_an_id_of_spaces_is_rejected():
    survey = sample_text("hotel", "survey")
    survey.loc[5, "response_id"] = survey.loc[4, "response_id"] + " "
    survey.loc[7, "response_id"] = "   "
    problems = problems_of(survey, "hotel", "survey")
    assert find(problems, "response_id", "duplicate keys")["rows"] == [6, 7]
    assert find(problems, "response_id", "ids that are only spaces")["rows"] == [9]


def test_labels_that_collide_after_trimming_or_are_not_text_are_mapping_errors():
    with pytest.raises(MappingError, match=r"the labels '满意' and '满意 ' are the same after trimming"):
        parse_mapping("tables:\n  survey:\n    values: {overall_sat: {满意: 4, '满意 ': 5}}\n", dataset="hotel")
    with pytest.raises(MappingError, match=r"the label 4.0 is a float in YAML, not text.*\"4.0\" in quotes"):
        parse_mapping("tables:\n  survey:\n    values: {overall_sat: {4.0: 4}}\n", dataset="hotel")


# ------------------------------------------------------------------------------------------- encodings

TRADITIONAL = "答卷編號,門店,推薦意願,備註\nR1,城市店,10,房間很乾淨，服務很好\nR2,機場店,7,早餐種類太少了\nR3,度假村,9,環境優美\n"
JAPANESE = "番号,店舗,推奨度,備考\nR1,東京店,10,部屋はとてもきれいでした\nR2,大阪店,7,朝食の種類が少ない\n"


@pytest.mark.parametrize(("text", "encoding", "named"), [(TRADITIONAL, "big5", "Big5"),
                                                          (JAPANESE, "shift_jis", "Shift-JIS")])
def test_another_east_asian_encoding_is_not_read_as_gbk_mojibake(tmp_path, text, encoding, named):
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ReadError, match=f"garbled.*most likely {named}.*encoding: {encoding}"):
        read_table(path)
    assert read_table(path, encoding=encoding).iloc[0, 1] == text.split("\n")[1].split(",")[1]  # declared: honoured


def test_real_gbk_text_still_reads_including_traditional_characters(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(TRADITIONAL.replace("編號", "编号").encode("gb18030"))
    assert read_table(path).attrs["encoding"] == "gb18030"
    assert read_table(EXAMPLE / "问卷导出_2025Q4.csv").attrs["encoding"] == "gb18030"


# ------------------------------------------------------------------------------------------- dates and numbers

def test_dates_must_be_written_in_full_and_lie_in_the_plausible_range():
    survey = sample_text("hotel", "survey")
    survey.loc[0:3, "survey_date"] = ["2025-10", "2025", "1900-01-01", "0001-01-01"]
    problems = problems_of(survey, "hotel", "survey")
    assert find(problems, "survey_date", "not valid dates")["values"] == ["2025-10", "2025"]
    outside = find(problems, "survey_date", "outside the plausible range")
    assert outside["values"] == ["1900-01-01", "0001-01-01"] and "from 2000-01-01" in outside["expected"]


def test_numbers_must_be_finite_and_whole_numbers_exact():
    stays = sample_text("hotel", "stays")
    stays.loc[0:2, "spend"] = ["inf", "1e400", "NaN"]
    stays.loc[3, "nights"] = "8.9999999999999999"
    stays.loc[4, "nights"] = "3.0"  # a whole number written with .0 is still that number
    problems = problems_of(stays, "hotel", "stays")
    assert find(problems, "spend", "not finite")["values"] == ["1e400"]
    assert find(problems, "spend", "not numbers")["values"] == ["inf", "NaN"]
    assert find(problems, "nights", "not whole numbers")["values"] == ["8.9999999999999999"]
    stays = sample_text("hotel", "stays")
    stays.loc[4, "nights"] = "3.0"
    assert datasets.validate(stays, "hotel", "stays").loc[4, "nights"] == 3


def test_one_time_zone_among_naive_timestamps_is_a_clear_error():
    orders = sample_text("ecommerce", "orders")
    orders.loc[3, "order_time"] = orders.loc[3, "order_time"] + "+08:00"
    problem = find(problems_of(orders, "ecommerce", "orders"), "order_time", "time zone mixed")
    assert problem["rows"] == [5]
    orders["order_time"] = orders["order_time"].str.replace("+08:00", "", regex=False) + "Z"
    assert str(datasets.validate(orders, "ecommerce", "orders")["order_time"].dt.tz) == "UTC"  # all zoned: fine


def test_a_booking_after_check_in_breaks_the_dictionary_rule():
    stays = sample_text("hotel", "stays")
    stays.loc[2, "booking_date"] = (pd.Timestamp(stays.loc[2, "checkin_date"]) + pd.Timedelta(days=3)).strftime("%Y-%m-%d")
    problem = find(problems_of(stays, "hotel", "stays"), "booking_date", "dates after checkin_date")
    assert problem["rows"] == [4] and problem["expected"] == "booking_date on or before checkin_date"


# ------------------------------------------------------------------------------------------- Excel

def workbook(tmp_path, rows, hidden_first=False, setup=None):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "隐藏"
    first.append(["内部", "备注"])
    first.append(["x", "y"])
    if hidden_first:
        first.sheet_state = "hidden"
    ws = book.create_sheet("入住明细")
    for row in rows:
        ws.append(row)
    if setup:
        setup(ws)
    path = tmp_path / "stays.xlsx"
    book.save(path)
    return path


def test_hidden_sheets_are_never_read_or_proposed_unless_named(tmp_path):
    path = workbook(tmp_path, [["入住单号", "间夜数"], ["S1", 2]], hidden_first=True)
    assert read_table(path).attrs["sheet"] == "入住明细"
    assert list(read_table(path, sheet="隐藏").columns) == ["内部", "备注"]  # named: read
    _, summary = suggest_mapping(tmp_path, "hotel")
    assert not any("隐藏" in str(w) for w in summary["unassigned"])


def test_a_formula_without_a_cached_value_names_its_cells(tmp_path):
    def formulas(ws):
        ws["C2"] = "=A2*2"
        ws["C3"] = "=A3*2"

    path = workbook(tmp_path, [["a", "b", "c"], [1, 2, None], [3, 4, None]], setup=formulas)
    with pytest.raises(ReadError, match=r"formulas without a calculated value: C2, C3"):
        read_table(path, sheet="入住明细")


def test_zero_padded_ids_keep_their_zeros_and_long_numbers_are_refused(tmp_path):
    def pad(ws):
        ws["A2"].number_format = "000"

    path = workbook(tmp_path, [["id", "n"], [7, 1]], setup=pad)
    assert read_table(path, sheet="入住明细")["id"].tolist() == ["007"]
    path = workbook(tmp_path, [["id", "n"], [123456789012345678.0, 1]])
    with pytest.raises(ReadError, match=r"16 or more digits stored as numbers: A2 \(1234567890123456\d\d\)"):
        read_table(path, sheet="入住明细")


def test_only_the_used_range_is_read(tmp_path):
    from openpyxl.styles import Font

    def far_format(ws):
        ws["A1048576"].font = Font(bold=True)

    path = workbook(tmp_path, [["id", "n"]] + [[f"S{i}", i] for i in range(60)], setup=far_format)
    start = time.perf_counter()
    frame = read_table(path, sheet="入住明细")
    assert len(frame) == 60 and time.perf_counter() - start < 5  # was minutes and gigabytes


# ------------------------------------------------------------------------------------------- Parquet

def test_parquet_list_and_binary_columns_are_refused(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet files need the io extra (pyarrow)")
    pd.DataFrame({"id": ["a"], "tags": [[1, 2]]}).to_parquet(tmp_path / "l.parquet")
    with pytest.raises(ReadError, match=r"lists, records or bytes.*tags \(list<element: int64>\)"):
        read_table(tmp_path / "l.parquet")
    pd.DataFrame({"id": ["a"], "blob": [b"\x00\x01"]}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(ReadError, match=r"blob \(binary\)"):
        read_table(tmp_path / "b.parquet")


def test_parquet_float_ids_are_refused_and_exact_float_counts_accepted(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet files need the io extra (pyarrow)")
    stays = datasets.load("hotel", "stays").head(5).copy()
    stays["nights"] = stays["nights"].astype("float64")  # 2.0 in a whole-number column: exact, accepted
    stays.to_parquet(tmp_path / "stays.parquet")
    assert datasets.load("hotel", "stays", tmp_path)["nights"].tolist() == stays["nights"].astype(int).tolist()
    stays["stay_id"] = np.arange(5, dtype="float64") + 7.0
    stays.to_parquet(tmp_path / "stays.parquet")
    with pytest.raises(DataValidationError, match=r"stay_id.*floating-point numbers \(stored as double\)"):
        datasets.load("hotel", "stays", tmp_path)


# ------------------------------------------------------------------------------------------- configuration

@pytest.mark.parametrize(("setting", "match"), [
    ("encoding: 936", "encoding must be an encoding's name .* got 936"),
    ("sep: 5", "sep must be one character .* got 5"),
    ("formats: {survey_date: '%Q'}", "'%Q' is not a valid date format"),
    ("formats: {survey_date: '%Y-%m'}", "does not say where the day"),
])
def test_typed_settings_are_checked_before_use(setting, match):
    with pytest.raises(MappingError, match=match):
        parse_mapping(f"tables:\n  survey:\n    {setting}\n", dataset="hotel")


def test_cxwb_check_reports_a_bad_setting_without_a_traceback(tmp_path, capsys):
    sample_text("hotel", "survey").to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / "mapping.yml").write_text("dataset: hotel\ntables:\n  survey:\n    encoding: 936\n", encoding="utf-8")
    assert cli.main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "encoding must be an encoding's name" in err and "Traceback" not in err


def test_cxwb_check_names_the_extra_a_parquet_file_needs_without_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as in the library-only install
    (tmp_path / "survey.parquet").write_bytes(b"PAR1")
    assert cli.main(["check", str(tmp_path), "--dataset", "hotel"]) == 1
    err = capsys.readouterr().err
    assert "reading a Parquet file needs pyarrow" in err and "pip install 'cx-workbook[io]'" in err, err
    assert "unexpected error" not in err and "Traceback" not in err


def test_an_alias_bomb_and_deep_nesting_fail_fast():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = "tables:\n  survey:\n    values:\n" + "".join(f"      {line}\n" for line in levels)
    start = time.perf_counter()
    with pytest.raises(MappingError, match="more than 50 aliases"):
        parse_mapping(bomb, dataset="hotel")
    with pytest.raises(MappingError, match="nested more than 20 levels deep"):
        parse_mapping("tables: " + "[" * 5000 + "]" * 5000, dataset="hotel")
    assert time.perf_counter() - start < 2


def test_table_and_mapping_files_must_be_regular_files(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="is a FIFO"):
        read_table(fifo)  # would block forever if opened
    with pytest.raises(ReadError, match="/dev/zero is a device"):
        readers.read_bytes("/dev/zero")
    with pytest.raises(MappingError, match="is a FIFO"):
        load_mapping(fifo)


# ------------------------------------------------------------------------------------------- CLI

def test_report_resolves_a_relative_data_dir_and_never_claims_a_failed_report(monkeypatch, capsys):
    seen = {}

    def fake_build_report(dataset, lang, out, data_dir=None, timeout=600):
        seen["data_dir"] = data_dir
        return runner.NotebookRun(notebook=Path("10_cx_report.ipynb"), dataset=dataset, lang=lang, ok=False,
                                  seconds=1.0, report=Path(out), error="ValueError: boom")

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(runner, "build_report", fake_build_report)
    assert cli.main(["report", "--data-dir", "examples/own_data", "--out", "r.html"]) == 1
    out = capsys.readouterr()
    assert Path(seen["data_dir"]).is_absolute() and Path(seen["data_dir"]) == EXAMPLE
    assert "report written to" not in out.out and "no report written" in out.err


def test_no_command_ends_in_a_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(datasets, "check", broken)
    assert cli.main(["check", str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "unexpected error RuntimeError: something nobody expected" in err


# ------------------------------------------------------------------------------------------- outputs

def test_a_full_disk_keeps_the_previous_file_and_says_so(tmp_path, monkeypatch):
    target = tmp_path / "index.html"
    atomic.write_text(target, "previous")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError, match=r"cannot write .*index.html: no space left on the device \(the previous"):
        atomic.write_text(target, "new and longer")
    assert target.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["index.html"]


def lesson(folder, name, code):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_code_cell('dataset = "hotel"\ndata_dir = None\nlang = "en"', metadata={"tags": ["parameters"]}),
                new_code_cell(code)]
    import nbformat

    nbformat.write(nb, str(folder / name))


def test_two_runs_into_one_folder_keep_both_index_entries(tmp_path):
    nbs, out = tmp_path / "nbs", tmp_path / "reports"
    nbs.mkdir()
    lesson(nbs, "01_a.ipynb", "print('A')")
    lesson(nbs, "02_b.ipynb", "print('B')")
    assert cli.main(["run", "--notebooks", str(nbs), "--out", str(out), "--only", "01"]) == 0
    assert cli.main(["run", "--notebooks", str(nbs), "--out", str(out), "--only", "02"]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "01_a.hotel.en.html" in index and "02_b.hotel.en.html" in index
    assert "2 notebooks, 0 failed, 0 interrupted" in index


def test_a_full_disk_during_a_run_leaves_the_previous_reports_and_a_clear_error(tmp_path, monkeypatch, capsys):
    nbs, out = tmp_path / "nbs", tmp_path / "reports"
    nbs.mkdir()
    lesson(nbs, "01_a.ipynb", "print('A')")
    assert cli.main(["run", "--notebooks", str(nbs), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.glob("*.html")}

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    assert cli.main(["run", "--notebooks", str(nbs), "--out", str(out)]) == 1
    assert "no space left on the device" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.glob("*.html")} == before
    assert not list(out.rglob("*.part*"))


def test_sigterm_marks_the_run_interrupted_and_keeps_the_previous_report(tmp_path):
    nbs, out = tmp_path / "nbs", tmp_path / "reports"
    nbs.mkdir()
    lesson(nbs, "01_slow.ipynb", "import os, time\nif os.environ.get('CXWB_TEST_SLOW'):\n    time.sleep(60)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "cxwb.cli", "run", "--notebooks", str(nbs), "--out", str(out)]
    assert subprocess.run(command, env=env, capture_output=True, timeout=120).returncode == 0
    report = out / "01_slow.hotel.en.html"
    previous = report.read_bytes()
    proc = subprocess.Popen(command, env={**env, "CXWB_TEST_SLOW": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    partial = out / "_executed" / ".01_slow.hotel.en.part.ipynb"
    deadline = time.monotonic() + 60
    while not partial.exists() and time.monotonic() < deadline:  # the kernel is running the notebook
        time.sleep(0.2)
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 interrupted" in index and "interrupted (the run was stopped)" in index
    assert report.read_bytes() == previous and not partial.exists()


# ------------------------------------------------------------------------------------------- structure

def test_mapping_reads_the_dictionary_without_importing_datasets():
    code = "import sys, cxlib.mapping; assert 'cxlib.datasets' not in sys.modules, 'cycle'"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_example_mapping_still_loads_with_its_anchors():
    mapping = load_mapping(EXAMPLE / "mapping.yml")
    assert mapping.tables["stays"].values["property_id"] == mapping.tables["survey"].values["property_id"]
    assert yaml.safe_load((EXAMPLE / "mapping.yml").read_text(encoding="utf-8"))["dataset"] == "hotel"
