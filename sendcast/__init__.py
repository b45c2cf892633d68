"""sendcast: forecast and simulate SEND provision for English local authorities.

The application layer: data loading and validation, scenarios, costing, reports and
the ``sendcast`` command. The engines live in the ``forecast`` and ``simulation``
packages and never import this one.

The names below are the public facade for notebooks and the web app: one import,
``import sendcast``, reaches everything a commissioner's notebook needs. They are loaded
on first use, so ``import sendcast`` (and so the command's start-up) stays cheap.

- data: :func:`load_dataset`, :func:`la_series` (one LA's published series), :func:`la_neighbours`
- forecasts: :func:`national_evidence`, :func:`forecast_la`, :func:`compare_with_neighbours`,
  :func:`neighbour_comparison`, :func:`past_forecasts` (one LA's earlier real-time forecasts
  against what was published: the track-record line, worded by :func:`past_forecast_line`)
- scenarios: :func:`load_scenarios`, :func:`compare`, :func:`build_parameters`, sweeps
  (:func:`grid`, :func:`parse_vary`, :class:`SweepTask`, :func:`run_sweep_task`, :func:`sweep_table`),
  :func:`map_tasks`
- reporting: charts (:func:`fan_chart`, :func:`sufficiency_chart`, :func:`context_chart`,
  :func:`scenario_chart`, :func:`difference_chart`, :func:`sweep_chart`) and tables
  (:func:`headline_table`, :func:`appraisal_table`, :func:`option_sentences`, :func:`figures`,
  :func:`summary_lines`, :func:`neighbour_lines`, :func:`neighbour_figure`, :func:`wide_table`,
  :func:`measure_label`), the baseline's headline numbers (:func:`headlines`,
  :func:`headline_sentences`) and :func:`readable` (a table formatted for reading: money to 3
  significant figures, whole children), :func:`format_money`, :func:`format_children`; one LA's forecast charts (:func:`fan_figure`, :func:`sufficiency_figure`)
- the web app's needs: scenario levers with their units and allowed ranges (:func:`levers`,
  :func:`unit_cost_levers`, :func:`set_levers`), a comparison of scenarios given as settings into a
  new run folder (:func:`compare_settings`), the checks of ``sendcast check`` (:func:`check_capacity`,
  :func:`check_unit_costs`)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sendcast.runtime.reproducible_blas import pin as _pin_blas_kernels

_pin_blas_kernels()  # before numpy loads: the same numbers on every x86-64 machine (see that module)

__version__ = "0.1.0"

#: public name -> the module that defines it (``module:attribute`` where the name differs)
_FACADE = {
    "load_dataset": "sendcast.data.store",
    "la_series": "sendcast.data.query:series",
    "la_neighbours": "sendcast.data.query:neighbours",
    "national_evidence": "sendcast.forecasting.evidence",
    "forecast_la": "sendcast.forecasting.one_la",
    "measure_label": "sendcast.forecasting.one_la",
    "past_forecasts": "sendcast.forecasting.past_forecasts",
    "compare_with_neighbours": "sendcast.forecasting.neighbours",
    "neighbour_comparison": "sendcast.forecasting.context",
    "load_scenarios": "sendcast.scenarios.pipeline",
    "compare": "sendcast.scenarios.pipeline",
    "build_parameters": "sendcast.scenarios.parameters",
    "SweepTask": "sendcast.scenarios.sweep",
    "grid": "sendcast.scenarios.sweep",
    "parse_vary": "sendcast.scenarios.sweep",
    "run_sweep_task": "sendcast.scenarios.sweep",
    "sweep_table": "sendcast.scenarios.sweep",
    "map_tasks": "sendcast.runtime.parallel",
    "fan_chart": "sendcast.reporting.charts",
    "sufficiency_chart": "sendcast.reporting.charts",
    "context_chart": "sendcast.reporting.charts",
    "scenario_chart": "sendcast.reporting.scenario_charts",
    "difference_chart": "sendcast.reporting.scenario_charts",
    "sweep_chart": "sendcast.reporting.scenario_charts",
    "headline_table": "sendcast.reporting.comparison",
    "headlines": "sendcast.reporting.comparison",
    "headline_sentences": "sendcast.reporting.comparison",
    "cost_waterfall": "sendcast.reporting.scenario_charts",
    "readable": "sendcast.reporting.display",
    "format_money": "sendcast.reporting.display",
    "format_children": "sendcast.reporting.display",
    "la_wide": "sendcast.data.query:wide",
    "appraisal_table": "sendcast.reporting.comparison",
    "readable_appraisal": "sendcast.reporting.comparison",
    "option_sentences": "sendcast.reporting.comparison",
    "figures": "sendcast.reporting.comparison",
    "summary_lines": "sendcast.reporting.forecast_outputs",
    "past_forecast_line": "sendcast.reporting.track_record",
    "neighbour_lines": "sendcast.reporting.forecast_outputs",
    "neighbour_figure": "sendcast.reporting.forecast_outputs",
    "wide_table": "sendcast.reporting.display",
    "fan_figure": "sendcast.reporting.forecast_outputs",
    "sufficiency_figure": "sendcast.reporting.forecast_outputs",
    "levers": "sendcast.scenarios.levers",
    "unit_cost_levers": "sendcast.scenarios.levers",
    "set_levers": "sendcast.scenarios.levers",
    "compare_settings": "sendcast.app.comparisons",
    "check_capacity": "sendcast.commands.check",
    "check_unit_costs": "sendcast.commands.check",
}

__all__ = ["__version__", *_FACADE]


def __getattr__(name: str) -> Any:
    module = _FACADE.get(name)
    if module is None:
        raise AttributeError(f"module 'sendcast' has no attribute {name!r}")
    module, _, attribute = module.partition(":")
    value = getattr(import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
