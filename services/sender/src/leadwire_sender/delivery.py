"""Delivering one claimed outbound message: look it up first if it may already be at the
provider, send it, and commit the result (or the retry, or the failure).

The no-double-send rule: our Message-ID is stored before any provider call; a message that
was `sending` when claimed is searched for by that id and only sent if it is absent.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from leadwire.mailbox_tokens import AccessToken, MailboxTokenError
from leadwire_sender import metrics, results
from leadwire_sender.claiming import Claimed
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.errors import ProviderFailure, Verdict, classify
from leadwire_sender.domain.mime import InvalidAddressError, Mailbox, OutgoingEmail
from leadwire_sender.domain.outbound import Outbound, needs_lookup
from leadwire_sender.providers.base import (
    MailProvider,
    Prepared,
    ProviderCallError,
    SentMessage,
    ThreadTarget,
)
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)


async def deliver(ctx: SenderContext, claimed: Claimed) -> None:
    out = claimed.outbound
    assert out.mailbox_id is not None  # claiming fails rows without a mailbox
    try:
        token = await ctx.tokens.get(out.mailbox_id)
    except MailboxTokenError as exc:
        await _token_unavailable(ctx, out, exc)
        return
    look_up, refreshed = needs_lookup(claimed.claimed_from), False
    while True:
        try:
            sent = await _lookup_or_send(ctx, token, out, look_up)
        except InvalidAddressError as exc:  # a bad recipient no retry can fix
            await results.record_failed(ctx, out, "invalid_address", str(exc))
            return
        except ProviderCallError as exc:
            verdict = classify(exc.failure, out.attempts, refreshed, ctx.retry)
            if verdict.action != "refresh_token":
                await _failed_attempt(ctx, out, verdict, exc.failure)
                return
            try:
                token = await ctx.tokens.get(out.mailbox_id, force_refresh=True)
            except MailboxTokenError as token_exc:
                await _token_unavailable(ctx, out, token_exc)
                return
            look_up, refreshed = True, True
            continue
        if sent is None:  # blocked after all: never reached the provider
            return
        await results.record_sent(ctx, out, token.provider, sent)
        return


async def _lookup_or_send(
    ctx: SenderContext, token: AccessToken, out: Outbound, look_up: bool
) -> SentMessage | None:
    provider = ctx.providers[token.provider]
    secret = token.token.get_secret_value()
    with metrics.PROVIDER_SEND_SECONDS.labels(token.provider).time():
        if look_up:
            found = await provider.find_sent_by_message_id(secret, out.rfc_message_id)
            if found is not None:
                log.info("outbound %s was already sent (found by Message-ID)", out.id)
                metrics.SEND_OUTCOMES.labels("already_sent").inc()
                return found
            if await _blocked_since(ctx, out):
                return None
        return await _send(ctx, provider, secret, token, out)


async def _send(
    ctx: SenderContext, provider: MailProvider, secret: str, token: AccessToken, out: Outbound
) -> SentMessage:
    email = await _email(ctx, out, token)
    prepared = (
        Prepared(out.provider_draft_id, out.rfc_message_id) if out.provider_draft_id else None
    )

    async def remember(draft: Prepared) -> None:
        nonlocal out
        async with ctx.pool.acquire() as conn:
            await outbound_store.record_prepared(conn, out.id, draft.draft_id, draft.rfc_message_id)
        out = replace(out, provider_draft_id=draft.draft_id, rfc_message_id=draft.rfc_message_id)

    if out.is_reply:
        target = ThreadTarget(out.reply_thread_id, out.reply_message_id)
        sent = await provider.send_reply(secret, email, target, prepared, remember)
    else:
        sent = await provider.send_new(secret, email, prepared, remember)
    return sent


async def _email(ctx: SenderContext, out: Outbound, token: AccessToken) -> OutgoingEmail:
    async with ctx.pool.acquire() as conn:
        files = await outbound_store.attachments(conn, out.id)
    return OutgoingEmail(
        sender=Mailbox(token.address, out.sender_name),
        to=tuple(Mailbox(r.address, r.name) for r in out.to),
        cc=tuple(Mailbox(r.address, r.name) for r in out.cc),
        bcc=tuple(Mailbox(r.address, r.name) for r in out.bcc),
        subject=out.subject,
        message_id=out.rfc_message_id,
        text=out.body_text,
        html=out.body_html,
        in_reply_to=out.in_reply_to,
        references=out.references,
        attachments=tuple(files),
    )


async def _blocked_since(ctx: SenderContext, out: Outbound) -> bool:
    """A retried automatic message whose lead was blocked meanwhile fails unsent."""
    if out.lead_id is None or out.kind not in ("reply", "follow_up"):
        return False
    async with ctx.pool.acquire() as conn:
        reason = await directory_store.lead_block_reason(conn, out.lead_id)
    if reason is None:
        return False
    await results.record_failed(ctx, out, f"lead_{reason}", "not sent: " + reason)
    return True


async def _failed_attempt(
    ctx: SenderContext, out: Outbound, verdict: Verdict, failure: ProviderFailure
) -> None:
    detail = f"{failure.status or 'no answer'} {failure.reason} {failure.message}".strip()
    if verdict.action == "retry":
        due = ctx.clock() + timedelta(seconds=verdict.delay_seconds)
        async with ctx.pool.acquire() as conn:
            await outbound_store.mark_retry(conn, out.id, due, verdict.error_code, detail)
        metrics.SEND_OUTCOMES.labels("retry").inc()
        log.warning("outbound %s attempt %d: %s, retry at %s", out.id, out.attempts, detail, due)
        return
    await results.record_failed(ctx, out, verdict.error_code, detail)


async def _token_unavailable(ctx: SenderContext, out: Outbound, exc: MailboxTokenError) -> None:
    if exc.code == "provider_unavailable":
        verdict = classify(
            ProviderFailure(503, "token_unavailable"), out.attempts, False, ctx.retry
        )
        await _failed_attempt(ctx, out, verdict, ProviderFailure(None, "token_unavailable"))
        return
    await results.record_failed(ctx, out, f"mailbox_{exc.code}", str(exc))
