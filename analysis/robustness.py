"""The robustness panel's papermill variants: which chapters re-run under which analytic choices.

Each variant is a chapter notebook executed by papermill with other parameters. Results are kept
under ``_build/variants`` keyed by a fingerprint of the notebook, the parameters, the survey file and
the analysis package, so a variant re-executes exactly when one of those changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import paths

VARIANTS_DIR = paths.ROOT / "_build" / "variants"
TTESTS = "book/appendices/appendix-9-ttests.ipynb"
CASENESS = "book/results/caseness.ipynb"
GROWTH = "book/results/growth.ipynb"

#: The panel's baseline parameters (the robustness notebook's defaults: the paper's choices).
BASELINE = {"data_path": None, "exclusion_minutes": 5.0}

#: name -> (notebook, parameters beyond the baseline's)
RUNS: dict[str, tuple[str, dict]] = {
    "ttests": (TTESTS, {}),
    "ttests_one_tailed": (TTESTS, {"tails": 1}),
    "ttests_student": (TTESTS, {"force": "student"}),
    "ttests_welch": (TTESTS, {"force": "welch"}),
    "caseness": (CASENESS, {}),
    "caseness_yates": (CASENESS, {"yates": True}),
    "caseness_excl0": (CASENESS, {"exclusion_minutes": 0.0}),
    "caseness_excl10": (CASENESS, {"exclusion_minutes": 10.0}),
    "growth": (GROWTH, {}),
    "growth_listwise": (GROWTH, {"growth_missing": "listwise"}),
}


def variant_key(notebook: str, parameters: dict) -> str:
    """Fingerprint of a variant: notebook source, parameters, survey file, analysis package."""
    from .buildcache import package_hash

    survey = paths.survey_file(parameters.get("data_path"))
    digest = hashlib.sha256()
    digest.update((paths.ROOT / notebook).read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(hashlib.sha256(survey.read_bytes()).hexdigest().encode())
    digest.update(package_hash().encode())
    return digest.hexdigest()[:20]


def variant(notebook: str, parameters: dict) -> dict:
    """The glued results of a chapter executed with ``parameters`` (executed now unless already current)."""
    from .book import glued_records, run_variant

    key = variant_key(notebook, parameters)
    path = VARIANTS_DIR / f"{Path(notebook).stem}--{key}.ipynb"
    if not path.exists():
        VARIANTS_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            produced = run_variant(notebook, parameters, tmp, keep=True)
            shutil.move(str(produced), path)
    return glued_records(path)


def run_all(base: dict, workers: int = 2) -> dict[str, dict]:
    """Every variant of :data:`RUNS` on top of the baseline parameters ``base``."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(variant, nb, {**base, **params}) for name, (nb, params) in RUNS.items()}
        return {name: f.result() for name, f in futures.items()}
