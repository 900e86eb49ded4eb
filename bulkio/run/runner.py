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

from bulkio.errors import ApiError, AuthError, OutcomeUnknown, QuotaExhausted, RateLimitError, ServerError
from bulkio.outcomes import E_AMBIGUOUS, E_NO_ANSWER, E_NOT_FOUND, E_UNKNOWN_OUTCOME, JournalState, RowOutcome, Status
from bulkio.prepare import mapper
from bulkio.prepare.workitem import WorkItem
from bulkio.run.dryrun import DryRun
from bulkio.run.existing import ExistingIndex, FullRecords, id_of, key_label
from bulkio.run.inputs import RunOptions
from bulkio.run.journal import SETTLED_ACTIONS, Journal, NoJournal, resume_action
from bulkio.run.journalentry import JournalEntry
from bulkio.run.noanswer import error_code, no_answer_reason
from bulkio.run.plan import Plan, make_plan
from bulkio.run.readahead import list_budget, needs_list, read_ahead, upserts
from bulkio.run.resume import prepare_resume
from bulkio.run.sending import MAX_SENDS, RowSender
from bulkio.run.settle import Checker, Finding, sent_values, unknown_message
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
                          options=RunOptions(mode="upsert", key_field="cf_external_id"))
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
                self._finish(outcomes, _from_journal(item, entry))
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
        if self.options.mode == "create" and entry is not None and entry.record_id:
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
            twins = index.twins_of(item.key) if self.options.mode != "create" else []
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



