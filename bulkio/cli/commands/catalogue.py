"""`bulkio fields` and `bulkio template`: what a module's records hold."""

from __future__ import annotations

from pathlib import Path

import click

from bulkio.cli.options import connection_options
from bulkio.cli.state import connect


@click.command()
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@connection_options
def fields(module: str, connection) -> None:
    """List a module's fields, standard and custom: api name, label, type, required, unique,
    dropdown values.

    Example: bulkio fields -m items
    """
    from bulkio.catalogue.fields import format_fields_table, load_fields

    click.echo(format_fields_table(load_fields(connect(connection), module)))


@click.command()
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
    from bulkio.catalogue import load_module
    from bulkio.catalogue.fields import load_fields
    from bulkio.errors import ConfigError
    from bulkio.sheets.template import OFFLINE_NOTE, build_template

    try:
        client = connect(connection)
    except ConfigError:
        client = None
        click.echo(f"Note: {OFFLINE_NOTE}", err=True)
    definition = load_fields(client, module) if client else load_module(module)
    path = build_template(definition, output, connected=client is not None)
    click.echo(f"Wrote the {definition.name} import template to {path}.")
