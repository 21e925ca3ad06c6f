"""Data for a lesson in one call: the survey joined to what is known about who answered.

The lessons read roles (:mod:`cxlib.roles`: the data dictionary's, or a user's
``mapping.yml``) rather than asking which world they run on: the segment columns
of a survey are its own and those the roles of the tables it links to declare,
e.g. a hotel survey's booking channel from the stays table, a shop survey's city
tier from the customers table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import datasets
from .dictionary import check_world
from .i18n import check_lang, labels, t

__all__ = ["SurveyFrame", "OFlag", "survey_frame", "value_labels", "by_summary", "plot_precision", "with_o_flag",
           "ComplaintFrame", "complaint_frame", "OUTCOMES", "OutcomeFrame", "outcome_frame", "names", "missing_section", "ReviewFrame", "review_frame", "lift_summary",
           "sentiment_accuracy", "top_pair", "topics_summary",
           "ValueFrame", "ABCInputs", "value_frame", "HeartFrame", "heart_frame", "before_after_wide",
           "ParquetWorld", "write_parquet_world", "parquet_world"]


@dataclass(frozen=True)
class SurveyFrame:
    """A survey with segment columns.

    ``data``; ``segments`` (columns, the survey's own first); ``names`` (headers in
    ``lang``); the measure columns ``nps`` (0–10), ``satisfaction`` (1–5), ``effort``
    (1–7); ``ratings`` (touchpoint rating columns in journey order), ``rating_names``
    and ``date`` (the answer's date), all as the survey role declares them.
    """

    data: pd.DataFrame
    segments: tuple[str, ...]
    names: dict[str, str]
    nps: str | None = None
    satisfaction: str | None = None
    effort: str | None = None
    ratings: tuple[str, ...] = ()
    rating_names: dict[str, str] | None = None
    date: str | None = None


def value_labels(column: str, values, lang: str = "en") -> dict[str, str]:
    """Names of a category column's ``values`` in ``lang``: the first catalogue group that names one of them.

    Groups searched: ``<column>``, ``<column without _id>``, ``segment.<column>``,
    ``lesson02.<column>`` (e.g. ``property_id`` → ``property.city``). Empty when none is catalogued.
    """
    check_lang(lang)
    wanted = {str(v) for v in values}
    for prefix in (column, column.removesuffix("_id"), f"segment.{column}", f"lesson02.{column}"):
        found = labels(prefix, lang)
        if wanted & set(found):
            return found
    return {}


def survey_frame(dataset: str, data_dir=None, lang: str = "en") -> SurveyFrame:
    """The survey, one row per answer, with the segment columns of every table it links to.

    Parameters
    ----------
    dataset : str
        The world whose dictionary declares the roles (a user's folder declares them in ``mapping.yml``).
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.
    lang : {"en", "zh"}
        Category values are shown in this language (ordered as in the catalogue).

    Returns
    -------
    SurveyFrame
        The survey role's own segments first, then the segments that the roles of linked
        tables declare (``links`` from the survey to e.g. stays, orders, guests, customers).
        Each join is many-to-one (checked): one stay, order or customer per answer; answers
        without a match keep missing segment values (never dropped).

    Raises
    ------
    cxlib.roles.RoleError
        When the data declares no survey role (naming the table and columns it needs).
    """
    from . import roles as roles_mod

    check_lang(lang)
    roles = roles_mod.of(dataset, data_dir)
    role = roles.require("survey")
    data = datasets.load(dataset, role.table, data_dir=data_dir)
    segments = list(role.segments)
    names = _names(dataset, role.table, lang)
    owners = [r for r in (roles.transactions, roles.customers) if r is not None]
    for link in (k for k in roles.links if k.from_table == role.table):
        other = next((r for r in owners if r.table == link.to_table), None)
        new = [c for c in (other.segments if other else ()) if c not in data.columns]
        if not new:
            continue
        right = datasets.load(dataset, other.table, data_dir=data_dir)[[link.to_column, *new]]
        data = data.merge(right.rename(columns={link.to_column: link.from_column}), on=link.from_column,
                          how="left", validate="many_to_one")
        segments += new
        names.update(_names(dataset, other.table, lang))
    for col in segments:
        words = value_labels(col, data[col].dropna().unique(), lang)
        named = data[col].astype(object).map(lambda v, words=words: words.get(str(v), v))
        order = list(dict.fromkeys([*words.values(), *named.dropna().unique()]))
        data[col] = pd.Categorical(named, categories=[v for v in order if v in set(named.dropna())])
    return SurveyFrame(data=data, segments=tuple(segments), names=names, nps=role.nps, satisfaction=role.satisfaction,
                       effort=role.effort, ratings=role.touchpoint_columns, rating_names=role.touchpoint_labels(lang), date=role.date)


def _names(dataset: str, table: str, lang: str) -> dict[str, str]:
    spec = datasets.table_spec(dataset, table)
    return {c: s.zh if lang == "zh" else s.en for c, s in spec.columns.items()}


def by_summary(table: pd.DataFrame, column, value: str = "nps", conf: float = 0.95) -> dict:
    """What a sentence says about a by-group table: best and worst group, gap, how many groups differ.

    Parameters
    ----------
    table : DataFrame
        One row per group with ``value``, ``p_value`` and ``p_adjusted`` (e.g.
        :func:`cxlib.metrics.nps_by`, ``csat_by``, ``ces_by``), and ``small_n`` when flagged.
    column : str or list of str
        The group column(s); several are joined with " × ".
    value : str
        The column ranked.
    conf : float
        A group "differs" when its p-value is below 1 − ``conf``.

    Returns
    -------
    dict
        ``best``, ``best_value``, ``worst``, ``worst_value``, ``gap`` (best − worst), ``m`` (groups),
        ``raw`` / ``k`` (groups with a raw / adjusted p below 1 − conf), ``k_any``, ``small``, ``alpha``.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "b", "c"], "nps": [5.0, 20.0, -3.0], "p_value": [0.5, 0.01, 0.04],
    ...                   "p_adjusted": [0.5, 0.03, 0.08]})
    >>> s = by_summary(t, "g")
    >>> (s["best"], s["worst"], s["gap"], s["raw"], s["k"])
    ('b', 'c', 23.0, 2, 1)
    """
    cols = [column] if isinstance(column, str) else list(column)
    ranked = table.sort_values(value, kind="stable")
    name = ranked[cols].astype(str).agg(" × ".join, axis=1)
    alpha = 1 - conf
    k = int((table["p_adjusted"] < alpha).sum())
    return {"best": name.iloc[-1], "best_value": float(ranked[value].iloc[-1]), "worst": name.iloc[0],
            "worst_value": float(ranked[value].iloc[0]), "gap": float(ranked[value].iloc[-1] - ranked[value].iloc[0]),
            "m": len(table), "raw": int((table["p_value"] < alpha).sum()), "k": k, "k_any": k > 0,
            "small": int(table["small_n"].sum()) if "small_n" in table else 0, "alpha": alpha}


def plot_precision(overall, groups: pd.DataFrame, months: pd.DataFrame, *, what: str = "", ax=None, lang: str = "en", **kwargs):
    """± margin of error of an NPS against its number of answers: whole survey, each group, each group-month.

    Parameters
    ----------
    overall : NPSResult
        :func:`cxlib.metrics.nps` of all answers (its CI sets the √n curve).
    groups, months : DataFrame
        :func:`cxlib.metrics.nps_by` and :func:`cxlib.metrics.nps_trend` tables (``n``, ``ci_low``, ``ci_high``).
    what : str
        The group noun for the legend.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}
    **kwargs
        Passed to the curve's ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from . import plots
    from .i18n import t

    ax = ax or plt.gca()
    half = (overall.ci_high - overall.ci_low) / 2
    grid = np.geomspace(5, 5 * overall.n, 100)
    ax.plot(grid, half * np.sqrt(overall.n / grid), **{"color": plots.PALETTE[5], "label": t("lesson02.precision.curve", lang), **kwargs})
    ax.scatter(months["n"], (months["ci_high"] - months["ci_low"]) / 2, s=20, alpha=0.6, label=t("lesson02.precision.month", lang, what=what))
    ax.scatter(groups["n"], (groups["ci_high"] - groups["ci_low"]) / 2, s=80, marker="s", label=t("lesson02.precision.group", lang, what=what))
    ax.scatter([overall.n], [half], s=220, marker="*", label=t("lesson02.precision.all", lang))
    ax.set(xscale="log", xlabel=t("lesson02.precision.x", lang), ylabel=t("lesson02.precision.y", lang),
           title=t("lesson02.precision.title", lang, conf=1 - 2 * (1 - _coverage(overall))))
    ax.legend(frameon=False)
    return ax


