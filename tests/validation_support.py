"""A hand-made items module and reader-shaped tables for the tests of validation (no sandbox)."""

from __future__ import annotations

import pandas as pd

from bulkio.catalogue import Field, Module

#: The items module as the tests of validation know it: one field of each data type, custom ones too.
ITEMS = Module(
    name="items", title="Items", kind="record", endpoint="/items", id_field="item_id",
    singular="item", plural="items", custom_field_shape=("customfield_id", "value"),
    fields=(
        Field("name", "Item Name", "string", required=True, max_length=100),
        Field("rate", "Selling Price", "amount", required=True),
        Field("description", "Description", "multiline"),
        Field("reorder_level", "Reorder Level", "number"),
        Field("weight", "Weight", "decimal"),
        Field("tax_percentage", "Tax Percentage", "percent"),
        Field("is_taxable", "Taxable", "check_box"),
        Field("product_type", "Product Type", "dropdown",
              values=("goods", "service", "digital_service")),
        Field("email", "Email", "email"),
        Field("website", "Website", "url"),
        Field("phone", "Phone", "phone"),
        Field("tax_id", "Tax ID", "id"),
        Field("item_id", "Item ID", "id", read_only=True),
        Field("cf_external_id", "External ID", "string", unique=True, custom=True,
              customfield_id="46000000012845"),
        Field("cf_launch", "Launch Date", "date", custom=True, customfield_id="11"),
        Field("cf_grade", "Grade", "dropdown", values=("A", "B"), custom=True,
              customfield_id="12"),
        Field("cf_batch", "Batch", "string", required=True, custom=True, customfield_id="13"),
        Field("cf_note", "Note", "string", custom=True, customfield_id="14"),
    ),
)
BASE = {"Item Name": "Pen", "Selling Price": "12.50", "External ID": "A-1", "Batch": "B1"}


def frame(*rows: dict) -> pd.DataFrame:
    """A reader-shaped frame: all text, missing cells "", index = spreadsheet row from 2."""
    df = pd.DataFrame(list(rows)).fillna("").astype(str)
    df.index = pd.RangeIndex(2, 2 + len(rows), name="row")
    return df
