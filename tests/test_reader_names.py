"""No machine names where a reader reads words: the built site's text names no analytic choice by its option
name, no level by its snake_case spelling and no conclusion by its id.

Allowed, because there the name is what a reader types or what the paper printed: code (``<pre>``, and
``<code>`` for options and levels, never for a conclusion id, which no reader types), the "Re-run this
chapter" box (commands and the values they take), quotations (block quotes, ``<q>``, and text in “curly
quotes”, e.g. the paper's item names), and the cells of the identifier columns of reference tables (a
codebook's "Variable", the ledger's "Results key").
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from analysis.conclusions import BY_ID
from analysis.options import CHOICES

#: Option names a reader could mistake for nothing but code (the others are English words: "tails").
OPTIONS = [name for name in CHOICES if "_" in name] + ["ttest", "sesoi", "yates"]
LEVELS = [str(v) for levels in CHOICES.values() for v in levels if isinstance(v, str) and "_" in v]
NAMES = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted({*OPTIONS, *LEVELS, *BY_ID}, key=len,
                                                                          reverse=True)) + r")(?![\w-])")
IDS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(BY_ID, key=len, reverse=True)) + r")(?![\w-])")
SKIP = {"pre", "code", "blockquote", "q", "script", "style"}
IDENTIFIER_COLUMNS = re.compile(r"^(Variable( \d)?|Results key.*|Option|Levels)$")
QUOTED = re.compile(r"“[^”]*”")


def machine_names(html: str) -> list[str]:
    """Each machine name in the page's article text outside code, quotations, the Re-run box and
    identifier columns, with a little context."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one(".bd-article") or soup
    for box in article.select(".ipof-rerun"):
        box.decompose()
    for table in article.select("table"):
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        for index, header in enumerate(headers):
            if IDENTIFIER_COLUMNS.match(header):
                for row in table.select("tbody tr"):
                    cells = row.find_all(["td", "th"], recursive=False)
                    if index < len(cells):
                        cells[index].clear()
    found = []
    for text in article.find_all(string=NAMES):
        parents = {p.name for p in text.parents}
        inline_code = "code" in parents and "pre" not in parents
        if SKIP & parents and not inline_code:
            continue
        names = IDS if inline_code else NAMES  # a reader types options and levels, never a conclusion id
        for m in names.finditer(QUOTED.sub(lambda q: " " * len(q.group(0)), str(text))):
            block = text.find_parent(["p", "td", "th", "li", "caption", "figcaption", "h1", "h2", "h3", "dd"])
            context = re.sub(r"\s+", " ", block.get_text() if block else str(text))
            found.append(f"{m.group(1)!r} in “{context[:120]}”")
    return found


def pages(site):
    return sorted((site / "book").rglob("*.html"))


def test_machine_names_are_found():
    """The check finds what it should, and leaves code, quotations and the Re-run box alone."""
    page = ('<div class="bd-article"><p>Which choice decides caseness_lower?</p><p>a <code>posted_6wk</code> '
            'and “visit_read” and ever_posted</p><blockquote><p>gad_fit</p></blockquote><p><code>gad_slope</code>'
            '</p><pre>phq_fit</pre><div class="ipof-rerun"><p>grouping: ever_posted</p></div>'
            '<table><thead><tr><th>Variable</th><th>What</th></tr></thead><tbody><tr><td>posted_6wk</td>'
            '<td>cmo1_mod</td></tr></tbody></table></div>')
    found = [f.split()[0] for f in machine_names(page)]
    assert found == ["'caseness_lower'", "'ever_posted'", "'gad_slope'", "'cmo1_mod'"], found


def test_no_machine_names_in_the_reader_text(site):
    problems = {}
    for page in pages(site):
        found = machine_names(page.read_text(encoding="utf-8"))
        if found:
            problems[str(page.relative_to(site))] = found[:5]
    if not pages(site):
        pytest.fail("no pages built")
    assert not problems, problems
