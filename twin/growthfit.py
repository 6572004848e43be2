"""The engine's growth model, solved to machine precision many times over during calibration.

Calibration refits each scale's linear latent growth curve model thousands of
times, so it cannot afford :func:`analysis.growth.fit_lgcm` (semopy start plus
numerical Hessian, about 0.2 s) at every step. :class:`GrowthFitter` solves the
same maximum-likelihood problem with the engine's own pieces, warm-started from
the previous solution:

* the FIML likelihood and its score: :class:`analysis.growth.MissingPatterns`;
* the model: :func:`analysis.growth.implied_moments`, :func:`analysis.growth.moment_jacobians`;
* Fisher scoring on :func:`analysis.growth.expected_information`, then a fixed
  number of Newton steps on the observed information (so the solution does not
  depend on where the search started, to about 1e-13);
* the saturated model: :func:`analysis.growth.saturated_moments` (EM), polished
  the same way;
* the statistics: an :class:`analysis.growth.GrowthFit` handed to
  :func:`analysis.growth.growth_results`, so every key means what the engine's does.

The one thing computed here rather than in the engine is the observed
information in closed form (:func:`observed_information`; the engine
differentiates its analytic gradient numerically). It agrees with the engine's
to about 1e-7 relative (``tests/test_twin.py``). If a warm start fails, the fit
falls back to :func:`analysis.growth.fit_lgcm`.
"""

from __future__ import annotations

import numpy as np

from analysis import contract, growth

TIMES = tuple(float(t) for t in contract.WAVE_TIME_SCORES)
#: Parameter names in the engine's order (``fit_lgcm`` names them so).
NAMES = growth.PARAM_NAMES_LATENT + tuple(f"residual_var_{w + 1}" for w in range(len(TIMES)))
NEWTON_STEPS = 3


def observed_information(
    patterns: growth.MissingPatterns, mu: np.ndarray, sigma: np.ndarray, dmu: np.ndarray, dsig: np.ndarray
) -> np.ndarray:
    """Minus the Hessian of the FIML log-likelihood for a parametrisation linear in theta.

    ``dmu`` (q x p) and ``dsig`` (q x p x p) are d mu / d theta and d Sigma / d theta.
    Per missing-data pattern (n rows, observed block S = Sigma_oo, P = S^-1,
    d = sum(y - mu), W = sum (y - mu)(y - mu)', A_j = P dSigma_j):

        -H_jk = n m_j' P m_k + m_j' A_k P d + m_k' A_j P d - n/2 tr(A_j A_k) + tr(A_j A_k P W).

    At d = 0 and W = n S this is the expected information of the engine.
    """
    q = dmu.shape[0]
    info = np.zeros((q, q))
    for g in patterns.groups:
        o = g.idx
        prec = np.linalg.inv(sigma[np.ix_(o, o)])
        m = dmu[:, o]
        a = np.einsum("ab,jbc->jac", prec, dsig[:, o][:, :, o])
        dev = g.s - g.n * mu[o]
        u = np.einsum("kab,b->ka", a, prec @ dev)
        mu_term = m @ u.T
        pw = prec @ g.centred(mu)
        info += (
            g.n * m @ prec @ m.T
            + mu_term
            + mu_term.T
            - 0.5 * g.n * np.einsum("jab,kba->jk", a, a)
            + np.einsum("jab,kbc,ca->jk", a, a, pw)
        )
    return info


def loglik_gradient(
    patterns: growth.MissingPatterns, mu: np.ndarray, sigma: np.ndarray, dmu: np.ndarray, dsig: np.ndarray
) -> np.ndarray:
    """d loglik / d theta from the engine's score in mu and Sigma (chain rule through the linear model)."""
    g_mu, g_sigma = patterns.score(mu, sigma)
    return dmu @ g_mu + np.einsum("jab,ab->j", dsig, g_sigma)


def saturated_jacobians(p: int) -> tuple[np.ndarray, np.ndarray]:
    """d mu and d Sigma for the saturated model's parameters: p means, then the lower triangle of Sigma."""
    pairs = [(a, b) for a in range(p) for b in range(a + 1)]
    q = p + len(pairs)
    dmu = np.zeros((q, p))
    dmu[:p] = np.eye(p)
    dsig = np.zeros((q, p, p))
    for j, (a, b) in enumerate(pairs, start=p):
        dsig[j, a, b] = dsig[j, b, a] = 1.0
    return dmu, dsig


