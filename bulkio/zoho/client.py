"""Zoho Books / Inventory calls for bulkio: one method per thing the pipeline needs.

Every call goes through the shared Limiter, carries the organization_id and the OAuth header,
and comes back as Zoho's parsed envelope or an ApiError subclass. 429 answers are handled here
because their body code decides: 44 (per minute) tells the limiter, which holds every thread until
the server's window frees and learns its rate, then the call is sent again; 1070 (in flight) is
retried after a backoff with jitter; 45 raises QuotaExhausted. Connect errors, and a read's 5xx
or lost answer, are retried below, in the session.

A write (anything but a read) whose request went out and whose answer settles nothing - a 5xx,
a gateway page or other answer that is not JSON, a read timeout, a dropped connection - raises
OutcomeUnknown: Zoho may have applied it (its documents say nothing either way), so it is never
sent again here; the runner checks Zoho first. A 401 answered to a token minted a moment ago (a
missing scope, no access to the organisation), or a refresh that fails part-way, raises
AuthStopped naming the scopes the module's OpenAPI file lists, and no further token is asked for.
"""

from __future__ import annotations

import datetime
import email.utils
import html as html_lib
import logging
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import requests
from urllib3.exceptions import ReadTimeoutError

from bulkio.zoho.auth import ZohoAuth
from bulkio.errors import (
    QUOTA_CODE, ApiError, AuthStopped, OutcomeUnknown, ServerError, ServerErrorAfterWrite, api_error,
)
from bulkio.zoho.limiter import Limiter, QuotaInfo
from bulkio.catalogue import load_module, write_params
from bulkio.zoho.paginate import PER_PAGE, iter_records
from bulkio.zoho.scopes import grant_advice
from bulkio.zoho.session import build_session, is_read, redact_url, request_was_sent, retries_of, scrub
from bulkio.settings import ConnectionSettings

log = logging.getLogger(__name__)

RATE_RETRIES = 8  # 1070 answers one call may get before it fails
#: a call refused per minute (44) for longer than this fails: three of Zoho's windows, so only
#: something else spending the organisation's calls can keep it out that long
RATE_WAIT_MAX = 180.0
CONCURRENCY_CODE = 1070
BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0
#: Custom Fields API: "List custom fields" takes filter_custom_fields; "List custom fields
#: (simple)" at /customfields lists custom fields only and documents no such parameter
FIELD_PATHS = (("/settings/fields", {"filter_custom_fields": "true"}), ("/customfields", {}))


@dataclass(frozen=True)
class WriteResult:
    """A written record as Zoho returned it; `created` tells a new record from an update."""

    record: dict[str, Any]
    created: bool
    status: int


