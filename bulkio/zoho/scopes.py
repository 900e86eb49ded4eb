"""The OAuth scopes a module's calls need, as Zoho's OpenAPI files name them, so that a token
Zoho refuses can be answered with the scopes to grant.

Each module file holds its own (`Module.scopes`, which tools/gen_catalogue.py takes from the
`security` of its OpenAPI file's GET, POST and PUT operations under its endpoint: bulkio reads,
creates and updates; it deletes nothing). Custom-field metadata (GET /settings/fields) needs
ZohoBooks.settings.READ (custom-fields-api.txt: "OAuth Scope : ZohoBooks.settings.READ").
"""

from __future__ import annotations

from bulkio.catalogue import every_module

CUSTOM_FIELDS_SCOPE = "ZohoBooks.settings.READ"


def scopes_for(path: str) -> tuple[str | None, tuple[str, ...]]:
    """(OpenAPI file, scopes) of the module a call's path belongs to ("/items/123" -> items.yml
    and its scopes, custom-field metadata's scope included); (None, ()) for a path of no module."""
    path = "/" + path.split("?", 1)[0].strip("/")
    for module in every_module():
        if module.scopes and (path == module.endpoint or path.startswith(module.endpoint + "/")):
            return module.openapi, tuple(sorted({*module.scopes, CUSTOM_FIELDS_SCOPE}))
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
