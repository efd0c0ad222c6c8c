"""The SQL of admin accounts and their tokens (split from store.py, same rules: one
function per query, the caller owns the transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from asyncpg import Record

from leadwire_oauth.store import Conn


@dataclass(frozen=True)
class Admin:
    id: UUID
    username: str
    password_hash: str
    token_generation: int
    created_at: datetime


async def get_admin(conn: Conn, username: str) -> Admin | None:
    row = await conn.fetchrow(
        "SELECT id, username, password_hash, token_generation, created_at"
        " FROM admins WHERE username = $1",
        username,
    )
    return Admin(**dict(row)) if row else None


async def list_admins(conn: Conn) -> list[Admin]:
    rows = await conn.fetch(
        "SELECT id, username, password_hash, token_generation, created_at"
        " FROM admins ORDER BY created_at, username"
    )
    return [Admin(**dict(r)) for r in rows]


async def insert_admin(conn: Conn, admin_id: UUID, username: str, password_hash: str) -> bool:
    """False when the username is taken."""
    status = await conn.execute(
        "INSERT INTO admins (id, username, password_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT (username) DO NOTHING",
        admin_id,
        username,
        password_hash,
    )
    return str(status).endswith("1")


async def delete_admin(conn: Conn, admin_id: UUID) -> str | None:
    """The deleted admin's username, or None if there was none."""
    value = await conn.fetchval("DELETE FROM admins WHERE id = $1 RETURNING username", admin_id)
    return str(value) if value is not None else None


async def lock_admins(conn: Conn) -> None:
    """Until the transaction ends, no other transaction changes the admin set."""
    await conn.execute("LOCK TABLE admins IN SHARE ROW EXCLUSIVE MODE")


async def set_password(conn: Conn, username: str, password_hash: str) -> None:
    """New hash, and a new token generation: every older token of this admin dies."""
    await conn.execute(
        "UPDATE admins SET password_hash = $2, token_generation = token_generation + 1,"
        " updated_at = now() WHERE username = $1",
        username,
        password_hash,
    )


async def rehash_password(conn: Conn, username: str, password_hash: str) -> None:
    """Same password, stronger parameters: tokens stay valid."""
    await conn.execute(
        "UPDATE admins SET password_hash = $2, updated_at = now() WHERE username = $1",
        username,
        password_hash,
    )


async def revoke_token(conn: Conn, jti: str, expires_at: datetime) -> None:
    await conn.execute(
        "INSERT INTO revoked_admin_tokens (jti, expires_at) VALUES ($1, $2)"
        " ON CONFLICT (jti) DO NOTHING",
        jti,
        expires_at,
    )


async def token_generation_unless_revoked(conn: Conn, username: str, jti: str) -> int | None:
    """The admin's current token generation; None if the admin is gone or `jti` revoked."""
    value = await conn.fetchval(
        "SELECT token_generation FROM admins WHERE username = $1"
        " AND NOT EXISTS (SELECT 1 FROM revoked_admin_tokens WHERE jti = $2)",
        username,
        jti,
    )
    return int(value) if value is not None else None


async def delete_expired_revocations(conn: Conn, before: datetime) -> None:
    await conn.execute("DELETE FROM revoked_admin_tokens WHERE expires_at < $1", before)


# --- login throttle ---------------------------------------------------------


async def login_counters(conn: Conn, scopes: list[str], keys: list[str]) -> list[Record]:
    return list(
        await conn.fetch(
            "SELECT scope, failures, last_failure, locked_until FROM login_failures"
            " WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            scopes,
            keys,
        )
    )


async def is_known_login_address(conn: Conn, username: str, ip: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM admin_login_ips WHERE username = $1 AND ip = $2)",
            username,
            ip,
        )
    )


async def count_login_failure(
    conn: Conn, scope: str, key: str, now: datetime, forget_before: datetime
) -> int:
    """One more failure on this counter (restarted if it was forgotten); the new count."""
    value = await conn.fetchval(
        """INSERT INTO login_failures AS f (scope, key, failures, last_failure, locked_until)
           VALUES ($1, $2, 1, $3, $3)
           ON CONFLICT (scope, key) DO UPDATE SET
               failures = CASE WHEN f.last_failure < $4 THEN 1 ELSE f.failures + 1 END,
               last_failure = $3
           RETURNING failures""",
        scope,
        key,
        now,
        forget_before,
    )
    return int(value)


async def lock_login_counter(conn: Conn, scope: str, key: str, until: datetime) -> None:
    await conn.execute(
        "UPDATE login_failures SET locked_until = greatest(locked_until, $3)"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
        until,
    )


async def record_login_success(conn: Conn, username: str, ip: str, pair_key: str) -> None:
    await conn.execute("DELETE FROM login_failures WHERE scope = 'pair' AND key = $1", pair_key)
    await conn.execute(
        "INSERT INTO admin_login_ips (username, ip, last_success_at) VALUES ($1, $2, now())"
        " ON CONFLICT (username, ip) DO UPDATE SET last_success_at = now()",
        username,
        ip,
    )


async def delete_forgotten_login_failures(conn: Conn, before: datetime) -> None:
    await conn.execute("DELETE FROM login_failures WHERE last_failure < $1", before)
