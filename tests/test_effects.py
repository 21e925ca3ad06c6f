"""Truth in EFFECTS.md: every stated effect size is what the library computes from the sample data."""

import re

import effects_measures
import pytest
from effects_measures import measure

from cxlib import datasets, synth

CASES = [(world, e) for world in synth.WORLDS for e in synth.EFFECTS[world]]


@pytest.fixture(scope="module")
def tables():
    return {world: datasets.load_all(world) for world in synth.WORLDS}


@pytest.mark.parametrize(("world", "effect"), CASES, ids=[f"{w}-{e['id']}" for w, e in CASES])
def test_stated_effect_sizes_are_what_the_data_give(tables, world, effect):
    got = measure(world, effect["id"], tables[world])
    tol = effect["tolerance"]
    for name, stated in effect["values"].items():
        t = tol[name] if isinstance(tol, dict) else tol
        assert got[name] == pytest.approx(stated, abs=t), (name, got[name], stated)
    for check in effect.get("checks", []):
        assert got[check] == 1.0, check


@pytest.mark.parametrize("world", synth.WORLDS)
def test_effects_md_is_rendered_from_the_stated_values(world):
    text = (datasets.sample_dir(world) / "EFFECTS.md").read_text(encoding="utf-8")
    for effect in synth.EFFECTS[world]:
        assert synth.effect_size_text(effect) in text
        assert set(re.findall(r"\{(\w+)", effect["size"])) == set(effect["values"])


def test_every_effect_has_a_measure():
    for world, effect in CASES:
        assert callable(getattr(effects_measures, f"{world}_{effect['id']}", None)), (world, effect["id"])
