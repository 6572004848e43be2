"""Correction of P values for multiple comparisons (option ``multiplicity``), over stated families.

The paper tests many hypotheses without a correction. Under option ``multiplicity`` the P a conclusion's
rule reads is adjusted over the family of tests the paper draws that group of conclusions from
(:data:`FAMILIES`): ``"holm"`` (Holm 1979, step-down, controls the family-wise error rate; :func:`holm`)
or ``"fdr_bh"`` (Benjamini & Hochberg 1995, controls the false discovery rate; statsmodels'
``fdrcorrection``);
``"none"`` leaves P as it is (the paper). A P that is missing (NaN) is left out of its family and stays
missing. Families:

* ``cmo1``: the two self-efficacy correlations of CMO1 (with forum helpfulness and moderator support);
* ``cmo2``: the two posting comparisons of CMO2 (psychological safety, self-efficacy), on the P the
  option ``tails`` names;
* ``area2``: the six correlations of reading resonant posts of theory area 2.

The caseness test and the growth models are not corrected: the caseness comparison is a single test, and
each growth conclusion is a parameter of its own model (the fit test is of a model, not of an effect).
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import fdrcorrection

from . import correlations

#: The levels of option ``multiplicity``.
METHODS = ("none", "holm", "fdr_bh")
#: Family name -> the results-key stems of its P values (``p_{stem}``).
FAMILIES: dict[str, tuple[str, ...]] = {
    "cmo1": ("selfeff_help", "selfeff_mod"),
    "cmo2": ("safe_total", "selfeff_total"),
    "area2": ("visit_read_help_same", "visit_read_help_understood", "visit_read_help_isolated",
              "visit_read_help_alone", "visit_read_safe_3", "visit_read_safe_5"),
}


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's adjusted P: sorted ascending, the i-th (from 0) of m is min(1, max over j <= i of (m - j) p_(j)).

    Hand-written because statsmodels' ``multipletests(method="holm")`` runs a full garbage collection on
    every call (0.1 s in a process holding the multiverse), which would dominate the multiverse and the
    joint test; the tests check it equals ``multipletests``.
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = stepped
    return out


def adjust(pvalues, method: str = "none") -> list[float]:
    """``pvalues`` adjusted over themselves as one family by ``method`` (NaN stays NaN and is not counted)."""
    if method not in METHODS:
        raise ValueError(f"multiplicity must be one of {METHODS}, not {method!r}")
    p = np.asarray(pvalues, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    if method != "none" and ok.any():
        out[ok] = holm(p[ok]) if method == "holm" else fdrcorrection(p[ok])[1]
    return [float(v) for v in out]


def correlation_pairs() -> list[tuple[tuple[str, str], str]]:
    """The correlations with results keys: ((variable a, variable b), key stem)."""
    named = [((a, b), name) for (a, b), name in correlations.CONTRACT_PAIRS.items()]
    return named + [((a, b), f"{a}_{b}") for a, b in correlations.QUOTED_PAIRS]


def correlation_values(raw: dict, method: str) -> dict:
    """The correlation keys with ``p_{stem}`` adjusted over its family (:mod:`analysis.multiplicity`) by
    option ``multiplicity`` and the unadjusted P kept as ``p_unadjusted_{stem}``."""
    res = dict(raw)
    for _, name in correlation_pairs():
        res[f"p_unadjusted_{name}"] = raw[f"p_{name}"]
    for family in ("cmo1", "area2"):
        stems = FAMILIES[family]
        adjusted = adjust([raw[f"p_{stem}"] for stem in stems], method)
        res.update({f"p_{stem}": p for stem, p in zip(stems, adjusted, strict=True)})
    return res
