"""The explorable site's data (issue #22, :mod:`bookkit.explore`): which part computes each key, the exported
values against ``run_analysis``, the shape of the files, disclosure control in every analysis, the figures."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from analysis import disclosure, engine, kinds, parts
from analysis.engine import DEPENDS_ON, Memo, run_analysis
from analysis.errors import AnalysisError
from analysis.loading import load_survey
from analysis.options import CHOICES, NAMES, PAPER, Options
from analysis.parts import FIXED_PART, OPTIONS_PART
from bookkit import explore
from survey_factory import make_survey, write_survey

MIN_CELL = disclosure.settings()["min_cell"]


def _same(a, b) -> bool:
    """Equal values, NaN/None equal, floats to 1e-9 relative (the stored multiverse's floats are the same
    computation in another process)."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _random_options(rng: random.Random) -> Options:
    return Options(**{name: rng.choice(levels) for name, levels in CHOICES.items()})


# --- a small contract-valid survey on which small counts occur ----------------------------------------


@pytest.fixture(scope="module")
def small_survey(tmp_path_factory):
    """140 random respondents: forums and categories with fewer than min_cell respondents occur."""
    path = write_survey(make_survey(140, seed=3), tmp_path_factory.mktemp("explore") / "small.csv")
    return load_survey(path)


@pytest.fixture(scope="module")
def small_export(small_survey, tmp_path_factory):
    """The explore folder of the small survey (values and figures, one memo, no stored multiverse)."""
    memo = Memo(small_survey)
    folder = tmp_path_factory.mktemp("explore-out") / "explore"
    explore.write(memo, folder)
    return folder, memo


# --- levels -----------------------------------------------------------------------------------------


def test_level_text_round_trips():
    for name, levels in CHOICES.items():
        for level in levels:
            text = explore.level_text(level)
            back = explore.parse_level(name, text)
            assert back == level and type(back) is type(level), (name, level, text, back)
            assert json.loads(json.dumps(explore.json_level(level))) == level
    assert explore.level_text(10.0) == explore.level_text(10) == "10"
    assert explore.parse_level("exclusion_minutes", "10") == explore.parse_level("exclusion_minutes", "10.0") == 10.0
    assert explore.parse_level("sesoi", "0.5") == explore.parse_level("sesoi", "0.50") == 0.5
    assert explore.level_text(0.2) == "0.2" and explore.level_text(True) == "true"
    assert explore.parse_level("tails", "1.0") == 1 and explore.level_text(2) == "2"
    for name, text in (("yates", "True"), ("tails", "3"), ("ttest", "Welch"), ("exclusion_minutes", "-1"),
                       ("sesoi", "0.3"), ("exclusion_minutes", "ten")):
        with pytest.raises(ValueError):
            explore.parse_level(name, text)


def test_combo_text_decodes_to_the_options():
    rng = random.Random(5)
    for _ in range(20):
        options = _random_options(rng)
        for part, names in DEPENDS_ON.items():
            decoded = explore.combo_options(explore.combo_text(options, names), names)
            assert all(getattr(decoded, n) == getattr(options, n) for n in names), part
            assert all(getattr(decoded, n) == getattr(PAPER, n) for n in NAMES if n not in names)


# --- which part computes each key ----------------------------------------------------------------------


def test_every_key_has_one_part(small_survey):
    found = parts.key_parts()
    assert set(found) == set(kinds.declared())
    assert set(found.values()) <= set(DEPENDS_ON) | {OPTIONS_PART, FIXED_PART}
    values = run_analysis(small_survey, PAPER).values
    assert set(values) <= set(found)
    assert {k for k, p in found.items() if p == OPTIONS_PART} == set(NAMES)


