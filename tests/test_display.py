"""Numbers as people read them: money to 3 significant figures, whole children, no "-0"."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.reporting.display import (
    format_change,
    format_children,
    format_money,
    format_percent,
    need_words,
    needs_words,
    readable,
)
from sendcast.reporting.psa_report import input_value


@pytest.mark.parametrize(("value", "text"), [(153_024_807.6, "£153m"), (16_830_000, "£16.8m"), (1_234_500, "£1.23m"),
                                             (845_123, "£845,000"), (1_500, "£1,500"), (-2_100_000, "-£2.10m"),
                                             (1_310_500_000, "£1.31bn"), (0, "£0"), (-0.3, "£0"),
                                             (float("nan"), "-")])
def test_money_to_three_significant_figures(value, text):
    assert format_money(value) == text


def test_children_are_whole_and_changes_signed():
    assert format_children(1113.6) == "1,114"
    assert format_children(-0.2) == "0"
    assert format_change(45.2) == "+45" and format_change(-932) == "-932" and format_change(-0.4) == "0"
    assert format_percent(-0.01) == "0.0%" and format_percent(5.66) == "5.7%"


def test_readable_table_formats_each_kind_and_keeps_small_numbers():
    """The sweep table printed relative_risk 1.0 on every row and raw pounds; not any more."""
    frame = pd.DataFrame({"relative_risk": [0.6, 0.65, 1.2], "saving_npv_gbp_mean": [180392779.1, -1.2e6, 0.0],
                          "ehcp_final_mean": [9880.4, 9900.6, 10000.2], "share_broken_even": [0.02, 0.5, 1.0],
                          "used": [True, False, True], "area": ["A", "B", "C"]})
    html = readable(frame).to_html()
    for text in ("0.65", "1.2", "£180m", "-£1.20m", "9,880", "2%", "yes", "no"):
        assert f">{text}<" in html, text
    assert "180392779" not in html and "np.float64" not in html


@pytest.mark.parametrize("key, value, shown", [
    ("early_identification.share_more_identified", 0.0238, "2.4%"),
    ("early_identification.share_identified_early", 0.37, "37%"),
    ("early_identification.relative_risk", 0.6723, "0.67"),
    ("early_identification.late_identified_escalation_multiple", 1.0, "1.00"),
    ("unit_cost.ehcp_independent_special", 78_900.0, "£78.9k"),
    ("early_identification.cost_per_child_gbp", 1_300.0, "£1,300"),
    ("early_identification.cost_per_child_gbp", -1_300.0, "-£1,300"),
    ("early_identification.relative_risk", float("nan"), "-"),
])
def test_an_uncertain_input_reads_as_a_planner_writes_it(key, value, shown):
    """The tornado chart's labels: never "7.89e+04" or "0.0238"."""
    assert input_value(key, value) == shown


def test_needs_read_in_words_not_codes():
    assert need_words("slcn") == "speech, language and communication"
    assert need_words("zzz") == "zzz"
    assert needs_words("mld") == "moderate learning difficulty"
    assert needs_words("asd+semh") == "autism and social, emotional and mental health"
    assert needs_words("asd+semh+slcn+sld+pmld") == "needs without places designated for them"


def test_every_cost_component_has_a_name_for_the_charts():
    from sendcast.reporting.finance_sheets import component_name

    assert component_name("transport") == "Home-to-school transport"
    assert component_name("capital") == "Capital cost of new places"
    assert component_name("state_special") == "State special school"
    assert component_name("some_new_thing") == "Some new thing"


def test_unit_cost_inputs_are_named_in_words():
    from sendcast.reporting.psa_report import _label

    assert _label("unit_cost.ehcp_ap") == "unit cost, alternative provision"
    assert _label("unit_cost.ehcp_fe") == "unit cost, further education"
    assert _label("unit_cost.ehcp_state_special") == "unit cost, state special"
