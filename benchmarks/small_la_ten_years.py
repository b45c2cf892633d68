"""Evidence companion of ``evidence_small_la_draws.py`` (not a timing): one LA's full baseline
run (``scenarios/baseline.toml`` retargeted to the LA), its parameter draws made under every
:data:`sendcast.scenarios.parameters.DRAW_GROWTH_RULES`: the request growth of the first
projected year over the draws (with source 3), how many draws' request multipliers are
identical to the unbounded draw's, and (``SIMULATE`` > 0) EHC plans in the last January and
requests in the last year over that many replications (mean, 2.5-97.5% percentiles, median).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/small_la_ten_years.py "City of London" 200 200
    PYTHONPATH=$PWD .venv/bin/python benchmarks/small_la_ten_years.py Gloucestershire 200 0

Arguments: LA, replications drawn, replications simulated.
"""
import sys
import time
from pathlib import Path

import sendcast  # noqa: F401 -- first: it pins the BLAS kernels before numpy loads
import numpy as np
import sendcast.scenarios.parameters as setup
from sendcast.data.store import load_dataset
from sendcast.scenarios.pipeline import load_scenarios, build_all_parameters
from sendcast.scenarios.retarget import retarget
from sendcast.scenarios.parameters import parameter_draws, draw_spread, calibrate_la, la_history
from simulation.parameters import schedule_values
from simulation.model import simulate

la, reps, sim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ds = load_dataset(Path("data"))
loaded, _ = retarget(load_scenarios([Path("scenarios/baseline.toml")]), ds, la, Path("data"))
sc = loaded[0].scenario
info = sc.scenario
fit = calibrate_la(ds, info.la, start_year=info.start_year)
params = build_all_parameters(ds, [sc], calibration=fit, capacity=loaded[0].capacity)[0]
history = la_history(ds, info.la)
spread = draw_spread(params, history, fit, info.start_year, trends=sc.trends.rule)
out = {}
for rule in setup.DRAW_GROWTH_RULES:
    setup.DRAW_GROWTH_RULE = rule
    drawn = parameter_draws(params, history, fit, info.start_year, info.seed, reps, trends=sc.trends.rule, spread=spread)
    y0 = info.start_year
    g = np.array([np.log(schedule_values(d.sen_support.request_multiplier, y0 + 1, 1)[0] /
                         schedule_values(d.sen_support.request_multiplier, y0, 1)[0]) for d in drawn])
    sched = [tuple(schedule_values(d.sen_support.request_multiplier, y0, params.horizon)) for d in drawn]
    out[rule] = sched
    same = sum(a == b for a, b in zip(sched, out["unbounded"]))
    line = f"{la} {rule}: growth 2025->2026 incl. source 3 min {g.min():.3f} median {np.median(g):.3f} max {g.max():.3f}; draws identical to unbounded: {same}/{reps}"
    if sim:
        t = time.process_time()
        res = [simulate(drawn[r], info.seed, r) for r in range(sim)]
        last = np.array([r.stocks[('ehcp_total', '')][-1] for r in res])
        req = np.array([r.flows[('requests', '')][-1] for r in res])
        line += (f"; EHC plans last January mean {last.mean():.1f} (95% {np.percentile(last, 2.5):.1f}-{np.percentile(last, 97.5):.1f}),"
                 f" median {np.median(last):.1f}; requests last year mean {req.mean():.1f} (95% {np.percentile(req, 2.5):.1f}-{np.percentile(req, 97.5):.1f}) [{time.process_time()-t:.0f} cpu-s]")
    print(line, flush=True)
