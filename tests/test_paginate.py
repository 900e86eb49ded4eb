"""Paging stops where Zoho says, and never loops on a server that ignores `page`."""

import pytest

from bulkio.errors import InputError
from bulkio.zoho.paginate import iter_records


def test_pages_are_read_until_has_more_page_is_false():
    pages = {1: ([{"id": 1}, {"id": 2}], True), 2: ([{"id": 3}], False)}

    def fetch(params):
        records, more = pages[params["page"]]
        return {"items": records, "page_context": {"has_more_page": more}}

    assert [r["id"] for r in iter_records(fetch, "items", per_page=2)] == [1, 2, 3]


def test_a_server_that_ignores_page_is_an_error_not_an_endless_read():
    calls = []

    def fetch(params):
        calls.append(params["page"])
        return {"items": [{"id": 1}, {"id": 2}], "page_context": {"has_more_page": True}}

    with pytest.raises(InputError, match="does not seem to honour Zoho's `page` parameter"):
        list(iter_records(fetch, "items", per_page=2))
    assert calls == [1, 2]
