"""The oauth service's records, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

AUTO_SEND_MODES = ("off", "guarded", "always")
PROVIDERS = ("google", "microsoft")


@dataclass(frozen=True)
class Client:
    id: UUID
    name: str
    slug: str
    auto_send: str
    business_hours: dict[str, Any] | None
    reply_delay_seconds: int
    profile: dict[str, Any]
    allowed_origins: list[str]
    slack_webhook_enc: bytes | None
    slack_webhook_hint: str | None
    revision: int
    created_at: datetime
    updated_at: datetime
    pipeline: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mailbox:
    id: UUID
    client_id: UUID
    provider: str
    address: str
    display_name: str
    status: str
    scopes: list[str]
    access_token_enc: bytes | None
    refresh_token_enc: bytes | None
    access_expires_at: datetime | None
    last_refresh_at: datetime | None
    last_error: str | None
    connected_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PendingFlow:
    nonce: str
    client_id: UUID
    provider: str
    browser_hash: str
    secret_enc: bytes
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class ConnectionStatus:
    mailbox_id: UUID | None
    provider: str
    address: str | None
    status: str  # connected | revoked | error | not_configured
    scopes: list[str] = field(default_factory=list)
    last_refresh_at: datetime | None = None
    last_error: str | None = None


def connection_status(mailbox: Mailbox) -> ConnectionStatus:
    status = mailbox.status if mailbox.status in ("connected", "revoked", "error") else "error"
    return ConnectionStatus(
        mailbox_id=mailbox.id,
        provider=mailbox.provider,
        address=mailbox.address,
        status=status,
        scopes=list(mailbox.scopes),
        last_refresh_at=mailbox.last_refresh_at,
        last_error=mailbox.last_error,
    )


def mask_webhook_url(url: str) -> str:
    """Enough of a Slack webhook URL to recognise it, never enough to use it."""
    tail = url.rstrip("/")[-4:]
    return f"https://hooks.slack.com/services/…{tail}" if "slack.com" in url else f"…{tail}"
