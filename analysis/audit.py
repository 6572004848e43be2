"""An audit of the paper against itself, in the spirit of statcheck: no data, only the claims ledger.

Each relation in ``data/paper_claims.yaml`` names the claims it ties together
and a rule; the rule recomputes what it can from the printed numbers and
decides whether they agree at the printed precision. Rules:

* ``percent``: a percentage against 100 n / N;
* ``same_quantity``: two printed values of the same quantity;
* ``sum``: parts against their total;
* ``chi2_counts``: Pearson chi-square (no correction) from a 2x2 table of printed counts;
* ``cramers_v``: V = sqrt(chi2 / N);
* ``test_p``: p from a test statistic and df (chi-square upper tail; t one- or two-tailed as the text
  declares, in the predicted direction);
* ``ci_centred``: whether a Wald CI is centred on its estimate;
* ``wording``: whether words ("small proportion", "the majority", "equally split", "not significant",
  "significantly", "fit the data well") agree with the numbers beside them;
* ``t_d_split``: whether some split of N = df + 2 makes Student's t and Cohen's d agree.

The rules decide whether printed numbers agree; a check that finds they do not is a *flag*, and every
flag has a grade (:data:`GRADES`), one of:

* ``inconsistent``: no reading of the paper's words makes the printed numbers agree;
* ``inconsistent only under a stated assumption``: they disagree only if an assumption the text does not
  force holds (e.g. that two differently worded percentages are one quantity); the assumption is shown;
* ``rounding or truncation``: the printed number is the recomputed one truncated or rounded otherwise than
  to nearest (detected by the rule, e.g. 521.96 printed as 521.9).

The grade is the rule's when it detects truncation, else the relation's ``assumption`` in the ledger
makes it the second grade, else the first. Each flagged relation records in ``why`` the reason its grade
was checked by hand against the paper.
"""

from __future__ import annotations

import math
from pathlib import Path

from scipy import stats

from . import ledger
from .caseness import chi_square_2x2


def _half(claim: dict) -> float:
    return 0.5 * 10.0 ** -claim["decimals"]


def _rounds_to(value: float, claim: dict) -> bool:
    if claim.get("relation") == "<":
        return value < claim["reported"]
    return abs(value - claim["reported"]) <= _half(claim) + 1e-9


GRADES = ("inconsistent", "inconsistent only under a stated assumption", "rounding or truncation")
INCONSISTENT, UNDER_ASSUMPTION, ROUNDING = GRADES
#: What a rule adds to its note when the printed number is the recomputed one truncated (graded ROUNDING).
TRUNCATED = "the printed value is the recomputed one truncated, not rounded"


def _truncated_to(value: float, claim: dict) -> bool:
    """The printed value is ``value`` truncated toward zero at the printed decimals (not rounded)."""
    scale = 10 ** claim["decimals"]
    return abs(math.trunc(value * scale) / scale - claim["reported"]) < 1e-9


def _fmt(x: float, decimals: int = 3) -> str:
    return f"{x:.{decimals}f}"


def _value(ref, by_id) -> float:
    return float(by_id[ref]["reported"]) if isinstance(ref, str) else float(ref)


def rule_percent(rel, c):
    n, total, pct = c[rel["n"]], c[rel["total"]], c[rel["percent"]]
    recomputed = 100 * n["reported"] / total["reported"]
    ok = _rounds_to(recomputed, pct)
    note = f"{n['reported']} of {total['reported']} is {recomputed:.2f}%"
    if not ok and _truncated_to(recomputed, pct):
        note += f"; {TRUNCATED}"
    elif not ok:
        lo = 100 * n["reported"] / (pct["reported"] + _half(pct))
        hi = 100 * n["reported"] / (pct["reported"] - _half(pct))
        low, high = math.ceil(lo), math.floor(hi)
        implied = f"a denominator of {low}" if low == high else f"a denominator between {low} and {high}"
        note += f"; the printed {pct['reported']}% implies {implied}"
    return pct, f"{pct['reported']}%", f"{recomputed:.2f}%", ok, note


def rule_same_quantity(rel, c):
    a, b = (c[i] for i in rel["claims"])
    ok = abs(a["reported"] - b["reported"]) <= max(_half(a), _half(b)) + 1e-9
    return b, f"{a['reported']} and {b['reported']}", f"{a['reported']}", ok, rel.get("note", "")


def rule_sum(rel, c):
    parts = [c[p]["reported"] for p in rel["parts"]]
    total = c[rel["total"]]
    ok = sum(parts) == total["reported"]
    return total, str(total["reported"]), " + ".join(map(str, parts)) + f" = {sum(parts)}", ok, rel.get("note", "")


