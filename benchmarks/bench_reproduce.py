"""Time the engine: `reproduce` on the shipped twin (fresh process, imports included) and twin generation.

Prints each run and the median; the figures go in notes and the book, never
into test assertions.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label}: " + ", ".join(f"{t:.2f} s" for t in times) + f"; median {statistics.median(times):.2f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report("reproduce on the synthetic twin (820 rows)",
               timed([sys.executable, "-m", "analysis", "reproduce", "--out", f"{tmp}/out"], runs=3))
        report("generate and calibrate the twin",
               timed([sys.executable, "-m", "analysis.synthetic", "--quiet", "--out", f"{tmp}/twin.csv"], runs=1))


if __name__ == "__main__":
    main()
