"""One door to every dataframe engine.

The aggregation layer never speaks to pandas, Polars, DuckDB, Spark or Dask directly: it asks this
module for a *lazy* narwhals frame, builds its group-by/aggregate query with narwhals expressions, and
collects only the aggregate (a few rows per group) back as a pandas DataFrame for the math layer.

Why narwhals and not Ibis: narwhals wraps each engine's own lazy API without a SQL compiler in
between, so a pandas input stays a pandas computation (no copy into DuckDB), it imports in a fraction
of Ibis' time, and one expression set covers pandas, Polars, PyArrow, DuckDB, Dask and PySpark
(measurements in ``docs/ARCHITECTURE.md``).

Why the DuckDB default for files: a folder of Parquet files is scanned lazily by DuckDB (projection
and filter pushdown, spilling to disk), so data larger than memory never has to be loaded whole.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import narwhals as nw
import numpy as np
import pandas as pd

from .errors import CXDataError

__all__ = ["lazy", "collect", "column_names", "is_lazy", "scan_parquet", "native_kind", "largest_difference",
           "spark_missing", "local_spark"]

SUPPORTED = "pandas, Polars (eager or lazy), PyArrow Table, DuckDB relation, Dask or PySpark DataFrame"


def lazy(data) -> nw.LazyFrame:
    """Wrap any supported table as a lazy narwhals frame.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame or LazyFrame, pyarrow.Table, duckdb relation,
        dask.dataframe.DataFrame, pyspark.sql.DataFrame, or a narwhals frame.

    Returns
    -------
    narwhals.LazyFrame
        Eager inputs are wrapped without copying; lazy inputs stay lazy.

    Raises
    ------
    TypeError
        For anything else, naming the supported kinds.
    """
    if isinstance(data, nw.LazyFrame):
        return data
    if isinstance(data, nw.DataFrame):
        return data.lazy()
    try:
        frame = nw.from_native(data)
    except TypeError:
        raise TypeError(
            f"expected a table ({SUPPORTED}); got {type(data).__module__}.{type(data).__name__}"
        ) from None
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    return frame


def is_lazy(data) -> bool:
    """True when ``data`` is computed on demand by its engine (DuckDB, Spark, Dask, Polars lazy)."""
    if isinstance(data, nw.LazyFrame):
        return True
    if isinstance(data, nw.DataFrame):
        return False
    try:
        return isinstance(nw.from_native(data), nw.LazyFrame)
    except TypeError:
        return False


def native_kind(data) -> str:
    """Short name of the engine behind ``data`` (``"pandas"``, ``"duckdb"``, ``"pyspark"``, …)."""
    frame = data if isinstance(data, nw.DataFrame | nw.LazyFrame) else nw.from_native(data)
    return frame.implementation.name.lower()


def collect(frame: nw.LazyFrame | nw.DataFrame) -> pd.DataFrame:
    """Run a (small, aggregated) narwhals query and return it as a pandas DataFrame."""
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect(backend="pandas")
    return frame.to_pandas()


def column_names(data) -> list[str]:
    """Column names of any supported table, without computing it."""
    return list(lazy(data).collect_schema().names())


def scan_parquet(path: str | Path, *, connection=None):
    """A lazy DuckDB relation over one Parquet file or every ``*.parquet`` file under a folder.

    Nothing is read until an aggregate is asked for; DuckDB then streams the files with column
    pruning and spills to disk if needed, so a folder larger than memory can be summarised.

    Parameters
    ----------
    path : str or Path
        A ``.parquet`` file or a folder (searched recursively).
    connection : duckdb.DuckDBPyConnection, optional
        Defaults to DuckDB's process-wide connection.

    Returns
    -------
    duckdb.DuckDBPyRelation
    """
    import duckdb  # imported here: only callers that scan files pay for DuckDB

    path = Path(path)
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*.parquet"))
        if not files:
            raise CXDataError(f"{path}: no .parquet files in this folder")
    elif path.is_file():
        files = [str(path)]
    else:
        raise CXDataError(f"{path}: no such file or folder")
    con = connection if connection is not None else duckdb.default_connection()
    return con.read_parquet(files)


def largest_difference(result: pd.DataFrame, reference: pd.DataFrame) -> float:
    r"""The largest relative difference between two results of the same call on two engines.

    A statistic computed on DuckDB, Spark or Polars must give the numbers it gives on pandas.
    This compares two result tables cell by cell: the labels (index and non-numeric columns)
    must be equal, and the numbers may differ only by floating-point rounding.

    Parameters
    ----------
    result : DataFrame
        The table computed on one engine (e.g. ``metrics.nps_by`` of a DuckDB relation).
    reference : DataFrame
        The same call's table on the reference engine (usually pandas), same columns.

    Returns
    -------
    float
        :math:`\max_{ij} |a_{ij} - b_{ij}| / |b_{ij}|` over the numeric cells (booleans
        included as 0/1), with :math:`|a - b|` itself where :math:`b = 0`; a cell missing in
        both tables counts 0, a cell missing in one of them counts ``inf``. 0.0 for tables
        without numeric cells.

    Raises
    ------
    ValueError
        When the tables differ in columns, number of rows, index labels or any non-numeric
        value (naming the first column that differs): then they are not the same result.

    Notes
    -----
    Rows are compared in the order the tables have; the library's functions sort their
    results by their group keys on every engine. Written by hand because
    ``pandas.testing.assert_frame_equal`` answers yes or no at a tolerance, while a lesson
    shows how close the engines come (about 1e-16, the rounding of one sum).

    Examples
    --------
    >>> a = pd.DataFrame({"g": ["x", "y"], "nps": [10.0, 0.0], "n": [4, 5]})
    >>> largest_difference(a.assign(nps=[10.5, 0.0]), a)  # 0.5 / 10
    0.05
    >>> largest_difference(a.assign(nps=[10.0, 2e-9]), a)  # the reference is 0: the difference itself
    2e-09
    """
    if list(result.columns) != list(reference.columns) or len(result) != len(reference):
        raise ValueError(f"the results differ in shape: columns {list(result.columns)} and {list(reference.columns)}, "
                         f"{len(result)} and {len(reference)} rows")
    if not result.index.equals(reference.index):
        raise ValueError("the results differ in their index labels (different groups or order)")
    numeric = [c for c in reference.columns if pd.api.types.is_numeric_dtype(reference[c])
               and pd.api.types.is_numeric_dtype(result[c])]
    for col in reference.columns.difference(numeric, sort=False):
        a, b = result[col].astype(object), reference[col].astype(object)
        if not (a.eq(b) | (a.isna() & b.isna())).all():
            raise ValueError(f"the results differ in column {col!r}: {a[~a.eq(b)].iloc[0]!r} "
                             f"where the reference has {b[~a.eq(b)].iloc[0]!r}")
    if not numeric or len(reference) == 0:
        return 0.0
    x = result[numeric].astype(float).to_numpy()
    y = reference[numeric].astype(float).to_numpy()
    both, one = np.isnan(x) & np.isnan(y), np.isnan(x) ^ np.isnan(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(x - y)
        rel = np.where(y == 0, diff, diff / np.abs(y))
    rel = np.where(both, 0.0, np.where(one, np.inf, rel))
    return float(rel.max())


def spark_missing() -> str | None:
    """Why a local Spark session cannot start here, or None when it can.

    Returns
    -------
    str or None
        ``"no_java"`` (PySpark runs on a Java runtime and ``java`` is not on PATH),
        ``"no_pyspark"`` (the package is not installed) or None. The keys name the
        reason for a sentence in the reader's language.
    """
    if shutil.which("java") is None:
        return "no_java"
    try:
        import pyspark.sql  # noqa: F401
    except ImportError:
        return "no_pyspark"
    return None


_SPARK_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


def local_spark(app: str = "cxlib", cores: int | str = "*"):
    """A Spark session on this machine (``local[cores]``), quiet, in UTC.

    Parameters
    ----------
    app : str
        The application name Spark shows.
    cores : int or "*"
        Worker threads; ``"*"`` uses every core.

    Returns
    -------
    pyspark.sql.SparkSession
        Started or reused (Spark keeps one per process); call ``.stop()`` when done.

    Raises
    ------
    RuntimeError
        When :func:`spark_missing` gives a reason, naming it.
    """
    why = spark_missing()
    if why is not None:
        raise RuntimeError({"no_java": "PySpark needs a Java runtime and `java` is not on PATH",
                            "no_pyspark": "the pyspark package is not installed"}[why])
    import tempfile
    import warnings

    from pyspark.sql import SparkSession

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")  # a version notice, not a result
    # errors only, from the JVM's start on: its default start-up notices name the machine's host and address,
    # which have no place in a report
    quiet = Path(tempfile.mkdtemp(prefix="cx_spark_")) / "log4j2.properties"
    quiet.write_text(_SPARK_LOG4J, encoding="utf-8")
    session = (SparkSession.builder.master(f"local[{cores}]").appName(app)
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{quiet}")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session
