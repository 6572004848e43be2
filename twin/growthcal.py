"""Moving wave totals one point at a time until a scale's growth model and T1 statistics are met.

The state is a scale's wave totals (integers, NaN = absent). Every statistic
the engine reports for the growth model depends on the totals only through
each missing-data pattern's count, sums and cross-products, so each round:

1. refits the model (:class:`twin.growthfit.GrowthFitter`) and takes central
   differences of every steered statistic with respect to those sums and
   cross-products (:func:`suff_derivatives`);
2. with that linearisation, picks the best one-point change, or pair of
   one-point changes, repeatedly (:func:`best_move`): predicted losses are
   rounded to a grid and the first of equal ones, in record-id order, wins;
3. refits exactly and keeps the round only if the loss, in integer units
   (:mod:`twin.decide`), went down; otherwise it undoes the round and halves
   the number of moves per round.

A T1 move never changes anyone's caseness (GAD-7 <= 7 and PHQ-8 <= 9, the
engine's cut-offs), so the caseness count set before stays met.
"""

from __future__ import annotations

import logging

import numpy as np

from analysis import caseness, contract, growth

from . import decide
from .growthfit import GrowthFitter, growth_statistics
from .parameters import TARGETS

log = logging.getLogger(__name__)

#: Highest possible total of each clinical scale (items scored 0-3).
SCALE_MAX = {scale: 3 * len(items) for scale, items in contract.CLINICAL_SCALES.items()}
#: Central-difference steps in a pattern's sums and cross-products (see :func:`suff_derivatives`).
SUM_STEP = 2.0
CROSS_STEP = 10.0


def statistic_keys(scale: str) -> list[str]:
    """What one scale's calibration steers: its growth targets (|z| for the covariance p) and T1 mean and SD."""
    keys = [k for k in TARGETS if k.startswith(f"{scale}_lgcm") and not k.endswith("_intercept_slope_p")]
    return keys + [f"{scale}_t1_mean", f"{scale}_t1_sd"]


def not_case(gad_t1: np.ndarray, phq_t1: np.ndarray) -> np.ndarray:
    """The engine's caseness rule on T1 totals: not a case when GAD-7 <= GAD_CUTOFF and PHQ-8 <= PHQ_CUTOFF."""
    return (gad_t1 <= caseness.GAD_CUTOFF) & (phq_t1 <= caseness.PHQ_CUTOFF)


def scale_statistics(fitter: GrowthFitter, scale: str, patterns: growth.MissingPatterns,
                     rows: np.ndarray | None = None) -> dict[str, float]:
    """Growth statistics (engine keys) and the T1 mean and SD (ddof 1), all from the patterns' sufficient statistics."""
    out = growth_statistics(scale, fitter.fit(patterns, rows))
    first = [g for g in patterns.groups if 0 in g.idx]
    n1 = sum(g.n for g in first)
    s1 = sum(g.s[0] for g in first)
    c1 = sum(g.c[0, 0] for g in first)
    out[f"{scale}_t1_mean"] = s1 / n1
    out[f"{scale}_t1_sd"] = float(np.sqrt((c1 - s1 * s1 / n1) / (n1 - 1)))
    return out


def _vector(stats: dict, keys) -> np.ndarray:
    return np.array([stats[k] for k in keys], dtype=float)


def _replace(patterns: growth.MissingPatterns, gi: int, s=None, c=None) -> growth.MissingPatterns:
    g = patterns.groups[gi]
    new = growth.Pattern(g.idx, g.n, g.s if s is None else s, g.c if c is None else c)
    return growth.MissingPatterns.from_groups(patterns.groups[:gi] + [new] + patterns.groups[gi + 1 :], patterns.p)


def suff_derivatives(fitter: GrowthFitter, scale: str, patterns: growth.MissingPatterns, keys):
    """Per pattern, central-difference derivatives of the statistics in its sums and cross-products.

    Steps of SUM_STEP and CROSS_STEP either side: large enough that the fits' rounding noise is not
    magnified much (it is divided by the step), small beside the sums (thousands) and cross-products
    (tens of thousands), so the statistics are linear over them.

    Returns a list of (d_s, d_c) with d_s[a] the derivative in sum a and d_c[a, b]
    the derivative for a symmetric change of cross-products (a, b) and (b, a).
    """
    derivs = []

    def stat(pats):
        return _vector(scale_statistics(fitter, scale, pats), keys)

    for gi, g in enumerate(patterns.groups):
        k = len(g.idx)
        d_s = np.zeros((k, len(keys)))
        d_c = np.zeros((k, k, len(keys)))
        for a in range(k):
            for sign in (1, -1):
                s = g.s.copy()
                s[a] += sign * SUM_STEP
                d_s[a] += sign * stat(_replace(patterns, gi, s=s))
        d_s /= 2 * SUM_STEP
        for a in range(k):
            for b in range(a, k):
                for sign in (1, -1):
                    c = g.c.copy()
                    c[a, b] += sign * CROSS_STEP
                    if a != b:
                        c[b, a] += sign * CROSS_STEP
                    d_c[a, b] += sign * stat(_replace(patterns, gi, c=c))
                d_c[a, b] /= 2 * CROSS_STEP
                d_c[b, a] = d_c[a, b]
        derivs.append((d_s, d_c))
    return derivs


