"""A journal entry as a run reads it, and the statuses it can hold."""

from __future__ import annotations

from dataclasses import dataclass

from bulkio.outcomes import JournalState, Status

#: Outcomes an entry can be journalled with. `sending`: the write went out (or was about to)
#: and no answer settled it yet: the next run checks Zoho before anything is resent.
#: `unknown`: it went out, no answer came and nothing identifies the record to check: it is
#: not sent again unless the person asks (`--resend-unknown`).
STATUSES = frozenset({*JournalState, Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.FAILED, Status.UNKNOWN})
DONE_STATUSES = frozenset({Status.CREATED, Status.UPDATED, Status.UNCHANGED})

#: the identifying values an entry may keep (never the payload, never a secret)
SENT_KEYS = ("key", "name", "number")


@dataclass(frozen=True)
class JournalEntry:
    """The last committed state of one record's write. `row` is the file row it stands for
    in the present run (None: no row of the file now); `sent` the identifying values the
    write sent (key, name, number); `id` the entry's own number."""

    row: int | None
    key: str | None
    payload_hash: str | None
    status: str
    record_id: str | None
    error_code: str | None
    message: str | None
    retryable: bool
    attempts: int
    updated_at: float
    sent: dict | None = None
    id: int | None = None

    @property
    def done(self) -> bool:
        """True when the row reached Zoho (created, updated) or needed nothing (unchanged)."""
        return self.status in DONE_STATUSES
