"""Your own data: mapping, exclusion policy, `cxwb check` / `cxwb map init`, the example, the bad-input catalog."""

import importlib.util
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import datasets
from cxlib.errors import DataValidationError
from cxlib.mapping import MappingError, load_mapping, parse_mapping
from cxlib.readers import ReadError
from cxwb import cli, runner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "own_data"

ZH = {
    "response_id": "答卷编号", "stay_id": "入住单号", "guest_id": "会员号", "property_id": "门店",
    "survey_date": "调研日期", "tp_booking": "预订", "tp_checkin": "办理入住", "tp_room": "客房清洁",
    "tp_breakfast": "早餐", "tp_staff": "员工服务", "tp_checkout": "退房", "tp_wifi": "无线网络",
    "overall_sat": "总体满意度", "nps": "推荐意愿", "ces": "费力度", "intent_return": "再次入住意愿",
}
STORES = {"城市店": "city", "度假村": "resort", "机场店": "airport"}
SAT = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}


@pytest.fixture
def export():
    """Eight sample survey rows as a Chinese platform exports them: Chinese headers, labelled answers."""
    text = pd.read_csv(datasets.sample_dir("hotel") / "survey.csv", dtype=str, keep_default_na=False,
                       na_values=[""], nrows=8)
    text["property_id"] = text["property_id"].map({v: k for k, v in STORES.items()})
    text["overall_sat"] = text["overall_sat"].map({str(v): k for k, v in SAT.items()})
    return text.rename(columns=ZH)


def mapping_dict(**survey):
    entry = {"file": "问卷.csv", "columns": {v: k for k, v in ZH.items()},
             "values": {"property_id": STORES, "overall_sat": SAT}, **survey}
    return {"dataset": "hotel", "tables": {"survey": entry}}


def write(folder, frame, mapping=None, name="问卷.csv", encoding="gbk"):
    frame.to_csv(folder / name, index=False, encoding=encoding)
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping or mapping_dict(), allow_unicode=True), encoding="utf-8")
    return folder


def load(folder, **kw):
    return datasets.load("hotel", "survey", folder, **kw)


def messages(err):
    return [p["message"] for p in err.value.problems]


# ---------------------------------------------------------------- the mapping itself

def test_a_chinese_gbk_export_loads_like_the_sample(tmp_path, export):
    loaded = load(write(tmp_path, export))
    sample = datasets.load("hotel", "survey").head(8)
    pd.testing.assert_frame_equal(loaded[list(sample.columns)], sample, check_dtype=False)
    assert loaded.attrs["source"].endswith("问卷.csv") and loaded.attrs["mapping"].endswith("mapping.yml")
    assert loaded.attrs["n_excluded"] == 0


def test_sample_data_has_no_exclusion_report_and_zero_excluded():
    survey = datasets.load("hotel", "survey")
    assert survey.attrs["n_excluded"] == 0 and "excluded" not in survey.attrs  # stays writable to Parquet


def test_labels_not_in_the_mapping_are_reported_never_coerced(tmp_path, export):
    export.loc[2, "总体满意度"] = "超级满意"
    with pytest.raises(DataValidationError) as err:
        load(write(tmp_path, export))
    assert "column 'overall_sat': values that are not numbers — 1 row: row 4 ('超级满意')" in str(err.value)


def test_null_label_is_a_counted_missing_answer_and_yes_no_stay_text(tmp_path, export):
    export.loc[[0, 1], "早餐"] = "未用早餐"
    mapping = mapping_dict()
    mapping["tables"]["survey"]["values"]["早餐"] = {"未用早餐": None}  # keyed by your column name
    loaded = load(write(tmp_path, export, mapping))
    assert loaded["tp_breakfast"].isna().sum() >= 2
    assert loaded.attrs["n_missing"]["tp_breakfast"] == loaded["tp_breakfast"].isna().sum()
    parsed = parse_mapping("tables:\n  guests:\n    values:\n      loyalty_member: {yes: true, no: false, 是: true}\n",
                           dataset="hotel")
    assert parsed.tables["guests"].values["loyalty_member"] == {"yes": "true", "no": "false", "是": "true"}


