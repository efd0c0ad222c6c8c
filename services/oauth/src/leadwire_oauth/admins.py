"""Admin accounts and their tokens: the first admin from settings, login with a
slowed-down failure path, logout, password change, and admin management.

Tokens are EdDSA JWTs (leadwire.auth) carrying the admin's token generation: a
password change bumps it, so every older token dies; logout records the token id;
a deleted admin's tokens die with the row. Hashing is argon2id (leadwire.passwords).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from leadwire.auth import (
    AdminClaims,
    AuthError,
    HashingBusy,
    dummy_verify_async,
    hash_password_async,
    issue_admin_token,
    needs_rehash,
    verify_password_async,
)
from leadwire_oauth import admin_store, login_throttle
from leadwire_oauth.admin_store import Admin
from leadwire_oauth.context import OAuthContext


class LoginRefused(Exception):
    def __init__(self, message: str, retry_after: float = 0.0, throttled: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.throttled = throttled


class AdminConflict(Exception):
    """A change that would break the admin set (taken name, last admin, oneself)."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


async def ensure_first_admin(ctx: OAuthContext) -> bool:
    """Create ADMIN_USERNAME with ADMIN_PASSWORD once; an existing admin is kept."""
    password = ctx.settings.admin_password
    if password is None or not password.get_secret_value():
        return False
    password_hash = await hash_password_async(password.get_secret_value())
    async with ctx.pool.acquire() as conn:
        return await admin_store.insert_admin(
            conn, uuid.uuid4(), ctx.settings.admin_username, password_hash
        )


def _issue(ctx: OAuthContext, admin: Admin) -> IssuedToken:
    ttl = ctx.settings.jwt_ttl_seconds
    token = issue_admin_token(
        ctx.admin_signing_key,
        admin.username,
        ttl_seconds=ttl,
        extra_claims={"gen": admin.token_generation},
    )
    return IssuedToken(access_token=token, expires_in=ttl)


async def _verified_admin(ctx: OAuthContext, username: str, password: str) -> Admin | None:
    async with ctx.pool.acquire() as conn:
        admin = await admin_store.get_admin(conn, username)
    # argon2 runs on its own bounded executor (leadwire.passwords). An unknown user
    # costs the same time as a wrong password.
    if admin is None:
        await dummy_verify_async(password)
        return None
    if not await verify_password_async(admin.password_hash, password):
        return None
    if needs_rehash(admin.password_hash):
        new_hash = await hash_password_async(password)
        async with ctx.pool.acquire() as conn:
            await admin_store.rehash_password(conn, username, new_hash)
    return admin


async def login(ctx: OAuthContext, username: str, password: str, ip: str) -> IssuedToken:
    """Throttled before the password is checked: a flood costs a query, not argon2."""
    wait = await login_throttle.wait_before_login(ctx, username, ip)
    if wait > 0:
        raise LoginRefused(
            "Too many failed logins; try again later.", retry_after=wait, throttled=True
        )
    try:
        admin = await _verified_admin(ctx, username, password)
    except HashingBusy:
        raise LoginRefused(
            "Too many logins at once; try again in a moment.", retry_after=1.0, throttled=True
        ) from None
    if admin is None:
        lockout = await login_throttle.record_failure(ctx, username, ip)
        raise LoginRefused("Wrong username or password.", retry_after=lockout)
    await login_throttle.record_success(ctx, admin.username, ip)
    return _issue(ctx, admin)


async def check_token(ctx: OAuthContext, claims: AdminClaims) -> None:
    """Refuse a validly signed token whose admin is gone, logged out or re-passworded."""
    async with ctx.pool.acquire() as conn:
        generation = await admin_store.token_generation_unless_revoked(
            conn, claims.subject, claims.token_id
        )
    if generation is None:
        raise AuthError("token was revoked or its admin no longer exists; log in again")
    if generation != claims.generation:
        raise AuthError("the password changed since this token was issued; log in again")


async def logout(ctx: OAuthContext, claims: AdminClaims) -> None:
    # Kept a little past expiry: verification tolerates some clock skew.
    keep_until = claims.expires_at + timedelta(minutes=5)
    async with ctx.pool.acquire() as conn:
        await admin_store.revoke_token(conn, claims.token_id, keep_until)


async def list_admins(ctx: OAuthContext) -> list[Admin]:
    async with ctx.pool.acquire() as conn:
        return await admin_store.list_admins(conn)


async def create_admin(ctx: OAuthContext, username: str, password: str) -> Admin:
    password_hash = await hash_password_async(password)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await admin_store.insert_admin(conn, uuid.uuid4(), username, password_hash):
            raise AdminConflict(f"username {username!r} is already taken")
        admin = await admin_store.get_admin(conn, username)
    assert admin is not None
    return admin


async def delete_admin(ctx: OAuthContext, admin_id: UUID, acting: AdminClaims) -> str | None:
    """The deleted admin's username; None if unknown. Never oneself, so one remains."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        # Serialise deletions so two admins cannot delete each other at once.
        await admin_store.lock_admins(conn)
        admins = {a.id: a for a in await admin_store.list_admins(conn)}
        target = admins.get(admin_id)
        if target is None:
            return None
        if target.username == acting.subject:
            raise AdminConflict("an admin cannot delete themselves")
        return await admin_store.delete_admin(conn, admin_id)


async def change_password(
    ctx: OAuthContext, claims: AdminClaims, current: str, new: str
) -> IssuedToken:
    """Check the current password, set the new one, end every older token."""
    if await _verified_admin(ctx, claims.subject, current) is None:
        raise LoginRefused("The current password is wrong.")
    new_hash = await hash_password_async(new)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await admin_store.set_password(conn, claims.subject, new_hash)
        admin = await admin_store.get_admin(conn, claims.subject)
    if admin is None:
        raise LoginRefused("This admin no longer exists.")
    return _issue(ctx, admin)


async def purge_expired(ctx: OAuthContext) -> None:
    """Drop revocations of expired tokens and forgotten login failures."""
    async with ctx.pool.acquire() as conn:
        await admin_store.delete_expired_revocations(conn, datetime.now(UTC))
    await login_throttle.purge(ctx)
