"""Parameter uncertainty: each replication draws its parameters, so the bands of a run are
predictive ("what we expect"), not only Monte Carlo noise ("simulation noise").

What is drawn (one draw per replication, from that replication's ``parameter_draw``
stream, :mod:`simulation.streams`, so a scenario and its baseline draw the same; the
draws are made in a fixed order whatever their values):

1. the **growth of the request rate** carried forward (:mod:`simulation.trends`): the mean
   of a resample, with replacement, of the yearly changes of the log request multiplier
   over the fitted years the growth is the mean of, kept within the limits given, if any
   (:func:`bounded_growth`; the application's ``DRAW_GROWTH_RULE`` gives none by default:
   bounds were measured and not adopted, ``benchmarks/evidence_small_la_draws.py``);
2. the **capacity response** (:attr:`simulation.parameters.Assessment.capacity_response`):
   the mean of a resample of the yearly shares of the work in hand completed; the first
   year's capacity moves with it, in full (the whole capacity path moves: see 5);

and, given a :class:`PredictiveSpread` (errors measured out of sample, before the run's
origin, on every LA's published figures: :mod:`sendcast.scenarios.predictive`), one
uniform number per source below (:data:`SOURCES`, every one of them whether it has
errors or not), drawn after 1 and 2. A source's error for the
replication is the ``u``-quantile of its errors (centred on their median, so ``u = 0.5``
is the central rule), times :attr:`PredictiveSpread.scale`:

3. **requests**: ``k`` years after the last fitted year the request multiplier is
   multiplied by ``exp(e_k)``, ``e_k`` the ``u``-quantile of the damped-growth rule's
   ``k``-year-ahead log errors (one ``u`` for every horizon: a replication's error path
   is persistent). Beyond the longest horizon measured, ``K``: ``e_K * sqrt(k / K)``;
4. **identification** at SEN support: the same for the identification multiplier;
5. **conversion** of the work in hand into completed assessments (and so new plans): the
   first year's capacity and the capacity response (or, capacity frozen, every year's
   capacity) times ``exp(e)``, ``e`` the ``u``-quantile of the one-year-ahead log errors
   of new plans against a conversion rule; unconstrained capacity is not drawn. The
   first year moves in full, not ``lambda`` of the way as the half-way rule would move
   it after a drawn target alone (:func:`scale_conversion` gives the evidence);
6. **placement mix** of each group of :data:`PLACEMENT_DRAW_GROUPS` (state special and
   independent special TOGETHER, "specialist"; AP; FE and other): the group's combined
   share of new plans and of moves at the phase transfers into it scaled (the split
   inside the group and the other placements' mix kept; a child already in the group
   keeps its fitted moves: :func:`scale_placement_groups`) by the factor whose moves of
   the group's count ``k`` years ahead are closest to ``exp(e_k)``, ``k = 1 .. K``
   (:func:`placement_log_factor`; one horizon: :func:`share_factor`), ``e_k`` the
   ``u``-quantile of the ``k``-year-ahead log errors of the group's January count (one
   ``u`` for every horizon, as for requests), each kept within what the inflow to then
   can reach both ways (:func:`reachable_count_error`). Matched by horizon (issue 19):
   the factor that moved the count one year ahead by ``exp(e_1)`` moved it ``k`` years
   ahead about ``S_k / S_1`` times as far (the inflow under the drawn share accumulates),
   while the published errors grow more slowly (specialist, from 2021: ``S_4 / S_1``
   3.4, the 95% range of ``e_4`` 2.2 times ``e_1``'s), so the long-range bands were too
   wide;
7. **split** of each pair of :data:`SPLITS` the spread has errors for (independent
   special's share of the specialist placements): the one column's share within the
   pair scaled, the pair's total kept, by the factor :func:`placement_log_factor` gives
   for the ``k``-year-ahead log errors of the column's count as a share of the pair's
   (the spread measured by :mod:`sendcast.scenarios.predictive` holds those of
   :data:`SPLIT_DRAWS`);
8. with local special places (``special_places.blocks``) and a spread that carries
   :func:`places_sensitivity`: **the places move with the state special demand** the
   draws of 6-7 imply (:func:`places_ratios`, :func:`scale_places`), no new number drawn.

Why (issue 19). The published counts of children in state special schools are counts of
children PLACED, in the places their LA had; a draw applied their errors to DEMAND
against places held fixed. Where places bind, a child who finds no place goes to an
independent school (``simulation.model``, the overflow rule), so a high draw spilled into
independent placements and a low one did not bring them down: the mean of independent
placements over the draws sat above the central run's (Gloucestershire baseline, January
2030: 1,195 central, about 1,520 drawn; one year ahead out of sample, +9.5 and +13 points
of error from the 2022 and 2023 origins). Now (a) state special and independent are one
group, whose summed count the overflow does not change, with their split drawn apart
from it; (b) where places are given, the places move with the state special demand a
draw implies, so a draw moves placed children as the published counts it was measured
on moved, and the overflow comes from the places against the central demand (the
scenario's lever), not from the draw; (c) children already in a group keep their moves
(a draw shrinking FE and other, which most young people in FE stay in after 16, pushed
them into special schools at once, and one growing it could not do the reverse: that
leaned independent placements up by 10% by 2030). Measured before and after: the
``split`` branch report of issue 19.

Everything else (levels, age profiles, ceasing, the damping) stays as fitted. With
nothing to resample (fewer than two yearly values) a parameter of 1-2 is not drawn; a
source of 3-7 with no errors is not drawn. With a spread of scale 0 every draw of 3-8 is
exactly the central rule, so the parameters are those of 1-2 alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from simulation.calibration import _placement
from simulation.parameters import (
    AP,
    FE,
    INDEPENDENT,
    OTHER,
    STATE_SPECIAL,
    Assessment,
    Parameters,
    PlaceBlock,
    SpecialPlaces,
    schedule_values,
)
from simulation.trends import carry_forward

#: Placement groups whose combined share of placements is drawn: the output measure
#: (January count, of the columns together) the group's errors are measured on, and the
#: placement columns scaled together (their split kept). State special and independent
#: special are one group: see the module notes.
PLACEMENT_DRAW_GROUPS: dict[str, tuple[int, ...]] = {
    "ehcp_specialist": (STATE_SPECIAL, INDEPENDENT),
    "ehcp_ap": (AP,),
    "ehcp_fe_plus_other": (FE, OTHER),
}
#: Splits that may be drawn: name -> (the column whose share of the pair is drawn, the
#: pair); the errors are those of the column's January count as a share of the pair's.
SPLITS: dict[str, tuple[int, tuple[int, int]]] = {
    "independent_share_of_specialist": (INDEPENDENT, (STATE_SPECIAL, INDEPENDENT)),
}
#: The splits drawn by default. Chosen out of sample (issue 19: Gloucestershire's ten DfE
#: statistical neighbours, origins 2021-2023, one year ahead, 20 replications): without
#: the split, independent placements' 95% bands covered 19 of 30 checks (the old separate
#: draws of the two: 27); with it 26, the point errors alike (median absolute 8.7% and 8.8%).
SPLIT_DRAWS: tuple[str, ...] = ("independent_share_of_specialist",)
#: The output measure (January count) of each placement column drawn.
PLACEMENT_MEASURES = {
    STATE_SPECIAL: "ehcp_state_special",
    INDEPENDENT: "ehcp_independent_special",
    AP: "ehcp_ap",
    FE: "ehcp_fe",
    OTHER: "ehcp_other",
}
#: Every phase (new plans in it, and moves at the transfer into it).
ALL_PHASES = (0, 1, 2, 3, 4)
#: A group whose count one year ahead moves less than this (log) per unit of the log of its
#: share is not drawn: no share within :data:`SHARE_FACTOR_LIMITS` could move it as measured.
LEAST_SENSITIVITY = 0.01
#: The factor on a group's share of placements stays within these (a twentieth to 10
#: times the fitted share; shares are also capped at 0.98 by the scaling).
SHARE_FACTOR_LIMITS = (0.05, 10.0)
#: Draws of the sources 3-6, in the order they are taken from the stream.
SOURCES = ("requests", "identification", "conversion", *PLACEMENT_DRAW_GROUPS, *SPLITS)


def centred(values) -> np.ndarray:
    """The finite ``values`` minus their median, sorted (read-only; empty stays empty)."""
    array = np.sort(np.asarray(values, dtype=float).ravel())
    array = array[np.isfinite(array)]
    out = array - np.median(array) if array.size else array
    out.flags.writeable = False
    return out


def quantile_of_sorted(values: np.ndarray, u: float) -> float:
    """``np.quantile(values, u)`` (linear interpolation) of ``values`` already sorted, without
    numpy's overhead (a draw takes many)."""
    position = u * (len(values) - 1)
    low = int(position)
    if low >= len(values) - 1:
        return float(values[-1])
    return float(values[low] + (position - low) * (values[low + 1] - values[low]))


