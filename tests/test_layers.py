"""The engines stay pure: they never import the application layer, read or write
files, or print (house style, STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENGINE_FILES = sorted((REPO / "forecast").rglob("*.py")) + sorted((REPO / "simulation").rglob("*.py"))
FORBIDDEN_CALLS = {"print", "open", "input"}
FORBIDDEN_METHODS = {"to_csv", "read_csv", "to_excel", "read_excel", "savefig", "write_text", "write_bytes",
                     "read_text", "read_bytes", "to_parquet", "read_parquet"}


def test_there_are_engine_files_to_check():
    assert any(p.parent.name == "forecast" for p in ENGINE_FILES)


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_engine_module_is_pure(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "sendcast" for a in node.names), f"{path}:{node.lineno}"
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "sendcast", f"{path}:{node.lineno} imports sendcast"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{path}:{node.lineno} calls {func.id}()"
            elif isinstance(func, ast.Attribute):
                assert func.attr not in FORBIDDEN_METHODS, f"{path}:{node.lineno} calls .{func.attr}()"


# ----------------------------------------------------------------------------- the application's own layers
#: each package of sendcast/ and what it may import besides itself (ARCHITECTURE.md draws it):
#: a package imports only those below it, and nothing imports the command line
APPLICATION_LAYERS = {
    "runtime": set(),
    "data": {"runtime"},
    "money": {"data", "runtime"},
    "forecasting": {"money", "data", "runtime"},
    "scenarios": {"forecasting", "money", "data", "runtime"},
    "reporting": {"scenarios", "forecasting", "money", "data", "runtime"},
    "app": {"reporting", "scenarios", "forecasting", "money", "data", "runtime", "commands", "facade"},
    "commands": {"reporting", "scenarios", "forecasting", "money", "data", "runtime", "app", "facade"},
    "cli": {"commands", "reporting", "data", "runtime", "facade"},
    "__main__": {"cli"},
    # sendcast/__init__.py: names only, loaded lazily from the packages; and, first of all, the
    # BLAS kernels pinned before numpy loads (runtime.reproducible_blas, which imports nothing numerical)
    "facade": {"runtime"},
}
APPLICATION_FILES = sorted((REPO / "sendcast").rglob("*.py"))


def _layer(path: Path) -> str:
    parts = path.relative_to(REPO / "sendcast").parts
    if len(parts) == 1:
        return "facade" if parts[0] == "__init__.py" else parts[0].removesuffix(".py")
    return parts[0]


def _imported_layers(path: Path) -> list[tuple[int, str]]:
    """(line, layer) for every ``sendcast`` import in the file, bar ``__version__``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sendcast":
            module = node.module or ""
            if module == "sendcast":
                names = {a.name for a in node.names} - {"__version__"}
                targets = ["facade"] if names else []
            else:
                targets = [module.split(".")[1]]
        elif isinstance(node, ast.Import):
            targets = ["facade" if a.name == "sendcast" else a.name.split(".")[1]
                       for a in node.names if a.name.split(".")[0] == "sendcast"]
        else:
            continue
        found += [(node.lineno, target) for target in targets]
    return found


def test_every_application_package_has_a_layer():
    assert {_layer(p) for p in APPLICATION_FILES} <= set(APPLICATION_LAYERS)


def layer_violations(path: Path, layer: str) -> list[str]:
    """One line for each import of ``path`` (in ``layer``) that points up or sideways."""
    allowed = APPLICATION_LAYERS[layer]
    return [f"{path.name}:{line}: {layer} imports {target} (it may import {sorted(allowed) or 'nothing else in sendcast'})"
            for line, target in _imported_layers(path) if target != layer and target not in allowed]


@pytest.mark.parametrize("path", APPLICATION_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_application_module_imports_only_layers_below_it(path: Path):
    assert layer_violations(path, _layer(path)) == []


def test_the_layer_check_catches_an_upward_import(tmp_path: Path):
    probe = tmp_path / "probe.py"
    probe.write_text("from sendcast.reporting.workbook import write_workbook\nfrom sendcast import __version__\n")
    assert layer_violations(probe, "money") == [
        "probe.py:1: money imports reporting (it may import ['data', 'runtime'])"]
    assert layer_violations(probe, "scenarios") == ["probe.py:1: scenarios imports reporting "
                                                    "(it may import ['data', 'forecasting', 'money', 'runtime'])"]
