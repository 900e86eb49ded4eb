"""`validate` of a large file, chunk by chunk (bulkio.validating): the same report and errors file
as the whole-file path, forced here with a tiny size threshold and chunks of 3 rows."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from bulkio.catalogue import load_module
from bulkio.cli.render import problem_lines, summary_lines
from bulkio.errors import ExitCode
from bulkio.outcomes import RowOutcome
from bulkio.preparing import ImportOptions
from bulkio.readers import iter_tables
from bulkio.sheets.report import ReportWriter
from bulkio.validating import run_validate

ITEMS = load_module("items").with_custom_fields(
    [{"field_id": "7", "label": "External ID", "data_type": "string", "is_unique": True}])
HEADER = ["External ID", "Item Name", "Selling Price", "Product Type", "Description"]
# Read 3 rows at a time; a chunk's last row (4 or 8, see chunk_ends) is no "Total" row.
ROWS = [
    ["A-1", "Pen", "1.50", "goods", "'=cheap"],   # 2: a cell guarded by export, unguarded
    ["A-2", "Pencil", "abc", "goods", ""],        # 3: E_TYPE
    ["A-3", "Total", "3", "goods", ""],           # 4: ends an XLSX chunk, not the file: valid
    ["A-4", "", "4", "goods", ""],                # 5: E_REQUIRED
    ["A-5", "Ruler", "5", "gadget", ""],          # 6: E_CHOICE
    ["A-2", "Eraser", "6", "goods", ""],          # 7: key of row 3, another chunk
    ["A-6", "Subtotal", "7", "service", ""],      # 8: ends a CSV chunk, not the file: valid
    ["", "", "", "", ""],                         # 9: empty
    ["A-1", "Pad", "8", "goods", ""],             # 10: key of row 2, two chunks back
    ["A-7", "Clip", "9", "goods", ""],            # 11
    ["A-8", "Grand total", "45", "goods", ""],    # 12: the file's last row: E_TOTAL_ROW
]
INVALID = [3, 5, 6, 7, 10, 12]


def write_csv(path: Path, rows=ROWS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *rows])
    return path


def write_xlsx(path: Path, rows=ROWS) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append([None if cell == "" else cell for cell in row])
    book.save(path)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_sheet(path: Path, title: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True)[title].iter_rows(values_only=True))


def chunk_ends(source: Path) -> list[int]:
    return [int(chunk.index[-1]) for chunk in iter_tables(source, chunk_rows=3)]


def both_ways(source: Path, suffix: str, **chunked):
    """(whole-file result, chunked result) of validating `source`, reports side by side."""
    def options(name: str) -> ImportOptions:
        return ImportOptions(source, "items", key="External ID", report=source.with_name(f"{name}{suffix}"))

    whole = run_validate(options("whole"), ITEMS)
    streamed = run_validate(options("chunked"), ITEMS, large_file_bytes=0, chunk_rows=3, **chunked)
    return whole, streamed


def test_csv_chunked_report_and_errors_file_equal_the_whole_file_ones(tmp_path):
    source = write_csv(tmp_path / "items.csv")
    assert 8 in chunk_ends(source)[:-1]
    whole, streamed = both_ways(source, ".csv")
    assert whole.tally is None and streamed.tally is not None  # the two paths really differ
    report = read_csv(streamed.files.report)
    assert report == read_csv(whole.files.report)
    assert read_csv(streamed.files.errors) == read_csv(whole.files.errors)
    assert streamed.files.errors == tmp_path / "chunked.errors.csv"
    by_row = {line[0]: line for line in report[1:]}
    assert [int(r) for r in by_row] == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12]
    assert [int(r) for r, line in by_row.items() if line[2] == "invalid"] == INVALID
    assert by_row["7"][4] == by_row["10"][4] == "E_DUPLICATE_KEY"
    assert "row 3" in by_row["7"][5] and "row 2" in by_row["10"][5]
    assert by_row["4"][2] == by_row["8"][2] == "valid" and by_row["12"][4] == "E_TOTAL_ROW"
    assert by_row["2"][-1] == "=cheap"


def test_xlsx_chunked_report_and_errors_file_equal_the_whole_file_ones(tmp_path):
    source = write_xlsx(tmp_path / "items.xlsx")
    assert 4 in chunk_ends(source)[:-1]
    whole, streamed = both_ways(source, ".xlsx")
    assert whole.tally is None and streamed.tally is not None
    report = read_sheet(streamed.files.report, "Report")
    assert report == read_sheet(whole.files.report, "Report")
    assert read_sheet(streamed.files.errors, "Errors") == read_sheet(whole.files.errors, "Errors")
    assert [r[0] for r in report[1:] if r[2] == "invalid"] == INVALID
    assert [r[0] for r in read_sheet(streamed.files.errors, "Errors")[1:]] == [
        "A-2", "A-4", "A-5", "A-2", "A-1", "A-8"]

    def summary(path):  # the time it finished differs, every other fact is the same
        return [r for r in read_sheet(path, "Summary") if r[0] != "finished"]

    assert summary(streamed.files.report) == summary(whole.files.report)
    assert ("rows", "10") in summary(streamed.files.report)


def test_the_chunked_xlsx_report_is_styled_like_the_whole_file_one(tmp_path):
    _, streamed = both_ways(write_xlsx(tmp_path / "items.xlsx"), ".xlsx")
    sheet = openpyxl.load_workbook(streamed.files.report)["Report"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.auto_filter.ref == "A1:K11"
    fills = {sheet.cell(row, 1).value: sheet.cell(row, 3).fill.fgColor.rgb for row in range(2, 12)}
    assert fills[2].endswith("C6EFCE") and fills[3].endswith("FFC7CE")
    assert sheet.cell(2, 1).data_type == "n"  # row numbers sort as numbers


def test_the_result_keeps_counts_and_only_the_first_problems(tmp_path):
    whole, streamed = both_ways(write_csv(tmp_path / "items.csv"), ".csv")
    assert streamed.counts == whole.counts == {"valid": 4, "invalid": 6}
    assert [r.row for r in streamed.rows] == INVALID  # valid rows are not kept
    assert streamed.exit_code == whole.exit_code == ExitCode.ROWS_FAILED
    assert summary_lines(streamed) == summary_lines(whole)[:1] + [
        f"Report: {streamed.files.report}",
        f"Rows to fix: {streamed.files.errors} (fix them and import that file again)"]
    assert problem_lines(streamed, limit=2) == problem_lines(whole, limit=2)
    assert problem_lines(streamed, limit=2)[-1] == "... and 4 more rows in the report"


def test_only_the_first_problem_rows_are_held(tmp_path):
    from bulkio.validating import validate_streamed

    source = write_csv(tmp_path / "items.csv")
    opts = ImportOptions(source, "items", key="External ID", report=tmp_path / "r.csv")
    result = validate_streamed(opts, ITEMS, chunk_rows=3, keep_problems=2)
    assert [r.row for r in result.rows] == [3, 5]
    assert result.counts["invalid"] == 6
    assert problem_lines(result) == [
        "Row 3 [E_TYPE] " + result.rows[0].message, "Row 5 [E_REQUIRED] " + result.rows[1].message,
        "... and 4 more rows in the report"]


def test_a_valid_chunked_file_exits_ok_and_leaves_no_errors_file(tmp_path):
    valid = [r for i, r in enumerate(ROWS, start=2) if i not in INVALID and any(r)]
    source = write_csv(tmp_path / "items.csv", valid)
    stale = tmp_path / "r.errors.csv"
    stale.write_text("from an earlier run")
    opts = ImportOptions(source, "items", key="External ID", report=tmp_path / "r.csv")
    result = run_validate(opts, ITEMS, large_file_bytes=0, chunk_rows=2)
    assert (result.exit_code, result.counts, result.rows) == (ExitCode.OK, {"valid": 4}, [])
    assert result.files.errors is None and not stale.exists()
    assert len(read_csv(result.files.report)) == 5


def test_warnings_are_passed_on_once(tmp_path):
    rows = [r + ["x"] for r in ROWS]
    source = tmp_path / "items.csv"
    with open(source, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER + ["Shelf"], *rows])
    seen = []
    opts = ImportOptions(source, "items", key="External ID", report=tmp_path / "r.csv")
    result = run_validate(opts, ITEMS, large_file_bytes=0, chunk_rows=3, on_warning=seen.append)
    assert len(seen) == 1 and '"Shelf"' in seen[0] and result.warnings == seen


def test_a_small_file_is_read_whole_and_documents_always_are(tmp_path):
    source = write_csv(tmp_path / "items.csv")
    opts = ImportOptions(source, "items", key="External ID", report=tmp_path / "r.csv")
    assert run_validate(opts, ITEMS).tally is None
    invoice = tmp_path / "invoices.csv"
    invoice.write_text("Invoice Number,Customer Name,Item Name,Quantity,Rate\n"
                       "INV-1,Acme,Pen,1,2\nINV-1,Acme,Ink,2,3\n", encoding="utf-8")
    opts = ImportOptions(invoice, "invoices", report=tmp_path / "inv.csv")
    result = run_validate(opts, load_module("invoices"), large_file_bytes=0, chunk_rows=1)
    assert result.tally is None and len(result.rows) == 1  # one document from two rows


def test_a_report_writer_left_by_an_error_leaves_no_file_behind(tmp_path):
    target = tmp_path / "r.xlsx"
    with pytest.raises(RuntimeError):
        with ReportWriter(target) as writer:
            writer.add([RowOutcome(2, "A-1", "invalid", None, "E_TYPE", "bad")], None)
            raise RuntimeError("stopped half way")
    assert list(tmp_path.iterdir()) == []
