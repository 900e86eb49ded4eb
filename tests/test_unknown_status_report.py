"""Status `unknown` (contract): a write that went out and that nothing settled. It is counted on
its own, exits 1, is listed with the problems, and stays out of the errors file, since importing
that file again could create the record twice; the report and the screen say so."""

from __future__ import annotations

import pandas as pd
from e2e_support import read_table
from openpyxl import load_workbook

from bulkio.cli.render import problem_lines, summary_lines
from bulkio.errors import ExitCode
from bulkio.importing import ImportResult
from bulkio.outcomes import RowOutcome
from bulkio.sheets.report import unknown_note, write_report

UNKNOWN_MESSAGE = ("the write went out and no answer came; nothing identifies the invoice: look for "
                   "an invoice for Bowman Ltd dated 2024-05-01 in Zoho before sending this row again")
ROWS = [
    RowOutcome(2, None, "created", "460001"),
    RowOutcome(3, None, "unknown", None, "E_UNKNOWN_OUTCOME", UNKNOWN_MESSAGE),
    RowOutcome(4, None, "failed", None, "1001", "Item \"Desk\" already exists."),
]


def frame() -> pd.DataFrame:
    df = pd.DataFrame({"Customer": ["Acme", "Bowman Ltd", "Globex"], "Date": ["2024-05-01"] * 3},
                      index=pd.Index([2, 3, 4], name="row"))
    return df


def test_unknown_rows_are_not_in_the_errors_file_and_the_summary_says_why(tmp_path):
    files = write_report(tmp_path / "r.xlsx", ROWS, frame(), summary={"module": "invoices"})

    assert [r["status"] for r in read_table(files.report)] == ["created", "unknown", "failed"]
    assert [r["Customer"] for r in read_table(files.errors)] == ["Globex"]  # the failed row only
    book = load_workbook(files.report)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["status: unknown"] == "1"
    assert summary["note: unknown"] == (
        "1 row was sent, but whether Zoho saved it is not known: check it in Zoho (the message in "
        "the report says what to look for). It is not in the errors file: importing that file "
        "again could create it twice.")
    fills = {row[2].value: row[2].fill.fgColor.rgb for row in book["Report"].iter_rows(min_row=2)}
    assert len(set(fills.values())) == 3  # unknown is neither green nor red


def test_a_csv_report_keeps_unknown_rows_out_of_its_errors_file_too(tmp_path):
    files = write_report(tmp_path / "r.csv", ROWS[:2], frame(), summary={})

    assert [r["status"] for r in read_table(files.report)] == ["created", "unknown"]
    assert files.errors is None and not (tmp_path / "r.errors.csv").exists()


def test_the_screen_lists_unknown_rows_and_says_to_check_them_and_the_exit_is_1(tmp_path):
    files = write_report(tmp_path / "r.csv", ROWS, frame(), summary={})
    result = ImportResult(ROWS, files)

    assert result.exit_code == ExitCode.ROWS_FAILED
    assert problem_lines(result) == [f"Row 3 [E_UNKNOWN_OUTCOME] {UNKNOWN_MESSAGE}",
                                     'Row 4 [1001] Item "Desk" already exists.']
    assert summary_lines(result) == [
        "Rows: 3 (1 created, 1 failed, 1 unknown)",
        f"Report: {tmp_path / 'r.csv'}",
        f"Rows to fix: {tmp_path / 'r.errors.csv'} (fix them and import that file again)",
        "Check in Zoho: 1 row was sent, but whether Zoho saved it is not known: check it in Zoho "
        "(the message in the report says what to look for). It is not in the errors file: "
        "importing that file again could create it twice.",
    ]


def test_only_unknown_rows_still_exit_1():
    result = ImportResult([RowOutcome(2, None, "created"), RowOutcome(3, None, "unknown")], None)

    assert result.exit_code == ExitCode.ROWS_FAILED
    assert ImportResult([RowOutcome(2, None, "created")], None).exit_code == ExitCode.OK


def test_the_note_counts_several_rows():
    assert unknown_note(3).startswith("3 rows were sent, but whether Zoho saved them is not known")
