"""The app's four pages (layout only; what fills them is in :mod:`sendcast.app.server`).

Every control that sets a scenario lever is built from :mod:`sendcast.scenarios.levers`, so
its label states the unit and the range the scenario validation allows.
"""

from __future__ import annotations

from shiny import ui

from sendcast.app.workspace import AREA_MEASURES
from sendcast.data.measures import MEASURES
from sendcast.scenarios.files import PHASES, NewPlaces, ScenarioInfo
from sendcast.scenarios.levers import (
    Lever,
    _bounds,
    levers,
    section_title,
    unit_cost_levers,
)

STYLE = """
img.chart { max-width: 100%; height: auto; border: 1px solid #eee; margin: 4px 0 12px 0; }
.one-line-error { color: #a00; font-weight: 600; }
.one-line-ok { color: #060; }
.caption { color: #555; font-size: 0.9em; }
progress { width: 100%; height: 1.2em; }
table.numbers td, table.numbers th { padding: 2px 8px; text-align: right; }
table.numbers td:first-child, table.numbers th:first-child { text-align: left; }
"""


def lever_id(key: str) -> str:
    """The input id of the control for a lever key (``early_identification.relative_risk`` ->
    ``lever__early_identification__relative_risk``)."""
    return "lever__" + key.replace(".", "__")


def lever_input(lever: Lever):
    label = ui.span(lever.label, ui.br(), ui.span(f"{lever.unit}; allowed: {lever.allowed}", class_="caption"))
    if lever.kind == "choice":
        return ui.input_select(lever_id(lever.key), label, list(lever.choices), selected=lever.default)
    return ui.input_numeric(
        lever_id(lever.key), label, lever.default, min=lever.minimum, max=lever.maximum, step=lever.step
    )


def _range(model, name: str) -> tuple[float | None, float | None]:
    low, high, _ = _bounds(list(model.model_fields[name].metadata))
    return low, high


def _tab(name: str, heading: str, *content, value: str, caption: str | None = None):
    """One page of the app: its tab ``name``, a heading, a caption if given, then ``content``."""
    head = [ui.h3(heading)] + ([ui.p(caption, class_="caption")] if caption else [])
    return ui.nav_panel(name, *head, *content, value=value)


def area_page(choices: dict[str, str]):
    return _tab(
        "Area",
        "Area",
        ui.input_selectize(
            "la",
            "Local authority (type a name, number or code)",
            {"": "", **choices},  # nothing chosen at first: the box is empty and takes typing at once
            selected="",
            remove_button=True,  # the x empties it again to search for another
            options={"placeholder": "e.g. Gloucestershire, 916 or E10000013"},
        ),
        ui.output_ui("area_facts"),
        ui.layout_columns(
            ui.input_select("area_measure", "Measure", {m: MEASURES[m].label for m in AREA_MEASURES}),
            ui.input_radio_buttons(
                "area_scale",
                "Scale",
                {"index": "growth (first shared year = 100)", "published": "as published"},
                inline=True,
            ),
        ),
        ui.output_ui("area_chart"),
        ui.h4("Published history"),
        ui.output_table("area_history", class_="numbers"),
        ui.h4("Data vintage"),
        ui.output_ui("area_vintage"),
        value="area",
    )


def forecast_page():
    return _tab(
        "Forecast",
        "Forecast from the published trend",
        ui.output_ui("forecast_status"),
        ui.output_ui("forecast_summary"),
        ui.output_ui("forecast_charts"),
        value="forecast",
        caption="Time-series forecasts, the method chosen per measure by a backtest on every LA in England; "
        "bands are 50/80/95% prediction intervals calibrated on the backtest. The orange track-record line is "
        "what sendcast forecast a year before each published year, from the data published by then, with its "
        "80% interval: where it strays from the black line, so have past forecasts.",
    )


