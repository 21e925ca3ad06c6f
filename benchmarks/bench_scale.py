"""The library's public functions at scale against hand-written DuckDB SQL on the same data.

Usage::

    python benchmarks/bench_scale.py --rows 100000000 [--mode parquet] [--data-dir DIR]
    python benchmarks/bench_scale.py --rows 10000000 --mode memory

``--mode parquet`` (default) writes (once, in chunks of ``--chunk`` rows, never the whole table in
memory) three Parquet folders of ``--rows`` rows each — survey answers (0–10 NPS, 20 segments),
an event log (session, platform, funnel step, time) and a transaction log (customer, time,
amount) — and runs, each in a fresh process, four lesson statistics through the public functions
on a lazy DuckDB scan of the folder (:func:`cxlib.engine.scan_parquet`) and the same aggregate
written by hand in DuckDB SQL:

* NPS by 20 segments — ``metrics.nps_by`` vs counts of promoters/passives/detractors per segment;
* funnel by channel — ``journey.funnel(by="platform")`` vs steps seen per session, per channel;
* RFM summary — ``value.rfm_summary`` vs per-customer first/last day, days, first-day and later sums;
* cohort retention — ``value.cohort_retention`` vs customers per (first month, month offset).

``--mode memory`` builds the tables as pandas DataFrames of ``--rows`` rows and of a tenth of it
and times the same calls on pandas input against DuckDB SQL on the same frame, printing the
time ratio between the two sizes (linear growth: ≤ 12).

Each measurement reports wall time and the peak resident memory added by the call (the peak-RSS
counter is reset just before it, ``/proc/self/clear_refs``). Targets: on Parquet ≤ 1.5× the
SQL's time and ≤ 1.2× its peak memory; in memory ≤ 2× DuckDB on the same frame.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_value import _rss_kib  # noqa: E402  (peak-RSS reading, shared with the RFM benchmark)

STEPS = ["home", "search", "product", "cart", "checkout", "payment", "order"]
TASKS = ("nps_by", "funnel", "rfm", "cohorts")
TABLE = {"nps_by": "survey", "funnel": "events", "rfm": "orders", "cohorts": "orders"}


# --------------------------------------------------------------------------------------
# data: chunked, seeded, never the whole table in memory
# --------------------------------------------------------------------------------------


def make_chunk(table: str, start: int, n: int, seed: int = 0) -> pd.DataFrame:
    """Rows ``start`` … ``start + n`` of one table (each chunk seeded by its position)."""
    rng = np.random.default_rng([seed, start, TABLE_CODES[table]])
    t0 = np.datetime64("2025-01-01T00:00:00", "s")
    if table == "survey":
        return pd.DataFrame({
            "segment": pd.Series(rng.integers(0, 20, n)).map("seg{:02d}".format).astype("str"),
            "nps": rng.choice(11, n, p=np.r_[np.full(7, 0.04), 0.1, 0.12, 0.25, 0.25]).astype("int64"),
        })
    if table == "events":
        # sessions of ~5 events each, consecutive rows; depth decides how far down the funnel
        first = start // 5
        sess = first + np.arange(n) // 5
        pos = (start + np.arange(n)) % 5
        depth = np.random.default_rng([seed, 7]).integers(1, 8, sess.max() - first + 1)[sess - first]
        k = np.minimum(pos + rng.integers(0, 3, n), depth - 1)
        return pd.DataFrame({
            "session_id": pd.Series(sess).map("S{:010d}".format).astype("str"),
            "platform": np.where(sess % 3 == 0, "app", "web"),
            "step": np.asarray(STEPS, dtype=object)[k],
            "timestamp": t0 + (sess * 97 % (365 * 86400) + pos * 40).astype("timedelta64[s]"),
        }).astype({"step": "str", "platform": "str"})
    if table == "orders":
        cust = rng.integers(0, max(1, N_ROWS // 10), n)
        return pd.DataFrame({
            "customer_id": pd.Series(cust).map("C{:09d}".format).astype("str"),
            "order_time": t0 + rng.integers(0, 730 * 86400, n).astype("timedelta64[s]"),
            "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
        })
    raise ValueError(table)


TABLE_CODES = {"survey": 1, "events": 2, "orders": 3}
N_ROWS = 0  # set by main / worker: customers scale with the table


def write_parquet(data_dir: Path, rows: int, chunk: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for table in TABLE_CODES:
        folder = data_dir / table
        done = folder / "_complete"
        if done.exists() and done.read_text() == str(rows):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
        t0 = time.perf_counter()
        for i, start in enumerate(range(0, rows, chunk)):
            frame = make_chunk(table, start, min(chunk, rows - start))
            tmp = folder / f".part{i:05d}.tmp"
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
            tmp.rename(folder / f"part{i:05d}.parquet")  # atomic: a part is whole or absent
        done.write_text(str(rows))
        print(f"  wrote {table}: {rows:,} rows in {time.perf_counter() - t0:.0f} s", flush=True)


def load_frame(table: str, rows: int, chunk: int = 5_000_000) -> pd.DataFrame:
    return pd.concat([make_chunk(table, s, min(chunk, rows - s)) for s in range(0, rows, chunk)],
                     ignore_index=True)


# --------------------------------------------------------------------------------------
# the two implementations of each task
# --------------------------------------------------------------------------------------

SQL = {
    "nps_by": """
        SELECT segment, count(nps) AS n, sum((nps >= 9)::INT) AS promoters,
               sum((nps BETWEEN 7 AND 8)::INT) AS passives, sum((nps <= 6)::INT) AS detractors
        FROM {t} GROUP BY segment""",
    "funnel": """
        WITH s AS (SELECT session_id, min(platform) AS platform,
            max((step = 'home')::INT) AS h0, max((step = 'search')::INT) AS h1,
            max((step = 'product')::INT) AS h2, max((step = 'cart')::INT) AS h3,
            max((step = 'checkout')::INT) AS h4, max((step = 'payment')::INT) AS h5,
            max((step = 'order')::INT) AS h6
            FROM {t} GROUP BY session_id)
        SELECT platform, h0 + 2*h1 + 4*h2 + 8*h3 + 16*h4 + 32*h5 + 64*h6 AS mask, count(*) AS sessions
        FROM s GROUP BY ALL""",
    "rfm": """
        WITH cp AS (SELECT customer_id, date_diff('day', DATE '1970-01-01', order_time::DATE) AS p,
                           sum(amount) AS v FROM {t} GROUP BY ALL),
             w AS (SELECT *, min(p) OVER (PARTITION BY customer_id) AS f FROM cp)
        SELECT customer_id, min(p) AS first_period, max(p) AS last_period, count(*) AS n_periods,
               sum(CASE WHEN p = f THEN v ELSE 0 END) AS first_value,
               sum(CASE WHEN p = f THEN 0 ELSE v END) AS repeat_value
        FROM w GROUP BY customer_id ORDER BY customer_id""",
    "cohorts": """
        WITH cp AS (SELECT DISTINCT customer_id,
                           12 * (year(order_time) - 1970) + month(order_time) - 1 AS p FROM {t}),
             w AS (SELECT p, min(p) OVER (PARTITION BY customer_id) AS c FROM cp)
        SELECT c, p - c AS o, count(*) AS customers FROM w GROUP BY ALL""",
}


def library_call(task: str, data):
    from cxlib import journey, metrics, value

    if task == "nps_by":
        return metrics.nps_by(data, "nps", "segment")
    if task == "funnel":
        return journey.funnel(data, steps=STEPS, by="platform")
    if task == "rfm":
        return value.rfm_summary(data, "customer_id", "order_time", "amount")
    return value.cohort_retention(data, "customer_id", "order_time")


def worker(task: str, impl: str, mode: str, rows: int, data_dir: str) -> dict:
    global N_ROWS
    N_ROWS = rows
    # Imports and connections outside the timed call, for both: the library loads narwhals on its
    # first query and opens its own DuckDB connection for large pandas tables, as the SQL side
    # opens `con` below.
    import duckdb
    import narwhals  # noqa: F401

    import cxlib.engine
    import cxlib.journey  # noqa: F401
    import cxlib.metrics  # noqa: F401
    import cxlib.value  # noqa: F401

    cxlib.engine._duckdb_connection()

    table = TABLE[task]
    con = duckdb.connect()
    if mode == "parquet":
        source = f"read_parquet('{Path(data_dir) / table}/*.parquet')"
        frame = None
    else:
        frame = load_frame(table, rows)
        con.register("frame", frame)
        source = "frame"
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _rss_kib("VmRSS:")
    t0 = time.perf_counter()
    if impl == "sql":
        out = con.sql(SQL[task].format(t=source)).df()
    elif mode == "parquet":
        from cxlib.engine import scan_parquet

        out = library_call(task, scan_parquet(Path(data_dir) / table, connection=con))
    else:
        out = library_call(task, frame)
    seconds = time.perf_counter() - t0
    peak = _rss_kib("VmHWM:")
    return {"task": task, "impl": impl, "rows": rows, "seconds": seconds,
            "peak_mib": (peak - before) / 1024, "result_rows": len(out)}


def run(task, impl, mode, rows, data_dir) -> dict:
    cmd = [sys.executable, __file__, "--worker", task, impl, "--mode", mode, "--rows", str(rows),
           "--data-dir", str(data_dir)]
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if res.returncode != 0:
        tail = res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"
        return {"task": task, "impl": impl, "rows": rows, "error": tail}
    return json.loads(res.stdout.strip().splitlines()[-1])


def _line(r: dict, base: dict | None = None) -> str:
    if "error" in r:
        return f"{r['task']:>8} {r['impl']:>7} {r['rows']:>12,}  failed: {r['error']}"
    text = f"{r['task']:>8} {r['impl']:>7} {r['rows']:>12,} {r['seconds']:>9.2f} {r['peak_mib']:>9.0f}"
    if base and "error" not in base:
        text += (f"   {r['seconds'] / base['seconds']:4.2f}× the time, "
                 f"{r['peak_mib'] / max(base['peak_mib'], 1):4.2f}× the memory of DuckDB SQL")
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--mode", choices=["parquet", "memory"], default="parquet")
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "cx_bench_scale"))
    ap.add_argument("--chunk", type=int, default=5_000_000)
    ap.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    global N_ROWS
    N_ROWS = args.rows
    if args.worker:
        print(json.dumps(worker(*args.worker, args.mode, args.rows, args.data_dir)))
        return
    data_dir = Path(args.data_dir) / str(args.rows)
    print(f"bench_scale — mode {args.mode}, {args.rows:,} rows per table, DuckDB {__import__('duckdb').__version__}, "
          f"{os.cpu_count()} cores")
    if args.mode == "parquet":
        write_parquet(data_dir, args.rows, args.chunk)
    print(f"{'task':>8} {'impl':>7} {'rows':>12} {'seconds':>9} {'peak MiB':>9}")
    sizes = [args.rows] if args.mode == "parquet" else [args.rows // 10, args.rows]
    for task in args.tasks:
        by_size = {}
        for rows in sizes:
            sql = run(task, "sql", args.mode, rows, data_dir)
            lib = run(task, "cxlib", args.mode, rows, data_dir)
            print(_line(sql))
            print(_line(lib, sql), flush=True)
            by_size[rows] = lib
        if len(sizes) == 2 and all("error" not in by_size[s] for s in sizes):
            ratio = by_size[sizes[1]]["seconds"] / by_size[sizes[0]]["seconds"]
            print(f"{task:>8} cxlib time ratio {sizes[0]:,} → {sizes[1]:,} rows: {ratio:.1f} (linear: ≤ 12)")


if __name__ == "__main__":
    main()
