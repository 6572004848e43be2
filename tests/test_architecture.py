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


#: Run in a fresh interpreter: the third-party packages the modules import are imported first (their own
#: import-time state is not ours to check), then each module is imported in a forked child that has
#: imported no module of the project, and the global state is compared with the parent's.
_CHECK_IMPORTS = r"""
import importlib, json, logging, os, sys, warnings

sys.path[:0] = json.loads(sys.argv[1])
names, third_party = json.loads(sys.argv[2]), json.loads(sys.argv[3])
for lib in third_party:
    try:
        importlib.import_module(lib)
    except Exception:
        pass
import matplotlib
import numpy as np


def state():
    root = logging.getLogger()
    return {"logging level": root.level, "logging handlers": [repr(h) for h in root.handlers],
            "logger levels": {n: getattr(lg, "level", None) for n, lg in logging.Logger.manager.loggerDict.items()},
            "matplotlib rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
            "warning filters": [repr(f) for f in warnings.filters], "numpy errors": np.geterr(),
            "environment": dict(os.environ)}


before = state()
changed = {}
for name in names:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            after = state()
            diff = [k for k in before if (after[k] != before[k] if k != "logger levels" else
                    any(after[k].get(n) != lvl for n, lvl in before[k].items()))]
        except BaseException as exc:
            diff = [f"import failed: {type(exc).__name__}: {exc}"]
        os.write(write, json.dumps(diff).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        diff = json.loads(pipe.read() or '["the child died"]')
    os.waitpid(pid, 0)
    if diff:
        changed[name] = diff
print(json.dumps(changed))
"""


def _third_party() -> list[str]:
    """Top-level names of the third-party packages the project's modules import."""
    import sys

    found = set()
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return sorted(found - set(PACKAGES) - set(sys.stdlib_module_names))


def import_side_effects(names: list[str], extra_path: list[str] = ()) -> dict[str, list[str]]:
    """For each module, the global state its import changes, each imported in a fresh interpreter."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _CHECK_IMPORTS, json.dumps([*map(str, extra_path), str(ROOT)]),
                           json.dumps(names), json.dumps(_third_party())], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_any_module_changes_no_global_state():
    """Importing each module, in an interpreter that has imported no module of the project, leaves logging,
    matplotlib's rcParams, the warning filters, numpy's error handling and the environment as they were."""
    assert import_side_effects(sorted(modules())) == {}


def test_the_import_check_sees_a_side_effect(tmp_path):
    """The check above can fail: modules that change the state are caught, a module that does not is not."""
    (tmp_path / "sets_level.py").write_text("import logging\nlogging.getLogger().setLevel(5)\n")
    (tmp_path / "styles.py").write_text("import matplotlib\nmatplotlib.rcParams['font.size'] = 3\n")
    (tmp_path / "quiet.py").write_text("import warnings\nwarnings.simplefilter('ignore')\n")
    (tmp_path / "clean.py").write_text("import logging\nLOG = logging.getLogger(__name__)\n")
    found = import_side_effects(["sets_level", "styles", "quiet", "clean"], [tmp_path])
    assert found == {"sets_level": ["logging level"], "styles": ["matplotlib rcParams"], "quiet": ["warning filters"]}
