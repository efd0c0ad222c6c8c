"""SQL of `leads` (who each lead is) and `drafts` (announced drafts, their decisions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from leadwire_notifier.domain.notices import LeadContext
from leadwire_notifier.store import QUEUE_CHANNEL_PREFIX, Conn


async def remember_lead(conn: Conn, client_id: UUID, lead: LeadContext) -> None:
    await conn.execute(
        """INSERT INTO leads (lead_id, client_id, name, address, subject)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (lead_id) DO NOTHING""",
        lead.lead_id,
        client_id,
        lead.name,
        lead.address,
        lead.subject,
    )


async def get_lead(conn: Conn, lead_id: UUID) -> LeadContext | None:
    row = await conn.fetchrow(
        "SELECT lead_id, name, address, subject FROM leads WHERE lead_id = $1", lead_id
    )
    return LeadContext(**dict(row)) if row else None


@dataclass(frozen=True)
class DraftRecord:
    draft_id: UUID
    client_id: UUID
    lead_id: UUID
    correlation_id: UUID | None
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None


async def remember_draft(
    conn: Conn, draft_id: UUID, client_id: UUID, lead_id: UUID, correlation_id: UUID | None
) -> None:
    await conn.execute(
        """INSERT INTO drafts (draft_id, client_id, lead_id, correlation_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT (draft_id) DO NOTHING""",
        draft_id,
        client_id,
        lead_id,
        correlation_id,
    )


async def get_draft_for_update(conn: Conn, draft_id: UUID) -> DraftRecord | None:
    row = await conn.fetchrow(
        """SELECT draft_id, client_id, lead_id, correlation_id, decision, decided_by, decided_at
           FROM drafts WHERE draft_id = $1 FOR UPDATE""",
        draft_id,
    )
    return DraftRecord(**dict(row)) if row else None


async def record_decision(
    conn: Conn,
    draft_id: UUID,
    *,
    decision: str,
    decided_by: str,
    decided_at: datetime,
    event_id: UUID,
    response_url: str | None,
    response_message: dict[str, Any] | None,
) -> None:
    await conn.execute(
        """UPDATE drafts SET decision = $2, decided_by = $3, decided_at = $4,
                             decision_event_id = $5, response_url = $6, response_message = $7
           WHERE draft_id = $1""",
        draft_id,
        decision,
        decided_by,
        decided_at,
        event_id,
        response_url,
        response_message,
    )
    if response_url:  # wakes a delivery loop, which posts the update after the commit
        await conn.execute("SELECT pg_notify($1 || current_schema(), '')", QUEUE_CHANNEL_PREFIX)


async def record_decision_elsewhere(
    conn: Conn, draft_id: UUID, decision: str, decided_by: str, decided_at: datetime
) -> None:
    """A decision the drafter announced (console, or ours echoed back): kept only if this
    draft has none yet, so a later Slack click answers it instead of deciding again."""
    await conn.execute(
        """UPDATE drafts SET decision = $2, decided_by = $3, decided_at = $4
           WHERE draft_id = $1 AND decision IS NULL""",
        draft_id,
        decision,
        decided_by,
        decided_at,
    )


@dataclass(frozen=True)
class DueResponse:
    draft_id: UUID
    response_url: str
    message: dict[str, Any]
    age_seconds: float


async def claim_due_response(conn: Conn, lease_seconds: float) -> DueResponse | None:
    """Lease one decided draft whose Slack message is still to update: no other worker
    takes it until the lease ends (a failed post is retried then)."""
    row = await conn.fetchrow(
        """WITH due AS (
               SELECT draft_id FROM drafts
               WHERE response_url IS NOT NULL
                 AND (response_leased_until IS NULL
                      OR response_leased_until < clock_timestamp())
               ORDER BY decided_at FOR UPDATE SKIP LOCKED LIMIT 1)
           UPDATE drafts
           SET response_leased_until = clock_timestamp() + make_interval(secs => $1)
           FROM due WHERE drafts.draft_id = due.draft_id
           RETURNING drafts.draft_id, drafts.response_url,
                     drafts.response_message AS message,
                     extract(epoch FROM clock_timestamp() - drafts.decided_at)::float8
                         AS age_seconds""",
        lease_seconds,
    )
    return DueResponse(**dict(row)) if row else None


async def mark_responded(conn: Conn, draft_id: UUID) -> None:
    await conn.execute(
        """UPDATE drafts SET response_url = NULL, response_message = NULL,
                             response_leased_until = NULL, responded_at = clock_timestamp()
           WHERE draft_id = $1""",
        draft_id,
    )


async def purge_records(conn: Conn, older_than_days: int) -> int:
    """Forget leads and drafts older than the retention (a draft still to update stays)."""
    leads = await conn.execute(
        "DELETE FROM leads WHERE created_at < now() - make_interval(days => $1)",
        older_than_days,
    )
    drafts = await conn.execute(
        """DELETE FROM drafts WHERE created_at < now() - make_interval(days => $1)
                                AND response_url IS NULL""",
        older_than_days,
    )
    return int(str(leads).split()[-1]) + int(str(drafts).split()[-1])
