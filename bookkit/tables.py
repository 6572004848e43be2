"""The one table helper of the book: a data frame as a numbered, captioned journal table.

:func:`journal_table` returns MyST markdown: a ``{table}`` directive (so Sphinx numbers it
"Table N" and ``{numref}`` can point at it from any page) holding a pipe table whose cells are
formatted by column kind (:mod:`bookkit.fmt`), then the table's notes. A notebook shows it with
``IPython.display.Markdown(journal_table(...))``; myst-nb parses that output as MyST when the
Sphinx configuration says ``nb_render_markdown_format: myst``.

Every cell that disclosure control withheld ("<8", "suppressed", "withheld") is shown as the one
symbol :data:`bookkit.fmt.SUPPRESSED`, and a note explains it. Styling (rules, padding, right-aligned
tabular numerals, horizontal scrolling with a sticky first column, print) is ``book/_static/ipof.css``,
keyed on the class :data:`TABLE_CLASS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import fmt

TABLE_CLASS = "ipof-table"
NOTES_CLASS = "ipof-table-notes"
KINDS = ("int", "num", "p", "bounded", "pct", "text", "bool", "markdown", "shown")
_NUMERIC = {"int", "num", "p", "bounded", "pct", "shown"}
_DEFAULT_DECIMALS = {"num": 2, "bounded": 3, "pct": 1}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_ESCAPE = re.compile(r"([\\`*_\[\]<>|$#{}~^])")


@dataclass(frozen=True)
class Col:
    """How one column is shown.

    ``kind``: 'int' (a count: thousands separator, no '.0'), 'num' (fixed ``decimals``, default 2),
    'p' (APA P value: '<.001', '.009'), 'bounded' (r, V, alpha without the leading zero, default 3
    decimals), 'pct' (a percentage 0-100, default 1 decimal; the header gets '(%)'), 'text'
    (escaped, shown literally), 'bool' ('Yes'/'No'), 'markdown' (inline MyST, not escaped), 'shown' (a
    number already formatted elsewhere, e.g. by :mod:`bookkit.fmt`: shown as it is, right-aligned).
    ``label`` is inline MyST (e.g. ``"*r*"``); ``missing`` is shown for None/NaN.
    """

    label: str
    kind: str = "text"
    decimals: int | None = None
    missing: str = "n/a"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def numeric(self) -> bool:
        return self.kind in _NUMERIC

    @property
    def header(self) -> str:
        if self.kind == "pct" and "%" not in self.label:
            return f"{self.label} (%)"
        return self.label


def escape_markdown(text: str) -> str:
    """Text shown literally inside a MyST table cell (markup characters, pipes and $ escaped)."""
    return _ESCAPE.sub(r"\\\1", str(text)).replace("\n", " ")


def _inline(text) -> str:
    """Inline MyST kept as markup (headers, 'markdown' cells): only pipes and line breaks made safe."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _number(value, col: Col, column: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"column {column!r} ({col.kind}) holds {value!r}, which is not a number") from None


def format_cell(value, col: Col, column: str = "?") -> tuple[str, str | None]:
    """One cell as markdown, and the kind of disclosure marker it was (None if it was not one)."""
    kind = fmt.suppression_kind(value)
    if kind is not None:
        return fmt.SUPPRESSED, kind
    if fmt.is_missing(value):
        return escape_markdown(col.missing), None
    decimals = col.decimals if col.decimals is not None else _DEFAULT_DECIMALS.get(col.kind, 0)
    if col.kind == "int":
        text = fmt.fmt_int(_number(value, col, column))
    elif col.kind == "num":
        text = fmt.fmt_num(_number(value, col, column), decimals)
    elif col.kind == "p":
        text = fmt.fmt_p(_number(value, col, column))
    elif col.kind == "bounded":
        text = fmt.fmt_bounded(_number(value, col, column), decimals)
    elif col.kind == "pct":
        text = fmt.fmt_num(_number(value, col, column), decimals)
    elif col.kind == "bool":
        text = fmt.fmt_bool(value)
    elif col.kind == "markdown":
        return _inline(value), None
    elif col.kind == "shown":
        text = str(value)
    else:
        return escape_markdown(value), None
    return escape_markdown(text), None


def _order(df: pd.DataFrame, columns: dict[str, Col], key_first) -> list[str]:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"the table has no column {', '.join(map(repr, missing))}")
    first = list(key_first or [])
    unknown = [c for c in first if c not in columns]
    if unknown:
        raise KeyError(f"key_first names columns without a Col spec: {', '.join(map(repr, unknown))}")
    return first + [c for c in columns if c not in first]


def journal_table(df: pd.DataFrame, columns: dict[str, Col], caption: str, name: str,
                  notes: list[str] | tuple[str, ...] = (), key_first: list[str] | None = None) -> str:
    """A data frame as a numbered MyST table ("Table N. caption") with its notes underneath.

    ``columns`` maps the frame's column names to their :class:`Col` (only these columns are shown,
    in this order); ``key_first`` moves the identifying columns to the front (the first one stays in
    view when a wide table scrolls). ``name`` is the label for ``{numref}`\\`Table %s <name>\\``
    (e.g. 'tbl-forums'); ``caption`` and ``notes`` are MyST inline markdown. Disclosure markers become
    :data:`bookkit.fmt.SUPPRESSED` and a note says why they are withheld.
    """
    if not _NAME.match(name):
        raise ValueError(f"table name {name!r}: use letters, digits, '-' or '_' (e.g. 'tbl-forums')")
    if not caption.strip():
        raise ValueError("a table needs a caption")
    order = _order(df, columns, key_first)
    kinds: set[str] = set()
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in order:
            text, marker = format_cell(row[c], columns[c], c)
            if marker:
                kinds.add(marker)
            cells.append(text)
        body.append("| " + " | ".join(cells) + " |")
    header = "| " + " | ".join(_inline(columns[c].header) for c in order) + " |"
    rule = "|" + "|".join("---:" if columns[c].numeric else ":---" for c in order) + "|"
    caption = " ".join(caption.split())
    lines = ["````{container} ipof-table-block", "",
             f"```{{table}} {caption}", f":name: {name}", f":class: {TABLE_CLASS}", ":widths: auto", "",
             header, rule, *body, "```", ""]
    paragraphs = [" ".join(str(n).split()) for n in notes if str(n).strip()]
    if kinds:
        paragraphs.append(fmt.suppressed_note(kinds))
    if paragraphs:
        lines += [f"```{{container}} {NOTES_CLASS}", ""]
        lines += ["*Note.* " + paragraphs[0] if not paragraphs[0].startswith(fmt.SUPPRESSED) else paragraphs[0]]
        for p in paragraphs[1:]:
            lines += ["", p]
        lines += ["```", ""]
    lines.append("````")
    return "\n".join(lines) + "\n"
