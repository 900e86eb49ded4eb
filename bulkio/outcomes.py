"""What became of each row: its status, the status's category, the row's outcome record (which
is also its report row) and the error codes the run itself gives.

Statuses are `StrEnum` members, so a journal row, a report cell, a CSV file and `str(status)`
all hold the plain word ("created", "would_fail", ...) exactly as before there was an enum.

Example:
    outcome = RowOutcome(2, "A-1", Status.CREATED, "460000000012345")
    outcome.status.category      # Category.GOOD
    exit_code_for([outcome.status])  # ExitCode.OK
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bulkio.errors import ExitCode, RowError


class Category(StrEnum):
    """How a status reads: good (done, or would be), neutral (nothing to do), bad (the row needs
    fixing), unsure (sent, but whether Zoho saved it is not known). The report colours by it."""

    GOOD = "good"
    NEUTRAL = "neutral"
    BAD = "bad"
    UNSURE = "unsure"


class Status(StrEnum):
    """A row's status. The members are listed in the order the screen's summary counts them."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    WOULD_CREATE = "would_create"
    WOULD_UPDATE = "would_update"
    VALID = "valid"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    WOULD_FAIL = "would_fail"
    INVALID = "invalid"
    # the contract's statuses of --deactivate-missing; no run gives them yet
    DEACTIVATED = "deactivated"
    WOULD_DEACTIVATE = "would_deactivate"

    @property
    def category(self) -> Category:
        """good, neutral, bad or unsure."""
        return _CATEGORIES[self]

    @property
    def ends_well(self) -> bool:
        """True when the row leaves nothing to do: the run may exit 0."""
        return self.category in (Category.GOOD, Category.NEUTRAL)


_CATEGORIES = {
    Status.CREATED: Category.GOOD,
    Status.UPDATED: Category.GOOD,
    Status.WOULD_CREATE: Category.GOOD,
    Status.WOULD_UPDATE: Category.GOOD,
    Status.VALID: Category.GOOD,
    Status.UNCHANGED: Category.NEUTRAL,
    Status.SKIPPED: Category.NEUTRAL,
    Status.DEACTIVATED: Category.NEUTRAL,
    Status.WOULD_DEACTIVATE: Category.NEUTRAL,
    Status.FAILED: Category.BAD,
    Status.INVALID: Category.BAD,
    Status.WOULD_FAIL: Category.BAD,
    Status.UNKNOWN: Category.UNSURE,
}


class JournalState(StrEnum):
    """The journal's states of a row still on its way, before it has a `Status`."""

    PENDING = "pending"   # journalled, not sent yet
    SENDING = "sending"   # the write went out (or was about to) and no answer settled it yet


def category_of(status: str) -> Category:
    """The category of a status word; a word that is no status reads as neutral."""
    # a Status is its word (StrEnum): the plain word finds it too, without building a member
    return _CATEGORIES.get(status, Category.NEUTRAL)


def is_problem(status: str) -> bool:
    """True for a row the person must look at (bad or unsure), as listed on screen."""
    return category_of(status) in (Category.BAD, Category.UNSURE)


def exit_code_for(statuses: Iterable[str], stopped: str | None = None) -> ExitCode:
    """The run's exit code: 3 when it stopped early, else 0 when every row ended well, else 1.
    A word that is no status does not end well."""
    if stopped:
        return ExitCode.STOPPED
    ends_well = {s.value for s in Status if s.ends_well}
    return ExitCode.OK if all(s in ends_well for s in statuses) else ExitCode.ROWS_FAILED


#: Error codes the run gives a row itself (the codes of Zoho's answers and of the checks of
#: the input are elsewhere: Zoho's in its answers, the checks' in prepare.rowerrors).
E_UNKNOWN_OUTCOME = "E_UNKNOWN_OUTCOME"    # sent, no answer, nothing to check Zoho by
#: the row number of a report row that stands for no input row (a record --deactivate-missing marked)
NO_ROW = 0
E_NO_ANSWER = "E_NO_ANSWER"                # sent, no answer, and Zoho does not hold it
E_AMBIGUOUS = "E_AMBIGUOUS_RECORD"         # several records in Zoho match the row
E_NOT_FOUND = "E_NOT_FOUND"                # update: no record in Zoho has the row's key
E_INTERNAL = "E_INTERNAL"                  # bulkio failed on this row (a bug)


@dataclass(frozen=True)
class RowOutcome:
    """What became of one input record, and its row of the report.

    `attempts` counts the sends of its write; `rows` lists every input row the record was
    read from (a document's line rows), empty meaning just `row`. `problems` are an invalid
    row's problems, each naming its column and value; `changes` what a write would change or
    changed, as (field, value in Zoho, value sent).
    """

    row: int
    key: str | None
    status: Status
    record_id: str | None = None
    error_code: str | None = None
    message: str = ""
    attempts: int = 0
    rows: tuple[int, ...] = ()
    problems: tuple[RowError, ...] = ()
    changes: tuple[tuple[str, str, str], ...] = ()
