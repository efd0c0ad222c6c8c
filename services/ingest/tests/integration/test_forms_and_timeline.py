"""Form submissions and the timeline read model against Postgres (no broker needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from leadwire.events import DraftCreated, EmailBounced, EmailSent, LeadFlagged
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.form import FormPost
from leadwire_ingest.domain.models import ClientInfo, Mailbox
from leadwire_ingest.forms import submit_form
from leadwire_ingest.settings import IngestSettings
from leadwire_ingest.store import leads
from leadwire_ingest.timeline import record_timeline_event

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def context(pool: asyncpg.Pool) -> IngestContext:
    settings = IngestSettings(jwt_secret="x" * 40, environment="test")
    return IngestContext(get_pool=lambda: pool, providers={}, settings=settings, clock=lambda: NOW)


async def outbox_types(pool: asyncpg.Pool) -> list[str]:
    return [r["type"] for r in await pool.fetch("SELECT type FROM outbox ORDER BY seq")]


async def test_form_posts_dedupe_and_flag(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, _ = acme
    ctx = context(ingest_pool)
    post = FormPost(
        email="ann@customer.example", message="Need a quote", origin="https://acme.example"
    )
    first = await submit_form(ctx, client, post, None)
    again = await submit_form(ctx, client, post, None)
    keyed = [
        await submit_form(ctx, client, FormPost(email="b@x.example", message=m), "k1") for m in "ab"
    ]
    spam = await submit_form(ctx, client, FormPost(email="bot@x.example", honeypot="y"), None)
    assert again.duplicate and again.lead_id == first.lead_id
    assert keyed[1].lead_id == keyed[0].lead_id
    assert spam.flagged
    assert await outbox_types(ingest_pool) == ["lead.received", "lead.received"]
    body = await ingest_pool.fetchval("SELECT body FROM outbox ORDER BY seq LIMIT 1")
    assert body["payload"]["mailbox_id"] == str(client.primary_mailbox_id)
    async with ingest_pool.acquire() as conn:
        flagged = await leads.get_lead(conn, spam.lead_id)
    assert flagged.status == "flagged"


async def test_timeline_events_move_the_status_and_land_on_the_timeline(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    lead = await submit_form(
        context(ingest_pool), client, FormPost(email="c@x.example", message="hi"), None
    )
    events: list[Any] = [
        DraftCreated(
            draft_id=uuid.uuid4(), lead_id=lead.lead_id, subject="Re", body_text="b", model="m"
        ),
        EmailSent(
            outbound_id=uuid.uuid4(),
            lead_id=lead.lead_id,
            mailbox_id=mailbox.mailbox_id,
            provider="google",
            provider_message_id="s1",
            provider_thread_id="t-new",
            rfc_message_id="<s1@acme.test>",
            to_address="c@x.example",
            subject="Re",
            sent_at=NOW,
        ),
        LeadFlagged(lead_id=lead.lead_id, reasons=["asked for a discount"]),
        EmailBounced(
            mailbox_id=mailbox.mailbox_id,
            lead_id=lead.lead_id,
            recipient="c@x.example",
            status="5.1.1",
            received_at=NOW,
        ),
    ]
    async with ingest_pool.acquire() as conn:
        for event in events:
            async with conn.transaction():
                await record_timeline_event(conn, event, client.client_id, NOW)
        found = await leads.get_lead(conn, lead.lead_id)
        timeline = await leads.lead_timeline(conn, lead.lead_id)
        thread_lead = await conn.fetchval(
            "SELECT lead_id FROM lead_threads WHERE provider_thread_id = 't-new'"
        )
    assert found.status == "replied"  # a later flag does not undo the reply
    assert [a.kind for a in timeline] == [
        "form_in",
        "draft_created",
        "email_out",
        "flagged",
        "bounced",
    ]
    assert thread_lead == lead.lead_id  # a reply in the new thread will find this lead


async def test_events_about_unknown_leads_are_kept_on_the_client_timeline(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, _ = acme
    unknown = LeadFlagged(lead_id=uuid.uuid4(), reasons=["x"])
    async with ingest_pool.acquire() as conn, conn.transaction():
        await record_timeline_event(conn, unknown, client.client_id, NOW)
    assert await ingest_pool.fetchval("SELECT count(*) FROM activities WHERE lead_id IS NULL") == 1
