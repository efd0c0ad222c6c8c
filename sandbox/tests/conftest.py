"""Fixtures for the sandbox's own tests.

`sandbox` and `sandbox_session` come from the pytest plugin `sandbox.testing`
(registered as a pytest11 entry point in sandbox/pyproject.toml).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests

from sandbox.google.clients import ca_requests_session, gmail_service
from sandbox.microsoft.testing import msal_app, sign_in
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


@pytest.fixture
def graph_for(sandbox: RunningSandbox) -> Callable[..., httpx.Client]:
    """Create a Microsoft mailbox, sign in with msal, and return an httpx client on /v1.0."""

    def make(
        address: str, scopes: tuple[str, ...] = ("Mail.ReadWrite", "Mail.Send")
    ) -> httpx.Client:
        sandbox.create_mailbox("microsoft", address)
        app = msal_app(sandbox.base_url, sandbox.ca_path, sandbox.config)
        token = sign_in(app, sandbox.ca_path, address, list(scopes))["access_token"]
        app.http_client.close()
        return httpx.Client(
            base_url=f"{sandbox.base_url}/v1.0",
            verify=ssl.create_default_context(cafile=str(sandbox.ca_path)),
            headers={"Authorization": f"Bearer {token}"},
        )

    return make
