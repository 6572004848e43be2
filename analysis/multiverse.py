"""The multiverse: every combination of the analytic choices, and how often each conclusion survives.

Method. A *multiverse analysis* (Steegen, Tuerlinckx, Gelman & Vanpaemel
2016, Perspectives on Psychological Science 11:702) runs the analysis under
every reasonable combination of the choices the data analyst had to make and
reports the whole set of results instead of one. A *specification curve*
(Simonsohn, Simmons & Nelson 2020, Nature Human Behaviour 4:1208) plots one
estimate across all those specifications, sorted, with the choices of each
shown beneath it. Here the choices are :data:`analysis.options.CHOICES`
(:data:`DIMENSIONS`; the full factorial of all of them, ``subset="full"``, is what
``python -m analysis multiverse`` runs). The book runs ``subset="conclusions"``
(:func:`conclusion_specifications`): for each conclusion, the full factorial of
the choices its rule can depend on (its distinct analyses), the other choices at
the paper's, which is every distinct analysis of every conclusion without the
copies. Each specification is one :class:`~analysis.options.Options`
run through the one computation path :func:`analysis.engine.run_analysis`,
and each of the paper's conclusions (:data:`analysis.conclusions.CONCLUSIONS`)
is judged by its own rule in every specification.

Conventions.

* One :class:`~analysis.engine.Memo` is shared by all specifications, so a
  part of the analysis is computed once per distinct value of the options it
  depends on (:data:`analysis.engine.DEPENDS_ON`): a growth model once per
  (exclusion, missing-data handling), not once per specification.
* A specification whose data are too small or degenerate for some part
  (:class:`~analysis.errors.AnalysisError`) is kept, with ``"not_estimable"``
  set to the error's message and ``"results"`` null; it is never dropped.
* A conclusion is *estimable* in a specification when the specification ran
  and the conclusion's rule could decide (True or False; a NaN estimate or P
  leaves it undecided). ``holds_in`` is the fraction of the estimable
  specifications in which the rule holds (null when none is estimable);
  ``n_specifications`` counts the estimable ones and ``n_not_estimable`` the
  rest, so the two add up to the number of specifications.
* ``paper_choice_holds`` is the rule's verdict under the paper's choices
  (``Options()``), null when not estimable.
* Each specification's record keeps the results keys a conclusion needs
  (:func:`analysis.conclusions.result_keys`) plus :data:`EXTRA_KEYS`, as JSON
  numbers with NaN as null (:func:`analysis.reproduce.jsonable`); the columnar
  file ``multiverse.parquet`` (:func:`write_multiverse`) keeps *every* results key
  of every specification, one row each, and ``multiverse.json`` the small summary.
* Parallel runs (``jobs`` > 1 through joblib, or ``scheduler``, a Dask
  distributed cluster) split the specifications into chunks by speed exclusion
  (:func:`chunks`), each run with its own memo; the output is the same bytes
  whatever the jobs or the scheduler (every part is deterministic, and the
  chunks are put back in specification order).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from . import conclusions
from .engine import DEPENDS_ON, Memo, file_sha256
from .loading import Survey
from .mvrun import (  # noqa: F401 (re-exported)
    EXTRA_KEYS,
    _execute,
    jsonable_options,
    parquet_bytes,
    result_keys,
    run_specification,
)
from .options import CHOICES, Options
from .reproduce import jsonable
from .store import Session, _write_atomic, engine_hash

#: The multiverse's dimensions and their levels (the paper's choice first; exclusion ascending).
DIMENSIONS: dict[str, tuple] = {
    "exclusion_minutes": tuple(sorted(CHOICES["exclusion_minutes"])),
    **{name: levels for name, levels in CHOICES.items() if name != "exclusion_minutes"},
}
#: The files :func:`write_multiverse` writes: the summary and every results key of every specification.
FILENAME = "multiverse.json"
PARQUET = "multiverse.parquet"
#: The levels of ``subset``: every combination, or every conclusion's distinct analyses.
SUBSETS = ("full", "conclusions")


def specifications(dimensions: dict[str, tuple] = DIMENSIONS) -> list[Options]:
    """Every combination of the levels of ``dimensions`` (full factorial, the first dimension slowest).

    Choices not named in ``dimensions`` stay at the paper's.
    """
    names = list(dimensions)
    return [Options(**dict(zip(names, combo, strict=False))) for combo in itertools.product(*dimensions.values())]


def conclusion_specifications(dimensions: dict[str, tuple] = DIMENSIONS) -> list[Options]:
    """Every conclusion's distinct analyses: per conclusion, the full factorial of the dimensions its part
    depends on (:data:`analysis.engine.DEPENDS_ON`), the other choices at the paper's; their union, without
    repeats, in the order of the full factorial."""
    names = list(dimensions)
    paper = Options().as_dict()
    seen: dict[tuple, Options] = {}
    for c in conclusions.CONCLUSIONS:
        varied = [n for n in names if n in DEPENDS_ON[c.part]]
        for combo in itertools.product(*(dimensions[n] for n in varied)):
            choice = dict(paper, **dict(zip(varied, combo, strict=True)))
            index = tuple(dimensions[n].index(choice[n]) if choice[n] in dimensions[n] else -1 for n in names)
            seen.setdefault(index, Options(**{n: choice[n] for n in names}))
    return [seen[k] for k in sorted(seen)]


def verdicts(specs: list[dict], conclusion: conclusions.Conclusion) -> list[bool | None]:
    """The rule of ``conclusion`` in every specification (None: not estimable there)."""
    return [None if s["results"] is None else conclusion.holds(s["results"]) for s in specs]


#: How close to :data:`analysis.conclusions.ALPHA` a P must be for an analysis to count as a knife-edge.
KNIFE_EDGE_BAND = 0.005


def distinct_analyses(conclusion: conclusions.Conclusion, specs: list[dict], dims: list[str]) -> dict:
    """The specifications of ``conclusion`` grouped into distinct analyses: one per combination of the
    choices its rule can depend on (``DEPENDS_ON[conclusion.part]``, in the order of ``dims``).

    Returns ``{choices tuple: the results of its first specification that could be run}`` (None when none
    could: a specification is not estimable as a whole when any part fails, even one the rule does not read).
    Raises ValueError if two specifications of one analysis disagree on what the rule reads (the
    declared dependency would then be wrong).
    """
    read = [d for d in dims if d in DEPENDS_ON[conclusion.part]]
    groups: dict[tuple, dict | None] = {}
    for s in specs:
        key = tuple(s["options"][d] for d in read)
        res, first = s["results"], groups.get(key)
        if first is None:
            groups[key] = res  # a specification that could not be run stands for its analysis only if none could
        elif res is not None and any(first.get(k) != res.get(k) for k in conclusion.reads):
            raise ValueError(f"{conclusion.id}: specifications of one analysis {dict(zip(read, key, strict=True))} "
                             f"differ in {conclusion.reads}; DEPENDS_ON[{conclusion.part!r}] misses a choice")
    return groups


def flips(conclusion: conclusions.Conclusion, groups: dict, read: list[str]) -> dict[str, dict]:
    """Per choice the conclusion reads: how many pairs of distinct analyses differ in that choice only, and
    in how many of them the verdict flips (both estimable, one holds and the other not)."""
    items = [(key, None if r is None else conclusion.holds(r)) for key, r in groups.items()]
    out = {}
    for i, name in enumerate(read):
        pairs = flipped = 0
        for a, (key_a, held_a) in enumerate(items):
            for key_b, held_b in items[a + 1:]:
                only_i = key_a[i] != key_b[i] and all(
                    x == y for j, (x, y) in enumerate(zip(key_a, key_b, strict=True)) if j != i)
                if only_i and held_a is not None and held_b is not None:
                    pairs += 1
                    flipped += held_a != held_b
        out[name] = {"pairs": pairs, "flips": flipped}
    return out


def summarise(conclusion: conclusions.Conclusion, specs: list[dict], paper: dict | None,
              dims: list[str] | None = None) -> dict:
    """One conclusion across the multiverse: its text, the paper's verdict, and how often it holds.

    ``paper`` is the paper-choice specification record (None when the multiverse does not hold it).
    Conventions: a *distinct analysis* is a combination of the choices the rule reads
    (:func:`distinct_analyses`); ``holds_in`` is the share of the estimable distinct analyses in which the
    rule holds (``holds_in_specifications`` the share of specifications, which counts copies);
    ``knife_edge`` counts the distinct analyses whose P is within :data:`KNIFE_EDGE_BAND` of alpha;
    ``inert`` lists the choices that flip the verdict in no pair of analyses differing in that choice
    alone (choices the rule does not read are inert by construction); ``flips`` gives, per choice read,
    the pairs and the flips (:func:`flips`).
    """
    dims = list(dims or (specs[0]["options"] if specs else []))
    decided = [v for v in verdicts(specs, conclusion) if v is not None]
    paper_results = paper["results"] if paper else None
    read = [d for d in dims if d in DEPENDS_ON[conclusion.part]]
    groups = distinct_analyses(conclusion, specs, dims)
    distinct = [conclusion.holds(r) for r in groups.values() if r is not None]
    distinct = [v for v in distinct if v is not None]
    ps = [r.get(conclusion.p) for r in groups.values() if r is not None and conclusion.holds(r) is not None]
    per_choice = flips(conclusion, groups, read)
    return {
        "id": conclusion.id,
        "key": conclusion.key,
        "rule": conclusion.rule,
        "claims": list(conclusion.claims),
        "paper_choice_holds": None if paper_results is None else conclusion.holds(paper_results),
        "holds_in": sum(distinct) / len(distinct) if distinct else None,
        "n_distinct": len(distinct),
        "reads_choices": read,
        "inert": [d for d in dims if d not in read or per_choice[d]["flips"] == 0],
        "knife_edge": sum(1 for p in ps if p is not None and abs(p - conclusions.ALPHA) < KNIFE_EDGE_BAND),
        "flips": per_choice,
        "holds_in_specifications": sum(decided) / len(decided) if decided else None,
        "n_specifications": len(decided),
        "n_not_estimable": len(specs) - len(decided),
    }


def _source(survey_or_session, memo: Memo | None) -> tuple[Survey, Memo, str]:
    if isinstance(survey_or_session, Session):
        memo = memo or survey_or_session.memo
        return memo.survey, memo, survey_or_session.sha
    if isinstance(survey_or_session, Survey):
        return survey_or_session, memo or Memo(survey_or_session), file_sha256(survey_or_session.path)
    raise TypeError(f"run_multiverse needs a Survey or a Session, not {type(survey_or_session).__name__}")


def run_multiverse(survey_or_session, dimensions: dict[str, tuple] = DIMENSIONS, memo: Memo | None = None,
                   subset: str = "full", jobs: int = 1, scheduler: str | None = None, columnar: bool = False,
                   permutations: int = 0, joint_jobs: int | None = None) -> dict:
    """Run the specifications of ``dimensions`` (``subset``: all of them, or every conclusion's distinct
    analyses, :func:`conclusion_specifications`) on a survey and judge every conclusion in each.

    ``survey_or_session`` is a loaded :class:`~analysis.loading.Survey` or a
    :class:`~analysis.store.Session` (its memo is then used, and its ``computed`` counts the parts).
    Nothing is written and the results store is not used. Returns the document
    :func:`write_multiverse` writes: ``dimensions``, ``subset``, ``specifications``, ``conclusions``,
    ``joint_tests`` (with ``permutations`` > 0, :mod:`analysis.jointtest`; ``joint_jobs`` processes for it,
    default ``jobs``), ``data_sha256``, ``engine``;
    with ``columnar`` also ``"table"``, every results key of every specification (Arrow).
    """
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, not {subset!r}")
    survey, memo, sha = _source(survey_or_session, memo)
    keys = result_keys()
    options = specifications(dimensions) if subset == "full" else conclusion_specifications(dimensions)
    specs, table = _execute(survey, options, keys, memo, jobs, scheduler, columnar)
    paper = jsonable_options(Options())
    paper_spec = next((s for s in specs if s["options"] == paper), None)
    doc = {
        "data_sha256": sha,
        "engine": engine_hash()[:12],
        "subset": subset,
        "dimensions": {name: [jsonable(v) for v in levels] for name, levels in dimensions.items()},
        "n_specifications": len(specs),
        "specifications": specs,
        "conclusions": [summarise(c, _slice(c, specs, subset, dimensions), paper_spec, list(dimensions))
                        for c in conclusions.CONCLUSIONS],
    }
    if permutations:
        from . import jointtest

        doc["joint_tests"] = jointtest.joint_tests(survey, dimensions, permutations, observed=specs,
                                                   jobs=joint_jobs or jobs, scheduler=scheduler)
    if columnar:
        doc["table"] = table
    return doc


def _slice(c: conclusions.Conclusion, specs: list[dict], subset: str, dimensions: dict) -> list[dict]:
    """The specifications that count for ``c``: all of them (full factorial), or (``subset="conclusions"``)
    those whose choices outside its part are the paper's, i.e. its own full factorial."""
    if subset == "full":
        return specs
    paper = jsonable_options(Options())
    fixed = [d for d in dimensions if d not in DEPENDS_ON[c.part]]
    return [s for s in specs if all(s["options"][d] == paper[d] for d in fixed)]


