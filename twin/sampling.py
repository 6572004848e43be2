"""Seeded draws with exact counts: categories, flags, attrition, items from totals, speeders.

Everything here is elementwise arithmetic on seeded draws followed by stable
sorts, so it gives the same bits on every machine: no BLAS, no float
comparison of fitted results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def exact_assignment(rng: np.random.Generator, counts: dict, order: np.ndarray | None = None) -> np.ndarray:
    """Categories with exact counts, assigned at random or, given ``order``, by rank of that score (lowest first)."""
    labels = np.repeat(list(counts), list(counts.values()))
    if order is None:
        return rng.permutation(labels)
    out = np.empty(len(labels), dtype=object)
    out[np.argsort(order, kind="stable")] = labels
    return out


def exact_flag(rng: np.random.Generator, n: int, k: int, score: np.ndarray | None = None) -> np.ndarray:
    """0/1 with exactly k ones: a random k, or the k highest of ``score``."""
    flag = np.zeros(n, dtype=int)
    idx = rng.permutation(n)[:k] if score is None else np.argsort(-score, kind="stable")[:k]
    flag[idx] = 1
    return flag


def attrition_mask(rng: np.random.Generator, score: np.ndarray, n_t2: int, n_t3: int, n_both: int) -> np.ndarray:
    """Who is present at T1, T2, T3 (n x 3): everyone at T1, exact wave sizes, higher ``score`` stays longer.

    The ``n_both`` highest (score plus standard-normal noise) are at T2 and T3,
    the next ``n_t2 - n_both`` at T2 only, the next ``n_t3 - n_both`` at T3 only.
    """
    n = len(score)
    order = np.argsort(-(score + rng.normal(scale=1.0, size=n)), kind="stable")
    present = np.zeros((n, 3), dtype=bool)
    present[:, 0] = True
    only2, only3 = n_t2 - n_both, n_t3 - n_both
    present[order[:n_both], 1:] = True
    present[order[n_both : n_both + only2], 1] = True
    present[order[n_both + only2 : n_both + only2 + only3], 2] = True
    return present


def items_from_totals(rng: np.random.Generator, total: np.ndarray, n_items: int, severity: np.ndarray) -> np.ndarray:
    """Split each total into ``n_items`` answers 0-3 that add up to it (NaN totals give NaN items).

    Each item has three one-point "slots"; a respondent's total picks that many
    slots, the most likely first (item difficulty, the respondent's severity and
    Gumbel noise), so that items correlate as a scale's items do.
    """
    n = len(total)
    difficulty = np.linspace(-0.4, 0.4, n_items)
    slot_rank = np.tile(np.arange(3), n_items)
    item_of_slot = np.repeat(np.arange(n_items), 3)
    score = (-difficulty[item_of_slot][None, :] - 0.9 * slot_rank[None, :]
             + 0.3 * severity[:, None] * (item_of_slot[None, :] % 2) + rng.gumbel(size=(n, 3 * n_items)))
    order = np.argsort(-score, axis=1, kind="stable")
    chosen = np.arange(3 * n_items)[None, :] < np.nan_to_num(total, nan=0).astype(int)[:, None]
    picked = np.zeros((n, 3 * n_items), dtype=int)
    np.put_along_axis(picked, order, chosen.astype(int), axis=1)
    items = picked.reshape(n, n_items, 3).sum(axis=2).astype(float)
    items[np.isnan(total)] = np.nan
    return items


def likert(rng: np.random.Generator, latent: np.ndarray, low: int, high: int, centre: float, loading: float,
           noise: float, n_items: int) -> np.ndarray:
    """``n_items`` integer answers low..high: centre + loading * latent + normal noise, rounded and clipped."""
    raw = centre + loading * latent[:, None] + rng.normal(scale=noise, size=(len(latent), n_items))
    return np.clip(np.round(raw), low, high).astype(int)


def speeders(rng: np.random.Generator, k: int, like: pd.DataFrame) -> pd.DataFrame:
    """``k`` respondents who finished T1 in under 5 minutes: valid answers, no follow-up (the pipeline excludes them).

    Each copies the forum-experience answers of a random included respondent;
    T1 clinical items are redrawn at random, T2 and T3 are missing.
    """
    rows = like.iloc[rng.permutation(len(like))[:k]].copy().reset_index(drop=True)
    for col in rows.columns:
        if col.startswith(("t2_", "t3_")):
            rows[col] = np.nan
        elif col.startswith("t1_") and col != "t1_duration_min":
            rows[col] = rng.integers(0, 4, size=k).astype(float)
    rows["t1_duration_min"] = np.round(rng.uniform(1.5, 4.9, size=k), 1)
    rows["ever_posted"] = np.maximum(rows["ever_posted"], rows["posted_6wk"])
    return rows
