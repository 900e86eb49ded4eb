"""Connection settings: data centres, overrides, and flags > env > config file."""

from __future__ import annotations

import pytest

from bulkio.errors import ConfigError
from bulkio.settings import load_settings

CREDS = {"ZOHO_CLIENT_ID": "cid", "ZOHO_CLIENT_SECRET": "csecret", "ZOHO_REFRESH_TOKEN": "rtoken"}


@pytest.fixture
def env(tmp_path):
    """An environment with credentials and an org, and a HOME without any config file."""
    return {"HOME": str(tmp_path), "ZOHO_ORGANIZATION_ID": "111", **CREDS}


@pytest.mark.parametrize(
    "region, api_host, accounts",
    [
        ("com", "www.zohoapis.com", "https://accounts.zoho.com"),
        ("eu", "www.zohoapis.eu", "https://accounts.zoho.eu"),
        ("in", "www.zohoapis.in", "https://accounts.zoho.in"),
        ("com.au", "www.zohoapis.com.au", "https://accounts.zoho.com.au"),
        ("jp", "www.zohoapis.jp", "https://accounts.zoho.jp"),
        ("ca", "www.zohoapis.ca", "https://accounts.zohocloud.ca"),
        ("com.cn", "www.zohoapis.com.cn", "https://accounts.zoho.com.cn"),
        ("sa", "www.zohoapis.sa", "https://accounts.zoho.sa"),
    ],
)
@pytest.mark.parametrize("app, path", [("books", "/books/v3"), ("inventory", "/inventory/v1")])
def test_each_data_centre_has_its_api_and_accounts_server(env, region, api_host, accounts, app, path):
    settings = load_settings({"region": region, "app": app}, env=env)
    assert settings.api_url == f"https://{api_host}{path}"
    assert settings.accounts_url == accounts


def test_defaults_are_com_and_books(env):
    settings = load_settings(env=env)
    assert (settings.region, settings.app) == ("com", "books")
    assert settings.api_url == "https://www.zohoapis.com/books/v3"


def test_url_overrides_win_over_the_region(env):
    env |= {"ZOHO_REGION": "eu", "ZOHO_API_URL": "http://127.0.0.1:8765/books/v3/", "ZOHO_ACCOUNTS_URL": "http://127.0.0.1:8765"}
    settings = load_settings(env=env)
    assert settings.api_url == "http://127.0.0.1:8765/books/v3"
    assert settings.accounts_url == "http://127.0.0.1:8765"


def write_config(tmp_path, body, name="config.toml"):
    path = tmp_path / name
    path.write_text("[connection]\n" + body, encoding="utf-8")
    return path


def test_flag_beats_env_beats_config_file(env, tmp_path):
    config = write_config(tmp_path, 'organization_id = "333"\nregion = "jp"\napp = "inventory"\n')
    env |= {"ZOHO_ORGANIZATION_ID": "222", "ZOHO_REGION": "eu"}
    settings = load_settings({"organization_id": "111"}, env=env, config=config)
    assert settings.organization_id == "111"  # flag over env and file
    assert settings.region == "eu"  # env over file
    assert settings.app == "inventory"  # file when nothing else says
    assert settings.api_url == "https://www.zohoapis.eu/inventory/v1"


def test_flag_given_as_none_leaves_the_env_value(env):
    assert load_settings({"organization_id": None}, env=env).organization_id == "111"


def test_config_file_from_bulkio_config_then_home(tmp_path):
    named = write_config(tmp_path, 'organization_id = "444"\naccess_token = "tok"\n', "named.toml")
    home_config = tmp_path / ".config" / "bulkio"
    home_config.mkdir(parents=True)
    write_config(home_config, 'organization_id = "555"\naccess_token = "tok"\n')
    base = {"HOME": str(tmp_path)}
    assert load_settings(env=base).organization_id == "555"
    assert load_settings(env=base | {"BULKIO_CONFIG": str(named)}).organization_id == "444"


def test_config_file_can_hold_every_credential(tmp_path):
    config = write_config(
        tmp_path,
        'organization_id = "9"\nclient_id = "a"\nclient_secret = "b"\nrefresh_token = "c"\n'
        'api_url = "http://localhost:1/books/v3"\naccounts_url = "http://localhost:1"\n',
    )
    settings = load_settings(env={"HOME": str(tmp_path)}, config=config)
    assert settings.uses_refresh
    assert settings.api_url == "http://localhost:1/books/v3"


def test_missing_org_says_what_to_set(env):
    del env["ZOHO_ORGANIZATION_ID"]
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    assert str(info.value) == (
        "No Zoho organization id: set ZOHO_ORGANIZATION_ID or pass --org "
        "(or organization_id in the [connection] table of the config file)."
    )


def test_missing_credentials_name_the_env_vars(env):
    del env["ZOHO_CLIENT_SECRET"], env["ZOHO_REFRESH_TOKEN"]
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    assert str(info.value) == (
        "No Zoho credentials: set ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN (OAuth refresh-token grant), "
        "or set ZOHO_ACCESS_TOKEN to use a fixed access token."
    )


def test_access_token_alone_is_enough(tmp_path):
    settings = load_settings(env={"HOME": str(tmp_path), "ZOHO_ORGANIZATION_ID": "1", "ZOHO_ACCESS_TOKEN": "t"})
    assert not settings.uses_refresh and settings.access_token == "t"


def test_unknown_region_lists_the_known_ones(env):
    with pytest.raises(ConfigError) as info:
        load_settings({"region": "us"}, env=env)
    assert str(info.value) == ("Unknown region 'us': use one of com, eu, in, com.au, jp, ca, com.cn, sa "
                               "(--region or ZOHO_REGION).")


def test_named_config_file_must_exist(env, tmp_path):
    with pytest.raises(ConfigError, match="Config file not found"):
        load_settings(env=env, config=tmp_path / "nope.toml")


def test_config_typo_is_reported(env, tmp_path):
    config = write_config(tmp_path, 'organisation_id = "1"\n')
    with pytest.raises(ConfigError, match="unknown key\\(s\\) in \\[connection\\]: organisation_id"):
        load_settings(env=env, config=config)


def test_broken_config_file_does_not_echo_its_lines(env, tmp_path):
    config = write_config(tmp_path, 'client_secret = "SENTINEL-broken\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env=env, config=config)
    assert "SENTINEL" not in str(info.value)
    assert "check its TOML syntax" in str(info.value)


def test_limits_pass_through(env):
    settings = load_settings(env=env, rate_per_minute=600, max_in_flight=3, daily_limit=None)
    assert (settings.rate_per_minute, settings.max_in_flight, settings.daily_limit) == (600, 3, 1000)
