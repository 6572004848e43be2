"""The multiverse chapter's tables and sections: how each conclusion fares over its distinct analyses,
which choice decides it, and its specification curve (figures from :mod:`bookkit.speccurve`)."""

from __future__ import annotations

import pandas as pd

from analysis.conclusions import ALPHA
from analysis.multiverse import KNIFE_EDGE_BAND
from analysis.options import Options

from . import verdicts
from .fmt import fmt_p
from .tables import Col, journal_table


def mv_anchor(conclusion_id: str) -> str:
    """The id Sphinx gives the label ``(mv-<conclusion id>)=`` (underscores become hyphens)."""
    return "mv-" + conclusion_id.replace("_", "-")


def multiverse(doc: dict) -> str:
    """The conclusions of a multiverse document: rule, verdict under the paper's choices, share of the
    distinct analyses in which it holds, knife-edges and the choices that never change it."""
    rows = [
        {
            "id": f"[{c['id']}](#{mv_anchor(c['id'])})",
            "statement": verdicts.statement(c["id"]),
            "rule": f"`{c['rule']}`",
            "paper": c["paper_choice_holds"],
            "holds": None if c["holds_in"] is None else 100 * c["holds_in"],
            "n": c["n_distinct"],
            "edge": c["knife_edge"],
            "reads": ", ".join(choice_label(d) for d in c["reads_choices"] if d not in c["inert"]) or "none",
        }
        for c in doc["conclusions"]
    ]
    return journal_table(
        pd.DataFrame(rows),
        {
            "id": Col("Conclusion", "markdown"),
            "statement": Col("The paper concludes"),
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
             "levels": ", ".join(f"`{v}`" for v in levels), "what": DESCRIPTIONS[name]}
            for name, levels in doc["dimensions"].items()]
    return journal_table(
        pd.DataFrame(rows),
        {"choice": Col("Choice"), "name": Col("Option", "markdown"), "levels": Col("Levels", "markdown"),
         "what": Col("What it is")},
        caption="The analytic choices of the multiverse.",
        name="tbl-mv-dimensions",
        notes=["The paper's choice is the first level, except for the speed exclusion (ascending; the paper's is "
               f"{Options().exclusion_minutes:g} minutes) and the smallest effect of interest, which is the book's."],
    )


def choice_label(name: str) -> str:
    """A choice as the book names it in tables ('speed exclusion', 'growth SEs' ...)."""
    return CHOICE_LABELS.get(name, name.replace("_", " "))


#: Short names of the analytic choices for tables and figure labels.
CHOICE_LABELS = {
    "exclusion_minutes": "speed exclusion",
    "yates": "Yates' correction",
    "growth_missing": "growth missing data",
    "growth_information": "growth SEs",
    "ttest": "t-test form",
    "tails": "tails",
    "scoring": "subscale scoring",
    "grouping": "t-test groups",
    "sesoi": "smallest effect of interest",
    "multiplicity": "multiplicity correction",
    "correlation": "correlation coefficient",
    "adjust": "adjustment for age and gender",
    "caseness_cutoffs": "caseness cut-offs",
    "growth_residuals": "growth residual variances",
}


def multiverse_flips(conclusion: dict) -> str:
    """Which choice decides: per choice the rule reads, the pairs of distinct analyses differing in it
    alone and how many of them flip the verdict, with each choice's share of all the flips."""
    total = sum(f["flips"] for f in conclusion["flips"].values())
    rows = [{"choice": choice_label(name), "pairs": f["pairs"], "flips": f["flips"],
             "share": 100 * f["flips"] / total if total else None}
            for name, f in conclusion["flips"].items()]
    cid = conclusion["id"]
    return journal_table(
        pd.DataFrame(rows),
        {"choice": Col("Choice"), "pairs": Col("Pairs differing in it alone", "int"),
         "flips": Col("Verdict flips", "int"), "share": Col("Share of all flips", "pct", 0)},
        caption=f"Which choice decides {cid}.",
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
        cid, key = c["id"], c["key"]
        statement = verdicts.statement(cid)
        fig = cid.replace("_", "-")
        holds = "cannot be assessed" if c["holds_in"] is None else f"holds in {100 * c['holds_in']:.0f}%"
        joint = next((j for j in doc.get("joint_tests", []) if j["id"] == cid), None)
        joint_text = ""
        if joint is not None and joint["p"] is not None:
            joint_text = (f" Joint test ({{numref}}`tbl-mv-joint`): it holds in {100 * joint['observed_share']:.0f}% "
                          f"of its analyses against {100 * joint['null_mean']:.0f}% on average when the null is true "
                          f"by construction, P = {fmt_p(joint['p'])}.")
        parts.append(
            f"({mv_anchor(cid)})=\n### {statement[0].upper()}{statement[1:]}\n\n"
            f"Rule: `{c['rule']}`. It {holds} of {c['n_distinct']} distinct analyses "
            f"({c['knife_edge']} within {fmt_p(KNIFE_EDGE_BAND)} of α); {{numref}}`fig-mv-{fig}` shows each distinct "
            f"analysis once and {{numref}}`tbl-mv-flips-{fig}` which choice decides.{joint_text}"
            f"{' ' + note(cid, values).strip('()').capitalize() + '.' if note(cid, values) else ''}\n\n"
            f"```{{glue:figure}} fig_mv_{cid}\n:alt: Specification curve of {key} across the distinct analyses of "
            f"the conclusion, with the choice matrix beneath.\n:name: fig-mv-{fig}\n\nSpecification curve of `{key}` "
            f"for the conclusion \"{statement}\".\n```\n\n{multiverse_flips(c)}"
        )
    return "\n\n".join(parts)


def joint_tests(doc: dict) -> str:
    """The joint test of every t-test and correlation conclusion (Simonsohn, Simmons & Nelson 2020):
    share of its distinct analyses in which it holds, the same share under the null (mean and 95th
    percentile over the permutations), and the permutation P."""
    tests = doc.get("joint_tests", [])
    rows = [{"id": f"[{j['id']}](#{mv_anchor(j['id'])})", "n": j["n_analyses"],
             "obs": None if j["observed_share"] is None else 100 * j["observed_share"],
             "mean": None if j["null_mean"] is None else 100 * j["null_mean"],
             "q95": None if j["null_95"] is None else 100 * j["null_95"], "p": j["p"],
             "permuted": ", ".join(f"`{c}`" for c in j["permuted"])} for j in tests]
    permutations = tests[0]["permutations"] if tests else 0
    return journal_table(
        pd.DataFrame(rows),
        {"id": Col("Conclusion", "markdown"), "n": Col("Distinct analyses", "int"),
         "obs": Col("Holds in (% observed)", "pct", 0), "mean": Col("Under the null: mean (%)", "pct", 0),
         "q95": Col("Under the null: 95th percentile (%)", "pct", 0), "p": Col("P", "p"),
         "permuted": Col("Permuted", "markdown")},
        caption="Joint test of the specification curves: is the share of analyses that support the conclusion "
                "larger than when there is no effect?",
        name="tbl-mv-joint",
        notes=[f"{permutations} permutations, each applied to every distinct analysis of the family at once "
               "(seeded; the same whatever the number of processes). P = (1 + the permutations whose share is at "
               "least the observed one) / (1 + the permutations). A conclusion that holds in no analysis has "
               "nothing to test (its P is the largest possible)."],
    )
