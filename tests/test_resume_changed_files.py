"""Resume after the file changed, for contacts and invoices with line items (items are covered
by test_resume_by_record.py): create mode (no -k) run again after the file changed -- a row
inserted at the top, the file sorted, a row deleted, a row duplicated, a row edited (also
after a kill) -- leaves every record its own data and every row once in Zoho.

Over real HTTP through the CLI against the sandbox.
"""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest
from e2e_support import FAST, as_schema_1, csv_text, invoke, outcomes, sandbox_env
from sandbox_clients import client_for

from bulkio.run.journalentry import JournalEntry
from bulkio.run.journalmatch import RowSig, match

CONTACT_HEADER = ["Display Name", "Email", "Contact Type"]
INVOICE_HEADER = ["Customer Name", "Invoice Date", "Item Name", "Quantity", "Rate"]
NUMBERED_HEADER = ["Invoice Number"] + INVOICE_HEADER
EARLIER = "created by an earlier run ("


def run(env, source, module, *extra):
    """`bulkio import SOURCE -m MODULE` in create mode: (result, report path)."""
    report = source.with_suffix(".report.csv")
    result = invoke(env, "import", source, "-m", module, "--rate", FAST, "--report", report, *extra)
    return result, report


def write(source, header, rows):
    source.write_text(csv_text(header, rows), encoding="utf-8")
    return source


def first_run(sandbox, tmp_path, module, header, rows):
    """MODULE.csv of `rows` imported once in create mode: (env, source, rows)."""
    env = sandbox_env(sandbox, tmp_path)
    source = write(tmp_path / f"{module}.csv", header, rows)
    result = run(env, source, module)[0]
    assert result.exit_code == 0, result.output + result.stderr
    return env, source, rows


def statuses_of(report):
    return [status for _, status, _, _ in outcomes(report)]


def contacts(sandbox):
    return {c["contact_name"]: (c["contact_id"], c.get("email")) for c in sandbox.records("contacts")}


def invoices(sandbox):
    """(customer, [(item, quantity, rate)]) of every invoice, sorted."""
    return sorted((i["customer_name"], [(li["name"], li["quantity"], li["rate"]) for li in i["line_items"]])
                  for i in sandbox.records("invoices"))


def numbered(sandbox):
    return {i["invoice_number"]: (i["invoice_id"], [(li["name"], li["quantity"]) for li in i["line_items"]])
            for i in sandbox.records("invoices")}


def seed_for_invoices(sandbox):
    client = client_for(sandbox)
    for name in ("Bowman Ltd", "Acme"):
        client.create("contacts", {"contact_name": name, "contact_type": "customer"})
    for name in ("Widget", "Gadget"):
        client.create("items", {"name": name, "rate": 10.0})


def contact_rows(n):
    return [[f"Cust {i}", f"c{i}@example.com", "customer"] for i in range(n)]


def invoice_rows(n):
    return [["Bowman Ltd", "2024-05-01", "Widget", str(i + 1), "10"] for i in range(n)]


# --- contacts ------------------------------------------------------------------------------------

def test_contacts_survive_a_row_on_top_a_sort_a_deleted_row_and_its_return(sandbox, tmp_path):
    env, source, rows = first_run(sandbox, tmp_path, "contacts", CONTACT_HEADER, contact_rows(4))
    before = contacts(sandbox)

    changes = [
        ([["New Co", "new@example.com", "customer"]] + rows, 1),   # a row on top
        (list(reversed(rows)), 0),                                 # sorted the other way
        (rows[:2] + rows[3:], 0),                                  # Cust 2 deleted
        (rows, 0),                                                 # Cust 2 back
    ]
    for changed, writes in changes:
        write(source, CONTACT_HEADER, changed)
        sandbox.stats.reset()
        result, report = run(env, source, "contacts")
        assert result.exit_code == 0, result.output + result.stderr
        assert sandbox.stats.writes == writes, changed
        assert statuses_of(report) == ["created"] * len(changed)
        held = contacts(sandbox)
        assert {k: v for k, v in held.items() if k != "New Co"} == before  # nobody overwritten
    assert len(held) == 5 and held["New Co"][1] == "new@example.com"
    # the run after the deletion said what it left alone
    write(source, CONTACT_HEADER, rows[:2] + rows[3:])
    result, _ = run(env, source, "contacts")
    assert "An earlier run created the contact 'Cust 2' (Zoho id " in result.stderr
    assert "If its row was removed on purpose, nothing needs doing." in result.stderr


