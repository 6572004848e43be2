"""The paper's conclusions about the survey, each with the rule that decides it from the results.

A :class:`Conclusion` names the estimate it rests on (a results key), states in
this book's words what the paper concluded, and holds a rule: a function of the
results manifest that returns True (the data support the conclusion), False
(they do not) or None (not estimable: a value is missing). The same rule
chooses the sentence a page prints (:meth:`Conclusion.sentence`) and counts
how often the conclusion holds across the multiverse, so the prose can never
disagree with its numbers.

Conventions: significance at :data:`ALPHA` (two-sided unless the P key says
otherwise: ``p_V`` of a t test is the P the option ``tails`` names);
"positive" and "negative" are the sign of the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

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
    """One conclusion of the paper and the rule that decides it."""

    id: str
    section: str  # the chapter that states it (docname without book/)
    statement: str  # the paper's conclusion, in this book's words
    key: str  # the estimate it rests on (results key)
    rule: str  # the rule, as text
    holds_if: Callable[[dict], bool | None]
    says: tuple[str, str]  # what a page says when it holds, and when it does not
    claims: tuple[str, ...] = ()  # claims-ledger ids
    interval: tuple[str, str] | None = None  # results keys of a 95% interval of ``key``
    reference: float = 0.0  # the line the estimate is compared with in a specification curve
    reads: tuple[str, ...] = ()  # every results key the rule reads (estimates and P values)
    #: When the rule fails because the estimate is significant the *other* way, what a page says instead
    #: (so "not significantly positively correlated" never hides a significant negative correlation).
    opposite_if: Callable[[dict], bool | None] | None = None
    opposite: str = ""

    def holds(self, values: dict) -> bool | None:
        return self.holds_if(values)

    def sentence(self, values: dict) -> str:
        """The words a page prints for these results (not estimable when the rule cannot decide)."""
        verdict = self.holds(values)
        if verdict is None:
            return "cannot be assessed on these data (a value is missing)"
        if not verdict and self.opposite_if is not None and self.opposite_if(values):
            return self.opposite
        return self.says[0] if verdict else self.says[1]

    def sentences(self) -> tuple[str, ...]:
        """Every sentence this conclusion can print (the rule picks one)."""
        return self.says + ((self.opposite,) if self.opposite else ())


def _corr(id_, section, a_label, b_label, key, sign, claims=(), cmo=""):
    pname = "p_" + key[2:]
    direction = "positively" if sign > 0 else "negatively"
    prefix = f"{cmo}: " if cmo else ""
    return Conclusion(
        id=id_,
        section=section,
        key=key,
        claims=claims,
        statement=f"{prefix}{a_label} is {direction} correlated with {b_label}",
        rule=f"{key} {'>' if sign > 0 else '<'} 0 and {pname} < {ALPHA}",
        holds_if=lambda v: signed_significant(v, key, pname, sign),
        reads=(key, pname),
        says=(
            f"was significantly and {direction} correlated with {b_label}",
            f"was not significantly {direction} correlated with {b_label}",
        ),
        opposite_if=lambda v: signed_significant(v, key, pname, -sign),
        opposite=f"was significantly correlated with {b_label}, but {'negatively' if sign > 0 else 'positively'}",
    )


def _ttest(id_, variable, label, claims, cmo):
    return Conclusion(
        id=id_,
        section="results/theory-area-1",
        key=f"t_{variable}",
        claims=claims,
        statement=f"{cmo}: people who have posted score higher on {label} than people who never have",
        rule=f"t_{variable} > 0 and p_{variable} < {ALPHA} (P as the option tails names)",
        holds_if=lambda v: signed_significant(v, f"t_{variable}", f"p_{variable}", +1),
        reads=(f"t_{variable}", f"p_{variable}"),
        says=(f"scored significantly higher on {label}", f"did not score significantly higher on {label}"),
        opposite_if=lambda v: signed_significant(v, f"t_{variable}", f"p_{variable}", -1),
        opposite=f"scored significantly lower on {label}",
    )


def _growth(scale, label, claims_fit, claims_slope, claims_cov, falls: bool) -> list[Conclusion]:
    k = f"{scale}_lgcm"
    short = label.split(" ")[0]  # GAD-7, PHQ-8
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
        says=(
            ("fell significantly over the 12 weeks", "did not fall significantly over the 12 weeks")
            if falls
            else ("did not change significantly on average", "changed significantly on average")
        ),
        opposite_if=(lambda v: signed_significant(v, f"{k}_slope_mean", f"{k}_slope_p", +1)) if falls else None,
        opposite="rose significantly over the 12 weeks" if falls else "",
    )
    fit = Conclusion(
        id=f"{scale}_fit",
        section="results/growth",
        key=f"{k}_chi2",
        claims=claims_fit,
        statement=f"the linear growth model fits the {label} scores",
        rule=f"{k}_p >= {ALPHA} (model chi-square not significant)",
        holds_if=lambda v: not_significant(v, f"{k}_p"),
        reads=(f"{k}_p",),
        says=(f"fits the {short} scores acceptably", f"does not fit the {short} scores well"),
    )
    cov = Conclusion(
        id=f"{scale}_start_change",
        section="results/growth",
        key=f"{k}_intercept_slope_cov",
        claims=claims_cov,
        statement=f"how high {label} scores start does not predict how fast they change",
        rule=f"{k}_intercept_slope_p >= {ALPHA}",
        holds_if=lambda v: not_significant(v, f"{k}_intercept_slope_p"),
        reads=(f"{k}_intercept_slope_p",),
        says=(
            f"Where people started on the {short} did not predict how fast their scores changed",
            f"Where people started on the {short} predicted how fast their scores changed",
        ),
    )
    return [fit, slope, cov]


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
            says=("significantly less likely to be cases", "not significantly less likely to be cases"),
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
            f"area2_{item}", "results/theory-area-2", "reading posts that resonate", label, f"r_visit_read_{item}", sign
        )
        for item, label, sign in (
            ("help_same", "finding others with similar problems", +1),
            ("help_understood", "feeling understood", +1),
            ("help_isolated", "feeling less isolated", +1),
            ("help_alone", "feeling less alone", +1),
            ("safe_3", "feeling like an outsider in the forum", -1),
            ("safe_5", "feeling welcome in the forum", +1),
        )
    ]
)

BY_ID: dict[str, Conclusion] = {c.id: c for c in CONCLUSIONS}


def result_keys(conclusions=CONCLUSIONS) -> tuple[str, ...]:
    """The results keys the conclusions need: each one's estimate, its interval and what its rule reads."""
    keys: dict[str, None] = {}
    for c in conclusions:
        keys.update(dict.fromkeys((c.key, *(c.interval or ()), *c.reads)))
    return tuple(keys)


@dataclass(frozen=True)
class Verdict:
    """A conclusion judged on one set of results."""

    conclusion: Conclusion
    holds: bool | None
    estimate: float | None
    interval: tuple[float | None, float | None] | None = field(default=None)


def judge(values: dict) -> list[Verdict]:
    """Every conclusion judged on ``values`` (a results manifest)."""
    out = []
    for c in CONCLUSIONS:
        interval = (_num(values, c.interval[0]), _num(values, c.interval[1])) if c.interval else None
        out.append(Verdict(c, c.holds(values), _num(values, c.key), interval))
    return out
