"""Rows through the client under the run's limits, with resume, skip-unchanged and dry run.

A pool of `concurrency` threads sends the rows, so the client's shared limiter (the quota), not
one call's latency, sets the pace. Every write is journalled before it goes out and after its
answer, so a crash, a kill or a quota stop can be resumed without sending a row twice.

A write whose answer never came (OutcomeUnknown: a 5xx, a gateway page, a timeout, a dropped
connection) may have been applied, in every mode. Before anything is sent again, `settle`
checks whether Zoho holds the record (by id, key, name or number, with growing pauses for an
apply slower than the read timeout). Found: the row is created or updated with that id, never
`failed`. Absent: sending again is safe. Nothing to check by (an auto-numbered document created
without a number): the row is `unknown`, journalled so that no later run sends it again
unless the person asks (`resend_unknown`, `--resend-unknown`).

On resume, `settle.settle_journal` first settles the earlier run's unanswered creates, then
binds the file's rows to the journal by key or content, never by row number.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from bulkio.prepare import mapper

from bulkio.run import persons
from bulkio.prepare.mapper import reshape_custom_fields as reshape
from bulkio.run.dryrun import DryRun
from bulkio.errors import ApiError, AuthError, OutcomeUnknown, QuotaExhausted, RateLimitError, ServerError
from bulkio.run.existing import ExistingIndex, FullRecords, id_of, is_custom_key, key_label
from bulkio.run.journal import SETTLED_ACTIONS, Journal, JournalEntry, resume_action
from bulkio.run.plan import Plan, is_keyed, make_plan
from bulkio.run.readahead import list_budget, needs_list, read_ahead, upserts
from bulkio.run.settle import (Checker, Finding, sent_values, settle_entry, settle_journal, unknown_message,
                           with_article)

__all__ = [
    "WorkItem", "RowOutcome", "RunOptions", "RunResult", "ProgressEvent", "Plan", "make_plan",
    "run_rows", "read_ahead", "prepare_resume",
]

log = logging.getLogger("bulkio.run.runner")

#: How many times one row's write is sent while its answers never come and Zoho, checked
#: after each, does not hold it.
MAX_SENDS = 3
#: Sends in a row that got no answer and whose record Zoho, checked, did not hold: Zoho has
#: stopped answering writes, and going on would cost minutes per row. The run stops (exit 3).
SILENT_SENDS_STOP = 5
E_UNKNOWN_OUTCOME = "E_UNKNOWN_OUTCOME"
E_NO_ANSWER = "E_NO_ANSWER"
E_AMBIGUOUS = "E_AMBIGUOUS_RECORD"
E_NOT_FOUND = "E_NOT_FOUND"

_NOT_SENT = {
    "quota": "not sent: the organisation's daily API quota is used up; run the same command "
             "again after it resets to send this row",
    "interrupted": "not sent: the run was interrupted; run the same command again to send "
                   "this row",
    "auth": "not sent: Zoho refused bulkio's access, so the run stopped before this row",
    "silent": f"not sent: Zoho stopped answering ({SILENT_SENDS_STOP} writes in a row got no answer "
              "and did not arrive), so the run stopped; run the same command again later to "
              "send this row",
}


#: why a run stopped, for a row whose last send got no answer before the stop
_STOPPED_BY = {
    "quota": "the organisation's daily API quota is used up",
    "interrupted": "the run was interrupted",
    "auth": "Zoho refused bulkio's access",
    "silent": "Zoho stopped answering writes",
}


@dataclass
class WorkItem:
    """One record to write: its spreadsheet row, unique key, payload and the payload's hash.

    `name` is the display name (module.name_field), used to find a record whose create answer
    was lost; `record_id` is a Zoho id given in the input (an id column)."""

    row: int
    key: str | None
    payload: dict
    payload_hash: str
    name: str | None = None
    record_id: str | None = None


@dataclass
class RowOutcome:
    """What happened to one row."""

    row: int
    key: str | None
    status: str
    record_id: str | None = None
    error_code: str | None = None
    message: str = ""
    attempts: int = 0


@dataclass
class RunOptions:
    """How rows are written: `mode` is upsert, update or create; `key_field` the unique custom
    field's api name."""

    mode: str = "upsert"
    key_field: str | None = None
    skip_unchanged: bool = False
    dry_run: bool = False
    concurrency: int = 5
    replace_line_items: bool = False
    #: send again the rows journalled `unknown` (a write without answer nothing identifies)
    resend_unknown: bool = False
    #: pauses (s) between checks of a write without answer; None: settle.default_pauses()
    check_pauses: tuple[float, ...] | None = None


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


