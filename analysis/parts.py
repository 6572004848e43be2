"""Which part of the analysis computes each results key (issue #22: the explorable site's data by part).

Every key of :func:`analysis.engine.run_analysis` is computed by one part of :data:`analysis.engine.DEPENDS_ON`
(the part whose memo entry holds it: ``run_analysis`` copies it from there), so its value depends on that
part's choices only; the choices themselves are the pseudo-part :data:`OPTIONS_PART` and the provenance of the
data :data:`FIXED_PART`. Declared here, beside the engine (whose module is at its size limit), by rules on the
declared keys (:mod:`analysis.kinds`); ``tests/test_explore_data.py`` checks them against the memo's entries and
by changing choices.
"""

from __future__ import annotations

import functools
import re

from . import kinds, multiplicity, ttests

#: The pseudo-parts of the keys no part computes: the choices themselves (``Options`` fields, the same in
#: every run with those choices) and provenance (the data file: the same in every analysis of one survey).
OPTIONS_PART, FIXED_PART = "options", "fixed"
#: Which part computes each results key: ``(part, pattern)`` rules, the first whose pattern matches the whole
#: key wins (:func:`key_parts`). The part is the one whose memo entry holds the key (``run_analysis`` copies
#: it from there), so the key's value depends on ``DEPENDS_ON[part]`` only.
_STEMS = r"(?:safe_total|selfeff_total)"  # ttests.KEY_TTESTS (checked in key_parts)
KEY_PART_RULES: tuple[tuple[str, str], ...] = (
    ("equivalence", r"(?:gad|phq)_lgcm_(?:slope|intercept_slope_cov)_(?:sesoi|p_equivalence|judgement)"),
    ("growth", r"(?:gad|phq)_lgcm_.+"),
    ("caseness", r"caseness_.+"),
    ("ttest_values", rf"(?:t|df|p|p_one_tailed|p_two_tailed|welch|n_posted|n_never|mean_posted|mean_never|d|g|ps)"
                     rf"_{_STEMS}(?:_ci_low|_ci_high)?"),
    ("correlation_values", r"(?:r|p|p_unadjusted|n)_(?:{pairs})(?:_ci_low|_ci_high)?"),
    ("reliability", r"alpha_.+"),
    ("sample", r"n_.+|(?:gad|phq)_t\d_(?:n|mean|sd|observed_mean)"),
    (FIXED_PART, r"data_(?:sha256|file|is_twin)"),
)


def key_parts() -> dict[str, str]:
    """Every declared results key (:func:`analysis.kinds.declared`) -> the part of
    :data:`analysis.engine.DEPENDS_ON` that computes it, :data:`OPTIONS_PART` for a choice (an ``Options``
    field) or :data:`FIXED_PART` for provenance (by :data:`KEY_PART_RULES`). Raises ``ValueError`` when a
    declared key matches no rule, a rule matches no key or names no part (the declaration is out of date)."""
    return dict(_key_parts())


@functools.lru_cache(maxsize=1)
def _key_parts() -> tuple[tuple[str, str], ...]:
    from . import options
    from .engine import DEPENDS_ON

    strange = {part for part, _ in KEY_PART_RULES} - set(DEPENDS_ON) - {FIXED_PART}
    if strange:
        raise ValueError(f"parts.KEY_PART_RULES name parts the engine does not have: {sorted(strange)}")
    if set(ttests.KEY_TTESTS) != set(re.findall(r"\w+", _STEMS)):
        raise ValueError(f"KEY_PART_RULES name the t tests {_STEMS}, the engine runs {ttests.KEY_TTESTS}")
    pairs = "|".join(re.escape(name) for _, name in multiplicity.correlation_pairs())
    rules = [(part, re.compile(pattern.replace("{pairs}", pairs))) for part, pattern in KEY_PART_RULES]
    out, used = {}, set()
    for key in kinds.declared():
        if key in options.NAMES:
            out[key] = OPTIONS_PART
            continue
        part = next((part for part, rx in rules if rx.fullmatch(key)), None)
        if part is None:
            raise ValueError(f"results key {key!r} matches no rule of parts.KEY_PART_RULES")
        out[key], used = part, used | {part}
    unused = [part for part, _ in KEY_PART_RULES if part not in used]
    if unused:
        raise ValueError(f"parts.KEY_PART_RULES: no declared key for {unused}")
    return tuple(out.items())
