"""The outbound message's life: queued -> sending -> sent | failed (or cancelled).

Each step is committed before the next begins. A row that is `sending` may already be at
the provider (our process died, or the answer was lost), so it is looked up there by its
Message-ID before anything is sent again.
"""

from __future__ import annotations

from enum import StrEnum


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
