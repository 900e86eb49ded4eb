"""bulkio.zoho.records, the one reader of values in Zoho's record JSON: where a custom value is
looked for first, and an export that imports back with --skip-unchanged sending nothing when
Zoho's answers carry a value in two places that do not read alike."""

from __future__ import annotations

import pytest

from bulkio.catalogue import Field
from bulkio.catalogue.fields import load_fields
from bulkio.exporting import export_module
from bulkio.importing import run_import
from bulkio.preparing import ImportOptions
from bulkio.zoho.records import MISSING, custom_value, field_of_entry, raw_value, standard_value

DATE = Field(api_name="cf_launch_date", label="Launch Date", type="date", custom=True, customfield_id="7")


def test_the_hash_comes_first_then_the_documented_list_then_top_level_keys():
    entry = {"customfield_id": "7", "value": "2026-11-21", "value_formatted": "21 Nov 2026"}
    assert custom_value({"custom_field_hash": {"cf_launch_date": "2026-01-01"}, "custom_fields": [entry],
                         "cf_launch_date": "05 Jan 2026"}, DATE) == "2026-01-01"
    assert custom_value({"custom_fields": [entry], "cf_launch_date": "21 Nov 2026"}, DATE) == "2026-11-21"
    assert custom_value({"cf_launch_date": "21 Nov 2026", "cf_launch_date_unformatted": "2026-11-21"},
                        DATE) == "2026-11-21"
    assert custom_value({"custom_field_hash": {"cf_launch_date_unformatted": "2026-11-21",
                                               "cf_launch_date": "21 Nov 2026"}}, DATE) == "2026-11-21"


def test_a_list_entry_is_matched_by_id_before_api_name_label_or_index():
    entries = [{"label": "Launch Date", "value": "by label"}, {"customfield_id": 7, "value": "by id"}]
    assert custom_value({"custom_fields": entries}, DATE) == "by id"
    assert custom_value({"custom_fields": entries[:1]}, DATE) == "by label"
    assert custom_value({"custom_fields": [{"label": "", "value": "x"}]},
                        Field(api_name="cf_launch_date", label="", type="date", custom=True)) is MISSING
    assert field_of_entry((DATE,), {"custom_field_id": "7", "value": 1}) is DATE
    assert field_of_entry((DATE,), {"api_name": "cf_other", "value": 1}) is None


def test_absent_is_told_from_cleared():
    assert custom_value({"name": "Pen"}, DATE) is MISSING
    assert custom_value({"custom_field_hash": {"cf_launch_date": None}}, DATE) is None
    assert standard_value({"billing_address": {"city": "Leeds"}}, "billing_address.city") == "Leeds"
    assert standard_value({"billing_address": None}, ("billing_address", "city")) is MISSING
    persons = {"contact_persons": [{"email": "a@x"}, {"email": "b@x", "is_primary_contact": True}]}
    assert raw_value(persons, Field(api_name="contact_persons.email", label="Email", type="email")) == "b@x"


def _formatted_beside_the_list(record: dict) -> None:
    """An item as a list or detail answer may show it: the documented custom_fields list, and
    the formatted text under the bare api name with no _unformatted twin; no hash."""
    record.pop("custom_field_hash", None)
    for entry in record.get("custom_fields", []):
        record[entry["api_name"]] = entry["value_formatted"]


def _every_item_read(change):
    def hook(method, path, status, answer):
        if method == "GET" and ("/items" in path or path.endswith("/itemdetails")):
            for key in ("items", "item"):
                found = answer.get(key)
                for record in found if isinstance(found, list) else [found] if isinstance(found, dict) else []:
                    change(record)
        return status, answer
    return hook


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_of_answers_with_formatted_top_level_values_imports_back_unchanged(front, tmp_path, suffix):
    client = front.client()
    module = load_fields(client, "items")
    cf = {f.label: f.customfield_id for f in module.custom_fields}
    values = [("A1", "2026-11-21", True, 12), ("B2", "2026-01-05", False, 7)]
    for key, launch, fragile, pack in values:
        client.create(module, {"name": f"Item {key}", "rate": 10, "custom_fields": [
            {"customfield_id": cf["External ID"], "value": key}, {"customfield_id": cf["Launch Date"], "value": launch},
            {"customfield_id": cf["Fragile"], "value": fragile}, {"customfield_id": cf["Pack Size"], "value": pack}]})
    front.variant.hooks.append(_every_item_read(_formatted_beside_the_list))
    path = tmp_path / f"items{suffix}"
    export_module(client, module, path)
    record = client.get_record(module, front.sandbox.records("items")[0]["item_id"])
    # the case the two readers disagreed on: the top-level text is not the value
    assert record["cf_launch_date"] == "21 Nov 2026" and "custom_field_hash" not in record
    writes = front.sandbox.stats.writes

    outcome = run_import(ImportOptions(path=path, module="items", key="External ID", skip_unchanged=True,
                                       report=tmp_path / "report.csv", journal=tmp_path / "j.sqlite"),
                         client, module)

    assert outcome.counts == {"unchanged": 2}
    assert front.sandbox.stats.writes == writes
