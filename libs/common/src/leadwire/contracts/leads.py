"""lead.received / email.received / lead.replied / lead.flagged (ingest and drafter)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, model_validator

from leadwire.contracts.base import ContractModel, EventPayload, Provider, UtcDateTime

LeadSource = Literal["email", "form"]


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

    @classmethod
    def from_lead(cls, lead: LeadReceived) -> ReplyTarget:
        return cls(
            to_address=lead.from_address,
            to_name=lead.from_name,
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
