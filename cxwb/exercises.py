"""Exercise checks: ``check(task_id, answer)`` says *right* or *not yet*, with a hint that teaches.

Every task of the exercise notebooks (``exercises/NN_<topic>.ipynb``) is defined
once, in :data:`TASKS`: the variable that holds the student's answer, the kind of
answer (a number, a choice, a set …), how to compute the expected value **with
cxlib on the sample data** (so the checks stay right when the data are
regenerated), and the plausible mistakes the check recognises, each with its own
hint. The words live in ``cxlib/resources/labels_exercises.yml`` (en/zh), under
``ex.<NN>.<n>.*``.

A hint names the concept and points at the lesson and section that teach it; it
never shows the expected value, and nothing here prints it.

In a notebook::

    from cxwb.exercises import check, start
    start("02", lang)            # the exercise and the language of the messages
    nps_points = ...             # the student's answer
    check("02.1", nps_points)    # prints "✅ right" or "❌ not yet — <hint>", returns a bool

The grader (:mod:`cxwb.grading`) runs :func:`grade_namespace` at the end of a
submitted notebook, so a task counts whether or not its check cell was run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, is_dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from cxlib.i18n import check_lang, t

__all__ = [
    "EXERCISES",
    "TASKS",
    "Task",
    "Mistake",
    "Verdict",
    "start",
    "check",
    "evaluate",
    "message",
    "hint_text",
    "grade_namespace",
    "tasks_of",
    "exercise_of",
]

#: Exercise number → notebook name (``exercises/<name>.ipynb``), in teaching order.
EXERCISES: dict[str, str] = {
    "01": "01_touchpoints_journey",
    "02": "02_measuring_experience",
    "03": "03_kano",
    "04": "04_servqual",
    "05": "05_drivers_priorities",
    "06": "06_customer_value",
    "07": "07_heart",
    "08": "08_voice_of_customer",
    "09": "09_experience_pays",
    "10": "10_cx_report",
}

_STATE: dict[str, Any] = {"lang": "en", "exercise": None}


def start(exercise: str, lang: str = "en") -> None:
    """Set the exercise and the language (``"en"``/``"zh"``) of the check messages."""
    check_lang(lang)
    _STATE["lang"] = lang
    _STATE["exercise"] = str(exercise)


# --------------------------------------------------------------------------- answers
class _NotA(Exception):
    """The answer is not of the kind the task wants; ``key`` names the message."""

    def __init__(self, key: str, **fmt):
        super().__init__(key)
        self.key = key
        self.fmt = fmt


_PUNCT = re.compile(r"[\s\-_'’.,，。、:：;；!！?？()（）\[\]【】\"“”/]+")


def _norm(value) -> str:
    text = str(value).strip().lower()
    if text.startswith("tp_"):
        text = text[3:]
    return _PUNCT.sub("", text)


def _kind_name(value) -> str:
    if isinstance(value, pd.DataFrame):
        return "DataFrame"
    if isinstance(value, pd.Series):
        return "Series"
    return type(value).__name__


def _as_number(value) -> float:
    if isinstance(value, bool | np.bool_):
        raise _NotA("ex.msg.want_number", got=_kind_name(value))
    if isinstance(value, pd.Series | pd.DataFrame | np.ndarray) and np.size(value) == 1:
        value = np.asarray(value).reshape(-1)[0]
    if is_dataclass(value):
        raise _NotA("ex.msg.want_field", got=type(value).__name__)
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            raise _NotA("ex.msg.want_number", got="str") from None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            raise _NotA("ex.msg.nan")
        return number
    raise _NotA("ex.msg.want_number", got=_kind_name(value))


def _as_text(value) -> str:
    if isinstance(value, pd.Series | np.ndarray) and np.size(value) == 1:
        value = np.asarray(value).reshape(-1)[0]
    if isinstance(value, str | np.str_):
        return str(value)
    raise _NotA("ex.msg.want_text", got=_kind_name(value))


def _as_items(value) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable) or isinstance(value, dict):
        raise _NotA("ex.msg.want_list", got=_kind_name(value))
    if isinstance(value, pd.DataFrame):
        raise _NotA("ex.msg.want_list", got="DataFrame")
    return list(value)


# --------------------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer and the hint it earns.

    ``alt`` computes the value that the mistake produces (compared like the expected
    value, with the task's tolerance); ``when`` is a predicate on the normalised
    answer instead. ``see`` overrides the task's lesson section.
    """

    key: str
    alt: Callable[[], Any] | None = None
    when: Callable[[Any], bool] | None = None
    see: str | None = None


@dataclass(frozen=True)
class Task:
    """One task of an exercise (see the module docstring)."""

    id: str
    var: str
    kind: str  # number | integer | choice | pair | list | set
    expected: Callable[[], Any]
    see: str  # "NN.section" → ex.section.NN.section
    tol: float = 0.0
    points: int = 1
    mistakes: tuple[Mistake, ...] = ()
    choices: Callable[[], dict[str, set[str]]] | None = None

    @property
    def exercise(self) -> str:
        return self.id.split(".")[0]


@dataclass(frozen=True)
class Verdict:
    """What a check found: passed or not, the message key and its fields, the section to see."""

    task: str
    passed: bool
    key: str
    fmt: dict = field(default_factory=dict)
    see: str | None = None


TASKS: dict[str, Task] = {}


def _task(*args, **kwargs) -> Task:
    task = Task(*args, **kwargs)
    if task.id in TASKS:
        raise ValueError(f"task {task.id} defined twice")
    TASKS[task.id] = task
    return task


def tasks_of(exercise: str) -> list[Task]:
    """The tasks of one exercise (``"02"`` or ``"02_measuring_experience"``), in order."""
    number = str(exercise)[:2]
    return [task for task in TASKS.values() if task.exercise == number]


def exercise_of(name: str) -> str | None:
    """The exercise number of a notebook file name (``"02_metrics.ipynb"`` → ``"02"``), if any."""
    match = re.match(r"(\d\d)", name)
    return match.group(1) if match and match.group(1) in EXERCISES else None


# --------------------------------------------------------------------------- comparing
def _canon(task: Task, value) -> str | None:
    """The canonical choice an answer names, or None."""
    wanted = _norm(value)
    for canonical, aliases in task.choices().items():
        if wanted == _norm(canonical) or wanted in {_norm(a) for a in aliases}:
            return canonical
    return None


