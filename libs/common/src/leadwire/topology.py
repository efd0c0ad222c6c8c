"""Names and declarations of the RabbitMQ topology; no behaviour.

    leadwire.events           durable topic exchange, routing key = event type
    <service>.<purpose>       durable quorum queue per consumer, bound by event types
    <service>.<purpose>.dlq   its parking queue (quorum), also its dead-letter target
    leadwire.delay.<ms>       one fanout exchange + quorum queue per retry delay: the TTL
                              dead-letters into the default exchange with the routing key
                              the copy was published with = the consumer queue's name

Every quorum queue gets `x-dead-letter-strategy: at-least-once` (needs
`x-overflow: reject-publish`), so a dead-lettered message is only dropped from its queue
once the target confirmed it. All of this exists on RabbitMQ 3.10 and is unchanged in
3.13 and 4.x (4.x also defaults `x-delivery-limit` to 20; we always set it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

EVENTS_EXCHANGE = "leadwire.events"
DELAY_PREFIX = "leadwire.delay."
# Redeliveries the broker itself counts (consumer crashed / connection lost before ack)
# before it dead-letters to the DLQ; handler failures are counted by our retry header.
DEFAULT_DELIVERY_LIMIT = 10

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
# QUEUE_PREFIX: lets two stacks (or parallel test runs) share one broker unseen.
_PREFIX_RE = re.compile(r"^[a-z0-9_.-]*$")
_KEY_RE = re.compile(r"^[a-z0-9_*#-]+(\.[a-z0-9_*#-]+)*$")

_QUORUM_SAFETY: dict[str, Any] = {
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


@dataclass(frozen=True)
class ConsumerQueue:
    """One consumer's durable quorum queue `<service>.<purpose>` and its DLQ."""

    service: str
    purpose: str
    routing_keys: tuple[str, ...]
    exchange: str = EVENTS_EXCHANGE
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    prefix: str = ""

    def __post_init__(self) -> None:
        if not _PREFIX_RE.match(self.prefix):
            raise ValueError(f"queue prefix {self.prefix!r} must match {_PREFIX_RE.pattern}")
        for part in (self.service, self.purpose):
            if not _NAME_RE.match(part):
                raise ValueError(f"queue name part {part!r} must match {_NAME_RE.pattern}")
        if isinstance(self.routing_keys, str):
            raise TypeError("routing_keys must be a sequence of keys, not one string")
        object.__setattr__(self, "routing_keys", tuple(self.routing_keys))
        if not self.routing_keys:
            raise ValueError(f"{self.name}: at least one routing key is required")
        for key in self.routing_keys:
            if not _KEY_RE.match(key):
                raise ValueError(f"{self.name}: bad routing key {key!r}")
        if self.delivery_limit < 1:
            raise ValueError("delivery_limit must be at least 1")

    @property
    def name(self) -> str:
        return f"{self.prefix}{self.service}.{self.purpose}"

    @property
    def dlq_name(self) -> str:
        return f"{self.name}.dlq"

    def rabbit_queue(self, routing_key: str | None = None) -> RabbitQueue:
        """The FastStream queue, bound with `routing_key` (default: the first key)."""
        arguments: Any = {
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.dlq_name,
            **_QUORUM_SAFETY,
        }
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            routing_key=routing_key or self.routing_keys[0],
            arguments=arguments,
        )

    def rabbit_dlq(self) -> RabbitQueue:
        return RabbitQueue(self.dlq_name, queue_type=QueueType.QUORUM)

    def rabbit_exchange(self) -> RabbitExchange:
        return events_exchange(self.exchange)


def events_exchange(name: str = EVENTS_EXCHANGE) -> RabbitExchange:
    return RabbitExchange(name, type=ExchangeType.TOPIC, durable=True)


def delay_name(delay_seconds: float) -> str:
    return f"{DELAY_PREFIX}{delay_ms(delay_seconds)}"


def delay_ms(delay_seconds: float) -> int:
    if delay_seconds <= 0:
        raise ValueError(f"retry delay must be positive, got {delay_seconds}")
    return max(1, round(delay_seconds * 1000))


def delay_exchange(delay_seconds: float) -> RabbitExchange:
    return RabbitExchange(delay_name(delay_seconds), type=ExchangeType.FANOUT, durable=True)


def delay_queue(delay_seconds: float) -> RabbitQueue:
    """Holds retry copies for `delay_seconds`, then dead-letters them back by routing key."""
    arguments: Any = {
        "x-message-ttl": delay_ms(delay_seconds),
        "x-dead-letter-exchange": "",
        **_QUORUM_SAFETY,
    }
    return RabbitQueue(delay_name(delay_seconds), queue_type=QueueType.QUORUM, arguments=arguments)