def rule_chi2_counts(rel, c):
    b_cases = c[rel["b_cases"]]["reported"]
    recomputed = chi_square_2x2(
        c[rel["a_cases"]]["reported"], c[rel["a_not"]]["reported"], b_cases, c[rel["b_total"]]["reported"] - b_cases
    ).chi2
    chi2 = c[rel["chi2"]]
    ok = _rounds_to(recomputed, chi2)
    note = "Pearson chi-square without continuity correction from the printed counts"
    if not ok and _truncated_to(recomputed, chi2):
        note += f"; {TRUNCATED}"
    return chi2, str(chi2["reported"]), _fmt(recomputed, 2), ok, note


def rule_cramers_v(rel, c):
    n = sum(c[p]["reported"] for p in rel["n_parts"])
    v = c[rel["v"]]
    recomputed = math.sqrt(c[rel["chi2"]]["reported"] / n)
    return v, str(v["reported"]), _fmt(recomputed, 4), _rounds_to(recomputed, v), f"sqrt(chi2 / {n})"


def rule_test_p(rel, c):
    value = c[rel["value"]]["reported"]
    df = _value(rel["df"], c)
    p = c[rel["p"]]
    if rel["stat"] == "chi2":
        recomputed = float(stats.chi2.sf(value, df))
        ok = _rounds_to(recomputed, p)
        shown = "<.001" if p.get("relation") == "<" else f"{p['reported']}"
        return p, shown, _fmt(recomputed, 4), ok, f"upper tail of chi-square({df:g}) at {value}"
    one = float(stats.t.sf(value, df))  # predicted direction: the first group higher
    two = float(2 * stats.t.sf(abs(value), df))
    tails = rel.get("tails", 2)
    recomputed = one if tails == 1 else two
    ok = _rounds_to(recomputed, p)
    other = two if tails == 1 else one
    note = f"t({df:g}) = {value}: one-tailed p {_fmt(one, 4)}, two-tailed p {_fmt(two, 4)}"
    if tails == 1:
        note += f'; the text declares {tails}-tailed tests ("{rel.get("declared_by", "")}")'
    if not ok and _rounds_to(other, p):
        note += f"; the printed p matches the {'two' if tails == 1 else 'one'}-tailed value instead"
    shown = "<.001" if p.get("relation") == "<" else f"{p['reported']}"
    return p, shown, _fmt(recomputed, 4), ok, note


def rule_ci_centred(rel, c):
    est, low, high = c[rel["estimate"]], c[rel["low"]], c[rel["high"]]
    mid = (low["reported"] + high["reported"]) / 2
    tolerance = _half(est) + _half(low)  # rounding of the estimate and of the two ends
    ok = abs(mid - est["reported"]) <= tolerance + 1e-9
    half_width = (high["reported"] - low["reported"]) / 2
    note = (
        f"midpoint of the interval {mid:.4f}; half-width {half_width:.4f}, so SE about "
        f"{half_width / stats.norm.ppf(0.975):.4f}"
    )
    return est, f"{est['reported']} ({low['reported']} to {high['reported']})", f"midpoint {mid:.4f}", ok, note


def rule_wording(rel, c):
    phrase = rel["phrase"]
    if "percent" in rel:
        pct = c[rel["percent"]]["reported"]
        if "max_percent" in rel:
            ok = pct <= rel["max_percent"]
            note = f'"{phrase}" beside {pct}% (taken as at most {rel["max_percent"]}%)'
        else:
            ok = pct > rel["min_percent"]
            note = f'"{phrase}" beside {pct}% (more than {rel["min_percent"]}%)'
        return c[rel["percent"]], f"{pct}%", "", ok, note
    if "n" in rel:
        n, total = c[rel["n"]]["reported"], c[rel["total"]]["reported"]
        share = 100 * n / total
        ok = share < rel["max_percent"]
        note = f'"{phrase}": {n} of {total} is {share:.1f}%'
        return c[rel["n"]], f"{n} of {total}", f"{share:.1f}%", ok, note
    if "daily_n" in rel:
        daily, total = c[rel["daily_n"]]["reported"], c[rel["total"]]["reported"]
        share = 100 * daily / total
        ok = share <= 55
        note = (
            f"{daily} of {total} ({share:.0f}%) use the forum daily, so at least that share uses it more "
            "than once a week: an equal split needs both sides near 50%"
        )
        return c[rel["daily_n"]], f"{daily} daily of {total}", f"{share:.1f}% at least weekly", ok, note
    if "p" in rel:
        p = c[rel["p"]]
        value = p["reported"]
        significant = value < rel["alpha"] if p.get("relation") != "<" else value <= rel["alpha"]
        ok = significant if rel.get("significant") else not significant
        return (
            p,
            ("<" if p.get("relation") == "<" else "") + str(value),
            "",
            ok,
            f'"{phrase}" with P {("<" if p.get("relation") == "<" else "=")}{value}',
        )
    low, high = c[rel["low"]]["reported"], c[rel["high"]]["reported"]
    ok = low <= 0 <= high
    return c[rel["low"]], f"{low} to {high}", "", ok, f'"{phrase}" with a 95% CI from {low} to {high}'