def _normalise(task: Task, answer):
    """The answer in the task's canonical form; raises _NotA when it has the wrong kind."""
    if task.kind == "number":
        return _as_number(answer)
    if task.kind == "integer":
        return _as_number(answer)
    if task.kind == "choice":
        text = _as_text(answer)
        found = _canon(task, text)
        return found if found is not None else ("?", text)
    if task.kind in ("list", "pair", "set"):
        items = _as_items(answer)
        names = []
        for item in items:
            if not isinstance(item, str | np.str_):
                raise _NotA("ex.msg.want_names", got=_kind_name(item))
            found = _canon(task, item)
            names.append(found if found is not None else ("?", str(item)))
        if task.kind == "set":
            return frozenset(names)
        return tuple(names)
    raise ValueError(f"unknown kind {task.kind!r}")


def _same(task: Task, answer, expected) -> bool:
    if task.kind in ("number", "integer"):
        expected = float(expected)
        return abs(answer - expected) <= task.tol + 1e-9 * max(1.0, abs(expected))
    if task.kind == "set":
        return answer == frozenset(expected)
    if task.kind in ("list", "pair"):
        return answer == tuple(expected)
    return answer == expected


@cache
def _expected(task_id: str):
    return TASKS[task_id].expected()


@cache
def _alt(task_id: str, index: int):
    return TASKS[task_id].mistakes[index].alt()


def evaluate(task_id: str, answer) -> Verdict:
    """Judge ``answer`` for task ``task_id`` without printing: a :class:`Verdict`."""
    task = TASKS.get(str(task_id))
    if task is None:
        known = ", ".join(sorted(TASKS))
        raise KeyError(f"no task {task_id!r}; the tasks are {known}")
    if answer is Ellipsis or answer is None:
        return Verdict(task.id, False, "ex.msg.unanswered", {"var": task.var}, task.see)
    try:
        value = _normalise(task, answer)
    except _NotA as err:
        return Verdict(task.id, False, err.key, err.fmt, task.see)
    if _same(task, value, _expected(task.id)):
        return Verdict(task.id, True, "ex.msg.right")
    for i, mistake in enumerate(task.mistakes):
        hit = _same(task, value, _alt(task.id, i)) if mistake.alt is not None else bool(mistake.when(value))
        if hit:
            return Verdict(task.id, False, f"ex.{task.exercise}.{task.id.split('.')[1]}.{mistake.key}", {},
                           mistake.see or task.see)
    if task.kind == "choice" and isinstance(value, tuple):
        return Verdict(task.id, False, "ex.msg.unknown_choice", {"got": value[1]}, task.see)
    key = f"ex.{task.exercise}.{task.id.split('.')[1]}.hint"
    return Verdict(task.id, False, key, {}, task.see)


def hint_text(verdict: Verdict, lang: str = "en") -> str:
    """The hint of a verdict with the lesson section to read, in ``lang`` ("" when it passed)."""
    check_lang(lang)
    if verdict.passed:
        return ""
    text = t(verdict.key, lang, **verdict.fmt)
    if verdict.see:
        lesson, section = verdict.see.split(".", 1)
        text += " " + t("ex.msg.see", lang, lesson=lesson, section=t(f"ex.section.{lesson}.{section}", lang))
    return text


def message(verdict: Verdict, lang: str = "en") -> str:
    """The sentence a student reads for a verdict, in ``lang``: "✅ right" or "❌ not yet — hint"."""
    check_lang(lang)
    if verdict.passed:
        return t("ex.msg.right", lang)
    return t("ex.msg.not_yet", lang, hint=hint_text(verdict, lang))


def check(task_id: str, answer) -> bool:
    """Print whether ``answer`` is right for task ``task_id`` (with a hint if not); return True/False.

    The language is the one given to :func:`start` (English by default).
    """
    verdict = evaluate(task_id, answer)
    print(message(verdict, _STATE["lang"]))
    return verdict.passed


def grade_namespace(exercise: str, namespace: dict) -> list[dict]:
    """Judge every task of ``exercise`` from the variables in ``namespace`` (a notebook's globals).

    Returns one plain dict per task (``task``, ``passed``, ``points``, ``max_points``,
    ``key``, ``fmt``, ``see``), ready for JSON; a missing variable or a check that
    fails to run counts as not passed, with the reason.
    """
    rows = []
    for task in tasks_of(exercise):
        if task.var not in namespace:
            verdict = Verdict(task.id, False, "ex.msg.undefined", {"var": task.var}, task.see)
        else:
            try:
                verdict = evaluate(task.id, namespace[task.var])
            except Exception as err:  # noqa: BLE001 - a student's odd object must not stop grading
                verdict = Verdict(task.id, False, "ex.msg.check_failed", {"error": type(err).__name__}, task.see)
        rows.append(
            {
                "task": task.id,
                "passed": verdict.passed,
                "points": task.points if verdict.passed else 0,
                "max_points": task.points,
                "key": verdict.key,
                "fmt": {k: str(v) for k, v in verdict.fmt.items()},
                "see": verdict.see,
            }
        )
    return rows


# --------------------------------------------------------------------------- data
@cache
def _load(world: str, table: str) -> pd.DataFrame:
    from cxlib import datasets

    return datasets.load(world, table)


def _labels_of(prefix: str) -> dict[str, set[str]]:
    from cxlib.i18n import labels

    en, zh = labels(prefix, "en"), labels(prefix, "zh")
    return {key: {key, en[key], zh.get(key, key)} for key in en}


def _touchpoints(world: str) -> dict[str, set[str]]:
    from cxlib import journey

    en = journey.touchpoint_inventory(world, "en")
    zh = journey.touchpoint_inventory(world, "zh")
    out = {}
    for (tp, name_en, column), name_zh in zip(en[["touchpoint", "name", "column"]].itertuples(index=False),
                                               zh["name"], strict=True):
        aliases = {tp, name_en, name_zh}
        if isinstance(column, str):
            aliases.add(column)
        out[tp] = aliases
    if world == "hotel":
        out["checkin"] |= {"check in", "check-in wait", "front desk check-in"}
        out["room"] |= {"room", "room cleanliness", "cleanliness", "客房"}
        out["wifi"] |= {"wi-fi", "wlan", "网络", "wifi"}
    return out


