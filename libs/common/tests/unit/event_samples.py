"""One valid payload per registered event type, shared by the contract tests."""

import uuid
from datetime import UTC, datetime, time

from leadwire.events import (
    BusinessHours,
    ClientChanged,
    DraftApproved,
    DraftCreated,
    DraftRejected,
    EmailReceived,
    EmailSendFailed,
    EmailSent,
    EventPayload,
    LeadFlagged,
    LeadReceived,
    LeadReplied,
    MailboxConnected,
    MailboxDisconnected,
    MailboxRevoked,
    ReplyTarget,
)

CLIENT = uuid.UUID("11111111-1111-4111-8111-111111111111")
MAILBOX = uuid.UUID("22222222-2222-4222-8222-222222222222")
LEAD = uuid.UUID("33333333-3333-4333-8333-333333333333")
DRAFT = uuid.UUID("44444444-4444-4444-8444-444444444444")
WHEN = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)

LEAD_RECEIVED = LeadReceived(
    lead_id=LEAD,
    contact_id=uuid.uuid4(),
    source="email",
    mailbox_id=MAILBOX,
    provider="google",
    from_address="ann@prospect.test",
    from_name="Ann",
    to_address="sales@client.test",
    subject="Pricing?",
    body_text="How much is it?",
    provider_message_id="18c1",
    provider_thread_id="18c0",
    rfc_message_id="<a@prospect.test>",
    references=["<z@prospect.test>"],
    received_at=WHEN,
)
REPLY_TO = ReplyTarget.from_lead(LEAD_RECEIVED)

SAMPLES: dict[str, EventPayload] = {
    "client.changed": ClientChanged(
        client_id=CLIENT,
        slug="acme",
        name="Acme",
        auto_send="guarded",
        business_hours=BusinessHours(
            timezone="Europe/Berlin", days=["mon", "fri"], start=time(9), end=time(17)
        ),
        reply_delay_seconds=120,
        offer="Widgets",
        tone="friendly",
        signature="— Acme",
        booking_link="https://cal.test/acme",
        allowed_origins=["https://acme.test"],
        has_slack_webhook=True,
    ),
    "mailbox.connected": MailboxConnected(
        mailbox_id=MAILBOX,
        client_id=CLIENT,
        provider="google",
        address="sales@client.test",
        display_name="Sales",
        scopes=["https://www.googleapis.com/auth/gmail.modify"],
    ),
    "mailbox.disconnected": MailboxDisconnected(
        mailbox_id=MAILBOX,
        client_id=CLIENT,
        provider="microsoft",
        address="sales@client.test",
        reason="admin",
    ),
    "mailbox.revoked": MailboxRevoked(
        mailbox_id=MAILBOX,
        client_id=CLIENT,
        provider="google",
        address="sales@client.test",
        error_code="invalid_grant",
        error_description="Token has been expired or revoked.",
    ),
    "lead.received": LEAD_RECEIVED,
    "email.received": EmailReceived(
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        provider="google",
        provider_message_id="18c9",
        provider_thread_id="18c0",
        rfc_message_id="<b@prospect.test>",
        in_reply_to="<ours@client.test>",
        from_address="ann@prospect.test",
        subject="Re: Pricing?",
        snippet="Sounds good",
        received_at=WHEN,
    ),
    "lead.replied": LeadReplied(
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        provider_message_id="18c9",
        rfc_message_id="<b@prospect.test>",
        received_at=WHEN,
    ),
    "lead.flagged": LeadFlagged(lead_id=LEAD, draft_id=DRAFT, reasons=["asks for a discount"]),
    "draft.created": DraftCreated(
        draft_id=DRAFT,
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        subject="Re: Pricing?",
        body_text="Hi Ann, ...",
        model="gpt-4o-mini",
        auto_send=True,
        send_after=WHEN,
        guard_verdict="pass",
        reply_to=REPLY_TO,
    ),
    "draft.approved": DraftApproved(
        draft_id=DRAFT,
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        subject="Re: Pricing?",
        body_text="Hi Ann, edited",
        approved_by="alice",
        reply_to=REPLY_TO,
    ),
    "draft.rejected": DraftRejected(
        draft_id=DRAFT, lead_id=LEAD, rejected_by="alice", reason="spam"
    ),
    "email.sent": EmailSent(
        outbound_id=uuid.uuid4(),
        draft_id=DRAFT,
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        provider="google",
        provider_message_id="18d0",
        provider_thread_id="18c0",
        rfc_message_id="<ours@client.test>",
        to_address="ann@prospect.test",
        subject="Re: Pricing?",
        sent_at=WHEN,
    ),
    "email.send_failed": EmailSendFailed(
        outbound_id=uuid.uuid4(),
        draft_id=DRAFT,
        lead_id=LEAD,
        mailbox_id=MAILBOX,
        error_code="quota_exceeded",
        error_message="daily limit",
        permanent=False,
        attempts=2,
    ),
}
