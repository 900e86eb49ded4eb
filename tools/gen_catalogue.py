"""Regenerate templates/modules/*.toml from Zoho's OpenAPI files plus the curated tables below.

Run by hand when the OpenAPI files or the curated tables change; bulkio never runs it:

    python tools/gen_catalogue.py [--openapi ../shared/zoho-openapi] [--out templates]

The OpenAPI create schemas give each field's api name, type, required flag, length limit and
allowed values; this file adds what Zoho's files do not say: the labels Zoho's UI and import
wizard use, the header names people bring from other systems (aliases), lookups (a name column
resolved to an id) and a few fields Zoho accepts but the request schemas leave out. Edit the
tables here, not the generated TOML.
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Curated tables

ACRONYMS = {
    "id": "ID", "sku": "SKU", "hsn": "HSN", "sac": "SAC", "gst": "GST", "vat": "VAT", "tds": "TDS",
    "sat": "SAT", "cfdi": "CFDI", "crm": "CRM", "zcrm": "Zoho CRM", "url": "URL", "pdf": "PDF",
    "no": "No.", "reg": "Registration", "avatax": "AvaTax", "bcy": "Base Currency",
}

# Labels as Zoho names the columns, shared by every module unless a module overrides them.
LABELS = {
    "currency_id": "Currency ID", "payment_terms": "Payment Terms",
    "payment_terms_label": "Payment Terms Label", "notes": "Notes", "terms": "Terms & Conditions",
    "reference_number": "Reference Number", "exchange_rate": "Exchange Rate",
    "location_id": "Location ID", "date": "Date", "due_date": "Due Date",
    "adjustment": "Adjustment", "adjustment_description": "Adjustment Description",
    "shipping_charge": "Shipping Charge", "is_inclusive_tax": "Is Inclusive Tax",
    "discount_type": "Discount Type", "is_discount_before_tax": "Is Discount Before Tax",
    "salesperson_name": "Sales Person", "place_of_supply": "Place of Supply",
    "template_id": "Template ID", "gst_no": "GST Identification Number (GSTIN)",
    "gst_treatment": "GST Treatment", "vat_treatment": "VAT Treatment",
    "tax_treatment": "Tax Treatment", "customer_id": "Customer ID", "vendor_id": "Vendor ID",
    "ignore_auto_number_generation": "Ignore Auto Number Generation",
    "pricebook_id": "Price List ID", "is_taxable": "Taxable", "tax_id": "Tax ID",
    "account_id": "Account ID", "item_id": "Item ID", "hsn_or_sac": "HSN/SAC",
    "product_type": "Product Type", "status": "Status", "created_time": "Created Time",
    "last_modified_time": "Last Modified Time",
}

# What spreadsheets exported from other systems call the same columns, shared by modules.
ALIASES = {
    "currency_id": [], "payment_terms": ["Terms (days)", "Payment Terms (days)"],
    "notes": ["Note", "Comments", "Remarks"], "terms": ["Terms", "Terms and Conditions"],
    "reference_number": ["Reference", "Reference #", "Ref", "Ref No", "PO Number"],
    "salesperson_name": ["Salesperson", "Sales Rep", "Salesperson Name"],
    "exchange_rate": ["FX Rate"],
}

CUSTOMER_LOOKUP = {"module": "contacts", "match": ["contact_name", "company_name"],
                   "target": "customer_id"}
VENDOR_LOOKUP = {"module": "contacts", "match": ["contact_name", "company_name"],
                 "target": "vendor_id"}

ITEMS = {
    "name": "items", "title": "Items", "kind": "record", "endpoint": "/items",
    "id_field": "item_id", "singular": "item", "plural": "items", "noun": "an item",
    "custom_field_entity": "item",
    "name_field": "name", "upsert_requires": ["name", "rate"], "openapi": "items.yml",
    "create_schema": "create-an-item-request", "update_schema": "update-an-item-request",
    "fields": [
        ("name", "Item Name", ["Name", "Product Name", "Product", "Title", "Item",
                                "Product/Service Name", "Product/Service"]),
        ("sku", "SKU", ["Item Code", "Product Code", "Code", "Article Number", "Part Number",
                         "Variant SKU"]),
        # not "Sale Price": in shop exports (WooCommerce) that is the discounted price
        ("rate", "Selling Price", ["Rate", "Price", "Sales Price", "Unit Price", "Regular Price",
                                   "Sales Rate", "List Price", "Variant Price",
                                   "Sales Price/Rate"]),
        ("description", "Sales Description", ["Description", "Item Description",
                                              "Product Description"]),
        ("unit", "Unit", ["UOM", "Unit of Measure", "Usage Unit"]),
        # not "Type": Shopify, WooCommerce and QuickBooks use it for other things
        ("product_type", "Product Type", []),
        ("item_type", "Item Type", []),
        ("purchase_rate", "Purchase Price", ["Cost", "Cost Price", "Purchase Rate", "Unit Cost",
                                             "Purchase Cost", "Cost per item"]),
        ("purchase_description", "Purchase Description", []),
        ("tax_id", "Tax ID", []),
        ("tax_percentage", "Tax Percentage", []),
        ("is_taxable", "Taxable", ["Is Taxable", "Variant Taxable"]),
        ("account_id", "Sales Account ID", []),
        ("purchase_account_id", "Purchase Account ID", []),
        ("inventory_account_id", "Inventory Account ID", []),
        ("vendor_id", "Preferred Vendor ID", []),
        ("reorder_level", "Reorder Level", ["Reorder Point"]),
        ("hsn_or_sac", "HSN/SAC", ["HSN Code", "SAC Code"]),
    ],
    # Zoho's item responses and UI carry `unit`; the request schemas omit it, Zoho accepts it.
    "extra": {"unit": {"type": "string", "max_length": 100}},
    "read_only": [
        ("item_id", "Item ID", "id", []),
        ("status", "Status", "string", []),
        ("created_time", "Created Time", "string", []),
        ("last_modified_time", "Last Modified Time", "string", []),
    ],
}

CONTACTS = {
    "name": "contacts", "title": "Contacts", "kind": "record", "endpoint": "/contacts",
    "id_field": "contact_id", "singular": "contact", "plural": "contacts", "noun": "a contact",
    "aliases": ["customers", "vendors"], "custom_field_entity": "contact",
    "name_field": "contact_name", "upsert_requires": ["contact_name"], "openapi": "contacts.yml",
    "create_schema": "create-a-contact-request", "update_schema": "update-a-contact-request",
    "fields": [
        ("contact_name", "Display Name", ["Contact Name", "Customer Name", "Vendor Name", "Name",
                                          "Full Name", "Customer", "Vendor", "Supplier Name"]),
        ("company_name", "Company Name", ["Company", "Organization", "Organisation",
                                          "Business Name", "Account Name"]),
        ("contact_type", "Contact Type", ["Type"]),
        ("customer_sub_type", "Customer Sub Type", ["Customer Type"]),
        ("contact_number", "Contact Number", ["Customer Number", "Account Number"]),
        ("website", "Website", ["Web", "Web Site", "Homepage", "URL"]),
        ("payment_terms", "Payment Terms", ["Terms (days)", "Payment Terms (days)"]),
        ("payment_terms_label", "Payment Terms Label", []),
        ("credit_limit", "Credit Limit", []),
        ("currency_id", "Currency ID", []),
        ("notes", "Notes", ["Note", "Comments", "Remarks"]),
        ("language_code", "Language Code", ["Language"]),
        ("is_portal_enabled", "Portal Enabled", ["Enable Portal"]),
        ("facebook", "Facebook", []),
        ("twitter", "Twitter", ["X"]),
    ],
    # Nested fields worth a column: dotted api names (PO.../SA...: the postal and street addresses
    # of a Xero contacts export), see Field.path in bulkio/catalogue/field.py.
    # `contact_persons.x` is the first (primary) contact person.
    "nested": [
        ("contact_persons.salutation", "Salutation", ["Title Prefix"]),
        ("contact_persons.first_name", "First Name", ["Given Name", "Firstname"]),
        ("contact_persons.last_name", "Last Name", ["Surname", "Family Name", "Lastname"]),
        ("contact_persons.email", "Email", ["Email ID", "Email Address", "E-mail", "Mail"]),
        ("contact_persons.phone", "Phone", ["Work Phone", "Phone Number", "Telephone", "Tel"]),
        ("contact_persons.mobile", "Mobile", ["Mobile Phone", "Cell", "Cell Phone",
                                              "Mobile Number"]),
        ("contact_persons.designation", "Designation", ["Job Title", "Position"]),
        ("contact_persons.department", "Department", []),
        ("billing_address.attention", "Billing Attention", ["POAttentionTo"]),
        ("billing_address.address", "Billing Address", ["Billing Street", "Billing Street 1",
                                                        "Billing Address Line 1", "Address",
                                                        "Street", "POAddressLine1"]),
        ("billing_address.street2", "Billing Street2", ["Billing Street 2",
                                                        "Billing Address Line 2",
                                                        "POAddressLine2"]),
        ("billing_address.city", "Billing City", ["City", "POCity"]),
        ("billing_address.state", "Billing State", ["State", "Province", "Billing Province",
                                                    "PORegion"]),
        ("billing_address.zip", "Billing Code", ["Billing Zip", "Billing Postal Code",
                                                 "Billing Postcode", "Zip", "Postal Code",
                                                 "Postcode", "Zip Code", "POPostalCode"]),
        ("billing_address.country", "Billing Country", ["Country", "POCountry"]),
        ("billing_address.phone", "Billing Phone", []),
        ("billing_address.fax", "Billing Fax", ["Fax", "Fax Number"]),
        ("shipping_address.attention", "Shipping Attention", ["SAAttentionTo"]),
        ("shipping_address.address", "Shipping Address", ["Shipping Street",
                                                          "Shipping Street 1",
                                                          "Shipping Address Line 1",
                                                          "SAAddressLine1"]),
        ("shipping_address.street2", "Shipping Street2", ["Shipping Street 2",
                                                          "Shipping Address Line 2",
                                                          "SAAddressLine2"]),
        ("shipping_address.city", "Shipping City", ["SACity"]),
        ("shipping_address.state", "Shipping State", ["Shipping Province", "SARegion"]),
        ("shipping_address.zip", "Shipping Code", ["Shipping Zip", "Shipping Postal Code",
                                                   "Shipping Postcode", "SAPostalCode"]),
        ("shipping_address.country", "Shipping Country", ["SACountry"]),
        ("shipping_address.phone", "Shipping Phone", []),
        ("shipping_address.fax", "Shipping Fax", []),
    ],
    "lookups": [
        ("currency_code", "Currency Code", ["Currency"], "string",
         {"module": "currencies", "match": ["currency_code"], "target": "currency_id"}),
    ],
    "read_only": [
        ("contact_id", "Contact ID", "id", []),
        ("status", "Status", "string", []),
        ("created_time", "Created Time", "string", []),
        ("last_modified_time", "Last Modified Time", "string", []),
    ],
}

# Document header fields that the create schemas list at top level but belong to line items
# (Zoho's files leak them) or that are actions rather than data.
HEADER_SKIP = {
    "tax_id", "expense_id", "salesorder_item_id", "avatax_tax_code", "item_id", "line_item_id",
    "name", "description", "rate", "unit", "quantity", "send", "notes_default", "terms_default",
    "tax_name", "tax_type", "tax_percentage", "item_order",
}

# Line item fields, curated: label and aliases. Anything else the line schema has is included
# with a derived label.
LINE_FIELDS = [
    ("item_id", "Item ID", []),
    ("name", "Line Item Name", ["Line Name"]),
    ("description", "Item Description", ["Line Description", "Description"]),
    # "UnitAmount": Xero's invoice and bill exports
    ("rate", "Item Price", ["Rate", "Price", "Unit Price", "Item Rate", "Selling Price",
                            "Unit Amount"]),
    # "ItemQuantity": QuickBooks Online's invoice import template
    ("quantity", "Quantity", ["Qty", "Quantity Ordered", "Units", "Item Quantity"]),
    ("unit", "Usage Unit", ["Unit", "UOM", "Unit of Measure"]),
    ("discount", "Item Discount", ["Line Discount", "Discount %", "Discount (%)"]),
    ("discount_amount", "Item Discount Amount", ["Line Discount Amount"]),
    ("tax_id", "Item Tax ID", ["Line Tax ID"]),
    ("account_id", "Item Account ID", ["Line Account ID"]),
    ("item_order", "Item Order", ["Line Number", "Line No", "Line #"]),
    ("location_id", "Item Location ID", ["Line Location ID"]),
    ("project_id", "Item Project ID", ["Line Project ID"]),
    ("hsn_or_sac", "HSN/SAC", []),
    ("product_type", "Item Type", []),
    ("tax_exemption_id", "Item Tax Exemption ID", []),
    ("tax_exemption_code", "Item Tax Exemption Code", []),
    ("tax_treatment_code", "Item Tax Treatment Code", []),
    ("tds_tax_id", "Item TDS Tax ID", []),
    ("avatax_use_code", "Item AvaTax Use Code", []),
    ("avatax_exempt_no", "Item AvaTax Exempt No.", []),
    ("avatax_tax_code", "Item AvaTax Tax Code", []),
    ("tax_type", "Item Tax Type", []),
    ("line_item_id", "Line Item ID", []),
]

# Line fields never offered as columns: nested, or references to other transactions that an
# import cannot know.
LINE_SKIP = {
    "tags", "item_custom_fields", "serial_numbers", "time_entry_ids", "bill_id", "bill_item_id",
    "expense_id", "expense_receipt_name", "salesorder_item_id", "purchaseorder_item_id",
    "invoice_id", "invoice_item_id", "header_name", "header_id", "tax_name", "tax_percentage",
    "account_name", "location_name", "code", "type", "bcy_rate", "item_total",
}

# Columns holding a name that a lookup turns into an id.
LINE_LOOKUPS = [
    # "Product/Service": QuickBooks Online's invoice export ("Item(Product/Service)" its import
    # template)
    ("item_name", "Item Name", ["Product Name", "Product", "Item", "Product/Service",
                                "Product/Service Name", "Item(Product/Service)"],
     {"module": "items", "match": ["name"], "target": "item_id"}),
    # "InventoryItemCode": Xero's invoice and bill exports
    ("sku", "SKU", ["Item Code", "Product Code", "Item SKU", "Inventory Item Code"],
     {"module": "items", "match": ["sku"], "target": "item_id"}),
    ("tax_name", "Tax Name", ["Tax", "Item Tax", "Tax Code"],
     {"module": "taxes", "match": ["tax_name"], "target": "tax_id"}),
    ("tax_percentage", "Tax %", ["Tax Percentage", "Tax Rate", "Item Tax %", "VAT %", "GST %"],
     {"module": "taxes", "match": ["tax_percentage"], "target": "tax_id"}),
    ("account_name", "Account Name", ["Account", "Item Account", "GL Account"],
     {"module": "chartofaccounts", "match": ["account_name"], "target": "account_id"}),
    # "AccountCode": Xero's bill export ("200", "429")
    ("account_code", "Account Code", ["GL Code", "GL Account Code"],
     {"module": "chartofaccounts", "match": ["account_code"], "target": "account_id"}),
]


def document(name, title, singular, schema_stem, openapi, number, party, entity,
             number_aliases, header, lookup_party, date_aliases=(), aliases=()):
    """One document module's curated spec; `aliases`: other names `-m` takes for it."""
    article = "an" if schema_stem[0] in "aeiou" else "a"
    party_label = "Customer" if party == "customer_id" else "Vendor"
    document_label = title[:-1] if title != "Sales Orders" else "Sales Order"
    # "Contact Name": Xero's invoice and bill exports ("*ContactName")
    party_aliases = (["Customer", "Client", "Client Name", "Customer Display Name", "Bill To",
                      "Contact Name"]
                     if party == "customer_id"
                     else ["Vendor", "Supplier", "Supplier Name", "Vendor Display Name",
                           "Contact Name"])
    noun = document_label.lower()
    return {
        "name": name, "title": title, "kind": "document", "endpoint": f"/{name}",
        "id_field": f"{singular}_id", "singular": singular, "plural": name,
        "noun": ("an " if noun[0] in "aeiou" else "a ") + noun,
        **({"aliases": list(aliases)} if aliases else {}),
        "custom_field_entity": entity,
        "name_field": number, "openapi": openapi,
        "create_schema": f"create-{article}-{schema_stem}-request",
        "update_schema": f"update-{article}-{schema_stem}-request",
        "line_items_key": "line_items", "number_field": number, "party_field": party,
        "fields": [(party, f"{party_label} ID", []),
                   ("date", f"{document_label} Date", ["Date", *date_aliases])]
                  + header + [(number, f"{document_label} Number", number_aliases)],
        "lookups": [(f"{party_label.lower()}_name", f"{party_label} Name", party_aliases,
                     "string", lookup_party)],
        "line_lookups": LINE_LOOKUPS,
        "read_only": [
            (f"{singular}_id", f"{document_label} ID", "id", []),
            ("status", "Status", "string", []),
            ("total", "Total", "amount", []),
            ("created_time", "Created Time", "string", []),
            ("last_modified_time", "Last Modified Time", "string", []),
        ],
    }


