"""`make bench`: build, test, `reproduce` and multiverse timings, measured in one run, with ratios.

Works in a fresh clone of the current commit (in a temporary folder), reusing this checkout's
installed environment, so this checkout's `_build` is left alone. Steps:

1. cold build (no `_build`): `python -m bookkit.build` (results, notebooks, site);
2. rebuild with nothing changed; 3. after a markdown-only edit; 4. after a change to the survey file;
5. `make test` from cold (no `_build`): the build, `ruff check .`, then `pytest -n 2 -m "not slow"`;
   its ratio to the cold build is the one the project keeps at most 2.5;
6. the size of the explorable site's data after the cold build (``_static/explore``, gzip-compressed; the
   budget is 1 MB);
7. `reproduce` and the book's multiverse (with the joint test, serial and `--jobs 2`) on the twin, and on the
   twin scaled 100 times (ratio: to `reproduce`);
8. the explorable page on the cold build's site: a change of choice until the next frame, with Chromium's
   CPU throttled 4x (`benchmarks/explore_bench.py`; the budget is 100 ms).

Each build row records the notebooks executed and the growth models estimated (2 per estimation
part: GAD-7 and PHQ-8). Writes `benchmarks/latest.json` (the book's Benchmarks page) and prints a table.
Wall-clock figures: never asserted in tests.
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
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {system}"


def run(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def build(repo: Path, env: dict) -> tuple[float, int, int]:
    """One `make book` (without the set-up): seconds, notebooks executed, growth models estimated."""
    t, out = run([str(VENV_BIN / "python"), "-m", "bookkit.build"], repo, env)
    executed = int(re.search(r"executed (\d+) notebook", out).group(1)) + out.count("Executing notebook")
    parts = re.search(r"parts computed: (\{.*\})", out)
    fits = 2 * int(eval(parts.group(1)).get("growth_estimate", 0)) if parts else 0  # noqa: S307 (our own dict)
    return t, executed, fits


def make_test(repo: Path, env: dict) -> float:
    """`make test` without the set-up, from no `_build`: build, lint, fast tests."""
    shutil.rmtree(repo / "_build", ignore_errors=True)
    t1, _, _ = build(repo, env)
    t2, _ = run([str(VENV_BIN / "ruff"), "check", "."], repo, env)
    t3, _ = run(
        [str(VENV_BIN / "python"), "-m", "pytest", "-q", "-n", "2", "-m", "not slow", "-p", "no:cacheprovider"],
        repo,
        env,
    )
    return t1 + t2 + t3


def explore_size(repo: Path) -> dict:
    """Bytes of the explorable site's data (``_build/html/_static/explore``, :func:`bookkit.explore.sizes`:
    JSON and figure variants, raw and gzip-compressed file by file) after the cold build."""
    sys.path.insert(0, str(repo))
    from bookkit.explore import SITE_FOLDER, sizes

    return sizes(repo / "_build" / "html" / SITE_FOLDER)


def explore_line(found: dict) -> str:
    """One line: the explore folder's size, gzip-compressed, and its parts."""
    return (f"explore data: {found['total_gzip'] / 1e3:.0f} kB gzip ({found['total_bytes'] / 1e3:.0f} kB raw, "
            f"{found['files']} files): data {found['data_gzip'] / 1e3:.0f} kB, "
            f"figures {found['figures_gzip'] / 1e3:.0f} kB (budget 1,000 kB)")


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


