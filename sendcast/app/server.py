"""What fills the app's pages: each output calls the application layer's public functions
(``import sendcast``, :mod:`sendcast.scenarios.from_settings`) and shows what they return.

Long work (a forecast, a comparison) runs as a job on the background worker
(:mod:`sendcast.app.jobs`); the page polls it for progress and may cancel it.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from shiny import App, reactive, render, req, ui

import sendcast
from sendcast.app import pages
from sendcast.app.jobs import CANCELLED, DONE, FAILED, Job, Jobs
from sendcast.app.workspace import RunRecord, Workspace
from sendcast.data.measures import MEASURES, PLACEMENT_GROUPS
from sendcast.reporting.comparison import readable_appraisal
from sendcast.reporting.forecast_outputs import FLOW_MEASURES
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.files import Distribution
from sendcast.scenarios.levers import current_value

log = logging.getLogger(__name__)
POLL_SECONDS = 0.4
FORECAST_CHARTS = ("ehcp_total", *PLACEMENT_GROUPS, "requests", "new_plans")


# -- pictures -------------------------------------------------------------------------------------


def png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def figure_png(figure) -> bytes:
    """A matplotlib Figure as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def chart(data: bytes, alt: str, name: str = ""):
    return ui.img(src=png_uri(data), alt=alt, class_="chart", **({"data-name": name} if name else {}))


def one_line(message: str, ok: bool = False):
    return ui.div(message, class_="one-line-ok" if ok else "one-line-error")


def number_cell(value: Any, text: str):
    """A table cell showing ``text``; the exact value rides along in ``data-value``."""
    raw = "" if value is None or pd.isna(value) else f"{float(value):.12g}"
    return ui.tags.td(text, **{"data-value": raw})


# -- the forecast job -----------------------------------------------------------------------------


def forecast_pictures(workspace: Workspace, la_code: str) -> dict[str, Any]:
    """The LA's forecast and its charts as PNG bytes (made on the job's thread): each fan chart
    with its track-record line (the forecasts made a year before each published year)."""
    result = workspace.forecast(la_code)
    charts = []
    for measure in FORECAST_CHARTS:
        past = workspace.past_forecasts(result.la_code, measure)
        figure = sendcast.fan_figure(result, measure, past=past)
        if figure is not None:
            charts.append(
                {
                    "measure": measure,
                    "png": figure_png(figure),
                    "past": len(past),
                    "own_record": sendcast.past_forecast_line(past, result.la_name),
                }
            )
    sufficiency = sendcast.sufficiency_figure(result)
    return {
        "result": result,
        "charts": charts,
        "sufficiency": figure_png(sufficiency) if sufficiency is not None else None,
    }


def track_record(result, measure: str) -> str:
    """One line: how the method did for every LA in England in the real-time backtest, one
    year ahead (median error, how often its 80% intervals held), from the forecast's
    ``backtest_summary`` (:meth:`sendcast.forecasting.evidence.Evidence.chosen_summary`)."""
    record = result.backtest_summary
    rows = record[(record["measure"] == measure) & (record["horizon"] == 1)] if not record.empty else record
    if rows.empty:
        return "Across England: no backtest record for this measure."
    row = rows.iloc[0]
    error = row.get("median_ape_pct", row.get("median_mape"))
    held = row.get("coverage80", row.get("coverage80_calibrated"))
    parts = [f"Across England ({row.get('model', 'chosen method')}, {int(row.get('n_series', 0))} LAs, 1 year ahead)"]
    if error is not None and pd.notna(error):
        parts.append(f"typically {float(error):.1f}% out")
    if held is not None and pd.notna(held):
        parts.append(f"80% intervals held {float(held):.0%} of outcomes")
    return parts[0] + ": " + "; ".join(parts[1:]) + "."


# -- the app --------------------------------------------------------------------------------------


