"""Never-posted vs ever-posted t tests (Multimedia Appendix 9).

Convention (survey data contract): groups by ``ever_posted`` (option
``grouping``: or ``posted_6wk``); Levene's test centred on the mean picks
Student's pooled-variance t (Levene p >= .05) or Welch's t (otherwise), unless
the option ``ttest`` forces one. The test itself is scipy's ``ttest_ind``. t is signed posters minus
never-posters; the one-tailed p tests "posters score higher" (upper tail), the
two-tailed p is reported beside it. Cohen's d = mean difference / pooled SD,
pooled SD = sqrt(((n1 - 1) s1^2 + (n0 - 1) s0^2) / (n1 + n0 - 2)), whichever t is used, with its
exact 95% interval and Hedges' g (:func:`effect_sizes`, :mod:`analysis.effects`).

Option ``ttest`` = "brunner_munzel": the rank-based Brunner-Munzel test (scipy's ``brunnermunzel``,
Brunner & Munzel 2000), which assumes neither normality nor equal variances and suits Likert-derived
scores; its statistic and df take the places of t and df. Every comparison also reports the probability
of superiority (``ps``: the chance a poster scores higher than a never-poster, ties counting half) with
Brunner and Munzel's 95% interval (:func:`probability_of_superiority`). Option ``adjust`` = "age_gender":
an OLS regression of the score on posting, age band and gender (statsmodels; :func:`adjusted_difference`),
the posting coefficient the effect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import effects
from .errors import AnalysisError

LEVENE_ALPHA = 0.05
#: The two t tests the contract's manifest reports (their keys: ``t_{v}``, ``p_{v}``, ``d_{v}`` ...).
KEY_TTESTS = ("safe_total", "selfeff_total")
#: The subscales and items compared between posters and never-posters.
TTEST_VARIABLES = (
    "safe_total",
    "selfeff_total",
    "T1_help_total",
    "T1_mod_total",
    "stigma_inferior",
    "visit_read",
    "help_same",
    "help_understood",
    "help_isolated",
    "help_alone",
    "help_info",
    "help_hope",
)


@dataclass(frozen=True)
class TTest:
    """One posters-vs-never-posters comparison."""

    variable: str
    n_posted: int
    n_never: int
    mean_posted: float
    mean_never: float
    sd_posted: float
    sd_never: float
    levene_p: float
    welch: bool
    t: float
    df: float
    p_one_tailed: float
    p_two_tailed: float
    d: float
    rank_based: bool = False  # the Brunner-Munzel test (statistic and df in t and df)


def levene_mean_p(a: np.ndarray, b: np.ndarray) -> float:
    """p of Levene's test centred on the group means (the original Levene, not Brown-Forsythe)."""
    return float(stats.levene(a, b, center="mean").pvalue)


def _checked(posted, never, variable: str, grouping: str) -> tuple[np.ndarray, np.ndarray]:
    """The two groups as float arrays; :class:`AnalysisError` when a t test cannot be computed."""
    a = np.asarray(posted, dtype=float)
    b = np.asarray(never, dtype=float)
    n1, n0 = len(a), len(b)
    what = f"t test of {variable or 'a score'} ({grouping})"
    if min(n1, n0) < 2:
        small = "posted" if n1 < 2 else "never-posted"
        raise AnalysisError(
            what, f"the {small} group has {min(n1, n0)} respondent(s) with a score", "at least 2 in each group"
        )
    if a.var(ddof=1) == 0 and b.var(ddof=1) == 0:
        raise AnalysisError(
            what,
            "every respondent gives the same answer within both groups (constant item)",
            "some variation within at least one group",
        )
    return a, b


