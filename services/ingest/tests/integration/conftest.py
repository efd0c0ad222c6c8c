"""Fixtures for ingest's integration tests: its schema migrated, a client and mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest_asyncio

from leadwire.db import create_pool, run_migrations
from leadwire_ingest.domain.models import ClientInfo, Mailbox
from leadwire_ingest.main import MIGRATIONS
from leadwire_ingest.store import clients, mailboxes


@pytest_asyncio.fixture
async def ingest_pool(postgres_dsn: str, fresh_schema: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(postgres_dsn, fresh_schema, min_size=1, max_size=5)
    try:
        await run_migrations(pool, fresh_schema, MIGRATIONS)
        yield pool
    finally:
        await pool.close()


def client_info(client_id: UUID, slug: str = "acme", **extra: object) -> ClientInfo:
    fields: dict[str, object] = {
        "client_id": client_id,
        "slug": slug,
        "name": "Acme",
        "revision": 1,
        "allowed_origins": ("https://acme.example",),
        "own_domains": ("acme.test",),
        "denied_domains": ("spammy.example",),
        "primary_mailbox_id": None,
        "deleted": False,
        **extra,
    }
    return ClientInfo(**fields)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def acme(ingest_pool: asyncpg.Pool) -> tuple[ClientInfo, Mailbox]:
    client_id, mailbox_id = uuid4(), uuid4()
    async with ingest_pool.acquire() as conn:
        await clients.upsert(conn, client_info(client_id, primary_mailbox_id=mailbox_id))
        await mailboxes.upsert_connected(conn, mailbox_id, client_id, "google", "sales@acme.test")
        client = await clients.get(conn, client_id)
        mailbox = await mailboxes.get(conn, mailbox_id)
    assert client is not None
    return client, mailbox