def test_formats_read_platform_dates(tmp_path, export):
    export["调研日期"] = pd.to_datetime(export["调研日期"]).dt.strftime("%Y/%m/%d %H:%M")
    export.loc[3, "调研日期"] = "2025/02/30 10:00"
    with pytest.raises(DataValidationError) as err:
        load(write(tmp_path, export, mapping_dict(formats={"survey_date": "%Y/%m/%d %H:%M"})))
    (p,) = err.value.problems
    assert p["rows"] == [5] and p["values"] == ["2025/02/30 10:00"]
    assert "expected a date written %Y/%m/%d %H:%M" in str(err.value)


def test_excel_source_by_sheet_name_with_a_title_row(tmp_path, export):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    ws = book.create_sheet("答卷")
    ws.append(["2025 年离店调研"])
    ws.append(list(export.columns))
    for row in export.itertuples(index=False):
        ws.append([None if pd.isna(v) else (int(v) if str(v).isdigit() else v) for v in row])
    book.save(tmp_path / "问卷.xlsx")
    loaded = load(write(tmp_path, export.head(0), mapping_dict(file="问卷.xlsx", sheet="答卷", header_row=2)))
    assert len(loaded) == 8 and loaded["nps"].notna().all()


def test_mapping_can_be_passed_explicitly(tmp_path, export):
    folder = write(tmp_path, export)
    other = tmp_path / "elsewhere.yml"
    (folder / "mapping.yml").rename(other)
    assert len(load(folder, mapping=other)) == 8
    with pytest.raises(FileNotFoundError, match="no file for table 'survey' in .*and there is no mapping.yml"):
        load(folder)


# ---------------------------------------------------------------- bad-input catalog

def test_missing_required_column_names_the_mapped_and_the_dictionary_column(tmp_path, export):
    with pytest.raises(DataValidationError) as err:
        load(write(tmp_path, export.drop(columns=["推荐意愿"])))
    msg = str(err.value)
    assert "column '推荐意愿 → nps': mapped column(s) not in the file" in msg
    assert "column 'nps': missing required column(s)" in msg


def test_unknown_extra_columns_are_kept_and_reported(tmp_path, export):
    export["备注"] = "房间很干净"
    folder = write(tmp_path, export)
    loaded = load(folder)
    assert loaded.attrs["extra_columns"] == ["备注"] and (loaded["备注"] == "房间很干净").all()
    assert "extra columns (kept, not in the dictionary): 备注" in datasets.check("hotel", folder).text()


def test_wrong_type(tmp_path, export):
    export.loc[0, "客房清洁"] = "很好"
    export.loc[1, "客房清洁"] = "4.5"
    with pytest.raises(DataValidationError) as err:
        load(write(tmp_path, export))
    assert set(messages(err)) == {"values that are not numbers", "values that are not whole numbers"}
    assert "row 2 ('很好')" in str(err.value) and "row 3 ('4.5')" in str(err.value)


def test_score_out_of_scale(tmp_path, export):
    export.loc[2, "推荐意愿"] = "11"
    with pytest.raises(DataValidationError) as err:
        load(write(tmp_path, export))
    assert str(err.value) == (f"{tmp_path / '问卷.csv'}: table 'survey', column 'nps': values out of range — 1 row: row 4 ('11'); "
                              "expected a whole number from 0 to 10")


def test_duplicate_ids_raise_or_keep_the_first_and_report_the_rest(tmp_path, export):
    export = pd.concat([export, export.iloc[[1, 1]]], ignore_index=True)  # response 2 three times
    folder = write(tmp_path, export)
    with pytest.raises(DataValidationError) as err:
        load(folder)
    assert err.value.problems[0]["rows"] == [3, 10, 11]
    loaded = load(folder, errors="exclude")
    assert len(loaded) == 8 and loaded.attrs["n_excluded"] == 2
    report = loaded.attrs["excluded"]
    assert report["row"].tolist() == [10, 11] and set(report["column"]) == {"response_id"}
    assert report["reason"].tolist() == ["duplicate key: row 3 has the same key and is kept"] * 2


