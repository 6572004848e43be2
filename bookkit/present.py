"""What every computed page shows besides its numbers: the data notice, the provenance note, and
table downloads. Statistics are never computed here."""

from __future__ import annotations

import base64
import platform
import subprocess
from importlib.metadata import version

import pandas as pd

from analysis import paths

DATA_CARD_DOC = "/book/data-card"
PACKAGES = ("pandas", "numpy", "scipy", "semopy", "pandera", "statsmodels", "matplotlib", "myst-nb", "jupyter-book")


def notice_markdown(values: dict) -> str:
    """The MyST admonition of a computed page: synthetic twin, or the file actually read.

    Chosen by ``values["data_is_twin"]`` (the file's SHA-256 equals the shipped twin's), never by its path.
    """
    if values.get("data_is_twin"):
        return (
            ":::{admonition} Synthetic data\n:class: warning\n"
            "The survey numbers on this page are computed from a **synthetic twin** of the iPOF survey, "
            "not from the study's data. The twin was calibrated so that the paper's published values come "
            "out of the same pipeline (they match by construction); everything else in it is invented, and "
            "numbers in the text that the paper does not publish are marked ‡. A number marked ≠ is one the "
            "paper prints differently: the twin does not reproduce it, and its value replaces the paper's "
            "(hover over the mark for the printed value). "
            f"See the {{doc}}`data card <{DATA_CARD_DOC}>`.\n:::"
        )
    return (":::{admonition} Data\n:class: note\n"
            f"The survey numbers on this page are computed from `{values.get('data_file')}` "
            f"(SHA-256 `{str(values.get('data_sha256'))[:16]}...`). A number marked ≠ differs from the value "
            "the paper prints (hover over the mark for it; see the reproduction report).\n:::")


def commit() -> str:
    """The repository's current commit (short), or 'unknown' outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except OSError:
        out = ""
    return out or "unknown"


def repository_url() -> str | None:
    """The repository's web address: from GitHub Actions' variables, else the git remote ``origin``."""
    import os
    import re

    if os.environ.get("GITHUB_REPOSITORY"):
        return f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{os.environ['GITHUB_REPOSITORY']}"
    try:
        remote = subprocess.run(["git", "remote", "get-url", "origin"], capture_output=True, text=True,
                                timeout=10, cwd=paths.ROOT).stdout.strip()
    except OSError:
        return None
    match = re.match(r"(?:https://|git@)([^/:]+)[/:](.+?)(?:\.git)?$", remote)
    return f"https://{match.group(1)}/{match.group(2)}" if match else None


def provenance_markdown(parameters: dict, values: dict | None = None) -> str:
    """A folded note of what produced a page: commit, data SHA-256, package versions, parameters."""
    lines = [":::{dropdown} Provenance of this page", f"- executed at commit `{commit()}`"]
    if values is not None:
        lines.append(f"- data `{values.get('data_file')}`, SHA-256 `{values.get('data_sha256')}`")
    lines.append(f"- Python {platform.python_version()}; " + ", ".join(f"{p} {version(p)}" for p in PACKAGES))
    lines.append("- parameters: " + (", ".join(f"`{k} = {v!r}`" for k, v in parameters.items()) or "none"))
    lines.append(":::")
    return "\n".join(lines)


def csv_download(table: pd.DataFrame, name: str):
    """A 'Download as CSV' link carrying the table itself (a data: URI), so the file always matches
    the page that shows it and no separate file can outlive the data it came from."""
    from IPython.display import HTML

    data = table.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode("utf-8")
    uri = "data:text/csv;base64," + base64.b64encode(data).decode("ascii")
    return HTML(f'<p><a class="ipof-download" download="{name}.csv" href="{uri}">Download this table as CSV '
                f"({name}.csv)</a></p>")


def notebook_parameters(source: str) -> list[tuple[str, str, str]]:
    """The parameters of a papermill ``parameters`` cell: (name, default as written, its comment).

    Reads lines ``name: type = value  # comment`` (or ``name = value``); the cell's own title comment and
    blank lines are skipped."""
    import re

    found: dict[str, tuple[str, str, str]] = {}
    for line in source.splitlines():
        m = re.match(r"\s*([A-Za-z_]\w*)\s*(?::\s*[^=]+)?=\s*([^#]+?)\s*(?:#\s*(.*))?$", line)
        if m:  # a later assignment (papermill's injected value) replaces the value, keeping the comment
            comment = (m.group(3) or "").strip() or found.get(m.group(1), ("", "", ""))[2]
            found[m.group(1)] = (m.group(1), m.group(2), comment)
    return list(found.values())


def rerun_command(notebook: str, parameters: list[tuple[str, str, str]]) -> str:
    """``make chapter NB=<notebook> ARGS="-p name value ..."`` with this page's values (``data_path`` is
    left to ``$IPOF_DATA`` or the twin, as on the page)."""
    args = " ".join(f"-p {name} {value.strip(chr(34) + chr(39))}" for name, value, _ in parameters
                    if name != "data_path")
    return f'make chapter NB={notebook}' + (f' ARGS="{args}"' if args else "")
