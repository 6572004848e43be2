"""Project invariants: one package list, jupyter-book 1.x, the real deposit never tracked."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_takes_its_packages_from_requirements_txt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_lists == [["-r requirements.txt"]]
    conda_names = {re.split(r"[=<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
    assert conda_names == {"python", "pip"}


def test_requirements_are_pinned_and_jupyter_book_is_1x():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [line for line in lines if line and not line.startswith("#")]
    assert reqs and all("==" in r for r in reqs)
    jb = [r for r in reqs if r.startswith("jupyter-book==")]
    assert len(jb) == 1 and jb[0].split("==")[1].startswith("1.")


def test_nothing_under_data_private_is_tracked():
    proc = subprocess.run(["git", "ls-files", "data/private"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:  # not a git checkout (e.g. an exported tarball): nothing can be tracked
        return
    assert proc.stdout.strip() == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/private/deposit.csv"], cwd=ROOT)
    assert ignored.returncode == 0


# --- declared dependencies against the lock files --------------------------------------------------------------

def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _lock_pins(name: str) -> dict:
    """The exact pins of one lock file, by canonical name (``-r`` includes are not followed)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{name}: {line} is not an exact pin"
        pins[canonicalize_name(req.name)] = spec[0].version
    return pins


def test_requirements_dev_includes_requirements_txt():
    lines = [line.strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    assert "-r requirements.txt" in lines


def test_every_declared_dependency_is_pinned_in_the_lock_and_every_pin_is_declared():
    """requirements.txt pins exactly `dependencies`; requirements-dev.txt pins exactly the extras; each pin
    satisfies the specifier pyproject declares."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = _pyproject()["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    extras = [Requirement(r) for reqs in project["optional-dependencies"].values() for r in reqs]
    assert {"test", "browser"} <= set(project["optional-dependencies"])
    for declared, lock in ((runtime, "requirements.txt"), (extras, "requirements-dev.txt")):
        pins = _lock_pins(lock)
        names = {canonicalize_name(r.name) for r in declared}
        assert names == set(pins), f"{lock}: undeclared {set(pins) - names}, unpinned {names - set(pins)}"
        for req in declared:
            assert str(req.specifier), f"{req.name} has no version bound in pyproject.toml"
            pin = pins[canonicalize_name(req.name)]
            assert req.specifier.contains(pin, prereleases=True), f"{req.name}=={pin} breaks {req.specifier}"


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
