"""Linear latent growth curve model (Multimedia Appendix 7), fitted with semopy under FIML.

Model (survey data contract, "Growth curves"), for p waves with time scores
t_1..t_p:

    y_w = eta_i + t_w * eta_s + e_w,       observed intercepts fixed to 0
    E(eta_i, eta_s) = (alpha_i, alpha_s),  Cov(eta_i, eta_s) = Psi (free, 2x2)
    Var(e_w) = theta_w (one free residual variance per wave)

so mu = Lambda alpha and Sigma = Lambda Psi Lambda' + diag(theta), with
Lambda = [1, t]. The parameter vector, in this order, is

    alpha_i, alpha_s, psi_ii, psi_ss, psi_is, theta_1 .. theta_p.

Estimation is full-information maximum likelihood over every respondent with
at least one observed wave (semopy's ``ModelMeans`` with the FIML objective,
refined by quasi-Newton steps on the exact casewise likelihood). The model
chi-square is the likelihood ratio against the saturated model (free means
and covariances, fitted by EM), with df = p + p(p+1)/2 - (5 + p). Standard
errors come from the observed information (the Hessian of the log-likelihood,
as lavaan does with ``missing = "ml"``) or, on request, the expected
information. R-squared of a wave = 1 - theta_w / Sigma_ww.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numdifftools as nd
import numpy as np
import pandas as pd
from scipy import optimize, stats

PARAM_NAMES_LATENT = ("intercept_mean", "slope_mean", "intercept_var", "slope_var", "intercept_slope_cov")
Z_95 = float(stats.norm.ppf(0.975))


# --------------------------------------------------------------------------- likelihood


@dataclass(frozen=True)
class Pattern:
    """Sufficient statistics of the rows sharing one missing-data pattern.

    ``idx`` are the observed variables, ``n`` the rows, ``s`` the sum of their
    values and ``c`` the sum of their outer products (uncentred).
    """

    idx: np.ndarray
    n: int
    s: np.ndarray
    c: np.ndarray

    def centred(self, mu: np.ndarray) -> np.ndarray:
        """W = sum over rows of (y - mu)(y - mu)' on the observed variables."""
        m = mu[self.idx]
        return self.c - np.outer(self.s, m) - np.outer(m, self.s) + self.n * np.outer(m, m)


