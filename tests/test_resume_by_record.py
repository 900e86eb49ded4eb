"""Resume by record: the journal knows its rows by what they send, not by where they are.

Create mode (no -k) used to match journal entries by row number: a row inserted at the top
gave every existing record its neighbour's data. Over real HTTP through the CLI."""

from __future__ import annotations

import sqlite3

from e2e_support import as_schema_1, csv_text, import_args, invoke, outcomes, sandbox_env

from bulkio.run.journal import Journal
from bulkio.run.journalentry import JournalEntry
from bulkio.run.journalmatch import RowSig, match

HEADER = ["Item Name", "Rate"]


def items_file(path, rows):
    path.write_text(csv_text(HEADER, rows), encoding="utf-8")
    return path


def rows_of(n):
    return [[f"Item K{i:05d}", str(10 + i)] for i in range(n)]


def run(env, source, report, *extra):
    return invoke(env, *import_args(source, *extra, key=None, report=report))


def first_run(sandbox, tmp_path, n, report="report.csv"):
    """A file of `n` items imported once in create mode: (env, file, report)."""
    env = sandbox_env(sandbox, tmp_path)
    source, report = tmp_path / "items.csv", tmp_path / report
    items_file(source, rows_of(n))
    assert run(env, source, report).exit_code == 0
    return env, source, report


def in_zoho(sandbox):
    return {r["name"]: (r["item_id"], float(r["rate"])) for r in sandbox.records("items")}


def test_a_row_inserted_at_the_top_leaves_every_record_its_own_data(sandbox, tmp_path):
    env, source, report = first_run(sandbox, tmp_path, 5)
    before = in_zoho(sandbox)
    items_file(source, [["Brand new item", "99"]] + rows_of(5))
    sandbox.stats.reset()

    result = run(env, source, report)

    assert result.exit_code == 0, result.output + result.stderr
    after = in_zoho(sandbox)
    assert {k: v for k, v in after.items() if k != "Brand new item"} == before
    assert after["Brand new item"][1] == 99.0
    assert sandbox.stats.writes == 1  # only the new row
    assert [s for _, s, _, _ in outcomes(report)] == ["created"] * 6


def test_a_row_edited_after_a_kill_is_updated_not_created_again(sandbox, tmp_path):
    env, source, report = first_run(sandbox, tmp_path, 4)
    journal = tmp_path / "items.journal.sqlite"
    # a kill between the create of "Item K00002" and its answer leaves it so: sent, no id
    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE entries SET status = 'sending', record_id = NULL WHERE row = 4")
    edited = rows_of(4)
    edited[2][1] = "55"
    items_file(source, [["Brand new item", "99"]] + edited)
    first_id = in_zoho(sandbox)["Item K00002"][0]

    result = run(env, source, report)

    assert result.exit_code == 0, result.output + result.stderr
    after = in_zoho(sandbox)
    assert len(sandbox.records("items")) == 5  # nothing twice
    assert after["Item K00002"] == (first_id, 55.0)
    assert after["Item K00001"][1] == 11.0 and after["Item K00003"][1] == 13.0
    by_row = {row: status for row, status, _, _ in outcomes(report)}
    assert by_row == {2: "created", 3: "created", 4: "created", 5: "updated", 6: "created"}


def test_a_record_whose_row_left_the_file_is_reported_and_not_applied_elsewhere(sandbox, tmp_path):
    env, source, report = first_run(sandbox, tmp_path, 3, "report.xlsx")
    before = in_zoho(sandbox)
    renamed = rows_of(3)
    renamed[1] = ["Item renamed", "77"]  # neither its content nor its name is in the file now
    items_file(source, renamed)

    result = run(env, source, report)

    assert result.exit_code == 0, result.output + result.stderr
    after = in_zoho(sandbox)
    assert after["Item K00001"] == before["Item K00001"]  # untouched
    assert after["Item renamed"][1] == 77.0
    assert "Item K00001" in result.stderr and "no row of the file" in result.stderr
    summary = {r["item"]: r["value"] for r in read_table_sheet(report, "Summary")}
    assert any("Item K00001" in v for k, v in summary.items() if k.startswith("journal"))


