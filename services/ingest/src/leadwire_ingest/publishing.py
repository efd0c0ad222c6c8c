"""Queueing events in the caller's transaction (outbox), for routes, jobs and syncs."""

from __future__ import annotations

from uuid import UUID

from leadwire.events import EventPayload, new_event
from leadwire.outbox import add_event
from leadwire_ingest.store import Conn


async def publish(
    conn: Conn, payload: EventPayload, *, client_id: UUID, correlation_id: UUID | None = None
) -> None:
    """Add `payload` to the outbox; it is published after the transaction commits."""
    envelope = new_event(payload, client_id=client_id, correlation_id=correlation_id)
    await add_event(conn, envelope)
