"""The multiverse (issues 13, 19): every combination of choices through run_analysis, and the conclusions' counts.

A full factorial of two levels of nine choices (:data:`MINI`, 512 specifications, the new choices of
issue 19 among them, and choices each conclusion does not read, so copies exist; multiple imputation,
slow, has its own test) runs once on a random
300-respondent survey; every check is against an independent computation (a fresh run_analysis per
option set, a vectorised count of the rules, the product of the option levels). The book's subset (each
conclusion's distinct analyses) is checked against the full factorial's summaries.
"""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pandas as pd
import pytest

from analysis import conclusions, engine, ttests
from analysis.__main__ import main
from analysis.engine import file_sha256, run_analysis
from analysis.loading import load_survey
from analysis.multiverse import (
    DIMENSIONS,
    FILENAME,
    PARQUET,
    multiverse_json,
    read_multiverse,
    result_keys,
    run_multiverse,
    specifications,
    write_multiverse,
)
from analysis.multiverse import (
    summary as mv_summary,
)
from analysis.options import CHOICES, Options
from analysis.store import Session, engine_hash
from survey_factory import make_survey, write_survey

CONCLUSION_FIELDS = {
    "id",
    "key",
    "rule",
    "claims",
    "paper_choice_holds",
    "holds_in",
    "n_distinct",
    "reads_choices",
    "inert",
    "knife_edge",
    "flips",
    "holds_in_specifications",
    "n_specifications",
    "n_not_estimable",
}


@pytest.fixture(scope="module")
def survey_path(tmp_path_factory):
    return write_survey(make_survey(300, seed=11), tmp_path_factory.mktemp("mv") / "survey.csv")


#: Two levels of nine choices, the paper's first: every part of the engine varies, and copies exist.
MINI = {
    "exclusion_minutes": (5.0, 10.0),
    "tails": (2, 1),
    "ttest": ("levene", "brunner_munzel"),
    "growth_missing": ("fiml", "listwise"),
    "multiplicity": ("none", "holm"),
    "correlation": ("pearson", "spearman"),
    "adjust": ("none", "age_gender"),
    "caseness_cutoffs": ("nhs", "gad10_phq10"),
    "growth_residuals": ("free", "equal"),
}
N_MINI = 2**9


@pytest.fixture(scope="module")
def full(survey_path):
    """The full factorial of :data:`MINI` on the 300-respondent survey, and the session that computed it."""
    session = Session(survey_path, store=None)
    return run_multiverse(session, MINI, columnar=True), session


def test_dimensions_are_the_full_factorial_of_the_choices():
    assert set(DIMENSIONS) == set(CHOICES)
    for name, levels in DIMENSIONS.items():
        assert sorted(levels, key=str) == sorted(CHOICES[name], key=str)
    assert list(DIMENSIONS["exclusion_minutes"]) == sorted(CHOICES["exclusion_minutes"])
    n = math.prod(len(v) for v in CHOICES.values())
    assert n == 196_608
    assert len(specifications(MINI)) == N_MINI and Options() in specifications(MINI)


def test_document_shape(full, survey_path):
    doc, _ = full
    assert list(doc) == ["data_sha256", "engine", "subset", "dimensions", "n_specifications", "specifications",
                         "conclusions", "table"]
    assert doc["data_sha256"] == file_sha256(survey_path)
    assert doc["engine"] == engine_hash()[:12]
    assert doc["dimensions"] == {k: list(v) for k, v in MINI.items()}
    specs = doc["specifications"]
    assert len(specs) == N_MINI == doc["n_specifications"] == doc["table"].num_rows
    seen = {tuple(sorted(s["options"].items())) for s in specs}
    assert len(seen) == N_MINI
    for s in specs:
        assert set(s) == {"options", "results", "not_estimable"}
        assert Options(**s["options"]).as_dict() == s["options"]
        assert s["not_estimable"] is None and set(s["results"]) == set(result_keys())
    assert [c["id"] for c in doc["conclusions"]] == [c.id for c in conclusions.CONCLUSIONS]
    for c in doc["conclusions"]:
        assert set(c) == CONCLUSION_FIELDS
    # written as strict JSON (no NaN) that reads back as the same document
    plain = {k: v for k, v in doc.items() if k != "table"}
    text = multiverse_json(plain)
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON")) == plain


