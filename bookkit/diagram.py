"""The overall program theory as a Graphviz diagram, drawn from the ``pathways`` of ``data/cmo/cmo.yaml``.

Each pathway (a theory area's context -> mechanism -> outcome, positive or harmful) contributes the
edges every context -> every mechanism and every mechanism -> every outcome; a node named alike in
two pathways is one shared box. Before anything is drawn, :func:`graph` checks the pathways against
the paper's text (``analysis.paths.PAPER_TEXT``), so that a reader can trace every box and arrow:

- every source passage is verbatim in the paper (whitespace and quote marks normalised, "[...]"
  marking an omission), at the place its ``where`` names: inside a statement of "Textbox N" (or an
  item of Textbox 6), or in the paper section under the headings "A > B > C";
- every phrase a node quotes is in one of its pathway's passages;
- every edge has one passage that quotes both of its ends (:attr:`Edge.source` is that passage);
- a phrase quoted from Textboxes 2-5 is followed, in its passage, by the textbox's own label of the
  node's column: "(context)"/"(contexts)", "(mechanism—resource)" and the other mechanism labels,
  "(outcome)"/"(outcomes)". The diagram's categories are thus the ones the textboxes print;
- every refined or new configuration is drawn, and one whose decomposition marks a "(negative
  pathway)" has a harmful pathway, so a harm is never drawn as a positive pathway.

Positive edges are solid in the theory area's colour (Okabe-Ito palette); harmful edges are dashed in
vermillion, and harmful boxes have a dashed vermillion border over their area's tint, as the legend
explains. Nodes shared by several theory areas are white with a dark border. Text is at least
:data:`MIN_FONT_PT` points in the SVG, which is meant to be shown full width with a link to open it
full size. For a phone, :func:`program_theory_narrow_dot` draws the same boxes and arrows one theory area
under another, at most :data:`NARROW_MAX_PT` points wide with its key under it, so that no text is
below 11 px in a phone's column and a pathway is seen whole without scrolling sideways (served by
``figures.with_narrow``). ``dot`` (Graphviz) is called as a subprocess.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths

CMO_FILE = paths.DATA / "cmo" / "cmo.yaml"
PAPER_FILE = paths.PAPER_TEXT
COLUMNS = ("context", "mechanism", "outcome")
HEADINGS = {"context": "Contexts", "mechanism": "Mechanisms", "outcome": "Outcomes"}
NEGATIVE_MARK = "(negative pathway)"
OMISSION = "[...]"

#: Okabe-Ito colours per theory area (vermillion is kept for harmful pathways).
AREA_COLOURS = {"self-efficacy": "#0072B2", "understanding-acceptance": "#009E73",
                "helping-others": "#E69F00", "catharsis": "#CC79A7"}
HARMFUL_COLOUR = "#D55E00"
SHARED_BORDER = "#333333"
FONT = "Arial"        # metric-compatible Liberation Sans here; Arial or the phone's sans-serif in a browser
FONT_STACK = "Arial,Liberation Sans,Helvetica,sans-serif"
MIN_FONT_PT = 14
NODE_FONT_PT = 16
HEADING_FONT_PT = 20
WRAP = 20             # characters per line in a node


@dataclass(frozen=True)
class Edge:
    """One arrow of the diagram: from a node to a node, for a pathway of a theory area.

    ``source`` is the paper's passage that quotes both ends (verbatim, "[...]" for an omission) and
    ``where`` says where it is in the paper.
    """

    tail: str
    head: str
    area: str
    pathway: str
    harmful: bool = False
    source: str = ""
    where: str = ""


def load_cmo(path: Path = CMO_FILE) -> dict:
    """The CMO file as data (see ``bookkit.cmo`` for the checks of its textbox fields)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """``text`` with runs of whitespace as one space and curly quote marks as straight ones."""
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return re.sub(r"\s+", " ", text).strip()


