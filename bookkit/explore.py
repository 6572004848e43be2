"""The explorable paper's data (issue #22): every analysis of the multiverse, compact, for the page's script.

The build writes, under ``_build/html/_static/explore/`` (see ``/work/explore-interface.md``, the shared
interface with the page's script):

* ``explore.json``: the choices (:data:`analysis.options.CHOICES`, their levels, the paper's, descriptions),
  the parts (:data:`analysis.engine.DEPENDS_ON`), which part computes each results key
  (:func:`analysis.engine.key_parts`), the provenance values (``fixed``), each key's format spec
  (:func:`bookkit.fmt.spec`), the conclusions' rules and words (:func:`bookkit.verdicts.export`), the rules
  of the ``{words}`` role (:func:`bookkit.words.export`) and the figure variants (:data:`FIGURES`);
* ``part-<part>.json`` for every part that computes keys: the part's values for every combination of the
  levels of the choices it depends on (the other choices at the paper's), not a row per specification:
  ``{"depends_on": [...], "keys": [...], "rows": {"<combo>": [v, ...] | {"error": "<message>"}}}``;
* ``fig/<figure>/<combo>.svg`` and ``<combo>-narrow.svg``: each figure that depends on choices, drawn once
  per distinct input (combinations that draw the same figure share one file).

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
import hashlib
import itertools
import json
import math
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import disclosure, engine, kinds
from analysis.engine import DEPENDS_ON, FIXED_PART, OPTIONS_PART, Memo, Results
from analysis.errors import AnalysisError
from analysis.options import CHOICES, DESCRIPTIONS, PAPER, Options

#: Version of the files' layout (explore.json "version").
VERSION = 1
#: Where the files go inside the built site.
SITE_FOLDER = Path("_static") / "explore"
#: The file names.
INDEX = "explore.json"


# ----------------------------------------------------------------------------------------------------
# Levels and combinations


def level_text(value) -> str:
    """A choice's level as text, as JSON writes it and as the page's address carries it: a boolean
    ``"true"``/``"false"``; a number without ``.0`` when integral (``5.0`` -> ``"5"``), otherwise the
    shortest round-trip text (``0.2``; Python's ``repr(float)`` is JavaScript's ``String(number)``); a
    string bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"a level must be finite, not {value!r}")
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def parse_level(name: str, text: str):
    """The level of choice ``name`` that ``text`` names (inverse of :func:`level_text`; ``"10"`` and
    ``"10.0"`` name the same level). ``ValueError`` for a text that names no level of the choice (any number
    >= 0 for ``exclusion_minutes``, as :class:`~analysis.options.Options` takes)."""
    levels = CHOICES[name]
    if isinstance(levels[0], bool):
        if text in ("true", "false"):
            return text == "true"
    elif isinstance(levels[0], (int, float)):
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if name == "exclusion_minutes" and number >= 0:
            return number
        for level in levels:
            if number == level:
                return level
    elif text in levels:
        return text
    raise ValueError(f"{text!r} is not a level of {name} ({', '.join(level_text(v) for v in levels)})")


def json_level(value):
    """A level as a JSON value: an integral float as an integer (``5.0`` -> ``5``), others unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def combo_text(options: Options, depends_on) -> str:
    """The combination key of ``options`` for a part depending on ``depends_on`` (see the module docstring)."""
    return "|".join(level_text(getattr(options, name)) for name in depends_on)


def combo_options(combo: str, depends_on) -> Options:
    """The option set a combination key names: its choices, the others at the paper's."""
    texts = combo.split("|")
    if len(texts) != len(depends_on):
        raise ValueError(f"combination {combo!r} does not name {len(depends_on)} levels")
    return Options(**{name: parse_level(name, text) for name, text in zip(depends_on, texts, strict=True)})


def part_options(part: str) -> list[Options]:
    """Every combination of the levels (:data:`CHOICES`) of the choices ``part`` depends on, the other choices
    at the paper's; the first choice of ``DEPENDS_ON[part]`` varies slowest."""
    names = DEPENDS_ON[part]
    return [Options(**dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*(CHOICES[n] for n in names))]


def parts_with_keys() -> dict[str, list[str]]:
    """Each part that computes results keys -> its keys, sorted (the order of a row's values)."""
    out: dict[str, list[str]] = {}
    for key, part in sorted(engine.key_parts().items()):
        if part not in (OPTIONS_PART, FIXED_PART):
            out.setdefault(part, []).append(key)
    return {part: out[part] for part in DEPENDS_ON if part in out}