SALES_HEADER = [
    ("reference_number", "Reference Number", ["Reference", "Reference #", "Ref", "Ref No"]),
    ("discount", "Discount", ["Entity Discount", "Document Discount"]),
]

DOCUMENTS = [
    document("invoices", "Invoices", "invoice", "invoice", "invoices.yml", "invoice_number",
             "customer_id", "invoice",
             ["Invoice #", "Invoice No", "Invoice No.", "Invoice ID Number", "Invoice"],
             SALES_HEADER + [("due_date", "Due Date", ["Payment Due", "Due"])], CUSTOMER_LOOKUP),
    document("estimates", "Estimates", "estimate", "estimate", "estimates.yml",
             "estimate_number", "customer_id", "estimate",
             ["Estimate #", "Estimate No", "Quote Number", "Quote #", "Quotation Number"],
             SALES_HEADER + [("expiry_date", "Expiry Date", ["Valid Until", "Expires"])],
             CUSTOMER_LOOKUP, ["Quote Date"], aliases=["quotes"]),
    document("salesorders", "Sales Orders", "salesorder", "sales-order", "sales-order.yml",
             "salesorder_number", "customer_id", "salesorder",
             ["Sales Order #", "SO Number", "SO #", "Order Number", "Order #"],
             SALES_HEADER + [("shipment_date", "Expected Shipment Date",
                              ["Shipment Date", "Ship Date"])], CUSTOMER_LOOKUP, ["Order Date"],
             aliases=["so"]),
    document("creditnotes", "Credit Notes", "creditnote", "credit-note", "credit-notes.yml",
             "creditnote_number", "customer_id", "creditnote",
             ["Credit Note #", "Credit Note No", "CN Number"],
             SALES_HEADER, CUSTOMER_LOOKUP),
    # a bill is the vendor's invoice: Xero's bill export says "*InvoiceNumber", "*InvoiceDate"
    document("bills", "Bills", "bill", "bill", "bills.yml", "bill_number", "vendor_id",
             "bill",
             ["Bill #", "Bill No", "Vendor Invoice Number", "Supplier Invoice Number",
              "Invoice Number", "Invoice No", "Invoice #"],
             [("due_date", "Due Date", ["Payment Due", "Due"]),
              ("reference_number", "Reference Number", ["Reference", "Reference #", "Ref",
                                                        "PO Number"])],
             VENDOR_LOOKUP, ["Invoice Date"]),
    document("purchaseorders", "Purchase Orders", "purchaseorder", "purchase-order",
             "purchase-order.yml", "purchaseorder_number", "vendor_id",
             "purchaseorder",
             ["Purchase Order #", "PO Number", "PO #", "PO No"],
             [("delivery_date", "Expected Delivery Date", ["Delivery Date"]),
              ("reference_number", "Reference Number", ["Reference", "Reference #", "Ref"]),
              ("discount", "Discount", ["Entity Discount", "Document Discount"])],
             VENDOR_LOOKUP, ["PO Date"], aliases=["po"]),
]

