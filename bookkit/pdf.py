"""``make pdf``: the whole book as one PDF, printed by the Chromium the browser test uses (no LaTeX).

Jupyter Book renders the book as a single HTML page (Sphinx's ``singlehtml`` builder, from the same
execution cache, so nothing is re-executed), and headless Chromium prints it through Playwright with the
book's print stylesheet (``book/_static/ipof.css``: wide tables wrap instead of being cut off, figures
and tables keep their numbers). Output: ``_build/pdf/book.pdf``.
"""

from __future__ import annotations

import functools
import http.server
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
            tab.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                    header_template="<span></span>",
                    footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                    margin={"top": "15mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
            browser.close()
    finally:
        server.shutdown()
    return out


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