@dataclass(frozen=True, eq=False)
class PredictiveSpread:
    """Out-of-sample errors the predictive draws are scaled by (log scale; each array
    centred on its median on construction, non-finite values dropped).

    - ``request_errors``, ``identification_errors``: one array per horizon ``1 .. K``
      (years after the last fitted year) of the damped-growth rule's log errors;
    - ``conversion_errors``: one-year-ahead log errors of new plans against a conversion
      rule;
    - ``placement_errors``: per group of :data:`PLACEMENT_DRAW_GROUPS`, the log errors of
      the group's January count (its share of EHC plans) ``k`` years ahead, one array per
      horizon ``k = 1 .. K`` (a single array: one year ahead only); per split of
      :data:`SPLITS`, of its column's count as a share of the pair's. Stored as a tuple of
      arrays per group (a horizon with no errors ends it);
    - ``placement_sensitivity``: per group or split, :func:`placement_sensitivity` at the
      run's central parameters (one without it, or below :data:`LEAST_SENSITIVITY`, is
      not drawn);
    - ``placement_path_sensitivity``: per group or split, ``S_1 .. S_K``
      (:func:`placement_sensitivities`: the same at each January ``k`` years after the
      start); without it the draw matches one year ahead only;
    - ``places_sensitivity``: :func:`places_sensitivity` at the run's central parameters
      (per group or split, two rows of ``S_t``, ``t = 0, 1, ..``, January ``start_year + t``): with
      local special places, the places move with the state special demand the placement
      draws imply (:func:`places_ratios`, :func:`scale_places`); empty: they do not;
    - ``scale``: every error is multiplied by it (0: the central rule; 1: as measured).
    """

    request_errors: tuple = ()
    identification_errors: tuple = ()
    conversion_errors: np.ndarray | None = None
    placement_errors: Mapping[str, Any] = field(default_factory=dict)
    placement_sensitivity: Mapping[str, float] = field(default_factory=dict)
    placement_path_sensitivity: Mapping[str, np.ndarray] = field(default_factory=dict)
    places_sensitivity: Mapping[str, np.ndarray] = field(default_factory=dict)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.scale) or self.scale < 0:
            raise ValueError(f"PredictiveSpread.scale must be a finite number >= 0, found {self.scale}")
        unknown = set(self.placement_errors) - set(PLACEMENT_DRAW_GROUPS) - set(SPLITS)
        if unknown:
            raise ValueError(
                f"PredictiveSpread.placement_errors: unknown group(s) {sorted(unknown)}; "
                f"allowed: {', '.join((*PLACEMENT_DRAW_GROUPS, *SPLITS))}"
            )
        for name in ("request_errors", "identification_errors"):
            paths = tuple(centred(v) for v in getattr(self, name))
            # a horizon with no errors ends the path (later horizons are extrapolated)
            kept = paths[: next((k for k, v in enumerate(paths) if v.size == 0), len(paths))]
            object.__setattr__(self, name, kept)
        conversion = None if self.conversion_errors is None else centred(self.conversion_errors)
        object.__setattr__(
            self, "conversion_errors", conversion if conversion is not None and conversion.size else None
        )
        placement = {}
        for g, v in self.placement_errors.items():
            if self.placement_sensitivity.get(g, 0.0) < LEAST_SENSITIVITY:
                continue
            paths = tuple(centred(x) for x in v) if isinstance(v, (tuple, list)) else (centred(v),)
            paths = paths[: next((k for k, x in enumerate(paths) if x.size == 0), len(paths))]
            if paths:
                placement[g] = paths
        object.__setattr__(self, "placement_errors", placement)
        object.__setattr__(self, "placement_sensitivity", dict(self.placement_sensitivity))
        path_sensitivity = {}
        for g, v in self.placement_path_sensitivity.items():
            array = np.array(v, dtype=float).ravel()
            array.flags.writeable = False
            path_sensitivity[g] = array
        object.__setattr__(self, "placement_path_sensitivity", path_sensitivity)
        places = {g: np.array(v, dtype=float) for g, v in self.places_sensitivity.items()}
        for rows in places.values():
            rows.flags.writeable = False
        object.__setattr__(self, "places_sensitivity", places)

    def with_scale(self, scale: float) -> PredictiveSpread:
        """The same errors at another scale."""
        return replace(self, scale=scale)


