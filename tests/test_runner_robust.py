"""One row's surprise costs that row, never the run: the rest are sent and reported."""

from __future__ import annotations

from runner_support import UPSERT, items, open_journal

from bulkio.run.runner import run_rows


class Flaky:
    """The real client, except that one key's write raises an error nobody planned for."""

    def __init__(self, client, bad_key: str):
        self._client, self._bad = client, bad_key

    def upsert(self, module, key_field, key, payload, create=True):
        if key == self._bad:
            raise RuntimeError("something nobody planned for")
        return self._client.upsert(module, key_field, key, payload, create=create)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_an_unexpected_error_fails_its_row_and_the_others_are_sent(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 5)
    with open_journal(tmp_path) as journal:
        result = run_rows(work, client=Flaky(client, work[2].key), module=module, journal=journal, options=UPSERT)
        entry = journal.entries()[work[2].row]

    statuses = [o.status for o in result.outcomes.values()]
    assert statuses == ["created", "created", "failed", "created", "created"]
    bad = result.outcomes[work[2].row]
    assert bad.error_code == "E_INTERNAL" and "RuntimeError: something nobody planned for" in bad.message
    assert entry.status == "sending"  # the next run checks it again
    assert len(sandbox.records("items")) == 4


def test_a_key_beyond_latin_1_is_sent_and_found_again(items_org, tmp_path):
    sandbox, client, module = items_org
    work = items(module, 2)
    for n, item in enumerate(work):
        item.key = item.payload["custom_fields"][0]["value"] = f"東京-{n}"
    with open_journal(tmp_path) as journal:
        first = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)
    with open_journal(tmp_path, name="again.sqlite") as journal:
        again = run_rows(work, client=client, module=module, journal=journal, options=UPSERT)

    assert [o.status for o in first.outcomes.values()] == ["created", "created"]
    assert [o.status for o in again.outcomes.values()] == ["updated", "updated"]
    assert sorted(r["custom_field_hash"]["cf_external_id"] for r in sandbox.records("items")) == ["東京-0", "東京-1"]