def fragments(passage: str) -> list[str]:
    """The verbatim pieces of a quoted passage, split at each omission mark "[...]" (normalised)."""
    return [normalise(f) for f in passage.split(OMISSION) if normalise(f)]


def in_order(pieces: list[str], text: str) -> bool:
    """Whether every piece occurs in ``text``, each after the one before."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _is_heading(lines: list[str], i: int) -> bool:
    """A line of the paper's text that is a section heading: short, capitalised, no closing punctuation,
    and not a textbox's own heading (those are followed by a bulleted list, as in Textbox 6)."""
    line = lines[i].strip()
    if not (0 < len(line) <= 70 and line[0].isupper() and line[-1] not in ".!?]:)"):
        return False
    following = next((x.strip() for x in lines[i + 1:] if x.strip()), "")
    return not following.startswith("- ")


def section(paper: str, where: str) -> str:
    """The normalised text of the paper under the headings ``"A > B > C"`` (each a whole line, in that
    order), up to the next heading. Raises ValueError when a heading is not found."""
    lines = paper.splitlines()
    at = -1
    for heading in (h.strip() for h in where.split(">")):
        at = next((i for i in range(at + 1, len(lines)) if lines[i].strip() == heading), None)
        if at is None:
            raise ValueError(f"heading {heading!r} of {where!r} not found in the paper")
    end = next((i for i in range(at + 1, len(lines)) if _is_heading(lines, i)), len(lines))
    return normalise("\n".join(lines[at + 1:end]))


def _textbox_texts(doc: dict, number: int) -> list[str]:
    if number == 6:
        design = yaml.safe_load((CMO_FILE.parent / "design-implications.yaml").read_text(encoding="utf-8"))
        return [normalise(item) for block in design["areas"] for item in block["implications"]]
    return [normalise(c["statement"]) for c in doc["configurations"] if c["textbox"] == number]


def _column_of_label(label: str) -> str | None:
    word = re.split(r"[\s—–-]", label.strip().lower())[0]
    return {"context": "context", "contexts": "context", "mechanism": "mechanism",
            "outcome": "outcome", "outcomes": "outcome"}.get(word)


def check_sources(doc: dict, paper: str) -> None:
    """Check every pathway's passages, phrases and edges against the paper's text ``paper`` (raw).

    Raises ValueError naming the pathway and the failing passage, phrase or edge (see the module's
    docstring for the rules).
    """
    whole = normalise(paper)
    configs = {c["id"]: c for c in doc["configurations"]}
    for pw in doc.get("pathways", []):
        pid = pw["id"]
        if pw["area"] not in doc["areas"]:
            raise ValueError(f"pathway {pid}: unknown theory area {pw['area']!r}")
        ref = pw.get("configuration")
        if ref is not None and (ref not in configs or configs[ref]["area"] != pw["area"]):
            raise ValueError(f"pathway {pid}: configuration {ref!r} is unknown or of another theory area")
        if not pw.get("sources"):
            raise ValueError(f"pathway {pid} has no source passage")
        for src in pw["sources"]:
            pieces = fragments(src["quote"])
            if not in_order(pieces, whole):
                raise ValueError(f"pathway {pid}: passage not verbatim in the paper: {src['quote'][:60]!r}")
            box = re.fullmatch(r"Textbox (\d)", src["where"].strip())
            places = _textbox_texts(doc, int(box.group(1))) if box else [section(paper, src["where"])]
            if not any(in_order(pieces, place) for place in places):
                raise ValueError(f"pathway {pid}: passage {src['quote'][:60]!r} is not in {src['where']!r}")
        passages = [(fragments(s["quote"]), s) for s in pw["sources"]]
        for col in COLUMNS:
            for node in pw[col]:
                for phrase in (normalise(q) for q in node["quote"]):
                    homes = [(f, s) for pieces, s in passages for f in pieces if phrase in f]
                    if not homes:
                        raise ValueError(f"pathway {pid}: {node['node']!r} quotes {phrase!r}, which is in none "
                                         "of its passages")
                    for piece, src in homes:
                        if not re.fullmatch(r"Textbox [2-5]", src["where"].strip()):
                            continue
                        label = re.search(r"\(([^()]*)\)", piece[piece.index(phrase) + len(phrase):])
                        found = _column_of_label(label.group(1)) if label else None
                        if found != col:
                            printed = f"({label.group(1)})" if label else "no label"
                            raise ValueError(f"pathway {pid}: {node['node']!r} is drawn as a {col}, but "
                                             f"{src['where']} labels {phrase!r} {printed}")


