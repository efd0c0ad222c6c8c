"""email.sent / email.send_failed (published by sender)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, Provider, UtcDateTime

OutboundKind = Literal["reply", "follow_up", "new_thread", "manual"]


class EmailSent(EventPayload):
    event_type: ClassVar[str] = "email.sent"

    outbound_id: UUID
    draft_id: UUID | None = None
    # None for a manual send that is not about a lead.
    lead_id: UUID | None = None
    mailbox_id: UUID
    provider: Provider
    provider_message_id: str
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    to_address: str
    subject: str
    sent_at: UtcDateTime
    kind: OutboundKind = "reply"
    # Added in v1 without a version bump (all optional): for the lead's timeline.
    cc: list[str] = Field(default_factory=list)
    in_reply_to: str | None = None
    snippet: str = Field(default="", max_length=500)


class EmailSendFailed(EventPayload):
    """Sending gave up (`permanent`) or will be retried; `error_message` holds no secrets.

    `mailbox_id` is None when there was no connected mailbox to send from.
    """

    event_type: ClassVar[str] = "email.send_failed"

    outbound_id: UUID
    draft_id: UUID | None = None
    lead_id: UUID | None = None
    mailbox_id: UUID | None = None
    kind: OutboundKind = "reply"
    error_code: str
    error_message: str = ""
    permanent: bool
    attempts: int = Field(ge=1)
