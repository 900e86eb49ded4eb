"""What the sandbox knows about each Zoho module it serves: names, messages, filters, sorting."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema_data import LIST_FIELDS, MODULE_FIELDS

# Fields Zoho's attribute pages document (and its answers carry) that the request schemas omit.
EXTRA_FIELDS = {"items": {"unit": ("string", None)}}


@dataclass(frozen=True)
class ModuleSpec:
    """One Zoho module as the API shows it."""

    name: str                      # path segment and plural key: "items"
    singular: str                  # key of one record in an answer: "item"
    title: str                     # the record kind in messages: "Item"
    id_field: str                  # "item_id"
    entity: str                    # custom field entity: "item"
    messages: dict                 # created / updated / deleted / active / inactive
    required: tuple = ()           # required on create
    upsert_requires: tuple = ()    # what X-Upsert needs to create
    name_field: str | None = None  # unique display name (case ignored)
    number_field: str | None = None  # unique document number, generated when absent
    number_prefix: str = ""
    party_field: str | None = None   # customer_id / vendor_id of a document
    filters: dict = field(default_factory=dict)  # query field -> kind: text, number, date, exact, bool
    search_fields: tuple = ()
    sort_columns: tuple = ()
    default_sort: str = "created_time"
    default_status: str = "active"

    @property
    def is_document(self) -> bool:
        return self.number_field is not None

    @property
    def fields(self) -> dict:
        """Top-level request fields from the OpenAPI files: name -> (json type, max length)."""
        return {**MODULE_FIELDS[self.name]["fields"], **EXTRA_FIELDS.get(self.name, {})}

    @property
    def list_fields(self) -> tuple:
        """The properties of one row of the list answer, from the list-response schema."""
        return LIST_FIELDS[self.name]

    @property
    def line_fields(self) -> dict:
        return MODULE_FIELDS[self.name]["line_fields"]


def _messages(created, updated, deleted, active=None, inactive=None) -> dict:
    return {"created": created, "updated": updated, "deleted": deleted, "active": active, "inactive": inactive}


_DOC_FILTERS = {
    "customer_id": "exact", "customer_name": "text", "reference_number": "text", "date": "date",
    "due_date": "date", "total": "number", "status": "exact", "item_id": "line", "item_name": "line",
}
_DOC_SORT = ("customer_name", "date", "due_date", "total", "balance", "created_time", "last_modified_time")


def _document(name, singular, title, number_field, prefix, entity, party, messages, **extra) -> ModuleSpec:
    # The OpenAPI `required` lists differ by module (bills and credit notes require their number).
    required = tuple(MODULE_FIELDS[name]["required"])
    filters = dict(_DOC_FILTERS)
    filters[number_field] = "text"
    if party == "vendor_id":
        filters.update({"vendor_id": "exact", "vendor_name": "text"})
        for key in ("customer_id", "customer_name"):
            filters.pop(key)
    return ModuleSpec(
        name=name, singular=singular, title=title, id_field=f"{singular}_id", entity=entity,
        messages=messages, required=required, upsert_requires=required, number_field=number_field,
        number_prefix=prefix, party_field=party, filters=filters,
        search_fields=(number_field, "reference_number", "customer_name", "vendor_name"),
        sort_columns=(number_field, "reference_number", *_DOC_SORT), default_status="draft", **extra,
    )


# rule: ITEM-MESSAGES
ITEMS = ModuleSpec(
    name="items", singular="item", title="Item", id_field="item_id", entity="item",
    messages=_messages("The item has been added.", "Item details have been saved.", "The item has been deleted.",
                       "The item has been marked as active.", "The item has been marked as inactive."),
    required=MODULE_FIELDS["items"]["required"], upsert_requires=("name", "rate"), name_field="name",
    filters={"name": "text", "description": "text", "rate": "number", "tax_id": "exact", "tax_name": "text",
             "is_taxable": "bool", "tax_exemption_id": "exact", "account_id": "exact", "sku": "text",
             "product_type": "exact", "item_type": "exact", "sat_item_key_code": "exact", "unitkey_code": "exact"},
    search_fields=("name", "description", "sku"),
    sort_columns=("name", "rate", "tax_name", "sku", "created_time", "last_modified_time"),
    default_sort="name",
)

CONTACTS = ModuleSpec(
    name="contacts", singular="contact", title="Contact", id_field="contact_id", entity="contact",
    messages=_messages("The contact has been created", "Contact has been updated successfully",
                       "The contact has been deleted.", "The contact has been marked as active.",
                       "The contact has been marked as inactive."),
    required=MODULE_FIELDS["contacts"]["required"], upsert_requires=("contact_name",), name_field="contact_name",
    filters={"contact_type": "exact", "contact_name": "text", "company_name": "text", "first_name": "text",
             "last_name": "text", "address": "address", "email": "text", "phone": "text",
             "zcrm_contact_id": "exact", "zcrm_account_id": "exact", "zcrm_vendor_id": "exact"},
    search_fields=("contact_name", "notes"),
    sort_columns=("contact_name", "first_name", "last_name", "email", "outstanding_receivable_amount",
                  "created_time", "last_modified_time"),
    default_sort="contact_name",
)

DOCUMENTS = (
    _document("invoices", "invoice", "Invoice", "invoice_number", "INV-", "invoice", "customer_id",
              _messages("The invoice has been created.", "Invoice information has been updated.",
                        "The invoice has been deleted.")),
    _document("bills", "bill", "Bill", "bill_number", "BILL-", "bill", "vendor_id",
              # Zoho's own example answers a bill create with "success", unlike every other module.
              _messages("success", "Bill information has been updated.",
                        "The bill has been deleted.")),
    _document("estimates", "estimate", "Estimate", "estimate_number", "EST-", "estimate", "customer_id",
              _messages("The estimate has been created", "Estimate information has been updated.",
                        "The estimate has been deleted.")),
    _document("salesorders", "salesorder", "Sales Order", "salesorder_number", "SO-", "salesorder", "customer_id",
              _messages("Sales Order Created Successfully.", "Sales Order Updated Successfully.",
                        "Sales Order Deleted Successfully.")),
    _document("purchaseorders", "purchaseorder", "Purchase Order", "purchaseorder_number", "PO-", "purchaseorder",
              "vendor_id",
              _messages("Purchase Order has been added.", "Purchase Order has been updated.",
                        "The purchase order has been deleted.")),
    _document("creditnotes", "creditnote", "Credit Note", "creditnote_number", "CN-", "creditnote", "customer_id",
              _messages("The credit note has been created.", "The credit note has been updated.",
                        "The credit note has been deleted.")),
)

MODULES = {spec.name: spec for spec in (ITEMS, CONTACTS, *DOCUMENTS)}
