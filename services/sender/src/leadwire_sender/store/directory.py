"""SQL for what the sender knows from events (mailboxes, clients, blocked leads) and the
per-mailbox send budget rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from leadwire_sender.domain.budget import BudgetState
from leadwire_sender.store import Conn, NotFoundError


@dataclass(frozen=True)
class MailboxRow:
    mailbox_id: UUID
    client_id: UUID
    provider: str
    address: str
    display_name: str
    status: str


@dataclass(frozen=True)
class ClientRow:
    client_id: UUID
    revision: int
    primary_mailbox_id: UUID | None
    follow_up: dict[str, Any]
    business_hours: dict[str, Any] | None
    deleted: bool


async def upsert_mailbox(conn: Conn, mailbox: MailboxRow) -> None:
    await conn.execute(
        "INSERT INTO mailboxes (mailbox_id, client_id, provider, address, display_name, status)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mailbox_id) DO UPDATE SET"
        " client_id = $2, provider = $3, address = $4,"
        " display_name = CASE WHEN $5 = '' THEN mailboxes.display_name ELSE $5 END,"
        " status = $6, updated_at = now()",
        mailbox.mailbox_id, mailbox.client_id, mailbox.provider, mailbox.address,
        mailbox.display_name, mailbox.status,
    )  # fmt: skip


async def get_mailbox(conn: Conn, mailbox_id: UUID) -> MailboxRow:
    row = await conn.fetchrow(
        "SELECT mailbox_id, client_id, provider, address, display_name, status FROM mailboxes"
        " WHERE mailbox_id = $1",
        mailbox_id,
    )
    if row is None:
        raise NotFoundError("mailbox", mailbox_id)
    return MailboxRow(**dict(row))


async def first_connected_mailbox(conn: Conn, client_id: UUID) -> UUID | None:
    value = await conn.fetchval(
        "SELECT mailbox_id FROM mailboxes WHERE client_id = $1 AND status = 'connected'"
        " ORDER BY updated_at LIMIT 1",
        client_id,
    )
    return value if isinstance(value, UUID) else None


async def upsert_client(conn: Conn, client: ClientRow) -> bool:
    """Store the snapshot unless a newer revision is already here; True if stored."""
    stored = await conn.fetchval(
        "INSERT INTO clients (client_id, revision, primary_mailbox_id, follow_up,"
        " business_hours, deleted) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (client_id) DO UPDATE SET revision = $2, primary_mailbox_id = $3,"
        " follow_up = $4, business_hours = $5, deleted = $6, updated_at = now()"
        " WHERE clients.revision <= $2 RETURNING true",
        client.client_id, client.revision, client.primary_mailbox_id, client.follow_up,
        client.business_hours, client.deleted,
    )  # fmt: skip
    return bool(stored)


async def get_client(conn: Conn, client_id: UUID) -> ClientRow | None:
    """None when no client.changed has arrived yet (the sender then uses defaults)."""
    row = await conn.fetchrow(
        "SELECT client_id, revision, primary_mailbox_id, follow_up, business_hours, deleted"
        " FROM clients WHERE client_id = $1",
        client_id,
    )
    return ClientRow(**dict(row)) if row is not None else None


async def block_lead(conn: Conn, lead_id: UUID, reason: str) -> None:
    await conn.execute(
        "INSERT INTO blocked_leads (lead_id, reason) VALUES ($1, $2)"
        " ON CONFLICT (lead_id) DO NOTHING",
        lead_id,
        reason,
    )


async def lead_block_reason(conn: Conn, lead_id: UUID) -> str | None:
    value = await conn.fetchval("SELECT reason FROM blocked_leads WHERE lead_id = $1", lead_id)
    return str(value) if value is not None else None


async def lock_budget(conn: Conn, mailbox_id: UUID) -> BudgetState | None:
    row = await conn.fetchrow(
        "SELECT tokens, refilled_at, day, sent_today FROM send_budgets WHERE mailbox_id = $1"
        " FOR UPDATE",
        mailbox_id,
    )
    return BudgetState(**dict(row)) if row is not None else None


async def save_budget(conn: Conn, mailbox_id: UUID, state: BudgetState) -> None:
    await conn.execute(
        "INSERT INTO send_budgets (mailbox_id, tokens, refilled_at, day, sent_today)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mailbox_id) DO UPDATE SET"
        " tokens = $2, refilled_at = $3, day = $4, sent_today = $5",
        mailbox_id, state.tokens, state.refilled_at, state.day, state.sent_today,
    )  # fmt: skip


async def ensure_budget_row(conn: Conn, mailbox_id: UUID, state: BudgetState) -> None:
    """Create the row if missing, so concurrent first sends lock the same row."""
    await conn.execute(
        "INSERT INTO send_budgets (mailbox_id, tokens, refilled_at, day, sent_today)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mailbox_id) DO NOTHING",
        mailbox_id, state.tokens, state.refilled_at, state.day, state.sent_today,
    )  # fmt: skip


async def find_idempotent(conn: Conn, scope: str, key: str) -> tuple[str, UUID] | None:
    row = await conn.fetchrow(
        "SELECT request_hash, outbound_id FROM idempotency_keys WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    return (row["request_hash"], row["outbound_id"]) if row is not None else None


async def insert_idempotent(
    conn: Conn, scope: str, key: str, request_hash: str, outbound_id: UUID
) -> bool:
    inserted = await conn.fetchval(
        "INSERT INTO idempotency_keys (scope, key, request_hash, outbound_id)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
        scope, key, request_hash, outbound_id,
    )  # fmt: skip
    return bool(inserted)


async def purge_idempotency_keys(conn: Conn, older_than: datetime) -> None:
    await conn.execute("DELETE FROM idempotency_keys WHERE created_at < $1", older_than)
