"""Redelivery: bounded, delayed retries and parking — never nack-with-requeue.

The low layer under `leadwire.consuming` (which every service handler uses).

A failed handler's message is re-published to `leadwire.delay.<ms>` (whose TTL
dead-letters it back to the consumer queue) with the attempt count in `x-attempts`, and
the original is acked. After the last attempt it is published to `<queue>.dlq` with the
error in headers. If even that publish fails the original is rejected without requeue, so
the queue's own dead-letter settings still move it to the DLQ: nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage

from leadwire import metrics
from leadwire.events import EventError, parse_event
from leadwire.logging import bind_event_context
from leadwire.topology import ConsumerQueue, delay_exchange

log = logging.getLogger(__name__)

ATTEMPTS_HEADER = "x-attempts"
ERROR_HEADER = "x-error"
FAILED_AT_HEADER = "x-failed-at"
ORIGINAL_KEY_HEADER = "x-original-routing-key"
ORIGINAL_QUEUE_HEADER = "x-original-queue"
# Set by the broker on dead-lettering; a copy we publish must not carry stale ones.
_BROKER_HEADERS = ("x-death", "x-first-death-", "x-last-death-")
_MAX_ERROR_CHARS = 1000


class Permanent(Exception):
    """Raised by a handler for a failure no retry can fix: the message is parked at once."""


Handler = Callable[[Any], Awaitable[Any]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class RedeliveryPolicy:
    """Delays (seconds) between a handler's attempts; after `len(delays) + 1` failures,
    park. (Not to be confused with `leadwire.retry.HttpRedeliveryPolicy`, for provider calls.)"""

    delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0)
    # Failures no retry can fix park at once: a contract violation (unknown type, invalid
    # payload, `expect()` mismatch) or a handler's explicit `Permanent`.
    park_immediately: tuple[type[BaseException], ...] = (EventError, Permanent)

    def __post_init__(self) -> None:
        if any(d <= 0 for d in self.delays):
            raise ValueError(f"retry delays must be positive: {self.delays}")

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay_after(self, failed_attempts: int, error: BaseException) -> float | None:
        """Delay before the next attempt, or None to park."""
        if isinstance(error, self.park_immediately) or failed_attempts >= self.max_attempts:
            return None
        return self.delays[failed_attempts - 1]


DEFAULT_REDELIVERY = RedeliveryPolicy()

# What `subscriber()` registered per broker, so `declare_topology(broker)` can declare it.
REGISTRY: WeakKeyDictionary[RabbitBroker, list[tuple[ConsumerQueue, RedeliveryPolicy]]] = (
    WeakKeyDictionary()
)


def subscriber(
    broker: RabbitBroker,
    queue: ConsumerQueue,
    *,
    retry_policy: RedeliveryPolicy = DEFAULT_REDELIVERY,
    decode: Callable[[bytes], Any] = parse_event,
) -> Callable[[H], H]:
    """Register `handler(event)` on `queue` with retries and parking.

    `decode(body)` turns the AMQP body into the handler's argument (default:
    `leadwire.events.parse_event` -> `TypedEvent`; pass `Envelope.model_validate_json`
    for the raw envelope). A body that does not decode is parked at once. The handler is
    returned unchanged, so it stays a plain testable function.
    """
    REGISTRY.setdefault(broker, []).append((queue, retry_policy))

    def decorate(handler: H) -> H:
        async def consume(message: Any) -> None:
            await _consume(broker, queue, retry_policy, decode, handler, message)

        consume.__name__ = getattr(handler, "__name__", "handler")
        consume.__doc__ = handler.__doc__
        broker.subscriber(
            queue.rabbit_queue(),
            queue.rabbit_exchange(),
            ack_policy=AckPolicy.MANUAL,
            no_reply=True,
            decoder=_message_itself,
            title=f"{queue.name}:{consume.__name__}",
        )(consume)
        return handler

    return decorate


async def _message_itself(message: StreamMessage[Any]) -> StreamMessage[Any]:
    # The handler's one argument is the message itself: decoding is ours (after the retry
    # bookkeeping is in place), and no Context() dependency is resolved per message
    # (FastDepends runs that in a thread: a third of the consumer's time).
    return message


async def _consume(
    broker: RabbitBroker,
    queue: ConsumerQueue,
    policy: RedeliveryPolicy,
    decode: Callable[[bytes], Any],
    handler: Handler,
    message: RabbitMessage,
) -> None:
    attempt = attempts_so_far(message.headers) + 1
    try:
        event = decode(message.body)
    except Exception as exc:  # a body that breaks the contract never gets better: park it
        metrics.EVENTS_FAILED.labels(queue.name).inc()
        await _after_failure(broker, queue, policy, message, attempt, exc, retry=False)
        return
    context = {
        "event_id": getattr(event, "event_id", None) or message.message_id,
        "correlation_id": getattr(event, "correlation_id", None) or message.correlation_id,
        "client_id": getattr(event, "client_id", None),
        "queue": queue.name,
        "attempt": attempt,
    }
    with bind_event_context(**context):  # every log line of the handler carries them
        try:
            await handler(event)
        except Exception as exc:
            metrics.EVENTS_FAILED.labels(queue.name).inc()
            await _after_failure(broker, queue, policy, message, attempt, exc)
            return
    metrics.EVENTS_CONSUMED.labels(queue.name).inc()
    await message.ack()


async def _after_failure(
    broker: RabbitBroker,
    queue: ConsumerQueue,
    policy: RedeliveryPolicy,
    message: RabbitMessage,
    attempt: int,
    error: Exception,
    *,
    retry: bool = True,
) -> None:
    delay = policy.delay_after(attempt, error) if retry else None
    log.warning(
        "handler failed on %s (attempt %d, message %s): %r; %s",
        queue.name,
        attempt,
        message.message_id,
        error,
        "parking" if delay is None else f"retrying in {delay}s",
    )
    try:
        if delay is None:
            await park(broker, queue, message, attempt, error)
        else:
            await _schedule_retry(broker, queue, message, attempt, delay)
    except Exception:
        log.exception("could not re-publish %s; rejecting to the DLQ", message.message_id)
        await message.reject(requeue=False)
        return
    await message.ack()


async def _schedule_retry(
    broker: RabbitBroker, queue: ConsumerQueue, message: RabbitMessage, attempt: int, delay: float
) -> None:
    headers = {**copy_headers(message), ATTEMPTS_HEADER: attempt}
    await _republish(broker, message, headers, delay_exchange(delay).name, queue.name)


async def park(
    broker: RabbitBroker,
    queue: ConsumerQueue,
    message: RabbitMessage,
    attempt: int,
    error: Exception,
) -> None:
    """Publish `message` to the queue's DLQ with the error and attempt count in headers."""
    headers = {
        **copy_headers(message),
        ATTEMPTS_HEADER: attempt,
        ERROR_HEADER: f"{type(error).__name__}: {error}"[:_MAX_ERROR_CHARS],
        FAILED_AT_HEADER: datetime.now(UTC).isoformat(),
        ORIGINAL_QUEUE_HEADER: queue.name,
    }
    await _republish(broker, message, headers, "", queue.dlq_name)
    metrics.EVENTS_PARKED.labels(queue.name).inc()


async def _republish(
    broker: RabbitBroker,
    message: RabbitMessage,
    headers: dict[str, Any],
    exchange: str,
    routing_key: str,
) -> None:
    raw = message.raw_message
    # mandatory + the broker channel's on_return_raises: a copy that cannot be routed
    # raises here instead of vanishing, and the original is rejected to the DLQ.
    await broker.publish(
        message.body,
        exchange=exchange or None,
        routing_key=routing_key,
        headers=headers,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        content_type=raw.content_type or "application/json",
        message_type=raw.type,
        persist=True,
        mandatory=True,
    )


def attempts_so_far(headers: Mapping[str, Any]) -> int:
    try:
        return max(0, int(headers.get(ATTEMPTS_HEADER, 0)))
    except (TypeError, ValueError):
        return 0


def copy_headers(message: RabbitMessage) -> dict[str, Any]:
    """The message's headers minus broker bookkeeping, plus where it was first routed."""
    headers = {k: v for k, v in message.headers.items() if not k.startswith(_BROKER_HEADERS)}
    headers.setdefault(ORIGINAL_KEY_HEADER, message.raw_message.routing_key or "")
    return headers