REFERENCES = [
    {"name": "taxes", "title": "Taxes", "kind": "reference", "endpoint": "/settings/taxes",
     "id_field": "tax_id", "singular": "tax", "plural": "taxes", "aliases": ["tax"],
     "name_field": "tax_name", "openapi": "taxes.yml"},
    {"name": "chartofaccounts", "title": "Chart of Accounts", "kind": "reference",
     "endpoint": "/chartofaccounts", "id_field": "account_id", "singular": "chart_of_account",
     "plural": "chartofaccounts", "aliases": ["chartofaccount", "accounts"], "name_field": "account_name",
     "openapi": "chart-of-accounts.yml"},
    {"name": "currencies", "title": "Currencies", "kind": "reference",
     "endpoint": "/settings/currencies", "id_field": "currency_id", "singular": "currency",
     "plural": "currencies", "name_field": "currency_code", "openapi": ""},
]

# ---------------------------------------------------------------------------------------------
# Inference from the OpenAPI schemas

MAX_LENGTH = re.compile(r"max-length\s*\[(\d+)\]", re.I)
ALLOWED = re.compile(r"allowed\s+values?\s*(?:are|is)?\s*:?(.*)", re.I | re.S)
CODE = re.compile(r"<code>(.*?)</code>", re.I | re.S)


