"""All SQL of the oauth service. Each function takes a connection so the
caller decides the transaction (state change + outbox rows commit together)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from leadwire_oauth.domain.models import Client, Mailbox, PendingFlow

# A plain connection or one borrowed from a pool: the same query API.
Conn: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

_CLIENT_COLUMNS = (
    "id, name, slug, auto_send, business_hours, reply_delay_seconds, profile, allowed_origins,"
    " slack_webhook_enc, slack_webhook_hint, revision, created_at, updated_at, pipeline"
)
_MAILBOX_COLUMNS = (
    "id, client_id, provider, address, display_name, status, scopes, access_token_enc,"
    " refresh_token_enc, access_expires_at, last_refresh_at, last_error, connected_at, updated_at"
)


def _jsonish(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _client(row: asyncpg.Record) -> Client:
    data = dict(row)
    data["business_hours"] = _jsonish(data["business_hours"])
    data["profile"] = _jsonish(data["profile"]) or {}
    data["pipeline"] = _jsonish(data["pipeline"]) or {}
    data["allowed_origins"] = list(data["allowed_origins"] or [])
    return Client(**data)


def _mailbox(row: asyncpg.Record) -> Mailbox:
    data = dict(row)
    data["scopes"] = list(data["scopes"] or [])
    return Mailbox(**data)


# --- clients ----------------------------------------------------------------


async def insert_client(conn: Conn, client: dict[str, Any]) -> Client:
    row = await conn.fetchrow(
        f"""INSERT INTO clients (id, name, slug, auto_send, business_hours, reply_delay_seconds,
                                 profile, allowed_origins, slack_webhook_enc, slack_webhook_hint,
                                 pipeline)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8, $9, $10, $11::jsonb)
            RETURNING {_CLIENT_COLUMNS}""",
        client["id"],
        client["name"],
        client["slug"],
        client["auto_send"],
        client["business_hours"],
        client["reply_delay_seconds"],
        client["profile"],
        client["allowed_origins"],
        client.get("slack_webhook_enc"),
        client.get("slack_webhook_hint"),
        client.get("pipeline") or {},
    )
    assert row is not None
    return _client(row)


async def get_client(conn: Conn, client_id: UUID, *, for_update: bool = False) -> Client | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_CLIENT_COLUMNS} FROM clients WHERE id = $1{lock}", client_id
    )
    return _client(row) if row else None


async def list_clients(conn: Conn, *, limit: int, offset: int) -> list[Client]:
    rows = await conn.fetch(
        f"SELECT {_CLIENT_COLUMNS} FROM clients ORDER BY created_at, id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [_client(r) for r in rows]


async def update_client(conn: Conn, client_id: UUID, changes: dict[str, Any]) -> Client:
    """`changes` holds only validated column names of the clients table."""
    assignments, values = [], []
    for index, (column, value) in enumerate(changes.items(), start=2):
        # the pool's jsonb codec encodes dicts: no json.dumps here (it would store a string)
        cast = "::jsonb" if column in ("business_hours", "profile", "pipeline") else ""
        assignments.append(f"{column} = ${index}{cast}")
        values.append(value)
    assignments.append("updated_at = now(), revision = revision + 1")
    row = await conn.fetchrow(
        f"UPDATE clients SET {', '.join(assignments)} WHERE id = $1 RETURNING {_CLIENT_COLUMNS}",
        client_id,
        *values,
    )
    assert row is not None
    return _client(row)


async def claim_primary_mailbox(conn: Conn, client_id: UUID, mailbox_id: UUID) -> Client | None:
    """Make `mailbox_id` the client's primary mailbox if it has none; the changed client,
    or None when it already had one."""
    row = await conn.fetchrow(
        f"""UPDATE clients
            SET pipeline = jsonb_set(pipeline, '{{primary_mailbox_id}}', to_jsonb($2::text)),
                revision = revision + 1, updated_at = now()
            WHERE id = $1 AND pipeline->>'primary_mailbox_id' IS NULL
            RETURNING {_CLIENT_COLUMNS}""",
        client_id,
        str(mailbox_id),
    )
    return _client(row) if row else None


async def client_webhooks(conn: Conn) -> list[tuple[UUID, bytes]]:
    rows = await conn.fetch(
        "SELECT id, slack_webhook_enc FROM clients WHERE slack_webhook_enc IS NOT NULL"
    )
    return [(r["id"], bytes(r["slack_webhook_enc"])) for r in rows]


async def set_client_webhook_ciphertext(conn: Conn, client_id: UUID, blob: bytes) -> None:
    await conn.execute("UPDATE clients SET slack_webhook_enc = $2 WHERE id = $1", client_id, blob)


# --- oauth flows ----------------------------------------------------------------


async def insert_flow(conn: Conn, flow: PendingFlow) -> None:
    await conn.execute(
        """INSERT INTO oauth_flows (nonce, client_id, provider, browser_hash, secret_enc, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        flow.nonce,
        flow.client_id,
        flow.provider,
        flow.browser_hash,
        flow.secret_enc,
        flow.expires_at,
    )


async def get_flow_for_update(conn: Conn, nonce: str) -> PendingFlow | None:
    row = await conn.fetchrow(
        """SELECT nonce, client_id, provider, browser_hash, secret_enc, expires_at, used_at
           FROM oauth_flows WHERE nonce = $1 FOR UPDATE""",
        nonce,
    )
    return PendingFlow(**dict(row)) if row else None