def rule_t_d_split(rel, c):
    t, d, df = c[rel["t"]], c[rel["d"]], c[rel["df"]]["reported"]
    n = int(df) + 2
    fitting = []
    for n1 in range(2, n - 1):
        factor = math.sqrt(n1 * (n - n1) / n)
        lo = (t["reported"] - _half(t)) / factor
        hi = (t["reported"] + _half(t)) / factor
        if lo <= d["reported"] + _half(d) and hi >= d["reported"] - _half(d):
            fitting.append(n1)
    larger = [k for k in fitting if k >= n / 2]
    ok = bool(fitting)
    note = (
        f"Student's t = d sqrt(n1 n0 / N) with N = {n}: the printed t and d fit larger groups of "
        f"{min(larger)}-{max(larger)}"
        if larger
        else "no split fits"
    )
    if "groups_hint" in rel:
        hint = c[rel["groups_hint"]]["reported"]
        d_hint = t["reported"] / math.sqrt(hint * (n - hint) / n)
        note += f"; {hint} against {n - hint} would give d = {d_hint:.3f}"
    return d, f"t {t['reported']}, d {d['reported']}", f"{len(fitting)} splits fit", ok, note


RULES = {
    "percent": rule_percent,
    "same_quantity": rule_same_quantity,
    "sum": rule_sum,
    "chi2_counts": rule_chi2_counts,
    "cramers_v": rule_cramers_v,
    "test_p": rule_test_p,
    "ci_centred": rule_ci_centred,
    "wording": rule_wording,
    "t_d_split": rule_t_d_split,
}


def run() -> list[dict]:
    """Every relation of the ledger checked by its rule, in ledger order."""
    by_id = ledger.claims_by_id()
    checks = []
    for k, rel in enumerate(ledger.load()["relations"], start=1):
        claim, reported, recomputed, ok, note = RULES[rel["rule"]](rel, by_id)
        grade, assumption = grade_of(rel, bool(ok), note)
        checks.append(
            {
                "id": f"A{k:03d}",
                "claims": rel["claims"],
                "section": claim["section"],
                "quote": claim["snippet"],
                "rule": rel["rule"],
                "reported": reported,
                "recomputed": recomputed,
                "consistent": bool(ok),
                "note": note,
                "grade": grade,
                "assumption": assumption,
                "why": rel.get("why", "") if not ok else "",
            }
        )
    return checks


def grade_of(rel: dict, consistent: bool, note: str) -> tuple[str, str]:
    """(grade, assumption) of a check: ``("", "")`` when consistent; else the conventions of the module
    docstring (the rule's truncation, the ledger's ``assumption``, or plainly inconsistent)."""
    if consistent:
        return "", ""
    if TRUNCATED in note:
        return ROUNDING, ""
    if rel.get("assumption"):
        return UNDER_ASSUMPTION, rel["assumption"]
    return INCONSISTENT, ""


def flags_by_claim(checks: list[dict] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Claim id -> [(check id, grade)] for every flag (of ``checks``, default :func:`run`) naming the claim."""
    flags: dict[str, list[tuple[str, str]]] = {}
    for check in run() if checks is None else checks:
        if not check["consistent"]:
            for claim_id in check["claims"]:
                flags.setdefault(claim_id, []).append((check["id"], check["grade"]))
    return flags


def grade_counts(checks: list[dict]) -> dict[str, int]:
    """Flags per grade, in :data:`GRADES` order."""
    return {g: sum(c["grade"] == g for c in checks) for g in GRADES}


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.audit [--out DIR]``: write DIR/audit.json (default _build/audit), atomically."""
    import argparse

    from analysis import paths
    from analysis.store import write_json

    parser = argparse.ArgumentParser(prog="python -m analysis.audit", description=main.__doc__)
    parser.add_argument("--out", type=Path, default=paths.ROOT / "_build" / "audit")
    args = parser.parse_args(argv)
    checks = run()
    write_json(args.out / "audit.json", checks)
    bad = [c for c in checks if not c["consistent"]]
    graded = ", ".join(f"{n} {g}" for g, n in grade_counts(checks).items())
    print(f"{len(checks)} checks, {len(bad)} flagged ({graded}); wrote {args.out / 'audit.json'}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