def bootstrap_mean(values: np.ndarray, rng: np.random.Generator) -> float:
    """The mean of ``len(values)`` values drawn from ``values`` with replacement."""
    values = np.asarray(values, dtype=float)
    return float(values[rng.integers(0, values.size, values.size)].mean())


def bounded_growth(growth: float, limits: tuple[float, float] | None) -> float:
    """A drawn yearly log growth of the request rate kept within ``limits`` (low, high;
    ``None``: as drawn). Why (see the module notes, source 1): where an LA has a handful of
    requests a year, the yearly changes the bootstrap resamples are mostly counting noise
    (City of London: +2.4 and -2.5 in logs), so an unbounded draw compounds to tens of
    times the requests within a decade; the calibration never chooses a central growth
    outside the same limits (:data:`simulation.share_target.GROWTH_LIMITS`). Within the
    limits the draw is returned unchanged (the same float), so an LA whose draws stay
    inside them is not changed at all."""
    if limits is None:
        return growth
    low, high = limits
    if not low <= high:
        raise ValueError(f"request growth limits must be (low, high) with low <= high, found {limits}")
    return float(min(max(growth, low), high))


def error_path(errors_by_horizon: tuple, u: float, years_ahead: int, *, presorted: bool = False) -> np.ndarray:
    """``e_k`` for ``k = 1 .. years_ahead``: the ``u``-quantile of horizon ``k``'s errors;
    beyond the last horizon ``K`` with errors, ``e_K * sqrt(k / K)`` (a random walk's
    spread); zeros when there are no errors. ``presorted``: every array is sorted already
    (a :class:`PredictiveSpread`'s are)."""
    out = np.zeros(max(years_ahead, 0))
    if not errors_by_horizon or years_ahead <= 0:
        return out
    ordered = errors_by_horizon if presorted else tuple(np.sort(np.asarray(e, dtype=float)) for e in errors_by_horizon)
    last = len(ordered)
    at_last = quantile_of_sorted(ordered[-1], u)
    for k in range(1, years_ahead + 1):
        out[k - 1] = quantile_of_sorted(ordered[k - 1], u) if k <= last else at_last * np.sqrt(k / last)
    return out


