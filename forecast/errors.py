"""Exceptions of the forecasting engine.

Every error says which series, which model or which argument was at fault and what was
expected, so the application layer can turn it into one line for the user.
"""

from __future__ import annotations


class ForecastError(ValueError):
    """Input the forecasting engine cannot use (too short, negative counts, unknown model,
    mismatched years), or a result that breaks an invariant (intervals not nested)."""