def bench_multiverse(repo: Path = ROOT, env: dict | None = None, scaled: bool = True) -> list[dict]:
    """`reproduce` vs the book's multiverse (each conclusion's distinct analyses, ``--subset conclusions``)
    with the joint test's 500 permutations, serially and with ``--jobs 2``, on the twin; and, with
    ``scaled``, `reproduce` vs the same multiverse without permutations (``--jobs 2``) on the twin scaled
    100 times. Rows {what, seconds}, each one command-line run (start-up, loading and validation included).
    """
    env = env or dict(os.environ, PYTHONPATH=str(repo))
    py, twin = str(VENV_BIN / "python"), repo / "data/synthetic/ipof-survey-twin.csv"
    book = ["--subset", "conclusions"]
    runs = [("the twin (820 rows)", twin, "reproduce", []),
            ("the twin (820 rows)", twin, "multiverse", [*book, "--permutations", "500"]),
            ("the twin (820 rows)", twin, "multiverse", [*book, "--permutations", "500", "--jobs", "2"])]
    rows = []
    with tempfile.TemporaryDirectory(prefix="ipof-bench-mv-") as tmp:
        tmp = Path(tmp)
        if scaled:
            big = scaled_twin(twin, 100, tmp / "twin100.csv")
            runs += [("the twin x100 (82,000 rows)", big, "reproduce", []),
                     ("the twin x100 (82,000 rows)", big, "multiverse", [*book, "--permutations", "0", "--jobs", "2"])]
        for label, data, command, extra in runs:
            t, _ = run([py, "-m", "analysis", command, "--data", str(data), "--out", str(tmp / command), *extra],
                       repo, env)
            what = f"{command} {' '.join(extra)}".strip()
            rows.append({"what": f"{what} on {label}", "seconds": t})
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

        cold, n, fits = build(repo, env)
        timings.append({"what": "cold build", "seconds": cold, "executed": n, "growth_fits": fits})
        explore_sizes = explore_size(repo)
        t, n, fits = build(repo, env)
        timings.append({"what": "rebuild, nothing changed", "seconds": t, "executed": n, "growth_fits": fits})
        page = repo / "book/methods/approach.md"
        page.write_text(page.read_text() + "\nA sentence added by the benchmark.\n")
        t, n, fits = build(repo, env)
        timings.append({"what": "rebuild after a markdown-only edit", "seconds": t, "executed": n, "growth_fits": fits})
        lines = survey.read_text().splitlines()
        col = lines[0].split(",").index("t1_gad_1")
        for i in range(1, len(lines)):
            cells = lines[i].split(",")
            if cells[col] not in ("", "3"):
                cells[col] = str(int(cells[col]) + 1)
                lines[i] = ",".join(cells)
                break
        survey.write_text("\n".join(lines) + "\n")
        t, n, fits = build(repo, env)
        timings.append(
            {"what": "rebuild after a change to the survey file", "seconds": t, "executed": n, "growth_fits": fits}
        )
        for row in timings:
            row["ratio"] = row["seconds"] / cold
        (repo / "book/methods/approach.md").write_text(
            subprocess.run(
                ["git", "show", "HEAD:book/methods/approach.md"], cwd=repo, capture_output=True, text=True
            ).stdout
        )
        test_env = {k: v for k, v in env.items() if k != "IPOF_DATA"}
        t = make_test(repo, test_env)
        timings.append({"what": "make test (cold: build, lint, fast tests)", "seconds": t, "ratio": t / cold})

        mv = bench_multiverse(repo, dict(os.environ, PYTHONPATH=str(repo)))
        base = {row["what"].split(" on ", 1)[1]: row["seconds"] for row in mv if row["what"].startswith("reproduce")}
        for row in mv:
            row["ratio"] = row["seconds"] / base[row["what"].split(" on ", 1)[1]]
        timings += mv

        from explore_bench import bench_explore  # the explorable page on the cold build's site

        timings += [{**row, "ratio": None} for row in bench_explore(repo / "_build" / "html")]

    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    record = {
        "date": date.today().isoformat(),
        "commit": commit,
        "machine": machine(),
        "timings": timings,
        "ratio_note": "builds and make test: to the cold build; "
        "reproduce and multiverse: to reproduce on the same data",
        "explore": explore_sizes,
    }
    (ROOT / "benchmarks" / "latest.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"{'what':<48} {'seconds':>8} {'ratio':>6} {'executed':>9} {'fits':>5}")
    for row in timings:
        print(
            f"{row['what']:<48} {row['seconds']:8.3f} "
            f"{'' if row['ratio'] is None else format(row['ratio'], '6.2f'):>6} "
            f"{row.get('executed', ''):>9} "
            f"{row.get('growth_fits', ''):>5}"
        )
    print(explore_line(explore_sizes))


if __name__ == "__main__":
    main()
