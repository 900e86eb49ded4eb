"""Preparing a file: read it, match its columns, check every row and map the valid ones to work items.

Everything decided before any write, and the one path for a whole file (`prepare`) and for a
large file read in chunks (`Preparer.prepare` on each chunk, in order): `import` and `validate`
both build on it, and its report rows (`report_rows`) and summary (`summary`) are the same for both.

Example:
    prep = prepare(ImportOptions(Path("items.csv"), "items", key="cf_sku"), load_module("items"))
    prep.items[0].payload, prep.validation.errors
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from bulkio.catalogue import Field, Module, load_module
from bulkio.catalogue.fields import load_fields
from bulkio.errors import RowError
from bulkio.modes import default_mode
from bulkio.outcomes import RowOutcome, Status
from bulkio.prepare.columns import ColumnPlan, check_header_row, load_mapping, match_columns
from bulkio.prepare.columns import Mapping as ColumnMapping
from bulkio.prepare.documents import prepare_documents
from bulkio.prepare.formulas import unguard_cell, unguard_frame
from bulkio.prepare.lookups import LookupResolver
from bulkio.prepare.mapper import PayloadBuilder, payload_hash
from bulkio.prepare.validation import Record, ValidationResult, key_warnings, resolve_key, validate_frame
from bulkio.prepare.workitem import WorkItem
from bulkio.readers import file_kind, iter_tables, read_notes, read_table
from bulkio.readers.documents import read_document_table
from bulkio.zoho.protocol import Client

TOTAL_ROW = "E_TOTAL_ROW"
XLSX_DECIMAL_COMMA = ("the decimal comma (--decimal-comma, or decimal_separator in the mapping) "
                      "applies to CSV and TSV files; an XLSX file's number cells hold numbers "
                      "already, so it is ignored here (format text cells such as \"12,50\" "
                      "as numbers in Excel)")


@dataclass
class ImportOptions:
    """What the user asked for; paths absolute or relative to the working directory."""

    path: Path
    module: str
    key: str | None = None
    mode: str | None = None
    mapping: Path | None = None
    sheet: str | None = None
    report: Path | None = None
    date_format: str | None = None
    decimal_comma: bool | None = None   # True --decimal-comma, False --decimal-point, None unsaid
    clear_marker: str | None = None     # --clear-marker: a cell holding exactly this clears its field
    dry_run: bool = False
    skip_unchanged: bool = False
    journal: Path | None = None
    resume: bool = True
    rate: int = 100
    concurrency: int = 5
    daily_limit: int = 1000
    replace_line_items: bool = False
    resend_unknown: bool = False  # send again rows journalled `unknown` (the person's say)
    check_pauses: tuple[float, ...] | None = None  # settle's schedule; None: its default
    reserve: int = 0                # --reserve: calls of today's quota left for other integrations
    assume_yes: bool = False        # --yes: do not ask before using up the quota or deactivating
    wait_for_quota: bool = False    # --wait-for-quota: wait for the next day's quota instead of exit 3
    deactivate_missing: bool = False  # --deactivate-missing: mark inactive the keys absent from the file

    @property
    def effective_mode(self) -> str:
        """The mode asked for, else upsert with a key and create without."""
        return default_mode(self.mode, self.key)

    def report_path(self) -> Path:
        """The report asked for, else <input stem>.report.xlsx beside the input."""
        return self.report or self.path.with_name(f"{self.path.stem}.report.xlsx")

    def journal_path(self) -> Path:
        """The journal asked for, else <input stem>.journal.sqlite beside the input."""
        return self.journal or self.path.with_name(f"{self.path.stem}.journal.sqlite")


@dataclass
class Prepared:
    """A file (or a chunk of it) read, matched, validated and mapped."""

    module: Module
    frame: pd.DataFrame
    columns: ColumnPlan
    validation: ValidationResult
    items: list[WorkItem]
    key_api_name: str | None
    groups: dict[int, list[int]] = field(default_factory=dict)  # document's first row -> its rows
    mapped: bool = True  # False: prepared without payloads, `items` left empty

    def passed(self) -> list[WorkItem] | list[Record]:
        """What passed the checks, one entry (with its `row` and `key`) per record, in input
        order: the work items, or the validation's records when prepared without payloads."""
        return self.items if self.mapped else self.validation.records


def prepare(opts: ImportOptions, module: Module, client: Client | None = None,
            on_warning: Callable[[str], None] | None = None, *, payloads: bool = True) -> Prepared:
    """Read, match, validate and map the whole file; nothing is sent (lookups read, with a
    client). Its warnings are in `columns.warnings`, and passed to `on_warning` as well.
    `payloads` False skips building the records' payloads (see Preparer)."""
    preparer = Preparer(opts, module, client, on_warning, payloads=payloads)
    return preparer.prepare(read_frame(opts.path, opts.sheet, module))


