"""Other systems' exports: spreadsheets exported from other systems (Shopify, WooCommerce, QuickBooks, Xero) and the
way people save them (title rows, merged group headings, a totals row), imported through the CLI
into the sandbox. Each test pins a fix: what the user saw before was a wrong match, a vague
"required" on every row, or a record that should never have been created."""

from __future__ import annotations

from e2e_support import FAST, csv_text, invoke, outcomes, sandbox_env
from openpyxl import Workbook, load_workbook


def _import(env, path, module, *extra):
    return invoke(env, "import", path, "-m", module, "--rate", FAST, *extra)


def test_shopify_headings_match_and_type_is_not_product_type(sandbox, tmp_path):
    # Shopify's "Type" is a product category ("Shirts"), never goods/service
    path = tmp_path / "products_export.csv"
    path.write_text(csv_text(
        ["Handle", "Title", "Type", "Variant SKU", "Variant Price", "Cost per item", "Variant Taxable"],
        [["tee", "Classic Tee", "Shirts", "TEE-S", "19.99", "7.50", "TRUE"]]))
    result = _import(sandbox_env(sandbox, tmp_path), path, "items")
    assert result.exit_code == 0, result.output
    [item] = sandbox.records("items")
    assert (item["name"], item["sku"], item["rate"], item["purchase_rate"], item["is_taxable"]) == (
        "Classic Tee", "TEE-S", 19.99, 7.5, True)
    assert '"Type"' in result.stderr


def test_woocommerce_sale_price_is_not_the_selling_price(sandbox, tmp_path):
    path = tmp_path / "wc-product-export.csv"
    path.write_text(csv_text(["ID", "SKU", "Name", "Regular price", "Sale price"],
                             [["101", "WOO-1", "Linen Apron", "24.00", "19.50"]]))
    result = _import(sandbox_env(sandbox, tmp_path), path, "items")
    assert result.exit_code == 0, result.output
    assert [(i["name"], i["sku"], i["rate"]) for i in sandbox.records("items")] == [
        ("Linen Apron", "WOO-1", 24)]


def test_quickbooks_item_list_headings(sandbox, tmp_path):
    path = tmp_path / "ProductServiceList.csv"
    path.write_text(csv_text(
        ["Product/Service Name", "SKU", "Type", "Sales Description", "Sales Price/Rate", "Purchase Cost"],
        [["Widget Blue", "WB-1", "Inventory", "Blue widget", "$1,250.00", "$600.50"]]))
    result = _import(sandbox_env(sandbox, tmp_path), path, "items")
    assert result.exit_code == 0, result.output
    [item] = sandbox.records("items")
    assert (item["name"], item["description"], item["rate"], item["purchase_rate"]) == (
        "Widget Blue", "Blue widget", 1250, 600.5)


def test_xero_contacts_required_star_and_postal_address(sandbox, tmp_path):
    path = tmp_path / "Contacts.csv"
    path.write_text(csv_text(
        ["*ContactName", "EmailAddress", "FirstName", "POAddressLine1", "POCity", "POPostalCode",
         "POCountry", "SACity"],
        [["Bayside Club", "bob@bayside.co", "Bob", "148 Bay Harbour Road", "Ridge Heights",
          "3000", "Australia", "Melbourne"]]))
    result = _import(sandbox_env(sandbox, tmp_path), path, "contacts")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    [contact] = sandbox.records("contacts")
    assert contact["contact_name"] == "Bayside Club"
    assert contact["billing_address"] == {"address": "148 Bay Harbour Road", "city": "Ridge Heights",
                                          "zip": "3000", "country": "Australia"}
    assert contact["shipping_address"] == {"city": "Melbourne"}
    assert contact["contact_persons"][0]["email"] == "bob@bayside.co"


def test_title_rows_above_the_headings_are_named(sandbox, tmp_path):
    path = tmp_path / "qbo.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in (["Craig's Design and Landscaping"], ["Product/Service List"], [],
                ["Item Name", "SKU", "Selling Price"], ["Rocks", "RK", "12"]):
        ws.append(row)
    wb.save(path)
    result = invoke(sandbox_env(sandbox, tmp_path), "validate", path, "-m", "items")
    assert result.exit_code == 2
    assert result.stderr == (
        'Error: Row 4 looks like the column headings ("Item Name", "SKU", "Selling Price"), but '
        "bulkio reads the headings from row 1. Delete rows 1 to 3 so the headings are on row 1, "
        "then run again.\n")


