"""Number formatting as the book prints it (the paper's conventions, APA style).

Conventions:

* a true minus sign (U+2212), never a hyphen, and no negative zero ("−0.00" prints as "0.00");
* 'n/a' for a missing value (None or NaN);
* P values as APA prints them: '<.001', else three decimals without the leading zero;
* statistics bounded by 1 in absolute value (Pearson r, Cramér's V, Cronbach's alpha) without the
  leading zero: '.414', '−.071';
* counts as integers with a thousands separator ('80,915', never '791.0');
* one symbol, :data:`SUPPRESSED`, for every cell withheld by disclosure control (a typed
  :class:`analysis.disclosure.Withheld` marker, never text parsed back), explained by
  :func:`suppressed_note`.

How a results key is printed is decided by its declared kind (:mod:`analysis.kinds`) through a
*format spec*, a small JSON-able dict (:func:`spec`), applied by :func:`apply`. The spec is data so
that the explorable site's script formats a value of any analysis by the same rules
(``book/_static/ipof-explore.js`` implements :func:`apply` function by function; a browser test checks
that both agree on every key of every analysis). :func:`format_value` is ``apply(spec(key), ...)``.
"""

from __future__ import annotations

import math
import numbers
import re

from analysis import disclosure, kinds

MINUS = "\u2212"

#: The one symbol every withheld or suppressed cell is shown as (explained in a table note).
SUPPRESSED = "\u2020"  # dagger



def is_missing(x) -> bool:
    """None, NaN or pandas' NA/NaT (not a withheld marker)."""
    if x is None:
        return True
    if isinstance(x, str) or is_suppressed(x):
        return False
    try:
        return bool(x != x)  # NaN, NaT and pd.NA compare unequal to themselves
    except TypeError:  # pd.NA raises on bool()
        return True


def _no_negative_zero(text: str) -> str:
    """'-0.00' -> '0.00' (a value that rounds to zero has no sign)."""
    return text[1:] if text.startswith("-") and not re.search(r"[1-9]", text) else text


def fmt_num(x, decimals: int) -> str:
    """A number with fixed decimals and a true minus sign; 'n/a' for a missing value."""
    if is_missing(x):
        return "n/a"
    return _no_negative_zero(f"{float(x):.{decimals}f}").replace("-", MINUS)


def fmt_p(p) -> str:
    """A P value as the paper prints it (APA): '<.001', else three decimals without the leading zero.

    A value that would round to 1.000 prints as '>.999' (a P value is never exactly 1 in APA style).
    """
    if is_missing(p):
        return "n/a"
    p = float(p)
    if not 0 <= p <= 1:
        raise ValueError(f"not a P value: {p}")
    if p < 0.001:
        return "<.001"
    text = f"{p:.3f}"
    return ">.999" if text == "1.000" else text.lstrip("0")


def fmt_p_sided(p, alpha: float = 0.05, max_decimals: int = 6) -> str:
    """A P value as :func:`fmt_p`, with more decimals where three would hide its side of ``alpha``.

    Rule: when P printed at three decimals equals ``alpha`` or lies on the other side of it (P = .04996
    prints ".050", which reads as not significant), decimals are added, up to ``max_decimals``, until
    the printed value is strictly on P's own side (".04996"); a P exactly at ``alpha`` prints as is.
    """
    text = fmt_p(p)
    if text in ("n/a", "<.001", ">.999") or float(p) == alpha:
        return text
    below = float(p) < alpha
    decimals = 3
    while decimals < max_decimals and (float(text) == alpha or (float(text) < alpha) != below):
        decimals += 1
        text = f"{float(p):.{decimals}f}".lstrip("0")
    return text


def fmt_num_sided(x, decimals: int, null: float = 0.0, max_decimals: int = 6) -> str:
    """:func:`fmt_num`, with more decimals where ``decimals`` would print a value different from
    ``null`` (an interval's end) as ``null`` or with the other sign: −0.00043 prints "−0.0004", not
    "0.000", so an interval never seems to touch the null value it excludes."""
    if is_missing(x):
        return "n/a"
    x = float(x)
    shown = decimals
    while shown < max_decimals and x != null and round(x, shown) == null:
        shown += 1
    return fmt_num(x, shown)


def fmt_p_relation(p) -> str:
    """A P value with its relation sign, for prose: '<.001' or '=.009' (write "P" right before it)."""
    text = fmt_p(p)
    return text if text[0] in "<>" or text == "n/a" else "=" + text


def fmt_bounded(x, decimals: int = 3) -> str:
    """A statistic bounded by 1 in absolute value (r, Cramér's V, alpha) without the leading zero.

    APA: '.414', '−.071'; a value of exactly ±1 keeps its integer digit ('1.000').
    """
    if is_missing(x):
        return "n/a"
    x = float(x)
    if abs(x) > 1 + 1e-9:
        raise ValueError(f"{x} is not bounded by 1; use fmt_num")
    text = _no_negative_zero(f"{x:.{decimals}f}")
    text = re.sub(r"^(-?)0\.", r"\1.", text)
    return text.replace("-", MINUS)


