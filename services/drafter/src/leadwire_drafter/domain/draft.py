"""A stored draft and the events made from it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from leadwire.events import (
    DraftApproved,
    DraftCreated,
    DraftRejected,
    GuardVerdict,
    LeadFlagged,
    LeadReceived,
    ReplyTarget,
)
from leadwire_drafter.domain.compose import Composed
from leadwire_drafter.domain.decisions import DraftStatus, initial_status


@dataclass(frozen=True)
class Draft:
    id: UUID
    client_id: UUID
    lead_id: UUID
    mailbox_id: UUID | None
    status: DraftStatus
    subject: str
    body_text: str
    body_html: str
    language: str
    model: str
    is_template: bool
    auto_send: bool
    send_after: datetime | None
    score: int
    score_reasons: tuple[str, ...]
    score_source: str
    guard_verdict: GuardVerdict
    check_failures: tuple[str, ...]
    reasons: tuple[str, ...]
    reply_to: ReplyTarget | None
    message_received_at: datetime
    supersedes: UUID | None = None
    edited: bool = False
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""
    created_at: datetime | None = field(default=None, compare=False)

    def with_status(self, status: DraftStatus, **changes: object) -> Draft:
        return replace(self, status=status, **changes)  # type: ignore[arg-type]


def new_draft(
    draft_id: UUID,
    client_id: UUID,
    lead: LeadReceived,
    composed: Composed,
    *,
    model: str,
    supersedes: UUID | None,
) -> Draft:
    return Draft(
        id=draft_id,
        client_id=client_id,
        lead_id=lead.lead_id,
        mailbox_id=composed.mailbox_id,
        status=initial_status(composed.auto_send),
        subject=composed.subject,
        body_text=composed.body_text,
        body_html=composed.body_html,
        language=composed.language,
        model="template" if composed.is_template else model,
        is_template=composed.is_template,
        auto_send=composed.auto_send,
        send_after=composed.send_after,
        score=composed.qualification.score,
        score_reasons=composed.qualification.reasons,
        score_source=composed.qualification.source,
        guard_verdict=composed.verdict,
        check_failures=composed.check_failures,
        reasons=composed.reasons,
        reply_to=ReplyTarget.from_lead(lead),
        message_received_at=lead.received_at,
        supersedes=supersedes,
    )


def draft_created(draft: Draft) -> DraftCreated:
    return DraftCreated(
        draft_id=draft.id,
        lead_id=draft.lead_id,
        mailbox_id=draft.mailbox_id,
        subject=draft.subject,
        body_text=draft.body_text,
        body_html=draft.body_html,
        model=draft.model,
        auto_send=draft.auto_send,
        send_after=draft.send_after,
        guard_verdict=draft.guard_verdict,
        reasons=list(draft.reasons),
        reply_to=draft.reply_to,
        score=draft.score,
        score_reasons=list(draft.score_reasons),
        is_template=draft.is_template,
        supersedes=draft.supersedes,
    )


def draft_approved(draft: Draft, send_after: datetime | None) -> DraftApproved:
    return DraftApproved(
        draft_id=draft.id,
        lead_id=draft.lead_id,
        mailbox_id=draft.mailbox_id,
        subject=draft.subject,
        body_text=draft.body_text,
        body_html=draft.body_html,
        approved_by=draft.decided_by or "unknown",
        reply_to=draft.reply_to,
        send_after=send_after,
    )


def draft_rejected(draft: Draft) -> DraftRejected:
    return DraftRejected(
        draft_id=draft.id,
        lead_id=draft.lead_id,
        rejected_by=draft.decided_by or "unknown",
        reason=draft.decision_reason,
    )


def lead_flagged(
    lead_id: UUID, verdict: GuardVerdict, reasons: list[str], draft_id: UUID | None
) -> LeadFlagged:
    return LeadFlagged(
        lead_id=lead_id,
        draft_id=draft_id,
        verdict=verdict,
        reasons=reasons or [f"guard verdict {verdict}"],
    )
