"""Several runs of the cohort engine stepped together: the same numbers, bit for bit, as
running them one at a time (:func:`simulation.cohort.expected_arrays`), in a fraction of
the time when the runs are many and small.

A fit's finite-difference Jacobian runs the engine once for each free parameter, on
parameters that differ in a value or two: each step of the engine is a few dozen numpy
operations on arrays of a few hundred numbers, so a run's time is mostly the operations'
fixed cost, not their arithmetic. Here the runs' state arrays are stacked on a leading
axis (one row a run) and each operation of a step is done once for all of them: the same
element-wise arithmetic, and every sum taken over the same numbers in the same order as a
single run takes it (sums by single year of age as :func:`numpy.bincount` does, one value
after another; the matrix products run by run), so each run's results are exactly its own.

Each run is set up by :class:`simulation.cohort._CohortRun` as usual (its rates, placement
mix and starting state) and its results assembled as usual: only the time steps are
shared. Runs that cannot share steps (a different horizon, steps a year, delay
distributions' lengths, capacity rule, age limits or placement-move ages, or early
identification with its second flag) are run one at a time instead: the results are the
same either way.

Time and units as :mod:`simulation.cohort`: step ``w`` covers ``[w, w + 1) / spy`` years from
1 January of ``start_year``; stocks on 1 January (census year), flows by calendar year,
expected children.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from simulation.cohort import _CohortRun, _finish, _sum, advance, remaining_pmf
from simulation.parameters import AGES, Parameters


def expected_arrays_batch(
    params: Sequence[Parameters],
    steps_per_year: int = 52,
    *,
    start_by_age_placement: Sequence[np.ndarray | None] | None = None,
    wanted: frozenset | None = None,
) -> list[tuple[dict, dict]]:
    """:func:`simulation.cohort.expected_arrays` of each parameter set, in order (the same
    numbers); ``start_by_age_placement``: one starting table (or ``None``) per run;
    ``wanted``: the ``(measure, breakdown)`` keys the caller reads (the breakdowns by age,
    band and phase and the costs not among them are left out; ``None``: everything)."""
    joints: list[np.ndarray | None] = (
        [None] * len(params) if start_by_age_placement is None else list(start_by_age_placement)
    )
    return _run_batch(list(params), steps_per_year, joints, None, wanted)


def placements_given_new_plans_batch(
    params: Sequence[Parameters],
    new_plans: np.ndarray,
    steps_per_year: int = 52,
    *,
    start_by_age_placement: Sequence[np.ndarray | None] | None = None,
    wanted: frozenset | None = None,
) -> list[dict]:
    """:func:`simulation.cohort.placements_given_new_plans` of each parameter set with the
    same replayed ``new_plans``, in order (the same numbers); ``wanted``: as
    :func:`expected_arrays_batch`."""
    for p in params:
        if new_plans.shape != (p.horizon * steps_per_year, AGES * steps_per_year):
            raise ValueError(
                f"new_plans: expected shape {(p.horizon * steps_per_year, AGES * steps_per_year)}, "
                f"found {new_plans.shape}"
            )
    joints: list[np.ndarray | None] = (
        [None] * len(params) if start_by_age_placement is None else list(start_by_age_placement)
    )
    return [stocks for stocks, _ in _run_batch(list(params), steps_per_year, joints, new_plans, wanted)]


def _run_batch(
    params: list[Parameters],
    spy: int,
    joints: list[np.ndarray | None],
    replay: np.ndarray | None,
    wanted: frozenset | None = None,
) -> list[tuple[dict, dict]]:
    if len(joints) != len(params):
        raise ValueError(f"start_by_age_placement: {len(joints)} tables for {len(params)} parameter sets")
    # where results are counted: set up for the first run only, the rest count theirs in the
    # shared arrays (or, if the runs cannot share steps, are set up here after all)
    runs = [_CohortRun(p, spy, joint, replay, results=i == 0) for i, (p, joint) in enumerate(zip(params, joints))]
    if len(runs) > 1 and _can_share_steps(runs):
        _SharedSteps(runs).run()
        return [_finish(run, last_january=False, wanted=wanted) for run in runs]
    for run in runs[1:]:
        run._set_up_results()
    for run in runs:
        for w in range(run.steps):
            run.step(w)
    return [_finish(run, wanted=wanted) for run in runs]


#: What the runs stepped together must have in common (attributes of ``_CohortRun``).
_COMMON = (
    "steps",
    "a0",
    "nb",
    "spy",
    "n_flags",
    "k_dec",
    "k_ass",
    "responsive",
    "leave_pos",
    "max_pos",
    "max_age_index",
    "september_step",
    "counting_flows",
    "cease_names",
)


def _can_share_steps(runs: list[_CohortRun]) -> bool:
    first = runs[0]
    if first.n_flags != 1:  # early identification's second flag: stepped one run at a time
        return False
    for run in runs[1:]:
        if any(getattr(run, name) != getattr(first, name) for name in _COMMON):
            return False
        if (run.slots is None) != (first.slots is None) or run.replay is not first.replay:
            return False
        if not np.array_equal(run.old_enough, first.old_enough):
            return False
        if [pos for pos, _ in run.transfer_pos] != [pos for pos, _ in first.transfer_pos]:
            return False
        if len(run.mid_phase_pos) != len(first.mid_phase_pos) or not all(
            np.array_equal(a, b) for (_, a), (_, b) in zip(run.mid_phase_pos, first.mid_phase_pos)
        ):
            return False
    return True


def _group_sums(values: np.ndarray, spy: int) -> np.ndarray:
    """``np.bincount(rev_year, weights=row, minlength=AGES)`` of each row of ``values``
    (runs, window positions), bit for bit: window positions ``j`` are single year of age
    ``AGES - 1 - j // spy``, and bincount adds a bin's weights one after another, from 0."""
    parts = values.reshape(values.shape[0], AGES, spy)
    total = 0.0 + parts[:, :, 0]
    for r in range(1, spy):
        total = total + parts[:, :, r]
    return total[:, ::-1]