def shift_after(schedule, last_fitted_year: int, years: np.ndarray, shifts: np.ndarray):
    """A schedule as ``{year: value}``: as ``schedule`` up to ``last_fitted_year``, and for
    each run year ``y`` after it its value times ``exp(shifts[y - last_fitted_year - 1])``."""
    years = np.asarray(years, dtype=int)
    own = schedule_values(schedule, int(years[0]), len(years))
    out = {int(y): float(v) for y, v in schedule if y <= last_fitted_year}
    for year, value in zip(years, own):
        k = int(year) - last_fitted_year
        out[int(year)] = float(value) * (float(np.exp(shifts[k - 1])) if 1 <= k <= len(shifts) else 1.0)
    return out


def scale_conversion(assessment: Assessment, factor: float) -> Assessment:
    """The assessment service completing ``factor`` times the work: responsive capacity,
    the first year's capacity and the response (kept within (0, 5]); frozen capacity,
    every year's; unconstrained capacity is returned as it is.

    Responsive capacity moves as a whole path: the half-way rule (``previous ** (1 -
    lambda) * target ** lambda``) applied to a path whose first year and target are both
    ``factor`` times the central ones gives ``factor`` times the central path, so the
    rule's dynamics are kept. The alternative, the target alone times ``factor`` and the
    first year following ``lambda`` of the way (``factor ** lambda``, last year's
    completions unchanged), was tried and measured (issue 19, ``spread`` branch): on
    every LA's published flows the half-way rule's own one-year-ahead log errors of
    completed assessments have a 95% range of 0.90-1.04 (origins 2021-2025, 148-712
    checks), the conversion errors drawn here 1.09-1.19, so a first year moving half the
    way draws about 0.55-0.6, little more than half what the rule errs by one year ahead;
    ``calibrate --validate`` agreed: West Sussex from 2023 lost EHC plans and new plans
    from its one-year 95% bands (7 of 8 covered -> 5 of 8, median width 32.5% -> 32.6%),
    Gloucestershire's coverage was unchanged (21 of 24)."""
    if assessment.capacity_per_year is None or factor == 1.0:
        return assessment
    schedule = list(assessment.capacity_per_year)
    if assessment.capacity_response is None:
        scaled = tuple((year, max(value * factor, 1.0)) for year, value in schedule)
        return replace(assessment, capacity_per_year=scaled)
    first_year, first = schedule[0]
    schedule[0] = (first_year, max(first * factor, 1.0))
    response = float(np.clip(assessment.capacity_response * factor, 1e-6, 5.0))
    return replace(assessment, capacity_per_year=tuple(schedule), capacity_response=response)


def reachable_count_error(sensitivity: float) -> float:
    """The largest log error of a group's count one year ahead the share can reach both
    ways: ``-log(1 - s * (1 - f_min))``, the fall with the share at its lowest factor
    (:data:`SHARE_FACTOR_LIMITS`); a count cannot fall by more than what came in."""
    low, _ = SHARE_FACTOR_LIMITS
    return float(-np.log1p(-min(sensitivity, 1.0) * (1.0 - low)))


def share_factor(count_error: float, sensitivity: float) -> float:
    """The factor on a group's share of placements that moves its count one year ahead by
    ``exp(e)``, for a count linear in the share's factor ``f``: ``C(f) = C(1) * (1 + s *
    (f - 1))`` with ``s`` the ``sensitivity`` (its slope at ``f = 1``, about the share of
    the count that came in that year), so ``f = 1 + (exp(e) - 1) / s``. ``e`` is
    ``count_error`` kept within +-:func:`reachable_count_error` (the same both ways, so a
    draw centred on 0 stays centred: the larger errors of the count, which no share can
    make in a year, are not drawn) and ``f`` within :data:`SHARE_FACTOR_LIMITS`.
    Non-decreasing in ``count_error``; 1 at 0."""
    low, high = SHARE_FACTOR_LIMITS
    reach = reachable_count_error(sensitivity)
    error = float(np.clip(count_error, -reach, reach))
    return float(np.clip(1.0 + np.expm1(error) / sensitivity, low, high))


