"""Continuation rows written without their document's key (Invoice Number or the -k column
left empty on an invoice's later lines, as many systems export): each such row gets one
E_NO_KEY naming the row above that has the key, the document it most likely belongs to is
invalid too (nothing sent for half an invoice), and the key is never filled down. Rows with an
empty key that carry header data stay documents of their own."""

from __future__ import annotations

from e2e_support import FAST, csv_text, invoke, outcomes

HEADER = ["Invoice Number", "Customer Name", "Invoice Date", "Item Name", "Quantity"]
NO_KEY = ('"{column}" is empty; every line of an invoice repeats its {column}{previous}; '
          "fill it in on this row")


def _import(samples_env, tmp_path, header, rows, *extra):
    path = tmp_path / "invoices.csv"
    path.write_text(csv_text(header, rows))
    report = tmp_path / "invoices.report.csv"
    result = invoke(samples_env, "import", path, "-m", "invoices", "--rate", FAST, "--report", report, *extra)
    return result, outcomes(report)


def _no_key(column: str, row: int | None = None, value: str = "") -> str:
    previous = f' (row {row} has "{value}")' if row else ""
    return NO_KEY.format(column=column, previous=previous)


def test_continuation_rows_without_the_invoice_number_send_nothing_for_their_invoice(
        sandbox, samples_env, tmp_path):
    result, report = _import(samples_env, tmp_path, HEADER, [
        ["C-1", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
        ["", "", "", "Headset ANC", "2"],
        ["", "", "", "Webcam 4K", "3"],
        ["C-2", "Riverside Clinic", "2024-06-01", "Webcam 4K", "3"]])

    assert result.exit_code == 1
    assert report == [
        (2, "invalid", "E_KEYLESS_LINE", 'line on row 3 has no "Invoice Number"; '
                                         'line on row 4 has no "Invoice Number"'),
        (3, "invalid", "E_NO_KEY", _no_key("Invoice Number", 2, "C-1")),
        (4, "invalid", "E_NO_KEY", _no_key("Invoice Number", 2, "C-1")),
        (5, "created", "", "")]
    assert [r["invoice_number"] for r in sandbox.records("invoices")] == ["C-2"]
    assert sandbox.stats.writes == 1


def test_a_missing_k_key_names_the_nearest_row_above_that_has_it(sandbox, samples_env, tmp_path):
    header = ["Legacy Number", "Customer Name", "Invoice Date", "Item Name", "Quantity"]
    result, report = _import(samples_env, tmp_path, header, [
        ["P-1", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
        ["P-1", "", "", "Headset ANC", "1"],
        ["", "", "", "Webcam 4K", "2"],
        ["P-2", "Riverside Clinic", "2024-06-02", "Headset ANC", "1"]], "-k", "Legacy Number")

    assert result.exit_code == 1
    assert report == [
        (2, "invalid", "E_KEYLESS_LINE", 'line on row 4 has no "Legacy Number"'),
        (4, "invalid", "E_NO_KEY", _no_key("Legacy Number", 3, "P-1")),
        (5, "created", "", "")]
    assert [r["custom_field_hash"]["cf_legacy_number"] for r in sandbox.records("invoices")] == ["P-2"]


def test_the_key_after_a_keyless_line_goes_on_with_its_document_not_a_split(sandbox, samples_env, tmp_path):
    result, report = _import(samples_env, tmp_path, HEADER, [
        ["K-1", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
        ["", "", "", "Headset ANC", "2"],
        ["K-1", "Summit Legal", "2024-06-01", "Webcam 4K", "3"]])

    assert result.exit_code == 1
    assert report == [
        (2, "invalid", "E_KEYLESS_LINE", 'line on row 3 has no "Invoice Number"'),
        (3, "invalid", "E_NO_KEY", _no_key("Invoice Number", 2, "K-1"))]
    assert sandbox.records("invoices") == [] and sandbox.stats.writes == 0


def test_empty_keys_with_header_data_stay_documents_of_their_own(sandbox, samples_env, tmp_path):
    # no row above with a key: the message cannot point at one, and no document is blamed
    result, report = _import(samples_env, tmp_path, HEADER, [
        ["", "", "", "Headset ANC", "2"],
        ["", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
        ["", "Riverside Clinic", "2024-06-02", "Headset ANC", "4"]])

    assert result.exit_code == 1
    assert report == [
        (2, "invalid", "E_NO_KEY", _no_key("Invoice Number")),
        (3, "created", "", ""),
        (4, "created", "", "")]
    assert sorted(r["customer_name"] for r in sandbox.records("invoices")) == [
        "Riverside Clinic", "Summit Legal"]


def test_a_keyless_line_below_a_keyless_document_blames_that_document(sandbox, samples_env, tmp_path):
    result, report = _import(samples_env, tmp_path, HEADER, [
        ["", "Summit Legal", "2024-06-01", "Webcam 4K", "1"],
        ["", "", "", "Headset ANC", "2"]])

    assert result.exit_code == 1
    assert report == [
        (2, "invalid", "E_KEYLESS_LINE", 'line on row 3 has no "Invoice Number"'),
        (3, "invalid", "E_NO_KEY", _no_key("Invoice Number"))]
    assert sandbox.stats.writes == 0
