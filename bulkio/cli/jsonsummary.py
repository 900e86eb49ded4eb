"""The one object `--json` prints on stdout at the end of import, validate and export.

Its keys (documented in the README, "Output for scripts"): `command`, `exit_code`, `rows`,
`counts` (status -> rows), `calls` (`reads`, `writes`), `report`, `errors_file`, `stopped`;
export gives `records`, `output` and its `calls` instead of the rows; an error that ends a
command before any result gives `exit_code` and `error` only.
"""

from __future__ import annotations

from bulkio.cli.output import emit_json, json_mode


def result_object(command: str, result, client=None) -> dict:
    """The summary of an import or validate `result` (importing.ImportResult); the calls are
    all `client` made (custom fields, lists, lookups, writes), none without a client."""
    counts = {str(status): n for status, n in result.counts.items() if n}
    files = result.files
    return {
        "command": command,
        "exit_code": int(result.exit_code),
        "rows": sum(counts.values()),
        "counts": counts,
        "calls": {"reads": client.stats.reads if client else 0, "writes": client.stats.writes if client else 0},
        "report": str(files.report) if files else None,
        "errors_file": str(files.errors) if files and files.errors else None,
        "stopped": result.stopped,
    }


def export_object(result) -> dict:
    """The summary of an export (exporting.ExportResult): every call an export makes is a read."""
    return {
        "command": "export",
        "exit_code": 0,
        "records": result.rows,
        "output": str(result.path),
        "calls": {"reads": result.calls, "writes": 0},
    }


def emit_if_json(summary: dict) -> None:
    """Print `summary` on stdout when the command was given --json."""
    if json_mode():
        emit_json(summary)


def error_object(exit_code: int, message: str) -> None:
    """Under --json, the object for a command that ended in an error before its result."""
    emit_if_json({"exit_code": int(exit_code), "error": message})
