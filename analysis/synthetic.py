"""The synthetic twin of the iPOF survey: a seeded generator, then calibration.

    python -m analysis.synthetic [--out data/synthetic/ipof-survey-twin.csv] [--seed N]

This is not the study's data. Latent traits (distress, self-efficacy,
psychological safety, helpfulness, moderation) drive the items; documented
parameters (:data:`PARAMETERS`) fix the sample's composition, attrition and the
time trend. The draws are then calibrated, never by writing results, only by
moving individual item responses: a proposal changes one respondent's answer by
one point and is kept when it brings the statistics computed by the real
engine's definitions closer to the calibration targets (:data:`TARGETS`). The
targets are the paper's published values as the generator reads them; the test
suite checks the twin against its own copy of the published values, which this
module never reads.

Regenerating with the same seed and library versions reproduces the file byte
for byte.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from threadpoolctl import threadpool_limits

from . import caseness, contract, growth, paths
from .loading import load_survey
from .reproduce import run_analysis

# --------------------------------------------------------------------------- parameters

#: Everything the generator is told, apart from the calibration targets.
PARAMETERS = {
    "seed": 20251001,
    "n_included": 791,
    "n_speeders": 29,  # respondents under 5 minutes; the paper does not print how many
    "forums": {"Dunnock": 287, "Magpie": 181, "Sparrow": 118, "Starling": 91, "Chaffinch": 64, "Jay": 38, "Robin": 12},
    "gender": {"female": 475, "male": 262, "non_binary": 36, "other": 7, "prefer_not_to_say": 11},
    "ethnicity": {"white": 641, "mixed": 46, "asian": 55, "black": 29, "other": 9, "prefer_not_to_say": 11},
    "age_group": {"16-24": 285, "25-34": 188, "35-44": 131, "45-54": 101, "55-64": 61, "65+": 25},
    "sexuality": {"heterosexual": 478, "gay_or_lesbian": 69, "bisexual": 163, "other": 44, "prefer_not_to_say": 37},
    "use_duration": {"less_than_1_week": 149, "1_to_4_weeks": 215, "1_to_12_months": 206, "1_year_or_more": 221},
    # the paper: "equally split" either side of once a week (its "n=712, 90% daily" cannot also hold)
    "use_frequency": {"daily": 158, "more_than_weekly": 237, "weekly": 101, "less_than_weekly": 295},
    "reason_self": 546,
    "reason_someone_else": 237,
    "reason_help_others": 229,
    "responded_or_liked_6wk": 704,
    "posted_6wk": 510,
    # not printed by the paper: only 525-528 posters of 791 make both printed t tests agree (data card)
    "ever_posted": 527,
    # attrition: respondents with GAD-7 and PHQ-8 at T2 and T3 (T1 is complete for everyone)
    "n_t2": 368,
    "n_t3": 326,
    "n_t2_and_t3": 271,
    # exact item distributions of the items whose agree/disagree counts the paper prints (1..5)
    "likert_counts": {
        "help_isolated": (58, 108, 253, 231, 141),
        "help_alone": (49, 93, 190, 278, 181),
        "stigma_inferior": (98, 141, 180, 221, 151),
    },
    # start values of the growth-model generation (per scale: intercept mean, slope mean,
    # deviation of the T2 mean from linearity, intercept var, slope var, covariance, residual vars)
    "growth_start": {
        "gad": (10.75, -0.377, 0.4, 18.7, 1.0, -1.2, 7.8, 9.0, 8.8),
        "phq": (11.56, -0.162, 0.3, 24.0, 0.5, -1.0, 6.2, 11.6, 8.4),
    },
    "gad_phq_correlation": 0.72,
    # posting shifts (in SD units) and spread of the never-posters' self-efficacy
    "posting_effect_selfeff": 0.42,
    "posting_effect_safe": 0.2,
    "never_posted_selfeff_sd_ratio": 1.6,
}


@dataclass(frozen=True)
class Target:
    """A calibration target: the value and the half-width of its printed precision."""

    value: float
    half_width: float

    def miss(self, x: float) -> float:
        """Distance in half-widths from the centre (below 1 rounds to the printed value)."""
        return abs(x - self.value) / self.half_width


def _t(value: float, decimals: int) -> Target:
    return Target(value, 0.5 * 10.0**-decimals)


#: What calibration aims at: the paper's printed values at their printed precision.
TARGETS = {
    "gad_t1_mean": _t(10.75, 2),
    "gad_t1_sd": _t(5.15, 2),
    "phq_t1_mean": _t(11.56, 2),
    "phq_t1_sd": _t(5.50, 2),
    "caseness_n_not_cases": Target(198, 0.5),
    "gad_lgcm_slope_mean": _t(-0.377, 3),
    "gad_lgcm_slope_ci_low": _t(-0.589, 3),
    "gad_lgcm_slope_ci_high": _t(-0.166, 3),
    "gad_lgcm_chi2": _t(3.0, 1),
    "gad_lgcm_r2_t1": _t(0.706, 3),
    "gad_lgcm_r2_t2": _t(0.658, 3),
    "gad_lgcm_r2_t3": _t(0.670, 3),
    "gad_lgcm_intercept_slope_p": _t(0.29, 2),
    "phq_lgcm_slope_mean": _t(-0.162, 3),
    # the paper's PHQ-8 interval (-0.287 to 0.062) is not centred on -0.162: only the estimate is met
    "phq_lgcm_chi2": _t(1.8, 1),
    "phq_lgcm_r2_t1": _t(0.795, 3),
    "phq_lgcm_r2_t2": _t(0.660, 3),
    "phq_lgcm_r2_t3": _t(0.724, 3),
    "phq_lgcm_intercept_slope_p": _t(0.23, 2),
    "r_selfeff_help": _t(0.414, 3),
    "r_selfeff_mod": _t(0.328, 3),
    "t_safe_total": _t(2.638, 3),
    "d_safe_total": _t(0.199, 3),
    "t_selfeff_total": _t(4.931, 3),
    "d_selfeff_total": _t(0.407, 3),
    "df_selfeff_total": Target(419.0, 0.5),
}


def _z_window(p_target: Target) -> Target:
    """The |z| window of a two-tailed Wald p window (p is flat in z far from it; |z| is not)."""
    lo = stats.norm.isf((p_target.value + p_target.half_width) / 2)
    hi = stats.norm.isf((p_target.value - p_target.half_width) / 2)
    return Target((lo + hi) / 2, (hi - lo) / 2)


for _scale in ("gad", "phq"):
    TARGETS[f"{_scale}_lgcm_intercept_slope_z"] = _z_window(TARGETS[f"{_scale}_lgcm_intercept_slope_p"])

#: Calibration stops once every target is within this fraction of its half-width.
MARGIN = 0.6
TIMES = np.asarray(contract.WAVE_TIME_SCORES)
SCALE_MAX = {"gad": 3 * len(contract.GAD_ITEMS), "phq": 3 * len(contract.PHQ_ITEMS)}


# --------------------------------------------------------------------------- helpers


def exact_assignment(rng: np.random.Generator, counts: dict, order: np.ndarray | None = None) -> np.ndarray:
    """Categories with exact counts, assigned at random or, given ``order``, by rank of that score."""
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


def _loss(stats_now: dict, keys) -> float:
    """Sum of squared misses (in half-widths), plus any ``penalty`` for a broken side condition."""
    return float(sum(TARGETS[k].miss(stats_now[k]) ** 2 for k in keys) + stats_now.get("penalty", 0.0))


def _met(stats_now: dict, keys) -> bool:
    return stats_now.get("penalty", 0.0) == 0 and all(TARGETS[k].miss(stats_now[k]) < MARGIN for k in keys)


def local_search(state, evaluate, propose, keys, rng, max_steps: int, log=None):
    """Keep one-point changes that lower the squared misses of ``keys``; stop when all are met.

    ``propose(state, rng)`` returns (undo, apply) closures or None; ``evaluate(state)``
    returns the statistics. Deterministic for a given rng.
    """
    current = evaluate(state)
    loss = _loss(current, keys)
    for step in range(max_steps):
        if _met(current, keys):
            break
        move = propose(state, rng)
        if move is None:
            continue
        apply, undo = move
        apply()
        trial = evaluate(state)
        trial_loss = _loss(trial, keys)
        if trial_loss < loss:
            current, loss = trial, trial_loss
        else:
            undo()
    if log:
        log(f"  {step + 1} proposals, loss {loss:.3g}, met: {_met(current, keys)}")
    return current


# --------------------------------------------------------------------------- clinical scales


class GrowthStats:
    """The growth-model statistics of the contract for one scale, fitted fast for calibration.

    Same likelihood, saturated model and observed information as
    :func:`analysis.growth.fit_lgcm`, warm-started from the previous solution.
    """

    def __init__(self, prefix: str, theta0):
        self.prefix = prefix
        self.dmu, self.dsig = growth.moment_jacobians(TIMES)
        self.theta = np.asarray(theta0, dtype=float)
        self.saturated = None

    def _grad(self, pat, th):
        g_mu, g_s = pat.score(*growth.implied_moments(th, TIMES))
        return -(self.dmu @ g_mu + np.einsum("jab,ab->j", self.dsig, g_s))

    def __call__(self, pat: growth.MissingPatterns) -> dict:
        th = self.theta.copy()
        for _ in range(100):  # Fisher scoring
            step = np.linalg.solve(growth.expected_information(th, TIMES, pat), -self._grad(pat, th))
            th = th + step
            if np.max(np.abs(step)) < 1e-11:
                break
        self.theta = th
        q = len(th)
        h = np.zeros((q, q))
        eps = 1e-5 * np.maximum(1.0, np.abs(th))
        for j in range(q):
            e = np.zeros(q)
            e[j] = eps[j]
            h[:, j] = (self._grad(pat, th + e) - self._grad(pat, th - e)) / (2 * eps[j])
        se = np.sqrt(np.diag(np.linalg.inv((h + h.T) / 2)))
        mu, sigma = growth.implied_moments(th, TIMES)
        sat_mu, sat_sigma, sat_ll = growth.saturated_moments(pat, start=self.saturated)
        self.saturated = (sat_mu, sat_sigma)
        chi2 = 2 * (sat_ll - pat.loglik(mu, sigma))
        r2 = 1 - th[5:] / np.diag(sigma)
        pre = self.prefix
        out = {
            f"{pre}_lgcm_slope_mean": th[1],
            f"{pre}_lgcm_slope_se": se[1],
            f"{pre}_lgcm_slope_ci_low": th[1] - growth.Z_95 * se[1],
            f"{pre}_lgcm_slope_ci_high": th[1] + growth.Z_95 * se[1],
            f"{pre}_lgcm_chi2": chi2,
            f"{pre}_lgcm_intercept_slope_p": 2 * stats.norm.sf(abs(th[4] / se[4])),
            f"{pre}_lgcm_intercept_slope_z": abs(th[4] / se[4]),
        }
        out.update({f"{pre}_lgcm_r2_t{w + 1}": r2[w] for w in range(3)})
        n1 = sum(g.n for g in pat.groups if 0 in g.idx)
        s1 = sum(g.s[0] for g in pat.groups if 0 in g.idx)
        c1 = sum(g.c[0, 0] for g in pat.groups if 0 in g.idx)
        out[f"{pre}_t1_mean"] = s1 / n1
        out[f"{pre}_t1_sd"] = np.sqrt((c1 - s1 * s1 / n1) / (n1 - 1))
        return out


def _stat_vector(st: dict, keys) -> np.ndarray:
    return np.array([st[k] for k in keys])


def _suff_derivatives(fitter: GrowthStats, pat: growth.MissingPatterns, keys):
    """Central-difference derivatives of the statistics with respect to each pattern's sums and cross-products."""
    derivs = []
    for gi, g in enumerate(pat.groups):
        k = len(g.idx)
        d_s = np.zeros((k, len(keys)))
        d_c = np.zeros((k, k, len(keys)))
        for a in range(k):
            for sign in (1, -1):
                s = g.s.copy()
                s[a] += sign * 0.5
                trial = growth.MissingPatterns.from_groups(
                    pat.groups[:gi] + [growth.Pattern(g.idx, g.n, s, g.c)] + pat.groups[gi + 1 :], pat.p)
                d_s[a] += sign * _stat_vector(fitter(trial), keys)
        d_s /= 1.0
        for a in range(k):
            for b in range(a, k):
                for sign in (1, -1):
                    c = g.c.copy()
                    c[a, b] += sign * 2.5
                    if a != b:
                        c[b, a] += sign * 2.5
                    trial = growth.MissingPatterns.from_groups(
                        pat.groups[:gi] + [growth.Pattern(g.idx, g.n, g.s, c)] + pat.groups[gi + 1 :], pat.p)
                    d_c[a, b] += sign * _stat_vector(fitter(trial), keys)
                d_c[a, b] /= 5.0
                d_c[b, a] = d_c[a, b]
        derivs.append((d_s, d_c))
    return derivs


