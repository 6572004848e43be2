"""``{words}`SPEC```: rule-chosen words on a markdown page (:func:`bookkit.words.phrase`).

A markdown page cannot run code, so a word that interprets a number ("most respondents", "fewer than
half") is written as ``{words}`share:n_white/n_t1``` and chosen when the page is read, from the results
of the book's data, by the rule :mod:`bookkit.words` states.
"""

from __future__ import annotations

from sphinx.util.docutils import SphinxRole

from . import directives, explore_markup, words


class WordsRole(SphinxRole):
    """``{words}`SPEC``` (see :func:`bookkit.words.phrase`)."""

    def run(self):
        self.env.note_dependency(str(directives.MANIFEST))
        try:
            text = words.phrase(self.text, directives.baseline())
        except (KeyError, ValueError) as exc:
            return [], [self.inliner.reporter.error(f"{{words}}`{self.text}`: {exc}", line=self.lineno)]
        return [explore_markup.data_span(text, text, classes=["ipof-words"], data={"words": self.text})], []
