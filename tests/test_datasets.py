"""The loader validates against the data dictionary and names every problem precisely."""

import pandas as pd
import pytest

from cxlib import datasets
from cxlib.errors import DataValidationError


@pytest.fixture
def survey_text():
    """The hotel survey exactly as text, the way a file holds it."""
    path = datasets.sample_dir("hotel") / "survey.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], nrows=40)


def write(tmp_path, frame, table="survey"):
    frame.to_csv(tmp_path / f"{table}.csv", index=False)
    return tmp_path


def problems(err):
    return err.value.problems


@pytest.mark.parametrize("world", datasets.WORLDS)
def test_every_sample_table_loads_with_dictionary_types(world):
    tables = datasets.load_all(world)
    assert set(tables) == set(datasets.dictionary(world)["tables"])
    for name, frame in tables.items():
        spec = datasets.table_spec(world, name)
        assert list(frame.columns) == list(spec.columns)
        for col in spec.columns.values():
            s = frame[col.name]
            if col.type == "int" and not col.nullable:
                assert s.dtype == "int64", (name, col.name)
            if col.type in ("date", "datetime"):
                assert pd.api.types.is_datetime64_any_dtype(s), (name, col.name)
            if col.type == "bool" and not (col.nullable and s.isna().any()):
                assert s.dtype == bool, (name, col.name)
            if col.type == "bool" and col.nullable and s.isna().any():  # True/False/None, as the loader documents
                assert set(s.dropna()) <= {True, False}, (name, col.name)


def test_out_of_range_score_names_table_column_rows_values_and_range(tmp_path, survey_text):
    survey_text.loc[[2, 9], "nps"] = ["11", "-1"]
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    msg = str(err.value)
    assert "table 'survey', column 'nps': values out of range" in msg
    assert "row 4 ('11')" in msg and "row 11 ('-1')" in msg  # spreadsheet rows: header is row 1
    assert "from 0 to 10" in msg


def test_wrong_type_is_an_error_not_coerced(tmp_path, survey_text):
    survey_text.loc[0, "tp_room"] = "good"
    survey_text.loc[1, "tp_room"] = "4.5"
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    kinds = {p["message"] for p in problems(err) if p["column"] == "tp_room"}
    assert kinds == {"values that are not numbers", "values that are not whole numbers"}
    assert "row 2 ('good')" in str(err.value) and "row 3 ('4.5')" in str(err.value)


def test_missing_column_is_named_with_the_expected_columns(tmp_path, survey_text):
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text.drop(columns=["ces", "tp_wifi"])))
    (p,) = problems(err)
    assert p["column"] == "tp_wifi, ces" and p["message"] == "missing required column(s)"
    assert "expected columns response_id" in str(err.value)


def test_duplicate_key_lists_every_duplicated_row(tmp_path, survey_text):
    survey_text.loc[5, "response_id"] = survey_text.loc[1, "response_id"]
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    (p,) = problems(err)
    assert p["message"] == "duplicate keys" and p["rows"] == [3, 7] and p["count"] == 2


def test_value_outside_allowed_list(tmp_path, survey_text):
    survey_text.loc[3, "property_id"] = "downtown"
    with pytest.raises(DataValidationError, match=r"values outside the allowed list .* row 5 \('downtown'\); expected one of city, resort, airport"):
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))


def test_missing_value_where_required(tmp_path, survey_text):
    survey_text.loc[7, "overall_sat"] = None
    with pytest.raises(DataValidationError, match="column 'overall_sat': missing values where an answer is required — 1 row: row 9"):
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))


def test_missing_answers_allowed_where_nullable_and_kept(tmp_path, survey_text):
    survey_text.loc[[0, 1], "nps"] = None
    loaded = datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    assert len(loaded) == len(survey_text)
    assert loaded["nps"].isna().sum() == survey_text["nps"].isna().sum()


def test_unparseable_date(tmp_path, survey_text):
    survey_text.loc[0, "survey_date"] = "31/12/2025"
    with pytest.raises(DataValidationError, match=r"not valid dates .* row 2 \('31/12/2025'\); expected a date written YYYY-MM-DD"):
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))


def test_bad_boolean(tmp_path):
    guests = pd.read_csv(datasets.sample_dir("hotel") / "guests.csv", dtype=str, nrows=10)
    guests.loc[2, "loyalty_member"] = "maybe"
    with pytest.raises(DataValidationError, match=r"not true/false .* row 4 \('maybe'\)"):
        datasets.load("hotel", "guests", data_dir=write(tmp_path, guests, "guests"))


def test_point_allocation_must_sum_to_100(tmp_path):
    sq = pd.read_csv(datasets.sample_dir("hotel") / "servqual.csv", dtype=str, nrows=10)
    sq.loc[1, "w_empathy"] = str(int(sq.loc[1, "w_empathy"]) + 5)
    with pytest.raises(DataValidationError, match=r"do not add up to 100 .* row 3 \(105\.0\)"):
        datasets.load("hotel", "servqual", data_dir=write(tmp_path, sq, "servqual"))


def test_every_problem_is_reported_at_once(tmp_path, survey_text):
    survey_text.loc[0, "nps"] = "12"
    survey_text.loc[0, "property_id"] = "moon"
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    assert {p["column"] for p in problems(err)} == {"nps", "property_id"}


def test_more_than_five_rows_shows_five_and_the_count(tmp_path, survey_text):
    survey_text.loc[0:9, "ces"] = "9"
    with pytest.raises(DataValidationError) as err:
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    assert "10 rows: row 2 ('9'), row 3 ('9'), row 4 ('9'), row 5 ('9'), row 6 ('9'), … and 5 more" in str(err.value)


def test_empty_table_and_header_only(tmp_path, survey_text):
    with pytest.raises(DataValidationError, match="the table has no rows"):
        datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text.iloc[:0]))


def test_extra_columns_are_kept_and_reported(tmp_path, survey_text):
    survey_text["comment"] = "x"
    loaded = datasets.load("hotel", "survey", data_dir=write(tmp_path, survey_text))
    assert loaded.attrs["extra_columns"] == ["comment"] and "comment" in loaded


def test_missing_file_and_unknown_table(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file for table 'survey'"):
        datasets.load("hotel", "survey", data_dir=tmp_path)
    with pytest.raises(ValueError, match="has no table 'surveys'"):
        datasets.load("hotel", "surveys")
    with pytest.raises(ValueError, match="dataset must be one of"):
        datasets.load("bank", "survey")


def test_parquet_is_read_like_csv(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet files need the io extra (pyarrow)")
    survey = datasets.load("hotel", "survey")
    survey.head(30).to_parquet(tmp_path / "survey.parquet")
    loaded = datasets.load("hotel", "survey", data_dir=tmp_path)
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), survey.head(30).reset_index(drop=True), check_dtype=False)


def test_dictionary_frame_and_touchpoints_are_bilingual():
    en = datasets.dictionary_frame("hotel", "survey", lang="en")
    zh = datasets.dictionary_frame("hotel", "survey", lang="zh")
    assert list(en["column"]) == list(zh["column"])
    assert en.set_index("column").loc["nps", "allowed"] == "0–10"
    assert zh.set_index("column").loc["nps", "meaning"].startswith("推荐意愿")
    tps = datasets.touchpoints("ecommerce")
    assert set(tps["stage"]) == {"awareness", "purchase", "use", "feedback"}
    assert set(tps["channel"]) == {"online", "offline", "product"}
