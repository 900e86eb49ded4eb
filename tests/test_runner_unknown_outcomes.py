"""Unknown outcomes, runner side: a write whose answer never came may have been applied.

Over real HTTP against the sandbox's write faults: a write applied and then answered 504 with
a gateway's HTML page, an apply slower than the client's read timeout, and auto-numbered
invoices whose answers are lost (nothing identifies them: `unknown`, never resent unasked)."""

from __future__ import annotations

from client_double import ClientDouble
from runner_support import KEY, items
from sandbox_clients import client_for

from bulkio.catalogue import load_module
from bulkio.catalogue.fields import load_fields
from bulkio.prepare.mapper import payload_hash
from bulkio.run.journal import Journal
from bulkio.run.runner import RunOptions, WorkItem, run_rows
from bulkio.run.settle import Checker

PAUSES = (0.1, 0.2, 0.4, 0.8, 1.6)


def item_rows(n):
    out = []
    for i in range(n):
        payload = {"name": f"Item {i:03d}", "rate": 10 + i}
        out.append(WorkItem(i + 2, None, payload, payload_hash(payload), name=payload["name"]))
    return out


def run(work, client, module, journal, **options):
    options = RunOptions(mode="create", concurrency=4, check_pauses=PAUSES, **options)
    return run_rows(work, client=client, module=module, journal=journal, options=options)


def test_creates_applied_then_answered_504_end_once_each_and_none_failed(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(applied_error_rate=0.4, seed=7)
    client = client_for(sandbox, attempts=0)
    work = item_rows(20)
    with Journal.open(tmp_path / "j.sqlite", {"input": "items.csv"}) as journal:
        result = run(work, client, load_module("items"), journal)
    assert sandbox.stats.applied_errors > 0
    names = sorted(r["name"] for r in sandbox.records("items"))
    assert names == [w.name for w in work]  # every row exactly once
    assert {o.status for o in result.outcomes.values()} == {"created"}
    by_name = {r["name"]: r["item_id"] for r in sandbox.records("items")}
    assert all(result.outcomes[w.row].record_id == by_name[w.name] for w in work)
    found = [o for o in result.outcomes.values() if "checked Zoho" in o.message]
    assert len(found) == sandbox.stats.applied_errors


def test_an_apply_slower_than_the_read_timeout_is_not_sent_twice(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(apply_delay_ms=900)
    client = client_for(sandbox, attempts=0, timeout=(5.0, 0.3))
    work = item_rows(3)
    with Journal.open(tmp_path / "j.sqlite", {"input": "items.csv"}) as journal:
        result = run(work, client, load_module("items"), journal)
    assert sorted(r["name"] for r in sandbox.records("items")) == [w.name for w in work]
    assert sandbox.stats.writes == 3  # the lookup right after the timeout found nothing yet
    assert {o.status for o in result.outcomes.values()} == {"created"}


def test_the_check_waits_growing_pauses_counted_from_the_send():
    slept, now = [], [100.0]

    class Nothing(ClientDouble):
        def iter_records(self, module, params):
            return iter(())

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    checker = Checker(Nothing(), load_module("items"), pauses=(2, 4, 8), sleep=sleep,
                      clock=lambda: now[0])
    assert checker.wait({"name": "Pen"}, since=100.0).state == "absent"
    assert slept == [2, 4, 8]
    slept.clear()
    assert checker.wait({"name": "Pen"}, since=0.0).state == "absent"  # long ago: one look
    assert slept == []
    assert checker.wait({}, since=now[0]).state == "cannot"


def _invoices(sandbox, client, n):
    customer = client.create("contacts", {"contact_name": "Acme Ltd", "contact_type": "customer"})
    item = client.create("items", {"name": "Widget", "rate": 10})
    out = []
    for i in range(n):
        payload = {"customer_id": customer.record["contact_id"], "date": f"2026-01-{i + 5:02d}",
                   "line_items": [{"item_id": item.record["item_id"], "quantity": 1 + i, "rate": 10}]}
        out.append(WorkItem(i + 2, None, payload, payload_hash(payload)))
    return out


def test_auto_numbered_invoices_whose_answers_are_lost_are_unknown_and_not_resent(
        sandbox_factory, tmp_path):
    sandbox = sandbox_factory()
    client = client_for(sandbox, attempts=0)
    module = load_module("invoices")
    work = _invoices(sandbox, client, 3)
    sandbox.configure(lost_reply_rate=1.0)
    path = tmp_path / "j.sqlite"
    with Journal.open(path, {"input": "invoices.csv"}) as journal:
        first = run(work, client, module, journal)
    assert [o.status for o in first.outcomes.values()] == ["unknown"] * 3
    message = first.outcomes[2].message
    assert "look in Zoho for an invoice for this row's customer, with date '2026-01-05'" in message
    assert "customer_id" not in message  # an id says nothing to a person
    assert "2026-01-05" in message and "--resend-unknown" in message
    assert len(sandbox.records("invoices")) == 3  # each applied once, none resent
    sandbox.configure(lost_reply_rate=0.0)
    writes = sandbox.stats.writes

    with Journal.open(path, {"input": "invoices.csv"}) as journal:
        again = run(work, client, module, journal)
    assert [o.status for o in again.outcomes.values()] == ["unknown"] * 3
    assert sandbox.stats.writes == writes  # not sent again without the person's say

    with Journal.open(path, {"input": "invoices.csv"}) as journal:
        said = run(work[:1], client, module, journal, resend_unknown=True)
    assert said.outcomes[2].status == "created"
    assert sandbox.stats.writes == writes + 1


def test_upserts_applied_then_answered_504_are_checked_by_key_and_none_failed(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(seed=3)
    sandbox.add_custom_field("item", "External ID", is_unique=True)
    client = client_for(sandbox, attempts=0)
    module = load_fields(client, "items")
    work = items(module, 12)
    sandbox.configure(applied_error_rate=0.5)
    with Journal.open(tmp_path / "j.sqlite", {"input": "items.csv"}) as journal:
        result = run_rows(work, client=client, module=module, journal=journal, options=RunOptions(
            mode="upsert", key_field=KEY, concurrency=4, check_pauses=PAUSES))
    assert sandbox.stats.applied_errors > 0
    assert sorted(r["custom_field_hash"][KEY] for r in sandbox.records("items")) == [w.key for w in work]
    assert {o.status for o in result.outcomes.values()} <= {"created", "updated"}
    assert any("checked Zoho" in o.message for o in result.outcomes.values())
