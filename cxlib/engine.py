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

from pathlib import Path

import narwhals as nw
import pandas as pd

from .errors import CXDataError

__all__ = ["lazy", "collect", "column_names", "is_lazy", "scan_parquet", "native_kind"]

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
