"""Words that interpret a number, each chosen by a rule stated beside it.

Every adjective a page prints about a share or a direction comes from here (or, for the paper's
conclusions, from :mod:`analysis.conclusions`), so no sentence can contradict its own numbers.
"""

from __future__ import annotations


def share(n: int, total: int, noun: str = "respondents") -> str:
    """The subject of a clause about a share of respondents, capitalised for the start of a sentence.

    Rule: more than half -> "Most respondents"; exactly half -> "Half the respondents"; at least a
    quarter -> "A minority of respondents"; above zero -> "A small minority of respondents"; zero ->
    "No respondents".
    """
    ratio = n / total if total else 0.0
    for op, bound, words in SHARE_BANDS:
        if _COMPARE[op](ratio, bound):
            return words.format(noun=noun)
    return f"No {noun}"


def direction(x: float, up: str = "rise", down: str = "fall", flat: str = "no change") -> str:
    """The sign of ``x`` as a word: positive -> ``up``, negative -> ``down``, zero -> ``flat``."""
    return up if x > 0 else down if x < 0 else flat


def comparison(a: float, b: float, more: str = "more", less: str = "less") -> str:
    """``more`` when a > b, ``less`` when a < b, 'as' when equal."""
    return more if a > b else less if a < b else "as"


def multiverse_note(conclusion_id: str, doc: dict, values: dict | None = None) -> str:
    """'holds in 11 of 16 distinct analyses (69%, 2 within .005 of α)' for one conclusion of a multiverse
    document: counted over distinct analyses (combinations of the choices its rule reads), not over
    specifications that are copies of one another. With the results ``values`` of the book's data,
    followed by :func:`bookkit.twin_notes.note` (on the twin only, when it does not encode the
    conclusion's relation)."""
    from analysis.multiverse import KNIFE_EDGE_BAND

    from .fmt import fmt_p
    from .twin_notes import with_note

    entry = next(c for c in doc["conclusions"] if c["id"] == conclusion_id)
    if entry["holds_in"] is None:
        text = "cannot be assessed in any of the analyses of the multiverse"
    else:
        n = entry["n_distinct"]
        held = round(entry["holds_in"] * n)
        edge = f", {entry['knife_edge']} within {fmt_p(KNIFE_EDGE_BAND)} of α" if entry["knife_edge"] else ""
        text = f"holds in {held} of {n} distinct analyses ({100 * entry['holds_in']:.0f}%{edge})"
    return text if values is None else with_note(text, conclusion_id, values)


#: The share rule of :func:`share`, as a page states it.
SHARE_CONVENTION = (
    "shares are put into words by a fixed rule: more than half is “most”, exactly half “half”, a quarter "
    "up to half “a minority”, less than a quarter “a small minority”"
)


def half(n: float, total: float) -> str:
    """A count against half its total, for the start of a clause.

    Rule: n / total below 1/2 -> "fewer than half"; exactly 1/2 -> "half"; above -> "more than half"
    (an empty total gives "none").
    """
    if not total:
        return "none"
    ratio = n / total
    return "fewer than half" if ratio < 0.5 else "half" if ratio == 0.5 else "more than half"


def chi2_se(chi2: float, df: float) -> float:
    """Large-sample standard error of a chi-square statistic: sqrt(2 (df + 2 lambda)), with the
    non-centrality lambda estimated as max(chi2 - df, 0) (the variance of a non-central chi-square)."""
    import math

    return math.sqrt(2 * (df + 2 * max(chi2 - df, 0.0)))


#: A shift of a statistic smaller than this many of its standard errors is called "little".
SHIFT_LITTLE_SE = 0.5


def shift(base: float, variant: float, se: float | None = None, decimals: int | None = None,
          name: str = "the statistic") -> str:
    """How far an analytic choice moves a statistic (``name``), in words that state their own rule.

    Rule: when the two values print the same at ``decimals`` -> "does not move NAME at its printed
    precision"; else, with a standard error ``se`` of the statistic, a shift below
    :data:`SHIFT_LITTLE_SE` standard errors -> "moves NAME little", otherwise "moves NAME substantially",
    each followed by the shift in standard errors and the threshold; with neither, the plain shift.
    """
    if decimals is not None and round(base, decimals) == round(variant, decimals):
        return f"does not move {name} at its printed precision"
    delta = abs(variant - base)
    if se:
        k = delta / se
        word = "little" if k < SHIFT_LITTLE_SE else "substantially"
        return (f"moves {name} {word}, by {k:.2f} of its standard error (this book calls a shift under "
                f"{SHIFT_LITTLE_SE:g} standard errors little)")
    return f"moves {name} by {delta:.3g}"


