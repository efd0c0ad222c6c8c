"""email.sent / email.send_failed (published by sender)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, Provider, UtcDateTime

OutboundKind = Literal["reply", "follow_up"]


class EmailSent(EventPayload):
    event_type: ClassVar[str] = "email.sent"

    outbound_id: UUID
    draft_id: UUID | None = None
    lead_id: UUID
    mailbox_id: UUID
    provider: Provider
    provider_message_id: str
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    to_address: str
    subject: str
    sent_at: UtcDateTime
    kind: OutboundKind = "reply"


class EmailSendFailed(EventPayload):
    """Sending gave up (`permanent`) or will be retried; `error_message` holds no secrets.

    `mailbox_id` is None when there was no connected mailbox to send from.
    """

    event_type: ClassVar[str] = "email.send_failed"

    outbound_id: UUID
    draft_id: UUID | None = None
    lead_id: UUID
    mailbox_id: UUID | None = None
    error_code: str
    error_message: str = ""
    permanent: bool
    attempts: int = Field(ge=1)
