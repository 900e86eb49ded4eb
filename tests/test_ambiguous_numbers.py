"""Ambiguous numbers: a number whose comma could separate thousands or decimals is refused until
--decimal-comma or --decimal-point says which.

A semicolon-separated CSV (what Excel writes where the comma marks decimals) without
--decimal-comma sent 2,500 as 2500 and 12,345 as 12345; only 1,5 was refused.
"""

from __future__ import annotations

import pytest
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    outcomes,
    sandbox_env,
    write_bytes,
)
from validation_support import BASE, ITEMS, frame

from bulkio.prepare.columns import match_columns
from bulkio.prepare.validation import validate_frame
from bulkio.readers import read_table

HEADER = ["External ID", "Item Name", "Rate"]
SEMICOLON_ROWS = [["K1", "Pen", "2,500"], ["K2", "Desk", "12,345"], ["K3", "Lamp", "1,5"]]
SEMICOLON_WHY = " (the file is separated by semicolons, as files that write decimals with a comma are)"
COLUMN_WHY = " (nothing else in the column says which)"


def ambiguous(value: str, why: str, mark: str = ",", column: str = "Rate") -> str:
    return (f'"{column}" value "{value}" can be read two ways: its "{mark}" could separate '
            f"thousands or decimals{why}; say which with --decimal-point or --decimal-comma "
            "(decimal_separator in a mapping file)")


def semicolon_file(tmp_path):
    return write_bytes(tmp_path / "items.csv", csv_text(HEADER, SEMICOLON_ROWS, delimiter=";"), "utf-8")


# --- over HTTP ----------------------------------------------------------------------------------

def test_a_semicolon_file_s_commas_are_refused_until_the_file_says(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    report = tmp_path / "r.csv"

    result = invoke(env, *import_args(semicolon_file(tmp_path), report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(n, "invalid", "E_AMBIGUOUS_NUMBER", ambiguous(v, SEMICOLON_WHY))
                                for n, v in ((2, "2,500"), (3, "12,345"), (4, "1,5"))]
    assert sandbox.stats.writes == 0


def test_decimal_comma_reads_the_semicolon_file(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)

    result = invoke(env, *import_args(semicolon_file(tmp_path), "--decimal-comma", report=tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output + result.stderr
    assert {k: r["rate"] for k, r in items_by_key(sandbox).items()} == {"K1": 2.5, "K2": 12.345, "K3": 1.5}


def test_decimal_point_reads_the_semicolon_file_s_commas_as_thousands(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    report = tmp_path / "r.csv"

    result = invoke(env, *import_args(semicolon_file(tmp_path), "--decimal-point", report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert {k: r["rate"] for k, r in items_by_key(sandbox).items()} == {"K1": 2500, "K2": 12345}
    assert outcomes(report)[2][:3] == (4, "invalid", "E_TYPE")


def test_a_comma_file_s_thousands_comma_alone_in_its_column_is_refused(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    report = tmp_path / "r.csv"
    source = write_bytes(tmp_path / "items.csv", csv_text(HEADER, [["K1", "Pen", "2,500"]]), "utf-8")

    result = invoke(env, *import_args(source, report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(2, "invalid", "E_AMBIGUOUS_NUMBER", ambiguous("2,500", COLUMN_WHY))]
    assert sandbox.stats.writes == 0


def test_a_column_with_decimal_points_decides_its_thousands_commas(sandbox, tmp_path):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(
        HEADER, [["K1", "Pen", "2,500"], ["K2", "Desk", "1,234.56"]]), "utf-8")

    result = invoke(env, *import_args(source, report=tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output + result.stderr
    assert {k: r["rate"] for k, r in items_by_key(sandbox).items()} == {"K1": 2500, "K2": 1234.56}


# --- the rules ----------------------------------------------------------------------------------

def check(rows: list[dict], delimiter: str | None = None, separator: str | None = None):
    df = frame(*({**BASE, "External ID": f"K{n}", **row} for n, row in enumerate(rows)))
    df.attrs["bulkio.delimiter"] = delimiter
    return validate_frame(df, ITEMS, match_columns(df.columns, ITEMS), key_field="cf_external_id",
                          decimal_separator=separator)


def codes(result) -> list[tuple[int, str]]:
    return [(e.row, e.code) for e in result.errors]


def test_the_reader_says_which_delimiter_it_read(tmp_path):
    from bulkio.readers import delimiter_of

    assert delimiter_of(read_table(semicolon_file(tmp_path))) == ";"


@pytest.mark.parametrize("cell", ["2.500", "12.345", "€ 1,50", "1.234,56"])
def test_in_a_semicolon_file_dots_grouping_thousands_and_any_comma_are_ambiguous(cell):
    [error] = check([{"Selling Price": cell}], delimiter=";").errors
    mark = "," if "," in cell else "."
    assert (error.code, error.message) == ("E_AMBIGUOUS_NUMBER",
                                           ambiguous(cell, SEMICOLON_WHY, mark, "Selling Price"))


@pytest.mark.parametrize("cell, value", [("2500", 2500.0), ("12.5", 12.5), ("0.125", 0.125)])
def test_in_a_semicolon_file_plain_numbers_are_read(cell, value):
    result = check([{"Selling Price": cell}], delimiter=";")
    assert result.errors == [] and result.records[0].values["rate"] == value


def test_a_comma_decimal_in_the_column_leaves_its_thousands_commas_ambiguous():
    result = check([{"Selling Price": "2,500"}, {"Selling Price": "12.5"}, {"Selling Price": "3,75"},
                    {"Selling Price": "1,000,000"}])
    assert codes(result) == [(2, "E_AMBIGUOUS_NUMBER"), (4, "E_TYPE"), (5, "E_AMBIGUOUS_NUMBER")]


def test_each_column_decides_for_itself():
    result = check([{"Selling Price": "1,234.50", "Reorder Level": "1,000"}])
    assert [(e.column, e.code) for e in result.errors] == [("Reorder Level", "E_AMBIGUOUS_NUMBER")]


def test_a_said_decimal_point_reads_thousands_commas_anywhere():
    result = check([{"Selling Price": "2,500", "Reorder Level": "1,000"}], delimiter=";", separator=".")
    assert result.errors == []
    assert (result.records[0].values["rate"], result.records[0].values["reorder_level"]) == (2500, 1000)
