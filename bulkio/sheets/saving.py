"""A file written whole or not at all, and the one error for a file bulkio cannot write.

Every file bulkio writes (report, errors file, export, template) goes to a temporary file beside
its target and is moved into place at the end: a crash or a full disk never leaves half a file,
the old file stays as it was, and the move is a rename on the same disk. Whether the target can
be written at all (its folder, a lock file of Excel beside it) is checked before the run starts,
by bulkio.run.preflight; this module only says so when the write itself fails.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bulkio.errors import ConfigError, InputError

REPORT = "--report"
OUTPUT = "-o"
_MESSAGES = {
    REPORT: "Cannot write the report {path}: {reason}. Pass --report PATH to write it elsewhere.",
    OUTPUT: "-o {path}: cannot write it ({reason})",
}


class CannotWrite(ConfigError, InputError):
    """A file cannot be written: a read-only folder, a full disk, a file open in Excel (Windows
    locks it). Exit 2, no traceback. It is both a ConfigError (what `-o` targets raised) and an
    InputError (what the report raised), so code catching either still catches it.

    `option` is the command-line option that named the file (`-o` or `--report`): the message
    says which one to change.
    """

    def __init__(self, path: str | Path, error: OSError, option: str = OUTPUT):
        self.path = Path(path)
        super().__init__(_MESSAGES[option].format(path=path, reason=error.strerror or error))


@contextmanager
def writing(path: str | Path, option: str = OUTPUT) -> Iterator[None]:
    """Turn an OSError raised inside the block into CannotWrite for `path`."""
    try:
        yield
    except OSError as error:
        raise CannotWrite(path, error, option) from None


class AtomicFile:
    """An empty temporary file beside `path` that replaces `path` at `commit` (or is removed by
    `discard`). As a context manager: the temporary path, committed when the block ends without
    an error and discarded when it raises.

    Example:
        with AtomicFile(Path("items.xlsx")) as temporary:
            book.save(temporary)
    """

    def __init__(self, path: str | Path, option: str = OUTPUT):
        self.path = Path(path)
        self.option = option
        with writing(self.path, option):
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=self.path.suffix,
                                            dir=self.path.parent)
            os.close(handle)
        self.temporary = Path(name)

    def commit(self) -> None:
        """Move the temporary file into place; on failure it is removed and CannotWrite raised."""
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.discard()
            raise CannotWrite(self.path, error, self.option) from None

    def discard(self) -> None:
        """Remove the temporary file (nothing once committed); the target stays as it was."""
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        return self.temporary

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
