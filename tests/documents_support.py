"""Invoices with line items for the tests of documents: the customers and items a sandbox is
seeded with (fixture `invoice_org` in conftest.py), the sheet's headings and its rows."""

from __future__ import annotations

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
