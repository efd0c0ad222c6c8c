"""Building the events ingest publishes from what it parsed (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leadwire.events import (
    Attachment,
    EmailBounced,
    EmailReceived,
    EmailSentByPerson,
    InboundSignals,
    LeadReceived,
    PriorMessage,
)
from leadwire_ingest.domain.message import ParsedMessage
from leadwire_ingest.domain.models import Activity, Mailbox

SNIPPET = 300


@dataclass(frozen=True)
class FetchedMessage:
    """One message as a provider handed it over, before parsing."""

    provider_message_id: str
    provider_thread_id: str | None
    raw: bytes
    received_at: datetime
    labels: frozenset[str] = frozenset()  # upper-cased labelIds / folder names
    sent_by_mailbox: bool = False


def history_from(activities: list[Activity]) -> list[PriorMessage]:
    """The contact's earlier emails (newest first in, oldest first out), at most 20."""
    prior = [
        PriorMessage(
            direction="out" if a.kind == "email_out" else "in",
            sent_at=a.occurred_at,
            subject=str(a.detail.get("subject", "")),
            excerpt=str(a.detail.get("excerpt", ""))[:2000],
        )
        for a in activities[:20]
    ]
    return list(reversed(prior))


def lead_received(
    msg: ParsedMessage,
    fetched: FetchedMessage,
    mailbox: Mailbox,
    *,
    lead_id: UUID,
    contact_id: UUID,
    history: list[PriorMessage],
) -> LeadReceived:
    s = msg.signals
    return LeadReceived(
        lead_id=lead_id,
        contact_id=contact_id,
        source="email",
        mailbox_id=mailbox.mailbox_id,
        provider=mailbox.provider,
        from_address=msg.from_address,
        from_name=msg.from_name,
        to_address=mailbox.address,
        subject=msg.subject,
        body_text=msg.reply_text,
        provider_message_id=fetched.provider_message_id,
        provider_thread_id=fetched.provider_thread_id,
        rfc_message_id=msg.rfc_message_id,
        references=list(msg.references),
        received_at=fetched.received_at,
        reply_to=list(msg.reply_to),
        cc=[a for a in msg.cc if a != mailbox.address],
        has_html=msg.has_html,
        attachments=[
            Attachment(filename=a.filename, content_type=a.content_type, size=a.size)
            for a in msg.attachments
        ],
        signals=InboundSignals(
            spf=s.spf,
            dkim=s.dkim,
            dmarc=s.dmarc,
            list_id=s.list_id,
            list_unsubscribe=s.list_unsubscribe,
            precedence=s.precedence,
            link_count=s.link_count,
        ),
        history=history,
    )


def email_received(
    msg: ParsedMessage,
    fetched: FetchedMessage,
    mailbox: Mailbox,
    lead_id: UUID | None,
    *,
    is_auto_reply: bool,
) -> EmailReceived:
    return EmailReceived(
        lead_id=lead_id,
        mailbox_id=mailbox.mailbox_id,
        provider=mailbox.provider,
        provider_message_id=fetched.provider_message_id,
        provider_thread_id=fetched.provider_thread_id,
        rfc_message_id=msg.rfc_message_id,
        in_reply_to=msg.in_reply_to,
        from_address=msg.from_address or "unknown",
        subject=msg.subject,
        snippet=msg.reply_text[:SNIPPET],
        received_at=fetched.received_at,
        is_auto_reply=is_auto_reply,
    )


def sent_by_person(
    msg: ParsedMessage, fetched: FetchedMessage, mailbox: Mailbox, lead_id: UUID
) -> EmailSentByPerson:
    return EmailSentByPerson(
        lead_id=lead_id,
        mailbox_id=mailbox.mailbox_id,
        provider=mailbox.provider,
        provider_message_id=fetched.provider_message_id,
        provider_thread_id=fetched.provider_thread_id,
        rfc_message_id=msg.rfc_message_id,
        to_addresses=list(msg.to),
        subject=msg.subject,
        sent_at=msg.sent_at or fetched.received_at,
    )


def email_bounced(
    msg: ParsedMessage, fetched: FetchedMessage, mailbox: Mailbox, lead_id: UUID | None
) -> EmailBounced:
    assert msg.bounce is not None
    b = msg.bounce
    return EmailBounced(
        mailbox_id=mailbox.mailbox_id,
        lead_id=lead_id,
        original_rfc_message_id=b.original_message_id,
        recipient=b.recipient,
        status=b.status,
        diagnostic=b.diagnostic,
        permanent=b.permanent,
        received_at=fetched.received_at,
    )