def _funnel_steps() -> dict[str, set[str]]:
    from cxlib.i18n import labels

    try:
        zh = labels("journey.step", "zh")
        en = labels("journey.step", "en")
    except Exception:  # noqa: BLE001 - labels are optional here
        zh, en = {}, {}
    steps = ("home", "search", "product", "cart", "checkout", "payment", "order")
    return {s: {s, en.get(s, s), zh.get(s, s)} for s in steps}


# --------------------------------------------------------------------------- 01 journey
def _hotel_survey() -> pd.DataFrame:
    return _load("hotel", "survey")


def _hotel_tp_columns() -> list[str]:
    return [c for c in _hotel_survey().columns if c.startswith("tp_")]


def _use_touchpoints(rated_only: bool = False, stage: str = "use") -> frozenset:
    from cxlib import journey

    inv = journey.touchpoint_inventory("hotel")
    keep = inv["stage"].astype(str) == stage
    if rated_only:
        keep &= inv["rated"]
    return frozenset(inv.loc[keep, "touchpoint"])


def _emotion_lowest() -> str:
    from cxlib import journey

    curve = journey.emotion_curve(_hotel_survey(), world="hotel")
    return str(curve.loc[curve["lowest"], "touchpoint"].iloc[0])


def _emotion_highest() -> str:
    from cxlib import journey

    curve = journey.emotion_curve(_hotel_survey(), world="hotel")
    return str(curve.loc[curve["mean"].idxmax(), "touchpoint"])


@cache
def _mot() -> pd.DataFrame:
    from cxlib import journey

    return journey.moments_of_truth(_hotel_survey(), world="hotel")


def _mot_by(column: str) -> str:
    table = _mot()
    return str(table.loc[table[column].idxmax(), "touchpoint"])


def _waits() -> pd.DataFrame:
    stays = _load("hotel", "stays")
    return _hotel_survey().merge(stays[["stay_id", "checkin_wait_min"]], on="stay_id", validate="one_to_one")


def _detractor_pct(mask_of: Callable[[pd.DataFrame], pd.Series], missing_in_n: bool = False) -> float:
    from cxlib import metrics

    joined = _waits()
    scores = joined.loc[mask_of(joined), "nps"]
    result = metrics.nps(scores)
    if missing_in_n:
        return 100 * result.detractors * result.n / len(scores)
    return 100 * result.detractors


def _long_wait_share_of_detractors() -> float:
    joined = _waits().dropna(subset=["nps"])
    detractors = joined[joined["nps"] <= 6]
    return 100 * float((detractors["checkin_wait_min"] > 15).mean())


@cache
def _events() -> pd.DataFrame:
    return _load("ecommerce", "events")


def _release_date() -> str:
    releases = _load("ecommerce", "releases")
    return str(releases.loc[releases["feature"] == "one_click_pay", "release_date"].iloc[0])[:10]


def _leak(platform: str | None, before_release: bool = True) -> tuple[str, str]:
    from cxlib import journey

    events = _events()
    if before_release:
        events = events[events["timestamp"] < pd.Timestamp(_release_date())]
    if platform is not None:
        events = events[events["platform"] == platform]
    table = journey.funnel(events, by=None)
    pos = int(np.flatnonzero(table["biggest_leak"].to_numpy())[0])
    return (str(table["step"].iloc[pos - 1]), str(table["step"].iloc[pos]))


@cache
def _before_after() -> pd.DataFrame:
    from cxlib import journey

    return journey.before_after(_events(), _release_date()).set_index("platform")


# --------------------------------------------------------------------------- 02 metrics
def _nps_counts() -> tuple[int, int, int]:
    scores = _hotel_survey()["nps"].dropna()
    return int((scores >= 9).sum()), int(scores.between(7, 8).sum()), int((scores <= 6).sum())


def _nps_points() -> float:
    from cxlib import metrics

    return metrics.nps(_hotel_survey()["nps"]).nps


def _nps_shifted(promoter_from: int = 9, detractor_to: int = 6, include_missing: bool = False) -> float:
    scores = _hotel_survey()["nps"]
    n = len(scores) if include_missing else int(scores.notna().sum())
    pro = int((scores >= promoter_from).sum())
    det = int((scores <= detractor_to).sum())
    return 100 * (pro - det) / n


def _nps_margin(conf: float = 0.95) -> float:
    from cxlib import metrics

    r = metrics.nps(_hotel_survey()["nps"], conf=conf)
    return (r.ci_high - r.ci_low) / 2


def _nps_se() -> float:
    from cxlib import metrics

    return metrics.nps(_hotel_survey()["nps"]).se


def _sample_size(margin: float = 3.0, worst: bool = False, conf: float = 0.95) -> float:
    from cxlib import metrics

    r = metrics.nps(_hotel_survey()["nps"])
    pro, det = (0.5, 0.5) if worst else (r.promoters, r.detractors)
    return metrics.nps_sample_size(margin, promoters=pro, detractors=det, conf=conf)


def _sample_size_floor() -> float:
    from cxlib import metrics

    r = metrics.nps(_hotel_survey()["nps"])
    z = 1.959963984540054
    var = r.promoters + r.detractors - (r.promoters - r.detractors) ** 2
    return math.floor(z * z * var / 0.03**2)


def _dip_mask(frame: pd.DataFrame) -> pd.Series:
    month = pd.to_datetime(frame["survey_date"]).dt.to_period("M")
    return (month >= pd.Period("2025-11", "M")) & (month <= pd.Period("2026-01", "M"))


def _city_dip(compare: str = "other") -> float:
    from cxlib import metrics

    survey = _hotel_survey()
    city = survey[survey["property_id"] == "city"]
    dip = _dip_mask(city)
    if compare == "other":
        rest = city.loc[~dip, "nps"]
    elif compare == "all_city":
        rest = city["nps"]
    else:  # every other response of the group
        rest = survey.loc[~((survey["property_id"] == "city") & _dip_mask(survey)), "nps"]
    return metrics.nps(city.loc[dip, "nps"]).nps - metrics.nps(rest).nps


def _csat(top: int = 2) -> float:
    from cxlib import metrics

    return metrics.csat(_hotel_survey()["overall_sat"], top=top).csat


def _csi() -> float:
    from cxlib import metrics

    return metrics.csi(_hotel_survey()["overall_sat"]).csi