@dataclass
class ClientStats:
    """Counts of what the client did; safe to update from many threads."""

    reads: int = 0
    writes: int = 0
    retries: int = 0
    token_refreshes: int = 0
    rate_limited: Counter = field(default_factory=Counter)  # Zoho code -> 429 answers
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, name: str, n: int = 1) -> None:
        """Add `n` to the counter `name` (reads, writes, retries, token_refreshes)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def count_429(self, code: int | None) -> None:
        """Count one 429 answer under its Zoho code."""
        with self._lock:
            self.rate_limited[code] += 1

    @property
    def calls(self) -> int:
        """Calls made to the API (not counting urllib3's retries or token calls)."""
        return self.reads + self.writes


class ZohoClient:
    """The Zoho API as bulkio uses it. Thread-safe: share one client across a run's workers.

    `module` arguments are `bulkio.catalogue.Module` objects or module names ("items").

    Example:
        client = ZohoClient(load_settings())
        for item in client.iter_records("items"): ...
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        session: requests.Session | None = None,
        limiter: Limiter | None = None,
        auth: ZohoAuth | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_retries: int = RATE_RETRIES,
        backoff_base: float = BACKOFF_BASE,
    ):
        self.settings = settings
        self.stats = ClientStats()
        self._session = session or build_session(timeout=settings.timeout)
        self._limiter = limiter or Limiter(settings.rate_per_minute, settings.max_in_flight, settings.daily_limit)
        self._auth = auth or ZohoAuth.from_settings(
            settings, session=self._session, on_refresh=lambda: self.stats.add("token_refreshes")
        )
        self._sleep = sleep
        self._rate_retries = rate_retries
        self._backoff_base = backoff_base

    def __repr__(self) -> str:
        return f"ZohoClient(api_url={self.settings.api_url!r}, organization_id={self.settings.organization_id!r})"

    @property
    def quota(self) -> QuotaInfo | None:
        """The daily budget left, from Zoho's headers when it sent them, else from --daily-limit."""
        return self._limiter.quota

    @property
    def limiter(self) -> Limiter:
        """The limiter every call of this client passes through."""
        return self._limiter

    # --- reads -------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET `path` (relative to the API root) and return Zoho's envelope."""
        return self.request("GET", path, params=params)[1]

    def iter_records(self, module, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every record of a module, read in pages of 200, with optional Zoho filters.

        Records and documents are listed whatever their status (filter_by=Status.All) unless the
        caller filters by status: which records Zoho lists by default is undocumented, and an
        inactive item missed here would be taken for one that does not exist."""
        module = _module(module)
        params = dict(params or {})
        if getattr(module, "kind", None) in ("record", "document"):
            params.setdefault("filter_by", "Status.All")
        plural = module.plural
        return iter_records(
            lambda p: _with_page_end(_listed(self.get(module.endpoint, p), plural), plural, p["per_page"]),
            plural, params, PER_PAGE)

    def get_record(self, module, record_id: str) -> dict[str, Any]:
        """One record by its Zoho id; NotFoundError when it does not exist."""
        module = _module(module)
        return _record(self.get(f"{module.endpoint}/{record_id}"), module.singular, module.id_field)

    def item_details(self, item_ids: list[str]) -> list[dict[str, Any]]:
        """Items in full by id, many per call: "Bulk fetch item details" (items.yml,
        GET /itemdetails, item_ids separated by commas)."""
        envelope = self.get("/itemdetails", {"item_ids": ",".join(str(i) for i in item_ids)})
        found = envelope.get("items")
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def find_by_name(self, module, name: str) -> list[dict[str, Any]]:
        """Records whose display name (module.name_field) is exactly `name`."""
        module = _module(module)
        key = module.name_field
        if not key:
            raise ValueError(f"module {module.name} has no name_field to search by")
        wanted = name.strip()
        return [r for r in self.iter_records(module, {key: wanted}) if str(r.get(key, "")).strip() == wanted]

    def custom_fields(self, entity: str) -> list[dict[str, Any]]:
        """The organisation's custom-field metadata for an entity ("item", "contact", ...).

        Asks /settings/fields with filter_custom_fields=true (without it Zoho lists the
        module's system fields too: Custom Fields API, "List custom fields"), and the simple
        /customfields list when that path is unknown (404/405). A server that lists system
        fields anyway has them dropped where metadata becomes Fields (`Module.with_custom_fields`).
        """
        for path, params in FIELD_PATHS:
            try:
                envelope = self.get(path, {"entity": entity, **params})
            except ApiError as exc:
                if exc.status in (404, 405) and path != FIELD_PATHS[-1][0]:
                    continue
                raise
            return _field_list(envelope)
        return []  # pragma: no cover - the loop returns or raises

    # --- writes ------------------------------------------------------------------------------

    def create(self, module, payload: Mapping[str, Any]) -> WriteResult:
        """POST a new record. A lost reply raises OutcomeUnknown and is never resent."""
        module = _module(module)
        status, envelope = self.request("POST", module.endpoint, json=payload, params=write_params(module, payload, "create"))
        return WriteResult(_record(envelope, module.singular), True, status)

    def update(self, module, record_id: str, payload: Mapping[str, Any]) -> WriteResult:
        """PUT changes to the record with this Zoho id."""
        module = _module(module)
        status, envelope = self.request("PUT", f"{module.endpoint}/{record_id}", json=payload, params=write_params(module, payload, "update"))
        return WriteResult(_record(envelope, module.singular), False, status)

    def upsert(
        self, module, key_api_name: str, key_value: str, payload: Mapping[str, Any], create: bool = True
    ) -> WriteResult:
        """PUT by unique custom field: update the record holding `key_value`, or create it.

        With `create=False` a missing record is an error (update only). `created` is read from
        Zoho's message (`_was_created`), never from the status.
        """
        module = _module(module)
        headers = {"X-Unique-Identifier-Key": key_api_name, "X-Unique-Identifier-Value": _header_value(key_value)}
        if create:
            headers["X-Upsert"] = "true"
        status, envelope = self.request("PUT", module.endpoint, json=payload, headers=headers, params=write_params(module, payload, "upsert"))
        record = _record(envelope, module.singular)
        return WriteResult(record, create and _was_created(status, envelope, record), status)

    # --- one call ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One API call with pacing, auth, 429 handling; returns (HTTP status, envelope)."""
        url = self.settings.api_url + path
        params = {**(params or {}), "organization_id": self.settings.organization_id}
        self.stats.add("reads" if method == "GET" else "writes")
        rate_attempts = 0
        refused_since: float | None = None
        refreshed = False
        while True:
            try:
                response, ticket = self._send(method, url, params=params, json=json, headers=headers)
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    if self._auth.after_401(response.request):
                        self.stats.add("retries")
                        continue
            except AuthStopped as exc:  # the token call failed part-way, or access was lost before
                raise self._advised(exc, path) from None
            body = _json_object(response)  # parsed once: the envelope and the write's verdict share it
            envelope = self._envelope(response, body)
            if response.status_code == 401 and self._auth.refreshable:
                raise self._refused(method, url, path, response, envelope)
            self._auth.worked(response.request)
            if response.status_code == 429:
                refused_since = refused_since or time.monotonic()
                self._on_429(response, envelope, ticket, rate_attempts, time.monotonic() - refused_since)
                rate_attempts += 1
                self.stats.add("retries")
                continue
            if self._limiter.succeeded(ticket):
                log.info("Zoho's per-minute window is full: pacing at %.0f calls per minute", self._limiter.rate)
            if not is_read(method) and _maybe_applied(response.status_code, body):
                raise self._answered_unsettled(method, url, response, envelope, body)
            if response.status_code >= 400 or envelope.get("code", 0) != 0:
                raise self._error(response, envelope)
            return response.status_code, envelope

    def _send(self, method, url, **kwargs) -> tuple[requests.Response, int]:
        with self._limiter.slot() as ticket:
            started = time.monotonic()
            timeout = self._timeout(method)
            try:
                response = self._session.request(method, url, auth=self._auth, timeout=timeout, **kwargs)
            except requests.RequestException as exc:
                raise self._no_answer(method, url, exc, timeout[1]) from None
        self._limiter.observe(response.headers)
        retried = retries_of(response)
        if retried:
            self.stats.add("retries", retried)
        log.debug(
            "%s %s -> %s (%.2f s, %d retries)",
            method, redact_url(response.url), response.status_code, time.monotonic() - started, retried,
        )
        return response, ticket

    def _on_429(self, response, envelope, ticket: int, attempt: int, refused_for: float) -> None:
        code = envelope.get("code")
        self.stats.count_429(code)
        if code == QUOTA_CODE:
            self._limiter.exhaust()
            raise self._error(response, envelope)
        if code == CONCURRENCY_CODE:
            if attempt >= self._rate_retries:
                raise self._error(response, envelope)
            delay = min(BACKOFF_MAX, self._backoff_base * 2**attempt)
            self._sleep(delay * random.uniform(0.5, 1.5))  # jitter keeps threads from retrying in step
            return
        # per minute (44, or a 429 without a code): no sleep here, the limiter holds the next send
        # until the window can take it; a backoff on top would only leave the window unused
        if refused_for > RATE_WAIT_MAX:
            raise self._error(response, envelope)
        if self._limiter.slowed_down(ticket, _retry_after(response)):
            log.debug("Zoho answered 429 (code %s): one probe at a time until its window frees", code)

    def _envelope(self, response: requests.Response, body: dict | None) -> dict[str, Any]:
        """Zoho's envelope from the answer's JSON object `body`; for an answer that is not one
        (None), an envelope without a code whose message is the page's text, scrubbed."""
        if body is not None:
            if "code" in body:
                body["code"] = _code(body["code"])
            return body
        # scrubbed before and after: unescaping the page's entities could spell a secret
        secrets = self._secrets()
        return {"code": None, "message": scrub(_not_json(scrub(response.text or "", secrets, limit=4000)), secrets)}

    def _error(self, response: requests.Response, envelope: Mapping[str, Any]) -> ApiError:
        message = scrub(str(envelope.get("message") or response.reason or ""), self._secrets())
        return api_error(response.status_code, envelope.get("code"), message)

    def _timeout(self, method: str) -> tuple[float, float]:
        """(connect, read) seconds: a write waits a little longer, once, for its answer."""
        connect, read = self.settings.timeout
        return (connect, read) if is_read(method) else (connect, max(read, self.settings.write_timeout))

    def _no_answer(self, method: str, url: str, exc: requests.RequestException, read_timeout: float) -> Exception:
        where = self._where(url)
        sent = request_was_sent(exc)
        if sent:
            reason = (f"no answer from Zoho within {read_timeout:g} s" if _timed_out(exc)
                      else "the connection was dropped before Zoho answered")
        else:
            reason = f"bulkio could not connect to {self.settings.api_url}"
        if not is_read(method) and sent:
            return self._outcome_unknown(method, url, reason)
        again = " (asked twice)" if sent else ""
        return ServerError(0, None, f"{method} {where}: {reason}{again}; check the network and --api-url / "
                                    "--region, then run the same command again.")

    def _outcome_unknown(self, method: str, url: str, reason: str) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{method} {self._where(url)}: {reason}; Zoho may or may not have applied it, so it is "
            "not sent again before Zoho is checked for the record.", reason)

    def _answered_unsettled(self, method: str, url: str, response, envelope, body) -> OutcomeUnknown:
        """A write's answer that leaves open whether Zoho applied it; a 5xx keeps Zoho's words."""
        reason = _answer_reason(response, body)
        if response.status_code < 500:
            return self._outcome_unknown(method, url, reason)
        said = self._error(response, envelope)
        return ServerErrorAfterWrite(said.status, said.code, said.message, reason)

    def _refused(self, method: str, url: str, path: str, response, envelope) -> AuthStopped:
        """Zoho refused a token minted a moment ago: its grant lacks a scope, or its user has
        no access to the organisation. No further token can help, so none is asked for."""
        said = self._error(response, envelope)
        error = AuthStopped(401, said.code, (
            f"Zoho refused {method} {self._where(url)} with an access token bulkio had just received "
            f"({said.message or 'not authorized'}): the grant lacks a scope this call needs, or its user "
            f"has no access to organisation {self.settings.organization_id}. {grant_advice(path)}."))
        self._auth.stop(error)
        return error

    def _advised(self, exc: AuthStopped, path: str) -> AuthStopped:
        """An AuthStopped from the token side, with what to do for this module's calls; one
        that already says it (kept by the auth after `_refused`) is raised as it is."""
        if "grant code" in exc.message:
            return exc
        return AuthStopped(exc.status, exc.code, f"{exc.message} {grant_advice(path)}.")

    def _where(self, url: str) -> str:
        return redact_url(url).removeprefix(self.settings.api_url)

    def _secrets(self) -> tuple[str, ...]:
        return self.settings.secrets() + self._auth.secrets()


def _json_object(response: requests.Response) -> dict | None:
    """The answer's body when it is a JSON object, else None (a page, text, nothing)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _maybe_applied(status: int, body: dict | None) -> bool:
    """Whether a write's answer leaves open that Zoho applied it: a 5xx (Zoho documents 500
    "Internal Error" and says nothing of what was applied), or a success status without a JSON
    answer (a proxy's page). A 4xx refuses the write; a 429 is the limiter's."""
    return status >= 500 or (status < 400 and body is None)


def _answer_reason(response: requests.Response, body: dict | None) -> str:
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


def _timed_out(exc: requests.RequestException) -> bool:
    """Whether the error is a read that waited its whole timeout (urllib3 wraps it in
    requests.ConnectionError when a retry gave up on it)."""
    if isinstance(exc, requests.Timeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, ReadTimeoutError)


_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def _not_json(text: str) -> str:
    """One line a person can read for an answer that is not JSON (a proxy's HTML page, plain
    text, nothing): tags dropped, whitespace collapsed, cut short."""
    html = bool(re.match(r"\s*<(!doctype|html|head|body)\b", text, re.I))
    words = " ".join(html_lib.unescape(_TAG.sub(" ", text) if html else text).split())
    if not words:
        return "Zoho answered with an empty body, not JSON"
    return f"Zoho answered {'an HTML page' if html else 'text'}, not JSON: {words[:200]}"


def _with_page_end(envelope: dict[str, Any], list_key: str, asked: int) -> dict[str, Any]:
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


def _listed(envelope: dict[str, Any], list_key: str) -> dict[str, Any]:
    """The envelope with its records as a list: credit-notes.yml documents the list answer's
    `creditnotes` as one object, which is one record, not a list of its keys."""
    records = envelope.get(list_key)
    return {**envelope, list_key: [records]} if isinstance(records, dict) else envelope


def _retry_after(response: requests.Response) -> float:
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
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


def _code(code: Any) -> Any:
    """Zoho's body code as an int when it is one written as text ("0", "44")."""
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        return int(code.strip())
    return code


def _header_value(value) -> str | bytes:
    """HTTP header values are Latin-1; a key beyond it (東京-1) goes as UTF-8 bytes, which Zoho
    does not document either way, rather than failing the row."""
    text = str(value)
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
    return text


def _module(module):
    """A Module from a Module or a module name."""
    if isinstance(module, str):
        return load_module(module)
    return module


#: what every answer carries beside its record
ENVELOPE_KEYS = ("code", "message")


def _record(envelope: Mapping[str, Any], singular: str, id_field: str | None = None) -> dict[str, Any]:
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


def _was_created(status: int, envelope: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether an upsert's answer says it created its record: only a message that says so
    ("added", "created"). The OpenAPI files declare only 200 for the upsert, with the update's
    message ("Item details have been saved.", items.yml update-an-item-response), so an
    answer usually cannot tell; the runner decides from the records it listed before writing
    (runner._Run._created)."""
    message = str(envelope.get("message") or "").lower()
    return any(word in message for word in CREATED_WORDS)


#: where custom-field metadata is listed: Zoho documents `fields` (Custom Fields API, every
#: list answer); the others were seen on other servers or guessed
FIELD_LIST_KEYS = ("fields", "customfields", "custom_fields")


def _field_list(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The custom-field metadata of an answer: under a known key, one field under `field` (the
    documented answer to a create or update), else the first list of objects."""
    if isinstance(envelope.get("field"), dict):
        return [envelope["field"]]
    for key in FIELD_LIST_KEYS:
        value = envelope.get(key)
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
    return _first_list_of_dicts(envelope)


def _first_list_of_dicts(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The first list of objects in an envelope, whatever its key (customfields, fields, ...),
    looking into nested objects too."""
    for value in envelope.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
        if isinstance(value, dict):
            found = _first_list_of_dicts(value)
            if found:
                return found
    return []
