"""The explorable site's data (``_static/explore/``) for the page tests, in the shape of the shared
interface (:mod:`bookkit.explore`'s docstring): the real files when the build wrote them, else a small
stand-in computed here from the engine for the analyses a test needs.

The stand-in has one part, ``all``, that depends on every choice (the interface allows any parts; the
real export splits by :data:`analysis.engine.DEPENDS_ON`). Values go through the same disclosure
encoding as the page's ``data-value`` (:func:`bookkit.markup.raw_value`).

Also: :func:`load` reads either back as ``(explore, {part: part file})``, :func:`values_for` rebuilds the
values of one analysis from them and :func:`unit_rows` walks every exported value.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from analysis import disclosure
from analysis.conclusions import ALPHA
from analysis.options import CHOICES, NAMES, PAPER, Options
from bookkit import explore as bookkit_explore
from bookkit import explore_markup as markup
from bookkit import fmt, verdicts, words
from bookkit.explore import level_text  # noqa: F401 (the tests build addresses with it)

EXPLORE = Path("_static") / "explore"


def export_value(key: str, values: dict):
    """A value as the exported files hold it: JSON, null when missing, {"withheld": reason} when
    disclosure control withholds it."""
    raw = markup.raw_value(key, values)
    if raw == "withheld":
        value = values[key]
        return {"withheld": fmt.suppression_kind(value) or "small_count"}
    return json.loads(raw)


def import_value(value):
    """An exported value back in Python's terms (a withheld marker becomes :class:`Withheld`)."""
    if isinstance(value, dict) and "withheld" in value:
        return disclosure.Withheld(value["withheld"])
    return value


def random_analyses(n: int, seed: int) -> list[Options]:
    """``n`` distinct random analyses of the multiverse (seeded), none the paper's."""
    rng = random.Random(seed)
    found: list[Options] = []
    while len(found) < n:
        options = Options(**{name: rng.choice(levels) for name, levels in CHOICES.items()})
        if options != PAPER and options not in found:
            found.append(options)
    return found


def write(out: Path, analyses: list[Options], session) -> Path:
    """Write a stand-in ``explore.json`` and ``part-all.json`` into ``out`` for the paper's analysis and
    ``analyses`` (computed by ``session.results``, the engine's ``run_analysis`` with the results store)."""
    out.mkdir(parents=True, exist_ok=True)
    runs = {options: session.results(options).values for options in [PAPER, *analyses]}
    keys = list(runs[PAPER])
    shown = {o: {k: json.dumps(export_value(k, v)) for k in keys} for o, v in runs.items()}
    varying = [k for k in keys if k not in NAMES and any(s[k] != shown[PAPER][k] for s in shown.values())]
    fixed = [k for k in keys if k not in NAMES and k not in varying]
    explore = {
        "version": 1, "alpha": ALPHA, "min_cell": disclosure.settings()["min_cell"], "minus": fmt.MINUS,
        "suppressed": fmt.SUPPRESSED,
        "choices": bookkit_explore.choices_json(),
        "parts": {"all": {"depends_on": list(NAMES), "file": "part-all.json"}},
        "keys": {k: ("options" if k in NAMES else "fixed" if k in fixed else "all") for k in keys},
        "fixed": {k: export_value(k, runs[PAPER]) for k in fixed},
        "format": {k: fmt.spec(k) for k in keys},
        "conclusions": verdicts.export(),
        "words": words.export(),
        "figures": {},
    }
    rows = {"|".join(level_text(getattr(o, n)) for n in NAMES): [export_value(k, v) for k in varying]
            for o, v in runs.items()}
    part = {"depends_on": list(NAMES), "keys": varying, "rows": rows}
    (out / "explore.json").write_text(json.dumps(explore, allow_nan=False), encoding="utf-8")
    (out / "part-all.json").write_text(json.dumps(part, allow_nan=False), encoding="utf-8")
    return out


def load(folder: Path) -> tuple[dict, dict]:
    """``explore.json`` and every part file it names, from ``folder``."""
    explore = json.loads((folder / "explore.json").read_text(encoding="utf-8"))
    parts = {name: json.loads((folder / p["file"]).read_text(encoding="utf-8"))
             for name, p in explore["parts"].items() if "file" in p}
    return explore, parts


def _combo(depends_on, choice: dict) -> str:
    return "|".join(level_text(choice[n]) for n in depends_on)


def values_for(explore: dict, parts: dict, options: Options) -> dict | None:
    """The exported values of one analysis (JSON form; None when a part it needs has no row or an error)."""
    choice = options.as_dict()
    values = dict(explore.get("fixed", {}))
    values.update({k: choice[k] for k, part in explore["keys"].items() if part == "options"})
    for part in parts.values():
        row = part["rows"].get(_combo(part["depends_on"], choice))
        if not isinstance(row, list):
            return None
        values.update(zip(part["keys"], row, strict=True))
    return values


def unit_rows(explore: dict, parts: dict):
    """Every exported value with the values it is formatted with: for each part and each of its rows, the
    values of an analysis with that row's levels (the paper's elsewhere), and the part's keys. Yields
    ``(values, keys)`` pairs; together they cover every key of every analysis."""
    paper = {c["name"]: c["paper"] for c in explore["choices"]}
    for name, part in parts.items():
        for combo, row in part["rows"].items():
            if not isinstance(row, list):
                continue
            choice = dict(paper)
            for dim, text in zip(part["depends_on"], combo.split("|"), strict=True):
                c = next(c for c in explore["choices"] if c["name"] == dim)
                choice[dim] = next(v for v in c["levels"] if level_text(v) == text)
            values = dict(explore.get("fixed", {}))
            values.update({k: choice[k] for k, p in explore["keys"].items() if p == "options"})
            for other_name, other in parts.items():
                if other_name == name:
                    continue
                other_row = other["rows"].get(_combo(other["depends_on"], choice))
                if isinstance(other_row, list):
                    values.update(zip(other["keys"], other_row, strict=True))
            values.update(zip(part["keys"], row, strict=True))
            yield values, list(part["keys"])
    fixed = [k for k, p in explore["keys"].items() if p == "fixed"]
    for c in explore["choices"]:
        for level in c["levels"]:
            values = {**explore.get("fixed", {}), **{k: paper[k] for k, p in explore["keys"].items() if p == "options"}}
            values[c["name"]] = level
            shown = [c["name"]] if explore["keys"].get(c["name"]) == "options" else []
            yield values, shown + (fixed if level == c["paper"] else [])
