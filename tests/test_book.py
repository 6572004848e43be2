"""The built site (make book): every chapter, computed numbers, verdicts, figures, tables, CMO textboxes,
notices, references, privacy. Every check reads the data the book was built from (``$IPOF_DATA`` or the
twin), so ``IPOF_DATA=FILE make test`` checks a book built from FILE."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from analysis import audit, paths
from analysis.conclusions import CONCLUSIONS
from analysis.engine import file_sha256
from bookkit import claims, cmo, fmt, interpret, verdicts, words

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def page_text(site: Path, doc: str) -> str:
    raw = (site / f"{doc}.html").read_text(encoding="utf-8")
    main = raw[raw.find("<main") :]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture(scope="session")
def results(site):
    """The manifest the site was built from; it must belong to the survey this test run names."""
    import json

    values = json.loads((ROOT / "_build" / "results" / "book-manifest.json").read_text())
    survey = paths.survey_file()
    assert values["data_sha256"] == file_sha256(survey), (
        f"the site was built from {values['data_file']}, not {survey}: run `make book` with the same IPOF_DATA"
    )
    return values


def test_every_chapter_is_built(site):
    files = toc_files()
    assert len(files) >= 29
    missing = [f for f in files if not (site / f"{f}.html").exists()]
    assert not missing


@pytest.mark.parametrize(
    "doc,key",
    [
        ("book/results/participants", "n_t1"),
        ("book/results/caseness", "caseness_n_cases"),
        ("book/results/caseness", "caseness_chi2"),
        ("book/results/growth", "gad_t1_mean"),
        ("book/results/growth", "gad_lgcm_slope_mean"),
        ("book/results/theory-area-1", "r_selfeff_help"),
        ("book/results/theory-area-1", "t_safe_total"),
        ("book/results/theory-area-1", "t_selfeff_total"),
        ("book/results/theory-area-2", "n_agree_help_isolated"),
        ("book/discussion/summary", "phq_lgcm_slope_mean"),
    ],
)
def test_computed_numbers_are_on_the_page(site, results, doc, key):
    """The engine's value, formatted as every page formats that key, is what the page shows."""
    expected = fmt.format_value(key, results)
    assert expected in page_text(site, doc), f"{key} = {expected} not on {doc}"


@pytest.mark.parametrize("conclusion", CONCLUSIONS, ids=[c.id for c in CONCLUSIONS])
def test_every_interpretation_is_the_one_its_numbers_choose(site, results, conclusion):
    """The sentence a page prints for a conclusion is the one its rule picks for the built data, followed by
    its effect size, 95% interval and P, and the opposite sentence is nowhere on that page."""
    text = page_text(site, f"book/{verdicts.section(conclusion)}")
    chosen = verdicts.sentence(conclusion, results)
    bare = lambda s: re.sub(r"[\s‡≠]", "", s)  # noqa: E731 (numbers are spans with their ledger marks)
    assert bare(interpret.verdict_text(conclusion.id, results)) in bare(text), (conclusion.id, chosen)
    assert f"{verdicts.wording(conclusion).effect} = " in interpret.verdict_text(conclusion.id, results)
    assert "95% CI [" in interpret.verdict_text(conclusion.id, results)
    for other in verdicts.sentences(conclusion):
        if other != chosen and other not in chosen:
            assert other not in text, (conclusion.id, other)


def test_majority_words_follow_the_shares(site, results):
    text = page_text(site, "book/results/participants")
    for key in ("n_female", "n_white", "n_reason_self", "n_use_over_1_month"):
        assert f"{words.share(results[key], results['n_t1'])} " in text, key


def test_figures_load_and_have_alt_text(site):
    for doc in (
        "book/results/participants",
        "book/results/caseness",
        "book/results/growth",
        "book/results/program-theory",
        "book/appendices/appendix-8-correlations",
    ):
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        images = re.findall(r"<img[^>]*>", raw)
        assert images, doc
        for tag in images:
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and len(alt.group(1)) > 20, (doc, tag)
            src = re.search(r'src="([^"]+)"', tag).group(1)
            assert (site / doc).parent.joinpath(src).resolve().exists(), (doc, src)
        assert "<figcaption" in raw


