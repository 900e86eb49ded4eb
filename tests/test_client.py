"""ZohoClient over real HTTP against the sandbox: request shape, envelope, pagination, writes,
5xx and lost replies to writes (maybe applied, never resent here), the daily quota."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sandbox_clients import UNLIMITED, client_for, item

from bulkio import __version__
from bulkio.errors import ApiError, NotFoundError, OutcomeUnknown, QuotaExhausted


def test_every_call_carries_token_org_agent_and_json(sandbox):
    client = client_for(sandbox)
    client.create("items", item(1))
    method, path, query, headers, body = sandbox.stats.requests[-1]
    headers = {k.lower(): v for k, v in headers.items()}
    assert (method, path) == ("POST", "/books/v3/items")
    assert query["organization_id"] == sandbox.org_id
    assert headers["authorization"].startswith("Zoho-oauthtoken 1000.")
    assert headers["user-agent"] == f"bulkio/{__version__}"
    assert headers["content-type"] == "application/json"
    assert body == item(1)


def test_pagination_reads_450_records_in_3_pages(sandbox):
    sandbox.configure(**UNLIMITED)
    client = client_for(sandbox)
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda n: client.create("items", item(n)), range(450)))
    gets_before = sandbox.stats["GET", "items"]
    records = list(client.iter_records("items"))
    assert len(records) == 450
    assert len({r["item_id"] for r in records}) == 450
    assert sandbox.stats["GET", "items"] - gets_before == 3
    pages = [q for m, p, q, h, b in sandbox.stats.requests if m == "GET" and p == "/books/v3/items"]
    assert [(q["page"], q["per_page"]) for q in pages] == [("1", "200"), ("2", "200"), ("3", "200")]


def test_filters_reach_zoho_and_find_by_name_is_exact(sandbox):
    client = client_for(sandbox)
    for name in ("Widget", "Widget Pro", "Gadget"):
        client.create("items", {"name": name, "rate": 1})
    found = client.find_by_name("items", "Widget")
    assert [r["name"] for r in found] == ["Widget"]


def test_create_update_and_get_record(sandbox):
    client = client_for(sandbox)
    created = client.create("items", item(1))
    assert (created.created, created.status) == (True, 201)
    record_id = created.record["item_id"]
    updated = client.update("items", record_id, {"rate": 99})
    assert (updated.created, updated.status, updated.record["rate"]) == (False, 200, 99)
    assert client.get_record("items", record_id)["rate"] == 99
    assert client.stats.writes == 2 and client.stats.reads == 1


def test_missing_record_is_not_found_with_zoho_code(sandbox):
    client = client_for(sandbox)
    with pytest.raises(NotFoundError) as info:
        client.get_record("items", "999999")
    assert (info.value.status, info.value.code) == (404, 1002)
    assert "does not exist" in info.value.message


def test_zoho_error_keeps_status_code_and_message(sandbox):
    client = client_for(sandbox)
    with pytest.raises(ApiError) as info:
        client.create("items", {"rate": 5})  # no name
    assert info.value.status == 400 and info.value.code == 4
    assert info.value.message == "name cannot be empty."


def external_id_field(sandbox, entity="item"):
    sandbox.add_custom_field(entity, label="External ID", data_type="string", is_unique=True)
    return "cf_external_id"


def test_upsert_creates_then_updates_by_unique_key(sandbox):
    key = external_id_field(sandbox)
    client = client_for(sandbox)
    first = client.upsert("items", key, "EXT-1", {**item(1), "custom_fields": [{"api_name": key, "value": "EXT-1"}]})
    second = client.upsert("items", key, "EXT-1", {"name": "Renamed", "rate": 12})
    # the OpenAPI files declare only 200 and the update's message for the upsert, created or
    # not: the answer alone cannot tell (the runner decides from the records it listed)
    assert (first.created, first.status) == (False, 200)
    assert (second.created, second.status) == (False, 200)
    assert second.record["item_id"] == first.record["item_id"]
    method, path, query, headers, body = sandbox.stats.requests[-1]
    assert (method, path) == ("PUT", "/books/v3/items")
    assert headers["X-Unique-Identifier-Key"] == key
    assert headers["X-Unique-Identifier-Value"] == "EXT-1"
    assert headers["X-Upsert"] == "true"


def test_update_only_sends_no_upsert_header_and_fails_when_absent(sandbox):
    key = external_id_field(sandbox)
    client = client_for(sandbox)
    with pytest.raises(ApiError):
        client.upsert("items", key, "NOPE", item(1), create=False)
    headers = sandbox.stats.requests[-1][3]
    assert "X-Upsert" not in headers
    assert list(client.iter_records("items")) == []


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_custom_fields_takes_the_list_whatever_its_key(sandbox):
    external_id_field(sandbox)
    fields = client_for(sandbox).custom_fields("item")
    assert [(f["api_name"], f["is_unique"]) for f in fields] == [("cf_external_id", True)]


def test_a_write_answered_500_is_maybe_applied_and_never_resent_here(sandbox):
    # Zoho documents 500 "Internal Error" and nothing of what was applied: maybe applied
    sandbox.configure(fail_rate=1.0, **UNLIMITED)
    client = client_for(sandbox)
    for write in (lambda: client.create("items", item(1)), lambda: client.update("items", "1", item(1))):
        with pytest.raises(OutcomeUnknown) as info:
            write()
        assert info.value.reason == "Zoho answered HTTP 500, a server error"
    assert sandbox.stats.failed_injected == 2  # each sent once: the runner checks before resending


def test_a_lost_reply_to_a_put_is_maybe_applied_too(sandbox):
    key = external_id_field(sandbox)
    sandbox.configure(lost_reply_rate=1.0, **UNLIMITED)
    client = client_for(sandbox)
    with pytest.raises(OutcomeUnknown) as info:
        client.upsert("items", key, "EXT-1", item(1))
    assert info.value.reason == "the connection was dropped before Zoho answered"
    assert sandbox.stats["PUT", "items"] == 1  # not resent blindly: the runner checks first
    sandbox.configure(lost_reply_rate=0.0)
    assert len(list(client.iter_records("items"))) == 1  # it was applied


def test_lost_reply_to_post_is_never_resent(sandbox):
    sandbox.configure(lost_reply_rate=1.0)
    client = client_for(sandbox)
    with pytest.raises(OutcomeUnknown) as info:
        client.create("items", item(1))
    assert "POST /items" in str(info.value) and "may or may not have applied it" in str(info.value)
    assert sandbox.stats["POST", "items"] == 1
    assert sandbox.stats.writes_applied == 1


def test_code_45_surfaces_as_quota_exhausted(sandbox):
    sandbox.configure(daily_limit=2)
    spender = client_for(sandbox)
    spender.create("items", item(1))
    spender.create("items", item(2))
    client = client_for(sandbox, daily=1000)  # does not know the day is spent
    with pytest.raises(QuotaExhausted) as info:
        client.create("items", item(3))
    assert (info.value.status, info.value.code) == (429, 45)
    assert client.stats.rate_limited[45] == 1
    sent = sandbox.stats.total
    with pytest.raises(QuotaExhausted):  # now known: refused before sending
        client.create("items", item(4))
    assert sandbox.stats.total == sent


def test_budget_learned_from_headers_stops_before_sending(sandbox):
    sandbox.configure(daily_limit=3)
    client = client_for(sandbox, daily=1000)
    for n in range(3):
        client.create("items", item(n))
    assert client.quota.limit == 3 and client.quota.remaining == 0
    with pytest.raises(QuotaExhausted) as info:
        client.create("items", item(9))
    assert "nothing was sent" in str(info.value)
    assert sandbox.stats["POST", "items"] == 3
