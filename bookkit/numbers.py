"""How the book prints each number of the results manifest, chosen by its key.

One function, :func:`format_value`, turns a manifest value into the text a
page shows, so a number looks the same in every chapter, table and the
robustness panel. The rules follow the paper's (APA) style: P as ``=.009`` or
``<.001`` after a capital P, correlations and other values bounded by 1
without a leading zero, counts as integers with disclosure control (a
respondent count from 1 to 7 is shown as ``<8``, and a percentage of such a
count is suppressed), percentages of R-squared with one decimal.
"""

from __future__ import annotations

import math

from analysis import disclosure

from . import fmt

#: Keys that count respondents (and so are disclosure-controlled), beyond the ``n_`` prefix.
_COUNT_PREFIXES = ("n_", "caseness_n_")
#: Keys that start like counts but are not respondent counts.
_NOT_RESPONDENTS = {"n_forums", "n_file_rows", "caseness_nhs_n_cases", "caseness_nhs_n_not_cases"}
#: Decimals of a percentage key, when not 0 (the paper prints 64.5%).
PCT_DECIMALS = {"n_posted_6wk_pct": 1}


def from_survey(key: str) -> bool:
    """A key whose value the survey data determine (not an option, provenance or the NHS reference)."""
    from analysis.options import NAMES

    return not (key in NAMES or key.startswith(("data_", "caseness_nhs_")) or key == "caseness_df")


def is_respondent_count(key: str) -> bool:
    """A key whose value counts survey respondents (subject to disclosure control)."""
    if key in _NOT_RESPONDENTS or key.endswith("_pct"):
        return False
    return key.startswith(_COUNT_PREFIXES) or key.endswith("_lgcm_n") or key.endswith("_t1_n")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(key: str, values: dict) -> str:
    """The text a page shows for ``values[key]`` (see the module docstring for the rules)."""
    value = values[key]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or "none"
    if _missing(value):
        return "n/a"
    if key.endswith("_pct") and key[:-4] in values:
        if disclosure.small(values[key[:-4]]):
            return fmt.SUPPRESSED
        return fmt.fmt_num(value, PCT_DECIMALS.get(key, 0)) + "%"
    if key.endswith("_pct") or key.endswith("_pct_difference"):
        return fmt.fmt_num(value, 1) + "%"
    if is_respondent_count(key):
        return disclosure.count_text(value)
    if key in _NOT_RESPONDENTS:
        return fmt.fmt_int(value)
    if key.startswith("p_") or key.endswith("_p"):
        return fmt.fmt_p_relation(value)
    if key.startswith("df_") or key.endswith("_df"):
        return fmt.fmt_num(value, 0 if float(value).is_integer() else 1)
    if "_r2_" in key:
        return fmt.fmt_num(100 * value, 1) + "%"
    if key.startswith("r_") or key.startswith("alpha_") or key.endswith("cramers_v"):
        return fmt.fmt_bounded(value, 2 if key.startswith("alpha_") else 3)
    if key == "exclusion_minutes":
        return f"{value:g}"
    if key == "caseness_chi2":
        return fmt.fmt_num(value, 2)
    if key.endswith("_chi2"):
        return fmt.fmt_num(value, 1)
    if key.endswith("_t1_mean") or key.endswith("_t1_sd") or key.endswith("observed_mean"):
        return fmt.fmt_num(value, 2)
    if isinstance(value, int):
        return fmt.fmt_int(value)
    return fmt.fmt_num(value, 3)


def format_all(values: dict) -> dict[str, str]:
    """Every key of the manifest formatted (what a chapter glues)."""
    return {key: format_value(key, values) for key in values}
