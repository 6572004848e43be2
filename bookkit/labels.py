"""One label per survey variable, read from the codebook (``data/codebook.yaml``), for every place a
reader looks: table cells, figure axes, legends.

- a derived score: its codebook ``label`` ("Mental health self-efficacy");
- an item the paper quotes (``wording_source: paper``): the paper's item name, in quotation marks;
- an item the survey data contract describes: that description ("How the forum helps: I feel understood");
- anything else (no wording is published): a plain name (:data:`PLAIN`), never the column name itself.

:func:`category` gives an answer's label ("non_binary" -> "Non-binary", "16-24" -> "16–24").
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Labels of variables whose wording is not published (the codebook gives no text to read).
PLAIN = {
    "forum": "Forum",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "age_group": "Age group",
    "sexuality": "Sexuality",
    "reason_self": "Came for help for themselves",
    "reason_someone_else": "Came for help for someone else",
    "reason_help_others": "Came intending to help others",
    "use_duration": "Time using the forum",
    "use_frequency": "How often they use it",
    "responded_or_liked_6wk": "Responded to or liked a post in the last 6 weeks",
    "posted_6wk": "Posted in the last 6 weeks",
    "ever_posted": "Has ever posted",
    "gad_total": "GAD-7 total",
    "phq_total": "PHQ-8 total",
    "gad": "GAD-7",
    "phq": "PHQ-8",
}
_ITEM = re.compile(r"^(selfeff|mod|safe|gad|phq)_(\d+)$")
_ITEM_SCALE = {"selfeff": "Self-efficacy", "mod": "Moderator support", "safe": "Psychological safety",
               "gad": "GAD-7", "phq": "PHQ-8"}
_CATEGORIES = {"non_binary": "Non-binary", "prefer_not_to_say": "Prefer not to say", "gay_or_lesbian": "Gay or lesbian",
               "yes": "Yes", "no": "No"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def _codebook() -> dict[str, tuple[str, str]]:
    """Variable name -> (text, source) from the codebook: derived labels, then column wordings."""
    from analysis import codebook

    book = codebook.load()
    found: dict[str, tuple[str, str]] = {}
    for d in book.derived:
        if d.label:
            found[d.name] = (d.label, "derived")
    for col in (*book.columns, *book.wave_items):
        found.setdefault(col.name, (col.wording, col.wording_source))
    return found


def label(name: str) -> str:
    """The reader's label of variable ``name`` (see the module's docstring)."""
    name = str(name)
    text, source = _codebook().get(name, ("", "unpublished"))
    if source == "paper":
        return f"\u201c{text}\u201d"
    if source == "derived":
        return _capital(text)
    if name in PLAIN:
        return PLAIN[name]
    if source == "contract":
        return _capital(text)
    item = _ITEM.match(name)
    if item:
        return f"{_ITEM_SCALE[item.group(1)]} item {item.group(2)}"
    return _capital(name.replace("_", " "))


def short(name: str) -> str:
    """A short label for a figure axis: the label without the codebook's parenthesised qualifier."""
    return re.sub(r"\s*\([^)]*\)$", "", label(name))


def category(value) -> str:
    """An answer as a reader reads it: 'non_binary' -> 'Non-binary', '1_to_4_weeks' -> '1 to 4 weeks',
    '16-24' -> '16–24' (en dash)."""
    text = str(value)
    if text in _CATEGORIES:
        return _CATEGORIES[text]
    text = re.sub(r"(?<=\d)-(?=\d)", "\u2013", text.replace("_", " "))
    return _capital(text)


#: Short names of the analytic choices (:data:`analysis.options.CHOICES`) for tables and figure labels.
CHOICES = {
    "exclusion_minutes": "Speed exclusion",
    "yates": "Yates' correction",
    "growth_missing": "Missing waves",
    "growth_information": "Growth SEs",
    "ttest": "t test",
    "tails": "t-test P",
    "scoring": "Subscale scores",
    "grouping": "Posters",
    "sesoi": "Smallest effect of interest",
    "multiplicity": "Multiplicity correction",
    "correlation": "Correlation",
    "adjust": "Adjusted for age, gender",
    "caseness_cutoffs": "Caseness cut-offs",
    "growth_residuals": "Residual variances",
}

#: Each level of each choice in words (the levels themselves are what the command line takes).
LEVELS: dict[str, dict] = {
    "exclusion_minutes": {},  # a number of minutes: see level()
    "yates": {False: "no", True: "yes"},
    "growth_missing": {"fiml": "FIML", "listwise": "complete cases", "mi": "imputed",
                       "delta": "imputed, not at random"},
    "growth_information": {"observed": "observed", "expected": "expected"},
    "ttest": {"levene": "Levene's rule", "student": "Student's", "welch": "Welch's",
              "brunner_munzel": "Brunner\u2013Munzel"},
    "tails": {2: "two-tailed", 1: "one-tailed"},
    "scoring": {"half": "half the items", "complete": "all items"},
    "grouping": {"ever_posted": "ever posted", "posted_6wk": "posted in 6 weeks"},
    "sesoi": {},  # a number of SDs: see level()
    "multiplicity": {"none": "none", "holm": "Holm", "fdr_bh": "Benjamini\u2013Hochberg"},
    "correlation": {"pearson": "Pearson", "spearman": "Spearman"},
    "adjust": {"none": "no", "age_gender": "yes"},
    "caseness_cutoffs": {"nhs": "NHS (GAD-7 \u2265 8)", "gad10_phq10": "screening (GAD-7 \u2265 10)"},
    "growth_residuals": {"free": "free", "equal": "equal"},
}


def choice(name: str) -> str:
    """An analytic choice's name in words ("Yates' correction"); an unknown one without underscores."""
    return CHOICES.get(name, _capital(name.replace("_", " ")))


def level(name: str, value) -> str:
    """One level of choice ``name`` in words: 'yes', 'Welch's', '5 min', '0.2 SD'."""
    if name == "exclusion_minutes":
        return f"{float(value):g} min"
    if name == "sesoi":
        return f"{float(value):g} SD"
    for known, words in LEVELS.get(name, {}).items():
        if known == value and type(known) is type(value):  # True is not the tails' 1
            return words
    return category(value)


def choice_level(name: str, value) -> str:
    """A choice and its level, as a figure labels one row of a choice matrix: "Yates' correction: no"."""
    return f"{choice(name)}: {level(name, value)}"


#: The scales of the growth models, by the prefix of their results keys.
_SCALES = {"gad": "GAD-7", "phq": "PHQ-8"}


def effect(conclusion) -> str:
    """What a conclusion's estimate (its results key, printed with the symbol of its
    :class:`bookkit.verdicts.Wording`) measures, in words for a figure's axis: "Correlation coefficient r",
    "GAD-7 slope (points per 6 weeks)"."""
    from .verdicts import wording

    words_of = wording(conclusion)
    symbol, key, unit = words_of.effect, conclusion.key, words_of.unit.strip()
    scale = _SCALES.get(key.split("_")[0], "")
    words = {
        "r": "Correlation coefficient r",
        "d": "Standardised difference d\n(posters minus never-posters)",
        "b": f"{scale} slope\n(points per 6 weeks)",
        "RMSEA": f"{scale} model misfit (RMSEA)",
        "covariance": f"{scale} start\u2013change covariance",
        "difference": "Caseness, survey minus NHS",
    }.get(symbol, symbol)
    return f"{words}\n({unit})" if unit else words
