"""The analytic choices a reviewer may vary, spelled one way everywhere.

Each field of :class:`Options` is, with the same name and the same values, a
command-line flag of ``python -m analysis reproduce`` (``--growth-missing
listwise``), a papermill parameter of the chapters (``growth_missing =
"listwise"``), a key of the results manifest (``"growth_missing":
"listwise"``) and a dimension of the multiverse. :data:`CHOICES` lists the
levels of every choice; the default of each field is the paper's choice (``sesoi``, for equivalence
tests the paper did not run, is the book's).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields

from .growth_mi import MI_DELTA, MI_M

#: The levels of each choice (the first is the paper's). ``exclusion_minutes`` takes any number >= 0;
#: its levels here are the ones the robustness panel and the multiverse use.
CHOICES: dict[str, tuple] = {
    "exclusion_minutes": (5.0, 0.0, 3.0, 10.0),
    "yates": (False, True),
    "growth_missing": ("fiml", "listwise", "mi", "delta"),
    "growth_information": ("observed", "expected"),
    "ttest": ("levene", "student", "welch", "brunner_munzel"),
    "tails": (2, 1),
    "scoring": ("half", "complete"),
    "grouping": ("ever_posted", "posted_6wk"),
    "sesoi": (0.2, 0.5),
    "multiplicity": ("none", "holm", "fdr_bh"),
    "correlation": ("pearson", "spearman"),
    "adjust": ("none", "age_gender"),
    "caseness_cutoffs": ("nhs", "gad10_phq10"),
    "growth_residuals": ("free", "equal"),
}

#: One line per choice, for --help, the parameters cells and the book's tables.
DESCRIPTIONS: dict[str, str] = {
    "exclusion_minutes": "speed exclusion: keep respondents with t1_duration_min >= this many minutes",
    "yates": "Yates' continuity correction on the caseness chi-square",
    "growth_missing": "growth models on every respondent with a wave (fiml), complete cases (listwise), "
                      f"multiple imputation (mi: {MI_M} chained-equation imputations, Rubin's rules) or the same "
                      f"imputations with dropouts' imputed later-wave totals raised by {MI_DELTA:g} points "
                      "(delta: not at random)",
    "growth_information": "growth-model standard errors from the observed or the expected information",
    "ttest": "Levene's rule picks Student's or Welch's t (levene), or force student or welch, or the rank-based "
             "Brunner-Munzel test (brunner_munzel)",
    "tails": "which P the t tests report as p_V: 2 (two-tailed, as printed) or 1 (posters higher)",
    "scoring": "subscale score: mean of the answered items when at least half are answered (half) "
               "or only when all are (complete)",
    "grouping": "t-test groups: ever posted (ever_posted) or posted in the last 6 weeks (posted_6wk)",
    "sesoi": "smallest effect of interest of the equivalence tests, in SDs: 0.2 (Cohen's small) or 0.5 "
             "(half an SD, Norman et al. 2003); not a choice of the paper, which ran no equivalence test",
    "multiplicity": "correction of P over each conclusion group's family of tests: none (as printed), holm "
                    "(Holm's step-down, family-wise error) or fdr_bh (Benjamini-Hochberg false discovery rate)",
    "correlation": "correlation coefficient: pearson (as printed) or spearman (rank)",
    "adjust": "posting comparisons unadjusted (none) or an OLS regression of the score on posting, age band "
              "and gender, the posting coefficient as the effect (age_gender)",
    "caseness_cutoffs": "caseness: nhs (a case at GAD-7 >= 8 or PHQ-8 >= 10, NHS Talking Therapies) or "
                        "gad10_phq10 (GAD-7 >= 10 or PHQ-8 >= 10, the screening cut-offs of Spitzer 2006 and "
                        "Kroenke 2001)",
    "growth_residuals": "growth-model residual variances: free per wave (as printed) or equal across waves",
}


@dataclass(frozen=True)
class Options:
    """One set of analytic choices; the defaults are the paper's (see :data:`CHOICES`)."""

    exclusion_minutes: float = 5.0
    yates: bool = False
    growth_missing: str = "fiml"
    growth_information: str = "observed"
    ttest: str = "levene"
    tails: int = 2
    scoring: str = "half"
    grouping: str = "ever_posted"
    sesoi: float = 0.2
    multiplicity: str = "none"
    correlation: str = "pearson"
    adjust: str = "none"
    caseness_cutoffs: str = "nhs"
    growth_residuals: str = "free"

    def __post_init__(self):
        minutes = self.exclusion_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes >= 0:
            raise ValueError(f"option exclusion_minutes must be a number >= 0, not {minutes!r}")
        object.__setattr__(self, "exclusion_minutes", float(minutes))
        if isinstance(self.sesoi, int) and not isinstance(self.sesoi, bool):
            object.__setattr__(self, "sesoi", float(self.sesoi))
        for name, levels in CHOICES.items():
            value = getattr(self, name)
            if name != "exclusion_minutes" and (value not in levels or type(value) is not type(levels[0])):
                allowed = ", ".join(repr(v) for v in levels)
                raise ValueError(f"option {name} must be one of {allowed}, not {value!r}")

    def as_dict(self) -> dict:
        """The choices as a plain dict (field order)."""
        return asdict(self)

    def key(self) -> str:
        """A short stable identifier of this option set (SHA-256 of its canonical JSON)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def changed(self) -> dict:
        """The choices that differ from the paper's, as a dict (empty for the paper's choices)."""
        paper = Options()
        return {k: v for k, v in self.as_dict().items() if getattr(paper, k) != v}

    def label(self) -> str:
        """A short human label: 'paper' or e.g. 'ttest=welch, tails=1'."""
        return ", ".join(f"{k}={v}" for k, v in self.changed().items()) or "paper"

    @classmethod
    def from_mapping(cls, values: dict) -> Options:
        """Options from a mapping that may hold other names (a notebook's namespace): known fields only."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


#: The paper's choices.
PAPER = Options()
NAMES: tuple[str, ...] = tuple(f.name for f in fields(Options))
