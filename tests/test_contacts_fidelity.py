"""Contacts as Zoho documents them: list rows without custom fields (contacts.yml,
list-contacts-response) and contact persons replaced by an update (update-a-contact)."""

from __future__ import annotations

import time

from e2e_support import csv_text, invoke, outcomes, sandbox_env
from sandbox_clients import client_for

HEADER = ["External ID", "Display Name", "Contact Type", "First Name", "Email"]


def _external_id(sandbox) -> dict:
    return sandbox.add_custom_field("contact", "External ID", "string", is_unique=True)


def _contact_with_two_people(client, field: dict) -> dict:
    return client.create("contacts", {
        "contact_name": "Acme", "contact_type": "customer",
        "custom_fields": [{"label": field["label"], "value": "C-1"}],
        "contact_persons": [
            {"first_name": "Ann", "email": "ann@acme.test", "is_primary_contact": True},
            {"first_name": "Bob", "email": "bob@acme.test"}],
    }).record


def _file(tmp_path, rows, name="contacts.csv"):
    path = tmp_path / name
    path.write_text(csv_text(HEADER, rows))
    return path


def _import(env, path, tmp_path, *extra, report="report.csv"):
    result = invoke(env, "import", path, "-m", "contacts", "-k", "External ID", "--rate", "60000",
                    "--report", tmp_path / report, *extra)
    assert result.exit_code == 0, result.output + result.stderr
    return result, outcomes(tmp_path / report)


def _people(sandbox) -> list[tuple]:
    [contact] = sandbox.records("contacts")
    return [(p["contact_person_id"], p["first_name"], p["email"], bool(p.get("is_primary_contact")))
            for p in contact["contact_persons"]]


def test_an_update_keeps_the_people_the_sheet_does_not_mention(sandbox, tmp_path):
    client = client_for(sandbox)
    _contact_with_two_people(client, _external_id(sandbox))
    (ann_id, *_), (bob_id, *_) = _people(sandbox)
    env = sandbox_env(sandbox, tmp_path)

    _, rows = _import(env, _file(tmp_path, [["C-1", "Acme", "customer", "Ann", "ann@new.test"]]), tmp_path)

    assert [r[1] for r in rows] == ["updated"]
    assert _people(sandbox) == [(ann_id, "Ann", "ann@new.test", True),
                                (bob_id, "Bob", "bob@acme.test", False)]


def test_a_contact_the_sheet_leaves_unchanged_is_skipped_and_its_people_stay(sandbox, tmp_path):
    client = client_for(sandbox)
    _contact_with_two_people(client, _external_id(sandbox))
    before = _people(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["C-1", "Acme", "customer", "Ann", "ann@acme.test"]])
    sandbox.stats.reset()

    result, rows = _import(env, path, tmp_path, "--skip-unchanged")

    assert [r[1] for r in rows] == ["unchanged"]
    assert sandbox.stats.writes == 0 and _people(sandbox) == before
    # bulkio never wrote this contact: the list cannot show its key, so it is read once
    assert sandbox.stats.by_module[("GET", "contacts")] == 2
    assert ("Calls: 1 writes + 2 reads = 3 calls, including 1 reads of records already in Zoho, "
            "one each: its list does not show all that bulkio compares") in result.output


def test_from_the_second_run_unchanged_contacts_cost_one_list_read_per_200(sandbox, tmp_path):
    _external_id(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    rows = [[f"C-{n}", f"Customer {n:03d}", "customer", f"P{n}", f"p{n}@x.test"] for n in range(250)]
    path = _file(tmp_path, rows)
    _, first = _import(env, path, tmp_path)
    assert {r[1] for r in first} == {"created"}
    sandbox.stats.reset()

    _, again = _import(env, path, tmp_path, "--skip-unchanged", "--no-resume", report="again.csv")

    assert {r[1] for r in again} == {"unchanged"}
    contact_calls = sum(n for (_, module), n in sandbox.stats.by_module.items() if module == "contacts")
    assert sandbox.stats.writes == 0 and contact_calls == 2  # two list pages, no record read by id
    assert contact_calls / len(rows) <= 0.01
    assert sandbox.stats.total == 3  # and the custom-field metadata, once per run


def test_a_contact_changed_in_zoho_since_is_read_again(sandbox, tmp_path):
    _external_id(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["C-1", "Acme", "customer", "Ann", "ann@acme.test"],
                            ["C-2", "Bolt", "customer", "Ben", "ben@bolt.test"]])
    _import(env, path, tmp_path)
    time.sleep(1.1)  # Zoho's last_modified_time counts seconds
    client = client_for(sandbox)
    acme = next(r for r in sandbox.records("contacts") if r["contact_name"] == "Acme")
    person = acme["contact_persons"][0]["contact_person_id"]
    client.update("contacts", acme["contact_id"], {"contact_persons": [
        {"contact_person_id": person, "first_name": "Ann", "email": "ann@changed.test"}]})
    sandbox.stats.reset()

    _, rows = _import(env, path, tmp_path, "--skip-unchanged", "--no-resume", report="again.csv")

    assert [r[1] for r in rows] == ["updated", "unchanged"]
    reads = [p for m, p, *_ in sandbox.stats.requests if m == "GET" and p.startswith("/books/v3/contacts/")]
    assert reads == [f"/books/v3/contacts/{acme['contact_id']}"]
    acme = next(r for r in sandbox.records("contacts") if r["contact_name"] == "Acme")
    assert [p["email"] for p in acme["contact_persons"]] == ["ann@acme.test"]


def test_a_sheet_without_person_columns_keeps_every_person_whole(sandbox, tmp_path):
    client = client_for(sandbox)
    _contact_with_two_people(client, _external_id(sandbox))
    before = _people(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    path = tmp_path / "companies.csv"
    path.write_text(csv_text(["External ID", "Display Name", "Company Name"], [["C-1", "Acme", "Acme Ltd"]]))

    _, rows = _import(env, path, tmp_path)

    assert [r[1] for r in rows] == ["updated"]
    [contact] = sandbox.records("contacts")
    assert contact["company_name"] == "Acme Ltd" and _people(sandbox) == before


def test_the_person_fields_sent_are_those_the_update_request_documents():
    from openapi import load_spec, resolve

    from bulkio.run.persons import PERSON_FIELDS

    spec = load_spec("contacts")
    people = resolve(spec, spec["components"]["schemas"]["update-a-contact-request"]["properties"]["contact_persons"])
    assert set(PERSON_FIELDS) == set(resolve(spec, people["items"])["properties"])