def _marks_negative(config: dict) -> bool:
    parts = config.get("context", []) + config.get("mechanism_response", []) + config.get("outcomes", [])
    return any(NEGATIVE_MARK in p for p in parts)


def _support(pw: dict, tail: dict, head: dict) -> dict | None:
    """The first source passage of pathway ``pw`` that quotes a phrase of ``tail`` and one of ``head``."""
    for src in pw["sources"]:
        pieces = fragments(src["quote"])
        def quoted(node, pieces=pieces):
            return any(normalise(q) in f for q in node["quote"] for f in pieces)
        if quoted(tail) and quoted(head):
            return src
    return None


def graph(doc: dict, paper: str | None = None) -> tuple[dict[str, list[str]], dict[str, set[str]], list[Edge]]:
    """Nodes per column (file order), the theory areas of each node, and the edges, from the CMO data.

    ``paper`` is the paper's text (read from :data:`PAPER_FILE` when None); the pathways are checked
    against it first (:func:`check_sources`). Raises ValueError when a check fails, when a pathway lacks
    a column, when an edge has no passage quoting both its ends, when a refined or new configuration is
    not drawn, or when a configuration marks a negative pathway in its decomposition but has no
    harmful pathway.
    """
    check_sources(doc, PAPER_FILE.read_text(encoding="utf-8") if paper is None else paper)
    pathways = doc.get("pathways", [])
    drawn = {pw.get("configuration") for pw in pathways}
    drawn_harm = {pw.get("configuration") for pw in pathways if pw["harmful"]}
    for config in doc["configurations"]:
        if config["kind"] != "initial" and config["id"] not in drawn:
            raise ValueError(f"{config['id']} is a {config['kind']} configuration with no pathway in the diagram")
        if _marks_negative(config) and config["id"] not in drawn_harm:
            raise ValueError(f"{config['id']} marks a negative pathway {NEGATIVE_MARK!r} but has no harmful "
                             "pathway: it would be drawn as a positive one")
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    areas: dict[str, set[str]] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for pw in pathways:
        missing = [c for c in COLUMNS if not pw.get(c)]
        if missing:
            raise ValueError(f"pathway {pw['id']} lacks {', '.join(missing)}")
        for col in COLUMNS:
            for node in pw[col]:
                if node["node"] not in columns[col]:
                    columns[col].append(node["node"])
                areas.setdefault(node["node"], set()).add(pw["area"])
        for tails, heads in ((pw["context"], pw["mechanism"]), (pw["mechanism"], pw["outcome"])):
            for t in tails:
                for h in heads:
                    src = _support(pw, t, h)
                    if src is None:
                        raise ValueError(f"pathway {pw['id']}: no passage quotes both ends of the edge "
                                         f"{t['node']!r} -> {h['node']!r}")
                    edge = Edge(t["node"], h["node"], pw["area"], pw["id"], pw["harmful"],
                                normalise(src["quote"]), src["where"])
                    old = edges.setdefault((edge.tail, edge.head), edge)
                    if old.harmful != edge.harmful:
                        raise ValueError(f"edge {edge.tail!r} -> {edge.head!r} is harmful in one pathway and "
                                         "positive in another")
    placed = {}
    for col, names in columns.items():
        for name in names:
            if name in placed:
                raise ValueError(f"node {name!r} is both a {placed[name]} and a {col}")
            placed[name] = col
    return columns, areas, list(edges.values())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tint(colour: str, amount: float = 0.8) -> str:
    """``colour`` mixed with white (amount 0.8 = 80% white), for node fills."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


def _legend(doc: dict, harmful: bool, wrap: int | None = None) -> str:
    """An HTML-like label: one row per theory area, the harmful style, and the shared-node style.
    With ``wrap``, each row's text is broken into lines of at most ``wrap`` characters (the phone variant)."""
    cell = '<TD ALIGN="LEFT" BALIGN="LEFT">{}</TD>'

    def text(words: str) -> str:
        lines = textwrap.wrap(words, wrap, break_on_hyphens=False) if wrap else [words]
        return "<BR/>".join(html.escape(line) for line in lines)

    rows = []
    for area, colour in AREA_COLOURS.items():
        if area in doc["areas"]:
            rows.append(f'<TR><TD VALIGN="TOP"><FONT COLOR="{colour}">&#9473;&#9473;&#9473;&#9654;</FONT></TD>'
                        + cell.format(text(doc["areas"][area])) + "</TR>")
    if harmful:
        rows.append(f'<TR><TD VALIGN="TOP"><FONT COLOR="{HARMFUL_COLOUR}">&#9549;&#9549;&#9549;&#9654;</FONT></TD>'
                    + cell.format(text("Harmful pathway: dashed arrows and box borders")) + "</TR>")
    shared = "White box: shared by several theory areas" + (", drawn in each" if wrap else "")
    rows.append('<TR><TD VALIGN="TOP"><FONT COLOR="#333333">&#9634;</FONT></TD>' + cell.format(text(shared)) + "</TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Key</B></TD></TR>{"".join(rows)}</TABLE>>')


def _edge_tooltip(e: Edge) -> str:
    """The hover text of an edge: its pathway, its ends and the paper's passage it is drawn from."""
    return f"{e.pathway}: {e.tail} -> {e.head}. From the paper ({e.where}): \u201c{e.source}\u201d"


def _harmful_nodes(edges: list[Edge]) -> set[str]:
    """The nodes on harmful pathways only (drawn with a dashed vermillion border)."""
    harmful = {e.tail for e in edges if e.harmful} | {e.head for e in edges if e.harmful}
    return harmful - ({e.tail for e in edges if not e.harmful} | {e.head for e in edges if not e.harmful})


def _node_line(node_id: str, name: str, node_areas: set[str], harmful: bool, wrap: int,
               break_on_hyphens: bool = False) -> str:
    """A box's DOT statement: white with a dark border when shared by theory areas, else its area's tint
    and colour; a harmful box keeps its fill and has a dashed vermillion border."""
    if len(node_areas) > 1:
        border, fill, style = SHARED_BORDER, "white", '"rounded,filled"'
    else:
        colour = AREA_COLOURS[min(node_areas)]
        border, fill, style = colour, _tint(colour), '"rounded,filled"'
    if harmful:  # the fill keeps the area's tint, so a harm shows its theory area
        border, style = HARMFUL_COLOUR, '"rounded,filled,dashed"'
    words = textwrap.wrap(name, wrap, break_on_hyphens=break_on_hyphens, break_long_words=False)
    label = "\\n".join(words).replace('"', '\\"')
    return (f'{node_id} [label="{label}", color="{border}", fillcolor="{fill}", '
            f"style={style}, tooltip={_quote(name)}];")


def _edge_line(tail_id: str, head_id: str, e: Edge) -> str:
    """An arrow's DOT statement: solid in its theory area's colour, or dashed vermillion when harmful."""
    colour = HARMFUL_COLOUR if e.harmful else AREA_COLOURS[e.area]
    style = "dashed" if e.harmful else "solid"
    kind = "harmful" if e.harmful else "positive"
    return (f'{tail_id} -> {head_id} [color="{colour}", style={style}, arrowhead=normal, '
            f'class="{kind} {e.area}", tooltip={_quote(_edge_tooltip(e))}];')


def program_theory_dot(path: Path = CMO_FILE) -> str:
    """The program theory as Graphviz DOT: contexts -> mechanisms -> outcomes, left to right, with its key
    under it (for a phone, :func:`program_theory_narrow_dot` draws one theory area under another).

    Every edge has an explicit arrowhead and, as its tooltip, the paper's passage it is drawn from;
    harmful edges are ``style=dashed`` in :data:`HARMFUL_COLOUR`.
    """
    doc = load_cmo(path)
    columns, areas, edges = graph(doc)
    ids = {name: f"n{i + 1}" for i, name in enumerate(n for col in COLUMNS for n in columns[col])}
    harmful_nodes = _harmful_nodes(edges)
    lines = [
        "digraph program_theory {",
        f'  graph [rankdir=LR, ranksep=0.9, nodesep=0.3, newrank=true, fontname="{FONT}", '
        f'fontsize={MIN_FONT_PT}, bgcolor="white", pad=0.2, splines=true, labelloc=b, labeljust=l, '
        'tooltip="Program theory: contexts, mechanisms, outcomes"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize={NODE_FONT_PT}, '
        'penwidth=2, margin="0.15,0.08"];',
        "  edge [penwidth=2.2, arrowsize=1.1];",
    ]
    for col in COLUMNS:
        # the column heading is a node placed above the column, then the column's nodes in file order:
        # a chain of flat invisible edges orders a rank top to bottom in a left-to-right layout, so the
        # order of the pathways in the CMO file is the order of the boxes; headings are chained so
        # they line up
        lines += [f"  subgraph column_{col} {{", "    rank=same;",
                  f'    head_{col} [shape=plaintext, style="", label=<<B>{html.escape(HEADINGS[col])}</B>>, '
                  f"fontsize={HEADING_FONT_PT}];"]
        chain = [f"head_{col}"] + [ids[name] for name in columns[col]]
        lines += [f"    {a} -> {b} [style=invis];" for a, b in itertools.pairwise(chain)]
        lines += ["    " + _node_line(ids[name], name, areas[name], name in harmful_nodes, WRAP)
                  for name in columns[col]]
        lines.append("  }")
    lines.append("  head_context -> head_mechanism -> head_outcome [style=invis, weight=100];")
    lines += ["  " + _edge_line(ids[e.tail], ids[e.head], e) for e in edges]
    # the key is the graph's label, under the diagram
    lines.append(f"  label={_legend(doc, any(e.harmful for e in edges))};")
    lines.append("}")
    return "\n".join(lines) + "\n"


#: The phone variant (:func:`program_theory_narrow_dot`): at most this many points wide, so that shown
#: in a phone's column of about :data:`NARROW_COLUMN_PX` pixels no text is below 11 px.
NARROW_MAX_PT = 400
NARROW_COLUMN_PX = 350
NARROW_WRAP = 14      # characters per line in a node of the phone variant
NARROW_KEY_WRAP = 34  # characters per line in its key


def program_theory_narrow_dot(path: Path = CMO_FILE) -> str:
    """The program theory for a phone as Graphviz DOT: one theory area under another, each a framed
    small diagram of its contexts -> mechanisms -> outcomes (left to right, under its own column
    headings), with the key under the last.

    The boxes, arrows, colours and styles are those of :func:`program_theory_dot`, from the same data:
    a box shared by several theory areas (white) is drawn in each of them, with that area's arrows, so
    every arrow of the wide diagram is drawn once and each pathway is whole within its theory area.
    """
    doc = load_cmo(path)
    _, areas, edges = graph(doc)
    harmful_nodes = _harmful_nodes(edges)
    order = [a for a in AREA_COLOURS if a in doc["areas"]]
    order += [a for a in doc["areas"] if a not in order]
    lines = [
        "digraph program_theory_narrow {",
        f'  graph [rankdir=LR, ranksep=0.25, nodesep=0.12, newrank=true, fontname="{FONT}", '
        f'fontsize={MIN_FONT_PT}, bgcolor="white", pad=0.08, splines=true, labelloc=b, labeljust=l, '
        'tooltip="Program theory, one theory area under another: contexts, mechanisms, outcomes"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize={MIN_FONT_PT}, '
        'penwidth=2, margin="0.08,0.05"];',
        "  edge [penwidth=2, arrowsize=0.9];",
    ]
    clusters, chains, number = [], [], 0
    for k, area in enumerate(order, start=1):
        title = '<BR ALIGN="LEFT"/>'.join(
            html.escape(t) for t in textwrap.wrap(doc["areas"][area], 40, break_on_hyphens=False))
        block = [f"  subgraph cluster_{k} {{",
                 f'    label=<<B>{title}</B><BR ALIGN="LEFT"/>>; labelloc=t; labeljust=l; '
                 f'color="{AREA_COLOURS.get(area, SHARED_BORDER)}"; penwidth=2; style=rounded; margin=6;']
        ids: dict[str, str] = {}
        for col in COLUMNS:
            # the area's boxes of the column, in the order of its pathways in the CMO file
            names = list(dict.fromkeys(n["node"] for pw in doc["pathways"] if pw["area"] == area for n in pw[col]))
            chain = [f"a{k}_head_{col}"]
            block.append(f'    {chain[0]} [shape=plaintext, style="", label=<<B>{html.escape(HEADINGS[col])}</B>>];')
            for name in names:
                number += 1
                ids[name] = f"a{k}n{number}"
                chain.append(ids[name])
                block.append("    " + _node_line(ids[name], name, areas[name], name in harmful_nodes,
                                                NARROW_WRAP, break_on_hyphens=True))
            # top to bottom: with clusters, dot places a chain of flat invisible edges bottom to top
            block.append(f"    {{ rank=same; {' -> '.join(reversed(chain))} [style=invis]; }}")
            chains.append(chain)
        block.append(f"    a{k}_head_context -> a{k}_head_mechanism -> a{k}_head_outcome [style=invis, weight=100];")
        block += ["    " + _edge_line(ids[e.tail], ids[e.head], e) for e in edges if e.area == area]
        block.append("  }")
        clusters.append(block)
    # dot stacks the clusters of a left-to-right layout bottom to top in the order they are declared
    lines += [line for block in reversed(clusters) for line in block]
    lines.append(f"  label={_legend(doc, any(e.harmful for e in edges), wrap=NARROW_KEY_WRAP)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


ATTRIBUTION = "Lobban et al. (2025), J Med Internet Res 27:e79289, CC BY 4.0"


def sources_markdown(path: Path = CMO_FILE) -> str:
    """A folded MyST list of the diagram's pathways, each with its boxes and the paper's passages its
    arrows are drawn from (quoted verbatim, "[...]" for an omission, with where each is in the paper)."""
    doc = load_cmo(path)
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


def run_dot(source: str, fmt: str = "svg") -> bytes:
    """Lay out DOT ``source`` with Graphviz ``dot`` and return the output in ``fmt`` (svg, png, plain)."""
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("Graphviz 'dot' is not installed or not on PATH (Debian: apt-get install graphviz); "
                           "it is needed to draw the program-theory diagram")
    result = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed ({result.returncode}): {result.stderr.decode('utf-8', 'replace')}")
    return result.stdout


def program_theory_svg(path: Path = CMO_FILE, narrow: bool = False) -> str:
    """The program-theory diagram as SVG text (the same bytes for the same data and Graphviz version);
    ``narrow`` gives the phone variant (:func:`program_theory_narrow_dot`)."""
    source = program_theory_narrow_dot(path) if narrow else program_theory_dot(path)
    svg = run_dot(source, "svg").decode("utf-8")
    # a browser without Arial should fall back to a sans-serif font, not its default serif
    return svg.replace(f'font-family="{FONT}"', f'font-family="{FONT_STACK}"')
