"""How the calibration decides, so that the last bits of floating-point results cannot change the data.

The statistics the calibration steers (fits, t tests, correlations) go through
BLAS and LAPACK, whose last bits differ between CPUs and kernels (for instance
OpenBLAS's SkylakeX and Haswell kernels). A decision taken on such numbers at
full precision can go either way on two machines when the two alternatives are
equal in exact arithmetic (a move that swaps two answers in one group, two
respondents with identical answers), and one different decision changes every
decision after it. So:

* every statistic that enters a decision is first turned into an integer: its
  distance from the target in ten-thousandths of the target's half-width
  (:func:`miss_units`); losses are sums of squares of those integers and are
  compared exactly (:func:`loss_units`, :func:`met`);
* predicted losses are rounded to a fixed grid (:func:`on_grid`) before the
  smallest is chosen, and the choice among equal values is the first in a
  fixed order (candidates sorted by record id), never the float noise;
* every random choice comes from a seeded :class:`numpy.random.Generator`, one
  independent stream per stage (:func:`streams`), so that a stage drawing more
  or fewer numbers cannot shift any other stage's draws.

What remains is the chance that a statistic lies within the floating-point
noise of a rounding boundary of its grid: the differences measured between
BLAS kernels are at most about 1e-12 of a statistic's value, mostly far less,
while the grids are 1e-4 half-widths (1e-8 to 1e-6 of the values). That is
rare per decision, so byte identity across machines is likely, not
guaranteed. Two runs on one machine are identical.
"""

from __future__ import annotations

import math

import numpy as np

from .parameters import MARGIN, TARGETS

#: Integer units per half-width in which misses are compared.
UNITS_PER_HALF_WIDTH = 10**4
#: Integer units per unit of a p value in side conditions (:func:`shortfall_units`).
UNITS_PER_P = 10**6
#: Grid (in squared half-widths) on which predicted losses are compared.
PREDICTION_GRID = 1e-4
#: A miss that cannot be computed (a fit that failed) counts as this many units.
UNDEFINED_MISS = 10**15

#: The independent random streams, in spawn order (append new ones at the end: earlier ones stay put).
STREAMS = ("record_ids", "sample", "attrition", "clinical", "items", "forum", "search", "extras", "speeders")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One seeded Generator per stage (children of ``SeedSequence(seed)``, in :data:`STREAMS` order)."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=False)}


def miss_units(value: float, key: str) -> int:
    """Signed distance of ``value`` from ``TARGETS[key]`` in integer ten-thousandths of its half-width."""
    target = TARGETS[key]
    x = (float(value) - target.value) / target.half_width * UNITS_PER_HALF_WIDTH
    return round(x) if math.isfinite(x) else UNDEFINED_MISS


def loss_units(stats: dict, keys, penalty: int = 0) -> int:
    """Sum of squared :func:`miss_units` over ``keys`` plus an integer ``penalty``: exact integer arithmetic."""
    return sum(miss_units(stats[k], k) ** 2 for k in keys) + int(penalty)


def met(stats: dict, keys, penalty: int = 0, margin: float = MARGIN) -> bool:
    """True when there is no penalty and every key is within ``margin`` half-widths (in integer units)."""
    limit = round(margin * UNITS_PER_HALF_WIDTH)
    return penalty == 0 and all(abs(miss_units(stats[k], k)) < limit for k in keys)


def shortfall_units(value: float, bound: float, side: str) -> int:
    """How far a p value is on the wrong side of ``bound`` ('min' or 'max'), in integer millionths (0 if fine)."""
    gap = bound - float(value) if side == "min" else float(value) - bound
    if not math.isfinite(gap):
        return UNDEFINED_MISS
    return max(0, round(gap * UNITS_PER_P))


def on_grid(values: np.ndarray, grid: float = PREDICTION_GRID) -> np.ndarray:
    """Values rounded to whole multiples of ``grid`` (returned in grid units), so that near-ties become ties."""
    return np.rint(np.asarray(values, dtype=float) / grid)


def first_minimum(values: np.ndarray) -> int:
    """Flat index of the smallest value; among equal values, the first (``np.argmin`` guarantees it)."""
    return int(np.argmin(values))
