"""The sync use case against the sandbox's Gmail and real Postgres, without a broker:
first sync, new mail, history 404, and a cursor that only moves past committed mail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from leadwire.http import ssl_context
from leadwire_ingest.context import IngestContext
from leadwire_ingest.providers.base import AuthorizedHttp
from leadwire_ingest.providers.gmail import GmailProvider
from leadwire_ingest.settings import IngestSettings
from leadwire_ingest.store import mailboxes
from leadwire_ingest.sync import sync_mailbox
from sandbox.testing import google_connect

pytestmark = pytest.mark.integration
ADDRESS = "sync@acme.test"


@pytest_asyncio.fixture
async def gmail_ctx(
    sandbox: Any, ingest_pool: asyncpg.Pool
) -> AsyncIterator[tuple[IngestContext, UUID]]:
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS)["access_token"]

    async def access_token(_mailbox_id: UUID, _force: bool) -> str:
        return str(token)

    async with httpx.AsyncClient(verify=ssl_context(str(sandbox.ca_path))) as http:
        gmail = GmailProvider(
            AuthorizedHttp(http, access_token), sandbox.base_url, "projects/t/topics/g"
        )
        settings = IngestSettings(jwt_secret="x" * 40, environment="test")
        ctx = IngestContext(
            get_pool=lambda: ingest_pool, providers={"google": gmail}, settings=settings
        )
        mailbox_id = uuid4()
        async with ingest_pool.acquire() as conn:
            await mailboxes.upsert_connected(conn, mailbox_id, uuid4(), "google", ADDRESS)
        yield ctx, mailbox_id


async def leads_published(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE type = 'lead.received' ORDER BY seq")
    return [r["body"]["payload"]["from_address"] for r in rows]


def deliver(sandbox: Any, sender: str) -> None:
    sandbox.deliver(ADDRESS, **{"from": sender, "subject": f"hi from {sender}", "text": "hello"})


async def test_connect_then_new_mail_then_history_404_each_lead_once(
    sandbox: Any, gmail_ctx: tuple[IngestContext, UUID]
) -> None:
    ctx, mailbox_id = gmail_ctx
    await sync_mailbox(ctx, mailbox_id, "connected")
    async with ctx.pool.acquire() as conn:
        first = await mailboxes.get(conn, mailbox_id)
    assert first.watch_expires_at is not None and first.history_id
    deliver(sandbox, "a@customer.example")
    assert await sync_mailbox(ctx, mailbox_id, "push") == 1
    assert await sync_mailbox(ctx, mailbox_id, "poll") == 0  # nothing new: no second lead
    sandbox.control.post(f"/_sandbox/google/mailboxes/{ADDRESS}/expire-history").raise_for_status()
    deliver(sandbox, "b@customer.example")
    assert await sync_mailbox(ctx, mailbox_id, "poll") == 1  # found by the bounded resync
    assert await leads_published(ctx.pool) == ["a@customer.example", "b@customer.example"]


async def test_the_cursor_does_not_pass_mail_that_was_not_committed(
    sandbox: Any, gmail_ctx: tuple[IngestContext, UUID]
) -> None:
    ctx, mailbox_id = gmail_ctx
    await sync_mailbox(ctx, mailbox_id, "connected")
    async with ctx.pool.acquire() as conn:
        cursor = (await mailboxes.get(conn, mailbox_id)).history_id
    deliver(sandbox, "c@customer.example")
    rule = sandbox.add_fault(
        path="/gmail/v1/users/me/messages/", method="GET", status=503, count=None
    )
    assert await sync_mailbox(ctx, mailbox_id, "push") == 0
    async with ctx.pool.acquire() as conn:
        failed = await mailboxes.get(conn, mailbox_id)
    assert failed.history_id == cursor
    assert failed.failure_count == 1 and failed.last_error
    sandbox.control.delete(f"/_sandbox/faults/{rule['id']}").raise_for_status()
    assert await sync_mailbox(ctx, mailbox_id, "poll") == 1
    async with ctx.pool.acquire() as conn:
        healed = await mailboxes.get(conn, mailbox_id)
    assert healed.failure_count == 0 and healed.history_id != cursor
    assert await leads_published(ctx.pool) == ["c@customer.example"]


async def test_renewal_renews_a_watch_near_expiry_and_backs_off_when_it_fails(
    sandbox: Any, gmail_ctx: tuple[IngestContext, UUID]
) -> None:
    from datetime import UTC, datetime, timedelta

    from leadwire_ingest.watching import renew_due_watches

    ctx, mailbox_id = gmail_ctx
    await sync_mailbox(ctx, mailbox_id, "connected")
    soon = datetime.now(UTC) + timedelta(hours=1)
    await ctx.pool.execute(
        "UPDATE mailboxes SET watch_expires_at = $1, next_renew_at = now()", soon
    )
    rule = sandbox.add_fault(path="/gmail/v1/users/me/watch", status=403, count=1)
    await renew_due_watches(ctx)
    async with ctx.pool.acquire() as conn:
        failed = await mailboxes.get(conn, mailbox_id)
    assert failed.renew_failures == 1 and failed.watch_expires_at == soon
    assert failed.next_renew_at is not None and failed.next_renew_at > datetime.now(UTC)
    sandbox.control.delete(f"/_sandbox/faults/{rule['id']}")
    await ctx.pool.execute("UPDATE mailboxes SET next_renew_at = now()")
    await renew_due_watches(ctx)
    async with ctx.pool.acquire() as conn:
        renewed = await mailboxes.get(conn, mailbox_id)
    assert renewed.renew_failures == 0
    assert renewed.watch_expires_at and renewed.watch_expires_at > datetime.now(UTC) + timedelta(
        days=6
    )


async def test_the_poll_job_queues_one_sync_per_due_mailbox_and_reschedules_it(
    gmail_ctx: tuple[IngestContext, UUID],
) -> None:
    from leadwire_ingest.polling import poll_due_mailboxes

    ctx, mailbox_id = gmail_ctx
    await poll_due_mailboxes(ctx)
    await poll_due_mailboxes(ctx)  # not due again until the interval has passed
    rows = await ctx.pool.fetch("SELECT body FROM outbox WHERE type = 'mailbox.sync_requested'")
    assert [r["body"]["payload"]["reason"] for r in rows] == ["poll"]
    assert rows[0]["body"]["payload"]["mailbox_id"] == str(mailbox_id)