def test_each_rule_reads_exactly_its_declared_keys():
    class Recorder(dict):
        def __init__(self):
            super().__init__()
            self.seen = []

        def get(self, key, default=None):
            self.seen.append(key)
            return default

    for c in conclusions.CONCLUSIONS:
        rec = Recorder()
        assert c.holds(rec) is None
        assert set(rec.seen) == set(c.reads), c.id
        assert set(c.reads) | set(c.shown_keys()) <= set(result_keys())
    assert "n_t1" in result_keys()


def _close(a, b) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b))
        )
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def test_results_equal_a_fresh_run_analysis(full, survey_path):
    """Every results key of the Parquet table (and every key of the records) equals a fresh run_analysis."""
    from analysis.reproduce import jsonable

    doc, _ = full
    survey = load_survey(survey_path)
    specs = doc["specifications"]
    rows = doc["table"].to_pylist()
    picked = random.Random(13).sample(range(len(specs)), 5)
    picked.append(next(i for i, s in enumerate(specs) if Options(**s["options"]) == Options()))
    picked.append(next(i for i, s in enumerate(specs) if s["options"]["growth_residuals"] == "equal"
                       and s["options"]["adjust"] == "age_gender" and s["options"]["ttest"] == "brunner_munzel"))
    for i in picked:
        spec = specs[i]
        fresh = run_analysis(survey, Options(**spec["options"])).values  # its own memo
        for key, value in spec["results"].items():
            assert _close(value, fresh[key]), (spec["options"], key, value, fresh[key])
        row = rows[i]
        assert set(row) == set(fresh) | {"not_estimable"}
        for key, value in fresh.items():
            value = jsonable(value)
            if isinstance(value, list):
                assert json.loads(row[key]) == value, key
            else:
                assert _close(row[key], value), (spec["options"], key, row[key], value)


def test_holds_in_matches_an_independent_count(full):
    doc, _ = full
    frame = pd.DataFrame([s["results"] for s in doc["specifications"]])
    frame = frame[[c for c in frame if not c.endswith("_judgement")]].astype(float)
    nontrivial = 0
    for c, summary in zip(conclusions.CONCLUSIONS, doc["conclusions"], strict=False):
        if len(c.reads) == 2:  # "estimate <op> 0 and P < alpha"
            est, p = frame[c.reads[0]], frame[c.reads[1]]
            sign = -1 if c.rule.split()[1] == "<" else +1
            holds = (est * sign > 0) & (p < conclusions.ALPHA)
            decided = est.notna() & p.notna()
        else:  # "P >= alpha"
            p = frame[c.reads[0]]
            holds, decided = p >= conclusions.ALPHA, p.notna()
        assert summary["n_specifications"] == decided.sum()
        assert summary["n_not_estimable"] == len(frame) - decided.sum()
        assert summary["holds_in_specifications"] == pytest.approx(holds[decided].mean(), abs=1e-15)
        nontrivial += 0 < summary["holds_in_specifications"] < 1
    assert nontrivial >= 2  # the survey is chosen so that some conclusions depend on the choices


def test_paper_choice_holds_is_the_rule_on_the_papers_results(full, survey_path):
    doc, _ = full
    values = run_analysis(load_survey(survey_path), Options()).values
    for c, summary in zip(conclusions.CONCLUSIONS, doc["conclusions"], strict=False):
        assert summary["paper_choice_holds"] is c.holds(values), c.id


def test_each_part_is_computed_once_per_distinct_value_of_its_options(full):
    _, session = full
    specs = specifications(MINI)
    needed = {"imputations": lambda o: o.growth_missing in ("mi", "delta"),  # none in MINI
              "ttest_adjusted": lambda o: o.adjust == "age_gender"}  # parts computed only when a choice needs them
    expected = {
        part: len({tuple(getattr(o, n) for n in names) for o in specs if needed.get(part, bool)(o)})
        for part, names in engine.DEPENDS_ON.items()
    }
    assert session.computed == {part: n for part, n in expected.items() if n}
    assert expected["growth_estimate"] == 8 and expected["ttests"] == 2 and expected["imputations"] == 0


