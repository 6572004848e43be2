"""Effect sizes, intervals, equivalence tests and how the book reads them, each against an independent
computation (a closed form, a second method, or a simulation), and on surveys built to sit on a boundary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from analysis import effects
from analysis.conclusions import ALPHA, BY_ID, CONCLUSIONS
from analysis.engine import run_analysis
from analysis.loading import load_survey
from analysis.options import CHOICES, Options
from bookkit import fmt, interpret, verdicts
from survey_factory import make_survey, write_survey

Z = stats.norm.ppf(0.975)


def test_d_interval_agrees_with_the_large_sample_approximation():
    """Hedges & Olkin (1985): SE(d) = sqrt((n1 + n0) / (n1 n0) + d^2 / (2 (n1 + n0))); at n = 791 the exact
    noncentral-t interval and the normal one agree to the third decimal."""
    d, n1, n0 = 0.199, 527, 264
    low, high = effects.cohens_d_ci(d, n1, n0)
    se = math.sqrt((n1 + n0) / (n1 * n0) + d * d / (2 * (n1 + n0)))
    assert low == pytest.approx(d - Z * se, abs=3e-3) and high == pytest.approx(d + Z * se, abs=3e-3)


def test_d_interval_covers_the_true_effect_95_percent_of_the_time():
    """Coverage by simulation (small groups, where the approximation would not do): 95% within 2.5 points."""
    rng = np.random.default_rng(1)
    delta, n1, n0, runs = 0.5, 12, 9, 600
    hits = 0
    for _ in range(runs):
        a, b = rng.normal(delta, 1, n1), rng.normal(0, 1, n0)
        pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n0 - 1) * b.var(ddof=1)) / (n1 + n0 - 2))
        low, high = effects.cohens_d_ci((a.mean() - b.mean()) / pooled, n1, n0)
        hits += low <= delta <= high
    assert abs(hits / runs - 0.95) < 0.025


def test_hedges_correction_against_gamma_and_its_usual_approximation():
    assert effects.hedges_correction(10) == pytest.approx(math.gamma(5) / (math.sqrt(5) * math.gamma(4.5)))
    for df in (50, 789):
        assert effects.hedges_correction(df) == pytest.approx(1 - 3 / (4 * df - 1), abs=2e-5)


def test_correlation_interval_is_fisher_z(survey_csv):
    values = run_analysis(load_survey(survey_csv)).values
    r, n = values["r_selfeff_help"], values["n_selfeff_help"]
    half = Z / math.sqrt(n - 3)
    assert values["r_selfeff_help_ci_low"] == pytest.approx(math.tanh(math.atanh(r) - half), abs=1e-12)
    assert values["r_selfeff_help_ci_high"] == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-12)


def _wilson(x, n):
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def test_caseness_effects_against_closed_forms():
    """Newcombe's hybrid score interval (Newcombe 1998, method 10) from Wilson intervals written here,
    Woolf's log odds ratio interval, and Cohen's h as statsmodels' ``proportion_effectsize``."""
    from statsmodels.stats.proportion import proportion_effectsize

    from analysis.engine import caseness_effects

    a, b, c, d = 593, 198, 76265, 4650
    got = caseness_effects(a, b, c, d)
    p1, p2 = a / (a + b), c / (c + d)
    l1, u1 = _wilson(a, a + b)
    l2, u2 = _wilson(c, c + d)
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    assert got["caseness_pct_difference_ci_low"] == pytest.approx(100 * low, abs=1e-9)
    assert got["caseness_pct_difference_ci_high"] == pytest.approx(100 * high, abs=1e-9)
    log_or, se = math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert got["caseness_odds_ratio"] == pytest.approx(a * d / (b * c))
    assert got["caseness_odds_ratio_ci_low"] == pytest.approx(math.exp(log_or - Z * se))
    assert got["caseness_odds_ratio_ci_high"] == pytest.approx(math.exp(log_or + Z * se))
    assert got["caseness_cohens_h"] == pytest.approx(proportion_effectsize(p1, p2))
    assert 1 / got["caseness_odds_ratio"] == pytest.approx(5.5, abs=0.05)  # the reviewer's "about 5.5"


