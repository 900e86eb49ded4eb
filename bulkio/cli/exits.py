"""The one place an error becomes an exit code, with the lines the person reads about it.

bulkio's own errors carry their code (errors.ExitCode); an interrupt is 3 (resumable); click's
usage errors are 2; anything else is a bug: 4, with its details in a log, secrets removed.
"""

from __future__ import annotations

import click

from bulkio.cli.jsonsummary import error_object
from bulkio.errors import BulkioError, ExitCode

INTERRUPTED = "Interrupted; run the same command again to resume."


def exit_for(exc: BaseException, state: dict) -> int:
    """Say on stderr what `exc` means and return the exit code it gives. `state` is what the
    running command left for this (its secrets, its journal; run_state)."""
    if isinstance(exc, BulkioError):
        click.echo(f"Error: {exc}", err=True)
        error_object(exc.exit_code, str(exc))
        return int(exc.exit_code)
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        click.echo(INTERRUPTED, err=True)
        error_object(ExitCode.STOPPED, INTERRUPTED)
        return int(ExitCode.STOPPED)
    if isinstance(exc, click.ClickException):
        exc.show()
        error_object(ExitCode.USAGE, exc.format_message())
        return int(ExitCode.USAGE)
    if state.get("traceback"):
        click.echo(_traceback_text(exc, state), err=True)
    else:
        for line in _unexpected(exc, state):
            click.echo(line, err=True)
    error_object(ExitCode.INTERNAL, "unexpected error (a bug in bulkio): its details are on stderr")
    return int(ExitCode.INTERNAL)


def _unexpected(exc: BaseException, state: dict) -> list[str]:
    """What a bug says: the error with secrets scrubbed, where its log is, and that the rows
    already written are safe in the journal."""
    from bulkio.cli.crashlog import (  # only a bug needs it
        error_line,
        run_secrets,
        write_log,
    )

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


def _traceback_text(exc: BaseException, state: dict) -> str:
    """The traceback `--traceback` asks for, with the run's secrets replaced by ***."""
    import traceback

    from bulkio.cli.crashlog import clean, run_secrets

    secrets = run_secrets(state.get("secret_sources", ()))
    return clean("".join(traceback.format_exception(exc)), secrets).rstrip()
