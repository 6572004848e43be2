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
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [l for l in lines if l and not l.startswith("#")]
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
