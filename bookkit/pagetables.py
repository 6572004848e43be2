"""The tables and small displays of each computed chapter, built from the engine's results.

Every table goes through :func:`bookkit.tables.journal_table` (numbered caption, column kinds,
one suppression symbol) from tables that :func:`analysis.disclosure.protect_tables` has already
protected. Functions return MyST markdown; chapters show it with :func:`bookkit.chapter.show_markdown`.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis import disclosure
from analysis.engine import Results

from . import fmt, labels
from .tables import Col, journal_table

SCALES = {"gad": "GAD-7 (anxiety)", "phq": "PHQ-8 (depression)"}
PARAMETERS = {
    "intercept_mean": "Intercept mean",
    "slope_mean": "Slope mean",
    "intercept_var": "Intercept variance",
    "slope_var": "Slope variance",
    "intercept_slope_cov": "Intercept-slope covariance",
    "residual_var_1": "Residual variance, T1",
    "residual_var_2": "Residual variance, T2",
    "residual_var_3": "Residual variance, T3",
}


def protected(results: Results) -> dict[str, pd.DataFrame]:
    """The results' tables as they may be published (disclosure control applied)."""
    return disclosure.protect_tables(results.tables, results.values["n_t1"])


def forums(
    table: pd.DataFrame, name: str = "tbl-forums", caption: str = "Survey respondents per forum at each wave."
) -> str:
    return journal_table(
        table,
        {
            "forum": Col("Forum"),
            "n_t1": Col("Time 1", "int"),
            "n_t2": Col("Time 2", "int"),
            "n_t3": Col("Time 3", "int"),
        },
        caption=caption,
        name=name,
        notes=["Times 2 and 3 count respondents with a GAD-7 or a PHQ-8 total at that wave."],
    )


def sample_description(table: pd.DataFrame) -> str:
    variable = table["variable"].map(labels.label)
    shown = table.assign(  # the question once, at the first of its answers
        variable=variable.where(variable.ne(variable.shift()), ""),
        category=table["category"].map(labels.category),
    )
    return journal_table(
        shown,
        {
            "variable": Col("Question"),
            "category": Col("Answer"),
            "n": Col("n", "int"),
            "percent": Col("Percent", "pct"),
        },
        caption="Survey demographics and forum use of the included sample (Multimedia Appendix 5).",
        name="tbl-sample",
        notes=["Percentages are of the included sample; 0/1 questions show the number answering yes."],
    )


def reliability(table: pd.DataFrame) -> str:
    shown = table.assign(subscale=table["subscale"].map(labels.label))
    return journal_table(
        shown,
        {
            "subscale": Col("Subscale"),
            "items": Col("Items"),
            "n": Col("n", "int"),
            "mean": Col("Mean", "num"),
            "sd": Col("SD", "num"),
            "alpha_n": Col("n (alpha)", "int"),
            "alpha": Col("Cronbach's alpha", "bounded", 2),
        },
        caption="Subscale scores and their reliability (Multimedia Appendix 3).",
        name="tbl-reliability",
        notes=["Scores are item means; alpha uses respondents who answered every item of the subscale."],
    )


def growth_fit(values: dict) -> str:
    rows = [
        {
            "scale": SCALES[s],
            "n": values[f"{s}_lgcm_n"],
            "chi2": values[f"{s}_lgcm_chi2"],
            "df": values[f"{s}_lgcm_df"],
            "p": values[f"{s}_lgcm_p"],
            "rmsea": values[f"{s}_lgcm_rmsea"],
            "rmsea_ci": _interval([values[f"{s}_lgcm_rmsea_ci_low"]], [values[f"{s}_lgcm_rmsea_ci_high"]],
                                  lambda x: fmt.fmt_bounded(x, 3))[0],
            **{f"r2_t{w}": 100 * values[f"{s}_lgcm_r2_t{w}"] for w in (1, 2, 3)},
            "improper": values[f"{s}_lgcm_improper"],
        }
        for s in SCALES
    ]
    return journal_table(
        pd.DataFrame(rows),
        {
            "scale": Col("Scale"),
            "n": Col("n", "int"),
            "chi2": Col("χ²", "num", 2),
            "df": Col("df", "int"),
            "p": Col("*P*", "p"),
            "rmsea": Col("RMSEA", "bounded", 3),
            "rmsea_ci": Col("95% CI of RMSEA", "shown"),
            "r2_t1": Col("R² T1", "pct"),
            "r2_t2": Col("R² T2", "pct"),
            "r2_t3": Col("R² T3", "pct"),
            "improper": Col("Improper solution", "bool"),
        },
        caption="Fit of the linear latent growth curve models (Multimedia Appendix 7).",
        name="tbl-growth-fit",
        notes=["χ² is the likelihood ratio against the saturated model; RMSEA = √(max(χ² − df, 0) / (df N)) "
               "with its 95% interval from the noncentral χ²; R² = 1 − residual / implied variance."],
    )


