"""bulkio's command line: each command turns options into settings, calls one library function,
renders the result and maps errors to exit codes (in `main`, and nowhere else)."""

from __future__ import annotations

import sys

import click

from bulkio import __version__
from bulkio.errors import BulkioError, ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bulkio")
@click.option("--traceback", is_flag=True, hidden=True, help="Show Python tracebacks (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, traceback: bool) -> None:
    """Move records between spreadsheets and Zoho Books / Zoho Inventory.

    Example: bulkio import items.xlsx -m items -k "External ID"
    """
    ctx.ensure_object(dict)
    ctx.obj["traceback"] = traceback


# --- commands are registered below; keep each one a thin shell over a library call ---

from bulkio.cli_options import build_client, connection_options  # noqa: E402


@cli.command()
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@connection_options
def fields(module: str, connection) -> None:
    """List a module's fields, standard and custom: api name, label, type, required, unique,
    dropdown values.

    Example: bulkio fields -m items
    """
    from bulkio.fields import format_fields_table, load_fields

    click.echo(format_fields_table(load_fields(build_client(connection), module)))


from pathlib import Path  # noqa: E402  (export and template take output paths)


@cli.command(name="export")
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .xlsx or .csv.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Zoho list filter, e.g. name_startswith=Desk or rate_greater_than=10 (repeatable).")
@click.option("--columns", metavar="A,B,...",
              help="Only these columns (labels or api names); the id and key columns are always written.")
@connection_options
def export_command(module: str, output: Path, filters: tuple[str, ...], columns: str | None, connection) -> None:
    """Write every record of a module (custom fields included) to a spreadsheet that
    `bulkio import` accepts back unchanged.

    Example: bulkio export -m items -o items.xlsx --filter name_startswith=Desk
    """
    from tqdm import tqdm

    from bulkio.exporter import export_module

    client = build_client(connection)
    with tqdm(desc=f"Reading {module}", unit=" records", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        result = export_module(client, module, output, filters=list(filters), columns=columns,
                               on_progress=lambda done: bar.update(done - bar.n))
    click.echo(f"Exported {result.rows} records to {result.path} ({result.calls} API calls).")


@cli.command()
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to write (.xlsx).")
@connection_options
def template(module: str, output: Path, connection) -> None:
    """Write an empty import workbook: a column per importable field (the organisation's custom
    fields too when connection settings are available), required columns marked, dropdown
    validation, a Notes sheet.

    Example: bulkio template -m items -o items-template.xlsx
    """
    from bulkio.errors import ConfigError
    from bulkio.fields import load_fields
    from bulkio.modules import load_module
    from bulkio.template import OFFLINE_NOTE, build_template

    try:
        client = build_client(connection)
    except ConfigError:
        client = None
        click.echo(f"Note: {OFFLINE_NOTE}", err=True)
    definition = load_fields(client, module) if client else load_module(module)
    path = build_template(definition, output, connected=client is not None)
    click.echo(f"Wrote the {definition.name} import template to {path}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file that keeps the data across restarts.")
@click.option("--org", "orgs", multiple=True, help="Organization id to serve (repeatable).")
@click.option("--rate-limit", default=100, show_default=True, type=int, help="Requests per minute per organization.")
@click.option("--max-concurrent", default=10, show_default=True, type=int, help="Requests in flight per organization.")
@click.option("--daily-limit", default=1000, show_default=True, type=int, help="Requests per day per organization.")
@click.option("--token-ttl", default=3600.0, show_default=True, type=float, help="Access token lifetime, seconds.")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="Delay added to every API call.")
@click.option("--fail-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of writes answered 500 and not applied.")
@click.option("--lost-reply-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of writes applied whose connection is then dropped unanswered.")
@click.option("--seed", type=int, help="Seed for the fault injection, for repeatable runs.")
def sandbox(host, port, db, orgs, rate_limit, max_concurrent, daily_limit, token_ttl, latency_ms,
            fail_rate, lost_reply_rate, seed) -> None:
    """Run a local Zoho Books API (sandbox credentials only) until Ctrl-C. The first lines
    printed are `export` settings that point bulkio at it.

    Example: eval "$(bulkio sandbox --port 8765 | head -n 6)"  (or run it in another terminal)
    """
    from bulkio.sandbox import SandboxConfig, serve

    config = SandboxConfig(
        host=host, port=port, db=db, orgs=orgs or SandboxConfig.orgs, rate_limit=rate_limit,
        max_concurrent=max_concurrent, daily_limit=daily_limit, token_ttl_s=token_ttl, latency_ms=latency_ms,
        fail_rate=fail_rate, lost_reply_rate=lost_reply_rate, seed=seed,
    )
    serve(config, echo=click.echo)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: the one place errors become exit codes."""
    try:
        code = cli.main(args=argv, prog_name="bulkio", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted; run the same command again to resume.", err=True)
        sys.exit(ExitCode.STOPPED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except BulkioError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; run the same command again to resume.", err=True)
        sys.exit(ExitCode.STOPPED)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