class _SharedSteps:
    """The time steps of several :class:`simulation.cohort._CohortRun` taken together.

    The runs' state (SEN support, plans, the decision and assessment pipelines, the queue)
    and the results counted each step move into arrays with a leading run axis, and each
    run's own attributes become views of its row, so anything a run does on its own (the
    January records, the assessments under way at the start, responsive capacity) acts on
    the shared arrays. The step is :meth:`simulation.cohort._CohortRun.step` with each
    operation on all rows at once (one early identification flag: the flag axis has
    length 1)."""

    def __init__(self, runs: list[_CohortRun]) -> None:
        self.runs = runs
        first = runs[0]
        self.first = first
        self.spy, self.a0, self.steps = first.spy, first.a0, first.steps
        self.counting_flows = first.counting_flows

        n = len(runs)

        def shared(name: str) -> np.ndarray:
            stacked = np.stack([getattr(run, name) for run in runs])
            for i, run in enumerate(runs):
                setattr(run, name, stacked[i])
            return stacked

        for run in runs[1:]:  # their results are counted here (``_CohortRun(results=False)``)
            run.flow, run.stock = {}, {}

        def counted(name: str) -> np.ndarray:
            """A result counted from zero (as every run's is at the start): zeros for all."""
            zeros = np.zeros((n,) + np.shape(getattr(first, name)))
            for i, run in enumerate(runs):
                setattr(run, name, zeros[i])
            return zeros

        # state: stacked, each run's own arrays now views of its row
        self.sen = shared("sen")  # (runs, 1, nb)
        self.ehcp = shared("ehcp")  # (runs, groups, nb)
        self.ring_dec = shared("ring_dec")  # (runs, k_dec, 1, nb)
        self.ring_ass = shared("ring_ass")
        self.queue = shared("queue")  # (runs, 1, nb)
        self.slots = None if first.slots is None else shared("slots")  # (runs, h)
        # results, from zero
        self.years = counted("years")  # (runs, h, groups)
        self.ceased = counted("ceased")  # (runs, h, 3)
        self.new_by_age = counted("new_by_age")  # (runs, h, AGES)
        self.ceased_by_age = counted("ceased_by_age")
        self.placed = counted("placed")  # (runs, h + 1, groups)
        self.by_phase = counted("by_phase")  # (runs, h + 1, groups, phases)
        self.plans_by_age = counted("plans_by_age")  # (runs, h + 1, AGES)
        self.sen_by_age = counted("sen_by_age")
        self.flow = {}
        block = np.zeros((len(first.flow), n, first.h))
        for k, name in enumerate(first.flow):
            self.flow[name] = block[k]  # (runs, h)
            for i, run in enumerate(runs):
                run.flow[name] = block[k, i]
        self.stock = {}
        block = np.zeros((2, n, first.h + 1))
        for k, name in enumerate(("sen_support", "in_assessment")):  # the rest: columns of ``placed`` (gather)
            self.stock[name] = block[k]  # (runs, h + 1)
            for i, run in enumerate(runs):
                run.stock[name] = block[k, i]

        # rates: the runs' own, one for all where every run has the same object (a fit's
        # runs share most parts of the set-up: :data:`simulation.cohort._SHARED_SET_UPS`),
        # else stacked (runs, ...); the flag axis dropped. The same numbers either way: the
        # arithmetic is element by element.
        def common(name: str) -> Any:
            value = getattr(first, name)
            return value if all(getattr(run, name) is value for run in runs) else None

        def rows(name: str) -> np.ndarray:
            value = common(name)
            if value is not None:
                return np.asarray(value, dtype=float)
            return np.stack([np.asarray(getattr(run, name), dtype=float) for run in runs])

        def yearly(name: str, flag: bool = False) -> list:
            """A list by year of the run: each year's value, or their stack (runs, ...)."""
            value = common(name)
            if value is None:
                value = np.array([getattr(run, name) for run in runs])  # (runs, h, ...)
                return [value[:, y, 0] if flag else value[:, y] for y in range(first.h)]
            return [v[0] if flag else v for v in value]

        def by_year(name: str) -> list:
            """A schedule by year (an array of ``h``): each year's value, or a column (runs, 1)."""
            value = common(name)
            if value is not None:
                return list(value)
            stacked = np.stack([getattr(run, name) for run in runs])
            return [stacked[:, y : y + 1] for y in range(first.h)]

        def column(name: str) -> object:  # one value a run: the value, or a column (runs, 1)
            value = common(name)
            if value is not None:
                return value
            return np.array([float(getattr(run, name)) for run in runs])[:, None]

        self.leave_p_y = yearly("leave_p_y", flag=True)
        self.total_y = yearly("total_y", flag=True)
        self.req_rate_y = yearly("req_rate_y", flag=True)
        self.total_positive = [all(run.total_positive[y] for run in runs) for y in range(first.h)]
        self.nm_age = rows("nm_age")  # (runs, a0) or (a0,)
        self.moved_away_rate = column("moved_away_rate")
        self.cease_p = rows("cease_p")[..., None, :]  # (runs, 1, a0) or (1, a0)
        self.cease_split = rows("cease_split")  # (runs, 3, a0) or (3, a0)
        self.ident_normal_pos = yearly("ident_normal_pos")  # (runs, a0) or (a0,) each year
        self.identified_step = yearly("identified_step")
        self.identified_early_step = yearly("identified_early_step")
        self.direct_pos = yearly("direct_pos")
        self.direct_step = yearly("direct_step")
        self.moves_step = yearly("moves_step")
        self.moves_placed = yearly("moves_placed")  # (runs, groups, a0) or (groups, a0) each year
        self.shares_pos = rows("shares_pos")  # (runs, groups, a0) or (groups, a0)
        self.refusal = by_year("refusal")
        self.withdrawal = column("withdrawal")
        self.withdrawing = any(run.withdrawal > 0 for run in runs)
        self.not_issued = by_year("not_issued")
        self.pmf_dec = rows("pmf_dec")[..., :, None]  # (runs, k, 1) or (k, 1)
        self.pmf_ass = rows("pmf_ass")[..., :, None]
        self.old_enough = first.old_enough
        self.transfer = [
            (pos, np.stack([matrix for run in runs for p, matrix in run.transfer_pos if p == pos]))
            for pos, _ in first.transfer_pos
        ]
        self.mid_phase = [
            (positions, [run.mid_phase_pos[k][0] for run in runs])
            for k, (_, positions) in enumerate(first.mid_phase_pos)
        ]
        self.index = np.arange(len(runs))

    def run(self) -> None:
        """Every step, then the stocks of the last January."""
        for w in range(self.steps):
            self.step(w)
        self.record_january(self.first.h, self.steps)

    def record_january(self, k: int, w: int) -> None:
        """:meth:`simulation.cohort._CohortRun.record_january` for every run."""
        n = len(self.runs)
        win = slice(w, w + self.a0)
        window_plan = self.ehcp[:, :, win]
        self.stock["sen_support"][:, k] = _sum(self.sen[:, 0, win], 1)
        self.stock["in_assessment"][:, k] = (
            _sum(self.ring_dec.reshape(n, -1), 1)
            + _sum(self.ring_ass.reshape(n, -1), 1)
            + _sum(self.queue.reshape(n, -1), 1)
        )
        self.placed[:, k] = window_plan.sum(axis=2)
        for i in range(len(self.runs)):  # run by run: a matrix product's sums are its own
            self.by_phase[i, k] = window_plan[i] @ self.first.phase_mask.T
        self.plans_by_age[:, k] = _group_sums(window_plan.sum(axis=1), self.spy)
        self.sen_by_age[:, k] = _group_sums(self.sen[:, :, win].sum(axis=1), self.spy)

    def step(self, w: int) -> None:
        """:meth:`simulation.cohort._CohortRun.step` for every run (the same order:
        :func:`simulation.cohort.advance`)."""
        advance(self, w)

    def replayed_plans(self, w: int) -> np.ndarray | None:
        """Every run's new plans of step ``w`` when replaying (the runs share one replay), else ``None``."""
        replay = self.first.replay
        return None if replay is None else np.broadcast_to(replay[w], (len(self.runs), self.a0))

    def count_placement_years(self, win: slice, y: int) -> None:
        """Time spent in each placement during the step, every run (child-years, for costs)."""
        self.years[:, y] += self.ehcp[:, :, win].sum(axis=2) * self.first.dt

    def placement_moves(self, w: int) -> None:
        ehcp = self.ehcp
        for pos, matrices in self.transfer:
            b = w + pos
            # one product a run (a stack): each row summed as the run's own product sums it (tested)
            ehcp[:, :, b] = np.matmul(ehcp[:, None, :, b], matrices)[:, 0]
        if self.mid_phase and w % self.spy == self.first.september_step:
            for i in range(len(self.runs)):
                window = ehcp[i, :, w : w + self.a0]
                for positions, moves in self.mid_phase:
                    window[:, positions] = moves[i].T @ window[:, positions]

    def leave_at_age_limits(self, w: int, y: int) -> None:
        first, flow = self.first, self.flow
        if first.leave_pos is not None:
            b = w + first.leave_pos
            if self.counting_flows:
                flow["sen_exit_left_school"][:, y] += self.sen[:, 0, b]
            self.sen[:, :, b] = 0.0
        if first.max_pos is not None:
            b = w + first.max_pos
            if self.counting_flows:
                aged_out = _sum(self.ehcp[:, :, b], 1)
                flow["ceased_aged_out"][:, y] += aged_out
                self.ceased_by_age[:, y, first.max_age_index] += aged_out
            self.ehcp[:, :, b] = 0.0

    def sen_support_exits(self, win: slice, y: int) -> np.ndarray:
        window_sen = self.sen[:, 0, win]
        total = self.total_y[y]
        leaving = window_sen * self.leave_p_y[y]
        if self.total_positive[y]:
            share = leaving / total
        else:
            share = np.divide(leaving, total, out=np.zeros_like(leaving), where=total > 0)
        requests = share * self.req_rate_y[y]
        self.flow["sen_exit_needs_met"][:, y] += _sum(share * self.nm_age, 1)
        self.flow["sen_exit_moved_away"][:, y] += _sum(share * self.moved_away_rate, 1)
        window_sen -= leaving
        return requests

    def cease_plans(self, win: slice, y: int) -> None:
        window_plan = self.ehcp[:, :, win]
        ceasing = window_plan * self.cease_p
        if self.counting_flows:
            ceased_by_pos = ceasing.sum(axis=1)
            self.ceased[:, y] += (ceased_by_pos[:, None, :] * self.cease_split).sum(axis=2)
            self.ceased_by_age[:, y] += _group_sums(ceased_by_pos, self.spy)
        window_plan -= ceasing

    def arrive_at_sen_support(self, win: slice, y: int, requests: np.ndarray) -> None:
        flow = self.flow
        self.sen[:, 0, win] += self.ident_normal_pos[y]
        flow["identified"][:, y] += self.identified_step[y]
        flow["identified_early"][:, y] += self.identified_early_step[y]
        requests += self.direct_pos[y]
        flow["direct"][:, y] += self.direct_step[y]
        flow["requests"][:, y] += _sum(requests, 1)

    def move_in(self, win: slice, y: int) -> None:
        if self.counting_flows:
            self.flow["moves_in"][:, y] += self.moves_step[y]
        self.ehcp[:, :, win] += self.moves_placed[y]

    def requests_to_plans(self, w: int, win: slice, y: int, requests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.first.responsive and y >= 1 and w % self.spy == 0:
            for run in self.runs:
                run.set_responsive_slots(y, w)
        to_assess, refused = self.decide(w, win, y, requests)
        issued, no_plan = self.assess(w, win, y, to_assess)
        return issued, refused + no_plan

    def decide(self, w: int, win: slice, y: int, requests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ring = self.ring_dec[:, :, 0, :]
        now = w % self.first.k_dec
        _add_in_delay_order(ring, now, win, self.pmf_dec * requests[:, None, :])
        decided = ring[:, now, win].copy()
        ring[:, now] = 0.0
        refused = decided * self.refusal[y]
        self.flow["refused"][:, y] += _sum(refused, 1)
        to_assess = decided - refused
        if self.withdrawing:  # as simulation.cohort._CohortRun.decide
            withdrawn = to_assess * self.withdrawal
            to_assess = to_assess - withdrawn
            refused = refused + withdrawn
        self.flow["decided"][:, y] += _sum(to_assess, 1)
        return to_assess, refused

    def assess(self, w: int, win: slice, y: int, to_assess: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first, slots = self.first, self.slots
        ring = self.ring_ass[:, :, 0, :]
        k_ass = first.k_ass
        if w == 0:  # assessments under way at the start, run by run as a run does them
            for i, run in enumerate(self.runs):
                if run.open_at_start.sum() > 0:
                    part_way = 1.0 if run.slots is None else min(1.0, run.slots[0] / run.open_at_start.sum())
                    run.ring_ass[:, 0, win] += (
                        remaining_pmf(run.p, run.spy, k_ass)[:, None] * (run.open_at_start * part_way)[None, :]
                    )
                    to_assess[i] += run.open_at_start * (1.0 - part_way)
        now = w % k_ass
        if slots is None:
            starting = to_assess
        else:
            queue = self.queue[:, 0, :]
            queue[:, win] += to_assess
            busy = _sum(self.ring_ass.reshape(len(self.runs), -1), 1) - _sum(ring[:, now], 1)
            free = np.maximum(slots[:, y] - busy, 0.0)
            waiting = _sum(queue[:, win], 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                fraction = np.where(waiting <= free, 1.0, free / waiting)
            starting = queue[:, win] * fraction[:, None]
            queue[:, win] -= starting
        _add_in_delay_order(ring, now, win, self.pmf_ass * starting[:, None, :])
        done = ring[:, now, win].copy()
        ring[:, now] = 0.0
        self.flow["assessments"][:, y] += _sum(done, 1)
        no_plan = done * self.not_issued[y]
        self.flow["not_issued"][:, y] += _sum(no_plan, 1)
        return done - no_plan, no_plan

    def issue_plans(self, win: slice, y: int, issued: np.ndarray) -> None:
        if self.counting_flows:
            self.flow["new_plans"][:, y] += _sum(issued, 1)
            self.new_by_age[:, y] += _group_sums(np.ascontiguousarray(issued), self.spy)
        self.ehcp[:, :, win] += self.shares_pos * issued[:, None, :]

    def return_to_sen_support(self, win: slice, y: int, back: np.ndarray) -> None:
        # a C-ordered copy: selected by a mask on its last axis, the copy is laid out by
        # column, and a sum along a row would then add one number after another (not
        # pairwise as the run's own sum does)
        self.flow["sen_exit_left_school"][:, y] += _sum(np.ascontiguousarray(back[:, self.old_enough]), 1)
        back[:, self.old_enough] = 0.0
        self.sen[:, 0, win] += back

    def leave_window(self, w: int, y: int) -> None:
        first = self.first
        if first.max_pos is None:
            if self.counting_flows:
                aged_out = _sum(self.ehcp[:, :, w], 1)
                self.flow["ceased_aged_out"][:, y] += aged_out
                self.ceased_by_age[:, y, AGES - 1] += aged_out
            self.ehcp[:, :, w] = 0.0
        if self.counting_flows:
            self.flow["sen_exit_left_school"][:, y] += self.sen[:, 0, w]
        self.sen[:, :, w] = 0.0


def _add_in_delay_order(ring: np.ndarray, now: int, win: slice, values: np.ndarray) -> None:
    """``ring[:, (now + d) % k, win] += values[:, d]`` for each delay ``d`` (``k``: the ring's
    second axis), as :func:`simulation.cohort._add_in_delay_order` for each run."""
    k = ring.shape[1]
    ring[:, now:, win] += values[:, : k - now]
    if now:
        ring[:, :now, win] += values[:, k - now :]
