"""GoogleFake: Google OAuth + OIDC + Gmail API + Pub/Sub push, behind FakeMailProvider."""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

from fastapi import APIRouter, Request

from sandbox.config import SandboxConfig
from sandbox.google.control import google_control_router
from sandbox.google.errors import GoogleApiError, insufficient_scope, unauthenticated
from sandbox.google.gmail import gmail_router
from sandbox.google.gmail_send import send_message
from sandbox.google.gmail_store import GmailMailbox, StoredMessage, Watch
from sandbox.google.oauth import oauth_router
from sandbox.google.oauth_state import OAuthState
from sandbox.google.oidc import OidcSigner
from sandbox.google.pubsub import PubSubPusher, PushTarget
from sandbox.mail import CRLF, build_reply, html_body, recipients, text_body
from sandbox.outbound import Outbound

MAILBOX_OPTIONS = {"grant_scopes", "deny_consent", "push_enabled", "push_endpoint", "push_audience"}
WATCH_DAYS = 7
_SENT_HEADERS = (
    "From",
    "To",
    "Cc",
    "Bcc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
)


class GoogleFake:
    name = "google"

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.signer = OidcSigner(config.id_token_lifetime)
        self.pusher = PubSubPusher(config, self.signer)
        self.oauth = OAuthState()
        self.mailboxes: dict[str, GmailMailbox] = {}
        self.deny_next = False
        self.outbound: Outbound | None = None  # set by the Sandbox: cross-mailbox delivery

    # --- FakeProvider ---------------------------------------------------------
    def routers(self) -> list[APIRouter]:
        return [
            oauth_router(self),
            self.signer.router(lambda: self.config.base_url),
            gmail_router(self),
        ]

    def control_router(self) -> APIRouter:
        return google_control_router(self)

    async def start(self) -> None:
        await self.pusher.start()

    async def stop(self) -> None:
        await self.pusher.stop()

    def reset(self) -> None:
        self.oauth = OAuthState()
        self.mailboxes.clear()
        self.pusher.reset()
        self.deny_next = False

    # --- FakeMailProvider ------------------------------------------------------
    def create_mailbox(self, address: str, display_name: str, **options: Any) -> dict[str, Any]:
        unknown = set(options) - MAILBOX_OPTIONS
        if unknown:
            raise ValueError(f"unknown google mailbox options: {sorted(unknown)}")
        box = self.mailbox(address)
        if box is None:
            box = GmailMailbox(address, display_name, self.config.history_retention, **options)
            self.mailboxes[address.lower()] = box
        else:
            box.options.update(options)
        return {
            "address": box.address,
            "display_name": box.display_name,
            "historyId": str(box.history_id),
            "options": box.options,
        }

    def has_mailbox(self, address: str) -> bool:
        return address.lower() in self.mailboxes

    def deliver(
        self, address: str, message: EmailMessage, labels: list[str], raw: bytes | None = None
    ) -> dict[str, Any]:
        box = self._require(address)
        stored = box.add(raw if raw is not None else message.as_bytes(policy=CRLF), message, labels)
        self.after_add(box, stored)
        return {
            "id": stored.id,
            "threadId": stored.thread_id,
            "labelIds": stored.label_ids,
            "historyId": str(stored.history_id),
            "messageId": str(message.get("Message-ID", "")),
        }

    def sent_messages(self, address: str) -> list[dict[str, Any]]:
        box = self._require(address)
        return [self._sent_json(box.messages[i]) for i in box.sent if i in box.messages]

    def revoke_grants(self, address: str) -> None:
        self._require(address)
        self.oauth.revoke_address(address)

    def mailbox_of_token(self, path: str, token: str) -> str | None:
        """For mailbox-scoped fault rules: whose Gmail access token this is."""
        if not path.startswith(("/gmail/", "/upload/gmail/")):
            return None
        found = self.oauth.lookup_access_token(token)
        return found.grant.address if found is not None else None

    # --- helpers used by the routers ------------------------------------------
    def mailbox(self, address: str) -> GmailMailbox | None:
        return self.mailboxes.get(address.lower())

    def _require(self, address: str) -> GmailMailbox:
        box = self.mailbox(address)
        if box is None:
            raise KeyError(f"no google mailbox {address!r}")
        return box

    def mailbox_for(self, request: Request, user_id: str, scopes: set[str]) -> GmailMailbox:
        """The mailbox a Gmail call may touch, from its bearer token and userId."""
        header = request.headers.get("authorization", "")
        token = (
            self.oauth.lookup_access_token(header[7:]) if header[:7].lower() == "bearer " else None
        )
        if token is None:
            raise unauthenticated()
        address = token.grant.address
        if user_id != "me" and user_id.lower() != address.lower():
            raise GoogleApiError(403, f"Delegation denied for {address}", reason="forbidden")
        if not scopes.intersection(token.grant.scopes):
            raise insufficient_scope()
        box = self.mailbox(address)
        if box is None:  # mailbox removed by a reset while a token was still held
            raise unauthenticated()
        return box

    def start_watch(
        self, box: GmailMailbox, topic: str, label_ids: list[str], behavior: str = "include"
    ) -> dict[str, Any]:
        expiration = int((time.time() + WATCH_DAYS * 86400) * 1000)
        box.watch = Watch(topic, label_ids, expiration, behavior)
        return {"historyId": str(box.history_id), "expiration": str(expiration)}

    def push_target(self, box: GmailMailbox) -> PushTarget | None:
        if not box.options.get("push_enabled", True):
            return None
        endpoint = box.options.get("push_endpoint") or self.config.push_endpoint
        if not endpoint:
            return None
        audience = box.options.get("push_audience") or self.config.push_audience or endpoint
        return PushTarget(endpoint, audience)

    def reply_as_user(
        self, address: str, message_id: str, text: str | None, html: str | None
    ) -> dict[str, Any]:
        """The mailbox's owner replies in Gmail's UI: in thread, then delivered onwards."""
        box = self._require(address)
        original = box.messages.get(message_id)
        if original is None:
            raise KeyError(f"no message {message_id!r} in {address!r}")
        reply = build_reply(original.message, box.address, text, html)
        stored = send_message(box, reply.as_bytes(policy=CRLF), original.thread_id)
        self.after_send(box, stored)
        return {
            "id": stored.id,
            "threadId": stored.thread_id,
            "messageId": str(reply["Message-ID"]),
        }

    def after_send(self, box: GmailMailbox, stored: StoredMessage) -> None:
        """Push about the sent copy, then hand it to recipients that are sandbox mailboxes."""
        self.after_add(box, stored)
        if self.outbound is not None:
            self.outbound(box.address, recipients(stored.message), stored.raw)

    def after_add(self, box: GmailMailbox, stored: StoredMessage) -> None:
        self.after_change(box, set(stored.label_ids))

    def after_change(self, box: GmailMailbox, labels: set[str]) -> None:
        """Tell the watch's topic about any change (added, deleted, labels changed) whose
        message labels the watch covers, as Gmail does; `labels`: before and after it."""
        watch = box.watch
        if not labels or watch is None or watch.expiration_ms < time.time() * 1000:
            return
        if not watch.covers(labels):
            return
        target = self.push_target(box)
        if target is not None:
            self.pusher.notify(target, box.address, box.history_id)

    @staticmethod
    def _sent_json(stored: StoredMessage) -> dict[str, Any]:
        msg = stored.message
        headers = {h: str(msg[h]) for h in _SENT_HEADERS if msg.get(h) is not None}
        return {
            "id": stored.id,
            "threadId": stored.thread_id,
            "labelIds": stored.label_ids,
            "headers": headers,
            "text": text_body(msg),
            "html": html_body(msg),
            "internalDate": str(stored.internal_date),
        }
