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
        tagged when ``untagged_only``), ``assignment`` (a Series indexed like the
        modelled reviews: the topic each loads on most, −1 when on none).

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
    out.attrs.update(n_reviews=len(docs), n_left_out=int((~keep).sum()),
                     assignment=pd.Series(np.where(loaded, best, -1), index=docs.index, name="topic"))
    return out


def topics_beyond_dictionary(tagged: pd.DataFrame, texts, langs=None, *, n_topics: int = 6, n_words: int = 8,
                             n_examples: int = 1, min_untagged: int = 50, match: float = 0.5,
                             random_state: int = 0) -> pd.DataFrame:
    """Topics found without the dictionary, each set beside the dictionary theme it matches (if any).

    What a theme dictionary misses is in the reviews it leaves untagged: when at
    least ``min_untagged`` non-empty reviews mention no theme, the topics are
    found among them alone (``scope = "untagged"``: every topic is a candidate
    new theme). When the dictionary tags nearly everything, too few reviews are
    left to model, and the topics are found among all reviews instead
    (``scope = "all"``): a topic then *matches* a dictionary theme when at
    least ``match`` of the reviews whose strongest topic it is mention that
    theme, and is *new* otherwise. Either way the result says which it did.

    Parameters
    ----------
    tagged : DataFrame
        :func:`cxlib.voc.tag_themes` of the same ``texts`` (same index).
    texts, langs
        The reviews and their languages, as given to ``tag_themes``.
    n_topics, n_words, n_examples, random_state
        As in :func:`discover_topics`; ``n_topics`` is lowered to a third of the
        reviews modelled when there are few of them.
    min_untagged : int
        Untagged reviews needed to model them alone.
    match : float
        Share of a topic's reviews that must mention one theme for the topic to match it.

    Returns
    -------
    pandas.DataFrame
        :func:`discover_topics`' columns plus ``theme`` (the matched theme id,
        None for a new topic) and ``theme_share`` (share of the topic's reviews
        mentioning the theme most mentioned among them). ``attrs``: those of
        ``discover_topics`` plus ``scope`` ("untagged" or "all"),
        ``n_untagged`` (non-empty reviews without a theme), ``coverage``
        (share of the non-empty reviews the dictionary tags), ``n_new`` and
        ``n_matched`` (topics).

    Raises
    ------
    CXDataError
        When ``tagged`` is not a ``tag_themes`` table or there are too few reviews to model.

    Examples
    --------
    >>> from cxlib.voc import tag_themes
    >>> texts = pd.Series(["dogs welcome everywhere", "dogs got treats", "dogs welcome", "dirty room",
    ...                    "karaoke night fun", "karaoke songs old", "karaoke night", "dirty sheets"])
    >>> tagged = tag_themes(texts, "en", world="hotel")
    >>> out = topics_beyond_dictionary(tagged, texts, "en", n_topics=2, n_words=1, min_untagged=4)
    >>> out.attrs["scope"], sorted(w for ws in out["words"] for w in ws), bool(out["theme"].isna().all())
    ('untagged', ['dogs', 'karaoke'], True)
    """
    from . import clean_text

    if not {"review", "theme"} <= set(tagged.columns) or "n_no_theme" not in tagged.attrs:
        raise CXDataError("tagged: expected the table that tag_themes returns (columns review, theme; attrs n_no_theme)")
    if not 0 < match <= 1:
        raise ValueError(f"match must be in (0, 1], got {match!r}")
    clean = clean_text(texts)
    n_text = int((clean.to_numpy() != "").sum())
    n_untagged = int(tagged.attrs["n_no_theme"])
    scope = "untagged" if n_untagged >= min_untagged else "all"
    n_docs = n_untagged if scope == "untagged" else n_text
    k = max(1, min(n_topics, n_docs // 3))
    keep = clean.to_numpy() != ""
    if scope == "untagged":  # the reviews the dictionary left untagged, as tag_themes found them
        keep &= ~clean.index.isin(tagged["review"].unique())
    lang_of = langs if langs is None or isinstance(langs, str) else pd.Series(list(langs), index=clean.index)[keep]
    out = discover_topics(clean[keep], lang_of, n_topics=k, n_words=n_words, n_examples=n_examples,
                          untagged_only=False, random_state=random_state)
    assignment = out.attrs["assignment"]
    mentions = pd.crosstab(tagged["review"], tagged["theme"]).gt(0)
    mentions = mentions.reindex(assignment.index, fill_value=False)
    per_topic = mentions.groupby(assignment.to_numpy()).mean()  # share of each topic's reviews mentioning each theme
    best = per_topic.idxmax(axis=1) if per_topic.shape[1] else pd.Series(dtype=object)
    share = per_topic.max(axis=1) if per_topic.shape[1] else pd.Series(dtype=float)
    out["theme_share"] = out["topic"].map(share).fillna(0.0).astype(float)
    out["theme"] = out["topic"].map(best).where(out["theme_share"] >= match)
    out["theme"] = out["theme"].astype(object).where(out["theme"].notna(), None)
    out.attrs.update(scope=scope, n_untagged=n_untagged, coverage=(n_text - n_untagged) / n_text if n_text else float("nan"),
                     n_new=int(out["theme"].isna().sum()), n_matched=int(out["theme"].notna().sum()))
    return out

