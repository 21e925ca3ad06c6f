"""Roles: which table and columns of a dataset play which part in an analysis.

A lesson does not ask "is this the hotel?"; it asks for a *role* ("the survey
and its NPS column", "the event log and its ordered funnel steps") and runs on
whatever data declares it. Each world's data dictionary
(``cxlib/dictionaries/<world>.yml``) declares its roles in a ``roles:``
section; a folder of your own files declares them in its ``mapping.yml``
(``roles:``, same keys; see ``docs/OWN_DATA.md``). Column names in a role are
the data dictionary's names (what :func:`cxlib.datasets.load` returns).

>>> r = of("hotel")
>>> r.survey.nps, r.survey.touchpoint_columns[:2]
('nps', ('tp_booking', 'tp_checkin'))
>>> r.available("events")
True

Roles and their fields (``None`` when the data does not have it)
----------------------------------------------------------------
``survey`` (:class:`SurveyRole`)
    ``table``, ``id``, ``date``, ``customer``, ``nps`` (0–10), ``satisfaction``
    and ``satisfaction_scale``, ``effort`` and ``effort_scale``, ``touchpoints``
    (ordered :class:`Touchpoint` rating columns with en/zh labels),
    ``segments`` (columns to break results down by), ``weight``.
``servqual`` (:class:`ServqualRole`)
    ``table``, ``id``, ``name`` (``SERVQUAL`` or ``E-S-QUAL``), ``dimensions``
    (dimension → item numbers, the ``instrument=`` of :mod:`cxlib.servqual`),
    ``expectation`` / ``perception`` (column patterns such as ``"e{:02d}"``;
    ``expectation`` is ``None`` for a perception-only survey), ``points``
    (dimension → point-allocation column, or ``None``), ``segments``,
    ``wording`` (item number → en/zh), ``dimension_labels``.
``kano`` (:class:`KanoRole`)
    ``table``, ``id``, ``features`` (ordered, with labels), ``functional``,
    ``dysfunctional``, ``importance`` (feature → column; ``importance`` may be
    ``None``), ``segments``.
``transactions`` (:class:`TransactionsRole`)
    ``table``, ``id``, ``customer``, ``time``, ``amount``, ``margin``
    (``None``: lesson 06 assumes a share of the amount), ``units`` (what a
    transaction buys, e.g. nights: gives the amount per unit, the premium a
    customer pays), ``segments``.
``customers`` (:class:`CustomersRole`)
    ``table``, ``id``, ``stage``, ``since``, ``activity`` (behaviour beyond
    purchases, e.g. loyalty membership or friends referred: Behavior metrics of
    the ABC model), ``segments``.
``outcomes`` (:class:`OutcomesRole`)
    ``table``, ``customer``, ``returned``, ``count``, ``revenue`` (what a
    customer did after the survey period, when the data has it as a table).
``events`` (:class:`EventsRole`)
    ``table``, ``session``, ``customer``, ``step``, ``time``, ``channel``,
    ``error``, ``feature`` (flag of a released feature's use), ``rating`` (in-app
    rating, a HEART happiness signal), ``steps`` (ordered funnel steps, with labels).
``releases`` (:class:`ReleasesRole`)
    ``table``, ``id``, ``date``, ``name`` (en/zh name columns), ``touchpoint``, ``channel``.
``reviews`` (:class:`ReviewsRole`)
    ``table``, ``id``, ``text``, ``rating``, ``lang``, ``date``, ``customer``, ``segments``.
``complaints`` (:class:`ComplaintsRole`)
    ``table``, ``id``, ``customer``, ``date``, ``channel``, ``reason``,
    ``touchpoint``, ``first_response`` and ``resolution`` (hours),
    ``resolved_first_contact``, ``compensation``, ``closed`` (False = still
    open: a censored resolution time), ``outcome`` (resolved, partly_resolved,
    not_resolved, open), ``nps_after``, ``returned``, ``effort``, ``segments``.
``experiment`` (:class:`ExperimentRole`)
    ``table``, ``unit``, ``arm``, ``control`` / ``treatment`` (arm values),
    ``outcomes`` (metric columns, the primary first), ``pre`` (pre-period
    covariate for CUPED), ``date``, ``segments``, ``start`` / ``end``.
``links``
    Tuple of :class:`Link`: join keys from X-data (survey, reviews,
    complaints) to O-data (stays, orders, guests, …); :meth:`Roles.link`.

:meth:`Roles.require` returns the roles an analysis needs or raises
:class:`RoleError` naming, for each missing role, the table and columns it
needs and why it is missing, so that a lesson can say what it needs and run
the rest (:meth:`Roles.available`, :meth:`Roles.missing`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .errors import CXDataError

__all__ = [
    "ROLE_NAMES",
    "RoleError",
    "Roles",
    "Label",
    "Touchpoint",
    "Link",
    "SurveyRole",
    "ServqualRole",
    "KanoRole",
    "TransactionsRole",
    "CustomersRole",
    "OutcomesRole",
    "EventsRole",
    "ReleasesRole",
    "ReviewsRole",
    "ComplaintsRole",
    "ExperimentRole",
    "of",
    "parse_roles",
]


class RoleError(CXDataError):
    """A role an analysis needs is not declared, or its table is not in the data."""


@dataclass(frozen=True)
class Label:
    """A key with its English and Chinese label."""

    key: str
    en: str
    zh: str

    def label(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Touchpoint(Label):
    """A touchpoint rating column of the survey: ``key`` is the touchpoint id."""

    column: str = ""


@dataclass(frozen=True)
class Link:
    """``from_table.from_column`` joins to ``to_table.to_column``."""

    from_table: str
    from_column: str
    to_table: str
    to_column: str


@dataclass(frozen=True)
class _Role:
    """Base of every role: its table; subclasses list the fields that name columns."""

    table: str
    _column_fields: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def columns(self) -> tuple[str, ...]:
        """Every column of ``table`` this role names, in declaration order, without repeats."""
        out: list[str] = []
        for name in self._column_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, str):
                vals = [value]
            elif isinstance(value, Mapping):
                vals = list(value.values())
            else:
                vals = [v.column if isinstance(v, Touchpoint) else v for v in value]
            out += [v for v in vals if v is not None and v not in out]
        return tuple(out)


def _cols(*names: str):
    return field(default=names, init=False, repr=False, compare=False)


@dataclass(frozen=True)
class SurveyRole(_Role):
    id: str | None = None
    date: str | None = None
    customer: str | None = None
    nps: str | None = None
    satisfaction: str | None = None
    satisfaction_scale: tuple[int, int] = (1, 5)
    effort: str | None = None
    effort_scale: tuple[int, int] = (1, 7)
    touchpoints: tuple[Touchpoint, ...] = ()
    segments: tuple[str, ...] = ()
    weight: str | None = None
    intent: str | None = None
    _column_fields: tuple[str, ...] = _cols("id", "date", "customer", "nps", "satisfaction", "effort",
                                            "touchpoints", "segments", "weight", "intent")

    @property
    def touchpoint_columns(self) -> tuple[str, ...]:
        """The touchpoint rating columns in journey order."""
        return tuple(t.column for t in self.touchpoints)

    def touchpoint_labels(self, lang: str = "en") -> dict[str, str]:
        """``{rating column: touchpoint name}`` in ``lang``."""
        return {t.column: t.label(lang) for t in self.touchpoints}


@dataclass(frozen=True)
class ServqualRole(_Role):
    id: str | None = None
    name: str = "SERVQUAL"
    dimensions: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    expectation: str | None = "e{:02d}"
    perception: str = "p{:02d}"
    points: Mapping[str, str] | None = None
    scale: tuple[int, int] = (1, 7)
    segments: tuple[str, ...] = ()
    date: str | None = None
    wording: Mapping[int, Label] = field(default_factory=dict)
    dimension_labels: Mapping[str, Label] = field(default_factory=dict)
    _column_fields: tuple[str, ...] = _cols("id", "date", "_item_columns", "points", "segments")

    @property
    def _item_columns(self) -> tuple[str, ...]:
        return self.expectation_columns() + self.perception_columns()

    @property
    def instrument(self) -> dict[str, tuple[int, ...]]:
        """``{dimension: item numbers}``, the ``instrument=`` argument of :mod:`cxlib.servqual`."""
        return dict(self.dimensions)

    def expectation_columns(self, dimension: str | None = None) -> tuple[str, ...]:
        """Expectation columns (all, or one dimension's); empty for a perception-only survey."""
        if self.expectation is None:
            return ()
        return tuple(self.expectation.format(i) for i in self._items(dimension))

    def perception_columns(self, dimension: str | None = None) -> tuple[str, ...]:
        """Perception columns (all, or one dimension's)."""
        return tuple(self.perception.format(i) for i in self._items(dimension))

    def _items(self, dimension):
        if dimension is None:
            return [i for items in self.dimensions.values() for i in items]
        if dimension not in self.dimensions:
            raise ValueError(f"{self.name} has no dimension {dimension!r}; dimensions: {', '.join(self.dimensions)}")
        return list(self.dimensions[dimension])

    def item_wording(self, lang: str = "en") -> dict[int, str]:
        """``{item number: wording}`` in ``lang`` (the SERVQUAL wording of the label catalogue when none is declared)."""
        if self.wording:
            return {i: w.label(lang) for i, w in self.wording.items()}
        from . import i18n

        words = i18n.labels("servqual.item", lang)
        return {i: words.get(str(i), "") for i in self._items(None)}

    def dimension_label(self, dimension: str, lang: str = "en") -> str:
        if dimension in self.dimension_labels:
            return self.dimension_labels[dimension].label(lang)
        from . import i18n

        return i18n.labels("servqual.dimension", lang).get(dimension, dimension)


@dataclass(frozen=True)
class KanoRole(_Role):
    id: str | None = None
    features: tuple[Label, ...] = ()
    functional: Mapping[str, str] = field(default_factory=dict)
    dysfunctional: Mapping[str, str] = field(default_factory=dict)
    importance: Mapping[str, str] | None = None
    segments: tuple[str, ...] = ()
    _column_fields: tuple[str, ...] = _cols("id", "functional", "dysfunctional", "importance", "segments")

    @property
    def feature_ids(self) -> tuple[str, ...]:
        """The features in survey order."""
        return tuple(f.key for f in self.features)

    def feature_labels(self, lang: str = "en") -> dict[str, str]:
        """``{feature: name}`` in ``lang``."""
        return {f.key: f.label(lang) for f in self.features}


@dataclass(frozen=True)
class TransactionsRole(_Role):
    id: str | None = None
    customer: str | None = None
    time: str | None = None
    amount: str | None = None
    margin: str | None = None
    units: str | None = None
    segments: tuple[str, ...] = ()
    _column_fields: tuple[str, ...] = _cols("id", "customer", "time", "amount", "margin", "units", "segments")


@dataclass(frozen=True)
class CustomersRole(_Role):
    id: str | None = None
    stage: str | None = None
    since: str | None = None
    activity: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    _column_fields: tuple[str, ...] = _cols("id", "stage", "since", "activity", "segments")


@dataclass(frozen=True)
class OutcomesRole(_Role):
    customer: str | None = None
    returned: str | None = None
    count: str | None = None
    revenue: str | None = None
    _column_fields: tuple[str, ...] = _cols("customer", "returned", "count", "revenue")


@dataclass(frozen=True)
class EventsRole(_Role):
    session: str | None = None
    customer: str | None = None
    step: str | None = None
    time: str | None = None
    channel: str | None = None
    error: str | None = None
    feature: str | None = None
    rating: str | None = None
    steps: tuple[Label, ...] = ()
    _column_fields: tuple[str, ...] = _cols("session", "customer", "step", "time", "channel", "error", "feature", "rating")

    @property
    def step_ids(self) -> tuple[str, ...]:
        """The funnel steps in order."""
        return tuple(s.key for s in self.steps)

    def step_labels(self, lang: str = "en") -> dict[str, str]:
        return {s.key: s.label(lang) for s in self.steps}


@dataclass(frozen=True)
class ReleasesRole(_Role):
    id: str | None = None
    date: str | None = None
    name: Mapping[str, str] | None = None
    touchpoint: str | None = None
    channel: str | None = None
    _column_fields: tuple[str, ...] = _cols("id", "date", "name", "touchpoint", "channel")

    def name_column(self, lang: str = "en") -> str | None:
        """The column holding the release's name in ``lang`` (falls back to ``id``)."""
        if self.name:
            return self.name.get(lang) or next(iter(self.name.values()))
        return self.id


@dataclass(frozen=True)
class ReviewsRole(_Role):
    id: str | None = None
    text: str | None = None
    rating: str | None = None
    lang: str | None = None
    date: str | None = None
    customer: str | None = None
    segments: tuple[str, ...] = ()
    _column_fields: tuple[str, ...] = _cols("id", "text", "rating", "lang", "date", "customer", "segments")


@dataclass(frozen=True)
class ComplaintsRole(_Role):
    id: str | None = None
    customer: str | None = None
    date: str | None = None
    channel: str | None = None
    reason: str | None = None
    touchpoint: str | None = None
    first_response: str | None = None
    resolution: str | None = None
    resolved_first_contact: str | None = None
    compensation: str | None = None
    closed: str | None = None
    outcome: str | None = None
    nps_after: str | None = None
    returned: str | None = None
    effort: str | None = None
    segments: tuple[str, ...] = ()
    _column_fields: tuple[str, ...] = _cols("id", "customer", "date", "channel", "reason", "touchpoint",
                                            "first_response", "resolution", "resolved_first_contact",
                                            "compensation", "closed", "outcome", "nps_after", "returned", "effort", "segments")


@dataclass(frozen=True)
class ExperimentRole(_Role):
    unit: str | None = None
    arm: str | None = None
    control: str = "control"
    treatment: str = "treatment"
    outcomes: tuple[str, ...] = ()
    pre: str | None = None
    date: str | None = None
    segments: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    description: Label | None = None
    _column_fields: tuple[str, ...] = _cols("unit", "arm", "outcomes", "pre", "date", "segments")

    @property
    def outcome(self) -> str | None:
        """The primary metric (the first of ``outcomes``)."""
        return self.outcomes[0] if self.outcomes else None


_CLASSES: dict[str, type[_Role]] = {
    "survey": SurveyRole,
    "servqual": ServqualRole,
    "kano": KanoRole,
    "transactions": TransactionsRole,
    "customers": CustomersRole,
    "outcomes": OutcomesRole,
    "events": EventsRole,
    "releases": ReleasesRole,
    "reviews": ReviewsRole,
    "complaints": ComplaintsRole,
    "experiment": ExperimentRole,
}
#: Every role name, in the order :meth:`Roles.describe` lists them.
ROLE_NAMES: tuple[str, ...] = tuple(_CLASSES)


# --------------------------------------------------------------------------- parsing
def _label(key, raw, fallback: tuple[str, str] | None, where: str) -> Label:
    if isinstance(raw, Mapping):
        en, zh = raw.get("en"), raw.get("zh")
        if en is None or zh is None:
            raise RoleError(f"{where}: {key!r} needs both 'en' and 'zh' labels")
        return Label(str(key), str(en), str(zh))
    if fallback is not None:
        return Label(str(key), *fallback)
    return Label(str(key), str(key), str(key))


def _seq(value, where: str, what: str) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple):
        raise RoleError(f"{where}: {what} must be a list, got {value!r}")
    return tuple(value)


