"""What the app holds while it runs: the built data, the shipped scenarios, uploads it has
checked, the runs it has written. Everything here calls the application layer's public
functions; nothing is modelled here.

Safety: the browser never names a path. Uploads are copied into a folder this process
created, under a plain file name made from the uploaded name; runs are written to new
folders under the reports folder chosen on the command line; a download is picked from the
runs this process wrote, by number.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import sendcast
from sendcast.data import paths
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.files import load_scenario

#: the measures a planner can put beside England and the neighbours on the Area page
AREA_MEASURES = (
    "ehcp_total",
    "ehcp_state_special",
    "ehcp_independent_special",
    "ehcp_mainstream",
    "requests",
    "new_plans",
    "issued_within_20wk_pct",
    "sen_support_pct",
    "ehcp_pct",
)
UPLOAD_KINDS = ("capacity", "unit_costs")


@dataclass(frozen=True)
class Upload:
    """A checked upload: the server's copy, the name the planner gave it, and the check's line."""

    path: Path
    name: str
    summary: str


@dataclass(frozen=True)
class RunRecord:
    """A run this process wrote."""

    number: int
    folder: Path
    label: str
    comparison: Any
    seconds: float


@dataclass
class Workspace:
    """The app's state, shared by every browser tab of one ``sendcast app`` process."""

    data: str | None = None
    reports: Path | None = None
    backend: str = "processes"
    workers: int | None = None
    scenarios_folder: Path = field(default_factory=lambda: paths.PACKAGE_ROOT / "scenarios")
    _dataset: Any = None
    _uploads: Path | None = None
    _forecasts: dict[str, Any] = field(default_factory=dict)
    runs: list[RunRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- data ---------------------------------------------------------------------------------
    @property
    def dataset(self):
        if self._dataset is None:
            self._dataset = sendcast.load_dataset(self.data)
        return self._dataset

    def la_choices(self) -> dict[str, str]:
        """``la_code -> "name (number, code)"``, England first, then LAs by name: typing any
        of name, number or code finds it."""
        las = self.dataset.geography.las
        rows = sorted(las.itertuples(), key=lambda r: (r.la_name != "England", r.la_name))
        return {
            r.la_code: f"{r.la_name} ({r.la_number}, {r.la_code})" if r.la_number else f"{r.la_name} ({r.la_code})"
            for r in rows
        }

    def area(self, la_code: str) -> pd.Series:
        return self.dataset.geography.resolve(la_code)

    def vintage(self) -> list[str]:
        """The data's vintage in words: each SEN2 release and its latest January, the other
        sources, when the data were built and what the checks found."""
        manifest = self.dataset.manifest
        lines = [
            f"SEN2 release {Path(r['path']).name}: {r['format']} format, latest January {r['latest_january']}"
            for r in manifest.get("sen2_releases", [])
        ]
        lines += [
            f"{item['path']} (sha256 {item['sha256'][:12]})"
            for item in manifest.get("inputs", [])
            if not item["path"].startswith("sen2/")
        ]
        checks = manifest.get("checks", {})
        lines.append(
            f"Built {manifest.get('built_at_utc', '?')}; checks: " + ", ".join(f"{n:,} {k}" for k, n in checks.items())
        )
        return lines

    # -- forecasts ----------------------------------------------------------------------------
    def forecast(self, la_code: str):
        """The LA's time-series forecast as ``sendcast forecast --la`` makes it (5 years,
        seed 0, the data folder's capacity file), kept for the life of the process."""
        with self._lock:
            if la_code in self._forecasts:
                return self._forecasts[la_code]
        result = sendcast.forecast_la(self.dataset, la_code, horizon=5, seed=0, evidence=self.evidence(),
                                      data=self.data)
        with self._lock:
            self._forecasts[la_code] = result
        return result

    def evidence(self):
        """The national real-time backtest behind every forecast (computed once per process)."""
        return sendcast.national_evidence(self.dataset, horizons=5)

    def past_forecasts(self, la_code: str, measure: str) -> pd.DataFrame:
        """The track-record line of ``measure`` for the LA: what sendcast forecast a year
        before each published year, from the data to then (:func:`sendcast.past_forecasts`)."""
        return sendcast.past_forecasts(self.evidence(), la_code, measure)

    # -- scenarios ----------------------------------------------------------------------------
    def shipped_scenarios(self) -> dict[str, str]:
        """``file name -> "Name (file name)"`` for the scenario files shipped in scenarios/."""
        out = {}
        for path in sorted(self.scenarios_folder.glob("*.toml")):
            try:
                scenario, _, _ = load_scenario(path)
            except SendcastError:
                continue
            out[path.name] = f"{scenario.scenario.name} ({path.name})"
        return out

    def scenario_settings(self, file_name: str, la_code: str | None = None) -> dict[str, Any]:
        """A shipped scenario's settings (``based_on`` applied, file paths absolute). With
        ``la_code`` naming another LA, moved to it with the planner's own files (the capacity
        file then is the data folder's ``capacity/<la_code>.csv`` unless an upload replaces it;
        without uploads the app runs the shipped scenario with ``--la`` instead, as the command
        does: :mod:`sendcast.scenarios.retarget`)."""
        if file_name not in self.shipped_scenarios():
            raise SendcastError(f"no shipped scenario {file_name!r}")
        _, settings, _ = load_scenario(self.scenarios_folder / file_name)
        if la_code and not self.same_la(settings, la_code):
            settings["scenario"]["la"] = la_code
            places = settings.setdefault("special_places", {})
            own = (Path(self.data) if self.data else paths.PACKAGE_ROOT / "data") / "capacity" / f"{la_code}.csv"
            places.pop("capacity_file", None)
            settings.get("costs", {}).pop("unit_costs_file", None)
            if own.is_file():
                places["capacity_file"] = str(own)
        return settings

    def same_la(self, settings: dict[str, Any], la_code: str) -> bool:
        return bool(self.area(settings["scenario"]["la"])["la_code"] == la_code)

    # -- uploads ------------------------------------------------------------------------------
    def check_upload(self, kind: str, temporary: str | Path, name: str) -> Upload:
        """Copy an uploaded file into this process's own folder and check it as ``sendcast
        check`` does; raises :class:`SendcastError` with the same one line (naming the file
        by the name it was uploaded with)."""
        checker = {"capacity": sendcast.check_capacity, "unit_costs": sendcast.check_unit_costs}[kind]
        if self._uploads is None:
            self._uploads = Path(tempfile.mkdtemp(prefix="sendcast-app-uploads-"))
        plain = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".") or "upload.csv"
        folder = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=self._uploads))
        copy = folder / plain
        shutil.copyfile(temporary, copy)
        try:
            summary = checker(copy)
        except SendcastError as error:
            raise _renamed(error, str(copy), plain) from None
        return Upload(copy, plain, summary.replace(str(copy), plain))

    def close(self) -> None:
        if self._uploads is not None:
            shutil.rmtree(self._uploads, ignore_errors=True)


def _renamed(error: SendcastError, server_path: str, name: str) -> SendcastError:
    """The same error, naming the file as the planner named it rather than by the server's copy."""
    return SendcastError(str(error).replace(server_path, name))
