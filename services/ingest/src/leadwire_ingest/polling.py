"""The polling fallback: every mailbox is synced every POLL_INTERVAL_SECONDS even while
push works (push can be lost); a failing mailbox is polled with growing backoff."""

from __future__ import annotations

from leadwire.events import MailboxSyncRequested
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.backoff import next_attempt
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import mailboxes

POLL_BATCH = 500


async def poll_due_mailboxes(ctx: IngestContext) -> None:
    """Scheduled job: queue a sync for each mailbox whose poll is due."""
    now, s = ctx.clock(), ctx.settings
    async with ctx.pool.acquire() as conn, conn.transaction():
        due = await mailboxes.due_for_poll(conn, now, POLL_BATCH)
        for mailbox in due:
            request = MailboxSyncRequested(
                mailbox_id=mailbox.mailbox_id,
                client_id=mailbox.client_id,
                provider=mailbox.provider,
                reason="poll",
            )
            await publish(conn, request, client_id=mailbox.client_id)
            later = next_attempt(
                now, s.poll_interval_seconds, mailbox.failure_count, s.max_backoff_seconds
            )
            await mailboxes.mark_poll(conn, mailbox.mailbox_id, now, later)
