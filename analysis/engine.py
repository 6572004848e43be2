"""The one computation path: ``run_analysis(survey, Options)`` -> :class:`Results`.

Every number the book, ``reproduce``, the robustness panel and the multiverse
show comes from here, under one name (the key of the flat results manifest,
``Results.values``). The analysis is split into parts, each depending on only
some of the options (:data:`DEPENDS_ON`); a :class:`Memo` shared between runs
on the same survey computes each part once per distinct value of its options,
so a growth model is fitted once however many t-test choices are varied.
Data that are too small or degenerate for a part raise
:class:`~analysis.errors.AnalysisError` naming the analysis, why, and the
minimum it needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import (
    caseness,
    contract,
    correlations,
    effects,
    growth,
    growth_mi,
    kinds,
    multiplicity,
    paths,
    sample,
    scales,
    ttests,
)
from .caseness import caseness_effects  # noqa: F401 (re-exported: its effect sizes were an engine part)
from .errors import AnalysisError
from .loading import Survey, speed_included
from .options import Options

#: The options each part of the analysis depends on (the memo key of that part).
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "sample": ("exclusion_minutes",),
    "caseness": ("exclusion_minutes", "yates", "caseness_cutoffs"),
    "imputations": ("exclusion_minutes",),  # the multiple imputations of the wave totals (growth_missing mi, delta)
    "growth_estimate": ("exclusion_minutes", "growth_missing", "growth_residuals"),
    "growth": ("exclusion_minutes", "growth_missing", "growth_residuals", "growth_information"),
    "equivalence": ("exclusion_minutes", "growth_missing", "growth_residuals", "growth_information", "sesoi"),
    "frame": ("exclusion_minutes", "scoring"),
    "correlations": ("exclusion_minutes", "scoring", "correlation"),
    "correlation_values": ("exclusion_minutes", "scoring", "correlation", "multiplicity"),
    "reliability": ("exclusion_minutes", "scoring"),
    "ttests": ("exclusion_minutes", "scoring", "grouping"),  # every ``ttest`` form at once
    "ttest_adjusted": ("exclusion_minutes", "scoring", "grouping"),
    "ttest_values": ("exclusion_minutes", "scoring", "grouping", "ttest", "tails", "adjust", "multiplicity"),
}
GROWTH_LABELS = {"gad": "GAD-7", "phq": "PHQ-8"}
KEY_TTESTS = ttests.KEY_TTESTS


@dataclass
class Results:
    """What one run computes: the flat manifest ``values`` (one name per number) and the tables."""

    values: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def options(self) -> Options:
        return Options.from_mapping(self.values)

    @property
    def kinds(self) -> dict[str, kinds.Kind]:
        """The declared kind of every key (:mod:`analysis.kinds`)."""
        return {key: kinds.kind(key) for key in self.values}


class Memo:
    """Parts already computed for one survey, keyed by part and the options it depends on.

    A part that raised :class:`AnalysisError` is remembered too and raises the same error again,
    so a part the data cannot support is attempted once, not once per option set.
    """

    def __init__(self, survey: Survey):
        self.survey = survey
        self.parts: dict[tuple, object] = {}
        self.computed: dict[str, int] = {}
        self.sha: str | None = None
        self.twin_sha: str | None = None

    def get(self, part: str, options: Options, compute):
        key = (part, *(getattr(options, name) for name in DEPENDS_ON[part]))
        if key not in self.parts:
            self.computed[part] = self.computed.get(part, 0) + 1
            try:
                self.parts[key] = compute()
            except AnalysisError as exc:
                self.parts[key] = exc
        found = self.parts[key]
        if isinstance(found, AnalysisError):
            raise found.with_traceback(None)
        return found


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (provenance, and the results store's key)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def analysis_frame(included: pd.DataFrame, scoring: str = "half") -> pd.DataFrame:
    """The included sample with the subscale scores and the clinical wave totals added."""
    frame = included.join(scales.subscales(included, scoring))
    for scale in contract.CLINICAL_SCALES:
        for wave in contract.WAVES:
            frame[f"{scale}_{wave}_total"] = scales.clinical_total(included, scale, wave)
    return frame


def _pct(n: int, total: int) -> float:
    return 100.0 * n / total if total else float("nan")


def describe_sample(survey: Survey, minutes: float) -> tuple[pd.DataFrame, dict, dict]:
    """The included sample, its manifest keys (counts with their percentages) and its tables."""
    included_mask = speed_included(survey.data, minutes)
    smp = survey.data.loc[included_mask]
    if len(smp) == 0:
        raise AnalysisError(
            "sample",
            f"no respondent took {minutes:g} minutes or more (speed exclusion)",
            "at least 1 included respondent",
        )
    n = len(smp)
    res: dict = {"n_file_rows": len(survey.data), "n_excluded_speed": int((~included_mask).sum())}
    res.update(sample.wave_sizes(smp))
    counts = sample.sample_counts(smp)
    counts["n_use_daily"] = int((smp["use_frequency"] == "daily").sum())
    for item in kinds.AGREEMENT_ITEMS:
        agree = scales.agreement_counts(smp[item])
        counts[f"n_agree_{item}"], counts[f"n_disagree_{item}"] = agree["agree"], agree["disagree"]
    res.update(counts)
    res.update({f"{k}_pct": _pct(v, n) for k, v in counts.items()})
    forums = sample.forum_counts(smp)
    res.update({f"n_forum_{row.forum}": int(row.n_t1) for row in forums.itertuples()})
    res["n_forums"] = int((forums["n_t1"] > 0).sum())
    for scale in contract.CLINICAL_SCALES:
        waves = scales.clinical_totals(smp, scale)
        t1 = waves["t1"].dropna()
        res[f"{scale}_t1_n"] = len(t1)
        res[f"{scale}_t1_mean"] = float(t1.mean()) if len(t1) else float("nan")
        res[f"{scale}_t1_sd"] = float(t1.std(ddof=1)) if len(t1) > 1 else float("nan")
        res.update({f"{scale}_{w}_observed_mean": float(waves[w].mean()) for w in contract.WAVES})
    tables = {
        "sample_description": sample.description_table(smp),
        "forums": forums,
        "item_frequencies": sample.item_frequencies(smp),
        "wave_means": pd.concat(
            [
                growth.observed_wave_summary(scales.clinical_totals(smp, s), contract.WAVE_TIME_SCORES).assign(scale=s)
                for s in contract.CLINICAL_SCALES
            ],
            ignore_index=True,
        ),
    }
    return smp, res, tables


def caseness_part(smp: pd.DataFrame, yates: bool, cutoffs: str = "nhs") -> tuple[dict, pd.DataFrame]:
    """Caseness counts, the 2x2 chi-square against NHS Talking Therapies, both percentages, the 2x2 table.

    The NHS counts are the published ones at the NHS cut-offs whatever ``cutoffs`` the survey is scored
    with (:data:`analysis.caseness.CUTOFFS`), so another level compares the survey's screening caseness
    with the NHS's treatment caseness."""
    cases, not_cases = caseness.survey_caseness(smp, cutoffs)
    if cases + not_cases == 0:
        raise AnalysisError(
            "caseness test",
            "no included respondent has both a T1 GAD-7 and a T1 PHQ-8 total",
            "at least 1 such respondent",
        )
    res = caseness.caseness_results(smp, correction=yates, cutoffs=cutoffs)
    res["caseness_pct"] = _pct(cases, cases + not_cases)
    res["caseness_nhs_pct"] = _pct(
        res["caseness_nhs_n_cases"], res["caseness_nhs_n_cases"] + res["caseness_nhs_n_not_cases"]
    )
    res["caseness_pct_difference"] = res["caseness_pct"] - res["caseness_nhs_pct"]
    res.update(caseness_effects(cases, not_cases, res["caseness_nhs_n_cases"],
                                         res["caseness_nhs_n_not_cases"]))
    table = pd.DataFrame(
        {
            "group": ["iPOF survey", "NHS Talking Therapies North West 2022-23"],
            "cases": [res["caseness_n_cases"], res["caseness_nhs_n_cases"]],
            "not_cases": [res["caseness_n_not_cases"], res["caseness_nhs_n_not_cases"]],
        }
    )
    return res, table


