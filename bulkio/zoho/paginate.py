"""Zoho's page-numbered lists as an iterator over records."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bulkio.errors import InputError

PER_PAGE = 200  # Zoho's maximum


def iter_pages(
    fetch: Callable[[dict[str, Any]], Mapping[str, Any]],
    params: Mapping[str, Any] | None = None,
    per_page: int = PER_PAGE,
) -> Iterator[Mapping[str, Any]]:
    """Yield each page's envelope, asking for the next while `page_context.has_more_page` is true.

    `fetch(params)` does one GET and returns the parsed envelope.
    """
    page = 1
    while True:
        envelope = fetch({**(params or {}), "page": page, "per_page": per_page})
        yield envelope
        context = envelope.get("page_context") or {}
        if not context.get("has_more_page"):
            return
        page += 1


def iter_records(
    fetch: Callable[[dict[str, Any]], Mapping[str, Any]],
    list_key: str,
    params: Mapping[str, Any] | None = None,
    per_page: int = PER_PAGE,
) -> Iterator[dict[str, Any]]:
    """Every record under `list_key` (e.g. "items") across all pages, one at a time.

    Stops with an error when a page repeats the one before it: a server that ignores `page`
    would otherwise be read forever."""
    previous = None
    for number, envelope in enumerate(iter_pages(fetch, params, per_page), start=1):
        records = envelope.get(list_key) or []
        if records and records == previous:
            raise InputError(
                f"the server answered page {number} of {list_key} with the same records as page "
                f"{number - 1}; it does not seem to honour Zoho's `page` parameter (check --api-url)")
        yield from records
        if not records:
            return  # a page with no records cannot be followed by more; guards against a loop
        previous = records
