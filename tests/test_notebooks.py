"""Every notebook runs from top to bottom on the shipped data (documentation that runs).

Notebooks are stored without outputs; here each is executed in a fresh kernel with
``SENDCAST_DATA`` pointing at a temporary data folder (so the repository is not written)
and ``SENDCAST_SMALL=1`` (small replication counts where a notebook simulates).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.slow  # 3 to 26 CPU-s each measured: a fresh kernel running a whole notebook (fast tier: under 3)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_is_stored_without_outputs(path: Path, data_dir: Path, monkeypatch):
    # imported here: about a CPU-second each worker spends collecting the fast tier otherwise
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        f"{path.name} is stored with outputs; clear them before committing"
    monkeypatch.setenv("SENDCAST_DATA", str(data_dir))
    monkeypatch.setenv("SENDCAST_SMALL", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    texts = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs
                    if "image/png" not in o.get("data", {}))
    assert "<Figure size" not in texts, "a chart printed as text instead of showing inline"
    assert "np.float64" not in texts
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook shows no chart"
    sources = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    imports = [line for line in sources.splitlines() if line.startswith(("import ", "from "))]
    assert all(line.split()[1].split(".")[0] in ("sendcast", "os", "pathlib", "IPython") for line in imports), imports
