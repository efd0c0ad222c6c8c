"""Fake Microsoft identity platform v2.0 + Microsoft Graph v1.0 mail (see sandbox/README.md)."""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from typing import Any

from fastapi import APIRouter

from sandbox.config import SandboxConfig
from sandbox.microsoft.aad import aad_error_body, tenant_guid
from sandbox.microsoft.control import apply_options, microsoft_control_router
from sandbox.microsoft.convert import from_email, html_to_text, sent_headers, to_mime
from sandbox.microsoft.graph_common import fallback_router
from sandbox.microsoft.graph_messages import graph_message_router
from sandbox.microsoft.graph_paths import GraphPathMiddleware
from sandbox.microsoft.graph_send import graph_send_router, reply_draft
from sandbox.microsoft.graph_subscriptions import Subscriptions, subscription_router
from sandbox.microsoft.identity import Identity, identity_router
from sandbox.microsoft.notifier import Notifier
from sandbox.microsoft.store import (
    GraphMessage,
    Mailbox,
    MicrosoftStore,
    graph_time,
    new_graph_id,
    utcnow,
)
from sandbox.outbound import Outbound

__all__ = ["MicrosoftFake"]

_IDENTITY_PATH = re.compile(r"^/[^/]+/(oauth2/v2\.0|v2\.0/\.well-known|discovery/v2\.0)/")


