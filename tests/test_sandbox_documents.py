"""Documents with line items: lookups, totals, numbers, line replacement on update, upsert."""

from __future__ import annotations

import pytest


@pytest.fixture
def parties(zoho):
    customer = zoho.contact("Bowman")
    vendor = zoho.contact("Supplier", contact_type="vendor")
    widget = zoho.item("Widget", rate=10, unit="pcs")
    gadget = zoho.item("Gadget", rate=4)
    taxes = {t["tax_name"]: t["tax_id"] for t in zoho.get("/settings/taxes").json()["taxes"]}
    return {"customer": customer["contact_id"], "vendor": vendor["contact_id"],
            "widget": widget["item_id"], "gadget": gadget["item_id"], "taxes": taxes}


def invoice_body(parties, **extra):
    return {"customer_id": parties["customer"],
            "line_items": [{"item_id": parties["widget"], "quantity": 3, "discount": "10%",
                            "tax_id": parties["taxes"]["Sales Tax"]},
                           {"item_id": parties["gadget"], "quantity": 2, "rate": 5, "discount": 1}],
            **extra}


def test_invoice_totals_from_lines_discounts_and_taxes(zoho, parties):
    answer = zoho.post("/invoices", json=invoice_body(parties))
    assert answer.status_code == 201 and answer.json()["message"] == "The invoice has been created."
    invoice = answer.json()["invoice"]
    first, second = invoice["line_items"]
    shown = (first["name"], first["rate"], first["unit"], first["item_total"], first["tax_amount"])
    assert shown == ("Widget", 10, "pcs", 27.0, 2.7)
    assert second["item_total"] == 9.0
    assert (invoice["sub_total"], invoice["tax_total"], invoice["total"]) == (36.0, 2.7, 38.7)
    assert (invoice["customer_name"], invoice["status"]) == ("Bowman", "draft")


def test_document_numbers_are_generated_and_unique(zoho, parties):
    numbers = [zoho.post("/invoices", json=invoice_body(parties)).json()["invoice"]["invoice_number"] for _ in range(2)]
    assert numbers == ["INV-000001", "INV-000002"]
    clash = zoho.post("/invoices", json=invoice_body(parties, invoice_number="inv-000001"))
    assert clash.status_code == 400 and clash.json()["code"] == 1001


def test_unknown_customer_or_item_is_refused(zoho, parties):
    assert zoho.post("/invoices", json=invoice_body(parties, customer_id="1")).json()["message"] == \
        "Invalid value passed for customer_id"
    body = {"customer_id": parties["customer"], "line_items": [{"item_id": "42", "quantity": 1}]}
    assert zoho.post("/invoices", json=body).json()["message"] == "Invalid value passed for item_id"
    assert zoho.sb.records("invoices") == []


def test_line_items_are_required_on_invoices(zoho, parties):
    answer = zoho.post("/invoices", json={"customer_id": parties["customer"], "line_items": []})
    assert answer.json() == {"code": 4, "message": "line_items cannot be empty."}


def test_update_replaces_line_items_and_keeps_sent_line_ids(zoho, parties):
    invoice = zoho.post("/invoices", json=invoice_body(parties)).json()["invoice"]
    kept_id = invoice["line_items"][0]["line_item_id"]
    answer = zoho.put(f"/invoices/{invoice['invoice_id']}", json={
        "customer_id": parties["customer"],
        "line_items": [{"line_item_id": kept_id, "quantity": 1}, {"name": "Setup", "rate": 50}]})
    assert answer.status_code == 200 and answer.json()["message"] == "Invoice information has been updated."
    lines = answer.json()["invoice"]["line_items"]
    assert [line.get("name") for line in lines] == ["Widget", "Setup"]
    assert lines[0]["line_item_id"] == kept_id
    assert lines[1]["line_item_id"] not in (kept_id, invoice["line_items"][1]["line_item_id"])
    assert answer.json()["invoice"]["sub_total"] == 9.0 + 50


def test_update_without_line_items_keeps_them(zoho, parties):
    invoice = zoho.post("/invoices", json=invoice_body(parties)).json()["invoice"]
    answer = zoho.put(f"/invoices/{invoice['invoice_id']}", json={"reference_number": "PO-7"})
    assert len(answer.json()["invoice"]["line_items"]) == 2 and answer.json()["invoice"]["total"] == invoice["total"]


