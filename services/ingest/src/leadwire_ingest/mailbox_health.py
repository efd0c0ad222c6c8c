"""A mailbox's failures: recorded, and announced (mailbox.sync_failed) once they last."""

from __future__ import annotations

import logging
from typing import Literal

from leadwire.events import MailboxSyncFailed
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.backoff import should_announce_failure
from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.providers.base import ProviderError
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import mailboxes

_log = logging.getLogger(__name__)
Stage = Literal["watch", "subscribe", "sync", "renew"]


async def record_failure(
    ctx: IngestContext, mailbox: Mailbox, stage: Stage, exc: ProviderError
) -> None:
    """Note the failure on the mailbox; announce it once it has lasted long enough."""
    _log.warning("mailbox %s %s failed: %s", mailbox.mailbox_id, stage, exc)
    now = ctx.clock()
    async with ctx.pool.acquire() as conn, conn.transaction():
        failed = await mailboxes.record_failure(conn, mailbox.mailbox_id, f"{stage}: {exc}", now)
        if not should_announce_failure(
            failed.failing_since,
            failed.sync_failed_published,
            now,
            ctx.settings.sync_failed_after_seconds,
        ):
            return
        event = MailboxSyncFailed(
            mailbox_id=mailbox.mailbox_id,
            client_id=mailbox.client_id,
            provider=mailbox.provider,
            address=mailbox.address,
            stage=stage,
            error_code=exc.kind,
            error_message=str(exc)[:1000],
            failing_since=failed.failing_since or now,
            attempts=failed.failure_count,
        )
        await publish(conn, event, client_id=mailbox.client_id)
        await mailboxes.mark_sync_failed_published(conn, mailbox.mailbox_id)
