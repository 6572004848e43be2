"""The joint test of a specification curve (Simonsohn, Simmons & Nelson 2020, Nature Human Behaviour 4:1208).

Question: is the share of a conclusion's analyses in which it holds (significant in the paper's direction)
larger than it would be if there were no effect at all? Method: the conclusion's distinct analyses (the
full factorial of the choices its part depends on, :data:`analysis.engine.DEPENDS_ON`, within the
multiverse's dimensions) are re-run on data where the null is true by construction, :data:`PERMUTATIONS`
times, and the observed share is compared with the shares under the null:
P = (1 + number of permutations whose share is at least the observed one) / (1 + permutations).

* t-test conclusions (CMO2): the posting labels (``ever_posted`` and ``posted_6wk`` together) are permuted
  across respondents, once per permutation for every analysis, so the two conclusions of the family share
  their permutations (as the multiplicity correction couples them).
* correlation conclusions: one variable of each family is permuted across respondents (the self-efficacy
  score for CMO1, reading resonant posts for theory area 2), the other variables kept.
* permutation k draws from ``numpy.random.default_rng([SEED, k])``: the same permutations whatever the
  chunking, the jobs or the scheduler.

Each analysis uses the engine's own statistics (:func:`analysis.ttests.compare_groups_forms`,
:func:`analysis.correlations.correlate`'s scipy calls, :func:`analysis.multiplicity.adjust`); only the
adjusted comparison is computed by the closed form of OLS (:func:`ols_posting`, the same estimate as the
engine's statsmodels fit, tested equal) because it runs hundreds of thousands of times. On the observed
data the evaluation gives the multiverse's own verdicts (tested).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from . import conclusions, contract, correlations, multiplicity, ttests
from .engine import DEPENDS_ON, KEY_TTESTS, analysis_frame
from .loading import Survey, speed_included
from .options import Options

#: Permutations and seed of the joint test.
PERMUTATIONS = 500
SEED = 20201208
#: The conclusions the joint test covers, by family: what is permuted, and the conclusions.
FAMILIES = {
    "cmo2": {"permute": ("ever_posted", "posted_6wk"), "ids": ("cmo2_safe", "cmo2_selfeff")},
    "cmo1": {"permute": ("selfeff_total",), "ids": ("cmo1_help", "cmo1_mod")},
    "area2": {"permute": ("visit_read",), "ids": tuple(f"area2_{i}" for i, _, _ in conclusions.AREA2_ITEMS)},
}


def ols_posting(y: np.ndarray, g: np.ndarray, covariates: np.ndarray) -> tuple[float, float, float]:
    """The posting coefficient of the OLS regression of y on [1, g, covariates] by the closed form
    b = (X'X)^-1 X'y, its t = b / sqrt(s^2 [(X'X)^-1]_gg) with s^2 = RSS / (n - rank), and that df
    (the engine's :func:`analysis.ttests.adjusted_difference` fits the same model with statsmodels)."""
    x = np.column_stack([np.ones(len(y)), g, covariates])
    xtx_inv = np.linalg.pinv(x.T @ x)
    b = xtx_inv @ x.T @ y
    df = len(y) - np.linalg.matrix_rank(x)
    s2 = ((y - x @ b) ** 2).sum() / df
    return float(b[1]), float(b[1] / np.sqrt(s2 * xtx_inv[1, 1])), float(df)


def _varied(dimensions: dict, part: str) -> list[str]:
    return [d for d in dimensions if d in DEPENDS_ON[part]]


def _levels(dimensions: dict, name: str) -> tuple:
    return tuple(dimensions.get(name, (getattr(Options(), name),)))


class Frames:
    """The analysis frames of the observed data, per (speed exclusion, scoring), computed once; a
    permutation replaces only the permuted columns (:meth:`permuted`)."""

    def __init__(self, survey: Survey, dimensions: dict):
        self.survey = survey
        minutes = _levels(dimensions, "exclusion_minutes")
        scorings = _levels(dimensions, "scoring")
        data = survey.data
        self.frames = {(m, sc): analysis_frame(data.loc[speed_included(data, m)], sc)
                       for m in minutes for sc in scorings}
        #: every row of the file scored, to look a permuted row's score up
        self.everyone = {sc: analysis_frame(data, sc) for sc in scorings}
        self.dummies = {key: pd.get_dummies(f[list(ttests.ADJUST_COVARIATES)].astype(str), drop_first=True,
                                            dtype=float) for key, f in self.frames.items()}

    def permuted(self, columns: tuple[str, ...], k: int | None) -> dict:
        """The frames with ``columns`` permuted across the file's respondents (permutation k; None: as
        observed): respondent i gets the values of respondent order[i], the same order in every frame."""
        if k is None:
            return self.frames
        order = np.random.default_rng([SEED, k]).permutation(len(self.survey.data))
        out = {}
        for (m, sc), frame in self.frames.items():
            source = self.everyone[sc][list(columns)].iloc[order]
            source.index = self.everyone[sc].index
            frame = frame.copy()
            frame[list(columns)] = source.loc[frame.index].to_numpy()
            out[(m, sc)] = frame
        return out


def _ttest_shares(frames: Frames, data: dict, dimensions: dict) -> dict[str, tuple[int, int]]:
    """Per CMO2 conclusion: (analyses in which it holds, analyses that could decide) on the frames ``data``."""
    held = {cid: [0, 0] for cid in FAMILIES["cmo2"]["ids"]}
    rules = [conclusions.BY_ID[cid] for cid in FAMILIES["cmo2"]["ids"]]
    dims = {n: _levels(dimensions, n) for n in DEPENDS_ON["ttest_values"]}
    for minutes, scoring, grouping in itertools.product(dims["exclusion_minutes"], dims["scoring"], dims["grouping"]):
        frame = data[(minutes, scoring)]
        dummies = frames.dummies[(minutes, scoring)]
        tests = {}
        for v in KEY_TTESTS:
            a, b = ttests._groups(frame, v, grouping)
            try:
                forms = ttests.compare_groups_forms(a, b, v, grouping)
            except ttests.AnalysisError:
                forms = None
            adj = None
            if "age_gender" in dims["adjust"]:
                rows = frame[[v, grouping, *ttests.ADJUST_COVARIATES]].dropna()
                cov = dummies.loc[rows.index]
                cov = cov.loc[:, cov.to_numpy().any(axis=0)]  # as the engine: a level nobody has is no column
                _, t, df = ols_posting(rows[v].to_numpy(float), rows[grouping].to_numpy(float), cov.to_numpy())
                adj = {"t": t, "p_two_tailed": float(2 * stats.t.sf(abs(t), df)), "p_one_tailed": float(stats.t.sf(t, df))}
            tests[v] = (forms, adj)
        for form, tails, adjust, method in itertools.product(dims["ttest"], dims["tails"], dims["adjust"],
                                                             dims["multiplicity"]):
            values = {}
            for v, (forms, adj) in tests.items():
                if forms is None:
                    values.update({f"t_{v}": float("nan"), f"p_{v}": float("nan")})
                    continue
                src = adj if adjust == "age_gender" else {"t": forms[form].t, "p_one_tailed": forms[form].p_one_tailed,
                                                          "p_two_tailed": forms[form].p_two_tailed}
                values.update({f"t_{v}": src["t"], f"p_{v}": src["p_one_tailed" if tails == 1 else "p_two_tailed"]})
            adjusted = multiplicity.adjust([values[f"p_{v}"] for v in KEY_TTESTS], method)
            values.update({f"p_{v}": p for v, p in zip(KEY_TTESTS, adjusted, strict=True)})
            for c in rules:
                verdict = c.holds(values)
                if verdict is not None:
                    held[c.id][0] += verdict
                    held[c.id][1] += 1
    return {k: tuple(v) for k, v in held.items()}


def _corr_shares(data: dict, dimensions: dict, family: str) -> dict[str, tuple[int, int]]:
    """Per correlation conclusion of ``family``: (analyses in which it holds, analyses that could decide)."""
    ids = FAMILIES[family]["ids"]
    rules = [conclusions.BY_ID[cid] for cid in ids]
    stems = multiplicity.FAMILIES[family]
    pairs = dict((name, ab) for ab, name in _pairs())
    held = {cid: [0, 0] for cid in ids}
    dims = {n: _levels(dimensions, n) for n in DEPENDS_ON["correlation_values"]}
    for minutes, scoring in itertools.product(dims["exclusion_minutes"], dims["scoring"]):
        frame = data[(minutes, scoring)]
        for method in dims["correlation"]:
            raw = {}
            for stem in stems:
                a, b = pairs[stem]
                r, p, _ = _correlation(frame[a], frame[b], method)
                raw[f"r_{stem}"], raw[f"p_{stem}"] = r, p
            for mult in dims["multiplicity"]:
                values = dict(raw)
                adjusted = multiplicity.adjust([raw[f"p_{s}"] for s in stems], mult)
                values.update({f"p_{s}": p for s, p in zip(stems, adjusted, strict=True)})
                for c in rules:
                    verdict = c.holds(values)
                    if verdict is not None:
                        held[c.id][0] += verdict
                        held[c.id][1] += 1
    return {k: tuple(v) for k, v in held.items()}


def _pairs():
    from .engine import correlation_pairs

    return correlation_pairs()


def _correlation(x: pd.Series, y: pd.Series, method: str) -> tuple[float, float, int]:
    """r (or rho) and P as :func:`analysis.correlations.correlate` gives them, without the interval."""
    if method == "pearson":
        return correlations.pearson(x, y)
    rho, p, n, _, _ = correlations.spearman_ci(x, y)
    return rho, p, n


def _shares(frames: Frames, dimensions: dict, family: str, k: int | None) -> dict[str, tuple[int, int]]:
    """One family's shares on the observed data (k None) or on permutation k."""
    data = frames.permuted(FAMILIES[family]["permute"], k)
    return _ttest_shares(frames, data, dimensions) if family == "cmo2" else _corr_shares(data, dimensions, family)


def _chunk(survey: Survey, dimensions: dict, family: str, ks: list[int]) -> list[dict]:
    frames = Frames(survey, dimensions)
    return [_shares(frames, dimensions, family, k) for k in ks]


def joint_tests(survey: Survey, dimensions: dict, permutations: int = PERMUTATIONS, observed=None,
                jobs: int = 1, scheduler: str | None = None, chunk: int = 50) -> list[dict]:
    """The joint test of every covered conclusion: ``{"id", "family", "n_analyses", "observed_holds",
    "observed_share", "null_mean", "null_95", "p", "permutations", "seed", "permuted"}``. Permutations run
    serially, with joblib (``jobs``) or on a Dask cluster (``scheduler``), in chunks; the result is the same."""
    del observed  # the observed shares are recomputed by the same code as the null ones
    work = [(family, list(range(i, min(i + chunk, permutations))))
            for family in FAMILIES for i in range(0, permutations, chunk)]
    if scheduler is not None:
        from dask.distributed import Client

        with Client(scheduler) as client:
            futures = [client.submit(_chunk, survey, dimensions, f, ks, pure=False) for f, ks in work]
            done = client.gather(futures)
    elif jobs > 1:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=jobs)(delayed(_chunk)(survey, dimensions, f, ks) for f, ks in work)
    else:
        done = [_chunk(survey, dimensions, f, ks) for f, ks in work]
    null: dict[str, list[float]] = {}
    for (family, _), results in zip(work, done, strict=True):
        for shares in results:
            for cid, (h, n) in shares.items():
                null.setdefault(cid, []).append(h / n if n else float("nan"))
    out = []
    for family, spec in FAMILIES.items():
        obs = _shares(Frames(survey, dimensions), dimensions, family, None)
        for cid in spec["ids"]:
            h, n = obs[cid]
            share = h / n if n else None
            shares = np.array(null.get(cid, []), dtype=float)
            p = None if share is None else float((1 + np.sum(shares >= share - 1e-12)) / (1 + len(shares)))
            out.append({"id": cid, "family": family, "n_analyses": n, "observed_holds": h,
                        "observed_share": share, "null_mean": float(np.nanmean(shares)) if len(shares) else None,
                        "null_95": float(np.nanquantile(shares, 0.95)) if len(shares) else None, "p": p,
                        "permutations": permutations, "seed": SEED, "permuted": list(spec["permute"])})
    return out


__all__ = ["joint_tests", "ols_posting", "PERMUTATIONS", "SEED", "FAMILIES", "contract"]
