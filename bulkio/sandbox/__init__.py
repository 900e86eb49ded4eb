"""A local, faithful Zoho Books / Inventory API for tests, demos and benchmarks (stdlib only).

    from bulkio.sandbox import Sandbox, SandboxConfig
    with Sandbox(SandboxConfig(rate_limit=1000)) as sb:
        ...
"""

from .app import Sandbox, serve
from .config import SandboxConfig
from .stats import Stats

__all__ = ["Sandbox", "SandboxConfig", "Stats", "serve"]
