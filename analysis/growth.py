"""Linear latent growth curve model (Multimedia Appendix 7) by full-information maximum likelihood.

Model (survey data contract, "Growth curves"), for p waves with time scores
t_1..t_p:

    y_w = eta_i + t_w * eta_s + e_w,       observed intercepts fixed to 0
    E(eta_i, eta_s) = (alpha_i, alpha_s),  Cov(eta_i, eta_s) = Psi (free, 2x2)
    Var(e_w) = theta_w (one free residual variance per wave)

so mu = Lambda alpha and Sigma = Lambda Psi Lambda' + diag(theta), with
Lambda = [1, t]. The parameter vector, in this order, is

    alpha_i, alpha_s, psi_ii, psi_ss, psi_is, theta_1 .. theta_p.

What the estimator really does (a hand-written FIML, because semopy 2.3.11's
FIML objective and its statistics for mean structures are not reliable; see
``data/reference/README.md``):

1. start values: semopy's ``ModelMeans`` fitted with its ``ML`` objective on
   the same rows (only a starting point; its estimates are not reported);
2. estimates: BFGS on the exact casewise (FIML) log-likelihood of
   :mod:`analysis.lgcm_likelihood` with its analytic gradient, then up to
   three Newton steps on the numerical Hessian of that gradient. Parameters are
   unconstrained, as in lavaan's default: a negative variance (a Heywood case)
   is kept and flagged by :func:`improper_warnings`, never silently fixed;
3. fit: likelihood-ratio chi-square against the saturated model fitted by EM,
   df = p + p(p+1)/2 - (5 + p);
4. standard errors: inverse of the observed information (numerical Hessian of
   the analytic gradient, as lavaan with ``missing = "ml"``) or of the
   expected information (closed form).

R-squared of a wave = 1 - theta_w / Sigma_ww. Checked in the tests against
lavaan's published Demo.growth estimates and a direct scipy likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numdifftools as nd
import numpy as np
import pandas as pd
from scipy import optimize, stats

from .errors import AnalysisError
from .growth_start import _semopy_estimates, semopy_description  # noqa: F401 (re-exported)
from .lgcm_likelihood import (  # noqa: F401  (re-exported: the twin generator and tests use them here)
    RESIDUALS,
    MissingPatterns,
    Pattern,
    expansion,
    expected_information,
    implied_moments,
    loadings,
    moment_jacobians,
    saturated_moments,
)

PARAM_NAMES_LATENT = ("intercept_mean", "slope_mean", "intercept_var", "slope_var", "intercept_slope_cov")
Z_95 = float(stats.norm.ppf(0.975))


@dataclass
class GrowthFit:
    """A fitted linear latent growth curve model."""

    n: int
    time_scores: tuple[float, ...]
    theta: np.ndarray
    se: np.ndarray
    loglik: float
    loglik_saturated: float
    information: str
    missing: str
    names: tuple[str, ...] = field(default=())
    #: Free parameters (fewer than ``len(theta)`` when the residual variances are held equal).
    n_free: int | None = None
    #: Rubin's degrees of freedom per parameter under multiple imputation (None: a single fit, normal Wald).
    rubin_df: np.ndarray | None = None
    #: Under multiple imputation: the pooled model test (D2, :func:`pool_chi2`) as (chi2 scale, p).
    pooled_test: tuple[float, float] | None = None

    @property
    def n_params(self) -> int:
        return len(self.theta) if self.n_free is None else self.n_free

    @property
    def df(self) -> int:
        p = len(self.time_scores)
        return p + p * (p + 1) // 2 - self.n_params

    @property
    def chi2(self) -> float:
        """Likelihood-ratio chi-square against the saturated model (0 when that is negative by rounding);
        under multiple imputation the pooled D2 statistic on the chi-square scale (D2 x df)."""
        if self.pooled_test is not None:
            return self.pooled_test[0]
        return max(0.0, 2.0 * (self.loglik_saturated - self.loglik))

    @property
    def p_value(self) -> float:
        if self.pooled_test is not None:
            return self.pooled_test[1]
        return float(stats.chi2.sf(self.chi2, self.df)) if self.df > 0 else float("nan")

    def critical(self, name: str) -> float:
        """The 97.5% point of the reference distribution of a parameter's Wald statistic: normal for a
        single fit, t on Rubin's degrees of freedom under multiple imputation."""
        if self.rubin_df is None:
            return Z_95
        return float(stats.t.ppf(0.975, self.rubin_df[self.names.index(name)]))

    @property
    def implied(self) -> tuple[np.ndarray, np.ndarray]:
        return implied_moments(self.theta, self.time_scores)

    @property
    def r2(self) -> np.ndarray:
        """Per wave, 1 - residual variance / implied variance."""
        return 1.0 - self.theta[5:] / np.diag(self.implied[1])

    @property
    def warnings(self) -> list[str]:
        """Why the solution is improper (empty when it is proper); see :func:`improper_warnings`."""
        return improper_warnings(self.theta, self.names)

    @property
    def improper(self) -> bool:
        return bool(self.warnings)

    def estimate(self, name: str) -> float:
        return float(self.theta[self.names.index(name)])

    def std_error(self, name: str) -> float:
        return float(self.se[self.names.index(name)])

    def wald_p(self, name: str) -> float:
        """Two-tailed Wald p of one parameter (t on Rubin's df under multiple imputation)."""
        z = abs(self.estimate(name) / self.std_error(name))
        if self.rubin_df is None:
            return float(2 * stats.norm.sf(z))
        return float(2 * stats.t.sf(z, self.rubin_df[self.names.index(name)]))

    def table(self) -> pd.DataFrame:
        """Parameter table: estimate, SE, z, two-tailed p and 95% Wald CI."""
        z = self.theta / self.se
        crit = np.array([self.critical(n) for n in self.names])
        p = 2 * stats.norm.sf(np.abs(z)) if self.rubin_df is None else 2 * stats.t.sf(np.abs(z), self.rubin_df)
        return pd.DataFrame(
            {
                "parameter": self.names,
                "estimate": self.theta,
                "se": self.se,
                "z": z,
                "p": p,
                "ci_low": self.theta - crit * self.se,
                "ci_high": self.theta + crit * self.se,
            }
        )


