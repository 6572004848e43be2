"""The multiverse chapter's tables and sections: how each conclusion fares over its distinct analyses,
which choice decides it, and its specification curve (figures from :mod:`bookkit.speccurve`)."""

from __future__ import annotations

import re

import pandas as pd

from analysis.conclusions import ALPHA
from analysis.multiverse import KNIFE_EDGE_BAND
from analysis.options import Options

from . import labels, verdicts
from .fmt import fmt_p, typeset
from .tables import Col, journal_table


def mv_anchor(conclusion_id: str) -> str:
    """The id Sphinx gives the label ``(mv-<conclusion id>)=`` (underscores become hyphens)."""
    return "mv-" + conclusion_id.replace("_", "-")


def multiverse(doc: dict) -> str:
    """The conclusions of a multiverse document: rule, verdict under the paper's choices, share of the
    distinct analyses in which it holds, knife-edges and the choices that never change it."""
    rows = [
        {
            "statement": conclusion_link(c),
            "rule": f"`{rule_text(c['rule'])}`",
            "paper": c["paper_choice_holds"],
            "holds": None if c["holds_in"] is None else 100 * c["holds_in"],
            "n": c["n_distinct"],
            "edge": c["knife_edge"],
            "reads": _capital(", ".join(_in_list(d) for d in c["reads_choices"] if d not in c["inert"]) or "none"),
        }
        for c in doc["conclusions"]
    ]
    return journal_table(
        pd.DataFrame(rows),
        {
            "statement": Col("The paper concludes", "markdown"),
            "paper": Col("Holds with the paper's choices", "bool"),
            "holds": Col("Holds in (% of distinct analyses)", "pct", 0),
            "n": Col("Distinct analyses", "int"),
            "edge": Col("Knife-edges", "int"),
            "reads": Col("Choices that change the verdict"),
            "rule": Col("Rule", "markdown"),
        },
        caption="How the paper's conclusions fare across the multiverse.",
        name="tbl-multiverse",
        notes=[
            "A distinct analysis is one combination of the choices a conclusion's rule can depend on; "
            "specifications that differ only in other choices are copies of it and are counted once. An "
            "analysis counts when it could be run and the rule could decide. A knife-edge is a distinct "
            f"analysis whose P lies within {fmt_p(KNIFE_EDGE_BAND)} of α = {fmt_p(ALPHA)}."
        ],
    )


def dimensions_table(doc: dict) -> str:
    """The multiverse's choices: their levels (the paper's first) and what each is
    (:data:`analysis.options.DESCRIPTIONS`)."""
    from analysis.options import DESCRIPTIONS

    rows = [{"choice": choice_label(name), "name": f"`{name}`",
             "levels": ", ".join(f"`{v}`" for v in levels), "what": described(name, DESCRIPTIONS[name])}
            for name, levels in doc["dimensions"].items()]
    return journal_table(
        pd.DataFrame(rows),
        {"choice": Col("Choice"), "name": Col("Option", "markdown"), "levels": Col("Levels", "markdown"),
         "what": Col("What it is", "markdown")},
        caption="The analytic choices of the multiverse.",
        name="tbl-mv-dimensions",
        notes=["The paper's choice is the first level, except for the speed exclusion (ascending; the paper's is "
               f"{Options().exclusion_minutes:g} minutes) and the smallest effect of interest, which is the book's."],
    )


def choice_label(name: str) -> str:
    """A choice as the book names it in tables ('Speed exclusion', 'Growth SEs' ...): :func:`bookkit.labels.choice`."""
    return labels.choice(name)


def _in_list(name: str) -> str:
    """A choice's name inside a list: lower case, but for a name ("Yates' correction")."""
    words = choice_label(name)
    return words if words.startswith("Yates") else words[:1].lower() + words[1:]


def in_words(statement: str) -> str:
    """A conclusion's statement as a sentence's start: its CMO prefix ("CMO1: ...") dropped from the words."""
    return statement.split(": ", 1)[1] if re.match(r"^CMO\d+: ", statement) else statement


def _cmo(statement: str) -> str:
    """The statement's CMO prefix with its colon ("CMO1: "), or ""."""
    m = re.match(r"^(CMO\d+: )", statement)
    return m.group(1) if m else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def conclusion_link(conclusion: dict) -> str:
    """The conclusion in words, linked to its section of this chapter (MyST)."""
    return f"[{_capital(verdicts.statement(conclusion['id']))}](#{mv_anchor(conclusion['id'])})"


def rule_text(rule: str) -> str:
    """A rule as the page prints it (code, with ≥ and ≤ for >= and <=)."""
    return rule.replace(">=", "\u2265").replace("<=", "\u2264")


def described(name: str, description: str) -> str:
    """A choice's description (:data:`analysis.options.DESCRIPTIONS`) as MyST: typeset (≥, true minus), and every
    level or variable name it mentions as code: a snake_case word, or a level in parentheses or before one."""
    from analysis.options import CHOICES

    text = typeset(description).replace("*", "\\*")
    levels = [str(v) for v in CHOICES.get(name, ()) if isinstance(v, str)]
    alternatives = "|".join(re.escape(v) for v in sorted(levels, key=len, reverse=True))
    pattern = r"(?<![\w`-])([a-z][a-z0-9]*_[A-Za-z0-9_]+"
    if alternatives:
        pattern += rf"|(?<=\()(?:{alternatives})(?=[):])|(?:{alternatives})(?= \()"
    pattern += r")(?![\w`-])"
    return re.sub(pattern, r"`\1`", text)


