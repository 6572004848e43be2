"""The explorable site's rows (:mod:`bookkit.explore`): the levels of the choices as text, the combinations of a
part's choices, and each part's values in every combination, disclosure-controlled, from the stored multiverse
and one memo (conventions in :mod:`bookkit.explore`'s docstring)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

from analysis import disclosure, engine, kinds, parts
from analysis.engine import DEPENDS_ON, Memo
from analysis.errors import AnalysisError
from analysis.options import CHOICES, PAPER, Options
from analysis.parts import FIXED_PART, OPTIONS_PART

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
    for key, part in sorted(parts.key_parts().items()):
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