def test_cmo_textboxes_and_design_implications_are_rendered_from_the_data(site):
    methods = page_text(site, "book/methods/initial-theories")
    for c in cmo.configurations(textbox=1):
        assert c["statement"][:80] in methods, c["id"]
    for number, doc in [(2, "theory-area-1"), (3, "theory-area-2"), (4, "theory-area-3"), (5, "theory-area-4")]:
        text = page_text(site, f"book/results/{doc}")
        assert f"Textbox {number}." in text
        for c in cmo.configurations(textbox=number):
            assert c["statement"][:80] in text, c["id"]
        assert "Initial theory (Textbox 1)" in text
    summary = page_text(site, "book/discussion/summary")
    for block in cmo.load_design()["areas"]:
        for item in block["implications"]:
            assert item[:60] in summary


TWIN_CLAIMS = (
    "computed from a synthetic twin",
    "The survey numbers come from a synthetic twin",
    "This book is built from a synthetic twin",
)


def test_every_page_names_its_data_truly(site, results):
    """Pages with survey numbers carry the notice of the data actually read; no page claims the twin
    unless the data are the twin."""
    twin = results["data_is_twin"]
    for doc in toc_files():
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        text = page_text(site, doc)
        if not twin:
            assert not any(phrase in text for phrase in TWIN_CLAIMS), doc
        shows_numbers = 'class="pasted-text"' in raw or 'class="ipof-result"' in raw
        if shows_numbers and doc not in {"book/results/program-theory", "book/audit"}:
            assert ("Synthetic data" in text) if twin else (f"computed from {results['data_file']}" in text), doc
    intro = page_text(site, "book/intro")
    assert (TWIN_CLAIMS[1] in intro) == twin


def test_no_survey_statistic_is_typed_into_markdown(results):
    """Every survey number in the prose is glued: none of the engine's key results appears typed."""
    keys = [
        "caseness_chi2",
        "gad_t1_mean",
        "gad_t1_sd",
        "phq_t1_mean",
        "phq_t1_sd",
        "gad_lgcm_slope_mean",
        "phq_lgcm_slope_mean",
        "r_selfeff_help",
        "r_selfeff_mod",
        "t_safe_total",
        "t_selfeff_total",
        "d_safe_total",
        "d_selfeff_total",
    ]
    typed = []
    for md in (ROOT / "book").rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        for key in keys:
            for decimals in (2, 3):
                value = f"{abs(results[key]):.{decimals}f}"
                if re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text):
                    typed.append((md.name, key, value))
    assert not typed


def test_every_reference_is_listed(site):
    raw = (site / "book/references.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="id\d+" role="listitem">', raw)
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    cited = set(
        re.findall(
            r"\{cite:[pt]\}`([^`]+)`",
            "".join(
                p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.*") if p.suffix in {".md", ".ipynb"}
            ),
        )
    )
    keys = {k.strip() for group in cited for k in group.split(",")}
    assert keys <= set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M))
    assert len(entries) == len(keys) >= 39


def test_appendix_tables_are_downloadable(site):
    """Each appendix table links a CSV download whose content is that table (a data: URI)."""
    import base64
    import csv
    import io

    expected = {
        "book/appendices/appendix-3-reliability": "appendix-3-reliability",
        "book/appendices/appendix-5-sample": "appendix-5-sample-description",
        "book/appendices/appendix-7-growth": "appendix-7-growth-estimates",
        "book/appendices/appendix-8-correlations": "appendix-8-correlations",
        "book/appendices/appendix-9-ttests": "appendix-9-ttests",
        "book/reproduction-report": "reproduction-report",
    }
    for doc, name in expected.items():
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        link = re.search(rf'download="{name}.csv" href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', raw)
        assert link, doc
        rows = list(csv.reader(io.StringIO(base64.b64decode(link.group(1)).decode("utf-8"))))
        assert len(rows) > 2 and len(rows[0]) > 2


