"""Scenario files: the shipped examples load; every kind of mistake gets one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendcast.runtime.errors import InputError
from sendcast.scenarios.files import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.mark.parametrize("name", ["baseline", "early-identification", "new-special-school",
                                  "assessment-capacity", "combined"])
def test_shipped_scenarios_load(name):
    scenario, resolved, chain = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.scenario.la == "Gloucestershire" and scenario.scenario.start_year == 2025
    assert chain[-1].name == "baseline.toml"
    assert Path(scenario.special_places.capacity_file).is_file()


def test_based_on_overrides_only_what_changes():
    base, _, _ = load_scenario(SCENARIOS / "baseline.toml")
    early, _, _ = load_scenario(SCENARIOS / "early-identification.toml")
    combined, _, chain = load_scenario(SCENARIOS / "combined.toml")
    assert early.early_identification.relative_risk.mode == 0.9 and base.early_identification.relative_risk == 1.0
    assert early.costs == base.costs and early.scenario.seed == base.scenario.seed
    assert combined.early_identification == early.early_identification
    assert combined.assessment.capacity_per_year == 1250
    assert [p.name for p in chain] == ["combined.toml", "early-identification.toml", "baseline.toml"]


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BASE = '[scenario]\nname = "x"\nla = "Gloucestershire"\nstart_year = 2025\n'


def test_unknown_key_names_it_and_lists_allowed(tmp_path):
    path = _write(tmp_path, BASE + '[early_identification]\nrelative_risks = 0.8\n')
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message and "early_identification.relative_risks" in message
    assert "relative_risk" in message.split("allowed here:")[1]


def test_unknown_section(tmp_path):
    with pytest.raises(InputError, match="no key 'costz'"):
        load_scenario(_write(tmp_path, BASE + "[costz]\ninflation_pct = 2\n"))


def test_wrong_type(tmp_path):
    with pytest.raises(InputError) as caught:
        load_scenario(_write(tmp_path, BASE.replace("2025", '"next year"')))
    assert "scenario.start_year" in str(caught.value) and "next year" in str(caught.value)


@pytest.mark.parametrize("section, text, key", [
    ("early_identification", "share_identified_early = 1.5", "share_identified_early"),
    ("early_identification", "relative_risk = 0", "relative_risk"),
    ("costs", "discount_rate_pct = -1", "discount_rate_pct"),
    ("costs", 'price_base = "2025/26"', "price_base"),
    ("costs", "unit_costs_gbp = { ehcp_specialist = 5 }", "unit_costs_gbp"),
    ("special_places", 'overflow_policy = "elsewhere"', "overflow_policy"),
    ("forecast", 'method = "prophet"', "method"),
])
def test_out_of_range_or_not_allowed(tmp_path, section, text, key):
    with pytest.raises(InputError) as caught:
        load_scenario(_write(tmp_path, BASE + f"[{section}]\n{text}\n"))
    assert f"{section}.{key}" in str(caught.value)


def test_missing_required_key(tmp_path):
    with pytest.raises(InputError, match="key 'scenario.la' to be set"):
        load_scenario(_write(tmp_path, '[scenario]\nname = "x"\nstart_year = 2025\n'))


def test_missing_based_on_file(tmp_path):
    path = _write(tmp_path, 'based_on = "nowhere.toml"\n' + BASE)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value) and "based_on" in str(caught.value) and "nowhere.toml" in str(caught.value)


def test_based_on_cycle(tmp_path):
    _write(tmp_path, 'based_on = "b.toml"\n' + BASE, "a.toml")
    _write(tmp_path, 'based_on = "a.toml"\n', "b.toml")
    with pytest.raises(InputError, match="without cycles"):
        load_scenario(tmp_path / "a.toml")


def test_not_toml(tmp_path):
    with pytest.raises(InputError, match="valid TOML"):
        load_scenario(_write(tmp_path, "[scenario\nname = 1\n"))


@pytest.mark.parametrize("line, expected", [
    ('relative_risk = {dist = "triangular", low = 0.5, mode = 1.5, high = 1.1}', "need low <= mode <= high"),
    ('relative_risk = {dist = "gamma", low = 0.5}', "'triangular', 'uniform', 'beta' or 'lognormal'"),
    ('share_identified_early = {dist = "uniform", low = 0.5, high = 1.5}', "reaches 0.5 to 1.5; allowed [0, 1]"),
    ('relative_risk = {dist = "lognormal", median = 0.85}', "needs median, sdlog; missing sdlog"),
    ('relative_risk = "a lot"', "a number or a distribution"),
    ('sources = {relative_riks = "typo"}', "'relative_riks', which is not a setting"),
])
def test_bad_distributions_are_refused_with_the_key_and_the_reason(tmp_path, line, expected):
    path = _write(tmp_path, f'based_on = "{SCENARIOS / "early-identification.toml"}"\n[scenario]\nname = "x"\n'
                            f"[early_identification]\n{line}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert expected in str(caught.value) and caught.value.row == 5


def test_a_distribution_gives_its_median_to_a_single_run_and_draws_per_replication():
    from sendcast.scenarios.uncertainty import draw_inputs, uncertain_inputs
    early, _, _ = load_scenario(SCENARIOS / "early-identification.toml")
    inputs = uncertain_inputs(early)
    assert "early_identification.relative_risk" in inputs
    draws = draw_inputs(inputs, 5, range(400))
    again = draw_inputs({"early_identification.relative_risk": inputs["early_identification.relative_risk"]}, 5,
                        range(400))
    # each input owns its stream: the same draws whatever else is uncertain
    assert draws["early_identification.relative_risk"].equals(again["early_identification.relative_risk"])
    rr = draws["early_identification.relative_risk"]
    assert rr.between(0.55, 1.15).all() and abs(rr.median() - inputs["early_identification.relative_risk"].central) < 0.03
