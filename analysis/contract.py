"""The survey data contract (``data/survey-data-contract.md``) as data, derived from the survey
codebook (``data/codebook.yaml``).

Every column the book reads, its type and its allowed values come from the codebook, once
(:mod:`analysis.codebook` loads and checks it). The loader validates against these definitions and
the statistics modules take their item lists from them, so a name in the codebook is a name in the code.
"""

from __future__ import annotations

from . import codebook as _codebook

#: The checked codebook every name below is derived from.
CODEBOOK: _codebook.Codebook = _codebook.load()


def _allowed(column: str) -> tuple[str, ...]:
    return CODEBOOK.column(column).allowed


FORUMS = _allowed("forum")
GENDERS = _allowed("gender")
AGE_GROUPS = _allowed("age_group")

WAVES = tuple(w.name for w in CODEBOOK.waves)
#: Time scores of the waves in the paper's growth models (weeks 0, 6, 12 -> 0, 1, 2).
WAVE_TIME_SCORES = tuple(float(w.time_score) for w in CODEBOOK.waves)

#: Clinical scales: name -> item stems (prefixed by the wave, e.g. ``t1_gad_1``).
CLINICAL_SCALES = CODEBOOK.clinical_scales()
PHQ_ITEMS = CLINICAL_SCALES["phq"]

#: Subscales as the paper names them -> their items (means of answered items).
SUBSCALES = CODEBOOK.subscales()
SELFEFF_ITEMS = SUBSCALES["selfeff_total"]
HELP_ITEMS = SUBSCALES["T1_help_total"]
MOD_ITEMS = SUBSCALES["T1_mod_total"]
SAFE_ITEMS = SUBSCALES["safe_total"]
#: Reverse-keyed items and the constant c in the reversal c - x (1-5 Likert: 6 - x).
REVERSED_ITEMS = {c.name: c.reversal for c in CODEBOOK.columns if c.reversal is not None}

FLAGS = tuple(c.name for c in CODEBOOK.columns if c.type == "binary")

#: Cross-column rules the loader checks (``ever_posted`` is 1 whenever ``posted_6wk`` is 1).
CROSS_COLUMN_RULES: tuple[_codebook.Rule, ...] = CODEBOOK.rules
#: The speed exclusion's default threshold in minutes (included when ``t1_duration_min`` >= it).
SPEED_EXCLUSION_MINUTES = float(CODEBOOK.score("included").params["min_minutes"])


#: The survey file's columns: the codebook's own column model (:class:`analysis.codebook_model.Column`),
#: from which :func:`analysis.loading.build_schema` builds the pandera schema.
COLUMNS: tuple[_codebook.Column, ...] = CODEBOOK.columns
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
NUMERIC_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.type in ("binary", "number", "integer"))
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {c.name: c.allowed for c in COLUMNS if c.type == "category"}


def wave_items(scale: str, wave: str) -> list[str]:
    """Column names of a clinical scale's items at one wave, e.g. ``t2_gad_1..7``."""
    return [f"{wave}_{stem}" for stem in CLINICAL_SCALES[scale]]
