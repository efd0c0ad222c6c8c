"""The relay's side of the outbox wake-up protocol (the writers' side: migration 0003).

Every transaction that NOTIFYs takes one cluster-wide lock from pre-commit until its
commit is durable, so NOTIFYing transactions commit one at a time. Writers therefore
NOTIFY only when no relay is awake:

- an awake relay holds the "awake" advisory lock (shared, on its LISTEN connection); a
  writer's commit trigger NOTIFYs only if it can take that lock exclusively;
- every writer holds the "writing" lock (shared) from that check until its commit ends.
  A relay going back to sleep releases "awake", then checks that nobody holds
  "writing": writers that saw it awake have committed, and a last pass finds their rows.
  Writers after that NOTIFY again. Only try-locks are used on "writing", so the relay
  never makes a writer wait.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

_AWAKE = "hashtext('leadwire_outbox.awake.' || $1)"
_HOLD_AWAKE = f"SELECT pg_advisory_lock_shared({_AWAKE})"
_RELEASE_AWAKE = f"SELECT pg_advisory_unlock_shared({_AWAKE})"
_WRITING = "hashtext('leadwire_outbox.writing.' || $1)"
_NO_WRITER_IN_FLIGHT = f"""
SELECT CASE WHEN pg_try_advisory_lock({_WRITING}) THEN pg_advisory_unlock({_WRITING})
            ELSE false END
"""


class RelayWakeup:
    """Tells writers whether the relay is awake, through its LISTEN connection."""

    def __init__(self, schema: str) -> None:
        self._schema = schema
        self._conn: asyncpg.Connection | None = None
        self._awake_on: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one query at a time on the LISTEN connection

    def attach(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def detach(self) -> None:
        await self.asleep()
        self._conn = None

    async def ping(self) -> None:
        """Notice a silently dead LISTEN connection (raises)."""
        async with self._lock:
            if self._conn is not None:
                await self._conn.fetchval("SELECT 1")

    async def awake(self) -> None:
        """From now on writers skip their NOTIFY (no-op while not listening: they send it)."""
        async with self._lock:
            conn = self._conn
            if conn is None or self._awake_on is conn:
                return
            await conn.execute(_HOLD_AWAKE, self._schema)
            self._awake_on = conn

    async def asleep(self) -> None:
        """From now on writers NOTIFY again. Never raises: a dead connection released it."""
        async with self._lock:
            conn, self._awake_on = self._awake_on, None
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.execute(_RELEASE_AWAKE, self._schema)

    async def writers_done(self, pool: asyncpg.Pool) -> bool:
        """True when no writer is between its wake-up check and the end of its commit."""
        async with pool.acquire() as conn:
            done: bool = await conn.fetchval(_NO_WRITER_IN_FLIGHT, self._schema)
        return done
