"""The generator's parts, each against an independent computation or a property that can fail."""

from __future__ import annotations

import numdifftools as nd
import numpy as np
import pandas as pd
import pytest

from analysis import caseness, contract, growth, scales
from survey_factory import make_survey
from twin import decide, forum, growthcal, growthfit, sampling
from twin.clinical import generate_waves, set_caseness
from twin.parameters import TARGETS


@pytest.fixture(scope="module")
def waves():
    """GAD-7 wave totals of a random contract survey (about half missing at T2 and T3)."""
    return scales.clinical_totals(make_survey(400, seed=11), "gad").to_numpy()


def test_observed_information_is_minus_the_numerical_hessian(waves):
    pat = growth.MissingPatterns(waves)
    fit = growth.fit_lgcm(waves)
    dmu, dsig = growth.moment_jacobians(growthfit.TIMES)

    def gradient(theta):
        return growthfit.loglik_gradient(pat, *growth.implied_moments(theta, growthfit.TIMES), dmu, dsig)

    numeric = nd.Jacobian(gradient, method="central")(fit.theta)
    closed = growthfit.observed_information(pat, *growth.implied_moments(fit.theta, growthfit.TIMES), dmu, dsig)
    assert np.allclose(closed, -numeric, rtol=1e-7, atol=1e-7 * np.abs(closed).max())
    # away from the optimum too (the d and W terms matter there)
    off = fit.theta * 1.1
    numeric = nd.Jacobian(gradient, method="central")(off)
    closed = growthfit.observed_information(pat, *growth.implied_moments(off, growthfit.TIMES), dmu, dsig)
    assert np.allclose(closed, -numeric, rtol=1e-7, atol=1e-7 * np.abs(closed).max())


def test_fast_fit_gives_the_engines_statistics(waves):
    """Warm-started from a poor start, the fast fit agrees with fit_lgcm (semopy + numerical Hessian)."""
    fit = growth.fit_lgcm(waves)
    engine = growth.growth_results("gad", fit)
    start = fit.theta * np.array([1.1, 0.8, 1.2, 1.3, 0.7, 1.1, 0.9, 1.05])
    fast = growthfit.growth_statistics("gad", growthfit.GrowthFitter(start).fit(growth.MissingPatterns(waves), waves))
    for key, value in engine.items():
        assert fast[key] == pytest.approx(value, rel=1e-7, abs=1e-8), key
    z = abs(fit.estimate("intercept_slope_cov") / fit.std_error("intercept_slope_cov"))
    assert fast["gad_lgcm_intercept_slope_z"] == pytest.approx(z, rel=1e-7)


def test_scale_statistics_t1_mean_and_sd_from_sums(waves):
    st = growthcal.scale_statistics(
        growthfit.GrowthFitter(growth.fit_lgcm(waves).theta), "gad", growth.MissingPatterns(waves), waves
    )
    t1 = pd.Series(waves[:, 0]).dropna()
    assert st["gad_t1_mean"] == pytest.approx(t1.mean(), rel=1e-12)
    assert st["gad_t1_sd"] == pytest.approx(t1.std(ddof=1), rel=1e-10)


