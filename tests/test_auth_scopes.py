"""The scopes bulkio names when Zoho refuses its access are those Zoho's OpenAPI files list for
the module's operations: each module file's `scopes` is rebuilt here from spec/zoho-openapi, and
bulkio/zoho/scopes.py names what the module file says."""

from __future__ import annotations

import collections
import tomllib
from pathlib import Path

import pytest
import yaml

from bulkio.catalogue import every_module
from bulkio.zoho.scopes import CUSTOM_FIELDS_SCOPE, grant_advice, scopes_for

ROOT = Path(__file__).resolve().parent.parent


def scopes_in_spec() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Per module endpoint of templates/modules/*.toml: its OpenAPI file and the scopes its GET, POST
    and PUT operations under that endpoint list."""
    table = {}
    for template in sorted((ROOT / "templates" / "modules").glob("*.toml")):
        module = tomllib.loads(template.read_text(encoding="utf-8"))
        source, endpoint = module.get("openapi"), module["endpoint"]
        if not source:
            continue
        spec = yaml.safe_load((ROOT / "spec" / "zoho-openapi" / source).read_text(encoding="utf-8"))
        found = collections.Counter()
        for path, operations in spec["paths"].items():
            if path != endpoint and not path.startswith(endpoint + "/"):
                continue
            for method, operation in operations.items():
                if method in ("get", "post", "put") and isinstance(operation, dict):
                    found.update(s for rule in operation.get("security", []) for v in rule.values() for s in v)
        table[endpoint] = (source, tuple(sorted(found)))
    return table


def test_the_module_files_scopes_are_the_openapi_files():
    in_files = {m.endpoint: (m.openapi, m.scopes) for m in every_module() if m.openapi}
    assert in_files == scopes_in_spec()
    assert len(in_files) == 10 and all(scopes for _, scopes in in_files.values())


@pytest.mark.parametrize("module", [m for m in every_module() if m.openapi], ids=lambda m: m.name)
def test_a_call_names_the_scopes_of_its_module_file(module):
    assert scopes_for(module.endpoint + "/4815000000044208?page=2") == (
        module.openapi, tuple(sorted({*module.scopes, CUSTOM_FIELDS_SCOPE})))


def test_a_module_without_an_openapi_file_names_no_scopes():
    assert scopes_for("/settings/currencies") == (None, ())
    assert "the scopes of the module you import" in grant_advice("/settings/currencies")


@pytest.mark.parametrize("path, source, scope", [
    ("/items/4815000000044208", "items.yml", "ZohoBooks.settings.CREATE"),
    ("/contacts", "contacts.yml", "ZohoBooks.contacts.UPDATE"),
    ("/invoices?x=1", "invoices.yml", "ZohoBooks.invoices.CREATE"),
    ("/settings/fields", "custom-fields-api.txt", "ZohoBooks.settings.READ"),
])
def test_a_call_path_names_its_modules_scopes(path, source, scope):
    found_source, scopes = scopes_for(path)
    assert found_source == source and scope in scopes
    assert "ZohoBooks.settings.READ" in scopes  # custom-field metadata is read for every module


def test_the_advice_says_which_scopes_and_what_to_do():
    assert grant_advice("/contacts/1") == (
        "Make a new grant code in Zoho's API console (Self Client) with the scopes "
        "ZohoBooks.contacts.CREATE, ZohoBooks.contacts.READ, ZohoBooks.contacts.UPDATE, "
        "ZohoBooks.settings.READ (contacts.yml), as a user who can use this organisation; exchange "
        "it for a refresh token, set ZOHO_REFRESH_TOKEN to it, then run the same command again: "
        "the rows not sent are sent then")
