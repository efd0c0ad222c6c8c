"""Inbox: consumers record each event id in the same transaction as its effect.

    async with pool.acquire() as conn, conn.transaction():
        if not await first_delivery(conn, envelope.event_id, "drafter.leads"):
            return  # a redelivery: the effect is already committed
        await store.save_draft(conn, ...)

Purging: rows older than any redelivery window (a broker redelivers within minutes; a
DLQ replay can be weeks later) can go with `purge_inbox(conn, older_than=timedelta(days=30))`.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg

_RECORD = """
INSERT INTO inbox (event_id, consumer) VALUES ($1, $2)
ON CONFLICT (event_id, consumer) DO NOTHING
RETURNING event_id
"""


async def first_delivery(conn: asyncpg.Connection, event_id: UUID, consumer: str) -> bool:
    """Record `event_id` for `consumer`; True the first time, False for a redelivery.

    Must run in the transaction that applies the effect: a rollback forgets the record too.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("first_delivery must run inside the consumer's transaction")
    return await conn.fetchval(_RECORD, event_id, consumer) is not None


async def purge_inbox(conn: asyncpg.Connection, *, older_than: timedelta) -> int:
    """Delete inbox rows received more than `older_than` ago; return how many."""
    result: str = await conn.execute(
        "DELETE FROM inbox WHERE received_at < now() - $1::interval", older_than
    )
    return int(result.split()[-1])
