"""Context-mechanism-outcome (CMO) configurations as data, and their renderings.

``data/cmo/cmo.yaml`` holds Textboxes 1-5 of the paper (statements quoted
verbatim, with this book's decomposition into context, mechanism and outcome);
``data/cmo/design-implications.yaml`` holds Textbox 6. The book's textbox
chapters and the initial-versus-refined comparisons are rendered from these
two files by the functions below; the program-theory diagram is drawn by
``bookkit.diagram`` (Graphviz) from the same CMO file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from analysis import paths

CMO_FILE = paths.DATA / "cmo" / "cmo.yaml"
DESIGN_FILE = paths.DATA / "cmo" / "design-implications.yaml"
ATTRIBUTION = "Lobban et al. (2025), J Med Internet Res 27:e79289, CC BY 4.0"
REQUIRED = (
    "id",
    "area",
    "kind",
    "textbox",
    "refines",
    "label",
    "context",
    "mechanism_resource",
    "mechanism_response",
    "mechanism_response_type",
    "outcomes",
    "statement",
)


@lru_cache(maxsize=4)
def load(path: Path = CMO_FILE) -> dict:
    """The CMO file, checked: every configuration has every field, and refinements point at initial CMOs."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    ids = {c["id"]: c for c in doc["configurations"]}
    for c in doc["configurations"]:
        missing = [f for f in REQUIRED if f not in c]
        if missing:
            raise ValueError(f"{path}: configuration {c.get('id')!r} lacks {', '.join(missing)}")
        if c["area"] not in doc["areas"] or c["textbox"] not in doc["textboxes"]:
            raise ValueError(f"{path}: configuration {c['id']!r} names an unknown area or textbox")
        for ref in c["refines"]:
            if ids.get(ref, {}).get("kind") != "initial":
                raise ValueError(f"{path}: {c['id']!r} refines {ref!r}, which is not an initial CMO")
    grouped = [cid for h in doc.get("textbox1_headings", []) for cid in h["configurations"]]
    initial = [c["id"] for c in doc["configurations"] if c["textbox"] == 1]
    if grouped and sorted(grouped) != sorted(initial):
        raise ValueError(f"{path}: textbox1_headings must list each Textbox 1 configuration once: {initial}")
    return doc


@lru_cache(maxsize=2)
def load_design(path: Path = DESIGN_FILE) -> dict:
    """Textbox 6 (design implications by theory area)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def configurations(textbox: int | None = None, area: str | None = None, kind: str | None = None) -> list[dict]:
    """Configurations filtered by textbox, theory area and kind (initial, refined, new), in file order."""
    return [
        c
        for c in load()["configurations"]
        if (textbox is None or c["textbox"] == textbox)
        and (area is None or c["area"] == area)
        and (kind is None or c["kind"] == kind)
    ]


def _captioned(table: str, caption: str, name: str) -> str:
    """A markdown table as a numbered, captioned journal table ("Table N. caption", as
    :func:`bookkit.tables.journal_table` styles them)."""
    return "\n".join(["````{container} ipof-table-block", "", f"```{{table}} {caption}", f":name: {name}",
                      ":class: ipof-table ipof-text-table", ":widths: auto", "", table, "```", "", "````"])


def _cell(items: list[str]) -> str:
    return "; ".join(items).replace("|", "\\|")


def components_table(configs: list[dict]) -> str:
    """Markdown table of the book's decomposition: context, mechanism (resource, reasoning/response), outcomes."""
    rows = [
        "| | Context | Mechanism: resource | Mechanism: reasoning or response | Outcomes |",
        "|---|---|---|---|---|",
    ]
    for c in configs:
        rows.append(
            f"| **{c['id']}** | {_cell(c['context'])} | {_cell(c['mechanism_resource'])} | "
            f"{_cell(c['mechanism_response'])} ({c['mechanism_response_type']}) | {_cell(c['outcomes'])} |"
        )
    return "\n".join(rows)


def textbox_markdown(number: int) -> str:
    """A textbox as MyST markdown: the quoted statements, attribution, then the decomposition table."""
    doc = load()
    configs = configurations(textbox=number)
    if not configs:
        raise ValueError(f"no configurations for textbox {number}")
    lines = [f":::{{admonition}} Textbox {number}. {doc['textboxes'][number]}", ":class: cmo-textbox", ""]
    # Textbox 1 as printed: the paper's two theory-area headings and its "CMO 1:" labels
    headings = {cid: h["heading"] for h in doc.get("textbox1_headings", []) for cid in h["configurations"]}
    heading = None
    for c in configs:
        if number == 1 and headings.get(c["id"]) != heading:
            heading = headings.get(c["id"])
            lines += [f"**{heading}**", ""]
        label = f"**{c['id'].replace('CMO', 'CMO ')}:** " if c["kind"] == "initial" else ""
        lines += [f"> {label}{c['statement']}", ""]
    lines += [
        f"*Quoted from {ATTRIBUTION}, Textbox {number}.*",
        "",
        ":::",
        "",
        "The same configurations, decomposed by this book into their parts:",
        "",
        _captioned(components_table(configs), f"Textbox {number} decomposed by this book: context, "
                   "mechanism (resource; reasoning or response) and outcomes of each configuration.",
                   f"tbl-cmo-textbox-{number}"),
        "",
    ]
    return "\n".join(lines)


def comparison_markdown(area: str) -> str:
    """Initial CMOs beside the refined (or new) theory of one area, as a two-column markdown table."""
    refined = configurations(area=area, kind="refined") + configurations(area=area, kind="new")
    if not refined:
        raise ValueError(f"no refined or new configurations in area {area!r}")
    rows = ["| Initial theory (Textbox 1) | Refined theory |", "|---|---|"]
    for c in refined:
        before = [x for x in configurations(kind="initial") if x["id"] in c["refines"]]
        left = (
            "<br>".join(f"**{b['id']}.** {b['statement']}" for b in before) or "*No initial theory: new in this study.*"
        )
        right = f"**{c['id']} (Textbox {c['textbox']}).** {c['statement']}"
        rows.append(f"| {left} | {right} |")
    caption = f"{load()['areas'][area]}: the initial theory (Textbox 1) beside the refined theory."
    return _captioned("\n".join(rows), caption, f"tbl-cmo-compare-{area}") + (
        f"\n\n*Statements quoted from {ATTRIBUTION}, Textboxes 1-5.*")


def design_markdown() -> str:
    """Textbox 6 as MyST markdown: the design implications under their theory-area headings."""
    doc = load_design()
    lines = [f":::{{admonition}} Textbox {doc['textbox']}. {doc['title']}", ":class: cmo-textbox", ""]
    for block in doc["areas"]:
        lines += [f"**{block['heading']}**", ""]
        lines += [f"- {item}" for item in block["implications"]]
        lines.append("")
    lines += [f"*Quoted from {ATTRIBUTION}, Textbox 6.*", "", ":::"]
    return "\n".join(lines)