def _one_form(a: np.ndarray, b: np.ndarray, variable: str, levene_p: float, welch: bool) -> TTest:
    """Student's (``welch`` False) or Welch's t of posted ``a`` vs never ``b``, with Cohen's pooled-SD d."""
    n1, n0 = len(a), len(b)
    v1, v0 = a.var(ddof=1), b.var(ddof=1)
    upper = stats.ttest_ind(a, b, equal_var=not welch, alternative="greater")
    both = stats.ttest_ind(a, b, equal_var=not welch, alternative="two-sided")
    pooled_var = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2)
    return TTest(
        variable=variable,
        n_posted=n1,
        n_never=n0,
        mean_posted=float(a.mean()),
        mean_never=float(b.mean()),
        sd_posted=float(np.sqrt(v1)),
        sd_never=float(np.sqrt(v0)),
        levene_p=levene_p,
        welch=welch,
        t=float(both.statistic),
        df=float(both.df),
        p_one_tailed=float(upper.pvalue),
        p_two_tailed=float(both.pvalue),
        d=float((a.mean() - b.mean()) / np.sqrt(pooled_var)) if pooled_var > 0 else float("nan"),
    )


def probability_of_superiority(posted: np.ndarray, never: np.ndarray) -> tuple[float, float, float, float, float]:
    """Brunner & Munzel's (2000) estimate of p = P(never < posted) + P(never = posted) / 2 with its 95%
    interval, and their statistic and df: returns (p, ci_low, ci_high, statistic, df).

    From the mid-ranks of the pooled sample and within each group: p = (mean pooled rank of the posters -
    that of the never-posters) / N + 1/2; S_g^2 = sum over group g of (pooled rank - within rank - mean
    pooled rank of g + (n_g + 1)/2)^2 / (n_g - 1); SE(p) = sqrt(n_never S_never^2 + n_posted S_posted^2)
    / (n_never n_posted); statistic (p - 1/2) / SE; Welch-Satterthwaite df (n_0 S_0^2 + n_1 S_1^2)^2 /
    ((n_0 S_0^2)^2 / (n_0 - 1) + (n_1 S_1^2)^2 / (n_1 - 1)); interval p -+ t_df(.975) SE clipped to [0, 1].
    Hand-written because scipy's ``brunnermunzel`` returns neither p, its interval nor the df; the tests
    check the statistic and P against scipy's. NaN interval when SE is 0 (the groups do not overlap).
    """
    x, y = np.asarray(never, dtype=float), np.asarray(posted, dtype=float)
    nx, ny = len(x), len(y)
    ranks = stats.rankdata(np.concatenate([x, y]))
    rx, ry = ranks[:nx], ranks[nx:]
    sx = ((rx - stats.rankdata(x) - rx.mean() + (nx + 1) / 2) ** 2).sum() / (nx - 1)
    sy = ((ry - stats.rankdata(y) - ry.mean() + (ny + 1) / 2) ** 2).sum() / (ny - 1)
    p = float((ry.mean() - rx.mean()) / (nx + ny) + 0.5)
    spread = nx * sx + ny * sy
    if spread <= 0:
        return p, float("nan"), float("nan"), float("nan"), float("nan")
    se = np.sqrt(spread) / (nx * ny)
    df = spread**2 / ((nx * sx) ** 2 / (nx - 1) + (ny * sy) ** 2 / (ny - 1))
    half = stats.t.ppf(0.975, df) * se
    return p, float(max(0.0, p - half)), float(min(1.0, p + half)), float((p - 0.5) / se), float(df)


def _brunner_munzel(a: np.ndarray, b: np.ndarray, variable: str, levene_p: float) -> TTest:
    """The Brunner-Munzel test of posted ``a`` vs never ``b`` (scipy's ``brunnermunzel``), signed posters
    higher positive, as a :class:`TTest` (statistic and df in t and df; d still Cohen's pooled-SD d)."""
    base = _one_form(a, b, variable, levene_p, False)
    both = stats.brunnermunzel(b, a, alternative="two-sided")
    upper = stats.brunnermunzel(b, a, alternative="less")  # scipy: 'less' = the second sample larger
    _, _, _, _, df = probability_of_superiority(a, b)
    return TTest(**{**asdict(base), "welch": False, "t": float(both.statistic), "df": df,
                    "p_one_tailed": float(upper.pvalue), "p_two_tailed": float(both.pvalue), "rank_based": True})


