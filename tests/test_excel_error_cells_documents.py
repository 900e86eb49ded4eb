"""Cells a person cannot see, for contacts and invoices with line items (items are
covered by test_excel_error_cells.py and its siblings): a VLOOKUP that failed, saved by Excel as a formula with its
cached error value; a formula's cached result; a formula never computed; numbers of a
semicolon file in an invoice's lines; files that are no readable workbook. Over real HTTP
through the CLI against the sandbox.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from e2e_support import FAST, compound_file, csv_text, invoke, ods_file, outcomes, sandbox_env
from sandbox_clients import client_for

EXCEL_ERROR = ('"{column}" holds the Excel error #N/A: the formula in this cell failed; fix the '
               "formula, or type the value in its place")
NO_CACHED = ('"Rate" holds a formula whose result was never saved (the file was written by a '
             "program, not by Excel); open the file in Excel and save it, or type the value in "
             "its place")
LINES = ["Invoice Number", "Customer Name", "Item Name", "Quantity", "Rate"]


def run(env, source, module, *extra):
    report = source.with_name(source.stem + ".report.csv")
    result = invoke(env, "import", source, "-m", module, "--rate", FAST, "--report", report, *extra)
    return result, report


def workbook(path: Path, header, rows, cached: dict[str, tuple[str | None, str]]) -> Path:
    """A workbook whose formula cells hold the result Excel saved: {"B2": ("e", "#N/A")} is
    <c r="B2" t="e"><f>...</f><v>#N/A</v></c>, as Excel writes a VLOOKUP that found nothing.
    (openpyxl writes formulas without a result; the sheet's XML is given one.)"""
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (kind, value) in cached.items():
        kind = f' t="{kind}"' if kind else ""
        sheet, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                           rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>', sheet)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def seed_for_invoices(sandbox):
    client = client_for(sandbox)
    client.create("contacts", {"contact_name": "Acme", "contact_type": "customer"})
    client.create("items", {"name": "Widget", "rate": 10.0})
    sandbox.stats.reset()


def lines_of(sandbox):
    return {i["invoice_number"]: [(li["quantity"], li["rate"]) for li in i["line_items"]]
            for i in sandbox.records("invoices")}


@pytest.mark.parametrize("extra", [(), ("--clear-marker", "#N/A")])
def test_a_contact_s_failed_vlookup_wipes_nothing_even_with_na_as_the_clear_marker(
        sandbox, tmp_path, extra):
    # An error cell is no text: not even a clear marker spelt like it makes it a clear.
    client = client_for(sandbox)
    for name, company in (("Acme", "Acme Holdings"), ("Bowman", "Bowman Group")):
        client.create("contacts", {"contact_name": name, "contact_type": "customer",
                                   "company_name": company})
    sandbox.stats.reset()
    env = sandbox_env(sandbox, tmp_path)
    source = workbook(tmp_path / "contacts.xlsx", ["Display Name", "Company Name"], [
        ["Acme", "=VLOOKUP(A2,Companies!A:B,2,FALSE)"], ["Bowman", '=A3&" Ltd"']],
        {"B2": ("e", "#N/A"), "B3": ("str", "Bowman Ltd")})

    result, report = run(env, source, "contacts", "-k", "contact_name", *extra)

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(2, "invalid", "E_EXCEL_ERROR", EXCEL_ERROR.format(column="Company Name")),
                                (3, "updated", "", "")]
    held = {c["contact_name"]: c["company_name"] for c in sandbox.records("contacts")}
    assert held == {"Acme": "Acme Holdings", "Bowman": "Bowman Ltd"}  # the cached result is read
    assert sandbox.stats.writes == 1


def test_an_invoice_whose_line_holds_a_failed_vlookup_or_an_uncomputed_formula_is_not_sent(
        sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = workbook(tmp_path / "invoices.xlsx", LINES, [
        ["A-1", "Acme", "Widget", 1, "=VLOOKUP(C2,Prices!A:B,2,FALSE)"],
        ["A-1", "Acme", "Widget", 2, 5],
        ["A-2", "Acme", "Widget", 1, "=2*3"],
        ["A-3", "Acme", "Widget", 1, "=2*4"]],
        {"E2": ("e", "#N/A"), "E4": (None, "6")})  # E5: no result saved

    result, report = run(env, source, "invoices")

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(2, "invalid", "E_EXCEL_ERROR", EXCEL_ERROR.format(column="Rate")),
                                (4, "created", "", ""),
                                (5, "invalid", "E_NO_CACHED_VALUE", NO_CACHED)]
    assert lines_of(sandbox) == {"A-2": [(1, 6)]}  # no A-1 with one line of two
    assert sandbox.stats.writes == 1


