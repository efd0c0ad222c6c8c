"""draft.created / draft.approved / draft.rejected (drafter) and draft.decided (notifier)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, UtcDateTime
from leadwire.contracts.leads import GuardVerdict, ReplyTarget

Decision = Literal["approve", "reject"]


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
    # Added in v1 without a version bump (all optional).
    body_html: str = ""
    score: int | None = Field(default=None, ge=0, le=100)
    score_reasons: list[str] = Field(default_factory=list)
    is_template: bool = False
    # A newer draft for the same lead replaces this one (a new message before approval).
    supersedes: UUID | None = None


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
    send_after: UtcDateTime | None = None
    body_html: str = ""


class DraftRejected(EventPayload):
    event_type: ClassVar[str] = "draft.rejected"

    draft_id: UUID
    lead_id: UUID
    rejected_by: str
    reason: str = ""


class DraftDecided(EventPayload):
    """A person approved (optionally with edits) or rejected a draft outside the drafter,
    e.g. with a Slack button. The drafter checks the draft's state and publishes
    draft.approved / draft.rejected, or logs a no-op for a draft already decided."""

    event_type: ClassVar[str] = "draft.decided"

    draft_id: UUID
    lead_id: UUID | None = None
    decision: Decision
    decided_by: str = Field(min_length=1)
    source: Literal["slack", "console"] = "slack"
    subject: str | None = None
    body_text: str | None = None
    reason: str = ""