def test_memo_entries_hold_the_declared_keys(small_survey):
    """Independent of the rules: the values each part's memo entry holds are exactly its declared keys."""
    memo = Memo(small_survey)
    run_analysis(small_survey, Options(adjust="age_gender"), memo)
    declared: dict[str, set] = {}
    for key, part in parts.key_parts().items():
        declared.setdefault(part, set()).add(key)
    seen = set()
    for (part, *_), found in memo.parts.items():
        values = found if isinstance(found, dict) else None
        if isinstance(found, tuple):
            values = next((x for x in found if isinstance(x, dict)), None)
        if part in declared and values is not None:
            assert set(values) == declared[part], part
            seen.add(part)
    assert seen == set(declared) - {OPTIONS_PART, FIXED_PART}


@pytest.mark.slow  # 35 s; the fast test_site_export_equals_run_analysis fails too on an undeclared dependency
def test_a_choice_outside_a_parts_dependencies_never_changes_its_keys(small_survey):
    """Change one choice of a random option set: every key whose part does not depend on it keeps its value."""
    memo = Memo(small_survey)
    key_parts = parts.key_parts()
    rng = random.Random(22)
    checked = 0
    for _ in range(14):
        base = _random_options(rng)
        name = rng.choice([n for n in CHOICES if len(CHOICES[n]) > 1])
        other = Options(**{**base.as_dict(), name: rng.choice([v for v in CHOICES[name] if v != getattr(base, name)])})
        try:
            a, b = run_analysis(small_survey, base, memo).values, run_analysis(small_survey, other, memo).values
        except AnalysisError:
            continue
        for key, part in key_parts.items():
            if part in DEPENDS_ON and name not in DEPENDS_ON[part]:
                assert _same(a[key], b[key]), (key, part, name, base.label(), other.label())
                checked += 1
    assert checked > 1000


# --- the export ------------------------------------------------------------------------------------------


def _check_shape(folder: Path) -> dict:
    """The files are valid JSON of the interface's shape; returns explore.json."""
    from bookkit import fmt, verdicts, words

    index = json.loads((folder / explore.INDEX).read_text(encoding="utf-8"))
    assert index["version"] == explore.VERSION and index["min_cell"] == MIN_CELL
    assert [c["name"] for c in index["choices"]] == list(CHOICES)
    for c in index["choices"]:
        assert [explore.parse_level(c["name"], explore.level_text(v)) for v in c["levels"]] == list(CHOICES[c["name"]])
        assert explore.parse_level(c["name"], explore.level_text(c["paper"])) == getattr(PAPER, c["name"])
        assert set(c["labels"]) == {explore.level_text(v) for v in c["levels"]} and c["description"]
    assert {p: v["depends_on"] for p, v in index["parts"].items()} == {p: list(d) for p, d in DEPENDS_ON.items()}
    assert index["keys"] == parts.key_parts()
    assert index["format"] == {k: fmt.spec(k) for k in parts.key_parts()}
    assert index["conclusions"] == json.loads(json.dumps(verdicts.export()))
    assert index["words"] == json.loads(json.dumps(words.export()))
    assert set(index["fixed"]) == {k for k, p in parts.key_parts().items() if p == FIXED_PART}
    files = {p: v["file"] for p, v in index["parts"].items() if "file" in v}
    assert set(files) == set(explore.parts_with_keys())
    for part, name in files.items():
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        assert doc["depends_on"] == list(DEPENDS_ON[part])
        assert doc["keys"] == sorted(k for k, p in parts.key_parts().items() if p == part)
        combos = {explore.combo_text(o, DEPENDS_ON[part]) for o in explore.part_options(part)}
        assert set(doc["rows"]) == combos
        for row in doc["rows"].values():
            assert (isinstance(row, dict) and set(row) == {"error"} and row["error"]) or len(row) == len(doc["keys"])
    assert set(index["figures"]) == set(explore.FIGURES)
    for name, fig in index["figures"].items():
        assert fig["part"] == explore.FIGURES[name].part and fig["depends_on"] == list(DEPENDS_ON[fig["part"]])
        assert fig["files"], name
        combos = {explore.combo_text(o, fig["depends_on"]) for o in explore.part_options(fig["part"])}
        assert set(fig["files"]) <= combos
        for variants in fig["files"].values():
            assert set(variants) == {"wide", "narrow"}
            for rel in variants.values():
                assert rel.startswith(f"fig/{name}/") and (folder / rel).is_file()
    return index


