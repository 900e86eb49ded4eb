"""The cells and columns every workbook bulkio writes is made of: text cells, formats, widths.

A text cell is always a string cell (data_type "s"): "=SUM(A1)" or "00042" comes back exactly
as written, never as a formula or a number. Excel refuses control characters and cuts a cell at
32,767 characters, so a text cell holds the text without them, cut there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bulkio.prepare.formulas import needs_guard

TEXT_FORMAT = "@"  # text columns keep what is typed: 00123 stays 00123
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "number": "0"}
MIN_WIDTH, MAX_WIDTH = 8, 50
LAST_ROW = 1_048_576  # Excel's last row: a check on "A2:A1048576" covers rows a person adds
MAX_CELL = 32_767  # Excel's limit on the characters of one cell


def excel_text(text: str) -> str:
    """`text` as an XLSX cell can hold it: control characters dropped, cut at MAX_CELL."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL]


def text_cell(sheet, text: str, *, guard: bool = False, font: Font | None = None) -> WriteOnlyCell:
    """A cell of `sheet` holding `text` as a string, never a formula, whatever it begins with.

    `guard` also marks text that would start a formula (`=`, `+`, `-`, `@`...) the way Excel
    itself marks '=...: it then stays text when a person edits the cell.
    """
    value = excel_text(text)
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if guard and needs_guard(value):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def fit_width(width: float, widest: float = MAX_WIDTH) -> float:
    """`width` kept between MIN_WIDTH and `widest`."""
    return min(widest, max(MIN_WIDTH, width))


def column_widths(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  measure: Callable[[Any], int] = len, widest: float = MAX_WIDTH) -> list[float]:
    """Each column's width: its longest entry (the header or a cell of `rows`, as `measure`
    counts it) plus a margin of 2, between MIN_WIDTH and `widest`."""
    longest = [len(h) for h in header]
    for row in rows:
        for i, value in enumerate(row):
            length = measure(value)
            if length > longest[i]:
                longest[i] = length
    return [fit_width(n + 2, widest) for n in longest]


def set_widths(sheet, widths: Iterable[float]) -> None:
    """Give the columns of `sheet` these widths, from column A on (before the first row of a
    write-only sheet: a streamed sheet cannot widen a column once rows are written)."""
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def add_filter(sheet, columns: int, rows: int) -> None:
    """An autofilter over the header and `rows` rows below it (nothing for a sheet without columns)."""
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def column_range(number: int) -> str:
    """Every row of column `number` below the header, e.g. "C2:C1048576"."""
    letter = get_column_letter(number)
    return f"{letter}2:{letter}{LAST_ROW}"
