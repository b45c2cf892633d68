"""Evidence (not a timing): should the baseline carry mid-phase moves fitted on SEN2's joint table?

Issue 19 asks for moves between mainstream and special schools inside a phase, fitted to
SEN2's plans by age and placement (published from January 2024). :mod:`simulation.mid_phase_moves`
fits them on the one cohort-year there is (January 2024 to 2025); the calibration can fit
their scale with the placement shares (``sendcast.scenarios.parameters.FIT_MID_PHASE_MOVES``).
No origin has the tables to validate them out of sample, so this measures what can be measured:

1. the cohort-year rates for every LA with the tables (quantiles by phase and destination);
2. for a sample of LAs (Gloucestershire, its ten statistical neighbours and every ``--every``-th
   LA), the scale the calibration gives them and the in-sample fit to the placements (mean
   absolute error, per cent, of the fitted placement targets: state special, independent
   special, mainstream, AP) with and without them.

    .venv/bin/python benchmarks/evidence_mid_phase_moves.py [--every 8] [--out DIR] [--data DIR]

Writes ``mid_phase_move_rates.csv`` and ``mid_phase_move_fits.csv`` to ``--out``; about 20 s
an LA of the sample (two calibrations).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import store
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios import parameters
from sendcast.scenarios.validation_all_las import choose_las, current_las
from simulation.parameters import PHASES, PLACEMENTS

PLACED = ("ehcp_state_special", "ehcp_independent_special", "ehcp_mainstream", "ehcp_ap")


def cohort_year_rates(dataset, start_year: int) -> pd.DataFrame:
    """Every LA's fitted rates (primary and secondary, each destination), one row an LA."""
    parameters.FIT_MID_PHASE_MOVES = True
    rows = []
    for code in current_las(dataset)["la_code"]:
        try:
            moves = parameters.mid_phase_moves(parameters.la_history(dataset, code), start_year)
        except SendcastError:
            continue
        if moves is None:
            continue
        rows.append({"la_code": code} | {f"{PHASES[p]}_to_{PLACEMENTS[g]}": moves[p, g]
                                         for p in (1, 2) for g in (2, 3, 5)})
    return pd.DataFrame(rows)


def placement_fit(dataset, code: str, start_year: int, moves: bool) -> tuple[float, float]:
    """(scale of the moves or nan, mean absolute error of the fitted placement targets, %)."""
    parameters.FIT_MID_PHASE_MOVES = moves
    fit = parameters.calibrate_la(dataset, code, start_year=start_year)
    report = fit.report
    placed = report[report["measure"].isin(PLACED) & report["fitted"]]
    return fit.fitted.get("mid_phase_moves_scale", np.nan), float(placed["error_pct"].abs().mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=8)
    parser.add_argument("--start-year", type=int, default=2025)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--data", default=None)
    args = parser.parse_args(argv)
    dataset = store.load_dataset(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    rates = cohort_year_rates(dataset, args.start_year)
    rates.to_csv(args.out / "mid_phase_move_rates.csv", index=False)
    print(f"cohort-year rates, {len(rates)} LAs with the tables (a year, of plans in mainstream):")
    print(rates.drop(columns="la_code").quantile([0.25, 0.5, 0.75, 0.9]).round(4).to_string())
    rows = []
    for code in choose_las(dataset, every=args.every, neighbours_of="Gloucestershire")["la_code"]:
        if code not in set(rates["la_code"]):
            continue
        try:
            _, without = placement_fit(dataset, code, args.start_year, False)
            scale, with_moves = placement_fit(dataset, code, args.start_year, True)
        except SendcastError as error:
            print(f"{code}: {error}")
            continue
        rows.append((code, scale, without, with_moves))
        print(f"{code}: scale {scale:.3f}; placement fit {without:.2f}% without moves, {with_moves:.2f}% with",
              flush=True)
    parameters.FIT_MID_PHASE_MOVES = False
    fits = pd.DataFrame(rows, columns=["la_code", "scale", "mae_without_moves", "mae_with_moves"])
    fits.to_csv(args.out / "mid_phase_move_fits.csv", index=False)
    change = fits["mae_with_moves"] - fits["mae_without_moves"]
    print(f"{len(fits)} LAs: scale median {fits['scale'].median():.3f}, at its floor in "
          f"{int((fits['scale'] <= 0.0201).sum())}; fit worse in {int((change > 0.05).sum())}, better in "
          f"{int((change < -0.05).sum())}, mean change {change.mean():+.2f} points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
