"""How a row's end is journalled and reported: `RowResults`, one method per way a row ends, each
marking the journal and returning the row's RowOutcome; `from_journal`, the outcome of a row an
earlier run settled."""

from __future__ import annotations

import time

from bulkio.errors import ApiError, OutcomeUnknown, RateLimitError, ServerError
from bulkio.outcomes import E_AMBIGUOUS, E_NO_ANSWER, E_NOT_FOUND, E_UNKNOWN_OUTCOME, JournalState, RowOutcome, Status
from bulkio.prepare.workitem import WorkItem
from bulkio.run.existing import id_of
from bulkio.run.journalentry import JournalEntry
from bulkio.run.noanswer import error_code, no_answer_reason
from bulkio.run.sending import MAX_SENDS
from bulkio.run.settle import Finding, sent_values, unknown_message
from bulkio.run.stopping import Stops


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


def from_journal(item: WorkItem, entry: JournalEntry) -> RowOutcome:
    """The outcome of a row the journal shows settled by an earlier run, and how it was."""
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
