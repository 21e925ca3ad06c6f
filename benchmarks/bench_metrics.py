"""Speed of cxlib's survey statistics against DuckDB SQL, pingouin and a pandas groupby.

Usage::

    python benchmarks/bench_metrics.py [--n 2000000] [--groups 20] [--repeat 3] [--alpha-n 1000000]

Four measurements, each printed with its ratio (targets from the project's design):

1. **Segment tables** — ``nps_by`` / ``csat_by`` / ``ces_by`` on ``--n`` responses in a pandas
   frame (whole public call: validation, counts, intervals, tests vs rest, Holm) against
   hand-written DuckDB SQL on the same frame computing the counts per segment and the same
   point estimates (DuckDB reads the pandas frame in place, on every core). Target ≤ 2×.
2. **Cronbach's α** on ``--alpha-n`` × 22 complete answers: ``servqual.reliability`` against
   ``pingouin.cronbach_alpha``. Target ≤ 1.5×.
3. **First ``nps_by`` in a fresh process** (subprocess, imports and lazy imports included in
   neither, the call itself timed) against the first ``groupby([segment, score]).size()`` in
   another fresh process. Target ≤ 1.5×.
4. **``import cxlib.metrics``** in a fresh process, beside ``import pandas`` (which it needs).
   Target < 0.5 s.

Each run stays under two minutes at the defaults on two cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlib.metrics import ces_by, csat_by, nps_by  # noqa: E402
from cxlib.servqual import reliability  # noqa: E402


def make_frame(n: int, groups: int, low: int, high: int, seed: int = 0) -> pd.DataFrame:
    """Categorical segment, float scores with 5 % missing (how a CSV column loads)."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, groups, n, dtype=np.int8)
    seg = pd.Categorical.from_codes(codes, categories=[f"seg{g:02d}" for g in range(groups)])
    scores = rng.integers(low, high + 1, n).astype(np.float64)
    scores[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"segment": seg, "score": scores})


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


SQL = {
    "NPS": """SELECT segment, count(*) FILTER (WHERE score >= 9) AS pro,
                     count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS pas,
                     count(*) FILTER (WHERE score <= 6) AS det, count(*) - count(score) AS miss
              FROM df GROUP BY segment ORDER BY segment""",
    "CSAT": """SELECT segment, count(score) AS n, count(*) FILTER (WHERE score >= 4) AS sat,
                      count(*) - count(score) AS miss
               FROM df GROUP BY segment ORDER BY segment""",
    "CES": """SELECT segment, count(score) AS n, avg(score) AS mean, stddev_samp(score) AS sd,
                     count(*) FILTER (WHERE score >= 5) AS easy, count(*) FILTER (WHERE score <= 3) AS hard
              FROM df GROUP BY segment ORDER BY segment""",
}
CALLS = {"NPS": (nps_by, (0, 10)), "CSAT": (csat_by, (1, 5)), "CES": (ces_by, (1, 7))}


def bench_tables(n: int, groups: int, repeat: int) -> list[float]:
    import duckdb

    con = duckdb.connect()
    ratios = []
    for name, (fn, (low, high)) in CALLS.items():
        df = make_frame(n, groups, low, high)
        con.register("df", df)

        def sql(name=name):
            out = con.execute(SQL[name]).df()
            if name == "NPS":  # the same point estimate and Wald interval, vectorised
                tot = out["pro"] + out["pas"] + out["det"]
                d = (out["pro"] - out["det"]) / tot
                se = np.sqrt(((out["pro"] + out["det"]) / tot - d * d) / tot)
                out["nps"], out["lo"], out["hi"] = 100 * d, 100 * (d - 1.96 * se), 100 * (d + 1.96 * se)
            return out

        t_cx = best_time(lambda fn=fn, df=df: fn(df, "score", "segment"), repeat)
        t_sql = best_time(sql, repeat)
        ratios.append(t_cx / t_sql)
        print(f"  {name:4s} by {groups} segments, n = {n:,}: cxlib {t_cx:6.3f} s   DuckDB SQL {t_sql:6.3f} s   "
              f"ratio {t_cx / t_sql:5.2f}×  (target ≤ 2×)", flush=True)
        con.unregister("df")
    return ratios


