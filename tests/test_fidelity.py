"""The book retells the paper faithfully (issue 21).

1. Every quotation attributed to the paper is the paper's, verbatim: the block quotes of the book's pages
   (interview quotes and forum posts, each ending with the pseudonym the paper prints), the quotations and
   quoted phrases of ``data/cmo/evidence.yaml`` (inside the paper's section the item names), and every
   phrase the book's own prose puts in double quotation marks. Whitespace is collapsed and curly quote
   marks straightened; "[...]" marks each omission, and the pieces between markers must occur in order. A
   block quote's label must be the first label the paper prints after the quoted words, so a quotation
   cannot carry another speaker's pseudonym.
2. Where the book restates one of the paper's key hedged claims (:data:`HEDGED`), the hedge is kept: each
   listed hedge word appears in the paragraph of the book's page that restates the claim.

Everything in 1 and 2 is computed from the files (no bookkit), so the test does not share a mistake with the
code that renders the pages; the last tests check that renderer (``bookkit.cmo.evidence_markdown``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAPER_FILE = ROOT / "data" / "paper" / "lobban-2025-jmir-peer-online-forums.txt"
EVIDENCE_FILE = ROOT / "data" / "cmo" / "evidence.yaml"
OMISSION = "[...]"


def loose(text: str) -> str:
    """Whitespace collapsed, curly quote marks straightened, markdown emphasis of a word dropped."""
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip()


PAPER_RAW = PAPER_FILE.read_text(encoding="utf-8")
PAPER = loose(PAPER_RAW)


def find_in_order(quotation: str, text: str = PAPER) -> int:
    """End offset in ``text`` of the quotation's pieces (split at "[...]"), found in order; -1 if not."""
    at = 0
    for piece in (loose(p) for p in quotation.split(OMISSION)):
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, at)
        if found < 0:
            return -1
        at = found + len(piece)
    return at


#: Lines of the paper that end a subsection (for the sections evidence items name).
SECTION_ENDS = {"Survey", "Interviews", "Forum Posts", "Overview", "Overall Program Theory", "Discussion",
                "Summary of Findings", "Interpretation of Findings", "Strengths and Limitations", "Conclusions"}


def section_text(where: str) -> str:
    """The paper's text under the headings "A > B > C" (whole lines, in order) up to the next subsection."""
    lines = PAPER_RAW.splitlines()
    at = -1
    for heading in (h.strip() for h in where.split(">")):
        at = lines.index(heading, at + 1)
    end = next((i for i in range(at + 1, len(lines))
                if lines[i] in SECTION_ENDS or lines[i].startswith("Theory Area ")), len(lines))
    return loose("\n".join(lines[at + 1:end]))


