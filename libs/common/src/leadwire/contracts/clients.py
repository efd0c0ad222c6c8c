"""client.changed: a tenant's public settings (never its secrets)."""

from __future__ import annotations

from datetime import time
from typing import ClassVar, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from leadwire.contracts.base import ContractModel, EventPayload

AutoSendMode = Literal["off", "guarded", "always"]
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
