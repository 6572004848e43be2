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


def write_table(table: pd.DataFrame, name: str, folder: str | Path = "tables") -> Path:
    """Write a table as CSV beside the notebook (for a download link); return its relative path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    table.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


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


def run_variant(notebook: str | Path, parameters: dict, workdir: str | Path) -> dict[str, str]:
    """Execute a chapter notebook with papermill and other parameters; return its glued texts by key."""
    import ast
    import json

    import papermill as pm

    notebook = paths.ROOT / notebook
    name = "-".join(f"{k}={v}" for k, v in parameters.items()) or "baseline"
    out = Path(workdir) / f"{notebook.stem}--{name}.ipynb"
    pm.execute_notebook(str(notebook), str(out), parameters=parameters, cwd=str(Path(workdir)),
                        progress_bar=False, log_output=False, kernel_name="python3")
    glued = {}
    for cell in json.loads(out.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if key and text is not None:
                try:
                    glued[key] = ast.literal_eval(text)
                except (ValueError, SyntaxError):  # a figure's or table's plain-text stand-in
                    glued[key] = text
    return glued
