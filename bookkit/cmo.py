"""Context-mechanism-outcome (CMO) configurations as data, and their renderings.

``data/cmo/cmo.yaml`` holds Textboxes 1-5 of the paper (statements quoted
verbatim, with this book's decomposition into context, mechanism and outcome);
``data/cmo/design-implications.yaml`` holds Textbox 6. The book's textbox
chapters and the initial-versus-refined comparisons are rendered from these
two files by the functions below; the program-theory diagram is drawn by
``bookkit.diagram`` (Graphviz) from the same CMO file. ``data/cmo/evidence.yaml`` holds, for each refined
or new configuration, the evidence the paper gives for it from each strand (survey, interviews, forum
posts), rendered by :func:`evidence_markdown`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import paths

CMO_FILE = paths.DATA / "cmo" / "cmo.yaml"
DESIGN_FILE = paths.DATA / "cmo" / "design-implications.yaml"
EVIDENCE_FILE = paths.DATA / "cmo" / "evidence.yaml"
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


@lru_cache(maxsize=2)
def load_evidence(path: Path = EVIDENCE_FILE) -> dict:
    """The paper's evidence per refined or new configuration, checked: every configuration of Textboxes 2-5
    has evidence, every item names a known strand, a section, the part it supports, and either a quote with
    the label the paper prints (none for a phrase it quotes within its own prose), or a summary."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    refined = [c["id"] for c in configurations() if c["kind"] != "initial"]
    given = doc.get("configurations", {})
    if sorted(given) != sorted(refined):
        raise ValueError(f"{path}: evidence must be given for exactly the configurations {refined}")
    for cid, items in given.items():
        for i, item in enumerate(items):
            where = f"{path}: {cid} item {i + 1}"
            if item.get("strand") not in doc["strands"]:
                raise ValueError(f"{where}: strand {item.get('strand')!r} is not one of {doc['strands']}")
            if not item.get("section") or not item.get("supports"):
                raise ValueError(f"{where}: an item needs a section and what it supports")
            if ("quote" in item) == ("summary" in item):
                raise ValueError(f"{where}: an item has either a quote or a summary")
    return doc


def _flat(text: str) -> str:
    """Whitespace collapsed, block-quote markers removed, curly quote marks straightened."""
    text = re.sub(r"(?m)^\s*>\s?", "", text)
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip()


def _quoted_on(item: dict, page: str) -> bool:
    """Whether the page's own text quotes this item (its longest piece between omission marks)."""
    piece = max((p.strip(" .") for p in item["quote"].split("[...]")), key=len)
    return bool(page) and _flat(piece)[:60] in page


def evidence_markdown(config_id: str, page_text: str = "") -> str:
    """The evidence for one configuration as MyST markdown, by strand, each item with the part of the
    configuration it bears on and the paper's section; items the page (``page_text``) already quotes are
    marked, so a reader sees which subset the chapter quotes."""
    doc = load_evidence()
    config = next((c for c in configurations() if c["id"] == config_id), None)
    if config is None or config_id not in doc["configurations"]:
        raise ValueError(f"no evidence for configuration {config_id!r}")
    items = doc["configurations"][config_id]
    page = _flat(page_text)
    quotes = [it for it in items if "quote" in it]
    shown = [it for it in quotes if _quoted_on(it, page)]
    lines = [f":::{{admonition}} The paper's evidence for {config_id} (Textbox {config['textbox']}): "
             f"{config['label']}", ":class: cmo-evidence", "",
             "What the paper gives for this configuration from each of its three data sources. Quotations are "
             "the paper's, verbatim, with \"[...]\" marking each omission; summaries are this book's, with the "
             "paper's section; which part of the configuration each item bears on (*for ...*) is this book's "
             "reading."]
    if quotes:
        lines.append(f"This page quotes {len(shown)} of these {len(quotes)} quotations in its own text "
                     "(marked *quoted above*); the others are given only here."
                     if shown else f"This page quotes none of these {len(quotes)} quotations in its own text.")
    lines.append("")
    for strand in doc["strands"]:
        group = [it for it in items if it["strand"] == strand]
        sections = {it["section"] for it in group}
        head = f"**{strand[0].upper()}{strand[1:]}**"
        if len(sections) == 1:
            head += f" (paper: {_section_label(next(iter(sections)))})"
        lines += [head, ""]
        if not group:
            lines += [f"- {doc['none_note']}", ""]
            continue
        for it in group:
            where = "" if len(sections) == 1 else f" (paper: {_section_label(it['section'])})"
            if "quote" in it:
                mark = " *(quoted above)*" if it in shown else ""
                label = f" [{it['label']}]" if it.get("label") else ""
                body = f"\u201c{' '.join(it['quote'].split())}\u201d{label}{mark}"
            else:
                body = " ".join(it["summary"].split())
            lines.append(f"- *For {' '.join(it['supports'].split())}:* {body}{where}")
        lines.append("")
    lines += [f"*Quotations from {ATTRIBUTION}.*", "", ":::"]
    return "\n".join(lines)


def _section_label(where: str) -> str:
    return " \u203a ".join(h.strip() for h in where.split(">"))


def sources_markdown(path: Path | None = None) -> str:
    """A folded MyST list of the diagram's pathways, each with its boxes and the paper's passages its
    arrows are drawn from (quoted verbatim, "[...]" for an omission, with where each is in the paper)."""
    from .pathways import CMO_FILE, COLUMNS, graph, load_cmo, normalise

    doc = load_cmo(path or CMO_FILE)
    graph(doc)  # the same checks as the drawing: nothing is listed that the diagram would refuse
    lines = [":::{dropdown} Where each arrow comes from in the paper", ""]
    for pw in doc["pathways"]:
        kind = "harmful pathway" if pw["harmful"] else "positive pathway"
        textbox = {c["id"]: c["textbox"] for c in doc["configurations"]}
        origin = (f"Textbox {textbox[pw['configuration']]}, {pw['configuration']}" if pw["configuration"]
                  else "stated in the paper's text, not in a textbox; its split into context, mechanism and "
                       "outcome is this book's reading")
        chain = " → ".join("; ".join(n["node"] for n in pw[col]) for col in COLUMNS)
        lines += [f"**{doc['areas'][pw['area']]}, {kind}** ({origin}): {chain}", ""]
        for src in pw["sources"]:
            lines += [f"> {normalise(src['quote'])}", ">", f"> ({src['where']})", ""]
    lines += [f"*Passages quoted from {ATTRIBUTION}; \"[...]\" marks an omission.*", "", ":::"]
    return "\n".join(lines)
