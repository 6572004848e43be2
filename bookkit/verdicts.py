"""What a page says for each conclusion of :mod:`analysis.conclusions`: the words of every outcome.

The engine decides *which* outcome a conclusion reaches (its rule, as data); this module holds what the
book prints for it, in the book's words: the paper's conclusion (:attr:`Wording.statement`), the chapter
that states it (:attr:`Wording.section`), the words for each outcome (:attr:`Wording.says`: "holds",
"fails", "opposite" and the equivalence refinements, e.g. "holds|inconclusive") and the symbol and unit
of the effect printed beside it. A non-significant result is worded "no evidence of", never as the
absence of the effect; only an equivalence test's judgement can add that an effect is smaller than the
smallest effect of interest. :func:`export` gives the explorable site's script the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.conclusions import BY_ID, Conclusion

NOT_ESTIMABLE = "cannot be assessed on these data (a value is missing)"
#: Refinements of a non-significant result by its equivalence test (appended to the "no evidence" words).
RULES_OUT = ", and an equivalence test rules out {what} as large as the smallest of interest"
DOES_NOT_RULE_OUT = ", but an equivalence test cannot rule out {what} as large as the smallest of interest"


@dataclass(frozen=True)
class Wording:
    """The book's words for one conclusion (see the module docstring)."""

    section: str  # the chapter that states it (docname without book/)
    statement: str  # the paper's conclusion, in this book's words
    says: dict[str, str]  # outcome -> the words a page prints
    effect: str  # the effect size's symbol as the page prints it ("d", "r", "b" ...)
    unit: str = ""  # the unit printed after the effect's value (" percentage points")


def _corr(section, a_label, b_label, sign, cmo="", note=""):
    direction = "positively" if sign > 0 else "negatively"
    noun = "a positive" if sign > 0 else "a negative"
    other = "negatively" if sign > 0 else "positively"
    prefix = f"{cmo}: " if cmo else ""
    return Wording(
        section=section, effect="r",
        statement=f"{prefix}{a_label} is {direction} correlated with {b_label}{note}",
        says={"holds": f"was significantly {direction} correlated with {b_label}",
              "fails": f"showed no evidence of {noun} correlation with {b_label}",
              "opposite": f"was significantly correlated with {b_label}, but {other}"},
    )


def _ttest(label, cmo):
    return Wording(
        section="results/theory-area-1", effect="d",
        statement=f"{cmo}: people who have posted score higher on {label} than people who never have",
        says={"holds": f"scored significantly higher on {label}",
              "fails": f"showed no evidence of scoring higher on {label}",
              "opposite": f"scored significantly lower on {label}"},
    )


def _growth(scale: str, label: str, falls: bool) -> dict[str, Wording]:
    short = label.split(" ")[0]  # GAD-7, PHQ-8
    if falls:
        no_fall = "showed no evidence of a fall over the 12 weeks"
        slope_says = {"holds": "fell significantly over the 12 weeks", "fails": no_fall,
                      "fails|no meaningful effect": no_fall + RULES_OUT.format(what="a change"),
                      "fails|inconclusive": no_fall + DOES_NOT_RULE_OUT.format(what="a change"),
                      "opposite": "rose significantly over the 12 weeks"}
    else:
        no_change = "showed no evidence of a change on average"
        slope_says = {"holds": no_change,
                      "holds|no meaningful effect": no_change + RULES_OUT.format(what="a change"),
                      "holds|inconclusive": no_change + DOES_NOT_RULE_OUT.format(what="a change"),
                      "fails": "changed significantly on average",
                      "fails|negligible effect": "changed significantly on average, but by less than the "
                      "smallest change of interest"}
    start = f"where people started on the {short} predicted how fast their scores changed"
    started = start[0].upper() + start[1:]
    section = "results/growth"
    return {
        f"{scale}_fit": Wording(
            section=section, effect="RMSEA", statement=f"the linear growth model fits the {label} scores",
            says={"holds": f"showed no evidence of misfit to the {short} scores",
                  "fails": f"fitted the {short} scores significantly worse than an unrestricted model"}),
        f"{scale}_slope": Wording(
            section=section, effect="b", says=slope_says,
            statement=f"{label} scores fall over the 12 weeks" if falls else f"{label} scores do not change on "
            "average"),
        f"{scale}_start_change": Wording(
            section=section, effect="covariance",
            statement=f"how high {label} scores start does not predict how fast they change",
            says={"holds": f"There was no evidence that {start}",
                  "holds|no meaningful effect": f"There was no evidence that {start}"
                  + RULES_OUT.format(what="an association"),
                  "holds|inconclusive": f"There was no evidence that {start}"
                  + DOES_NOT_RULE_OUT.format(what="an association"),
                  "fails": started,
                  "fails|negligible effect": started + ", though by less than the smallest association of "
                  "interest"}),
    }


