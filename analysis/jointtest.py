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

from . import conclusions, multiplicity, ttests
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
    "area2": {"permute": ("visit_read",), "ids": tuple(f"area2_{i}" for i, _ in conclusions.AREA2_ITEMS)},
}


def ols_posting(y: np.ndarray, g: np.ndarray, covariates: np.ndarray) -> tuple[float, float, float]:
    """The posting coefficient of the OLS regression of y on [1, g, covariates] by the closed form
    b = (X'X)^-1 X'y, its t = b / sqrt(s^2 [(X'X)^-1]_gg) with s^2 = RSS / (n - rank), and that df
    (the engine's :func:`analysis.ttests.adjusted_difference` fits the same model with statsmodels)."""
    x = np.column_stack([np.ones(len(y)), g, covariates])
    b, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    xtx_inv = np.linalg.pinv(x.T @ x)
    df = len(y) - rank
    s2 = ((y - x @ b) ** 2).sum() / df
    return float(b[1]), float(b[1] / np.sqrt(s2 * xtx_inv[1, 1])), float(df)


def lean_forms(posted: np.ndarray, never: np.ndarray) -> dict[str, tuple[float, float, float]] | None:
    """Every ``ttest`` form of one comparison as (statistic, one-tailed P, two-tailed P), by closed forms:
    Student's pooled t on n1 + n0 - 2 df, Welch's t on the Welch-Satterthwaite df, Levene's rule (the
    mean-centred Levene F = (N - 2) sum n_g (zbar_g - zbar)^2 / sum (z - zbar_g)^2 with z = |x - group
    mean|, on 1 and N - 2 df) and Brunner-Munzel (:func:`analysis.ttests.probability_of_superiority`'s
    statistic and df). The same statistics as :func:`analysis.ttests.compare_groups_forms` (tested equal),
    without scipy's per-call overhead, which would make the joint test take minutes. None when the engine
    would refuse the comparison (a group under 2, or both groups constant)."""
    a, b = np.asarray(posted, dtype=float), np.asarray(never, dtype=float)
    n1, n0 = len(a), len(b)
    if min(n1, n0) < 2:
        return None
    m1, m0, v1, v0 = a.mean(), b.mean(), a.var(ddof=1), b.var(ddof=1)
    if v1 == 0 and v0 == 0:
        return None
    out = {}
    pooled = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2)
    t = (m1 - m0) / np.sqrt(pooled * (1 / n1 + 1 / n0))
    df = n1 + n0 - 2
    out["student"] = (t, stats.t.sf(t, df), 2 * stats.t.sf(abs(t), df))
    se2 = v1 / n1 + v0 / n0
    t = (m1 - m0) / np.sqrt(se2)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
    out["welch"] = (t, stats.t.sf(t, df), 2 * stats.t.sf(abs(t), df))
    za, zb = np.abs(a - m1), np.abs(b - m0)
    zbar = np.concatenate([za, zb]).mean()
    within = ((za - za.mean()) ** 2).sum() + ((zb - zb.mean()) ** 2).sum()
    f = (n1 + n0 - 2) * (n1 * (za.mean() - zbar) ** 2 + n0 * (zb.mean() - zbar) ** 2) / within if within > 0 else np.inf
    out["levene"] = out["welch"] if stats.f.sf(f, 1, n1 + n0 - 2) < ttests.LEVENE_ALPHA else out["student"]
    _, _, _, w, df = ttests.probability_of_superiority(a, b)
    out["brunner_munzel"] = (w, stats.t.sf(w, df), 2 * stats.t.sf(abs(w), df))
    return {k: tuple(float(x) for x in v) for k, v in out.items()}


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
        keep = list(dict.fromkeys([*KEY_TTESTS, *ttests.GROUPINGS, *ttests.ADJUST_COVARIATES,
                                   *(v for ab, _ in _pairs() for v in ab)]))
        self.frames = {(m, sc): analysis_frame(data.loc[speed_included(data, m)], sc)[keep]
                       for m in minutes for sc in scorings}
        #: every row of the file scored, to look a permuted row's score up
        self.everyone = {sc: analysis_frame(data, sc)[keep] for sc in scorings}
        self.dummies = {key: pd.get_dummies(f[list(ttests.ADJUST_COVARIATES)].astype(str), drop_first=True,
                                            dtype=float) for key, f in self.frames.items()}

    def permuted(self, columns: tuple[str, ...], k: int | None) -> dict:
        """The frames with ``columns`` permuted across the file's respondents (permutation k; None: as
        observed): respondent i gets the values of respondent order[i], the same order in every frame."""
        if k is None:
            return self.frames
        order = np.random.default_rng([SEED, k]).permutation(len(self.survey.data))
        position = {sc: pd.Series(np.arange(len(e)), index=e.index) for sc, e in self.everyone.items()}
        out = {}
        for (m, sc), frame in self.frames.items():
            rows = order[position[sc].loc[frame.index].to_numpy()]
            frame = frame.copy()
            for c in columns:
                frame[c] = self.everyone[sc][c].to_numpy()[rows]
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
        g_all = frame[grouping].to_numpy(float)
        covered = frame[list(ttests.ADJUST_COVARIATES)].notna().all(axis=1).to_numpy()
        dummy_values = dummies.to_numpy()
        for v in KEY_TTESTS:
            y = frame[v].to_numpy(float)
            both = ~np.isnan(y) & ~np.isnan(g_all)
            forms = lean_forms(y[both & (g_all == 1)], y[both & (g_all == 0)])
            adj = None
            if "age_gender" in dims["adjust"]:
                rows = both & covered
                cov = dummy_values[rows]
                cov = cov[:, cov.any(axis=0)]  # as the engine: a level nobody has is no column
                _, t, df = ols_posting(y[rows], g_all[rows], cov)
                adj = {"t": t, "p_two_tailed": float(2 * stats.t.sf(abs(t), df)),
                       "p_one_tailed": float(stats.t.sf(t, df))}
            tests[v] = (forms, adj)
        for form, tails, adjust, method in itertools.product(dims["ttest"], dims["tails"], dims["adjust"],
                                                             dims["multiplicity"]):
            values = {}
            for v, (forms, adj) in tests.items():
                if forms is None:
                    values.update({f"t_{v}": float("nan"), f"p_{v}": float("nan")})
                    continue
                t, p_one, p_two = forms[form]
                src = adj if adjust == "age_gender" else {"t": t, "p_one_tailed": p_one, "p_two_tailed": p_two}
                values.update({f"t_{v}": src["t"], f"p_{v}": src["p_one_tailed" if tails == 1 else "p_two_tailed"]})
            _count(held, rules, _adjusted(values, KEY_TTESTS, method))
    return {k: tuple(v) for k, v in held.items()}


