"""The queue for EHC needs assessments: concurrent slots and the order cases are picked up.

Assessment capacity (caseworkers and educational psychologists) is a number of
concurrent assessment slots (:meth:`simulation.parameters.Assessment.slots`). A child
decided "to assess" starts at once when a slot is free and nobody is waiting; otherwise
the child waits. When a slot frees, the next child is chosen by the queue discipline:

- ``random``: any waiting child is equally likely to be picked up next. Services take
  cases as diaries, advice from health and care, and case complexity allow, not strictly
  in order of request; with a backlog this gives what SEN2 shows in most areas: some
  plans still issued within 20 weeks and a long tail of late ones, the share within
  20 weeks falling smoothly as the backlog grows. (The cohort model's fluid queue,
  which serves waiting cohorts in proportion, is the same rule in expectation.)
- ``fifo``: strictly in order of the decision to assess. With a backlog of more than a
  few weeks' work nobody is on time, so the 20-week share swings between near 100% and
  near 0% with small changes in capacity.

A cut in capacity never interrupts an assessment under way: the slots in use above the
new capacity are simply not refilled. Plain Python, no SimPy: the model calls it from
its event callbacks and schedules the assessments it starts.
"""

from __future__ import annotations

from collections import deque

import numpy as np

DISCIPLINES = ("random", "fifo")


class AssessmentQueue:
    """Slots in use, the capacity, and the children waiting for a slot.

    ``rng`` supplies the uniform draws of the ``random`` discipline (its own stream,
    so that the draws of every other activity are unchanged by how often it is used).
    """

    def __init__(self, units: int, discipline: str, rng: np.random.Generator) -> None:
        if discipline not in DISCIPLINES:
            raise ValueError(f"queue discipline {discipline!r}; allowed: {', '.join(DISCIPLINES)}")
        self.units = max(int(units), 0)
        self.in_use = 0
        self.random = discipline == "random"
        self.waiting: deque[int] | list[int] = [] if self.random else deque()
        self._rng = rng
        self._draws: list[float] = []

    def __len__(self) -> int:
        """Children waiting for a slot."""
        return len(self.waiting)

    def arrive(self, child: int) -> bool:
        """A child decided "to assess": True if the assessment starts now, else the child waits."""
        if self.in_use < self.units and not self.waiting:
            self.in_use += 1
            return True
        self.waiting.append(child)
        return False

    def finish(self) -> int | None:
        """An assessment finished: the child who takes over its slot now, or ``None``."""
        waiting = self.waiting
        if waiting and self.in_use <= self.units:
            if not self.random:
                return waiting.popleft()  # type: ignore[union-attr]
            # as _next (written out: called once for every assessment finished with a queue)
            draws = self._draws
            if not draws:
                draws = self._draws = self._rng.random(1024).tolist()
            index = int(draws.pop() * len(waiting))
            waiting[index], waiting[-1] = waiting[-1], waiting[index]
            return waiting.pop()
        self.in_use -= 1
        return None

    def set_units(self, units: int) -> list[int]:
        """Capacity changes (1 January): the children who start now on the new slots."""
        self.units = max(int(units), 0)
        started = []
        while self.waiting and self.in_use < self.units:
            self.in_use += 1
            started.append(self._next())
        return started

    def _next(self) -> int:
        if not self.random:
            return self.waiting.popleft()  # type: ignore[union-attr]
        if not self._draws:
            self._draws = self._rng.random(1024).tolist()
        waiting = self.waiting
        index = int(self._draws.pop() * len(waiting))
        waiting[index], waiting[-1] = waiting[-1], waiting[index]
        return waiting.pop()
