"""The sync use case against the sandbox's Graph and real Postgres, without a broker:
subscription + first delta, new mail, an expired deltaLink, a person replying by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from leadwire.http import ssl_context
from leadwire_ingest.context import IngestContext
from leadwire_ingest.providers.base import AuthorizedHttp
from leadwire_ingest.providers.graph import GraphProvider
from leadwire_ingest.settings import IngestSettings
from leadwire_ingest.store import mailboxes
from leadwire_ingest.sync import sync_mailbox
from sandbox.microsoft.testing import msal_app, running_receiver, sign_in

pytestmark = pytest.mark.integration
ADDRESS = "graph@contoso.test"


@pytest_asyncio.fixture
async def graph_ctx(
    sandbox: Any, ingest_pool: asyncpg.Pool
) -> AsyncIterator[tuple[IngestContext, UUID]]:
    sandbox.create_mailbox("microsoft", ADDRESS)
    app = msal_app(
        sandbox.base_url, sandbox.ca_path, sandbox.config, tenant=sandbox.config.microsoft_tenant
    )
    token = sign_in(app, sandbox.ca_path, ADDRESS, ["Mail.ReadWrite", "User.Read"])["access_token"]

    async def access_token(_mailbox_id: UUID, _force: bool) -> str:
        return str(token)

    with running_receiver() as receiver:
        async with httpx.AsyncClient(verify=ssl_context(str(sandbox.ca_path))) as http:
            graph = GraphProvider(
                AuthorizedHttp(http, access_token),
                sandbox.base_url,
                receiver.url,
                receiver.url,
                timedelta(minutes=600),
            )
            settings = IngestSettings(jwt_secret="x" * 40, environment="test")
            ctx = IngestContext(
                get_pool=lambda: ingest_pool, providers={"microsoft": graph}, settings=settings
            )
            mailbox_id = uuid4()
            async with ingest_pool.acquire() as conn:
                await mailboxes.upsert_connected(conn, mailbox_id, uuid4(), "microsoft", ADDRESS)
            yield ctx, mailbox_id


async def published(pool: asyncpg.Pool, event_type: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE type = $1 ORDER BY seq", event_type)
    return [r["body"]["payload"] for r in rows]


async def test_subscribe_sync_expired_delta_and_a_hand_written_reply(
    sandbox: Any, graph_ctx: tuple[IngestContext, UUID]
) -> None:
    ctx, mailbox_id = graph_ctx
    await sync_mailbox(ctx, mailbox_id, "connected")
    async with ctx.pool.acquire() as conn:
        box = await mailboxes.get(conn, mailbox_id)
    assert box.subscription_id and box.client_state_hash and box.delta_link and box.sent_delta_link
    first = sandbox.deliver(
        ADDRESS, **{"from": "a@customer.example", "subject": "Hi", "text": "Quote?"}
    )
    assert await sync_mailbox(ctx, mailbox_id, "notification") == 1
    sandbox.control.post(f"/_sandbox/microsoft/mailboxes/{ADDRESS}/expire-delta").raise_for_status()
    sandbox.deliver(ADDRESS, **{"from": "b@customer.example", "subject": "Hello", "text": "Price?"})
    assert await sync_mailbox(ctx, mailbox_id, "poll") == 1  # restarted delta, old mail deduped
    leads = await published(ctx.pool, "lead.received")
    assert [lead["from_address"] for lead in leads] == ["a@customer.example", "b@customer.example"]
    sandbox.control.post(
        f"/_sandbox/mailboxes/{ADDRESS}/reply", json={"id": first["id"], "text": "Call me"}
    ).raise_for_status()
    await sync_mailbox(ctx, mailbox_id, "poll")
    [by_person] = await published(ctx.pool, "email.sent_by_person")
    assert by_person["lead_id"] == leads[0]["lead_id"]
