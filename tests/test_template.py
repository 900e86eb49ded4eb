"""The import template: headers the importer matches, required columns marked by style, dropdown
validation from allowed values and custom-field options, a Notes sheet; filled in, it imports
with no mapping file."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from sandbox_clients import client_for

from bulkio.catalogue import load_module
from bulkio.catalogue.fields import load_fields
from bulkio.cli import cli
from bulkio.errors import ConfigError
from bulkio.importing import run_import
from bulkio.prepare.columns import match_columns
from bulkio.preparing import ImportOptions
from bulkio.sheets.choices import LISTS_SHEET
from bulkio.sheets.template import NOTES_SHEET, build_template, template_fields

LONG_OPTIONS = [f"Region {n:03d}, zone {n % 7}" for n in range(60)]  # commas and > 255 characters


def header_of(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def validation_for(sheet, header: str):
    letter = sheet.cell(1, header_of(sheet).index(header) + 1).column_letter
    found = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).split(":")[0] == f"{letter}2"]
    assert len(found) == 1, (header, [str(dv.sqref) for dv in sheet.data_validations.dataValidation])
    return found[0]


@pytest.fixture
def connected(sandbox):
    sandbox.add_custom_field("item", "External ID", is_unique=True)
    sandbox.add_custom_field("item", "Category", data_type="dropdown", values=["Hardware", "Software", "Services"])
    sandbox.add_custom_field("item", "Sales Region", data_type="dropdown", values=LONG_OPTIONS)
    sandbox.add_custom_field("item", "Launch Date", data_type="date")
    sandbox.add_custom_field("item", "Discontinued", data_type="check_box")
    client = client_for(sandbox)
    return client, load_fields(client, "items")


def test_a_filled_in_template_imports_without_a_mapping_file(connected, sandbox, tmp_path):
    client, module = connected
    path = build_template(module, tmp_path / "items.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {h: i + 1 for i, h in enumerate(header_of(sheet))}
    rows = [
        {"External ID": "EXT-1", "Item Name": "Desk", "Selling Price": 349, "SKU": "000101",
         "Category": "Hardware", "Launch Date": dt.date(2024, 5, 1), "Discontinued": False,
         "Sales Region": LONG_OPTIONS[42], "Product Type": "goods"},
        {"External ID": "EXT-2", "Item Name": "Support hour", "Selling Price": 85.5, "Category": "Services",
         "Discontinued": True, "Product Type": "service"},
    ]
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(r, column[header], value)
    book.save(path)

    plan = match_columns(header_of(sheet), module)
    assert plan.unknown == [] and plan.warnings == []
    result = run_import(ImportOptions(path=path, module="items", key="External ID", report=tmp_path / "r.csv",
                                      journal=tmp_path / "j.sqlite"), client, module)

    assert [r.status for r in result.rows] == ["created", "created"]
    desk = next(r for r in sandbox.records("items") if r["name"] == "Desk")
    assert desk["sku"] == "000101" and desk["rate"] == 349
    assert desk["custom_field_hash"] == {"cf_external_id": "EXT-1", "cf_category": "Hardware",
                                         "cf_sales_region": LONG_OPTIONS[42], "cf_launch_date": "2024-05-01",
                                         "cf_discontinued": False}


def test_dropdowns_hold_the_allowed_values_and_custom_options(connected, tmp_path):
    _, module = connected
    book = openpyxl.load_workbook(build_template(module, tmp_path / "items.xlsx"))
    sheet = book.worksheets[0]

    assert validation_for(sheet, "Category").formula1 == '"Hardware,Software,Services"'
    assert validation_for(sheet, "Product Type").formula1 == \
        '"goods,service,digital_service,capital_service,capital_goods"'
    assert validation_for(sheet, "Discontinued").formula1 == '"TRUE,FALSE"'
    long = validation_for(sheet, "Sales Region")
    assert long.formula1 == f"{LISTS_SHEET}!$A$2:$A$61"
    lists = book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"]][1:] == LONG_OPTIONS
    assert validation_for(sheet, "Item Name").type == "textLength"
    assert validation_for(sheet, "Item Name").formula1 == "100"


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_required_columns_are_marked_by_style_not_by_their_text(connected, tmp_path):
    _, module = connected
    sheet = openpyxl.load_workbook(build_template(module, tmp_path / "items.xlsx")).worksheets[0]
    header = header_of(sheet)

    assert header[:3] == ["External ID", "Item Name", "Selling Price"]  # the key, then the required
    assert not any(h.endswith("*") for h in header)
    cells = {c.value: c for c in sheet[1]}
    assert cells["Item Name"].font.b and cells["Item Name"].fill.fgColor.rgb.endswith("FFC7CE")
    assert not cells["SKU"].fill.fgColor.rgb.endswith("FFC7CE")
    assert cells["Item Name"].comment.text == "Item Name: text; required; at most 100 characters."
    assert sheet.freeze_panes == "A2"
    assert "Item ID" not in header and "Status" not in header  # read-only fields are not importable


def test_columns_carry_date_number_and_text_formats(connected, tmp_path):
    _, module = connected
    sheet = openpyxl.load_workbook(build_template(module, tmp_path / "items.xlsx")).worksheets[0]
    letter = {h: sheet.cell(1, i + 1).column_letter for i, h in enumerate(header_of(sheet))}

    assert sheet.column_dimensions[letter["Launch Date"]].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions[letter["Selling Price"]].number_format == "#,##0.00"
    assert sheet.column_dimensions[letter["SKU"]].number_format == "@"


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_the_notes_sheet_explains_every_column(connected, tmp_path):
    _, module = connected
    book = openpyxl.load_workbook(build_template(module, tmp_path / "items.xlsx"))
    header = header_of(book.worksheets[0])
    notes = {row[0]: row for row in book[NOTES_SHEET].iter_rows(min_row=2, values_only=True) if row[0]}

    assert all(h in notes for h in header)
    assert notes["Category"][-1] == ("Category: one of the listed values; allowed: Hardware, Software, "
                                     "Services; custom field of your organisation.")
    assert notes["Item Name"][3] == "yes" and notes["Item Name"][4] == 100
    assert notes["External ID"][-1].startswith("External ID: text; unique: no two records share it")


def test_documents_get_line_columns_and_a_lookup_alternative(tmp_path):
    module = load_module("invoices")
    header, lines = template_fields(module)
    assert [f.api_name for f in header][:1] == ["customer_id"]
    assert "item_name" in [f.api_name for f in lines] and "quantity" in [f.api_name for f in lines]
    book = openpyxl.load_workbook(build_template(module, tmp_path / "invoices.xlsx"))
    names = header_of(book.worksheets[0])
    plan = match_columns(names, module)
    assert plan.unknown == [] and set(plan.line_fields) >= {"Item Name", "Quantity", "Item Price"}
    notes = {row[0]: row[-1] for row in book[NOTES_SHEET].iter_rows(min_row=2, values_only=True) if row[0]}
    assert notes["Customer ID"] == "Customer ID: a Zoho id (digits); required (or fill Customer Name)."


def test_without_settings_the_command_writes_the_catalogue_and_says_so(tmp_path, monkeypatch):
    for name in ("ZOHO_ORGANIZATION_ID", "ZOHO_API_URL", "ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET",
                 "ZOHO_REFRESH_TOKEN", "ZOHO_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    out = tmp_path / "items.xlsx"

    result = CliRunner().invoke(cli, ["template", "-m", "items", "-o", str(out)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the items import template to {out}.\n"
    assert "Custom fields of your organisation are not included" in result.stderr
    notes = [row[0] for row in openpyxl.load_workbook(out)[NOTES_SHEET].iter_rows(values_only=True)]
    assert any(n and n.startswith("Custom fields of your organisation are not included") for n in notes)


def test_the_command_adds_the_organisations_custom_fields_when_connected(connected, sandbox, tmp_path, monkeypatch):
    for line in sandbox.export_lines():
        name, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(name, value.strip("'"))
    out = tmp_path / "items.xlsx"

    result = CliRunner().invoke(cli, ["template", "-m", "items", "-o", str(out)])

    assert result.exit_code == 0, result.output
    assert {"External ID", "Category", "Sales Region"} <= set(header_of(openpyxl.load_workbook(out).worksheets[0]))


def test_a_template_must_be_an_xlsx_file(tmp_path):
    with pytest.raises(ConfigError, match=r"-o items.csv: a template is an .xlsx workbook"):
        build_template(load_module("items"), tmp_path / "items.csv")
