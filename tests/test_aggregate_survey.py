"""Aggregation layer: hand-worked sufficient statistics, validation, and every engine = pandas."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import metrics
from cxlib.aggregate.survey import answer_counts, cross_moments, moments
from cxlib.errors import CXDataError, ScoreError


def _survey(n=240, seed=5):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "seg": rng.choice(["a", "b", "c"], n),
        "site": rng.choice([1, 2], n),
        "ltr": rng.integers(0, 11, n).astype(float),
        "sat": rng.integers(1, 6, n).astype(float),
        "ces": rng.integers(1, 8, n).astype(float),
        "x": rng.normal(3, 1, n),
        "y": rng.normal(1, 2, n),
        "w": rng.uniform(0.2, 3.0, n),
    })
    df.loc[rng.random(n) < 0.05, "ltr"] = np.nan
    df.loc[rng.random(n) < 0.05, "x"] = np.nan
    df.loc[rng.random(n) < 0.05, "y"] = np.nan
    df.loc[3, "seg"] = None
    return df


SMALL = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "s": [10, 9, 3, 7, None],
                      "x": [1.0, 2.0, 4.0, 5.0, 7.0], "w": [1.0, 2.0, 1.0, 0.5, 1.5]})


def test_answer_counts_hand_worked():
    c = answer_counts(SMALL, "s", "g", low=0, high=10, weights="w")
    assert c.keys["g"].tolist() == ["a", "b"]
    assert c.counts[0, [3, 9, 10]].tolist() == [1, 1, 1] and c.counts[1, 7] == 1
    assert c.missing.tolist() == [0, 1]
    assert c.weighted[0, [3, 9, 10]].tolist() == [1.0, 2.0, 1.0] and c.weighted[1, 7] == 0.5
    assert c.sum_w2.tolist() == [6.0, 0.25]  # the missing answer's weight is not counted


def test_moments_hand_worked():
    m = moments(SMALL, "x", "g", weights="w")
    a = m.iloc[0]
    # group a: x = 1, 2, 4 with w = 1, 2, 1
    assert (a["n"], a["sum_x"], a["sum_x2"]) == (3, 7.0, 21.0)
    assert (a["sum_w"], a["sum_wx"], a["sum_wx2"], a["sum_w2"]) == (4.0, 9.0, 25.0, 6.0)
    assert (a["sum_w2x"], a["sum_w2x2"]) == (1 + 8 + 4.0, 1 + 16 + 16.0)


def test_cross_moments_pairwise_hand_worked():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [2.0, np.nan, 5.0, 1.0]})
    cm = cross_moments(df, ["a", "b"])
    assert cm.n.tolist() == [[3, 2], [2, 3]] and not cm.complete
    assert cm.sum_x.tolist() == [[6, 4], [7, 8]]  # Σa over rows with b: 1 + 3
    assert cm.sum_xy[0, 1] == 1 * 2 + 3 * 5


def test_bad_scores_weights_and_columns_are_named():
    with pytest.raises(ScoreError, match="index 1"):
        answer_counts(SMALL.assign(s=[10, 11, 3, 7, None]), "s", "g", low=0, high=10)
    with pytest.raises(CXDataError, match="missing column\\(s\\) 'nope'"):
        answer_counts(SMALL, "s", "nope", low=0, high=10)
    with pytest.raises(CXDataError, match="1 missing values"):
        answer_counts(SMALL.assign(w=[1, None, 1, 1, 1]), "s", "g", low=0, high=10, weights="w")
    with pytest.raises(CXDataError, match="negative"):
        moments(SMALL.assign(w=[1, -1, 1, 1, 1]), "x", weights="w")


def test_bad_scores_on_a_lazy_engine_name_the_values():
    import duckdb

    rel = duckdb.connect().from_df(SMALL.assign(s=[10, 11, 3, 2.5, None]))
    with pytest.raises(ScoreError, match="not whole numbers from 0 to 10"):
        answer_counts(rel, "s", "g", low=0, high=10)


def test_dask_tables_bring_no_narwhals_notice():
    # narwhals announces on every Dask frame that Dask will move to a plugin; the engine door
    # keeps that notice out of every statistic (and lets every other warning through)
    dd = pytest.importorskip("dask.dataframe")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        c = answer_counts(dd.from_pandas(SMALL, npartitions=2), "s", "g", low=0, high=10)
    np.testing.assert_array_equal(c.counts, answer_counts(SMALL, "s", "g", low=0, high=10).counts)


# --------------------------------------------------------------------------- large pandas tables


def _both_paths(monkeypatch, df, by, **kw):
    """answer_counts of one pandas table grouped by pandas and by DuckDB (thresholds lowered)."""
    from cxlib import engine

    monkeypatch.setattr(engine, "DUCKDB_MIN_ROWS", 10**12)
    by_pandas = answer_counts(df, "s", by, low=0, high=10, **kw)
    monkeypatch.setattr(engine, "DUCKDB_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "DUCKDB_LOAD_ROWS", 0)
    return by_pandas, answer_counts(df, "s", by, low=0, high=10, **kw)


GROUPS = {
    "text with missing": pd.Series(["a", "c", None, "a", "c", "b", "b", None], dtype="str"),
    "object text": pd.Series(["a", "c", None, "a", "c", "b", "b", None], dtype=object),
    "object of mixed types": pd.Series(["a", 1, None, "a", 1, "b", "b", None], dtype=object),
    "categories with an unused one": pd.Categorical(["a", "c", None, "a", "c", "b", "b", None],
                                                    categories=["c", "b", "a", "z"]),
    "nullable integers": pd.array([3, 1, None, 3, 1, 1, 2, 2], dtype="Int64"),
    "floats with NaN": [3.0, 1, np.nan, 3, 1, 1, 2, 2],
    "booleans": [True, False, True, True, False, False, True, False],
    "dates": pd.to_datetime(["2024-01-01", "2024-02-01"] * 4),
}


@pytest.mark.parametrize("kind", list(GROUPS))
def test_large_pandas_tables_counted_by_duckdb_equal_pandas(monkeypatch, kind):
    df = pd.DataFrame({"g": GROUPS[kind], "h": [1, 2] * 4, "s": [10, 3, None, 7, 9, 0, 10, 5],
                       "w": [1.0, 2.5, 3.0, 1.0, 1.0, 2.0, 0.5, 1.0]})
    a, b = _both_paths(monkeypatch, df, ["g", "h"], weights="w")
    pd.testing.assert_frame_equal(a.keys, b.keys)  # same values, order and dtypes (categories too)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.missing, b.missing)
    np.testing.assert_allclose(a.weighted, b.weighted, rtol=1e-15)
    np.testing.assert_allclose(a.sum_w2, b.sum_w2, rtol=1e-15)


def test_large_pandas_tables_still_name_bad_rows(monkeypatch):
    df = pd.DataFrame({"g": list("aabbaabb"), "s": [1, 2, 11, 3, 4, 5, 6, 7]}, index=list("pqrstuvw"))
    from cxlib import engine

    monkeypatch.setattr(engine, "DUCKDB_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "DUCKDB_LOAD_ROWS", 0)
    with pytest.raises(ScoreError, match=r"index r \(11.0\)"):
        answer_counts(df, "s", "g", low=0, high=10)
    with pytest.raises(CXDataError, match="1 missing values"):
        answer_counts(df.assign(s=5, w=[1, None, 1, 1, 1, 1, 1, 1]), "s", "g", low=0, high=10, weights="w")


def test_duckdb_is_loaded_for_counts_only_once_it_pays(tmp_path):
    # a fresh process: 300 000-row tables stay with pandas until the rows so far reach
    # DUCKDB_LOAD_ROWS (lowered to 500 000 here), then DuckDB is loaded and used
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from cxlib import engine\n"
        "from cxlib.aggregate.survey import answer_counts\n"
        "engine.DUCKDB_LOAD_ROWS = 500_000\n"
        "df = pd.DataFrame({'g': np.arange(300_000) % 3, 's': np.arange(300_000) % 11})\n"
        "first = answer_counts(df, 's', 'g', low=0, high=10)\n"
        "print('duckdb' in sys.modules)\n"
        "second = answer_counts(df, 's', 'g', low=0, high=10)\n"
        "print('duckdb' in sys.modules, (first.counts == second.counts).all())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "True", "True"]


# --------------------------------------------------------------------------- engines


def _assert_frames_close(a: pd.DataFrame, b: pd.DataFrame):
    assert a.columns.tolist() == b.columns.tolist()
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x.dtype) and not pd.api.types.is_bool_dtype(x.dtype):
            np.testing.assert_allclose(y.to_numpy(float), x.to_numpy(float), rtol=1e-12, atol=1e-12,
                                       err_msg=col)
        else:
            assert [None if pd.isna(v) else str(v) for v in x] == [None if pd.isna(v) else str(v) for v in y], col


@pytest.mark.engines
@pytest.mark.parametrize("weights", [None, "w"])
def test_aggregates_equal_pandas_on_every_engine(engine_frame, weights):
    df = _survey()
    data = engine_frame(df)
    ref = answer_counts(df, "ltr", ["seg", "site"], low=0, high=10, weights=weights)
    got = answer_counts(data, "ltr", ["seg", "site"], low=0, high=10, weights=weights)
    np.testing.assert_array_equal(got.counts, ref.counts)
    np.testing.assert_array_equal(got.missing, ref.missing)
    assert got.keys.astype(str).values.tolist() == ref.keys.astype(str).values.tolist()
    if weights:
        np.testing.assert_allclose(got.weighted, ref.weighted, rtol=1e-12)
        np.testing.assert_allclose(got.sum_w2, ref.sum_w2, rtol=1e-12)
    _assert_frames_close(moments(df, ["x", "y"], "seg", weights=weights),
                         moments(data, ["x", "y"], "seg", weights=weights))
    a, b = cross_moments(df, ["x", "y", "sat"], weights=weights), cross_moments(data, ["x", "y", "sat"], weights=weights)
    for name in ("n", "sum_x", "sum_xy") + (("sum_w2",) if weights else ()):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, err_msg=name)


@pytest.mark.engines
@pytest.mark.parametrize("weights", [None, "w"])
def test_survey_statistics_equal_pandas_on_every_engine(engine_frame, weights):
    df = _survey()
    data = engine_frame(df)
    for fn, score in ((metrics.nps_by, "ltr"), (metrics.csat_by, "sat"), (metrics.ces_by, "ces")):
        ref = fn(df, score, "seg", min_n=5, weights=weights)
        got = fn(data, score, "seg", min_n=5, weights=weights)
        _assert_frames_close(ref, got)
