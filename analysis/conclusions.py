"""The paper's conclusions about the survey, each with the rule that decides it from the results.

A :class:`Conclusion` names the estimate it rests on (a results key) and holds its rule *as data*
(:attr:`Conclusion.test`, :attr:`Conclusion.opposite`): a small JSON-able dict that :func:`evaluate`
reads, and that the explorable site's script evaluates the same way, so a verdict in the page follows
the reader's choice of analysis by the engine's rule. The rule returns True (the data support the
conclusion), False (they do not) or None (not estimable: a value is missing); :meth:`Conclusion.outcome`
refines it into the outcome a page words ("holds", "fails", "opposite", and equivalence refinements).
What a page *says* for each outcome, the paper's conclusion in the book's words and the chapter that
states it are presentation, in :mod:`bookkit.verdicts`, keyed by :attr:`Conclusion.id`.

Conventions: significance at :data:`ALPHA` (two-sided unless the P key says otherwise: ``p_V`` of a t
test is the P the option ``tails`` names; the P of a t test or a correlation is adjusted over its family
as option ``multiplicity`` names, :mod:`analysis.multiplicity`); "positive" and "negative" are the sign of
the estimate. A non-significant result is "no evidence of" an effect, never its absence; a conclusion
that claims *no* effect also has an equivalence test against the smallest effect of interest of option
``sesoi`` (:mod:`analysis.effects`), whose judgement refines the outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALPHA = 0.05

#: The outcomes every rule can reach (the refinements a conclusion adds are in its ``outcomes``).
BASE_OUTCOMES = ("holds", "fails", "opposite")


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


def signed(key: str, p: str, sign: int) -> dict:
    """The rule "``key`` has sign ``sign`` and ``p`` < ALPHA", as data."""
    return {"test": "signed", "key": key, "p": p, "sign": sign}


def no_evidence(p: str) -> dict:
    """The rule "``p`` >= ALPHA" (no evidence of an effect), as data."""
    return {"test": "not_significant", "p": p}


def evaluate(test: dict, values: dict) -> bool | None:
    """A rule given as data (:func:`signed`, :func:`no_evidence`) on a results manifest."""
    if test["test"] == "signed":
        return signed_significant(values, test["key"], test["p"], test["sign"])
    if test["test"] == "not_significant":
        return not_significant(values, test["p"])
    raise ValueError(f"unknown rule {test!r}")


def describe(test: dict) -> str:
    """A rule as text ('r_selfeff_help > 0 and p_selfeff_help < 0.05')."""
    if test["test"] == "signed":
        return f"{test['key']} {'>' if test['sign'] > 0 else '<'} 0 and {test['p']} < {ALPHA}"
    return f"{test['p']} >= {ALPHA}"


@dataclass(frozen=True)
class Conclusion:
    """One conclusion of the paper and the rule that decides it (words: :mod:`bookkit.verdicts`).

    ``outcomes`` lists what the rule can conclude: ``"holds"`` and ``"fails"``, ``"opposite"`` when the
    rule has an ``opposite`` (it fails because the estimate is significant the *other* way), and, for a
    conclusion with an equivalence test (``judgement``), ``"<outcome>|<judgement>"`` refinements where
    the judgement (:data:`analysis.effects.JUDGEMENTS`) adds something: only an equivalence test can say
    an effect is smaller than the smallest effect of interest.
    """

    id: str
    key: str  # the effect size it rests on (results key), shown with its interval on the page
    test: dict  # the rule, as data (:func:`evaluate`)
    p: str  # results key of the test's P
    interval: tuple[str, str]  # results keys of the 95% interval of ``key``
    part: str  # the engine part (:data:`analysis.engine.DEPENDS_ON`) that computes what the rule reads
    claims: tuple[str, ...] = ()  # claims-ledger ids
    reference: float = 0.0  # the line the estimate is compared with in a specification curve
    #: The rule that reports a significant result the *other* way (so "no evidence of a positive
    #: correlation" never hides a significant negative one); None when there is no such reading.
    opposite: dict | None = None
    refinements: tuple[str, ...] = ()  # "<outcome>|<judgement>" outcomes (see the class docstring)
    judgement: str = ""  # results key of the equivalence judgement (empty: no equivalence test)
    sesoi: str = ""  # results key of the smallest effect of interest of that test
    p_equivalence: str = ""  # results key of the equivalence test's P
    note: str = ""  # what the rule text adds about which options name the test

    @property
    def rule(self) -> str:
        """The rule as text (for tables and the multiverse summary)."""
        return describe(self.test) + (f" ({self.note})" if self.note else "")

    @property
    def reads(self) -> tuple[str, ...]:
        """Every results key the rule reads (estimates and P values)."""
        keys = [self.test.get("key"), self.test["p"]]
        return tuple(k for k in dict.fromkeys(keys) if k)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Every outcome :meth:`outcome` can return."""
        base = BASE_OUTCOMES if self.opposite else BASE_OUTCOMES[:2]
        return (*base, *self.refinements)

    def holds(self, values: dict) -> bool | None:
        return evaluate(self.test, values)

    def outcome(self, values: dict) -> str | None:
        """"holds", "fails" or "opposite", refined by the equivalence judgement where the conclusion has
        that refinement (e.g. "holds|inconclusive"); None when the rule cannot decide."""
        verdict = self.holds(values)
        if verdict is None:
            return None
        base = "holds" if verdict else "fails"
        if not verdict and self.opposite is not None and evaluate(self.opposite, values):
            base = "opposite"
        refined = f"{base}|{values.get(self.judgement)}" if self.judgement else ""
        return refined if refined in self.refinements else base

    def shown_keys(self) -> tuple[str, ...]:
        """The results keys a page shows beside the sentence (effect, interval, P, equivalence)."""
        extra = (self.judgement, self.sesoi, self.p_equivalence) if self.judgement else ()
        return (self.key, *self.interval, self.p, *extra)

    def export(self) -> dict:
        """The rule as data, for the explorable site's script (which mirrors :meth:`outcome`)."""
        return {"test": self.test, "opposite": self.opposite, "judgement": self.judgement,
                "refinements": list(self.refinements), "outcomes": list(self.outcomes)}


