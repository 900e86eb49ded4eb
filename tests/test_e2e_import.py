"""`bulkio import` and `bulkio validate` end to end, on messy files written as bytes, against
the sandbox: exact report rows, exactly the valid rows in Zoho with the right values."""

from __future__ import annotations

import datetime as dt

import pytest
from e2e_support import (
    KEY,
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    outcomes,
    read_table,
    sandbox_env,
    sent_bodies,
    write_bytes,
    write_xlsx,
)

# Headers as people type them: padded, any case, a label, an alias.
HEADER = [" External ID ", "ITEM NAME", "  rate", "launch date", "FRAGILE", "colour",
          "Contact email", "pack size", "short code"]
VALID = [
    ["00123", "Café Desk", "1,250.50", "21/11/2026", "yes", "red", "ann@example.com", "0012", "AB"],
    ["00124", "Chair", " 45 ", "2026-01-05", "No", "Blue", "", "7", ""],
]
INVALID = [
    ["00125", "Lamp", "abc", "", "", "", "", "", ""],
    ["00126", "Shelf", "10", "31/02/2026", "", "", "", "", ""],
    ["00127", "Rug", "10", "", "maybe", "", "", "", ""],
    ["00128", "Vase", "10", "", "", "Purple", "", "", ""],
    ["00129", "Mat", "10", "", "", "", "", "", "TOOLONG"],
    ["00130", "", "10", "", "", "", "", "", ""],
    ["00131", "Clock", "10", "", "", "", "not-an-email", "", ""],
    ["00132", "Bin", "10", "", "", "", "", "2.5", ""],
    ["00123", "Desk copy", "10", "", "", "", "", "", ""],
]
TRAILING_EMPTY = [[""] * len(HEADER)] * 2

PROBLEMS = [
    (4, "invalid", "E_TYPE", '"rate" must be a number such as 12.50; got "abc"'),
    (5, "invalid", "E_DATE", '"launch date" must be a date such as 2026-11-21; got "31/02/2026"'),
    (6, "invalid", "E_TYPE", '"FRAGILE" must be yes or no; got "maybe"'),
    (7, "invalid", "E_CHOICE", '"colour" must be one of Red, Green, Blue; got "Purple"'),
    (8, "invalid", "E_LENGTH", '"short code" is 7 characters long; at most 5 are allowed'),
    (9, "invalid", "E_REQUIRED", '"ITEM NAME" is required'),
    (10, "invalid", "E_FORMAT",
     '"Contact email" must be an email address such as ann@example.com; got "not-an-email"'),
    (11, "invalid", "E_TYPE", '"pack size" must be a whole number such as 12; got "2.5"'),
    (12, "invalid", "E_DUPLICATE_KEY",
     '"External ID" value "00123" is also on row 2; each row needs its own key'),
]
INVALID_ONLY_KEYS = ["00125", "00126", "00127", "00128", "00129", "00130", "00131", "00132"]


@pytest.fixture
def env(sandbox, tmp_path):
    add_item_fields(sandbox)
    return sandbox_env(sandbox, tmp_path)


def messy_csv(tmp_path, encoding="utf-8-sig", name="items.csv"):
    text = csv_text(HEADER, VALID + INVALID + TRAILING_EMPTY)
    return write_bytes(tmp_path / name, text, encoding)


