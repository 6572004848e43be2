"""Correlations between key items and subscales (Multimedia Appendix 8).

Convention (survey data contract): Pearson r with pairwise deletion and a
two-tailed p (scipy's ``pearsonr``: t = r sqrt((n - 2) / (1 - r^2)) on n - 2 df).
Option ``correlation`` = "spearman": Spearman's rank correlation (scipy's
``spearmanr``, the same t approximation for p) with the Bonett-Wright (2000)
Fisher-z interval (:func:`spearman_ci`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: The items and subscales the paper correlates (Results, theory areas 1 and 2), as recorded
#: (``safe_3`` is the raw "I feel like an outsider" item, not reversed).
CORRELATION_VARIABLES = (
    "selfeff_total",
    "T1_help_total",
    "T1_mod_total",
    "safe_total",
    "visit_read",
    "help_same",
    "help_understood",
    "help_isolated",
    "help_alone",
    "safe_3",
    "safe_5",
    "stigma_inferior",
)


def pearson(x: pd.Series, y: pd.Series) -> tuple[float, float, int]:
    """Pearson r and its two-tailed p (scipy's ``pearsonr``) and n over the rows where both are present.

    NaN r and p when fewer than 3 such rows or either variable is constant there.
    """
    both = pd.concat([x, y], axis=1).dropna()
    n = len(both)
    a, b = both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan"), n
    result = stats.pearsonr(a, b)
    return float(result.statistic), float(result.pvalue), n


def pearson_ci(x: pd.Series, y: pd.Series) -> tuple[float, float, int, float, float]:
    """:func:`pearson` plus r's 95% interval, scipy's Fisher-z ``confidence_interval``
    (tanh(atanh r -+ 1.96 / sqrt(n - 3))); NaN where r is NaN or n < 4."""
    r, p, n = pearson(x, y)
    if not np.isfinite(r) or n < 4:
        return r, p, n, float("nan"), float("nan")
    both = pd.concat([x, y], axis=1).dropna().to_numpy(float)
    ci = stats.pearsonr(both[:, 0], both[:, 1]).confidence_interval(confidence_level=0.95)
    return r, p, n, float(ci.low), float(ci.high)


def spearman_ci(x: pd.Series, y: pd.Series) -> tuple[float, float, int, float, float]:
    """Spearman's rho (scipy's ``spearmanr``), its two-tailed p, n (pairwise) and a 95% interval.

    scipy gives no interval for rho; this one is Bonett & Wright's (2000, Psychometrika 65:23):
    tanh(atanh(rho) -+ 1.96 sqrt((1 + rho^2 / 2) / (n - 3))), the Fisher-z interval with the variance
    inflated for ranks. Hand-written because no installed library computes it; checked by simulation
    (coverage) in the tests. NaN as :func:`pearson` (fewer than 3 rows or a constant variable; interval
    NaN when n < 4).
    """
    both = pd.concat([x, y], axis=1).dropna()
    n = len(both)
    a, b = both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan"), n, float("nan"), float("nan")
    res = stats.spearmanr(a, b)
    rho, p = float(res.statistic), float(res.pvalue)
    if n < 4 or abs(rho) >= 1:
        return rho, p, n, float("nan"), float("nan")
    half = stats.norm.ppf(0.975) * np.sqrt((1 + rho**2 / 2) / (n - 3))
    z = np.arctanh(rho)
    return rho, p, n, float(np.tanh(z - half)), float(np.tanh(z + half))


#: The levels of option ``correlation``.
METHODS = ("pearson", "spearman")


def correlate(x: pd.Series, y: pd.Series, method: str = "pearson") -> tuple[float, float, int, float, float]:
    """:func:`pearson_ci` or :func:`spearman_ci`, as ``method`` names."""
    if method == "pearson":
        return pearson_ci(x, y)
    if method == "spearman":
        return spearman_ci(x, y)
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


#: The pairs the theory-area chapters quote, beyond the contract's selfeff pairs (results keys
#: ``r_{a}_{b}``, ``p_{a}_{b}``, ``n_{a}_{b}``).
QUOTED_PAIRS = (
    ("visit_read", "help_same"),
    ("visit_read", "help_understood"),
    ("visit_read", "help_isolated"),
    ("visit_read", "help_alone"),
    ("visit_read", "safe_3"),
    ("visit_read", "safe_5"),
)
#: The contract's names for the two self-efficacy correlations.
CONTRACT_PAIRS = {("selfeff_total", "T1_help_total"): "selfeff_help", ("selfeff_total", "T1_mod_total"): "selfeff_mod"}


def correlation_table(frame: pd.DataFrame, variables=CORRELATION_VARIABLES, method: str = "pearson") -> pd.DataFrame:
    """Long table of every pair (var1 before var2 in ``variables``): r (or rho), p (two-tailed) and n."""
    rows = []
    for i, a in enumerate(variables):
        for b in variables[i + 1 :]:
            r, p, n, low, high = correlate(frame[a], frame[b], method)
            rows.append({"var1": a, "var2": b, "r": r, "p": p, "n": n, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def correlation_matrix(table: pd.DataFrame, value: str = "r") -> pd.DataFrame:
    """Square matrix of one column of :func:`correlation_table` (diagonal 1 for r, NaN otherwise)."""
    names = list(dict.fromkeys(list(table["var1"]) + list(table["var2"])))
    pos = {name: i for i, name in enumerate(names)}
    mat = np.full((len(names), len(names)), np.nan)
    for a, b, v in zip(table["var1"], table["var2"], table[value], strict=False):
        mat[pos[a], pos[b]] = mat[pos[b], pos[a]] = v
    if value == "r":
        np.fill_diagonal(mat, 1.0)
    return pd.DataFrame(mat, index=names, columns=names)
