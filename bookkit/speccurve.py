"""The specification curve of one conclusion (Simonsohn, Simmons & Nelson, 2020).

Top panel: the conclusion's estimate in every estimable distinct analysis (one specification per
combination of the choices its rule can depend on; the copies that differ only in other choices are left
out), sorted, with its 95% interval where the results have one as a band; blue where the conclusion's rule
holds, vermillion where it does not, the paper's specification ringed and marked by a dotted line through
both panels. Bottom panel: the choice matrix, one row per level of each choice the conclusion can depend on
(grouped under the choice's name, in words from :mod:`bookkit.labels`), a mark where that analysis uses it,
coloured by the analysis' verdict.

Like the book's other figures (:mod:`bookkit.figures`) it is SVG in the book's style, drawn
:data:`~bookkit.figures.WIDTH_IN` wide and, for phones, :data:`~bookkit.figures.NARROW_IN` wide, with no text
under :data:`~bookkit.figures.MIN_FONT_PT`. The matrix is one small image (a few kB however many analyses)
rather than a mark per cell, so that the 768 analyses of a *t*-test conclusion do not weigh megabytes.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.conclusions import BY_ID
from analysis.options import Options

from . import labels
from .figures import MIN_FONT_PT, OKABE_ITO, WIDTH_IN, BookFigure, _styled

HOLDS, FAILS = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
PAPER_COLOUR = "#000000"
#: Pixels per analysis (columns) and per row of the matrix image, so that the browser scales it little.
_MIN_IMAGE_PX = 640
_ROW_PX = 16
#: Above this many analyses the estimates are drawn as a line and their intervals as an unstepped band.
DENSE = 200


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


def matrix_rows(doc: dict, conclusion_id: str) -> list[tuple[str, object | None]]:
    """The rows of the choice matrix: per choice the conclusion can depend on, a header ``(choice, None)``
    then one row ``(choice, level)`` per level, in the multiverse's order."""
    from analysis.engine import DEPENDS_ON

    part = DEPENDS_ON[BY_ID[conclusion_id].part]
    rows: list[tuple[str, object | None]] = []
    for name, levels in doc["dimensions"].items():
        if name in part:
            rows += [(name, None), *((name, level) for level in levels)]
    return rows


def row_label(name: str, level) -> str:
    """A matrix row's label: the choice in words for a header row, the level in words otherwise."""
    return labels.choice(name) if level is None else labels.level(name, level)


def _matrix_image(specs: list[dict], verdicts: list[bool], rows) -> np.ndarray:
    """RGBA image of the choice matrix: :data:`_ROW_PX` pixel rows per matrix row (one left blank as a
    gap), each analysis repeated to at least :data:`_MIN_IMAGE_PX` pixels across, with a one-pixel gap
    between analyses when they are wide enough to show one; transparent where an analysis does not use
    the level."""
    from matplotlib.colors import to_rgba

    n = len(specs)
    per = max(1, math.ceil(_MIN_IMAGE_PX / max(n, 1)))
    image = np.zeros((len(rows) * _ROW_PX, n * per, 4))
    for j, (spec, verdict) in enumerate(zip(specs, verdicts, strict=True)):
        colour = to_rgba(HOLDS if verdict else FAILS)
        for i, (name, level) in enumerate(rows):
            if level is not None and spec["options"][name] == level:
                image[i * _ROW_PX + 1:(i + 1) * _ROW_PX - 1, j * per:(j + 1) * per - (1 if per > 3 else 0)] = colour
    return image


def _paper_index(specs: list[dict], dims: dict) -> int | None:
    paper = Options().as_dict()
    return next((i for i, s in enumerate(specs) if all(s["options"][k] == paper[k] for k in dims)), None)


