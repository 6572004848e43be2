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


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
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


def open_page(browser, server, doc):
    page = browser.new_page(viewport={"width": 1300, "height": 1800})
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


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_renders_cleanly(browser, server, doc):
    page, errors = open_page(browser, server, doc)
    assert not errors, errors
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
    )
    assert not broken, broken
    for handle in page.query_selector_all(".pasted-text"):
        assert handle.is_visible() and handle.inner_text().strip(), doc
    page.close()


def test_screenshots_for_ci(browser, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for doc, name in (("book/intro", "front-page"), ("book/results/growth", "results-growth")):
        page, _ = open_page(browser, server, doc)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
        page.close()
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000