# ----------------------------------------------------------------------------------------------------
# Values


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def withheld(key: str, values: dict) -> str | None:
    """Why disclosure control withholds ``values[key]`` (a :data:`analysis.disclosure.REASONS` entry), or None.

    Withheld: a :class:`~analysis.disclosure.Withheld` value; a respondent count (kind ``count``) from 1 to
    ``min_cell - 1``; a percentage (kind ``percent``) of such a count or of a withheld one."""
    value = values.get(key)
    if isinstance(value, disclosure.Withheld):
        return value.reason
    kind = kinds.kind(key)
    if kind.respondents and not isinstance(value, bool) and disclosure.small(value):
        return "small_count"
    if kind.name == "percent" and kind.of is not None:
        of = values.get(kind.of)
        if isinstance(of, disclosure.Withheld) or (not isinstance(of, bool) and disclosure.small(of)):
            return "small_count"
    return None


def plain(value):
    """A value as JSON: NaN/None -> None, numpy scalars as Python ones, tuples as lists."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        value = value.item()
    if _missing(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def cell(key: str, values: dict):
    """What a file holds for ``values[key]``: ``{"withheld": reason}`` (:func:`withheld`) or :func:`plain`."""
    reason = withheld(key, values)
    return {"withheld": reason} if reason else plain(values.get(key))


def part_values(memo: Memo, options: Options, part: str) -> dict:
    """The values ``part`` computes under ``options`` (with the parts it reads), through ``memo``.

    The same parts, functions and memo keys as :func:`analysis.engine.run_analysis`, which runs every part and
    stops at the first that raises; this runs one part (and those it reads), so a part is exported even where
    another part fails. Raises :class:`AnalysisError` from this part or one it reads."""
    survey, o = memo.survey, options
    smp, sample_values, _ = memo.get("sample", o, lambda: engine.describe_sample(survey, o.exclusion_minutes))
    if part == "sample":
        return sample_values
    if part == "caseness":
        return memo.get("caseness", o, lambda: engine.caseness_part(smp, o.yates, o.caseness_cutoffs))[0]
    if part in ("growth", "equivalence"):
        growth_values = memo.get("growth", o, lambda: engine.growth_part(memo, smp, o))[0]
        if part == "growth":
            return growth_values
        return memo.get("equivalence", o, lambda: engine.equivalence_part(growth_values, sample_values, o.sesoi))
    if part == "reliability":
        return memo.get("reliability", o, lambda: engine.reliability_part(smp, o.scoring))[0]
    frame = memo.get("frame", o, lambda: engine.analysis_frame(smp, o.scoring))
    if part == "correlation_values":
        from analysis import multiplicity

        raw = memo.get("correlations", o, lambda: engine.correlations_part(frame, o.correlation))[0]
        return memo.get("correlation_values", o, lambda: multiplicity.correlation_values(raw, o.multiplicity))
    if part == "ttest_values":
        from analysis import ttests

        table = memo.get("ttests", o, lambda: ttests.ttest_tables(frame, grouping=o.grouping))[o.ttest]
        adjusted = None
        if o.adjust == "age_gender":
            adjusted = memo.get("ttest_adjusted", o, lambda: engine.adjusted_part(frame, o.grouping))
        return memo.get("ttest_values", o, lambda: engine.ttests_part(table, o.tails, adjusted, o.multiplicity))
    raise ValueError(f"part {part!r} computes no results keys")


class Stored:
    """Every results key of the stored multiverse's specifications (:func:`analysis.multiverse.stored_multiverse`),
    by option set: the build's own computation, reused. Empty when there is none (no store)."""

    def __init__(self, session=None):
        self.rows: dict[tuple, dict | None] = {}
        if session is None or session.store is None:
            return
        from analysis.multiverse import PARQUET
        from analysis.store import engine_hash

        path = Path(session.store) / session.sha[:16] / f"multiverse-{engine_hash()[:12]}" / PARQUET
        if not path.exists():
            return
        import pyarrow.parquet as pq

        names = list(PAPER.as_dict())
        notes = {k for k, v in kinds.declared().items() if v.name == "notes"}
        for row in pq.read_table(path).to_pylist():
            options = Options(**{n: row.pop(n) for n in names})
            if row.pop("not_estimable") is not None:
                self.rows[self._key(options)] = None
                continue
            self.rows[self._key(options)] = {
                k: (json.loads(v) if k in notes and isinstance(v, str) else (math.nan if v is None else v))
                for k, v in row.items()}

    @staticmethod
    def _key(options: Options) -> tuple:
        return tuple(options.as_dict().values())

    def get(self, options: Options) -> dict | None:
        """Every results key of ``options`` as the multiverse computed them (None: not stored, or not estimable)."""
        return self.rows.get(self._key(options))


