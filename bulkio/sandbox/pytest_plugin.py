"""pytest fixtures: `sandbox` (a fresh sandbox per test, limits generous enough for tests) and
`sandbox_factory` (build sandboxes with any SandboxConfig fields; all stopped at teardown).

A test pins the `sandbox` fixture to other SandboxConfig fields with a marker:

    @pytest.mark.sandbox_config(field_metadata="full")
    def test_something(sandbox): ...
"""

from __future__ import annotations

import pytest

from bulkio.sandbox import Sandbox, SandboxConfig

TEST_DEFAULTS = {"rate_limit": 100000, "max_concurrent": 100, "daily_limit": 10**9}


def pytest_configure(config):
    config.addinivalue_line("markers", "sandbox_config(**fields): SandboxConfig fields of the `sandbox` fixture")


@pytest.fixture
def sandbox_factory():
    """Call with SandboxConfig fields (test-friendly limits unless given); returns a started Sandbox."""
    started: list[Sandbox] = []

    def make(**fields) -> Sandbox:
        sandbox = Sandbox(SandboxConfig(**{**TEST_DEFAULTS, **fields})).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(request, sandbox_factory) -> Sandbox:
    """A fresh sandbox for one test, with the fields of its `sandbox_config` marker."""
    marker = request.node.get_closest_marker("sandbox_config")
    return sandbox_factory(**(marker.kwargs if marker else {}))
