import pytest

pytest_plugins = ["bulkio.sandbox.pytest_plugin"]



@pytest.fixture(autouse=True)
def _own_record_memory(tmp_path, monkeypatch):
    """Each test keeps its own memory of written records (bulkio.memory), not the user's."""
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "bulkio-state"))
