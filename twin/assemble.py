"""The whole twin: sample composition, clinical totals and items, forum items, speeders, record ids.

Each stage draws from its own seeded stream (:func:`twin.decide.streams`).
Record ids are drawn first: respondent i of the generation gets ``SYN-`` and
a number from a seeded permutation, and the file is sorted by record id. So
the row order is fixed before any calibration, ties are broken by record id,
and a calibration that ends differently changes only the answers it moved,
never the order of the rows.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import contract
from analysis.loading import load_survey
from analysis.reproduce import run_analysis

from . import decide
from .clinical import calibrate_clinical
from .forum import BLOCKS, FIXED, calibrate_forum, initial_state
from .parameters import ALSO_CHECKED, PARAMETERS, TARGETS
from .sampling import attrition_mask, exact_assignment, exact_flag, items_from_totals, speeders

log = logging.getLogger(__name__)


def composition(rng: np.random.Generator, n: int, distress: np.ndarray, engagement: np.ndarray) -> pd.DataFrame:
    """Forum, demographics, reasons, use and posting flags with the exact counts of :data:`PARAMETERS`."""
    p = PARAMETERS
    df = pd.DataFrame(index=range(n))
    for var in ("forum", "gender", "ethnicity", "age_group", "sexuality"):
        df[var] = exact_assignment(rng, p["forums" if var == "forum" else var])
    df["use_duration"] = exact_assignment(rng, p["use_duration"], order=engagement + rng.normal(size=n))
    df["use_frequency"] = exact_assignment(rng, p["use_frequency"], order=-engagement + rng.normal(size=n))
    df["reason_self"] = exact_flag(rng, n, p["reason_self"], distress + rng.normal(size=n))
    df["reason_someone_else"] = exact_flag(rng, n, p["reason_someone_else"])
    df["reason_help_others"] = exact_flag(rng, n, p["reason_help_others"], engagement + rng.normal(size=n))
    df["responded_or_liked_6wk"] = exact_flag(rng, n, p["responded_or_liked_6wk"], engagement + rng.normal(size=n))
    posting = engagement + rng.normal(scale=0.7, size=n)
    df["ever_posted"] = exact_flag(rng, n, p["ever_posted"], posting)
    recent = np.where(df["ever_posted"] == 1, posting + rng.normal(scale=0.5, size=n), -np.inf)
    df["posted_6wk"] = exact_flag(rng, n, p["posted_6wk"], recent)
    return df


def generate(seed: int = PARAMETERS["seed"], fit_generation: bool = False) -> pd.DataFrame:
    """The twin as a frame in the contract layout: included respondents and speeders, sorted by record id.

    The growth models' generation parameters are the recorded ones for the
    recorded seed; with ``fit_generation`` or another seed they are fitted by
    least squares, and the result may then differ between machines.
    """
    p = PARAMETERS
    generation = p["generation"]
    if fit_generation or seed != p["seed"]:
        log.warning("fitting the generation parameters by least squares: the result may differ between machines")
        generation = None
    rng = decide.streams(seed)
    n, k = p["n_included"], p["n_speeders"]
    record_number = rng["record_ids"].permutation(n + k) + 1
    rank = record_number[:n]  # tie-break order of the included respondents
    distress = rng["sample"].standard_normal(n)
    engagement = rng["sample"].standard_normal(n)
    df = composition(rng["sample"], n, distress, engagement)

    log.info("calibrating GAD-7 and PHQ-8")
    age_rank = df["age_group"].map({a: i for i, a in enumerate(contract.AGE_GROUPS)}).to_numpy(float)
    present = attrition_mask(
        rng["attrition"], 0.3 * age_rank + 0.3 * engagement, p["n_t2"], p["n_t3"], p["n_t2_and_t3"]
    )
    totals = calibrate_clinical(rng["clinical"], present, rank, generation)
    for scale, stems in contract.CLINICAL_SCALES.items():
        for w, wave in enumerate(contract.WAVES):
            items = items_from_totals(rng["items"], totals[scale][:, w], len(stems), distress)
            for j, stem in enumerate(stems):
                df[f"{wave}_{stem}"] = items[:, j]

    log.info("calibrating the forum-experience items")
    ever = df["ever_posted"].to_numpy()
    state = initial_state(rng["forum"], ever, distress)
    calibrate_forum(rng["search"], state, ever)
    for block, (names, _, _) in BLOCKS.items():
        for j, item in enumerate(names):
            df[item] = state[block][:, j].astype(float)
    for j, item in enumerate(FIXED):
        df[item] = state["fixed"][:, j].astype(float)

    extra = rng["extras"]
    resonance = state["help"][:, 0] + extra.normal(scale=0.8, size=n)
    df["visit_read"] = np.clip(np.round(2.2 + 0.5 * resonance), 1, 5)
    counts = dict(zip(range(1, 6), p["likert_counts"]["stigma_inferior"], strict=False))
    df["stigma_inferior"] = exact_assignment(
        extra, counts, order=distress - 0.3 * state["selfeff"].mean(axis=1) + extra.normal(size=n)
    ).astype(float)
    df["t1_duration_min"] = np.round(5.0 + extra.lognormal(2.2, 0.6, size=n), 1)

    full = pd.concat([df, speeders(rng["speeders"], k, df)], ignore_index=True)
    full.insert(0, "record_id", [f"SYN-{i:04d}" for i in record_number])
    full = full.sort_values("record_id", kind="stable").reset_index(drop=True)
    return full[list(contract.COLUMN_NAMES)]


def to_csv_text(df: pd.DataFrame) -> str:
    """The contract CSV: whole numbers without decimals, one-decimal durations, blank = missing, LF endings."""
    out = df.copy()
    for col in out.columns:
        if col == "t1_duration_min":
            out[col] = out[col].map(lambda v: f"{v:.1f}")
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype("Int64")
    return out.to_csv(index=False, lineterminator="\n")


def verify(path: Path) -> list[str]:
    """Run the real engine on a written twin; list every calibration target it misses at printed precision."""
    results = run_analysis(load_survey(path)).values
    misses = []
    for key, target in {**TARGETS, **ALSO_CHECKED}.items():
        if key in results and target.miss(results[key]) >= 1:
            misses.append(f"{key} = {results[key]:.6g}, calibrated towards {target.value:g} +/- {target.half_width:g}")
    if not (results["welch_selfeff_total"] and not results["welch_safe_total"]):
        misses.append("Levene's rule must pick Welch for selfeff_total and Student for safe_total")
    return misses
