"""The common result of every forecasting method: a central path and nested intervals.

Two shapes of the same thing:

- :class:`PanelForecast` holds many series at once (arrays of shape ``(series, horizon)``);
  the vectorised models and the backtest work with it.
- :class:`Forecast` is one series with its forecast years, what the application layer shows
  a planner.

Meaning of the fields, in planning terms:

- ``mean``: the central forecast ("the most likely caseload"). For models fitted on the log
  scale it is the back-transformed log-scale mean, i.e. the *median* of the forecast
  distribution, not its arithmetic mean; it is the number the backtest scores.
- ``lower80``/``upper80`` and ``lower95``/``upper95``: central prediction intervals. Before
  calibration they are the model's own (textbook) intervals, which under-cover on short
  yearly series; :mod:`forecast.calibration` widens them from backtest errors.
- ``paths``: simulated sample paths (``(series, paths, horizon)``), needed for statements
  such as "the chance demand exceeds places in 2029" and for spend intervals. ``None`` when
  not requested.
- ``interval_scale``: per horizon, the factor by which calibration widened the intervals
  (1.0 everywhere means no widening was applied).

Invariants checked on construction (a violation is a :class:`ForecastError`): every value is
non-negative, and ``lower95 <= lower80 <= mean <= upper80 <= upper95``. Rows that are all NaN
(a series the model could not fit, see the model's docstring) are allowed in a panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from forecast.errors import ForecastError
from forecast.transforms import from_log

#: The two interval levels every method reports.
LEVELS: tuple[float, float] = (0.80, 0.95)
#: Standard normal quantiles for the upper end of the central 80% and 95% intervals.
Z80: float = float(stats.norm.ppf(0.90))
Z95: float = float(stats.norm.ppf(0.975))
#: Scales a model can be fitted on: ``"log"`` (multiplicative growth) or ``"level"`` (additive).
SCALES: tuple[str, str] = ("log", "level")

_TOLERANCE = 1e-9


def _check_nested(
    model: str,
    mean: np.ndarray,
    lo80: np.ndarray,
    hi80: np.ndarray,
    lo95: np.ndarray,
    hi95: np.ndarray,
    paths: np.ndarray | None,
) -> None:
    stacked = np.stack([lo95, lo80, mean, hi80, hi95])
    if np.isinf(stacked).any():
        raise ForecastError(
            f"{model}: a forecast or bound overflowed to infinity; the history is too erratic for this method"
        )
    finite = ~np.isnan(stacked)
    row_ok = finite.all(axis=0) | (~finite).all(axis=0)
    if not row_ok.all():
        raise ForecastError(f"{model}: a forecast has some bounds missing and others present")
    values = np.where(finite, stacked, 0.0)
    if (values < -_TOLERANCE).any():
        raise ForecastError(f"{model}: negative forecast or bound; counts cannot be negative")
    scale = np.maximum(1.0, np.abs(values))
    if (np.diff(values, axis=0) < -_TOLERANCE * scale[1:]).any():
        raise ForecastError(
            f"{model}: intervals are not nested (need lower95 <= lower80 <= mean <= upper80 <= upper95)"
        )
    if paths is not None and (np.nan_to_num(paths) < -_TOLERANCE).any():
        raise ForecastError(f"{model}: a sample path goes negative")


@dataclass(frozen=True)
class PanelForecast:
    """Forecasts of many series by one model; arrays are ``(series, horizon)``.

    ``log_offset`` (one per series) is what was added before taking logs: 0 for a series with
    positive counts throughout its training window, 1 for one with a zero (see
    :func:`forecast.transforms.log_offsets`). It is all zeros for level-scale models.
    """

    model: str
    scale: str
    mean: np.ndarray
    lower80: np.ndarray
    upper80: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    log_offset: np.ndarray
    paths: np.ndarray | None = None
    interval_scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ForecastError(f"{self.model}: scale must be one of {SCALES}, found {self.scale!r}")
        shape = self.mean.shape
        if len(shape) != 2:
            raise ForecastError(f"{self.model}: panel arrays must be (series, horizon), found shape {shape}")
        for name in ("lower80", "upper80", "lower95", "upper95"):
            if getattr(self, name).shape != shape:
                raise ForecastError(f"{self.model}: {name} has shape {getattr(self, name).shape}, expected {shape}")
        if self.log_offset.shape != (shape[0],):
            raise ForecastError(f"{self.model}: log_offset needs one value per series")
        if self.paths is not None and (
            self.paths.ndim != 3 or self.paths.shape[0] != shape[0] or self.paths.shape[2] != shape[1]
        ):
            raise ForecastError(f"{self.model}: paths must be (series, paths, horizon) matching the forecasts")
        if self.interval_scale is not None and self.interval_scale.shape != shape:
            raise ForecastError(f"{self.model}: interval_scale must have shape {shape}")
        _check_nested(self.model, self.mean, self.lower80, self.upper80, self.lower95, self.upper95, self.paths)

    @classmethod
    def from_log_bands(
        cls, model: str, bands: dict[str, np.ndarray], offset: np.ndarray, paths: np.ndarray | None = None
    ) -> PanelForecast:
        """A log-scale panel forecast from log-scale ``bands`` (``mean``, ``lo80``, ``hi80``,
        ``lo95``, ``hi95``, each ``(series, horizon)``) and optional log-scale ``paths``,
        back-transformed with :func:`forecast.transforms.from_log` and ``offset``."""
        return cls(
            model=model,
            scale="log",
            mean=from_log(bands["mean"], offset),
            lower80=from_log(bands["lo80"], offset),
            upper80=from_log(bands["hi80"], offset),
            lower95=from_log(bands["lo95"], offset),
            upper95=from_log(bands["hi95"], offset),
            log_offset=offset,
            paths=None if paths is None else from_log(paths, offset),
        )

    @property
    def n_series(self) -> int:
        return int(self.mean.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.mean.shape[1])

    def row(self, index: int, years: np.ndarray | list[int], *, name: str = "") -> Forecast:
        """The forecast of series ``index`` as a :class:`Forecast` for the given years."""
        return Forecast(
            model=self.model,
            scale=self.scale,
            years=np.asarray(years, dtype=int),
            mean=self.mean[index],
            lower80=self.lower80[index],
            upper80=self.upper80[index],
            lower95=self.lower95[index],
            upper95=self.upper95[index],
            log_offset=float(self.log_offset[index]),
            paths=None if self.paths is None else self.paths[index],
            interval_scale=(np.ones(self.horizon) if self.interval_scale is None else self.interval_scale[index]),
            name=name,
        )


@dataclass(frozen=True)
class Forecast:
    """One series' forecast for ``years`` (January census years unless the input said
    otherwise). ``paths`` is ``(paths, horizon)`` or ``None``. ``interval_scale`` says, per
    year, how far calibration widened the intervals (all 1.0: not widened).
    ``name`` identifies the series (for example ``"E10000013/ehcp_state_special"``)."""

    model: str
    scale: str
    years: np.ndarray
    mean: np.ndarray
    lower80: np.ndarray
    upper80: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    log_offset: float = 0.0
    paths: np.ndarray | None = None
    interval_scale: np.ndarray = field(default_factory=lambda: np.ones(0))
    name: str = ""

    def __post_init__(self) -> None:
        shape = self.years.shape
        if self.scale not in SCALES:
            raise ForecastError(f"{self.model}: scale must be one of {SCALES}, found {self.scale!r}")
        for name in ("mean", "lower80", "upper80", "lower95", "upper95"):
            if getattr(self, name).shape != shape:
                raise ForecastError(
                    f"{self.model}: {name} has shape {getattr(self, name).shape}, expected one value per year {shape}"
                )
        if self.paths is not None and (self.paths.ndim != 2 or self.paths.shape[1] != shape[0]):
            raise ForecastError(f"{self.model}: paths must be (paths, years)")
        if self.interval_scale.size == 0:
            object.__setattr__(self, "interval_scale", np.ones(shape))
        if self.interval_scale.shape != shape:
            raise ForecastError(f"{self.model}: interval_scale needs one value per year")
        if np.isnan(self.mean).any():
            raise ForecastError(f"{self.model}: the forecast for {self.name or 'this series'} is missing")
        _check_nested(
            self.model,
            self.mean,
            self.lower80,
            self.upper80,
            self.lower95,
            self.upper95,
            None if self.paths is None else self.paths[None],
        )

    @property
    def widened(self) -> bool:
        """True when calibration widened the intervals in at least one year."""
        return bool((self.interval_scale > 1.0).any())

    def to_frame(self) -> pd.DataFrame:
        """A table indexed by ``year`` with ``mean``, ``lo80``, ``hi80``, ``lo95``, ``hi95``
        (the columns :func:`sendcast.reporting.charts.fan_chart` draws), ``lo50``/``hi50`` from the
        sample paths when there are paths, and ``interval_scale``."""
        frame = pd.DataFrame(
            {"mean": self.mean, "lo80": self.lower80, "hi80": self.upper80, "lo95": self.lower95, "hi95": self.upper95},
            index=pd.Index(self.years, name="year"),
        )
        if self.paths is not None:
            frame["lo50"] = np.quantile(self.paths, 0.25, axis=0)
            frame["hi50"] = np.quantile(self.paths, 0.75, axis=0)
        frame["interval_scale"] = self.interval_scale
        return frame