def _part_files(folder: Path) -> dict[str, dict]:
    """Each part's file in an explore folder, by part."""
    index = json.loads((folder / explore.INDEX).read_text(encoding="utf-8"))
    return {part: json.loads((folder / info["file"]).read_text(encoding="utf-8"))
            for part, info in index["parts"].items() if "file" in info}


def _no_small_count(files: dict[str, dict]) -> int:
    """Fail on any respondent count from 1 to min_cell - 1 (or a percentage of one) in any part's rows;
    returns how many withheld markers were seen."""
    markers = 0
    for name, doc in files.items():
        keys = doc["keys"]
        for combo, row in doc["rows"].items():
            if isinstance(row, dict):
                continue
            values = dict(zip(keys, row, strict=True))
            for key, value in values.items():
                kind = kinds.kind(key)
                if isinstance(value, dict):
                    assert set(value) == {"withheld"} and value["withheld"] in disclosure.REASONS, (name, key)
                    markers += 1
                    continue
                if kind.respondents:
                    assert value is None or not (0 < value < MIN_CELL), (name, combo, key, value)
                if kind.name == "percent" and kind.of in values:
                    of = values[kind.of]
                    assert not isinstance(of, dict) and (of is None or not 0 < of < MIN_CELL), (name, combo, key)
    return markers


def _compare(files: dict[str, dict], survey, options_list, memo: Memo, fixed: dict | None = None) -> int:
    """The exported values equal ``run_analysis`` with the same options, key by key: each key's row is found
    by decoding the combination keys of its part's file (not by :func:`bookkit.explore.combo_text`)."""
    decoded = {}
    for part, doc in files.items():
        rows = {}
        for combo, row in doc["rows"].items():
            texts = zip(doc["depends_on"], combo.split("|"), strict=True)
            rows[tuple(explore.parse_level(n, t) for n, t in texts)] = row
        decoded[part] = (doc["depends_on"], doc["keys"], rows)
    compared = 0
    for options in options_list:
        try:
            values = run_analysis(survey, options, memo).values
        except AnalysisError:
            continue  # some part fails: that part's row is an error, the others are checked with run_analysis's
        for part, (names, keys, rows) in decoded.items():
            row = rows[tuple(getattr(options, n) for n in names)]
            assert not isinstance(row, dict), (part, options.label(), row)
            for key, exported in zip(keys, row, strict=True):
                expected = explore.cell(key, values)
                if isinstance(expected, dict) or isinstance(exported, dict):
                    assert exported == expected, (part, key, options.label())
                else:
                    assert _same(expected, exported), (part, key, options.label(), expected, exported)
                compared += 1
        for key, value in (fixed or {}).items():
            assert _same(explore.plain(values[key]), value), key
    return compared


#: The parts of the small survey's fast test (the growth models' 64 combinations are the slow test's).
FAST_PARTS = ("sample", "caseness", "correlation_values", "reliability", "ttest_values")


@pytest.fixture(scope="module")
def small_rows(small_survey):
    """The rows of the fast parts on the small survey, as their files hold them, and the memo."""
    memo = Memo(small_survey)
    keys = explore.parts_with_keys()
    files = {part: json.loads(json.dumps({"depends_on": list(DEPENDS_ON[part]), "keys": keys[part],
                                          "rows": explore.part_rows(part, memo)}, allow_nan=False))
             for part in FAST_PARTS}
    return files, memo


def test_small_survey_rows_withhold_small_counts(small_rows):
    files, _ = small_rows
    assert _no_small_count(files) > 0  # small counts do occur on this survey, and are withheld


