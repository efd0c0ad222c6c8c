"""Fixtures for the sandbox's own tests.

`sandbox` and `sandbox_session` come from the pytest plugin `sandbox.testing`
(registered as a pytest11 entry point in sandbox/pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from sandbox.google.clients import ca_requests_session, gmail_service
from sandbox.testing import RunningSandbox, google_connect


@pytest.fixture
def ca_session(sandbox: RunningSandbox) -> requests.Session:
    return ca_requests_session(sandbox)


@pytest.fixture
def gmail_account(sandbox: RunningSandbox) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """Create a Google mailbox, connect it, and return (gmail service, token answer)."""

    def make(address: str = "owner@acme.test", **options: Any) -> tuple[Any, dict[str, Any]]:
        sandbox.create_mailbox("google", address, display_name="Owner Acme", **options)
        token = google_connect(sandbox, address)
        return gmail_service(sandbox, token), token

    return make
