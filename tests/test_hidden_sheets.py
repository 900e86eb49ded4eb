"""Hidden sheets: the first visible sheet by default; a hidden one only by --sheet, with a note.

A workbook whose first sheet is hidden (an old price list, a lookup table) used to import the
hidden sheet, silently.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from e2e_support import add_item_fields, import_args, invoke, items_by_key, outcomes, sandbox_env

from bulkio.catalogue import load_module
from bulkio.errors import InputError
from bulkio.preparing import ImportOptions, prepare
from bulkio.readers import describe, read_table

HEADER = ["External ID", "Item Name", "Rate"]


def book_with_hidden_first_sheet(path: Path, state: str = "hidden") -> Path:
    book = openpyxl.Workbook()
    old = book.active
    old.title = "Old prices"
    old.append(HEADER)
    old.append(["K1", "Pen (old)", 1])
    old.sheet_state = state
    items = book.create_sheet("Items")
    items.append(HEADER)
    items.append(["K1", "Pen", 10])
    book.save(path)
    return path


HIDDEN_NOTE = ("sheet 'Old prices' of items.xlsx is hidden in Excel; it is read because --sheet "
               "names it")


def test_import_reads_the_first_visible_sheet(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = book_with_hidden_first_sheet(tmp_path / "items.xlsx")

    result = invoke(env, *import_args(source, report=tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output + result.stderr
    assert {k: (r["name"], r["rate"]) for k, r in items_by_key(sandbox).items()} == {"K1": ("Pen", 10.0)}
    assert "hidden" not in result.stderr


def test_a_hidden_sheet_is_read_only_when_named_and_says_so(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = book_with_hidden_first_sheet(tmp_path / "items.xlsx")

    result = invoke(env, *import_args(source, "--sheet", "Old prices", report=tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output + result.stderr
    assert f"Warning: {HIDDEN_NOTE}" in result.stderr
    assert outcomes(tmp_path / "r.csv") == [(2, "created", "", "")]
    assert items_by_key(sandbox)["K1"]["name"] == "Pen (old)"


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_the_reader_skips_hidden_and_very_hidden_sheets(tmp_path, state):
    from bulkio.readers import read_notes

    source = book_with_hidden_first_sheet(tmp_path / "items.xlsx", state)
    assert describe(source).sheet == "Items"
    assert read_table(source).loc[2, "Item Name"] == "Pen"
    assert read_notes(read_table(source)) == ()
    assert read_notes(read_table(source, sheet=0)) == (HIDDEN_NOTE,)


def test_a_workbook_whose_sheets_are_all_hidden_says_to_choose_one(tmp_path):
    source = tmp_path / "items.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.create_sheet("Chart data").sheet_state = "veryHidden"
    book.save(source)  # openpyxl saves no workbook without a visible sheet: hide it in the XML
    _hide_all(source)

    with pytest.raises(InputError) as caught:
        read_table(source)
    assert str(caught.value) == ("items.xlsx: every sheet of the workbook is hidden; choose one "
                                 "with --sheet, or unhide it in Excel")


def test_a_document_workbook_takes_its_line_sheet_among_the_visible_ones(tmp_path):
    source = tmp_path / "invoices.xlsx"
    book = openpyxl.Workbook()
    scratch = book.active
    scratch.title = "Scratch"
    scratch.append(["Invoice Number", "Item Name", "Quantity", "Rate"])
    scratch.append(["INV-1", "Wrong", 9, 9])
    scratch.sheet_state = "hidden"
    head = book.create_sheet("Invoices")
    head.append(["Invoice Number", "Customer Name"])
    head.append(["INV-1", "Acme"])
    lines = book.create_sheet("Lines")
    lines.append(["Invoice Number", "Item Name", "Quantity", "Rate"])
    lines.append(["INV-1", "Pen", 2, 10])
    book.save(source)

    prep = prepare(ImportOptions(source, "invoices"), load_module("invoices"))

    [item] = prep.items
    assert [(line["quantity"], line["rate"]) for line in item.payload["line_items"]] == [(2, 10)]


def _hide_all(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'state="visible"', b'state="hidden"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
