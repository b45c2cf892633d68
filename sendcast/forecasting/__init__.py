"""Forecasts: evidence from the national backtest, one LA, England, every LA, neighbours."""
