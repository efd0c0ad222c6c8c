"""Request/reply over RabbitMQ (direct reply-to), e.g. oauth's `mailbox.token`.

Caller:
    reply = await rpc_call(broker, MAILBOX_TOKEN_QUEUE, {"mailbox_id": ...}, timeout=5)
    tokens = MailboxTokenClient(rpc_caller(broker, timeout=5))

Server (oauth): a plain FastStream subscriber whose return value is the reply. Answer
every request, errors included, as a reply body ({"ok": false, "error": ...}); an
exception produces no reply and the caller only sees a timeout.

    @broker.subscriber(rpc_queue(MAILBOX_TOKEN_QUEUE))
    async def mailbox_token(body: dict[str, Any]) -> dict[str, Any]:
        reply = await issue_token(pool, MailboxTokenRequest.model_validate(body))
        return reply.model_dump(mode="json")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.rabbit import RabbitBroker, RabbitQueue

RpcCall = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

# Requests nobody answered in time are useless to serve later; expire them in the queue.
REQUEST_TTL_MS = 60_000


class RpcError(RuntimeError):
    """The reply was not a JSON object, or the request could not be routed."""


class RpcTimeout(RpcError, TimeoutError):
    """No reply within the timeout."""


def rpc_queue(name: str) -> RabbitQueue:
    """The server's request queue: durable classic, so it survives restarts; no DLQ."""
    return RabbitQueue(name, durable=True, arguments={"x-message-ttl": REQUEST_TTL_MS})


async def rpc_call(
    broker: RabbitBroker,
    queue_name: str,
    payload: dict[str, Any],
    timeout: float = 5.0,  # noqa: ASYNC109 - it is also the request's expiry, not just a wait
) -> dict[str, Any]:
    """Send `payload` to `queue_name` and return the JSON object replied."""
    try:
        reply = await broker.request(
            payload, queue_name, timeout=timeout, expiration=timeout, mandatory=True
        )
    except TimeoutError as exc:
        raise RpcTimeout(f"no reply from {queue_name} within {timeout}s") from exc
    except Exception as exc:  # e.g. the request queue does not exist: returned unroutable
        raise RpcError(f"request to {queue_name} failed: {exc!r}") from exc
    body = await reply.decode()
    if not isinstance(body, dict):
        raise RpcError(f"reply from {queue_name} is not a JSON object: {type(body).__name__}")
    return body


def rpc_caller(broker: RabbitBroker, *, timeout: float = 5.0) -> RpcCall:
    """`rpc_call` bound to a broker, in the shape `MailboxTokenClient` takes."""

    async def call(queue_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await rpc_call(broker, queue_name, payload, timeout)

    return call