def _ratio_spec(spec: str, values: dict) -> tuple[float, float]:
    num, den = spec.split("/", 1)
    return float(values[num]), float(sum(values[k] for k in den.split("+")))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


#: The rule-chosen phrases a page can print with ``{words}`SPEC``` or :func:`bookkit.chapter.glue_words`
#: (see :func:`phrase`).
PHRASES = {
    "share": "words.share of NUM / DEN (+ more keys), optional noun after a second colon",
    "half": "words.half of NUM / DEN",
    "cohen": "interpret.cohen_size of KEY (Cohen's bands: 'a negligible' ... 'a large')",
    "convention": "the stated rule of a phrase family (share)",
}

#: The bands of :func:`share` as data, checked in order: (comparison of the ratio, bound, words); a ratio
#: none matches (zero) is "No {noun}". The explorable site's script applies the same data.
SHARE_BANDS = ((">", 0.5, "Most {noun}"), ("==", 0.5, "Half the {noun}"), (">=", 0.25, "A minority of {noun}"),
               (">", 0.0, "A small minority of {noun}"))
_COMPARE = {">": lambda a, b: a > b, "==": lambda a, b: a == b, ">=": lambda a, b: a >= b}


#: The interpretive words chapters glue (``{glue:text}`NAME```), by glue name, with the :func:`phrase`
#: spec that chooses them; :func:`bookkit.chapter.setup` glues every one, and the page marks each with its
#: spec so the explorable site re-chooses it for the reader's analysis.
GLUED: dict[str, str] = {
    **{f"{k}_share": f"Share:{k}/n_t1" for k in (
        "n_female", "n_white", "n_reason_self", "n_reason_someone_else", "n_reason_help_others",
        "n_use_over_1_month", "n_use_1_year_plus", "n_use_daily")},
    **{f"{k}_share_lc": f"share:{k}/n_t1" for k in (
        "n_white", "n_reason_someone_else", "n_reason_help_others", "n_use_1_year_plus", "n_use_daily")},
    "caseness_h_size": "cohen:caseness_cohens_h",
}


def export() -> dict:
    """The rules of :func:`phrase` as data for the explorable site's script (which mirrors
    :func:`phrase`): the share bands, the Cohen bands and the stated share convention."""
    from .interpret import COHEN_BANDS

    return {"share": [list(b) for b in SHARE_BANDS], "share_none": "No {noun}",
            "cohen": [[bound if bound != float("inf") else None, word] for bound, word in COHEN_BANDS],
            "convention_share": SHARE_CONVENTION}


def phrase(spec: str, values: dict) -> str:
    """The words ``{words}`SPEC``` prints, chosen by the results ``values``.

    ``share:NUM/DEN[+DEN2...][:noun]`` -> :func:`share` (lower case; ``Share:`` capitalised);
    ``half:NUM/DEN`` -> :func:`half` (``Half:`` capitalised); ``cohen:KEY`` -> the size of a standardised
    difference by Cohen's bands (:func:`bookkit.interpret.cohen_size`); ``convention:share`` -> the share rule.
    """
    kind, _, rest = spec.partition(":")
    if kind.lower() == "convention":
        if rest != "share":
            raise ValueError(f"unknown convention {rest!r}")
        text = SHARE_CONVENTION
    elif kind.lower() == "share":
        ratio, _, noun = rest.partition(":")
        n, total = _ratio_spec(ratio, values)
        text = share(n, total, noun or "respondents")
        text = text[:1].lower() + text[1:]
    elif kind.lower() == "half":
        text = half(*_ratio_spec(rest, values))
    elif kind.lower() == "cohen":
        from .interpret import cohen_size

        text = cohen_size(float(values[rest]))
    else:
        raise ValueError(f"unknown phrase {kind!r} (known: {', '.join(PHRASES)})")
    return _capital(text) if kind[:1].isupper() else text
