"""Progress bars for the terminal: tqdm on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def row_progress(desc: str = "rows") -> Iterator:
    """Yields an `on_progress(event)` callback drawing rows done, failed, rate and time left.

    The bar appears with the first row, so the plan printed before it stays readable."""
    bars: list[tqdm] = []

    def on_progress(event) -> None:
        if not bars:
            bars.append(tqdm(total=event.total, desc=desc, unit="row", file=sys.stderr, dynamic_ncols=True,
                             disable=not sys.stderr.isatty()))
        bar = bars[0]
        bar.total = event.total
        bar.n = event.done
        bar.set_postfix(failed=event.failed, per_min=f"{event.rate:.0f}", refresh=False)
        bar.refresh()

    try:
        yield on_progress
    finally:
        for bar in bars:
            bar.close()


@contextmanager
def record_progress(module: str) -> Iterator[Callable[[int], None]]:
    """Yields an `on_progress(done)` callback drawing the records of `module` read so far."""
    with tqdm(desc=f"Reading {module}", unit=" records", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        yield lambda done: bar.update(done - bar.n)
