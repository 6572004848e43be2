"""Sphinx directives of this book, rendered from the project's data.

- ``{cmo-textbox} N``: Textbox N of the paper from ``data/cmo/cmo.yaml``;
- ``{cmo-compare} AREA``: the initial CMOs of a theory area beside its refined theory;
- ``{design-implications}``: Textbox 6 from ``data/cmo/design-implications.yaml``;
- ``{data-notice}``: the synthetic-data notice (or the name of the file actually read).

Each directive builds MyST markdown with :mod:`analysis.cmo` or :mod:`analysis.book`
and parses it in place, so the pages hold no copy of the data.
"""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from analysis import book, cmo, paths


class _MarkdownDirective(SphinxDirective):
    has_content = False

    def markdown(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        for dep in (cmo.CMO_FILE, cmo.DESIGN_FILE):
            self.env.note_dependency(str(dep))
        container = nodes.container(classes=["ipof-rendered"])
        try:
            text = self.markdown()
        except ValueError as exc:
            raise self.error(str(exc)) from None
        self.state.nested_parse(StringList(text.splitlines(), source=self.get_source_info()[0]),
                                self.content_offset, container)
        return container.children


class CmoTextbox(_MarkdownDirective):
    required_arguments = 1

    def markdown(self) -> str:
        return cmo.textbox_markdown(int(self.arguments[0]))


class CmoCompare(_MarkdownDirective):
    required_arguments = 1

    def markdown(self) -> str:
        return cmo.comparison_markdown(self.arguments[0])


class DesignImplications(_MarkdownDirective):
    def markdown(self) -> str:
        return cmo.design_markdown()


class DataNotice(_MarkdownDirective):
    def markdown(self) -> str:
        self.env.note_dependency(str(paths.survey_file()))
        return book.notice_markdown(None)


def setup(app):
    app.add_directive("cmo-textbox", CmoTextbox)
    app.add_directive("cmo-compare", CmoCompare)
    app.add_directive("design-implications", DesignImplications)
    app.add_directive("data-notice", DataNotice)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
