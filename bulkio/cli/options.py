"""Option families shared by several commands, written once so commands cannot drift apart.

`@connection_options` adds --org, --region, --app, --api-url, --accounts-url, --config and hands
the command one `connection: ConnectionOptions` argument; `@input_options` adds the options of
`import` and `validate` and hands it `inputs: InputOptions`; `@import_options` adds the options
only `import` has (--dry-run, the limits, the journal's).

Example:
    @cli.command()
    @input_options
    @connection_options
    def validate(file, inputs, connection): ...
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import click

from bulkio.modes import MODES, default_mode
from bulkio.settings import APPS, REGIONS


@dataclass(frozen=True)
class ConnectionOptions:
    """The connection flags as given; None means "not given" (env or config file decide)."""

    org: str | None = None
    region: str | None = None
    app: str | None = None
    api_url: str | None = None
    accounts_url: str | None = None
    config: Path | None = None


@dataclass(frozen=True)
class InputOptions:
    """The options of `import` and `validate`; `mode` is resolved (upsert with a key, else create)."""

    module: str
    key: str | None
    mode: str
    mapping: Path | None
    sheet: str | None
    report: Path | None
    date_format: str | None
    decimal_comma: bool | None = None   # True --decimal-comma, False --decimal-point, None unsaid
    clear_marker: str | None = None


def build_client(connection: ConnectionOptions, *, rate=None, concurrency=None, daily_limit=None, **kwargs):
    """A ZohoClient for the command's connection flags and (import's) limits.

    Example: build_client(connection, rate=100, concurrency=5, daily_limit=1000)
    """
    from bulkio.zoho.connect import connect  # keeps `--help` fast: requests loads only when a command runs

    return connect(connection.config, organization_id=connection.org, region=connection.region, app=connection.app,
                   api_url=connection.api_url, accounts_url=connection.accounts_url, rate_per_minute=rate,
                   max_in_flight=concurrency, daily_limit=daily_limit, **kwargs)


_CONNECTION = [
    click.option("--org", metavar="ID", help="Zoho organization id [env ZOHO_ORGANIZATION_ID]."),
    click.option(
        "--region", type=click.Choice(list(REGIONS), case_sensitive=False),
        help="Data centre (default com) [env ZOHO_REGION].",
    ),
    click.option(
        "--app", type=click.Choice(list(APPS), case_sensitive=False),
        help="Zoho Books (default) or Inventory [env ZOHO_APP].",
    ),
    click.option("--api-url", metavar="URL", help="API root instead of the region's [env ZOHO_API_URL]."),
    click.option(
        "--accounts-url", metavar="URL",
        help="Accounts server for tokens instead of the region's [env ZOHO_ACCOUNTS_URL]."
    ),
    click.option(
        "--config", type=click.Path(dir_okay=False, path_type=Path),
        help="Config file with a [connection] table [env BULKIO_CONFIG; default ~/.config/bulkio/config.toml].",
    ),
]

_INPUT = [
    click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices."),
    click.option("-k", "--key", help="Unique custom field that identifies a record: api name or label."),
    click.option(
        "--mode", type=click.Choice([str(m) for m in MODES]), default=None,
        help="upsert (default with --key), update (key must exist), create (default without --key).",
    ),
    click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Column mapping TOML file."),
    click.option("--sheet", help="Worksheet of an XLSX file (default: the first visible one)."),
    click.option(
        "--report", type=click.Path(dir_okay=False, path_type=Path),
        help="Results report, .csv or .xlsx (default: <input stem>.report.xlsx beside the input).",
    ),
    click.option("--date-format", help="Date format of the file's dates, e.g. DD/MM/YYYY."),
    click.option(
        "--decimal-comma/--decimal-point", "decimal_comma", default=None,
        help="The file writes numbers 12,50 and 1.234,56, as in most of Europe / 12.50 and "
             "1,234.56. Without either, a number whose comma could mean either is refused.",
    ),
    click.option(
        "--clear-marker", metavar="TEXT", callback=lambda ctx, param, value: _marker(value),
        help="A cell holding exactly TEXT clears its field in Zoho (without it no cell clears anything).",
    ),
]


#: ctx.meta key of --resend-unknown (read by resend_unknown())
RESEND_UNKNOWN = "bulkio.resend_unknown"


def _remember(ctx, param, value):
    """Keep --resend-unknown in ctx.meta without widening every command's signature."""
    ctx.meta[RESEND_UNKNOWN] = value
    return value


