"""The survey codebook is the one source: the contract, validation and Appendix 2 all read it.

The expected values below are written out by hand from the survey data contract (they are what
analysis/contract.py hard-coded before the codebook existed), so a codebook edit that changes the
contract fails here.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import caseness, codebook, contract, loading, scales
from bookkit import codebook_table

ROOT = Path(__file__).resolve().parent.parent
LIKERT = (1, 5)

# --------------------------------------------------------------------------- the contract, by hand

EXPECTED_CATEGORIES = {
    "forum": ("Robin", "Magpie", "Dunnock", "Chaffinch", "Sparrow", "Starling", "Jay"),
    "gender": ("female", "male", "non_binary", "other", "prefer_not_to_say"),
    "ethnicity": ("white", "mixed", "asian", "black", "other", "prefer_not_to_say"),
    "age_group": ("16-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "sexuality": ("heterosexual", "gay_or_lesbian", "bisexual", "other", "prefer_not_to_say"),
    "use_duration": ("less_than_1_week", "1_to_4_weeks", "1_to_12_months", "1_year_or_more"),
    "use_frequency": ("daily", "more_than_weekly", "weekly", "less_than_weekly"),
}
EXPECTED_SUBSCALES = {
    "selfeff_total": ("selfeff_1", "selfeff_2", "selfeff_3", "selfeff_4", "selfeff_5", "selfeff_6"),
    "T1_help_total": ("help_same", "help_understood", "help_isolated", "help_alone", "help_info", "help_hope"),
    "T1_mod_total": ("mod_1", "mod_2", "mod_3", "mod_4"),
    "safe_total": ("safe_1", "safe_2", "safe_3", "safe_4", "safe_5", "safe_6"),
}
EXPECTED_CLINICAL = {"gad": tuple(f"gad_{i}" for i in range(1, 8)), "phq": tuple(f"phq_{i}" for i in range(1, 9))}
EXPECTED_FLAGS = (
    "reason_self",
    "reason_someone_else",
    "reason_help_others",
    "responded_or_liked_6wk",
    "posted_6wk",
    "ever_posted",
)


def expected_columns() -> tuple[tuple, ...]:
    """The contract's column table, in its order, as (name, type, allowed, low, high): the pre-codebook
    hard-coded specs."""
    cat = lambda name: (name, "category", EXPECTED_CATEGORIES[name], None, None)  # noqa: E731
    flag = lambda name: (name, "binary", (), 0, 1)  # noqa: E731
    cols = [
        ("record_id", "text", (), None, None),
        cat("forum"),
        ("t1_duration_min", "number", (), 0, None),
        cat("gender"),
        cat("ethnicity"),
        cat("age_group"),
        cat("sexuality"),
        flag("reason_self"),
        flag("reason_someone_else"),
        flag("reason_help_others"),
        cat("use_duration"),
        cat("use_frequency"),
        flag("responded_or_liked_6wk"),
        flag("posted_6wk"),
        flag("ever_posted"),
        ("visit_read", "integer", (), 1, 5),
        ("stigma_inferior", "integer", (), 1, 5),
    ]
    cols += [(c, "integer", (), 1, 10) for c in EXPECTED_SUBSCALES["selfeff_total"]]
    for name in ("T1_help_total", "T1_mod_total", "safe_total"):
        cols += [(c, "integer", (), 1, 5) for c in EXPECTED_SUBSCALES[name]]
    for wave in ("t1", "t2", "t3"):
        cols += [(f"{wave}_{s}", "integer", (), 0, 3) for s in EXPECTED_CLINICAL["gad"] + EXPECTED_CLINICAL["phq"]]
    return tuple(cols)


RULE_TEXT = {"text": "a non-empty, unique respondent pseudonym", "binary": "0 or 1"}


def test_contract_columns_are_the_codebook_columns():
    book = codebook.load()
    assert [c.name for c in contract.COLUMNS] == [c.name for c in book.columns]
    assert contract.COLUMN_NAMES == tuple(c.name for c in book.columns)
    assert len(contract.COLUMNS) == 17 + 6 + 6 + 4 + 6 + 3 * (7 + 8) == 84


def test_contract_reproduces_the_hard_coded_specs():
    got = tuple((c.name, c.type, c.allowed, c.low, c.high) for c in contract.COLUMNS)
    assert got == expected_columns()
    for c, (_, kind, allowed, low, high) in zip(contract.COLUMNS, expected_columns(), strict=True):
        expected = RULE_TEXT.get(kind) or ("one of " + ", ".join(allowed) if kind == "category" else
                                           f"a number >= {low:g}" if kind == "number" else
                                           f"a whole number from {low:g} to {high:g}")
        assert c.rule() == expected, c.name
    assert contract.CATEGORY_COLUMNS == EXPECTED_CATEGORIES
    assert contract.FORUMS == EXPECTED_CATEGORIES["forum"] and contract.AGE_GROUPS == EXPECTED_CATEGORIES["age_group"]
    assert contract.NUMERIC_COLUMNS == tuple(
        c[0] for c in expected_columns() if c[1] not in ("text", "category")
    )
    assert contract.FLAGS == EXPECTED_FLAGS


def test_contract_reproduces_items_waves_and_reversal():
    assert contract.SUBSCALES == EXPECTED_SUBSCALES
    assert (contract.SELFEFF_ITEMS, contract.HELP_ITEMS, contract.MOD_ITEMS, contract.SAFE_ITEMS) == tuple(
        EXPECTED_SUBSCALES.values()
    )
    assert contract.CLINICAL_SCALES == EXPECTED_CLINICAL
    assert contract.PHQ_ITEMS == EXPECTED_CLINICAL["phq"]
    assert contract.WAVES == ("t1", "t2", "t3")
    assert contract.WAVE_TIME_SCORES == (0.0, 1.0, 2.0) and all(type(t) is float for t in contract.WAVE_TIME_SCORES)
    assert contract.REVERSED_ITEMS == {"safe_3": 6}
    assert contract.wave_items("phq", "t2") == [f"t2_phq_{i}" for i in range(1, 9)]


def test_derivation_parameters_match_the_engine():
    """The engine's own constants and behaviour agree with the codebook's derived-score definitions."""
    score = contract.CODEBOOK.score
    assert (
        dict(score("caseness").params["not_case_max"])
        == {"gad": caseness.GAD_CUTOFF, "phq": caseness.PHQ_CUTOFF}
        == {"gad": 7, "phq": 9}
    )
    assert loading.DEFAULT_EXCLUSION_MINUTES == contract.SPEED_EXCLUSION_MINUTES == 5.0
    values = pd.Series(range(LIKERT[0], LIKERT[1] + 1))
    counts = scales.agreement_counts(values)
    agree, disagree = (tuple(score("agreement").params[k]) for k in ("agree", "disagree"))
    assert counts == {"agree": len(agree), "disagree": len(disagree)}
    assert agree == (4, 5) and disagree == (1, 2)
    assert {score(name).params["min_answered_fraction"] for name in contract.SUBSCALES} == {0.5}
    for k in (4, 5, 6):  # the engine scores exactly when at least ceil(k / 2) items are answered
        for answered in range(k + 1):
            items = pd.DataFrame([[3.0] * answered + [np.nan] * (k - answered)])
            assert scales.subscale_mean(items).notna().iloc[0] == (answered >= -(-k // 2))
    (rule,) = contract.CROSS_COLUMN_RULES
    assert (rule.if_column, rule.if_value, rule.then_column, rule.then_value) == ("posted_6wk", 1, "ever_posted", 1)
    assert rule.message == "ever_posted must be 1 whenever posted_6wk is 1"


def test_definitions_in_words_state_the_parameters():
    book = codebook.load()
    cut = book.score("caseness").params["not_case_max"]
    assert f"GAD-7 total <= {cut['gad']} AND" in book.score("caseness").definition
    assert f"PHQ-8 total <= {cut['phq']};" in book.score("caseness").definition
    assert f">= {book.score('included').params['min_minutes']:g} minutes" in book.score("included").definition
    assert "4 or 5" in book.score("agreement").definition and "1 or 2" in book.score("agreement").definition
    for name, items in EXPECTED_SUBSCALES.items():
        assert "at least half" in book.score(name).definition
        assert f"all {len(items)} items" in book.score(name).definition
    assert "safe_3 (6 - x)" in book.score("safe_total").definition


def test_wording_is_never_invented():
    book = codebook.load()
    for col in book.columns:
        assert (col.wording == "wording not published") == (col.wording_source == "unpublished"), col.name
    assert book.column("stigma_inferior").wording == "I feel inferior to other people because of my mental health"
    assert book.column("stigma_inferior").wording_source == "paper"
    assert (book.column("safe_3").wording, book.column("safe_5").wording) == (
        "I feel like an outsider",
        "I feel welcome",
    )
    assert all(book.column(c).wording == "wording not published" for c in EXPECTED_SUBSCALES["selfeff_total"])


# --------------------------------------------------------------------------- malformed codebooks


def _doc() -> dict:
    return yaml.safe_load(codebook.CODEBOOK.read_text(encoding="utf-8"))


def _col(doc, name):
    return next(c for c in doc["columns"] + doc["wave_items"] if c["name"] == name)


def _set(name, key, value):
    def mutate(doc):
        _col(doc, name)[key] = value

    return mutate


def _derived(name, key, value):
    def mutate(doc):
        next(d for d in doc["derived"] if d["name"] == name)[key] = value

    return mutate


MALFORMED = [
    ("missing section", lambda d: d.pop("derived"), "the file", "missing section(s) derived"),
    ("unknown type", _set("forum", "type", "float"), "columns[1] (forum)", "type must be one of"),
    ("duplicate category", _set("gender", "allowed", ["female", "female"]), "(gender)", "distinct texts"),
    ("numeric category", _set("age_group", "allowed", [16, 25]), "(age_group)", "quote numbers"),
    ("reversed range", _set("visit_read", "range", [5, 1]), "(visit_read)", "low <= high"),
    ("range off its scale", _set("visit_read", "range", [1, 7]), "(visit_read)", "differs from its scale"),
    ("unknown scale", _set("mod_2", "scale", "likert7"), "(mod_2)", "scale 'likert7'"),
    ("subscale typo", _set("selfeff_4", "subscale", "selfeff_totl"), "(selfeff_4)", "'selfeff_totl' is not a derived"),
    ("wrong reversal", _set("safe_3", "reversal", "5 - x"), "(safe_3)", "c = low + high = 6"),
    ("reversal of a category", _set("gender", "reversal", "6 - x"), "(gender)", "integer items only"),
    ("unknown wording source", _set("help_info", "wording_source", "guess"), "(help_info)", "'guess' is not one of"),
    ("empty wording", _set("help_hope", "wording", " "), "(help_hope)", "wording must be a non-empty text"),
    ("unknown key", _set("mod_1", "subscle", "T1_mod_total"), "(mod_1)", "unknown key(s) ['subscle']"),
    ("duplicate column", lambda d: d["columns"].append(dict(_col(d, "mod_1"))), "columns", "['mod_1'] appear more"),
    (
        "wave item clash",
        lambda d: d["columns"].append({**_col(d, "mod_1"), "name": "t2_gad_1", "subscale": None}),
        "columns",
        "['t2_gad_1'] appear more",
    ),
    ("rule on unknown column", lambda d: d["rules"][0].update({"then": "ever_poster"}), "rules[0]", "then must name"),
    ("rule value out of range", lambda d: d["rules"][0].update({"must_be": 2}), "rules[0]", "must_be must be a value"),
    ("caseness without phq", _derived("caseness", "not_case_max", {"gad": 7}), "derived[7] (caseness)", "not_case_max"),
    ("clinical range wrong", _derived("gad_total", "range", [0, 20]), "(gad_total)", "range must be the sum"),
    ("fraction above 1", _derived("T1_mod_total", "min_answered_fraction", 1.5), "(T1_mod_total)", "(0, 1]"),
    ("unknown derived kind", _derived("agreement", "kind", "tally"), "(agreement)", "kind must be one of"),
    (
        "one-item subscale",
        lambda d: [_col(d, f"mod_{i}").pop("subscale") for i in (2, 3, 4)],
        "(T1_mod_total)",
        "at least 2 columns",
    ),
    ("binary not 0/1", _set("posted_6wk", "range", [0, 2]), "(posted_6wk)", "binary column has range [0, 1]"),
    ("wave without time score", lambda d: d["waves"][1].pop("time_score"), "waves[1]", "time_score"),
    ("no sections", lambda d: d.clear() or d.update({"x": 1}), "the file", "missing section(s) sources"),
]


@pytest.mark.parametrize("name,mutate,entry,problem", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_codebook_is_a_clear_error(tmp_path, name, mutate, entry, problem):
    doc = copy.deepcopy(_doc())
    mutate(doc)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        codebook.load(path)
    assert isinstance(info.value, codebook.CodebookError)
    message = str(info.value)
    assert message.startswith(f"{path.resolve()}: "), message
    assert entry in message and problem in message, message


@pytest.mark.parametrize(
    "text,problem", [("columns: [a\n  b: }", "not valid YAML"), ("- just\n- a list\n", "must be a mapping")]
)
def test_unreadable_codebook_is_a_clear_error(tmp_path, text, problem):
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(codebook.CodebookError, match=problem):
        codebook.load(path)
    with pytest.raises(codebook.CodebookError, match="cannot be read"):
        codebook.load(tmp_path / "absent.yaml")


def test_shipped_codebook_round_trips():
    """The shipped file parses to the same codebook from its own dump (no hidden YAML coercions)."""
    assert codebook.parse(yaml.safe_load(yaml.safe_dump(_doc())), codebook.CODEBOOK) == codebook.load()


# --------------------------------------------------------------------------- validation reads the codebook

_VALIDATE_WITH = """
import sys
from analysis import codebook as cb
_load = cb.load
cb.load = lambda path=sys.argv[1]: _load(path)
from analysis import contract, loading
from survey_factory import make_survey, write_survey
df = make_survey(40, seed=3)
df.loc[2, "forum"] = "Eagle"
survey = loading.load_survey(write_survey(df, sys.argv[2]))
print(contract.FORUMS[-1], survey.data.loc[4, "forum"])
"""


def test_validation_follows_an_edited_codebook(tmp_path):
    doc = _doc()
    _col(doc, "forum")["allowed"][-1] = "Eagle"  # Jay renamed Eagle
    edited = tmp_path / "codebook.yaml"
    edited.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    env = {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "-c", _VALIDATE_WITH, str(edited), str(tmp_path / "s.csv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert ok.stdout.split() == ["Eagle", "Eagle"]
    shipped = subprocess.run(
        [sys.executable, "-c", _VALIDATE_WITH, str(codebook.CODEBOOK), str(tmp_path / "t.csv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shipped.returncode != 0 and "one of Robin" in shipped.stderr and "'Eagle'" in shipped.stderr


# --------------------------------------------------------------------------- Appendix 2


def test_items_table_lists_every_column_once():
    table = codebook_table.items_table()
    assert list(table.columns)[:6] == ["variable", "wording", "response scale", "subscale", "reversed", "derivation"]
    names = [n for cell in table["variable"] for n in cell.split(", ")]
    assert sorted(names) == sorted(c[0] for c in expected_columns())
    assert len(table) == 39 + 15
    full = codebook_table.items_table(collapse_waves=False)
    assert tuple(full["variable"]) == tuple(c[0] for c in expected_columns())


def test_items_table_shows_subscales_reversal_and_derivations():
    table = codebook_table.items_table().set_index("variable")
    for name, items in EXPECTED_SUBSCALES.items():
        assert list(table.index[table["subscale"] == name]) == list(items)
    assert table.loc[table["reversed"] != "", "reversed"].to_dict() == {"safe_3": "6 - x"}
    assert "at least 3 of 6" in table.loc["selfeff_1", "derivation"]
    assert "at least 2 of 4" in table.loc["mod_1", "derivation"]
    assert "after reversal (6 - x)" in table.loc["safe_3", "derivation"]
    assert table.loc["ever_posted", "derivation"] == "ever_posted must be 1 whenever posted_6wk is 1"
    assert ">= 5" in table.loc["t1_duration_min", "derivation"]
    gad1 = table.loc["t1_gad_1, t2_gad_1, t3_gad_1"]
    assert "sum of all 7 items" in gad1["derivation"] and "T1 total enters caseness" in gad1["derivation"]
    assert gad1["response scale"].startswith("over the last 2 weeks: 0 = not at all")
    assert table.loc["selfeff_2", "response scale"].startswith("1 to 10")
    assert table.loc["help_alone", "response scale"].startswith("1 = strongly disagree")
    full = codebook_table.items_table(collapse_waves=False).set_index("variable")
    assert "caseness" in full.loc["t1_phq_3", "derivation"] and "caseness" not in full.loc["t2_phq_3", "derivation"]
    assert full.loc["t3_phq_3", "subscale"] == "t3_phq_total"


def test_derived_table_defines_every_score():
    table = codebook_table.derived_table().set_index("score")
    for name, items in EXPECTED_SUBSCALES.items():
        assert table.loc[name, "items"] == ", ".join(items)
    assert table.loc["t1_gad_total, t2_gad_total, t3_gad_total", "items"].startswith("gad_1, gad_2")
    assert table.loc["caseness", "items"] == "t1_gad_total, t1_phq_total"
    assert set(table.index) >= {"included", "caseness", "agreement"}
    assert (table["definition"].str.len() > 20).all()
    items, derived = codebook_table.appendix2()
    assert items.equals(codebook_table.items_table()) and derived.equals(codebook_table.derived_table())
    assert set(codebook_table.sources_table()["wording source"]) >= set(items["wording source"])
