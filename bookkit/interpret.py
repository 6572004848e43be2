"""How a page reads a test: the verdict sentence with its effect size, interval and P, and size words.

Every sentence the book prints about a test comes from :func:`verdict_text`: the words the conclusion's
rule chooses (:func:`bookkit.verdicts.sentence`) followed by the effect size, its 95%
interval and P in APA style (:func:`effect_text`), so no verdict is ever shown without its interval, and
a "no evidence" verdict shows how large an effect the interval still allows. Numbers are formatted by
:func:`bookkit.fmt.format_value`, the same as everywhere else.
"""

from __future__ import annotations

from analysis import growth_mi as _growth
from analysis.conclusions import BY_ID, Conclusion

from . import fmt, verdicts


def effect_segments(conclusion: Conclusion, text_of) -> list[tuple[str, str | None]]:
    """The effect size, its 95% interval and P of a conclusion as (text, results key or None) segments, in
    APA style: 'd = 0.199, 95% CI [0.051, 0.347], P=.009', plus '; equivalence bound ±0.550, P=.002' where
    the conclusion has an equivalence test. ``text_of(key)`` gives a key's printed value (None: not shown).
    Pages turn the keyed segments into numbers that link to the reproduction report and carry its marks."""
    c = conclusion
    low, high = c.interval
    words = verdicts.wording(c)
    segments = [(f"{words.effect} = ", None), (text_of(c.key) or "n/a", c.key), (f"{words.unit}, 95% CI [", None),
                (text_of(low) or "n/a", low), (", ", None), (text_of(high) or "n/a", high), ("], P", None),
                (text_of(c.p) or "n/a", c.p)]
    if c.judgement and text_of(c.sesoi) not in (None, "n/a"):
        segments += [("; equivalence bound ±", None), (text_of(c.sesoi), c.sesoi), (", P", None),
                     (text_of(c.p_equivalence) or "n/a", c.p_equivalence)]
    return segments


def effect_text(conclusion: Conclusion, values: dict) -> str:
    """:func:`effect_segments` as plain text, numbers formatted by :func:`bookkit.fmt.format_value`."""
    text_of = lambda key: fmt.format_value(key, values) if key in values else None  # noqa: E731
    return "".join(text for text, _ in effect_segments(conclusion, text_of))


def verdict_text(conclusion_id: str, values: dict) -> str:
    """The sentence conclusion ``conclusion_id`` chooses for ``values``, with its effect in parentheses."""
    c = BY_ID[conclusion_id]
    if c.outcome(values) is None:
        return verdicts.sentence(c, values)
    return f"{verdicts.sentence(c, values)} ({effect_text(c, values)})"


#: Cohen's (1988) bands for a standardised difference, d between two means or h between two
#: arcsine-transformed proportions: below 0.2 negligible, below 0.5 small, below 0.8 medium, else large.
COHEN_BANDS = ((0.2, "a negligible"), (0.5, "a small"), (0.8, "a medium"), (float("inf"), "a large"))


def cohen_size(x: float) -> str:
    """The size of a standardised difference (Cohen's d or h) in :data:`COHEN_BANDS` ('a medium')."""
    return next(word for bound, word in COHEN_BANDS if abs(x) < bound)


#: How the methods text describes each level of a choice (:data:`analysis.options.CHOICES`), so that a
#: page's methods paragraph says what was run with the chapter's parameters, not what the paper ran.
METHOD_WORDS: dict[str, dict] = {
    "growth_missing": {
        "fiml": "full-information maximum likelihood, so that respondents who missed later waves still "
        "contribute",
        "listwise": "maximum likelihood on the respondents with all three waves only (listwise deletion)",
        "mi": f"multiple imputation of the missing waves ({_growth.MI_M} imputations by chained equations, "
        "pooled by Rubin's rules)",
        "delta": "multiple imputation with the imputed later-wave totals of those who dropped out raised by "
        f"{_growth.MI_DELTA:g} points (a not-at-random sensitivity analysis)",
    },
    "growth_information": {"observed": "the observed information", "expected": "the expected information"},
    "yates": {False: "without continuity correction", True: "with Yates' continuity correction"},
    "tails": {2: "two-tailed", 1: "one-tailed (posters higher)"},
    "ttest": {
        "levene": "Student's t, or Welch's t where Levene's test (centred on the mean) rejects equal variances",
        "student": "Student's t for every comparison",
        "welch": "Welch's t for every comparison",
        "brunner_munzel": "the rank-based Brunner-Munzel test for every comparison",
    },
    "scoring": {
        "half": "the mean of the answered items when at least half are answered",
        "complete": "the mean of the items, only for respondents who answered all of them",
    },
    "grouping": {"ever_posted": "had ever posted", "posted_6wk": "had posted in the last 6 weeks"},
    "sesoi": {0.2: "0.2 standard deviations (Cohen's small effect)",
              0.5: "0.5 standard deviations (half an SD, the usual minimal important difference)"},
    "multiplicity": {
        "none": "without correction for multiple comparisons",
        "holm": "with Holm's correction for multiple comparisons within each family of tests",
        "fdr_bh": "with the Benjamini-Hochberg false discovery rate correction within each family of tests",
    },
    "correlation": {"pearson": "Pearson's r", "spearman": "Spearman's rank correlation (rho)"},
    "adjust": {
        "none": "unadjusted",
        "age_gender": "adjusted for age band and gender (OLS regression, the posting coefficient as the effect)",
    },
    "caseness_cutoffs": {
        "nhs": "NHS Talking Therapies caseness (GAD-7 of 8 or more, or PHQ-8 of 10 or more)",
        "gad10_phq10": "the screening cut-offs of 10 or more on the GAD-7 or the PHQ-8",
    },
    "growth_residuals": {"free": "a residual variance free at each wave",
                         "equal": "one residual variance shared by the three waves"},
}


def method_words(values: dict) -> dict[str, str]:
    """``method_{choice}`` -> the words of :data:`METHOD_WORDS` for the choices in ``values``."""
    return {f"method_{name}": words[values[name]] for name, words in METHOD_WORDS.items() if name in values}
