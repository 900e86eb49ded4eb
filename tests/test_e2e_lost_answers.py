"""Lost answers and slow or mute servers (server and person faults), end to end through the `bulkio` CLI over real HTTP:
writes applied and then answered 504 or never answered, in every mode and key kind, for items,
contacts (whose list rows show no custom fields) and invoices; applies slower than the read
timeout; a mute server; auth stops. Every row ends once in Zoho with a report that says what
happened to it, or the run stops clearly."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests
from e2e_support import (
    FAST,
    csv_text,
    invoke,
    journal_rows,
    kill_when_some_rows_are_done,
    outcomes,
    read_table,
    sandbox_env,
    start_bulkio,
)
from sandbox_clients import client_for

from bulkio.sandbox import scopes as sandbox_scopes
from bulkio.zoho import connect as connecting

CONTACT_KEY = "cf_external_id"


def run(env, path, module, *extra, report=None):
    report = report or path.with_suffix(".report.csv")
    result = invoke(env, "import", path, "-m", module, "--rate", FAST, "--report", report, *extra)
    return result, outcomes(report) if report.exists() else []


def write(path, header, rows):
    path.write_text(csv_text(header, rows))
    return path


def contacts_file(tmp_path, n, *, name="contacts.csv", key=True, start=0):
    header = (["External ID"] if key else []) + ["Display Name", "Contact Type", "Company Name"]
    rows = [([f"C{i:03d}"] if key else []) + [f"Customer {i:03d}", "customer", f"Firm {i:03d}"]
            for i in range(start, start + n)]
    return write(tmp_path / name, header, rows)


def by(records, field):
    out = {}
    for r in records:
        value = r.get(field) if not field.startswith("cf_") else r.get("custom_field_hash", {}).get(field)
        assert value not in out, f"two records with {field} {value!r}"
        out[value] = r
    return out


def statuses_of(rows):
    return [status for _, status, _, _ in rows]


@pytest.fixture
def short_timeouts(monkeypatch):
    """The CLI's settings with reads timing out after 0.3 s and writes after 0.4 s (bulkio has
    no option for it: ConnectionSettings.timeout / write_timeout, set where connect() loads them)."""
    real = connecting.load_settings

    def load(flags, **kwargs):
        return real(flags, **kwargs, timeout=(2.0, 0.3), write_timeout=0.4)

    monkeypatch.setattr(connecting, "load_settings", load)


def faults(sandbox):
    """Writes applied whose answer was a gateway page or nothing."""
    return sandbox.stats.applied_errors + sandbox.stats.lost_replies


def summary(result):
    return result.output + result.stderr


# --- contacts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["applied_error_rate", "lost_reply_rate"])
def test_contacts_created_with_answers_lost_or_504_end_once_each(sandbox, tmp_path, fault):
    sandbox.configure(**{fault: 0.4}, seed=5)
    path = contacts_file(tmp_path, 15, key=False)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts")
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 15
    names = sorted(by(sandbox.records("contacts"), "contact_name"))
    assert names == [f"Customer {i:03d}" for i in range(15)]


@pytest.mark.parametrize("fault", ["applied_error_rate", "lost_reply_rate"])
def test_contacts_upserted_by_a_custom_key_with_answers_lost_or_504_end_once_each(sandbox, tmp_path, fault):
    sandbox.add_custom_field("contact", "External ID", is_unique=True)
    sandbox.configure(**{fault: 0.4}, seed=5)
    path = contacts_file(tmp_path, 15)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts", "-k", "External ID")
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 15
    assert sorted(by(sandbox.records("contacts"), CONTACT_KEY)) == [f"C{i:03d}" for i in range(15)]


@pytest.mark.parametrize("fault", ["applied_error_rate", "lost_reply_rate"])
def test_contacts_updated_by_a_custom_key_with_answers_lost_or_504_are_updated(sandbox, tmp_path, fault):
    sandbox.add_custom_field("contact", "External ID", is_unique=True)
    env = sandbox_env(sandbox, tmp_path)
    first, _ = run(env, contacts_file(tmp_path, 10), "contacts", "-k", "External ID")
    assert first.exit_code == 0
    path = write(tmp_path / "changed.csv", ["External ID", "Display Name", "Company Name"],
                 [[f"C{i:03d}", f"Customer {i:03d}", f"New Firm {i:03d}"] for i in range(10)])
    sandbox.configure(**{fault: 0.5}, seed=2)
    result, rows = run(env, path, "contacts", "-k", "External ID", "--mode", "update")
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["updated"] * 10
    held = by(sandbox.records("contacts"), CONTACT_KEY)
    assert sorted(held) == [f"C{i:03d}" for i in range(10)]
    assert [held[f"C{i:03d}"]["company_name"] for i in range(10)] == [f"New Firm {i:03d}" for i in range(10)]


@pytest.mark.parametrize("mode", ["upsert", "update"])
def test_contacts_keyed_by_contact_name_with_answers_lost_or_504(sandbox, tmp_path, mode):
    env = sandbox_env(sandbox, tmp_path)
    client = client_for(sandbox)
    for i in range(0, 10, 2):  # half exist, entered by hand
        client.create("contacts", {"contact_name": f"Customer {i:03d}", "company_name": "Old"})
    names = [f"Customer {i:03d}" for i in range(0, 10, 1 if mode == "upsert" else 2)]
    path = write(tmp_path / "contacts.csv", ["Display Name", "Company Name"], [[x, "Fresh"] for x in names])
    sandbox.configure(applied_error_rate=0.3, lost_reply_rate=0.3, seed=4)
    result, rows = run(env, path, "contacts", "-k", "contact_name", "--mode", mode)
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    want = ["created" if int(x[-3:]) % 2 else "updated" for x in names]
    assert statuses_of(rows) == want
    held = by(sandbox.records("contacts"), "contact_name")
    assert sorted(held) == sorted(set(names) | {f"Customer {i:03d}" for i in range(0, 10, 2)})
    assert all(held[x]["company_name"] == "Fresh" for x in names)
    assert len(held) == (10 if mode == "upsert" else 5)


@pytest.mark.parametrize("module", ["contacts", "items"])
def test_creates_with_a_custom_key_whose_answers_are_lost_are_found_not_failed(sandbox, tmp_path, module):
    # --mode create -k "External ID": main looked the key up in the list, which never shows a
    # custom field at the top: every row "failed ... nothing was written", each sent 3 times
    sandbox.add_custom_field(module[:-1], "External ID", is_unique=True)
    if module == "contacts":
        path = contacts_file(tmp_path, 6)
    else:
        path = write(tmp_path / "items.csv", ["External ID", "Item Name", "Rate"],
                     [[f"C{i:03d}", f"Item {i:03d}", "7"] for i in range(6)])
    sandbox.configure(lost_reply_rate=0.5, applied_error_rate=0.5)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, module, "-k", "External ID", "--mode", "create")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 6
    assert all("found the" in m for *_, m in rows)
    assert sorted(by(sandbox.records(module), CONTACT_KEY)) == [f"C{i:03d}" for i in range(6)]
    assert sandbox.stats["POST", module] == 6


def test_a_lost_create_whose_name_zoho_already_held_is_not_taken_for_its_record(sandbox, tmp_path):
    # a contact entered by hand holds the name; the row's create is refused and the refusal
    # lost. main found the hand-entered contact by name and reported the row "created" with its
    # id; the next run, with the row edited, overwrote the hand-entered contact
    client = client_for(sandbox)
    theirs = client.create("contacts", {"contact_name": "Customer 001", "company_name": "Theirs"}).record
    env = sandbox_env(sandbox, tmp_path)
    header = ["Display Name", "Company Name"]
    path = write(tmp_path / "contacts.csv", header, [["Customer 000", "Mine"], ["Customer 001", "Mine"]])
    sandbox.configure(lost_reply_rate=1.0)
    first, rows = run(env, path, "contacts")
    assert first.exit_code == 1, summary(first)
    assert rows[0][1] == "created"
    assert rows[1][:3] == (3, "failed", "E_NO_ANSWER")
    assert (f"bulkio checked Zoho by its contact_name 'Customer 001' and found one with other values "
            f"there (contact id {theirs['contact_id']}), which this row did not make (Zoho allows only one), "
            "so this row is not in Zoho") in rows[1][3]

    sandbox.configure(lost_reply_rate=0.0)
    write(tmp_path / "contacts.csv", header, [["Customer 000", "Mine"], ["Customer 001", "Mine, edited"]])
    again, rows = run(env, path, "contacts")
    assert again.exit_code == 1, summary(again)
    assert [r[:3] for r in rows] == [(2, "created", ""), (3, "failed", "3062")]  # Zoho's own refusal
    held = by(sandbox.records("contacts"), "contact_name")
    assert held["Customer 001"]["company_name"] == "Theirs"  # never overwritten
    assert held["Customer 000"]["company_name"] == "Mine" and len(held) == 2


def test_a_create_answered_504_whose_number_zoho_already_held_is_not_taken_for_its_record(sandbox, tmp_path):
    env, path = invoice_setup(sandbox, tmp_path, 2)
    client = client_for(sandbox)
    customer = sandbox.records("contacts")[0]["contact_id"]
    item = sandbox.records("items")[0]["item_id"]
    theirs = client.create("invoices", {"customer_id": customer, "invoice_number": "INV-001",
                                        "date": "2025-12-31", "line_items": [{"item_id": item, "quantity": 7}]},
                           ).record
    sandbox.configure(applied_error_rate=1.0)  # every answer a gateway page, refusals too
    result, rows = run(env, path, "invoices")
    assert result.exit_code == 1, summary(result)
    assert rows[0][1] == "created"  # found by its number, holding what was sent
    assert rows[1][:3] == (3, "failed", "E_NO_ANSWER")  # main: "created", with their invoice's id
    assert (f"by its invoice_number 'INV-001' and found one with other values there "
            f"(invoice id {theirs['invoice_id']}), which this row did not make") in rows[1][3]
    held = by(sandbox.records("invoices"), "invoice_number")
    assert held["INV-001"]["invoice_id"] == theirs["invoice_id"]
    assert held["INV-001"]["line_items"][0]["quantity"] == 7 and len(held) == 2


def test_a_create_killed_unanswered_whose_name_zoho_already_held_is_not_taken_for_its_record_on_resume(
        sandbox, tmp_path):
    client = client_for(sandbox)
    theirs = client.create("contacts", {"contact_name": "Customer 001", "company_name": "Theirs"}).record
    env = sandbox_env(sandbox, tmp_path)
    header = ["Display Name", "Company Name"]
    path = write(tmp_path / "contacts.csv", header, [["Customer 000", "Mine"], ["Customer 001", "Mine"]])
    first, rows = run(env, path, "contacts")
    assert [r[1] for r in rows] == ["created", "failed"]  # "already exists"
    # as if the process had been killed after sending row 3 and before its answer
    with sqlite3.connect(tmp_path / "contacts.journal.sqlite") as conn:
        conn.execute("UPDATE entries SET status = 'sending', record_id = NULL, error_code = NULL, "
                     "message = NULL WHERE row = 3")

    resumed, rows = run(env, path, "contacts")
    assert rows[1][:3] == (3, "failed", "3062"), rows  # main: "created", with the hand-entered id
    write(tmp_path / "contacts.csv", header, [["Customer 000", "Mine"], ["Customer 001", "Mine, edited"]])
    again, rows = run(env, path, "contacts")
    assert rows[1][:3] == (3, "failed", "3062")
    held = by(sandbox.records("contacts"), "contact_name")
    assert held["Customer 001"]["company_name"] == "Theirs"
    assert held["Customer 001"]["contact_id"] == theirs["contact_id"]
    assert len(held) == 2


# --- items by a standard key ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["upsert", "update", "create"])
def test_items_keyed_by_sku_with_answers_lost_or_504_end_once_each(sandbox, tmp_path, mode):
    env = sandbox_env(sandbox, tmp_path)
    client = client_for(sandbox)
    for i in range(0, 12, 2):
        client.create("items", {"name": f"Item {i:03d}", "sku": f"SKU-{i:03d}", "rate": 1})
    keep = range(12) if mode == "upsert" else range(0, 12, 2) if mode == "update" else range(1, 12, 2)
    path = write(tmp_path / "items.csv", ["SKU", "Item Name", "Rate"],
                 [[f"SKU-{i:03d}", f"Item {i:03d}", str(50 + i)] for i in keep])
    sandbox.configure(applied_error_rate=0.3, lost_reply_rate=0.3, seed=9)
    result, rows = run(env, path, "items", "-k", "sku", "--mode", mode)
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["updated" if i % 2 == 0 else "created" for i in keep]
    held = by(sandbox.records("items"), "sku")
    assert len(held) == len(set(keep) | set(range(0, 12, 2)))
    assert all(held[f"SKU-{i:03d}"]["rate"] == 50 + i for i in keep)


# --- invoices ----------------------------------------------------------------------------------

INVOICE_HEADER = ["Invoice Number", "Customer Name", "Invoice Date", "Item Name", "Quantity", "Rate"]


def invoice_setup(sandbox, tmp_path, n, *, numbered=True, name="invoices.csv"):
    """A customer and an item in the sandbox, and a file of `n` one-line invoices."""
    client = client_for(sandbox)
    client.create("contacts", {"contact_name": "Acme Ltd", "contact_type": "customer"})
    client.create("items", {"name": "Widget", "rate": 10})
    header = INVOICE_HEADER if numbered else INVOICE_HEADER[1:]
    rows = [([f"INV-{i:03d}"] if numbered else []) + ["Acme Ltd", f"2026-01-{i + 1:02d}", "Widget", str(i + 1), "10"]
            for i in range(n)]
    return sandbox_env(sandbox, tmp_path), write(tmp_path / name, header, rows)


@pytest.mark.parametrize("key", [None, "invoice_number"])
def test_invoices_with_their_own_numbers_are_found_by_number_when_answers_are_lost(sandbox, tmp_path, key):
    env, path = invoice_setup(sandbox, tmp_path, 12)
    sandbox.configure(applied_error_rate=0.3, lost_reply_rate=0.3, seed=6)
    result, rows = run(env, path, "invoices", *(["-k", key] if key else []))
    assert faults(sandbox) > 0
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 12
    held = by(sandbox.records("invoices"), "invoice_number")
    assert sorted(held) == [f"INV-{i:03d}" for i in range(12)]
    assert [held[f"INV-{i:03d}"]["line_items"][0]["quantity"] for i in range(12)] == list(range(1, 13))
    ids = {r["record_id"] for r in read_table(path.with_suffix(".report.csv"))}
    assert ids == {r["invoice_id"] for r in held.values()}


def test_auto_numbered_invoices_answered_504_are_unknown_not_resent_until_asked(sandbox, tmp_path):
    env, path = invoice_setup(sandbox, tmp_path, 4, numbered=False)
    sandbox.configure(applied_error_rate=1.0)
    first, rows = run(env, path, "invoices")
    assert first.exit_code == 1, summary(first)
    assert [(s, c) for _, s, c, _ in rows] == [("unknown", "E_UNKNOWN_OUTCOME")] * 4
    assert all("look in Zoho for an invoice" in m and "--resend-unknown" in m for *_, m in rows)
    assert len(sandbox.records("invoices")) == 4  # each applied once, none sent twice
    assert "failed" not in statuses_of(rows)

    sandbox.configure(applied_error_rate=0.0)
    writes = sandbox.stats.writes
    again, rows = run(env, path, "invoices")
    assert again.exit_code == 1, summary(again)
    assert statuses_of(rows) == ["unknown"] * 4
    assert sandbox.stats.writes == writes  # not sent again without the person's say

    # the person deleted two of them in Zoho, and asks for the unknown rows to be sent again
    client = client_for(sandbox)
    for record in sandbox.records("invoices")[:2]:
        client.request("DELETE", f"/invoices/{record['invoice_id']}")
    said, rows = run(env, path, "invoices", "--resend-unknown")
    assert said.exit_code == 0, summary(said)
    assert statuses_of(rows) == ["created"] * 4
    assert len(sandbox.records("invoices")) == 6  # as the flag says: every unknown row sent again


# --- an apply slower than the read timeout ------------------------------------------------------

SLOW = 900  # ms: lands after the 0.4 s write timeout, within the check pauses (0.75 s)


def test_contacts_created_by_a_server_slower_than_the_timeout_are_created_once(
        sandbox, tmp_path, short_timeouts):
    path = contacts_file(tmp_path, 4, key=False)
    sandbox.configure(apply_delay_ms=SLOW)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 4
    assert all("no answer came to this write (no answer from Zoho within 0.4 s)" in m for *_, m in rows)
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(4)]
    assert sandbox.stats["POST", "contacts"] == 4


def test_numbered_invoices_created_by_a_slow_server_are_found_by_number_once(
        sandbox, tmp_path, short_timeouts):
    env, path = invoice_setup(sandbox, tmp_path, 3)
    sandbox.configure(apply_delay_ms=SLOW)
    result, rows = run(env, path, "invoices")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 3
    assert sorted(by(sandbox.records("invoices"), "invoice_number")) == ["INV-000", "INV-001", "INV-002"]
    assert sandbox.stats["POST", "invoices"] == 3


@pytest.mark.parametrize("module,key", [("contacts", "contact_name"), ("items", "sku")])
def test_new_records_keyed_by_a_standard_field_on_a_slow_server_are_created_once(
        sandbox, tmp_path, short_timeouts, module, key):
    if module == "contacts":
        path = write(tmp_path / "in.csv", ["Display Name", "Company Name"], [[f"N{i}", "F"] for i in range(3)])
    else:
        path = write(tmp_path / "in.csv", ["SKU", "Item Name", "Rate"], [[f"S{i}", f"N{i}", "5"] for i in range(3)])
    sandbox.configure(apply_delay_ms=SLOW)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, module, "-k", key)
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"] * 3
    expected = ["N0", "N1", "N2"] if module == "contacts" else ["S0", "S1", "S2"]
    assert sorted(by(sandbox.records(module), key)) == expected
    assert sandbox.stats.writes == 3


def test_upserts_by_a_custom_key_on_a_server_slower_than_every_resend_are_not_failed(
        sandbox, tmp_path, short_timeouts):
    # every send times out; the first lands 1.6 s after it went out, after the third send's
    # timeout: the row must not be reported "failed ... nothing was written" while Zoho holds it
    sandbox.add_custom_field("item", "External ID", is_unique=True)
    path = write(tmp_path / "items.csv", ["External ID", "Item Name", "Rate"], [["K1", "Pen", "5"]])
    sandbox.configure(apply_delay_ms=1600)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "items", "-k", "External ID")
    assert result.exit_code == 0, summary(result)
    assert [(s, c) for _, s, c, _ in rows] == [("created", "")]
    assert "bulkio checked Zoho" in rows[0][3]
    assert sandbox.stats["PUT", "items"] == 3
    time.sleep(1.7)  # the later sends land too: they update the same record
    assert [(r["name"], r["custom_field_hash"][CONTACT_KEY]) for r in sandbox.records("items")] == [("Pen", "K1")]


# --- a real kill -9, edited rows, resume ------------------------------------------------------

def test_contacts_killed_mid_create_then_edited_rows_resume_without_a_duplicate(sandbox_factory, tmp_path, request):
    sandbox = sandbox_factory(latency_ms=150)
    env = {**sandbox_env(sandbox, tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    path = contacts_file(tmp_path, 20, key=False)
    report = tmp_path / "contacts.report.csv"
    args = ["import", str(path), "-m", "contacts", "--rate", FAST, "--concurrency", "3", "--report", str(report)]
    proc = start_bulkio(args, env)
    request.addfinalizer(proc.kill)  # a failed wait must not leave it running
    at_kill = kill_when_some_rows_are_done(proc, tmp_path / "contacts.journal.sqlite", 4)
    time.sleep(0.5)  # the writes inside the sandbox when the process died land, unanswered
    in_flight = [row for row, status in at_kill.items() if status == "sending"]
    done = [row for row, status in at_kill.items() if status == "created"]
    assert in_flight and done and len(sandbox.records("contacts")) < 20
    sandbox.configure(latency_ms=0)

    # the person edits a row whose write was unanswered, one already created, and inserts one
    rows = [[f"Customer {i:03d}", "customer", f"Firm {i:03d}"] for i in range(20)]
    for row in (in_flight[0], done[0]):
        rows[row - 2][2] = "Edited Firm"
    path.write_text(csv_text(["Display Name", "Contact Type", "Company Name"],
                             [["Newcomer", "customer", "New Firm"]] + rows))
    result = invoke(env, *args)

    assert result.exit_code == 0, summary(result)
    held = by(sandbox.records("contacts"), "contact_name")  # fails on a contact made twice
    assert sorted(held) == sorted([f"Customer {i:03d}" for i in range(20)] + ["Newcomer"])
    for row in (in_flight[0], done[0]):
        assert held[f"Customer {row - 2:03d}"]["company_name"] == "Edited Firm"
    assert held[f"Customer {done[1] - 2 if len(done) > 1 else 19:03d}"]["company_name"].startswith("Firm")
    got = dict((row, status) for row, status, _, _ in outcomes(report))
    assert got[2] == "created"
    assert got[in_flight[0] + 1] == got[done[0] + 1] == "updated"
    assert set(got.values()) <= {"created", "updated"}


# --- auth stops --------------------------------------------------------------------------------

CONTACT_SCOPES = "ZohoBooks.contacts.CREATE, ZohoBooks.contacts.READ, ZohoBooks.contacts.UPDATE"


def full_grant(sandbox) -> str:
    """A refresh token of a new grant with every scope, as the stop's message says to make."""
    answer = requests.post(sandbox.accounts_url + "/oauth/v2/token", data={
        "grant_type": "authorization_code", "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret, "code": sandbox.grant_code()}).json()
    return answer["refresh_token"]


def assert_auth_stop(result, rows, journal):
    """Exit 3 naming the module's scopes; rows done or skipped with what to do, none failed,
    the skipped ones pending in the journal."""
    assert result.exit_code == 3, summary(result)
    assert CONTACT_SCOPES in result.output
    assert set(statuses_of(rows)) <= {"created", "updated", "skipped"}
    skipped = [m for _, s, _, m in rows if s == "skipped"]
    assert skipped and all("run the same command again" in m for m in skipped)
    assert "failed" not in set(journal_rows(journal).values())
    return len(skipped)


def test_a_refresh_token_revoked_while_answers_are_lost_stops_once_and_finishes_once(sandbox_factory, tmp_path):
    # tokens live 0.5 s and the refresh token mints two (revoked about 1 s into a 1.5 s run);
    # meanwhile a fifth of the creates lose their answers: no contact twice, no row failed, at
    # most uses + 1 token requests
    sandbox = sandbox_factory(token_ttl_s=0.5, refresh_token_uses=2, lost_reply_rate=0.2, seed=8, latency_ms=100)
    env = sandbox_env(sandbox, tmp_path)
    path = contacts_file(tmp_path, 30, key=False)
    stopped, rows = run(env, path, "contacts", "--concurrency", "2")
    skipped = assert_auth_stop(stopped, rows, tmp_path / "contacts.journal.sqlite")
    assert "Zoho stopped renewing bulkio's access part-way" in stopped.output
    assert sandbox.tokens.requests <= 2 + 1
    assert sandbox.stats.lost_replies > 0
    assert len(sandbox.records("contacts")) <= 30 - skipped + 2  # at most the calls in flight

    sandbox.configure(refresh_token_uses=None, lost_reply_rate=0.0, latency_ms=0)
    finished, rows = run(env, path, "contacts")
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 30
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(30)]


def test_contacts_keyed_by_name_without_the_update_scope_stop_before_any_row_fails(sandbox_factory, tmp_path):
    granted = tuple(s for s in sandbox_scopes.ALL_SCOPES if s != "ZohoBooks.contacts.UPDATE")
    sandbox = sandbox_factory(scopes=granted)
    client = client_for(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    path = write(tmp_path / "contacts.csv", ["Display Name", "Company Name"],
                 [[f"Customer {i:03d}", "Fresh"] for i in range(6)])
    sandbox.configure(scopes=None)
    for i in range(6):
        client.create("contacts", {"contact_name": f"Customer {i:03d}", "company_name": "Old"})
    sandbox.configure(scopes=granted)
    stopped, rows = run(env, path, "contacts", "-k", "contact_name")
    assert assert_auth_stop(stopped, rows, tmp_path / "contacts.journal.sqlite") == 6
    assert "Zoho refused PUT /contacts/" in stopped.output
    assert {r["company_name"] for r in sandbox.records("contacts")} == {"Old"}


# --- a server that accepts and never answers ----------------------------------------------------

@pytest.mark.parametrize("key", [None, "contact_name"])
def test_a_mute_server_stops_the_run_in_seconds_resumably_with_a_plain_reason(
        sandbox, tmp_path, short_timeouts, mute_port, key):
    # main exited 1 ("some rows failed, see the report") with no report and nothing sent
    port, accepted = mute_port
    env = {**sandbox_env(sandbox, tmp_path), "ZOHO_API_URL": f"http://127.0.0.1:{port}/books/v3"}
    path = contacts_file(tmp_path, 3, key=False)
    started = time.monotonic()
    result, rows = run(env, path, "contacts", *(["-k", key] if key else []))
    assert time.monotonic() - started < 3
    assert result.exit_code == 3, summary(result)
    assert "no answer from Zoho within 0.3 s (asked twice); check the network and --api-url" in result.stderr
    assert "ConnectionError" not in summary(result) and "Traceback" not in summary(result)
    assert len(accepted) == 2 and sandbox.records("contacts") == []

    # the server answers again: the same command sends every row once
    env["ZOHO_API_URL"] = sandbox.api_url("books")
    finished, rows = run(env, path, "contacts", *(["-k", key] if key else []))
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 3
    assert len(sandbox.records("contacts")) == 3


# --- updates by id whose every answer is a gateway page -----------------------------------------

def test_invoices_updated_by_number_whose_every_answer_is_504_are_updated_once(sandbox, tmp_path):
    env, path = invoice_setup(sandbox, tmp_path, 3)
    first, _ = run(env, path, "invoices", "-k", "invoice_number", report=tmp_path / "first.csv")
    assert first.exit_code == 0
    ids = sorted(r["invoice_id"] for r in sandbox.records("invoices"))
    changed = write(tmp_path / "changed.csv", INVOICE_HEADER,
                    [[f"INV-{i:03d}", "Acme Ltd", "2026-02-01", "Widget", "9", "10"] for i in range(3)])
    sandbox.configure(applied_error_rate=1.0)
    sandbox.stats.reset()
    result, rows = run(env, changed, "invoices", "-k", "invoice_number", "--mode", "update",
                       "--replace-line-items")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["updated"] * 3  # Zoho holds every change: none "failed"
    assert all("bulkio checked Zoho by its id " in m for *_, m in rows)
    held = sandbox.records("invoices")
    assert sorted(r["invoice_id"] for r in held) == ids
    assert [(r["date"], [ln["quantity"] for ln in r["line_items"]]) for r in held] == [("2026-02-01", [9])] * 3
    assert sandbox.stats["PUT", "invoices"] == 3 and sandbox.stats.applied_errors == 3


def test_contacts_updated_by_name_whose_every_answer_is_504_are_updated_once(sandbox, tmp_path):
    client = client_for(sandbox)
    for i in range(3):
        client.create("contacts", {"contact_name": f"Customer {i:03d}", "company_name": "Old"})
    path = write(tmp_path / "contacts.csv", ["Display Name", "Company Name", "Email", "Phone"],
                 [[f"Customer {i:03d}", "New", f"c{i}@example.com", "+1 555 0100"] for i in range(3)])
    sandbox.configure(applied_error_rate=1.0)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts", "-k", "contact_name", "--mode", "update")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["updated"] * 3
    held = by(sandbox.records("contacts"), "contact_name")
    assert len(held) == 3 and {r["company_name"] for r in held.values()} == {"New"}
    assert sandbox.stats["PUT", "contacts"] == 3


# --- Ctrl-C while a write without answer is being checked ------------------------------------------

def test_ctrl_c_while_a_slow_create_is_checked_stops_at_once_and_the_next_run_settles_it(
        sandbox, tmp_path, short_timeouts, monkeypatch):
    # the check of an unanswered create waits minutes in all (pauses of 4 s here); Ctrl-C
    # during those pauses must stop the run then, not once they are waited out
    monkeypatch.setenv("BULKIO_CHECK_PAUSES", "4,4")
    env = sandbox_env(sandbox, tmp_path)
    path = contacts_file(tmp_path, 3, key=False)
    sandbox.configure(apply_delay_ms=SLOW)

    def ctrl_c_once_the_check_waits():
        deadline = time.monotonic() + 10
        while sandbox.stats.delayed_applies < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.6)  # the write timed out (0.4 s) and its first look found nothing
        os.kill(os.getpid(), signal.SIGINT)  # bulkio's handler sets its stop event

    presser = threading.Thread(target=ctrl_c_once_the_check_waits, daemon=True)
    started = time.monotonic()
    presser.start()
    stopped, rows = run(env, path, "contacts", "--concurrency", "1")
    waited = time.monotonic() - started
    presser.join()

    assert stopped.exit_code == 3, summary(stopped)
    assert waited < 3, f"Ctrl-C took {waited:.1f} s to stop the run"
    assert statuses_of(rows) == ["skipped"] * 3
    assert rows[0][3] == ("sent, but no answer came, and the run stopped before Zoho showed the contact (the "
                          "run was interrupted); run the same command again: bulkio checks Zoho first and "
                          "sends the row only if Zoho does not hold it")
    assert sandbox.stats.writes == 1
    assert "failed" not in set(journal_rows(tmp_path / "contacts.journal.sqlite").values())

    time.sleep(0.5)  # the slow create lands
    sandbox.configure(apply_delay_ms=0)
    monkeypatch.setenv("BULKIO_CHECK_PAUSES", "0.05")
    finished, rows = run(env, path, "contacts")
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 3
    assert "found the contact there, so it was not sent again" in rows[0][3]
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(3)]