def test_small_survey_rows_equal_run_analysis(small_rows, small_survey):
    """Random option sets with the growth choices at the paper's (one growth model per exclusion)."""
    files, memo = small_rows
    rng = random.Random(2025)
    growth = ("growth_missing", "growth_information", "growth_residuals")
    options = [Options(**{**_random_options(rng).as_dict(), **{n: getattr(PAPER, n) for n in growth}})
               for _ in range(12)]
    assert _compare(files, small_survey, [PAPER, *options], memo) > 1000


@pytest.mark.slow
def test_small_survey_export(small_export, small_survey):
    """The whole folder on the small survey (every part, the figures): its shape, no small count, and its
    values against ``run_analysis`` for random option sets."""
    folder, memo = small_export
    index = _check_shape(folder)
    files = _part_files(folder)
    assert _no_small_count(files) > 0
    rng = random.Random(2025)
    options = [PAPER] + [_random_options(rng) for _ in range(8)]
    assert _compare(files, small_survey, options, memo, index["fixed"]) > 1000


def test_a_failing_part_is_an_error_row_and_the_others_keep_their_values(small_survey, tmp_path, monkeypatch):
    """A part that raises AnalysisError for a combination has {"error": message} there; other parts do not."""
    original = engine.caseness_part

    def failing(smp, yates, cutoffs="nhs"):
        if yates:
            raise AnalysisError("caseness test", "made to fail by the test", "nothing")
        return original(smp, yates, cutoffs)

    monkeypatch.setattr(engine, "caseness_part", failing)
    memo = Memo(small_survey)
    rows = explore.part_rows("caseness", memo)
    for combo, row in rows.items():
        yates = combo.split("|")[DEPENDS_ON["caseness"].index("yates")] == "true"
        assert isinstance(row, dict) == yates, combo
        if yates:
            assert "made to fail by the test" in row["error"]
    assert all(isinstance(r, list) for r in explore.part_rows("reliability", memo).values())


def test_write_leaves_nothing_half_written(small_survey, tmp_path, monkeypatch):
    folder = tmp_path / "explore"
    folder.mkdir()
    (folder / "explore.json").write_text("{}")

    def broken(ctx, out):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(explore, "render_figures", broken)
    monkeypatch.setattr(explore, "parts_with_keys", lambda: {"reliability": ["alpha_help", "alpha_mod",
                                                                            "alpha_safe", "alpha_selfeff"]})
    with pytest.raises(RuntimeError):
        explore.write(Memo(small_survey), folder)
    assert [p.name for p in tmp_path.iterdir()] == ["explore"]
    assert [p.name for p in folder.iterdir()] == ["explore.json"] and (folder / "explore.json").read_text() == "{}"


def test_withheld_values():
    values = {"n_female": 3, "n_female_pct": 2.1, "n_white": 8, "n_white_pct": 5.6, "n_t1": 0,
              "caseness_n_cases": disclosure.SMALL_COUNT, "caseness_pct": 1.0, "caseness_nhs_n_cases": 3,
              "r_selfeff_help": float("nan")}
    assert explore.cell("n_female", values) == {"withheld": "small_count"}
    assert explore.cell("n_female_pct", values) == {"withheld": "small_count"}
    assert explore.cell("n_white", values) == 8 and explore.cell("n_white_pct", values) == 5.6
    assert explore.cell("n_t1", values) == 0
    assert explore.cell("caseness_n_cases", values) == {"withheld": "small_count"}
    assert explore.cell("caseness_pct", values) == {"withheld": "small_count"}
    assert explore.cell("caseness_nhs_n_cases", values) == 3  # a published figure, not respondents
    assert explore.cell("r_selfeff_help", values) is None


# --- the book's site (the twin, or $IPOF_DATA) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(site):
    folder = site / explore.SITE_FOLDER
    assert (folder / explore.INDEX).exists(), "the build wrote no explore data"
    return folder


