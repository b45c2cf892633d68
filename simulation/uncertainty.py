"""Parameter uncertainty: each replication draws its calibrated parameters from a
bootstrap over the fitted years, so the bands of a run are predictive, not only Monte
Carlo noise.

What is drawn (one draw per replication, from that replication's ``parameter_draw``
stream, :mod:`simulation.streams`, so a scenario and its baseline draw the same):

- the **growth of the request rate** carried forward (:mod:`simulation.trends`): the mean
  of a resample, with replacement, of the yearly changes of the log request multiplier
  over the fitted years the growth is the mean of;
- the **capacity response** (:attr:`simulation.parameters.Assessment.capacity_response`):
  the mean of a resample of the yearly shares of the work in hand completed; the first
  year's capacity moves with it.

Everything else (levels, age profiles, the damping, the identification trend) stays as
fitted: the bands are wider than Monte Carlo noise alone but still narrower than all
the uncertainty there is. With nothing to resample (fewer than two yearly values) a
parameter is not drawn.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulation.parameters import Parameters
from simulation.trends import carry_forward


def bootstrap_mean(values: np.ndarray, rng: np.random.Generator) -> float:
    """The mean of ``len(values)`` values drawn from ``values`` with replacement."""
    values = np.asarray(values, dtype=float)
    return float(values[rng.integers(0, values.size, values.size)].mean())


def draw_parameters(
    params: Parameters,
    rng: np.random.Generator,
    *,
    last_fitted_year: int,
    request_changes: np.ndarray | None = None,
    identification_growth: float = 0.0,
    damping: float = 1.0,
    response_shares: np.ndarray | None = None,
) -> Parameters:
    """``params`` with the request growth (from ``request_changes``, the yearly log
    changes, carried forward from ``last_fitted_year`` by the damped rule) and the
    capacity response (from ``response_shares``) drawn by bootstrap; ``None`` or fewer
    than two values: that parameter is kept. The request draw is made first, then the
    response draw, whichever are used, so the stream's order never depends on the values."""
    request_draw = response_draw = None
    if request_changes is not None and len(request_changes) >= 2:
        request_draw = bootstrap_mean(request_changes, rng)
    a = params.assessment
    if response_shares is not None and len(response_shares) >= 2 and a.capacity_response is not None:
        response_draw = bootstrap_mean(response_shares, rng)
    if request_draw is not None:
        params = carry_forward(
            params,
            last_fitted_year,
            request_growth=request_draw,
            identification_growth=identification_growth,
            damping=damping,
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
    return params
