"""The statistics of the multiverse's new choices (issue 19), each against an independent computation:
statsmodels or scipy where the engine hand-writes, a closed form where it uses the library, a direct
scipy likelihood for the equal-residual growth model, a simulation for the Spearman interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

from analysis import caseness, correlations, growth, growth_mi, jointtest, multiplicity, ttests
from analysis.options import CHOICES, DESCRIPTIONS, Options


def test_every_choice_has_levels_a_description_and_the_papers_level_first():
    paper = Options()
    for name, levels in CHOICES.items():
        assert name in DESCRIPTIONS
        if name != "exclusion_minutes":
            assert levels[0] == getattr(paper, name), name
    for name in ("multiplicity", "correlation", "adjust", "caseness_cutoffs", "growth_residuals"):
        assert name in CHOICES
    assert "brunner_munzel" in CHOICES["ttest"] and {"mi", "delta"} <= set(CHOICES["growth_missing"])


# ---------------------------------------------------------------- multiplicity

def test_holm_and_bh_equal_statsmodels_multipletests():
    rng = np.random.default_rng(0)
    for m in (2, 6, 9):
        p = rng.uniform(size=m) ** 3
        assert np.allclose(multiplicity.adjust(p, "holm"), multipletests(p, method="holm")[1], rtol=0, atol=1e-15)
        assert np.allclose(multiplicity.adjust(p, "fdr_bh"), multipletests(p, method="fdr_bh")[1], atol=1e-15)
    assert multiplicity.adjust([0.01, 0.04], "none") == [0.01, 0.04]


def test_holm_by_hand_and_nan_left_out():
    # sorted .01 .02 .04: 3 x .01 = .03, max(.03, 2 x .02) = .04, max(.04, 1 x .04) = .04
    assert multiplicity.adjust([0.04, 0.01, 0.02], "holm") == pytest.approx([0.04, 0.03, 0.04])
    out = multiplicity.adjust([0.01, float("nan"), 0.04], "holm")
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.04)


def test_families_are_the_stated_results_keys():
    from analysis.engine import KEY_TTESTS

    stems = {name for _, name in multiplicity.correlation_pairs()}
    assert set(multiplicity.FAMILIES["cmo1"]) | set(multiplicity.FAMILIES["area2"]) == stems
    assert multiplicity.FAMILIES["cmo2"] == KEY_TTESTS


# ---------------------------------------------------------------- rank-based tests

def test_brunner_munzel_statistic_p_and_superiority_against_scipy():
    rng = np.random.default_rng(4)
    posted = rng.integers(1, 6, 40).astype(float)
    never = np.clip(rng.integers(1, 6, 55) - 1, 1, 5).astype(float)
    ps, low, high, w, df = ttests.probability_of_superiority(posted, never)
    ref = stats.brunnermunzel(never, posted)
    assert w == pytest.approx(ref.statistic, rel=1e-12)
    assert 2 * stats.t.sf(abs(w), df) == pytest.approx(ref.pvalue, rel=1e-9)
    # the probability of superiority is the Mann-Whitney U of the posters over n1 n0
    assert ps == pytest.approx(stats.mannwhitneyu(posted, never).statistic / (40 * 55), rel=1e-12)
    assert low < ps < high
    test = ttests.compare_groups(posted, never, ttest="brunner_munzel")
    assert test.t == pytest.approx(ref.statistic) and test.p_two_tailed == pytest.approx(ref.pvalue)
    assert test.p_one_tailed == pytest.approx(stats.brunnermunzel(never, posted, alternative="less").pvalue)
    assert test.rank_based and (test.t > 0) == (ps > 0.5)


def test_superiority_interval_covers_in_simulation():
    """95% of Brunner-Munzel intervals cover the true P(X < Y) + P(X = Y) / 2 (here of two shifted normals,
    no ties: Phi(delta / sqrt(2)))."""
    rng = np.random.default_rng(7)
    truth = stats.norm.cdf(0.5 / np.sqrt(2))
    hits = 0
    for _ in range(400):
        a, b = rng.normal(0.5, 1, 50), rng.normal(0, 1, 60)
        _, low, high, _, _ = ttests.probability_of_superiority(a, b)
        hits += low <= truth <= high
    assert 0.92 <= hits / 400 <= 0.98


def test_spearman_is_pearson_on_ranks_and_its_interval_covers():
    rng = np.random.default_rng(2)
    x = pd.Series(rng.normal(size=80))
    y = pd.Series(x + rng.normal(size=80))
    rho, p, n, low, high = correlations.spearman_ci(x, y)
    ranks = stats.pearsonr(stats.rankdata(x), stats.rankdata(y))
    assert rho == pytest.approx(ranks.statistic, rel=1e-12) and n == 80 and low < rho < high
    assert p == pytest.approx(stats.spearmanr(x, y).pvalue, rel=1e-12)
    # coverage of the Bonett-Wright interval: bivariate normal, rho_s = 6/pi asin(r/2)
    r = 0.5
    truth = 6 / np.pi * np.arcsin(r / 2)
    hits = 0
    cov = [[1, r], [r, 1]]
    for _ in range(400):
        xy = rng.multivariate_normal([0, 0], cov, size=60)
        _, _, _, lo, hi = correlations.spearman_ci(pd.Series(xy[:, 0]), pd.Series(xy[:, 1]))
        hits += lo <= truth <= hi
    assert 0.92 <= hits / 400 <= 0.99


# ---------------------------------------------------------------- adjustment

def _adjust_frame(seed=5, n=150):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "score": rng.normal(3, 1, n),
        "ever_posted": rng.integers(0, 2, n),
        "age_group": rng.choice(["16-24", "25-34", "35-44", "45-54"], n),
        "gender": rng.choice(["female", "male", "non_binary"], n),
    })


def test_adjusted_difference_without_covariates_is_students_t():
    frame = _adjust_frame()
    out = ttests.adjusted_difference(frame, "score", covariates=())
    a = frame.loc[frame.ever_posted == 1, "score"]
    b = frame.loc[frame.ever_posted == 0, "score"]
    ref = stats.ttest_ind(a, b, equal_var=True)
    assert out["b"] == pytest.approx(a.mean() - b.mean(), rel=1e-12)
    assert out["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert out["p_two_tailed"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert out["df"] == len(frame) - 2


def test_adjusted_difference_equals_the_closed_form_of_ols():
    frame = _adjust_frame(9)
    out = ttests.adjusted_difference(frame, "score")
    dummies = pd.get_dummies(frame[["age_group", "gender"]], drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(len(frame)), frame.ever_posted, dummies])
    y = frame.score.to_numpy()
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    s2 = ((y - x @ beta) ** 2).sum() / (len(y) - x.shape[1])
    se = np.sqrt(s2 * np.linalg.inv(x.T @ x)[1, 1])
    assert out["b"] == pytest.approx(beta[1], rel=1e-10) and out["se"] == pytest.approx(se, rel=1e-10)
    half = stats.t.ppf(0.975, len(y) - x.shape[1]) * se
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((beta[1] - half, beta[1] + half), rel=1e-10)
    b, t, df = jointtest.ols_posting(y, frame.ever_posted.to_numpy(float), dummies)
    assert (b, t, df) == pytest.approx((out["b"], out["t"], out["df"]), rel=1e-10)


# ---------------------------------------------------------------- the joint test's closed forms

def test_lean_forms_equal_the_engines_tests():
    rng = np.random.default_rng(3)
    for n1, n0, spread in ((30, 70, 1.0), (50, 45, 2.5), (12, 90, 0.4)):
        a = np.clip(np.round(rng.normal(3, spread, n1)), 1, 5)
        b = np.clip(np.round(rng.normal(3.2, 1, n0)), 1, 5)
        lean, full = jointtest.lean_forms(a, b), ttests.compare_groups_forms(a, b)
        for form in ttests.TTEST_FORMS:
            got = lean[form]
            ref = (full[form].t, full[form].p_one_tailed, full[form].p_two_tailed)
            assert got == pytest.approx(ref, rel=1e-9), form


def test_lean_correlations_equal_the_engines():
    rng = np.random.default_rng(8)
    x = pd.Series(rng.integers(1, 6, 90).astype(float))
    y = pd.Series(x + rng.normal(0, 2, 90))
    x[[2, 5]] = np.nan
    for method in correlations.METHODS:
        assert jointtest._correlation(x, y, method) == pytest.approx(correlations.correlate(x, y, method)[:3])


# ---------------------------------------------------------------- caseness cut-offs

def test_caseness_cutoffs_count_as_defined():
    rng = np.random.default_rng(1)
    gad, phq = pd.Series(rng.integers(0, 22, 300)), pd.Series(rng.integers(0, 25, 300))
    for name, (g, p) in caseness.CUTOFFS.items():
        case = caseness.is_case(gad, phq, g, p).astype(bool)
        assert (case == ((gad > g) | (phq > p))).all(), name
    assert caseness.CUTOFFS["nhs"] == (7, 9) and caseness.CUTOFFS["gad10_phq10"] == (9, 9)


# ---------------------------------------------------------------- growth: equal residuals, MI

def test_equal_residuals_match_a_direct_scipy_likelihood(lavaan_demo):
    """Demo.growth, 4 waves, one residual variance: the FIML fit against a likelihood written here."""
    y = lavaan_demo[["t1", "t2", "t3", "t4"]].to_numpy(float)
    times = np.arange(4.0)
    lam = np.column_stack([np.ones(4), times])

    def nll(par):
        a, psi_ii, psi_ss, psi_is, s = par[:2], par[2], par[3], par[4], par[5]
        sigma = lam @ np.array([[psi_ii, psi_is], [psi_is, psi_ss]]) @ lam.T + s * np.eye(4)
        try:
            return -stats.multivariate_normal(lam @ a, sigma).logpdf(y).sum()
        except (np.linalg.LinAlgError, ValueError):
            return 1e12

    direct = optimize.minimize(nll, [0.5, 1, 2, 0.5, 0.5, 0.6], method="Nelder-Mead",
                               options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 40000, "maxfev": 40000})
    fit = growth.fit_lgcm(lavaan_demo[["t1", "t2", "t3", "t4"]], times, residuals="equal")
    assert fit.theta[:5] == pytest.approx(direct.x[:5], abs=2e-4)
    assert fit.theta[5:] == pytest.approx([direct.x[5]] * 4, abs=2e-4)
    assert fit.loglik == pytest.approx(-direct.fun, abs=1e-5)
    assert fit.df == 4 + 10 - 6 and fit.n_params == 6
    free = growth.fit_lgcm(lavaan_demo[["t1", "t2", "t3", "t4"]], times)
    # nested models: the equal-residual chi-square exceeds the free one by their likelihood ratio
    assert fit.chi2 - free.chi2 == pytest.approx(2 * (free.loglik - fit.loglik), abs=1e-6)
    assert len(set(np.round(fit.se[5:], 12))) == 1


def test_multiple_imputation_of_complete_data_is_the_ml_fit(lavaan_demo):
    """With nothing missing every imputation is the data: Rubin's rules give the ML estimates and SEs."""
    waves = lavaan_demo[["t1", "t2", "t3"]].to_numpy(float)[:120]
    ml = growth.fit_lgcm(waves)
    mi = growth_mi.fit_any(growth_mi.estimate_lgcm_mi(waves, missing="mi"))
    assert mi.theta == pytest.approx(ml.theta, abs=1e-5)
    assert mi.se == pytest.approx(ml.se, rel=1e-3)
    assert mi.chi2 == pytest.approx(ml.chi2, abs=1e-4)


