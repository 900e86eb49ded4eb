"""One run reads each document at most once: the line-item guard and the runner's
skip-unchanged share the run's `FullRecords` (the list and the documents' full records)."""

from __future__ import annotations

from documents_support import HEADERS, invoice_rows
from e2e_support import write_xlsx

from bulkio.importing import run_import
from bulkio.preparing import ImportOptions
from bulkio.run.existing import FullRecords

DOCUMENTS = 6


def _import(client, module, path, tmp_path, **options):
    opts = ImportOptions(path, "invoices", key="Order Ref", report=tmp_path / "report.csv",
                         journal=tmp_path / "journal.sqlite", rate=60_000, **options)
    return run_import(opts, client, module)


def test_skip_unchanged_reimport_reads_each_invoice_once(invoice_org, tmp_path, monkeypatch):
    sandbox, client, module = invoice_org
    path = write_xlsx(tmp_path / "invoices.xlsx", HEADERS, invoice_rows(DOCUMENTS))
    first = _import(client, module, path, tmp_path)
    assert [r.status for r in first.rows] == ["created"] * DOCUMENTS
    # another machine's bulkio: it remembers none of the invoices written above
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "elsewhere"))
    sandbox.stats.reset()

    again = _import(client, module, path, tmp_path, skip_unchanged=True, resume=False)

    assert [r.status for r in again.rows] == ["unchanged"] * DOCUMENTS
    # one list page, then one full read per invoice (not one by the guard and one by the runner)
    assert sandbox.stats.by_module[("GET", "invoices")] == 1 + DOCUMENTS
    invoice_reads = [p for m, p, *_ in sandbox.stats.requests if m == "GET" and "/invoices" in p]
    assert len(set(invoice_reads)) == len(invoice_reads)
    assert sandbox.stats.writes == 0


def test_full_records_reads_the_list_and_each_document_once(invoice_org):
    sandbox, client, module = invoice_org
    client.create("contacts", {"contact_name": "Solo", "contact_type": "customer"})
    customer = next(c for c in client.iter_records("contacts") if c["contact_name"] == "Solo")
    item = next(iter(client.iter_records("items")))
    client.create("invoices", {"customer_id": customer["contact_id"],
                               "line_items": [{"item_id": item["item_id"], "quantity": 1}]})
    sandbox.stats.reset()
    records = FullRecords(client, module)

    index = records.index("cf_order_ref")
    again = records.index("cf_order_ref", max_pages=1)
    [listed] = index.by_id.values()
    full = [records.get(listed), records.get(listed), records(listed)]

    assert again is index
    assert all(f is full[0] for f in full) and full[0]["line_items"][0]["item_id"] == item["item_id"]
    assert "line_items" not in listed  # the list leaves lines out; the full read has them
    assert sandbox.stats.by_module[("GET", "invoices")] == 2


def test_a_second_run_reads_only_the_list_when_it_remembers_what_it_wrote(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    path = write_xlsx(tmp_path / "invoices.xlsx", HEADERS, invoice_rows(DOCUMENTS))
    _import(client, module, path, tmp_path)
    sandbox.stats.reset()

    again = _import(client, module, path, tmp_path, skip_unchanged=True, resume=False)

    assert [r.status for r in again.rows] == ["unchanged"] * DOCUMENTS
    assert sandbox.stats.by_module[("GET", "invoices")] == 1  # the list page, nothing by id
    assert sandbox.stats.writes == 0
