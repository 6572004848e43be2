"""The built site as a reader sees it, in headless Chromium (Debian's `chromium`, driven by Playwright).

Every chapter opens without console errors from the site itself, every image loads, and every glued
number is visible. Screenshots of the front page and a results page go to `_build/screenshots/`
(CI keeps them as artifacts). Requests to other hosts are blocked: the build machine has no internet,
and the book must not depend on it.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from test_book import toc_files

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_page(browser, server, doc, width=1300):
    page = browser.new_page(viewport={"width": width, "height": 1800 if width > 600 else 844})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    page.goto(f"{server}/{doc}.html", wait_until="load")
    own_errors = [e for e in errors if "net::ERR_FAILED" not in e]  # blocked requests to other hosts
    return page, own_errors


def computed(doc: str) -> bool:
    """A chapter that shows data: a notebook, or markdown with results, verdicts or the data notice."""
    if (ROOT / f"{doc}.ipynb").exists():
        return True
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    return any(marker in text for marker in ("{result}", "{verdict}", "{data-notice}", "{glue", "{multiverse}"))


# `make test` opens every chapter that shows data; the static ones (methods, references...) run in
# `make test-all` too, with the slow tests, to keep the default suite quick.
CHAPTERS = [doc if computed(doc) else pytest.param(doc, marks=pytest.mark.slow) for doc in toc_files()]


WIDTHS = (1280, 390)  # a desktop and a phone
MIN_FIGURE_PX = 11  # the smallest text of a figure, as displayed

# What a reader sees, measured in the page (every check returns a list of problems):
READER_CHECKS = r"""
async () => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw + 1)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport`);
  // tables: a caption each; a column out of sight only in a container that scrolls and says so
  for (const table of document.querySelectorAll(".bd-article table")) {
    const caption = table.querySelector("caption");
    const what = (caption || table).textContent.trim().slice(0, 60);
    if (!caption || !caption.textContent.trim()) problems.push(`table without a caption: ${what}`);
    if (!table.getClientRects().length) continue;
    const box = table.closest(".pst-scrollable-table-container") || table.parentElement;
    const right = Math.min(box.getBoundingClientRect().right, vw);
    const hidden = [...table.querySelectorAll("th, td")].some((c) => c.getBoundingClientRect().right > right + 1);
    if (hidden) {
      const cue = box.previousElementSibling;
      const scrolls = box.classList.contains("ipof-scrolls")
        && ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
      if (!(scrolls && cue && cue.classList.contains("ipof-scroll-cue") && !cue.hidden))
        problems.push(`table with columns out of sight and no scroll cue: ${what}`);
    }
  }
  // notebook leftovers: no parameters cell, no code cell source
  for (const cell of document.querySelectorAll(".tag_parameters, .tag_injected-parameters, .cell_input"))
    if (cell.getClientRects().length) problems.push(`code cell shown: ${cell.textContent.trim().slice(0, 60)}`);
  // anchors on this page
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute("href").slice(1));
    if (id && !document.getElementById(id)) problems.push(`link to a missing anchor #${id}`);
  }
  // figures: SVG, the smallest text as displayed (matplotlib's glyph paths or styled <text>, Graphviz's
  // <text>); a phone gets the <picture>'s narrow source, which currentSrc names
  for (const img of document.querySelectorAll(".bd-article figure img")) {
    const shown = img.getBoundingClientRect().width;
    const src = img.currentSrc || img.src;
    if (!shown) continue;
    if (!src.split("?")[0].endsWith(".svg")) {  // a raster's text cannot be measured, nor stays sharp
      problems.push(`figure is a raster image, not SVG: ${img.alt.slice(0, 60)} (${src.split("/").pop()})`);
      continue;
    }
    const svg = await (await fetch(src)).text();
    const box = svg.match(/viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)/);
    if (!box) { problems.push(`figure without a viewBox: ${src}`); continue; }
    const sizes = [...svg.matchAll(/scale\(([\d.]+) -\1\)/g)].map((m) => 100 * parseFloat(m[1]))
      .concat([...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => parseFloat(m[1])))
      .concat([...svg.matchAll(/font-size: ?([\d.]+)px/g)].map((m) => parseFloat(m[1])));  // text kept as text
    if (!sizes.length) { problems.push(`figure with no text found: ${src}`); continue; }
    const px = Math.min(...sizes) * shown / parseFloat(box[1]);
    const name = src.split("/").pop();
    if (px < MIN_PX) problems.push(`figure text ${px.toFixed(1)} px: ${img.alt.slice(0, 60)} (${name})`);
  }
  return problems;
}
""".replace("MIN_PX", str(MIN_FIGURE_PX))

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page (axe-playwright-python bundles axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
            for v in result.response["violations"]]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_reads_well(browser, server, doc, width):
    """At a desktop's and a phone's width: no console error, every image loads, every glued number shows;
    the page fits the viewport; every table has a caption, and a column out of sight only behind a scroll
    cue; no parameters or code cell; every anchor of the page resolves; figure text at least 11 px as
    displayed; and axe-core finds no WCAG 2.1 A/AA violation."""
    page, errors = open_page(browser, server, doc, width)
    assert not errors, errors
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
    )
    assert not broken, broken
    for handle in page.query_selector_all(".pasted-text"):
        assert handle.is_visible() and handle.inner_text().strip(), doc
    problems = page.evaluate(READER_CHECKS)
    assert not problems, f"{doc} at {width} px: " + "; ".join(problems)
    violations = axe_violations(page)
    assert not violations, f"{doc} at {width} px: " + "; ".join(violations)
    page.close()


def test_screenshots_for_ci(browser, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for doc, name in (("book/intro", "front-page"), ("book/results/growth", "results-growth")):
        page, _ = open_page(browser, server, doc)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
        page.close()
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000
