"""What a running command leaves for the error handler (exits.exit_for): the secrets to scrub
from an unexpected error, and the journal and report of an import."""

from __future__ import annotations

import click

from bulkio.cli.options import ConnectionOptions, build_client


def run_state() -> dict:
    """The running command's state, kept on the root click context."""
    return click.get_current_context().find_root().ensure_object(dict)


def connect(connection: ConnectionOptions, **limits):
    """build_client, with the client's secrets (the live access token too) remembered for
    scrubbing an unexpected error.

    Example: client = connect(connection, rate=100, daily_limit=1000)
    """
    client = build_client(connection, **limits)
    run_state().setdefault("secret_sources", []).append(client)
    return client
