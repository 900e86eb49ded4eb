"""Row problems as data: one message template per error code, filled in one place.

Tests and users compare these texts, so each code has exactly one template.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bulkio.errors import RowError

MAX_SHOWN_VALUE = 60

MESSAGES = {
    "E_REQUIRED": '"{column}" is required',
    "E_CLEAR": ('"{column}" is required and cannot be cleared: the cell holds the clear marker '
                '"{value}"; give it a value'),
    # cells of a workbook whose text is no value (bulkio.readers.cell_flags)
    "E_EXCEL_ERROR": ('"{column}" holds the Excel error {value}: the formula in this cell failed; '
                      "fix the formula, or type the value in its place"),
    "E_NO_CACHED_VALUE": ('"{column}" holds a formula whose result was never saved (the file was '
                          "written by a program, not by Excel); open the file in Excel and save it, "
                          "or type the value in its place"),
    "E_AMBIGUOUS_NUMBER": ('"{column}" value "{value}" can be read two ways: its "{mark}" could '
                           "separate thousands or decimals{why}; say which with --decimal-point "
                           "or --decimal-comma (decimal_separator in a mapping file)"),
    # keys (-k): compared in Unicode NFC
    "E_KEY_CHARACTERS": ('"{column}" value "{value}" holds {what}, which the spreadsheet does not '
                         "show; retype the key without it"),
    "E_KEY_CASE": ('"{column}" value "{value}" differs only in upper/lower case from the key on row '
                   "{first}{other}; Zoho may hold them as one record or as two, so write them "
                   "exactly alike if they are one record, else make them differ by more than case"),
    "E_TYPE": '"{column}" must be {expected}; got "{value}"{hint}',
    "E_FORMAT": '"{column}" must be {expected}; got "{value}"',
    "E_DATE": '"{column}" must be {expected}; got "{value}"',
    "E_DATE_AMBIGUOUS": ('"{column}" value "{value}" could be day-first or month-first; '
                         "say which with --date-format DD/MM/YYYY or MM/DD/YYYY"),
    "E_LENGTH": '"{column}" is {length} characters long; at most {max_length} are allowed',
    "E_CHOICE": '"{column}" must be one of {choices}; got "{value}"',
    "E_DUPLICATE_KEY": '"{column}" value "{value}" is also on row {first}; each row needs its own key',
    "E_TOTAL_ROW": ('"{column}" is "{value}": this looks like a totals row, not a record; '
                    "delete the row (or rename the record if it really is called that)"),
    # documents with line items (bulkio.prepare.documents, bulkio.prepare.lookups)
    "E_LOOKUP": '"{column}" value "{value}" matches {found}; {hint}',
    "E_HEADER_MISMATCH": ('"{column}" is "{value}" on row {row} but "{expected}" on row {first}, '
                          "the document's first row; its header columns must be the same on "
                          "every row (or left empty)"),
    "E_NO_KEY": ('"{column}" is empty; every line of {document} repeats its {column}{previous}; '
                 "fill it in on this row"),
    "E_KEYLESS_LINE": 'line on row {row} has no "{column}"',
    "E_SPLIT_DOCUMENT": ('"{column}" value "{value}" is also on row {first}; the rows of one '
                         "document must be next to each other"),
    "E_JSON": ('"{column}" must be a JSON array of line items such as '
               '[{{"item_id": "4600000012", "quantity": 2}}]; {problem}'),
    "E_NO_LINES": ("the document has no line items; fill {columns} on its rows, or give its "
                   "lines as a JSON array in a line_items column"),
    "E_LINE_ITEMS": ('{noun} "{value}" already exists in Zoho, and updating it would {change} '
                     "(Zoho replaces a document's lines with the lines an update sends); nothing "
                     "was sent. Run again with --replace-line-items to make its lines exactly "
                     "the spreadsheet's"),
}


def message(code: str, **parts: Any) -> str:
    """The message for `code`; a long value is cut so the line stays readable."""
    parts.setdefault("hint", "")   # E_TYPE's optional advice, e.g. checks.COMMA_HINT
    value = str(parts.get("value", ""))
    if len(value) > MAX_SHOWN_VALUE:
        parts["value"] = value[:MAX_SHOWN_VALUE - 3] + "..."
    return MESSAGES[code].format(**parts)


def row_errors(code: str, positions: Iterable[int], rows, column: str, texts=None,
               **parts: Any) -> list[RowError]:
    """RowErrors for the cells at `positions` (into `rows` and `texts`; texts None: no cell).

    >>> row_errors("E_REQUIRED", [0], [2], "Item Name")[0].message
    '"Item Name" is required'
    """
    out = []
    for pos in positions:
        value = "" if texts is None else texts[pos]
        out.append(RowError(int(rows[pos]), column, code, value,
                            message(code, column=column, value=value, **parts)))
    return out
