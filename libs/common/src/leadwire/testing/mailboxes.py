"""A connected sandbox mailbox in two lines, through the real oauth service.

    async def test_lead_from_gmail(stack: TestStack, connected_mailbox: MailboxConnector):
        mailbox = await connected_mailbox("google", "sales@acme.test")

The connector starts the oauth service once in the test's stack (its RPC queues carry the
stack's prefix, so `mailbox.token` works for every service in the stack), creates a
client through its admin API, and connects a sandbox mailbox through the real redirects,
as a browser would. `client.changed` and `mailbox.connected` are published on the stack's
exchange like in production.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio

from leadwire.http import ssl_context
from leadwire.testing.services import ServiceUnderTest, TestStack

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class ConnectedMailbox:
    mailbox_id: uuid.UUID
    client_id: uuid.UUID
    client_slug: str
    provider: str
    address: str


class MailboxConnector:
    """Call it to connect a sandbox mailbox: `await connected_mailbox("google", address)`."""

    def __init__(self, stack: TestStack) -> None:
        if stack.sandbox is None:
            raise RuntimeError("connected_mailbox needs the `sandbox` fixture in the test")
        self.stack = stack
        self._oauth: ServiceUnderTest | None = None

    async def oauth(self) -> ServiceUnderTest:
        """The oauth service of this stack, started on first use."""
        if self._oauth is None:
            # Imported here: libs/common must not depend on a service to be imported.
            from leadwire_oauth.main import create_app
            from leadwire_oauth.settings import OAuthSettings

            self._oauth = await self.stack.start(
                create_app,
                OAuthSettings,
                encryption_keys=f"k1:{base64.b64encode(os.urandom(32)).decode()}",
                state_secret="test-state-secret-0123456789abcdef",
                admin_username="admin",
                admin_password=ADMIN_PASSWORD,
            )
        return self._oauth

    async def create_client(self, **fields: Any) -> dict[str, Any]:
        oauth = await self.oauth()
        body = {"name": "Acme", "slug": f"acme-{uuid.uuid4().hex[:8]}", **fields}
        answer = await oauth.http.post("/admin/clients", json=body)
        if answer.status_code != 201:
            raise AssertionError(f"creating a client failed: {answer.status_code} {answer.text}")
        return dict(answer.json())

    async def __call__(
        self,
        provider: str,
        address: str,
        *,
        client_id: uuid.UUID | str | None = None,
        **client_fields: Any,
    ) -> ConnectedMailbox:
        oauth = await self.oauth()
        sandbox = self.stack.sandbox
        if client_id is None:
            client = await self.create_client(**client_fields)
        else:
            client = (await oauth.http.get(f"/admin/clients/{client_id}")).json()
        sandbox.create_mailbox(provider, address, display_name=address.split("@")[0].title())
        started = await oauth.http.post(
            f"/admin/clients/{client['id']}/connect/{provider}", json={"login_hint": address}
        )
        if started.status_code != 200:
            raise AssertionError(f"connect failed: {started.status_code} {started.text}")
        async with httpx.AsyncClient(
            verify=ssl_context(str(sandbox.ca_path)),
            follow_redirects=True,
            timeout=20,
            cookies=started.cookies,
            headers={"Accept": "application/json"},
        ) as browser:
            landed = await browser.get(started.json()["auth_url"])
        if landed.status_code != 200 or not landed.json().get("ok"):
            raise AssertionError(f"OAuth callback failed: {landed.status_code} {landed.text}")
        return ConnectedMailbox(
            mailbox_id=uuid.UUID(landed.json()["mailbox_id"]),
            client_id=uuid.UUID(client["id"]),
            client_slug=client["slug"],
            provider=provider,
            address=address,
        )


@pytest_asyncio.fixture
async def connected_mailbox(stack: TestStack) -> AsyncIterator[MailboxConnector]:
    yield MailboxConnector(stack)
