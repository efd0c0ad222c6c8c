"""Per-mailbox budgets across drains, follow-ups in the thread, and stopping a lead."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from leadwire.contracts.clients import ClientChanged, FollowUpSequence
from leadwire_sender.context import BudgetPolicies, SenderContext
from leadwire_sender.dispatch import drain
from leadwire_sender.domain.budget import BudgetPolicy
from leadwire_sender.intake import apply_client, stop_lead
from leadwire_sender.store import content as content_store
from leadwire_sender.store import follow_ups as follow_up_store
from leadwire_sender.store import outbound as outbound_store
from sandbox.testing import RunningSandbox

from .conftest import MailboxFactory, outbox_events
from .helpers import draft_for, lead_writes, queue

pytestmark = pytest.mark.integration
SALES = "sales@acme.test"


@pytest.mark.parametrize(
    ("burst", "max_concurrent", "granted"),
    [(3, 10, 3), (8, 4, 4)],  # bounded by the bucket, then by concurrent calls
)
async def test_one_claim_grants_no_more_than_the_budget_allows(
    ctx: SenderContext,
    sandbox: RunningSandbox,
    mailbox_factory: MailboxFactory,
    burst: int,
    max_concurrent: int,
    granted: int,
) -> None:
    policy = BudgetPolicy(1.0, burst, daily_cap=100, max_concurrent=max_concurrent)
    ctx.budgets = BudgetPolicies(policy, policy, policy)
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    for _ in range(granted + 3):
        await queue(ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id)

    before = datetime.now(UTC)
    await drain(ctx, max_rounds=1)

    assert len(sandbox.sent(SALES)) == granted
    waiting = await ctx.pool.fetch("SELECT due_at FROM outbound_messages WHERE status = 'queued'")
    assert len(waiting) == 3
    assert all(row["due_at"] > before for row in waiting)  # postponed, not dropped


async def _client_with_follow_ups(
    ctx: SenderContext, client_id: object, template_id: UUID | None = None
) -> None:
    async with ctx.pool.acquire() as conn:
        await apply_client(
            conn,
            ClientChanged(
                client_id=client_id,
                slug="acme",
                name="Acme",
                revision=1,
                follow_up=FollowUpSequence(
                    enabled=True, delays_business_days=[2, 5], template_id=template_id
                ),
            ),
        )


async def _reply_and_schedule(
    ctx: SenderContext,
    sandbox: RunningSandbox,
    mailbox_factory: MailboxFactory,
    provider: str = "google",
    address: str = SALES,
) -> tuple[object, object]:
    mailbox_id, client_id = await mailbox_factory(provider, address)
    await _client_with_follow_ups(ctx, client_id)
    draft = draft_for(lead_writes(sandbox, address, provider), mailbox_id)
    outbound_id = await queue(ctx, draft, client_id)
    await drain(ctx)
    return draft.lead_id, outbound_id


@pytest.mark.parametrize(
    ("provider", "address"), [("google", SALES), ("microsoft", "sales@contoso.test")]
)
async def test_a_follow_up_is_sent_in_the_same_thread_when_due(
    ctx: SenderContext,
    sandbox: RunningSandbox,
    mailbox_factory: MailboxFactory,
    provider: str,
    address: str,
) -> None:
    lead_id, reply_id = await _reply_and_schedule(ctx, sandbox, mailbox_factory, provider, address)
    assert await follow_up_store.get_status(ctx.pool, lead_id) == ("scheduled", 0)  # type: ignore[arg-type]
    assert await drain(ctx) == 0  # two business days away

    await ctx.pool.execute("UPDATE follow_ups SET due_at = now() - interval '1 second'")
    await drain(ctx)

    reply, follow_up = sandbox.sent(address)
    assert follow_up["threadId"] == reply["threadId"]
    assert "lea@example.org" in follow_up["headers"]["To"]
    assert follow_up["headers"]["In-Reply-To"] == reply["headers"]["Message-ID"]
    assert follow_up["headers"]["Subject"] == reply["headers"]["Subject"]
    assert follow_up["text"].startswith("Just following up")
    kinds = [e["kind"] for e in await outbox_events(ctx.pool, "email.sent")]
    assert kinds == ["reply", "follow_up"]
    assert await follow_up_store.get_status(ctx.pool, lead_id) == ("scheduled", 1)  # type: ignore[arg-type]
    assert reply_id is not None


@pytest.mark.parametrize("reason", ["lead_replied", "answered_by_person", "bounced"])
async def test_a_stopped_lead_gets_no_follow_up(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory, reason: str
) -> None:
    lead_id, _ = await _reply_and_schedule(ctx, sandbox, mailbox_factory)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await stop_lead(conn, lead_id, reason)  # type: ignore[arg-type]

    await ctx.pool.execute("UPDATE follow_ups SET due_at = now() - interval '1 second'")
    await drain(ctx)

    assert len(sandbox.sent(SALES)) == 1
    assert await follow_up_store.get_status(ctx.pool, lead_id) == ("cancelled", 0)  # type: ignore[arg-type]


async def test_a_queued_reply_to_a_lead_a_person_answered_is_cancelled(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    draft = draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id)
    outbound_id = await queue(ctx, draft, client_id)
    assert outbound_id is not None
    async with ctx.pool.acquire() as conn, conn.transaction():
        await stop_lead(conn, draft.lead_id, "answered_by_person")
    later = draft_for(draft.reply_to, mailbox_id, lead_id=draft.lead_id, draft_id=uuid4())
    assert await queue(ctx, later, client_id) is None  # stored as cancelled at once

    await drain(ctx)

    assert sandbox.sent(SALES) == []
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert (out.status, out.error_code) == ("cancelled", "answered_by_person")


async def test_a_follow_up_uses_the_client_template(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    template_id = uuid4()
    now = datetime.now(UTC)
    await content_store.insert_template(
        ctx.pool,
        content_store.TemplateRow(
            template_id, client_id, "nudge", "unused", "Hallo {{ name }}, Nachricht {{ step }}.",
            "", now, now,
        ),
    )  # fmt: skip
    await _client_with_follow_ups(ctx, client_id, template_id)
    await queue(ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id)
    await drain(ctx)

    await ctx.pool.execute("UPDATE follow_ups SET due_at = now() - interval '1 second'")
    await drain(ctx)

    _, follow_up = sandbox.sent(SALES)
    assert follow_up["text"].strip() == "Hallo Léa Lefèvre, Nachricht 1."
