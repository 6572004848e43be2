"""Where the project keeps things (one place, relative to the repository root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
#: The shipped synthetic twin (issue 3); the default input of ``reproduce``.
SYNTHETIC_TWIN = DATA / "synthetic" / "ipof-survey-twin.csv"
NHS_REFERENCE = DATA / "reference" / "nhs-talking-therapies-north-west-2022-23.csv"
DEFAULT_OUT = ROOT / "_build" / "results"
