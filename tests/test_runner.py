"""The runner over real HTTP against the sandbox: modes, resume, lost answers, quota stops,
skip-unchanged, dry run and the cost-bounded reading of existing records."""

from __future__ import annotations

import threading

import pytest
from runner_support import CREATE, KEY, UPSERT, items, keyed_items_org, open_journal
from sandbox_clients import client_for

from bulkio.prepare.mapper import payload_hash
from bulkio.run.runner import RunOptions, WorkItem, run_rows


def statuses(result):
    return [o.status for o in result.outcomes.values()]


def id_of(sandbox, name):
    return next(r["item_id"] for r in sandbox.records("items") if r["name"] == name)


def keys_in_zoho(sandbox):
    return sorted(r["custom_field_hash"].get(KEY) for r in sandbox.records("items"))


def run_until_done(work, *, client, module, journal, options, runs=5):
    """Run the same command again while rows are left, as the contract tells the user to."""
    for _ in range(runs):
        result = run_rows(work, client=client, module=module, journal=journal, options=options)
        if all(s in ("created", "updated") for s in statuses(result)):
            return result
    raise AssertionError(f"rows still not done after {runs} runs: {statuses(result)}")


def test_upsert_creates_and_a_second_run_with_the_journal_sends_nothing(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 12)
    with open_journal(tmp_path) as journal:
        first = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    assert statuses(first) == ["created"] * 12
    assert list(first.outcomes) == [w.row for w in work]
    assert first.stopped is None and first.calls["writes"] == 12
    ids = {r["item_id"] for r in sandbox.records("items")}
    assert {o.record_id for o in first.outcomes.values()} == ids
    writes = sandbox.stats.writes
    with open_journal(tmp_path) as journal:
        second = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    assert sandbox.stats.writes == writes
    assert statuses(second) == ["created"] * 12
    assert [o.record_id for o in second.outcomes.values()] == [
        o.record_id for o in first.outcomes.values()]


def test_a_changed_row_is_sent_again_on_resume(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 3)
    with open_journal(tmp_path) as journal:
        run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
        changed = items(module, 3, rate=50)[1]
        work[1] = changed
        result = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    assert statuses(result) == ["created", "updated", "created"]
    assert result.calls["writes"] == 1
    assert {r["name"]: r["rate"] for r in sandbox.records("items")}["Item 0001"] == 51


def test_skip_unchanged_without_a_journal_sends_no_writes(items_org):
    sandbox, client, module = items_org
    work = items(module, 8)
    run_rows(work, client=client, module=module, journal=None, options=UPSERT)
    writes = sandbox.stats.writes
    work[3] = items(module, 8, rate=99)[3]
    options = RunOptions(mode="upsert", key_field=KEY, skip_unchanged=True)
    result = run_rows(work, client=client, module=module, journal=None, options=options)
    assert statuses(result) == ["unchanged"] * 3 + ["updated"] + ["unchanged"] * 4
    assert sandbox.stats.writes == writes + 1
    assert result.outcomes[2].record_id == id_of(sandbox, "Item 0000")


def test_skip_unchanged_rows_are_journalled(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 4)
    run_rows(work, client=client, module=module, journal=None, options=UPSERT)
    options = RunOptions(mode="upsert", key_field=KEY, skip_unchanged=True)
    with open_journal(tmp_path) as journal:
        run_rows(work, client=client, module=module, journal=journal, options=options)
        assert {e.status for e in journal.entries().values()} == {"unchanged"}
        reads = sandbox.stats["GET", "items"]
        again = run_rows(work, client=client, module=module, journal=journal, options=options)
    assert statuses(again) == ["unchanged"] * 4
    assert sandbox.stats["GET", "items"] == reads  # nothing left to send: nothing to read


def test_reading_existing_records_stops_when_it_cannot_pay_off(items_org):
    sandbox, client, module = items_org
    run_rows(items(module, 205, keyed=False), client=client, module=module, journal=None,
             options=RunOptions(mode="create", concurrency=8))
    options = RunOptions(mode="upsert", key_field=KEY, skip_unchanged=True)
    gets = sandbox.stats["GET", "items"]
    one = items(module, 1, start=300)
    result = run_rows(one, client=client, module=module, journal=None, options=options)
    assert sandbox.stats["GET", "items"] - gets == 1  # 2 pages exist; 1 read can save 1 write
    assert statuses(result) == ["created"]
    gets = sandbox.stats["GET", "items"]
    three = items(module, 3, start=400)
    run_rows(three, client=client, module=module, journal=None, options=options)
    assert sandbox.stats["GET", "items"] - gets == 2  # every page: fewer than the rows