def growth_estimates(table: pd.DataFrame) -> str:
    shown = table.assign(scale=table["scale"].map(SCALES), parameter=table["parameter"].map(PARAMETERS))
    return journal_table(
        shown,
        {
            "scale": Col("Scale"),
            "parameter": Col("Parameter"),
            "estimate": Col("Estimate", "num", 3),
            "se": Col("SE", "num", 3),
            "z": Col("*z*", "num", 2),
            "p": Col("*P*", "p"),
            "ci_low": Col("95% CI low", "num", 3),
            "ci_high": Col("95% CI high", "num", 3),
        },
        caption="Parameter estimates of the growth models (Multimedia Appendix 7).",
        name="tbl-growth-estimates",
        notes=[
            "Wald *z*, two-tailed *P* and 95% Wald intervals; SEs from the information named by the "
            "`growth_information` parameter."
        ],
    )


def _interval(low, high, show) -> list[str]:
    """'[a, b]' per row (a withheld or missing end keeps its marker: the disclosure rules apply per cell)."""
    return [f"[{fmt.SUPPRESSED if fmt.is_suppressed(a) else show(a)}, "
            f"{fmt.SUPPRESSED if fmt.is_suppressed(b) else show(b)}]"
            for a, b in zip(low, high, strict=True)]


def correlations(table: pd.DataFrame, coefficient: str = "pearson") -> str:
    """Multimedia Appendix 8: the correlations of option ``correlation`` (``coefficient``), named in the caption."""
    shown = table.assign(ci=_interval(table["ci_low"], table["ci_high"], lambda x: fmt.fmt_bounded(x, 3)),
                         var1=table["var1"].map(labels.label), var2=table["var2"].map(labels.label))
    return journal_table(
        shown,
        {
            "var1": Col("Variable 1"),
            "var2": Col("Variable 2"),
            "r": Col("*r*", "bounded", 3),
            "ci": Col("95% CI", "shown"),
            "p": Col("*P*", "p"),
            "n": Col("n", "int"),
        },
        caption=f"{'Spearman rank' if coefficient == 'spearman' else 'Pearson'} correlations between key items "
        "and subscales (Multimedia Appendix 8).",
        name="tbl-correlations",
        notes=["Pairwise deletion; two-tailed *P*; 95% CI from Fisher's *z*. \u201cI feel like an outsider\u201d is "
               "shown as answered (not reversed)."],
    )


def ttests(table: pd.DataFrame, tails: int) -> str:
    shown = table.assign(
        variable=table["variable"].map(labels.label),
        p=table["p_one_tailed"] if tails == 1 else table["p_two_tailed"],
        df=[v if fmt.is_suppressed(v) else fmt.fmt_num(v, 0 if float(v).is_integer() else 1) for v in table["df"]],
        d_ci=_interval(table["d_ci_low"], table["d_ci_high"], lambda x: fmt.fmt_num(x, 3)),
    )
    return journal_table(
        shown,
        {
            "variable": Col("Variable"),
            "t": Col("*t*", "num", 3),
            "df": Col("df", "shown"),
            "p": Col(f"*P* ({'one' if tails == 1 else 'two'}-tailed)", "p"),
            "d": Col("*d*", "num", 3),
            "d_ci": Col("95% CI of *d*", "shown"),
            "g": Col("Hedges' *g*", "num", 3),
            "welch": Col("Welch's *t*", "bool"),
            "n_posted": Col("n posted", "int"),
            "n_never": Col("n never", "int"),
            "mean_posted": Col("Mean posted", "num"),
            "sd_posted": Col("SD posted", "num"),
            "mean_never": Col("Mean never", "num"),
            "sd_never": Col("SD never", "num"),
            "levene_p": Col("Levene *P*", "p"),
        },
        caption="Respondents who had posted compared with those who had not (Multimedia Appendix 9).",
        name="tbl-ttests",
        key_first=["variable", "t", "df", "p", "d", "d_ci"],
        notes=[
            "*t* is signed posters minus never-posters; *d* uses the pooled SD, with its exact 95% interval "
            "from the noncentral *t* distribution; *g* is *d* corrected for small samples. Levene's test (centred "
            "on the mean) picks Student's or Welch's *t* unless the `ttest` parameter forces one."
        ],
    )


