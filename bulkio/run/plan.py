"""The plan `import` prints before its first write: rows, calls, time, share of the daily quota."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bulkio.modes import Mode
from bulkio.run.deactivate import Missing
from bulkio.run.journal import Journal, unsettled


@dataclass(frozen=True)
class Plan:
    """What a run will cost. `writes` and `reads` are upper bounds where comparing with Zoho
    may save writes (`--skip-unchanged`) or where the records to read are not counted yet."""

    rows_valid: int
    rows_invalid: int
    rows_to_send: int
    reads: int
    writes: int
    minutes_at_rate: float
    daily_share: float | None
    over_quota: bool
    rows_done: int = 0
    rate: float = 100
    daily_limit: int | None = None
    quota_left: int | None = None
    compare_reads: int | None = 0  # None: one read per 200 records in Zoho, count unknown
    dry_run: bool = False
    skip_unchanged: bool = False
    compare_exact: bool = False  # compare_reads counted from the records listed, not a bound
    missing: Missing | None = None  # --deactivate-missing: the records to mark inactive

    @property
    def asks_to_deactivate(self) -> bool:
        """Whether the records to mark inactive are so many that a person must agree first."""
        return self.missing is not None and self.missing.needs_consent

    @property
    def calls(self) -> int:
        """Reads plus writes."""
        return self.reads + self.writes

    def lines(self) -> list[str]:
        """The plan as lines a person reads before anything is sent."""
        lines = [f"Rows: {self.rows_valid:,} valid, {self.rows_invalid:,} invalid"
                 + (" (listed in the report)." if self.rows_invalid else ".")]
        if self.rows_done:
            lines.append(f"Finished in an earlier run (journal): {_rows(self.rows_done)}; "
                         f"{self.rows_to_send:,} left to send.")
        lines.append(self._calls_line())
        if self.missing is not None:
            lines.append(_missing_line(self.missing, self.dry_run))
        lines.append(f"Time: {_duration(self.minutes_at_rate)} at {self.rate:g} requests "
                     "per minute.")
        if self.daily_share is not None:
            left = f"; {self.quota_left:,} left today" if self.quota_left is not None else ""
            lines.append(f"Daily quota: this uses {self.daily_share:.0%} of "
                         f"{self.daily_limit:,} calls a day{left}.")
        if self.over_quota:
            lines.append(
                f"Over quota: this needs more calls than the {self.quota_left:,} left today. "
                "bulkio sends until the quota is used up, then stops (exit code 3); run the "
                "same command again after the quota resets to finish."
            )
        return lines

    def _calls_line(self) -> str:
        if self.dry_run:
            text = f"Calls: no writes (dry run), {self.reads:,} reads"
        else:
            text = f"Calls: {self.writes:,} writes + {self.reads:,} reads = {self.calls:,} calls"
        if self.compare_reads is None:
            return text + ", plus one read per 200 records already in Zoho."
        if self.compare_reads and self.compare_exact:
            return (text + f", including {self.compare_reads:,} reads of records already in Zoho, one "
                    "each: its list does not show all that bulkio compares (bulkio remembers "
                    "them, so the next run reads only what changed).")
        if self.compare_reads:
            return (text + f", including up to {self.compare_reads:,} reads of the records in "
                    "Zoho to skip unchanged rows (fewer writes when rows are skipped).")
        if self.skip_unchanged and self.writes:
            return text + " at most: unchanged rows send nothing."
        return text + "."


def make_plan(
    items: Sequence,
    *,
    rate: float,
    daily_limit: int | None,
    quota=None,
    quota_remaining: int | None = None,
    quota_limit: int | None = None,
    reads: int = 0,
    rows_invalid: int = 0,
    journal: Journal | None = None,
    options=None,
    skip_unchanged: bool | None = None,
    dry_run: bool | None = None,
    compare_reads: int | None = None,
    missing: Missing | None = None,
) -> Plan:
    """The plan for sending `items` (runner.WorkItem).

    `quota` is the client's QuotaInfo (or give `quota_remaining` / `quota_limit`); without
    either, `daily_limit` stands for the whole day's budget. `reads` are calls made besides the
    writes and the comparison reads (lookups, custom fields). `skip_unchanged` and `dry_run`
    default to those of `options` (runner.RunOptions). Rows the journal shows as finished cost
    nothing. `compare_reads`, when the records in Zoho were listed already, is the reads the
    comparison still needs (else an upper bound is taken). `missing`: the records
    --deactivate-missing marks inactive after the rows, one write each.

    Example:
        make_plan(items, rate=100, daily_limit=1000, journal=journal).lines()
    """
    if quota is not None:
        quota_remaining = quota.remaining if quota_remaining is None else quota_remaining
        quota_limit = quota.limit if quota_limit is None else quota_limit
    dry_run = bool(getattr(options, "dry_run", False) if dry_run is None else dry_run)
    if skip_unchanged is None:
        skip_unchanged = bool(getattr(options, "skip_unchanged", False))
    to_send = len(unsettled(items, None if dry_run else journal))
    exact = compare_reads is not None
    if not exact:
        compare_reads = _compare_bound(dry_run, skip_unchanged, to_send)
    writes = 0 if dry_run else to_send + (len(missing.todo) if missing else 0)
    reads_total = reads + (compare_reads or 0)
    calls = reads_total + writes
    limit = quota_limit or daily_limit
    left = quota_remaining if quota_remaining is not None else daily_limit
    return Plan(
        rows_valid=len(items), rows_invalid=rows_invalid, rows_to_send=to_send,
        reads=reads_total, writes=writes, minutes_at_rate=calls / rate if rate else 0.0,
        daily_share=calls / limit if limit else None,
        over_quota=left is not None and calls > left,
        rows_done=len(items) - to_send, rate=rate, daily_limit=limit, quota_left=left,
        compare_reads=compare_reads, dry_run=dry_run, skip_unchanged=skip_unchanged,
        compare_exact=exact, missing=missing,
    )


def _compare_bound(dry_run: bool, skip_unchanged: bool, to_send: int) -> int | None:
    """The comparison reads when Zoho was not listed before the plan: unknown in a dry run
    (one per 200 records), at most one per row to send with skip-unchanged (the runner stops
    paging beyond that), else none."""
    if dry_run:
        return None
    return to_send if skip_unchanged else 0


def is_keyed(item, mode: str) -> bool:
    """True when the item's write goes by unique key or Zoho id, so resending it is harmless."""
    if item.record_id and mode != Mode.CREATE:
        return True
    return mode != Mode.CREATE and item.key not in (None, "")


def _missing_line(missing: Missing, dry_run: bool) -> str:
    """What --deactivate-missing will do, in one line of the plan."""
    if missing.held_back:
        return f"Mark inactive: none ({missing.held_back})."
    done = f"; {len(missing.done):,} done in an earlier run" if missing.done else ""
    if not missing.todo:
        return f"Mark inactive: none of the {missing.active:,} active records holding a key{done}."
    shown = ", ".join(missing.first_keys()) + (", ..." if len(missing.todo) > len(missing.first_keys()) else "")
    verb = "would mark" if dry_run else "marks"
    return (f"Mark inactive: {len(missing.todo):,} of {missing.active:,} active records holding a key "
            f"({missing.share:.0%}) are not in the file; bulkio {verb} them inactive after the rows: "
            f"{shown}{done}.")


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _duration(minutes: float) -> str:
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return f"about {round(minutes)} minute{'s' if round(minutes) != 1 else ''}"
    return f"about {minutes / 60:.1f} hours"