def test_rubins_rules_and_d2_by_hand():
    est = np.array([[1.0], [2.0], [3.0]])
    var = np.array([[0.5], [0.5], [0.5]])
    q, t, df = growth_mi.rubin(est, var)
    # W = .5, B = 1, T = .5 + (4/3) 1, df = 2 (1 + .5 / (4/3))^2
    assert q[0] == 2.0 and t[0] == pytest.approx(0.5 + 4 / 3) and df[0] == pytest.approx(2 * (1 + 0.375) ** 2)
    chi2, p = growth_mi.pool_chi2(np.array([4.0, 4.0, 4.0]), 2)  # no between-imputation spread: the chi-square
    assert chi2 == pytest.approx(4.0) and p == pytest.approx(stats.chi2.sf(4.0, 2))


def test_imputation_is_seeded_and_leaves_the_global_random_state_alone():
    rng = np.random.default_rng(0)
    y = rng.normal(10, 3, (60, 3))
    y[rng.uniform(size=(60, 3)) < 0.3] = np.nan
    y[:, 0] = np.where(np.isnan(y[:, 0]), 10.0, y[:, 0])
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = growth_mi.impute(y, m=3)
    assert (np.random.get_state()[1] == before).all()
    second = growth_mi.impute(y, m=3)
    assert all((a == b).all() for a, b in zip(first, second, strict=True))
    observed = ~np.isnan(y)
    assert all((a[observed] == y[observed]).all() and not np.isnan(a).any() for a in first)
