"""Token grants, scopes and the provider errors that mean "reconnect"."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
GRAPH_PREFIX = "https://graph.microsoft.com/"

REQUIRED_SCOPES: dict[str, frozenset[str]] = {
    "google": frozenset({GMAIL_MODIFY, GMAIL_SEND}),
    "microsoft": frozenset({"mail.readwrite", "mail.send", "offline_access"}),
}

# Provider error codes after which retrying cannot help: a person must reconnect.
RECONNECT_ERRORS = frozenset(
    {
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "invalid_scope",
        "admin_policy_enforced",
        "interaction_required",
        "consent_required",
    }
)
# AADSTS codes with the same meaning (expired/revoked grant, password change,
# consent withdrawn, conditional access, app disabled or secret expired).
RECONNECT_AADSTS = frozenset(
    {50173, 50076, 50079, 53003, 65001, 70000, 70008, 700082, 700016, 7000215, 7000222}
)

ACCESS_TOKEN_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: frozenset[str]


@dataclass(frozen=True)
class Identity:
    address: str
    display_name: str


class ReconnectRequired(Exception):
    """The provider refused the grant for good (revoked, expired, policy)."""

    def __init__(self, code: str, description: str = "") -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with a transient error."""


class ConnectError(Exception):
    """A connect attempt that ends with a message for the person who tried."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def normalize_scopes(provider: str, scopes: Iterable[str]) -> frozenset[str]:
    """Graph answers scopes with or without its resource prefix, in any case."""
    if provider != "microsoft":
        return frozenset(scopes)
    return frozenset(s.removeprefix(GRAPH_PREFIX).lower() for s in scopes)


def missing_scopes(provider: str, granted: Iterable[str], has_refresh_token: bool) -> list[str]:
    have = set(normalize_scopes(provider, granted))
    if provider == "microsoft" and has_refresh_token:
        # Entra does not echo offline_access; a refresh token proves it was granted.
        have.add("offline_access")
    return sorted(REQUIRED_SCOPES[provider] - have)


def is_reconnect_error(code: str | None, error_codes: Iterable[int] = ()) -> bool:
    return (code or "") in RECONNECT_ERRORS or any(c in RECONNECT_AADSTS for c in error_codes)


def expires_at_from(expires_in: object, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    try:
        seconds = int(str(expires_in))
    except ValueError:
        seconds = 3600
    return now + timedelta(seconds=max(seconds, 0))


def needs_refresh(
    expires_at: datetime | None, now: datetime, skew: timedelta = ACCESS_TOKEN_SKEW
) -> bool:
    return expires_at is None or expires_at - skew <= now


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str


def new_pkce() -> Pkce:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return Pkce(verifier=verifier, challenge=challenge)


def browser_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_browser_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
