"""SQL for the client projection (from client.changed)."""

# ruff: noqa: S608  -- column lists are constants; every value is a bind parameter.

from __future__ import annotations

from uuid import UUID

import asyncpg

from leadwire_ingest.domain.models import ClientInfo, NotFound
from leadwire_ingest.store import Conn

_COLUMNS = (
    "client_id, slug, name, revision, allowed_origins, own_domains, denied_domains,"
    " primary_mailbox_id, deleted"
)


def _client(row: asyncpg.Record) -> ClientInfo:
    data = dict(row)
    for name in ("allowed_origins", "own_domains", "denied_domains"):
        data[name] = tuple(data[name] or ())
    return ClientInfo(**data)


async def upsert(conn: Conn, client: ClientInfo) -> bool:
    """Store the snapshot unless a newer revision is already stored; True if stored."""
    status = await conn.execute(
        f"INSERT INTO clients ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (client_id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name,"
        " revision = EXCLUDED.revision, allowed_origins = EXCLUDED.allowed_origins,"
        " own_domains = EXCLUDED.own_domains, denied_domains = EXCLUDED.denied_domains,"
        " primary_mailbox_id = EXCLUDED.primary_mailbox_id, deleted = EXCLUDED.deleted,"
        " updated_at = now() WHERE clients.revision <= EXCLUDED.revision",
        client.client_id,
        client.slug,
        client.name,
        client.revision,
        list(client.allowed_origins),
        list(client.own_domains),
        list(client.denied_domains),
        client.primary_mailbox_id,
        client.deleted,
    )
    return str(status).endswith(" 1")


async def free_slug(conn: Conn, slug: str, client_id: UUID) -> None:
    """A slug moved to another client: the old holder (deleted or renamed) lets go."""
    await conn.execute(
        "UPDATE clients SET slug = slug || '~' || left(client_id::text, 8)"
        " WHERE slug = $1 AND client_id <> $2",
        slug,
        client_id,
    )


async def get(conn: Conn, client_id: UUID) -> ClientInfo | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM clients WHERE client_id = $1", client_id)
    return _client(row) if row else None


async def get_by_slug(conn: Conn, slug: str) -> ClientInfo:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM clients WHERE slug = $1 AND NOT deleted", slug
    )
    if row is None:
        raise NotFound(f"no client with slug {slug!r}")
    return _client(row)
