"""Export and template as a person uses them: export to Excel, check and edit, import
back; fill in an empty template and import it. Each test pins a fix: an unwritable output path
that ended in "Unexpected error", read-only columns that looked editable, dropdowns with no
list, invoices without a key whose lines could not be joined back, a template that did not say
how to write several lines per invoice."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from e2e_support import FAST, invoke, sandbox_env, write_xlsx
from openpyxl import load_workbook

from bulkio.cli.demo import samples_dir
from bulkio.sandbox.seed import add_custom_fields_from


def _seeded(sandbox, tmp_path, *names):
    """The samples' custom fields, then the named sample files imported; returns the env."""
    samples = samples_dir()
    add_custom_fields_from(sandbox, samples / "custom_fields.toml")
    env = sandbox_env(sandbox, tmp_path)
    keys = {"items.xlsx": ("items", "External ID"), "contacts.csv": ("contacts", "External ID"),
            "invoices.xlsx": ("invoices", "Legacy Number")}
    for name in names:
        module, key = keys[name]
        shutil.copyfile(samples / name, tmp_path / name)
        result = invoke(env, "import", tmp_path / name, "-m", module, "-k", key, "--rate", FAST)
        assert result.exit_code == 0, result.output + result.stderr
    return env


def _headers(sheet) -> dict:
    return {c.value: c for c in sheet[1]}


def _validation(sheet, header: str):
    letter = _headers(sheet)[header].column_letter
    found = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2:")]
    return found[0] if found else None


def test_export_to_a_place_that_cannot_be_written_is_a_clear_error(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)

    result = invoke(env, "export", "-m", "items", "-o", "/proc/items.csv", "--rate", FAST)

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: -o /proc/items.csv: cannot write it (")
    assert "Unexpected" not in result.stderr and "Traceback" not in result.output


def test_export_marks_read_only_columns_and_gives_dropdowns_their_list(sandbox, tmp_path):
    env = _seeded(sandbox, tmp_path, "items.xlsx")
    out = tmp_path / "items-export.xlsx"

    assert invoke(env, "export", "-m", "items", "-o", out, "--rate", FAST).exit_code == 0
    sheet = load_workbook(out).worksheets[0]
    cells = _headers(sheet)

    for name in ("Status", "Created Time", "Last Modified Time"):
        assert cells[name].fill.fgColor.rgb.endswith("D9D9D9") and cells[name].font.i
        assert cells[name].comment.text.startswith("Read-only: Zoho sets it. bulkio import leaves")
    assert cells["Item ID"].comment.text.startswith("Zoho's id of the item: bulkio import uses it")
    assert cells["Item Name"].comment is None and not cells["Item Name"].fill.fill_type
    assert _validation(sheet, "Category").formula1 == '"Hardware,Software,Services"'
    assert _validation(sheet, "Taxable").formula1 == '"TRUE,FALSE"'
    assert _validation(sheet, "Status") is None and _validation(sheet, "Item Name") is None
    assert load_workbook(out).sheetnames == ["Items"]


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_invoices_without_their_key_export_and_import_back(sandbox, tmp_path):
    env = _seeded(sandbox, tmp_path, "items.xlsx", "contacts.csv", "invoices.xlsx")
    typed = write_xlsx(tmp_path / "typed.xlsx", ["Invoice Number", "Customer Name", "Item Name", "Quantity"],
                       [["INV-TYPED-1", "Bluebird Bakery", "Cable Tray", 2],
                        ["INV-TYPED-1", "", "Webcam 4K", 1]])
    assert invoke(env, "import", typed, "-m", "invoices", "--rate", FAST).exit_code == 0  # no Legacy Number
    out = tmp_path / "invoices-export.xlsx"
    assert invoke(env, "export", "-m", "invoices", "-o", out, "--rate", FAST).exit_code == 0
    before = sandbox.records("invoices")
    sandbox.stats.reset()

    again = invoke(env, "import", out, "-m", "invoices", "--skip-unchanged", "--rate", FAST,
                   "--report", tmp_path / "again.csv")

    assert again.exit_code == 0, again.output + again.stderr
    assert f"Rows: {len(before)} ({len(before)} unchanged)" in again.output
    assert sandbox.stats.writes == 0 and sandbox.records("invoices") == before
    lines = load_workbook(out)["Line Items"]
    assert [c.value for c in lines[1]][:2] == ["Legacy Number", "Invoice Number"]


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_invoice_template_says_how_to_write_several_lines_and_imports_them(sandbox, tmp_path):
    env = _seeded(sandbox, tmp_path, "items.xlsx", "contacts.csv")
    out = tmp_path / "invoices-template.xlsx"
    assert invoke(env, "template", "-m", "invoices", "-o", out).exit_code == 0
    book = load_workbook(out)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True) if row[0] and row[1] is None]

    assert header[:3] == ["Legacy Number", "Customer ID", "Customer Name"]
    assert header[header.index("Item ID") + 1:header.index("Item ID") + 3] == ["Item Name", "SKU"]
    assert notes[0].startswith("Fill one row per line item on the first sheet: an invoice with three lines "
                               "takes three rows, one under the other, each with the same Legacy Number.")
    assert notes[1] == 'Import it with bulkio import FILE -m invoices -k "Legacy Number".'
    assert "write the same value on every row (line) of one invoice" in _headers(sheet)["Legacy Number"].comment.text

    column = {h: i + 1 for i, h in enumerate(header)}
    rows = [{"Legacy Number": "T-1", "Customer Name": "Bluebird Bakery", "Invoice Date": dt.datetime(2026, 11, 2),
             "Item Name": "Cable Tray", "Quantity": 2, "Item Price": 24.5},
            {"Legacy Number": "T-1", "Item Name": "Webcam 4K", "Quantity": 1}]
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(number, column[name]).value = value
    book.save(out)

    result = invoke(env, "import", out, "-m", "invoices", "-k", "Legacy Number", "--rate", FAST)

    assert result.exit_code == 0, result.output + result.stderr
    [invoice] = sandbox.records("invoices")
    assert invoice["date"] == "2026-11-02"
    assert [(line["name"], line["quantity"], line["rate"]) for line in invoice["line_items"]] == [
        ("Cable Tray", 2, 24.5), ("Webcam 4K", 1, 149)]
