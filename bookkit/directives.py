"""The book's MyST roles and directives, rendered from the results manifest and the CMO data.

Roles (the paper's-choices results of the book's data, :func:`baseline`):

- ``{result}`key``: the manifest value ``key`` as the book prints it (:mod:`bookkit.fmt`), linked
  to its row of the reproduction report when the paper publishes it and marked ‡ or ≠ as the ledger says
  (:func:`claim_link`, deciding by :func:`bookkit.claims.published_claim`);
- ``{verdict}`id``: the sentence conclusion ``id`` (:mod:`analysis.conclusions`) chooses by its rule, with
  its effect size, 95% interval and P (:func:`bookkit.interpret.verdict_text`), followed on the synthetic
  twin by :func:`bookkit.twin_notes.note` when the twin does not encode it;
- ``{glue:text}`` (myst-nb's, extended): pasted numbers link to the report in the same way.

Directives: ``{data-notice}``; ``{twin-only}`` and ``{not-twin}`` (content rendered only when the data
are, or are not, the shipped twin); ``{cmo-textbox} N``; ``{cmo-compare} AREA``; ``{cmo-evidence} ID`` (the
paper's evidence for a refined configuration, by strand);
``{design-implications}``; ``{bench-table}``.

Every page using the manifest depends on ``_build/results/book-manifest.json``, which is rewritten only
when the results change, so switching the data re-reads exactly the pages that show them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from myst_nb.ext.glue.roles import PasteTextRole
from sphinx.util.docutils import SphinxDirective, SphinxRole

from analysis import paths
from analysis.conclusions import BY_ID

from . import claims, cmo, fmt, interpret, present, twin_notes, verdicts, words
from .explore_markup import data_span, keyed_number
from .mvpage import mv_anchor

#: The results the roles read; ``make chapter`` points it (``IPOF_MANIFEST``) at its own chapter's results.
MANIFEST_ENV = "IPOF_MANIFEST"
MANIFEST = Path(os.environ.get(MANIFEST_ENV) or paths.ROOT / "_build" / "results" / "book-manifest.json")
REPORT_DOC = "book/reproduction-report"
_STATE: dict = {}


def baseline() -> dict:
    """The paper's-choices results of the book's data, as the build wrote them (:data:`MANIFEST`).

    The roles only read: ``python -m bookkit.build`` (``make book``, ``make chapter``) computes the results
    and writes the manifest before Sphinx starts (:func:`bookkit.build.write_manifest`).
    """
    if "values" not in _STATE:
        if not MANIFEST.exists():
            raise RuntimeError(f"{MANIFEST} is missing: build the book with `make book` (python -m bookkit.build), "
                               "which computes the results before Sphinx reads any page")
        _STATE["values"] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return _STATE["values"]


def multiverse() -> dict:
    """The multiverse of the book's data (from the results store, run if needed)."""
    if "multiverse" not in _STATE:
        from analysis.multiverse import stored_multiverse
        from analysis.store import Session

        _STATE["multiverse"] = stored_multiverse(Session())
    return _STATE["multiverse"]


def _keyed(pasted: list[nodes.Node], key: str, values: dict) -> list[nodes.Node]:
    """Pasted nodes with the one inline that holds the number turned into :func:`keyed_number`."""
    if len(pasted) == 1 and type(pasted[0]) is nodes.inline and len(pasted[0].children) == 1 \
            and isinstance(pasted[0].children[0], nodes.Text):
        return [keyed_number(key, pasted[0].astext(), values, pasted[0]["classes"])]
    return pasted


INVENTED_MARK = "‡"
#: The mark of a number the paper prints but the book's data do not reproduce (status ``differs``).
REPLACED_MARK = "≠"


