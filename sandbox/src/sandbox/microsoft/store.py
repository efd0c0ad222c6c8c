"""In-memory state of the fake Microsoft tenant: mailboxes, messages, grants, tokens.

Everything lives in plain dataclasses guarded by one lock: the generic control
API runs in FastAPI's thread pool while Graph routes run on the event loop.
"""

from __future__ import annotations

import base64
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

WELL_KNOWN_FOLDERS = ("inbox", "sentitems", "drafts", "junkemail", "deleteditems")


def utcnow() -> datetime:
    return datetime.now(UTC)


def graph_time(moment: datetime | None) -> str | None:
    """Graph's timestamp form: second precision, trailing Z."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_graph_id() -> str:
    """Opaque, URL-safe ids shaped like Exchange's (AAMkA... base64 text)."""
    return "AAMkAG" + base64.urlsafe_b64encode(secrets.token_bytes(45)).decode().rstrip("=")


def recipient(address: str, name: str | None = None) -> dict[str, Any]:
    return {"emailAddress": {"name": name or address, "address": address}}


@dataclass
class GraphMessage:
    id: str
    folder: str
    conversation_id: str
    internet_message_id: str
    subject: str
    body_type: str  # "html" | "text"
    body: str
    sender: dict[str, Any]
    to: list[dict[str, Any]]
    cc: list[dict[str, Any]] = field(default_factory=list)
    bcc: list[dict[str, Any]] = field(default_factory=list)
    reply_to: list[dict[str, Any]] = field(default_factory=list)
    received: datetime = field(default_factory=utcnow)
    sent: datetime | None = None
    created: datetime = field(default_factory=utcnow)
    modified: datetime = field(default_factory=utcnow)
    is_read: bool = False
    is_draft: bool = False
    headers: list[dict[str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    unique_body: str | None = None
    from_: dict[str, Any] | None = None  # differs from sender when sent on behalf
    mime: bytes | None = None  # inbound: the bytes as received, served by $value
    change_seq: int = 0
    change_key: str = field(default_factory=lambda: secrets.token_urlsafe(12))


@dataclass
class Mailbox:
    address: str
    display_name: str
    user_id: str
    folder_ids: dict[str, str]
    messages: dict[str, GraphMessage] = field(default_factory=dict)
    # (change seq, message id, folder) of removed messages, for delta's @removed entries
    removed: list[tuple[int, str, str]] = field(default_factory=list)
    seq: int = 0
    delta_epoch: int = 0  # bumped to expire every delta/skip token issued so far
    deny_consent: bool = False
    denied_scopes: set[str] = field(default_factory=set)
    throttle_remaining: int = 0
    throttle_retry_after: int = 1

    def public(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "display_name": self.display_name,
            "id": self.user_id,
            "deny_consent": self.deny_consent,
            "denied_scopes": sorted(self.denied_scopes),
        }

    def folder_of_id(self, folder: str) -> str | None:
        """A well-known name or a folder id → the well-known name."""
        if folder.lower() in self.folder_ids:
            return folder.lower()
        return next((name for name, fid in self.folder_ids.items() if fid == folder), None)


@dataclass
class Grant:
    """One user consent: a family of refresh tokens that a revoke ends together."""

    id: str
    address: str
    client_id: str
    scopes: list[str]  # as the client spelt them
    revoked: bool = False


@dataclass
class AccessToken:
    address: str
    client_id: str
    scopes: frozenset[str]  # normalised short names, lower-case ("mail.read")
    expires_at: float


@dataclass
class AuthCode:
    address: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str
    nonce: str | None
    expires_at: float


@dataclass
class Subscription:
    id: str
    address: str
    client_id: str
    resource: str
    change_types: list[str]
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expiration: datetime
    tls_version: str = "v1_2"
    folder: str = "*"  # the watched folder's well-known name; "*" for all messages

    def public(self, tenant_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.client_id,
            "changeType": ",".join(self.change_types),
            "clientState": self.client_state,
            "notificationUrl": self.notification_url,
            "notificationQueryOptions": None,
            "lifecycleNotificationUrl": self.lifecycle_url,
            "expirationDateTime": self.expiration.astimezone(UTC)
            .isoformat()
            .replace("+00:00", "Z"),
            "creatorId": self.address,
            "includeResourceData": None,
            "latestSupportedTlsVersion": self.tls_version,
            "encryptionCertificate": None,
            "encryptionCertificateId": None,
            "notificationUrlAppId": None,
            "tenantId": tenant_id,
        }


class MicrosoftStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {}  # lower-cased address
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # token -> grant id (live tokens only)
        self.access_tokens: dict[str, AccessToken] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.subscriptions: dict[str, Subscription] = {}

    def reset(self) -> None:
        with self.lock:
            self.__init__()  # type: ignore[misc]

    # mailboxes ---------------------------------------------------------------
    def create_mailbox(self, address: str, display_name: str) -> Mailbox:
        with self.lock:
            existing = self.mailboxes.get(address.lower())
            if existing is not None:
                return existing
            folder_ids = {name: new_graph_id() for name in WELL_KNOWN_FOLDERS}
            mailbox = Mailbox(address, display_name, str(uuid.uuid4()), folder_ids)
            self.mailboxes[address.lower()] = mailbox
            return mailbox

    def mailbox(self, address: str) -> Mailbox | None:
        return self.mailboxes.get(address.lower())

    def mailbox_by_user(self, user: str) -> Mailbox | None:
        """Graph addresses a user by object id or by userPrincipalName."""
        found = self.mailbox(user)
        return found or next((m for m in self.mailboxes.values() if m.user_id == user), None)

    # messages ----------------------------------------------------------------
    def add_message(self, mailbox: Mailbox, message: GraphMessage) -> GraphMessage:
        with self.lock:
            mailbox.seq += 1
            message.change_seq = mailbox.seq
            mailbox.messages[message.id] = message
            return message

    def touch(self, mailbox: Mailbox, message: GraphMessage) -> None:
        """Record a change so delta reports the message again."""
        with self.lock:
            mailbox.seq += 1
            message.change_seq = mailbox.seq
            message.modified = utcnow()
            message.change_key = secrets.token_urlsafe(12)

    def move(self, mailbox: Mailbox, message: GraphMessage, folder: str) -> None:
        with self.lock:
            mailbox.seq += 1
            mailbox.removed.append((mailbox.seq, message.id, message.folder))
            message.folder = folder
            self.touch(mailbox, message)

    def delete(self, mailbox: Mailbox, message: GraphMessage) -> None:
        with self.lock:
            mailbox.seq += 1
            mailbox.removed.append((mailbox.seq, message.id, message.folder))
            mailbox.messages.pop(message.id, None)

    def conversation_for(self, mailbox: Mailbox, message_ids: list[str]) -> str | None:
        """The conversation holding any of these Message-IDs (Exchange threads replies)."""
        wanted = {m.strip() for m in message_ids if m.strip()}
        for msg in mailbox.messages.values():
            if msg.internet_message_id in wanted:
                return msg.conversation_id
        return None

    # grants and tokens ---------------------------------------------------------
    def new_grant(self, address: str, client_id: str, scopes: list[str]) -> Grant:
        with self.lock:
            grant = Grant(str(uuid.uuid4()), address.lower(), client_id, scopes)
            self.grants[grant.id] = grant
            return grant

    def new_refresh_token(self, grant: Grant) -> str:
        token = "0.AS" + secrets.token_urlsafe(96)
        with self.lock:
            self.refresh_tokens[token] = grant.id
        return token

    def new_access_token(
        self, address: str, client_id: str, scopes: frozenset[str], expires_at: float
    ) -> str:
        token = "EwB" + secrets.token_urlsafe(64)
        with self.lock:
            self.access_tokens[token] = AccessToken(address.lower(), client_id, scopes, expires_at)
        return token

    def revoke(self, address: str) -> int:
        with self.lock:
            grants = [g for g in self.grants.values() if g.address == address.lower()]
            for grant in grants:
                grant.revoked = True
            # As with Continuous Access Evaluation: the mailbox's access tokens die too.
            for token in self.access_tokens.values():
                if token.address == address.lower():
                    token.expires_at = 0
            return len(grants)