def assert_valid_rows_landed(sandbox):
    """Zoho holds exactly the two valid rows, every value typed as its field wants it."""
    records = items_by_key(sandbox)
    assert sorted(records) == ["00123", "00124"]
    desk, chair = records["00123"], records["00124"]
    assert (desk["name"], desk["rate"]) == ("Café Desk", 1250.5)
    assert desk["custom_field_hash"] == {
        KEY: "00123", "cf_launch_date": "2026-11-21", "cf_fragile": True, "cf_colour": "Red",
        "cf_contact_email": "ann@example.com", "cf_pack_size": 12, "cf_short_code": "AB",
    }
    assert (chair["name"], chair["rate"]) == ("Chair", 45)
    assert chair["custom_field_hash"] == {
        KEY: "00124", "cf_launch_date": "2026-01-05", "cf_fragile": False, "cf_colour": "Blue",
        "cf_pack_size": 7,
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_messy_csv_reports_every_row_and_sends_exactly_the_valid_ones(sandbox, env, tmp_path, encoding):
    source = messy_csv(tmp_path, encoding)
    report = tmp_path / "out" / "report.csv"

    result = invoke(env, *import_args(source, report=report))

    assert result.exit_code == 1, result.output + result.stderr
    # trailing empty rows are no rows
    assert outcomes(report) == [(2, "created", "", ""), (3, "created", "", "")] + PROBLEMS
    assert_valid_rows_landed(sandbox)
    bodies = " ".join(sent_bodies(sandbox))
    assert all(f'"{key}"' not in bodies for key in INVALID_ONLY_KEYS)
    assert sandbox.stats.writes == 2
    for row, _, code, message in PROBLEMS:
        assert f"Row {row} [{code}] {message}" in result.output
    assert "Rows: 11 (2 created, 9 invalid)" in result.output


def test_xlsx_with_real_date_cells_and_numbers_stored_as_text(sandbox, env, tmp_path):
    header = ["External ID", "Name", "Rate", "Launch Date", "Pack Size", "Fragile"]
    rows = [
        ["00123", "Desk", 1250.5, dt.date(2026, 11, 21), "0012", True],
        ["00124", "Chair", "45", dt.datetime(2026, 1, 5), 7, False],
        ["00125", "Lamp", 10, "21/11/2026", None, None],
        ["00126", "Rug", 10, "not a date", None, None],
        [None] * 6,
        ["", "", "", "", "", ""],
    ]
    source = write_xlsx(tmp_path / "items.xlsx", header, rows)

    result = invoke(env, *import_args(source))

    assert result.exit_code == 1, result.output + result.stderr
    report = tmp_path / "items.report.xlsx"  # the default: beside the input
    assert [(r, s, c) for r, s, c, _ in outcomes(report)] == [
        (2, "created", ""), (3, "created", ""), (4, "created", ""), (5, "invalid", "E_DATE"),
    ]
    records = items_by_key(sandbox)
    assert sorted(records) == ["00123", "00124", "00125"]
    got = {k: (r["name"], r["rate"], r["custom_field_hash"].get("cf_launch_date"),
               r["custom_field_hash"].get("cf_pack_size"), r["custom_field_hash"].get("cf_fragile"))
           for k, r in records.items()}
    assert got == {
        "00123": ("Desk", 1250.5, "2026-11-21", 12, True),
        "00124": ("Chair", 45, "2026-01-05", 7, False),
        "00125": ("Lamp", 10, "2026-11-21", None, None),
    }


def test_a_second_identical_import_creates_nothing(sandbox, env, tmp_path):
    source = messy_csv(tmp_path)
    report = tmp_path / "report.csv"
    first = invoke(env, *import_args(source, report=report))
    assert first.exit_code == 1, first.output + first.stderr
    ids = {k: r["item_id"] for k, r in items_by_key(sandbox).items()}
    sandbox.stats.reset()

    again = invoke(env, *import_args(source, report=report))

    assert again.exit_code == 1, again.output + again.stderr
    assert sandbox.stats.writes == 0  # the journal knows both rows are done
    assert outcomes(report)[2:] == PROBLEMS
    assert [r["record_id"] for r in read_table(report)[:2]] == [ids["00123"], ids["00124"]]

    afresh = invoke(env, *import_args(source, "--no-resume", report=report))

    assert afresh.exit_code == 1, afresh.output + afresh.stderr
    assert {k: r["item_id"] for k, r in items_by_key(sandbox).items()} == ids
    assert [r["status"] for r in read_table(report)[:2]] == ["updated", "updated"]


def test_validate_reports_every_problem_and_makes_no_write_call(sandbox, env, tmp_path):
    source = messy_csv(tmp_path, "utf-16")
    report = tmp_path / "checked.csv"

    result = invoke(env, "validate", source, "-m", "items", "-k", "External ID", "--report", report)

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [(2, "valid", "", ""), (3, "valid", "", "")] + PROBLEMS
    assert sandbox.stats.writes == 0
    assert {method for method, *_ in sandbox.stats.requests} == {"GET"}
    assert sandbox.records("items") == []
    assert "Rows: 11 (2 valid, 9 invalid)" in result.output


def test_skip_unchanged_on_an_unchanged_file_makes_no_write_call(sandbox, env, tmp_path):
    source = messy_csv(tmp_path)
    report = tmp_path / "report.csv"
    assert invoke(env, *import_args(source, report=report)).exit_code == 1
    sandbox.stats.reset()

    # --no-resume: the journal must not be what saves the writes here
    result = invoke(env, *import_args(source, "--skip-unchanged", "--no-resume", report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert sandbox.stats.writes == 0
    assert outcomes(report)[:2] == [(2, "unchanged", "", ""), (3, "unchanged", "", "")]
    assert outcomes(report)[2:] == PROBLEMS


def test_dry_run_says_what_each_row_would_do_and_writes_nothing(sandbox, env, tmp_path):
    header = ["External ID", "Name", "Rate"]
    seed = write_bytes(tmp_path / "seed.csv", csv_text(header, [["A1", "Alpha", "10"], ["B2", "Beta", "20"]]),
                       "utf-8")
    assert invoke(env, *import_args(seed)).exit_code == 0
    sandbox.stats.reset()
    rows = [
        ["A1", "Alpha", "10"],      # as in Zoho
        ["B2", "Beta", "25"],       # rate changed
        ["C3", "Gamma", "30"],      # new key
        ["D4", "Alpha", "40"],      # new key, but the name belongs to A1
        ["E5", "Epsilon", "x"],     # invalid
    ]
    source = write_bytes(tmp_path / "items.csv", csv_text(header, rows), "utf-8")
    report = tmp_path / "dry.csv"

    result = invoke(env, *import_args(source, "--dry-run", report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert sandbox.stats.writes == 0
    assert [(r, s, c) for r, s, c, _ in outcomes(report)] == [
        (2, "unchanged", ""), (3, "would_update", ""), (4, "would_create", ""),
        (5, "would_fail", ""), (6, "invalid", "E_TYPE"),
    ]
    assert "already exists in Zoho" in outcomes(report)[3][3]
    assert "no writes (dry run)" in result.output
    assert sorted(items_by_key(sandbox)) == ["A1", "B2"]
    assert items_by_key(sandbox)["B2"]["rate"] == 20


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_errors_file_imports_again_as_it_is_after_fixing_the_bad_cells(sandbox, env, tmp_path, suffix):
    source = messy_csv(tmp_path, "cp1252")
    report = tmp_path / f"report{suffix}"
    assert invoke(env, *import_args(source, report=report)).exit_code == 1
    errors = tmp_path / f"report.errors{suffix}"
    table = read_table(errors)
    assert [r["External ID"] for r in table] == [row[0] for row in INVALID]
    assert list(table[0])[-2:] == ["error_code", "message"]

    fixes = {"Lamp": {"rate": "11"}, "Shelf": {"launch date": "28/02/2026"},
             "Rug": {"FRAGILE": "no"}, "Vase": {"colour": "green"}, "Mat": {"short code": "MAT"},
             "": {"ITEM NAME": "Stool"}, "Clock": {"Contact email": "clock@example.com"},
             "Bin": {"pack size": "3"}, "Desk copy": {"External ID": "00133"}}
    fixed = [{**r, **fixes[r["ITEM NAME"]]} for r in table]
    header = list(table[0])
    again = tmp_path / f"fixed{suffix}"
    if suffix == ".csv":
        write_bytes(again, csv_text(header, [[r[h] for h in header] for r in fixed]), "utf-8-sig")
    else:
        write_xlsx(again, header, [[r[h] for h in header] for r in fixed])

    result = invoke(env, *import_args(again))

    assert result.exit_code == 0, result.output + result.stderr
    assert {s for _, s, _, _ in outcomes(tmp_path / "fixed.report.xlsx")} == {"created"}
    records = items_by_key(sandbox)
    assert sorted(records) == ["00123", "00124", *INVALID_ONLY_KEYS, "00133"]
    assert records["00128"]["custom_field_hash"]["cf_colour"] == "Green"
    assert records["00130"]["name"] == "Stool"


def test_a_row_zoho_refuses_is_failed_with_zohos_code_and_goes_to_the_errors_file(sandbox, env, tmp_path):
    header = ["External ID", "Name", "Rate"]
    rows = [["A1", "Alpha", "1"], ["B2", "Alpha", "2"], ["C3", "Gamma", "3"]]
    source = write_bytes(tmp_path / "items.csv", csv_text(header, rows), "utf-8")
    report = tmp_path / "report.csv"

    # one row in flight at a time, so row 2 reaches Zoho before row 3 and the refusal is row 3's
    result = invoke(env, *import_args(source, "--concurrency", "1", report=report))

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "created", "", ""), (3, "failed", "1001", 'Item "Alpha" already exists.'),
        (4, "created", "", ""),
    ]
    assert read_table(tmp_path / "report.errors.csv") == [
        {"External ID": "B2", "Name": "Alpha", "Rate": "2", "error_code": "1001",
         "message": 'Item "Alpha" already exists.'},
    ]
    assert "Row 3 [1001] Item \"Alpha\" already exists." in result.output
    assert sorted(items_by_key(sandbox)) == ["A1", "C3"]