def test_an_invoice_s_na_text_in_a_csv_is_a_value(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = tmp_path / "invoices.csv"
    source.write_text(csv_text(LINES + ["Notes"], [["A-1", "Acme", "Widget", "1", "10", "#N/A"]]))

    result, report = run(env, source, "invoices")

    assert result.exit_code == 0, result.output + result.stderr
    [invoice] = sandbox.records("invoices")
    assert invoice["notes"] == "#N/A"


def test_a_semicolon_file_s_line_rates_wait_for_the_decimal_separator(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = tmp_path / "invoices.csv"
    source.write_text(csv_text(LINES, [["A-1", "Acme", "Widget", "1", "2,500"],
                                       ["A-2", "Acme", "Widget", "1", "12,345"],
                                       ["A-3", "Acme", "Widget", "1", "1,5"]], delimiter=";"))

    result, report = run(env, source, "invoices")
    assert result.exit_code == 1 and sandbox.stats.writes == 0
    assert [(r, s, c) for r, s, c, _ in outcomes(report)] == [
        (row, "invalid", "E_AMBIGUOUS_NUMBER") for row in (2, 3, 4)]
    assert 'say which with --decimal-point or --decimal-comma' in outcomes(report)[0][3]

    result, report = run(env, source, "invoices", "--decimal-point")
    assert result.exit_code == 1, result.output + result.stderr
    assert [s for _, s, _, _ in outcomes(report)] == ["created", "created", "invalid"]
    assert lines_of(sandbox) == {"A-1": [(1, 2500)], "A-2": [(1, 12345)]}

    result, report = run(env, source, "invoices", "--decimal-comma", "--no-resume",
                         "--journal", tmp_path / "comma.sqlite")
    assert [s for _, s, _, _ in outcomes(report)] == ["failed", "failed", "created"]  # numbers taken
    assert lines_of(sandbox)["A-3"] == [(1, 1.5)]


@pytest.mark.parametrize("name, make, what", [
    ("invoices.xlsx", lambda p: compound_file(p, ["EncryptionInfo", "EncryptedPackage"]),
     "the workbook is protected with a password (encrypted)"),
    ("invoices.xls", lambda p: compound_file(p, ["Workbook"]), "this is an old Excel 97-2003 workbook"),
    ("invoices.ods", ods_file, "this is an OpenDocument spreadsheet"),
    ("invoices.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n\x00\x01binary") and p,
     "this is not a spreadsheet bulkio can read"),
])
@pytest.mark.parametrize("module", ["invoices", "contacts"])
def test_files_that_are_no_workbook_stop_a_document_or_contact_import(sandbox, tmp_path, name, make,
                                                                      what, module):
    env = sandbox_env(sandbox, tmp_path)
    source = make(tmp_path / name)

    result, report = run(env, source, module)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {name}: {what}")
    assert "save it as .xlsx" in result.stderr
    assert sandbox.stats.writes == 0 and not report.exists()


def test_an_invoice_workbook_with_a_stray_space_in_xfd1048576_validates_and_imports(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    book = openpyxl.Workbook()
    book.active.append(LINES)
    book.active.append(["A-1", "Acme", "Widget", 1, 3])
    book.active.append(["A-1", "Acme", "Widget", 2, 4])
    book.active["XFD1048576"] = " "
    source = tmp_path / "invoices.xlsx"
    book.save(source)

    checked = invoke(env, "validate", source, "-m", "invoices", "--report", tmp_path / "v.csv")
    result, report = run(env, source, "invoices")

    assert checked.exit_code == 0, checked.output + checked.stderr
    assert outcomes(tmp_path / "v.csv") == [(2, "valid", "", "")]
    assert result.exit_code == 0, result.output + result.stderr
    assert lines_of(sandbox) == {"A-1": [(1, 3), (2, 4)]}


@pytest.mark.parametrize("extra", [(), ("-k", "invoice_number")])
def test_failed_vlookups_in_the_invoice_number_are_errors_not_a_split_document(sandbox, tmp_path, extra):
    # Before: rows 2 and 4 were one document "#N/A" split by row 3, and the message asked to
    # put its rows next to each other.
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    lookup = "=VLOOKUP(F{n},Orders!A:B,2,FALSE)"
    rows = [[lookup.format(n=2), "Acme", "Widget", 1, 3], ["B-1", "Acme", "Widget", 2, 4],
            [lookup.format(n=4), "Acme", "Widget", 2, 4], [lookup.format(n=5), "Acme", "Widget", 5, 4]]
    source = workbook(tmp_path / "invoices.xlsx", LINES, rows,
                      {f"A{n}": ("e", "#N/A") for n in (2, 4, 5)})

    result, report = run(env, source, "invoices", *extra)

    assert result.exit_code == 1, result.output + result.stderr
    error = EXCEL_ERROR.format(column="Invoice Number")
    assert outcomes(report) == [(2, "invalid", "E_EXCEL_ERROR", error), (3, "created", "", ""),
                                (4, "invalid", "E_EXCEL_ERROR", error), (5, "invalid", "E_EXCEL_ERROR", error)]
    assert lines_of(sandbox) == {"B-1": [(2, 4)]}
