"""Forum-experience items (self-efficacy, helpfulness, moderation, safety) meeting the correlation and t-test targets.

Generation: latent helpfulness, moderation, safety and self-efficacy traits
(self-efficacy also falls with distress; posting raises self-efficacy and
safety; never-posters' self-efficacy is more spread out) give integer Likert
answers. ``help_isolated`` and ``help_alone`` get the exact distributions the
paper's agree/disagree counts imply and never move.

Calibration (:func:`calibrate_forum`): a seeded stream proposes one answer
moved by one point, half the time with an opposite move by someone in the
same posting group (which changes that group's spread but not its mean). The
proposal is kept when the loss in integer units (:mod:`twin.decide`) goes
strictly down, so a move that leaves every statistic unchanged in exact
arithmetic (two answers swapped within a group) is always undone, whatever
its last bits. The sequence of proposals depends on the seed only, not on
which earlier ones were kept. It stops once every target is within the
margin and Levene's test picks Student's t for safe_total and Welch's for
selfeff_total, each with room to spare.

The statistics are the engine's: :func:`analysis.correlations.pearson` and
:func:`analysis.ttests.compare_groups` (Levene centred on the mean, Cohen's d
on the pooled SD), on subscale scores that are the engine's exactly
(:func:`subscale_scores` is checked against :func:`analysis.scales.subscales`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis import contract, correlations, scales, ttests

from . import decide
from .parameters import LEVENE_SAFE_MIN, LEVENE_SELFEFF_MAX, PARAMETERS
from .sampling import exact_assignment, likert

log = logging.getLogger(__name__)

#: The item blocks the calibration moves (and their answer range), and the fixed block.
BLOCKS = {
    "selfeff": (contract.SELFEFF_ITEMS, 1, 10),
    "help": (("help_same", "help_understood", "help_info", "help_hope"), 1, 5),
    "mod": (contract.MOD_ITEMS, 1, 5),
    "safe": (contract.SAFE_ITEMS, 1, 5),
}
FIXED = ("help_isolated", "help_alone")
#: Which statistics a move in each block can change.
AFFECTS = {"selfeff": ("r_help", "r_mod", "tt_selfeff"), "help": ("r_help",), "mod": ("r_mod",), "safe": ("tt_safe",)}
KEYS = (
    "r_selfeff_help",
    "r_selfeff_mod",
    "t_safe_total",
    "d_safe_total",
    "t_selfeff_total",
    "d_selfeff_total",
    "df_selfeff_total",
)
#: Weight of the Levene side conditions in the loss, per millionth of p on the wrong side
#: (10^4 squared half-widths per unit of p, in loss units of (1e-4 half-width)^2).
LEVENE_WEIGHT = 10**6


def item_frame(state: dict[str, np.ndarray]) -> pd.DataFrame:
    """The state as contract columns (one per item, integer answers)."""
    cols = {}
    for block, (items, _, _) in BLOCKS.items():
        cols.update({item: state[block][:, k] for k, item in enumerate(items)})
    cols.update({item: state["fixed"][:, k] for k, item in enumerate(FIXED)})
    return pd.DataFrame(cols)


def subscale_scores(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each subscale of ``contract.SUBSCALES``: keyed item sum (exact, integers) / number of items.

    With no item missing this is bit for bit the engine's mean of the keyed
    items (``contract.REVERSED_ITEMS``: c - x).
    """
    column = {item: state[block][:, k] for block, (items, _, _) in BLOCKS.items() for k, item in enumerate(items)}
    column.update({item: state["fixed"][:, k] for k, item in enumerate(FIXED)})
    out = {}
    for name, items in contract.SUBSCALES.items():
        total = sum(
            contract.REVERSED_ITEMS[i] - column[i] if i in contract.REVERSED_ITEMS else column[i] for i in items
        )
        out[name] = total / len(items)
    return out


def forum_statistics(state: dict, ever: np.ndarray, which=("r_help", "r_mod", "tt_safe", "tt_selfeff")) -> dict:
    """The steered statistics (engine functions), for the groups of statistics in ``which``."""
    score = subscale_scores(state)
    out = {}
    for group, other in (("r_help", "T1_help_total"), ("r_mod", "T1_mod_total")):
        if group in which:
            r, _, _ = correlations.pearson(pd.Series(score["selfeff_total"]), pd.Series(score[other]))
            out[f"r_selfeff_{group[2:]}"] = r
    for group, name in (("tt_safe", "safe_total"), ("tt_selfeff", "selfeff_total")):
        if group in which:
            x = score[name]
            test = ttests.compare_groups(x[ever == 1], x[ever == 0], name)
            out.update(
                {f"t_{name}": test.t, f"d_{name}": test.d, f"df_{name}": test.df, f"levene_{name}": test.levene_p}
            )
    return out