def test_site_export_shape_and_disclosure(built):
    index = _check_shape(built)
    _no_small_count(_part_files(built))
    assert not any(kinds.kind(key).respondents for key in index["fixed"])


def test_site_export_equals_run_analysis(built):
    """Random full option sets: every exported key equals ``run_analysis`` (as ``reproduce`` runs it)."""
    from analysis.store import Session

    session = Session(store=None)
    rng = random.Random(22)
    options = [PAPER] + [_random_options(rng) for _ in range(5)]
    index = json.loads((built / explore.INDEX).read_text(encoding="utf-8"))
    assert _compare(_part_files(built), session.memo.survey, options, session.memo, index["fixed"]) > 500


def test_site_export_size_budget(built):
    """The issue's budget: the whole explore folder at most 1 MB gzip-compressed."""
    sizes = explore.sizes(built)
    assert sizes["total_gzip"] <= 1_000_000, sizes


def test_site_figures_follow_the_choices(built, site):
    """Each figure that depends on choices is marked on its page (data-figure) and has a file per combination of
    its part's choices, shared where the drawing is the same; its SVG text is text."""
    index = json.loads((built / explore.INDEX).read_text(encoding="utf-8"))
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    for name, fig in index["figures"].items():
        marked = [p for p, html in pages.items() if f'data-figure="{name}"' in html]
        assert marked, f"no page marks figure {name}"
        combos = {explore.combo_text(o, fig["depends_on"]) for o in explore.part_options(fig["part"])}
        assert set(fig["files"]) == combos, name
        assert explore.combo_text(PAPER, fig["depends_on"]) in fig["files"]
        for variants in fig["files"].values():
            head = (built / variants["wide"]).read_text(encoding="utf-8")
            assert "<text" in head and "<svg" in head


# --- the tables -------------------------------------------------------------------------------------------

#: Each computed table as its notebook makes it (written out here, not taken from bookkit.explore_tables, so
#: that the registry is checked against the notebooks' calls).
def _notebook_tables(results) -> dict[str, str]:
    from bookkit import pagetables

    shown = pagetables.protected(results)
    caption = "Survey participation per forum (the survey part of Multimedia Appendix 1)."
    return {
        "tbl-forums": pagetables.forums(shown["forums"]),
        "tbl-appendix-1": pagetables.forums(shown["forums"], name="tbl-appendix-1", caption=caption),
        "tbl-frequencies": pagetables.item_frequencies(shown["item_frequencies"]),
        "tbl-reliability": pagetables.reliability(shown["reliability"]),
        "tbl-sample": pagetables.sample_description(shown["sample_description"]),
        "tbl-growth-fit": pagetables.growth_fit(results.values),
        "tbl-growth-estimates": pagetables.growth_estimates(results.tables["growth"]),
        "tbl-correlations": pagetables.correlations(shown["correlations"], results.values["correlation"]),
        "tbl-ttests": pagetables.ttests(shown["ttests"], results.values["tails"]),
    }


def _table_files(folder: Path) -> dict[str, dict]:
    """Each table's file, by name, checked against explore.json's "tables" and the registry."""
    from bookkit import explore_tables

    index = json.loads((folder / explore.INDEX).read_text(encoding="utf-8"))
    assert set(index["tables"]) == set(explore_tables.TABLES)
    out = {}
    for name, entry in index["tables"].items():
        table = explore_tables.TABLES[name]
        assert entry["depends_on"] == list(table.depends_on) and entry["part"] == table.part
        assert set(table.depends_on) >= set(DEPENDS_ON[table.part]), name
        doc = json.loads((folder / entry["file"]).read_text(encoding="utf-8"))
        assert doc["depends_on"] == entry["depends_on"]
        combos = {explore.combo_text(o, table.depends_on) for o in explore_tables.table_options(table)}
        assert set(doc["combos"]) <= combos and explore.combo_text(PAPER, table.depends_on) in doc["combos"]
        assert sorted(set(doc["combos"].values())) == list(range(len(doc["variants"]))), name  # no unused variant
        out[name] = doc
    return out


