"""Provider failures: retried, refreshed, or failed once; never a second email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadwire_sender.context import SenderContext
from leadwire_sender.dispatch import drain, send_now
from leadwire_sender.domain.mime import Mailbox, OutgoingEmail
from leadwire_sender.providers.base import ThreadTarget
from leadwire_sender.store import outbound as outbound_store
from sandbox.testing import RunningSandbox

from .conftest import MailboxFactory, SandboxTokens, outbox_events
from .helpers import draft_for, lead_writes, queue

pytestmark = pytest.mark.integration
SALES = "sales@acme.test"
SEND_PATH = "/gmail/v1/users/me/messages/send"


async def _make_due(ctx: SenderContext) -> None:
    await ctx.pool.execute("UPDATE outbound_messages SET due_at = now() - interval '1 second'")


async def test_a_5xx_is_retried_after_a_lookup_and_sends_once(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.add_fault(path=SEND_PATH, method="POST", status=500, count=1)

    await send_now(ctx, outbound_id)
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert (out.status, out.error_code, out.attempts) == ("sending", "http_500_backendError", 1)
    assert sandbox.sent(SALES) == []

    await _make_due(ctx)
    await drain(ctx)
    assert len(sandbox.sent(SALES)) == 1
    assert (await outbound_store.get(ctx.pool, outbound_id)).status == "sent"


async def test_a_long_retry_after_is_honoured_by_rescheduling(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.add_fault(path=SEND_PATH, method="POST", status=429, retry_after=120, count=1)
    before = datetime.now(UTC)

    await send_now(ctx, outbound_id)

    out = await outbound_store.get(ctx.pool, outbound_id)
    assert (out.status, out.error_code) == ("sending", "rate_limited")
    assert out.due_at >= before + timedelta(seconds=119)
    assert sandbox.sent(SALES) == []
    assert await drain(ctx) == 0  # not due yet


async def test_a_short_retry_after_is_waited_out_by_the_client(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.add_fault(path=SEND_PATH, method="POST", status=429, retry_after=1, count=1)

    assert await send_now(ctx, outbound_id)

    assert len(sandbox.sent(SALES)) == 1
    assert (await outbound_store.get(ctx.pool, outbound_id)).status == "sent"


async def test_a_revoked_mailbox_fails_once_after_one_forced_refresh(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    tokens = ctx.tokens
    assert isinstance(tokens, SandboxTokens)
    await tokens.get(mailbox_id)  # a token cached before the grant was revoked
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.control.post(f"/_sandbox/mailboxes/{SALES}/revoke").raise_for_status()
    tokens.revoked.add(mailbox_id)  # what oauth answers once the refresh token is refused

    await drain(ctx)
    await _make_due(ctx)
    await drain(ctx)

    out = await outbound_store.get(ctx.pool, outbound_id)
    assert (out.status, out.error_code) == ("failed", "mailbox_revoked")
    assert [force for _, force in tokens.calls].count(True) == 1
    (event,) = await outbox_events(ctx.pool, "email.send_failed")
    assert event["permanent"] is True and event["error_code"] == "mailbox_revoked"
    assert sandbox.sent(SALES) == []


async def test_a_bad_recipient_fails_at_once_without_retries(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    mailbox_id, client_id = await mailbox_factory("google", SALES)
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, SALES, "google"), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.add_fault(path=SEND_PATH, method="POST", status=400, count=1)

    await send_now(ctx, outbound_id)

    out = await outbound_store.get(ctx.pool, outbound_id)
    assert (out.status, out.attempts) == ("failed", 1)
    assert len(await outbox_events(ctx.pool, "email.send_failed")) == 1


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_a_send_the_provider_applied_before_we_died_is_not_repeated(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory, provider: str
) -> None:
    """The state a SIGKILL between the provider's answer and our commit leaves behind:
    the row is `sending` with a lapsed claim and the message is in the mailbox's Sent."""
    address = SALES if provider == "google" else "sales@contoso.test"
    mailbox_id, client_id = await mailbox_factory(provider, address)
    target = lead_writes(sandbox, address, provider)
    outbound_id = await queue(ctx, draft_for(target, mailbox_id), client_id)
    assert outbound_id is not None
    claimed = await _claim_and_send_without_recording(ctx, outbound_id)

    await ctx.pool.execute(
        "UPDATE outbound_messages SET claimed_until = now() - interval '1 second'"
    )
    await drain(ctx)

    assert len(sandbox.sent(address)) == 1
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert out.status == "sent"
    assert out.provider_message_id == claimed
    assert len(await outbox_events(ctx.pool, "email.sent")) == 1


