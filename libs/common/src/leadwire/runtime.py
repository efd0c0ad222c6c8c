"""One service process: FastAPI app + FastStream broker + outbox relay + background work.

    runtime = ServiceRuntime.for_service(settings, migrations=MIGRATIONS, routers=[drafts.router])
    runtime.on_shutdown(http_client.aclose)               # the service closes what it opened
    runtime.on_startup(warm_cache, after_broker=True)     # may use the broker (RPC, publish)
    runtime.background(follow_changes, name="follow")     # supervised: restarted with backoff
    runtime.every(timedelta(minutes=5), poll_mailboxes, name="poll-mailboxes")  # once/replicas

    @runtime.consumer("leads", LeadReceived)              # leadwire.consuming's pattern
    async def draft_for_lead(event: Consumed[LeadReceived]) -> None: ...

    app = runtime.build_app(FastAPI(title="leadwire-drafter"))
    run_service(DrafterSettings, create_app)              # the console-script entry

Start: pool, migrations, startup hooks, broker connection, topology, relay, hooks that
need the broker, consuming, background tasks and scheduled jobs (the outbox and inbox
purges among them). Stop (SIGTERM -> uvicorn -> lifespan): tasks cancelled, consuming
stopped with in-flight handlers given `broker.graceful_timeout`, outbox flushed, shutdown
hooks (newest first), pool closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

import asyncpg
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.rabbit import RabbitBroker

from leadwire import metrics
from leadwire.auth import admin_public_key
from leadwire.broker import declare_topology, make_broker
from leadwire.consuming import Body, ConsumerSpec, register_consumer
from leadwire.db import create_pool, run_migrations
from leadwire.events import EventPayload
from leadwire.health import health_router, metrics_middleware
from leadwire.inbox import purge_inbox
from leadwire.jobs import Job, JobRunner, replica_id
from leadwire.logging import configure_logging
from leadwire.outbox import purge_published
from leadwire.publisher import AmqpPublisher
from leadwire.redelivery import DEFAULT_REDELIVERY, RedeliveryPolicy
from leadwire.relay import OutboxRelay
from leadwire.request_id import RequestIdMiddleware
from leadwire.settings import ServiceSettings, load_settings
from leadwire.topology import EVENTS_EXCHANGE, ConsumerQueue

log = logging.getLogger(__name__)

BackgroundTask = Callable[[], Awaitable[None]]
Hook = Callable[[], Awaitable[Any]]
B = TypeVar("B", bound=Body)

# Published outbox rows are kept a week for inspection; inbox rows outlive any redelivery
# or DLQ replay window.
OUTBOX_KEEP = timedelta(days=7)
INBOX_KEEP = timedelta(days=30)
PURGE_EVERY = timedelta(hours=1)
RESTART_BACKOFF_MAX = 60.0


class RuntimeSettings(Protocol):
    """The part of `leadwire.settings.ServiceSettings` the runtime reads."""

    service_name: str
    database_url: str
    rabbit_url: str
    http_host: str
    http_port: int


@dataclass
class ServiceRuntime:
    name: str
    database_url: str = field(repr=False)
    rabbit_url: str = field(repr=False)
    broker: RabbitBroker
    schema: str = ""
    migrations: Path | None = None
    routers: Sequence[APIRouter] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    exchange: str = EVENTS_EXCHANGE
    queue_prefix: str = ""
    settings: Any = None
    shutdown_grace: float = 10.0
    relay_poll_interval: float = 5.0
    replica: str = field(default_factory=replica_id)
    _startup: list[tuple[Hook, bool]] = field(default_factory=list, init=False, repr=False)
    _shutdown: list[Hook] = field(default_factory=list, init=False, repr=False)
    _tasks: list[tuple[str, BackgroundTask]] = field(default_factory=list, init=False, repr=False)
    _pool: asyncpg.Pool | None = field(default=None, init=False, repr=False)
    _relay: OutboxRelay | None = field(default=None, init=False, repr=False)
    _publisher: AmqpPublisher | None = field(default=None, init=False, repr=False)
    _running: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.schema = self.schema or self.name
        self.every(PURGE_EVERY, self._purge_outbox_and_inbox, name="purge-outbox-inbox")

    @classmethod
    def from_settings(
        cls, settings: RuntimeSettings, broker: RabbitBroker, **options: object
    ) -> ServiceRuntime:
        return cls(
            name=settings.service_name,
            database_url=settings.database_url,
            rabbit_url=settings.rabbit_url,
            broker=broker,
            host=settings.http_host,
            port=settings.http_port,
            exchange=getattr(settings, "events_exchange", EVENTS_EXCHANGE),
            queue_prefix=getattr(settings, "queue_prefix", ""),
            settings=settings,
            **options,  # type: ignore[arg-type]
        )

    @classmethod
    def for_service(cls, settings: ServiceSettings, **options: object) -> ServiceRuntime:
        """A runtime with its own broker, schema and address taken from the settings."""
        broker = make_broker(settings.rabbit_url, service=settings.service_name)
        schema = settings.database_schema or settings.service_name
        return cls.from_settings(settings, broker, schema=schema, **options)

    # -- what a service registers before it starts ------------------------------------

    def on_startup(self, hook: Hook, *, after_broker: bool = False) -> None:
        """Await `hook` at start: after migrations, or (`after_broker`) once the broker is
        connected and the relay runs, before consuming starts."""
        self._startup.append((hook, after_broker))

    def on_shutdown(self, hook: Hook) -> None:
        """Await `hook` at stop, after consuming ended and the outbox flushed (newest first)."""
        self._shutdown.append(hook)

    def background(self, task: BackgroundTask, *, name: str | None = None) -> None:
        """Run `task` while the service runs; restarted with backoff if it crashes."""
        self._tasks.append((name or str(getattr(task, "__name__", "task")), task))

    def every(self, interval: timedelta | float, job: Job, *, name: str) -> None:
        """Run `job` once per `interval` across all replicas (see `leadwire.jobs`)."""
        if not isinstance(interval, timedelta):
            interval = timedelta(seconds=interval)
        runner = JobRunner(name, interval, job, lambda: self.pool, self.name, self.replica)
        self.background(runner.run_forever, name=f"job:{name}")

    def queue(self, purpose: str, *routing_keys: str) -> ConsumerQueue:
        """This service's consumer queue `<prefix><service>.<purpose>` on its exchange."""
        return ConsumerQueue(
            self.name, purpose, routing_keys, exchange=self.exchange, prefix=self.queue_prefix
        )

    def consumer(
        self,
        purpose: str,
        *types: type[EventPayload],
        serialize_by: Callable[[Any], Hashable] | None = None,
        transaction: bool = True,
        policy: RedeliveryPolicy = DEFAULT_REDELIVERY,
    ) -> Callable[[B], B]:
        """Register a handler under the consumer pattern of `leadwire.consuming` on the
        queue `<prefix><service>.<purpose>`, bound to each type's routing key."""
        if not types:
            raise ValueError(f"{self.name}.{purpose}: name at least one event type")
        queue = self.queue(purpose, *dict.fromkeys(t.event_type for t in types))
        spec = ConsumerSpec(queue.name, types, lambda: self.pool, serialize_by, transaction)

        def decorate(body: B) -> B:
            register_consumer(self.broker, queue, spec, body, policy=policy)
            return body

        return decorate

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: the pool exists only while the app runs")
        return self._pool

    def build_app(self, app: FastAPI | None = None) -> FastAPI:
        app = app or FastAPI(title=f"leadwire-{self.name}")
        app.router.lifespan_context = self._lifespan
        app.state.runtime = self
        if self.settings is not None and not hasattr(app.state, "admin_public_key"):
            # every service verifies admin tokens with oauth's public key (oauth sets its own)
            app.state.admin_public_key = admin_public_key(self.settings)
        app.middleware("http")(metrics_middleware)
        app.add_middleware(RequestIdMiddleware)
        app.include_router(health_router(self._ready_checks))
        for router in self.routers:
            app.include_router(router)
        return app

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        self._pool = await create_pool(self.database_url, self.schema)
        applied = await run_migrations(self._pool, self.schema, self.migrations)
        log.info("%s: migrations applied: %s", self.name, applied or "none")
        await self._run_startup(after_broker=False)
        await self.broker.connect()
        await declare_topology(self.broker, exchange=self.exchange)
        self._publisher = AmqpPublisher(self.rabbit_url, exchange=self.exchange)
        self._relay = OutboxRelay(
            self._pool, self.schema, self._publisher, poll_interval=self.relay_poll_interval
        )
        await self._relay.start()
        await self._run_startup(after_broker=True)
        await self.broker.start()
        self._running = [
            asyncio.create_task(_supervised(self.name, name, task), name=f"{self.name}:{name}")
            for name, task in self._tasks
        ]

    async def _run_startup(self, *, after_broker: bool) -> None:
        for hook, needs_broker in self._startup:
            if needs_broker == after_broker:
                await hook()

    async def _purge_outbox_and_inbox(self) -> None:
        async with self.pool.acquire() as conn:
            published = await purge_published(conn, older_than=OUTBOX_KEEP)
            seen = await purge_inbox(conn, older_than=INBOX_KEEP)
        if published or seen:
            log.info("%s: purged %d outbox and %d inbox rows", self.name, published, seen)

    async def stop(self) -> None:
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        self._running = []
        await self.broker.stop()  # stops consuming; waits for in-flight handlers
        if self._relay is not None:
            await self._relay.stop(flush=True, grace=self.shutdown_grace)
            self._relay = None
        if self._publisher is not None:
            await self._publisher.close()
            self._publisher = None
        for hook in reversed(self._shutdown):
            try:
                await hook()
            except Exception:  # one failing hook must not keep the others from running
                log.exception("%s: shutdown hook %r failed", self.name, hook)
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _ready_checks(self) -> dict[str, str]:
        return {"database": await self._database_state(), "broker": await self._broker_state()}

    async def _database_state(self) -> str:
        try:
            async with asyncio.timeout(2):
                async with self.pool.acquire() as conn:
                    await conn.fetchval("SELECT 1")
        except Exception as exc:
            return f"down: {type(exc).__name__}"
        return "ok"

    async def _broker_state(self) -> str:
        try:
            return "ok" if await self.broker.ping(timeout=1.0) else "down: not connected"
        except Exception as exc:
            return f"down: {type(exc).__name__}"


