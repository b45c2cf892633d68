"""Where sendcast lives on disk, and checksums of the files it reads (for manifests)."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: the folder holding the sendcast package, data/ and reports/ (a checkout or an editable install)
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    """Checksum of a file, for the manifest."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
