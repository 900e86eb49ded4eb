"""The results report: the input plus outcome columns, in input order, and an errors file.

The report has one row per input record (a grouped document counts once, on its first row);
the errors file holds the input rows of every record that failed, exactly as they were, plus
`error_code` and `message`, so the user can fix that file and import it again as it is. A row
whose outcome is `unknown` (sent, never settled) stays out of it: importing it again could
create the record twice; the summary says to check those rows in Zoho.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bulkio.errors import RowError
from bulkio.outcomes import Category, RowOutcome, Status, category_of
from bulkio.run.preflight import check_report, errors_path, report_kind
from bulkio.sheets.cells import column_widths
from bulkio.sheets.csvtext import write_columns
from bulkio.sheets.saving import REPORT, AtomicFile, CannotWrite, writing
from bulkio.sheets.xlsxstream import StreamedWorkbook

OUTCOME_COLUMNS = ("row", "key", "status", "record_id", "error_code", "message")
ERROR_COLUMNS = ("error_code", "message")

_FILLS = {Category.GOOD: "C6EFCE", Category.NEUTRAL: "D9D9D9", Category.BAD: "FFC7CE", Category.UNSURE: "FFEB9C"}
_FILL_OF = {category: at for at, category in enumerate(_FILLS)}
_MAX_WIDTH = 60


@dataclass(frozen=True)
class ReportFiles:
    """Where the report went, and the errors file (None when no row failed)."""

    report: Path
    errors: Path | None


def write_report(
    path: str | Path,
    rows: Sequence[RowOutcome],
    input_df: pd.DataFrame | None,
    *,
    summary: dict[str, Any],
) -> ReportFiles:
    """Write the report at `path` (`.csv` or `.xlsx`) and, if any row failed, its errors file.

    `input_df` is the input as read (all text, index = spreadsheet row numbers). `summary` holds
    the run's facts for the XLSX summary sheet (module, file, calls, duration, ...).

    Example:
        write_report("items.report.xlsx", rows, df, summary={"module": "items"})
        # -> ReportFiles(report=items.report.xlsx, errors=items.report.errors.xlsx)
    """
    with ReportWriter(path) as writer:
        writer.add(rows, input_df)
        return writer.close(summary=summary)


class ReportWriter:
    """The report and its errors file written a batch of rows at a time, so a file of a million
    rows never has to be held whole: `add` the batches in input order, then `close`.

    Both files are written to temporary files beside their targets and appear only at `close`
    (leaving the `with` block by an exception discards them). An XLSX sheet takes its column
    widths from the first batch: a streamed sheet cannot widen a column once rows are written.

    Example:
        with ReportWriter("big.report.xlsx") as writer:
            for rows, chunk in batches:
                writer.add(rows, chunk)
            files = writer.close(summary={"module": "items"})
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.kind = report_kind(self.path)
        check_report(self.path)  # the checks the run made before its first write, again
        self.counts: Counter = Counter()
        self.total = 0
        self._report: _CsvSheet | _XlsxSheet | None = None
        self._errors: _CsvSheet | _XlsxSheet | None = None

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()

    def add(self, rows: Sequence[RowOutcome], input_df: pd.DataFrame | None) -> None:
        """Append the outcome rows of one batch; `input_df` holds their input rows (at least)."""
        table = _InputTable(input_df)
        header, columns = _report_columns(rows, table)
        if self._report is None:
            # the longest cell of each column is all an XLSX sheet's widths need
            longest = [max(column, key=len, default="") for column in columns] if self.kind == "xlsx" else []
            self._report = self._open(self.path, "Report", header, [longest], with_status=True)
        self._report.append_columns(columns, columns[OUTCOME_COLUMNS.index("status")])
        failed = _errors_body(rows, table)
        if failed and self._errors is None:
            self._errors = self._open(errors_path(self.path), "Errors", table.columns + list(ERROR_COLUMNS),
                                      failed, with_status=False)
        if failed:
            self._errors.append(failed, None)
        self.counts.update(r.status for r in rows)
        self.total += len(rows)

    def close(self, *, summary: dict[str, Any]) -> ReportFiles:
        """Move both files into place (the errors file only when a row failed; a stale one from
        an earlier run is removed) and say where they are."""
        if self._report is None:
            self.add([], None)
        self._report.commit(_summary_rows(self.total, self.counts, summary))
        target = errors_path(self.path)
        for stale in (target.with_suffix(".csv"), target.with_suffix(".xlsx")):
            with writing(stale, REPORT):
                stale.unlink(missing_ok=True)
        if self._errors is not None:
            self._errors.commit(None)
        return ReportFiles(self.path, target if self._errors is not None else None)

    def discard(self) -> None:
        """Remove whatever was not committed (nothing after `close`)."""
        for sheet in (self._report, self._errors):
            if sheet is not None:
                sheet.discard()

    def _open(self, path: Path, title: str, header: list[str], first: list[list[str]], *, with_status: bool):
        if self.kind == "xlsx":
            return _XlsxSheet(path, title, header, first, with_status=with_status)
        return _CsvSheet(path, header)


