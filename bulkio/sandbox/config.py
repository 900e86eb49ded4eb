"""The sandbox's settings; the defaults are Zoho's own limits."""

from __future__ import annotations

from dataclasses import dataclass, field

FIELD_METADATA = ("full", "documented")
UPSERT_CREATED_STATUS = (200, 201)


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox listens, limits and misbehaves.

    `orgs` lists the organization ids it serves (the first is `Sandbox.org_id`). Credentials left
    as None are generated (and kept in the `db` file when there is one).
    """

    host: str = "127.0.0.1"
    port: int = 0
    db: str | None = None
    orgs: tuple[str, ...] = ("10234695",)
    rate_limit: int = 100
    rate_window_s: float = 60.0
    max_concurrent: int = 10
    daily_limit: int = 1000
    token_ttl_s: float = 3600
    # Zoho limits how often one refresh token mints (sources say about 10 per 10 minutes; not
    # documented). Off by default: every bulkio run mints its own token.
    token_mint_limit: int | None = None
    token_mint_window_s: float = 600.0
    # Fault: a refresh token is revoked once it has minted this many access tokens (None: never),
    # as when its user revokes it mid-run; changing the setting (Sandbox.configure) restores it
    refresh_token_uses: int | None = None
    latency_ms: float = 0
    fail_rate: float = 0.0
    lost_reply_rate: float = 0.0
    # Share of writes applied and then answered 504 with a gateway's HTML page (a proxy that
    # gave up waiting while Zoho went on)
    applied_error_rate: float = 0.0
    # Every write is held this long, then applied and answered: an apply slower than a
    # client's read timeout lands after the client gave up
    apply_delay_ms: float = 0
    # Share of writes swallowed on the way (a proxy that holds the connection, then drops it):
    # held swallow_hold_ms, never applied, never answered
    swallow_rate: float = 0.0
    swallow_hold_ms: float = 2000
    seed: int | None = None
    # "documented": only the keys of the Custom Fields API's examples, which show neither
    # is_unique nor index; "full": the metadata carries both
    field_metadata: str = "documented"
    # The HTTP status of an upsert (X-Upsert: true) that creates: the OpenAPI files declare only
    # 200 for the collection PUT (with the update message); 201 (with the create message) is the
    # more generous answer some clients expect
    upsert_created_status: int = 200
    # The scopes of the built-in refresh token (and so of the tokens it mints); None: every
    # scope an operation the sandbox serves names. Narrower scopes make calls outside them 401.
    scopes: tuple[str, ...] | None = None
    # How long a grant code from Sandbox.grant_code stays valid (Self Client: "By default, it is
    # 3 minutes")
    grant_code_ttl_s: float = 180.0
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Accept a single org id or any iterable, keep a tuple of strings.
        orgs = (self.orgs,) if isinstance(self.orgs, (str, int)) else self.orgs
        object.__setattr__(self, "orgs", tuple(str(o) for o in orgs))
        if not self.orgs:
            raise ValueError("SandboxConfig.orgs needs at least one organization id")
        if self.scopes is not None:
            scopes = (self.scopes,) if isinstance(self.scopes, str) else self.scopes
            object.__setattr__(self, "scopes", tuple(str(s) for s in scopes))
        if self.field_metadata not in FIELD_METADATA:
            raise ValueError(
                f"SandboxConfig.field_metadata must be one of {FIELD_METADATA}, got {self.field_metadata!r}"
            )
        if self.upsert_created_status not in UPSERT_CREATED_STATUS:
            raise ValueError(f"SandboxConfig.upsert_created_status must be one of {UPSERT_CREATED_STATUS}, "
                             f"got {self.upsert_created_status!r}")
        for name in ("fail_rate", "lost_reply_rate", "applied_error_rate", "swallow_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SandboxConfig.{name} must be between 0 and 1, got {value}")
