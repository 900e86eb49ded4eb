"""`bulkio import` end to end against a sandbox that misbehaves: 500s and lost replies, tokens
that expire, a rate limit below --rate, a daily quota; and no secret in any output."""

from __future__ import annotations

import threading
import time

import pytest
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    numbered_items,
    outcomes,
    read_table,
    sandbox_env,
    statuses,
    write_bytes,
)

EXTERNAL_ID = (("External ID", "string", {"is_unique": True}),)


def items_file(tmp_path, n, name="items.csv"):
    return write_bytes(tmp_path / name, csv_text(*numbered_items(n)), "utf-8")


def assert_each_row_once(sandbox, n):
    """Zoho holds exactly one record per input row, with the row's name and rate."""
    records = items_by_key(sandbox)  # fails on a duplicate key
    assert sorted(records) == [f"K{i:04d}" for i in range(n)]
    assert all((r["name"], r["rate"]) == (f"Item {k[1:]}", 10 + int(k[1:])) for k, r in records.items())


def assert_names_once(sandbox, n):
    """Create mode has no key: one record per row, by name."""
    names = sorted(r["name"] for r in sandbox.records("items"))
    assert names == [f"Item {i:04d}" for i in range(n)]


@pytest.mark.parametrize("mode", ["upsert", "create"])
def test_500s_and_lost_replies_end_with_every_row_created_exactly_once(sandbox_factory, tmp_path, mode):
    sandbox = sandbox_factory(fail_rate=0.1, lost_reply_rate=0.05, seed=20261121)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    source = items_file(tmp_path, 60)
    report = tmp_path / "report.csv"
    key = "External ID" if mode == "upsert" else None

    result = invoke(env, *import_args(source, "--mode", mode, key=key, report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert sandbox.stats.failed_injected > 0 and sandbox.stats.lost_replies > 0
    done = statuses(report)
    assert sorted(done) == list(range(2, 62))
    # a resent upsert finds its own lost first attempt and reads "updated"
    assert set(done.values()) <= ({"created", "updated"} if mode == "upsert" else {"created"})
    if mode == "upsert":
        assert_each_row_once(sandbox, 60)
    else:
        assert_names_once(sandbox, 60)
    ids = [r["record_id"] for r in read_table(report)]
    assert sorted(ids) == sorted(r["item_id"] for r in sandbox.records("items"))


def test_a_token_expiring_every_second_costs_no_row(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(token_ttl_s=1)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    source = items_file(tmp_path, 40)
    report = tmp_path / "report.csv"

    # 40 writes at 900 per minute: about 2.7 s, so the token expires twice or more mid-run
    result = invoke(env, *import_args(source, rate="900", report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert sandbox.stats.tokens_issued >= 3
    assert set(statuses(report).values()) == {"created"}
    assert_each_row_once(sandbox, 40)


def test_a_sandbox_limit_of_a_fifth_of_rate_loses_no_row(sandbox_factory, tmp_path):
    # Zoho allows 20 calls per 2 s (600 per minute); bulkio is told 3,000 per minute
    sandbox = sandbox_factory(rate_limit=20, rate_window_s=2)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    source = items_file(tmp_path, 40)
    report = tmp_path / "report.csv"

    result = invoke(env, *import_args(source, rate="3000", report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert sum(sandbox.stats.rate_limited.values()) > 0  # the limit was really hit
    assert set(statuses(report).values()) == {"created"}
    assert_each_row_once(sandbox, 40)


def test_a_used_up_daily_quota_exits_3_and_a_rerun_finishes_without_duplicates(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(daily_limit=15)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    source = items_file(tmp_path, 30)
    report = tmp_path / "report.csv"

    stopped = invoke(env, *import_args(source, "--concurrency", "2", report=report))

    assert stopped.exit_code == 3, stopped.output + stopped.stderr
    assert "Over quota: this needs more calls than the 13 left today." in stopped.output
    assert "Stopped: the daily API quota is used up." in stopped.output
    first = statuses(report)
    assert sorted(first) == list(range(2, 32))  # the report covers every row so far
    created = sorted(r for r, s in first.items() if s == "created")
    assert created and set(first.values()) == {"created", "skipped"}
    assert len(created) == len(sandbox.records("items")) < 30
    skipped = [(r, c, m) for r, s, c, m in outcomes(report) if s == "skipped"]
    assert {(c, m) for _, c, m in skipped} == {("", "not sent: the organisation's daily API quota is "
                                                "used up; run the same command again after it "
                                                "resets to send this row")}

    sandbox.configure(daily_limit=1000)
    sandbox.stats.reset()
    finished = invoke(env, *import_args(source, "--concurrency", "2", report=report))

    assert finished.exit_code == 0, finished.output + finished.stderr
    assert set(statuses(report).values()) == {"created"}
    assert sandbox.stats.writes == 30 - len(created)  # done rows are not sent again
    assert_each_row_once(sandbox, 30)


def test_zohos_own_quota_refusal_mid_run_exits_3_and_a_rerun_finishes(sandbox_factory, tmp_path):
    # bulkio's budget says plenty is left; Zoho refuses (429, code 45) part-way through.
    sandbox = sandbox_factory(latency_ms=30)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    source = items_file(tmp_path, 30)
    report = tmp_path / "report.csv"

    def close_the_day():
        while sandbox.stats.writes_applied < 6:
            time.sleep(0.002)
        sandbox.configure(daily_limit=sandbox.stats.total)

    closer = threading.Thread(target=close_the_day, daemon=True)
    closer.start()
    stopped = invoke(env, *import_args(source, "--concurrency", "3", report=report))
    closer.join(timeout=5)

    assert stopped.exit_code == 3, stopped.output + stopped.stderr
    assert sandbox.stats.rate_limited[45] > 0
    first = statuses(report)
    assert sorted(first) == list(range(2, 32)) and set(first.values()) == {"created", "skipped"}
    assert sum(s == "created" for s in first.values()) == len(sandbox.records("items"))

    sandbox.configure(daily_limit=1000, latency_ms=0)
    finished = invoke(env, *import_args(source, "--concurrency", "3", report=report))

    assert finished.exit_code == 0, finished.output + finished.stderr
    assert set(statuses(report).values()) == {"created"}
    assert_each_row_once(sandbox, 30)


SECRET = "SENTINEL-client-secret-7f3a9c"
REFRESH = "1000.SENTINEL-refresh-token-42b1e8"


def test_no_secret_reaches_stdout_stderr_report_errors_file_or_journal(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(client_secret=SECRET, refresh_token=REFRESH, token_ttl_s=1,
                              fail_rate=0.5, seed=3)
    add_item_fields(sandbox, EXTERNAL_ID)
    env = sandbox_env(sandbox, tmp_path)
    header, rows = numbered_items(12)
    rows[3][2] = "not a number"  # an invalid row: the errors file gets written
    source = write_bytes(tmp_path / "items.csv", csv_text(header, rows), "utf-8")

    runs = [
        invoke(env, *import_args(source, "--concurrency", "2", rate="600")),
        invoke(env, *import_args(source, "--dry-run", report=tmp_path / "dry.csv")),
        invoke(env, "validate", source, "-m", "items", "-k", "External ID", "--report",
               tmp_path / "valid.xlsx"),
        invoke({**env, "ZOHO_REFRESH_TOKEN": REFRESH + "-revoked"}, *import_args(source)),
        invoke({**env, "ZOHO_CLIENT_SECRET": SECRET + "-wrong"}, "fields", "-m", "items"),
    ]

    assert [r.exit_code for r in runs[:4]] == [1, 1, 1, 2]
    assert runs[4].exit_code == 2
    assert sandbox.stats.failed_injected > 0  # Zoho's 500 bodies went through the error path
    tokens = _access_tokens(sandbox)
    assert tokens, "the sandbox issued no access token to look for"
    secrets = [SECRET, REFRESH, *tokens]
    outputs = {f"run {i} stdout": r.stdout_bytes for i, r in enumerate(runs)}
    outputs.update({f"run {i} stderr": r.stderr_bytes for i, r in enumerate(runs)})
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != source]
    assert {p.name for p in files} >= {
        "items.report.xlsx", "items.report.errors.xlsx", "items.journal.sqlite", "dry.csv",
        "dry.errors.csv", "valid.xlsx", "valid.errors.xlsx",
    }
    outputs.update({p.name: p.read_bytes() for p in files})
    leaks = [(where, s) for where, data in outputs.items() for s in secrets
             if s.encode() in data or s.encode("utf-16-le") in data]
    assert leaks == []


def _access_tokens(sandbox) -> list[str]:
    """The access tokens the sandbox issued, as the requests carried them."""
    found = set()
    for _m, _p, _q, headers, _b in sandbox.stats.requests:
        value = headers.get("Authorization", "")
        if value.startswith("Zoho-oauthtoken "):
            found.add(value.split(" ", 1)[1])
    return sorted(found)
