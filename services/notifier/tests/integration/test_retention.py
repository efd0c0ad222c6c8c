"""Old finished notifications, leads and drafts are forgotten; queued work never is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from leadwire.events import DraftCreated, LeadReceived
from leadwire_notifier.domain.notices import ConsoleLinks
from leadwire_notifier.notify import EventInfo, record_notice
from leadwire_notifier.retention import purge_old_rows

pytestmark = pytest.mark.integration


async def test_rows_past_the_retention_go_and_queued_ones_stay(
    pool: asyncpg.Pool,
    make_lead: Callable[..., LeadReceived],
    make_draft: Callable[..., DraftCreated],
) -> None:
    client = uuid4()
    async with pool.acquire() as conn, conn.transaction():
        for payload in (make_lead(), make_lead(), make_draft()):
            info = EventInfo(uuid4(), client, datetime.now(UTC))
            await record_notice(conn, info, payload, ConsoleLinks("https://c.test"))
    ids = [r["id"] for r in await pool.fetch("SELECT id FROM notifications ORDER BY id")]
    await pool.execute("UPDATE notifications SET status = 'sent' WHERE id = ANY($1)", ids[:2])
    for table in ("notifications", "leads", "drafts"):
        await pool.execute(f"UPDATE {table} SET created_at = now() - interval '100 days'")
    await pool.execute(
        "UPDATE notifications SET created_at = now() WHERE id = $1", ids[1]
    )  # a recent one
    await purge_old_rows(pool, retention_days=90)
    left = await pool.fetch("SELECT id, status FROM notifications ORDER BY id")
    assert [(r["id"], r["status"]) for r in left] == [(ids[1], "sent"), (ids[2], "queued")]
    assert await pool.fetchval("SELECT count(*) FROM leads") == 0
    assert await pool.fetchval("SELECT count(*) FROM drafts") == 0
