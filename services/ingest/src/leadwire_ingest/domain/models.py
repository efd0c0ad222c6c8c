"""The records ingest keeps, as plain dataclasses (rows of store.* queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

Provider = Literal["google", "microsoft"]
LeadStatus = Literal[
    "new",
    "flagged",
    "awaiting_approval",
    "drafted",
    "replied",
    "lead_replied",
    "answered_by_person",
    "closed",
]


class NotFound(Exception):
    """The thing asked for does not exist (for this client)."""


@dataclass(frozen=True)
class ClientInfo:
    client_id: UUID
    slug: str
    name: str
    revision: int
    allowed_origins: tuple[str, ...]
    own_domains: tuple[str, ...]
    denied_domains: tuple[str, ...]
    primary_mailbox_id: UUID | None
    deleted: bool


@dataclass(frozen=True)
class Mailbox:
    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str
    status: str
    connected_at: datetime
    history_id: str | None = None
    watch_expires_at: datetime | None = None
    subscription_id: str | None = None
    subscription_expires_at: datetime | None = None
    client_state_hash: str | None = None
    delta_link: str | None = None
    sent_delta_link: str | None = None
    last_push_at: datetime | None = None
    last_poll_at: datetime | None = None
    last_sync_at: datetime | None = None
    lag_seconds: float | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failing_since: datetime | None = None
    failure_count: int = 0
    sync_failed_published: bool = False
    next_poll_at: datetime | None = None
    next_renew_at: datetime | None = None
    renew_failures: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Contact:
    contact_id: UUID
    client_id: UUID
    email: str
    name: str
    phone: str
    company: str
    created_at: datetime


@dataclass(frozen=True)
class Lead:
    lead_id: UUID
    client_id: UUID
    contact_id: UUID
    source: str
    mailbox_id: UUID | None
    provider: str | None
    provider_message_id: str | None
    provider_thread_id: str | None
    rfc_message_id: str | None
    subject: str
    body_text: str
    status: LeadStatus
    received_at: datetime
    created_at: datetime
    updated_at: datetime
    contact_email: str = ""
    contact_name: str = ""


@dataclass(frozen=True)
class Activity:
    client_id: UUID
    kind: str
    summary: str
    occurred_at: datetime
    lead_id: UUID | None = None
    contact_id: UUID | None = None
    mailbox_id: UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)
