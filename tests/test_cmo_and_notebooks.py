"""CMO data against the paper's text, and the notebooks as papermill sees them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.paths import PAPER_TEXT as PAPER
from bookkit import cmo

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def paper_text():
    if not PAPER.exists():
        pytest.fail(f"paper text missing: {PAPER} (it ships in data/paper/)")
    return normalise(PAPER.read_text(encoding="utf-8"))


def test_every_statement_is_quoted_verbatim_from_the_paper(paper_text):
    for c in cmo.load()["configurations"]:
        assert normalise(c["statement"]) in paper_text, c["id"]


def test_design_implications_are_quoted_verbatim(paper_text):
    for block in cmo.load_design()["areas"]:
        for item in block["implications"]:
            assert normalise(item) in paper_text, item[:40]


def test_cmo_structure():
    doc = cmo.load()
    ids = [c["id"] for c in doc["configurations"]]
    assert [i for i in ids if i.startswith("CMO")] == ["CMO1", "CMO2", "CMO3", "CMO4", "CMO5"]
    assert sorted({c["textbox"] for c in doc["configurations"]}) == [1, 2, 3, 4, 5]
    refined = {r for c in doc["configurations"] for r in c["refines"]}
    assert refined == {"CMO1", "CMO2", "CMO3", "CMO4", "CMO5"}  # every initial theory is refined
    assert [c["id"] for c in cmo.configurations(kind="new")] == ["TB5"]


def test_bad_cmo_file_is_refused(tmp_path):
    bad = tmp_path / "cmo.yaml"
    bad.write_text((cmo.CMO_FILE).read_text().replace("refines:\n  - CMO1", "refines:\n  - CMO9"))
    with pytest.raises(ValueError, match="CMO9"):
        cmo.load(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_documented_parameters_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), "commit notebooks without outputs"
    if path.stem in ("program-theory", "audit"):
        return  # CMO data, the paper's printed numbers: no survey, nothing to parametrise
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines()[1:]:
        assert "#" in line, f"undocumented parameter: {line}"


def _glued(path) -> dict:
    """The values a notebook executed by papermill glued, by key (strings as glued)."""
    import ast
    import json

    out = {}
    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if key and text is not None:
                try:
                    out[key] = ast.literal_eval(text)
                except (ValueError, SyntaxError):  # a figure's plain-text stand-in
                    out[key] = text
    return out


def test_papermill_parameters_change_the_numbers(tmp_path):
    """A reviewer's re-run: the caseness chapter with the speed exclusion at 0 minutes shows new numbers,
    computed through the same engine (and spelled as the options are)."""
    import papermill as pm

    from analysis.options import Options
    from analysis.store import results_for

    out = tmp_path / "caseness.ipynb"
    pm.execute_notebook(str(ROOT / "book/results/caseness.ipynb"), str(out), parameters={"exclusion_minutes": 0.0},
                        cwd=str(ROOT / "book/results"), progress_bar=False, kernel_name="python3")
    glued = _glued(out)
    everyone = results_for(options=Options(exclusion_minutes=0.0)).values
    paper = results_for().values
    assert glued["n_t1"] == str(everyone["n_t1"]) != str(paper["n_t1"])
    assert glued["exclusion_minutes"] == "0"


def test_methods_text_follows_the_parameters(tmp_path):
    """A re-run of a chapter with other choices describes the methods it ran, not the paper's: the growth
    chapter with listwise deletion and expected information, theory area 1 with one-tailed Welch tests."""
    import papermill as pm

    from bookkit.interpret import METHOD_WORDS

    runs = {"growth": {"growth_missing": "listwise", "growth_information": "expected"},
            "theory-area-1": {"tails": 1, "ttest": "welch"}}
    for name, parameters in runs.items():
        out = tmp_path / f"{name}.ipynb"
        pm.execute_notebook(str(ROOT / f"book/results/{name}.ipynb"), str(out), parameters=parameters,
                            cwd=str(ROOT / "book/results"), progress_bar=False, kernel_name="python3")
        glued = _glued(out)
        source = "".join("".join(c["source"]) for c in nbformat.read(out, as_version=4).cells
                         if c.cell_type == "markdown")
        for choice, level in parameters.items():
            assert glued[f"method_{choice}"] == METHOD_WORDS[choice][level], (name, choice)
            assert f"{{glue:text}}`method_{choice}`" in source, (name, choice)


def test_textbox_1_is_quoted_as_printed(paper_text):
    """Textbox 1 keeps the paper's two theory-area headings and its 'CMO n:' labels, verbatim."""
    text = cmo.textbox_markdown(1)
    headings = re.findall(r"^\*\*(Theory area: [^*]+)\*\*$", text, flags=re.M)
    assert headings == ["Theory area: mental health self-efficacy", "Theory area: social connection"]
    for heading in headings:
        assert heading in paper_text
    for n in range(1, 6):
        assert f"**CMO {n}:**" in text and f"CMO {n}:" in paper_text


