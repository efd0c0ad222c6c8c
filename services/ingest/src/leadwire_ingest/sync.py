"""Syncing one mailbox from its cursor: the body of the `mailbox.sync_requested` consumer.

Runs outside a transaction (it calls the provider) and one at a time per mailbox. Each
message commits on its own; the cursor advances only after every message it covers is
committed, so a crash halfway re-reads (and dedupes) instead of skipping. A failure is
recorded on the mailbox (and announced once it lasts) instead of raised: the poller
asks again with backoff, so no provider quirk stops a mailbox for good.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from leadwire.events import MailboxSyncRecovered
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.classify import arrived_after_connect
from leadwire_ingest.domain.models import ClientInfo, Mailbox, NotFound
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.intake import ingest_message
from leadwire_ingest.mailbox_health import record_failure
from leadwire_ingest.outcomes import Intake
from leadwire_ingest.providers.base import Changes, CursorExpired, MailProvider, ProviderError
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import clients, intake, mailboxes
from leadwire_ingest.watching import store_watch

_log = logging.getLogger(__name__)
# Graph lifecycle events that need the subscription renewed (or recreated if gone).
_RESUBSCRIBE = {"reauthorizationRequired", "subscriptionRemoved"}


async def sync_mailbox(
    ctx: IngestContext, mailbox_id: UUID, reason: str, hint: str | None = None
) -> int:
    """Sync the mailbox; returns how many messages were new to it. `hint` is the
    lifecycle event for reason "lifecycle" (renew or recreate the subscription first)."""
    try:
        async with ctx.pool.acquire() as conn:
            mailbox = await mailboxes.get(conn, mailbox_id)
    except NotFound:
        _log.info("sync for unknown mailbox %s ignored", mailbox_id)
        return 0
    if mailbox.status != "active":
        return 0
    provider = ctx.provider(mailbox.provider)
    started = ctx.clock()
    try:
        if reason == "connected" or (reason == "lifecycle" and hint in _RESUBSCRIBE):
            await _start_watching(ctx, provider, mailbox, renew=_has_watch(mailbox))
        if reason == "connected" and not mailbox.last_sync_at:
            changes = await provider.initial_cursor(mailbox, started - _window(ctx))
        else:
            changes = await _changes(ctx, provider, mailbox, started)
        new, newest = await _ingest_all(ctx, provider, mailbox, changes)
    except ProviderError as exc:
        await record_failure(ctx, mailbox, "sync", exc)
        return 0
    lag = (ctx.clock() - newest).total_seconds() if newest else None
    await _commit_cursor(ctx, mailbox, changes, lag)
    return new


def _has_watch(mailbox: Mailbox) -> bool:
    return bool(
        mailbox.watch_expires_at if mailbox.provider == "google" else mailbox.subscription_id
    )


def _window(ctx: IngestContext) -> timedelta:
    return timedelta(days=ctx.settings.resync_window_days)


async def _changes(
    ctx: IngestContext, provider: MailProvider, mailbox: Mailbox, now: datetime
) -> Changes:
    try:
        return await provider.changes(mailbox)
    except CursorExpired as exc:
        # Bounded resync: what arrived in the window; dedupe drops what we already had.
        _log.warning("mailbox %s cursor expired (%s): resync", mailbox.mailbox_id, exc)
        return await provider.recent(mailbox, now - _window(ctx), ctx.settings.resync_max_messages)


async def _start_watching(
    ctx: IngestContext, provider: MailProvider, mailbox: Mailbox, *, renew: bool = False
) -> None:
    try:
        watch = await (provider.renew_watch(mailbox) if renew else provider.start_watch(mailbox))
    except ProviderError as exc:
        # Not fatal: the sync goes on and the renew job retries the watch with backoff.
        await record_failure(
            ctx, mailbox, "watch" if mailbox.provider == "google" else "subscribe", exc
        )
        return
    await store_watch(ctx, mailbox, watch)


async def _ingest_all(
    ctx: IngestContext, provider: MailProvider, mailbox: Mailbox, changes: Changes
) -> tuple[int, datetime | None]:
    new, newest = 0, None
    async with ctx.pool.acquire() as conn:
        client = await clients.get(conn, mailbox.client_id)
    for ref in changes.refs:
        async with ctx.pool.acquire() as conn:
            if await intake.was_seen(conn, mailbox.mailbox_id, ref.message_id):
                continue
        try:
            fetched = await provider.fetch(mailbox, ref)
        except ProviderError as exc:
            if exc.status not in (400, 422):
                raise  # throttled, unavailable, forbidden, revoked: the sync retries later
            # The provider refuses this one message for good: skip it, on record.
            await _record_unfetchable(ctx, mailbox, ref.message_id, str(exc))
            continue
        if fetched is None:
            continue
        answer = arrived_after_connect(fetched.received_at, mailbox.connected_at)
        result = await _ingest_one(ctx, mailbox, client, fetched, answer)
        if result.outcome != "duplicate":
            new += 1
            newest = max(newest, fetched.received_at) if newest else fetched.received_at
    return new, newest


async def _ingest_one(
    ctx: IngestContext,
    mailbox: Mailbox,
    client: ClientInfo | None,
    fetched: FetchedMessage,
    answer: bool,
) -> Intake:
    """One message in its own transaction. A message that breaks intake itself (a bug, a
    value Postgres refuses) is recorded as failed and skipped: it must not stall the
    mailbox, and the cursor may pass it because the failure is on record."""
    try:
        async with ctx.pool.acquire() as conn, conn.transaction():
            return await ingest_message(conn, mailbox, client, fetched, answer=answer)
    except (asyncpg.PostgresError, ValueError, TypeError, LookupError) as exc:
        _log.exception("message %s could not be ingested", fetched.provider_message_id)
        why = f"{type(exc).__name__}: {str(exc)[:300]}"
        await _record_unfetchable(ctx, mailbox, fetched.provider_message_id, why)
        return Intake("failed", why)


async def _record_unfetchable(
    ctx: IngestContext, mailbox: Mailbox, message_id: str, why: str
) -> None:
    async with ctx.pool.acquire() as conn, conn.transaction():
        await intake.claim_provider_message(conn, mailbox.mailbox_id, message_id, mailbox.client_id)
        await intake.record_decision(
            conn,
            mailbox.mailbox_id,
            message_id,
            outcome="failed",
            reason=why[:1000],
            rfc_message_id=None,
            provider_thread_id=None,
            lead_id=None,
        )


async def _commit_cursor(
    ctx: IngestContext, mailbox: Mailbox, changes: Changes, lag: float | None
) -> None:
    cursor = changes.cursor
    async with ctx.pool.acquire() as conn, conn.transaction():
        await mailboxes.set_cursor(
            conn,
            mailbox.mailbox_id,
            history_id=cursor.history_id,
            delta_link=cursor.delta_link,
            sent_delta_link=cursor.sent_delta_link,
        )
        before = await mailboxes.record_sync_success(conn, mailbox.mailbox_id, ctx.clock(), lag)
        if before.sync_failed_published and before.failing_since:
            recovered = MailboxSyncRecovered(
                mailbox_id=mailbox.mailbox_id,
                client_id=mailbox.client_id,
                provider=mailbox.provider,
                address=mailbox.address,
                failed_for_seconds=(ctx.clock() - before.failing_since).total_seconds(),
            )
            await publish(conn, recovered, client_id=mailbox.client_id)