def levene_penalty(stats: dict) -> int:
    """Integer penalty unless Levene's p is >= LEVENE_SAFE_MIN for safe_total and <= LEVENE_SELFEFF_MAX
    for selfeff_total."""
    return LEVENE_WEIGHT * (
        decide.shortfall_units(stats["levene_safe_total"], LEVENE_SAFE_MIN, "min")
        + decide.shortfall_units(stats["levene_selfeff_total"], LEVENE_SELFEFF_MAX, "max")
    )


def initial_state(rng: np.random.Generator, ever: np.ndarray, distress: np.ndarray) -> dict[str, np.ndarray]:
    """Latent traits to integer answers (before calibration); ``help_isolated``/``help_alone`` with exact counts."""
    p = PARAMETERS
    n = len(ever)
    sd_scale = np.where(ever == 1, 1.0, p["never_posted_selfeff_sd_ratio"])
    helpful = rng.standard_normal(n)
    moderation = 0.55 * helpful + np.sqrt(1 - 0.55**2) * rng.standard_normal(n)
    safety = 0.4 * helpful + 0.9 * rng.standard_normal(n) + p["posting_effect_safe"] * ever
    selfeff = (0.45 * helpful + 0.25 * moderation - 0.35 * distress + 0.8 * rng.standard_normal(n)) * sd_scale
    selfeff = selfeff + p["posting_effect_selfeff"] * ever
    state = {
        "selfeff": likert(rng, selfeff, 1, 10, 5.6, 1.5, 1.6, 6),
        "help": likert(rng, helpful, 1, 5, 3.6, 0.75, 0.8, 4),
        "mod": likert(rng, moderation, 1, 5, 3.7, 0.7, 0.8, 4),
        "safe": likert(rng, safety, 1, 5, 3.7, 0.6, 0.8, 6),
    }
    for item, c in contract.REVERSED_ITEMS.items():  # recorded answers of reverse-keyed items
        k = BLOCKS["safe"][0].index(item)
        state["safe"][:, k] = c - state["safe"][:, k]
    state["fixed"] = np.column_stack(
        [
            exact_assignment(
                rng,
                dict(zip(range(1, 6), p["likert_counts"][item], strict=False)),
                order=helpful + rng.normal(scale=0.9, size=n),
            ).astype(int)
            for item in FIXED
        ]
    )
    return state


def calibrate_forum(
    rng: np.random.Generator, state: dict[str, np.ndarray], ever: np.ndarray, max_steps: int = 60000
) -> dict:
    """Move answers in ``state`` (in place) until the targets are met; return the last statistics."""
    n = len(ever)
    names = list(BLOCKS)
    groups = {g: np.flatnonzero(ever == g) for g in (0, 1)}
    current = forum_statistics(state, ever)
    loss = decide.loss_units(current, KEYS, levene_penalty(current))
    kept = step = 0
    for step in range(max_steps):  # noqa: B007 (read after the loop: how many proposals were made)
        if decide.met(current, KEYS, levene_penalty(current)):
            break
        # the same draws on every proposal, whatever happened before
        block = names[int(rng.integers(len(names)))]
        items, low, high = BLOCKS[block]
        j = int(rng.integers(len(items)))
        i = int(rng.integers(n))
        delta = (-1, 1)[int(rng.integers(2))]
        paired = bool(rng.random() < 0.5)
        group = groups[int(ever[i])]
        partner = int(group[rng.integers(len(group))])
        cells = [(i, delta), (partner, -delta)] if paired else [(i, delta)]
        values = state[block][:, j]
        if (paired and partner == i) or any(not low <= values[r] + d <= high for r, d in cells):
            continue
        for r, d in cells:
            values[r] += d
        trial = dict(current)
        trial.update(forum_statistics(state, ever, AFFECTS[block]))
        trial_loss = decide.loss_units(trial, KEYS, levene_penalty(trial))
        if trial_loss < loss:
            current, loss = trial, trial_loss
            kept += 1
        else:
            for r, d in cells:
                values[r] -= d
    log.info(
        "  %d proposals, %d kept, loss %.3g half-widths^2, met: %s",
        step + 1,
        kept,
        loss / decide.UNITS_PER_HALF_WIDTH**2,
        decide.met(current, KEYS, levene_penalty(current)),
    )
    check_scores(state)
    return current


def check_scores(state: dict[str, np.ndarray]) -> None:
    """Raise unless :func:`subscale_scores` equals :func:`analysis.scales.subscales` exactly."""
    engine = scales.subscales(item_frame(state).astype(float))
    for name, values in subscale_scores(state).items():
        if not np.array_equal(engine[name].to_numpy(), values):
            raise AssertionError(f"{name}: the calibration's scores differ from the engine's")
