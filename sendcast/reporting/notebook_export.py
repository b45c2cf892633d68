"""Run the notebooks and export them as HTML for commissioners: charts inline, no code.

``python -m sendcast.reporting.notebook_export NOTEBOOKS_FOLDER OUT_FOLDER`` (what
``make notebooks`` runs) executes each notebook in a fresh kernel from its own folder, says
which notebook and cell it is on (a bar on a terminal, a line per notebook otherwise), and
writes ``<name>.html`` with the code cells hidden (the reader sees the words, the tables and
the charts). Charts show inline because the kernel keeps Jupyter's own matplotlib backend:
``MPLBACKEND`` is removed from the kernel's environment.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from tqdm import tqdm
from traitlets.config import Config

from sendcast.runtime import atomic


def _kernel_config() -> Config:
    """The kernel talks to us over local sockets where the system has them (POSIX), not TCP:
    the same kernel, and no "running over TCP without encryption" warning on every notebook
    (library noise a commissioner should not read). Windows keeps the TCP default."""
    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
    return config


def export_notebook(path: Path, out_folder: Path, *, position: str = "", timeout: int = 1800) -> Path:
    """Execute ``path`` and write its HTML (inputs hidden) into ``out_folder``; returns the file."""
    notebook = nbformat.read(path, as_version=4)
    cells = sum(1 for cell in notebook.cells if cell.cell_type == "code")
    bar = tqdm(total=cells, desc=f"{position}{path.stem}", unit="cell", file=sys.stderr, leave=True,
               disable=not sys.stderr.isatty())

    def executed(**_: object) -> None:
        bar.update(1)

    environment = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", config=_kernel_config(),
                                resources={"metadata": {"path": str(path.parent)}}, on_cell_executed=executed)
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        bar.close()
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    target = out_folder / f"{path.stem}.html"
    atomic.write_text(target, body)
    return target


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m sendcast.reporting.notebook_export NOTEBOOKS_FOLDER OUT_FOLDER", file=sys.stderr)
        return 2
    folder, out = Path(argv[0]), Path(argv[1])
    paths = sorted(folder.glob("*.ipynb"))
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for number, path in enumerate(paths, start=1):
        position = f"[{number}/{len(paths)}] "
        print(f"{position}running {path.name} ...", flush=True)
        began = time.perf_counter()
        target = export_notebook(path, out, position=position)
        print(f"{position}{path.name}: {time.perf_counter() - began:.0f} s, written {target}", flush=True)
    print(f"{len(paths)} notebooks in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
