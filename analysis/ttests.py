"""Never-posted vs ever-posted t tests (Multimedia Appendix 9).

Convention (survey data contract): groups by ``ever_posted``; Levene's test
centred on the mean picks Student's pooled-variance t (Levene p >= .05) or
Welch's t (otherwise), unless a choice is forced. t is signed posters minus
never-posters; the one-tailed p tests "posters score higher" (upper tail), the
two-tailed p is reported beside it. Cohen's d = mean difference / pooled SD,
pooled SD = sqrt(((n1 - 1) s1^2 + (n0 - 1) s0^2) / (n1 + n0 - 2)), whichever t is used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

LEVENE_ALPHA = 0.05
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


def compare_groups(posted: np.ndarray, never: np.ndarray, variable: str = "", force: str | None = None) -> TTest:
    """t test of posted vs never, t signed posted - never; ``force`` is None, 'student' or 'welch'."""
    a = np.asarray(posted, dtype=float)
    b = np.asarray(never, dtype=float)
    n1, n0 = len(a), len(b)
    m1, m0 = a.mean(), b.mean()
    v1, v0 = a.var(ddof=1), b.var(ddof=1)
    levene_p = levene_mean_p(a, b)
    if force is None:
        welch = bool(levene_p < LEVENE_ALPHA)
    elif force in ("student", "welch"):
        welch = force == "welch"
    else:
        raise ValueError(f"force must be None, 'student' or 'welch', not {force!r}")
    pooled_var = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2)
    if welch:
        se2 = v1 / n1 + v0 / n0
        df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
    else:
        se2 = pooled_var * (1 / n1 + 1 / n0)
        df = float(n1 + n0 - 2)
    t = (m1 - m0) / np.sqrt(se2)
    return TTest(
        variable=variable,
        n_posted=n1,
        n_never=n0,
        mean_posted=float(m1),
        mean_never=float(m0),
        sd_posted=float(np.sqrt(v1)),
        sd_never=float(np.sqrt(v0)),
        levene_p=levene_p,
        welch=welch,
        t=float(t),
        df=float(df),
        p_one_tailed=float(stats.t.sf(t, df)),
        p_two_tailed=float(2 * stats.t.sf(abs(t), df)),
        d=float((m1 - m0) / np.sqrt(pooled_var)),
    )


def posting_ttest(frame: pd.DataFrame, variable: str, force: str | None = None) -> TTest:
    """Compare ``variable`` between ever_posted == 1 and == 0 (rows missing either are dropped)."""
    data = frame[[variable, "ever_posted"]].dropna()
    return compare_groups(
        data.loc[data["ever_posted"] == 1, variable].to_numpy(),
        data.loc[data["ever_posted"] == 0, variable].to_numpy(),
        variable=variable,
        force=force,
    )


def ttest_table(frame: pd.DataFrame, variables=TTEST_VARIABLES, force: str | None = None) -> pd.DataFrame:
    """Every comparison of :data:`TTEST_VARIABLES` as a table (one row each)."""
    return pd.DataFrame([asdict(posting_ttest(frame, v, force=force)) for v in variables])