def _resort_city_p(adjusted: bool = True) -> float:
    """Resort vs city hotel: the two-sided NPS z-test, Holm-adjusted for the three pairs of hotels.

    The pair was picked after seeing the data (best against worst), so it is one of the
    three comparisons a manager could have made; lesson 02 adjusts for them.
    """
    from itertools import combinations

    from statsmodels.stats.multitest import multipletests

    from cxlib import metrics

    by = _hotel_survey().groupby("property_id")["nps"]
    pairs = list(combinations(sorted(by.groups), 2))
    raw = [metrics.nps_test(by.get_group(a), by.get_group(b)).p_value for a, b in pairs]
    which = pairs.index(tuple(sorted(("resort", "city"))))
    return float(multipletests(raw, method="holm")[1][which] if adjusted else raw[which])


def _rest_p(which: str = "p_adjusted") -> float:
    from cxlib import metrics

    table = metrics.nps_by(_hotel_survey(), "nps", "property_id").set_index("property_id")
    return float(table.loc["resort", which])


# --------------------------------------------------------------------------- 03 KANO
_KANO_PAIRS = ((1, 5), (2, 5), (1, 3), (3, 3))


def _kano_pairs(swap: bool = False) -> tuple[str, ...]:
    from cxlib import kano

    f = [p[0] for p in _KANO_PAIRS]
    d = [p[1] for p in _KANO_PAIRS]
    if swap:
        f, d = d, f
    return tuple(str(c) for c in kano.classify(f, d))


@cache
def _kano_hotel() -> pd.DataFrame:
    from cxlib import kano

    return kano.kano_table(_load("hotel", "kano")).set_index("feature")


def _kano_category(feature: str) -> str:
    return str(_kano_hotel().loc[feature, "category"])[0]


def _kano_worse(feature: str, with_rq: bool = False, better: bool = False) -> float:
    row = _kano_hotel().loc[feature]
    a, o, m, i, r, q = (float(row[c]) for c in "AOMIRQ")
    denom = a + o + m + i + ((r + q) if with_rq else 0.0)
    return (a + o) / denom if better else -(o + m) / denom


def _kano_mixed() -> str:
    table = _kano_hotel()
    mixed = table.index[~table["fong_significant"].astype(bool)]
    return str(mixed[0])


def _kano_categories() -> dict[str, set[str]]:
    out = _labels_of("kano.category")
    extra = {"A": {"attractive", "delighter", "魅力"}, "O": {"one dimensional", "performance", "期望", "一元"},
             "M": {"must be", "must-be", "basic", "必备"}, "I": {"indifferent", "无差异"},
             "R": {"reverse", "反向"}, "Q": {"questionable", "可疑"}}
    for key, words in extra.items():
        out.setdefault(key, {key}).update(words)
    return out


def _kano_features() -> dict[str, set[str]]:
    return {f: {f, f.replace("_", " ")} for f in _kano_hotel().index}


# --------------------------------------------------------------------------- 04 SERVQUAL
@cache
def _servqual_gaps(by: str | None = None) -> pd.DataFrame:
    from cxlib import servqual

    return servqual.gap_by_dimension(_load("hotel", "servqual"), by=by)


def _sq_gap(dimension: str, column: str = "gap") -> float:
    table = _servqual_gaps()
    return float(table.loc[table["dimension"].astype(str) == dimension, column].iloc[0])


def _sq_airport(which: str = "min") -> str:
    table = _servqual_gaps("property_id")
    sub = table[table["property_id"] == "airport"].set_index("dimension")["gap"]
    return str(sub.idxmin() if which == "min" else sub.idxmax())


def _sq_largest_elsewhere() -> str:
    table = _servqual_gaps("property_id")
    sub = table[table["property_id"] != "airport"].groupby("dimension", observed=True)["gap"].mean()
    return str(sub.idxmin())


def _sq_weighted(column: str = "weighted", scale: float = 1.0) -> float:
    from cxlib import servqual

    table = servqual.weighted_score(_load("hotel", "servqual"), by="property_id").set_index("property_id")
    return float(table.loc["airport", column]) * scale


def _sq_alpha(prefix: str = "p", items: Iterable[int] = (10, 11, 12, 13)) -> float:
    from cxlib import servqual

    data = _load("hotel", "servqual")
    if prefix == "gap":
        frame = pd.DataFrame({i: data[f"p{i:02d}"] - data[f"e{i:02d}"] for i in items})
    else:
        frame = data[[f"{prefix}{i:02d}" for i in items]]
    return servqual.reliability(frame).alpha


def _sq_dimensions() -> dict[str, set[str]]:
    return _labels_of("servqual.dimension")


# --------------------------------------------------------------------------- 05 drivers
@cache
def _core_tp_columns(min_coverage: float = 0.8) -> list[str]:
    """The core touchpoints of lesson 05: ratings that at least ``min_coverage`` of the guests gave."""
    survey = _hotel_survey()
    return [c for c in _hotel_tp_columns() if survey[c].notna().mean() >= min_coverage]


def _key_drivers() -> pd.DataFrame:
    from cxlib import drivers

    return drivers.key_drivers(_hotel_survey(), "overall_sat", _core_tp_columns())


@cache
def _ipa() -> pd.DataFrame:
    from cxlib import drivers

    return drivers.ipa(_hotel_survey(), _core_tp_columns(), outcome="overall_sat")


def _lmg_room(column: str = "lmg_pct", scale: float = 1.0) -> float:
    return float(_key_drivers().loc["tp_room", column]) * scale


def _r2_alone(column: str) -> float:
    survey = _hotel_survey()[[column, "overall_sat"]].dropna()
    return 100 * float(survey.corr().iloc[0, 1]) ** 2


def _r2(scale: float = 1.0) -> float:
    return float(_key_drivers().attrs["r2"]) * scale


def _ipa_quadrant(column: str) -> str:
    return str(_ipa().loc[column, "quadrant"])


def _ipa_first() -> str:
    table = _ipa()
    return str(table.index[table["priority"] == 1][0]).removeprefix("tp_")


def _quadrants() -> dict[str, set[str]]:
    out = _labels_of("drivers.quadrant")
    out["concentrate_here"] |= {"concentrate", "fix", "concentrate here"}
    out["keep_up"] |= {"keep up the good work", "keep up"}
    return out


def _why_choices() -> dict[str, set[str]]:
    return {c: {c} for c in "ABCD"}


