"""Updating a document replaces its line items in Zoho (Deluge updateRecord: "line items not
sent are deleted"), so before the run an update that would change or delete lines Zoho holds is
refused, unless --replace-line-items; lines kept go out with Zoho's `line_item_id`s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from bulkio.catalogue import Module
from bulkio.modes import Mode
from bulkio.outcomes import RowOutcome, Status
from bulkio.prepare import mapper
from bulkio.prepare.rowerrors import message
from bulkio.prepare.workitem import WorkItem
from bulkio.run.existing import FullRecords
from bulkio.run.journal import unsettled

E_LINE_ITEMS = "E_LINE_ITEMS"


def line_item_refusal(item: WorkItem, module: Module, change: str) -> RowOutcome:
    """The `failed` outcome for a document update refused for its line items."""
    noun = module.singular.replace("_", " ").capitalize()
    value = item.key or item.name or item.record_id or ""
    return RowOutcome(item.row, item.key, Status.FAILED, item.record_id, E_LINE_ITEMS,
                      message(E_LINE_ITEMS, noun=noun, value=value,
                              change=change))


def guard_line_items(items: Iterable[WorkItem], *, client, module: Module, mode: str,
                     key_field: str | None, replace: bool = False, journal=None,
                     records: FullRecords | None = None,
                     ) -> tuple[list[WorkItem], list[RowOutcome]]:
    """Refuse, before `run_rows`, the document updates that would lose or change lines Zoho
    holds (Deluge updateRecord: "line items not sent are deleted"), unless `replace`.

    Each document found in Zoho is compared with its full record (read by id once, or taken
    from the memory): the same lines pass, and go out with Zoho's `line_item_id`s so they are
    updated in place; lines only added after Zoho's pass too; any other change is refused.
    Items the journal already shows as done or failed with this payload pass through (the
    runner reports them from the journal). Pass the run's `records` to `run_rows` too, so
    nothing is read twice.
    """
    items = list(items)
    lines_key = module.line_items_key
    if replace or mode == Mode.CREATE or not module.is_document or not any(
            lines_key in i.payload for i in items):
        return items, []
    records = records if records is not None else FullRecords(client, module)
    index = records.index(key_field)
    open_items = unsettled(items, journal)
    records.settle_keys(open_items)
    refused: dict[int, RowOutcome] = {}
    checked: dict[int, WorkItem] = {}
    for item in open_items:
        record = index.record_for(item, mode) if lines_key in item.payload else None
        if record is None:
            continue
        full = records.get(record)
        change = line_change(module, full.get(lines_key), item.payload[lines_key])
        if change:
            refused[item.row] = line_item_refusal(item, module, change)
        else:
            checked[item.row] = with_line_ids(module, item, full.get(lines_key))
    send = [checked.get(i.row, i) for i in items if i.row not in refused]
    return send, list(refused.values())


def line_change(module: Module, old: Any, new: Any) -> str:
    """"" when sending the lines `new` over Zoho's `old` loses and changes nothing Zoho holds
    (the same lines, or more lines after them); else what would be lost, in words."""
    old = [line for line in old if isinstance(line, dict)] if isinstance(old, list) else []
    new = new if isinstance(new, list) else []
    for n, (have, want) in enumerate(zip(old, new, strict=False), start=1):
        if not mapper.same_lines(module, [have], [want]):
            return (f"change its line {n} (Zoho holds {_line_words(have)}; the file gives "
                    f"{_line_words(want)})")
    if len(new) < len(old):
        gone = len(old) - len(new)
        which = f"line {len(new) + 1}" if gone == 1 else f"lines {len(new) + 1}-{len(old)}"
        return f"delete its {which} ({gone} of the {len(old)} lines in Zoho are not in the file)"
    return ""


def _line_words(line: dict) -> str:
    what = line.get("name") or line.get("item_name") or line.get("description")
    parts = [str(what)] if what else []
    parts += [f"{k} {line[k]}" for k in ("quantity", "rate") if line.get(k) not in (None, "")]
    return ", ".join(parts) or "a line"


def with_line_ids(module: Module, item: WorkItem, old: Any) -> WorkItem:
    """The item with Zoho's `line_item_id` on each line it keeps, so that Zoho updates those
    lines rather than deleting and adding them again."""
    old = old if isinstance(old, list) else []
    lines = item.payload.get(module.line_items_key)
    if not old or not isinstance(lines, list):
        return item
    sent = []
    for n, line in enumerate(lines):
        have = old[n] if n < len(old) and isinstance(old[n], dict) else {}
        if isinstance(line, dict) and have.get("line_item_id") and "line_item_id" not in line:
            line = {"line_item_id": have["line_item_id"], **line}
        sent.append(line)
    # the journal hash stays the row's own: these ids come from Zoho, not from the file
    return dataclasses.replace(item, payload={**item.payload, module.line_items_key: sent})
