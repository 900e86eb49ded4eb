"""What every stand-in for the Zoho client has (bulkio.zoho.protocol.Client): settings, stats, quota.

A test's double subclasses ClientDouble and adds only the calls its test makes.
"""

from __future__ import annotations

from bulkio.settings import ConnectionSettings
from bulkio.zoho.transport import ClientStats

STAND_IN = ConnectionSettings("stand-in-org", "http://127.0.0.1:9/books/v3", "http://127.0.0.1:9",
                              access_token="unused")


class ClientDouble:
    """The client's attributes, as a fresh client has them: no calls made, no quota known."""

    quota = None

    def __init__(self, settings: ConnectionSettings = STAND_IN):
        self.settings = settings
        self.stats = ClientStats()