# --------------------------------------------------------------------------- registry
def _touchpoint_choices() -> dict[str, set[str]]:
    return _touchpoints("hotel")


# 01 · touchpoints and the journey ------------------------------------------------
_task("01.1", "use_touchpoints", "set", lambda: _use_touchpoints(), "01.map",
      choices=_touchpoint_choices,
      mistakes=(Mistake("purchase", when=lambda a: bool(a & _use_touchpoints(stage="purchase"))),
                Mistake("feedback", when=lambda a: bool(a & _use_touchpoints(stage="feedback")))))
_task("01.2", "lowest_step", "choice", _emotion_lowest, "01.curve",
      choices=_touchpoint_choices,
      mistakes=(Mistake("highest", alt=_emotion_highest),
                Mistake("importance", alt=lambda: _mot_by("cost"), see="01.mot")))
_task("01.3", "mot_top", "choice", lambda: _mot_by("cost"), "01.mot",
      choices=_touchpoint_choices,
      mistakes=(Mistake("lowest_mean", alt=_emotion_lowest, see="01.curve"),
                Mistake("difference", alt=lambda: _mot_by("difference"))))
_task("01.4", "detractor_pct_long_wait", "number",
      lambda: _detractor_pct(lambda j: j["checkin_wait_min"] > 15), "01.wait", tol=0.051, points=2,
      mistakes=(Mistake("share", alt=lambda: _detractor_pct(lambda j: j["checkin_wait_min"] > 15) / 100),
                Mistake("short", alt=lambda: _detractor_pct(lambda j: j["checkin_wait_min"] <= 15)),
                Mistake("reverse", alt=_long_wait_share_of_detractors),
                Mistake("missing", alt=lambda: _detractor_pct(lambda j: j["checkin_wait_min"] > 15,
                                                              missing_in_n=True)),
                Mistake("passives", alt=lambda: _detractor_pct_upto(8))))
_task("01.5", "web_leak", "pair", lambda: _leak("web"), "01.funnel",
      choices=_funnel_steps,
      mistakes=(Mistake("app", alt=lambda: _leak("app")),
                Mistake("reversed", when=lambda a: len(a) == 2 and a == tuple(reversed(_leak("web")))),
                Mistake("length", when=lambda a: len(a) != 2)))
_task("01.6", "web_lift_points", "number",
      lambda: 100 * float(_before_after().loc["web", "difference"]), "01.release", tol=0.051, points=2,
      mistakes=(Mistake("share", alt=lambda: float(_before_after().loc["web", "difference"])),
                Mistake("relative", alt=lambda: 100 * float(_before_after().loc["web", "relative_lift"])),
                Mistake("relative_share", alt=lambda: float(_before_after().loc["web", "relative_lift"])),
                Mistake("app", alt=lambda: 100 * float(_before_after().loc["app", "difference"])),
                Mistake("sign", alt=lambda: -100 * float(_before_after().loc["web", "difference"]))))


def _detractor_pct_upto(top: int) -> float:
    """Share (%) answering 0…top among long waits: the 'passives are detractors too' mistake."""
    joined = _waits().dropna(subset=["nps"])
    sub = joined.loc[joined["checkin_wait_min"] > 15, "nps"]
    return 100 * float((sub <= top).mean())


# 02 · measuring experience --------------------------------------------------------
_task("02.1", "nps_points", "number", _nps_points, "02.nps", tol=0.051,
      mistakes=(Mistake("fraction", alt=lambda: _nps_points() / 100),
                Mistake("rescaled", alt=lambda: (_nps_points() + 100) / 2),
                Mistake("eight", alt=lambda: _nps_shifted(promoter_from=8)),
                Mistake("six", alt=lambda: _nps_shifted(detractor_to=5)),
                Mistake("missing", alt=lambda: _nps_shifted(include_missing=True)),
                Mistake("promoters", alt=lambda: 100 * _nps_counts()[0] / sum(_nps_counts())),
                Mistake("counts", alt=lambda: float(_nps_counts()[0] - _nps_counts()[2]))))
_task("02.2", "nps_margin", "number", _nps_margin, "02.margin", tol=0.051,
      mistakes=(Mistake("se", alt=_nps_se),
                Mistake("width", alt=lambda: 2 * _nps_margin()),
                Mistake("fraction", alt=lambda: _nps_margin() / 100),
                Mistake("conf90", alt=lambda: _nps_margin(0.90))))
_task("02.3", "n_needed", "integer", _sample_size, "02.planning", tol=0.0,
      mistakes=(Mistake("floor", alt=_sample_size_floor),
                Mistake("worst", alt=lambda: _sample_size(worst=True)),
                Mistake("margin6", alt=lambda: _sample_size(margin=6.0)),
                Mistake("fraction", when=lambda a: 0 < a < 100)))
_task("02.4", "dip_points", "number", _city_dip, "02.trend", tol=0.051, points=2,
      mistakes=(Mistake("sign", alt=lambda: -_city_dip()),
                Mistake("all_city", alt=lambda: _city_dip("all_city")),
                Mistake("everyone", alt=lambda: _city_dip("everyone"))))
_task("02.5", "csat_pct", "number", _csat, "02.csat", tol=0.051,
      mistakes=(Mistake("fraction", alt=lambda: _csat() / 100),
                Mistake("top1", alt=lambda: _csat(top=1)),
                Mistake("top3", alt=lambda: _csat(top=3)),
                Mistake("csi", alt=_csi)))
_task("02.6", "p_value", "number", _resort_city_p, "02.test", tol=0.0006,
      mistakes=(Mistake("unadjusted", alt=lambda: _resort_city_p(adjusted=False)),
                Mistake("rest", alt=lambda: _rest_p("p_adjusted")),
                Mistake("rest_raw", alt=lambda: _rest_p("p_value")),
                Mistake("one_sided", alt=lambda: _resort_city_p() / 2)))

# 03 · KANO -------------------------------------------------------------------------
_task("03.1", "pair_categories", "list", _kano_pairs, "03.table", choices=_kano_categories,
      mistakes=(Mistake("swapped", alt=lambda: _kano_pairs(swap=True)),
                Mistake("length", when=lambda a: len(a) != len(_KANO_PAIRS))))