class Preparer:
    """Prepares one file's frames: the whole file once, or its chunks one after another. What
    spans chunks is carried: the column plan (matched on the first frame) and the keys seen.

    With `payloads` False (validate: nothing is sent) a records module's valid rows are not
    mapped to work items: `Prepared.passed()` gives their records instead. Mapping a valid
    record never fails, so every row's outcome is the same either way. Documents are always
    mapped: their checks and their payloads are one step."""

    def __init__(self, opts: ImportOptions, module: Module, client: Client | None = None,
                 on_warning: Callable[[str], None] | None = None, *, payloads: bool = True):
        self.opts, self.module, self.on_warning = opts, module, on_warning
        self.payloads = payloads
        self.mapping = load_mapping(opts.mapping) if opts.mapping else None
        self.date_format = opts.date_format or (self.mapping.options.get("date_format") if self.mapping else None)
        self.resolver = LookupResolver(client) if client is not None else None
        self.to_payload = PayloadBuilder(module, opts.effective_mode)
        self.columns: ColumnPlan | None = None
        self.key_field: Field | None = None
        self.separator: str | None = None
        self.seen_keys: dict[str, int] = {}
        self.announced = 0  # warnings passed on so far

    @property
    def warnings(self) -> list[str]:
        """The warnings so far (they come with the first frame)."""
        return self.columns.warnings if self.columns else []

    def prepare(self, frame: pd.DataFrame, *, last: bool = True) -> Prepared:
        """`frame` prepared; `last` is False for a chunk other than the file's last. The
        warnings not yet passed on go to `on_warning`."""
        columns = self._plan(frame) if self.columns is None else self.columns
        prep = self._documents(frame, columns) if self.module.is_document else self._records(frame, columns, last)
        fresh = self.warnings[self.announced:]
        self.announced += len(fresh)
        for warning in fresh:
            if self.on_warning:
                self.on_warning(warning)
        return prep

    def _documents(self, frame: pd.DataFrame, columns: ColumnPlan) -> Prepared:
        batch = prepare_documents(
            frame, self.module, columns, key_field=self.key_field, mode=self.opts.effective_mode,
            date_format=self.date_format, resolver=self.resolver, decimal_separator=self.separator,
            clear_marker=self.opts.clear_marker,
        )
        return Prepared(self.module, frame, columns, batch.validation, batch.items, self.key_api_name, batch.groups)

    def _records(self, frame: pd.DataFrame, columns: ColumnPlan, last: bool) -> Prepared:
        validation = self._check(frame, columns, last)
        items = [self._work_item(record) for record in validation.records] if self.payloads else []
        return Prepared(self.module, frame, columns, validation, items, self.key_api_name, mapped=self.payloads)

    @property
    def key_api_name(self) -> str | None:
        """The api name of the -k field (known once the first frame is prepared)."""
        return self.key_field.api_name if self.key_field else None

    def _plan(self, frame: pd.DataFrame) -> ColumnPlan:
        columns = self.columns = match_columns(list(frame.columns), self.module, self.mapping)
        columns.warnings.extend(read_notes(frame))
        check_header_row(frame, self.module, columns, self.mapping)
        self.separator = decimal_separator(self.opts, self.mapping, columns)
        self.key_field = resolve_key(self.module, self.opts.key) if self.opts.key else None
        columns.warnings.extend(key_warnings(self.key_field))
        return columns

    def _check(self, frame: pd.DataFrame, columns: ColumnPlan, last: bool) -> ValidationResult:
        result = self._validate(frame, columns)
        if last or not any(e.code == TOTAL_ROW for e in result.errors):
            return result
        # validate_frame takes a frame's last row for the file's last one, where a "Total" row
        # sits; a chunk's last row is not. Checked alone it escapes that test (and a key it
        # repeats is still found: seen_keys holds the first row of each key).
        end = int(frame.index[-1])
        alone = self._validate(frame.iloc[-1:], columns)
        return ValidationResult(
            [r for r in result.records if r.row != end] + alone.records,
            [e for e in result.errors if e.row != end] + alone.errors,
            (result.invalid_rows - {end}) | alone.invalid_rows,
            result.total_rows,
        )

    def _validate(self, frame: pd.DataFrame, columns: ColumnPlan) -> ValidationResult:
        return validate_frame(frame, self.module, columns, key_field=self.key_field,
                              mode=self.opts.effective_mode, date_format=self.date_format,
                              seen_keys=self.seen_keys, decimal_separator=self.separator,
                              clear_marker=self.opts.clear_marker)

    def _work_item(self, record: Record) -> WorkItem:
        payload = self.to_payload(record.values)
        name_field, id_field = self.module.name_field, self.module.id_field
        name = record.values.get(name_field) if name_field else None
        record_id = record.values.get(id_field) if id_field else None
        return WorkItem(record.row, record.key, payload, payload_hash(payload), name=name, record_id=record_id)


