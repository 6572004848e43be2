"""``reproduce``: run every analysis on one survey file and write the results manifest and tables.

``results.json`` is one flat JSON object with every key the survey data
contract lists (and more), numbers as JSON numbers and NaN as null, keys
sorted, so two runs on the same file give identical bytes. The tables are
CSV, with the book's disclosure control applied (:func:`analysis.disclosure.protect_tables`).
Everything is computed in memory first, written to a temporary folder beside
the output folder, and only then moved into place, so a failed run leaves an
earlier good output untouched.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from . import disclosure
from .engine import Results, run_analysis
from .loading import load_survey
from .options import Options

#: Manifest keys the contract requires (contract, "The results manifest").
REQUIRED_KEYS = tuple(
    [
        "n_t1", "n_t2", "n_t3", "n_excluded_speed", "n_female", "n_white", "n_age_16_24",
        "n_reason_self", "n_reason_someone_else", "n_reason_help_others", "n_use_over_1_month",
        "n_use_1_year_plus", "n_responded_or_liked", "n_posted_6wk", "n_ever_posted",
        "caseness_n_cases", "caseness_n_not_cases", "caseness_chi2", "caseness_df", "caseness_p",
        "caseness_cramers_v", "gad_t1_mean", "gad_t1_sd", "phq_t1_mean", "phq_t1_sd",
    ]
    + [
        f"{s}_lgcm_{k}"
        for s in ("gad", "phq")
        for k in (
            "n", "intercept_mean", "slope_mean", "slope_se", "slope_ci_low", "slope_ci_high",
            "intercept_var", "slope_var", "intercept_slope_cov", "intercept_slope_p", "chi2", "df",
            "p", "r2_t1", "r2_t2", "r2_t3", "improper", "warnings",
        )
    ]
    + ["r_selfeff_help", "p_selfeff_help", "r_selfeff_mod", "p_selfeff_mod"]
    + [f"{k}_{v}" for v in ("safe_total", "selfeff_total")
       for k in ("t", "df", "p_one_tailed", "p_two_tailed", "d", "welch")]
    + ["alpha_selfeff", "alpha_help", "alpha_mod", "alpha_safe"]
    + ["n_agree_help_isolated", "n_disagree_help_isolated", "n_agree_help_alone",
       "n_disagree_help_alone", "n_agree_stigma_inferior"]
)


def jsonable(value):
    """A manifest value as JSON: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def manifest_json(values: dict) -> str:
    """The manifest as JSON text (:func:`analysis.store.json_text`): sorted keys, NaN as null, numbers never
    strings."""
    from .store import json_text

    return json_text({k: jsonable(v) for k, v in values.items()})


def write_outputs(results: Results, out_dir: Path) -> list[Path]:
    """Write results.json and the disclosure-controlled tables/*.csv into ``out_dir`` all-or-nothing."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".reproduce-", dir=out_dir.parent))
    try:
        (staging / "results.json").write_text(manifest_json(results.values), encoding="utf-8")
        (staging / "tables").mkdir()
        shown = disclosure.protect_tables(results.tables, results.values["n_t1"])
        for name, table in shown.items():
            table.to_csv(staging / "tables" / f"{name}.csv", index=False, float_format="%.10g", lineterminator="\n")
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "tables").mkdir(exist_ok=True)
        written = []
        for src in sorted(staging.rglob("*")):
            if src.is_file():
                dest = out_dir / src.relative_to(staging)
                os.replace(src, dest)
                written.append(dest)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def reproduce(data: Path, out_dir: Path, options: Options = Options()) -> Results:
    """Load and validate ``data``, run every analysis, write the outputs.

    Raises ContractError on a file that breaks the contract and AnalysisError on data too small for
    an analysis; nothing is written then.
    """
    results = run_analysis(load_survey(data), options)
    write_outputs(results, out_dir)
    return results