# --- the daily quota used up while a write without answer is checked ------------------------------

@pytest.mark.parametrize("limit", [2, 5])
def test_a_quota_used_up_by_the_check_of_a_lost_create_says_it_was_sent_and_the_next_day_settles_it(
        sandbox_factory, tmp_path, limit):
    # 2: the first create's check is refused (429, code 45); 5: the second create's.
    # main reported that row "not sent" while Zoho held it
    sandbox = sandbox_factory(daily_limit=limit, lost_reply_rate=1.0)
    env = sandbox_env(sandbox, tmp_path)
    path = contacts_file(tmp_path, 3, key=False)
    stopped, rows = run(env, path, "contacts", "--concurrency", "1")
    assert stopped.exit_code == 3, summary(stopped)
    lost_row = 2 if limit == 2 else 3
    by_row = {row: (status, message) for row, status, _, message in rows}
    assert by_row[lost_row][0] == "skipped"
    assert by_row[lost_row][1].startswith("sent, but no answer came, and the run stopped before Zoho showed the "
                                          "contact (the organisation's daily API quota is used up); run the "
                                          "same command again after the quota resets: bulkio checks Zoho first")
    assert journal_rows(tmp_path / "contacts.journal.sqlite")[lost_row] == "sending"
    assert len(sandbox.records("contacts")) == lost_row - 1

    sandbox.configure(daily_limit=10**6, lost_reply_rate=0.0)  # the next day
    finished, rows = run(env, path, "contacts")
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 3
    assert "found the contact there, so it was not sent again" in rows[lost_row - 2][3]
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(3)]


