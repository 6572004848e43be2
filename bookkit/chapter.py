"""The one setup call of every computed chapter.

A chapter notebook starts with a papermill ``parameters`` cell (``data_path`` and
any field of :class:`analysis.options.Options`), then calls
``ch = chapter.setup(globals())``. That call reads the results of those options
from the results store (computing them if needed: a reviewer's papermill run
with ``-p exclusion_minutes 10`` shows the new numbers), shows the data notice
and the provenance note, and glues every key of the manifest formatted by
:func:`bookkit.fmt.format_value`, plus the sentence of every conclusion
(:mod:`analysis.conclusions`) under its id (``{glue:text}`` shows it with its effect size, interval and
P, :func:`bookkit.directives.verdict_nodes`), ``twin_note_<id>`` (:mod:`bookkit.twin_notes`) for every
conclusion and every value the twin replaces, and ``method_<choice>``
(:func:`bookkit.interpret.method_words`). The chapter's markdown then pastes
``{glue:text}`key``` with the manifest's own key names.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.conclusions import CONCLUSIONS
from analysis.engine import Results
from analysis.options import NAMES, Options
from analysis.store import Session

from . import fmt, interpret, present, twin_notes, verdicts, words


@dataclass
class Chapter:
    """What a chapter works with after :func:`setup`."""

    results: Results
    options: Options
    session: Session

    @property
    def values(self) -> dict:
        return self.results.values


def parameters_of(namespace: dict) -> dict:
    """The chapter parameters found in a notebook's namespace (``data_path`` and the option names)."""
    return {k: namespace[k] for k in ("data_path", *NAMES) if k in namespace}


def glue_text(key: str, text: str) -> None:
    """Glue a preformatted string for ``{glue:text}`` (not displayed in the notebook).

    The plain-text form is a quoted Python literal: myst-nb reads pasted text with
    ``ast.literal_eval``, so an unquoted ".009" would come back as 0.009.
    """
    from myst_nb import glue

    glue(key, _Text(text), display=False)


class _Text:
    def __init__(self, text: str):
        self.text = str(text)

    def __repr__(self) -> str:
        return repr(self.text)

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self.text))


def glue_figure(key: str, fig, raster: bool = False, narrow=None) -> None:
    """Glue a matplotlib figure for ``{glue:figure}``: deterministic SVG (vector, sharp at any width), or
    with ``raster`` a PNG at twice its display density (for dense scatters, where SVG only adds weight).
    ``narrow``, the same figure drawn for a phone (``width=figures.NARROW_IN``), is shown instead on narrow
    screens (:func:`bookkit.figures.responsive_svg`)."""
    from IPython.display import SVG, Image
    from myst_nb import glue

    from .figures import figure_png, figure_svg, responsive_svg

    if raster:
        glue(key, Image(figure_png(fig), format="png"), display=False)
    else:
        glue(key, SVG(responsive_svg(fig, narrow) if narrow is not None else figure_svg(fig)), display=False)


def show_markdown(text: str) -> None:
    """Display MyST markdown as a cell output (rendered by myst-nb)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def setup(namespace: dict, glue: bool = True) -> Chapter:
    """Results of the notebook's parameters, the notice and provenance shown, every number glued."""
    params = parameters_of(namespace)
    options = Options.from_mapping(params)
    session = Session(params.get("data_path"))
    results = session.results(options)
    show_markdown(present.notice_markdown(results.values))
    show_markdown(present.provenance_markdown(params, results.values))
    if glue:
        for key, text in fmt.format_all(results.values).items():
            glue_text(key, text)
        for c in CONCLUSIONS:  # the sentence; {glue:text} adds its effect and interval, and its twin note
            glue_text(c.id, verdicts.sentence(c, results.values))
            glue_text(f"twin_note_{c.id}", twin_notes.note(c.id, results.values))
        for key in twin_notes.replaced_keys():  # "" on any data but the twin
            glue_text(f"twin_note_{key}", twin_notes.with_note("", key, results.values))
        for key, text in interpret.method_words(results.values).items():
            glue_text(key, text)
        for name, spec in words.GLUED.items():  # interpretive words, chosen by their rule
            glue_text(name, words.phrase(spec, results.values))
    return Chapter(results=results, options=options, session=session)


def glue_multiverse(ch: Chapter, conclusion_ids: list[str]) -> None:
    """Glue ``mv_{id}``: how often each conclusion holds across the multiverse of the chapter's data."""
    from analysis.multiverse import stored_multiverse

    from .words import multiverse_note

    doc = stored_multiverse(ch.session)
    for cid in conclusion_ids:
        glue_text(f"mv_{cid}", multiverse_note(cid, doc, ch.values))
