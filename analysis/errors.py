"""The one error the statistics raise on data they cannot analyse."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Data that pass the contract but are too small or degenerate for one analysis.

    The message names the analysis, why it cannot be computed and the minimum it needs, e.g.
    ``t test of safe_total (ever_posted): the never-posted group has 0 respondents with a score;
    needs at least 2 in each group``.
    """

    def __init__(self, analysis: str, why: str, minimum: str):
        self.analysis, self.why, self.minimum = analysis, why, minimum
        super().__init__(f"{analysis}: {why}; needs {minimum}")
