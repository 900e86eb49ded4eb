"""Where the lines for people go: stdout, or stderr when `--json` keeps stdout for one JSON object.

Every command prints its human lines with `say()`; with `--json`, `emit_json()` writes the one
object a script reads on stdout at the end.
"""

from __future__ import annotations

import json

import click

#: ctx.meta key set by --json
JSON_MODE = "bulkio.json"


def json_mode() -> bool:
    """Whether the running command was given --json."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get(JSON_MODE))


def say(line: str = "") -> None:
    """Print a line for people: on stdout, or on stderr under --json."""
    click.echo(line, err=json_mode())


def emit_json(summary: dict) -> None:
    """Write the one summary object --json promises, on stdout."""
    click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str))
