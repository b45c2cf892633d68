"""The shared command-line options: one money convention (rates a year in percent, ``-pct``)."""

from __future__ import annotations

import pytest

from sendcast.cli import _parser


def _parse(argv: list[str]):
    return _parser().parse_args(argv)


def test_inflation_is_a_percentage_like_the_scenario_files():
    assert _parse(["forecast", "--la", "Gloucestershire"]).inflation_pct == 2.0
    assert _parse(["forecast", "--la", "Gloucestershire", "--inflation-pct", "3"]).inflation_pct == 3.0


def test_the_old_inflation_fraction_still_works_and_says_the_new_form(capsys):
    args = _parse(["forecast", "--la", "Gloucestershire", "--inflation", "0.03"])
    assert args.inflation_pct == 3.0
    assert "--inflation 0.03 is deprecated; write --inflation-pct 3" in capsys.readouterr().err


def test_income_growth_is_a_percentage_under_either_spelling(capsys):
    assert _parse(["export", "deficit-plan", "a.toml", "b.toml"]).income_growth_pct == 3.0
    assert _parse(["export", "deficit-plan", "a.toml", "b.toml", "--income-growth-pct", "1.5"]).income_growth_pct == 1.5
    assert capsys.readouterr().err == ""
    assert _parse(["export", "deficit-plan", "a.toml", "b.toml", "--income-growth", "4"]).income_growth_pct == 4.0
    assert "write --income-growth-pct 4" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["forecast", "--la", "X", "--inflation-pct", "26"],
                                  ["forecast", "--la", "X", "--inflation", "0.26"]])
def test_the_same_range_under_either_spelling(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        _parse(argv)
    assert stopped.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