# ------------------------------------------------------------------------------------------ the book's pages
def page_texts() -> dict[str, str]:
    """Every page of the book (markdown files; the markdown cells of notebooks), by path."""
    out = {}
    for path in sorted((ROOT / "book").rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if "/_" in rel or "_build" in rel:
            continue
        if path.suffix == ".md":
            out[rel] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            out[rel] = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return out


PAGES = page_texts()
LABEL = re.compile(r"\s*\[([A-Z][A-Za-z]+[0-9]*(?:[ _][0-9]+)?)\]\s*$")


def block_quotes():
    """(page, quotation, label) of every block quote ending with a pseudonym label, as the paper prints them."""
    for page, text in PAGES.items():
        block: list[str] = []
        for line in text.split("\n") + [""]:
            if line.startswith(">"):
                block.append(line[1:].strip())
                continue
            if block:
                quote = " ".join(block)
                m = LABEL.search(quote)
                if m:
                    yield page, quote[:m.start()].strip(), m.group(1)
                block = []


BLOCKS = list(block_quotes())


def test_the_pages_have_block_quotes():
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("page,quote,label", BLOCKS, ids=[f"{p}:{lab}:{q[:24]}" for p, q, lab in BLOCKS])
def test_each_block_quote_is_the_papers_with_its_label(page, quote, label):
    end = find_in_order(quote)
    assert end >= 0, f"{page}: not verbatim in the paper (pieces in order): {quote[:80]!r}"
    following = re.search(r"\[([^\]]+)\]", PAPER[end:])
    assert following and following.group(1) == label, (
        f"{page}: the paper labels this quotation [{following and following.group(1)}], the book [{label}]")


def test_a_cut_quotation_is_marked():
    """A quotation that stops before the paper's does (before its label) marks the cut with "[...]"."""
    unmarked = []
    for page, quote, label in BLOCKS:
        end = find_in_order(quote)
        rest = PAPER[end:].lstrip()
        if not rest.startswith(f"[{label}]") and not quote.rstrip().endswith(OMISSION):
            unmarked.append(f"{page} [{label}]: {quote[-50:]!r}")
    assert not unmarked, "cut without [...]:\n" + "\n".join(unmarked)


# ------------------------------------------------------------------------ phrases quoted in the book's prose
#: Pages whose prose retells the paper (the others quote code, options and the book's own labels).
PROSE_PAGES = [p for p in PAGES if p.startswith(("book/abstract", "book/intro", "book/methods/",
                                                  "book/discussion/", "book/results/theory-area",
                                                  "book/results/participants", "book/results/program-theory"))]
#: Quoted strings on those pages that are not the paper's words, each with why.
NOT_THE_PAPERS = {
}
QUOTED = re.compile(r"\"([^\"\n]+)\"|\u201c([^\u201d]+)\u201d")


def prose(text: str) -> str:
    """A page's prose: no block quotes, code, fenced blocks or roles."""
    text = re.sub(r"(?ms)^(```|:::).*?^\1\s*$", " ", text)
    text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\s+", " ", text)


def quoted_phrases():
    for page in PROSE_PAGES:
        for m in QUOTED.finditer(prose(PAGES[page])):
            phrase = (m.group(1) or m.group(2)).strip()
            if phrase not in NOT_THE_PAPERS:
                yield page, phrase


PHRASES = list(quoted_phrases())


def test_the_pages_quote_phrases():
    assert len(PHRASES) >= 20


@pytest.mark.parametrize("page,phrase", PHRASES, ids=[f"{p}:{q[:30]}" for p, q in PHRASES])
def test_each_quoted_phrase_is_the_papers(page, phrase):
    assert find_in_order(phrase) >= 0, f"{page}: {phrase!r} is not the paper's wording"


# ----------------------------------------------------------------------------------- data/cmo/evidence.yaml
EVIDENCE = yaml.safe_load(EVIDENCE_FILE.read_text(encoding="utf-8"))
ITEMS = [(cid, i, item) for cid, items in EVIDENCE["configurations"].items() for i, item in enumerate(items)]


def test_every_refined_configuration_has_evidence_from_the_interviews():
    cmo = yaml.safe_load((ROOT / "data" / "cmo" / "cmo.yaml").read_text(encoding="utf-8"))
    refined = {c["id"] for c in cmo["configurations"] if c["kind"] != "initial"}
    assert set(EVIDENCE["configurations"]) == refined
    for cid in refined:
        strands = {item["strand"] for item in EVIDENCE["configurations"][cid]}
        assert "interviews" in strands and "forum posts" in strands, cid


@pytest.mark.parametrize("cid,i,item", ITEMS, ids=[f"{c}-{i + 1}-{it['strand']}" for c, i, it in ITEMS])
def test_each_evidence_item_is_in_the_section_it_names(cid, i, item):
    text = section_text(item["section"])  # raises if a heading is not in the paper
    if "quote" in item:
        end = find_in_order(item["quote"], text)
        assert end >= 0, f"{cid} item {i + 1}: quote not verbatim in {item['section']!r}"
        if item.get("label"):
            following = re.search(r"\[([^\]]+)\]", text[end:])
            assert following and following.group(1) == item["label"], (cid, i + 1, item["label"])
    for phrase in QUOTED.findall(item.get("summary", "")):
        phrase = phrase[0] or phrase[1]
        assert find_in_order(phrase, text) >= 0, f"{cid} item {i + 1}: {phrase!r} not in {item['section']!r}"
    for phrase in QUOTED.findall(item["supports"]):
        phrase = phrase[0] or phrase[1]
        assert find_in_order(phrase) >= 0, f"{cid} item {i + 1}: {phrase!r} is not the paper's"


def test_the_issues_evidence_is_there():
    """The interview evidence issue 21 found missing from the pages, each under its configuration."""
    want = {"TB2a": ["Chaffinch 001", "Sparrow2_003", "Jay_009"], "TB2b": ["Magpie_077"],
            "TB3b": ["Magpie_077", "Dunnock_73", "Magpie_100"], "TB4": ["Magpie_213", "Dunnock_196"]}
    for cid, labels in want.items():
        have = {item.get("label") for item in EVIDENCE["configurations"][cid]}
        assert set(labels) <= have, (cid, set(labels) - have)
    professional = " ".join(item.get("summary", "") for item in EVIDENCE["configurations"]["TB2a"])
    assert "actual psychiatry" in professional


# ------------------------------------------------------------------------------------------ hedges kept
#: The paper's key hedged claims: (id, the paper's sentence (verbatim), the book's page, a phrase locating the
#: restatement there, the hedge words that must appear in that paragraph).
HEDGED = [
    ("anxiety-slope", "There was some suggestion of a small decrease in anxiety scores over time, but not for "
     "depression, though further research would be needed to test the reliability of this finding",
     "book/abstract.md", "decrease in anxiety", ["some suggestion", "further research would be needed"]),
    ("anxiety-slope", "There was some suggestion of a small decrease in anxiety scores over time",
     "book/discussion/summary.md", "decrease in anxiety", ["some suggestion", "further research would be needed"]),
    ("forum-helps", "can help people find new ways to make sense of their mental health challenges",
     "book/abstract.md", "new ways to make sense", ["can help", "can lead"]),
    ("harms", "Negative impacts can occur if forums are difficult to navigate or if moderation is unresponsive, "
     "insensitive, or inadequate", "book/abstract.md", "unresponsive, insensitive", ["can occur", "can then"]),
    ("limited-access", "some of whom may have limited access to other forms of help", "book/abstract.md",
     "some of whom", ["may have limited access"]),
    ("self-efficacy", "can lead to greater self-efficacy", "book/discussion/summary.md", "greater self-efficacy",
     ["can lead"]),
    ("stigma", "can be very powerful in challenging stigma", "book/discussion/summary.md", "challenging stigma",
     ["can be very powerful"]),
    ("catharsis", "The act of writing about distressing or painful experiences can be cathartic",
     "book/discussion/summary.md", "cathartic", ["can be cathartic"]),
    ("gratitude-features", "are likely to reinforce ongoing use and reciprocity", "book/discussion/summary.md",
     "gratitude and feedback", ["are likely to reinforce ongoing use and reciprocity"]),
    ("less-prevalent", "Less prevalent in our data, but equally important to understand, are reported negative "
     "impacts", "book/discussion/summary.md", "negative impacts as", ["Less prevalent", "equally important"]),
    ("low-activity", "Low levels of activity can increase the likelihood of posts being left without a response",
     "book/discussion/summary.md", "Low activity", ["can increase the likelihood", "can then feel"]),
    ("vicious-cycle", "creating a vicious cycle that could ultimately end the forum", "book/discussion/summary.md",
     "vicious cycle", ["could ultimately end"]),
    ("we-propose", "We propose that the process of writing leads to a release", "book/results/theory-area-4.md",
     "process of writing", ["proposes"]),
    ("catharsis-useful", "This processing seems particularly useful for emotive issues",
     "book/results/theory-area-4.md", "emotive issues", ["suggests", "seems"]),
    ("generalizable", "the breadth of forums increases the likelihood that the program theories are generalizable",
     "book/discussion/interpretation.md", "breadth of forums", ["increases the likelihood", "at least in part"]),
    ("common-mechanisms", "Some mechanisms are likely common to all forms of peer support",
     "book/discussion/interpretation.md", "common to all forms", ["likely", "may be more specific"]),
    ("potentially", "peer online forums offer a potentially accessible, inclusive, effective, and relatively "
     "inexpensive option", "book/discussion/interpretation.md", "relatively inexpensive", ["potentially"]),
    ("umbrella", "suggest that individual face-to-face support from peer support workers employed in clinical "
     "services can enhance recovery-focused outcomes", "book/discussion/interpretation.md", "umbrella reviews",
     ["suggest", "can enhance"]),
    ("skewed", "likely skewed toward more active members", "book/discussion/interpretation.md",
     "more active members", ["likely skewed", "may have different views"]),
    ("white", "Participants were largely White and heterosexual, which may reflect the populations using forums",
     "book/discussion/interpretation.md", "White and heterosexual", ["may reflect"]),
    ("causal", "causal inference that this is due to forum use is limited", "book/discussion/interpretation.md",
     "causal inference", ["limited"]),
    ("impacts-vary", "it is likely that impacts vary depending on characteristics of users",
     "book/introduction.md", "wider context", ["likely"]),
    ("triggering", "This was most likely to happen when people are feeling vulnerable",
     "book/results/theory-area-1.ipynb", "feeling vulnerable", ["most", "likely", "could"]),
    ("offline-support", "This may be particularly true for people with lower levels of offline support",
     "book/results/theory-area-2.ipynb", "offline support", ["may be particularly important"]),
    ("anonymity-barrier", "may also be a barrier to feeling connected within the forum",
     "book/results/theory-area-2.ipynb", "barrier to feeling connected", ["may also be a barrier"]),
    ("moderated", "may serve to increase rather than decrease stigma and isolation",
     "book/results/theory-area-2.ipynb", "rationale is not clear", ["may serve to increase"]),
    ("key-context", "the key contextual factor across the data seemed to be how posts are responded to",
     "book/results/theory-area-2.ipynb", "key contextual", ["seemed"]),
    ("leaving", "probably resulting in them leaving", "book/results/program-theory.ipynb", "find little happening",
     ["probably"]),
]


def paragraph_with(page: str, anchor: str) -> str:
    text = PAGES[page]
    for paragraph in re.split(r"\n\s*\n", text):
        if anchor in loose(paragraph):
            return loose(paragraph)
    raise AssertionError(f"{page}: no paragraph restates the claim (anchor {anchor!r} not found)")


@pytest.mark.parametrize("cid,sentence,page,anchor,hedges", HEDGED, ids=[f"{h[0]}@{h[2]}" for h in HEDGED])
def test_each_hedge_of_a_key_claim_is_kept(cid, sentence, page, anchor, hedges):
    assert find_in_order(sentence) >= 0, f"{cid}: the claim is not the paper's sentence"
    paragraph = paragraph_with(page, anchor)
    missing = [h for h in hedges if h.lower() not in paragraph.lower()]
    assert not missing, f"{cid} on {page}: the restatement drops {missing}: {paragraph[:200]!r}"


# ------------------------------------------------------------------------------- the renderer of the evidence
@pytest.mark.parametrize("change,message", [
    (lambda d: d["configurations"].pop("TB5"), "exactly the configurations"),
    (lambda d: d["configurations"]["TB4"][0].update(strand="focus groups"), "strand"),
    (lambda d: d["configurations"]["TB4"][0].update(quote="x"), "either a quote or a summary"),
    (lambda d: d["configurations"]["TB4"][1].pop("section"), "section"),
])
def test_a_bad_evidence_file_is_refused(tmp_path, change, message):
    from bookkit import cmo

    doc = yaml.safe_load(EVIDENCE_FILE.read_text(encoding="utf-8"))
    change(doc)
    bad = tmp_path / "evidence.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        cmo.load_evidence(bad)


def test_the_evidence_marks_what_the_page_quotes_and_names_an_empty_strand():
    from bookkit import cmo

    page = "> I feel like I make a difference for other people and it makes me feel less useless because I feel"
    text = cmo.evidence_markdown("TB4", page)
    assert text.count("*(quoted above)*") == 1 and "[Starling_001] *(quoted above)*" in text
    quotes = sum("quote" in it for it in EVIDENCE["configurations"]["TB4"])
    assert f"This page quotes 1 of these {quotes} quotations" in text
    assert EVIDENCE["none_note"] in cmo.evidence_markdown("TB5")  # no survey evidence for catharsis
    for strand in ("Survey", "Interviews", "Forum posts"):
        assert f"**{strand}**" in text


@pytest.mark.parametrize("text,ok", [
    ("It was just me coming to that realization", True),
    ("It was just me coming [...] the way I was carrying myself", True),
    ("the way I was carrying myself [...] It was just me coming", False),  # pieces out of order
    ("I wanted to imitate that", False),
])
def test_the_quotation_check(text, ok):
    assert (find_in_order(text) >= 0) is ok
