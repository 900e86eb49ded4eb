"""Invoices with line items for the tests of documents: the customers and items a sandbox is
seeded with (fixture `invoice_org` in conftest.py), the sheet's headings and its rows."""

from __future__ import annotations

from bulkio.prepare.columns import match_columns
from bulkio.prepare.documents import prepare_documents
from bulkio.prepare.lookups import LookupResolver
from bulkio.readers.documents import read_document_table
from bulkio.run.lineguard import guard_line_items
from bulkio.run.runner import RunOptions, run_rows

KEY = "cf_order_ref"
CUSTOMERS = ["Bowman Ltd", "Acme Corp", "Globex", "Initech"]
ITEMS = {"Widget": 10.0, "Gadget": 4.0, "Sprocket": 2.5, "Doohickey": 7.25, "Gizmo": 12.0}
HEADERS = ["Order Ref", "Customer Name", "Invoice Date", "Item Name", "Quantity", "Rate", "Tax Name"]


def invoice_rows(count: int = 20) -> list[list]:
    """`count` invoices over 55 rows (1-5 lines each) with names instead of ids."""
    sizes = ([1, 2, 3, 4, 4] * 3 + [1, 2, 3, 4, 3])[:count]
    names = list(ITEMS)
    rows = []
    for n, size in enumerate(sizes):
        for line in range(size):
            rows.append([f"ORD-{n:03d}", CUSTOMERS[n % 4], "2024-05-01", names[(n + line) % 5],
                         line + 1, 3.5 if line == 1 else None, "Sales Tax" if line == 0 else None])
    return rows


def prepare(client, module, path, *, key="Order Ref", mode="upsert", sheet=None):
    frame = read_document_table(path, module, sheet=sheet)
    plan = match_columns(list(frame.columns), module)
    return prepare_documents(frame, module, plan, key_field=key, mode=mode,
                             resolver=LookupResolver(client))


def send(client, module, batch, *, mode="upsert", key=KEY, replace=False, skip_unchanged=False):
    """What importing.run_import does with a batch: refuse line-item updates, then run."""
    items, refused = guard_line_items(batch.items, client=client, module=module, mode=mode,
                                      key_field=key, replace=replace)
    result = run_rows(items, client=client, module=module, journal=None,
                      options=RunOptions(mode=mode, key_field=key, skip_unchanged=skip_unchanged))
    outcomes = {**result.outcomes, **{o.row: o for o in refused}}
    return {row: outcomes[row] for row in sorted(outcomes)}


def by_ref(sandbox) -> dict[str, dict]:
    return {r["custom_field_hash"][KEY]: r for r in sandbox.records("invoices")}


def writes(sandbox) -> int:
    return sum(1 for m, *_ in sandbox.stats.requests if m in ("POST", "PUT", "DELETE"))