def compare_groups(
    posted: np.ndarray, never: np.ndarray, variable: str = "", ttest: str = "levene", grouping: str = "ever_posted"
) -> TTest:
    """t test of posted vs never with scipy's ``ttest_ind``, t signed posted - never.

    ``ttest`` is ``"levene"`` (Levene's rule picks Student or Welch), ``"student"``, ``"welch"`` or
    ``"brunner_munzel"`` (the rank-based test, :func:`_brunner_munzel`).
    Raises :class:`AnalysisError` when a group has fewer than 2 scores or both groups are constant.
    """
    a, b = _checked(posted, never, variable, grouping)
    if ttest not in TTEST_FORMS:
        raise ValueError(f"ttest must be one of {TTEST_FORMS}, not {ttest!r}")
    levene_p = levene_mean_p(a, b)
    if ttest == "brunner_munzel":
        return _brunner_munzel(a, b, variable, levene_p)
    welch = bool(levene_p < LEVENE_ALPHA) if ttest == "levene" else ttest == "welch"
    return _one_form(a, b, variable, levene_p, welch)


def compare_groups_forms(
    posted: np.ndarray, never: np.ndarray, variable: str = "", grouping: str = "ever_posted"
) -> dict[str, TTest]:
    """Every ``ttest`` choice at once: ``{"levene": ..., "student": ..., "welch": ...}``.

    Each value equals :func:`compare_groups` with that ``ttest`` (same code); Levene's test and the
    two t tests are computed once, and "levene" is whichever of the two Levene's rule picks.
    """
    a, b = _checked(posted, never, variable, grouping)
    levene_p = levene_mean_p(a, b)
    forms = {"student": _one_form(a, b, variable, levene_p, False), "welch": _one_form(a, b, variable, levene_p, True)}
    forms["levene"] = forms["welch"] if levene_p < LEVENE_ALPHA else forms["student"]
    forms["brunner_munzel"] = _brunner_munzel(a, b, variable, levene_p)
    return forms


#: The levels of the option ``ttest``.
TTEST_FORMS = ("levene", "student", "welch", "brunner_munzel")


#: The t tests' grouping columns (option ``grouping``): 1 = posted, 0 = not.
GROUPINGS = ("ever_posted", "posted_6wk")


def posting_ttest(frame: pd.DataFrame, variable: str, ttest: str = "levene", grouping: str = "ever_posted") -> TTest:
    """Compare ``variable`` between ``grouping`` == 1 and == 0 (rows missing either are dropped)."""
    return compare_groups(*_groups(frame, variable, grouping), variable=variable, ttest=ttest, grouping=grouping)


def ttest_table(
    frame: pd.DataFrame, variables=TTEST_VARIABLES, ttest: str = "levene", grouping: str = "ever_posted"
) -> pd.DataFrame:
    """Every comparison of :data:`TTEST_VARIABLES` as a table (one row each)."""
    groups = [_groups(frame, v, grouping) for v in variables]
    tests = [compare_groups(*g, variable=v, ttest=ttest, grouping=grouping)
             for g, v in zip(groups, variables, strict=True)]
    return pd.DataFrame([asdict(t) | effect_sizes(t, *g) for t, g in zip(tests, groups, strict=True)])


def _groups(frame: pd.DataFrame, variable: str, grouping: str) -> tuple[np.ndarray, np.ndarray]:
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, not {grouping!r}")
    data = frame[[variable, grouping]].dropna()
    return (data.loc[data[grouping] == 1, variable].to_numpy(), data.loc[data[grouping] == 0, variable].to_numpy())


def ttest_tables(
    frame: pd.DataFrame, variables=TTEST_VARIABLES, grouping: str = "ever_posted"
) -> dict[str, pd.DataFrame]:
    """:func:`ttest_table` for every ``ttest`` choice at once (``{"levene": table, ...}``), each test once."""
    groups = [_groups(frame, v, grouping) for v in variables]
    rows = [compare_groups_forms(*g, variable=v, grouping=grouping) for g, v in zip(groups, variables, strict=True)]
    # d, its interval and the probability of superiority are the same in every form
    sizes = [effect_sizes(r["student"], *g) for r, g in zip(rows, groups, strict=True)]
    return {form: pd.DataFrame([asdict(r[form]) | e for r, e in zip(rows, sizes, strict=True)]) for form in TTEST_FORMS}


