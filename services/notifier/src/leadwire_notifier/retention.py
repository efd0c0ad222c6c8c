"""Forgetting what is old: finished notifications, leads and drafts past the retention."""

from __future__ import annotations

import logging

import asyncpg

from leadwire_notifier.store.notifications import purge_notifications
from leadwire_notifier.store.records import purge_records

log = logging.getLogger(__name__)


async def purge_old_rows(pool: asyncpg.Pool, retention_days: int) -> None:
    async with pool.acquire() as conn:
        notifications = await purge_notifications(conn, retention_days)
        records = await purge_records(conn, retention_days)
    if notifications or records:
        log.info("purged %d notifications, %d leads/drafts", notifications, records)
