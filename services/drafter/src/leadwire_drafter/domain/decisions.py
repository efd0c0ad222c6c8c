"""The one state machine every decision goes through (admin API and Slack clicks alike).

    awaiting_approval --approve--> approved --sent--> sent
    awaiting_approval --reject---> rejected
    awaiting_approval --newer message / regenerate--> superseded
    auto --sent--> sent

Anything else is a conflict: the API answers 409, an event is logged and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DraftStatus = Literal["awaiting_approval", "approved", "rejected", "auto", "sent", "superseded"]
Action = Literal["approve", "reject", "supersede", "sent"]

_TRANSITIONS: dict[tuple[DraftStatus, Action], DraftStatus] = {
    ("awaiting_approval", "approve"): "approved",
    ("awaiting_approval", "reject"): "rejected",
    ("awaiting_approval", "supersede"): "superseded",
    ("approved", "sent"): "sent",
    ("auto", "sent"): "sent",
}
_WHY_NOT: dict[DraftStatus, str] = {
    "approved": "the draft is already approved",
    "rejected": "the draft was rejected",
    "auto": "the draft is sent automatically and needs no decision",
    "sent": "the draft was already sent",
    "superseded": "a newer draft replaced this one",
    "awaiting_approval": "the draft still awaits approval",
}


@dataclass(frozen=True)
class Conflict:
    status: DraftStatus
    reason: str


def transition(status: DraftStatus, action: Action) -> DraftStatus | Conflict:
    """The next status, or the Conflict explaining why `action` is not possible now."""
    target = _TRANSITIONS.get((status, action))
    if target is None:
        return Conflict(status=status, reason=f"cannot {action}: {_WHY_NOT[status]}")
    return target


def initial_status(auto_send: bool) -> DraftStatus:
    return "auto" if auto_send else "awaiting_approval"
