"""bulkio.run.memory: what bulkio last wrote to or read of each record, kept between runs."""

from __future__ import annotations

import stat

from client_double import ClientDouble

from bulkio.run.memory import FILE_NAME, RecordMemory, state_dir


def test_a_record_put_by_one_run_is_found_by_the_next(tmp_path):
    first = RecordMemory.open("http://zoho#1", "contacts", tmp_path)
    first.put({"contact_id": "7", "contact_name": "Acme", "last_modified_time": "2026-12-02T10:00:00+0000"}, "7")
    first.close()

    again = RecordMemory.open("http://zoho#1", "contacts", tmp_path).get("7")

    assert again.record["contact_name"] == "Acme"
    assert again.modified == "2026-12-02T10:00:00+0000"


def test_organisations_and_modules_keep_apart(tmp_path):
    RecordMemory.open("http://zoho#1", "contacts", tmp_path).put({"contact_id": "7"}, "7")

    assert RecordMemory.open("http://zoho#2", "contacts", tmp_path).get("7") is None
    assert RecordMemory.open("http://sandbox#1", "contacts", tmp_path).get("7") is None
    assert RecordMemory.open("http://zoho#1", "items", tmp_path).get("7") is None
    assert RecordMemory.open("http://zoho#1", "contacts", tmp_path).get("7") is not None


def test_the_latest_put_wins(tmp_path):
    memory = RecordMemory.open("s", "items", tmp_path)
    memory.put({"item_id": "1", "rate": 10}, "1")
    memory.put({"item_id": "1", "rate": 12}, "1")

    assert memory.get("1").record["rate"] == 12 and memory.get("1").modified is None


def test_the_file_is_readable_by_its_owner_only(tmp_path):
    RecordMemory.open("s", "items", tmp_path).put({"item_id": "1"}, "1")

    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_an_unusable_directory_gives_a_memory_that_forgets(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    memory = RecordMemory.open("s", "items", blocker / "state")
    memory.put({"item_id": "1"}, "1")

    assert memory.get("1") is None


def test_the_state_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("BULKIO_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "bulkio"
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "mine"))
    assert state_dir() == tmp_path / "mine"


class _Zoho(ClientDouble):
    """A client whose contact answers by id leave out last_modified_time."""

    def __init__(self):
        super().__init__()
        self.reads = 0

    def iter_records(self, module):
        return iter([{"contact_id": "7", "contact_name": "Acme", "last_modified_time": "T1"}])

    def get_record(self, module, record_id):
        self.reads += 1
        return {"contact_id": record_id, "contact_name": "Acme", "custom_fields": []}


def test_a_record_read_without_its_modified_time_is_remembered_with_the_list_rows(tmp_path):
    from bulkio.catalogue import load_module
    from bulkio.run.existing import FullRecords

    contacts, zoho = load_module("contacts"), _Zoho()
    first = FullRecords(zoho, contacts, RecordMemory.open("s", "contacts", tmp_path))
    first.read(next(iter(first.index(None).by_id.values())))
    second = FullRecords(zoho, contacts, RecordMemory.open("s", "contacts", tmp_path))
    row = next(iter(second.index(None).by_id.values()))

    assert second.get(row)["contact_name"] == "Acme" and zoho.reads == 1