def _coverage(overall) -> float:
    """The one-sided coverage of an NPS interval, read back from its CI and SE (so the title states the level)."""
    from scipy.stats import norm

    z = (overall.ci_high - overall.ci_low) / (2 * overall.se) if overall.se else float("nan")
    return float(norm.cdf(z))


@dataclass(frozen=True)
class OFlag:
    """An operational (O-data) flag joined to the survey: the touchpoint it explains and its rating column."""

    name: str
    touchpoint: str
    touchpoint_name: str
    rating: str | None
    column: str
    limit: float


def with_o_flag(dataset: str, survey: SurveyFrame, data_dir=None, limit=None, lang: str = "en"):
    """The survey with a True/False column "O-data measure above its limit", for the touchpoint the dictionary links it to.

    A touchpoint of the data dictionary may declare ``o_data: {table, column, limit}``:
    the operational measure behind its rating (a hotel's check-in wait behind the
    check-in rating, a shop's delivery days behind the delivery rating) and the limit
    above which a case counts as bad. The measure's table is joined through the
    survey's link to it (:mod:`cxlib.roles`).

    Parameters
    ----------
    dataset : str
    survey : SurveyFrame
        :func:`survey_frame`'s result.
    data_dir : path, optional
    limit : float, optional
        Overrides the dictionary's limit (a lesson parameter or slider).
    lang : {"en", "zh"}
        Language of the flag's name (its column name, so that it reads well in charts).

    Returns
    -------
    (DataFrame, OFlag) or (survey.data, None)
        ``None`` when no touchpoint declares O-data or its table is not in the data.
    """
    from . import roles as roles_mod
    from .i18n import has_label, t

    have = roles_mod.of(dataset, data_dir)
    spec = next((tp for tp in datasets.dictionary(dataset).get("touchpoints", []) if "o_data" in tp), None)
    link = spec and have.link(have.survey.table, spec["o_data"]["table"])
    if spec is None or link is None or spec["o_data"]["table"] not in datasets.provided_tables(dataset, data_dir):
        return survey.data, None
    o = spec["o_data"]
    limit = o["limit"] if limit is None else limit
    right = datasets.load(dataset, o["table"], data_dir=data_dir)[[link.to_column, o["column"]]]
    joined = survey.data.merge(right.rename(columns={link.to_column: link.from_column}), on=link.from_column,
                               how="left", validate="many_to_one")
    label = _names(dataset, o["table"], lang)[o["column"]]
    unit = datasets.table_spec(dataset, o["table"]).columns[o["column"]].unit or ""
    unit = t(f"unit.{unit}", lang) if has_label(f"unit.{unit}") else unit
    name = t("lesson01.flag.generic", lang, what=label, limit=limit, unit=unit).strip()
    joined[name] = (joined[o["column"]] > limit).where(joined[o["column"]].notna())
    return joined, OFlag(name=name, touchpoint=spec["id"], touchpoint_name=spec[lang], rating=spec.get("column"),
                         column=o["column"], limit=limit)


@dataclass(frozen=True)
class ComplaintFrame:
    """Complaints with what lesson 11 compares them to.

    ``complaints`` (one row per case, with ``value``: the customer's spend in the transactions
    table, and ``days_since``: days from the case to the newest case); ``role`` (the complaints
    role: column names); ``baseline_nps`` (0–10 answers of surveys whose stay or order had no
    complaint); ``exposures`` (stays or orders: the opportunities to complain); ``as_of`` (the
    newest case's time, standing in for the extraction time of open cases).
    """

    complaints: pd.DataFrame
    role: object
    baseline_nps: pd.Series
    exposures: int
    as_of: pd.Timestamp
    unit: str = "transactions"

    def unit_label(self, lang: str = "en") -> str:
        """What one exposure is called ("stays", "orders"), in ``lang``."""
        return names("lesson11.unit", [self.unit], lang)[self.unit]


def _shared_key(links, a: str, b: str) -> tuple[str, str] | None:
    """Columns of tables ``a`` and ``b`` that identify the same stay or order (a direct link, or both to one key)."""
    for k in links:
        if {k.from_table, k.to_table} == {a, b}:
            return (k.from_column, k.to_column) if k.from_table == a else (k.to_column, k.from_column)
    targets = {(k.to_table, k.to_column): k.from_column for k in links if k.from_table == b}
    for k in links:
        if k.from_table == a and (k.to_table, k.to_column) in targets:
            return k.from_column, targets[(k.to_table, k.to_column)]
    return None


