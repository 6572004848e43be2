"""Where the project keeps things (one place, relative to the repository root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
#: The shipped synthetic twin (issue 3); the default input of ``reproduce``.
SYNTHETIC_TWIN = DATA / "synthetic" / "ipof-survey-twin.csv"
NHS_REFERENCE = DATA / "reference" / "nhs-talking-therapies-north-west-2022-23.csv"
#: lavaan's ``Demo.growth`` data, the external reference case of the growth model (data/reference/README.md).
LAVAAN_DEMO = DATA / "reference" / "lavaan-demo-growth.csv"
#: The paper's full text (CC BY 4.0, data/paper/README.md): snippets of the ledger and the CMO data are checked in it.
PAPER_TEXT = DATA / "paper" / "lobban-2025-jmir-peer-online-forums.txt"
DEFAULT_OUT = ROOT / "_build" / "results"

#: Environment variable that points the book (notebooks and pages) at another survey file.
DATA_ENV = "IPOF_DATA"


def survey_file(path=None) -> Path:
    """The survey the book reads: ``path`` if given, else ``$IPOF_DATA``, else the synthetic twin.

    Relative paths are taken from the repository root, so a notebook runs the same from any folder.
    """
    import os

    chosen = path or os.environ.get(DATA_ENV) or SYNTHETIC_TWIN
    chosen = Path(chosen)
    return chosen if chosen.is_absolute() else ROOT / chosen
