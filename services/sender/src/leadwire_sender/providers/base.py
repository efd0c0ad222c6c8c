"""What the sender needs of a mail provider, whichever it is.

Sending is two-phase where the provider allows it (Graph: a draft, then `send`): the
adapter reports the prepared draft through `on_prepared` before sending, so a process
that dies in between can find the draft instead of writing a second one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import httpx

from leadwire.retry import parse_retry_after
from leadwire_sender.domain.errors import ProviderFailure
from leadwire_sender.domain.mime import OutgoingEmail


@dataclass(frozen=True)
class ThreadTarget:
    """Where a reply goes: Gmail `threadId`, or the Graph message to `createReply` on."""

    thread_id: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A provider-side draft of our message, not yet sent."""

    draft_id: str
    rfc_message_id: str


@dataclass(frozen=True)
class SentMessage:
    message_id: str
    thread_id: str | None


@dataclass(frozen=True)
class ThreadInfo:
    """What replying to a message of the mailbox needs (for a manual in-thread send)."""

    message_id: str
    thread_id: str | None
    rfc_message_id: str | None
    references: tuple[str, ...]
    subject: str


OnPrepared = Callable[[Prepared], Awaitable[None]]


class ProviderCallError(Exception):
    """A provider call failed; `failure` says how (never with a token inside)."""

    def __init__(self, failure: ProviderFailure) -> None:
        super().__init__(f"{failure.status} {failure.reason} {failure.message}".strip())
        self.failure = failure


class MailProvider(Protocol):
    async def send_reply(
        self,
        token: str,
        email: OutgoingEmail,
        target: ThreadTarget,
        prepared: Prepared | None,
        on_prepared: OnPrepared,
    ) -> SentMessage: ...

    async def send_new(
        self, token: str, email: OutgoingEmail, prepared: Prepared | None, on_prepared: OnPrepared
    ) -> SentMessage: ...

    async def find_sent_by_message_id(self, token: str, rfc_message_id: str) -> SentMessage | None:
        """The sent message with this Message-ID, if the provider has one."""
        ...

    async def thread_of(self, token: str, message_id: str) -> ThreadInfo:
        """Threading facts of one message of the mailbox (ProviderCallError 404 if none)."""
        ...


def failure_from_response(response: httpx.Response) -> ProviderFailure:
    """Google `{"error": {"errors": [{"reason"}], "message"}}` / Graph `{"error": {"code"}}`."""
    reason, message = "", ""
    try:
        error = json.loads(response.content or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if isinstance(error, dict):
        message = str(error.get("message", ""))[:300]
        details = error.get("errors") or []
        if details and isinstance(details[0], dict):
            reason = str(details[0].get("reason", ""))
        elif isinstance(error.get("code"), str):
            reason = error["code"]
    retry_after = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
    return ProviderFailure(response.status_code, reason, message, retry_after)


def check(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    raise ProviderCallError(failure_from_response(response))


async def call(request: Awaitable[httpx.Response]) -> httpx.Response:
    """Await a request; a transport error is a failure without an HTTP answer."""
    try:
        response = await request
    except httpx.TransportError as exc:
        raise ProviderCallError(ProviderFailure(None, type(exc).__name__, "")) from None
    return check(response)