def read_table_sheet(path, sheet):
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = [["" if v is None else str(v) for v in r] for r in book[sheet].iter_rows(values_only=True)]
    book.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_a_journal_of_schema_1_resumes(sandbox, tmp_path):
    env, source, report = first_run(sandbox, tmp_path, 4)
    journal = tmp_path / "items.journal.sqlite"
    as_schema_1(journal)
    # and a create of the old journal whose answer was lost ("unknown" in schema 1)
    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE rows SET status = 'unknown', record_id = NULL WHERE row = 3")
    sandbox.stats.reset()

    result = run(env, source, report)

    assert result.exit_code == 0, result.output + result.stderr
    assert sandbox.stats.writes == 0 and len(sandbox.records("items")) == 4
    assert [s for _, s, _, _ in outcomes(report)] == ["created"] * 4
    with sqlite3.connect(journal) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() == ("2",)


def test_a_journal_of_another_mode_is_refused(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    sandbox.add_custom_field("item", "External ID", "string", is_unique=True)
    source, report = tmp_path / "items.csv", tmp_path / "report.csv"
    items_file(source, rows_of(2))
    assert run(env, source, report).exit_code == 0
    writes = sandbox.stats.writes
    result = invoke(env, *import_args(source, "--mode", "update", key="Item Name", report=report))
    assert result.exit_code == 2
    assert "belongs to another import" in result.output + result.stderr
    assert sandbox.stats.writes == writes


# --- matching, without a server ---------------------------------------------------------------

def _entry(id_, row, hash_, status="created", record_id=None, sent=None, key=None):
    return JournalEntry(row, key, hash_, status, record_id, None, None, False, 1, 0.0, sent, id_)


def test_identical_rows_match_entries_of_their_content_one_to_one_in_order():
    entries = [_entry(1, 2, "a", record_id="r1"), _entry(2, 3, "a", record_id="r2"),
               _entry(3, 4, "b", record_id="r3")]
    rows = [RowSig(2, "new"), RowSig(3, "a"), RowSig(4, "b"), RowSig(5, "a"), RowSig(6, "a")]
    assert match(entries, rows, keyed=False) == {1: 3, 2: 5, 3: 4}


def test_an_edited_row_takes_the_entry_of_its_name_only_when_that_content_left_the_file():
    entries = [_entry(1, 2, "old", record_id="r1", sent={"name": "Pen"}),
               _entry(2, 3, "same", record_id="r2", sent={"name": "Ink"})]
    rows = [RowSig(2, "edited", sent={"name": "pen "}), RowSig(3, "same", sent={"name": "Ink"}),
            RowSig(4, "other", sent={"name": "Ink"})]
    assert match(entries, rows, keyed=False) == {1: 2, 2: 3}


def test_keyed_rows_match_by_key_whatever_their_row_or_form():
    entries = [_entry(1, 2, "a", key="Cafe\u0301"), _entry(2, 3, "b", key="K2")]
    rows = [RowSig(2, "x", key="k2"), RowSig(3, "y", key="Café")]
    assert match(entries, rows, keyed=True) == {2: 2, 1: 3}


def test_rebase_keeps_what_reached_zoho_and_drops_what_never_did(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", {"input": "x"}) as journal:
        journal.mark_done(2, "created", record_id="r1", key=None, payload_hash="a",
                          sent={"name": "Pen"})
        journal.mark_done(3, "failed", error_code="1001", key=None, payload_hash="b")
        orphans = journal.rebase([RowSig(2, "c", sent={"name": "Ink"})], keyed=False)
        assert [(e.record_id, e.row) for e in orphans] == [("r1", None)]
        assert journal.entries() == {}
        assert [e.record_id for e in journal.all_entries()] == ["r1"]
