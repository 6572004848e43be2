"""Run every analysis of the paper on one survey file and write the results manifest and tables.

``results.json`` is one flat JSON object with every key the survey data
contract lists (and a few more), numbers as JSON numbers and NaN as null,
keys sorted, so that two runs on the same file give identical bytes. Tables
are CSV. Everything is computed in memory first, written to a temporary
folder beside the output folder, and only then moved into place, so a failed
run leaves an earlier good output untouched.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import caseness, contract, correlations, growth, sample, scales, ttests
from .loading import DEFAULT_EXCLUSION_MINUTES, Survey, load_survey

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
            "p", "r2_t1", "r2_t2", "r2_t3",
        )
    ]
    + ["r_selfeff_help", "p_selfeff_help", "r_selfeff_mod", "p_selfeff_mod"]
    + [f"{k}_{v}" for v in ("safe_total", "selfeff_total")
       for k in ("t", "df", "p_one_tailed", "p_two_tailed", "d", "welch")]
    + ["alpha_selfeff", "alpha_help", "alpha_mod", "alpha_safe"]
    + ["n_agree_help_isolated", "n_disagree_help_isolated", "n_agree_help_alone",
       "n_disagree_help_alone", "n_agree_stigma_inferior"]
)


@dataclass(frozen=True)
class Options:
    """The analytic choices a reviewer may vary (papermill parameters of the notebooks)."""

    exclusion_minutes: float = DEFAULT_EXCLUSION_MINUTES
    yates: bool = False  # continuity correction on the caseness test
    growth_missing: str = "fiml"  # or "listwise"
    growth_information: str = "observed"  # or "expected"
    ttest_force: str | None = None  # None (Levene rule), "student" or "welch"


@dataclass
class Analysis:
    """Everything ``reproduce`` computes: the flat manifest and the tables."""

    results: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def analysis_frame(survey_sample: pd.DataFrame) -> pd.DataFrame:
    """The included sample with the subscale scores and T1 clinical totals added."""
    frame = survey_sample.join(scales.subscales(survey_sample))
    for scale in contract.CLINICAL_SCALES:
        for wave in contract.WAVES:
            frame[f"{scale}_{wave}_total"] = scales.clinical_total(survey_sample, scale, wave)
    return frame


def file_sha256(path: Path) -> str:
    """SHA-256 of the data file's bytes (provenance)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_analysis(survey: Survey, options: Options = Options()) -> Analysis:
    """Compute the manifest and tables for a validated survey (no files written)."""
    smp = survey.sample
    frame = analysis_frame(smp)
    res: dict = {}
    res.update(sample.wave_sizes(smp))
    res["n_excluded_speed"] = survey.n_excluded_speed
    res["n_file_rows"] = len(survey.data)
    res.update(sample.sample_counts(smp))
    forum_sizes = sample.forum_counts(smp).set_index("forum")["n_t1"]
    res.update({f"n_forum_{forum}": int(n) for forum, n in forum_sizes.items()})
    res["n_forums"] = int((forum_sizes > 0).sum())
    res["n_use_daily"] = int((smp["use_frequency"] == "daily").sum())
    res.update(caseness.caseness_results(smp, correction=options.yates))

    for scale in contract.CLINICAL_SCALES:
        t1 = frame[f"{scale}_t1_total"].dropna()
        res[f"{scale}_t1_n"] = len(t1)
        res[f"{scale}_t1_mean"] = float(t1.mean())
        res[f"{scale}_t1_sd"] = float(t1.std(ddof=1))

    growth_tables = []
    for scale in contract.CLINICAL_SCALES:
        observed = scales.clinical_totals(smp, scale)
        fit = growth.fit_lgcm(
            observed,
            contract.WAVE_TIME_SCORES,
            information=options.growth_information,
            missing=options.growth_missing,
        )
        res.update(growth.growth_results(scale, fit))
        table = fit.table()
        table.insert(0, "scale", scale)
        growth_tables.append(table)
        implied_mu, implied_sigma = fit.implied
        res.update({f"{scale}_lgcm_implied_mean_{w}": float(m) for w, m in zip(contract.WAVES, implied_mu)})
        res.update({f"{scale}_{w}_observed_mean": float(observed[w].mean()) for w in contract.WAVES})

    corr = correlations.correlation_table(frame)
    for other, key in (("T1_help_total", "help"), ("T1_mod_total", "mod")):
        r, p, n = correlations.pearson(frame["selfeff_total"], frame[other])
        res[f"r_selfeff_{key}"], res[f"p_selfeff_{key}"], res[f"n_selfeff_{key}"] = r, p, n

    tt = ttests.ttest_table(frame, force=options.ttest_force)
    for row in tt.itertuples():
        if row.variable in ("safe_total", "selfeff_total"):
            v = row.variable
            res.update({f"t_{v}": row.t, f"df_{v}": row.df, f"p_one_tailed_{v}": row.p_one_tailed,
                        f"p_two_tailed_{v}": row.p_two_tailed, f"d_{v}": row.d, f"welch_{v}": bool(row.welch),
                        f"n_posted_{v}": row.n_posted, f"n_never_{v}": row.n_never})

    rel = scales.reliability_table(smp)
    alpha_keys = {"selfeff_total": "selfeff", "T1_help_total": "help", "T1_mod_total": "mod", "safe_total": "safe"}
    for row in rel.itertuples():
        res[f"alpha_{alpha_keys[row.subscale]}"] = row.alpha

    for item in ("help_isolated", "help_alone", "stigma_inferior"):
        counts = scales.agreement_counts(smp[item])
        res[f"n_agree_{item}"] = counts["agree"]
        res[f"n_disagree_{item}"] = counts["disagree"]

    res["exclusion_minutes"] = survey.exclusion_minutes
    res["growth_missing"] = options.growth_missing
    res["growth_information"] = options.growth_information
    res["ttest_force"] = options.ttest_force or "levene"
    res["data_sha256"] = file_sha256(survey.path)

    nhs_cases, nhs_not = caseness.nhs_reference()
    tables = {
        "sample_description": sample.description_table(smp),
        "forums": sample.forum_counts(smp),
        "reliability": rel,
        "caseness": pd.DataFrame(
            {
                "group": ["iPOF survey", "NHS Talking Therapies North West 2022-23"],
                "cases": [res["caseness_n_cases"], nhs_cases],
                "not_cases": [res["caseness_n_not_cases"], nhs_not],
            }
        ),
        "growth": pd.concat(growth_tables, ignore_index=True),
        "correlations": corr,
        "ttests": tt,
    }
    return Analysis(results=res, tables=tables)


def _jsonable(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value


def manifest_json(results: dict) -> str:
    """The manifest as JSON text: sorted keys, NaN as null, numbers never strings."""
    return json.dumps({k: _jsonable(v) for k, v in results.items()}, indent=2, sort_keys=True, allow_nan=False) + "\n"


def write_outputs(analysis: Analysis, out_dir: Path) -> list[Path]:
    """Write results.json and tables/*.csv into ``out_dir`` all-or-nothing; return the paths written."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".reproduce-", dir=out_dir.parent))
    try:
        (staging / "results.json").write_text(manifest_json(analysis.results), encoding="utf-8")
        (staging / "tables").mkdir()
        for name, table in analysis.tables.items():
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


def reproduce(data: Path, out_dir: Path, options: Options = Options()) -> Analysis:
    """Load and validate ``data``, run every analysis, write the outputs; raise ContractError on bad input."""
    survey = load_survey(data, exclusion_minutes=options.exclusion_minutes)
    analysis = run_analysis(survey, options)
    write_outputs(analysis, out_dir)
    return analysis