def _labelled(value, where: str, what: str, fallback=None) -> tuple[Label, ...]:
    """A list of keys or ``{key: {en:, zh:}}`` entries (or a mapping of them) as Labels."""
    if isinstance(value, Mapping):
        value = [{k: v} for k, v in value.items()]
    out = []
    for item in _seq(value, where, what):
        if isinstance(item, Mapping) and len(item) == 1:
            (key, raw), = item.items()
            out.append(_label(key, raw, None, where))
        else:
            out.append(_label(item, None, fallback(str(item)) if fallback else None, where))
    return tuple(out)


def _touchpoint_names(meta: dict) -> dict[str, tuple[str, str, str]]:
    """``{rating column: (touchpoint id, en, zh)}`` from the dictionary's touchpoints list."""
    return {tp["column"]: (tp["id"], tp["en"], tp["zh"]) for tp in meta.get("touchpoints", []) if tp.get("column")}


def _step_names(meta: dict) -> dict[str, tuple[str, str]]:
    return {tp["step"]: (tp["en"], tp["zh"]) for tp in meta.get("touchpoints", []) if tp.get("step")}


def _build(name: str, raw: Mapping, meta: dict, where: str) -> _Role:
    cls = _CLASSES[name]
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in raw if k not in known and k not in ("functional_pattern", "dysfunctional_pattern",
                                                               "importance_pattern", "columns_from")]
    if unknown:
        raise RoleError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))} for role {name!r}; "
                        f"allowed: {', '.join(sorted(known))}")
    if not raw.get("table"):
        raise RoleError(f"{where}: role {name!r} needs 'table'")
    kw = {k: v for k, v in raw.items() if k in known}
    for key in ("segments", "outcomes", "activity"):
        if key in kw:
            kw[key] = _seq(kw[key], where, key)
    for key in ("satisfaction_scale", "effort_scale", "scale"):
        if key in kw:
            kw[key] = tuple(int(v) for v in _seq(kw[key], where, key))
    if name == "survey":
        names = _touchpoint_names(meta)
        tps = []
        for item in _seq(raw.get("touchpoints"), where, "touchpoints"):
            if isinstance(item, Mapping):
                col = str(item.get("column"))
                tid, en, zh = names.get(col, (item.get("id", col), col, col))
                tps.append(Touchpoint(str(item.get("id", tid)), str(item.get("en", en)), str(item.get("zh", zh)), col))
            else:
                tid, en, zh = names.get(str(item), (str(item), str(item), str(item)))
                tps.append(Touchpoint(tid, en, zh, str(item)))
        kw["touchpoints"] = tuple(tps)
    elif name == "servqual":
        dims = raw.get("dimensions") or {}
        if not isinstance(dims, Mapping) or not dims:
            raise RoleError(f"{where}: role 'servqual' needs 'dimensions' (dimension: [item numbers])")
        kw["dimensions"] = MappingProxyType({str(d): tuple(int(i) for i in _items(v)) for d, v in dims.items()})
        if raw.get("points") is not None:
            kw["points"] = MappingProxyType({str(d): str(c) for d, c in raw["points"].items()})
        kw["wording"] = MappingProxyType({int(i): _label(i, w, None, where)
                                          for i, w in (raw.get("wording") or {}).items()})
        kw["dimension_labels"] = MappingProxyType({str(d): _label(d, w, None, where)
                                                   for d, w in (raw.get("dimension_labels") or {}).items()})
    elif name == "kano":
        feats = raw.get("features") or meta.get("tables", {}).get(raw["table"], {}).get("kano_features", [])
        kw["features"] = _labelled(feats, where, "features")
        ids = [f.key for f in kw["features"]]
        pat = {k: raw.get(f"{k}_pattern", f"{{feature}}_{suffix}")
               for k, suffix in (("functional", "func"), ("dysfunctional", "dys"), ("importance", "imp"))}
        for k in ("functional", "dysfunctional", "importance"):
            if isinstance(raw.get(k), Mapping):
                kw[k] = MappingProxyType(dict(raw[k]))
            elif k == "importance" and raw.get("importance_pattern", "") is None:
                kw[k] = None
            else:
                kw[k] = MappingProxyType({f: pat[k].format(feature=f) for f in ids})
    elif name == "events":
        steps = _step_names(meta)
        kw["steps"] = _labelled(raw.get("steps"), where, "steps", fallback=lambda s: steps.get(s, (s, s)))
    elif name == "releases":
        if isinstance(raw.get("name"), Mapping):
            kw["name"] = MappingProxyType(dict(raw["name"]))
        elif raw.get("name") is not None:
            kw["name"] = MappingProxyType({"en": raw["name"], "zh": raw["name"]})
    elif name == "experiment":
        if raw.get("description") is not None:
            kw["description"] = _label("description", raw["description"], None, where)
        for key in ("control", "treatment", "start", "end"):
            if key in kw and kw[key] is not None:
                kw[key] = str(kw[key])
    try:
        return cls(**kw)
    except TypeError as err:
        raise RoleError(f"{where}: role {name!r}: {err}") from None


