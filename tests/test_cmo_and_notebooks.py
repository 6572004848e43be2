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
