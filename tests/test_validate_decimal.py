"""Numbers written with a decimal comma: --decimal-comma and the mapping's decimal_separator."""

from __future__ import annotations

import pytest
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    sandbox_env,
    write_bytes,
    write_xlsx,
)
from validation_support import BASE, ITEMS, frame

from bulkio.errors import ConfigError, RowError
from bulkio.prepare.columns import Mapping, load_mapping, match_columns
from bulkio.prepare.validation import validate_frame
from bulkio.preparing import XLSX_DECIMAL_COMMA, ImportOptions, prepare

COMMA_RULE = ' (--decimal-comma: "," marks decimals, "." or a space groups thousands)'
HINT = " (if your file writes decimals with a comma, pass --decimal-comma)"


def check(row: dict, separator=None, mapping: Mapping | None = None):
    comma = "," in (separator, mapping and mapping.options.get("decimal_separator"))
    df = frame({**BASE, "Selling Price": "12,50" if comma else "12.50", **row})
    plan = match_columns(df.columns, ITEMS, mapping)
    return validate_frame(df, ITEMS, plan, key_field="cf_external_id", decimal_separator=separator)


@pytest.mark.parametrize("cell, expected", [
    ("12,50", 12.5), ("1.234,56", 1234.56), ("1 234,56", 1234.56), ("1\u202f234,56", 1234.56),
    ("1\u00a0234,56", 1234.56), ("-7,25", -7.25), ("12", 12.0), ("€ 1.000", 1000.0),
    ("12,50 €", 12.5), ("0,1", 0.1),
])
def test_a_decimal_comma_reads_european_amounts(cell, expected):
    result = check({"Selling Price": cell}, ",")
    assert result.errors == []
    assert result.records[0].values["rate"] == expected


def test_a_decimal_comma_reads_whole_numbers_decimals_and_percentages():
    result = check({"Reorder Level": "1.234", "Weight": "0,125", "Tax Percentage": "12,5 %"}, ",")
    assert result.errors == []
    values = result.records[0].values
    assert (values["reorder_level"], values["weight"], values["tax_percentage"]) == (1234, 0.125, 12.5)
    assert type(values["reorder_level"]) is int


@pytest.mark.parametrize("cell", ["1,234.56", "12.50", "1,2,3"])
def test_a_decimal_comma_refuses_a_decimal_point_and_names_the_option(cell):
    result = check({"Selling Price": cell}, ",")
    assert result.errors == [RowError(
        2, "Selling Price", "E_TYPE", cell,
        f'"Selling Price" must be a number such as 1.234,56{COMMA_RULE}; got "{cell}"')]


def test_a_whole_number_with_a_decimal_comma_names_the_option():
    [error] = check({"Reorder Level": "2,5"}, ",").errors
    assert error.message == f'"Reorder Level" must be a whole number such as 1.234{COMMA_RULE}; got "2,5"'


@pytest.mark.parametrize("cell", ["12,50", "1.234,56", "1 234,56"])
def test_without_the_option_a_comma_decimal_is_refused_with_a_hint(cell):
    assert check({"Selling Price": cell}).errors == [RowError(
        2, "Selling Price", "E_TYPE", cell,
        f'"Selling Price" must be a number such as 12.50; got "{cell}"{HINT}')]


@pytest.mark.parametrize("cell", ["abc", "1,2,3", "12$"])
def test_the_hint_is_only_for_what_a_decimal_comma_would_read(cell):
    [error] = check({"Selling Price": cell}).errors
    assert error.message == f'"Selling Price" must be a number such as 12.50; got "{cell}"'


def test_a_decimal_point_reads_thousands_commas():
    result = check({"Selling Price": "1,234.50", "Reorder Level": "1,000"}, separator=".")
    assert result.errors == []
    assert (result.records[0].values["rate"], result.records[0].values["reorder_level"]) == (1234.5, 1000)


def test_the_mapping_option_sets_the_decimal_comma(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[options]\ndecimal_separator = ","\n', encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.options == {"decimal_separator": ","}
    result = check({"Selling Price": "1.234,56"}, mapping=mapping)
    assert result.errors == [] and result.records[0].values["rate"] == 1234.56


def test_a_mapping_constant_is_read_with_the_decimal_comma():
    mapping = Mapping(constants={"weight": "2,5"}, options={"decimal_separator": ","})
    assert check({}, mapping=mapping).records[0].values["weight"] == 2.5


def test_an_unknown_decimal_separator_in_a_mapping_is_a_config_error(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[options]\ndecimal_separator = ";"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    assert str(caught.value) == (f'Mapping file {path}: decimal_separator ";" is not understood; '
                                 'use "." (12.50) or "," (12,50)')


def test_xlsx_number_cells_are_never_read_with_a_decimal_comma(tmp_path):
    # the reader gives a number cell 1.234 as the text "1.234"; a decimal comma would read 1234
    path = write_xlsx(tmp_path / "items.xlsx", ["Item Name", "Selling Price", "External ID", "Batch"],
                      [["Pen", 1.234, "A-1", "B1"]])
    prep = prepare(ImportOptions(path, "items", key="External ID", decimal_comma=True), ITEMS)
    assert prep.validation.errors == []
    assert prep.validation.records[0].values["rate"] == 1.234
    assert prep.columns.warnings == [XLSX_DECIMAL_COMMA]


def test_documents_read_line_amounts_with_a_decimal_comma(tmp_path):
    from bulkio.catalogue import load_module

    path = write_bytes(tmp_path / "invoices.csv", csv_text(
        ["Invoice Number", "Customer ID", "Date", "Item ID", "Quantity", "Rate"],
        [["INV-1", "460001", "2026-01-05", "470001", "1,5", "1.234,50"]], delimiter=";"), "utf-8")
    prep = prepare(ImportOptions(path, "invoices", decimal_comma=True), load_module("invoices"))
    assert prep.validation.errors == []
    [line] = prep.items[0].payload["line_items"]
    assert (line["quantity"], line["rate"]) == (1.5, 1234.5)


# --- the CLI ----------------------------------------------------------------------------------

def test_import_with_decimal_comma_reads_a_semicolon_csv(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(
        ["External ID", "Item Name", "Rate"],
        [["K1", "Pen", "12,50"], ["K2", "Desk", "1.234,56"]], delimiter=";"), "utf-8")

    result = invoke(env, *import_args(source, "--decimal-comma", report=tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output + result.stderr
    stored = items_by_key(sandbox)
    assert (stored["K1"]["rate"], stored["K2"]["rate"]) == (12.5, 1234.56)


def test_validate_without_decimal_comma_refuses_a_semicolon_file_s_comma(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(
        ["External ID", "Item Name", "Rate"], [["K1", "Pen", "12,50"]], delimiter=";"), "utf-8")
    report = tmp_path / "r.csv"

    result = invoke(env, "validate", source, "-m", "items", "-k", "External ID", "--report", report)

    assert result.exit_code == 1
    text = report.read_text(encoding="utf-8-sig")
    assert ('""Rate"" value ""12,50"" can be read two ways: its "","" could separate thousands or '
            "decimals (the file is separated by semicolons, as files that write decimals with a "
            'comma are); say which with --decimal-point or --decimal-comma') in text
    assert sandbox.stats.writes == 0
