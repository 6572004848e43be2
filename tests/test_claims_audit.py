"""The claims ledger, the reproduction statuses and the audit rules, against closed forms and the paper."""

from __future__ import annotations

import json
import re

import pytest

from analysis.caseness import chi_square_2x2
from analysis.paths import PAPER_TEXT as PAPER
from bookkit import audit, claims
from bookkit.audit import main


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


def test_chi_square_from_counts_closed_form():
    # 2x2 closed form: N (ad - bc)^2 / (row and column totals)
    a, b, c, d = 593, 198, 76265, 4650
    n = a + b + c + d
    closed = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert chi_square_2x2(a, b, c, d).chi2 == pytest.approx(closed, rel=1e-12)


def test_audit_command_writes_json(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "audit.json").read_text())
    assert {"id", "section", "quote", "rule", "reported", "recomputed", "consistent", "note"} <= set(data[0])
    assert any(not c["consistent"] for c in data)
    assert "inconsistent" in capsys.readouterr().out
