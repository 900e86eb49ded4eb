"""The export file: records' typed values written as CSV or as an XLSX workbook.

XLSX: a streamed (write-only) workbook with typed cells (numbers as numbers, dates as date
cells, text as text cells), a bold frozen header, an autofilter and column widths from the first
records. Read-only columns get a grey header and a comment saying an edit there is not imported;
dropdown and check-box columns a list validation with the values the importer accepts. With
`split` (documents), the line items go to a "Line Items" sheet joined to their document by the
key columns. CSV: one row per record, or per line item with the document's values repeated;
text cells pass through `formulas.guard_cell`, which the importer undoes.

The file appears whole at the end, or not at all (bulkio.sheets.saving).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from bulkio.catalogue import Field, Module
from bulkio.errors import ConfigError
from bulkio.prepare.formulas import guard_cell
from bulkio.readers.cells import number_text
from bulkio.readers.documents import LINES_SHEET
from bulkio.sheets.cells import column_widths
from bulkio.sheets.choices import ChoiceLists, check_column, choice_validation
from bulkio.sheets.saving import AtomicFile
from bulkio.sheets.xlsx import (
    NUMBER_FORMATS,
    TEXT_FORMAT,
    add_filter,
    set_widths,
    text_cell,
)

READ_ONLY_FILL = "D9D9D9"
READ_ONLY_NOTE = ("Read-only: Zoho sets it. bulkio import leaves this column out, so an edit here "
                  "changes nothing in Zoho.")
ID_NOTE = ("Zoho's id of the {thing}: bulkio import uses it to find the record to update. Leave it "
           "as it is, and empty on a new row.")
SAMPLE_ROWS = 200  # records read before writing starts: column widths come from them


@dataclass(frozen=True)
class Column:
    """One exported column: its header and the field (header or line level) it holds."""

    header: str
    field: Field


class ExportRecord(NamedTuple):
    """One record's typed values (None, str, int, float, bool or date): one per header column,
    and for a document one list per line item, one value per line column."""

    head: list
    lines: list[list]


def write_export(path: Path, module: Module, header: list[Column], lines: list[Column],
                 records: Iterable[ExportRecord], *, split: bool = False) -> tuple[int, int]:
    """Write `records` to `path` (.xlsx or .csv), whole or not at all; returns (records, line rows).

    `header` and `lines` are the columns of the record and of its line items; `split` puts the
    line items on a sheet of their own (XLSX only).
    """
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"-o {path}: the folder {folder} does not exist")
    writer = write_xlsx if path.suffix.lower() == ".xlsx" else write_csv
    with AtomicFile(path) as temporary:
        return writer(temporary, module, header, lines, records, split=split)


def write_csv(path: Path, module: Module, header: list[Column], lines: list[Column],
              records: Iterable[ExportRecord], split: bool = False) -> tuple[int, int]:
    """One row per record, or per line item with the header values repeated (documents).

    UTF-8 with a BOM, so Excel opens accents right. Returns (records, line rows).
    """
    count = line_count = 0
    no_line = [None] * len(lines)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([guard_cell(c.header) for c in header + lines])
        for record in records:
            count += 1
            head = [csv_text(v) for v in record.head]
            for line in record.lines or [no_line]:
                line_count += bool(lines)
                writer.writerow(head + [csv_text(v) for v in line])
    return count, line_count


def csv_text(value: Any) -> str:
    """A typed value as CSV cell text; text is guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard_cell(str(value))


