"""Speed of cxlib.voc: 10⁵ reviews scored (model + lexicon) and themed, on one core.

Usage::

    python benchmarks/bench_voc.py [--n 100000] [--data DIR]

The reviews are real reviews when ``--data`` (or ``CXWB_VOC_EVAL_DIR``) holds
the evaluation sets of ``tools/eval_voc.py``; otherwise the workbook's sample
reviews (``datasets/*/reviews.csv``). Only distinct texts are timed (the
sentence cache starts empty), at most ``--n``; when the pool has fewer than
``--n`` distinct reviews, the time for ``--n`` is projected from the measured
rate (and said so). Target: < 20 s for 10⁵ reviews (``analyse_reviews``:
sentiment and themes in one pass) on one core, plus the one-off load of
jieba's dictionary (with the lookup tables built from it), the two models, the
lexicon and the theme matcher, which is timed and printed on its own. Prints wall-clock and CPU seconds per
stage; the projection and the verdict use CPU time (one core, single thread),
which a busy shared machine does not inflate the way it inflates wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from cxlib import datasets, voc  # noqa: E402


def pool(data: Path | None) -> tuple[list[str], str]:
    if data is not None and Path(data).is_dir():
        import eval_voc

        texts = []
        for fname, _ in eval_voc.SETS.values():
            if (Path(data) / fname).exists():
                texts += eval_voc.read_set(Path(data) / fname)["text"].tolist()
        if texts:
            return texts, f"{len(texts)} real reviews from {data}"
    texts = []
    for world in datasets.WORLDS:
        texts += datasets.load(world, "reviews")["text"].dropna().astype(str).tolist()
    return texts, f"{len(texts)} sample reviews of the workbook"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--data", type=Path, default=os.environ.get("CXWB_VOC_EVAL_DIR"))
    args = ap.parse_args(argv)
    texts, what = pool(args.data)
    series = pd.Series(pd.unique(pd.Series(texts, dtype=object))[: args.n])
    t0, c0 = time.perf_counter(), time.process_time()
    # the one-off load, outside the timed call: jieba's dictionary and its lookup tables, the two
    # models, the lexicon and the theme matcher (one English and one Chinese text that are no review)
    voc.analyse_reviews(["the benchmark starts", "基准开始"])
    t1, c1 = time.perf_counter(), time.process_time()
    scores, tagged = voc.analyse_reviews(series)
    t2, c2 = time.perf_counter(), time.process_time()
    rate = len(series) / (c2 - c1)
    projected = args.n / rate
    print(f"pool: {what}; timed {len(series)} distinct texts")
    print(f"load jieba + models (once): {t1 - t0:.2f} s wall, {c1 - c0:.2f} s CPU")
    print(f"analyse_reviews (sentiment + themes): {t2 - t1:.2f} s wall, {c2 - c1:.2f} s CPU "
          f"({rate:,.0f} reviews per CPU second)")
    how = "measured" if len(series) >= args.n else "projected from the rate"
    print(f"{args.n} reviews: {projected:.1f} s ({how}; target < 20 s): {'OK' if projected < 20 else 'SLOWER THAN TARGET'}")
    print(f"mentions: {len(tagged)}, languages: {scores['lang'].value_counts().to_dict()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
