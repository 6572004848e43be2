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
