"""Export against the sandbox: what `export` writes, `import --skip-unchanged` reads back as
unchanged with zero write calls, in XLSX and CSV; formulas stay inert; filters and columns."""

from __future__ import annotations

import csv
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from click.testing import CliRunner
from client_double import ClientDouble
from sandbox_clients import client_for

from bulkio.catalogue import load_module
from bulkio.catalogue.fields import load_fields
from bulkio.cli import cli
from bulkio.errors import ConfigError
from bulkio.exporting import export_columns, export_module, filter_params
from bulkio.importing import run_import
from bulkio.preparing import ImportOptions
from bulkio.readers import read_table

FORMULA = '=HYPERLINK("http://x","y")'


def add_item_fields(sandbox) -> None:
    sandbox.add_custom_field("item", "External ID", is_unique=True)
    sandbox.add_custom_field("item", "Category", data_type="dropdown", values=["Hardware", "Software", "Services"])
    sandbox.add_custom_field("item", "Launch Date", data_type="date")
    sandbox.add_custom_field("item", "Stock Units", data_type="number")
    sandbox.add_custom_field("item", "Margin", data_type="decimal")
    sandbox.add_custom_field("item", "Discontinued", data_type="check_box")


def item_payload(module, n: int) -> dict:
    cf = {f.label: int(f.customfield_id) for f in module.custom_fields}
    values = {"External ID": f"EXT-{n:05d}", "Category": ("Hardware", "Software", "Services")[n % 3],
              "Launch Date": (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat(),
              "Stock Units": n * 7, "Margin": -12.5 if n % 5 == 0 else n / 4, "Discontinued": n % 2 == 0}
    return {
        "name": FORMULA if n == 0 else f"Item {n:04d}",
        "sku": f"{n:06d}",
        "rate": round(9.99 + n * 1.25, 2),
        "purchase_rate": n,
        "description": "-leading dash, not a formula" if n % 7 == 0 else f"Line one\nline two {n}",
        "product_type": "service" if n % 4 == 0 else "goods",
        "is_taxable": n % 3 == 0,
        "custom_fields": [{"customfield_id": cf[label], "value": v} for label, v in values.items()],
    }


def stock(sandbox, count: int):
    """Six custom fields and `count` items in the sandbox; (client, module)."""
    add_item_fields(sandbox)
    client = client_for(sandbox)
    module = load_fields(client, "items")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: client.create(module, item_payload(module, n)), range(count)))
    return client, module


@pytest.fixture
def items450(sandbox):
    return stock(sandbox, 450)


@pytest.fixture
def items8(sandbox):
    return stock(sandbox, 8)


def reimport(path, client, module, tmp_path):
    opts = ImportOptions(path=path, module="items", key="External ID", skip_unchanged=True,
                         report=tmp_path / f"{path.name}.report.csv", journal=tmp_path / f"{path.name}.j.sqlite")
    return run_import(opts, client, module)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_export_imports_back_unchanged_with_zero_writes(items450, sandbox, tmp_path, suffix):
    client, module = items450
    path = tmp_path / f"items{suffix}"

    result = export_module(client, module, path)

    # three pages of 200, and the items in full 50 at a time (the list rows lack columns)
    assert (result.rows, result.calls) == (450, 3 + 9)
    table = read_table(path)
    assert len(table) == 450
    for label in ("External ID", "Category", "Launch Date", "Stock Units", "Margin", "Discontinued", "Item ID"):
        assert label in table.columns
    writes_before = sandbox.stats.writes
    outcome = reimport(path, client, module, tmp_path)
    assert outcome.counts == {"unchanged": 450}
    assert sandbox.stats.writes == writes_before


def test_xlsx_cells_are_typed_and_the_sheet_is_dressed(items8, tmp_path):
    client, module = items8
    path = tmp_path / "items.xlsx"
    export_module(client, module, path)

    sheet = openpyxl.load_workbook(path)["Items"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[3], strict=False)}  # item 1
    assert row["SKU"].value == "000001" and row["SKU"].data_type == "s"
    assert row["Selling Price"].value == 11.24 and row["Selling Price"].data_type == "n"
    assert row["Launch Date"].is_date and row["Launch Date"].value.date() == dt.date(2024, 1, 2)
    assert row["Stock Units"].value == 7
    assert row["Discontinued"].value is False and row["Taxable"].value is False
    assert row["Item ID"].data_type == "s"  # ids are text: 16 digits would lose precision as numbers
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}9"
    assert all(c.font.b for c in sheet[1])
    assert 8 <= sheet.column_dimensions["C"].width <= 50