def test_a_quota_refusal_of_the_resend_of_a_slow_create_keeps_the_first_send_to_be_checked(
        sandbox_factory, tmp_path, short_timeouts):
    # the first send lands after its timeout and after every check (1.5 s); the resend meets
    # the daily quota used up. main journalled the row "pending", so the next day's run
    # sent it again and Zoho refused it: "failed" while Zoho held the contact
    sandbox = sandbox_factory(apply_delay_ms=1500)
    env = sandbox_env(sandbox, tmp_path)
    path = contacts_file(tmp_path, 1, key=False)
    sandbox.configure(daily_limit=7)  # fields, the create, five looks: nothing left to resend
    stopped, rows = run(env, path, "contacts")
    assert stopped.exit_code == 3, summary(stopped)
    assert sandbox.stats["POST", "contacts"] == 1  # Zoho's headers said none left: not sent
    assert rows[0][1] == "skipped" and rows[0][3].startswith("sent, but no answer came")
    assert journal_rows(tmp_path / "contacts.journal.sqlite") == {2: "sending"}

    time.sleep(1.2)  # the first send lands
    sandbox.configure(daily_limit=10**6, apply_delay_ms=0)  # the next day
    finished, rows = run(env, path, "contacts")
    assert finished.exit_code == 0, summary(finished)
    assert [r[1] for r in rows] == ["created"]
    assert "found the contact there, so it was not sent again" in rows[0][3]
    assert [r["contact_name"] for r in sandbox.records("contacts")] == ["Customer 000"]


