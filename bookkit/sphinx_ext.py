"""Sphinx extension of the book (``_config.yml``: ``extra_extensions: [bookkit.sphinx_ext]``).

Registers the roles and directives of :mod:`bookkit.directives`, and makes re-reading data-aware: a
notebook page whose fingerprint changed since Sphinx last read it is read again. It only reads what
``python -m bookkit.build`` wrote before Sphinx started (the results manifest, the notebooks'
fingerprints and their executed outputs in jupyter-cache); it computes and invalidates nothing.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from . import build, directives, explore_markup, present, words_role


def _cache_path(app) -> Path:
    configured = app.config.nb_execution_cache_path or str(Path(app.outdir).parent / ".jupyter_cache")
    return Path(configured)


def _outdated(app, env, added, changed, removed):
    """Notebook pages whose fingerprint changed since they were read."""
    current = build.load_state(_cache_path(app))
    seen = getattr(env, "ipof_fingerprints", {})
    stale = {doc for doc, fp in current.items() if doc in env.found_docs and seen.get(doc) != fp}
    return sorted(stale - set(added) - set(changed) - set(removed))


def _record_fingerprint(app, doctree):
    env = app.env
    if not hasattr(env, "ipof_fingerprints"):
        env.ipof_fingerprints = {}
    state = build.load_state(_cache_path(app))
    if env.docname in state:
        env.ipof_fingerprints[env.docname] = state[env.docname]


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated script tags (sphinx-thebe registers its inline config twice under Sphinx 7,
    and the second copy throws "THEBE_JS_URL has already been declared" in the browser)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        attrs = tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items()))
        key = (getattr(js, "filename", str(js)) or "", attrs)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def _repository_buttons(app, config):
    """Repository, issue and launch buttons when the repository's address is known (never invented)."""
    url = present.repository_url()
    if not url:
        return
    options = config.html_theme_options
    options.update({"repository_url": url, "use_repository_button": True, "use_issues_button": True,
                    "path_to_docs": ""})
    options.setdefault("launch_buttons", {})["binderhub_url"] = "https://mybinder.org"
    config.html_context = {**config.html_context, "ipof_repository_url": url}


def setup(app):
    app.connect("config-inited", _repository_buttons)
    app.connect("html-page-context", _dedupe_scripts)
    app.add_role_to_domain("glue", "text", directives.LinkedPasteText(), override=True)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-read", _record_fingerprint)
    app.connect("doctree-read", _rerun_box)
    app.connect("env-get-updated", _paper_figure_numbers, priority=900)  # after Sphinx numbers figures
    app.connect("doctree-read", _caption_tables)
    app.connect("doctree-resolved", _one_table_style)
    app.connect("html-page-context", _responsive_figures)
    app.connect("html-page-context", _bibliography_roles)
    app.connect("build-finished", _strip_narrow_copies)
    markup = explore_markup
    app.add_node(markup.data_span, html=(markup.visit_data_span_html, markup.depart_data_span_html))
    app.add_js_file("ipof-explore.js", loading_method="defer")
    panel = functools.partial(explore_markup.explore_panel, manifest=directives.MANIFEST)
    app.connect("html-page-context", panel)
    for name, directive in (("cmo-textbox", directives.CmoTextbox), ("cmo-compare", directives.CmoCompare),
                            ("cmo-evidence", directives.CmoEvidence),
                            ("design-implications", directives.DesignImplications),
                            ("data-notice", directives.DataNotice), ("bench-table", directives.BenchTable),
                            ("twin-only", directives.TwinOnly), ("not-twin", directives.NotTwin),
                            ("cite-this", directives.CiteThis)):
        app.add_directive(name, directive)
    app.add_role("result", directives.ResultRole())
    app.add_role("verdict", directives.VerdictRole())
    app.add_role("multiverse", directives.MultiverseRole())
    app.add_role("words", words_role.WordsRole())
    return {"version": "2.0", "parallel_read_safe": False, "parallel_write_safe": True}


def _parameters_source(app, docname: str) -> str | None:
    """The source of the notebook's papermill ``parameters`` cell, followed by the ``injected-parameters``
    cell papermill adds for ``make chapter`` (whose values then win); None: not a notebook, or no such cell."""
    import json

    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return None
    found = {}
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        for tag in ("parameters", "injected-parameters"):
            if tag in cell.get("metadata", {}).get("tags", []) and tag not in found:
                src = cell.get("source", "")
                found[tag] = "".join(src) if isinstance(src, list) else src
    return "\n".join(found[t] for t in ("parameters", "injected-parameters") if t in found) or None


def _notebook_path(app, docname: str) -> str:
    """The notebook's path in the repository (``make chapter`` renders a copy outside ``book/``)."""
    from analysis import paths

    path = Path(app.env.doc2path(docname)).resolve()
    if path.is_relative_to(paths.ROOT / "book"):
        return path.relative_to(paths.ROOT).as_posix()
    source = next((paths.ROOT / "book").rglob(path.name), None)
    return source.relative_to(paths.ROOT).as_posix() if source else path.name


