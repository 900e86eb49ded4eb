"""What a run reads of Zoho before its first write, and why.

Rows keyed by a standard field are written by the id found in the module's list; a document
update must be compared with the lines Zoho holds; a contact update must send the people Zoho
holds; skip-unchanged and the dry run compare; an upsert tells a created record from an updated
one only by the ids listed before writing. `read_ahead` does that reading before the plan is
printed, so the plan counts it. `options` is a `runner.RunOptions`.
"""

from __future__ import annotations

from bulkio.modes import Mode
from bulkio.run import persons
from bulkio.run.existing import FullRecords, is_custom_key


def needs_list(module, options, items: list) -> bool:
    """Whether writing `items` needs the module's records listed first, whatever the options:
    rows keyed by a standard field are written by the id found there, and a contact update
    must send the people Zoho holds (`persons`)."""
    if options.mode == Mode.CREATE or options.dry_run:
        return bool(options.dry_run)
    if options.key_field and not is_custom_key(module, options.key_field):
        return True
    if module.is_document and not options.replace_line_items and module.line_items_key:
        return any(module.line_items_key in i.payload for i in items)
    return persons.applies(module)


def read_ahead(records: FullRecords, module, options, items: list) -> tuple[int, int]:
    """List the module before the plan when the run will need it; (reads made, reads the run
    will still make: records whose key the list could not show, and records compared in full).

    Example: made, needed = read_ahead(records, module, options, items)
    """
    compare = options.skip_unchanged or options.dry_run
    needed_list = needs_list(module, options, items)
    if not items or not (compare or needed_list or upserts(module, options)):
        return 0, 0
    index = records.index(options.key_field, max_pages=list_budget(module, options, items))
    needed = records.keys_to_read(items) if compare or needed_list else 0
    lines = module.line_items_key if module.is_document and not options.replace_line_items else None
    to_read = set()
    for item in items:
        record = index.record_for(item, options.mode)
        if record is None:
            continue
        whole = (lines and lines in item.payload) or persons.applies(module)
        if records.needs_read(record, None if whole else (item.payload if compare else None)) and (
                whole or compare):
            to_read.add(str(record.get(module.id_field)))
    return index.pages, needed + len(to_read)


def upserts(module, options) -> bool:
    """Whether the run writes by Zoho's upsert headers (a unique custom field as key)."""
    return options.mode != Mode.CREATE and is_custom_key(module, options.key_field)


def list_budget(module, options, items: list) -> int | None:
    """How many list pages a run reads before writing (None: all of them).

    All when the run cannot do without (`needs_list`, a dry run). Skip-unchanged reads no more
    pages than it has rows to send, since each page can save at most a write per row. An
    upsert reads up to one page per 20 rows (5% more calls): the OpenAPI files declare only 200
    for the upsert and its documented message is the update's, so only the ids listed before
    writing tell a created record from an updated one.
    """
    if options.dry_run or needs_list(module, options, items):
        return None
    if options.skip_unchanged:
        return len(items)
    return max(1, -(-len(items) // 20))
