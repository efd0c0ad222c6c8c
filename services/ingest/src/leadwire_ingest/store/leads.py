"""SQL for the read model: leads, their status, the timeline, contacts with their leads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from leadwire_ingest.domain.models import Activity, Contact, Lead, LeadStatus, NotFound
from leadwire_ingest.store import Conn

_LEAD_COLUMNS = (
    "l.lead_id, l.client_id, l.contact_id, l.source, l.mailbox_id, l.provider,"
    " l.provider_message_id, l.provider_thread_id, l.rfc_message_id, l.subject, l.body_text,"
    " l.status, l.received_at, l.created_at, l.updated_at,"
    " c.email AS contact_email, c.name AS contact_name"
)
_FROM = "FROM leads l JOIN contacts c ON c.contact_id = l.contact_id"


@dataclass(frozen=True)
class LeadFilter:
    client_id: UUID | None = None
    status: str | None = None
    mailbox_id: UUID | None = None
    text: str | None = None
    # Keyset cursor: the (created_at, lead_id) of the last row of the previous page.
    after: tuple[datetime, UUID] | None = None
    limit: int = 50


def _lead(row: asyncpg.Record) -> Lead:
    return Lead(**dict(row))


async def insert_activity(conn: Conn, activity: Activity) -> None:
    await conn.execute(
        "INSERT INTO activities (client_id, lead_id, contact_id, mailbox_id, kind, summary,"
        " detail, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        activity.client_id,
        activity.lead_id,
        activity.contact_id,
        activity.mailbox_id,
        activity.kind,
        activity.summary[:2000],
        json.loads(json.dumps(activity.detail, default=str)),  # JSON-safe values only
        activity.occurred_at,
    )


async def get_lead(conn: Conn, lead_id: UUID, *, for_update: bool = False) -> Lead:
    lock = " FOR UPDATE OF l" if for_update else ""
    row = await conn.fetchrow(f"SELECT {_LEAD_COLUMNS} {_FROM} WHERE l.lead_id = $1{lock}", lead_id)
    if row is None:
        raise NotFound(f"no lead {lead_id}")
    return _lead(row)


async def set_status(
    conn: Conn, lead_id: UUID, status: LeadStatus, *, before_close: str | None = None
) -> None:
    await conn.execute(
        "UPDATE leads SET status = $2, status_before_close = COALESCE($3, status_before_close),"
        " updated_at = now() WHERE lead_id = $1",
        lead_id,
        status,
        before_close,
    )


async def status_before_close(conn: Conn, lead_id: UUID) -> LeadStatus | None:
    value: LeadStatus | None = await conn.fetchval(
        "SELECT status_before_close FROM leads WHERE lead_id = $1", lead_id
    )
    return value


async def list_leads(conn: Conn, f: LeadFilter) -> list[Lead]:
    where: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.client_id:
        where.append(f"l.client_id = {arg(f.client_id)}")
    if f.status:
        where.append(f"l.status = {arg(f.status)}")
    if f.mailbox_id:
        where.append(f"l.mailbox_id = {arg(f.mailbox_id)}")
    if f.text:
        pattern = arg(
            "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where.append(
            f"(l.subject ILIKE {pattern} OR l.body_text ILIKE {pattern}"
            f" OR c.email ILIKE {pattern} OR c.name ILIKE {pattern})"
        )
    if f.after:
        where.append(f"(l.created_at, l.lead_id) < ({arg(f.after[0])}, {arg(f.after[1])})")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = await conn.fetch(
        f"SELECT {_LEAD_COLUMNS} {_FROM} {clause}"
        f" ORDER BY l.created_at DESC, l.lead_id DESC LIMIT {arg(f.limit)}",
        *args,
    )
    return [_lead(r) for r in rows]


async def lead_timeline(conn: Conn, lead_id: UUID) -> list[Activity]:
    rows = await conn.fetch(
        "SELECT client_id, kind, summary, occurred_at, lead_id, contact_id, mailbox_id, detail"
        " FROM activities WHERE lead_id = $1 ORDER BY occurred_at, created_at",
        lead_id,
    )
    return [_activity(r) for r in rows]


def _activity(row: asyncpg.Record) -> Activity:
    data = dict(row)
    detail = data["detail"]
    data["detail"] = json.loads(detail) if isinstance(detail, str) else dict(detail or {})
    return Activity(**data)


async def get_contact(conn: Conn, contact_id: UUID) -> Contact:
    row = await conn.fetchrow(
        "SELECT contact_id, client_id, email, name, phone, company, created_at FROM contacts"
        " WHERE contact_id = $1",
        contact_id,
    )
    if row is None:
        raise NotFound(f"no contact {contact_id}")
    return Contact(**dict(row))


async def contact_leads(conn: Conn, contact_id: UUID) -> list[Lead]:
    rows = await conn.fetch(
        f"SELECT {_LEAD_COLUMNS} {_FROM} WHERE l.contact_id = $1 ORDER BY l.created_at DESC",
        contact_id,
    )
    return [_lead(r) for r in rows]


async def contact_emails(conn: Conn, contact_id: UUID, limit: int) -> list[Activity]:
    """The contact's latest emails in and out (for a new lead's `history`), newest first."""
    rows = await conn.fetch(
        "SELECT client_id, kind, summary, occurred_at, lead_id, contact_id, mailbox_id, detail"
        " FROM activities WHERE contact_id = $1 AND kind IN ('email_in', 'email_out', 'form_in')"
        " ORDER BY occurred_at DESC LIMIT $2",
        contact_id,
        limit,
    )
    return [_activity(r) for r in rows]
