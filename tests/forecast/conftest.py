"""Helpers shared by the forecasting-engine tests: small synthetic panels (clearly
synthetic: multiplicative growth with noise, not any LA's data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def synthetic_panel(n_series: int = 40, n_years: int = 14, *, seed: int = 0, first_year: int = 2012,
                    measures: tuple[str, ...] = (), growth: float = 0.06, noise: float = 0.05) -> pd.DataFrame:
    """Counts growing about ``growth`` a year (spread 0.03 across series) with ``noise`` on
    the log scale (synthetic)."""
    rng = np.random.default_rng(seed)
    groups = measures or ("",)
    rows = len(groups) * n_series
    rates = rng.normal(growth, 0.03, (rows, 1))
    level = np.exp(rng.uniform(np.log(50), np.log(3000), (rows, 1)))
    values = np.round(level * np.exp(np.cumsum(rates + rng.normal(0, noise, (rows, n_years)), axis=1)))
    codes = [f"E{i:08d}" for i in range(n_series)]
    if measures:
        index = pd.MultiIndex.from_product([list(measures), codes], names=["measure", "la_code"])
    else:
        index = pd.Index(codes, name="la_code")
    return pd.DataFrame(values, index=index, columns=range(first_year, first_year + n_years))


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return synthetic_panel()
