"""Fixtures every test file can ask for by name (the sandbox's come from bulkio.sandbox.pytest_plugin).

Plain builders that tests call with arguments live in modules beside this one: sandbox_clients.py
(clients pointed at a sandbox), e2e_support.py (input files, the CLI, reading its outputs),
canned_zoho.py (loopback servers with answers given by the test).
"""

import socket
import threading
from urllib.parse import urlsplit

import pytest
from canned_zoho import CannedZoho, serving
from documents_support import CUSTOMERS, ITEMS
from e2e_support import FAST, add_item_fields, csv_text, invoke, sandbox_env
from runner_support import keyed_items_org
from sandbox_clients import Zoho, client_for
from variant_front import Front, Variant, VariantHandler

from bulkio.catalogue.fields import load_fields
from bulkio.cli.demo import samples_dir
from bulkio.sandbox.seed import add_custom_fields_from

pytest_plugins = ["bulkio.sandbox.pytest_plugin"]

VENDORS = [["V-01", "Office Depot Supplies", "vendor"], ["V-02", "Ergo Furniture Wholesale", "vendor"]]


@pytest.fixture
def zoho(sandbox) -> Zoho:
    """The sandbox over bare HTTP, as a client calls it (token header, organization_id, JSON)."""
    return Zoho(sandbox)


@pytest.fixture
def canned():
    """A loopback Zoho that gives the answers the test cans (`canned.answer(...)`), and a client for it."""
    with CannedZoho() as server:
        yield server


@pytest.fixture
def samples_env(sandbox, tmp_path):
    """A sandbox holding the samples' custom fields, 25 items, 12 customers and 2 vendors."""
    samples = samples_dir()
    add_custom_fields_from(sandbox, samples / "custom_fields.toml")
    env = sandbox_env(sandbox, tmp_path)
    vendors = tmp_path / "vendors.csv"
    vendors.write_text(csv_text(["External ID", "Display Name", "Contact Type"], VENDORS))
    for path, module in ((samples / "items.xlsx", "items"), (samples / "contacts.csv", "contacts"),
                         (vendors, "contacts")):
        seeded = invoke(env, "import", path, "-m", module, "-k", "External ID", "--rate", FAST,
                        "--report", tmp_path / f"seed-{path.stem}.csv",
                        "--journal", tmp_path / f"seed-{path.stem}.sqlite")
        assert seeded.exit_code == 0, seeded.output
    sandbox.stats.reset()
    return env


@pytest.fixture
def invoice_org(sandbox):
    """A sandbox with customers, items and a unique invoice field; the client and module."""
    sandbox.add_custom_field("invoice", "Order Ref", is_unique=True)
    client = client_for(sandbox)
    for name in CUSTOMERS:
        client.create("contacts", {"contact_name": name, "contact_type": "customer"})
    for name, rate in ITEMS.items():
        client.create("items", {"name": name, "rate": rate, "sku": name[:3].upper()})
    return sandbox, client, load_fields(client, "invoices")


@pytest.fixture
def items_org(sandbox):
    """A sandbox whose items have a unique External ID: (sandbox, a client, the items module)."""
    return keyed_items_org(sandbox)


@pytest.fixture
def mute_port():
    """A port that accepts connections and never answers a byte; yields (port, accepted list)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.fixture(autouse=True)
def _own_record_memory(tmp_path, monkeypatch):
    """Each test keeps its own memory of written records (bulkio.run.memory), not the user's."""
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "bulkio-state"))


@pytest.fixture(autouse=True)
def _short_check_pauses(monkeypatch):
    """A write without answer is checked after pauses of a few minutes in all (bulkio.run.settle);
    tests wait tenths of a second instead (a test of the schedule sets its own)."""
    monkeypatch.setenv("BULKIO_CHECK_PAUSES", "0.05,0.1,0.2,0.4")


@pytest.fixture
def front(sandbox):
    """The sandbox behind a variant front (tests/variant_front.py) that can rewrite its answers."""
    add_item_fields(sandbox)
    variant = Variant()
    upstream = urlsplit(sandbox.base_url).netloc
    with serving(VariantHandler, variant=variant, upstream=upstream) as server:
        yield Front(sandbox, variant, f"http://127.0.0.1:{server.server_address[1]}")
