"""Helpers the book's notebooks share: choosing the data, the synthetic-data notice,
formatting and gluing numbers, and writing downloadable tables.

Statistics are never computed here; this module only presents what the
analysis modules return.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import paths
from .loading import DEFAULT_EXCLUSION_MINUTES, Survey, load_survey

DATA_CARD_DOC = "/book/data-card"


class Text:
    """A preformatted value for ``{glue:text}``.

    Its plain-text form is the string as a Python literal (quoted): myst-nb reads
    pasted text with ``ast.literal_eval`` before formatting it, so an unquoted
    ".009" would come back as 0.009 and "80,915" as a tuple.
    """

    def __init__(self, text: str):
        self.text = str(text)

    def __repr__(self) -> str:
        return repr(self.text)

    def _repr_pretty_(self, p, cycle):  # IPython's plain-text formatter
        p.text(repr(self.text))


def fmt_num(x: float, decimals: int) -> str:
    """Fixed decimals with a true minus sign; 'n/a' for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{decimals}f}".replace("-", "\u2212")


def fmt_p(p: float) -> str:
    """A p value as the paper prints it (APA): '<.001', else three decimals without the leading zero."""
    if p is None or math.isnan(p):
        return "n/a"
    if p < 0.001:
        return "<.001"
    return f"{p:.3f}".lstrip("0")


def fmt_p_relation(p: float) -> str:
    """A p value with its relation sign, for prose: '<.001' or '=.009' (write "P" right before it)."""
    text = fmt_p(p)
    return text if text.startswith("<") or text == "n/a" else "=" + text


def fmt_pct(n: int, total: int, decimals: int = 0) -> str:
    """n as a percentage of total."""
    return f"{100 * n / total:.{decimals}f}%"


def glue_text(key: str, text) -> None:
    """Glue a preformatted string under ``key`` for ``{glue:text}`` (not displayed in the notebook)."""
    from myst_nb import glue

    glue(key, Text(text), display=False)


def glue_figure(key: str, fig) -> None:
    """Glue a matplotlib figure for ``{glue:figure}`` and close it, so it is not shown twice."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(key, fig, display=False)
    plt.close(fig)


def glue_numbers(values: dict[str, str]) -> None:
    """Glue several preformatted strings at once."""
    for key, text in values.items():
        glue_text(key, text)


def load(data_path=None, exclusion_minutes: float = DEFAULT_EXCLUSION_MINUTES) -> Survey:
    """The validated survey a notebook reads (see :func:`analysis.paths.survey_file`)."""
    return load_survey(paths.survey_file(data_path), exclusion_minutes=exclusion_minutes)


def notice_markdown(data_path) -> str:
    """The MyST admonition every computed page shows: synthetic twin, or the file actually read."""
    path = paths.survey_file(data_path)
    if paths.is_synthetic(path):
        return (
            ":::{admonition} Synthetic data\n:class: warning\n"
            "The survey numbers on this page are computed from a **synthetic twin** of the iPOF survey, "
            "not from the study's data. The twin was calibrated so that the paper's published values come "
            f"out of the same pipeline; everything else in it is invented. See the {{doc}}`data card <{DATA_CARD_DOC}>`.\n"
            ":::"
        )
    return f":::{{admonition}} Data\n:class: note\nThe survey numbers on this page are computed from `{path.name}`.\n:::"


def show_notice(data_path) -> None:
    """Display the data notice as rendered markdown in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(notice_markdown(data_path)))


def csv_download(table: pd.DataFrame, name: str):
    """A 'Download as CSV' link carrying the table itself (a data: URI), so the file always matches
    the page that shows it, whichever run produced the page."""
    import base64

    from IPython.display import HTML

    data = table.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode("utf-8")
    uri = "data:text/csv;base64," + base64.b64encode(data).decode("ascii")
    return HTML(f'<p><a class="ipof-download" download="{name}.csv" href="{uri}">Download this table as CSV '
                f"({name}.csv)</a></p>")


def provenance_markdown(parameters: dict, data_path=None) -> str:
    """A folded note of what produced a page: commit, data SHA-256, package versions, parameters."""
    import hashlib
    import platform
    import subprocess
    from importlib.metadata import version

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    lines = [":::{dropdown} Provenance of this page", f"- executed at commit `{commit}`"]
    if data_path is not False:
        survey = paths.survey_file(data_path)
        lines.append(f"- data `{survey.relative_to(paths.ROOT) if survey.is_relative_to(paths.ROOT) else survey.name}`, "
                     f"SHA-256 `{hashlib.sha256(survey.read_bytes()).hexdigest()}`")
    packages = ["pandas", "numpy", "scipy", "semopy", "pandera", "statsmodels", "matplotlib", "myst-nb", "jupyter-book"]
    lines.append(f"- Python {platform.python_version()}; " + ", ".join(f"{p} {version(p)}" for p in packages))
    lines.append("- parameters: " + (", ".join(f"`{k} = {v!r}`" for k, v in parameters.items()) or "none"))
    lines.append(":::")
    return "\n".join(lines)


#: Every papermill parameter the chapters use (documented in each chapter's parameters cell).
PARAMETER_NAMES = ("data_path", "exclusion_minutes", "yates", "growth_missing", "growth_information", "tails", "force")


def parameters_of(namespace: dict) -> dict:
    """The chapter parameters found in a notebook's namespace, in :data:`PARAMETER_NAMES` order."""
    return {k: namespace[k] for k in PARAMETER_NAMES if k in namespace}


def show_provenance(parameters: dict, data_path=None) -> None:
    """Display :func:`provenance_markdown` in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(provenance_markdown(parameters, data_path)))


def html_table(table: pd.DataFrame, row_id: str | None = None, id_prefix: str = "") -> str:
    """A plain HTML table; with ``row_id``, each row gets id="{id_prefix}{value}" so pages can link to it."""
    import html as _html

    head = "".join(f"<th>{_html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for _, row in table.iterrows():
        rid = f' id="{id_prefix}{str(row[row_id]).lower()}"' if row_id else ""
        cells = "".join(f"<td>{'' if pd.isna(v) else _html.escape(str(v))}</td>" for v in row)
        rows.append(f"<tr{rid}>{cells}</tr>")
    return (f'<table class="table ipof-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def glued_records(notebook_path: str | Path) -> dict:
    """The values a executed notebook glued, by key (literal values decoded; figures as their text)."""
    import ast
    import json

    glued = {}
    for cell in json.loads(Path(notebook_path).read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if key and text is not None:
                try:
                    glued[key] = ast.literal_eval(text)
                except (ValueError, SyntaxError):  # a figure's or table's plain-text stand-in
                    glued[key] = text
    return glued


def run_variant(notebook: str | Path, parameters: dict, workdir: str | Path, keep: bool = False):
    """Execute a chapter notebook with other parameters (papermill's parameter injection) in ``workdir``.

    The kernel runs in ``workdir`` without changing this process's working directory, so several
    variants can run at once. Returns the glued values by key, or with ``keep`` the executed path.
    """
    import nbformat
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = paths.ROOT / notebook
    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    name = "-".join(f"{k}={v}" for k, v in parameters.items()) or "baseline"
    out = Path(workdir) / f"{notebook.stem}--{name}.ipynb"
    nbformat.write(nb, out)
    return out if keep else glued_records(out)
