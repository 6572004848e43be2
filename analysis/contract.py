"""The survey data contract (``data/survey-data-contract.md``) as data.

Every column the book reads, its type and its allowed values live here, once.
The loader validates against these definitions and the statistics modules take
their item lists from them, so a name in the contract is a name in the code.
"""

from __future__ import annotations

from dataclasses import dataclass

FORUMS = ("Robin", "Magpie", "Dunnock", "Chaffinch", "Sparrow", "Starling", "Jay")
GENDERS = ("female", "male", "non_binary", "other", "prefer_not_to_say")
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "prefer_not_to_say")
AGE_GROUPS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+")
SEXUALITIES = ("heterosexual", "gay_or_lesbian", "bisexual", "other", "prefer_not_to_say")
USE_DURATIONS = ("less_than_1_week", "1_to_4_weeks", "1_to_12_months", "1_year_or_more")
USE_FREQUENCIES = ("daily", "more_than_weekly", "weekly", "less_than_weekly")

WAVES = ("t1", "t2", "t3")
#: Time scores of the waves in the paper's growth models (weeks 0, 6, 12 -> 0, 1, 2).
WAVE_TIME_SCORES = (0.0, 1.0, 2.0)

GAD_ITEMS = tuple(f"gad_{i}" for i in range(1, 8))
PHQ_ITEMS = tuple(f"phq_{i}" for i in range(1, 9))
#: Clinical scales: name -> item stems (prefixed by the wave, e.g. ``t1_gad_1``).
CLINICAL_SCALES = {"gad": GAD_ITEMS, "phq": PHQ_ITEMS}

SELFEFF_ITEMS = tuple(f"selfeff_{i}" for i in range(1, 7))
HELP_ITEMS = ("help_same", "help_understood", "help_isolated", "help_alone", "help_info", "help_hope")
MOD_ITEMS = tuple(f"mod_{i}" for i in range(1, 5))
SAFE_ITEMS = tuple(f"safe_{i}" for i in range(1, 7))
#: Reverse-keyed items and the constant c in the reversal c - x (1-5 Likert: 6 - x).
REVERSED_ITEMS = {"safe_3": 6}

#: Subscales as the paper names them -> their items (means of answered items).
SUBSCALES = {
    "selfeff_total": SELFEFF_ITEMS,
    "T1_help_total": HELP_ITEMS,
    "T1_mod_total": MOD_ITEMS,
    "safe_total": SAFE_ITEMS,
}

FLAGS = (
    "reason_self",
    "reason_someone_else",
    "reason_help_others",
    "responded_or_liked_6wk",
    "posted_6wk",
    "ever_posted",
)


@dataclass(frozen=True)
class ColumnSpec:
    """One contract column.

    kind is ``id``, ``category``, ``flag`` (0/1), ``number`` (real, >= low)
    or ``integer`` (whole number in [low, high]).
    """

    name: str
    kind: str
    categories: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def rule(self) -> str:
        """The allowed values in words, as the contract states them."""
        if self.kind == "id":
            return "a non-empty, unique respondent pseudonym"
        if self.kind == "category":
            return "one of " + ", ".join(self.categories)
        if self.kind == "flag":
            return "0 or 1"
        if self.kind == "number":
            return f"a number >= {self.low:g}"
        return f"a whole number from {self.low:g} to {self.high:g}"


def _columns() -> tuple[ColumnSpec, ...]:
    cols = [
        ColumnSpec("record_id", "id"),
        ColumnSpec("forum", "category", FORUMS),
        ColumnSpec("t1_duration_min", "number", low=0),
        ColumnSpec("gender", "category", GENDERS),
        ColumnSpec("ethnicity", "category", ETHNICITIES),
        ColumnSpec("age_group", "category", AGE_GROUPS),
        ColumnSpec("sexuality", "category", SEXUALITIES),
        ColumnSpec("reason_self", "flag"),
        ColumnSpec("reason_someone_else", "flag"),
        ColumnSpec("reason_help_others", "flag"),
        ColumnSpec("use_duration", "category", USE_DURATIONS),
        ColumnSpec("use_frequency", "category", USE_FREQUENCIES),
        ColumnSpec("responded_or_liked_6wk", "flag"),
        ColumnSpec("posted_6wk", "flag"),
        ColumnSpec("ever_posted", "flag"),
        ColumnSpec("visit_read", "integer", low=1, high=5),
        ColumnSpec("stigma_inferior", "integer", low=1, high=5),
    ]
    cols += [ColumnSpec(c, "integer", low=1, high=10) for c in SELFEFF_ITEMS]
    cols += [ColumnSpec(c, "integer", low=1, high=5) for c in HELP_ITEMS + MOD_ITEMS + SAFE_ITEMS]
    for wave in WAVES:
        for stem in GAD_ITEMS + PHQ_ITEMS:
            cols.append(ColumnSpec(f"{wave}_{stem}", "integer", low=0, high=3))
    return tuple(cols)


COLUMNS: tuple[ColumnSpec, ...] = _columns()
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
NUMERIC_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind in ("flag", "number", "integer"))
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {c.name: c.categories for c in COLUMNS if c.kind == "category"}


def wave_items(scale: str, wave: str) -> list[str]:
    """Column names of a clinical scale's items at one wave, e.g. ``t2_gad_1..7``."""
    return [f"{wave}_{stem}" for stem in CLINICAL_SCALES[scale]]
