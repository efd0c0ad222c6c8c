"""SQL for watched mailboxes: watch/subscription state, cursors, health and backoff."""

# ruff: noqa: S608  -- column lists are constants; every value is a bind parameter.

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

import asyncpg

from leadwire_ingest.domain.models import Mailbox, NotFound
from leadwire_ingest.store import Conn

_COLUMNS = ", ".join(f.name for f in fields(Mailbox))


def _mailbox(row: asyncpg.Record) -> Mailbox:
    return Mailbox(**dict(row))


async def upsert_connected(
    conn: Conn, mailbox_id: UUID, client_id: UUID, provider: str, address: str
) -> None:
    """(Re)activate a mailbox; a reconnect keeps its cursors and clears its errors."""
    await conn.execute(
        "INSERT INTO mailboxes (mailbox_id, client_id, provider, address) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (mailbox_id) DO UPDATE SET status = 'active', address = EXCLUDED.address,"
        " client_id = EXCLUDED.client_id, last_error = NULL, failing_since = NULL,"
        " failure_count = 0, next_poll_at = now(), next_renew_at = now(), updated_at = now()",
        mailbox_id,
        client_id,
        provider,
        address.lower(),
    )


async def get(conn: Conn, mailbox_id: UUID) -> Mailbox:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM mailboxes WHERE mailbox_id = $1", mailbox_id)
    if row is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return _mailbox(row)


async def find_active_by_address(conn: Conn, provider: str, address: str) -> list[Mailbox]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM mailboxes WHERE lower(address) = lower($1)"
        " AND provider = $2 AND status = 'active'",
        address,
        provider,
    )
    return [_mailbox(r) for r in rows]


async def find_by_subscription(conn: Conn, subscription_id: str) -> Mailbox | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM mailboxes WHERE subscription_id = $1", subscription_id
    )
    return _mailbox(row) if row else None


async def set_watch(conn: Conn, mailbox_id: UUID, history_id: str, expires_at: datetime) -> None:
    """Record a Gmail watch; the cursor is set only if none exists (a renewal keeps it)."""
    await conn.execute(
        "UPDATE mailboxes SET watch_expires_at = $2, history_id = COALESCE(history_id, $3),"
        " updated_at = now() WHERE mailbox_id = $1",
        mailbox_id,
        expires_at,
        history_id,
    )


async def set_subscription(
    conn: Conn,
    mailbox_id: UUID,
    subscription_id: str | None,
    expires_at: datetime | None,
    client_state_hash: str | None,
) -> None:
    await conn.execute(
        "UPDATE mailboxes SET subscription_id = $2, subscription_expires_at = $3,"
        " client_state_hash = COALESCE($4, client_state_hash), updated_at = now()"
        " WHERE mailbox_id = $1",
        mailbox_id,
        subscription_id,
        expires_at,
        client_state_hash,
    )


async def set_cursor(
    conn: Conn,
    mailbox_id: UUID,
    *,
    history_id: str | None = None,
    delta_link: str | None = None,
    sent_delta_link: str | None = None,
) -> None:
    """Advance the sync cursor (only called once what it covers is committed)."""
    await conn.execute(
        "UPDATE mailboxes SET history_id = COALESCE($2, history_id),"
        " delta_link = COALESCE($3, delta_link), sent_delta_link = COALESCE($4, sent_delta_link),"
        " updated_at = now() WHERE mailbox_id = $1",
        mailbox_id,
        history_id,
        delta_link,
        sent_delta_link,
    )


async def mark_push(conn: Conn, mailbox_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE mailboxes SET last_push_at = $2 WHERE mailbox_id = $1", mailbox_id, at
    )


async def mark_poll(conn: Conn, mailbox_id: UUID, at: datetime, next_poll_at: datetime) -> None:
    await conn.execute(
        "UPDATE mailboxes SET last_poll_at = $2, next_poll_at = $3 WHERE mailbox_id = $1",
        mailbox_id,
        at,
        next_poll_at,
    )


async def record_sync_success(
    conn: Conn, mailbox_id: UUID, at: datetime, lag_seconds: float | None
) -> Mailbox:
    """Clear the failure state; returns the mailbox as it was *before* (to see recovery)."""
    row = await conn.fetchrow(
        f"WITH before AS (SELECT {_COLUMNS} FROM mailboxes WHERE mailbox_id = $1 FOR UPDATE)"
        " , upd AS (UPDATE mailboxes SET last_sync_at = $2, lag_seconds = COALESCE($3, lag_seconds),"
        " failing_since = NULL, failure_count = 0, sync_failed_published = false,"
        " last_error = NULL WHERE mailbox_id = $1)"
        " SELECT * FROM before",
        mailbox_id,
        at,
        lag_seconds,
    )
    if row is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return _mailbox(row)


async def record_failure(conn: Conn, mailbox_id: UUID, error: str, at: datetime) -> Mailbox:
    row = await conn.fetchrow(
        "UPDATE mailboxes SET last_error = $2, last_error_at = $3,"
        " failing_since = COALESCE(failing_since, $3), failure_count = failure_count + 1"
        f" WHERE mailbox_id = $1 RETURNING {_COLUMNS}",
        mailbox_id,
        error[:1000],
        at,
    )
    if row is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return _mailbox(row)


async def mark_sync_failed_published(conn: Conn, mailbox_id: UUID) -> None:
    await conn.execute(
        "UPDATE mailboxes SET sync_failed_published = true WHERE mailbox_id = $1", mailbox_id
    )


async def stop(conn: Conn, mailbox_id: UUID) -> Mailbox | None:
    row = await conn.fetchrow(
        "UPDATE mailboxes SET status = 'stopped', updated_at = now() WHERE mailbox_id = $1"
        f" RETURNING {_COLUMNS}",
        mailbox_id,
    )
    return _mailbox(row) if row else None


async def due_for_poll(conn: Conn, now: datetime, limit: int) -> list[Mailbox]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM mailboxes WHERE status = 'active' AND next_poll_at <= $1"
        " ORDER BY next_poll_at LIMIT $2",
        now,
        limit,
    )
    return [_mailbox(r) for r in rows]


async def due_for_renewal(
    conn: Conn, now: datetime, horizon: datetime, limit: int
) -> list[Mailbox]:
    """Active mailboxes whose watch/subscription expires before `horizon` (or is missing)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM mailboxes WHERE status = 'active' AND next_renew_at <= $1"
        " AND COALESCE(CASE provider WHEN 'google' THEN watch_expires_at"
        " ELSE subscription_expires_at END, '-infinity') < $2"
        " ORDER BY next_renew_at LIMIT $3",
        now,
        horizon,
        limit,
    )
    return [_mailbox(r) for r in rows]


async def set_renew_result(
    conn: Conn, mailbox_id: UUID, *, failures: int, next_renew_at: datetime
) -> None:
    await conn.execute(
        "UPDATE mailboxes SET renew_failures = $2, next_renew_at = $3 WHERE mailbox_id = $1",
        mailbox_id,
        failures,
        next_renew_at,
    )
