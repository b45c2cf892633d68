"""A replication's model is freed by reference counting as soon as it has run: nothing of it
is left for Python's cycle collector, whose passes over the model's lists of every child
cost milliseconds a replication (``simulate`` pauses the collector while it runs)."""

from __future__ import annotations

import dataclasses
import gc

from simulation.examples import gloucestershire_example
from simulation.model import _Model, simulate
from simulation.parameters import PlaceBlock, SpecialPlaces


def test_a_replication_with_children_waiting_for_places_leaves_no_model_behind():
    places = SpecialPlaces(blocks=(PlaceBlock("all", 900),), overflow_policy="wait", overflow_rate_per_year=0.5)
    params = dataclasses.replace(gloucestershire_example(horizon=4), special_places=places)
    paused = gc.isenabled()
    gc.disable()
    try:
        result = simulate(params, 3, 0)
        left = [thing for thing in gc.get_objects() if isinstance(thing, _Model)]
    finally:
        if paused:
            gc.enable()
    assert result.stocks[("waiting_special_place", "")][-1] > 0  # children were waiting at the end
    assert not left