class MissingPatterns:
    """Rows grouped by which variables are observed, for casewise (FIML) likelihoods.

    The normal likelihood of a pattern depends on its rows only through their
    count, sum and sum of outer products, so that is all that is kept.
    """

    def __init__(self, y: np.ndarray):
        y = np.asarray(y, dtype=float)
        observed = ~np.isnan(y)
        keep = observed.any(axis=1)
        y, observed = y[keep], observed[keep]
        self.n, self.p = y.shape
        groups = []
        patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
        for k, pattern in enumerate(patterns):
            idx = np.flatnonzero(pattern)
            rows = y[inverse.ravel() == k][:, idx]
            groups.append(Pattern(idx, len(rows), rows.sum(axis=0), rows.T @ rows))
        self.groups: list[Pattern] = groups

    @classmethod
    def from_groups(cls, groups: list[Pattern], p: int) -> "MissingPatterns":
        """Patterns from sufficient statistics directly."""
        obj = cls.__new__(cls)
        obj.groups, obj.p, obj.n = list(groups), p, int(sum(g.n for g in groups))
        return obj

    def loglik(self, mu: np.ndarray, sigma: np.ndarray) -> float:
        """Multivariate normal log-likelihood summed over rows, each on its observed variables."""
        total = 0.0
        for g in self.groups:
            sub = sigma[np.ix_(g.idx, g.idx)]
            sign, logdet = np.linalg.slogdet(sub)
            if sign <= 0:
                return -np.inf
            quad = np.trace(np.linalg.solve(sub, g.centred(mu)))
            total += -0.5 * (g.n * (len(g.idx) * np.log(2 * np.pi) + logdet) + quad)
        return float(total)

    def score(self, mu: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of :meth:`loglik` with respect to mu and to the (symmetric) entries of sigma.

        Per pattern: dl/dmu = S^-1 sum(d), dl/dS = (S^-1 W S^-1 - n S^-1) / 2 with W = sum(d d').
        """
        g_mu = np.zeros(self.p)
        g_sigma = np.zeros((self.p, self.p))
        for g in self.groups:
            s_inv = np.linalg.inv(sigma[np.ix_(g.idx, g.idx)])
            g_mu[g.idx] += s_inv @ (g.s - g.n * mu[g.idx])
            g_sigma[np.ix_(g.idx, g.idx)] += 0.5 * (s_inv @ g.centred(mu) @ s_inv - g.n * s_inv)
        return g_mu, g_sigma


def saturated_moments(patterns: MissingPatterns, tol: float = 1e-13, max_iter: int = 20000, start=None):
    """ML means and covariances of the unrestricted (saturated) model, by EM; returns (mu, sigma, loglik).

    With complete data this is the sample mean and the covariance divided by N.
    ``start`` is an optional (mu, sigma) to begin from.
    """
    p = patterns.p
    if start is None:
        sums, counts = np.zeros(p), np.zeros(p)
        for g in patterns.groups:
            sums[g.idx] += g.s
            counts[g.idx] += g.n
        mu = sums / counts
        sq = np.zeros(p)
        for g in patterns.groups:
            sq[g.idx] += np.diag(g.centred(mu))
        sigma = np.diag(sq / counts)
    else:
        mu, sigma = np.array(start[0], dtype=float), np.array(start[1], dtype=float)
    previous = -np.inf
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for g in patterns.groups:
            o = g.idx
            m = np.setdiff1d(np.arange(p), o)
            t1[o] += g.s
            t2[np.ix_(o, o)] += g.c
            if len(m):
                # E-step on sufficient statistics: y_m | y_o = a + B y_o, residual covariance r
                b = sigma[np.ix_(m, o)] @ np.linalg.inv(sigma[np.ix_(o, o)])
                a = mu[m] - b @ mu[o]
                r = sigma[np.ix_(m, m)] - b @ sigma[np.ix_(o, m)]
                sum_m = g.n * a + b @ g.s
                cross_mo = np.outer(a, g.s) + b @ g.c
                t1[m] += sum_m
                t2[np.ix_(m, o)] += cross_mo
                t2[np.ix_(o, m)] += cross_mo.T
                t2[np.ix_(m, m)] += (g.n * np.outer(a, a) + np.outer(a, b @ g.s) + np.outer(b @ g.s, a)
                                     + b @ g.c @ b.T + g.n * r)
        mu = t1 / patterns.n
        sigma = t2 / patterns.n - np.outer(mu, mu)
        current = patterns.loglik(mu, sigma)
        if abs(current - previous) < tol * max(1.0, abs(current)):
            break
        previous = current
    return mu, sigma, patterns.loglik(mu, sigma)


# --------------------------------------------------------------------------- model


def loadings(time_scores) -> np.ndarray:
    """Lambda = [1, t]: intercept loadings 1, slope loadings the time scores."""
    t = np.asarray(time_scores, dtype=float)
    return np.column_stack([np.ones_like(t), t])


def implied_moments(theta: np.ndarray, time_scores) -> tuple[np.ndarray, np.ndarray]:
    """Model-implied means and covariance matrix of the waves for parameter vector theta."""
    lam = loadings(time_scores)
    alpha = theta[0:2]
    psi = np.array([[theta[2], theta[4]], [theta[4], theta[3]]])
    return lam @ alpha, lam @ psi @ lam.T + np.diag(theta[5:])


def moment_jacobians(time_scores) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of mu (q x p) and Sigma (q x p x p) with respect to theta; constant, the model is linear."""
    lam = loadings(time_scores)
    p = lam.shape[0]
    q = 5 + p
    dmu = np.zeros((q, p))
    dmu[0], dmu[1] = lam[:, 0], lam[:, 1]
    dsig = np.zeros((q, p, p))
    li, ls = lam[:, 0], lam[:, 1]
    dsig[2] = np.outer(li, li)
    dsig[3] = np.outer(ls, ls)
    dsig[4] = np.outer(li, ls) + np.outer(ls, li)
    for w in range(p):
        dsig[5 + w, w, w] = 1.0
    return dmu, dsig


def expected_information(theta: np.ndarray, time_scores, patterns: MissingPatterns) -> np.ndarray:
    """Expected (Fisher) information summed over missing-data patterns, closed form.

    I = sum_g n_g [ dmu' S^-1 dmu + 1/2 tr(S^-1 dS_j S^-1 dS_k) ] on each pattern's
    observed variables; with complete data this is lavaan's expected information.
    """
    dmu, dsig = moment_jacobians(time_scores)
    _, sigma = implied_moments(theta, time_scores)
    info = np.zeros((len(theta), len(theta)))
    for g in patterns.groups:
        s_inv = np.linalg.inv(sigma[np.ix_(g.idx, g.idx)])
        m = dmu[:, g.idx]
        a = np.einsum("jab,bc->jac", dsig[:, g.idx][:, :, g.idx], s_inv)
        info += g.n * (m @ s_inv @ m.T + 0.5 * np.einsum("jab,kba->jk", a, a))
    return info


def semopy_description(columns: list[str], time_scores) -> str:
    """semopy syntax of the linear growth model on columns y0..y{p-1}.

    Latent means are labelled (semopy 2.3.11 needs a label for ``~ 1`` on a
    latent variable) and observed intercepts are fixed to 0.
    """
    ones = " + ".join(f"1*{c}" for c in columns)
    slopes = " + ".join(f"{float(t)!r}*{c}" for t, c in zip(time_scores, columns))
    lines = [f"eta_i =~ {ones}", f"eta_s =~ {slopes}", "eta_i ~ alpha_i*1", "eta_s ~ alpha_s*1",
             "START(0.1) alpha_i alpha_s", "eta_i ~~ eta_s"]
    lines += [f"{c} ~ 0*1" for c in columns]
    return "\n".join(lines)


def _semopy_estimates(y: np.ndarray, time_scores) -> np.ndarray:
    """Fit with semopy (ModelMeans, objective FIML) and return theta in this module's order."""
    import semopy

    columns = [f"y{w}" for w in range(y.shape[1])]
    model = semopy.ModelMeans(semopy_description(columns, time_scores))
    logging.getLogger().setLevel(logging.ERROR)  # semopy logs FIM warnings on the root logger
    model.fit(pd.DataFrame(y, columns=columns), obj="ML", clean_slate=True)
    est = model.inspect(se_robust=False)

    def value(lval, op, rval):
        row = est[(est["lval"] == lval) & (est["op"] == op) & (est["rval"] == rval)]
        return float(row["Estimate"].iloc[0])

    theta = [value("eta_i", "~", "1"), value("eta_s", "~", "1"), value("eta_i", "~~", "eta_i"),
             value("eta_s", "~~", "eta_s"), value("eta_i", "~~", "eta_s")]
    theta += [value(c, "~~", c) for c in columns]
    return np.array(theta)


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

    @property
    def n_params(self) -> int:
        return len(self.theta)

    @property
    def df(self) -> int:
        p = len(self.time_scores)
        return p + p * (p + 1) // 2 - self.n_params

    @property
    def chi2(self) -> float:
        """Likelihood-ratio chi-square against the saturated model (0 when that is negative by rounding)."""
        return max(0.0, 2.0 * (self.loglik_saturated - self.loglik))

    @property
    def p_value(self) -> float:
        return float(stats.chi2.sf(self.chi2, self.df)) if self.df > 0 else float("nan")

    @property
    def implied(self) -> tuple[np.ndarray, np.ndarray]:
        return implied_moments(self.theta, self.time_scores)

    @property
    def r2(self) -> np.ndarray:
        """Per wave, 1 - residual variance / implied variance."""
        return 1.0 - self.theta[5:] / np.diag(self.implied[1])

    def estimate(self, name: str) -> float:
        return float(self.theta[self.names.index(name)])

    def std_error(self, name: str) -> float:
        return float(self.se[self.names.index(name)])

    def wald_p(self, name: str) -> float:
        """Two-tailed Wald p of one parameter."""
        return float(2 * stats.norm.sf(abs(self.estimate(name) / self.std_error(name))))

    def table(self) -> pd.DataFrame:
        """Parameter table: estimate, SE, z, two-tailed p and 95% Wald CI."""
        z = self.theta / self.se
        return pd.DataFrame(
            {
                "parameter": self.names,
                "estimate": self.theta,
                "se": self.se,
                "z": z,
                "p": 2 * stats.norm.sf(np.abs(z)),
                "ci_low": self.theta - Z_95 * self.se,
                "ci_high": self.theta + Z_95 * self.se,
            }
        )


def fit_lgcm(
    waves: pd.DataFrame | np.ndarray,
    time_scores=(0.0, 1.0, 2.0),
    information: str = "observed",
    missing: str = "fiml",
) -> GrowthFit:
    """Fit the linear growth model to wave scores (one column per wave, NaN = missing).

    ``missing='fiml'`` uses every row with at least one wave; ``'listwise'``
    keeps complete rows only. ``information`` is ``'observed'`` (Hessian,
    the contract's choice) or ``'expected'``. Start values and optimiser
    settings are fixed, so the fit is deterministic.
    """
    y = np.asarray(waves, dtype=float)
    time_scores = tuple(float(t) for t in time_scores)
    if y.ndim != 2 or y.shape[1] != len(time_scores):
        raise ValueError(f"need one column per time score ({len(time_scores)}), got shape {y.shape}")
    if missing == "listwise":
        y = y[~np.isnan(y).any(axis=1)]
    elif missing != "fiml":
        raise ValueError(f"missing must be 'fiml' or 'listwise', not {missing!r}")
    y = y[~np.isnan(y).all(axis=1)]
    patterns = MissingPatterns(y)
    p = y.shape[1]
    if patterns.n <= p + 1:
        raise ValueError(f"too few respondents ({patterns.n}) to fit a growth model on {p} waves")

    dmu, dsig = moment_jacobians(time_scores)

    def negll(theta):
        mu, sigma = implied_moments(theta, time_scores)
        value = -patterns.loglik(mu, sigma)
        return value if np.isfinite(value) else 1e300

    def gradient(theta):
        g_mu, g_sigma = patterns.score(*implied_moments(theta, time_scores))
        return -(dmu @ g_mu + np.einsum("jab,ab->j", dsig, g_sigma))

    hessian = nd.Jacobian(gradient, method="central")
    start = _semopy_estimates(y, time_scores)
    refined = optimize.minimize(negll, start, jac=gradient, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
    theta = refined.x if refined.fun <= negll(start) else start
    for _ in range(3):  # Newton polishing on the analytic gradient
        step = np.linalg.solve(hessian(theta), gradient(theta))
        if not np.all(np.isfinite(step)) or negll(theta - step) > negll(theta) + 1e-9:
            break
        theta = theta - step
    if information == "observed":
        info = hessian(theta)
        info = (info + info.T) / 2
    elif information == "expected":
        info = expected_information(theta, time_scores, patterns)
    else:
        raise ValueError(f"information must be 'observed' or 'expected', not {information!r}")
    cov = np.linalg.pinv(info)
    se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    _, _, ll_sat = saturated_moments(patterns)
    names = PARAM_NAMES_LATENT + tuple(f"residual_var_{w + 1}" for w in range(p))
    return GrowthFit(
        n=patterns.n,
        time_scores=time_scores,
        theta=theta,
        se=se,
        loglik=-negll(theta),
        loglik_saturated=ll_sat,
        information=information,
        missing=missing,
        names=names,
    )


def growth_results(prefix: str, fit: GrowthFit) -> dict[str, float | int]:
    """Manifest keys ``{prefix}_lgcm_*`` of one fitted model (contract, "The results manifest")."""
    slope, slope_se = fit.estimate("slope_mean"), fit.std_error("slope_mean")
    out = {
        f"{prefix}_lgcm_n": fit.n,
        f"{prefix}_lgcm_intercept_mean": fit.estimate("intercept_mean"),
        f"{prefix}_lgcm_slope_mean": slope,
        f"{prefix}_lgcm_slope_se": slope_se,
        f"{prefix}_lgcm_slope_ci_low": slope - Z_95 * slope_se,
        f"{prefix}_lgcm_slope_ci_high": slope + Z_95 * slope_se,
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
    return out


def observed_wave_summary(waves: pd.DataFrame, time_scores=(0.0, 1.0, 2.0)) -> pd.DataFrame:
    """Per wave: n, observed mean, SD (ddof 1) and the t-based 95% CI of the mean (respondents present)."""
    rows = []
    for (name, col), t in zip(waves.items(), time_scores):
        x = col.dropna()
        n = len(x)
        half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
        rows.append({"wave": name, "time": float(t), "n": n, "mean": x.mean(), "sd": x.std(ddof=1),
                     "ci_low": x.mean() - half, "ci_high": x.mean() + half})
    return pd.DataFrame(rows)