def complaint_frame(dataset: str, data_dir=None) -> ComplaintFrame:
    """Complaints, the no-complaint NPS baseline and each complainant's value, from the roles.

    Parameters
    ----------
    dataset : str
        The world whose dictionary declares the roles (or a user's ``mapping.yml``).
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.

    Returns
    -------
    ComplaintFrame

    Raises
    ------
    cxlib.roles.RoleError
        Naming the tables and columns needed when the complaints, survey or transactions role is
        missing.
    """
    from . import roles as roles_mod

    roles = roles_mod.of(dataset, data_dir)
    role, survey, sales = roles.require("complaints"), roles.require("survey"), roles.require("transactions")
    cases = datasets.load(dataset, role.table, data_dir=data_dir)
    answers = datasets.load(dataset, survey.table, data_dir=data_dir)
    bought = datasets.load(dataset, sales.table, data_dir=data_dir)
    key = _shared_key(roles.links, role.table, survey.table)
    if key is None:
        raise roles_mod.RoleError(f"no link joins {role.table!r} to {survey.table!r} (a stay or order id in both): "
                                  "declare one under roles.links to compare complainants with other customers")
    baseline = answers.loc[~answers[key[1]].isin(cases[key[0]]), survey.nps]
    spend = bought.groupby(sales.customer)[sales.amount].sum()
    when = pd.to_datetime(cases[role.date])
    as_of = when.max()
    cases = cases.assign(value=cases[role.customer].map(spend).fillna(0.0).to_numpy(),
                         days_since=(as_of - when).dt.total_seconds().to_numpy() / 86400)
    return ComplaintFrame(complaints=cases, role=role, baseline_nps=baseline, exposures=len(bought), as_of=as_of,
                          unit=sales.table)


@dataclass(frozen=True)
class ReviewFrame:
    """Reviews with what lesson 08 compares them to.

    ``reviews`` (one row per review, as loaded); ``role`` (the reviews role: column
    names); ``langs`` (each review's language: the role's column, or missing, to be
    detected); ``themes`` (the world's theme dictionary, :func:`cxlib.voc.load_themes`);
    ``nps`` (the 0–10 answer of the survey the review's stay or order links to,
    indexed like ``reviews``; missing where none joins); ``n_joined`` (reviews with
    an answer); ``joined_on`` (the reviews and survey columns that join them, or None
    when the data declare no such link).
    """

    reviews: pd.DataFrame
    role: object
    langs: pd.Series
    themes: dict
    nps: pd.Series
    n_joined: int
    joined_on: tuple[str, str] | None = None


def review_frame(dataset: str, data_dir=None) -> ReviewFrame:
    """Reviews, their languages, the world's themes and each review's survey NPS, from the roles.

    Parameters
    ----------
    dataset : str
        The world whose dictionary declares the roles (or a user's ``mapping.yml``).
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.

    Returns
    -------
    ReviewFrame
        The NPS answer is joined through the links of the roles: directly, or through a
        stay or order id that both tables link to (e.g. ``reviews.stay_id`` and
        ``survey.stay_id`` → ``stays``). The join is many-to-one (checked: one answer per
        stay or order); reviews without an answer keep a missing value (never dropped).
        Without a survey role or a link, every value is missing and ``joined_on`` is None.

    Raises
    ------
    cxlib.roles.RoleError
        When the data declare no reviews role (naming the table and columns it needs).
    """
    from . import roles as roles_mod
    from . import voc

    roles = roles_mod.of(dataset, data_dir)
    role = roles.require("reviews")
    reviews = datasets.load(dataset, role.table, data_dir=data_dir)
    langs = reviews[role.lang] if role.lang else pd.Series(None, index=reviews.index, dtype=object)
    survey = roles.survey
    key = _shared_key(roles.links, role.table, survey.table) if survey is not None and survey.nps else None
    nps = pd.Series(float("nan"), index=reviews.index, name="nps")
    if key is not None:
        answers = datasets.load(dataset, survey.table, data_dir=data_dir)[[key[1], survey.nps]]
        joined = reviews[[key[0]]].merge(answers.rename(columns={key[1]: key[0]}), on=key[0], how="left",
                                         validate="many_to_one")
        nps = pd.Series(joined[survey.nps].to_numpy(dtype=float), index=reviews.index, name="nps")
    return ReviewFrame(reviews=reviews, role=role, langs=langs, themes=voc.load_themes(dataset), nps=nps,
                       n_joined=int(nps.notna().sum()), joined_on=key)


#: lesson 08's hand-picked texts per world: a raw export to clean (with a missing and a blank review), and
#: sentences the sentiment rules must get right (negation, a missing expected thing, "not bad", "okay", a contrast)
VOC_EXAMPLES = {
    "hotel": {
        "messy": ("<p>Great stay!</p><br>Thanks 👍", "房间很干净&amp;安静<script>alert('hi')</script>", None, "   ",
                  "Check-in <b>took</b> 40 min"),
        "tricky": ("房间不干净", "没有热水", "不错", "价格不算贵", "not clean", "The staff wasn't helpful", "not bad",
                   "The room was small but spotless", "It was okay.", "Great stay 👍", "一般般，还行吧"),
    },
    "ecommerce": {
        "messy": ("<p>Great product!</p><br>Thanks 👍", "质量很好&amp;发货快<script>alert('hi')</script>", None, "   ",
                  "Delivery <b>took</b> 4 days"),
        "tricky": ("包装不干净", "没有退款", "不错", "价格不算贵", "not clean", "The seller wasn't helpful", "not bad",
                   "The box was small but sturdy", "It was okay.", "Great product 👍", "一般般，还行吧"),
    },
}


def voc_examples(dataset: str) -> dict[str, list]:
    """Lesson 08's example texts of the world ``dataset`` (:data:`VOC_EXAMPLES`): ``messy`` and ``tricky``.

    Examples
    --------
    >>> voc_examples("ecommerce")["tricky"][1]
    '没有退款'
    """
    check_world(dataset)
    return {kind: list(texts) for kind, texts in VOC_EXAMPLES[dataset].items()}


def lift_summary(lift: pd.DataFrame, names: dict, *, second: pd.DataFrame | None = None) -> dict:
    """What a sentence says about a :func:`cxlib.voc.theme_lift` table (and, optionally, a second one to compare).

    Parameters
    ----------
    lift : DataFrame
        ``theme_lift`` of groups ``a`` and ``b`` (attrs), largest difference first.
    names : dict
        Theme id → name in the reader's language.
    second : DataFrame, optional
        Another ``theme_lift`` of the same tagged reviews (e.g. groups from the survey's NPS
        instead of stars): ``top2``, ``diff2``/``low2``/``high2`` (in points) and ``same``.

    Returns
    -------
    dict
        ``top``, ``next`` and ``third`` (names), ``rate_a`` / ``rate_b`` (shares of the top theme),
        ``diff``, ``low``, ``high`` (its difference and interval in percentage points),
        ``k`` (themes whose interval lies above zero), ``m`` (themes), ``n_a`` / ``n_b`` (reviews per group).

    Examples
    --------
    >>> lift = pd.DataFrame({"theme": ["a", "b", "c"], "n_detractor": 10, "rate_detractor": [0.5, 0.3, 0.1],
    ...                      "n_promoter": 20, "rate_promoter": [0.1, 0.1, 0.1], "diff": [0.4, 0.2, 0.0],
    ...                      "ci_low": [0.1, -0.05, -0.2], "ci_high": [0.6, 0.4, 0.2]})
    >>> s = lift_summary(lift, {"a": "A", "b": "B", "c": "C"})
    >>> (s["top"], s["next"], s["diff"], s["k"], s["m"])
    ('A', 'B', 40.0, 1, 3)
    """
    a, b = lift.attrs.get("a", "detractor"), lift.attrs.get("b", "promoter")
    if lift.empty:
        raise ValueError("lift: no themes to summarise")
    top = lift.iloc[0]
    name = [names.get(th, th) for th in lift["theme"]] + ["–", "–"]
    out = {"top": name[0], "next": name[1], "third": name[2], "rate_a": float(top[f"rate_{a}"]),
           "rate_b": float(top[f"rate_{b}"]), "diff": 100 * float(top["diff"]), "low": 100 * float(top["ci_low"]),
           "high": 100 * float(top["ci_high"]), "k": int((lift["ci_low"] > 0).sum()), "m": len(lift),
           "n_a": int(top[f"n_{a}"]), "n_b": int(top[f"n_{b}"])}
    if second is not None:
        other = second.iloc[0]
        out.update(top2=names.get(other["theme"], other["theme"]), diff2=100 * float(other["diff"]),
                   low2=100 * float(other["ci_low"]), high2=100 * float(other["ci_high"]),
                   same=other["theme"] == top["theme"])
    return out


