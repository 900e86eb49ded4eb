"""The sandbox as an object: start it, point a client at it, look inside, stop it."""

from __future__ import annotations

import dataclasses
import os
import random
import secrets
import shlex
import sys
import threading

from . import scopes as scopes_module
from . import settings
from .api import Api
from .config import SandboxConfig
from .customfields import CustomFields, metadata
from .documents import document_hook
from .limits import OrgLimits
from .modules import MODULES
from .records import Records
from .server import SandboxServer
from .standard import contact_hook, item_hook
from .stats import Stats
from .store import Store
from .tokens import TokenIssuer

APP_PATHS = {"books": "/books/v3", "inventory": "/inventory/v1"}


class Sandbox:
    """A local Zoho Books / Inventory API on loopback.

    Example:
        with Sandbox(SandboxConfig(rate_limit=1000)) as sb:
            requests.get(sb.api_url("books") + "/items", params={"organization_id": sb.org_id}, ...)
    """

    def __init__(self, config: SandboxConfig | None = None, **overrides):
        self.config = dataclasses.replace(config or SandboxConfig(), **overrides)
        if self.config.db and self.config.db != ":memory:":
            _owner_only(self.config.db)  # it keeps the sandbox's credentials
        self.store = Store(self.config.db)
        self.client_id, self.client_secret, self.refresh_token = self._credentials()
        self.custom_fields = CustomFields(self.store)
        hooks = {"items": item_hook, "contacts": contact_hook}
        hooks.update({name: document_hook for name, spec in MODULES.items() if spec.is_document})
        self._records = Records(self.store, self.custom_fields, hooks)
        self.api = Api(self._records, self.custom_fields, lambda: self.config)
        granted = scopes_module.ALL_SCOPES if self.config.scopes is None else self.config.scopes
        self.tokens = TokenIssuer(self.client_id, self.client_secret, self.refresh_token, granted)
        self.limits = {org: OrgLimits() for org in self.config.orgs}
        self.stats = Stats()
        self._rng = random.Random(self.config.seed)
        self._rng_lock = threading.Lock()
        for org in self.config.orgs:
            settings.seed(self.store, org)
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._server else "stopped"
        return f"Sandbox({where}, orgs={self.config.orgs})"

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Listen and serve in a daemon thread; port 0 picks a free port."""
        if self._server is None:
            self._server = SandboxServer((self.config.host, self.config.port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="zoho-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the data file."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- where it is ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server else self.config.port

    @property
    def base_url(self) -> str:
        host = self.config.host
        host = "127.0.0.1" if host in ("", "0.0.0.0") else ("[::1]" if host == "::" else host)
        return f"http://{host}:{self.port}"

    @property
    def accounts_url(self) -> str:
        """Root of the token endpoint (`/oauth/v2/token`)."""
        return self.base_url

    def api_url(self, app: str = "books") -> str:
        """API root: "books" -> .../books/v3, "inventory" -> .../inventory/v1."""
        return self.base_url + APP_PATHS[app]

    @property
    def org_id(self) -> str:
        return self.config.orgs[0]

    def organizations(self) -> list[dict]:
        """The organizations as GET /organizations lists them: the keys of the row schema of
        organizations.yml's list-organizations-response, no others."""
        # rule: ORGANIZATIONS-LIST
        return [{
            "organization_id": org, "name": f"Sandbox {org}", "contact_name": "Sandbox Owner",
            "email": "owner@sandbox.invalid", "is_default_org": i == 0, "plan_type": 130,
            "tax_group_enabled": True, "zi_migration_status": 0, "plan_name": "PROFESSIONAL",
            "plan_period": "Monthly", "language_code": "en", "fiscal_year_start_month": 0,
            "account_created_date": "2024-01-01", "account_created_date_formatted": "01 Jan 2024",
            "time_zone": "UTC", "is_org_active": True, "currency_id": "982000000000190", "currency_code": "USD",
            "currency_symbol": "$", "currency_format": "###,##0.00", "price_precision": 2,
        } for i, org in enumerate(self.config.orgs)]

    def grant_code(self, scopes=None, redirect_uri: str | None = None) -> str:
        """A grant code as a Self Client's "Generate Code" tab gives one: for `scopes` (None:
        every scope the sandbox knows), valid `grant_code_ttl_s` seconds, exchangeable once at
        the token endpoint with grant_type=authorization_code."""
        granted = scopes_module.ALL_SCOPES if scopes is None else tuple(scopes)
        return self.tokens.issue_code(granted, self.config.grant_code_ttl_s, redirect_uri)

    # --- control and inspection ----------------------------------------------------------------

    def configure(self, **changes) -> None:
        """Change settings while serving (limits, latency, faults, token lifetime, seed)."""
        self.config = dataclasses.replace(self.config, **changes)
        if "refresh_token_uses" in changes:
            self.tokens.restore()
        if "seed" in changes:
            with self._rng_lock:
                self._rng = random.Random(changes["seed"])

    def reset_limits(self) -> None:
        """Forget the calls counted against every organization's limits."""
        for limits in self.limits.values():
            limits.reset()

    def add_custom_field(self, entity: str, label: str, data_type: str = "string", is_unique: bool = False,
                         values=None, is_mandatory: bool = False, max_length: int | None = None,
                         org_id: str | None = None) -> dict:
        """Create a custom field as `POST /settings/fields` would; returns its metadata, all of
        it (is_unique and index included, whatever --field-metadata says)."""
        seed = {"entity": entity, "label": label, "data_type": data_type, "is_unique": is_unique,
                "values": values, "is_mandatory": is_mandatory, "max_length": max_length, "show_on_pdf": False}
        return metadata(self.custom_fields.create(org_id or self.org_id, seed), documented=False)

    def records(self, module: str, org_id: str | None = None) -> list[dict]:
        """The stored records of a module as GET would answer them, in creation order."""
        return self._records.all(org_id or self.org_id, MODULES[module])

    def draw_fault(self) -> str | None:
        """For one write call: "fail" (answer 500, apply nothing), "lost" (apply, answer
        nothing), "gateway" (apply, answer 504 with an HTML page), "swallow" (apply nothing,
        answer nothing) or None, drawn from the seeded generator."""
        with self._rng_lock:
            roll = self._rng.random()
        if roll < self.config.fail_rate:
            return "fail"
        if roll < self.config.fail_rate + self.config.lost_reply_rate:
            return "lost"
        roll -= self.config.fail_rate + self.config.lost_reply_rate
        if roll < self.config.applied_error_rate:
            return "gateway"
        if roll - self.config.applied_error_rate < self.config.swallow_rate:
            return "swallow"
        return None

    def export_lines(self) -> list[str]:
        """`export NAME=value` lines that point bulkio at this sandbox (ready for eval)."""
        values = {
            "ZOHO_API_URL": self.api_url("books"),
            "ZOHO_ACCOUNTS_URL": self.accounts_url,
            "ZOHO_ORGANIZATION_ID": self.org_id,
            "ZOHO_CLIENT_ID": self.client_id,
            "ZOHO_CLIENT_SECRET": self.client_secret,
            "ZOHO_REFRESH_TOKEN": self.refresh_token,
        }
        return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]

    def _credentials(self) -> tuple[str, str, str]:
        """Credentials from the config, else the data file's, else new ones (kept in the file so a
        restarted sandbox accepts the same exports)."""
        cfg = self.config
        stored = {k: self.store.get_meta(k) for k in ("client_id", "client_secret", "refresh_token")}
        client_id = cfg.client_id or stored["client_id"] or "1000.SANDBOX" + secrets.token_hex(10).upper()
        client_secret = cfg.client_secret or stored["client_secret"] or secrets.token_hex(21)
        refresh_token = cfg.refresh_token or stored["refresh_token"] or "1000." + secrets.token_hex(32)
        for key, value in (("client_id", client_id), ("client_secret", client_secret),
                           ("refresh_token", refresh_token)):
            self.store.set_meta(key, value)
        return client_id, client_secret, refresh_token


def _owner_only(path: str) -> None:
    """Create the data file readable by its owner only, or tighten one that is wider (its SQLite
    side files too: SQLite gives new ones the file's own permissions)."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o077:
            os.chmod(name, 0o600)


def serve(config: SandboxConfig, echo=print, ready=None, stop=None) -> None:
    """Run a sandbox until Ctrl-C (or until the `stop` event is set): print the export lines
    first, flushed. `ready(sandbox)` is called once it listens, before those lines, so whatever
    it sets up is there when a script reads them."""
    with Sandbox(config) as sandbox:
        if ready is not None:
            ready(sandbox)
        for line in sandbox.export_lines():
            echo(line)
        sys.stdout.flush()
        stop = stop or threading.Event()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
