"""The appendix notebook (not a numbered lesson, so not in runner.discover) runs end to end."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from cxwb import runner

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "appendix_at_scale.ipynb"


@pytest.mark.notebook
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_appendix_runs_small_through_duckdb(lang, tmp_path):
    # a small size and no Spark keep the suite short; the Spark section prints why it was skipped
    run = runner.execute(NOTEBOOK, tmp_path, {"dataset": "ecommerce", "lang": lang, "rows": 30_000,
                                              "chunk_rows": 15_000, "out_dir": str(tmp_path / "data"),
                                              "use_spark": False}, timeout=300)
    assert run.ok, run.describe()
    executed = nbformat.read(str(run.executed), as_version=4)
    text = "\n".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "30,000" in text  # the report says the size it ran
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["events", "orders", "survey"]
    assert len(list((tmp_path / "data" / "events").glob("*.parquet"))) >= 2  # written in chunks


def test_appendix_structure():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "rows = 100_000" in params[0].source
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    assert sum("lang-en" in c.metadata.get("tags", []) for c in md) == sum("lang-zh" in c.metadata.get("tags", []) for c in md)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
