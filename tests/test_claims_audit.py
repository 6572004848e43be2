"""The claims ledger, the reproduction statuses and the audit rules, against closed forms and the paper."""

from __future__ import annotations

import json
import re

import pytest

from analysis import audit
from analysis.audit import main
from analysis.caseness import chi_square_2x2
from analysis.paths import PAPER_TEXT as PAPER
from bookkit import claims


def test_ledger_has_at_least_60_claims_each_quoted_verbatim():
    doc = claims.load()
    assert len(doc["claims"]) >= 60
    paper = re.sub(r"\s+", " ", PAPER.read_text(encoding="utf-8"))
    for c in doc["claims"]:
        assert c["snippet"] in paper, c["id"]
        assert str(c["reported"]).lstrip("-").replace(".", "").isdigit()
    kinds = {c["kind"] for c in doc["claims"]}
    assert kinds == set(claims.KINDS)


def test_shown_numbers_link_to_the_claim_their_key_reproduces():
    links = claims.links_by_key()
    by_id = claims.claims_by_id()
    assert len(links) > 60
    for key, claim_id in links.items():
        assert by_id[claim_id]["key"] == key
    assert links["n_t1"] == "C001" and links["gad_lgcm_slope_mean"] == "C070"


def _twin_like(**changes) -> dict:
    """Values as the engine gives them for the paper's choices (the keys published_claim looks at)."""
    values = {"n_t1": 791, "caseness_n_cases": 593, "caseness_n_not_cases": 198, "caseness_pct": 100 * 593 / 791,
              "tails": 2, "p_one_tailed_safe_total": 0.00425, "p_two_tailed_safe_total": 0.0085,
              "p_safe_total": 0.0085, "p_one_tailed_selfeff_total": 5.9e-7, "p_two_tailed_selfeff_total": 1.2e-6,
              "p_selfeff_total": 1.2e-6, "p_selfeff_mod": 2.7e-21, "gad_lgcm_df": 1, "phq_lgcm_df": 1,
              "n_use_daily": 158, "n_use_daily_pct": 100 * 158 / 791, "n_excluded_speed": 29,
              "n_forum_Jay": 38, "n_forum_Dunnock": 287, "r_visit_read_help_same": 0.766}
    values.update(changes)
    return values


@pytest.mark.parametrize("key,expected", [
    ("n_t1", "C001"),                        # directly: the first claim with this key
    ("n_forum_Dunnock", "C013"),
    ("caseness_pct", "C055"),                # a percentage equal to a claim's ratio (593 of 791)
    ("p_safe_total", "C090"),                # tails 2: p_V is the two-tailed P the paper prints
    ("p_selfeff_total", "C094"),
    ("p_selfeff_mod", "C111"),               # the one P<.001 printed for both correlations
    ("gad_lgcm_df", "C112"), ("phq_lgcm_df", "C113"),  # the df printed as the subscript of chi-square
    ("n_use_daily", "C033"),                 # published even where the data do not reproduce it
    ("n_excluded_speed", None), ("n_forum_Jay", None), ("r_visit_read_help_same", None),
])
def test_published_claim_finds_the_claim_a_shown_number_is(key, expected):
    assert claims.published_claim(key, _twin_like()) == expected


def test_published_claim_follows_the_options_and_the_values():
    # one-tailed P shown (tails=1): not the number the paper prints, so not published
    one_tailed = _twin_like(tails=1, p_safe_total=0.00425, p_selfeff_total=5.9e-7)
    assert claims.published_claim("p_safe_total", one_tailed) is None
    assert claims.published_claim("p_selfeff_total", one_tailed) is None
    # a P key that is not the value of the key it names is not taken for it
    assert claims.published_claim("p_safe_total", _twin_like(p_safe_total=0.5)) is None
    # a percentage with another denominator than the claim's ratio is another number
    assert claims.published_claim("caseness_pct", _twin_like(caseness_pct=100 * 593 / 780)) is None
    assert claims.published_claim("not_a_key", _twin_like()) is None


def test_shown_status_is_the_report_status_of_that_claim():
    values = _twin_like()
    assert claims.shown_status("n_use_daily", values) == "differs"      # the twin's 158 for the paper's 712
    assert claims.shown_status("n_use_daily", _twin_like(n_use_daily=712)) == "reproduced"
    assert claims.shown_status("p_safe_total", values) == "reproduced"
    assert claims.shown_status("n_excluded_speed", values) is None
    table = claims.report(values).set_index("id")
    for key in ("n_use_daily", "n_use_daily_pct", "p_safe_total", "caseness_pct", "gad_lgcm_df"):
        assert claims.shown_status(key, values) == table.loc[claims.published_claim(key, values), "status"], key