class MicrosoftFake:
    name = "microsoft"

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = MicrosoftStore()
        self.tenant_id = tenant_guid(config.microsoft_tenant)
        self.identity = Identity(config, self.store, self.tenant_id)
        self.notifier = Notifier(config)
        self._validation_timeout = float(getattr(config, "graph_validation_timeout", 10.0))
        self.subscriptions = Subscriptions(
            self.store, self.notifier, self.tenant_id, self._validation_timeout
        )
        self.outbound: Outbound | None = None  # set by the Sandbox: cross-mailbox delivery

    # FakeProvider ----------------------------------------------------------------
    def routers(self) -> list[APIRouter]:
        return [
            identity_router(self.identity),
            graph_message_router(
                self.store, self.subscriptions.notify, lambda: self.config.graph_delta_lifetime
            ),
            graph_send_router(self.store, self._after_send),
            subscription_router(self.subscriptions),
            fallback_router(),
        ]

    def asgi_middleware(self) -> list[type]:
        return [GraphPathMiddleware]

    def control_router(self) -> APIRouter:
        return microsoft_control_router(self)

    async def start(self) -> None:
        await self.notifier.start()

    async def stop(self) -> None:
        await self.notifier.stop()

    def reset(self) -> None:
        self.subscriptions.reset()
        self.store.reset()
        self.notifier.reset()
        self.identity.issuer_tokens.rotate_refresh_tokens = False
        self.subscriptions.validation_timeout = self._validation_timeout
        self.subscriptions.require_https = False

    def fault_error_body(self, path: str, status: int, message: str) -> tuple[str, bytes] | None:
        """Injected faults on identity routes answer in AAD's error shape."""
        if not _IDENTITY_PATH.match(path):
            return None
        error = "temporarily_unavailable" if status >= 429 else "invalid_request"
        body = aad_error_body(error, 50196 if status == 429 else 90033, message)
        return "application/json; charset=utf-8", json.dumps(body).encode()

    def mailbox_of_token(self, path: str, token: str) -> str | None:
        """For mailbox-scoped fault rules: whose Graph access token this is."""
        if not path.startswith("/v1.0/"):
            return None
        found = self.store.access_tokens.get(token)
        return found.address if found is not None else None

    def apply_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        issuer = self.identity.issuer_tokens
        if "rotate_refresh_tokens" in settings:
            issuer.rotate_refresh_tokens = bool(settings["rotate_refresh_tokens"])
        if "validation_timeout" in settings:
            self.subscriptions.validation_timeout = float(settings["validation_timeout"])
        if "strict_notification_urls" in settings:
            self.subscriptions.require_https = bool(settings["strict_notification_urls"])
        if "access_token_lifetime" in settings:  # the test fixture restores config afterwards
            self.config.access_token_lifetime = int(settings["access_token_lifetime"])
        return {
            "rotate_refresh_tokens": issuer.rotate_refresh_tokens,
            "validation_timeout": self.subscriptions.validation_timeout,
            "strict_notification_urls": self.subscriptions.require_https,
            "access_token_lifetime": issuer.lifetime,
        }

    # FakeMailProvider ----------------------------------------------------------
    def create_mailbox(self, address: str, display_name: str, **options: Any) -> dict[str, Any]:
        mailbox = self.store.create_mailbox(address, display_name)
        apply_options(mailbox, options)
        return {**mailbox.public(), "tenant_id": self.tenant_id}

    def has_mailbox(self, address: str) -> bool:
        return self.store.mailbox(address) is not None

    def deliver(
        self, address: str, message: EmailMessage, labels: list[str], raw: bytes | None = None
    ) -> dict[str, Any]:
        mailbox = self._mailbox(address)
        upper = {label.upper() for label in labels}
        folder = "junkemail" if "SPAM" in upper else "inbox"
        refs = [
            str(message.get("In-Reply-To") or ""),
            *str(message.get("References") or "").split(),
        ]
        conversation = self.store.conversation_for(mailbox, refs) or new_graph_id()
        graph = from_email(mailbox, message, folder, conversation, "UNREAD" not in upper, raw)
        self.store.add_message(mailbox, graph)
        self.subscriptions.notify(mailbox, graph, "created")
        return {
            "id": graph.id,
            "threadId": conversation,
            "conversationId": conversation,
            "internetMessageId": graph.internet_message_id,
            "folder": folder,
        }

    def sent_messages(self, address: str) -> list[dict[str, Any]]:
        mailbox = self._mailbox(address)
        sent = [m for m in mailbox.messages.values() if m.folder == "sentitems"]
        return [self._describe_sent(mailbox, m) for m in sorted(sent, key=lambda m: m.change_seq)]

    def revoke_grants(self, address: str) -> None:
        self._mailbox(address)
        self.store.revoke(address)

    def reply_as_user(
        self, address: str, message_id: str, text: str | None, html: str | None
    ) -> dict[str, Any]:
        """The mailbox's owner replies in Outlook: same conversation, then delivered onwards."""
        mailbox = self._mailbox(address)
        original = mailbox.messages.get(message_id)
        if original is None:
            raise KeyError(f"no message {message_id!r} in {address!r}")
        draft = reply_draft(mailbox, original, text or "", {})
        if html is not None:
            draft.body_type, draft.body = "html", html
        draft.is_draft, draft.sent = False, utcnow()
        draft.received, draft.folder = draft.sent, "sentitems"
        self.store.add_message(mailbox, draft)
        self._after_send(mailbox, draft)
        return {
            "id": draft.id,
            "threadId": draft.conversation_id,
            "messageId": draft.internet_message_id,
        }

    # helpers ---------------------------------------------------------------------
    def _after_send(self, mailbox: Mailbox, message: GraphMessage) -> None:
        """Hand what was sent to recipients that are sandbox mailboxes (MIME as Exchange
        writes it: In-Reply-To/References of a reply included)."""
        if self.outbound is None:
            return
        people = [*message.to, *message.cc, *message.bcc]
        addresses = [p["emailAddress"]["address"] for p in people]
        self.outbound(mailbox.address, addresses, to_mime(mailbox, message))

    def _mailbox(self, address: str) -> Mailbox:
        mailbox = self.store.mailbox(address)
        if mailbox is None:
            raise KeyError(f"no Microsoft mailbox {address!r}")
        return mailbox

    @staticmethod
    def _describe_sent(mailbox: Mailbox, message: GraphMessage) -> dict[str, Any]:
        headers = sent_headers(mailbox, message)
        text = html_to_text(message.body) if message.body_type == "html" else message.body
        return {
            "id": message.id,
            "threadId": message.conversation_id,
            "conversationId": message.conversation_id,
            "internetMessageId": message.internet_message_id,
            "subject": message.subject,
            "to": [p["emailAddress"]["address"] for p in message.to],
            "cc": [p["emailAddress"]["address"] for p in message.cc],
            "sentDateTime": graph_time(message.sent),
            "headers": {h["name"]: h["value"] for h in headers},
            "text": text,
            "html": message.body if message.body_type == "html" else None,
        }
