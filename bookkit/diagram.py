"""The overall program theory as a Graphviz diagram, drawn from ``data/cmo/cmo.yaml``.

Each refined or new configuration with a ``diagram`` block contributes the edges context ->
mechanism -> outcome (every context to every mechanism, every mechanism to every outcome of the
block), coloured by its theory area (Okabe-Ito palette). The optional ``diagram.harmful`` block
holds the configuration's negative pathway (the phrases its decomposition marks "(negative
pathway)"); those edges are drawn dashed in vermillion and explained in the legend. A configuration
whose decomposition marks a negative pathway but whose diagram has no ``harmful`` block is refused,
so a harmful pathway is never drawn as a positive one.

Nodes shared by several theory areas are white with a dark border; nodes of one area are tinted in
its colour. Text is at least :data:`MIN_FONT_PT` points in the SVG, which is meant to be shown full
width with a link to open it full size. ``dot`` (Graphviz) is called as a subprocess.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths

CMO_FILE = paths.DATA / "cmo" / "cmo.yaml"
COLUMNS = ("context", "mechanism", "outcome")
HEADINGS = {"context": "Contexts", "mechanism": "Mechanisms", "outcome": "Outcomes"}
NEGATIVE_MARK = "(negative pathway)"

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
    """One arrow of the diagram: from a node to a node, for a configuration of a theory area."""

    tail: str
    head: str
    area: str
    cmo: str
    harmful: bool = False


def load_cmo(path: Path = CMO_FILE) -> dict:
    """The CMO file as data (see ``analysis.cmo`` for the checks of its textbox fields)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _marks_negative(config: dict) -> bool:
    parts = config.get("context", []) + config.get("mechanism_response", []) + config.get("outcomes", [])
    return any(NEGATIVE_MARK in p for p in parts)


