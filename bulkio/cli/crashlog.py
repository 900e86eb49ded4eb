"""What bulkio says and keeps when it fails unexpectedly (a bug, exit 4).

The person sees one line with the error, secrets replaced by ***; the traceback goes to a log
file they can attach to a bug report: owner-only, in the state directory (memory.state_dir()),
scrubbed of every secret the run knew (the settings' and the live access token), so sending it
sends no credential.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from bulkio.run.memory import state_dir
from bulkio.version import __version__
from bulkio.zoho.session import scrub

LOG_FOLDER = "logs"
MAX_LINE = 300
MIN_PIECE = 4  # a line of a secret shorter than this says nothing of it
#: Secrets that may be set even when the run failed before it built a client.
SECRET_ENV = ("ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_ACCESS_TOKEN")


def run_secrets(sources: Iterable = ()) -> list[str]:
    """The secret values a run knows: the environment's, and those of each source (a
    ZohoClient, its settings, or anything with `secrets()`), the live access token included."""
    found = [os.environ.get(name, "") for name in SECRET_ENV]
    for source in sources:
        # ZohoClient keeps its settings' and its token's secrets together in `_secrets`
        values = getattr(source, "_secrets", None) or getattr(source, "secrets", None)
        try:
            found += list(values()) if callable(values) else []
        except Exception:  # a failing source must not hide the error being reported
            continue
    spelled = {form for secret in found if secret for form in _spellings(secret)}
    # longest first: a secret that contains another is replaced whole
    return sorted(spelled, key=len, reverse=True)


def _spellings(secret: str) -> list[str]:
    """A secret and, when it holds a line break, each line of it on its own (an error's first
    line shows only the first); session.scrub matches each in every way it can be echoed."""
    lines = secret.splitlines()
    return [secret] + ([line for line in lines if len(line) >= MIN_PIECE] if len(lines) > 1 else [])


def error_line(exc: BaseException, secrets: Iterable[str]) -> str:
    """"ValueError: ..." cut to one line, every secret replaced by *** before it is cut (a
    secret with a line break in it would otherwise show its first half)."""
    text = clean(str(exc), secrets)
    first = text.splitlines()[0] if text.strip() else ""
    return f"{type(exc).__name__}: {first[:MAX_LINE]}" if first else type(exc).__name__


def clean(text: str, secrets: Iterable[str]) -> str:
    """`text` whole, with every secret replaced by ***."""
    return scrub(text, list(secrets), limit=max(len(text) * 4, 1))


def write_log(exc: BaseException, secrets: Iterable[str], argv: list[str] | None = None,
              directory: Path | None = None) -> Path:
    """Write the scrubbed traceback of `exc` to a new owner-only file in `directory` (default
    <state dir>/logs) and return its path; OSError when it cannot be written.

    Example: write_log(exc, run_secrets([client]))  # -> ~/.local/state/bulkio/logs/error-....log
    """
    secrets = list(secrets)
    folder = (directory or state_dir()) / LOG_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"error-{stamp}-{os.getpid()}.log"
    text = "\n".join([
        f"bulkio {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"command: {' '.join(argv if argv is not None else sys.argv)}",
        "",
        "".join(traceback.format_exception(exc)),
    ])
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(clean(text, secrets))
    return path
