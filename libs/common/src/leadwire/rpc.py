"""Request/reply over RabbitMQ (direct reply-to), e.g. oauth's `mailbox.token`.

Caller:
    reply = await rpc_call(broker, MAILBOX_TOKEN_QUEUE, {"mailbox_id": ...}, timeout=5)
    tokens = MailboxTokenClient(rpc_caller(broker, timeout=5))

Server (oauth): a FastStream subscriber that takes the raw message, parses it itself
and returns `rpc_reply(...)`. Answer every request, errors included, as a reply body
({"ok": false, "error": ...}): an exception, or a body FastStream fails to decode
before the handler runs, produces no reply and the caller only sees a timeout.

    @broker.subscriber(rpc_queue(MAILBOX_TOKEN_QUEUE), decoder=raw_body)
    async def mailbox_token(body: bytes) -> RabbitResponse:
        try:
            request = parse_rpc_request(body, MailboxTokenRequest)
        except RpcRequestError as exc:
            return rpc_error_reply(str(exc))
        return rpc_reply(await issue_token(pool, request))

Replies go out without `mandatory`: RabbitMQ answers a mandatory publish to a direct
reply-to address with basic.return (NO_ROUTE) even when it delivers it.

Request queues are quorum queues with a delivery limit and a `<name>.dlq`, like every
consumer queue: a request that crashes its server again and again is parked, not
redelivered forever. `declare_rpc_dlqs` declares the DLQs (at start, before serving).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import aio_pika
from faststream.message import StreamMessage
from faststream.rabbit import QueueType, RabbitBroker, RabbitQueue, RabbitResponse
from pydantic import BaseModel, ValidationError

RpcCall = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
M = TypeVar("M", bound=BaseModel)

# Requests nobody answered in time are useless to serve later; expire them in the queue.
REQUEST_TTL_MS = 60_000
# Deliveries of one request (server crashed or lost its connection mid-request) before
# it is parked in the DLQ.
RPC_DELIVERY_LIMIT = 5
# RPC requests are a few ids; anything bigger is not one of ours.
MAX_REQUEST_BYTES = 64 * 1024


class RpcError(RuntimeError):
    """The reply was not a JSON object, or the request could not be routed."""


class RpcTimeout(RpcError, TimeoutError):
    """No reply within the timeout."""


class RpcRequestError(ValueError):
    """A request the server cannot read; the message is safe to send back."""


def rpc_queue(name: str) -> RabbitQueue:
    """The server's request queue: durable quorum, delivery limit, dead-letters to the DLQ."""
    arguments: Any = {
        "x-delivery-limit": RPC_DELIVERY_LIMIT,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": rpc_dlq_name(name),
        # Dead letters leave the queue only once the DLQ confirmed them.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-message-ttl": REQUEST_TTL_MS,
    }
    return RabbitQueue(name, durable=True, queue_type=QueueType.QUORUM, arguments=arguments)


def rpc_dlq_name(name: str) -> str:
    return f"{name}.dlq"


async def declare_rpc_dlqs(rabbit_url: str, names: Iterable[str]) -> None:
    """Declare each request queue's DLQ (quorum) on a short-lived connection of its own,
    so it exists before the first request can be dead-lettered."""
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.declare_queue(
                rpc_dlq_name(name), durable=True, arguments={"x-queue-type": "quorum"}
            )


async def raw_body(message: StreamMessage[Any]) -> bytes:
    """Subscriber decoder that hands the handler the body's bytes. FastStream's own
    decoder fails on a body that is not JSON before the handler can answer it."""
    return bytes(message.body)


def parse_rpc_request(body: bytes, model: type[M]) -> M:
    """The request as `model`, or RpcRequestError saying what is wrong with it."""
    if len(body) > MAX_REQUEST_BYTES:
        raise RpcRequestError(f"request body is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
        raise RpcRequestError("request body is not JSON") from None
    if not isinstance(data, dict):
        raise RpcRequestError(f"request body must be a JSON object, not {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "body" for err in exc.errors()})
        raise RpcRequestError(f"invalid request field(s): {', '.join(fields)}") from None


def rpc_reply(reply: BaseModel | Mapping[str, Any]) -> RabbitResponse:
    """The subscriber's return value: the reply body, published without `mandatory`."""
    body = reply.model_dump(mode="json") if isinstance(reply, BaseModel) else dict(reply)
    return RabbitResponse(body, mandatory=False)


def rpc_error_reply(message: str, error: str = "bad_request") -> RabbitResponse:
    """The reply to a request the server could not read or handle."""
    return rpc_reply({"ok": False, "error": error, "message": message})


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