def write_xlsx(path: Path, module: Module, header: list[Column], lines: list[Column],
               records: Iterable[ExportRecord], split: bool = False) -> tuple[int, int]:
    """A streamed (write-only) workbook: typed cells, bold frozen header, autofilter, widths.

    With `split` (documents), lines go to a second sheet joined by the key columns.
    Returns (records, line rows).
    """
    records = iter(records)
    sample = list(islice(records, SAMPLE_ROWS))
    book = Workbook(write_only=True)
    lists = ChoiceLists(book, spill=False)  # an export's sheets stay the data (and Line Items)
    notes = _id_note(module)
    main = _Sheet(book, module.title[:31] or "Export", header if split else header + lines, lists, notes)
    joins = _join_positions(module, header) if split else []
    line_sheet = _Sheet(book, LINES_SHEET, [header[i] for i in joins] + lines, lists, notes) if split else None
    no_line = [None] * len(lines)
    sample_rows = [_rows_of(r, split, joins, no_line) for r in sample]
    main.start([row for head_rows, _ in sample_rows for row in head_rows])
    if line_sheet:
        line_sheet.start([row for _, line_rows in sample_rows for row in line_rows])
    count = line_count = 0
    for record in chain(sample, records):
        count += 1
        head_rows, line_rows = _rows_of(record, split, joins, no_line)
        for row in head_rows:
            main.append(row)
        if line_sheet is not None:
            for row in line_rows:
                line_sheet.append(row)
        line_count += len(line_rows) if split else (len(head_rows) if lines else 0)
    main.finish()
    if line_sheet:
        line_sheet.finish()
    lists.finish()
    book.save(path)
    return count, line_count


def _id_note(module: Module) -> dict[str, str]:
    return {module.id_field: ID_NOTE.format(thing=module.singular or "record")} if module.id_field else {}


def _join_positions(module: Module, header: list[Column]) -> list[int]:
    """The header columns (by position) that tie a line to its document: the unique keys and
    the number.

    The number too, because Zoho numbers every document while a key custom field is often
    empty (documents typed in Zoho, not imported): joined by the key alone, their lines would
    name no document and the importer would refuse the whole workbook.
    """
    keys = [i for i, c in enumerate(header) if c.field.custom and c.field.unique]
    number = [i for i, c in enumerate(header) if c.field.api_name == module.number_field]
    ids = [i for i, c in enumerate(header) if c.field.api_name == module.id_field]
    return keys + number or ids


def _rows_of(record: ExportRecord, split: bool, joins: list[int], no_line: list) -> tuple[list[list], list[list]]:
    """(rows for the main sheet, rows for the line sheet) of one record."""
    if split:
        join = [record.head[i] for i in joins]
        return [record.head], [join + line for line in record.lines]
    return [record.head + line for line in record.lines or [no_line]], []


class _Sheet:
    """One write-only worksheet: widths and formats from a sample, then rows as they come.

    Read-only columns get a grey header and a comment saying edits there are not imported;
    dropdown and check-box columns get list validation with the values the importer accepts.
    """

    def __init__(self, book, title: str, columns: list[Column], lists: ChoiceLists,
                 notes: Mapping[str, str] | None = None):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.lists = lists
        self.notes = notes or {}
        self.rows = 0

    def start(self, sample: list[list]) -> None:
        set_widths(self.sheet, column_widths([c.header for c in self.columns], sample, measure=_display_length))
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._header_cell(c) for c in self.columns])

    def append(self, values: list) -> None:
        self.sheet.append([self._cell(v, c.field) for v, c in zip(values, self.columns, strict=False)])
        self.rows += 1

    def finish(self) -> None:
        add_filter(self.sheet, len(self.columns), self.rows)
        for number, column in enumerate(self.columns, start=1):
            check = None if column.field.read_only else choice_validation(column.field, self.lists)
            if check is not None:
                check_column(self.sheet, check, number)

    def _header_cell(self, column: Column):
        cell = text_cell(self.sheet, column.header, guard=True)
        note = self.notes.get(column.field.api_name)
        if note is None and column.field.read_only:
            note = READ_ONLY_NOTE
            cell.fill = PatternFill("solid", fgColor=READ_ONLY_FILL)
        cell.font = Font(bold=True, italic=note == READ_ONLY_NOTE)
        if note:
            cell.comment = Comment(note, "bulkio", width=300, height=90)
        return cell

    def _cell(self, value: Any, f: Field):
        if value is None:
            return None
        if isinstance(value, str):
            cell = text_cell(self.sheet, value, guard=True)
            cell.number_format = TEXT_FORMAT
            return cell
        cell = WriteOnlyCell(self.sheet, value=value)
        fmt = NUMBER_FORMATS.get(f.type) if not isinstance(value, bool) else None
        if isinstance(value, dt.date):
            fmt = NUMBER_FORMATS["date"]
        if fmt:
            cell.number_format = fmt
        return cell


def _display_length(value: Any) -> int:
    """The characters a cell shows on its first line (a date: yyyy-mm-dd)."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return len(text.split("\n", 1)[0])
