"""``make pdf``: the whole book as one PDF, printed by the Chromium the browser test uses (no LaTeX).

Jupyter Book renders the book as a single HTML page (Sphinx's ``singlehtml`` builder, from the same
execution cache, so nothing is re-executed), and headless Chromium prints it through Playwright with the
book's print stylesheet (``book/_static/ipof.css``: wide tables wrap instead of being cut off, figures
and tables keep their numbers). The PDF is tagged and has an outline (bookmarks) from the headings, opens
with a title block (the paper's authors, journal, DOI and date; the commit the book was built from and the
SHA-256 of its data) and numbers its pages in the footer. Output: ``_build/pdf/book.pdf``.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from analysis import paths

SINGLE = paths.ROOT / "_build" / "singlehtml"
OUT = paths.ROOT / "_build" / "pdf" / "book.pdf"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def single_page() -> Path:
    """Render the book as one HTML page; return it."""
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(paths.ROOT), "--builder", "singlehtml"], cwd=paths.ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
    # Sphinx writes the single page under the root document's folder (book/intro.html) but with links
    # relative to the output root: the copy at the root is the one whose images and styles resolve.
    page = SINGLE / "book.html"
    shutil.copy(SINGLE / "book" / "intro.html", page)
    return page


PAPER = {
    "title": "Impacts of Using Peer Online Forums in Mental Health: Realist Evaluation Using Mixed Methods",
    "authors": ("Lobban F, Caton N, Lindroos Cermakova A, Collins G, Glossop Z, Haines J, Jones S, Lodge C, "
                "Machin K, Marshall P, Meacock R, Rakić T, Rayson P, Robinson H, Rycroft-Malone J, Semino E, "
                "Shryane N, Tusting K"),
    "journal": "J Med Internet Res 2025;27:e79289",
    "doi": "10.2196/79289",
    "published": "1 October 2025",
}
MANIFEST = paths.ROOT / "_build" / "results" / "book-manifest.json"


def title_block() -> str:
    """The PDF's first page: the paper (authors, journal, DOI, date) and what this copy was built from."""
    from datetime import date

    from .present import commit

    values = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    data = values.get("data_file", "unknown")
    twin = " (the synthetic twin)" if values.get("data_is_twin") else ""
    e = html.escape
    return (
        '<section class="ipof-title-block" aria-label="Title page">'
        '<p class="ipof-title-kicker">A reproducible paper</p>'
        f'<p class="ipof-title">{e(PAPER["title"])}</p>'
        f'<p class="ipof-title-authors">{e(PAPER["authors"])}</p>'
        f'<p>{e(PAPER["journal"])}; published {e(PAPER["published"])}; '
        f'doi:<a href="https://doi.org/{PAPER["doi"]}">{PAPER["doi"]}</a>. CC BY 4.0.</p>'
        '<dl class="ipof-title-build">'
        f'<dt>Built</dt><dd>{date.today().isoformat()} from commit <code>{e(commit())}</code></dd>'
        f'<dt>Data</dt><dd><code>{e(str(data))}</code>{twin}, SHA-256 '
        f'<code>{e(str(values.get("data_sha256", "unknown")))}</code></dd>'
        '</dl></section>'
    )


TITLE_CSS = """
.ipof-title-block { break-after: page; padding-top: 30mm; font-size: 11pt; }
.ipof-title-block .ipof-title-kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 10pt; }
.ipof-title-block .ipof-title { font-size: 22pt; font-weight: 700; line-height: 1.2; margin: 4mm 0 6mm; }
.ipof-title-block .ipof-title-authors { font-size: 11pt; margin-bottom: 6mm; }
.ipof-title-block dl { margin-top: 14mm; font-size: 9.5pt; }
.ipof-title-block dt { font-weight: 700; }
.ipof-title-block dd { margin: 0 0 3mm; overflow-wrap: anywhere; }
"""

FOOTER = ('<div style="font-size:10px;width:100%;text-align:center;color:#333">'
          'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdf(page: Path, out: Path = OUT) -> Path:
    """Print ``page`` (served on loopback, no other host reachable) to an A4 PDF with page numbers."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    handler = functools.partial(_Quiet, directory=str(page.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            tab = browser.new_page()
            tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            tab.goto(f"{base}/{page.name}", wait_until="load")
            tab.emulate_media(media="print")
            tab.add_style_tag(content=TITLE_CSS)
            tab.evaluate("""block => {
                const main = document.querySelector("main .bd-article, main, body");
                main.insertAdjacentHTML("afterbegin", block);
            }""", title_block())
            tab.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                    header_template="<span></span>", footer_template=FOOTER, tagged=True, outline=True,
                    margin={"top": "15mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
            headings = tab.eval_on_selector_all("h1, h2, h3, h4", "els => els.map(e => e.textContent)")
            browser.close()
    finally:
        server.shutdown()
    fix_outline(out, headings)
    return out


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("#", ""))


def outline_title(title: str, headings: dict[str, str]) -> str:
    """An outline entry's title as the heading reads: Chromium joins a wrapped heading's lines without a
    space and sometimes repeats its first line ("Study approach, the PPI group andStudy approach, the PPI
    group andthe forums"); the heading whose text, without white space, the entry is (after dropping a
    repeated first part) gives the title back. ``headings`` maps squeezed text to the heading's text."""
    squeezed = _squeezed(title)
    if squeezed in headings:
        return headings[squeezed]
    for n in range(len(squeezed) // 2, 3, -1):
        if squeezed[n:].startswith(squeezed[:n]) and squeezed[n:] in headings:
            return headings[squeezed[n:]]
    return title


def fix_outline(path: Path, headings: list[str]) -> None:
    """Rewrite the PDF's outline titles with :func:`outline_title` (pypdf), in place."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    by_text = {_squeezed(h): re.sub(r"\s+", " ", h.replace("#", "")).strip() for h in headings}
    writer = PdfWriter(clone_from=PdfReader(path))
    root = writer._root_object
    stack = [root["/Outlines"].get_object().get("/First")] if "/Outlines" in root else []
    while stack:
        ref = stack.pop()
        if ref is None:
            continue
        item = ref.get_object()
        item[NameObject("/Title")] = TextStringObject(outline_title(str(item.get("/Title", "")), by_text))
        stack += [item.get("/Next"), item.get("/First")]
    with open(path, "wb") as f:
        writer.write(f)


def main() -> int:
    try:
        out = print_pdf(single_page())
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
