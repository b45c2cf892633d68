"""The simulation engine's own exception types (one per layer, house style)."""

from __future__ import annotations


class SimulationError(Exception):
    """Something in the simulation engine went wrong."""


class ParameterError(SimulationError, ValueError):
    """A parameter is missing, out of range or the wrong shape; the message names it."""


class CalibrationError(SimulationError, ValueError):
    """Calibration targets are missing, inconsistent or cannot be used."""
