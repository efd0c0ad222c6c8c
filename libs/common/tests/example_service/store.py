"""All SQL of the example service, one function per query."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from leadwire.events import MailboxConnected


async def save_mailbox(conn: asyncpg.Connection, mailbox: MailboxConnected) -> None:
    await conn.execute(
        """
        INSERT INTO mailboxes (id, client_id, provider, address) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET connected = true, address = EXCLUDED.address,
            updated_at = now()
        """,
        mailbox.mailbox_id,
        mailbox.client_id,
        mailbox.provider,
        mailbox.address,
    )


async def forget_mailbox(conn: asyncpg.Connection, mailbox_id: UUID) -> None:
    await conn.execute(
        "UPDATE mailboxes SET connected = false, updated_at = now() WHERE id = $1", mailbox_id
    )


async def record_connected_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval(
        "INSERT INTO mailbox_counts (connected)"
        " SELECT count(*) FROM mailboxes WHERE connected RETURNING connected"
    )
    return count
