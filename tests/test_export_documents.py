"""Invoices go out to a spreadsheet and come back in unchanged, in both layouts."""

import shutil
from pathlib import Path

import openpyxl
import pytest
from e2e_support import invoke, sandbox_env

from bulkio.cli.demo import samples_dir
from bulkio.sandbox.seed import add_custom_fields_from


def _imported(sandbox, tmp_path: Path) -> dict:
    samples = samples_dir()
    add_custom_fields_from(sandbox, samples / "custom_fields.toml")
    env = sandbox_env(sandbox, tmp_path)
    for name, module, key in (("items.xlsx", "items", "External ID"), ("contacts.csv", "contacts", "External ID"),
                              ("invoices.xlsx", "invoices", "Legacy Number")):
        shutil.copyfile(samples / name, tmp_path / name)
        result = invoke(env, "import", tmp_path / name, "-m", module, "-k", key, "--rate", "60000")
        assert result.exit_code == 0, result.output + result.stderr
    return env


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_invoices_export_and_import_back_unchanged_with_zero_writes(sandbox, tmp_path, suffix):
    env = _imported(sandbox, tmp_path)
    invoices = sandbox.records("invoices")
    out = tmp_path / f"invoices-export{suffix}"

    exported = invoke(env, "export", "-m", "invoices", "-o", out, "--rate", "60000")
    assert exported.exit_code == 0, exported.output + exported.stderr
    sandbox.stats.reset()
    again = invoke(env, "import", out, "-m", "invoices", "-k", "Legacy Number", "--skip-unchanged",
                   "--rate", "60000", "--report", tmp_path / "again.csv")

    assert again.exit_code == 0, again.output + again.stderr
    assert sandbox.stats.writes == 0
    assert f"Rows: {len(invoices)} ({len(invoices)} unchanged)" in again.output
    assert sandbox.records("invoices") == invoices


def test_an_invoice_workbook_has_a_header_sheet_and_a_line_items_sheet(sandbox, tmp_path):
    env = _imported(sandbox, tmp_path)
    out = tmp_path / "invoices-export.xlsx"
    assert invoke(env, "export", "-m", "invoices", "-o", out, "--rate", "60000").exit_code == 0

    wb = openpyxl.load_workbook(out)
    invoices = sandbox.records("invoices")
    lines = sum(len(inv["line_items"]) for inv in invoices)
    assert len(wb.sheetnames) == 2
    header, line_sheet = (wb[name] for name in wb.sheetnames)
    assert header.max_row - 1 == len(invoices)
    assert line_sheet.max_row - 1 == lines
