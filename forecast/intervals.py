"""Turn a Gaussian forecast distribution on a model's own scale into a :class:`PanelForecast`.

Every closed-form model here produces, per series and horizon, a centre and a standard
deviation on its scale (log counts or counts). Intervals are ``centre +/- z * sd``;
on the log scale they are then exponentiated (so they are asymmetric in counts and never
negative), on the level scale they are floored at zero.
"""

from __future__ import annotations

import numpy as np

from forecast.result import Z80, Z95, PanelForecast
from forecast.transforms import from_log


def panel_from_normal(
    model: str, scale: str, centre: np.ndarray, sd: np.ndarray, log_offset: np.ndarray, paths: np.ndarray | None = None
) -> PanelForecast:
    """Build the forecast from ``centre`` and ``sd`` (``(series, horizon)``, on the model's
    scale) and optional sample paths on the same scale (``(series, paths, horizon)``)."""

    def back(values: np.ndarray) -> np.ndarray:
        if scale == "log":
            return from_log(values, log_offset)
        return np.maximum(values, 0.0)

    return PanelForecast(
        model=model,
        scale=scale,
        mean=back(centre),
        lower80=back(centre - Z80 * sd),
        upper80=back(centre + Z80 * sd),
        lower95=back(centre - Z95 * sd),
        upper95=back(centre + Z95 * sd),
        log_offset=log_offset if scale == "log" else np.zeros(centre.shape[0]),
        paths=None if paths is None else back(paths),
    )
