"""Parameter uncertainty: each replication draws its parameters, so the bands of a run are
predictive ("what we expect"), not only Monte Carlo noise ("simulation noise").

What is drawn (one draw per replication, from that replication's ``parameter_draw``
stream, :mod:`simulation.streams`, so a scenario and its baseline draw the same; the
draws are made in a fixed order whatever their values):

1. the **growth of the request rate** carried forward (:mod:`simulation.trends`): the mean
   of a resample, with replacement, of the yearly changes of the log request multiplier
   over the fitted years the growth is the mean of;
2. the **capacity response** (:attr:`simulation.parameters.Assessment.capacity_response`):
   the mean of a resample of the yearly shares of the work in hand completed; the first
   year's capacity moves with it;

and, given a :class:`PredictiveSpread` (errors measured out of sample, before the run's
origin, on every LA's published figures: :mod:`sendcast.scenarios.predictive`), one
uniform number per source below, drawn after 1 and 2. A source's error for the
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
   of new plans against a conversion rule; unconstrained capacity is not drawn;
6. **placement mix** of each group of :data:`PLACEMENT_DRAW_GROUPS`: its share of new
   plans and of moves at the phase transfers scaled (other placements rescaled,
   :func:`simulation.calibration.scale_phase_shares`) by the factor that moves the
   group's count one year ahead by ``exp(e)`` (:func:`share_factor`), ``e`` the
   ``u``-quantile of the one-year-ahead log errors of the group's count, kept within
   what the year's inflow can reach both ways (:func:`reachable_count_error`).

Everything else (levels, age profiles, ceasing, the damping) stays as fitted. With
nothing to resample (fewer than two yearly values) a parameter of 1-2 is not drawn; a
source of 3-6 with no errors is not drawn. With a spread of scale 0 every draw of 3-6 is
exactly the central rule, so the parameters are those of 1-2 alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from simulation.calibration import _placement, _scale_phases
from simulation.parameters import AP, FE, INDEPENDENT, OTHER, STATE_SPECIAL, Assessment, Parameters, schedule_values
from simulation.trends import carry_forward

#: Placement groups whose share of placements is drawn: the output measure (January
#: count) the group's errors are measured on, and the placement columns scaled together.
PLACEMENT_DRAW_GROUPS: dict[str, tuple[int, ...]] = {
    "ehcp_state_special": (STATE_SPECIAL,),
    "ehcp_independent_special": (INDEPENDENT,),
    "ehcp_ap": (AP,),
    "ehcp_fe_plus_other": (FE, OTHER),
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
SOURCES = ("requests", "identification", "conversion", *PLACEMENT_DRAW_GROUPS)


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
    - ``placement_errors``: per group of :data:`PLACEMENT_DRAW_GROUPS`, one-year-ahead log
      errors of the group's January count (its share of EHC plans);
    - ``placement_sensitivity``: per group, :func:`placement_sensitivity` at the run's
      central parameters (a group without one, or below :data:`LEAST_SENSITIVITY`, is not
      drawn);
    - ``scale``: every error is multiplied by it (0: the central rule; 1: as measured).
    """

    request_errors: tuple = ()
    identification_errors: tuple = ()
    conversion_errors: np.ndarray | None = None
    placement_errors: Mapping[str, np.ndarray] = field(default_factory=dict)
    placement_sensitivity: Mapping[str, float] = field(default_factory=dict)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.scale) or self.scale < 0:
            raise ValueError(f"PredictiveSpread.scale must be a finite number >= 0, found {self.scale}")
        unknown = set(self.placement_errors) - set(PLACEMENT_DRAW_GROUPS)
        if unknown:
            raise ValueError(
                f"PredictiveSpread.placement_errors: unknown group(s) {sorted(unknown)}; "
                f"allowed: {', '.join(PLACEMENT_DRAW_GROUPS)}"
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
        placement = {
            g: centred(v)
            for g, v in self.placement_errors.items()
            if self.placement_sensitivity.get(g, 0.0) >= LEAST_SENSITIVITY
        }
        object.__setattr__(self, "placement_errors", {g: v for g, v in placement.items() if v.size})
        object.__setattr__(self, "placement_sensitivity", dict(self.placement_sensitivity))

    def with_scale(self, scale: float) -> PredictiveSpread:
        """The same errors at another scale."""
        return replace(self, scale=scale)


def bootstrap_mean(values: np.ndarray, rng: np.random.Generator) -> float:
    """The mean of ``len(values)`` values drawn from ``values`` with replacement."""
    values = np.asarray(values, dtype=float)
    return float(values[rng.integers(0, values.size, values.size)].mean())


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
    every year's; unconstrained capacity is returned as it is."""
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


def scale_placement_groups(params: Parameters, log_factors: Mapping[str, float]) -> Parameters:
    """``params`` with each group's share of new plans and of moves at the phase transfers
    scaled by ``exp(log_factors[group])`` (:data:`PLACEMENT_DRAW_GROUPS`; the groups in turn,
    as :func:`simulation.calibration.scale_phase_shares` does one, the mix built once)."""
    moving = {group: f for group, f in log_factors.items() if f != 0.0}
    if not moving:
        return params
    new_shares = np.array(params.placement.new_plan_shares)
    transfer = np.array(params.placement.transfer)
    for group, log_factor in moving.items():
        for column in PLACEMENT_DRAW_GROUPS[group]:
            _scale_phases(new_shares, transfer, column, ALL_PHASES, float(np.exp(log_factor)))
    return replace(params, placement=_placement(new_shares, transfer))


def draw_parameters(
    params: Parameters,
    rng: np.random.Generator,
    *,
    last_fitted_year: int,
    request_changes: np.ndarray | None = None,
    identification_growth: float = 0.0,
    damping: float = 1.0,
    identification_damping: float | None = None,
    response_shares: np.ndarray | None = None,
    spread: PredictiveSpread | None = None,
) -> Parameters:
    """``params`` with the request growth (from ``request_changes``, the yearly log
    changes, carried forward from ``last_fitted_year`` by the damped rule) and the
    capacity response (from ``response_shares``) drawn by bootstrap; ``None`` or fewer
    than two values: that parameter is kept. The request draw is made first, then the
    response draw, whichever are used, then (``spread`` given) one uniform number per
    source of :data:`SOURCES`, whichever have errors: the stream's order never depends on
    the values (see the module notes)."""
    request_draw = response_draw = None
    if request_changes is not None and len(request_changes) >= 2:
        request_draw = bootstrap_mean(request_changes, rng)
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
        scaled = max(first * response_draw / a.capacity_response, later_floor if later_floor > 1 else 1.0)
        schedule[0] = (first_year, scaled)
        params = replace(
            params, assessment=replace(a, capacity_per_year=tuple(schedule), capacity_response=response_draw)
        )
    if spread is None or spread.scale == 0.0:
        return params
    return _predictive(params, spread, uniforms, last_fitted_year)


def _predictive(params: Parameters, spread: PredictiveSpread, u: dict[str, float], last_fitted_year: int) -> Parameters:
    """Sources 3-6 of the module notes, from the replication's uniform numbers ``u``."""
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
        group: float(
            np.log(
                share_factor(spread.scale * quantile_of_sorted(errors, u[group]), spread.placement_sensitivity[group])
            )
        )
        for group, errors in spread.placement_errors.items()
    }
    return scale_placement_groups(params, factors)


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


