"""Slack interaction payloads: which button was clicked on which draft, by whom.

Slack POSTs `application/x-www-form-urlencoded` with one field, `payload`, holding the
JSON of a `block_actions` interaction. Only our Approve / Reject buttons lead to an
action; the Edit button is a link (Slack still reports its click) and is acknowledged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qs
from uuid import UUID

from leadwire_notifier.domain.blocks import APPROVE, REJECT
from leadwire_notifier.domain.text import escape

Decision = Literal["approve", "reject"]


class InteractionError(ValueError):
    """The body is not an interaction payload we can read (answered 400)."""


@dataclass(frozen=True)
class DraftClick:
    """A person clicked Approve or Reject on a draft's message."""

    decision: Decision
    draft_id: UUID
    user_id: str
    user_name: str
    response_url: str | None = None
    message_blocks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def decided_by(self) -> str:
        return f"{self.user_name} (slack:{self.user_id})"


def _payload(body: bytes) -> dict[str, Any]:
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    raw = fields.get("payload")
    if not raw:
        raise InteractionError("the form has no 'payload' field")
    try:
        payload = json.loads(raw[0])
    except ValueError:
        raise InteractionError("'payload' is not JSON") from None
    if not isinstance(payload, dict):
        raise InteractionError("'payload' is not a JSON object")
    return payload


def _user(payload: dict[str, Any]) -> tuple[str, str]:
    user = payload.get("user")
    if not isinstance(user, dict) or not user.get("id"):
        raise InteractionError("the payload names no user")
    name = user.get("username") or user.get("name") or user["id"]
    return str(user["id"]), str(name)


def parse_click(body: bytes) -> DraftClick | None:
    """The draft decision in a form body, None for an interaction we only acknowledge."""
    payload = _payload(body)
    if payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise InteractionError("a block_actions payload without actions")
    action = actions[0]
    if action.get("action_id") not in (APPROVE, REJECT):
        return None
    try:
        draft_id = UUID(str(action.get("value", "")))
    except ValueError:
        raise InteractionError("the button's value is not a draft id") from None
    user_id, user_name = _user(payload)
    message = payload.get("message")
    blocks = message.get("blocks") if isinstance(message, dict) else None
    response_url = payload.get("response_url")
    return DraftClick(
        decision="approve" if action["action_id"] == APPROVE else "reject",
        draft_id=draft_id,
        user_id=user_id,
        user_name=user_name,
        response_url=response_url if isinstance(response_url, str) else None,
        message_blocks=blocks if isinstance(blocks, list) else [],
    )


_DECISION_WORDS = {
    "approve": (":white_check_mark:", "Approved"),
    "reject": (":x:", "Rejected"),
    "superseded": (":arrows_counterclockwise:", "Replaced"),
}


def decision_text(decision: str, decided_by: str, decided_at: datetime) -> str:
    """`:white_check_mark: Approved by ann (slack:U1) at 2026-01-02 10:00 UTC`."""
    mark, verb = _DECISION_WORDS.get(decision, (":grey_question:", decision))
    when = decided_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{mark} {verb} by {escape(decided_by)} at {when}"
