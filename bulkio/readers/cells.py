"""Spreadsheet cell values as the text a person sees, the same for calamine and openpyxl;
and the flags that mark cells whose text is no value (Excel errors, formulas never computed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

INT_LIMIT = 1e21  # beyond this an integer prints as 1e+21, as JavaScript and Excel do


def cell_text(value: object) -> str:
    """One cell as text: '00123' stays, 3.0 -> '3', 0.1 -> '0.1', dates -> 'YYYY-MM-DD'."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:  # openpyxl reads "1234567890123456789" exactly; a float would not
        return str(value)
    if kind is float:
        return number_text(value)
    if kind is dt.datetime:
        return datetime_text(value)
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.time:
        return value.replace(microsecond=0).isoformat()
    if kind is dt.timedelta:
        return duration_text(value)
    return str(value)


def number_text(number: float) -> str:
    """Integers without '.0'; other numbers in Python's shortest round-trip form."""
    if number.is_integer() and abs(number) < INT_LIMIT:
        return str(int(number))
    return repr(number)


def datetime_text(value: dt.datetime) -> str:
    """'YYYY-MM-DD' at midnight, else 'YYYY-MM-DD HH:MM:SS' rounded to the second.

    Rounding makes calamine and openpyxl agree: they turn Excel's fractional days into
    sub-second parts differently.
    """
    try:
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    except OverflowError:  # 9999-12-31 23:59:59.9, an "end of time" date: no rounding up
        value = value.replace(microsecond=0)
    if value.time() == dt.time(0):
        return value.date().isoformat()
    return value.strftime("%Y-%m-%d %H:%M:%S")


def duration_text(value: dt.timedelta) -> str:
    """A duration as H:MM:SS with hours past 24, as Excel shows [h]:mm:ss."""
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


# Cells whose text is not a value the person typed: what validation refuses, and why.
ERROR = "error"        # an Excel error (#N/A, #DIV/0!, #REF!...): a formula failed
UNCACHED = "uncached"  # a formula whose result was never saved (no Excel ever opened it)


@dataclass(frozen=True)
class CellFlag:
    """Why one cell's text is not a value: `kind` ERROR (`text` "#N/A") or UNCACHED
    (`text` the formula, "" when unknown)."""

    kind: str
    text: str


class CellFlags(dict):
    """(row, column name) -> CellFlag for one table; a reader puts it in `frame.attrs`.

    pandas deep-copies `attrs` into every frame and column derived from a frame; these flags
    never change once read, so a copy is the same object and costs nothing.
    """

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self
