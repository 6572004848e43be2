"""Effect sizes with 95% confidence intervals, and equivalence tests, each with the convention it follows.

Every test the book reports has an effect size with an interval from here:

* two groups (t tests): Cohen's d on the pooled SD with the exact interval from the noncentral t
  distribution (:func:`cohens_d_ci`), and Hedges' g = J d with the small-sample factor J
  (:func:`hedges_correction`; g's interval is d's times J);
* a correlation: Pearson r with the Fisher-z interval (:func:`analysis.correlations.pearson_ci`, scipy's);
* two proportions (caseness): the risk difference with Newcombe's hybrid-score interval and the odds
  ratio with Woolf's logit interval (statsmodels), and Cohen's h with its large-sample interval
  (:func:`cohens_h_ci`);
* a growth model: Wald intervals of every parameter (:mod:`analysis.growth`) and the RMSEA of the
  model chi-square with its interval (:func:`rmsea_ci`);
* a claim of *no* effect: two one-sided Wald tests against a smallest effect size of interest
  (:func:`tost_wald`), judged by :func:`judgement`.

Intervals are two-sided at :data:`LEVEL` unless a function says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

LEVEL = 0.95
Z_95 = float(stats.norm.ppf(0.975))


def _ncp_bounds(cdf, observed: float, start: float, level: float) -> tuple[float, float]:
    """The noncentrality parameters at which ``cdf(observed, ncp)`` is (1 + level) / 2 and (1 - level) / 2."""
    tail = (1 - level) / 2
    lo_target, hi_target = 1 - tail, tail

    def solve(target):
        f = lambda ncp: cdf(observed, ncp) - target  # noqa: E731 (decreasing in ncp)
        a, b = start - 1.0, start + 1.0
        while f(a) < 0:
            a -= 2 * (b - a)
        while f(b) > 0:
            b += 2 * (b - a)
        return optimize.brentq(f, a, b, xtol=1e-12, rtol=1e-12)

    return solve(lo_target), solve(hi_target)


def cohens_d_ci(d: float, n1: int, n0: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact interval of Cohen's d (pooled SD) by inverting the noncentral t distribution.

    Convention (Steiger & Fouladi 1997; Cumming 2012): Student's t = d sqrt(n1 n0 / (n1 + n0)) on
    df = n1 + n0 - 2 is noncentral t with ncp = delta sqrt(n1 n0 / (n1 + n0)); the interval's ends are
    the ncp values that put the observed t at the upper and lower (1 - level) / 2 quantiles, divided
    by sqrt(n1 n0 / (n1 + n0)). It assumes equal variances (as d's pooled SD does), also when the
    book's t test is Welch's. NaN when d is NaN or a group has fewer than 2 respondents.
    """
    if not np.isfinite(d) or min(n1, n0) < 2:
        return float("nan"), float("nan")
    scale = math.sqrt(n1 * n0 / (n1 + n0))
    df = n1 + n0 - 2
    t = d * scale
    lo, hi = _ncp_bounds(lambda x, ncp: stats.nct.cdf(x, df, ncp), t, t, level)
    return lo / scale, hi / scale


def hedges_correction(df: float) -> float:
    """Hedges' exact small-sample factor J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return float(math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2))


def risk_difference_ci(cases1: int, n1: int, cases2: int, n2: int) -> tuple[float, float, float]:
    """p1 - p2 with Newcombe's hybrid-score 95% interval (statsmodels ``confint_proportions_2indep``)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(cases1, n1, cases2, n2, method="newcomb", compare="diff")
    return cases1 / n1 - cases2 / n2, float(lo), float(hi)


def odds_ratio_ci(table) -> tuple[float, float, float]:
    """Odds ratio of a 2x2 table [[a, b], [c, d]] = (a d) / (b c) with Woolf's logit 95% interval
    (statsmodels ``Table2x2``)."""
    import statsmodels.api as sm

    t = sm.stats.Table2x2(np.asarray(table, dtype=float))
    lo, hi = t.oddsratio_confint(alpha=1 - LEVEL)
    return float(t.oddsratio), float(lo), float(hi)


