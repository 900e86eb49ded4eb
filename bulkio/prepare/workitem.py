"""The product of preparing: one record to write, as the runner takes it."""

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
