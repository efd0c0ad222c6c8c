"""Admin accounts: the first one from settings, login with a slowed-down
failure path. Hashing is argon2id (leadwire.passwords)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from leadwire.auth import (
    LoginThrottle,
    dummy_verify,
    hash_password,
    issue_admin_token,
    verify_password,
)
from leadwire_oauth import store
from leadwire_oauth.context import OAuthContext


class LoginRefused(Exception):
    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


async def ensure_first_admin(ctx: OAuthContext) -> bool:
    """Create ADMIN_USERNAME with ADMIN_PASSWORD once; an existing admin is kept."""
    password = ctx.settings.admin_password
    if password is None or not password.get_secret_value():
        return False
    password_hash = await asyncio.to_thread(hash_password, password.get_secret_value())
    async with ctx.pool.acquire() as conn:
        return await store.insert_admin_if_absent(
            conn, uuid.uuid4(), ctx.settings.admin_username, password_hash
        )


async def login(
    ctx: OAuthContext, throttle: LoginThrottle, username: str, password: str, ip: str
) -> IssuedToken:
    wait = throttle.retry_after(username, ip)
    if wait > 0:
        raise LoginRefused("Too many failed logins; try again later.", retry_after=wait)
    async with ctx.pool.acquire() as conn:
        password_hash = await store.get_admin_password_hash(conn, username)
    # argon2 is deliberately slow: keep it off the event loop. An unknown user
    # costs the same time as a wrong password.
    if password_hash is None:
        await asyncio.to_thread(dummy_verify, password)
        valid = False
    else:
        valid = await asyncio.to_thread(verify_password, password_hash, password)
    if not valid:
        lockout = throttle.record_failure(username, ip)
        raise LoginRefused("Wrong username or password.", retry_after=lockout)
    throttle.record_success(username, ip)
    ttl = ctx.settings.jwt_ttl_seconds
    token = issue_admin_token(ctx.settings.jwt_secret, username, ttl_seconds=ttl)
    return IssuedToken(access_token=token, expires_in=ttl)