def test_a_grant_without_read_meets_the_check_of_a_lost_create_stops_and_the_next_run_settles_it(
        sandbox_factory, tmp_path):
    # the create is allowed and applied, its answer lost; the check (a list read) is refused
    granted = tuple(s for s in sandbox_scopes.ALL_SCOPES if s != "ZohoBooks.contacts.READ")
    sandbox = sandbox_factory(scopes=granted, lost_reply_rate=1.0)
    env = sandbox_env(sandbox, tmp_path)
    path = contacts_file(tmp_path, 3, key=False)
    stopped, rows = run(env, path, "contacts", "--concurrency", "1")
    assert stopped.exit_code == 3, summary(stopped)
    assert CONTACT_SCOPES in stopped.output
    assert rows[0][1] == "skipped" and rows[0][3].startswith(
        "sent, but no answer came, and the run stopped before Zoho showed the contact (Zoho refused "
        "bulkio's access); run the same command again: bulkio checks Zoho first")
    assert journal_rows(tmp_path / "contacts.journal.sqlite") == {2: "sending"}
    assert sandbox.stats["POST", "contacts"] == 1 and len(sandbox.records("contacts")) == 1

    sandbox.configure(scopes=None, lost_reply_rate=0.0)
    finished, rows = run({**env, "ZOHO_REFRESH_TOKEN": full_grant(sandbox)}, path, "contacts")
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 3
    assert "found the contact there, so it was not sent again" in rows[0][3]
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(3)]


