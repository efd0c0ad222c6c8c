"""The admin login throttle, held in Postgres so it works across replicas
(policy: domain/login_throttle.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadwire_oauth import admin_store
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.domain.login_throttle import (
    LIMITS,
    Counter,
    Scope,
    counter_keys,
    lockout_seconds,
    wait_before_attempt,
)


async def wait_before_login(ctx: OAuthContext, username: str, ip: str) -> float:
    """Seconds this attempt must wait before its password is even checked."""
    keys = counter_keys(username, ip)
    async with ctx.pool.acquire() as conn:
        rows = await admin_store.login_counters(conn, list(keys), list(keys.values()))
        known = await admin_store.is_known_login_address(conn, username, ip)
    counters: dict[Scope, Counter] = {
        row["scope"]: Counter(row["failures"], row["last_failure"], row["locked_until"])
        for row in rows
    }
    wait, _ = wait_before_attempt(counters, datetime.now(UTC), known)
    return wait


async def record_failure(ctx: OAuthContext, username: str, ip: str) -> float:
    """Count the failure on every counter; the lockout it now imposes on this pair."""
    now = datetime.now(UTC)
    lockouts: dict[Scope, float] = {}
    async with ctx.pool.acquire() as conn, conn.transaction():
        for scope, key in counter_keys(username, ip).items():
            forget_before = now - timedelta(seconds=LIMITS[scope].forget_after)
            failures = await admin_store.count_login_failure(conn, scope, key, now, forget_before)
            lockouts[scope] = lockout_seconds(scope, failures)
            if lockouts[scope] > 0:
                until = now + timedelta(seconds=lockouts[scope])
                await admin_store.lock_login_counter(conn, scope, key, until)
    return max(lockouts["pair"], lockouts["ip"])


async def record_success(ctx: OAuthContext, username: str, ip: str) -> None:
    async with ctx.pool.acquire() as conn:
        await admin_store.record_login_success(
            conn, username, ip, counter_keys(username, ip)["pair"]
        )


async def purge(ctx: OAuthContext) -> None:
    longest = max(limit.forget_after for limit in LIMITS.values())
    async with ctx.pool.acquire() as conn:
        await admin_store.delete_forgotten_login_failures(
            conn, datetime.now(UTC) - timedelta(seconds=longest)
        )
