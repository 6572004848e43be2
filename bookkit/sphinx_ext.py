"""Sphinx extension of the book (``_config.yml``: ``extra_extensions: [bookkit.sphinx_ext]``).

Registers the roles and directives of :mod:`bookkit.directives`, and makes re-reading data-aware: a
notebook page whose fingerprint changed since Sphinx last read it is read again. It only reads what
``python -m bookkit.build`` wrote before Sphinx started (the results manifest, the notebooks'
fingerprints and their executed outputs in jupyter-cache); it computes and invalidates nothing.
"""

from __future__ import annotations

from pathlib import Path

from . import build, directives, present, words_role


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