def improper_warnings(theta: np.ndarray, names) -> list[str]:
    """lavaan-style warnings for an improper solution: a negative variance estimate (latent or
    residual), or a latent covariance matrix Psi that is not positive definite."""
    out = []
    for name, value in zip(names, theta, strict=False):
        if (name.endswith("_var") or name.startswith("residual_var")) and value < 0:
            out.append(f"negative variance estimate: {name} = {value:.4g}")
    psi = np.array([[theta[2], theta[4]], [theta[4], theta[3]]])
    if np.linalg.eigvalsh(psi).min() <= 0:
        out.append("the covariance matrix of the latent intercept and slope is not positive definite")
    return out


#: Fewest respondents with a wave total for a growth model (more than its 5 + p free parameters).
MIN_GROWTH_N = 10


@dataclass
class Estimation:
    """What the FIML estimation leaves behind: the rows' patterns, theta and both log-likelihoods."""

    patterns: MissingPatterns
    time_scores: tuple[float, ...]
    theta: np.ndarray
    loglik: float
    loglik_saturated: float
    missing: str
    residuals: str = "free"

    @property
    def expansion(self) -> np.ndarray:
        """E with full theta = E @ free theta (:func:`expansion`)."""
        return expansion(len(self.time_scores), self.residuals)


def _prepare(waves, time_scores, missing: str, label: str) -> tuple[np.ndarray, tuple[float, ...]]:
    y = np.asarray(waves, dtype=float)
    time_scores = tuple(float(t) for t in time_scores)
    if y.ndim != 2 or y.shape[1] != len(time_scores):
        raise ValueError(f"need one column per time score ({len(time_scores)}), got shape {y.shape}")
    if missing == "listwise":
        y = y[~np.isnan(y).any(axis=1)]
    elif missing not in ("fiml", "mi", "delta"):
        raise ValueError(f"missing must be 'fiml', 'listwise', 'mi' or 'delta', not {missing!r}")
    y = y[~np.isnan(y).all(axis=1)]
    minimum = max(MIN_GROWTH_N, 5 + 2 * y.shape[1])
    if len(y) < minimum:
        rows = "complete cases" if missing == "listwise" else "respondents with at least one wave total"
        raise AnalysisError(f"growth model{label}", f"{len(y)} {rows}", f"at least {minimum}")
    constant = [w + 1 for w in range(y.shape[1]) if np.nanvar(y[:, w]) == 0]
    if constant:
        waves = ", ".join(f"T{w}" for w in constant)
        raise AnalysisError(f"growth model{label}", f"the totals at {waves} are all equal (no variance)",
                            "scores that vary within each wave")
    return y, time_scores


