"""Speed and memory of cxlib.metrics' segment tables against naive baselines.

Usage::

    python benchmarks/bench_metrics.py [--n 10000000] [--groups 20] [--repeat 3]

For NPS, CSAT and CES by ``--groups`` segments on ``--n`` responses it times

* ``cxlib``  – ``nps_by`` / ``csat_by`` / ``ces_by`` (validation, counts, CIs, tests vs rest,
  Holm adjustment: the whole public call),
* ``loop``   – a per-group boolean-mask loop (``scores[codes == g]`` per group), the
  naive baseline, computing the same point estimate and CI per group,
* ``floor``  – one ``numpy.bincount`` on ``group_code * k + category`` (the category from a
  lookup table on the answer; for float scores NaN first goes to its own bin), with no
  validation and no statistics: the least work any implementation must do,

and reports the best of ``--repeat`` wall-clock times, the ratios cxlib/floor and
loop/cxlib, and cxlib's peak traced memory (``tracemalloc``, numpy allocations
included) relative to the input's size (score and segment columns). Targets: within 2×
of the floor, faster than the loop, peak memory < 2× input.

Two data layouts: ``int8`` scores without missing answers (compact storage), and
``float64`` scores with 5 % missing answers (how pandas loads a nullable column read
from CSV); the segment column is categorical in both.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cxlib.metrics import ces_by, csat_by, nps_by  # noqa: E402

Z95 = 1.959963984540054


def make_frame(n: int, groups: int, low: int, high: int, missing: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, groups, n, dtype=np.int8)
    seg = pd.Categorical.from_codes(codes, categories=[f"seg{g:02d}" for g in range(groups)])
    scores = rng.integers(low, high + 1, n, dtype=np.int8)
    if missing:
        scores = scores.astype(np.float64)
        scores[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"segment": seg, "score": scores})


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_memory(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


# --- naive loops: one boolean mask per group ---------------------------------------


def loop_nps(codes, scores, groups):
    rows = []
    for g in range(groups):
        s = scores[codes == g]
        if s.dtype.kind == "f":
            s = s[~np.isnan(s)]
        n = s.size
        pp, pm = (s >= 9).sum() / n, (s <= 6).sum() / n
        se = 100 * np.sqrt((pp + pm - (pp - pm) ** 2) / n)
        rows.append((n, 100 * (pp - pm), se, 100 * (pp - pm) - Z95 * se, 100 * (pp - pm) + Z95 * se))
    return rows


def loop_csat(codes, scores, groups):
    rows = []
    for g in range(groups):
        s = scores[codes == g]
        if s.dtype.kind == "f":
            s = s[~np.isnan(s)]
        n = s.size
        p = (s >= 4).sum() / n
        c = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        h = Z95 / (1 + Z95**2 / n) * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
        rows.append((n, 100 * p, c - h, c + h))
    return rows


def loop_ces(codes, scores, groups):
    rows = []
    for g in range(groups):
        s = scores[codes == g]
        if s.dtype.kind == "f":
            s = s[~np.isnan(s)]
        n = s.size
        m = s.mean(dtype=np.float64)
        se = s.std(ddof=1, dtype=np.float64) / np.sqrt(n)
        rows.append((n, m, m - Z95 * se, m + Z95 * se))
    return rows


# --- floors: one bincount on pre-coded integers ---------------------------------------


def floor_counts(codes, cat, k, groups):
    return np.bincount(codes.astype(np.intp) * k + cat, minlength=groups * k)


METRICS = {
    # name: (cxlib call, loop, scale, categories for the floor: lookup answer -> category)
    "NPS": (lambda df: nps_by(df, "score", "segment"), loop_nps, (0, 10),
            np.array([2] * 7 + [1] * 2 + [0] * 2, dtype=np.intp)),
    "CSAT": (lambda df: csat_by(df, "score", "segment"), loop_csat, (1, 5),
             np.array([0, 0, 0, 0, 1, 1], dtype=np.intp)),
    "CES": (lambda df: ces_by(df, "score", "segment"), loop_ces, (1, 7),
            np.arange(8, dtype=np.intp)),
}


def bench_case(name: str, missing: bool, n: int, groups: int, repeat: int) -> dict:
    call, loop, (low, high), lut = METRICS[name]
    df = make_frame(n, groups, low, high, missing)
    codes = df["segment"].cat.codes.to_numpy()
    scores = df["score"].to_numpy()
    k = int(lut.max()) + 1
    if missing:  # missing answers -> one more bin
        lut_m = np.append(lut, k)
        k += 1

        def floor():
            answer = np.where(np.isnan(scores), high + 1, scores).astype(np.intp)
            return floor_counts(codes, lut_m[answer], k, groups)
    else:
        def floor():
            return floor_counts(codes, lut[scores], k, groups)

    input_bytes = int(df.memory_usage(index=False, deep=True).sum())
    t_cx = best_time(lambda: call(df), repeat)
    t_loop = best_time(lambda: loop(codes, scores, groups), repeat)
    t_floor = best_time(floor, repeat)
    peak = peak_memory(lambda: call(df))
    return dict(metric=name, layout="float64 + 5% missing" if missing else "int8", n=n,
                groups=groups, cxlib_s=t_cx, loop_s=t_loop, floor_s=t_floor,
                cxlib_over_floor=t_cx / t_floor, loop_over_cxlib=t_loop / t_cx,
                input_mb=input_bytes / 2**20, peak_mb=peak / 2**20,
                peak_over_input=peak / input_bytes)


def run(n: int, groups: int, repeat: int) -> list[dict]:
    results = []
    for missing in (False, True):
        for name in METRICS:
            r = bench_case(name, missing, n, groups, repeat)
            results.append(r)
            print(f"{name:5s} {r['layout']:21s} cxlib {r['cxlib_s']:7.3f}s  loop {r['loop_s']:7.3f}s  "
                  f"floor {r['floor_s']:7.3f}s  cxlib/floor {r['cxlib_over_floor']:5.2f}×  "
                  f"loop/cxlib {r['loop_over_cxlib']:5.2f}×  peak {r['peak_mb']:7.1f} MB = "
                  f"{r['peak_over_input']:4.2f}× input ({r['input_mb']:.1f} MB)", flush=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="responses (default 10^7)")
    parser.add_argument("--groups", type=int, default=20, help="segments (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats, best kept")
    args = parser.parse_args(argv)
    print(f"cxlib.metrics benchmark: n = {args.n:,}, {args.groups} segments, best of {args.repeat}")
    results = run(args.n, args.groups, args.repeat)
    ok = all(r["cxlib_over_floor"] <= 2 and r["loop_over_cxlib"] > 1 and r["peak_over_input"] < 2
             for r in results)
    print("targets (≤ 2× floor, faster than loop, peak < 2× input):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
