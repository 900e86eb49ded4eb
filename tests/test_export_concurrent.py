"""Export reads documents' lines several at a time (as many as the client lets fly), in order."""

from __future__ import annotations

import csv
import threading
import time

from documents_support import KEY
from sandbox_clients import client_for

from bulkio.exporting import export_module

INVOICES = 30


class WatchedClient:
    """The real client, counting how many full-record reads are in flight at once."""

    def __init__(self, client):
        self._client = client
        self._lock = threading.Lock()
        self.in_flight = self.peak = 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def get_record(self, module, record_id):
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            return self._client.get_record(module, record_id)
        finally:
            with self._lock:
                self.in_flight -= 1


def test_an_export_of_30_invoices_reads_their_lines_concurrently_and_in_order(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    customer = next(iter(client.iter_records("contacts")))
    items = list(client.iter_records("items"))
    for n in range(INVOICES):
        client.create("invoices", {
            "customer_id": customer["contact_id"],
            "custom_fields": [{"api_name": KEY, "value": f"ORD-{n:03d}"}],
            "line_items": [{"item_id": items[n % len(items)]["item_id"], "quantity": n + 1}],
        })
    listed = [r["invoice_id"] for r in client.iter_records("invoices")]
    sandbox.configure(latency_ms=100)
    watched = WatchedClient(client_for(sandbox, in_flight=5))
    progress: list[int] = []

    started = time.monotonic()
    result = export_module(watched, module, tmp_path / "invoices.csv", on_progress=progress.append)
    elapsed = time.monotonic() - started

    with open(tmp_path / "invoices.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert result.rows == INVOICES and progress == list(range(1, INVOICES + 1))
    assert [r["Invoice ID"] for r in rows] == listed  # the list's order, whatever finished first
    stored = {r["invoice_id"]: r for r in sandbox.records("invoices")}
    assert [int(r["Quantity"]) for r in rows] == [
        stored[i]["line_items"][0]["quantity"] for i in listed]
    assert 1 < watched.peak <= 5
    assert elapsed < 2.5  # one by one: at least 30 x 0.1 s
