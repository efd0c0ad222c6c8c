"""The outbound message's life: queued -> sending -> sent | failed (or cancelled).

Each step is committed before the next begins. A row that is `sending` may already be at
the provider (our process died, or the answer was lost), so it is looked up there by its
Message-ID before anything is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

OutboundKind = Literal["reply", "follow_up", "new_thread", "manual"]


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Never reached the provider: the lead replied, a person answered, the mailbox went away.
    CANCELLED = "cancelled"


_ALLOWED: dict[OutboundStatus, frozenset[OutboundStatus]] = {
    OutboundStatus.QUEUED: frozenset(
        {OutboundStatus.SENDING, OutboundStatus.CANCELLED, OutboundStatus.FAILED}
    ),
    # `sending` -> `sending` is a retry after a transient error (looked up first).
    OutboundStatus.SENDING: frozenset(
        {OutboundStatus.SENDING, OutboundStatus.SENT, OutboundStatus.FAILED}
    ),
    OutboundStatus.SENT: frozenset(),
    OutboundStatus.FAILED: frozenset(),
    OutboundStatus.CANCELLED: frozenset(),
}

FINAL_STATUSES = frozenset({OutboundStatus.SENT, OutboundStatus.FAILED, OutboundStatus.CANCELLED})


class InvalidTransitionError(Exception):
    def __init__(self, current: OutboundStatus, wanted: OutboundStatus) -> None:
        super().__init__(f"outbound cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def check_transition(current: OutboundStatus, wanted: OutboundStatus) -> OutboundStatus:
    """Return `wanted` if the machine allows it from `current`, else raise."""
    if wanted not in _ALLOWED[current]:
        raise InvalidTransitionError(current, wanted)
    return wanted


def needs_lookup(claimed_from: OutboundStatus) -> bool:
    """A row claimed while already `sending` may have reached the provider: look it up."""
    return claimed_from is OutboundStatus.SENDING


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""


@dataclass(frozen=True)
class Outbound:
    """One message we send (or sent), as stored. The thread fields say where it answers."""

    id: UUID
    client_id: UUID
    mailbox_id: UUID | None
    kind: OutboundKind
    rfc_message_id: str
    to: tuple[Recipient, ...]
    subject: str
    body_text: str
    due_at: datetime
    status: OutboundStatus = OutboundStatus.QUEUED
    draft_id: UUID | None = None
    lead_id: UUID | None = None
    job_id: UUID | None = None
    follow_up_step: int | None = None
    correlation_id: UUID | None = None
    sender_name: str = ""
    cc: tuple[Recipient, ...] = ()
    bcc: tuple[Recipient, ...] = ()
    body_html: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reply_thread_id: str | None = None
    reply_message_id: str | None = None
    provider_draft_id: str | None = None
    provider_message_id: str | None = None
    provider_thread_id: str | None = None
    attempts: int = 0
    error_code: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def is_reply(self) -> bool:
        return bool(self.reply_thread_id or self.reply_message_id or self.in_reply_to)


def snippet(text: str, limit: int = 200) -> str:
    """The first words of a body, on one line, for events and lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
