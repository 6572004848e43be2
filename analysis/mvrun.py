"""Running the specifications of a multiverse: one at a time through :func:`analysis.engine.run_analysis`,
in chunks by speed exclusion, serially in one memo, with joblib or on a Dask distributed cluster, and
collecting every results key of every specification as an Arrow table (see :mod:`analysis.multiverse`).
"""

from __future__ import annotations

import json

from . import conclusions
from .engine import Memo, run_analysis
from .errors import AnalysisError
from .loading import Survey
from .options import Options
from .reproduce import jsonable

#: Results kept for every specification besides the conclusions' keys.
EXTRA_KEYS: tuple[str, ...] = ("n_t1",)


def result_keys() -> tuple[str, ...]:
    """The results keys kept per specification: the conclusions' keys, then :data:`EXTRA_KEYS`."""
    return tuple(dict.fromkeys(conclusions.result_keys() + EXTRA_KEYS))


def run_specification(survey: Survey, options: Options, memo: Memo, keys=None, everything: list | None = None) -> dict:
    """One specification: ``{"options", "results", "not_estimable"}`` (results null when not estimable).
    ``everything``, a list, receives every results key of the specification (None when not estimable)."""
    keys = result_keys() if keys is None else keys
    record = {"options": jsonable_options(options), "results": None, "not_estimable": None}
    try:
        values = run_analysis(survey, options, memo).values
    except AnalysisError as exc:
        record["not_estimable"] = str(exc)
        if everything is not None:
            everything.append(None)
        return record
    record["results"] = {k: jsonable(values.get(k)) for k in keys}
    if everything is not None:
        everything.append(values)
    return record


def jsonable_options(options: Options) -> dict:
    """An option set as JSON values (``exclusion_minutes`` a float, ``yates`` a bool, ``tails`` an int)."""
    return {k: jsonable(v) for k, v in options.as_dict().items()}


def chunks(options: list[Options]) -> list[list[int]]:
    """The specifications (indices) split by speed exclusion, the order kept: the unit of parallel work.
    Every part depends on the exclusion, so a chunk shares nothing a memo could reuse with another."""
    groups: dict[float, list[int]] = {}
    for i, o in enumerate(options):
        groups.setdefault(o.exclusion_minutes, []).append(i)
    return list(groups.values())


#: Specifications per Arrow block (every results key of a block is held as Python values until it is one).
BLOCK = 2048


def _run_chunk(survey: Survey, options: list[Options], keys, columnar: bool, memo: Memo | None = None):
    """One chunk in ``memo`` (its own when None): the records, and (``columnar``) every results key as an
    Arrow table built block by block (:data:`BLOCK`)."""
    memo = memo or Memo(survey)
    records, tables = [], []
    for start in range(0, len(options), BLOCK):
        everything: list | None = [] if columnar else None
        block = [run_specification(survey, o, memo, keys, everything) for o in options[start:start + BLOCK]]
        records += block
        if columnar:
            tables.append(_arrow_table(block, everything))
    return records, (_concat(tables) if columnar else None)


def _arrow_table(records: list[dict], everything: list):
    """One row per specification: the options, ``not_estimable``, then every results key (sorted by name;
    a list, such as a model's warnings, as JSON text; NaN as null)."""
    import pyarrow as pa

    names = sorted({k for values in everything if values for k in values} - set(records[0]["options"]))
    columns: dict[str, list] = {k: [r["options"][k] for r in records] for k in records[0]["options"]}
    columns["not_estimable"] = pa.array([r["not_estimable"] for r in records], type=pa.string())
    for k in names:
        col = []
        for values in everything:
            v = None if values is None else jsonable(values.get(k))
            col.append(json.dumps(v) if isinstance(v, (list, dict)) else v)
        columns[k] = col
    return pa.table(columns)


def _execute(survey: Survey, options: list[Options], keys, memo: Memo | None, jobs: int, scheduler: str | None,
             columnar: bool):
    """Run the specifications chunk by chunk (:func:`chunks`): serially in ``memo`` (jobs 1, no scheduler),
    with joblib (``jobs`` processes, a memo per chunk), or on the Dask cluster at ``scheduler``; returns the
    records in specification order and the Arrow table (rows in the same order). The same blocks are built
    whichever way, so the table is the same."""
    import pyarrow as pa

    parts = chunks(options)
    work = [[options[i] for i in part] for part in parts]
    if scheduler is not None:
        from dask.distributed import Client

        with Client(scheduler) as client:
            futures = [client.submit(_run_chunk, survey, w, keys, columnar, pure=False) for w in work]
            done = client.gather(futures)
    elif jobs > 1:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=jobs)(delayed(_run_chunk)(survey, w, keys, columnar) for w in work)
    else:
        memo = memo or Memo(survey)
        done = [_run_chunk(survey, w, keys, columnar, memo) for w in work]
    records: list = [None] * len(options)
    for part, (recs, _) in zip(parts, done, strict=True):
        for i, rec in zip(part, recs, strict=True):
            records[i] = rec
    if not columnar:
        return records, None
    order = [i for part in parts for i in part]
    table = _concat([t for _, t in done])
    return records, _concat([table.take(pa.array(sorted(range(len(order)), key=order.__getitem__)))])


def _concat(tables):
    """Tables with the same columns as one, each column's type promoted (null to any), columns sorted as the
    first table's; a column an all-null chunk typed null takes the type of the others."""
    import pyarrow as pa

    names = []
    for t in tables:
        names += [n for n in t.column_names if n not in names]
    return pa.concat_tables(tables, promote_options="default").select(names).combine_chunks()


def parquet_bytes(table) -> bytes:
    """The Arrow table as Parquet bytes (pyarrow; fixed settings, so equal tables give equal bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=65536, write_statistics=False)
    return sink.getvalue().to_pybytes()
