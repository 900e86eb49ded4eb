"""bulkio's command line: each command turns options into settings, calls one library function,
renders the result and maps errors to exit codes (in `main`, and nowhere else)."""

from __future__ import annotations

import sys

import click

from bulkio import __version__
from bulkio.errors import BulkioError, ExitCode


class BulkioGroup(click.Group):
    """Maps bulkio's errors to exit codes for every command, under CliRunner as in the shell."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BulkioError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("Interrupted; run the same command again to resume.", err=True)
            ctx.exit(int(ExitCode.STOPPED))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:
            if (ctx.obj or {}).get("traceback"):
                click.echo(_traceback_text(exc, ctx.obj or {}), err=True)
                ctx.exit(int(ExitCode.INTERNAL))
            for line in _unexpected(exc, ctx.obj or {}):
                click.echo(line, err=True)
            ctx.exit(int(ExitCode.INTERNAL))


def _unexpected(exc: Exception, state: dict) -> list[str]:
    """What a bug says: the error with secrets scrubbed, where its log is, and that the rows
    already written are safe in the journal."""
    from bulkio.cli.crashlog import error_line, run_secrets, write_log

    secrets = run_secrets(state.get("secret_sources", ()))
    lines = [f"Unexpected error (a bug in bulkio): {error_line(exc, secrets)}"]
    try:
        log = write_log(exc, secrets)
        lines.append(f"The details are in {log} (secrets removed): please send that file with a "
                     "bug report.")
    except OSError as err:
        lines.append(f"Its details could not be logged ({err.strerror or err}); run again with "
                     "`bulkio --traceback ...` and report it with the output.")
    if state.get("journal"):
        lines.append(f"Rows already written to Zoho are recorded in the journal {state['journal']}: "
                     "the same command again sends none of them twice, and its report "
                     f"({state['report']}) then covers every row.")
    return lines


def _traceback_text(exc: Exception, state: dict) -> str:
    """The traceback `--traceback` asks for, with the run's secrets replaced by ***."""
    import traceback

    from bulkio.cli.crashlog import clean, run_secrets

    secrets = run_secrets(state.get("secret_sources", ()))
    return clean("".join(traceback.format_exception(exc)), secrets).rstrip()


def _run_state() -> dict:
    """What the catch-all needs to know of the running command (its secrets, its journal)."""
    return click.get_current_context().find_root().ensure_object(dict)


def _client(connection, **limits):
    """build_client, with the client's secrets (the live access token too) remembered for
    scrubbing an unexpected error."""
    client = build_client(connection, **limits)
    _run_state().setdefault("secret_sources", []).append(client)
    return client


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


# --- commands are registered below; keep each one a thin shell over a library call ---

from bulkio.cli.options import build_client, connection_options  # noqa: E402


@cli.command()
@click.option("-m", "--module", required=True, help="Zoho module, e.g. items, contacts, invoices.")
@connection_options
def fields(module: str, connection) -> None:
    """List a module's fields, standard and custom: api name, label, type, required, unique,
    dropdown values.

    Example: bulkio fields -m items
    """
    from bulkio.catalogue.fields import format_fields_table, load_fields

    click.echo(format_fields_table(load_fields(_client(connection), module)))


from pathlib import Path  # noqa: E402  (export and template take output paths)