def create_app(workspace: Workspace) -> App:
    """The Shiny app over ``workspace`` (one per ``sendcast app`` process)."""
    jobs = Jobs()
    app_ui = pages.page(workspace.la_choices(), workspace.shipped_scenarios(), workspace.backend)

    def server(input, output, session):
        forecast_job: reactive.Value[Job | None] = reactive.value(None)
        forecast_done: reactive.Value[Job | None] = reactive.value(None)
        run_job: reactive.Value[Job | None] = reactive.value(None)
        run_done: reactive.Value[Job | None] = reactive.value(None)
        uploads: dict[str, reactive.Value] = {"capacity": reactive.value(None), "unit_costs": reactive.value(None)}
        upload_messages: dict[str, reactive.Value] = {
            "capacity": reactive.value(None),
            "unit_costs": reactive.value(None),
        }
        runs_seen = reactive.value(0)

        # ---- Area -------------------------------------------------------------------------------
        @reactive.calc
        def area():
            req(input.la())
            return workspace.area(input.la())

        @render.ui
        def area_facts():
            row = area()
            neighbours = sendcast.la_neighbours(workspace.dataset, row["la_code"])
            breaks = workspace.dataset.geography.breaks
            own = breaks[breaks["la_code"] == row["la_code"]] if not breaks.empty else breaks
            facts = [
                ui.h4(row["la_name"], id="area_name"),
                ui.p(
                    f"Code {row['la_code']}"
                    + (f", number {row['la_number']}" if row["la_number"] else "")
                    + (f", {row['region']}" if row["region"] else "")
                    + f"; published {row['first_year']}-{row['last_year']}."
                ),
            ]
            if len(neighbours):
                facts.append(
                    ui.p(
                        "Statistical neighbours (DfE, closest first): " + ", ".join(neighbours["neighbour_name"]) + "."
                    )
                )
            for item in own.itertuples():
                facts.append(ui.p(f"Series break {item.year} ({item.kind}): {item.reason}", class_="caption"))
            return ui.div(*facts)

        @render.ui
        def area_chart():
            row = area()
            measure = input.area_measure()
            info = MEASURES[measure]
            table = sendcast.neighbour_comparison(workspace.dataset, row["la_code"], measure)
            indexed = input.area_scale() == "index" and "%" not in info.unit
            title = f"{row['la_name']}: {info.label}"
            units = info.unit
            if indexed:
                shared = table.dropna(subset=["la", "england"]).index
                if len(shared):
                    year = int(shared.min())
                    table = sendcast.neighbour_comparison(workspace.dataset, row["la_code"], measure, index_year=year)
                    title += f", {year} = 100"
                    units = f"index, {year} = 100"
            if table.empty:
                return one_line(f"No published {info.label.lower()} for {row['la_name']}.")
            figure = sendcast.context_chart(
                table,
                la_name=row["la_name"],
                title=title,
                units=units,
                source="DfE SEN2, LAIT; statistical neighbours: DfE (May 2025)",
            )
            return chart(figure_png(figure), title, "area")

        @render.table
        def area_history():
            row = area()
            rows = sendcast.la_series(workspace.dataset, row["la_code"], list(pages.AREA_MEASURES))
            table = rows.pivot_table(index="year", columns="measure", values="value", aggfunc="first")
            table = table.reindex(columns=[m for m in pages.AREA_MEASURES if m in table.columns])
            table = table.rename(columns={m: MEASURES[m].short or MEASURES[m].label for m in table.columns})
            table = table.tail(10).reset_index().rename(columns={"year": "Year"})
            return table.style.format(
                lambda v: (
                    ""
                    if pd.isna(v)
                    else f"{v:,.1f}"
                    if isinstance(v, float) and not float(v).is_integer()
                    else f"{v:,.0f}"
                ),
                subset=table.columns[1:],
            ).hide(axis="index")

        @render.ui
        def area_vintage():
            return ui.tags.ul(*[ui.tags.li(line) for line in workspace.vintage()])

        # ---- Forecast ---------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.la)
        def _start_forecast():
            la_code = input.la()
            if not la_code:
                return
            job = forecast_job()
            if job is not None and job.active:
                job.cancel()
            forecast_job.set(jobs.start(f"forecast {la_code}", lambda progress: forecast_pictures(workspace, la_code)))

        @reactive.effect
        def _watch_jobs():
            for holder, done in ((forecast_job, forecast_done), (run_job, run_done)):
                job = holder()
                if job is None:
                    continue
                if job.active:
                    reactive.invalidate_later(POLL_SECONDS)
                elif done() is not job:
                    done.set(job)

        @render.ui
        def forecast_status():
            job = forecast_job()
            if job is None:
                return ui.p("Choose a local authority on the Area page.")
            if job.active:
                reactive.invalidate_later(POLL_SECONDS)
                return ui.p(
                    "Forecasting... (the first forecast also backtests every LA in England: about 20 seconds)",
                    id="forecast_busy",
                )
            if job.status == FAILED:
                return one_line(job.message)
            return ui.TagList()

        @render.ui
        def forecast_summary():
            job = _finished(forecast_done())
            result = job.result["result"]
            lines = sendcast.summary_lines(result)
            return ui.div(
                ui.tags.ul(*[ui.tags.li(line) for line in lines[1:]]),
                *[ui.p(w, class_="caption") for w in result.warnings[:6]],
            )

        @render.ui
        def forecast_charts():
            job = _finished(forecast_done())
            result, items = job.result["result"], []
            for item in job.result["charts"]:
                measure = item["measure"]
                label = MEASURES[measure].label
                basis = "calendar year" if measure in FLOW_MEASURES else "January census"
                picture = chart(item["png"], label, f"fan_{measure}")
                picture.attrs["data-past-forecasts"] = str(item["past"])
                items += [
                    ui.h4(f"{label} ({basis})"),
                    picture,
                    ui.p(
                        "Track record (orange): " + item["own_record"] + " " + track_record(result, measure),
                        class_="caption track-record",
                    ),
                ]
            items.append(ui.h4("Sufficiency: state special places against demand"))
            if job.result["sufficiency"] is not None:
                items.append(chart(job.result["sufficiency"], "sufficiency", "sufficiency"))
                over = result.first_year_over
                items.append(
                    ui.p(
                        f"Demand is more likely than not to exceed places from January {over}."
                        if over
                        else "Demand is not expected to exceed places within the forecast."
                    )
                )
            else:
                items.append(
                    ui.p(
                        "No capacity file for this LA (data/capacity/<la_code>.csv), so no sufficiency "
                        "chart; upload one on the Options page to use it in a comparison."
                    )
                )
            return ui.div(*items)

        # ---- Options: levers --------------------------------------------------------------------
        @reactive.calc
        def start_settings() -> dict:
            req(input.start_from())
            return workspace.scenario_settings(input.start_from())

        @reactive.effect
        def _fill_levers():
            settings = start_settings()
            for lever in sendcast.levers() + sendcast.unit_cost_levers():
                value = shown(current_value(settings, lever.key))
                value = lever.default if value is None else value
                if lever.kind == "choice":
                    ui.update_select(pages.lever_id(lever.key), selected=value)
                else:
                    ui.update_numeric(pages.lever_id(lever.key), value=value)
            info = settings["scenario"]
            ui.update_text("option_name", value=f"{info['name']} (edited)")
            ui.update_numeric("seed", value=info.get("seed", 20251122))

        @render.ui
        def places_in_scenario():
            extra = current_value(start_settings(), "special_places.additional") or []
            if not extra:
                return ui.p("The scenario adds no special places.", class_="caption")
            return ui.p(
                "The scenario adds: "
                + "; ".join(
                    f"{p['places']} {p['phase']} places from January {p['from_year']} ({p['name']})" for p in extra
                ),
                class_="caption",
            )

        def settings_from_page() -> tuple[dict, dict, str | None]:
            """The baseline and the option as scenario settings, from the controls, and the LA to
            run them for when it is not theirs (``--la``)."""
            la = input.la() or None
            own_files = uploads["capacity"]() is not None or uploads["unit_costs"]() is not None
            # another LA: with the planner's own files, the scenarios are moved to it here; without,
            # they run with --la as the command does (the LA's own or default places and costs)
            baseline = workspace.scenario_settings("baseline.toml", la if own_files else None)
            option = workspace.scenario_settings(input.start_from(), la if own_files else None)
            values: dict[str, Any] = {}
            for lever in sendcast.levers() + sendcast.unit_cost_levers():
                value = input[pages.lever_id(lever.key)]()
                written = current_value(option, lever.key)
                if isinstance(written, dict) and value is not None and math.isclose(float(value), shown(written)):
                    continue  # a distribution left as its median on the page: keep the distribution
                if lever.kind == "int" and value is not None:
                    value = int(value) if float(value).is_integer() else value
                values[lever.key] = value
            option = sendcast.set_levers(option, values)
            extra = list(current_value(option, "special_places.additional") or [])
            if input.new_places():
                extra.append(
                    {
                        "name": "New places (sendcast app)",
                        "phase": input.new_places_phase(),
                        "places": int(input.new_places()),
                        "from_year": int(input.new_places_from() or 0),
                        "source": "entered in the sendcast app",
                    }
                )
            option = sendcast.set_levers(
                option,
                {
                    "special_places.additional": extra or None,
                    "scenario.name": input.option_name().strip() or "Option",
                    "scenario.description": "Edited in the sendcast app",
                },
            )
            run = {"scenario.replications": input.replications(), "scenario.seed": input.seed()}
            files = {}
            if uploads["capacity"]() is not None:
                files["special_places.capacity_file"] = str(uploads["capacity"]().path)
            if uploads["unit_costs"]() is not None:
                files["costs.unit_costs_file"] = str(uploads["unit_costs"]().path)
            retarget = la if la and not own_files and not workspace.same_la(baseline, la) else None
            return sendcast.set_levers(baseline, run | files), sendcast.set_levers(option, run | files), retarget

        # ---- Options: uploads -------------------------------------------------------------------
        def _upload(kind: str, files: list[dict] | None) -> None:
            if not files:
                return
            item = files[0]
            try:
                upload = workspace.check_upload(kind, item["datapath"], item["name"])
            except SendcastError as error:
                uploads[kind].set(None)
                upload_messages[kind].set((False, str(error)))
                return
            uploads[kind].set(upload)
            upload_messages[kind].set((True, upload.summary))

        @reactive.effect
        @reactive.event(input.capacity_upload)
        def _capacity_upload():
            _upload("capacity", input.capacity_upload())

        @reactive.effect
        @reactive.event(input.unit_costs_upload)
        def _unit_costs_upload():
            _upload("unit_costs", input.unit_costs_upload())

        def _message(kind: str):
            message = upload_messages[kind]()
            if message is None:
                return ui.TagList()
            ok, text = message
            return ui.div(text, class_="one-line-ok" if ok else "one-line-error", id=f"{kind}_check")

        @render.ui
        def capacity_message():
            return _message("capacity")

        @render.ui
        def unit_costs_message():
            return _message("unit_costs")

        # ---- Options: run and cancel ------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.run)
        def _run():
            current = run_job()
            if current is not None and current.active:
                ui.notification_show("A run is already going; cancel it first.", type="warning")
                return
            try:
                baseline, option, retarget = settings_from_page()
            except SendcastError as error:
                run_job.set(_failed(str(error)))
                return
            backend = input.backend()

            def work(progress):
                folder, comparison = sendcast.compare_settings(
                    [baseline, option],
                    reports=workspace.reports,
                    data=workspace.data,
                    backend=backend,
                    workers=workspace.workers,
                    la=retarget,
                    progress=progress,
                )
                return folder, comparison

            run_job.set(jobs.start("comparison", work))

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel():
            job = run_job()
            if job is not None and job.active:
                job.cancel()

        @reactive.effect
        def _record_run():
            job = run_done()
            if job is None or job.status != DONE or getattr(job, "recorded", False):
                return
            folder, comparison = job.result
            job.recorded = True  # type: ignore[attr-defined]
            workspace.runs.append(
                RunRecord(
                    len(workspace.runs) + 1,
                    folder,
                    folder.name,
                    comparison,
                    round((job.finished or 0) - (job.started or 0), 1),
                )
            )
            runs_seen.set(len(workspace.runs))

        @render.ui
        def run_progress():
            job = run_job()
            if job is None:
                return ui.TagList()
            if job.active:
                reactive.invalidate_later(POLL_SECONDS)
                text = (
                    f"Simulating: {job.done} of {job.total} runs"
                    if job.total
                    else "Preparing: forecast and calibration"
                )
                return ui.div(
                    ui.tags.progress(value=str(job.done), max=str(job.total or 1), id="run_bar"),
                    ui.span(text, id="run_state", **{"data-status": job.status}),
                )
            if job.status == CANCELLED:
                return ui.div(job.message, id="run_state", class_="one-line-error", **{"data-status": job.status})
            if job.status == FAILED:
                return ui.div(job.message, id="run_state", class_="one-line-error", **{"data-status": job.status})
            return ui.div(
                f"Done in {(job.finished or 0) - (job.started or 0):.1f} s; written to {job.result[0]}",
                id="run_state",
                class_="one-line-ok",
                **{"data-status": job.status},
            )

        @render.ui
        def run_results():
            job = _finished(run_done())
            folder, comparison = job.result
            return results_view(folder, comparison)

        # ---- Download ---------------------------------------------------------------------------
        @render.ui
        def download_choice():
            runs_seen()
            if not workspace.runs:
                return ui.p("No run yet: run a comparison on the Options page.", id="no_runs")
            choices = {str(r.number): f"{r.number}. {r.label}" for r in reversed(workspace.runs)}
            return ui.input_select("download_run", "Run", choices, selected=str(workspace.runs[-1].number))

        def chosen_run() -> RunRecord | None:
            runs_seen()
            if not workspace.runs:
                return None
            wanted = input.download_run() if "download_run" in input else None
            number = int(wanted) if wanted and wanted.isdigit() else workspace.runs[-1].number
            return next((r for r in workspace.runs if r.number == number), workspace.runs[-1])

        @render.ui
        def download_files():
            record = chosen_run()
            if record is None:
                return ui.TagList()
            names = sorted(str(p.relative_to(record.folder)) for p in record.folder.rglob("*") if p.is_file())
            manifest = record.folder / "manifest.json"
            reproduce = ""
            if manifest.is_file():
                reproduce = json.loads(manifest.read_text()).get("reproduce", "")
            return ui.div(
                ui.p(f"Folder: {record.folder}"),
                ui.p(f"To repeat it: {reproduce}", id="reproduce"),
                ui.tags.ul(*[ui.tags.li(n) for n in names], id="run_files"),
            )

        def zip_name() -> str:
            record = chosen_run()
            return f"{record.label}.zip" if record is not None else "run.zip"

        @render.download_button(filename=zip_name)
        def download_zip():
            record = chosen_run()
            req(record is not None)
            assert record is not None
            scratch = Path(tempfile.mkdtemp(prefix="sendcast-app-zip-"))
            archive = shutil.make_archive(
                str(scratch / record.label), "zip", root_dir=record.folder.parent, base_dir=record.folder.name
            )
            with open(archive, "rb") as handle:
                data = handle.read()
            shutil.rmtree(scratch, ignore_errors=True)
            yield data

    app = App(app_ui, server)
    app.jobs = jobs  # type: ignore[attr-defined]  # stopped by the command when the server stops
    return app


