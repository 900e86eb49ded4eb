"""The basics every written spreadsheet shares: the atomic save and its one error, text cells,
column widths and list validation (bulkio.sheets.saving, .xlsx, .choices)."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl import Workbook

from bulkio.catalogue import load_module
from bulkio.errors import ConfigError, InputError
from bulkio.sheets.cells import MAX_CELL, MIN_WIDTH, column_widths
from bulkio.sheets.choices import LISTS_SHEET, ChoiceLists
from bulkio.sheets.export import write_export
from bulkio.sheets.saving import REPORT, AtomicFile, CannotWrite
from bulkio.sheets.template import build_template
from bulkio.sheets.xlsx import text_cell


def test_a_failed_write_leaves_the_old_file_as_it_was_and_no_temporary_file(tmp_path):
    target = tmp_path / "items.csv"
    target.write_text("old contents")

    with pytest.raises(RuntimeError), AtomicFile(target) as temporary:
        temporary.write_text("half a new fi")
        raise RuntimeError("the disk filled up")

    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["items.csv"]


def test_a_finished_write_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "items.csv"
    target.write_text("old contents")

    with AtomicFile(target) as temporary:
        temporary.write_text("new contents")

    assert target.read_text() == "new contents"
    assert [p.name for p in tmp_path.iterdir()] == ["items.csv"]


def test_a_move_that_fails_says_which_file_and_keeps_the_folder_clean(tmp_path):
    target = tmp_path / "report.csv"
    target.mkdir()  # a folder where the file should go: the final move fails
    written = AtomicFile(target, REPORT)
    written.temporary.write_text("rows")

    with pytest.raises(CannotWrite) as caught:
        written.commit()

    assert str(caught.value).startswith(f"Cannot write the report {target}: ")
    assert str(caught.value).endswith(". Pass --report PATH to write it elsewhere.")
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"] and target.is_dir()


def test_the_cannot_write_error_is_caught_as_either_error_bulkio_raised_before(tmp_path):
    with pytest.raises(CannotWrite) as caught:
        AtomicFile(tmp_path / "missing" / "items.xlsx")

    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, InputError)
    assert str(caught.value) == f"-o {tmp_path / 'missing' / 'items.xlsx'}: cannot write it (No such file or directory)"


def test_a_template_into_a_missing_folder_is_the_same_clear_error(tmp_path):
    target = tmp_path / "missing" / "items.xlsx"

    with pytest.raises(ConfigError, match=r"cannot write it \(No such file or directory\)$"):
        build_template(load_module("items"), target)

    assert not target.parent.exists()


def test_an_export_into_a_missing_folder_names_the_folder(tmp_path):
    target = tmp_path / "missing" / "items.csv"

    with pytest.raises(ConfigError) as caught:
        write_export(target, load_module("items"), [], [], [])

    assert str(caught.value) == f"-o {target}: the folder {target.parent} does not exist"


def _saved(tmp_path, cells):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("S")
    sheet.append([text_cell(sheet, text, guard=guard) for text, guard in cells])
    book.save(tmp_path / "s.xlsx")
    return openpyxl.load_workbook(tmp_path / "s.xlsx").active


def test_a_text_cell_drops_what_excel_refuses_and_stops_at_its_limit(tmp_path):
    sheet = _saved(tmp_path, [("a\x01b\x1fc", False), ("x" * (MAX_CELL + 10), False), ("line\none\ttab", False)])

    assert sheet["A1"].value == "abc"
    assert len(sheet["B1"].value) == MAX_CELL
    assert sheet["C1"].value == "line\none\ttab"


def test_a_text_cell_is_never_a_formula_and_is_marked_only_where_guarded(tmp_path):
    sheet = _saved(tmp_path, [("=SUM(A1)", False), ("=SUM(A1)", True), ("00042", True), ("-5", True)])

    assert [c.value for c in sheet[1]] == ["=SUM(A1)", "=SUM(A1)", "00042", "-5"]
    assert [c.data_type for c in sheet[1]] == ["s"] * 4
    assert [c.quotePrefix for c in sheet[1]] == [False, True, False, True]


def test_column_widths_fit_the_longest_entry_within_bounds():
    widths = column_widths(["id", "Name", "Notes"], [["1", "Desk", "n" * 200], ["22", "A much longer name", ""]],
                           widest=62)

    assert widths == [MIN_WIDTH, len("A much longer name") + 2, 62]


def test_a_long_list_goes_to_the_hidden_sheet_or_gets_no_validation_when_it_may_not(tmp_path):
    long = [f"Region {n:03d}, zone {n % 7}" for n in range(60)]
    book = Workbook()
    spilling, kept = ChoiceLists(book), ChoiceLists(book, spill=False)

    assert spilling.formula("Region", ["North", "South"]) == '"North,South"'
    assert kept.formula("Region", long) is None
    assert spilling.formula("Region", long) == f"{LISTS_SHEET}!$A$2:$A$61"
    spilling.finish()
    lists = book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"]] == ["Region", *long]