def rerun_box(notebook: str, source: str):
    """The "Re-run this chapter" box: the ``make chapter`` command with this page's parameters, and what
    each parameter means (from the comments of the notebook's ``parameters`` cell)."""
    from docutils import nodes

    params = present.notebook_parameters(source)
    box = nodes.admonition(classes=["ipof-rerun", "tip", "dropdown"])  # folded (sphinx-togglebutton)
    box += nodes.title(text="Re-run this chapter")
    intro = nodes.paragraph()
    intro += nodes.Text("This page was computed with the values below. To compute it with other choices, "
                        "change a value after its -p and run, in the repository:")
    box += intro
    command = present.rerun_command(notebook, params)
    box += nodes.literal_block(command, command, language="bash", classes=["ipof-rerun-command"])
    items = nodes.bullet_list(classes=["ipof-rerun-parameters"])
    for name, value, comment in params:
        para = nodes.paragraph()
        para += nodes.literal(text=name)
        para += nodes.Text(" = ")
        para += nodes.literal(text=value)
        if comment:
            para += nodes.Text(f": {comment}")
        items += nodes.list_item("", para)
    box += items
    return box


def _parameters_cells(doctree):
    from docutils import nodes

    return [n for n in doctree.findall(nodes.container)
            if n.get("nb_element") == "cell_code"
            and {"parameters", "injected-parameters"} & set(n.get("cell_metadata", {}).get("tags", []))]


def _rerun_box(app, doctree):
    """Every notebook page: the raw ``parameters`` cell is never shown (a cell still in the doctree is
    removed; the notebooks tag it ``remove-cell`` too) and a "Re-run this chapter" box takes its place,
    after the cell that shows the data notice and provenance."""
    from docutils import nodes

    docname = app.env.docname
    for cell in _parameters_cells(doctree):
        cell.parent.remove(cell)
    source = _parameters_source(app, docname)
    if source is None:
        return
    box = rerun_box(_notebook_path(app, docname), source)
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") == "cell_code" and "Provenance of this page" in cell.astext():
            cell.parent.insert(cell.parent.index(cell) + 1, box)
            return
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(box)


#: Figures numbered as the paper numbers them: (document, figure id) -> the paper's figure number. The
#: book's own figures follow, in reading order, after the paper's (Figure 2, 3, ...).
PAPER_FIGURES = {("book/results/program-theory", "fig-program-theory"): 1}


def _paper_figure_numbers(app, env):
    """Renumber figures after Sphinx numbered them in reading order: the paper's figures keep the paper's
    numbers, the book's own come after them, so "Figure 1" is the paper's Figure 1 on every page."""
    numbers = getattr(env, "toc_fignumbers", {})
    fixed = {key: n for key, n in PAPER_FIGURES.items() if key[1] in numbers.get(key[0], {}).get("figure", {})}
    if not fixed:
        return []
    own = sorted((num, doc, fid) for doc, kinds in numbers.items() for fid, num in kinds.get("figure", {}).items()
                 if (doc, fid) not in fixed)
    after = max(fixed.values())
    before = {(doc, fid): num for num, doc, fid in own}
    for i, (_, doc, fid) in enumerate(own, start=after + 1):
        numbers[doc]["figure"][fid] = (i,)
    for (doc, fid), n in fixed.items():
        numbers[doc]["figure"][fid] = (n,)
    return sorted({doc for (doc, fid), num in before.items() if numbers[doc]["figure"][fid] != num}
                  | {doc for doc, _ in fixed})


#: Captions of the tables written in markdown or by other directives, in page order ("Table N. caption").
TABLE_CAPTIONS = {
    "book/data-card": ["What the synthetic twin matches of the paper's published numbers, and how closely.",
                       "Which of the paper's conclusions the twin encodes, and why."],
    "book/benchmarks": ["Timings of the last `make bench`: builds, tests, reproduce and the multiverse."],
    "book/build-status": ["Every notebook of the book: when it was last executed, from the cache, and how long "
                          "it took."],
}


def _caption_title(text: str):
    from docutils import nodes

    title = nodes.title()
    parts = text.split("`")
    for i, part in enumerate(parts):
        if part:
            title += nodes.literal(text=part) if i % 2 else nodes.Text(part)
    return title


def _caption_tables(app, doctree):
    """Captions (and so numbers) for the untitled tables of the pages in :data:`TABLE_CAPTIONS`."""
    from docutils import nodes

    captions = list(TABLE_CAPTIONS.get(app.env.docname, []))
    for i, table in enumerate(t for t in doctree.findall(nodes.table) if not any(
            isinstance(c, nodes.title) for c in t.children)):
        if not captions:
            break
        table.insert(0, _caption_title(captions.pop(0)))
        if not table["ids"]:
            ident = f"tbl-{app.env.docname.rsplit('/', 1)[-1]}-{i + 1}"
            table["ids"].append(ident)


def _number(text: str) -> bool:
    import re

    text = text.strip().replace("\u2212", "-").replace(",", "")
    return bool(re.fullmatch(r"[<>≤≥~]?[-+]?(\d+\.?\d*|\.\d+)(%| s)?|n/a|—|–|", text))