#: How the robustness panel's row labels read (statistic symbols as JMIR sets them, variables by their label).
_RESULT_WORDS = [
    (r"\bchi-square\b", "χ²"), (r"\bCramer's V\b", "Cramér's *V*"), (r"^P$", "*P*"), (r": P$", ": *P*"),
    (r": t$", ": *t*"), (r"Welch's t$", "Welch's *t*"), (r"^% cases$", "Cases (%)"),
    (r"^r\(selfeff, help\)$", "*r*, self-efficacy and how the forum helps"),
    (r"^r\(selfeff, mod\)$", "*r*, self-efficacy and moderator support"),
]


def _result_label(text: str) -> str:
    import re

    for pattern, repl in _RESULT_WORDS:
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\b(safe_total|selfeff_total|T1_help_total|T1_mod_total)\b", lambda m: labels.label(m.group(1)),
                  text)
    return text if text.startswith("χ") else text[:1].upper() + text[1:]


def robustness(table: pd.DataFrame, caption: str, name: str) -> str:
    """A robustness panel (:func:`bookkit.robustness.panel`): the result, then its value under the paper's
    choices and each variant, as :mod:`bookkit.fmt` formatted them (right-aligned)."""
    shown = table.assign(result=table["result"].map(_result_label)) if "result" in table else table
    columns = {c: Col(c[:1].upper() + c[1:], "markdown" if c == "result" else "shown") for c in shown.columns}
    return journal_table(shown, columns, caption=caption, name=name)


def growth_panels(results: Results) -> list[tuple[str, pd.DataFrame, list[float]]]:
    """The growth figure's panels: (title, observed wave means with CIs, model-implied means)."""
    means = results.tables["wave_means"]
    v = results.values
    return [
        (
            title,
            means[means["scale"] == s].reset_index(drop=True),
            [v[f"{s}_lgcm_implied_mean_{w}"] for w in ("t1", "t2", "t3")],
        )
        for s, title in SCALES.items()
    ]


def improper_markdown(values: dict) -> str:
    """A warning admonition for each growth model whose solution is improper ('' when none is)."""
    out = []
    for s, label in SCALES.items():
        if values.get(f"{s}_lgcm_improper"):
            reasons = "; ".join(values[f"{s}_lgcm_warnings"])
            out.append(
                f":::{{warning}} Improper solution: {label}\nThe {label} growth model's maximum-likelihood "
                f"solution is improper ({reasons}). As lavaan does by default, the unconstrained estimates "
                "are reported, but R-squared values can exceed 100% and the estimates should not be "
                "interpreted without care.\n:::"
            )
    return "\n\n".join(out)


def show_improper(values: dict) -> None:
    """Display :func:`improper_markdown` in a notebook (nothing when both solutions are proper)."""
    from .chapter import show_markdown

    text = improper_markdown(values)
    if text:
        show_markdown(text)


def codebook_items(items: pd.DataFrame) -> str:
    return journal_table(
        items,
        {
            "variable": Col("Variable"),
            "wording": Col("Wording"),
            "response scale": Col("Response scale"),
            "subscale": Col("Score"),
            "reversed": Col("Reversed"),
            "wording source": Col("Source of wording"),
        },
        caption="Survey variables from the codebook (data/codebook.yaml).",
        name="tbl-items",
        notes=["GAD-7 and PHQ-8 items are asked at each wave (prefixes t1_, t2_, t3_)."],
    )


