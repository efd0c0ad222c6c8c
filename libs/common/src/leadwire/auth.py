"""Admin authentication: EdDSA (Ed25519) JWTs signed by the oauth service only and
verified by every service with the public key.

Use in a service: the composition root sets the verifying key on app state, then routes
take the ready-made alias::

    from leadwire.auth import AdminDep, admin_public_key

    app.state.admin_public_key = admin_public_key(settings)   # ADMIN_TOKEN_PUBLIC_KEY

    @router.get("/admin/leads")
    async def list_leads(admin: AdminDep) -> ...: ...   # admin.subject is the username

Keys: `ADMIN_TOKEN_PRIVATE_KEY` (oauth only) and `ADMIN_TOKEN_PUBLIC_KEY` (every
service), PEM or base64 of the raw 32 bytes (`python -m leadwire.auth` prints a pair).
Outside production, when they are unset, both are derived from JWT_SECRET, so a dev
stack sharing JWT_SECRET needs nothing more; production requires them. A str secret
passed where a key is expected is such a dev seed (compatibility with older callers).

Tokens live at most MAX_TOKEN_LIFETIME. oauth also refuses revoked ones (logout,
password change, deleted admin) through `app.state.admin_token_check`, an async
callable raising AuthError; services without the admins table check signature and
lifetime only.

Passwords (oauth's admins table) are hashed with argon2id in `leadwire.passwords`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, SecretStr

from leadwire.passwords import (
    HashingBusy,
    LoginThrottle,
    dummy_verify,
    dummy_verify_async,
    hash_password,
    hash_password_async,
    needs_rehash,
    verify_password,
    verify_password_async,
)

__all__ = [
    "ADMIN_AUDIENCE",
    "ADMIN_ISSUER",
    "MAX_TOKEN_LIFETIME_SECONDS",
    "AdminClaims",
    "AdminDep",
    "AuthError",
    "HashingBusy",
    "LoginThrottle",
    "admin_dependency",
    "admin_public_key",
    "dev_signing_key",
    "dummy_verify",
    "dummy_verify_async",
    "hash_password",
    "hash_password_async",
    "issue_admin_token",
    "load_private_key",
    "load_public_key",
    "needs_rehash",
    "public_key_text",
    "require_admin",
    "verify_admin_token",
    "verify_password",
    "verify_password_async",
]

ADMIN_ISSUER = "leadwire-oauth"
ADMIN_AUDIENCE = "leadwire-admin"
_ALGORITHM = "EdDSA"
_CLOCK_SKEW_SECONDS = 10
# No admin token outlives a working day, whatever its `exp` says.
MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600
_DEV_KEY_CONTEXT = b"leadwire-dev-admin-token-key\0"

SigningKey = Ed25519PrivateKey | str | SecretStr
VerifyingKey = Ed25519PublicKey | str | SecretStr


class AuthError(Exception):
    """An admin token was refused; the message says why (safe to show the caller)."""


class AdminClaims(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    issued_at: datetime
    expires_at: datetime
    token_id: str
    # Bumped in oauth by a password change: older tokens of the admin stop working.
    generation: int = 0


def dev_signing_key(seed: str | SecretStr) -> Ed25519PrivateKey:
    """The development key pair derived from a shared secret (JWT_SECRET)."""
    value = seed.get_secret_value() if isinstance(seed, SecretStr) else seed
    if not value:
        raise AuthError("server misconfigured: no admin token key")
    digest = hashlib.sha256(_DEV_KEY_CONTEXT + value.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(digest)


def _raw_or_pem(text: str) -> bytes | None:
    """32 raw bytes from base64 text, or None when `text` is PEM."""
    if text.lstrip().startswith("-----BEGIN"):
        return None
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is neither PEM nor base64") from None
    if len(raw) != 32:
        raise ValueError("must be 32 bytes (base64) or PEM")
    return raw


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or base64 of its 32 raw bytes."""
    raw = _raw_or_pem(text)
    if raw is not None:
        return Ed25519PrivateKey.from_private_bytes(raw)
    key = serialization.load_pem_private_key(text.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("is not an Ed25519 private key")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo) or base64 of its 32 bytes."""
    raw = _raw_or_pem(text)
    if raw is not None:
        return Ed25519PublicKey.from_public_bytes(raw)
    key = serialization.load_pem_public_key(text.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("is not an Ed25519 public key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _signing_key(key: SigningKey) -> Ed25519PrivateKey:
    return key if isinstance(key, Ed25519PrivateKey) else dev_signing_key(key)


def _verifying_key(key: VerifyingKey) -> Ed25519PublicKey:
    return key if isinstance(key, Ed25519PublicKey) else dev_signing_key(key).public_key()


class _AdminKeySettings(Protocol):
    @property
    def admin_token_public_key(self) -> str: ...
    @property
    def jwt_secret(self) -> SecretStr: ...
    @property
    def is_production(self) -> bool: ...


def admin_public_key(settings: _AdminKeySettings) -> Ed25519PublicKey:
    """ADMIN_TOKEN_PUBLIC_KEY, or outside production the key derived from JWT_SECRET."""
    if settings.admin_token_public_key:
        return load_public_key(settings.admin_token_public_key)
    if settings.is_production:
        raise AuthError("ADMIN_TOKEN_PUBLIC_KEY is required in production")
    return dev_signing_key(settings.jwt_secret).public_key()


def _epoch(now: float | datetime | None) -> int:
    if now is None:
        return int(time.time())
    return int(now.timestamp() if isinstance(now, datetime) else now)


def issue_admin_token(
    key: SigningKey,
    subject: str,
    ttl_seconds: int = 3600,
    now: float | datetime | None = None,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """An EdDSA JWT for an authenticated admin (`sub` = the admin's username)."""
    if not subject:
        raise ValueError("subject must not be empty")
    if not 0 < ttl_seconds <= MAX_TOKEN_LIFETIME_SECONDS:
        raise ValueError(f"ttl_seconds must be within 1..{MAX_TOKEN_LIFETIME_SECONDS}")
    issued = _epoch(now)
    claims = {
        "iss": ADMIN_ISSUER,
        "aud": ADMIN_AUDIENCE,
        "sub": subject,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_urlsafe(16),
        **(extra_claims or {}),
    }
    return jwt.encode(claims, _signing_key(key), algorithm=_ALGORITHM)


def verify_admin_token(
    key: VerifyingKey, token: str, now: float | datetime | None = None
) -> AdminClaims:
    """Check signature, issuer, audience, expiry and lifetime; raise AuthError saying why."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _verifying_key(key),
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
    except jwt.InvalidAlgorithmError:
        raise AuthError("token is not signed with the admin key (EdDSA)") from None
    except jwt.InvalidTokenError:
        raise AuthError("token is malformed") from None
    generation = claims.get("gen", 0)
    if not isinstance(generation, int):
        raise AuthError("token is malformed")
    current = _epoch(now)
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_LIFETIME_SECONDS:
        raise AuthError("token lives longer than admin tokens may; log in again")
    if current >= int(claims["exp"]) + _CLOCK_SKEW_SECONDS:
        raise AuthError("token has expired; log in again")
    if int(claims["iat"]) > current + _CLOCK_SKEW_SECONDS:
        raise AuthError("token is issued in the future; check the server clocks")
    return AdminClaims(
        subject=str(claims["sub"]),
        issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        token_id=str(claims["jti"]),
        generation=generation,
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
    credentials: HTTPAuthorizationCredentials | None, key: VerifyingKey
) -> AdminClaims:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    try:
        return verify_admin_token(key, credentials.credentials)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from None


_bearer = HTTPBearer(auto_error=False, scheme_name="AdminBearer")

TokenCheck = Callable[[AdminClaims], Awaitable[None]]


def admin_dependency(
    get_key: Callable[[], VerifyingKey],
) -> Callable[..., Awaitable[AdminClaims]]:
    """A FastAPI dependency that returns the caller's AdminClaims or answers 401."""

    async def require_admin(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> AdminClaims:
        return _check_bearer(credentials, get_key())

    return require_admin


async def require_admin(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> AdminClaims:
    """Dependency verifying with `app.state.admin_public_key` (or, in development, a key
    derived from `app.state.jwt_secret`), then `app.state.admin_token_check` if set."""
    state = request.app.state
    key = getattr(state, "admin_public_key", None) or getattr(state, "jwt_secret", None)
    if key is None:
        raise RuntimeError(
            "app.state.admin_public_key is not set: the composition root must set it"
        )
    claims = _check_bearer(credentials, key)
    check: TokenCheck | None = getattr(state, "admin_token_check", None)
    if check is not None:
        try:
            await check(claims)
        except AuthError as exc:
            raise _unauthorized(str(exc)) from None
    return claims


# `async def route(admin: AdminDep)`: the caller's claims, or 401 before the route runs.
AdminDep = Annotated[AdminClaims, Depends(require_admin)]


def _print_key_pair() -> None:
    """`python -m leadwire.auth`: a fresh pair for ADMIN_TOKEN_PRIVATE/PUBLIC_KEY."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    print(f"ADMIN_TOKEN_PRIVATE_KEY={base64.b64encode(raw).decode()}")
    print(f"ADMIN_TOKEN_PUBLIC_KEY={public_key_text(private.public_key())}")


if __name__ == "__main__":
    _print_key_pair()