def _newton(patterns, theta, moments, dmu, dsig, steps: int = NEWTON_STEPS) -> np.ndarray:
    """A fixed number of Newton steps on the observed information (quadratic convergence near the optimum)."""
    for _ in range(steps):
        mu, sigma = moments(theta)
        step = np.linalg.solve(
            observed_information(patterns, mu, sigma, dmu, dsig), loglik_gradient(patterns, mu, sigma, dmu, dsig)
        )
        theta = theta + step
    return theta


class GrowthFitter:
    """Warm-started maximum-likelihood fits of the engine's growth model, returned as engine ``GrowthFit`` s."""

    def __init__(self, start):
        self.dmu, self.dsig = growth.moment_jacobians(TIMES)
        self.theta = np.asarray(start, dtype=float)
        self.saturated: tuple[np.ndarray, np.ndarray] | None = None

    def _moments(self, theta):
        return growth.implied_moments(theta, TIMES)

    def _model(self, patterns: growth.MissingPatterns) -> np.ndarray:
        theta = self.theta.copy()
        for _ in range(200):  # Fisher scoring to near the optimum
            mu, sigma = self._moments(theta)
            step = np.linalg.solve(
                growth.expected_information(theta, TIMES, patterns),
                loglik_gradient(patterns, mu, sigma, self.dmu, self.dsig),
            )
            theta = theta + step
            if not np.all(np.isfinite(theta)) or np.max(np.abs(step)) < 1e-8:
                break
        return _newton(patterns, theta, self._moments, self.dmu, self.dsig)

    def _saturated(self, patterns: growth.MissingPatterns) -> tuple[np.ndarray, np.ndarray, float]:
        p = patterns.p
        mu, sigma, _ = growth.saturated_moments(patterns, tol=1e-10, start=self.saturated)
        dmu, dsig = saturated_jacobians(p)
        rows, cols = np.tril_indices(p)  # the lower-triangle order of saturated_jacobians

        def moments(th):
            s = np.zeros((p, p))
            s[rows, cols] = s[cols, rows] = th[p:]
            return th[:p], s

        mu, sigma = moments(_newton(patterns, np.concatenate([mu, sigma[rows, cols]]), moments, dmu, dsig))
        return mu, sigma, patterns.loglik(mu, sigma)

    def fit(self, patterns: growth.MissingPatterns, rows: np.ndarray | None = None) -> growth.GrowthFit:
        """The growth model on these patterns, as :func:`analysis.growth.fit_lgcm` defines it (FIML,
        observed information).

        ``rows`` (the wave totals the patterns came from) allow the fallback to the engine's fit.
        """
        try:
            theta = self._model(patterns)
            mu, sigma = self._moments(theta)
            info = observed_information(patterns, mu, sigma, self.dmu, self.dsig)
            sat_mu, sat_sigma, sat_ll = self._saturated(patterns)
            ok = bool(np.all(np.isfinite(theta)) and np.isfinite(sat_ll) and np.all(np.linalg.eigvalsh(info) > 0))
        except np.linalg.LinAlgError:
            ok = False
        if not ok:
            if rows is None:
                raise RuntimeError("growth fit failed from the warm start, and no rows were given to refit")
            fit = growth.fit_lgcm(rows, TIMES)
            self.theta, self.saturated = fit.theta, None
            return fit
        self.theta, self.saturated = theta, (sat_mu, sat_sigma)
        cov = np.linalg.pinv((info + info.T) / 2)
        se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
        return growth.GrowthFit(
            n=patterns.n,
            time_scores=TIMES,
            theta=theta,
            se=se,
            loglik=patterns.loglik(mu, sigma),
            loglik_saturated=sat_ll,
            information="observed",
            missing="fiml",
            names=NAMES,
        )


def growth_statistics(prefix: str, fit: growth.GrowthFit) -> dict[str, float]:
    """The engine's ``{prefix}_lgcm_*`` keys, plus |z| of the intercept-slope covariance (what calibration steers)."""
    out = growth.growth_results(prefix, fit)
    cov = "intercept_slope_cov"
    out[f"{prefix}_lgcm_intercept_slope_z"] = abs(fit.estimate(cov) / fit.std_error(cov))
    return out
