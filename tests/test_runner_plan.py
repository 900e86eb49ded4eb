"""The plan printed before the first write, and the resume decisions it shares with the runner."""

from __future__ import annotations

import pytest

from bulkio.run.journal import Journal, resume_action
from bulkio.run.journalentry import JournalEntry
from bulkio.run.runner import RunOptions, WorkItem, make_plan
from bulkio.zoho.limiter import QuotaInfo


def work(n: int) -> list[WorkItem]:
    return [WorkItem(i + 2, f"K{i}", {"name": f"n{i}"}, f"h{i}", name=f"n{i}") for i in range(n)]


def test_plan_counts_calls_time_and_quota_share():
    plan = make_plan(work(150), rate=100, daily_limit=1000, reads=3, rows_invalid=4)
    assert (plan.rows_valid, plan.rows_invalid, plan.rows_to_send) == (150, 4, 150)
    assert (plan.writes, plan.reads, plan.calls) == (150, 3, 153)
    assert plan.minutes_at_rate == pytest.approx(1.53)
    assert plan.daily_share == pytest.approx(0.153) and not plan.over_quota
    assert plan.lines() == [
        "Rows: 150 valid, 4 invalid (listed in the report).",
        "Calls: 150 writes + 3 reads = 153 calls.",
        "Time: about 2 minutes at 100 requests per minute.",
        "Daily quota: this uses 15% of 1,000 calls a day; 1,000 left today.",
    ]


def test_plan_over_what_is_left_of_the_quota_says_it_will_stop_and_resume():
    plan = make_plan(work(500), rate=100, daily_limit=1000,
                     quota=QuotaInfo(limit=2000, remaining=300))
    assert plan.over_quota and plan.daily_share == pytest.approx(0.25)
    assert plan.lines()[-2:] == [
        "Daily quota: this uses 25% of 2,000 calls a day; 300 left today.",
        "Over quota: this needs more calls than the 300 left today. bulkio sends until the "
        "quota is used up, then stops (exit code 3); run the same command again after the "
        "quota resets to finish.",
    ]


def test_plan_leaves_out_rows_the_journal_finished(tmp_path):
    items = work(5)
    with Journal.open(tmp_path / "j.sqlite", {"input": "x"}) as journal:
        journal.mark_sending(2, "K0", "h0")
        journal.mark_done(2, "created", record_id="1")
        journal.mark_sending(3, "K1", "old")          # changed since: sent again
        journal.mark_done(3, "updated", record_id="2")
        journal.mark_sending(4, "K2", "h2")           # answer lost: sent again
        plan = make_plan(items, rate=60, daily_limit=1000, journal=journal)
    assert (plan.rows_to_send, plan.rows_done, plan.writes) == (4, 1, 4)
    assert "Finished in an earlier run (journal): 1 row; 4 left to send." in plan.lines()


def test_plan_for_skip_unchanged_and_dry_run_counts_comparison_reads():
    skip = make_plan(work(10), rate=100, daily_limit=1000,
                     options=RunOptions(key_field="cf_x", skip_unchanged=True))
    assert (skip.writes, skip.reads) == (10, 10)
    assert "up to 10 reads of the records in Zoho" in skip.lines()[1]
    dry = make_plan(work(10), rate=100, daily_limit=1000, dry_run=True)
    assert (dry.writes, dry.reads) == (0, 0)
    assert dry.lines()[1] == ("Calls: no writes (dry run), 0 reads, plus one read per 200 "
                              "records already in Zoho.")


def entry(status, payload_hash="h", record_id=None, retryable=False):
    return JournalEntry(2, "K", payload_hash, status, record_id, None, None, retryable, 1, 0.0)


@pytest.mark.parametrize("state, keyed, expected", [
    (None, True, "send"),
    (entry("pending"), False, "send"),
    (entry("created", record_id="9"), True, "done"),
    (entry("unchanged", record_id="9"), False, "done"),
    (entry("updated", "old", "9"), True, "send"),
    (entry("created", "old", "9"), False, "update"),
    (entry("sending"), True, "send"),
    (entry("sending"), False, "check"),
    (entry("unknown"), False, "unknown"),  # nothing identifies it: not sent again
    (entry("unknown"), True, "unknown"),
    (entry("failed"), True, "failed"),
    (entry("failed", retryable=True), False, "send"),
    (entry("failed", "old"), True, "send"),
])
def test_resume_decisions(state, keyed, expected):
    assert resume_action(state, "h", keyed=keyed) == expected


def test_an_unknown_row_is_sent_again_only_when_the_person_says_so():
    assert resume_action(entry("unknown"), "h", keyed=False, resend_unknown=True) == "send"


def test_plan_time_reads_naturally():
    assert make_plan(work(10), rate=100, daily_limit=1000).lines()[2] == (
        "Time: less than a minute at 100 requests per minute.")
    assert make_plan(work(600), rate=100, daily_limit=1000).lines()[2] == (
        "Time: about 6 minutes at 100 requests per minute.")
    assert make_plan(work(990), rate=10, daily_limit=1000).lines()[2] == (
        "Time: about 1.6 hours at 10 requests per minute.")
