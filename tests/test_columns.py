"""Column matching and --mapping files (bulkio.prepare.columns)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bulkio.catalogue import Field, Module
from bulkio.errors import ConfigError, MappingError
from bulkio.prepare.columns import Mapping, load_mapping, match_columns

ITEMS = Module(
    name="items", title="Items", kind="record", endpoint="/items", id_field="item_id",
    singular="item", plural="items", custom_field_shape=("customfield_id", "value"),
    fields=(
        Field("name", "Item Name", "string", required=True, max_length=100,
              aliases=("Product Name", "Title")),
        Field("sku", "SKU", "string", aliases=("Item Code",)),
        Field("rate", "Selling Price", "amount", required=True, aliases=("Rate", "Unit Price")),
        Field("product_type", "Product Type", "dropdown", values=("goods", "service")),
        Field("item_id", "Item ID", "id", read_only=True),
        Field("status", "Status", "string", read_only=True),
        Field("cf_external_id", "External ID", "string", unique=True, custom=True,
              customfield_id="46000000012845"),
        Field("cf_colour", "Colour", "string", custom=True, customfield_id="7"),
    ),
)


def write(tmp_path, text: str):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches_api_name_label_alias_and_custom_label():
    plan = match_columns(["sku", "Item Name", "Unit Price", "External ID", "cf_colour"], ITEMS)
    assert plan.fields == {"sku": ("sku",), "Item Name": ("name",), "Unit Price": ("rate",),
                           "External ID": ("cf_external_id",), "cf_colour": ("cf_colour",)}
    assert plan.unknown == [] and plan.warnings == []


def test_cf_prefix_names_a_custom_field_by_label():
    plan = match_columns(["CF.Colour", "cf.External ID"], ITEMS)
    assert plan.fields == {"CF.Colour": ("cf_colour",), "cf.External ID": ("cf_external_id",)}


@pytest.mark.parametrize("header", ["item name", "ITEM_NAME", "Item-Name", "  itemname", "Product  name"])
def test_case_spacing_underscores_and_hyphens_are_ignored(header):
    assert match_columns([header], ITEMS).fields == {header: ("name",)}


def test_unknown_columns_give_one_warning_naming_them_all():
    plan = match_columns(["Item Name", "Notes", "Shelf"], ITEMS)
    assert plan.unknown == ["Notes", "Shelf"]
    assert plan.warnings == [
        '2 column(s) match no field of items and are left out: "Notes", "Shelf" '
        "(list them under ignore in a --mapping file to silence this)"]


def test_report_columns_and_read_only_fields_are_ignored_silently():
    columns = ["row", "Item Name", "Status", "record_id", "error_code", "message"]
    plan = match_columns(columns, ITEMS)
    assert plan.fields == {"Item Name": ("name",)}
    assert plan.ignored == ["row", "Status", "record_id", "error_code", "message"]
    assert plan.warnings == [] and plan.unknown == []


def test_record_id_column_feeds_updates_by_id():
    assert match_columns(["Item ID"], ITEMS).fields == {"Item ID": ("item_id",)}


def test_two_columns_for_one_field_stop_the_run():
    with pytest.raises(MappingError) as caught:
        match_columns(["Item Name", "Product Name", "SKU"], ITEMS)
    assert str(caught.value) == (
        'Field name (Item Name) is fed by column "Item Name" and column "Product Name"; '
        "keep one, or list the others under ignore in a --mapping file")


def test_column_matching_two_fields_stops_the_run():
    clash = replace(ITEMS, fields=ITEMS.fields + (
        Field("cf_sku", "SKU", "string", custom=True, customfield_id="8"),))
    with pytest.raises(MappingError) as caught:
        match_columns(["SKU"], clash)
    assert str(caught.value) == ('Column "SKU" matches 2 fields: sku, cf_sku (SKU); '
                                 "map it to one field in a --mapping file")


def test_mapping_file_lists_constants_and_ignore(tmp_path):
    mapping = load_mapping(write(tmp_path, """
[columns]
"Code" = ["External ID", "sku"]
"Regular price" = "rate"

[constants]
product_type = "goods"

ignore = ["Internal notes"]

