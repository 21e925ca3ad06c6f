"""CX Workbook, the application: the ``cxwb`` command, the notebook runner and reports, exercise
checks and grading. It builds on the :mod:`cxlib` library; nothing in ``cxlib`` imports it."""
