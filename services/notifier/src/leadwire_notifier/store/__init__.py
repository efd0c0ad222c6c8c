"""All SQL of the notifier, one function per query, by table: `clients`, `leads` and
`drafts` (`records`), `notifications` (the log and the per-client queue). Each function
takes a connection: the caller owns the transaction (a queued notification and the
inbox row commit together)."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg

Conn: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

# NOTIFY channel (+ schema: test stacks share a database) that wakes the delivery loops.
QUEUE_CHANNEL_PREFIX = "notifier_queue_"
