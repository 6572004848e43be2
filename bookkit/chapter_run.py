"""``make chapter NB=... ARGS="-p name value ..."``: re-run one chapter with other parameters and render it.

The chapter is executed by papermill (so the parameters are injected exactly as a reviewer's own
``papermill`` run would) into ``_build/chapters/<name>/<name>.ipynb``; its numbers come from the same
results store as the book's. It is then rendered on its own by Jupyter Book (execution off, the book's
extension and bibliography on) into ``_build/chapters/<name>/_build/html/``, with its glued numbers,
verdicts and figures. Links to other chapters are left unresolved (a single page), and said so.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from analysis import paths

OUT = paths.ROOT / "_build" / "chapters"


def parse(argv: list[str]) -> tuple[Path, dict]:
    """The notebook and its parameters from ``NB -p name value -p name value``; values are YAML
    (``10`` is a number, ``True`` a boolean, ``welch`` a string), as papermill reads ``-p``."""
    parser = argparse.ArgumentParser(prog="make chapter", description=__doc__)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-p", "--parameters", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = parser.parse_args(argv)
    return args.notebook, {name: yaml.safe_load(value) for name, value in args.parameters}


def run(notebook: Path, parameters: dict) -> Path:
    """Execute and render; return the HTML page."""
    import papermill as pm

    source = (paths.ROOT / notebook).resolve()
    folder = OUT / source.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    executed = folder / source.name
    pm.execute_notebook(str(source), str(executed), parameters=parameters, cwd=str(source.parent),
                        progress_bar=False, kernel_name="python3")
    shutil.copy(paths.ROOT / "book" / "references.bib", folder / "references.bib")
    shutil.copytree(paths.ROOT / "book" / "_static", folder / "_static")
    config = {"title": f"{source.stem} with {parameters or 'the paper’s choices'}",
              "execute": {"execute_notebooks": "off"}, "bibtex_bibfiles": ["references.bib"],
              "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "substitution"]},
              "sphinx": {"extra_extensions": ["bookkit.sphinx_ext"],
                         "config": {"nb_render_markdown_format": "myst", "html_static_path": ["_static"],
                                    "html_css_files": ["ipof.css"], "suppress_warnings": ["myst.xref_missing"]}}}
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    from analysis.store import Session

    from .build import write_manifest

    write_manifest(Session().results())  # what the book's roles read (the extension only reads)
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(executed), "--config", str(folder / "_config.yml")],
                          cwd=folder, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
    return folder / "_build" / "_page" / source.stem / "html" / f"{source.stem}.html"


def main(argv: list[str] | None = None) -> int:
    notebook, parameters = parse(sys.argv[1:] if argv is None else argv)
    try:
        page = run(notebook, parameters)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"executed {notebook} with {parameters or 'the paper’s choices'}; rendered {page} "
          "(links to other chapters are not resolved in a single page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
