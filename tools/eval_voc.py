"""Measure cxlib.voc on real labelled reviews that the models never saw; write the evaluation tables.

    python tools/eval_voc.py --data DIR [--sources SDIST_DIR]

DIR holds public labelled review sets (not shipped with the workbook: their
licences do not all allow it, and they are used only to measure). Each set is
read when its file is there and skipped, with the reason printed, when not:

| set            | file                         | labels                          |
|----------------|------------------------------|---------------------------------|
| zh hotel       | ChnSentiCorp_htl_all.csv     | label 1/0                       |
| zh shop        | online_shopping_10_cats.csv  | label 1/0; categories 书籍, 计算机, 酒店 left out (the training corpus has them) |
| zh delivery    | waimai_10k.csv               | label 1/0                       |
| en shop        | amazon_cells_labelled.txt    | 1/0 (Kotzias et al. 2015)       |
| en restaurant  | yelp_labelled.txt            | 1/0 (Kotzias et al. 2015)       |
| en hotel       | tripadvisor_hotel_reviews.csv| 1–2 stars negative, 4–5 positive, 3 left out |

Any review whose normalised text is also in the training data (the sdists of
tools/train_sentiment.py) is removed and counted. For the sets in
``TUNED_ON_HALF`` (zh delivery), whose misread reviews were read to add words
to the lexicon, only the other, unread half is measured. Writes
``cxlib/resources/voc/evaluation.json`` and the generated part of
``docs/VOC_EVALUATION.md`` (between its ``<!-- generated -->`` markers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from cxlib import voc  # noqa: E402
from cxlib.voc.model import model_text  # noqa: E402

SETS = {
    ("zh", "hotel"): ("ChnSentiCorp_htl_all.csv", "hotel"),
    ("zh", "shop"): ("online_shopping_10_cats.csv", "ecommerce"),
    ("zh", "delivery"): ("waimai_10k.csv", "ecommerce"),
    ("en", "hotel"): ("tripadvisor_hotel_reviews.csv", "hotel"),
    ("en", "shop"): ("amazon_cells_labelled.txt", "ecommerce"),
    ("en", "restaurant"): ("yelp_labelled.txt", "ecommerce"),
}
SHOP_LEFT_OUT = ("书籍", "计算机", "酒店")
#: sets whose errors were read to grow the lexicon: a fixed random half (the "dev" half, drawn with
#: DEV_SEED after duplicates and training texts are removed) was read and is left out; the other half is measured
TUNED_ON_HALF = {("zh", "delivery")}
DEV_SEED = 7


def held_out_half(n: int) -> np.ndarray:
    """Positions of the half of an ``n``-row set that was *not* read while growing the lexicon."""
    perm = np.random.default_rng(DEV_SEED).permutation(n)
    return np.sort(perm[n // 2:])


def read_set(path: Path) -> pd.DataFrame:
    """``text`` and ``label`` (positive/negative) of one evaluation file; ``attrs`` say what was left out."""
    name = path.name
    if name.endswith("_labelled.txt"):
        rows = [ln.rstrip("\n").rsplit("\t", 1) for ln in path.read_text(encoding="utf-8").splitlines() if "\t" in ln]
        frame = pd.DataFrame({"text": [r[0].strip() for r in rows], "y": [int(r[1]) for r in rows]})
    elif name.startswith("tripadvisor"):
        raw = pd.read_csv(path)
        three = int((raw["Rating"] == 3).sum())
        raw = raw[raw["Rating"] != 3]
        frame = pd.DataFrame({"text": raw["Review"].astype(str), "y": (raw["Rating"] >= 4).astype(int)})
        frame.attrs["left_out"] = f"{three} three-star reviews"
    else:
        raw = pd.read_csv(path).dropna(subset=["review"])
        if "cat" in raw:
            n = int(raw["cat"].isin(SHOP_LEFT_OUT).sum())
            raw = raw[~raw["cat"].isin(SHOP_LEFT_OUT)]
            left = f"{n} reviews of the categories {', '.join(SHOP_LEFT_OUT)}"
        else:
            left = ""
        frame = pd.DataFrame({"text": raw["review"].astype(str), "y": raw["label"].astype(int)})
        if left:
            frame.attrs["left_out"] = left
    frame["label"] = np.where(frame["y"] == 1, "positive", "negative")
    return frame.reset_index(drop=True)


def training_keys(src: Path) -> set[str]:
    import train_sentiment as tr

    tr.fetch_sdists(src)
    data, _ = tr.load_sources(src)
    return {model_text(t) for texts, _ in data.values() for t in texts}  # the plain normal form: no negation marks


def evaluate(data: Path, src: Path, n_boot: int = 2000) -> dict:
    from cxlib.voc.model import manifest

    seen = training_keys(src)
    out = {"model_sha256": {la: m["file_sha256"] for la, m in manifest()["models"].items()},
           "sets": [], "skipped": [], "rule": f"score = model_logit + {voc.LEXICON_WEIGHT} × lexicon_score; "
                                              f"neutral when |score| < {voc.REVIEW_BAND}"}
    for (lang, domain), (fname, world) in SETS.items():
        path = data / fname
        if not path.exists():
            out["skipped"].append({"lang": lang, "domain": domain, "file": fname, "reason": "file not found"})
            print(f"skip {lang} {domain}: {path} not found", flush=True)
            continue
        frame = read_set(path)
        keys = frame["text"].map(model_text)
        overlap = keys.isin(seen).to_numpy()
        dup = keys.duplicated().to_numpy()
        frame = frame[~overlap & ~dup].reset_index(drop=True)
        left_out = [frame.attrs["left_out"]] if frame.attrs.get("left_out") else []
        if (lang, domain) in TUNED_ON_HALF:
            keep = held_out_half(len(frame))
            left_out.append(f"the {len(frame) - len(keep)} reviews of the half read to grow the lexicon")
            frame = frame.iloc[keep].reset_index(drop=True)
        t0 = time.perf_counter()
        scored, tagged = voc.analyse_reviews(frame["text"], lang, world=world)
        seconds = time.perf_counter() - t0
        r = voc.bootstrap_macro_f1(frame["label"], scored["sentiment"], n_boot=n_boot)
        lex_only = voc.bootstrap_macro_f1(frame["label"], voc.score_sentiment(frame["text"], lang, model=False)["sentiment"],
                                          n_boot=200)
        covered = tagged["review"].nunique() / max(1, int((~scored["empty"]).sum()))
        cm = r.pop("confusion")
        row = {"lang": lang, "domain": domain, "file": fname,
               "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "n": r["n"], "removed_in_training": int(overlap.sum()), "removed_duplicates": int((dup & ~overlap).sum()),
               "left_out": "; ".join(left_out), **{k: round(v, 4) if isinstance(v, float) else v
                                                   for k, v in r.items()},
               "lexicon_only_macro_f1": round(lex_only["macro_f1"], 4),
               "lexicon_only_neutral_rate_on_polar": round(lex_only["neutral_rate_on_polar"], 4),
               "theme_coverage": round(float(covered), 4), "world": world, "seconds": round(seconds, 2),
               "confusion": {str(i): {str(j): int(cm.loc[i, j]) for j in cm.columns} for i in cm.index}}
        out["sets"].append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "confusion"}, ensure_ascii=False), flush=True)
    return out


def markdown(result: dict) -> str:
    lines = ["| language | domain | n | macro-F1 | 95 % CI | neutral on polar | lexicon alone: macro-F1 "
             "| theme coverage | removed (in training) |",
             "|---|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in result["sets"]:
        lines.append(f"| {r['lang']} | {r['domain']} | {r['n']} | {r['macro_f1']:.3f} | "
                     f"{r['ci_low']:.3f}–{r['ci_high']:.3f} | {100 * r['neutral_rate_on_polar']:.1f} % | "
                     f"{r['lexicon_only_macro_f1']:.3f} | {r['theme_coverage']:.2f} | {r['removed_in_training']} |")
    lines += ["", "Confusion matrices (rows: true label; columns: predicted negative / neutral / positive):", ""]
    for r in result["sets"]:
        c = r["confusion"]
        cells = "; ".join(f"{t}: {c[t]['negative']} / {c[t]['neutral']} / {c[t]['positive']}"
                          for t in ("negative", "positive"))
        lines.append(f"- {r['lang']} {r['domain']} (`{r['file']}`, SHA-256 `{r['sha256'][:16]}…`"
                     f"{', left out: ' + r['left_out'] if r['left_out'] else ''}): {cells}")
    for s in result["skipped"]:
        lines.append(f"- {s['lang']} {s['domain']}: not measured ({s['reason']}: `{s['file']}`)")
    lines += ["", f"Rule: {result['rule']}."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=os.environ.get("CXWB_VOC_EVAL_DIR"))
    ap.add_argument("--sources", type=Path, default=Path(tempfile.gettempdir()) / "cxwb-voc-train")
    ap.add_argument("--n-boot", type=int, default=2000)
    args = ap.parse_args(argv)
    if args.data is None or not Path(args.data).is_dir():
        print("no evaluation data: pass --data DIR or set CXWB_VOC_EVAL_DIR (see the docstring)")
        return 0
    args.sources.mkdir(parents=True, exist_ok=True)
    result = evaluate(Path(args.data), args.sources, args.n_boot)
    target = ROOT / "cxlib" / "resources" / "voc" / "evaluation.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    doc = ROOT / "docs" / "VOC_EVALUATION.md"
    if doc.exists():
        text = doc.read_text(encoding="utf-8")
        start, end = "<!-- generated -->", "<!-- /generated -->"
        if start in text and end in text:
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            text = head + start + "\n" + markdown(result) + end + tail
            tmp = doc.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(doc)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
