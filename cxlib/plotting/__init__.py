"""Plotting: one module per concept, apart from the statistics.

``cxlib.plotting.metrics``, ``servqual``, ``kano``, ``drivers``, ``journey``, ``value`` and ``heart`` hold
the charts of those concept
modules. Importing a statistics module never imports matplotlib; the charts import it when used.
"""
