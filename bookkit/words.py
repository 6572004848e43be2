"""Words that interpret a number, each chosen by a rule stated beside it.

Every adjective a page prints about a share or a direction comes from here (or, for the paper's
conclusions, from :mod:`analysis.conclusions`), so no sentence can contradict its own numbers.
"""

from __future__ import annotations


def share(n: int, total: int, start: bool = True) -> str:
    """How to introduce a share of respondents ("... respondents were female"), capitalised for the start
    of a sentence, or with ``start=False`` in lower case for the middle of one.

    Rule: more than half -> "Most"; exactly half -> "Half of the"; at least a quarter -> "A minority
    of"; under a quarter -> "A small minority of"; a total of 0 -> "None of the".
    """
    if not total:
        words = "None of the"
    elif n / total > 0.5:
        words = "Most"
    elif n / total == 0.5:
        words = "Half of the"
    else:
        words = "A minority of" if n / total >= 0.25 else "A small minority of"
    return words if start else words[0].lower() + words[1:]


def direction(x: float, up: str = "rise", down: str = "fall", flat: str = "no change") -> str:
    """The sign of ``x`` as a word: positive -> ``up``, negative -> ``down``, zero -> ``flat``."""
    return up if x > 0 else down if x < 0 else flat


def comparison(a: float, b: float, more: str = "more", less: str = "less") -> str:
    """``more`` when a > b, ``less`` when a < b, 'as' when equal."""
    return more if a > b else less if a < b else "as"


def multiverse_note(conclusion_id: str, doc: dict) -> str:
    """'holds in 94% of 768 analyses' for one conclusion of a multiverse document."""
    entry = next(c for c in doc["conclusions"] if c["id"] == conclusion_id)
    if entry["holds_in"] is None:
        return "cannot be assessed in any of the analyses of the multiverse"
    return f"holds in {100 * entry['holds_in']:.0f}% of {entry['n_specifications']} analyses"