def test_printed_text_is_the_papers():
    by_id = claims.claims_by_id()
    assert [claims.printed_text(by_id[i]) for i in ("C064", "C061", "C034", "C033", "C037")] == [
        ".15", "<.001", "90%", "712", "64.5%"]


def test_printed_t_test_p_is_compared_with_the_p_that_reproduces_it():
    """C090/C094: the ledger's key names the tails whose P, from the printed t and df, gives the printed P
    (two-tailed); the declared 1-tailed tests stay an audit flag (A032), not a report status."""
    from scipy import stats

    by_id = claims.claims_by_id()
    for rel in claims.load()["relations"]:
        if rel["rule"] != "test_p" or rel["stat"] != "t":
            continue
        t, df, p = by_id[rel["value"]]["reported"], by_id[rel["df"]]["reported"], by_id[rel["p"]]
        tails = 1 if p["key"].startswith("p_one_tailed_") else 2 if p["key"].startswith("p_two_tailed_") else None
        assert tails, p["id"]
        from_printed = stats.t.sf(t, df) * tails
        assert claims.status(p, from_printed) == "reproduced", p["id"]
    c090 = by_id["C090"]
    assert c090["key"] == "p_two_tailed_safe_total"
    assert claims.status(c090, stats.t.sf(2.638, 789)) == "differs"  # the one-tailed .004 would not


@pytest.mark.parametrize("reported,decimals,value,expected", [
    (0.414, 3, 0.41449, "reproduced"), (0.414, 3, 0.4151, "within tolerance"), (521.9, 1, 521.96, "within tolerance"),
    (0.15, 2, 0.083, "differs"), (791, 0, 791, "reproduced"),
])
def test_status_rules(reported, decimals, value, expected):
    claim = {"reported": reported, "decimals": decimals, "key": "x"}
    assert claims.status(claim, value) == expected


def test_status_of_bounds_and_reasons():
    assert claims.status({"reported": 0.001, "decimals": 3, "relation": "<", "key": "p"}, 0.0004) == "reproduced"
    assert claims.status({"reported": 0.001, "decimals": 3, "relation": "<", "key": "p"}, 0.002) == "differs"
    assert claims.status({"reported": 52, "decimals": 0, "reason": "interviews"}, None) == "not computable"


def test_report_on_manifest_values():
    results = {"n_t1": 791, "n_female": 475, "n_female_pct": 100 * 475 / 791, "caseness_n_cases": 593}
    table = claims.report(results).set_index("id")
    assert table.loc["C012", "status"] == "reproduced"
    assert table.loc["C018", "status"] == "reproduced"  # 475 / 791 = 60.05%
    assert table.loc["C055", "status"] == "reproduced"  # ratio: 593 / 791 = 75.0%
    assert table.loc["C002", "status"] == "not computable"


@pytest.fixture(scope="module")
def checks():
    return {c["id"]: c for c in audit.run()}


def by_claims(checks, *ids, rule=None):
    found = [c for c in checks.values() if set(ids) <= set(c["claims"]) and rule in (None, c["rule"])]
    assert len(found) == 1, (ids, rule, [c["id"] for c in found])
    return found[0]


def test_audit_finds_what_a_careful_reader_finds(checks):
    # GAD-7: chi-square(1) = 3.0 has P = .083, not .15 (closed form: P(chi2_1 > 3) = 2(1 - Phi(sqrt 3)))
    assert not by_claims(checks, "C063", "C064", rule="test_p")["consistent"]
    # t(789) = 2.638 one-tailed is P = .004; the printed .009 is two-tailed though the text says 1-tailed
    t_check = by_claims(checks, "C088", "C090", rule="test_p")
    assert not t_check["consistent"] and "two-tailed value" in t_check["note"]
    # the PHQ-8 interval is not centred on -0.162
    assert not by_claims(checks, "C081", "C082", "C083")["consistent"]
    assert by_claims(checks, "C070", "C071", "C072")["consistent"]  # the GAD-7 one is
    # "a small proportion (n=712, 90%)" and the "equally split" weekly use
    assert not by_claims(checks, "C034", rule="wording")["consistent"]
    assert not by_claims(checks, "C033", "C012", rule="wording")["consistent"]
    # interview percentages use 56, not 52, as denominator
    assert not by_claims(checks, "C045", "C046", rule="percent")["consistent"]
    # 88% and 89% for the same behaviour; 41% and 29% for helping others
    assert not by_claims(checks, "C035", "C106")["consistent"]
    assert not by_claims(checks, "C028", "C107")["consistent"]


