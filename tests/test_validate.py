"""Validation of cells into typed values and RowErrors (bulkio.prepare.validation, bulkio.prepare.checks)."""

from __future__ import annotations

import pandas as pd
import pytest
from validation_support import BASE, ITEMS, frame

from bulkio.catalogue import Field, Lookup, Module, load_module
from bulkio.errors import ConfigError, MappingError, RowError
from bulkio.prepare.columns import Mapping, match_columns
from bulkio.prepare.validation import resolve_key, validate_frame


def check(*rows: dict, mode="upsert", key="cf_external_id", date_format=None, mapping=None,
          clear_marker=None, decimal_separator=None):
    df = frame(*rows)
    plan = match_columns(df.columns, ITEMS, mapping)
    return validate_frame(df, ITEMS, plan, key_field=key, mode=mode, date_format=date_format,
                          clear_marker=clear_marker, decimal_separator=decimal_separator)


def value_of(column: str, cell: str, api: str, **kwargs):
    result = check({**BASE, column: cell}, **kwargs)
    assert result.errors == []
    return result.records[0].values[api]


def only_error(column: str, cell: str, **kwargs) -> RowError:
    result = check({**BASE, column: cell}, **kwargs)
    assert len(result.errors) == 1, result.errors
    assert result.records == [] and result.invalid_rows == {2}
    return result.errors[0]


# --- one valid row -----------------------------------------------------------------------------

def test_valid_row_becomes_a_record_with_typed_values():
    result = check({**BASE, "Description": "  two\nlines  ", "Reorder Level": " 12 ",
                    "Taxable": "Yes", "Product Type": "Digital_Service", "Grade": "",
                    "Launch Date": "2026-11-21", "Tax ID": "460000000012345"})
    assert result.errors == [] and result.invalid_rows == set() and result.total_rows == 1
    [record] = result.records
    assert (record.row, record.key) == (2, "A-1")
    assert record.values == {
        "name": "Pen", "rate": 12.5, "cf_external_id": "A-1", "cf_batch": "B1",
        "description": "two\nlines", "reorder_level": 12, "is_taxable": True,
        "product_type": "digital_service", "cf_launch": "2026-11-21",
        "tax_id": "460000000012345"}
    assert type(record.values["reorder_level"]) is int
    assert type(record.values["rate"]) is float


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("1,234.50", 1234.5), ("1234.5", 1234.5), (" 12 ", 12.0), ("$12", 12.0), ("€1,000.00", 1000.0),
    ("£3.10", 3.1), ("₹ 99", 99.0), ("-7.25", -7.25), ("1.1000000001", 1.1), ("0.1", 0.1),
])
def test_amounts_accept_what_people_type(cell, expected):
    assert value_of("Selling Price", cell, "rate") == expected


@pytest.mark.parametrize("cell", ["12abc", "abc", "12$", "1.2.3", "inf"])
def test_amount_rejects_non_numbers(cell):
    error = only_error("Selling Price", cell)
    assert error == RowError(2, "Selling Price", "E_TYPE", cell,
                             f'"Selling Price" must be a number such as 12.50; got "{cell}"')


def test_a_comma_decimal_is_refused_with_a_hint():
    error = only_error("Selling Price", "1,23")
    assert error.message == ('"Selling Price" must be a number such as 12.50; got "1,23" '
                             "(if your file writes decimals with a comma, pass --decimal-comma)")


def test_whole_number_rejects_a_fraction():
    assert value_of("Reorder Level", "1,000", "reorder_level", decimal_separator=".") == 1000
    error = only_error("Reorder Level", "1.5")
    assert error.message == '"Reorder Level" must be a whole number such as 12; got "1.5"'


def test_decimal_and_percent():
    assert value_of("Weight", "0.125", "weight") == 0.125
    assert value_of("Tax Percentage", "15%", "tax_percentage") == 15.0
    error = only_error("Tax Percentage", "15 percent")
    assert error.message == '"Tax Percentage" must be a percentage such as 12.5; got "15 percent"'


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["2026-11-21", "46347", "2026-11-21 00:00:00", "21/11/2026",
                                  "2026/11/21", "21.11.2026", "46347.5"])
def test_dates_without_a_format(cell):
    assert value_of("Launch Date", cell, "cf_launch") == "2026-11-21"


