"""Connection settings: data centres, and flags > environment variables > config file.

`load_settings()` is the one place these sources meet. Secrets live only in fields declared
`repr=False`, so printing a `ConnectionSettings` never shows them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulkio.errors import ConfigError

#: data centre -> (API host, accounts host). Canada's accounts server is not accounts.zoho.ca.
REGIONS: dict[str, tuple[str, str]] = {
    "com": ("www.zohoapis.com", "accounts.zoho.com"),
    "eu": ("www.zohoapis.eu", "accounts.zoho.eu"),
    "in": ("www.zohoapis.in", "accounts.zoho.in"),
    "com.au": ("www.zohoapis.com.au", "accounts.zoho.com.au"),
    "jp": ("www.zohoapis.jp", "accounts.zoho.jp"),
    "ca": ("www.zohoapis.ca", "accounts.zohocloud.ca"),
    "com.cn": ("www.zohoapis.com.cn", "accounts.zoho.com.cn"),
    "sa": ("www.zohoapis.sa", "accounts.zoho.sa"),
}

#: app -> API path on the data centre's API host.
APPS: dict[str, str] = {"books": "/books/v3", "inventory": "/inventory/v1"}

DEFAULT_REGION = "com"
DEFAULT_APP = "books"

#: setting -> environment variable; flags use the same names as `load_settings(flags=...)` keys.
ENV_VARS: dict[str, str] = {
    "organization_id": "ZOHO_ORGANIZATION_ID",
    "region": "ZOHO_REGION",
    "app": "ZOHO_APP",
    "client_id": "ZOHO_CLIENT_ID",
    "client_secret": "ZOHO_CLIENT_SECRET",
    "refresh_token": "ZOHO_REFRESH_TOKEN",
    "access_token": "ZOHO_ACCESS_TOKEN",
    "api_url": "ZOHO_API_URL",
    "accounts_url": "ZOHO_ACCOUNTS_URL",
}

FLAGS: dict[str, str] = {
    "organization_id": "--org",
    "region": "--region",
    "app": "--app",
    "api_url": "--api-url",
    "accounts_url": "--accounts-url",
}

CONFIG_ENV = "BULKIO_CONFIG"
CONFIG_TABLE = "connection"
REFRESH_KEYS = ("client_id", "client_secret", "refresh_token")


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to talk to one Zoho organisation.

    `api_url` and `accounts_url` are resolved (region default or override). Either
    `access_token` or all of `client_id`, `client_secret`, `refresh_token` are set.
    The limits are the client's own pacing: requests per minute, in flight, per day.
    `timeout` is (connect, read) seconds of a read; `write_timeout` the read timeout of a write.
    """

    organization_id: str
    api_url: str
    accounts_url: str
    region: str = DEFAULT_REGION
    app: str = DEFAULT_APP
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    rate_per_minute: float = 100
    max_in_flight: int = 5
    daily_limit: int = 1000
    # (connect, read) seconds: a silent server costs a read about 30 s (sent twice at most,
    # session.READ_ERROR_RETRIES); a write waits up to `write_timeout` for its answer and is
    # never resent blindly, so no call waits minutes
    timeout: tuple[float, float] = (10.0, 30.0)
    write_timeout: float = 45.0

    @property
    def uses_refresh(self) -> bool:
        """True when bulkio mints its own access tokens from the refresh token."""
        return all(getattr(self, key) for key in REFRESH_KEYS)

    def secrets(self) -> tuple[str, ...]:
        """The secret values that are set, for scrubbing text before it is shown."""
        values = (self.client_secret, self.refresh_token, self.access_token)
        return tuple(v for v in values if v)


def region_urls(region: str, app: str) -> tuple[str, str]:
    """(API root, accounts server) of a data centre, e.g. ("https://www.zohoapis.eu/books/v3", ...)."""
    if region not in REGIONS:
        raise ConfigError(
            f"Unknown region {region!r}: use one of {', '.join(REGIONS)} "
            f"(--region or {ENV_VARS['region']})."
        )
    if app not in APPS:
        raise ConfigError(f"Unknown app {app!r}: use one of {', '.join(APPS)} (--app or {ENV_VARS['app']}).")
    api_host, accounts_host = REGIONS[region]
    return f"https://{api_host}{APPS[app]}", f"https://{accounts_host}"