def shown(value: Any) -> Any:
    """What a number box shows for a scenario value: a distribution as its median."""
    if isinstance(value, dict):
        return Distribution.model_validate(value).central
    return value


def _finished(job: Job | None) -> Job:
    """The job if it has finished well; otherwise the output waits (Shiny's ``req``)."""
    req(job is not None and job.status == DONE)
    assert job is not None
    return job


def _failed(message: str) -> Job:
    job = Job("comparison")
    job.status, job.message = FAILED, message
    return job


# -- the results of a comparison ------------------------------------------------------------------


def results_view(folder: Path, comparison) -> Any:
    """Headline differences, the appraisal and the run's own charts (the PNG files it wrote)."""
    headline = sendcast.headline_table(comparison)
    option = comparison.options[0]
    head = ["Outcome", "When", comparison.baseline, option, "Change", "low (95% CI)", "high (95% CI)"]
    rows = []
    for item in headline.to_dict("records"):
        unit = item["Unit"]
        fmt = (
            (lambda v: "-" if pd.isna(v) else f"£{v / 1e6:,.2f}m")
            if unit.startswith("GBP")
            else (lambda v: "-" if pd.isna(v) else f"{v:,.1f}")
        )
        change = f"{option}: change"
        rows.append(
            ui.tags.tr(
                ui.tags.td(f"{item['Outcome']} ({unit})"),
                ui.tags.td(item["When"]),
                number_cell(item[comparison.baseline], fmt(item[comparison.baseline])),
                number_cell(item[option], fmt(item[option])),
                number_cell(item.get(change), fmt(item.get(change))),
                number_cell(item.get(f"{change}, low (95% CI)"), fmt(item.get(f"{change}, low (95% CI)"))),
                number_cell(item.get(f"{change}, high (95% CI)"), fmt(item.get(f"{change}, high (95% CI)"))),
                **{"data-measure": _measure_of(item["Outcome"])},
            )
        )
    headline_html = ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in head])),
        ui.tags.tbody(*rows),
        id="headline",
        class_="numbers table table-sm",
    )
    appraisal = sendcast.appraisal_table(comparison)
    shown = readable_appraisal(appraisal)
    appraisal_rows = [
        ui.tags.tr(
            ui.tags.td(r["Statistic"]),
            number_cell(raw, r["Mean"]),
            number_cell(low, r["Low (95% CI)"]),
            number_cell(high, r["High (95% CI)"]),
            ui.tags.td(r["Unit"]),
            **{"data-statistic": stat},
        )
        for r, raw, low, high, stat in zip(
            shown.to_dict("records"),
            appraisal["Mean"],
            appraisal["Low (95% CI)"],
            appraisal["High (95% CI)"],
            comparison.appraisal["statistic"],
        )
    ]
    appraisal_html = ui.tags.table(
        ui.tags.thead(
            ui.tags.tr(*[ui.tags.th(h) for h in ("Statistic", "Mean", "Low (95% CI)", "High (95% CI)", "Unit")])
        ),
        ui.tags.tbody(*appraisal_rows),
        id="appraisal",
        class_="numbers table table-sm",
    )
    sentences = sendcast.option_sentences(comparison, option)
    pictures = (
        sorted(folder.glob("scenarios_*.png"))
        + sorted(folder.glob("difference_*.png"))
        + sorted(folder.glob("waterfall_*.png"))
    )
    charts = [chart(p.read_bytes(), p.stem.replace("_", " "), p.name) for p in pictures]
    return ui.div(
        ui.h4(f"{option} against {comparison.baseline}: {comparison.replications} paired runs, seed {comparison.seed}"),
        ui.tags.ul(*[ui.tags.li(s) for s in sentences]),
        ui.h5("Headline outcomes in the last year of the run (mean; change with its 95% confidence interval)"),
        headline_html,
        ui.h5("Costs and value for money (P(saving): share of runs in which the option has paid back by the end)"),
        appraisal_html,
        *charts,
        id="results",
    )


def _measure_of(label: str) -> str:
    from sendcast.reporting.comparison import OUTCOMES

    return next((o.measure for o in OUTCOMES if o.label == label), "")
