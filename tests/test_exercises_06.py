"""Exercise 06 (customer value): one notebook for both worlds.

The trainer's solution passes on the hotel, on the shop and on another seed; the blank fails; a number typed
from the sample data's answer fails on the other world and on another seed; every recognised mistake gets its own hint on both
worlds; the expected values follow the definitions, recomputed here by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_exercises import _run_in_process as _run
from test_exercises_1112 import _notebook as _notebook_of

from cxwb import exercises

VARIANTS = {  # the notebook's parameters (as the grader injects them) → the variant the grader judges on
    "shop": {"dataset": "ecommerce", "seed": None},
    "hotel": {"dataset": "hotel", "seed": None},
    "shop-seed3": {"dataset": "ecommerce", "seed": 3},
}
TASK_IDS = [t.id for t in exercises.tasks_of("06")]
_DIGITS = {t.id: {0.0: 0, 0.51: 0, 0.051: 1}[t.tol] for t in exercises.tasks_of("06")}  # as a student would round


def _notebook(params: dict | None = None, student: bool = False):
    return _notebook_of("06", params, student)


SOLVED = ("hotel", "shop", "shop-seed3")  # the solution runs on these
MISTAKEN = ("hotel", "shop")  # every mistake is checked on both worlds


@pytest.fixture(scope="module")
def judged():
    """Everything judged on each variant, inside one variant context per variant (the data are read once each).

    ``expected`` (task → value), ``solution`` and ``blank`` (grade rows of the trainer's notebook and of the
    student version, run in-process with the variant's parameters) and ``mistakes`` ((task, index) → the value
    the mistake produces and its verdict).
    """
    out = {}
    for name, params in VARIANTS.items():
        with exercises.variant(params):
            got = {"expected": {tid: exercises.TASKS[tid].expected() for tid in TASK_IDS}}
            if name in SOLVED:
                got["solution"] = exercises.grade_namespace("06", _run(_notebook(params)))
            if name == "shop":
                got["blank"] = exercises.grade_namespace("06", _run(_notebook(params, student=True)))
            if name == "hotel":  # numbers typed from the shop's answers, checked on the hotel
                got["typed_from_shop"] = {tid: exercises.evaluate(tid, round(float(out["shop"]["expected"][tid]), _DIGITS[tid]))
                                          for tid in TASK_IDS}
            if name in MISTAKEN:
                got["mistakes"] = {}
                for tid in TASK_IDS:
                    for i, mistake in enumerate(exercises.TASKS[tid].mistakes):
                        wrong = mistake.alt()
                        got["mistakes"][tid, i] = (wrong, exercises.evaluate(tid, wrong))
        out[name] = got
    return out


def test_notebook_reads_roles_and_never_branches_on_the_world():
    nb = _notebook()
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    assert "dataset ==" not in code and "if dataset" not in code
    assert '"hotel"' not in code and '"ecommerce"' not in code and "guest_id" not in code and "customer_id" not in code
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert {"dataset", "seed", "lang"} <= {line.split("=")[0].strip() for line in params.splitlines()}
    assert 'start("06", lang, dataset=dataset, seed=seed)' in code


@pytest.mark.parametrize("variant", SOLVED)
def test_solution_passes_on_both_worlds_and_a_seed(variant, judged):
    rows = judged[variant]["solution"]
    assert [r["task"] for r in rows] == TASK_IDS
    assert all(r["passed"] for r in rows), [(r["task"], r["key"]) for r in rows if not r["passed"]]


def test_blank_fails_on_the_shop_too(judged):
    rows = judged["shop"]["blank"]
    assert {r["key"] for r in rows} == {"ex.msg.unanswered"} and not any(r["passed"] for r in rows)


#: for each task, the variant a value is typed from and the variants on which it must fail
TYPED = {tid: [("hotel", "shop"), ("shop", "hotel"), ("shop", "shop-seed3")] for tid in TASK_IDS}


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_a_value_typed_from_the_sample_data_fails_on_another_variant(task_id, judged):
    """A typed number passes exactly when it lies within the task's tolerance of the variant's value."""
    task = exercises.TASKS[task_id]
    for source, target in TYPED[task_id]:
        typed = round(float(judged[source]["expected"][task_id]), _DIGITS[task_id])
        assert exercises._same(task, typed, judged[source]["expected"][task_id]), (task_id, source)
        assert not exercises._same(task, typed, judged[target]["expected"][task_id]), (task_id, source, target)
    assert not judged["hotel"]["typed_from_shop"][task_id].passed  # and through the check itself


@pytest.mark.parametrize("variant", MISTAKEN)
def test_each_mistake_gets_its_hint_in_both_worlds(variant, judged):
    assert len(judged[variant]["mistakes"]) == sum(len(exercises.TASKS[t].mistakes) for t in TASK_IDS)
    for (task_id, index), (_, verdict) in judged[variant]["mistakes"].items():
        task = exercises.TASKS[task_id]
        assert not verdict.passed and verdict.key == f"ex.06.{task_id[3:]}.{task.mistakes[index].key}", (task_id, index)
        for lang in ("en", "zh"):
            text = exercises.message(verdict, lang)
            assert text.startswith("❌") and ("lesson 06," if lang == "en" else "第 06 课") in text
            for digits in (1, 2):
                assert f"{float(judged[variant]['expected'][task_id]):.{digits}f}" not in text


def test_expected_values_follow_the_definitions_by_hand(judged):
    """Repeat rate, churn rate and CLV recomputed with pandas from the roles, without cxlib.value."""
    from cxlib import datasets, roles

    for name in ("hotel", "shop"):
        expected = {name: judged[name]["expected"]}
        world = VARIANTS[name]["dataset"]
        role = roles.of(world).transactions
        tx = datasets.load(world, role.table)
        days = tx.assign(day=tx[role.time].dt.normalize()).drop_duplicates([role.customer, "day"])
        per = days.groupby(role.customer)["day"].agg(["min", "max", "size"])
        assert expected[name]["06.1"] == pytest.approx(100 * (per["size"] > 1).mean())
        gaps = days.sort_values([role.customer, "day"]).groupby(role.customer)["day"].diff().dt.days.dropna()
        window = int(30 * np.ceil(np.quantile(gaps, 0.9) / 30))
        end = days["day"].max()
        eligible = (end - per["min"]).dt.days >= window
        churned = eligible & ((end - per["max"]).dt.days >= window)
        assert expected[name]["06.2"] == pytest.approx(100 * churned.sum() / eligible.sum())
        margin = tx[role.margin] if role.margin else 0.30 * tx[role.amount]
        recent = (tx[role.time].dt.normalize() > end - pd.Timedelta(days=window)).to_numpy()
        m = margin[recent].sum() / tx.loc[recent, role.customer].nunique()
        r, d = 1 - churned.sum() / eligible.sum(), 1.1 ** (window / 365) - 1
        assert expected[name]["06.3"] == pytest.approx(m * r / (1 + d - r))
