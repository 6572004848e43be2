"""What each results key is: the engine's declaration of every number it publishes.

Every key :func:`analysis.engine.run_analysis` returns has a :class:`Kind` here, declared part by part
from the same constants the parts use (the forums, the scales, the pairs, the items), never guessed
from its spelling. Disclosure control (:mod:`analysis.disclosure`) and the book's formatting
(:func:`bookkit.fmt.format_value`) read the kind; ``run_analysis`` refuses to return a key without
one, so a new number cannot reach a page or a file without saying whether it counts respondents.

Kinds (:data:`NAMES`): ``count`` (respondents: disclosure-controlled), ``tally`` (a count that is not of
respondents: forums, file rows, published NHS figures), ``percent`` (a share of the count ``of``:
suppressed with it), ``p``, ``statistic`` (t, chi-square, with its decimals), ``df``, ``bounded`` (r,
Cramér's V, alpha, RMSEA: printed without the leading zero), ``estimate`` (means, slopes, d, odds ratios,
with decimals), ``interval`` (an end of the 95% interval of the estimate ``of``, printed like it and never
as the null value it excludes), ``spread`` (an SE or an equivalence bound of the estimate ``of``, printed
like it), ``r2``, ``option``, ``provenance``, ``label`` (a word chosen by the engine), ``flag``
and ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

NAMES = ("count", "tally", "percent", "p", "statistic", "df", "bounded", "estimate", "interval", "spread", "r2",
         "option", "provenance", "label", "flag", "notes")


@dataclass(frozen=True)
class Kind:
    """The kind of one results key (see the module docstring); ``of`` names the key a percentage is a
    share of, or the estimate an interval end belongs to; ``decimals`` how many a page prints."""

    name: str
    of: str | None = None
    decimals: int | None = None
    survey: bool = True  # False for a figure that does not come from the survey (the published NHS counts)

    def __post_init__(self):
        if self.name not in NAMES:
            raise ValueError(f"unknown kind {self.name!r}; kinds are {', '.join(NAMES)}")

    @property
    def from_survey(self) -> bool:
        """A value the survey data determine (not a choice, provenance or a published figure)."""
        return self.survey and self.name not in ("option", "provenance")

    @property
    def respondents(self) -> bool:
        """A count of survey respondents (disclosure-controlled)."""
        return self.name == "count"


COUNT, TALLY, P, DF, R2 = Kind("count"), Kind("tally"), Kind("p"), Kind("df"), Kind("r2")
BOUNDED, BOUNDED2 = Kind("bounded", decimals=3), Kind("bounded", decimals=2)
OPTION, PROVENANCE, LABEL, FLAG, NOTES = Kind("option"), Kind("provenance"), Kind("label"), Kind("flag"), Kind("notes")


def estimate(decimals: int = 3) -> Kind:
    return Kind("estimate", decimals=decimals)


def percent(of: str | None, decimals: int = 0) -> Kind:
    return Kind("percent", of=of, decimals=decimals)


def _with_interval(out: dict, key: str, kind: Kind, ends=("_ci_low", "_ci_high"), base: str | None = None) -> None:
    """Declare ``key`` and the keys of its interval (``{base}_ci_low`` ...), printed like it."""
    out[key] = kind
    for end in ends:
        out[f"{base or key}{end}"] = Kind("spread" if end == "_se" else "interval", of=key)


class UndeclaredKey(RuntimeError):
    """A results key without a declared kind (a programming error: declare it in analysis/kinds.py)."""


@lru_cache(maxsize=1)
def declared() -> dict[str, Kind]:
    """Every results key of ``run_analysis`` with its kind."""
    from . import contract, correlations, options, ttests

    out: dict[str, Kind] = {}
    # sample: counts of respondents, their percentages of the included sample, the forums, the waves
    out.update(n_file_rows=TALLY, n_excluded_speed=COUNT, n_forums=TALLY, n_t1=COUNT, n_t2=COUNT, n_t3=COUNT)
    counted = [*SAMPLE_COUNTS, "n_use_daily"] + [f"n_{side}_{item}" for item in AGREEMENT_ITEMS
                                                 for side in ("agree", "disagree")]
    for key in counted:
        out[key] = COUNT
        out[f"{key}_pct"] = percent(key, 1 if key == "n_posted_6wk" else 0)
    out.update({f"n_forum_{forum}": COUNT for forum in contract.FORUMS})
    for scale in contract.CLINICAL_SCALES:
        out.update({f"{scale}_t1_n": COUNT, f"{scale}_t1_mean": estimate(2), f"{scale}_t1_sd": estimate(2)})
        out.update({f"{scale}_{w}_observed_mean": estimate(2) for w in contract.WAVES})
    # caseness: the 2x2 test against the NHS figures (published counts, not respondents) and its effects
    published = Kind("tally", survey=False)
    out.update(caseness_n_cases=COUNT, caseness_n_not_cases=COUNT, caseness_nhs_n_cases=published,
               caseness_nhs_n_not_cases=published, caseness_chi2=Kind("statistic", decimals=2),
               caseness_df=published, caseness_p=P, caseness_cramers_v=BOUNDED, caseness_yates=OPTION,
               caseness_pct=percent("caseness_n_cases", 1),
               caseness_nhs_pct=Kind("percent", decimals=1, survey=False))
    _with_interval(out, "caseness_pct_difference", estimate(1))
    _with_interval(out, "caseness_odds_ratio", estimate(2))
    _with_interval(out, "caseness_cohens_h", estimate(2))
    # growth models, per scale
    for scale in contract.CLINICAL_SCALES:
        k = f"{scale}_lgcm"
        out.update({f"{k}_n": COUNT, f"{k}_chi2": Kind("statistic", decimals=1), f"{k}_df": DF, f"{k}_p": P,
                    f"{k}_slope_p": P, f"{k}_intercept_slope_p": P, f"{k}_improper": FLAG, f"{k}_warnings": NOTES})
        out.update({f"{k}_r2_t{w}": R2 for w in range(1, len(contract.WAVES) + 1)})
        out.update({f"{k}_implied_mean_{w}": estimate() for w in contract.WAVES})
        _with_interval(out, f"{k}_slope_mean", estimate(), ("_ci_low", "_ci_high", "_se"), base=f"{k}_slope")
        for name in ("intercept_mean", "intercept_var", "slope_var", "intercept_slope_cov"):
            _with_interval(out, f"{k}_{name}", estimate(), ("_ci_low", "_ci_high", "_se"))
        _with_interval(out, f"{k}_rmsea", BOUNDED)
        for name, est in (("slope", f"{k}_slope_mean"), ("intercept_slope_cov", f"{k}_intercept_slope_cov")):
            out.update({f"{k}_{name}_sesoi": Kind("spread", of=est), f"{k}_{name}_p_equivalence": P,
                        f"{k}_{name}_judgement": LABEL})
    # correlations: r with its interval, P and the pairwise n
    names = list(correlations.CONTRACT_PAIRS.values()) + [f"{a}_{b}" for a, b in correlations.QUOTED_PAIRS]
    for name in names:
        _with_interval(out, f"r_{name}", BOUNDED)
        out.update({f"p_{name}": P, f"p_unadjusted_{name}": P, f"n_{name}": COUNT})
    out.update({f"alpha_{name}": BOUNDED2 for name in ("selfeff", "help", "mod", "safe")})
    # the two key t tests
    for v in ttests.KEY_TTESTS:
        out.update({f"t_{v}": Kind("statistic", decimals=3), f"df_{v}": DF, f"p_{v}": P, f"p_one_tailed_{v}": P,
                    f"p_two_tailed_{v}": P, f"welch_{v}": FLAG, f"n_posted_{v}": COUNT, f"n_never_{v}": COUNT,
                    f"mean_posted_{v}": estimate(), f"mean_never_{v}": estimate()})
        _with_interval(out, f"d_{v}", estimate())
        _with_interval(out, f"g_{v}", estimate())
        _with_interval(out, f"ps_{v}", BOUNDED)
    # the choices and where the data came from
    out.update({name: OPTION for name in options.NAMES})
    out.update(data_sha256=PROVENANCE, data_file=PROVENANCE, data_is_twin=PROVENANCE)
    return out


#: The respondent counts of :func:`analysis.sample.sample_counts` (each with its percentage).
SAMPLE_COUNTS = ("n_female", "n_white", "n_age_16_24", "n_reason_self", "n_reason_someone_else",
                 "n_reason_help_others", "n_use_over_1_month", "n_use_1_year_plus", "n_responded_or_liked",
                 "n_posted_6wk", "n_ever_posted")
#: The agreement items counted as agree / disagree in the sample description.
AGREEMENT_ITEMS = ("help_isolated", "help_alone", "stigma_inferior")


def kind(key: str, kinds: dict[str, Kind] | None = None) -> Kind:
    """The declared kind of ``key``; :class:`UndeclaredKey` when it has none."""
    found = (kinds if kinds is not None else declared()).get(key)
    if found is None:
        raise UndeclaredKey(f"results key {key!r} has no declared kind: declare it in analysis/kinds.py")
    return found


def check(values: dict, kinds: dict[str, Kind] | None = None) -> None:
    """Raise :class:`UndeclaredKey` naming every key of ``values`` without a declared kind."""
    kinds = declared() if kinds is None else kinds
    missing = sorted(k for k in values if k not in kinds)
    if missing:
        raise UndeclaredKey(f"results keys without a declared kind (declare them in analysis/kinds.py): "
                            f"{', '.join(missing)}")