def test_computed_numbers_link_to_their_report_row(site):
    report = (site / "book/reproduction-report.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="(claim-c\d+)"', report))
    assert len(anchors) >= 60
    linked = 0
    for doc in (
        "book/results/participants",
        "book/results/caseness",
        "book/results/growth",
        "book/results/theory-area-1",
        "book/results/theory-area-2",
    ):
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        targets = re.findall(r'class="claim-link[^"]*" href="[^"#]*reproduction-report.html#(claim-c\d+)"', raw)
        assert targets, doc
        assert set(targets) <= anchors
        linked += len(targets)
    assert linked >= 50  # the numbers inside a verdict's parentheses are plain text, not links


class _ShownNumbers(HTMLParser):
    """Every number a role or a glue pasted (``<span class="ipof-shown ipof-key-KEY">``): its key, text, the
    claim it links to and its marks; and how many marks stand outside such a span."""

    VOID = {"br", "img", "hr", "wbr", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []
        self.stray_marks = 0
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        marks = [m for m, c in (("‡", "ipof-invented"), ("≠", "ipof-replaced")) if c in classes]
        if self._depth:
            if tag not in self.VOID:
                self._depth += 1
            item = self.items[-1]
            anchor = re.search(r"reproduction-report\.html#claim-(c\d+)$", attrs.get("href") or "")
            if anchor:
                item["claim"] = anchor.group(1).upper()
            item["marks"] += marks
        elif "ipof-shown" in classes:
            key = next(c.removeprefix("ipof-key-") for c in classes if c.startswith("ipof-key-"))
            self.items.append({"key": key, "claim": None, "marks": [], "text": ""})
            self._depth = 1
        elif marks:
            self.stray_marks += 1

    def handle_endtag(self, tag):
        if self._depth and tag not in self.VOID:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.items[-1]["text"] += data


def shown_numbers(site: Path) -> dict[str, _ShownNumbers]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _ShownNumbers()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.items or parser.stray_marks:
            pages[str(path.relative_to(site).with_suffix(""))] = parser
    return pages


def expected_mark(key: str, values: dict) -> list[str]:
    """The ledger's mark for a shown key (conventions in bookkit.claims.published_claim and
    bookkit.directives.claim_link): ‡ on a twin survey number the paper does not publish, ≠ on a published
    number these data do not reproduce, none otherwise."""
    if claims.published_claim(key, values) is None:
        return ["‡"] if values.get("data_is_twin") and fmt.from_survey(key) else []
    return ["≠"] if claims.shown_status(key, values) == "differs" else []


def test_every_mark_follows_the_ledger(site, results):
    """Each number shown in the text carries the mark the ledger decides, and links to the claim it is."""
    pages = shown_numbers(site)
    items = [(doc, item) for doc, parser in pages.items() for item in parser.items]
    assert len(items) >= 80 and {"book/results/theory-area-1", "book/results/growth"} <= set(pages)
    for doc, parser in pages.items():
        assert parser.stray_marks == 0, f"{doc}: a mark not set by claim_link"
    for doc, item in items:
        key = item["key"]
        assert item["marks"] == expected_mark(key, results), (doc, key, item["text"], item["marks"])
        assert item["claim"] == claims.published_claim(key, results), (doc, key, item["text"], item["claim"])
    if results.get("data_is_twin"):  # the cases, on the twin the book ships
        marks = {(doc, item["key"]): item["marks"] for doc, item in items}
        t1, growth, participants = "book/results/theory-area-1", "book/results/growth", "book/results/participants"
        assert marks[(t1, "p_safe_total")] == [] and marks[(t1, "p_selfeff_mod")] == []
        assert marks[(growth, "gad_lgcm_df")] == [] and marks[(growth, "phq_lgcm_df")] == []
        assert marks[(participants, "n_use_daily")] == ["≠"] and marks[(participants, "n_excluded_speed")] == ["‡"]
        assert all(marks[(doc, "caseness_pct")] == [] for doc, k in marks if k == "caseness_pct")


def _table_rows(raw: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', raw, flags=re.S)
    assert table, table_id
    return [
        [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), flags=re.S)
    ]


def test_chapters_report_and_audit_agree_on_every_claim(site, results):
    """For every claim a chapter shows, the chapter's link and mark say what the report's status says; and the
    report lists, for every claim, exactly the audit's flags on it (C090: reproduced by the two-tailed P, and
    flagged by the audit for the declared 1-tailed tests)."""
    report_rows = [r for r in _table_rows((site / "book/reproduction-report.html").read_text("utf-8"), "tbl-claims")
                   if r]
    status = {row[0][0]: " ".join(row[1]) for row in report_rows}
    report_flags = {row[0][0]: set(re.findall(r"A\d{3}", " ".join(row[4]))) for row in report_rows}
    assert len(status) >= 110 and set(status.values()) <= set(claims.STATUSES)
    shown = 0
    for doc, parser in shown_numbers(site).items():
        if doc == "book/reproduction-report":
            continue
        for item in parser.items:
            if item["claim"] is None:
                continue
            shown += 1
            differs = status[item["claim"]] == "differs"
            assert ("≠" in item["marks"]) == differs and "‡" not in item["marks"], (doc, item, status[item["claim"]])
    assert shown >= 60
    audit_rows = [r for r in _table_rows((site / "book/audit.html").read_text("utf-8"), "tbl-audit") if r]
    audit_flags: dict[str, set] = {claim_id: set() for claim_id in status}
    graded = 0
    for row in audit_rows:
        check_id, verdict, grade = row[0][0], " ".join(row[1]), " ".join(row[2])
        if verdict == "inconsistent":
            assert grade in audit.GRADES, (check_id, grade)
            graded += 1
            for claim_id in re.findall(r"C\d{3}", " ".join(row[5])):
                audit_flags[claim_id].add(check_id)
        else:
            assert grade == "", check_id
    assert graded >= 10
    assert report_flags == audit_flags
    assert "A032" in report_flags["C090"]  # the audit's flag is about the paper, whatever the data
    if results.get("data_is_twin"):
        assert status["C090"] != "differs"


def test_report_and_audit_chapters_show_their_summaries(site):
    report = page_text(site, "book/reproduction-report")
    assert re.search(r"Of \d+ claims, \d+ are reproduced", report)
    audit_page = page_text(site, "book/audit")
    assert re.search(r"Of \d+ checks, \d+ find the printed numbers inconsistent", audit_page)
    assert re.search(r"Flags by grade: inconsistent, \d+ ; inconsistent only under a stated assumption, \d+ ; "
                     r"rounding or truncation, \d+ \.", audit_page)
    robustness = page_text(site, "book/robustness")
    for heading in (
        "Student or Welch",
        "continuity correction",
        "Speed exclusion",
        "missing waves",
        "Subscale scoring",
    ):
        assert heading in robustness
    multiverse = page_text(site, "book/multiverse")
    assert re.search(r"Of the \d+ specifications, \d+ could not be estimated", multiverse)


def test_site_holds_no_respondent_ids(site, results):
    """No row-level data: none of the built survey's own record ids appears anywhere in the site.

    Ids that are too short to be told apart from ordinary numbers (under 5 characters, digits only)
    cannot be searched for; the test says so if the file has only such ids.
    """
    import pandas as pd

    ids = {str(i) for i in pd.read_csv(paths.survey_file(), usecols=["record_id"], dtype=str)["record_id"]}
    distinctive = {i for i in ids if len(i) >= 5 or not i.isdigit()}
    if not distinctive:
        pytest.skip("the survey's record ids are short numbers, indistinguishable from other numbers")
    token = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9]|[A-Za-z0-9]")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".json", ".csv", ".ipynb", ".md", ".svg"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            found = set(token.findall(text)) & distinctive
            assert not found, (path, sorted(found)[:3])


COMPUTED_PAGES = [
    "book/results/participants",
    "book/appendices/appendix-3-reliability",
    "book/appendices/appendix-5-sample",
    "book/appendices/appendix-7-growth",
    "book/appendices/appendix-8-correlations",
    "book/appendices/appendix-9-ttests",
    "book/robustness",
    "book/multiverse",
]


@pytest.mark.parametrize("doc", COMPUTED_PAGES)
def test_tables_are_typeset_as_a_journal_does(site, doc):
    """Every table is numbered and captioned; cells hold no True/False, no six-decimal number, no
    '.0' count, no 'nan', and suppressed cells use the one symbol."""
    raw = (site / f"{doc}.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", raw, flags=re.S)
    assert tables, doc
    for table in tables:
        caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
        assert caption and re.search(r"Table \d+", html.unescape(re.sub(r"<[^>]+>", "", caption.group(1)))), doc
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)
        ]
        for cell in cells:
            assert cell not in {"True", "False", "nan", "suppressed", "withheld"}, (doc, cell)
            assert not re.fullmatch(r"[-−]?\d+\.\d{5,}", cell), (doc, cell)
        headers = [
            html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)
        ]
        counts = [i for i, h in enumerate(headers) if h == "n" or h.startswith("n ") or h.startswith("Time ")]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
            row_cells = [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            ]
            for i in counts:
                if i < len(row_cells):  # counts are whole numbers or the suppression symbol
                    assert re.fullmatch(r"[\d,]+|†|n/a", row_cells[i]), (doc, headers[i], row_cells[i])
