"""The five service processes start from their console scripts, report ready
against the real Postgres and RabbitMQ, and stop cleanly on SIGTERM."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from leadwire.testing import free_port

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
SERVICES = ("oauth", "ingest", "drafter", "sender", "notifier")


def _env(service: str, port: int, schema: str, dsn: str, rabbit: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HTTP_PORT": str(port),
        "DATABASE_URL": dsn,
        "RABBIT_URL": rabbit,
        "DATABASE_SCHEMA": schema,
        "JWT_SECRET": "e2e-jwt-secret-0123456789abcdef0123456789",
        "LOG_LEVEL": "INFO",
    }
    if service == "oauth":
        env.update(
            {
                "ENCRYPTION_KEYS": f"k1:{base64.b64encode(os.urandom(32)).decode()}",
                "STATE_SECRET": "e2e-state-secret",
                "QUEUE_PREFIX": f"{schema}.",
            }
        )
    return env


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            answer = httpx.get(url, timeout=1)
            if answer.status_code == 200:
                return dict(answer.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready in {timeout}s")


async def _drop_schemas(dsn: str, schemas: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for schema in schemas:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def test_every_service_starts_reports_ready_and_stops_on_sigterm(postgres_dsn, rabbit_url):
    run = uuid.uuid4().hex[:8]
    started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    schemas = [f"e2e_{name}_{run}" for name in SERVICES]
    try:
        for name, schema in zip(SERVICES, schemas, strict=True):
            port = free_port()
            process = subprocess.Popen(
                [str(BIN / f"leadwire-{name}")],
                env=_env(name, port, schema, postgres_dsn, rabbit_url),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            started[name] = (process, port)
        for name, (process, port) in started.items():
            ready = _wait_ready(process, f"http://127.0.0.1:{port}/health/ready")
            assert ready["checks"] == {"database": "ok", "broker": "ok"}, (name, ready)
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            assert "leadwire_http_requests_total{" in metrics, name

        for process, _ in started.values():
            process.send_signal(signal.SIGTERM)
        for name, (process, _) in started.items():
            output = process.communicate(timeout=30)[0].decode()
            # uvicorn re-raises the signal once its graceful shutdown is done.
            assert process.returncode in (0, -signal.SIGTERM), (name, output[-2000:])
            assert "Application shutdown complete" in output, name
            assert "Traceback" not in output, (name, output[-2000:])
    finally:
        for process, _ in started.values():
            if process.poll() is None:
                process.kill()
        await _drop_schemas(postgres_dsn, schemas)