def prepare_resume(items, *, client, module, journal: Journal | None, options: RunOptions,
                   records: FullRecords | None = None,
                   stop_event: threading.Event | None = None) -> list[str]:
    """Settle the journal's unanswered creates in Zoho and bind the file's rows to its entries
    (settle.settle_journal), before the plan counts what is left; warnings about entries no
    row of the file stands for. `run_rows` does it too (a second time costs nothing).
    `stop_event` (Ctrl-C) cuts the checks' pauses short and leaves their entries open.

    Example: warnings = prepare_resume(items, client=client, module=module, journal=journal,
                                       options=RunOptions(mode="create"))
    """
    if journal is None or options.dry_run:
        return []
    checker = Checker(client, module, mode=options.mode, key_field=options.key_field,
                      records=records, pauses=options.check_pauses, stop=stop_event)
    orphans = settle_journal(journal, items, checker, keyed=options.mode != "create")
    return [orphan_warning(module, entry) for entry in orphans]


def orphan_warning(module, entry: JournalEntry) -> str:
    """One line about a journal entry whose record no row of the file stands for now."""
    sent = entry.sent or {}
    named = list(dict.fromkeys(str(sent[k]) for k in ("name", "number", "key") if sent.get(k)))
    what = (f"the {module.singular} {' / '.join(repr(v) for v in named)}" if named
            else f"{with_article(module.singular)} without {with_article(_identity_noun(module))}")
    if entry.status in ("sending", "unknown"):
        return (f"An earlier run sent {what} and no answer came; no row of the file has its "
                f"content now, so it is not sent again: check in Zoho whether it is there. "
                f"{entry.message or ''}").strip()
    told = (f"An earlier run {entry.status} {what} (Zoho id {entry.record_id}); no row of the "
            "file has its content or its identifying values now, so nothing was sent for it (the "
            "journal does not apply it to another row).")
    if named:
        return f"{told} If its row was removed on purpose, nothing needs doing."
    return (f"{told} If you changed that row rather than removed it, this run sends the changed "
            f"row as a new {module.singular}: without {with_article(_identity_noun(module))} bulkio cannot "
            f"tell a changed row from a new one. Then delete the older one (id {entry.record_id}) "
            f"in Zoho; to change {module.plural} already in Zoho, give each its "
            f"{_identity_noun(module)} and import with -k {module.number_field or module.name_field}.")


def _identity_noun(module) -> str:
    return (module.number_field or module.name_field or "key").replace("_", " ")