def test_negative_numbers_stay_numbers_in_both_formats(items8, tmp_path):
    client, module = items8
    export_module(client, module, tmp_path / "items.xlsx")
    export_module(client, module, tmp_path / "items.csv")

    sheet = openpyxl.load_workbook(tmp_path / "items.xlsx")["Items"]
    column = [c.value for c in sheet[1]].index("Margin")
    assert sheet.cell(2, column + 1).value == -12.5
    with open(tmp_path / "items.csv", encoding="utf-8-sig", newline="") as handle:
        first = next(r for r in csv.DictReader(handle) if r["External ID"] == "EXT-00000")
    assert first["Margin"] == "-12.5"
    assert first["Sales Description"] == "'-leading dash, not a formula"


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_a_formula_is_inert_in_both_formats_and_goes_back_in_unchanged(sandbox, tmp_path):
    client, module = stock(sandbox, 3)

    export_module(client, module, tmp_path / "items.xlsx")
    export_module(client, module, tmp_path / "items.csv")

    cell = openpyxl.load_workbook(tmp_path / "items.xlsx")["Items"]["C2"]
    assert (cell.value, cell.data_type) == (FORMULA, "s")
    with open(tmp_path / "items.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][2] == "'" + FORMULA
    for name in ("items.xlsx", "items.csv"):
        writes = sandbox.stats.writes
        assert reimport(tmp_path / name, client, module, tmp_path).counts == {"unchanged": 3}
        assert sandbox.stats.writes == writes
    # items are created by 8 threads, so which one was stored first is not fixed
    assert [r["name"] for r in sandbox.records("items")].count(FORMULA) == 1


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_an_edited_export_updates_only_the_edited_row(sandbox, tmp_path):
    client, module = stock(sandbox, 4)
    path = tmp_path / "items.xlsx"
    export_module(client, module, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Items"]
    price = [c.value for c in sheet[1]].index("Selling Price") + 1
    assert sheet.cell(3, 3).value == "Item 0001"
    sheet.cell(3, price).value = 99.5
    book.save(path)

    outcome = reimport(path, client, module, tmp_path)

    assert [r.status for r in outcome.rows] == ["unchanged", "updated", "unchanged", "unchanged"]
    assert next(r for r in sandbox.records("items") if r["name"] == "Item 0001")["rate"] == 99.5


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_filters_and_columns_narrow_the_export(sandbox, tmp_path):
    add_item_fields(sandbox)
    client = client_for(sandbox)
    module = load_fields(client, "items")
    for n in range(1, 6):
        client.create(module, item_payload(module, n))

    result = export_module(client, module, tmp_path / "few.csv",
                           filters=["rate_greater_than=14", "name_startswith=Item"],
                           columns="Item Name, rate ,Category")

    assert (result.rows, result.calls) == (2, 1)  # rate = 9.99 + n * 1.25 > 14 for n = 4, 5
    table = read_table(tmp_path / "few.csv")
    assert list(table.columns) == ["Item ID", "External ID", "Item Name", "Selling Price", "Category"]
    assert sorted(table["Item Name"]) == ["Item 0004", "Item 0005"]


def test_filter_names_are_checked_against_the_documented_list_filters():
    items = load_module("items")
    assert filter_params(items, ["name_contains=Desk", "Item Name=Chair", "filter_by=Status.Active"]) == {
        "name_contains": "Desk", "name": "Chair", "filter_by": "Status.Active"}
    with pytest.raises(ConfigError) as bad:
        filter_params(items, ["colour=red"])
    assert str(bad.value).startswith('--filter "colour": Zoho documents no filter "colour" for items; use one of name,')
    with pytest.raises(ConfigError, match='write it as FIELD=VALUE'):
        filter_params(items, ["name"])
    with pytest.raises(ConfigError, match="bulkio pages through every record itself"):
        filter_params(items, ["page=2"])


def test_headers_are_what_the_column_matcher_maps_back():
    from bulkio.prepare.columns import match_columns

    module = load_module("items").with_custom_fields([
        {"field_id": 1, "label": "External ID", "data_type": "string", "is_unique": True},
        {"field_id": 2, "label": "SKU", "data_type": "string"},  # same label as a standard field
    ])
    header, lines = export_columns(module)
    names = [c.header for c in header]
    assert names[:2] == ["Item ID", "External ID"]
    assert "CF.SKU" in names and "SKU" not in names and "Item Code" in names  # the label is ambiguous
    plan = match_columns(names, module)
    assert plan.unknown == [] and plan.warnings == []
    assert plan.fields["CF.SKU"] == ("cf_sku",) and plan.fields["Item Code"] == ("sku",)
    assert set(plan.ignored) == {"Status", "Created Time", "Last Modified Time"}
    assert lines == []


def test_unknown_columns_and_output_types_are_refused(sandbox, tmp_path):
    client = client_for(sandbox)
    with pytest.raises(ConfigError, match='--columns "Colour": items has no such field'):
        export_module(client, "items", tmp_path / "x.xlsx", columns=["Colour"])
    with pytest.raises(ConfigError, match="bulkio exports .xlsx or .csv files"):
        export_module(client, "items", tmp_path / "x.json")


def test_the_export_command_writes_the_file_and_says_so(sandbox, tmp_path, monkeypatch):
    add_item_fields(sandbox)
    client = client_for(sandbox)
    module = load_fields(client, "items")
    for n in range(1, 4):
        client.create(module, item_payload(module, n))
    for line in sandbox.export_lines():
        name, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(name, value.strip("'"))
    out = tmp_path / "items.csv"

    result = CliRunner().invoke(cli, ["export", "-m", "items", "-o", str(out), "--filter", "name_startswith=Item"])

    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 3 records to {out} (2 API calls).\n"
    assert len(read_table(out)) == 3
    bad = CliRunner().invoke(cli, ["export", "-m", "items", "-o", str(out), "--filter", "colour=red"])
    assert bad.exit_code != 0


class DocumentsClient(ClientDouble):
    """Stands in for ZohoClient where the sandbox serves no documents yet: Zoho's list answer
    (no line items) and the one-record answer (with them)."""

    def __init__(self, invoices):
        super().__init__()
        self.invoices = {i["invoice_id"]: i for i in invoices}

    def iter_records(self, module, params=None):
        self.stats.reads += 1
        for invoice in self.invoices.values():
            yield {k: v for k, v in invoice.items() if k != "line_items"}

    def get_record(self, module, record_id):
        self.stats.reads += 1
        return self.invoices[record_id]


def invoice(n: int, lines: int) -> dict:
    return {"invoice_id": f"90{n}", "invoice_number": f"INV-{n:05d}", "customer_id": "77", "customer_name": "=Acme",
            "date": "2024-03-01", "custom_field_hash": {"cf_legacy_number": f"L-{n}"},
            "line_items": [{"item_id": f"5{k}", "name": f"Part {k}", "rate": 2.5 * k, "quantity": k}
                           for k in range(1, lines + 1)]}


def test_documents_export_as_a_header_and_a_line_sheet_or_one_row_per_line(tmp_path):
    module = load_module("invoices").with_custom_fields(
        [{"field_id": 1, "label": "Legacy Number", "data_type": "string", "is_unique": True}])
    client = DocumentsClient([invoice(1, 2), invoice(2, 1)])

    result = export_module(client, module, tmp_path / "inv.xlsx",
                           columns="Invoice Date,Customer Name,Line Item Name,Quantity,Item Price")
    book = openpyxl.load_workbook(tmp_path / "inv.xlsx")

    assert (result.rows, result.lines, result.calls) == (2, 3, 3)
    assert book.sheetnames == ["Invoices", "Line Items"]
    assert [[c.value for c in row] for row in book["Invoices"].iter_rows()][:2] == [
        ["Invoice ID", "Legacy Number", "Invoice Number", "Invoice Date", "Customer Name"],
        ["901", "L-1", "INV-00001", dt.datetime(2024, 3, 1), "=Acme"]]
    assert book["Invoices"]["E2"].data_type == "s"
    assert [[c.value for c in row] for row in book["Line Items"].iter_rows()] == [
        ["Legacy Number", "Invoice Number", "Line Item Name", "Quantity", "Item Price"],
        ["L-1", "INV-00001", "Part 1", 1, 2.5], ["L-1", "INV-00001", "Part 2", 2, 5],
        ["L-2", "INV-00002", "Part 1", 1, 2.5]]

    export_module(client, module, tmp_path / "inv.csv", columns="Customer Name,Line Item Name,Quantity")
    with open(tmp_path / "inv.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["Invoice ID", "Legacy Number", "Invoice Number", "Customer Name", "Line Item Name", "Quantity"],
            ["901", "L-1", "INV-00001", "'=Acme", "Part 1", "1"], ["901", "L-1", "INV-00001", "'=Acme", "Part 2", "2"],
            ["902", "L-2", "INV-00002", "'=Acme", "Part 1", "1"]]
