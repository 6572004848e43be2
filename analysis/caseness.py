"""Caseness (NHS Talking Therapies scoring) and the comparison with NHS Talking Therapies.

Convention (survey data contract): a respondent is *not* a case when GAD-7 <= 7
AND PHQ-8 <= 9 at T1, a case otherwise; respondents missing either T1 total are
left out. The comparison is Pearson's chi-square on the 2x2 table (survey vs
NHS Talking Therapies North West 2022-23), df 1, without continuity correction
unless asked; Cramer's V = sqrt(chi2 / N) over all N in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import effects, paths, scales

GAD_CUTOFF = 7  # not a case at or below
PHQ_CUTOFF = 9
#: Option ``caseness_cutoffs``: (GAD-7, PHQ-8) totals at or below which a respondent is not a case.
#: "nhs": NHS Talking Therapies caseness (the paper's: a case at GAD-7 >= 8 or PHQ-8 >= 10);
#: "gad10_phq10": the screening cut-offs of the scales' validation studies, GAD-7 >= 10 (Spitzer et al.
#: 2006) and PHQ-8 >= 10 (Kroenke et al. 2001 for the PHQ-9; Kroenke et al. 2009 for the PHQ-8).
CUTOFFS: dict[str, tuple[int, int]] = {"nhs": (GAD_CUTOFF, PHQ_CUTOFF), "gad10_phq10": (9, 9)}


def is_case(gad_total: pd.Series, phq_total: pd.Series, gad_cutoff: int = GAD_CUTOFF,
            phq_cutoff: int = PHQ_CUTOFF) -> pd.Series:
    """Boolean caseness (NaN where either total is missing): not (GAD-7 <= gad_cutoff and PHQ-8 <= phq_cutoff)."""
    case = ~((gad_total <= gad_cutoff) & (phq_total <= phq_cutoff))
    return case.astype(object).where(gad_total.notna() & phq_total.notna())


def survey_caseness(sample: pd.DataFrame, cutoffs: str = "nhs") -> tuple[int, int]:
    """(cases, not cases) among included respondents with both T1 totals, at the cut-offs ``cutoffs``
    (:data:`CUTOFFS`)."""
    case = is_case(scales.clinical_total(sample, "gad", "t1"), scales.clinical_total(sample, "phq", "t1"),
                   *CUTOFFS[cutoffs]).dropna()
    n_cases = int(case.astype(bool).sum())
    return n_cases, int(len(case) - n_cases)


def nhs_reference(path=paths.NHS_REFERENCE) -> tuple[int, int]:
    """(cases, not cases) in NHS Talking Therapies North West 2022-23, from the shipped reference file."""
    ref = pd.read_csv(path).iloc[0]
    return int(ref["n_caseness"]), int(ref["n_finished_treatment"] - ref["n_caseness"])


@dataclass(frozen=True)
class CasenessTest:
    """Pearson chi-square test of a 2x2 table [[a_cases, a_not], [b_cases, b_not]]."""

    table: np.ndarray
    chi2: float
    df: int
    p: float
    cramers_v: float
    correction: bool


def chi_square_2x2(a_cases: int, a_not: int, b_cases: int, b_not: int, correction: bool = False) -> CasenessTest:
    """Pearson chi-square (optionally Yates-corrected), df 1, and Cramer's V = sqrt(chi2/N).

    Computed from the closed form sum (|O - E| - c)^2 / E with c = 0.5 under
    Yates' correction (never more than |O - E|), else 0.
    """
    table = np.array([[a_cases, a_not], [b_cases, b_not]], dtype=float)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    dev = np.abs(table - expected)
    if correction:
        dev = np.maximum(dev - 0.5, 0.0)
    chi2 = float((dev**2 / expected).sum())
    return CasenessTest(
        table=table.astype(int),
        chi2=chi2,
        df=1,
        p=float(stats.chi2.sf(chi2, 1)),
        cramers_v=float(np.sqrt(chi2 / n)),
        correction=correction,
    )


def caseness_results(sample: pd.DataFrame, correction: bool = False, cutoffs: str = "nhs") -> dict[str, float | int]:
    """The caseness keys of the results manifest, plus the NHS counts used (always the published counts at
    the NHS cut-offs, whatever ``cutoffs`` the survey is scored with)."""
    cases, not_cases = survey_caseness(sample, cutoffs)
    nhs_cases, nhs_not = nhs_reference()
    test = chi_square_2x2(cases, not_cases, nhs_cases, nhs_not, correction=correction)
    return {
        "caseness_n_cases": cases,
        "caseness_n_not_cases": not_cases,
        "caseness_nhs_n_cases": nhs_cases,
        "caseness_nhs_n_not_cases": nhs_not,
        "caseness_chi2": test.chi2,
        "caseness_df": test.df,
        "caseness_p": test.p,
        "caseness_cramers_v": test.cramers_v,
        "caseness_yates": correction,
    }


def caseness_effects(cases: int, not_cases: int, nhs_cases: int, nhs_not: int) -> dict:
    """Effect sizes of the caseness comparison with 95% intervals (:mod:`analysis.effects`): the
    difference in percentage points (Newcombe), the odds ratio of being a case (Woolf) and Cohen's h."""
    n, n_nhs = cases + not_cases, nhs_cases + nhs_not
    diff, diff_lo, diff_hi = effects.risk_difference_ci(cases, n, nhs_cases, n_nhs)
    odds, odds_lo, odds_hi = effects.odds_ratio_ci([[cases, not_cases], [nhs_cases, nhs_not]])
    h, h_lo, h_hi = effects.cohens_h_ci(cases / n, n, nhs_cases / n_nhs, n_nhs)
    return {
        "caseness_pct_difference_ci_low": 100 * diff_lo,
        "caseness_pct_difference_ci_high": 100 * diff_hi,
        "caseness_odds_ratio": odds,
        "caseness_odds_ratio_ci_low": odds_lo,
        "caseness_odds_ratio_ci_high": odds_hi,
        "caseness_cohens_h": h,
        "caseness_cohens_h_ci_low": h_lo,
        "caseness_cohens_h_ci_high": h_hi,
    }
