"""``make pdf``: the book as one PDF with an outline entry per chapter, a title block, page numbers and no
parameters cells (read back with pypdf)."""

from __future__ import annotations

import re

import pytest

from test_book import ROOT, toc_files


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(item.title)
    return titles


def _norm(text: str) -> str:
    """Compared without whitespace: Chromium joins a heading's wrapped lines without a space."""
    return re.sub(r"\s+", "", text.replace("\u2019", "'")).lower()


def _chapter_title(site, doc: str) -> str:
    raw = (site / f"{doc}.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)<", raw, flags=re.S)
    return _norm(h1.group(1))


@pytest.fixture(scope="module")
def book_pdf(site):
    from bookkit import pdf

    return pdf.print_pdf(pdf.single_page())


@pytest.mark.slow  # prints the whole book (about 25 s); CI's make pdf prints it on every push to main
def test_pdf_has_an_outline_entry_per_chapter(site, book_pdf):
    from pypdf import PdfReader

    titles = [_norm(t) for t in _outline_titles(PdfReader(book_pdf).outline)]
    missing = [doc for doc in toc_files() if not any(t.startswith(_chapter_title(site, doc)) for t in titles)]
    assert not missing, f"chapters without an outline entry: {missing}"


@pytest.mark.slow
def test_pdf_opens_with_a_title_block_and_numbers_its_pages(book_pdf):
    from pypdf import PdfReader

    from bookkit.present import commit

    reader = PdfReader(book_pdf)
    first = " ".join(reader.pages[0].extract_text().split())
    for part in ("Lobban F", "J Med Internet Res 2025;27:e79289", "10.2196/79289", commit()):
        assert part in first, part
    manifest = (ROOT / "_build" / "results" / "book-manifest.json").read_text(encoding="utf-8")
    sha = re.search(r'"data_sha256": "([0-9a-f]{64})"', manifest).group(1)
    assert sha[:32] in first.replace(" ", "")
    assert f"Page 2 of {len(reader.pages)}" in " ".join(reader.pages[1].extract_text().split())
    text = "".join(p.extract_text() for p in reader.pages)
    assert "# Parameters" not in text and "data_path: str" not in text


def test_outline_titles_are_the_headings_chromium_garbled():
    """Chromium joins a wrapped heading's lines without a space and may repeat the first line; the outline
    takes the heading's own text back."""
    from bookkit.pdf import _squeezed, outline_title

    heading = "Study approach, the PPI group and the forums"
    headings = {_squeezed(heading): heading}
    assert outline_title("Study approach, the PPI group andStudy approach, the PPI group andthe forums",
                         headings) == heading
    assert outline_title("Study approach, the PPI group andthe forums", headings) == heading
    assert outline_title("Something else", headings) == "Something else"