def placement_log_factor(errors_by_horizon: tuple, u: float, sensitivities, scale: float = 1.0) -> float:
    """The log of the factor on a group's share of placements for a replication's ``u``,
    matched to its count's errors at every horizon measured (issue 19). ``e_k`` is the
    ``u``-quantile of the sorted ``errors_by_horizon[k - 1]`` (one ``u`` for every
    horizon: a replication's error path is persistent, as for requests) times ``scale``,
    kept within the reach of horizon ``k`` both ways (:func:`reachable_count_error` of
    ``S_k``); ``S_k``: ``sensitivities`` (the count's relative change ``k`` years ahead per
    unit change of the factor, :func:`placement_sensitivities`). With the count linear in
    the factor (``C_k(f) = C_k(1) * (1 + S_k * (f - 1))``, as :func:`share_factor`), the
    factor whose count errors are closest to ``exp(e_k) - 1`` over the horizons ``k = 1 ..
    K`` both have (least squares): ``f = 1 + sum_k S_k (exp(e_k) - 1) / sum_k S_k**2``,
    within :data:`SHARE_FACTOR_LIMITS`. One horizon: :func:`share_factor` exactly.

    Why one factor for every year: the engines hold one placement mix for a run (a factor
    per year would need a mix per year in :mod:`simulation.model`, :mod:`simulation.cohort`
    and :mod:`simulation.needs`). The share drawn goes on after the last horizon measured,
    so the count's error goes on growing as the inflow at that share accumulates
    (``S_k`` grows with ``k``): the stated rule beyond ``K``."""
    low, high = SHARE_FACTOR_LIMITS
    slopes = np.asarray(sensitivities, dtype=float).ravel()
    horizons = min(len(errors_by_horizon), slopes.size)
    if horizons == 0:
        return 0.0
    slopes = slopes[:horizons]
    targets = np.empty(horizons)
    for k in range(horizons):
        reach = reachable_count_error(slopes[k]) if slopes[k] > 0 else 0.0
        error = scale * quantile_of_sorted(errors_by_horizon[k], u)
        targets[k] = np.expm1(np.clip(error, -reach, reach))
    weight = float(np.sum(slopes**2))
    if weight <= 0:
        return 0.0
    factor = 1.0 + float(np.sum(slopes * targets)) / weight
    return float(np.log(np.clip(factor, low, high)))


def _scale_group_rows(rows: np.ndarray, columns: tuple[int, ...], factor: float) -> np.ndarray:
    """Rows (last axis: placements, summing to 1) with the share of ``columns`` together
    multiplied by ``factor`` (capped at 0.98; their split kept) and the other columns
    rescaled in proportion so rows still sum to 1 (a row with none of the group stays)."""
    rows = np.array(rows, dtype=float)
    picked = list(columns)
    old = rows[..., picked].sum(axis=-1)
    new = np.minimum(old * factor, 0.98)
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.where(old > 0, new / old, 1.0)
        outside = np.where(old < 1, (1.0 - new) / (1.0 - old), 1.0)
    group = rows[..., picked] * inside[..., None]
    rows *= outside[..., None]
    rows[..., picked] = group
    return rows / rows.sum(axis=-1, keepdims=True)


def _split_rows(rows: np.ndarray, column: int, pair: tuple[int, int], factor: float) -> np.ndarray:
    """Rows with ``column``'s share of the ``pair`` multiplied by ``factor`` (at most 0.98 of
    the pair), the pair's total kept; a row where either of the pair has no share stays."""
    rows = np.array(rows, dtype=float)
    other = pair[1] if pair[0] == column else pair[0]
    total = rows[..., column] + rows[..., other]
    both = (rows[..., column] > 0) & (rows[..., other] > 0)
    moved = np.where(both, np.minimum(rows[..., column] * factor, 0.98 * total), rows[..., column])
    rows[..., other] = np.where(both, total - moved, rows[..., other])
    rows[..., column] = moved
    return rows


def _each_phase(new_shares: np.ndarray, transfer: np.ndarray, change, staying: tuple[int, ...]) -> None:
    """``change`` applied in place to the new plans of every phase and to the moves at
    every phase transfer of a child coming from any placement but ``staying``: a child
    already in the group keeps its fitted moves (else a draw that shrinks a group most
    of whose members stay in it, FE at 19 say, would push them all into the other
    placements at once, and one that grows it could not: the mean of the others leaned
    up, by 10% for independent placements by 2030 on the Gloucestershire baseline)."""
    moving = np.setdiff1d(np.arange(transfer.shape[1]), staying)
    for phase in ALL_PHASES:
        new_shares[phase] = change(new_shares[phase])
        if phase >= 1:
            transfer[phase - 1, moving] = change(transfer[phase - 1, moving])


