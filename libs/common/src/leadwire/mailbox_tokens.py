"""The `mailbox.token` and `client.secrets` RPC contracts, and a caching client.

Only the oauth service holds refresh tokens and secrets; every other service
asks over RabbitMQ request/reply and keeps the answer in memory only.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, SecretStr

from leadwire.rpc import RpcCall

MAILBOX_TOKEN_QUEUE = "oauth.rpc.mailbox_token"
CLIENT_SECRETS_QUEUE = "oauth.rpc.client_secrets"

TokenErrorCode = Literal["revoked", "not_found", "provider_unavailable"]


class MailboxTokenRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    mailbox_id: UUID
    force_refresh: bool = False


class MailboxTokenReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    ok: bool
    access_token: str | None = None
    expires_at: datetime | None = None
    provider: str | None = None
    address: str | None = None
    error: TokenErrorCode | None = None
    message: str | None = None


class ClientSecretsRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    client_id: UUID


class ClientSecretsReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    ok: bool
    slack_webhook_url: str | None = None
    error: Literal["not_found"] | None = None


class MailboxTokenError(Exception):
    def __init__(self, code: TokenErrorCode, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


class AccessToken(BaseModel):
    model_config = ConfigDict(frozen=True)
    mailbox_id: UUID
    token: SecretStr
    expires_at: datetime
    provider: str
    address: str


class MailboxTokenClient:
    """Caches each mailbox's access token in memory until `skew` before expiry.

    `call(queue, body) -> reply body` is the transport (RabbitMQ request/reply in
    services, anything in tests). A caller that got a 401 asks with force_refresh.
    """

    def __init__(
        self,
        call: RpcCall,
        *,
        skew: timedelta = timedelta(minutes=2),
        queue: str = MAILBOX_TOKEN_QUEUE,
    ) -> None:
        self._call = call
        self._queue = queue
        self._skew = skew
        self._cache: dict[UUID, AccessToken] = {}
        self._locks: dict[UUID, asyncio.Lock] = {}

    async def get(self, mailbox_id: UUID, *, force_refresh: bool = False) -> AccessToken:
        cached = self._cache.get(mailbox_id)
        if cached is not None and not force_refresh and self._fresh(cached):
            return cached
        lock = self._locks.setdefault(mailbox_id, asyncio.Lock())
        async with lock:
            cached = self._cache.get(mailbox_id)
            if cached is not None and not force_refresh and self._fresh(cached):
                return cached
            token = await self._fetch(mailbox_id, force_refresh)
            self._cache[mailbox_id] = token
            return token

    def forget(self, mailbox_id: UUID) -> None:
        self._cache.pop(mailbox_id, None)

    def _fresh(self, token: AccessToken) -> bool:
        return token.expires_at - self._skew > datetime.now(UTC)

    async def _fetch(self, mailbox_id: UUID, force_refresh: bool) -> AccessToken:
        request = MailboxTokenRequest(mailbox_id=mailbox_id, force_refresh=force_refresh)
        body = await self._call(self._queue, request.model_dump(mode="json"))
        reply = MailboxTokenReply.model_validate(body)
        if not reply.ok or reply.access_token is None or reply.expires_at is None:
            self.forget(mailbox_id)
            raise MailboxTokenError(reply.error or "provider_unavailable", reply.message or "")
        return AccessToken(
            mailbox_id=mailbox_id,
            token=SecretStr(reply.access_token),
            expires_at=reply.expires_at,
            provider=reply.provider or "",
            address=reply.address or "",
        )
