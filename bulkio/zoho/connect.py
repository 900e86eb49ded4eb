"""`connect`: a ZohoClient built from the settings the CLI reads (arguments > ZOHO_* env vars > config file).

Example:
    client = connect()                          # ZOHO_* variables, or ~/.config/bulkio/config.toml
    client = connect("sandbox.toml", organization_id="123", max_in_flight=3)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from bulkio.settings import load_settings

if TYPE_CHECKING:
    from bulkio.zoho.client import ZohoClient


def connect(
    config: str | os.PathLike[str] | None = None, *,
    organization_id: str | None = None, region: str | None = None, app: str | None = None,
    api_url: str | None = None, accounts_url: str | None = None,
    rate_per_minute: float | None = None, max_in_flight: int | None = None, daily_limit: int | None = None,
    **client_options: Any,
) -> ZohoClient:
    """A client of one Zoho organisation. An argument left None is read from the environment
    (ZOHO_ORGANIZATION_ID, ZOHO_REFRESH_TOKEN...), else from the [connection] table of `config`
    (default $BULKIO_CONFIG or ~/.config/bulkio/config.toml); ConfigError says what is missing.
    `client_options` go to ZohoClient (a session, a limiter...)."""
    flags = {"organization_id": organization_id, "region": region, "app": app, "api_url": api_url,
             "accounts_url": accounts_url}
    settings = load_settings(flags, config=config, rate_per_minute=rate_per_minute, max_in_flight=max_in_flight,
                             daily_limit=daily_limit)
    # loaded once the settings are complete: requests takes 70 ms to import, which `validate`
    # without a configured connection would pay for nothing
    from bulkio.zoho.client import ZohoClient

    return ZohoClient(settings, **client_options)
