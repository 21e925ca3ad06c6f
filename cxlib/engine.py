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
import sys
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import CXDataError, optional_import

if TYPE_CHECKING:
    import narwhals as nw

__all__ = ["lazy", "collect", "column_names", "is_lazy", "scan_parquet", "native_kind", "aggregation_frame",
           "DUCKDB_MIN_ROWS", "DUCKDB_LOAD_ROWS",
           "largest_difference", "spark_missing", "local_spark"]

SUPPORTED = "pandas, Polars (eager or lazy), PyArrow Table, DuckDB relation, Dask or PySpark DataFrame"


def _from_native(data):
    """``narwhals.from_native``, with Dask through the backend narwhals ships.

    narwhals 2.2x announces, on every Dask frame, that a future release will serve Dask only
    through the separate ``narwhals-dask`` plugin. When that plugin is installed narwhals uses
    it and says nothing; when it is not, the built-in backend is the one this library is
    tested with (``requirements.lock`` pins narwhals), so the notice, which a user of the
    library cannot act on, is not repeated on every statistic. Any other warning passes.
    """
    import narwhals as nw

    if type(data).__module__.startswith("dask"):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Dask support is moving out of Narwhals",
                                    category=FutureWarning)
            return nw.from_native(data)
    return nw.from_native(data)


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
    import narwhals as nw  # imported on first use: a statistic's import stays light

    if isinstance(data, nw.LazyFrame):
        return data
    if isinstance(data, nw.DataFrame):
        return data.lazy()
    try:
        frame = _from_native(data)
    except TypeError:
        raise TypeError(
            f"expected a table ({SUPPORTED}); got {type(data).__module__}.{type(data).__name__}"
        ) from None
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    return frame


def is_lazy(data) -> bool:
    """True when ``data`` is computed on demand by its engine (DuckDB, Spark, Dask, Polars lazy)."""
    import narwhals as nw

    if isinstance(data, nw.LazyFrame):
        return True
    if isinstance(data, nw.DataFrame):
        return False
    try:
        return isinstance(_from_native(data), nw.LazyFrame)
    except TypeError:
        return False


def native_kind(data) -> str:
    """Short name of the engine behind ``data`` (``"pandas"``, ``"duckdb"``, ``"pyspark"``, …)."""
    import narwhals as nw

    frame = data if isinstance(data, nw.DataFrame | nw.LazyFrame) else _from_native(data)
    return frame.implementation.name.lower()


def collect(frame: nw.LazyFrame | nw.DataFrame, like=None) -> pd.DataFrame:
    """Run a (small, aggregated) narwhals query and return it as a pandas DataFrame.

    With ``like`` (the pandas table the query was built from), result columns that are
    categorical there get that exact dtype back (DuckDB returns them as ordered categories).
    """
    import narwhals as nw

    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect(backend="pandas")
    out = frame.to_pandas()
    if isinstance(like, pd.DataFrame):
        for c in out.columns:
            if c in like.columns and isinstance(like[c].dtype, pd.CategoricalDtype) and out[c].dtype != like[c].dtype:
                out[c] = out[c].astype(like[c].dtype)
    return out


def column_names(data) -> list[str]:
    """Column names of any supported table, without computing it."""
    return list(lazy(data).collect_schema().names())


#: A pandas table with at least this many rows is aggregated by DuckDB, which scans the pandas
#: columns in place (no copy) on all cores: the same narwhals query, 2–4× faster than pandas'
#: single-threaded group-by on 10⁶–10⁷ rows and without pandas' per-row key arrays
#: (``benchmarks/bench_scale.py``, ``benchmarks/bench_metrics.py``).
DUCKDB_MIN_ROWS = 200_000

#: Before DuckDB is loaded in the process, a cheap query (answer counts) stays with pandas until
#: the pandas rows aggregated so far, this table's included, reach this many: loading DuckDB
#: costs about 0.08 s once, and on answer counts it saves about 0.02 s per 10⁶ rows (measured on
#: two cores), so from here on the load has paid for itself (the ski-rental rule: pay the
#: rent until it sums to the purchase price, then buy).
DUCKDB_LOAD_ROWS = 4_000_000

_rows_before_duckdb = 0  # pandas rows aggregated by pandas while DuckDB was not yet loaded


def _hand_to_duckdb(n_rows: int, load_after: int) -> bool:
    """Whether a pandas table of ``n_rows`` should be aggregated by DuckDB (see the constants)."""
    global _rows_before_duckdb
    if n_rows < DUCKDB_MIN_ROWS:
        return False
    if "duckdb" in sys.modules or _rows_before_duckdb + n_rows >= load_after:
        return True
    _rows_before_duckdb += n_rows
    return False


@cache
def _duckdb_connection():
    import duckdb

    con = duckdb.connect()
    # only aggregates run here and every caller orders what it collects, so DuckDB need not keep
    # row order through the scan (on RFM at 10⁷ rows about a tenth less peak memory)
    con.sql("SET preserve_insertion_order = false")
    return con


def _duckdb_reads_faithfully(column: pd.Series) -> bool:
    """DuckDB reads this pandas column as the same values (an object column of mixed Python types
    would come back as text, so it stays with pandas)."""
    if column.dtype != object:
        return True
    return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def aggregation_frame(data, columns=None, *, load_after: int = 0) -> nw.LazyFrame:
    """The lazy frame an aggregate query should run on: :func:`lazy`, except for large pandas tables.

    A pandas table of at least :data:`DUCKDB_MIN_ROWS` rows is handed to DuckDB, which reads the
    pandas columns in place and groups on every core; only the aggregate comes back (collect it
    with ``collect(query, like=data)`` to keep the table's categorical dtypes). Tables with a
    time-zone-aware column (DuckDB would read its times in the connection's zone), duplicate or
    non-text column names, object columns holding anything but text, and installations without
    DuckDB stay with pandas, which computes the same query. Every other input is :func:`lazy`
    unchanged.

    Parameters
    ----------
    data : table
        Anything :func:`lazy` accepts.
    columns : list of str, optional
        The columns the query reads (default: all); only these are checked and handed over.
    load_after : int
        While DuckDB is not loaded in the process, keep pandas until the large pandas tables
        aggregated so far reach this many rows (:data:`DUCKDB_LOAD_ROWS` for cheap queries such
        as answer counts; 0, the default, loads DuckDB for the first large table, right for
        queries on which pandas is slow per row, like sessions keyed by text).

    Returns
    -------
    narwhals.LazyFrame
    """
    import narwhals as nw

    if isinstance(data, pd.DataFrame) and _hand_to_duckdb(len(data), load_after):
        names_ok = data.columns.is_unique and all(isinstance(c, str) for c in data.columns)
        if names_ok:
            part = data if columns is None else data[list(dict.fromkeys(columns))]
            naive = not any(isinstance(t, pd.DatetimeTZDtype) for t in part.dtypes)
            if naive and all(_duckdb_reads_faithfully(part[c]) for c in part.columns):
                try:
                    return nw.from_native(_duckdb_connection().from_df(part))
                except ImportError:  # DuckDB not installed: pandas computes the same query
                    pass
    return lazy(data)


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
    # imported here: only callers that scan files pay for DuckDB (and only they need the extra)
    duckdb = optional_import("duckdb", "scale", "scan_parquet (a lazy scan of Parquet files)")
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
