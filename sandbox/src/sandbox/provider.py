"""The plug-in shape every fake provider in the sandbox has.

The app (sandbox.app) mounts each provider's public routers at the root (they
speak the real provider's paths, e.g. /gmail/v1/... or /v1.0/me/...) and its
control router under /_sandbox/<name>/. Generic control calls (create a
mailbox, deliver an email, read what was sent, reset) are dispatched to the
provider that owns the mailbox.

Optional: a provider may define
    fault_error_body(path, status, message) -> tuple[str, bytes] | None
returning (content_type, body) for injected faults on its own paths (None for
paths that are not its own); sandbox.faults shapes Google and Graph errors by default;
    asgi_middleware() -> list[type]
pure ASGI middleware classes (e.g. path rewriting) wrapped around the app, outside
the fault middleware.
Route handlers and the control API run on the server's event loop (async def),
so provider state needs no locks.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any, Protocol

from fastapi import APIRouter


class FakeProvider(Protocol):
    name: str  # "google", "microsoft", "slack", "openai"

    def routers(self) -> list[APIRouter]:
        """Routers with the provider's real wire paths, mounted at the root."""

    def control_router(self) -> APIRouter | None:
        """Provider-specific control routes, mounted under /_sandbox/<name>."""

    async def start(self) -> None:
        """Start background work (push delivery, notifications)."""

    async def stop(self) -> None: ...

    def reset(self) -> None:
        """Forget all state."""


class FakeMailProvider(FakeProvider, Protocol):
    def create_mailbox(self, address: str, display_name: str, **options: Any) -> dict[str, Any]:
        """Create (or return) a mailbox; returns its public description."""

    def has_mailbox(self, address: str) -> bool: ...

    def deliver(
        self, address: str, message: EmailMessage, labels: list[str], raw: bytes | None = None
    ) -> dict[str, Any]:
        """Put an inbound message into the inbox; returns ids assigned (id, threadId, ...).

        `raw` is the message as received (served back byte for byte); without it the
        provider serialises `message`."""

    def sent_messages(self, address: str) -> list[dict[str, Any]]:
        """What the mailbox sent: id, thread id, headers (From/To/Subject/Message-ID/
        In-Reply-To/References), text body."""

    def reply_as_user(
        self, address: str, message_id: str, text: str | None, html: str | None
    ) -> dict[str, Any]:
        """The mailbox's person replies to one of its messages, in thread; the reply is
        filed as sent and delivered to recipients that are sandbox mailboxes."""

    def revoke_grants(self, address: str) -> None:
        """Every refresh token of this mailbox answers invalid_grant from now on."""