def test_ttest_tables_equal_one_table_per_form(survey_path):
    frame = engine.analysis_frame(load_survey(survey_path).data)
    for grouping in ttests.GROUPINGS:
        tables = ttests.ttest_tables(frame, grouping=grouping)
        for form in ttests.TTEST_FORMS:
            pd.testing.assert_frame_equal(
                tables[form], ttests.ttest_table(frame, ttest=form, grouping=grouping), check_exact=True
            )


@pytest.fixture(scope="module")
def thin_path(tmp_path_factory):
    """60 respondents: only 5 take 10 minutes or more, and only 8 answered the later waves (all three)."""
    df = make_survey(60, seed=3)
    rng = np.random.default_rng(3)
    df["t1_duration_min"] = np.round(rng.uniform(5.5, 9.5, len(df)), 2)
    df.loc[:4, "t1_duration_min"] = 12.0
    later = [c for c in df.columns if c.startswith(("t2_", "t3_"))]
    df.loc[:, later] = np.nan
    df.loc[:7, later] = rng.integers(0, 4, (8, len(later))).astype(float)
    return write_survey(df, tmp_path_factory.mktemp("thin") / "thin.csv")


def test_not_estimable_specifications_are_kept_with_the_reason(thin_path, tmp_path):
    dims = {"exclusion_minutes": (5.0, 10.0), "growth_missing": ("fiml", "listwise")}
    session = Session(thin_path, store=None)
    doc = run_multiverse(session, dims)
    by = {(s["options"]["exclusion_minutes"], s["options"]["growth_missing"]): s for s in doc["specifications"]}
    assert len(by) == 4
    assert by[5.0, "fiml"]["not_estimable"] is None and by[5.0, "fiml"]["results"]["n_t1"] == 60
    for key in ((5.0, "listwise"), (10.0, "fiml"), (10.0, "listwise")):
        assert by[key]["results"] is None
        assert by[key]["not_estimable"].startswith("growth model"), by[key]["not_estimable"]
    assert "8 complete cases" in by[5.0, "listwise"]["not_estimable"]
    assert "5 respondents with at least one wave total" in by[10.0, "fiml"]["not_estimable"]
    assert session.computed["growth_estimate"] == 4  # a failing part is attempted once
    for c in doc["conclusions"]:
        assert c["n_specifications"] + c["n_not_estimable"] == 4
        assert c["n_not_estimable"] >= 3
        if c["n_specifications"]:
            assert c["holds_in_specifications"] in (0.0, 1.0)
            assert c["holds_in"] == c["holds_in_specifications"] == float(c["paper_choice_holds"])
        else:
            assert c["holds_in"] is None

    written = write_multiverse(thin_path, tmp_path, dims)
    assert json.loads((tmp_path / FILENAME).read_text()) == mv_summary(written)
    back = read_multiverse(tmp_path)
    assert back["specifications"] == written["specifications"]
    assert [s["not_estimable"] for s in written["specifications"]] == [
        s["not_estimable"] for s in doc["specifications"]
    ]


