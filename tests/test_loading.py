"""Bad input: one clear message (file, column, rows, rule), non-zero exit, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.__main__ import main
from analysis.engine import describe_sample
from analysis.loading import ContractError, load_survey, speed_included
from survey_factory import make_survey, write_survey

ROOT = Path(__file__).resolve().parent.parent


def row(i: int) -> str:
    """Spreadsheet row of the respondent at 0-based position i (header is row 1)."""
    return str(i + 2)


def set_cell(column, positions, value):
    def mutate(df):
        df[column] = df[column].astype(object)
        for i in positions:
            df.loc[i, column] = value
        return df

    return mutate


def posted_not_ever(df):
    df.loc[5, ["posted_6wk", "ever_posted"]] = [1, 0]
    return df


# name, frame mutation, expected column, expected rows, fragment of the rule
FRAME_CASES = [
    ("missing column", lambda df: df.drop(columns=["gender"]), "gender", ["1"], "missing column"),
    ("wrong case column", lambda df: df.rename(columns={"safe_5": "Safe_5"}), "safe_5", ["1"], "case-sensitive"),
    ("unknown category", set_cell("forum", [3, 9], "Eagle"), "forum", [row(3), row(9)], "one of Robin"),
    ("item out of range", set_cell("visit_read", [4], 6), "visit_read", [row(4)], "from 1 to 5"),
    ("fractional item", set_cell("selfeff_2", [10, 11], 4.5), "selfeff_2", [row(10), row(11)], "whole number"),
    ("missing code -99", set_cell("t2_gad_3", [0], -99), "t2_gad_3", [row(0)], "-99"),
    ("missing code N/A", set_cell("help_same", [7], "N/A"), "help_same", [row(7)], "N/A"),
    ("missing code NA in category", set_cell("gender", [2], "NA"), "gender", [row(2)], "empty cell"),
    ("duplicate ids", set_cell("record_id", [20, 21], "R-dup"), "record_id", [row(20), row(21)], "unique"),
    ("blank id", set_cell("record_id", [12], ""), "record_id", [row(12)], "must not be empty"),
    ("flag set to 2", set_cell("reason_self", [15], 2), "reason_self", [row(15)], "0 or 1"),
    ("negative duration", set_cell("t1_duration_min", [30], -3), "t1_duration_min", [row(30)], ">= 0"),
    ("text duration", set_cell("t1_duration_min", [31], "ten"), "t1_duration_min", [row(31)], "number"),
    (
        "posted but never posted",
        posted_not_ever,
        "ever_posted",
        [row(5)],
        "ever_posted must be 1 whenever posted_6wk is 1",
    ),
]


def run_cli(data: Path, out: Path, capsys, *extra: str):
    code = main(["reproduce", "--data", str(data), "--out", str(out), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_failure(code, err, path, column=None, rows=(), rule=""):
    assert code != 0
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1, err
    message = lines[0]
    assert str(path) in message
    if column:
        assert repr(column) in message or column in message
    for r in rows:
        assert f" {r}" in message
    assert rule in message


@pytest.mark.parametrize("name,mutate,column,rows,rule", FRAME_CASES, ids=[c[0] for c in FRAME_CASES])
def test_malformed_survey_fails_cleanly(tmp_path, capsys, name, mutate, column, rows, rule):
    df = mutate(make_survey(60, seed=1))
    data = write_survey(df, tmp_path / "bad.csv")
    out = tmp_path / "out"
    code, _, err = run_cli(data, out, capsys)
    assert_clean_failure(code, err, data, column, rows, rule)
    assert not out.exists()


def _good_text(tmp_path) -> str:
    return write_survey(make_survey(40, seed=2), tmp_path / "good.csv").read_text()


def _semicolons(text):
    return text.replace(",", ";")


def _tabs(text):
    return text.replace(",", "\t")


def _ragged(text):
    lines = text.splitlines()
    lines[4] += ",extra"
    return "\n".join(lines) + "\n"


def _duplicate_header(text):
    lines = text.splitlines()
    lines[0] = lines[0].replace("ethnicity", "gender")
    return "\n".join(lines) + "\n"


RAW_CASES = [
    ("empty file", lambda t: b"", None, [], "empty"),
    ("whitespace only", lambda t: b"\n\n  \n", None, [], "empty"),
    ("header only", lambda t: (t.splitlines()[0] + "\n").encode(), None, [], "no respondent rows"),
    ("semicolon delimited", lambda t: _semicolons(t).encode(), None, ["1"], "not commas"),
    ("tab delimited", lambda t: _tabs(t).encode(), None, ["1"], "not commas"),
    ("latin-1 encoded", lambda t: t.replace(",Magpie,", ",Magpi\u00e9,", 1).encode("latin-1"), None, [], "UTF-8"),
    ("random bytes", lambda t: np.random.default_rng(0).bytes(4096), None, [], ""),
    ("ragged row", lambda t: _ragged(t).encode(), None, ["5"], "fields where the header has"),
    ("duplicate header", lambda t: _duplicate_header(t).encode(), "gender", ["1"], "more than once"),
]


@pytest.mark.parametrize("name,make,column,rows,rule", RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_unreadable_file_fails_cleanly(tmp_path, capsys, name, make, column, rows, rule):
    data = tmp_path / "bad.csv"
    data.write_bytes(make(_good_text(tmp_path)))
    out = tmp_path / "out"
    code, _, err = run_cli(data, out, capsys)
    assert_clean_failure(code, err, data, column, rows, rule)
    assert not out.exists()


def test_latin1_message_names_the_row(tmp_path):
    text = _good_text(tmp_path)
    lines = text.splitlines()
    lines[3] = lines[3].replace("R02-00002", "R02-0000\u00e9")
    data = tmp_path / "latin1.csv"
    data.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    with pytest.raises(ContractError, match=r"row 4: byte 0xe9 is not valid UTF-8"):
        load_survey(data)


def test_directory_and_missing_path_fail_cleanly(tmp_path, capsys):
    code, _, err = run_cli(tmp_path, tmp_path / "out", capsys)
    assert_clean_failure(code, err, tmp_path, rule="is a directory")
    missing = tmp_path / "nope.csv"
    code, _, err = run_cli(missing, tmp_path / "out", capsys)
    assert_clean_failure(code, err, missing, rule="no such file")
    assert not (tmp_path / "out").exists()


def test_failed_run_leaves_earlier_results_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    good = write_survey(make_survey(80, seed=3), tmp_path / "good.csv")
    assert run_cli(good, out, capsys)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = write_survey(set_cell("visit_read", [1], 9)(make_survey(80, seed=3)), tmp_path / "bad.csv")
    code, _, err = run_cli(bad, out, capsys)
    assert code != 0 and "visit_read" in err
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".reproduce-*"))


def test_blank_cells_are_missing_values_not_errors(tmp_path):
    df = make_survey(50, seed=4)
    df.loc[0, ["gender", "reason_self", "visit_read", "t3_phq_2"]] = np.nan
    survey = load_survey(write_survey(df, tmp_path / "s.csv"))
    assert survey.data.loc[2, ["gender", "reason_self", "visit_read"]].isna().all()


def test_extra_column_is_accepted_and_dropped(tmp_path):
    df = make_survey(50, seed=5)
    df["free_text"] = "ZZ-SECRET-MARKER"
    survey = load_survey(write_survey(df, tmp_path / "s.csv"))
    assert "free_text" not in survey.data.columns


def test_speed_exclusion_threshold_is_a_parameter(tmp_path):
    df = make_survey(100, seed=6)
    df.loc[0, "t1_duration_min"] = np.nan  # no duration: not >= the threshold, so excluded
    path = write_survey(df, tmp_path / "s.csv")
    survey = load_survey(path)
    for minutes in (0, 5, 10):
        expected = int((df["t1_duration_min"] >= minutes).sum())
        sample, values, _ = describe_sample(survey, minutes)
        assert len(sample) == expected and speed_included(survey.data, minutes).sum() == expected
        assert values["n_excluded_speed"] == len(df) - expected


def test_real_process_exit_code_and_stderr(tmp_path):
    """The command as a user runs it: exit status 2, one line on stderr, no traceback."""
    df = set_cell("help_same", [7], "N/A")(make_survey(30, seed=1))
    data = write_survey(df, tmp_path / "bad.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "reproduce", "--data", str(data), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {data}: column 'help_same', row 9")
    assert proc.stdout == ""


def test_book_build_refuses_bad_data_before_touching_anything(tmp_path):
    """`make book` with IPOF_DATA pointing at a bad file: one clean message, cache and site untouched."""
    import os

    bad = tmp_path / "bad.csv"
    bad.write_text("record_id;forum\n1;Robin\n")
    cache_state = ROOT / "_build" / ".jupyter_cache" / "ipof-fingerprints.json"
    before = cache_state.read_bytes() if cache_state.exists() else None
    env = dict(os.environ, IPOF_DATA=str(bad))
    proc = subprocess.run(
        [sys.executable, "-m", "bookkit.build"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {bad}: row 1: the header is separated by ';'")
    assert "Traceback" not in proc.stderr
    assert (cache_state.read_bytes() if cache_state.exists() else None) == before


@pytest.mark.parametrize("kind", ["five_rows", "constant_wave", "no_never_posters", "everyone_fast"])
def test_degenerate_data_give_one_message_and_exit_2(tmp_path, survey_frame, kind, monkeypatch, capsys):
    """Contract-valid but too small or degenerate data: reproduce and make book's first step say which
    analysis, why and the minimum needed, exit 2, no traceback, and nothing is written."""
    df = survey_frame.copy()
    if kind == "five_rows":
        df, expected = df.head(5), "growth model (GAD-7)"
    elif kind == "constant_wave":
        cols = [c for c in df.columns if c.startswith("t3_gad_")]
        df.loc[df[cols].notna().all(axis=1), cols] = 1
        expected = "the totals at T3 are all equal"
    elif kind == "no_never_posters":
        df["ever_posted"], df["posted_6wk"] = 1, 1
        expected = "the never-posted group has 0 respondent(s)"
    else:  # the speed exclusion (the engine's, with the options' minutes) leaves nobody
        df["t1_duration_min"] = 2.5
        expected = "no respondent took 5 minutes or more (speed exclusion)"
    data = write_survey(df, tmp_path / f"{kind}.csv")
    out = tmp_path / "out"
    from bookkit import build

    state = build.CACHE / build.FINGERPRINTS
    before = state.read_bytes() if state.exists() else None
    monkeypatch.setenv("IPOF_DATA", str(data))
    for run in (lambda: main(["reproduce", "--out", str(out)]), lambda: build.main(["--no-site"])):
        assert run() == 2
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0] and "needs" in lines[0], lines
    assert not out.exists()
    assert (state.read_bytes() if state.exists() else None) == before  # make book touched nothing