_task("03.2", "wifi_category", "choice", lambda: _kano_category("wifi"), "03.survey",
      choices=_kano_categories,
      mistakes=(Mistake("one_dimensional", when=lambda a: a == "O"),
                Mistake("attractive", when=lambda a: a == "A")))
_task("03.3", "wifi_worse", "number", lambda: _kano_worse("wifi"), "03.better_worse", tol=0.0051,
      mistakes=(Mistake("sign", alt=lambda: -_kano_worse("wifi")),
                Mistake("with_rq", alt=lambda: _kano_worse("wifi", with_rq=True)),
                Mistake("better", alt=lambda: _kano_worse("wifi", better=True)),
                Mistake("percent", alt=lambda: 100 * _kano_worse("wifi"))))
_task("03.4", "mixed_feature", "choice", _kano_mixed, "03.fong", choices=_kano_features)

# 04 · SERVQUAL ---------------------------------------------------------------------
_task("04.1", "responsiveness_gap", "number", lambda: _sq_gap("responsiveness"), "04.gaps", tol=0.0051,
      mistakes=(Mistake("sign", alt=lambda: -_sq_gap("responsiveness")),
                Mistake("perception", alt=lambda: _sq_gap("responsiveness", "perception")),
                Mistake("expectation", alt=lambda: _sq_gap("responsiveness", "expectation"))))
_task("04.2", "airport_worst", "choice", _sq_airport, "04.by_hotel", choices=_sq_dimensions,
      mistakes=(Mistake("elsewhere", alt=_sq_largest_elsewhere),
                Mistake("smallest", alt=lambda: _sq_airport("max"))))
_task("04.3", "airport_weighted", "number", _sq_weighted, "04.weighted", tol=0.0051,
      mistakes=(Mistake("unweighted", alt=lambda: _sq_weighted("unweighted")),
                Mistake("points", alt=lambda: _sq_weighted(scale=100.0))))
_task("04.4", "responsiveness_alpha", "number", _sq_alpha, "04.alpha", tol=0.0051,
      mistakes=(Mistake("expectation", alt=lambda: _sq_alpha("e")),
                Mistake("gaps", alt=lambda: _sq_alpha("gap"))))

# 05 · drivers and priorities -------------------------------------------------------
_task("05.1", "room_lmg_pct", "number", _lmg_room, "05.lmg", tol=0.051,
      mistakes=(Mistake("fraction", alt=lambda: _lmg_room(scale=0.01)),
                Mistake("rw", alt=lambda: _lmg_room("rw_pct")),
                Mistake("alone", alt=lambda: _r2_alone("tp_room"))))
_task("05.2", "r2", "number", _r2, "05.data", tol=0.0051,
      mistakes=(Mistake("percent", alt=lambda: _r2(100.0)),
                Mistake("r", alt=lambda: math.sqrt(_r2()))))
_task("05.3", "wifi_quadrant", "choice", lambda: _ipa_quadrant("tp_wifi"), "05.ipa", choices=_quadrants,
      mistakes=(Mistake("concentrate", when=lambda a: a == "concentrate_here"),))
_task("05.4", "fix_first", "choice", _ipa_first, "05.ipa", choices=_touchpoint_choices, points=2,
      mistakes=(Mistake("lowest", alt=_emotion_lowest),
                Mistake("checkin", when=lambda a: a == "checkin")))
_task("05.5", "why", "choice", lambda: "B", "05.ipa", choices=_why_choices,
      mistakes=(Mistake("A", when=lambda a: a == "A"),
                Mistake("C", when=lambda a: a == "C"),
                Mistake("D", when=lambda a: a == "D")))


# --------------------------------------------------------------------------- 06 customer value
def _stays() -> pd.DataFrame:
    return _load("hotel", "stays")


def _repeat(scale: float = 100.0, what: str = "rate") -> float:
    from cxlib import value

    result = value.repeat_rate(_stays(), "guest_id", "checkin_date")
    return float(result.count) if what == "count" else result.rate * scale


def _repeat_stays_share() -> float:
    stays = _stays()
    return 100 * float(stays["guest_id"].duplicated().mean())


def _churn(window: int = 365, scale: float = 100.0) -> float:
    from cxlib import value

    return value.churn_rate(_stays(), "guest_id", "checkin_date", window_days=window).rate * scale


CLV_MARGIN, CLV_DISCOUNT = 300.0, 0.10


def _clv(retention: float | None = None, discount: float = CLV_DISCOUNT) -> float:
    from cxlib import value

    r = 1 - _churn() / 100 if retention is None else retention
    return float(value.clv(CLV_MARGIN, r, discount))


def _champions(segment: str = "champions") -> float:
    from cxlib import value

    summary = value.rfm_summary(_stays(), "guest_id", "checkin_date", "spend", include_first_transaction=True)
    scores = value.rfm_scores(summary)
    return float((scores["segment"] == segment).sum())


# --------------------------------------------------------------------------- 07 HEART
@cache
def _sessions() -> pd.DataFrame:
    from cxlib import heart

    return heart.sessions(_events())


def _release() -> pd.Timestamp:
    return pd.Timestamp(_release_date())


def _adoption(among: str | None = "payment", days: int = 30, scale: float = 100.0) -> float:
    from cxlib import heart

    table = heart.adoption(_sessions(), _release(), within_days=days, among_step=among)
    return float(table["adoption"].iloc[0]) * scale


def _happiness(platform: str = "web", metric: str = "csat", scale: float = 1.0) -> float:
    from cxlib import heart

    table = heart.happiness(_load("ecommerce", "survey"), platform=None, by="platform")
    row = table[(table["platform"] == platform) & (table["metric"] == metric)]
    return float(row["value"].iloc[0]) * scale


def _task_success(platform: str = "web", column: str = "completion_rate", scale: float = 100.0) -> float:
    from cxlib import heart

    table = heart.task_success(_sessions(), by="platform").set_index("platform")
    return float(table.loc[platform, column]) * scale


HEART_SIGNALS = ("task_success", "happiness", "engagement", "adoption", "retention")


def _heart_dims() -> dict[str, set[str]]:
    out = _labels_of("heart.dim")
    for key in out:
        out[key] |= {key.replace("_", " ")}
    out.setdefault("task_success", set()).update({"task success", "success", "任务完成度", "任务完成"})
    out["happiness"] |= {"愉悦度", "愉悦"}
    out["engagement"] |= {"参与度", "参与"}
    out["adoption"] |= {"接受度", "采用率", "接受"}
    out["retention"] |= {"留存率", "留存"}
    return out