_IMPORT = [
    click.option("--dry-run", is_flag=True, help="Read and compare only: say what each row would do, write nothing."),
    click.option("--skip-unchanged", is_flag=True, help="Send nothing for rows that would change nothing in Zoho."),
    click.option("--rate", type=click.IntRange(1), default=100, show_default=True, help="Requests per minute."),
    click.option("--concurrency", type=click.IntRange(1), default=5, show_default=True, help="Requests in flight."),
    click.option("--daily-limit", type=click.IntRange(1), default=1000, show_default=True,
                 help="The plan's daily API calls."),
    click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
                 help="Journal file (default: <input stem>.journal.sqlite)."),
    click.option("--no-resume", is_flag=True, help="Start afresh instead of resuming from the journal."),
    click.option("--replace-line-items", is_flag=True, help="Allow updates that replace a document's line items."),
    click.option("--reserve", type=click.IntRange(0), default=0, show_default=True, metavar="N",
                 help="Calls of today's quota to leave for the organisation's other integrations."),
    click.option("--yes", "assume_yes", is_flag=True,
                 help="Do not ask before using up today's quota or marking many records inactive."),
    click.option("--wait-for-quota", is_flag=True,
                 help="When today's quota is used up, wait for the next day's and go on (instead of exit 3)."),
    click.option("--deactivate-missing", is_flag=True,
                 help="Items and contacts, with -k: mark inactive the records whose key value is not in the file."),
    click.option("--resend-unknown", is_flag=True, expose_value=False, callback=_remember,
                 help="Send again rows reported `unknown` (sent, never answered, nothing to check them by) "
                      "once you have checked Zoho does not hold them."),
]


def _marker(value: str | None) -> str | None:
    from bulkio.errors import ConfigError
    from bulkio.prepare.checks import clear_marker  # keeps `--help` fast

    try:
        return clear_marker(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def connection_options(command):
    """Add the connection flags; the command receives them as `connection: ConnectionOptions`."""

    @functools.wraps(command)
    def wrapper(*args, org, region, app, api_url, accounts_url, config, **kwargs):
        connection = ConnectionOptions(org, region and region.lower(), app and app.lower(), api_url, accounts_url,
                                       config)
        return command(*args, connection=connection, **kwargs)

    return _apply(_CONNECTION, wrapper)


def input_options(command):
    """Add -m/-k/--mode/--mapping/--sheet/--report/--date-format/--decimal-comma/
    --decimal-point/--clear-marker as `inputs: InputOptions`."""

    @functools.wraps(command)
    def wrapper(*args, module, key, mode, mapping, sheet, report, date_format, decimal_comma,
                clear_marker, **kwargs):
        resolved = default_mode(mode, key)
        inputs = InputOptions(module, key, resolved, mapping, sheet, report, date_format, decimal_comma,
                              clear_marker)
        return command(*args, inputs=inputs, **kwargs)

    return _apply(_INPUT, wrapper)


def import_options(command):
    """Add --dry-run, --skip-unchanged, --rate, --concurrency, --daily-limit, --journal,
    --no-resume, --replace-line-items, --reserve, --yes (as `assume_yes`), --wait-for-quota,
    --deactivate-missing (as arguments of those names) and --resend-unknown (read with
    resend_unknown())."""
    return _apply(_IMPORT, command)


def _json_flag(ctx, param, value):
    from bulkio.cli.output import JSON_MODE

    ctx.find_root().meta[JSON_MODE] = value
    return value


def json_option(command):
    """Add --json: one summary object on stdout at the end, the lines for people on stderr
    (read with bulkio.cli.output.json_mode())."""
    return click.option("--json", "as_json", is_flag=True, expose_value=False, callback=_json_flag,
                        is_eager=True,
                        help="Print one JSON summary object on stdout; the lines for people go to stderr.")(command)


def resend_unknown() -> bool:
    """Whether the running command was given --resend-unknown."""
    return bool(click.get_current_context().meta.get(RESEND_UNKNOWN))


def _apply(options, function):
    # reversed: click lists options in the order their decorators are written
    for option in reversed(options):
        function = option(function)
    return function