def test_unknown_line_item_id_is_refused(zoho, parties):
    invoice = zoho.post("/invoices", json=invoice_body(parties)).json()["invoice"]
    answer = zoho.put(f"/invoices/{invoice['invoice_id']}", json={"line_items": [{"line_item_id": "1", "rate": 1}]})
    assert answer.json()["message"] == "Invalid value passed for line_item_id"


def test_invoice_upsert_by_unique_custom_field(sandbox, zoho, parties):
    sandbox.add_custom_field("invoice", label="Order Ref", is_unique=True)
    created = zoho.upsert("invoices", "cf_order_ref", "ORD-1", invoice_body(parties))
    assert created.status_code == 200 and len(sandbox.records("invoices")) == 1
    updated = zoho.upsert("invoices", "cf_order_ref", "ORD-1", {"line_items": [{"item_id": parties["gadget"]}]})
    assert updated.status_code == 200 and updated.json()["invoice"]["total"] == 4.0
    assert len(sandbox.records("invoices")) == 1


@pytest.mark.parametrize("module, key, party, extra", [
    ("bills", "bill", "vendor", {"bill_number": "B-1"}),
    ("estimates", "estimate", "customer", {}),
    ("salesorders", "salesorder", "customer", {}),
    ("purchaseorders", "purchaseorder", "vendor", {}),
    ("creditnotes", "creditnote", "customer", {"creditnote_number": "CN-1", "date": "2024-05-01"}),
])
def test_other_documents_create_get_and_list(zoho, parties, module, key, party, extra):
    party_field = "vendor_id" if party == "vendor" else "customer_id"
    body = {party_field: parties[party], "line_items": [{"item_id": parties["widget"], "quantity": 2}], **extra}
    answer = zoho.post(f"/{module}", json=body)
    assert answer.status_code == 201, answer.text
    record = answer.json()[key]
    assert record["total"] == 20.0 and record[f"{key}_number"]
    assert zoho.get(f"/{module}/{record[key + '_id']}").json()[key]["total"] == 20.0
    assert [r[f"{key}_id"] for r in zoho.get(f"/{module}").json()[module]] == [record[f"{key}_id"]]


def test_bills_require_their_number(zoho, parties):
    body = {"vendor_id": parties["vendor"], "line_items": [{"item_id": parties["widget"]}]}
    assert zoho.post("/bills", json=body).json()["message"] == "bill_number cannot be empty."


def test_document_custom_fields_use_their_entity(sandbox, zoho, parties):
    sandbox.add_custom_field("salesorder", label="Channel", data_type="dropdown", values=["Web", "Shop"])
    body = {"customer_id": parties["customer"], "custom_fields": [{"label": "Channel", "value": "Web"}]}
    order = zoho.post("/salesorders", json=body).json()["salesorder"]
    assert order["custom_field_hash"] == {"cf_channel": "Web"}


def test_taxes_and_chart_of_accounts_are_seeded(zoho):
    taxes = zoho.get("/settings/taxes").json()["taxes"]
    assert {t["tax_name"]: t["tax_percentage"] for t in taxes}["Sales Tax"] == 10.0
    accounts = zoho.get("/chartofaccounts").json()["chartofaccounts"]
    assert "Sales" in {a["account_name"] for a in accounts}
    one = zoho.get(f"/chartofaccounts/{accounts[0]['account_id']}").json()
    assert one["chart_of_account"]["account_id"] == accounts[0]["account_id"]


def test_item_tax_id_is_looked_up(zoho):
    tax_id = zoho.get("/settings/taxes").json()["taxes"][1]["tax_id"]
    item = zoho.item("Taxed", tax_id=tax_id)
    assert (item["tax_name"], item["tax_percentage"]) == ("VAT", 20.0)
    assert zoho.post("/items", json={"name": "Bad tax", "rate": 1, "tax_id": "1"}).status_code == 400


def test_documents_filter_by_status_and_customer(zoho, parties):
    zoho.post("/invoices", json=invoice_body(parties))
    assert len(zoho.get("/invoices", params={"filter_by": "Status.Draft"}).json()["invoices"]) == 1
    assert zoho.get("/invoices", params={"filter_by": "Status.Paid"}).json()["invoices"] == []
    assert len(zoho.get("/invoices", params={"customer_id": parties["customer"]}).json()["invoices"]) == 1
    assert len(zoho.get("/invoices", params={"item_id": parties["widget"]}).json()["invoices"]) == 1
