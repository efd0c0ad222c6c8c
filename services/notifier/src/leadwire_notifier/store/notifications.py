"""SQL of `notifications`: one row per event, and each client's queue (status `queued`,
in the order the events happened: consumers run concurrently, so arrival order is not it) with the webhook schedule the delivery loops share through `clients`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from leadwire_notifier.domain.blocks import DigestLine
from leadwire_notifier.domain.clients import ClientState
from leadwire_notifier.domain.digest import Queued
from leadwire_notifier.store import QUEUE_CHANNEL_PREFIX, Conn
from leadwire_notifier.store.clients import client_state


@dataclass(frozen=True)
class NewNotification:
    event_id: UUID
    event_type: str
    client_id: UUID
    occurred_at: datetime
    status: str  # queued | skipped
    reason: str = ""
    lead_id: UUID | None = None
    draft_id: UUID | None = None
    message: dict[str, Any] | None = None
    line: DigestLine | None = None


async def insert_notification(conn: Conn, n: NewNotification) -> bool:
    """Log the event's notification (False if it was already logged); a queued one wakes
    the delivery loops at commit."""
    line = None
    if n.line is not None:
        line = {
            "headline": n.line.headline,
            "link_url": n.line.link_url,
            "draft_id": str(n.line.draft_id) if n.line.draft_id else None,
            "edit_url": n.line.edit_url,
        }
    inserted = await conn.fetchval(
        """INSERT INTO notifications (event_id, event_type, client_id, lead_id, draft_id,
                                      status, reason, message, line, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (event_id) DO NOTHING RETURNING id""",
        n.event_id,
        n.event_type,
        n.client_id,
        n.lead_id,
        n.draft_id,
        n.status,
        n.reason,
        n.message,
        line,
        n.occurred_at,
    )
    if inserted is not None and n.status == "queued":
        await conn.execute("SELECT pg_notify($1 || current_schema(), '')", QUEUE_CHANNEL_PREFIX)
    return inserted is not None


async def claim_due_client(conn: Conn, lease_seconds: float) -> ClientState | None:
    """Lease one client whose webhook may send now and has queued notices; every other
    replica skips it until the lease is released (or expires after a crash)."""
    row = await conn.fetchrow(
        """WITH due AS (
                SELECT c.client_id FROM clients c
                WHERE c.next_send_at <= clock_timestamp()
                  AND (c.lease_until IS NULL OR c.lease_until < clock_timestamp())
                  AND EXISTS (SELECT 1 FROM notifications n
                              WHERE n.client_id = c.client_id AND n.status = 'queued')
                ORDER BY c.next_send_at
                FOR UPDATE SKIP LOCKED LIMIT 1)
            UPDATE clients SET lease_until = clock_timestamp() + make_interval(secs => $1)
            FROM due WHERE clients.client_id = due.client_id
            RETURNING clients.*""",
        lease_seconds,
    )
    return client_state(row) if row else None


async def release_client(conn: Conn, client_id: UUID, wait_seconds: float) -> None:
    """End the lease; the webhook's next message may go `wait_seconds` from now."""
    await conn.execute(
        """UPDATE clients SET lease_until = NULL,
                              next_send_at = clock_timestamp() + make_interval(secs => $2)
           WHERE client_id = $1""",
        client_id,
        wait_seconds,
    )


def _queued(row: asyncpg.Record) -> Queued:
    line = row["line"] or {}
    draft_id = line.get("draft_id")
    return Queued(
        id=row["id"],
        message=row["message"],
        line=DigestLine(
            headline=line.get("headline", ""),
            link_url=line.get("link_url"),
            draft_id=UUID(draft_id) if draft_id else None,
            edit_url=line.get("edit_url"),
        ),
    )


async def queue_head(conn: Conn, client_id: UUID, limit: int) -> tuple[list[Queued], int]:
    """The first `limit` queued notices of a client by event time, and how many wait."""
    rows = await conn.fetch(
        """SELECT id, message, line, count(*) OVER () AS waiting FROM notifications
           WHERE client_id = $1 AND status = 'queued' ORDER BY occurred_at, id LIMIT $2""",
        client_id,
        limit,
    )
    return [_queued(row) for row in rows], (rows[0]["waiting"] if rows else 0)


async def mark_delivered(conn: Conn, ids: Sequence[int], batch_id: UUID) -> None:
    """Alone → sent; in a digest → coalesced (each row names the message that carried it)."""
    await conn.execute(
        """UPDATE notifications
           SET status = CASE WHEN $3 > 1 THEN 'coalesced' ELSE 'sent' END,
               batch_id = $2, batch_size = $3, attempts = attempts + 1,
               delivered_at = clock_timestamp(), reason = ''
           WHERE id = ANY($1::bigint[]) AND status = 'queued'""",
        list(ids),
        batch_id,
        len(ids),
    )


async def count_failed_attempt(conn: Conn, ids: Sequence[int], reason: str) -> int:
    """Count one more failed attempt for these notices; the most any of them has had."""
    value = await conn.fetchval(
        """WITH counted AS (
               UPDATE notifications SET attempts = attempts + 1, reason = $2
               WHERE id = ANY($1::bigint[]) AND status = 'queued' RETURNING attempts)
           SELECT coalesce(max(attempts), 0) FROM counted""",
        list(ids),
        reason,
    )
    return int(value)


async def close_notifications(conn: Conn, ids: Sequence[int], status: str, reason: str) -> None:
    """Give up on queued notices: `failed` or `skipped`, with the reason."""
    await conn.execute(
        """UPDATE notifications SET status = $2, reason = $3, delivered_at = clock_timestamp()
           WHERE id = ANY($1::bigint[]) AND status = 'queued'""",
        list(ids),
        status,
        reason,
    )


async def close_client_queue(conn: Conn, client_id: UUID, status: str, reason: str) -> int:
    result = await conn.execute(
        """UPDATE notifications SET status = $2, reason = $3, delivered_at = clock_timestamp()
           WHERE client_id = $1 AND status = 'queued'""",
        client_id,
        status,
        reason,
    )
    return int(str(result).split()[-1])


async def seconds_until_due(conn: Conn) -> float | None:
    """How long until some client with queued notices may send, None when none waits."""
    value = await conn.fetchval(
        """SELECT extract(epoch FROM min(greatest(c.next_send_at,
                                                 coalesce(c.lease_until, c.next_send_at)))
                                     - clock_timestamp())
           FROM clients c WHERE EXISTS (SELECT 1 FROM notifications n
                                        WHERE n.client_id = c.client_id AND n.status = 'queued')"""
    )
    return max(0.0, float(value)) if value is not None else None


async def list_notifications(
    conn: Conn,
    *,
    client_id: UUID | None,
    status: str | None,
    before_id: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Newest first; `before_id` is the cursor (the last id of the previous page)."""
    rows = await conn.fetch(
        """SELECT id, event_id, event_type, client_id, lead_id, draft_id, status, reason,
                  attempts, batch_id, batch_size, occurred_at, created_at, delivered_at,
                  line ->> 'headline' AS headline
           FROM notifications
           WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::bigint IS NULL OR id < $3)
           ORDER BY id DESC LIMIT $4""",
        client_id,
        status,
        before_id,
        limit,
    )
    return [dict(row) for row in rows]


async def fail_exhausted(conn: Conn, ids: Sequence[int], max_attempts: int, reason: str) -> None:
    """Fail the notices among `ids` that used up their attempts (newer ones keep trying)."""
    await conn.execute(
        """UPDATE notifications SET status = 'failed', reason = $3,
                                    delivered_at = clock_timestamp()
           WHERE id = ANY($1::bigint[]) AND status = 'queued' AND attempts >= $2""",
        list(ids),
        max_attempts,
        reason,
    )


async def requeue_failed(conn: Conn, client_id: UUID | None, ids: Sequence[int] | None) -> int:
    """Put failed notices back in their queues (the notifier's "replay the DLQ")."""
    result = await conn.execute(
        """UPDATE notifications SET status = 'queued', attempts = 0, delivered_at = NULL,
                                    reason = 'requeued: ' || reason
           WHERE status = 'failed' AND ($1::uuid IS NULL OR client_id = $1)
             AND ($2::bigint[] IS NULL OR id = ANY($2))""",
        client_id,
        list(ids) if ids is not None else None,
    )
    count = int(str(result).split()[-1])
    if count:
        await conn.execute("SELECT pg_notify($1 || current_schema(), '')", QUEUE_CHANNEL_PREFIX)
    return count


async def purge_notifications(conn: Conn, older_than_days: int) -> int:
    """Delete finished notifications older than the retention (queued ones stay)."""
    result = await conn.execute(
        """DELETE FROM notifications
           WHERE status <> 'queued' AND created_at < now() - make_interval(days => $1)""",
        older_than_days,
    )
    return int(str(result).split()[-1])