class RowResults:
    """How a row's end is journalled and reported: each method marks the journal and returns
    the row's RowOutcome. Shared by the run's worker threads (the journal is thread-safe)."""

    def __init__(self, module, journal, stops: Stops, key_label: str):
        self.module = module
        self.journal = journal
        self.stops = stops
        self.key_label = key_label

    def written(self, item, result, attempt: int, created: bool) -> RowOutcome:
        """The write was answered: created or updated."""
        status = Status.CREATED if created else Status.UPDATED
        record_id = id_of(result.record, self.module)
        self.journal.mark_done(item.row, status, record_id=record_id)
        # A resent write that finds its own earlier, unanswered attempt reads as "updated".
        message = (f"sent {attempt} times: the earlier answers were lost" if attempt > 1 else "")
        return RowOutcome(item.row, item.key, status, record_id, attempts=attempt,
                          message=message)

    def settled(self, item, finding: Finding, status: str, attempt: int, what: str,
                exc: OutcomeUnknown | None = None) -> RowOutcome:
        """A write without answer that Zoho was found to hold: done, with that id."""
        record_id = id_of(finding.record, self.module)
        self.journal.mark_done(item.row, status, record_id=record_id, key=item.key,
                               payload_hash=item.payload_hash)
        why = f" ({no_answer_reason(exc)})" if exc is not None else ""
        return RowOutcome(item.row, item.key, status, record_id, attempts=attempt, message=(
            f"no answer came to {what}{why}; bulkio checked Zoho {finding.how} and found the "
            f"{self.module.singular} there, so it was not sent again"))

    def failed(self, item, exc: ApiError, attempt: int) -> RowOutcome:
        """Zoho refused the write (or answered 5xx with nothing left open)."""
        code = error_code(exc)
        message = exc.message if exc.code is not None else f"HTTP {exc.status}: {exc.message}"
        retryable = isinstance(exc, (ServerError, RateLimitError))
        self.journal.mark_done(item.row, Status.FAILED, error_code=code, message=message,
                               retryable=retryable)
        return RowOutcome(item.row, item.key, Status.FAILED, None, code, message, attempt)

    def check_failed(self, item, exc: ApiError) -> RowOutcome:
        """Checking Zoho for a write without answer failed: the entry stays `sending`."""
        message = (f"no answer came to this write, and checking Zoho for the "
                   f"{self.module.singular} failed ({exc.message}); run the same command again: "
                   "bulkio checks first and sends the row only if Zoho does not hold it")
        self.journal.mark_done(item.row, JournalState.SENDING, error_code=error_code(exc), message=message)
        return RowOutcome(item.row, item.key, Status.UNKNOWN, None, error_code(exc), message)

    def unknown(self, item, finding: Finding, exc: OutcomeUnknown | None, attempt: int) -> RowOutcome:
        """Nothing identifies the record to check (or several match): not sent again."""
        message = unknown_message(self.module, finding, sent_values(self.module, item),
                                  item.payload, no_answer_reason(exc) if exc is not None else "")
        self.journal.mark_done(item.row, Status.UNKNOWN, error_code=E_UNKNOWN_OUTCOME, message=message)
        return RowOutcome(item.row, item.key, Status.UNKNOWN, None, E_UNKNOWN_OUTCOME, message, attempt)

    def not_applied(self, item, exc: OutcomeUnknown | None, finding: Finding) -> RowOutcome:
        """Every send went without answer and, each time, Zoho did not hold the record (or
        held another one by its name or number: `finding` "other")."""
        if finding.state == "other":
            code, message = E_NO_ANSWER, (
                f"no answer came to this write {MAX_SENDS} times ({no_answer_reason(exc)}); bulkio checked "
                f"Zoho {finding.how} and found one with other values there ({self.module.singular} "
                f"id {id_of(finding.record, self.module)}), which this row did not make (Zoho "
                f"allows only one), so this row is not in Zoho. Change the row or that "
                f"{self.module.singular}, then run the same command again")
        elif isinstance(exc, ServerError):  # Zoho's own words first, what bulkio did after
            code = error_code(exc)
            message = (f"{exc.message if exc.code is not None else no_answer_reason(exc)} (answered "
                       f"{MAX_SENDS} times; each time bulkio checked Zoho and the "
                       f"{self.module.singular} was not there, so nothing was written; run the "
                       "same command again later to send it)")
        else:
            code = E_NO_ANSWER
            message = (f"no answer came to this write {MAX_SENDS} times ({no_answer_reason(exc)}); each "
                       f"time bulkio checked Zoho and the {self.module.singular} was not there, "
                       "so nothing was written. Run the same command again later to send it")
        self.journal.mark_done(item.row, Status.FAILED, error_code=code, message=message, retryable=True)
        return RowOutcome(item.row, item.key, Status.FAILED, None, code, message, MAX_SENDS)

    def not_sent(self, item, lost: bool = False) -> RowOutcome:
        """The run stopped before this row (`lost`: sent, but no answer came before the stop)."""
        return RowOutcome(item.row, item.key, Status.SKIPPED,
                          message=self.stops.not_sent_reason(self.module.singular, lost))

    def absent(self, item) -> RowOutcome:
        """Update mode, and no record in Zoho holds the row's key."""
        message = (f"no {self.module.singular} has {self.key_label} {item.key!r} in Zoho "
                   "(update mode creates nothing)")
        self.journal.mark_done(item.row, Status.FAILED, error_code=E_NOT_FOUND, message=message)
        return RowOutcome(item.row, item.key, Status.FAILED, None, E_NOT_FOUND, message)

    def twins(self, item, twins: list[str]) -> RowOutcome:
        """Records in Zoho (ids `twins`) share the row's key: writing either could be wrong."""
        label = self.key_label
        message = (f"{len(twins)} {self.module.plural} in Zoho hold {label} {item.key!r} (ids "
                   f"{', '.join(twins)}); bulkio cannot tell which one this row means. Change "
                   f"{label} on all but one of them in Zoho, then run the same command again")
        return RowOutcome(item.row, item.key, Status.FAILED, None, E_AMBIGUOUS, message)

    def internal(self, item, exc: Exception) -> RowOutcome:
        """A surprise (a bug) in this row: journalled `sending`, so the next run checks first."""
        self.journal.mark_done(item.row, JournalState.SENDING, error_code="E_INTERNAL")
        return RowOutcome(item.row, item.key, Status.FAILED, error_code="E_INTERNAL", message=(
            f"bulkio could not finish this row ({type(exc).__name__}: {str(exc)[:200]}); "
            "run the same command again, and report it if it persists"))


def _from_journal(item: WorkItem, entry: JournalEntry) -> RowOutcome:
    if entry.status == Status.UNKNOWN:
        return RowOutcome(item.row, item.key, Status.UNKNOWN, entry.record_id,
                          entry.error_code or E_UNKNOWN_OUTCOME,
                          f"{entry.message or ''} (an earlier run)".strip())
    if entry.status == Status.FAILED:
        message = (f"{entry.message or ''} (failed the same way in an earlier run; not sent "
                   "again until the row changes)").strip()
        return RowOutcome(item.row, item.key, Status.FAILED, entry.record_id, entry.error_code,
                          message)
    if entry.message:  # settled by a check of Zoho: say how
        return RowOutcome(item.row, item.key, entry.status, entry.record_id, message=entry.message)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.updated_at))
    return RowOutcome(item.row, item.key, entry.status, entry.record_id, message=(
        f"{entry.status} by an earlier run ({when}, see the journal); the row has not changed "
        "since, so nothing was sent (--no-resume sends it again)"))


def _calls(client) -> dict[str, int]:
    stats = client.stats
    return {"reads": stats.reads, "writes": stats.writes, "retries": stats.retries}
