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
    if ratio > 0.5:
        return f"Most {noun}"
    if ratio == 0.5:
        return f"Half the {noun}"
    if ratio >= 0.25:
        return f"A minority of {noun}"
    return f"A small minority of {noun}" if ratio > 0 else f"No {noun}"


def direction(x: float, up: str = "rise", down: str = "fall", flat: str = "no change") -> str:
    """The sign of ``x`` as a word: positive -> ``up``, negative -> ``down``, zero -> ``flat``."""
    return up if x > 0 else down if x < 0 else flat


def comparison(a: float, b: float, more: str = "more", less: str = "less") -> str:
    """``more`` when a > b, ``less`` when a < b, 'as' when equal."""
    return more if a > b else less if a < b else "as"


def multiverse_note(conclusion_id: str, doc: dict) -> str:
    """'holds in 11 of 16 distinct analyses (2 within .005 of α)' for one conclusion of a multiverse
    document: counted over distinct analyses (combinations of the choices its rule reads), not over
    specifications that are copies of one another."""
    from analysis.multiverse import KNIFE_EDGE_BAND

    entry = next(c for c in doc["conclusions"] if c["id"] == conclusion_id)
    if entry["holds_in"] is None:
        return "cannot be assessed in any of the analyses of the multiverse"
    n = entry["n_distinct"]
    held = round(entry["holds_in"] * n)
    edge = f", {entry['knife_edge']} within {KNIFE_EDGE_BAND:g} of α" if entry["knife_edge"] else ""
    return f"holds in {held} of {n} distinct analyses ({100 * entry['holds_in']:.0f}%{edge})"