def config_path(explicit: str | os.PathLike | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser(), True
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".config" / "bulkio" / "config.toml", False


def read_config(path: Path, required: bool) -> dict[str, str]:
    """The [connection] table of a TOML config file ({} when an unnamed default is absent)."""
    if not path.is_file():
        if required:
            raise ConfigError(f"Config file not found: {path} (from --config or ${CONFIG_ENV}).")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The parser's message may quote a line of the file, which can hold a secret.
        raise ConfigError(f"Cannot read config file {path}: {type(exc).__name__}; check its TOML syntax.") from None
    table = data.get(CONFIG_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{CONFIG_TABLE}] must be a table.")
    unknown = sorted(set(table) - set(ENV_VARS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) in [{CONFIG_TABLE}]: {', '.join(unknown)}; "
            f"known keys: {', '.join(ENV_VARS)}."
        )
    return {key: str(value) for key, value in table.items()}


def merge_sources(
    flags: Mapping[str, Any], env: Mapping[str, str], config: Mapping[str, str]
) -> dict[str, str]:
    """One value per setting: a flag wins over an env var, which wins over the config file."""
    merged: dict[str, str] = {}
    for key, var in ENV_VARS.items():
        for value in (flags.get(key), env.get(var), config.get(key)):
            if value not in (None, ""):
                merged[key] = str(value).strip()
                break
    return merged


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: str | os.PathLike | None = None,
    **limits: Any,
) -> ConnectionSettings:
    """Build settings from flags > env > config file, and check that they can work.

    `flags` uses setting names (organization_id, region, app, api_url, accounts_url); `None`
    means "not given". `limits` are passed through (rate_per_minute, max_in_flight, daily_limit,
    timeout). Raises ConfigError naming the env var or flag that fixes a missing value.

    Example: load_settings({"organization_id": "123"}, env={"ZOHO_ACCESS_TOKEN": "..."})
    """
    env = os.environ if env is None else env
    path, required = config_path(config, env)
    values = merge_sources(flags or {}, env, read_config(path, required))
    region = values.get("region", DEFAULT_REGION).lower()
    app = values.get("app", DEFAULT_APP).lower()
    api_url, accounts_url = region_urls(region, app)
    _require_org(values)
    _require_credentials(values)
    _refuse_odd_secrets(values)
    return ConnectionSettings(
        organization_id=values["organization_id"],
        api_url=values.get("api_url", api_url).rstrip("/"),
        accounts_url=values.get("accounts_url", accounts_url).rstrip("/"),
        region=region,
        app=app,
        client_id=values.get("client_id"),
        client_secret=values.get("client_secret"),
        refresh_token=values.get("refresh_token"),
        access_token=values.get("access_token"),
        **{key: value for key, value in limits.items() if value is not None},
    )


def _require_org(values: Mapping[str, str]) -> None:
    if not values.get("organization_id"):
        raise ConfigError(
            f"No Zoho organization id: set {ENV_VARS['organization_id']} or pass --org "
            f"(or organization_id in the [{CONFIG_TABLE}] table of the config file)."
        )


def _refuse_odd_secrets(values: Mapping[str, str]) -> None:
    """A secret with a space, a line break or a control character inside was pasted wrong: a
    header cannot carry it, and the library's error would quote it."""
    for key in ("client_id", "client_secret", "refresh_token", "access_token"):
        value = values.get(key) or ""
        if value and not (value.isprintable() and " " not in value):
            raise ConfigError(
                f"{ENV_VARS[key]} holds a space, a line break or another character no Zoho credential "
                "has: copy it again, on one line (bulkio does not show it)."
            )


def _require_credentials(values: Mapping[str, str]) -> None:
    if values.get("access_token") or all(values.get(key) for key in REFRESH_KEYS):
        return
    missing = [ENV_VARS[key] for key in REFRESH_KEYS if not values.get(key)]
    raise ConfigError(
        f"No Zoho credentials: set {', '.join(missing)} (OAuth refresh-token grant), "
        f"or set {ENV_VARS['access_token']} to use a fixed access token."
    )