def bench_alpha(n: int, repeat: int) -> float:
    import pingouin as pg

    rng = np.random.default_rng(1)
    latent = rng.normal(size=(n, 1))
    x = np.clip(np.round(4 + latent + rng.normal(scale=1.0, size=(n, 22))), 1, 7)
    df = pd.DataFrame(x, columns=[f"q{i:02d}" for i in range(1, 23)])
    t_cx = best_time(lambda: reliability(df), repeat)
    t_pg = best_time(lambda: pg.cronbach_alpha(df), repeat)
    a, (b, _) = reliability(df).alpha, pg.cronbach_alpha(df)
    print(f"  alpha {n:,} × 22 complete: cxlib {t_cx:6.3f} s   pingouin {t_pg:6.3f} s   ratio {t_cx / t_pg:5.2f}×  "
          f"(target ≤ 1.5×; |Δα| = {abs(a - b):.1e})", flush=True)
    return t_cx / t_pg


FRESH = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import numpy as np, pandas as pd
    {imports}
    rng = np.random.default_rng(0)
    n = {n}
    seg = pd.Categorical.from_codes(rng.integers(0, 20, n, dtype=np.int8), [f"s{{g}}" for g in range(20)])
    score = rng.integers(0, 11, n).astype(float)
    df = pd.DataFrame({{"segment": seg, "score": score}})
    t0 = time.perf_counter()
    {call}
    print(time.perf_counter() - t0)
""")


def _fresh(imports: str, call: str, n: int) -> float:
    code = FRESH.format(root=str(ROOT), imports=imports, call=call, n=n)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_first_call(n: int, repeat: int) -> float:
    t_cx = min(_fresh("from cxlib.metrics import nps_by", "nps_by(df, 'score', 'segment')", n)
               for _ in range(repeat))
    t_pd = min(_fresh("", "df.groupby(['segment', 'score'], observed=True).size()", n) for _ in range(repeat))
    print(f"  first nps_by in a fresh process, n = {n:,}: {t_cx:6.3f} s   first pandas groupby {t_pd:6.3f} s   "
          f"ratio {t_cx / t_pd:5.2f}×  (target ≤ 1.5×)", flush=True)
    return t_cx / t_pd


def _import_time(module: str) -> float:
    code = f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); t = time.perf_counter(); import {module}; " \
           "print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def bench_import(repeat: int) -> float:
    t_cx = min(_import_time("cxlib.metrics") for _ in range(repeat))
    t_pd = min(_import_time("pandas") for _ in range(repeat))
    print(f"  import cxlib.metrics {t_cx:6.3f} s (import pandas alone {t_pd:6.3f} s; cxlib's own share "
          f"{t_cx - t_pd:6.3f} s)  (target < 0.5 s)", flush=True)
    return t_cx


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2_000_000, help="responses for the segment tables")
    parser.add_argument("--groups", type=int, default=20, help="segments (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats, best kept")
    parser.add_argument("--alpha-n", type=int, default=1_000_000, help="respondents for alpha (× 22 items)")
    parser.add_argument("--fresh-n", type=int, default=1_000_000, help="responses for the first-call test")
    args = parser.parse_args(argv)
    print(f"cxlib.metrics benchmark, best of {args.repeat}")
    tables = bench_tables(args.n, args.groups, args.repeat)
    alpha = bench_alpha(args.alpha_n, args.repeat)
    first = bench_first_call(args.fresh_n, args.repeat)
    imp = bench_import(args.repeat)
    print("targets:", ", ".join([
        f"tables ≤ 2× DuckDB {'met' if max(tables) <= 2 else 'MISSED'}",
        f"alpha ≤ 1.5× pingouin {'met' if alpha <= 1.5 else 'MISSED'}",
        f"first nps_by ≤ 1.5× groupby {'met' if first <= 1.5 else 'MISSED'}",
        f"import < 0.5 s {'met' if imp < 0.5 else 'MISSED'}",
    ]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
