"""The relay's AMQP publisher: confirms, mandatory + returns raised, persistent messages.

It owns its own connection (RabbitMQ advises separating publishing from consuming
connections: flow control on one must not stall the other) and reconnects lazily on the
next batch after any connection-level failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aiormq.exceptions import DeliveryError

from leadwire.topology import EVENTS_EXCHANGE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxMessage:
    """One pending outbox row, ready for the broker."""

    id: UUID
    type: str
    routing_key: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    @property
    def correlation_id(self) -> str | None:
        value = self.headers.get("correlation_id")
        return None if value is None else str(value)


class MessageRejected(Exception):
    """The broker refused this one message (unroutable or nacked); others may still go."""


class BrokerUnavailable(Exception):
    """The broker could not be reached; whether the message arrived is unknown."""


class Publisher(Protocol):
    """Publishes a batch with confirms and returns one result per message.

    None means confirmed; otherwise a `MessageRejected` or `BrokerUnavailable`.
    Raising means the whole batch failed to reach the broker.
    """

    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> list[Exception | None]: ...


class AmqpPublisher:
    def __init__(
        self,
        url: str,
        *,
        exchange: str = EVENTS_EXCHANGE,
        confirm_timeout: float = 10.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self._url = url
        self._exchange_name = exchange
        self._confirm_timeout = confirm_timeout
        self._connect_timeout = connect_timeout
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._channel is not None and not self._channel.is_closed

    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> list[Exception | None]:
        try:
            exchange = await self._ensure_exchange()
        except Exception as exc:
            await self.close()
            raise BrokerUnavailable(f"cannot connect to RabbitMQ: {exc!r}") from exc
        # All in flight at once: confirms arrive in a burst instead of one round trip each.
        raw = await asyncio.gather(
            *(self._publish_one(exchange, m) for m in messages), return_exceptions=True
        )
        results = [_classify(r) for r in raw]
        if any(isinstance(r, BrokerUnavailable) for r in results):
            await self.close()
        return results

    async def _publish_one(self, exchange: AbstractExchange, message: OutboxMessage) -> None:
        await exchange.publish(
            aio_pika.Message(
                message.body,
                message_id=str(message.id),
                correlation_id=message.correlation_id,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers=message.headers,
                type=message.type,
            ),
            routing_key=message.routing_key,
            mandatory=True,
            timeout=self._confirm_timeout,
        )

    async def _ensure_exchange(self) -> AbstractExchange:
        async with self._lock:
            if self._exchange is not None and self.connected:
                return self._exchange
            await self._close_unlocked()
            self._connection = await aio_pika.connect(self._url, timeout=self._connect_timeout)
            self._channel = await self._connection.channel(
                publisher_confirms=True, on_return_raises=True
            )
            self._exchange = await self._channel.declare_exchange(
                self._exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            return self._exchange

    async def close(self) -> None:
        async with self._lock:
            await self._close_unlocked()

    async def _close_unlocked(self) -> None:
        connection, self._connection = self._connection, None
        self._channel = self._exchange = None
        if connection is not None and not connection.is_closed:
            try:
                await connection.close()
            except Exception as exc:  # closing a broken connection must not mask the cause
                log.debug("ignoring error while closing AMQP connection: %r", exc)


def _classify(result: object) -> Exception | None:
    if not isinstance(result, BaseException):
        return None
    if isinstance(result, DeliveryError):
        return MessageRejected(f"broker refused the message: {result!r}")
    if isinstance(result, Exception):
        return BrokerUnavailable(f"no confirm from RabbitMQ: {result!r}")
    raise result  # CancelledError / KeyboardInterrupt must propagate
