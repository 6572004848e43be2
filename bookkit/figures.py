"""The book's figures, drawn from what the analysis functions return (no statistics computed here).

Every function returns a matplotlib Figure with fixed size and no timestamp in
its metadata, so the same inputs give the same image.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "font.size": 10, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "ipof"})

LABELS = {
    "gender": "Gender", "ethnicity": "Ethnicity", "age_group": "Age group", "use_duration": "Time using the forum",
    "use_frequency": "How often", "forum": "Forum", "sexuality": "Sexuality",
}


def sample_description_figure(table: pd.DataFrame, variables=("gender", "age_group", "ethnicity", "use_duration")):
    """Horizontal bars of percent of the included sample, one panel per variable.

    Takes ``description_table`` output, or its disclosure-protected form: suppressed cells are not drawn.
    """
    fig, axes = plt.subplots(1, len(variables), figsize=(3.2 * len(variables), 3.4))
    for ax, var in zip(np.atleast_1d(axes), variables):
        part = table[table["variable"] == var]
        part = part.assign(percent=pd.to_numeric(part["percent"], errors="coerce")).dropna(subset=["percent"])
        ax.barh(part["category"].str.replace("_", " "), part["percent"].astype(float), color="#4C72B0")
        ax.invert_yaxis()
        ax.set_title(LABELS.get(var, var))
        ax.set_xlabel("% of respondents")
    fig.tight_layout()
    return fig


def caseness_figure(cases: int, not_cases: int, nhs_cases: int, nhs_not: int):
    """Stacked percentage bars: caseness in the survey and in NHS Talking Therapies North West 2022-23."""
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    groups = ["iPOF survey", "NHS Talking Therapies\nNorth West 2022-23"]
    pct_case = [100 * cases / (cases + not_cases), 100 * nhs_cases / (nhs_cases + nhs_not)]
    ax.barh(groups, pct_case, color="#C44E52", label="caseness")
    ax.barh(groups, [100 - p for p in pct_case], left=pct_case, color="#BBBBBB", label="not caseness")
    for y, p in enumerate(pct_case):
        ax.text(p / 2, y, f"{p:.0f}%", ha="center", va="center", color="white", fontweight="bold")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of people")
    ax.invert_yaxis()
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def growth_figure(panels: list[tuple[str, pd.DataFrame, np.ndarray]]):
    """Observed wave means with 95% CIs and the model-implied linear trajectory, one panel per scale.

    ``panels`` holds (title, observed_wave_summary table, implied means per wave).
    """
    from analysis.disclosure import settings

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), sharey=False)
    for ax, (title, observed, implied) in zip(np.atleast_1d(axes), panels):
        ax.plot(observed["time"], implied, "-", color="#C44E52", lw=2, label="model-implied trajectory")
        ax.set_xticks(observed["time"], [f"T{i + 1}\n(week {6 * i})" for i in range(len(observed))])
        observed = observed[observed["n"] >= settings()["min_group"]]  # small waves are not drawn
        t = observed["time"].to_numpy()
        ax.errorbar(t, observed["mean"], yerr=[observed["mean"] - observed["ci_low"], observed["ci_high"] - observed["mean"]],
                    fmt="o", color="#333333", capsize=4, label="observed mean (95% CI)")
        ax.set_title(title)
        ax.set_ylabel("Sum score")
        ax.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def correlation_heatmap(matrix: pd.DataFrame):
    """Heatmap of a correlation matrix (lower triangle, values printed)."""
    import seaborn as sns

    mask = np.triu(np.ones(matrix.shape, dtype=bool))
    fig, ax = plt.subplots(figsize=(8.5, 7))
    sns.heatmap(matrix, mask=mask, annot=True, fmt=".2f", cmap="RdBu_r", vmin=-1, vmax=1, square=True,
                cbar_kws={"shrink": 0.7, "label": "Pearson r"}, ax=ax, annot_kws={"size": 7})
    fig.tight_layout()
    return fig
