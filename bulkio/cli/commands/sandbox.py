"""`bulkio sandbox` (a local Zoho Books API for trying bulkio) and `bulkio demo` (a tour on it)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from bulkio.errors import ExitCode

SANDBOX_FAULTS = "bulkio.sandbox_faults"


def _keep_sandbox_fault(ctx, param, value):
    """Keep a fault option of `sandbox` for its SandboxConfig without widening its signature."""
    if value is not None:
        ctx.meta.setdefault(SANDBOX_FAULTS, {})[param.name] = value
    return value


@click.command()
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


@click.command()
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
