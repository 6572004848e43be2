"""The book's presentation layer: everything the Jupyter Book needs beyond the analysis engine.

:mod:`bookkit.fmt` formats numbers the way the paper prints them (APA conventions, true minus
signs, one symbol for cells withheld by disclosure control); :mod:`bookkit.tables` turns a data
frame into a numbered, captioned MyST table with footnotes; :mod:`bookkit.figures` draws the
book's figures at the width they are shown, in a colour-blind-safe palette; :mod:`bookkit.diagram`
draws the program-theory diagram from ``data/cmo/cmo.yaml`` with Graphviz. Nothing here computes
a statistic, and importing a module changes no global state (styles are applied inside each
drawing function).
"""
