"""The trained sentiment model of :mod:`cxlib.voc`: shipped weights, loaded without pickle.

One linear model per language, trained by ``tools/train_sentiment.py`` on openly
licensed review corpora (the manifest ``resources/voc/model_manifest.json``
names each file it saw, its licence, row count and SHA-256):

* **zh**: character 1–3-grams of the normalised text (no segmentation, so
  jieba's cuts cannot hide a word from the model);
* **en**: word 1–3-grams cut with the tokeniser of :func:`cxlib.voc.tokenize`
  (so "not good" and "don't waste" are features of their own).

Each text becomes a TF-IDF row exactly as scikit-learn's ``TfidfVectorizer``
(``sublinear_tf=True``, ``norm="l2"``) makes it: term counts *c* → 1 + ln *c*,
times the shipped idf, divided by the row's Euclidean norm; the model's logit
is that row times the shipped coefficients plus the intercept, and
P(positive) = 1 / (1 + e^−logit) (logistic regression, Hosmer & Lemeshow 2000).
The counting is done with array operations (:class:`_NgramIndex`), equal to
scikit-learn's ``CountVectorizer`` with the shipped vocabulary (a test checks
it); the rest is one sparse product. Scoring needs NumPy, SciPy and pandas
only; scikit-learn trains the models and is used for checks.

The weights are ``.npz`` arrays read with ``allow_pickle=False``: the terms as a
fixed-width Unicode array, the idf and coefficients as float arrays. Nothing is
downloaded and nothing is unpickled.

References
----------
Das, S. & Chen, M. (2001). Yahoo! for Amazon: extracting market sentiment from stock message boards.
*Proceedings of the Asia Pacific Finance Association Annual Conference*.

Pang, B., Lee, L. & Vaithyanathan, S. (2002). Thumbs up? Sentiment classification using machine
learning techniques. *EMNLP 2002*, 79–86.

Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *JMLR* 12, 2825–2830.

Hosmer, D. W. & Lemeshow, S. (2000). *Applied Logistic Regression*, 2nd ed. Wiley.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

RESOURCES = "resources/voc"
#: word pattern of the English features: :func:`cxlib.voc.tokenize`'s, plus "_" for negated words ("neg_clean")
EN_TOKEN_PATTERN = (r"[a-z0-9_]+(?:['\-][a-z0-9_]+)*"
                    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]")
_WS = re.compile(r"\s+")
_NT_WORDS = ("dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "couldnt", "wont",
             "wouldnt", "shouldnt", "hasnt", "havent", "hadnt", "aint")
_NEGATED = re.compile(
    r"\b(not|no|never|nothing|none|nobody|nor|neither|without|hardly|barely|cannot|[a-z]+n't|"
    + "|".join(_NT_WORDS) + r")\b([^.,;:!?()]*)")
_SCOPE_END = re.compile(r"\b(?:but|however|yet|although|though)\b")
_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")


def _mark(match: re.Match) -> str:
    negator, rest = match.group(1), match.group(2)
    end = _SCOPE_END.search(rest)
    scope, tail = (rest[:end.start()], rest[end.start():]) if end else (rest, "")
    return negator + _WORD.sub(lambda w: "neg_" + w.group(0), scope) + tail


def mark_negation(text: str) -> str:
    """English words in a negator's scope get the prefix ``neg_`` ("not bad at all" → "not neg_bad neg_at neg_all").

    The scope runs from the negator to the next punctuation mark or contrast
    word (but, however, although). The classic negation feature of review
    classifiers (Das & Chen 2001; Pang, Lee & Vaithyanathan 2002): "bad" and
    "neg_bad" get weights of their own, so "not bad" is not read as "bad".
    """
    return _NEGATED.sub(_mark, text)

#: how each language's text becomes terms; the training script uses the same settings
FEATURES = {
    "zh": {"analyzer": "char", "ngram_range": (1, 3)},
    "en": {"analyzer": "word", "ngram_range": (1, 3), "token_pattern": EN_TOKEN_PATTERN},
}


def model_text(text: str, lang: str = "zh") -> str:
    """The form of a text the model reads: NFKC, lower case, straight apostrophes, spaces collapsed;
    English also with :func:`mark_negation`."""
    from . import _normalise

    out = _WS.sub(" ", _normalise(text)).strip()
    return mark_negation(out) if lang == "en" else out


def make_vectorizer(lang: str, vocabulary=None, **kwargs):
    """scikit-learn ``CountVectorizer`` (or, with ``tfidf=True``, ``TfidfVectorizer``) of ``lang``'s features."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    tfidf = kwargs.pop("tfidf", False)
    cls = TfidfVectorizer if tfidf else CountVectorizer
    params = dict(FEATURES[lang], lowercase=False, dtype=np.float64, **kwargs)
    if vocabulary is not None:
        params["vocabulary"] = vocabulary
    if tfidf:
        params.update(sublinear_tf=True, norm="l2", smooth_idf=True)
    return cls(**params)


_BITS = 21  # a code point fits in 21 bits, so three of them fit in one unsigned 64-bit code


def _char_codes(terms) -> np.ndarray:
    """One uint64 per character 1–3-gram: (c0 << 42) | (c1 << 21) | c2 (code points ≥ 1, so lengths never clash)."""
    out = np.zeros(len(terms), dtype=np.uint64)
    for i, t in enumerate(terms):
        code = 0
        for ch in t:
            code = (code << _BITS) | ord(ch)
        out[i] = code
    return out


