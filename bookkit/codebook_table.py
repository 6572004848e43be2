"""The book's Appendix 2 (survey items and how the scores are derived), rendered from the survey codebook.

Everything here is read from :class:`analysis.codebook.Codebook` (``data/codebook.yaml``), the same
source that validation reads, so the appendix cannot drift from what the analysis checks and computes.
The functions are pure: give them a codebook (default: the one :mod:`analysis.contract` loaded).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from analysis.codebook import Codebook, Column

ITEM_COLUMNS = ("variable", "wording", "response scale", "subscale", "reversed", "derivation", "wording source")
DERIVED_COLUMNS = ("score", "label", "items", "definition")


def _default(book: Codebook | None) -> Codebook:
    if book is not None:
        return book
    from analysis import contract

    return contract.CODEBOOK


def response_scale(book: Codebook, col: Column) -> str:
    """A column's response scale in words: the scale's text, the category list, or the number/id rule."""
    if col.scale is not None:
        return book.scales[col.scale].text
    if col.type == "category":
        return "one of: " + ", ".join(col.allowed)
    if col.type == "number":
        return f"a number >= {col.low:g}"
    return "non-empty, unique text"


def _share(fraction: float, k: int) -> str:
    """'at least 3 of 6': the fewest answered items of k that reach ``fraction`` (ceil(fraction * k), exactly)."""
    return f"at least {math.ceil(Fraction(str(fraction)) * k)} of {k}"


def derivation(book: Codebook, col: Column) -> str:
    """What the analysis derives from a column (or a per-wave item), by the codebook's rules; '' if nothing."""
    parts = []
    stem = col.stem or col.name
    for d in book.derived:
        p = d.params
        if d.kind == "exclusion" and p["column"] == col.name:
            parts.append(f"speed exclusion: included when {col.name} >= {p['min_minutes']:g}")
        elif d.kind == "subscale_mean" and col.subscale == d.name:
            k = len(book.items(d.name))
            keyed = f" after reversal ({col.reversal} - x)" if col.reversal is not None else ""
            parts.append(f"enters {d.name}{keyed}: mean of the answered items, "
                         f"{_share(p['min_answered_fraction'], k)} answered")
        elif d.kind == "clinical_sum" and stem in book.items(d.name):
            k = len(book.items(d.name))
            parts.append(f"enters the {p['instrument']} total at its wave ({col.subscale if col.wave else d.name}): "
                         f"sum of all {k} items, "
                         f"only when all {k} are present")
        elif d.kind == "caseness" and stem in {s for items in book.clinical_scales().values() for s in items}:
            if col.wave is None:
                parts.append(f"its {p['wave'].upper()} total enters caseness")
            elif col.wave == p["wave"]:
                parts.append("its total enters caseness")
    parts += [r.message for r in book.rules if col.name in (r.if_column, r.then_column)]
    return "; ".join(parts)


def _row(book: Codebook, col: Column, variable: str) -> dict:
    subscale = col.subscale or ""
    if col.wave is None and col in book.wave_items:
        subscale = f"{col.subscale} (at each wave)" if col.subscale else ""
    return {
        "variable": variable,
        "wording": col.wording,
        "response scale": response_scale(book, col),
        "subscale": subscale,
        "reversed": f"{col.reversal} - x" if col.reversal is not None else "",
        "derivation": derivation(book, col),
        "wording source": col.wording_source,
    }


def items_table(book: Codebook | None = None, collapse_waves: bool = True) -> pd.DataFrame:
    """Appendix 2, survey items: one row per column of the survey file, in codebook order.

    With ``collapse_waves`` an item asked at every wave is one row naming its wave columns
    (``t1_gad_1, t2_gad_1, t3_gad_1``); otherwise each wave column is its own row.
    """
    book = _default(book)
    rows = [_row(book, c, c.name) for c in book.columns if c.wave is None]
    if collapse_waves:
        rows += [_row(book, s, ", ".join(f"{w.name}_{s.name}" for w in book.waves)) for s in book.wave_items]
    else:
        rows += [_row(book, c, c.name) for c in book.columns if c.wave is not None]
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def derived_table(book: Codebook | None = None) -> pd.DataFrame:
    """Appendix 2, derived scores: each score's name, label, the items it uses and its definition."""
    book = _default(book)
    rows = []
    for d in book.derived:
        p, name, label = d.params, d.name, d.label
        if d.kind == "exclusion":
            items = p["column"]
        elif d.kind == "subscale_mean":
            items = ", ".join(book.items(d.name))
        elif d.kind == "clinical_sum":
            name = ", ".join(f"{w.name}_{d.name}" for w in book.waves)
            label = label or f"{p['instrument']} total at each wave"
            items = ", ".join(book.items(d.name)) + " (at that wave)"
        elif d.kind == "caseness":
            items = ", ".join(f"{p['wave']}_{s.name}" for s in book.derived if s.kind == "clinical_sum")
        else:
            scale = book.scales[p["scale"]]
            items = f"any item on the {scale.name} scale ({scale.low:g}-{scale.high:g})"
        rows.append({"score": name, "label": label, "items": items, "definition": d.definition})
    return pd.DataFrame(rows, columns=list(DERIVED_COLUMNS))


def sources_table(book: Codebook | None = None) -> pd.DataFrame:
    """Where each wording comes from: the source keys of the items table and their meaning."""
    book = _default(book)
    return pd.DataFrame({"wording source": list(book.sources), "meaning": list(book.sources.values())})


def appendix2(book: Codebook | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Appendix 2 as two tables: the survey items and the derived scores (see the two functions)."""
    book = _default(book)
    return items_table(book), derived_table(book)
