"""The data model of the survey codebook (``data/codebook.yaml``): what :mod:`analysis.codebook` parses into.

Frozen dataclasses, no behaviour beyond look-ups; the checks live in :mod:`analysis.codebook`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class CodebookError(ValueError):
    """The codebook file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class ResponseScale:
    """A response scale: whole numbers low..high, labels of some values, and its text for tables."""

    name: str
    low: int
    high: int
    labels: dict[int, str]
    text: str
    source: str


@dataclass(frozen=True)
class Wave:
    """A survey wave (``t1``...), its week and its time score in the growth models."""

    name: str
    week: float
    time_score: float


@dataclass(frozen=True)
class Column:
    """One column of the survey file (or, with ``wave=None`` in ``Codebook.wave_items``, a per-wave item).

    ``reversal`` is the constant c of the reverse-keying c - x (None when not reversed); ``stem``
    is the item name without its wave prefix (``gad_1`` for ``t2_gad_1``).
    """

    name: str
    type: str
    wording: str
    wording_source: str
    allowed: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    scale: str | None = None
    subscale: str | None = None
    reversal: int | None = None
    required: bool = False
    unique: bool = False
    wave: str | None = None
    stem: str | None = None

    def rule(self) -> str:
        """The allowed values in words, as the contract states them (the validation messages use it)."""
        if self.type == "text":
            return "a non-empty, unique respondent pseudonym"
        if self.type == "category":
            return "one of " + ", ".join(self.allowed)
        if self.type == "binary":
            return "0 or 1"
        if self.type == "number":
            return f"a number >= {self.low:g}"
        return f"a whole number from {self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class Rule:
    """Cross-column rule: whenever ``if_column`` equals ``if_value``, ``then_column`` must equal ``then_value``."""

    name: str
    if_column: str
    if_value: int
    then_column: str
    then_value: int

    @property
    def message(self) -> str:
        """The rule in words, e.g. ``ever_posted must be 1 whenever posted_6wk is 1``."""
        return f"{self.then_column} must be {self.then_value} whenever {self.if_column} is {self.if_value}"


@dataclass(frozen=True)
class Derived:
    """A derived score: its kind, its definition in words, and its parameters (the entry's other keys)."""

    name: str
    kind: str
    definition: str
    label: str = ""
    params: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Codebook:
    """The checked codebook. ``columns`` are all file columns in order, per-wave items expanded."""

    path: Path
    title: str
    sources: dict[str, str]
    scales: dict[str, ResponseScale]
    waves: tuple[Wave, ...]
    columns: tuple[Column, ...]
    wave_items: tuple[Column, ...]
    rules: tuple[Rule, ...]
    derived: tuple[Derived, ...]

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if the codebook has none)."""
        return {c.name: c for c in self.columns}[name]

    def score(self, name: str) -> Derived:
        """The derived score called ``name`` (KeyError if the codebook has none)."""
        return {d.name: d for d in self.derived}[name]

    def items(self, score: str) -> tuple[str, ...]:
        """Items of a derived score: column names of a subscale, item stems of a per-wave total."""
        pool = self.wave_items if self.score(score).kind == "clinical_sum" else self.columns
        return tuple(c.name for c in pool if c.subscale == score)

    def subscales(self) -> dict[str, tuple[str, ...]]:
        """Subscale name -> its items, in codebook order (e.g. ``selfeff_total``: ``selfeff_1``...)."""
        return {d.name: self.items(d.name) for d in self.derived if d.kind == "subscale_mean"}

    def clinical_scales(self) -> dict[str, tuple[str, ...]]:
        """Clinical scale (``gad``, ``phq``) -> its item stems (prefixed by the wave in the file)."""
        return {d.params.get("scale"): self.items(d.name) for d in self.derived if d.kind == "clinical_sum"}


# --------------------------------------------------------------------------- checks
