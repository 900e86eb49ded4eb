"""Why a run stops early (the daily quota used up, access refused, Ctrl-C, Zoho gone silent),
and what a row not sent because of it says."""

from __future__ import annotations

import threading

from bulkio.errors import ApiError, AuthError, QuotaExhausted
from bulkio.run.noanswer import zoho_answered

#: Sends in a row that got no answer and whose record Zoho, checked, did not hold: Zoho has
#: stopped answering writes, and going on would cost minutes per row. The run stops (exit 3).
SILENT_SENDS_STOP = 5

_NOT_SENT = {
    "quota": "not sent: the organisation's daily API quota is used up; run the same command "
             "again after it resets to send this row",
    "interrupted": "not sent: the run was interrupted; run the same command again to send "
                   "this row",
    "auth": "not sent: Zoho refused bulkio's access, so the run stopped before this row",
    "silent": f"not sent: Zoho stopped answering ({SILENT_SENDS_STOP} writes in a row got no answer "
              "and did not arrive), so the run stopped; run the same command again later to "
              "send this row",
}


#: why a run stopped, for a row whose last send got no answer before the stop
_STOPPED_BY = {
    "quota": "the organisation's daily API quota is used up",
    "interrupted": "the run was interrupted",
    "auth": "Zoho refused bulkio's access",
    "silent": "Zoho stopped answering writes",
}


class Stops:
    """One run's stop, shared by its worker threads: `reason` is None until the run stops
    ("quota", "auth", "interrupted" or "silent"); `event` is set by every stop, not only
    Ctrl-C, so that checks waiting out their pauses end too."""

    def __init__(self, event: threading.Event | None = None):
        self.event = event if event is not None else threading.Event()
        self.reason: str | None = None
        self._silent = 0  # sends in a row without answer whose record Zoho did not hold
        self._auth_note = ""  # why Zoho refused access, for the rows not sent (reason "auth")
        self._lock = threading.Lock()

    def stop(self, reason: str) -> None:
        """Stop the run for `reason`; the first reason given stays."""
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self.event.set()

    def heard(self) -> None:
        """A write was answered, or found in Zoho: Zoho is there."""
        with self._lock:
            self._silent = 0

    def unheard(self, exc: Exception) -> None:
        """A send got no answer and Zoho does not hold its record; enough in a row stop the
        run. A 5xx with Zoho's own code is an answer: Zoho is there, only failing."""
        if zoho_answered(exc):
            return
        with self._lock:
            self._silent += 1
            silent = self._silent >= SILENT_SENDS_STOP
        if silent:
            self.stop("silent")

    def stop_for(self, exc: ApiError) -> None:
        """Stop the run for the daily quota used up (QuotaExhausted) or access refused."""
        if isinstance(exc, QuotaExhausted):
            self.stop("quota")
        else:
            self.stop_for_auth(exc)

    def stop_for_auth(self, exc: AuthError) -> None:
        """Stop the run because Zoho refused access; its words go with the rows not sent."""
        with self._lock:
            self._auth_note = self._auth_note or exc.message
        self.stop("auth")

    def halted(self) -> bool:
        """Whether the run has stopped; a set `event` without a reason is an interruption."""
        if self.reason is None and self.event.is_set():
            self.stop("interrupted")
        return self.reason is not None

    def not_sent_reason(self, noun: str, lost: bool = False) -> str:
        """Why a row was not sent (`lost`: sent, but no answer came before the stop); `noun`
        is the module's singular."""
        reason = _NOT_SENT.get(self.reason or "interrupted")
        if self.reason == "auth" and self._auth_note:
            reason = f"{reason}. {self._auth_note}"
        if lost:
            why = _STOPPED_BY.get(self.reason or "interrupted")
            when = " after the quota resets" if self.reason == "quota" else ""
            reason = (f"sent, but no answer came, and the run stopped before Zoho showed the "
                      f"{noun} ({why}); run the same command again{when}: bulkio "
                      "checks Zoho first and sends the row only if Zoho does not hold it")
            if self.reason == "auth" and self._auth_note:
                reason = f"{reason}. {self._auth_note}"
        return reason
