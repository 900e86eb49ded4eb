"""The `bulkio` click group, its commands, and the console-script entry point `main`.

Errors become exit codes in exits.exit_for, called from the group (for every command, under
CliRunner as in the shell) and from `main` (for what fails before a command runs).
"""

from __future__ import annotations

import sys

import click

from bulkio.cli.commands import COMMANDS
from bulkio.cli.exits import exit_for
from bulkio.errors import BulkioError, ExitCode
from bulkio.version import __version__


class BulkioGroup(click.Group):
    """Maps every error of a command to its exit code; click's own exceptions stay click's."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            ctx.exit(exit_for(exc, ctx.obj or {}))


@click.group(cls=BulkioGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bulkio")
@click.option("--traceback", is_flag=True, help="Show Python tracebacks (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, traceback: bool) -> None:
    """Move records between spreadsheets and Zoho Books / Zoho Inventory.

    Example: bulkio import items.xlsx -m items -k "External ID"
    """
    ctx.ensure_object(dict)
    ctx.obj["traceback"] = traceback


for _command in COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs `cli` and exits with the code of how it ended."""
    try:
        code = cli.main(args=argv, prog_name="bulkio", standalone_mode=False)
    except (click.exceptions.Abort, click.ClickException, BulkioError, KeyboardInterrupt) as exc:
        sys.exit(exit_for(exc, {}))
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
