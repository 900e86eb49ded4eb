"""Field metadata merged from the catalogue and the organisation, and `bulkio fields`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from e2e_support import columns_of, sandbox_env
from sandbox_clients import client_for

from bulkio.catalogue import Field, Module
from bulkio.catalogue.fields import format_fields_table, load_fields
from bulkio.cli import cli


def add_fields(sandbox) -> None:
    sandbox.add_custom_field("item", label="External ID", data_type="string", is_unique=True)
    sandbox.add_custom_field("item", label="Colour", data_type="dropdown", values=["Red", "Blue"])
    sandbox.add_custom_field("contact", label="Account No", data_type="string", is_unique=True)


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_load_fields_merges_the_entitys_custom_fields(sandbox):
    add_fields(sandbox)
    module = load_fields(client_for(sandbox), "items")
    custom = {f.api_name: f for f in module.custom_fields}
    assert sorted(custom) == ["cf_colour", "cf_external_id"]  # not the contact's field
    assert custom["cf_external_id"].unique and not custom["cf_colour"].unique
    assert custom["cf_colour"].values == ("Red", "Blue")
    assert module.field("name").required  # the catalogue's own fields are kept
    gets = [q for m, p, q, h, b in sandbox.stats.requests if p.endswith("/settings/fields")]
    assert gets == [{"entity": "item", "filter_custom_fields": "true", "organization_id": sandbox.org_id}]


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_fields_command_marks_the_unique_custom_field(sandbox, tmp_path):
    add_fields(sandbox)
    result = CliRunner().invoke(cli, ["fields", "-m", "items"], env=sandbox_env(sandbox, tmp_path))
    assert result.exit_code == 0, result.output
    rows = columns_of(result.output)
    assert rows["cf_external_id"] == {
        "API NAME": "cf_external_id", "LABEL": "External ID (custom)", "TYPE": "string",
        "REQUIRED": "", "UNIQUE": "yes", "VALUES": "",
    }
    assert rows["cf_colour"]["UNIQUE"] == "" and rows["cf_colour"]["VALUES"] == "Red, Blue"
    assert rows["name"]["REQUIRED"] == "yes"


def test_fields_command_without_org_says_what_to_set(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    env["ZOHO_ORGANIZATION_ID"] = ""
    result = CliRunner().invoke(cli, ["fields", "-m", "items"], env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: No Zoho organization id: set ZOHO_ORGANIZATION_ID or pass --org "
        "(or organization_id in the [connection] table of the config file).\n"
    )
    assert sandbox.stats.total == 0  # nothing was sent


def test_table_is_plain_and_aligned():
    module = Module(
        name="things", title="Things", kind="record", endpoint="/things", id_field="thing_id",
        singular="thing", plural="things",
        fields=(
            Field("name", "Name", "string", required=True),
            Field("cf_size", "Size", "dropdown", values=("S", "M"), custom=True),
            Field("cf_code", "Code", "string", unique=True, custom=True),
        ),
    )
    assert format_fields_table(module) == (
        "API NAME  LABEL          TYPE      REQUIRED  UNIQUE  VALUES\n"
        "name      Name           string    yes\n"
        "cf_size   Size (custom)  dropdown                    S, M\n"
        "cf_code   Code (custom)  string              yes"
    )
