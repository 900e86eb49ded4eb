"""`bulkio export`: a module's records to a spreadsheet that `import` takes back."""

from __future__ import annotations

from pathlib import Path

import click

from bulkio.cli.options import connection_options, json_option
from bulkio.cli.output import say
from bulkio.cli.state import connect


@click.command(name="export")
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .xlsx or .csv.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Zoho list filter, e.g. name_startswith=Desk or rate_greater_than=10 (repeatable).")
@click.option("--columns", metavar="A,B,...",
              help="Only these columns (labels or api names); the id and key columns are always written.")
@click.option("--rate", type=click.IntRange(1), default=100, show_default=True, help="Requests per minute.")
@click.option("--daily-limit", type=click.IntRange(1), default=1000, show_default=True,
              help="The plan's daily API calls.")
@connection_options
@json_option
def export_command(module: str, output: Path, filters: tuple[str, ...], columns: str | None, rate: int,
                   daily_limit: int, connection) -> None:
    """Write every record of a module (custom fields included) to a spreadsheet that
    `bulkio import` accepts back unchanged.

    Example: bulkio export -m items -o items.xlsx --filter name_startswith=Desk
    """
    from bulkio.cli.jsonsummary import emit_if_json, export_object
    from bulkio.cli.progress import record_progress
    from bulkio.cli.render import export_line
    from bulkio.exporting import export_module

    client = connect(connection, rate=rate, daily_limit=daily_limit)
    with record_progress(module) as on_progress:
        result = export_module(client, module, output, filters=list(filters), columns=columns,
                               on_progress=on_progress)
    say(export_line(result))
    emit_if_json(export_object(result))
