"""The robustness panel: the paper's results under one other analytic choice at a time.

Each variant is an :class:`~analysis.options.Options` (never a re-executed notebook); its results come
from the results store like every other number of the book, computed once per build by
:func:`compute`. A variant the data cannot support (e.g. too few respondents left by a stricter
exclusion) is shown as not estimable, with the reason; the paper's choices must always compute.
"""

from __future__ import annotations

import pandas as pd

from analysis.errors import AnalysisError
from analysis.options import Options
from analysis.store import Session

from . import fmt

#: name -> (the choice varied, label of the variant, options)
VARIANTS: dict[str, tuple[str, str, Options]] = {
    "tails_1": ("t tests", "one-tailed P", Options(tails=1)),
    "ttest_student": ("t tests", "Student forced", Options(ttest="student")),
    "ttest_welch": ("t tests", "Welch forced", Options(ttest="welch")),
    "grouping_6wk": ("t tests", "posted in last 6 weeks", Options(grouping="posted_6wk")),
    "yates": ("caseness", "Yates' correction", Options(yates=True)),
    "exclusion_0": ("exclusion", "0 minutes", Options(exclusion_minutes=0.0)),
    "exclusion_10": ("exclusion", "10 minutes", Options(exclusion_minutes=10.0)),
    "listwise": ("growth", "listwise deletion", Options(growth_missing="listwise")),
    "expected": ("growth", "expected information", Options(growth_information="expected")),
    "complete": ("scoring", "complete items only", Options(scoring="complete")),
}

#: The results each choice's table shows: (label, results key).
ROWS: dict[str, list[tuple[str, str]]] = {
    "t tests": [("safe_total: t", "t_safe_total"), ("safe_total: df", "df_safe_total"),
                ("safe_total: P", "p_safe_total"), ("safe_total: Welch's t", "welch_safe_total"),
                ("selfeff_total: t", "t_selfeff_total"), ("selfeff_total: df", "df_selfeff_total"),
                ("selfeff_total: P", "p_selfeff_total"), ("selfeff_total: Welch's t", "welch_selfeff_total")],
    "caseness": [("chi-square", "caseness_chi2"), ("P", "caseness_p"), ("Cramer's V", "caseness_cramers_v")],
    "exclusion": [("respondents included", "n_t1"), ("cases", "caseness_n_cases"), ("% cases", "caseness_pct"),
                  ("chi-square", "caseness_chi2"), ("GAD-7 slope", "gad_lgcm_slope_mean"),
                  ("r(selfeff, help)", "r_selfeff_help")],
    "growth": [("GAD-7 slope", "gad_lgcm_slope_mean"), ("GAD-7 95% CI low", "gad_lgcm_slope_ci_low"),
               ("GAD-7 95% CI high", "gad_lgcm_slope_ci_high"), ("GAD-7 chi-square", "gad_lgcm_chi2"),
               ("PHQ-8 slope", "phq_lgcm_slope_mean"), ("PHQ-8 95% CI low", "phq_lgcm_slope_ci_low"),
               ("PHQ-8 95% CI high", "phq_lgcm_slope_ci_high"), ("respondents (GAD-7)", "gad_lgcm_n")],
    "scoring": [("r(selfeff, help)", "r_selfeff_help"), ("r(selfeff, mod)", "r_selfeff_mod"),
                ("safe_total: t", "t_safe_total"), ("selfeff_total: t", "t_selfeff_total")],
}


def compute(session: Session) -> dict[str, dict | str]:
    """Results of every variant (values dict), or the reason it is not estimable (str)."""
    out: dict[str, dict | str] = {}
    for name, (_, _, options) in VARIANTS.items():
        try:
            out[name] = session.results(options).values
        except AnalysisError as exc:
            out[name] = f"not estimable: {exc}"
    return out


def panel(choice: str, baseline: dict, variants: dict[str, dict | str]) -> pd.DataFrame:
    """One choice's table: a row per result, the paper's value and each variant's, formatted."""
    names = [n for n, (c, _, _) in VARIANTS.items() if c == choice]
    rows = []
    for label, key in ROWS[choice]:
        row = {"result": label, "paper's choices": fmt.format_value(key, baseline)}
        for n in names:
            v = variants[n]
            row[VARIANTS[n][1]] = "not estimable" if isinstance(v, str) else fmt.format_value(key, v)
        rows.append(row)
    return pd.DataFrame(rows)
