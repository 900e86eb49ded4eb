"""bulkio against a Zoho that answers differently from the sandbox, within what Zoho documents.

An outside checker runs bulkio against its own Zoho-like server, so the client must cope with
every variation that server may legitimately show where Zoho's documentation leaves room. Here
a *variant front* stands before the sandbox's HTTP API and passes each call on; its answers can
be rewritten (other keys, other types, other statuses) or replaced by canned ones (429 with no
body, an HTML 503, ...). Everything runs over real loopback HTTP.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
from e2e_support import (
    KEY,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    outcomes,
    write_bytes,
)
from variant_front import Canned, Hook

from bulkio.catalogue.fields import load_fields
from bulkio.errors import QuotaExhausted
from bulkio.prepare.mapper import build_payload, changed_fields, payload_hash
from bulkio.run.runner import RunOptions, WorkItem, run_rows
from bulkio.zoho.auth import ZohoAuth

# --- hooks --------------------------------------------------------------------------------------

def on_fields(change: Callable[[list[dict]], Any]) -> Hook:
    """Rewrite the custom-field metadata list of GET /settings/fields (change returns the new
    envelope contents, or edits the list in place and returns None)."""
    def hook(method, path, status, answer):
        if method == "GET" and path.endswith(("/settings/fields", "/customfields")) and "fields" in answer:
            metas = answer.pop("fields")
            replaced = change(metas)
            answer.update(replaced if replaced is not None else {"fields": metas})
        return status, answer
    return hook


def on_item_list(change: Callable[[dict], None]) -> Hook:
    """Rewrite each record of GET /items (the list, not one record by id) in place."""
    def hook(method, path, status, answer):
        if method == "GET" and path.endswith("/items") and isinstance(answer.get("items"), list):
            for record in answer["items"]:
                change(record)
        return status, answer
    return hook


def writes(sandbox) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _q, _h, _b in sandbox.stats.requests if m in ("POST", "PUT")]


def import_file(tmp_path, rows, header=("External ID", "Item Name", "Rate"), name="items.csv"):
    return write_bytes(tmp_path / name, csv_text(list(header), rows), "utf-8")


ROWS = [["A1", "Alpha", "10"], ["B2", "Beta", "20"]]


# ---------------------------------------------------------------------------------------------
# Custom-field metadata in other shapes


def _renamed(key: str):
    def change(metas):
        for meta in metas:
            meta.pop("customfield_id", None)  # field_id only
            meta.pop("api_name", None)        # derived from the label
        if key == "nested":
            return {"settings": {"fields": metas}}
        if key == "after-another-list":
            return {"entities": [{"entity": "item", "label": "Item"}], "customfields": metas}
        return {key: metas}
    return change


@pytest.mark.sandbox_config(field_metadata="full")  # the flags are what is read here
@pytest.mark.parametrize("key", ["customfields", "fields", "custom_fields", "nested", "after-another-list"])
def test_metadata_under_another_key_with_field_id_and_no_api_name(front, tmp_path, key):
    front.variant.hooks.append(on_fields(_renamed(key)))
    source = import_file(tmp_path, ROWS)
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(source, report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    assert {k: r["name"] for k, r in items_by_key(front.sandbox).items()} == {"A1": "Alpha", "B2": "Beta"}
    module = load_fields(front.client(), "items")
    key_field = module.field(KEY)
    assert (key_field.unique, key_field.customfield_id is not None) == (True, True)


TYPE_NAMES = {"string": "text", "number": "integer", "check_box": "boolean", "amount": "currency"}


def test_data_types_by_other_names_still_type_the_values(front, tmp_path):
    front.sandbox.add_custom_field("item", "Deposit", "amount")
    front.variant.hooks.append(on_fields(lambda metas: [
        m.update(data_type=TYPE_NAMES.get(m["data_type"], m["data_type"])) for m in metas] and None))
    header = ["External ID", "Item Name", "Rate", "Pack Size", "Fragile", "Deposit"]
    rows = [["A1", "Alpha", "10", "0012", "yes", "12.50"], ["B2", "Beta", "20", "2.5", "no", "1"]]
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, rows, header), report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "created", "", ""),
        (3, "invalid", "E_TYPE", '"Pack Size" must be a whole number such as 12; got "2.5"'),
    ]
    alpha = items_by_key(front.sandbox)["A1"]["custom_field_hash"]
    assert (alpha["cf_pack_size"], alpha["cf_fragile"], alpha["cf_deposit"]) == (12, True, 12.5)


@pytest.mark.parametrize("shape", ["strings", "value_dicts", "name_dicts"])
def test_dropdown_options_as_strings_or_dicts(front, tmp_path, shape):
    def change(metas):
        for meta in metas:
            if meta["data_type"] == "dropdown":
                names = [v["name"] for v in meta["values"]] + ["Old"]
                meta["values"] = {
                    "strings": names[:-1],
                    "value_dicts": [{"value": n, "is_active": n != "Old"} for n in names],
                    "name_dicts": [{"name": n, "value": n.lower(), "is_active": n != "Old"} for n in names],
                }[shape]
    front.variant.hooks.append(on_fields(change))
    header = ["External ID", "Item Name", "Rate", "Colour"]
    rows = [["A1", "Alpha", "10", "red"], ["B2", "Beta", "20", "Old"]]
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, rows, header), report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "created", "", ""),
        (3, "invalid", "E_CHOICE", '"Colour" must be one of Red, Green, Blue; got "Old"'),
    ]
    assert items_by_key(front.sandbox)["A1"]["custom_field_hash"]["cf_colour"] == "Red"


def test_key_whose_metadata_omits_is_unique_is_used_with_one_warning(front, tmp_path):
    front.variant.hooks.append(on_fields(lambda metas: [m.pop("is_unique", None) for m in metas] and None))
    report = tmp_path / "r.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, ROWS), report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert result.stderr.count('Zoho does not say whether "External ID" has "Prevent duplicate values" on') == 1
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    assert {k: r["name"] for k, r in items_by_key(front.sandbox).items()} == {"A1": "Alpha", "B2": "Beta"}


def test_a_server_that_ignores_filter_custom_fields_has_its_system_fields_dropped(front, tmp_path):
    front.variant.query_hook = lambda query: {k: v for k, v in query.items() if k != "filter_custom_fields"}
    report = tmp_path / "r.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, ROWS), report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    entries = [e for r in front.sandbox.records("items") for e in r["custom_fields"]]
    assert entries and {e["api_name"] for e in entries} == {KEY}
    listed = invoke(front.env(tmp_path), "fields", "-m", "items").output
    custom = sorted(line.split()[0] for line in listed.splitlines() if "(custom)" in line)
    assert custom == sorted(f.api_name for f in load_fields(front.client(), "items").custom_fields)
    assert all(name.startswith("cf_") for name in custom) and "name" not in custom


@pytest.mark.sandbox_config(field_metadata="full")  # the flags are what is read here
def test_metadata_flags_written_as_text(front, tmp_path):
    def change(metas):
        for meta in metas:
            meta.update(is_unique=str(meta["is_unique"]).lower(), is_mandatory="false", is_active="true")
    front.variant.hooks.append(on_fields(change))
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, ROWS), report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    module = load_fields(front.client(), "items")
    assert [f.api_name for f in module.custom_fields if f.unique] == [KEY]
    assert not any(f.required for f in module.custom_fields)


# ---------------------------------------------------------------------------------------------
# Upsert answering 200 when it created


def _created_as_200(message: str | None):
    def hook(method, path, status, answer):
        if method == "PUT" and status == 201:
            status = 200
            if message is not None:
                answer["message"] = message
        return status, answer
    return hook


@pytest.mark.parametrize("message", [None, "success"], ids=["zoho-message", "generic-message"])
def test_upsert_answering_200_when_it_created(front, tmp_path, message):
    front.variant.hooks.append(_created_as_200(message))
    env = front.env(tmp_path)
    report = tmp_path / "report.csv"

    first = invoke(env, *import_args(import_file(tmp_path, ROWS), report=report))

    assert first.exit_code == 0, first.output + first.stderr
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    time.sleep(1.05)  # Zoho's timestamps count seconds: let an update be told from the create
    changed = [["A1", "Alpha", "11"], ["B2", "Beta", "20"], ["C3", "Gamma", "30"]]
    second = invoke(env, *import_args(import_file(tmp_path, changed), report=report))

    assert second.exit_code == 0, second.output + second.stderr
    # B2 did not change: the journal reports it as created by the first run, sending nothing
    assert [o[1] for o in outcomes(report)] == ["updated", "created", "created"]
    records = items_by_key(front.sandbox)
    assert sorted(records) == ["A1", "B2", "C3"] and records["A1"]["rate"] == 11


# ---------------------------------------------------------------------------------------------
# List answers that carry custom values in other places


def _list_shape(shape: str):
    def change(record):
        hashed = record.pop("custom_field_hash", {})
        entries = record.pop("custom_fields", [])
        keep = {"entries_api_name": ("api_name",), "entries_label": ("label",),
                "entries_id": ("customfield_id",)}.get(shape)
        if keep:
            record["custom_fields"] = [{**{k: e[k] for k in keep}, "value": e["value"]} for e in entries]
        elif shape == "top_level":
            for entry in entries:  # formatted text under the api name, the value beside it
                record[entry["api_name"]] = entry["value_formatted"]
                record[entry["api_name"] + "_unformatted"] = entry["value"]
        elif shape == "top_level_plain":
            record.update(hashed)
    return change


LIST_SHAPES = ["entries_api_name", "entries_label", "entries_id", "top_level", "top_level_plain", "none"]
CF_HEADER = ["External ID", "Item Name", "Rate", "Launch Date", "Fragile", "Pack Size"]
CF_ROWS = [["A1", "Alpha", "10", "2026-11-21", "yes", "12"],
           ["B2", "Beta", "20", "2026-01-05", "no", "7"],
           ["C3", "Gamma", "30", "", "", "3"]]
CF_NEXT = [["A1", "Alpha", "10", "2026-11-21", "yes", "12"],   # as it is in Zoho
           ["B2", "Beta", "21", "2026-01-05", "no", "7"],      # a standard field changed
           ["C3", "Gamma", "30", "", "", "4"],                 # a custom field changed
           ["D4", "Delta", "40", "", "", ""]]                  # new


@pytest.mark.parametrize("shape", LIST_SHAPES)
def test_dry_run_and_skip_unchanged_with_custom_values_elsewhere_in_list_answers(front, tmp_path, shape):
    env = front.env(tmp_path)
    first = invoke(env, *import_args(import_file(tmp_path, CF_ROWS, CF_HEADER), report=tmp_path / "r0.csv"))
    assert first.exit_code == 0, first.output + first.stderr
    front.variant.hooks.append(on_item_list(_list_shape(shape)))
    source = import_file(tmp_path, CF_NEXT, CF_HEADER, name="next.csv")
    dry_report, report = tmp_path / "dry.csv", tmp_path / "report.csv"

    dry = invoke(env, *import_args(source, "--dry-run", report=dry_report))

    assert dry.exit_code == 0, dry.output + dry.stderr
    assert [o[1] for o in outcomes(dry_report)] == ["unchanged", "would_update", "would_update", "would_create"]
    writes_before = len(writes(front.sandbox))

    run = invoke(env, *import_args(source, "--skip-unchanged", "--no-resume", report=report))

    assert run.exit_code == 0, run.output + run.stderr
    # with no custom fields in the list, the records bulkio wrote in the first run are
    # remembered (bulkio.run.memory), and each list row shows they did not change since
    assert [o[1] for o in outcomes(report)] == ["unchanged", "updated", "updated", "created"]
    assert len(writes(front.sandbox)) - writes_before == 3
    records = items_by_key(front.sandbox)
    assert sorted(records) == ["A1", "B2", "C3", "D4"]
    assert (records["B2"]["rate"], records["C3"]["custom_field_hash"]["cf_pack_size"]) == (21, 4)


def _as_text(record):
    record["rate"] = f"{record['rate']:.2f}"
    hashed = record.get("custom_field_hash", {})
    for entry in record.get("custom_fields", []):
        value = entry["value"]
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif entry["data_type"] == "date":
            value = value + "T00:00:00+0000"
        else:
            value = str(value)
        entry["value"] = hashed[entry["api_name"]] = value


def test_numbers_booleans_and_dates_returned_as_text_are_not_changes(front, tmp_path):
    env = front.env(tmp_path)
    source = import_file(tmp_path, CF_ROWS, CF_HEADER)
    first = invoke(env, *import_args(source, report=tmp_path / "r0.csv"))
    assert first.exit_code == 0, first.output + first.stderr
    front.variant.hooks.append(on_item_list(_as_text))
    writes_before = len(writes(front.sandbox))

    dry = invoke(env, *import_args(source, "--dry-run", report=tmp_path / "dry.csv"))
    run = invoke(env, *import_args(source, "--skip-unchanged", "--no-resume", report=tmp_path / "r.csv"))

    assert (dry.exit_code, run.exit_code) == (0, 0), dry.output + dry.stderr + run.output + run.stderr
    assert [o[1] for o in outcomes(tmp_path / "dry.csv")] == ["unchanged"] * 3
    assert [o[1] for o in outcomes(tmp_path / "r.csv")] == ["unchanged"] * 3
    assert len(writes(front.sandbox)) == writes_before


def test_a_record_listed_without_custom_fields_never_reads_as_unchanged_when_clearing_one(front):
    module = load_fields(front.client(), "items")
    payload = build_payload(module, {"name": "Alpha", "cf_colour": ""})
    listed = {"item_id": "1", "name": "Alpha", "rate": 10}  # nothing about custom fields

    assert changed_fields(module, payload, listed) == {"cf_colour": (None, "")}
    assert changed_fields(module, payload, {**listed, "custom_fields": []}) == {}


# ---------------------------------------------------------------------------------------------
# Error answers in shapes Zoho does not document

HTML_503 = (b"<html>\n<head><title>503 Service Unavailable</title></head>\n"
            b"<body><h1>Service Unavailable</h1>\n</body></html>")
RATE_429 = {
    "empty": Canned("PUT", "/items", 429, b"", times=2),
    "html": Canned("PUT", "/items", 429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                   "text/html", times=2),
    "code44-retry-after": Canned("PUT", "/items", 429, b'{"code": 44, "message": "Too many requests"}',
                                 headers={"Retry-After": "1"}, times=2),
}


@pytest.mark.parametrize("kind", list(RATE_429))
def test_429_in_any_shape_is_retried_without_duplicates(front, tmp_path, kind):
    front.variant.canned.append(copy.deepcopy(RATE_429[kind]))
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, ROWS), report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    assert len(front.variant.served) == 2
    assert sorted(items_by_key(front.sandbox)) == ["A1", "B2"]
    assert len(front.sandbox.records("items")) == 2


def _for_key(value: str):
    return lambda handler: handler.headers.get("X-Unique-Identifier-Value") == value


def test_a_400_without_json_fails_its_row_with_a_readable_message(front, tmp_path):
    front.variant.canned.append(Canned("PUT", "/items", 400, b"Bad Request\r\nInvalid header\r\n",
                                       "text/plain", when=_for_key("B2")))
    report = tmp_path / "report.csv"

    result = invoke(front.env(tmp_path), *import_args(import_file(tmp_path, ROWS), report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "created", "", ""),
        (3, "failed", "HTTP_400", "HTTP 400: Zoho answered text, not JSON: Bad Request Invalid header"),
    ]
    assert "Traceback" not in result.output + result.stderr
    assert sorted(items_by_key(front.sandbox)) == ["A1"]


FAILING = {
    "503-html": (Canned("PUT", "/items", 503, HTML_503, "text/html", times=99, when=_for_key("B2")),
                 "HTTP_503", "Zoho answered HTTP 503 with a gateway page"),
    "500-code-1000": (Canned("PUT", "/items", 500, b'{"code": 1000}', times=99, when=_for_key("B2")),
                      "1000", "Internal Server Error"),
    "500-code-1000-message": (Canned("PUT", "/items", 500, b'{"code": 1000, "message": "Internal Error"}',
                                     times=99, when=_for_key("B2")), "1000", "Internal Error"),
}


def _items(module, rows):
    to_payload = [build_payload(module, {KEY: key, "name": name, "rate": float(rate)}) for key, name, rate in rows]
    return [WorkItem(row, key, p, payload_hash(p), name=name)
            for row, (key, name, _), p in zip(range(2, 2 + len(rows)), rows, to_payload, strict=False)]


@pytest.mark.parametrize("kind", list(FAILING))
def test_5xx_in_any_shape_fails_only_its_row_after_retries(front, kind):
    canned, code, message = FAILING[kind]
    front.variant.canned.append(copy.deepcopy(canned))
    client = front.client()
    module = load_fields(client, "items")

    result = run_rows(_items(module, ROWS), client=client, module=module, journal=None,
                      options=RunOptions(mode="upsert", key_field=KEY, concurrency=2))

    done = [(o.status, o.error_code, o.message) for o in result.outcomes.values()]
    assert done[0] == ("created", None, "")
    # a 5xx may come after Zoho applied the write: checked each time, sent again only when absent
    assert done[1][:2] == ("failed", code) and done[1][2].startswith(message)
    assert "checked Zoho" in done[1][2]
    assert len(front.variant.served) == 3  # the session resends no write: each send is checked first
    assert sorted(items_by_key(front.sandbox)) == ["A1"]


class FakeClock:
    def __init__(self):
        self.t = 1000.0
        self.slept = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.slept += seconds


def test_retry_after_on_a_429_holds_the_next_call_that_long(front):
    from bulkio.zoho.limiter import Limiter

    clock = FakeClock()
    limiter = Limiter(60_000, 5, None, clock=clock.now, sleep=clock.sleep)
    front.variant.canned.append(Canned("POST", "/items", 429, b'{"code": 44, "message": "Too many requests"}',
                                       headers={"Retry-After": "7"}))
    client = front.client(limiter=limiter)

    result = client.create("items", {"name": "Alpha", "rate": 1})

    assert result.created and front.variant.served == [("POST", "/books/v3/items", 429)]
    assert 7 <= clock.slept < 8
    assert [r["name"] for r in front.sandbox.records("items")] == ["Alpha"]


def test_body_codes_written_as_text_still_mean_what_they_say(front):
    front.variant.hooks.append(lambda m, p, status, answer: (status, {**answer, "code": str(answer.get("code"))}))
    client = front.client()

    assert client.create("items", {"name": "Alpha", "rate": 1}).created
    assert [r["name"] for r in client.iter_records("items")] == ["Alpha"]
    front.variant.canned.append(Canned("POST", "/items", 429, b'{"code": "45", "message": "Daily limit"}'))
    with pytest.raises(QuotaExhausted):
        client.create("items", {"name": "Beta", "rate": 1})


# ---------------------------------------------------------------------------------------------
# Pagination without has_more_page, or with per_page ignored


def _fill(front, n: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = front.client()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: client.create("items", {"name": f"Item {i:04d}", "rate": 1}), range(n)))


def _page_context(change):
    def hook(method, path, status, answer):
        if method == "GET" and path.endswith("/items") and "page_context" in answer:
            change(answer)
        return status, answer
    return hook


def _list_reads(sandbox) -> list[tuple[str, str]]:
    return [(q.get("page"), q.get("per_page")) for m, p, q, _h, _b in sandbox.stats.requests
            if m == "GET" and p == "/books/v3/items"]


PAGING = {
    "no-has_more_page": (lambda a: a["page_context"].pop("has_more_page"), None, 2),
    "no-page_context": (lambda a: a.pop("page_context"), None, 2),
    "has_more_page-as-text": (lambda a: a["page_context"].update(
        has_more_page=str(a["page_context"]["has_more_page"]).lower()), None, 2),
    "per_page-ignored": (lambda a: None, "100", 3),
    "per_page-ignored-no-has_more_page": (lambda a: a["page_context"].pop("has_more_page"), "100", 3),
}


@pytest.mark.parametrize("kind", list(PAGING))
def test_every_record_is_read_whatever_the_page_context_says(front, kind):
    change, server_per_page, reads = PAGING[kind]
    _fill(front, 250)
    front.variant.hooks.append(_page_context(change))
    if server_per_page:
        front.variant.query_hook = lambda q: {**q, "per_page": server_per_page} if "per_page" in q else q
    before = len(_list_reads(front.sandbox))

    records = list(front.client().iter_records("items"))

    assert len({r["item_id"] for r in records}) == len(records) == 250
    assert len(_list_reads(front.sandbox)) - before == reads


# ---------------------------------------------------------------------------------------------
# The token endpoint's answer in other shapes


def _token_answer(change):
    def hook(method, path, status, answer):
        if path.endswith("/oauth/v2/token") and "access_token" in answer:
            status, answer = change(dict(answer))
        return status, answer
    return hook


TOKEN_ANSWERS = {
    "expires_in-as-text": lambda a: (200, {**a, "expires_in": "3600"}),
    "expires_in_sec-only": lambda a: (200, {**{k: v for k, v in a.items() if k != "expires_in"},
                                           "expires_in_sec": 3600}),
    "expires_in-in-ms": lambda a: (200, {**a, "expires_in": 3600000, "expires_in_sec": 3600}),
    "api_domain-elsewhere": lambda a: (200, {**a, "api_domain": "https://www.zohoapis.eu"}),
}


@pytest.mark.parametrize("kind", list(TOKEN_ANSWERS))
def test_token_answers_in_other_shapes_give_an_hour_long_token(front, kind):
    front.variant.hooks.append(_token_answer(TOKEN_ANSWERS[kind]))
    clock = FakeClock()
    sandbox = front.sandbox
    auth = ZohoAuth(accounts_url=front.base_url, client_id=sandbox.client_id,
                    client_secret=sandbox.client_secret, refresh_token=sandbox.refresh_token,
                    clock=clock.now)
    client = front.client(auth=auth)

    first = auth.token()
    assert client.create("items", {"name": "Alpha", "rate": 1}).created
    clock.t += 3500
    assert auth.token() == first  # not minted again while it lives
    clock.t += 100
    assert auth.token() != first  # minted again before Zoho's hour is up
    assert auth.refreshes == 2
    assert [r["name"] for r in sandbox.records("items")] == ["Alpha"]


@pytest.mark.parametrize("status", [400, 200])
def test_a_refused_client_is_a_clear_configuration_error(front, tmp_path, status):
    front.variant.canned.append(Canned("POST", "/oauth/v2/token", status, b'{"error": "invalid_client"}'))
    env = front.env(tmp_path)

    result = invoke(env, *import_args(import_file(tmp_path, ROWS), report=tmp_path / "r.csv"))

    assert result.exit_code == 2, result.output + result.stderr
    assert "The token call failed (invalid_client): ZOHO_CLIENT_ID is unknown" in result.stderr
    everything = result.output + result.stderr
    assert "Traceback" not in everything
    assert front.sandbox.client_secret not in everything and front.sandbox.refresh_token not in everything
    assert writes(front.sandbox) == []


def test_metadata_answered_as_one_field_under_field_is_read(front, tmp_path):
    # the shape of Zoho's documented answer to a create ("field": {...}), from a server that uses it
    front.variant.hooks.append(on_fields(lambda metas: {"field": next(m for m in metas if m["api_name"] == KEY)}))
    module = load_fields(front.client(), "items")
    assert [f.api_name for f in module.custom_fields] == [KEY]
