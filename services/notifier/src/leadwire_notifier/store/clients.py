"""SQL of `clients`: what client.changed said, and the state of each client's webhook."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from leadwire.events import ClientChanged
from leadwire_notifier.domain.clients import ClientState
from leadwire_notifier.store import Conn


def client_state(row: asyncpg.Record) -> ClientState:
    kinds = row["notification_kinds"]
    return ClientState(
        client_id=row["client_id"],
        name=row["name"],
        revision=row["revision"],
        notification_kinds=tuple(kinds) if kinds is not None else None,
        has_slack_webhook=row["has_slack_webhook"],
        deleted=row["deleted"],
        webhook_broken_at=row["webhook_broken_at"],
        webhook_broken_reason=row["webhook_broken_reason"],
    )


async def apply_client_snapshot(conn: Conn, snap: ClientChanged) -> None:
    """Keep the newest snapshot; a newer revision also clears a broken webhook (the admin
    may have replaced the URL: the next message tells)."""
    await conn.execute(
        """INSERT INTO clients (client_id, name, revision, notification_kinds,
                                has_slack_webhook, deleted)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (client_id) DO UPDATE SET
               name = EXCLUDED.name, revision = EXCLUDED.revision,
               notification_kinds = EXCLUDED.notification_kinds,
               has_slack_webhook = EXCLUDED.has_slack_webhook, deleted = EXCLUDED.deleted,
               webhook_broken_at = CASE WHEN EXCLUDED.revision > clients.revision
                                        THEN NULL ELSE clients.webhook_broken_at END,
               webhook_broken_reason = CASE WHEN EXCLUDED.revision > clients.revision
                                        THEN '' ELSE clients.webhook_broken_reason END,
               updated_at = now()
           WHERE clients.revision <= EXCLUDED.revision""",
        snap.client_id,
        snap.name,
        snap.revision,
        list(snap.notification_kinds),
        snap.has_slack_webhook,
        snap.deleted,
    )


async def ensure_client(conn: Conn, client_id: UUID) -> ClientState:
    """The client's state; a client not announced yet is created with unknown settings."""
    await conn.execute(
        "INSERT INTO clients (client_id) VALUES ($1) ON CONFLICT DO NOTHING", client_id
    )
    row = await conn.fetchrow("SELECT * FROM clients WHERE client_id = $1", client_id)
    return client_state(row)


async def set_has_slack_webhook(conn: Conn, client_id: UUID, value: bool) -> None:
    await conn.execute(
        "UPDATE clients SET has_slack_webhook = $2, updated_at = now() WHERE client_id = $1",
        client_id,
        value,
    )


async def mark_webhook_broken(conn: Conn, client_id: UUID, reason: str) -> None:
    await conn.execute(
        """UPDATE clients SET webhook_broken_at = clock_timestamp(), webhook_broken_reason = $2,
                              lease_until = NULL, updated_at = now()
           WHERE client_id = $1""",
        client_id,
        reason,
    )


async def webhook_states(conn: Conn, client_id: UUID | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT c.client_id, c.name, c.has_slack_webhook, c.deleted, c.webhook_broken_at,
                  c.webhook_broken_reason, c.next_send_at,
                  (SELECT count(*) FROM notifications n
                    WHERE n.client_id = c.client_id AND n.status = 'queued') AS queued
           FROM clients c WHERE $1::uuid IS NULL OR c.client_id = $1
           ORDER BY c.name, c.client_id""",
        client_id,
    )
    return [dict(row) for row in rows]
