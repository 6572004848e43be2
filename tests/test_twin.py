"""The shipped synthetic twin: its data card's SHA-256, the paper's printed values through the engine,
and (slow) regeneration: two runs byte-identical, and the regenerated file meets every printed value."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import optimize

from analysis import paths
from analysis.loading import load_survey
from analysis.reproduce import run_analysis

ROOT = Path(__file__).resolve().parent.parent
DATA_CARD = paths.SYNTHETIC_TWIN.parent / "README.md"
PUBLISHED = yaml.safe_load((Path(__file__).parent / "published_values.yaml").read_text())
CHECKS = [(section, key, spec) for section, values in PUBLISHED.items() for key, spec in values.items()]


def misses_published(results: dict) -> list[str]:
    """Every published value the results do not meet: statistics at their printed precision, counts exactly."""
    out = []
    for _, key, spec in CHECKS:
        got = results[key]
        if isinstance(spec, dict):
            if not abs(got - spec["value"]) < 0.5 * 10.0 ** -spec["decimals"]:
                out.append(f"{key}: {got} does not round to {spec['value']}")
        elif got != spec:
            out.append(f"{key}: {got} != {spec}")
    return out


@pytest.fixture(scope="module")
def twin_results(tmp_path_factory):
    """`reproduce` on the shipped twin (named explicitly: the tests may run with $IPOF_DATA set)."""
    from analysis.__main__ import main

    out = tmp_path_factory.mktemp("twin")
    assert main(["reproduce", "--data", str(paths.SYNTHETIC_TWIN), "--out", str(out)]) == 0
    return json.loads((out / "results.json").read_text())


def test_committed_twin_has_the_data_cards_sha256():
    stated = re.findall(r"SHA-256[^`\n]*`([0-9a-f]{64})`", DATA_CARD.read_text(encoding="utf-8"))
    assert len(stated) == 1, "the data card must state the canonical file's SHA-256 once, in backticks"
    assert hashlib.sha256(paths.SYNTHETIC_TWIN.read_bytes()).hexdigest() == stated[0]


@pytest.mark.parametrize("section,key,spec", CHECKS, ids=[f"{s}:{k}" for s, k, _ in CHECKS])
def test_twin_meets_the_published_value(twin_results, section, key, spec):
    got = twin_results[key]
    if isinstance(spec, dict):
        half = 0.5 * 10.0 ** -spec["decimals"]
        assert abs(got - spec["value"]) < half, f"{key}: {got} does not round to {spec['value']}"
    else:
        assert got == spec, f"{key}: {got} != {spec}"


def test_the_check_can_fail(twin_results):
    bad = dict(twin_results, gad_t1_mean=twin_results["gad_t1_mean"] + 0.01, n_t2=twin_results["n_t2"] + 1)
    assert not misses_published(twin_results)
    assert [m.split(":")[0] for m in misses_published(bad)] == ["n_t2", "gad_t1_mean"]


def test_twin_has_speeders_excluded_by_default(twin_results):
    assert twin_results["n_excluded_speed"] > 0
    assert twin_results["n_file_rows"] == twin_results["n_t1"] + twin_results["n_excluded_speed"]


@pytest.mark.slow
def test_regeneration_is_deterministic_and_meets_the_published_values(tmp_path):
    outs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for out in outs:
        proc = subprocess.run(
            [sys.executable, "-m", "twin", "--quiet", "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
    assert outs[0].read_bytes() == outs[1].read_bytes(), "two runs on one machine must give identical bytes"
    assert not misses_published(run_analysis(load_survey(outs[0])).values)


def test_generator_does_not_read_the_published_values():
    for source in (ROOT / "twin").glob("*.py"):
        assert "published_values" not in source.read_text(), source


def test_analysis_holds_no_generator():
    assert not (ROOT / "analysis" / "synthetic.py").exists()
    for source in (ROOT / "analysis").glob("*.py"):
        assert "import twin" not in source.read_text() and "from twin" not in source.read_text(), source


# --- the posters/never-posters split (data card) --------------------------------------------


def student_t_over_d(n_posted: int, n: int = 791) -> float:
    """Student's t = d * sqrt(n1 n0 / N) (pooled SD in both), so t / d depends on the split only."""
    return float(np.sqrt(n_posted * (n - n_posted) / n))


def welch_df_for(n_posted: int, t_over_d: float, n: int = 791) -> float:
    """Welch df when the never-posters' variance ratio r makes Welch t / Cohen's d equal t_over_d."""
    n0 = n - n_posted

    def ratio(r):
        pooled = np.sqrt(((n_posted - 1) + (n0 - 1) * r) / (n - 2))
        return pooled / np.sqrt(1 / n_posted + r / n0) - t_over_d

    r = optimize.brentq(ratio, 1.0, 20.0)
    se2 = 1 / n_posted + r / n0
    return se2**2 / ((1 / n_posted) ** 2 / (n_posted - 1) + (r / n0) ** 2 / (n0 - 1))


def split_fits(n_posted: int) -> bool:
    """Can both printed t tests (t 2.638, d 0.199, Student; t 4.931, d 0.407, df 419, Welch) hold?"""
    grid_t, grid_d = np.linspace(-0.0005, 0.0005, 21), np.linspace(-0.0005, 0.0005, 21)
    student = any(abs(d * student_t_over_d(n_posted) - 2.638) < 0.0005 for d in 0.199 + grid_d)
    welch = any(
        round(welch_df_for(n_posted, (4.931 + a) / (0.407 + b))) == 419 for a in grid_t[::5] for b in grid_d[::5]
    )
    return student and welch


def test_only_525_to_528_posters_fit_both_published_t_tests():
    fitting = [k for k in range(500, 560) if split_fits(k)]
    assert fitting == [525, 526, 527, 528]
    assert not split_fits(510)  # posted in the last 6 weeks: cannot be the grouping
    assert PUBLISHED["sample"]["n_posted_6wk"] == 510
