"""Plotting: one module per concept, apart from the statistics.

``cxlib.plotting.metrics``, ``servqual``, ``kano``, ``drivers``, ``journey``, ``value``, ``heart``,
``recovery`` and ``experiments`` hold the charts of those concept modules: seaborn-style axes-level
functions that draw results and compute nothing. Importing a statistics module never imports
matplotlib; the charts import it when used.
"""
