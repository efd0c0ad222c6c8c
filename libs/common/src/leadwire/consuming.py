"""The one consumer pattern every service handler uses: transaction + inbox + effect + outbox.

    @runtime.consumer("leads", LeadReceived)
    async def draft_for_lead(event: Consumed[LeadReceived]) -> None:
        draft = compose_draft(event.payload)            # domain
        await store.insert_draft(event.conn, draft)     # the effect, in the transaction
        await event.publish(DraftCreated(...))          # an outbox row, same transaction

The helper opens a transaction on the service's pool, records the event in the inbox
(`leadwire.inbox`) and skips a redelivery; the body holds only its effect and its
`publish` calls. Retries and parking come from `leadwire.redelivery`: a contract
violation (unknown type, invalid payload, a type this handler does not take) or a
`Permanent` error parks at once; anything else raised is retried with backoff, then parked.

Per-key serialisation (`serialize_by`): a Postgres advisory lock on (queue, key), taken in
the handler's transaction. Chosen over per-key routing (consistent-hash exchanges, one
queue per shard) because it needs no extra topology, works with any number of replicas
and survives a replica dying (the lock goes with its connection); the cost is a waiting
handler holding a prefetch slot, which matters only for hot keys.

`transaction=False` is for bodies that call a provider before writing: the body runs
outside any transaction and opens one with `async with event.transaction() as conn:`,
which records the inbox there; `serialize_by` then holds a session-level lock for the
whole body.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg

from leadwire.events import Envelope, EventPayload, TypedEvent, UnknownEventError, new_event
from leadwire.inbox import first_delivery
from leadwire.outbox import add_event
from leadwire.redelivery import (
    DEFAULT_REDELIVERY,
    Permanent,
    RedeliveryPolicy,
    subscriber,
)

__all__ = [
    "AlreadyHandled",
    "Consumed",
    "ConsumerSpec",
    "Permanent",
    "RedeliveryPolicy",
    "advisory_key",
    "consume",
]

P = TypeVar("P", bound=EventPayload)

_SEEN = "SELECT 1 FROM inbox WHERE event_id = $1 AND consumer = $2"


class AlreadyHandled(Exception):
    """A concurrent delivery of this event committed first; the helper acks quietly."""


def advisory_key(namespace: str, key: Hashable) -> int:
    """A stable signed 64-bit advisory-lock key for `key` within `namespace`."""
    digest = hashlib.sha256(f"{namespace}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass
class Consumed(Generic[P]):
    """One delivered event as a handler sees it."""

    event: TypedEvent[P]
    pool: asyncpg.Pool
    consumer: str
    _conn: asyncpg.Connection | None = field(default=None, repr=False)
    # A connection the helper already holds (the per-key session lock's): transactions
    # reuse it, so a handler never waits for a second connection while holding one.
    _session: asyncpg.Connection | None = field(default=None, repr=False)

    @property
    def payload(self) -> P:
        return self.event.payload

    @property
    def envelope(self) -> Envelope:
        return self.event.envelope

    @property
    def event_id(self) -> UUID:
        return self.event.event_id

    @property
    def client_id(self) -> UUID | None:
        return self.event.client_id

    @property
    def correlation_id(self) -> UUID:
        return self.event.correlation_id

    @property
    def conn(self) -> asyncpg.Connection:
        """The connection of the handler's open transaction."""
        if self._conn is None:
            raise RuntimeError(
                f"{self.consumer}: no open transaction; use `async with event.transaction()`"
            )
        return self._conn

    async def publish(self, payload: EventPayload, *, client_id: UUID | None = None) -> None:
        """Queue an event caused by this one in the open transaction's outbox."""
        envelope = new_event(
            payload,
            client_id=client_id if client_id is not None else self.client_id,
            causation=self.envelope,
        )
        await add_event(self.conn, envelope)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """For `transaction=False` handlers: a transaction that records the inbox."""
        if self._conn is not None:
            raise RuntimeError(f"{self.consumer}: a transaction is already open")
        async with contextlib.AsyncExitStack() as stack:
            conn: asyncpg.Connection = self._session or await stack.enter_async_context(
                self.pool.acquire()
            )
            await stack.enter_async_context(conn.transaction())
            if not await first_delivery(conn, self.event_id, self.consumer):
                raise AlreadyHandled(str(self.event_id))
            self._conn = conn
            try:
                yield conn
            finally:
                self._conn = None


Body = Callable[[Consumed[Any]], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """What `consume` needs to run one handler: the types it takes and how."""

    name: str  # the inbox's consumer name: the queue name
    types: tuple[type[EventPayload], ...]
    pool: Callable[[], asyncpg.Pool]
    serialize_by: Callable[[Any], Hashable] | None = None
    transaction: bool = True


async def consume(spec: ConsumerSpec, body: Body, event: TypedEvent[EventPayload]) -> None:
    """Run `body` for `event` under the consumer pattern (see the module docstring)."""
    if not isinstance(event.payload, spec.types):
        names = ", ".join(t.event_type for t in spec.types)
        raise UnknownEventError(f"{spec.name} takes {names}, got {event.event_type!r}")
    pool = spec.pool()
    if spec.transaction:
        async with pool.acquire() as conn, conn.transaction():
            if not await first_delivery(conn, event.event_id, spec.name):
                return
            if spec.serialize_by is not None:
                key = advisory_key(spec.name, spec.serialize_by(event.payload))
                await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
            await body(Consumed(event, pool, spec.name, conn))
        return
    async with _session_lock(pool, spec, event) as session:
        if await (session or pool).fetchval(_SEEN, event.event_id, spec.name):
            return
        with contextlib.suppress(AlreadyHandled):
            await body(Consumed(event, pool, spec.name, _session=session))


@contextlib.asynccontextmanager
async def _session_lock(
    pool: asyncpg.Pool, spec: ConsumerSpec, event: TypedEvent[EventPayload]
) -> AsyncIterator[asyncpg.Connection | None]:
    if spec.serialize_by is None:
        yield None
        return
    key = advisory_key(spec.name, spec.serialize_by(event.payload))
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", key)
        try:
            yield conn
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)


def register_consumer(
    broker: Any,
    queue: Any,
    spec: ConsumerSpec,
    body: Body,
    *,
    policy: RedeliveryPolicy = DEFAULT_REDELIVERY,
) -> None:
    """Subscribe `body` on `queue` under the consumer pattern with `policy`'s retries."""

    async def handle(event: TypedEvent[EventPayload]) -> None:
        await consume(spec, body, event)

    handle.__name__ = getattr(body, "__name__", "handler")
    handle.__doc__ = body.__doc__
    subscriber(broker, queue, retry_policy=policy)(handle)
