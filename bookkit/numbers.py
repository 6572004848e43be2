"""How the book prints each number of the results manifest, chosen by its declared kind.

One function, :func:`format_value`, turns a manifest value into the text a
page shows, by the kind the engine declares for its key (:mod:`analysis.kinds`),
so a number looks the same in every chapter, table and the robustness panel.
The rules follow the paper's (APA) style: P as ``=.009`` or ``<.001`` after a
capital P, correlations and other values bounded by 1 without a leading zero,
counts as integers with disclosure control (a respondent count from 1 to 7 is
shown as ``<8``, and a percentage of such a count is suppressed), percentages
of R-squared with one decimal.
"""

from __future__ import annotations

import math

from analysis import disclosure, kinds

from . import fmt

#: The value an interval's end is compared with (0 unless a ratio's null is 1).
_NULL = {"caseness_odds_ratio": 1.0}


def from_survey(key: str) -> bool:
    """A key whose value the survey data determine (not an option, provenance or a published NHS figure)."""
    return kinds.kind(key).from_survey


def is_respondent_count(key: str) -> bool:
    """A key whose value counts survey respondents (subject to disclosure control), by its declared kind."""
    return kinds.kind(key).respondents


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(key: str, values: dict) -> str:
    """The text a page shows for ``values[key]``, chosen by the key's declared kind (:mod:`analysis.kinds`).

    Counts of respondents go through disclosure control ('<8'), and a percentage of a small count is
    withheld; P values and the ends of intervals are printed with enough decimals to show their side of
    :data:`analysis.conclusions.ALPHA` and of the null value (:func:`fmt.fmt_p_sided`,
    :func:`fmt.fmt_num_sided`), so a printed number never seems to contradict the verdict beside it.
    A key without a declared kind raises :class:`analysis.kinds.UndeclaredKey`.
    """
    k = kinds.kind(key)
    value = values[key]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or "none"
    if _missing(value):
        return "n/a"
    if k.name == "count":
        return disclosure.count_text(value)
    if k.name == "percent":
        if k.of is not None and disclosure.small(values.get(k.of)):
            return fmt.SUPPRESSED
        return fmt.fmt_num(value, k.decimals or 0) + "%"
    if k.name == "tally":
        return fmt.fmt_int(value)
    if k.name == "p":
        return _p_relation(value)
    if k.name == "df":
        return fmt.fmt_num(value, 0 if float(value).is_integer() else 1)
    if k.name == "r2":
        return fmt.fmt_num(100 * value, 1) + "%"
    if k.name == "option":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if k.name in ("interval", "spread"):
        return _format_like(k.of, value, sided=k.name == "interval")
    return _format_like(key, value, sided=False)


def _p_relation(p) -> str:
    """'=.009', '<.001' or, near alpha, '=.0499' (:func:`fmt.fmt_p_sided`)."""
    from analysis.conclusions import ALPHA

    text = fmt.fmt_p_sided(p, ALPHA)
    return text if text[0] in "<>" or text == "n/a" else "=" + text


def _format_like(estimate: str, value: float, sided: bool) -> str:
    """``value`` printed as the estimate ``estimate`` is (an interval's end ``sided`` off its null)."""
    k = kinds.kind(estimate)
    decimals = 3 if k.decimals is None else k.decimals
    if k.name == "bounded":
        text = fmt.fmt_bounded(value, decimals)
        if sided and float(value) != 0 and text.lstrip(fmt.MINUS) == "." + "0" * decimals:
            text = fmt.fmt_num_sided(value, decimals).replace("0.", ".", 1)
        return text
    if sided:
        return fmt.fmt_num_sided(value, decimals, _NULL.get(estimate, 0.0))
    return fmt.fmt_num(value, decimals)


def format_all(values: dict) -> dict[str, str]:
    """Every key of the manifest formatted (what a chapter glues)."""
    return {key: format_value(key, values) for key in values}
