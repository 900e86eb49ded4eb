"""List answers: Zoho's filters (`field`, `field_startswith`, `field_contains`, number and date
ranges, `filter_by`, `search_text`), sorting and pagination."""

from __future__ import annotations

from . import errors
from .modules import ModuleSpec

MAX_PER_PAGE = 200  # rule: PER-PAGE-200
RESERVED = {"organization_id", "page", "per_page", "sort_column", "sort_order", "filter_by", "search_text",
            "JSONString", "response_option", "print", "accept"}
_SUFFIXES = {
    "_startswith": "startswith", "_contains": "contains", "_less_than": "lt", "_less_equals": "le",
    "_greater_than": "gt", "_greater_equals": "ge", "_start": "ge", "_end": "le", "_before": "lt", "_after": "gt",
}


def select(spec: ModuleSpec, records: list[dict], query: dict) -> list[dict]:
    """The records a list call's filters keep, sorted as asked."""
    predicates = [_status_filter(spec, query.get("filter_by"))]
    if query.get("search_text"):
        needle = query["search_text"].casefold()
        predicates.append(
            lambda r: any(needle in str(r.get(f) or "").casefold() for f in spec.search_fields)
        )
    for param, value in query.items():
        if param not in RESERVED:
            predicate = _field_filter(spec, param, value)
            if predicate is not None:
                predicates.append(predicate)
    kept = [r for r in records if all(p(r) for p in predicates)]
    return _sort(spec, kept, query)


def paginate(records: list, query: dict) -> tuple[list, dict]:
    """(one page of records, the start of `page_context`)."""
    page = _positive_int(query.get("page", "1"), "page")
    per_page = min(_positive_int(query.get("per_page", str(MAX_PER_PAGE)), "per_page"), MAX_PER_PAGE)
    start = (page - 1) * per_page
    chunk = records[start:start + per_page]
    return chunk, {"page": page, "per_page": per_page, "has_more_page": len(records) > start + per_page}


def _positive_int(text: str, name: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise errors.invalid_value(name) from None
    if value < 1:
        raise errors.invalid_value(name)
    return value


def default_filter(spec: ModuleSpec) -> str:
    """The filter a list applies without `filter_by`: active items only ("List items: Get the
    list of all active items"); contacts likewise (their page is silent, the less convenient
    reading); documents have no active state and list every status."""
    # rule: LIST-DEFAULT-ACTIVE
    return "Status.All" if spec.is_document else "Status.Active"


def _status_filter(spec: ModuleSpec, filter_by: str | None):
    filter_by = filter_by or default_filter(spec)
    if filter_by == "Status.All":
        return lambda r: True
    group, _, status = filter_by.partition(".")
    if group != "Status" or not status:
        raise errors.invalid_value("filter_by")
    wanted = status.lower()
    if not spec.is_document and wanted not in ("active", "inactive"):
        return lambda r: True  # Status.Duplicate, Status.Crm...: no such state here
    return lambda r: str(r.get("status", "")).lower() == wanted


def _field_filter(spec: ModuleSpec, param: str, value: str):
    base, op = param, "eq"
    for suffix, name in _SUFFIXES.items():
        if param.endswith(suffix) and param[: -len(suffix)] in spec.filters:
            base, op = param[: -len(suffix)], name
            break
    kind = spec.filters.get(base)
    if kind is None:
        return None  # rule: UNKNOWN-QUERY-IGNORED
    if kind in ("number",) and op not in ("startswith", "contains"):
        return _number_predicate(base, op, value)
    return lambda r: any(_text_match(op, v, value) for v in _values(r, base, kind))


def _values(record: dict, field: str, kind: str) -> list:
    if kind == "address":
        parts = []
        for key in ("billing_address", "shipping_address"):
            address = record.get(key) or {}
            if isinstance(address, dict):
                parts.extend(str(v) for v in address.values() if v not in (None, ""))
        return parts
    if kind == "line":
        key = "item_id" if field == "item_id" else "name"
        return [line.get(key) for line in record.get("line_items") or [] if isinstance(line, dict)]
    value = record.get(field)
    return [] if value is None else [value]


def _text_match(op: str, have, want: str) -> bool:
    if isinstance(have, bool):
        have = "true" if have else "false"
    have, want = str(have).casefold(), want.casefold()
    if op == "startswith":
        return have.startswith(want)
    if op == "contains":
        return want in have
    if op == "eq":
        return have == want
    # ranges on text (dates as yyyy-mm-dd compare as text)
    return {"lt": have < want, "le": have <= want, "gt": have > want, "ge": have >= want}[op] if have else False


def _number_predicate(field: str, op: str, value: str):
    try:
        wanted = float(value)
    except ValueError:
        raise errors.invalid_value(field) from None

    def predicate(record: dict) -> bool:
        try:
            have = float(record.get(field))
        except (TypeError, ValueError):
            return False
        return {"eq": have == wanted, "lt": have < wanted, "le": have <= wanted,
                "gt": have > wanted, "ge": have >= wanted}[op]

    return predicate


def _sort(spec: ModuleSpec, records: list[dict], query: dict) -> list[dict]:
    column = query.get("sort_column") or spec.default_sort
    if column not in spec.sort_columns and column != spec.default_sort:
        raise errors.invalid_value("sort_column")
    order = (query.get("sort_order") or "A").upper()
    if order not in ("A", "D", "ASCENDING", "DESCENDING"):
        raise errors.invalid_value("sort_order")

    def key(record: dict):
        value = record.get(column)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, value, "", record.get(spec.id_field, ""))
        text = "" if value is None else str(value).casefold()
        return (1 if text else 2, 0, text, record.get(spec.id_field, ""))

    return sorted(records, key=key, reverse=order.startswith("D"))
