"""One LA's simulation parameters, built from the shipped data and a scenario.

The application-layer bridge between the data layer and the simulation engine:
:func:`build_parameters` reads an LA's published history from a
:class:`sendcast.data.build.Dataset` and returns one frozen
:class:`simulation.Parameters`; :func:`calibrate_la` is the calibration it rests on.

**Baseline and scenario.** A scenario file says ``based_on`` another; the baseline of a
scenario is the root of that chain (:func:`baseline_path`). Build both with the same
dataset, LA, start year, horizon and calibration, and they differ only in the levers the
scenario changes, so replications with the same seed share their random numbers (common
random numbers) and paired differences are narrow::

    dataset = store.load_dataset()
    scenario, _, chain = load_scenario("scenarios/early-identification.toml")
    baseline, _, _ = load_scenario(baseline_path(chain))
    info = scenario.scenario
    fit = calibrate_la(dataset, info.la, start_year=info.start_year)
    base_params = build_parameters(dataset, info.la, start_year=info.start_year, horizon=info.horizon,
                                   scenario=baseline, calibration=fit)
    params = build_parameters(dataset, info.la, start_year=info.start_year, horizon=info.horizon,
                              scenario=scenario, calibration=fit)

**Where each parameter comes from** (years: January for caseloads, calendar for flows):

- Population 0-25 by single year of age: ONS mid-year estimates and projections in the
  dataset (2018-based to 2021, 2022-based after), one row per calendar year.
- Starting caseload, January ``start_year`` (DfE SEN2): EHC plans by placement group
  (mainstream split into resourced provision and the rest) and by single year of age.
  Where single ages are not published for that January (before 2024) the age bands are
  spread over single ages with the nearest published single-age shape ("under 3" at 2).
  Plans by age *and* placement: the published joint table (January 2024 on,
  :func:`ehcp_by_age_placement`) of that January, or the nearest one, is the shape the
  joint starting caseload follows (:func:`simulation.caseload.age_placement_counts`).
- SEN support: the published % of pupils on SEN support (LAIT, January) times the
  resident population aged 4 to 15. Spread over ages with the ASSUMED shape of
  :data:`simulation.priors.SEN_SUPPORT_AGE_SHAPE` at the start of the calibration
  window; a run built on a calibration starts from the calibrated model's own age
  profile of SEN support in that January (:func:`calibrated_sen_support_shape`), so that
  identification, requests and exits by age start in the balance the fit found, not
  with a burst of requests from an assumed profile. An approximation: the census
  counts pupils in the LA's schools, not residents, and includes some 16-18s.
- Assessments under way in January ``start_year``: a flow balance. At the start of the
  calibration window, the pipeline of a service keeping up (completed assessments x
  (decision + assessment weeks) / 52); then plus requests, minus refusals, minus
  completed assessments, each calendar year to ``start_year`` (never below the pipeline).
  Options, off (tried out of sample and turned down: :data:`WITHDRAWALS`,
  :data:`START_BACKLOG`): decisions to assess net of a share withdrawn, a starting backlog
  read off the share within 20 weeks published the year before, and that start with the
  first year's capacity set with it and the capacity response re-estimated off it.
- Refusal and no-plan probabilities: estimated from the published flows
  (:func:`simulation.estimate_rates`). Assessment capacity (:func:`assessment_capacity`):
  in the baseline it responds to demand as it has since 2019 (each year the service
  completes the share of the work in hand it completed on average in 2019 to the last
  published year); "capacity frozen at today's level" is a scenario
  (``[assessment] capacity_rule = "frozen"``). The starting backlog (the flow balance
  above) has its requests dated evenly over the weeks of demand it holds.
- Escalation to a request (a multiplier per calendar year, held at the last value after
  it), ceasing and moves-in scales, placement mix by school phase: fitted to the LA's
  history over the calibration window by :func:`simulation.calibrate` (the cohort model);
  the placement mix by phase is fitted to the placement groups by phase of the published
  joint tables (:func:`phase_targets`) as well as to the yearly totals.
- Identification at SEN support: the illustrative age profile of
  :func:`simulation.priors.default_arrivals`, times a level and a yearly trend fitted
  (in the calibration) so that the cohort model follows the SEN support counts above over
  the calibration window (or a multiplier per year: the calibration's ``"yearly"`` rule,
  :data:`simulation.calibration.IDENTIFICATION`); carried forward after it by the damped
  rule, as requests are (:func:`trend_rule`), the share it gives then held while requests
  follow the forecast of EHC plans (next item). Options, not the default
  (:data:`IDENTIFICATION_FORWARD`; out of sample on Gloucestershire and five neighbours
  neither lowered the share's error by more than noise, and both made its bias and the
  requests' error worse: ``benchmarks/evidence_identification.py``): the published share
  carried forward by the rule chosen on every LA's share (:func:`share_path`,
  ``"share_target"``) or the forecast engine's forecast of it (:func:`forecast_share_path`,
  ``"forecast_target"``), with the multiplier of each projected year set so the simulated
  share follows it (:func:`share_target_multipliers`).
- Requests after the calibration window: the request multiplier grows at the one yearly
  rate whose simulated EHC plans grow as the forecast engine's central forecast of them
  made with the published figures to the origin (:data:`PLANS_FORWARD` ``=
  "forecast_target"``, :func:`forecast_plans_path`, :func:`plans_target_multipliers`), and
  identification is set so the share of pupils on SEN support stays where its own damped
  growth takes it (:data:`IDENTIFICATION_FORWARD` ``= "held_share"``; the two solved
  together, :func:`follow_paths`): one future for EHC plans from both engines. Chosen out
  of sample against the damped request growth (``"request_growth"``, :func:`trend_rule`) on
  Gloucestershire and its ten neighbours, then confirmed on 13 held-out LAs
  (``benchmarks/evidence_plans_target.py``; issue 19 note of 7 December): four years ahead
  it cut the errors of EHC plans by half and of requests and new plans by two thirds to a
  half, at a cost in state special places (more plans fill more of them where no place
  limit is known). Two floors, each chosen out of sample (issue 19 note of 7 December,
  stop 26): the request rate is never set to fall (:data:`PLANS_TARGET_FLOOR`; where the
  model's plans outgrow the forecast with requests held, they grow faster rather than the
  requests collapsing), and the share of pupils on SEN support identification follows is
  never below the one published in the start January (:data:`SHARE_FLOOR`).
- Age profiles of every hazard, decision and assessment times (5 and 10 weeks, Erlang)
  and the placement mix before fitting: ILLUSTRATIVE defaults from
  :mod:`simulation.priors`, not estimates; calibration scales them to the LA.
- Special school places: a capacity file (``capacity``, or the scenario's
  ``special_places.capacity_file``) plus the scenario's additional places; with neither,
  places are unconstrained. Schools take children beyond their listed places up to an
  over-capacity share (:func:`over_capacity`: the LA's own January occupancy over its
  listed places, or the 12% DfE figure if larger); the note states the places assumed.
  The baseline ("as things stand") opens places each January, to the run's last, as the
  forecast engine's central forecast of children in state special schools grows
  (:func:`forecast_place_growth`, ``places_rule = "forecast"``, an ASSUMPTION chosen out of
  sample); ``"growing"`` adds the mean yearly increase over the six Januaries to the start
  (:func:`place_growth`); "no new places" is a scenario (``places_rule = "frozen"``), and a
  scenario's additional places come on top of the growth. A child who finds no place waits
  (``overflow_policy = "wait"``, the baseline), counted in a mainstream school at school age
  (``waiting_placement``), and goes independent after a wait of ``1 / rate`` years on average
  (``overflow_rate_per_year``: the baseline's 0, no overflow, chosen out of sample,
  :data:`sendcast.scenarios.files.OVERFLOW_RATE_PER_YEAR`), or goes at once (``"independent"``).
- Unit costs (pounds a year at the ``2021-22`` price base): derived from the s251
  outturn (:mod:`sendcast.money.unit_costs`: the LA's own outturn file, else the national
  benchmarking file by one rule, a regional median where the LA's figure is outside the
  national 5th-95th percentile or missing) where the shipped outturn covers the LA, else the
  ILLUSTRATIVE :func:`simulation.priors.default_costs`; the scenario's unit-cost file
  and ``unit_costs_gbp`` replace them; the derived 2021-22 costs are restated to the
  scenario's ``price_base`` with HM Treasury's GDP deflator (:mod:`sendcast.money.prices`),
  never with the cash inflation assumption. AP is a place cost from the PRU/AP lines, "other"
  is ILLUSTRATIVE (:mod:`sendcast.money.unit_costs`). An assessment costs an ILLUSTRATIVE
  GBP 5,000. Capital for new places, staff for extra assessment capacity and the default
  home-to-school transport (a separate cost component, off where the scenario gives
  ``costs.transport_gbp``, which is added to that placement's unit cost instead) come
  from :mod:`sendcast.scenarios.option_cost_setup`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import paths
from sendcast.data.capacity import COLUMNS as CAPACITY_COLUMNS
from sendcast.data.capacity import codes_to_numbers, default_capacity, read_capacity
from sendcast.data import query
from sendcast.data.build import Dataset
from sendcast.runtime.errors import InputError, SendcastError
from sendcast.runtime.notes import Note, NoteKind, notes_of
from sendcast.data.years import financial_year_start
from sendcast.data.measures import AGE_BANDS, PLACEMENT_GROUPS
from sendcast.scenarios.files import OVERFLOW_RATE_PER_YEAR, Scenario
from sendcast.scenarios.files import SpecialPlaces as SpecialPlacesSettings
from sendcast.money import prices
from sendcast.scenarios.option_cost_setup import provision_costs
from sendcast.scenarios.reform_setup import reform_settings
from sendcast.scenarios.need_setup import primary_needs, target_needs
from sendcast.scenarios.timeliness_setup import FIT_HORIZON, FIT_SEED, TIMELINESS, published_share, la_panel, duration_fit, known_fit, timeliness_changes, timeliness_panel
from sendcast.scenarios.tree import SECTIONS
from sendcast.scenarios.uncertainty import central
from sendcast.money.unit_costs import OUTTURN_FILE, PRICE_BASE, apply_overrides, default_unit_costs, \
    derive_unit_costs, read_outturn, read_unit_cost_file, restate_prices
from simulation import (CalibrationResult, Caseload, Costs, EarlyIdentification, Parameters, PlaceBlock,
                        Population, SpecialPlaces, calibrate, estimate_rates)
from simulation import calibration as calibration_rules
from simulation.calibration import open_requests
from simulation.streams import stream
from simulation.share_target import BOUNDS as SHARE_BOUNDS
from simulation.share_target import GROWTH_LIMITS, identification_for_targets, requests_for_targets
from simulation.trends import (GROWTH_YEARS, PANEL_HORIZONS, capped, carry_forward, choose_damping, damped_factors,
                               identification_growth, multiplier_changes, multiplier_growth)
from simulation.timeliness import (
    StartCapacityFit,
    corrected_responses,
    draw_durations,
    first_year_plans,
    fit_start_and_capacity,
    fit_starting_backlog,
    with_duration_scale,
    with_matched_completions,
    with_more_in_hand,
    with_starting_backlog,
)
from simulation.uncertainty import PredictiveSpread, draw_parameters
from sendcast.scenarios.predictive import panel_rule as _panel_rule
from sendcast.scenarios.predictive import panels_until, predictive_spread, published_panels
from simulation.flow_balance import backlog_januaries
from simulation.capacity_adjustment import DEFAULT_ADJUSTMENT, adjusted, choose_adjustment_ahead, years_ahead
from simulation.cohort import expected_arrays
from simulation.priors import EHCP_AGE_SHAPE_2024, SEN_SUPPORT_AGE_SHAPE, default_arrivals, default_ceasing, \
    default_costs, default_placement, default_sen_support
from simulation.mid_phase_moves import fit_mid_phase_moves
from simulation.withdrawals import KEEPING_UP_PCT, withdrawal_rate
from simulation.parameters import AGES, PHASE_START_AGES, PHASES, PLACEMENTS, Assessment, schedule_values

log = logging.getLogger(__name__)

#: Years of history the calibration fits by default (January ``start_year - 6`` to ``start_year``).
CALIBRATION_YEARS = 6
#: The first calendar year with every flow the calibration needs (requests from 2016).
FIRST_CALIBRATION_YEAR = 2016
#: Fewest years of history a calibration may fit when the LA's series starts inside the
#: usual window (an LA created by a boundary change: Bournemouth, Christchurch and Poole and
#: Dorset from January 2020, so five years from 2025; North and West Northamptonshire from
#: 2022, three, refused until January 2026 is published). Chosen out of sample on LAs with
#: unbroken series (``benchmarks/evidence_calibration_window.py``, 7 December 2026): the
#: shortest window whose errors one and two years ahead stay within 0.01 (log) of the usual
#: six's for EHC plans, requests and new plans; three years failed on new plans.
MIN_CALIBRATION_YEARS = 4
#: Illustrative cost of one EHC needs assessment, pounds (2021-22 prices): an ASSUMPTION.
ASSESSMENT_COST_GBP = 5_000.0
#: Pupils on SEN support are a % of pupils; pupils are approximated by residents of these ages.
PUPIL_AGES = (4, 15)
BAND_AGES = {"under_5": (0, 4), "5_to_10": (5, 10), "11_to_15": (11, 15), "16_to_19": (16, 19), "20_to_25": (20, 25)}
#: sendcast placement group of each engine placement type.
GROUP_OF_PLACEMENT = {"mainstream": "ehcp_mainstream", "resourced_unit": "ehcp_mainstream",
                      "state_special": "ehcp_state_special", "independent_special": "ehcp_independent_special",
                      "fe": "ehcp_fe", "ap": "ehcp_ap", "other": "ehcp_other"}
POOL_OF_PHASE = {"all": "all", "all-through": "all", "primary": "primary", "secondary": "secondary",
                 "post16": "post16"}
FLOW_MEASURES = ("new_plans", "requests", "requests_refused", "assessed_not_issued", "plans_ceased",
                 "issued_within_20wk_pct")


class SetupError(SendcastError):
    """The data cannot support a simulation for this LA and year (the message says why)."""


@dataclass(frozen=True)
class LaHistory:
    """One LA's published rows (tidy, with breakdowns) and its name and code."""

    la_code: str
    la_name: str
    la_number: str
    rows: pd.DataFrame
    #: The origin January the rows were cut at (:func:`history_until`); ``None``: all published.
    until: int | None = None
    #: Every LA's published requests for an assessment (one row per LA code, one column per
    #: calendar year), cut with the rows: the panel the damping of the trend rule is chosen
    #: on (:func:`trend_rule`). ``None``: the LA's own requests only.
    requests_panel: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: Every LA's published series the predictive bands' spread is measured on
    #: (:func:`sendcast.scenarios.predictive.published_panels`), cut with the rows.
    #: ``None``: the bands draw only the bootstrap (:func:`parameter_draws`).
    panels: dict[str, pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    #: Every LA's published decisions to assess and completed assessments (``decided``,
    #: ``assessed``: :func:`assessment_panels`), cut with the rows: the panel the capacity
    #: adjustment is chosen on (:func:`capacity_adjustment_choice`). ``None``: at once.
    assessment_panels: dict[str, pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    def total(self, measure: str, year: int) -> float | None:
        hit = self.rows[(self.rows["measure"] == measure) & (self.rows["breakdown"] == "")
                        & (self.rows["year"] == year)]
        return None if hit.empty else float(hit["value"].iloc[0])

    def require(self, measure: str, year: int) -> float:
        value = self.total(measure, year)
        if value is None:
            years = sorted(self.rows.loc[(self.rows["measure"] == measure) & (self.rows["breakdown"] == ""), "year"])
            have = f"published for {years[0]}-{years[-1]}" if years else "not published"
            raise SetupError(f"{self.la_name} ({self.la_code}): no {measure} for {year} in the data ({measure} is "
                             f"{have}); choose another start year")
        return value


def history_key(history: LaHistory) -> tuple:
    """The LA's history as part of a key for the results kept for the process (calibrations:
    :func:`calibrate_la`; fitted assessment durations: :func:`duration_key`): the LA code,
    the origin January the rows were cut at and a hash of the rows themselves (two datasets
    from the same input files can differ, a test's modified copy or a rebuild, and a result
    from one must not be returned for the other)."""
    return (history.la_code, history.until, int(pd.util.hash_pandas_object(history.rows, index=False).sum()))


def la_history(dataset: Dataset, la: str) -> LaHistory:
    """The LA's rows (any code, number or name); unknown names raise with suggestions."""
    row = dataset.geography.resolve(la)
    rows = query.series(dataset, row["la_code"], breakdowns=True)
    requests, panels, assessments = _every_la_panels(dataset)
    return LaHistory(row["la_code"], row["la_name"], row["la_number"], rows, requests_panel=requests,
                     panels=dict(panels), assessment_panels=dict(assessments))


#: Every LA's panels of a dataset (:func:`_every_la_panels`), by the dataset's id; each entry
#: holds its dataset, so no other dataset can take the id while it is kept.
_PANELS: dict[int, tuple[Dataset, tuple]] = {}
#: Datasets whose panels are kept before the memo is emptied.
_PANELS_KEPT = 4


def _every_la_panels(dataset: Dataset) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The panels of every LA a history carries (:func:`requests_panel`, the predictive
    bands' :func:`~sendcast.scenarios.predictive.published_panels` with the share within 20
    weeks, :func:`assessment_panels`): the same for every LA of the dataset, so made once per
    dataset and process (about 0.3 s each time, and a validation asks for an LA's history
    about 7 times), not once per history. Shared, read only: nothing changes a panel in place
    (a history cut at an origin cuts copies)."""
    entry = _PANELS.get(id(dataset))
    if entry is None or entry[0] is not dataset:
        if len(_PANELS) >= _PANELS_KEPT:
            _PANELS.clear()
        panels = (requests_panel(dataset), {**published_panels(dataset), TIMELINESS: timeliness_panel(dataset)},
                  assessment_panels(dataset))
        entry = _PANELS[id(dataset)] = (dataset, panels)
    return entry[1]


def requests_panel(dataset: Dataset) -> pd.DataFrame:
    """Every English LA's published requests for an assessment: one row per LA code, one
    column per calendar year (missing: NaN)."""
    return la_panel(dataset, "requests")


def assessment_panels(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """Every English LA's published decisions to assess (``decided``: requests less refused
    requests) and completed assessments (``assessed``: new plans plus assessments that
    ended without a plan), one row per LA code, one column per calendar year (missing where
    either part is)."""
    m = dataset.measures
    rows = m[m["measure"].isin(["requests", "requests_refused", "new_plans", "assessed_not_issued"])
             & (m["breakdown"].fillna("") == "") & m["la_code"].str.startswith("E") & (m["la_code"] != "E92000001")]
    wide = {measure: part.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
            for measure, part in rows.groupby("measure")}
    empty = pd.DataFrame()
    part = {name: wide.get(name, empty) for name in ("requests", "requests_refused", "new_plans", "assessed_not_issued")}
    return {"decided": part["requests"] - part["requests_refused"],
            "assessed": part["new_plans"] + part["assessed_not_issued"]}


#: Flows (calendar years) among the history's measures; everything else but population is a
#: January count or rate.
HISTORY_FLOWS = FLOW_MEASURES + ("assessments",)


def history_until(history: LaHistory, origin: int) -> LaHistory:
    """The history as it stood at the origin January ``origin``: January counts and rates up
    to January ``origin``, flows up to calendar year ``origin - 1`` (a calendar year's flows
    are not known on the January day it starts). Population rows are kept for every year:
    the run needs them (ONS estimates as published now, not the projection of the time; the
    one input known after the origin, stated in the validation notes)."""
    rows = history.rows
    flow = rows["measure"].isin(HISTORY_FLOWS)
    keep = (rows["measure"] == "population") | (flow & (rows["year"] <= origin - 1)) | (~flow & (rows["year"] <= origin))
    panel = history.requests_panel
    if panel is not None:
        panel = panel.loc[:, [y for y in panel.columns if int(y) <= origin - 1]]
    panels = None if history.panels is None else panels_until(history.panels, origin)
    flows = None if history.assessment_panels is None else {
        name: table.loc[:, [y for y in table.columns if int(y) <= origin - 1]]
        for name, table in history.assessment_panels.items()}
    return replace(history, rows=rows[keep].reset_index(drop=True), until=origin, requests_panel=panel, panels=panels,
                   assessment_panels=flows)


# ---------------------------------------------------------------------------------- inputs
def population(history: LaHistory, first_year: int, years: int) -> Population:
    """Population 0-25 by single year of age for calendar years ``first_year`` onwards."""
    rows = history.rows[(history.rows["measure"] == "population") & history.rows["breakdown"].str.startswith("age=")]
    table = rows.assign(age=rows["breakdown"].str.removeprefix("age=").astype(int)).pivot_table(
        index="year", columns="age", values="value", aggfunc="first")
    wanted = list(range(first_year, first_year + years))
    available = [y for y in wanted if y in table.index]
    if first_year not in table.index or table.shape[1] != AGES:
        raise SetupError(f"{history.la_name}: no ONS population by single year of age 0-25 for {first_year}")
    by_age = table.reindex(available).reindex(columns=range(AGES)).to_numpy(dtype=float)
    return Population(start_year=first_year, by_age=by_age)


def add_at_age(by_age: np.ndarray, breakdown: str, value: float) -> None:
    """Add a published ``age=...`` value to ``by_age`` (single years 0-25), in place:
    ``age=7`` at 7, "under 3" (``age=0-2``) at 2, another band (``age=20-25``) spread
    evenly over its years."""
    label = breakdown.removeprefix("age=")
    if "-" not in label:
        by_age[int(label)] += value
        return
    low, high = (int(part) for part in label.split("-"))
    if low == 0:
        by_age[2] += value
    else:
        by_age[low:high + 1] += value / (high - low + 1)


def ehcp_by_age(history: LaHistory, year: int) -> np.ndarray:
    """EHC plans by single year of age 0-25 in January ``year`` (see the module notes)."""
    rows = history.rows[history.rows["measure"] == "ehcp_total"]
    singles = rows[rows["breakdown"].str.match(r"^age=\d")]
    total = history.require("ehcp_total", year)

    def vector(frame: pd.DataFrame) -> np.ndarray:
        out = np.zeros(AGES)
        for breakdown, value in zip(frame["breakdown"], frame["value"]):
            add_at_age(out, breakdown, value)
        return out

    single_years = sorted(singles["year"].unique())
    if year in single_years:
        return vector(singles[singles["year"] == year])
    if single_years:
        nearest = min(single_years, key=lambda y: abs(y - year))
        shape = vector(singles[singles["year"] == nearest])
    else:
        shape = np.asarray(EHCP_AGE_SHAPE_2024, dtype=float)
    bands = rows[(rows["year"] == year) & rows["breakdown"].str.startswith("age_band=")]
    out = np.zeros(AGES)
    if set(bands["breakdown"].str.removeprefix("age_band=")) >= set(AGE_BANDS):
        for band, value in zip(bands["breakdown"].str.removeprefix("age_band="), bands["value"]):
            low, high = BAND_AGES[band]
            part = shape[low:high + 1]
            out[low:high + 1] = (part / part.sum() if part.sum() > 0 else np.full(part.size, 1 / part.size)) * value
    else:
        out = shape / shape.sum() * total
    return out * (total / out.sum())


def ehcp_by_placement(history: LaHistory, year: int) -> np.ndarray:
    """EHC plans by engine placement type (:data:`simulation.parameters.PLACEMENTS`), January ``year``."""
    groups = {g: history.require(g, year) for g in PLACEMENT_GROUPS}
    resourced = min(history.total("ehcp_resourced_unit", year) or 0.0, groups["ehcp_mainstream"])
    return np.array([groups["ehcp_mainstream"] - resourced, resourced, groups["ehcp_state_special"],
                     groups["ehcp_independent_special"], groups["ehcp_fe"], groups["ehcp_ap"], groups["ehcp_other"]])


#: Age bands (lowest, highest age) of the new-plan targets: the bands whose request rates
#: the calibration scales (:data:`simulation.calibration.REQUEST_AGE_SCALES`) and the reference 6-10.
NEW_PLAN_AGE_BANDS = ((0, 3), (4, 5), (6, 10), (11, 15), (16, 18), (19, 25))
#: Engine placement columns (:data:`simulation.parameters.PLACEMENTS`) of each published group.
PUBLISHED_GROUPS = ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe", "ehcp_ap")


def ehcp_by_age_placement(history: LaHistory, year: int) -> np.ndarray | None:
    """Plans by single year of age 0-25 (rows) and engine placement (columns) in January
    ``year``, from the published joint table; ``None`` where it is not published.

    "Under 3" is put at age 2. ``other`` is the age's total minus its five published
    groups (never below 0). Resourced provision is not published by age: mainstream is
    split in the LA's overall resourced share of mainstream that January.
    """
    rows = history.rows[(history.rows["year"] == year) & history.rows["breakdown"].str.match(r"^age=\d")]
    if rows.empty or not set(PUBLISHED_GROUPS) <= set(rows["measure"]):
        return None
    table = np.zeros((AGES, 5 + 1))  # the five groups, then the total

    for breakdown, measure, value in zip(rows["breakdown"], rows["measure"], rows["value"]):
        if measure not in PUBLISHED_GROUPS + ("ehcp_total",):
            continue
        column = 5 if measure == "ehcp_total" else PUBLISHED_GROUPS.index(measure)
        add_at_age(table[:, column], breakdown, value)
    mainstream, special, independent, fe, ap, total = table.T
    other = np.maximum(total - table[:, :5].sum(axis=1), 0.0)
    resourced_share = min((history.total("ehcp_resourced_unit", year) or 0.0)
                          / max(history.total("ehcp_mainstream", year) or 0.0, 1.0), 1.0)
    return np.column_stack([mainstream * (1 - resourced_share), mainstream * resourced_share, special, independent,
                            fe, ap, other])


def nearest_age_placement(history: LaHistory, year: int) -> np.ndarray | None:
    """The published joint table (:func:`ehcp_by_age_placement`) of January ``year``, or of
    the nearest January that has one (the earlier if two are as near); ``None`` if none."""
    years = sorted(history.rows.loc[(history.rows["measure"] == "ehcp_state_special")
                                    & history.rows["breakdown"].str.startswith("age="), "year"].unique())
    for candidate in sorted(years, key=lambda y: (abs(y - year), y)):
        table = ehcp_by_age_placement(history, int(candidate))
        if table is not None:
            return table
    return None


def new_plans_by_age(history: LaHistory, year: int) -> np.ndarray | None:
    """New plans issued in calendar ``year`` by single year of age at issue (0-25), from
    SEN2's ``age=`` breakdown ("0-2" at age 2, "20-25" spread evenly); ``None`` where it
    is not published."""
    rows = history.rows[(history.rows["measure"] == "new_plans") & (history.rows["year"] == year)
                        & history.rows["breakdown"].str.match(r"^age=\d")]
    if rows.empty:
        return None
    by_age = np.zeros(AGES)
    for breakdown, value in zip(rows["breakdown"], rows["value"]):
        add_at_age(by_age, breakdown, value)
    return by_age


#: Fit mid-phase moves (:func:`mid_phase_moves`) and calibrate their scale with the placement
#: shares. OFF: built and measured, not adopted (issue 19). At the cohort-year's size they broke
#: Gloucestershire's in-sample fit (independent special in primary +131% in 2024); with their
#: scale calibrated, 9 of 28 LAs put it at its floor (median 0.03) and the fit to the placements
#: was worse in 15 and better in 3 (mean absolute error +0.30 points): the years before the one
#: cohort-year do not support them, and no origin has the tables to validate them out of sample.
#: ``True`` for evidence runs (``benchmarks/evidence_mid_phase_moves.py``).
FIT_MID_PHASE_MOVES = False


def mid_phase_moves(history: LaHistory, year: int) -> np.ndarray | None:
    """Yearly chance of a plan in mainstream moving inside a phase, fitted on the cohorts
    from January ``year - 1`` to January ``year`` (:mod:`simulation.mid_phase_moves`); ``None``
    (placements change only at phase transfers) where either January's joint table or the
    new plans by age of calendar ``year - 1`` are not published (so before a 2025 start), or
    moves are switched off (:data:`FIT_MID_PHASE_MOVES`)."""
    if not FIT_MID_PHASE_MOVES:
        return None
    before, after = ehcp_by_age_placement(history, year - 1), ehcp_by_age_placement(history, year)
    issued = new_plans_by_age(history, year - 1)
    if before is None or after is None or issued is None:
        return None
    moves = fit_mid_phase_moves(before, after, issued)
    return moves if moves.any() else None


_MOVED_TO = {"state_special": "state special schools", "independent_special": "independent special schools",
             "ap": "alternative provision", "fe": "further education", "other": "other settings"}


def describe_moves(moves: np.ndarray | None) -> str:
    """Mid-phase moves in words: the yearly chance, by phase, of a plan in mainstream moving
    to each placement (``"none"`` without moves)."""
    if moves is None or not np.any(np.asarray(moves) > 0):
        return "none"
    parts = []
    for phase, row in zip(PHASES, moves):
        kept = [f"{100 * value:.2f}% to {_MOVED_TO.get(PLACEMENTS[g], PLACEMENTS[g])}" for g, value in enumerate(row)
                if value > 0]
        if kept:
            parts.append(f"{phase} {', '.join(kept)}")
    return "; ".join(parts)


#: Where the mid-phase moves come from, for the report's assumptions.
MOVES_SOURCE = ("SEN2 plans by age and placement, one cohort-year (January to January), net of the new plans each "
                "age received (simulation.mid_phase_moves), scaled by the calibration to the placements of the "
                "window; net moves out of mainstream only; NOT validated out of sample")


def mid_phase_moves_note(history: LaHistory, year: int, fitted: np.ndarray | None = None,
                         scale: float | None = None) -> str:
    """One line for people on the mid-phase moves of a run starting in January ``year``:
    ``fitted``, the moves the run uses (after the calibration's ``scale``)."""
    moves = mid_phase_moves(history, year)
    if not FIT_MID_PHASE_MOVES:
        return ("mid-phase moves: none; placements change only at phase transfers (moves fitted on SEN2's plans by "
                "age and placement were built and measured, and not adopted: they worsened the fit to the years "
                "before the one cohort-year they come from; simulation.mid_phase_moves)")
    if moves is None:
        return ("mid-phase moves: none (placements change only at phase transfers): SEN2's joint table of plans by "
                f"age and placement is needed for January {year - 1} and {year}")
    scaled = "" if scale is None else (f"; the calibration scales them by {scale:.2f} to fit the placements of every "
                                       f"January of its window, giving {describe_moves(fitted)}")
    return (f"mid-phase moves: fitted on one cohort-year of SEN2's plans by age and placement (January {year - 1} to "
            f"{year}), a year, of plans in mainstream: {describe_moves(moves)}{scaled}. Net moves out of mainstream "
            "only, and not validated out of sample (no earlier start has the tables) (simulation.mid_phase_moves)")


def phase_targets(history: LaHistory, first_year: int, last_year: int) -> pd.DataFrame:
    """Plans by placement group and school phase (age on the January day: the phases of
    :data:`simulation.parameters.PHASES`) in each January of the window with a published
    joint table (breakdown ``phase=...``), and new plans by the age when the plan started in
    each calendar year with published ages, in :data:`NEW_PLAN_AGE_BANDS` (breakdown
    ``age=4-5``): tidy ``measure, breakdown, year, value``."""
    rows = []
    starts = PHASE_START_AGES + (AGES,)
    for year in range(first_year, last_year + 1):
        table = ehcp_by_age_placement(history, year)
        if table is None:
            continue
        for k, phase in enumerate(PHASES):
            part = table[starts[k]:starts[k + 1]]
            for g, placement in enumerate(PLACEMENTS):
                if placement == "resourced_unit":
                    continue  # inside mainstream (resourced provision is not published by age)
                value = part[:, g].sum() + (part[:, g + 1].sum() if placement == "mainstream" else 0.0)
                rows.append((GROUP_OF_PLACEMENT[placement], f"phase={phase}", year, float(value)))
            rows.append(("ehcp_total", f"phase={phase}", year, float(part.sum())))
    new = history.rows[(history.rows["measure"] == "new_plans") & history.rows["breakdown"].str.startswith("age=")
                       & history.rows["year"].between(first_year, last_year)]
    band = new["breakdown"].map(lambda b: next(f"age={low}-{high}" for low, high in NEW_PLAN_AGE_BANDS
                                               if low <= _lowest_age(b) <= high))
    for (year, label), value in new.groupby([new["year"], band])["value"].sum().items():
        rows.append(("new_plans", label, int(year), float(value)))
    return pd.DataFrame(rows + ceased_targets(history, first_year, last_year),
                        columns=["measure", "breakdown", "year", "value"])


#: Age bands (lowest, highest age when the plan ceased) of the ceased-plan targets: school
#: ages, then the ages where leaving education decides (the simulation's
#: ``ceasing_left_education_*`` scales: 16-17, 18, 19, 20-25).
CEASED_AGE_BANDS = ((0, 15), (16, 17), (18, 18), (19, 19), (20, 25))


def ceased_targets(history: LaHistory, first_year: int, last_year: int) -> list[tuple[str, str, int, float]]:
    """Ceased plans (calendar years) by reason (``reason=...`` as published, 2022 on) and by
    the age when the plan ceased in :data:`CEASED_AGE_BANDS` (``age=16-17``, ``age=18``;
    2023 on; a single age SEN2 does not list had no ceased plans)."""
    rows: list[tuple[str, str, int, float]] = []
    ceased = history.rows[(history.rows["measure"] == "plans_ceased")
                          & history.rows["year"].between(first_year, last_year) & history.rows["value"].notna()]
    for row in ceased[ceased["breakdown"].str.startswith("reason=")].itertuples():
        rows.append(("plans_ceased", row.breakdown, int(row.year), float(row.value)))
    by_age = ceased[ceased["breakdown"].str.startswith("age=")]
    band = by_age["breakdown"].map(lambda b: next(f"age={low}" if low == high else f"age={low}-{high}"
                                                  for low, high in CEASED_AGE_BANDS if low <= _lowest_age(b) <= high))
    for (year, label), value in by_age.groupby([by_age["year"], band])["value"].sum().items():
        rows.append(("plans_ceased", label, int(year), float(value)))
    return rows


def _lowest_age(breakdown: str) -> int:
    """Lowest age of an ``age=...`` breakdown (``age=7`` -> 7, ``age=0-2`` -> 0, ``age=20-25`` -> 20)."""
    return int(breakdown.removeprefix("age=").split("-")[0])


def sen_support_by_age(history: LaHistory, year: int, people: np.ndarray) -> np.ndarray:
    """Children on SEN support by age: % of pupils x residents aged 4-15, assumed age shape."""
    pct = history.require("sen_support_pct", year)
    pupils = people[PUPIL_AGES[0]:PUPIL_AGES[1] + 1].sum()
    shape = np.asarray(SEN_SUPPORT_AGE_SHAPE, dtype=float)
    return np.round(shape / shape.sum() * pct / 100.0 * pupils)


def targets(history: LaHistory, first_year: int, last_year: int) -> pd.DataFrame:
    """Tidy calibration targets (``measure, breakdown, year, value``) for the window: January
    counts of ``first_year`` to ``last_year``, flows of calendar years ``first_year`` to
    ``last_year - 1`` (a run from January ``first_year`` to January ``last_year`` has no flow
    of ``last_year``: a later year's flows, published when the fit ends before the latest
    January, are left out, as :func:`history_until` leaves them out)."""
    measures = ("ehcp_total",) + PLACEMENT_GROUPS + FLOW_MEASURES
    rows = history.rows[(history.rows["breakdown"] == "") & history.rows["measure"].isin(measures)
                        & history.rows["year"].between(first_year, last_year)]
    rows = rows[["measure", "breakdown", "year", "value"]]
    pop = population(history, first_year, last_year - first_year + 1)
    sen = [("sen_support", "", y, float(sen_support_by_age(history, y, pop.by_age[min(y - first_year,
                                                                                       pop.by_age.shape[0] - 1)]).sum()))
           for y in range(first_year, last_year + 1) if history.total("sen_support_pct", y) is not None]
    table = pd.concat([rows, pd.DataFrame(sen, columns=rows.columns), phase_targets(history, first_year, last_year)],
                      ignore_index=True)
    flows = table["measure"].isin(FLOW_MEASURES + calibration_rules.FLOW_TARGETS)
    return table[~(flows & (table["year"] >= last_year))]


def open_assessments(history: LaHistory, first_year: int, year: int, weeks: float, withdrawal: float = 0.0) -> float:
    """Requests decided or being assessed in January ``year``: a flow balance from
    ``first_year`` (see the module notes; :func:`simulation.flow_balance.backlog_januaries`,
    the calibration's own rule: a year whose flows are not published moves it by nothing),
    the decisions to assess net of the share ``withdrawal`` withdrawn
    (:func:`withdrawal_choice`; 0: none withdrawn, every decision stays in hand until
    completed). Never below the pipeline of a service keeping up (the completed assessments
    of ``year - 1`` x ``weeks`` / 52; 0 where they are not published)."""
    def flow(measure: str, y: int) -> float:
        value = history.total(measure, y)
        return np.nan if value is None else float(value)

    years = range(first_year, year)
    completed = np.array([flow("new_plans", y) + flow("assessed_not_issued", y) for y in years])
    decided = np.array([flow("requests", y) - flow("requests_refused", y) for y in years]) * (1.0 - withdrawal)
    balance = float(backlog_januaries(decided, completed, weeks)[-1]) if len(years) else np.nan
    last = completed[-1] * weeks / 52.0 if len(years) and np.isfinite(completed[-1]) else 0.0
    return max(balance, last) if np.isfinite(balance) else last


def calibrated_sen_support_shape(calibration: CalibrationResult) -> np.ndarray:
    """Share of children on SEN support at each age 0-25 in the calibrated cohort model's
    last January (the January a run built on the calibration starts in); none from the
    leaving age."""
    fitted = calibration.parameters
    stocks, _ = expected_arrays(fitted, 12)
    by_age = np.array([stocks[("sen_support", f"age={age}")][-1] for age in range(AGES)])
    # the cohort model counts a cohort turning the leaving age on the January day before it leaves
    by_age[np.arange(AGES) >= fitted.sen_support.leaving_age] = 0.0
    if by_age.sum() <= 0:
        raise SetupError("the calibrated model has nobody on SEN support at the end of its window")
    return by_age / by_age.sum()


def _starting_caseload(history: LaHistory, year: int, people: np.ndarray) -> Caseload:
    """SEN support and EHC plans (by age and placement) in January ``year``; no open requests."""
    by_age = ehcp_by_age(history, year)
    placement = ehcp_by_placement(history, year)
    by_age = by_age * (placement.sum() / by_age.sum())  # bands and totals can disagree by a plan or two
    return Caseload(sen_support_by_age=sen_support_by_age(history, year, people), ehcp_by_age=by_age,
                    ehcp_by_placement=placement, age_placement_shape=nearest_age_placement(history, year))


# ------------------------------------------------------------------------------ calibration
def _calibration_base(history: LaHistory, first: int, last: int) -> Parameters:
    pop = population(history, first, last - first + 1)
    assessment = Assessment(withdrawal_probability=withdrawal_choice(history, last)[0])
    caseload = _starting_caseload(history, first, pop.by_age[0])
    base = Parameters(start_year=first, horizon=last - first, population=pop, caseload=caseload,
                      arrivals=default_arrivals(), sen_support=default_sen_support(), assessment=assessment,
                      placement=replace(default_placement(), mid_phase_moves=mid_phase_moves(history, last)),
                      ceasing=default_ceasing(), costs=default_costs())
    weeks = assessment.decision_weeks_mean + assessment.assessment_weeks_mean
    opened = open_requests(base, open_assessments(history, first, first, weeks))
    base = replace(base, caseload=replace(caseload, in_assessment_by_age=opened))
    return base


def latest_complete_january(history: LaHistory) -> tuple[int, str | None]:
    """The January a run starts from unless told: the latest with the LA's EHC plans and every
    placement group published (the caseload a run starts from) whose EHC plans are not a
    suspect jump from the year before (more than the forecast engine's
    :data:`sendcast.forecasting.one_la.JUMP_RATIO` apart, the check it flags a latest value
    with), and a note when that is not the latest January with plans, else ``None``.

    North East Lincolnshire: January 2025's placements are not published, so it starts from
    2024. Newham: January 2025's 1,199 EHC plans against 2,705 in 2024, while it issued 379
    new plans in 2024 (a fall no flow of plans explains): a run from it grew the plans
    8.6-fold by 2035 (its flows are those of an LA of 2,700 plans), where the forecast engine,
    starting from it with a warning, says 1,929 by 2030; it starts from 2024 with the note.
    ``--start-year`` still starts from the suspect January if asked."""
    from sendcast.forecasting.one_la import JUMP_RATIO

    rows = history.rows[(history.rows["breakdown"] == "") & history.rows["value"].notna()]
    totals = rows[rows["measure"] == "ehcp_total"].set_index("year")["value"]
    if totals.empty:
        raise SetupError(f"{history.la_name}: no published EHC plan caseload")
    complete = set(totals.index)
    for measure in PLACEMENT_GROUPS:
        complete &= set(rows.loc[rows["measure"] == measure, "year"])
    last = int(totals.index.max())
    if not complete:
        return last, None  # the run names what is missing
    why: list[str] = []
    for year in sorted(complete, reverse=True):
        before = totals.get(year - 1)
        if before is None or before < 20 or 1 / JUMP_RATIO <= (totals[year] + 1) / (before + 1) <= JUMP_RATIO:
            break
        why.append(f"January {year}'s EHC plans ({totals[year]:,.0f}) are more than {JUMP_RATIO:g} times from the "
                   f"year before's ({before:,.0f}), a figure to check before a run starts from it")
    else:
        return last, None  # every complete January is a jump: the run starts from the latest and the forecast flags it
    latest = int(year)
    if latest == last:
        return latest, None
    missing = [m for m in PLACEMENT_GROUPS if not ((rows["measure"] == m) & (rows["year"] == last)).any()]
    if missing:
        why.insert(0, f"January {last} has no {', '.join(missing)}")
        return latest, (f"{history.la_name}: starts from January {latest}, the latest January with every placement "
                        f"published ({'; '.join(why)})")
    return latest, f"{history.la_name}: starts from January {latest}, not January {last}: {'; '.join(why)}"


def usual_calibration_start(start_year: int) -> int:
    """The first January of the usual calibration window to January ``start_year``:
    ``start_year -`` :data:`CALIBRATION_YEARS`, not before :data:`FIRST_CALIBRATION_YEAR`."""
    return max(start_year - CALIBRATION_YEARS, FIRST_CALIBRATION_YEAR)


def calibration_start(history: LaHistory, start_year: int, years: int | None = None) -> int:
    """The first January a calibration to January ``start_year`` fits: ``start_year - years``
    (default :data:`CALIBRATION_YEARS`), not before :data:`FIRST_CALIBRATION_YEAR`, the first
    year with a population, nor the first January of the LA's EHC plan series (an LA created
    by a boundary change; :func:`sendcast.scenarios.retarget.check_series` refuses one with
    fewer than :data:`MIN_CALIBRATION_YEARS` years)."""
    years = CALIBRATION_YEARS if years is None else years
    rows = history.rows
    people = rows.loc[rows["measure"] == "population", "year"]
    series = rows.loc[(rows["measure"] == "ehcp_total") & (rows["breakdown"] == "") & rows["value"].notna(), "year"]
    return max(start_year - years, FIRST_CALIBRATION_YEAR, int(people.min()) if not people.empty else 0,
               int(series.min()) if not series.empty else 0)


def calibrate_la(dataset: Dataset, la: str, *, start_year: int, years: int | None = None,
                 history: LaHistory | None = None) -> CalibrationResult:
    """Fit the LA's rates to its history from January :func:`calibration_start` (``start_year
    - years``, default :data:`CALIBRATION_YEARS`, not before :data:`FIRST_CALIBRATION_YEAR`,
    the first year with a population or the LA's first published caseload) to January
    ``start_year``; see the module notes.

    The returned report compares the cohort model with the published figures; its
    parameters start in the first January of the window. A calibration already computed in
    this process for the same input files, LA, window and history is returned again, not
    refitted. ``history``: the LA's rows to use instead of everything published (e.g.
    :func:`history_until` an origin, for out-of-sample validation).
    """
    history = la_history(dataset, la) if history is None else history
    history.require("ehcp_total", start_year)  # the run starts from a published January caseload
    first = calibration_start(history, start_year, years)
    if start_year - first < 2:
        raise SetupError(f"calibration needs at least two years of history before {start_year}; "
                         f"flows are published from {FIRST_CALIBRATION_YEAR}")
    inputs = dataset.input_checksums
    rule = calibration_rules.IDENTIFICATION
    key = (inputs, *history_key(history), first, start_year, rule, FIT_MID_PHASE_MOVES,
           calibration_rules.SHARE_PRIOR_WEIGHT, calibration_rules.REQUEST_AGE_PRIOR_WEIGHT, WITHDRAWALS,
           calibration_rules.LATEST_PLACEMENT_WEIGHT)
    if not inputs or key not in _CALIBRATIONS:
        base = _calibration_base(history, first, start_year)
        _CALIBRATIONS[key] = calibrate(base, targets(history, first, start_year), identification=rule)
    return _CALIBRATIONS[key]


#: Calibrations already computed in this process, by the checksums of the data's input files,
#: LA and window: a calibration is deterministic given the data (and takes about 10 s).
_CALIBRATIONS: dict[tuple, CalibrationResult] = {}


# ------------------------------------------------------------------------------- the levers
def special_place_blocks(history: LaHistory, start_year: int, capacity: pd.DataFrame | None,
                         scenario: Scenario | None) -> tuple[tuple[PlaceBlock, ...] | None, list[str]]:
    """Place blocks from a capacity table and the scenario's additional places, and notes.

    ``None`` (unconstrained) when there is neither a capacity table nor additional places.
    """
    notes: list[str] = []
    blocks: list[PlaceBlock] = []
    if capacity is not None:
        for row in capacity.itertuples(index=False):
            blocks.append(PlaceBlock(POOL_OF_PHASE[row.phase], int(row.places),
                                     None if pd.isna(row.from_year) else int(row.from_year),
                                     None if pd.isna(row.to_year) else int(row.to_year), name=str(row.school)))
    if scenario is not None:
        for extra in scenario.special_places.additional:
            blocks.append(PlaceBlock(POOL_OF_PHASE[extra.phase], extra.places, extra.from_year, extra.to_year,
                                     name=extra.name))
    if capacity is None and not blocks:
        return None, ["special school places: unconstrained (no capacity file)"]
    if capacity is not None and "source" in capacity and capacity["source"].eq(ASSUMED_PLACES_SOURCE).any():
        notes.append(f"special school places: ASSUMPTION: no list of the LA's places; its state special schools are "
                     f"taken as full in January {start_year} ({int(capacity['places'].sum()):,} places, "
                     f"{100 * OVER_CAPACITY_SHARE:.0f}% over capacity: as many as the children there)")
    return tuple(blocks), notes


#: Over-capacity allowance of special schools where the LA's own January caseload does not
#: show a larger one. ASSUMPTION: the team's issue 19 quotes DfE as reporting over-capacity
#: special schools about 12% above their places on average; DfE's school capacity release is
#: not in shared/data, so the figure is not checked against it (asked for in the issue note).
OVER_CAPACITY_SHARE = 0.12


def over_capacity(history: LaHistory, start_year: int, blocks: tuple[PlaceBlock, ...] | None,
                  capacity: pd.DataFrame | None) -> tuple[float, list[str]]:
    """How far above their nominal places special schools run, and a note stating the
    places the run assumes: the larger of :data:`OVER_CAPACITY_SHARE` and the LA's own
    January ``start_year`` (children in state special schools over the places open then,
    minus 1; calibrated on the start day), at most 100%. 0 without a capacity file."""
    if capacity is None or blocks is None:
        return 0.0, []
    nominal = SpecialPlaces(blocks=blocks).places_by_year(start_year, 1)
    open_now = int(sum(values[0] for values in nominal.values()))
    in_special = history.require("ehcp_state_special", start_year)
    observed = in_special / open_now - 1.0 if open_now > 0 else 0.0
    share = float(min(max(OVER_CAPACITY_SHARE, observed), 1.0))
    assumed = int(sum(np.floor(values[0] * (1 + share) + 1e-9) for values in nominal.values()))
    note = (f"special school places: {open_now:,} places open in January {start_year} (capacity file and scenario) "
            f"and {in_special:,.0f} children in state special schools ({100 * observed:+.1f}%); schools are assumed "
            f"to take up to {100 * share:.1f}% over their places (the larger of that and the "
            f"{100 * OVER_CAPACITY_SHARE:.0f}% DfE figure quoted in issue 19), so the run has {assumed:,} places "
            f"that January ({assumed - open_now:,} beyond the listed places)")
    log.info(note)
    return share, [note]


def placement_costs(history: LaHistory, scenario: Scenario | None, data: str | Path | None = None,
                    dataset: Dataset | None = None) -> tuple[Costs, list[Note]]:
    """Engine :class:`simulation.Costs` and notes on where each figure came from
    (:class:`sendcast.runtime.notes.Note`: ``UNIT_COSTS``, and ``NOT_COSTED`` naming the
    placement groups with no unit cost in its ``subjects``). With
    ``dataset``, every LA's default costs come from :func:`sendcast.money.unit_costs.default_unit_costs`
    (the national rule and bounds); without it, only an LA in the own outturn file is costed."""
    notes: list[Note] = []
    outturn_path = paths.raw_dir(paths.data_dir(data)) / "finance" / OUTTURN_FILE
    table = None
    if dataset is not None:
        table, default_notes = default_unit_costs(dataset, history.la_code, outturn_path.parent)
        notes.extend(notes_of(NoteKind.UNIT_COSTS, default_notes))
    elif outturn_path.is_file():
        outturn = pd.read_csv(outturn_path, dtype=str, usecols=["la_code"])
        if (outturn["la_code"].str.strip() == history.la_number).any():
            table = derive_unit_costs(read_outturn(outturn_path), history.rows, str(outturn_path))
    by_group: dict[str, float] = {}
    if table is not None:
        by_group = {g: c for g, c in zip(table["placement_group"], table["annual_cost_gbp"]) if pd.notna(c)}
        notes.append(Note(NoteKind.UNIT_COSTS,
                          "unit costs: derived from the 2021-22 s251 outturn (sendcast.money.unit_costs)"))
    else:
        defaults = default_costs().placement_gbp_per_year
        for k, placement in enumerate(PLACEMENTS):
            if placement not in ("resourced_unit",) and GROUP_OF_PLACEMENT[placement] not in ("ehcp_ap", "ehcp_other"):
                by_group[GROUP_OF_PLACEMENT[placement]] = float(defaults[k])
        notes.append(Note(NoteKind.UNIT_COSTS, "unit costs: ILLUSTRATIVE defaults (no outturn for this LA in the data)",
                          "warning"))
    price_base = PRICE_BASE
    if scenario is not None:
        costs = scenario.costs
        target = financial_year_start(costs.price_base)
        if costs.price_base != PRICE_BASE:
            deflator = prices.read_deflator()
            factor = deflator.factor(PRICE_BASE, costs.price_base)
            by_group = {g: c * factor for g, c in by_group.items()}
            notes.append(Note(NoteKind.UNIT_COSTS,
                              f"unit costs: restated from {PRICE_BASE} to {costs.price_base} prices with HM Treasury's "
                              f"GDP deflator (x{factor:.3f}; {deflator.status} values, data/prices/gdp_deflator.csv)"))
        if costs.unit_costs_file:
            # The user's file is at its own price base (per row): moved to the scenario's, not from 2021-22.
            user = restate_prices(read_unit_cost_file(Path(costs.unit_costs_file)), target,
                                  costs.inflation_pct / 100.0)
            frame = apply_overrides(pd.DataFrame({"placement_group": list(by_group),
                                                  "annual_cost_gbp": list(by_group.values())}), user)
            by_group = {g: c for g, c in zip(frame["placement_group"], frame["annual_cost_gbp"]) if pd.notna(c)}
            notes.append(Note(NoteKind.UNIT_COSTS, f"unit costs: {costs.unit_costs_file} replaces the defaults it "
                              f"lists (restated from its own price base to {costs.price_base})"))
        by_group.update(costs.unit_costs_gbp)
        for group, transport in costs.transport_gbp.items():
            # Home-to-school transport: a yearly cost per child in that placement, at the price base.
            by_group[group] = by_group.get(group, 0.0) + transport
            notes.append(Note(NoteKind.UNIT_COSTS, f"unit costs: {group} includes home-to-school transport of GBP "
                              f"{transport:,.0f} a year (scenario costs.transport_gbp)"))
        price_base = costs.price_base
    missing = [g for g in PLACEMENT_GROUPS if g not in by_group]
    if missing:
        notes.append(Note(NoteKind.NOT_COSTED, f"not costed (0 in the totals): {', '.join(missing)}",
                          "warning", tuple(missing)))
    values = {p: by_group.get(GROUP_OF_PLACEMENT[p], 0.0) for p in PLACEMENTS}
    return Costs(placement_gbp_per_year=values, assessment_gbp=ASSESSMENT_COST_GBP, price_base=price_base), notes


def early_identification(scenario: Scenario | None, targets: tuple[str, ...] | None = None) -> EarlyIdentification:
    """The engine's lever from the scenario's ``[early_identification]`` section; ``targets``:
    the primary needs it is restricted to (:func:`sendcast.scenarios.need_setup.target_needs`)."""
    if scenario is None or (central(scenario.early_identification.share_identified_early) == 0
                            and central(scenario.early_identification.share_more_identified) == 0):
        return EarlyIdentification()
    lever = scenario.early_identification
    if lever.capacity_children_per_year == 0:
        raise SetupError(f"scenario {scenario.scenario.name!r}: early_identification.capacity_children_per_year is 0, "
                         "so no child can be reached; set how many children a year the programme can support")
    return EarlyIdentification(**SECTIONS["early_identification"].carry(lever, central), target_needs=targets)


#: Januaries (before and including the run's first) over which the baseline measures the
#: places the LA has been adding (:func:`place_growth`): 2019-2025 for a run from 2025.
PLACE_GROWTH_YEARS = 6


#: The name of every block of places :func:`place_growth` assumes (then "<first>-<start> (assumed)").
ADDED_PLACES = "places added each year as in"
#: The name of every block of places :func:`forecast_place_growth` assumes (then " <start> (assumed)").
FORECAST_PLACES = "places opened as the forecast grows from"


def place_growth(history: LaHistory, start_year: int, horizon: int, share: float,
                 rule: str = "growing", dataset: Dataset | None = None) -> tuple[tuple[PlaceBlock, ...], list[str]]:
    """Places the LA goes on adding in the baseline "as things stand", and a note, by
    ``rule`` (the scenario's ``places_rule``): ``forecast`` as the forecast engine's central
    forecast of children in state special schools grows (:func:`forecast_place_growth`,
    needs ``dataset``); ``frozen`` none; ``growing`` as follows.

    ASSUMPTION (issue 19, labelled in the run's notes): the LA's special schools were full
    over the window, so the growth of the children in state special schools (DfE SEN2,
    January) over the :data:`PLACE_GROWTH_YEARS` Januaries to ``start_year`` measures the
    places it added; it goes on adding the mean yearly increase, opening each January from
    ``start_year + 1`` to the end of the run (pool ``all``). The increase counts children,
    who fill places up to the over-capacity ``share``, so each January adds
    ``increase / (1 + share)`` nominal places (whole places, rounded on the running total).
    Time-respecting: Januaries after ``start_year`` are never read. None where ``rule`` is
    ``frozen`` (the "no new places" scenario), fewer than two Januaries are published in the
    window, or the number in state special schools did not grow (places are not closed).
    """
    if rule == "frozen":
        return (), ["special school places: no new places beyond the capacity file and the scenario "
                    "(scenario places_rule = \"frozen\")"]
    if rule == "forecast":
        if dataset is None:
            raise SetupError("places growing as the forecast (places_rule = \"forecast\") need the dataset")
        return forecast_place_growth(dataset, history, start_year, horizon, share)
    first_year = start_year - PLACE_GROWTH_YEARS
    published = {year: history.total("ehcp_state_special", year) for year in range(first_year, start_year + 1)}
    published = {year: value for year, value in published.items() if value is not None}
    if len(published) < 2 or start_year not in published:
        return (), [f"special school places: no growth carried forward (fewer than two Januaries of children in "
                    f"state special schools published in {first_year}-{start_year})"]
    first = min(published)
    increase = (published[start_year] - published[first]) / (start_year - first)
    if increase <= 0:
        return (), [f"special school places: no growth carried forward (children in state special schools "
                    f"{published[first]:,.0f} in {first}, {published[start_year]:,.0f} in {start_year})"]
    nominal = increase / (1.0 + share)
    blocks = []
    for k in range(1, horizon + 1):
        places = round(k * nominal) - round((k - 1) * nominal)
        if places > 0:
            blocks.append(PlaceBlock("all", places, start_year + k, None,
                                     name=f"{ADDED_PLACES} {first}-{start_year} (assumed)"))
    note = (f"special school places: ASSUMPTION: the LA goes on adding places as it has: children in state special "
            f"schools rose from {published[first]:,.0f} (January {first}) to {published[start_year]:,.0f} "
            f"(January {start_year}), {increase:,.1f} a year, taken as places added while schools were full; the run "
            f"opens {nominal:,.1f} places a year ({increase:,.1f} children at {100 * share:.1f}% over capacity) each "
            f"January {start_year + 1}{'' if horizon <= 1 else f'-{start_year + horizon}'} (\"no new places\" is the scenario "
            f"scenarios/no-new-special-places.toml)")
    log.info(note)
    return tuple(blocks), [note]


def forecast_place_growth(dataset: Dataset, history: LaHistory, start_year: int, horizon: int,
                          share: float) -> tuple[tuple[PlaceBlock, ...], list[str]]:
    """Places the LA goes on adding under ``places_rule = "forecast"`` (the baseline), and a
    note. ASSUMPTION (labelled in the run's notes): places open as the forecast engine's central
    forecast of children in state special schools (January, made with the figures to
    ``start_year`` only: time-respecting) grows from the published January ``start_year``;
    each January ``start_year + k`` (k = 1 .. horizon, the run's last included) opens the forecast's rise since
    ``start_year`` over ``1 + share`` nominal places, less those already opened (places are
    never closed: a forecast that falls adds none)."""
    published = history.require("ehcp_state_special", start_year)
    path = central_forecast(dataset, history, start_year, horizon, "ehcp_state_special")
    blocks, opened, highest = [], 0, 0.0
    for k in range(1, horizon + 1):
        year = start_year + k
        if year not in path:
            break
        highest = max(highest, path[year] - published)
        places = round(highest / (1.0 + share)) - opened
        if places > 0:
            opened += places
            blocks.append(PlaceBlock("all", places, year, None, name=f"{FORECAST_PLACES} {start_year} (assumed)"))
    note = (f"special school places: ASSUMPTION: the LA opens places as the forecast engine's central forecast of "
            f"children in state special schools grows from January {start_year} ({published:,.0f}): {opened:,} places "
            f"by January {start_year + horizon} at {100 * share:.1f}% over capacity")
    log.info(note)
    return tuple(blocks), [note]


def overflow_note(policy: str, rate: float, waiting: str = "other") -> str:
    """How the run treats a child who finds no local special place, where the child is
    counted while waiting and where the rate comes from."""
    if policy == "independent":
        return "special school places: a child who finds no place goes to an independent special school at once"
    counted = ("counted in mainstream schools at school age, in 'other' otherwise" if waiting == "mainstream"
               else "counted in 'other'")
    if rate <= 0:
        return (f"special school places: a child who finds no place waits ({counted}) until a local place frees "
                f"(no overflow to independent special schools: chosen out of sample, "
                f"sendcast.scenarios.files.OVERFLOW_RATE_PER_YEAR)")
    source = ("the baseline's (sendcast.scenarios.files.OVERFLOW_RATE_PER_YEAR)" if rate == OVERFLOW_RATE_PER_YEAR
              else "the scenario's figure, an ASSUMPTION it states (not fitted: the baseline's is "
                   f"{OVERFLOW_RATE_PER_YEAR:g}, chosen out of sample)")
    return (f"special school places: a child who finds no place waits ({counted}) and is placed in an "
            f"independent special school at {rate:g} a year (mean wait {12 / rate:.0f} months) unless a place "
            f"frees first; the rate is {source}")


def special_place_notes(history: LaHistory, start_year: int, horizon: int, capacity: pd.DataFrame | None,
                        scenario: Scenario | None, dataset: Dataset | None = None) -> list[str]:
    """The run's notes on special places, as :func:`build_parameters` sets them up: the
    places assumed, the growth carried forward (or none) and what happens to a child who
    finds no place."""
    blocks, notes = special_place_blocks(history, start_year, capacity, scenario)
    share, more = over_capacity(history, start_year, blocks, capacity)
    notes = notes + more
    if blocks is None:
        return notes
    places = scenario.special_places if scenario is not None else SpecialPlacesSettings()
    notes += place_growth(history, start_year, horizon, share, places.places_rule, dataset)[1]
    return notes + [overflow_note(places.overflow_policy, places.overflow_rate_per_year, places.waiting_placement)]


#: The source column of :func:`assumed_places`' one row.
ASSUMED_PLACES_SOURCE = "ASSUMPTION: schools full, at the over-capacity allowance, in the start January"


def assumed_places(history: LaHistory, start_year: int) -> pd.DataFrame:
    """Special school places where no list of them is known: ASSUMPTION (labelled in the
    table and the run's notes) that the LA's state special schools were full in January
    ``start_year``, at :data:`OVER_CAPACITY_SHARE` over their places, so the places are
    the children in state special schools that January (DfE SEN2) over ``1 + share``,
    whole places, one all-through row. Reads only January ``start_year``: time-respecting
    at an origin. With :func:`over_capacity` the run then has as many places as children
    that January, and :func:`place_growth` adds the LA's past growth each later January."""
    in_special = history.require("ehcp_state_special", start_year)
    frame = pd.DataFrame([{
        "school": f"State special schools in {history.la_name} (assumed full in January {start_year})", "urn": "",
        "phase": "all", "designation": "", "places": int(round(in_special / (1.0 + OVER_CAPACITY_SHARE))),
        "from_year": pd.NA, "to_year": pd.NA, "source": ASSUMED_PLACES_SOURCE, "confidence": "assumed"}])
    frame["from_year"] = frame["from_year"].astype("Int64")
    frame["to_year"] = frame["to_year"].astype("Int64")
    return frame


def places_without_list(history: LaHistory, start_year: int | None) -> tuple[pd.DataFrame, str]:
    """The places of an LA with no list of them (no capacity file, no third-party row) and a
    note: :func:`assumed_places` in ``start_year`` (default: the latest January published);
    an empty table (no places) where no children in state special schools are published
    that January."""
    published = history.rows.loc[history.rows["measure"] == "ehcp_state_special", "year"]
    year = start_year if start_year is not None else (int(published.max()) if not published.empty else None)
    if year is None or history.total("ehcp_state_special", year) is None:
        return pd.DataFrame(columns=list(CAPACITY_COLUMNS)), "no children in state special schools published: no places"
    capacity = assumed_places(history, year)
    return capacity, (f"ASSUMPTION: the {int(capacity['places'].iloc[0]):,} places are the children in state special "
                      f"schools in January {year} at {100 * OVER_CAPACITY_SHARE:.0f}% over capacity (schools full)")


def scenario_places(dataset: Dataset, history: LaHistory, scenario: Scenario,
                    data: str | Path | None = None, start_year: int | None = None) -> tuple[pd.DataFrame, str]:
    """Special school places a scenario runs with, and where they come from: its
    ``capacity_file``; else the LA's own file, else the third-party table's aggregate
    (flagged low confidence, :func:`sendcast.data.capacity.default_capacity`); else the
    places assumed full in the start January (:func:`assumed_places`: the January caseload
    in state special schools taken as the places there are). A scenario is never left with
    unconstrained places (or constrained only by the places it adds) because it names no
    file. ``start_year``: the run's start January (default: the latest published)."""
    named = scenario.special_places.capacity_file
    if named:
        return read_capacity(Path(named)), f"places from {named}"
    capacity, note = default_capacity(paths.data_dir(data), history.la_code, history.la_number,
                                      codes_to_numbers(dataset.geography.las))
    if capacity is None:
        capacity, assumed = places_without_list(history, start_year)
        note += f"; {assumed}"
    return capacity, note


# ----------------------------------------------------------------------------- the builder
def build_parameters(dataset: Dataset, la: str, *, start_year: int, horizon: int = 10,
                     scenario: Scenario | None = None, capacity: pd.DataFrame | None = None,
                     calibration: CalibrationResult | None = None, data: str | Path | None = None,
                     history: LaHistory | None = None) -> Parameters:
    """Simulation parameters for ``la`` from January ``start_year`` for ``horizon`` years.

    ``scenario``: its levers are applied (early identification, assessment capacity,
    special places and overflow policy, costs); ``None`` gives the LA as things stand with
    unconstrained special places unless ``capacity`` is given. ``capacity``: special school
    places as read by :func:`sendcast.data.capacity.read_capacity` (default: the scenario's
    ``capacity_file``). ``calibration``: a result of :func:`calibrate_la` for the same LA
    and start year, to reuse (a scenario and its baseline should share one: it takes
    about 10 s). ``data``: the data folder (for the outturn file). ``history``: the LA's
    rows to use instead of everything published (:func:`history_until`). See the module
    notes for where every number comes from and which are illustrative.
    """
    history = la_history(dataset, la) if history is None else history
    if calibration is None:
        calibration = calibrate_la(dataset, la, start_year=start_year, history=history)
    fitted = calibration.parameters
    if fitted.start_year + fitted.horizon != start_year:
        raise SetupError(f"the calibration given ends in January {fitted.start_year + fitted.horizon}; "
                         f"the run starts in January {start_year}")

    def assemble(chosen: Scenario | None, durations: Assessment, years: int = horizon, say: bool = True) -> Parameters:
        return _assemble(dataset, history, calibration, chosen, durations, start_year=start_year, horizon=years,
                         capacity=capacity if chosen is scenario else None, data=data, say=say)

    # measured on a fixed horizon: the curve must not depend on which run asked first (it is
    # kept for the process, and a run's random numbers depend on its horizon)
    fit = duration_fit(duration_key(history, start_year), history.rows, start_year,
                       lambda: assemble(None, fitted.assessment, FIT_HORIZON, say=False))
    durations = fitted.assessment if fit is None else with_duration_scale(fitted, fit.scale).assessment
    return assemble(scenario, durations)


def duration_key(history: LaHistory, start_year: int) -> tuple:
    """What the fitted assessment durations depend on: the LA's history (:func:`history_key`)
    and the start."""
    return (*history_key(history), start_year)


def _assemble(dataset: Dataset, history: LaHistory, calibration: CalibrationResult, scenario: Scenario | None,
              durations: Assessment, *, start_year: int, horizon: int, capacity: pd.DataFrame | None,
              data: str | Path | None, say: bool = True) -> Parameters:
    """:func:`build_parameters` with the assessment durations (decision and assessment
    times) given: ``durations``, whose capacity settings are replaced by the run's.
    ``say``: warn where the requests set to follow the forecast are on their growth limit
    (not for the durations' fitting run, which the run itself repeats)."""
    la = history.la_code
    fitted = replace(calibration.parameters, assessment=durations)
    pop = population(history, start_year, horizon)
    weeks = fitted.assessment.decision_weeks_mean + fitted.assessment.assessment_weeks_mean
    in_assessment = open_assessments(history, FIRST_CALIBRATION_YEAR, start_year, weeks,
                                     fitted.assessment.withdrawal_probability)
    caseload = _starting_caseload(history, start_year, pop.by_age[0])
    caseload = replace(caseload, sen_support_by_age=np.round(
        calibrated_sen_support_shape(calibration) * caseload.sen_support_by_age.sum()))
    rule = scenario.assessment.capacity_rule if scenario is not None else "responsive"
    funded = scenario.assessment.capacity_per_year if scenario is not None else None
    assessment, weeks_open = assessment_capacity(history, start_year, fitted.assessment, in_assessment, rule, funded)
    caseload = replace(caseload, in_assessment_weeks_open=weeks_open)
    if capacity is None and scenario is not None:
        capacity, _ = scenario_places(dataset, history, scenario, data, start_year)
    blocks, _ = special_place_blocks(history, start_year, capacity, scenario)
    share, _ = over_capacity(history, start_year, blocks, capacity)
    places = scenario.special_places if scenario is not None else SpecialPlacesSettings()
    if blocks is not None:  # the LA goes on opening places (places_rule; none when "frozen")
        blocks = blocks + place_growth(history, start_year, horizon, share, places.places_rule, dataset)[0]
    # unit costs divide the 2021-22 outturn by the January 2022 placements: from the full
    # history even for a cut one (money is not among the validated measures)
    costs, _ = placement_costs(history if history.until is None else la_history(dataset, la), scenario, data,
                               dataset)
    # extra assessment capacity is paid for above the baseline's capacity in the first year
    # (responsive: the share of the work in hand; an APPROXIMATION in later years, when the
    # baseline's own capacity moves with the queue)
    today, today_weeks_open = assessment_capacity(history, start_year, fitted.assessment, in_assessment,
                                                  "responsive")
    placement_only = costs
    costs, _ = provision_costs(costs, scenario, start_year=start_year, horizon=horizon,
                               capacity_per_year=None if funded is None else ((start_year, float(funded)),),
                               calibrated_capacity=(None if today.capacity_per_year is None
                                                    else float(today.capacity_per_year[0][1])))
    params = replace(fitted, start_year=start_year, horizon=horizon, population=pop, assessment=assessment,
                     special_places=SpecialPlaces(blocks=blocks, over_capacity_share=share,
                                                  **SECTIONS["special_places"].carry(places)),
                     early_identification=early_identification(scenario), costs=costs,
                     individual_support_plans=reform_settings(scenario),
                     caseload=replace(caseload, in_assessment_by_age=open_requests(
                         replace(fitted, caseload=caseload, population=pop, start_year=start_year), in_assessment)))
    needs, _ = primary_needs(history.rows, start_year, history.la_name)
    lever = params.early_identification
    if lever.active:
        lever = replace(lever, target_needs=target_needs(scenario, needs, history.la_name, start_year))
    params = replace(params, needs=needs, early_identification=lever)

    def baseline_levers(params: Parameters) -> Parameters:
        """``params`` with the baseline's levers (the LA as things stand): the start is read
        off them and a target path is set on them, so a scenario's own levers come on top."""
        return replace(params, early_identification=early_identification(None),
                       individual_support_plans=reform_settings(None), assessment=today,
                       caseload=replace(params.caseload, in_assessment_weeks_open=today_weeks_open))

    as_things_stand = baseline_levers(params)
    weeks = starting_backlog_weeks(history, start_year, as_things_stand)
    if weeks is not None:  # the start consistent with the share published the year before (START_BACKLOG)
        extra = matched_extra(history, start_year, weeks, as_things_stand)  # "timeliness_completions" only
        params = with_starting_backlog(params, weeks, _decided_before(history, start_year, fitted.assessment))
        params = with_more_in_hand(params, extra)
        today_weeks_open = weeks
    start = capacity_start(history, start_year, as_things_stand)
    if start is not None:  # the start and the first year's capacity set together (START_BACKLOG)
        params = with_starting_backlog(params, start.weeks, _decided_before(history, start_year, fitted.assessment))
        today = with_fitted_capacity(today, start)
        if params.assessment.capacity_response is not None:  # responsive (a "frozen" scenario keeps its level)
            params = replace(params, assessment=with_fitted_capacity(params.assessment, start, funded))
        today_weeks_open = start.weeks
        costs, _ = provision_costs(placement_only, scenario, start_year=start_year, horizon=horizon,
                                   capacity_per_year=None if funded is None else ((start_year, float(funded)),),
                                   calibrated_capacity=float(today.capacity_per_year[0][1]))
        params = replace(params, costs=costs)
    rule = scenario.trends.rule if scenario is not None else "damped"
    if rule == "damped":
        params = carry_forward(params, start_year - 1, **trend_rule(history, calibration, start_year))
        share = None
        plans = (forecast_plans_path(dataset, history, start_year, horizon) if PLANS_FORWARD == "forecast_target"
                 else None)
        if IDENTIFICATION_FORWARD == "share_target":
            share = share_path(history, start_year, horizon)
        elif IDENTIFICATION_FORWARD == "forecast_target":
            share = forecast_share_path(dataset, history, start_year, horizon)
        elif IDENTIFICATION_FORWARD == "held_share" and plans is not None:
            share = carried_share_path(baseline_levers(params), start_year)
        if share is not None and SHARE_FLOOR == "latest_published":
            latest = history.total("sen_support_pct", start_year)
            if latest is not None:
                share = {year: max(value, latest) for year, value in share.items()}
        params = follow_paths(params, baseline_levers, history, calibration, start_year, share, plans, say=say)
    return params


def carried_share_path(params: Parameters, start_year: int) -> dict[int, float]:
    """The share of pupils on SEN support (%, January ``start_year + 1 .. start_year +
    horizon``) the cohort engine gives ``params`` as carried forward (identification and
    requests by their own damped growth; special school places left out, as when a path is
    followed): the share :data:`IDENTIFICATION_FORWARD` ``= "held_share"`` keeps when
    requests are raised to follow the forecast of EHC plans."""
    from sendcast.scenarios.validation import pupils_by_january

    stocks, _ = expected_arrays(replace(params, special_places=SpecialPlaces()), TARGET_STEPS_PER_YEAR)
    pupils = pupils_by_january(params.population, range(start_year + 1, start_year + params.horizon + 1))
    sen = stocks[("sen_support", "")]
    return {year: 100.0 * float(sen[year - start_year]) / count for year, count in pupils.items()}


#: Steps a year of the cohort engine's runs that set identification to a share path and
#: compute the held share (:func:`share_target_multipliers`, :func:`carried_share_path`), as
#: the request growth's (:func:`simulation.share_target.requests_for_targets`): monthly. At 52
#: a Gloucestershire 10-year build took 24.5 CPU-s instead of 2.1, for EHC plans in 2035
#: within 0.4% (issue 19 note of 7 December).
TARGET_STEPS_PER_YEAR = 12
#: Rounds at most of :func:`follow_paths` (identification, then requests) when both follow a path.
JOINT_ROUNDS = 8
#: Largest relative change of a projected request multiplier between rounds at which
#: :func:`follow_paths` stops.
JOINT_TOLERANCE = 1e-2


def follow_paths(params: Parameters, baseline_levers, history: LaHistory, calibration: CalibrationResult,
                 start_year: int, share: dict[int, float] | None, plans: dict[int, float] | None,
                 say: bool = True) -> Parameters:
    """``params`` with identification set so the simulated share of pupils on SEN support
    follows ``share`` (January -> %; ``None``: left as carried forward) and requests set so
    the simulated EHC plans follow ``plans`` (January -> children; ``None``: left), both on
    the baseline's levers (``baseline_levers``). The two are solved together: requests
    draw children off SEN support (a higher request rate lowers the share) and
    identification feeds requests (a higher share raises the plans), so identification is
    set with the requests fixed, then the requests with identification fixed (relaxed: the
    geometric mean of the requests found and the round before's), in turn,
    until no projected request multiplier moves by more than :data:`JOINT_TOLERANCE`
    (relative) or after :data:`JOINT_ROUNDS` rounds (logged: the last round's is kept).
    ``say``: warn (once) if the requests kept are on their growth limit."""
    if plans is None:
        if share is not None:
            multipliers = share_target_multipliers(baseline_levers(params), history, calibration, start_year, share)
            params = replace(params, arrivals=replace(params.arrivals, sen_support_multiplier=multipliers))
        return params
    params, on_limit = _follow_paths(params, baseline_levers, history, calibration, start_year, share, plans)
    if on_limit is not None and say:  # once a run, for the requests kept (not for every round of the solve)
        if on_limit == 0:
            log.warning("%s from January %d: the request rate is held at its last fitted year's, the floor of the "
                        "growth set to follow the forecast of EHC plans (following it, requests would fall); the "
                        "simulated EHC plans grow faster than the forecast", history.la_name, start_year)
        else:
            log.warning("%s from January %d: the growth of requests set to follow the forecast of EHC plans is on its "
                        "limit (%+.0f%% a year); the simulated EHC plans %s the forecast", history.la_name,
                        start_year, 100 * (np.exp(on_limit) - 1),
                        "fall short of" if on_limit > 0 else "grow faster than")
    return params


def _follow_paths(params: Parameters, baseline_levers, history: LaHistory, calibration: CalibrationResult,
                  start_year: int, share: dict[int, float] | None, plans: dict[int, float]
                  ) -> tuple[Parameters, float | None]:
    """:func:`follow_paths` with a path of plans: the parameters, and the growth limit the last
    request growth found sits on (``None``: on neither)."""
    previous = None
    on_limit: float | None = None
    for _ in range(JOINT_ROUNDS if share is not None else 1):
        if share is not None:
            multipliers = share_target_multipliers(baseline_levers(params), history, calibration, start_year, share)
            params = replace(params, arrivals=replace(params.arrivals, sen_support_multiplier=multipliers))
        multipliers, on_limit = plans_target_multipliers(baseline_levers(params), history, start_year, plans)
        projected = np.array([v for y, v in sorted(multipliers.items()) if y >= start_year])
        if previous is not None:
            # relaxed: the geometric mean of this round's and the last (the best request growth
            # falls as identification rises, so plain alternation overshoots and settles slowly)
            projected = np.sqrt(projected * previous)
            multipliers.update(zip(sorted(y for y in multipliers if y >= start_year), projected.tolist()))
        params = replace(params, sen_support=replace(params.sen_support, request_multiplier=multipliers))
        if previous is not None:
            moved = float(np.max(np.abs(projected / previous - 1.0)))
            log.debug("%s: request multipliers moved by %.2g at most", history.la_name, moved)
            if moved <= JOINT_TOLERANCE:
                return params, on_limit
        previous = projected
    if share is not None:
        log.info("%s: identification and requests set to follow their paths had not settled after %d rounds",
                 history.la_name, JOINT_ROUNDS)
    return params, on_limit


#: How the request rate is carried forward after the calibration window (issue 19):
#: ``"request_growth"``: the request multiplier grows by its own fitted growth, damped and
#: capped as :func:`trend_choice` chooses on every LA's published requests;
#: ``"forecast_target"``: the multiplier of each projected year is set so the simulated EHC
#: plans (cohort engine, January) follow the forecast engine's central forecast of them from
#: January ``start_year`` (:func:`forecast_plans_path`, :func:`plans_target_multipliers`): the
#: default, chosen out of sample (issue 19 note of 7 December: 13 held-out LAs, origins
#: 2021-2023, median absolute log error four years ahead: EHC plans 0.172 -> 0.083, requests
#: 0.552 -> 0.146, new plans 0.357 -> 0.187; state special worse, 0.081 -> 0.133;
#: ``benchmarks/evidence_plans_target.py``).
PLANS_FORWARD_RULES = ("request_growth", "forecast_target")
PLANS_FORWARD = "forecast_target"


def forecast_plans_path(dataset: Dataset, history: LaHistory, start_year: int, horizon: int) -> dict[int, float]:
    """The forecast engine's central forecast of EHC plans (January ``start_year + 1 ..
    start_year + horizon``) made with the published figures to ``start_year`` only
    (:func:`sendcast.forecasting.one_la.forecast_la` with ``until=start_year``)."""
    return central_forecast(dataset, history, start_year, horizon, "ehcp_total")


def central_forecast(dataset: Dataset, history: LaHistory, start_year: int, horizon: int,
                     measure: str) -> dict[int, float]:
    """The forecast engine's central forecast of ``measure`` (total; year -> value, the years
    after ``start_year`` it forecasts, up to ``start_year + horizon``) made with the published
    figures to ``start_year`` only, its national evidence cut there too
    (:func:`sendcast.forecasting.one_la.forecast_la` with ``until=start_year``; its table is kept
    for the process, :func:`sendcast.forecasting.one_la.central_forecast_table`)."""
    from sendcast.forecasting.one_la import central_forecast_table

    forecast = central_forecast_table(dataset, history.la_code, until=start_year, horizon=horizon)
    rows = forecast[(forecast["measure"] == measure) & (forecast["year"] > start_year)]
    return {int(year): float(mean) for year, mean in zip(rows["year"], rows["mean"])}


def plans_target_multipliers(params: Parameters, history: LaHistory, start_year: int,
                             path: dict[int, float]) -> tuple[dict[int, float], float | None]:
    """The request multiplier (calendar year -> multiplier) that makes the cohort engine's EHC
    plans follow ``path`` (January -> plans), set year by year on ``params`` (the baseline's
    levers) by :func:`simulation.share_target.requests_for_targets` (one yearly growth after
    the last fitted year, within :func:`plans_target_limits`), and the limit that growth
    sits on (the simulated EHC plans then miss the path; ``None``: on neither); kept for the
    process."""
    limits = plans_target_limits()
    key = ("plans", *history_key(history), start_year, params.horizon, repr(params.assessment),
           repr(params.sen_support.request_multiplier), repr(params.arrivals.sen_support_multiplier),
           tuple(sorted(path.items())), limits)
    if key not in _PLANS_TARGETS:
        result = requests_for_targets(params, start_year - 1, path, limits=limits)
        schedule = {int(y): float(v) for y, v in params.sen_support.request_multiplier if y < start_year}
        schedule.update(result.multipliers)
        on_limit = None
        if result.bound_years and result.growth is not None:
            on_limit = min(limits, key=lambda limit: abs(limit - result.growth))
        _PLANS_TARGETS[key] = schedule, on_limit
    schedule, on_limit = _PLANS_TARGETS[key]
    return dict(schedule), on_limit


#: Request multipliers found by :func:`plans_target_multipliers`, and the limit they sit on.
_PLANS_TARGETS: dict[tuple, tuple[dict[int, float], float | None]] = {}


#: How far the request rate the plans target sets may fall or rise (the yearly log growth of the
#: request multiplier after the calibration window, :func:`plans_target_limits`):
#:
#: - ``"both_ways"``: within :data:`simulation.share_target.GROWTH_LIMITS` (-0.3 to +0.3 a year)
#:   (to 7 December 2026);
#: - ``"no_fall"``: from 0 to +0.3: requests per child on SEN support never fall below the last
#:   fitted year's rate;
#: - ``"gentle_fall"``: from -0.1 to +0.3.
#:
#: Why asked (7 December 2026): where the cohort engine's EHC plans grow faster than the forecast
#: engine's with requests held (a large work in hand, few plans ceasing), the one lever the target
#: moves is requests, and it cut them: Hertfordshire from January 2023 chose -0.3 a year, and its
#: requests fell from 2,732 (2022, fitted within 1.4%) to 2,135 and 1,653 in the cohort engine,
#: against 2,849 and 3,343 published; over every LA, the simulated requests of 2023 from that
#: origin were a median 20% below those published (the national checks), where the same rule
#: from 2021 and 2022 was within 3%.
#:
#: Chosen out of sample (``benchmarks/evidence_request_floor.py``, origins 2021-2023, 30
#: replications): ``no_fall``. On the design set (Gloucestershire and its ten neighbours) and a
#: held-out set (every 10th LA) it cut the requests' error one and two years ahead (median
#: absolute log error 0.155 -> 0.130 and 0.221 -> 0.158; held out 0.122 -> 0.122 and 0.181 ->
#: 0.156) but missed the criterion written first on new plans two years ahead (medians 0.283 ->
#: 0.288, held out 0.264 -> 0.311), where the same checks paired moved by a mean of -0.005. A
#: second criterion, on paired means, written before a third set no run had seen (every 10th LA
#: from the 6th, 15 LAs), was met there: mean change of the absolute log error one / two years
#: ahead, requests -0.041 / -0.072, new plans -0.001 / -0.006, EHC plans -0.000 / -0.000, and the
#: 20-week share -0.1 / -0.0 points (three / four years ahead: requests -0.046 / +0.003, new
#: plans -0.015 / -0.001, EHC plans -0.003 / -0.000); requests' 95% bands covered 91% and 88%
#: one and two years ahead, against 79% and 77%.
PLANS_TARGET_FLOORS = {"both_ways": GROWTH_LIMITS[0], "no_fall": 0.0, "gentle_fall": -0.1}
PLANS_TARGET_FLOOR = "no_fall"
#: What the trends line adds about the floor.
FLOOR_WORDS = {"both_ways": "", "gentle_fall": ", falling by at most 10% a year (in logs)",
               "no_fall": ", never below the last fitted year's: where the forecast's plans grow more slowly than "
                          "the model's with requests held, the requests are held and the plans grow faster (chosen "
                          "out of sample, sendcast.scenarios.parameters.PLANS_TARGET_FLOOR)"}


def plans_target_limits() -> tuple[float, float]:
    """The limits of the yearly log growth of the request multiplier the plans target may
    choose (:data:`PLANS_TARGET_FLOOR`)."""
    return PLANS_TARGET_FLOORS[PLANS_TARGET_FLOOR], GROWTH_LIMITS[1]


#: How identification at SEN support is carried forward after the calibration window (issue 19):
#: ``"multiplier_growth"``: the identification multiplier grows by its own fitted growth, damped
#: and capped as :func:`identification_choice` chooses on every LA's published share;
#: ``"share_target"``: the published share of pupils on SEN support is carried forward by that
#: rule, and the multiplier of each projected year is set so the simulated share follows it
#: (:func:`share_path`, :mod:`simulation.share_target`); ``"forecast_target"``: the same, the
#: share following the forecast engine's central forecast of it from January ``start_year``
#: (:func:`forecast_share_path`); ``"held_share"`` (the default, with :data:`PLANS_FORWARD`
#: ``= "forecast_target"``; the same as ``"multiplier_growth"`` without it): the share the
#: multiplier's own damped growth gives with requests carried forward by theirs
#: (:func:`carried_share_path`), kept when requests are raised to follow the forecast of EHC
#: plans (requests take children off SEN support; identification and requests are solved
#: together, :func:`follow_paths`). Chosen out of sample (origins 2021-2023, Gloucestershire and
#: its ten neighbours, then 13 held-out LAs; ``benchmarks/evidence_plans_target.py
#: --identification``): of the four rules with the plans target, the only one whose SEN
#: support share is as good as the request-growth baseline's (held out, median absolute log
#: error four years ahead 0.114 against 0.123; following the forecast engine's share 0.156,
#: the share carried forward 0.151, the multiplier's growth alone 0.227).
IDENTIFICATION_FORWARD_RULES = ("multiplier_growth", "share_target", "forecast_target", "held_share")
IDENTIFICATION_FORWARD = "held_share"
#: A floor under the share of pupils on SEN support identification is set to follow
#: (:data:`IDENTIFICATION_FORWARD`): ``"none"`` (to 7 December 2026) or ``"latest_published"``
#: (never below the share published in the start January). Why asked: with requests raised to
#: follow the forecast of EHC plans, the held share falls where the request rate per child on
#: SEN support grew fast: West Sussex from January 2025, 16.1% (published; 13.7% in 2018) to
#: 5.7% by 2035 in the cohort engine, its children on SEN support 19,706 -> 6,424; over every
#: LA the shipped checks' SEN support share is a median 1.5 points low four years ahead.
#: Evidence: ``benchmarks/evidence_share_floor.py`` (origins 2021-2023, 30 replications, paired
#: over the same checks, criterion written before the runs): the SEN support share's absolute
#: error one to four years ahead fell by a mean of 0.014 / 0.032 / 0.049 / 0.066 points on the
#: design and held-out sets together and 0.010 / 0.025 / 0.023 / 0.021 on a third set, EHC plans,
#: requests and new plans within +0.005 everywhere (the floor binds in few LA-origins of
#: 2021-2023, when shares rose): ``latest_published`` adopted.
SHARE_FLOORS = ("none", "latest_published")
SHARE_FLOOR = "latest_published"


def share_path(history: LaHistory, start_year: int, horizon: int) -> dict[int, float]:
    """The published share of pupils on SEN support (%, January) carried forward from January
    ``start_year`` to ``start_year + horizon`` by the damped-growth rule
    (:func:`simulation.trends.damped_factors`) with the damping and growth cap
    :func:`identification_choice` chooses on every LA's published share to January
    ``start_year``; the growth is the mean yearly change of the log share over the last
    :data:`simulation.trends.GROWTH_YEARS` Januaries to ``start_year`` (fewer if fewer are
    published; none: no growth). Uses no published figure after January ``start_year``."""
    share = history.require("sen_support_pct", start_year)
    damping, cap, _ = identification_choice(history, start_year, trend_choice(history, start_year)[0])
    rows = history.rows[(history.rows["measure"] == "sen_support_pct") & (history.rows["breakdown"] == "")
                        & (history.rows["year"] <= start_year) & (history.rows["value"] > 0)]
    past = rows.set_index("year")["value"].sort_index()
    past = past[past.index >= start_year - GROWTH_YEARS]
    first = int(past.index.min())
    growth = float(np.log(share / past.loc[first]) / (start_year - first)) if first < start_year else 0.0
    factors = damped_factors(float(capped(growth, cap)), damping, horizon)
    return {start_year + k: share * float(factors[k - 1]) for k in range(1, horizon + 1)}


def forecast_share_path(dataset: Dataset, history: LaHistory, start_year: int, horizon: int) -> dict[int, float]:
    """The forecast engine's central forecast of the share of pupils on SEN support (%, January
    ``start_year + 1 .. start_year + horizon``, the years it forecasts) made with the published
    figures to ``start_year`` only (:func:`sendcast.forecasting.one_la.forecast_la` with
    ``until=start_year``, its national evidence cut there too)."""
    return central_forecast(dataset, history, start_year, horizon, "sen_support_pct")


def share_target_multipliers(params: Parameters, history: LaHistory, calibration: CalibrationResult,
                             start_year: int, path: dict[int, float] | None = None) -> dict[int, float]:
    """The identification multiplier (calendar year -> multiplier) that makes the cohort
    engine's children on SEN support follow ``path`` (January -> share %; default
    :func:`share_path`) times the run's residents aged
    4-15 each January (:func:`sendcast.scenarios.validation.pupils_by_january`), set year by
    year on ``params`` (the baseline's levers) by
    :func:`simulation.share_target.identification_for_targets`; kept for the process (about
    5 s for ten years). A year where the multiplier's bound binds is logged."""
    from sendcast.scenarios.validation import pupils_by_january

    path = share_path(history, start_year, params.horizon) if path is None else path
    key = (*history_key(history), start_year, params.horizon, tuple(sorted(calibration.fitted.items())),
           repr(params.assessment), repr(params.sen_support.request_multiplier),
           repr(params.arrivals.sen_support_multiplier), tuple(sorted(path.items())))
    if key not in _SHARE_TARGETS:
        pupils = pupils_by_january(params.population, path)
        targets = {year: share / 100.0 * pupils[year] for year, share in path.items() if year in pupils}
        result = identification_for_targets(params, start_year - 1, targets, steps_per_year=TARGET_STEPS_PER_YEAR)
        if result.bound_years:
            log.warning("%s: identification at SEN support reached its bound (%g-%g times the year before's) in "
                        "%s; the simulated share misses the share carried forward there", history.la_name,
                        *SHARE_BOUNDS, ", ".join(map(str, result.bound_years)))
        schedule = {int(y): float(v) for y, v in params.arrivals.sen_support_multiplier if y < start_year}
        schedule.update(result.multipliers)
        _SHARE_TARGETS[key] = schedule
    return dict(_SHARE_TARGETS[key])


#: Identification multipliers already set by :func:`share_target_multipliers` in this process.
_SHARE_TARGETS: dict[tuple, dict[int, float]] = {}


def trend_rule(history: LaHistory, calibration: CalibrationResult, start_year: int) -> dict[str, float]:
    """The damped-growth rule's inputs (:mod:`simulation.trends`): the request multiplier's
    yearly log growth from the calibration, kept within the growth cap, identification's
    yearly log growth (:func:`simulation.trends.identification_growth`), and the damping, the cap and the damping chosen out of sample on the
    published yearly requests to calendar ``start_year - 1`` (:func:`trend_choice`)."""
    damping, cap, _ = trend_choice(history, start_year)
    identification_damping, identification_cap, _ = identification_choice(history, start_year, damping)
    return {"request_growth": float(capped(multiplier_growth(calibration.fitted, start_year - 1), cap)),
            "identification_growth": float(capped(identification_growth(calibration.fitted, start_year - 1),
                                                  identification_cap)),
            "damping": damping, "identification_damping": identification_damping}


def identification_choice(history: LaHistory, start_year: int, request_damping: float
                          ) -> tuple[float, float | None, str]:
    """The damping and growth cap of identification at SEN support carried forward, and a
    line saying how they were chosen: pooled over every LA's published share of pupils on
    SEN support to January ``start_year`` (:func:`simulation.trends.choose_panel_rule`,
    the series the identification errors of the predictive bands are measured on); the
    requests' damping and no cap when the history carries no panels."""
    panel = None if history.panels is None else history.panels.get("sen_support_pct")
    if panel is not None:
        panel = panel.loc[:, [y for y in panel.columns if int(y) <= start_year]]
        damping, cap, scores = _panel_rule(panel)
        checks = int(scores["checks"].max()) if not scores.empty else 0
        if checks:
            cap_text = f"its growth kept within {cap:.0%} a year (in logs)" if cap is not None else "its growth not capped"
            what = {"share_target": "identification at SEN support set each year so the simulated share of pupils "
                                    "on SEN support follows the published share carried forward",
                    "held_share": "identification at SEN support set each year so the simulated share of pupils on "
                                  "SEN support stays at the share its own growth gives with requests carried "
                                  "forward by theirs (raising requests takes children off SEN support)"
                                  + (", never below the share published in January " + str(start_year)
                                     if SHARE_FLOOR == "latest_published" else "")
                                  + ", that growth carried forward"}.get(IDENTIFICATION_FORWARD,
                                                               "identification at SEN support carried forward")
            if IDENTIFICATION_FORWARD == "forecast_target":
                return damping, cap, ("trends: identification at SEN support set each year so the simulated share "
                                      "of pupils on SEN support follows the forecast engine's forecast of it from "
                                      f"January {start_year}")
            return damping, cap, (f"trends: {what} with damping {damping:g}, "
                                  f"{cap_text}, chosen together out of sample on every LA's published share of "
                                  f"pupils on SEN support to January {start_year} ({checks:,} checks)")
    return request_damping, None, "trends: identification at SEN support carried forward with the requests' damping"


def trends_line(history: LaHistory, start_year: int) -> str:
    """The line saying how requests and identification are carried forward after the
    calibration window (the damped rule's choices, or the targets they follow)."""
    damping, line = damping_choice(history, start_year)
    if PLANS_FORWARD == "forecast_target":
        line = ("trends: requests set so the simulated EHC plans grow as the forecast engine's central forecast of "
                f"them made with the published figures to January {start_year} (one yearly growth of the request "
                f"rate{FLOOR_WORDS[PLANS_TARGET_FLOOR]}; the predictive draws vary around it)")
    return line + "; " + identification_choice(history, start_year, damping)[2].removeprefix("trends: ")


def damping_choice(history: LaHistory, start_year: int) -> tuple[float, str]:
    """The damping of the trend rule and a line saying how it (and the growth cap) was
    chosen (:func:`trend_choice`)."""
    damping, _, line = trend_choice(history, start_year)
    return damping, line


def trend_choice(history: LaHistory, start_year: int) -> tuple[float, float | None, str]:
    """The damping and the request growth cap of the trend rule, and a line saying how they
    were chosen: pooled over every LA's published requests to calendar ``start_year - 1``
    when the history carries the panel (:func:`simulation.trends.choose_panel_rule`), else
    the damping on the LA's own requests (:func:`simulation.trends.choose_damping`) and no
    cap; the LA's own choice of damping is stated beside."""
    rows = history.rows[(history.rows["measure"] == "requests") & (history.rows["breakdown"] == "")
                        & (history.rows["year"] <= start_year - 1)]
    own, own_scores = choose_damping(rows.set_index("year")["value"])
    own_checks = int(own_scores["checks"].max()) if not own_scores.empty else 0
    panel = history.requests_panel
    if panel is not None:
        panel = panel.loc[:, [y for y in panel.columns if int(y) <= start_year - 1]]
        damping, cap, scores = _panel_rule(panel)
        checks = int(scores["checks"].max())
        if checks:
            chosen = scores[(scores["damping"] == damping)
                            & ((scores["growth_cap"] == cap) if cap is not None else scores["growth_cap"].isna())]
            uncapped = scores[scores["growth_cap"].isna()]
            best_uncapped = uncapped.loc[uncapped["mean_abs_log_error"].idxmin()]
            error = float(chosen["mean_abs_log_error"].iloc[0])
            cap_text = (f"request growth kept within {cap:.0%} a year (in logs)" if cap is not None
                        else "request growth not capped")
            return damping, cap, (
                f"trends: request and identification rates carried forward by damped growth, damping {damping:g}, "
                f"{cap_text}, chosen together out of sample on every LA's published requests to {start_year - 1} "
                f"({checks:,} checks 1-{PANEL_HORIZONS} years ahead, mean absolute log error {error:.3f}; with no "
                f"cap the best damping, {best_uncapped['damping']:g}, scores "
                f"{best_uncapped['mean_abs_log_error']:.3f}); {history.la_name}'s own requests alone would choose "
                f"damping {own:g} ({own_checks} checks)")
    how = (f"on {history.la_name}'s own requests ({own_checks} checks)" if own_checks else
           "by default: no origin to score (ILLUSTRATIVE, simulation.trends.DEFAULT_DAMPING)")
    return own, None, (f"trends: request and identification rates carried forward by damped growth, damping {own:g}, "
                       f"chosen {how}; request growth not capped")


#: How the request growth a replication draws is bounded (the engine keeps it within the
#: limits :func:`draw_growth_limits` gives; :func:`simulation.uncertainty.bounded_growth`):
#:
#: - ``"unbounded"``: as the bootstrap draws it (to 7 December 2026);
#: - ``"growth_limits"``: within the calibration's own trend bounds,
#:   :data:`simulation.share_target.GROWTH_LIMITS` (+-0.3 a year in logs), within which the
#:   central growth is chosen;
#: - ``"around_centre"``: within +-0.3 a year (the half-width of ``GROWTH_LIMITS``) of the
#:   central growth;
#: - ``"fewest_requests"``: not drawn (the central growth) where the LA's published requests
#:   over the fitted years the changes come from average fewer than
#:   :data:`FEWEST_REQUESTS_DRAWN` a year, unbounded elsewhere.
#:
#: Why asked: for the smallest LAs the yearly changes the draw resamples are mostly counting
#: noise (City of London, a handful of requests a year: changes of +2.4 and -2.5), so an
#: unbounded draw compounded to tens of times the requests (simulated EHC plans in January
#: 2035: mean 244, 95% 18-719, from 26). Evidence, out of sample on the smallest LAs and a
#: second set (``benchmarks/evidence_small_la_draws.py``, 7 December 2026): every bound lost
#: coverage of the requests' 95% bands one to four years ahead (City of London's published
#: requests, 1, 11, 2, 5, are covered only by bands many times the count wide), so none met
#: the criterion set before the runs and the draws stay unbounded; ``"fewest_requests"``
#: (City of London and the Isles of Scilly only) gave City of London's January 2035 EHC
#: plans 80 (37-154) instead.
DRAW_GROWTH_RULES = ("unbounded", "growth_limits", "around_centre", "fewest_requests")
DRAW_GROWTH_RULE = "unbounded"
#: Below this many requests a year the counting noise of one yearly log change of requests
#: (Poisson: standard deviation about sqrt(2 / n)) exceeds the largest growth the
#: calibration allows, ``GROWTH_LIMITS[1]`` (0.3): 2 / 0.3 ** 2, about 22.
FEWEST_REQUESTS_DRAWN = 2.0 / GROWTH_LIMITS[1] ** 2


def draw_growth_limits(history: LaHistory, start_year: int, growth: float,
                       rule: str | None = None) -> tuple[float, float] | None:
    """The limits the request growth a replication draws is kept within under ``rule``
    (default :data:`DRAW_GROWTH_RULE`; see there), for a run from January ``start_year``
    whose central yearly log growth is ``growth``; ``None``: not bounded."""
    rule = DRAW_GROWTH_RULE if rule is None else rule
    if rule not in DRAW_GROWTH_RULES:
        raise SetupError(f"draw growth rule {rule!r} is not one of {', '.join(DRAW_GROWTH_RULES)}")
    if rule == "growth_limits":
        return GROWTH_LIMITS
    if rule == "around_centre":
        half = (GROWTH_LIMITS[1] - GROWTH_LIMITS[0]) / 2
        return (growth - half, growth + half)
    if rule == "fewest_requests":
        requests = fitted_requests(history, start_year)
        if not requests.empty and float(requests.mean()) < FEWEST_REQUESTS_DRAWN:
            return (growth, growth)
    return None


def fitted_requests(history: LaHistory, start_year: int) -> pd.Series:
    """The LA's published requests (calendar years, by year) over the fitted years the
    drawn request growth's changes come from (the :data:`GROWTH_YEARS` before ``start_year``)."""
    rows = history.rows[(history.rows["measure"] == "requests") & (history.rows["breakdown"] == "")
                        & history.rows["year"].between(start_year - 1 - GROWTH_YEARS, start_year - 1)]
    return rows.set_index("year")["value"]


def counting_noise_note(history: LaHistory, start_year: int) -> str | None:
    """A caution for an LA whose published requests over the fitted years average fewer than
    :data:`FEWEST_REQUESTS_DRAWN` a year (City of London, Isles of Scilly): the request growth
    each replication draws is then mostly counting noise, compounded over the run; ``None``
    otherwise."""
    requests = fitted_requests(history, start_year)
    if requests.empty or float(requests.mean()) >= FEWEST_REQUESTS_DRAWN:
        return None
    return (f"bands: {history.la_name} published {float(requests.mean()):.0f} requests a year on average "
            f"({int(requests.index.min())}-{int(requests.index.max())}), fewer than {FEWEST_REQUESTS_DRAWN:.0f}: the "
            "request growth each replication draws is then mostly counting noise, so the bands a few years out are "
            "very wide and the mean sits well above the typical run (City of London, January 2035: mean 244, 80 with "
            "no growth drawn, measured 7 December 2026; benchmarks/evidence_small_la_draws.py). Treat this LA's "
            "later years as illustrative")


#: A latest refusal rate below this fraction of the LA's own rate over the years before it is
#: said (:func:`refusal_change_note`).
REFUSAL_DROP = 1 / 3
#: Years before the latest the earlier refusal rate pools.
REFUSAL_YEARS_BEFORE = 4


def withheld_requests_note(checks: pd.DataFrame | None, history: LaHistory, start_year: int) -> str | None:
    """The LA's years of requests the data build withheld as a collapse in the return
    (:func:`sendcast.data.checks.collapsed_requests`) that the run could read (calendar years
    before January ``start_year``), in words; ``None`` when there are none."""
    if checks is None or checks.empty:
        return None
    rows = checks[(checks["check"] == "requests_collapse") & (checks["la_code"] == history.la_code)
                  & (checks["year"] < start_year)]
    if rows.empty:
        return None
    said = "; ".join(f"{int(r.year)} ({float(r.found):,.0f} published against {float(r.expected):,.0f} the year "
                     "before it was published, and fewer than that year's new plans)"
                     for r in rows.sort_values("year").itertuples())
    return (f"data: {history.la_name}'s requests for {said} withheld as a collapse in the return; the run reads "
            "those years as missing (sendcast data build lists every one)")


def refusal_change_note(history: LaHistory, start_year: int) -> str | None:
    """A caution where the share of requests refused in the last fitted year (calendar
    ``start_year - 1``) is below :data:`REFUSAL_DROP` of the LA's own share over the
    :data:`REFUSAL_YEARS_BEFORE` years before it (at least 5% then, at least 50 requests in
    the last year); ``None`` otherwise. The run carries the last year's refusal rate forward
    (:func:`simulation.calibration.estimate_rates`), so almost every request is then assessed
    and the undecided requests of those years sit in the starting backlog: Plymouth refused 0
    of 895 requests in 2023 and 1 of 1,176 in 2024, against 26% over 2019-2022; its run's
    new plans came to 1.05 times its requests and its EHC plans grew fourfold by 2035 (the
    national simulation of 7 December 2026). Whether refusals were returned in the
    person-level collection is for the LA to check; the note does not change the run."""
    rows = history.rows[(history.rows["breakdown"] == "") & history.rows["measure"].isin(["requests", "requests_refused"])
                        & history.rows["year"].between(start_year - 1 - REFUSAL_YEARS_BEFORE, start_year - 1)]
    table = rows.pivot_table(index="year", columns="measure", values="value").dropna()
    last = start_year - 1
    if last not in table.index or {"requests", "requests_refused"} - set(table.columns):
        return None
    before = table[table.index < last]
    if before.empty or table.loc[last, "requests"] < 50 or before["requests"].sum() <= 0:
        return None
    share_before = float(before["requests_refused"].sum() / before["requests"].sum())
    share_last = float(table.loc[last, "requests_refused"] / table.loc[last, "requests"])
    if share_before < 0.05 or share_last >= REFUSAL_DROP * share_before:
        return None
    return (f"refusals: {history.la_name} refused {table.loc[last, 'requests_refused']:,.0f} of "
            f"{table.loc[last, 'requests']:,.0f} requests in {last} ({share_last:.1%}) against {share_before:.0%} in "
            f"{int(before.index.min())}-{int(before.index.max())}; the run carries the latest year's rate forward, so "
            "almost every request is assessed and the requests left undecided sit in its starting backlog: its new "
            "plans come close to its requests. Check whether the LA's refusals were returned to SEN2 before trusting "
            "its plans")


def parameter_draws(params: Parameters, history: LaHistory, calibration: CalibrationResult, start_year: int,
                    seed: int, replications: int, *, trends: str = "damped",
                    spread: PredictiveSpread | None | bool = True) -> list[Parameters]:
    """One :class:`simulation.Parameters` per replication ``0 .. replications - 1``, with the
    request growth and the capacity response drawn by bootstrap over the fitted years and
    requests, identification, conversion and the placement mix drawn with the spread of
    their out-of-sample errors before ``start_year`` (:mod:`simulation.uncertainty`; the
    ``parameter_draw`` stream of ``(seed, r)``, so a scenario and its baseline built from
    the same calibration draw the same). ``trends = "held"``: the request growth and
    identification are not drawn (they are not carried forward). ``spread``: ``True``
    measures it (:func:`predictive_spread`, at ``params``; pass the baseline's to a
    scenario so that both draw the same), ``False``/``None`` draws the bootstrap only."""
    rule = trend_rule(history, calibration, start_year)
    if spread is True:
        spread = draw_spread(params, history, calibration, start_year, trends=trends)
    elif spread is False:
        spread = None
    changes = multiplier_changes(calibration.fitted, start_year - 1) if trends == "damped" else None
    growth, damping = rule["request_growth"], rule["damping"]
    if PLANS_FORWARD == "forecast_target" and trends == "damped":
        # requests set to follow the forecast of EHC plans (one undamped growth): the draws
        # vary around that growth, so the central run is the run the target made
        schedule = params.sen_support.request_multiplier
        growth = float(np.log(schedule_values(schedule, start_year, 1)[0]
                              / schedule_values(schedule, start_year - 1, 1)[0]))
        damping = 1.0
    if changes is not None and changes.size:
        # the bootstrap is centred on the capped growth: the changes shifted so their mean is it
        changes = changes - (float(changes.mean()) - growth)
    shares = response_shares(history, start_year, params.assessment)
    limits = draw_growth_limits(history, start_year, growth)
    draws = [draw_parameters(params, stream(seed, r, "parameter_draw"), last_fitted_year=start_year - 1,
                             request_changes=changes,
                             identification_growth=(None if IDENTIFICATION_FORWARD != "multiplier_growth"
                                                    else rule["identification_growth"]),
                             damping=damping, identification_damping=rule["identification_damping"],
                             response_shares=shares, spread=spread, request_growth_limits=limits)
             for r in range(replications)]
    fit = known_fit(duration_key(history, start_year))
    if spread is None or fit is None:
        return draws
    timeliness = timeliness_changes(history.panels, start_year)
    return [draw_durations(draw, fit, timeliness, stream(seed, r, "assessment_durations"))
            for r, draw in enumerate(draws)]


def draw_spread(params: Parameters, history: LaHistory, calibration: CalibrationResult, start_year: int, *,
                trends: str = "damped") -> PredictiveSpread | None:
    """The spread of the predictive draws of a run of ``params`` from January
    ``start_year`` (:func:`sendcast.scenarios.predictive.predictive_spread` on the history's
    panels, cut at ``start_year``); ``None`` when the history carries no panels."""
    return predictive_spread(history.panels, params, start_year, la_code=history.la_code, trends=trends == "damped")


#: First calendar year of the capacity response estimate (issue 19: 2019 on; before it the
#: service kept up, so completions measured demand, not the response to a backlog).
RESPONSE_FROM = 2019


def assessment_flows(history: LaHistory, first_year: int, last_year: int) -> pd.DataFrame:
    """The published assessment flows (calendar years ``first_year .. last_year``) as
    calibration targets (``measure, breakdown, year, value``)."""
    rows = history.rows[(history.rows["breakdown"] == "") & history.rows["measure"].isin(FLOW_MEASURES)
                        & history.rows["year"].between(first_year, last_year)]
    return rows[["measure", "breakdown", "year", "value"]]


def assessment_capacity(history: LaHistory, start_year: int, assessment: Assessment, in_assessment: float,
                        rule: str = "responsive", funded: float | None = None) -> tuple[Assessment, float | None]:
    """The run's assessment capacity and the age of the starting backlog (weeks).

    - ``responsive`` (the baseline): ``capacity_response`` is the mean over calendar years
      :data:`RESPONSE_FROM` to ``start_year - 1`` of the completed assessments over the
      work in hand (:func:`simulation.estimate_rates`); the first year's capacity is that
      share of the work in hand on the start day (``in_assessment`` plus the decisions to
      assess of the year before), reached by partial adjustment from the assessments
      completed the year before, as every later year's (``capacity_adjustment``, chosen
      out of sample: :func:`capacity_adjustment_choice`). ``funded`` (a scenario's
      ``capacity_per_year``): a floor.
    - ``frozen`` (a scenario): capacity held at the last year's estimated capacity (what
      the service completed, or could have: :func:`simulation.estimate_rates`), or at ``funded``.

    Where the year before's decisions to assess are not published, the latest published
    year's stand in for them (in the work in hand and the backlog's dating). The backlog's
    requests are dated evenly over ``52 x backlog / decisions to assess of the year
    before`` weeks (a backlog served in turn holds the last that many weeks of
    demand); ``None`` when the flows are not published.
    """
    estimates = estimate_rates(assessment_flows(history, FIRST_CALIBRATION_YEAR, start_year - 1),
                               assessment.decision_weeks_mean + assessment.assessment_weeks_mean,
                               assessment.withdrawal_probability)
    if estimates.empty:
        return assessment, None
    last = estimates.iloc[-1]
    # the year before's decisions to assess, or the latest published (a withheld return,
    # Isle of Wight's 2024 requests: the service responds to the demand last known, not frozen)
    known = estimates["decisions_to_assess"].dropna()
    decided = float(known.iloc[-1]) if not known.empty else np.nan
    weeks_open = float(np.clip(52.0 * in_assessment / decided, 1.0, 208.0)) if decided > 0 else None
    today = estimates["assessment_capacity"].dropna()
    adjustment = capacity_adjustment_choice(history, start_year)[0]  # unused when frozen; kept so the two rules
    # differ only in the capacity they set
    if rule == "frozen" or not np.isfinite(decided):
        level = float(funded) if funded is not None else (float(today.iloc[-1]) if not today.empty else None)
        return replace(assessment, capacity_per_year=level, capacity_response=None,
                       capacity_adjustment=adjustment), weeks_open
    response = estimates.loc[estimates["year"] >= RESPONSE_FROM, "capacity_response"].dropna()
    if response.empty:
        raise SetupError(f"{history.la_name}: no completed assessments against requests published from "
                         f"{RESPONSE_FROM} to {start_year - 1}; use capacity_rule = \"frozen\"")
    share = float(response.mean())
    first = share * (in_assessment + decided)
    completed = float(last["assessments"]) if np.isfinite(last["assessments"]) else 0.0
    if completed > 0 and first > 0:
        first = float(adjusted(completed, first, adjustment))
    # at least one assessment a year (the engine's floor): an LA of a few children can have
    # less than one in hand (Isles of Scilly from January 2023: 0.77)
    schedule = {start_year: max(first, float(funded or 0.0), 1.0), start_year + 1: float(funded or 1.0)}
    return replace(assessment, capacity_per_year=schedule, capacity_response=share,
                   capacity_adjustment=adjustment), weeks_open


#: Decision plus assessment weeks of a service keeping up, for the national panel's
#: starting backlogs (:func:`capacity_adjustment_choice`): the defaults of
#: :class:`simulation.parameters.Assessment` (ILLUSTRATIVE), the same for every LA so that
#: every LA's run chooses the same adjustment.
PIPELINE_WEEKS = Assessment().decision_weeks_mean + Assessment().assessment_weeks_mean


def capacity_adjustment_choice(history: LaHistory, start_year: int,
                               pipeline_weeks: float = PIPELINE_WEEKS) -> tuple[float, str]:
    """How far a responsive assessment service moves toward its target in a year
    (:mod:`simulation.capacity_adjustment`), chosen on every LA's published flows to
    calendar ``start_year - 1`` (the history's panels, cut at the origin) by projecting
    each candidate 1 to :data:`~simulation.capacity_adjustment.HORIZONS` years ahead from
    every past origin, as a run applies it; and a line saying so. At once (1) when the
    history carries no panels or nothing can be scored."""
    panels = history.assessment_panels
    if panels is None:
        return DEFAULT_ADJUSTMENT, "assessment capacity: moves to its target at once (no national panel to choose on)"
    keep = {name: table.loc[:, [y for y in table.columns if int(y) <= start_year - 1]] for name, table in panels.items()}
    paths = years_ahead(keep["decided"], keep["assessed"], response_from=RESPONSE_FROM, pipeline_weeks=pipeline_weeks)
    adjustment, scores = choose_adjustment_ahead(paths)
    if paths.empty:
        return adjustment, ("assessment capacity: moves to its target at once (ILLUSTRATIVE: no year before "
                            f"{start_year} to choose the adjustment on)")
    row = scores[scores["capacity_adjustment"] == adjustment].iloc[0]
    at_once = scores[scores["capacity_adjustment"] == 1.0].iloc[0]
    reach = int(paths["horizon"].max())
    ahead = "one year ahead" if reach == 1 else f"1 to {reach} years ahead"
    return adjustment, (f"assessment capacity: each year moves {adjustment:g} of the way (in logs) from the "
                        f"assessments completed the year before to the share of the work in hand, chosen {ahead} "
                        f"on every LA's published flows to {start_year - 1} ({int(row['checks']):,} checks, mean "
                        f"absolute log error {row['mean_abs_log_error']:.3f} averaged over the years ahead; at once: "
                        f"{at_once['mean_abs_log_error']:.3f})")


#: Requests withdrawn after a decision to assess (SEN2 publishes none): ``"none"`` (every
#: decision to assess stays in hand until completed: the starting backlog is the flow balance
#: of decisions to assess less completed assessments since 2016) or ``"estimated"`` (a share
#: of the decisions to assess is withdrawn, estimated on every LA's flows where the service
#: kept up, :mod:`simulation.withdrawals`: the flow balance, the work in hand behind the
#: capacity response and the run's decisions are net of it). See :func:`withdrawal_choice`.
#: Tried out of sample on 7 December 2026 and turned down (``benchmarks/evidence_withdrawals.py``,
#: 10 replications): on Gloucestershire's ten neighbours the 20-week share erred 24.9 points
#: one year ahead against 14.9 (bias +25); held out (13 LAs) 20.4 against 18.0 one year ahead,
#: better only three and four years ahead (15.5 against 19.4), state special worse then.
WITHDRAWALS = "none"
WITHDRAWALS_RULES = ("estimated", "none")


def withdrawal_choice(history: LaHistory, start_year: int) -> tuple[float, str]:
    """The share of decisions to assess withdrawn before an outcome in a run from January
    ``start_year`` (:attr:`simulation.parameters.Assessment.withdrawal_probability`) and a
    line saying how it was set: 0 under :data:`WITHDRAWALS` ``= "none"``; else pooled on
    every LA's published flows and 20-week shares to calendar ``start_year - 1`` (the
    history's panels, cut at the origin: time-respecting), 0 when nothing can be pooled."""
    if WITHDRAWALS not in WITHDRAWALS_RULES:
        raise SetupError(f"WITHDRAWALS {WITHDRAWALS!r}; allowed: {', '.join(WITHDRAWALS_RULES)}")
    if WITHDRAWALS == "none":
        return 0.0, "withdrawn requests: none (every decision to assess stays in hand until completed)"
    flows, panels = history.assessment_panels, history.panels
    timely = None if panels is None else panels.get(TIMELINESS)
    if flows is None or timely is None:
        return 0.0, "withdrawn requests: none (no national panel to estimate them on)"
    share, years = withdrawal_rate(flows["decided"], flows["assessed"], timely, start_year - 1)
    if share is None:
        return 0.0, f"withdrawn requests: none (no LA kept up two years running to {start_year - 1})"
    return share, (f"withdrawn requests: {100 * share:.1f}% of decisions to assess (ASSUMPTION: the same in every LA; "
                   f"estimated as 1 - completed / decided over {years:,} LA-years to {start_year - 1} where at least "
                   f"{KEEPING_UP_PCT:g}% of plans were issued within 20 weeks that year and the year before)")


#: The assessments under way at the start of a run: ``"flow_balance"`` (the flow balance of
#: :func:`open_assessments`, their requests dated evenly over the weeks of decisions it holds)
#: or ``"timeliness"`` (as many weeks of the year before's decisions to assess as make the
#: run's first calendar year issue the share within 20 weeks published for the year before,
#: :func:`simulation.timeliness.fit_starting_backlog`, the first year's capacity as the flow
#: balance sets it; the flow balance where no share is published). See
#: :func:`starting_backlog_weeks`. Tried out of sample on 7 December 2026 and turned down
#: (``benchmarks/evidence_withdrawals.py``, rule ``none+start``, 10 replications): held out
#: (13 LAs) the share one year ahead erred 14.7 points against 18.0, but 25.1/24.0 against
#: 18.9/19.4 three and four years ahead, new plans 0.195 against 0.144 one year ahead, requests
#: worse; on the ten neighbours 17.2 against 14.9 one year ahead.
#: ``"timeliness_completions"``: the start read off the share as under ``"timeliness"``, plus
#: as many more children in hand, as young, as make the first year's plans about the last
#: published year's (:func:`matched_extra`). Tried out of sample the same day and turned down
#: (rule ``none+match``, 10 replications): it gives back new plans one year ahead (held out
#: 0.151 against 0.182 under ``"timeliness"``, 0.135 under the flow balance) but the extra
#: cases queue, and the 20-week share's gain is lost (held out 19.5 points, bias -12.9, against
#: 15.9 and 19.0; two years ahead 27.9 against 21.6 and 20.1).
#: ``"timeliness_capacity"``: the start read off the share as under ``"timeliness"`` and the
#: first year's assessment capacity set with it, so that the first year issues both the share
#: and the plans of :func:`matched_target_plans` (no children added in hand); the capacity
#: response re-estimated with the backlog of each past year read off the share published the
#: year before (:func:`capacity_start`). Tried out of sample on 7 December 2026 and turned down
#: (``benchmarks/evidence_capacity_start.py``, variants :data:`CAPACITY_START_RESPONSE` and
#: :data:`CAPACITY_START_PLANS`): every variant cut the 20-week share's error one year ahead on
#: both held-out sets (the best-balanced, response ``"steady"``, 30 replications: 16.9 against
#: 17.9 points and 14.6 against 20.8) but new plans one year ahead were worse on both beyond the
#: tolerance set beforehand (0.01: 0.178 against 0.153 and 0.191 against 0.171); the response
#: re-estimated on history (``"history"``) lets the queue grow after the first year (held out,
#: four years ahead, 34.1 against 20.4 points at 10 replications), and on Gloucestershire's
#: neighbours every variant's share was worse one year ahead (17.5-18.8 against 14.4).
START_BACKLOG = "flow_balance"
START_BACKLOG_RULES = ("flow_balance", "timeliness", "timeliness_completions", "timeliness_capacity")
#: Replications of the first year per point of the backlog's curve (:func:`starting_backlog_weeks`).
START_REPLICATIONS = 2
_STARTS: dict[tuple, float | None] = {}


def _decided_before(history: LaHistory, start_year: int, assessment: Assessment) -> float:
    """Decisions to assess in calendar ``start_year - 1`` (requests less refusals, net of the
    share withdrawn, :attr:`Assessment.withdrawal_probability`; 0 when not published)."""
    requests = history.total("requests", start_year - 1)
    if requests is None:
        return 0.0
    decided = requests - (history.total("requests_refused", start_year - 1) or 0.0)
    return max(decided * (1.0 - assessment.withdrawal_probability), 0.0)


def starting_backlog_weeks(history: LaHistory, start_year: int, as_things_stand: Parameters) -> float | None:
    """Weeks of the year before's decisions to assess in hand on the start day under
    :data:`START_BACKLOG` ``= "timeliness"``: read off the first-year share of the LA as things
    stand (``as_things_stand``: the baseline's levers and capacity) at each of
    :data:`simulation.timeliness.BACKLOG_WEEKS_GRID` to the share published for calendar
    ``start_year - 1`` (a fixed seed and horizon: a property of the LA's history, the same
    for a scenario and its baseline). ``None`` (keep the flow balance) under
    ``"flow_balance"``, or where no share or no decisions are published for that year."""
    if START_BACKLOG not in START_BACKLOG_RULES:
        raise SetupError(f"START_BACKLOG {START_BACKLOG!r}; allowed: {', '.join(START_BACKLOG_RULES)}")
    if START_BACKLOG not in ("timeliness", "timeliness_completions"):  # "timeliness_capacity": capacity_start
        return None
    key = (*duration_key(history, start_year), WITHDRAWALS)  # the same weeks under both share rules
    if key not in _STARTS:
        target = published_share(history.rows, start_year)
        decided = _decided_before(history, start_year, as_things_stand.assessment)
        if target is None or decided <= 0:
            _STARTS[key] = None
        else:
            short = replace(as_things_stand, horizon=min(FIT_HORIZON, as_things_stand.horizon))
            _STARTS[key] = fit_starting_backlog(short, target, decided, FIT_SEED, START_REPLICATIONS).weeks
    return _STARTS[key]


_EXTRAS: dict[tuple, float] = {}
#: The growth of decisions to assess carried into the first year's target plans is kept within
#: these ratios (an ASSUMPTION: a year's swing in decisions is rarely beyond them).
MATCH_GROWTH_LIMITS = (0.8, 1.25)


def matched_target_plans(history: LaHistory, start_year: int) -> float | None:
    """Plans the run's first calendar year (``start_year``) is to issue under
    :data:`START_BACKLOG` ``= "timeliness_completions"``: the new plans published for calendar
    ``start_year - 1`` times the growth of decisions to assess (requests less refusals) from
    calendar ``start_year - 2`` to ``start_year - 1``, kept within
    :data:`MATCH_GROWTH_LIMITS` (1 where either year is not published); ``None`` where the
    year before's new plans are not published."""
    plans = history.total("new_plans", start_year - 1)
    if plans is None:
        return None
    growth = 1.0
    decided = [(history.total("requests", y) or 0.0) - (history.total("requests_refused", y) or 0.0)
               for y in (start_year - 2, start_year - 1)]
    if history.total("requests", start_year - 2) is not None and decided[0] > 0 and decided[1] > 0:
        growth = float(np.clip(decided[1] / decided[0], *MATCH_GROWTH_LIMITS))
    return float(plans) * growth


def matched_extra(history: LaHistory, start_year: int, weeks: float, params: Parameters) -> float:
    """Children added in hand on the start day (beyond ``weeks`` of the year before's
    decisions to assess) under :data:`START_BACKLOG` ``= "timeliness_completions"``, so that
    the run's first calendar year issues about :func:`matched_target_plans` plans
    (:func:`simulation.timeliness.with_matched_completions`, on ``params``' first years, the
    fitting seed); 0 under any other rule or where no target is published. Cached with the
    starting weeks (a property of the LA's history, the same for a scenario and its baseline)."""
    if START_BACKLOG != "timeliness_completions":
        return 0.0
    key = (*duration_key(history, start_year), WITHDRAWALS)
    if key not in _EXTRAS:
        target = matched_target_plans(history, start_year)
        decided = _decided_before(history, start_year, params.assessment)
        if target is None or decided <= 0:
            _EXTRAS[key] = 0.0
        else:
            short = replace(params, horizon=min(FIT_HORIZON, params.horizon))
            _EXTRAS[key] = with_matched_completions(short, weeks, decided, target, FIT_SEED, START_REPLICATIONS)[1]
    return _EXTRAS[key]


@dataclass(frozen=True)
class CapacityStart:
    """Under :data:`START_BACKLOG` ``= "timeliness_capacity"``: the weeks of the year before's
    decisions to assess in hand on the start day and the first calendar year's assessment
    capacity (completions a year), fitted together (``fit``); ``responses``: the capacity
    response of each calendar year from :data:`RESPONSE_FROM` with its backlog read off the
    share published the year before (``years``: their calendar years), and ``response``
    their mean (``None``: none could be estimated; the flow balance's is kept)."""

    weeks: float
    capacity: float
    response: float | None
    years: tuple[int, ...]
    responses: tuple[float, ...]
    fit: StartCapacityFit


_CAPACITY_STARTS: dict[tuple, CapacityStart | None] = {}
#: Under ``"timeliness_capacity"``, the capacity response of the run (variants measured side by
#: side, ``benchmarks/evidence_capacity_start.py``): ``"history"`` (the mean over 2019 to the
#: year before the origin with each year's backlog read off the share published the year before:
#: :func:`corrected_response_series`), ``"steady"`` (the fitted start kept steady: the first
#: year's capacity over the fitted backlog plus the year before's decisions to assess) or
#: ``"flow_balance"`` (the flow balance's, as without the option).
CAPACITY_START_RESPONSE = "history"
CAPACITY_START_RESPONSES = ("history", "steady", "flow_balance")
#: Under ``"timeliness_capacity"``, the plans the first year is to issue: ``"published"``
#: (:func:`matched_target_plans`: last year's new plans x the growth of decisions to assess) or
#: ``"as_is"`` (what the first year issues from the flow balance's start and capacity, the
#: current rule: its throughput kept, the share read off last year's).
CAPACITY_START_PLANS = "published"
CAPACITY_START_PLANS_RULES = ("published", "as_is")


def corrected_response_series(history: LaHistory, start_year: int, assessment: Assessment,
                              fit: StartCapacityFit) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Calendar years :data:`RESPONSE_FROM` to ``start_year - 1`` and their capacity response
    (completed assessments over the work in hand on 1 January) with the backlog of each year
    read off the share within 20 weeks published the year before, on the LA's curve at the
    origin (``fit.backlog``; :func:`simulation.timeliness.corrected_responses`), only flows and
    shares to ``start_year - 1`` (time-respecting). Years where a flow or the share is not
    published are left out."""
    estimates = estimate_rates(assessment_flows(history, FIRST_CALIBRATION_YEAR, start_year - 1),
                               assessment.decision_weeks_mean + assessment.assessment_weeks_mean,
                               assessment.withdrawal_probability)
    if estimates.empty:
        return (), ()
    table = estimates.set_index("year")
    years = np.array([y for y in table.index if RESPONSE_FROM <= y <= start_year - 1], dtype=int)
    completed = table["assessments"].reindex(years).to_numpy(float)
    decided = table["decisions_to_assess"].reindex(years - 1).to_numpy(float)
    shares = np.array([np.nan if (v := published_share(history.rows, int(y))) is None else v for y in years])
    responses = corrected_responses(completed, decided, shares, fit.backlog)
    keep = np.isfinite(responses)
    return tuple(int(y) for y in years[keep]), tuple(float(r) for r in responses[keep])


def capacity_start(history: LaHistory, start_year: int, as_things_stand: Parameters) -> CapacityStart | None:
    """The start and the first year's capacity under :data:`START_BACKLOG` ``=
    "timeliness_capacity"`` (:func:`simulation.timeliness.fit_start_and_capacity` on the LA as
    things stand, its first years, the fitting seed): the first calendar year ``start_year``
    issues the share within 20 weeks published for ``start_year - 1`` and
    :func:`matched_target_plans` plans, the backlog correctly dated (weeks of the year before's
    decisions to assess) and the capacity, not phantom cases, supplying the plans. The capacity
    response is re-estimated off the corrected backlogs (:func:`corrected_response_series`).
    ``None`` under any other rule, where the share, the new plans or the decisions of
    ``start_year - 1`` are not published, or the service's capacity is not responsive.
    Cached by history and start (the same for a scenario and its baseline)."""
    if START_BACKLOG != "timeliness_capacity":
        return None
    if CAPACITY_START_RESPONSE not in CAPACITY_START_RESPONSES or CAPACITY_START_PLANS not in CAPACITY_START_PLANS_RULES:
        raise SetupError(f"CAPACITY_START_RESPONSE {CAPACITY_START_RESPONSE!r} (allowed: "
                         f"{', '.join(CAPACITY_START_RESPONSES)}), CAPACITY_START_PLANS {CAPACITY_START_PLANS!r} "
                         f"(allowed: {', '.join(CAPACITY_START_PLANS_RULES)})")
    key = (*duration_key(history, start_year), WITHDRAWALS, CAPACITY_START_RESPONSE, CAPACITY_START_PLANS)
    if key not in _CAPACITY_STARTS:
        target = published_share(history.rows, start_year)
        a = as_things_stand.assessment
        short = replace(as_things_stand, horizon=min(FIT_HORIZON, as_things_stand.horizon))
        plans = (matched_target_plans(history, start_year) if CAPACITY_START_PLANS == "published"
                 else first_year_plans(short, FIT_SEED, START_REPLICATIONS))
        decided = _decided_before(history, start_year, a)
        if target is None or plans is None or decided <= 0 or a.capacity_per_year is None or a.capacity_response is None:
            _CAPACITY_STARTS[key] = None
        else:
            fit = fit_start_and_capacity(short, target, plans, decided, FIT_SEED, START_REPLICATIONS)
            years, responses = corrected_response_series(history, start_year, a, fit)
            if CAPACITY_START_RESPONSE == "flow_balance":
                response, years, responses = None, (), ()
            elif CAPACITY_START_RESPONSE == "steady":
                response = float(np.clip(fit.capacity / (decided * (1.0 + fit.weeks / 52.0)), 1e-3, 5.0))
                series = response_shares(history, start_year, a, flow_balance=True)
                if series is not None and series.size and np.mean(series) > 0:  # the draws: its spread round it
                    responses = tuple(float(v) for v in series * response / float(np.mean(series)))
                else:
                    responses = ()
            else:
                response = float(np.clip(np.mean(responses), 1e-3, 5.0)) if responses else None
            _CAPACITY_STARTS[key] = CapacityStart(fit.weeks, fit.capacity, response, years, responses, fit)
    return _CAPACITY_STARTS[key]


def with_fitted_capacity(assessment: Assessment, start: CapacityStart, funded: float | None = None) -> Assessment:
    """``assessment`` (responsive) with the first year's capacity of ``start`` (at least
    ``funded``, a scenario's floor) and its re-estimated capacity response (the one given when
    none could be estimated)."""
    schedule = list(assessment.capacity_per_year)
    schedule[0] = (schedule[0][0], max(start.capacity, float(funded or 0.0), 1.0))
    response = start.response if start.response is not None else assessment.capacity_response
    return replace(assessment, capacity_per_year=tuple(schedule), capacity_response=response)


def response_shares(history: LaHistory, start_year: int, assessment: Assessment,
                    flow_balance: bool = False) -> np.ndarray | None:
    """The yearly capacity responses the predictive draws bootstrap (:func:`parameter_draws`):
    the re-estimated ones of :func:`capacity_start` when it was fitted for this history and
    start (and ``flow_balance`` is False), else the flow balance's
    (:func:`simulation.estimate_rates`, :data:`RESPONSE_FROM` on)."""
    start = _CAPACITY_STARTS.get((*duration_key(history, start_year), WITHDRAWALS, CAPACITY_START_RESPONSE,
                                  CAPACITY_START_PLANS))
    if not flow_balance and START_BACKLOG == "timeliness_capacity" and start is not None and start.response is not None:
        return np.asarray(start.responses, dtype=float)
    estimates = estimate_rates(assessment_flows(history, FIRST_CALIBRATION_YEAR, start_year - 1),
                               assessment.decision_weeks_mean + assessment.assessment_weeks_mean,
                               assessment.withdrawal_probability)
    if estimates.empty:
        return None
    return estimates.loc[estimates["year"] >= RESPONSE_FROM, "capacity_response"].dropna().to_numpy()


def baseline_path(chain: list[Path]) -> Path:
    """The baseline of a scenario: the root of its ``based_on`` chain (as returned by
    :func:`sendcast.scenarios.files.load_scenario`; a scenario with no ``based_on`` is its own)."""
    if not chain:
        raise InputError("scenario", "a chain of at least one scenario file")
    return chain[-1]


def changed_fields(baseline: Parameters, scenario: Parameters) -> list[str]:
    """Dotted names of the parameters in which ``scenario`` differs from ``baseline``
    (e.g. ``assessment.capacity_per_year``): what the scenario changes, for the manifest
    and to check that nothing else does."""
    out: list[str] = []

    def walk(a: object, b: object, name: str) -> None:
        if is_dataclass(a) and is_dataclass(b) and type(a) is type(b):
            for f in fields(a):
                walk(getattr(a, f.name), getattr(b, f.name), f"{name}.{f.name}" if name else f.name)
        elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            if np.shape(a) != np.shape(b) or not np.array_equal(a, b):
                out.append(name)
        elif a != b:
            out.append(name)

    walk(baseline, scenario, "")
    return out
