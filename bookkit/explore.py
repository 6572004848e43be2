"""The explorable paper's data (issue #22): every analysis of the multiverse, compact, for the page's script.

The build writes, under ``_build/html/_static/explore/`` (the interface with the page's script,
``book/_static/ipof-explore.js``, which this docstring defines):

* ``explore.json``: the choices (:data:`analysis.options.CHOICES`, their levels, the paper's, descriptions),
  the parts (:data:`analysis.engine.DEPENDS_ON`), which part computes each results key
  (:func:`analysis.parts.key_parts`), the provenance values (``fixed``), each key's format spec
  (:func:`bookkit.fmt.spec`), the conclusions' rules and words (:func:`bookkit.verdicts.export`), the rules
  of the ``{words}`` role (:func:`bookkit.words.export`), the figure variants (:data:`FIGURES`) and the
  tables (:data:`TABLES`: ``"tables": {name: {"part", "depends_on", "file"}}``);
* ``part-<part>.json`` for every part that computes keys: the part's values for every combination of the
  levels of the choices it depends on (the other choices at the paper's), not a row per specification:
  ``{"depends_on": [...], "keys": [...], "rows": {"<combo>": [v, ...] | {"error": "<message>"}}}``;
* ``fig/<figure>/<combo>.svg`` and ``<combo>-narrow.svg``: each figure that depends on choices, drawn once
  per distinct input (combinations that draw the same figure share one file);
* ``table-<name>.json``: each computed table's body cells (HTML) for every combination of the choices it
  depends on (:mod:`bookkit.explore_tables`).

Conventions.

* ``<combo>`` is ``"|".join(level_text(v))`` over the part's choices in ``DEPENDS_ON`` order; :func:`level_text`
  writes a level as JSON does (``5.0`` -> ``"5"``, ``0.2`` -> ``"0.2"``, ``True`` -> ``"true"``, strings bare),
  the same text as the page's address (``?exclusion_minutes=10``); :func:`parse_level` reads it back.
* A value is a JSON number, string, boolean or list; NaN and None are ``null``. Disclosure control
  (:mod:`analysis.disclosure`) holds in every analysis: a respondent count from 1 to ``min_cell - 1``, a
  percentage of such a count and a :class:`~analysis.disclosure.Withheld` value are written as
  ``{"withheld": "<reason>"}``, never as the number (:func:`cell`).
* A part whose data are too small or degenerate for a combination (:class:`~analysis.errors.AnalysisError`)
  has ``{"error": "<message>"}`` for it, and the other parts keep their values.
* The values come from the results the build already computed (:func:`part_rows`): the stored multiverse
  (every results key of each conclusion's distinct analyses; the union covers every combination of every
  part's choices except the equivalence tests at a ``sesoi`` other than the paper's, which are computed from
  the stored growth values), then one :class:`~analysis.engine.Memo` for whatever is left. The folder is
  kept in the results store, keyed by the survey's SHA-256 and the code (:func:`cached_folder`), so a
  rebuild without changes recomputes nothing.
* Files are written into a temporary folder and moved into place whole (:func:`write`, :func:`install`):
  nothing half-written is left on an error.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

from analysis import disclosure, parts
from analysis.engine import DEPENDS_ON, Memo, run_analysis
from analysis.options import CHOICES, DESCRIPTIONS, PAPER

from .explore_figures import FIGURES, Context, render_figures  # noqa: F401 (the module's interface)
from .explore_rows import (  # noqa: F401 (the module's interface)
    FIXED_PART,
    Stored,
    cell,
    combo_options,
    combo_text,
    json_level,
    level_text,
    parse_level,
    part_options,
    part_rows,
    part_values,
    parts_with_keys,
    plain,
    withheld,
)
from .explore_tables import TABLES, render_tables  # noqa: F401 (the module's interface)
from .fmt import typeset

#: Version of the files' layout (explore.json "version").
VERSION = 1
#: Where the files go inside the built site.
SITE_FOLDER = Path("_static") / "explore"
#: The file names.
INDEX = "explore.json"


# ----------------------------------------------------------------------------------------------------
# The files


def choices_json() -> list[dict]:
    """explore.json's ``"choices"``: one entry per :data:`CHOICES` entry, in its order, with its title and
    the words of each level from :mod:`bookkit.labels` (the words the specification curves use)."""
    from . import labels as words_of

    out = []
    for name, levels in CHOICES.items():
        paper = getattr(PAPER, name)
        out.append({"name": name, "title": words_of.choice(name), "levels": [json_level(v) for v in levels],
                    "paper": json_level(paper), "description": typeset(DESCRIPTIONS[name]),
                    "labels": {level_text(v): words_of.level(name, v) for v in levels}})
    return out


def index_json(fixed: dict, figures: dict, tables: dict | None = None) -> dict:
    """explore.json (see the module docstring); ``fixed`` the provenance values, ``figures`` from
    :func:`render_figures`, ``tables`` from :func:`render_tables`."""
    from analysis.conclusions import ALPHA

    from . import fmt, verdicts, words

    key_parts = parts.key_parts()
    doc = {
        "version": VERSION, "alpha": ALPHA, "min_cell": disclosure.settings()["min_cell"],
        "minus": fmt.MINUS, "suppressed": fmt.SUPPRESSED,
        "choices": choices_json(),
        "parts": {part: {"depends_on": list(DEPENDS_ON[part]),
                         **({"file": f"part-{part}.json"} if part in parts_with_keys() else {})}
                  for part in DEPENDS_ON},
        "keys": dict(sorted(key_parts.items())),
        "fixed": {k: plain(fixed.get(k)) for k, part in sorted(key_parts.items()) if part == FIXED_PART},
        "format": {k: fmt.spec(k) for k in sorted(key_parts)},
        "conclusions": verdicts.export(),
        "words": words.export(),
        "figures": figures,
        "tables": tables or {},
    }
    return doc


def _dump(obj) -> str:
    """Compact JSON (no spaces; NaN is an error), the files' one format."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def write(memo: Memo, folder: Path, stored: Stored | None = None, figures: bool = True,
          tables: bool = True) -> dict:
    """Compute and write the whole explore folder to ``folder`` (replaced whole: written into a temporary
    folder beside it, then moved). Returns explore.json's document."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stored = stored or Stored()
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-explore-", dir=folder.parent))
    try:
        for part, keys in parts_with_keys().items():
            doc = {"depends_on": list(DEPENDS_ON[part]), "keys": keys, "rows": part_rows(part, memo, stored)}
            (tmp / f"part-{part}.json").write_text(_dump(doc), encoding="utf-8")
        paper = run_analysis(memo.survey, PAPER, memo).values
        context = Context(memo, stored)
        figs = render_figures(context, tmp) if figures else {}
        tabs = render_tables(context.results, tmp, _dump) if tables else {}
        index = index_json(paper, figs, tabs)
        (tmp / INDEX).write_text(_dump(index), encoding="utf-8")
        _replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return index


def _replace(new: Path, folder: Path) -> None:
    """Move the finished folder ``new`` to ``folder``, replacing what was there (old one removed after)."""
    os.chmod(new, 0o755)
    old = None
    if folder.exists():
        old = folder.with_name(f".old-{folder.name}-{os.getpid()}")
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def cached_folder(session, code: str) -> Path:
    """Where the survey's explore folder is kept: beside its stored results, keyed by ``code`` (the build's
    :func:`bookkit.build.code_hash`: the engine, ``bookkit``, the lock and the disclosure thresholds)."""
    from analysis.store import STORE

    return Path(session.store or STORE) / session.sha[:16] / f"explore-{code[:12]}"


def ensure(session, code: str) -> Path:
    """The session's explore folder (:func:`cached_folder`), computed and written if missing."""
    folder = cached_folder(session, code)
    if not (folder / INDEX).exists():
        write(session.memo, folder, Stored(session))
    return folder


def install(source: Path, html: Path) -> Path:
    """Copy the explore folder ``source`` into the built site (``html/_static/explore``), replacing the
    previous one whole (copied beside it first, then moved)."""
    target = Path(html) / SITE_FOLDER
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-explore-", dir=target.parent))
    try:
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def sizes(folder: Path) -> dict[str, int]:
    """Bytes of the explore folder: ``data`` (the JSON files) and ``figures`` (the SVGs), each raw and
    gzip-compressed (level 9, file by file, as a server compresses them), and the totals."""
    out = {"data_bytes": 0, "data_gzip": 0, "figures_bytes": 0, "figures_gzip": 0, "files": 0}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            kind = "figures" if path.suffix == ".svg" else "data"
            out[f"{kind}_bytes"] += len(data)
            out[f"{kind}_gzip"] += len(gzip.compress(data, 9, mtime=0))
            out["files"] += 1
    out["total_bytes"] = out["data_bytes"] + out["figures_bytes"]
    out["total_gzip"] = out["data_gzip"] + out["figures_gzip"]
    return out
