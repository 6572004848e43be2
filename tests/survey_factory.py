"""Small random surveys in the contract layout, for tests (not the synthetic twin of the book)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import contract


def make_survey(n: int = 300, seed: int = 0, missing_rate: float = 0.02) -> pd.DataFrame:
    """A plausible random survey: a distress trait drives GAD-7/PHQ-8, a support trait the Likert items.

    Later waves are missing for roughly half the respondents; a few respondents
    are speeders; ``missing_rate`` of Likert items are blank.
    """
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"record_id": [f"R{seed:02d}-{i:05d}" for i in range(n)]})
    df["forum"] = rng.choice(contract.FORUMS, n, p=[0.02, 0.25, 0.36, 0.1, 0.12, 0.1, 0.05])
    df["t1_duration_min"] = np.round(
        np.where(rng.random(n) < 0.05, rng.uniform(1, 4.9, n), rng.lognormal(2.7, 0.4, n)), 2
    )
    for name, cats in contract.CATEGORY_COLUMNS.items():
        if name != "forum":
            p = np.linspace(len(cats), 1, len(cats))
            df[name] = rng.choice(cats, n, p=p / p.sum())
    for flag in ("reason_self", "reason_someone_else", "reason_help_others", "responded_or_liked_6wk"):
        df[flag] = (rng.random(n) < 0.6).astype(int)
    df["ever_posted"] = (rng.random(n) < 0.66).astype(int)
    df["posted_6wk"] = np.where(df["ever_posted"] == 1, (rng.random(n) < 0.8).astype(int), 0)

    support = rng.normal(size=n) + 0.3 * df["ever_posted"]

    def likert(loading, low=1, high=5, centre=3.4, spread=1.0):
        raw = centre + loading * support + rng.normal(scale=spread, size=n)
        return np.clip(np.round(raw), low, high).astype(float)

    df["visit_read"] = likert(0.6)
    df["stigma_inferior"] = likert(-0.4)
    for item in contract.SELFEFF_ITEMS:
        df[item] = likert(1.2, 1, 10, 6.0, 1.8)
    for item in contract.HELP_ITEMS + contract.MOD_ITEMS + contract.SAFE_ITEMS:
        df[item] = likert(-0.7 if item == "safe_3" else 0.7)

    distress = rng.normal(size=n)
    slope = rng.normal(-0.1, 0.3, size=n)
    present = {"t1": np.ones(n, bool), "t2": rng.random(n) < 0.5}
    present["t3"] = np.where(present["t2"], rng.random(n) < 0.8, rng.random(n) < 0.15)
    for w, wave in enumerate(contract.WAVES):
        for items in contract.CLINICAL_SCALES.values():
            for item in items:
                raw = 1.45 + 0.9 * (distress + w * slope) + rng.normal(scale=0.7, size=n)
                values = np.clip(np.round(raw), 0, 3)
                df[f"{wave}_{item}"] = np.where(present[wave], values, np.nan)
    likert_cols = [
        "visit_read",
        "stigma_inferior",
        *contract.SELFEFF_ITEMS,
        *contract.HELP_ITEMS,
        *contract.MOD_ITEMS,
        *contract.SAFE_ITEMS,
    ]
    for col in likert_cols:
        df.loc[rng.random(n) < missing_rate, col] = np.nan
    return df


def make_flipped_survey(n: int = 500, seed: int = 11) -> pd.DataFrame:
    """A contract-valid survey on which the paper's conclusions do not hold (for the book's wording).

    Built on :func:`make_survey`, then redrawn so that: PHQ-8 items rise by about 0.35 points a wave
    (the total rises, so ``phq_slope``, "no change", fails); self-efficacy falls as the support trait
    behind the T1_help and T1_mod items rises (``cmo1_help`` and ``cmo1_mod`` fail); people who have
    posted feel less safe (``cmo2_safe`` fails); and about 30% of respondents are female.
    """
    rng = np.random.default_rng(seed + 1000)
    df = make_survey(n, seed)
    others = [g for g in contract.GENDERS if g != "female"]
    df["gender"] = np.where(rng.random(n) < 0.3, "female", rng.choice(others, n))

    support = rng.normal(size=n)

    def likert(loading, low=1, high=5, centre=3.0, spread=0.8, shift=0.0):
        raw = centre + loading * support + shift + rng.normal(scale=spread, size=n)
        return np.clip(np.round(raw), low, high).astype(float)

    for item in contract.HELP_ITEMS + contract.MOD_ITEMS:
        df[item] = likert(0.8)
    for item in contract.SELFEFF_ITEMS:
        df[item] = likert(-1.5, 1, 10, 5.5, 1.5)
    posted = df["ever_posted"].to_numpy()
    for item in contract.SAFE_ITEMS:  # safe_3 is reverse-keyed: posters agree more that they feel outsiders
        df[item] = likert(0.0, shift=(0.8 if item == "safe_3" else -0.8) * posted)

    distress = rng.normal(size=n)
    slope = rng.normal(0.35, 0.2, size=n)
    for w, wave in enumerate(contract.WAVES):
        observed = df[f"{wave}_{contract.PHQ_ITEMS[0]}"].notna().to_numpy()
        for item in contract.PHQ_ITEMS:
            raw = 1.0 + 0.6 * distress + w * slope + rng.normal(scale=0.6, size=n)
            df[f"{wave}_{item}"] = np.where(observed, np.clip(np.round(raw), 0, 3), np.nan)
    return df


def write_survey(df: pd.DataFrame, path: Path) -> Path:
    """Write a survey frame as the contract's CSV (integers without decimals, blank = missing)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) and col != "t1_duration_min":
            out[col] = out[col].astype("Int64")
    out.to_csv(path, index=False)
    return Path(path)