async def _supervised(service: str, name: str, task: BackgroundTask) -> None:
    """Run a background task forever: a crash (or an unexpected return) is logged,
    counted in `leadwire_background_task_restarts_total`, and the task restarted after a
    backoff that grows to a minute and resets once a run has lasted that long."""
    loop = asyncio.get_running_loop()
    backoff = 0.5
    while True:
        started = loop.time()
        try:
            await task()
            log.warning("%s: background task %s returned; restarting", service, name)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: background task %s crashed; restarting", service, name)
        metrics.BACKGROUND_RESTARTS.labels(service, name).inc()
        if loop.time() - started >= RESTART_BACKOFF_MAX:
            backoff = 0.5
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, RESTART_BACKOFF_MAX)


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_pool(request: Request) -> asyncpg.Pool:
    return get_runtime(request).pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


def serve(app: FastAPI, *, host: str, port: int, shutdown_grace: float = 10.0) -> None:
    """Serve an app built by `ServiceRuntime.build_app` (for services that add
    their own state to the app before serving)."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=int(shutdown_grace),
        log_config=None,  # leadwire.logging owns the log format
    )


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def run_service(
    settings_class: type[SettingsT], create_app: Callable[[SettingsT], FastAPI]
) -> None:
    """A service's console-script entry: settings (or one clear error), logging, serve."""
    settings = load_settings(settings_class)
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)
