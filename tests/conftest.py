"""Shared fixtures: reference files and random contract surveys."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.paths import LAVAAN_DEMO
from survey_factory import make_survey, write_survey

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def survey_frame():
    """A random 400-respondent survey in the contract layout (as a frame)."""
    return make_survey(400, seed=7)


@pytest.fixture(scope="session")
def survey_csv(tmp_path_factory, survey_frame):
    """The same survey written as a contract CSV."""
    return write_survey(survey_frame, tmp_path_factory.mktemp("survey") / "survey.csv")


@pytest.fixture(scope="session")
def site():
    """The built site; built here if `make book` has not run (make test always builds it first)."""
    import subprocess
    import sys

    built = ROOT / "_build" / "html"
    if not (built / "index.html").exists():
        subprocess.run([sys.executable, "-m", "bookkit.build"], cwd=ROOT, check=True, timeout=1800)
    return built


@pytest.fixture(scope="session")
def lavaan_demo():
    if not LAVAAN_DEMO.exists():
        pytest.fail(f"reference file missing: {LAVAAN_DEMO} (it ships in data/reference/)")
    import pandas as pd

    return pd.read_csv(LAVAAN_DEMO)
