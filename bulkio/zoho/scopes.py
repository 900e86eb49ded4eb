"""The OAuth scopes a module's calls need, as Zoho's OpenAPI files name them, so that a token
Zoho refuses can be answered with the scopes to grant.

MODULE_SCOPES holds, per endpoint, the OpenAPI file and the scopes its GET, POST and PUT
operations under that endpoint list in `security` (bulkio reads, creates and updates; it
deletes nothing). tests/test_qa_auth_scopes.py rebuilds the table from spec/zoho-openapi and
keeps it in step. Custom-field metadata (GET /settings/fields) needs ZohoBooks.settings.READ
(custom-fields-api.txt: "OAuth Scope : ZohoBooks.settings.READ").
"""

from __future__ import annotations

CUSTOM_FIELDS_SCOPE = "ZohoBooks.settings.READ"

# fmt: off
MODULE_SCOPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "/bills": ("bills.yml", ("ZohoBooks.bills.CREATE", "ZohoBooks.bills.READ", "ZohoBooks.bills.UPDATE")),
    "/chartofaccounts": ("chart-of-accounts.yml", (
        "ZohoBooks.accountants.CREATE", "ZohoBooks.accountants.READ", "ZohoBooks.accountants.UPDATE")),
    "/contacts": ("contacts.yml", (
        "ZohoBooks.contacts.CREATE", "ZohoBooks.contacts.READ", "ZohoBooks.contacts.UPDATE")),
    "/creditnotes": ("credit-notes.yml", (
        "ZohoBooks.creditnotes.CREATE", "ZohoBooks.creditnotes.READ", "ZohoBooks.creditnotes.UPDATE",
        "ZohoBooks.invoices.UPDATE")),
    "/estimates": ("estimates.yml", (
        "ZohoBooks.estimates.CREATE", "ZohoBooks.estimates.READ", "ZohoBooks.estimates.UPDATE")),
    "/invoices": ("invoices.yml", (
        "ZohoBooks.invoices.CREATE", "ZohoBooks.invoices.READ", "ZohoBooks.invoices.UPDATE")),
    "/items": ("items.yml", ("ZohoBooks.settings.CREATE", "ZohoBooks.settings.READ", "ZohoBooks.settings.UPDATE")),
    "/purchaseorders": ("purchase-order.yml", (
        "ZohoBooks.purchaseorders.CREATE", "ZohoBooks.purchaseorders.READ", "ZohoBooks.purchaseorders.UPDATE")),
    "/salesorders": ("sales-order.yml", (
        "ZohoBooks.salesorders.CREATE", "ZohoBooks.salesorders.READ", "ZohoBooks.salesorders.UPDATE")),
    "/settings/taxes": ("taxes.yml", (
        "ZohoBooks.settings.CREATE", "ZohoBooks.settings.READ", "ZohoBooks.settings.UPDATE")),
}
# fmt: on


def scopes_for(path: str) -> tuple[str | None, tuple[str, ...]]:
    """(OpenAPI file, scopes) of the module a call's path belongs to ("/items/123" -> items.yml
    and its scopes, custom-field metadata's scope included); (None, ()) for a path of no module."""
    path = "/" + path.split("?", 1)[0].strip("/")
    for endpoint, (source, scopes) in MODULE_SCOPES.items():
        if path == endpoint or path.startswith(endpoint + "/"):
            return source, tuple(sorted({*scopes, CUSTOM_FIELDS_SCOPE}))
    if path in ("/settings/fields", "/customfields"):
        return "custom-fields-api.txt", (CUSTOM_FIELDS_SCOPE,)
    return None, ()


def grant_advice(path: str) -> str:
    """What to do when Zoho refuses bulkio's access for a call to `path`: which scopes to grant
    and how, in words a bookkeeper can follow.

    Example: grant_advice("/items") -> "Make a new grant code ... with the scopes
    ZohoBooks.settings.CREATE, ZohoBooks.settings.READ, ZohoBooks.settings.UPDATE (items.yml) ..."
    """
    source, scopes = scopes_for(path)
    needed = (f"the scopes {', '.join(scopes)} ({source})" if scopes
              else "the scopes of the module you import")
    return (f"Make a new grant code in Zoho's API console (Self Client) with {needed}, as a user "
            "who can use this organisation; exchange it for a refresh token, set ZOHO_REFRESH_TOKEN "
            "to it, then run the same command again: the rows not sent are sent then")