def test_dates_that_do_not_parse_or_lie_in_the_future(tmp_path, export):
    export.loc[1, "调研日期"] = "2025-02-30"
    export.loc[[3, 4], "调研日期"] = ["2099-01-01", "2098-12-31"]
    folder = write(tmp_path, export)
    with pytest.raises(DataValidationError) as err:
        load(folder)
    msg = str(err.value)
    assert "column 'survey_date': values that are not valid dates — 1 row: row 3 ('2025-02-30')" in msg
    assert "column 'survey_date': dates in the future — 2 rows: row 5 ('2099-01-01'), row 6 ('2098-12-31'); " \
           "expected a date no later than today" in msg
    loaded = load(folder, errors="exclude")
    assert loaded.attrs["excluded"]["row"].tolist() == [3, 5, 6] and len(loaded) == 5


def test_empty_file(tmp_path, export):
    folder = write(tmp_path, export)
    (folder / "问卷.csv").write_bytes(b"")
    with pytest.raises(ReadError, match="问卷.csv: the file is empty"):
        load(folder)


def test_header_only(tmp_path, export):
    with pytest.raises(DataValidationError, match="table 'survey': the table has no rows"):
        load(write(tmp_path, export.head(0)))


def test_one_row_loads(tmp_path, export):
    loaded = load(write(tmp_path, export.head(1)))
    assert len(loaded) == 1 and loaded["overall_sat"].dtype == "int64"


def test_a_column_entirely_missing(tmp_path, export):
    export["总体满意度"] = None
    folder = write(tmp_path, export)
    with pytest.raises(DataValidationError, match=r"column 'overall_sat': the column is empty \(all 8 rows are missing\)"):
        load(folder)
    with pytest.raises(DataValidationError, match="the column is empty"):
        load(folder, errors="exclude")  # a whole column is not a few bad rows: still an error
    export["总体满意度"] = "满意"
    export["无线网络"] = None  # nullable: allowed, counted
    folder = write(tmp_path, export)
    assert load(folder).attrs["n_missing"]["tp_wifi"] == 8
    assert "tp_wifi 8" in datasets.check("hotel", folder).text()


def test_mixed_encodings(tmp_path, export):
    folder = write(tmp_path, export.head(4), encoding="utf-8")
    head = (folder / "问卷.csv").read_bytes()
    tail = export.iloc[4:].to_csv(index=False, header=False, lineterminator="\n").encode("gbk")
    (folder / "问卷.csv").write_bytes(head + tail)
    with pytest.raises(ReadError, match="问卷.csv: mixed encodings") as err:
        load(folder)
    first_gbk = len(head) + min(i for i, b in enumerate(tail) if b >= 0x80)
    assert f"is UTF-8 Chinese text, but the bytes from offset {first_gbk}" in str(err.value)


def test_excel_with_merged_header_cells(tmp_path, export):
    book = openpyxl.Workbook()
    book.active.append(list(export.columns))
    book.active.merge_cells("B1:C1")
    book.save(tmp_path / "问卷.xlsx")
    with pytest.raises(ReadError, match=r"问卷.xlsx, sheet 'Sheet': merged cells in the header row 1: B1:C1"):
        load(write(tmp_path, export.head(0), mapping_dict(file="问卷.xlsx")))


def test_the_same_column_mapped_twice_names_both_sources(tmp_path, export):
    text = (tmp_path / "m.yml")
    text.write_text("dataset: hotel\ntables:\n  survey:\n    columns:\n      推荐意愿: nps\n      NPS得分: nps\n",
                    encoding="utf-8")
    with pytest.raises(MappingError, match="columns '推荐意愿' and 'NPS得分' are both mapped to 'nps'"):
        load_mapping(text)
    export["nps"] = "9"  # a column already named nps, and 推荐意愿 mapped onto it
    with pytest.raises(MappingError, match="the file has a column 'nps' and the mapping also maps '推荐意愿' to 'nps'"):
        load(write(tmp_path, export))