def _items(v) -> list[int]:
    if isinstance(v, Mapping) and "range" in v:
        lo, hi = v["range"]
        return list(range(int(lo), int(hi) + 1))
    return list(_seq(v, "servqual", "items"))


def _links(raw, where: str) -> tuple[Link, ...]:
    out = []
    for item in _seq(raw, where, "links"):
        try:
            a, b = str(item["from"]).split("."), str(item["to"]).split(".")
            out.append(Link(a[0], a[1], b[0], b[1]))
        except (KeyError, IndexError, TypeError):
            raise RoleError(f"{where}: each link is {{from: table.column, to: table.column}}, got {item!r}") from None
    return tuple(out)


def parse_roles(raw: Mapping | None, meta: dict, where: str) -> tuple[dict[str, _Role], tuple[Link, ...]]:
    """Parse a ``roles:`` section into role objects (``None`` values stay ``None``) and links."""
    raw = dict(raw or {})
    links = _links(raw.pop("links", None), where)
    out: dict[str, _Role | None] = {}
    for name, spec in raw.items():
        if name not in _CLASSES:
            raise RoleError(f"{where}: unknown role {name!r}; roles: {', '.join(ROLE_NAMES)}, links")
        if spec is None:
            out[name] = None
            continue
        if not isinstance(spec, Mapping):
            raise RoleError(f"{where}: role {name!r} must be a mapping of its columns (or null: not in this data)")
        out[name] = _build(name, spec, meta, f"{where}, role {name!r}")
    return out, links