def sentiment_accuracy(scores: pd.DataFrame, ratings: pd.Series, lang: str = "en") -> tuple[pd.DataFrame, dict]:
    """The sentiment method measured twice: on the hand-labelled reviews and on ``scores`` against their stars.

    Parameters
    ----------
    scores : DataFrame
        :func:`cxlib.voc.score_sentiment` of the lesson's reviews (with ``lang``).
    ratings : Series
        Their 1–5 stars, indexed like ``scores`` (label: 4–5 positive, 3 neutral, 1–2 negative).
    lang : {"en", "zh"}
        Language of the table's set and class names.

    Returns
    -------
    (DataFrame, dict)
        F1 per set × review language (rows) and class (columns: each sentiment, macro average,
        accuracy), named in ``lang``; and for a sentence: ``hand_f1``, ``sample_f1``,
        ``sample_acc`` (all reviews of each set together), ``weakest`` (the sentiment class
        with the lowest F1 on the sample reviews, in ``lang``), ``weakest_f1``, ``n`` (sample
        reviews scored).
    """
    from . import voc
    from .i18n import t

    check_lang(lang)
    labelled = voc.load_labelled()
    hand_pred = voc.score_sentiment(labelled["text"], labelled["lang"])["sentiment"]
    truth = voc.label_from_rating(ratings)
    sets = {"hand": (labelled["label"], hand_pred, labelled["lang"]), "generated": (truth, scores["sentiment"], scores["lang"])}
    parts, overall = {}, {}
    for key, (y, p, by) in sets.items():
        parts[t(f"voc.set.{key}", lang)] = voc.evaluate_sentiment(y, p, by=by)
        overall[key] = voc.evaluate_sentiment(y, p)
    wide = pd.concat(parts, names=["set", None]).reset_index(level=0)
    wide = wide.pivot_table(index=["set", "group"], columns="class", values="f1", sort=False)
    classes = {**{c: t(f"voc.sentiment.{c}", lang) for c in voc.SENTIMENTS},
               **{c: t(f"voc.class.{c}", lang) for c in ("macro avg", "accuracy")}}
    wide = wide.rename(columns=classes).rename_axis(index=[t("voc.col.set", lang), t("voc.col.lang", lang)], columns=None)
    per_class = overall["generated"].set_index("class").loc[list(voc.SENTIMENTS), "f1"]
    weakest = per_class.idxmin()
    return wide, {"hand_f1": overall["hand"].attrs["macro_f1"], "sample_f1": overall["generated"].attrs["macro_f1"],
                  "sample_acc": overall["generated"].attrs["accuracy"], "weakest": classes[weakest].lower() if lang == "en" else classes[weakest],
                  "weakest_f1": float(per_class[weakest]), "n": int(overall["generated"].attrs["n"])}


def top_pair(co: pd.DataFrame, names: dict) -> dict:
    """The two different themes mentioned together in most reviews, from :func:`cxlib.voc.theme_cooccurrence`.

    Returns ``{"a", "b" (names), "n" (reviews mentioning both), "share" (of the reviews mentioning
    ``a``)}``; ``n`` is 0 (and the names "–") when no two themes ever meet.

    Examples
    --------
    >>> co = pd.DataFrame([[5, 2, 0], [2, 4, 3], [0, 3, 6]], index=list("xyz"), columns=list("xyz"))
    >>> top_pair(co, {"x": "X", "y": "Y", "z": "Z"})
    {'a': 'Y', 'b': 'Z', 'n': 3, 'share': 0.75}
    """
    import numpy as np

    m = co.to_numpy().astype(float)
    off = np.where(np.eye(len(m), dtype=bool), -1.0, m)
    if len(m) < 2 or off.max() <= 0:
        return {"a": "–", "b": "–", "n": 0, "share": float("nan")}
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    i, j = (i, j) if m[i, i] <= m[j, j] else (j, i)  # the share is of the rarer theme's reviews
    return {"a": names.get(co.index[i], co.index[i]), "b": names.get(co.index[j], co.index[j]), "n": int(m[i, j]),
            "share": float(m[i, j] / m[i, i])}


def topics_summary(topics: pd.DataFrame, names: dict, lang: str = "en", words: int = 4) -> dict:
    """What a sentence says about :func:`cxlib.voc.topics_beyond_dictionary`'s topics.

    Returns its ``attrs`` (``scope``, ``coverage``, ``n_untagged``, ``n_reviews``, ``n_new``,
    ``n_matched``) plus ``k`` (topics), ``largest_words`` and ``largest_share`` (the topic with
    most reviews: its first ``words`` words and its share of the reviews modelled), ``matched``
    (the matched themes' names, once each) and ``new_words`` (the first words of each new topic),
    joined in ``lang``.

    Examples
    --------
    >>> t = pd.DataFrame({"words": [["dogs", "welcome"], ["dirty", "room"]], "n_reviews": [3, 5],
    ...                   "share": [0.375, 0.625], "theme": [None, "room_cleanliness"]})
    >>> t.attrs.update(scope="all", n_new=1)
    >>> s = topics_summary(t, {"room_cleanliness": "Room cleanliness"})
    >>> s["largest_words"], s["matched"], s["new_words"], s["k"]
    ('dirty / room', 'Room cleanliness', 'dogs / welcome', 2)
    """
    from .narrate import join

    if topics.empty:
        raise ValueError("topics: no topics to summarise")
    largest = topics.loc[topics["n_reviews"].idxmax()]
    first = topics["words"].map(lambda ws: " / ".join(ws[:words]))
    matched = [names.get(th, th) for th in dict.fromkeys(topics["theme"].dropna())]
    return {k: v for k, v in topics.attrs.items() if k != "assignment"} | {
        "k": len(topics), "largest_words": " / ".join(largest["words"][:words]), "largest_share": float(largest["share"]),
        "matched": join(matched, lang), "new_words": join(first[topics["theme"].isna()].tolist(), lang, sep="; ")}



