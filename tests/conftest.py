import pytest

pytest_plugins = ["bulkio.sandbox.pytest_plugin"]



@pytest.fixture(autouse=True)
def _own_record_memory(tmp_path, monkeypatch):
    """Each test keeps its own memory of written records (bulkio.run.memory), not the user's."""
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "bulkio-state"))


@pytest.fixture(autouse=True)
def _short_check_pauses(monkeypatch):
    """A write without answer is checked after pauses of a few minutes in all (bulkio.run.settle);
    tests wait tenths of a second instead (a test of the schedule sets its own)."""
    monkeypatch.setenv("BULKIO_CHECK_PAUSES", "0.05,0.1,0.2,0.4")
