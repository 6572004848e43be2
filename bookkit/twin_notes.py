"""Notes that name the synthetic twin's artefacts where a page shows them (issue 17, item 6).

The twin (``data/synthetic/``) meets the paper's printed values, and only those; everything else in it is
the generator's. ``data/synthetic/encoded.yaml`` lists, machine-readably, what it takes from the paper:
the results keys it sets or calibrates, the conclusions whose relation it therefore encodes, and the
printed values it replaces by its own. :func:`note` turns that into the words a page prints after a
verdict, a multiverse summary or a replaced value, **only when the results are the twin's**
(``values["data_is_twin"]``); on any other data it returns "" and the page says nothing.

Wired in: :class:`bookkit.directives.VerdictRole` and :class:`~bookkit.directives.MultiverseRole` (markdown
pages), :func:`bookkit.chapter.setup` (every conclusion's glued sentence, and ``twin_note_<key>`` for every
replaced key) and :func:`bookkit.words.multiverse_note`.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from analysis import paths

ENCODED = paths.DATA / "synthetic" / "encoded.yaml"

#: What a page adds after a conclusion whose relation the twin does not encode.
RELATION_NOTE = "(the synthetic twin does not encode this relation, so the result says nothing about the study)"
#: The same note after its first appearance on a page (:func:`once_per_page`).
RELATION_NOTE_AGAIN = "(not encoded by the twin)"


def once_per_page(text: str, document) -> str:
    """``text`` with :data:`RELATION_NOTE` shortened to :data:`RELATION_NOTE_AGAIN` after the first time the
    page (docutils ``document``) shows it, so a paragraph of verdicts does not repeat the whole note."""
    if RELATION_NOTE not in text:
        return text
    if document.get("ipof_relation_note_shown"):
        return text.replace(RELATION_NOTE, RELATION_NOTE_AGAIN)
    document["ipof_relation_note_shown"] = True
    return text


@lru_cache(maxsize=1)
def encoded() -> dict:
    """The parsed ``encoded.yaml``."""
    return yaml.safe_load(ENCODED.read_text(encoding="utf-8"))


def is_twin(values: dict) -> bool:
    return bool(values.get("data_is_twin"))


def relation_encoded(conclusion_id: str) -> bool:
    """Whether the twin encodes the relation conclusion ``conclusion_id`` reads (KeyError if unlisted)."""
    rel = encoded()["relations"]
    if conclusion_id in rel["encoded"]:
        return True
    if conclusion_id in rel["not_encoded"]:
        return False
    raise KeyError(f"conclusion {conclusion_id!r} is not listed in {ENCODED.name}")


def replaced_entry(key: str) -> dict | None:
    """The ``replaced`` entry of ``encoded.yaml`` that holds results key ``key``, if any."""
    return next((e for e in encoded()["replaced"] if key in e["keys"]), None)


def _replaced_note(entry: dict) -> str:
    from . import claims

    by_id = claims.claims_by_id()
    snippets = dict.fromkeys(claims.plain_quote(by_id[c]["snippet"]) for c in entry["claims"])
    quoted = "; ".join(f"“{s}”" for s in snippets)
    return f"(on the synthetic twin this value replaces the paper's, which reads {quoted}: {entry['why']})"


def note(ident: str, values: dict) -> str:
    """The note a page prints after ``ident`` (a conclusion id or a results key) for these results.

    "" unless the results are the twin's. On the twin: for a conclusion whose relation the twin does not
    encode, :data:`RELATION_NOTE`; for a results key whose printed value the twin replaces, a note quoting
    the paper's words (from the claims ledger) and why; "" otherwise.
    """
    if not is_twin(values):
        return ""
    from analysis.conclusions import BY_ID

    if ident in BY_ID:
        return "" if relation_encoded(ident) else RELATION_NOTE
    entry = replaced_entry(ident)
    return "" if entry is None else _replaced_note(entry)


def with_note(text: str, ident: str, values: dict) -> str:
    """``text`` followed by its note (separated by a space), or ``text`` alone."""
    extra = note(ident, values)
    return f"{text} {extra}" if extra else text


def replaced_keys() -> tuple[str, ...]:
    """Every results key whose printed value the twin replaces."""
    return tuple(k for e in encoded()["replaced"] for k in e["keys"])
