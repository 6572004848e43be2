"""The paper's conclusions about the survey, each with the rule that decides it from the results.

A :class:`Conclusion` names the estimate it rests on (a results key), states in
this book's words what the paper concluded, and holds a rule: a function of the
results manifest that returns True (the data support the conclusion), False
(they do not) or None (not estimable: a value is missing). The same rule
chooses the sentence a page prints (:meth:`Conclusion.sentence`) and counts
how often the conclusion holds across the multiverse, so the prose can never
disagree with its numbers.

Conventions: significance at :data:`ALPHA` (two-sided unless the P key says
otherwise: ``p_V`` of a t test is the P the option ``tails`` names; the P of a
t test or a correlation is adjusted over its family as option ``multiplicity``
names, :mod:`analysis.multiplicity`);
"positive" and "negative" are the sign of the estimate. A non-significant
result is worded "no evidence of", never as the absence of the effect; a
conclusion that claims *no* effect also has an equivalence test against the
smallest effect of interest of option ``sesoi`` (:mod:`analysis.effects`),
whose judgement refines the words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

ALPHA = 0.05


def _num(values: dict, key: str) -> float | None:
    v = values.get(key)
    return None if v is None or isinstance(v, bool) or (isinstance(v, float) and math.isnan(v)) else float(v)


def significant(values: dict, p_key: str) -> bool | None:
    """P < :data:`ALPHA` (None when P is missing)."""
    p = _num(values, p_key)
    return None if p is None else p < ALPHA


def signed_significant(values: dict, key: str, p_key: str, sign: int) -> bool | None:
    """The estimate has the expected sign (+1 or -1) and P < :data:`ALPHA`."""
    x, sig = _num(values, key), significant(values, p_key)
    return None if x is None or sig is None else (x * sign > 0 and sig)


def not_significant(values: dict, p_key: str) -> bool | None:
    """P >= :data:`ALPHA`: no evidence of an effect (or of misfit, for a model chi-square)."""
    sig = significant(values, p_key)
    return None if sig is None else not sig


@dataclass(frozen=True)
class Conclusion:
    """One conclusion of the paper, the rule that decides it, and what a page says in each case.

    ``says`` maps an outcome to the words a page prints: ``"holds"`` and ``"fails"`` (the rule's
    verdict), ``"opposite"`` (the rule fails because the estimate is significant the *other* way), and,
    for a conclusion with an equivalence test (``judgement``), ``"<outcome>|<judgement>"`` refinements
    where the judgement (:data:`analysis.effects.JUDGEMENTS`) adds something: a non-significant result is
    "no evidence of" an effect, and only an equivalence test can say the effect is smaller than the
    smallest effect of interest.
    """

    id: str
    section: str  # the chapter that states it (docname without book/)
    statement: str  # the paper's conclusion, in this book's words
    key: str  # the effect size it rests on (results key), shown with its interval on the page
    rule: str  # the rule, as text
    holds_if: Callable[[dict], bool | None]
    says: dict[str, str]  # outcome -> what a page says (see the class docstring)
    effect: str  # the effect size's symbol as the page prints it ("d", "r", "b" ...)
    p: str  # results key of the test's P
    interval: tuple[str, str]  # results keys of the 95% interval of ``key``
    claims: tuple[str, ...] = ()  # claims-ledger ids
    reference: float = 0.0  # the line the estimate is compared with in a specification curve
    reads: tuple[str, ...] = ()  # every results key the rule reads (estimates and P values)
    #: When the rule fails because the estimate is significant the *other* way (so "no evidence of a
    #: positive correlation" never hides a significant negative one).
    opposite_if: Callable[[dict], bool | None] | None = None
    judgement: str = ""  # results key of the equivalence judgement (empty: no equivalence test)
    sesoi: str = ""  # results key of the smallest effect of interest of that test
    p_equivalence: str = ""  # results key of the equivalence test's P
    unit: str = ""  # the unit the effect is printed in, after its value (" percentage points")
    #: The part of the engine (:data:`analysis.engine.DEPENDS_ON`) that computes what the rule reads: its
    #: options are the choices the verdict can depend on (the multiverse counts distinct analyses by them).
    part: str = ""

    def holds(self, values: dict) -> bool | None:
        return self.holds_if(values)

    def outcome(self, values: dict) -> str | None:
        """"holds", "fails" or "opposite", refined by the equivalence judgement where ``says`` has words
        for it (e.g. "holds|inconclusive"); None when the rule cannot decide."""
        verdict = self.holds(values)
        if verdict is None:
            return None
        base = "holds" if verdict else "fails"
        if not verdict and self.opposite_if is not None and self.opposite_if(values):
            base = "opposite"
        refined = f"{base}|{values.get(self.judgement)}" if self.judgement else ""
        return refined if refined in self.says else base

    def sentence(self, values: dict) -> str:
        """The words a page prints for these results (not estimable when the rule cannot decide)."""
        outcome = self.outcome(values)
        return NOT_ESTIMABLE if outcome is None else self.says[outcome]

    def sentences(self) -> tuple[str, ...]:
        """Every sentence this conclusion can print (the rule picks one)."""
        return tuple(self.says.values())

    def shown_keys(self) -> tuple[str, ...]:
        """The results keys a page shows beside the sentence (effect, interval, P, equivalence)."""
        extra = (self.judgement, self.sesoi, self.p_equivalence) if self.judgement else ()
        return (self.key, *self.interval, self.p, *extra)


NOT_ESTIMABLE = "cannot be assessed on these data (a value is missing)"
#: Refinements of a non-significant result by its equivalence test (appended to the "no evidence" words).
RULES_OUT = ", and an equivalence test rules out {what} as large as the smallest of interest"
DOES_NOT_RULE_OUT = ", but an equivalence test cannot rule out {what} as large as the smallest of interest"


def _corr(id_, section, a_label, b_label, key, sign, claims=(), cmo="", note=""):
    name = key[2:]
    pname = "p_" + name
    direction = "positively" if sign > 0 else "negatively"
    noun = "a positive" if sign > 0 else "a negative"
    other = "negatively" if sign > 0 else "positively"
    prefix = f"{cmo}: " if cmo else ""
    return Conclusion(
        id=id_,
        section=section,
        key=key,
        claims=claims,
        statement=f"{prefix}{a_label} is {direction} correlated with {b_label}{note}",
        rule=f"{key} {'>' if sign > 0 else '<'} 0 and {pname} < {ALPHA} (r and P as the options correlation and "
        "multiplicity name)",
        holds_if=lambda v: signed_significant(v, key, pname, sign),
        reads=(key, pname),
        says={
            "holds": f"was significantly {direction} correlated with {b_label}",
            "fails": f"showed no evidence of {noun} correlation with {b_label}",
            "opposite": f"was significantly correlated with {b_label}, but {other}",
        },
        opposite_if=lambda v: signed_significant(v, key, pname, -sign),
        effect="r",
        p=pname,
        part="correlation_values",
        interval=(f"{key}_ci_low", f"{key}_ci_high"),
    )


def _ttest(id_, variable, label, claims, cmo):
    return Conclusion(
        id=id_,
        section="results/theory-area-1",
        key=f"d_{variable}",
        claims=claims,
        statement=f"{cmo}: people who have posted score higher on {label} than people who never have",
        rule=f"t_{variable} > 0 and p_{variable} < {ALPHA} (test and P as the options ttest, adjust, tails and "
        "multiplicity name)",
        holds_if=lambda v: signed_significant(v, f"t_{variable}", f"p_{variable}", +1),
        reads=(f"t_{variable}", f"p_{variable}"),
        says={
            "holds": f"scored significantly higher on {label}",
            "fails": f"showed no evidence of scoring higher on {label}",
            "opposite": f"scored significantly lower on {label}",
        },
        opposite_if=lambda v: signed_significant(v, f"t_{variable}", f"p_{variable}", -1),
        effect="d",
        p=f"p_{variable}",
        part="ttest_values",
        interval=(f"d_{variable}_ci_low", f"d_{variable}_ci_high"),
    )


def _equivalence(k: str, name: str) -> dict:
    """The fields of a conclusion whose effect ``{k}_{name}`` has an equivalence test (engine keys)."""
    return {"judgement": f"{k}_{name}_judgement", "sesoi": f"{k}_{name}_sesoi",
            "p_equivalence": f"{k}_{name}_p_equivalence"}


def _growth(scale, label, claims_fit, claims_slope, claims_cov, falls: bool) -> list[Conclusion]:
    k = f"{scale}_lgcm"
    short = label.split(" ")[0]  # GAD-7, PHQ-8
    if falls:
        no_fall = "showed no evidence of a fall over the 12 weeks"
        says = {
            "holds": "fell significantly over the 12 weeks",
            "fails": no_fall,
            "fails|no meaningful effect": no_fall + RULES_OUT.format(what="a change"),
            "fails|inconclusive": no_fall + DOES_NOT_RULE_OUT.format(what="a change"),
            "opposite": "rose significantly over the 12 weeks",
        }
    else:
        no_change = "showed no evidence of a change on average"
        says = {
            "holds": no_change,
            "holds|no meaningful effect": no_change + RULES_OUT.format(what="a change"),
            "holds|inconclusive": no_change + DOES_NOT_RULE_OUT.format(what="a change"),
            "fails": "changed significantly on average",
            "fails|negligible effect": "changed significantly on average, but by less than the smallest change "
            "of interest",
        }
    slope = Conclusion(
        id=f"{scale}_slope",
        section="results/growth",
        key=f"{k}_slope_mean",
        claims=claims_slope,
        interval=(f"{k}_slope_ci_low", f"{k}_slope_ci_high"),
        statement=f"{label} scores fall over the 12 weeks" if falls else f"{label} scores do not change on average",
        rule=(f"{k}_slope_mean < 0 and {k}_slope_p < {ALPHA}" if falls else f"{k}_slope_p >= {ALPHA}"),
        holds_if=(lambda v: signed_significant(v, f"{k}_slope_mean", f"{k}_slope_p", -1))
        if falls
        else (lambda v: not_significant(v, f"{k}_slope_p")),
        reads=(f"{k}_slope_mean", f"{k}_slope_p") if falls else (f"{k}_slope_p",),
        says=says,
        opposite_if=(lambda v: signed_significant(v, f"{k}_slope_mean", f"{k}_slope_p", +1)) if falls else None,
        effect="b",
        p=f"{k}_slope_p",
        part="growth",
        **_equivalence(k, "slope"),
    )
    fit = Conclusion(
        id=f"{scale}_fit",
        section="results/growth",
        key=f"{k}_rmsea",
        claims=claims_fit,
        statement=f"the linear growth model fits the {label} scores",
        rule=f"{k}_p >= {ALPHA} (model chi-square not significant)",
        holds_if=lambda v: not_significant(v, f"{k}_p"),
        reads=(f"{k}_p",),
        says={
            "holds": f"showed no evidence of misfit to the {short} scores",
            "fails": f"fitted the {short} scores significantly worse than an unrestricted model",
        },
        effect="RMSEA",
        p=f"{k}_p",
        part="growth_estimate",  # the model chi-square does not depend on the standard errors
        interval=(f"{k}_rmsea_ci_low", f"{k}_rmsea_ci_high"),
    )
    start = f"where people started on the {short} predicted how fast their scores changed"
    cov = Conclusion(
        id=f"{scale}_start_change",
        section="results/growth",
        key=f"{k}_intercept_slope_cov",
        claims=claims_cov,
        statement=f"how high {label} scores start does not predict how fast they change",
        rule=f"{k}_intercept_slope_p >= {ALPHA}",
        holds_if=lambda v: not_significant(v, f"{k}_intercept_slope_p"),
        reads=(f"{k}_intercept_slope_p",),
        says={
            "holds": f"There was no evidence that {start}",
            "holds|no meaningful effect": f"There was no evidence that {start}"
            + RULES_OUT.format(what="an association"),
            "holds|inconclusive": f"There was no evidence that {start}"
            + DOES_NOT_RULE_OUT.format(what="an association"),
            "fails": start[0].upper() + start[1:],
            "fails|negligible effect": start[0].upper() + start[1:] + ", though by less than the smallest "
            "association of interest",
        },
        effect="covariance",
        p=f"{k}_intercept_slope_p",
        part="growth",
        interval=(f"{k}_intercept_slope_cov_ci_low", f"{k}_intercept_slope_cov_ci_high"),
        **_equivalence(k, "intercept_slope_cov"),
    )
    return [fit, slope, cov]


#: The sign the paper reports for each correlation of reading resonant posts (theory area 2). The paper
#: prints "less alone ("help_alone"; neg correlation)": the rule follows the reported direction.
AREA2_ITEMS = (
    ("help_same", "finding others with similar problems", +1),
    ("help_understood", "feeling understood", +1),
    ("help_isolated", "feeling less isolated", +1),
    ("help_alone", "feeling less alone", -1),
    ("safe_3", "feeling like an outsider in the forum", -1),
    ("safe_5", "feeling welcome in the forum", +1),
)

CONCLUSIONS: tuple[Conclusion, ...] = tuple(
    [
        Conclusion(
            id="caseness_lower",
            section="results/caseness",
            key="caseness_pct_difference",
            claims=("C059", "C061", "C062"),
            statement="forum users are less likely to meet caseness than people completing NHS Talking Therapies",
            rule=f"caseness_pct < caseness_nhs_pct and caseness_p < {ALPHA}",
            holds_if=lambda v: signed_significant(v, "caseness_pct_difference", "caseness_p", -1),
            reads=("caseness_pct_difference", "caseness_p"),
            says={
                "holds": "were significantly less likely to meet caseness",
                "fails": "showed no evidence of being less likely to meet caseness",
                "opposite": "were significantly more likely to meet caseness",
            },
            opposite_if=lambda v: signed_significant(v, "caseness_pct_difference", "caseness_p", +1),
            effect="difference",
            unit=" percentage points",
            part="caseness",
            p="caseness_p",
            interval=("caseness_pct_difference_ci_low", "caseness_pct_difference_ci_high"),
        ),
    ]
    + _growth("gad", "GAD-7 (anxiety)", ("C063", "C064"), ("C070", "C071", "C072"), ("C073",), falls=True)
    + _growth("phq", "PHQ-8 (depression)", ("C074", "C075"), ("C081", "C082", "C083"), ("C084",), falls=False)
    + [
        _corr(
            "cmo1_help",
            "results/theory-area-1",
            "self-efficacy",
            "how helpful people find the forum",
            "r_selfeff_help",
            +1,
            ("C085", "C086"),
            "CMO1",
        ),
        _corr(
            "cmo1_mod",
            "results/theory-area-1",
            "self-efficacy",
            "how supportive people find the moderators",
            "r_selfeff_mod",
            +1,
            ("C087",),
            "CMO1",
        ),
        _ttest(
            "cmo2_safe", "safe_total", "psychological safety in the forum", ("C088", "C089", "C090", "C091"), "CMO2"
        ),
        _ttest("cmo2_selfeff", "selfeff_total", "self-efficacy", ("C092", "C093", "C094", "C095"), "CMO2"),
    ]
    + [
        _corr(
            f"area2_{item}",
            "results/theory-area-2",
            "reading posts that resonate",
            label,
            f"r_visit_read_{item}",
            sign,
            note=" (the direction the paper reports)" if item == "help_alone" else "",
        )
        for item, label, sign in AREA2_ITEMS
    ]
)

BY_ID: dict[str, Conclusion] = {c.id: c for c in CONCLUSIONS}


def result_keys(conclusions=CONCLUSIONS) -> tuple[str, ...]:
    """The results keys the conclusions need: what a page shows beside each (effect size, interval, P,
    equivalence test) and what its rule reads."""
    keys: dict[str, None] = {}
    for c in conclusions:
        keys.update(dict.fromkeys((*c.shown_keys(), *c.reads)))
    return tuple(keys)
