"""Twin artefacts named as such (issue 17, item 6), and the rule-chosen words of :mod:`bookkit.words`.

``data/synthetic/encoded.yaml`` (what the twin takes from the paper) is checked against the generator's
targets, the published values, the conclusions' rules, the claims ledger on the twin's results and the
data card; :func:`bookkit.twin_notes.note` is checked on the twin's results and on a survey that is not the
twin (where it must say nothing); the built site is checked for the notes where the data call for them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from analysis import paths
from analysis.conclusions import BY_ID, CONCLUSIONS
from bookkit import claims, interpret, twin_notes, verdicts, words
from survey_factory import make_flipped_survey, write_survey

ROOT = Path(__file__).resolve().parent.parent
ENC = twin_notes.encoded()
PUBLISHED = yaml.safe_load((ROOT / "tests" / "published_values.yaml").read_text(encoding="utf-8"))
PUBLISHED_KEYS = {k for section in PUBLISHED.values() for k in section}
DATA_CARD = (paths.SYNTHETIC_TWIN.parent / "README.md").read_text(encoding="utf-8")
FROM_PAPER = set(ENC["exact"]) | set(ENC["calibrated"])


@pytest.fixture(scope="module")
def twin_values():
    """The twin's results with the paper's choices (from the results store; computed if absent)."""
    from analysis.store import Session

    return Session(paths.SYNTHETIC_TWIN).results().values


@pytest.fixture(scope="module")
def other_values(tmp_path_factory):
    """Results of a contract-valid survey that is not the twin (and whose conclusions differ)."""
    from analysis.engine import run_analysis
    from analysis.loading import load_survey

    path = write_survey(make_flipped_survey(500, seed=11), tmp_path_factory.mktemp("other") / "other.csv")
    values = run_analysis(load_survey(path)).values
    assert values["data_is_twin"] is False
    return values


# --- encoded.yaml against its sources ------------------------------------------------------------------


def test_every_published_value_is_listed_as_taken_from_the_paper():
    assert PUBLISHED_KEYS <= FROM_PAPER, sorted(PUBLISHED_KEYS - FROM_PAPER)


def test_every_calibration_target_is_listed_and_nothing_else(twin_values):
    from twin.parameters import ALSO_CHECKED, PARAMETERS, TARGETS

    targets = {k for k in (*TARGETS, *ALSO_CHECKED) if k in twin_values}
    assert targets <= FROM_PAPER, sorted(targets - FROM_PAPER)
    forums = {f"n_forum_{name}" for name in PARAMETERS["forums"]}
    # the only per-forum counts the paper prints are the largest and the smallest (the data card's table)
    printed_forums = {k for k in forums if re.search(rf"{k.removeprefix('n_forum_')} \d+", DATA_CARD.split(
        "## What is matched")[1].split("## Choices")[0])}
    assert printed_forums == {"n_forum_Dunnock", "n_forum_Robin"}
    assert FROM_PAPER <= PUBLISHED_KEYS | targets | printed_forums, sorted(FROM_PAPER - PUBLISHED_KEYS - targets)
    for key in printed_forums:
        assert twin_values[key] == PARAMETERS["forums"][key.removeprefix("n_forum_")]


def test_derived_keys_are_results_keys_not_listed_twice(twin_values):
    derived = set(ENC["derived"])
    assert derived <= set(twin_values)
    assert not derived & FROM_PAPER
    assert len(ENC["exact"]) == len(set(ENC["exact"])) and not set(ENC["exact"]) & set(ENC["calibrated"])


@pytest.mark.parametrize("conclusion", CONCLUSIONS, ids=[c.id for c in CONCLUSIONS])
def test_a_conclusion_is_encoded_exactly_when_its_rule_reads_only_encoded_keys(conclusion):
    """Every conclusion is listed once, and "encoded" follows from the keys its rule reads."""
    rel = ENC["relations"]
    assert (conclusion.id in rel["encoded"]) != (conclusion.id in rel["not_encoded"]), conclusion.id
    reads_encoded = set(conclusion.reads) <= FROM_PAPER | set(ENC["derived"])
    assert twin_notes.relation_encoded(conclusion.id) == reads_encoded, (conclusion.id, conclusion.reads)


def test_no_unknown_conclusion_is_listed():
    rel = ENC["relations"]
    assert set(rel["encoded"]) | set(rel["not_encoded"]) == set(BY_ID)
    with pytest.raises(KeyError):
        twin_notes.relation_encoded("no_such_conclusion")


def test_the_data_card_table_says_what_encoded_yaml_says():
    table = DATA_CARD.split("## Which of the paper's conclusions the twin can speak to")[1].split("\n\n")[2]
    said = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        named = [part.strip() for part in cells[0].split(";")]  # the conclusions in words, as the paper's
        for c in BY_ID.values():
            if verdicts.statement(c) in named:
                said[c.id] = cells[1] == "yes"
    assert said == {cid: twin_notes.relation_encoded(cid) for cid in BY_ID}


def test_replaced_values_are_exactly_the_claims_the_twin_does_not_meet(twin_values):
    """Every claim that differs on the twin is a replaced value or listed with another reason; every
    replaced claim differs; each entry's keys are its claims' keys."""
    table = claims.report(twin_values)
    differs = set(table.loc[table["status"] == "differs", "id"])
    replaced = {c for e in ENC["replaced"] for c in e["claims"]}
    assert replaced <= differs, sorted(replaced - differs)
    assert differs <= replaced | set(ENC["not_replacements"]), sorted(differs - replaced)
    by_id = claims.claims_by_id()
    for entry in ENC["replaced"]:
        keys = {by_id[c].get("key") or by_id[c]["ratio"][0] for c in entry["claims"]}
        assert keys == set(entry["keys"]), entry


def _pastes(text: str, key: str) -> bool:
    """The page pastes ``key``, itself or inside a verdict that shows it (effect, interval, P)."""
    verdicts = [c.id for c in CONCLUSIONS if key in c.shown_keys()]
    return any(re.search(rf"\{{(?:result|glue:text|verdict)\}}`{re.escape(k)}`", text) for k in (key, *verdicts))


def _page_sources() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "book").rglob("*")):
        if path.suffix == ".md":
            out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            out[path.relative_to(ROOT).as_posix()] = "\n".join("".join(c["source"]) for c in cells
                                                                 if c["cell_type"] == "markdown")
    return out


@pytest.mark.parametrize("entry", ENC["replaced"], ids=[",".join(e["claims"]) for e in ENC["replaced"]])
def test_every_page_that_shows_a_replaced_value_notes_it(entry):
    sources = _page_sources()
    showing = {page for page, text in sources.items() if any(_pastes(text, k) for k in entry["keys"])}
    assert set(entry["pages"]) <= showing, (entry["claims"], showing)
    for page in showing:
        text = sources[page]
        direct = any(re.search(rf"\{{(?:result|glue:text)\}}`{re.escape(k)}`", text) for k in entry["keys"])
        via = [c.id for c in CONCLUSIONS if set(entry["keys"]) & set(c.shown_keys())
               and re.search(rf"\{{(?:verdict|glue:text)\}}`{c.id}`", text)]
        if not direct and via and not any(twin_notes.relation_encoded(cid) for cid in via):
            continue  # shown only inside verdicts that carry their own twin note
        if entry.get("explained_by_block"):
            assert "{twin-only}" in text, page
        else:
            assert any(f"{{glue:text}}`twin_note_{k}`" in text for k in entry["keys"]), page


# --- the note itself ------------------------------------------------------------------------------------


def test_on_the_twin_an_unencoded_relation_gets_the_note_and_an_encoded_one_does_not(twin_values):
    assert twin_values["data_is_twin"] is True
    assert twin_notes.note("area2_safe_5", twin_values) == twin_notes.RELATION_NOTE
    assert twin_notes.note("cmo1_help", twin_values) == ""
    for c in CONCLUSIONS:
        assert bool(twin_notes.note(c.id, twin_values)) != twin_notes.relation_encoded(c.id), c.id


def test_on_the_twin_a_replaced_value_quotes_the_paper(twin_values):
    note = twin_notes.note("n_use_daily", twin_values)
    assert claims.plain_quote(claims.claims_by_id()["C033"]["snippet"]) in note
    assert twin_notes.note("n_female", twin_values) == ""  # met exactly: nothing replaced


def test_on_other_data_no_note_is_printed(other_values):
    for ident in (*BY_ID, *twin_notes.replaced_keys()):
        assert twin_notes.note(ident, other_values) == "", ident
    assert twin_notes.with_note("text", "area2_safe_5", other_values) == "text"


def test_multiverse_note_carries_the_twin_note_only_on_the_twin(twin_values, other_values):
    doc = {"conclusions": [{"id": "area2_safe_5", "holds_in": 0.0, "n_distinct": 8, "knife_edge": 0},
                           {"id": "cmo1_help", "holds_in": 1.0, "n_distinct": 8, "knife_edge": 1}]}
    assert words.multiverse_note("area2_safe_5", doc, twin_values).endswith(twin_notes.RELATION_NOTE)
    held = "holds in 8 of 8 distinct analyses (100%, 1 within .005 of α)"
    assert words.multiverse_note("cmo1_help", doc, twin_values) == held
    assert words.multiverse_note("area2_safe_5", doc, other_values) == "holds in 0 of 8 distinct analyses (0%)"
    assert words.multiverse_note("area2_safe_5", doc) == "holds in 0 of 8 distinct analyses (0%)"


# --- the built site ---------------------------------------------------------------------------------------


def _page(site: Path, doc: str) -> str:
    raw = (site / f"{doc}.html").read_text(encoding="utf-8")
    main = re.sub(r"<script.*?</script>", " ", raw[raw.find("<main"):], flags=re.S)
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))
    return text.replace("\u2019", "'")  # Sphinx typesets apostrophes


@pytest.fixture(scope="module")
def built(site):
    values = json.loads((ROOT / "_build" / "results" / "book-manifest.json").read_text())
    return site, values


def test_the_site_names_twin_artefacts_only_on_the_twin(built):
    """On the twin: theory area 2's verdict on feeling welcome and its multiverse summary carry the note,
    theory area 1's verdicts do not, the participants page notes the daily-use count. On other data: no
    page carries either note."""
    site, values = built
    area2, area1 = _page(site, "book/results/theory-area-2"), _page(site, "book/results/theory-area-1")
    participants = _page(site, "book/results/participants")
    note = twin_notes.RELATION_NOTE
    if values["data_is_twin"]:
        bare = lambda s: re.sub(r"[\s‡≠]", "", s)  # noqa: E731 (a verdict's numbers are spans with their marks)
        again = twin_notes.RELATION_NOTE_AGAIN  # the whole note once per page, then the short one
        verdict = interpret.verdict_text("area2_safe_5", values)
        assert any(bare(f"{verdict} {n}") in bare(area2) for n in (note, again))
        assert area2.count(note) == 1 and again in area2
        assert note not in area1 and again not in area1
        assert re.search(r"holds in \d+ of \d+ distinct analyses \([^)]*\) " + re.escape(again), area2)
        assert twin_notes.note("n_use_daily", values) in participants
    else:
        for path in site.rglob("*.html"):
            text = html.unescape(path.read_text(encoding="utf-8"))
            assert note not in text and twin_notes.RELATION_NOTE_AGAIN not in text, path
            assert "on the synthetic twin this value replaces" not in text, path


def test_every_words_role_shows_the_phrase_its_rule_chooses(built):
    """Each ``{words}`spec``` of a markdown page renders as :func:`bookkit.words.phrase` of the built data."""
    site, values = built
    checked = 0
    for path in sorted((ROOT / "book").rglob("*.md")):
        specs = re.findall(r"\{words\}`([^`]+)`", path.read_text(encoding="utf-8"))
        if specs:
            text = _page(site, path.relative_to(ROOT).with_suffix("").as_posix())
            for spec in specs:
                assert words.phrase(spec, values) in text, (path.name, spec)
                checked += 1
    assert checked >= 5  # the discussion pages use several


# --- bookkit.words ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,total,expected", [(3, 10, "fewer than half"), (5, 10, "half"), (6, 10, "more than half"),
                                              (0, 0, "none")])
def test_half(n, total, expected):
    assert words.half(n, total) == expected


def test_shift_names_its_threshold():
    assert words.shift(521.96, 518.51, se=45.6, name="chi-square").startswith("moves chi-square little, by 0.08")
    assert "substantially" in words.shift(10.0, 40.0, se=45.6)
    assert f"under {words.SHIFT_LITTLE_SE:g} standard errors little" in words.shift(1.0, 2.0, se=10.0)
    assert words.shift(0.0799, 0.0797, decimals=3, name="V") == "does not move V at its printed precision"
    assert words.shift(0.0799, 0.0780, decimals=3, name="V") == "moves V by 0.0019"


def test_chi2_se_is_the_spread_of_a_noncentral_chi_square():
    from scipy import stats

    chi2, df = 40.0, 1
    assert words.chi2_se(chi2, df) == pytest.approx(stats.ncx2(df, chi2 - df).std())
    assert words.chi2_se(0.5, 1) == pytest.approx(2 ** 0.5)


@pytest.mark.parametrize("spec,expected", [
    ("share:a/b", "most respondents"), ("Share:a/b", "Most respondents"), ("Share:c/b:people", "A minority of people"),
    ("share:c/a+b", "a small minority of respondents"), ("Half:c/b", "Fewer than half"), ("half:a/b", "more than half"),
])
def test_phrase(spec, expected):
    assert words.phrase(spec, {"a": 6, "b": 10, "c": 3}) == expected


def test_phrase_refuses_what_it_does_not_know():
    with pytest.raises(ValueError):
        words.phrase("many:a/b", {"a": 1, "b": 2})
    with pytest.raises(KeyError):
        words.phrase("share:nope/b", {"b": 2})
    assert words.phrase("Convention:share", {}).startswith("Shares are put into words by a fixed rule")


@pytest.mark.slow
def test_a_book_built_on_other_data_carries_no_twin_note(tmp_path):
    """A full build on a contract-valid survey that is not the twin: no verdict, multiverse summary or value
    carries a twin note (the fast site test above checks the same on whatever data the book was built from)."""
    from test_build_cache import build_env, copy_worktree, run_build

    data = write_survey(make_flipped_survey(500, seed=11), tmp_path / "other-survey.csv")
    repo = copy_worktree(tmp_path / "repo")
    run_build(repo, build_env(repo, data))
    values = json.loads((repo / "_build" / "results" / "book-manifest.json").read_text())
    assert values["data_is_twin"] is False
    for path in (repo / "_build" / "html").rglob("*.html"):
        text = html.unescape(path.read_text(encoding="utf-8")).replace("\u2019", "'")
        assert twin_notes.RELATION_NOTE not in text and twin_notes.RELATION_NOTE_AGAIN not in text, path
        assert "on the synthetic twin this value replaces" not in text, path