class _Run:
    """The state of one run, shared by its worker threads."""

    def __init__(self, client, module, journal, options, on_progress, stop_event, records):
        self.client = client
        self.records = records
        self.module = module
        self.journal = journal if journal is not None else _NoJournal()
        self.options = options
        self.on_progress = on_progress
        # set by every stop, not only Ctrl-C, so that checks waiting out their pauses end too
        self.stop_event = stop_event if stop_event is not None else threading.Event()
        self.stopped: str | None = None
        self._silent = 0  # sends in a row without answer whose record Zoho did not hold
        self._auth_note = ""  # why Zoho refused access, for the rows not sent (stopped="auth")
        self._lock = threading.Lock()
        self._counts = {"done": 0, "failed": 0, "written": 0}
        self._started = time.monotonic()
        self._total = 0
        self.checker = Checker(client, module, mode=options.mode, key_field=options.key_field,
                               records=records, pauses=options.check_pauses, stop=self.stop_event)
        self.warnings: list[str] = []

    # --- the run -------------------------------------------------------------------------------

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
            stopped=self.stopped,
            calls={k: calls_after[k] - calls_before.get(k, 0) for k in calls_after},
            duration=time.monotonic() - self._started,
            warnings=self.warnings,
        )

    def _settle_journal(self, items) -> list[str]:
        if isinstance(self.journal, _NoJournal):
            return []
        try:
            return prepare_resume(items, client=self.client, module=self.module,
                                  journal=self.journal, options=self.options, records=self.records,
                                  stop_event=self.stop_event)
        except QuotaExhausted:
            self._stop("quota")
            return []

    def _resume(self, items, outcomes) -> list[tuple[WorkItem, str, JournalEntry | None]]:
        entries = self.journal.entries()
        todo = []
        for item in items:
            entry = entries.get(item.row)
            action = resume_action(entry, item.payload_hash, keyed=self._keyed(item),
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
            dict(row=item.row, status="unchanged", record_id=record_id, key=item.key,
                 payload_hash=item.payload_hash, sent=sent_values(self.module, item))
            for item, record_id in unchanged])
        for item, record_id in unchanged:
            self._finish(outcomes, RowOutcome(item.row, item.key, "unchanged", record_id))
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
                self._finish(outcomes, self._twin_outcome(job[0], twins))
            else:
                left.append(job)
        return left

    def _twin_outcome(self, item, twins: list[str]) -> RowOutcome:
        label = self._key_label()
        message = (f"{len(twins)} {self.module.plural} in Zoho hold {label} {item.key!r} (ids "
                   f"{', '.join(twins)}); bulkio cannot tell which one this row means. Change "
                   f"{label} on all but one of them in Zoho, then run the same command again")
        return RowOutcome(item.row, item.key, "failed", None, E_AMBIGUOUS, message)

    def _key_label(self) -> str:
        return key_label(self.module, self.options.key_field)

    def _dry_run(self, items, outcomes) -> None:
        index = self._read_index(max_pages=None, items=items)
        if index is None:
            for item in items:
                self._finish(outcomes, self._not_sent(item))
            return
        dry = DryRun(self.module, index, self.options.mode, self.options.key_field,
                     skip_unchanged=self.options.skip_unchanged, full_record=self.records.get,
                     read_record=self.records.read)
        for item in items:
            twins = index.twins_of(item.key) if self.options.mode != "create" else []
            if twins:
                self._finish(outcomes, replace(self._twin_outcome(item, twins), status="would_fail"))
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
            self._stop("quota")
            return None
        except AuthError as exc:
            self._stop_for_auth(exc)
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
                    while len(in_flight) < window and not self._halted():
                        job = next(queue, None)
                        if job is None:
                            break
                        in_flight.add(pool.submit(self._process, *job))
                    if not in_flight:
                        break
                    finished, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._finish(outcomes, future.result())
                        in_flight.discard(future)
                except KeyboardInterrupt:
                    # Ctrl-C: send nothing new, let the calls in flight finish and journal.
                    self._stop("interrupted")
        for item, _, _ in queue:
            self._finish(outcomes, self._not_sent(item))

    # --- one row (runs in a worker thread) -----------------------------------------------------

    def _process(self, item: WorkItem, action: str, entry: JournalEntry | None) -> RowOutcome:
        if self._halted():
            return self._not_sent(item)
        try:
            if action == "check":
                return self._check_earlier(item, entry)
            update_id = entry.record_id if action == "update" else None
            return self._send(item, update_id)
        except QuotaExhausted:
            self._stop("quota")
            return self._not_sent(item)
        except AuthError as exc:  # no row can be sent until the credentials work: stop once
            self._stop_for_auth(exc)
            return self._not_sent(item)
        except ApiError as exc:
            # Only a check gets here (a write's own error is handled in _send): the entry
            # stays `sending`, so that the next run checks again instead of sending blindly.
            return self._check_failed(item, exc)
        except Exception as exc:  # one row's surprise must not cost the report of every row
            log.exception("row %s: unexpected error", item.row)
            self.journal.mark_done(item.row, "sending", error_code="E_INTERNAL")
            return RowOutcome(item.row, item.key, "failed", error_code="E_INTERNAL", message=(
                f"bulkio could not finish this row ({type(exc).__name__}: {str(exc)[:200]}); "
                "run the same command again, and report it if it persists"))

    def _check_earlier(self, item: WorkItem, entry: JournalEntry) -> RowOutcome:
        """An earlier run's write of this row went out and no answer settled it: an update by
        the journalled id is simply sent again (harmless); a create is checked first."""
        if entry.record_id:
            return self._send(item, entry.record_id)
        finding = self._checked(lambda: settle_entry(self.journal_for(item), entry, self.checker, item))
        if finding.found:
            record_id = id_of(finding.record, self.module)
            if entry.payload_hash != item.payload_hash:
                return self._send(item, record_id)
            return self._settled(item, finding, "created", 0, "an earlier run's write")
        if finding.state == "stopped":
            return self._not_sent(item, lost=True)
        if finding.state in ("absent", "other"):
            return self._send(item, None)
        return self._unknown(item, finding, None, 0)

    def journal_for(self, item: WorkItem):
        """The journal as settle_entry writes it, for a row bound to its entry."""
        return _RowJournal(self.journal, item)

    def _send(self, item: WorkItem, update_id: str | None) -> RowOutcome:
        target = update_id or self._target_id(item)
        if self._standard_key and not target and self.options.mode == "update":
            return self._absent(item)
        keyed = (bool(target) or self._keyed(item)) and not self._create_own_number(item)
        payload = self._outgoing(item, target)
        sent = sent_values(self.module, item)
        lost: OutcomeUnknown | None = None
        finding = Finding("absent")
        for attempt in range(1, MAX_SENDS + 1):
            self.journal.mark_sending(item.row, item.key, item.payload_hash, sent)
            try:
                result = self._write(item, payload, target)
            except (OutcomeUnknown, ServerError) as exc:
                if not _maybe_applied(exc):
                    return self._failed(item, exc, attempt)
                lost = exc
                last = attempt == MAX_SENDS and not _zoho_answered(exc)
                finding = self._checked(lambda: self._check(sent, payload, target, keyed, last))
                if finding.found:
                    self._heard()
                    return self._settled(item, finding, self._status(item, finding, target, keyed),
                                         attempt, "this write", exc)
                if finding.state == "stopped":  # mid-check: the next run checks again
                    return self._not_sent(item, lost=True)
                if finding.state not in ("absent", "other"):  # other: Zoho says whose on resend
                    return self._unknown(item, finding, exc, attempt)
                self._unheard(exc)
                if self._halted():  # not applied; the journal keeps `sending` for the next run
                    return self._not_sent(item, lost=True)
                continue  # Zoho does not hold it: sending again is safe
            except (QuotaExhausted, AuthError) as exc:
                # refused before anything was applied: the row waits for the next run; an
                # earlier unanswered send stays `sending`, for the next run to check first
                if lost is not None:
                    self._stop_for(exc)
                    return self._not_sent(item, lost=True)
                self.journal.mark_done(item.row, "pending")
                raise
            except ApiError as exc:
                self._heard()
                if lost is not None:  # e.g. "already exists": the unanswered attempt landed
                    finding = self._checked(lambda: self.checker.look(
                        sent, payload=payload, target_id=target))
                    if finding.found:
                        return self._settled(item, finding, self._status(item, finding, target, keyed),
                                             attempt, "this write", lost)
                    if finding.state == "stopped":
                        return self._not_sent(item, lost=True)
                return self._failed(item, exc, attempt)
            self._heard()
            self.records.remember(result.record)
            return self._written(item, result, attempt, created=self._created(item, result, target))
        return self._not_applied(item, lost, finding)

    def _checked(self, look: Callable[[], Finding]) -> Finding:
        """`look()`, a check of Zoho; a stop it meets (the daily quota used up, access
        refused) stops the run and is a "stopped" finding: nothing is settled, the write stays
        `sending` in the journal for the next run to check before anything is sent."""
        try:
            return look()
        except (QuotaExhausted, AuthError) as exc:
            self._stop_for(exc)
            return Finding("stopped")

    def _check(self, sent: dict, payload: dict, target: str | None, keyed: bool,
               last: bool = False) -> Finding:
        """Whether Zoho holds what an unanswered write sent. A write by key or id is found
        only with the values sent, and waits one pause: resending it does no harm. A create
        waits the whole schedule: resending it too early would make a duplicate. The `last`
        unanswered send's check waits the whole schedule too, since "nothing was written"
        follows it: a server slower than every send's timeout applies them all later."""
        pauses = self.checker.pauses[:1] if keyed and not last else None
        return self.checker.wait(sent, since=time.time(), payload=payload, target_id=target,
                                 pauses=pauses)

    def _status(self, item: WorkItem, finding: Finding, target: str | None, keyed: bool) -> str:
        if not keyed:
            return "created"
        answer = _Answer(finding.record or {})
        return "created" if self._created(item, answer, target) else "updated"

    def _write(self, item: WorkItem, payload: dict, target: str | None):
        mode = self.options.mode
        record_id = target or (item.record_id if mode != "create" else None)
        # each call gets the custom-field entries its own request schema documents
        if record_id and (target or mode == "update" or not item.key):
            return self.client.update(self.module, record_id, reshape(self.module, payload, "update"))
        if mode == "create" or item.key in (None, "") or self._standard_key or self._create_own_number(item):
            return self.client.create(self.module, reshape(self.module, payload, "create"))
        return self.client.upsert(self.module, self.options.key_field, item.key,
                                  reshape(self.module, payload, "upsert"), create=(mode == "upsert"))

    def _target_id(self, item: WorkItem) -> str | None:
        """The id of the record a row keyed by a standard field (name, sku, number) writes to,
        found in the run's list of the module; None for other rows."""
        if not self._standard_key or item.key in (None, "") or self.options.mode == "create":
            return None
        index = self.records.indexed
        record = index.record_for(item, self.options.mode) if index is not None else None
        return id_of(record, self.module)

    def _outgoing(self, item: WorkItem, target: str | None) -> dict:
        """The body to send: for a contact update, every person Zoho holds is kept (persons)."""
        if self.options.mode == "create" or not persons.applies(self.module):
            return item.payload
        index = self.records.indexed
        record = index.by_id.get(str(target)) if index is not None and target else None
        if record is None and index is not None:
            record = index.record_for(item, self.options.mode)
        if record is None:
            return item.payload
        return persons.merge(item.payload, self.records.get(record))

    def _created(self, item: WorkItem, result, target: str | None) -> bool:
        """Whether a write created its record, from what the run knew before sending it (the
        list read, the row's id): the OpenAPI files declare only 200 for the upsert, so its
        status says nothing. Without that knowledge, the client's reading of the answer."""
        mode = self.options.mode
        if target or (item.record_id and mode != "create"):
            return False
        if mode == "create" or item.key in (None, "") or self._standard_key:
            return True
        index = self.records.indexed
        if index is not None:
            written = id_of(result.record, self.module)
            if index.record_for(item, mode) is not None or (written and written in index.by_id):
                return False
            if index.knows_absent(item) or (written and index.complete):
                return True
        return result.created or _new_record(result.record)

    def _create_own_number(self, item: WorkItem) -> bool:
        """A new document that gives its own number, known to be absent from Zoho, is created
        with POST: only the create (and update by id) documents ignore_auto_number_generation,
        the upsert does not, and without it Zoho may number the document itself."""
        if self.options.mode != "upsert" or not self.module.number_field:
            return False
        if "create" not in getattr(self.module, "ignore_auto_number_kinds", ()):
            return False
        if not str(item.payload.get(self.module.number_field) or "").strip():
            return False
        index = self.records.indexed
        return index is not None and index.knows_absent(item)

    @property
    def _standard_key(self) -> bool:
        return bool(self.options.key_field) and not is_custom_key(self.module, self.options.key_field)

    def _absent(self, item: WorkItem) -> RowOutcome:
        message = (f"no {self.module.singular} has {self._key_label()} {item.key!r} in Zoho "
                   "(update mode creates nothing)")
        self.journal.mark_done(item.row, "failed", error_code=E_NOT_FOUND, message=message)
        return RowOutcome(item.row, item.key, "failed", None, E_NOT_FOUND, message)

    # --- outcomes --------------------------------------------------------------------------

    def _written(self, item, result, attempt: int, created: bool) -> RowOutcome:
        status = "created" if created else "updated"
        record_id = id_of(result.record, self.module)
        self.journal.mark_done(item.row, status, record_id=record_id)
        # A resent write that finds its own earlier, unanswered attempt reads as "updated".
        message = (f"sent {attempt} times: the earlier answers were lost" if attempt > 1 else "")
        return RowOutcome(item.row, item.key, status, record_id, attempts=attempt,
                          message=message)

    def _settled(self, item, finding: Finding, status: str, attempt: int, what: str,
                 exc: OutcomeUnknown | None = None) -> RowOutcome:
        """A write without answer that Zoho was found to hold: done, with that id."""
        record_id = id_of(finding.record, self.module)
        self.journal.mark_done(item.row, status, record_id=record_id, key=item.key,
                               payload_hash=item.payload_hash)
        why = f" ({_reason(exc)})" if exc is not None else ""
        return RowOutcome(item.row, item.key, status, record_id, attempts=attempt, message=(
            f"no answer came to {what}{why}; bulkio checked Zoho {finding.how} and found the "
            f"{self.module.singular} there, so it was not sent again"))

    def _failed(self, item, exc: ApiError, attempt: int) -> RowOutcome:
        code = _error_code(exc)
        message = exc.message if exc.code is not None else f"HTTP {exc.status}: {exc.message}"
        retryable = isinstance(exc, (ServerError, RateLimitError))
        self.journal.mark_done(item.row, "failed", error_code=code, message=message,
                               retryable=retryable)
        return RowOutcome(item.row, item.key, "failed", None, code, message, attempt)

    def _check_failed(self, item, exc: ApiError) -> RowOutcome:
        message = (f"no answer came to this write, and checking Zoho for the "
                   f"{self.module.singular} failed ({exc.message}); run the same command again: "
                   "bulkio checks first and sends the row only if Zoho does not hold it")
        self.journal.mark_done(item.row, "sending", error_code=_error_code(exc), message=message)
        return RowOutcome(item.row, item.key, "unknown", None, _error_code(exc), message)

    def _unknown(self, item, finding: Finding, exc: OutcomeUnknown | None, attempt: int) -> RowOutcome:
        """Nothing identifies the record to check (or several match): not sent again."""
        message = unknown_message(self.module, finding, sent_values(self.module, item),
                                  item.payload, _reason(exc) if exc is not None else "")
        self.journal.mark_done(item.row, "unknown", error_code=E_UNKNOWN_OUTCOME, message=message)
        return RowOutcome(item.row, item.key, "unknown", None, E_UNKNOWN_OUTCOME, message, attempt)

    def _not_applied(self, item, exc: OutcomeUnknown | None, finding: Finding) -> RowOutcome:
        """Every send went without answer and, each time, Zoho did not hold the record (or
        held another one by its name or number: `finding` "other")."""
        if finding.state == "other":
            code, message = E_NO_ANSWER, (
                f"no answer came to this write {MAX_SENDS} times ({_reason(exc)}); bulkio checked "
                f"Zoho {finding.how} and found one with other values there ({self.module.singular} "
                f"id {id_of(finding.record, self.module)}), which this row did not make (Zoho "
                f"allows only one), so this row is not in Zoho. Change the row or that "
                f"{self.module.singular}, then run the same command again")
        elif isinstance(exc, ServerError):  # Zoho's own words first, what bulkio did after
            code = _error_code(exc)
            message = (f"{exc.message if exc.code is not None else _reason(exc)} (answered "
                       f"{MAX_SENDS} times; each time bulkio checked Zoho and the "
                       f"{self.module.singular} was not there, so nothing was written; run the "
                       "same command again later to send it)")
        else:
            code = E_NO_ANSWER
            message = (f"no answer came to this write {MAX_SENDS} times ({_reason(exc)}); each "
                       f"time bulkio checked Zoho and the {self.module.singular} was not there, "
                       "so nothing was written. Run the same command again later to send it")
        self.journal.mark_done(item.row, "failed", error_code=code, message=message, retryable=True)
        return RowOutcome(item.row, item.key, "failed", None, code, message, MAX_SENDS)

    def _not_sent(self, item, lost: bool = False) -> RowOutcome:
        reason = _NOT_SENT.get(self.stopped or "interrupted")
        if self.stopped == "auth" and self._auth_note:
            reason = f"{reason}. {self._auth_note}"
        if lost:
            why = _STOPPED_BY.get(self.stopped or "interrupted")
            when = " after the quota resets" if self.stopped == "quota" else ""
            reason = (f"sent, but no answer came, and the run stopped before Zoho showed the "
                      f"{self.module.singular} ({why}); run the same command again{when}: bulkio "
                      "checks Zoho first and sends the row only if Zoho does not hold it")
            if self.stopped == "auth" and self._auth_note:
                reason = f"{reason}. {self._auth_note}"
        return RowOutcome(item.row, item.key, "skipped", message=reason)

    def _finish(self, outcomes: dict[int, RowOutcome], outcome: RowOutcome) -> None:
        """Record one outcome and report progress; called from the run's own thread only."""
        if outcome.row in outcomes:  # already taken before a Ctrl-C cut the loop short
            return
        outcomes[outcome.row] = outcome
        self._counts["done"] += 1
        self._counts["failed"] += outcome.status in ("failed", "would_fail")
        self._counts["written"] += outcome.attempts > 0
        if self.on_progress is not None:
            minutes = max(time.monotonic() - self._started, 1e-6) / 60
            self.on_progress(ProgressEvent(self._counts["done"], self._counts["failed"],
                                           self._total, self._counts["written"] / minutes,
                                           outcome))

    # --- stopping ----------------------------------------------------------------------------

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self.stopped is None:
                self.stopped = reason
        self.stop_event.set()

    def _heard(self) -> None:
        """A write was answered, or found in Zoho: Zoho is there."""
        with self._lock:
            self._silent = 0

    def _unheard(self, exc: Exception) -> None:
        """A send got no answer and Zoho does not hold its record; enough in a row stop the
        run. A 5xx with Zoho's own code is an answer: Zoho is there, only failing."""
        if _zoho_answered(exc):
            return
        with self._lock:
            self._silent += 1
            silent = self._silent >= SILENT_SENDS_STOP
        if silent:
            self._stop("silent")

    def _stop_for(self, exc: ApiError) -> None:
        """Stop the run for the daily quota used up (QuotaExhausted) or access refused."""
        if isinstance(exc, QuotaExhausted):
            self._stop("quota")
        else:
            self._stop_for_auth(exc)

    def _stop_for_auth(self, exc: AuthError) -> None:
        with self._lock:
            self._auth_note = self._auth_note or exc.message
        self._stop("auth")

    def _halted(self) -> bool:
        if self.stopped is None and self.stop_event is not None and self.stop_event.is_set():
            self._stop("interrupted")
        return self.stopped is not None

    def _keyed(self, item: WorkItem) -> bool:
        if self._standard_key and not item.record_id:
            return self._target_id(item) is not None
        return is_keyed(item, self.options.mode)


