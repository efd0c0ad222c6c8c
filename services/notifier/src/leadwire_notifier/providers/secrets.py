"""Each client's Slack webhook URL, asked of oauth over the `client.secrets` RPC and
kept in memory only, for a short time (an admin's change reaches us within the TTL;
`forget` drops it at once when client.changed arrives or the webhook answers 404)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from pydantic import SecretStr, ValidationError

from leadwire.mailbox_tokens import ClientSecretsReply, ClientSecretsRequest
from leadwire.rpc import RpcCall, RpcError


class SecretsUnavailable(Exception):
    """oauth did not answer (or answered nonsense): try again later."""


@dataclass(frozen=True)
class _Cached:
    url: SecretStr | None
    expires_at: float


class WebhookUrls:
    def __init__(
        self,
        call: RpcCall,
        *,
        queue: str,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call = call
        self._queue = queue
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[UUID, _Cached] = {}

    async def get(self, client_id: UUID) -> SecretStr | None:
        """The client's webhook URL, None when it has none (or oauth does not know it)."""
        cached = self._cache.get(client_id)
        if cached is not None and cached.expires_at > self._clock():
            return cached.url
        request = ClientSecretsRequest(client_id=client_id).model_dump(mode="json")
        try:
            reply = ClientSecretsReply.model_validate(await self._call(self._queue, request))
        except (RpcError, ValidationError) as exc:
            raise SecretsUnavailable(f"client.secrets RPC failed: {type(exc).__name__}") from None
        url = SecretStr(reply.slack_webhook_url) if reply.ok and reply.slack_webhook_url else None
        self._cache[client_id] = _Cached(url, self._clock() + self._ttl)
        return url

    def forget(self, client_id: UUID) -> None:
        self._cache.pop(client_id, None)
