"""Data-aware execution: which notebooks run after each kind of change, and that new data reach the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import buildcache, paths

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SURVEY_NOTEBOOKS = {d for d in buildcache.notebooks() if d not in buildcache.NO_SURVEY}


def test_fingerprint_follows_the_survey_not_the_prose(tmp_path):
    twin = tmp_path / "twin.csv"
    shutil.copy(paths.SYNTHETIC_TWIN, twin)
    before = {d: buildcache.fingerprint(d, twin) for d in buildcache.notebooks()}
    twin.write_text(twin.read_text().replace("SYN-0001,", "SYN-0001x,", 1))
    after = {d: buildcache.fingerprint(d, twin) for d in buildcache.notebooks()}
    changed = {d for d in before if before[d] != after[d]}
    assert changed == SURVEY_NOTEBOOKS
    assert "book/results/program-theory" not in changed and "book/audit" not in changed
    assert all("book/methods" not in i for d in before for i in buildcache.inputs(d))


def copy_worktree(dest: Path) -> Path:
    """The working tree as git sees it (tracked and untracked-not-ignored files), without builds."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def build(repo: Path, env: dict) -> tuple[set[str], str]:
    """Run make book's two steps; return the notebooks executed (pre-step and Sphinx) and the Sphinx log."""
    pre = subprocess.run([str(BIN / "python"), "-m", "analysis.buildcache", "execute"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert pre.returncode == 0, pre.stderr[-2000:]
    executed = set(re.findall(r"^  (book/\S+)\.ipynb:", pre.stdout, flags=re.M))
    executed |= {f"variant {m}" for m in re.findall(r"^  variant (\S+)", pre.stdout, flags=re.M)}
    jb = subprocess.run([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"], cwd=repo, env=env,
                        capture_output=True, text=True, timeout=1200)
    assert jb.returncode == 0, jb.stdout[-3000:]
    log = re.sub(r"\x1b\[[0-9;]*m", "", jb.stdout + jb.stderr)
    executed |= {m for m in re.findall(r"/(book/\S+)\.ipynb: Executing notebook", log)}
    return executed, log


def shown_gad_mean(repo: Path) -> str:
    html = (repo / "_build/html/book/results/growth.html").read_text(encoding="utf-8")
    return re.search(r"score at time 1 was\s*<a[^>]*><span class=\"pasted-text\">([^<]+)<", html).group(1)


@pytest.mark.slow
def test_each_kind_of_change_runs_exactly_the_notebooks_it_should(tmp_path):
    repo = copy_worktree(tmp_path / "repo")
    survey = tmp_path / "survey.csv"
    shutil.copy(paths.SYNTHETIC_TWIN, survey)
    env = dict(os.environ, PYTHONPATH=str(repo), IPOF_DATA=str(survey), PATH=f"{BIN}:{os.environ['PATH']}")

    cold, _ = build(repo, env)
    assert set(buildcache.notebooks()) <= cold
    before = shown_gad_mean(repo)

    unchanged, log = build(repo, env)
    assert unchanged == set()
    assert "0 added, 0 changed, 0 removed" in log

    page = repo / "book/methods/approach.md"
    page.write_text(page.read_text() + "\nAn added sentence.\n")
    prose, log = build(repo, env)
    assert prose == set()
    assert "0 added, 1 changed, 0 removed" in log
    assert "An added sentence." in (repo / "_build/html/book/methods/approach.html").read_text()

    lines = survey.read_text().splitlines()
    col = lines[0].split(",").index("t1_gad_1")
    changed = 0
    for i in range(1, len(lines)):  # one more point on one GAD-7 item for 60 respondents
        cells = lines[i].split(",")
        if cells[col] in ("0", "1", "2") and float(cells[2]) >= 5 and changed < 60:
            cells[col] = str(int(cells[col]) + 1)
            lines[i] = ",".join(cells)
            changed += 1
    # a free-text column (outside the contract) with a marker: accepted, never rendered
    lines = [lines[0] + ",free_text"] + [line + ",ZZ-FREE-TEXT-MARKER" for line in lines[1:]]
    survey.write_text("\n".join(lines) + "\n")
    data, _ = build(repo, env)
    notebooks_run = {d for d in data if d.startswith("book/")}
    assert notebooks_run == SURVEY_NOTEBOOKS
    assert any(d.startswith("variant") for d in data)
    assert shown_gad_mean(repo) != before
    ids = {line.split(",", 1)[0] for line in lines[1:]}
    for path in (repo / "_build" / "html").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".json", ".ipynb", ".md"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert "ZZ-FREE-TEXT-MARKER" not in text and "free_text" not in text, path
            assert not set(re.findall(r"SYN-\d{4}", text)) & ids, path
