"""Description of the sample (Results, "Participants"; Multimedia Appendix 5).

All counts are over the included sample (after the speed exclusion); percents
use that sample size as denominator, as the paper does (475 of 791 = 60%).
"""

from __future__ import annotations

import pandas as pd

from . import contract, scales

#: Categorical variables of the sample description, in the paper's order.
DESCRIBED_CATEGORIES = ("forum", "gender", "ethnicity", "age_group", "sexuality", "use_duration", "use_frequency")
#: 0/1 variables of the sample description (count of 1s).
DESCRIBED_FLAGS = contract.FLAGS


def wave_sizes(sample: pd.DataFrame) -> dict[str, int]:
    """``n_t1`` = included respondents; ``n_t2``, ``n_t3`` = those with a GAD-7 or PHQ-8 total at that wave."""
    sizes = {"n_t1": len(sample)}
    for wave in contract.WAVES[1:]:
        has = scales.clinical_total(sample, "gad", wave).notna() | scales.clinical_total(sample, "phq", wave).notna()
        sizes[f"n_{wave}"] = int(has.sum())
    return sizes


def description_table(sample: pd.DataFrame) -> pd.DataFrame:
    """Long table of the sample description: variable, category, n, percent of the included sample.

    Every contract category is listed (zero counts included) followed by
    ``missing`` when any respondent left the question blank; flags list the
    count of 1s.
    """
    n = len(sample)
    rows = []
    for var in DESCRIBED_CATEGORIES:
        counts = sample[var].value_counts()
        for cat in contract.CATEGORY_COLUMNS[var]:
            rows.append((var, cat, int(counts.get(cat, 0))))
        n_missing = int(sample[var].isna().sum())
        if n_missing:
            rows.append((var, "missing", n_missing))
    for var in DESCRIBED_FLAGS:
        rows.append((var, "yes", int((sample[var] == 1).sum())))
    table = pd.DataFrame(rows, columns=["variable", "category", "n"])
    table["percent"] = 100.0 * table["n"] / n if n else float("nan")
    return table


def sample_counts(sample: pd.DataFrame) -> dict[str, int]:
    """The sample counts of the results manifest (contract, "The results manifest")."""
    use = sample["use_duration"]
    return {
        "n_female": int((sample["gender"] == "female").sum()),
        "n_white": int((sample["ethnicity"] == "white").sum()),
        "n_age_16_24": int((sample["age_group"] == "16-24").sum()),
        "n_reason_self": int((sample["reason_self"] == 1).sum()),
        "n_reason_someone_else": int((sample["reason_someone_else"] == 1).sum()),
        "n_reason_help_others": int((sample["reason_help_others"] == 1).sum()),
        "n_use_over_1_month": int(use.isin(["1_to_12_months", "1_year_or_more"]).sum()),
        "n_use_1_year_plus": int((use == "1_year_or_more").sum()),
        "n_responded_or_liked": int((sample["responded_or_liked_6wk"] == 1).sum()),
        "n_posted_6wk": int((sample["posted_6wk"] == 1).sum()),
        "n_ever_posted": int((sample["ever_posted"] == 1).sum()),
    }


def item_frequencies(sample: pd.DataFrame) -> pd.DataFrame:
    """Multimedia Appendix 2's frequency table: for every integer-scored item (Likert, self-efficacy,
    GAD-7 and PHQ-8 items at every wave), the count of each allowed answer and of missing answers,
    with the percentage of the included sample."""
    n = len(sample)
    rows = []
    for spec in contract.COLUMNS:
        if spec.type != "integer":
            continue
        values = sample[spec.name]
        for answer in range(int(spec.low), int(spec.high) + 1):
            rows.append((spec.name, str(answer), int((values == answer).sum())))
        rows.append((spec.name, "missing", int(values.isna().sum())))
    table = pd.DataFrame(rows, columns=["item", "answer", "n"])
    table["percent"] = 100.0 * table["n"] / n if n else float("nan")
    return table


def forum_counts(sample: pd.DataFrame) -> pd.DataFrame:
    """Included respondents per forum at each wave (T2/T3: with a GAD-7 or PHQ-8 total)."""
    rows = []
    for forum in contract.FORUMS:
        sub = sample[sample["forum"] == forum]
        sizes = wave_sizes(sub)
        rows.append({"forum": forum, "n_t1": sizes["n_t1"], "n_t2": sizes["n_t2"], "n_t3": sizes["n_t3"]})
    return pd.DataFrame(rows)
