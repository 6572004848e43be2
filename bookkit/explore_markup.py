"""The explorable paper's markup (issue #22): what the page's script (``book/_static/ipof-explore.js``)
reads and fills.

- :class:`data_span`: an inline rendered as a ``<span>`` with ``data-*`` attributes: ``data-key`` and
  ``data-value`` on a printed results number (:func:`keyed_number`), ``data-verdict`` on a verdict's
  sentence, ``data-words`` on rule-chosen words, ``data-method`` on a choice's methods words;
- :func:`explore_panel`: the hidden box after a page's title that the script fills with the choices panel.

Without the script the page is the paper's analysis, as built.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes

from . import fmt


class data_span(nodes.inline):
    """An inline whose HTML ``<span>`` carries ``data-*`` attributes (``node["data"]``: name -> text), so the
    explorable page's script (``book/_static/ipof-explore.js``) can find and replace it: ``data-key`` and
    ``data-value`` on a number, ``data-verdict`` on a verdict's sentence, ``data-words`` on rule-chosen
    words, ``data-method`` on a choice's methods words. Other builders render it as a plain inline
    (Sphinx's translators dispatch along the class hierarchy)."""


def visit_data_span_html(self, node: data_span) -> None:
    """Open the span with its classes, ids and ``data-*`` attributes (values escaped by ``starttag``)."""
    self.body.append(self.starttag(node, "span", "", **{f"data-{k}": v for k, v in node.get("data", {}).items()}))


def depart_data_span_html(self, node: data_span) -> None:
    """Close the span."""
    self.body.append("</span>")


def raw_value(key: str, values: dict) -> str:
    """The unformatted value of ``key`` as a page's ``data-value`` carries it: its JSON, ``null`` when
    missing, and ``withheld`` for what disclosure control withholds (a withheld marker, a respondent count
    from 1 to min_cell - 1, or a percentage of such a count), so no small count is in the page's HTML."""
    from analysis import disclosure

    value = values[key]
    if fmt.is_suppressed(value):
        return "withheld"
    if fmt.is_missing(value) and not isinstance(value, (list, tuple)):
        return "null"
    rule = fmt.spec(key)
    if rule["as"] == "count" and not isinstance(value, bool) and disclosure.small(value):
        return "withheld"
    if rule["as"] == "percent" and rule.get("of"):
        of = values.get(rule["of"])
        if of is not None and (fmt.is_suppressed(of) or disclosure.small(of)):
            return "withheld"
    return json.dumps(value, allow_nan=False, default=str)


def keyed_number(key: str, text: str, values: dict, classes=()) -> nodes.Node:
    """The printed number ``text`` of results key ``key``: a :class:`data_span` with ``data-key`` and
    ``data-value`` (:func:`raw_value`) when ``text`` is ``values[key]`` as :mod:`bookkit.fmt` prints it
    (so the page's script may replace both), else a plain inline (a number the script must leave alone)."""
    classes = ["ipof-result", *[c for c in classes if c != "ipof-result"]]
    if key in values:
        try:
            same = fmt.format_value(key, values) == text
        except Exception:  # a key whose value cannot be formatted is not replaced by the script either
            same = False
        if same:
            return data_span(text, text, classes=classes, data={"key": key, "value": raw_value(key, values)})
    return nodes.inline(text, text, classes=classes)


_EXPLORABLE = re.compile(r'\sdata-(?:key|verdict|words|method|figure)="|>Provenance of this page<')


def _level_text(value) -> str:
    """A level as the address writes it (the explore interface's level_text): true/false, integral numbers
    without ".0", other numbers as their shortest repr, strings bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def explore_placeholder(front: bool, methods: bool, manifest: Path) -> str:
    """The hidden box the explorable page's script (``ipof-explore.js``) fills with the choices panel, and,
    on a page that shows a choice's methods words, those words for every level (JSON). ``data-build``
    changes with the results, so a reader's cached copy of the exported results is never stale."""
    import hashlib

    from .interpret import METHOD_WORDS

    digest = hashlib.sha256()
    for path in (manifest, manifest.parent.parent / "ipof-code.sha256"):
        digest.update(path.read_bytes() if path.exists() else b"")
    build = digest.hexdigest()[:12]
    attrs = f' data-build="{build}"' + (' data-front="1"' if front else "")
    box = f'<div id="ipof-explore" class="ipof-explore" hidden{attrs}></div>'
    if methods:
        words = {name: {_level_text(level): text for level, text in levels.items()}
                 for name, levels in METHOD_WORDS.items()}
        box += ('<script type="application/json" id="ipof-method-words">'
                + json.dumps(words).replace("</", "<\\/") + "</script>")
    return box


def exported(app) -> bool:
    """Whether the build exported the results of every analysis (``explore/explore.json`` in the site's
    ``_static`` or in a folder of ``html_static_path`` that Sphinx copies there): without them the page
    has no panel and fetches nothing."""
    found = [Path(app.outdir) / "_static" / "explore" / "explore.json"]
    found += [Path(app.confdir) / folder / "explore" / "explore.json" for folder in app.config.html_static_path]
    return any(path.exists() for path in found)


def with_panel(body: str, front: bool, manifest: Path) -> str:
    """A page's body with the choices panel's placeholder (:func:`explore_placeholder`) after its title: on
    every page that shows survey numbers, verdicts or rule-chosen words (an element with ``data-key``,
    ``data-verdict``, ``data-words``, ``data-method`` or ``data-figure``), on every computed chapter (its
    provenance note: the script marks its tables and figures that do not follow the choice) and on the
    front page; other bodies unchanged."""
    if not front and not _EXPLORABLE.search(body):
        return body
    end = body.find("</h1>")
    if end < 0:
        return body
    end += len("</h1>")
    return body[:end] + "\n" + explore_placeholder(front, ' data-method="' in body, manifest) + body[end:]


def explore_panel(app, pagename, templatename, context, doctree, manifest: Path):
    """Sphinx ``html-page-context``: :func:`with_panel` on every page when the results were exported
    (:func:`exported`); without them the page has no panel and fetches nothing. Without the script the
    panel stays hidden and the page is the paper's analysis."""
    body = context.get("body")
    if body and exported(app):
        context["body"] = with_panel(body, pagename == app.config.root_doc, manifest)
