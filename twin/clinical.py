"""GAD-7 and PHQ-8 wave totals that meet the T1, caseness and growth-model targets.

1. Standard-normal draws (fixed, from the ``clinical`` stream) become wave
   totals through a linear growth model with a T2 deviation
   (:func:`generate_waves`). Its nine generation parameters per scale are the
   recorded ``PARAMETERS["generation"]``: a least-squares fit
   (:func:`fit_generation`) of the unrounded totals to the scale's targets,
   made once for the recorded seed and rounded. An optimiser's path, and so
   the last digits of its answer, depends on the BLAS kernel, and this
   problem has flat directions (the covariance is clipped when the slope
   variance is near 0), so refitting on every run would let the machine
   choose the data. With another seed the fit is redone (a warning says so).
2. Totals are rounded to whole points and clipped to the scale's range.
3. T1 GAD-7 totals move across the caseness cut-off, nearest first, until the
   printed number of not-cases is met (:func:`set_caseness`; ties by record id).
4. Each scale's totals move one point at a time until its growth and T1
   targets are met (:func:`twin.growthcal.calibrate_growth`).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import optimize

from analysis import caseness, contract, growth

from .growthcal import SCALE_MAX, calibrate_growth, not_case, scale_statistics, statistic_keys
from .growthfit import GrowthFitter
from .parameters import PARAMETERS, TARGETS

log = logging.getLogger(__name__)

TIMES = np.asarray(contract.WAVE_TIME_SCORES, dtype=float)


def generate_waves(params, z: np.ndarray, present: np.ndarray, top: int, rounded: bool) -> np.ndarray:
    """Wave totals (n x 3, NaN where absent) from generation parameters and fixed normal draws z (n x 5).

    params: intercept mean, slope mean, T2 deviation from linearity, intercept
    variance, slope variance, their covariance, three residual variances. The
    2 x 2 Cholesky factor is written out elementwise (no BLAS), so the same
    parameters give the same bits everywhere.
    """
    a_i, a_s, dev2, v_i, v_s, c, *resid = (float(v) for v in params)
    v_i, v_s = abs(v_i) + 1e-6, abs(v_s) + 1e-6
    c = float(np.clip(c, -0.95 * np.sqrt(v_i * v_s), 0.95 * np.sqrt(v_i * v_s)))
    l11 = np.sqrt(v_i)
    l21 = c / l11
    l22 = np.sqrt(v_s - l21 * l21)
    intercept = a_i + l11 * z[:, 0]
    slope = a_s + (l21 * z[:, 0] + l22 * z[:, 1])
    y = np.empty((len(z), 3))
    for w in range(3):
        y[:, w] = intercept + TIMES[w] * slope + z[:, 2 + w] * np.sqrt(max(resid[w], 1e-6))
    y[:, 1] += dev2
    y = np.clip(y, 0, top)
    if rounded:
        y = np.round(y)
    return np.where(present, y, np.nan)


def fit_generation(scale: str, z: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Generation parameters whose unrounded totals meet the scale's targets (least squares), rounded.

    The residuals are the misses in half-widths of :func:`twin.growthcal.statistic_keys`.
    """
    keys = statistic_keys(scale)
    start = np.array(PARAMETERS["growth_start"][scale], dtype=float)
    fitter = GrowthFitter(np.concatenate([start[:2], start[3:]]))

    def residuals(params):
        y = generate_waves(params, z, present, SCALE_MAX[scale], rounded=False)
        st = scale_statistics(fitter, scale, growth.MissingPatterns(y), y)
        return np.array([(st[k] - TARGETS[k].value) / TARGETS[k].half_width for k in keys])

    fit = optimize.least_squares(residuals, start, method="trf", diff_step=1e-5, max_nfev=200,
                                 xtol=1e-12, ftol=1e-12, gtol=1e-12)
    params = np.round(fit.x, PARAMETERS["generation_decimals"])
    log.info("  %s: generation parameters %s (least-squares cost %.3g)", scale, params.tolist(), fit.cost)
    return params


def set_caseness(gad_t1: np.ndarray, phq_t1: np.ndarray, n_not_cases: int, rank: np.ndarray) -> None:
    """Move T1 GAD-7 totals (in place) across the cut-off, nearest first, until ``n_not_cases`` are not cases.

    Too many not-cases: the not-cases with the highest GAD-7 go up to
    GAD_CUTOFF + 1. Too few: among cases whose PHQ-8 is at most PHQ_CUTOFF,
    those with the lowest GAD-7 go down to GAD_CUTOFF. Equal totals: lowest
    record-id rank first. All comparisons are on whole points.
    """
    excess = int(not_case(gad_t1, phq_t1).sum()) - n_not_cases
    if excess > 0:
        pool = np.flatnonzero(not_case(gad_t1, phq_t1))
        chosen = pool[np.lexsort((rank[pool], -gad_t1[pool]))[:excess]]
        gad_t1[chosen] = caseness.GAD_CUTOFF + 1
    elif excess < 0:
        pool = np.flatnonzero(~not_case(gad_t1, phq_t1) & (phq_t1 <= caseness.PHQ_CUTOFF))
        chosen = pool[np.lexsort((rank[pool], gad_t1[pool]))[:-excess]]
        gad_t1[chosen] = caseness.GAD_CUTOFF
    if int(not_case(gad_t1, phq_t1).sum()) != n_not_cases:
        raise RuntimeError("caseness calibration failed")


def calibrate_clinical(rng: np.random.Generator, present: np.ndarray, rank: np.ndarray,
                       generation: dict | None = None) -> dict[str, np.ndarray]:
    """GAD-7 and PHQ-8 wave totals (n x 3 each) meeting the T1, caseness and growth targets (steps 1-4 above).

    ``generation`` maps each scale to its nine generation parameters; None fits them (:func:`fit_generation`).
    """
    n = present.shape[0]
    rho = PARAMETERS["gad_phq_correlation"]
    z_gad = rng.standard_normal((n, 5))
    z_phq = rho * z_gad + np.sqrt(1 - rho**2) * rng.standard_normal((n, 5))
    totals = {}
    for scale, z in (("gad", z_gad), ("phq", z_phq)):
        if generation is None:
            params = fit_generation(scale, z, present)
        else:
            params = np.asarray(generation[scale], dtype=float)
            log.info("  %s: recorded generation parameters %s", scale, params.tolist())
        totals[scale] = generate_waves(params, z, present, SCALE_MAX[scale], rounded=True)
    set_caseness(totals["gad"][:, 0], totals["phq"][:, 0], int(TARGETS["caseness_n_not_cases"].value), rank)
    for scale in ("gad", "phq"):
        log.info("  %s growth model and T1", scale)
        start = np.array(PARAMETERS["growth_start"][scale], dtype=float)
        calibrate_growth(totals, scale, np.concatenate([start[:2], start[3:]]), rank)
    return totals
