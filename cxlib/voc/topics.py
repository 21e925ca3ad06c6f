"""Topic discovery for what the theme dictionary does not know (NMF over the reviews' tokens)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CXDataError


def discover_topics(texts, langs=None, *, n_topics: int = 8, n_words: int = 10, n_examples: int = 3,
                    untagged_only: bool = True, themes=None, world: str | None = None,
                    min_df: int = 2, random_state: int = 0) -> pd.DataFrame:
    """Topics in the reviews, found without a dictionary: top words and example reviews per topic.

    Parameters
    ----------
    texts : sequence or Series
        Review texts (zh, en or mixed).
    langs : "en", "zh", sequence or None
        Each review's language (missing: detected).
    n_topics : int
        Number of topics (NMF components).
    n_words, n_examples : int
        Top words and example reviews shown per topic.
    untagged_only : bool
        True (default): only reviews that mention no theme of the dictionary
        (``themes``/``world`` as in :func:`cxlib.voc.tag_themes`), so the topics
        show what the dictionary misses instead of "other".
    min_df : int
        A word must occur in at least this many reviews.
    random_state : int
        Seed of the NMF initialisation (results are reproducible).

    Returns
    -------
    pandas.DataFrame
        One row per topic: ``topic`` (0…), ``words`` (top words, strongest
        first), ``n_reviews`` (reviews whose strongest topic it is),
        ``share`` and ``examples`` (the reviews that load most on it).
        ``attrs``: ``n_reviews`` (reviews modelled), ``n_left_out`` (empty, or
        tagged when ``untagged_only``).

    Notes
    -----
    Reviews become TF-IDF rows over the tokens of :func:`cxlib.voc.tokenize`
    (stop words removed), factorised as X ≈ W·H with non-negative W, H
    (Lee & Seung 1999; scikit-learn's ``NMF`` with NNDSVD initialisation). Row
    k of H ranks the words of topic k; column k of W, the reviews. NMF is
    chosen over LDA because it is deterministic with NNDSVD and works well on
    short texts; the topics are suggestions to read, then to add as terms.

    References
    ----------
    Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. *Nature* 401, 788–791.

    Examples
    --------
    >>> reviews = ["dogs welcome everywhere", "dogs got treats", "dogs welcome",
    ...            "karaoke night fun", "karaoke songs old", "karaoke night"]
    >>> t = discover_topics(reviews, "en", n_topics=2, n_words=1, untagged_only=False)
    >>> sorted(w for ws in t["words"] for w in ws)
    ['dogs', 'karaoke']
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    from . import _langs, clean_text, tag_themes, tokenize

    for name, v in (("n_topics", n_topics), ("n_words", n_words), ("n_examples", n_examples), ("min_df", min_df)):
        if not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must be a whole number ≥ 1, got {v!r}")
    clean = clean_text(texts)
    _langs(langs, clean)  # validates the languages given
    keep = clean.to_numpy() != ""
    if untagged_only:
        tagged = tag_themes(clean, langs, themes, world=world)
        keep &= ~clean.index.isin(tagged["review"].unique())
    docs = clean[keep]
    tokens = [tokenize(t) for t in docs.to_numpy()]
    if len(docs) < max(n_topics, min_df):
        raise CXDataError(f"discover_topics: {len(docs)} reviews to model (after leaving out "
                          f"{int((~keep).sum())} empty or tagged ones); expected at least {max(n_topics, min_df)}")
    vec = TfidfVectorizer(analyzer=lambda toks: toks, min_df=min_df, sublinear_tf=True)
    try:
        x = vec.fit_transform(tokens)
    except ValueError:
        raise CXDataError(f"discover_topics: no word occurs in {min_df} or more of the {len(docs)} reviews; "
                          "lower min_df or give more reviews") from None
    k = min(n_topics, x.shape[1], x.shape[0])
    nmf = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=500)
    w = nmf.fit_transform(x)
    h = nmf.components_
    vocab = vec.get_feature_names_out()
    best = w.argmax(axis=1)
    loaded = w.max(axis=1) > 0
    texts_arr = docs.to_numpy()
    rows = []
    for t in range(k):
        top = np.argsort(-h[t], kind="stable")[:n_words]
        ex = np.argsort(-w[:, t], kind="stable")[:n_examples]
        n_t = int(((best == t) & loaded).sum())
        rows.append({"topic": t, "words": [str(vocab[i]) for i in top if h[t, i] > 0], "n_reviews": n_t,
                     "share": n_t / len(docs), "examples": [str(texts_arr[i]) for i in ex if w[i, t] > 0]})
    out = pd.DataFrame(rows)
    out.attrs.update(n_reviews=len(docs), n_left_out=int((~keep).sum()))
    return out