def decimal_separator(opts: ImportOptions, mapping: ColumnMapping | None, columns: ColumnPlan) -> str | None:
    """"," when --decimal-comma or the mapping's decimal_separator asks for it on a text file,
    "." for --decimal-point, None when neither says (validation then refuses ambiguous
    values). On an XLSX file the reader turns number cells into "1.234"-style text, which a
    decimal comma would misread as 1234, so the comma is ignored with a warning."""
    said = None if opts.decimal_comma is None else ("," if opts.decimal_comma else ".")
    wanted = said or (mapping.options.get("decimal_separator") if mapping else None)
    if wanted != ",":
        return wanted
    if file_kind(opts.path) == "xlsx":
        if XLSX_DECIMAL_COMMA not in columns.warnings:
            columns.warnings.append(XLSX_DECIMAL_COMMA)
        return "."
    return ","


def read_frame(path: Path, sheet: str | None = None, module: Module | None = None) -> pd.DataFrame:
    """The file as text; CSV cells that export guarded against formula injection are restored.
    A document workbook's header and line-items sheets come joined into one table."""
    if module is not None and module.is_document:
        frame = read_document_table(path, module, sheet=sheet)
    else:
        frame = read_table(path, sheet=sheet)
    return unguard(frame) if file_kind(path) != "xlsx" else frame


def read_chunks(path: Path, chunk_rows: int, sheet: str | None = None) -> Iterator[pd.DataFrame]:
    """The file's chunks as `read_frame` reads the whole file: CSV cells unguarded."""
    is_text = file_kind(path) != "xlsx"
    for chunk in iter_tables(path, chunk_rows=chunk_rows, sheet=sheet):
        yield unguard(chunk) if is_text else chunk


def unguard(frame: pd.DataFrame) -> pd.DataFrame:
    """unguard_frame on the columns that hold a quote at all: the regex over every cell of
    every column cost four times as long as reading the file."""
    quoted = [pos for pos in range(frame.shape[1]) if "'" in "\x00".join(frame.iloc[:, pos].tolist())]
    frame = frame.set_axis([unguard_cell(c) for c in frame.columns], axis=1)
    if quoted:
        fixed = unguard_frame(frame.iloc[:, quoted])
        for at, pos in enumerate(quoted):
            frame.isetitem(pos, fixed.iloc[:, at])
    return frame


def report_rows(prep: Prepared, done: list[RowOutcome]) -> list[RowOutcome]:
    """The valid rows' outcomes (`done`) and the invalid rows' problems, one row each, in input order."""
    by_row = {r.row: r for r in done}
    for row, errors in _errors_by_row(prep.validation.errors).items():
        by_row[row] = RowOutcome(
            row, _key_text(prep, row), Status.INVALID, None, errors[0].code, "; ".join(e.message for e in errors),
            problems=tuple(errors),
        )
    merged = [by_row[row] for row in prep.frame.index.tolist() if row in by_row]
    if prep.groups:
        merged = [replace(r, rows=tuple(prep.groups.get(r.row, (r.row,)))) for r in merged]
    return merged


def _errors_by_row(errors: list[RowError]) -> dict[int, list[RowError]]:
    grouped: dict[int, list[RowError]] = {}
    for err in errors:
        grouped.setdefault(err.row, []).append(err)
    return grouped


def file_keys(prep: Prepared) -> set[str]:
    """Every key value the file holds: its key column's cells as written, and as validation
    read them (invisible characters removed), for `--deactivate-missing`."""
    keys = {str(i.key) for i in prep.items if i.key not in (None, "")}
    for column, targets in prep.columns.fields.items():
        if prep.key_api_name and prep.key_api_name in targets:
            keys.update(str(v).strip() for v in prep.frame[column].tolist() if str(v).strip())
    return keys


def _key_text(prep: Prepared, row: int) -> str | None:
    if not prep.key_api_name:
        return None
    for column, targets in prep.columns.fields.items():
        if prep.key_api_name in targets:
            return str(prep.frame.at[row, column]).strip() or None
    return None


def summary(opts: ImportOptions, module: Module, key_api_name: str | None, statuses: Counter[str],
            calls: Mapping[str, int]) -> dict[str, object]:
    """The facts of the report's summary sheet; `statuses` counts every row of the file."""
    return {
        "file": str(opts.path),
        "module": module.name,
        "mode": opts.effective_mode,
        "key": key_api_name or "",
        "rows": sum(statuses.values()),
        "statuses": dict(statuses),
        "calls": dict(calls),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def resolve_module(name: str, client: Client | None = None) -> Module:
    """The catalogue module merged with the organisation's custom fields when a client is given."""
    return load_module(name) if client is None else load_fields(client, name)
