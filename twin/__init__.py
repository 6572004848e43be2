"""The synthetic twin of the iPOF survey: ``python -m twin`` regenerates data/synthetic/ipof-survey-twin.csv.

Not the study's data. Latent traits drive the items; documented parameters
(:mod:`twin.parameters`) fix the sample's composition, attrition and time
trend. The draws are then calibrated, never by writing results, only by
moving individual answers, until the statistics the engine computes meet the
paper's printed values at their printed precision. Every statistic comes from
the engine (:mod:`analysis.growth`, :mod:`analysis.ttests`,
:mod:`analysis.correlations`, :mod:`analysis.caseness`, :mod:`analysis.scales`),
and the written file is checked with the engine's full ``run_analysis``.

Modules: :mod:`twin.parameters` (what it is told), :mod:`twin.decide` (how
decisions stay independent of floating-point last bits, and the random
streams), :mod:`twin.sampling` (exact-count draws), :mod:`twin.growthfit` (the
engine's growth model solved fast), :mod:`twin.growthcal` and
:mod:`twin.clinical` (GAD-7 and PHQ-8), :mod:`twin.forum` (forum-experience
items), :mod:`twin.assemble` (the file).

Guarantees: two runs on one machine give identical bytes; on any machine the
result meets every target (or nothing is written). Byte identity across
CPUs and BLAS kernels is likely but not guaranteed (:mod:`twin.decide`).
"""
