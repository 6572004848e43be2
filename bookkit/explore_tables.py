"""The explorable site's tables (:mod:`bookkit.explore`): each computed table, rendered for every combination of
the choices it depends on, as the page's cells (issue #22: "tables computed from the results update their cells").

:data:`TABLES` names every table a computed page shows (its ``{table}`` ``:name:``, the page's table id), the
engine part it follows, the choices it depends on and how its page makes it (``Results -> markdown``: the same
:mod:`bookkit.pagetables` call, with the same disclosure control, :func:`bookkit.pagetables.protected`, as its
notebook). :func:`render_tables` renders every combination and keeps the body cells of the pipe table, each
cell's inline MyST as HTML (markdown-it, the parser myst-parser uses): ``table-<name>.json`` is
``{"depends_on": [...], "combos": {"<combo>": i}, "variants": [[[cell html, ...], ...], ...], "headers": [[html,
...], ...], "captions": [html, ...], "notes": [[paragraph html, ...], ...]}`` (variant i's body cells, header
row, caption and notes; combinations with the same ones share a variant).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.engine import DEPENDS_ON, Results
from analysis.errors import AnalysisError
from analysis.options import CHOICES, Options

from .explore_rows import combo_text


@dataclass(frozen=True)
class ExploreTable:
    """A table that depends on choices: ``name`` its ``{table}`` name (the page's id), ``part`` the
    :data:`DEPENDS_ON` part it follows, ``depends_on`` the choices it changes with (the part's unless given)
    and ``markdown(results)`` the table as its notebook makes it."""

    name: str
    part: str
    markdown: Callable[[Results], str]
    extra: tuple[str, ...] = ()

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(DEPENDS_ON[self.part]) + self.extra


def _shown(results: Results, table: str):
    from .pagetables import protected

    return protected(results)[table]


def _forums(results: Results) -> str:  # book/results/participants.ipynb
    from . import pagetables

    return pagetables.forums(_shown(results, "forums"))


def _appendix_1(results: Results) -> str:  # book/appendices/appendix-1-forums.ipynb
    from . import pagetables

    caption = "Survey participation per forum (the survey part of Multimedia Appendix 1)."
    return pagetables.forums(_shown(results, "forums"), name="tbl-appendix-1", caption=caption)


def _pt(function: str, table: str | None = None, protect: bool = True) -> Callable[[Results], str]:
    """``pagetables.<function>`` of the protected (or raw) table ``table``, or of the values (``table`` None)."""

    def markdown(results: Results) -> str:
        from . import pagetables

        if table is None:
            return getattr(pagetables, function)(results.values)
        return getattr(pagetables, function)(_shown(results, table) if protect else results.tables[table])

    return markdown


def _correlations(results: Results) -> str:  # book/appendices/appendix-8-correlations.ipynb
    from . import pagetables

    return pagetables.correlations(_shown(results, "correlations"), results.values["correlation"])


def _ttests(results: Results) -> str:  # book/appendices/appendix-9-ttests.ipynb
    from . import pagetables

    return pagetables.ttests(_shown(results, "ttests"), results.values["tails"])


#: The computed tables of the chapters and appendices, as their notebooks make them (participants,
#: Appendices 1, 2, 3, 5, 7, 8, 9), by name. (The codebook tables of Appendix 2 do not depend on the data.)
TABLES: dict[str, ExploreTable] = {t.name: t for t in (
    ExploreTable("tbl-forums", "sample", _forums),
    ExploreTable("tbl-appendix-1", "sample", _appendix_1),
    ExploreTable("tbl-frequencies", "sample", _pt("item_frequencies", "item_frequencies")),
    ExploreTable("tbl-reliability", "reliability", _pt("reliability", "reliability")),
    ExploreTable("tbl-sample", "sample", _pt("sample_description", "sample_description")),
    ExploreTable("tbl-growth-fit", "growth", _pt("growth_fit")),
    ExploreTable("tbl-growth-estimates", "growth", _pt("growth_estimates", "growth", protect=False)),
    ExploreTable("tbl-correlations", "correlations", _correlations),
    # the t-test table is the ttests part's table of the chosen test, its P of the chosen tails
    ExploreTable("tbl-ttests", "ttests", _ttests, extra=("ttest", "tails")),
)}


def table_options(table: ExploreTable) -> list[Options]:
    """Every combination of the levels of the choices ``table`` depends on, the others at the paper's (the
    first choice varies slowest, as :func:`bookkit.explore_rows.part_options`)."""
    names = table.depends_on
    return [Options(**dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*(CHOICES[n] for n in names))]


# ----------------------------------------------------------------------------------------------------
# Cells


def split_row(line: str) -> list[str]:
    """The cells of one pipe-table row (``| a | b \\| c |``), each stripped, ``\\|`` read as a pipe (as GFM
    tables do before the cell's inline markup is parsed); other escapes are kept for the inline parser."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    cells, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append("|" if text[i + 1] == "|" else text[i:i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    if "".join(current).strip():
        cells.append("".join(current).strip())
    return cells


_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")


def body_rows(markdown: str, name: str) -> list[list[str]]:
    """The body rows of the pipe table of the ``{table}`` named ``name`` in ``markdown`` (cells as markdown)."""
    lines = markdown.splitlines()
    try:
        start = lines.index(f":name: {name}")
    except ValueError:
        raise ValueError(f"the markdown has no table named {name!r}") from None
    rule = next(i for i in range(start, len(lines)) if _RULE.match(lines[i]))
    rows = []
    for line in lines[rule + 1:]:
        if not line.startswith("|"):
            break
        rows.append(split_row(line))
    return rows


@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    # smart quotes, as Sphinx sets them on the built page ("Hedges' g" -> "Hedges’ g")
    return MarkdownIt("commonmark", {"typographer": True}).enable("smartquotes")


def cell_html(markdown: str) -> str:
    """One cell's inline MyST as HTML (markdown-it inline rendering: ``\\<.001`` -> ``&lt;.001``)."""
    return _parser().renderInline(markdown).strip()


def table_cells(markdown: str, name: str) -> list[list[str]]:
    """The body cells of table ``name`` as HTML, row by row."""
    return [[cell_html(c) for c in row] for row in body_rows(markdown, name)]


def header_cells(markdown: str, name: str) -> list[str]:
    """The header row of table ``name`` as HTML cells (a header can name a choice: "*P* (one-tailed)")."""
    lines = markdown.splitlines()
    start = lines.index(f":name: {name}")
    rule = next(i for i in range(start, len(lines)) if _RULE.match(lines[i]))
    return [cell_html(c) for c in split_row(lines[rule - 1])]


def caption_and_notes(markdown: str, name: str) -> tuple[str, list[str]]:
    """The caption of table ``name`` (inline HTML) and the paragraphs of its notes (inline HTML each), as
    :func:`bookkit.tables.journal_table` writes them: a caption can name a choice ("Spearman correlations")
    and a note appears with a withheld cell, so both follow the analysis with the cells."""
    lines = markdown.splitlines()
    at = lines.index(f":name: {name}")
    caption = lines[at - 1].split("}", 1)[1].strip()
    notes: list[str] = []
    rest = lines[at:]
    if any(line.startswith("```{container} ipof-table-notes") for line in rest):
        start = next(i for i, line in enumerate(rest) if line.startswith("```{container} ipof-table-notes")) + 1
        block = []
        for line in rest[start:]:
            if line.startswith("```"):
                break
            block.append(line)
        notes = [cell_html(par) for par in "\n".join(block).split("\n\n") if par.strip()]
    return cell_html(caption), notes


# ----------------------------------------------------------------------------------------------------
# The files


def render_tables(results: Callable[[Options], Results], folder: Path, dump: Callable[[object], str]) -> dict:
    """Write ``table-<name>.json`` for every :data:`TABLES` entry into ``folder``; ``results(options)`` the
    analysis (one memo: :meth:`bookkit.explore_figures.Context.results`), ``dump`` the files' JSON writer.
    Returns explore.json's ``"tables"``. A combination whose analysis raises AnalysisError is left out (the
    page keeps that table's note that it shows the paper's analysis)."""
    computed: dict[Options, Results | AnalysisError] = {}

    def analysis(options: Options) -> Results:
        if options not in computed:
            try:
                computed[options] = results(options)
            except AnalysisError as exc:
                computed[options] = exc
        found = computed[options]
        if isinstance(found, AnalysisError):
            raise found
        return found

    out = {}
    for table in TABLES.values():
        variants: list[list[list[str]]] = []
        headers: list[list[str]] = []
        captions: list[str] = []
        notes: list[list[str]] = []
        index: dict[str, int] = {}
        combos = {}
        for options in table_options(table):
            try:
                markdown = table.markdown(analysis(options))
            except AnalysisError:
                continue
            cells = table_cells(markdown, table.name)
            header = header_cells(markdown, table.name)
            caption, paragraphs = caption_and_notes(markdown, table.name)
            key = repr((cells, header, caption, paragraphs))
            if key not in index:
                index[key] = len(variants)
                variants.append(cells)
                headers.append(header)
                captions.append(caption)
                notes.append(paragraphs)
            combos[combo_text(options, table.depends_on)] = index[key]
        file = f"table-{table.name}.json"
        doc = {"depends_on": list(table.depends_on), "combos": combos, "variants": variants, "headers": headers,
               "captions": captions, "notes": notes}
        (Path(folder) / file).write_text(dump(doc), encoding="utf-8")
        out[table.name] = {"part": table.part, "depends_on": list(table.depends_on), "file": file}
    return out