def combine_errors(errors: Iterable[RowError]) -> dict[int, tuple[str, str]]:
    """Several problems of one row as one (error_code, message): the first code, messages
    joined with "; "."""
    combined: dict[int, tuple[str, list[str]]] = {}
    for error in errors:
        code, messages = combined.setdefault(error.row, (error.code, []))
        if error.message not in messages:
            messages.append(error.message)
    return {row: (code, "; ".join(messages)) for row, (code, messages) in combined.items()}


class _InputTable:
    """The input's own columns as text, and each row's cells by spreadsheet row number."""

    def __init__(self, df: pd.DataFrame | None):
        self._at: dict[int, int] | None = None
        if df is None:
            self.columns: list[str] = []
            self.texts: list[list[str]] = []
            self.rows: list[int] = []
            return
        # Columns named error_code/message come from an errors file imported again: they are
        # the previous run's outcome, replaced by this run's, never data.
        keep = [i for i, c in enumerate(df.columns) if str(c) not in ERROR_COLUMNS]
        self.columns = [str(df.columns[i]) for i in keep]
        self.texts = [_column_texts(df.iloc[:, i]) for i in keep]
        self.rows = list(map(int, df.index.tolist()))

    def cells(self, row: int) -> tuple[str, ...]:
        """The cells of spreadsheet row `row` (empty ones for a row not in the input)."""
        at = self._positions().get(row)
        return tuple("" if at is None else column[at] for column in self.texts)

    def columns_for(self, rows: list[int]) -> list[list[str]]:
        """The input's columns for these rows, in their order: the columns themselves when they
        are the input's own rows (a file's every row, as validate reports them)."""
        if rows == self.rows:
            return self.texts
        at = self._positions()
        positions = [at.get(row) for row in rows]
        return [["" if p is None else column[p] for p in positions] for column in self.texts]

    def _positions(self) -> dict[int, int]:
        if self._at is None:
            self._at = {row: at for at, row in enumerate(self.rows)}
        return self._at


def _column_texts(column: pd.Series) -> list[str]:
    """A column's cells as `_text` words them; a text column (the readers' kind, missing = NaN)
    in one C-level pass: cell by cell through pandas took longer than reading the file."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.na_value is not pd.NA:
        return column.to_numpy(dtype=object, na_value="").tolist()
    return [_text(v) for v in column.to_numpy(dtype=object).tolist()]


def _report_columns(rows: Sequence[RowOutcome], table: _InputTable) -> tuple[list[str], list[list[str]]]:
    """The report's header and its columns of text: the outcome's, then the input's."""
    taken = set(OUTCOME_COLUMNS)
    # An input column spelled like an outcome column is renamed so both stay readable.
    input_header = [f"{c} (input)" if c in taken else c for c in table.columns]
    header = list(OUTCOME_COLUMNS) + input_header
    # a record --deactivate-missing marked stands for no input row: its row number stays empty
    outcome: list[list[str]] = [[str(r.row) if r.row else "" for r in rows], [_text(r.key) for r in rows],
               [r.status for r in rows],
               [_text(r.record_id) for r in rows], [_text(r.error_code) for r in rows],
               [_text(r.message) for r in rows]]
    return header, outcome + table.columns_for([r.row for r in rows])


def _errors_body(rows: Sequence[RowOutcome], table: _InputTable) -> list[list[str]]:
    return [
        [*table.cells(input_row), _text(r.error_code), _text(r.message)]
        for r in rows
        if category_of(r.status) is Category.BAD
        for input_row in (r.rows or (r.row,))
    ]