def codebook_derived(derived: pd.DataFrame) -> str:
    return journal_table(
        derived,
        {"score": Col("Score"), "label": Col("Meaning"), "items": Col("Items"), "definition": Col("Definition")},
        caption="Derived scores and how they are computed.",
        name="tbl-derived",
    )


def item_frequencies(table: pd.DataFrame) -> str:
    """Wide frequency table: one row per item, 'n (percent)' per answer, suppressed cells as the symbol."""

    def cell(row):
        if fmt.is_suppressed(row["n"]):
            return row["n"]
        pct = row["percent"]
        return f"{int(row['n'])} ({pct:.0f}%)" if not fmt.is_suppressed(pct) else str(int(row["n"]))

    long = table.assign(cell=table.apply(cell, axis=1))
    wide = long.pivot(index="item", columns="answer", values="cell")
    answers = sorted([a for a in wide.columns if a != "missing"], key=int) + ["missing"]
    wide = wide.reindex(index=list(dict.fromkeys(table["item"])), columns=answers).reset_index()
    columns = {"item": Col("Item")} | {
        a: Col(a.capitalize() if a == "missing" else a, "text", missing="–") for a in answers
    }
    return journal_table(
        wide,
        columns,
        caption="Answers to every scored item: n (% of the included sample).",
        name="tbl-frequencies",
        notes=["A dash marks an answer outside the item's scale."],
    )


def claims_report(table: pd.DataFrame, twin: bool) -> str:
    """The reproduction report: every claim, numbered and captioned, with filters by status and section."""
    columns = {"Claim": Col("Claim", "markdown"), "Status": Col("Status"), "Printed": Col("Printed"),
               "Computed": Col("Computed"), "Audit flags": Col("Audit flags", "markdown"),
               "The paper says": Col("The paper says"), "Section": Col("Section"),
               "Kind": Col("Kind"), "Results key": Col("Results key or reason")}
    notes = ["Printed values as the paper prints them; computed values at the printed precision plus one digit. "
             "Audit flags: the checks of the audit that find the claim's printed number at odds with another "
             "printed number, with their grade."]
    if twin:
        notes.append("On the synthetic twin, reproduced claims are met by construction (the twin is calibrated).")
    filters = '<div class="ipof-filter" data-table="tbl-claims" data-columns="Status,Section"></div>\n\n'
    return filters + journal_table(table, columns, caption="Every numeric claim of the paper and what these data give.",
                                   name="tbl-claims", notes=notes)


def audit_value(text, rule: str) -> str:
    """A printed or recomputed number of an audit check as the book sets it: a P in APA style ("<.001",
    ".0833"), anything else typeset (true minus)."""
    text = "" if text is None else str(text)
    if rule == "test_p" and re.fullmatch(r"0?\.\d+", text):
        return "<.001" if float(text) < 0.001 else text.lstrip("0")
    return fmt.typeset(text)


def audit_checks(checks: pd.DataFrame) -> str:
    """Every audit check, numbered and captioned, with an anchor per row (``audit-<id>``) and filters; a flag
    shows its grade and, when graded so, the assumption under which it is inconsistent."""
    shown = checks.assign(id=[f'<span id="audit-{i.lower()}"></span>{i}' for i in checks["id"]],
                          consistent=checks["consistent"].map({True: "consistent", False: "inconsistent"}),
                          **{c: [audit_value(v, r) for v, r in zip(checks[c], checks["rule"], strict=True)]
                             for c in ("reported", "recomputed")},
                          **{c: checks[c].map(fmt.typeset) for c in ("note", "assumption") if c in checks})
    columns = {"id": Col("Check", "markdown"), "consistent": Col("Verdict"), "grade": Col("Grade"),
               "assumption": Col("Assumption"), "rule": Col("Rule"), "claims": Col("Claims"),
               "reported": Col("Printed"), "recomputed": Col("Recomputed"), "note": Col("Note"),
               "quote": Col("The paper says"), "section": Col("Section")}
    filters = '<div class="ipof-filter" data-table="tbl-audit" data-columns="Verdict,Grade,Rule"></div>\n\n'
    return filters + journal_table(shown, columns, caption="Every check of the paper's printed numbers.",
                                   name="tbl-audit")