def scale_placement_groups(params: Parameters, log_factors: Mapping[str, float]) -> Parameters:
    """``params`` with each group's combined share of new plans and of moves at the phase
    transfers (of children not already in the group) scaled by ``exp(log_factors[group])``
    (:data:`PLACEMENT_DRAW_GROUPS`, in turn, the split inside a group kept), then each
    split of :data:`SPLITS` named in ``log_factors`` (its column's share of the pair
    times the factor, the pair's total kept; children already in the pair keep theirs). The mix is built once (:func:`simulation.calibration._placement`: no state
    special placement after 19, rows summing to 1)."""
    moving = {group: f for group, f in log_factors.items() if f != 0.0}
    if not moving:
        return params
    new_shares = np.array(params.placement.new_plan_shares)
    transfer = np.array(params.placement.transfer)
    for group, columns in PLACEMENT_DRAW_GROUPS.items():
        if group in moving:
            factor = float(np.exp(moving[group]))
            _each_phase(new_shares, transfer, partial(_scale_group_rows, columns=columns, factor=factor), columns)
    for split, (column, pair) in SPLITS.items():
        if split in moving:
            factor = float(np.exp(moving[split]))
            _each_phase(new_shares, transfer, partial(_split_rows, column=column, pair=pair, factor=factor), pair)
    return replace(params, placement=_placement(new_shares, transfer, params.placement.mid_phase_moves))


def places_ratios(sensitivity: Mapping[str, np.ndarray], log_factors: Mapping[str, float], horizon: int) -> np.ndarray:
    """``r_k`` for the places open during run year ``k = 0 .. horizon - 1`` (from 1 January
    ``start_year + k``): ``1 + sum_g S^g_{k+1} (f_g - 1)``, the drawn expected state
    special count at the January that year ends on over the central run's (unconstrained;
    ``S^g`` the row of :func:`places_sensitivity` for ``f_g = exp(log_factors[g])`` below
    or above 1; beyond the last ``S`` given, the last), at least 0. The places of a year
    are sized for the children the year ends with, so the places and the demand of the
    first January scored (one year ahead) move together."""
    ratios = np.ones(horizon)
    for name, log_factor in log_factors.items():
        rows = sensitivity.get(name)
        if rows is None or log_factor == 0.0:
            continue
        values = np.asarray(rows, dtype=float)[0 if log_factor < 0 else 1]
        index = np.minimum(np.arange(1, horizon + 1), values.size - 1)
        ratios += values[index] * np.expm1(log_factor)
    return np.maximum(ratios, 0.0)


def scale_places(places: SpecialPlaces, start_year: int, ratios: np.ndarray) -> SpecialPlaces:
    """``places`` with each block's places in run year ``k`` (January ``start_year + k``)
    times ``ratios[k]`` (rounded to whole places; one block per block and year, so a
    block's years keep their own sizes; the over-capacity allowance and the overflow rule
    as given). Unconstrained places are returned as they are."""
    if places.blocks is None:
        return places
    blocks = []
    for block in places.blocks:
        for k, ratio in enumerate(ratios):
            year = start_year + k
            if (block.from_year is not None and year < block.from_year) or (
                block.to_year is not None and year > block.to_year
            ):
                continue
            blocks.append(
                PlaceBlock(
                    block.pool, int(np.floor(block.places * ratio + 0.5)), from_year=year, to_year=year, name=block.name
                )
            )
    return replace(places, blocks=tuple(blocks))


def draw_parameters(
    params: Parameters,
    rng: np.random.Generator,
    *,
    last_fitted_year: int,
    request_changes: np.ndarray | None = None,
    identification_growth: float | None = 0.0,
    damping: float = 1.0,
    identification_damping: float | None = None,
    response_shares: np.ndarray | None = None,
    spread: PredictiveSpread | None = None,
    request_growth_limits: tuple[float, float] | None = None,
) -> Parameters:
    """``params`` with the request growth (from ``request_changes``, the yearly log
    changes, carried forward from ``last_fitted_year`` by the damped rule; identification
    with ``identification_growth``, or kept as it is if ``None``) and the
    capacity response (from ``response_shares``) drawn by bootstrap; ``None`` or fewer
    than two values: that parameter is kept. The request draw is made first, then the
    response draw, whichever are used, then (``spread`` given) one uniform number per
    source of :data:`SOURCES`, whichever have errors: the stream's order never depends on
    the values (see the module notes). ``request_growth_limits``: the drawn request growth
    is kept within them (:func:`bounded_growth`; ``None``: not bounded)."""
    request_draw = response_draw = None
    if request_changes is not None and len(request_changes) >= 2:
        request_draw = bounded_growth(bootstrap_mean(request_changes, rng), request_growth_limits)
    a = params.assessment
    if response_shares is not None and len(response_shares) >= 2 and a.capacity_response is not None:
        response_draw = bootstrap_mean(response_shares, rng)
    uniforms = dict(zip(SOURCES, rng.random(len(SOURCES)))) if spread is not None else {}
    if request_draw is not None:
        params = carry_forward(
            params,
            last_fitted_year,
            request_growth=request_draw,
            identification_growth=identification_growth,
            damping=damping,
            identification_damping=identification_damping,
        )
    if response_draw is not None:
        schedule = list(a.capacity_per_year)
        first_year, first = schedule[0]
        later_floor = schedule[1][1] if len(schedule) > 1 else 0.0
        central = float(a.capacity_response or response_draw)  # set: the response is drawn only then
        scaled = max(first * response_draw / central, later_floor if later_floor > 1 else 1.0)
        schedule[0] = (first_year, scaled)
        params = replace(
            params, assessment=replace(a, capacity_per_year=tuple(schedule), capacity_response=response_draw)
        )
    if spread is None or spread.scale == 0.0:
        return params
    return predictive_draw(params, spread, uniforms, last_fitted_year)


