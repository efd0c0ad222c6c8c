"""Turning a draft (created with auto-send, or approved) into the outbound message that
answers the lead: in its thread when it wrote by email, a new thread for a form lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from leadwire.contracts.leads import ReplyTarget
from leadwire_sender.domain.mime import new_message_id, reply_references, reply_subject
from leadwire_sender.domain.outbound import Outbound, OutboundStatus, Recipient
from leadwire_sender.domain.templates import sanitize_html


class UnanswerableDraftError(ValueError):
    """The draft says nothing about whom to answer: no retry can fix it."""


@dataclass(frozen=True)
class DraftToSend:
    """The fields draft.created and draft.approved share."""

    draft_id: UUID
    lead_id: UUID
    subject: str
    body_text: str
    body_html: str
    reply_to: ReplyTarget | None
    send_after: datetime | None
    # The mailbox the lead wrote to; None for a form lead (the client's primary answers).
    mailbox_id: UUID | None


@dataclass(frozen=True)
class Sender:
    mailbox_id: UUID
    address: str
    display_name: str


def outbound_for_draft(
    draft: DraftToSend,
    sender: Sender,
    *,
    client_id: UUID,
    correlation_id: UUID | None,
    now: datetime,
    blocked_reason: str | None = None,
) -> Outbound:
    target = draft.reply_to
    if target is None:
        raise UnanswerableDraftError(f"draft {draft.draft_id} has no reply_to: nobody to answer")
    threaded = bool(target.provider_message_id or target.provider_thread_id)
    status = OutboundStatus.CANCELLED if blocked_reason else OutboundStatus.QUEUED
    return Outbound(
        id=uuid4(),
        client_id=client_id,
        mailbox_id=sender.mailbox_id,
        kind="reply" if threaded else "new_thread",
        status=status,
        error_code=blocked_reason,
        rfc_message_id=new_message_id(sender.address),
        sender_name=sender.display_name,
        to=(Recipient(target.to_address, target.to_name),),
        cc=tuple(Recipient(a) for a in target.cc),
        subject=reply_subject(draft.subject or target.subject) if threaded else draft.subject,
        body_text=draft.body_text,
        body_html=sanitize_html(draft.body_html) if draft.body_html else "",
        in_reply_to=target.rfc_message_id if threaded else None,
        references=tuple(reply_references(target.references, target.rfc_message_id))
        if threaded
        else (),
        reply_thread_id=target.provider_thread_id if threaded else None,
        reply_message_id=target.provider_message_id if threaded else None,
        draft_id=draft.draft_id,
        lead_id=draft.lead_id,
        correlation_id=correlation_id,
        due_at=max(draft.send_after, now) if draft.send_after else now,
        created_by="draft",
    )


def follow_up_of(previous: Outbound, *, step: int, text: str, html: str, now: datetime) -> Outbound:
    """The next follow-up, in the same thread as our previous message to the lead."""
    return Outbound(
        id=uuid4(),
        client_id=previous.client_id,
        mailbox_id=previous.mailbox_id,
        kind="follow_up",
        rfc_message_id=new_message_id("@" + previous.rfc_message_id.rpartition("@")[2].rstrip(">")),
        sender_name=previous.sender_name,
        to=previous.to,
        cc=previous.cc,
        subject=reply_subject(previous.subject),
        body_text=text,
        body_html=html,
        in_reply_to=previous.rfc_message_id,
        references=reply_references(previous.references, previous.rfc_message_id),
        reply_thread_id=previous.provider_thread_id,
        reply_message_id=previous.provider_message_id,
        lead_id=previous.lead_id,
        follow_up_step=step,
        correlation_id=previous.correlation_id,
        due_at=now,
        created_by="follow_up",
    )
