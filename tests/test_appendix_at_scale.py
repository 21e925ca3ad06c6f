"""The appendix notebook (not a numbered lesson, so not in runner.discover) runs end to end on both worlds,
and the library pieces it calls: the chunked Parquet writer and the engine comparison."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cxlib import engine, lessons, roles
from cxlib.errors import CXDataError
from cxwb import runner

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "appendix_at_scale.ipynb"


def _said(executed) -> str:
    nb = nbformat.read(str(executed), as_version=4)
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            out.append(o.get("text", "") + o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/plain", ""))
    return "\n".join(out)


@pytest.mark.notebook
@pytest.mark.parametrize(("dataset", "lang"), [("hotel", "en"), ("ecommerce", "zh")])
def test_appendix_runs_small_through_duckdb(dataset, lang, tmp_path):
    # a small size and no Spark keep the suite short; the Spark section says why it was skipped
    run = runner.execute(NOTEBOOK, tmp_path, {"dataset": dataset, "lang": lang, "rows": 30_000,
                                              "chunk_rows": 15_000, "out_dir": str(tmp_path / "data"),
                                              "use_spark": False}, timeout=300)
    assert run.ok, run.describe()
    text = _said(run.executed)
    have = roles.of(dataset)
    tables = sorted([have.events.table, have.transactions.table, have.survey.table])
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == tables
    assert len(list((tmp_path / "data" / have.events.table).glob("*.parquet"))) == 2  # written in chunks
    assert "30,000" in text  # the report says the size it ran
    assert "use_spark = False" in text  # the skipped Spark section names its reason
    if lang == "en":
        assert "Every engine gives the numbers DuckDB gives" in text
        assert "Spark was not run" in text
    else:
        assert "各引擎得到的数字与 DuckDB 相同" in text and "未运行 Spark" in text
    largest = re.findall(r"(?:is|为) (\d\.\de[−+]\d\d)", text)
    assert largest and float(largest[0].replace("−", "-")) < 1e-12  # pandas and DuckDB agree to rounding


def test_appendix_structure():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "rows = 100_000" in params[0].source
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    assert sum("lang-en" in c.metadata.get("tags", []) for c in md) == sum("lang-zh" in c.metadata.get("tags", []) for c in md)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# --- the Parquet world ---------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", ["hotel", "ecommerce"])
def test_write_parquet_world_writes_the_roles_tables_in_chunks(dataset, tmp_path):
    world = lessons.write_parquet_world(dataset, tmp_path, rows=5_000, chunk_rows=2_000)
    have = roles.of(dataset)
    assert world.rows["events"] == 5_000 and world.files == 3  # 2,000 + 2,000 + 1,000
    events = pd.read_parquet(world.path("events"))
    assert len(events) == 5_000 and list(events.columns) == list(have.events.columns())
    answers = pd.read_parquet(world.path("survey"))
    assert answers[have.survey.id].is_unique  # chunk prefixes keep ids unique
    assert answers[have.survey.id].str[:6].nunique() == 3
    bought = pd.read_parquet(world.path("transactions"))
    assert len(bought) == world.rows["transactions"] and bought[have.transactions.id].is_unique
    assert not list(tmp_path.rglob(".*.tmp"))  # no half-written file left
    again = lessons.parquet_world(dataset, tmp_path)  # the same folder read back: rows from the files' footers
    assert again.rows == world.rows and again.files == 3


def test_write_parquet_world_refuses_a_folder_with_parquet_files(tmp_path):
    lessons.write_parquet_world("ecommerce", tmp_path, rows=1_000)
    with pytest.raises(CXDataError, match=r"events, .*orders, .*survey already hold Parquet files"):
        lessons.write_parquet_world("ecommerce", tmp_path, rows=1_000)


def test_parquet_world_names_missing_folders(tmp_path):
    (tmp_path / "events").mkdir()
    with pytest.raises(CXDataError, match=r"no sub-folder orders, survey"):
        lessons.parquet_world("ecommerce", tmp_path)


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_write_parquet_world_rejects_a_bad_size(bad, tmp_path):
    with pytest.raises(ValueError, match="rows must be a positive whole number"):
        lessons.write_parquet_world("hotel", tmp_path, rows=bad)


# --- largest_difference --------------------------------------------------------------------------

def _result():
    return pd.DataFrame({"g": ["a", "b", "c"], "nps": [20.0, -4.0, 0.0], "n": [10, 20, 30], "flag": [True, False, True],
                         "p": [0.5, np.nan, 0.01]})


def test_largest_difference_by_hand():
    ref = _result()
    assert engine.largest_difference(ref.copy(), ref) == 0.0
    # 20 → 20.5 is 0.025 relative; −4 → −4.04 is 0.01; the 0 cell compares absolutely: 1e-12
    got = ref.assign(nps=[20.5, -4.04, 1e-12])
    assert engine.largest_difference(got, ref) == pytest.approx(0.025, rel=1e-12)
    assert engine.largest_difference(ref.assign(nps=[20.0, -4.0, 1e-12]), ref) == pytest.approx(1e-12)
    assert engine.largest_difference(ref.assign(n=[10, 20, 33]), ref) == pytest.approx(0.1)  # integers count too
    assert engine.largest_difference(ref.assign(flag=[True, True, True]), ref) == 1.0  # booleans as 0/1


def test_largest_difference_missing_in_one_table_is_infinite():
    ref = _result()
    assert engine.largest_difference(ref.assign(p=[0.5, 0.2, 0.01]), ref) == np.inf


def test_largest_difference_refuses_different_labels():
    ref = _result()
    with pytest.raises(ValueError, match="column 'g'"):
        engine.largest_difference(ref.assign(g=["a", "c", "b"]), ref)  # other groups or order: not the same result
    with pytest.raises(ValueError, match="shape"):
        engine.largest_difference(ref.drop(columns="p"), ref)
    with pytest.raises(ValueError, match="index"):
        engine.largest_difference(ref.set_axis([2, 1, 0]), ref)


def test_spark_missing_names_java(monkeypatch):
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    assert engine.spark_missing() == "no_java"
    with pytest.raises(RuntimeError, match="Java runtime"):
        engine.local_spark()
