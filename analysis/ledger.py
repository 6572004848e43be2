"""The claims ledger (``data/paper_claims.yaml``): every numeric claim of the paper, and whether the
results manifest reproduces it.

Each claim is reproduced from the manifest by ``key`` (times ``scale``) or by
``ratio: [n, N]`` (100 n / N), or is marked not computable with a ``reason``.
Status conventions:

* ``reproduced``: the reproduced value rounds to the printed value at the
  printed precision (for "<" claims: it is below the printed bound);
* ``within tolerance``: off by at most :data:`TOLERANCE_UNITS` units of the last
  printed digit;
* ``differs``: further off;
* ``not computable``: the claim is not about survey data.

The book's presentation of the ledger (the report table, marks and links) is :mod:`bookkit.claims`; the
paper's audit against itself is :mod:`analysis.audit`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from . import paths

LEDGER = paths.DATA / "paper_claims.yaml"
TOLERANCE_UNITS = 2
STATUSES = ("reproduced", "within tolerance", "differs", "not computable")
KINDS = ("count", "percent", "mean", "SD", "test statistic", "df", "p", "CI", "effect size", "R-squared")


@lru_cache(maxsize=4)
def load(path: Path = LEDGER) -> dict:
    """The ledger, checked: unique ids, known kinds, and exactly one way to reproduce (or a reason) per claim."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    seen = set()
    for c in doc["claims"]:
        if c["id"] in seen:
            raise ValueError(f"{path}: duplicate claim id {c['id']}")
        seen.add(c["id"])
        if c["kind"] not in KINDS:
            raise ValueError(f"{path}: claim {c['id']} has unknown kind {c['kind']!r}")
        ways = sum(k in c for k in ("key", "ratio", "reason"))
        if ways != 1:
            raise ValueError(f"{path}: claim {c['id']} needs exactly one of key, ratio or reason")
    for r in doc["relations"]:
        unknown = [cid for cid in r["claims"] if cid not in seen]
        if unknown:
            raise ValueError(f"{path}: relation {r['rule']} names unknown claims {unknown}")
    return doc


def claims_by_id() -> dict[str, dict]:
    return {c["id"]: c for c in load()["claims"]}


def reproduce_value(claim: dict, results: dict) -> float | None:
    """The claim's value as the manifest reproduces it, on the claim's printed scale; None if not computable."""
    if "key" in claim:
        value = results.get(claim["key"])
        return None if value is None else float(value) * claim.get("scale", 1)
    if "ratio" in claim:
        n, total = (results.get(k) for k in claim["ratio"])
        return None if n is None or not total else 100.0 * n / total
    return None


def status(claim: dict, reproduced: float | None) -> str:
    """One of :data:`STATUSES` (conventions in the module docstring)."""
    if "reason" in claim:
        return "not computable"
    if reproduced is None:
        return "differs"
    unit = 10.0 ** -claim["decimals"]
    if claim.get("relation") == "<":
        return "reproduced" if reproduced < claim["reported"] else "differs"
    diff = abs(reproduced - claim["reported"])
    if diff <= unit / 2 + 1e-9:
        return "reproduced"
    if diff <= TOLERANCE_UNITS * unit + 1e-9:
        return "within tolerance"
    return "differs"
