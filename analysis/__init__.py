"""The analysis engine of the reproducible iPOF paper (Lobban et al., 2025, JMIR 27:e79289).

One path for data: a survey CSV in the contract layout is loaded and validated
(:mod:`analysis.loading`), scored (:mod:`analysis.scales`) and analysed by
small pure functions (:mod:`analysis.sample`, :mod:`analysis.caseness`,
:mod:`analysis.growth`, :mod:`analysis.correlations`, :mod:`analysis.ttests`);
:mod:`analysis.reproduce` writes the results manifest and tables that the book
reads.
"""

__version__ = "0.1.0"
