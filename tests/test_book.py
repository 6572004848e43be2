"""The built site (make book): every chapter, computed numbers, figures, CMO textboxes, notices, references."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from analysis import book, cmo, paths
from analysis.loading import load_survey
from analysis.reproduce import run_analysis

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def page_text(site: Path, doc: str) -> str:
    raw = (site / f"{doc}.html").read_text(encoding="utf-8")
    main = raw[raw.find("<main"):]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture(scope="session")
def results():
    return run_analysis(load_survey(paths.SYNTHETIC_TWIN)).results


def test_every_chapter_is_built(site):
    files = toc_files()
    assert len(files) == 28
    missing = [f for f in files if not (site / f"{f}.html").exists()]
    assert not missing


@pytest.mark.parametrize("doc,key,decimals", [
    ("book/results/participants", "n_t1", 0),
    ("book/results/caseness", "caseness_n_cases", 0),
    ("book/results/caseness", "caseness_chi2", 2),
    ("book/results/growth", "gad_t1_mean", 2),
    ("book/results/growth", "gad_lgcm_slope_mean", 3),
    ("book/results/theory-area-1", "r_selfeff_help", 3),
    ("book/results/theory-area-1", "t_safe_total", 3),
    ("book/results/theory-area-1", "t_selfeff_total", 3),
    ("book/results/theory-area-2", "n_agree_help_isolated", 0),
])
def test_computed_numbers_are_on_the_page(site, results, doc, key, decimals):
    """The engine's value, formatted as the page formats it, is what the page shows."""
    expected = book.fmt_num(results[key], decimals)
    assert expected in page_text(site, doc), f"{key} = {expected} not on {doc}"


def test_figures_load_and_have_alt_text(site):
    for doc in ("book/results/participants", "book/results/caseness", "book/results/growth",
                "book/results/program-theory", "book/appendices/appendix-8-correlations"):
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


def test_pages_with_survey_numbers_carry_the_synthetic_notice(site):
    for doc in toc_files():
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        if doc in {"book/results/program-theory", "book/audit"}:
            continue  # computed from the CMO data and from the paper's printed numbers, not from survey data
        if 'class="pasted-text"' in raw or (ROOT / f"{doc}.ipynb").exists():
            assert "synthetic twin" in page_text(site, doc), doc
    assert "synthetic twin" in page_text(site, "book/intro")


def test_no_survey_statistic_is_typed_into_markdown(results):
    """Every survey number in the prose is glued: none of the engine's key results appears typed."""
    keys = ["caseness_chi2", "gad_t1_mean", "gad_t1_sd", "phq_t1_mean", "phq_t1_sd", "gad_lgcm_slope_mean",
            "phq_lgcm_slope_mean", "r_selfeff_help", "r_selfeff_mod", "t_safe_total", "t_selfeff_total",
            "d_safe_total", "d_selfeff_total"]
    typed = []
    for md in (ROOT / "book").rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        for key in keys:
            for decimals in (2, 3):
                value = f"{abs(results[key]):.{decimals}f}"
                if re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text):
                    typed.append((md.name, key, value))
    assert not typed


def test_all_37_references_are_listed(site):
    raw = (site / "book/references.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="id\d+" role="doc-biblioentry">', raw)
    assert len(entries) == 37


def test_appendix_tables_are_downloadable(site):
    """Each appendix table links a CSV download whose content is that table (a data: URI)."""
    import base64
    import csv
    import io

    expected = {"book/appendices/appendix-3-reliability": "appendix-3-reliability",
                "book/appendices/appendix-5-sample": "appendix-5-sample-description",
                "book/appendices/appendix-7-growth": "appendix-7-growth-estimates",
                "book/appendices/appendix-8-correlations": "appendix-8-correlations",
                "book/appendices/appendix-9-ttests": "appendix-9-ttests",
                "book/reproduction-report": "reproduction-report"}
    for doc, name in expected.items():
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        link = re.search(rf'download="{name}.csv" href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', raw)
        assert link, doc
        rows = list(csv.reader(io.StringIO(base64.b64decode(link.group(1)).decode("utf-8"))))
        assert len(rows) > 2 and len(rows[0]) > 2


def test_computed_numbers_link_to_their_report_row(site):
    report = (site / "book/reproduction-report.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<tr id="(claim-c\d+)"', report))
    assert len(anchors) >= 60
    linked = 0
    for doc in ("book/results/participants", "book/results/caseness", "book/results/growth",
                "book/results/theory-area-1", "book/results/theory-area-2"):
        raw = (site / f"{doc}.html").read_text(encoding="utf-8")
        targets = re.findall(r'class="claim-link[^"]*" href="[^"#]*reproduction-report.html#(claim-c\d+)"', raw)
        assert targets, doc
        assert set(targets) <= anchors
        linked += len(targets)
    assert linked >= 60


def test_report_and_audit_chapters_show_their_summaries(site):
    report = page_text(site, "book/reproduction-report")
    assert re.search(r"Of \d+ claims, \d+ are reproduced", report)
    audit_page = page_text(site, "book/audit")
    assert re.search(r"Of \d+ checks, \d+ find the printed numbers inconsistent", audit_page)
    robustness = page_text(site, "book/robustness")
    for heading in ("Student or Welch", "continuity correction", "Speed exclusion", "FIML or listwise"):
        assert heading in robustness


def test_site_holds_no_respondent_ids(site):
    """No row-level data: none of the survey's respondent pseudonyms appears anywhere in the site."""
    import pandas as pd

    ids = set(pd.read_csv(paths.SYNTHETIC_TWIN, usecols=["record_id"])["record_id"])
    pattern = re.compile(r"SYN-\d{4}")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".json", ".csv", ".ipynb", ".md"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            found = set(pattern.findall(text)) & ids
            assert not found, (path, sorted(found)[:3])
