"""Never-posted vs ever-posted t tests (Multimedia Appendix 9).

Convention (survey data contract): groups by ``ever_posted`` (option
``grouping``: or ``posted_6wk``); Levene's test centred on the mean picks
Student's pooled-variance t (Levene p >= .05) or Welch's t (otherwise), unless
the option ``ttest`` forces one. The test itself is scipy's ``ttest_ind``. t is signed posters minus
never-posters; the one-tailed p tests "posters score higher" (upper tail), the
two-tailed p is reported beside it. Cohen's d = mean difference / pooled SD,
pooled SD = sqrt(((n1 - 1) s1^2 + (n0 - 1) s0^2) / (n1 + n0 - 2)), whichever t is used, with its
exact 95% interval and Hedges' g (:func:`effect_sizes`, :mod:`analysis.effects`).
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


def compare_groups(
    posted: np.ndarray, never: np.ndarray, variable: str = "", ttest: str = "levene", grouping: str = "ever_posted"
) -> TTest:
    """t test of posted vs never with scipy's ``ttest_ind``, t signed posted - never.

    ``ttest`` is ``"levene"`` (Levene's rule picks Student or Welch), ``"student"`` or ``"welch"``.
    Raises :class:`AnalysisError` when a group has fewer than 2 scores or both groups are constant.
    """
    a, b = _checked(posted, never, variable, grouping)
    if ttest not in TTEST_FORMS:
        raise ValueError(f"ttest must be 'levene', 'student' or 'welch', not {ttest!r}")
    levene_p = levene_mean_p(a, b)
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
    return forms


#: The levels of the option ``ttest``.
TTEST_FORMS = ("levene", "student", "welch")


#: The t tests' grouping columns (option ``grouping``): 1 = posted, 0 = not.
GROUPINGS = ("ever_posted", "posted_6wk")


def posting_ttest(frame: pd.DataFrame, variable: str, ttest: str = "levene", grouping: str = "ever_posted") -> TTest:
    """Compare ``variable`` between ``grouping`` == 1 and == 0 (rows missing either are dropped)."""
    return compare_groups(*_groups(frame, variable, grouping), variable=variable, ttest=ttest, grouping=grouping)


def ttest_table(
    frame: pd.DataFrame, variables=TTEST_VARIABLES, ttest: str = "levene", grouping: str = "ever_posted"
) -> pd.DataFrame:
    """Every comparison of :data:`TTEST_VARIABLES` as a table (one row each)."""
    tests = [posting_ttest(frame, v, ttest, grouping) for v in variables]
    return pd.DataFrame([asdict(t) | effect_sizes(t) for t in tests])


def _groups(frame: pd.DataFrame, variable: str, grouping: str) -> tuple[np.ndarray, np.ndarray]:
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, not {grouping!r}")
    data = frame[[variable, grouping]].dropna()
    return (data.loc[data[grouping] == 1, variable].to_numpy(), data.loc[data[grouping] == 0, variable].to_numpy())


def ttest_tables(
    frame: pd.DataFrame, variables=TTEST_VARIABLES, grouping: str = "ever_posted"
) -> dict[str, pd.DataFrame]:
    """:func:`ttest_table` for every ``ttest`` choice at once (``{"levene": table, ...}``), each test once."""
    rows = [compare_groups_forms(*_groups(frame, v, grouping), variable=v, grouping=grouping) for v in variables]
    sizes = [effect_sizes(r["student"]) for r in rows]  # d and its interval are the same in every form
    return {form: pd.DataFrame([asdict(r[form]) | e for r, e in zip(rows, sizes, strict=True)]) for form in TTEST_FORMS}


def effect_sizes(test: TTest) -> dict[str, float]:
    """Cohen's d's exact 95% interval, Hedges' g and its interval (:mod:`analysis.effects`) of one comparison."""
    low, high = effects.cohens_d_ci(test.d, test.n_posted, test.n_never)
    j = effects.hedges_correction(test.n_posted + test.n_never - 2)
    return {"d_ci_low": low, "d_ci_high": high, "g": j * test.d, "g_ci_low": j * low, "g_ci_high": j * high}