def claim_link(env, pasted: list[nodes.Node], key: str) -> list[nodes.Node]:
    """Wrap pasted nodes in a link to the claim :func:`bookkit.claims.published_claim` finds for ``key``
    (HTML only), and mark them as the ledger says (explained in the data notice):

    - on the synthetic twin, a survey number the paper does not publish is the generator's: marked
      :data:`INVENTED_MARK`;
    - a number the paper publishes that the book's data do not reproduce (the report's status
      ``differs``; on the twin, its value replaces the paper's) is marked :data:`REPLACED_MARK`, with the
      printed value in its title.

    The whole is a span with classes ``ipof-shown ipof-key-<key>``, so the site tests can check each mark
    against the ledger; the number itself is a :func:`keyed_number` (``data-key``, ``data-value``).
    """
    env.note_dependency(str(claims.LEDGER))
    env.note_dependency(str(MANIFEST))
    values = baseline()
    if key not in values:
        return pasted
    pasted = _keyed(pasted, key, values)
    claim_id = claims.published_claim(key, values)
    marks: list[nodes.Node] = []
    if claim_id is None:
        if values.get("data_is_twin") and fmt.from_survey(key):
            marks.append(nodes.abbreviation(INVENTED_MARK, INVENTED_MARK, classes=["ipof-invented"],
                                            explanation="the paper does not publish this number"))
    elif claims.shown_status(key, values) == "differs":
        claim = claims.claims_by_id()[claim_id]
        printed = claims.printed_text(claim)
        instead = ("the synthetic twin's value replaces it" if values.get("data_is_twin")
                   else "these data give a different value")
        marks.append(nodes.abbreviation(REPLACED_MARK, REPLACED_MARK, classes=["ipof-replaced"],
                                        explanation=f"the paper prints {printed} (claim {claim_id}); {instead}"))
    shown = pasted
    if claim_id is not None and env.app.builder.format == "html":
        uri = env.app.builder.get_relative_uri(env.docname, REPORT_DOC) + f"#claim-{claim_id.lower()}"
        shown = [nodes.reference("", "", *pasted, refuri=uri, classes=["claim-link"],
                                 reftitle=f"Claim {claim_id} in the reproduction report")]
    return [nodes.inline("", "", *shown, *marks, classes=["ipof-shown", f"ipof-key-{key}"])]


class ResultRole(SphinxRole):
    """``{result}`key``: a manifest value of the book's data, formatted."""

    def run(self):
        self.env.note_dependency(str(MANIFEST))
        values = baseline()
        if self.text not in values:
            return [], [self.inliner.reporter.error(f"unknown results key {self.text!r}", line=self.lineno)]
        text = fmt.format_value(self.text, values)
        return claim_link(self.env, [nodes.inline(text, text, classes=["ipof-result"])], self.text), []


class VerdictRole(SphinxRole):
    """``{verdict}`id``: the words conclusion ``id`` chooses for the book's data."""

    def run(self):
        self.env.note_dependency(str(MANIFEST))
        if self.text not in BY_ID:
            return [], [self.inliner.reporter.error(f"unknown conclusion {self.text!r}", line=self.lineno)]
        values = baseline()
        text_of = lambda key: fmt.format_value(key, values) if key in values else None  # noqa: E731
        sentence = verdicts.sentence(self.text, values)
        note = twin_notes.once_per_page(twin_notes.note(self.text, values), self.inliner.document)
        return verdict_nodes(self.env, self.text, sentence, text_of, note), []


def verdict_nodes(env, conclusion_id: str, sentence: str, text_of, note: str) -> list[nodes.Node]:
    """A verdict as a page shows it: the rule's sentence, then (unless the rule cannot decide) its effect
    size, 95% interval and P (:func:`bookkit.interpret.effect_segments`), each number linked and marked by
    :func:`claim_link`, then the twin note, if any. ``text_of(key)`` gives a number's printed text."""
    c = BY_ID[conclusion_id]
    out: list[nodes.Node] = [data_span(sentence, sentence, classes=["ipof-verdict"], data={"verdict": conclusion_id})]
    if sentence != verdicts.NOT_ESTIMABLE:
        effect = nodes.inline("", "", classes=["ipof-verdict-effect"])  # hidden by the script when not estimable
        effect += nodes.Text(" (")
        for text, key in interpret.effect_segments(c, text_of):
            effect += claim_link(env, [nodes.inline(text=text)], key) if key else _italic_symbols(text)
        effect += nodes.Text(")")
        out.append(effect)
    if note:
        out += [nodes.Text(" "), nodes.inline(text=note, classes=["ipof-twin-note"])]
    return out


