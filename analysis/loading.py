"""Read a survey file that follows the data contract, validate it, apply the speed exclusion.

Parsing is done with the standard ``csv`` module (so that every record keeps its
line number in the file); the values are validated with a pandera schema built
from :mod:`analysis.contract` (itself read from the survey codebook,
``data/codebook.yaml``). Any problem raises :class:`ContractError` with one
message naming the file, the column, the first offending rows (numbered as a
spreadsheet shows them: the header is row 1, the first respondent row 2) and the
rule that was broken.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from . import contract
from .codebook_model import Column

#: How many offending rows a message lists before saying "and N more".
MAX_ROWS_SHOWN = 5
DEFAULT_EXCLUSION_MINUTES = contract.SPEED_EXCLUSION_MINUTES

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_MISSING_HINT = "an empty cell is the only missing value (no codes such as -99, NA or N/A)"


class ContractError(ValueError):
    """The input does not follow the survey data contract; the message says where and how."""


@dataclass(frozen=True)
class Survey:
    """A validated survey.

    ``data`` holds every row of the file (index = spreadsheet row number) with
    numeric columns as floats (NaN = missing) and categories as strings. The speed exclusion is the
    engine's (:func:`speed_included` with the options' ``exclusion_minutes``), not the file's.
    """

    path: Path
    data: pd.DataFrame


# --------------------------------------------------------------------------- reading


def _fail(path: Path | str, what: str) -> ContractError:
    return ContractError(f"{path}: {what}")


def _rows_text(rows: list[int]) -> str:
    rows = sorted(set(int(r) for r in rows))
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = f" and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    label = "row" if len(rows) == 1 else "rows"
    return f"{label} {shown}{more}"


def read_text(path: Path | str) -> str:
    """The file's text as UTF-8 (a byte-order mark is allowed), or a ContractError."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "no such file")
    if path.is_dir():
        raise _fail(path, "is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise _fail(path, "the file is empty; expected a header row and one row per respondent")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise _fail(path, f"row {line}: contains NUL bytes; this is not a CSV text file (rule: UTF-8 CSV)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise _fail(
            path,
            f"row {line}: byte 0x{byte} is not valid UTF-8 (rule: the file must be UTF-8 encoded; "
            "re-save it as 'CSV UTF-8')",
        ) from None


def read_records(path: Path | str) -> pd.DataFrame:
    """Parse the CSV into a frame of stripped strings (None = empty cell).

    The index is the spreadsheet row number of each record (header = row 1).
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        while header == []:
            header = next(reader)
    except StopIteration:
        raise _fail(path, "the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise _fail(path, f"row 1: not readable as CSV ({exc})") from None
    header = [h.strip() for h in header]
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in header[0])
        raise _fail(
            path,
            f"row 1: the header is separated by {delim!r}, not commas "
            "(rule: comma-separated values with one header row)",
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise _fail(
            path, f"row 1: column {dupes[0]!r} appears more than once in the header (rule: column names are unique)"
        )
    records, rownums, bad = [], [], []
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields) and len(fields) <= 1:
                continue  # a blank line is not a respondent
            if len(fields) != len(header):
                bad.append((reader.line_num, len(fields)))
                continue
            records.append([f.strip() or None for f in fields])
            rownums.append(reader.line_num)
    except csv.Error as exc:
        raise _fail(path, f"row {reader.line_num}: not readable as CSV ({exc})") from None
    if bad:
        rows = [b[0] for b in bad]
        raise _fail(
            path,
            f"{_rows_text(rows)}: {bad[0][1]} fields where the header has {len(header)} "
            "(rule: every row has one value per header column; quote values that contain commas)",
        )
    if not records:
        raise _fail(path, "the file has a header but no respondent rows")
    return pd.DataFrame(records, columns=header, index=pd.Index(rownums, name="row"), dtype=object)


# --------------------------------------------------------------------------- schema


def _as_number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values.astype(str).str.fullmatch(_NUMBER.pattern)), errors="coerce")


def _checks(spec: Column) -> list[pa.Check]:
    def is_number(s: pd.Series) -> pd.Series:
        return s.astype(str).str.fullmatch(_NUMBER.pattern)

    def whole(s: pd.Series) -> pd.Series:
        x = _as_number(s)
        return x.isna() | (x == np.round(x))

    def at_least(low: float):
        return lambda s: (lambda x: x.isna() | (x >= low))(_as_number(s))

    def within(low: float, high: float):
        return lambda s: (lambda x: x.isna() | ((x >= low) & (x <= high)))(_as_number(s))

    number = pa.Check(is_number, name=f"must be a number; {_MISSING_HINT}")
    if spec.type == "category":
        return [pa.Check(lambda s, c=spec.allowed: s.isin(c), name=f"must be {spec.rule()}; {_MISSING_HINT}")]
    if spec.type == "number":
        return [number, pa.Check(at_least(spec.low), name=f"must be {spec.rule()}")]
    if spec.type == "binary":
        return [number, pa.Check(lambda s: _as_number(s).isna() | _as_number(s).isin([0, 1]), name="must be 0 or 1")]
    if spec.type == "integer":
        return [
            number,
            pa.Check(whole, name=f"must be a whole number (no fractions); allowed: {spec.rule()}"),
            pa.Check(within(spec.low, spec.high), name=f"must be {spec.rule()}; {_MISSING_HINT}"),
        ]
    return []


#: Cross-column rules of the codebook: their message (the check's name) -> the column blamed.
_RULE_COLUMNS = {r.message: r.then_column for r in contract.CROSS_COLUMN_RULES}


def _rule_check(rule) -> pa.Check:
    """A frame check: rows where ``rule.if_column`` is ``if_value`` must have ``then_column`` == ``then_value``."""

    def holds(df: pd.DataFrame) -> pd.Series:
        return (_as_number(df[rule.if_column]) != rule.if_value) | (_as_number(df[rule.then_column]) == rule.then_value)

    return pa.Check(holds, name=rule.message)


def build_schema() -> pa.DataFrameSchema:
    """The pandera schema of the contract, built from the codebook's columns and rules, applied to the file's
    raw (string) cells."""
    columns = {}
    for spec in contract.COLUMNS:
        if spec.type == "text":
            columns[spec.name] = pa.Column(None, nullable=False, unique=True)
        else:
            columns[spec.name] = pa.Column(None, checks=_checks(spec), nullable=True)
    return pa.DataFrameSchema(
        columns,
        checks=[_rule_check(rule) for rule in contract.CROSS_COLUMN_RULES],
        strict=False,
        ordered=False,
    )


_SCHEMA = None


def _schema() -> pa.DataFrameSchema:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema()
    return _SCHEMA


def _describe_failures(path: Path, failures: pd.DataFrame) -> str:
    """One message for the first problem found (in contract column order), plus a count of the rest."""
    order = {name: i for i, name in enumerate(contract.COLUMN_NAMES)}
    fc = failures.copy()
    missing = fc[fc["check"] == "column_in_dataframe"]
    if len(missing):
        names = sorted(missing["failure_case"].astype(str), key=lambda n: order.get(n, 10**6))
        shown = ", ".join(repr(n) for n in names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        return (
            f"{path}: row 1 (header): missing column{'s' if len(names) > 1 else ''} {shown} "
            "(rule: every contract column is present, names exact and case-sensitive)"
        )
    fc = fc[fc["index"].notna()]
    fc["column"] = [_RULE_COLUMNS.get(check, col) for check, col in zip(fc["check"], fc["column"], strict=False)]
    fc["_order"] = fc["column"].map(lambda c: order.get(c, 10**6))
    fc["_row"] = fc["index"].astype(int)
    fc = fc.sort_values(["_order", "_row"], kind="stable")
    groups = list(fc.groupby(["_order", "check"], sort=False))
    (_, check), first = groups[0]
    column = first["column"].iloc[0]
    rows = first["_row"].tolist()
    if check == "field_uniqueness":
        rule = "record_id must be unique; these rows repeat an id used elsewhere"
        values = ""
    elif check == "not_nullable":
        rule = "record_id must not be empty"
        values = ""
    elif check in _RULE_COLUMNS:
        rule = check
        values = ""
    else:
        rule = check
        vals = list(dict.fromkeys(str(v) for v in first["failure_case"]))[:3]
        values = " (found " + ", ".join(repr(v) for v in vals) + ")"
    others = len(groups) - 1
    tail = f"; {others} other problem{'s' if others > 1 else ''} in this file too" if others else ""
    return f"{path}: column {column!r}, {_rows_text(rows)}{values}: {rule}{tail}"


def validate(frame: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Validate raw string cells against the contract; return typed columns.

    Numeric contract columns become floats (NaN = missing); categories stay
    strings. Columns outside the contract are dropped here so that nothing
    downstream can render them.
    """
    path = Path(path)
    try:
        _schema().validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise ContractError(_describe_failures(path, exc.failure_cases)) from None
    typed = frame.loc[:, list(contract.COLUMN_NAMES)].copy()
    for name in contract.NUMERIC_COLUMNS:
        typed[name] = pd.to_numeric(typed[name]).astype(float)
    for name in contract.CATEGORY_COLUMNS:
        typed[name] = typed[name].astype(object)
    typed["record_id"] = typed["record_id"].astype(str)
    return typed


def speed_included(data: pd.DataFrame, exclusion_minutes: float = DEFAULT_EXCLUSION_MINUTES) -> pd.Series:
    """The paper's speed exclusion: included when ``t1_duration_min >= exclusion_minutes``.

    A missing duration is not >= the threshold, so that respondent is excluded.
    """
    return (data["t1_duration_min"] >= exclusion_minutes).fillna(False).astype(bool)


def load_survey(path: Path | str) -> Survey:
    """Read and validate; raise ContractError on any problem."""
    path = Path(path)
    return Survey(path=path, data=validate(read_records(path), path))