class _NgramIndex:
    """Counts the shipped n-grams of many texts with array operations: no loop per text in Python.

    Chinese: the texts are joined, turned into one array of code points, and
    every 1-, 2- and 3-gram that stays inside its text becomes a uint64 code
    (:func:`_char_codes`) looked up in a hash table of the vocabulary's codes
    (a pandas ``Index``: one probe per n-gram, where a binary search over the
    sorted codes took about 18 and was most of the counting time). English: the regular expression of :data:`EN_TOKEN_PATTERN`
    finds the words, each word becomes the id of a word the vocabulary uses
    (0 for others), and 1–3 consecutive ids in a text form the code. Both
    count exactly what scikit-learn's ``CountVectorizer`` counts with these
    settings (a test checks it).
    """

    def __init__(self, lang: str, terms: np.ndarray):
        self.lang = lang
        self.n_features = len(terms)
        if lang == "zh":
            codes = _char_codes(terms.tolist())
        else:
            words = sorted({w for t in terms.tolist() for w in t.split(" ")})
            self.word_id = {w: i + 1 for i, w in enumerate(words)}
            codes = np.zeros(len(terms), dtype=np.uint64)
            for i, t in enumerate(terms.tolist()):
                code = 0
                for w in t.split(" "):
                    code = (code << _BITS) | self.word_id[w]
                codes[i] = code
        self.columns = pd.Index(codes)  # position of a code = column of its term; the codes are distinct
        self._token = re.compile(EN_TOKEN_PATTERN)

    def _units(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(unit codes, length of each text in units): code points (zh) or word ids (en)."""
        if self.lang == "zh":
            lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            units = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            return units, lens
        found = [self._token.findall(t) for t in texts]
        lens = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        get = self.word_id.get
        units = np.fromiter((get(w, 0) for ws in found for w in ws), dtype=np.uint64, count=int(lens.sum()))
        return units, lens

    def counts(self, texts: list[str]):
        from scipy import sparse

        units, lens = self._units(texts)
        n_docs = len(texts)
        total = len(units)
        doc = np.repeat(np.arange(n_docs), lens)
        end = np.repeat(np.cumsum(lens), lens)  # one past each unit's text
        pos = np.arange(total)
        rows, cols = [], []
        code = np.zeros(total, dtype=np.uint64)
        known = np.ones(total, dtype=bool)
        for n in (1, 2, 3):
            k = total - n + 1
            if k <= 0:
                break
            nxt = units[n - 1:]
            code = (code[:k] << np.uint64(_BITS)) | nxt
            known = known[:k] & (nxt != 0)
            inside = (pos[:k] + n <= end[:k]) & known
            col = self.columns.get_indexer(code[inside])  # -1: not in the vocabulary
            hit = col >= 0
            rows.append(doc[:k][inside][hit])
            cols.append(col[hit])
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        m = sparse.coo_matrix((np.ones(len(r)), (r, c)), shape=(n_docs, self.n_features)).tocsr()
        m.sum_duplicates()
        return m


@dataclass(frozen=True)
class SentimentModel:
    """A shipped linear model: ``terms``, ``idf``, ``coef``, ``intercept`` and the vectoriser."""

    lang: str
    terms: np.ndarray
    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    index: _NgramIndex

    def vectorizer(self):
        """scikit-learn's ``CountVectorizer`` with the shipped vocabulary (for checks; scoring does not need it)."""
        return make_vectorizer(self.lang, vocabulary={str(t): i for i, t in enumerate(self.terms.tolist())})

    def _rows(self, texts):
        """TF-IDF rows as scikit-learn's ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` makes them."""
        counts = self.index.counts(list(texts))
        counts.data = 1.0 + np.log(counts.data)  # sublinear tf
        x = counts.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, np.diff(x.indptr))
        return x

    def logit(self, texts) -> np.ndarray:
        """Log-odds of *positive* for each (already :func:`model_text`-normalised) text."""
        return np.asarray(self._rows(texts) @ self.coef).ravel() + self.intercept

    def contributions(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The terms of one text that moved its logit most: (term, part of the logit), largest |part| first."""
        x = self._rows([text])
        parts = x.data * self.coef[x.indices]
        order = np.argsort(-np.abs(parts), kind="stable")[:top]
        return [(str(self.terms[x.indices[i]]), float(parts[i])) for i in order]


@cache
def manifest() -> dict:
    """What the shipped models saw: ``resources/voc/model_manifest.json`` as a dict."""
    text = (resources.files("cxlib") / RESOURCES / "model_manifest.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def load_model(lang: str) -> SentimentModel:
    """The shipped model of ``lang`` (``resources/voc/model_<lang>.npz``), read with ``allow_pickle=False``."""
    if lang not in FEATURES:
        raise ValueError(f"lang must be one of {tuple(FEATURES)}, got {lang!r}")
    with resources.as_file(resources.files("cxlib") / RESOURCES / f"model_{lang}.npz") as path:
        with np.load(path, allow_pickle=False) as z:
            terms, idf, coef = z["terms"], z["idf"].astype(np.float64), z["coef"].astype(np.float64)
            intercept = float(z["intercept"])
    return SentimentModel(lang=lang, terms=terms, idf=idf, coef=coef, intercept=intercept,
                          index=_NgramIndex(lang, terms))