def test_cli_refuses_a_bad_file_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    make_survey(30, seed=1).drop(columns=["forum"]).to_csv(bad, index=False)
    out = tmp_path / "out"
    assert main(["multiverse", "--data", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and len(err.splitlines()) == 1, err
    assert not (out / FILENAME).exists()


def test_cli_writes_the_multiverse(thin_path, tmp_path, capsys, monkeypatch):
    import analysis.multiverse as mv

    two = {"exclusion_minutes": (5.0, 10.0)}  # the CLI runs the full factorial; two are enough for its wiring
    seen = {}

    def small(data, out, **kw):
        seen.update(kw)
        return write_multiverse(data, out, two, **{**kw, "permutations": 0})

    monkeypatch.setattr(mv, "write_multiverse", small)
    assert main(["multiverse", "--data", str(thin_path), "--out", str(tmp_path), "--jobs", "2"]) == 0
    assert "2 specifications (1 not estimable)" in capsys.readouterr().out
    assert seen == {"subset": "full", "jobs": 2, "scheduler": None, "permutations": 500}
    doc = read_multiverse(tmp_path)
    assert (tmp_path / PARQUET).exists()
    assert [s["options"]["exclusion_minutes"] for s in doc["specifications"]] == [5.0, 10.0]
    assert doc["dimensions"] == {"exclusion_minutes": [5.0, 10.0]}


def test_distinct_analyses_counted_independently(full):
    """Recount per conclusion, from the specifications alone: the distinct values of what its rule reads
    (one analysis per combination of the choices it depends on), the share that holds, the knife-edges,
    and the verdict flips of each choice (pairs of analyses differing in that choice alone)."""
    from analysis.engine import DEPENDS_ON
    from analysis.multiverse import KNIFE_EDGE_BAND

    doc, _ = full
    specs = doc["specifications"]
    DIMENSIONS = MINI  # noqa: N806 (the dimensions of this multiverse)
    for c, summary in zip(conclusions.CONCLUSIONS, doc["conclusions"], strict=True):
        read = [d for d in DIMENSIONS if d in DEPENDS_ON[c.part]]
        by_choice = {}
        for s in specs:
            by_choice.setdefault(tuple(s["options"][d] for d in read), set()).add(
                tuple(s["results"][k] for k in c.reads))
        assert all(len(v) == 1 for v in by_choice.values()), c.id  # the declared dependency is complete
        assert summary["n_distinct"] == len(by_choice) == math.prod(len(DIMENSIONS[d]) for d in read)
        first = {k: next(s["results"] for s in specs if tuple(s["options"][d] for d in read) == k)
                 for k in by_choice}
        held = [c.holds(r) for r in first.values()]
        assert summary["holds_in"] == pytest.approx(sum(held) / len(held))
        edge = sum(abs(r[c.p] - conclusions.ALPHA) < KNIFE_EDGE_BAND for r in first.values())
        assert summary["knife_edge"] == edge
        for i, name in enumerate(read):
            pairs = flips = 0
            for k, r in first.items():
                for level in DIMENSIONS[name]:
                    other = k[:i] + (level,) + k[i + 1:]
                    if level != k[i]:
                        pairs += 1
                        flips += c.holds(r) != c.holds(first[other])
            assert summary["flips"][name] == {"pairs": pairs // 2, "flips": flips // 2}, (c.id, name)
        assert set(summary["inert"]) == {d for d in DIMENSIONS if d not in read or summary["flips"][d]["flips"] == 0}
        assert summary["n_specifications"] == N_MINI  # the copies, which holds_in no longer counts


def test_the_books_subset_is_each_conclusions_distinct_analyses(full, survey_path):
    """subset="conclusions" runs only the distinct analyses and gives every conclusion the same summary as
    the full factorial (bar the count of specifications, which no longer holds copies)."""
    from analysis.engine import DEPENDS_ON
    from analysis.multiverse import conclusion_specifications

    doc, _ = full
    small = run_multiverse(Session(survey_path, store=None), MINI, subset="conclusions")
    expected = {tuple(sorted(o.as_dict().items())) for c in conclusions.CONCLUSIONS
                for o in specifications({d: (MINI[d] if d in DEPENDS_ON[c.part] else MINI[d][:1]) for d in MINI})}
    assert {tuple(sorted(Options(**s["options"]).as_dict().items())) for s in small["specifications"]} == expected
    assert len(conclusion_specifications(MINI)) == len(expected) < N_MINI
    for a, b in zip(doc["conclusions"], small["conclusions"], strict=True):
        same = {k: v for k, v in a.items() if k not in ("n_specifications", "holds_in_specifications")}
        assert same == {k: v for k, v in b.items() if k in same}, a["id"]
        assert b["n_specifications"] == a["n_distinct"] or b["n_not_estimable"]


def test_imputed_specifications_equal_a_fresh_run_analysis(survey_path):
    """growth_missing mi and delta through the multiverse (records and Parquet) equal a fresh run_analysis."""
    from analysis.reproduce import jsonable

    doc = run_multiverse(Session(survey_path, store=None), {"growth_missing": ("mi", "delta")}, columnar=True)
    survey = load_survey(survey_path)
    for spec, row in zip(doc["specifications"], doc["table"].to_pylist(), strict=True):
        fresh = run_analysis(survey, Options(**spec["options"])).values
        for key, value in fresh.items():
            value = jsonable(value)
            got = json.loads(row[key]) if isinstance(value, list) else row[key]
            assert got == value if isinstance(value, list) else _close(got, value), (spec["options"], key)
    mi, delta = (s["results"] for s in doc["specifications"])
    assert mi["gad_lgcm_slope_mean"] < delta["gad_lgcm_slope_mean"]  # dropouts shifted up: a flatter fall
