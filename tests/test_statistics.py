"""Caseness, t tests, correlations, scale scores and alpha against scipy, statsmodels and closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind

from analysis import caseness, correlations, scales, ttests

# --- caseness --------------------------------------------------------------------------------


def test_caseness_test_reproduces_the_papers_published_values():
    """Paper, Results, objective 1: 593 of 791 vs 76,265 of 80,915 -> chi2 521.96, V 0.08 (0.080)."""
    nhs_cases, nhs_not = caseness.nhs_reference()
    assert (nhs_cases, nhs_cases + nhs_not) == (76265, 80915)
    test = caseness.chi_square_2x2(593, 198, nhs_cases, nhs_not)
    assert round(test.chi2, 2) == 521.96
    assert round(test.cramers_v, 3) == 0.080
    assert test.df == 1 and test.p < 0.001


@pytest.mark.parametrize("correction", [False, True])
def test_chi_square_agrees_with_scipy(correction):
    table = np.array([[593, 198], [76265, 4650]])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=correction)
    ours = caseness.chi_square_2x2(*table.ravel(), correction=correction)
    assert ours.chi2 == pytest.approx(chi2, rel=1e-12)
    assert ours.p == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert ours.cramers_v == pytest.approx(
        stats.contingency.association(table, method="cramer", correction=correction), rel=1e-12
    )


def test_caseness_rule_uses_both_cutoffs_and_skips_missing():
    gad = pd.Series([7, 8, 7, 0, np.nan, 21])
    phq = pd.Series([9, 0, 10, 9, 3, np.nan])
    assert caseness.is_case(gad, phq).tolist()[:4] == [False, True, True, False]
    assert caseness.is_case(gad, phq).iloc[4:].isna().all()


# --- t tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def groups():
    rng = np.random.default_rng(3)
    return rng.normal(3.6, 0.9, 420), rng.normal(3.3, 0.6, 250)


@pytest.mark.parametrize("force", ["student", "welch"])
def test_t_test_agrees_with_scipy_and_statsmodels(groups, force):
    posted, never = groups
    ours = ttests.compare_groups(posted, never, ttest=force or "levene")
    equal = force == "student"
    sp = stats.ttest_ind(posted, never, equal_var=equal)
    sp_one = stats.ttest_ind(posted, never, equal_var=equal, alternative="greater")
    t_sm, p_sm, df_sm = sm_ttest_ind(posted, never, usevar="pooled" if equal else "unequal")
    assert ours.t == pytest.approx(sp.statistic, rel=1e-12) == pytest.approx(t_sm, rel=1e-12)
    assert ours.df == pytest.approx(df_sm, rel=1e-12)
    assert ours.p_two_tailed == pytest.approx(sp.pvalue, rel=1e-9)
    assert ours.p_one_tailed == pytest.approx(sp_one.pvalue, rel=1e-9)
    assert ours.welch is (force == "welch")


def test_cohens_d_is_difference_over_pooled_sd(groups):
    posted, never = groups
    n1, n0 = len(posted), len(never)
    pooled = np.sqrt(((n1 - 1) * np.var(posted, ddof=1) + (n0 - 1) * np.var(never, ddof=1)) / (n1 + n0 - 2))
    ours = ttests.compare_groups(posted, never, ttest="welch")
    assert ours.d == pytest.approx((posted.mean() - never.mean()) / pooled, rel=1e-12)


def test_levene_rule_picks_welch_for_unequal_variances(groups):
    posted, never = groups
    assert stats.levene(posted, never, center="mean").pvalue < 0.05
    assert ttests.compare_groups(posted, never).welch is True
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, 300), rng.normal(0.1, 1, 300)
    assert stats.levene(a, b, center="mean").pvalue >= 0.05
    assert ttests.compare_groups(a, b).welch is False


def test_published_t_tests_are_consistent_with_closed_form_p():
    """The paper's t(789) = 2.638 gives two-tailed p = .009 (Results, theory area 1)."""
    assert round(2 * stats.t.sf(2.638, 789), 3) == 0.009


def test_one_tailed_p_tests_posters_higher():
    lower = ttests.compare_groups(np.array([1.0, 2, 3, 2]), np.array([3.0, 4, 5, 4]), ttest="student")
    assert lower.t < 0 and lower.p_one_tailed > 0.5
    assert lower.p_two_tailed == pytest.approx(2 * (1 - lower.p_one_tailed))


def test_posting_ttest_groups_by_ever_posted():
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6, np.nan], "ever_posted": [1, 1, 1, 0, 0, 0, 1]})
    res = ttests.posting_ttest(frame, "x", ttest="student")
    assert (res.n_posted, res.n_never) == (3, 3)
    assert res.mean_posted == 2 and res.mean_never == 5


# --- correlations ------------------------------------------------------------------------------


def test_pearson_matches_scipy_with_pairwise_deletion():
    rng = np.random.default_rng(8)
    x = pd.Series(rng.normal(size=200))
    y = 0.4 * x + pd.Series(rng.normal(size=200))
    x[::7] = np.nan
    y[::11] = np.nan
    both = x.notna() & y.notna()
    ref = stats.pearsonr(x[both], y[both])
    r, p, n = correlations.pearson(x, y)
    assert n == int(both.sum())
    assert r == pytest.approx(ref.statistic, rel=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=1e-9)


