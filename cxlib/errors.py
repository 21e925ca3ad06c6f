"""Errors that CX Workbook raises on bad input.

Every error names *what* was wrong (table, column, value), *where* (row
numbers or positions, at most five shown plus the total count) and *what
was expected*, so that an analyst can fix the data without reading code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CXDataError", "DataValidationError", "DegenerateSampleWarning", "OutputError", "ScoreError",
           "format_examples", "plain_value", "optional_import"]

MAX_EXAMPLES = 5


def plain_value(value):
    """Numpy scalars print as plain Python values in messages (``11``, not ``np.int64(11)``)."""
    return value.item() if isinstance(value, np.generic) else value


def format_examples(positions: Sequence, values: Sequence | None = None, *, label: str = "row") -> str:
    """Describe up to five offending positions (and their values) plus the total count.

    >>> format_examples([3, 7], ["x", 11])
    "2 rows: row 3 ('x'), row 7 (11)"
    """
    n = len(positions)
    shown = []
    for i in range(min(n, MAX_EXAMPLES)):
        item = f"{label} {positions[i]}"
        if values is not None:
            item += f" ({values[i]!r})"
        shown.append(item)
    more = f", … and {n - MAX_EXAMPLES} more" if n > MAX_EXAMPLES else ""
    noun = label if n == 1 else (f"{label}es" if label.endswith("x") else f"{label}s")
    return f"{n} {noun}: " + ", ".join(shown) + more


def optional_import(module: str, extra: str, what: str):
    """Import ``module``, a dependency of an optional extra, or say which extra to install.

    ``module`` may be a submodule (``"pyarrow.parquet"``); the message names its package.

    Raises
    ------
    ImportError
        When ``module`` is not installed: names ``what`` needed it and the
        ``pip install 'cx-workbook[extra]'`` that adds it. A module that is installed
        but fails to import raises its own error unchanged.

    Examples
    --------
    >>> optional_import("math", "stats", "an example").sqrt(4.0)
    2.0
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        package = module.split(".")[0]
        if err.name not in (module, package):
            raise
        raise ImportError(f"{what} needs {package}, which the library-only install leaves out: "
                          f"pip install 'cx-workbook[{extra}]'", name=package) from err


class CXDataError(ValueError):
    """Base class: input data that an analysis cannot use as given."""


class OutputError(OSError):
    """An output (report, index, mapping file) could not be written; the message names the file and why.

    ``args[1]`` is the ``errno`` (e.g. ``errno.ENOSPC`` for a full disk). Outputs are written
    atomically (:mod:`cxlib.atomic`), so the previous file is still there, whole.
    """

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.errno = code

    def __str__(self) -> str:
        return self.args[0]


class ScoreError(CXDataError):
    """Scores outside their scale, non-numeric or non-integer answers."""


class DataValidationError(CXDataError):
    """A table does not match its data dictionary.

    Attributes
    ----------
    problems : list of dict
        One dict per problem with keys ``table``, ``column``, ``rows`` (row
        numbers as in a spreadsheet: header = row 1), ``values``, ``count``
        and ``expected``.
    source : str or None
        The file the table was read from (each line of the message starts with it).
    """

    def __init__(self, problems: list[dict], source: str | None = None):
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__("\n".join(where + describe_problem(p) for p in problems))


def describe_problem(problem: dict) -> str:
    """One readable line for a validation problem."""
    where = f"table '{problem['table']}'"
    if problem.get("column"):
        where += f", column '{problem['column']}'"
    text = f"{where}: {problem['message']}"
    rows = problem.get("rows")
    if rows:
        total = problem.get("count", len(rows))
        shown = ", ".join(
            f"row {r} ({v!r})" if problem.get("values") is not None else f"row {r}"
            for r, v in zip(rows, problem.get("values") or [None] * len(rows), strict=False)
        )
        more = f", … and {total - len(rows)} more" if total > len(rows) else ""
        text += f" — {total} row{'s' if total != 1 else ''}: {shown}{more}"
    if problem.get("expected"):
        text += f"; expected {problem['expected']}"
    return text


class DegenerateSampleWarning(UserWarning):
    """A statistic computed on a sample too small or too uniform for its usual interval or test.

    Raised as a warning (not an error) because the point estimate is still right; the message
    says which interval or test to use instead.
    """