#: The outcome columns of :class:`OutcomeFrame` ``customers``, whatever the O-data table calls them.
OUTCOMES = ("repeated", "n_after", "value_after")


@dataclass(frozen=True)
class OutcomeFrame:
    """X-data meets O-data: one row per customer, what they answered and what they did afterwards.

    ``customers`` (the starting answer's survey columns, then ``repeated`` (bool), ``n_after``
    and ``value_after``); ``survey`` (the :class:`SurveyFrame`); ``table`` (the O-data table
    read); ``window_days`` (the follow-up window in days, or None when the data record the
    outcomes in a table of their own); ``n_censored`` (customers surveyed too recently to show
    a whole window, left out) and ``n_unanswered`` (customers who never answered the recommend
    question); ``customer`` (the customer id column); ``controls`` (segment columns of the
    customers table carried for adjustment).
    """

    customers: pd.DataFrame
    survey: SurveyFrame
    table: str
    window_days: int | None
    n_censored: int
    n_unanswered: int
    customer: str
    controls: tuple[str, ...] = ()

    def names(self, lang: str = "en") -> dict[str, str]:
        """Headers of the outcome columns in ``lang`` (the window's length when there is one)."""
        from .i18n import t

        if self.window_days is None:
            keys = ("returned_12m", "stays_12m", "revenue_12m")
            return {c: t(f"lesson09.outcome.{k}", lang) for c, k in zip(OUTCOMES, keys, strict=True)}
        return {c: t(f"lesson09.outcome.{c}", lang, days=self.window_days) for c in OUTCOMES}


def outcome_frame(dataset: str, data_dir=None, window_days: int = 180, *, survey: SurveyFrame | None = None,
                  lang: str = "en") -> OutcomeFrame:
    """One row per customer: the survey answer joined to what the customer did afterwards, from the roles.

    When the data declare an ``outcomes`` role (a table of what each customer did after the
    survey period), each customer's **last** answer to the recommend question is joined to it
    (one-to-one, checked). Otherwise the ``transactions`` role is followed for ``window_days``
    after each customer's **first** answer (:func:`cxlib.value.outcomes_after_survey`: customers
    whose window is not over are left out and counted). Either way the outcome columns are
    named as in :data:`OUTCOMES`, so a lesson or an exercise reads them without asking which
    world it runs on.

    Parameters
    ----------
    dataset : str
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.
    window_days : int
        Follow-up window for the transactions (unused with an outcomes table).
    survey : SurveyFrame, optional
        :func:`survey_frame`'s result when the caller has it (read otherwise).
    lang : {"en", "zh"}

    Returns
    -------
    OutcomeFrame

    Raises
    ------
    cxlib.roles.RoleError
        Naming the table and columns needed when neither an outcomes nor a transactions role is
        declared, or the survey role has no customer column.
    """
    from . import roles as roles_mod
    from . import value

    have = roles_mod.of(dataset, data_dir)
    survey = survey or survey_frame(dataset, data_dir, lang)
    customer = have.survey.customer
    if customer is None:
        raise roles_mod.RoleError("the survey role declares no customer column: joining answers to what customers "
                                  "did afterwards needs one (roles.survey.customer)")
    controls = tuple(c for c in survey.segments if have.customers and c in have.customers.segments)
    if have.available("outcomes"):
        oc = have.outcomes
        later = datasets.load(dataset, oc.table, data_dir=data_dir).rename(
            columns={oc.customer: customer, oc.returned: "repeated", oc.count: "n_after", oc.revenue: "value_after"})
        answered = survey.data.dropna(subset=[survey.nps]).sort_values(survey.date, kind="stable")
        last = answered.drop_duplicates(customer, keep="last")
        customers = last.merge(later[[customer, *OUTCOMES]], on=customer, validate="one_to_one")
        n_unanswered = int(survey.data[customer].nunique() - len(last))
        return OutcomeFrame(customers, survey, oc.table, None, 0, n_unanswered, customer, controls)
    tx = have.require("transactions")
    bought = datasets.load(dataset, tx.table, data_dir=data_dir).rename(columns={tx.customer: customer})
    customers = value.outcomes_after_survey(survey.data, bought, customer, tx.time, tx.amount, survey_date_col=survey.date,
                                            score_col=survey.nps, window_days=window_days,
                                            columns=[c for c in (survey.satisfaction, *controls) if c])
    return OutcomeFrame(customers, survey, tx.table, window_days, int(customers.attrs["n_censored"]),
                        int(customers.attrs["n_unanswered"]), customer, controls)


def names(prefix: str, values, lang: str = "en") -> dict:
    """``{value: label}`` for category values from the label group ``prefix``; unlabelled values keep their own text."""
    from .i18n import has_label, t

    return {v: t(f"{prefix}.{v}", lang) if has_label(f"{prefix}.{v}") else str(v) for v in values}


def missing_section(found, role: str, dataset: str, lang: str = "en"):
    """What a report section without ``role`` needs, in the reader's language (Markdown).

    ``found`` is the data's :class:`cxlib.roles.Roles`: the sentence names the table, its title in
    ``lang`` and its columns (or the role's own reason when no table is declared for it), so an
    analyst learns which file to add while the rest of the report stands.
    """
    from .narrate import say

    table, columns, _ = found.absent.get(role, (None, (), ""))
    if table is None:
        return say("report10.say.needs", lang, reason=found.missing(role)[role])
    title = datasets.dictionary(dataset)["tables"][table]["title"][lang]
    return say("report10.needs_table", lang, table=table, title=title, columns=", ".join(columns))


@dataclass(frozen=True)
class ABCInputs:
    """One row per scored customer with the metrics of the ABC model's three factors (lesson 06).

    ``data`` (index: customer; only customers who answered every attitude question);
    ``attitude``, ``behavior``, ``consumption`` (metric columns of each factor);
    ``lower_is_better``; ``names`` (metric → header in the chosen language); ``n_total``
    (customers in the transactions).
    """

    data: pd.DataFrame
    attitude: list
    behavior: list
    consumption: list
    lower_is_better: list
    names: dict
    n_total: int

    def factors(self, lang: str = "en") -> pd.DataFrame:
        """One row per factor: its name and its metrics' names (for a table)."""
        from .i18n import t
        from .narrate import join

        return pd.DataFrame({"factor": [t(f"value.dim.{d}", lang) for d in ("attitude", "behavior", "consumption")],
                             "metrics": [join([self.names[c] for c in cols], lang)
                                         for cols in (self.attitude, self.behavior, self.consumption)]})


