"""``make book``: compute, execute what is stale, render, and leave nothing from other data behind.

``python -m bookkit.build`` runs these steps and stops at the first failure, before touching the cache
or the site when the data are at fault:

1. **Results.** Load and validate the survey (``$IPOF_DATA`` or the twin) and compute, in one process
   with one shared memo, every option set the book shows (the paper's and the robustness panel's; see
   :mod:`bookkit.robustness`) into the results store, and the multiverse (every combination). A
   file that breaks the contract, or data too small for the paper's analysis, ends the build here with
   one message and exit status 2.
2. **Data switch.** When the survey's SHA-256 differs from the last build's, ``_build/html`` and the
   Sphinx environment are removed, so no page, image or download from the other data survives. When
   the code (:func:`code_hash`) changed, the Sphinx environment is removed, so Markdown pages that
   print results through the book's roles are read again too (:func:`reread_on_code_change`).
3. **Notebooks.** Each notebook has a fingerprint (:func:`fingerprint`: its code cells and parameters
   (:func:`notebook_code`; not its prose), the survey's SHA-256, the code of ``analysis`` and ``bookkit``
   and the lock, and data it names in :data:`EXTRA_INPUTS`). A notebook whose fingerprint changed loses
   its jupyter-cache record; the notebooks without a record are executed two at a time in worker
   processes, and this process alone writes their outputs to the cache (one writer: jupyter-cache's
   database is never written concurrently).
4. **Site.** ``jupyter-book build`` renders from the cache with warnings as errors.
5. **Prune.** Files in ``_build/html/_images`` and ``_downloads`` that no page references are removed.

Step 1 also computes the explorable site's data and figures (:mod:`bookkit.explore`, kept in the results
store), and step 4 copies them to ``_build/html/_static/explore`` before Sphinx writes the pages.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from analysis import paths
from analysis.store import engine_inputs, hash_files, write_json

BUILD = paths.ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
HTML = BUILD / "html"
DOCTREES = BUILD / ".doctrees"
FINGERPRINTS = "ipof-fingerprints.json"
DATA_STAMP = BUILD / "ipof-data.sha256"
CODE_STAMP = BUILD / "ipof-code.sha256"
SURVEY = "<survey>"

#: Inputs beyond the survey, the code and the requirements, per notebook docname.
EXTRA_INPUTS: dict[str, list[str]] = {
    "book/results/program-theory": ["data/cmo/cmo.yaml"],
    "book/audit": ["data/paper_claims.yaml"],
    "book/reproduction-report": ["data/paper_claims.yaml"],
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


def code_hash() -> str:
    """Content hash of everything the engine's results depend on (:func:`analysis.store.engine_inputs`),
    plus the ``bookkit`` modules and ``pyproject.toml`` (the disclosure thresholds)."""
    return hash_files(engine_inputs() + sorted((paths.ROOT / "bookkit").glob("*.py")) + [paths.ROOT / "pyproject.toml"])


def notebook_code(path: Path) -> bytes:
    """What a notebook's outputs depend on in its own file: the source and tags of its code cells (the
    ``parameters`` cell among them) and its kernel. Markdown cells, outputs and other metadata are left
    out, so editing a notebook's prose re-executes nothing (jupyter-cache, too, matches a notebook by its
    code cells, so the rendered page takes the edited prose with the cached outputs)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))

    def text(source) -> str:
        return "".join(source) if isinstance(source, list) else source

    cells = [[text(c["source"]), sorted(c.get("metadata", {}).get("tags", []))]
             for c in nb["cells"] if c["cell_type"] == "code"]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return json.dumps({"kernel": kernel, "code": cells}, sort_keys=True).encode()


def fingerprint(docname: str, survey_sha: str) -> str:
    """SHA-256 over a notebook's inputs (see the module docstring)."""
    parts = [f"code={code_hash()}", f"nb={_sha(notebook_code(paths.ROOT / f'{docname}.ipynb'))}"]
    if docname not in NO_SURVEY:
        parts.append(f"{SURVEY}={survey_sha}")
    for item in EXTRA_INPUTS.get(docname, []):
        path = paths.ROOT / item
        parts.append(f"{item}={_sha(path.read_bytes()) if path.exists() else 'missing'}")
    return _sha("\n".join(parts).encode())


def load_state(cache_path: Path = CACHE) -> dict[str, str]:
    path = Path(cache_path) / FINGERPRINTS
    return json.loads(path.read_text()) if path.exists() else {}


def invalidate_stale(survey_sha: str, cache_path: Path = CACHE) -> list[str]:
    """Drop the cache records of notebooks whose fingerprint changed; record the new fingerprints."""
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    old = load_state(cache_path)
    new = {doc: fingerprint(doc, survey_sha) for doc in notebooks()}
    stale = [doc for doc in new if old.get(doc) != new[doc]]
    for doc in stale:
        try:
            nb = nbformat.read(paths.ROOT / f"{doc}.ipynb", as_version=4)
            cache.remove_cache(cache.match_cache_notebook(nb).pk)
        except KeyError:
            pass  # never cached, or its code changed (jupyter-cache misses by itself)
    Path(cache_path).mkdir(parents=True, exist_ok=True)
    write_json(Path(cache_path) / FINGERPRINTS, new)
    return stale


