"""The claims ledger as the book shows it: the reproduction report's table, and the marks and links of
the numbers on the pages. The ledger and its statuses are the engine's (:mod:`analysis.ledger`).

Which claim a number shown in the book *is* (and so whether the paper publishes it) is decided once, by
:func:`published_claim`; the book's marks and links to this report use it, and :func:`shown_status`
gives the report's status for the shown number.
"""

from __future__ import annotations

import pandas as pd

from analysis.ledger import (  # noqa: F401 (the ledger itself lives in the engine; re-exported for the pages)
    KINDS,
    LEDGER,
    STATUSES,
    TOLERANCE_UNITS,
    claims_by_id,
    load,
    reproduce_value,
    status,
)


def report(results: dict, protect: bool = True, flags: dict[str, list[tuple[str, str]]] | None = None) -> pd.DataFrame:
    """One row per claim: section, kind, snippet, reported, reproduced, difference, status, source, and
    ``audit``: the audit's flags on the claim with their grades, from ``flags`` (claim id -> [(check id,
    grade)], as :func:`analysis.audit.flags_by_claim` gives them; the book passes them, so the report and
    the audit never tell two stories about one claim).

    With ``protect`` (the book's default), a reproduced count below the disclosure threshold, and a
    percentage of such a count, is shown as suppressed (the status still uses the exact value).
    """
    from analysis.disclosure import SECONDARY, SMALL_COUNT, small


    flags = flags or {}
    rows = []
    for c in load()["claims"]:
        value = reproduce_value(c, results)
        numerator = _respondent_numerator(c, results, value)
        hidden = protect and small(numerator)
        reported = ("<" if c.get("relation") == "<" else "") + f"{c['reported']:.{c['decimals']}f}"
        source = c.get("key") or (f"100 x {c['ratio'][0]} / {c['ratio'][1]}" if "ratio" in c else c["reason"])
        rows.append({
            "id": c["id"], "section": c["section"], "kind": c["kind"], "snippet": c["snippet"],
            "reported": reported,
            "reproduced": (SMALL_COUNT if c["kind"] == "count" else SECONDARY) if hidden
            else (None if value is None else round(value, max(c["decimals"], 3) + 1)),
            "difference": None if hidden or value is None or c.get("relation") else round(value - c["reported"], 6),
            "status": status(c, value), "source": source,
            "audit": "; ".join(f"{a} ({grade})" for a, grade in flags.get(c["id"], [])),
        })
    return pd.DataFrame(rows)


def _respondent_numerator(claim: dict, results: dict, value) -> float | None:
    """The respondent count behind a claim (what disclosure control looks at), by the declared kind of its
    key (:mod:`analysis.kinds`), or None when the claim is not about respondents (a number of forums,
    the exclusion threshold, a statistic)."""
    from analysis.kinds import declared

    if "ratio" in claim:
        return results.get(claim["ratio"][0])
    kind = declared().get(claim.get("key", ""))
    if kind is None:
        return None
    if kind.name == "percent" and kind.of is not None:
        return results.get(kind.of)
    return value if kind.respondents else None


_MATH = [(r"χ\^2_(\d+)", lambda m: "χ²" + m.group(1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))),
         (r"t_\{(\d+)\}", lambda m: "t" + m.group(1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))),
         (r"\*(\w[^*]*)\*", lambda m: m.group(1))]


def plain_quote(snippet: str) -> str:
    """A ledger snippet as a reader should see it: the paper's TeX-like notation (``χ^2_1``,
    ``t_{789}``, ``*t*``) as typeset characters (χ²₁, t₇₈₉, t)."""
    import re

    for pattern, repl in _MATH:
        snippet = re.sub(pattern, repl, snippet)
    return snippet


