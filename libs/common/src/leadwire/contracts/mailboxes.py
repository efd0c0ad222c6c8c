"""mailbox.connected / .disconnected / .revoked (oauth); mailbox.sync_failed /
.sync_recovered and the internal mailbox.sync_requested (ingest)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, Provider, UtcDateTime


class MailboxConnected(EventPayload):
    """A mailbox was (re)connected; tokens stay in oauth, fetched via `mailbox.token` RPC."""

    event_type: ClassVar[str] = "mailbox.connected"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str = Field(min_length=3)
    display_name: str = ""
    scopes: list[str] = Field(default_factory=list)
    reconnected: bool = False


class MailboxDisconnected(EventPayload):
    """An admin disconnected the mailbox (or the client was deleted): stop all work."""

    event_type: ClassVar[str] = "mailbox.disconnected"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str
    reason: str = ""


class MailboxRevoked(EventPayload):
    """The provider refused the grant (invalid_grant, AADSTS...): stop work, tell a person."""

    event_type: ClassVar[str] = "mailbox.revoked"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str
    error_code: str
    error_description: str = ""


SyncReason = Literal["connected", "push", "notification", "poll", "lifecycle", "manual"]


class MailboxSyncRequested(EventPayload):
    """Ingest-internal work item: sync this mailbox from its stored cursor. Webhooks and
    the poller only record this; any ingest replica does the sync (one per mailbox)."""

    event_type: ClassVar[str] = "mailbox.sync_requested"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    reason: SyncReason
    # A hint from the push (Gmail historyId) or notification (Graph resource).
    history_id: str | None = None
    resource: str | None = None


class MailboxSyncFailed(EventPayload):
    """A mailbox could not be watched, subscribed or synced for longer than the setting:
    a person is told. Ingest keeps retrying with backoff."""

    event_type: ClassVar[str] = "mailbox.sync_failed"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str = ""
    stage: Literal["watch", "subscribe", "sync", "renew"]
    error_code: str
    error_message: str = Field(default="", max_length=1000)
    failing_since: UtcDateTime
    attempts: int = Field(ge=1)


class MailboxSyncRecovered(EventPayload):
    """A mailbox that had `mailbox.sync_failed` syncs again."""

    event_type: ClassVar[str] = "mailbox.sync_recovered"

    mailbox_id: UUID
    client_id: UUID
    provider: Provider
    address: str = ""
    failed_for_seconds: float = Field(ge=0)
