"""Correlations between key items and subscales (Multimedia Appendix 8).

Convention (survey data contract): Pearson r with pairwise deletion and a
two-tailed p (scipy's ``pearsonr``: t = r sqrt((n - 2) / (1 - r^2)) on n - 2 df).
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


def correlation_table(frame: pd.DataFrame, variables=CORRELATION_VARIABLES) -> pd.DataFrame:
    """Long table of every pair (var1 before var2 in ``variables``): r, p (two-tailed) and n."""
    rows = []
    for i, a in enumerate(variables):
        for b in variables[i + 1 :]:
            r, p, n, low, high = pearson_ci(frame[a], frame[b])
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