def test_no_chapter_repeats_another_chapters_code():
    """Chapters share code through the package: apart from the one setup call, no code cell (nor any
    block of five or more lines) appears in two notebooks."""
    setup_cell = "from bookkit import chapter\n\nch = chapter.setup(globals())"
    seen: dict[str, str] = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
            if cell.source.strip() == setup_cell:
                continue
            for i in range(len(lines) - 4):
                block = "\n".join(lines[i : i + 5])
                other = seen.setdefault(block, path.name)
                assert other == path.name, f"{path.name} repeats five lines of {other}:\n{block}"


# ---- the program-theory diagram against the paper's text ----------------------------------------

def loose(text: str) -> str:
    """Whitespace collapsed and curly quote marks straightened (computed here, not by bookkit)."""
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return normalise(text)


def drawn_edges():
    from bookkit import diagram

    return diagram.graph(diagram.load_cmo())[2]


DRAWN = drawn_edges()


@pytest.mark.parametrize("edge", DRAWN, ids=[f"{e.pathway}: {e.tail} -> {e.head}" for e in DRAWN])
def test_each_drawn_edge_quotes_the_paper(edge, paper_text):
    """Each arrow of the diagram has a passage of the paper quoting both its ends: the passage is found
    verbatim in the paper (its "[...]"-separated pieces in order), a phrase of each end node is in it,
    and a passage from a textbox is inside one of that textbox's statements."""
    from bookkit import diagram

    text = loose(paper_text)
    pieces = [loose(p) for p in edge.source.split("[...]") if p.strip()]
    at = 0
    for piece in pieces:
        assert piece in text[at:], f"{edge.where}: {piece[:60]!r} is not in the paper (after the piece before)"
        at = text.index(piece, at) + len(piece)
    pathway = next(pw for pw in diagram.load_cmo()["pathways"] if pw["id"] == edge.pathway)
    nodes = {n["node"]: n for col in ("context", "mechanism", "outcome") for n in pathway[col]}
    for end in (edge.tail, edge.head):
        assert any(loose(q) in piece for q in nodes[end]["quote"] for piece in pieces), (end, edge.source)
    box = re.fullmatch(r"Textbox ([2-5])", edge.where)
    if box:
        statements = [loose(c["statement"]) for c in cmo.configurations(textbox=int(box.group(1)))]
        assert any(all(p in s for p in pieces) for s in statements), edge.where
    else:
        assert all(p in _under_headings(edge.where) for p in pieces), edge.where


#: headings that end a subsection of the Results or Discussion in the paper's text
SECTION_ENDS = ("Survey", "Interviews", "Forum Posts", "Overview", "Overall Program Theory", "Discussion",
                "Interpretation of Findings", "Strengths and Limitations", "Conclusions")


def _under_headings(where: str) -> str:
    """The paper's text after the headings "A > B > C" (whole lines, in order) up to the next subsection or
    theory-area heading (computed here, not by bookkit)."""
    lines = PAPER.read_text(encoding="utf-8").splitlines()
    at = -1
    for heading in where.split(" > "):
        at = lines.index(heading, at + 1)
    end = next((i for i in range(at + 1, len(lines))
                if lines[i] in SECTION_ENDS or lines[i].startswith("Theory Area")), len(lines))
    return loose("\n".join(lines[at + 1:end]))


LABELS = {"context": ("(context)", "(contexts)"),
          "mechanism": ("(mechanism—resource)", "(mechanism—resources)", "(mechanism—reasoning)",
                        "(mechanism—response)"),
          "outcome": ("(outcome)", "(outcomes)")}


