"""Export: API calls (records per call) and time to write 10,000 items to XLSX and CSV.

The sandbox is filled in-process (no HTTP), then `bulkio.exporting.export_module` pages through
it over loopback with the sandbox's limits lifted, so the time is bulkio's own: reading 50 pages
of JSON and writing the workbook.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import BASIC_COLUMNS, KEY_LABEL, client_for, item_row, median, start_sandbox

RECORDS = 10_000


def _fill(sandbox, n: int) -> None:
    fields = {f["label"]: f["customfield_id"] for f in sandbox.custom_fields.fields(sandbox.org_id, "item")}
    for i in range(n):
        row = item_row(i, BASIC_COLUMNS)
        body = {"name": row["Item Name"], "sku": row["SKU"], "rate": float(row["Selling Price"]),
                "purchase_rate": float(row["Purchase Price"]), "unit": row["Unit"],
                "product_type": row["Product Type"], "description": row["Sales Description"],
                "custom_fields": [{"customfield_id": fields[KEY_LABEL], "value": row[KEY_LABEL]},
                                  {"customfield_id": fields["Category"], "value": row["Category"]}]}
        status, answer, _ = sandbox.api.handle(sandbox.org_id, "POST", ["items"], {}, {}, body)
        if status != 201:
            raise RuntimeError(f"filling the sandbox failed: {answer}")


def run(quick: bool = False) -> dict:
    from bulkio.catalogue.fields import load_fields
    from bulkio.exporting import export_module

    sandbox = start_sandbox()
    rows = []
    try:
        _fill(sandbox, RECORDS)
        client = client_for(sandbox, rate=10**7, concurrency=5)
        module = load_fields(client, "items")
        with tempfile.TemporaryDirectory(prefix="bulkio-export-") as tmp:
            for suffix in (".xlsx", ".csv"):
                runs = []
                for n in range(1 if quick else 3):
                    before = sandbox.stats.total
                    started = time.perf_counter()
                    result = export_module(client, module, Path(tmp) / f"items{n}{suffix}")
                    seconds = time.perf_counter() - started
                    runs.append((seconds, sandbox.stats.total - before, result.rows))
                calls = median([r[1] for r in runs])
                rows.append({"format": suffix[1:], "records": runs[0][2], "api_calls": calls,
                             "records_per_call": round(runs[0][2] / calls, 1),
                             "seconds": round(median([r[0] for r in runs]), 2), "runs": len(runs),
                             "seconds_each": [round(r[0], 2) for r in runs]})
    finally:
        sandbox.stop()
    return {"rows": rows}
