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
