"""Everything checked before the first write : a report path the run could
not use stops it with exit 2 before anything is sent. Before, `--report report.pdf`, a folder
that is a file or a report open in Excel were found after every row was written."""

from __future__ import annotations

import pytest
from e2e_support import csv_text, invoke, numbered_items, sandbox_env, write_bytes
from sandbox_clients import client_for

from bulkio.errors import ExitCode, InputError, StoppedError
from bulkio.importing import run_import
from bulkio.outcomes import RowOutcome
from bulkio.preparing import ImportOptions, resolve_module
from bulkio.sheets.report import write_report

EXCEL_OPEN = ("is open in Excel or another spreadsheet program ({lock} is beside it), so it cannot "
              "be replaced: close it there and run the same command again, or pass --report PATH "
              "to write elsewhere. If it is not open, delete {path}.")


@pytest.fixture
def items(sandbox, tmp_path):
    """(env, source) of a create-mode import of 3 items."""
    header, rows = numbered_items(3)
    source = write_bytes(tmp_path / "items.csv", csv_text(header[1:], [r[1:] for r in rows]), "utf-8")
    return sandbox_env(sandbox, tmp_path), source


def run(env, source, report) -> object:
    return invoke(env, "import", source, "-m", "items", "--rate", "60000", "--report", report)


def test_a_report_that_is_no_csv_or_xlsx_stops_before_sending(sandbox, items, tmp_path):
    result = run(*items, tmp_path / "report.pdf")

    assert result.exit_code == 2
    assert result.stderr == ("Error: The report must be a .csv or .xlsx file, not 'report.pdf'. "
                             "Pass --report with one of those extensions.\n")
    assert sandbox.stats.writes == 0 and sandbox.records("items") == []
    assert not (tmp_path / "items.journal.sqlite").exists()


def test_a_report_folder_that_is_a_file_stops_before_sending(sandbox, items, tmp_path):
    (tmp_path / "reports").write_text("not a folder")

    result = run(*items, tmp_path / "reports" / "items.xlsx")

    assert result.exit_code == 2
    assert result.stderr == (f"Error: Cannot write the report {tmp_path / 'reports' / 'items.xlsx'}: "
                             f"{tmp_path / 'reports'} is a file, not a folder. Pass --report PATH "
                             "to write it elsewhere.\n")
    assert sandbox.stats.writes == 0


@pytest.mark.parametrize("open_file", ["report.xlsx", "report.errors.xlsx", "report.errors.csv"])
def test_a_report_or_errors_file_open_in_excel_stops_before_sending(sandbox, items, tmp_path, open_file):
    lock = tmp_path / f"~${open_file}"
    lock.write_bytes(b"\x00" * 165)  # what Excel keeps beside a workbook it has open

    result = run(*items, tmp_path / "report.xlsx")

    what = "report" if open_file == "report.xlsx" else "errors file"
    assert result.exit_code == 2
    assert result.stderr == f"Error: The {what} {tmp_path / open_file} " + EXCEL_OPEN.format(
        lock=lock.name, path=lock) + "\n"
    assert sandbox.stats.writes == 0


def test_a_libreoffice_lock_counts_too(sandbox, items, tmp_path):
    (tmp_path / ".~lock.report.csv#").write_text("someone,host,...")

    result = run(*items, tmp_path / "report.csv")

    assert result.exit_code == 2 and "is open in Excel or another spreadsheet program" in result.stderr
    assert sandbox.stats.writes == 0


def test_the_input_file_is_never_the_report(sandbox, tmp_path):
    header, rows = numbered_items(2)
    source = write_bytes(tmp_path / "items.csv", csv_text(header[1:], [r[1:] for r in rows]), "utf-8")
    before = source.read_bytes()

    result = run(sandbox_env(sandbox, tmp_path), source, source)

    assert result.exit_code == 2
    assert result.stderr == (f"Error: The report {source} is the input file itself: writing it would "
                             "replace your data. Pass --report PATH with another name.\n")
    assert source.read_bytes() == before and sandbox.stats.writes == 0


def test_validate_checks_its_report_before_reading(tmp_path):
    source = write_bytes(tmp_path / "items.csv", "Item Name,Rate\nDesk,10\n", "utf-8")
    (tmp_path / "~$items.report.xlsx").write_bytes(b"x")

    result = invoke({"HOME": str(tmp_path)}, "validate", source, "-m", "items")

    assert result.exit_code == 2 and "is open in Excel" in result.stderr


def test_the_report_writer_refuses_the_same_cases_with_the_same_message(tmp_path):
    (tmp_path / "~$r.xlsx").write_bytes(b"x")
    (tmp_path / "file").write_text("")
    rows = [RowOutcome(2, None, "created")]
    cases = {
        tmp_path / "r.pdf": "The report must be a .csv or .xlsx file, not 'r.pdf'. "
                            "Pass --report with one of those extensions.",
        tmp_path / "r.xlsx": f"The report {tmp_path / 'r.xlsx'} "
                             + EXCEL_OPEN.format(lock="~$r.xlsx", path=tmp_path / "~$r.xlsx"),
        tmp_path / "file" / "r.csv": f"Cannot write the report {tmp_path / 'file' / 'r.csv'}: {tmp_path / 'file'} "
                                     "is a file, not a folder. Pass --report PATH to write it elsewhere.",
    }
    for path, message in cases.items():
        with pytest.raises(InputError) as err:
            write_report(path, rows, None, summary={})
        assert str(err.value) == message


def test_a_report_opened_in_excel_during_the_run_stops_it_resumably_not_with_exit_2(sandbox, tmp_path):
    header, rows = numbered_items(3)
    source = write_bytes(tmp_path / "items.csv", csv_text(header[1:], [r[1:] for r in rows]), "utf-8")
    report = tmp_path / "report.xlsx"
    client = client_for(sandbox)
    opts = ImportOptions(path=source, module="items", report=report, rate=60000)

    def opened(*_args, **_kw):
        (tmp_path / "~$report.xlsx").write_bytes(b"x")

    with pytest.raises(StoppedError) as err:
        run_import(opts, client, resolve_module("items", client), on_progress=opened)

    assert err.value.exit_code == ExitCode.STOPPED
    assert str(err.value).endswith(f"Every row sent is in the journal {tmp_path / 'items.journal.sqlite'}: "
                                   "the same command again sends nothing twice and writes the report.")
    assert len(sandbox.records("items")) == 3
    (tmp_path / "~$report.xlsx").unlink()
    sandbox.stats.reset()
    again = run_import(opts, client, resolve_module("items", client))
    assert again.exit_code == ExitCode.OK and report.exists() and sandbox.stats.writes == 0
