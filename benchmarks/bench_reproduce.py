"""Time `python -m analysis reproduce` end to end (a fresh process each run, imports included).

Runs on the shipped synthetic twin when it exists, otherwise on an 800-row
random survey in the contract layout. Prints each run and the median; the
figures go in notes and the book, never into test assertions.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from analysis import paths  # noqa: E402


def time_reproduce(data: Path, out: Path, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analysis", "reproduce", "--data", str(data), "--out", str(out)],
                       cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if paths.SYNTHETIC_TWIN.exists():
            data, label = paths.SYNTHETIC_TWIN, "synthetic twin"
        else:
            from survey_factory import make_survey, write_survey

            data, label = write_survey(make_survey(800, seed=1), tmp / "survey.csv"), "800-row random survey"
        rows = sum(1 for _ in data.open()) - 1
        times = time_reproduce(data, tmp / "out")
        print(f"reproduce on the {label} ({rows} rows), {len(times)} runs: "
              + ", ".join(f"{t:.2f} s" for t in times) + f"; median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
