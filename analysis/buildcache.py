"""Data-aware execution of the book's notebooks on top of jupyter-cache.

myst-nb's cache (``execute_notebooks: cache``) re-executes a notebook only when
its code cells change. This module adds the other inputs a notebook reads, so a
notebook re-executes exactly when one of these changes:

* its own source (code or parameters);
* the survey file it reads (content hash of ``$IPOF_DATA`` or the synthetic twin);
* the ``analysis`` package (content hash of its modules), the survey codebook and ``requirements.txt``;
* the data files named for it in :data:`EXTRA_INPUTS` (CMO data, the claims ledger, the chapters a
  robustness run re-executes).

Each notebook's fingerprint (a SHA-256 over those inputs) is stored beside the cache. Before a build,
:func:`invalidate_stale` drops the cache record of every notebook whose fingerprint changed, so myst-nb
executes it again; the book's Sphinx extension marks the same documents, and the pages that paste their
numbers, as outdated. :func:`execute_stale` optionally pre-executes the stale notebooks in parallel
(``make book`` does), storing results in the same cache that myst-nb reads.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from . import paths

CACHE = paths.ROOT / "_build" / ".jupyter_cache"
FINGERPRINTS = "ipof-fingerprints.json"
SURVEY = "<survey>"

#: Inputs beyond the survey, the package and the requirements, per notebook docname.
EXTRA_INPUTS: dict[str, list[str]] = {
    "book/results/program-theory": ["data/cmo/cmo.yaml"],
    "book/audit": ["data/paper_claims.yaml"],
    "book/reproduction-report": ["data/paper_claims.yaml", SURVEY],
    "book/robustness": [SURVEY, "book/results/caseness.ipynb", "book/results/growth.ipynb",
                        "book/appendices/appendix-9-ttests.ipynb"],
}
#: Notebooks that do not read the survey.
NO_SURVEY = {"book/results/program-theory", "book/audit"}


def notebooks() -> list[str]:
    """Docnames of the notebooks in the table of contents, in order."""
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [d for d in docs if (paths.ROOT / f"{d}.ipynb").exists()]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_hash() -> str:
    """Content hash of the analysis package's modules, the survey codebook and the pinned requirements."""
    digest = hashlib.sha256()
    for path in sorted((paths.ROOT / "analysis").glob("*.py")) + [paths.DATA / "codebook.yaml",
                                                                 paths.ROOT / "requirements.txt"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs(docname: str) -> list[str]:
    """The inputs (repository-relative paths, or <survey>) that a notebook's fingerprint covers."""
    extra = EXTRA_INPUTS.get(docname, [])
    base = [f"{docname}.ipynb"] + ([] if docname in NO_SURVEY or SURVEY in extra else [SURVEY])
    return base + extra


def fingerprint(docname: str, survey: Path | None = None) -> str:
    """SHA-256 over a notebook's inputs (see the module docstring)."""
    survey = Path(survey) if survey else paths.survey_file()
    parts = [f"package={package_hash()}"]
    for item in inputs(docname):
        path = survey if item == SURVEY else paths.ROOT / item
        parts.append(f"{item}={_sha(path.read_bytes()) if path.exists() else 'missing'}")
    return _sha("\n".join(parts).encode())


def _state_path(cache_path: Path) -> Path:
    return Path(cache_path) / FINGERPRINTS


def load_state(cache_path: Path = CACHE) -> dict[str, str]:
    path = _state_path(cache_path)
    return json.loads(path.read_text()) if path.exists() else {}


def invalidate_stale(cache_path: Path = CACHE) -> list[str]:
    """Drop the cache records of notebooks whose fingerprint changed; record the new fingerprints.

    Returns the docnames whose outputs must be recomputed.
    """
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    old = load_state(cache_path)
    new = {doc: fingerprint(doc) for doc in notebooks()}
    stale = [doc for doc in new if old.get(doc) != new[doc]]
    for doc in stale:
        nb = nbformat.read(paths.ROOT / f"{doc}.ipynb", as_version=4)
        try:
            cache.remove_cache(cache.match_cache_notebook(nb).pk)
        except KeyError:
            pass  # never cached, or code changed (jupyter-cache misses by itself)
    _state_path(cache_path).parent.mkdir(parents=True, exist_ok=True)
    _state_path(cache_path).write_text(json.dumps(new, indent=1, sort_keys=True))
    return stale


def _execute_one(cache_path: Path, docname: str, timeout: int) -> tuple[str, float, str | None]:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    path = paths.ROOT / f"{docname}.ipynb"
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), allow_errors=False, timeout=timeout, meta_override=True)
    if result.err is not None:
        return docname, result.time, f"{result.err.__class__.__name__}: {result.err}"
    cache = get_cache(str(cache_path))
    record = cache.add_nb_to_project(str(path))
    cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": result.time}),
                                check_validity=False, overwrite=True)
    return docname, result.time, None


def execute_stale(cache_path: Path = CACHE, workers: int = 2, timeout: int = 600) -> list[tuple[str, float]]:
    """Invalidate, then execute every notebook without a cache hit, ``workers`` at a time."""
    import nbformat
    from jupyter_cache import get_cache

    invalidate_stale(cache_path)
    cache = get_cache(str(cache_path))
    todo = []
    for doc in notebooks():
        try:
            cache.match_cache_notebook(nbformat.read(paths.ROOT / f"{doc}.ipynb", as_version=4))
        except KeyError:
            todo.append(doc)
    done = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        if "book/robustness" in todo:
            # the panel's papermill variants are jobs of their own, so both workers share them;
            # the panel notebook itself then only reads their results
            from . import robustness

            runs = [(nb, {**robustness.BASELINE, **params}) for nb, params in robustness.RUNS.values()]
            for (nb, params), seconds in zip(runs, pool.map(lambda r: _timed(robustness.variant, *r), runs)):
                done.append((f"variant {Path(nb).stem} {params}", seconds))
            todo.sort(key=lambda d: d == "book/robustness")
        for doc, seconds, err in pool.map(lambda d: _execute_one(cache_path, d, timeout), todo):
            if err:
                raise RuntimeError(f"executing {doc}.ipynb failed: {err}")
            done.append((doc, seconds))
    return done


def _timed(fn, *args) -> float:
    import time

    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["execute"]:
        print("usage: python -m analysis.buildcache execute", file=sys.stderr)
        return 2
    from .loading import ContractError, load_survey

    try:
        load_survey(paths.survey_file())  # refuse bad data before touching the cache or the site
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        done = execute_stale()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"executed {len(done)} notebook(s)" + "".join(f"\n  {d}.ipynb: {s:.1f} s" for d, s in done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
