"""The book's figures, drawn from what the analysis functions return (no statistics computed here).

Sizes are chosen for the page: every figure is :data:`WIDTH_IN` inches wide and shown at the width
of the content column (:data:`SHOWN_PX`, 688 px on desktop), so a font of ``s`` points appears at
``s * SHOWN_PX / (72 * WIDTH_IN)`` pixels; no text is smaller than :data:`MIN_FONT_PT` (about 14 px
at 688 px). Colours are the Okabe-Ito palette, safe for colour-blind readers. Styles are applied
inside each function (``matplotlib.rc_context``); importing this module changes nothing.

:func:`figure_svg` writes a figure as SVG that is the same byte for byte for the same figure (fixed
hash salt, no date, text as paths); :func:`figure_png` renders it at its display width. The figures
are :class:`BookFigure` objects, which a notebook displays, and myst-nb's ``glue`` stores, as that SVG.
"""

from __future__ import annotations

import functools
import io
import re

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import fmt

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#BBBBBB"

WIDTH_IN = 6.4  # every figure's width in inches
SHOWN_PX = 688  # the content column's width on desktop
MIN_FONT_PT = 9.5  # smallest text: 9.5 pt -> 14 px at 688 px
NARROW_IN = 3.9  # the phone variant's width: 9.5 pt -> 12 px at 358 px (a 390 px screen's column)
PHONE_PX = 358  # the content column on a 390 px screen
NARROW_MEDIA = "(max-width: 640px)"  # screens that get the narrow variant (bookkit.sphinx_ext)

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.prop_cycle": matplotlib.cycler(
        color=[
            OKABE_ITO[k]
            for k in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "yellow", "black")
        ]
    ),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "svg.hashsalt": "ipof",
    "svg.fonttype": "path",
}

#: The fonts of a figure's SVG text when it is kept as text (``figure_svg(text="text")``): the drawing
#: font, then Verdana and Bitstream Vera Sans (DejaVu Sans's metrics come from Vera's, close to Verdana's).
TEXT_FONTS = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"

LABELS = {
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "age_group": "Age group",
    "use_duration": "Time using the forum",
    "use_frequency": "How often",
    "forum": "Forum",
    "sexuality": "Sexuality",
}


class BookFigure(Figure):
    """A Figure that notebooks (and myst-nb's glue) display as its deterministic SVG.

    The book's figures are not made with pyplot, so no backend display hook applies to them.
    """

    def _repr_svg_(self) -> str:
        return figure_svg(self)


def _styled(draw):
    """Run a drawing function inside the book's style (rc_context), leaving global rcParams alone.

    The layout is solved once and then frozen, so every later save (PNG at any dpi, SVG) places
    everything at the same positions and the SVG does not depend on what was saved before.
    """

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            fig = draw(*args, **kwargs)
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
            _round_positions(fig)
            return fig

    return wrapper


def shown_px(size_pt: float, fig: Figure, column_px: int = SHOWN_PX) -> float:
    """How many screen pixels a font of ``size_pt`` points is when ``fig`` is shown ``column_px`` wide."""
    return size_pt * column_px / (72 * fig.get_figwidth())


def _category_label(text: str) -> str:
    """'prefer_not_to_say' -> 'Prefer not to say', 'non_binary' -> 'Non-binary', '16-24' -> '16–24'."""
    text = {"non_binary": "non-binary"}.get(str(text), str(text)).replace("_", " ")
    text = re.sub(r"(?<=\d)-(?=\d)", "\u2013", text)
    return text[:1].upper() + text[1:]


