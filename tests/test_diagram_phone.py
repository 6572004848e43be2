"""The program-theory diagram's phone variant: the wide diagram's boxes and arrows, one theory area under
another, narrow enough for a phone's column with no text below 11 px, and served to a phone in the book."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest

import test_browser
from bookkit import diagram

browser, server = test_browser.browser, test_browser.server  # the browser test's fixtures

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")

PHONE_COLUMN_PX = 350  # the content column of a 390 px phone
MIN_PX = 11


def layout(dot_source: str):
    """Boxes (id -> label, style, border, fill), visible arrows (tail id, head id, style, colour) and the
    drawing's width in points, as Graphviz laid them out (``-Tplain``: inches)."""
    boxes, arrows, width = {}, [], None
    for line in diagram.run_dot(dot_source, "plain").decode().splitlines():
        parts = shlex.split(line)
        if parts[0] == "graph":
            width = float(parts[2]) * 72
        elif parts[0] == "node" and parts[8] == "box":
            label = parts[6].replace("-\\n", "-").replace("\\n", " ")  # lines broken after a hyphen join up
            boxes[parts[1]] = (label, parts[7], parts[9].upper(), parts[10].upper())
        elif parts[0] == "edge":
            n = int(parts[3])
            if parts[4 + 2 * n] != "invis":
                arrows.append((parts[1], parts[2], parts[4 + 2 * n], parts[5 + 2 * n].upper()))
    return boxes, arrows, width


def drawn(dot_source: str):
    """{(tail label, head label): (style, colour)}, the boxes' styles by label, and the width in points."""
    boxes, arrows, width = layout(dot_source)
    edges = {}
    for tail, head, style, colour in arrows:
        key = (boxes[tail][0], boxes[head][0])
        assert edges.setdefault(key, (style, colour)) == (style, colour), key
    styles = {}
    for label, *style in boxes.values():
        assert styles.setdefault(label, tuple(style)) == tuple(style), label
    return edges, styles, width


@pytest.fixture(scope="module")
def wide():
    return drawn(diagram.program_theory_dot())


@pytest.fixture(scope="module")
def narrow():
    return drawn(diagram.program_theory_narrow_dot())


@needs_dot
def test_the_phone_variant_has_every_arrow_and_box_of_the_wide_one(wide, narrow):
    """Same arrows (ends, dashed or solid, colour), same boxes (border, fill, dashed) by their names."""
    assert len(narrow[0]) == len(diagram.graph(diagram.load_cmo())[2]) > 20
    assert narrow[0] == wide[0]
    assert narrow[1] == wide[1]
    assert any(style == "dashed" for style, _ in narrow[0].values())
    assert any(fill == "WHITE" for *_, fill in narrow[1].values())


@needs_dot
def test_a_shared_box_is_drawn_in_each_of_its_theory_areas_with_that_areas_arrows():
    doc = diagram.load_cmo()
    _, areas, edges = diagram.graph(doc)
    boxes, arrows, _ = layout(diagram.program_theory_narrow_dot())
    shared = {name for name, found in areas.items() if len(found) > 1}
    assert shared
    for name in shared:
        copies = [i for i, (label, *_) in boxes.items() if label == name]
        assert len(copies) == len(areas[name]), name
    # each arrow joins two boxes of one theory area's frame (ids a<k>n<m>)
    assert all(t.split("n")[0] == h.split("n")[0] for t, h, *_ in arrows)
    assert len(arrows) == len(edges)


@needs_dot
def test_the_phone_variant_fits_a_phone_with_text_of_at_least_11_px(wide, narrow):
    svg = diagram.program_theory_svg(narrow=True)
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg).group(1))
    assert width <= diagram.NARROW_MAX_PT < wide[2]
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    # shown at the column's width (or at its own, when narrower: 1 pt is then 1.33 px)
    shown = min(PHONE_COLUMN_PX / width, 96 / 72)
    assert sizes and min(sizes) * shown >= MIN_PX, (min(sizes), width)
    assert "Key" in svg and "Harmful pathway" in svg and "sans-serif" in svg
    for number in range(1, 5):  # each frame is titled with its theory area
        assert f"Theory area {number}:" in svg
    assert diagram.program_theory_svg(narrow=True) == svg  # the same bytes run to run


@needs_dot
def test_the_phone_variant_follows_the_order_of_theory_areas_top_to_bottom():
    boxes, _, _ = layout(diagram.program_theory_narrow_dot())
    tops = {}
    for line in diagram.run_dot(diagram.program_theory_narrow_dot(), "plain").decode().splitlines():
        parts = shlex.split(line)
        if parts[0] == "node" and parts[1] in boxes:
            area = int(parts[1][1:].split("n")[0])
            tops[area] = max(tops.get(area, 0.0), float(parts[3]))
    ordered = sorted(tops)
    assert ordered == [1, 2, 3, 4] and [tops[a] for a in ordered] == sorted(tops.values(), reverse=True)


# ---- in the built book, at a phone's width and a desktop's ----------------------------------------

SHOWN = """async () => {
  const img = document.querySelector("#fig-program-theory img");
  const box = img.getBoundingClientRect();
  const svg = await (await fetch(img.currentSrc)).text();
  const viewBox = parseFloat(svg.match(/viewBox="\\s*[-\\d.]+\\s+[-\\d.]+\\s+([\\d.]+)/)[1]);
  const sizes = [...svg.matchAll(/font-size="([\\d.]+)"/g)].map((m) => parseFloat(m[1]));
  const figure = img.closest("figure");
  return {src: img.currentSrc, left: box.left, right: box.right, minPx: Math.min(...sizes) * box.width / viewBox,
          key: svg.includes(">Key<"), vw: document.documentElement.clientWidth,
          page: document.documentElement.scrollWidth, scrolls: figure.scrollWidth > figure.clientWidth + 1};
}"""


@pytest.mark.parametrize("width", (390, 1280))
def test_the_program_theory_is_seen_whole_at_a_phones_width(browser, server, width):
    """At 390 px the page shows the phone variant whole (nothing outside the viewport, nothing to scroll
    sideways) with text of at least 11 px as displayed and its key; at 1280 px the wide one, key inside."""
    page, errors = test_browser.open_page(browser, server, "book/results/program-theory", width)
    shown = page.evaluate(SHOWN)
    page.close()
    assert not errors, errors
    assert shown["src"].endswith("-narrow.svg") == (width < 640), shown
    assert shown["left"] >= 0 and shown["right"] <= shown["vw"] and not shown["scrolls"], shown
    assert shown["page"] <= shown["vw"], shown
    assert shown["minPx"] >= MIN_PX and shown["key"], shown
