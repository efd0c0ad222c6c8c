"""Starting ingest in a test stack against the sandbox, and waiting for its state."""

from __future__ import annotations

import asyncio
from typing import Any

from leadwire.testing import ConnectedMailbox, MailboxConnector, ServiceUnderTest, TestStack
from leadwire_ingest.main import create_app
from leadwire_ingest.settings import IngestSettings


async def start_ingest(stack: TestStack, sandbox: Any, **overrides: Any) -> ServiceUnderTest:
    return await stack.start(
        create_app,
        IngestSettings,
        google_certs_url=f"{sandbox.base_url}/oauth2/v1/certs",
        gmail_pubsub_topic="projects/leadwire-test/topics/gmail",
        **overrides,
    )


def route_push_to(sandbox: Any, ingest: ServiceUnderTest, address: str, **extra: Any) -> None:
    """Point the sandbox's Pub/Sub push for this Gmail address at ingest's webhook."""
    endpoint = f"{ingest.url}/webhooks/gmail/push"
    body = {"enabled": True, "endpoint": endpoint, **extra}
    sandbox.control.post(f"/_sandbox/google/mailboxes/{address}/push", json=body).raise_for_status()


async def sync_state(ingest: ServiceUnderTest, mailbox_id: Any) -> dict[str, Any]:
    answer = await ingest.http.get(f"/admin/mailboxes/{mailbox_id}/sync")
    answer.raise_for_status()
    return dict(answer.json())


async def wait_watching(
    ingest: ServiceUnderTest, mailbox_id: Any, within: float = 15.0
) -> dict[str, Any]:
    """Until ingest has watched/subscribed the mailbox and done its first sync."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        answer = await ingest.http.get(f"/admin/mailboxes/{mailbox_id}/sync")
        if answer.status_code == 200:
            state = dict(answer.json())
            if state["watch_expires_at"] and state["last_sync_at"]:
                return state
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"mailbox {mailbox_id} not watched within {within}s: {answer.text}"
            )
        await asyncio.sleep(0.05)


async def connect(
    stack: TestStack,
    sandbox: Any,
    connected_mailbox: MailboxConnector,
    provider: str,
    address: str,
    **client_fields: Any,
) -> tuple[ServiceUnderTest, ConnectedMailbox]:
    """Ingest running, a connected mailbox it watches (Gmail pushes routed to it)."""
    ingest = await start_ingest(stack, sandbox)
    mailbox = await connected_mailbox(provider, address, **client_fields)
    if provider == "google":
        route_push_to(sandbox, ingest, address)
    await wait_watching(ingest, mailbox.mailbox_id)
    return ingest, mailbox
