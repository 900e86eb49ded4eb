"""List validation: a dropdown of the values a column accepts, as Excel shows it.

Short lists are typed into the validation itself; a list that does not fit (Excel caps an inline
list at 255 characters and splits options at commas) is read from a column of a hidden "Lists"
sheet, written whole at the end so that write-only workbooks can use it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import zip_longest

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bulkio.catalogue import Field
from bulkio.sheets.xlsx import column_range, text_cell

INLINE_LIST_MAX = 255  # Excel's limit for a list typed into the validation itself
LISTS_SHEET = "Lists"
CHECK_VALUES = ("TRUE", "FALSE")


class ChoiceLists:
    """The allowed values of a workbook's list validations, and the hidden sheet of long ones.

    `spill=False` keeps the workbook's sheets as they are: long lists then get no validation.
    """

    def __init__(self, book, spill: bool = True):
        self.book = book
        self.spill = spill
        self.columns: list[list[str]] = []

    def formula(self, title: str, choices: Iterable) -> str | None:
        """The validation's formula1 for `choices` (`title` heads their column on the sheet),
        or None when they do not fit inline and `spill` is off."""
        choices = [str(c) for c in choices]
        inline = ",".join(choices)
        if len(inline) <= INLINE_LIST_MAX and not any("," in c or '"' in c for c in choices):
            return f'"{inline}"'
        if not self.spill:
            return None
        self.columns.append([title, *choices])
        letter = get_column_letter(len(self.columns))
        return f"{LISTS_SHEET}!${letter}$2:${letter}${len(choices) + 1}"

    def finish(self) -> None:
        """Write the hidden sheet, when some list did not fit inline."""
        if not self.columns:
            return
        sheet = self.book.create_sheet(LISTS_SHEET)
        for values in zip_longest(*self.columns):
            sheet.append([None if v is None else text_cell(sheet, v, guard=True) for v in values])
        sheet.sheet_state = "hidden"


def choice_validation(f: Field, lists: ChoiceLists) -> DataValidation | None:
    """A list data validation holding the values `f` accepts (check boxes: TRUE, FALSE), or None."""
    choices = CHECK_VALUES if f.type == "check_box" else f.values
    formula = lists.formula(f.label, choices) if choices else None
    if formula is None:
        return None
    check = DataValidation(type="list", formula1=formula, allow_blank=True)
    check.error = f"Choose one of the listed values for {f.label}."
    check.errorTitle = f.label[:32]
    check.showErrorMessage = True
    return check


def check_column(sheet, check: DataValidation, number: int) -> None:
    """Apply `check` to column `number` of `sheet`, from row 2 to Excel's last row, so rows a
    person adds below are checked too."""
    check.add(column_range(number))
    sheet.data_validations.append(check)
