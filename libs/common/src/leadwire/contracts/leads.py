"""lead.received / email.received / lead.replied / email.sent_by_person / email.bounced
(ingest) and lead.flagged (drafter)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, model_validator

from leadwire.contracts.base import ContractModel, EventPayload, Provider, UtcDateTime

LeadSource = Literal["email", "form"]
# An `Authentication-Results` verdict (RFC 8601 result values), None when absent.
AuthResult = Literal[
    "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"
]
GuardVerdict = Literal["pass", "suspicious", "spam"]


class Attachment(ContractModel):
    """An attachment's metadata; the content stays at the provider."""

    filename: str = ""
    content_type: str = "application/octet-stream"
    size: int = Field(default=0, ge=0)


class InboundSignals(ContractModel):
    """What a guard needs to judge an inbound message, read from its headers and body."""

    spf: AuthResult | None = None
    dkim: AuthResult | None = None
    dmarc: AuthResult | None = None
    list_id: bool = False
    list_unsubscribe: bool = False
    precedence: str | None = None
    link_count: int = Field(default=0, ge=0)


class PriorMessage(ContractModel):
    """One earlier message of the thread or of the contact, for the drafter's context."""

    direction: Literal["in", "out"]
    sent_at: UtcDateTime
    subject: str = ""
    excerpt: str = Field(default="", max_length=2000)


class LeadReceived(EventPayload):
    """A new lead: everything the drafter needs to write and the sender to reply in-thread.

    For `source="email"` the mailbox, provider and provider message id are required;
    `body_text` is plain text with quoted history stripped. For `source="form"` the
    mailbox is unset and the posted fields are in `form_fields`.
    """

    event_type: ClassVar[str] = "lead.received"

    lead_id: UUID
    contact_id: UUID
    source: LeadSource
    mailbox_id: UUID | None = None
    provider: Provider | None = None
    from_address: str = Field(min_length=3)
    from_name: str = ""
    to_address: str = ""
    subject: str = ""
    body_text: str = ""
    provider_message_id: str | None = None
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    references: list[str] = Field(default_factory=list)
    received_at: UtcDateTime
    form_fields: dict[str, str] = Field(default_factory=dict)
    # Added in v1 without a version bump (all optional): replying to everyone the lead
    # copied, the guard's signals, attachment metadata and the form's origin.
    reply_to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    has_html: bool = False
    attachments: list[Attachment] = Field(default_factory=list)
    signals: InboundSignals = Field(default_factory=InboundSignals)
    form_origin: str | None = None
    page_url: str | None = None
    user_agent: str | None = None
    history: list[PriorMessage] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _email_leads_name_their_mailbox(self) -> LeadReceived:
        if self.source == "email":
            missing = [
                name
                for name in ("mailbox_id", "provider", "provider_message_id")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"an email lead needs {', '.join(missing)}")
        return self


class ReplyTarget(ContractModel):
    """Where and how to answer a lead: carried on draft events so the sender, which does
    not consume lead.received, can reply in the same thread (`In-Reply-To`, `References`,
    Gmail `threadId`, Graph `createReply` on the original message id)."""

    to_address: str = Field(min_length=3)
    to_name: str = ""
    subject: str = ""
    provider: Provider | None = None
    provider_message_id: str | None = None
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    references: list[str] = Field(default_factory=list)
    # Everyone else the lead copied, answered with reply-all.
    cc: list[str] = Field(default_factory=list)

    @classmethod
    def from_lead(cls, lead: LeadReceived) -> ReplyTarget:
        """Answer the lead's Reply-To when it set one, else its From."""
        to_address = lead.reply_to[0] if lead.reply_to else lead.from_address
        return cls(
            to_address=to_address,
            to_name=lead.from_name if to_address == lead.from_address else "",
            cc=[a for a in [*lead.reply_to[1:], *lead.cc] if a.lower() != to_address.lower()],
            subject=lead.subject,
            provider=lead.provider,
            provider_message_id=lead.provider_message_id,
            provider_thread_id=lead.provider_thread_id,
            rfc_message_id=lead.rfc_message_id,
            references=list(lead.references),
        )

    def reply_references(self) -> list[str]:
        """The References header of our reply: theirs plus the message we answer."""
        refs = list(self.references)
        if self.rfc_message_id and self.rfc_message_id not in refs:
            refs.append(self.rfc_message_id)
        return refs


class EmailReceived(EventPayload):
    """A message in a thread we already know (a lead's reply, an auto-reply, ...)."""

    event_type: ClassVar[str] = "email.received"

    lead_id: UUID | None = None
    mailbox_id: UUID
    provider: Provider
    provider_message_id: str
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    in_reply_to: str | None = None
    from_address: str
    subject: str = ""
    snippet: str = ""
    received_at: UtcDateTime
    is_auto_reply: bool = False


class LeadReplied(EventPayload):
    """The lead answered us (a human reply, not an auto-reply): stop follow-ups."""

    event_type: ClassVar[str] = "lead.replied"

    lead_id: UUID
    mailbox_id: UUID
    provider_message_id: str
    rfc_message_id: str | None = None
    received_at: UtcDateTime


class LeadFlagged(EventPayload):
    """A lead (or its draft) needs a person: the guard refused auto-sending, or similar."""

    event_type: ClassVar[str] = "lead.flagged"

    lead_id: UUID
    draft_id: UUID | None = None
    reasons: list[str] = Field(min_length=1)
    verdict: GuardVerdict | None = None


class EmailSentByPerson(EventPayload):
    """The mailbox sent a message in a lead's thread that the sender did not send: a
    person answered by hand, so nothing automatic goes to that lead afterwards."""

    event_type: ClassVar[str] = "email.sent_by_person"

    lead_id: UUID
    mailbox_id: UUID
    provider: Provider
    provider_message_id: str
    provider_thread_id: str | None = None
    rfc_message_id: str | None = None
    to_addresses: list[str] = Field(default_factory=list)
    subject: str = ""
    sent_at: UtcDateTime


class EmailBounced(EventPayload):
    """A delivery-status notification for a message we sent: follow-ups to it stop."""

    event_type: ClassVar[str] = "email.bounced"

    mailbox_id: UUID
    lead_id: UUID | None = None
    # The Message-ID of our outbound message the report is about, when it names it.
    original_rfc_message_id: str | None = None
    recipient: str = ""
    status: str = ""  # RFC 3464 status, e.g. "5.1.1"
    diagnostic: str = Field(default="", max_length=1000)
    permanent: bool = True
    received_at: UtcDateTime