def test_a_duplicated_contact_row_is_refused_by_zoho_not_written_over_another(sandbox, tmp_path):
    env, source, rows = first_run(sandbox, tmp_path, "contacts", CONTACT_HEADER, contact_rows(3))
    before = contacts(sandbox)
    write(source, CONTACT_HEADER, rows + [rows[0]])
    sandbox.stats.reset()

    result, report = run(env, source, "contacts")

    assert result.exit_code == 1
    assert outcomes(report)[-1][1:3] == ("failed", "3062")
    assert statuses_of(report)[:3] == ["created"] * 3
    assert sandbox.stats.writes == 1 and contacts(sandbox) == before


def test_contacts_edited_after_a_kill_update_their_own_records(sandbox, tmp_path):
    env, source, rows = first_run(sandbox, tmp_path, "contacts", CONTACT_HEADER, contact_rows(3))
    before = contacts(sandbox)
    with sqlite3.connect(tmp_path / "contacts.journal.sqlite") as conn:  # killed before Cust 1's answer
        conn.execute("UPDATE entries SET status = 'sending', record_id = NULL WHERE row = 3")
    edited = [list(r) for r in rows]
    edited[1][1], edited[2][1] = "one@example.com", "two@example.com"
    write(source, CONTACT_HEADER, [["Top", "top@example.com", "customer"]] + edited)
    sandbox.stats.reset()

    result, report = run(env, source, "contacts")

    assert result.exit_code == 0, result.output + result.stderr
    assert statuses_of(report) == ["created", "created", "updated", "updated"]
    held = contacts(sandbox)
    assert len(held) == 4 and sandbox.stats.writes == 3
    assert held["Cust 1"] == (before["Cust 1"][0], "one@example.com")
    assert held["Cust 2"] == (before["Cust 2"][0], "two@example.com")
    assert held["Cust 0"] == before["Cust 0"]


# --- invoices with line items ----------------------------------------------------------------------

