"""The `bulkio` command."""

from bulkio.cli.app import cli, main

__all__ = ["cli", "main"]
