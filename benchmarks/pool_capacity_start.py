"""Pool the ``--out`` tables of ``evidence_capacity_start.py`` (not a script of its own rules):
median absolute error (median error) per measure, rule and horizon, per set and pooled, and
the adoption check of that script (held-out sets, one year ahead, candidate - current, counts
within its TOLERANCE). Reads from a folder the files the runs of 7 December 2026 wrote:
``design.csv``, ``held1.csv``, ``held2.csv`` (rules current, capacity -> "capacity(v1)") and
``v2_design.csv``, ``v2_held1.csv``, ``v2_held2.csv`` (the variants).

    .venv/bin/python benchmarks/pool_capacity_start.py FOLDER
"""
import sys


import numpy as np, pandas as pd
sets = {"design": ("design.csv", "v2_design.csv"), "held1": ("held1.csv", "v2_held1.csv"), "held2": ("held2.csv", "v2_held2.csv")}
POINTS = ("issued_within_20wk_pct",)
TOL = 0.01  # evidence_capacity_start.TOLERANCE
FOLDER = sys.argv[1]
parts = []
for name, (a, b) in sets.items():
    try:
        one = pd.read_csv(f"{FOLDER}/{a}"); one["rule"] = one["rule"].replace({"capacity": "capacity(v1)"})
        two = pd.read_csv(f"{FOLDER}/{b}")
    except FileNotFoundError:
        continue
    both = pd.concat([one, two]); both["set"] = name
    n = both.groupby("la_code")["rule"].nunique(); keep = n[n == both["rule"].nunique()].index
    parts.append(both[both["la_code"].isin(keep)])
rows = pd.concat(parts)
err = np.where(rows["measure"].isin(POINTS), rows["simulated"] - rows["published"],
               np.log(rows["simulated"] / rows["published"]))
rows = rows.assign(error=err)
rows = rows[np.isfinite(rows["error"])]
order = ["current", "capacity(v1)", "capacity", "capacity+steady", "capacity+steady+asis"]
def table(r):
    g = r.groupby(["measure", "rule", "horizon"])["error"]
    mae = g.apply(lambda e: e.abs().median()).unstack("horizon"); bias = g.median().unstack("horizon")
    out = mae.round(3).astype(str) + " (" + bias.round(3).astype(str) + ")"
    return out.reindex([(m, x) for m in ["issued_within_20wk_pct","new_plans","requests","ehcp_total","ehcp_state_special"] for x in order if (m, x) in out.index])
pd.set_option("display.width", 250)
for s in list(dict.fromkeys(rows["set"])) + ["pooled"]:
    r = rows if s == "pooled" else rows[rows["set"] == s]
    print(f"== {s}: {r['la_code'].nunique()} LAs; median absolute error (median error), horizons 1-4")
    print(table(r).to_string())
# adoption check
print("== adoption check (held-out sets, one year ahead)")
for rule in order[1:]:
    ok = True; notes = []
    for s in ("held1", "held2"):
        r = rows[(rows["set"] == s) & (rows["horizon"] == 1)]
        if r.empty: ok = False; continue
        m = r.groupby(["measure", "rule"])["error"].apply(lambda e: e.abs().median())
        if rule not in m.xs("new_plans", level=0).index: continue
        d_share = m[("issued_within_20wk_pct", rule)] - m[("issued_within_20wk_pct", "current")]
        ok &= d_share < 0; notes.append(f"{s} share {d_share:+.1f}")
        for meas in ("new_plans", "requests", "ehcp_total"):
            d = m[(meas, rule)] - m[(meas, "current")]
            ok &= d <= TOL; notes.append(f"{meas} {d:+.3f}")
    print(rule, "PASS" if ok else "fail", "; ".join(notes))