@_styled
def sample_description_figure(
    table: pd.DataFrame,
    variables=("gender", "age_group", "ethnicity", "use_duration"),
    labels: dict[str, str] | None = None,
    width: float = WIDTH_IN,
) -> Figure:
    """Horizontal bars of percent of the included sample, one panel per variable, stacked on one scale.

    Takes ``description_table`` output or its disclosure-protected form: a withheld percentage is not
    drawn; its category is kept and marked "withheld" so the figure does not hide that it exists.
    """
    from . import labels as codebook_labels

    labels = {**LABELS, **(labels or {})}
    parts = [table[table["variable"] == v] for v in variables]
    pcts = [pd.to_numeric(p["percent"].where(~p["percent"].map(fmt.is_suppressed)), errors="coerce") for p in parts]
    sizes = [max(len(p), 1) for p in parts]
    top = max(float(np.nanmax(p.to_numpy(float), initial=0)) for p in pcts)
    fig = BookFigure(figsize=(width, 0.29 * sum(sizes) + 0.5 * len(variables) + 0.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(variables), 1, sharex=True, gridspec_kw={"height_ratios": sizes}))
    for ax, var, part, pct in zip(axes, variables, parts, pcts, strict=False):
        y = np.arange(len(part))
        ax.barh(y, pct.fillna(0).to_numpy(float), color=OKABE_ITO["blue"], height=0.72)
        ax.set_yticks(y, [codebook_labels.category(c) for c in part["category"]])
        ax.set_ylim(len(part) - 0.5, -0.5)
        for yi, p in zip(y, pct, strict=False):
            text, colour = ("withheld", "#555555") if pd.isna(p) else (f"{p:.0f}%", "black")
            ax.text(
                (0 if pd.isna(p) else p) + top * 0.015,
                yi,
                text,
                va="center",
                fontsize=10.5,
                style="italic" if pd.isna(p) else "normal",
                color=colour,
            )
        ax.set_title(labels.get(var, codebook_labels.label(var)), loc="left", fontsize=11.5)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.spines["bottom"].set_visible(False)
    axes[0].set_xlim(0, top * 1.12 + 1)
    return fig


@_styled
def caseness_figure(cases: int, not_cases: int, nhs_cases: int, nhs_not: int, width: float = WIDTH_IN) -> Figure:
    """Stacked percentage bars: caseness in the survey and in NHS Talking Therapies North West 2022-23."""
    fig = BookFigure(figsize=(width, 2.5 if width >= WIDTH_IN else 2.9), layout="constrained")
    ax = fig.subplots()
    groups = ["Forum survey", "NHS Talking\nTherapies, North\nWest 2022\u201323" if width < WIDTH_IN
              else "NHS Talking Therapies,\nNorth West 2022\u201323"]
    pct_case = np.array([100 * cases / (cases + not_cases), 100 * nhs_cases / (nhs_cases + nhs_not)])
    ax.barh(groups, pct_case, color=OKABE_ITO["blue"], label="Caseness", height=0.6)
    ax.barh(groups, 100 - pct_case, left=pct_case, color=GREY, label="Not caseness", height=0.6)
    for y, p in enumerate(pct_case):
        ax.text(p / 2, y, f"{p:.0f}%", ha="center", va="center", color="white", fontweight="bold", fontsize=12)
        if 100 - p >= 12:  # label the grey part only where the label fits inside it
            ax.text(p + (100 - p) / 2, y, f"{100 - p:.0f}%", ha="center", va="center", color="black", fontsize=12)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("Percentage of people")
    ax.invert_yaxis()
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False, borderaxespad=0.2)
    return fig


def shared_limits(lows, highs, nbins: int = 4) -> tuple[float, float]:
    """Round axis limits (the outermost 'nice' ticks, steps of 1, 2, 2.5 or 5 x 10^k) covering the values."""
    from matplotlib.ticker import MaxNLocator

    lo, hi = float(np.nanmin(lows)), float(np.nanmax(highs))
    ticks = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    return float(ticks[ticks <= lo].max()), float(ticks[ticks >= hi].min())