def fmt_int(n) -> str:
    """A count: an integer with a thousands separator ('80,915'; 791.0 prints as '791').

    A value with a fractional part is an error, not a count.
    """
    if is_missing(n):
        return "n/a"
    if isinstance(n, bool):
        raise TypeError("a boolean is not a count; use fmt_bool")
    if not isinstance(n, numbers.Integral):
        value = float(n)
        if not value.is_integer():
            raise ValueError(f"{n} is not a whole number")
        n = int(value)
    return f"{int(n):,}".replace("-", MINUS)


def fmt_bool(x) -> str:
    """'Yes' or 'No' (never True/False); 'n/a' for missing. Accepts bools, 0/1 and 'true'/'false'."""
    if is_missing(x):
        return "n/a"
    if isinstance(x, str):
        lowered = x.strip().lower()
        if lowered in {"true", "yes", "1"}:
            return "Yes"
        if lowered in {"false", "no", "0"}:
            return "No"
        raise ValueError(f"not a yes/no value: {x!r}")
    return "Yes" if bool(x) else "No"


def suppression_kind(x) -> str | None:
    """Why a cell is withheld (its :class:`analysis.disclosure.Withheld` reason), or None when it is not
    withheld."""
    from analysis.disclosure import Withheld

    return x.reason if isinstance(x, Withheld) else None


def is_suppressed(x) -> bool:
    """True for a cell disclosure control withheld (an :class:`analysis.disclosure.Withheld`)."""
    return suppression_kind(x) is not None


def suppressed_note(kinds, min_cell: int | None = None, min_group: int | None = None) -> str:
    """The footnote that explains :data:`SUPPRESSED` for the kinds of withheld cells a table holds.

    Thresholds default to the project's disclosure settings (``pyproject.toml``).
    """
    if min_cell is None or min_group is None:
        from analysis.disclosure import settings

        found = settings()
        min_cell = found["min_cell"] if min_cell is None else min_cell
        min_group = found["min_group"] if min_group is None else min_group
    reasons = {
        "small_count": f"a count of fewer than {min_cell} respondents",
        "secondary": "a cell hidden so that a small count cannot be worked out from a total",
        "small_group": f"a statistic of fewer than {min_group} respondents",
    }
    chosen = [reasons[k] for k in reasons if k in set(kinds)] or [reasons["small_count"]]
    return f"{SUPPRESSED} Withheld (disclosure control): " + "; ".join(chosen) + "."


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_QUOTED = re.compile(r'("[^"]*"|\u201c[^\u201d]*\u201d)')


def _apa_p(match) -> str:
    relation, value = match.group(1) or "=", float(match.group(2))
    shown = fmt_p(value)
    if shown.startswith("<"):
        return f"P{shown}"
    return f"P{relation}{shown}"


def _typeset_plain(text: str, italic: bool) -> str:
    def sym(s):
        return f"*{s}*" if italic else s

    text = re.sub(r"\bchi-square\((\d+)\)", lambda m: "χ²" + m.group(1).translate(_SUBSCRIPT), text)
    text = re.sub(r"\bchi-square\b|\bchi2\b", "χ²", text)
    text = re.sub(r"\b([tF])\((\d+)\)", lambda m: sym(m.group(1)) + m.group(2).translate(_SUBSCRIPT), text)
    text = re.sub(r"\b[pP] ?(=|<)? ?(0?\.\d+)", _apa_p, text)
    text = re.sub(r"\bsqrt\(", "√(", text)
    text = re.sub(r"(?<![\w.)\]\-\u2212])-(?=\.?\d)", "\u2212", text)  # a negative number: true minus
    text = re.sub(r"(?<=\d) - (?=[a-z\d])", " \u2212 ", text)  # "6 - x"
    text = re.sub(r"(?<=\d)x(?=\d)", "×", text)  # "2x2"
    return text.replace(">=", "≥").replace("<=", "≤")


def typeset(text, italic: bool = False) -> str:
    """Text as JMIR sets it, outside quotations (the paper's words stay as printed): χ² and χ²₁ for
    "chi-square(1)", P values in APA style ("p 0.0000" -> "P<.001", "p 0.0833" -> "P=.083"), true minus,
    ≥ and ≤, × in "2x2", "6 − x"; with ``italic`` (markdown), *t* and *F* of "t(789)" in italics."""
    if not isinstance(text, str) or not text:
        return text
    parts = _QUOTED.split(text)
    return "".join(p if i % 2 else _typeset_plain(p, italic) for i, p in enumerate(parts))


# ---------------------------------------------------------------------------------------------------
# Results keys: the format spec of each key, by its declared kind

#: The value an interval's end is compared with (0 unless a ratio's null is 1).
_NULL = {"caseness_odds_ratio": 1.0}


