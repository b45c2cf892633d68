"""Special places as the discrete-event model holds them: pools of places (a phase, or
all-through) with the children waiting for one, first come first served.

:func:`open_pools` builds a replication's pools from :class:`simulation.parameters.SpecialPlaces`
and schedules each 1 January change of places on the SimPy clock; :func:`home_pool` and
:func:`free_pool` say which pool a child of a phase waits in and takes a place from.
"""

from __future__ import annotations

from collections import deque
from functools import partial

import simpy
from simpy.events import Timeout

from simulation.parameters import POOLS, SpecialPlaces


class PlaceRequest(simpy.Event):
    """A child's wait for a special place: a ``simpy.Event`` that succeeds, with the pool
    that gives the place as its value, when the child is given one; it knows the pool it
    waits in, the child (``-1``: not said) and the time the wait began."""

    def __init__(self, env: simpy.Environment, pool: PlacePool, child: int, since: float) -> None:
        super().__init__(env)
        self.pool = pool
        self.child = child
        self.since = since


#: the pools a child of each phase (0 early years ... 4 post-19) may take a place from, in order
POOL_FOR_PHASE = {0: ("primary", "all"), 1: ("primary", "all"), 2: ("secondary", "all"), 3: ("post16", "all"), 4: ()}


class PlacePool:
    """Special places of one pool (a phase, or all-through): a count of free places and
    the children waiting for one, first come first served.

    Taking a free place is immediate (no event). A waiting child waits in its phase's
    pool (or the all-through pool where its phase has no places of its own) and holds a
    ``simpy.Event`` that a pool triggers, with itself as the value, when it gives the
    child a place; the child's placement changes when that event is processed. A place
    given back to the all-through pool goes to whoever has waited longest in it or in
    any phase pool (``also_serves``): every child of school age can take an all-through
    place. ``deficit`` counts places in use beyond the capacity (after a cut, or a
    starting caseload above it), repaid before places are freed again."""

    def __init__(self, env: simpy.Environment, units: int, name: str) -> None:
        self.env = env
        self.name = name
        self.level = max(units, 0)
        self.deficit = 0
        self.units = units
        # the waits, first come first served; a child who stops waiting is marked (``left``)
        # and passed over when it reaches the head, so the head always waits (and the line
        # is empty exactly when nobody in it waits)
        self.waiting: deque[PlaceRequest] = deque()
        self.left: set[PlaceRequest] = set()
        self.also_serves: list[PlacePool] = []

    def free(self) -> bool:
        return self.level >= 1 and not self.waiting

    def take(self) -> None:
        self.level -= 1

    def take_beyond_capacity(self) -> None:
        self.deficit += 1

    def wait(self, now: float, child: int = -1) -> PlaceRequest:
        """``child`` joins the queue at ``now``: the returned event succeeds, with the pool
        that gives the place as its value, when the child is given a place."""
        event = PlaceRequest(self.env, self, child, now)
        self.waiting.append(event)
        return event

    def leave(self, event: PlaceRequest) -> None:
        """A waiting child stops waiting (moved on, or plan ceased); a place granted to
        it at this instant but not yet taken up is given back to the pool that gave it."""
        if event.triggered:
            event.callbacks.clear()
            granted = event.value  # the pool that gave the place
            if granted is not None:
                granted.release()
        else:
            self.left.add(event)
            self._pass_over()

    def _pass_over(self) -> None:
        """Drop from the head of the line the children who no longer wait."""
        waiting, left = self.waiting, self.left
        while waiting and waiting[0] in left:
            left.discard(waiting.popleft())

    def release(self) -> None:
        if self.deficit > 0:
            self.deficit -= 1
        else:
            self._add(1)

    def _add(self, places: int) -> None:
        self.level += places
        while self.level >= 1:
            line = self if self.waiting else None
            for other in self.also_serves:
                if other.waiting and (line is None or other.waiting[0].since < line.waiting[0].since):
                    line = other
            if line is None:
                return
            self.level -= 1
            line.waiting.popleft().succeed(self)
            line._pass_over()

    def set_units(self, units: int) -> None:
        delta = units - self.units
        self.units = units
        if delta > 0:
            repaid = min(self.deficit, delta)
            self.deficit -= repaid
            if delta - repaid > 0:
                self._add(delta - repaid)
        elif delta < 0:
            taken = min(self.level, -delta)
            self.level -= taken
            self.deficit += -delta - taken


def set_units_on_1_january(pool: PlacePool, units: int, event: simpy.Event) -> None:
    """A pool's places change on a 1 January (a SimPy callback)."""
    pool.set_units(units)


def open_pools(
    env: simpy.Environment, special_places: SpecialPlaces, start_year: int, horizon: int
) -> tuple[dict[str, PlacePool], dict[str, bool]]:
    """The pools of places at the start of the run (January ``start_year``), with their
    changes on each later 1 January scheduled on ``env``, the run's last (January
    ``start_year + horizon``) included: the places that open then are given before the
    last count, as every earlier January's are (:meth:`simulation.model._Model._run_plans`);
    and, by pool, whether it has places in the run's years before that. Unconstrained
    places (``blocks=None``): no pools."""
    if not special_places.constrained:
        return {}, {}
    places = special_places.places_by_year(start_year, horizon + 1)
    pools: dict[str, PlacePool] = {}
    for name in POOLS:
        units = places[name].tolist()
        pools[name] = PlacePool(env, int(units[0]), name)
        for k in range(1, len(units)):
            if units[k] != units[k - 1]:
                Timeout(env, float(k)).callbacks.append(partial(set_units_on_1_january, pools[name], units[k]))
    pools["all"].also_serves = [pool for name, pool in pools.items() if name != "all"]
    return pools, {name: bool(places[name][:horizon].max() > 0) for name in POOLS}


def home_pool(pools: dict[str, PlacePool], ever_open: dict[str, bool], phase: int) -> PlacePool:
    """The pool a child of ``phase`` waits in: its phase's, unless that phase never has
    places of its own in the run (then all-through)."""
    name = POOL_FOR_PHASE[phase][0]
    if pools[name].units > 0 or ever_open[name]:
        return pools[name]
    return pools["all"]


def free_pool(pools: dict[str, PlacePool], phase: int) -> PlacePool | None:
    """The first pool with a free place for a child of ``phase`` (its phase's, then
    all-through), or ``None``."""
    for name in POOL_FOR_PHASE[phase]:
        pool = pools[name]
        if pool.free():
            return pool
    return None
