"""Where sendcast finds its data: ``--data DIR``, else ``$SENDCAST_DATA``, else the
``data/`` folder shipped beside the package."""

from __future__ import annotations

import os
from pathlib import Path

from sendcast.runtime.files import PACKAGE_ROOT


def data_dir(explicit: str | Path | None = None) -> Path:
    if explicit is not None:
        return Path(explicit)
    if os.environ.get("SENDCAST_DATA"):
        return Path(os.environ["SENDCAST_DATA"])
    return PACKAGE_ROOT / "data"


def raw_dir(data: Path) -> Path:
    return data / "raw"


def processed_dir(data: Path) -> Path:
    return data / "processed"
