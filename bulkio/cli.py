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
