"""The specification curve of one conclusion (Simonsohn, Simmons & Nelson, 2020).

Top panel: the conclusion's estimate in every estimable distinct analysis (one specification per
combination of the choices its rule can depend on; the copies that differ only in other choices are left
out), sorted, with its 95% interval where the results have one; filled where the conclusion's rule holds,
hollow where it does not, the paper's specification ringed. Bottom panel: the choice matrix, one row per
level of each dimension the conclusion can depend on, a mark where that analysis uses it. Styles are
applied inside the function.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from analysis.conclusions import BY_ID
from analysis.options import Options

HOLDS, FAILS = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion


def distinct_specifications(doc: dict, conclusion_id: str) -> list[dict]:
    """One specification per distinct analysis of the conclusion: those whose choices outside the ones its
    part depends on (:data:`analysis.engine.DEPENDS_ON`) are the paper's."""
    from analysis.engine import DEPENDS_ON

    c = BY_ID[conclusion_id]
    paper = Options().as_dict()
    fixed = [d for d in doc["dimensions"] if d not in DEPENDS_ON[c.part]]
    return [s for s in doc["specifications"] if all(s["options"][d] == paper[d] for d in fixed)]


def curve_data(doc: dict, conclusion_id: str) -> tuple[list[dict], list[bool], list[float]]:
    """The estimable distinct analyses of a conclusion (:func:`distinct_specifications`), sorted by its
    estimate, with verdicts and estimates."""
    c = BY_ID[conclusion_id]
    rows = []
    for spec in distinct_specifications(doc, conclusion_id):
        res = spec.get("results")
        if not res or res.get(c.key) is None:
            continue
        verdict = c.holds(res)
        if verdict is None:
            continue
        rows.append((res[c.key], spec, verdict))
    rows.sort(key=lambda r: r[0])
    return [r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows]


def specification_curve(doc: dict, conclusion_id: str) -> Figure:
    """The figure described in the module docstring (6.4 in wide, text at least 9.5 pt)."""
    c = BY_ID[conclusion_id]
    from analysis.engine import DEPENDS_ON

    specs, verdicts, estimates = curve_data(doc, conclusion_id)
    dims = doc["dimensions"]
    labels = [(name, level) for name, levels in dims.items() for level in levels if name in DEPENDS_ON[c.part]]
    with matplotlib.rc_context({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False}):
        fig = Figure(figsize=(6.4, 5.6), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.1, 1.6])
        x = np.arange(len(specs))
        colours = [HOLDS if v else FAILS for v in verdicts]
        if c.interval:
            lo = [s["results"].get(c.interval[0]) for s in specs]
            hi = [s["results"].get(c.interval[1]) for s in specs]
            for xi, a, b, col in zip(x, lo, hi, colours, strict=False):
                if a is not None and b is not None:
                    top.plot([xi, xi], [a, b], color=col, alpha=0.25, lw=0.8)
        top.scatter(x, estimates, s=9, c=colours, zorder=3)
        top.axhline(c.reference, color="#555555", lw=0.8, ls=":")
        paper = Options().as_dict()
        for xi, s in zip(x, specs, strict=False):
            if all(s["options"][k] == paper[k] for k in dims):
                top.scatter([xi], [estimates[xi]], s=90, facecolors="none", edgecolors="black", lw=1.5, zorder=4,
                            label="the paper's choices")
        top.set_ylabel(c.key, fontsize=9.5)
        holds = sum(verdicts)
        top.set_title(f"{c.id}: holds in {holds} of {len(verdicts)} distinct analyses", loc="left", fontsize=10.5)
        if top.get_legend_handles_labels()[0]:
            top.legend(loc="upper left", frameon=False, fontsize=9.5)
        for row, (name, level) in enumerate(labels):
            used = [xi for xi, s in zip(x, specs, strict=False) if s["options"][name] == level]
            bottom.scatter(used, [row] * len(used), s=2, marker="s", color="#333333")
        bottom.set_yticks(range(len(labels)), [f"{n.replace('_', ' ')}: {lvl}" for n, lvl in labels], fontsize=9.5)
        bottom.invert_yaxis()
        bottom.set_xlabel("distinct analyses, sorted by the estimate", fontsize=9.5)
        bottom.tick_params(axis="x", labelsize=9.5)
    return fig