[options]
date_format = "DD/MM/YYYY"
"""))
    assert mapping.columns == {"Code": ("External ID", "sku"), "Regular price": ("rate",)}
    plan = match_columns(["Code", "Regular price", "Item Name", "Internal notes"], ITEMS, mapping)
    assert plan.fields == {"Code": ("cf_external_id", "sku"), "Regular price": ("rate",),
                           "Item Name": ("name",)}
    assert plan.constants == {"product_type": "goods"}
    assert plan.ignored == ["Internal notes"]
    assert plan.options == {"date_format": "DD/MM/YYYY"}
    assert plan.warnings == []


def test_mapping_can_resolve_an_otherwise_ambiguous_pair(tmp_path):
    mapping = load_mapping(write(tmp_path, '[columns]\n"Product Name" = "Colour"\n'))
    plan = match_columns(["Item Name", "Product Name"], ITEMS, mapping)
    assert plan.fields == {"Item Name": ("name",), "Product Name": ("cf_colour",)}


def test_constant_and_column_for_the_same_field_stop_the_run():
    with pytest.raises(MappingError) as caught:
        match_columns(["Product Type"], ITEMS, Mapping(constants={"product_type": "goods"}))
    assert str(caught.value) == (
        'Field product_type is fed by column "Product Type" and a constant in '
        "the mapping; keep one, or list the others under ignore in a --mapping file")


def test_mapped_column_missing_from_the_file_is_a_warning(tmp_path):
    mapping = load_mapping(write(tmp_path, '[columns]\n"Cost" = "rate"\n'))
    plan = match_columns(["Item Name"], ITEMS, mapping)
    assert plan.warnings == [f'Mapping file {tmp_path / "map.toml"} maps column "Cost", '
                             "which is not in the file"]


def test_mapping_to_an_unknown_field_is_a_config_error(tmp_path):
    path = write(tmp_path, '[columns]\n"Cost" = "price_tag"\n')
    with pytest.raises(ConfigError) as caught:
        match_columns(["Cost"], ITEMS, load_mapping(path))
    assert str(caught.value) == (f'Mapping file {path}: [columns] "Cost": items has no field '
                                 '"price_tag" (see bulkio fields -m items)')


def test_bad_toml_is_a_config_error_naming_the_file(tmp_path):
    path = write(tmp_path, "[columns\n")
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"Mapping file {path} is not valid TOML: ")


@pytest.mark.parametrize("text, problem", [
    ("[colums]\n", 'unknown entry "colums"; expected columns, constants, ignore, options'),
    ('[columns]\n"A" = 3\n', '[columns] "A" must be a field name or a list of field names'),
    ('[options]\ndate_format = "DD/MM"\n',
     'date format "DD/MM" is not understood; use DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY or YYYY/MM/DD'),
    ('[options]\ndecimal = ","\n',
         'unknown option "decimal"; known: date_format, decimal_separator, clear_marker'),
])
def test_malformed_mapping_entries(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"Mapping file {path}: {problem}"


def test_missing_mapping_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(tmp_path / "nope.toml")


def test_toml_constants_become_cell_text(tmp_path):
    mapping = load_mapping(write(tmp_path, "[constants]\nrate = 12.5\nis_taxable = true\n"
                                           "launch = 2026-11-21\n"))
    assert mapping.constants == {"rate": "12.5", "is_taxable": "true", "launch": "2026-11-21"}


def test_top_level_ignore_before_any_table(tmp_path):
    mapping = load_mapping(write(tmp_path, 'ignore = ["Notes", "Shelf"]\n[columns]\n"Cost" = "rate"\n'))
    assert mapping.ignore == frozenset({"Notes", "Shelf"})
    assert mapping.columns == {"Cost": ("rate",)}


def test_a_required_marker_column_can_be_ignored_by_its_written_name():
    from bulkio.catalogue import load_module
    from bulkio.prepare.columns import match_columns, parse_mapping

    mapping = parse_mapping({"ignore": ["*AccountCode"]})
    plan = match_columns(["Item Name", "*AccountCode"], load_module("items"), mapping)
    assert plan.ignored == ["*AccountCode"] and plan.unknown == [] and plan.warnings == []
