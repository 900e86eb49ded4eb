"""The `bulkio` command: `cli` (the click group) and `main` (the console script)."""

from bulkio.cli.group import cli, main

__all__ = ["cli", "main"]
