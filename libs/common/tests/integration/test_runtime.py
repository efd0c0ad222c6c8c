from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import UUID, uuid4

import aio_pika
import httpx
import pytest
import pytest_asyncio

from leadwire.broker import ConsumerQueue, RedeliveryPolicy, make_broker, subscriber
from leadwire.events import ClientChanged, TypedEvent, new_event
from leadwire.inbox import first_delivery
from leadwire.outbox import add_event
from leadwire.runtime import ServiceRuntime
from leadwire.testing import RabbitCleanup, TcpProxy, served, wait_until

pytestmark = pytest.mark.integration


class RunningService:
    """A runtime served by `leadwire.testing.served`, stoppable mid-test."""

    def __init__(self, runtime: ServiceRuntime, exits: contextlib.AsyncExitStack, port: int):
        self.runtime, self._exits = runtime, exits
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")

    async def stop(self) -> None:
        await self.http.aclose()
        await self._exits.aclose()


async def serve(runtime: ServiceRuntime) -> RunningService:
    exits = contextlib.AsyncExitStack()
    port = await exits.enter_async_context(served(runtime.build_app()))
    return RunningService(runtime, exits, port)


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "0001_clients.sql").write_text("CREATE TABLE clients (id uuid PRIMARY KEY);")
    return tmp_path


@pytest_asyncio.fixture
async def service_parts(
    postgres_dsn: str,
    rabbit_url: str,
    fresh_schema: str,
    events_exchange: str,
    unique_name: Callable[[str], str],
    rabbit_cleanup: RabbitCleanup,
    migrations: Path,
) -> AsyncIterator[tuple[ServiceRuntime, list[UUID]]]:
    broker = make_broker(rabbit_url, service="svc", graceful_timeout=5)
    queue = ConsumerQueue(
        unique_name("svc"), "clients", ("client.changed",), exchange=events_exchange
    )
    rabbit_cleanup.consumer_queue(queue)
    runtime = ServiceRuntime(
        name="svc",
        schema=fresh_schema,
        database_url=postgres_dsn,
        rabbit_url=rabbit_url,
        broker=broker,
        migrations=migrations,
        exchange=events_exchange,
        relay_poll_interval=30,
    )
    handled: list[UUID] = []

    @subscriber(broker, queue, retry_policy=RedeliveryPolicy(delays=(0.1,)))
    async def on_client_changed(event: TypedEvent) -> None:  # type: ignore[type-arg]
        client = event.expect(ClientChanged).payload
        async with runtime.pool.acquire() as conn, conn.transaction():
            if await first_delivery(conn, event.event_id, queue.name):
                await conn.execute("INSERT INTO clients (id) VALUES ($1)", client.client_id)
        handled.append(client.client_id)

    yield runtime, handled


async def test_service_starts_serves_health_and_consumes_its_outbox(service_parts) -> None:
    runtime, handled = service_parts
    service = await serve(runtime)
    try:
        assert (await service.http.get("/health")).json() == {"status": "ok"}
        ready = await service.http.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}

        client_id = uuid4()
        event = new_event(
            ClientChanged(client_id=client_id, slug="acme", name="Acme"), client_id=client_id
        )
        async with runtime.pool.acquire() as conn, conn.transaction():
            await add_event(conn, event)
        await wait_until(lambda: handled == [client_id], within=10)

        metrics = (await service.http.get("/metrics")).text
        assert "leadwire_events_consumed_total" in metrics
        assert (
            'leadwire_http_requests_total{method="GET",route="/health/ready",status="200"}'
            in metrics
        )
    finally:
        await service.stop()
    with pytest.raises(RuntimeError, match="only while the app runs"):
        _ = runtime.pool


async def test_ready_reports_503_naming_the_broker_when_it_is_gone(
    service_parts, rabbit_url
) -> None:
    runtime, _ = service_parts
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    via_proxy = rabbit_url.replace("127.0.0.1:5672", f"127.0.0.1:{proxy.port}")
    runtime.broker = make_broker(via_proxy, service="svc", reconnect_interval=30)
    service = await serve(runtime)
    try:
        await proxy.cut()
        await wait_until(lambda: _not_ready(service), within=10)
        body = (await service.http.get("/health/ready")).json()
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["broker"].startswith("down")
    finally:
        await proxy.restore()
        await service.stop()
        await proxy.cut()


async def _not_ready(service: RunningService) -> bool:
    return (await service.http.get("/health/ready")).status_code == 503


async def test_shutdown_flushes_events_written_during_shutdown_window(
    service_parts, postgres_dsn, fresh_schema
) -> None:
    runtime, _ = service_parts
    service = await serve(runtime)
    # an event committed while the relay's wake-up is pending must still go out on stop
    client_id = uuid4()
    event = new_event(
        ClientChanged(client_id=client_id, slug="acme", name="Acme"), client_id=client_id
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        await add_event(conn, event)
    await service.stop()

    import asyncpg

    conn = await asyncpg.connect(postgres_dsn)
    try:
        left = await conn.fetchval(
            f'SELECT count(*) FROM "{fresh_schema}".outbox WHERE published_at IS NULL'
        )
    finally:
        await conn.close()
    assert left == 0


async def test_shutdown_lets_the_in_flight_handler_finish(
    postgres_dsn, rabbit_url, fresh_schema, events_exchange, unique_name, rabbit_cleanup
) -> None:
    broker = make_broker(rabbit_url, service="svc", graceful_timeout=5)
    queue = ConsumerQueue(unique_name("svc"), "slow", ("client.changed",), exchange=events_exchange)
    rabbit_cleanup.consumer_queue(queue)
    runtime = ServiceRuntime(
        name="svc",
        schema=fresh_schema,
        database_url=postgres_dsn,
        rabbit_url=rabbit_url,
        broker=broker,
        exchange=events_exchange,
    )
    started, finished = asyncio.Event(), asyncio.Event()

    @subscriber(broker, queue)
    async def slow(event: TypedEvent) -> None:  # type: ignore[type-arg]
        started.set()
        await asyncio.sleep(0.5)
        finished.set()

    service = await serve(runtime)
    client_id = uuid4()
    event = new_event(
        ClientChanged(client_id=client_id, slug="acme", name="Acme"), client_id=client_id
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        await add_event(conn, event)
    await asyncio.wait_for(started.wait(), 5)

    await service.stop()  # what SIGTERM makes uvicorn do

    assert finished.is_set()
    connection = await aio_pika.connect(rabbit_url)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue.name, passive=True)
        assert declared.declaration_result.message_count == 0  # acked, not redelivered
    finally:
        await connection.close()
