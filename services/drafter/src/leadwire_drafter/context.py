"""What the drafter's use cases share: the pool, the LLM writer, settings and a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

import asyncpg

from leadwire.events import Envelope, EventPayload, new_event
from leadwire.outbox import add_event
from leadwire_drafter.locks import KeyedLocks
from leadwire_drafter.providers.llm import DraftWriter
from leadwire_drafter.settings import DrafterSettings
from leadwire_drafter.store import Conn

# Opens one transaction and yields its connection (a pool's, or a consumer's own that
# also records the inbox row).
Transaction = Callable[[], AbstractAsyncContextManager[Conn]]


class HasPool(Protocol):
    @property
    def pool(self) -> asyncpg.Pool: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DrafterContext:
    settings: DrafterSettings
    runtime: HasPool
    writer: DraftWriter | None
    clock: Callable[[], datetime] = field(default=_utc_now)
    lead_locks: KeyedLocks = field(default_factory=KeyedLocks)

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    @property
    def model(self) -> str:
        return self.writer.model if self.writer is not None else "template"

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        s = self.settings
        per_token = Decimal(1) / Decimal(1_000_000)
        return (
            Decimal(str(s.openai_prompt_cost_per_mtok)) * prompt_tokens
            + Decimal(str(s.openai_completion_cost_per_mtok)) * completion_tokens
        ) * per_token

    def transaction(self) -> AbstractAsyncContextManager[Conn]:
        return _pool_transaction(self.pool)


@asynccontextmanager
async def _pool_transaction(pool: asyncpg.Pool) -> AsyncIterator[Conn]:
    async with pool.acquire() as conn, conn.transaction():
        yield conn


@dataclass(frozen=True)
class Cause:
    """Who caused the events we publish: the incoming event, or an admin request."""

    client_id: UUID
    correlation_id: UUID | None = None
    envelope: Envelope | None = None


async def emit(conn: Conn, cause: Cause, payload: EventPayload) -> None:
    """Queue `payload` in the outbox, inside the caller's transaction."""
    event = new_event(
        payload,
        client_id=cause.client_id,
        correlation_id=cause.correlation_id,
        causation=cause.envelope,
    )
    await add_event(conn, event)
