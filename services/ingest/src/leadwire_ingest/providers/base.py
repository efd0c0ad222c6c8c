"""The `MailProvider` Protocol, its data shapes and errors, and authorised requests.

Access tokens come from oauth over RPC (`MailboxTokenClient`); a 401 asks once more
with `force_refresh`. 429/5xx are retried by the HTTP client (`leadwire.http`, which
honours Retry-After); what is still failing surfaces as `ProviderError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

import httpx

from leadwire.mailbox_tokens import MailboxTokenError
from leadwire_ingest.domain.message import Unparseable, parse_message
from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage

ErrorKind = Literal["revoked", "not_found", "throttled", "unavailable", "rejected"]
# (mailbox_id, force_refresh) → access token
TokenSource = Callable[[UUID, bool], Awaitable[str]]


class ProviderError(Exception):
    def __init__(self, kind: ErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.status = status


class CursorExpired(Exception):
    """The stored history id / deltaLink is too old: resync from recent messages."""


@dataclass(frozen=True)
class Watch:
    """What starting or renewing a watch/subscription left to store."""

    expires_at: datetime
    history_id: str | None = None
    subscription_id: str | None = None
    client_state: str | None = None  # Graph only; stored hashed


@dataclass(frozen=True)
class Cursor:
    history_id: str | None = None
    delta_link: str | None = None
    sent_delta_link: str | None = None


@dataclass(frozen=True)
class MessageRef:
    message_id: str
    sent: bool = False  # seen in the mailbox's sent folder / with the SENT label


@dataclass(frozen=True)
class Changes:
    refs: list[MessageRef]
    cursor: Cursor


@dataclass(frozen=True)
class MessageSummary:
    """One shape for both providers, for the support staff's mailbox reads."""

    id: str
    thread_id: str | None
    from_address: str
    to: list[str]
    subject: str
    date: datetime | None
    snippet: str
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MessagePage:
    messages: list[MessageSummary]
    next_page_token: str | None


class MailProvider(Protocol):
    async def start_watch(self, mailbox: Mailbox) -> Watch: ...
    async def renew_watch(self, mailbox: Mailbox) -> Watch: ...
    async def stop_watch(self, mailbox: Mailbox) -> None: ...
    async def initial_cursor(self, mailbox: Mailbox, since: datetime) -> Changes: ...
    async def changes(self, mailbox: Mailbox) -> Changes: ...
    async def recent(self, mailbox: Mailbox, since: datetime, limit: int) -> Changes: ...
    async def fetch(self, mailbox: Mailbox, ref: MessageRef) -> FetchedMessage | None: ...
    async def list_messages(
        self, mailbox: Mailbox, q: str, max_results: int, page_token: str | None
    ) -> MessagePage: ...


def _kind_for(status: int) -> ErrorKind:
    if status == 404:
        return "not_found"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "unavailable"
    return "rejected"


class AuthorizedHttp:
    """Sends provider requests with the mailbox's access token; refreshes once on 401."""

    def __init__(self, http: httpx.AsyncClient, tokens: TokenSource) -> None:
        self._http = http
        self._tokens = tokens

    async def _token(self, mailbox_id: UUID, force: bool) -> str:
        try:
            return await self._tokens(mailbox_id, force)
        except MailboxTokenError as exc:
            kind: ErrorKind = "revoked" if exc.code in ("revoked", "not_found") else "unavailable"
            raise ProviderError(kind, f"access token: {exc.code}") from None

    async def request(
        self, mailbox_id: UUID, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        """The response (2xx, or 404/400/410 for the caller to read); other errors raise."""
        response = None
        for force in (False, True):
            token = await self._token(mailbox_id, force)
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
            try:
                response = await self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise ProviderError("unavailable", type(exc).__name__) from None
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if response.status_code != 401:
                break
        assert response is not None
        if response.status_code == 401:
            raise ProviderError("rejected", "401 even with a refreshed token", 401)
        if response.status_code in (400, 404, 410) or response.is_success:
            return response
        raise ProviderError(
            _kind_for(response.status_code), response.text[:300], response.status_code
        )


def summary_of(fetched: FetchedMessage) -> MessageSummary:
    """The admin's one-line view of a fetched message (either provider)."""
    parsed = parse_message(fetched.raw)
    labels = sorted(fetched.labels)
    if isinstance(parsed, Unparseable):
        return MessageSummary(
            fetched.provider_message_id,
            fetched.provider_thread_id,
            "",
            [],
            f"(unparseable: {parsed.reason})",
            fetched.received_at,
            "",
            labels,
        )
    return MessageSummary(
        id=fetched.provider_message_id,
        thread_id=fetched.provider_thread_id,
        from_address=parsed.from_address,
        to=list(parsed.to),
        subject=parsed.subject,
        date=parsed.sent_at or fetched.received_at,
        snippet=parsed.reply_text[:200],
        labels=labels,
    )
