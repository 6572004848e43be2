"""Correlations between key items and subscales (Multimedia Appendix 8).

Convention (survey data contract): Pearson r with pairwise deletion and a
two-tailed p from t = r sqrt((n - 2) / (1 - r^2)) on n - 2 df.
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
    """Pearson r, two-tailed p and n over the rows where both are present."""
    both = pd.concat([x, y], axis=1).dropna()
    n = len(both)
    if n < 3:
        return float("nan"), float("nan"), n
    a, b = both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a @ a) * (b @ b))
    if denom == 0:
        return float("nan"), float("nan"), n
    r = float(np.clip((a @ b) / denom, -1.0, 1.0))
    if abs(r) == 1.0:
        return r, 0.0, n
    t = r * np.sqrt((n - 2) / (1 - r * r))
    return r, float(2 * stats.t.sf(abs(t), n - 2)), n


def correlation_table(frame: pd.DataFrame, variables=CORRELATION_VARIABLES) -> pd.DataFrame:
    """Long table of every pair (var1 before var2 in ``variables``): r, p (two-tailed) and n."""
    rows = []
    for i, a in enumerate(variables):
        for b in variables[i + 1 :]:
            r, p, n = pearson(frame[a], frame[b])
            rows.append({"var1": a, "var2": b, "r": r, "p": p, "n": n})
    return pd.DataFrame(rows)


def correlation_matrix(table: pd.DataFrame, value: str = "r") -> pd.DataFrame:
    """Square matrix of one column of :func:`correlation_table` (diagonal 1 for r, NaN otherwise)."""
    names = list(dict.fromkeys(list(table["var1"]) + list(table["var2"])))
    pos = {name: i for i, name in enumerate(names)}
    mat = np.full((len(names), len(names)), np.nan)
    for a, b, v in zip(table["var1"], table["var2"], table[value]):
        mat[pos[a], pos[b]] = mat[pos[b], pos[a]] = v
    if value == "r":
        np.fill_diagonal(mat, 1.0)
    return pd.DataFrame(mat, index=names, columns=names)
