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


#: Suffixes of keys that are printed like the estimate they belong to (an interval's ends, an SE, the
#: bound of an equivalence test).
_LIKE_ESTIMATE = ("_ci_low", "_ci_high", "_se", "_sesoi")
#: The value an interval's end is compared with (0 unless a ratio's null is 1).
_NULL = {"caseness_odds_ratio": 1.0}


def _estimate_of(key: str) -> str | None:
    """The estimate key a ``_ci_low``/``_ci_high``/``_se``/``_sesoi`` key belongs to (None otherwise).

    A growth slope's keys drop ``_mean`` (``gad_lgcm_slope_ci_low`` belongs to ``gad_lgcm_slope_mean``).
    """
    for suffix in _LIKE_ESTIMATE:
        if key.endswith(suffix):
            base = key[: -len(suffix)]
            return base + "_mean" if base.endswith("_lgcm_slope") else base
    return None


def _decimals(key: str) -> int | None:
    """Decimals of an estimate printed with :func:`fmt.fmt_num` (None: another rule applies)."""
    if key.endswith("_pct_difference"):
        return 1
    if key in ("caseness_odds_ratio", "caseness_cohens_h", "caseness_chi2"):
        return 2
    if key.endswith("_chi2"):
        return 1
    if key.endswith("_t1_mean") or key.endswith("_t1_sd") or key.endswith("observed_mean"):
        return 2
    return None


def format_value(key: str, values: dict) -> str:
    """The text a page shows for ``values[key]`` (see the module docstring for the rules).

    P values and the ends of intervals are printed with enough decimals to show their side of
    :data:`analysis.conclusions.ALPHA` and of the null value (:func:`fmt.fmt_p_sided`,
    :func:`fmt.fmt_num_sided`), so a printed number never seems to contradict the verdict beside it.
    """
    value = values[key]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or "none"
    if _missing(value):
        return "n/a"
    estimate = _estimate_of(key)
    if estimate is not None:
        return _format_like(estimate, value, sided=key.endswith(("_ci_low", "_ci_high")))
    if key.endswith("_pct") and key[:-4] in values:
        if disclosure.small(values[key[:-4]]):
            return fmt.SUPPRESSED
        return fmt.fmt_num(value, PCT_DECIMALS.get(key, 0)) + "%"
    if key.endswith("_pct"):
        return fmt.fmt_num(value, 1) + "%"
    if is_respondent_count(key):
        return disclosure.count_text(value)
    if key in _NOT_RESPONDENTS:
        return fmt.fmt_int(value)
    if key.startswith("p_") or key.endswith("_p") or key.endswith("_p_equivalence"):
        return _p_relation(value)
    if key.startswith("df_") or key.endswith("_df"):
        return fmt.fmt_num(value, 0 if float(value).is_integer() else 1)
    if "_r2_" in key:
        return fmt.fmt_num(100 * value, 1) + "%"
    if key == "exclusion_minutes":
        return f"{value:g}"
    if key == "sesoi":
        return f"{value:g}"
    if isinstance(value, int):
        return fmt.fmt_int(value)
    return _format_like(key, value, sided=False)


def _p_relation(p) -> str:
    """'=.009', '<.001' or, near alpha, '=.0499' (:func:`fmt.fmt_p_sided`)."""
    from analysis.conclusions import ALPHA

    text = fmt.fmt_p_sided(p, ALPHA)
    return text if text[0] in "<>" or text == "n/a" else "=" + text


def _format_like(estimate: str, value: float, sided: bool) -> str:
    """``value`` printed as the estimate ``estimate`` is (an interval's end ``sided`` off its null)."""
    if estimate.startswith("r_") or estimate.startswith("alpha_") or estimate.endswith(("cramers_v", "_rmsea")):
        text = fmt.fmt_bounded(value, 2 if estimate.startswith("alpha_") else 3)
        if sided and float(value) != 0 and text.lstrip(fmt.MINUS) == ".000":
            text = fmt.fmt_num_sided(value, 3).replace("0.", ".", 1)
        return text
    decimals = _decimals(estimate)
    decimals = 3 if decimals is None else decimals
    if sided:
        return fmt.fmt_num_sided(value, decimals, _NULL.get(estimate, 0.0))
    return fmt.fmt_num(value, decimals)


def format_all(values: dict) -> dict[str, str]:
    """Every key of the manifest formatted (what a chapter glues)."""
    return {key: format_value(key, values) for key in values}
