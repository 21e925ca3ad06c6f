"""Engine fixtures for the behaviour statistics: the same pandas table as each engine's own table.

``to_engine(frame, kind)`` turns a pandas DataFrame into a pandas, Polars, PyArrow, DuckDB, Dask or
PySpark table; ``ENGINES`` lists the kinds run everywhere and ``engine`` is a parametrised
fixture over them plus ``pyspark``, which runs in local mode on one core with one session for the
whole test run and is skipped, saying why, when ``java`` is not installed.
"""

from __future__ import annotations

import shutil
import warnings

import pandas as pd
import pytest

ENGINES = ("pandas", "polars", "pyarrow", "duckdb", "dask")
NO_JAVA = "PySpark needs a Java runtime: `java` is not on PATH (CI installs Debian's headless JRE)"


@pytest.fixture(scope="session")
def spark():
    """One local PySpark session (local[1], UTC) shared by every test; skipped without Java."""
    if shutil.which("java") is None:
        pytest.skip(NO_JAVA)
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("cxlib-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def to_engine(frame: pd.DataFrame, kind: str, spark=None):
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
        return spark.createDataFrame(frame)
    raise ValueError(kind)


@pytest.fixture(params=[*ENGINES, "pyspark"])
def engine(request):
    """A function turning a pandas DataFrame into the parametrised engine's table."""
    kind = request.param
    session = request.getfixturevalue("spark") if kind == "pyspark" else None
    return lambda frame: to_engine(frame, kind, session)