def cohens_h_ci(p1: float, n1: int, p2: float, n2: int) -> tuple[float, float, float]:
    """Cohen's h = 2 asin sqrt(p1) - 2 asin sqrt(p2) with its large-sample interval.

    Convention (Cohen 1988, ch. 6): 2 asin sqrt(p) has variance about 1/n, so h -+ z sqrt(1/n1 + 1/n2).
    """
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    half = Z_95 * math.sqrt(1 / n1 + 1 / n2)
    return h, h - half, h + half


def rmsea_ci(chi2: float, df: int, n: int, level: float = LEVEL) -> tuple[float, float, float]:
    """RMSEA = sqrt(max(chi2 - df, 0) / (df N)) and its interval from the noncentral chi-square.

    Convention (Steiger 1990; MacCallum, Browne & Sugawara 1996; N, not N - 1, as lavaan's ML): the
    interval's ends are sqrt(lambda / (df N)) for the noncentrality lambda at which the observed chi2 is
    the upper and lower (1 - level) / 2 quantile (0 when even lambda = 0 puts it lower). lavaan prints a
    90% interval; the book prints 95% like every other interval.
    """
    if not (np.isfinite(chi2) and df > 0 and n > 0):
        return float("nan"), float("nan"), float("nan")
    point = math.sqrt(max(chi2 - df, 0.0) / (df * n))
    tail = (1 - level) / 2

    def bound(target):
        cdf = lambda ncp: stats.ncx2.cdf(chi2, df, ncp) if ncp > 0 else stats.chi2.cdf(chi2, df)  # noqa: E731
        if cdf(0.0) <= target:
            return 0.0
        b = max(chi2, 1.0)
        while cdf(b) > target:
            b *= 2
        return optimize.brentq(lambda ncp: cdf(ncp) - target, 0.0, b, xtol=1e-12, rtol=1e-12)

    lam_lo, lam_hi = bound(1 - tail), bound(tail)
    return point, math.sqrt(lam_lo / (df * n)), math.sqrt(lam_hi / (df * n))


def tost_wald(estimate: float, se: float, bound: float) -> float:
    """P of two one-sided Wald tests (TOST, Schuirmann 1987) that the effect lies within -bound..bound.

    p = max(P(Z > (estimate + bound) / se), P(Z < (estimate - bound) / se)); P < alpha is evidence
    that the effect is smaller than ``bound`` in absolute value (the 90% interval lies inside the bounds).
    """
    if not (np.isfinite(estimate) and np.isfinite(se) and se > 0 and bound > 0):
        return float("nan")
    lower = stats.norm.sf((estimate + bound) / se)
    upper = stats.norm.cdf((estimate - bound) / se)
    return float(max(lower, upper))


#: The four readings of a test of an effect beside an equivalence test (Lakens, Scheel & Isager 2018).
JUDGEMENTS = ("effect", "negligible effect", "no meaningful effect", "inconclusive")


def judgement(p: float, p_equivalence: float, alpha: float = 0.05) -> str | None:
    """Which of :data:`JUDGEMENTS` holds: a significant test of no effect and not equivalent -> "effect";
    significant and equivalent -> "negligible effect"; equivalent only -> "no meaningful effect";
    neither -> "inconclusive". None when a P is missing."""
    if not (np.isfinite(p) and np.isfinite(p_equivalence)):
        return None
    significant, equivalent = p < alpha, p_equivalence < alpha
    if significant:
        return "negligible effect" if equivalent else "effect"
    return "no meaningful effect" if equivalent else "inconclusive"


def r_from_d(d: float) -> float:
    """The correlation that corresponds to a standardised difference d between two equal groups,
    r = d / sqrt(d^2 + 4) (Borenstein et al. 2009, eq. 7.5)."""
    return d / math.sqrt(d * d + 4)