def effect_sizes(test: TTest, posted=None, never=None) -> dict[str, float]:
    """Cohen's d's exact 95% interval, Hedges' g and its interval (:mod:`analysis.effects`) of one comparison,
    and, given the two groups' scores, the probability of superiority with its interval
    (:func:`probability_of_superiority`)."""
    low, high = effects.cohens_d_ci(test.d, test.n_posted, test.n_never)
    j = effects.hedges_correction(test.n_posted + test.n_never - 2)
    out = {"d_ci_low": low, "d_ci_high": high, "g": j * test.d, "g_ci_low": j * low, "g_ci_high": j * high}
    if posted is not None:
        ps, ps_low, ps_high, _, _ = probability_of_superiority(np.asarray(posted, float), np.asarray(never, float))
        out.update({"ps": ps, "ps_ci_low": ps_low, "ps_ci_high": ps_high})
    return out


#: Option ``adjust`` = "age_gender": the covariates of the adjusted posting comparison (categorical).
ADJUST_COVARIATES = ("age_group", "gender")


def adjusted_difference(frame: pd.DataFrame, variable: str, grouping: str = "ever_posted",
                        covariates=ADJUST_COVARIATES) -> dict[str, float]:
    """OLS regression (statsmodels) of ``variable`` on posting (``grouping`` 1 vs 0) and ``covariates`` as
    indicator variables (the first level of each, in sorted order, the reference; a level no respondent
    has is dropped), on the rows with all of them. Returns the posting coefficient ``b`` (adjusted mean
    difference, posters minus never-posters), its SE, t, residual df, two- and one-tailed (posters higher)
    P, 95% interval, ``n``, and ``d`` = b / the pooled SD of the score in the two groups on those rows
    (with the interval divided likewise), so the adjusted effect is on Cohen's scale.
    Raises :class:`AnalysisError` when the design cannot be estimated (a group too small, or fewer
    residual degrees of freedom than 1)."""
    import statsmodels.api as sm

    data = frame[[variable, grouping, *covariates]].dropna()
    what = f"adjusted comparison of {variable} ({grouping})"
    posted = data[grouping] == 1
    if posted.sum() < 2 or (~posted).sum() < 2:
        raise AnalysisError(what, "a posting group has fewer than 2 respondents with all covariates",
                            "at least 2 in each group")
    dummies = (pd.get_dummies(data[list(covariates)].astype(str), drop_first=True, dtype=float) if covariates
               else pd.DataFrame(index=data.index))
    design = sm.add_constant(pd.concat([data[[grouping]].astype(float), dummies], axis=1), has_constant="add")
    y = data[variable].to_numpy(float)
    if len(y) - np.linalg.matrix_rank(design.to_numpy()) < 1:
        raise AnalysisError(what, f"{len(y)} respondents for {design.shape[1]} coefficients",
                            "more respondents than coefficients")
    fit = sm.OLS(y, design).fit()
    b, se, t = float(fit.params[grouping]), float(fit.bse[grouping]), float(fit.tvalues[grouping])
    low, high = (float(v) for v in fit.conf_int(0.05).loc[grouping])
    a, c = y[posted.to_numpy()], y[~posted.to_numpy()]
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(c) - 1) * c.var(ddof=1)) / (len(a) + len(c) - 2))
    sd = pooled if pooled > 0 else float("nan")
    return {"b": b, "se": se, "t": t, "df": float(fit.df_resid), "p_two_tailed": float(fit.pvalues[grouping]),
            "p_one_tailed": float(stats.t.sf(t, fit.df_resid)), "ci_low": low, "ci_high": high, "n": len(y),
            "d": b / sd, "d_ci_low": low / sd, "d_ci_high": high / sd}