def predictive_draw(
    params: Parameters, spread: PredictiveSpread, u: Mapping[str, float], last_fitted_year: int
) -> Parameters:
    """Sources 3-7 of the module notes, from a replication's uniform numbers ``u`` (one per
    source of :data:`SOURCES` that ``spread`` has errors for; 0.5 everywhere is the central
    rule). :func:`draw_parameters` takes them from the replication's stream; a test or a
    sensitivity run may pass chosen ones (e.g. evenly spaced)."""
    years = params.years
    ahead = int(max(years.max() - last_fitted_year, 0))
    if spread.request_errors:
        shifts = spread.scale * error_path(spread.request_errors, u["requests"], ahead, presorted=True)
        sen = replace(
            params.sen_support,
            request_multiplier=shift_after(params.sen_support.request_multiplier, last_fitted_year, years, shifts),
        )
        params = replace(params, sen_support=sen)
    if spread.identification_errors:
        shifts = spread.scale * error_path(spread.identification_errors, u["identification"], ahead, presorted=True)
        arrivals = replace(
            params.arrivals,
            sen_support_multiplier=shift_after(params.arrivals.sen_support_multiplier, last_fitted_year, years, shifts),
        )
        params = replace(params, arrivals=arrivals)
    if spread.conversion_errors is not None:
        factor = float(np.exp(spread.scale * quantile_of_sorted(spread.conversion_errors, u["conversion"])))
        params = replace(params, assessment=scale_conversion(params.assessment, factor))
    factors = {
        group: placement_log_factor(
            errors,
            u[group],
            spread.placement_path_sensitivity.get(group, (spread.placement_sensitivity[group],)),
            spread.scale,
        )
        for group, errors in spread.placement_errors.items()
    }
    drawn = scale_placement_groups(params, factors)
    if spread.places_sensitivity and params.special_places.constrained and any(factors.values()):
        ratios = places_ratios(spread.places_sensitivity, factors, params.horizon + 1)  # to the last January
        drawn = replace(drawn, special_places=scale_places(params.special_places, params.start_year, ratios))
    return drawn


# ------------------------------------------------------------- measuring the errors
def conversion_log_errors(new_plans, requests, window: int = 3) -> np.ndarray:
    """One-year-ahead log errors of new plans against the conversion rule, pooled over the
    areas of two panels (one row per area, one column per calendar year; gaps: missing or
    non-positive): new plans of year ``t`` forecast as last year's requests times the mean
    over the ``window`` years before ``t`` of ``new plans / requests of the year before``
    (the work in hand a year's completions come from). Each forecast uses years before
    ``t`` only; cut the panels at the run's origin."""
    years = np.arange(int(min(new_plans.columns)), int(max(new_plans.columns)) + 1)
    plans = new_plans.reindex(columns=years).to_numpy(dtype=float)
    asked = requests.reindex(index=new_plans.index, columns=years).to_numpy(dtype=float)
    plans = np.where(plans > 0, plans, np.nan)
    asked = np.where(asked > 0, asked, np.nan)
    ratio = np.full_like(plans, np.nan)
    ratio[:, 1:] = plans[:, 1:] / asked[:, :-1]  # new plans of y over requests of y - 1
    errors = []
    for t in range(window + 1, len(years)):
        rule = np.mean(ratio[:, t - window : t], axis=1) * asked[:, t - 1]
        error = np.log(plans[:, t] / rule)
        errors.append(error[np.isfinite(error)])
    return np.concatenate(errors) if errors else np.zeros(0)


