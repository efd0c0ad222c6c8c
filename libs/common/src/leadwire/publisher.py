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
from typing import Any, Protocol, cast
from uuid import UUID

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq.exceptions import DeliveryError

from leadwire.topology import EVENTS_EXCHANGE

log = logging.getLogger(__name__)

PERSISTENT = 2  # AMQP delivery_mode: the broker writes the message to disk


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
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._channel is not None and not self._channel.is_closed

    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> list[Exception | None]:
        try:
            channel = await self._ensure_channel()
        except Exception as exc:
            await self.close()
            raise BrokerUnavailable(f"cannot connect to RabbitMQ: {exc!r}") from exc
        # All in flight at once, then every confirm awaited together: the broker confirms
        # a burst with a few `multiple` acks instead of one round trip per message.
        raw = await asyncio.gather(
            *(self._publish_one(channel, m) for m in messages), return_exceptions=True
        )
        results = [_classify(r) for r in raw]
        if any(isinstance(r, BrokerUnavailable) for r in results):
            await self.close()
        return results

    async def _publish_one(self, channel: aiormq.Channel, message: OutboxMessage) -> None:
        # aiormq directly (aio_pika's Message/Exchange layer was a fifth of the relay's
        # CPU). `wait=False` hands the frame to the writer without waiting for the socket
        # to drain, so the channel lock is not held across a write per message; the
        # confirm is still awaited, and a return (mandatory) or nack raises DeliveryError.
        await channel.basic_publish(
            message.body,
            exchange=self._exchange_name,
            routing_key=message.routing_key,
            properties=aiormq.spec.Basic.Properties(
                message_id=str(message.id),
                correlation_id=message.correlation_id,
                content_type="application/json",
                delivery_mode=PERSISTENT,
                headers=message.headers,
                message_type=message.type,
            ),
            mandatory=True,
            timeout=self._confirm_timeout,
            wait=False,
        )

    async def _ensure_channel(self) -> aiormq.Channel:
        async with self._lock:
            if self._channel is not None and self.connected:
                return await _underlay(self._channel)
            await self._close_unlocked()
            self._connection = await aio_pika.connect(self._url, timeout=self._connect_timeout)
            self._channel = await self._connection.channel(
                publisher_confirms=True, on_return_raises=True
            )
            await self._channel.declare_exchange(
                self._exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            return await _underlay(self._channel)

    async def close(self) -> None:
        async with self._lock:
            await self._close_unlocked()

    async def _close_unlocked(self) -> None:
        connection, self._connection = self._connection, None
        self._channel = None
        if connection is not None and not connection.is_closed:
            try:
                await connection.close()
            except Exception as exc:  # closing a broken connection must not mask the cause
                log.debug("ignoring error while closing AMQP connection: %r", exc)


async def _underlay(channel: AbstractChannel) -> aiormq.Channel:
    # aio_pika types it as the abstract channel, which lacks basic_publish's `wait`.
    return cast(aiormq.Channel, await channel.get_underlay_channel())


def _classify(result: object) -> Exception | None:
    if not isinstance(result, BaseException):
        return None
    if isinstance(result, DeliveryError):
        return MessageRejected(f"broker refused the message: {result!r}")
    if isinstance(result, Exception):
        return BrokerUnavailable(f"no confirm from RabbitMQ: {result!r}")
    raise result  # CancelledError / KeyboardInterrupt must propagate