def part_rows(part: str, memo: Memo, stored: Stored | None = None) -> dict[str, list | dict]:
    """The rows of ``part``'s file: for every combination of its choices (:func:`part_options`), the values of
    its keys (:func:`parts_with_keys` order) as :func:`cell` writes them, or ``{"error": message}``.

    Where the stored multiverse has the option set, its values are used; the equivalence tests at another
    ``sesoi`` are computed from the stored growth and sample values of the same analysis at the paper's
    (:func:`analysis.engine.equivalence_part`, as ``run_analysis`` does); anything else through ``memo``."""
    keys = parts_with_keys()[part]
    stored = stored or Stored()
    rows: dict[str, list | dict] = {}
    for options in part_options(part):
        values = stored.get(options)
        if values is None and part == "equivalence":
            base = stored.get(Options(**{**options.as_dict(), "sesoi": PAPER.sesoi}))
            if base is not None:
                values = engine.equivalence_part(base, base, options.sesoi)
        if values is None:
            try:
                values = part_values(memo, options, part)
            except AnalysisError as exc:
                rows[combo_text(options, DEPENDS_ON[part])] = {"error": str(exc)}
                continue
        rows[combo_text(options, DEPENDS_ON[part])] = [cell(k, values) for k in keys]
    return rows


# ----------------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class ExploreFigure:
    """A figure that depends on choices: ``name`` is its glue key in its notebook (the page's
    ``data-figure``), ``part`` the :data:`DEPENDS_ON` part whose choices it follows, ``inputs`` what it is
    drawn from under an option set (from a :class:`Context`) and ``draw(inputs, width)`` the figure."""

    name: str
    part: str
    inputs: Callable
    draw: Callable


class Context:
    """What figures are drawn from: ``run_analysis`` results (in one memo; choices outside the figure's part
    at the paper's, so the parts they need are mostly already computed) and the exported part values."""

    def __init__(self, memo: Memo, stored: Stored):
        self.memo, self.stored = memo, stored

    def results(self, options: Options) -> Results:
        return engine.run_analysis(self.memo.survey, options, self.memo)

    def values(self, part: str, options: Options) -> dict:
        """The raw values of ``part`` under ``options`` (stored multiverse first, as :func:`part_rows`)."""
        found = self.stored.get(options)
        return found if found is not None else part_values(self.memo, options, part)


def _sample_inputs(ctx: Context, o: Options):
    res = ctx.results(Options(exclusion_minutes=o.exclusion_minutes))
    return disclosure.protect_tables(res.tables, res.values["n_t1"])["sample_description"]


def _caseness_inputs(ctx: Context, o: Options):
    v = ctx.values("caseness", o)
    return tuple(int(v[k]) for k in ("caseness_n_cases", "caseness_n_not_cases", "caseness_nhs_n_cases",
                                     "caseness_nhs_n_not_cases"))


def _growth_inputs(ctx: Context, o: Options):
    from .pagetables import growth_panels

    means = ctx.results(Options(exclusion_minutes=o.exclusion_minutes)).tables["wave_means"]
    return growth_panels(Results(values=ctx.values("growth", o), tables={"wave_means": means}))


def _heatmap_inputs(ctx: Context, o: Options):
    from analysis import correlations

    raw = ctx.results(o).tables["correlations"]
    small_n = raw["n"] < disclosure.settings()["min_group"]
    return correlations.correlation_matrix(raw.assign(r=raw["r"].where(~small_n))), o.correlation


def _draw(name: str):
    def draw(inputs, width):
        from . import figures

        if name == "fig_sample":
            return figures.sample_description_figure(inputs, width=width)
        if name == "fig_caseness":
            return figures.caseness_figure(*inputs, width=width)
        if name == "fig_growth":
            return figures.growth_figure(inputs, width=width)
        matrix, method = inputs
        return figures.correlation_heatmap(matrix, width=width, coefficient=method)

    return draw