def test_diagram_categories_are_the_ones_the_textboxes_label():
    """A node drawn from a textbox sits in the column that the textbox's own label (the first
    parenthesis after the quoted phrase) names, e.g. true anonymity is a mechanism (resource) in
    Textbox 5 (issue 21)."""
    checked = 0
    for pw in cmo.load()["pathways"]:
        for src in pw["sources"]:
            if not re.fullmatch(r"Textbox [2-5]", src["where"]):
                continue
            passage = loose(src["quote"])
            for col, labels in LABELS.items():
                for node in pw[col]:
                    for phrase in map(loose, node["quote"]):
                        if phrase in passage:
                            after = passage[passage.index(phrase) + len(phrase):]
                            label = re.search(r"\([^()]*\)", after)
                            assert label and label.group(0) in labels, (pw["id"], node["node"], phrase)
                            checked += 1
    assert checked >= 25, checked


def test_diagram_draws_the_papers_harms_and_area_4_on_its_own():
    """Issue 17, item 8: harmful pathways for theory areas 1 (triggering content), 2 (unanswered and
    removed posts) and 3 (responsibility); area 4's outcome is its own; Textbox 5's resource of control
    over responses is drawn as a mechanism."""
    from bookkit import diagram

    doc = cmo.load()
    columns, areas, edges = diagram.graph(doc)
    harmful = {}
    for e in edges:
        if e.harmful:
            harmful.setdefault(e.area, set()).update({e.tail, e.head})
    assert set(harmful) == {"self-efficacy", "understanding-acceptance", "helping-others"}
    assert {"Distress"} <= harmful["self-efficacy"]
    area_2 = {"Post unanswered: feeling rejected", "Post taken down", "More stigma"}
    assert area_2 <= harmful["understanding-acceptance"]
    catharsis_outcomes = {e.head for e in edges if e.area == "catharsis" and e.head in columns["outcome"]}
    assert catharsis_outcomes and all(areas[o] == {"catharsis"} for o in catharsis_outcomes)
    resource = "True anonymity; control over responses"
    assert resource in columns["mechanism"]
    node = next(n for pw in doc["pathways"] for n in pw["mechanism"] if n["node"] == resource)
    assert any("control the responses" in q for q in node["quote"])
    assert not any("anonym" in c.lower() for c in columns["context"])
    assert any(len(a) > 1 for a in areas.values())  # areas meet at shared nodes


def _mutated(change):
    import copy

    from bookkit import diagram

    doc = copy.deepcopy(diagram.load_cmo())
    change({pw["id"]: pw for pw in doc["pathways"]})
    return doc


def _move_anonymity_to_context(pws):
    pws["TB5"]["context"].append(pws["TB5"]["mechanism"].pop(0))


def _drop_discussion_quotes(pws):
    mechanism = pws["area2-unanswered"]["mechanism"][0]
    mechanism["quote"] = mechanism["quote"][:1]  # the Results phrase only: nothing ties it to "more stigmatized"


def _misquote_passage(pws):
    src = pws["area1-triggering"]["sources"][0]
    src["quote"] = src["quote"].replace("a lot of distress", "some distress")


def _wrong_section(pws):
    pws["area1-triggering"]["sources"][0]["where"] = "Results > Theory Area 3: Connection—Helping Others > Interviews"


def _phrase_not_in_passage(pws):
    pws["TB4-harm"]["outcome"][0]["quote"] = ["harming their own well-being"]


@pytest.mark.parametrize("change, message", [
    (_move_anonymity_to_context, "drawn as a context, but Textbox 5 labels"),
    (_drop_discussion_quotes, "no passage quotes both ends"),
    (_misquote_passage, "not verbatim in the paper"),
    (_wrong_section, "is not in 'Results > Theory Area 3"),
    (_phrase_not_in_passage, "in none of its passages"),
])
def test_a_diagram_the_paper_does_not_support_is_refused(change, message):
    from bookkit import diagram

    with pytest.raises(ValueError, match=re.escape(message)):
        diagram.graph(_mutated(change))


def test_the_page_lists_every_pathway_with_its_passages():
    """The folded list under the diagram names each pathway's boxes and quotes each of its passages, with
    where it is and the attribution."""

    text = cmo.sources_markdown()
    assert text.startswith(":::{dropdown}") and text.rstrip().endswith(":::")
    for pw in cmo.load()["pathways"]:
        for col in ("context", "mechanism", "outcome"):
            assert all(n["node"] in text for n in pw[col]), pw["id"]
        for src in pw["sources"]:
            assert f"> {loose(src['quote'])}" in text and f"({src['where']})" in text, pw["id"]
    assert "harmful pathway" in text and "CC BY 4.0" in text