def test_mapping_mistakes_are_named():
    def bad(text, match):
        with pytest.raises(MappingError, match=match):
            parse_mapping(text, dataset="hotel")

    bad("tables:\n  survey:\n    columns:\n      推荐意愿: nps\n      推荐意愿: ces\n", "'推荐意愿' appears twice")
    bad("tables:\n  surveys: {}\n", "no table 'surveys'; did you mean 'survey'")
    bad("tables:\n  survey:\n    columns: {推荐: npss}\n", "'npss', which is not a column .* did you mean 'nps'")
    bad("tables:\n  survey:\n    colums: {}\n", "unknown setting.*'colums'")
    bad("tables:\n  survey:\n    errors: drop\n", "errors must be 'raise' or 'exclude'")
    bad("tables:\n  survey:\n    values: {满意度: {满意: 4}}\n", "labels for '满意度', which is neither")
    bad("tables:\n  survey:\n    formats: {nps: '%Y'}\n", "not a date column")
    bad("dataset: ecommerce\n", "written for the ecommerce dataset, but it is used with hotel")
    bad("tables: [survey\n", "not valid YAML")
    with pytest.raises(ValueError, match="errors must be one of"):
        datasets.load("hotel", "survey", errors="drop")


# ---------------------------------------------------------------- exclusion report

def test_exclusion_report_travels_with_merge_concat_and_copies(tmp_path, export):
    export.loc[0, "推荐意愿"] = "12"
    loaded = load(write(tmp_path, export), errors="exclude")
    report = loaded.attrs["excluded"]
    assert list(report.columns) == ["row", "column", "value", "reason"]
    assert report.iloc[0].tolist() == [2, "nps", "12", "values out of range; expected a whole number from 0 to 10"]
    assert pd.concat([loaded, loaded]).shape[0] == 14  # pandas compares attrs when combining frames
    assert loaded.merge(loaded[["response_id"]], on="response_id").shape[0] == 7
    assert loaded[loaded["nps"] > 5].attrs["n_excluded"] == 1


def test_every_row_bad_is_an_error_not_an_empty_table(tmp_path, export):
    export["推荐意愿"] = "11"
    with pytest.raises(DataValidationError, match="every row has a problem"):
        load(write(tmp_path, export), errors="exclude")


# ---------------------------------------------------------------- the example folder

def test_example_excluded_rows_exact():
    survey = datasets.load("hotel", "survey", EXAMPLE)  # errors: exclude comes from its mapping.yml
    stays = datasets.load("hotel", "stays", EXAMPLE)
    assert (len(survey), survey.attrs["n_excluded"]) == (42, 3)
    assert (len(stays), stays.attrs["n_excluded"]) == (59, 1)
    report = survey.attrs["excluded"]
    assert report[["row", "column", "value"]].values.tolist() == [
        [14, "nps", "11"], [32, "survey_date", "2025/11/31 21:04"], [46, "response_id", "Q0017"]]
    assert stays.attrs["excluded"][["row", "column", "value"]].values.tolist() == [[54, "checkin_date", "待定"]]
    assert survey.attrs["n_missing"] == {"tp_breakfast": 6, "tp_wifi": 6}
    assert survey.attrs["extra_columns"] == ["备注"]
    assert survey["property_id"].isin(["city", "resort", "airport"]).all() and survey["overall_sat"].dtype == "int64"
    assert stays["checkin_date"].dtype.kind == "M"


EXAMPLE_EXCLUDED = {"survey": (42, 3), "stays": (59, 1), "reviews": (35, 1)}  # (rows kept, rows excluded)


@pytest.mark.parametrize("table", list(EXAMPLE_EXCLUDED))
def test_example_excluded_row_counts_per_table(table):
    frame = datasets.load("hotel", table, EXAMPLE)
    assert (len(frame), frame.attrs["n_excluded"]) == EXAMPLE_EXCLUDED[table]
    assert len(frame.attrs["excluded"]["row"].unique()) == frame.attrs["n_excluded"]


def test_example_reviews_map_labels_dates_and_keep_markup_as_text():
    reviews = datasets.load("hotel", "reviews", EXAMPLE)
    assert reviews.attrs["excluded"][["row", "column", "value"]].values.tolist() == [[9, "rating", "6"]]
    assert set(reviews["lang"]) == {"zh", "en"} and reviews["property_id"].isin(["city", "resort", "airport"]).all()
    assert reviews["review_date"].dtype.kind == "M" and reviews["rating"].between(1, 5).all()
    script = reviews[reviews["text"].str.contains("<script>alert(1)</script>", regex=False)]
    assert len(script) == 1 and script["rating"].iloc[0] <= 2
    stays = datasets.load("hotel", "stays", EXAMPLE)
    assert reviews["stay_id"].isin(stays["stay_id"]).all()  # every review is of a stay of the example