#: The figures that follow the choices, as their notebooks draw them (participants, caseness, growth,
#: Appendix 8), by glue key.
FIGURES: dict[str, ExploreFigure] = {f.name: f for f in (
    ExploreFigure("fig_sample", "sample", _sample_inputs, _draw("fig_sample")),
    ExploreFigure("fig_caseness", "caseness", _caseness_inputs, _draw("fig_caseness")),
    ExploreFigure("fig_growth", "growth", _growth_inputs, _draw("fig_growth")),
    ExploreFigure("fig_heatmap", "correlations", _heatmap_inputs, _draw("fig_heatmap")),
)}


def _digest(obj) -> str:
    return hashlib.sha256(pickle.dumps(obj, protocol=4)).hexdigest()


#: The drawings of each figure: (name in explore.json, width in inches, file-name suffix).
VARIANTS = (("wide", "WIDTH_IN", ""), ("narrow", "NARROW_IN", "-narrow"))  # widths: bookkit.figures


def render_figures(ctx: Context, folder: Path) -> dict:
    """Draw every :data:`FIGURES` entry for every combination of its part's choices into ``folder/fig/``
    (SVG, text kept as text: :func:`bookkit.figures.figure_svg` with ``text="text"``), wide and narrow;
    combinations with the same inputs share the files (named by the first such combination). Returns
    explore.json's ``"figures"``; a combination whose inputs cannot be computed (AnalysisError) is left out."""
    from . import figures

    out = {}
    for fig in FIGURES.values():
        names = DEPENDS_ON[fig.part]
        drawn: dict[str, dict] = {}
        files = {}
        for options in part_options(fig.part):
            combo = combo_text(options, names)
            try:
                inputs = fig.inputs(ctx, options)
            except AnalysisError:
                continue
            digest = _digest(inputs)
            if digest not in drawn:
                entry = {}
                for variant, width, suffix in VARIANTS:
                    rel = f"fig/{fig.name}/{combo}{suffix}.svg"
                    path = folder / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    drawing = fig.draw(inputs, getattr(figures, width))
                    path.write_text(figures.figure_svg(drawing, text="text"), encoding="utf-8")
                    entry[variant] = rel
                drawn[digest] = entry
            files[combo] = drawn[digest]
        out[fig.name] = {"part": fig.part, "depends_on": list(names), "files": files}
    return out


# ----------------------------------------------------------------------------------------------------
# The files


def choices_json() -> list[dict]:
    """explore.json's ``"choices"``: one entry per :data:`CHOICES` entry, in its order."""
    out = []
    for name, levels in CHOICES.items():
        paper = getattr(PAPER, name)
        if name == "exclusion_minutes":
            labels = {level_text(v): f"{v:g} minutes" for v in levels}
        elif isinstance(paper, bool):
            labels = {level_text(v): "yes" if v else "no" for v in levels}
        else:
            labels = {level_text(v): level_text(v) for v in levels}
        out.append({"name": name, "levels": [json_level(v) for v in levels], "paper": json_level(paper),
                    "description": DESCRIPTIONS[name], "labels": labels})
    return out


def index_json(fixed: dict, figures: dict) -> dict:
    """explore.json (see the module docstring); ``fixed`` the provenance values, ``figures`` from
    :func:`render_figures`."""
    from analysis.conclusions import ALPHA

    from . import fmt, verdicts, words

    key_parts = engine.key_parts()
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
    }
    return doc


def _dump(obj) -> str:
    """Compact JSON (no spaces; NaN is an error), the files' one format."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def write(memo: Memo, folder: Path, stored: Stored | None = None, figures: bool = True) -> dict:
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
        paper = engine.run_analysis(memo.survey, PAPER, memo).values
        figs = render_figures(Context(memo, stored), tmp) if figures else {}
        index = index_json(paper, figs)
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


def cached_folder(session) -> Path:
    """Where the survey's explore folder is kept: beside its stored results, keyed by the code
    (:func:`bookkit.build.code_hash`: the engine, ``bookkit``, the lock and the disclosure thresholds)."""
    from analysis.store import STORE

    from .build import code_hash

    return Path(session.store or STORE) / session.sha[:16] / f"explore-{code_hash()[:12]}"


def ensure(session) -> Path:
    """The session's explore folder (:func:`cached_folder`), computed and written if missing."""
    folder = cached_folder(session)
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