async def mark_flow_used(conn: Conn, nonce: str, now: datetime) -> None:
    await conn.execute("UPDATE oauth_flows SET used_at = $2 WHERE nonce = $1", nonce, now)


async def delete_expired_flows(conn: Conn, before: datetime) -> int:
    status = await conn.execute("DELETE FROM oauth_flows WHERE expires_at < $1", before)
    return int(str(status).split()[-1])


# --- mailboxes ----------------------------------------------------------------


async def get_mailbox(conn: Conn, mailbox_id: UUID, *, for_update: bool = False) -> Mailbox | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1{lock}", mailbox_id
    )
    return _mailbox(row) if row else None


async def find_mailbox(conn: Conn, provider: str, address: str) -> Mailbox | None:
    row = await conn.fetchrow(
        f"SELECT {_MAILBOX_COLUMNS} FROM mailboxes WHERE provider = $1 AND lower(address) = lower($2)"
        " FOR UPDATE",
        provider,
        address,
    )
    return _mailbox(row) if row else None


async def list_mailboxes(conn: Conn, client_id: UUID) -> list[Mailbox]:
    rows = await conn.fetch(
        f"SELECT {_MAILBOX_COLUMNS} FROM mailboxes WHERE client_id = $1 ORDER BY connected_at, id",
        client_id,
    )
    return [_mailbox(r) for r in rows]


async def save_connected_mailbox(conn: Conn, mailbox: Mailbox) -> Mailbox:
    row = await conn.fetchrow(
        f"""INSERT INTO mailboxes (id, client_id, provider, address, display_name, status, scopes,
                access_token_enc, refresh_token_enc, access_expires_at, last_refresh_at, last_error,
                connected_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, 'connected', $6, $7, $8, $9, $10, NULL, now(), now())
            ON CONFLICT (id) DO UPDATE SET
                client_id = EXCLUDED.client_id, display_name = EXCLUDED.display_name,
                status = 'connected', scopes = EXCLUDED.scopes,
                access_token_enc = EXCLUDED.access_token_enc,
                refresh_token_enc = EXCLUDED.refresh_token_enc,
                access_expires_at = EXCLUDED.access_expires_at,
                last_refresh_at = EXCLUDED.last_refresh_at, last_error = NULL,
                connected_at = now(), updated_at = now()
            RETURNING {_MAILBOX_COLUMNS}""",
        mailbox.id,
        mailbox.client_id,
        mailbox.provider,
        mailbox.address,
        mailbox.display_name,
        mailbox.scopes,
        mailbox.access_token_enc,
        mailbox.refresh_token_enc,
        mailbox.access_expires_at,
        mailbox.last_refresh_at,
    )
    assert row is not None
    return _mailbox(row)


async def save_refreshed_tokens(
    conn: Conn,
    mailbox_id: UUID,
    access_enc: bytes,
    refresh_enc: bytes | None,
    expires_at: datetime,
    refreshed_at: datetime,
) -> None:
    # A rotated refresh token is saved in the same statement as its access token.
    await conn.execute(
        """UPDATE mailboxes SET access_token_enc = $2,
                  refresh_token_enc = COALESCE($3, refresh_token_enc),
                  access_expires_at = $4, last_refresh_at = $5, status = 'connected',
                  last_error = NULL, updated_at = now()
           WHERE id = $1""",
        mailbox_id,
        access_enc,
        refresh_enc,
        expires_at,
        refreshed_at,
    )


async def set_mailbox_status(conn: Conn, mailbox_id: UUID, status: str, error: str | None) -> None:
    await conn.execute(
        "UPDATE mailboxes SET status = $2, last_error = $3, updated_at = now() WHERE id = $1",
        mailbox_id,
        status,
        error,
    )


async def wipe_mailbox_tokens(conn: Conn, mailbox_id: UUID, status: str, error: str | None) -> None:
    await conn.execute(
        """UPDATE mailboxes SET access_token_enc = NULL, refresh_token_enc = NULL,
                  access_expires_at = NULL, status = $2, last_error = $3, updated_at = now()
           WHERE id = $1""",
        mailbox_id,
        status,
        error,
    )


async def mailbox_token_ciphertexts(conn: Conn) -> list[tuple[UUID, bytes | None, bytes | None]]:
    rows = await conn.fetch(
        "SELECT id, access_token_enc, refresh_token_enc FROM mailboxes"
        " WHERE access_token_enc IS NOT NULL OR refresh_token_enc IS NOT NULL"
    )
    return [(r["id"], r["access_token_enc"], r["refresh_token_enc"]) for r in rows]


async def set_mailbox_token_ciphertexts(
    conn: Conn, mailbox_id: UUID, access_enc: bytes | None, refresh_enc: bytes | None
) -> None:
    await conn.execute(
        "UPDATE mailboxes SET access_token_enc = $2, refresh_token_enc = $3 WHERE id = $1",
        mailbox_id,
        access_enc,
        refresh_enc,
    )


async def flow_secret_ciphertexts(conn: Conn) -> Sequence[asyncpg.Record]:
    rows: Sequence[asyncpg.Record] = await conn.fetch(
        "SELECT nonce, secret_enc FROM oauth_flows WHERE used_at IS NULL"
    )
    return rows


async def set_flow_secret_ciphertext(conn: Conn, nonce: str, blob: bytes) -> None:
    await conn.execute("UPDATE oauth_flows SET secret_enc = $2 WHERE nonce = $1", nonce, blob)