def _corr(id_, key, sign, claims=()):
    pname = "p_" + key[2:]
    return Conclusion(
        id=id_, key=key, claims=claims, test=signed(key, pname, sign), opposite=signed(key, pname, -sign),
        note="r and P as the options correlation and multiplicity name", p=pname, part="correlation_values",
        interval=(f"{key}_ci_low", f"{key}_ci_high"),
    )


def _ttest(id_, variable, claims):
    t, p = f"t_{variable}", f"p_{variable}"
    return Conclusion(
        id=id_, key=f"d_{variable}", claims=claims, test=signed(t, p, +1), opposite=signed(t, p, -1),
        note="test and P as the options ttest, adjust, tails and multiplicity name", p=p, part="ttest_values",
        interval=(f"d_{variable}_ci_low", f"d_{variable}_ci_high"),
    )


def _equivalence(k: str, name: str) -> dict:
    """The fields of a conclusion whose effect ``{k}_{name}`` has an equivalence test (engine keys)."""
    return {"judgement": f"{k}_{name}_judgement", "sesoi": f"{k}_{name}_sesoi",
            "p_equivalence": f"{k}_{name}_p_equivalence"}


#: Refinements of a claim of change (a fall) and of a claim of no change by the equivalence judgement.
CHANGE_REFINEMENTS = ("fails|no meaningful effect", "fails|inconclusive")
NO_CHANGE_REFINEMENTS = ("holds|no meaningful effect", "holds|inconclusive", "fails|negligible effect")


