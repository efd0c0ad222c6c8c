"""SQL for the follow-up schedule: one row per lead thread we answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leadwire_sender.store import Conn


@dataclass(frozen=True)
class FollowUpRow:
    lead_id: UUID
    client_id: UUID
    last_outbound_id: UUID
    step: int
    due_at: datetime


async def schedule(conn: Conn, row: FollowUpRow) -> None:
    """Schedule (or move on to) the next follow-up, unless the thread was stopped."""
    await conn.execute(
        "INSERT INTO follow_ups (lead_id, client_id, last_outbound_id, step, due_at, status)"
        " VALUES ($1, $2, $3, $4, $5, 'scheduled') ON CONFLICT (lead_id) DO UPDATE SET"
        " last_outbound_id = $3, step = $4, due_at = $5, status = 'scheduled',"
        " updated_at = now() WHERE follow_ups.status <> 'cancelled'",
        row.lead_id, row.client_id, row.last_outbound_id, row.step, row.due_at,
    )  # fmt: skip


async def finish(conn: Conn, lead_id: UUID, status: str, reason: str) -> bool:
    result = await conn.execute(
        "UPDATE follow_ups SET status = $2, reason = $3, updated_at = now()"
        " WHERE lead_id = $1 AND status = 'scheduled'",
        lead_id,
        status,
        reason,
    )
    return str(result).endswith(" 1")


async def lock_due(conn: Conn, now: datetime, limit: int) -> list[FollowUpRow]:
    rows = await conn.fetch(
        "SELECT lead_id, client_id, last_outbound_id, step, due_at FROM follow_ups"
        " WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at LIMIT $2"
        " FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [FollowUpRow(**dict(r)) for r in rows]


async def get_status(conn: Conn, lead_id: UUID) -> tuple[str, int] | None:
    row = await conn.fetchrow("SELECT status, step FROM follow_ups WHERE lead_id = $1", lead_id)
    return (row["status"], row["step"]) if row is not None else None


async def cancel(conn: Conn, lead_id: UUID, reason: str) -> bool:
    """Stop the sequence for good (a later send will not revive it)."""
    result = await conn.execute(
        "UPDATE follow_ups SET status = 'cancelled', reason = $2, updated_at = now()"
        " WHERE lead_id = $1 AND status <> 'cancelled'",
        lead_id,
        reason,
    )
    return str(result).endswith(" 1")