def placement_sensitivity(params: Parameters, step: float = 0.2, steps_per_year: int = 12) -> dict[str, float]:
    """For each group of :data:`PLACEMENT_DRAW_GROUPS`, ``s``: the relative change of its
    expected January count one year after the start per unit change of the factor ``f`` on
    its share of placements (``(C(f) / C(1) - 1) / (f - 1)``, the cohort engine at
    ``params`` and with every group's share times ``f = exp(step)``; local special places
    unconstrained): about the share of the count that came in during the year, what
    :func:`share_factor` turns an error in the count into a factor on the share with. A
    group the share cannot move (nobody placed there) gets 0."""
    from simulation.cohort import expected_arrays

    if params.horizon < 1:
        return {group: 0.0 for group in PLACEMENT_DRAW_GROUPS}
    # the cohort engine runs without the local special places (a sensitivity to the share,
    # not a projection)
    one_year = replace(params, horizon=1, special_places=replace(params.special_places, blocks=None))
    base, _ = expected_arrays(one_year, steps_per_year)
    moved, _ = expected_arrays(
        scale_placement_groups(one_year, {g: step for g in PLACEMENT_DRAW_GROUPS}), steps_per_year
    )

    def count(stocks, group: str) -> float:
        if group == "ehcp_fe_plus_other":
            return float(stocks[("ehcp_fe", "")][1] + stocks[("ehcp_other", "")][1])
        return float(stocks[(group, "")][1])

    out = {}
    for group in PLACEMENT_DRAW_GROUPS:
        before, after = count(base, group), count(moved, group)
        out[group] = float((after / before - 1.0) / np.expm1(step)) if before > 0 else 0.0
    return out