def _growth(scale, claims_fit, claims_slope, claims_cov, falls: bool) -> list[Conclusion]:
    k = f"{scale}_lgcm"
    slope_p = f"{k}_slope_p"
    slope = Conclusion(
        id=f"{scale}_slope", key=f"{k}_slope_mean", claims=claims_slope,
        interval=(f"{k}_slope_ci_low", f"{k}_slope_ci_high"),
        test=signed(f"{k}_slope_mean", slope_p, -1) if falls else no_evidence(slope_p),
        opposite=signed(f"{k}_slope_mean", slope_p, +1) if falls else None,
        refinements=CHANGE_REFINEMENTS if falls else NO_CHANGE_REFINEMENTS,
        p=slope_p, part="growth", **_equivalence(k, "slope"),
    )
    fit = Conclusion(
        id=f"{scale}_fit", key=f"{k}_rmsea", claims=claims_fit, test=no_evidence(f"{k}_p"),
        note="model chi-square not significant", p=f"{k}_p",
        part="growth_estimate",  # the model chi-square does not depend on the standard errors
        interval=(f"{k}_rmsea_ci_low", f"{k}_rmsea_ci_high"),
    )
    cov = Conclusion(
        id=f"{scale}_start_change", key=f"{k}_intercept_slope_cov", claims=claims_cov,
        test=no_evidence(f"{k}_intercept_slope_p"), refinements=NO_CHANGE_REFINEMENTS,
        p=f"{k}_intercept_slope_p", part="growth",
        interval=(f"{k}_intercept_slope_cov_ci_low", f"{k}_intercept_slope_cov_ci_high"),
        **_equivalence(k, "intercept_slope_cov"),
    )
    return [fit, slope, cov]


#: The sign the paper reports for each correlation of reading resonant posts (theory area 2). The paper
#: prints "less alone ("help_alone"; neg correlation)": the rule follows the reported direction.
AREA2_ITEMS = (("help_same", +1), ("help_understood", +1), ("help_isolated", +1), ("help_alone", -1),
               ("safe_3", -1), ("safe_5", +1))

CONCLUSIONS: tuple[Conclusion, ...] = tuple(
    [
        Conclusion(
            id="caseness_lower", key="caseness_pct_difference", claims=("C059", "C061", "C062"),
            test=signed("caseness_pct_difference", "caseness_p", -1),
            opposite=signed("caseness_pct_difference", "caseness_p", +1),
            note="caseness_pct_difference = caseness_pct - caseness_nhs_pct",
            part="caseness", p="caseness_p",
            interval=("caseness_pct_difference_ci_low", "caseness_pct_difference_ci_high"),
        ),
    ]
    + _growth("gad", ("C063", "C064"), ("C070", "C071", "C072"), ("C073",), falls=True)
    + _growth("phq", ("C074", "C075"), ("C081", "C082", "C083"), ("C084",), falls=False)
    + [
        _corr("cmo1_help", "r_selfeff_help", +1, ("C085", "C086")),
        _corr("cmo1_mod", "r_selfeff_mod", +1, ("C087",)),
        _ttest("cmo2_safe", "safe_total", ("C088", "C089", "C090", "C091")),
        _ttest("cmo2_selfeff", "selfeff_total", ("C092", "C093", "C094", "C095")),
    ]
    + [_corr(f"area2_{item}", f"r_visit_read_{item}", sign) for item, sign in AREA2_ITEMS]
)

BY_ID: dict[str, Conclusion] = {c.id: c for c in CONCLUSIONS}


def result_keys(conclusions=CONCLUSIONS) -> tuple[str, ...]:
    """The results keys the conclusions need: what a page shows beside each (effect size, interval, P,
    equivalence test) and what its rule reads."""
    keys: dict[str, None] = {}
    for c in conclusions:
        keys.update(dict.fromkeys((*c.shown_keys(), *c.reads)))
    return tuple(keys)
