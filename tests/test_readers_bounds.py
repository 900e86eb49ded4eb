"""Bounded readers: readers are bounded, and files they cannot read get a message that names
the file and says what to do.

One stray space in cell XFD1048576 of a 2 KB workbook aborted `bulkio validate` (calamine
built a dense grid of 17 billion cells); an encrypted workbook was "File is not a zip file".
bench/reader_extent.py measures the time and memory; here only the shapes are asserted.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from e2e_support import (
    add_item_fields,
    compound_file,
    import_args,
    invoke,
    items_by_key,
    ods_file,
    outcomes,
    sandbox_env,
)

from bulkio.errors import InputError
from bulkio.readers import read_table
from bulkio.readers.sheetxml import scan_sheet

HEADER = ["External ID", "Item Name", "Rate"]


def stray_cell_book(path: Path, rows: int = 3, value: str = " ", cell: str = "XFD1048576") -> Path:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for n in range(rows):
        book.active.append([f"K{n}", f"Item {n}", 10 + n])
    book.active[cell] = value
    book.save(path)
    return path


def test_a_stray_space_far_away_neither_crashes_nor_costs_the_grid(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = stray_cell_book(tmp_path / "items.xlsx")
    assert source.stat().st_size < 10_000
    report = tmp_path / "r.csv"

    result = invoke(env, *import_args(source, report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [s for _, s, _, _ in outcomes(report)] == ["created"] * 3
    assert sorted(items_by_key(sandbox)) == ["K0", "K1", "K2"]


def test_validate_reads_two_thousand_rows_beside_a_stray_cell(tmp_path):
    frame = read_table(stray_cell_book(tmp_path / "items.xlsx", rows=2000))
    assert frame.shape == (2000, 3)
    assert list(frame.columns) == HEADER and frame.index[-1] == 2001


def test_a_far_cell_holding_data_is_one_column_not_sixteen_thousand(tmp_path):
    frame = read_table(stray_cell_book(tmp_path / "items.xlsx", value="x", cell="XFD5"))
    assert list(frame.columns) == HEADER + ["Column XFD"]
    assert frame.loc[5, "Column XFD"] == "x" and frame.loc[2, "Column XFD"] == ""


def test_the_scan_measures_the_written_cells(tmp_path):
    source = stray_cell_book(tmp_path / "items.xlsx")
    scan = scan_sheet(source, "Sheet", {})
    assert (scan.cells, scan.last_row, scan.last_column) == (13, 1048576, 16384)
    assert not scan.dense_ok()


def test_trailing_empty_rows_and_columns_are_dropped(tmp_path):
    source = stray_cell_book(tmp_path / "items.xlsx", value="  ", cell="Z50")
    frame = read_table(source)
    assert frame.shape == (3, 3)


# --- files that are no readable workbook ---------------------------------------------------------

ENCRYPTED = ("items.xlsx: the workbook is protected with a password (encrypted), so it cannot be "
             "read; open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt "
             "with Password) and save it as .xlsx")
XLS = ("{name}: this is an old Excel 97-2003 workbook (.xls), which bulkio does not read; open it "
       "in Excel and save it as .xlsx (Excel Workbook) or .csv")
ODS = ("{name}: this is an OpenDocument spreadsheet (LibreOffice, .ods), which bulkio does not read; "
       "open it and save it as .xlsx or .csv")


def test_an_encrypted_workbook_says_to_remove_the_password(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    source = compound_file(tmp_path / "items.xlsx", ["EncryptionInfo", "EncryptedPackage"])

    result = invoke(env, "validate", source, "-m", "items", "--report", tmp_path / "r.csv")

    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {ENCRYPTED}"


@pytest.mark.parametrize("name, make, message", [
    ("items.xlsx", lambda p: compound_file(p, ["Workbook"]), XLS),
    ("items.xls", lambda p: compound_file(p, ["Workbook"]), XLS),
    ("items.xlsx", ods_file, ODS),
    ("items.ods", ods_file, ODS),
    ("items.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n\x00\x01\x02\x03binary") and p,
     "{name}: this is not a spreadsheet bulkio can read (neither an .xlsx workbook nor CSV text); "
     "open it in Excel and save it as .xlsx or .csv"),
    ("items.csv", lambda p: stray_cell_book(p, cell="A9"),
     "{name}: this is an Excel workbook with a text file's name; rename it to .xlsx"),
    ("items.csv", lambda p: compound_file(p, ["EncryptionInfo"]), ENCRYPTED.replace("items.xlsx", "{name}")),
])
def test_files_that_are_no_readable_workbook_say_what_to_do(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert str(caught.value) == message.format(name=name)
