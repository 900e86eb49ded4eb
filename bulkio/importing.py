"""`import`: prepare the file, guard the documents' line items, run the writes, report every row.

A script calls `run_import(ImportOptions(...), client, module)` and reads the `ImportResult`;
the CLI's `import` command is a thin shell over it. The file is prepared (read, matched,
validated, mapped) by `bulkio.preparing`, the same path `validate` takes.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from bulkio.catalogue import Module
from bulkio.errors import BulkioError, Declined, ExitCode, StoppedError
from bulkio.outcomes import RowOutcome, Status, exit_code_for
from bulkio.preparing import (
    ImportOptions,
    Prepared,
    file_keys,
    prepare,
    report_rows,
    resolve_module,
    summary,
)
from bulkio.run.deactivate import check_deactivation, consent_refused, deactivate, find_missing
from bulkio.run.existing import FullRecords
from bulkio.run.journal import Journal, unsettled
from bulkio.run.journalfile import set_aside_if_damaged
from bulkio.run.lineguard import guard_line_items
from bulkio.run.memory import RecordMemory, scope_of
from bulkio.run.plan import Plan, make_plan
from bulkio.run.preflight import check_report
from bulkio.run.readahead import read_ahead
from bulkio.run.runlock import RunLock
from bulkio.run.runner import RunOptions, prepare_resume, run_rows
from bulkio.sheets.report import ReportFiles, write_report
from bulkio.zoho.protocol import Client


@dataclass
class ImportResult:
    """`rows` is every record's report row, except for a large file validated in chunks: then
    only its first problems, and `tally` counts the statuses of every row."""

    rows: list[RowOutcome]
    files: ReportFiles | None
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None
    stopped: str | None = None
    calls: dict[str, int] = field(default_factory=dict)
    tally: Counter[str] | None = None

    @property
    def counts(self) -> Counter[str]:
        """How many rows ended with each status."""
        return Counter(self.tally) if self.tally is not None else Counter(r.status for r in self.rows)

    @property
    def exit_code(self) -> ExitCode:
        """0 when every row ended well, 1 when a row did not, 3 when the run stopped early."""
        return exit_code_for([status for status, n in self.counts.items() if n], self.stopped)


def run_import(
    opts: ImportOptions,
    client: Client,
    module: Module | None = None,
    *,
    on_plan: Callable[[Plan], bool | None] | None = None,
    on_progress: Callable[..., None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> ImportResult:
    """Validate, then write every valid row through `client`, journalled and resumable.
    `module` defaults to `opts.module` with the organisation's custom fields.

    What the run needs at its end (the report, its errors file) is checked first, and the
    journal and its lock before the first read of Zoho: a run that must stop, stops (exit 2)
    before it sends anything."""
    check_report(opts.report_path(), source=opts.path, journal=opts.journal_path())
    module = resolve_module(opts.module, client) if module is None else module
    if opts.deactivate_missing:
        check_deactivation(module, opts.key)
    prep = prepare(opts, module, client, on_warning)
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
        missing = None
        if opts.deactivate_missing and prep.key_api_name:
            before = client.stats.reads
            missing = find_missing(records, prep.key_api_name, file_keys(prep), journal=journal,
                                   held_back=_held_back(prep))
            listed += client.stats.reads - before
        plan = make_plan(
            prep.items,
            rate=opts.rate,
            daily_limit=opts.daily_limit,
            quota=client.quota,
            rows_invalid=len(prep.validation.invalid_rows),
            journal=journal,
            options=run_opts,
            reads=listed,
            compare_reads=to_read if records.indexed is not None else None,
            missing=missing,
        )
        accepted = on_plan(plan) if on_plan else None
        if accepted is False:
            raise Declined("Nothing was sent: the plan was not accepted. Run the command again and "
                           "answer yes, or add --yes.")
        if missing is not None and plan.asks_to_deactivate and not (opts.assume_yes or accepted):
            raise Declined(consent_refused(missing, module))
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
        retired: list[RowOutcome] = []
        if missing is not None and not result.stopped:
            before = client.stats.writes
            with _ctrl_c_sets() as stop:
                retired, result.stopped = deactivate(missing, client=client, module=module, journal=journal,
                                                     stop=stop, dry_run=opts.dry_run)
            result.calls = {**result.calls, "writes": result.calls.get("writes", 0) + client.stats.writes - before}
    # run_rows answers for every item it was given, and the guard for every item it held back
    rows = report_rows(prep, [result.outcomes[item.row] for item in prep.items]) + retired
    facts = summary(opts, module, prep.key_api_name, Counter(r.status for r in rows), result.calls)
    if notes:
        facts["journal"] = {f"note {n}": text for n, text in enumerate(notes, start=1)}
    with _stops_after_sending(client, opts):
        files = write_report(opts.report_path(), rows, prep.frame, summary=facts)
    return ImportResult(rows, files, prep.columns.warnings, plan, result.stopped, result.calls)


@contextmanager
def _stops_after_sending(client: Client, opts: ImportOptions) -> Iterator[None]:
    """Exit 2 says nothing was sent. An error that would exit 2 once writes went out (the
    report opened in Excel during the run, say) stops the run resumably instead (exit 3)."""
    try:
        yield
    except BulkioError as exc:
        if exc.exit_code != ExitCode.USAGE or not client.stats.writes:
            raise
        raise StoppedError(f"{exc} Every row sent is in the journal {opts.journal_path()}: the "
                           "same command again sends nothing twice and writes the report.") from None


@contextmanager
def _memory(client: Client, module: Module) -> Iterator[RecordMemory]:
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


def _held_back(prep: Prepared) -> str:
    """Why --deactivate-missing marks nothing inactive this time ("" when it may)."""
    invalid = len(prep.validation.invalid_rows)
    if invalid:
        return (f"the file has {invalid:,} invalid row{'' if invalid == 1 else 's'}: fix them first, so that no "
                "record is taken for missing because its row was refused")
    return ""


def _as_dry_run(outcome: RowOutcome) -> RowOutcome:
    """A refusal in a dry run is what would happen, not what happened."""
    return replace(outcome, status=Status.WOULD_FAIL)


def _identity(opts: ImportOptions, prep: Prepared, client: Client) -> dict[str, str]:
    # the destination too: rows journalled as done in the sandbox (or another organisation)
    # must not count as done in this one
    return {
        "input": str(opts.path.resolve()),
        "module": prep.module.name,
        "mode": opts.effective_mode,
        "key": prep.key_api_name or "",
        "api": client.settings.api_url,
        "org": client.settings.organization_id,
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