def options_page(scenarios: dict[str, str], backend: str = "processes"):
    controls = []
    all_levers = levers()
    for section in dict.fromkeys(lever.key.split(".")[0] for lever in all_levers):
        controls.append(ui.h5(section_title(section)))
        controls += [lever_input(lever) for lever in all_levers if lever.key.startswith(section + ".")]
        if section == "special_places":
            places_low, places_high = _range(NewPlaces, "places")
            year_low, year_high = _range(NewPlaces, "from_year")
            controls += [
                ui.output_ui("places_in_scenario"),
                ui.input_numeric(
                    "new_places",
                    ui.span(
                        "New special places to add",
                        ui.br(),
                        ui.span(
                            f"places; allowed: {places_low:.0f} to {places_high:.0f}, or blank for none",
                            class_="caption",
                        ),
                    ),
                    None,  # type: ignore[arg-type]  # blank: no new places
                    min=places_low,
                    max=places_high,
                    step=1,
                ),
                ui.input_select("new_places_phase", "Phase of the new places", list(PHASES), selected="all"),
                ui.input_numeric(
                    "new_places_from",
                    ui.span(
                        "First January the new places are open",
                        ui.br(),
                        ui.span(f"January; allowed: {year_low:.0f} to {year_high:.0f}", class_="caption"),
                    ),
                    2027,
                    min=year_low,
                    max=year_high,
                    step=1,
                ),
            ]
        if section == "costs":
            controls.append(ui.h6("Unit costs (blank: derived from the data)"))
            controls += [lever_input(lever) for lever in unit_cost_levers()]
    reps_low, reps_high = _range(ScenarioInfo, "replications")
    seed_low, _ = _range(ScenarioInfo, "seed")
    return _tab(
        "Options",
        "Options: move the levers, compare with the baseline",
        ui.layout_columns(
            ui.div(
                ui.input_select(
                    "start_from",
                    "Start from",
                    scenarios,
                    selected="early-identification.toml" if "early-identification.toml" in scenarios else None,
                ),
                ui.input_text("option_name", "Name of this option", "My option"),
                *controls,
                ui.h5("Your own files (checked as `sendcast check` checks them)"),
                ui.input_file("capacity_upload", "Special school capacity (CSV)", accept=".csv"),
                ui.output_ui("capacity_message"),
                ui.input_file("unit_costs_upload", "Unit costs (CSV)", accept=".csv"),
                ui.output_ui("unit_costs_message"),
                ui.h5("The run"),
                ui.input_numeric(
                    "replications",
                    ui.span(
                        "Replications",
                        ui.br(),
                        ui.span(
                            f"paired runs per scenario; allowed: {reps_low:.0f} to {reps_high:,.0f}", class_="caption"
                        ),
                    ),
                    100,
                    min=reps_low,
                    max=reps_high,
                    step=1,
                ),
                ui.input_numeric(
                    "seed",
                    ui.span("Seed", ui.br(), ui.span(f"allowed: {seed_low:.0f} to 2^63 - 1", class_="caption")),
                    20251122,
                    min=seed_low,
                    step=1,
                ),
                ui.input_select(
                    "backend",
                    "Where the replications run",
                    {"processes": "processes (every core)", "local": "local (one core)"},
                    selected=backend,
                ),
                ui.input_action_button("run", "Run the comparison", class_="btn-primary"),
                ui.input_action_button("cancel", "Cancel", class_="btn-outline-danger"),
                ui.output_ui("run_progress"),
            ),
            ui.div(
                ui.output_ui("run_results"),
            ),
            col_widths=(4, 8),
        ),
        value="options",
    )


def download_page():
    return _tab(
        "Download",
        "Download a run",
        ui.output_ui("download_choice"),
        ui.download_button("download_zip", "Download the run folder (zip)"),
        ui.output_ui("download_files"),
        value="download",
        caption="Each run is the folder `sendcast compare` writes: report.html, finance.xlsx, the tables (CSV), "
        "the charts (PNG), manifest.json, and the scenario files (scenarios/*.toml) that repeat the run "
        "on the command line.",
    )


def page(choices: dict[str, str], scenarios: dict[str, str], backend: str = "processes"):
    return ui.page_navbar(
        area_page(choices),
        forecast_page(),
        options_page(scenarios, backend),
        download_page(),
        title="sendcast",
        id="page",
        header=ui.tags.style(STYLE),
        window_title="sendcast",
    )