def _check_columns(role: _Role, dataset: str, name: str, where: str) -> None:
    from . import datasets

    spec = datasets.table_spec(dataset, role.table)
    absent = [c for c in role.columns() if c not in spec.columns]
    if absent:
        raise RoleError(f"{where}: role {name!r} names column(s) {', '.join(absent)} that table "
                        f"{role.table!r} of the {dataset} dictionary does not have")


# --------------------------------------------------------------------------- the roles of a dataset
@dataclass(frozen=True)
class Roles:
    """The roles of one dataset (sample or your own folder). Role attributes are ``None`` when absent."""

    dataset: str
    data_dir: str | None = None
    survey: SurveyRole | None = None
    servqual: ServqualRole | None = None
    kano: KanoRole | None = None
    transactions: TransactionsRole | None = None
    customers: CustomersRole | None = None
    outcomes: OutcomesRole | None = None
    events: EventsRole | None = None
    releases: ReleasesRole | None = None
    reviews: ReviewsRole | None = None
    complaints: ComplaintsRole | None = None
    experiment: ExperimentRole | None = None
    links: tuple[Link, ...] = ()
    #: what each absent role would need and why it is absent: name → (table, columns, reason)
    absent: Mapping[str, tuple[str | None, tuple[str, ...], str]] = field(default_factory=dict)

    def _check_name(self, name: str) -> None:
        if name not in _CLASSES:
            raise ValueError(f"unknown role {name!r}; roles: {', '.join(ROLE_NAMES)}")

    def available(self, name: str) -> bool:
        """Whether role ``name`` is declared and its table is in the data."""
        self._check_name(name)
        return getattr(self, name) is not None

    def missing(self, *names: str) -> dict[str, str]:
        """``{role: reason}`` for each of ``names`` (all roles when none given) that is not available."""
        out = {}
        for name in names or ROLE_NAMES:
            self._check_name(name)
            if getattr(self, name) is None:
                out[name] = self._reason(name)
        return out

    def _reason(self, name: str) -> str:
        table, cols, why = self.absent.get(name, (None, (), "no such role is declared"))
        need = f"table {table!r}" + (f" with columns {', '.join(cols)}" if cols else "") if table else "a table"
        return f"{name}: needs {need}; {why}"

    def require(self, *names: str):
        """The roles ``names`` (one role, or a tuple for several); raise :class:`RoleError` if any is missing.

        The message names, for each missing role, the table and columns it
        needs and why it is missing (not declared, or its table is not in the
        data folder).

        >>> survey = of("hotel").require("survey")
        >>> survey.table
        'survey'
        """
        if not names:
            raise ValueError("require() needs at least one role name")
        gone = self.missing(*names)
        if gone:
            where = f"the data in {self.data_dir}" if self.data_dir else f"the {self.dataset} sample data"
            raise RoleError(f"this analysis needs {', '.join(names)}, but {where} lacks "
                            + "; ".join(gone.values()))
        got = tuple(getattr(self, n) for n in names)
        return got[0] if len(got) == 1 else got

    def link(self, from_table: str, to_table: str) -> Link | None:
        """The join key from ``from_table`` to ``to_table`` (``None`` when none is declared)."""
        return next((k for k in self.links if k.from_table == from_table and k.to_table == to_table), None)

    def describe(self, lang: str = "en") -> pd.DataFrame:
        """One row per role: ``role``, ``available``, ``table``, ``columns``, ``reason`` (why absent)."""
        rows = []
        for name in ROLE_NAMES:
            role = getattr(self, name)
            if role is not None:
                rows.append({"role": name, "available": True, "table": role.table,
                             "columns": ", ".join(role.columns()), "reason": ""})
            else:
                table, cols, why = self.absent.get(name, (None, (), "no such role is declared"))
                rows.append({"role": name, "available": False, "table": table or "",
                             "columns": ", ".join(cols), "reason": why})
        return pd.DataFrame(rows)


