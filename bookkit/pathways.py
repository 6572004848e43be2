"""The program theory's pathways as data (``data/cmo/cmo.yaml``), each arrow checked against the paper.

:func:`graph` reads the pathways of the four theory areas into boxes and arrows (:class:`Edge`) and refuses
an arrow whose two ends are not quoted, verbatim ("[...]" for an omission), in the passage of the paper it
names (:func:`check_sources`), so the diagram (:mod:`bookkit.diagram`) and the list of its sources
(:func:`bookkit.cmo.sources_markdown`) can only draw what the paper says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths

CMO_FILE = paths.DATA / "cmo" / "cmo.yaml"
PAPER_FILE = paths.PAPER_TEXT
COLUMNS = ("context", "mechanism", "outcome")
NEGATIVE_MARK = "(negative pathway)"
OMISSION = "[...]"


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