def test_update_mode_fails_a_missing_key_with_zohos_message(items_org):
    sandbox, client, module = items_org
    work = items(module, 2)
    run_rows(work[:1], client=client, module=module, journal=None, options=UPSERT)
    update = RunOptions(mode="update", key_field=KEY)
    result = run_rows(work, client=client, module=module, journal=None, options=update)
    first, second = result.outcomes.values()
    assert (first.status, first.record_id) == ("updated", sandbox.records("items")[0]["item_id"])
    assert (second.status, second.error_code, second.message) == (
        "failed", "1002", "Item does not exist.")
    assert len(sandbox.records("items")) == 1


def test_a_row_with_an_id_is_updated_by_id(items_org):
    sandbox, client, module = items_org
    created = run_rows(items(module, 1), client=client, module=module, journal=None,
                       options=UPSERT).outcomes[2]
    payload = {"rate": 77}
    item = WorkItem(2, None, payload, payload_hash(payload), record_id=created.record_id)
    result = run_rows([item], client=client, module=module, journal=None,
                      options=RunOptions(mode="update", key_field=KEY))
    assert (result.outcomes[2].status, result.outcomes[2].record_id) == ("updated",
                                                                        created.record_id)
    assert sandbox.records("items")[0]["rate"] == 77


def test_a_zoho_error_fails_the_row_and_is_not_resent_unchanged(items_org, tmp_path):
    sandbox, client, module = items_org
    run_rows(items(module, 1, keyed=False), client=client, module=module, journal=None,
             options=CREATE)
    work = items(module, 2, keyed=False)  # row 2 has a name that already exists
    with open_journal(tmp_path, mode="create") as journal:
        first = run_rows(work, client=client, module=module, journal=journal, options=CREATE)
        writes = sandbox.stats.writes
        second = run_rows(work, client=client, module=module, journal=journal, options=CREATE)
    failed = first.outcomes[2]
    assert (failed.status, failed.error_code) == ("failed", "1001")
    assert failed.message == 'Item "Item 0000" already exists.'
    assert first.outcomes[3].status == "created"
    assert sandbox.stats.writes == writes
    assert second.outcomes[2].status == "failed"
    assert second.outcomes[2].message.startswith('Item "Item 0000" already exists.')
    assert "earlier run" in second.outcomes[2].message


@pytest.mark.parametrize("options", [UPSERT, CREATE], ids=["upsert", "create"])
def test_faults_and_lost_answers_end_with_every_row_created_once(sandbox_factory, tmp_path,
                                                               options):
    sandbox, client, module = keyed_items_org(sandbox_factory(fail_rate=0.1, lost_reply_rate=0.05,
                                                      seed=11))
    work = items(module, 60, keyed=options.mode != "create")
    with open_journal(tmp_path, mode=options.mode) as journal:
        result = run_until_done(work, client=client, module=module, journal=journal,
                                options=options)
        entries = journal.entries()
    assert sandbox.stats.lost_replies > 0 and sandbox.stats.failed_injected > 0
    records = sandbox.records("items")
    assert sorted(r["name"] for r in records) == [w.name for w in work]
    if options.mode != "create":
        assert keys_in_zoho(sandbox) == [w.key for w in work]
    else:  # every lost create was looked up by name before anything was sent again
        assert sandbox.stats["GET", "items"] >= sandbox.stats.lost_replies
    by_name = {r["name"]: r["item_id"] for r in records}
    assert {w.row: by_name[w.name] for w in work} == {
        row: o.record_id for row, o in result.outcomes.items()}
    assert {e.status for e in entries.values()} <= {"created", "updated"}


def test_a_create_whose_answer_was_lost_is_found_not_duplicated(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 2, keyed=False)
    run_rows(work[:1], client=client, module=module, journal=None, options=CREATE)
    existing = sandbox.records("items")[0]["item_id"]
    with open_journal(tmp_path, mode="create") as journal:
        # as a kill between the send and its answer leaves them
        for w in work:
            journal.mark_sending(w.row, w.key, w.payload_hash)
        writes = sandbox.stats.writes
        result = run_rows(work, client=client, module=module, journal=journal, options=CREATE)
    assert sandbox.stats.writes == writes + 1  # only the row that never reached Zoho
    assert (result.outcomes[2].status, result.outcomes[2].record_id) == ("created", existing)
    assert "found" in result.outcomes[2].message
    assert result.outcomes[3].status == "created"
    assert len(sandbox.records("items")) == 2


