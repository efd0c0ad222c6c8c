"""All SQL of the ingest service, one function per query, grouped by table family.

Each function takes a connection so the caller decides the transaction: a state change
and the outbox rows it implies commit together.
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg

# A plain connection or one borrowed from a pool: the same query API.
Conn: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