def from_survey(key: str) -> bool:
    """A key whose value the survey data determine (not an option, provenance or a published NHS figure)."""
    return kinds.kind(key).from_survey


def is_respondent_count(key: str) -> bool:
    """A key whose value counts survey respondents (subject to disclosure control), by its declared kind."""
    return kinds.kind(key).respondents


def _like(estimate: str, sided: bool) -> dict:
    """The spec of a value printed as the estimate ``estimate`` is (an interval's end ``sided`` off its null)."""
    k = kinds.kind(estimate)
    decimals = 3 if k.decimals is None else k.decimals
    if k.name == "bounded":
        return {"as": "bounded", "d": decimals, "sided": sided}
    return {"as": "num", "d": decimals, "sided": sided, "null": _NULL.get(estimate, 0.0)}


def spec(key: str) -> dict:
    """The format spec of a results key, from its declared kind (:mod:`analysis.kinds`).

    ``{"as": "count"}`` (respondents: disclosure control), ``{"as": "percent", "d": decimals, "of": count
    key}``, ``{"as": "int"}`` (a tally), ``{"as": "p"}``, ``{"as": "df"}``, ``{"as": "r2"}``,
    ``{"as": "option"}``, ``{"as": "text"}`` (provenance, labels, flags, notes), ``{"as": "num", "d",
    "sided", "null"}`` and ``{"as": "bounded", "d", "sided"}`` (estimates, statistics, interval ends and
    spreads, printed like their estimate). A key without a declared kind raises
    :class:`analysis.kinds.UndeclaredKey`.
    """
    k = kinds.kind(key)
    if k.name == "count":
        return {"as": "count"}
    if k.name == "percent":
        return {"as": "percent", "d": k.decimals or 0, "of": k.of}
    simple = {"tally": "int", "p": "p", "df": "df", "r2": "r2", "option": "option"}
    if k.name in simple:
        return {"as": simple[k.name]}
    if k.name in ("provenance", "label", "flag", "notes"):
        return {"as": "text"}
    if k.name in ("interval", "spread"):
        return _like(k.of, sided=k.name == "interval")
    return _like(key, sided=False)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def apply(rule: dict, value, values: dict | None = None) -> str:
    """The text a page shows for ``value`` under the format spec ``rule`` (:func:`spec`).

    By the value first: missing -> 'n/a', a boolean -> 'Yes'/'No', a string as is, a list joined by
    '; ' ('none' when empty), a withheld marker -> '<8' for a count and :data:`SUPPRESSED` otherwise.
    Then by the spec: a respondent count from 1 to min_cell - 1 prints '<8'; a percentage whose count
    (``values[rule["of"]]``) is small or withheld prints :data:`SUPPRESSED`; P values and interval ends
    are printed with enough decimals to show their side of :data:`analysis.conclusions.ALPHA` and of the
    null value (:func:`fmt_p_sided`, :func:`fmt_num_sided`).
    """
    values = values or {}
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or "none"
    if is_suppressed(value):
        return str(disclosure.SMALL_COUNT) if rule["as"] == "count" else SUPPRESSED
    if _missing(value):
        return "n/a"
    kind = rule["as"]
    if kind == "count":
        return str(disclosure.SMALL_COUNT) if disclosure.small(value) else fmt_int(value)
    if kind == "percent":
        of = values.get(rule["of"]) if rule.get("of") else None
        if of is not None and (is_suppressed(of) or disclosure.small(of)):
            return SUPPRESSED
        return fmt_num(value, rule["d"]) + "%"
    if kind == "int":
        return fmt_int(value)
    if kind == "p":
        return _p_relation(value)
    if kind == "df":
        return fmt_num(value, 0 if float(value).is_integer() else 1)
    if kind == "r2":
        return fmt_num(100 * value, 1) + "%"
    if kind == "option":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if kind == "text":
        return str(value)
    if kind == "bounded":
        text = fmt_bounded(value, rule["d"])
        if rule["sided"] and float(value) != 0 and text.lstrip(MINUS) == "." + "0" * rule["d"]:
            text = fmt_num_sided(value, rule["d"]).replace("0.", ".", 1)
        return text
    if kind == "num":
        return fmt_num_sided(value, rule["d"], rule["null"]) if rule["sided"] else fmt_num(value, rule["d"])
    raise ValueError(f"unknown format spec {rule!r}")


def _p_relation(p) -> str:
    """'=.009', '<.001' or, near alpha, '=.0499' (:func:`fmt_p_sided`)."""
    from analysis.conclusions import ALPHA

    text = fmt_p_sided(p, ALPHA)
    return text if text[0] in "<>" or text == "n/a" else "=" + text


def format_value(key: str, values: dict) -> str:
    """The text a page shows for ``values[key]``: :func:`apply` of the key's :func:`spec`."""
    return apply(spec(key), values[key], values)


def format_all(values: dict) -> dict[str, str]:
    """Every key of the manifest formatted (what a chapter glues)."""
    return {key: format_value(key, values) for key in values}