@cli.command(name="export")
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
def export_command(module: str, output: Path, filters: tuple[str, ...], columns: str | None, rate: int,
                   daily_limit: int, connection) -> None:
    """Write every record of a module (custom fields included) to a spreadsheet that
    `bulkio import` accepts back unchanged.

    Example: bulkio export -m items -o items.xlsx --filter name_startswith=Desk
    """
    from tqdm import tqdm

    from bulkio.exporting import export_module

    client = _client(connection, rate=rate, daily_limit=daily_limit)
    with tqdm(desc=f"Reading {module}", unit=" records", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        result = export_module(client, module, output, filters=list(filters), columns=columns,
                               on_progress=lambda done: bar.update(done - bar.n))
    from bulkio.cli.render import export_line

    click.echo(export_line(result))


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
    from bulkio.catalogue.fields import load_fields
    from bulkio.catalogue.modules import load_module
    from bulkio.sheets.template import OFFLINE_NOTE, build_template

    try:
        client = _client(connection)
    except ConfigError:
        client = None
        click.echo(f"Note: {OFFLINE_NOTE}", err=True)
    definition = load_fields(client, module) if client else load_module(module)
    path = build_template(definition, output, connected=client is not None)
    click.echo(f"Wrote the {definition.name} import template to {path}.")


SANDBOX_FAULTS = "bulkio.sandbox_faults"


def _keep_sandbox_fault(ctx, param, value):
    """Keep a fault option of `sandbox` for its SandboxConfig without widening its signature."""
    if value is not None:
        ctx.meta.setdefault(SANDBOX_FAULTS, {})[param.name] = value
    return value


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file that keeps the data across restarts.")
@click.option("--org", "orgs", multiple=True, help="Organization id to serve (repeatable).")
@click.option("--rate-limit", default=100, show_default=True, type=int, help="Requests per minute per organization.")
@click.option("--max-concurrent", default=10, show_default=True, type=int, help="Requests in flight per organization.")
@click.option("--daily-limit", default=1000, show_default=True, type=int, help="Requests per day per organization.")
@click.option("--token-ttl", default=3600.0, show_default=True, type=float, help="Access token lifetime, seconds.")
@click.option("--refresh-token-uses", type=click.IntRange(0), expose_value=False, callback=_keep_sandbox_fault,
              help="Revoke a refresh token once it has minted this many access tokens.")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="Delay added to every API call.")
@click.option("--fail-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of writes answered 500 and not applied.")
@click.option("--lost-reply-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of writes applied whose connection is then dropped unanswered.")
@click.option("--applied-error-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of writes applied, then answered 504 with a gateway's HTML page.")
@click.option("--apply-delay-ms", default=0.0, show_default=True, type=float,
              help="Hold every write this long before applying and answering it.")
@click.option("--seed", type=int, help="Seed for the fault injection, for repeatable runs.")
@click.option("--custom-fields", "fields_file", type=click.Path(exists=True, dir_okay=False),
              help="TOML file of custom fields to create at start (see samples/custom_fields.toml).")
@click.option("--field-metadata", type=click.Choice(["full", "documented"]), default="documented", show_default=True,
              help="Custom-field metadata with is_unique and index (full), or only the keys Zoho's "
                   "Custom Fields API examples show (documented).")
@click.option("--upsert-created-status", type=click.Choice(["200", "201"]), default="200", show_default=True,
              help="HTTP status of an upsert that creates: 200 as Zoho's OpenAPI files declare, or 201.")
def sandbox(host, port, db, orgs, rate_limit, max_concurrent, daily_limit, token_ttl, latency_ms,
            fail_rate, lost_reply_rate, seed, fields_file, field_metadata, upsert_created_status,
            applied_error_rate=0.0, apply_delay_ms=0.0) -> None:
    """Run a local Zoho Books API (sandbox credentials only) until Ctrl-C. The first lines
    printed are `export` settings that point bulkio at it.

    Example: bulkio sandbox --custom-fields samples/custom_fields.toml > sandbox.env &
    """
    from bulkio.sandbox import SandboxConfig, serve
    from bulkio.sandbox.seed import add_custom_fields_from
    import dataclasses

    from bulkio.sandbox.server import exposure_warning

    config = SandboxConfig(
        host=host, port=port, db=db, orgs=orgs or SandboxConfig.orgs, rate_limit=rate_limit,
        max_concurrent=max_concurrent, daily_limit=daily_limit, token_ttl_s=token_ttl, latency_ms=latency_ms,
        fail_rate=fail_rate, lost_reply_rate=lost_reply_rate, seed=seed, field_metadata=field_metadata,
        upsert_created_status=int(upsert_created_status),
        applied_error_rate=applied_error_rate, apply_delay_ms=apply_delay_ms,
    )
    ready = (lambda sb: add_custom_fields_from(sb, fields_file)) if fields_file else None
    config = dataclasses.replace(config, **click.get_current_context().meta.get(SANDBOX_FAULTS, {}))
    warning = exposure_warning(host)
    if warning:
        click.echo(warning, err=True)
    serve(config, echo=click.echo, ready=ready)


from bulkio.cli.options import input_options  # noqa: E402


def _remember(ctx, param, value):
    """Keep a flag for _pipeline_options without widening every command's signature."""
    ctx.meta[f"bulkio.{param.name}"] = value
    return value