def _growth_keys(scale: str) -> list[str]:
    """Calibration keys of one scale: its growth targets (|z| for the covariance p) and T1 mean and SD."""
    keys = [k for k in TARGETS if k.startswith(f"{scale}_lgcm") and not k.endswith("_intercept_slope_p")]
    return keys + [f"{scale}_t1_mean", f"{scale}_t1_sd"]


def _not_case(gad_t1: np.ndarray, phq_t1: np.ndarray) -> np.ndarray:
    return (gad_t1 <= caseness.GAD_CUTOFF) & (phq_t1 <= caseness.PHQ_CUTOFF)


def _best_move(y, observed, groups, derivs, predicted, targets, widths, top, status):
    """The one-point change, or pair of one-point changes, that the linearised statistics say
    lowers the loss most; None when nothing lowers it.

    Pairs matter: a +1 and a -1 on one wave move its spread but hardly its mean,
    and a T1 change with a T3 change moves the T1 mean but hardly the slope,
    which single changes cannot do without overshooting tightly printed values.
    """
    base = (predicted - targets) / widths
    cells, effects = [], []
    for g, (d_s, d_c) in zip(groups, derivs):
        rows = np.flatnonzero((observed == np.isin(np.arange(3), g.idx)).all(axis=1))
        vals = y[np.ix_(rows, g.idx)]
        for a, wave in enumerate(g.idx):
            for delta in (-1.0, 1.0):
                # cross-products change by delta (e y' + y e') + delta^2 e e'; d_c[a, b] is the
                # derivative for a symmetric pair, so off-diagonal pairs count once, the diagonal twice
                effect = (delta * d_s[a] + delta * vals @ d_c[a] + delta * vals[:, [a]] * d_c[a, a]
                          + delta**2 * d_c[a, a])
                ok = (vals[:, a] + delta >= 0) & (vals[:, a] + delta <= top)
                if wave == 0:
                    ok &= status(vals[:, a] + delta, rows) == status(vals[:, a], rows)
                cells.append(np.column_stack([rows[ok], np.full(ok.sum(), wave), np.full(ok.sum(), delta)]))
                effects.append(effect[ok] / widths)
    cells = np.concatenate(cells)
    eff = np.concatenate(effects)
    shifted = base + eff
    single = (shifted**2).sum(axis=1)
    pair = single[:, None] + (eff**2).sum(axis=1)[None, :] + 2 * shifted @ eff.T
    same_cell = (cells[:, None, 0] == cells[None, :, 0]) & (cells[:, None, 1] == cells[None, :, 1])
    pair[same_cell] = np.inf
    i, j = np.unravel_index(int(np.argmin(pair)), pair.shape)
    k = int(np.argmin(single))
    current = float(base @ base)
    if min(pair[i, j], single[k]) >= current:
        return None
    as_move = lambda c: (int(c[0]), int(c[1]), float(c[2]))  # noqa: E731
    if single[k] <= pair[i, j]:
        return [as_move(cells[k])], eff[k] * widths
    return [as_move(cells[i]), as_move(cells[j])], (eff[i] + eff[j]) * widths


