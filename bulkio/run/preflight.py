"""Checks made before the first write: a run that cannot write its report stops before it
sends anything (exit 2 always means nothing was sent), not after every row was written.

The report and its errors file are checked here: the extension, the folder (there, a folder,
writable) and the lock file Excel or LibreOffice keeps beside a file that is open (`~$name`,
`.~lock.name#`), which would make the final move fail. The report writer runs the same checks,
so both say the same thing. The journal and its lock are checked when they are taken
(pipeline._journal), also before the first write.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bulkio.errors import InputError

REPORT_SUFFIXES = (".csv", ".xlsx")


def report_kind(path: str | Path) -> str:
    """"csv" or "xlsx" for a report path; InputError naming the allowed extensions otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in REPORT_SUFFIXES:
        return suffix[1:]
    raise InputError(
        f"The report must be a .csv or .xlsx file, not {path.name!r}. "
        "Pass --report with one of those extensions."
    )


def errors_path(report_path: str | Path) -> Path:
    """The errors file that goes with a report: `<report stem>.errors.<same extension>`."""
    report_path = Path(report_path)
    return report_path.with_name(f"{report_path.stem}.errors{report_path.suffix.lower()}")


def check_report(path: str | Path, *, source: str | Path | None = None,
                 journal: str | Path | None = None) -> None:
    """Refuse (InputError, exit 2) a report path the run could not write at its end: a wrong
    extension, a folder that is a file or cannot be written, the report or its errors file open
    in Excel, or (with `source`) the input file itself; and (with `journal`) a journal that is
    the input, the report or its errors file, which one of them would overwrite.

    Example: check_report(Path("items.report.xlsx"), source=Path("items.xlsx"))
    """
    path = Path(path)
    report_kind(path)
    if source is not None and _same_file(path, Path(source)):
        raise InputError(f"The report {path} is the input file itself: writing it would replace "
                         "your data. Pass --report PATH with another name.")
    if journal is not None:
        _check_journal_apart(Path(journal), path, source)
    _check_target(path, "report")
    errors = errors_path(path)
    # both spellings: the one that is not written this time is removed as stale
    for target in (errors.with_suffix(".csv"), errors.with_suffix(".xlsx")):
        _check_open_elsewhere(target, "errors file")
    _check_folder_writable(path)


def _check_journal_apart(journal: Path, report: Path, source: str | Path | None) -> None:
    """The journal is a file of its own: were it the input, bulkio would write over the data
    (or, with --no-resume, rename it as a damaged journal); were it the report or its errors
    file, the report written at the end would destroy what a resume needs."""
    if source is not None and _same_path(journal, Path(source)):
        raise InputError(f"The journal {journal} is the input file itself: the journal would "
                         "replace your data. Pass --journal PATH with another name, or leave "
                         "--journal out (the journal then goes beside the input).")
    errors = errors_path(report)
    for other, what in ((report, "the report"), (errors.with_suffix(".csv"), "the errors file"),
                        (errors.with_suffix(".xlsx"), "the errors file")):
        if _same_path(journal, other):
            raise InputError(f"The journal {journal} is also {what}: writing {what} at the end "
                             "would destroy the journal a later run resumes from. Pass --journal "
                             "PATH or --report PATH so that they differ.")


def office_lock_files(path: Path) -> tuple[Path, Path]:
    """The files Excel (`~$name`) and LibreOffice (`.~lock.name#`) keep beside an open file."""
    return path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")


def _check_target(path: Path, what: str) -> None:
    if path.is_dir():
        raise InputError(f"Cannot write the {what} {path}: it is a folder. "
                         "Pass --report PATH with a file name.")
    _check_open_elsewhere(path, what)


def _check_open_elsewhere(path: Path, what: str) -> None:
    for lock in office_lock_files(path):
        if lock.exists():
            raise InputError(
                f"The {what} {path} is open in Excel or another spreadsheet program ({lock.name} "
                "is beside it), so it cannot be replaced: close it there and run the same command "
                f"again, or pass --report PATH to write elsewhere. If it is not open, delete {lock}."
            )


def _check_folder_writable(path: Path) -> None:
    """The folder exists (made when missing, as the writer would), is a folder, and takes a
    file: the writer's temporary file, created and removed."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"Cannot write the report {path}: {first_existing(folder)} is a file, not a "
                         "folder. Pass --report PATH to write it elsewhere.") from None
    except OSError as exc:
        raise InputError(f"Cannot write the report {path}: {exc.strerror or exc}. "
                         "Pass --report PATH to write it elsewhere.") from None


def first_existing(folder: Path) -> Path:
    """The nearest of `folder` and its parents that exists: the file in the way when a
    folder cannot be made."""
    return next((p for p in (folder, *folder.parents) if p.exists()), folder)


def _same_path(a: Path, b: Path) -> bool:
    """The same file, whether or not it exists yet (the report is written at the end)."""
    return _same_file(a, b) or a.resolve() == b.resolve()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
