"""The explorable site's figures (:mod:`bookkit.explore`): each figure that depends on choices, drawn once per
distinct input over the combinations of its part's choices (wide and phone variants, SVG text kept as text)."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import disclosure
from analysis.engine import DEPENDS_ON, Memo, Results, run_analysis
from analysis.errors import AnalysisError
from analysis.options import Options

from .explore_rows import Stored, combo_text, part_options, part_values


@dataclass(frozen=True)
class ExploreFigure:
    """A figure that depends on choices: ``name`` is its glue key in its notebook (the page's
    ``data-figure``), ``part`` the :data:`DEPENDS_ON` part whose choices it follows, ``inputs`` what it is
    drawn from under an option set (from a :class:`Context`) and ``draw(inputs, width)`` the figure."""

    name: str
    part: str
    inputs: Callable
    draw: Callable


class Context:
    """What figures are drawn from: ``run_analysis`` results (in one memo; choices outside the figure's part
    at the paper's, so the parts they need are mostly already computed) and the exported part values."""

    def __init__(self, memo: Memo, stored: Stored):
        self.memo, self.stored = memo, stored

    def results(self, options: Options) -> Results:
        return run_analysis(self.memo.survey, options, self.memo)

    def values(self, part: str, options: Options) -> dict:
        """The raw values of ``part`` under ``options`` (stored multiverse first, as :func:`part_rows`)."""
        found = self.stored.get(options)
        return found if found is not None else part_values(self.memo, options, part)


def _sample_inputs(ctx: Context, o: Options):
    res = ctx.results(Options(exclusion_minutes=o.exclusion_minutes))
    return disclosure.protect_tables(res.tables, res.values["n_t1"])["sample_description"]


def _caseness_inputs(ctx: Context, o: Options):
    v = ctx.values("caseness", o)
    return tuple(int(v[k]) for k in ("caseness_n_cases", "caseness_n_not_cases", "caseness_nhs_n_cases",
                                     "caseness_nhs_n_not_cases"))


def _growth_inputs(ctx: Context, o: Options):
    from .pagetables import growth_panels

    means = ctx.results(Options(exclusion_minutes=o.exclusion_minutes)).tables["wave_means"]
    return growth_panels(Results(values=ctx.values("growth", o), tables={"wave_means": means}))


def _heatmap_inputs(ctx: Context, o: Options):
    from analysis import correlations

    raw = ctx.results(o).tables["correlations"]
    small_n = raw["n"] < disclosure.settings()["min_group"]
    return correlations.correlation_matrix(raw.assign(r=raw["r"].where(~small_n))), o.correlation


def _draw(name: str):
    def draw(inputs, width):
        from . import figures

        if name == "fig_sample":
            return figures.sample_description_figure(inputs, width=width)
        if name == "fig_caseness":
            return figures.caseness_figure(*inputs, width=width)
        if name == "fig_growth":
            return figures.growth_figure(inputs, width=width)
        matrix, method = inputs
        return figures.correlation_heatmap(matrix, width=width, coefficient=method)

    return draw


#: The figures that follow the choices, as their notebooks draw them (participants, caseness, growth,
#: Appendix 8), by glue key.
FIGURES: dict[str, ExploreFigure] = {f.name: f for f in (
    ExploreFigure("fig_sample", "sample", _sample_inputs, _draw("fig_sample")),
    ExploreFigure("fig_caseness", "caseness", _caseness_inputs, _draw("fig_caseness")),
    ExploreFigure("fig_growth", "growth", _growth_inputs, _draw("fig_growth")),
    ExploreFigure("fig_heatmap", "correlations", _heatmap_inputs, _draw("fig_heatmap")),
)}


def _digest(obj) -> str:
    return hashlib.sha256(pickle.dumps(obj, protocol=4)).hexdigest()


#: The drawings of each figure: (name in explore.json, width in inches, file-name suffix).
VARIANTS = (("wide", "WIDTH_IN", ""), ("narrow", "NARROW_IN", "-narrow"))  # widths: bookkit.figures


def render_figures(ctx: Context, folder: Path) -> dict:
    """Draw every :data:`FIGURES` entry for every combination of its part's choices into ``folder/fig/``
    (SVG, text kept as text: :func:`bookkit.figures.figure_svg` with ``text="text"``), wide and narrow;
    combinations with the same inputs share the files (named by the first such combination). Returns
    explore.json's ``"figures"``; a combination whose inputs cannot be computed (AnalysisError) is left out."""
    from . import figures

    out = {}
    for fig in FIGURES.values():
        names = DEPENDS_ON[fig.part]
        drawn: dict[str, dict] = {}
        files = {}
        for options in part_options(fig.part):
            combo = combo_text(options, names)
            try:
                inputs = fig.inputs(ctx, options)
            except AnalysisError:
                continue
            digest = _digest(inputs)
            if digest not in drawn:
                entry = {}
                for variant, width, suffix in VARIANTS:
                    rel = f"fig/{fig.name}/{combo}{suffix}.svg"
                    path = folder / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    drawing = fig.draw(inputs, getattr(figures, width))
                    path.write_text(figures.figure_svg(drawing, text="text"), encoding="utf-8")
                    entry[variant] = rel
                drawn[digest] = entry
            files[combo] = drawn[digest]
        out[fig.name] = {"part": fig.part, "depends_on": list(names), "files": files}
    return out