def test_the_report_runs_on_the_example_folder_without_outcomes(tmp_path):
    assert "outcomes" not in datasets.provided_tables("hotel", EXAMPLE)
    run = runner.build_report("hotel", "zh", tmp_path / "report.html", data_dir=str(EXAMPLE))
    assert run.ok, run.describe()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    # the review holding <script>alert(1)</script> is quoted as plain text: its markup removed, never run
    assert "这次入住很失望。前台排队太久了，等了20分钟才办好入住。" in html
    assert "<script>alert(1)" not in html and "alert(1)" not in html
    # the example has no booking log: the behaviour section names, in Chinese, the table and columns it needs
    assert "本节需要「booking_events」表（" in html and "列：" in html and "needs table" not in html
    # "does experience pay?" follows the stays after each answer, so no outcomes table is asked for
    assert "「outcomes」" not in html


def test_example_with_errors_raise_lists_every_problem():
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", EXAMPLE, errors="raise")
    assert {p["column"] for p in err.value.problems} == {"nps", "survey_date", "response_id"}


def test_example_files_are_what_make_example_writes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "SURVEY", tmp_path / module.SURVEY.name)
    monkeypatch.setattr(module, "STAYS", tmp_path / module.STAYS.name)
    monkeypatch.setattr(module, "REVIEWS", tmp_path / module.REVIEWS.name)
    module.main()
    for name in (module.SURVEY.name, module.STAYS.name, module.REVIEWS.name):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def _example_lessons():
    provided = set(datasets.provided_tables("hotel", EXAMPLE))
    return [nb for nb in runner.discover()
            if nb.stem.startswith("00") or ((needed := datasets.needed_tables(nb, "hotel")) and needed <= provided)]


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", _example_lessons(), ids=lambda p: p.stem)
def test_lessons_run_on_the_example_folder(notebook, tmp_path):
    run = runner.execute(notebook, tmp_path, {"dataset": "hotel", "data_dir": str(EXAMPLE)}, timeout=120)
    assert run.ok, run.describe()
    said = run.executed.read_text(encoding="utf-8")
    if notebook.stem == "02_measuring_experience":  # every answer of the example lies in the default window
        assert "0 in the other months — not tested, a comparison needs answers on both sides" in said
    if notebook.stem == "09_experience_pays":  # no customer has a whole 180-day window: each section says so
        assert "0 customers with an answer to the recommend question" in said and "40 were surveyed too recently" in said
        assert "**What the groups did afterwards: not compared.**" in said
        assert "**The model was not fitted.** A logistic regression" in said and "needs at least 3 complete rows" in said
        assert "**Revenue at risk: not measured.**" in said
    if notebook.stem == "06_customer_value":  # no stay of the example is a repeat stay: each section on repeats says so
        for section in ("Repeat purchases and churn", "Customer lifetime value", "Cohort retention", "The sliders"):
            assert f"**{section}" in said and "The stays hold 59 customers" in said, section
        assert said.count("and 0 of them bought again on a later day") == 4 and "no customer is judged at risk" in said
        assert "The segment **" in said and "ABC scores for " in said  # RFM and ABC run on one stay per customer


