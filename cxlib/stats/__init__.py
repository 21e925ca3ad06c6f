"""The math layer: every statistic of the workbook once, computed from aggregates.

Each function takes sufficient statistics (counts, moments ``(n, Σx, Σx²)``, weighted sums,
covariance or correlation matrices) and returns numbers; none of them sees a row of data, so any
engine can produce the aggregates (see :mod:`cxlib.aggregate`). All functions are vectorised over
groups, documented with their formula and references, and tested on hand-worked or published
values.

Modules
-------
proportions
    Wilson interval, Newcombe difference interval, pooled two-proportion z test, Cohen's h,
    weighted shares.
moments
    Mean, SD, t intervals, Welch and z tests from ``(n, Σx, Σx²)``; weighted versions with Kish's
    effective sample size and the design-based (linearisation) SE; covariance from sums.
netscore
    NPS, CSI and CES-net from counts: multinomial variance, Wald and small-sample intervals,
    two-sample test, sample size.
multiple
    Multiple-comparison adjustment of p-values.
control
    Control-chart limits for periods of varying size.
reliability
    Cronbach's α (raw and standardised), α-if-dropped, item–rest r and Feldt's interval from a
    covariance matrix.

Driver importance from a correlation matrix (standardised betas, relative weights, exact LMG)
stays in :mod:`cxlib.drivers` as ``*_from_corr`` functions.

This package re-exports nothing: import the module you need, e.g.
``from cxlib.stats.proportions import wilson_interval``.
"""
