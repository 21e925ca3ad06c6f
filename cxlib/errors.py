"""Errors that CX Workbook raises on bad input.

Every error names *what* was wrong (table, column, value), *where* (row
numbers or positions, at most five shown plus the total count) and *what
was expected*, so that an analyst can fix the data without reading code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CXDataError", "DataValidationError", "DegenerateSampleWarning", "ScoreError", "format_examples",
           "plain_value"]

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


class CXDataError(ValueError):
    """Base class: input data that an analysis cannot use as given."""


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
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("\n".join(describe_problem(p) for p in problems))


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
