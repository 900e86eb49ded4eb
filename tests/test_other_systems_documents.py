"""Other systems' documents: documents with line items as a bookkeeper brings them from another system (Xero,
QuickBooks Online, a hand-made sales order sheet), imported through the CLI into a sandbox
seeded with the samples' items and contacts. Each test pins a fix: a foreign heading that
matched nothing, a split invoice sent with half its lines, a "Discount %" of 10 taken off as
10.00, a tax that another system spells differently with no hint of what Zoho has."""

from __future__ import annotations

from e2e_support import FAST, csv_text, invoke, outcomes, read_table
from sandbox_clients import client_for

from bulkio.prepare.lookups import LookupResolver


def _import(samples_env, path, module, *extra):
    report = path.with_suffix(".report.csv")
    result = invoke(samples_env, "import", path, "-m", module, "--rate", FAST, "--report", report, *extra)
    return result, report


def _line_total(line: dict) -> float:
    gross = line["rate"] * line["quantity"]
    discount = line.get("discount") or 0
    if isinstance(discount, str) and discount.endswith("%"):
        discount = gross * float(discount[:-1]) / 100
    net = round(gross - float(discount), 2)
    return net + round(net * float(line.get("tax_percentage") or 0) / 100, 2)


def _by_number(sandbox, module: str, field: str) -> dict[str, dict]:
    return {r[field]: r for r in sandbox.records(module)}


def test_a_xero_invoice_export_matches_its_own_headings(sandbox, samples_env, tmp_path):
    # *ContactName, InventoryItemCode and *UnitAmount used to match nothing: every invoice came
    # back "Customer ID is required" and lines went without their item and price
    path = tmp_path / "SalesInvoices.csv"
    path.write_text(csv_text(
        ["*ContactName", "EmailAddress", "POCity", "*InvoiceNumber", "Reference", "*InvoiceDate",
         "*DueDate", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "*AccountCode",
         "*TaxType", "Currency"],
        [["Brightside Dental", "maya@example.com", "Leeds", "INV-0101", "PO-4471", "15/03/2024",
          "14/04/2024", "000101", "Electric frame", "2", "349.00", "200", "VAT", "GBP"],
         ["Brightside Dental", "maya@example.com", "Leeds", "INV-0101", "PO-4471", "15/03/2024",
          "14/04/2024", "000231", "Steel tray", "4", "24.50", "200", "VAT", "GBP"],
         ["Northwind Architects", "jonas@example.com", "Manchester", "INV-0102", "", "18/03/2024",
          "01/04/2024", "002001", "Assembly", "6", "95.00", "200", "", "GBP"]]))
    mapping = tmp_path / "xero.toml"
    mapping.write_text('ignore = ["EmailAddress", "POCity", "AccountCode", "Currency"]\n'
                       '[columns]\n"*TaxType" = "Tax Name"\n'
                       '[options]\ndate_format = "DD/MM/YYYY"\n')

    result, report = _import(samples_env, path, "invoices", "--mapping", mapping)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    invoices = _by_number(sandbox, "invoices", "invoice_number")
    first, second = invoices["INV-0101"], invoices["INV-0102"]
    assert (first["customer_name"], first["date"], first["due_date"], first["reference_number"]) == (
        "Brightside Dental", "2024-03-15", "2024-04-14", "PO-4471")
    assert [(ln["sku"], ln["quantity"], ln["rate"], ln.get("tax_name")) for ln in first["line_items"]] == [
        ("000101", 2, 349, "VAT"), ("000231", 4, 24.5, "VAT")]
    assert first["total"] == round((2 * 349 + 4 * 24.5) * 1.2, 2) == 955.2
    assert second["total"] == 570 and second["customer_name"] == "Northwind Architects"

    again, _ = _import(samples_env, path, "invoices", "--mapping", mapping)
    assert again.exit_code == 0 and "0 left to send" in again.output
    assert len(sandbox.records("invoices")) == 2


