"""Helpers for the simulation engine tests (figures typed in, no files read)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
