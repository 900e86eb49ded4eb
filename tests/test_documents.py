"""Documents with line items against the sandbox: grouped rows, the line_items JSON form and
two-sheet workbooks become the same documents, names become ids, errors land on the document's
first row with nothing sent for it, and updates that would replace line items are refused."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from documents_support import HEADERS, ITEMS, by_ref, invoice_rows, prepare, send, writes
from e2e_support import write_xlsx
from openapi import validator
from sandbox_clients import client_for

from bulkio.catalogue import load_module
from bulkio.catalogue.fields import load_fields
from bulkio.prepare.columns import match_columns
from bulkio.prepare.documents import prepare_documents
from bulkio.prepare.lookups import LookupResolver
from bulkio.readers.documents import read_document_table


def expected_total(lines: list[list]) -> float:
    total = 0.0
    for _, _, _, item, qty, rate, tax in lines:
        amount = (rate if rate is not None else ITEMS[item]) * qty
        total += amount + (round(amount * 10 / 100, 2) if tax else 0)
    return round(total, 2)


def test_xlsx_of_20_invoices_creates_them_with_lines_and_totals_then_nothing_again(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    rows = invoice_rows()
    assert len(rows) == 55
    path = write_xlsx(tmp_path / "invoices.xlsx", HEADERS, rows)
    sandbox.stats.reset()

    batch = prepare(client, module, path)
    reads = {m for (method, m), n in sandbox.stats.by_module.items() if method == "GET"}
    lists = [p for m, p, *_ in sandbox.stats.requests if m == "GET"]
    outcomes = send(client, module, batch)

    assert batch.errors == []
    assert len(batch.items) == 20 and sum(len(g) for g in batch.groups.values()) == 55
    assert sorted(lists) == ["/books/v3/contacts", "/books/v3/items", "/books/v3/settings/taxes"]
    assert reads  # one paged read per referenced module, not one per row
    assert [o.status for o in outcomes.values()] == ["created"] * 20
    assert list(outcomes) == list(batch.groups)
    stored = by_ref(sandbox)
    for ref in stored:
        lines = [r for r in rows if r[0] == ref]
        invoice = stored[ref]
        assert invoice["customer_name"] == lines[0][1]
        assert [(ln["name"], ln["quantity"]) for ln in invoice["line_items"]] == [(r[3], r[4]) for r in lines]
        assert invoice["total"] == expected_total(lines)

    sandbox.stats.reset()
    again = send(client, module, prepare(client, module, path), skip_unchanged=True)
    assert [o.status for o in again.values()] == ["unchanged"] * 20
    assert writes(sandbox) == 0 and len(sandbox.records("invoices")) == 20


def test_json_cell_form_gives_the_same_documents_as_grouped_rows(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    rows = invoice_rows()
    grouped = prepare(client, module, write_xlsx(tmp_path / "rows.xlsx", HEADERS, rows))
    docs: dict[str, list] = {}
    for r in rows:
        docs.setdefault(r[0], []).append(r)
    json_rows = [[ref, lines[0][1], lines[0][2], json.dumps(
        [{"Item Name": ln[3], "quantity": ln[4], **({"rate": ln[5]} if ln[5] else {}),
          **({"Tax Name": ln[6]} if ln[6] else {})} for ln in lines])] for ref, lines in docs.items()]
    path = write_xlsx(tmp_path / "json.xlsx", HEADERS[:3] + ["line_items"], json_rows)

    as_json = prepare(client, module, path)

    assert as_json.errors == [] and len(as_json.items) == 20
    assert [i.payload for i in as_json.items] == [i.payload for i in grouped.items]
    assert [i.row for i in as_json.items] == list(range(2, 22))


def test_export_workbook_with_a_line_sheet_imports_back_unchanged(invoice_org, tmp_path):
    from bulkio.exporting import export_module

    sandbox, client, module = invoice_org
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "in.xlsx", HEADERS, invoice_rows())))
    exported = export_module(client, module, tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(exported.path).sheetnames[1] == "Line Items"
    sandbox.stats.reset()

    batch = prepare(client, module, exported.path)
    outcomes = send(client, module, batch, skip_unchanged=True)

    assert batch.errors == [] and len(batch.items) == 20
    assert [o.status for o in outcomes.values()] == ["unchanged"] * 20
    assert writes(sandbox) == 0


def test_line_sheet_rows_naming_no_document_stop_the_import(invoice_org, tmp_path):
    _, client, module = invoice_org
    book = openpyxl.Workbook()
    book.active.title = "Invoices"
    book.active.append(["Order Ref", "Customer Name"])
    book.active.append(["A-1", "Globex"])
    lines = book.create_sheet("Line Items")
    lines.append(["Order Ref", "Item Name", "Quantity"])
    lines.append(["A-1", "Widget", 1])
    lines.append(["A-2", "Gadget", 1])
    book.save(tmp_path / "two.xlsx")

    with pytest.raises(Exception) as caught:
        read_document_table(tmp_path / "two.xlsx", module)

    assert type(caught.value).__name__ == "InputError"
    assert str(caught.value) == (
        'sheet "Line Items": 1 line(s) name no document of sheet "Invoices" by Order Ref: '
        "row 3 (A-2); fix the Order Ref cells or remove the lines")


def test_problems_land_on_the_documents_first_row_and_nothing_is_sent_for_it(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    # Zoho keeps item names unique, not SKUs: a second "GIZ" makes that SKU ambiguous
    client.create("items", {"name": "Gizmo Pro", "rate": 99, "sku": "GIZ"})
    gizmos = sorted(i["item_id"] for i in sandbox.records("items") if i.get("sku") == "GIZ")
    rows = [["OK-1", "Globex", "2024-05-01", "Widget", 1, None, None, None],
            ["BAD-1", "Bowman Lt", "2024-05-01", "Widget", 1, None, None, None],   # row 3
            ["BAD-2", "Acme Corp", "2024-05-01", "Widget", 1, None, None, None],   # row 4
            ["BAD-2", "Acme Corp", "2024-05-01", None, 2, None, None, "GIZ"],
            ["BAD-3", "Initech", "2024-05-01", "Widget", 1, None, None, None],     # row 6
            ["BAD-3", "Globex", "2024-05-01", "Gadget", 1, None, None, None],
            ["OK-2", "Initech", "2024-05-01", "Gadget", 3, None, None, None]]     # row 8
    path = write_xlsx(tmp_path / "bad.xlsx", HEADERS + ["SKU"], rows)

    batch = prepare(client, module, path)
    outcomes = send(client, module, batch)

    assert [(e.row, e.code, e.message) for e in batch.errors] == [
        (3, "E_LOOKUP", '"Customer Name" value "Bowman Lt" matches no customer; did you mean "Bowman Ltd"?'),
        (4, "E_LOOKUP", f'row 5: "SKU" value "GIZ" matches 2 items (ids {", ".join(gizmos)}); '
                        'rename them in Zoho or give the id in "Item ID" instead'),
        (6, "E_HEADER_MISMATCH", '"Customer Name" is "Globex" on row 7 but "Initech" on row 6, the '
                                 "document's first row; its header columns must be the same on "
                                 "every row (or left empty)"),
    ]
    assert batch.validation.invalid_rows == {3, 4, 6}
    assert {row: o.status for row, o in outcomes.items()} == {2: "created", 8: "created"}
    assert sorted(by_ref(sandbox)) == ["OK-1", "OK-2"]


def frame(data: dict, first_row: int = 2) -> pd.DataFrame:
    df = pd.DataFrame({k: [str(v) for v in vals] for k, vals in data.items()})
    df.index = pd.Index(range(first_row, first_row + len(df)), name="row")
    return df


def test_ids_are_used_as_they_are_without_any_lookup(invoice_org):
    sandbox, client, module = invoice_org
    customer = sandbox.records("contacts")[0]["contact_id"]
    item = sandbox.records("items")[0]["item_id"]
    df = frame({"Invoice Number": ["INV-9", "INV-9"], "Customer ID": [customer, ""],
                "Customer Name": ["Nobody", ""], "Item ID": [item, item],
                "Item Name": ["Nothing", "Nothing"], "Qty": ["1", "2"]})
    sandbox.stats.reset()

    batch = prepare_documents(df, module, match_columns(list(df.columns), module),
                              resolver=LookupResolver(client))

    assert batch.errors == [] and sandbox.stats.total == 0
    assert batch.items[0].payload == {
        "customer_id": customer, "invoice_number": "INV-9",
        "line_items": [{"item_id": item, "quantity": 1.0}, {"item_id": item, "quantity": 2.0}]}


@pytest.mark.parametrize("module_name, party, party_column, extra", [
    ("invoices", "customer", "Customer Name", {}),
    ("bills", "vendor", "Vendor Name", {}),
    ("estimates", "customer", "Customer Name", {}),
    ("salesorders", "customer", "Customer Name", {}),
    ("purchaseorders", "vendor", "Vendor Name", {}),
    ("creditnotes", "customer", "Customer Name", {"Date": "2024-05-01"}),
])
def test_each_module_creates_and_upserts_a_document_whose_bodies_match_zohos_schemas(
        sandbox, module_name, party, party_column, extra):
    sandbox.add_custom_field(load_module(module_name).custom_field_entity, "Order Ref", is_unique=True)
    client = client_for(sandbox)
    module = load_fields(client, module_name)
    client.create("contacts", {"contact_name": "Party", "contact_type": party})
    client.create("items", {"name": "Widget", "rate": 10})
    number = module.field(module.number_field).label
    columns = {number: ["N-1", "N-1"], party_column: ["Party", "Party"], "Item Name": ["Widget", "Widget"],
               "Quantity": ["2", "1"], "Tax Name": ["VAT", ""], **{k: [v, v] for k, v in extra.items()}}
    created = prepare_documents(frame(columns), module, match_columns(list(columns), module),
                                mode="create", resolver=LookupResolver(client))
    keyed = {"Order Ref": ["K-1", "K-1"], **columns, number: ["N-2", "N-2"], "Quantity": ["5", "1"]}
    upserted = prepare_documents(frame(keyed), module, match_columns(list(keyed), module),
                                 key_field="Order Ref", mode="upsert", resolver=LookupResolver(client))

    assert created.errors == [] and upserted.errors == []
    first = send(client, module, created, mode="create", key=None)
    second = send(client, module, upserted)
    again = send(client, module, upserted, replace=True)

    assert [o.status for o in (*first.values(), *second.values(), *again.values())] == \
        ["created", "created", "updated"]
    records = sandbox.records(module_name)
    assert sorted(r["total"] for r in records) == [34.0, 70.0]
    writes = [(m, q, b) for m, p, q, h, b in sandbox.stats.requests if p.endswith("/" + module_name) and m != "GET"]
    bodies = [(m, b) for m, _, b in writes]
    # a new document with its own number, known absent, is created by POST where only the
    # create documents ignore_auto_number_generation (every module here but bills)
    own_number = "create" in module.ignore_auto_number_kinds
    assert [m for m, _ in bodies] == ["POST", "POST" if own_number else "PUT", "PUT"]
    if own_number:
        assert writes[1][1].get("ignore_auto_number_generation") == "true"
    for method, body in bodies:
        schema = module.create_schema if method == "POST" else module.update_schema
        if module_name == "creditnotes":
            # credit-notes.yml types custom_fields entries as strings, unlike its own
            # attribute docs and every other module; the entries bulkio sends are objects
            body = {k: v for k, v in body.items() if k != "custom_fields"}
        validator(module.openapi, schema).validate(body)


def plan_for(module, df):
    return match_columns(list(df.columns), module)


def test_a_document_whose_rows_are_apart_is_reported_and_not_sent():
    module = load_module("invoices")
    df = frame({"Invoice Number": ["A", "B", "A"], "Customer ID": ["1", "2", "1"],
                "Item ID": ["7", "7", "8"]})
    batch = prepare_documents(df, module, plan_for(module, df))
    assert batch.groups == {2: [2], 3: [3], 4: [4]}
    assert [(e.row, e.message) for e in batch.errors] == [
        (2, '"Invoice Number" value "A" is also on row 4; the rows of one document must be next to each other'),
        (4, '"Invoice Number" value "A" is also on row 2; the rows of one document must be next to each other')]
    assert [i.row for i in batch.items] == [3]   # A's first part alone would lack a line


def test_json_cells_that_are_not_line_arrays_and_lines_without_items_are_errors():
    module = load_module("invoices")
    df = frame({"Customer ID": ["1", "1", "1", "1"],
                "line_items": ['[{"item_id": "7"', '{"item_id": "7"}', '[{"quantity": 2}]',
                               '[{"item_id": "7", "Qty": "two"}]']})
    batch = prepare_documents(df, module, plan_for(module, df))
    assert [(e.row, e.code, e.message) for e in batch.errors] == [
        (2, "E_JSON", '"line_items" must be a JSON array of line items such as [{"item_id": '
                      '"4600000012", "quantity": 2}]; it is not valid JSON (Expecting \',\' '
                      "delimiter: line 1 column 17 (char 16))"),
        (3, "E_JSON", '"line_items" must be a JSON array of line items such as [{"item_id": '
                      '"4600000012", "quantity": 2}]; it holds a JSON dict, not an array'),
        (4, "E_REQUIRED", 'line 1: "Item Name" is required'),
        (5, "E_TYPE", 'line 1: "Qty" must be a number such as 12.50; got "two"'),
    ]
    assert batch.items == [] and batch.validation.invalid_rows == {2, 3, 4, 5}


def test_a_create_without_lines_is_an_error_but_an_update_may_leave_lines_alone():
    module = load_module("invoices").with_custom_fields(
        [{"field_id": 5, "label": "Order Ref", "data_type": "string", "is_unique": True}])
    df = frame({"Order Ref": ["K"], "Customer ID": ["1"], "Reference Number": ["PO-1"]})
    created = prepare_documents(df, module, plan_for(module, df), mode="create")
    updated = prepare_documents(df, module, plan_for(module, df), key_field="Order Ref", mode="update")
    assert [e.message for e in created.errors] == [
        'the document has no line items; fill "Item Name" and "Quantity" on its rows, or give its '
        "lines as a JSON array in a line_items column"]
    assert updated.errors == [] and "line_items" not in updated.items[0].payload


def test_line_payloads_follow_the_schemas_number_types():
    po, invoices = load_module("purchaseorders"), load_module("invoices")
    df = frame({"Vendor ID": ["1"], "Item ID": ["7"], "Qty": ["2"], "Rate": ["3.50"]})
    lines = frame({"Invoice Number": ["I-1", "I-1"], "Customer ID": ["1", "1"], "Item ID": ["7", "8"],
                   "Qty": ["2.5", "1"], "Item Discount": ["5", "10%"]})
    assert prepare_documents(df, po, plan_for(po, df)).items[0].payload["line_items"] == [
        {"item_id": "7", "quantity": "2", "rate": 3.5}]
    assert prepare_documents(lines, invoices, plan_for(invoices, lines)).items[0].payload["line_items"] == [
        {"item_id": "7", "quantity": 2.5, "discount": 5}, {"item_id": "8", "quantity": 1, "discount": "10%"}]


def test_changed_fields_compares_lines_in_order_ignoring_what_zoho_adds():
    from bulkio.prepare.mapper import changed_fields

    module = load_module("invoices")
    sent = {"customer_id": "1", "line_items": [{"item_id": "7", "quantity": 2, "rate": 10.0},
                                               {"item_id": "8", "quantity": 1}]}
    stored = {"customer_id": "1", "line_items": [
        {"line_item_id": "91", "item_id": "7", "quantity": 2.0, "rate": "10.00", "item_total": 20.0},
        {"line_item_id": "92", "item_id": "8", "quantity": 1, "rate": 4, "name": "Gadget"}]}
    assert changed_fields(module, sent, stored) == {}
    swapped = {**stored, "line_items": stored["line_items"][::-1]}
    assert "line_items" in changed_fields(module, sent, swapped)
    fewer = {**stored, "line_items": stored["line_items"][:1]}
    assert "line_items" in changed_fields(module, sent, fewer)
    more = {**sent, "line_items": [{**sent["line_items"][0], "quantity": 3}, sent["line_items"][1]]}
    assert "line_items" in changed_fields(module, more, stored)


def test_a_tax_name_not_in_zohos_taxes_list_says_to_give_the_groups_id(invoice_org, tmp_path):
    """Tax names resolve through GET /settings/taxes, which lists simple and compound taxes only
    (taxes.yml); a tax group's name is found in no list, so the row is told to give its id."""
    sandbox, client, module = invoice_org
    rows = [["T-1", "Globex", "2024-05-01", "Widget", 1, None, "GST+PST"],
            ["T-2", "Globex", "2024-05-01", "Widget", 1, None, "vat"]]
    batch = prepare(client, module, write_xlsx(tmp_path / "tax.xlsx", HEADERS, rows))
    outcomes = send(client, module, batch)

    assert [(e.row, e.code, e.message) for e in batch.errors] == [
        (2, "E_LOOKUP", '"Tax Name" value "GST+PST" matches no tax in Zoho\'s list of taxes; '
                        'Zoho has "Sales Tax", "VAT", "Reduced Rate"; if it is a tax group, put '
                        'the group\'s id in the "Item Tax ID" column instead')]
    assert {row: o.status for row, o in outcomes.items()} == {3: "created"}
    assert [line["tax_name"] for line in by_ref(sandbox)["T-2"]["line_items"]] == ["VAT"]
