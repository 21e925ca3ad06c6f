"""The aggregation layer: rows → sufficient statistics, on any dataframe engine.

Each function takes a table of any supported engine (see :mod:`cxlib.engine`), builds one
group-by/aggregate query with narwhals expressions, and returns only the aggregate (a few rows
per group) as pandas/numpy for the math layer (:mod:`cxlib.stats`). Optional survey weights enter
here as weighted counts and sums plus Σw² for Kish's effective sample size.

Modules
-------
survey
    Answer counts per group, moments ``(n, Σx, Σx²)`` per group, covariance sufficient
    statistics (pairwise), each optionally weighted.
behaviour
    Customers, sessions, funnels and cohorts.

This package re-exports nothing: import the module you need.
"""
