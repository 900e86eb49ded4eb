"""Excel error cells, formulas without a saved result, and --clear-marker.

A cell showing #N/A because a VLOOKUP failed used to be sent as "clear this field"; #DIV/0!
went as text; a formula a program wrote but no Excel computed read as empty ("Rate is
required"). Now error cells and uncomputed formulas are invalid cells with codes of their
own, and only the text given with --clear-marker (or clear_marker in a mapping) clears.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from e2e_support import (
    FAST,
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    outcomes,
    sandbox_env,
    write_bytes,
)

from bulkio.catalogue import load_module
from bulkio.errors import InputError
from bulkio.importing import run_import
from bulkio.preparing import ImportOptions, prepare, resolve_module
from bulkio.readers import read_table
from bulkio.settings import load_settings
from bulkio.zoho.client import ZohoClient

HEADER = ["External ID", "Item Name", "Rate", "Description"]
EXCEL_ERROR = ('"{column}" holds the Excel error {value}: the formula in this cell failed; fix '
               "the formula, or type the value in its place")
NO_CACHED = ('"Rate" holds a formula whose result was never saved (the file was written by a '
             "program, not by Excel); open the file in Excel and save it, or type the value in "
             "its place")


def seed(sandbox, tmp_path: Path, env: dict) -> None:
    """Two items whose descriptions a later import could wipe."""
    source = write_bytes(tmp_path / "seed.csv", csv_text(HEADER, [
        ["K1", "Pen", "10", "Blue pen"], ["K2", "Desk", "20", "Oak desk"]]), "utf-8")
    result = invoke(env, *import_args(source, report=tmp_path / "seed.report.csv"))
    assert result.exit_code == 0, result.output + result.stderr


def workbook(path: Path, rows: list[list]) -> Path:
    """A workbook as Excel leaves it: "#N/A" and "#DIV/0!" are error cells (t="e"), a text
    starting with "=" a formula (openpyxl saves no result for it)."""
    book = openpyxl.Workbook()
    book.active.title = "Items"
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def descriptions(sandbox) -> dict[str, str]:
    return {k: r.get("description", "") for k, r in items_by_key(sandbox).items()}


# --- over HTTP: nothing is wiped, nothing goes as text ----------------------------------------

def test_error_cells_are_invalid_and_nothing_is_sent_for_them(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    seed(sandbox, tmp_path, env)
    writes = sandbox.stats.writes
    source = workbook(tmp_path / "items.xlsx", [["K1", "Pen", 10, "#N/A"],
                                                ["K2", "Desk", 20, "#DIV/0!"]])
    report = tmp_path / "r.csv"

    result = invoke(env, *import_args(source, report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "invalid", "E_EXCEL_ERROR", EXCEL_ERROR.format(column="Description", value="#N/A")),
        (3, "invalid", "E_EXCEL_ERROR", EXCEL_ERROR.format(column="Description", value="#DIV/0!")),
    ]
    assert sandbox.stats.writes == writes
    assert descriptions(sandbox) == {"K1": "Blue pen", "K2": "Oak desk"}


def test_a_formula_without_a_saved_result_is_its_own_error_not_a_missing_value(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = workbook(tmp_path / "items.xlsx", [["K1", "Pen", "=2*5", "Blue pen"],
                                                ["K2", "Desk", 20, "Oak desk"]])
    report = tmp_path / "r.csv"

    result = invoke(env, *import_args(source, report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(2, "invalid", "E_NO_CACHED_VALUE", NO_CACHED), (3, "created", "", "")]
    assert set(items_by_key(sandbox)) == {"K2"}


def reimport_csv(sandbox, tmp_path: Path, rows: list[list[str]], *extra):
    """Seed K1 and K2, then import `rows` as a CSV over them."""
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    seed(sandbox, tmp_path, env)
    source = write_bytes(tmp_path / "items.csv", csv_text(HEADER, rows), "utf-8")
    return invoke(env, *import_args(source, *extra, report=tmp_path / "r.csv"))


def test_na_text_in_a_csv_is_a_value_like_any_other(sandbox, tmp_path):
    result = reimport_csv(sandbox, tmp_path, [["K1", "Pen", "10", "#N/A"]])

    assert result.exit_code == 0, result.output + result.stderr
    assert descriptions(sandbox) == {"K1": "#N/A", "K2": "Oak desk"}


def test_the_mapping_s_clear_marker_clears_and_nothing_else_does(sandbox, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[options]\nclear_marker = "#CLEAR"\n', encoding="utf-8")

    result = reimport_csv(sandbox, tmp_path, [["K1", "Pen", "10", "#CLEAR"], ["K2", "Desk", "20", ""]],
                          "--mapping", mapping)

    assert result.exit_code == 0, result.output + result.stderr
    assert descriptions(sandbox) == {"K1": "", "K2": "Oak desk"}


def test_the_clear_marker_option_clears_and_nothing_else_does(sandbox, tmp_path):
    result = reimport_csv(sandbox, tmp_path, [["K1", "Pen", "10", "<clear>"], ["K2", "Desk", "20", "#N/A"]],
                          "--clear-marker", "<clear>")

    assert result.exit_code == 0, result.output + result.stderr
    assert descriptions(sandbox) == {"K1": "", "K2": "#N/A"}


def test_import_options_clear_marker_clears(sandbox, tmp_path):
    """The library's ImportOptions.clear_marker: what --clear-marker sets."""
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    seed(sandbox, tmp_path, env)
    source = write_bytes(tmp_path / "items.csv", csv_text(HEADER, [["K1", "Pen", "10", "<clear>"]]), "utf-8")
    settings = load_settings({}, env={k: v for k, v in env.items() if v is not None},
                             rate_per_minute=int(FAST))
    client = ZohoClient(settings)
    opts = ImportOptions(source, "items", key="External ID", clear_marker="<clear>",
                         report=tmp_path / "r.csv")

    result = run_import(opts, client, resolve_module("items", client))

    assert [r.status for r in result.rows] == ["updated"]
    assert descriptions(sandbox) == {"K1": "", "K2": "Oak desk"}