def _italic_symbols(text: str) -> list[nodes.Node]:
    """Plain text with the statistic symbols (a lone d, r, b, g or P) set in italics, as JMIR sets them."""
    out: list[nodes.Node] = []
    for i, part in enumerate(re.split(r"(?<![\w.])([drbgP])(?![\w.])", text)):
        if part:
            out.append(nodes.emphasis(part, part) if i % 2 else nodes.Text(part))
    return out


class MultiverseRole(SphinxRole):
    """``{multiverse}`id``: how often conclusion ``id`` holds across the multiverse, linked to its chapter."""

    def run(self):
        self.env.note_dependency(str(MANIFEST))
        if self.text not in BY_ID:
            return [], [self.inliner.reporter.error(f"unknown conclusion {self.text!r}", line=self.lineno)]
        text = twin_notes.once_per_page(words.multiverse_note(self.text, multiverse(), baseline()),
                                        self.inliner.document)
        uri = self.env.app.builder.get_relative_uri(self.env.docname, "book/multiverse") + "#" + mv_anchor(self.text)
        if self.env.app.builder.format != "html":
            return [nodes.inline(text=text)], []
        return [nodes.reference("", text, refuri=uri, classes=["ipof-multiverse"])], []


class LinkedPasteText(PasteTextRole):
    """myst-nb's ``{glue:text}``, linked to the reproduction report when the key reproduces a claim."""

    def run(self):
        result, messages = super().run()
        env = getattr(self.document.settings, "env", None)
        if not result or env is None:
            return result, messages
        key = self.text.rsplit(":", 1)[0] if self.text.count(":") in (1, 3) else self.text
        key = key.split("::", 1)[-1]
        if key in BY_ID:  # a verdict: its sentence, then its effect and interval from this notebook's glue
            glued = _glued_text(self.document)
            note = twin_notes.once_per_page(glued.get(f"twin_note_{key}", ""), self.document)
            return verdict_nodes(env, key, glued[key], glued.get, note), messages
        if key in words.GLUED and len(result) == 1:  # interpretive words: the script re-chooses them by their spec
            text = result[0].astext()
            return [data_span(text, text, classes=[*result[0]["classes"], "ipof-words"],
                              data={"words": words.GLUED[key]})], messages
        choice = key[len("method_"):] if key.startswith("method_") else ""
        if choice in interpret.METHOD_WORDS and len(result) == 1:
            text = result[0].astext()  # a choice's methods words: the script picks them for the chosen level
            return [data_span(text, text, classes=result[0]["classes"], data={"method": choice})], messages
        if not result[0].astext():  # an empty paste (a twin note on other data) leaves no empty element
            return [], messages
        shortened = twin_notes.once_per_page(result[0].astext(), self.document)
        if shortened != result[0].astext():
            result = [nodes.inline(shortened, shortened, classes=["pasted-text"])]
        return claim_link(env, result, key), messages


def _glued_text(document) -> dict[str, str]:
    """Every text glued by the notebook being rendered (key -> text as pasted)."""
    from myst_nb.core.variables import format_plain_text

    glue_data = document["nb_renderer"].renderer.nb_client.glue_data
    return {k: format_plain_text(v["data"]["text/plain"], "s") for k, v in glue_data.items()
            if "text/plain" in v.get("data", {})}


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


class CmoEvidence(_MarkdownDirective):
    """The paper's evidence for one refined or new configuration (``data/cmo/evidence.yaml``); items the
    page quotes in its own text are marked."""

    required_arguments = 1

    def markdown(self) -> str:
        self.env.note_dependency(str(cmo.EVIDENCE_FILE))
        source = self.env.doc2path(self.env.docname)
        text = source.read_text(encoding="utf-8") if hasattr(source, "read_text") else open(source).read()
        if str(source).endswith(".ipynb"):
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "markdown")
        return cmo.evidence_markdown(self.arguments[0], text)


