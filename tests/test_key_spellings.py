"""Key spellings: keys compared in Unicode NFC; invisible characters and line breaks refused;
keys that differ only in case refused on both rows.

`Café` typed on a Mac (NFD) and on Windows (NFC), a zero-width space pasted from a web page,
or `abc` beside `ABC` used to become separate records; a key holding a line break was sent and
reported "the answer to this write was lost 3 times".
"""

from __future__ import annotations

import unicodedata

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

HEADER = ["External ID", "Item Name", "Rate"]
NFC = unicodedata.normalize("NFC", "Café")
NFD = unicodedata.normalize("NFD", "Café")


def run(sandbox, tmp_path, rows, *extra, key="External ID"):
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(HEADER, rows), "utf-8")
    report = tmp_path / "r.csv"
    result = invoke(env, *import_args(source, *extra, key=key, report=report))
    return result, report


def test_nfc_and_nfd_spellings_are_one_key(sandbox, tmp_path):
    result, report = run(sandbox, tmp_path, [[NFC, "Pen", "1"], [NFD, "Pencil", "2"]])

    assert result.exit_code == 1, result.output + result.stderr
    assert outcomes(report) == [
        (2, "created", "", ""),
        (3, "invalid", "E_DUPLICATE_KEY",
         f'"External ID" value "{NFD}" is also on row 2; each row needs its own key')]
    assert list(items_by_key(sandbox)) == [NFC]


def test_a_key_is_sent_in_nfc(sandbox, tmp_path):
    result, _ = run(sandbox, tmp_path, [[NFD, "Pen", "1"]])

    assert result.exit_code == 0, result.output + result.stderr
    assert list(items_by_key(sandbox)) == [NFC]


def test_an_nfd_name_key_finds_the_nfc_record_zoho_holds(sandbox, tmp_path):
    first, _ = run(sandbox, tmp_path, [["K1", NFC, "1"]])
    assert first.exit_code == 0, first.output + first.stderr
    source = write_bytes(tmp_path / "by-name.csv", csv_text(["Item Name", "Rate"], [[NFD, "5"]]), "utf-8")
    report = tmp_path / "by-name.csv.report.csv"

    again = invoke(sandbox_env(sandbox, tmp_path), *import_args(source, key="name", report=report))

    assert again.exit_code == 0, again.output + again.stderr
    assert [s for _, s, _, _ in outcomes(report)] == ["updated"]
    assert [(r["name"], r["rate"]) for r in sandbox.records("items")] == [(NFC, 5)]


def test_invisible_characters_and_line_breaks_in_a_key_are_refused(sandbox, tmp_path):
    result, report = run(sandbox, tmp_path, [
        ["K1\u200b", "Pen", "1"], ["\ufeffK2", "Desk", "2"], ["K\n3", "Lamp", "3"], ["K4", "Ok", "4"]])

    assert result.exit_code == 1, result.output + result.stderr
    shown = [("K1[U+200B]", "an invisible character (U+200B)"),
             ("[U+FEFF]K2", "an invisible character (U+FEFF)"),
             ("K[line break]3", "a line break")]
    assert outcomes(report) == [
        (row, "invalid", "E_KEY_CHARACTERS",
         f'"External ID" value "{value}" holds {what}, which the spreadsheet does not show; '
         "retype the key without it")
        for row, (value, what) in zip((2, 3, 4), shown, strict=False)] + [(5, "created", "", "")]
    assert list(items_by_key(sandbox)) == ["K4"]


def test_keys_that_differ_only_in_case_are_refused_naming_both_rows(sandbox, tmp_path):
    result, report = run(sandbox, tmp_path, [["abc-1", "Pen", "1"], ["K2", "Desk", "2"],
                                             ["ABC-1", "Pencil", "3"]])

    assert result.exit_code == 1, result.output + result.stderr
    tail = ("; Zoho may hold them as one record or as two, so write them exactly alike if they "
            "are one record, else make them differ by more than case")
    assert outcomes(report) == [
        (2, "invalid", "E_KEY_CASE", '"External ID" value "abc-1" differs only in upper/lower case '
                                     f'from the key on row 4 ("ABC-1"){tail}'),
        (3, "created", "", ""),
        (4, "invalid", "E_KEY_CASE", '"External ID" value "ABC-1" differs only in upper/lower case '
                                     f'from the key on row 2 ("abc-1"){tail}')]
    assert list(items_by_key(sandbox)) == ["K2"]


def test_a_document_s_rows_with_nfc_and_nfd_keys_are_one_document(tmp_path):
    from bulkio.catalogue import load_module
    from bulkio.preparing import ImportOptions, prepare

    source = write_bytes(tmp_path / "invoices.csv", csv_text(
        ["Invoice Number", "Customer Name", "Item Name", "Quantity", "Rate"],
        [[f"{NFC}-1", "Acme", "Pen", "1", "10"], [f"{NFD}-1", "Acme", "Desk", "2", "20"]]), "utf-8")

    prep = prepare(ImportOptions(source, "invoices", decimal_comma=False), load_module("invoices"))

    assert prep.validation.errors == []
    assert prep.groups == {2: [2, 3]}
    [item] = prep.items
    assert item.payload["invoice_number"] == f"{NFC}-1" and len(item.payload["line_items"]) == 2
