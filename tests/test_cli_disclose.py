"""``sendcast disclose`` end to end: a planner's own small-area table in, a table safe
to publish out (synthetic counts, made up for the tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sendcast.cli import main
from sendcast.reporting.disclosure import SUPPRESSED
from tests.cli_run import run_cli as _run

SYNTHETIC = "district,ASD,SEMH,SLCN\nCheltenham,41,3,17\nStroud,28,0,9\nTewkesbury,12,7,2\n"


def test_disclose_writes_a_protected_table_an_audit_and_a_manifest(tmp_path, capsys):
    source = tmp_path / "synthetic.csv"
    source.write_text(SYNTHETIC)
    code, out, err = _run(capsys, "disclose", str(source), "--out", str(tmp_path / "run"))
    assert code == 0, err
    published = pd.read_csv(tmp_path / "run" / "protected.csv", dtype=str).set_index("district")
    assert list(published.columns) == ["ASD", "SEMH", "SLCN", "Total"]
    assert published.loc["Cheltenham", "SEMH"] == SUPPRESSED and published.loc["Tewkesbury", "SLCN"] == SUPPRESSED
    assert published.loc["Total", "Total"] == "119"
    audit = pd.read_csv(tmp_path / "run" / "audit.csv", dtype=str)
    assert len(audit) == (published == SUPPRESSED).to_numpy().sum() and (audit["protected"] == "True").all()
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["input"]["file"] == "synthetic.csv" and "withheld" in manifest["input"]["sha256"]
    assert manifest["inputs"] == [], "no checksum of the unprotected counts is published"
    assert "shown as 'c'" in out


def test_nothing_unprotected_reaches_the_outputs(tmp_path, capsys):
    source = tmp_path / "synthetic.csv"
    source.write_text(SYNTHETIC)
    assert _run(capsys, "disclose", str(source), "--out", str(tmp_path / "run"))[0] == 0
    written = "".join(p.read_text() for p in (tmp_path / "run").iterdir())
    for small in ("Cheltenham,41,3", ",7,2"):
        assert small not in written


def test_an_existing_output_folder_is_kept_unless_forced(tmp_path, capsys):
    source = tmp_path / "synthetic.csv"
    source.write_text(SYNTHETIC)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "mine.txt").write_text("my work")
    code, _, err = _run(capsys, "disclose", str(source), "--out", str(tmp_path / "run"))
    assert code == 2 and "--force" in err and (tmp_path / "run" / "mine.txt").read_text() == "my work"
    # --force replaces only a folder sendcast wrote: the user's own folder is kept
    code, _, err = _run(capsys, "disclose", str(source), "--out", str(tmp_path / "run"), "--force")
    assert code == 2 and "sendcast wrote" in err and (tmp_path / "run" / "mine.txt").read_text() == "my work"
    assert _run(capsys, "disclose", str(source), "--out", str(tmp_path / "ours"))[0] == 0
    assert _run(capsys, "disclose", str(source), "--out", str(tmp_path / "ours"), "--force")[0] == 0
    assert (tmp_path / "ours" / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours", "run", "synthetic.csv"]  # no staging left


def test_a_protection_level_below_one_is_refused(tmp_path, capsys):
    source = tmp_path / "synthetic.csv"
    source.write_text(SYNTHETIC)
    with pytest.raises(SystemExit) as caught:  # refused by the option's type, in one line
        main(["disclose", str(source), "--protection", "0", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "--protection" in err and err.count("\n") == 1
    assert not Path(tmp_path / "r").exists()