def test_rmsea_interval_on_one_df_against_the_normal_closed_form():
    """On 1 df the noncentral chi-square is (Z + sqrt(lambda))^2, so its CDF is a difference of two normal
    CDFs: solve for the interval's ends with that instead of scipy's ncx2."""
    chi2, n = 6.5, 400

    def cdf(lam):
        return stats.norm.cdf(math.sqrt(chi2) - math.sqrt(lam)) - stats.norm.cdf(-math.sqrt(chi2) - math.sqrt(lam))

    lam_low = optimize.brentq(lambda lam: cdf(lam) - 0.975, 1e-9, 50)
    lam_high = optimize.brentq(lambda lam: cdf(lam) - 0.025, 1e-9, 50)
    point, low, high = effects.rmsea_ci(chi2, 1, n)
    assert point == pytest.approx(math.sqrt((chi2 - 1) / n))
    assert low == pytest.approx(math.sqrt(lam_low / n), rel=1e-6)
    assert high == pytest.approx(math.sqrt(lam_high / n), rel=1e-6)
    assert effects.rmsea_ci(0.5, 1, n)[:2] == (0.0, 0.0)  # below df: point and lower end are 0


def test_tost_is_the_90_percent_interval_inside_the_bounds():
    """TOST P < .05 exactly when the 90% interval lies inside (-bound, bound); at the edge P = .05."""
    se, bound = 0.1, 0.3
    edge = bound - stats.norm.ppf(0.95) * se  # the estimate whose 90% interval touches the bound
    assert effects.tost_wald(edge, se, bound) == pytest.approx(0.05)
    assert effects.tost_wald(edge - 0.01, se, bound) < 0.05 < effects.tost_wald(edge + 0.01, se, bound)
    assert effects.tost_wald(-edge, se, bound) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("p", "p_equiv", "expected"),
    [(0.01, 0.2, "effect"), (0.01, 0.01, "negligible effect"), (0.3, 0.01, "no meaningful effect"),
     (0.3, 0.2, "inconclusive"), (float("nan"), 0.2, None)],
)
def test_judgement(p, p_equiv, expected):
    assert effects.judgement(p, p_equiv) == expected


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.04996, ".04996"), (0.0504, ".0504"), (0.0499, ".0499"), (0.0512, ".051"), (0.009, ".009"),
     (0.0004, "<.001"), (0.05, ".050")],
)
def test_p_is_printed_on_its_side_of_alpha(p, expected):
    assert fmt.fmt_p_sided(p, 0.05) == expected
    shown = float(expected.lstrip("<"))
    assert expected.startswith("<") or (shown < 0.05) == (p < 0.05)


def test_interval_ends_never_print_as_the_null_they_exclude():
    assert fmt.fmt_num_sided(-0.00043, 3) == f"{fmt.MINUS}0.0004"
    assert fmt.fmt_num_sided(0.0, 3) == "0.000"
    assert fmt.fmt_num_sided(-0.489, 3) == f"{fmt.MINUS}0.489"
    assert fmt.format_value("caseness_odds_ratio_ci_high", {"caseness_odds_ratio_ci_high": 0.9996}) == "0.9996"
    assert fmt.format_value("r_selfeff_help_ci_low", {"r_selfeff_help_ci_low": 0.0002}) == ".0002"


def _nudged(df: pd.DataFrame, target: str, toward: str, lo: float, hi: float, sign: int = 1) -> pd.DataFrame:
    """Move answers of ``target`` one point at a time towards ``toward`` (or its mirror, ``sign`` -1) until
    the P of their correlation among the respondents the engine includes lies in [lo, hi)."""
    df = df.copy()
    included = df.index[df["t1_duration_min"] >= 5]
    mirror = df[toward] if sign > 0 else 6 - df[toward]

    def p_now():
        both = df.loc[included, [toward, target]].dropna()
        return stats.pearsonr(both[toward], both[target]).pvalue

    for i in included:
        for _ in range(4):
            if lo <= p_now() < hi:
                return df
            gap = mirror[i] - df.at[i, target]
            if pd.isna(gap) or gap == 0:
                break
            before = df.at[i, target]
            df.at[i, target] = before + np.sign(gap)
            if p_now() < lo:  # overshot: undo this step and try the next respondent
                df.at[i, target] = before
                break
    raise AssertionError(f"could not bring P into [{lo}, {hi})")


