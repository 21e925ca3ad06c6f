"""Data for a lesson in one call: the survey joined to what is known about who answered.

The lessons read roles (:mod:`cxlib.roles`: the data dictionary's, or a user's
``mapping.yml``) rather than asking which world they run on: the segment columns
of a survey are its own and those the roles of the tables it links to declare,
e.g. a hotel survey's booking channel from the stays table, a shop survey's city
tier from the customers table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import datasets
from .i18n import check_lang, labels

__all__ = ["SurveyFrame", "OFlag", "survey_frame", "value_labels", "by_summary", "plot_precision", "with_o_flag",
           "ComplaintFrame", "complaint_frame", "OUTCOMES", "OutcomeFrame", "outcome_frame", "names", "missing_section"]


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