def places_sensitivity(
    params: Parameters, sensitivity: Mapping[str, float], steps_per_year: int = 12
) -> dict[str, np.ndarray]:
    """Per group or split of ``sensitivity`` (:func:`placement_sensitivity`; those below
    :data:`LEAST_SENSITIVITY` are not drawn and left out), two rows of ``S_t``, ``t = 0 ..
    horizon`` (``S_0 = 0``): the relative change of the expected state special count in
    January ``start_year + t`` per unit change of the factor ``f`` on that group's share
    alone, measured at the lowest and at the highest factor a draw can give
    (:func:`share_factor` at the reach both ways): row 0 for ``f < 1``, row 1 for ``f > 1``
    (the cohort engine at ``params``, local special places unconstrained). The count is
    close to linear between 1 and each end but not across it: a group that holds most
    of a phase's placements (FE and other after 16) cannot grow past 98% of them, so its
    largest draw moves the others less than its smallest, measured on the Gloucestershire
    baseline (issue 19). What :func:`places_ratios` moves the places with; empty without a
    horizon or with nobody in state special schools."""
    from simulation.cohort import expected_arrays

    if params.horizon < 1:
        return {}
    unconstrained = replace(params, special_places=replace(params.special_places, blocks=None))

    def state_special(p: Parameters) -> np.ndarray:
        return np.asarray(expected_arrays(p, steps_per_year)[0][("ehcp_state_special", "")], dtype=float)

    before = state_special(unconstrained)
    if not (before > 0).all():
        return {}
    out = {}
    for name, slope in sensitivity.items():
        if slope < LEAST_SENSITIVITY:
            continue
        reach = reachable_count_error(slope)
        rows = []
        for factor in (share_factor(-reach, slope), share_factor(reach, slope)):
            moved = state_special(scale_placement_groups(unconstrained, {name: float(np.log(factor))}))
            rows.append((moved / before - 1.0) / (factor - 1.0) if factor != 1.0 else np.zeros_like(before))
        out[name] = np.array(rows)
    return out


def placement_sensitivities(
    params: Parameters, horizons: int, step: float = 0.2, steps_per_year: int = 12
) -> dict[str, np.ndarray]:
    """:func:`placement_sensitivity` at every January ``k = 1 .. horizons`` years after the
    start (at most the run's horizon): per group or split, ``S_1 .. S_K``, the relative
    change of its expected count ``k`` years ahead per unit change of the factor on its
    share (the cohort engine at ``params`` over ``K`` years, local special places
    unconstrained): about the share of the count that came in during those ``k`` years,
    what :func:`placement_log_factor` matches the errors at each horizon with. A group
    nobody is placed in gets zeros."""
    from simulation.cohort import expected_arrays

    names = (*PLACEMENT_DRAW_GROUPS, *SPLITS)
    years = int(min(horizons, params.horizon))
    if years < 1:
        return {name: np.zeros(0) for name in names}
    run = replace(params, horizon=years, special_places=replace(params.special_places, blocks=None))
    base, _ = expected_arrays(run, steps_per_year)

    def count(stocks, name: str) -> np.ndarray:
        columns = SPLITS[name][0:1] if name in SPLITS else PLACEMENT_DRAW_GROUPS[name]
        return np.sum([np.asarray(stocks[(PLACEMENT_MEASURES[c], "")], dtype=float)[1:] for c in columns], axis=0)

    out = {}
    for name in names:
        before = count(base, name)
        if not (before > 0).all():
            out[name] = np.zeros(years)
            continue
        moved, _ = expected_arrays(scale_placement_groups(run, {name: step}), steps_per_year)
        out[name] = (count(moved, name) / before - 1.0) / np.expm1(step)
    return out


def placement_sensitivity(params: Parameters, step: float = 0.2, steps_per_year: int = 12) -> dict[str, float]:
    """For each group of :data:`PLACEMENT_DRAW_GROUPS` and each split of :data:`SPLITS`,
    ``s``: the relative change of its expected January count one year after the start
    (a split: its column's count) per unit change of the factor ``f`` on its share alone
    (``(C(f) / C(1) - 1) / (f - 1)``, the cohort engine at ``params`` and with that share
    times ``f = exp(step)``; local special places unconstrained): about the share of the
    count that came in during the year, what :func:`share_factor` turns an error in the
    count into a factor on the share with. One the share cannot move (nobody placed
    there) gets 0."""
    from simulation.cohort import expected_arrays

    names = (*PLACEMENT_DRAW_GROUPS, *SPLITS)
    if params.horizon < 1:
        return {name: 0.0 for name in names}
    # the cohort engine runs without the local special places (a sensitivity to the share,
    # not a projection)
    one_year = replace(params, horizon=1, special_places=replace(params.special_places, blocks=None))
    base, _ = expected_arrays(one_year, steps_per_year)

    def count(stocks, name: str) -> float:
        columns = SPLITS[name][0:1] if name in SPLITS else PLACEMENT_DRAW_GROUPS[name]
        return float(sum(stocks[(PLACEMENT_MEASURES[c], "")][1] for c in columns))

    out = {}
    for name in names:
        before = count(base, name)
        if before <= 0:
            out[name] = 0.0
            continue
        moved, _ = expected_arrays(scale_placement_groups(one_year, {name: step}), steps_per_year)
        out[name] = float((count(moved, name) / before - 1.0) / np.expm1(step))
    return out
