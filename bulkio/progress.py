"""Progress bars for the terminal: tqdm on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from tqdm import tqdm


@contextmanager
def row_progress(total: int, desc: str = "rows") -> Iterator:
    """Yields an `on_progress(event)` callback drawing rows done, failed, rate and time left."""
    bar = tqdm(total=total, desc=desc, unit="row", file=sys.stderr, disable=not sys.stderr.isatty(),
               dynamic_ncols=True, leave=True)

    def on_progress(event) -> None:
        bar.total = event.total
        bar.n = event.done
        bar.set_postfix(failed=event.failed, per_min=f"{event.rate:.0f}", refresh=False)
        bar.refresh()

    try:
        yield on_progress
    finally:
        bar.close()