def multiverse_json(doc: dict) -> str:
    """The document as compact JSON text, keys in the document's order, one specification per line
    (so a diff of two runs shows which specifications changed); NaN is never written."""
    def dump(obj) -> str:
        return json.dumps(obj, allow_nan=False, separators=(",", ":"))

    parts = []
    for key, value in doc.items():
        if key == "specifications":
            value = "[\n" + ",\n".join(dump(s) for s in value) + "\n]"
        elif key == "conclusions":
            value = "[\n" + ",\n".join(dump(c) for c in value) + "\n]"
        else:
            value = dump(value)
        parts.append(f"{dump(key)}:{value}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def summary(doc: dict) -> dict:
    """The small ``multiverse.json``: the document without its specifications (they are in the Parquet file)
    and without the Arrow table."""
    return {k: v for k, v in doc.items() if k not in ("specifications", "table")}


def write_multiverse(data, out_dir: Path, dimensions: dict[str, tuple] = DIMENSIONS, subset: str = "full",
                     jobs: int = 1, scheduler: str | None = None, permutations: int = 0) -> dict:
    """Load and validate ``data`` (a path; None = $IPOF_DATA or the twin), run the multiverse, and write
    ``out_dir/multiverse.parquet`` (every results key of every specification) and ``out_dir/multiverse.json``
    (:func:`summary`) atomically (temporary file, then rename). Returns the document.

    Raises ContractError on a file that breaks the contract; nothing is written then.
    """
    session = Session(data, store=None)
    doc = run_multiverse(session, dimensions, subset=subset, jobs=jobs, scheduler=scheduler, columnar=True,
                         permutations=permutations)
    _write_atomic(Path(out_dir) / PARQUET, parquet_bytes(doc["table"]))
    _write_atomic(Path(out_dir) / FILENAME, multiverse_json(summary(doc)).encode("utf-8"))
    return doc


def read_multiverse(out_dir: Path) -> dict:
    """The document from ``multiverse.json`` and ``multiverse.parquet``: the summary with its
    ``specifications`` rebuilt from the Parquet file (options, ``not_estimable`` and the conclusions' keys,
    :func:`result_keys`, each as the JSON record would hold it)."""
    import pyarrow.parquet as pq

    doc = json.loads((Path(out_dir) / FILENAME).read_text(encoding="utf-8"))
    keys = result_keys()
    dims = list(doc["dimensions"])
    names = list(Options().as_dict())
    table = pq.read_table(Path(out_dir) / PARQUET, columns=[*names, "not_estimable", *keys])
    cols = table.to_pydict()
    specs = []
    for i in range(table.num_rows):
        res = None if cols["not_estimable"][i] is not None else {k: _plain(cols[k][i]) for k in keys}
        specs.append({"options": {k: cols[k][i] for k in names}, "results": res,
                      "not_estimable": cols["not_estimable"][i]})
    assert all(d in names for d in dims)
    doc["specifications"] = specs
    return doc


def _plain(v):
    return None if isinstance(v, float) and v != v else v


#: Permutations of the joint test the book runs (Simonsohn, Simmons & Nelson 2020 use 500), and the processes
#: the book's multiverse and joint test run in (the output is the same whatever the number).
BOOK_PERMUTATIONS = 500
BOOK_JOBS = 2


def stored_multiverse(session: Session, jobs: int | None = None) -> dict:
    """The book's multiverse of the session's survey (``subset="conclusions"``, the joint test with
    :data:`BOOK_PERMUTATIONS` permutations), from the results store (run and stored if missing).

    Kept beside the survey's stored results as ``multiverse-<engine>/`` (the Parquet file and the summary),
    keyed by the engine hash, so a prose edit recomputes nothing and a change of data or engine recomputes it.
    """
    folder = Path(session.store) / session.sha[:16] / f"multiverse-{engine_hash()[:12]}"
    if (folder / FILENAME).exists() and (folder / PARQUET).exists():
        return read_multiverse(folder)
    doc = run_multiverse(session, subset="conclusions", columnar=True, permutations=BOOK_PERMUTATIONS,
                         jobs=jobs or BOOK_JOBS, joint_jobs=BOOK_JOBS)
    _write_atomic(folder / PARQUET, parquet_bytes(doc["table"]))
    _write_atomic(folder / FILENAME, multiverse_json(summary(doc)).encode("utf-8"))
    return read_multiverse(folder)
