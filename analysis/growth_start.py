"""Start values of the growth model's FIML estimation (:mod:`analysis.growth`, step 1): semopy's
``ModelMeans`` fitted with its ``ML`` objective on the same rows; only a starting point."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import numpy as np
import pandas as pd


def semopy_description(columns: list[str], time_scores) -> str:
    """semopy syntax of the linear growth model on columns y0..y{p-1}.

    Latent means are labelled (semopy 2.3.11 needs a label for ``~ 1`` on a
    latent variable) and observed intercepts are fixed to 0.
    """
    ones = " + ".join(f"1*{c}" for c in columns)
    slopes = " + ".join(f"{float(t)!r}*{c}" for t, c in zip(time_scores, columns, strict=False))
    lines = [f"eta_i =~ {ones}", f"eta_s =~ {slopes}", "eta_i ~ alpha_i*1", "eta_s ~ alpha_s*1",
             "START(0.1) alpha_i alpha_s", "eta_i ~~ eta_s"]
    lines += [f"{c} ~ 0*1" for c in columns]
    return "\n".join(lines)


@contextmanager
def _quiet_root_logger():
    """semopy logs Fisher-information warnings on the root logger: silence them for one call only."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _semopy_estimates(y: np.ndarray, time_scores) -> np.ndarray:
    """Start values: semopy's ModelMeans (ML objective), returned as theta in this module's order."""
    import semopy

    columns = [f"y{w}" for w in range(y.shape[1])]
    model = semopy.ModelMeans(semopy_description(columns, time_scores))
    with _quiet_root_logger():
        model.fit(pd.DataFrame(y, columns=columns), obj="ML", clean_slate=True)
        est = model.inspect(se_robust=False)

    def value(lval, op, rval):
        row = est[(est["lval"] == lval) & (est["op"] == op) & (est["rval"] == rval)]
        return float(row["Estimate"].iloc[0])

    theta = [value("eta_i", "~", "1"), value("eta_s", "~", "1"), value("eta_i", "~~", "eta_i"),
             value("eta_s", "~~", "eta_s"), value("eta_i", "~~", "eta_s")]
    theta += [value(c, "~~", c) for c in columns]
    return np.array(theta)
