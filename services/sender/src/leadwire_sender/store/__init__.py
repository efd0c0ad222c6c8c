"""All SQL of the sender, one module per table group, one function per query.

Each function takes a connection so the caller owns the transaction (a state change and
the events it implies commit together).
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg

# A plain connection or one borrowed from a pool: the same query API.
Conn: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


class NotFoundError(LookupError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key
