"""Handler-side behaviour of `subscriber` on FastStream's in-memory broker (no server).

The wiring itself (delay queues, DLQ, replay) is pinned against the real RabbitMQ in
tests/integration/test_retry_and_dlq.py.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from faststream.rabbit import RabbitQueue, TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from leadwire.broker import ConsumerQueue, RedeliveryPolicy, make_broker, subscriber
from leadwire.events import ClientChanged, TypedEvent, new_event
from leadwire.redelivery import attempts_so_far
from leadwire.topology import delay_exchange

POLICY = RedeliveryPolicy(delays=(0.1, 0.2))
QUEUE = ConsumerQueue("notifier", "clients", ("client.changed",))


def client_changed_bytes() -> bytes:
    client_id = uuid4()
    payload = ClientChanged(client_id=client_id, slug="acme", name="Acme")
    return new_event(payload, client_id=client_id).to_json_bytes()


async def test_handler_receives_the_typed_event() -> None:
    broker = make_broker("amqp://unused/", service="notifier")
    seen: list[TypedEvent[Any]] = []

    @subscriber(broker, QUEUE, retry_policy=POLICY)
    async def on_client_changed(event: TypedEvent[Any]) -> None:
        seen.append(event)

    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            client_changed_bytes(), exchange=QUEUE.rabbit_exchange(), routing_key="client.changed"
        )

    assert seen[0].expect(ClientChanged).payload.slug == "acme"


async def test_failed_handler_sends_a_counted_copy_to_the_first_delay() -> None:
    broker = make_broker("amqp://unused/", service="notifier")
    copies: list[dict[str, Any]] = []

    @subscriber(broker, QUEUE, retry_policy=POLICY)
    async def on_client_changed(event: TypedEvent[Any]) -> None:
        raise RuntimeError("slack is down")

    @broker.subscriber(RabbitQueue("spy"), delay_exchange(0.1))
    async def spy(body: dict[str, Any], message: RabbitMessage) -> None:
        copies.append({"body": body, **message.headers, "key": message.raw_message.routing_key})

    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            client_changed_bytes(), exchange=QUEUE.rabbit_exchange(), routing_key="client.changed"
        )

    [copy] = copies
    assert copy["x-attempts"] == 1
    assert copy["key"] == QUEUE.name  # the delay queue dead-letters it back by this key
    assert copy["x-original-routing-key"] == "client.changed"
    assert copy["body"]["type"] == "client.changed"


@pytest.mark.parametrize(("failed", "delay"), [(1, 0.1), (2, 0.2), (3, None)])
def test_policy_parks_after_the_last_delay(failed: int, delay: float | None) -> None:
    assert POLICY.delay_after(failed, RuntimeError()) == delay


def test_policy_parks_listed_errors_at_once() -> None:
    policy = RedeliveryPolicy(delays=(1.0,), park_immediately=(KeyError,))
    assert policy.delay_after(1, KeyError("x")) is None


@pytest.mark.parametrize(
    ("headers", "count"), [({}, 0), ({"x-attempts": 2}, 2), ({"x-attempts": "x"}, 0)]
)
def test_attempt_header_is_read_defensively(headers: dict[str, Any], count: int) -> None:
    assert attempts_so_far(headers) == count


def test_queue_names_and_arguments() -> None:
    queue = QUEUE.rabbit_queue()
    assert QUEUE.name == "notifier.clients" and QUEUE.dlq_name == "notifier.clients.dlq"
    assert queue.arguments is not None
    assert queue.arguments["x-queue-type"] == "quorum"
    assert queue.arguments["x-delivery-limit"] == 10
    assert queue.arguments["x-dead-letter-routing-key"] == "notifier.clients.dlq"


def test_bad_queue_definitions_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one routing key"):
        ConsumerQueue("notifier", "clients", ())
    with pytest.raises(TypeError, match="not one string"):
        ConsumerQueue("notifier", "clients", "client.changed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="queue name part"):
        ConsumerQueue("Notifier", "clients", ("client.changed",))


async def test_handler_log_lines_carry_the_event_and_correlation_ids() -> None:
    import io
    import json

    from leadwire.logging import configure_logging, get_logger

    captured = io.StringIO()
    configure_logging("notifier", "INFO", json=True, stream=captured)
    broker = make_broker("amqp://unused/", service="notifier")
    body = client_changed_bytes()
    sent = json.loads(body)

    @subscriber(broker, QUEUE, retry_policy=POLICY)
    async def on_client_changed(event: TypedEvent[Any]) -> None:
        get_logger("test").info("client_seen")

    try:
        async with TestRabbitBroker(broker) as test_broker:
            await test_broker.publish(
                body, exchange=QUEUE.rabbit_exchange(), routing_key="client.changed"
            )
    finally:
        configure_logging("notifier", "WARNING", json=True)
    line = next(json.loads(raw) for raw in captured.getvalue().splitlines() if "client_seen" in raw)
    assert line["event_id"] == sent["event_id"]
    assert line["correlation_id"] == sent["correlation_id"]
    assert line["queue"] == QUEUE.name