def test_ambiguous_date_asks_for_a_date_format():
    error = only_error("Launch Date", "03/04/2026")
    assert error == RowError(
        2, "Launch Date", "E_DATE_AMBIGUOUS", "03/04/2026",
        '"Launch Date" value "03/04/2026" could be day-first or month-first; '
        "say which with --date-format DD/MM/YYYY or MM/DD/YYYY")


@pytest.mark.parametrize("date_format, expected", [
    ("DD/MM/YYYY", "2026-04-03"), ("MM/DD/YYYY", "2026-03-04"), ("DD.MM.YYYY", "2026-04-03"),
])
def test_date_format_decides_both_ways(date_format, expected):
    assert value_of("Launch Date", "03/04/2026", "cf_launch", date_format=date_format) == expected


def test_date_format_from_the_mapping_options():
    mapping = Mapping(options={"date_format": "MM/DD/YYYY"})
    assert value_of("Launch Date", "03/04/2026", "cf_launch", mapping=mapping) == "2026-03-04"


@pytest.mark.parametrize("cell", ["31/02/2026", "2026-13-01", "tomorrow", "0", "21/11/26"])
def test_impossible_dates(cell):
    error = only_error("Launch Date", cell)
    assert error.code == "E_DATE"
    assert error.message == f'"Launch Date" must be a date such as 2026-11-21; got "{cell}"'


def test_date_error_shows_the_chosen_format():
    error = only_error("Launch Date", "11/21/2026", date_format="DD/MM/YYYY")
    assert error.message == '"Launch Date" must be a date such as 21/11/2026; got "11/21/2026"'


def test_unknown_date_format_is_a_config_error():
    with pytest.raises(ConfigError, match='date format "YY-MM" is not understood'):
        check(BASE, date_format="YY-MM")


# --- check boxes, dropdowns, formats ----------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("yes", True), ("NO", False), ("True", True), ("false", False), ("1", True), ("0", False),
    ("Y", True), ("n", False),
])
def test_check_box_values(cell, expected):
    assert value_of("Taxable", cell, "is_taxable") is expected


def test_check_box_rejects_other_text():
    assert only_error("Taxable", "maybe").message == '"Taxable" must be yes or no; got "maybe"'


def test_dropdown_is_case_insensitive_and_sent_canonical():
    assert value_of("Product Type", "GOODS", "product_type") == "goods"
    assert value_of("Grade", "b", "cf_grade") == "B"


def test_dropdown_rejects_values_not_offered():
    error = only_error("Product Type", "good")
    assert error == RowError(2, "Product Type", "E_CHOICE", "good",
                             '"Product Type" must be one of goods, service, digital_service; '
                             'got "good"')


def test_inactive_dropdown_option_is_rejected():
    # Module.with_custom_fields keeps only active options in Field.values
    grade = ITEMS.with_custom_fields([{
        "field_id": 12, "api_name": "cf_grade", "label": "Grade", "data_type": "dropdown",
        "values": [{"name": "A", "is_active": True}, {"name": "C", "is_active": False}]}])
    plan = match_columns(["Grade", "Item ID"], grade)
    result = validate_frame(frame({"Grade": "C", "Item ID": "9"}), grade, plan, mode="update")
    assert [e.message for e in result.errors] == ['"Grade" must be one of A; got "C"']


@pytest.mark.parametrize("column, good, bad, expected", [
    ("Email", "ann@example.com", "ann@", "an email address such as ann@example.com"),
    ("Website", "https://example.com/shop", "not a site", "a web address such as https://example.com"),
    ("Phone", "+1 (555) 010-0100", "call me", "a phone number such as +1 555 0100"),
])
def test_email_url_phone(column, good, bad, expected):
    api = {"Email": "email", "Website": "website", "Phone": "phone"}[column]
    assert value_of(column, good, api) == good
    error = only_error(column, bad)
    assert (error.code, error.message) == ("E_FORMAT", f'"{column}" must be {expected}; got "{bad}"')


# --- required, length, key --------------------------------------------------------------------

