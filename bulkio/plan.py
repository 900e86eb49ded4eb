"""The plan `import` prints before its first write: rows, calls, time, share of the daily quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bulkio.journal import Journal, resume_action


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
    quota_from_headers: bool = False
    compare_reads: int | None = 0  # None: one read per 200 records in Zoho, count unknown
    dry_run: bool = False

    @property
    def calls(self) -> int:
        """Reads plus writes."""
        return self.reads + self.writes

    def lines(self) -> list[str]:
        """The plan as lines a person reads before anything is sent."""
        lines = [f"Rows: {self.rows_valid:,} valid, {self.rows_invalid:,} invalid"
                 + (" (listed in the report)." if self.rows_invalid else ".")]
        if self.rows_done:
            lines.append(f"Finished in an earlier run (journal): {self.rows_done:,} rows; "
                         f"{self.rows_to_send:,} left to send.")
        lines.append(self._calls_line())
        lines.append(f"Time: about {_duration(self.minutes_at_rate)} at {self.rate:g} requests "
                     "per minute.")
        if self.daily_share is not None:
            source = "Zoho's rate-limit headers" if self.quota_from_headers else "--daily-limit"
            left = f"; {self.quota_left:,} left today" if self.quota_left is not None else ""
            lines.append(f"Daily quota: {self.daily_share:.0%} of {self.daily_limit:,} calls "
                         f"(from {source}){left}.")
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
        if self.compare_reads:
            return (text + f", including up to {self.compare_reads:,} reads of the records in "
                    "Zoho to skip unchanged rows (fewer writes when rows are skipped).")
        return text + "."


def make_plan(
    items: Sequence,
    *,
    rate: float,
    daily_limit: int,
    quota_remaining: int | None = None,
    quota_limit: int | None = None,
    reads: int = 0,
    rows_invalid: int = 0,
    journal: Journal | None = None,
    options=None,
) -> Plan:
    """The plan for sending `items` (runner.WorkItem) with `options` (runner.RunOptions).

    `reads` are calls made besides the writes (lookups, custom fields); `quota_remaining` and
    `quota_limit` come from Zoho's X-Rate-Limit headers when it sent them, else `daily_limit`
    stands for both. Rows the journal shows as done are not counted as calls.
    """
    mode = getattr(options, "mode", "upsert")
    dry_run = bool(getattr(options, "dry_run", False))
    entries = journal.entries() if journal is not None else {}
    to_send = sum(
        1 for item in items
        if resume_action(entries.get(item.row), item.payload_hash,
                         keyed=is_keyed(item, mode)) not in ("done", "failed")
    )
    compare_reads: int | None = 0
    if dry_run:
        compare_reads = None
    elif getattr(options, "skip_unchanged", False):
        compare_reads = to_send  # the runner stops paging beyond this many reads
    writes = 0 if dry_run else to_send
    reads_total = reads + (compare_reads or 0)
    from_headers = quota_remaining is not None
    limit = (quota_limit or daily_limit) if from_headers else daily_limit
    left = quota_remaining if from_headers else daily_limit
    calls = reads_total + writes
    return Plan(
        rows_valid=len(items), rows_invalid=rows_invalid, rows_to_send=to_send,
        reads=reads_total, writes=writes, minutes_at_rate=calls / rate if rate else 0.0,
        daily_share=calls / limit if limit else None, over_quota=left is not None and calls > left,
        rows_done=len(items) - to_send, rate=rate, daily_limit=limit, quota_left=left,
        quota_from_headers=from_headers, compare_reads=compare_reads, dry_run=dry_run,
    )


def is_keyed(item, mode: str) -> bool:
    """True when the item's write goes by unique key or Zoho id, so resending it is harmless."""
    if item.record_id and mode != "create":
        return True
    return mode != "create" and item.key not in (None, "")


def _duration(minutes: float) -> str:
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return f"{round(minutes)} minute{'s' if round(minutes) != 1 else ''}"
    return f"{minutes / 60:.1f} hours"
