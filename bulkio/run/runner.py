"""Rows through the client under the run's limits, with resume, skip-unchanged and dry run.

A pool of `concurrency` threads sends the rows, so the client's shared limiter (the quota), not
one call's latency, sets the pace. Every write is journalled before it goes out and after its
answer, so a crash, a kill or a quota stop can be resumed without sending a row twice.

A write whose answer never came may have been applied: `sending` checks Zoho before anything
is sent again (the design is in its docstring). On resume, `resume.prepare_resume` first
settles the earlier run's unanswered creates, then binds the file's rows to the journal by key
or content, never by row number.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

from bulkio.errors import AuthError, QuotaExhausted
from bulkio.modes import Mode
from bulkio.outcomes import RowOutcome, Status
from bulkio.prepare import mapper
from bulkio.prepare.workitem import WorkItem
from bulkio.run.dryrun import DryRun
from bulkio.run.existing import ExistingIndex, FullRecords, id_of, key_label
from bulkio.run.inputs import RunOptions
from bulkio.run.journal import SETTLED_ACTIONS, Journal, NoJournal, resume_action
from bulkio.run.journalentry import JournalEntry
from bulkio.run.plan import Plan, make_plan
from bulkio.run.readahead import list_budget, needs_list, read_ahead, upserts
from bulkio.run.results import RowResults, from_journal
from bulkio.run.resume import prepare_resume
from bulkio.run.sending import RowSender
from bulkio.run.settle import Checker, sent_values
from bulkio.run.stopping import Stops
from bulkio.run.writing import RowWriter

__all__ = [
    "WorkItem", "RunOptions", "RunResult", "ProgressEvent", "Plan", "make_plan",
    "run_rows", "read_ahead", "prepare_resume",
]

@dataclass(frozen=True)
class ProgressEvent:
    """Sent to `on_progress` after every row: rows finished (`done`, failures included),
    `failed`, `total`, and `rate` (rows written per minute so far)."""

    done: int
    failed: int
    total: int
    rate: float
    outcome: RowOutcome | None = None


@dataclass
class RunResult:
    """Every row's outcome by row number, in input order; why the run stopped early (None,
    "quota", "auth" or "interrupted"); the API calls it made."""

    outcomes: dict[int, RowOutcome]
    stopped: str | None = None
    calls: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)


def run_rows(
    items: Iterable[WorkItem],
    *,
    client,
    module,
    journal: Journal | None,
    options: RunOptions,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop_event: threading.Event | None = None,
    records: FullRecords | None = None,
) -> RunResult:
    """Write `items` to Zoho (or, with `options.dry_run`, say what writing them would do).

    Rows the journal shows as done with the same payload are not sent again. The run stops
    cleanly on QuotaExhausted (stopped="quota") or when `stop_event` is set or Ctrl-C arrives
    (stopped="interrupted"): calls in flight finish, rows not sent are reported `skipped` and
    stay pending in the journal. `records` is the run's `FullRecords`, shared with
    `documents.guard_line_items` so that skip-unchanged and dry run read nothing it has read.

    Example:
        result = run_rows(items, client=client, module=module, journal=journal,
                          options=RunOptions(mode=Mode.UPSERT, key_field="cf_external_id"))
    """
    records = records if records is not None else FullRecords(client, module)
    return _Run(client, module, journal, options, on_progress, stop_event, records).run(list(items))



class _Run:
    """The state of one run, shared by its worker threads."""

    def __init__(self, client, module, journal, options, on_progress, stop_event, records):
        self.client = client
        self.records = records
        self.module = module
        self.journal = journal if journal is not None else NoJournal()
        self.options = options
        self.on_progress = on_progress
        self.stops = Stops(stop_event)
        self._counts = {"done": 0, Status.FAILED: 0, "written": 0}
        self._started = time.monotonic()
        self._total = 0
        self.checker = Checker(client, module, mode=options.mode, key_field=options.key_field,
                               records=records, pauses=options.check_pauses, stop=self.stops.event)
        self.writer = RowWriter(client, module, options, records)
        self.results = RowResults(module, self.journal, self.stops, key_label(module, options.key_field))
        self.sender = RowSender(module=module, options=options, journal=self.journal, checker=self.checker,
                                records=records, writer=self.writer, stops=self.stops, results=self.results)
        self.warnings: list[str] = []

    def run(self, items: list[WorkItem]) -> RunResult:
        calls_before = _calls(self.client)
        self._total = len(items)
        outcomes: dict[int, RowOutcome] = {}
        if self.options.dry_run:
            self._dry_run(items, outcomes)
        else:
            self.warnings = self._settle_journal(items)
            todo = self._resume(items, outcomes)
            sending = [job[0] for job in todo]
            if todo and (needs_list(self.module, self.options, sending)
                         or upserts(self.module, self.options)):
                self._read_index(list_budget(self.module, self.options, sending), items=sending,
                                 settle=needs_list(self.module, self.options, sending))
            todo = self._refuse_twins(todo, outcomes)
            if self.options.skip_unchanged and todo:
                todo = self._skip_unchanged(todo, outcomes)
            self._send_all(todo, outcomes)
        ordered = {item.row: outcomes[item.row] for item in items}
        calls_after = _calls(self.client)
        return RunResult(
            outcomes=ordered,
            stopped=self.stops.reason,
            calls={k: calls_after[k] - calls_before.get(k, 0) for k in calls_after},
            duration=time.monotonic() - self._started,
            warnings=self.warnings,
        )

    def _settle_journal(self, items) -> list[str]:
        if isinstance(self.journal, NoJournal):
            return []
        try:
            return prepare_resume(items, client=self.client, module=self.module,
                                  journal=self.journal, options=self.options, records=self.records,
                                  stop_event=self.stops.event)
        except QuotaExhausted:
            self.stops.stop("quota")
            return []

    def _resume(self, items, outcomes) -> list[tuple[WorkItem, str, JournalEntry | None]]:
        entries = self.journal.entries()
        todo = []
        for item in items:
            entry = entries.get(item.row)
            action = resume_action(entry, item.payload_hash, keyed=self.writer.keyed(item),
                                   resend_unknown=self.options.resend_unknown)
            if action in SETTLED_ACTIONS:
                self._finish(outcomes, from_journal(item, entry))
            else:
                todo.append((item, action, entry))
        return todo

    def _skip_unchanged(self, todo, outcomes):
        # Paging costs one read per 200 records and can save at most one write per row, so
        # reading more pages than there are rows to send can never pay off.
        index = self._read_index(max_pages=len(todo), items=[job[0] for job in todo])
        if index is None:
            return todo
        left, unchanged = [], []
        for item, action, entry in todo:
            record = self._existing_record(index, item, entry)
            if record is not None:
                record = self.records.get(record, item.payload)
            if record is not None and not mapper.changed_fields(self.module, item.payload, record):
                unchanged.append((item, id_of(record, self.module)))
            else:
                left.append((item, action, entry))
        self.journal.mark_done_many([
            dict(row=item.row, status=Status.UNCHANGED, record_id=record_id, key=item.key,
                 payload_hash=item.payload_hash, sent=sent_values(self.module, item))
            for item, record_id in unchanged])
        for item, record_id in unchanged:
            self._finish(outcomes, RowOutcome(item.row, item.key, Status.UNCHANGED, record_id))
        return left

    def _existing_record(self, index: ExistingIndex, item, entry) -> dict | None:
        if self.options.mode == Mode.CREATE and entry is not None and entry.record_id:
            return index.by_id.get(entry.record_id)
        return index.record_for(item, self.options.mode)

    def _refuse_twins(self, todo, outcomes):
        """Rows whose key two records in Zoho share: writing either could be wrong."""
        index = self.records.indexed
        if index is None or not index.twins:
            return todo
        left = []
        for job in todo:
            twins = index.twins_of(job[0].key)
            if twins:
                self._finish(outcomes, self.results.twins(job[0], twins))
            else:
                left.append(job)
        return left

    def _dry_run(self, items, outcomes) -> None:
        index = self._read_index(max_pages=None, items=items)
        if index is None:
            for item in items:
                self._finish(outcomes, self.results.not_sent(item))
            return
        dry = DryRun(self.module, index, self.options.mode, self.options.key_field,
                     skip_unchanged=self.options.skip_unchanged, full_record=self.records.get,
                     read_record=self.records.read)
        for item in items:
            twins = index.twins_of(item.key) if self.options.mode != Mode.CREATE else []
            if twins:
                self._finish(outcomes, replace(self.results.twins(item, twins), status=Status.WOULD_FAIL))
                continue
            status, record_id, message = dry.classify(item)
            self._finish(outcomes, RowOutcome(item.row, item.key, status, record_id,
                                              message=message))

    def _read_index(self, max_pages: int | None, items=(), settle: bool = True) -> ExistingIndex | None:
        """The run's list of the module; with `settle`, the records whose key the list could
        not show are read too when some item's key was not found."""
        try:
            index = self.records.index(self.options.key_field, max_pages=max_pages)
            if settle:
                self.records.settle_keys(items)
            return index
        except QuotaExhausted:
            self.stops.stop("quota")
            return None
        except AuthError as exc:
            self.stops.stop_for_auth(exc)
            return None

    def _send_all(self, todo, outcomes) -> None:
        if not todo:
            return
        workers = max(1, int(self.options.concurrency))
        window = workers * 2  # a few queued rows keep every worker busy, no more
        queue = iter(todo)
        in_flight: set[Future] = set()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulkio-row") as pool:
            while True:
                try:
                    while len(in_flight) < window and not self.stops.halted():
                        job = next(queue, None)
                        if job is None:
                            break
                        in_flight.add(pool.submit(self.sender.send_row, *job))
                    if not in_flight:
                        break
                    finished, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._finish(outcomes, future.result())
                        in_flight.discard(future)
                except KeyboardInterrupt:
                    # Ctrl-C: send nothing new, let the calls in flight finish and journal.
                    self.stops.stop("interrupted")
        for item, _, _ in queue:
            self._finish(outcomes, self.results.not_sent(item))

    def _finish(self, outcomes: dict[int, RowOutcome], outcome: RowOutcome) -> None:
        """Record one outcome and report progress; called from the run's own thread only."""
        if outcome.row in outcomes:  # already taken before a Ctrl-C cut the loop short
            return
        outcomes[outcome.row] = outcome
        self._counts["done"] += 1
        self._counts[Status.FAILED] += outcome.status in (Status.FAILED, Status.WOULD_FAIL)
        self._counts["written"] += outcome.attempts > 0
        if self.on_progress is not None:
            minutes = max(time.monotonic() - self._started, 1e-6) / 60
            self.on_progress(ProgressEvent(self._counts["done"], self._counts[Status.FAILED],
                                           self._total, self._counts["written"] / minutes,
                                           outcome))


def _calls(client) -> dict[str, int]:
    stats = client.stats
    return {"reads": stats.reads, "writes": stats.writes, "retries": stats.retries}