def test_quota_stop_keeps_rows_pending_and_a_rerun_finishes_without_duplicates(
        sandbox_factory, tmp_path):
    sandbox, client, module = keyed_items_org(sandbox_factory(daily_limit=15))
    work = items(module, 30)
    with open_journal(tmp_path) as journal:
        first = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
        assert first.stopped == "quota"
        done = [o for o in first.outcomes.values() if o.status == "created"]
        skipped = [o for o in first.outcomes.values() if o.status == "skipped"]
        assert 0 < len(done) < 30 and len(done) + len(skipped) == 30
        assert all("quota" in o.message for o in skipped)
        entries = journal.entries()
        assert all(entries.get(o.row) is None or entries[o.row].status == "pending"
                   for o in skipped)
        sandbox.reset_limits()
        sandbox.configure(daily_limit=10**9)
        client = client_for(sandbox)  # the next day's run is a new process
        second = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    assert second.stopped is None and statuses(second) == ["created"] * 30
    assert second.calls["writes"] == len(skipped)
    assert keys_in_zoho(sandbox) == [w.key for w in work]


def test_a_stop_request_ends_the_run_cleanly_and_resume_finishes(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 40)
    stop = threading.Event()
    events = []

    def progress(event):
        events.append(event)
        if event.done == 5:
            stop.set()

    with open_journal(tmp_path) as journal:
        first = run_rows(work, client=client, module=module, journal=journal,
                         options=RunOptions(mode="upsert", key_field=KEY, concurrency=2),
                         on_progress=progress, stop_event=stop)
        assert first.stopped == "interrupted"
        sent = sum(s == "created" for s in statuses(first))
        assert 5 <= sent < 40
        assert all("interrupted" in o.message for o in first.outcomes.values()
                   if o.status == "skipped")
        second = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    assert second.calls["writes"] == 40 - sent
    assert keys_in_zoho(sandbox) == [w.key for w in work]
    assert events[-1].total == 40 and events[-1].done == 40


def test_progress_reports_every_row(items_org):
    sandbox, client, module = items_org
    events = []
    run_rows(items(module, 6), client=client, module=module, journal=None, options=UPSERT,
             on_progress=events.append)
    assert [e.done for e in events] == [1, 2, 3, 4, 5, 6]
    assert all(e.total == 6 and e.failed == 0 for e in events)
    assert events[-1].rate > 0


def test_dry_run_writes_nothing_and_says_what_each_row_would_do(items_org):
    sandbox, client, module = items_org
    run_rows(items(module, 3), client=client, module=module, journal=None, options=UPSERT)
    # a record holding a name without a key, to collide with
    run_rows(items(module, 1, start=9, keyed=False), client=client, module=module,
             journal=None, options=CREATE)
    writes = sandbox.stats.writes
    work = items(module, 3)                      # 0000-0002 exist
    work[1] = items(module, 3, rate=70)[1]       # changed
    work += items(module, 1, start=5, first_row=5)     # new key, new name
    clash = items(module, 1, start=9, first_row=6)[0]  # new key, name held by another record
    work.append(clash)
    dup = items(module, 1, start=5, first_row=7)[0]    # same key as row 5: updates it
    work.append(dup)
    field_id = work[0].payload["custom_fields"][0]["customfield_id"]
    no_rate = {"name": "Item 0888",
               "custom_fields": [{"customfield_id": field_id, "value": "SKU-0888"}]}
    work.append(WorkItem(8, "SKU-0888", no_rate, payload_hash(no_rate), name="Item 0888"))
    options = RunOptions(mode="upsert", key_field=KEY, dry_run=True)
    result = run_rows(work, client=client, module=module, journal=None, options=options)
    assert sandbox.stats.writes == writes
    assert statuses(result) == ["unchanged", "would_update", "unchanged", "would_create",
                                "would_fail", "would_update", "would_fail"]
    assert result.outcomes[3].record_id == id_of(sandbox, "Item 0001")
    assert "Item 0009" in result.outcomes[6].message and "already exists" in result.outcomes[6].message
    assert "row 5" in result.outcomes[7].message
    assert "rate" in result.outcomes[8].message


def test_dry_run_in_update_and_create_modes(items_org):
    sandbox, client, module = items_org
    run_rows(items(module, 2), client=client, module=module, journal=None, options=UPSERT)
    writes = sandbox.stats.writes
    work = items(module, 3)
    update = run_rows(work, client=client, module=module, journal=None,
                      options=RunOptions(mode="update", key_field=KEY, dry_run=True))
    assert statuses(update) == ["unchanged", "unchanged", "would_fail"]
    assert "SKU-0002" in update.outcomes[4].message
    plain = items(module, 3, keyed=False, start=1)
    plain.append(items(module, 1, keyed=False, start=3, first_row=5)[0])
    create = run_rows(plain, client=client, module=module, journal=None,
                      options=RunOptions(mode="create", dry_run=True))
    assert statuses(create) == ["would_fail", "would_create", "would_create", "would_fail"]
    assert "Item 0001" in create.outcomes[2].message
    assert "row 4" in create.outcomes[5].message
    assert sandbox.stats.writes == writes