def test_correlation_table_and_matrix_are_symmetric(survey_frame):
    frame = survey_frame.join(scales.subscales(survey_frame))
    table = correlations.correlation_table(frame)
    k = len(correlations.CORRELATION_VARIABLES)
    assert len(table) == k * (k - 1) // 2
    mat = correlations.correlation_matrix(table)
    np.testing.assert_allclose(mat.values, mat.values.T)
    assert (np.diag(mat.values) == 1).all()
    ref = frame[list(correlations.CORRELATION_VARIABLES)].astype(float).corr(method="pearson")
    np.testing.assert_allclose(mat.values, ref.values, atol=1e-12)


# --- scale scores and alpha ----------------------------------------------------------------------


def test_cronbach_alpha_matches_covariance_closed_form():
    rng = np.random.default_rng(2)
    trait = rng.normal(size=500)
    items = pd.DataFrame({f"i{k}": trait + rng.normal(scale=1.0 + k / 5, size=500) for k in range(6)})
    items.iloc[::13, 2] = np.nan
    complete = items.dropna().to_numpy()
    c = np.cov(complete, rowvar=False)
    k = c.shape[0]
    closed = k / (k - 1) * (1 - np.trace(c) / c.sum())
    assert scales.cronbach_alpha(items) == pytest.approx(closed, rel=1e-12)


def test_cronbach_alpha_textbook_value():
    """Two perfectly parallel items: alpha = 2r/(1+r) (Spearman-Brown), here r = 1 -> 1."""
    items = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 3, 4, 5]})
    assert scales.cronbach_alpha(items) == pytest.approx(1.0)


def test_clinical_total_needs_every_item():
    df = pd.DataFrame({f"t1_gad_{i}": [1.0, 2.0] for i in range(1, 8)})
    df.loc[1, "t1_gad_4"] = np.nan
    total = scales.clinical_total(df, "gad", "t1")
    assert total.iloc[0] == 7 and np.isnan(total.iloc[1])


def test_subscale_mean_needs_half_the_items_and_reverses_safe_3():
    df = pd.DataFrame({f"safe_{i}": [5.0, np.nan, np.nan] for i in range(1, 7)})
    df.loc[0, "safe_3"] = 1.0  # "I feel like an outsider", reversed to 5
    df.loc[1, ["safe_1", "safe_2", "safe_3"]] = [4.0, 4.0, 2.0]  # 3 of 6 answered: mean of 4, 4, 4
    df.loc[2, ["safe_1", "safe_2"]] = [4.0, 4.0]  # 2 of 6: missing
    scored = scales.subscale_mean(scales.keyed_items(df, [f"safe_{i}" for i in range(1, 7)]))
    assert scored.iloc[0] == 5.0
    assert scored.iloc[1] == 4.0
    assert np.isnan(scored.iloc[2])


def test_agreement_counts():
    assert scales.agreement_counts(pd.Series([1, 2, 3, 4, 5, np.nan, 5])) == {"agree": 3, "disagree": 2}


def test_a_significant_effect_the_other_way_is_said_so():
    """A rule that fails because the estimate is significant in the opposite direction does not print a
    plain 'not significant' sentence."""
    from analysis.conclusions import BY_ID
    from bookkit import verdicts

    says = verdicts.wording("cmo1_help").says
    assert verdicts.sentence("cmo1_help", {"r_selfeff_help": 0.4, "p_selfeff_help": 0.001}) == says["holds"]
    assert verdicts.sentence("cmo1_help", {"r_selfeff_help": 0.02, "p_selfeff_help": 0.6}) == says["fails"]
    assert verdicts.sentence("cmo1_help", {"r_selfeff_help": -0.87, "p_selfeff_help": 1e-9}) == says["opposite"]
    rise = {"gad_lgcm_slope_mean": 0.5, "gad_lgcm_slope_p": 0.001}
    assert verdicts.sentence("gad_slope", rise) == "rose significantly over the 12 weeks"
    growth = [cid for cid in BY_ID if verdicts.section(cid) == "results/growth"]
    assert len({s for cid in growth for s in verdicts.sentences(cid)}) == sum(
        len(verdicts.sentences(cid)) for cid in growth)  # no two alike on one page


def test_every_outcome_a_rule_reaches_has_words_and_no_words_are_unreachable():
    """The engine's rules (data) and the book's words (bookkit.verdicts) cover the same conclusions and
    outcomes; the words never contradict the rule they word (a "holds" of a signed rule is not a "no
    evidence" sentence unless the rule claims no effect)."""
    from analysis.conclusions import BY_ID
    from bookkit import verdicts

    assert set(verdicts.WORDS) == set(BY_ID)
    for cid, c in BY_ID.items():
        assert set(verdicts.wording(cid).says) == set(c.outcomes), cid
        if c.test["test"] == "signed":
            assert "no evidence" not in verdicts.wording(cid).says["holds"], cid