def growth_part(memo: Memo, smp: pd.DataFrame, options: Options) -> tuple[dict, pd.DataFrame]:
    """Both growth models: estimates shared across the SE choice, SEs per ``growth_information``.

    Run with one BLAS thread (threadpoolctl), as the twin generator does: the floating-point path is then
    the same in every process, so a multiverse run serially, with joblib or on Dask gives the same bytes."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _growth_part(memo, smp, options)


def _growth_part(memo: Memo, smp: pd.DataFrame, options: Options) -> tuple[dict, pd.DataFrame]:
    res, tables = {}, []
    for scale in contract.CLINICAL_SCALES:
        est = _growth_estimate(memo, smp, options, scale, f" ({GROWTH_LABELS[scale]})")
        fit = growth_mi.fit_any(est, options.growth_information)
        res.update(growth.growth_results(scale, fit))
        res.update(growth.growth_intervals(scale, fit))
        res.update(
            {f"{scale}_lgcm_implied_mean_{w}": float(m) for w, m in zip(contract.WAVES, fit.implied[0], strict=False)}
        )
        table = fit.table()
        table.insert(0, "scale", scale)
        tables.append(table)
    return res, pd.concat(tables, ignore_index=True)


def _growth_estimate(memo: Memo, smp: pd.DataFrame, options: Options, scale: str, label: str):
    estimates = memo.get("growth_estimate", options, dict)
    if scale not in estimates:
        waves = scales.clinical_totals(smp, scale)
        if options.growth_missing in ("mi", "delta"):
            imputations = memo.get("imputations", options, dict)
            if scale not in imputations:
                y = np.asarray(waves, dtype=float)
                imputations[scale] = growth_mi.impute(y[~np.isnan(y).all(axis=1)])
            estimates[scale] = growth_mi.estimate_lgcm_mi(
                waves, contract.WAVE_TIME_SCORES, options.growth_missing, label, options.growth_residuals,
                imputations=imputations[scale])
        else:
            estimates[scale] = growth.estimate_lgcm(
                waves, contract.WAVE_TIME_SCORES, options.growth_missing, label, options.growth_residuals
            )
    return estimates[scale]


def equivalence_part(growth_values: dict, sample_values: dict, sesoi: float) -> dict:
    """Equivalence tests (TOST, :func:`analysis.effects.tost_wald`) of the growth conclusions that claim
    no effect, against a smallest effect of interest of ``sesoi`` standard deviations.

    Conventions: for a mean slope (change per wave, 6 weeks; the 12 weeks are 2 waves) the bound is
    ``sesoi`` x the SD of the time-1 totals / 2, so the bound is a 12-week change of ``sesoi`` SDs;
    for the intercept-slope covariance it is the correlation r = d / sqrt(d^2 + 4) of d = ``sesoi``
    times sqrt(intercept variance x slope variance) (NaN when a variance is not positive).
    Keys ``{scale}_lgcm_{slope,intercept_slope_cov}_{sesoi,p_equivalence,judgement}``.
    """
    res = {}
    for scale in contract.CLINICAL_SCALES:
        k = f"{scale}_lgcm"
        variances = growth_values[f"{k}_intercept_var"] * growth_values[f"{k}_slope_var"]
        bounds = {
            "slope": sesoi * sample_values[f"{scale}_t1_sd"] / 2,
            "intercept_slope_cov": effects.r_from_d(sesoi) * variances**0.5 if variances > 0 else float("nan"),
        }
        estimates = {"slope": "slope_mean", "intercept_slope_cov": "intercept_slope_cov"}
        for name, bound in bounds.items():
            est, se = growth_values[f"{k}_{estimates[name]}"], growth_values[f"{k}_{name}_se"]
            p_equiv = effects.tost_wald(est, se, bound)
            p_name = f"{k}_slope_p" if name == "slope" else f"{k}_intercept_slope_p"
            res[f"{k}_{name}_sesoi"] = bound
            res[f"{k}_{name}_p_equivalence"] = p_equiv
            res[f"{k}_{name}_judgement"] = effects.judgement(growth_values[p_name], p_equiv)
    return res


def correlations_part(frame: pd.DataFrame, method: str = "pearson") -> tuple[dict, pd.DataFrame]:
    """The correlation table and the keys of the contract's and the chapters' quoted pairs (Pearson's r or
    Spearman's rho as option ``correlation`` names, under the same keys; P unadjusted)."""
    table = correlations.correlation_table(frame, method=method)
    res = {}
    for (a, b), name in multiplicity.correlation_pairs():
        r, p, n, low, high = correlations.correlate(frame[a], frame[b], method)
        res.update({f"r_{name}": r, f"p_{name}": p, f"n_{name}": n, f"r_{name}_ci_low": low, f"r_{name}_ci_high": high})
    return res, table


def reliability_part(smp: pd.DataFrame, scoring: str) -> tuple[dict, pd.DataFrame]:
    """Cronbach's alpha per subscale (``alpha_selfeff`` ...) and the Appendix 3 table."""
    table = scales.reliability_table(smp, scoring)
    names = {"selfeff_total": "selfeff", "T1_help_total": "help", "T1_mod_total": "mod", "safe_total": "safe"}
    return {f"alpha_{names[row.subscale]}": row.alpha for row in table.itertuples()}, table


def adjusted_part(frame: pd.DataFrame, grouping: str) -> dict:
    """The adjusted posting comparisons of the key t tests (:func:`analysis.ttests.adjusted_difference`)."""
    return {v: ttests.adjusted_difference(frame, v, grouping) for v in KEY_TTESTS}


def ttests_part(table: pd.DataFrame, tails: int, adjusted: dict | None = None, method: str = "none") -> dict:
    """The manifest keys of the two key t tests; ``p_V`` is the P the option ``tails`` names, adjusted over
    the CMO2 family by option ``multiplicity`` (``method``). With ``adjusted`` (option ``adjust``, from
    :func:`adjusted_part`) the test is the OLS posting coefficient's: t, df, both P, d and g (J d) and their
    intervals come from it; counts, means and the probability of superiority stay the unadjusted ones."""
    res = {}
    for row in table.itertuples():
        if row.variable not in KEY_TTESTS:
            continue
        v = row.variable
        if adjusted is not None:
            a = adjusted[v]
            j = effects.hedges_correction(row.n_posted + row.n_never - 2)
            row = row._replace(t=a["t"], df=a["df"], p_one_tailed=a["p_one_tailed"], p_two_tailed=a["p_two_tailed"],
                               d=a["d"], d_ci_low=a["d_ci_low"], d_ci_high=a["d_ci_high"], g=j * a["d"],
                               g_ci_low=j * a["d_ci_low"], g_ci_high=j * a["d_ci_high"], welch=False)
        res.update(
            {
                f"t_{v}": row.t,
                f"df_{v}": row.df,
                f"p_one_tailed_{v}": row.p_one_tailed,
                f"p_two_tailed_{v}": row.p_two_tailed,
                f"p_{v}": row.p_one_tailed if tails == 1 else row.p_two_tailed,
                f"d_{v}": row.d,
                f"d_{v}_ci_low": row.d_ci_low,
                f"d_{v}_ci_high": row.d_ci_high,
                f"g_{v}": row.g,
                f"g_{v}_ci_low": row.g_ci_low,
                f"g_{v}_ci_high": row.g_ci_high,
                f"welch_{v}": bool(row.welch),
                f"n_posted_{v}": row.n_posted,
                f"n_never_{v}": row.n_never,
                f"mean_posted_{v}": row.mean_posted,
                f"mean_never_{v}": row.mean_never,
                f"ps_{v}": row.ps,
                f"ps_{v}_ci_low": row.ps_ci_low,
                f"ps_{v}_ci_high": row.ps_ci_high,
            }
        )
    adjusted_p = multiplicity.adjust([res[f"p_{v}"] for v in KEY_TTESTS], method)
    res.update({f"p_{v}": p for v, p in zip(KEY_TTESTS, adjusted_p, strict=True)})
    return res


def run_analysis(survey: Survey, options: Options = Options(), memo: Memo | None = None) -> Results:
    """Every analysis of the paper on ``survey`` under ``options`` (no files written).

    The speed exclusion is ``options.exclusion_minutes`` applied to every row of the file (the
    exclusion the survey was loaded with is not used). ``memo`` shares parts between calls on the
    same survey. Raises :class:`AnalysisError` on data too small or degenerate for a part.
    """
    memo = memo or Memo(survey)
    if memo.survey is not survey:
        raise ValueError("a Memo belongs to one survey")
    smp, values, tables = memo.get("sample", options, lambda: describe_sample(survey, options.exclusion_minutes))
    values, tables = dict(values), dict(tables)
    caseness_values, tables["caseness"] = memo.get(
        "caseness", options, lambda: caseness_part(smp, options.yates, options.caseness_cutoffs))
    values.update(caseness_values)
    growth_values, tables["growth"] = memo.get("growth", options, lambda: growth_part(memo, smp, options))
    values.update(growth_values)
    values.update(memo.get("equivalence", options, lambda: equivalence_part(growth_values, values, options.sesoi)))
    frame = memo.get("frame", options, lambda: analysis_frame(smp, options.scoring))
    corr_raw, tables["correlations"] = memo.get(
        "correlations", options, lambda: correlations_part(frame, options.correlation))
    values.update(memo.get("correlation_values", options,
                           lambda: multiplicity.correlation_values(corr_raw, options.multiplicity)))
    alpha_values, tables["reliability"] = memo.get(
        "reliability", options, lambda: reliability_part(smp, options.scoring)
    )
    values.update(alpha_values)
    tables["ttests"] = memo.get("ttests", options, lambda: ttests.ttest_tables(frame, grouping=options.grouping))[
        options.ttest
    ]
    adjusted = None
    if options.adjust == "age_gender":
        adjusted = memo.get("ttest_adjusted", options, lambda: adjusted_part(frame, options.grouping))
    values.update(memo.get("ttest_values", options,
                           lambda: ttests_part(tables["ttests"], options.tails, adjusted, options.multiplicity)))
    values.update(options.as_dict())
    sha = _survey_sha(memo)
    values.update({"data_sha256": sha, "data_file": Path(survey.path).name, "data_is_twin": sha == _twin_sha(memo)})
    kinds.check(values)  # every number says what it is (a count of respondents, a P ...) before it leaves
    return Results(values=values, tables=tables)


def _survey_sha(memo: Memo) -> str:
    if memo.sha is None:
        memo.sha = file_sha256(memo.survey.path)
    return memo.sha


def _twin_sha(memo: Memo) -> str | None:
    if memo.twin_sha is None and paths.SYNTHETIC_TWIN.exists():
        memo.twin_sha = file_sha256(paths.SYNTHETIC_TWIN)
    return memo.twin_sha
