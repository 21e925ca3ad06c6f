"""Engine fixtures for the behaviour statistics: the same pandas table as each engine's own table.

``to_engine(frame, kind)`` turns a pandas DataFrame into a pandas, Polars, PyArrow, DuckDB, Dask or
PySpark table; ``ENGINES`` lists the kinds run everywhere and ``engine`` is a parametrised
fixture over them plus ``pyspark``, which uses the one Spark session of ``tests/engines.py``
(skipped, saying why, when ``java`` is not installed).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from engines import spark  # noqa: F401  (the one Spark session of the test run)

ENGINES = ("pandas", "polars", "pyarrow", "duckdb", "dask")


def to_engine(frame: pd.DataFrame, kind: str, session=None):
    """The same table as ``kind``'s native table (no index: engines other than pandas have none)."""
    frame = frame.reset_index(drop=True)
    if kind == "pandas":
        return frame
    if kind == "polars":
        import polars as pl

        return pl.from_pandas(frame)
    if kind == "pyarrow":
        import pyarrow as pa

        return pa.Table.from_pandas(frame, preserve_index=False)
    if kind == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        return con.from_df(frame)
    if kind == "dask":
        import dask.dataframe as dd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return dd.from_pandas(frame, npartitions=2)  # two: partition boundaries must not matter
    if kind == "pyspark":
        return session.createDataFrame(frame)
    raise ValueError(kind)


@pytest.fixture(params=[*ENGINES, "pyspark"])
def engine(request):
    """A function turning a pandas DataFrame into the parametrised engine's table."""
    kind = request.param
    session = request.getfixturevalue("spark") if kind == "pyspark" else None
    return lambda frame: to_engine(frame, kind, session)
