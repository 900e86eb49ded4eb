"""Custom-field metadata as Zoho's Custom Fields API documents it: `fields` listed with the
module's system fields unless filter_custom_fields=true, and no `is_unique` or `index` in the
documented example. bulkio keeps only custom fields, invents no flag, and still writes."""

from __future__ import annotations

import json

import pytest
from e2e_support import (
    KEY,
    add_item_fields,
    columns_of,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    outcomes,
    sandbox_env,
    write_bytes,
)

from bulkio.catalogue import custom_field, is_custom_field_meta, load_module
from bulkio.cli.demo import run_demo

WARNING = 'Zoho does not say whether "{}" has "Prevent duplicate values" on'


@pytest.fixture
def documented(sandbox_factory):
    """A sandbox whose metadata has only the keys of Zoho's documented examples."""
    sandbox = sandbox_factory(field_metadata="documented")
    add_item_fields(sandbox)
    return sandbox


def items_csv(tmp_path, rows, name="items.csv"):
    return write_bytes(tmp_path / name, csv_text(["External ID", "Item Name", "Rate"], rows), "utf-8")


def custom_entries(sandbox) -> list[dict]:
    """Every custom_fields entry of every write the sandbox received."""
    return [entry for method, _p, _q, _h, body in sandbox.stats.requests
            if method in ("POST", "PUT") and isinstance(body, dict) for entry in body.get("custom_fields", ())]


# --- which entries are custom fields -------------------------------------------------------------

@pytest.mark.parametrize("meta, custom", [
    ({"field_id": "982000000567001", "api_name": "cf_accnumber", "label": "Account Number"}, True),
    ({"field_id": "982000000100001", "api_name": "name", "label": "Name"}, False),
    ({"field_id": "982000000100002", "api_name": "rate", "label": "Rate"}, False),
    ({"api_name": "cf_accnumber", "label": "Account Number"}, False),  # no field id
    ({"field_id": 7, "label": "External ID"}, True),  # no api name: named from the label
    ("cf_x", False),
])
def test_only_cf_entries_with_a_field_id_are_custom_fields(meta, custom):
    assert is_custom_field_meta(meta) is custom


def test_a_flag_the_metadata_does_not_carry_is_unknown_not_false():
    documented = {"field_id": "1", "api_name": "cf_code", "label": "Code", "data_type": "string"}
    assert custom_field(documented).unique is None
    assert custom_field({**documented, "is_unique": False}).unique is False
    assert custom_field({**documented, "is_unique": "true"}).unique is True


def test_system_fields_in_the_metadata_never_become_custom_fields():
    listed = [{"field_id": "11", "api_name": "name", "label": "Name", "data_type": "string"},
              {"field_id": "12", "api_name": "cf_code", "label": "Code", "data_type": "string"}]
    module = load_module("items").with_custom_fields(listed)
    assert [f.api_name for f in module.custom_fields] == ["cf_code"]
    assert module.field("name").custom is False and module.field("name").required


# --- bulkio fields ------------------------------------------------------------------------------

def test_fields_on_documented_metadata_lists_only_custom_fields_as_custom(documented, tmp_path):
    result = invoke(sandbox_env(documented, tmp_path), "fields", "-m", "items")

    assert result.exit_code == 0, result.output + result.stderr
    table, _, note = result.output.partition("\n\n")
    rows = columns_of(table)
    custom = sorted(api for api, row in rows.items() if row["LABEL"].endswith("(custom)"))
    assert custom == sorted(f"cf_{label.lower().replace(' ', '_')}" for label in
                            ("External ID", "Launch Date", "Fragile", "Colour", "Contact Email", "Pack Size",
                             "Short Code"))
    assert not rows["name"]["LABEL"].endswith("(custom)") and not rows["rate"]["LABEL"].endswith("(custom)")
    assert rows[KEY]["UNIQUE"] == "unknown"
    assert rows["name"]["UNIQUE"] == ""  # a catalogue field's flag is known
    assert note.startswith("unique: unknown")


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_fields_on_full_metadata_says_yes_and_no(sandbox, tmp_path):
    add_item_fields(sandbox)
    result = invoke(sandbox_env(sandbox, tmp_path), "fields", "-m", "items")

    rows = columns_of(result.output)
    assert (rows[KEY]["UNIQUE"], rows["cf_colour"]["UNIQUE"]) == ("yes", "")
    assert "unknown" not in result.output