def _objective(patterns: MissingPatterns, time_scores, residuals: str = "free"):
    """Negative log-likelihood and its analytic gradient as functions of the free parameters."""
    dmu, dsig = moment_jacobians(time_scores)
    e = expansion(len(time_scores), residuals)

    def negll(free):
        value = -patterns.loglik(*implied_moments(e @ free, time_scores))
        return value if np.isfinite(value) else 1e300

    def gradient(free):
        g_mu, g_sigma = patterns.score(*implied_moments(e @ free, time_scores))
        return -e.T @ (dmu @ g_mu + np.einsum("jab,ab->j", dsig, g_sigma))

    return negll, gradient


def estimate_lgcm(waves, time_scores=(0.0, 1.0, 2.0), missing: str = "fiml", label: str = "",
                  residuals: str = "free", start=None, polish: bool = True):
    """Steps 1-3 of the module docstring: FIML estimates and the saturated log-likelihood.

    ``residuals="equal"`` holds the residual variances equal across waves (:func:`expansion`);
    Multiple imputation (``missing`` "mi" or "delta") is :func:`analysis.growth_mi.estimate_lgcm_mi`.
    ``start``: full-length start values instead of semopy's (used for imputed data, which are then not
    Newton-polished: ``polish``).
    Raises :class:`AnalysisError` with fewer than :data:`MIN_GROWTH_N` usable rows.
    """
    if missing in ("mi", "delta"):
        raise ValueError("multiple imputation is analysis.growth_mi.estimate_lgcm_mi")
    y, time_scores = _prepare(waves, time_scores, missing, label)
    patterns = MissingPatterns(y)
    e = expansion(len(time_scores), residuals)
    negll, gradient = _objective(patterns, time_scores, residuals)
    hessian = nd.Jacobian(gradient, method="central")
    if start is None:
        try:
            start = _semopy_estimates(y, time_scores)
        except (np.linalg.LinAlgError, ValueError) as exc:  # e.g. a wave whose few totals are all equal
            raise AnalysisError(f"growth model{label}", f"no starting solution can be found ({exc})",
                                "scores that vary within each wave") from None
    start = np.linalg.pinv(e) @ np.asarray(start, dtype=float)  # equal residuals: their mean
    refined = optimize.minimize(negll, start, jac=gradient, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
    theta = refined.x if refined.fun <= negll(start) else start
    for _ in range(3 if polish else 0):  # Newton polishing on the analytic gradient
        try:
            step = np.linalg.solve(hessian(theta), gradient(theta))
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or negll(theta - step) > negll(theta) + 1e-9:
            break
        theta = theta - step
    _, _, ll_sat = saturated_moments(patterns)
    return Estimation(patterns, time_scores, e @ theta, -negll(theta), ll_sat, missing, residuals)


def standard_errors(est: Estimation, information: str = "observed") -> np.ndarray:
    """Step 4: SEs from the inverse observed or expected information of the free parameters (NaN where not
    positive), mapped to the full vector (equal residual variances share one SE)."""
    e = est.expansion
    free = np.linalg.pinv(e) @ est.theta
    if information == "observed":
        _, gradient = _objective(est.patterns, est.time_scores, est.residuals)
        info = nd.Jacobian(gradient, method="central")(free)
        info = (info + info.T) / 2
    elif information == "expected":
        info = e.T @ expected_information(est.theta, est.time_scores, est.patterns) @ e
    else:
        raise ValueError(f"information must be 'observed' or 'expected', not {information!r}")
    diag = np.diag(e @ np.linalg.pinv(info) @ e.T)
    return np.sqrt(np.where(diag > 0, diag, np.nan))


def _names(p: int) -> tuple[str, ...]:
    return PARAM_NAMES_LATENT + tuple(f"residual_var_{w + 1}" for w in range(p))


def fit_from(est, information: str = "observed") -> GrowthFit:
    """A :class:`GrowthFit` from an estimation and the chosen information for its SEs (an imputed estimation:
    :func:`analysis.growth_mi.fit_any`)."""
    p = len(est.time_scores)
    return GrowthFit(
        n=est.patterns.n,
        time_scores=est.time_scores,
        theta=est.theta,
        se=standard_errors(est, information),
        loglik=est.loglik,
        loglik_saturated=est.loglik_saturated,
        information=information,
        missing=est.missing,
        names=_names(p),
        n_free=est.expansion.shape[1],
    )


def fit_lgcm(
    waves: pd.DataFrame | np.ndarray,
    time_scores=(0.0, 1.0, 2.0),
    information: str = "observed",
    missing: str = "fiml",
    residuals: str = "free",
) -> GrowthFit:
    """Fit the linear growth model to wave scores (one column per wave, NaN = missing).

    ``missing='fiml'`` uses every row with at least one wave; ``'listwise'``
    keeps complete rows only. ``information`` is ``'observed'`` (the
    contract's choice) or ``'expected'``. Start values and optimiser settings
    are fixed, so the fit is deterministic on one machine.
    """
    return fit_from(estimate_lgcm(waves, time_scores, missing, residuals=residuals), information)


def growth_results(prefix: str, fit: GrowthFit) -> dict[str, float | int]:
    """Manifest keys ``{prefix}_lgcm_*`` of one fitted model (contract, "The results manifest")."""
    slope, slope_se = fit.estimate("slope_mean"), fit.std_error("slope_mean")
    out = {
        f"{prefix}_lgcm_n": fit.n,
        f"{prefix}_lgcm_intercept_mean": fit.estimate("intercept_mean"),
        f"{prefix}_lgcm_slope_mean": slope,
        f"{prefix}_lgcm_slope_se": slope_se,
        f"{prefix}_lgcm_slope_ci_low": slope - fit.critical("slope_mean") * slope_se,
        f"{prefix}_lgcm_slope_ci_high": slope + fit.critical("slope_mean") * slope_se,
        f"{prefix}_lgcm_slope_p": fit.wald_p("slope_mean"),
        f"{prefix}_lgcm_intercept_var": fit.estimate("intercept_var"),
        f"{prefix}_lgcm_slope_var": fit.estimate("slope_var"),
        f"{prefix}_lgcm_intercept_slope_cov": fit.estimate("intercept_slope_cov"),
        f"{prefix}_lgcm_intercept_slope_p": fit.wald_p("intercept_slope_cov"),
        f"{prefix}_lgcm_chi2": fit.chi2,
        f"{prefix}_lgcm_df": fit.df,
        f"{prefix}_lgcm_p": fit.p_value,
    }
    for w, r2 in enumerate(fit.r2, start=1):
        out[f"{prefix}_lgcm_r2_t{w}"] = float(r2)
    out[f"{prefix}_lgcm_improper"] = fit.improper
    out[f"{prefix}_lgcm_warnings"] = fit.warnings
    return out


def growth_intervals(prefix: str, fit: GrowthFit) -> dict[str, float]:
    """95% Wald intervals and SEs of every latent parameter (``{prefix}_lgcm_{name}_se/_ci_low/_ci_high``,
    ``name`` without the ``_mean`` of the slope mean, whose keys :func:`growth_results` already gives),
    and the RMSEA of the model chi-square with its 95% interval (:func:`analysis.effects.rmsea_ci`)."""
    from .effects import rmsea_ci

    out: dict[str, float] = {}
    for name in PARAM_NAMES_LATENT:
        if name == "slope_mean":
            continue
        est, se = fit.estimate(name), fit.std_error(name)
        crit = fit.critical(name)
        out.update({f"{prefix}_lgcm_{name}_se": se, f"{prefix}_lgcm_{name}_ci_low": est - crit * se,
                    f"{prefix}_lgcm_{name}_ci_high": est + crit * se})
    rmsea, low, high = rmsea_ci(fit.chi2, fit.df, fit.n)
    out.update({f"{prefix}_lgcm_rmsea": rmsea, f"{prefix}_lgcm_rmsea_ci_low": low,
                f"{prefix}_lgcm_rmsea_ci_high": high})
    return out


def observed_wave_summary(waves: pd.DataFrame, time_scores=(0.0, 1.0, 2.0)) -> pd.DataFrame:
    """Per wave: n, observed mean, SD (ddof 1) and the t-based 95% CI of the mean (respondents present)."""
    rows = []
    for (name, col), t in zip(waves.items(), time_scores, strict=False):
        x = col.dropna()
        n = len(x)
        half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
        rows.append({"wave": name, "time": float(t), "n": n, "mean": x.mean(), "sd": x.std(ddof=1),
                     "ci_low": x.mean() - half, "ci_high": x.mean() + half})
    return pd.DataFrame(rows)
