"""Row statuses: their words, their categories, the exit code they give, the row outcome record."""

import csv
import json
import sqlite3
from dataclasses import FrozenInstanceError

import pytest

from bulkio.errors import ExitCode
from bulkio.outcomes import (
    Category,
    JournalState,
    RowOutcome,
    Status,
    category_of,
    exit_code_for,
    is_problem,
)
from bulkio.sheets.report import write_report

CATEGORIES = {
    "created": "good", "updated": "good", "would_create": "good", "would_update": "good", "valid": "good",
    "unchanged": "neutral", "skipped": "neutral", "deactivated": "neutral", "would_deactivate": "neutral",
    "failed": "bad", "invalid": "bad", "would_fail": "bad",
    "unknown": "unsure",
}


def test_every_status_word_and_its_category():
    assert {str(s): str(s.category) for s in Status} == CATEGORIES


def test_statuses_are_listed_in_screen_order():
    assert [str(s) for s in Status][:11] == [
        "created", "updated", "unchanged", "would_create", "would_update", "valid", "skipped",
        "failed", "unknown", "would_fail", "invalid",
    ]


def test_a_status_is_its_plain_word_in_text_json_csv_and_sqlite(tmp_path):
    status = Status.WOULD_FAIL
    assert (status, str(status), f"{status}", json.dumps({status: status})) == (
        "would_fail", "would_fail", "would_fail", '{"would_fail": "would_fail"}')
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (s TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (JournalState.SENDING,))
    assert conn.execute("SELECT s, typeof(s) FROM t").fetchone() == ("sending", "text")
    files = write_report(tmp_path / "r.csv", [RowOutcome(2, None, Status.CREATED, "9")], None, summary={})
    with open(files.report, encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f))[1][:4] == ["2", "", "created", "9"]


def test_journal_states_are_not_row_statuses():
    assert [str(s) for s in JournalState] == ["pending", "sending"]
    assert not {str(s) for s in JournalState} & {str(s) for s in Status}


@pytest.mark.parametrize("statuses, stopped, code", [
    (["created", "unchanged", "skipped", "valid", "would_create", "would_update"], None, ExitCode.OK),
    (["deactivated", "would_deactivate"], None, ExitCode.OK),
    ([], None, ExitCode.OK),
    (["created", "failed"], None, ExitCode.ROWS_FAILED),
    (["invalid"], None, ExitCode.ROWS_FAILED),
    (["would_fail"], None, ExitCode.ROWS_FAILED),
    (["unknown"], None, ExitCode.ROWS_FAILED),
    (["no such status"], None, ExitCode.ROWS_FAILED),
    (["created"], "quota", ExitCode.STOPPED),
])
def test_exit_code_from_the_statuses(statuses, stopped, code):
    assert exit_code_for(statuses, stopped) == code


def test_problems_are_the_bad_and_the_unsure():
    assert {str(s) for s in Status if is_problem(s)} == {"failed", "invalid", "would_fail", "unknown"}
    assert not is_problem("no such status")
    assert category_of("no such status") is Category.NEUTRAL


def test_row_outcome_is_the_report_row():
    outcome = RowOutcome(2, "INV-1", Status.FAILED, None, "E_LINE_ITEMS", "boom", 1, rows=(2, 3))
    assert (outcome.attempts, outcome.rows, outcome.message) == (1, (2, 3), "boom")
    assert RowOutcome(4, None, "created") == RowOutcome(4, None, Status.CREATED, None, None, "", 0, ())
    with pytest.raises(FrozenInstanceError):
        outcome.status = Status.CREATED  # type: ignore[misc]


def test_the_report_colours_each_status_by_its_category(tmp_path):
    from openpyxl import load_workbook

    rows = [RowOutcome(n, None, s) for n, s in enumerate(Status, start=2)]
    files = write_report(tmp_path / "r.xlsx", rows, None, summary={})
    sheet = load_workbook(files.report)["Report"]
    fills = {sheet.cell(n, 3).value: sheet.cell(n, 3).fill.fgColor.rgb[-6:] for n in range(2, len(rows) + 2)}
    colour = {"good": "C6EFCE", "neutral": "D9D9D9", "bad": "FFC7CE", "unsure": "FFEB9C"}
    assert fills == {word: colour[category] for word, category in CATEGORIES.items()}
