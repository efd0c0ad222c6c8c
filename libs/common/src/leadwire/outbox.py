"""Transactional outbox: write events in the caller's transaction; a relay publishes them.

    async with pool.acquire() as conn, conn.transaction():
        await store.save_draft(conn, draft)
        await add_event(conn, new_event(DraftCreated(...), client_id=..., correlation_id=...))

The row and the NOTIFY (sent by a trigger, only when the relay is asleep) both take
effect at commit, so nothing is published for a transaction that rolled back.
`OutboxRelay` (leadwire.relay) does the publishing.

Purging: published rows are kept for `purge_published(conn, older_than=...)` (e.g. a daily
task keeping 7 days) so a recent event can still be inspected or re-sent by hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol
from uuid import UUID

import asyncpg

from leadwire.db import validate_schema

__all__ = [
    "CHANNEL_PREFIX",
    "add_event",
    "channel_name",
    "event_headers",
    "pending_count",
    "purge_published",
]

# NOTIFY channel per schema (spelled out again in migration 0003's trigger);
# `leadwire.relay` LISTENs on it. Kept with the writer: the outbox does not import its reader.
CHANNEL_PREFIX = "leadwire_outbox_"


def channel_name(schema: str) -> str:
    return CHANNEL_PREFIX + validate_schema(schema)


class OutgoingEvent(Protocol):
    """What the outbox needs of an event; `leadwire.events.Envelope` satisfies it."""

    @property
    def event_id(self) -> UUID: ...
    @property
    def type(self) -> str: ...
    @property
    def correlation_id(self) -> object: ...
    @property
    def client_id(self) -> object: ...
    def to_json_bytes(self) -> bytes: ...


def event_headers(event: OutgoingEvent) -> dict[str, str]:
    headers = {"event_type": event.type}
    for name in ("correlation_id", "client_id"):
        value = getattr(event, name)
        if value is not None:
            headers[name] = str(value)
    return headers


# The relay is woken at commit by the outbox_wake_relay trigger (migration 0003).
_INSERT = """
INSERT INTO outbox (id, type, routing_key, body, headers)
VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb)
"""


async def add_event(
    conn: asyncpg.Connection,
    envelope: OutgoingEvent,
    *,
    routing_key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Queue `envelope` for publishing, inside the caller's transaction.

    The routing key defaults to the event type (DESIGN.md: one topic exchange, key = type).
    At commit a trigger NOTIFYs the relay, unless it is awake already.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("add_event must run inside the transaction that writes the state change")
    all_headers = {**event_headers(envelope), **(headers or {})}
    await conn.execute(
        _INSERT,
        envelope.event_id,
        envelope.type,
        routing_key or envelope.type,
        envelope.to_json_bytes().decode("utf-8"),
        json.dumps(all_headers),
    )


async def pending_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count


async def purge_published(conn: asyncpg.Connection, *, older_than: timedelta) -> int:
    """Delete outbox rows published more than `older_than` ago; return how many."""
    result: str = await conn.execute(
        "DELETE FROM outbox WHERE published_at < now() - $1::interval", older_than
    )
    return int(result.split()[-1])
