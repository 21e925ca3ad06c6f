"""Every dataframe engine the library accepts, for parametrised tests.

``engine_frame`` turns a pandas test frame into the same table on pandas, Polars, PyArrow,
DuckDB, Dask or PySpark. The Spark session is started once per test session (master
``local[1]``, about 10 s); without ``java`` the Spark cases skip and say why (``.ci/run``
installs Debian's headless JRE when ``java`` is missing, so CI runs them).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

ENGINES = ["pandas", "polars", "pyarrow", "duckdb", "dask", "pyspark"]


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test run."""
    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime and `java` is not on PATH "
                    "(.ci/run installs Debian's headless JRE)")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (pyspark_sql.SparkSession.builder.master("local[1]").appName("cxlib-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def convert(df: pd.DataFrame, kind: str, spark_session=None):
    """The pandas frame ``df`` as a table of engine ``kind``."""
    if kind == "pandas":
        return df
    if kind == "polars":
        import polars as pl

        return pl.from_pandas(df)
    if kind == "pyarrow":
        import pyarrow as pa

        return pa.Table.from_pandas(df, preserve_index=False)
    if kind == "duckdb":
        import duckdb

        con = duckdb.connect()
        return con.from_df(df)
    if kind == "dask":
        import dask.dataframe as dd

        return dd.from_pandas(df, npartitions=3)
    if kind == "pyspark":
        return spark_session.createDataFrame(df.astype(object).where(df.notna(), None))
    raise ValueError(kind)


@pytest.fixture(params=ENGINES)
def engine_frame(request):
    """A function ``to(df)`` giving ``df`` on one engine (all engines in turn)."""
    kind = request.param
    session = request.getfixturevalue("spark") if kind == "pyspark" else None
    return lambda df: convert(df, kind, session)
