"""The simulation engine: the graduated SEND pathway as a discrete-event model (SimPy) and
as a cohort model (numpy), with a runner and calibration. Pure computation: plain data
in (frozen dataclasses, DataFrames, arrays), plain data out; no files, no printing.

Modules, one job each:

- :mod:`simulation.parameters`: one frozen dataclass per scenario;
- :mod:`simulation.streams`: one random stream per activity and replication;
- :mod:`simulation.hazards`: time to the next change of state from competing hazards;
- :mod:`simulation.caseload`: the starting caseload as whole children by age and placement;
- :mod:`simulation.model`: the discrete-event model, one replication;
- :mod:`simulation.shared_draws`: draws a replication's scenarios share, made once;
- :mod:`simulation.ordering`: time order of many events, as a stable sort gives it;
- :mod:`simulation.cohort`: expected trajectories of the same flows;
- :mod:`simulation.cohort_batch`: several cohort runs stepped together (a fit's Jacobian), the same numbers;
- :mod:`simulation.outputs`: measure names, year bases and yearly tallies;
- :mod:`simulation.runner`: replications, summaries and paired differences;
- :mod:`simulation.calibration`: rates from published flows, fit of the rest;
- :mod:`simulation.priors`: the rates, age shapes and unit costs a real run starts from (calibrated by sendcast).
- :mod:`simulation.examples`: a Gloucestershire-sized example scenario on those priors (benchmarks, tests).
"""

from simulation.calibration import CalibrationResult, calibrate, estimate_rates
from simulation.cohort import expected_trajectories
from simulation.errors import CalibrationError, ParameterError, SimulationError
from simulation.model import ReplicationResult, simulate
from simulation.outputs import YEAR_BASIS, year_basis
from simulation.parameters import (
    Arrivals,
    Assessment,
    Caseload,
    Ceasing,
    Costs,
    EarlyIdentification,
    Parameters,
    PlaceBlock,
    Placement,
    Population,
    SenSupport,
    SpecialPlaces,
)
from simulation.runner import SimulationResults, run_scenarios

__all__ = [
    "Arrivals",
    "Assessment",
    "CalibrationError",
    "CalibrationResult",
    "Caseload",
    "Ceasing",
    "Costs",
    "EarlyIdentification",
    "ParameterError",
    "Parameters",
    "PlaceBlock",
    "Placement",
    "Population",
    "ReplicationResult",
    "SenSupport",
    "SimulationError",
    "SimulationResults",
    "SpecialPlaces",
    "YEAR_BASIS",
    "calibrate",
    "estimate_rates",
    "expected_trajectories",
    "run_scenarios",
    "simulate",
    "year_basis",
]
