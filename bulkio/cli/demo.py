"""`bulkio demo`: a sandbox in-process, the samples imported twice, an export, the reports' paths.

It shows a new user the whole round trip without a Zoho account: validation errors with their
rows, a first import that creates, a second that sends nothing, and an export that imports back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bulkio.cli.render import export_line, problem_lines, summary_lines
from bulkio.exporting import export_module
from bulkio.importing import run_import
from bulkio.preparing import ImportOptions, resolve_module
from bulkio.sandbox.seed import add_custom_fields_from
from bulkio.settings import ConnectionSettings
from bulkio.validating import run_validate
from bulkio.zoho.client import ZohoClient

# The demo's own sandbox: Zoho's per-minute limit would make a one-minute demo take five.
DEMO_RATE = 3000
SAMPLE_FILES = ("items.xlsx", "items.csv", "contacts.csv", "invoices.xlsx", "items-with-errors.csv",
                "custom_fields.toml")


@dataclass(frozen=True)
class DemoStep:
    title: str
    path: str
    module: str
    key: str | None = None
    skip_unchanged: bool = False
    validate_only: bool = False


STEPS = (
    DemoStep("Check a file with deliberate mistakes (no write call)", "items-with-errors.csv", "items",
             "External ID", validate_only=True),
    DemoStep("Import the catalogue", "items.xlsx", "items", "External ID"),
    DemoStep("Import the contacts", "contacts.csv", "contacts", "External ID"),
    DemoStep("Import the invoices (several rows per invoice, names instead of ids)", "invoices.xlsx",
             "invoices", "Legacy Number"),
    DemoStep("Import the catalogue again, comparing with Zoho instead of the journal: nothing is sent",
             "items.xlsx", "items", "External ID", skip_unchanged=True),
    DemoStep("Import the contacts again", "contacts.csv", "contacts", "External ID", skip_unchanged=True),
    DemoStep("Import the invoices again", "invoices.xlsx", "invoices", "Legacy Number", skip_unchanged=True),
)


def samples_dir() -> Path:
    """The sample files, in an installed copy (`bulkio.samples`) or a source checkout."""
    try:
        found = Path(str(resources.files("bulkio.samples")))
        if (found / "items.csv").is_file():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "samples"


def run_demo(workdir: Path, echo: Callable[[str], None] = print, **sandbox_options) -> int:
    """Run every step against a fresh in-process sandbox; returns the number of steps that failed.
    `sandbox_options` are further SandboxConfig fields (field_metadata="documented", say)."""
    from bulkio.sandbox import Sandbox, SandboxConfig

    workdir = _fresh_copy(workdir)
    config = SandboxConfig(rate_limit=DEMO_RATE, max_concurrent=10, daily_limit=100_000, **sandbox_options)
    with Sandbox(config) as sandbox:
        add_custom_fields_from(sandbox, workdir / "custom_fields.toml")
        client = ZohoClient(_settings(sandbox))
        echo(f"Sandbox running at {sandbox.api_url('books')} (limits raised to {DEMO_RATE}/min for the demo)")
        echo(f"Working in {workdir}")
        failures = sum(_step(step, client, workdir, echo) for step in STEPS)
        echo("")
        echo("== Export the catalogue to Excel (it imports back unchanged)")
        result = export_module(client, resolve_module("items", client), workdir / "items-export.xlsx")
        echo(export_line(result))
        echo("")
        stats = client.stats
        echo(f"API calls: {stats.reads} reads, {stats.writes} writes, {stats.retries} retries, "
             f"{sum(stats.rate_limited.values())} answers of 429")
    echo(f"Reports and exports are in {workdir}")
    return failures


def _step(step: DemoStep, client, workdir: Path, echo) -> int:
    echo("")
    echo(f"== {step.title}: bulkio {'validate' if step.validate_only else 'import'} {step.path} -m {step.module}"
         + (f' -k "{step.key}"' if step.key else "") + (" --skip-unchanged" if step.skip_unchanged else ""))
    module = resolve_module(step.module, client)
    opts = ImportOptions(path=workdir / step.path, module=step.module, key=step.key,
                         skip_unchanged=step.skip_unchanged, resume=not step.skip_unchanged, rate=DEMO_RATE,
                         concurrency=5,
                         daily_limit=100_000)
    def warn(text: str) -> None:
        echo(f"Warning: {text}")

    if step.validate_only:
        result = run_validate(opts, module, on_warning=warn)
    else:
        result = run_import(opts, client, module, on_warning=warn,
                            on_plan=lambda plan: [echo(line) for line in plan.lines()])
    for line in problem_lines(result, limit=10) + summary_lines(result):
        echo(line)
    expected_bad = step.validate_only
    return int(bool(result.exit_code) != expected_bad)


def _fresh_copy(workdir: Path) -> Path:
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    source = samples_dir()
    for name in SAMPLE_FILES:
        shutil.copyfile(source / name, workdir / name)
    for stale in workdir.glob("*.journal.sqlite*"):
        stale.unlink()
    return workdir


def _settings(sandbox) -> ConnectionSettings:
    return ConnectionSettings(
        organization_id=sandbox.org_id,
        api_url=sandbox.api_url("books"),
        accounts_url=sandbox.accounts_url,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        refresh_token=sandbox.refresh_token,
        rate_per_minute=DEMO_RATE,
        max_in_flight=5,
        daily_limit=100_000,
    )