def graph(doc: dict) -> tuple[dict[str, list[str]], dict[str, set[str]], list[Edge]]:
    """Nodes per column (file order), the theory areas of each node, and the edges, from the CMO data.

    Raises ValueError when a configuration marks a negative pathway in its decomposition but its
    ``diagram`` has no ``harmful`` block, or when a ``diagram`` block lacks a column.
    """
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    areas: dict[str, set[str]] = {}
    edges: list[Edge] = []
    for config in doc["configurations"]:
        block = config.get("diagram")
        if block is None:
            continue
        if _marks_negative(config) and "harmful" not in block:
            raise ValueError(f"{config['id']} marks a negative pathway {NEGATIVE_MARK!r} but its diagram has no "
                             "'harmful' block: the pathway would be drawn as a positive one")
        pathways = [(block, False)] + ([(block["harmful"], True)] if "harmful" in block else [])
        for part, harmful in pathways:
            missing = [c for c in COLUMNS if not part.get(c)]
            if missing:
                raise ValueError(f"{config['id']}: diagram{'.harmful' if harmful else ''} lacks {', '.join(missing)}")
            for col in COLUMNS:
                for name in part[col]:
                    if name not in columns[col]:
                        columns[col].append(name)
                    areas.setdefault(name, set()).add(config["area"])
            for tails, heads in ((part["context"], part["mechanism"]), (part["mechanism"], part["outcome"])):
                edges += [Edge(t, h, config["area"], config["id"], harmful) for t in tails for h in heads]
    placed = {}
    for col, names in columns.items():
        for name in names:
            if name in placed:
                raise ValueError(f"node {name!r} is both a {placed[name]} and a {col}")
            placed[name] = col
    return columns, areas, list(dict.fromkeys(edges))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tint(colour: str, amount: float = 0.8) -> str:
    """``colour`` mixed with white (amount 0.8 = 80% white), for node fills."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


def _legend(doc: dict, harmful: bool) -> str:
    """An HTML-like label: one row per theory area, the harmful style, and the shared-node style."""
    cell = '<TD ALIGN="LEFT" BALIGN="LEFT">{}</TD>'
    rows = []
    for area, colour in AREA_COLOURS.items():
        if area in doc["areas"]:
            rows.append(f'<TR><TD><FONT COLOR="{colour}">&#9473;&#9473;&#9473;&#9654;</FONT></TD>'
                        + cell.format(html.escape(doc["areas"][area])) + "</TR>")
    if harmful:
        rows.append(f'<TR><TD><FONT COLOR="{HARMFUL_COLOUR}">&#9549;&#9549;&#9549;&#9654;</FONT></TD>'
                    + cell.format("Harmful pathway (dashed): can lower well-being") + "</TR>")
    rows.append('<TR><TD><FONT COLOR="#333333">&#9634;</FONT></TD>'
                + cell.format("White box: shared by several theory areas") + "</TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Key</B></TD></TR>{"".join(rows)}</TABLE>>')


def program_theory_dot(path: Path = CMO_FILE) -> str:
    """The program theory as Graphviz DOT: contexts -> mechanisms -> outcomes, left to right.

    Every edge has an explicit arrowhead; harmful edges are ``style=dashed`` in :data:`HARMFUL_COLOUR`.
    """
    doc = load_cmo(path)
    columns, areas, edges = graph(doc)
    ids = {name: f"n{i + 1}" for i, name in enumerate(n for col in COLUMNS for n in columns[col])}
    harmful_nodes = {e.tail for e in edges if e.harmful} | {e.head for e in edges if e.harmful}
    harmful_nodes -= {e.tail for e in edges if not e.harmful} | {e.head for e in edges if not e.harmful}
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
        # the column heading is a node placed above the column (flat invisible edges order a rank
        # top to bottom in a left-to-right layout); headings are chained so they line up
        lines += [f"  subgraph column_{col} {{", "    rank=same;",
                  f'    head_{col} [shape=plaintext, style="", label=<<B>{html.escape(HEADINGS[col])}</B>>, '
                  f"fontsize={HEADING_FONT_PT}];"]
        lines += [f"    head_{col} -> {ids[name]} [style=invis];" for name in reversed(columns[col])]
        for name in columns[col]:
            node_areas = sorted(areas[name])
            if name in harmful_nodes:
                border, fill, style = HARMFUL_COLOUR, _tint(HARMFUL_COLOUR, 0.85), '"rounded,filled,dashed"'
            elif len(node_areas) > 1:
                border, fill, style = SHARED_BORDER, "white", '"rounded,filled"'
            else:
                colour = AREA_COLOURS[node_areas[0]]
                border, fill, style = colour, _tint(colour), '"rounded,filled"'
            label = "\\n".join(textwrap.wrap(name, WRAP, break_on_hyphens=False)).replace('"', '\\"')
            lines.append(f'    {ids[name]} [label="{label}", color="{border}", fillcolor="{fill}", '
                         f"style={style}, tooltip={_quote(name)}];")
        lines.append("  }")
    lines.append("  head_context -> head_mechanism -> head_outcome [style=invis, weight=100];")
    for e in edges:
        colour = HARMFUL_COLOUR if e.harmful else AREA_COLOURS[e.area]
        style = "dashed" if e.harmful else "solid"
        kind = "harmful" if e.harmful else "positive"
        lines.append(f'  {ids[e.tail]} -> {ids[e.head]} [color="{colour}", style={style}, arrowhead=normal, '
                     f'class="{kind} {e.area}", tooltip={_quote(f"{e.cmo}: {e.tail} -> {e.head}")}];')
    # the key is the graph's label, under the diagram
    lines.append(f"  label={_legend(doc, any(e.harmful for e in edges))};")
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


def program_theory_svg(path: Path = CMO_FILE) -> str:
    """The program-theory diagram as SVG text (the same bytes for the same data and Graphviz version)."""
    svg = run_dot(program_theory_dot(path), "svg").decode("utf-8")
    # a browser without Arial should fall back to a sans-serif font, not its default serif
    return svg.replace(f'font-family="{FONT}"', f'font-family="{FONT_STACK}"')