def _computed_text(value, claim: dict) -> str:
    """A computed value at the claim's printed precision plus one digit ('' when not computable)."""
    from .fmt import is_suppressed

    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str) or is_suppressed(value):
        return value  # a withheld cell stays typed: the table shows its symbol and note
    decimals = claim["decimals"] + (1 if claim["decimals"] else 0)
    if claim["kind"] == "p":  # APA: no leading zero, and never "0.0000"
        return "<.001" if value < 0.001 else f"{value:.{decimals}f}".replace("0.", ".", 1)
    return f"{value:.{decimals}f}".replace("-", "\u2212")


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The report as the book shows it: key columns first, quotes typeset, readable headers, an anchor
    per row (``claim-c001``) for the links from the chapters, audit flags linked to the audit's rows."""
    import re

    by_id = claims_by_id()
    shown = table.assign(snippet=table["snippet"].map(plain_quote))
    shown["reproduced"] = [_computed_text(v, by_id[i]) for v, i in zip(table["reproduced"], table["id"], strict=True)]
    shown["reported"] = [str(r).replace("-", "\u2212") if by_id[i]["kind"] != "p" else str(r).replace("0.", ".", 1)
                         for r, i in zip(table["reported"], table["id"], strict=True)]
    shown["id"] = [f'<span id="claim-{i.lower()}"></span>{i}' for i in table["id"]]
    def audit_link(m):
        return f'<a href="audit.html#audit-{m.group(1).lower()}">{m.group(1)}</a>'

    shown["audit"] = [re.sub(r"\b(A\d{3})\b", audit_link, text) for text in table["audit"]]
    order = ["id", "status", "reported", "reproduced", "audit", "snippet", "section", "kind", "source"]
    return shown[order].rename(columns={"id": "Claim", "status": "Status", "reported": "Printed",
                                        "reproduced": "Computed", "audit": "Audit flags",
                                        "snippet": "The paper says", "section": "Section", "kind": "Kind",
                                        "source": "Results key"})


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Counts per status, in :data:`STATUSES` order, plus the total."""
    counts = {s: int((table["status"] == s).sum()) for s in STATUSES}
    counts["total"] = len(table)
    return counts


def links_by_key() -> dict[str, str]:
    """Results key -> the first claim (ledger order) whose ``key`` it is: the direct step of :func:`published_claim`."""
    links: dict[str, str] = {}
    for c in load()["claims"]:
        if "key" in c:
            links.setdefault(c["key"], c["id"])
    return links


def _same_number(a, b) -> bool:
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def published_claim(key: str, values: dict) -> str | None:
    """The claim of the paper whose printed number the shown value ``values[key]`` is, or None.

    The one decision behind the book's marks and its links to the reproduction report. Conventions, in
    order (the first that applies decides):

    1. *directly*: a claim has ``key: key`` (the first such claim in ledger order);
    2. *the P of a t test*: ``p_V`` is the engine's ``p_one_tailed_V`` when ``values["tails"]`` is 1 and
       ``p_two_tailed_V`` otherwise (the option ``tails``), so it is published when that key is and the
       two values are the same number;
    3. *a percentage*: ``K_pct`` is published by a claim ``ratio: [n, N]`` whose count ``n`` is a ``K``
       count (its name starts with ``K``) when ``values[K_pct]`` equals 100 n / N (e.g. ``caseness_pct``
       and the paper's 593 of 791).

    A key the ledger reaches in none of these ways is not published by the paper (on the synthetic twin,
    its value is the generator's).
    """
    links = links_by_key()
    if key in links:
        return links[key]
    if key.startswith("p_") and not key.startswith(("p_one_tailed_", "p_two_tailed_")) and key in values:
        variable = key[2:]
        named = f"p_{'one' if values.get('tails') == 1 else 'two'}_tailed_{variable}"
        if named in links and _same_number(values[key], values.get(named)):
            return links[named]
    if key.endswith("_pct") and key in values:
        stem = key[: -len("_pct")]
        for c in load()["claims"]:
            if "ratio" in c and c["ratio"][0].startswith(stem) and "relation" not in c:
                if _same_number(values[key], reproduce_value(c, values)):
                    return c["id"]
    return None


def printed_text(claim: dict) -> str:
    """The claim's number as the paper prints it: its decimals, "<" for a bound, P without the leading zero,
    a percentage with its sign (e.g. ".15", "<.001", "90%", "712")."""
    text = f"{claim['reported']:.{claim['decimals']}f}"
    if claim["kind"] == "p":
        text = text.replace("0.", ".", 1)
    if claim["kind"] == "percent":
        text += "%"
    return ("<" if claim.get("relation") == "<" else "") + text


def shown_status(key: str, values: dict) -> str | None:
    """The reproduction report's status of the claim :func:`published_claim` finds for ``key`` (None when the
    paper does not publish the number), so a page's mark and the report's row never disagree."""
    claim_id = published_claim(key, values)
    if claim_id is None:
        return None
    claim = claims_by_id()[claim_id]
    return status(claim, reproduce_value(claim, values))