def test_a_mute_accounts_server_is_a_bounded_wait_in_plain_words_and_nothing_is_sent(
        sandbox, tmp_path, short_timeouts, mute_port):
    # main said "(ReadTimeout)", the library's class name
    port, accepted = mute_port
    env = {**sandbox_env(sandbox, tmp_path), "ZOHO_ACCOUNTS_URL": f"http://127.0.0.1:{port}"}
    started = time.monotonic()
    result, rows = run(env, contacts_file(tmp_path, 2, key=False), "contacts")
    assert time.monotonic() - started < 3
    assert result.exit_code == 2, summary(result)
    assert (f"The token call reached http://127.0.0.1:{port} but got no answer in time; check "
            "ZOHO_ACCOUNTS_URL / --region and the network, then retry.") in result.stderr
    assert "Timeout" not in summary(result)
    assert len(accepted) == 1 and sandbox.stats.writes == 0 and rows == []


# --- a server that answers reads and swallows every write ---------------------------------------

def test_writes_swallowed_one_after_another_stop_the_run_resumably_and_the_rerun_sends_each_once(
        sandbox, tmp_path, short_timeouts):
    # before, each row cost three sends, each a timeout and a full check schedule (about
    # 11 minutes per row at the defaults), and every row ended "failed"
    from bulkio.run.stopping import SILENT_SENDS_STOP

    path = contacts_file(tmp_path, 20, key=False)
    sandbox.configure(swallow_rate=1.0, swallow_hold_ms=600)
    result, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts", "--concurrency", "2")

    assert result.exit_code == 3, summary(result)
    assert "Stopped: Zoho stopped answering writes" in result.stdout
    assert set(statuses_of(rows)) == {"skipped"}
    assert sandbox.stats.swallowed <= SILENT_SENDS_STOP + 2 * 2  # the sends in flight at the stop
    assert sandbox.records("contacts") == []

    sandbox.configure(swallow_rate=0.0)
    finished, rows = run(sandbox_env(sandbox, tmp_path), path, "contacts", "--concurrency", "2")
    assert finished.exit_code == 0, summary(finished)
    assert statuses_of(rows) == ["created"] * 20
    assert sorted(by(sandbox.records("contacts"), "contact_name")) == [f"Customer {i:03d}" for i in range(20)]


def test_checking_a_write_by_sku_sends_no_list_filter_zoho_does_not_document(sandbox, tmp_path):
    # items.yml's list documents `name` but not `sku`: the check reads the list and compares
    env = sandbox_env(sandbox, tmp_path)
    path = write(tmp_path / "items.csv", ["SKU", "Item Name", "Rate"], [["SKU-1", "Pen", "5"]])
    sandbox.configure(applied_error_rate=1.0)
    result, rows = run(env, path, "items", "-k", "sku", "--mode", "create")
    assert result.exit_code == 0, summary(result)
    assert statuses_of(rows) == ["created"]
    lists = [query for method, path_, query, *_ in sandbox.stats.requests
             if method == "GET" and path_.rstrip("/").endswith("/items")]
    assert lists and not any("sku" in query for query in lists)
    assert len(sandbox.records("items")) == 1
