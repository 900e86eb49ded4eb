"""What bulkio asks of a Zoho client: the `Client` protocol that `ZohoClient` satisfies.

The layers above the HTTP code (lookups, the runner, import, validate, export) take any object
with these attributes and calls, so a test can hand them a stand-in that wraps or replaces the
real client, and nobody needs to probe a client for what it has.

Example:
    def reads_so_far(client: Client) -> int:
        return client.stats.reads
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # the client module loads requests; typing needs only the names
    from bulkio.catalogue import Module
    from bulkio.settings import ConnectionSettings
    from bulkio.zoho.client import WriteResult
    from bulkio.zoho.limiter import QuotaInfo
    from bulkio.zoho.transport import ClientStats


@runtime_checkable
class Client(Protocol):
    """A connection to one Zoho organisation. `module` arguments are `Module` objects or names."""

    settings: ConnectionSettings  # the organisation, its API root and the run's limits
    stats: ClientStats            # the calls made so far

    @property
    def quota(self) -> QuotaInfo | None:
        """The daily budget left, as far as the client knows it."""

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The answer of a GET call."""

    def iter_records(self, module: Module | str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every record a list call gives, page after page."""

    def get_record(self, module: Module | str, record_id: str) -> dict[str, Any]:
        """One record, whole (with its line items and custom fields)."""

    def item_details(self, item_ids: list[str]) -> list[dict[str, Any]]:
        """Several items' whole records in one call."""

    def find_by_name(self, module: Module | str, name: str) -> list[dict[str, Any]]:
        """The records whose name is `name`."""

    def custom_fields(self, entity: str) -> list[dict[str, Any]]:
        """The organisation's custom fields of an entity."""

    def create(self, module: Module | str, payload: Mapping[str, Any]) -> WriteResult:
        """Create one record."""

    def update(self, module: Module | str, record_id: str, payload: Mapping[str, Any]) -> WriteResult:
        """Update one record by its id."""

    def upsert(self, module: Module | str, key_api_name: str, key_value: str, payload: Mapping[str, Any],
               create: bool = True) -> WriteResult:
        """Update the record whose unique custom field holds `key_value`, or create it."""

    def mark_inactive(self, module: Module, record_id: str) -> None:
        """Mark one record inactive (module.inactive_path)."""