def calibrate_growth(totals: dict, scale: str, log, rounds: int = 80, moves_per_round: int = 12) -> None:
    """Move one scale's wave totals, one point at a time, until its growth and T1 targets are met (in place).

    Each round linearises the statistics in the patterns' sufficient statistics
    (sums and cross-products), takes the greedy best one-point moves by that
    linear prediction, then refits exactly; a round that did not help is undone.
    A T1 move never changes anyone's caseness.
    """
    y = totals[scale]
    other = totals["phq" if scale == "gad" else "gad"][:, 0]
    keys = _growth_keys(scale)
    targets = np.array([TARGETS[k].value for k in keys])
    widths = np.array([TARGETS[k].half_width for k in keys])
    start = PARAMETERS["growth_start"][scale]
    fitter = GrowthStats(scale, start[:2] + start[3:])
    top = SCALE_MAX[scale]
    observed = ~np.isnan(y)

    def loss_of(v):
        return float((((v - targets) / widths) ** 2).sum())

    def status(t1, rows):
        return _not_case(t1, other[rows]) if scale == "gad" else _not_case(other[rows], t1)

    pat = growth.MissingPatterns(y)
    current = fitter(pat)
    for _ in range(rounds):
        if _met(current, keys):
            break
        derivs = _suff_derivatives(fitter, pat, keys)
        predicted = _stat_vector(current, keys)
        saved = y.copy()
        for _ in range(moves_per_round):
            move = _best_move(y, observed, pat.groups, derivs, predicted, targets, widths, top, status)
            if move is None:
                break
            for row, wave, delta in move[0]:
                y[row, wave] += delta
            predicted = predicted + move[1]
        new_pat = growth.MissingPatterns(y)
        new = fitter(new_pat)
        if loss_of(_stat_vector(new, keys)) < loss_of(_stat_vector(current, keys)):
            pat, current = new_pat, new
        else:
            y[:] = saved
            current = fitter(pat)
            if moves_per_round == 1:
                break  # not even the best single move helps: nothing more to gain
            moves_per_round = max(1, moves_per_round // 2)
    log(f"  {scale}: loss {loss_of(_stat_vector(current, keys)):.3g}, met: {_met(current, keys)}")


def attrition_mask(rng: np.random.Generator, n: int, score: np.ndarray) -> np.ndarray:
    """Which respondents are present at T1, T2, T3 (exact wave sizes; higher ``score`` stays longer)."""
    p = PARAMETERS
    order = np.argsort(-(score + rng.normal(scale=1.0, size=n)), kind="stable")
    present = np.zeros((n, 3), dtype=bool)
    present[:, 0] = True
    both, only2, only3 = p["n_t2_and_t3"], p["n_t2"] - p["n_t2_and_t3"], p["n_t3"] - p["n_t2_and_t3"]
    present[order[:both], 1:] = True
    present[order[both : both + only2], 1] = True
    present[order[both + only2 : both + only2 + only3], 2] = True
    return present


def _generate_waves(params, z: np.ndarray, present: np.ndarray, top: int, rounded: bool) -> np.ndarray:
    """Wave totals from growth parameters and fixed standard-normal draws z (n x 5)."""
    a_i, a_s, dev2, v_i, v_s, c, *resid = params
    v_i, v_s = abs(v_i) + 1e-6, abs(v_s) + 1e-6
    c = float(np.clip(c, -0.95 * np.sqrt(v_i * v_s), 0.95 * np.sqrt(v_i * v_s)))
    chol = np.linalg.cholesky(np.array([[v_i, c], [c, v_s]]))
    eta = np.array([a_i, a_s]) + z[:, :2] @ chol.T
    y = eta[:, [0]] + eta[:, [1]] * TIMES + z[:, 2:] * np.sqrt(np.maximum(resid, 1e-6))
    y[:, 1] += dev2
    y = np.clip(y, 0, top)
    if rounded:
        y = np.round(y)
    return np.where(present, y, np.nan)


def set_caseness(totals: dict, n_not_cases: int, rng: np.random.Generator) -> None:
    """Move T1 GAD-7 totals across the caseness cut-off, nearest first, until ``n_not_cases`` are not cases.

    Too many not-cases: the not-cases with the highest GAD-7 go up to 8. Too few:
    among cases whose PHQ-8 is at most 9, those with the lowest GAD-7 go down to 7.
    """
    gad, phq = totals["gad"][:, 0], totals["phq"][:, 0]
    not_case = _not_case(gad, phq)
    excess = int(not_case.sum()) - n_not_cases
    tiebreak = rng.random(len(gad))
    if excess > 0:
        pool = np.flatnonzero(not_case)
        chosen = pool[np.lexsort((tiebreak[pool], -gad[pool]))[:excess]]
        gad[chosen] = caseness.GAD_CUTOFF + 1
    elif excess < 0:
        pool = np.flatnonzero(~not_case & (phq <= caseness.PHQ_CUTOFF))
        chosen = pool[np.lexsort((tiebreak[pool], gad[pool]))[:-excess]]
        gad[chosen] = caseness.GAD_CUTOFF
    if int(_not_case(gad, phq).sum()) != n_not_cases:
        raise RuntimeError("caseness calibration failed")


def calibrate_clinical(rng: np.random.Generator, present: np.ndarray, log) -> dict[str, np.ndarray]:
    """GAD-7 and PHQ-8 wave totals meeting the T1, caseness and growth targets.

    1. growth parameters of the generation are fitted (least squares) so that the
       unrounded draws meet the targets; 2. totals are rounded; 3. T1 totals move
       one point at a time until the caseness count is met; 4. each scale's
       totals move until its growth and T1 targets are met (:func:`calibrate_growth`).
    """
    n = present.shape[0]
    rho = PARAMETERS["gad_phq_correlation"]
    z_gad = rng.standard_normal((n, 5))
    z_phq = rho * z_gad + np.sqrt(1 - rho**2) * rng.standard_normal((n, 5))
    totals = {}
    for scale, z in (("gad", z_gad), ("phq", z_phq)):
        keys = _growth_keys(scale)
        start = PARAMETERS["growth_start"][scale]
        fitter = GrowthStats(scale, start[:2] + start[3:])

        def residuals(params, z=z, scale=scale, fitter=fitter, keys=keys):
            st = fitter(growth.MissingPatterns(_generate_waves(params, z, present, SCALE_MAX[scale], rounded=False)))
            return np.array([(st[k] - TARGETS[k].value) / TARGETS[k].half_width for k in keys])

        fit = optimize.least_squares(residuals, np.array(start, dtype=float), method="trf", diff_step=1e-5, max_nfev=200)
        log(f"  {scale}: generation parameters {np.round(fit.x, 3).tolist()}, cost {fit.cost:.3g}")
        totals[scale] = _generate_waves(fit.x, z, present, SCALE_MAX[scale], rounded=True)

    set_caseness(totals, int(TARGETS["caseness_n_not_cases"].value), rng)
    for scale in ("gad", "phq"):
        log(f"  {scale} growth model and T1")
        calibrate_growth(totals, scale, log)
    return totals


def items_from_totals(rng: np.random.Generator, total: np.ndarray, n_items: int, severity: np.ndarray) -> np.ndarray:
    """Split each total into n_items answers 0-3 that add up to it.

    Each item has three one-point "slots"; a respondent's total picks that many
    slots, the most likely first (item difficulty, the respondent's severity and
    noise), so that items correlate as a scale's items do.
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


# --------------------------------------------------------------------------- forum-experience items


def _likert(rng, latent, low, high, centre, loading, noise, n_items):
    raw = centre + loading * latent[:, None] + rng.normal(scale=noise, size=(len(latent), n_items))
    return np.clip(np.round(raw), low, high)


def likert_stats(state: dict, ever: np.ndarray) -> dict:
    """Subscale statistics the calibration targets (no item is missing in the twin's included sample)."""
    selfeff = state["selfeff"].mean(axis=1)
    helpt = np.column_stack([state["help"], state["help_fixed"]]).mean(axis=1)
    mod = state["mod"].mean(axis=1)
    safe_items = state["safe"].copy()
    safe_items[:, 2] = 6 - safe_items[:, 2]
    safe = safe_items.mean(axis=1)
    out = {
        "r_selfeff_help": np.corrcoef(selfeff, helpt)[0, 1],
        "r_selfeff_mod": np.corrcoef(selfeff, mod)[0, 1],
    }
    for name, x in (("safe_total", safe), ("selfeff_total", selfeff)):
        a, b = x[ever == 1], x[ever == 0]
        n1, n0 = len(a), len(b)
        v1, v0 = a.var(ddof=1), b.var(ddof=1)
        pooled = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2)
        lev = stats.levene(a, b, center="mean").pvalue
        welch = lev < 0.05
        if welch:
            se2 = v1 / n1 + v0 / n0
            df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
        else:
            se2, df = pooled * (1 / n1 + 1 / n0), n1 + n0 - 2
        out[f"t_{name}"] = (a.mean() - b.mean()) / np.sqrt(se2)
        out[f"d_{name}"] = (a.mean() - b.mean()) / np.sqrt(pooled)
        out[f"df_{name}"] = df
        out[f"levene_{name}"] = lev
    return out


def calibrate_likert(rng: np.random.Generator, ever: np.ndarray, distress: np.ndarray, log) -> dict[str, np.ndarray]:
    """Self-efficacy, helpfulness, moderation and safety items meeting the correlation and t-test targets."""
    p = PARAMETERS
    n = len(ever)
    sd_scale = np.where(ever == 1, 1.0, p["never_posted_selfeff_sd_ratio"])
    helpful = rng.standard_normal(n)
    moderation = 0.55 * helpful + np.sqrt(1 - 0.55**2) * rng.standard_normal(n)
    safety = 0.4 * helpful + 0.9 * rng.standard_normal(n) + p["posting_effect_safe"] * ever
    selfeff = (0.45 * helpful + 0.25 * moderation - 0.35 * distress + 0.8 * rng.standard_normal(n)) * sd_scale
    selfeff = selfeff + p["posting_effect_selfeff"] * ever
    state = {
        "selfeff": _likert(rng, selfeff, 1, 10, 5.6, 1.5, 1.6, 6),
        "help": _likert(rng, helpful, 1, 5, 3.6, 0.75, 0.8, 4),  # help_same, help_understood, help_info, help_hope
        "mod": _likert(rng, moderation, 1, 5, 3.7, 0.7, 0.8, 4),
        "safe": _likert(rng, safety, 1, 5, 3.7, 0.6, 0.8, 6),
    }
    state["safe"][:, 2] = 6 - state["safe"][:, 2]  # safe_3 is reverse-keyed
    state["help_fixed"] = np.column_stack([
        exact_assignment(rng, dict(zip(range(1, 6), p["likert_counts"][item])),
                         order=helpful + rng.normal(scale=0.9, size=n)).astype(float)
        for item in ("help_isolated", "help_alone")
    ])
    bounds = {"selfeff": (1, 10), "help": (1, 5), "mod": (1, 5), "safe": (1, 5)}
    keys = ["r_selfeff_help", "r_selfeff_mod", "t_safe_total", "d_safe_total",
            "t_selfeff_total", "d_selfeff_total", "df_selfeff_total"]

    def evaluate(s):
        st = likert_stats(s, ever)
        # the Levene decisions the paper reports must hold with room to spare
        st["penalty"] = 1e4 * (max(0.0, 0.1 - st["levene_safe_total"]) + max(0.0, st["levene_selfeff_total"] - 0.01))
        return st

    def propose(s, rng):
        """One answer moved by one point; half the time with an opposite move by someone in the
        same posting group, which changes that group's spread but not its mean."""
        block = ("selfeff", "help", "mod", "safe")[rng.integers(4)]
        j = rng.integers(s[block].shape[1])
        i = rng.integers(n)
        delta = (-1, 1)[rng.integers(2)]
        cells = [(i, delta)]
        if rng.random() < 0.5:
            group = np.flatnonzero(ever == ever[i])
            cells.append((group[rng.integers(len(group))], -delta))
        low, high = bounds[block]
        if len({c[0] for c in cells}) < len(cells) or any(
            not low <= s[block][r, j] + d <= high for r, d in cells
        ):
            return None
        old = [s[block][r, j] for r, _ in cells]

        def apply():
            for r, d in cells:
                s[block][r, j] += d

        def undo():
            for (r, _), value in zip(cells, old):
                s[block][r, j] = value

        return apply, undo

    log("  forum-experience items")
    local_search(state, evaluate, propose, keys, rng, 60000, log)
    return state


# --------------------------------------------------------------------------- assembly


def generate(seed: int = PARAMETERS["seed"], log=lambda msg: None) -> pd.DataFrame:
    """The twin as a frame in the contract layout (included respondents and speeders, shuffled)."""
    p = PARAMETERS
    rng = np.random.default_rng(seed)
    n = p["n_included"]
    df = pd.DataFrame(index=range(n))
    distress = rng.standard_normal(n)
    engagement = rng.standard_normal(n)

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

    log("calibrating GAD-7 and PHQ-8")
    age_rank = df["age_group"].map({a: i for i, a in enumerate(contract.AGE_GROUPS)}).to_numpy(float)
    present = attrition_mask(rng, n, 0.3 * age_rank + 0.3 * engagement)
    totals = calibrate_clinical(rng, present, log)
    for scale, stems in contract.CLINICAL_SCALES.items():
        for w, wave in enumerate(contract.WAVES):
            items = items_from_totals(rng, totals[scale][:, w], len(stems), distress)
            for k, stem in enumerate(stems):
                df[f"{wave}_{stem}"] = items[:, k]

    log("calibrating the forum-experience items")
    ever = df["ever_posted"].to_numpy()
    likert = calibrate_likert(rng, ever, distress, log)
    for k, item in enumerate(contract.SELFEFF_ITEMS):
        df[item] = likert["selfeff"][:, k]
    for k, item in enumerate(("help_same", "help_understood", "help_info", "help_hope")):
        df[item] = likert["help"][:, k]
    df["help_isolated"], df["help_alone"] = likert["help_fixed"][:, 0], likert["help_fixed"][:, 1]
    for k, item in enumerate(contract.MOD_ITEMS):
        df[item] = likert["mod"][:, k]
    for k, item in enumerate(contract.SAFE_ITEMS):
        df[item] = likert["safe"][:, k]
    resonance = likert["help"][:, 0] + rng.normal(scale=0.8, size=n)
    df["visit_read"] = np.clip(np.round(2.2 + 0.5 * resonance), 1, 5)
    counts = dict(zip(range(1, 6), p["likert_counts"]["stigma_inferior"]))
    df["stigma_inferior"] = exact_assignment(rng, counts, order=distress - 0.3 * likert["selfeff"].mean(axis=1)
                                             + rng.normal(size=n)).astype(float)
    df["t1_duration_min"] = np.round(5.0 + rng.lognormal(2.2, 0.6, size=n), 1)

    speeders = _speeders(rng, p["n_speeders"], df)
    full = pd.concat([df, speeders], ignore_index=True)
    full = full.iloc[rng.permutation(len(full))].reset_index(drop=True)
    full.insert(0, "record_id", [f"SYN-{i + 1:04d}" for i in range(len(full))])
    return full[list(contract.COLUMN_NAMES)]


def _speeders(rng: np.random.Generator, k: int, like: pd.DataFrame) -> pd.DataFrame:
    """Respondents who finished T1 in under 5 minutes: valid answers, excluded by the pipeline, no follow-up."""
    rows = like.iloc[rng.permutation(len(like))[:k]].copy().reset_index(drop=True)
    for col in rows.columns:
        if col.startswith(("t2_", "t3_")):
            rows[col] = np.nan
        elif col.startswith("t1_") and col != "t1_duration_min":
            rows[col] = rng.integers(0, 4, size=k).astype(float)
    rows["t1_duration_min"] = np.round(rng.uniform(1.5, 4.9, size=k), 1)
    rows["ever_posted"] = np.maximum(rows["ever_posted"], rows["posted_6wk"])
    return rows


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
    results = run_analysis(load_survey(path)).results
    misses = []
    for key, target in TARGETS.items():
        if key in results and target.miss(results[key]) >= 1:
            misses.append(f"{key} = {results[key]:.6g}, calibrated towards {target.value:g} +/- {target.half_width:g}")
    if not (results["welch_selfeff_total"] and not results["welch_safe_total"]):
        misses.append("Levene's rule must pick Welch for selfeff_total and Student for safe_total")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=paths.SYNTHETIC_TWIN)
    parser.add_argument("--seed", type=int, default=PARAMETERS["seed"])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    with threadpool_limits(limits=1):  # one BLAS thread: the same floating-point path on every run
        text = to_csv_text(generate(args.seed, log))
    generated = time.perf_counter() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    misses = verify(tmp)
    if misses:
        tmp.unlink()
        print("error: calibration missed; nothing written:\n  " + "\n  ".join(misses), file=sys.stderr)
        return 1
    tmp.replace(args.out)
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} rows): generated and calibrated in {generated:.1f} s, "
          f"verified in {time.perf_counter() - start - generated:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
