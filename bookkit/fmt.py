"""Number formatting of the book (APA style, as the paper prints numbers).

Placeholder until the presentation helpers land; same behaviour as before.
"""

from __future__ import annotations

import math

#: The one symbol for every suppressed or withheld cell (explained in a footnote under each table).
SUPPRESSED = "<8"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x: float, decimals: int) -> str:
    """Fixed decimals with a true minus sign; 'n/a' for a missing value."""
    if _missing(x):
        return "n/a"
    return f"{x:.{decimals}f}".replace("-", "\u2212")


def fmt_bounded(x: float, decimals: int = 3) -> str:
    """A value bounded by 1 (r, V, alpha) without its leading zero: '.414', '−.071'."""
    return fmt_num(x, decimals).replace("0.", ".", 1)


def fmt_int(x) -> str:
    """An integer with a thousands separator."""
    return "n/a" if _missing(x) else f"{int(x):,}"


def fmt_p(p: float) -> str:
    """A p value as the paper prints it (APA): '<.001', else three decimals without the leading zero."""
    if _missing(p):
        return "n/a"
    if p < 0.001:
        return "<.001"
    return f"{p:.3f}".lstrip("0")


def fmt_p_relation(p: float) -> str:
    """A p value with its relation sign, for prose: '<.001' or '=.009' (write "P" right before it)."""
    text = fmt_p(p)
    return text if text.startswith("<") or text == "n/a" else "=" + text


def fmt_pct(n: int, total: int, decimals: int = 0) -> str:
    """n as a percentage of total."""
    return f"{100 * n / total:.{decimals}f}%"
