"""Token grants, scopes and the provider errors that mean "reconnect"."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
GRAPH_PREFIX = "https://graph.microsoft.com/"

REQUIRED_SCOPES: dict[str, frozenset[str]] = {
    "google": frozenset({GMAIL_MODIFY, GMAIL_SEND}),
    "microsoft": frozenset({"mail.readwrite", "mail.send", "offline_access"}),
}

# Errors about the user's grant: retrying cannot help, a person must reconnect.
GRANT_ERRORS = frozenset(
    {"invalid_grant", "interaction_required", "consent_required", "admin_policy_enforced"}
)
# AADSTS codes with the same meaning: expired or revoked grant, password change,
# consent withdrawn, MFA or conditional access now required.
GRANT_AADSTS = frozenset({50173, 50076, 50079, 53003, 65001, 70000, 70008, 700082})
# Errors about *our* app's credentials or registration. They say nothing about the
# user's grant: one bad deployment must never wipe every mailbox.
CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_scope"})
# AADSTS: app not found in the tenant, invalid or expired client secret.
CLIENT_AADSTS = frozenset({700016, 7000215, 7000222})

RefreshErrorKind = Literal["grant", "client", "transient"]

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
    """The provider could not be reached or answered with a transient error.

    `retry_after` is the provider's own Retry-After, in seconds, when it sent one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderMisconfigured(Exception):
    """The provider refused our app's credentials (invalid_client and the like)."""

    def __init__(self, code: str, description: str = "") -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description


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


def classify_refresh_error(code: str | None, error_codes: Iterable[int] = ()) -> RefreshErrorKind:
    """Whose fault a refused refresh is. Our credentials are checked first: Entra may
    pair an app error with a grant-looking code, and wiping grants is irreversible."""
    codes = set(error_codes)
    if (code or "") in CLIENT_ERRORS or codes & CLIENT_AADSTS:
        return "client"
    if (code or "") in GRANT_ERRORS or codes & GRANT_AADSTS:
        return "grant"
    return "transient"


def refresh_error(code: str | None, description: str, error_codes: Iterable[int] = ()) -> Exception:
    """The exception a refused refresh stands for (see `classify_refresh_error`)."""
    kind = classify_refresh_error(code, error_codes)
    if kind == "grant":
        return ReconnectRequired(code or "invalid_grant", description)
    if kind == "client":
        return ProviderMisconfigured(code or "invalid_client", description)
    return ProviderUnavailable(f"refresh failed: {code or 'transient error'}")


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