@_styled
def specification_curve(doc: dict, conclusion_id: str, width: float = WIDTH_IN) -> Figure:
    """The figure described in the module docstring, ``width`` inches wide (:data:`~bookkit.figures.NARROW_IN`
    for the phone variant, which stacks its legend)."""
    c = BY_ID[conclusion_id]
    specs, verdicts, estimates = curve_data(doc, conclusion_id)
    rows = matrix_rows(doc, conclusion_id)
    narrow = width < WIDTH_IN
    n = len(specs)
    x = np.arange(n)
    dense = n > DENSE
    top_in, row_in = (2.5 if narrow else 2.3), 0.2
    fig = BookFigure(figsize=(width, top_in + row_in * len(rows) + (1.9 if narrow else 1.35)), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[top_in, row_in * len(rows)])
    small = max(MIN_FONT_PT, 10.0)

    mask = np.array(verdicts, dtype=bool)
    if c.interval and n:
        lo = np.array([_number(s["results"].get(c.interval[0])) for s in specs])
        hi = np.array([_number(s["results"].get(c.interval[1])) for s in specs])
        for where, colour in ((mask, HOLDS), (~mask, FAILS)):
            top.fill_between(x, lo, hi, where=where, step=None if dense else "mid", color=colour, alpha=0.22, lw=0)
    est = np.array(estimates, float)
    for where, colour in ((mask, HOLDS), (~mask, FAILS)):
        if dense:  # hundreds of analyses: a dot each would overlap into a line anyway, and weigh far more
            top.plot(x, np.where(where, est, np.nan), color=colour, lw=3.5, solid_capstyle="butt", zorder=3)
        else:
            top.scatter(x[where], est[where], s=22, color=colour, zorder=3, lw=0)
    top.axhline(c.reference, color="#555555", lw=0.9, ls=":")
    paper = _paper_index(specs, doc["dimensions"])
    if paper is not None:
        top.scatter([paper], [est[paper]], s=110, facecolors="none", edgecolors=PAPER_COLOUR, lw=1.6, zorder=4)
        for ax in (top, bottom):
            ax.axvline(paper, color=PAPER_COLOUR, lw=0.9, ls=(0, (2, 2)), zorder=5)
    top.set_ylabel(labels.effect(c), fontsize=small)
    top.tick_params(axis="both", labelsize=small)
    top.grid(axis="y", color="#E5E5E5", lw=0.8)
    top.set_axisbelow(True)
    holds = int(mask.sum())

    handles = [Line2D([], [], marker="o", ls="", color=HOLDS, label="holds"),
               Line2D([], [], marker="o", ls="", color=FAILS, label="does not hold")]
    if c.interval:
        handles.append(Patch(color="#999999", alpha=0.4, lw=0, label="95% interval"))
    if paper is not None:
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor=PAPER_COLOUR,
                              markersize=10, mew=1.6, label="the paper's choices"))
    # the title heads the legend, both above the panels (a figure title and an outside legend overlap)
    fig.legend(handles=handles, loc="outside upper left", ncol=2 if narrow else len(handles), frameon=False,
               fontsize=small, handletextpad=0.3, columnspacing=1.2, alignment="left",
               title=f"Holds in {holds} of {n} distinct analyses", title_fontproperties={"weight": "bold", "size": 12})

    bottom.imshow(_matrix_image(specs, verdicts, rows), aspect="auto", interpolation="none",
                  extent=(-0.5, n - 0.5, len(rows) - 0.5, -0.5))
    for i, (_, level) in enumerate(rows):
        if level is None and i:
            bottom.axhline(i - 0.5, color="#BBBBBB", lw=0.8)
    bottom.set_yticks(range(len(rows)), [row_label(name, level) for name, level in rows])
    for tick, (_, level) in zip(bottom.get_yticklabels(), rows, strict=True):
        tick.set_fontsize(small)
        if level is None:
            tick.set_fontweight("bold")
    bottom.tick_params(axis="y", length=0)
    bottom.tick_params(axis="x", labelsize=small)
    bottom.set_xlim(-0.5, n - 0.5)
    bottom.xaxis.set_major_locator(MaxNLocator(nbins=3 if narrow else 6, integer=True, min_n_ticks=2))
    bottom.set_xlabel("Distinct analyses, sorted by the estimate", fontsize=small, loc="right")
    for side in ("left", "right", "top"):
        bottom.spines[side].set_visible(False)
    return fig


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def figure_pair(doc: dict, conclusion_id: str) -> tuple[Figure, Figure]:
    """The curve for the page and its phone variant (for :func:`bookkit.chapter.glue_figure`'s ``narrow``)."""
    from .figures import NARROW_IN

    return specification_curve(doc, conclusion_id), specification_curve(doc, conclusion_id, width=NARROW_IN)


def svg_bytes(fig: Figure) -> int:
    """The size of the figure's SVG in bytes (the page must stay light)."""
    from .figures import figure_svg

    return len(figure_svg(fig).encode("utf-8"))