#: The words for the items of theory area 2 (what reading resonant posts is correlated with).
AREA2_LABELS = {
    "help_same": "finding others with similar problems",
    "help_understood": "feeling understood",
    "help_isolated": "feeling less isolated",
    "help_alone": "feeling less alone",
    "safe_3": "feeling like an outsider in the forum",
    "safe_5": "feeling welcome in the forum",
}

WORDS: dict[str, Wording] = {
    "caseness_lower": Wording(
        section="results/caseness", effect="difference", unit=" percentage points",
        statement="forum users are less likely to meet caseness than people completing NHS Talking Therapies",
        says={"holds": "were significantly less likely to meet caseness",
              "fails": "showed no evidence of being less likely to meet caseness",
              "opposite": "were significantly more likely to meet caseness"}),
    **_growth("gad", "GAD-7 (anxiety)", falls=True),
    **_growth("phq", "PHQ-8 (depression)", falls=False),
    "cmo1_help": _corr("results/theory-area-1", "self-efficacy", "how helpful people find the forum", +1,
                       "CMO1"),
    "cmo1_mod": _corr("results/theory-area-1", "self-efficacy", "how supportive people find the moderators", +1,
                      "CMO1"),
    "cmo2_safe": _ttest("psychological safety in the forum", "CMO2"),
    "cmo2_selfeff": _ttest("self-efficacy", "CMO2"),
    **{f"area2_{item}": _corr("results/theory-area-2", "reading posts that resonate", label,
                              BY_ID[f"area2_{item}"].test["sign"],
                              note=" (the direction the paper reports)" if item == "help_alone" else "")
       for item, label in AREA2_LABELS.items()},
}


def wording(conclusion: str | Conclusion) -> Wording:
    """The words of a conclusion (by id or :class:`~analysis.conclusions.Conclusion`)."""
    return WORDS[conclusion if isinstance(conclusion, str) else conclusion.id]


def sentence(conclusion: str | Conclusion, values: dict) -> str:
    """The words a page prints for these results: those of the outcome the rule reaches, or
    :data:`NOT_ESTIMABLE` when the rule cannot decide."""
    c = BY_ID[conclusion] if isinstance(conclusion, str) else conclusion
    outcome = c.outcome(values)
    return NOT_ESTIMABLE if outcome is None else wording(c).says[outcome]


def sentences(conclusion: str | Conclusion) -> tuple[str, ...]:
    """Every sentence this conclusion can print (its rule picks one)."""
    return tuple(wording(conclusion).says.values())


def statement(conclusion: str | Conclusion) -> str:
    """The paper's conclusion in the book's words."""
    return wording(conclusion).statement


def section(conclusion: str | Conclusion) -> str:
    """The chapter (docname without ``book/``) that states the conclusion."""
    return wording(conclusion).section


def export() -> dict:
    """Every conclusion's rule (as data, :meth:`~analysis.conclusions.Conclusion.export`) and words, for
    the explorable site's script: ``{id: {**rule, "says": {...}, "not_estimable": ...}}``."""
    return {cid: {**c.export(), "says": dict(WORDS[cid].says), "not_estimable": NOT_ESTIMABLE}
            for cid, c in BY_ID.items()}