@pytest.fixture(scope="module")
def boundary_survey(tmp_path_factory):
    df = make_survey(300, seed=5)
    df["safe_5"] = np.random.default_rng(2).integers(1, 6, len(df)).astype(float)
    df = _nudged(df, "safe_5", "visit_read", ALPHA - 0.001, ALPHA)
    return write_survey(df, tmp_path_factory.mktemp("edge") / "edge.csv")


def test_a_p_just_below_alpha_reads_as_significant_and_prints_so(boundary_survey):
    values = run_analysis(load_survey(boundary_survey)).values
    p = values["p_visit_read_safe_5"]
    assert ALPHA - 0.001 <= p < ALPHA
    c = BY_ID["area2_safe_5"]
    text = interpret.verdict_text(c.id, values)
    assert c.outcome(values) == "holds" and text.startswith(verdicts.wording(c).says["holds"])
    shown_p = fmt.format_value("p_visit_read_safe_5", values)
    assert shown_p != "=.050" and float(shown_p.lstrip("=")) < ALPHA, shown_p
    low = fmt.format_value("r_visit_read_safe_5_ci_low", values)
    assert low.replace(fmt.MINUS, "-") != ".000" and not low.startswith(fmt.MINUS), low  # excludes 0 as printed


@pytest.mark.parametrize("sign", [-1, +1])
def test_help_alone_follows_the_direction_the_paper_reports(tmp_path, sign):
    """The paper reports a negative correlation of visit_read with help_alone: a survey with a significant
    negative one supports it, a survey with a significant positive one is said to go the other way."""
    df = make_survey(300, seed=7)
    df["help_alone"] = (6 - df["visit_read"]) if sign < 0 else df["visit_read"]
    values = run_analysis(load_survey(write_survey(df, tmp_path / "alone.csv"))).values
    c = BY_ID["area2_help_alone"]
    assert values["r_visit_read_help_alone"] * sign > 0 and values["p_visit_read_help_alone"] < ALPHA
    assert c.outcome(values) == ("holds" if sign < 0 else "opposite")
    assert ("negatively" in verdicts.sentence(c, values)) == (sign < 0)


def test_no_null_is_stated_as_a_fact():
    """A sentence for a non-significant result says "no evidence", never "did not"."""
    for c in CONCLUSIONS:
        for outcome, words in verdicts.wording(c).says.items():
            assert "did not" not in words and "does not" not in words, (c.id, outcome)
            if c.id.endswith(("_fit", "_start_change")) or c.id == "phq_slope":
                continue
            if outcome.startswith("fails"):
                assert "no evidence" in words, (c.id, outcome)


def test_every_verdict_prints_its_effect_and_interval(survey_csv):
    values = run_analysis(load_survey(survey_csv)).values
    for c in CONCLUSIONS:
        text = interpret.verdict_text(c.id, values)
        assert f"({verdicts.wording(c).effect} = " in text and ", 95% CI [" in text and ", P" in text, c.id


def test_method_words_cover_every_level_of_every_choice():
    for name, levels in CHOICES.items():
        if name == "exclusion_minutes":
            continue
        assert set(interpret.METHOD_WORDS[name]) == set(levels), name
    words = interpret.method_words(Options(growth_missing="listwise").as_dict())
    assert "listwise" in words["method_growth_missing"]


def test_cohen_bands():
    assert [interpret.cohen_size(x) for x in (0.1, -0.3, 0.56, -0.9)] == ["a negligible", "a small", "a medium",
                                                                          "a large"]
