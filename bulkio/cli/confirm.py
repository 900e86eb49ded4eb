"""Asking a person before something that cannot be taken back (a whole day's quota, many records
marked inactive): only on a terminal, never when --yes was given."""

from __future__ import annotations

import sys

import click


def can_ask() -> bool:
    """True when a person at a terminal can answer (stdin and stderr both terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask(question: str, *, assume_yes: bool) -> bool:
    """The person's yes or no to `question`; yes without asking under --yes.

    Call only where can_ask() or assume_yes; the question goes to stderr so stdout stays clean."""
    if assume_yes:
        return True
    return click.confirm(question, default=False, err=True)