def _adjusted(values: dict, names, method: str) -> dict:
    """``values`` with the P values ``p_{name}`` of one family adjusted by ``method`` (multiplicity)."""
    adjusted = multiplicity.adjust([values[f"p_{n}"] for n in names], method)
    return {**values, **{f"p_{n}": p for n, p in zip(names, adjusted, strict=True)}}


def _count(held: dict, rules, values: dict) -> None:
    """Add each rule's verdict on ``values`` to ``held`` (holds, decided), where it can decide."""
    for c in rules:
        verdict = c.holds(values)
        if verdict is not None:
            held[c.id][0] += verdict
            held[c.id][1] += 1


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
                _count(held, rules, _adjusted(raw, stems, mult))
    return {k: tuple(v) for k, v in held.items()}


def _pairs():
    return multiplicity.correlation_pairs()


def _correlation(x: pd.Series, y: pd.Series, method: str) -> tuple[float, float, int]:
    """r (or rho) and P as :func:`analysis.correlations.correlate` gives them (tested equal), by the closed
    form: r of the pairwise-complete values (their ranks for Spearman), P = 2 P(T > |r| sqrt((n - 2) /
    (1 - r^2))) on n - 2 df, as scipy's ``pearsonr`` and ``spearmanr``; NaN as the engine (n < 3 or a
    constant variable)."""
    a, b = x.to_numpy(float), y.to_numpy(float)
    keep = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan"), n
    if method == "spearman":
        a, b = stats.rankdata(a), stats.rankdata(b)
    a, b = a - a.mean(), b - b.mean()
    r = float(np.clip((a @ b) / np.sqrt((a @ a) * (b @ b)), -1.0, 1.0))
    if abs(r) == 1:
        return r, 0.0, n
    t = abs(r) * np.sqrt((n - 2) / (1 - r * r))
    return r, float(2 * stats.t.sf(t, n - 2)), n


def _shares(frames: Frames, dimensions: dict, family: str, k: int | None) -> dict[str, tuple[int, int]]:
    """One family's shares on the observed data (k None) or on permutation k."""
    data = frames.permuted(FAMILIES[family]["permute"], k)
    return _ttest_shares(frames, data, dimensions) if family == "cmo2" else _corr_shares(data, dimensions, family)


def _chunk(survey: Survey, dimensions: dict, family: str, ks: list[int]) -> list[dict]:
    """Permutations ``ks`` of one family, one BLAS thread (small matrices: threads only cost here)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        frames = Frames(survey, dimensions)
        return [_shares(frames, dimensions, family, k) for k in ks]


def joint_tests(survey: Survey, dimensions: dict, permutations: int = PERMUTATIONS, observed=None,
                jobs: int = 1, scheduler: str | None = None, chunk: int = 50) -> list[dict]:
    """The joint test of every covered conclusion: ``{"id", "family", "n_analyses", "observed_holds",
    "observed_share", "null_mean", "null_95", "p", "permutations", "seed", "permuted"}``. Permutations run
    serially, with joblib (``jobs``) or on a Dask cluster (``scheduler``), in chunks; the result is the same."""
    del observed  # the observed shares are recomputed by the same code as the null ones (tested equal)
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
    for (_family, _), results in zip(work, done, strict=True):
        for shares in results:
            for cid, (h, n) in shares.items():
                null.setdefault(cid, []).append(h / n if n else float("nan"))
    out = []
    for family, spec in FAMILIES.items():
        obs = _chunk(survey, dimensions, family, [None])[0]
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

