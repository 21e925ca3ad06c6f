"""Speed and memory of cxlib.value.rfm_summary against lifetimes (or a naive groupby-apply).

Usage::

    python benchmarks/bench_value.py [--rows 1000000 10000000] [--ids int|str]
                                     [--lifetimes-path SITE_PACKAGES] [--naive-max 1000000]

For each size it builds a synthetic transaction log (seeded: about 10 transactions per
customer, times spread over two years, gamma-distributed amounts, ``datetime64`` times) and
times ``rfm_summary(tx, "customer_id", "date", "amount")`` with ``freq="D"`` against

* ``lifetimes`` – ``lifetimes.utils.summary_data_from_transaction_data`` with the same
  arguments, when lifetimes can be imported (it is *not* a project dependency: install it
  in a throwaway virtualenv and pass that venv's site-packages with ``--lifetimes-path``;
  it is appended to ``sys.path``, so numpy and pandas still come from this environment);
* ``naive``     – otherwise (or in addition, up to ``--naive-max`` rows), a per-customer
  ``groupby().apply`` written straight from the definition.

Each measurement runs in a fresh Python process that first builds the data, then resets
the kernel's peak-RSS counter (``/proc/self/clear_refs``) and reports wall time and the
peak resident memory *added* by the call (peak RSS during the call − RSS before it; on
systems without ``clear_refs`` the process's whole peak). Results of the implementations
are checked to agree before timing is reported. Targets at 10⁷ rows: ≥ 10× faster than
lifetimes 0.11.3 and ≤ half its added peak memory. Without lifetimes that comparison is
skipped, and the output says so and why.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_transactions(n: int, ids: str = "int", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cust = max(1, n // 10)
    cust = rng.integers(0, n_cust, n)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    secs = rng.integers(0, 730 * 86400, n)
    df = pd.DataFrame({
        "customer_id": cust if ids == "int" else pd.Series(cust).map("C{:08d}".format).astype("str"),
        "date": (start + secs.astype("timedelta64[s]")).astype("datetime64[ns]"),
        "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
    })
    return df


def naive_summary(tx: pd.DataFrame) -> pd.DataFrame:
    """Per-customer apply straight from the definition (freq="D")."""
    end = tx["date"].max().floor("D")

    def one(g):
        days = g.groupby(g["date"].dt.floor("D"))["amount"].sum().sort_index()
        rep = days.iloc[1:]
        return pd.Series({
            "frequency": float(len(days) - 1),
            "recency": float((days.index[-1] - days.index[0]).days),
            "T": float((end - days.index[0]).days),
            "monetary_value": float(rep.mean()) if len(rep) else 0.0,
        })

    return tx.groupby("customer_id").apply(one, include_groups=False)


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    raise KeyError(field)


def worker(impl: str, n: int, ids: str, lifetimes_path: str | None) -> dict:
    if lifetimes_path:
        sys.path.append(lifetimes_path)
    tx = make_transactions(n, ids)
    if impl == "cxlib":
        from cxlib.value import rfm_summary

        def fn():
            return rfm_summary(tx, "customer_id", "date", "amount")
    elif impl == "lifetimes":
        from lifetimes.utils import summary_data_from_transaction_data

        def fn():
            return summary_data_from_transaction_data(tx, "customer_id", "date", "amount")
    else:
        def fn():
            return naive_summary(tx)
    gc.collect()
    reset = False
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM (peak RSS) to the current RSS
        reset = True
        before = _rss_kib("VmRSS:")
    except OSError:
        before = 0
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = _rss_kib("VmHWM:") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    checksum = [float(out[c].sum()) for c in ["frequency", "recency", "T", "monetary_value"]]
    return {"impl": impl, "n": n, "seconds": seconds, "peak_mib": (peak - before) / 1024,
            "customers": len(out), "checksum": checksum, "peak_is_added": reset}


def run(impl: str, n: int, ids: str, lifetimes_path: str | None) -> dict:
    cmd = [sys.executable, __file__, "--worker", impl, "--sizes", str(n), "--ids", ids]
    if lifetimes_path:
        cmd += ["--lifetimes-path", lifetimes_path]
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if res.returncode != 0:
        return {"impl": impl, "n": n, "error": res.stderr.strip().splitlines()[-1] if res.stderr else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def lifetimes_available(path: str | None) -> bool:
    code = "import sys; sys.path.append(sys.argv[1]) if sys.argv[1] else None; import lifetimes.utils"
    res = subprocess.run([sys.executable, "-c", code, path or ""], capture_output=True)
    return res.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", "--rows", dest="sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--ids", choices=["int", "str"], default="int")
    ap.add_argument("--lifetimes-path", default=os.environ.get("LIFETIMES_PATH"))
    ap.add_argument("--naive-max", type=int, default=None,
                    help="largest size for the groupby-apply baseline (default: 10^6 without "
                         "lifetimes, 0 with it; it takes minutes at 10^6)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.sizes[0], args.ids, args.lifetimes_path)))
        return

    have_lt = lifetimes_available(args.lifetimes_path)
    if args.naive_max is None:
        args.naive_max = 0 if have_lt else 1_000_000
    print(f"rfm_summary benchmark — ids: {args.ids}, ~10 transactions per customer, freq='D'; "
          f"baseline: {'lifetimes' if have_lt else 'naive groupby-apply'}")
    if not have_lt:
        print("  lifetimes comparison skipped: `lifetimes` is not importable (it is not a project "
              "dependency; install it apart and pass --lifetimes-path)")
    print(f"{'rows':>12} {'impl':>10} {'seconds':>9} {'peak MiB':>9} {'customers':>10}  vs cxlib")
    for n in args.sizes:
        impls = ["cxlib"] + (["lifetimes"] if have_lt else []) + (["naive"] if n <= args.naive_max else [])
        if n > args.naive_max and not have_lt:
            print(f"{n:>12,} {'naive':>10}  skipped (> --naive-max {args.naive_max:,}; ~3 min per 10^6 rows)")
        results = [run(impl, n, args.ids, args.lifetimes_path) for impl in impls]
        base = results[0]
        for r in results:
            if "error" in r:
                print(f"{n:>12,} {r['impl']:>10}  failed: {r['error']}")
                continue
            rel = ""
            if r is not base and "error" not in base:
                same = np.allclose(r["checksum"], base["checksum"], rtol=1e-9)
                rel = (f"{r['seconds'] / base['seconds']:5.1f}× the time, "
                       f"{r['peak_mib'] / max(base['peak_mib'], 1e-9):5.1f}× the memory"
                       f"{'' if same else '  (RESULTS DIFFER)'}")
            print(f"{n:>12,} {r['impl']:>10} {r['seconds']:>9.2f} {r['peak_mib']:>9.0f} "
                  f"{r['customers']:>10,}  {rel}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