def test_needed_tables_reads_the_notebook_code():
    lesson = ROOT / "notebooks" / "00_welcome.ipynb"  # reads the survey through lessons.survey_frame
    assert datasets.needed_tables(lesson, "hotel") == {"survey"}
    # survey_frame joins the segments of the stays and guests the survey links to, when they are there
    assert datasets.needed_tables(lesson, "hotel", optional=True) == {"survey", "stays", "guests"}
    # roles.of(...).require("kano") needs the kano role's table
    assert datasets.needed_tables(ROOT / "notebooks" / "03_kano.ipynb", "hotel") == {"kano"}
    # lesson 09 requires transactions (stays) and reads outcomes only when available
    nine = ROOT / "notebooks" / "09_experience_pays.ipynb"
    assert datasets.needed_tables(nine, "hotel") == {"survey", "stays"}
    assert "outcomes" in datasets.needed_tables(nine, "hotel", optional=True)
    by_table = datasets.lessons_by_table("hotel")
    assert "00_welcome" in by_table["survey"] and "03_kano" in by_table["kano"]
    # lessons that read whole roles through a lesson frame: HEART (07) and closing the loop (11)
    assert datasets.needed_tables(ROOT / "notebooks" / "07_heart.ipynb", "ecommerce") >= {"events", "releases", "survey"}
    assert datasets.needed_tables(ROOT / "notebooks" / "11_closing_the_loop.ipynb", "hotel") >= {"complaints", "stays"}
    assert "07_heart" in by_table["booking_events"] and "11_closing_the_loop" in by_table["complaints"]
    assert datasets.provided_tables("hotel", EXAMPLE) == ["stays", "survey", "reviews"]
    overview = datasets.overview("hotel", EXAMPLE)
    assert overview.set_index("table").loc["survey", "rows"] == 42
    assert "guests" in overview.attrs["not_provided"]


# ---------------------------------------------------------------- the command line

def test_cxwb_check_on_the_example(capsys):
    assert cli.main(["check", str(EXAMPLE)]) == 1  # the dataset comes from the mapping
    out = capsys.readouterr().out
    assert "file: 问卷导出_2025Q4.csv, GBK/GB18030, 45 data rows" in out
    assert "table 'survey', column 'nps': values out of range — 1 row: row 14 ('11'); expected a whole number from 0 to 10" in out
    assert "table 'stays', column 'checkin_date': values that are not valid dates — 1 row: row 54 ('待定')" in out
    assert "errors: exclude is set: loading leaves out 3 rows" in out
    assert "missing answers (allowed here, counted by the analyses): tp_breakfast 6, tp_wifi 6" in out
    assert "Not provided:" in out and "  guests · Guests / 客人:" in out
    assert "table 'reviews', column 'rating': values out of range — 1 row: row 9 ('6'); expected a whole number from 1 to 5" in out
    assert "file: 点评导出_2025Q4.csv, UTF-8 with BOM, 36 data rows" in out
    assert "The mapping excludes the 5 invalid rows" in out


def test_cxwb_check_passes_a_clean_folder_and_reports_a_bad_mapping(tmp_path, export, capsys):
    folder = write(tmp_path, export)
    assert cli.main(["check", str(folder), "--dataset", "hotel"]) == 0
    out = capsys.readouterr().out
    assert "survey · Post-stay journey survey / 离店旅程调研" in out and "  ok" in out
    assert "Result: all 1 table(s) provided match the dictionary." in out
    (folder / "mapping.yml").write_text("tables:\n  survey:\n    columns: {推荐: npss}\n", encoding="utf-8")
    assert cli.main(["check", str(folder), "--dataset", "hotel"]) == 1
    assert "The mapping file is wrong" in capsys.readouterr().out
    assert cli.main(["check", str(tmp_path / "nowhere"), "--dataset", "hotel"]) == 2


def test_cxwb_map_init_recognises_the_example_columns(tmp_path, capsys):
    for name in ("问卷导出_2025Q4.csv", "入住记录_2025Q4.xlsx", "点评导出_2025Q4.csv"):
        (tmp_path / name).write_bytes((EXAMPLE / name).read_bytes())
    assert cli.main(["map", "init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "stays ← 入住记录_2025Q4.xlsx, sheet 入住明细: 10 columns recognised" in out
    assert "survey ← 问卷导出_2025Q4.csv: 16 columns recognised" in out
    assert "reviews ← 点评导出_2025Q4.csv: 8 columns recognised" in out
    text = (tmp_path / "mapping.yml").read_text(encoding="utf-8")
    for line in ('"推荐意愿": nps', '"总体满意度": overall_sat', '"入住日期": checkin_date', "header_row: 2",
                 'overall_sat: {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}',
                 'nps: {"10（非常愿意）": 10}', 'survey_date: "%Y/%m/%d %H:%M"',
                 '# TODO "备注": not recognised', "# TODO property_id: labels 城市店, 度假村, 机场店",
                 '# TODO lang: labels 中文, 英文', 'review_date: "%Y年%m月%d日"'):
        assert line in text, line
    mapping = load_mapping(tmp_path / "mapping.yml", "hotel")  # what it writes is a valid mapping
    assert mapping.tables["stays"].sheet == "入住明细"
    assert cli.main(["map", "init", str(tmp_path)]) == 1  # never overwrites without --force
    assert "already exists" in capsys.readouterr().err


# ---------------------------------------------------------------- invariants

@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["0", "7", "10", "11", "-1", "x", "", "9.5"]), min_size=1, max_size=12),
       st.lists(st.integers(0, 3), min_size=1, max_size=12))