# --------------------------------------------------------------------------- 08 voice of the customer
VOC_SENTENCES = ("The room was not clean", "not bad", "It was okay.", "没有热水")


def _sentiments(naive: bool = False) -> tuple[str, ...]:
    from cxlib import voc

    if naive:  # the words alone, without the negation: "clean" is good, "bad" is bad, "没有" is nothing
        return ("positive", "negative", "neutral", "neutral")
    return tuple(str(s) for s in voc.score_sentiment(list(VOC_SENTENCES))["sentiment"])


def _sentiment_choices() -> dict[str, set[str]]:
    out = _labels_of("voc.sentiment")
    out["negative"] |= {"neg", "消极", "负面"}
    out["positive"] |= {"pos", "积极", "正面"}
    out["neutral"] |= {"中性"}
    return out


@cache
def _hotel_tagged() -> pd.DataFrame:
    from cxlib import voc

    reviews = _load("hotel", "reviews")
    return voc.tag_themes(reviews["text"], reviews["lang"], voc.load_themes("hotel"))


@cache
def _star_lift() -> pd.DataFrame:
    from cxlib import voc

    reviews = _load("hotel", "reviews")
    return voc.theme_lift(_hotel_tagged(), voc.star_groups(reviews["rating"]), polarity="negative")


def _lift_value(theme: str, column: str, scale: float = 100.0) -> float:
    table = _star_lift().set_index("theme")
    return float(table.loc[theme, column]) * scale


def _cleanliness_all_reviews() -> float:
    tagged = _hotel_tagged()
    complaints = tagged[(tagged["theme"] == "room_cleanliness") & (tagged["sentiment"] == "negative")]
    return 100 * complaints["review"].nunique() / len(_load("hotel", "reviews"))


def _reason_rank(rank: int = 2, by: str = "lift") -> str:
    if by == "lift":
        return str(_star_lift()["theme"].iloc[rank - 1])
    counts = _hotel_tagged()["theme"].value_counts()
    return str(counts.index[rank - 1])


def _voc_themes() -> dict[str, set[str]]:
    from cxlib import voc

    themes = voc.load_themes("hotel")
    en, zh = voc.theme_labels(themes, "en"), voc.theme_labels(themes, "zh")
    return {key: {key, key.replace("_", " "), en[key], zh[key]} for key in themes}


# --------------------------------------------------------------------------- 09 experience pays
def _x_meets_o(dedupe: bool = True, drop_first: bool = True) -> pd.DataFrame:
    survey, outcomes = _hotel_survey(), _load("hotel", "outcomes")
    rows = survey.dropna(subset=["nps"]) if drop_first else survey
    rows = rows.sort_values("survey_date", kind="stable")
    if dedupe:
        rows = rows.drop_duplicates("guest_id", keep="last")
    if not drop_first:
        rows = rows.dropna(subset=["nps"])
    return rows.merge(outcomes, on="guest_id", validate="one_to_one" if dedupe else "many_to_one")


@cache
def _by_group(dedupe: bool = True) -> pd.DataFrame:
    from cxlib import drivers

    result = drivers.outcomes_by_nps_group(_x_meets_o(dedupe), "nps", ["returned_12m", "revenue_12m"])
    return result.summary.set_index(["outcome", "group"])["estimate"]


def _return_pct(group: str = "promoters", dedupe: bool = True, scale: float = 100.0) -> float:
    if group == "all":
        return 100 * float(_x_meets_o()["returned_12m"].mean())
    return float(_by_group(dedupe)[("returned_12m", group)]) * scale


def _revenue_ratio(kind: str = "mean") -> float:
    est = _by_group()
    ratio = est[("revenue_12m", "promoters")] / est[("revenue_12m", "detractors")]
    if kind == "inverse":
        return float(1 / ratio)
    if kind == "sum":
        joined = _x_meets_o()
        pro = joined.loc[joined["nps"] >= 9, "revenue_12m"].sum()
        det = joined.loc[joined["nps"] <= 6, "revenue_12m"].sum()
        return float(pro / det)
    if kind == "difference":
        return float(est[("revenue_12m", "promoters")] - est[("revenue_12m", "detractors")])
    return float(ratio)


def _odds(column: str = "odds_ratio", power: float = 1.0) -> float:
    from cxlib import drivers

    fit = drivers.repurchase_model(_x_meets_o(), "returned_12m", ["nps"])
    return float(fit.loc["nps", column]) ** power


@cache
def _risk():
    from cxlib import drivers

    return drivers.revenue_at_risk(_x_meets_o(), "nps", "revenue_12m")


# --------------------------------------------------------------------------- 10 the CX report (BEST)
def _hotel_return_pct(scale: float = 100.0, surveyed: bool = False) -> float:
    outcomes = _load("hotel", "outcomes")
    if surveyed:
        outcomes = outcomes[outcomes["guest_id"].isin(_hotel_survey()["guest_id"])]
    return float(outcomes["returned_12m"].mean()) * scale


def _weakest(measure: str = "nps") -> str:
    from cxlib import metrics

    survey = _hotel_survey()
    if measure == "nps":
        table = metrics.nps_by(survey, "nps", "property_id").set_index("property_id")["nps"]
    else:
        table = survey.groupby("property_id")["overall_sat"].mean()
    return str(table.idxmin())


def _properties() -> dict[str, set[str]]:
    return _labels_of("property")


@cache
def _nps_lift() -> pd.DataFrame:
    from cxlib import voc

    reviews = _load("hotel", "reviews")
    answers = reviews[["stay_id"]].merge(_hotel_survey()[["stay_id", "nps"]], on="stay_id", how="left",
                                         validate="many_to_one")["nps"]
    groups = voc.nps_groups(answers.set_axis(reviews.index))
    return voc.theme_lift(_hotel_tagged(), groups, polarity="negative")


def _mot_value(touchpoint: str = "room", column: str = "cost") -> float:
    table = _mot().set_index("touchpoint")
    return float(table.loc[touchpoint, column])


# 06 · customer value ----------------------------------------------------------------
_task("06.1", "repeat_pct", "number", _repeat, "06.repeat", tol=0.051,
      mistakes=(Mistake("share", alt=lambda: _repeat(scale=1.0)),
                Mistake("count", alt=lambda: _repeat(what="count")),
                Mistake("stays", alt=_repeat_stays_share)))
