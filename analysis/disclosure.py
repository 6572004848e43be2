"""Statistical disclosure control for everything the book renders.

Conventions (NHS Digital's rule for small numbers, thresholds in ``pyproject.toml``,
``[tool.ipof.disclosure]``):

* a respondent count from 1 to ``min_cell - 1`` is shown as "<8" (zero is shown);
* secondary suppression: in a group of cells whose total is shown or known (the categories of one
  question, one wave's forums), a single suppressed cell would follow from the total, so the smallest
  other non-zero cell is suppressed too; a suppressed cell's percentage is suppressed with it;
* means, SDs and correlations of fewer than ``min_group`` contributors are withheld, and no figure is
  drawn from them.

Survey-level counts the paper publishes (8 or more) are never affected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from . import paths

REASONS = ("small_count", "secondary", "small_group")


@dataclass(frozen=True)
class Withheld:
    """A table cell disclosure control withholds, and why (one of :data:`REASONS`): a count of fewer than
    ``min_cell`` respondents, a cell hidden so that a small count cannot be worked out from a total, or a
    statistic of fewer than ``min_group`` respondents. Its text ("<8", "suppressed", "withheld") is what a
    CSV file shows; the book shows one symbol and a note, chosen by the reason, never by parsing text."""

    reason: str

    def __post_init__(self):
        if self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}; reasons are {', '.join(REASONS)}")

    def __str__(self) -> str:
        return {"small_count": f"<{settings()['min_cell']}", "secondary": "suppressed",
                "small_group": "withheld"}[self.reason]


SMALL_COUNT, SECONDARY, SMALL_GROUP = Withheld("small_count"), Withheld("secondary"), Withheld("small_group")


@lru_cache(maxsize=1)
def settings() -> dict[str, int]:
    """The thresholds from ``pyproject.toml`` (min_cell, min_group)."""
    config = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = config.get("tool", {}).get("ipof", {}).get("disclosure", {})
    return {"min_cell": int(found.get("min_cell", 8)), "min_group": int(found.get("min_group", 10))}


def small(n) -> bool:
    """A count that must not be shown: 1 to min_cell - 1."""
    return n is not None and not pd.isna(n) and 0 < n < settings()["min_cell"]


def count_text(n) -> str:
    """A respondent count as the book prints it: exact, or "<8"."""
    return str(SMALL_COUNT) if small(n) else str(int(n))


def protect_count(n):
    """A respondent count as a table cell: the count, or :data:`SMALL_COUNT`."""
    return SMALL_COUNT if small(n) else int(n)


def suppression_mask(counts, total_known: bool = True) -> np.ndarray:
    """Cells to suppress in one group of counts: primary (small) plus secondary (see module docstring).

    With ``total_known``, a lone suppressed cell is protected by also suppressing the smallest other
    non-zero cell; the complement of the whole group (total minus the shown cells) is covered too.
    """
    counts = np.asarray(counts, dtype=float)
    mask = np.array([small(n) for n in counts])
    if total_known and mask.sum() == 1:
        others = np.where(~mask & (counts > 0), counts, np.inf)
        if np.isfinite(others).any():
            mask[int(np.argmin(others))] = True
    return mask


def protect_counts(table: pd.DataFrame, count: str, group: str | None = None, percent: str | None = None,
                   complement_of: int | None = None) -> pd.DataFrame:
    """A copy of ``table`` with ``count`` (and ``percent``) as display text, suppressed per group.

    ``complement_of``: for yes/no rows that show only the "yes" count of N respondents, the hidden
    "no" count (N - yes) must not be small either.
    """
    out = table.copy()
    out[count] = out[count].astype(object)
    if percent:
        out[percent] = out[percent].astype(object)
    groups = [out.index] if group is None else [idx for _, idx in out.groupby(group, sort=False).groups.items()]
    for idx in groups:
        values = table.loc[idx, count].to_numpy(dtype=float)
        if complement_of is not None and len(values) == 1:
            mask = np.array([small(values[0]) or small(complement_of - values[0])])
        else:
            mask = suppression_mask(values)
        for i, hide in zip(idx, mask, strict=False):
            if hide:
                out.at[i, count] = SMALL_COUNT if small(table.at[i, count]) else SECONDARY
                if percent:
                    out.at[i, percent] = SECONDARY
    return out


def withhold_small_groups(table: pd.DataFrame, rules: dict[str, list[str]]) -> pd.DataFrame:
    """Withhold statistics of small groups: ``rules`` maps an n column to the columns it protects."""
    out = table.copy()
    minimum = settings()["min_group"]
    for n_col, protected in rules.items():
        too_small = out[n_col].astype(float) < minimum
        for col in protected:
            out[col] = out[col].astype(object).where(~too_small, SMALL_GROUP)
    return out


def protect_columns(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Suppress counts column by column (each column's cells add up to a known total, e.g. a wave)."""
    out = table.copy()
    for col in columns:
        mask = suppression_mask(table[col].to_numpy(dtype=float))
        out[col] = [
            (SMALL_COUNT if small(v) else SECONDARY) if hide else int(v)
            for v, hide in zip(table[col], mask, strict=False)
        ]
    return out


def protect_description(table: pd.DataFrame, n_total: int) -> pd.DataFrame:
    """The sample description (variable, category, n, percent) with small cells suppressed.

    Categories of one question form a group whose total is the sample size; a yes/no question shows
    only its "yes" row, whose complement must not be small either.
    """
    shown = table.assign(percent=table["percent"].round(1))
    flags = shown["category"] == "yes"
    parts = [protect_counts(shown[~flags], "n", group="variable", percent="percent")]
    for i in shown.index[flags]:
        parts.append(protect_counts(shown.loc[[i]], "n", percent="percent", complement_of=n_total))
    return pd.concat(parts).loc[table.index]


def protect_tables(tables: dict[str, pd.DataFrame], n_total: int) -> dict[str, pd.DataFrame]:
    """The engine's tables with the rules above applied, as the book and ``reproduce`` publish them.

    ``n_total`` is the included sample size (the known total of the sample description).
    """
    rules = {
        "sample_description": lambda t: protect_description(t, n_total),
        "forums": lambda t: protect_columns(t, ["n_t1", "n_t2", "n_t3"]),
        "item_frequencies": lambda t: protect_counts(t.assign(percent=t["percent"].round(1)), "n", group="item",
                                                     percent="percent"),
        "reliability": lambda t: withhold_small_groups(t, {"n": ["mean", "sd"], "alpha_n": ["alpha"]}),
        "correlations": lambda t: withhold_small_groups(t, {"n": ["r", "p", "ci_low", "ci_high"]}),
        "ttests": _protect_ttests,
        "caseness": lambda t: t.assign(**{c: [protect_count(v) for v in t[c]] for c in ("cases", "not_cases")}),
    }
    return {name: rules.get(name, lambda t: t)(table) for name, table in tables.items()}


def _protect_ttests(table: pd.DataFrame) -> pd.DataFrame:
    stats_cols = [c for c in table.columns if c not in ("variable", "n_posted", "n_never")]
    out = withhold_small_groups(table, {"n_posted": stats_cols, "n_never": stats_cols})
    for col in ("n_posted", "n_never"):
        out[col] = [protect_count(v) for v in table[col]]
    return out
