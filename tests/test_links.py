"""Every internal link of the built site resolves: its page exists and, when it names a fragment, the
page has an element with that id. Read from the HTML files (no browser), so it covers every page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, _Page]:
    return {p.resolve(): _parse(p) for p in site.rglob("*.html") if "_static" not in p.parts}


def test_every_internal_link_and_anchor_resolves(site, pages):
    broken = []
    for path, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html":
                if not target.exists():
                    broken.append(f"{path.relative_to(site.resolve())}: {href} (no such file)")
                continue
            if target not in pages:
                broken.append(f"{path.relative_to(site.resolve())}: {href} (no such page)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(site.resolve())}: {href} (no id {fragment!r} there)")
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(sorted(set(broken))[:40])


def test_the_site_has_a_favicon(site, pages):
    index = site / "book" / "intro.html"
    text = index.read_text(encoding="utf-8")
    assert 'rel="icon"' in text and "favicon" in text
    assert any((site / "_static").glob("favicon.*"))