def candidate_cells(y, observed, groups, derivs, widths, top, keeps_caseness, rank):
    """Every admissible one-point change (row, wave, delta) and its linearised effect (in half-widths).

    Cells are sorted by the row's record-id rank, then wave, then delta, so
    that ties in the predicted loss go to the lowest record id.
    """
    cells, effects = [], []
    for g, (d_s, d_c) in zip(groups, derivs, strict=False):
        rows = np.flatnonzero((observed == np.isin(np.arange(y.shape[1]), g.idx)).all(axis=1))
        vals = y[np.ix_(rows, g.idx)]
        for a, wave in enumerate(g.idx):
            for delta in (-1.0, 1.0):
                # cross-products change by delta (e y' + y e') + delta^2 e e'; d_c[a, b] is the
                # derivative for a symmetric pair, so off-diagonal pairs count once, the diagonal twice
                effect = (delta * d_s[a] + delta * vals @ d_c[a] + delta * vals[:, [a]] * d_c[a, a]
                          + delta**2 * d_c[a, a])
                ok = (vals[:, a] + delta >= 0) & (vals[:, a] + delta <= top)
                if wave == 0:
                    ok &= keeps_caseness(rows, vals[:, a] + delta)
                cells.append(np.column_stack([rows[ok], np.full(ok.sum(), wave), np.full(ok.sum(), delta)]))
                effects.append(effect[ok] / widths)
    cells = np.concatenate(cells)
    effects = np.concatenate(effects)
    order = np.lexsort((cells[:, 2], cells[:, 1], rank[cells[:, 0].astype(int)]))
    return cells[order], effects[order]


def best_move(cells: np.ndarray, effects: np.ndarray, base: np.ndarray):
    """Indices of the one or two cells whose predicted loss is lowest, or None when none beats ``base``.

    ``base`` is the current misses in half-widths. Pairs matter: a +1 and a -1
    on one wave move its spread but hardly its mean, and a T1 change with a T3
    change moves the T1 mean but hardly the slope, which single changes cannot
    do without overshooting tightly printed values. Predicted losses are put on
    :data:`twin.decide.PREDICTION_GRID` first; the first minimum wins.
    """
    shifted = base + effects
    single = decide.on_grid((shifted**2).sum(axis=1))
    pair = (shifted**2).sum(axis=1)[:, None] + (effects**2).sum(axis=1)[None, :] + 2 * shifted @ effects.T
    pair = decide.on_grid(pair)
    same_cell = (cells[:, None, 0] == cells[None, :, 0]) & (cells[:, None, 1] == cells[None, :, 1])
    pair[same_cell] = np.inf
    flat = decide.first_minimum(pair)
    i, j = divmod(flat, pair.shape[1])
    k = decide.first_minimum(single)
    current = decide.on_grid(float(base @ base))
    if min(pair[i, j], single[k]) >= current:
        return None
    return [k] if single[k] <= pair[i, j] else [i, j]


def calibrate_growth(totals: dict, scale: str, start, rank: np.ndarray, rounds: int = 80,
                     moves_per_round: int = 12) -> dict:
    """Move ``totals[scale]`` (in place) until its growth and T1 targets are met; return the last statistics.

    ``start`` is the warm start of the fit (engine parameter order); ``rank`` the
    record-id rank of each row (the order in which ties are broken).
    """
    y = totals[scale]
    other = totals["phq" if scale == "gad" else "gad"][:, 0]
    keys = statistic_keys(scale)
    targets = np.array([TARGETS[k].value for k in keys])
    widths = np.array([TARGETS[k].half_width for k in keys])
    fitter = GrowthFitter(start)
    top = SCALE_MAX[scale]
    observed = ~np.isnan(y)

    def keeps_caseness(rows, t1_new):
        was = not_case(y[rows, 0], other[rows]) if scale == "gad" else not_case(other[rows], y[rows, 0])
        now = not_case(t1_new, other[rows]) if scale == "gad" else not_case(other[rows], t1_new)
        return was == now

    pat = growth.MissingPatterns(y)
    current = scale_statistics(fitter, scale, pat, y)
    for _ in range(rounds):
        if decide.met(current, keys):
            break
        derivs = suff_derivatives(fitter, scale, pat, keys)
        predicted = _vector(current, keys)
        saved = y.copy()
        for _ in range(moves_per_round):
            cells, effects = candidate_cells(y, observed, pat.groups, derivs, widths, top, keeps_caseness, rank)
            chosen = best_move(cells, effects, (predicted - targets) / widths)
            if chosen is None:
                break
            for c in chosen:
                y[int(cells[c, 0]), int(cells[c, 1])] += cells[c, 2]
            predicted = predicted + effects[chosen].sum(axis=0) * widths
        new_pat = growth.MissingPatterns(y)
        new = scale_statistics(fitter, scale, new_pat, y)
        if decide.loss_units(new, keys) < decide.loss_units(current, keys):
            pat, current = new_pat, new
        else:
            y[:] = saved
            current = scale_statistics(fitter, scale, pat, y)
            if moves_per_round == 1:
                break  # not even the best single move helps: nothing more to gain
            moves_per_round = max(1, moves_per_round // 2)
    log.info("  %s: loss %.3g half-widths^2, met: %s", scale,
             decide.loss_units(current, keys) / decide.UNITS_PER_HALF_WIDTH**2, decide.met(current, keys))
    return current
