"""The associated data that binds each encrypted value to its row and field.

A ciphertext copied to another row, or another column, then fails to decrypt. These
are the only places the strings are spelled; they must never change for stored data.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from leadwire.crypto import aad_for

TokenKind = Literal["access_token", "refresh_token"]


def mailbox_token_aad(mailbox_id: UUID, kind: TokenKind) -> bytes:
    return aad_for("mailboxes", mailbox_id, kind)


def slack_webhook_aad(client_id: UUID) -> bytes:
    return aad_for("clients", client_id, "slack_webhook_url")


def flow_secret_aad(nonce: str) -> bytes:
    return aad_for("oauth_flows", nonce, "secret")