def of(dataset: str, data_dir: str | Path | None = None, mapping=None) -> Roles:
    """The roles of ``dataset``: the sample world's, or those of your folder ``data_dir``.

    Parameters
    ----------
    dataset : {"hotel", "ecommerce"}
        The world whose data dictionary (and so whose declared roles) the data follows.
    data_dir : str or Path, optional
        A folder of your own files. Roles start from the world's; a role whose
        table has no file in the folder is ``None``; the folder's
        ``mapping.yml`` may override any role under ``roles:`` (a mapping of
        the role's keys, or ``null``: "my data has no such thing").
    mapping : str, Path or cxlib.mapping.Mapping, optional
        A mapping file to use instead of ``data_dir/mapping.yml``.

    Returns
    -------
    Roles

    Raises
    ------
    RoleError
        When a roles section is malformed or names a column its table does not have.

    Examples
    --------
    >>> of("ecommerce").events.step_ids[:3]
    ('home', 'search', 'product')
    """
    from . import datasets

    meta = datasets.dictionary(dataset)
    world_where = f"cxlib/dictionaries/{dataset}.yml"
    world_raw = dict(meta.get("roles") or {})
    declared, links = parse_roles(world_raw, meta, world_where)
    tables = set(meta["tables"])
    provided = tables
    user: dict = {}
    where = world_where
    if data_dir is not None or mapping is not None:
        provided = set(datasets.provided_tables(dataset, data_dir, mapping))
        _, found = datasets._resolve(dataset, data_dir, mapping)
        if found is not None and found.roles is not None:
            where = str(found.path or "mapping")
            raw = dict(found.roles)
            merged = {name: (None if spec is None else
                             {**(world_raw.get(name) or {}), **spec} if isinstance(spec, Mapping) else spec)
                      for name, spec in raw.items() if name != "links"}
            merged["links"] = raw.get("links")
            user, user_links = parse_roles(merged, meta, where)
            links = links + tuple(k for k in user_links if k not in links)
    out: dict[str, _Role | None] = {}
    absent: dict[str, tuple[str | None, tuple[str, ...], str]] = {}
    here = f"the folder {data_dir}" if data_dir is not None else f"the {dataset} sample data"
    for name in ROLE_NAMES:
        role = user[name] if name in user else declared.get(name)
        base = declared.get(name) or role
        if role is None:
            why = ("the mapping declares that this data has none" if name in user
                   else f"the {dataset} dictionary declares no such role")
            absent[name] = (base.table if base else None, base.columns() if base else (), why)
            continue
        if role.table not in tables:
            absent[name] = (role.table, role.columns(), f"the {dataset} dictionary has no table {role.table!r}")
            continue
        _check_columns(role, dataset, name, where if name in user else world_where)
        if role.table not in provided:
            absent[name] = (role.table, role.columns(), f"{here} has no file for table {role.table!r}")
            continue
        out[name] = role
    links = tuple(k for k in links if k.from_table in provided and k.to_table in provided)
    return Roles(dataset=dataset, data_dir=None if data_dir is None else str(data_dir), links=links,
                 absent=MappingProxyType(absent), **out)
