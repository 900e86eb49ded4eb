"""What a run is given: the records to write (WorkItem) and how to write them (RunOptions)."""

from __future__ import annotations

from dataclasses import dataclass


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