class DesignImplications(_MarkdownDirective):
    def markdown(self) -> str:
        return cmo.design_markdown()


class DataNotice(_MarkdownDirective):
    def markdown(self) -> str:
        self.env.note_dependency(str(MANIFEST))
        return present.notice_markdown(baseline())


class BenchTable(_MarkdownDirective):
    """The latest figures of ``make bench`` (``benchmarks/latest.json``)."""

    def markdown(self) -> str:
        path = paths.ROOT / "benchmarks" / "latest.json"
        if not path.exists():  # (a missing dependency would mark the page outdated on every build)
            return "*No benchmark has been recorded yet: run `make bench`.*"
        self.env.note_dependency(str(path))
        data = json.loads(path.read_text())
        lines = [f"Measured {data['date']} at commit `{data['commit']}` on {data['machine']}.", "",
                 "| what | seconds | ratio | notebooks executed | growth models estimated |", "|---|---|---|---|---|"]
        for row in data["timings"]:
            ratio = "" if row.get("ratio") is None else f"{row['ratio']:.2f}"
            executed = "" if row.get("executed") is None else str(row["executed"])
            fits = "" if row.get("growth_fits") is None else str(row["growth_fits"])
            lines.append(f"| {row['what']} | {row['seconds']:.1f} | {ratio} | {executed} | {fits} |")
        if data.get("ratio_note"):
            lines += ["", f"Ratios: {data['ratio_note']}."]
        if data.get("explore"):
            kb = {k: f"{v / 1e3:,.0f}" for k, v in data["explore"].items()}
            lines += ["", f"The explorable site's data (every analysis of the multiverse, `_static/explore`): "
                      f"{kb['total_gzip']} kB gzip-compressed ({kb['data_gzip']} kB of values, {kb['figures_gzip']} kB "
                      f"of figure variants; {data['explore']['files']:,} files); budget 1,000 kB."]
        return "\n".join(lines)


class _IfTwin(SphinxDirective):
    """Content rendered only when the book's data are (``when_twin``) or are not the shipped twin."""

    has_content = True
    when_twin = True

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(MANIFEST))
        if bool(baseline().get("data_is_twin")) != self.when_twin:
            return []
        container = nodes.container(classes=["ipof-rendered"])
        self.state.nested_parse(self.content, self.content_offset, container)
        return container.children


class TwinOnly(_IfTwin):
    when_twin = True


class NotTwin(_IfTwin):
    when_twin = False


class CiteThis(_MarkdownDirective):
    """How to cite this reproduction, from ``CITATION.cff`` (with the repository and commit when known)."""

    def markdown(self) -> str:
        import yaml

        path = paths.ROOT / "CITATION.cff"
        self.env.note_dependency(str(path))
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        authors = "; ".join(a.get("name") or f"{a.get('family-names')}, {a.get('given-names')}" for a in cff["authors"])
        url = present.repository_url()
        commit = present.commit()
        where = f" {url}" if url else ""
        paper = cff.get("preferred-citation", {})
        bib = ["@software{ipof_reproduction,", f"  title  = {{{cff['title']}}},", f"  author = {{{authors}}},",
               f"  version = {{{cff.get('version', commit)}}},", f"  note   = {{commit {commit}}},"]
        if url:
            bib.append(f"  url    = {{{url}}},")
        bib.append("}")
        return "\n".join([
            f"*{cff['title']}* ({authors}), version {cff.get('version', 'unreleased')}, commit `{commit}`,"
            f"{where} licence {cff.get('license', 'see LICENSE')}. Please cite the paper itself "
            f"(doi:{paper.get('doi', '10.2196/79289')}) for its findings, and this reproduction for the "
            "computations shown here.", "", "```bibtex", *bib, "```"])