def test_no_row_disappears_without_a_report(nps, ids):
    """Kept rows + excluded rows = all rows; excluded rows are exactly those with a problem."""
    n = min(len(nps), len(ids))
    text = pd.read_csv(datasets.sample_dir("hotel") / "survey.csv", dtype=str, keep_default_na=False,
                       na_values=[""], nrows=n)
    text["nps"] = [v or None for v in nps[:n]]
    text["response_id"] = [f"R{i}" for i in ids[:n]]
    bad_value = ~text["nps"].isin([str(i) for i in range(11)]) & text["nps"].notna()
    if bad_value.all():
        with pytest.raises(DataValidationError):
            datasets.validate(text, "hotel", "survey", errors="exclude")
        return
    typed = datasets.validate(text, "hotel", "survey", errors="exclude")
    assert len(typed) + typed.attrs["n_excluded"] == n
    first: dict[str, int] = {}  # the first valid row of each id is kept
    for i in range(n):
        if not bad_value.iloc[i]:
            first.setdefault(text["response_id"].iloc[i], i)
    assert set(typed.attrs["excluded"]["row"] - 2) == set(range(n)) - set(first.values())
    assert typed["response_id"].tolist() == [text["response_id"].iloc[i] for i in sorted(first.values())]


def test_check_reports_a_file_the_mapping_names_but_the_folder_lacks(tmp_path, export):
    folder = write(tmp_path, export, mapping_dict(file="不存在.csv"))
    report = datasets.check("hotel", folder)
    survey = next(t for t in report.tables if t.table == "survey")
    assert not report.ok and "names '不存在.csv', but" in survey.problems[0]["message"]


def test_a_gbk_mapping_file_is_read(tmp_path, export):
    folder = write(tmp_path, export)
    text = (folder / "mapping.yml").read_text(encoding="utf-8")
    (folder / "mapping.yml").write_bytes(text.encode("gbk"))
    assert len(load(folder)) == 8


def test_outcome_frame_follows_the_roles():
    """X-data meets O-data without asking for the world: the outcomes table when declared, else the purchases."""
    from cxlib import lessons, value

    hotel = lessons.outcome_frame("hotel")
    survey, outcomes = datasets.load("hotel", "survey"), datasets.load("hotel", "outcomes")
    last = survey.dropna(subset=["nps"]).sort_values("survey_date", kind="stable").drop_duplicates("guest_id", keep="last")
    by_hand = last.merge(outcomes, on="guest_id")
    assert (hotel.table, hotel.window_days) == ("outcomes", None) and len(hotel.customers) == len(by_hand)
    merged = hotel.customers.merge(by_hand[["guest_id", "nps", "returned_12m", "revenue_12m"]], on="guest_id")
    assert (merged["nps_x"] == merged["nps_y"]).all() and (merged["repeated"] == merged["returned_12m"]).all()
    assert (merged["value_after"] == merged["revenue_12m"]).all()
    shop = lessons.outcome_frame("ecommerce", window_days=90)
    direct = value.outcomes_after_survey(datasets.load("ecommerce", "survey"), datasets.load("ecommerce", "orders"),
                                         "customer_id", "order_time", "amount", window_days=90)
    assert (shop.table, shop.window_days, shop.n_censored) == ("orders", 90, direct.attrs["n_censored"])
    assert shop.customers["value_after"].sum() == pytest.approx(direct["value_after"].sum())
    assert shop.names("en")["repeated"] == "Bought again within 90 days"
    small = lessons.outcome_frame("hotel", EXAMPLE)  # no outcomes table: the stays, and no whole window yet
    assert (small.table, len(small.customers), small.n_censored) == ("stays", 0, 40)
