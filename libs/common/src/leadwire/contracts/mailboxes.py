"""mailbox.connected / mailbox.disconnected / mailbox.revoked (published by oauth)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from leadwire.contracts.base import EventPayload, Provider


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
