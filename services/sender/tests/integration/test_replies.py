"""Replies land in the lead's thread at the sandbox, once, with the right headers."""

from __future__ import annotations

from uuid import UUID

import pytest

from leadwire_sender.context import SenderContext
from leadwire_sender.dispatch import drain, send_now
from leadwire_sender.store import outbound as outbound_store
from sandbox.testing import RunningSandbox

from .conftest import MailboxFactory, outbox_events
from .helpers import draft_for, lead_writes, queue

pytestmark = pytest.mark.integration
SALES = "sales@acme.test"


async def test_gmail_reply_joins_the_thread_with_threading_headers(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES, "Jürgen Müller")
    target = lead_writes(sandbox, SALES, "google", cc=["boss@example.org"])
    outbound_id = await queue(ctx, draft_for(target, mailbox_id), client_id)
    assert outbound_id is not None

    assert await send_now(ctx, outbound_id)

    (sent,) = sandbox.sent(SALES)
    assert sent["threadId"] == target.provider_thread_id
    headers = sent["headers"]
    assert headers["Subject"] == "Re: Angebot für Köln?"
    assert headers["In-Reply-To"] == target.rfc_message_id
    assert headers["References"] == target.rfc_message_id
    assert "Jürgen Müller" in headers["From"] and SALES in headers["From"]
    assert "lea@example.org" in headers["To"] and "boss@example.org" in headers["Cc"]
    assert "10 €" in sent["text"] and "<b>10 €</b>" in sent["html"]
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert out.status == "sent"
    assert headers["Message-ID"] == out.rfc_message_id
    (event,) = await outbox_events(ctx.pool, "email.sent")
    assert event["provider_thread_id"] == target.provider_thread_id
    assert event["in_reply_to"] == target.rfc_message_id
    assert event["cc"] == ["boss@example.org"]
    assert event["kind"] == "reply" and event["snippet"].startswith("Thanks for writing")


async def test_graph_reply_uses_create_reply_in_the_conversation(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("microsoft", "sales@contoso.test")
    target = lead_writes(sandbox, "sales@contoso.test", "microsoft")
    outbound_id = await queue(ctx, draft_for(target, mailbox_id), client_id)
    assert outbound_id is not None

    assert await send_now(ctx, outbound_id)

    (sent,) = sandbox.sent("sales@contoso.test")
    assert sent["headers"]["In-Reply-To"] == target.rfc_message_id
    assert "lea@example.org" in sent["headers"]["To"]
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert out.status == "sent"
    assert out.provider_draft_id is not None
    assert sent["headers"]["Message-ID"] == out.rfc_message_id  # the draft's, stored before send
    (event,) = await outbox_events(ctx.pool, "email.sent")
    assert event["provider"] == "microsoft"


async def test_a_form_lead_gets_a_new_thread_from_the_mailbox(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    from leadwire.contracts.leads import ReplyTarget

    mailbox_id, client_id = await mailbox_factory("google", SALES)
    target = ReplyTarget(to_address="form@example.org", to_name="Form Person")
    outbound_id = await queue(ctx, draft_for(target, mailbox_id, subject="Your request"), client_id)
    assert outbound_id is not None
    await drain(ctx)

    (sent,) = sandbox.sent(SALES)
    assert sent["headers"]["Subject"] == "Your request"
    assert not sent["headers"].get("In-Reply-To")
    assert (await outbound_store.get(ctx.pool, outbound_id)).kind == "new_thread"


async def test_a_duplicate_draft_event_sends_once(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    draft = draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id)
    first = await queue(ctx, draft, client_id)
    second = await queue(ctx, draft, client_id)
    assert isinstance(first, UUID) and second is None
    await drain(ctx)
    await drain(ctx)
    assert len(sandbox.sent(SALES)) == 1
    assert len(await outbox_events(ctx.pool, "email.sent")) == 1
