"""One table of the sandbox's behaviour rules: what it does, the document it follows (the file
under the shared documents: `zoho-docs/` Zoho's pages, `zoho-openapi/` Zoho's OpenAPI files,
`zoho-api.md` our summary; or a web address), the section, a sentence of that section quoted
as it stands, and whether the documents are silent so the sandbox takes the reading less
convenient for a client. The code marks each place a rule is applied with a comment `rule:`
and the rule's id; tests/test_sandbox_sources.py keeps the table and the code in step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    does: str
    source: str
    section: str
    quote: str
    silent: bool = False  # documents silent: the less convenient reading is taken


SELF_CLIENT = "https://zoho.com/accounts/protocol/oauth/self-client/authorization-code-flow.html"
ERRORS_PAGE = "https://zstatic.zohostatic.com/books/api/v3/errors/"

RULES = (
    Rule("ENVELOPE", "every answer is JSON with `code` (0 on success) and `message`; one record under the "
         "module's singular key, a list under its plural key with `page_context`",
         "zoho-docs/items-api.txt", "List items: Response Example", '{ "code": 0, "message": "success", "items": ['),
    Rule("MARK-INACTIVE", "POST /items/{item_id}/inactive and /contacts/{contact_id}/inactive set the record's "
         "`status` to inactive (listed under filter_by=Status.Inactive from then on) and answer code 0 with the "
         "documented message; /active undoes it",
         "zoho-openapi/items.yml", "mark_item_inactive", "Mark an active item as inactive."),
    Rule("PER-PAGE-200", "`per_page` defaults to 200 and is capped there; `page` from 1",
         "zoho-openapi/items.yml", "list_items parameters per_page",
         "Number of records to be fetched per page. Default value is 200."),
    Rule("LIST-ROWS", "a list row carries only the properties the module's list-response schema documents "
         "(no line items; custom_fields only for items, invoices, sales and purchase orders); GET by id "
         "answers the whole record",
         "zoho-openapi/items.yml", "list-items-response items", "list-items-response"),
    Rule("LIST-DEFAULT-ACTIVE", "without filter_by, items and contacts list active records only; documents "
         "list every status. Contacts: contacts.yml names no default (silent: active only, like items)",
         "zoho-docs/items-api.txt", "List items", "Get the list of all active items with pagination.",
         silent=True),
    Rule("NOT-FOUND-1002", "a record that does not exist is HTTP 404, code 1002, \"<Kind> does not exist.\"",
         ERRORS_PAGE, "Errors: Response Example", '{ "code": 1002, "message": "Invoice does not exist." }'),
    Rule("BAD-METHOD-405", "a method a path does not support is HTTP 405",
         "zoho-docs/odbc-driver-books-data.txt", "HTTP status codes",
         "Method Not Allowed (Method you have called is not supported for the invoked API)"),
    Rule("AUTH-401-57", "a missing, unknown or expired token is HTTP 401, code 57, \"You are not authorized "
         "to perform this operation\" (the code third parties see; Zoho documents only the 401)",
         "zoho-api.md", "Authentication", "authorized to perform this operation"),
    Rule("SCOPE-PER-OPERATION", "each call needs the OAuth scope its operation's `security` names "
         "(items: ZohoBooks.settings.*, contacts: ZohoBooks.contacts.*, a document: ZohoBooks.<module>.*)",
         "zoho-openapi/items.yml", "list_items security", "ZohoBooks.settings.READ"),
    Rule("SCOPE-CUSTOM-FIELDS", "/settings/fields needs ZohoBooks.settings.READ to list and .CREATE to create",
         "zoho-docs/custom-fields-api.txt", "List custom fields", "OAuth Scope : ZohoBooks.settings.READ"),
    Rule("SCOPE-MISMATCH-401", "a live token without the scope a call needs gets the same 401 / code 57 "
         "(silent on the exact answer: the refusal, nothing served)",
         ERRORS_PAGE, "HTTP Status Codes", "401 Unauthorized (Invalid AuthToken)", silent=True),
    Rule("TOKEN-REFRESH", "grant_type=refresh_token with client_id, client_secret and refresh_token mints an "
         "access token (expires_in, api_domain, token_type); errors are HTTP 200 with `error`",
         "zoho-api.md", "Authentication", "`grant_type=refresh_token`"),
    Rule("OAUTH-CODE-GRANT", "grant_type=authorization_code with client_id, client_secret and code answers "
         "access_token, refresh_token, api_domain, token_type, expires_in; the tokens carry the code's scopes",
         SELF_CLIENT, "Step 2: Get access token and refresh token",
         "Exchange the authorization code for an access token and a refresh token."),
    Rule("OAUTH-CODE-ONCE", "a grant code is exchanged once and expires (3 minutes by default); a code made "
         "for a redirect_uri needs the same redirect_uri (silent on reuse: a spent code is invalid_code)",
         SELF_CLIENT, "Step 1: Generate an authorization code", "By default, it is 3 minutes.", silent=True),
    Rule("ORGANIZATIONS-LIST", "GET /organizations answers organizations with exactly the keys of "
         "list-organizations-response's rows",
         "zoho-openapi/organizations.yml", "list-organizations-response", "list-organizations-response"),
    Rule("UPSERT-HEADERS", "PUT on the collection with X-Unique-Identifier-Key / -Value updates the record "
         "holding that value; with X-Upsert: true it creates one when none does",
         "zoho-docs/upsert-by-unique-custom-field.txt", "How do I Upsert records?",
         "Pass the header X-Upsert with value set to true to make the API an Upsert API."),
    Rule("UPSERT-KEY-UNIQUE", "the key must be a custom field that prevents duplicate values, else code 2",
         "zoho-docs/upsert-by-unique-custom-field.txt", "Update Records Using Unique Custom Fields",
         "if the Prevent Duplicate Values option is enabled for those custom fields"),
    Rule("UPSERT-NO-MATCH-1002", "an update by key (no X-Upsert) whose value no record holds is 1002",
         "zoho-docs/upsert-by-unique-custom-field.txt", "Update Records Using Unique Custom Fields",
         "If it does not exist, an error will be thrown."),
    Rule("UPSERT-200", "the upsert answers HTTP 200 with the update answer's message whether it updated or "
         "created (SandboxConfig.upsert_created_status=201 answers a creation 201 with the create message)",
         "zoho-openapi/items.yml", "update_item_using_custom_field responses",
         "Update an item using a custom field's unique value"),
    Rule("UNIQUE-CF-1001", "a value a unique custom field already holds in another record is refused, 1001",
         "zoho-docs/upsert-by-unique-custom-field.txt", "Update Records Using Unique Custom Fields",
         "By enabling the Prevent Duplicate Values option for a custom field"),
    Rule("CF-LIST", "GET /settings/fields lists the entity's fields under `fields`, system fields too unless "
         "filter_custom_fields=true",
         "zoho-docs/custom-fields-api.txt", "List custom fields", "filter_custom_fields"),
    Rule("CF-CREATE-REQUIRED", "creating a custom field needs label, data_type, entity and show_on_pdf",
         "zoho-docs/custom-fields-api.txt", "Create a custom field", "Create a custom field"),
    Rule("CF-METADATA-DOCUMENTED", "custom-field metadata carries the keys of the documented examples, without "
         "is_unique and index, unless SandboxConfig.field_metadata='full'",
         "zoho-docs/custom-fields-api.txt", "Create a custom field: Response Example",
         '"field": { "field_id": "982000000567001", "label": "Account Number"'),
    Rule("CONTACT-PERSONS-REPLACED", "contact_persons in an update replace the persons: one left out is removed, "
         "one with its contact_person_id is updated, one without an id is new (an id of no person of this "
         "contact is refused: silent, the less convenient reading)",
         "zoho-openapi/contacts.yml", "update_contact description; update-a-contact-request contact_persons",
         "remove them by excluding them from the contact_persons list.", silent=True),
    Rule("CONTACT-PERSONS-ABSENT", "a contact update that sends no contact_persons removes the persons "
         "(silent: the page says only that persons excluded from the list are removed, and an update "
         "without the list excludes them all; a client must send the persons it means to keep)",
         "zoho-openapi/contacts.yml", "update_contact description",
         "remove them by excluding them from the contact_persons list.", silent=True),
    Rule("CONTACT-PERSON-WHOLE", "an existing person sent with its contact_person_id becomes what the entry "
         "sends: a field the entry leaves out is cleared (silent: the page says only to pass the id)",
         "zoho-openapi/contacts.yml", "update-a-contact-request contact_persons contact_person_id",
         "For an existing contact person, pass the <code>contact_person_id</code>.", silent=True),
    Rule("CONTACT-PRIMARY", "the primary person (is_primary_contact, one per contact) gives the contact its "
         "first_name, last_name, email, phone, mobile, salutation and primary_contact_id; two primaries are "
         "refused; none marked keeps the previous primary, else the first person",
         "zoho-openapi/contacts.yml", "is_primary_contact",
         "Indicates whether this contact person is the primary contact. Only one per contact.", silent=True),
    Rule("LINE-ITEMS-REPLACED", "line_items in a document update replace the lines; lines left out are deleted",
         "zoho-docs/deluge-books-updateRecord.txt", "Note",
         "Records except the ones being updated will be deleted automatically."),
    Rule("ITEM-MESSAGES", "items answer create, update and delete with the messages of the Items API examples",
         "zoho-docs/items-api.txt", "Create an Item: Response Example", '"message": "The item has been added."'),
    Rule("MAX-LENGTH", "a string longer than its documented Max-length is refused, code 2",
         "zoho-openapi/contacts.yml", "list_contacts parameters", "Max-length [100]"),
    Rule("RATE-LIMIT-429", "more calls per minute, per day or in flight than the limits is HTTP 429 "
         "(codes 44, 45, 1070), and the refused call counts for nothing",
         "zoho-api.md", "Limits", "| per minute | 100 requests | HTTP 429, code 44 |"),
    Rule("UNKNOWN-QUERY-IGNORED", "a list parameter the module does not document is ignored, so the "
         "list comes back unfiltered (silent: a client that trusts an undocumented filter sees "
         "every record, and must not take them for matches)",
         "zoho-docs/items-api.txt", "List items: Query Parameters",
         "Search items by name. Maximum length [100].", silent=True),
    Rule("UNKNOWN-BODY-DROPPED", "a body key the module's request schema does not document is dropped "
         "without an error (silent: the answer then shows the field was not written, which only a "
         "client that reads the answer notices)",
         "zoho-docs/items-api.txt", "Create an item: Arguments", "Per unit price of an item.", silent=True),
)

BY_ID = {rule.id: rule for rule in RULES}