async def _claim_and_send_without_recording(ctx: SenderContext, outbound_id: object) -> str:
    """Do what the process did before it died: claim, prepare and send, record nothing."""
    from leadwire_sender.claiming import claim_one
    from leadwire_sender.providers.base import Prepared

    claimed = await claim_one(ctx, outbound_id)  # type: ignore[arg-type]
    assert claimed is not None
    out = claimed.outbound
    assert out.mailbox_id is not None
    token = await ctx.tokens.get(out.mailbox_id)
    provider = ctx.providers[token.provider]
    email = OutgoingEmail(
        sender=Mailbox(token.address),
        to=tuple(Mailbox(r.address, r.name) for r in out.to),
        subject=out.subject,
        message_id=out.rfc_message_id,
        text=out.body_text,
        in_reply_to=out.in_reply_to,
        references=out.references,
    )

    async def remember(draft: Prepared) -> None:
        await outbound_store.record_prepared(ctx.pool, out.id, draft.draft_id, draft.rfc_message_id)

    sent = await provider.send_reply(
        token.token.get_secret_value(),
        email,
        ThreadTarget(out.reply_thread_id, out.reply_message_id),
        None,
        remember,
    )
    return sent.message_id


@pytest.mark.parametrize(
    ("provider", "address", "fault"),
    [
        ("google", SALES, {"path": SEND_PATH, "status": 500}),
        ("google", SALES, {"path": SEND_PATH, "timeout_seconds": 0.2}),
        (
            "microsoft",
            "sales@contoso.test",
            {"path_regex": r"^/v1\.0/me/messages/[^/]+/send$", "status": 504},
        ),
    ],
)
async def test_applied_but_the_answer_was_lost_sends_exactly_one(
    ctx: SenderContext,
    sandbox: RunningSandbox,
    mailbox_factory: MailboxFactory,
    provider: str,
    address: str,
    fault: dict[str, object],
) -> None:
    mailbox_id, client_id = await mailbox_factory(provider, address)
    outbound_id = await queue(
        ctx, draft_for(lead_writes(sandbox, address, provider), mailbox_id), client_id
    )
    assert outbound_id is not None
    sandbox.add_fault(method="POST", applied=True, count=1, **fault)

    await send_now(ctx, outbound_id)
    assert len(sandbox.sent(address)) == 1  # the provider did send it
    assert (await outbound_store.get(ctx.pool, outbound_id)).status == "sending"

    await _make_due(ctx)
    await drain(ctx)

    assert len(sandbox.sent(address)) == 1
    out = await outbound_store.get(ctx.pool, outbound_id)
    assert out.status == "sent"
    assert len(await outbox_events(ctx.pool, "email.sent")) == 1


async def test_a_429_on_one_mailbox_does_not_hold_up_another(
    ctx: SenderContext, sandbox: RunningSandbox, mailbox_factory: MailboxFactory
) -> None:
    slow_id, client_id = await mailbox_factory("google", SALES)
    fast_id, _ = await mailbox_factory("google", "other@acme.test")
    sandbox.add_fault(path=SEND_PATH, method="POST", status=429, retry_after=300, mailbox=SALES)
    slow = await queue(ctx, draft_for(lead_writes(sandbox, SALES, "google"), slow_id), client_id)
    fast = await queue(
        ctx, draft_for(lead_writes(sandbox, "other@acme.test", "google"), fast_id), client_id
    )

    await drain(ctx)

    assert slow is not None and fast is not None
    assert (await outbound_store.get(ctx.pool, slow)).error_code == "rate_limited"
    assert (await outbound_store.get(ctx.pool, fast)).status == "sent"
    assert sandbox.sent(SALES) == [] and len(sandbox.sent("other@acme.test")) == 1
