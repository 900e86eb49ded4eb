"""How a run writes its records (RunOptions); the records are prepare.workitem.WorkItem."""

from __future__ import annotations

from dataclasses import dataclass

from bulkio.modes import Mode


@dataclass
class RunOptions:
    """How rows are written: `mode` is upsert, update or create; `key_field` the unique custom
    field's api name."""

    mode: str = Mode.UPSERT
    key_field: str | None = None
    skip_unchanged: bool = False
    dry_run: bool = False
    concurrency: int = 5
    replace_line_items: bool = False
    #: send again the rows journalled `unknown` (a write without answer nothing identifies)
    resend_unknown: bool = False
    #: pauses (s) between checks of a write without answer; None: settle.default_pauses()
    check_pauses: tuple[float, ...] | None = None
