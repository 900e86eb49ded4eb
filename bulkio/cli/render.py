"""What the CLI prints after a run: counts per status, where the report is, what to do next."""

from __future__ import annotations

from bulkio.outcomes import Status, is_problem
from bulkio.sheets.report import unknown_note

MAX_PROBLEMS = 50


def problem_lines(result, limit: int = MAX_PROBLEMS) -> list[str]:
    """One line per row that needs fixing, with its row number; the rest are in the report."""
    bad = [r for r in result.rows if is_problem(r.status)][:limit]
    lines = [f"Row {r.row} [{r.error_code}] {r.message}" for r in bad]
    # counted, not listed: a large file's result keeps only its first problem rows
    more = sum(n for s, n in result.counts.items() if is_problem(s)) - len(bad)
    if more > 0:
        lines.append(f"... and {more} more rows in the report")
    return lines


def summary_lines(result) -> list[str]:
    """A few lines a person reads after `import` or `validate`."""
    counts = result.counts
    # Status lists its members in screen order; a word that is no status follows, sorted
    parts = [f"{counts[s]} {s}" for s in Status if counts.get(s)]
    known = set(Status)
    parts += [f"{n} {s}" for s, n in sorted(counts.items()) if s not in known]
    lines = [f"Rows: {sum(counts.values())} ({', '.join(parts) or 'none'})"]
    if result.files:
        lines.append(f"Report: {result.files.report}")
        if result.files.errors:
            lines.append(f"Rows to fix: {result.files.errors} (fix them and import that file again)")
    if counts.get(Status.UNKNOWN):
        lines.append(f"Check in Zoho: {unknown_note(counts[Status.UNKNOWN])}")
    if result.stopped == "quota":
        lines.append("Stopped: the daily API quota is used up. Run the same command again after it resets.")
    elif result.stopped == "interrupted":
        lines.append("Stopped: interrupted. Run the same command again to resume.")
    elif result.stopped == "auth":
        lines.append(f"Stopped: {_auth_advice(result)}")
    elif result.stopped == "silent":
        lines.append("Stopped: Zoho stopped answering writes (several in a row got no answer and did "
                     "not arrive). Zoho may be down, or something between you and Zoho blocks the "
                     "calls. Run the same command again later: writes that got no answer are "
                     "checked in Zoho first, so nothing is sent twice.")
    return lines


def _auth_advice(result) -> str:
    """Why Zoho refused access and what to do, as the runner put it on the rows not sent
    ("not sent: <why the run stopped>. <Zoho's refusal and the scopes to grant>")."""
    note = next((r.message for r in result.rows if r.status == Status.SKIPPED and ". " in r.message), "")
    return (note.split(". ", 1)[1] if note
            else "Zoho refused bulkio's access. Run the same command again once the credentials work.")


def export_line(result) -> str:
    """What `export` says when it has written the file."""
    records = "record" if result.rows == 1 else "records"
    calls = "API call" if result.calls == 1 else "API calls"
    return f"Exported {result.rows} {records} to {result.path} ({result.calls} {calls})."