def _one_table_style(app, doctree, docname):
    """Every table in the journal style (``ipof-table``): header initial capitals, numbers right-aligned,
    and a caption on the tables generated late (the build-status page's execution table)."""
    from docutils import nodes

    for table in doctree.findall(nodes.table):
        journal = "ipof-table" in table["classes"]  # bookkit.tables.journal_table's: labelled as printed
        if not journal:
            table["classes"].append("ipof-table")
        if not any(isinstance(c, nodes.title) for c in table.children):
            late = TABLE_CAPTIONS.get(docname, [])
            if docname == "book/build-status" and late:
                table.insert(0, _caption_title(late[0]))
                table["ids"] = table["ids"] or ["tbl-build-status"]
        for group in table.findall(nodes.tgroup):
            body = [row for tbody in group.findall(nodes.tbody) for row in tbody.children]
            heads = [row for thead in group.findall(nodes.thead) for row in thead.children]
            ncols = max((len(r.children) for r in body), default=0)
            for col in range(ncols):
                cells = [r.children[col] for r in body if len(r.children) > col]
                if cells and all(_number(c.astext()) for c in cells) and any(c.astext().strip() for c in cells):
                    for c in cells + [r.children[col] for r in heads if len(r.children) > col]:
                        c["classes"] = [x for x in c["classes"] if x != "text-left"] + ["text-right"]
            for row in ([] if journal else heads):
                for cell in row.children:
                    for text in cell.findall(nodes.Text):
                        value = str(text)
                        if value[:1].islower() and len(value.split(" ")[0]) > 2:
                            text.parent.replace(text, nodes.Text(value[:1].upper() + value[1:]))
                        break


_NARROW_ATTR = re.compile(r'\sdata-ipof-narrow="([A-Za-z0-9+/=]+)"')
_FIGURE_ATTR = re.compile(r'<svg [^>]*?data-ipof-figure="([A-Za-z0-9_-]+)"')


def explore_figures() -> frozenset[str]:
    """The names of the figures that follow the choices (:data:`bookkit.explore.FIGURES`)."""
    from .explore import FIGURES

    return frozenset(FIGURES)


_IMG = re.compile(r'<img (?P<before>[^>]*?)src="(?P<src>[^"]*?_images/(?P<name>[0-9a-f]+)\.svg)"(?P<after>[^>]*)/?>')


def _figure_source(app, name: str) -> Path | None:
    """The SVG that myst-nb wrote for a page's image ``<name>.svg`` (its output folder, else the builder's map)."""
    written = Path(app.outdir).parent / "jupyter_execute" / f"{name}.svg"
    if written.exists():
        return written
    for src, dest in getattr(app.builder, "images", {}).items():
        if dest == f"{name}.svg":
            path = Path(src)
            return path if path.is_absolute() else Path(app.srcdir) / path
    return None


def _responsive_figures(app, pagename, templatename, context, doctree):
    """A figure drawn with a phone variant (:func:`bookkit.figures.responsive_svg`) becomes a ``<picture>``:
    screens of :data:`bookkit.figures.NARROW_MEDIA` load the narrow SVG, written beside the wide one. A figure
    that follows the choices (:data:`bookkit.explore.FIGURES`, named by ``data-ipof-figure`` in its SVG, which
    :func:`bookkit.chapter.glue_figure` sets) carries ``data-figure="<name>"``, for the page's script."""
    body = context.get("body")
    if not body or "_images/" not in body:
        return
    from .figures import NARROW_MEDIA

    def swap(m):
        source = _figure_source(app, m.group("name"))
        if source is None or not source.exists():
            return m.group(0)
        head = source.read_text(encoding="utf-8", errors="replace")[:400000]
        found = _NARROW_ATTR.search(head)
        if not found:
            return m.group(0)
        out = Path(app.outdir) / "_images" / f"{m.group('name')}-narrow.svg"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists():
            out.write_bytes(base64.b64decode(found.group(1)))
        narrow = m.group("src")[: -len(".svg")] + "-narrow.svg"
        named = _FIGURE_ATTR.search(head)
        follows = f' data-figure="{named.group(1)}"' if named and named.group(1) in explore_figures() else ""
        return (f'<picture class="ipof-responsive"{follows}><source media="{NARROW_MEDIA}" srcset="{narrow}" '
                f'type="image/svg+xml">{m.group(0)}</picture>')

    context["body"] = _IMG.sub(swap, body)


def _strip_narrow_copies(app, exception):
    """The copied wide SVGs lose the embedded phone variant (written out as its own file already)."""
    if exception is not None:
        return
    for path in (Path(app.outdir) / "_images").glob("*.svg"):
        head = path.read_text(encoding="utf-8", errors="replace")
        if "data-ipof-narrow=" in head[:400000]:
            path.write_text(_NARROW_ATTR.sub("", head, count=1), encoding="utf-8")


def _bibliography_roles(app, pagename, templatename, context, doctree):
    """docutils marks each bibliography entry ``role="doc-biblioentry"`` (deprecated in DPUB-ARIA 1.1) inside
    a ``role="list"``, whose children must then be list items (axe-core: aria-deprecated-role and
    aria-required-children): the entries become ``role="listitem"`` of that list."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')