# --- writes -------------------------------------------------------------------------------------

def test_import_on_documented_metadata_writes_with_one_warning(documented, tmp_path):
    report = tmp_path / "report.csv"
    source = items_csv(tmp_path, [["A1", "Alpha", "10"], ["B2", "Beta", "20"]])

    result = invoke(sandbox_env(documented, tmp_path), *import_args(source, report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert result.stderr.count(WARNING.format("External ID")) == 1
    assert [o[1] for o in outcomes(report)] == ["created", "created"]
    assert {k: r["name"] for k, r in items_by_key(documented).items()} == {"A1": "Alpha", "B2": "Beta"}
    entries = custom_entries(documented)
    assert entries and all(set(e) == {"customfield_id", "value"} for e in entries)
    headers = [h for m, _p, _q, h, _b in documented.stats.requests if m == "PUT"]
    assert [h["X-Unique-Identifier-Key"] for h in headers] == [KEY, KEY]


def test_duplicate_keys_in_the_file_are_still_refused(documented, tmp_path):
    report = tmp_path / "report.csv"
    source = items_csv(tmp_path, [["A1", "Alpha", "10"], ["A1", "Alpha again", "20"]])

    result = invoke(sandbox_env(documented, tmp_path), *import_args(source, report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert [o[:3] for o in outcomes(report)] == [(2, "created", ""), (3, "invalid", "E_DUPLICATE_KEY")]
    assert [r["name"] for r in documented.records("items")] == ["Alpha"]


def test_a_key_zoho_does_not_keep_unique_fails_each_row_with_zohos_answer(documented, tmp_path):
    documented.add_custom_field("item", "Old Code", "string")  # "Prevent duplicate values" off
    report = tmp_path / "report.csv"
    source = write_bytes(tmp_path / "items.csv", csv_text(["Old Code", "Item Name", "Rate"],
                                                         [["X1", "Alpha", "10"], ["X2", "Beta", "20"]]), "utf-8")

    result = invoke(sandbox_env(documented, tmp_path), *import_args(source, key="Old Code", report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert result.stderr.count(WARNING.format("Old Code")) == 1
    rows = outcomes(report)
    assert [r[1] for r in rows] == ["failed", "failed"] and all(r[2] for r in rows)
    assert documented.records("items") == []


def test_export_on_documented_metadata_imports_back_unchanged(documented, tmp_path):
    env = sandbox_env(documented, tmp_path)
    source = items_csv(tmp_path, [["A1", "Alpha", "10"], ["B2", "Beta", "20.5"]])
    assert invoke(env, *import_args(source, report=tmp_path / "first.csv")).exit_code == 0
    exported = tmp_path / "export.xlsx"
    assert invoke(env, "export", "-m", "items", "-o", exported).exit_code == 0
    report = tmp_path / "again.csv"

    result = invoke(env, *import_args(exported, "--skip-unchanged", "--no-resume", report=report))

    assert result.exit_code == 0, result.output + result.stderr
    assert [o[1] for o in outcomes(report)] == ["unchanged", "unchanged"]
    puts = [m for m, *_ in documented.stats.requests if m in ("POST", "PUT")]
    assert len(puts) == 2  # the first import's two writes, nothing since


# --- the demo in both shapes --------------------------------------------------------------------

@pytest.mark.parametrize("shape, warnings", [("full", 0), ("documented", 7)])
def test_demo_passes_on_either_metadata_shape(tmp_path, shape, warnings):
    lines: list[str] = []

    failures = run_demo(tmp_path / "demo", echo=lines.append, field_metadata=shape)

    assert failures == 0, "\n".join(lines)
    assert sum(line.startswith("Warning: Zoho does not say") for line in lines) == warnings
    assert "Rows: 10 (10 unchanged)" in lines  # the invoices' second run sent nothing
    assert json.dumps(lines).count("25 created") == 1


@pytest.mark.parametrize("data_type, read_only", [
    ("image", True), ("attachment", True), ("autonumber", True), ("formula", True), ("string", False),
])
def test_file_and_computed_custom_fields_are_never_sent(data_type, read_only):
    # every data type the Custom Fields API lists; a file cannot come from a cell's text
    meta = {"field_id": "1", "api_name": "cf_photo", "label": "Photo", "data_type": data_type}
    assert custom_field(meta).read_only is read_only
