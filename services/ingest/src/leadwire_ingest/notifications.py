"""Provider notifications → recorded sync work (no provider call in the request).

A Gmail push names an address and a historyId; a Graph notification names its
subscription and carries the clientState we gave it. Each becomes at most one
`mailbox.sync_requested` per mailbox, in the outbox, committed before the answer.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from leadwire.events import MailboxSyncRequested, SyncReason
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import Conn, mailboxes
from leadwire_ingest.watching import hash_client_state

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphNotice:
    subscription_id: str
    client_state: str
    resource: str | None = None
    lifecycle_event: str | None = None


async def _request_sync(
    conn: Conn,
    mailbox: Mailbox,
    reason: SyncReason,
    *,
    history_id: str | None = None,
    resource: str | None = None,
) -> None:
    request = MailboxSyncRequested(
        mailbox_id=mailbox.mailbox_id,
        client_id=mailbox.client_id,
        provider=mailbox.provider,
        reason=reason,
        history_id=history_id,
        resource=resource,
    )
    await publish(conn, request, client_id=mailbox.client_id)


def _is_newer(history_id: str, stored: str | None) -> bool:
    if not stored or not history_id.isdigit() or not stored.isdigit():
        return True
    return int(history_id) > int(stored)


async def gmail_push(ctx: IngestContext, address: str, history_id: str) -> int:
    """Queue a sync for each active mailbox with this address; 0 if we watch none."""
    queued = 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for mailbox in await mailboxes.find_active_by_address(conn, "google", address):
            await mailboxes.mark_push(conn, mailbox.mailbox_id, ctx.clock())
            if not _is_newer(history_id, mailbox.history_id):
                continue  # a late or repeated push: our cursor is already past it
            await _request_sync(conn, mailbox, "push", history_id=history_id)
            queued += 1
    if not queued:
        _log.info("gmail push for %s: nothing new or not watched", address)
    return queued


def _state_matches(mailbox: Mailbox, client_state: str) -> bool:
    if not mailbox.client_state_hash:
        return False
    return hmac.compare_digest(hash_client_state(client_state), mailbox.client_state_hash)


async def _verified(
    conn: Conn, notices: Iterable[GraphNotice]
) -> list[tuple[Mailbox, GraphNotice]]:
    accepted = []
    for notice in notices:
        mailbox = await mailboxes.find_by_subscription(conn, notice.subscription_id)
        if mailbox is None or mailbox.status != "active":
            _log.info("graph notification for unknown subscription ignored")
            continue
        if not _state_matches(mailbox, notice.client_state):
            _log.warning(
                "graph notification with a wrong clientState refused (mailbox %s)",
                mailbox.mailbox_id,
            )
            continue
        accepted.append((mailbox, notice))
    return accepted


async def graph_notifications(ctx: IngestContext, notices: list[GraphNotice]) -> int:
    """Queue one sync per mailbox named by a verified change notification."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        accepted = await _verified(conn, notices)
        seen: set[Any] = set()
        for mailbox, notice in accepted:
            if mailbox.mailbox_id in seen:
                continue
            seen.add(mailbox.mailbox_id)
            await mailboxes.mark_push(conn, mailbox.mailbox_id, ctx.clock())
            await _request_sync(conn, mailbox, "notification", resource=notice.resource)
    return len(seen)


async def graph_lifecycle(ctx: IngestContext, notices: list[GraphNotice]) -> int:
    """reauthorizationRequired / subscriptionRemoved / missed → a lifecycle sync that
    renews or recreates the subscription first (see sync.py), then catches up."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        accepted = await _verified(conn, notices)
        for mailbox, notice in accepted:
            _log.info(
                "graph lifecycle %s for mailbox %s", notice.lifecycle_event, mailbox.mailbox_id
            )
            await _request_sync(conn, mailbox, "lifecycle", resource=notice.lifecycle_event)
    return len(accepted)
