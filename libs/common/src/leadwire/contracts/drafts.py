"""draft.created / draft.approved / draft.rejected (published by drafter)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, UtcDateTime
from leadwire.contracts.leads import ReplyTarget

GuardVerdict = Literal["pass", "flag"]


class DraftCreated(EventPayload):
    """A reply was drafted. With `auto_send` the sender sends it at `send_after` (or now);
    otherwise it waits for draft.approved."""

    event_type: ClassVar[str] = "draft.created"

    draft_id: UUID
    lead_id: UUID
    mailbox_id: UUID | None = None
    subject: str
    body_text: str = Field(min_length=1)
    model: str
    auto_send: bool = False
    send_after: UtcDateTime | None = None
    guard_verdict: GuardVerdict = "pass"
    reasons: list[str] = Field(default_factory=list)
    reply_to: ReplyTarget | None = None


class DraftApproved(EventPayload):
    """A person approved the draft, possibly after editing subject or body."""

    event_type: ClassVar[str] = "draft.approved"

    draft_id: UUID
    lead_id: UUID
    mailbox_id: UUID | None = None
    subject: str
    body_text: str = Field(min_length=1)
    approved_by: str
    reply_to: ReplyTarget | None = None


class DraftRejected(EventPayload):
    event_type: ClassVar[str] = "draft.rejected"

    draft_id: UUID
    lead_id: UUID
    rejected_by: str
    reason: str = ""
