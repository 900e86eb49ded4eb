"""The results report and its errors file, read back as a user (or bulkio) would."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from bulkio.errors import InputError, RowError
from bulkio.outcomes import RowOutcome
from bulkio.sheets.report import combine_errors, errors_path, write_report


def frame(rows: dict[int, dict[str, str]]) -> pd.DataFrame:
    df = pd.DataFrame.from_dict(rows, orient="index", dtype=str)
    df.index.name = "row"
    return df


INPUT = frame({
    2: {"SKU": "A-1", "Name": "Apple", "Price": "00042"},
    3: {"SKU": "B-2", "Name": "=HYPERLINK(\"x\")", "Price": "abc"},
    4: {"SKU": "C-3", "Name": "Cherry", "Price": "3"},
    5: {"SKU": "D-4", "Name": "Date", "Price": ""},
})

ROWS = [
    RowOutcome(2, "A-1", "created", "100"),
    RowOutcome(3, "B-2", "invalid", None, "E_TYPE", "column Price: 'abc' is not a number"),
    RowOutcome(4, "C-3", "unchanged", "101"),
    RowOutcome(5, "D-4", "failed", None, "1001", "Item name already exists"),
]

SUMMARY = {"module": "items", "file": "items.csv", "duration_s": "1.5",
           "calls": {"reads": 1, "writes": 2}}


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_report_has_outcome_columns_then_the_input_in_input_order(tmp_path):
    files = write_report(tmp_path / "out.csv", ROWS, INPUT, summary=SUMMARY)
    table = read_csv(files.report)
    assert table[0] == ["row", "key", "status", "record_id", "error_code", "message",
                        "SKU", "Name", "Price"]
    assert table[1] == ["2", "A-1", "created", "100", "", "", "A-1", "Apple", "00042"]
    assert table[2] == ["3", "B-2", "invalid", "", "E_TYPE",
                        "column Price: 'abc' is not a number", "B-2", '=HYPERLINK("x")', "abc"]
    assert [r[2] for r in table[1:]] == ["created", "invalid", "unchanged", "failed"]


def test_csv_errors_file_is_the_failed_input_rows_plus_code_and_message(tmp_path):
    files = write_report(tmp_path / "out.csv", ROWS, INPUT, summary=SUMMARY)
    assert files.errors == tmp_path / "out.errors.csv"
    table = read_csv(files.errors)
    assert table == [
        ["SKU", "Name", "Price", "error_code", "message"],
        ["B-2", '=HYPERLINK("x")', "abc", "E_TYPE", "column Price: 'abc' is not a number"],
        ["D-4", "Date", "", "1001", "Item name already exists"],
    ]


def test_an_errors_file_imported_again_gets_fresh_error_columns(tmp_path):
    again = frame({2: {"SKU": "B-2", "Price": "abc", "error_code": "E_TYPE", "message": "old"}})
    rows = [RowOutcome(2, "B-2", "failed", None, "1000", "new problem")]
    files = write_report(tmp_path / "again.csv", rows, again, summary={})
    assert read_csv(files.report)[0] == ["row", "key", "status", "record_id", "error_code",
                                         "message", "SKU", "Price"]
    assert read_csv(files.errors) == [["SKU", "Price", "error_code", "message"],
                                      ["B-2", "abc", "1000", "new problem"]]


def test_input_columns_named_like_outcome_columns_are_renamed_in_the_report(tmp_path):
    df = frame({2: {"status": "active", "Name": "A"}})
    files = write_report(tmp_path / "r.csv", [RowOutcome(2, None, "created", "9")], df, summary={})
    table = read_csv(files.report)
    assert table[0][6:] == ["status (input)", "Name"]
    assert table[1][2] == "created" and table[1][6] == "active"


def test_a_document_fails_with_all_its_line_rows(tmp_path):
    df = frame({2: {"Invoice": "INV-1", "Item": "a"}, 3: {"Invoice": "INV-1", "Item": "b"},
                4: {"Invoice": "INV-2", "Item": "c"}})
    rows = [RowOutcome(2, "INV-1", "failed", None, "1000", "boom", rows=(2, 3)),
            RowOutcome(4, "INV-2", "created", "5", rows=(4,))]
    files = write_report(tmp_path / "r.csv", rows, df, summary={})
    assert len(read_csv(files.report)) == 3
    assert read_csv(files.errors)[1:] == [["INV-1", "a", "1000", "boom"],
                                          ["INV-1", "b", "1000", "boom"]]


def test_no_errors_means_no_errors_file_and_a_stale_one_is_removed(tmp_path):
    stale_csv = tmp_path / "r.errors.csv"
    stale_xlsx = tmp_path / "r.errors.xlsx"
    stale_csv.write_text("old")
    stale_xlsx.write_text("old")
    files = write_report(tmp_path / "r.csv", [RowOutcome(2, "A-1", "created", "1")], INPUT,
                         summary={})
    assert files.errors is None
    assert not stale_csv.exists() and not stale_xlsx.exists()


def test_xlsx_report_colours_filter_frozen_header_and_text_cells(tmp_path):
    files = write_report(tmp_path / "out.report.xlsx", ROWS, INPUT, summary=SUMMARY)
    wb = openpyxl.load_workbook(files.report)
    assert wb.sheetnames == ["Report", "Summary"]
    ws = wb["Report"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I5"
    assert [c.value for c in ws[1]] == ["row", "key", "status", "record_id", "error_code",
                                        "message", "SKU", "Name", "Price"]
    fills = {ws.cell(r, 3).value: ws.cell(r, 3).fill.fgColor.rgb[-6:] for r in range(2, 6)}
    assert fills == {"created": "C6EFCE", "invalid": "FFC7CE", "unchanged": "D9D9D9",
                     "failed": "FFC7CE"}
    formula_cell = ws.cell(3, 8)
    assert (formula_cell.value, formula_cell.data_type) == ('=HYPERLINK("x")', "s")
    assert ws.cell(2, 9).value == "00042" and ws.cell(2, 1).value == 2  # a number, so the column sorts
    assert ws.column_dimensions["F"].width > ws.column_dimensions["A"].width
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["rows"] == "4"
    assert summary["status: failed"] == "1" and summary["status: created"] == "1"
    assert summary["module"] == "items" and summary["calls: writes"] == "2"
    assert summary["duration_s"] == "1.5" and summary["file"] == "items.csv"


def test_xlsx_errors_file_reads_back_with_the_input_columns(tmp_path):
    files = write_report(tmp_path / "out.report.xlsx", ROWS, INPUT, summary=SUMMARY)
    assert files.errors == tmp_path / "out.report.errors.xlsx"
    back = pd.read_excel(files.errors, dtype=str, keep_default_na=False, engine="calamine")
    assert list(back.columns) == ["SKU", "Name", "Price", "error_code", "message"]
    assert back.to_dict("records") == [
        {"SKU": "B-2", "Name": '=HYPERLINK("x")', "Price": "abc", "error_code": "E_TYPE",
         "message": "column Price: 'abc' is not a number"},
        {"SKU": "D-4", "Name": "Date", "Price": "", "error_code": "1001",
         "message": "Item name already exists"},
    ]


def test_control_characters_do_not_break_an_xlsx(tmp_path):
    df = frame({2: {"Name": "bell\x07here"}})
    files = write_report(tmp_path / "r.xlsx", [RowOutcome(2, None, "created", "1")], df,
                         summary={})
    assert openpyxl.load_workbook(files.report)["Report"].cell(2, 7).value == "bellhere"


def test_other_extensions_are_refused_with_a_hint(tmp_path):
    with pytest.raises(InputError, match="--report"):
        write_report(tmp_path / "r.txt", ROWS, INPUT, summary={})


def test_errors_path_sits_beside_the_report():
    assert errors_path("/x/items.report.xlsx").as_posix() == "/x/items.report.errors.xlsx"
    assert errors_path("/x/out.CSV").as_posix() == "/x/out.errors.csv"


def test_several_errors_of_one_row_join_with_the_first_code():
    errors = [RowError(3, "Price", "E_TYPE", "abc", "Price: 'abc' is not a number"),
              RowError(2, "Name", "E_REQUIRED", "", "Name is required"),
              RowError(3, "Unit", "E_CHOICE", "kgs", "Unit: 'kgs' is not one of kg, g")]
    assert combine_errors(errors) == {
        3: ("E_TYPE", "Price: 'abc' is not a number; Unit: 'kgs' is not one of kg, g"),
        2: ("E_REQUIRED", "Name is required"),
    }


AWKWARD = ["a&b<c>d", "  both ends  ", "line\nbreak", "tab\tin", "ünïcødé ✓ 漢字", '"quoted"', "{0} {1}", ""]


@pytest.mark.parametrize("reader", ["openpyxl", "calamine"])
def test_awkward_cells_read_back_exactly_from_the_streamed_xlsx(tmp_path, reader):
    df = frame({row: {"Text": text, "Other": "x"} for row, text in enumerate(AWKWARD, start=2)})
    rows = [RowOutcome(row, None, "created", str(row)) for row in df.index]
    files = write_report(tmp_path / "r.xlsx", rows, df, summary={})
    if reader == "openpyxl":
        ws = openpyxl.load_workbook(files.report)["Report"]
        back = [ws.cell(r, 7).value for r in range(2, len(AWKWARD) + 2)]
        assert ws.cell(len(AWKWARD) + 1, 1).value == len(AWKWARD) + 1
        assert ws.cell(3, 3).fill.fgColor.rgb[-6:] == "C6EFCE"
    else:
        back = pd.read_excel(files.report, dtype=str, keep_default_na=False, engine="calamine")["Text"].tolist()
    assert back == [text or (None if reader == "openpyxl" else "") for text in AWKWARD]


def test_csv_written_by_columns_is_what_csv_writer_writes():
    import io
    import random

    from bulkio.sheets.csvtext import write_columns

    pieces = ["a", ",", '"', "\r", "\n", " ", "\t", "'", "é", ";", "\x00", "", "\\"]
    rnd = random.Random(12)
    for _ in range(2000):
        rows = rnd.randint(0, 4)
        columns = [["".join(rnd.choices(pieces, k=rnd.randint(0, 4))) for _ in range(rows)]
                   for _ in range(rnd.randint(1, 5))]
        expected, written = io.StringIO(), io.StringIO()
        csv.writer(expected).writerows(zip(*columns, strict=True))
        write_columns(written, columns, piece=2)
        assert written.getvalue() == expected.getvalue(), columns