def test_a_quickbooks_invoice_export_with_a_misspelt_customer(sandbox, samples_env, tmp_path):
    # "Product/Service" matched nothing: its lines went to Zoho as bare descriptions, and the
    # line without a description was reported as '"Description" is required'
    path = tmp_path / "Invoices.csv"
    path.write_text(csv_text(
        ["Invoice No", "Customer", "Invoice Date", "Due Date", "Product/Service", "Description",
         "Qty", "Rate", "Amount", "Tax"],
        [["1001", "Greenleaf Accounting", "03/12/2024", "04/11/2024", "IT Support Hour",
          "Remote support", "12", "85.00", "1,020.00", "Sales Tax"],
         ["1001", "Greenleaf Accounting", "03/12/2024", "04/11/2024", "Data Migration", "", "2",
          "110.00", "220.00", ""],
         ["1002", "Greenleaf Accountng", "03/15/2024", "04/14/2024", "Webcam 4K", "", "2",
          "149.00", "298.00", ""],
         ["1003", "Summit Legal", "03/16/2024", "04/15/2024", "Network Audit", "", "1",
          "1,200.00", "1,200.00", ""],
         ["1003", "Summit Legal", "03/16/2024", "04/15/2024", "", "", "3", "10.00", "30.00", ""]]))

    result, report = _import(samples_env, path, "invoices", "--date-format", "MM/DD/YYYY")

    assert result.exit_code == 1
    assert result.stderr == ('Warning: 1 column(s) match no field of invoices and are left out: '
                             '"Amount" (list them under ignore in a --mapping file to silence this)\n')
    assert outcomes(report)[1:] == [
        (4, "invalid", "E_LOOKUP", '"Customer" value "Greenleaf Accountng" matches no customer; '
                                   'did you mean "Greenleaf Accounting", "Greenleaf Accounting Inc."?'),
        (5, "invalid", "E_REQUIRED", 'row 6: "Product/Service" is required')]
    [invoice] = sandbox.records("invoices")
    assert [(ln["name"], ln["quantity"], ln["rate"]) for ln in invoice["line_items"]] == [
        ("IT Support Hour", 12, 85), ("Data Migration", 2, 110)]
    assert invoice["total"] == 12 * 85 * 1.1 + 2 * 110 == 1342
    assert sandbox.stats.writes == 1


def test_xero_bill_headings_and_account_codes(sandbox, samples_env, tmp_path):
    # a bill is the vendor's invoice: Xero's bill export says *InvoiceNumber / *InvoiceDate,
    # and names accounts by code
    path = tmp_path / "Bills.csv"
    path.write_text(csv_text(
        ["*ContactName", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "InventoryItemCode",
         "*Description", "*Quantity", "*UnitAmount", "*AccountCode"],
        [["Ergo Furniture Wholesale", "EF-7781", "2024-03-02", "2024-04-01", "000230", "Restock",
          "10", "287.75", "5000"],
         ["Ergo Furniture Wholesale", "EF-7781", "2024-03-02", "2024-04-01", "", "Freight", "1",
          "40", "6100"]]))

    result, report = _import(samples_env, path, "bills")

    assert result.exit_code == 0, result.output
    [bill] = sandbox.records("bills")
    chart = LookupResolver(client_for(sandbox)).records("chartofaccounts")
    accounts = {a["account_code"]: a["account_id"] for a in chart}
    assert (bill["vendor_name"], bill["bill_number"], bill["date"]) == (
        "Ergo Furniture Wholesale", "EF-7781", "2024-03-02")
    assert [(ln.get("sku"), ln["account_id"]) for ln in bill["line_items"]] == [
        ("000230", accounts["5000"]), (None, accounts["6100"])]
    assert bill["total"] == 10 * 287.75 + 40


