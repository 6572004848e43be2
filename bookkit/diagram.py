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
import shutil
import subprocess
import textwrap
from pathlib import Path

from .pathways import (  # noqa: F401 (re-exported: the diagram's data, checked against the paper)
    CMO_FILE,
    COLUMNS,
    Edge,
    graph,
    load_cmo,
    normalise,
)

HEADINGS = {"context": "Contexts", "mechanism": "Mechanisms", "outcome": "Outcomes"}

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
