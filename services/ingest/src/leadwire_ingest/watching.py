"""Watches and subscriptions: start on connect, renew before expiry, stop on disconnect."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from uuid import UUID

from leadwire.events import MailboxConnected, MailboxSyncRequested
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.backoff import next_attempt
from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.mailbox_health import record_failure
from leadwire_ingest.providers.base import ProviderError, Watch
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import Conn, mailboxes

_log = logging.getLogger(__name__)
RENEW_BATCH = 100


def hash_client_state(client_state: str) -> str:
    return hashlib.sha256(client_state.encode()).hexdigest()


async def mailbox_connected(conn: Conn, event: MailboxConnected) -> None:
    """Record the mailbox and ask for its first sync (which starts the watch)."""
    await mailboxes.upsert_connected(
        conn, event.mailbox_id, event.client_id, event.provider, event.address
    )
    request = MailboxSyncRequested(
        mailbox_id=event.mailbox_id,
        client_id=event.client_id,
        provider=event.provider,
        reason="connected",
    )
    await publish(conn, request, client_id=event.client_id)


async def store_watch(ctx: IngestContext, mailbox: Mailbox, watch: Watch) -> None:
    async with ctx.pool.acquire() as conn, conn.transaction():
        if mailbox.provider == "google":
            await mailboxes.set_watch(
                conn, mailbox.mailbox_id, watch.history_id or "", watch.expires_at
            )
        else:
            state_hash = hash_client_state(watch.client_state) if watch.client_state else None
            await mailboxes.set_subscription(
                conn, mailbox.mailbox_id, watch.subscription_id, watch.expires_at, state_hash
            )


async def stop_watching(ctx: IngestContext, mailbox_id: UUID) -> None:
    """Stop syncing and polling at once; ask the provider to stop pushing if it still
    lets us (after a revoke it will not, and the watch simply expires)."""
    async with ctx.pool.acquire() as conn:
        stopped = await mailboxes.stop(conn, mailbox_id)
    if stopped is None:
        return
    try:
        await ctx.provider(stopped.provider).stop_watch(stopped)
    except ProviderError as exc:
        _log.info("mailbox %s: could not stop the provider watch (%s)", mailbox_id, exc.kind)
    async with ctx.pool.acquire() as conn:
        await mailboxes.set_subscription(conn, mailbox_id, None, None, None)


def _renew_horizon(ctx: IngestContext, provider: str) -> timedelta:
    s = ctx.settings
    if provider == "google":
        return timedelta(hours=s.gmail_watch_renew_before_hours)
    return timedelta(minutes=s.graph_subscription_renew_before_minutes)


async def renew_due_watches(ctx: IngestContext) -> None:
    """Scheduled job: renew watches/subscriptions close to expiry (or missing)."""
    now = ctx.clock()
    horizon = now + max(_renew_horizon(ctx, "google"), _renew_horizon(ctx, "microsoft"))
    async with ctx.pool.acquire() as conn:
        due = await mailboxes.due_for_renewal(conn, now, horizon, RENEW_BATCH)
    for mailbox in due:
        expires = (
            mailbox.watch_expires_at
            if mailbox.provider == "google"
            else mailbox.subscription_expires_at
        )
        if expires is not None and expires > now + _renew_horizon(ctx, mailbox.provider):
            continue
        await _renew_one(ctx, mailbox)


async def _renew_one(ctx: IngestContext, mailbox: Mailbox) -> None:
    s, now = ctx.settings, ctx.clock()
    try:
        watch = await ctx.provider(mailbox.provider).renew_watch(mailbox)
    except ProviderError as exc:
        failures = mailbox.renew_failures + 1
        async with ctx.pool.acquire() as conn:
            await mailboxes.set_renew_result(
                conn,
                mailbox.mailbox_id,
                failures=failures,
                next_renew_at=next_attempt(now, 60, failures, s.max_backoff_seconds),
            )
        await record_failure(ctx, mailbox, "renew", exc)
        return
    await store_watch(ctx, mailbox, watch)
    async with ctx.pool.acquire() as conn:
        await mailboxes.set_renew_result(
            conn,
            mailbox.mailbox_id,
            failures=0,
            next_renew_at=now + timedelta(seconds=s.renew_check_interval_seconds),
        )
