"""Postgres plumbing: one asyncpg pool per service schema, and the migration runner.

Every service owns one schema. Its connections resolve unqualified names in that schema
(`search_path = <schema>, public`), so service SQL never spells the schema out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

SHARED_MIGRATIONS = Path(__file__).parent / "migrations"
SHARED_PREFIX = "common:"

# Lower-case identifiers only: they need no quoting rules of their own and they fit in a
# NOTIFY channel name (`leadwire_outbox_<schema>` must stay under 63 bytes).
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,46}$")
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration file is malformed, failed, or differs from the one already applied."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str
    checksum: str


def validate_schema(schema: str) -> str:
    """Return `schema` if it is a safe lower-case identifier, else raise ValueError."""
    if not _SCHEMA_RE.match(schema):
        raise ValueError(
            f"schema name {schema!r} must match {_SCHEMA_RE.pattern} "
            "(lower-case letters, digits, underscore; at most 47 characters)"
        )
    return schema


def search_path(schema: str) -> str:
    return f'"{validate_schema(schema)}", public'


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Services read and write plain dicts/lists; asyncpg's default would hand back strings.
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def ensure_schema(conn: asyncpg.Connection, schema: str) -> None:
    """CREATE SCHEMA IF NOT EXISTS, serialised: concurrent IF NOT EXISTS can still collide."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key("schema", schema))
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{validate_schema(schema)}"')


async def create_pool(
    dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10
) -> asyncpg.Pool:
    """Create the schema if missing and return a pool whose connections live in it."""
    conn = await asyncpg.connect(dsn)
    try:
        await ensure_schema(conn, schema)
    finally:
        await conn.close()
    # A startup parameter becomes the session default, so the pool's RESET ALL keeps it.
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings={"search_path": search_path(schema)},
    )
    return pool


def discover_migrations(directory: Path, *, prefix: str = "") -> list[Migration]:
    """Read `NNNN_name.sql` files in version order; anything else in the folder is an error."""
    if not directory.is_dir():
        raise MigrationError(f"migrations directory {directory} does not exist")
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_RE.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files must be named NNNN_name.sql")
        version = prefix + match.group(1)
        if version in found:
            raise MigrationError(f"{path}: version {version} is used twice")
        raw = path.read_bytes()
        found[version] = Migration(
            version=version,
            name=prefix + path.stem,
            sql=raw.decode("utf-8"),
            checksum=hashlib.sha256(raw).hexdigest(),
        )
    return [found[v] for v in sorted(found)]


@asynccontextmanager
async def _session(dsn_or_pool: str | asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    if isinstance(dsn_or_pool, str):
        conn = await asyncpg.connect(dsn_or_pool)
        try:
            yield conn
        finally:
            await conn.close()
    else:
        async with dsn_or_pool.acquire() as pooled:
            yield pooled


async def run_migrations(
    dsn_or_pool: str | asyncpg.Pool, schema: str, directory: Path | None
) -> list[str]:
    """Apply the shared migrations, then the service's, once each; return the names applied.

    Holds a session advisory lock keyed by the schema, so several processes starting at
    once apply each file exactly once; the others wait and then find nothing to do.
    """
    migrations = discover_migrations(SHARED_MIGRATIONS, prefix=SHARED_PREFIX)
    if directory is not None:
        migrations += discover_migrations(directory)
    key = _lock_key("migrations", schema)
    async with _session(dsn_or_pool) as conn:
        await ensure_schema(conn, schema)
        await conn.execute("SELECT pg_advisory_lock($1)", key)
        try:
            await _ensure_history_table(conn, schema)
            applied = await _applied_checksums(conn, schema)
            done: list[str] = []
            for migration in migrations:
                if _already_applied(migration, applied):
                    continue
                await _apply(conn, schema, migration)
                done.append(migration.name)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)


def _already_applied(migration: Migration, applied: dict[str, str]) -> bool:
    previous = applied.get(migration.version)
    if previous is None:
        return False
    if previous != migration.checksum:
        raise MigrationError(
            f"migration {migration.name} was changed after it was applied "
            f"(checksum {previous[:12]} in the database, {migration.checksum[:12]} on disk); "
            "add a new numbered file instead of editing an applied one"
        )
    return True


async def _ensure_history_table(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(
        f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
        " version text PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL)"
    )


async def _applied_checksums(conn: asyncpg.Connection, schema: str) -> dict[str, str]:
    # schema passed validate_schema(); identifiers cannot be bind parameters
    rows = await conn.fetch(f'SELECT version, checksum FROM "{schema}".schema_migrations')  # noqa: S608
    return {row["version"]: row["checksum"] for row in rows}


async def _apply(conn: asyncpg.Connection, schema: str, migration: Migration) -> None:
    async with conn.transaction():
        # SET LOCAL: a pooled connection gets its own search_path back after the commit.
        await conn.execute("SELECT set_config('search_path', $1, true)", search_path(schema))
        try:
            await conn.execute(migration.sql)
        except asyncpg.PostgresError as exc:
            raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
        await conn.execute(
            f'INSERT INTO "{schema}".schema_migrations (version, name, checksum)'  # noqa: S608
            " VALUES ($1, $2, $3)",
            migration.version,
            migration.name,
            migration.checksum,
        )


def _lock_key(purpose: str, schema: str) -> int:
    """A stable signed 64-bit advisory-lock key for (purpose, schema)."""
    digest = hashlib.sha256(f"leadwire.{purpose}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
