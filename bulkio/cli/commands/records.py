"""`bulkio import` and `bulkio validate`: a file's rows, checked, written, reported."""

from __future__ import annotations

from pathlib import Path

import click

from bulkio.cli.confirm import ask, can_ask
from bulkio.cli.options import (
    InputOptions,
    connection_options,
    import_options,
    input_options,
    json_option,
    resend_unknown,
)
from bulkio.cli.output import say
from bulkio.cli.state import connect, run_state


@click.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@input_options
@import_options
@connection_options
@json_option
def import_command(file: Path, inputs, connection, dry_run, skip_unchanged, rate, concurrency,
                   daily_limit, journal, no_resume, replace_line_items, reserve, assume_yes, wait_for_quota,
                   deactivate_missing) -> None:
    """Read a CSV/TSV/XLSX file, validate it, write it to Zoho and report on every row.

    Example: bulkio import items.xlsx -m items -k "External ID" --skip-unchanged
    """
    from bulkio.cli.progress import row_progress
    from bulkio.importing import run_import
    from bulkio.preparing import resolve_module

    opts = _options(
        file, inputs, dry_run=dry_run, skip_unchanged=skip_unchanged, rate=rate, concurrency=concurrency,
        daily_limit=daily_limit, journal=journal, resume=not no_resume, replace_line_items=replace_line_items,
        reserve=reserve, assume_yes=assume_yes, wait_for_quota=wait_for_quota, deactivate_missing=deactivate_missing,
    )
    if not dry_run:
        run_state().update(journal=opts.journal_path(), report=opts.report_path())
    client = connect(connection, rate=rate, concurrency=concurrency, daily_limit=daily_limit)
    module = resolve_module(inputs.module, client)

    def on_plan(plan) -> bool | None:
        for line in plan.lines():
            say(line)
        if plan.asks_to_deactivate and not assume_yes and can_ask():
            return ask(f"Mark {len(plan.missing.todo):,} {module.plural} inactive "
                       f"({plan.missing.share:.0%} of those holding a key)?", assume_yes=False)
        return None  # run_import refuses (exit 2) when consent is needed and nobody gave it

    with row_progress() as on_progress:
        result = run_import(opts, client, module, on_plan=on_plan, on_progress=on_progress, on_warning=_warn)
    _finish(result, "import", client)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@input_options
@connection_options
@json_option
def validate(file: Path, inputs, connection) -> None:
    """Read and check every row as `import` would, without any write call; report every problem.

    Custom fields are fetched from Zoho when a connection is configured.

    Example: bulkio validate items.xlsx -m items -k "External ID"
    """
    from bulkio.validating import module_for_validate, run_validate

    opts = _options(file, inputs)
    module, note, client = module_for_validate(inputs.module, lambda: connect(connection),
                                               needs_custom=bool(inputs.key))
    if note:
        _warn(note)
    _finish(run_validate(opts, module, client=client, on_warning=_warn), "validate", client)


def _options(file: Path, inputs: InputOptions, **extra):
    from bulkio.preparing import ImportOptions

    extra.setdefault("resend_unknown", resend_unknown())
    return ImportOptions(
        path=file, module=inputs.module, key=inputs.key, mode=inputs.mode, mapping=inputs.mapping,
        sheet=inputs.sheet, report=inputs.report, date_format=inputs.date_format,
        decimal_comma=inputs.decimal_comma, clear_marker=inputs.clear_marker, **extra,
    )


def _warn(warning: str) -> None:
    click.echo(f"Warning: {warning}", err=True)


def _finish(result, command: str, client) -> None:
    """Print the problems and the summary (and under --json the summary object), and exit
    with the result's code."""
    from bulkio.cli.jsonsummary import emit_if_json, result_object
    from bulkio.cli.render import problem_lines, summary_lines

    for line in problem_lines(result) + summary_lines(result):
        say(line)
    emit_if_json(result_object(command, result, client))
    raise SystemExit(int(result.exit_code))
