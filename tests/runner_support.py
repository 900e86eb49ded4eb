"""Rows for the runner's tests: items as the runner's WorkItems, the options of its two modes,
a sandbox keyed by External ID (fixture `items_org` in conftest.py) and a journal."""

from __future__ import annotations

from sandbox_clients import client_for

from bulkio.catalogue.fields import load_fields
from bulkio.prepare.mapper import payload_hash
from bulkio.run.journal import Journal
from bulkio.run.runner import RunOptions, WorkItem

KEY = "cf_external_id"
UPSERT = RunOptions(mode="upsert", key_field=KEY, concurrency=4)
CREATE = RunOptions(mode="create", concurrency=4)


def keyed_items_org(sandbox):
    """`sandbox` with a unique External ID on items; (sandbox, a client, the items module)."""
    sandbox.add_custom_field("item", "External ID", is_unique=True)
    client = client_for(sandbox)
    return sandbox, client, load_fields(client, "items")


def items(module, n, *, start=0, rate=10, keyed=True, first_row=2):
    """`n` items to run as rows from `first_row`, keyed SKU-000n by External ID unless not `keyed`."""
    field_id = int(module.field(KEY).customfield_id)
    out = []
    for i in range(start, start + n):
        payload = {"name": f"Item {i:04d}", "rate": rate + i}
        if keyed:
            payload["custom_fields"] = [{"customfield_id": field_id, "value": f"SKU-{i:04d}"}]
        out.append(WorkItem(first_row + i - start, f"SKU-{i:04d}" if keyed else None, payload,
                            payload_hash(payload), name=payload["name"]))
    return out


def open_journal(tmp_path, name="j.sqlite", **identity):
    """A journal in `tmp_path` for an items.csv run."""
    return Journal.open(tmp_path / name, {"input": "items.csv", **identity})
