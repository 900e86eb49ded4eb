"""One row's write, and the check of Zoho before anything is sent again.

A write whose answer never came (OutcomeUnknown: a 5xx, a gateway page, a timeout, a dropped
connection) may have been applied, in every mode. Before anything is sent again, `settle`
checks whether Zoho holds the record (by id, key, name or number, with growing pauses for an
apply slower than the read timeout). Found: the row is created or updated with that id, never
`failed`. Absent: sending again is safe. Nothing to check by (an auto-numbered document created
without a number): the row is `unknown`, journalled so that no later run sends it again
unless the person asks (`resend_unknown`, `--resend-unknown`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bulkio.errors import ApiError, AuthError, OutcomeUnknown, QuotaExhausted, ServerError
from bulkio.modes import Mode
from bulkio.outcomes import E_UNKNOWN_OUTCOME, JournalState, Status
from bulkio.prepare.workitem import WorkItem
from bulkio.run.existing import id_of
from bulkio.run.journalentry import JournalEntry
from bulkio.run.noanswer import maybe_applied, zoho_answered
from bulkio.run.settle import Finding, sent_values, settle_entry
from bulkio.run.writing import RowWriter

log = logging.getLogger(__name__)

#: How many times one row's write is sent while its answers never come and Zoho, checked
#: after each, does not hold it.
MAX_SENDS = 3


class RowSender:
    """Sends one row at a time (from a worker thread) and settles what its answer leaves open.

    Collaborators: the run's `journal`, `checker` (settle.Checker), `records` (FullRecords),
    `writer` (RowWriter), `stops` (stopping.Stops) and `results` (results.RowResults),
    which journals each row's end and gives its outcome."""

    def __init__(self, *, module, options, journal, checker, records, writer: RowWriter, stops, results):
        self.module = module
        self.options = options
        self.journal = journal
        self.checker = checker
        self.records = records
        self.writer = writer
        self.stops = stops
        self.results = results

    def send_row(self, item: WorkItem, action: str, entry: JournalEntry | None):
        """The row's outcome after doing `action` (journal.resume_action) with it."""
        if self.stops.halted():
            return self.results.not_sent(item)
        try:
            if action == "check":
                return self._check_earlier(item, entry)
            update_id = entry.record_id if action == "update" else None
            return self._send(item, update_id)
        except QuotaExhausted:
            self.stops.stop("quota")
            return self.results.not_sent(item)
        except AuthError as exc:  # no row can be sent until the credentials work: stop once
            self.stops.stop_for_auth(exc)
            return self.results.not_sent(item)
        except ApiError as exc:
            # Only a check gets here (a write's own error is handled in _send): the entry
            # stays `sending`, so that the next run checks again instead of sending blindly.
            return self.results.check_failed(item, exc)
        except Exception as exc:  # one row's surprise must not cost the report of every row
            log.exception("row %s: unexpected error", item.row)
            return self.results.internal(item, exc)

    def _check_earlier(self, item: WorkItem, entry: JournalEntry):
        """An earlier run's write of this row went out and no answer settled it: an update by
        the journalled id is simply sent again (harmless); a create is checked first."""
        if entry.record_id:
            return self._send(item, entry.record_id)
        finding = self._checked(lambda: settle_entry(_RowJournal(self.journal, item), entry, self.checker, item))
        if finding.found:
            record_id = id_of(finding.record, self.module)
            if entry.payload_hash != item.payload_hash:
                return self._send(item, record_id)
            return self.results.settled(item, finding, Status.CREATED, 0, "an earlier run's write")
        if finding.state == "stopped":
            return self.results.not_sent(item, lost=True)
        if finding.state in ("absent", "other"):
            return self._send(item, None)
        return self.results.unknown(item, finding, None, 0)

    def _send(self, item: WorkItem, update_id: str | None):
        writer = self.writer
        target = update_id or writer.target_id(item)
        if writer.standard_key and not target and self.options.mode == Mode.UPDATE:
            return self.results.absent(item)
        keyed = (bool(target) or writer.keyed(item)) and not writer.create_own_number(item)
        payload = writer.outgoing(item, target)
        sent = sent_values(self.module, item)
        lost: OutcomeUnknown | ServerError | None = None
        finding = Finding("absent")
        for attempt in range(1, MAX_SENDS + 1):
            self.journal.mark_sending(item.row, item.key, item.payload_hash, sent)
            try:
                result = writer.write(item, payload, target)
            except (OutcomeUnknown, ServerError) as exc:
                if not maybe_applied(exc):
                    return self.results.failed(item, exc, attempt)
                lost = exc
                last = attempt == MAX_SENDS and not zoho_answered(exc)
                finding = self._checked(partial(self._check, sent, payload, target, keyed, last))
                if finding.found:
                    self.stops.heard()
                    return self.results.settled(item, finding, self._status(item, finding, target, keyed),
                                                attempt, "this write", exc)
                if finding.state == "stopped":  # mid-check: the next run checks again
                    return self.results.not_sent(item, lost=True)
                if finding.state not in ("absent", "other"):  # other: Zoho says whose on resend
                    return self.results.unknown(item, finding, exc, attempt)
                self.stops.unheard(exc)
                if self.stops.halted():  # not applied; the journal keeps `sending` for the next run
                    return self.results.not_sent(item, lost=True)
                continue  # Zoho does not hold it: sending again is safe
            except (QuotaExhausted, AuthError) as exc:
                # refused before anything was applied: the row waits for the next run; an
                # earlier unanswered send stays `sending`, for the next run to check first
                if lost is not None:
                    self.stops.stop_for(exc)
                    return self.results.not_sent(item, lost=True)
                self.journal.mark_done(item.row, JournalState.PENDING)
                raise
            except ApiError as exc:
                self.stops.heard()
                if lost is not None:  # e.g. "already exists": the unanswered attempt landed
                    finding = self._checked(lambda: self.checker.look(
                        sent, payload=payload, target_id=target))
                    if finding.found:
                        return self.results.settled(item, finding, self._status(item, finding, target, keyed),
                                                    attempt, "this write", lost)
                    if finding.state == "stopped":
                        return self.results.not_sent(item, lost=True)
                return self.results.failed(item, exc, attempt)
            self.stops.heard()
            self.records.remember(result.record)
            return self.results.written(item, result, attempt, created=writer.created(item, result, target))
        return self.results.not_applied(item, lost, finding)

    def _checked(self, look: Callable[[], Finding]) -> Finding:
        """`look()`, a check of Zoho; a stop it meets (the daily quota used up, access
        refused) stops the run and is a "stopped" finding: nothing is settled, the write stays
        `sending` in the journal for the next run to check before anything is sent."""
        try:
            return look()
        except (QuotaExhausted, AuthError) as exc:
            self.stops.stop_for(exc)
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
            return Status.CREATED
        answer = _Answer(finding.record or {})
        return Status.CREATED if self.writer.created(item, answer, target) else Status.UPDATED


@dataclass
class _Answer:
    """A record found by a check, shaped like a write's answer for `RowWriter.created`."""

    record: dict
    created: bool = False


class _RowJournal:
    """The journal seen through one bound row: settle_entry's verdict lands on that row."""

    def __init__(self, journal, item: WorkItem):
        self._journal = journal
        self._item = item

    def settle(self, entry, status, record_id=None, message=None) -> None:
        """Journal what checking Zoho found for the row's entry (see Journal.settle)."""
        if status is None:
            self._journal.mark_done(self._item.row, JournalState.PENDING)
        elif status == Status.UNKNOWN:
            self._journal.mark_done(self._item.row, Status.UNKNOWN, error_code=E_UNKNOWN_OUTCOME,
                                    message=message)
        else:
            self._journal.mark_done(self._item.row, status, record_id=record_id, message=message)
