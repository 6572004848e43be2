"""`make bench`: build and `reproduce` timings, measured in one run, with ratios to the cold build.

Works in a fresh clone of the current commit (in a temporary folder), reusing this checkout's
installed environment, so this checkout's `_build` is left alone. Steps:

1. cold build (no `_build`): `python -m analysis.buildcache execute` then `jupyter-book build`;
2. rebuild with nothing changed;
3. rebuild after a markdown-only edit;
4. rebuild after a change to the survey file (one answer changed in a copy the book reads);
5. `reproduce` on the twin; 6. `reproduce` on the twin scaled 100 times (generated here).

Writes `benchmarks/latest.json` (shown on the book's Benchmarks page) and prints a table.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024**2
    except (OSError, AttributeError):
        mem = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def run(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def build(repo: Path, env: dict) -> tuple[float, int]:
    t1, out1 = run([str(VENV_BIN / "python"), "-m", "analysis.buildcache", "execute"], repo, env)
    t2, out2 = run([str(VENV_BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"], repo, env)
    executed = int(re.search(r"executed (\d+) notebook", out1).group(1)) + out2.count("Executing notebook")
    return t1 + t2, executed


def scaled_twin(twin: Path, factor: int, out: Path) -> Path:
    lines = twin.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    with out.open("w", encoding="utf-8") as f:
        f.write(header + "\n")
        for k in range(factor):
            for row in rows:
                rid, rest = row.split(",", 1)
                f.write(f"{rid}-x{k:03d},{rest}\n")
    return out


def bench_multiverse(repo: Path = ROOT, env: dict | None = None) -> list[dict]:
    """`reproduce` vs `multiverse` (768 specifications) on the twin and on the twin scaled 100 times.

    Rows {what, seconds}, each one command-line run (start-up, loading and validation included). The
    multiverse is meant to take at most 10 times one `reproduce` on the twin, and under 100 times on the
    scaled file.
    """
    env = env or dict(os.environ, PYTHONPATH=str(repo))
    py, twin = str(VENV_BIN / "python"), repo / "data/synthetic/ipof-survey-twin.csv"
    rows = []
    with tempfile.TemporaryDirectory(prefix="ipof-bench-mv-") as tmp:
        tmp = Path(tmp)
        big = scaled_twin(twin, 100, tmp / "twin100.csv")
        for label, data in (("the twin (820 rows)", twin), ("the twin x100 (82,000 rows)", big)):
            for command in ("reproduce", "multiverse"):
                t, _ = run([py, "-m", "analysis", command, "--data", str(data), "--out", str(tmp / command)], repo, env)
                rows.append({"what": f"{command} on {label}", "seconds": t})
    return rows


def main() -> None:
    timings = []
    with tempfile.TemporaryDirectory(prefix="ipof-bench-") as tmp:
        tmp = Path(tmp)
        repo = tmp / "repo"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
        survey = tmp / "survey.csv"
        shutil.copy(repo / "data/synthetic/ipof-survey-twin.csv", survey)
        env = dict(os.environ, PYTHONPATH=str(repo), IPOF_DATA=str(survey), PATH=f"{VENV_BIN}:{os.environ['PATH']}")

        cold, n = build(repo, env)
        timings.append({"what": "cold build", "seconds": cold, "executed": n})
        t, n = build(repo, env)
        timings.append({"what": "rebuild, nothing changed", "seconds": t, "executed": n})
        page = repo / "book/methods/approach.md"
        page.write_text(page.read_text() + "\nA sentence added by the benchmark.\n")
        t, n = build(repo, env)
        timings.append({"what": "rebuild after a markdown-only edit", "seconds": t, "executed": n})
        lines = survey.read_text().splitlines()
        header = lines[0].split(",")
        col = header.index("t1_gad_1")
        for i in range(1, len(lines)):
            cells = lines[i].split(",")
            if cells[col] not in ("", "3"):
                cells[col] = str(int(cells[col]) + 1)
                lines[i] = ",".join(cells)
                break
        survey.write_text("\n".join(lines) + "\n")
        t, n = build(repo, env)
        timings.append({"what": "rebuild after a change to the survey file", "seconds": t, "executed": n})

        py = str(VENV_BIN / "python")
        t, _ = run([py, "-m", "analysis", "reproduce", "--data", str(repo / "data/synthetic/ipof-survey-twin.csv"),
                    "--out", str(tmp / "out1")], repo, env)
        timings.append({"what": "reproduce on the twin (820 rows)", "seconds": t})
        big = scaled_twin(repo / "data/synthetic/ipof-survey-twin.csv", 100, tmp / "twin100.csv")
        t, _ = run([py, "-m", "analysis", "reproduce", "--data", str(big), "--out", str(tmp / "out100")], repo, env)
        timings.append({"what": "reproduce on the twin x100 (82,000 rows)", "seconds": t})

    for row in timings:
        row["ratio"] = row["seconds"] / cold
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    record = {"date": date.today().isoformat(), "commit": commit, "machine": machine(), "timings": timings}
    (ROOT / "benchmarks" / "latest.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"{'what':<45} {'seconds':>8} {'ratio':>6} {'executed':>9}")
    for row in timings:
        print(f"{row['what']:<45} {row['seconds']:8.1f} {row['ratio']:6.2f} {row.get('executed', ''):>9}")


if __name__ == "__main__":
    main()
