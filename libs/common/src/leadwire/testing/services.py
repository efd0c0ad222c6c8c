"""Run any service's real app inside a test, isolated from every other test on the broker.

    async def test_draft_is_created(stack: TestStack) -> None:
        drafter = await stack.start(create_app, DrafterSettings)   # real uvicorn + runtime
        tap = await stack.tap("draft.created")
        await stack.publish(LeadReceived(...), client_id=client_id)
        [event] = await tap.wait_for("draft.created")

`stack` gives each test its own events exchange and queue prefix, so parallel tests (and a
running demo) share one RabbitMQ without seeing each other's events; every service it
starts gets its own Postgres schema, a free port, and — when the test uses the `sandbox`
fixture — every provider URL its settings declare pointed at the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aio_pika
import asyncpg
import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI

from leadwire.auth import issue_admin_token
from leadwire.events import Envelope, EventPayload, new_event
from leadwire.redelivery import REGISTRY
from leadwire.runtime import ServiceRuntime
from leadwire.settings import ServiceSettings
from leadwire.testing.infra import free_port

S = TypeVar("S", bound=ServiceSettings)

TEST_JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
RPC_QUEUES = ("oauth.rpc.mailbox_token", "oauth.rpc.client_secrets")


@contextlib.asynccontextmanager
async def served(app: FastAPI, port: int = 0, host: str = "127.0.0.1") -> AsyncIterator[int]:
    """uvicorn in this event loop, lifespan included, until the block ends; yields the port.
    The one uvicorn-in-a-test helper."""
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()
                raise RuntimeError("uvicorn exited before it started")
            await asyncio.sleep(0.01)
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        await serving


def sandbox_overrides(sandbox: Any) -> dict[str, Any]:
    """Provider settings pointing at a running sandbox, by the names services declare."""
    base = sandbox.base_url
    config = sandbox.config
    return {
        "provider_ca_bundle": str(sandbox.ca_path),
        "gmail_api_base_url": base,
        "graph_base_url": base,
        "google_client_id": config.google_client_id,
        "google_client_secret": config.google_client_secret,
        "google_auth_uri": f"{base}/o/oauth2/v2/auth",
        "google_token_uri": f"{base}/token",
        "google_revoke_uri": f"{base}/revoke",
        "google_userinfo_uri": f"{base}/v1/userinfo",
        "microsoft_client_id": config.microsoft_client_id,
        "microsoft_client_secret": config.microsoft_client_secret,
        "microsoft_tenant": config.microsoft_tenant,
        "microsoft_authority_host": base,
        "openai_base_url": f"{base}/v1",
    }


@dataclass
class ServiceUnderTest:
    """A service running in this test: its app, settings, runtime and an admin client."""

    name: str
    url: str
    app: FastAPI
    settings: ServiceSettings
    http: httpx.AsyncClient

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool


@dataclass
class EventTap:
    """A private queue on the test's exchange, bound to some event types."""

    queue: aio_pika.abc.AbstractQueue
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def _drain(self) -> None:
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            self.seen.append(json.loads(message.body))

    async def wait_for(
        self,
        event_type: str,
        *,
        at_least: int = 1,
        where: Callable[[dict[str, Any]], bool] = lambda _: True,
        within: float = 10.0,
        settle: float = 0.0,
    ) -> list[dict[str, Any]]:
        """Envelopes (as JSON dicts) of `event_type` matching `where`: waits for
        `at_least`, then `settle` seconds more, so a test can tell once from twice."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within

        def matching() -> list[dict[str, Any]]:
            return [e for e in self.seen if e["type"] == event_type and where(e)]

        await self._drain()
        while len(matching()) < at_least:
            if loop.time() > deadline:
                pytest.fail(
                    f"{len(matching())} of {at_least} {event_type} event(s) within {within}s; "
                    f"seen: {sorted({e['type'] for e in self.seen})}"
                )
            await asyncio.sleep(0.02)
            await self._drain()
        if settle:
            await asyncio.sleep(settle)
            await self._drain()
        return matching()


@dataclass
class TestStack:
    """One test's isolated slice of the broker and database, and the services in it."""

    postgres_dsn: str
    rabbit_url: str
    exchange: str
    queue_prefix: str
    sandbox: Any = None
    services: dict[str, ServiceUnderTest] = field(default_factory=dict)
    _exits: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    _schemas: list[str] = field(default_factory=list)
    _connection: aio_pika.abc.AbstractRobustConnection | None = None

    __test__ = False  # not a test class, despite its name

    async def start(
        self, create_app: Callable[[S], FastAPI], settings_class: type[S], **overrides: Any
    ) -> ServiceUnderTest:
        """Build the settings (only fields `settings_class` declares), the app, and serve it."""
        settings = settings_class(**self.settings_for(settings_class, **overrides))
        app = create_app(settings)
        port = await self._exits.enter_async_context(served(app, settings.http_port))
        url = f"http://127.0.0.1:{port}"
        token = issue_admin_token(TEST_JWT_SECRET, "test-admin")
        http = httpx.AsyncClient(
            base_url=url, timeout=20, headers={"Authorization": f"Bearer {token}"}
        )
        self._exits.push_async_callback(http.aclose)
        service = ServiceUnderTest(settings.service_name, url, app, settings, http)
        self.services[service.name] = service
        return service

    def settings_for(
        self, settings_class: type[ServiceSettings], **overrides: Any
    ) -> dict[str, Any]:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        self._schemas.append(schema)
        port = free_port()
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": self.postgres_dsn,
            "database_schema": schema,
            "rabbit_url": self.rabbit_url,
            "http_port": port,
            "jwt_secret": TEST_JWT_SECRET,
            "events_exchange": self.exchange,
            "queue_prefix": self.queue_prefix,
            "public_base_url": f"http://127.0.0.1:{port}",
            "log_json": False,
        }
        if self.sandbox is not None:
            values.update(sandbox_overrides(self.sandbox))
        values.update(overrides)
        fields = settings_class.model_fields
        return {k: v for k, v in values.items() if k in fields or k in overrides}

    async def tap(self, *event_types: str) -> EventTap:
        """Start recording events of these types (all, if none) from now on."""
        channel = await (await self._amqp()).channel()
        exchange = await self._declare_exchange(channel)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in event_types or ("#",):
            await queue.bind(exchange, key)
        return EventTap(queue)

    async def publish(
        self,
        event: EventPayload | Envelope,
        *,
        client_id: uuid.UUID | None = None,
        correlation_id: uuid.UUID | None = None,
    ) -> Envelope:
        """Publish an event into this test's exchange, as another service's relay would.
        Pass an Envelope to publish the very same event again (a redelivery)."""
        if not isinstance(event, Envelope):
            event = new_event(event, client_id=client_id, correlation_id=correlation_id)
        await self.publish_raw(event.type, event.to_json_bytes(), message_id=str(event.event_id))
        return event

    async def publish_raw(self, routing_key: str, body: bytes, *, message_id: str = "") -> None:
        """Publish any bytes (e.g. a body that breaks its contract)."""
        channel = await (await self._amqp()).channel()
        exchange = await self._declare_exchange(channel)
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id or str(uuid.uuid4()),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=routing_key,
        )

    async def parked(self, queue_name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Messages parked in `queue_name`'s DLQ right now (taken off it)."""
        channel = await (await self._amqp()).channel()
        dlq = await channel.declare_queue(f"{queue_name}.dlq", passive=True)
        messages = []
        while (message := await dlq.get(no_ack=True, fail=False)) is not None:
            messages.append(message)
        return messages

    async def _amqp(self) -> aio_pika.abc.AbstractRobustConnection:
        if self._connection is None:
            self._connection = await aio_pika.connect_robust(self.rabbit_url)
        return self._connection

    async def _declare_exchange(
        self, channel: aio_pika.abc.AbstractChannel
    ) -> aio_pika.abc.AbstractExchange:
        return await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def close(self) -> None:
        queues = [
            name
            for service in self.services.values()
            for queue, _ in REGISTRY.get(service.runtime.broker, [])
            for name in (queue.name, queue.dlq_name)
        ]
        await self._exits.aclose()
        channel = await (await self._amqp()).channel()
        for name in [*queues, *(self.queue_prefix + q for q in RPC_QUEUES)]:
            await channel.queue_delete(name)
        await channel.exchange_delete(self.exchange)
        await (await self._amqp()).close()
        conn = await asyncpg.connect(self.postgres_dsn)
        try:
            for schema in self._schemas:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


@pytest_asyncio.fixture
async def stack(
    request: pytest.FixtureRequest, postgres_dsn: str, rabbit_url: str
) -> AsyncIterator[TestStack]:
    """An isolated stack for one test; uses the sandbox when the test asks for it."""
    names = uuid.uuid4().hex[:10]
    sandbox = request.getfixturevalue("sandbox") if "sandbox" in request.fixturenames else None
    test_stack = TestStack(
        postgres_dsn,
        rabbit_url,
        exchange=f"test.events.{names}",
        queue_prefix=f"t{names}.",
        sandbox=sandbox,
    )
    try:
        yield test_stack
    finally:
        await test_stack.close()
