from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
import pytest_asyncio
from faststream.rabbit import RabbitBroker
from pydantic import BaseModel, Field

from leadwire.broker import make_broker
from leadwire.testing import RabbitCleanup


class FakeEnvelope(BaseModel):
    """The outbox's view of `leadwire.events.Envelope`; keeps these tests contract-free."""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = "test.happened"
    version: int = 1
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    client_id: uuid.UUID | None = None
    correlation_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    payload: dict[str, Any] = Field(default_factory=dict)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode()


@pytest.fixture
def make_event() -> Callable[..., FakeEnvelope]:
    def make(type: str = "test.happened", **payload: Any) -> FakeEnvelope:
        return FakeEnvelope(type=type, payload=payload)

    return make


@pytest.fixture
def decode_json() -> Callable[[bytes], Any]:
    return json.loads


@pytest.fixture
def events_exchange(unique_name: Callable[[str], str], rabbit_cleanup: RabbitCleanup) -> str:
    """A private topic exchange per test, so parallel tests never see each other's events."""
    name = unique_name("test.events")
    rabbit_cleanup.exchange(name)
    return name


@pytest_asyncio.fixture
async def broker(rabbit_url: str, rabbit_cleanup: RabbitCleanup) -> AsyncIterator[RabbitBroker]:
    # depends on rabbit_cleanup so the consumer stops before its queues are deleted
    broker = make_broker(rabbit_url, service="test", graceful_timeout=5)
    yield broker
    await broker.stop()


class Collector:
    """A plain queue bound to the test exchange that records every delivery."""

    def __init__(self) -> None:
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []

    @property
    def ids(self) -> list[str]:
        return [m.message_id or "" for m in self.messages]


@pytest_asyncio.fixture
async def collector(
    rabbit_url: str,
    events_exchange: str,
    unique_name: Callable[[str], str],
    rabbit_cleanup: RabbitCleanup,
) -> AsyncIterator[Collector]:
    name = unique_name("test.collector")
    rabbit_cleanup.queue(name)
    connection = await aio_pika.connect(rabbit_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(name, durable=True)
    await queue.bind(exchange, routing_key="#")
    collector = Collector()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        collector.messages.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield collector
    await connection.close()
