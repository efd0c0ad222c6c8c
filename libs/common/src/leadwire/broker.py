"""RabbitMQ for services: one FastStream broker, the topology, retrying subscribers.

    broker = make_broker(settings.rabbit_url, service="drafter")
    LEADS = ConsumerQueue("drafter", "leads", ("lead.received",))

    @subscriber(broker, LEADS)
    async def on_lead_received(event: Envelope) -> None:
        await draft_reply(pool, event)          # one domain call; raise to retry

    await broker.connect(); await declare_topology(broker); await broker.start()

(`ServiceRuntime` does the last line.) Names and arguments are in `leadwire.topology`,
the retry/parking behaviour in `leadwire.redelivery`, DLQ replay in `leadwire.replay_dlq`,
request/reply in `leadwire.rpc`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from faststream.rabbit import Channel, RabbitBroker

from leadwire.logging import broker_logger
from leadwire.redelivery import DEFAULT_REDELIVERY, REGISTRY, RedeliveryPolicy, subscriber
from leadwire.replay_dlq import replay_dlq
from leadwire.rpc import RpcError, RpcTimeout, rpc_call, rpc_caller, rpc_queue
from leadwire.topology import (
    EVENTS_EXCHANGE,
    ConsumerQueue,
    delay_exchange,
    delay_queue,
    events_exchange,
)

__all__ = [
    "DEFAULT_REDELIVERY",
    "EVENTS_EXCHANGE",
    "ConsumerQueue",
    "RedeliveryPolicy",
    "RpcError",
    "RpcTimeout",
    "declare_topology",
    "make_broker",
    "replay_dlq",
    "rpc_call",
    "rpc_caller",
    "rpc_queue",
    "subscriber",
]


def make_broker(
    url: str,
    *,
    service: str,
    prefetch: int = 20,
    graceful_timeout: float = 15.0,
    reconnect_interval: float = 2.0,
    access_log_level: int = logging.DEBUG,
) -> RabbitBroker:
    """A broker whose publishes wait for confirms and raise when a message is unroutable.

    `graceful_timeout` bounds how long `broker.stop()` waits for in-flight handlers.
    FastStream's per-message "Received"/"Processed" lines go out at `access_log_level`:
    at INFO they cost a third of consumer throughput and add nothing our handlers' own
    logs (with event_id bound) do not say.
    """
    return RabbitBroker(
        url,
        app_id=f"leadwire-{service}",
        default_channel=Channel(
            prefetch_count=prefetch, publisher_confirms=True, on_return_raises=True
        ),
        graceful_timeout=graceful_timeout,
        reconnect_interval=reconnect_interval,
        log_level=access_log_level,
        logger=broker_logger(),  # through leadwire.logging: JSON, scrubbed
    )


async def declare_topology(
    broker: RabbitBroker,
    *,
    queues: Iterable[ConsumerQueue] = (),
    retry_policies: Iterable[RedeliveryPolicy] = (),
    exchange: str = EVENTS_EXCHANGE,
) -> None:
    """Declare the exchange, every registered consumer queue with its DLQ and all bindings,
    and the delay exchanges/queues its retry policies use. Idempotent; needs a connection.
    """
    registered = REGISTRY.get(broker, [])
    all_queues = {q.name: q for q in [*(q for q, _ in registered), *queues]}
    policies = [*(p for _, p in registered), *retry_policies]
    await broker.declare_exchange(events_exchange(exchange))
    for queue in all_queues.values():
        await _declare_consumer_queue(broker, queue)
    for delay in sorted({d for p in policies for d in p.delays}):
        await _declare_delay(broker, delay)


async def _declare_consumer_queue(broker: RabbitBroker, queue: ConsumerQueue) -> None:
    await broker.declare_queue(queue.rabbit_dlq())
    exchange = await broker.declare_exchange(queue.rabbit_exchange())
    declared = await broker.declare_queue(queue.rabbit_queue())
    for key in queue.routing_keys:
        await declared.bind(exchange, routing_key=key)


async def _declare_delay(broker: RabbitBroker, delay: float) -> None:
    exchange = await broker.declare_exchange(delay_exchange(delay))
    declared = await broker.declare_queue(delay_queue(delay))
    await declared.bind(exchange)
