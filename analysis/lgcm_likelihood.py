"""Likelihood of the linear latent growth curve model under missing waves (FIML).

The pieces the estimator in :mod:`analysis.growth` and the twin generator share:
rows grouped by missing-data pattern (:class:`MissingPatterns`, keeping only
sufficient statistics), the casewise multivariate-normal log-likelihood and its
analytic score, the saturated model by EM, the model-implied moments of the
linear growth model, and its expected information in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    def from_groups(cls, groups: list[Pattern], p: int) -> MissingPatterns:
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


#: The levels of option ``growth_residuals``.
RESIDUALS = ("free", "equal")


def expansion(p: int, residuals: str = "free") -> np.ndarray:
    """The (5 + p) x q matrix E mapping the free parameters to the full vector of the module docstring:
    the identity when each wave has its own residual variance (``"free"``); with ``"equal"`` one residual
    variance shared by the p waves (q = 6), so theta_1 = ... = theta_p. The model stays linear in the
    free parameters, so the FIML gradient is E' times the full one and the information E' I E."""
    if residuals == "free":
        return np.eye(5 + p)
    if residuals != "equal":
        raise ValueError(f"residuals must be one of {RESIDUALS}, not {residuals!r}")
    e = np.zeros((5 + p, 6))
    e[:5, :5] = np.eye(5)
    e[5:, 5] = 1.0
    return e