def multiverse_flips(conclusion: dict) -> str:
    """Which choice decides: per choice the rule reads, the pairs of distinct analyses differing in it
    alone and how many of them flip the verdict, with each choice's share of all the flips."""
    total = sum(f["flips"] for f in conclusion["flips"].values())
    rows = [{"choice": choice_label(name), "pairs": f["pairs"], "flips": f["flips"],
             "share": 100 * f["flips"] / total if total else None}
            for name, f in conclusion["flips"].items()]
    cid = conclusion["id"]
    statement = verdicts.statement(cid)
    return journal_table(
        pd.DataFrame(rows),
        {"choice": Col("Choice"), "pairs": Col("Pairs differing in it alone", "int"),
         "flips": Col("Verdict flips", "int"), "share": Col("Share of all flips", "pct", 0)},
        caption=f"{_cmo(statement)}Which choice decides whether {in_words(statement)}.",
        name=f"tbl-mv-flips-{cid.replace('_', '-')}",
        notes=["A flip is a pair of estimable distinct analyses, differing in this choice only, in which the "
               "rule holds in one and not the other; a share is undefined when nothing flips."],
    )


def multiverse_sections(doc: dict, values: dict) -> str:
    """One section per conclusion: its label, rule, counts, specification curve and flips table (MyST);
    on the synthetic twin, a conclusion whose relation the twin does not encode says so
    (:func:`bookkit.twin_notes.note`)."""
    from .twin_notes import note

    parts = []
    for c in doc["conclusions"]:
        cid = c["id"]
        fig = cid.replace("_", "-")
        holds = "cannot be assessed" if c["holds_in"] is None else f"holds in {100 * c['holds_in']:.0f}%"
        joint = next((j for j in doc.get("joint_tests", []) if j["id"] == cid), None)
        joint_text = ""
        if joint is not None and joint["p"] is not None:
            joint_text = (f" Joint test ({{numref}}`tbl-mv-joint`): it holds in {100 * joint['observed_share']:.0f}% "
                          f"of its analyses against {100 * joint['null_mean']:.0f}% on average when the null is true "
                          f"by construction, P = {fmt_p(joint['p'])}.")
        effect = axis_words(cid)
        parts.append(
            f"({mv_anchor(cid)})=\n### {_capital(verdicts.statement(c['id']))}\n\n"
            f"Rule: `{rule_text(c['rule'])}`. It {holds} of {c['n_distinct']} distinct analyses "
            f"({c['knife_edge']} within {fmt_p(KNIFE_EDGE_BAND)} of α); {{numref}}`fig-mv-{fig}` shows each distinct "
            f"analysis once and {{numref}}`tbl-mv-flips-{fig}` which choice decides.{joint_text}"
            f"{' ' + note(cid, values).strip('()').capitalize() + '.' if note(cid, values) else ''}\n\n"
            f"```{{glue:figure}} fig_mv_{cid}\n:alt: Specification curve: {effect} in each distinct analysis of the "
            f"conclusion, blue where it holds and vermillion where it does not, with the choice matrix beneath.\n"
            f":name: fig-mv-{fig}\n\nSpecification curve: {effect} in each distinct analysis in which the rule can "
            f"decide whether {in_words(verdicts.statement(c['id']))}.\n```\n\n{multiverse_flips(c)}"
        )
    return "\n\n".join(parts)


def axis_words(conclusion_id: str) -> str:
    """What the curve's vertical axis shows, in words for a caption (:func:`bookkit.labels.effect`)."""
    from analysis.conclusions import BY_ID

    words = labels.effect(BY_ID[conclusion_id]).replace("\n", " ")
    return words if words[:3].isupper() else words[:1].lower() + words[1:]


def joint_tests(doc: dict) -> str:
    """The joint test of every t-test and correlation conclusion (Simonsohn, Simmons & Nelson 2020):
    share of its distinct analyses in which it holds, the same share under the null (mean and 95th
    percentile over the permutations), and the permutation P."""
    tests = doc.get("joint_tests", [])
    by_id = {c["id"]: c for c in doc["conclusions"]}
    rows = [{"id": conclusion_link(by_id[j["id"]]), "n": j["n_analyses"],
             "obs": None if j["observed_share"] is None else 100 * j["observed_share"],
             "mean": None if j["null_mean"] is None else 100 * j["null_mean"],
             "q95": None if j["null_95"] is None else 100 * j["null_95"], "p": j["p"],
             "permuted": ", ".join(labels.label(v).lower() for v in j["permuted"])} for j in tests]
    permutations = tests[0]["permutations"] if tests else 0
    return journal_table(
        pd.DataFrame(rows),
        {"id": Col("Conclusion", "markdown"), "n": Col("Distinct analyses", "int"),
         "obs": Col("Holds in (% observed)", "pct", 0), "mean": Col("Under the null: mean (%)", "pct", 0),
         "q95": Col("Under the null: 95th percentile (%)", "pct", 0), "p": Col("P", "p"),
         "permuted": Col("Shuffled")},
        caption="Joint test of the specification curves: is the share of analyses that support the conclusion "
                "larger than when there is no effect?",
        name="tbl-mv-joint",
        notes=[f"{permutations} permutations, each applied to every distinct analysis of the family at once "
               "(seeded; the same whatever the number of processes). P = (1 + the permutations whose share is at "
               "least the observed one) / (1 + the permutations). A conclusion that holds in no analysis has "
               "nothing to test (its P is the largest possible)."],
    )
