"""samples/: rebuilt by tools/make_samples.py, valid where meant to be, wrong where meant to be."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from bulkio.catalogue import load_module
from bulkio.preparing import ImportOptions
from bulkio.readers import read_table
from bulkio.validating import run_validate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def custom_fields() -> dict:
    return tomllib.loads((SAMPLES / "custom_fields.toml").read_text(encoding="utf-8"))


def module_with_samples_fields(name: str):
    entries = custom_fields()[name]
    return load_module(name).with_custom_fields([dict(e, field_id=str(n)) for n, e in enumerate(entries, 1)])


def validate(name: str, module: str, key: str, tmp_path):
    opts = ImportOptions(path=SAMPLES / name, module=module, key=key, report=tmp_path / f"{name}.report.csv")
    return run_validate(opts, module_with_samples_fields(module))


def test_the_samples_are_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools" / "make_samples.py")
    make_samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_samples)

    written = make_samples.build(tmp_path)

    for path in written:
        if path.suffix == ".xlsx":  # compare what a reader sees, not openpyxl's byte layout
            same = read_table(path).equals(read_table(SAMPLES / path.name))
        else:
            same = path.read_bytes() == (SAMPLES / path.name).read_bytes()
        assert same, f"samples/{path.name} is stale: run python tools/make_samples.py"


def test_custom_fields_file_names_the_demo_fields():
    fields = custom_fields()
    assert [(f["label"], f["data_type"], f.get("is_unique", False)) for f in fields["items"]] == [
        ("External ID", "string", True), ("Category", "dropdown", False)]
    assert fields["items"][1]["values"] == ["Hardware", "Software", "Services"]
    assert [(f["entity"], f["label"]) for f in fields["contacts"]] == [("contact", "External ID")]
    assert [(f["entity"], f["label"], f["is_unique"]) for f in fields["invoices"]] == [
        ("invoice", "Legacy Number", True)]


@pytest.mark.parametrize(("name", "module", "rows"), [("items.xlsx", "items", 25), ("items.csv", "items", 25),
                                                      ("contacts.csv", "contacts", 12)])
def test_the_clean_samples_are_valid(name, module, rows, tmp_path):
    result = validate(name, module, "External ID", tmp_path)
    assert result.counts == {"valid": rows}


def test_skus_keep_their_leading_zeros_in_both_item_files():
    for name in ("items.xlsx", "items.csv"):
        assert read_table(SAMPLES / name).loc[2, "SKU"] == "000101"


def test_items_with_errors_has_one_deliberate_mistake_per_bad_row(tmp_path):
    result = validate("items-with-errors.csv", "items", "External ID", tmp_path)
    assert [(r.row, r.status, r.error_code) for r in result.rows] == [
        (2, "invalid", "E_TYPE"), (3, "invalid", "E_CHOICE"), (4, "invalid", "E_REQUIRED"),
        (5, "valid", None), (6, "invalid", "E_DUPLICATE_KEY"), (7, "invalid", "E_CHOICE"), (8, "valid", None)]


def test_invoices_name_customers_and_items_of_the_other_samples():
    invoices = read_table(SAMPLES / "invoices.xlsx")
    items = set(read_table(SAMPLES / "items.csv")["Item Name"])
    customers = set(read_table(SAMPLES / "contacts.csv")["Display Name"])
    assert set(invoices["Item Name"]) <= items
    assert set(invoices["Customer Name"]) <= customers
    lines = invoices.groupby("Legacy Number").size()
    assert len(lines) == 10 and lines.min() == 1 and lines.max() == 4