def _execute(docname: str, timeout: int):
    """Worker: execute one notebook in its folder; return (docname, notebook, seconds, error text)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    path = paths.ROOT / f"{docname}.ipynb"
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), allow_errors=False, timeout=timeout, meta_override=True)
    err = None if result.err is None else f"{type(result.err).__name__}: {result.err}"
    return docname, nb, result.time, err


def execute_stale(survey_sha: str, cache_path: Path = CACHE, workers: int = 2, timeout: int = 600):
    """Invalidate, then execute every notebook without a cache record; cache the results here (one writer)."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    invalidate_stale(survey_sha, cache_path)
    cache = get_cache(str(cache_path))
    todo = []
    for doc in notebooks():
        try:
            cache.match_cache_notebook(nbformat.read(paths.ROOT / f"{doc}.ipynb", as_version=4))
        except KeyError:
            todo.append(doc)
    done = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for doc, nb, seconds, err in pool.map(_execute, todo, [timeout] * len(todo)):
            if err:
                raise RuntimeError(f"executing {doc}.ipynb failed: {err}")
            record = cache.add_nb_to_project(str(paths.ROOT / f"{doc}.ipynb"))
            cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            done.append((doc, seconds))
    return done


def switch_data(survey_sha: str) -> bool:
    """Remove the rendered site and Sphinx environment when the data changed since the last build."""
    previous = DATA_STAMP.read_text().strip() if DATA_STAMP.exists() else None
    if previous == survey_sha:
        return False
    for folder in (HTML, DOCTREES):
        shutil.rmtree(folder, ignore_errors=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    DATA_STAMP.write_text(survey_sha + "\n")
    return previous is not None


def reread_on_code_change(code: str) -> bool:
    """Remove the Sphinx environment when :func:`code_hash` changed since the last build.

    The notebooks re-executed for new code are re-read by Sphinx, but Markdown pages that print results
    through the book's roles and directives (``{result}``, ``{verdict}``, ``{data-notice}``) are not: their
    source did not change. Without their environment, every page is read again with the new code.
    """
    previous = CODE_STAMP.read_text().strip() if CODE_STAMP.exists() else None
    if previous == code:
        return False
    shutil.rmtree(DOCTREES, ignore_errors=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    CODE_STAMP.write_text(code + "\n")
    return previous is not None


_REF = re.compile(r"""(?:src|href|data|srcset)=["']([^"'#?]+)""")


def prune(html: Path = HTML) -> list[Path]:
    """Delete files under ``_images`` and ``_downloads`` that no HTML page references; return them."""
    referenced = set()
    for page in html.rglob("*.html"):
        for ref in _REF.findall(page.read_text(encoding="utf-8", errors="replace")):
            referenced.add((page.parent / ref).resolve())
    removed = []
    for folder in ("_images", "_downloads"):
        for path in sorted((html / folder).rglob("*")) if (html / folder).exists() else []:
            if path.is_file() and path.resolve() not in referenced:
                path.unlink()
                removed.append(path)
    return removed


def compute_results(data=None):
    """Step 1: every option set the book shows, computed into the store with one shared memo."""
    from analysis.multiverse import stored_multiverse
    from analysis.store import Session

    from . import explore, robustness

    session = Session(data)
    write_manifest(session.results())  # the paper's choices: must succeed (ContractError / AnalysisError otherwise)
    robustness.compute(session)
    stored_multiverse(session)
    explore.ensure(session, code_hash())  # the explorable site's data and figure variants (from the multiverse)
    return session


def write_manifest(results, path: Path | None = None) -> bool:
    """Write the results the pages read (``path``, default :data:`bookkit.directives.MANIFEST`: the paper's
    choices on the book's data), only when they changed, so that markdown pages are re-read exactly when
    their numbers change. The one writer of the manifest: the Sphinx extension only reads it."""
    from analysis.reproduce import jsonable

    from .directives import MANIFEST

    return write_json(path or MANIFEST, {k: jsonable(v) for k, v in results.values.items()})


def main(argv: list[str] | None = None) -> int:
    import argparse

    from analysis.errors import AnalysisError
    from analysis.loading import ContractError

    parser = argparse.ArgumentParser(prog="python -m bookkit.build", description=__doc__.split("\n\n")[0],
                                     allow_abbrev=False)
    parser.add_argument("--no-site", action="store_true", help="stop after executing the notebooks")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    try:
        session = compute_results()
    except (ContractError, AnalysisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"results: {session.path.name} (SHA-256 {session.sha[:12]}); parts computed: {session.computed}")
    if switch_data(session.sha):
        print("the survey changed since the last build: the site is rendered anew")
    if reread_on_code_change(code_hash()):
        print("the code changed since the last build: every page is read anew")
    try:
        done = execute_stale(session.sha)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"executed {len(done)} notebook(s)" + "".join(f"\n  {d}.ipynb: {s:.1f} s" for d, s in done))
    if args.no_site:
        return 0
    from .explore import cached_folder, install

    # _static/explore before Sphinx writes the pages: a page gets the choices panel only where the data
    # exist (bookkit.explore_markup.exported); Sphinx copies its own static files beside it
    install(cached_folder(session, code_hash()), HTML)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(paths.ROOT), "--warningiserror", "--nitpick",
           "--keep-going"]
    if subprocess.run(cmd, cwd=paths.ROOT).returncode != 0:
        return 1
    removed = prune()
    print(f"pruned {len(removed)} unreferenced file(s); built in {time.perf_counter() - start:.1f} s; "
          f"the book is at {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