class _NoJournal:
    """Stands in when a run keeps no journal (tests, one-off calls)."""

    def entries(self) -> dict:
        return {}

    def mark_sending(self, *args: Any, **kwargs: Any) -> None:
        pass

    def mark_done(self, *args: Any, **kwargs: Any) -> None:
        pass

    def mark_done_many(self, *args: Any, **kwargs: Any) -> None:
        pass


def _from_journal(item: WorkItem, entry: JournalEntry) -> RowOutcome:
    if entry.status == "unknown":
        return RowOutcome(item.row, item.key, "unknown", entry.record_id,
                          entry.error_code or E_UNKNOWN_OUTCOME,
                          f"{entry.message or ''} (an earlier run)".strip())
    if entry.status == "failed":
        message = (f"{entry.message or ''} (failed the same way in an earlier run; not sent "
                   "again until the row changes)").strip()
        return RowOutcome(item.row, item.key, "failed", entry.record_id, entry.error_code,
                          message)
    if entry.message:  # settled by a check of Zoho: say how
        return RowOutcome(item.row, item.key, entry.status, entry.record_id, message=entry.message)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.updated_at))
    return RowOutcome(item.row, item.key, entry.status, entry.record_id, message=(
        f"{entry.status} by an earlier run ({when}, see the journal); the row has not changed "
        "since, so nothing was sent (--no-resume sends it again)"))


