"""Admin authentication: JWTs issued by the oauth service and checked by every service.

Use in a service: the composition root sets `app.state.jwt_secret = settings.jwt_secret`,
then routes take the ready-made alias::

    from leadwire.auth import AdminDep

    @router.get("/admin/leads")
    async def list_leads(admin: AdminDep) -> ...: ...   # admin.subject is the username

Or, without app state, build one from a secret getter::

    AdminDep = Annotated[AdminClaims, Depends(admin_dependency(lambda: secret))]

Passwords (oauth's admins table) are hashed with argon2id; `LoginThrottle` slows
password guessing per username+IP. Both are in `leadwire.passwords`, re-exported here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, SecretStr

from leadwire.passwords import (
    LoginThrottle,
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)

__all__ = [
    "ADMIN_AUDIENCE",
    "ADMIN_ISSUER",
    "AdminClaims",
    "AdminDep",
    "AuthError",
    "LoginThrottle",
    "admin_dependency",
    "dummy_verify",
    "hash_password",
    "issue_admin_token",
    "needs_rehash",
    "require_admin",
    "verify_admin_token",
    "verify_password",
]

ADMIN_ISSUER = "leadwire-oauth"
ADMIN_AUDIENCE = "leadwire-admin"
_ALGORITHM = "HS256"
_CLOCK_SKEW_SECONDS = 10


class AuthError(Exception):
    """An admin token was refused; the message says why (safe to show the caller)."""


class AdminClaims(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    issued_at: datetime
    expires_at: datetime
    token_id: str


def _secret_value(secret: str | SecretStr) -> str:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not value:
        raise AuthError("server misconfigured: empty JWT secret")
    return value


def _epoch(now: float | datetime | None) -> int:
    if now is None:
        return int(time.time())
    return int(now.timestamp() if isinstance(now, datetime) else now)


def issue_admin_token(
    secret: str | SecretStr,
    subject: str,
    ttl_seconds: int = 3600,
    now: float | datetime | None = None,
) -> str:
    """An HS256 JWT for an authenticated admin (`sub` = the admin's username or id)."""
    if not subject:
        raise ValueError("subject must not be empty")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    issued = _epoch(now)
    claims = {
        "iss": ADMIN_ISSUER,
        "aud": ADMIN_AUDIENCE,
        "sub": subject,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, _secret_value(secret), algorithm=_ALGORITHM)


def verify_admin_token(
    secret: str | SecretStr, token: str, now: float | datetime | None = None
) -> AdminClaims:
    """Check signature, issuer, audience and expiry; raise AuthError with the reason."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _secret_value(secret),
            algorithms=[_ALGORITHM],  # pinned: never trust the token's own "alg"
            audience=ADMIN_AUDIENCE,
            issuer=ADMIN_ISSUER,
            options={
                "require": ["exp", "iat", "sub", "jti", "iss", "aud"],
                # Time checks below use our clock (`now`) so they are testable.
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidAudienceError:
        raise AuthError("token is not for the admin API") from None
    except jwt.InvalidIssuerError:
        raise AuthError("token was not issued by leadwire-oauth") from None
    except jwt.InvalidSignatureError:
        raise AuthError("token signature is invalid") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"token lacks the {exc.claim!r} claim") from None
    except jwt.InvalidTokenError:
        raise AuthError("token is malformed") from None
    current = _epoch(now)
    if current >= int(claims["exp"]) + _CLOCK_SKEW_SECONDS:
        raise AuthError("token has expired; log in again")
    if int(claims["iat"]) > current + _CLOCK_SKEW_SECONDS:
        raise AuthError("token is issued in the future; check the server clocks")
    return AdminClaims(
        subject=str(claims["sub"]),
        issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        token_id=str(claims["jti"]),
    )


def _unauthorized(description: str) -> HTTPException:
    error = "invalid_request" if description.startswith("missing") else "invalid_token"
    quoted = description.replace('"', "'")
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=description,
        headers={
            "WWW-Authenticate": (
                f'Bearer realm="leadwire-admin", error="{error}", error_description="{quoted}"'
            )
        },
    )


def _check_bearer(
    credentials: HTTPAuthorizationCredentials | None, secret: str | SecretStr
) -> AdminClaims:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    try:
        return verify_admin_token(secret, credentials.credentials)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from None


_bearer = HTTPBearer(auto_error=False, scheme_name="AdminBearer")


def admin_dependency(
    get_secret: Callable[[], str | SecretStr],
) -> Callable[..., Awaitable[AdminClaims]]:
    """A FastAPI dependency that returns the caller's AdminClaims or answers 401."""

    async def require_admin(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> AdminClaims:
        return _check_bearer(credentials, get_secret())

    return require_admin


async def require_admin(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> AdminClaims:
    """Dependency reading the secret from `app.state.jwt_secret` (str or SecretStr),
    which each service's composition root sets from its settings."""
    secret = getattr(request.app.state, "jwt_secret", None)
    if secret is None:
        raise RuntimeError("app.state.jwt_secret is not set: the composition root must set it")
    return _check_bearer(credentials, secret)


# `async def route(admin: AdminDep)`: the caller's claims, or 401 before the route runs.
AdminDep = Annotated[AdminClaims, Depends(require_admin)]