def test_audit_passes_what_agrees(checks):
    assert by_claims(checks, "C017", "C018", rule="percent")["consistent"]  # 475 / 791 = 60%
    assert by_claims(checks, "C059", "C062", "C012", "C056")["consistent"]  # V = sqrt(521.9 / 81706) = 0.08
    assert by_claims(checks, "C074", "C075", rule="test_p")["consistent"]  # chi-square(1) = 1.8: P = .18
    assert by_claims(checks, "C042", "C043", "C044")["consistent"]  # 47 + 5 = 52
    split = by_claims(checks, "C088", "C089", "C091", "C038")
    assert split["consistent"] and "525" in split["note"] and "0.196" in split["note"]


@pytest.mark.parametrize("check_id,grade", [
    ("A023", audit.UNDER_ASSUMPTION),  # 89% "responded or liked" (6 weeks) vs 88% "responding" (some of the time)
    ("A045", audit.UNDER_ASSUMPTION),  # multi-select reasons (69 + 30 + 29 = 128%): 41% may be either help reason
    ("A035", audit.UNDER_ASSUMPTION),  # a centred interval only if it is a Wald interval
    ("A027", audit.ROUNDING),          # 521.96 printed as 521.9
    ("A030", audit.INCONSISTENT),      # chi-square(1) = 3.0 cannot have P = .15
    ("A032", audit.INCONSISTENT),      # declared 1-tailed, printed two-tailed
])
def test_audit_grades(checks, check_id, grade):
    assert checks[check_id]["grade"] == grade
    assert not checks[check_id]["consistent"]


def test_audit_regrades_what_a_reviewer_doubted(checks):
    assert checks["A023"]["claims"] == ["C035", "C106"] and "one quantity" in checks["A023"]["assumption"]
    assert checks["A045"]["claims"] == ["C028", "C107"] and "multi-select" in checks["A045"]["why"]
    assert checks["A027"]["rule"] == "chi2_counts" and "521.96" in checks["A027"]["why"]


def test_every_flag_has_a_grade_and_the_reason_it_was_checked(checks):
    flags = [c for c in checks.values() if not c["consistent"]]
    assert len(flags) >= 10
    for c in checks.values():
        if c["consistent"]:
            assert c["grade"] == "" and c["assumption"] == "" and c["why"] == "", c["id"]
            continue
        assert c["grade"] in audit.GRADES, c["id"]
        assert c["why"], f"{c['id']}: a flag needs the reason its grade was checked by hand (why: in the ledger)"
        assert bool(c["assumption"]) == (c["grade"] == audit.UNDER_ASSUMPTION), c["id"]
    counts = audit.grade_counts(list(checks.values()))
    assert sum(counts.values()) == len(flags) and all(counts.values())


def test_ledger_grades_only_what_is_flagged(checks):
    """An assumption or a hand check on a relation the rules find consistent is stale."""
    for check, rel in zip(sorted(checks.values(), key=lambda c: c["id"]), claims.load()["relations"], strict=True):
        if check["consistent"]:
            assert "assumption" not in rel and "why" not in rel, check["id"]


def test_grade_rules():
    assert audit.grade_of({}, True, "") == ("", "")
    assert audit.grade_of({"assumption": "x"}, False, f"n; {audit.TRUNCATED}") == (audit.ROUNDING, "")
    assert audit.grade_of({"assumption": "x"}, False, "n") == (audit.UNDER_ASSUMPTION, "x")
    assert audit.grade_of({}, False, "n") == (audit.INCONSISTENT, "")
    truncated = {"n": "a", "total": "b", "percent": "c"}
    ledger = {"a": {"reported": 649}, "b": {"reported": 1000}, "c": {"reported": 64, "decimals": 0}}
    *_, ok, note = audit.rule_percent(truncated, ledger)  # 64.9% printed as 64%
    assert not ok and audit.grade_of({}, ok, note)[0] == audit.ROUNDING


def test_report_lists_the_audit_flags_of_each_claim(checks):
    table = claims.report({}, flags=audit.flags_by_claim()).set_index("id")
    flagged = {cid for c in checks.values() if not c["consistent"] for cid in c["claims"]}
    for claim_id, row in table.iterrows():
        assert bool(row["audit"]) == (claim_id in flagged), claim_id
    assert "A032 (inconsistent)" in table.loc["C090", "audit"]


def test_chi_square_from_counts_closed_form():
    # 2x2 closed form: N (ad - bc)^2 / (row and column totals)
    a, b, c, d = 593, 198, 76265, 4650
    n = a + b + c + d
    closed = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert chi_square_2x2(a, b, c, d).chi2 == pytest.approx(closed, rel=1e-12)


def test_audit_command_writes_json(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "audit.json").read_text())
    assert {"id", "section", "quote", "rule", "reported", "recomputed", "consistent", "note", "grade", "assumption",
            "why"} <= set(data[0])
    assert any(not c["consistent"] for c in data)
    assert "inconsistent" in capsys.readouterr().out