def _variant(doc: dict, options: Options):
    """The cells, caption and notes a table's file holds for ``options`` (its combination found by decoding
    the keys)."""
    for combo, i in doc["combos"].items():
        texts = zip(doc["depends_on"], combo.split("|"), strict=True)
        if all(explore.parse_level(n, t) == getattr(options, n) for n, t in texts):
            return doc["variants"][i], doc["headers"][i], doc["captions"][i], doc["notes"][i]
    return None


def _compare_tables(files: dict[str, dict], survey, options_list, memo: Memo) -> int:
    """The exported cells equal the cells of the notebooks' tables computed by ``run_analysis`` with the same
    (full, random) options: so a table depends on its declared choices only."""
    from bookkit.explore_tables import caption_and_notes, header_cells, table_cells

    compared = 0
    for options in options_list:
        try:
            results = run_analysis(survey, options, memo)
        except AnalysisError:
            continue
        tables = _notebook_tables(results)
        assert set(tables) == set(files)
        for name, markdown in tables.items():
            expected = (table_cells(markdown, name), header_cells(markdown, name), *caption_and_notes(markdown, name))
            assert _variant(files[name], options) == expected, (name, options.label())
            compared += 1
    return compared


_COUNT_HEADER = re.compile(r"^(?:n\b|Time \d)")


def _no_small_count_in_tables(files: dict[str, dict], survey, memo: Memo) -> int:
    """Fail on a respondent count from 1 to min_cell - 1 in any count column of any variant of any table (the
    columns headed n or Time k; every answer column of the frequencies, "n (%)"); returns the markers seen."""
    from bookkit import fmt
    from bookkit.explore_tables import split_row

    paper = _notebook_tables(run_analysis(survey, PAPER, memo))
    markers = 0
    for name, doc in files.items():
        lines = paper[name].splitlines()
        rule = next(i for i, line in enumerate(lines) if re.match(r"^\|(?:\s*:?-+:?\s*\|)+$", line))
        header = split_row(lines[rule - 1])
        counts = [i for i, h in enumerate(header) if _COUNT_HEADER.match(h) or (name == "tbl-frequencies" and i)]
        for variant in doc["variants"]:
            for row in variant:
                for i in counts:
                    text = row[i]
                    if fmt.SUPPRESSED in text:
                        markers += 1
                        continue
                    lead = re.match(r"^(\d[\d,]*)\b", text)
                    assert lead is None or not 0 < int(lead.group(1).replace(",", "")) < MIN_CELL, (name, row)
    return markers


@pytest.mark.slow  # 60 s (every table of every combination on a second survey); the twin's are checked fast
def test_small_survey_tables(small_export, small_survey):
    """The small survey's tables: every variant without a small count (withheld ones occur), and the cells of
    random analyses equal the notebooks' tables."""
    folder, memo = small_export
    files = _table_files(folder)
    assert _no_small_count_in_tables(files, small_survey, memo) > 0
    rng = random.Random(7)
    assert _compare_tables(files, small_survey, [PAPER] + [_random_options(rng) for _ in range(3)], memo) > 0


def test_site_tables_equal_the_notebooks(built):
    """The site's tables: no small count, and for the paper's and 3 random analyses the exported cells equal the
    notebooks' tables computed by ``run_analysis``."""
    from analysis.store import Session

    session = Session(store=None)
    files = _table_files(built)
    _no_small_count_in_tables(files, session.memo.survey, session.memo)
    rng = random.Random(2222)
    options = [PAPER] + [_random_options(rng) for _ in range(3)]
    assert _compare_tables(files, session.memo.survey, options, session.memo) == len(options) * len(files)