def test_merged_group_heading_above_the_headings(sandbox, tmp_path):
    path = tmp_path / "merged.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Item", None, "Prices", None])
    ws.append(["Item Name", "SKU", "Selling Price", "Purchase Price"])
    ws.append(["Bolt", "B-1", "0.10", "0.05"])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:D1")
    wb.save(path)
    result = _import(sandbox_env(sandbox, tmp_path), path, "items")
    assert result.exit_code == 2
    assert "Row 2 looks like the column headings" in result.stderr
    assert "Delete row 1 so the headings are on row 1" in result.stderr
    assert sandbox.records("items") == []


def test_no_heading_names_a_field(sandbox, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(csv_text(["Thing", "Cost Each"], [["Bolt", "3"], ["Nut", "4"]]))
    result = invoke(sandbox_env(sandbox, tmp_path), "validate", path, "-m", "items")
    assert result.exit_code == 2
    assert result.stderr == (
        'Error: None of the column headings on row 1 ("Thing", "Cost Each") names a field of items. '
        "bulkio reads the headings from row 1: delete any title rows above them, or map your "
        "columns to fields in a --mapping file (bulkio fields -m items lists the fields).\n")


def test_totals_row_is_refused_not_imported(sandbox, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(csv_text(["Item Name", "Selling Price"],
                             [["Bolt", "1.50"], ["Nut", "0.50"], ["TOTAL", "2.00"]]))
    report = tmp_path / "list.report.csv"
    result = _import(sandbox_env(sandbox, tmp_path), path, "items", "--report", report)
    assert result.exit_code == 1
    assert sorted(i["name"] for i in sandbox.records("items")) == ["Bolt", "Nut"]
    assert outcomes(report)[2] == (
        4, "invalid", "E_TOTAL_ROW", '"Item Name" is "TOTAL": this looks like a totals row, not a '
        "record; delete the row (or rename the record if it really is called that)")


def test_required_field_no_column_feeds_is_said_once(sandbox, tmp_path):
    path = tmp_path / "unfed.csv"
    path.write_text(csv_text(["Item Name", "SKU"], [["Bolt", "B1"], ["Nut", "N1"]]))
    result = invoke(sandbox_env(sandbox, tmp_path), "validate", path, "-m", "items")
    assert result.exit_code == 1
    assert result.stderr.count("No column feeds") == 1
    assert ('Warning: No column feeds rate (Selling Price), which every row must give; add a '
            '"Selling Price" column, or map one of yours to it in a --mapping file '
            "(bulkio fields -m items lists the fields)\n") in result.stderr


def test_journal_of_another_organisation_is_not_trusted(sandbox_factory, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(csv_text(["Item Name", "Selling Price"], [["Bolt", "1.50"]]))
    first, second = sandbox_factory(), sandbox_factory()
    assert _import(sandbox_env(first, tmp_path), path, "items").exit_code == 0
    result = _import(sandbox_env(second, tmp_path), path, "items")
    # before: "Rows: 1 (1 created)" with nothing sent to the second organisation
    assert result.exit_code == 2
    assert "belongs to another import" in result.stderr and "--no-resume" in result.stderr
    assert _import(sandbox_env(second, tmp_path), path, "items", "--no-resume").exit_code == 0
    assert [i["name"] for i in second.records("items")] == ["Bolt"]


def test_report_summary_counts_rows_once(sandbox, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(csv_text(["Item Name", "Selling Price"], [["Bolt", "1.50"], ["Nut", "x"]]))
    _import(sandbox_env(sandbox, tmp_path), path, "items")
    summary = load_workbook(tmp_path / "items.report.xlsx")["Summary"]
    items = [row[0] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert items.count("rows") == 1
    assert [i for i in items if "created" in i or "invalid" in i] == ["status: created", "status: invalid"]
