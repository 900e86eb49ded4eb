"""Import and validate as a library API: read -> match -> validate -> map -> run -> report.

A script can call `run_import(ImportOptions(...))` and inspect the `ImportResult`; the CLI's
`import` and `validate` commands are thin shells over these two functions.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from bulkio.prepare.documents import prepare_documents
from bulkio.readers.documents import read_document_table
from bulkio.run.lineguard import guard_line_items
from bulkio.run.existing import FullRecords
from bulkio.prepare.lookups import LookupResolver
from bulkio.prepare.columns import ColumnPlan, check_header_row, load_mapping, match_columns
from bulkio.errors import BulkioError, ConfigError, ExitCode, RowError, StoppedError
from bulkio.outcomes import RowOutcome, Status, exit_code_for
from bulkio.run.journal import Journal, unsettled
from bulkio.run.journalfile import set_aside_if_damaged
from bulkio.run.runlock import RunLock
from bulkio.run.memory import RecordMemory, scope_of
from bulkio.prepare.mapper import PayloadBuilder, payload_hash
from bulkio.catalogue import Module, load_module
from bulkio.prepare.formulas import unguard_cell, unguard_frame
from bulkio.run.preflight import check_report
from bulkio.readers import file_kind, read_notes, read_table
from bulkio.sheets.report import ReportFiles, write_report
from bulkio.run.plan import Plan, make_plan
from bulkio.run.readahead import read_ahead
from bulkio.run.runner import RunOptions, WorkItem, prepare_resume, run_rows
from bulkio.prepare.validation import ValidationResult, key_warnings, resolve_key, validate_frame

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

    @property
    def effective_mode(self) -> str:
        return self.mode or ("upsert" if self.key else "create")

    def report_path(self) -> Path:
        return self.report or self.path.with_name(f"{self.path.stem}.report.xlsx")

    def journal_path(self) -> Path:
        return self.journal or self.path.with_name(f"{self.path.stem}.journal.sqlite")


@dataclass
class Prepared:
    """A file read, matched, validated and mapped: everything decided before any write."""

    module: Module
    frame: pd.DataFrame
    columns: ColumnPlan
    validation: ValidationResult
    items: list[WorkItem]
    key_api_name: str | None
    groups: dict[int, list[int]] = field(default_factory=dict)  # document's first row -> its rows


@dataclass
class ImportResult:
    """`rows` is every record's report row, except for a large file validated in chunks: then
    only its first problems, and `tally` counts the statuses of every row."""

    rows: list[RowOutcome]
    files: ReportFiles | None
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None
    stopped: str | None = None
    calls: dict = field(default_factory=dict)
    tally: Counter | None = None

    @property
    def counts(self) -> Counter:
        return Counter(self.tally) if self.tally is not None else Counter(r.status for r in self.rows)

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for([status for status, n in self.counts.items() if n], self.stopped)


def prepare(opts: ImportOptions, module: Module, client=None) -> Prepared:
    """Read, match, validate and map the file; nothing is sent (lookups read, with a client)."""
    mapping = load_mapping(opts.mapping) if opts.mapping else None
    date_format = opts.date_format or (mapping.options.get("date_format") if mapping else None)
    frame = read_frame(opts.path, opts.sheet, module)
    columns = match_columns(list(frame.columns), module, mapping)
    columns.warnings.extend(read_notes(frame))
    check_header_row(frame, module, columns, mapping)
    separator = decimal_separator(opts, mapping, columns)
    key_field = resolve_key(module, opts.key) if opts.key else None
    columns.warnings.extend(key_warnings(key_field))
    key_api_name = key_field.api_name if key_field else None
    if module.is_document:
        resolver = LookupResolver(client) if client is not None else None
        batch = prepare_documents(frame, module, columns, key_field=key_field, mode=opts.effective_mode,
                                  date_format=date_format, resolver=resolver,
                                  decimal_separator=separator, clear_marker=opts.clear_marker)
        return Prepared(module, frame, columns, batch.validation, batch.items, key_api_name, batch.groups)
    validation = validate_frame(
        frame, module, columns, key_field=key_field, mode=opts.effective_mode, date_format=date_format,
        decimal_separator=separator, clear_marker=opts.clear_marker,
    )
    to_payload = PayloadBuilder(module, opts.effective_mode)
    items = [_work_item(module, to_payload, rec) for rec in validation.records]
    return Prepared(module, frame, columns, validation, items, key_api_name)


XLSX_DECIMAL_COMMA = ("the decimal comma (--decimal-comma, or decimal_separator in the mapping) "
                      "applies to CSV and TSV files; an XLSX file's number cells hold numbers "
                      "already, so it is ignored here (format text cells such as \"12,50\" "
                      "as numbers in Excel)")


def decimal_separator(opts: ImportOptions, mapping, columns: ColumnPlan) -> str | None:
    """"," when --decimal-comma or the mapping's decimal_separator asks for it on a text file,
    "." for --decimal-point, None when neither says (validation then refuses ambiguous
    values). On an XLSX file the reader turns number cells into "1.234"-style text, which a
    decimal comma would misread as 1234, so the comma is ignored with a warning."""
    said = {True: ",", False: "."}.get(opts.decimal_comma)
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
    if file_kind(path) != "xlsx":
        frame = _unguard(frame)
    return frame


def _unguard(frame: pd.DataFrame) -> pd.DataFrame:
    """unguard_frame on the columns that hold a quote at all: the regex over every cell of
    every column cost four times as long as reading the file."""
    quoted = [pos for pos in range(frame.shape[1]) if "'" in "\x00".join(frame.iloc[:, pos].tolist())]
    frame = frame.set_axis([unguard_cell(c) for c in frame.columns], axis=1)
    if quoted:
        fixed = unguard_frame(frame.iloc[:, quoted])
        for at, pos in enumerate(quoted):
            frame.isetitem(pos, fixed.iloc[:, at])
    return frame


def _work_item(module: Module, to_payload: PayloadBuilder, record) -> WorkItem:
    payload = to_payload(record.values)
    name = record.values.get(module.name_field)
    record_id = record.values.get(module.id_field)
    return WorkItem(record.row, record.key, payload, payload_hash(payload), name=name, record_id=record_id)


def run_validate(
    opts: ImportOptions, module: Module, *, on_warning: Callable[[str], None] | None = None,
    large_file_bytes: int | None = None, chunk_rows: int | None = None, client=None,
) -> ImportResult:
    """Check every row and write the report; no write call is made. With a `client`, the
    names of documents (customers, items, taxes...) are looked up too, by reading.

    A file larger than `large_file_bytes` (default bigfile.LARGE_FILE_BYTES) is read, checked
    and reported `chunk_rows` rows at a time (bigfile.validate_streamed), documents excepted.
    """
    from bulkio import validating as bigfile  # it builds on this module

    check_report(opts.report_path(), source=opts.path)
    limit = bigfile.LARGE_FILE_BYTES if large_file_bytes is None else large_file_bytes
    if not module.is_document and bigfile.is_large(opts.path, limit):
        return bigfile.validate_streamed(opts, module, on_warning=on_warning,
                                         chunk_rows=chunk_rows or bigfile.CHUNK_ROWS)
    prep = prepare(opts, module, client)
    _warn(prep, on_warning)
    valid = [RowOutcome(i.row, i.key, Status.VALID) for i in prep.items]
    rows = _merge(prep, valid)
    files = write_report(opts.report_path(), rows, prep.frame, summary=_summary(opts, prep, rows, {}))
    return ImportResult(rows, files, warnings=prep.columns.warnings)


def run_import(
    opts: ImportOptions,
    client,
    module: Module,
    *,
    on_plan: Callable[[Plan], None] | None = None,
    on_progress: Callable | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> ImportResult:
    """Validate, then write every valid row through `client`, journalled and resumable.

    What the run needs at its end (the report, its errors file) is checked first, and the
    journal and its lock before the first read of Zoho: a run that must stop, stops (exit 2)
    before it sends anything."""
    check_report(opts.report_path(), source=opts.path, journal=opts.journal_path())
    prep = prepare(opts, module, client)
    _warn(prep, on_warning)
    identity = _identity(opts, prep, client)
    run_opts = RunOptions(
        mode=opts.effective_mode,
        key_field=prep.key_api_name,
        skip_unchanged=opts.skip_unchanged,
        dry_run=opts.dry_run,
        concurrency=opts.concurrency,
        replace_line_items=opts.replace_line_items,
        resend_unknown=opts.resend_unknown,
        check_pauses=opts.check_pauses,
    )
    with _journal(opts, identity, on_warning) as journal, _memory(client, module) as memory:
        # the guard, the dry run, skip-unchanged and the runner share what is read
        records = FullRecords(client, module, memory)
        notes = prepare_resume(prep.items, client=client, module=module, journal=journal,
                               options=run_opts, records=records)
        for warning in notes:  # entries of the journal no row of the file stands for
            prep.columns.warnings.append(warning)
            if on_warning:
                on_warning(warning)
        listed, to_read = read_ahead(records, module, run_opts, unsettled(prep.items, journal))
        plan = make_plan(
            prep.items,
            rate=opts.rate,
            daily_limit=opts.daily_limit,
            quota=getattr(client, "quota", None),
            rows_invalid=len(prep.validation.invalid_rows),
            journal=journal,
            options=run_opts,
            reads=listed,
            compare_reads=to_read if records.indexed is not None else None,
        )
        if on_plan:
            on_plan(plan)
        items, refused = guard_line_items(
            prep.items, client=client, module=module, mode=opts.effective_mode, key_field=prep.key_api_name,
            replace=opts.replace_line_items, journal=journal,
            records=records,
        )
        with _ctrl_c_sets() as stop, _stops_after_sending(client, opts):
            result = run_rows(
                items, client=client, module=module, journal=journal,
                options=run_opts, on_progress=on_progress, stop_event=stop, records=records,
            )
        result.outcomes.update({o.row: _as_dry_run(o) if opts.dry_run else o for o in refused})
    # run_rows answers for every item it was given, and the guard for every item it held back
    rows = _merge(prep, [result.outcomes[item.row] for item in prep.items])
    summary = _summary(opts, prep, rows, result.calls)
    if notes:
        summary["journal"] = {f"note {n}": text for n, text in enumerate(notes, start=1)}
    with _stops_after_sending(client, opts):
        files = write_report(opts.report_path(), rows, prep.frame, summary=summary)
    return ImportResult(rows, files, prep.columns.warnings, plan, result.stopped, result.calls)


@contextmanager
def _stops_after_sending(client, opts: ImportOptions) -> Iterator[None]:
    """Exit 2 says nothing was sent. An error that would exit 2 once writes went out (the
    report opened in Excel during the run, say) stops the run resumably instead (exit 3)."""
    try:
        yield
    except BulkioError as exc:
        if exc.exit_code != ExitCode.USAGE or not getattr(getattr(client, "stats", None), "writes", 0):
            raise
        raise StoppedError(f"{exc} Every row sent is in the journal {opts.journal_path()}: the "
                           "same command again sends nothing twice and writes the report.") from None


@contextmanager
def _memory(client, module: Module) -> Iterator[RecordMemory]:
    memory = RecordMemory.open(scope_of(client), module.name)
    try:
        yield memory
    finally:
        memory.close()


@contextmanager
def _journal(opts: ImportOptions, identity: dict,
             on_warning: Callable[[str], None] | None = None) -> Iterator[Journal | None]:
    """The run's journal, held by this run alone (runlock: a second run on it stops, exit 2,
    before sending). A dry run reads and never writes, so it neither needs nor touches it."""
    if opts.dry_run:
        yield None
        return
    path = opts.journal_path()
    with RunLock.acquire(path):
        moved = None if opts.resume else set_aside_if_damaged(path)
        if moved and on_warning:
            on_warning(f"the journal {path} was damaged ({moved[1]}); it was kept as {moved[0]} "
                       "and this run starts a new one")
        with Journal.open(path, identity, resume=opts.resume) as journal:
            yield journal


def _as_dry_run(outcome: RowOutcome) -> RowOutcome:
    """A refusal in a dry run is what would happen, not what happened."""
    return replace(outcome, status=Status.WOULD_FAIL)


def _warn(prep: Prepared, on_warning: Callable[[str], None] | None) -> None:
    for warning in prep.columns.warnings:
        if on_warning:
            on_warning(warning)


def _identity(opts: ImportOptions, prep: Prepared, client=None) -> dict:
    # the destination too: rows journalled as done in the sandbox (or another organisation)
    # must not count as done in this one
    settings = getattr(client, "settings", None)
    return {
        "input": str(opts.path.resolve()),
        "module": prep.module.name,
        "mode": opts.effective_mode,
        "key": prep.key_api_name or "",
        "api": getattr(settings, "api_url", ""),
        "org": getattr(settings, "organization_id", ""),
    }


def _merge(prep: Prepared, done: list[RowOutcome]) -> list[RowOutcome]:
    """The valid rows' outcomes and the invalid rows' problems, one row each, in input order."""
    by_row = {r.row: r for r in done}
    for row, errors in _errors_by_row(prep.validation.errors).items():
        by_row[row] = RowOutcome(
            row, _key_text(prep, row), Status.INVALID, None, errors[0].code, "; ".join(e.message for e in errors)
        )
    merged = [by_row[row] for row in prep.frame.index if row in by_row]
    if prep.groups:
        merged = [replace(r, rows=tuple(prep.groups.get(r.row, (r.row,)))) for r in merged]
    return merged


def _errors_by_row(errors: list[RowError]) -> dict[int, list[RowError]]:
    grouped: dict[int, list[RowError]] = {}
    for err in errors:
        grouped.setdefault(err.row, []).append(err)
    return grouped


def _key_text(prep: Prepared, row: int) -> str | None:
    if not prep.key_api_name:
        return None
    for column, targets in prep.columns.fields.items():
        if prep.key_api_name in targets:
            return str(prep.frame.at[row, column]).strip() or None
    return None


def _summary(opts: ImportOptions, prep: Prepared, rows: list[RowOutcome], calls: dict) -> dict:
    return {
        "file": str(opts.path),
        "module": prep.module.name,
        "mode": opts.effective_mode,
        "key": prep.key_api_name or "",
        "rows": len(rows),
        "statuses": dict(Counter(r.status for r in rows)),
        "calls": dict(calls),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


@contextmanager
def _ctrl_c_sets() -> Iterator[threading.Event]:
    """While the runner works, Ctrl-C asks it to stop cleanly instead of raising mid-write."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def resolve_module(name: str, client=None) -> Module:
    """The catalogue module merged with the organisation's custom fields when a client is given."""
    if client is None:
        return load_module(name)
    from bulkio.catalogue.fields import load_fields

    return load_fields(client, name)


def module_for_validate(name: str, make_client: Callable, *, needs_custom: bool) -> tuple[Module, str | None, object]:
    """(module, note, client) to validate with: the organisation's custom fields (and, for
    documents, its names to look up) when a connection is configured; else the catalogue alone,
    with a note (or an error when -k needs the custom fields)."""
    try:
        client = make_client()
    except ConfigError as exc:
        if needs_custom:
            raise ConfigError(f"-k/--key names a custom field, so validate must read them from Zoho: {exc}") from exc
        return load_module(name), "no Zoho connection configured: custom fields and names are not checked", None
    return resolve_module(name, client), None, client
