"""Sphinx directives of this book, rendered from the project's data.

- ``{cmo-textbox} N``: Textbox N of the paper from ``data/cmo/cmo.yaml``;
- ``{cmo-compare} AREA``: the initial CMOs of a theory area beside its refined theory;
- ``{design-implications}``: Textbox 6 from ``data/cmo/design-implications.yaml``;
- ``{data-notice}``: the synthetic-data notice (or the name of the file actually read).

Each directive builds MyST markdown with :mod:`analysis.cmo` or :mod:`analysis.book`
and parses it in place, so the pages hold no copy of the data.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from analysis import book, buildcache, claims, cmo, paths
from myst_nb.ext.glue.roles import PasteTextRole


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


class BenchTable(_MarkdownDirective):
    """The latest figures of ``make bench`` (``benchmarks/latest.json``)."""

    def markdown(self) -> str:
        import json

        path = paths.ROOT / "benchmarks" / "latest.json"
        if not path.exists():  # (a missing dependency would mark the page outdated on every build)
            return "*No benchmark has been recorded yet: run `make bench`.*"
        self.env.note_dependency(str(path))
        data = json.loads(path.read_text())
        lines = [f"Measured {data['date']} at commit `{data['commit']}` on {data['machine']}.", "",
                 "| what | seconds | ratio to cold build | notebooks executed |", "|---|---|---|---|"]
        for row in data["timings"]:
            ratio = "" if row.get("ratio") is None else f"{row['ratio']:.2f}"
            executed = "" if row.get("executed") is None else str(row["executed"])
            lines.append(f"| {row['what']} | {row['seconds']:.1f} | {ratio} | {executed} |")
        return "\n".join(lines)


class DataNotice(_MarkdownDirective):
    def markdown(self) -> str:
        self.env.note_dependency(str(paths.survey_file()))
        return book.notice_markdown(None)


REPORT_DOC = "book/reproduction-report"


class LinkedPasteText(PasteTextRole):
    """myst-nb's ``{glue:text}``, with the pasted number linked to its row of the reproduction report
    when the claims ledger says which published claim it reproduces."""

    def run(self):
        result, messages = super().run()
        env = getattr(self.document.settings, "env", None)
        if not result or env is None or env.app.builder.format != "html":
            return result, messages
        key = self.text.rsplit(":", 1)[0] if self.text.count(":") in (1, 3) else self.text
        if "::" in key:
            rel_doc, key = key.split("::", 1)
            _, filepath = env.relfn2path(rel_doc, env.docname)
            docname = env.path2doc(filepath)
        else:
            docname = env.docname
        env.note_dependency(str(claims.LEDGER))
        if docname != env.docname:  # this page shows numbers from another notebook: rebuild it with that one
            if not hasattr(env, "ipof_glue_deps"):
                env.ipof_glue_deps = {}
            env.ipof_glue_deps.setdefault(env.docname, set()).add(docname)
        claim_id = _glue_links().get((docname, key))
        if claim_id is None:
            return result, messages
        uri = env.app.builder.get_relative_uri(env.docname, REPORT_DOC) + f"#claim-{claim_id.lower()}"
        link = nodes.reference("", "", *result, refuri=uri, classes=["claim-link"],
                               reftitle=f"Claim {claim_id} in the reproduction report")
        return [link], messages


_LINKS = None


def _glue_links():
    global _LINKS
    if _LINKS is None:
        _LINKS = claims.glue_links()
    return _LINKS


# --------------------------------------------------------------- data-aware execution (analysis.buildcache)


def _cache_path(app) -> Path:
    configured = app.config.nb_execution_cache_path or str(Path(app.outdir).parent / ".jupyter_cache")
    return Path(configured)


def _invalidate(app):
    """Drop cached outputs of notebooks whose inputs (data, package, ledger...) changed."""
    if app.config.nb_execution_mode == "cache":
        buildcache.invalidate_stale(_cache_path(app))


def _outdated(app, env, added, changed, removed):
    """Notebooks whose fingerprint changed since they were read, and the pages that paste from them."""
    current = buildcache.load_state(_cache_path(app))
    seen = getattr(env, "ipof_fingerprints", {})
    stale = {doc for doc, fp in current.items() if doc in env.found_docs and seen.get(doc) != fp}
    deps = getattr(env, "ipof_glue_deps", {})
    dependents = {doc for doc, targets in deps.items() if targets & (stale | set(changed))}
    return sorted((stale | dependents) - set(added) - set(changed) - set(removed))


def _record_fingerprint(app, doctree):
    env = app.env
    if not hasattr(env, "ipof_fingerprints"):
        env.ipof_fingerprints = {}
    state = buildcache.load_state(_cache_path(app))
    if env.docname in state:
        env.ipof_fingerprints[env.docname] = state[env.docname]


def _purge(app, env, docname):
    getattr(env, "ipof_glue_deps", {}).pop(docname, None)


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated script tags (sphinx-thebe registers its inline config twice under Sphinx 7,
    and the second copy throws "THEBE_JS_URL has already been declared" in the browser)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts)
    app.add_role_to_domain("glue", "text", LinkedPasteText(), override=True)
    app.connect("builder-inited", _invalidate)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-read", _record_fingerprint)
    app.connect("env-purge-doc", _purge)
    app.add_directive("cmo-textbox", CmoTextbox)
    app.add_directive("cmo-compare", CmoCompare)
    app.add_directive("design-implications", DesignImplications)
    app.add_directive("data-notice", DataNotice)
    app.add_directive("bench-table", BenchTable)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
