"""Real Postgres and RabbitMQ for integration tests, isolated per test.

Where the servers
come from, in order: LEADWIRE_TEST_DATABASE_URL / LEADWIRE_TEST_RABBIT_URL; the local
servers on 127.0.0.1; a testcontainers container if a Docker engine answers; otherwise
the test fails saying what to start. Every test gets its own schema and unique queue
and exchange names, so pytest-xdist workers never meet.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aio_pika
import asyncpg
import pytest
import pytest_asyncio

from leadwire.db import create_pool, run_migrations

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_RABBIT = "amqp://guest:guest@127.0.0.1:5672/"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for servers a test starts)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


def _missing(what: str, env: str, port: int, how: str) -> str:
    return (
        f"No {what} for integration tests: set {env}, or start {what} on 127.0.0.1:{port} "
        f"({how}), or run a Docker engine so testcontainers can start one. "
        "`make infra` (scripts/ensure-infra.sh) starts the local servers."
    )


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    if url := os.environ.get("LEADWIRE_TEST_DATABASE_URL"):
        yield url
    elif _port_open("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
    elif _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
    else:
        pytest.fail(
            _missing("PostgreSQL", "LEADWIRE_TEST_DATABASE_URL", 5432, "user postgres, trust"),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def rabbit_url() -> Iterator[str]:
    if url := os.environ.get("LEADWIRE_TEST_RABBIT_URL"):
        yield url
    elif _port_open("127.0.0.1", 5672):
        yield LOCAL_RABBIT
    elif _docker_answers():
        from testcontainers.community.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as container:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
    else:
        pytest.fail(
            _missing("RabbitMQ", "LEADWIRE_TEST_RABBIT_URL", 5672, "guest/guest"), pytrace=False
        )


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """`unique_name("svc")` -> "svc-1a2b3c4d": valid in queue, exchange and schema names."""

    def make(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make


@pytest_asyncio.fixture
async def fresh_schema(postgres_dsn: str) -> AsyncIterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest_asyncio.fixture
async def db_pool(postgres_dsn: str, fresh_schema: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(postgres_dsn, fresh_schema, min_size=1, max_size=5)
    try:
        await run_migrations(pool, fresh_schema, None)
        yield pool
    finally:
        await pool.close()


class RabbitCleanup:
    """Collects queues and exchanges a test declared; deletes them afterwards."""

    def __init__(self) -> None:
        self.queues: list[str] = []
        self.exchanges: list[str] = []

    def queue(self, *names: str) -> None:
        self.queues.extend(names)

    def exchange(self, *names: str) -> None:
        self.exchanges.extend(names)

    def consumer_queue(self, queue: Any) -> None:
        """A `leadwire.topology.ConsumerQueue`: its queue and DLQ."""
        self.queue(queue.name, queue.dlq_name)

    async def run(self, url: str) -> None:
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            for name in self.queues:
                await channel.queue_delete(name)
            for name in self.exchanges:
                await channel.exchange_delete(name)
        finally:
            await connection.close()


@pytest_asyncio.fixture
async def rabbit_cleanup(rabbit_url: str) -> AsyncIterator[RabbitCleanup]:
    cleanup = RabbitCleanup()
    yield cleanup
    await cleanup.run(rabbit_url)


async def wait_until(
    condition: Callable[[], Awaitable[bool] | bool], *, within: float = 10.0, every: float = 0.02
) -> None:
    """Poll `condition` until true; fail the test after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"condition not met within {within}s", pytrace=True)
        await asyncio.sleep(every)


class TcpProxy:
    """A loopback TCP proxy a test can cut, to make a real server 'go away' and return.

    `cut()` drops every open connection and refuses new ones; `restore()` accepts again.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()  # same port: clients reconnect to the address they know

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self._writers.discard(writer)
