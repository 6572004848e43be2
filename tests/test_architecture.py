"""The layout the README's Architecture section describes, checked from the code's own imports.

Every import counts, including those inside functions (a late import must not hide a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "bookkit", "twin")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that ``name`` imports anywhere in its source (absolute and relative)."""
    package = name.split(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = package + (f".{base}" if base else "")
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def test_the_import_graph_has_no_cycle(graph):
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(trail + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_the_engine_imports_nothing_from_the_book_the_generator_or_the_build(graph):
    for name, targets in graph.items():
        if name.startswith("analysis"):
            assert not {t for t in targets if not t.startswith("analysis")}, name


def test_no_module_is_over_400_lines():
    long = {n: len(p.read_text().splitlines()) for n, p in modules().items() if len(p.read_text().splitlines()) > 400}
    assert not long


def test_importing_changes_no_global_state():
    """Importing every module leaves logging and matplotlib's rcParams as they were."""
    import importlib
    import logging

    import matplotlib

    level, rc = logging.getLogger().level, dict(matplotlib.rcParams)
    for name in modules():
        importlib.import_module(name)
    assert logging.getLogger().level == level
    assert dict(matplotlib.rcParams) == rc
