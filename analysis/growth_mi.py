"""Multiple imputation for the growth models (option ``growth_missing`` = "mi" or "delta").

The wave totals of every respondent with at least one are completed :data:`MI_M` times by chained
equations (statsmodels' ``MICEData``, :func:`impute`); each completed copy is fitted by maximum likelihood
(:func:`analysis.growth.estimate_lgcm`), and the fits are pooled by Rubin's rules (:func:`rubin`), the
model test by D2 (:func:`pool_chi2`). "delta" is the not-at-random sensitivity analysis: the imputed
later-wave totals of those who missed them are raised by :data:`MI_DELTA` points before fitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .growth import Estimation, GrowthFit, _prepare, estimate_lgcm, fit_from

#: Imputations per model (option ``growth_missing`` = "mi" or "delta"), and their seed.
MI_M = 20
MI_SEED = 20250101
#: The not-at-random shift of option ``growth_missing`` = "delta": points added to every imputed later-wave
#: total (T2, T3) of a respondent who missed that wave (a dropout scores this much worse than MAR predicts).
MI_DELTA = 3.0
#: MICE cycles before each imputation is kept.
MI_CYCLES = 5


@dataclass
class MIEstimation:
    """The FIML-free estimation of one model by multiple imputation: one complete-data fit per imputation."""

    fits: list[Estimation]
    time_scores: tuple[float, ...]
    missing: str
    n: int


def impute(y: np.ndarray, m: int = MI_M, seed: int = MI_SEED, cycles: int = MI_CYCLES) -> list[np.ndarray]:
    """``m`` completed copies of the wave totals ``y`` (rows with at least one wave) by chained equations:
    statsmodels' ``MICEData`` (each wave imputed from the others by OLS with predictive mean matching),
    ``cycles`` cycles before each copy is kept, the copies successive states of one chain, drawn from its
    own generator seeded with ``seed`` (the same imputations in every process; no global state touched)."""
    from statsmodels.imputation.mice import MICEData

    frame = pd.DataFrame(y, columns=[f"y{w}" for w in range(y.shape[1])])
    data = MICEData(frame, rng=np.random.default_rng(seed))
    out = []
    for _ in range(m):
        data.update_all(cycles)
        out.append(data.data[frame.columns].to_numpy(float).copy())
    return out


def estimate_lgcm_mi(waves, time_scores=(0.0, 1.0, 2.0), missing: str = "mi", label: str = "",
                     residuals: str = "free", delta: float = MI_DELTA, imputations=None) -> MIEstimation:
    """The growth model by multiple imputation (``missing="mi"``) or with the not-at-random shift
    (``"delta"``: :data:`MI_DELTA` added to the imputed totals of every later wave a respondent missed;
    the first wave is never shifted). Rows: every respondent with at least one wave total, as FIML.
    ``imputations``: the completed copies of those rows (:func:`impute`, computed when None); each is fitted
    by ML from the FIML estimates."""
    y, time_scores = _prepare(waves, time_scores, missing, label)
    missing_mask = np.isnan(y)
    base = estimate_lgcm(y, time_scores, "fiml", label, residuals)
    fits = []
    for completed in impute(y) if imputations is None else imputations:
        if missing == "delta":
            shift = missing_mask.copy()
            shift[:, 0] = False
            completed = completed + delta * shift
        fits.append(estimate_lgcm(completed, time_scores, "fiml", label, residuals, start=base.theta, polish=False))
    return MIEstimation(fits, time_scores, missing, len(y))


def rubin(estimates: np.ndarray, variances: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rubin's rules (Rubin 1987): per parameter (columns) over m imputations (rows), the pooled estimate
    (mean), its total variance T = W + (1 + 1/m) B (W the mean within-imputation variance, B the
    between-imputation variance) and the degrees of freedom (m - 1)(1 + W / ((1 + 1/m) B))^2."""
    m = estimates.shape[0]
    q = estimates.mean(axis=0)
    w = variances.mean(axis=0)
    b = estimates.var(axis=0, ddof=1)
    t = w + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(b > 0, (m - 1) * (1 + w / ((1 + 1 / m) * b)) ** 2, np.inf)
    return q, t, df


def pool_chi2(chi2s: np.ndarray, df: int) -> tuple[float, float]:
    """The D2 pooled likelihood-ratio test (Li, Meng, Raghunathan & Rubin 1991) of m chi-squares on ``df``
    degrees of freedom: r = (1 + 1/m) var(sqrt(chi2)), D2 = (mean chi2 / df - (m + 1)/(m - 1) r) / (1 + r),
    referred to F(df, df^(-3/m) (m - 1) (1 + 1/r)^2). Returns (D2 x df, p); D2 is floored at 0."""
    chi2s = np.asarray(chi2s, dtype=float)
    m = len(chi2s)
    r = (1 + 1 / m) * np.sqrt(chi2s).var(ddof=1)
    d2 = max(0.0, (chi2s.mean() / df - (m + 1) / (m - 1) * r) / (1 + r))
    if r == 0:
        return d2 * df, float(stats.chi2.sf(d2 * df, df))
    nu = df ** (-3 / m) * (m - 1) * (1 + 1 / r) ** 2
    return d2 * df, float(stats.f.sf(d2, df, nu))


def fit_any(est, information: str = "observed") -> GrowthFit:
    """:func:`analysis.growth.fit_from` of a FIML or listwise estimation, :func:`pool_fits` of an imputed one."""
    return pool_fits(est, information) if isinstance(est, MIEstimation) else fit_from(est, information)


def pool_fits(est: MIEstimation, information: str = "observed") -> GrowthFit:
    """One :class:`GrowthFit` from the imputations: estimates and SEs by Rubin's rules, Wald tests on t with
    Rubin's df, the model test by D2 (:func:`pool_chi2`); log-likelihoods are the imputations' means."""
    fits = [fit_from(e, information) for e in est.fits]
    q, t, df = rubin(np.array([f.theta for f in fits]), np.array([f.se**2 for f in fits]))
    first = fits[0]
    return GrowthFit(
        n=est.n,
        time_scores=est.time_scores,
        theta=q,
        se=np.sqrt(t),
        loglik=float(np.mean([f.loglik for f in fits])),
        loglik_saturated=float(np.mean([f.loglik_saturated for f in fits])),
        information=information,
        missing=est.missing,
        names=first.names,
        n_free=first.n_free,
        rubin_df=df,
        pooled_test=pool_chi2(np.array([f.chi2 for f in fits]), first.df),
    )
