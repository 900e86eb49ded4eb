"""The cells and columns every workbook bulkio writes with openpyxl is made of: text cells,
formats, widths (what a cell can hold and how wide a column is: bulkio.sheets.cells).

A text cell is always a string cell (data_type "s"): "=SUM(A1)" or "00042" comes back exactly
as written, never as a formula or a number.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bulkio.prepare.formulas import needs_guard
from bulkio.sheets.cells import excel_text

TEXT_FORMAT = "@"  # text columns keep what is typed: 00123 stays 00123
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "number": "0"}
LAST_ROW = 1_048_576  # Excel's last row: a check on "A2:A1048576" covers rows a person adds


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