def _summary_rows(total: int, counts: Counter, summary: dict[str, Any]) -> list[list[str]]:
    lines = [["rows", str(total)]]
    lines += [[f"status: {s}", str(n)] for s, n in sorted(counts.items())]
    if counts.get(Status.UNKNOWN):
        lines.append(["note: unknown", unknown_note(counts[Status.UNKNOWN])])
    for name, value in summary.items():
        if name in ("rows", "statuses"):
            continue  # counted above from the rows themselves; twice would only confuse
        if isinstance(value, dict):
            lines += [[f"{name}: {k}", _text(v)] for k, v in value.items()]
        else:
            lines.append([name, _text(value)])
    return lines


class _CsvSheet:
    """A CSV file written row by row into a temporary file, moved into place at `commit`."""

    def __init__(self, path: Path, header: list[str]):
        self.path, self._file = path, _report_file(path)
        try:
            with writing(path, REPORT):
                # utf-8 with a BOM: Excel then opens accents correctly, and bulkio's reader strips it.
                # The BOM written by hand: the utf-8-sig codec encodes in Python, a call per row.
                self._out = open(self._file.temporary, "w", encoding="utf-8", newline="")
                self._out.write("\ufeff")
                self._writer = csv.writer(self._out)
                self._writer.writerow(header)
        except CannotWrite:
            self._file.discard()
            raise

    def append(self, body: list[list[str]], statuses: list[str] | None) -> None:
        with writing(self.path, REPORT):
            self._writer.writerows(body)

    def append_columns(self, columns: list[list[str]], statuses: list[str] | None) -> None:
        """`append` for rows given as columns, the same lines written."""
        with writing(self.path, REPORT):
            write_columns(self._out, columns)

    def commit(self, summary: list[list[str]] | None) -> None:
        with writing(self.path, REPORT):
            self._out.close()
        self._file.commit()

    def discard(self) -> None:
        self._out.close()
        self._file.discard()


class _XlsxSheet:
    """One sheet of a workbook streamed to a temporary file (bulkio.sheets.xlsxstream), with
    an optional Summary sheet at `commit`. Widths come from the first rows given; the report's
    row numbers are numbers (they sort as numbers) and its status cells are coloured."""

    def __init__(self, path: Path, title: str, header: list[str], first: list[list[str]], *, with_status: bool):
        self.path, self._file = path, _report_file(path)
        try:
            with writing(path, REPORT):
                self._book = StreamedWorkbook(self._file.temporary, fills=tuple(_FILLS.values()))
                self._sheet = _start_sheet(self._book, title, header, first, with_status=with_status)
        except CannotWrite:
            self._file.discard()
            raise

    def append(self, body: list[list[str]], statuses: list[str] | None) -> None:
        fills = None if statuses is None else [_FILL_OF[category_of(s)] for s in statuses]
        with writing(self.path, REPORT):
            self._sheet.append(body, fills)

    def append_columns(self, columns: list[list[str]], statuses: list[str] | None) -> None:
        """`append` for rows given as columns."""
        self.append([list(row) for row in zip(*columns, strict=True)], statuses)

    def commit(self, summary: list[list[str]] | None) -> None:
        with writing(self.path, REPORT):
            if summary is not None:
                _start_sheet(self._book, "Summary", ["item", "value"], summary, with_status=False).append(summary)
            self._book.close()
        self._file.commit()

    def discard(self) -> None:
        # a second error here would only hide the one that led to the discard
        with suppress(Exception):
            self._book.discard()
        self._file.discard()


def _start_sheet(book: StreamedWorkbook, title: str, header: list[str], first: list[list[str]], *,
                 with_status: bool):
    """A sheet whose widths fit `header` and the `first` rows (a streamed sheet cannot widen a
    column once rows are written)."""
    widths = column_widths(header, first, widest=_MAX_WIDTH + 2)
    if not with_status:
        return book.add_sheet(title, header, widths)
    return book.add_sheet(title, header, widths, number_column=0, fill_column=header.index("status"))


def _report_file(path: Path) -> AtomicFile:
    """The temporary file a report (or errors file) is written to; its folder is made again when
    it went missing since the checks before the run."""
    with writing(path, REPORT):
        path.parent.mkdir(parents=True, exist_ok=True)
    return AtomicFile(path, REPORT)


def unknown_note(n: int) -> str:
    """What `n` rows of status unknown mean and what to do about them (report and screen)."""
    one = n == 1
    it, they = ("it", "It is") if one else ("them", "They are")
    return (f"{'1 row was' if one else f'{n} rows were'} sent, but whether Zoho saved {it} is not "
            f"known: check {it} in Zoho (the message in the report says what to look for). "
            f"{they} not in the errors file: importing that file again could create {it} twice.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a non-text column
        return ""
    return str(value)

