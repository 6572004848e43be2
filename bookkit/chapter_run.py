"""``make chapter NB=... ARGS="-p name value ..."``: re-run one chapter with other parameters and render it.

The parameters are checked first: each name must be one of the notebook's parameters cell or an analytic
choice (:data:`analysis.options.NAMES`, which every chapter reads), and the choices must make an
:class:`analysis.options.Options`; otherwise one line names what is wrong (exit status 2) and nothing is
run. The chapter is then executed by papermill (so the parameters are injected exactly as a reviewer's
own ``papermill`` run would); its numbers come from the same results store as the book's. It is rendered
on its own by Jupyter Book (execution off, the book's extension and bibliography on, a references section
added) into ``_build/chapters/<name>/_build/html/``, with its glued numbers, verdicts, figures and
citations. Links to other chapters are left unresolved (a single page), and said so. Everything is
written into a temporary folder that replaces ``_build/chapters/<name>/`` only when it all succeeded: a
failed run leaves the previous render as it was.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from analysis import paths
from analysis.options import NAMES, Options
from analysis.store import Session

from .build import write_manifest
from .directives import MANIFEST_ENV

OUT = paths.ROOT / "_build" / "chapters"

#: Appended to the rendered copy so that its citations resolve (the book has them on its References page).
REFERENCES = "## References\n\n```{bibliography}\n:filter: docname in docnames\n```\n"


class ChapterError(ValueError):
    """A chapter that cannot be run as asked: the message is one line, saying what is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2 (argparse prints the usage too)
        self.exit(2, f"error: {message} (make chapter NB=book/<chapter>.ipynb ARGS=\"-p name value\")\n")


def parse(argv: list[str]) -> tuple[Path, dict, bool]:
    """The notebook, its parameters and ``--check`` from ``NB -p name value -p name value``; values are
    YAML (``10`` is a number, ``True`` a boolean, ``welch`` a string), as papermill reads ``-p``."""
    parser = _Parser(prog="make chapter", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                     allow_abbrev=False)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-p", "--parameters", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("--check", action="store_true", help="check the notebook and parameters, run nothing")
    args = parser.parse_args(argv)
    params = {}
    for name, value in args.parameters:
        try:
            params[name] = yaml.safe_load(value)
        except yaml.YAMLError:
            params[name] = value
    return args.notebook, params, args.check


def notebook_parameters(source: Path) -> list[str]:
    """The names assigned in a notebook's ``parameters`` cell."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ChapterError(f"{source.relative_to(paths.ROOT)} has no parameters cell: it takes no parameters")
    text = cells[0]["source"]
    names = []
    for node in ast.parse("".join(text) if isinstance(text, list) else text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def check(notebook: Path, parameters: dict) -> Path:
    """The notebook's path, if it exists and takes ``parameters``; else :class:`ChapterError` (one line)."""
    source = (paths.ROOT / notebook).resolve()
    if source.suffix != ".ipynb" or not source.is_file():
        raise ChapterError(f"no notebook {notebook} (give NB=book/<part>/<chapter>.ipynb)")
    if not source.is_relative_to(paths.ROOT / "book"):
        raise ChapterError(f"{notebook} is not a chapter of the book (book/...)")
    if not parameters:
        return source
    own = notebook_parameters(source)
    known = own + [n for n in NAMES if n not in own]
    unknown = [n for n in parameters if n not in known]
    if unknown:
        choices = ", ".join(n for n in known if n not in own)
        raise ChapterError(f"unknown parameter {unknown[0]!r} for {notebook}; known: {', '.join(own)} "
                           f"(its parameters cell) and the analytic choices {choices}")
    try:
        Options(**{k: v for k, v in parameters.items() if k in NAMES})
    except (TypeError, ValueError) as exc:
        raise ChapterError(f"bad parameter for {notebook}: {exc}") from None
    data = parameters.get("data_path")
    if data is not None and (not isinstance(data, str) or not (paths.ROOT / data).is_file()):
        raise ChapterError(f"bad parameter for {notebook}: data_path must name a survey file, not {data!r}")
    return source


def _title(stem: str, parameters: dict) -> str:
    if not parameters:
        return f"{stem} with the paper’s choices"
    return f"{stem} with " + ", ".join(f"{k}={v}" for k, v in parameters.items())


def run(notebook: Path, parameters: dict) -> Path:
    """Check, execute and render; return the HTML page. The previous render is replaced only on success."""
    import nbformat
    import papermill as pm

    source = check(notebook, parameters)
    if "data_path" in parameters:  # the notebook runs in its own folder: give it the file's absolute path
        parameters = {**parameters, "data_path": str((paths.ROOT / parameters["data_path"]).resolve())}
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=OUT, prefix=f".{source.stem}-"))
    try:
        executed = work / source.name
        try:
            pm.execute_notebook(str(source), str(executed), parameters=parameters, cwd=str(source.parent),
                                progress_bar=False, kernel_name="python3", log_output=False)
        except pm.PapermillExecutionError as exc:
            evalue = (str(exc.evalue).strip().splitlines() or [""])[0]
            raise RuntimeError(f"executing {notebook} failed: {exc.ename}: {evalue}") from None
        nb = nbformat.read(executed, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell(REFERENCES))
        nbformat.write(nb, executed)
        shutil.copy(paths.ROOT / "book" / "references.bib", work / "references.bib")
        shutil.copytree(paths.ROOT / "book" / "_static", work / "_static")
        config = {"title": _title(source.stem, parameters), "execute": {"execute_notebooks": "off"},
                  "bibtex_bibfiles": ["references.bib"],
                  "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "substitution"]},
                  "sphinx": {"extra_extensions": ["bookkit.sphinx_ext"],
                             "config": {"nb_render_markdown_format": "myst", "html_static_path": ["_static"],
                                        "html_css_files": ["ipof.css"], "bibtex_reference_style": "label",
                                        "bibtex_default_style": "unsrt",
                                        "suppress_warnings": ["myst.xref_missing"]}}}
        (work / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        manifest = work / "book-manifest.json"  # what the roles read: this chapter's data and choices
        write_manifest(Session(parameters.get("data_path")).results(Options.from_mapping(parameters)), manifest)
        jb = Path(sys.executable).parent / "jupyter-book"
        proc = subprocess.run([str(jb), "build", str(executed), "--config", str(work / "_config.yml")],
                              cwd=work, capture_output=True, text=True, env={**os.environ, MANIFEST_ENV: str(manifest)})
        if proc.returncode != 0:
            last = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()][-1:] or ["?"]
            raise RuntimeError(f"rendering {notebook} failed: {last[0]}")
        folder = OUT / source.stem
        old = folder.with_name(f".{source.stem}-old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        work.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder / "_build" / "_page" / source.stem / "html" / f"{source.stem}.html"


def main(argv: list[str] | None = None) -> int:
    notebook, parameters, only_check = parse(sys.argv[1:] if argv is None else argv)
    try:
        if only_check:
            check(notebook, parameters)
            print(f"{notebook}: parameters {parameters or 'none'} are valid")
            return 0
        page = run(notebook, parameters)
    except ChapterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"executed {notebook} with {parameters or 'the paper’s choices'}; rendered {page} "
          "(links to other chapters are not resolved in a single page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