class Spec:
    """An OpenAPI file with $ref resolution (Zoho's files also use refs missing the '#')."""

    def __init__(self, path: Path):
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.schemas = self.doc["components"]["schemas"]

    def resolve(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            node = self.schemas[node["$ref"].split("/")[-1]]
        return node or {}

    def properties(self, schema_name: str) -> dict:
        return self.resolve(self.schemas[schema_name]).get("properties", {})

    def required(self, schema_name: str) -> list[str]:
        return list(self.resolve(self.schemas[schema_name]).get("required", []) or [])

    def line_properties(self, schema_name: str) -> dict:
        items = self.resolve(self.properties(schema_name).get("line_items", {}))
        return self.resolve(items.get("items", {})).get("properties", {})

    def nested(self, schema_name: str, dotted: str) -> dict:
        node = {"properties": self.properties(schema_name)}
        for part in dotted.split("."):
            node = self.resolve(node.get("properties", {}).get(part, {}))
            if node.get("type") == "array":
                node = self.resolve(node.get("items", {}))
        return node


def allowed_values(description: str) -> list[str]:
    match = ALLOWED.search(description)
    if not match:
        return []
    values = []
    for code in CODE.findall(match.group(1)):
        for value in html.unescape(code).split(","):
            value = value.strip()
            if value and value not in values and len(value) <= 60 and " " not in value:
                values.append(value)
    return values


NUMERIC_TYPES = {"number", "decimal", "amount", "percent"}


def infer(api_name: str, prop: dict) -> dict:
    """Field type, max length and values from one resolved schema property."""
    description = prop.get("description") or ""
    kind = prop.get("type")
    last = api_name.split(".")[-1]
    out: dict = {}
    length = MAX_LENGTH.search(description)
    if length:
        out["max_length"] = int(length.group(1))
    if kind == "boolean":
        out["type"] = "check_box"
    elif last.endswith("_id") or last == "id":
        out["type"] = "id"
    elif "percent" in last:
        out["type"] = "percent"
    elif last in {"rate", "purchase_rate", "credit_limit", "adjustment", "shipping_charge",
                  "discount_amount", "opening_balance_amount", "amount"}:
        out["type"] = "amount"
    elif last in {"quantity", "reorder_level", "exchange_rate"}:
        out["type"] = "decimal"
    elif last == "discount":
        out["type"] = "string"  # "12.5%" or "190": Zoho takes either
    elif last.endswith("date") or "yyyy-mm-dd" in description.lower():
        out["type"] = "date"
    elif last == "email":
        out["type"] = "email"
    elif last in {"website"}:
        out["type"] = "url"
    elif last in {"phone", "mobile", "fax"}:
        out["type"] = "phone"
    elif kind == "integer":
        out["type"] = "number"
    elif kind == "number":
        out["type"] = "decimal"
    elif last in {"notes", "terms", "description", "purchase_description", "address",
                  "adjustment_description", "custom_body"}:
        out["type"] = "multiline"
    else:
        out["type"] = "string"
    if out["type"] in {"string"}:
        values = allowed_values(description)
        if len(values) >= 2:
            out["type"] = "dropdown"
            out["values"] = values
    return out


def derive_label(api_name: str) -> str:
    words = api_name.split(".")[-1].split("_")
    return " ".join(ACRONYMS.get(w, w.capitalize()) for w in words)


def is_scalar(prop: dict) -> bool:
    return prop.get("type") not in {"array", "object"} and "properties" not in prop


# ---------------------------------------------------------------------------------------------
# Building one module


def field_entry(api_name, label, aliases, inferred, required=False, **extra) -> dict:
    entry = {"api_name": api_name, "label": label}
    if aliases:
        entry["aliases"] = list(aliases)
    entry.update(inferred)
    if required:
        entry["required"] = True
    entry.update(extra)
    return entry


def header_fields(spec: Spec, mod: dict) -> list[dict]:
    props = spec.properties(mod["create_schema"])
    update_props = spec.properties(mod["update_schema"])
    required = set(spec.required(mod["create_schema"]))
    out, seen = [], set()
    for api_name, label, aliases in mod["fields"]:
        prop = spec.resolve(props.get(api_name) or update_props.get(api_name) or {})
        if not prop and api_name not in mod.get("extra", {}):
            continue  # a shared curated field this module's schemas do not have
        inferred = infer(api_name, prop) if prop else dict(mod["extra"][api_name])
        out.append(field_entry(api_name, label, aliases, inferred, api_name in required))
        seen.add(api_name)
    skip = HEADER_SKIP if mod["kind"] == "document" else set()
    for api_name, raw in props.items():
        prop = spec.resolve(raw)
        if api_name in seen or api_name in skip or not is_scalar(prop):
            continue
        label = LABELS.get(api_name) or derive_label(api_name)
        out.append(field_entry(api_name, label, ALIASES.get(api_name, []),
                               infer(api_name, prop), api_name in required))
        seen.add(api_name)
    for api_name, label, aliases in mod.get("nested", []):
        out.append(field_entry(api_name, label, aliases,
                               infer(api_name, spec.nested(mod["create_schema"], api_name))))
    for api_name, label, aliases, kind, lookup in mod.get("lookups", []):
        out.append(field_entry(api_name, label, aliases, {"type": kind}, lookup=lookup))
    for api_name, label, kind, aliases in mod.get("read_only", []):
        out.append(field_entry(api_name, label, aliases, {"type": kind}, read_only=True))
    return out


def line_fields(spec: Spec, mod: dict) -> list[dict]:
    props = spec.line_properties(mod["create_schema"])
    props.update({k: v for k, v in spec.line_properties(mod["update_schema"]).items()
                  if k not in props})
    curated = {api: (label, aliases) for api, label, aliases in LINE_FIELDS}
    out = []
    ordered = [api for api, _, _ in LINE_FIELDS if api in props]
    ordered += [api for api in props if api not in curated]
    for api_name in ordered:
        prop = spec.resolve(props[api_name])
        if api_name in LINE_SKIP or not is_scalar(prop):
            continue
        label, aliases = curated.get(api_name, (None, []))
        label = label or "Item " + derive_label(api_name)
        if api_name == "line_item_id":
            entry = field_entry(api_name, label, aliases, {"type": "id"}, level="line")
        else:
            entry = field_entry(api_name, label, aliases, infer(api_name, prop), level="line")
        if api_name == "item_order":
            entry["type"] = "number"
        if api_name == "product_type":  # documents disagree ("service" vs "services"): no list
            entry.pop("values", None)
            entry["type"] = "string"
        if prop.get("type") == "string" and entry["type"] in NUMERIC_TYPES:
            entry["sent_as_text"] = True  # purchase-order.yml types quantity so
        out.append(entry)
    for api_name, label, aliases, lookup in mod["line_lookups"]:
        if lookup["target"] in props:
            out.append(field_entry(api_name, label, aliases, {"type": "string"}, level="line",
                                   lookup=lookup))
    return out


# Custom-field entries: the keys one `custom_fields` (or a line's `item_custom_fields`) entry
# carries, read from the module's request schemas, create and update apart. The upsert operation
# (PUT /{module} with X-Upsert, operationId update_*_using_custom_field) takes the update request
# schema in every file, so upserts use the update shape (bulkio.prepare.mapper.shape_for).

# Keys bulkio can fill from a custom Field; other documented keys describe the field (data_type,
# show_on_pdf in the response schemas) and are not sent.
ENTRY_KEYS = ["customfield_id", "custom_field_id", "index", "label", "api_name", "value"]
# Keys that name the field without its `index`: the Custom Fields API's metadata has no index
# (custom-fields-api.txt, the "List custom fields" answer: field_id, label, api_name, ...).
NAMING_KEYS = ["customfield_id", "custom_field_id", "label", "api_name"]


def entry_keys(spec: Spec, node: dict) -> list[str] | None:
    """The keys of one entry of the array schema `node`; None when its items are no objects
    (credit-notes.yml documents custom_fields as "an array of strings")."""
    items = spec.resolve(spec.resolve(node).get("items", {}))
    props = items.get("properties")
    if not props:
        return None
    return sorted((k for k in props if k in ENTRY_KEYS), key=ENTRY_KEYS.index)


def documented_entries(spec: Spec) -> list[list[str]]:
    """Every custom-field entry the file documents as an object, anywhere: request and response
    schemas' custom_fields and item_custom_fields, and the bodies of the PUT .../customfields
    operations (component schemas custom_fields, custom_fields_update)."""
    found: list[list[str]] = []

    def note(node):
        keys = entry_keys(spec, node)
        if keys and keys not in found:
            found.append(keys)

    def walk(node, depth=0):
        node = spec.resolve(node)
        if depth > 6 or not isinstance(node, dict):
            return
        for key, child in (node.get("properties") or {}).items():
            if key in ("custom_fields", "item_custom_fields"):
                note(child)
            walk(child, depth + 1)
        if "items" in node:
            walk(node["items"], depth + 1)

    for name, schema in spec.schemas.items():
        if name.startswith("custom_fields"):
            note(schema)
        walk(schema)
    return found


def request_entry_keys(spec: Spec, schema: str, line: bool) -> list[str] | None:
    """The entry keys the request schema documents; [] when it has no such array, None when
    the array's items are strings."""
    props = spec.line_properties(schema) if line else spec.properties(schema)
    key = "item_custom_fields" if line else "custom_fields"
    if key not in props:
        return []
    return entry_keys(spec, props[key])


def fallback_key(spec: Spec, keys: list[str]) -> str | None:
    """The key that names a field when the shape names it only by `index`, which the metadata
    does not give: an id key documented anywhere in the same file for custom-field entries
    (it equals the metadata's field_id, see items-api.txt "Update custom field in existing
    items": customfield_id), else `label`. None when the shape names the field another way."""
    if any(k in NAMING_KEYS for k in keys):
        return None
    documented = [k for entry in documented_entries(spec) for k in entry]
    return next((k for k in NAMING_KEYS if k in documented), None)


def custom_field_shapes(spec: Spec, mod: dict, line: bool = False) -> dict:
    """TOML keys for the header (or line) custom-field entry shapes of create and update, with
    the fallback identifier. A line shape no request schema documents as objects is left out:
    the header's is used (Module.entry_shape)."""
    prefix = "line_" if line else ""
    out: dict = {}
    shapes = []
    for kind, schema in (("", mod["create_schema"]), ("update_", mod["update_schema"])):
        keys = request_entry_keys(spec, schema, line)
        if keys is None and not line:
            # "an array of strings" cannot name a field: send the entry the file's own response
            # attributes document (credit-notes.yml: index, value, label, data_type)
            keys = next((e for e in documented_entries(spec) if "value" in e), [])
        shapes.append((kind, keys or []))
    for kind, keys in shapes:
        if keys:
            out[f"{kind}{prefix}custom_field_shape"] = keys
    if line and not out:
        return {}
    fallback = {fallback_key(spec, keys) for _, keys in shapes if keys} - {None}
    if fallback:
        out[f"{prefix}custom_field_fallback"] = fallback.pop()
    return out


# Query parameters of a list operation that are no filter of the records: the paging bulkio does
# itself, the list options (bulkio.exporting.LIST_OPTIONS) and the answer's format
# (invoices.yml response_option; sales-order.yml salesorder_ids, accept, print: an export as PDF).
NOT_FILTERS = {"organization_id", "page", "per_page", "filter_by", "search_text", "sort_column",
               "sort_order", "response_option", "salesorder_ids", "accept", "print"}


def operation_params(spec: Spec, path: str, method: str) -> list[dict]:
    """The parameters of one operation, its path's first, $refs resolved."""
    components = spec.doc.get("components", {}).get("parameters", {})
    ops = spec.doc.get("paths", {}).get(path, {})
    return [components.get(p["$ref"].split("/")[-1], {}) if "$ref" in p else p
            for p in [*ops.get("parameters", []), *(ops.get(method) or {}).get("parameters", [])]]


def list_filters(spec: Spec, endpoint: str) -> list[str]:
    """The query parameters GET `endpoint` documents that filter the records listed, in the
    file's order (sales-order.yml names zcrm_potential_id twice)."""
    names = [p.get("name") for p in operation_params(spec, endpoint, "get") if p.get("in") == "query"]
    return list(dict.fromkeys(n for n in names if n and n not in NOT_FILTERS))


def write_kinds_with(spec: Spec, endpoint: str, param: str) -> list[str]:
    """Which write operations on `endpoint` document the query parameter `param`: create
    (POST /x), update (PUT /x/{id}), upsert (PUT /x, with X-Upsert or not)."""
    kinds = []
    for path, ops in spec.doc.get("paths", {}).items():
        if path == endpoint:
            by_method = {"post": "create", "put": "upsert"}
        elif re.fullmatch(re.escape(endpoint) + r"/\{[^/]+\}", path):
            by_method = {"put": "update"}
        else:
            continue
        for method, kind in by_method.items():
            if not ops.get(method):
                continue
            params = operation_params(spec, path, method)
            if any(p.get("name") == param and p.get("in") == "query" for p in params):
                kinds.append(kind)
    return sorted(kinds, key=["create", "update", "upsert"].index)


def inactive_path(spec: Spec, endpoint: str) -> str | None:
    """The path that marks one record inactive (POST `endpoint`/{id}/inactive), when the
    module's OpenAPI file documents it (items.yml mark_item_inactive, contacts.yml)."""
    for path, ops in spec.doc.get("paths", {}).items():
        if re.fullmatch(re.escape(endpoint) + r"/\{[^/]+\}/inactive", path) and isinstance(ops.get("post"), dict):
            return path
    return None


def oauth_scopes(spec: Spec, endpoint: str) -> list[str]:
    """The OAuth scopes the GET, POST and PUT operations on `endpoint` and below it list in
    `security`, sorted (bulkio reads, creates and updates; it deletes nothing)."""
    found = set()
    for path, ops in spec.doc.get("paths", {}).items():
        if path != endpoint and not path.startswith(endpoint + "/"):
            continue
        for method in ("get", "post", "put"):
            operation = ops.get(method)
            if isinstance(operation, dict):
                found.update(s for rule in operation.get("security", []) for v in rule.values() for s in v)
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# TOML output (a small writer: the catalogue uses strings, ints, bools, lists and one table)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


FIELD_ORDER = ["api_name", "label", "aliases", "type", "required", "max_length", "values",
               "read_only", "sent_as_text", "level", "lookup"]
TOP_KEYS = ["name", "title", "kind", "endpoint", "id_field", "singular", "plural", "noun", "aliases",
            "custom_field_entity", "custom_field_shape", "update_custom_field_shape",
            "custom_field_fallback", "name_field", "upsert_requires", "openapi", "scopes", "create_schema",
            "update_schema", "list_filters", "inactive_path", "line_items_key", "number_field", "party_field",
            "ignore_auto_number_kinds", "line_custom_field_shape",
            "update_line_custom_field_shape", "line_custom_field_fallback"]


def render(mod: dict, fields: list[dict], lines: list[dict]) -> str:
    out = [f"# The {mod['title']} module. Generated by tools/gen_catalogue.py from Zoho's OpenAPI",
           "# file and the curated tables there: edit the generator, then run it again.", ""]
    for key in TOP_KEYS:
        if key in mod:
            out.append(f"{key} = {toml_value(mod[key])}")
    for table, entries in (("fields", fields), ("line_fields", lines)):
        for entry in entries:
            out += ["", f"[[{table}]]"]
            for key in FIELD_ORDER:
                if key in entry and key != "level":
                    out.append(f"{key} = {toml_value(entry[key])}")
    return "\n".join(out) + "\n"


def build(openapi_dir: Path, out_dir: Path) -> list[Path]:
    """Write every module's TOML; returns the paths written."""
    written = []
    for mod in [ITEMS, CONTACTS, *DOCUMENTS]:
        spec = Spec(openapi_dir / mod["openapi"])
        fields = header_fields(spec, mod)
        mod = {**mod, **custom_field_shapes(spec, mod)}
        if mod["kind"] == "document":  # Zoho creates on upsert when the required fields are there
            mod = {**mod, "upsert_requires": [f["api_name"] for f in fields if f.get("required")],
                   **custom_field_shapes(spec, mod, line=True)}
        mod["list_filters"] = list_filters(spec, mod["endpoint"])
        mod["scopes"] = oauth_scopes(spec, mod["endpoint"])
        if inactive_path(spec, mod["endpoint"]):
            mod["inactive_path"] = inactive_path(spec, mod["endpoint"])
        kinds = write_kinds_with(spec, mod["endpoint"], "ignore_auto_number_generation")
        if kinds and mod.get("number_field"):
            mod["ignore_auto_number_kinds"] = kinds
        lines = []
        if mod["kind"] == "document":
            lines = line_fields(spec, mod)
        path = out_dir / f"{mod['name']}.toml"
        path.write_text(render(mod, fields, lines), encoding="utf-8")
        written.append(path)
    for ref in REFERENCES:
        path = out_dir / f"{ref['name']}.toml"
        body = [f"# Reference data read by lookups ({ref['title']}); never imported.", ""]
        if ref["openapi"]:
            ref = {**ref, "scopes": oauth_scopes(Spec(openapi_dir / ref["openapi"]), ref["endpoint"])}
        body += [f"{k} = {toml_value(v)}" for k, v in ref.items()]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", type=Path, default=ROOT / "spec" / "zoho-openapi")
    parser.add_argument("--out", type=Path, default=ROOT / "templates" / "modules")
    args = parser.parse_args()
    for path in build(args.openapi, args.out):
        print(path)


if __name__ == "__main__":
    main()