def test_invoice_rows_apart_send_neither_part(sandbox, samples_env, tmp_path):
    # before, S-1 and S-2 were created from their first rows only, with half their lines
    path = tmp_path / "invoices.csv"
    path.write_text(csv_text(
        ["Invoice Number", "Customer Name", "Invoice Date", "Item Name", "Quantity"],
        [["S-1", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
         ["S-2", "Riverside Clinic", "2024-06-01", "Headset ANC", "1"],
         ["S-1", "Summit Legal", "2024-06-01", "Headset ANC", "2"],
         ["S-2", "Riverside Clinic", "2024-06-01", "Webcam 4K", "3"],
         ["S-3", "Riverside Clinic", "2024-06-02", "Webcam 4K", "3"]]))

    result, report = _import(samples_env, path, "invoices")

    apart = '"Invoice Number" value "{}" is also on row {}; the rows of one document must be next to each other'
    assert result.exit_code == 1
    assert outcomes(report)[:4] == [
        (2, "invalid", "E_SPLIT_DOCUMENT", apart.format("S-1", 4)),
        (3, "invalid", "E_SPLIT_DOCUMENT", apart.format("S-2", 5)),
        (4, "invalid", "E_SPLIT_DOCUMENT", apart.format("S-1", 2)),
        (5, "invalid", "E_SPLIT_DOCUMENT", apart.format("S-2", 3))]
    assert [r["invoice_number"] for r in sandbox.records("invoices")] == ["S-3"]
    errors = read_table(report.with_name("invoices.report.errors.csv"))
    assert [r["Invoice Number"] for r in errors] == ["S-1", "S-2", "S-1", "S-2"]


def test_sales_order_discounts_in_percent_and_tax_percentages(sandbox, samples_env, tmp_path):
    # a bare 10 under "Discount %" used to be sent as an amount (10.00 off, not 10 %)
    path = tmp_path / "orders.csv"
    path.write_text(csv_text(
        ["Sales Order Number", "Customer Name", "Order Date", "Item Name", "Qty", "Rate",
         "Discount %", "Tax %"],
        [["SO-100", "Harbour Logistics", "2024-07-01", "USB-C Dock 12-in-1", "3", "219.00", "10%", "20%"],
         ["SO-100", "Harbour Logistics", "2024-07-01", "Keyboard Wireless", "3", "79.00", "10", "10"],
         ["SO-100", "Harbour Logistics", "2024-07-01", "Mouse Vertical", "3", "49.00", "", "0"],
         ["SO-101", "Mendes Consulting", "2024-07-02", "Network Audit", "1", "1200", "12.5 %", "5 %"],
         ["SO-102", "Mendes Consulting", "2024-07-03", "Data Migration", "1", "110", "", "7%"]]))

    result, report = _import(samples_env, path, "salesorders")

    assert result.exit_code == 1
    assert outcomes(report)[2:] == [(6, "invalid", "E_LOOKUP", (
        '"Tax %" value "7%" matches no tax; Zoho has 10%, 20%, 5%; check the spelling, or create '
        "the tax in Zoho first"))]
    orders = _by_number(sandbox, "salesorders", "salesorder_number")
    assert sorted(orders) == ["SO-100", "SO-101"]
    lines = orders["SO-100"]["line_items"]
    assert [(ln.get("discount"), ln["tax_percentage"]) for ln in lines] == [
        ("10%", 20), ("10%", 10), (None, 0)]
    for order in orders.values():
        assert order["total"] == round(sum(_line_total(ln) for ln in order["line_items"]), 2)
    assert orders["SO-100"]["total"] == round(591.3 * 1.2 + 213.3 * 1.1 + 147, 2)
    assert orders["SO-101"]["total"] == 1050 * 1.05


def test_a_tax_from_another_system_lists_the_taxes_zoho_has(sandbox, samples_env, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(csv_text(["Invoice Number", "Customer Name", "Item Name", "Quantity", "Tax"],
                             [["X-1", "Quantum Labs", "Webcam 4K", "1", "20% (VAT on Income)"]]))
    result, report = _import(samples_env, path, "invoices")
    assert result.exit_code == 1
    assert outcomes(report) == [(2, "invalid", "E_LOOKUP", (
        '"Tax" value "20% (VAT on Income)" matches no tax in Zoho\'s list of taxes; Zoho has '
        '"Sales Tax", "VAT", "Reduced Rate"; if it is a tax group, put the group\'s id in the '
        '"Item Tax ID" column instead'))]
    assert sandbox.stats.writes == 0


def test_every_problem_is_named_by_row_and_column_and_bad_documents_are_not_sent(
        sandbox, samples_env, tmp_path):
    for sku in ("GC-50", "GC-50B"):
        assert invoke(samples_env, "import", _items_file(tmp_path, sku), "-m", "items", "--rate", FAST,
                      "--report", tmp_path / f"{sku}.report.csv").exit_code == 0
    sandbox.stats.reset()
    path = tmp_path / "legacy.csv"
    path.write_text(csv_text(
        ["Legacy Number", "Customer Name", "Invoice Date", "Item Name", "SKU", "Quantity", "Rate"],
        [["P-1", "Brightside Dental", "2024-05-01", "Standing Desk Frame", "", "1", ""],
         ["P-1", "Brightside Dental", "2024-05-01", "Cable Tray", "", "2", "20"],
         ["P-2", "Brightsde Dentl", "2024-05-02", "Cable Tray", "", "1", ""],
         ["P-3", "Northwind Architects", "2024-05-03", "", "GC-50", "1", ""],
         ["P-4", "Café Lumière", "2024-05-04", "Webcam 4K", "", "1", ""],
         ["P-4", "Café Lumière", "2024-05-05", "Headset ANC", "", "1", ""],
         ["P-5", "Studio Nørd", "2024-05-06", "Webcam 4K", "", "1", ""],
         ["P-5", "", "2024-13-45", "Headset ANC", "", "1", ""],
         ["P-6", "Quantum Labs", "2024-05-07", "Webcam 4K", "", "1", ""],
         ["P-6", "Quantum Labs", "", "", "", "2", "15.00"]]))

    result, report = _import(samples_env, path, "invoices", "-k", "Legacy Number")

    assert result.exit_code == 1
    ids = sorted(r["item_id"] for r in sandbox.records("items") if r["sku"].startswith("GC-50"))
    assert outcomes(report) == [
        (2, "created", "", ""),
        (4, "invalid", "E_LOOKUP", '"Customer Name" value "Brightsde Dentl" matches no customer; '
                                   'did you mean "Brightside Dental", "Brightside Dental Ltd"?'),
        (5, "invalid", "E_LOOKUP", f'"SKU" value "GC-50" matches 2 items (ids {", ".join(ids)}); '
                                   'rename them in Zoho or give the id in "Item ID" instead'),
        (6, "invalid", "E_HEADER_MISMATCH", (
            '"Invoice Date" is "2024-05-05" on row 7 but "2024-05-04" on row 6, the document\'s '
            "first row; its header columns must be the same on every row (or left empty)")),
        (8, "invalid", "E_HEADER_MISMATCH", (
            '"Invoice Date" is "2024-13-45" on row 9 but "2024-05-06" on row 8, the document\'s '
            "first row; its header columns must be the same on every row (or left empty)")),
        (10, "invalid", "E_REQUIRED", 'row 11: "Item Name" is required')]
    assert sandbox.stats.writes == 1
    [invoice] = sandbox.records("invoices")
    assert invoice["total"] == 349 + 2 * 20

    # the same file again, P-1 fixed to 3 trays: refused without the flag, then replaced
    path.write_text(path.read_text().replace("Cable Tray,,2,20", "Cable Tray,,3,20"))
    refused, report = _import(samples_env, path, "invoices", "-k", "Legacy Number")
    assert outcomes(report)[0] == (2, "failed", "E_LINE_ITEMS", (
        'Invoice "P-1" already exists in Zoho, and updating it would change its line 2 (Zoho '
        "holds Cable Tray, quantity 2, rate 20; the file gives quantity 3, rate 20) "
        "(Zoho replaces a document's lines with the lines an update sends); nothing was sent. "
        "Run again with --replace-line-items to make its lines exactly the spreadsheet's"))
    assert sandbox.stats.writes == 1
    replaced, report = _import(samples_env, path, "invoices", "-k", "Legacy Number", "--replace-line-items")
    assert outcomes(report)[0][:2] == (2, "updated")
    [invoice] = sandbox.records("invoices")
    assert invoice["total"] == 349 + 3 * 20 and len(invoice["line_items"]) == 2


def _items_file(tmp_path, sku):
    path = tmp_path / f"{sku}.csv"
    path.write_text(csv_text(["Item Name", "SKU", "Rate"], [[f"Gift Card {sku}", "GC-50", "50"]]))
    return path
