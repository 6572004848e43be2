"""The survey codebook (``data/codebook.yaml``), loaded and checked.

One file defines every column the book reads (type, allowed values or range, wording and its
source, response scale, subscale, reversal), the waves, the cross-column rules and the derived
scores. :mod:`analysis.contract` derives all its constants from it, so validation
(:mod:`analysis.loading`), the scale scores and the book's Appendix 2 read one source.

A malformed codebook raises :class:`CodebookError` (a ``ValueError``) whose message names the
file and the entry, e.g. ``data/codebook.yaml: columns[1] (forum): type must be one of ...``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from . import paths
from .codebook_model import (  # noqa: F401  (the data model, re-exported: the book uses it from here)
    Codebook,
    CodebookError,
    Column,
    Derived,
    ResponseScale,
    Rule,
    Wave,
)

CODEBOOK = paths.DATA / "codebook.yaml"
TYPES = ("text", "category", "number", "integer", "binary")
DERIVED_KINDS = ("exclusion", "subscale_mean", "clinical_sum", "caseness", "agreement")
SECTIONS = ("sources", "response_scales", "waves", "columns", "wave_items", "rules", "derived")
_COLUMN_KEYS = {
    "name",
    "type",
    "allowed",
    "range",
    "scale",
    "subscale",
    "reversal",
    "wording",
    "wording_source",
    "required",
    "unique",
}
_REVERSAL = re.compile(r"^\s*(\d+)\s*-\s*x\s*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _err(path, where: str, problem: str) -> CodebookError:
    return CodebookError(f"{path}: {where}: {problem}")


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x) -> bool:
    return _is_int(x) or isinstance(x, float)


def _text(entry: dict, key: str, path, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _err(path, where, f"{key} must be a non-empty text")
    return value.strip()


def _source(entry: dict, key: str, sources: dict, path, where: str) -> str:
    if entry.get(key) not in sources:
        raise _err(path, where, f"{key} {entry.get(key)!r} is not one of sources: {', '.join(sources)}")
    return entry[key]


def _mapping(value, path, where: str) -> dict:
    if not isinstance(value, dict):
        raise _err(path, where, f"must be a mapping, got {type(value).__name__}")
    return value


def _entries(doc: dict, section: str, path) -> list[dict]:
    value = doc.get(section)
    if not isinstance(value, list) or (not value and section not in ("rules", "wave_items")):
        raise _err(path, section, "must be a non-empty list")
    return [_mapping(e, path, f"{section}[{i}]") for i, e in enumerate(value)]


def _range(entry: dict, path, where: str, ints: bool) -> tuple:
    rng = entry.get("range")
    ok = isinstance(rng, list) and len(rng) == 2 and _is_num(rng[0]) and (rng[1] is None or _is_num(rng[1]))
    if ok and ints:
        ok = _is_int(rng[0]) and _is_int(rng[1]) and rng[0] <= rng[1]
    if not ok:
        kind = "[low, high] with whole numbers low <= high" if ints else "[low, high] (high may be null)"
        raise _err(path, where, f"range must be {kind}, got {rng!r}")
    return rng[0], rng[1]


def _scales(doc: dict, sources: dict, path) -> dict[str, ResponseScale]:
    out = {}
    for name, entry in _mapping(doc.get("response_scales"), path, "response_scales").items():
        where = f"response_scales.{name}"
        entry = _mapping(entry, path, where)
        low, high = _range(entry, path, where, ints=True)
        labels = _mapping(entry.get("labels", {}), path, f"{where}.labels")
        bad = [k for k in labels if not _is_int(k) or not low <= k <= high or not isinstance(labels[k], str)]
        if bad:
            raise _err(path, where, f"labels must map values {low}..{high} to text; bad keys {bad}")
        out[name] = ResponseScale(
            name,
            low,
            high,
            dict(labels),
            _text(entry, "text", path, where),
            _source(entry, "source", sources, path, where),
        )
    return out


def _column(entry: dict, where: str, path, sources: dict, scales: dict) -> Column:
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _err(path, where, f"name must be a column name (letters, digits, _), got {name!r}")
    where = f"{where} ({name})"
    unknown = sorted(set(entry) - _COLUMN_KEYS)
    if unknown:
        raise _err(path, where, f"unknown key(s) {unknown}; allowed: {sorted(_COLUMN_KEYS)}")
    kind = entry.get("type")
    if kind not in TYPES:
        raise _err(path, where, f"type must be one of {', '.join(TYPES)}, got {kind!r}")
    kw = dict(
        name=name,
        type=kind,
        wording=_text(entry, "wording", path, where),
        wording_source=_source(entry, "wording_source", sources, path, where),
    )
    if kind == "text":
        if entry.get("required") is not True or entry.get("unique") is not True:
            raise _err(path, where, "a text column is the respondent id: give it required: true and unique: true")
        kw.update(required=True, unique=True)
    elif kind == "category":
        allowed = entry.get("allowed")
        if (
            not isinstance(allowed, list)
            or not allowed
            or len(set(map(str, allowed))) != len(allowed)
            or not all(isinstance(a, str) and a.strip() for a in allowed)
        ):
            raise _err(
                path, where, f"allowed must be a non-empty list of distinct texts (quote numbers), got {allowed!r}"
            )
        kw["allowed"] = tuple(allowed)
    elif kind == "number":
        low, high = _range(entry, path, where, ints=False)
        if high is not None:
            raise _err(path, where, "a number column takes a lower bound only: range [low, null]")
        kw["low"] = low
    else:
        low, high = _range(entry, path, where, ints=True)
        if kind == "binary" and (low, high) != (0, 1):
            raise _err(path, where, f"a binary column has range [0, 1], got [{low}, {high}]")
        kw.update(low=low, high=high)
    scale = entry.get("scale")
    if scale is not None or kind == "integer":
        if kind not in ("integer", "binary") or scale not in scales:
            raise _err(
                path,
                where,
                f"scale {scale!r} must be one of response_scales ({', '.join(scales)}) "
                "and is given for integer and binary columns only",
            )
        if (scales[scale].low, scales[scale].high) != (kw["low"], kw["high"]):
            raise _err(
                path,
                where,
                f"range [{kw['low']}, {kw['high']}] differs from its scale {scale!r} "
                f"[{scales[scale].low}, {scales[scale].high}]",
            )
        kw["scale"] = scale
    if entry.get("subscale") is not None:
        if kind != "integer" or not isinstance(entry["subscale"], str):
            raise _err(path, where, "subscale (a derived score's name) is given for integer items only")
        kw["subscale"] = entry["subscale"]
    if entry.get("reversal") is not None:
        match = _REVERSAL.match(str(entry["reversal"]))
        if kind != "integer":
            raise _err(path, where, "reversal is given for integer items only")
        if not match or int(match.group(1)) != kw["low"] + kw["high"]:
            raise _err(
                path,
                where,
                f"reversal must read 'c - x' with c = low + high = {kw['low'] + kw['high']}, got {entry['reversal']!r}",
            )
        kw["reversal"] = int(match.group(1))
    return Column(**kw)


def _waves(doc: dict, path) -> tuple[Wave, ...]:
    waves = []
    for i, entry in enumerate(_entries(doc, "waves", path)):
        where = f"waves[{i}]"
        name, numbers = entry.get("name"), (entry.get("week"), entry.get("time_score"))
        if not isinstance(name, str) or not _NAME.match(name) or not all(map(_is_num, numbers)):
            raise _err(path, where, "a wave needs name (a column prefix), week and time_score (numbers)")
        waves.append(Wave(name, entry["week"], float(entry["time_score"])))
    if len({w.name for w in waves}) != len(waves):
        raise _err(path, "waves", "wave names must be unique")
    return tuple(waves)


def _rules(doc: dict, path, columns: dict[str, Column]) -> tuple[Rule, ...]:
    rules = []
    for i, entry in enumerate(_entries(doc, "rules", path)):
        where = f"rules[{i}] ({entry.get('name')})"
        name = _text(entry, "name", path, where)
        for col_key, value_key in (("if", "equals"), ("then", "must_be")):
            col = columns.get(entry.get(col_key))
            if col is None or col.type not in ("binary", "integer"):
                raise _err(path, where, f"{col_key} must name a binary or integer column, got {entry.get(col_key)!r}")
            value = entry.get(value_key)
            if not _is_int(value) or not col.low <= value <= col.high:
                raise _err(
                    path, where, f"{value_key} must be a value of {col.name} ({col.low:g}..{col.high:g}), got {value!r}"
                )
        rules.append(Rule(name, entry["if"], entry["equals"], entry["then"], entry["must_be"]))
    return tuple(rules)


def _check_derived(d: Derived, where: str, path, book: Codebook) -> None:
    p, cols = d.params, {c.name: c for c in book.columns}
    if d.kind == "exclusion":
        if cols.get(p.get("column"), Column("", "", "", "")).type != "number" or not _is_num(p.get("min_minutes")):
            raise _err(path, where, "an exclusion needs column (a number column) and min_minutes (a number)")
    elif d.kind == "subscale_mean":
        frac = p.get("min_answered_fraction")
        if not _is_num(frac) or not 0 < frac <= 1:
            raise _err(path, where, f"min_answered_fraction must be in (0, 1], got {frac!r}")
        if len(book.items(d.name)) < 2:
            raise _err(path, where, "a subscale needs at least 2 columns naming it as their subscale")
    elif d.kind == "clinical_sum":
        items = [c for c in book.wave_items if c.subscale == d.name]
        if not isinstance(p.get("scale"), str) or p.get("per_wave") is not True or not items:
            raise _err(
                path, where, "a clinical sum needs scale (a short name), per_wave: true and wave_items naming it"
            )
        rng = (sum(c.low for c in items), sum(c.high for c in items))
        if p.get("range") != list(rng):
            raise _err(path, where, f"range must be the sum of its items' ranges, {list(rng)}, got {p.get('range')!r}")
    elif d.kind == "caseness":
        scales = book.clinical_scales()
        cut = p.get("not_case_max")
        if (
            p.get("wave") not in {w.name for w in book.waves}
            or not isinstance(cut, dict)
            or set(cut) != set(scales)
            or not all(_is_int(v) for v in cut.values())
        ):
            raise _err(
                path, where, f"caseness needs wave (a wave name) and not_case_max: whole numbers for {sorted(scales)}"
            )
    elif d.kind == "agreement":
        scale = book.scales.get(p.get("scale"))
        groups = [p.get("agree"), p.get("disagree")]
        if (
            scale is None
            or not all(
                isinstance(g, list) and g and all(_is_int(v) and scale.low <= v <= scale.high for v in g)
                for g in groups
            )
            or set(groups[0]) & set(groups[1])
        ):
            raise _err(path, where, "agreement needs scale (a response scale) and disjoint agree/disagree value lists")


def parse(doc, path: Path | str = CODEBOOK) -> Codebook:
    """Check a codebook document (the parsed YAML) and build the :class:`Codebook`; CodebookError if malformed."""
    doc = _mapping(doc, path, "the file")
    missing = [s for s in SECTIONS if s not in doc]
    if missing:
        raise _err(path, "the file", f"missing section(s) {', '.join(missing)}")
    sources = _mapping(doc["sources"], path, "sources")
    for key in sources:
        _text(sources, key, path, "sources")
    scales = _scales(doc, sources, path)
    waves = _waves(doc, path)
    base = [_column(e, f"columns[{i}]", path, sources, scales) for i, e in enumerate(_entries(doc, "columns", path))]
    stems = [
        _column(e, f"wave_items[{i}]", path, sources, scales) for i, e in enumerate(_entries(doc, "wave_items", path))
    ]
    expanded = [
        replace(
            c, name=f"{w.name}_{c.name}", wave=w.name, stem=c.name, subscale=c.subscale and f"{w.name}_{c.subscale}"
        )
        for w in waves
        for c in stems
    ]
    columns = base + expanded
    seen = {c.name for c in columns}
    if len(seen) != len(columns):
        dupes = sorted({c.name for c in columns if [d.name for d in columns].count(c.name) > 1})
        raise _err(path, "columns", f"{dupes} appear more than once (wave_items expand to <wave>_<name>)")
    if sum(c.type == "text" for c in columns) != 1:
        raise _err(path, "columns", "exactly one text column (the respondent id) is required")
    derived = []
    for i, entry in enumerate(_entries(doc, "derived", path)):
        where = f"derived[{i}] ({entry.get('name')})"
        name = _text(entry, "name", path, where)
        if entry.get("kind") not in DERIVED_KINDS:
            raise _err(path, where, f"kind must be one of {', '.join(DERIVED_KINDS)}, got {entry.get('kind')!r}")
        if name in seen:
            raise _err(path, where, "a derived score may not share a name with a column or another score")
        seen.add(name)
        params = {k: v for k, v in entry.items() if k not in ("name", "kind", "definition", "label")}
        derived.append(
            Derived(name, entry["kind"], _text(entry, "definition", path, where), str(entry.get("label", "")), params)
        )
    book = Codebook(
        Path(path),
        str(doc.get("codebook", "")),
        dict(sources),
        scales,
        waves,
        tuple(columns),
        tuple(stems),
        _rules(doc, path, {c.name: c for c in columns}),
        tuple(derived),
    )
    kinds = {d.name: d.kind for d in derived}
    for where, pool, wanted in (("columns", base, "subscale_mean"), ("wave_items", stems, "clinical_sum")):
        for col in pool:
            if col.subscale is not None and kinds.get(col.subscale) != wanted:
                raise _err(
                    path, f"{where} ({col.name})", f"subscale {col.subscale!r} is not a derived score of kind {wanted}"
                )
    # kinds in dependency order: caseness checks against the clinical sums, so those are checked first
    for i, d in sorted(enumerate(derived), key=lambda t: DERIVED_KINDS.index(t[1].kind)):
        _check_derived(d, f"derived[{i}] ({d.name})", path, book)
    return book


@lru_cache(maxsize=8)
def _load(path: str) -> Codebook:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{p}: the survey codebook cannot be read ({exc})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{p}: not valid YAML ({exc})".replace("\n", " ")) from None
    return parse(doc, p)


def load(path: Path | str = CODEBOOK) -> Codebook:
    """The codebook at ``path`` (default ``data/codebook.yaml``), checked; CodebookError if malformed."""
    return _load(str(Path(path).resolve()))
