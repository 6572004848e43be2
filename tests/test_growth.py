"""The growth model against lavaan's published fit and against a likelihood written here."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from analysis import growth

# lavaan 0.6-11, growth() on Demo.growth t1..t4 (data/reference/README.md)
LAVAAN = {
    "intercept_mean": (0.615, 0.077),
    "slope_mean": (1.006, 0.042),
    "intercept_var": (1.932, 0.173),
    "slope_var": (0.587, 0.052),
    "intercept_slope_cov": (0.618, 0.071),
    "residual_var_1": (0.595, 0.086),
    "residual_var_2": (0.676, 0.061),
    "residual_var_3": (0.635, 0.072),
    "residual_var_4": (0.508, 0.124),
}
HALF_UNIT_3DP = 0.0005 + 1e-9  # "agrees to 3 decimals": within rounding of the printed value


@pytest.fixture(scope="module")
def demo_fit(lavaan_demo):
    return growth.fit_lgcm(lavaan_demo[["t1", "t2", "t3", "t4"]], (0, 1, 2, 3), information="expected")


def test_demo_growth_chi_square_and_df_match_lavaan(demo_fit):
    assert demo_fit.n == 400
    assert demo_fit.df == 5
    assert abs(demo_fit.chi2 - 8.069) <= HALF_UNIT_3DP
    assert abs(demo_fit.p_value - 0.152) <= HALF_UNIT_3DP


@pytest.mark.parametrize("name", list(LAVAAN))
def test_demo_growth_estimates_and_expected_se_match_lavaan(demo_fit, name):
    est, se = LAVAAN[name]
    assert abs(demo_fit.estimate(name) - est) <= HALF_UNIT_3DP
    assert abs(demo_fit.std_error(name) - se) <= HALF_UNIT_3DP


def test_lavaan_chi_square_is_n_times_fmin_with_biased_covariance(lavaan_demo, demo_fit):
    """Second route to the chi-square: N * F_ML from the sample moments (covariance / N)."""
    y = lavaan_demo[["t1", "t2", "t3", "t4"]].to_numpy()
    n, p = y.shape
    m = y.mean(axis=0)
    s = np.cov(y, rowvar=False, ddof=0)
    mu, sigma = demo_fit.implied
    inv = np.linalg.inv(sigma)
    f_ml = (np.log(np.linalg.det(sigma)) + np.trace(s @ inv) - np.log(np.linalg.det(s)) - p
            + (m - mu) @ inv @ (m - mu))
    assert n * f_ml == pytest.approx(demo_fit.chi2, abs=1e-6)


# --- FIML with missing waves, against a direct multivariate-normal likelihood ---------------


def direct_negloglik(params, y, times):
    """-log L, written independently: row by row with scipy's multivariate normal.

    Parametrised by the Cholesky factor of Psi and log residual variances, so the
    optimiser below searches a different space from the package's.
    """
    a_i, a_s, l11, l21, l22 = params[:5]
    log_theta = params[5:]
    chol = np.array([[l11, 0.0], [l21, l22]])
    psi = chol @ chol.T
    lam = np.column_stack([np.ones(len(times)), times])
    mu = lam @ np.array([a_i, a_s])
    sigma = lam @ psi @ lam.T + np.diag(np.exp(log_theta))
    return -rowwise_loglik(y, mu, sigma)


def rowwise_loglik(y, mu, sigma):
    """Sum over rows of scipy's normal log-density on each row's observed waves."""
    total = 0.0
    observed = ~np.isnan(y)
    for pattern in np.unique(observed[observed.any(axis=1)], axis=0):
        rows = y[(observed == pattern).all(axis=1)][:, pattern]
        total += np.sum(stats.multivariate_normal(mu[pattern], sigma[np.ix_(pattern, pattern)]).logpdf(rows))
    return total


def saturated_direct(y):
    """Saturated model by direct optimisation of the same row-wise likelihood (free mean, Cholesky cov)."""
    p = y.shape[1]
    tril = np.tril_indices(p)

    def nll(par):
        mu = par[:p]
        chol = np.zeros((p, p))
        chol[tril] = par[p:]
        sigma = chol @ chol.T + 1e-12 * np.eye(p)
        return -rowwise_loglik(y, mu, sigma)

    start = np.concatenate([np.nanmean(y, axis=0), np.linalg.cholesky(np.diag(np.nanvar(y, axis=0)))[tril]])
    res = optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-7})
    return -res.fun


@pytest.fixture(scope="module")
def missing_waves():
    rng = np.random.default_rng(11)
    n, times = 250, np.array([0.0, 1.0, 2.0])
    eta = rng.multivariate_normal([10.0, -0.4], [[20.0, -1.0], [-1.0, 2.0]], size=n)
    y = eta[:, [0]] + eta[:, [1]] * times + rng.normal(scale=2.0, size=(n, 3))
    y[rng.random(n) < 0.5, 1] = np.nan
    y[rng.random(n) < 0.55, 2] = np.nan
    y[rng.random(n) < 0.05, 0] = np.nan
    y[:3] = np.nan  # rows with no wave at all are not part of the FIML sample
    return y, times


def test_fiml_estimates_and_loglik_match_direct_likelihood(missing_waves):
    y, times = missing_waves
    fit = growth.fit_lgcm(y, times)
    start = np.array([np.nanmean(y[:, 0]), 0.0, 3.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    res = optimize.minimize(direct_negloglik, start, args=(y, times), method="BFGS", options={"gtol": 1e-8})
    a_i, a_s, l11, l21, l22 = res.x[:5]
    direct = np.array([a_i, a_s, l11**2, l21**2 + l22**2, l11 * l21, *np.exp(res.x[5:])])
    assert fit.n == int((~np.isnan(y).all(axis=1)).sum()) < len(y)
    np.testing.assert_allclose(fit.theta, direct, atol=1e-3)
    assert fit.loglik == pytest.approx(-res.fun, abs=1e-4)


def test_fiml_chi_square_is_likelihood_ratio_against_direct_saturated_fit(missing_waves):
    y, times = missing_waves
    fit = growth.fit_lgcm(y, times)
    ll_sat = saturated_direct(y[~np.isnan(y).all(axis=1)])
    assert fit.loglik_saturated == pytest.approx(ll_sat, abs=1e-3)
    assert fit.df == 1
    assert fit.chi2 == pytest.approx(2 * (ll_sat - fit.loglik), abs=2e-3)


def test_observed_information_se_match_hessian_of_direct_likelihood(missing_waves):
    """SEs from the inverse Hessian of the row-wise likelihood, in the variance parametrisation."""
    y, times = missing_waves
    fit = growth.fit_lgcm(y, times, information="observed")

    def nll_var_param(theta):
        a_i, a_s, v_i, v_s, c, *resid = theta
        l11 = np.sqrt(v_i)
        l21 = c / l11
        l22 = np.sqrt(v_s - l21**2)
        return direct_negloglik(np.array([a_i, a_s, l11, l21, l22, *np.log(resid)]), y, times)

    h = np.zeros((8, 8))
    x0 = fit.theta
    steps = 1e-4 * np.maximum(1.0, np.abs(x0))
    for i in range(8):
        for j in range(8):
            ei, ej = np.eye(8)[i] * steps[i], np.eye(8)[j] * steps[j]
            h[i, j] = (nll_var_param(x0 + ei + ej) - nll_var_param(x0 + ei - ej)
                       - nll_var_param(x0 - ei + ej) + nll_var_param(x0 - ei - ej)) / (4 * steps[i] * steps[j])
    se_direct = np.sqrt(np.diag(np.linalg.inv(h)))
    np.testing.assert_allclose(fit.se, se_direct, rtol=2e-3)


def test_r_squared_and_implied_moments_follow_the_definition(missing_waves):
    y, times = missing_waves
    fit = growth.fit_lgcm(y, times)
    a_i, a_s, v_i, v_s, c = fit.theta[:5]
    implied_var = v_i + times**2 * v_s + 2 * times * c + fit.theta[5:]
    np.testing.assert_allclose(fit.r2, 1 - fit.theta[5:] / implied_var)
    np.testing.assert_allclose(fit.implied[0], a_i + a_s * times)


def test_listwise_uses_complete_rows_only(missing_waves):
    y, times = missing_waves
    fit = growth.fit_lgcm(y, times, missing="listwise")
    assert fit.n == int((~np.isnan(y).any(axis=1)).sum())


def test_same_answer_every_time(missing_waves):
    y, times = missing_waves
    a, b = growth.fit_lgcm(y, times), growth.fit_lgcm(y, times)
    assert a.theta.tobytes() == b.theta.tobytes() and a.se.tobytes() == b.se.tobytes()


def test_bad_arguments_are_refused(missing_waves):
    y, times = missing_waves
    with pytest.raises(ValueError, match="one column per time score"):
        growth.fit_lgcm(y, (0, 1))
    with pytest.raises(ValueError, match="missing must be"):
        growth.fit_lgcm(y, times, missing="pairwise")
