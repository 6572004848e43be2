"""The book's number formatting and its one table helper (pure functions, no build)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis import disclosure
from bookkit import fmt
from bookkit.tables import Col, journal_table

MINUS = "\u2212"


@pytest.mark.parametrize("p,expected", [
    (0.009, ".009"), (0.0091, ".009"), (0.0009, "<.001"), (0.0, "<.001"), (0.001, ".001"),
    (0.05, ".050"), (0.4999, ".500"), (0.9996, ">.999"), (float("nan"), "n/a"), (None, "n/a"),
])
def test_p_values_follow_apa(p, expected):
    assert fmt.fmt_p(p) == expected


def test_p_relation_for_prose():
    assert fmt.fmt_p_relation(0.009) == "=.009"
    assert fmt.fmt_p_relation(1e-9) == "<.001"
    assert fmt.fmt_p_relation(np.float64(0.2)) == "=.200"
    with pytest.raises(ValueError):
        fmt.fmt_p(1.5)


@pytest.mark.parametrize("x,decimals,expected", [
    (-0.0714, 3, MINUS + "0.071"), (2.5, 1, "2.5"), (-0.001, 2, "0.00"), (np.float32(3), 0, "3"),
    (float("nan"), 2, "n/a"), (None, 1, "n/a"), (pd.NA, 1, "n/a"),
])
def test_numbers_have_a_true_minus_and_no_negative_zero(x, decimals, expected):
    assert fmt.fmt_num(x, decimals) == expected


@pytest.mark.parametrize("x,expected", [
    (0.414, ".414"), (-0.0714, MINUS + ".071"), (1.0, "1.000"), (-1.0, MINUS + "1.000"), (-0.0001, ".000"),
])
def test_bounded_statistics_drop_the_leading_zero(x, expected):
    assert fmt.fmt_bounded(x) == expected
    assert fmt.fmt_bounded(0.4146, 2) == ".41"


def test_bounded_refuses_values_beyond_one():
    with pytest.raises(ValueError):
        fmt.fmt_bounded(1.2)


@pytest.mark.parametrize("n,expected", [
    (791.0, "791"), (80915, "80,915"), (np.int64(1234567), "1,234,567"), (0, "0"), (float("nan"), "n/a"),
])
def test_counts_are_integers_with_thousands_separators(n, expected):
    assert fmt.fmt_int(n) == expected


def test_a_fractional_count_is_an_error():
    with pytest.raises(ValueError):
        fmt.fmt_int(791.5)
    with pytest.raises(TypeError):
        fmt.fmt_int(True)


def test_booleans():
    assert [fmt.fmt_bool(v) for v in (True, False, np.bool_(True), 0, "false")] == ["Yes", "No", "Yes", "No", "No"]
    assert fmt.fmt_bool(None) == "n/a"


@pytest.mark.parametrize("value,kind", [
    (disclosure.SMALL_COUNT, "small_count"), (disclosure.SECONDARY, "secondary"),
    (disclosure.SMALL_GROUP, "small_group"),
    ("<8", None), ("suppressed", None), ("withheld", None), ("8", None), (7, None), ("n/a", None),
])
def test_disclosure_markers_are_typed_not_parsed(value, kind):
    """A withheld cell is known by its type; text that looks like a marker is just text."""
    assert fmt.suppression_kind(value) == kind


# ---- the table helper -------------------------------------------------------------------------

def _cells(markdown: str) -> tuple[list[str], list[str], list[list[str]]]:
    """Header, alignment row and body cells of the one pipe table, with markdown escapes removed."""
    rows = [line for line in markdown.splitlines() if line.startswith("|")]

    def split(line):
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]

    return split(rows[0]), split(rows[1]), [split(r) for r in rows[2:]]


@pytest.fixture()
def frame():
    return pd.DataFrame({
        "forum": ["Robin", "Magpie", "Jay | Wren"],
        "n_t1": [791.0, 12.0, 80915.0],
        "n_t2": [disclosure.SMALL_COUNT, 83, disclosure.SECONDARY],
        "r": [0.414, -0.0714, disclosure.SMALL_GROUP],
        "p": [0.009, 0.00001, 0.5],
        "posted": [True, False, np.nan],
        "extra": ["not shown", "x", "y"],
    })


COLUMNS = {"n_t1": Col("Time 1", "int"), "n_t2": Col("Time 2", "int"), "r": Col("*r*", "bounded"),
           "p": Col("*P*", "p"), "posted": Col("Posted", "bool"), "forum": Col("Forum")}


def test_journal_table_formats_every_kind(frame):
    md = journal_table(frame, COLUMNS, caption="Respondents per forum", name="tbl-forums", key_first=["forum"])
    header, align, body = _cells(md)
    assert header == ["Forum", "Time 1", "Time 2", "*r*", "*P*", "Posted"]
    assert align == [":---", "---:", "---:", "---:", "---:", ":---"]
    assert [row[0] for row in body] == ["Robin", "Magpie", "Jay | Wren"]
    assert [row[1] for row in body] == ["791", "12", "80,915"]
    assert [row[3] for row in body[:2]] == [".414", MINUS + ".071"]
    assert [row[4] for row in body] == [".009", "<.001", ".500"]
    assert [row[5] for row in body] == ["Yes", "No", "n/a"]
    text = " ".join(" ".join(r) for r in body)
    assert "True" not in text and "False" not in text and ".0 " not in text + " "
    assert "not shown" not in md  # columns without a spec are left out


def test_withheld_cells_are_one_symbol_with_a_note(frame):
    md = journal_table(frame, COLUMNS, caption="Respondents per forum", name="tbl-forums")
    _, _, body = _cells(md)
    cells = [c for row in body for c in row]
    assert cells.count(fmt.SUPPRESSED) == 3
    assert not any(c in {"<8", "suppressed", "withheld"} for c in cells)
    note = [line for line in md.splitlines() if line.startswith(fmt.SUPPRESSED)]
    assert len(note) == 1
    assert "fewer than 8 respondents" in note[0] and "fewer than 10 respondents" in note[0]
    assert "worked out from a total" in note[0]


def test_no_note_without_withheld_cells(frame):
    md = journal_table(frame.iloc[[1]], {"forum": Col("Forum"), "n_t2": Col("n", "int")}, "One row", "tbl-one")
    assert fmt.SUPPRESSED not in md and "Withheld" not in md


def test_caption_name_class_and_notes(frame):
    md = journal_table(frame, COLUMNS, caption="Respondents\nper forum", name="tbl-forums",
                       notes=["Counts of the included sample."])
    assert "```{table} Respondents per forum\n" in md
    assert ":name: tbl-forums\n" in md and ":class: ipof-table\n" in md
    assert "*Note.* Counts of the included sample." in md
    assert md.index("*Note.*") > md.index("| Robin")  # notes come after the table
    fences = [line for line in md.splitlines() if line.startswith("```")]
    # one outer block holding the table directive and the notes container
    assert fences == ["````{container} ipof-table-block", "```{table} Respondents per forum", "```",
                      "```{container} ipof-table-notes", "```", "````"]


@pytest.mark.parametrize("kwargs,error", [
    ({"name": "tbl forums"}, ValueError), ({"caption": " "}, ValueError),
    ({"columns": {"missing": Col("M", "int")}}, KeyError), ({"key_first": ["extra"]}, KeyError),
])
def test_bad_calls_are_refused(frame, kwargs, error):
    args = {"df": frame, "columns": COLUMNS, "caption": "C", "name": "tbl-x"} | kwargs
    with pytest.raises(error):
        journal_table(**args)


def test_a_number_column_holding_text_is_an_error(frame):
    with pytest.raises(ValueError, match="forum"):
        journal_table(frame, {"forum": Col("Forum", "num")}, "C", "tbl-x")
    with pytest.raises(ValueError):
        Col("X", "float")


def test_markup_in_text_cells_is_shown_literally():
    md = journal_table(pd.DataFrame({"v": ["selfeff_total", "*a* $b$ <i>"]}), {"v": Col("Variable")}, "C", "tbl-x")
    _, _, body = _cells(md)
    assert [r[0] for r in body] == ["selfeff_total", "*a* $b$ <i>"]
    assert "\\*a\\*" in md and "\\$b\\$" in md and "\\<i\\>" in md


def test_percent_columns_carry_the_sign_in_the_header():
    md = journal_table(pd.DataFrame({"pct": [22.94, math.nan]}), {"pct": Col("Share", "pct")}, "C", "tbl-x")
    header, _, body = _cells(md)
    assert header == ["Share (%)"] and [r[0] for r in body] == ["22.9", "n/a"]
