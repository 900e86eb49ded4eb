"""Reading Zoho's answers: the envelope, the one record of a write, the end of a list page, and
whether a write's answer leaves open that Zoho applied it."""

from __future__ import annotations

import datetime
import email.utils
import html as html_lib
import re
from collections.abc import Mapping
from typing import Any

import requests


def json_object(response: requests.Response) -> dict | None:
    """The answer's body when it is a JSON object, else None (a page, text, nothing)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def write_maybe_applied(status: int, body: dict | None) -> bool:
    """Whether a write's answer leaves open that Zoho applied it: a 5xx (Zoho documents 500
    "Internal Error" and says nothing of what was applied), or a success status without a JSON
    answer (a proxy's page). A 4xx refuses the write; a 429 is the limiter's."""
    return status >= 500 or (status < 400 and body is None)


def answer_reason(response: requests.Response, body: dict | None) -> str:
    """What a write's unsettling answer was, in plain words (`body`: its JSON object, if any)."""
    status = response.status_code
    if body is not None:
        return f"Zoho answered HTTP {status}, a server error"
    text = response.text or ""
    if not text.strip():
        return f"Zoho answered HTTP {status} with an empty body"
    if re.match(r"\s*<(!doctype|html|head|body)\b", text, re.I) and status in GATEWAY_STATUSES:
        return f"Zoho answered HTTP {status} with a gateway page"
    return f"Zoho answered HTTP {status} with a page, not JSON"


#: statuses a proxy in front of Zoho answers for it (bad gateway, unavailable, gateway timeout)
GATEWAY_STATUSES = frozenset({502, 503, 504})

_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def not_json(text: str) -> str:
    """One line a person can read for an answer that is not JSON (a proxy's HTML page, plain
    text, nothing): tags dropped, whitespace collapsed, cut short."""
    html = bool(re.match(r"\s*<(!doctype|html|head|body)\b", text, re.I))
    words = " ".join(html_lib.unescape(_TAG.sub(" ", text) if html else text).split())
    if not words:
        return "Zoho answered with an empty body, not JSON"
    return f"Zoho answered {'an HTML page' if html else 'text'}, not JSON: {words[:200]}"


def with_page_end(envelope: dict[str, Any], list_key: str, asked: int) -> dict[str, Any]:
    """The envelope with a `page_context.has_more_page` the paginator can trust. Zoho always
    sends it; a server that leaves it out ends at its first short page, judged by the page size
    it says it used (servers may ignore per_page), and one written as text ("false") is read."""
    context = envelope.get("page_context")
    context = dict(context) if isinstance(context, dict) else {}
    more = context.get("has_more_page")
    if isinstance(more, str):
        more = more.strip().lower() in ("true", "1", "yes")
    elif more is None:
        records = envelope.get(list_key)
        count = len(records) if isinstance(records, list) else 0
        try:
            size = min(int(context.get("per_page") or asked), asked)
        except (TypeError, ValueError):
            size = asked
        more = count > 0 and count >= size
    return {**envelope, "page_context": {**context, "has_more_page": bool(more)}}


def records_as_list(envelope: dict[str, Any], list_key: str) -> dict[str, Any]:
    """The envelope with its records as a list: credit-notes.yml documents the list answer's
    `creditnotes` as one object, which is one record, not a list of its keys."""
    records = envelope.get(list_key)
    return {**envelope, list_key: [records]} if isinstance(records, dict) else envelope


def retry_after(response: requests.Response) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date); 0 without one. Zoho
    documents none, but a server that sends one knows its window better than bulkio does."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def zoho_code(code: Any) -> Any:
    """Zoho's body code as an int when it is one written as text ("0", "44")."""
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        return int(code.strip())
    return code


#: what every answer carries beside its record
ENVELOPE_KEYS = ("code", "message")


def one_record(envelope: Mapping[str, Any], singular: str, id_field: str | None = None) -> dict[str, Any]:
    """The one record of an answer: under `singular`, also as a list of one (taxes.yml and
    sales-order.yml document `tax` and `salesorder` as arrays), or, when the answer itself
    carries `id_field`, the answer beside code and message (chart-of-accounts.yml documents
    GET /chartofaccounts/{account_id} flat)."""
    record = envelope.get(singular)
    if isinstance(record, list) and len(record) == 1 and isinstance(record[0], dict):
        record = record[0]
    if isinstance(record, dict):
        return record
    if id_field and envelope.get(id_field) not in (None, ""):
        return {k: v for k, v in envelope.items() if k not in ENVELOPE_KEYS}
    # Zoho's answers are inconsistent about the key; take the one record there is
    return next((v for v in envelope.values() if isinstance(v, dict) and v is not envelope.get("page_context")), {})


#: words of Zoho's messages after a create ("The item has been added.")
CREATED_WORDS = ("added", "created")


def says_created(status: int, envelope: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether an upsert's answer says it created its record: only a message that says so
    ("added", "created"). The OpenAPI files declare only 200 for the upsert, with the update's
    message ("Item details have been saved.", items.yml update-an-item-response), so an
    answer usually cannot tell; the runner decides from the records it listed before writing
    (run.writing.RowWriter.created)."""
    message = str(envelope.get("message") or "").lower()
    return any(word in message for word in CREATED_WORDS)