def _import_options(function):
    for option in reversed([
        click.option("--dry-run", is_flag=True, help="Read and compare only: say what each row would do, write nothing."),
        click.option("--skip-unchanged", is_flag=True, help="Send nothing for rows that would change nothing in Zoho."),
        click.option("--rate", type=click.IntRange(1), default=100, show_default=True, help="Requests per minute."),
        click.option("--concurrency", type=click.IntRange(1), default=5, show_default=True, help="Requests in flight."),
        click.option("--daily-limit", type=click.IntRange(1), default=1000, show_default=True, help="The plan's daily API calls."),
        click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), help="Journal file (default: <input stem>.journal.sqlite)."),
        click.option("--no-resume", is_flag=True, help="Start afresh instead of resuming from the journal."),
        click.option("--replace-line-items", is_flag=True, help="Allow updates that replace a document's line items."),
        click.option("--resend-unknown", is_flag=True, expose_value=False, callback=_remember,
                     help="Send again rows reported `unknown` (sent, never answered, nothing to check them by) "
                          "once you have checked Zoho does not hold them."),
    ]):
        function = option(function)
    return function


def _pipeline_options(file: Path, inputs, **extra):
    from bulkio.preparing import ImportOptions

    extra.setdefault("resend_unknown", bool(click.get_current_context().meta.get("bulkio.resend_unknown")))
    return ImportOptions(
        path=file, module=inputs.module, key=inputs.key, mode=inputs.mode, mapping=inputs.mapping,
        sheet=inputs.sheet, report=inputs.report, date_format=inputs.date_format,
        decimal_comma=inputs.decimal_comma, clear_marker=inputs.clear_marker, **extra,
    )


def _finish(result) -> None:
    from bulkio.cli.render import problem_lines, summary_lines

    for line in problem_lines(result) + summary_lines(result):
        click.echo(line)
    raise SystemExit(int(result.exit_code))


@cli.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@input_options
@_import_options
@connection_options
def import_command(file: Path, inputs, connection, dry_run, skip_unchanged, rate, concurrency,
                   daily_limit, journal, no_resume, replace_line_items) -> None:
    """Read a CSV/TSV/XLSX file, validate it, write it to Zoho and report on every row.

    Example: bulkio import items.xlsx -m items -k "External ID" --skip-unchanged
    """
    from bulkio.importing import run_import
    from bulkio.preparing import resolve_module
    from bulkio.cli.progress import row_progress

    opts = _pipeline_options(
        file, inputs, dry_run=dry_run, skip_unchanged=skip_unchanged, rate=rate, concurrency=concurrency,
        daily_limit=daily_limit, journal=journal, resume=not no_resume, replace_line_items=replace_line_items,
    )
    if not dry_run:
        _run_state().update(journal=opts.journal_path(), report=opts.report_path())
    client = _client(connection, rate=rate, concurrency=concurrency, daily_limit=daily_limit)
    module = resolve_module(inputs.module, client)

    def on_plan(plan) -> None:
        for line in plan.lines():
            click.echo(line)

    with row_progress() as on_progress:
        result = run_import(opts, client, module, on_plan=on_plan, on_progress=on_progress,
                            on_warning=lambda w: click.echo(f"Warning: {w}", err=True))
    _finish(result)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@input_options
@connection_options
def validate(file: Path, inputs, connection) -> None:
    """Read and check every row as `import` would, without any write call; report every problem.

    Custom fields are fetched from Zoho when a connection is configured.

    Example: bulkio validate items.xlsx -m items -k "External ID"
    """
    from bulkio.validating import module_for_validate, run_validate

    opts = _pipeline_options(file, inputs)
    module, note, client = module_for_validate(inputs.module, lambda: _client(connection),
                                               needs_custom=bool(inputs.key))
    if note:
        click.echo(f"Warning: {note}", err=True)
    _finish(run_validate(opts, module, client=client, on_warning=lambda w: click.echo(f"Warning: {w}", err=True)))


@cli.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("bulkio-demo"),
              show_default=True, help="Folder for the sample copies, reports and export.")
def demo(workdir: Path) -> None:
    """Start a sandbox in-process, import the samples, import them again to show nothing is
    duplicated, export the result, and print where the reports are.

    Example: bulkio demo --dir /tmp/bulkio-demo
    """
    from bulkio.cli.demo import run_demo

    failures = run_demo(workdir, echo=click.echo)
    if failures:
        click.echo(f"{failures} demo step(s) did not end as expected.", err=True)
        raise SystemExit(int(ExitCode.ROWS_FAILED))


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