@dataclass(frozen=True)
class ValueFrame:
    """Transactions with a margin on every row, and what lesson 06 joins to them.

    ``transactions`` (the transactions role's table, plus an assumed margin column when the
    data have none); ``role`` (the transactions role: column names); ``margin`` (the margin
    column); ``margin_share`` (the share of the amount assumed as margin, ``None`` when the
    data have a margin column); ``survey`` / ``survey_role`` and ``people`` / ``people_role``
    (the survey and the customers table with their roles, ``None`` when absent); ``names``
    (column → header in ``lang``); ``unit`` (what one transaction is, e.g. "stays", in ``lang``);
    ``currency`` (of the amount, in ``lang``).
    """

    transactions: pd.DataFrame
    role: object
    margin: str
    margin_share: float | None
    survey: pd.DataFrame | None
    survey_role: object | None
    people: pd.DataFrame | None
    people_role: object | None
    names: dict
    unit: str
    currency: str = ""

    def skipped(self, cycle, section: str, lang: str = "en", window: int | None = None):
        """Why a section of lesson 06 that needs repeat purchases is skipped, as Markdown in ``lang``.

        ``cycle`` is :func:`cxlib.value.purchase_cycle` with ``errors="return"``: for a
        :class:`cxlib.value.PurchaseCycle` the section runs and this returns None; for a
        :class:`cxlib.value.TooFewRepeats` the sentence names the section (``"churn"``, ``"clv"``,
        ``"cohorts"`` or ``"widget"``), the table, its customer and date columns, how many
        customers there are, how many bought again and how many the section needs. With
        ``window`` (the churn window the life-cycle stages use), the churn section's sentence also
        says whether it was set in the parameters or is the shortfall's window, within which
        nobody counts as at risk.
        """
        from .i18n import t
        from .narrate import say, text
        from .value import TooFewRepeats

        if not isinstance(cycle, TooFewRepeats):
            return None
        stages = "" if section != "churn" or window is None else text(
            "lesson06.say.skipped_stages", lang, cycle, window=window, set=window != cycle.window_days)
        return say("lesson06.say.skipped", lang, cycle, section=t(f"lesson06.skip.{section}", lang), unit=self.unit,
                   customer=self.names.get(cycle.customer_col, cycle.customer_col),
                   time=self.names.get(cycle.time_col, cycle.time_col), stages=stages)

    def runs(self, cycle, section: str, lang: str = "en", window: int | None = None) -> bool:
        """True when ``section`` can run on ``cycle``; otherwise show :meth:`skipped`'s sentence and return False."""
        why = self.skipped(cycle, section, lang, window)
        if why is not None:
            from IPython.display import display

            display(why)
        return why is None

    def abc_inputs(self, summary: pd.DataFrame, lang: str = "en") -> ABCInputs:
        """The ABC model's metrics per customer, from the roles.

        Attitude: the survey role's ``nps``, ``satisfaction`` and ``intent`` (a customer's mean
        answer). Behavior: ``frequency`` and ``days_since_last`` (of ``summary``: an
        :func:`cxlib.value.rfm_summary` with ``days_since_last`` added) and the customers role's
        ``activity`` columns (true/false as 1/0). Consumption: ``total_spend`` (sum of the
        amount), ``total_margin`` when the data have margins, ``spend_per_unit`` (amount per
        unit of the transactions role's ``units``, e.g. per night) when declared.

        Customers without an answer to every attitude question are left out (their attitude is
        unknown, never filled in); ``n_total`` counts everyone.

        Raises
        ------
        cxlib.roles.RoleError
            When the data have no survey (the attitude factor needs one).
        """
        from .i18n import t
        from .roles import RoleError

        if self.survey is None:
            raise RoleError("the ABC model needs the survey role (its customer column and NPS or satisfaction "
                            "answers) for the attitude factor; the data declare none")
        role, sv = self.role, self.survey_role
        attitude = [c for c in (sv.nps, sv.satisfaction, sv.intent) if c is not None]
        tx = self.transactions
        sums = {"total_spend": (role.amount, "sum")}
        if self.margin_share is None:
            sums["total_margin"] = (self.margin, "sum")
        if role.units is not None:
            sums["units"] = (role.units, "sum")
        totals = tx.groupby(role.customer).agg(**sums)
        if role.units is not None:
            totals["spend_per_unit"] = totals["total_spend"] / totals.pop("units")
        activity = list(self.people_role.activity) if self.people is not None else []
        data = summary.join(totals)
        if activity:
            extra = self.people.set_index(self.people_role.id)[activity]
            data = data.join(extra.astype({c: "int64" for c in activity if pd.api.types.is_bool_dtype(extra[c])}))
        answers = self.survey.groupby(sv.customer)[attitude].mean()
        data = data.join(answers, how="inner").dropna(subset=attitude)
        consumption = [c for c in ("total_spend", "total_margin", "spend_per_unit") if c in data]
        names = {**self.names, **{c: t(f"lesson06.col.{c}", lang) for c in ("frequency", "days_since_last", "total_spend", "total_margin")}}
        if role.units is not None:
            names["spend_per_unit"] = t("lesson06.col.spend_per_unit", lang, amount=self.names[role.amount], units=self.names[role.units])
        return ABCInputs(data=data, attitude=attitude, behavior=["frequency", "days_since_last", *activity],
                         consumption=consumption, lower_is_better=["days_since_last"], names=names, n_total=len(summary))


def value_frame(dataset: str, data_dir=None, lang: str = "en", margin_share: float = 0.30) -> ValueFrame:
    """The transactions of a world (or of your folder) with a margin per row, the survey and the customers.

    Parameters
    ----------
    dataset : str
        The world whose dictionary declares the roles (or a user's ``mapping.yml``).
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.
    lang : {"en", "zh"}
        Language of ``names`` and ``unit``.
    margin_share : float
        Used only when the transactions role declares no ``margin`` column: every
        transaction's margin is taken as this share of its amount (an assumption the lesson
        states), in a column ``margin``.

    Returns
    -------
    ValueFrame

    Raises
    ------
    cxlib.roles.RoleError
        When the data declare no transactions role (naming the table and columns it needs).
    """
    from . import roles as roles_mod

    check_lang(lang)
    if not 0 <= margin_share <= 1:
        raise ValueError(f"margin_share is a share of the amount between 0 and 1, got {margin_share!r}")
    have = roles_mod.of(dataset, data_dir)
    role = have.require("transactions")
    tx = datasets.load(dataset, role.table, data_dir=data_dir)
    headers = _names(dataset, role.table, lang)
    margin, share = role.margin, None
    if margin is None:
        margin, share = next(c for c in ("margin", "margin_assumed", "_margin") if c not in tx.columns), float(margin_share)
        tx[margin] = tx[role.amount] * share
    survey = people = None
    if have.survey is not None:
        survey = datasets.load(dataset, have.survey.table, data_dir=data_dir)
        headers = {**_names(dataset, have.survey.table, lang), **headers}
    if have.customers is not None:
        people = datasets.load(dataset, have.customers.table, data_dir=data_dir)
        headers = {**_names(dataset, have.customers.table, lang), **headers}
    spec = datasets.table_spec(dataset, role.table)
    money = spec.columns[role.amount].unit or ""
    return ValueFrame(transactions=tx, role=role, margin=margin, margin_share=share, survey=survey,
                      survey_role=have.survey, people=people, people_role=have.customers, names=headers,
                      unit=spec.title_zh if lang == "zh" else spec.title_en.lower(),
                      currency=names("lesson06.unit", [money], lang)[money] if money else "")