@dataclass
class _Answer:
    """A record found by a check, shaped like a write's answer for `_created`."""

    record: dict
    created: bool = False


class _RowJournal:
    """The journal seen through one bound row: settle_entry's verdict lands on that row."""

    def __init__(self, journal, item: WorkItem):
        self._journal = journal
        self._item = item

    def settle(self, entry, status, record_id=None, message=None) -> None:
        if status is None:
            self._journal.mark_done(self._item.row, "pending")
        elif status == "unknown":
            self._journal.mark_done(self._item.row, "unknown", error_code=E_UNKNOWN_OUTCOME,
                                    message=message)
        else:
            self._journal.mark_done(self._item.row, status, record_id=record_id, message=message)


def _maybe_applied(exc: Exception) -> bool:
    """Whether a write's error leaves it maybe applied: no answer after it went out, or a 5xx
    (Zoho, or a gateway in front of it, may have applied it first). A ServerError of status 0
    is a request that never went out."""
    return isinstance(exc, OutcomeUnknown) or (isinstance(exc, ServerError) and exc.status >= 500)


def _zoho_answered(exc: Exception) -> bool:
    """A 5xx carrying Zoho's own code: Zoho finished with the write, nothing lands later (a
    timeout, a dropped connection or a gateway's page may be a write still being applied)."""
    return isinstance(exc, ServerError) and exc.code is not None


def _reason(exc: Exception | None) -> str:
    """Why a write got no answer, short: the client's `reason`, else its message's first part."""
    if exc is None:
        return "no answer"
    reason = getattr(exc, "reason", None)
    if not reason and isinstance(exc, ServerError):
        reason = f"HTTP {exc.status}: {exc.message}"
    return str(reason or str(exc).split(";")[0]).strip()[:160]


def _new_record(record: dict) -> bool:
    """A written record last modified when it was created: new, unless it was created in the
    same second (Zoho counts seconds). Used only when the records listed before writing cannot
    tell."""
    created = record.get("created_time")
    return bool(created) and created == record.get("last_modified_time")


def _error_code(exc: ApiError) -> str:
    if exc.code is not None:
        return str(exc.code)
    return "E_NO_ANSWER" if exc.status == 0 else f"HTTP_{exc.status}"


def _calls(client) -> dict[str, int]:
    stats = client.stats
    return {"reads": stats.reads, "writes": stats.writes, "retries": stats.retries}
