"""One service process: FastAPI app + FastStream broker + outbox relay + background tasks.

    runtime = ServiceRuntime.from_settings(settings, broker, migrations=MIGRATIONS,
                                           routers=[drafts.router], tasks=[renew_watches])
    register_handlers(broker, runtime)       # handlers reach the pool as runtime.pool
    app = runtime.build_app()
    run(runtime)                             # uvicorn; SIGTERM -> graceful shutdown

Start: pool, migrations, topology, relay, consumers, tasks. Stop (SIGTERM -> uvicorn ->
lifespan): tasks cancelled, consuming stopped with in-flight handlers given
`broker.graceful_timeout`, outbox flushed, connections closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Protocol, TypeVar

import asyncpg
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.rabbit import RabbitBroker

from leadwire.broker import declare_topology, make_broker
from leadwire.db import create_pool, run_migrations
from leadwire.health import health_router, metrics_middleware
from leadwire.logging import configure_logging
from leadwire.publisher import AmqpPublisher
from leadwire.relay import OutboxRelay
from leadwire.settings import ServiceSettings, load_settings
from leadwire.topology import EVENTS_EXCHANGE

log = logging.getLogger(__name__)

BackgroundTask = Callable[[], Awaitable[None]]


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
    tasks: Sequence[BackgroundTask] = ()
    # Awaited once after migrations, before consuming and readiness (e.g. seed data).
    startup: Sequence[BackgroundTask] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    exchange: str = EVENTS_EXCHANGE
    shutdown_grace: float = 10.0
    relay_poll_interval: float = 5.0
    _pool: asyncpg.Pool | None = field(default=None, init=False, repr=False)
    _relay: OutboxRelay | None = field(default=None, init=False, repr=False)
    _publisher: AmqpPublisher | None = field(default=None, init=False, repr=False)
    _running: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.schema = self.schema or self.name

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
            **options,  # type: ignore[arg-type]
        )

    @classmethod
    def for_service(cls, settings: ServiceSettings, **options: object) -> ServiceRuntime:
        """A runtime with its own broker, schema and address taken from the settings."""
        broker = make_broker(settings.rabbit_url, service=settings.service_name)
        schema = settings.database_schema or settings.service_name
        return cls.from_settings(settings, broker, schema=schema, **options)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: the pool exists only while the app runs")
        return self._pool

    def build_app(self, app: FastAPI | None = None) -> FastAPI:
        app = app or FastAPI(title=f"leadwire-{self.name}")
        app.router.lifespan_context = self._lifespan
        app.state.runtime = self
        app.middleware("http")(metrics_middleware)
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
        for hook in self.startup:
            await hook()
        await self.broker.connect()
        await declare_topology(self.broker, exchange=self.exchange)
        self._publisher = AmqpPublisher(self.rabbit_url, exchange=self.exchange)
        self._relay = OutboxRelay(
            self._pool, self.schema, self._publisher, poll_interval=self.relay_poll_interval
        )
        await self._relay.start()
        await self.broker.start()
        self._running = [asyncio.create_task(_supervised(t)) for t in self.tasks]

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


async def _supervised(task: BackgroundTask) -> None:
    """Run a background task; a crash is logged rather than silently ending the task."""
    try:
        await task()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task %s crashed", getattr(task, "__name__", task))


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_pool(request: Request) -> asyncpg.Pool:
    return get_runtime(request).pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


def run(runtime: ServiceRuntime) -> None:
    """Serve until SIGTERM/SIGINT; uvicorn then runs the lifespan shutdown above."""
    serve(
        runtime.build_app(),
        host=runtime.host,
        port=runtime.port,
        shutdown_grace=runtime.shutdown_grace,
    )


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