@_styled
def growth_figure(panels: list[tuple[str, pd.DataFrame, np.ndarray]], min_group: int | None = None,
                  width: float = WIDTH_IN) -> Figure:
    """Observed wave means with 95% CIs and the model-implied linear trajectory, one panel per scale.

    ``panels`` holds (title, observed_wave_summary table, implied means per wave). All panels share
    one y axis (same scale, round limits covering every CI and trajectory), so the scales compare.
    Waves with fewer than ``min_group`` respondents (default: the disclosure setting) are not drawn.
    A ``width`` under :data:`WIDTH_IN` (the phone variant) stacks the panels.
    """
    from matplotlib.ticker import MaxNLocator

    if min_group is None:
        from analysis.disclosure import settings

        min_group = settings()["min_group"]
    shown = [(title, obs[obs["n"] >= min_group], np.asarray(implied, float), obs) for title, obs, implied in panels]
    lows = [v for _, o, imp, _ in shown for v in (*o["ci_low"], *imp)]
    highs = [v for _, o, imp, _ in shown for v in (*o["ci_high"], *imp)]
    ylim = shared_limits(lows, highs)
    narrow = width < WIDTH_IN
    fig = BookFigure(figsize=(width, 2.9 * len(panels) + 0.9 if narrow else 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharey=True, sharex=True) if narrow
                         else fig.subplots(1, len(panels), sharey=True))
    for ax, (title, observed, implied, every_wave) in zip(axes, shown, strict=False):
        times = every_wave["time"].to_numpy(float)
        ax.plot(times, implied, "-", color=OKABE_ITO["vermillion"], lw=2.5, label="Model-implied trajectory")
        t = observed["time"].to_numpy(float)
        mean = observed["mean"].to_numpy(float)
        ax.errorbar(
            t,
            mean,
            yerr=[mean - observed["ci_low"].to_numpy(float), observed["ci_high"].to_numpy(float) - mean],
            fmt="o",
            color=OKABE_ITO["black"],
            ms=6,
            capsize=4,
            lw=1.5,
            label="Observed mean (95% CI)",
        )
        ax.set_xticks(times, [f"T{i + 1}\nweek {6 * i}" for i in range(len(times))])
        ax.set_xlim(times.min() - 0.3, times.max() + 0.3)
        ax.set_title(title, loc="left")
        ax.grid(axis="y", color="#DDDDDD", lw=0.8)
        ax.set_axisbelow(True)
    axes[0].set_ylim(*ylim)
    axes[0].yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    for ax in axes if narrow else axes[:1]:
        ax.set_ylabel("Mean sum score")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=1 if narrow else 2, frameon=False)
    return fig


def _diverging():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "okabe_ito_diverging", [OKABE_ITO["blue"], "#FFFFFF", OKABE_ITO["vermillion"]]
    )


def text_colour(background) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else "black"