def test_required_fields_in_create_and_upsert():
    for mode in ("create", "upsert"):
        result = check({"Item Name": "", "Selling Price": "1", "External ID": "A-1"}, mode=mode)
        assert [(e.column, e.code, e.message) for e in result.errors] == [
            ("Item Name", "E_REQUIRED", '"Item Name" is required'),
            ("Batch", "E_REQUIRED", '"Batch" is required')]


def test_update_requires_only_the_key():
    result = check({"External ID": "A-1", "Selling Price": "3"}, mode="update")
    assert result.errors == []
    assert result.records[0].values == {"cf_external_id": "A-1", "rate": 3.0}


def test_update_by_id_needs_the_id_column():
    df = frame({"Item ID": "901", "Selling Price": "3"}, {"Item ID": "", "Selling Price": "4"})
    plan = match_columns(df.columns, ITEMS)
    result = validate_frame(df, ITEMS, plan, mode="update")
    assert result.records[0].values == {"item_id": "901", "rate": 3.0}
    assert [e.message for e in result.errors] == ['"Item ID" is required']
    with pytest.raises(MappingError) as caught:
        validate_frame(frame({"Selling Price": "3"}), ITEMS,
                       match_columns(["Selling Price"], ITEMS), mode="update")
    assert str(caught.value) == ("--mode update without -k needs a item_id column holding the "
                                 "Zoho ids of the records to update")


def test_length():
    error = only_error("Item Name", "x" * 120)
    assert error.message == '"Item Name" is 120 characters long; at most 100 are allowed'
    assert error.code == "E_LENGTH"


def test_duplicate_keys_name_the_first_row():
    rows = [{**BASE, "External ID": k} for k in ("A-1", "A-2", "A-1", " A-1 ")]
    result = check(*rows)
    assert [(e.row, e.message) for e in result.errors] == [
        (4, '"External ID" value "A-1" is also on row 2; each row needs its own key'),
        (5, '"External ID" value "A-1" is also on row 2; each row needs its own key')]
    assert [r.key for r in result.records] == ["A-1", "A-2"]


def test_duplicate_keys_across_chunks():
    seen: dict[str, int] = {}
    first = frame({**BASE, "External ID": "A-1"})
    second = frame({**BASE, "External ID": "A-1"})
    second.index = pd.RangeIndex(50002, 50003, name="row")
    plan = match_columns(first.columns, ITEMS)
    validate_frame(first, ITEMS, plan, key_field="External ID", seen_keys=seen)
    result = validate_frame(second, ITEMS, plan, key_field="External ID", seen_keys=seen)
    assert [e.message for e in result.errors] == [
        '"External ID" value "A-1" is also on row 2; each row needs its own key']


def test_missing_key_cell_is_required():
    result = check({**BASE, "External ID": "  "})
    assert [e.message for e in result.errors] == ['"External ID" is required']


def test_key_without_a_column_is_a_mapping_error():
    with pytest.raises(MappingError) as caught:
        check({"Item Name": "Pen", "Selling Price": "1", "Batch": "x"})
    assert str(caught.value) == ('No column feeds the key cf_external_id (External ID); add a '
                                 'column "External ID" or map one to it with --mapping')


def test_resolve_key_by_api_name_label_or_cf_label():
    for spelling in ("cf_external_id", "External ID", "external id", "CF.External ID"):
        assert resolve_key(ITEMS, spelling).api_name == "cf_external_id"


@pytest.mark.parametrize("key, what", [
    ("Selling Price", "rate (Selling Price) is not a unique field"),
    ("Shelf", "items has no field called that"),
])
def test_resolve_key_refuses_other_fields(key, what):
    with pytest.raises(ConfigError) as caught:
        resolve_key(ITEMS, key)
    assert str(caught.value) == (f'-k "{key}": {what}; use one of: cf_external_id (External ID), '
                                 'name (Item Name)')


@pytest.mark.parametrize("module, spelling, api", [
    ("items", "Item Name", "name"), ("items", "SKU", "sku"), ("contacts", "contact_name", "contact_name"),
    ("invoices", "Invoice Number", "invoice_number"), ("bills", "bill_number", "bill_number"),
])
def test_resolve_key_takes_the_standard_fields_zoho_keeps_unique(module, spelling, api):
    assert resolve_key(load_module(module), spelling).api_name == api


def test_upsert_without_key_is_a_config_error():
    with pytest.raises(ConfigError, match="--mode upsert needs -k KEY"):
        check(BASE, key=None)