def test_misses_are_integers_that_ignore_last_bits():
    key = "r_selfeff_help"
    for x in np.linspace(0.41, 0.418, 97):
        assert decide.miss_units(x, key) == decide.miss_units(np.nextafter(x, 1), key)
    assert decide.miss_units(0.414 + TARGETS[key].half_width, key) == decide.UNITS_PER_HALF_WIDTH
    assert (
        decide.loss_units({key: 0.414 - TARGETS[key].half_width / 2}, [key]) == (decide.UNITS_PER_HALF_WIDTH // 2) ** 2
    )
    assert decide.met({key: 0.4142}, [key]) and not decide.met({key: 0.4144}, [key])
    assert not decide.met({key: 0.414}, [key], penalty=1)
    assert decide.miss_units(float("nan"), key) == decide.UNDEFINED_MISS


def test_near_ties_become_ties_and_the_first_wins():
    values = np.array([3.0, 1.0 + 1e-13, 1.0, 1.0 - 1e-13, 2.0])
    assert decide.first_minimum(values) == 3  # at full precision the noise decides
    assert decide.first_minimum(decide.on_grid(values)) == 1  # on the grid, the first in order


def test_streams_are_independent():
    a, b = decide.streams(5), decide.streams(5)
    a["clinical"].standard_normal(1000)  # one stage drawing more...
    assert np.array_equal(a["forum"].standard_normal(10), b["forum"].standard_normal(10))  # ...shifts no other
    assert not np.array_equal(decide.streams(5)["forum"].random(5), decide.streams(6)["forum"].random(5))


def test_best_move_breaks_ties_by_candidate_order():
    cells = np.array([[0, 1, 1.0], [1, 1, 1.0], [2, 1, 1.0]])
    effects = np.array([[-0.5], [-0.5 + 1e-15], [-0.5 - 1e-15]])
    assert growthcal.best_move(cells, effects, np.array([0.5])) == [0]
    assert growthcal.best_move(cells, np.array([[0.1], [0.2], [0.3]]), np.array([0.0])) is None


def test_set_caseness_meets_the_count_and_breaks_ties_by_rank():
    phq = np.array([4.0, 9.0, 9.0, 2.0, 15.0, 8.0, 9.0])
    rank = np.array([6, 5, 2, 4, 1, 3, 7])

    def not_cases(gad):
        return int((~caseness.is_case(pd.Series(gad), pd.Series(phq)).astype(bool)).sum())

    gad = np.array([5.0, 7.0, 7.0, 3.0, 12.0, 7.0, 9.0])  # 5 not cases
    set_caseness(gad, phq, 3, rank)
    assert not_cases(gad) == 3
    assert list(gad) == [5.0, 7.0, 8.0, 3.0, 12.0, 8.0, 9.0]  # the 7s with ranks 2 and 3 went up, rank 5 stayed
    set_caseness(gad, phq, 5, rank)  # too few: the lowest GAD-7 among cases with PHQ-8 <= 9 come down
    assert not_cases(gad) == 5
    assert list(gad) == [5.0, 7.0, 7.0, 3.0, 12.0, 7.0, 9.0]


def test_items_add_up_to_their_totals():
    rng = np.random.default_rng(3)
    totals = np.array([0.0, 21.0, 7.0, np.nan, 13.0])
    items = sampling.items_from_totals(rng, totals, 7, rng.standard_normal(5))
    assert np.array_equal(np.nansum(items, axis=1)[[0, 1, 2, 4]], totals[[0, 1, 2, 4]])
    assert np.isnan(items[3]).all() and np.nanmax(items) <= 3 and np.nanmin(items) >= 0


def test_exact_counts_and_attrition():
    rng = np.random.default_rng(4)
    labels = sampling.exact_assignment(rng, {"a": 3, "b": 5}, order=rng.standard_normal(8))
    assert sorted(labels.tolist()) == ["a"] * 3 + ["b"] * 5
    assert sampling.exact_flag(rng, 10, 4).sum() == 4
    present = sampling.attrition_mask(rng, rng.standard_normal(100), n_t2=40, n_t3=30, n_both=20)
    assert present[:, 0].all() and present[:, 1].sum() == 40 and present[:, 2].sum() == 30
    assert (present[:, 1] & present[:, 2]).sum() == 20


def test_generated_waves_are_whole_points_in_range():
    rng = np.random.default_rng(5)
    present = np.ones((50, 3), dtype=bool)
    present[::3, 2] = False
    y = generate_waves(
        (10.0, -0.4, 0.3, 20.0, 1.0, -1.0, 8.0, 9.0, 9.0), rng.standard_normal((50, 5)), present, 21, True
    )
    observed = y[~np.isnan(y)]
    assert np.array_equal(observed, np.round(observed)) and observed.min() >= 0 and observed.max() <= 21
    assert np.isnan(y[::3, 2]).all()


def test_forum_scores_and_statistics_are_the_engines(monkeypatch):
    from analysis import correlations, ttests

    rng = np.random.default_rng(6)
    ever = sampling.exact_flag(rng, 791, 527)  # the fixed items have the paper's 791 answers
    state = forum.initial_state(rng, ever, rng.standard_normal(791))
    forum.check_scores(state)  # raises if the fast scores differ from analysis.scales.subscales
    frame = forum.item_frame(state).astype(float).join(pd.Series(ever, name="ever_posted"))
    frame = frame.join(scales.subscales(frame))
    stats = forum.forum_statistics(state, ever)
    r = correlations.pearson(frame["selfeff_total"], frame["T1_help_total"])[0]
    assert stats["r_selfeff_help"] == pytest.approx(r, rel=1e-12)
    test = ttests.posting_ttest(frame, "safe_total")
    assert stats["t_safe_total"] == pytest.approx(test.t, rel=1e-12)
    assert stats["levene_safe_total"] == pytest.approx(test.levene_p, rel=1e-12)
    # the reverse-keyed item counts reversed: raising safe_3 lowers safe_total
    k = contract.SAFE_ITEMS.index("safe_3")
    row = int(np.flatnonzero(state["safe"][:, k] < 5)[0])
    before = forum.subscale_scores(state)["safe_total"][row]
    state["safe"][row, k] += 1
    assert forum.subscale_scores(state)["safe_total"][row] == pytest.approx(before - 1 / 6)
    forum.check_scores(state)
    original = forum.subscale_scores
    monkeypatch.setattr(
        forum, "subscale_scores", lambda st: {**original(st), "safe_total": original(st)["safe_total"] + 1e-12}
    )
    with pytest.raises(AssertionError):
        forum.check_scores(state)