def test_auto_numbered_invoices_survive_a_row_on_top_a_sort_and_a_deleted_row(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env, source, rows = first_run(sandbox, tmp_path, "invoices", INVOICE_HEADER, invoice_rows(4))
    new = ["Acme", "2024-05-02", "Gadget", "7", "10"]

    for changed, writes in (([new] + rows, 1), (list(reversed(rows)), 0), (rows[:1] + rows[2:], 0)):
        write(source, INVOICE_HEADER, changed)
        sandbox.stats.reset()
        result, report = run(env, source, "invoices")
        assert result.exit_code == 0, result.output + result.stderr
        assert sandbox.stats.writes == writes
        assert statuses_of(report) == ["created"] * len(changed)

    assert invoices(sandbox) == sorted(
        [("Bowman Ltd", [("Widget", q, 10)]) for q in (1, 2, 3, 4)] + [("Acme", [("Gadget", 7, 10)])])
    assert "An earlier run created an invoice without an invoice number (Zoho id " in result.stderr
    changed = "If you changed that row rather than removed it, this run sends the changed row as a new invoice"
    assert changed in result.stderr


def test_numbered_invoices_moved_and_edited_update_their_own_lines_only(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    rows = []
    for n in range(3):
        rows += [[f"A-{n}", "Bowman Ltd", "2024-05-01", "Widget", str(n + 1), "10"],
                 [f"A-{n}", "Bowman Ltd", "2024-05-01", "Gadget", "1", "5"]]
    source = write(tmp_path / "invoices.csv", NUMBERED_HEADER, rows)
    assert run(env, source, "invoices")[0].exit_code == 0
    before = numbered(sandbox)
    moved = rows[2:4] + rows[:2] + rows[4:]  # A-1 first now
    moved[0][4] = "9"                        # and its Widget line edited
    write(source, NUMBERED_HEADER, [["A-9", "Acme", "2024-05-02", "Gadget", "1", "10"]] + moved)
    sandbox.stats.reset()

    result, report = run(env, source, "invoices")

    assert result.exit_code == 0, result.output + result.stderr
    assert [(row, status) for row, status, _, _ in outcomes(report)] == [
        (2, "created"), (3, "updated"), (5, "created"), (7, "created")]
    assert sandbox.stats.writes == 2
    held = numbered(sandbox)
    assert held["A-1"] == (before["A-1"][0], [("Widget", 9), ("Gadget", 1)])
    assert {k: held[k] for k in ("A-0", "A-2")} == {k: before[k] for k in ("A-0", "A-2")}
    assert len(held) == 4


def test_an_auto_numbered_invoice_edited_after_a_kill_is_held_not_created_twice(sandbox, tmp_path):
    # Before: the edited row's content was new, so it was created again beside the invoice the
    # killed run had made (exit 0), while the warning said "it is not sent again".
    seed_for_invoices(sandbox)
    env, source, rows = first_run(sandbox, tmp_path, "invoices", INVOICE_HEADER, invoice_rows(3))
    with sqlite3.connect(tmp_path / "invoices.journal.sqlite") as conn:  # killed before row 3's answer
        conn.execute("UPDATE entries SET status = 'sending', record_id = NULL WHERE row = 3")
    rows[1][3] = "9"
    write(source, INVOICE_HEADER, rows)
    sandbox.stats.reset()

    result, report = run(env, source, "invoices")

    assert result.exit_code == 1, result.output + result.stderr
    assert [(row, status, code) for row, status, code, _ in outcomes(report)] == [
        (2, "created", ""), (3, "unknown", "E_UNKNOWN_OUTCOME"), (4, "created", "")]
    assert "--resend-unknown" in outcomes(report)[1][3]
    assert sandbox.stats.writes == 0 and len(sandbox.records("invoices")) == 3

    result, report = run(env, source, "invoices", "--resend-unknown")  # the person's say

    assert result.exit_code == 0, result.output + result.stderr
    assert statuses_of(report) == ["created"] * 3
    assert len(sandbox.records("invoices")) == 4


def _entry(id_, status, *, record_id=None, sent=None, payload_hash="old"):
    return JournalEntry(row=None, key=None, payload_hash=payload_hash, status=status,
                        record_id=record_id, error_code=None, message=None, retryable=False,
                        attempts=1, updated_at=0.0, sent=sent, id=id_)


def test_only_an_unanswered_nameless_create_holds_a_nameless_new_row():
    rows = [RowSig(2, "new-a"), RowSig(3, "new-b", sent={"name": "Pen"})]
    # done and nameless: a deleted row's record is never given to a new row (an overwrite)
    assert match([_entry(1, "created", record_id="9")], rows, keyed=False) == {}
    # unanswered and nameless: the nameless new row is held by it, the named one is not
    assert match([_entry(1, "sending")], rows, keyed=False) == {1: 2}
    assert match([_entry(1, "unknown")], rows[1:], keyed=False) == {}


# --- names in create mode are checked as keys are (issue 11, point 8) ------------------------------

NFC = unicodedata.normalize("NFC", "Café Noir")
NFD = unicodedata.normalize("NFD", "Café Noir")


def test_create_mode_names_that_look_alike_make_no_second_contact(sandbox, tmp_path):
    # Before: "Café Noir" typed on a Mac and on Windows became two contacts, a zero-width
    # space and a line break went into Zoho, "Bob" beside "BOB" failed after sending.
    env = sandbox_env(sandbox, tmp_path)
    source = write(tmp_path / "contacts.csv", CONTACT_HEADER, [
        [NFD, "a@example.com", "customer"], [NFC, "b@example.com", "customer"],
        ["Bob", "c@example.com", "customer"], ["BOB", "d@example.com", "customer"],
        ["Zed\u200b", "e@example.com", "customer"], ["Two\nLines", "f@example.com", "customer"],
        ["Plain", "g@example.com", "customer"]])

    result, report = run(env, source, "contacts")

    assert result.exit_code == 1, result.output + result.stderr
    found = outcomes(report)
    assert [(row, status, code) for row, status, code, _ in found] == [
        (2, "created", ""), (3, "failed", "3062"), (4, "invalid", "E_KEY_CASE"),
        (5, "invalid", "E_KEY_CASE"), (6, "invalid", "E_KEY_CHARACTERS"),
        (7, "invalid", "E_KEY_CHARACTERS"), (8, "created", "")]
    assert 'from the key on row 5 ("BOB")' in found[2][3]
    assert found[5][3] == ('"Display Name" value "Two[line break]Lines" holds a line break, which '
                           "the spreadsheet does not show; retype the key without it")
    assert contacts(sandbox).keys() == {NFC, "Plain"}  # sent in NFC, once
    assert sandbox.stats.writes == 3


def test_create_mode_invoice_numbers_twinned_by_case_send_neither(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write(tmp_path / "invoices.csv", NUMBERED_HEADER, [
        ["inv-1", "Acme", "2024-05-01", "Widget", "1", "10"],
        ["INV-1", "Acme", "2024-05-01", "Widget", "2", "10"],
        [f"{NFD}-2", "Acme", "2024-05-01", "Widget", "1", "10"],
        [f"{NFC}-2", "Acme", "2024-05-01", "Gadget", "1", "10"]])

    result, report = run(env, source, "invoices")

    assert result.exit_code == 1, result.output + result.stderr
    assert [(row, status, code) for row, status, code, _ in outcomes(report)] == [
        (2, "invalid", "E_KEY_CASE"), (3, "invalid", "E_KEY_CASE"), (4, "created", "")]
    [invoice] = sandbox.records("invoices")
    assert invoice["invoice_number"] == f"{NFC}-2" and len(invoice["line_items"]) == 2


# --- a journal that is the input, the report or its errors file (issue 11, point 10) -----------------

@pytest.mark.parametrize("journal, report, problem", [
    ("contacts.csv", "report.csv", "is the input file itself"),
    ("same.csv", "same.csv", "is also the report"),
    ("report.errors.xlsx", "report.xlsx", "is also the errors file"),
    ("report.errors.csv", "report.xlsx", "is also the errors file"),  # the stale spelling is removed
])
def test_a_journal_that_another_file_of_the_run_would_overwrite_stops_before_sending(
        sandbox, tmp_path, journal, report, problem):
    # Before: the report written at the end replaced the journal (exit 0, nothing to resume
    # from), and --journal naming the input with --no-resume renamed the person's file as a
    # "damaged journal" and wrote the journal in its place.
    env = sandbox_env(sandbox, tmp_path)
    source = write(tmp_path / "contacts.csv", CONTACT_HEADER, contact_rows(2))
    data = source.read_bytes()

    for extra in ((), ("--no-resume",)):
        result = invoke(env, "import", source, "-m", "contacts", "--rate", FAST, "--report",
                        tmp_path / report, "--journal", tmp_path / journal, *extra)

        assert result.exit_code == 2, result.output + result.stderr
        assert f"Error: The journal {tmp_path / journal} {problem}" in result.stderr
        assert "Pass --journal PATH" in result.stderr
    assert sandbox.stats.writes == 0 and source.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["contacts.csv"]


# --- a journal of the previous version (schema 1), rows this version reads differently -------------

def test_a_schema_1_journal_whose_row_now_reads_differently_updates_its_invoice_not_a_second(
        sandbox, tmp_path):
    # Schema "1" kept row numbers and payload hashes, no identifying values. The previous
    # version read a CSV's "#N/A" as "clear"; this one sends it as text, so the row's hash is
    # new. Before: an auto-numbered invoice created a second time (exit 0).
    seed_for_invoices(sandbox)
    header = INVOICE_HEADER + ["Notes"]
    rows = [r + [note] for r, note in zip(invoice_rows(3), ["one", "#N/A", "three"], strict=False)]
    env, source, rows = first_run(sandbox, tmp_path, "invoices", header, rows)
    journal = tmp_path / "invoices.journal.sqlite"
    as_schema_1(journal)
    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE rows SET payload_hash = 'as the previous version read it' WHERE row = 3")
    first_ids = sorted(i["invoice_id"] for i in sandbox.records("invoices"))
    sandbox.stats.reset()

    result, report = run(env, source, "invoices")

    assert result.exit_code == 0, result.output + result.stderr
    assert statuses_of(report) == ["created", "updated", "created"]
    assert sandbox.stats.writes == 1
    assert sorted(i["invoice_id"] for i in sandbox.records("invoices")) == first_ids
    assert sorted(i["notes"] for i in sandbox.records("invoices")) == ["#N/A", "one", "three"]

    # from now on the journal binds by content: a row on top moves no invoice
    write(source, header, [["Acme", "2024-05-02", "Gadget", "7", "10", "new"]] + rows)
    sandbox.stats.reset()
    result, report = run(env, source, "invoices")
    assert result.exit_code == 0, result.output + result.stderr
    assert sandbox.stats.writes == 1
    assert statuses_of(report) == ["created", "created", "updated", "created"]  # as journalled
    assert sorted(i["notes"] for i in sandbox.records("invoices")) == ["#N/A", "new", "one", "three"]


def test_row_numbers_bind_only_the_done_entries_of_a_migrated_journal():
    entries = [_entry(1, "created", record_id="9", payload_hash="older")]
    entries = [JournalEntry(**{**entries[0].__dict__, "row": 3})]
    rows = [RowSig(2, "new-top"), RowSig(3, "read-anew")]
    assert match(entries, rows, keyed=False) == {}
    assert match(entries, rows, keyed=False, legacy=True) == {1: 3}
    assert match(entries, rows, keyed=True, legacy=True) == {}  # keyed modes bind by key


def test_identical_invoices_stay_two_through_a_sort_and_a_row_on_top(sandbox, tmp_path):
    seed_for_invoices(sandbox)
    twin = ["Acme", "2024-05-02", "Gadget", "1", "10"]
    env, source, rows = first_run(sandbox, tmp_path, "invoices", INVOICE_HEADER,
                                  [twin, invoice_rows(1)[0], list(twin)])
    for changed in (list(reversed(rows)), [invoice_rows(2)[1]] + rows):
        write(source, INVOICE_HEADER, changed)
        sandbox.stats.reset()
        result, report = run(env, source, "invoices")
        assert result.exit_code == 0, result.output + result.stderr
        assert statuses_of(report) == ["created"] * len(changed)
    assert sandbox.stats.writes == 1  # the row on top only
    assert invoices(sandbox) == sorted([("Acme", [("Gadget", 1, 10)])] * 2 + [
        ("Bowman Ltd", [("Widget", 1, 10)]), ("Bowman Ltd", [("Widget", 2, 10)])])


def test_a_create_run_on_a_keyed_run_s_journal_says_starting_afresh_creates_every_row(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    source = write(tmp_path / "contacts.csv", CONTACT_HEADER, contact_rows(2))
    assert run(env, source, "contacts", "-k", "contact_name")[0].exit_code == 0
    sandbox.stats.reset()

    result, _ = run(env, source, "contacts")

    assert result.exit_code == 2 and sandbox.stats.writes == 0
    assert "belongs to another import (" in result.stderr
    assert result.stderr.rstrip().endswith(
        "Pass --no-resume to start afresh, or --journal PATH to keep both. Either way this run "
        "creates every row of the file: first check in Zoho which rows the earlier import wrote "
        "and take them out of the file, or pass -k to match them.")
    # the other way round, starting afresh by key makes no duplicate: nothing more is said
    result, _ = run(env, source, "contacts", "-k", "contact_name", "--mode", "update")
    assert result.exit_code == 2
    assert result.stderr.rstrip().endswith("or --journal PATH to keep both.")