# --- clearing ---------------------------------------------------------------------------------

def test_the_clear_marker_clears_optional_fields():
    result = check({**BASE, "Note": "#CLEAR", "Launch Date": "#CLEAR", "Description": ""},
                   clear_marker="#CLEAR")
    assert result.errors == []
    values = result.records[0].values
    assert values["cf_note"] == "" and values["cf_launch"] == ""
    assert "description" not in values


def test_without_a_clear_marker_no_cell_clears_anything():
    result = check({**BASE, "Note": "#N/A", "Launch Date": "", "Description": "#CLEAR"})
    assert result.errors == []
    values = result.records[0].values
    assert (values["cf_note"], values["description"]) == ("#N/A", "#CLEAR")
    assert "cf_launch" not in values


def test_the_clear_marker_is_refused_on_required_fields_and_the_key():
    result = check({**BASE, "Item Name": "#CLEAR", "External ID": "#CLEAR"}, clear_marker="#CLEAR")
    assert [(e.column, e.code, e.message) for e in result.errors] == [
        ("Item Name", "E_CLEAR", '"Item Name" is required and cannot be cleared: the cell holds '
                                 'the clear marker "#CLEAR"; give it a value'),
        ("External ID", "E_CLEAR", '"External ID" is required and cannot be cleared: the cell '
                                   'holds the clear marker "#CLEAR"; give it a value')]


# --- constants and collection -----------------------------------------------------------------

def test_constants_are_typed_and_set_on_every_row():
    mapping = Mapping(constants={"product_type": "Service", "is_taxable": "yes"})
    result = check(BASE, {**BASE, "External ID": "A-2"}, mapping=mapping)
    assert all(r.values["product_type"] == "service" and r.values["is_taxable"] is True
               for r in result.records)
    assert len(result.records) == 2


def test_constant_satisfies_a_required_field():
    mapping = Mapping(constants={"cf_batch": "B9"})
    row = {k: v for k, v in BASE.items() if k != "Batch"}
    assert check(row, mapping=mapping).records[0].values["cf_batch"] == "B9"


def test_bad_constant_names_the_mapping():
    mapping = Mapping(constants={"product_type": "good"}, source="map.toml")
    with pytest.raises(ConfigError) as caught:
        check(BASE, mapping=mapping)
    assert str(caught.value) == ('Mapping file map.toml, [constants]: "product_type" must be one '
                                 'of goods, service, digital_service; got "good"')


def test_every_problem_is_collected_in_row_order():
    result = check(
        {**BASE, "Selling Price": "abc", "Taxable": "maybe"},
        {**BASE, "External ID": "A-2"},
        {**BASE, "External ID": "A-3", "Item Name": "", "Launch Date": "03/04/2026"},
    )
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "Selling Price", "E_TYPE"), (2, "Taxable", "E_TYPE"),
        (4, "Launch Date", "E_DATE_AMBIGUOUS"), (4, "Item Name", "E_REQUIRED")]
    assert result.invalid_rows == {2, 4}
    assert [r.row for r in result.records] == [3]
    assert result.total_rows == 3


def test_error_names_the_column_as_written_in_the_file():
    result = check({"item name": "Pen", "RATE": "x", "External ID": "A", "Batch": "b"},
                   mapping=Mapping(columns={"RATE": ("rate",)}))
    assert [(e.column, e.message) for e in result.errors] == [
        ("RATE", '"RATE" must be a number such as 12.50; got "x"')]


def test_lookup_column_satisfies_the_field_it_resolves_to():
    bills = Module(
        name="bills", title="Bills", kind="document", endpoint="/bills", id_field="bill_id",
        singular="bill", plural="bills",
        fields=(Field("vendor_id", "Vendor ID", "id", required=True),
                Field("vendor_name", "Vendor Name", "string",
                      lookup=Lookup("contacts", ("contact_name",), "vendor_id"))))
    df = frame({"Vendor Name": "Acme"}, {"Vendor Name": ""})
    result = validate_frame(df, bills, match_columns(df.columns, bills), mode="create")
    assert [r.values for r in result.records] == [{"vendor_name": "Acme"}]
    assert [(e.row, e.message) for e in result.errors] == [(3, '"Vendor Name" is required')]