_task("06.2", "churn_pct", "number", _churn, "06.repeat", tol=0.051,
      mistakes=(Mistake("share", alt=lambda: _churn(scale=1.0)),
                Mistake("default_window", alt=lambda: _churn(window=90)),
                Mistake("complement", alt=lambda: 100 - _repeat())))
_task("06.3", "clv_value", "number", _clv, "06.clv", tol=0.51, points=2,
      mistakes=(Mistake("churn_as_retention", alt=lambda: _clv(retention=_churn() / 100)),
                Mistake("percent_discount", alt=lambda: _clv(discount=100 * CLV_DISCOUNT))))
_task("06.4", "n_champions", "integer", _champions, "06.rfm",
      mistakes=(Mistake("loyal", alt=lambda: _champions(segment="loyal")),))

# 07 · HEART -------------------------------------------------------------------------
_task("07.1", "adoption_pct", "number", _adoption, "07.adoption", tol=0.051, points=2,
      mistakes=(Mistake("all_users", alt=lambda: _adoption(among=None)),
                Mistake("share", alt=lambda: _adoption(scale=1.0)),
                Mistake("share_all", alt=lambda: _adoption(among=None, scale=1.0))))
_task("07.2", "web_csat", "number", _happiness, "07.happiness", tol=0.051,
      mistakes=(Mistake("app", alt=lambda: _happiness("app")),
                Mistake("nps", alt=lambda: _happiness("web", "nps")),
                Mistake("share", alt=lambda: _happiness(scale=0.01))))
_task("07.3", "web_completion_pct", "number", _task_success, "07.task_success", tol=0.051,
      mistakes=(Mistake("app", alt=lambda: _task_success("app")),
                Mistake("error", alt=lambda: _task_success(column="error_rate")),
                Mistake("share", alt=lambda: _task_success(scale=1.0))))
_task("07.4", "signal_dimensions", "list", lambda: HEART_SIGNALS, "07.dimensions", choices=_heart_dims,
      mistakes=(Mistake("adoption_engagement", when=lambda a: len(a) == 5 and a[2] == "adoption"
                        and a[3] == "engagement"),
                Mistake("retention", when=lambda a: len(a) == 5 and a[4] != "retention"),
                Mistake("length", when=lambda a: len(a) != len(HEART_SIGNALS))))

# 08 · voice of the customer ---------------------------------------------------------
_task("08.1", "sentence_sentiments", "list", _sentiments, "08.sentiment", choices=_sentiment_choices,
      mistakes=(Mistake("naive", alt=lambda: _sentiments(naive=True)),
                Mistake("length", when=lambda a: len(a) != len(VOC_SENTENCES))))
_task("08.2", "cleanliness_detractor_pct", "number", lambda: _lift_value("room_cleanliness", "rate_detractor"),
      "08.reasons", tol=0.051, points=2,
      mistakes=(Mistake("share", alt=lambda: _lift_value("room_cleanliness", "rate_detractor", 1.0)),
                Mistake("all_reviews", alt=_cleanliness_all_reviews),
                Mistake("diff", alt=lambda: _lift_value("room_cleanliness", "diff")),
                Mistake("promoter", alt=lambda: _lift_value("room_cleanliness", "rate_promoter"))))
_task("08.3", "second_reason", "choice", _reason_rank, "08.reasons", choices=_voc_themes,
      mistakes=(Mistake("first", alt=lambda: _reason_rank(1)),
                Mistake("mentions", alt=lambda: _reason_rank(2, "mentions"))))

# 09 · experience pays ---------------------------------------------------------------
_task("09.1", "n_guests", "integer", lambda: float(len(_x_meets_o())), "09.join",
      mistakes=(Mistake("rows", alt=lambda: float(len(_x_meets_o(dedupe=False)))),
                Mistake("last_then_drop", alt=lambda: float(len(_x_meets_o(drop_first=False))))))
_task("09.2", "promoter_return_pct", "number", _return_pct, "09.groups", tol=0.051,
      mistakes=(Mistake("share", alt=lambda: _return_pct(scale=1.0)),
                Mistake("detractors", alt=lambda: _return_pct("detractors")),
                Mistake("everyone", alt=lambda: _return_pct("all")),
                Mistake("rows", alt=lambda: _return_pct(dedupe=False))))
_task("09.3", "revenue_ratio", "number", _revenue_ratio, "09.groups", tol=0.0051,
      mistakes=(Mistake("inverse", alt=lambda: _revenue_ratio("inverse")),
                Mistake("sum", alt=lambda: _revenue_ratio("sum")),
                Mistake("difference", alt=lambda: _revenue_ratio("difference"))))
_task("09.4", "odds_ratio", "number", _odds, "09.odds", tol=0.0051,
      mistakes=(Mistake("coef", alt=lambda: _odds("coef")),
                Mistake("five", alt=lambda: _odds(power=5.0))))
_task("09.5", "revenue_gap", "number", lambda: float(_risk().revenue_gap), "09.risk", tol=1.0, points=2,
      mistakes=(Mistake("at_risk", alt=lambda: float(_risk().revenue_at_risk)),
                Mistake("per_detractor", alt=lambda: float(_risk().gap_per_detractor))))

# 10 · the CX report (BEST) ----------------------------------------------------------
_task("10.1", "return_pct", "number", _hotel_return_pct, "09.join", tol=0.051,
      mistakes=(Mistake("share", alt=lambda: _hotel_return_pct(1.0)),))
_task("10.2", "weakest_hotel", "choice", _weakest, "02.segments", choices=_properties)
_task("10.3", "top_complaint", "choice", lambda: str(_nps_lift()["theme"].iloc[0]), "08.reasons",
      choices=_voc_themes,
      mistakes=(Mistake("positive", alt=lambda: str(
          _hotel_tagged().loc[_hotel_tagged()["sentiment"] == "positive", "theme"].value_counts().index[0])),))
_task("10.4", "nps_gain", "number", lambda: _mot_value("room", "cost"), "01.mot", tol=0.051, points=2,
      mistakes=(Mistake("difference", alt=lambda: _mot_value("room", "difference")),
                Mistake("share", alt=lambda: 100 * _mot_value("room", "share_low")),
                Mistake("other", alt=lambda: _mot_value(_emotion_lowest(), "cost"))))