def test_an_empty_clear_marker_is_refused_before_anything_is_read(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(HEADER, [["K1", "Pen", "10", ""]]), "utf-8")

    result = invoke(env, *import_args(source, "--clear-marker", " ", report=tmp_path / "r.csv"))

    assert result.exit_code == 2
    assert "clear marker ' ' is not usable" in result.stderr
    assert sandbox.stats.writes == 0


# --- the reader's flags -------------------------------------------------------------------------

def test_the_reader_flags_error_cells_and_uncomputed_formulas_by_row_and_column(tmp_path):
    from bulkio.readers import cell_flags
    from bulkio.readers.cells import ERROR, UNCACHED, CellFlag

    source = workbook(tmp_path / "items.xlsx", [["K1", "Pen", "#REF!", "=A2&B2"],
                                                ["K2", "Desk", 20, "#NAME?"]])
    frame = read_table(source)
    assert frame.loc[2, "Rate"] == "#REF!" and frame.loc[2, "Description"] == ""
    assert dict(cell_flags(frame)) == {
        (2, "Rate"): CellFlag(ERROR, "#REF!"), (2, "Description"): CellFlag(UNCACHED, "=A2&B2"),
        (3, "Description"): CellFlag(ERROR, "#NAME?")}


def test_every_excel_error_value_is_refused(tmp_path):
    errors = ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
    source = workbook(tmp_path / "items.xlsx", [[f"K{n}", "Pen", 1, e] for n, e in enumerate(errors)])
    prep = prepare(ImportOptions(source, "items"), load_module("items"))
    assert [(e.code, e.value) for e in prep.validation.errors] == [("E_EXCEL_ERROR", e) for e in errors]
    assert prep.items == []


def test_error_cells_in_a_document_s_lines_leave_the_document_out(tmp_path):
    source = tmp_path / "invoices.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Invoice Number", "Customer Name", "Item Name", "Quantity", "Rate"])
    book.active.append(["INV-1", "Acme", "Pen", 1, 10])
    book.active.append(["INV-1", "Acme", "Desk", 1, "#N/A"])
    book.active.append(["INV-2", "Acme", "Pen", 2, "=D4*5"])
    book.active.append(["INV-3", "#N/A", "Pen", 2, 5])
    book.active.append(["INV-4", "Acme", "Pen", 2, 5])
    book.save(source)

    prep = prepare(ImportOptions(source, "invoices"), load_module("invoices"))

    assert [(e.row, e.code, e.message) for e in prep.validation.errors] == [
        (2, "E_EXCEL_ERROR", "row 3: " + EXCEL_ERROR.format(column="Rate", value="#N/A")),
        (4, "E_NO_CACHED_VALUE", NO_CACHED),
        (5, "E_EXCEL_ERROR", EXCEL_ERROR.format(column="Customer Name", value="#N/A"))]
    assert [item.row for item in prep.items] == [6]


def test_error_cells_on_a_line_sheet_stop_before_anything_is_sent(tmp_path):
    source = tmp_path / "invoices.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Invoices"
    book.active.append(["Invoice Number", "Customer Name"])
    book.active.append(["INV-1", "Acme"])
    lines = book.create_sheet("Line Items")
    lines.append(["Invoice Number", "Item Name", "Quantity", "Rate"])
    lines.append(["INV-1", "Pen", 1, "#VALUE!"])
    book.save(source)

    with pytest.raises(InputError) as caught:
        prepare(ImportOptions(source, "invoices"), load_module("invoices"))
    assert str(caught.value) == ('sheet "Line Items" row 2, column "Rate": the cell holds the Excel '
                                 "error #VALUE!; fix the formula or type the value")