@_styled
def correlation_heatmap(matrix: pd.DataFrame, labels: dict[str, str] | None = None, width: float = WIDTH_IN,
                        coefficient: str = "pearson") -> Figure:
    """Heatmap of a correlation matrix: lower triangle without the diagonal, r printed as '.41'.

    The axes are numbered and a key under the heatmap names each variable by its codebook label
    (:mod:`bookkit.labels`; ``labels`` overrides), so that long item names stay legible on a phone
    (``width`` :data:`NARROW_IN`: a one-column key, smaller cells). Cells that are NaN (e.g. pairs withheld
    by disclosure control) are left blank. The colour bar sits in the empty upper triangle, titled by
    ``coefficient`` (option ``correlation``: Pearson's r or Spearman's rho).
    """
    import textwrap

    from matplotlib.colors import Normalize

    from . import labels as codebook_labels

    names = list(matrix.columns)
    values = matrix.to_numpy(float)[1:, :-1]  # rows 2..k, columns 1..k-1: the lower triangle
    shown = np.where(np.tril(np.ones_like(values, dtype=bool)), values, np.nan)
    k = shown.shape[0]
    narrow = width < WIDTH_IN
    label = {n: (labels or {}).get(n) or codebook_labels.short(n) for n in names}
    key_cols = 1 if narrow else 2
    wrap = 44 if narrow else 36
    key = [textwrap.wrap(f"{i + 1}  {label[n]}", wrap, subsequent_indent="     ") for i, n in enumerate(names)]
    per_col = -(-len(key) // key_cols)
    key_lines = max(sum(len(k_) for k_ in key[c * per_col:(c + 1) * per_col]) for c in range(key_cols))
    key_in = 0.2 * key_lines + 0.3
    cmap, norm = _diverging(), Normalize(-1, 1)
    fig = BookFigure(figsize=(width, width * 0.92 + key_in), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[width * 0.92, key_in])
    ax = fig.add_subplot(grid[0])
    image = ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, norm=norm)
    cell_pt = 9.3 if narrow else 10  # 9.3 pt -> 11.4 px on a phone, and "−.12" still fits its cell
    for i in range(k):
        for j in range(i + 1):
            r = shown[i, j]
            if not np.isnan(r):
                ax.text(j, i, fmt.fmt_bounded(r, 2), ha="center", va="center", fontsize=cell_pt,
                        color=text_colour(cmap(norm(r))))
    ax.set_xticks(range(k), [str(i + 1) for i in range(k)])
    ax.set_yticks(range(k), [str(i + 2) for i in range(k)])
    ax.tick_params(length=0, labelsize=10.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    holder = ax.inset_axes([0.55, 0.9, 0.42, 0.045])  # in the empty upper triangle
    bar = fig.colorbar(image, cax=holder, orientation="horizontal", ticks=[-1, 0, 1])
    bar.ax.set_xticklabels([fmt.fmt_num(v, 0) for v in (-1, 0, 1)])
    bar.ax.tick_params(labelsize=10)
    bar.ax.set_title({"pearson": "Pearson $r$", "spearman": "Spearman $\\rho$"}[coefficient], fontsize=10.5,
                     loc="center")
    bar.outline.set_visible(False)
    keys = fig.add_subplot(grid[1])
    keys.axis("off")
    for c in range(key_cols):
        text = "\n".join(line for entry in key[c * per_col:(c + 1) * per_col] for line in entry)
        keys.text(c / key_cols, 1, text, va="top", ha="left", fontsize=10, linespacing=1.35,
                  transform=keys.transAxes)
    return fig


def figure_svg(fig: Figure, text: str = "path") -> str:
    """The figure as SVG text, identical for identical figures (fixed hash salt, no date).

    Text is drawn as paths (``text="path"``), so the figure looks the same whatever fonts the reader's device
    has; ``text="text"`` keeps it as ``<text>`` in the book's font (DejaVu Sans, else the device's sans-serif),
    a third of the bytes, for the explorable site's many variants (:mod:`bookkit.explore`).
    """
    if text not in ("path", "text"):
        raise ValueError(f"text must be 'path' or 'text', not {text!r}")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "ipof", "svg.fonttype": "path" if text == "path" else "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    if text == "text":  # a device without DejaVu Sans falls back to a sans-serif of similar widths, not to serif
        return buffer.getvalue().replace("font-family: 'DejaVu Sans'", f"font-family: {TEXT_FONTS}")
    return buffer.getvalue()


def responsive_svg(wide: Figure, narrow: Figure) -> str:
    """The wide figure's SVG carrying its phone variant (``data-ipof-narrow``, base64 SVG): the book's Sphinx
    extension writes that variant out and shows it to screens of :data:`NARROW_MEDIA` (``<picture>``)."""
    return with_narrow(figure_svg(wide), figure_svg(narrow))


def with_narrow(wide_svg: str, narrow_svg: str) -> str:
    """SVG text ``wide_svg`` carrying ``narrow_svg`` as its phone variant (see :func:`responsive_svg`)."""
    import base64

    encoded = base64.b64encode(narrow_svg.encode("utf-8")).decode("ascii")
    return wide_svg.replace("<svg ", f'<svg data-ipof-narrow="{encoded}" ', 1)


def figure_png(fig: Figure, column_px: int = SHOWN_PX, density: float = 2.0) -> bytes:
    """The figure as PNG, ``column_px * density`` pixels wide (shown at ``column_px`` on a 2x screen)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=column_px * density / fig.get_figwidth(), metadata={"Software": None})
    return buffer.getvalue()


def _round_positions(fig: Figure, decimals: int = 6) -> None:
    """Round every axes' position (figure fraction) after the layout is solved.

    The constrained-layout solver's last bits vary from process to process (with Python's string-hash
    seed), which moved a clip rectangle by 1e-6 pt in one build in ten; rounded, the same figure is the
    same SVG.
    """
    for ax in fig.get_axes():
        if ax.get_axes_locator() is None:  # an inset follows its (rounded) parent
            ax.set_position([round(v, decimals) for v in ax.get_position(original=False).bounds])