@dataclass(frozen=True)
class HeartFrame:
    """What lesson 07 measures, read through the roles: the sessions, the survey and one release.

    ``sessions`` (:func:`cxlib.heart.sessions`, one row per session, with ``phase``: ``"before"``
    or ``"after"`` the release by the session's start); ``n_events``; ``survey`` (with ``csat``,
    ``nps`` and, when the survey records the platform, ``platform``: the names the HEART charts
    read); ``split`` (``"platform"`` or None); ``steps`` (funnel step ids in order) and
    ``step_names`` (in the lesson's language); ``release`` (its date), ``feature`` (its name),
    ``platforms`` (the platforms it reached), ``touchpoint`` (the touchpoint it changed) and
    ``rating`` (the survey column rating that touchpoint, or None); ``touchpoint_name`` (in the
    lesson's language); ``survey_date``.
    """

    sessions: pd.DataFrame
    n_events: int
    survey: pd.DataFrame
    split: str | None
    steps: tuple[str, ...]
    step_names: dict[str, str]
    release: pd.Timestamp
    feature: str
    platforms: tuple[str, ...]
    touchpoint: str
    rating: str | None
    touchpoint_name: str
    survey_date: str | None

    def named(self, frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
        """``frame`` (indexed by platform, or ``"all"`` for one group) with a ``name`` column in ``lang``.

        For sentences rendered row by row (:func:`cxlib.narrate.listing`).
        """
        found = {**names("platform", frame.index, lang), **({"all": t("lesson07.group.all", lang)} if "all" in frame.index else {})}
        return frame.assign(name=[found[k] for k in frame.index])

    def platform_names(self, lang: str = "en") -> str:
        """The release's platforms as one phrase in ``lang`` ("App and Web")."""
        from .narrate import join

        return join(names("platform", self.platforms, lang).values(), lang)

    def rating_change(self, conf: float = 0.95) -> pd.DataFrame:
        """Mean survey rating of the release's touchpoint before and after it, per platform when recorded.

        One row per group with ``n_before``, ``mean_before``, ``ci_low_before``, … ``mean_after``
        (:func:`before_after_wide` of :func:`cxlib.journey.touchpoint_ratings`); empty when the
        survey does not rate the touchpoint.
        """
        from . import journey

        if self.rating is None:
            return pd.DataFrame()
        phase = np.where(pd.to_datetime(self.survey[self.survey_date]) >= self.release, "after", "before")
        keys = [self.split] if self.split else []
        rated = journey.touchpoint_ratings(self.survey.assign(phase=phase), [self.rating], by=[*keys, "phase"], conf=conf)
        return before_after_wide(rated, self.split, values=("n", "mean", "ci_low", "ci_high"))


def heart_frame(dataset: str, data_dir=None, lang: str = "en", feature=None) -> HeartFrame:
    """The event log as sessions, the survey and the release studied, from the roles (lesson 07).

    Parameters
    ----------
    dataset : str
        The world whose dictionary declares the roles (or a user's ``mapping.yml``).
    data_dir : path, optional
        A folder of the user's own files; None = the sample data.
    lang : {"en", "zh"}
        Language of the step and feature names.
    feature : str, optional
        A value of the releases' id column; None = the latest release.

    Returns
    -------
    HeartFrame

    Raises
    ------
    cxlib.roles.RoleError
        Naming the tables and columns needed when the events, releases or survey role is missing.
    KeyError
        When ``feature`` is not in the releases table (the message lists those that are).
    """
    from . import heart
    from . import roles as roles_mod

    check_lang(lang)
    ev, rel, sv = roles_mod.of(dataset, data_dir).require("events", "releases", "survey")
    columns = {key: name for key, name in (("session", ev.session), ("user", ev.customer), ("platform", ev.channel),
                                           ("step", ev.step), ("time", ev.time), ("feature", ev.feature),
                                           ("error", ev.error)) if name is not None}
    events = datasets.load(dataset, ev.table, data_dir=data_dir)
    releases = datasets.load(dataset, rel.table, data_dir=data_dir).set_index(rel.id)
    if feature is None:
        feature = releases[rel.date].idxmax()
    elif feature not in releases.index:
        raise KeyError(f"feature {feature!r} is not in the {rel.table!r} table; its {rel.id!r} values are "
                       f"{sorted(map(str, releases.index))}")
    release = pd.Timestamp(releases.loc[feature, rel.date])
    sess = heart.sessions(events, list(ev.step_ids), columns=columns)
    sess["phase"] = np.where(sess["start"] >= release, "after", "before")
    survey = datasets.load(dataset, sv.table, data_dir=data_dir)
    split = "platform" if ev.channel in survey.columns else None
    survey = survey.rename(columns={sv.satisfaction: "csat", sv.nps: "nps", **({ev.channel: "platform"} if split else {})})
    touchpoint = str(releases.loc[feature, rel.touchpoint])
    rating = next((tp.column for tp in sv.touchpoints if tp.key == touchpoint), None)
    rating = {sv.satisfaction: "csat", sv.nps: "nps"}.get(rating, rating)
    return HeartFrame(sessions=sess, n_events=len(events), survey=survey, split=split, steps=tuple(ev.step_ids),
                      step_names=dict(ev.step_labels(lang)), release=release,
                      feature=str(releases.loc[feature, rel.name_column(lang)]),
                      platforms=tuple(str(releases.loc[feature, rel.channel]).split("|")), touchpoint=touchpoint,
                      rating=rating, touchpoint_name=dict(ev.step_labels(lang)).get(touchpoint, touchpoint),
                      survey_date=sv.date)


def before_after_wide(table: pd.DataFrame, by: str | None, phase: str = "phase", values=("mean",)) -> pd.DataFrame:
    """One row per group with ``<value>_before`` and ``<value>_after`` columns, from a table split by ``phase``.

    Parameters
    ----------
    table : DataFrame
        Rows per group and phase (e.g. :func:`cxlib.heart.task_success` ``by=[by, "phase"]``).
    by : str or None
        The group column (None: one group, ``"all"``).
    phase : str
        The column holding ``"before"`` and ``"after"``.
    values : sequence of str
        The columns to spread.

    Returns
    -------
    DataFrame
        Index: the groups (named ``by`` or ``"group"``); a phase a group lacks gives NaN.

    Examples
    --------
    >>> t = pd.DataFrame({"platform": ["app", "app", "web"], "phase": ["before", "after", "before"], "mean": [3.0, 4.0, 2.5]})
    >>> before_after_wide(t, "platform").to_dict("index")
    {'app': {'mean_before': 3.0, 'mean_after': 4.0}, 'web': {'mean_before': 2.5, 'mean_after': nan}}
    """
    group = table[by] if by else pd.Series("all", index=table.index)
    wide = table.assign(_g=group).pivot(index="_g", columns=phase, values=list(values))
    cols = {f"{v}_{side}": wide[(v, side)] if (v, side) in wide.columns else np.nan
            for v in values for side in ("before", "after")}
    return pd.DataFrame(cols, index=wide.index).rename_axis(by or "group")


# --------------------------------------------------------------------------- the appendix: a world at scale
SCALE_ROLES = ("events", "transactions", "survey")


@dataclass(frozen=True)
class ParquetWorld:
    """A world's event log, transactions and survey as folders of Parquet files (the appendix).

    ``folder`` holds one sub-folder per table, named as the table of its role; ``roles`` are the
    world's (:func:`cxlib.roles.of`: the columns each analysis reads); ``rows`` (role → rows
    in the files), ``files`` (Parquet files per table; of the events table for a folder given) and
    ``seconds`` (time spent generating and writing; 0 for a folder given).
    """

    folder: Path
    roles: object
    rows: dict
    files: int = 0
    seconds: float = 0.0

    def path(self, role: str) -> Path:
        """The folder of the table that plays ``role`` (``"events"``, ``"transactions"`` or ``"survey"``)."""
        return self.folder / self.roles.require(role).table

    def names(self, role: str, lang: str = "en") -> dict[str, str]:
        """``{column: header in lang}`` of the table that plays ``role``, from the data dictionary."""
        return _names(self.roles.dataset, self.roles.require(role).table, lang)


def parquet_world(dataset: str, folder) -> ParquetWorld:
    """A folder of Parquet folders already written (a warehouse export), checked against the roles.

    Parameters
    ----------
    dataset : str
        The world whose roles name the tables and columns.
    folder : path
        Holds one sub-folder of ``*.parquet`` files per table of the events, transactions and
        survey roles (e.g. ``events/``, ``orders/``, ``survey/`` for the shop).

    Returns
    -------
    ParquetWorld

    Raises
    ------
    cxlib.errors.CXDataError
        Naming the sub-folders that are missing.
    """
    from . import roles as roles_mod
    from .errors import CXDataError, optional_import

    have = roles_mod.of(dataset)
    folder = Path(folder)
    tables = [have.require(r).table for r in SCALE_ROLES]
    absent = [t for t in tables if not (folder / t).is_dir()]
    if absent:
        raise CXDataError(f"{folder}: no sub-folder {', '.join(absent)}; the {dataset} roles read the tables "
                          f"{', '.join(tables)}, each a folder of Parquet files")
    pq = optional_import("pyarrow.parquet", "scale", "parquet_world")
    files = {r: sorted((folder / have.require(r).table).rglob("*.parquet")) for r in SCALE_ROLES}
    rows = {r: sum(pq.ParquetFile(f).metadata.num_rows for f in found) for r, found in files.items()}  # footers only
    return ParquetWorld(folder=folder, roles=have, rows=rows, files=len(files["events"]))


def write_parquet_world(dataset: str, folder=None, rows: int = 100_000, chunk_rows: int = 2_000_000,
                        seed: int | None = None) -> ParquetWorld:
    """Generate a sample world of about ``rows`` events, chunk by chunk, as Parquet folders.

    Each chunk is :func:`cxlib.synth.generate` of the world with its own seed (``seed + k``),
    sized to give ``chunk_rows`` events; its ids (the session, customer, transaction and answer
    columns the roles name) get the prefix ``k0000-`` … so they stay unique across chunks. The
    columns of the events, transactions and survey roles are written, one Parquet file per
    chunk and table, each whole or absent (written under a temporary name, then renamed).
    Memory holds one chunk at a time, so any size fits.

    Parameters
    ----------
    dataset : {"hotel", "ecommerce"}
    folder : path, optional
        Where to write (created); None: a new temporary folder.
    rows : int
        Event rows to write in total. A chunk's events are cut after its first rows to reach
        it exactly; the generated log lists each session's events together, so at most one
        session per chunk loses its last events.
    chunk_rows : int
        Event rows per chunk.
    seed : int, optional
        First chunk's seed; None: :data:`cxlib.synth.DEFAULT_SEED`.

    Returns
    -------
    ParquetWorld
        With ``rows`` written per role, ``files`` per table and ``seconds``.

    Raises
    ------
    ValueError
        When ``rows`` or ``chunk_rows`` is not a positive whole number.
    cxlib.errors.CXDataError
        When a table's sub-folder of ``folder`` already holds Parquet files (a scan of the
        folder would count them too), naming it.
    """
    import tempfile
    import time

    from . import roles as roles_mod
    from . import synth
    from .errors import CXDataError, optional_import

    optional_import("pyarrow", "scale", "write_parquet_world")  # to_parquet needs it: say so before any work

    for name, value in (("rows", rows), ("chunk_rows", chunk_rows)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive whole number of event rows, got {value!r}")
    start = time.perf_counter()
    have = roles_mod.of(dataset)
    parts = dict(zip(SCALE_ROLES, have.require(*SCALE_ROLES), strict=True))
    ids = {c for r in parts.values() for c in (getattr(r, "session", None), r.customer, getattr(r, "id", None)) if c}
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="cx_scale_"))
    seed = synth.DEFAULT_SEED if seed is None else int(seed)
    per_size = len(synth.generate(dataset, size=0.1, seed=seed)[parts["events"].table]) / 0.1  # events per unit of size
    written = dict.fromkeys(SCALE_ROLES, 0)
    earlier = [str(folder / r.table) for r in parts.values() if any((folder / r.table).glob("*.parquet"))]
    if earlier:
        raise CXDataError(f"{', '.join(earlier)} already hold Parquet files, which a scan would mix with the new ones; "
                          "write to an empty folder or delete them first")
    for role in parts.values():
        (folder / role.table).mkdir(parents=True, exist_ok=True)
    part = 0
    while written["events"] < rows:
        want = min(chunk_rows, rows - written["events"])
        world = synth.generate(dataset, size=max(1.1 * want / per_size, 0.02), seed=seed + part)
        for name, role in parts.items():
            frame = world[role.table][list(role.columns())]
            frame = frame.iloc[:want] if name == "events" else frame
            frame = frame.assign(**{c: f"k{part:04d}-" + frame[c] for c in ids if c in frame})  # missing ids stay missing
            target = folder / role.table / f"part{part:05d}.parquet"
            tmp = target.with_name(f".{target.name}.tmp")
            frame.to_parquet(tmp, index=False)
            tmp.replace(target)
            written[name] += len(frame)
        part += 1
    return ParquetWorld(folder=folder, roles=have, rows=written, files=part, seconds=time.perf_counter() - start)
