"""client.changed: a tenant's public settings (never its secrets)."""

from __future__ import annotations

from datetime import time
from typing import ClassVar, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from leadwire.contracts.base import ContractModel, EventPayload

AutoSendMode = Literal["off", "guarded", "always"]
# The kinds of Slack notice a client can want (notifier); all by default.
NotificationKind = Literal[
    "lead.received",
    "lead.flagged",
    "draft.created",
    "email.sent",
    "email.send_failed",
    "lead.replied",
    "email.sent_by_person",
    "mailbox.revoked",
    "mailbox.sync_failed",
]
ALL_NOTIFICATION_KINDS: tuple[NotificationKind, ...] = (
    "lead.received",
    "lead.flagged",
    "draft.created",
    "email.sent",
    "email.send_failed",
    "lead.replied",
    "email.sent_by_person",
    "mailbox.revoked",
    "mailbox.sync_failed",
)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class BusinessHours(ContractModel):
    """When replies may go out, in the client's own time zone (`start` < `end`)."""

    timezone: str = Field(examples=["Europe/Berlin"])
    days: list[Weekday] = Field(min_length=1, examples=[["mon", "tue", "wed", "thu", "fri"]])
    start: time
    end: time

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError("business hours start must be before end")
        return self


class FollowUpSequence(ContractModel):
    """Follow-ups after a reply, each `delays_business_days[i]` business days after the
    previous message; stopped by a reply, a person answering, a bounce or closing."""

    enabled: bool = False
    delays_business_days: list[int] = Field(default_factory=lambda: [2, 5], max_length=10)
    template_id: UUID | None = None

    @field_validator("delays_business_days")
    @classmethod
    def _positive_delays(cls, value: list[int]) -> list[int]:
        if any(d < 1 or d > 60 for d in value):
            raise ValueError("each follow-up delay must be 1..60 business days")
        return value


class ClientChanged(EventPayload):
    """Snapshot of a client after any change (created, updated, deleted).

    Carries no secrets: whether a Slack webhook is set is a flag; the URL itself is
    fetched over the `client.secrets` RPC by the notifier. `revision` grows with each
    change so a consumer can ignore an older snapshot that arrives late.
    """

    event_type: ClassVar[str] = "client.changed"

    client_id: UUID
    slug: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    revision: int = Field(default=0, ge=0)
    auto_send: AutoSendMode = "off"
    business_hours: BusinessHours | None = None
    reply_delay_seconds: int = Field(default=0, ge=0)
    # Drafting profile: what the LLM needs to write in the client's voice.
    offer: str = ""
    tone: str = ""
    signature: str = ""
    booking_link: str = ""
    language: str = "en"
    allowed_origins: list[str] = Field(default_factory=list)
    has_slack_webhook: bool = False
    deleted: bool = False
    # Added in v1 without a version bump (all optional).
    # The mailbox that answers form leads and opens new threads (default: first connected).
    primary_mailbox_id: UUID | None = None
    notification_kinds: list[NotificationKind] = Field(
        default_factory=lambda: list(ALL_NOTIFICATION_KINDS)
    )
    follow_up: FollowUpSequence = Field(default_factory=FollowUpSequence)
    # Drafts scoring below this await approval even under `guarded`.
    qualification_threshold: int = Field(default=50, ge=0, le=100)
    # Mail from these domains is never a lead: the client's own, and a deny list.
    own_domains: list[str] = Field(default_factory=list)
    denied_domains: list[str] = Field(default_factory=list)
