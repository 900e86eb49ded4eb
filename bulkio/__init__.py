"""bulkio: move business records between spreadsheets and Zoho Books / Zoho Inventory.

The Python API (the CLI is a thin shell over it):

    import bulkio
    client = bulkio.connect()                                    # ZOHO_* env vars or the config file
    result = bulkio.run_import(bulkio.ImportOptions(Path("items.csv"), "items", key="cf_sku"), client)
    for row in result.rows:
        print(row.row, row.status, row.record_id, row.message)

Names load when first used, so `import bulkio` (and `bulkio --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from bulkio.errors import (
    ApiError,
    AuthError,
    BulkioError,
    ConfigError,
    ExitCode,
    InputError,
    MappingError,
    OutcomeUnknown,
    QuotaExhausted,
    RateLimitError,
    StoppedError,
)
from bulkio.version import __version__

if TYPE_CHECKING:
    from bulkio.catalogue import Module, load_module
    from bulkio.exporting import ExportResult, export_module
    from bulkio.importing import ImportResult, run_import
    from bulkio.outcomes import RowOutcome, Status
    from bulkio.preparing import ImportOptions, resolve_module
    from bulkio.sheets.report import ReportFiles
    from bulkio.sheets.template import build_template
    from bulkio.validating import run_validate
    from bulkio.zoho.client import ZohoClient
    from bulkio.zoho.connect import connect
    from bulkio.zoho.protocol import Client


_LAZY = {
    "run_import": "bulkio.importing", "ImportResult": "bulkio.importing",
    "run_validate": "bulkio.validating",
    "ImportOptions": "bulkio.preparing", "resolve_module": "bulkio.preparing",
    "export_module": "bulkio.exporting", "ExportResult": "bulkio.exporting",
    "build_template": "bulkio.sheets.template", "ReportFiles": "bulkio.sheets.report",
    "Module": "bulkio.catalogue", "load_module": "bulkio.catalogue",
    "ZohoClient": "bulkio.zoho.client", "connect": "bulkio.zoho.connect", "Client": "bulkio.zoho.protocol",
    "Status": "bulkio.outcomes", "RowOutcome": "bulkio.outcomes",
}

__all__ = [
    "__version__",
    "run_import", "run_validate", "export_module", "build_template",
    "ImportOptions", "ImportResult", "ExportResult", "ReportFiles", "Status", "RowOutcome",
    "connect", "ZohoClient", "Client", "resolve_module", "load_module", "Module",
    "BulkioError", "ConfigError", "InputError", "MappingError", "ApiError", "AuthError", "RateLimitError",
    "QuotaExhausted", "StoppedError", "OutcomeUnknown", "ExitCode",
]


def __getattr__(name: str) -> Any:
    """PEP 562: load the module behind a public name on its first use (pandas and requests
    take longer to import than `bulkio --help` takes to answer)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'bulkio' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
