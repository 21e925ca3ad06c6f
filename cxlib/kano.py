"""KANO model: classify functional/dysfunctional answer pairs and summarise features.

A KANO question pair asks how a customer feels if a feature is present
(*functional*) and if it is absent (*dysfunctional*), each answered on the same
five options, coded

    1 like · 2 expect · 3 neutral · 4 live with · 5 dislike

(answer 2, "I expect it" — it must be that way — is named *expect* so that it does
not share its name with category ``M``, must-be).

The pair is looked up in the evaluation table of Berger et al. (1993) to give one
of six categories: ``A`` attractive, ``O`` one-dimensional, ``M`` must-be,
``I`` indifferent, ``R`` reverse, ``Q`` questionable.

Two layers, as everywhere in ``cxlib``: the rows are aggregated to a 5×5 table of
answer-pair counts per feature (:func:`pair_counts`), which is a sufficient
statistic for everything in :func:`kano_table` (category counts, Fong's test,
Better/Worse and the continuous means and SDs); :func:`kano_from_counts` does the
math on those counts.

Cross-check against Atlason & Giacalone (2018)
----------------------------------------------
Their published R function (CC-BY-4.0; read in the SUSE-modified copy that keeps
their computation) uses the same evaluation table (``evtable``, Q at
like/like and dislike/dislike) and the same Better/Worse (their "CS"/"DS")
with denominator A + O + M + I. Where it differs, on purpose here:

* Category: they take the plain mode with R's ``which.max(table(.))``, so ties
  go to the alphabetically first level (A < I < M < O < Q < R). We break ties
  with Berger et al.'s "M > O > A > I" rule (then R, then Q) and add Fong's
  (1996) test, reporting a mixed category such as ``"O/A"`` when the top two
  counts do not differ significantly.
* They do no continuous (DuMouchel) analysis and use no importance weighting;
  their curves are exponential/linear functions through CS and DS only. We add
  the DuMouchel scores and the mean self-stated importance (unweighted, for the
  marker size of :func:`plot_continuous`).

References
----------
Kano, N., Seraku, N., Takahashi, F. & Tsuji, S. (1984). Attractive quality and
must-be quality. *Hinshitsu* 14(2), 39–48.

Berger, C., Blauth, R., Boger, D., Bolster, C., Burchill, G., DuMouchel, W.,
Pouliot, F., Richter, R., Rubinoff, A., Shen, D., Timko, M. & Walden, D. (1993).
Kano's methods for understanding customer-defined quality. *Center for Quality
of Management Journal* 2(4), 3–36.

Fong, D. (1996). Using the self-stated importance questionnaire to interpret
Kano questionnaire results. *Center for Quality of Management Journal* 5(3), 21–24.

Atlason, R. S. & Giacalone, D. (2018). Rapid computation and visualization of
data from Kano surveys in R. *BMC Research Notes* 11, 839.
doi:10.1186/s13104-018-3945-x
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import i18n
from ._validate import clean_scores, require_columns
from .errors import CXDataError, ScoreError, format_examples
from .stats.moments import mean_sd_from_counts, weighted_mean_sd
from .stats.proportions import critical_z

__all__ = [
    "ANSWERS",
    "CATEGORIES",
    "EVALUATION_TABLE",
    "FUNCTIONAL_SCORES",
    "DYSFUNCTIONAL_SCORES",
    "TIE_PRIORITY",
    "classify",
    "evaluation_table",
    "pair_counts",
    "kano_from_counts",
    "kano_table",
    "plot_better_worse",  # noqa: F822  (lazy, see __getattr__)
    "plot_categories",  # noqa: F822  (lazy, see __getattr__)
    "plot_continuous",  # noqa: F822  (lazy, see __getattr__)
]

#: The five answers, in code order 1..5.
ANSWERS = ("like", "expect", "neutral", "live with", "dislike")

#: The six categories in the column order of :func:`kano_table`.
CATEGORIES = ("A", "O", "M", "I", "R", "Q")

#: Berger et al. (1993) evaluation table. Rows: functional answer, columns:
#: dysfunctional answer, both in code order like, expect, neutral, live with,
#: dislike. ``EVALUATION_TABLE[f - 1, d - 1]`` is the category of the pair
#: (f, d). (like, like) and (dislike, dislike) are Questionable: liking both the
#: presence and the absence (or disliking both) contradicts itself.
EVALUATION_TABLE = np.array(
    [
        #  like expect neutral live-with dislike   (dysfunctional)
        ["Q", "A", "A", "A", "O"],  # functional: like
        ["R", "I", "I", "I", "M"],  # functional: expect
        ["R", "I", "I", "I", "M"],  # functional: neutral
        ["R", "I", "I", "I", "M"],  # functional: live with
        ["R", "R", "R", "R", "Q"],  # functional: dislike
    ],
    dtype="<U1",
)
EVALUATION_TABLE.setflags(write=False)

#: DuMouchel's continuous scores (Berger et al. 1993, section IVb), by answer code
#: 1..5. Asymmetric: a "like" weighs more than a "dislike".
FUNCTIONAL_SCORES = np.array([4.0, 2.0, 0.0, -1.0, -2.0])
DYSFUNCTIONAL_SCORES = np.array([-2.0, -1.0, 0.0, 2.0, 4.0])
FUNCTIONAL_SCORES.setflags(write=False)
DYSFUNCTIONAL_SCORES.setflags(write=False)

#: Order used when counts tie (Berger et al. 1993: "M > O > A > I"; R and Q last).
TIE_PRIORITY = ("M", "O", "A", "I", "R", "Q")

#: Fong's published critical value (≈ two-sided z at α = 0.10).
FONG_Z = 1.65

# category masks over the 5×5 table, shape (6, 5, 5)
_MASKS = np.stack([(EVALUATION_TABLE == c) for c in CATEGORIES]).astype(float)
_CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

_EXPECTED = (
    "codes 1–5 (1 like, 2 expect, 3 neutral, 4 live with, 5 dislike) "
    "or those answers as words in en/zh, or missing for both halves"
)

# --------------------------------------------------------------------------- labels
# Accepted words, normalised by _norm (lower case, no spaces, hyphens, underscores
# or punctuation). Chinese variants cover the wordings common in Chinese KANO
# questionnaires.
_LABELS: dict[str, int] = {}
for _code, _words in {
    1: ["like", "ilike", "ilikeit", "ilikeitthatway", "likeit", "delighted", "喜欢", "我喜欢", "很喜欢",
        "非常喜欢", "我很喜欢"],
    2: ["mustbe", "must", "expect", "expected", "iexpectit", "expectit", "itmustbe", "itmustbethatway",
        "itmustbethat", "mustbethatway", "理所当然", "理应如此", "应该的", "应该如此", "必须的",
        "必须具备", "必备", "本应如此", "这是必须的"],
    3: ["neutral", "iamneutral", "imneutral", "indifferent", "idontcare", "nofeeling",
        "无所谓", "中立", "一般", "没感觉", "无感", "都可以", "我无所谓"],
    4: ["livewith", "icanlivewithit", "canlivewith", "canlivewithit", "livewithit", "tolerate",
        "icantolerateit", "cantolerateit", "tolerateit", "能忍受", "可以忍受", "勉强接受",
        "能接受", "可以接受", "我能忍受"],
    5: ["dislike", "idislike", "idislikeit", "idislikeitthatway", "dislikeit", "不喜欢", "我不喜欢",
        "讨厌", "很不喜欢", "不满意"],
}.items():
    for _w in _words:
        _LABELS[_w] = _code

_NORM_RE = re.compile(r"[\s\-_'’.,，。、!！]+")


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.strip().lower())


def _answer_code(value) -> int:
    """Code 1..5 for one answer, 0 if missing, -1 if not a KANO answer."""
    if value is None or value is pd.NA or value is pd.NaT:
        return 0
    if isinstance(value, bool | np.bool_):
        return -1
    if isinstance(value, int | np.integer):
        return int(value) if 1 <= value <= 5 else -1
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return 0
        return int(value) if value in (1.0, 2.0, 3.0, 4.0, 5.0) else -1
    if isinstance(value, str):
        text = _norm(value)
        if text == "":
            return -1
        if text in ("1", "2", "3", "4", "5"):
            return int(text)
        return _LABELS.get(text, -1)
    return -1


def _parse(values) -> tuple[pd.Series, np.ndarray]:
    """(answers as a Series keeping the caller's index, codes int8: 1..5, 0 missing, -1 bad)."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object).reshape(-1))
    if pd.api.types.is_bool_dtype(s.dtype):
        return s, np.full(len(s), -1, dtype=np.int8)
    if pd.api.types.is_numeric_dtype(s.dtype):
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        codes = np.full(len(arr), -1, dtype=np.int8)
        codes[np.isnan(arr)] = 0
        ok = np.isin(arr, (1.0, 2.0, 3.0, 4.0, 5.0))
        codes[ok] = arr[ok].astype(np.int8)
        return s, codes
    # object / string / categorical: map each distinct value once
    pos, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    lookup = np.array([_answer_code(u) for u in uniques] + [0], dtype=np.int8)  # last: missing
    codes = lookup[np.where(pos < 0, len(uniques), pos)]
    return s, codes


def _raise_bad(s: pd.Series, bad: np.ndarray, feature: str | None, half: str, extra_features=None):
    idx = np.flatnonzero(bad)
    rows = list(s.index[idx[:5]]) + [None] * max(0, len(idx) - 5)
    vals = [s.iloc[i].item() if isinstance(s.iloc[i], np.generic) else s.iloc[i] for i in idx[:5]]
    vals += [None] * max(0, len(idx) - 5)
    if extra_features is not None:
        names = sorted({str(f) for f in extra_features[idx]})
        what = "feature " + ", ".join(repr(n) for n in names)
    else:
        what = f"feature {feature!r}" if feature is not None else "KANO answers"
    raise ScoreError(
        f"{what}, {half} answer: not one of the five KANO answers — "
        f"{format_examples(rows, vals, label='row')}; expected {_EXPECTED}"
    )


def _raise_half(f_s, d_s, fc, dc, feature, extra_features=None):
    half = (fc == 0) != (dc == 0)
    idx = np.flatnonzero(half)
    rows = list(f_s.index[idx[:5]]) + [None] * max(0, len(idx) - 5)

    def show(s, c, i):
        if c[i] == 0:
            return "missing"
        v = s.iloc[i].item() if isinstance(s.iloc[i], np.generic) else s.iloc[i]
        return repr(int(v) if isinstance(v, float) and v.is_integer() else v)

    vals = [_Plain(f"functional={show(f_s, fc, i)}, dysfunctional={show(d_s, dc, i)}") for i in idx[:5]]
    vals += [None] * max(0, len(idx) - 5)
    if extra_features is not None:
        what = "feature " + ", ".join(repr(n) for n in sorted({str(f) for f in extra_features[idx]}))
    else:
        what = f"feature {feature!r}" if feature is not None else "KANO answers"
    raise CXDataError(
        f"{what}: half of an answer pair is missing — {format_examples(rows, vals, label='row')}; "
        "expected both the functional and the dysfunctional answer, or neither (feature skipped)"
    )


class _Plain(str):
    """A string that shows without quotes inside format_examples."""

    def __repr__(self) -> str:
        return str(self)


def _codes_pair(functional, dysfunctional, feature=None, extra_features=None):
    """Validated codes (int8, 1..5; 0 where both halves are missing)."""
    f_s, fc = _parse(functional)
    d_s, dc = _parse(dysfunctional)
    if len(fc) != len(dc):
        raise ValueError(
            f"functional and dysfunctional answers differ in length ({len(fc)} vs {len(dc)})"
            + (f" for feature {feature!r}" if feature is not None else "")
        )
    if (fc < 0).any():
        _raise_bad(f_s, fc < 0, feature, "functional", extra_features)
    if (dc < 0).any():
        _raise_bad(d_s, dc < 0, feature, "dysfunctional", extra_features)
    if ((fc == 0) != (dc == 0)).any():
        _raise_half(f_s, d_s, fc, dc, feature, extra_features)
    return f_s, fc, dc


# --------------------------------------------------------------------------- classify
def classify(functional, dysfunctional, *, feature: str | None = None):
    """Classify each functional/dysfunctional answer pair with the KANO evaluation table.

    Parameters
    ----------
    functional, dysfunctional : array-like or pandas.Series
        Answers to the "feature present" and "feature absent" questions, one per
        respondent: codes 1–5 (1 like, 2 expect, 3 neutral, 4 live with,
        5 dislike), or those answers as words: en ``"like"``, ``"expect"`` /
        ``"must-be"``, ``"neutral"``, ``"live with"`` / ``"tolerate"``,
        ``"dislike"`` (also "I like it", …); zh ``"喜欢"``, ``"理所当然"``
        (``"应该的"``, ``"必须的"``…), ``"无所谓"`` (``"中立"``…), ``"能忍受"``
        (``"可以忍受"``…), ``"不喜欢"``. Case, spaces and hyphens are ignored.
        A pair with both halves missing is a skipped feature.
    feature : str, optional
        Name used in error messages.

    Returns
    -------
    pandas.Series or numpy.ndarray
        One of ``'A' 'O' 'M' 'I' 'R' 'Q'`` per pair (``None`` for a skipped
        pair); a Series with the index of ``functional`` if it is a Series,
        else an object array.

    Raises
    ------
    ScoreError
        An answer that is not one of the five (or an unknown word), naming the
        feature, the values and the rows.
    CXDataError
        One half of a pair missing, naming the feature and the rows.

    Notes
    -----
    The table is :data:`EVALUATION_TABLE` (Berger et al. 1993), the same as the
    ``evtable`` of Atlason & Giacalone (2018)::

                          dysfunctional
                     like  expect neutral live-with dislike
        like          Q      A       A        A        O
        expect        R      I       I        I        M
        neutral       R      I       I        I        M
        live with     R      I       I        I        M
        dislike       R      R       R        R        Q

    References
    ----------
    Berger et al. (1993); Kano et al. (1984); Atlason & Giacalone (2018).

    Examples
    --------
    >>> classify([1, 2, 1, "like"], [5, 5, 4, "dislike"]).tolist()
    ['O', 'M', 'A', 'O']
    >>> classify(["喜欢"], ["不喜欢"]).tolist()
    ['O']
    """
    f_s, fc, dc = _codes_pair(functional, dysfunctional, feature)
    cats = np.empty(len(fc), dtype=object)
    ok = fc > 0
    cats[ok] = EVALUATION_TABLE[fc[ok] - 1, dc[ok] - 1]
    cats[~ok] = None
    if isinstance(functional, pd.Series):
        return pd.Series(cats, index=functional.index, name=feature, dtype=object)
    if isinstance(dysfunctional, pd.Series):
        return pd.Series(cats, index=dysfunctional.index, name=feature, dtype=object)
    return cats


def evaluation_table(lang: str = "en") -> pd.DataFrame:
    """The evaluation table as a labelled DataFrame (rows functional, columns dysfunctional)."""
    names = [i18n.t(f"kano.answer.{k}", lang) for k in ("like", "expect", "neutral", "live_with", "dislike")]
    frame = pd.DataFrame(EVALUATION_TABLE.copy(), index=names, columns=names)
    frame.index.name = i18n.t("kano.chart.functional", lang)
    frame.columns.name = i18n.t("kano.chart.dysfunctional", lang)
    return frame


# --------------------------------------------------------------------------- aggregation
def _is_long(df: pd.DataFrame) -> bool:
    return {"feature", "functional", "dysfunctional"} <= set(map(str, df.columns))


def _wide_features(df: pd.DataFrame) -> list[str]:
    cols = set(map(str, df.columns))
    return [c[:-5] for c in map(str, df.columns) if c.endswith("_func") and f"{c[:-5]}_dys" in cols]


def _weights_of(df: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    """The survey-weight column as floats, checked: finite and ≥ 0 on every row."""
    if weights is None:
        return None
    require_columns(df, [weights], "kano weights")
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        idx = np.flatnonzero(bad)
        raise CXDataError(
            f"weights column {weights!r}: missing, negative or non-numeric weights — "
            f"{format_examples(list(df.index[idx[:5]]) + [None] * max(0, len(idx) - 5), label='row')}; "
            "expected a finite weight ≥ 0 on every row"
        )
    return w


def pair_counts(df: pd.DataFrame, features: Sequence[str] | None = None, *,
                weights: str | None = None) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Aggregate KANO answers to a 5×5 table of answer-pair counts per feature.

    Parameters
    ----------
    df : DataFrame
        Wide (columns ``<feature>_func`` and ``<feature>_dys``, one row per
        respondent) or long (columns ``feature``, ``functional``,
        ``dysfunctional`` and optionally ``respondent``: one row per respondent
        and feature).
    features : list of str, optional
        Features to use, in this order. Default: every feature found.
    weights : str, optional
        Column of survey weights: the counts become sums of weights (floats), and
        ``counts.attrs``-like extras are returned in ``n_missing["__sum_w2__"]`` (Σw² of the
        classified pairs per feature, for Kish's n_eff) and ``n_missing["__n__"]`` (respondents).

    Returns
    -------
    counts : dict
        ``{feature: int array (5, 5)}`` (float with weights), rows functional answer 1..5,
        columns dysfunctional answer 1..5.
    n_missing : dict
        ``{feature: number of respondents who skipped the feature}`` (both halves
        missing).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of KANO answers, got {type(df).__name__}")
    counts: dict[str, np.ndarray] = {}
    n_missing: dict[str, int] = {}
    if isinstance(features, str):
        features = [features]
    if _is_long(df):
        feat_col = df["feature"]
        known = list(pd.unique(feat_col.dropna().astype(object)))
        if features is None:
            features = [str(f) for f in known]
        else:
            absent = [f for f in features if f not in set(map(str, known))]
            if absent:
                raise CXDataError(
                    f"column 'feature': no rows for {absent}; features present: {sorted(map(str, known))}"
                )
        if feat_col.isna().any():
            bad = np.flatnonzero(feat_col.isna().to_numpy())
            raise CXDataError(
                "column 'feature': missing feature names — "
                f"{format_examples(list(df.index[bad[:5]]) + [None] * max(0, len(bad) - 5), label='row')}"
            )
        if "respondent" in df.columns:
            dup = df.duplicated(["respondent", "feature"], keep="first").to_numpy()
            if dup.any():
                idx = np.flatnonzero(dup)
                rows = list(df.index[idx[:5]]) + [None] * max(0, len(idx) - 5)
                vals = [f"{df['respondent'].iloc[i]!r}/{df['feature'].iloc[i]!r}" for i in idx[:5]]
                raise CXDataError(
                    "columns 'respondent', 'feature': the same respondent answers a feature twice — "
                    f"{format_examples(rows, vals + [None] * max(0, len(idx) - 5), label='row')}; "
                    "expected one row per respondent and feature"
                )
        sub = df[feat_col.astype(str).isin(features)]
        w_all = _weights_of(sub, weights)
        fnames = sub["feature"].astype(str).to_numpy()
        _, fc, dc = _codes_pair(sub["functional"], sub["dysfunctional"], extra_features=fnames)
        fidx = pd.Categorical(fnames, categories=list(features)).codes
        ok = fc > 0
        key = fidx[ok] * 25 + (fc[ok] - 1) * 5 + (dc[ok] - 1)
        flat = np.bincount(key, minlength=25 * len(features))
        skipped = np.bincount(fidx[~ok], minlength=len(features))
        if w_all is not None:
            wflat = np.bincount(key, weights=w_all[ok], minlength=25 * len(features))
            w2 = np.bincount(fidx[ok], weights=w_all[ok] ** 2, minlength=len(features))
            n_missing["__sum_w2__"] = {f: float(w2[i]) for i, f in enumerate(features)}
            n_missing["__n__"] = {f: int(flat[25 * i: 25 * (i + 1)].sum()) for i, f in enumerate(features)}
        for i, f in enumerate(features):
            counts[f] = (flat if w_all is None else wflat)[25 * i: 25 * (i + 1)].reshape(5, 5)
            n_missing[f] = int(skipped[i])
        return counts, n_missing

    if features is None:
        features = _wide_features(df)
        if not features:
            raise CXDataError(
                "no KANO columns found: expected pairs '<feature>_func' and '<feature>_dys' (wide) "
                "or columns 'feature', 'functional', 'dysfunctional' (long); "
                f"columns are {list(map(str, df.columns))[:12]}"
            )
    absent = [c for f in features for c in (f"{f}_func", f"{f}_dys") if c not in df.columns]
    if absent:
        raise CXDataError(f"KANO columns not found: {absent}; expected '<feature>_func' and '<feature>_dys'")
    w_all = _weights_of(df, weights)
    if w_all is not None:
        n_missing["__sum_w2__"], n_missing["__n__"] = {}, {}
    for f in features:
        _, fc, dc = _codes_pair(df[f"{f}_func"], df[f"{f}_dys"], feature=f)
        ok = fc > 0
        key = (fc[ok] - 1) * 5 + (dc[ok] - 1)
        if w_all is None:
            counts[f] = np.bincount(key, minlength=25).reshape(5, 5)
        else:
            counts[f] = np.bincount(key, weights=w_all[ok], minlength=25).reshape(5, 5)
            n_missing["__sum_w2__"][f] = float((w_all[ok] ** 2).sum())
            n_missing["__n__"][f] = int(ok.sum())
        n_missing[f] = int((~ok).sum())
    return counts, n_missing


def _fong(top: np.ndarray, second: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    """Fong (1996): |a − b| ≥ z·√((a + b)(2n − a − b)/(2n)) ⇒ the top category is significant."""
    with np.errstate(invalid="ignore", divide="ignore"):
        crit = z * np.sqrt((top + second) * (2 * n - top - second) / (2 * n))
        return np.abs(top - second) >= crit


def kano_from_counts(
    counts: Mapping[str, np.ndarray],
    n_missing: Mapping[str, int] | None = None,
    *,
    fong_alpha: float | None = None,
    sum_w2: Mapping[str, float] | None = None,
    n_respondents: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """KANO summary from 5×5 answer-pair counts (the math layer of :func:`kano_table`).

    Parameters
    ----------
    counts : mapping
        ``{feature: (5, 5) counts}``, rows functional answer 1..5, columns
        dysfunctional answer 1..5 (as from :func:`pair_counts`).
    n_missing : mapping, optional
        Skipped pairs per feature, copied to column ``n_missing``.
    fong_alpha : float, optional
        Level of Fong's test. ``None`` (default) uses Fong's published critical
        value 1.65; a number α uses z = Φ⁻¹(1 − α/2).
    sum_w2 : mapping, optional
        Weighted counts only: Σw² of each feature's classified pairs. Category counts are then
        sums of weights, ``n`` is the respondents (``n_respondents``), ``n_eff`` is Kish's
        (Σw)²/Σw², Fong's test compares the shares scaled to n_eff, and the continuous SDs are
        Kish-corrected weighted SDs (:func:`cxlib.stats.moments.weighted_mean_sd`).
    n_respondents : mapping, optional
        Weighted counts only: classified pairs per feature (unweighted), reported as ``n``.

    Returns
    -------
    DataFrame
        See :func:`kano_table` (without ``importance_mean``).
    """
    if fong_alpha is not None and not 0 < fong_alpha < 1:
        raise ValueError(f"fong_alpha must be between 0 and 1, got {fong_alpha!r}")
    z = FONG_Z if fong_alpha is None else critical_z(1 - fong_alpha)
    features = list(counts)
    pairs = np.stack([np.asarray(counts[f], dtype=float).reshape(5, 5) for f in features]) if features else np.zeros((0, 5, 5))
    cat = np.einsum("fij,cij->fc", pairs, _MASKS)  # (features, 6) in CATEGORIES order
    n = cat.sum(axis=1)
    a, o, m, i_ = (cat[:, _CAT_INDEX[c]] for c in "AOMI")
    aomi = a + o + m + i_
    with np.errstate(invalid="ignore", divide="ignore"):
        better = np.where(aomi > 0, (a + o) / aomi, np.nan)
        worse = np.where(aomi > 0, -(o + m) / aomi, np.nan)

    # ranking: by count, ties by TIE_PRIORITY
    prio = np.array([TIE_PRIORITY.index(c) for c in CATEGORIES])
    order = np.lexsort((np.broadcast_to(prio, cat.shape), -cat), axis=1) if len(cat) else np.zeros((0, 6), int)
    top_i, sec_i = order[:, 0], order[:, 1]
    rows = np.arange(len(cat))
    top, sec = cat[rows, top_i], cat[rows, sec_i]
    if sum_w2 is None:
        signif = _fong(top, sec, n, z) & (n > 0)
    else:  # Fong's test on the weighted shares at Kish's effective n
        w2 = np.array([float(sum_w2[f]) for f in features])
        with np.errstate(invalid="ignore", divide="ignore"):
            n_eff = np.where(w2 > 0, n * n / w2, 0.0)
            scale = np.where(n > 0, n_eff / n, 0.0)
        signif = _fong(top * scale, sec * scale, n_eff, z) & (n > 0)
    names = np.array(CATEGORIES)
    category = np.where(
        n == 0, None,
        np.where(signif | (sec == 0), names[top_i], np.char.add(np.char.add(names[top_i], "/"), names[sec_i])),
    ).astype(object)

    # continuous (DuMouchel): marginal answer counts → weighted mean and SD (ddof = 1)
    f_marg = pairs.sum(axis=2)  # functional answer counts (features, 5)
    d_marg = pairs.sum(axis=1)

    def mean_sd(marg, scores):
        if sum_w2 is None:
            tot, mean, sd = mean_sd_from_counts(marg, scores)
            return np.where(tot > 0, mean, np.nan), sd
        w2 = np.array([float(sum_w2[f]) for f in features])
        mean, sd, _ = weighted_mean_sd(marg.sum(axis=1), marg @ scores, marg @ (scores * scores), w2)
        return np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)

    f_mean, f_sd = mean_sd(f_marg, FUNCTIONAL_SCORES)
    d_mean, d_sd = mean_sd(d_marg, DYSFUNCTIONAL_SCORES)

    out = pd.DataFrame({"feature": features})
    for j, c in enumerate(CATEGORIES):
        out[c] = cat[:, j].astype("int64") if sum_w2 is None else cat[:, j]
    if sum_w2 is None:
        out["n"] = n.astype("int64")
    else:
        out["n"] = [int((n_respondents or {}).get(f, 0)) for f in features]
    out["n_missing"] = [int((n_missing or {}).get(f, 0)) for f in features]
    out["category"] = category
    out["fong_significant"] = signif.astype(bool)
    out["better"] = better
    out["worse"] = worse
    out["functional_mean"] = f_mean
    out["functional_sd"] = f_sd
    out["dysfunctional_mean"] = d_mean
    out["dysfunctional_sd"] = d_sd
    if sum_w2 is not None:
        out["n_eff"] = n_eff
    out.attrs["fong_z"] = z
    out.attrs["weighted"] = sum_w2 is not None
    return out


def kano_table(
    df: pd.DataFrame,
    features: Sequence[str] | None = None,
    importance: str | None = "auto",
    fong_alpha: float | None = None,
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """One row per feature: KANO category counts, category, Better/Worse, continuous scores.

    Parameters
    ----------
    df : DataFrame
        KANO answers, wide (columns ``<feature>_func``, ``<feature>_dys`` and
        optionally ``<feature>_imp``; one row per respondent) or long (columns
        ``feature``, ``functional``, ``dysfunctional``, optionally
        ``respondent`` and ``importance``; one row per respondent × feature).
        Answers as in :func:`classify`.
    features : list of str, optional
        Features in the order wanted; default every feature found.
    importance : {"auto", None}
        ``"auto"``: add ``importance_mean`` (mean self-stated importance, 1–9,
        missing answers excluded) when ``<feature>_imp`` columns (wide) or an
        ``importance`` column (long) exist. ``None``: leave it out.
    fong_alpha : float, optional
        Level of Fong's test; ``None`` uses Fong's critical value 1.65.
    weights : str, optional
        Column of survey weights (one per row): category counts become sums of weights (so
        shares, Better and Worse are weighted), ``n`` stays the respondents, ``n_eff`` (Kish)
        is added and used by Fong's test and the continuous SDs; ``importance_mean`` is weighted.

    Returns
    -------
    DataFrame
        Columns ``feature``; counts ``A O M I R Q``; ``n`` (classified pairs);
        ``n_missing`` (skipped pairs); ``category``; ``fong_significant``;
        ``better``; ``worse``; ``functional_mean``, ``functional_sd``,
        ``dysfunctional_mean``, ``dysfunctional_sd``; and ``importance_mean``
        when available.

    Notes
    -----
    **Category** = the most frequent of the six categories (Q and R included,
    so a feature whose modal answer is Questionable is flagged). Counts that
    tie are ordered by :data:`TIE_PRIORITY`, M > O > A > I > R > Q, following
    Berger et al.'s rule "M > O > A > I" (when in doubt, pick the category with
    the larger effect on the product). **Fong's test** on the two largest counts
    a ≥ b (n = all classified pairs of the feature):

        |a − b| < 1.65·√((a + b)(2n − a − b)/(2n))  ⇒  not significant,

    and then ``category`` is mixed, ``"<top>/<second>"`` (e.g. ``"O/A"``),
    ordered by count and, on equal counts, by the same priority (so a 5–5 tie of
    A and O gives ``"O/A"``). If only one category occurs it is reported alone
    whatever the test says (``fong_significant`` still carries the test).

    **Better** = (A + O)/(A + O + M + I), **Worse** = −(O + M)/(A + O + M + I)
    (Berger et al. 1993, after Timko): Q and R are counted but left out of both
    numerators and the denominator; NaN when A + O + M + I = 0.

    **Continuous** (DuMouchel, in Berger et al. 1993): each answer is scored,
    functional like 4, expect 2, neutral 0, live with −1, dislike −2;
    dysfunctional like −2, expect −1, neutral 0, live with 2, dislike 4; the
    means and SDs (n − 1) are over all classified pairs, Q and R included.

    Where sources differ (we follow Berger et al. and DESIGN.md):
    Atlason & Giacalone (2018) use the same table and the same Better/Worse
    denominator (A + O + M + I), but take the plain mode with ties to the
    alphabetically first category and no Fong test, and have no continuous
    analysis or importance weighting. Q and R answers are kept in the
    continuous means (DuMouchel scores every answer); drop those respondents
    first if you prefer means over the A/O/M/I answers only.

    References
    ----------
    Berger et al. (1993); Fong (1996); Atlason & Giacalone (2018).

    Examples
    --------
    >>> df = pd.DataFrame({"wifi_func": [2, 2, 1, 3], "wifi_dys": [5, 5, 5, 5]})
    >>> kano_table(df)[["feature", "M", "O", "category", "better", "worse"]]
      feature  M  O category  better  worse
    0    wifi  3  1      M/O    0.25   -1.0
    """
    counts, n_missing = pair_counts(df, features, weights=weights)
    sum_w2 = n_missing.pop("__sum_w2__", None)
    n_resp = n_missing.pop("__n__", None)
    out = kano_from_counts(counts, n_missing, fong_alpha=fong_alpha, sum_w2=sum_w2, n_respondents=n_resp)
    if importance not in ("auto", None):
        raise ValueError(f"importance must be 'auto' or None, got {importance!r}")
    if importance == "auto":
        feats = list(counts)
        if _is_long(df) and "importance" in df.columns:
            sub = df[df["feature"].astype(str).isin(feats)]
            clean_scores(sub["importance"], low=1, high=9, name="importance")
            vals = pd.to_numeric(sub["importance"])
            if weights is None:
                imp = vals.groupby(sub["feature"].astype(str)).mean()
            else:
                w = pd.Series(_weights_of(sub, weights), index=sub.index).where(vals.notna())
                key = sub["feature"].astype(str)
                imp = (vals * w).groupby(key).sum() / w.groupby(key).sum()
            out["importance_mean"] = [float(imp.get(f, np.nan)) for f in feats]
        elif not _is_long(df) and any(f"{f}_imp" in df.columns for f in feats):
            vals = []
            for f in feats:
                col = f"{f}_imp"
                if col in df.columns:
                    v = clean_scores(df[col], low=1, high=9, name=col).values
                    if weights is None:
                        vals.append(float(v.mean()) if len(v) else np.nan)
                    else:
                        x = pd.to_numeric(df[col]).to_numpy(dtype=float)
                        w = np.where(np.isnan(x), 0.0, _weights_of(df, weights))
                        vals.append(float(np.nansum(w * x) / w.sum()) if w.sum() > 0 else np.nan)
                else:
                    vals.append(np.nan)
            out["importance_mean"] = vals
    return out


# --------------------------------------------------------------------------- plots (lazy)
#: Charts live in :mod:`cxlib.plotting.kano` (matplotlib is imported only when one is drawn);
#: the names stay reachable here because lessons call ``kano.plot_…``.
_PLOTS = ('plot_better_worse', 'plot_categories', 'plot_continuous')


def __getattr__(name: str):
    if name in _PLOTS:
        from .plotting import kano as _plotting

        return getattr(_plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
