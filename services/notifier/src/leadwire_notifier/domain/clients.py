"""Whether a client hears of an event at all: its settings and its webhook's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

Admission = Literal["queued", "skipped"]


@dataclass(frozen=True)
class ClientState:
    client_id: UUID
    name: str = ""
    revision: int = -1
    notification_kinds: tuple[str, ...] | None = None  # None: every kind
    has_slack_webhook: bool | None = None  # None: not told yet
    deleted: bool = False
    webhook_broken_at: datetime | None = None
    webhook_broken_reason: str = ""


def admit(client: ClientState, kind: str) -> tuple[Admission, str]:
    """`("queued", "")` or `("skipped", why)` for a notice of `kind` to `client`."""
    if client.deleted:
        return "skipped", "client deleted"
    if client.notification_kinds is not None and kind not in client.notification_kinds:
        return "skipped", f"client does not want {kind}"
    if client.has_slack_webhook is False:
        return "skipped", "client has no Slack webhook"
    if client.webhook_broken_at is not None:
        return "skipped", f"Slack webhook broken: {client.webhook_broken_reason}"
    return "queued", ""
